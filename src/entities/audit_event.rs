//! The `audit_event` table: one row per change made through the API or the command line.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub key_id: Option<i64>,
    pub role: Role,
    pub action: String,
    /// The global IDs of the changed objects, as a JSON array.
    pub object_ids: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
