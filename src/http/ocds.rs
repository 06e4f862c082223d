//! The open-data endpoints: OCDS release and record packages and the yearly bulk files, plain
//! JSON beside `/graphql` (see `crate::ocds`).
//!
//! They are anonymous (a key may be sent, and is then charged instead of the address), cached
//! like anonymous GET queries, and charged to the same quota: a page costs 1 point per release
//! or 5 per record it may hold, one tender's releases or record 5, a bulk file 1, and 1 more
//! per 100 of its releases or records. Bad parameters get 400, an unknown ocid or year 404, a
//! spent quota 429 with `Retry-After`, each with a JSON body
//! `{"error": {"code", "message", "parameter"}}`; internal errors are logged, never sent.

use chrono::{DateTime, Utc};
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Json};
use poem::{Body, IntoResponse, Request, Response, handler};
use serde_json::{Value, json};

use super::auth::{authenticate, authorization, client_address, meter};
use super::graphql::key_refused;
use crate::domain::Actor;
use crate::error::AppError;
use crate::graphql::ApiState;
use crate::ocds::bulk::Kind;
use crate::ocds::{self, Cursor, MAX_LIMIT, OpenData, ReleasePage};

/// How long a cache may keep an answer (the hint GraphQL gives records).
const MAX_AGE_SECS: u32 = 60;
/// How long a cache may keep a bulk file or the index.
const BULK_MAX_AGE_SECS: u32 = 300;

fn error_body(status: StatusCode, code: &str, message: &str, parameter: Option<&str>) -> Response {
    let mut error = json!({ "code": code, "message": message });
    if let Some(parameter) = parameter {
        error["parameter"] = json!(parameter);
    }
    let mut response = Json(json!({ "error": error }))
        .with_status(status)
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A query parameter refused: which, and why.
struct BadParameter {
    parameter: String,
    message: String,
}

fn bad_parameter(parameter: &str, message: String) -> BadParameter {
    BadParameter {
        parameter: parameter.to_owned(),
        message,
    }
}

impl BadParameter {
    fn response(self) -> Response {
        error_body(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            &self.message,
            Some(&self.parameter),
        )
    }
}

/// The answer to a service's error: its code and status, and never an internal's text.
fn failure(error: AppError) -> Response {
    match error {
        AppError::NotFound(message) => {
            error_body(StatusCode::NOT_FOUND, "NOT_FOUND", &message, None)
        }
        AppError::BadUserInput { message, field } => error_body(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            &message,
            field.as_deref(),
        ),
        AppError::RateLimited {
            retry_after_secs, ..
        } => {
            let mut response = error_body(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                "the quota of this window is spent; retry after the time in Retry-After",
                None,
            );
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        AppError::ServiceUnavailable(message) => error_body(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            &message,
            None,
        ),
        other => {
            tracing::error!(error = ?other, "open-data request failed");
            error_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
                None,
            )
        }
    }
}

/// The caller, charged `cost` points.
async fn charged(state: &ApiState, req: &Request, cost: u64) -> Result<Actor, Response> {
    let actor = authenticate(state, authorization(req))
        .await
        .map_err(key_refused)?;
    let meter = meter(
        state,
        actor,
        &client_address(req, state.limits.trust_forwarded_for),
    );
    if meter.charge(cost as usize).await.is_err() {
        if let Some(outcome) = meter.outcome() {
            state.metrics.rate_limited.inc();
            return Err(failure(AppError::RateLimited {
                cost: outcome.cost,
                remaining: outcome.remaining,
                retry_after_secs: (outcome.reset_at - Utc::now()).num_seconds().max(1),
            }));
        }
        return Err(failure(AppError::ServiceUnavailable(
            "the quota could not be checked; retry later".into(),
        )));
    }
    Ok(actor)
}

fn cache_control(actor: Actor, max_age: u32) -> HeaderValue {
    // As for GraphQL: public data may be kept by anyone for anonymous callers; what a key
    // reads is charged to it, and kept by no one else.
    if actor.role().is_some() {
        HeaderValue::from_static("private, no-store")
    } else {
        HeaderValue::from_str(&format!("public, max-age={max_age}"))
            .unwrap_or(HeaderValue::from_static("no-cache"))
    }
}

fn json_answer(actor: Actor, body: Value) -> Response {
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, cache_control(actor, MAX_AGE_SECS));
    response
}

/// The request's query parameters, decoded; a malformed one is named.
fn parameters(req: &Request) -> Result<Vec<(String, String)>, BadParameter> {
    let query = req.uri().query().unwrap_or_default();
    let mut out = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| -> Option<String> {
            let bytes = s.replace('+', " ");
            let bytes = bytes.as_bytes();
            let mut decoded = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                    decoded.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 3;
                } else {
                    decoded.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(decoded).ok()
        };
        let name = decode(name)
            .ok_or_else(|| bad_parameter(pair, "a query parameter is not well-formed".into()))?;
        let value = decode(value).ok_or_else(|| {
            bad_parameter(&name, format!("the value of '{name}' is not well-formed"))
        })?;
        out.push((name, value));
    }
    Ok(out)
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn limit(params: &[(String, String)]) -> Result<u64, BadParameter> {
    let Some(value) = get(params, "limit") else {
        return Ok(100);
    };
    value
        .parse::<u64>()
        .ok()
        .filter(|l| (1..=MAX_LIMIT).contains(l))
        .ok_or_else(|| {
            bad_parameter(
                "limit",
                format!("limit must be a whole number from 1 to {MAX_LIMIT}, not '{value}'"),
            )
        })
}

fn cursor(
    params: &[(String, String)],
    want: fn(Cursor) -> Option<i64>,
) -> Result<Option<i64>, BadParameter> {
    let Some(value) = get(params, "cursor") else {
        return Ok(None);
    };
    Cursor::decode(value)
        .and_then(want)
        .map(Some)
        .ok_or_else(|| {
            bad_parameter(
                "cursor",
                "the cursor is not one this list gave; use the links.next of the previous page"
                    .into(),
            )
        })
}

fn since(params: &[(String, String)]) -> Result<Option<DateTime<Utc>>, BadParameter> {
    let Some(value) = get(params, "since") else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(value)
        .map(|d| Some(d.with_timezone(&Utc)))
        .map_err(|_| {
            bad_parameter(
                "since",
                format!(
                    "since must be an RFC 3339 date and time (2026-12-01T00:00:00Z), not '{value}'"
                ),
            )
        })
}

/// `GET /ocds/releases?since=&cursor=&limit=`.
#[handler]
pub(super) async fn releases(
    state: Data<&ApiState>,
    open: Data<&std::sync::Arc<OpenData>>,
    req: &Request,
) -> Response {
    let page = match (|| {
        let params = parameters(req)?;
        Ok::<_, BadParameter>(ReleasePage {
            since: since(&params)?,
            after: cursor(&params, |c| match c {
                Cursor::Releases(seq) => Some(seq),
                Cursor::Records(_) => None,
            })?,
            limit: limit(&params)?,
        })
    })() {
        Ok(page) => page,
        Err(refused) => return refused.response(),
    };
    let actor = match charged(&state, req, page.limit).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    match ocds::releases_page(&state.db, &open.publication, &page).await {
        Ok(body) => json_answer(actor, body),
        Err(error) => failure(error),
    }
}

/// One tender's releases or record.
async fn of_tender(
    state: &ApiState,
    open: &OpenData,
    ocid: &str,
    kind: Kind,
    req: &Request,
) -> Response {
    let actor = match charged(state, req, 5).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    match ocds::of_tender(&state.db, &open.publication, ocid, kind).await {
        Ok(body) => json_answer(actor, body),
        Err(error) => failure(error),
    }
}

/// `GET /ocds/releases/{ocid}`.
#[handler]
pub(super) async fn tender_releases(
    state: Data<&ApiState>,
    open: Data<&std::sync::Arc<OpenData>>,
    req: &Request,
) -> Response {
    let ocid = super::path_param(req, "ocid");
    of_tender(&state, &open, ocid, Kind::Releases, req).await
}

/// `GET /ocds/records/{ocid}`.
#[handler]
pub(super) async fn tender_record(
    state: Data<&ApiState>,
    open: Data<&std::sync::Arc<OpenData>>,
    req: &Request,
) -> Response {
    let ocid = super::path_param(req, "ocid");
    of_tender(&state, &open, ocid, Kind::Records, req).await
}

/// `GET /ocds/records?cursor=&limit=`.
#[handler]
pub(super) async fn records(
    state: Data<&ApiState>,
    open: Data<&std::sync::Arc<OpenData>>,
    req: &Request,
) -> Response {
    let (after, limit) = match (|| {
        let params = parameters(req)?;
        let after = cursor(&params, |c| match c {
            Cursor::Records(id) => Some(id),
            Cursor::Releases(_) => None,
        })?;
        Ok::<_, BadParameter>((after, limit(&params)?))
    })() {
        Ok(page) => page,
        Err(refused) => return refused.response(),
    };
    let actor = match charged(&state, req, 5 * limit).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    match ocds::records_page(&state.db, &open.publication, after, limit).await {
        Ok(body) => json_answer(actor, body),
        Err(error) => failure(error),
    }
}

/// `GET /ocds/bulk`: the index of the yearly files.
#[handler]
pub(super) async fn bulk_index(
    state: Data<&ApiState>,
    open: Data<&std::sync::Arc<OpenData>>,
    req: &Request,
) -> Response {
    let actor = match charged(&state, req, 1).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    // The index writes the files a change made stale, to say their sizes: it is charged for
    // them as the files are (a point per 100 items), before anything is written.
    let years = match open.bulk.years(&state.db).await {
        Ok(years) => years,
        Err(error) => return failure(error),
    };
    let unwritten: u64 = open
        .bulk
        .unwritten(&open.publication, &years)
        .await
        .iter()
        .map(|&count| count as u64 / 100)
        .sum();
    if unwritten > 0
        && let Err(response) = charged(&state, req, unwritten).await
    {
        return response;
    }
    match open.bulk.all(&state.db, &open.publication, years).await {
        Ok(files) => {
            let mut response = json_answer(actor, ocds::bulk::index(&open.publication, &files));
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                cache_control(actor, BULK_MAX_AGE_SECS),
            );
            response
        }
        Err(error) => failure(error),
    }
}

fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `GET /ocds/bulk/{releases|records}/{year}.json.gz`: a yearly file, streamed from disk.
#[handler]
pub(super) async fn bulk_file(
    state: Data<&ApiState>,
    open: Data<&std::sync::Arc<OpenData>>,
    req: &Request,
) -> Response {
    let kind = super::path_param(req, "kind");
    let file = super::path_param(req, "file");
    let not_found = || {
        error_body(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such file: see /ocds/bulk for the files there are",
            None,
        )
    };
    let Some(kind) = Kind::parse(kind) else {
        return not_found();
    };
    let Some(year) = file
        .strip_suffix(".json.gz")
        .and_then(|y| y.parse::<i32>().ok())
    else {
        return not_found();
    };
    // A point before anything is read or written, the rest once the file's size is known: a
    // caller over its quota makes no file.
    let actor = match charged(&state, req, 1).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    // The file is opened as soon as it is found: a newer one written for another request
    // removes it from the folder, and an open file is still read whole. Between finding and
    // opening it may be gone already; then the newer one is found.
    let mut attempts = 0;
    let (found, file) = loop {
        let found = match open
            .bulk
            .file(&state.db, &open.publication, kind, year)
            .await
        {
            Ok(Some(found)) => found,
            Ok(None) => return not_found(),
            Err(error) => return failure(error),
        };
        match tokio::fs::File::open(&found.path).await {
            Ok(file) => break (found, file),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && attempts < 3 => {
                attempts += 1;
            }
            Err(error) => return failure(AppError::internal(error)),
        }
    };
    let rest = found.count.max(0) as u64 / 100;
    if rest > 0
        && let Err(response) = charged(&state, req, rest).await
    {
        return response;
    }
    let headers = [
        (header::ETAG, found.etag.clone()),
        (header::LAST_MODIFIED, http_date(found.last_modified)),
    ];
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == found.etag || t.trim() == "*")
        });
    let mut response = if unchanged {
        Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .finish()
    } else {
        let body = Body::from_async_read(file);
        let mut response = Response::builder()
            .content_type("application/gzip")
            .body(body);
        if let Ok(value) = HeaderValue::from_str(&found.size.to_string()) {
            response.headers_mut().insert(header::CONTENT_LENGTH, value);
        }
        if let Ok(value) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{}-{year}.json.gz\"",
            kind.name()
        )) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
        response
    };
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        cache_control(actor, BULK_MAX_AGE_SECS),
    );
    response
}
