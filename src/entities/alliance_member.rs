//! The `alliance_member` table.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alliance_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub alliance_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: i64,
    pub share_basis_points: i32,
    pub accepted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
