//! How a write transaction starts, for every writer: the API's ([`super::write`]) and the
//! statistics rebuild's ([`super::rollup`]).

use sea_orm::{SqliteTransactionMode, TransactionOptions};

/// On SQLite a write transaction starts as one (IMMEDIATE): a deferred one that read first
/// could not upgrade to writing once another connection (the search worker's) had committed
/// meanwhile, and would fail instead of waiting its turn.
pub fn write_options() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    }
}
