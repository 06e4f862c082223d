//! What a query may cost, and what a caller may spend.
//!
//! Every query's cost is computed from its text before any resolver runs, GitHub-style: a
//! field costs 1 plus what it selects, and a connection costs its page size times what each
//! node selects. A query over [`Limits::max_cost`] is refused (`BAD_USER_INPUT`, naming its cost
//! and the limit), so a thousand aliased `companies(first: 100)` never reach the database. The
//! cost is then charged to the caller's quota ([`Meter`]); a caller over budget is refused
//! with `RATE_LIMITED`, and every answer says in `extensions.rateLimit` what is left.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{Context, Object, ServerError, SimpleObject, ValidationResult};
use chrono::{DateTime, TimeZone, Utc};

use super::error::request_error;
use crate::error::AppError;
use crate::services::quota::QuotaStore;

/// The cost of a connection field: its page size (default 20, at most 100, at least 1) times
/// what each node selects, plus the field itself.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .unwrap_or(super::ids::DEFAULT_PAGE)
        .clamp(1, super::ids::MAX_PAGE) as usize;
    size.saturating_mul(child_complexity).saturating_add(1)
}

/// What one request may spend, and, once charged, what it did spend.
pub struct Meter {
    quota: Arc<QuotaStore>,
    /// `key:<id>` or `ip:<address>`.
    subject: String,
    budget: i64,
    window_secs: i64,
    outcome: Mutex<Option<RateLimit>>,
}

/// A caller's quota after a request.
#[derive(Debug, Clone, Copy, SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Points per window.
    pub limit: i64,
    /// What this request cost.
    pub cost: i64,
    /// Points left in this window.
    pub remaining: i64,
    /// When the window ends and the budget is whole again.
    pub reset_at: DateTime<Utc>,
    /// Whether the request was refused for want of points.
    #[graphql(skip)]
    #[serde(skip)]
    pub exceeded: bool,
}

impl Meter {
    pub fn new(quota: Arc<QuotaStore>, subject: String, budget: i64, window_secs: i64) -> Self {
        Meter {
            quota,
            subject,
            budget,
            window_secs,
            outcome: Mutex::new(None),
        }
    }

    /// Charges `cost` points, or refuses with `RATE_LIMITED`.
    pub async fn charge(&self, cost: usize) -> Result<RateLimit, AppError> {
        let cost = i64::try_from(cost).unwrap_or(i64::MAX);
        let now = Utc::now().timestamp();
        let charge = self
            .quota
            .charge(&self.subject, self.budget, cost, self.window_secs, now)
            .await?;
        let reset_at = Utc
            .timestamp_opt(charge.window_start + self.window_secs, 0)
            .single()
            .unwrap_or_else(Utc::now);
        let outcome = RateLimit {
            limit: self.budget,
            cost,
            remaining: (self.budget - charge.used).max(0),
            reset_at,
            exceeded: !charge.allowed,
        };
        if let Ok(mut slot) = self.outcome.lock() {
            *slot = Some(outcome);
        }
        if charge.allowed {
            Ok(outcome)
        } else {
            Err(AppError::RateLimited {
                cost,
                remaining: outcome.remaining,
                retry_after_secs: (reset_at - Utc::now()).num_seconds().max(1),
            })
        }
    }

    /// What the request spent, once it was charged.
    pub fn outcome(&self) -> Option<RateLimit> {
        self.outcome.lock().ok().and_then(|o| *o)
    }
}

/// Refuses queries over the cost limit and charges the rest to the caller's [`Meter`].
pub struct Limits {
    pub max_cost: usize,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension {
            max_cost: self.max_cost,
        })
    }
}

struct LimitsExtension {
    max_cost: usize,
}

fn refusal(error: AppError) -> Vec<ServerError> {
    vec![request_error(error)]
}

/// Marks a request that arrived by GET: it may read, never write.
pub struct ReadOnly;

/// The operation a request asked for by name, when it did.
pub struct RequestedOperation(pub Option<String>);

/// The first variable the chosen operation requires (non-null, no default) that the request
/// did not give. The executor would notice only when a resolver reads it, as a resolver error.
fn missing_variable(
    document: &async_graphql::parser::types::ExecutableDocument,
    requested: Option<&str>,
    variables: &async_graphql::Variables,
) -> Option<(String, String)> {
    let operation = super::documents::chosen(document, requested)?;
    operation
        .node
        .variable_definitions
        .iter()
        .find(|def| {
            !def.node.var_type.node.nullable
                && def.node.default_value.is_none()
                && matches!(
                    variables.get(&def.node.name.node),
                    None | Some(async_graphql::Value::Null)
                )
        })
        .map(|def| {
            (
                def.node.name.node.to_string(),
                def.node.var_type.node.to_string(),
            )
        })
}

/// Where the parser leaves the name of a document's single operation, for metrics.
#[derive(Default)]
pub struct OperationName(pub Mutex<Option<String>>);

#[async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<async_graphql::parser::types::ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(slot) = ctx.data_opt::<Arc<OperationName>>() {
            let mut operations = document.operations.iter();
            if let (Some((Some(name), _)), None) = (operations.next(), operations.next())
                && let Ok(mut slot) = slot.0.lock()
            {
                *slot = Some(name.to_string());
            }
        }
        let requested = ctx
            .data_opt::<RequestedOperation>()
            .and_then(|r| r.0.as_deref());
        if let Some((name, ty)) = missing_variable(&document, requested, variables) {
            let error: async_graphql::Error = AppError::bad_field(
                format!("${name}"),
                format!("the variable ${name} ({ty}) is required and was not given"),
            )
            .into();
            let mut error = error.into_server_error(async_graphql::Pos::default());
            error.locations.clear();
            return Err(error);
        }
        let writes = document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty != async_graphql::parser::types::OperationType::Query);
        if writes && let Some(loaders) = ctx.data_opt::<super::loaders::Loaders>() {
            // A field read after a write must see it, not what the request read before.
            loaders.enable_all_cache(false);
        }
        if ctx.data_opt::<ReadOnly>().is_some()
            && document
                .operations
                .iter()
                .any(|(_, op)| op.node.ty != async_graphql::parser::types::OperationType::Query)
        {
            let error: async_graphql::Error = AppError::bad_input(
                "only queries are accepted over GET; send mutations and subscriptions otherwise",
            )
            .into();
            let mut error = error.into_server_error(async_graphql::Pos::default());
            error.locations.clear();
            if let Some(extensions) = error.extensions.as_mut() {
                extensions.set("method", "GET");
            }
            return Err(error);
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.complexity > self.max_cost {
            return Err(refusal(AppError::TooCostly {
                cost: result.complexity,
                limit: self.max_cost,
            }));
        }
        if let Some(meter) = ctx.data_opt::<Arc<Meter>>() {
            meter.charge(result.complexity).await.map_err(refusal)?;
        }
        Ok(result)
    }
}

#[derive(Default)]
pub struct RateLimitQuery;

#[Object]
impl RateLimitQuery {
    /// The caller's quota: points per window, what this query cost, what is left, and when the
    /// window resets. Absent where no quota applies.
    #[graphql(cache_control(no_cache))]
    async fn rate_limit(&self, ctx: &Context<'_>) -> Option<RateLimit> {
        ctx.data_opt::<Arc<Meter>>().and_then(|m| m.outcome())
    }
}
