//! The explorer's routes (see `crate::web`): each page runs its GraphQL document in-process as
//! an anonymous caller at the visitor's address ([`super::graphql::run_public`]), then renders.
//!
//! A page carries the `Cache-Control` of the same GET query, varies by `Accept-Language` and
//! `Cookie` (the language), and is served under a Content-Security-Policy that allows this
//! origin's own scripts only. What the API refuses becomes a page in the visitor's language:
//! an unknown id 404, a malformed parameter 400 naming it, a spent quota 429 with
//! `Retry-After`, the search engine or the database away 503; anything else is logged and
//! shown as 500 without its text.

use async_graphql::Variables;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Json};
use poem::{Endpoint, IntoResponse, Request, Response, handler};
use serde_json::{Value, json};

pub(super) mod statistics;

use super::graphql::run_public;
use super::page::{html, lang_of};
use crate::graphql::ApiState;
use crate::graphql::documents::Prepared;
use crate::web::errors::Failure;
use crate::web::{self, Chrome, Lang, documents};

/// The request's own address without `lang`, for the language switch to return to.
fn here(req: &Request) -> String {
    let path = req.uri().path();
    let kept: Vec<(String, String)> =
        form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{path}?{query}")
}

fn chrome(req: &Request, section: &'static str) -> Chrome {
    Chrome::new(lang_of(req), section, &here(req))
}

/// A page for what went wrong.
fn failure(chrome: Chrome, failure: Failure, detail: String, retry_after: Option<i64>) -> Response {
    let status = match failure {
        Failure::NotFound => StatusCode::NOT_FOUND,
        Failure::BadRequest => StatusCode::BAD_REQUEST,
        Failure::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Failure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut response = match web::errors::page(chrome, failure, detail) {
        Ok(page) => html(status, page.0, "no-store"),
        Err(error) => {
            tracing::error!(error = %error, "an error page could not be rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    };
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A malformed parameter: 400, naming it.
fn bad_parameter(chrome: Chrome, parameter: &str) -> Response {
    let detail = chrome.lang.bad_parameter(parameter);
    failure(chrome, Failure::BadRequest, detail, None)
}

/// A page that could not be rendered from an answer: logged, 500.
fn broken(chrome: Chrome, error: anyhow::Error) -> Response {
    tracing::error!(error = %error, "a page could not be rendered");
    failure(chrome, Failure::Internal, String::new(), None)
}

/// An error's extension `key` as text (a string, or an enumeration value).
fn extension(error: &async_graphql::ServerError, key: &str) -> Option<String> {
    match error.extensions.as_ref()?.get(key)? {
        async_graphql::Value::String(s) => Some(s.clone()),
        async_graphql::Value::Enum(e) => Some(e.to_string()),
        _ => None,
    }
}

/// A document's answer, or the page that says why there is none.
enum Answer {
    Data { data: Value, cache_control: String },
    Refused(Response),
}

async fn ask(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    document: &'static str,
    variables: Value,
    chrome: impl FnOnce() -> Chrome,
) -> Answer {
    let names: Vec<String> = variables
        .as_object()
        .map(|v| v.keys().cloned().collect())
        .unwrap_or_default();
    let request = async_graphql::Request::new(document).variables(Variables::from_json(variables));
    let ran = match run_public(schema, state, req, request).await {
        Ok(ran) => ran,
        Err(error) => {
            tracing::warn!(error = ?error, "a page's query did not finish");
            return Answer::Refused(failure(chrome(), Failure::Unavailable, String::new(), None));
        }
    };
    if let Some(error) = ran.response.errors.first() {
        let code = extension(error, "code").unwrap_or_default();
        let (kind, detail) = match code.as_str() {
            "NOT_FOUND" => (Failure::NotFound, String::new()),
            // A value of the address that the API refused (an id of another kind, say): said
            // in the visitor's language, naming the parameter; the API's own words otherwise.
            "BAD_USER_INPUT" => {
                let field = extension(error, "field").filter(|f| names.contains(f));
                if let Some(field) = field {
                    return Answer::Refused(bad_parameter(chrome(), &field));
                }
                (Failure::BadRequest, error.message.clone())
            }
            "RATE_LIMITED" => (Failure::RateLimited, String::new()),
            "SEARCH_UNAVAILABLE" | "SERVICE_UNAVAILABLE" => (Failure::Unavailable, String::new()),
            _ => {
                tracing::error!(code = %code, message = %error.message, "a page's query failed");
                (Failure::Internal, String::new())
            }
        };
        return Answer::Refused(failure(chrome(), kind, detail, ran.retry_after()));
    }
    let cache_control = ran.public_cache_control();
    Answer::Data {
        data: ran.response.data.into_json().unwrap_or(Value::Null),
        cache_control,
    }
}

/// Runs a page's document and renders its answer.
async fn page(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    section: &'static str,
    document: &'static str,
    variables: Value,
    render: impl FnOnce(Chrome, Value) -> web::Result<web::Rendered>,
) -> Response {
    match ask(schema, state, req, document, variables, || {
        chrome(req, section)
    })
    .await
    {
        Answer::Refused(response) => response,
        Answer::Data {
            data,
            cache_control,
        } => match render(chrome(req, section), data) {
            Ok(page) => html(StatusCode::OK, page.0, &cache_control),
            Err(error) => broken(chrome(req, section), error),
        },
    }
}

/// `GET /`: the search page.
#[handler]
pub(super) async fn search(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let params = match web::search::Params::parse(req.uri().query().unwrap_or_default()) {
        Ok(params) => params,
        Err(bad) => return bad_parameter(chrome(req, "search"), bad.0),
    };
    if params.too_long() {
        return match web::search::too_long(chrome(req, "search"), &params) {
            Ok(page) => html(StatusCode::BAD_REQUEST, page.0, "no-store"),
            Err(error) => broken(chrome(req, "search"), error),
        };
    }
    page(
        &schema,
        &state,
        req,
        "search",
        documents::SEARCH,
        params.variables(),
        |chrome, data| web::search::page(chrome, &params, data),
    )
    .await
}

/// `GET /suggest?q=`: names to complete the search box with, as JSON.
#[handler]
pub(super) async fn suggest(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let q = form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let lang = lang_of(req);
    let empty = || {
        let mut response = Json(json!({ "suggestions": [] })).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    };
    if q.is_empty() || q.chars().count() > web::search::MAX_QUERY_CHARS {
        return empty();
    }
    let answer = ask(
        &schema,
        &state,
        req,
        documents::SUGGEST,
        json!({ "query": q }),
        || chrome(req, "search"),
    )
    .await;
    let Answer::Data {
        data,
        cache_control,
    } = answer
    else {
        return empty();
    };
    let mut names: Vec<String> = Vec::new();
    for edge in data["search"]["edges"].as_array().into_iter().flatten() {
        let node = &edge["node"];
        let (en, zh) = match node["__typename"].as_str() {
            Some("Tender") => (&node["title"], &node["titleZh"]),
            _ => (&node["name"], &node["nameZh"]),
        };
        let name = lang.pick(
            en.as_str().unwrap_or_default(),
            zh.as_str().unwrap_or_default(),
        );
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    let mut response = Json(json!({ "suggestions": names })).into_response();
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    response
}

/// An id in a path: a global ID is URL-safe base64, never longer than this.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=')
}

/// A record's page by its id in the path: a malformed id is a 400 naming `id`.
async fn record(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    id: &str,
    document: &'static str,
    render: impl FnOnce(Chrome, Value) -> web::Result<web::Rendered>,
) -> Response {
    if !valid_id(id) {
        return bad_parameter(chrome(req, ""), "id");
    }
    page(
        schema,
        state,
        req,
        "",
        document,
        json!({ "id": id }),
        render,
    )
    .await
}

/// `GET /companies/:id`
#[handler]
pub(super) async fn company(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let id = super::path_param(req, "id");
    record(
        &schema,
        &state,
        req,
        id,
        documents::COMPANY,
        web::company::page,
    )
    .await
}

/// `GET /tenders/:id`
#[handler]
pub(super) async fn tender(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let id = super::path_param(req, "id");
    record(
        &schema,
        &state,
        req,
        id,
        documents::TENDER,
        web::tender::page,
    )
    .await
}

/// `GET /parks/:id`
#[handler]
pub(super) async fn park(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let id = super::path_param(req, "id");
    if !valid_id(id) {
        return bad_parameter(chrome(req, ""), "id");
    }
    let after = form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "after")
        .map(|(_, v)| v.into_owned());
    if after
        .as_ref()
        .is_some_and(|a| a.is_empty() || a.len() > 200)
    {
        return bad_parameter(chrome(req, ""), "after");
    }
    page(
        &schema,
        &state,
        req,
        "",
        documents::PARK,
        json!({ "id": id, "after": after }),
        web::park::page,
    )
    .await
}

/// `GET /compare?id=…&id=…`
#[handler]
pub(super) async fn compare(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let ids = match web::compare::ids(req.uri().query().unwrap_or_default()) {
        Ok(ids) => ids,
        Err(parameter) => return bad_parameter(chrome(req, "compare"), parameter),
    };
    if ids.iter().any(|id| !valid_id(id)) {
        return bad_parameter(chrome(req, "compare"), "id");
    }
    if ids.len() < 2 {
        return match web::compare::empty(chrome(req, "compare")) {
            Ok(page) => html(StatusCode::OK, page.0, "public, max-age=3600"),
            Err(error) => broken(chrome(req, "compare"), error),
        };
    }
    page(
        &schema,
        &state,
        req,
        "compare",
        documents::COMPARE,
        web::compare::variables(&ids),
        web::compare::page,
    )
    .await
}

/// `GET /lang/:lang?back=/path`: keeps the language in a cookie and goes back.
#[handler]
pub(super) async fn switch_lang(req: &Request) -> Response {
    let lang = super::path_param(req, "lang");
    let Some(lang) = Lang::parse(lang) else {
        return bad_parameter(chrome(req, ""), "lang");
    };
    let back = form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.into_owned())
        // Only a path of this site: never another origin (`//host`, `/\host`, or `/<tab>/host`,
        // which a browser reads as `//host` once it drops the tab).
        .filter(|b| {
            b.starts_with('/')
                && !b.starts_with("//")
                && !b
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        })
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, back)
        .header(header::SET_COOKIE, super::page::lang_cookie(lang))
        .finish();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Any address no route takes: a 404 page for people (in their language), a JSON error for
/// programs; an address that cannot be decoded, the same as a 400.
pub(super) async fn not_found<E: Endpoint>(endpoint: E, req: Request) -> poem::Result<Response> {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let path = req.uri().path().to_owned();
    let chrome = wants_html.then(|| chrome(&req, ""));
    match endpoint.call(req).await {
        Err(error) if error.is::<poem::error::NotFoundError>() => Ok(match chrome {
            Some(chrome) => failure(chrome, Failure::NotFound, String::new(), None),
            None => Json(json!({ "error": {
                "code": "NOT_FOUND",
                "message": format!("nothing is at {path}"),
            } }))
            .with_status(StatusCode::NOT_FOUND)
            .with_header(header::CACHE_CONTROL, "no-store")
            .into_response(),
        }),
        // An address whose parts are not UTF-8 once decoded (`%FF`) names nothing.
        Err(error) if error.is::<poem::error::ParsePathError>() => Ok(match chrome {
            Some(chrome) => {
                let detail = chrome.lang.bad_address();
                failure(chrome, Failure::BadRequest, detail, None)
            }
            None => Json(json!({ "error": {
                "code": "BAD_USER_INPUT",
                "message": "the address is not valid: its parts must be UTF-8 once decoded",
            } }))
            .with_status(StatusCode::BAD_REQUEST)
            .with_header(header::CACHE_CONTROL, "no-store")
            .into_response(),
        }),
        other => other.map(IntoResponse::into_response),
    }
}
