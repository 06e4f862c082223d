//! The queries and transactions of each domain, over a sea-orm connection. Services know the
//! database and the domain; they know nothing of GraphQL or HTTP.

pub mod access;
pub mod alliance;
pub mod bid;
pub mod certification;
pub mod company;
pub mod counterpart;
pub mod idempotency;
pub mod input;
pub mod joined;
pub mod lines;
pub mod outbox;
pub mod page;
pub mod park;
pub mod quota;
pub mod reference;
pub mod release;
pub mod rollup;
pub mod rows;
pub mod search;
pub mod statistics;
pub mod sync;
pub mod tender;
pub mod transaction;
pub mod write;
