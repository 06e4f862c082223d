//! `Idempotency-Key` on `POST /graphql` mutations, over HTTP: the header read, the claim's
//! outcome turned into an answer (a replay, or a refusal with its status), and the answer,
//! once built, handed back to be kept. What is recorded, and when, is
//! [`crate::services::idempotency`]'s.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, Request, Response};

use crate::error::AppError;
use crate::graphql::ApiState;
use crate::services::idempotency::{
    self, Answer, Claimed, Ending, IdempotencyClaim, IdempotencyKey, Policy, Refusal,
};

/// The request header that names a mutation's key.
const KEY: &str = "idempotency-key";
/// The response header that says an answer is a replay of the first one.
const REPLAYED: &str = "idempotent-replayed";

/// The request's `Idempotency-Key`, when it sent one; a malformed value, or several, is the
/// caller's error.
pub(super) fn key(req: &Request) -> Result<Option<IdempotencyKey>, AppError> {
    let mut values = req.headers().get_all(KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(idempotency::malformed());
    }
    IdempotencyKey::parse(value.as_bytes()).map(Some)
}

/// What becomes of a mutation sent with a key.
pub(super) enum Begun {
    /// Run it, holding this claim.
    Run(IdempotencyClaim),
    /// The first attempt's answer, replayed.
    Replayed(Response),
    /// Neither: this status and error.
    Refused(StatusCode, AppError),
}

/// Claims `key` of the API key `api_key_id` for `request` (a mutation whose query is settled),
/// waiting up to the request timeout for a first attempt still running.
pub(super) async fn begin(
    state: &ApiState,
    api_key_id: i64,
    key: &IdempotencyKey,
    request: &async_graphql::Request,
) -> Begun {
    let variables = match serde_json::to_value(&request.variables) {
        Ok(variables) => variables,
        Err(error) => return refused(AppError::internal(error)),
    };
    let fingerprint = idempotency::fingerprint(
        &request.query,
        request.operation_name.as_deref(),
        &variables,
    );
    let limits = &state.limits;
    let policy = Policy {
        lease: limits.timeout + idempotency::LEASE_MARGIN,
        retention: limits.idempotency_retention,
        wait: limits.timeout,
    };
    match idempotency::claim(&state.db, api_key_id, key, &fingerprint, &policy).await {
        Ok(Claimed::Run(claim)) => Begun::Run(claim),
        Ok(Claimed::Replay(answer)) => Begun::Replayed(replay(answer)),
        Ok(Claimed::Refused(refusal)) => {
            let status = match refusal {
                Refusal::DifferentRequest => StatusCode::UNPROCESSABLE_ENTITY,
                Refusal::InProgress | Refusal::AnswerLost => StatusCode::CONFLICT,
            };
            Begun::Refused(status, refusal.error())
        }
        Err(error) => refused(error),
    }
}

/// A key that could not be claimed: the database unavailable (503) or failing (500).
fn refused(error: AppError) -> Begun {
    let status = match error {
        AppError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    Begun::Refused(status, error)
}

/// The first answer again: its status, media type and body, marked as a replay.
fn replay(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::builder().status(status).body(answer.body);
    let content_type = answer
        .content_type
        .and_then(|t| HeaderValue::from_str(&t).ok())
        .unwrap_or_else(|| HeaderValue::from_static("application/json"));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// Ends `claim` with `response`, the answer the attempt built, and gives it back to be sent.
/// Whether it is kept as the key's answer follows from its errors' codes (see
/// [`idempotency::finish`]). An answer whose body cannot be read is an internal error.
pub(super) async fn finish(
    state: &ApiState,
    claim: &IdempotencyClaim,
    response: Response,
) -> Result<Response, AppError> {
    let (parts, body) = response.into_parts();
    let text = match body.into_bytes().await {
        Ok(bytes) => String::from_utf8(bytes.to_vec()).map_err(anyhow::Error::from),
        Err(error) => Err(anyhow::Error::from(error)),
    };
    let text = match text {
        Ok(text) => text,
        Err(error) => {
            end(state, claim, Ending::Transient(None)).await;
            return Err(AppError::internal(
                error.context("reading the answer to keep for an idempotency key"),
            ));
        }
    };
    let answer = Answer {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: text,
    };
    let (transient, reports_results) = outcome(&answer.body);
    let ending = if transient {
        Ending::Transient(reports_results.then_some(&answer))
    } else {
        Ending::Answered(&answer)
    };
    end(state, claim, ending).await;
    Ok(Response::from_parts(parts, Body::from_string(answer.body)))
}

/// Ends the claim; a failure to is logged: the answer still goes to the client, and the key
/// is left as the database holds it (a retry then waits out the lease, and is told the
/// mutation was applied if its write committed, or runs it if it did not).
async fn end(state: &ApiState, claim: &IdempotencyClaim, ending: Ending<'_>) {
    if let Err(error) = idempotency::finish(&state.db, claim, ending).await {
        tracing::error!(error = ?error, "an idempotency key could not be ended");
    }
}

/// Whether a GraphQL answer's errors are of the moment ([`idempotency::transient`]), and
/// whether it reports results (a field of `data` that is not null).
fn outcome(body: &str) -> (bool, bool) {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(body) else {
        return (true, false);
    };
    let transient = body["errors"].as_array().is_some_and(|errors| {
        errors.iter().any(|e| {
            e["extensions"]["code"]
                .as_str()
                .is_some_and(idempotency::transient)
        })
    });
    let reports_results = body["data"]
        .as_object()
        .is_some_and(|data| data.values().any(|v| !v.is_null()));
    (transient, reports_results)
}
