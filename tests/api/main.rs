//! Integration tests over real HTTP against a real database (SQLite by default, PostgreSQL when
//! `DATABASE_URL` names one).

mod authorization;
mod browser;
mod cli;
mod companies;
mod faults;
mod helpers;
mod http;
mod idempotency;
mod internals;
mod layers;
mod limits;
mod loaders;
mod nodes;
mod ocds;
mod ocds_http;
mod parks;
mod partners;
mod readiness;
mod relevance;
mod rollups;
mod scenario;
mod schema;
mod search;
mod search_contract;
mod statistics;
mod subscriptions;
mod tenders;
mod web;
mod websocket;
mod world;
