//! The `api_key` table. The key itself is never stored: only its SHA-256.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub company_id: Option<i64>,
    pub counterpart_id: Option<i64>,
    #[sea_orm(unique)]
    pub secret_hash: String,
    /// The key's first characters, to tell keys apart in lists.
    pub prefix: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
