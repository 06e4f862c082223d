//! The `statistics_rollup` table: a year's totals for one scope.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statistics_rollup")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// `province`, `district`, `park` or `family`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    /// 0 for the province; the district's or park's id; 1 ITO, 2 BPO, 3 KPO for a family.
    #[sea_orm(primary_key, auto_increment = false)]
    pub member: i64,
    pub companies: i64,
    pub employees: i64,
    pub contract_usd_cents: i64,
    pub contract_offshore_usd_cents: i64,
    pub executed_usd_cents: i64,
    pub executed_offshore_usd_cents: i64,
    pub new_certificates: i64,
    pub tenders_published: i64,
    pub tenders_awarded: i64,
    pub bids: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
