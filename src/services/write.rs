//! How every change is made: one transaction that also records the change in the audit log,
//! enqueues the search documents it touches, keeps the statistics rollups of the records it
//! changes, writes the releases of the tenders it changes (the public record, see
//! [`super::release`]), and stages the events it causes. Either all of it
//! commits or none of it does; the search worker is woken and the events delivered only after
//! the commit. A mutation sent with an `Idempotency-Key` carries its claim on the key here,
//! and the transaction marks the claim `committed` with the write (see [`super::idempotency`]).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QuerySelect, Select,
    TransactionTrait,
};
use tokio::sync::Notify;

use crate::domain::global_id::{self, Kind};
use crate::domain::{Actor, Role, SearchType};
use crate::entities::{api_key, audit_event, audit_event_object};
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus};
use crate::search::DocKey;

use super::idempotency::{self, IdempotencyClaim};
use super::release::{Change, Pending};
use super::rollup::{Subject, Tracker};

/// Who writes, and where the effects of a write go.
#[derive(Clone, Copy)]
pub struct Writer<'a> {
    pub db: &'a DatabaseConnection,
    pub actor: Actor,
    pub events: &'a EventBus,
    pub search_wake: &'a Notify,
    /// The request's claim on its `Idempotency-Key`, when it sent one with a mutation.
    pub claim: Option<&'a IdempotencyClaim>,
    /// The prefix of the ocids given to new tenders.
    pub ocid_prefix: &'a crate::domain::OcidPrefix,
}

impl<'a> Writer<'a> {
    /// Starts the write. A key is checked again inside the transaction: one revoked since the
    /// request (or the websocket connection) began writes nothing.
    pub async fn begin(&self) -> AppResult<Tx<'a>> {
        let txn = self
            .db
            .begin_with_options(super::transaction::write_options())
            .await?;
        if let Some(key) = self.actor.key_id() {
            let active = api_key::Entity::find_by_id(key)
                .filter(api_key::Column::RevokedAt.is_null())
                .one(&txn)
                .await?;
            if active.is_none() {
                return Err(AppError::Unauthenticated);
            }
        }
        Ok(Tx {
            txn,
            actor: self.actor,
            events: self.events,
            search_wake: self.search_wake,
            claim: self.claim,
            indexed: false,
            staged: Vec::new(),
            rollups: Tracker::default(),
            releases: Pending::default(),
        })
    }

    fn role(&self) -> AppResult<Role> {
        self.actor.role().ok_or(AppError::Unauthenticated)
    }

    /// The caller must be the Department of Commerce.
    pub fn require_admin(&self) -> AppResult<()> {
        match self.role()? {
            Role::Admin => Ok(()),
            _ => Err(AppError::Forbidden(
                "only the Department of Commerce (an admin key) may do this".into(),
            )),
        }
    }

    /// The caller must be a company; answers which.
    pub fn require_company(&self) -> AppResult<i64> {
        self.role()?;
        self.actor
            .company()
            .ok_or_else(|| AppError::Forbidden("only a company key may do this".into()))
    }

    /// The caller must be a counterpart; answers which.
    pub fn require_counterpart(&self) -> AppResult<i64> {
        self.role()?;
        self.actor
            .counterpart()
            .ok_or_else(|| AppError::Forbidden("only a counterpart key may do this".into()))
    }
}

/// One write in progress.
pub struct Tx<'a> {
    pub txn: DatabaseTransaction,
    actor: Actor,
    events: &'a EventBus,
    search_wake: &'a Notify,
    claim: Option<&'a IdempotencyClaim>,
    indexed: bool,
    staged: Vec<Event>,
    rollups: Tracker,
    releases: Pending,
}

impl Tx<'_> {
    /// Locks the rows `select` reads until this transaction ends, on PostgreSQL (`FOR UPDATE`):
    /// two writers racing on one tender take turns. SQLite takes one writer at a time anyway.
    pub fn locked<E: EntityTrait>(&self, select: Select<E>) -> Select<E> {
        if self.txn.get_database_backend() == DbBackend::Postgres {
            select.lock_exclusive()
        } else {
            select
        }
    }

    /// A company or tender this write is about to change in a way the statistics may follow:
    /// locks it until the write ends (on PostgreSQL) and notes what it counts for now; the
    /// commit adds the difference to the statistics rollups. Call it before the change.
    pub async fn track(&mut self, subject: Subject) -> AppResult<()> {
        self.rollups.track(&self.txn, subject).await
    }

    /// A company or tender this write creates, for the statistics rollups.
    pub fn track_new(&mut self, subject: Subject) {
        self.rollups.track_new(subject);
    }

    /// A change to a tender the public record keeps: its release is written at the commit,
    /// from the tender as the write leaves it.
    pub fn release(&mut self, tender_id: i64, change: Change) {
        self.releases.add(tender_id, change);
    }

    /// Marks these objects' search documents for refreshing.
    pub async fn index(&mut self, kind: SearchType, ids: &[i64]) -> AppResult<()> {
        let keys: Vec<DocKey> = ids.iter().map(|&id| DocKey::new(kind, id)).collect();
        super::outbox::enqueue(&self.txn, &keys).await?;
        self.indexed = true;
        Ok(())
    }

    /// Stages an event for delivery at commit.
    pub async fn emit(&mut self, event: Event) -> AppResult<()> {
        self.events.stage(&self.txn, &event).await?;
        self.staged.push(event);
        Ok(())
    }

    /// Records the change in the audit log: who, what, and the changed objects.
    pub async fn audit(&self, action: &str, objects: &[(Kind, i64)]) -> AppResult<()> {
        let role = self.actor.role().ok_or(AppError::Unauthenticated)?;
        let ids: Vec<String> = objects
            .iter()
            .map(|&(kind, id)| global_id::encode(kind, id))
            .collect();
        let event = audit_event::ActiveModel {
            at: Set(Utc::now()),
            key_id: Set(self.actor.key_id()),
            role: Set(role),
            action: Set(action.to_owned()),
            object_ids: Set(serde_json::to_string(&ids).map_err(AppError::internal)?),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        let mut unique = ids;
        unique.sort();
        unique.dedup();
        audit_event_object::Entity::insert_many(unique.into_iter().map(|object_id| {
            audit_event_object::ActiveModel {
                audit_event_id: Set(event.id),
                object_id: Set(object_id),
            }
        }))
        .exec_without_returning(&self.txn)
        .await?;
        Ok(())
    }

    /// Commits the write, and with it the mark of the request's idempotency claim: the key
    /// then says the write is in, whatever becomes of this process. A claim another attempt
    /// took over (this one outran its lease) commits nothing.
    pub async fn commit(mut self) -> AppResult<()> {
        std::mem::take(&mut self.rollups).settle(&self.txn).await?;
        if let Some(claim) = self.claim
            && !idempotency::mark_committed(&self.txn, claim).await?
        {
            self.txn.rollback().await?;
            return Err(AppError::Conflict(
                "another attempt with this Idempotency-Key took it over; this one wrote nothing"
                    .into(),
            ));
        }
        // Last: the releases take the clock's lock, held until the commit just after.
        std::mem::take(&mut self.releases).settle(&self.txn).await?;
        self.txn.commit().await?;
        if self.indexed {
            self.search_wake.notify_one();
        }
        self.events.committed(self.staged);
        Ok(())
    }
}
