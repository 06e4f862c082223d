//! The GraphQL API: one module per domain, merged into the root `Query`, `Mutation` and
//! `Subscription`. Who may do what is decided by the services from the request's [`Actor`];
//! resolvers pass it on.
//!
//! Resolvers validate arguments (IDs, cursors, page sizes), call a service, and wrap what comes
//! back; nested fields go through the request's DataLoaders. The schema builds without a
//! database, so exporting the SDL costs nothing.

pub mod access;
pub mod alliance;
pub mod bid;
pub mod certification;
pub mod company;
pub mod company_changes;
pub mod counterpart;
pub mod documents;
pub mod error;
pub mod figures;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod money;
pub mod node;
pub mod order;
pub mod park;
pub mod reference;
pub mod scalars;
pub mod search;
pub mod statistics;
pub mod subscription;
pub mod tender;

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, MergedObject, OutputType, Schema, SimpleObject};
use sea_orm::DatabaseConnection;

use crate::domain::Actor;
use crate::error::AppError;
use crate::events::EventBus;
use crate::search::SearchEngine;
use crate::services::idempotency::IdempotencyClaim;
use crate::services::page::Page;
use crate::services::quota::QuotaStore;
use crate::services::reference::Reference;
use crate::services::sync::SyncHealth;
use crate::services::write::Writer;
use tokio::sync::Notify;

/// What every resolver may reach: the database, the reference data, the search engine.
#[derive(Clone)]
pub struct ApiState {
    pub db: DatabaseConnection,
    pub reference: Arc<Reference>,
    pub search: Arc<dyn SearchEngine>,
    /// Wakes the search sync worker after a write commits.
    pub search_wake: Arc<Notify>,
    pub sync_health: Arc<SyncHealth>,
    /// Oldest acceptable unapplied search change, for readiness.
    pub outbox_lag_threshold: std::time::Duration,
    /// Where committed writes announce what subscriptions deliver.
    pub events: EventBus,
    /// Callers' quotas.
    pub quota: Arc<QuotaStore>,
    pub metrics: crate::metrics::Metrics,
    /// Turns true when the server begins to shut down: websocket connections then close.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// True from the shutdown signal on: the server still answers, but `/readyz` and
    /// `/readyz/traffic` say it is draining and every answer closes its connection.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    pub limits: RequestLimits,
    /// Parsed queries, by their text.
    pub documents: Arc<documents::Documents>,
    /// Where the public reaches this deployment, without a trailing `/`.
    pub public_url: Arc<str>,
    /// The prefix of the ocids given to new tenders.
    pub ocid_prefix: Arc<crate::domain::OcidPrefix>,
}

/// What one request may be, and spend.
#[derive(Debug, Clone)]
pub struct RequestLimits {
    pub max_cost: usize,
    pub max_query_bytes: usize,
    pub max_body_bytes: usize,
    pub timeout: std::time::Duration,
    pub quota_window_secs: i64,
    pub quota_anonymous: i64,
    pub quota_key: i64,
    pub quota_partner: i64,
    pub trust_forwarded_for: bool,
    pub cors_allowed_origins: String,
    /// How long a mutation's `Idempotency-Key` is kept.
    pub idempotency_retention: std::time::Duration,
}

impl RequestLimits {
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        RequestLimits {
            max_cost: settings.max_query_cost,
            max_query_bytes: settings.max_query_bytes,
            max_body_bytes: settings.max_body_bytes,
            timeout: std::time::Duration::from_secs(settings.request_timeout_secs.max(1)),
            quota_window_secs: i64::try_from(settings.quota_window_secs.max(1)).unwrap_or(i64::MAX),
            quota_anonymous: settings.quota_anonymous,
            quota_key: settings.quota_key,
            quota_partner: settings.quota_partner,
            trust_forwarded_for: settings.trust_forwarded_for,
            cors_allowed_origins: settings.cors_allowed_origins.clone(),
            idempotency_retention: std::time::Duration::from_secs(
                settings.idempotency_retention_secs,
            ),
        }
    }

    /// The budget of a caller per window.
    pub fn budget(&self, actor: &Actor) -> i64 {
        match actor.role() {
            None => self.quota_anonymous,
            Some(crate::domain::Role::Partner) => self.quota_partner,
            Some(_) => self.quota_key,
        }
    }
}

/// Everything that can be read: companies, parks, certifications, tenders and their
/// counterparts, alliances, reference data, statistics and search. Most of it is public; API
/// keys and the audit log are the Department of Commerce's, and bids are read by those they
/// concern only.
#[derive(MergedObject, Default)]
pub struct Query(
    company::CompanyQuery,
    park::ParkQuery,
    certification::CertificationQuery,
    tender::TenderQuery,
    counterpart::CounterpartQuery,
    alliance::AllianceQuery,
    reference::ReferenceQuery,
    statistics::StatisticsQuery,
    node::NodeQuery,
    search::SearchQuery,
    access::AccessQuery,
    limits::RateLimitQuery,
);

/// Every change, each made by the role it belongs to (the caller's API key): the Department of
/// Commerce keeps companies' registrations and figures, parks, counterparts, API keys and the
/// verification of certificates; a company its profile, certificates, bids and alliances; a
/// counterpart its profile and tenders.
#[derive(MergedObject, Default)]
pub struct Mutation(
    access::AccessMutation,
    company_changes::CompanyMutation,
    park::ParkMutation,
    certification::CertificationMutation,
    tender::TenderMutation,
    counterpart::CounterpartMutation,
    bid::BidMutation,
    alliance::AllianceMutation,
    statistics::StatisticsMutation,
);

pub type AppSchema = Schema<Query, Mutation, subscription::Subscription>;

/// The deepest nesting a query may have: the depth of the standard introspection query of
/// graphql-js 16 (its type references nest `ofType` nine times), which GraphiQL and other
/// tools send to read the schema. What a data query may read is bounded by its cost.
pub const MAX_DEPTH: usize = 15;

/// The schema, without its data: enough to print the SDL.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, subscription::Subscription>
{
    describe_generated_types(
        Schema::build(
            Query::default(),
            Mutation::default(),
            subscription::Subscription,
        )
        .limit_depth(MAX_DEPTH),
    )
}

/// Descriptions of the types async-graphql defines for us (the connections of [`List`], and
/// the scalars of `chrono` and `rust_decimal`), which no doc comment of ours reaches.
fn describe_generated_types(
    builder: async_graphql::SchemaBuilder<Query, Mutation, subscription::Subscription>,
) -> async_graphql::SchemaBuilder<Query, Mutation, subscription::Subscription> {
    builder
        .override_output_type_description::<List<alliance::Alliance>>(
            "A page of alliances, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<List<access::ApiKey>>(
            "A page of API keys, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<List<access::AuditEvent>>(
            "A page of the audit log, with the cursors to turn pages and the count of all its\n\
             changes.",
        )
        .override_output_type_description::<List<bid::Bid>>(
            "A page of bids, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<List<certification::Certification>>(
            "A page of certificates, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<List<company::Company>>(
            "A page of companies, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<List<counterpart::Counterpart>>(
            "A page of counterparts, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<List<park::Park>>(
            "A page of parks, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<List<tender::Tender>>(
            "A page of tenders, with the cursors to turn pages and the count of all of them.",
        )
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(
            "An instant, as an RFC 3339 string with its offset (`2025-06-30T18:00:00+08:00`);\n\
             answers give it in UTC (`2025-06-30T10:00:00+00:00`).",
        )
        .override_output_type_description::<rust_decimal::Decimal>(
            "An exact decimal number, as a string (`\"1250000.50\"`); answers are always\n\
             strings, and arguments may also be JSON numbers.",
        )
}

pub fn schema(state: ApiState) -> AppSchema {
    // Persisted queries are settled before the schema, by `documents::Prepared`: each
    // extension here costs every field of every query (see `documents`).
    schema_builder()
        .extension(limits::Limits {
            max_cost: state.limits.max_cost,
        })
        .data(state)
        .finish()
}

/// The SDL of the public API, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> &'a ApiState {
    ctx.data_unchecked::<ApiState>()
}

/// Who is asking: every transport puts the caller's [`Actor`] in the request data; without
/// one the caller is anonymous.
pub(crate) fn actor(ctx: &Context<'_>) -> Actor {
    ctx.data_opt::<Actor>().copied().unwrap_or_default()
}

/// The writer for a mutation: the caller, the database, where a commit's effects go, and the
/// request's claim on its `Idempotency-Key` (the HTTP endpoint puts it in the request data).
pub(crate) fn writer<'a>(ctx: &Context<'a>) -> Writer<'a> {
    let api = state(ctx);
    Writer {
        db: &api.db,
        actor: actor(ctx),
        events: &api.events,
        search_wake: &api.search_wake,
        claim: ctx.data_opt::<IdempotencyClaim>(),
        ocid_prefix: &api.ocid_prefix,
    }
}

/// The request's DataLoaders; every transport (HTTP, websocket) puts them in the request data.
pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a loaders::Loaders, AppError> {
    ctx.data::<loaders::Loaders>()
        .map_err(|_| AppError::internal(anyhow::anyhow!("the request carries no DataLoaders")))
}

pub(crate) use crate::domain::today;

/// Decodes a filter's ID of `kind` and checks, through the request's loaders, that it names
/// an object: a well-formed ID of nothing is `NOT_FOUND`, not an empty list.
pub(crate) async fn existing<K>(
    ctx: &Context<'_>,
    id: &async_graphql::ID,
    kind: ids::Kind,
    field: &str,
    key: impl FnOnce(i64) -> K,
) -> Result<i64, AppError>
where
    K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
    loaders::Db: async_graphql::dataloader::Loader<K, Error = AppError>,
{
    let number = ids::decode(id, kind, field)?;
    if loaders(ctx)?.load_one(key(number)).await?.is_none() {
        return Err(AppError::not_found(kind, number));
    }
    Ok(number)
}

/// The id of a district by its code. Every code has a row (reference data written at start),
/// so a missing one is ours to fix.
pub(crate) fn district_id(
    ctx: &Context<'_>,
    code: crate::domain::DistrictCode,
) -> Result<i64, AppError> {
    state(ctx)
        .reference
        .district_by_code(code)
        .map(|d| d.id)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("district {code:?} missing")))
}

/// An optional input field that `null` clears: `None` leaves it, `Some(None)` clears it.
pub(crate) fn maybe<T>(value: async_graphql::MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// Extra fields of every connection.
#[derive(SimpleObject)]
pub struct ListTotals {
    /// How many objects the whole list holds, all pages together.
    pub total_count: i64,
}

pub type List<N> = Connection<ids::Cursor, N, ListTotals, EmptyFields>;

/// The nodes a list field selects, wherever the query asks for them: under `nodes` and under
/// `edges { node }`, through fragments, and as often as it names them.
pub(crate) fn selected_nodes<'a>(ctx: &'a Context<'a>) -> Vec<async_graphql::SelectionField<'a>> {
    let fields = ctx.look_ahead();
    let mut nodes = fields.field("nodes").selection_fields();
    nodes.extend(fields.field("edges").field("node").selection_fields());
    nodes
}

/// The fields named `name` selected under any of `nodes` (a field each time a node names it).
pub(crate) fn selected_within<'a>(
    nodes: &[async_graphql::SelectionField<'a>],
    name: &str,
) -> Vec<async_graphql::SelectionField<'a>> {
    nodes
        .iter()
        .flat_map(|n| n.selection_set().filter(|f| f.name() == name))
        .collect()
}

/// The columns of `E` read by the fields selected in `selections`, as `reads` names them for
/// each field of the object type; every column as soon as one field is not named. Fields
/// under `@skip` or `@include` count as selected.
pub(crate) fn projection<'a, E: sea_orm::EntityTrait>(
    selections: impl IntoIterator<Item = async_graphql::SelectionField<'a>>,
    reads: fn(&str) -> Option<&'static [E::Column]>,
) -> crate::services::joined::Projection<E> {
    use crate::services::joined::Projection;
    let mut projection = Projection::of(&[]);
    for selection in selections {
        for field in selection.selection_set() {
            match reads(field.name()) {
                Some(columns) => projection = projection.and(columns),
                None => return Projection::all(),
            }
        }
    }
    projection
}

/// Whether the query asks for `totalCount` (it costs a count over the whole list).
pub(crate) fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// One page of a list as a connection: `found` wrapped node by node, with the whole list's
/// count run only when the query asks for `totalCount`.
pub(crate) async fn connection<T, N: OutputType>(
    ctx: &Context<'_>,
    page: &crate::services::page::PageRequest,
    found: Page<T>,
    count: impl std::future::Future<Output = Result<u64, AppError>>,
    wrap: impl FnMut(T) -> N,
) -> Result<List<N>, AppError> {
    let total = if wants_total(ctx) { count.await? } else { 0 };
    Ok(list(found, page.after.is_some(), total, wrap))
}

pub(crate) fn list<T, N: OutputType>(
    page: Page<T>,
    after_given: bool,
    total: u64,
    mut wrap: impl FnMut(T) -> N,
) -> List<N> {
    let mut list = Connection::with_additional_fields(
        after_given,
        page.has_next_page,
        ListTotals {
            total_count: i64::try_from(total).unwrap_or(i64::MAX),
        },
    );
    list.edges.extend(
        page.items
            .into_iter()
            .map(|(item, position)| Edge::new(ids::Cursor(position), wrap(item))),
    );
    list
}
