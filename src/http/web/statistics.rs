//! The statistics page and its tables as CSV files, from one document (the province by year
//! and each year by district).

use chrono::Datelike;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::Data;
use poem::{Request, Response, handler};

use super::{Answer, ask, bad_parameter, broken, chrome, failure};
use crate::graphql::ApiState;
use crate::graphql::documents::Prepared;
use crate::http::page::{html, lang_of};
use crate::web::errors::Failure;
use crate::web::{self, documents};

/// The `year` parameter: absent, or a year the statistics could hold.
fn year_param(req: &Request) -> Result<Option<i32>, ()> {
    match form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "year")
    {
        None => Ok(None),
        Some((_, v)) => v
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .map(Some)
            .ok_or(()),
    }
}

fn this_year() -> i32 {
    chrono::Utc::now().year()
}

/// Every year's figures, from the page's one document: its data and `Cache-Control`, or the
/// page that says why there are none.
async fn figures(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
) -> Result<(serde_json::Value, String), Response> {
    let variables = web::statistics::variables(this_year());
    match ask(schema, state, req, documents::STATISTICS, variables, || {
        chrome(req, "statistics")
    })
    .await
    {
        Answer::Refused(response) => Err(response),
        Answer::Data {
            data,
            cache_control,
        } => Ok((data, cache_control)),
    }
}

/// `GET /statistics?year=`
#[handler]
pub(in crate::http) async fn statistics(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let Ok(year) = year_param(req) else {
        return bad_parameter(chrome(req, "statistics"), "year");
    };
    let (data, cache_control) = match figures(&schema, &state, req).await {
        Ok(answer) => answer,
        Err(response) => return response,
    };
    if let Some(year) = year
        && !web::statistics::has_year(&data, year)
    {
        return failure(
            chrome(req, "statistics"),
            Failure::NotFound,
            year.to_string(),
            None,
        );
    }
    match web::statistics::page(chrome(req, "statistics"), data, year) {
        Ok(page) => html(StatusCode::OK, page.0, &cache_control),
        Err(error) => broken(chrome(req, "statistics"), error),
    }
}

/// A CSV answer, named for saving.
fn csv(body: String, name: &str, cache_control: &str) -> Response {
    let mut response = Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .body(body);
    if let Ok(value) = HeaderValue::from_str(cache_control) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    response
}

/// `GET /statistics/years.csv` and `GET /statistics/districts.csv?year=`
#[handler]
pub(in crate::http) async fn csv_table(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let table = crate::http::path_param(req, "table");
    let lang = lang_of(req);
    let Ok(year) = year_param(req) else {
        return bad_parameter(chrome(req, "statistics"), "year");
    };
    if table != "years.csv" && table != "districts.csv" {
        return failure(
            chrome(req, "statistics"),
            Failure::NotFound,
            String::new(),
            None,
        );
    }
    let (data, cache_control) = match figures(&schema, &state, req).await {
        Ok(answer) => answer,
        Err(response) => return response,
    };
    if table == "years.csv" {
        return match web::statistics::years_csv(lang, data) {
            Ok(body) => csv(body, "ganbridge-statistics-by-year.csv", &cache_control),
            Err(error) => broken(chrome(req, "statistics"), error),
        };
    }
    let Some(year) = year else {
        return bad_parameter(chrome(req, "statistics"), "year");
    };
    match web::statistics::districts_csv(lang, data, year) {
        Ok(Some(body)) => csv(
            body,
            &format!("ganbridge-statistics-{year}-by-district.csv"),
            &cache_control,
        ),
        Ok(None) => failure(
            chrome(req, "statistics"),
            Failure::NotFound,
            year.to_string(),
            None,
        ),
        Err(error) => broken(chrome(req, "statistics"), error),
    }
}
