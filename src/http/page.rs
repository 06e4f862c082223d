//! What every HTML answer shares, the explorer's pages and GraphiQL alike: the visitor's
//! language and the headers (cache, `Vary`, Content-Security-Policy).

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::web::Lang;

/// Scripts from this origin only: no inline script, no eval; styles may be inline (GraphiQL's
/// editor sets them), images may be data URLs (GraphiQL's icons).
pub(super) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// The `lang` cookie's value, if the request has one.
fn cookie_lang(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == "lang").then(|| value.to_owned())
        })
}

/// The `lang` the address asks for, if any.
fn query_lang(req: &Request) -> Option<String> {
    form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned())
}

/// The cookie that keeps `lang` for a year.
pub(super) fn lang_cookie(lang: Lang) -> String {
    format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.key()
    )
}

/// A page asked for in a language by its address (`?lang=zh`) keeps that language in the
/// cookie, so that the links it holds, which do not carry `?lang=`, stay in it.
pub(super) async fn remember_query_lang<E: Endpoint>(
    endpoint: E,
    req: Request,
) -> poem::Result<Response> {
    let asked = query_lang(&req)
        .as_deref()
        .and_then(Lang::parse)
        .filter(|lang| cookie_lang(&req).as_deref() != Some(lang.key()));
    let mut response = endpoint.call(req).await?.into_response();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if let Some(lang) = asked
        && is_html
        && let Ok(value) = HeaderValue::from_str(&lang_cookie(lang))
    {
        let headers = response.headers_mut();
        headers.append(header::SET_COOKIE, value);
        // An answer that sets a cookie is this visitor's: a shared cache must not give it,
        // cookie and all, to the next one. (The same page without the cookie stays public.)
        let private = match headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
        {
            Some(v) if v.contains("private") || v.contains("no-store") => v.to_owned(),
            Some(v) => std::iter::once("private")
                .chain(
                    v.split(',')
                        .map(str::trim)
                        .filter(|d| !d.is_empty() && *d != "public"),
                )
                .collect::<Vec<_>>()
                .join(", "),
            None => "private, no-cache".to_owned(),
        };
        if let Ok(value) = HeaderValue::from_str(&private) {
            headers.insert(header::CACHE_CONTROL, value);
        }
    }
    Ok(response)
}

/// The visitor's language.
pub(super) fn lang_of(req: &Request) -> Lang {
    let query = query_lang(req);
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::negotiate(query.as_deref(), cookie_lang(req).as_deref(), accept)
}

/// The headers every HTML answer carries.
pub(super) fn html(status: StatusCode, body: String, cache_control: &str) -> Response {
    let mut response = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .body(body);
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(cache_control) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}
