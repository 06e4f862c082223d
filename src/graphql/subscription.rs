//! Subscriptions over `graphql-transport-ws` at `/graphql/ws`: tenders as they are published,
//! and, for a buyer, bids as they arrive. Events come from the [`EventBus`], fed by every
//! server process on PostgreSQL, so a subscriber hears of a write made through any of them.
//!
//! [`EventBus`]: crate::events::EventBus

use async_graphql::futures_util::{Stream, StreamExt};
use async_graphql::{Context, ID, InputObject, Result, Subscription as SubscriptionObject};
use tokio_stream::wrappers::BroadcastStream;

use super::bid::Bid;
use super::ids::{self, Kind};
use super::tender::Tender;
use super::{ApiState, actor, state, today};
use crate::domain::{DistrictCode, Role, ServiceLine};
use crate::error::AppError;
use crate::events::Event;
use crate::services::{access, bid as bids, tender as tenders};

/// Which published tenders to hear of; every field given must hold.
#[derive(InputObject, Default, Clone)]
pub struct TenderPublishedFilter {
    /// Tenders asking for at least one of these lines.
    service_lines: Option<Vec<ServiceLine>>,
    /// Tenders that at least one company of these districts qualifies for on its own.
    districts: Option<Vec<DistrictCode>>,
}

pub struct Subscription;

async fn published(
    api: &ApiState,
    tender_id: i64,
    lines: &Option<Vec<ServiceLine>>,
    districts: &Option<Vec<i64>>,
) -> Result<Option<Tender>, AppError> {
    let Some(tender) = tenders::by_id(&api.db, tender_id).await? else {
        return Ok(None);
    };
    if let Some(wanted) = lines {
        let asked = tenders::service_lines(&api.db, &[tender_id])
            .await?
            .remove(&tender_id)
            .unwrap_or_default();
        if !asked.iter().any(|l| wanted.contains(l)) {
            return Ok(None);
        }
    }
    if let Some(districts) = districts
        && !bids::eligible_in_districts(&api.db, &tender, districts, today()).await?
    {
        return Ok(None);
    }
    Ok(Some(Tender::new(tender)))
}

/// Events as they happen, over the websocket at `/graphql/ws` (`graphql-transport-ws`, or the
/// older `graphql-ws`).
#[SubscriptionObject]
impl Subscription {
    /// Tenders as they are published (`publishTender`), to anyone.
    async fn tender_published(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the tenders that meet every condition given (default: all).")]
        filter: Option<TenderPublishedFilter>,
    ) -> Result<impl Stream<Item = Tender>> {
        let api = state(ctx).clone();
        let filter = filter.unwrap_or_default();
        let districts: Option<Vec<i64>> = filter.districts.map(|codes| {
            codes
                .into_iter()
                .filter_map(|code| api.reference.district_by_code(code).map(|d| d.id))
                .collect()
        });
        let lines = filter.service_lines;
        let events = BroadcastStream::new(api.events.subscribe());
        Ok(events.filter_map(move |event| {
            let api = api.clone();
            let lines = lines.clone();
            let districts = districts.clone();
            async move {
                let Ok(Event::TenderPublished { tender_id }) = event else {
                    return None;
                };
                match published(&api, tender_id, &lines, &districts).await {
                    Ok(found) => found,
                    Err(error) => {
                        // The subscriber misses this one event; the stream goes on.
                        tracing::error!(?error, tender_id, "tenderPublished: reading the tender");
                        None
                    }
                }
            }
        }))
    }

    /// Bids as they arrive on one of the caller's tenders (a counterpart key, the tender's
    /// buyer).
    async fn bid_received(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID of a tender the caller posted.")] tender_id: ID,
    ) -> Result<impl Stream<Item = Bid>> {
        let actor = actor(ctx);
        let buyer = match actor.role() {
            None => return Err(AppError::Unauthenticated.into()),
            Some(Role::Counterpart) => actor.counterpart(),
            Some(_) => None,
        }
        .ok_or_else(|| AppError::Forbidden("only a counterpart key may follow its bids".into()))?;
        let id = ids::decode(&tender_id, Kind::Tender, "tenderId")?;
        let api = state(ctx).clone();
        let tender = tenders::by_id(&api.db, id)
            .await?
            .ok_or_else(|| AppError::not_found_id("tender", tender_id.as_str()))?;
        if tender.counterpart_id != buyer {
            return Err(AppError::Forbidden(
                "a tender's bids are confidential: only its buyer follows them".into(),
            )
            .into());
        }
        let key = actor.key_id();
        let events = BroadcastStream::new(api.events.subscribe());
        Ok(events.filter_map(move |event| {
            let api = api.clone();
            async move {
                let Ok(Event::BidReceived { tender_id, bid_id }) = event else {
                    return None;
                };
                if tender_id != id {
                    return None;
                }
                // A key revoked since the subscription began hears no more.
                if let Some(key) = key
                    && !matches!(access::is_active(&api.db, key).await, Ok(true))
                {
                    return None;
                }
                match bids::by_id(&api.db, bid_id).await {
                    Ok(found) => found.map(Bid),
                    Err(error) => {
                        tracing::error!(?error, bid_id, "bidReceived: reading the bid");
                        None
                    }
                }
            }
        }))
    }
}
