//! The `idempotency_key` table: one row per API key and `Idempotency-Key` value, with the
//! state of the attempt that claimed it and, once built, its answer.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::StringLen;

/// How far the attempt holding a key has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
pub enum State {
    /// Claimed; nothing of the mutation is committed yet.
    #[sea_orm(string_value = "running")]
    Running,
    /// The mutation's write committed; its answer is not stored yet.
    #[sea_orm(string_value = "committed")]
    Committed,
    /// The answer is stored: a retry replays it.
    #[sea_orm(string_value = "done")]
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub api_key_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// SHA-256 (hex) of the request the key was first used for.
    pub fingerprint: String,
    pub state: State,
    /// The attempt holding the claim (a random token).
    pub attempt: String,
    pub created_at: DateTimeUtc,
    /// Until when the attempt holding the claim may still be running.
    pub lease_expires_at: DateTimeUtc,
    pub status: Option<i32>,
    pub content_type: Option<String>,
    pub body: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
