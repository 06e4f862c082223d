//! Open data: the tenders' releases in the Open Contracting Data Standard 1.1, a face beside
//! GraphQL over the same services.
//!
//! The services keep each tender's history as releases (`services::release`); this module
//! writes them as OCDS: a release ([`mapping`]), the packages of releases and of records a
//! reader pages through, each record's compiled release ([`merge`]), and the yearly bulk
//! files ([`bulk`]). Packages declare the bid extension (`bids.statistics`) and the
//! pagination extension (`links.next`). `http::ocds` serves them.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde_json::{Map, Value, json};

use crate::error::{AppError, AppResult};
use crate::services::release::{self, Release};

pub mod bulk;
pub mod mapping;
pub mod merge;

/// Who publishes, as every package says.
pub const PUBLISHER: &str = "Department of Commerce of Jiangxi Province";

/// The extensions the packages use, by the URLs of their registry entries.
pub const EXTENSIONS: [&str; 2] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/master/extension.json",
];

/// The most releases or records one page holds.
pub const MAX_LIMIT: u64 = 1_000;

/// Where the data is published: the public base URL, without a trailing `/`.
#[derive(Debug, Clone)]
pub struct Publication {
    pub base: Arc<str>,
}

impl Publication {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// What the open-data face serves from: where it is published, and its bulk files.
pub struct OpenData {
    pub publication: Publication,
    pub bulk: bulk::Bulk,
}

/// The package around `items` (`releases` or `records`): its metadata and, with `next`, the
/// link to the next page.
pub fn package(
    publication: &Publication,
    uri: &str,
    published: DateTime<Utc>,
    key: &str,
    items: Vec<Value>,
    next: Option<String>,
) -> Value {
    let mut package = package_head(publication, uri, published);
    package.insert(key.to_owned(), Value::Array(items));
    if let Some(next) = next {
        package.insert("links".into(), json!({ "next": next }));
    }
    Value::Object(package)
}

/// A package's metadata, before its releases or records.
pub fn package_head(
    publication: &Publication,
    uri: &str,
    published: DateTime<Utc>,
) -> Map<String, Value> {
    let mut package = Map::new();
    package.insert("uri".into(), json!(publication.url(uri)));
    package.insert("version".into(), json!("1.1"));
    package.insert("extensions".into(), json!(EXTENSIONS));
    package.insert("publishedDate".into(), json!(mapping::instant(published)));
    package.insert("publisher".into(), json!({ "name": PUBLISHER }));
    package
}

/// A page's position: after this release (`seq`) or this tender (id), in one list or the
/// other. A cursor of one list is refused by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    Releases(i64),
    Records(i64),
}

impl Cursor {
    pub fn encode(self) -> String {
        let text = match self {
            Cursor::Releases(seq) => format!("releases:{seq}"),
            Cursor::Records(id) => format!("records:{id}"),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(value: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (kind, number) = text.split_once(':')?;
        let number: i64 = number.parse().ok().filter(|n| *n >= 0)?;
        match kind {
            "releases" => Some(Cursor::Releases(number)),
            "records" => Some(Cursor::Records(number)),
            _ => None,
        }
    }
}

/// The newest change among `releases`, or else the newest of all, or now.
async fn published(db: &DatabaseConnection, releases: &[Release]) -> AppResult<DateTime<Utc>> {
    match releases.iter().map(|r| r.released_at).max() {
        Some(at) => Ok(at),
        None => Ok(release::newest(db).await?.unwrap_or_else(Utc::now)),
    }
}

/// A page of the release list.
pub struct ReleasePage {
    pub since: Option<DateTime<Utc>>,
    pub after: Option<i64>,
    pub limit: u64,
}

/// Appends `name=value` to a query string.
fn param(query: &mut String, name: &str, value: &str) {
    query.push(if query.is_empty() { '?' } else { '&' });
    query.push_str(name);
    query.push('=');
    query.push_str(&encode_component(value));
}

fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /ocds/releases`: releases oldest first, from `since`, after the cursor.
pub async fn releases_page(
    db: &DatabaseConnection,
    publication: &Publication,
    page: &ReleasePage,
) -> AppResult<Value> {
    let mut rows = release::page(db, page.since, page.after, page.limit + 1).await?;
    let more = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    let query = |after: Option<i64>| {
        let mut query = String::new();
        if let Some(since) = page.since {
            param(&mut query, "since", &mapping::instant(since));
        }
        if let Some(after) = after {
            param(&mut query, "cursor", &Cursor::Releases(after).encode());
        }
        param(&mut query, "limit", &page.limit.to_string());
        format!("/ocds/releases{query}")
    };
    let next = more
        .then(|| rows.last().map(|r| publication.url(&query(Some(r.seq)))))
        .flatten();
    let published = published(db, &rows).await?;
    let releases = rows.iter().map(mapping::release).collect();
    Ok(package(
        publication,
        &query(page.after),
        published,
        "releases",
        releases,
        next,
    ))
}

/// The releases of the tender an ocid names.
async fn tender_of(db: &DatabaseConnection, ocid: &str) -> AppResult<Vec<Release>> {
    let missing = || AppError::NotFound(format!("no tender has the ocid '{ocid}'"));
    let id = release::tender_of_ocid(db, ocid)
        .await?
        .ok_or_else(missing)?;
    let releases = release::of_tenders(db, &[id])
        .await?
        .remove(&id)
        .ok_or_else(missing)?;
    Ok(releases)
}

/// One tender's record: its releases, and their compiled release.
pub fn record(releases: &[Release]) -> Value {
    let ocid = releases
        .first()
        .map(|r| r.snapshot.ocid.clone())
        .unwrap_or_default();
    let releases: Vec<Value> = releases.iter().map(mapping::release).collect();
    let compiled = merge::compile(&releases);
    json!({ "ocid": ocid, "releases": releases, "compiledRelease": compiled })
}

/// `GET /ocds/releases/{ocid}` (one tender's releases, in a release package) and
/// `GET /ocds/records/{ocid}` (its record, in a record package).
pub async fn of_tender(
    db: &DatabaseConnection,
    publication: &Publication,
    ocid: &str,
    kind: bulk::Kind,
) -> AppResult<Value> {
    let releases = tender_of(db, ocid).await?;
    let published = published(db, &releases).await?;
    let items = match kind {
        bulk::Kind::Releases => releases.iter().map(mapping::release).collect(),
        bulk::Kind::Records => vec![record(&releases)],
    };
    Ok(package(
        publication,
        &format!("/ocds/{}/{ocid}", kind.name()),
        published,
        kind.name(),
        items,
        None,
    ))
}

/// `GET /ocds/records`: records by tender, after the cursor.
pub async fn records_page(
    db: &DatabaseConnection,
    publication: &Publication,
    after: Option<i64>,
    limit: u64,
) -> AppResult<Value> {
    let mut ids = release::tenders_page(db, after, None, limit + 1).await?;
    let more = ids.len() as u64 > limit;
    ids.truncate(limit as usize);
    let mut by_tender = release::of_tenders(db, &ids).await?;
    let mut all = Vec::new();
    let mut records = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(releases) = by_tender.remove(id) {
            records.push(record(&releases));
            all.extend(releases.into_iter().last());
        }
    }
    let query = |after: Option<i64>| {
        let mut query = String::new();
        if let Some(after) = after {
            param(&mut query, "cursor", &Cursor::Records(after).encode());
        }
        param(&mut query, "limit", &limit.to_string());
        format!("/ocds/records{query}")
    };
    let next = more
        .then(|| ids.last().map(|&id| publication.url(&query(Some(id)))))
        .flatten();
    let published = published(db, &all).await?;
    Ok(package(
        publication,
        &query(after),
        published,
        "records",
        records,
        next,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_name_their_list() {
        for cursor in [
            Cursor::Releases(0),
            Cursor::Releases(42),
            Cursor::Records(7),
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        assert_ne!(Cursor::Releases(7).encode(), Cursor::Records(7).encode());
        for bad in ["", "!!", "cmVsZWFzZXM6LTE", "Zm9vOjE", "cmVsZWFzZXM6eA"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
