//! Idempotent mutations: a mutation sent with an `Idempotency-Key` (the IETF httpapi draft
//! "The Idempotency-Key HTTP Header Field", as payment APIs use it) is applied once, however
//! often the client sends it again after a timeout or a lost connection, and every retry gets
//! the first answer back.
//!
//! The record is the `idempotency_key` table, one row per API key and key value, so every
//! server behind a balancer sees the same one, on PostgreSQL and on SQLite alike:
//!
//! 1. **Claim.** The first attempt inserts the row (`INSERT … ON CONFLICT DO NOTHING`) as
//!    `running`, with the request's fingerprint and a lease: the request timeout and a margin,
//!    the longest the attempt can run.
//! 2. **Commit.** The mutation's own write transaction marks the row `committed`
//!    ([`mark_committed`], from [`super::write::Tx::commit`]): the write and the mark commit
//!    together or not at all, so the row says whether the write is in even when the server
//!    dies a moment later.
//! 3. **Answer.** Once the answer is built it is stored in the row (`done`).
//!
//! A retry reads the row. A different fingerprint is refused ([`Refusal::DifferentRequest`]);
//! `done` is replayed; `running` or `committed` within the lease means the first attempt is
//! still at work, and the retry polls until it is done, up to a deadline
//! ([`Refusal::InProgress`]). Past the lease, the first attempt is dead: `running` means it
//! died before its write committed, and the retry takes the claim over (a new attempt token,
//! so the old attempt, were it somehow alive, could no longer mark it) and runs the mutation;
//! `committed` means the write is in and its answer was lost with the server, and the mutation
//! is never run again ([`Refusal::AnswerLost`]).
//!
//! Rows are kept for the retention (a day by default) from their creation; expired ones are
//! deleted a batch at a time as keys are claimed.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};

use crate::entities::idempotency_key::{self, Column, Entity, State};
use crate::error::{AppError, AppResult, code};

/// What the lease adds to the request timeout: time to store the answer, and room for the
/// servers' clocks to differ a little.
pub const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// How often a retry looks again at a key whose first attempt is still running.
const POLL: Duration = Duration::from_millis(100);
/// How many expired rows one claim deletes at most.
const CLEANUP_BATCH: u64 = 100;
/// The header, as errors name it.
const HEADER: &str = "Idempotency-Key";

/// A valid `Idempotency-Key` value: 1 to 255 visible ASCII characters (`!` to `~`). A value
/// sent in the draft's quoted form is taken whole, quotes included: the same value sent again
/// is the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(value: &[u8]) -> AppResult<Self> {
        let valid = (1..=255).contains(&value.len()) && value.iter().all(|b| b.is_ascii_graphic());
        match std::str::from_utf8(value) {
            Ok(text) if valid => Ok(IdempotencyKey(text.to_owned())),
            _ => Err(malformed()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The refusal of a header that is not one valid key (a malformed value, or several).
pub fn malformed() -> AppError {
    AppError::bad_field(
        HEADER,
        format!("the {HEADER} header must be one value of 1 to 255 visible ASCII characters"),
    )
}

/// The claim an attempt holds on a key, carried through the request to its write
/// transaction (see [`mark_committed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    api_key_id: i64,
    key: String,
    /// This attempt's token: a takeover replaces it, and what this attempt then does to the
    /// row finds nothing to change.
    attempt: String,
}

impl IdempotencyClaim {
    pub fn api_key_id(&self) -> i64 {
        self.api_key_id
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// An answer as the client got it, to be replayed byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// What a claim found.
#[derive(Debug)]
pub enum Claimed {
    /// The key is this attempt's: run the mutation.
    Run(IdempotencyClaim),
    /// The first attempt's answer, to send again.
    Replay(Answer),
    Refused(Refusal),
}

/// Why a retry is neither run nor answered with the first answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The key was first used for another request.
    DifferentRequest,
    /// The first attempt is still running after the retry waited as long as it may.
    InProgress,
    /// The first attempt's write committed and its answer was lost: the mutation is applied,
    /// and will not be applied again.
    AnswerLost,
}

impl Refusal {
    pub fn error(self) -> AppError {
        match self {
            Refusal::DifferentRequest => AppError::Conflict(format!(
                "this {HEADER} was already used for a different request; send a new key with a new request"
            )),
            Refusal::InProgress => AppError::Conflict(format!(
                "the first request with this {HEADER} is still being processed; retry later"
            )),
            Refusal::AnswerLost => AppError::AnswerLost,
        }
    }
}

/// How long claims last and how long a retry waits.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// How long an attempt holds its claim: the request timeout and [`LEASE_MARGIN`].
    pub lease: Duration,
    /// How long keys are kept from their first use.
    pub retention: Duration,
    /// How long a retry waits for a first attempt still running.
    pub wait: Duration,
}

/// The request's fingerprint: SHA-256 (hex) of its query text, operation name and variables,
/// the variables with their object keys in order, so that the same variables sent in another
/// order are the same request.
pub fn fingerprint(
    query: &str,
    operation_name: Option<&str>,
    variables: &serde_json::Value,
) -> String {
    let mut canonical = String::new();
    canonical_json(
        &serde_json::json!({
            "query": query,
            "operationName": operation_name,
            "variables": variables,
        }),
        &mut canonical,
    );
    crate::domain::hex(&Sha256::digest(canonical.as_bytes()))
}

/// `value` as JSON with every object's keys sorted.
fn canonical_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical_json(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Whether a failure with this `extensions.code` is of the moment rather than of the request:
/// the database or a service was unavailable, something failed inside, the caller's quota was
/// spent, the request ran out of time. A retry may well succeed, so such an answer is not
/// kept as the key's answer (see [`finish`]).
pub fn transient(error_code: &str) -> bool {
    matches!(
        error_code,
        code::SERVICE_UNAVAILABLE | code::INTERNAL | code::RATE_LIMITED | code::SEARCH_UNAVAILABLE
    )
}

fn later(now: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn earlier(now: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn new_attempt() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    crate::domain::hex(&bytes)
}

/// The row of `claim`'s key, while `claim` holds it.
fn held(claim: &IdempotencyClaim) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(Column::ApiKeyId.eq(claim.api_key_id))
        .add(Column::Key.eq(claim.key.as_str()))
        .add(Column::Attempt.eq(claim.attempt.as_str()))
}

/// Claims `key` of the API key `api_key_id` for a request of `fingerprint`, or says what the
/// first attempt with that key came to (see the module doc). Waits up to `policy.wait` for a
/// first attempt still running.
pub async fn claim(
    db: &DatabaseConnection,
    api_key_id: i64,
    key: &IdempotencyKey,
    fingerprint: &str,
    policy: &Policy,
) -> AppResult<Claimed> {
    let deadline = tokio::time::Instant::now() + policy.wait;
    forget_expired(db, earlier(Utc::now(), policy.retention)).await?;
    loop {
        let now = Utc::now();
        let claim = IdempotencyClaim {
            api_key_id,
            key: key.0.clone(),
            attempt: new_attempt(),
        };
        let inserted = Entity::insert(idempotency_key::ActiveModel {
            api_key_id: Set(api_key_id),
            key: Set(key.0.clone()),
            fingerprint: Set(fingerprint.to_owned()),
            state: Set(State::Running),
            attempt: Set(claim.attempt.clone()),
            created_at: Set(now),
            lease_expires_at: Set(later(now, policy.lease)),
            status: Set(None),
            content_type: Set(None),
            body: Set(None),
        })
        .on_conflict(
            OnConflict::columns([Column::ApiKeyId, Column::Key])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if inserted == 1 {
            return Ok(Claimed::Run(claim));
        }
        // The key is taken: by whom, and how far it got. (A row gone meanwhile was released
        // or expired: the next turn claims it.)
        if let Some(row) = Entity::find_by_id((api_key_id, key.0.clone()))
            .one(db)
            .await?
        {
            if row.created_at < earlier(now, policy.retention) {
                // Kept past its retention and not yet deleted: the key is free again.
                Entity::delete_many()
                    .filter(Column::ApiKeyId.eq(api_key_id))
                    .filter(Column::Key.eq(key.0.as_str()))
                    .filter(Column::Attempt.eq(row.attempt.as_str()))
                    .exec(db)
                    .await?;
                continue;
            }
            if row.fingerprint != fingerprint {
                return Ok(Claimed::Refused(Refusal::DifferentRequest));
            }
            let lapsed = row.lease_expires_at <= now;
            match row.state {
                State::Done => return answer(row).map(Claimed::Replay),
                State::Committed if lapsed => return Ok(Claimed::Refused(Refusal::AnswerLost)),
                State::Running if lapsed => {
                    // The first attempt died before its write committed: take its claim over,
                    // unless another retry just did.
                    let taken = Entity::update_many()
                        .set(idempotency_key::ActiveModel {
                            attempt: Set(claim.attempt.clone()),
                            lease_expires_at: Set(later(now, policy.lease)),
                            ..Default::default()
                        })
                        .filter(Column::ApiKeyId.eq(api_key_id))
                        .filter(Column::Key.eq(key.0.as_str()))
                        .filter(Column::Attempt.eq(row.attempt.as_str()))
                        .filter(Column::State.eq(State::Running))
                        .exec(db)
                        .await?;
                    if taken.rows_affected == 1 {
                        tracing::warn!(
                            api_key_id,
                            "took over an idempotency key whose first attempt never committed"
                        );
                        return Ok(Claimed::Run(claim));
                    }
                }
                State::Running | State::Committed => {}
            }
        }
        if tokio::time::Instant::now() + POLL > deadline {
            return Ok(Claimed::Refused(Refusal::InProgress));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The answer a `done` row holds.
fn answer(row: idempotency_key::Model) -> AppResult<Answer> {
    match (row.status.and_then(|s| u16::try_from(s).ok()), row.body) {
        (Some(status), Some(body)) => Ok(Answer {
            status,
            content_type: row.content_type,
            body,
        }),
        _ => Err(AppError::internal(anyhow::anyhow!(
            "an idempotency key is done without its answer"
        ))),
    }
}

/// Deletes up to [`CLEANUP_BATCH`] rows created before `cutoff`, oldest first.
async fn forget_expired(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> AppResult<()> {
    let expired = Query::select()
        .columns([Column::ApiKeyId, Column::Key])
        .from(Entity)
        .and_where(Expr::col(Column::CreatedAt).lt(cutoff))
        .order_by(Column::CreatedAt, Order::Asc)
        .limit(CLEANUP_BATCH)
        .to_owned();
    Entity::delete_many()
        .filter(
            Expr::tuple([Expr::col(Column::ApiKeyId), Expr::col(Column::Key)]).in_subquery(expired),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Marks `claim`'s key `committed`, inside `txn`: the mutation's write transaction, which
/// commits the mark with the write or neither. False when the claim is no longer this
/// attempt's (another took it over after its lease ran out): the write must not commit.
pub async fn mark_committed(
    txn: &impl ConnectionTrait,
    claim: &IdempotencyClaim,
) -> AppResult<bool> {
    let marked = Entity::update_many()
        .set(idempotency_key::ActiveModel {
            state: Set(State::Committed),
            ..Default::default()
        })
        .filter(held(claim))
        .filter(Column::State.ne(State::Done))
        .exec(txn)
        .await?;
    Ok(marked.rows_affected == 1)
}

/// How an attempt's claim ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Its answer is the key's: retries replay it.
    Stored,
    /// Nothing of it committed and it failed for a reason of the moment: the key is free, and
    /// a retry runs the mutation.
    Released,
    /// Its write committed but it has no answer to keep: retries are told the mutation was
    /// applied ([`Refusal::AnswerLost`]).
    AnswerLost,
    /// Another attempt took the claim over meanwhile; this one changed nothing.
    ClaimLost,
}

/// How an attempt ended, as its answer says.
#[derive(Debug, Clone, Copy)]
pub enum Ending<'a> {
    /// An answer to keep as the key's.
    Answered(&'a Answer),
    /// A failure of the moment (see [`transient`]), with the answer to keep should something
    /// have committed, when the answer reports what was done.
    Transient(Option<&'a Answer>),
}

/// Ends `claim` once its answer is built.
///
/// An answer is kept as the key's answer: a success, and a failure that wrote nothing but
/// would fail again the same way (bad input, not found, forbidden, a conflict), since it is
/// the first answer and the draft has retries replay it. A failure of the moment
/// ([`Ending::Transient`]) is different: replaying it for a day would deny the client the
/// retry the error invites. So when nothing committed, the claim is released (its row
/// deleted) and a retry runs the mutation afresh. When something did commit (a mutation of
/// several fields whose later field failed, or a write that committed just before the request
/// timed out), the mutation must not run again: its answer is kept if it reports what was
/// done, and without one retries are told the mutation was applied and its answer is lost.
pub async fn finish(
    db: &DatabaseConnection,
    claim: &IdempotencyClaim,
    ending: Ending<'_>,
) -> AppResult<Finished> {
    let answer = match ending {
        Ending::Answered(answer) => Some(answer),
        Ending::Transient(answer) => {
            let released = Entity::delete_many()
                .filter(held(claim))
                .filter(Column::State.eq(State::Running))
                .exec(db)
                .await?;
            if released.rows_affected == 1 {
                return Ok(Finished::Released);
            }
            answer
        }
    };
    let changed = match answer {
        Some(answer) => Entity::update_many()
            .set(idempotency_key::ActiveModel {
                state: Set(State::Done),
                status: Set(Some(i32::from(answer.status))),
                content_type: Set(answer.content_type.clone()),
                body: Set(Some(answer.body.clone())),
                ..Default::default()
            })
            .filter(held(claim)),
        // The lease ends now: retries find the write committed and the lease lapsed.
        None => Entity::update_many()
            .set(idempotency_key::ActiveModel {
                lease_expires_at: Set(Utc::now()),
                ..Default::default()
            })
            .filter(held(claim))
            .filter(Column::State.eq(State::Committed)),
    };
    if changed.exec(db).await?.rows_affected == 1 {
        Ok(match answer {
            Some(_) => Finished::Stored,
            None => Finished::AnswerLost,
        })
    } else {
        tracing::warn!(
            api_key_id = claim.api_key_id,
            "an idempotency key was taken over before its attempt ended"
        );
        Ok(Finished::ClaimLost)
    }
}
