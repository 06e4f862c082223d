//! The published history of tenders: every change a buyer makes to a tender is kept as one
//! immutable release, written in the transaction of the change, with what the tender was after
//! it ([`Snapshot`]). Releases are ordered by `seq`, the order in which their writes
//! committed, on PostgreSQL as on SQLite ([`record`]); their instants never go back in that
//! order, so a reader asking for what changed since an instant never misses a release that
//! committed after it read.
//!
//! A snapshot says what the public may know and nothing else: never a proposal, a bid of an
//! open tender, the amount or identity of a bid that did not win, a withdrawn bid or an
//! alliance's shares. The open-data face (`crate::ocds`) publishes releases in the Open
//! Contracting Data Standard; this module knows only tenders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};

use crate::entities::{tender, tender_release, tender_release_clock};
use crate::error::{AppError, AppResult};

mod record;
mod snapshot;

pub use record::{Pending, ensure, write_missing};

/// What a release records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The tender was posted, in planning.
    Created,
    /// It was edited while in planning.
    PlanningUpdated,
    /// It was opened for answers.
    Published,
    /// It was amended while open (the write's `tender_amendment` row says how).
    Amended,
    Cancelled,
    /// It was closed without an award.
    ClosedUnsuccessful,
    /// It was closed with an award.
    Awarded,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::PlanningUpdated => "planning_updated",
            Change::Published => "published",
            Change::Amended => "amended",
            Change::Cancelled => "cancelled",
            Change::ClosedUnsuccessful => "closed_unsuccessful",
            Change::Awarded => "awarded",
        }
    }

    fn parse(value: &str) -> AppResult<Change> {
        Ok(match value {
            "created" => Change::Created,
            "planning_updated" => Change::PlanningUpdated,
            "published" => Change::Published,
            "amended" => Change::Amended,
            "cancelled" => Change::Cancelled,
            "closed_unsuccessful" => Change::ClosedUnsuccessful,
            "awarded" => Change::Awarded,
            other => {
                return Err(AppError::internal(anyhow::anyhow!(
                    "unknown release change '{other}'"
                )));
            }
        })
    }
}

/// An amount of money as stored: minor units of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub minor: i64,
    pub currency: String,
}

/// A name in English and in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub en: String,
    pub zh: String,
}

/// The buyer, as it was when the release was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub id: i64,
    pub name: Names,
    pub uscc: Option<String>,
    /// The counterpart kind's stored value (`ftz_enterprise`, ...).
    pub kind: String,
    pub city: String,
    /// Its area of the Shanghai Free Trade Zone, if it is registered in one.
    pub ftz_area: Option<Names>,
}

/// A company the award went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    pub id: i64,
    pub name: Names,
    pub uscc: String,
    pub district: Names,
    /// The alliance's lead (always true for a company bidding alone).
    pub lead: bool,
}

/// The award: the winning bid's value and date, and who won it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub date: DateTime<Utc>,
    pub value: Option<Amount>,
    /// The alliance that won, if an alliance did.
    pub alliance: Option<Names>,
    /// The winners, lead first: the company, or every member of the alliance then.
    pub suppliers: Vec<Supplier>,
}

/// An amendment made while the tender was open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub id: i64,
    pub date: DateTime<Utc>,
    pub rationale: Option<String>,
    /// The names of the changed fields.
    pub changed: Vec<String>,
    /// The tender's release this amendment changed, and the one it made (release numbers),
    /// when known (not for amendments made before releases were kept).
    pub amends_release: Option<i32>,
    pub release: Option<i32>,
}

/// What a tender was after a change: everything a release publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub ocid: String,
    pub title: Names,
    pub description: Names,
    /// The tender status's stored value (`planning`, `active`, ...).
    pub status: String,
    pub value: Option<Amount>,
    pub published_at: Option<DateTime<Utc>>,
    pub closes_at: DateTime<Utc>,
    /// Stored values of the service lines asked for, in order.
    pub service_lines: Vec<String>,
    /// Stored values of the certificates required, in order.
    pub required_certifications: Vec<String>,
    pub min_employees: Option<i32>,
    pub buyer: Buyer,
    pub amendments: Vec<Amendment>,
    pub award: Option<Award>,
    /// How many bids it received (withdrawn ones not counted), once closed.
    pub bids_received: Option<i64>,
    /// What the tender's previous release published and this change took away (a value
    /// withdrawn from disclosure, a text cleared): a release says so, or the merged record
    /// would keep the old value as if it were current.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<Withdrawn>,
}

/// A field of a tender that a change can take away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Withdrawn {
    Value,
    TitleEn,
    TitleZh,
    DescriptionEn,
    DescriptionZh,
}

impl Snapshot {
    /// The fields `before` published that this snapshot no longer has.
    pub fn taken_away_since(&self, before: &Snapshot) -> Vec<Withdrawn> {
        let gone = |was: &str, is: &str| !was.trim().is_empty() && is.trim().is_empty();
        [
            (
                before.value.is_some() && self.value.is_none(),
                Withdrawn::Value,
            ),
            (gone(&before.title.en, &self.title.en), Withdrawn::TitleEn),
            (gone(&before.title.zh, &self.title.zh), Withdrawn::TitleZh),
            (
                gone(&before.description.en, &self.description.en),
                Withdrawn::DescriptionEn,
            ),
            (
                gone(&before.description.zh, &self.description.zh),
                Withdrawn::DescriptionZh,
            ),
        ]
        .into_iter()
        .filter_map(|(gone, field)| gone.then_some(field))
        .collect()
    }
}

/// One release as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub seq: i64,
    pub tender_id: i64,
    pub number: i32,
    pub change: Change,
    pub released_at: DateTime<Utc>,
    pub snapshot: Snapshot,
}

impl Release {
    fn read(row: tender_release::Model) -> AppResult<Release> {
        let snapshot: Snapshot = serde_json::from_str(&row.snapshot).map_err(AppError::internal)?;
        Ok(Release {
            seq: row.seq,
            tender_id: row.tender_id,
            number: row.number,
            change: Change::parse(&row.change)?,
            released_at: row.released_at,
            snapshot,
        })
    }
}

fn read_all(rows: Vec<tender_release::Model>) -> AppResult<Vec<Release>> {
    rows.into_iter().map(Release::read).collect()
}

/// Up to `limit` releases after `after` (a `seq`), oldest first, released at or after `since`.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    since: Option<DateTime<Utc>>,
    after: Option<i64>,
    limit: u64,
) -> AppResult<Vec<Release>> {
    let mut select = tender_release::Entity::find();
    if let Some(since) = since {
        select = select.filter(tender_release::Column::ReleasedAt.gte(since));
    }
    if let Some(after) = after {
        select = select.filter(tender_release::Column::Seq.gt(after));
    }
    read_all(
        select
            .order_by_asc(tender_release::Column::Seq)
            .limit(limit)
            .all(conn)
            .await?,
    )
}

/// The releases of each of these tenders, oldest first.
pub async fn of_tenders<C: ConnectionTrait>(
    conn: &C,
    tender_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Release>>> {
    let rows = tender_release::Entity::find()
        .filter(tender_release::Column::TenderId.is_in(tender_ids.iter().copied()))
        .order_by_asc(tender_release::Column::Seq)
        .all(conn)
        .await?;
    let mut map: HashMap<i64, Vec<Release>> = HashMap::new();
    for row in rows {
        let release = Release::read(row)?;
        map.entry(release.tender_id).or_default().push(release);
    }
    Ok(map)
}

/// The tender an ocid names, if it has releases.
pub async fn tender_of_ocid<C: ConnectionTrait>(conn: &C, ocid: &str) -> AppResult<Option<i64>> {
    Ok(tender::Entity::find()
        .select_only()
        .column(tender::Column::Id)
        .filter(tender::Column::Ocid.eq(ocid))
        .into_tuple::<i64>()
        .one(conn)
        .await?)
}

/// Up to `limit` tenders with releases, by id, after the tender `after`.
pub async fn tenders_page<C: ConnectionTrait>(
    conn: &C,
    after: Option<i64>,
    year: Option<i32>,
    limit: u64,
) -> AppResult<Vec<i64>> {
    let mut select = tender_release::Entity::find()
        .select_only()
        .column(tender_release::Column::TenderId)
        .filter(tender_release::Column::Number.eq(1));
    if let Some(after) = after {
        select = select.filter(tender_release::Column::TenderId.gt(after));
    }
    if let Some(year) = year {
        select = select.filter(tender_release::Column::Year.eq(year));
    }
    Ok(select
        .order_by_asc(tender_release::Column::TenderId)
        .limit(limit)
        .into_tuple::<i64>()
        .all(conn)
        .await?)
}

/// The instant of the newest release, if there is one.
pub async fn newest<C: ConnectionTrait>(conn: &C) -> AppResult<Option<DateTime<Utc>>> {
    Ok(tender_release_clock::Entity::find_by_id(1)
        .one(conn)
        .await?
        .and_then(|c| c.last_released_at))
}

/// What one yearly file holds: how many releases (or records), the newest `seq` among them,
/// and the instant of the newest change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearSummary {
    pub year: i32,
    pub count: i64,
    pub last_seq: i64,
    pub last_at: DateTime<Utc>,
}

async fn summaries<C: ConnectionTrait>(conn: &C, sql: &str) -> AppResult<Vec<YearSummary>> {
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(YearSummary {
            year: row.try_get_by_index(0)?,
            count: row.try_get_by_index(1)?,
            last_seq: row.try_get_by_index(2)?,
            last_at: row.try_get_by_index(3)?,
        });
    }
    Ok(out)
}

/// The releases of each year (UTC), oldest year first.
pub async fn release_years<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<YearSummary>> {
    summaries(
        conn,
        "SELECT year, COUNT(*), MAX(seq), MAX(released_at) FROM tender_release \
         GROUP BY year ORDER BY year",
    )
    .await
}

/// The tenders whose first release fell in each year (UTC), with the newest of all their
/// releases: what each year's file of records holds.
pub async fn record_years<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<YearSummary>> {
    summaries(
        conn,
        "SELECT f.year, COUNT(DISTINCT f.tender_id), MAX(r.seq), MAX(r.released_at) \
         FROM tender_release f JOIN tender_release r ON r.tender_id = f.tender_id \
         WHERE f.number = 1 GROUP BY f.year ORDER BY f.year",
    )
    .await
}

/// Up to `limit` releases of `year` (UTC) after `after` (a `seq`), oldest first.
pub async fn of_year<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    after: Option<i64>,
    limit: u64,
) -> AppResult<Vec<Release>> {
    let mut select = tender_release::Entity::find().filter(tender_release::Column::Year.eq(year));
    if let Some(after) = after {
        select = select.filter(tender_release::Column::Seq.gt(after));
    }
    read_all(
        select
            .order_by_asc(tender_release::Column::Seq)
            .limit(limit)
            .all(conn)
            .await?,
    )
}
