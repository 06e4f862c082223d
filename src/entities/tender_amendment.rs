//! The `tender_amendment` table: every change to a tender after it was created (OCDS amendments).

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_amendment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tender_id: i64,
    pub amended_at: DateTimeUtc,
    /// The names of the changed fields, as a JSON array.
    pub changed_fields: String,
    pub rationale: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
