//! Tenders (demand postings, after OCDS 1.1), their buyers, and the answers they receive.

use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// The status of a tender, as in the OCDS `tenderStatus` codelist.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum TenderStatus {
    /// Being prepared; not yet open for answers.
    #[sea_orm(string_value = "planning")]
    Planning,
    /// Open for answers until the end of its tender period.
    #[sea_orm(string_value = "active")]
    Active,
    /// Cancelled by the buyer.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// Closed without an award.
    #[sea_orm(string_value = "unsuccessful")]
    Unsuccessful,
    /// Closed with an award.
    #[sea_orm(string_value = "complete")]
    Complete,
}

/// What kind of organisation a counterpart (buyer) is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum CounterpartKind {
    /// An enterprise registered in the Shanghai Free Trade Zone.
    #[sea_orm(string_value = "ftz_enterprise")]
    FtzEnterprise,
    /// An enterprise registered elsewhere in China.
    #[sea_orm(string_value = "domestic_enterprise")]
    DomesticEnterprise,
    /// An enterprise registered outside China.
    #[sea_orm(string_value = "foreign_enterprise")]
    ForeignEnterprise,
    /// A public body.
    #[sea_orm(string_value = "public_body")]
    PublicBody,
}

/// The kind of answer to a tender.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum BidKind {
    /// A priced bid.
    #[sea_orm(string_value = "bid")]
    Bid,
    /// An expression of interest, without a price.
    #[sea_orm(string_value = "expression_of_interest")]
    ExpressionOfInterest,
}

/// Where a bid stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum BidStatus {
    /// Submitted and standing: the buyer has not yet closed or cancelled the tender, and the
    /// bidder has not withdrawn it.
    #[sea_orm(string_value = "submitted")]
    Submitted,
    /// Withdrawn by the bidder while the tender was open; it takes no further part.
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    /// Chosen by the buyer when it closed the tender: the tender is `COMPLETE`.
    #[sea_orm(string_value = "awarded")]
    Awarded,
    /// Not chosen: the buyer awarded another bid, closed the tender without an award, or
    /// cancelled it.
    #[sea_orm(string_value = "not_awarded")]
    NotAwarded,
}
