//! The `Node` interface and `node(id)`: any object by its global ID.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::alliance::Alliance;
use super::certification::Certification;
use super::company::Company;
use super::counterpart::Counterpart;
use super::ids::{self, Kind};
use super::park::Park;
use super::reference::{District, FreeTradeZoneArea};
use super::state;
use super::tender::Tender;
use crate::error::AppError;
use crate::services;

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    Company(Company),
    Park(Park),
    Certification(Certification),
    Counterpart(Counterpart),
    Tender(Tender),
    Alliance(Alliance),
    District(District),
    FreeTradeZoneArea(FreeTradeZoneArea),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID.
    #[graphql(cache_control(max_age = 60))]
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A global ID as an object's `id` gives it; bids, API keys, audit events and\n\
                    amendments are read through their own fields instead."
        )]
        id: ID,
    ) -> Result<Node> {
        let (kind, number) = ids::decode_any(&id, "id")?;
        let api = state(ctx);
        let db = &api.db;
        let actor = super::actor(ctx);
        let node = match kind {
            Kind::Company => services::company::by_id(db, number)
                .await?
                .map(|m| Node::Company(Company::new(m))),
            Kind::Park => services::park::by_ids(db, &[number])
                .await?
                .remove(&number)
                .map(|m| Node::Park(Park(m))),
            Kind::Certification => services::certification::by_id(
                db,
                number,
                services::certification::Visibility::for_actor(&actor),
            )
            .await?
            .map(|m| Node::Certification(Certification(m))),
            Kind::Counterpart => services::counterpart::by_ids(db, &[number])
                .await?
                .remove(&number)
                .map(|m| Node::Counterpart(Counterpart(m))),
            Kind::Tender => services::tender::by_id(db, number)
                .await?
                .map(|m| Node::Tender(Tender::new(m))),
            Kind::Alliance => services::alliance::by_ids(db, &[number])
                .await?
                .remove(&number)
                .map(|m| Node::Alliance(Alliance(m))),
            Kind::District => api
                .reference
                .district(number)
                .cloned()
                .map(|m| Node::District(District(m))),
            Kind::FreeTradeZoneArea => api
                .reference
                .ftz_area(number)
                .cloned()
                .map(|m| Node::FreeTradeZoneArea(FreeTradeZoneArea(m))),
            // Bids are read through their tender, which checks who may; keys and the audit
            // log through their own admin queries.
            Kind::Bid
            | Kind::ApiKey
            | Kind::AuditEvent
            | Kind::TenderAmendment
            | Kind::StatisticsTarget => None,
        };
        node.ok_or_else(|| AppError::not_found_id("object", id.as_str()).into())
    }
}
