//! The statistics rollups: each year's totals per scope (the province, each district, each park,
//! each service-line family), kept in `statistics_rollup` by the writes that change them.
//!
//! What a record adds to the totals is decided in one place, [`attribute`] and
//! [`attribute_tender`]: a company's figures for a year count once in every scope the company
//! belongs to, and so do its verified certificates in the year of issue; a tender counts in the
//! year it was published and, once complete, in the year it was awarded; a bid that was not
//! withdrawn counts in the year it was submitted. Both the incremental path and the full
//! recomputation go through those two functions.
//!
//! A write tracks the companies and tenders it is about to change ([`Tracker`], held by the
//! write's [`Tx`](crate::services::write::Tx)): tracking locks the row (on PostgreSQL) and reads
//! what the record contributes now; at commit the tracker reads it again and adds the difference
//! to the rollups in one upsert (`ON CONFLICT DO UPDATE SET x = x + excluded.x`), in the same
//! transaction. The row lock makes every writer of one company or tender take turns, so its
//! before and after are consistent; the upsert is atomic per row, so concurrent writers of
//! different records never lose an increment; and the rows are upserted in key order, so two
//! writers never wait on each other in a circle.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, IsolationLevel, QueryFilter, QuerySelect, SqliteTransactionMode, Statement,
    StreamTrait, TransactionOptions, TransactionTrait,
};

use crate::domain::{
    BidStatus, CHINA_STANDARD_TIME, ServiceLineFamily, TenderStatus, VerificationStatus,
};
use crate::entities::{bid, certification, company, company_figures, statistics_rollup, tender};
use crate::error::{AppError, AppResult};

/// Where a total is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Province,
    District(i64),
    Park(i64),
    Family(Family),
}

/// A service-line family, ordered as stored (1 ITO, 2 BPO, 3 KPO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Family(pub ServiceLineFamily);

impl Family {
    pub const ALL: [ServiceLineFamily; 3] = [
        ServiceLineFamily::Ito,
        ServiceLineFamily::Bpo,
        ServiceLineFamily::Kpo,
    ];

    fn member(self) -> i64 {
        match self.0 {
            ServiceLineFamily::Ito => 1,
            ServiceLineFamily::Bpo => 2,
            ServiceLineFamily::Kpo => 3,
        }
    }

    fn from_member(member: i64) -> Option<Family> {
        Family::ALL
            .into_iter()
            .map(Family)
            .find(|f| f.member() == member)
    }
}

impl PartialOrd for Family {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Family {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.member().cmp(&other.member())
    }
}

impl Scope {
    /// The stored scope name and member.
    pub fn column(self) -> (&'static str, i64) {
        match self {
            Scope::Province => ("province", 0),
            Scope::District(id) => ("district", id),
            Scope::Park(id) => ("park", id),
            Scope::Family(f) => ("family", f.member()),
        }
    }

    pub fn from_column(scope: &str, member: i64) -> Option<Scope> {
        match scope {
            "province" => Some(Scope::Province),
            "district" => Some(Scope::District(member)),
            "park" => Some(Scope::Park(member)),
            "family" => Family::from_member(member).map(Scope::Family),
            _ => None,
        }
    }
}

/// A year's totals in one scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Companies that reported figures for the year.
    pub companies: i64,
    pub employees: i64,
    pub contract_usd_cents: i64,
    pub contract_offshore_usd_cents: i64,
    pub executed_usd_cents: i64,
    pub executed_offshore_usd_cents: i64,
    /// Verified international certificates issued in the year.
    pub new_certificates: i64,
    /// Kept in the province's scope only, as are the two below.
    pub tenders_published: i64,
    pub tenders_awarded: i64,
    pub bids: i64,
}

impl Totals {
    fn zip(self, other: Totals, op: impl Fn(i64, i64) -> i64) -> Totals {
        Totals {
            companies: op(self.companies, other.companies),
            employees: op(self.employees, other.employees),
            contract_usd_cents: op(self.contract_usd_cents, other.contract_usd_cents),
            contract_offshore_usd_cents: op(
                self.contract_offshore_usd_cents,
                other.contract_offshore_usd_cents,
            ),
            executed_usd_cents: op(self.executed_usd_cents, other.executed_usd_cents),
            executed_offshore_usd_cents: op(
                self.executed_offshore_usd_cents,
                other.executed_offshore_usd_cents,
            ),
            new_certificates: op(self.new_certificates, other.new_certificates),
            tenders_published: op(self.tenders_published, other.tenders_published),
            tenders_awarded: op(self.tenders_awarded, other.tenders_awarded),
            bids: op(self.bids, other.bids),
        }
    }

    pub fn plus(self, other: Totals) -> Totals {
        self.zip(other, i64::saturating_add)
    }

    pub fn minus(self, other: Totals) -> Totals {
        self.zip(other, i64::saturating_sub)
    }

    pub fn is_zero(&self) -> bool {
        *self == Totals::default()
    }

    fn from_row(row: &statistics_rollup::Model) -> Totals {
        Totals {
            companies: row.companies,
            employees: row.employees,
            contract_usd_cents: row.contract_usd_cents,
            contract_offshore_usd_cents: row.contract_offshore_usd_cents,
            executed_usd_cents: row.executed_usd_cents,
            executed_offshore_usd_cents: row.executed_offshore_usd_cents,
            new_certificates: row.new_certificates,
            tenders_published: row.tenders_published,
            tenders_awarded: row.tenders_awarded,
            bids: row.bids,
        }
    }

    fn row(self, year: i32, scope: Scope) -> statistics_rollup::ActiveModel {
        let (name, member) = scope.column();
        statistics_rollup::ActiveModel {
            year: Set(year),
            scope: Set(name.to_owned()),
            member: Set(member),
            companies: Set(self.companies),
            employees: Set(self.employees),
            contract_usd_cents: Set(self.contract_usd_cents),
            contract_offshore_usd_cents: Set(self.contract_offshore_usd_cents),
            executed_usd_cents: Set(self.executed_usd_cents),
            executed_offshore_usd_cents: Set(self.executed_offshore_usd_cents),
            new_certificates: Set(self.new_certificates),
            tenders_published: Set(self.tenders_published),
            tenders_awarded: Set(self.tenders_awarded),
            bids: Set(self.bids),
        }
    }
}

/// Totals by year and scope, in key order.
pub type Rollups = BTreeMap<(i32, Scope), Totals>;

fn add(rollups: &mut Rollups, key: (i32, Scope), totals: Totals) {
    let entry = rollups.entry(key).or_default();
    *entry = entry.plus(totals);
}

/// Where a company counts: the province, its district, its park, the families of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub district: i64,
    pub park: Option<i64>,
    pub line_mask: i64,
}

impl Place {
    fn scopes(&self) -> Vec<Scope> {
        let mut scopes = vec![Scope::Province, Scope::District(self.district)];
        scopes.extend(self.park.map(Scope::Park));
        scopes.extend(
            Family::ALL
                .into_iter()
                .filter(|&f| self.line_mask & super::lines::family_mask(f) != 0)
                .map(|f| Scope::Family(Family(f))),
        );
        scopes
    }
}

/// One year's figures of a company, as they count.
fn figures_totals(f: &company_figures::Model) -> Totals {
    Totals {
        companies: 1,
        employees: i64::from(f.employees),
        contract_usd_cents: f.contract_amount_usd_cents,
        contract_offshore_usd_cents: f.contract_offshore_usd_cents,
        executed_usd_cents: f.executed_amount_usd_cents,
        executed_offshore_usd_cents: f.executed_offshore_usd_cents,
        ..Totals::default()
    }
}

/// What a company adds: each year's figures, and each verified certificate in its year of issue,
/// in every scope of its place.
pub fn attribute(
    place: &Place,
    figures: &[company_figures::Model],
    certificates_issued: &[NaiveDate],
    out: &mut Rollups,
) {
    let scopes = place.scopes();
    for f in figures {
        let totals = figures_totals(f);
        for &scope in &scopes {
            add(out, (f.year, scope), totals);
        }
    }
    let one = Totals {
        new_certificates: 1,
        ..Totals::default()
    };
    for issued in certificates_issued {
        for &scope in &scopes {
            add(out, (issued.year(), scope), one);
        }
    }
}

/// The year of a moment in Jiangxi.
pub fn year_in_jiangxi(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&CHINA_STANDARD_TIME).year()
}

/// What a tender adds, province-wide: itself in the year it was published, and in the year it
/// was awarded once complete (its last change: an awarded tender changes no more); each bid not
/// withdrawn in the year it was submitted.
pub fn attribute_tender(
    published_at: Option<DateTime<Utc>>,
    status: TenderStatus,
    updated_at: DateTime<Utc>,
    bids: &[(DateTime<Utc>, BidStatus)],
    out: &mut Rollups,
) {
    if let Some(at) = published_at {
        let one = Totals {
            tenders_published: 1,
            ..Totals::default()
        };
        add(out, (year_in_jiangxi(at), Scope::Province), one);
    }
    if status == TenderStatus::Complete {
        let one = Totals {
            tenders_awarded: 1,
            ..Totals::default()
        };
        add(out, (year_in_jiangxi(updated_at), Scope::Province), one);
    }
    let one = Totals {
        bids: 1,
        ..Totals::default()
    };
    for (submitted, status) in bids {
        if *status != BidStatus::Withdrawn {
            add(out, (year_in_jiangxi(*submitted), Scope::Province), one);
        }
    }
}

/// A record whose contribution a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    Company(i64),
    Tender(i64),
}

/// What one company contributes now (nothing when it does not exist).
async fn company_contribution<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    out: &mut Rollups,
) -> AppResult<()> {
    let place: Option<(i64, Option<i64>, i64)> = company::Entity::find_by_id(id)
        .select_only()
        .columns([
            company::Column::DistrictId,
            company::Column::ParkId,
            company::Column::ServiceLineMask,
        ])
        .into_tuple()
        .one(conn)
        .await?;
    let Some((district, park, line_mask)) = place else {
        return Ok(());
    };
    let figures = company_figures::Entity::find()
        .filter(company_figures::Column::CompanyId.eq(id))
        .all(conn)
        .await?;
    let issued: Vec<NaiveDate> = certification::Entity::find()
        .select_only()
        .column(certification::Column::IssueDate)
        .filter(certification::Column::CompanyId.eq(id))
        .filter(certification::Column::Verification.eq(VerificationStatus::Verified))
        .into_tuple()
        .all(conn)
        .await?;
    let place = Place {
        district,
        park,
        line_mask,
    };
    attribute(&place, &figures, &issued, out);
    Ok(())
}

/// What one tender contributes now (nothing when it does not exist).
async fn tender_contribution<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    out: &mut Rollups,
) -> AppResult<()> {
    let row: Option<(Option<DateTime<Utc>>, TenderStatus, DateTime<Utc>)> =
        tender::Entity::find_by_id(id)
            .select_only()
            .columns([
                tender::Column::PublishedAt,
                tender::Column::Status,
                tender::Column::UpdatedAt,
            ])
            .into_tuple()
            .one(conn)
            .await?;
    let Some((published_at, status, updated_at)) = row else {
        return Ok(());
    };
    let bids: Vec<(DateTime<Utc>, BidStatus)> = bid::Entity::find()
        .select_only()
        .columns([bid::Column::SubmittedAt, bid::Column::Status])
        .filter(bid::Column::TenderId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    attribute_tender(published_at, status, updated_at, &bids, out);
    Ok(())
}

async fn contribution<C: ConnectionTrait>(
    conn: &C,
    subject: Subject,
    out: &mut Rollups,
) -> AppResult<()> {
    match subject {
        Subject::Company(id) => company_contribution(conn, id, out).await,
        Subject::Tender(id) => tender_contribution(conn, id, out).await,
    }
}

async fn lock<C: ConnectionTrait>(conn: &C, subject: Subject) -> AppResult<()> {
    if conn.get_database_backend() != DbBackend::Postgres {
        // SQLite: the write transaction is the only writer (IMMEDIATE).
        return Ok(());
    }
    match subject {
        Subject::Company(id) => {
            company::Entity::find_by_id(id)
                .select_only()
                .column(company::Column::Id)
                .lock_exclusive()
                .into_tuple::<i64>()
                .one(conn)
                .await?;
        }
        Subject::Tender(id) => {
            tender::Entity::find_by_id(id)
                .select_only()
                .column(tender::Column::Id)
                .lock_exclusive()
                .into_tuple::<i64>()
                .one(conn)
                .await?;
        }
    }
    Ok(())
}

/// The records a write is changing, and what they contributed before it.
#[derive(Debug, Default)]
pub struct Tracker {
    subjects: BTreeSet<Subject>,
    before: Rollups,
}

impl Tracker {
    /// Locks the record and notes what it contributes now, before the write changes it.
    pub async fn track<C: ConnectionTrait>(&mut self, conn: &C, subject: Subject) -> AppResult<()> {
        if self.subjects.insert(subject) {
            lock(conn, subject).await?;
            contribution(conn, subject, &mut self.before).await?;
        }
        Ok(())
    }

    /// A record this write creates: it contributed nothing before.
    pub fn track_new(&mut self, subject: Subject) {
        self.subjects.insert(subject);
    }

    /// Adds what the tracked records now contribute, less what they did, to the rollups.
    pub async fn settle<C: ConnectionTrait>(self, conn: &C) -> AppResult<()> {
        if self.subjects.is_empty() {
            return Ok(());
        }
        let mut after = Rollups::new();
        for &subject in &self.subjects {
            contribution(conn, subject, &mut after).await?;
        }
        let mut delta = after;
        for (key, before) in self.before {
            let entry = delta.entry(key).or_default();
            *entry = entry.minus(before);
        }
        delta.retain(|_, t| !t.is_zero());
        increment(conn, &delta).await
    }
}

/// Adds `delta` to the kept totals, one upsert for all the rows, in key order.
async fn increment<C: ConnectionTrait>(conn: &C, delta: &Rollups) -> AppResult<()> {
    if delta.is_empty() {
        return Ok(());
    }
    use statistics_rollup::Column as C;
    let sum = |column: C| {
        (
            column,
            Expr::col((statistics_rollup::Entity, column)).add(Expr::col((
                sea_orm::sea_query::Alias::new("excluded"),
                column,
            ))),
        )
    };
    let on_conflict = OnConflict::columns([C::Year, C::Scope, C::Member])
        .values([
            sum(C::Companies),
            sum(C::Employees),
            sum(C::ContractUsdCents),
            sum(C::ContractOffshoreUsdCents),
            sum(C::ExecutedUsdCents),
            sum(C::ExecutedOffshoreUsdCents),
            sum(C::NewCertificates),
            sum(C::TendersPublished),
            sum(C::TendersAwarded),
            sum(C::Bids),
        ])
        .to_owned();
    statistics_rollup::Entity::insert_many(
        delta
            .iter()
            .map(|(&(year, scope), totals)| totals.row(year, scope)),
    )
    .on_conflict(on_conflict)
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Every year's totals, recomputed from the records.
pub async fn recompute<C: ConnectionTrait + StreamTrait>(conn: &C) -> AppResult<Rollups> {
    let mut places: HashMap<i64, Place> = HashMap::new();
    {
        let mut rows = company::Entity::find()
            .select_only()
            .columns([
                company::Column::Id,
                company::Column::DistrictId,
                company::Column::ParkId,
                company::Column::ServiceLineMask,
            ])
            .into_tuple::<(i64, i64, Option<i64>, i64)>()
            .stream(conn)
            .await?;
        while let Some((id, district, park, line_mask)) = rows.try_next().await? {
            places.insert(
                id,
                Place {
                    district,
                    park,
                    line_mask,
                },
            );
        }
    }
    // The scopes of each company, worked out once rather than once per row.
    let scopes: HashMap<i64, Vec<Scope>> = places.iter().map(|(&id, p)| (id, p.scopes())).collect();
    let mut out = Rollups::new();
    {
        let mut rows = company_figures::Entity::find().stream(conn).await?;
        while let Some(f) = rows.try_next().await? {
            let totals = figures_totals(&f);
            for &scope in scopes.get(&f.company_id).into_iter().flatten() {
                add(&mut out, (f.year, scope), totals);
            }
        }
    }
    {
        let mut rows = certification::Entity::find()
            .select_only()
            .columns([
                certification::Column::CompanyId,
                certification::Column::IssueDate,
            ])
            .filter(certification::Column::Verification.eq(VerificationStatus::Verified))
            .into_tuple::<(i64, NaiveDate)>()
            .stream(conn)
            .await?;
        let one = Totals {
            new_certificates: 1,
            ..Totals::default()
        };
        while let Some((company, issued)) = rows.try_next().await? {
            for &scope in scopes.get(&company).into_iter().flatten() {
                add(&mut out, (issued.year(), scope), one);
            }
        }
    }
    let mut bids: HashMap<i64, Vec<(DateTime<Utc>, BidStatus)>> = HashMap::new();
    {
        let mut rows = bid::Entity::find()
            .select_only()
            .columns([
                bid::Column::TenderId,
                bid::Column::SubmittedAt,
                bid::Column::Status,
            ])
            .into_tuple::<(i64, DateTime<Utc>, BidStatus)>()
            .stream(conn)
            .await?;
        while let Some((tender, at, status)) = rows.try_next().await? {
            bids.entry(tender).or_default().push((at, status));
        }
    }
    {
        let mut rows = tender::Entity::find()
            .select_only()
            .columns([
                tender::Column::Id,
                tender::Column::PublishedAt,
                tender::Column::Status,
                tender::Column::UpdatedAt,
            ])
            .into_tuple::<(i64, Option<DateTime<Utc>>, TenderStatus, DateTime<Utc>)>()
            .stream(conn)
            .await?;
        while let Some((id, published, status, updated)) = rows.try_next().await? {
            let of_tender = bids.get(&id).map(Vec::as_slice).unwrap_or_default();
            attribute_tender(published, status, updated, of_tender, &mut out);
        }
    }
    out.retain(|_, t| !t.is_zero());
    Ok(out)
}

/// The kept totals of the years `from..=to` (every year when absent).
pub async fn read<C: ConnectionTrait>(conn: &C, years: Option<(i32, i32)>) -> AppResult<Rollups> {
    let mut select = statistics_rollup::Entity::find();
    if let Some((from, to)) = years {
        select = select.filter(statistics_rollup::Column::Year.between(from, to));
    }
    let rows = select.all(conn).await?;
    let mut out = Rollups::new();
    for row in rows {
        let scope = Scope::from_column(&row.scope, row.member).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "statistics rollup with an unknown scope {:?} {}",
                row.scope,
                row.member
            ))
        })?;
        let totals = Totals::from_row(&row);
        if !totals.is_zero() {
            out.insert((row.year, scope), totals);
        }
    }
    Ok(out)
}

/// Locks the rollups against writers until the transaction ends (PostgreSQL; plain reads go on).
async fn lock_rollups<C: ConnectionTrait>(conn: &C) -> AppResult<()> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared("LOCK TABLE statistics_rollup IN EXCLUSIVE MODE")
            .await?;
    }
    Ok(())
}

/// Replaces the kept totals with a full recomputation, inside the caller's transaction, and
/// notes when. Writers wait meanwhile; a writer that tracked its records before waits at its
/// increment and then adds its own change on top. Answers the number of rows kept.
pub async fn rebuild<C: ConnectionTrait + StreamTrait>(conn: &C) -> AppResult<usize> {
    lock_rollups(conn).await?;
    let all = recompute(conn).await?;
    statistics_rollup::Entity::delete_many().exec(conn).await?;
    let rows: Vec<_> = all.iter().map(|(&(y, s), t)| t.row(y, s)).collect();
    // 13 values a row: well under both stores' limits on bound values per statement.
    for chunk in rows.chunks(1_000) {
        statistics_rollup::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    mark_rebuilt(conn).await?;
    Ok(all.len())
}

async fn mark_rebuilt<C: ConnectionTrait>(conn: &C) -> AppResult<()> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            DbBackend::Postgres => {
                "UPDATE statistics_rollup_state SET rebuilt_at = $1 WHERE id = 1"
            }
            _ => "UPDATE statistics_rollup_state SET rebuilt_at = ? WHERE id = 1",
        },
        [Utc::now().into()],
    ))
    .await?;
    Ok(())
}

/// When the rollups were last rebuilt from the records; `None` when never (a database from
/// before the rollups, whose records they do not yet hold).
pub async fn rebuilt_at<C: ConnectionTrait>(conn: &C) -> AppResult<Option<DateTime<Utc>>> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT rebuilt_at FROM statistics_rollup_state WHERE id = 1",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<Option<DateTime<Utc>>>("", "rebuilt_at")?,
        None => None,
    })
}

fn write_options() -> TransactionOptions {
    // On SQLite a write transaction starts as one (see `services::write`).
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    }
}

/// Rebuilds the rollups from the records in one transaction (`ganbridge statistics rebuild`);
/// answers the number of rows kept.
pub async fn rebuild_all(db: &DatabaseConnection) -> AppResult<usize> {
    let txn = db.begin_with_options(write_options()).await?;
    let rows = rebuild(&txn).await?;
    txn.commit().await?;
    Ok(rows)
}

/// Builds the rollups once if they never were: a database from before them holds records
/// they do not count yet. Several servers starting at once build them once: the others wait
/// for the lock, then find them built. Answers the rows kept when it built them.
pub async fn ensure(db: &DatabaseConnection) -> AppResult<Option<usize>> {
    if rebuilt_at(db).await?.is_some() {
        return Ok(None);
    }
    let txn = db.begin_with_options(write_options()).await?;
    lock_rollups(&txn).await?;
    if rebuilt_at(&txn).await?.is_some() {
        txn.rollback().await?;
        return Ok(None);
    }
    let rows = rebuild(&txn).await?;
    txn.commit().await?;
    Ok(Some(rows))
}

/// The differences between the kept totals and the records, read from one snapshot
/// (`ganbridge statistics verify`); none when they agree.
pub async fn verify(db: &DatabaseConnection) -> AppResult<Vec<Difference>> {
    let txn = if db.get_database_backend() == DbBackend::Postgres {
        db.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?
    } else {
        db.begin().await?
    };
    let found = differences(&txn).await?;
    txn.commit().await?;
    Ok(found)
}

/// One difference between the kept totals and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub year: i32,
    pub scope: Scope,
    pub kept: Totals,
    pub recomputed: Totals,
}

/// Compares the kept totals with a recomputation from the same snapshot of the records.
pub async fn differences<C: ConnectionTrait + StreamTrait>(conn: &C) -> AppResult<Vec<Difference>> {
    let kept = read(conn, None).await?;
    let recomputed = recompute(conn).await?;
    let keys: BTreeSet<(i32, Scope)> = kept.keys().chain(recomputed.keys()).copied().collect();
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let k = kept.get(&key).copied().unwrap_or_default();
            let r = recomputed.get(&key).copied().unwrap_or_default();
            (k != r).then_some(Difference {
                year: key.0,
                scope: key.1,
                kept: k,
                recomputed: r,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ServiceLine;

    #[test]
    fn a_company_counts_once_in_each_of_its_scopes() {
        let place = Place {
            district: 7,
            park: Some(3),
            line_mask: crate::services::lines::line_mask([
                ServiceLine::SoftwareDevelopment,
                ServiceLine::SoftwareTesting,
                ServiceLine::DataAnalytics,
            ]),
        };
        let figures = company_figures::Model {
            company_id: 1,
            year: 2014,
            contract_amount_usd_cents: 100,
            contract_offshore_usd_cents: 40,
            executed_amount_usd_cents: 90,
            executed_offshore_usd_cents: 30,
            employees: 12,
        };
        let issued = [NaiveDate::from_ymd_opt(2013, 5, 1).expect("a date")];
        let mut out = Rollups::new();
        attribute(&place, &[figures], &issued, &mut out);
        let scopes = [
            Scope::Province,
            Scope::District(7),
            Scope::Park(3),
            Scope::Family(Family(ServiceLineFamily::Ito)),
            Scope::Family(Family(ServiceLineFamily::Kpo)),
        ];
        for scope in scopes {
            assert_eq!(out[&(2014, scope)].companies, 1, "{scope:?}");
            assert_eq!(out[&(2014, scope)].employees, 12);
            assert_eq!(out[&(2013, scope)].new_certificates, 1);
        }
        assert_eq!(out.len(), 10, "two lines of one family count once: {out:?}");
    }

    #[test]
    fn a_tender_counts_in_jiangxi_years() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("a time");
        let mut out = Rollups::new();
        // 16:30 UTC on New Year's Eve is already the new year in Jiangxi.
        attribute_tender(
            Some(at("2024-12-31T16:30:00Z")),
            TenderStatus::Complete,
            at("2025-03-01T00:00:00Z"),
            &[
                (at("2025-01-02T00:00:00Z"), BidStatus::Awarded),
                (at("2025-01-03T00:00:00Z"), BidStatus::Withdrawn),
            ],
            &mut out,
        );
        let y2025 = out[&(2025, Scope::Province)];
        assert_eq!(
            (y2025.tenders_published, y2025.tenders_awarded, y2025.bids),
            (1, 1, 1)
        );
        assert_eq!(out.len(), 1);
    }
}
