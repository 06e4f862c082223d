//! Who is calling: the API key of a request (or of a websocket connection) turned into an
//! [`Actor`], the client's address, and the quota meter its operations are charged to.

use std::sync::Arc;

use poem::Request;

use crate::domain::Actor;
use crate::error::AppError;
use crate::graphql::ApiState;
use crate::graphql::limits::Meter;
use crate::services::access;

/// The caller behind an `Authorization: Bearer <key>` value; no value is an anonymous reader.
/// An unknown, revoked or malformed key is `UNAUTHENTICATED`, without saying which; a key that
/// could not be checked (the database is down) is that error.
pub(super) async fn authenticate(
    state: &ApiState,
    authorization: Option<&str>,
) -> Result<Actor, AppError> {
    let Some(value) = authorization else {
        return Ok(Actor::Anonymous);
    };
    let key = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(AppError::Unauthenticated)?;
    access::authenticate(&state.db, key.trim()).await
}

/// The request's `Authorization` header; one that is not text is a key that cannot be valid.
pub(super) fn authorization(req: &Request) -> Option<&str> {
    req.headers()
        .get(poem::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("?"))
}

/// The client's address: the connection's peer, or with `trust_forwarded_for` the first
/// address of `X-Forwarded-For` (which only a trusted proxy may write).
pub(super) fn client_address(req: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return first.to_owned();
    }
    req.remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// What the caller's operations are charged to: its key's budget, or without a key its
/// address's.
pub(super) fn meter(state: &ApiState, actor: Actor, address: &str) -> Arc<Meter> {
    let limits = &state.limits;
    let subject = match actor.key_id() {
        Some(id) => format!("key:{id}"),
        None => format!("ip:{address}"),
    };
    Arc::new(Meter::new(
        state.quota.clone(),
        subject,
        limits.budget(&actor),
        limits.quota_window_secs,
    ))
}
