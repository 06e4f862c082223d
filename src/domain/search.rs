//! Vocabulary of full-text discovery: what can be searched, and the bands headcounts fall in.

use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// A kind of object search finds.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum SearchType {
    /// A service-outsourcing company registered in Jiangxi: a `Company`.
    #[sea_orm(string_value = "company")]
    Company,
    /// A tender posted by a counterpart: a `Tender`.
    #[sea_orm(string_value = "tender")]
    Tender,
    /// A service-outsourcing park or demonstration city: a `Park`.
    #[sea_orm(string_value = "park")]
    Park,
}

impl SearchType {
    pub const ALL: [SearchType; 3] = [SearchType::Company, SearchType::Tender, SearchType::Park];

    /// The value search facets and filters use.
    pub fn code(self) -> &'static str {
        match self {
            Self::Company => "COMPANY",
            Self::Tender => "TENDER",
            Self::Park => "PARK",
        }
    }
}

/// The size band of a company's headcount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
pub enum EmployeeBand {
    /// Fewer than 50 employees.
    #[graphql(name = "UNDER_50")]
    Under50,
    /// 50 to 199 employees.
    #[graphql(name = "FROM_50_TO_199")]
    From50To199,
    /// 200 to 999 employees.
    #[graphql(name = "FROM_200_TO_999")]
    From200To999,
    /// 1,000 employees or more.
    #[graphql(name = "FROM_1000")]
    From1000,
}

impl EmployeeBand {
    pub const ALL: [EmployeeBand; 4] = [
        EmployeeBand::Under50,
        EmployeeBand::From50To199,
        EmployeeBand::From200To999,
        EmployeeBand::From1000,
    ];

    pub fn of(headcount: i64) -> Self {
        match headcount {
            ..50 => Self::Under50,
            50..200 => Self::From50To199,
            200..1000 => Self::From200To999,
            _ => Self::From1000,
        }
    }

    /// The value search facets and filters use (the GraphQL enum value).
    pub fn code(self) -> &'static str {
        match self {
            Self::Under50 => "UNDER_50",
            Self::From50To199 => "FROM_50_TO_199",
            Self::From200To999 => "FROM_200_TO_999",
            Self::From1000 => "FROM_1000",
        }
    }
}
