//! API keys: created with a role (and the company or counterpart it is bound to), shown once,
//! stored only as a SHA-256 hash, revocable. A request's key becomes its [`Actor`].

use chrono::Utc;
use rand::RngCore;
use sea_orm::sea_query::Order;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use sha2::{Digest, Sha256};

use super::page::{Page, PageRequest};
use super::write::Writer;
use crate::domain::global_id::Kind;
use crate::domain::{Actor, Role};
use crate::entities::{api_key, audit_event, audit_event_object, company, counterpart};
use crate::error::{AppError, AppResult};

pub const ORDER_TAG: &str = "api_key.id";
pub const AUDIT_ORDER_TAG: &str = "audit_event.id";

/// Every key starts so, which lets secret scanners and people recognise one.
const KEY_PREFIX: &str = "gbk_";

/// A new key: its record, and the key itself, which exists nowhere else.
pub struct CreatedKey {
    pub record: api_key::Model,
    pub secret: String,
}

fn hash(secret: &str) -> String {
    crate::domain::hex(&Sha256::digest(secret.as_bytes()))
}

fn generate() -> String {
    // 160 bits from the operating system's CSPRNG (through rand's thread generator, which is
    // seeded from it and reseeds itself).
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", crate::domain::hex(&bytes))
}

/// What a new key is for.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub role: Role,
    pub company_id: Option<i64>,
    pub counterpart_id: Option<i64>,
}

pub async fn create(w: &Writer<'_>, new: NewKey) -> AppResult<CreatedKey> {
    w.require_admin()?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::bad_field(
            "name",
            "a key's name must have 1 to 200 characters",
        ));
    }
    let tx = w.begin().await?;
    match new.role {
        Role::Company => {
            let id = new.company_id.ok_or_else(|| {
                AppError::bad_field("companyId", "a company key must name its company")
            })?;
            if company::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .is_none()
            {
                return Err(AppError::not_found(Kind::Company, id));
            }
        }
        Role::Counterpart => {
            let id = new.counterpart_id.ok_or_else(|| {
                AppError::bad_field(
                    "counterpartId",
                    "a counterpart key must name its counterpart",
                )
            })?;
            if counterpart::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .is_none()
            {
                return Err(AppError::not_found(Kind::Counterpart, id));
            }
        }
        Role::Admin | Role::Partner => {}
    }
    if new.role != Role::Company && new.company_id.is_some() {
        return Err(AppError::bad_field(
            "companyId",
            "only a company key names a company",
        ));
    }
    if new.role != Role::Counterpart && new.counterpart_id.is_some() {
        return Err(AppError::bad_field(
            "counterpartId",
            "only a counterpart key names a counterpart",
        ));
    }
    let secret = generate();
    let record = api_key::ActiveModel {
        name: Set(name.to_owned()),
        role: Set(new.role),
        company_id: Set(new.company_id),
        counterpart_id: Set(new.counterpart_id),
        secret_hash: Set(hash(&secret)),
        prefix: Set(secret.chars().take(10).collect()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&tx.txn)
    .await?;
    tx.audit("createApiKey", &[(Kind::ApiKey, record.id)])
        .await?;
    tx.commit().await?;
    Ok(CreatedKey { record, secret })
}

pub async fn revoke(w: &Writer<'_>, id: i64) -> AppResult<api_key::Model> {
    w.require_admin()?;
    let tx = w.begin().await?;
    let key = api_key::Entity::find_by_id(id)
        .one(&tx.txn)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::ApiKey, id))?;
    if key.revoked_at.is_some() {
        return Err(AppError::Conflict("the key is already revoked".into()));
    }
    let mut active: api_key::ActiveModel = key.into();
    active.revoked_at = Set(Some(Utc::now()));
    let key = active.update(&tx.txn).await?;
    tx.audit("revokeApiKey", &[(Kind::ApiKey, id)]).await?;
    tx.commit().await?;
    Ok(key)
}

/// The actor a presented key stands for. Unknown and revoked keys are alike to the caller.
pub async fn authenticate(db: &DatabaseConnection, secret: &str) -> AppResult<Actor> {
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 100 {
        return Err(AppError::Unauthenticated);
    }
    let key = api_key::Entity::find()
        .filter(api_key::Column::SecretHash.eq(hash(secret)))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(Actor::Key {
        key_id: Some(key.id),
        role: key.role,
        company_id: key.company_id,
        counterpart_id: key.counterpart_id,
    })
}

/// Whether the key exists and is not revoked.
pub async fn is_active(db: &DatabaseConnection, id: i64) -> AppResult<bool> {
    Ok(api_key::Entity::find_by_id(id)
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

pub async fn list(db: &DatabaseConnection, page: &PageRequest) -> AppResult<Page<api_key::Model>> {
    super::page::by_id(
        db,
        api_key::Entity::find(),
        api_key::Column::Id,
        Order::Asc,
        ORDER_TAG,
        page,
        |k| k.id,
    )
    .await
}

pub async fn all(db: &DatabaseConnection) -> AppResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await?)
}

pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(api_key::Entity::find().count(db).await?)
}

/// Narrows the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub key_id: Option<i64>,
    /// Changes that touched this object (a global ID, as encoded by `global_id::encode`).
    pub object_id: Option<String>,
}

fn audit_select(filter: &AuditFilter) -> sea_orm::Select<audit_event::Entity> {
    let mut select = audit_event::Entity::find();
    if let Some(action) = &filter.action {
        select = select.filter(audit_event::Column::Action.eq(action.as_str()));
    }
    if let Some(key) = filter.key_id {
        select = select.filter(audit_event::Column::KeyId.eq(key));
    }
    if let Some(object) = &filter.object_id {
        let touching = audit_event_object::Entity::find()
            .select_only()
            .column(audit_event_object::Column::AuditEventId)
            .filter(audit_event_object::Column::ObjectId.eq(object.as_str()))
            .into_query();
        select = select.filter(audit_event::Column::Id.in_subquery(touching));
    }
    select
}

/// The audit log, newest first.
pub async fn audit_log(
    db: &DatabaseConnection,
    filter: &AuditFilter,
    page: &PageRequest,
) -> AppResult<Page<audit_event::Model>> {
    super::page::by_id(
        db,
        audit_select(filter),
        audit_event::Column::Id,
        Order::Desc,
        AUDIT_ORDER_TAG,
        page,
        |e| e.id,
    )
    .await
}

pub async fn audit_count(db: &DatabaseConnection, filter: &AuditFilter) -> AppResult<u64> {
    Ok(audit_select(filter).count(db).await?)
}
