//! The `company` table.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uscc: String,
    pub name_zh: String,
    pub name_en: String,
    pub district_id: i64,
    pub park_id: Option<i64>,
    pub headcount: i32,
    pub founded_year: i32,
    pub description: String,
    pub description_zh: String,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub leading: bool,
    /// The lines of `company_service_line`, one bit each (see `services::company::line_mask`).
    pub service_line_mask: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
