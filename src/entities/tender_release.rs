//! The `tender_release` table: one immutable release of a tender's information, per change.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_release")]
pub struct Model {
    /// The place of the release in the order of commits, across all tenders.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub tender_id: i64,
    /// The place of the release in its tender's history, from 1.
    pub number: i32,
    /// What changed (`created`, `published`, `amended`, ...).
    pub change: String,
    pub released_at: DateTimeUtc,
    /// The year of `released_at`, in UTC.
    pub year: i32,
    /// The tender after the change, as JSON (`services::release::Snapshot`).
    pub snapshot: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
