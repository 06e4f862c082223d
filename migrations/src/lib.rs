//! Schema migrations for Ganbridge, written once with sea-orm-migration and applied unchanged to
//! SQLite (the embedded default) and PostgreSQL (production).
//!
//! Conventions the tables follow:
//! - identifiers are 64-bit integers; the public API wraps them in opaque global IDs;
//! - enumerations are stored as short lowercase strings guarded by `CHECK` constraints, so both
//!   engines reject a value the code does not know;
//! - money is stored as integer minor units of its ISO 4217 currency (`*_minor`, or `*_usd_cents`
//!   where the currency is USD by definition): exact on both engines, and exact under `SUM`;
//! - shares are integer basis points (10,000 = 100%).

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_reference_data;
mod m20261126_000002_create_companies;
mod m20261126_000003_create_tenders;
mod m20261126_000004_create_search_outbox;
mod m20261127_000005_create_write_side;
mod m20261127_000006_create_rate_limit;
mod m20261127_000007_company_district_name_index;
mod m20261127_000008_open_tender_closing_index;
mod m20261127_000009_company_service_line_mask;
mod m20261127_000010_company_district_name_lines_index;
mod m20261202_000011_create_idempotency_keys;
mod m20261202_000012_create_statistics_rollups;
mod m20261203_000013_create_tender_releases;

pub use m20261127_000009_company_service_line_mask::SERVICE_LINE_BITS;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_reference_data::Migration),
            Box::new(m20261126_000002_create_companies::Migration),
            Box::new(m20261126_000003_create_tenders::Migration),
            Box::new(m20261126_000004_create_search_outbox::Migration),
            Box::new(m20261127_000005_create_write_side::Migration),
            Box::new(m20261127_000006_create_rate_limit::Migration),
            Box::new(m20261127_000007_company_district_name_index::Migration),
            Box::new(m20261127_000008_open_tender_closing_index::Migration),
            Box::new(m20261127_000009_company_service_line_mask::Migration),
            Box::new(m20261127_000010_company_district_name_lines_index::Migration),
            Box::new(m20261202_000011_create_idempotency_keys::Migration),
            Box::new(m20261202_000012_create_statistics_rollups::Migration),
            Box::new(m20261203_000013_create_tender_releases::Migration),
        ]
    }
}

/// A `CHECK (column IN (...))` constraint for an enumeration stored as a string.
pub(crate) fn one_of<T: IntoIden>(column: T, values: &[&str]) -> SimpleExpr {
    Expr::col(column).is_in(values.iter().copied())
}

pub(crate) const SERVICE_LINES: &[&str] = &[
    "software_development",
    "it_operations",
    "system_integration",
    "software_testing",
    "information_security",
    "data_processing",
    "call_centre",
    "human_resources",
    "finance_and_accounting",
    "supply_chain",
    "research_and_development",
    "engineering_design",
    "data_analytics",
    "animation_and_creative_design",
    "medical_and_pharma_research",
];

pub(crate) const CERTIFICATION_STANDARDS: &[&str] = &[
    "cmmi_dev",
    "cmmi_svc",
    "iso_9001",
    "iso_iec_27001",
    "iso_iec_20000_1",
    "iso_14001",
    "iso_45001",
    "pci_dss",
    "escm_sp",
    "copc",
    "soc_2",
];
