//! The `statistics_target` table: a target the Department set for a figure.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statistics_target")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `companies` or `employees`.
    pub figure: String,
    /// Absent for the province's own target.
    pub district_id: Option<i64>,
    /// `province` or `district:<id>`.
    pub scope_key: String,
    pub year: i32,
    pub level: i64,
    /// Hundredths of a percent: 2500 is 25%.
    pub growth_basis_points: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
