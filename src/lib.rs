//! Ganbridge: the public service-outsourcing information platform of Jiangxi province.
//!
//! One GraphQL API publishes the province's service-outsourcing companies, the international
//! certifications they hold, the demonstration parks they sit in, and the tenders counterparts
//! post, with the industry's yearly statistics computed from those records.
//!
//! Data flows one way: [`http`] receives a request and turns its API key into an actor,
//! [`graphql`] resolves it, [`services`] query and write the database through the [`entities`]
//! (every write one transaction with its audit row, its search outbox rows and its [`events`]),
//! and [`domain`] holds the plain types and their validation. [`app`] assembles the whole from [`config`]; [`db`] opens the database and
//! applies the migrations of the `migration` crate. Errors follow the one policy of [`error`].
//! [`seed`] sits above the services: it writes the demo dataset (and synthetic datasets at scale)
//! through the entities, and no service imports it.

pub mod app;
pub mod check;
pub mod config;
pub mod db;
pub mod domain;
pub mod entities;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod search;
pub mod seed;
pub mod services;
pub mod telemetry;
