//! The `certification` table.

#[allow(unused_imports)]
use crate::domain::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub standard: CertificationStandard,
    pub maturity_level: Option<i16>,
    pub certificate_number: String,
    pub certification_body: String,
    pub accreditation_body: Option<String>,
    pub scope: String,
    pub issue_date: Date,
    pub expiry_date: Date,
    /// The recorded status; `expired` is never stored (see `CertificationStatus::effective`).
    pub status: CertificationStatus,
    pub verification: VerificationStatus,
    pub verification_source: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<DateTimeUtc>,
    /// Why the Department of Commerce rejected the record.
    pub rejection_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
