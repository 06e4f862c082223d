//! API keys and the audit log in the API: who the caller is (`viewer`), the Department of
//! Commerce's key management, and the record of every change.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::ids::{self, Kind};
use super::{List, actor, connection, state, writer};
use crate::domain::Role;
use crate::entities::{api_key, audit_event};
use crate::error::AppError;
use crate::services::access::{self as keys, AUDIT_ORDER_TAG, AuditFilter, NewKey, ORDER_TAG};

pub struct ApiKey(pub api_key::Model);

/// An API key's record. The key itself is shown once, when it is created, and never stored.
#[Object]
impl ApiKey {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ids::encode(Kind::ApiKey, self.0.id)
    }

    /// What the key is for, as its creator named it.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the key may do.
    async fn role(&self) -> Role {
        self.0.role
    }

    /// The company a `COMPANY` key acts for.
    async fn company_id(&self) -> Option<ID> {
        self.0.company_id.map(|id| ids::encode(Kind::Company, id))
    }

    /// The counterpart a `COUNTERPART` key acts for.
    async fn counterpart_id(&self) -> Option<ID> {
        self.0
            .counterpart_id
            .map(|id| ids::encode(Kind::Counterpart, id))
    }

    /// The key's first characters, to tell keys apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// When the key was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the key was revoked; a revoked key is refused.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A new key and its record. Keep the key: it is not shown again.
#[derive(SimpleObject)]
pub struct CreatedApiKey {
    /// The key's record, as `apiKeys` lists it.
    api_key: ApiKey,
    /// The key, to send as `Authorization: Bearer <key>`.
    secret: String,
}

pub struct AuditEvent(audit_event::Model);

/// One change, as the audit log keeps it.
#[Object]
impl AuditEvent {
    /// Opaque global ID; `node` does not resolve it.
    async fn id(&self) -> ID {
        ids::encode(Kind::AuditEvent, self.0.id)
    }

    /// When the change committed.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The key that made it; absent for changes made on the command line.
    async fn key_id(&self) -> Option<ID> {
        self.0.key_id.map(|id| ids::encode(Kind::ApiKey, id))
    }

    /// The role it acted in.
    async fn role(&self) -> Role {
        self.0.role
    }

    /// The mutation (or command) that made it, e.g. `submitBid`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The global IDs of the objects it changed.
    async fn object_ids(&self) -> Result<Vec<ID>> {
        let ids: Vec<String> =
            serde_json::from_str(&self.0.object_ids).map_err(AppError::internal)?;
        Ok(ids.into_iter().map(ID).collect())
    }
}

/// Narrows the audit log; every field given must hold.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Changes made by this mutation, e.g. `submitBid`.
    action: Option<String>,
    /// Changes made with this key.
    key_id: Option<ID>,
    /// Changes that touched this object.
    object_id: Option<ID>,
}

/// Who the caller is.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The caller's role; absent for an anonymous reader.
    role: Option<Role>,
    /// The caller's key.
    key_id: Option<ID>,
    /// The company a company key acts for.
    company_id: Option<ID>,
    /// The counterpart a counterpart key acts for.
    counterpart_id: Option<ID>,
}

fn require_admin(ctx: &Context<'_>) -> Result<(), AppError> {
    match actor(ctx).role() {
        None => Err(AppError::Unauthenticated),
        Some(Role::Admin) => Ok(()),
        Some(_) => Err(AppError::Forbidden(
            "only the Department of Commerce (an admin key) may read this".into(),
        )),
    }
}

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The caller: anonymous, or the role and binding of its key.
    #[graphql(cache_control(no_cache))]
    async fn viewer(&self, ctx: &Context<'_>) -> Viewer {
        let actor = actor(ctx);
        Viewer {
            role: actor.role(),
            key_id: actor.key_id().map(|id| ids::encode(Kind::ApiKey, id)),
            company_id: actor.company().map(|id| ids::encode(Kind::Company, id)),
            counterpart_id: actor
                .counterpart()
                .map(|id| ids::encode(Kind::Counterpart, id)),
        }
    }

    /// All API keys, oldest first (admin only).
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(no_cache)
    )]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<List<ApiKey>> {
        require_admin(ctx)?;
        let page = ids::page_request(first, after, |p| p.is_by_id(ORDER_TAG))?;
        let db = &state(ctx).db;
        let found = keys::list(db, &page).await?;
        Ok(connection(ctx, &page, found, keys::count(db), ApiKey).await?)
    }

    /// Every change made through the API or the command line, newest first (admin only).
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(no_cache)
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only the changes that meet every condition given (default: all).")]
        filter: Option<AuditLogFilter>,
    ) -> Result<List<AuditEvent>> {
        require_admin(ctx)?;
        let page = ids::page_request(first, after, |p| p.is_by_id(AUDIT_ORDER_TAG))?;
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            action: filter.action,
            key_id: match &filter.key_id {
                Some(id) => Some(ids::decode(id, Kind::ApiKey, "filter.keyId")?),
                None => None,
            },
            object_id: match &filter.object_id {
                Some(id) => {
                    // Canonical form: the log stores IDs as the API issues them.
                    let (kind, number) = ids::decode_any(id, "filter.objectId")?;
                    Some(ids::encode(kind, number).to_string())
                }
                None => None,
            },
        };
        let db = &state(ctx).db;
        let found = keys::audit_log(db, &filter, &page).await?;
        Ok(connection(
            ctx,
            &page,
            found,
            keys::audit_count(db, &filter),
            AuditEvent,
        )
        .await?)
    }
}

/// What a new key is for.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// What the key is for (a partner site's name, a company's integration).
    name: String,
    /// What the key may do; a `COMPANY` key names its company, a `COUNTERPART` key its
    /// counterpart.
    role: Role,
    /// For a `COMPANY` key: the company it acts for.
    company_id: Option<ID>,
    /// For a `COUNTERPART` key: the counterpart it acts for.
    counterpart_id: Option<ID>,
}

#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Creates an API key (admin only). The answer carries the key, shown this once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the key is for and what it may do.")] input: CreateApiKeyInput,
    ) -> Result<CreatedApiKey> {
        let w = writer(ctx);
        w.require_admin()?;
        let new = NewKey {
            name: input.name,
            role: input.role,
            company_id: match &input.company_id {
                Some(id) => Some(ids::decode(id, Kind::Company, "companyId")?),
                None => None,
            },
            counterpart_id: match &input.counterpart_id {
                Some(id) => Some(ids::decode(id, Kind::Counterpart, "counterpartId")?),
                None => None,
            },
        };
        let created = keys::create(&w, new).await?;
        Ok(CreatedApiKey {
            api_key: ApiKey(created.record),
            secret: created.secret,
        })
    }

    /// Revokes an API key (admin only); it is refused from then on.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key's global ID (not the key itself).")] id: ID,
    ) -> Result<ApiKey> {
        let w = writer(ctx);
        w.require_admin()?;
        let number = ids::decode(&id, Kind::ApiKey, "id")?;
        Ok(ApiKey(keys::revoke(&w, number).await?))
    }
}
