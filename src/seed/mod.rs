//! The demo dataset: the province's public story, told through records.
//!
//! It carries the districts, the Shanghai FTZ areas, the parks and leading companies named in
//! the public record, and further companies generated deterministically (fixed seed) with
//! fictional names, each described as fictional. The yearly figures are allocated so that the
//! statistics computed from them equal the published figures exactly: 893 companies reporting
//! for 2013 and 1,056 for 2014, 108,098 and 116,000 employees, USD 1,383,113,714 and
//! 1,417,000,000 contracted, 62 and 179 international certificates issued. Nothing of that is
//! stored as a total: change a record and the statistics change with it.
//!
//! Certificates form renewal chains (every three years) up to the dataset's horizon, so that
//! today's holdings are current while the 2013 and 2014 issues match the record. Open tenders
//! are dated relative to the day the dataset is loaded, so that they are open when seen.
//!
//! The dataset is decided in memory first, deterministically, then written in one transaction.
//! `record` holds the public-record tables (the published figures, the parks, the leading
//! companies, the districts' shares), `names` the fictional name tables; `companies`,
//! `certificates`, `tenders` and `alliances` draw the records; `plan` holds what they draw and
//! the exact allocation by which the figures add up to the published ones; `insert` writes the
//! plan; `synthetic` draws datasets at scale for benchmarks.
//!
//! The module sits above the services: it writes through the entities and uses the services'
//! reference data and search outbox; no service imports it.

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::domain::OcidPrefix;
use crate::error::{AppError, AppResult};
use alliances::generate_alliances;
use certificates::generate_certifications;
use companies::generate_companies;
use plan::{Plan, SEED};
use tenders::generate_tenders;

mod alliances;
mod certificates;
mod companies;
mod insert;
mod names;
mod plan;
mod record;
mod synthetic;
mod tenders;

pub use names::BRANDS;
pub use plan::allocate;
pub use record::PUBLISHED;

/// What happened when the dataset was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        companies: usize,
        certifications: usize,
        tenders: usize,
    },
    /// The database already holds companies; nothing was written.
    AlreadyPopulated { companies: u64 },
}

/// Loads the demo dataset into an empty database, in one transaction: all of it or nothing.
/// The search index follows through the outbox, as after any other write.
pub async fn load(
    db: &DatabaseConnection,
    today: NaiveDate,
    ocid_prefix: &OcidPrefix,
) -> AppResult<DemoOutcome> {
    insert::write(db, plan::Plan::generate(today), true, ocid_prefix).await
}

/// Loads a synthetic dataset of `companies` companies (deterministic for a given size) into an
/// empty database, in one transaction, for benchmarks at scale; see [`synthetic`]. Nothing is
/// queued for the search index: rebuild it afterwards (`ganbridge seed synthetic` does).
pub async fn load_synthetic(
    db: &DatabaseConnection,
    today: NaiveDate,
    companies: usize,
    ocid_prefix: &OcidPrefix,
) -> AppResult<DemoOutcome> {
    if !(1..synthetic::MAX_COMPANIES).contains(&companies) {
        return Err(AppError::bad_input(format!(
            "a synthetic dataset holds 1 to {} companies",
            synthetic::MAX_COMPANIES - 1
        )));
    }
    insert::write(db, synthetic::plan(companies, today), false, ocid_prefix).await
}

/// The whole demo, drawn from one fixed seed: every generator in turn, each from the plans
/// before it.
impl plan::Plan {
    fn generate(today: NaiveDate) -> Plan {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let companies = generate_companies(&mut rng);
        let certifications = generate_certifications(&mut rng, &companies, today);
        let tenders = generate_tenders(&mut rng, today, 36);
        let alliances = generate_alliances(&companies);
        Plan {
            companies,
            certifications,
            tenders,
            alliances,
        }
    }
}
