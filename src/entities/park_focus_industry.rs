//! The `park_focus_industry` table.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "park_focus_industry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub park_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_line: ServiceLine,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
