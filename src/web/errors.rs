//! The pages for what went wrong, in the visitor's language: never a trace, never internals.

use askama::Template;

use super::{Chrome, Rendered};

/// What kind of failure a page reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    NotFound,
    BadRequest,
    RateLimited,
    Unavailable,
    Internal,
}

#[derive(Template)]
#[template(path = "web/error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: String,
    pub text: String,
    pub detail: String,
}

/// `detail` says more (which parameter, what the API said of it); it is shown as text.
pub fn page(chrome: Chrome, failure: Failure, detail: String) -> super::Result<Rendered> {
    let t = chrome.t;
    let (heading, text) = match failure {
        Failure::NotFound => (t.error_not_found, t.error_not_found_text),
        Failure::BadRequest => (t.error_bad_request, ""),
        Failure::RateLimited => (t.error_rate_limited, t.error_rate_limited_text),
        Failure::Unavailable => (t.error_unavailable, t.error_unavailable_text),
        Failure::Internal => (t.error_internal, t.error_internal_text),
    };
    super::render(&ErrorPage {
        heading: heading.to_owned(),
        text: text.to_owned(),
        detail,
        chrome: chrome.titled(heading),
    })
}
