//! The `park` table.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "park")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name_en: String,
    pub name_zh: String,
    pub level: ParkLevel,
    pub district_id: i64,
    pub description: String,
    pub preferential_policies: String,
    pub website: Option<String>,
    pub established_year: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
