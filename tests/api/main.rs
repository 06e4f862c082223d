//! Integration tests over real HTTP against a real database (SQLite by default, PostgreSQL when
//! `DATABASE_URL` names one).

mod cli;
mod companies;
mod helpers;
mod http;
mod loaders;
mod nodes;
mod parks;
mod schema;
mod search;
mod search_contract;
mod statistics;
mod tenders;
mod websocket;
