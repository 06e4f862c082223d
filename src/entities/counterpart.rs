//! The `counterpart` table.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "counterpart")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name_en: String,
    pub name_zh: String,
    pub kind: CounterpartKind,
    pub ftz_area_id: Option<i64>,
    pub city: String,
    pub uscc: Option<String>,
    pub description: String,
    pub website: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
