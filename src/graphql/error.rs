//! The GraphQL side of the error policy: how an [`AppError`] becomes a GraphQL error, and the
//! safety net every answer passes through, over HTTP and the websocket alike.
//!
//! A resolver's error carries its code (`extensions.code`, one of [`code`]). The safety net
//! ([`safety_net`]) gives every error that arrives without one its code: an error without a
//! path comes from parsing or validating the request (the caller's to fix, `BAD_USER_INPUT`);
//! one with a path escaped the policy, and is logged and answered as `INTERNAL` with its
//! message withheld.

use async_graphql::{ErrorExtensions, Response, ServerError};

use crate::error::{AppError, code};

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        let code = error.code();
        let criteria: Vec<&'static str> = match &error {
            AppError::NotEligible(failed) => failed.iter().map(|f| f.criterion).collect(),
            _ => Vec::new(),
        };
        let numbers: Vec<(&'static str, i64)> = match &error {
            AppError::TooCostly { cost, limit } => vec![
                ("cost", i64::try_from(*cost).unwrap_or(i64::MAX)),
                ("limit", i64::try_from(*limit).unwrap_or(i64::MAX)),
            ],
            AppError::RateLimited {
                cost,
                remaining,
                retry_after_secs,
            } => vec![
                ("cost", *cost),
                ("remaining", *remaining),
                ("retryAfter", *retry_after_secs),
            ],
            _ => Vec::new(),
        };
        let reason = match &error {
            AppError::IndexBuilding => Some("INDEX_BUILDING"),
            AppError::AnswerLost => Some("ANSWER_LOST"),
            _ => None,
        };
        let (message, field) = match error {
            AppError::TooCostly { cost, limit } => (
                format!(
                    "the query costs {cost} points, over the limit of {limit}: ask for smaller pages or fewer fields"
                ),
                None,
            ),
            AppError::RateLimited {
                cost,
                remaining,
                retry_after_secs,
            } => (
                format!(
                    "the query costs {cost} points and {remaining} are left in this window; retry in {retry_after_secs} s"
                ),
                None,
            ),
            AppError::NotEligible(failed) => (
                format!(
                    "not eligible for this tender: {}",
                    failed
                        .iter()
                        .map(|f| f.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                None,
            ),
            AppError::BadUserInput { message, field } => (message, field),
            AppError::NotFound(message)
            | AppError::Forbidden(message)
            | AppError::Conflict(message)
            | AppError::ServiceUnavailable(message) => (message, None),
            AppError::Unauthenticated => ("a valid API key is required".to_owned(), None),
            AppError::AnswerLost => (
                "the operation sent with this Idempotency-Key was applied, and its answer cannot \
                 be replayed: it was lost before it was stored; read the objects it changed"
                    .to_owned(),
                None,
            ),
            AppError::IndexBuilding => (
                "the search index is being built; retry in a few seconds".to_owned(),
                None,
            ),
            AppError::SearchUnavailable(detail) => {
                tracing::error!(error = %detail, "search unavailable");
                ("search is unavailable; retry later".to_owned(), None)
            }
            AppError::Internal(inner) => {
                tracing::error!(error = ?inner, "internal error");
                ("internal error".to_owned(), None)
            }
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            if let Some(reason) = reason {
                ext.set("reason", reason);
            }
            if !criteria.is_empty() {
                ext.set("criteria", criteria.clone());
            }
            for (name, value) in &numbers {
                ext.set(*name, *value);
            }
        })
    }
}

/// An error of the whole request, before any field ran: no path, no location.
pub(crate) fn request_error(error: AppError) -> ServerError {
    let error: async_graphql::Error = error.into();
    ServerError {
        message: error.message,
        source: None,
        locations: Vec::new(),
        path: Vec::new(),
        extensions: error.extensions,
    }
}

/// Gives every error of `response` a code, and withholds the message of one that escaped the
/// error policy (see the module doc).
pub(crate) fn safety_net(response: &mut Response) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_some() {
            continue;
        }
        if error.path.is_empty() {
            extensions.set("code", code::BAD_USER_INPUT);
        } else {
            tracing::error!(message = %error.message, path = ?error.path, "resolver error without a code");
            extensions.set("code", code::INTERNAL);
            error.message = "internal error".to_owned();
        }
    }
}

/// The code of a response's first error, `ok` when it has none: the outcome metrics count.
pub(crate) fn outcome(response: &Response) -> String {
    match response.errors.first() {
        None => "ok".to_owned(),
        Some(e) => e
            .extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| code::INTERNAL.to_owned()),
    }
}
