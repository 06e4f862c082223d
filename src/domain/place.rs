//! Places: Jiangxi's districts (the 11 prefecture-level cities) and demonstration-park levels.

use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// One of Jiangxi's 11 prefecture-level cities, the unit by which the province appraises the
/// industry.
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
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum DistrictCode {
    /// Nanchang 南昌, the provincial capital.
    #[sea_orm(string_value = "nanchang")]
    Nanchang,
    /// Jingdezhen 景德镇.
    #[sea_orm(string_value = "jingdezhen")]
    Jingdezhen,
    /// Pingxiang 萍乡.
    #[sea_orm(string_value = "pingxiang")]
    Pingxiang,
    /// Jiujiang 九江.
    #[sea_orm(string_value = "jiujiang")]
    Jiujiang,
    /// Xinyu 新余.
    #[sea_orm(string_value = "xinyu")]
    Xinyu,
    /// Yingtan 鹰潭.
    #[sea_orm(string_value = "yingtan")]
    Yingtan,
    /// Ganzhou 赣州.
    #[sea_orm(string_value = "ganzhou")]
    Ganzhou,
    /// Ji'an 吉安.
    #[sea_orm(string_value = "jian")]
    Jian,
    /// Yichun 宜春.
    #[sea_orm(string_value = "yichun")]
    Yichun,
    /// Fuzhou 抚州.
    #[sea_orm(string_value = "fuzhou")]
    Fuzhou,
    /// Shangrao 上饶.
    #[sea_orm(string_value = "shangrao")]
    Shangrao,
}

impl DistrictCode {
    pub const ALL: [DistrictCode; 11] = [
        Self::Nanchang,
        Self::Jingdezhen,
        Self::Pingxiang,
        Self::Jiujiang,
        Self::Xinyu,
        Self::Yingtan,
        Self::Ganzhou,
        Self::Jian,
        Self::Yichun,
        Self::Fuzhou,
        Self::Shangrao,
    ];

    /// English name, Chinese name, and the six-digit administrative division code (GB/T 2260).
    pub fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Nanchang => ("Nanchang", "南昌", "360100"),
            Self::Jingdezhen => ("Jingdezhen", "景德镇", "360200"),
            Self::Pingxiang => ("Pingxiang", "萍乡", "360300"),
            Self::Jiujiang => ("Jiujiang", "九江", "360400"),
            Self::Xinyu => ("Xinyu", "新余", "360500"),
            Self::Yingtan => ("Yingtan", "鹰潭", "360600"),
            Self::Ganzhou => ("Ganzhou", "赣州", "360700"),
            Self::Jian => ("Ji'an", "吉安", "360800"),
            Self::Yichun => ("Yichun", "宜春", "360900"),
            Self::Fuzhou => ("Fuzhou", "抚州", "361000"),
            Self::Shangrao => ("Shangrao", "上饶", "361100"),
        }
    }
}

/// The standing of a service-outsourcing park.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum ParkLevel {
    /// A national service-outsourcing demonstration city.
    #[sea_orm(string_value = "national_demonstration_city")]
    NationalDemonstrationCity,
    /// A provincial service-outsourcing demonstration park.
    #[sea_orm(string_value = "provincial_demonstration_park")]
    ProvincialDemonstrationPark,
    /// Any other park.
    #[sea_orm(string_value = "other")]
    Other,
}
