//! Ganbridge: the public service-outsourcing information platform of Jiangxi province.
//!
//! One GraphQL API publishes the province's service-outsourcing companies, the international
//! certifications they hold, the demonstration parks they sit in, and the tenders counterparts
//! post, with the industry's yearly statistics, kept by the writes that change those records.
//!
//! # The map: which layer may import which
//!
//! Data flows one way: [`http`] receives a request and turns its API key into an actor,
//! [`graphql`] resolves it, [`services`] query and write the database through the [`entities`]
//! (every write one transaction with its audit row, its statistics rollups, its tenders'
//! releases, its search outbox rows and its [`events`]),
//! and [`domain`] holds the plain types and their validation. From the bottom up, each layer
//! may import only these:
//!
//! | layer | may import |
//! | --- | --- |
//! | [`domain`], [`config`], [`metrics`] | nothing of the crate |
//! | [`telemetry`] | `config` |
//! | [`error`] | `domain` (never a service, never GraphQL) |
//! | [`entities`] | `domain` |
//! | [`db`] | `config`, `metrics` |
//! | [`events`] | `domain`, `error` |
//! | [`search`] | `config`, `domain`, `error`: the engines know documents, never the database |
//! | [`services`] | `config`, `domain`, `entities`, `error`, `events`, `search` |
//! | [`seed`] | `services` and what they may import: the demo and synthetic datasets are written through them |
//! | [`graphql`] | `services`, `search`, `metrics` and below (the `entities` only to name the columns a selection reads) |
//! | [`ocds`] | `services`, `domain`, `error`: open data, a face beside GraphQL |
//! | [`web`] | `domain`: the explorer's pages, made from GraphQL answers, never from the services |
//! | [`http`] | `graphql`, `ocds`, `web`, `services`, `db`, `metrics` and below |
//! | [`check`] | `config`, `db`, `search` |
//! | [`app`] | everything: it assembles the whole from [`config`] |
//!
//! [`ocds`] is a second face beside [`graphql`]: the open data, written from the tenders'
//! releases that [`services::release`] keeps with every write. [`web`] is a third, for people:
//! [`http`] runs each page's GraphQL document in-process as an anonymous caller and [`web`]
//! renders the answer, so a page shows what the public API shows and nothing more.
//!
//! Search is below the services: [`services::search`] builds the documents from the services'
//! reads, the write path ([`services::write`]) enqueues them in the same transaction
//! ([`services::outbox`]), and [`services::sync`] hands them to the [`search::SearchEngine`];
//! nothing in [`search`] reads the database. Within a layer, modules do not import each other
//! in a circle, except the GraphQL object types, which reference each other as the API's graph
//! does. `tests/api/layers.rs` holds the code to this map (`cargo test --test api layers`).
//! [`db`] opens the database and applies the migrations of the `migration` crate. Errors follow
//! the one policy of [`error`]; its GraphQL side is [`graphql::error`].

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
pub mod ocds;
pub mod search;
pub mod seed;
pub mod services;
pub mod telemetry;
pub mod web;
