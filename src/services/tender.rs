//! Tenders (demand postings) and their buyers: reading them, and the buyer's changes to them
//! (posting, amending, publishing, cancelling, closing with or without an award). A tender in
//! planning is public, as an OCDS planning notice is: announced, not yet open for answers.
//! Bids are confidential and live in `bid`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
};

use super::joined::{Projected, Projection, select_projected};
use super::page::{Keyset, Page, PageRequest, SortKey, first_per_group, paginate};
use crate::domain::{CertificationStandard, ServiceLine, TenderStatus};
use crate::entities::{counterpart, tender, tender_required_certification, tender_service_line};
use crate::error::AppResult;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TenderFilter {
    pub status: Option<TenderStatus>,
    /// The tender asks for at least one of these lines.
    pub service_lines: Option<Vec<ServiceLine>>,
    pub counterpart_id: Option<i64>,
    /// The tender period ends at or after this instant.
    pub closing_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TenderSort {
    #[default]
    ClosingDate,
    Posted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TenderOrder {
    pub sort: TenderSort,
    pub descending: bool,
}

impl TenderOrder {
    fn tag(&self) -> String {
        let dir = if self.descending { "desc" } else { "asc" };
        match self.sort {
            TenderSort::ClosingDate => format!("tender.closing.{dir}"),
            TenderSort::Posted => format!("tender.posted.{dir}"),
        }
    }

    /// Whether a position was taken in this ordering (and carries a key of the right kind).
    pub fn accepts(&self, position: &Keyset) -> bool {
        let key_fits = matches!(
            (self.sort, &position.key),
            (TenderSort::ClosingDate, Some(SortKey::Time(_))) | (TenderSort::Posted, None)
        );
        position.order == self.tag() && key_fits
    }

    pub fn position(&self, t: &tender::Model) -> Keyset {
        let key = match self.sort {
            TenderSort::ClosingDate => Some(SortKey::Time(t.tender_period_end)),
            TenderSort::Posted => None,
        };
        Keyset {
            order: self.tag(),
            key,
            id: t.id,
        }
    }
}

fn filtered(filter: &TenderFilter) -> Select<tender::Entity> {
    let mut select = tender::Entity::find();
    if let Some(status) = filter.status {
        // Written into the statement, not bound: PostgreSQL plans each statement once for all
        // its parameters (see `db.rs`), and only a plan that knows the status may use the
        // index of open tenders.
        select = select.filter(Expr::col((tender::Entity, tender::Column::Status)).eq(
            Expr::Constant(sea_orm::ActiveEnum::to_value(&status).into()),
        ));
    }
    if let Some(counterpart) = filter.counterpart_id {
        select = select.filter(tender::Column::CounterpartId.eq(counterpart));
    }
    if let Some(after) = filter.closing_after {
        select = select.filter(tender::Column::TenderPeriodEnd.gte(after));
    }
    if let Some(lines) = &filter.service_lines {
        let asking = tender_service_line::Entity::find()
            .select_only()
            .column(tender_service_line::Column::TenderId)
            .filter(tender_service_line::Column::ServiceLine.is_in(lines.iter().copied()))
            .into_query();
        select = select.filter(tender::Column::Id.in_subquery(asking));
    }
    select
}

/// The statement for one page of `filter`'s tenders in `order`.
fn one_page(
    filter: &TenderFilter,
    order: TenderOrder,
    page: &PageRequest,
) -> Select<tender::Entity> {
    let direction = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let sort = match order.sort {
        TenderSort::ClosingDate => Some(tender::Column::TenderPeriodEnd),
        TenderSort::Posted => None,
    };
    paginate(filtered(filter), sort, tender::Column::Id, direction, page)
}

/// One page of `filter`'s tenders in `order`, reading only the columns `tenders` names (and
/// those the page itself needs: the id and the sort key), and, if `buyers` names columns, each
/// tender's buyer joined in the same statement (a tender has exactly one). Columns not read
/// hold a [`Blank`](super::joined::Blank); the buyers come back by id.
pub async fn list_projected(
    db: &DatabaseConnection,
    filter: &TenderFilter,
    order: TenderOrder,
    page: &PageRequest,
    tenders: Projection<tender::Entity>,
    buyers: Option<Projection<counterpart::Entity>>,
) -> AppResult<(Page<tender::Model>, HashMap<i64, counterpart::Model>)> {
    use sea_orm::sea_query::JoinType;
    use sea_orm::{ConnectionTrait, QueryTrait};

    let mut columns = tenders.and(&[tender::Column::Id]);
    if order.sort == TenderSort::ClosingDate {
        columns = columns.and(&[tender::Column::TenderPeriodEnd]);
    }
    let buyers = buyers.map(|b| {
        columns = columns.and(&[tender::Column::CounterpartId]);
        b.and(&[counterpart::Column::Id])
    });
    let mut query = one_page(filter, order, page).into_query();
    query.clear_selects();
    select_projected(&mut query, tender::Entity, columns);
    if let Some(buyers) = buyers {
        select_projected(&mut query, counterpart::Entity, buyers);
        query.join(
            JoinType::InnerJoin,
            counterpart::Entity,
            Expr::col((counterpart::Entity, counterpart::Column::Id))
                .equals((tender::Entity, tender::Column::CounterpartId)),
        );
    }
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    let width = columns.columns().count();
    let mut found = Vec::with_capacity(rows.len());
    let mut buyers_read: HashMap<i64, counterpart::Model> = HashMap::new();
    for row in &rows {
        found.push(tender::Model::read_projected(row, 0, columns)?);
        // A page's tenders come from a few buyers: each is read from its first row only. The
        // buyer's id is its first column.
        if let Some(buyers) = buyers {
            let buyer_id: i64 = row.try_get_by_index(width)?;
            if let std::collections::hash_map::Entry::Vacant(slot) = buyers_read.entry(buyer_id) {
                slot.insert(counterpart::Model::read_projected(row, width, buyers)?);
            }
        }
    }
    Ok((
        Page::from_rows(found, page.first, |t| order.position(t)),
        buyers_read,
    ))
}

pub async fn count(db: &DatabaseConnection, filter: &TenderFilter) -> AppResult<u64> {
    Ok(filtered(filter).count(db).await?)
}

/// The first page of tenders of each of several counterparts, in one statement.
pub async fn first_of_counterparts(
    db: &DatabaseConnection,
    counterpart_ids: &[i64],
    order: TenderOrder,
    page: &PageRequest,
) -> AppResult<HashMap<i64, Page<tender::Model>>> {
    let direction = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let sort = match order.sort {
        TenderSort::ClosingDate => Some(tender::Column::TenderPeriodEnd),
        TenderSort::Posted => None,
    };
    Ok(first_per_group(
        db,
        tender::Entity::find(),
        tender::Column::CounterpartId,
        counterpart_ids,
        sort,
        tender::Column::Id,
        direction,
        page,
        |t| Some(t.counterpart_id),
        |t| order.position(t),
    )
    .await?)
}

/// How many tenders each counterpart has posted.
pub async fn count_by_counterparts(
    db: &DatabaseConnection,
    counterpart_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = tender::Entity::find()
        .select_only()
        .column(tender::Column::CounterpartId)
        .column_as(tender::Column::Id.count(), "tenders")
        .filter(tender::Column::CounterpartId.is_in(counterpart_ids.iter().copied()))
        .group_by(tender::Column::CounterpartId)
        .into_tuple()
        .all(db)
        .await?;
    let mut map: HashMap<i64, i64> = counterpart_ids.iter().map(|&id| (id, 0)).collect();
    map.extend(rows);
    Ok(map)
}

pub async fn by_ids(
    db: &DatabaseConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, tender::Model>> {
    let rows = tender::Entity::find()
        .filter(tender::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|t| (t.id, t)).collect())
}

pub async fn by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<tender::Model>> {
    Ok(tender::Entity::find_by_id(id).one(db).await?)
}

pub async fn service_lines(
    db: &DatabaseConnection,
    tender_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<ServiceLine>>> {
    let rows = tender_service_line::Entity::find()
        .filter(tender_service_line::Column::TenderId.is_in(tender_ids.iter().copied()))
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<ServiceLine>> =
        tender_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.tender_id).or_default().push(row.service_line);
    }
    for lines in map.values_mut() {
        lines.sort();
    }
    Ok(map)
}

pub async fn required_certifications(
    db: &DatabaseConnection,
    tender_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<CertificationStandard>>> {
    let rows = tender_required_certification::Entity::find()
        .filter(tender_required_certification::Column::TenderId.is_in(tender_ids.iter().copied()))
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<CertificationStandard>> =
        tender_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.tender_id).or_default().push(row.standard);
    }
    for standards in map.values_mut() {
        standards.sort();
    }
    Ok(map)
}

pub mod counterparts {
    //! Counterparts: the buyers who post tenders.

    use super::*;

    pub const ORDER_TAG: &str = "counterpart.id";

    pub async fn list(
        db: &DatabaseConnection,
        page: &PageRequest,
    ) -> AppResult<Page<counterpart::Model>> {
        let rows = paginate(
            counterpart::Entity::find(),
            None::<counterpart::Column>,
            counterpart::Column::Id,
            Order::Asc,
            page,
        )
        .all(db)
        .await?;
        Ok(Page::from_rows(rows, page.first, |c| Keyset {
            order: ORDER_TAG.into(),
            key: None,
            id: c.id,
        }))
    }

    pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
        Ok(counterpart::Entity::find().count(db).await?)
    }

    pub async fn by_ids(
        db: &DatabaseConnection,
        ids: &[i64],
    ) -> AppResult<HashMap<i64, counterpart::Model>> {
        let rows = counterpart::Entity::find()
            .filter(counterpart::Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(counterpart::Column::Id)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}

pub use changes::*;

mod changes {
    //! A counterpart's changes to its tenders, and the Department of Commerce's and a
    //! counterpart's changes to counterpart records.

    use chrono::{DateTime, Utc};
    use rand::RngCore;
    use sea_orm::{
        ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    };

    use crate::domain::global_id::Kind;
    use crate::domain::{
        BidStatus, CertificationStandard, CounterpartKind, Money, SearchType, ServiceLine,
        TenderStatus, Uscc,
    };
    use crate::entities::{
        bid, counterpart, tender, tender_amendment, tender_required_certification,
        tender_service_line,
    };
    use crate::error::{AppError, AppResult};
    use crate::events::Event;
    use crate::services::input::{lines as service_lines, optional_text, text_field, website};
    use crate::services::write::{Tx, Writer};

    /// A tender's fields; on update, absent fields stay as they are.
    #[derive(Debug, Clone, Default)]
    pub struct TenderFields {
        pub title_en: Option<String>,
        pub title_zh: Option<String>,
        pub description_en: Option<String>,
        pub description_zh: Option<String>,
        pub service_lines: Option<Vec<ServiceLine>>,
        /// `Some(None)` withdraws the disclosed value.
        pub value: Option<Option<Money>>,
        pub closes_at: Option<DateTime<Utc>>,
        pub required_certifications: Option<Vec<CertificationStandard>>,
        /// `Some(None)` removes the minimum.
        pub min_employees: Option<Option<i32>>,
        /// Why the tender was amended (updates only).
        pub rationale: Option<String>,
    }

    fn closes_at(value: DateTime<Utc>, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
        if value <= now {
            return Err(AppError::bad_field(
                "closesAt",
                "the closing time must be in the future",
            ));
        }
        if value > now + chrono::Duration::days(366) {
            return Err(AppError::bad_field(
                "closesAt",
                "the closing time must be within a year",
            ));
        }
        Ok(value)
    }

    fn min_employees(value: Option<i32>) -> AppResult<Option<i32>> {
        match value {
            Some(v) if !(1..=1_000_000).contains(&v) => Err(AppError::bad_field(
                "eligibility.minEmployees",
                "the minimum headcount must be between 1 and 1,000,000",
            )),
            other => Ok(other),
        }
    }

    fn value(money: Option<Money>) -> AppResult<(Option<i64>, Option<String>)> {
        match money {
            None => Ok((None, None)),
            Some(m) => {
                let minor = m
                    .to_minor()
                    .map_err(|e| AppError::bad_field("value.amount", e.to_string()))?;
                Ok((Some(minor), Some(m.currency.code().to_owned())))
            }
        }
    }

    async fn replace_lines(tx: &Tx<'_>, id: i64, lines: &[ServiceLine]) -> AppResult<()> {
        tender_service_line::Entity::delete_many()
            .filter(tender_service_line::Column::TenderId.eq(id))
            .exec(&tx.txn)
            .await?;
        tender_service_line::Entity::insert_many(lines.iter().map(|&line| {
            tender_service_line::ActiveModel {
                tender_id: Set(id),
                service_line: Set(line),
            }
        }))
        .exec_without_returning(&tx.txn)
        .await?;
        Ok(())
    }

    async fn replace_required(
        tx: &Tx<'_>,
        id: i64,
        standards: &[CertificationStandard],
    ) -> AppResult<()> {
        tender_required_certification::Entity::delete_many()
            .filter(tender_required_certification::Column::TenderId.eq(id))
            .exec(&tx.txn)
            .await?;
        let mut standards = standards.to_vec();
        standards.sort();
        standards.dedup();
        if !standards.is_empty() {
            tender_required_certification::Entity::insert_many(standards.into_iter().map(
                |standard| tender_required_certification::ActiveModel {
                    tender_id: Set(id),
                    standard: Set(standard),
                },
            ))
            .exec_without_returning(&tx.txn)
            .await?;
        }
        Ok(())
    }

    /// A counterpart posts a tender; it starts in `planning`: announced (OCDS planning), not
    /// yet open for answers.
    pub async fn create(w: &Writer<'_>, fields: TenderFields) -> AppResult<tender::Model> {
        let buyer = w.require_counterpart()?;
        let now = Utc::now();
        let title_en = text_field("title", fields.title_en.as_deref().unwrap_or(""), 300)?;
        let title_zh = text_field("titleZh", fields.title_zh.as_deref().unwrap_or(""), 200)?;
        let description_en = text_field(
            "description",
            fields.description_en.as_deref().unwrap_or(""),
            20_000,
        )?;
        let description_zh =
            optional_text("descriptionZh", fields.description_zh.as_deref(), 20_000)?
                .unwrap_or_default();
        let lines = service_lines(
            fields.service_lines.as_deref().unwrap_or_default(),
            "serviceLines",
        )?;
        let closes = closes_at(
            fields
                .closes_at
                .ok_or_else(|| AppError::bad_field("closesAt", "closesAt is required"))?,
            now,
        )?;
        let (amount, currency) = value(fields.value.flatten())?;
        let min = min_employees(fields.min_employees.flatten())?;
        let mut placeholder = [0u8; 8];
        rand::rng().fill_bytes(&mut placeholder);
        let mut tx = w.begin().await?;
        let record = tender::ActiveModel {
            // Replaced below by the id-based OCID, once the id is known.
            ocid: Set(format!("pending-{}", crate::domain::hex(&placeholder))),
            title_en: Set(title_en),
            title_zh: Set(title_zh),
            description_en: Set(description_en),
            description_zh: Set(description_zh),
            counterpart_id: Set(buyer),
            status: Set(TenderStatus::Planning),
            value_amount_minor: Set(amount),
            value_currency: Set(currency),
            tender_period_start: Set(now),
            tender_period_end: Set(closes),
            min_employees: Set(min),
            published_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await?;
        let mut active: tender::ActiveModel = record.into();
        let id = *active.id.as_ref();
        active.ocid = Set(format!("ocds-gnbrdg-{id:06}"));
        let record = active.update(&tx.txn).await?;
        replace_lines(&tx, id, &lines).await?;
        replace_required(&tx, id, &fields.required_certifications.unwrap_or_default()).await?;
        tx.index(SearchType::Tender, &[id]).await?;
        tx.audit(
            "createTender",
            &[(Kind::Tender, id), (Kind::Counterpart, buyer)],
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The tender, locked for this transaction where the store can, and owned by the caller.
    async fn owned(tx: &Tx<'_>, w: &Writer<'_>, id: i64) -> AppResult<tender::Model> {
        let buyer = w.require_counterpart()?;
        let record = tx
            .locked(tender::Entity::find_by_id(id))
            .one(&tx.txn)
            .await?
            .ok_or_else(|| AppError::not_found(Kind::Tender, id))?;
        if record.counterpart_id != buyer {
            return Err(AppError::Forbidden(
                "only the tender's buyer may change it".into(),
            ));
        }
        Ok(record)
    }

    /// The buyer amends a tender while it is planned or open; every change is kept as an
    /// amendment with its date.
    pub async fn update(w: &Writer<'_>, id: i64, fields: TenderFields) -> AppResult<tender::Model> {
        w.require_counterpart()?;
        let mut tx = w.begin().await?;
        let record = owned(&tx, w, id).await?;
        if !matches!(record.status, TenderStatus::Planning | TenderStatus::Active) {
            return Err(AppError::Conflict(format!(
                "a {} tender cannot be changed",
                crate::domain::enum_code(record.status).to_lowercase()
            )));
        }
        let now = Utc::now();
        if record.status == TenderStatus::Active {
            if record.tender_period_end <= now {
                return Err(AppError::Conflict(
                    "the tender period has ended; close the tender instead".into(),
                ));
            }
            // Bids were made against the terms as they stood: those terms stay.
            let terms_change = fields.value.is_some()
                || fields.service_lines.is_some()
                || fields.required_certifications.is_some()
                || fields.min_employees.is_some();
            let bids = bid::Entity::find()
                .filter(bid::Column::TenderId.eq(id))
                .filter(bid::Column::Status.ne(BidStatus::Withdrawn))
                .one(&tx.txn)
                .await?;
            if terms_change && bids.is_some() {
                return Err(AppError::Conflict(
                    "the tender has bids: its value, service lines and eligibility can no longer change".into(),
                ));
            }
        }
        let mut changed: Vec<&str> = Vec::new();
        let mut active: tender::ActiveModel = record.clone().into();
        if let Some(v) = &fields.title_en {
            active.title_en = Set(text_field("title", v, 300)?);
            changed.push("title");
        }
        if let Some(v) = &fields.title_zh {
            active.title_zh = Set(text_field("titleZh", v, 200)?);
            changed.push("titleZh");
        }
        if let Some(v) = &fields.description_en {
            active.description_en = Set(text_field("description", v, 20_000)?);
            changed.push("description");
        }
        if let Some(v) = &fields.description_zh {
            active.description_zh =
                Set(optional_text("descriptionZh", Some(v), 20_000)?.unwrap_or_default());
            changed.push("descriptionZh");
        }
        if let Some(v) = fields.value {
            let (amount, currency) = value(v)?;
            active.value_amount_minor = Set(amount);
            active.value_currency = Set(currency);
            changed.push("value");
        }
        if let Some(v) = fields.closes_at {
            active.tender_period_end = Set(closes_at(v, now)?);
            changed.push("closesAt");
        }
        if let Some(v) = fields.min_employees {
            active.min_employees = Set(min_employees(v)?);
            changed.push("eligibility.minEmployees");
        }
        let lines = match &fields.service_lines {
            Some(l) => Some(service_lines(l, "serviceLines")?),
            None => None,
        };
        let rationale = optional_text("rationale", fields.rationale.as_deref(), 2_000)?;
        if lines.is_some() {
            changed.push("serviceLines");
        }
        if fields.required_certifications.is_some() {
            changed.push("eligibility.certifications");
        }
        if changed.is_empty() {
            return Err(AppError::bad_input("the update changes nothing"));
        }
        active.updated_at = Set(now);
        let record = active.update(&tx.txn).await?;
        if let Some(lines) = &lines {
            replace_lines(&tx, id, lines).await?;
        }
        if let Some(required) = &fields.required_certifications {
            replace_required(&tx, id, required).await?;
        }
        tender_amendment::ActiveModel {
            tender_id: Set(id),
            amended_at: Set(now),
            changed_fields: Set(serde_json::to_string(&changed).map_err(AppError::internal)?),
            rationale: Set(rationale),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await?;
        tx.index(SearchType::Tender, &[id]).await?;
        tx.audit("updateTender", &[(Kind::Tender, id)]).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The buyer opens a planned tender for answers, from now until its closing time.
    pub async fn publish(w: &Writer<'_>, id: i64) -> AppResult<tender::Model> {
        let mut tx = w.begin().await?;
        let record = owned(&tx, w, id).await?;
        if record.status != TenderStatus::Planning {
            return Err(AppError::Conflict(
                "only a tender in planning can be published".into(),
            ));
        }
        let now = Utc::now();
        if record.tender_period_end <= now {
            return Err(AppError::Conflict(
                "the closing time has passed; move it with updateTender first".into(),
            ));
        }
        let mut active: tender::ActiveModel = record.into();
        active.status = Set(TenderStatus::Active);
        active.tender_period_start = Set(now);
        active.published_at = Set(Some(now));
        active.updated_at = Set(now);
        let record = active.update(&tx.txn).await?;
        tx.index(SearchType::Tender, &[id]).await?;
        tx.emit(Event::TenderPublished { tender_id: id }).await?;
        tx.audit("publishTender", &[(Kind::Tender, id)]).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The buyer cancels a planned or open tender; open bids are not awarded.
    pub async fn cancel(w: &Writer<'_>, id: i64) -> AppResult<tender::Model> {
        let mut tx = w.begin().await?;
        let record = owned(&tx, w, id).await?;
        if !matches!(record.status, TenderStatus::Planning | TenderStatus::Active) {
            return Err(AppError::Conflict(
                "only a tender in planning or active can be cancelled".into(),
            ));
        }
        let now = Utc::now();
        let bids = settle_bids(&tx, id, None).await?;
        let mut active: tender::ActiveModel = record.into();
        active.status = Set(TenderStatus::Cancelled);
        active.updated_at = Set(now);
        let record = active.update(&tx.txn).await?;
        tx.index(SearchType::Tender, &[id]).await?;
        let mut changed = vec![(Kind::Tender, id)];
        changed.extend(bids.into_iter().map(|b| (Kind::Bid, b)));
        tx.audit("cancelTender", &changed).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Marks the tender's submitted bids awarded (the one named) or not awarded (the others);
    /// answers the ids changed.
    async fn settle_bids(tx: &Tx<'_>, tender_id: i64, award: Option<i64>) -> AppResult<Vec<i64>> {
        let open = bid::Entity::find()
            .filter(bid::Column::TenderId.eq(tender_id))
            .filter(bid::Column::Status.eq(BidStatus::Submitted))
            .order_by_asc(bid::Column::Id)
            .all(&tx.txn)
            .await?;
        let mut changed = Vec::with_capacity(open.len());
        for b in open {
            let id = b.id;
            let mut active: bid::ActiveModel = b.into();
            active.status = Set(if Some(id) == award {
                BidStatus::Awarded
            } else {
                BidStatus::NotAwarded
            });
            active.update(&tx.txn).await?;
            changed.push(id);
        }
        Ok(changed)
    }

    /// The buyer closes an open tender: with an award to one submitted bid it is complete,
    /// without one it is unsuccessful.
    pub async fn close(w: &Writer<'_>, id: i64, award: Option<i64>) -> AppResult<tender::Model> {
        let mut tx = w.begin().await?;
        let record = owned(&tx, w, id).await?;
        if record.status != TenderStatus::Active {
            return Err(AppError::Conflict(
                "only an active tender can be closed".into(),
            ));
        }
        if let Some(bid_id) = award {
            let awarded = bid::Entity::find_by_id(bid_id)
                .one(&tx.txn)
                .await?
                .filter(|b| b.tender_id == id)
                .ok_or_else(|| AppError::not_found(Kind::Bid, bid_id))?;
            if awarded.status != BidStatus::Submitted {
                return Err(AppError::Conflict(
                    "only a submitted bid can be awarded".into(),
                ));
            }
        }
        let now = Utc::now();
        let bids = settle_bids(&tx, id, award).await?;
        let mut active: tender::ActiveModel = record.into();
        active.status = Set(if award.is_some() {
            TenderStatus::Complete
        } else {
            TenderStatus::Unsuccessful
        });
        active.updated_at = Set(now);
        let record = active.update(&tx.txn).await?;
        tx.index(SearchType::Tender, &[id]).await?;
        let mut changed = vec![(Kind::Tender, id)];
        changed.extend(bids.into_iter().map(|b| (Kind::Bid, b)));
        tx.audit("closeTender", &changed).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The amendments of each tender, oldest first.
    pub async fn amendments(
        db: &sea_orm::DatabaseConnection,
        tender_ids: &[i64],
    ) -> AppResult<std::collections::HashMap<i64, Vec<tender_amendment::Model>>> {
        let rows = tender_amendment::Entity::find()
            .filter(tender_amendment::Column::TenderId.is_in(tender_ids.iter().copied()))
            .order_by_asc(tender_amendment::Column::Id)
            .all(db)
            .await?;
        let mut map: std::collections::HashMap<i64, Vec<tender_amendment::Model>> =
            tender_ids.iter().map(|&id| (id, Vec::new())).collect();
        for row in rows {
            map.entry(row.tender_id).or_default().push(row);
        }
        Ok(map)
    }

    /// A counterpart's fields; on update, absent fields stay as they are.
    #[derive(Debug, Clone, Default)]
    pub struct CounterpartFields {
        pub name_en: Option<String>,
        pub name_zh: Option<String>,
        pub kind: Option<CounterpartKind>,
        pub ftz_area_id: Option<i64>,
        pub city: Option<String>,
        pub uscc: Option<String>,
        pub description: Option<String>,
        pub website: Option<Option<String>>,
    }

    /// The Department of Commerce registers a counterpart.
    pub async fn create_counterpart(
        w: &Writer<'_>,
        fields: CounterpartFields,
    ) -> AppResult<counterpart::Model> {
        w.require_admin()?;
        let name_en = text_field("name", fields.name_en.as_deref().unwrap_or(""), 300)?;
        let name_zh = text_field("nameZh", fields.name_zh.as_deref().unwrap_or(""), 200)?;
        let kind = fields
            .kind
            .ok_or_else(|| AppError::bad_field("kind", "kind is required"))?;
        let city = text_field("city", fields.city.as_deref().unwrap_or(""), 100)?;
        if (kind == CounterpartKind::FtzEnterprise) != fields.ftz_area_id.is_some() {
            return Err(AppError::bad_field(
                "freeTradeZoneAreaId",
                "an FTZ enterprise names its free trade zone area, and only an FTZ enterprise",
            ));
        }
        let uscc = match fields.uscc.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(
                Uscc::parse(code)
                    .map_err(|e| AppError::bad_field("uscc", e.to_string()))?
                    .as_str()
                    .to_owned(),
            ),
        };
        let description = optional_text("description", fields.description.as_deref(), 10_000)?
            .unwrap_or_default();
        let site = website(fields.website.flatten().as_deref())?;
        let tx = w.begin().await?;
        if let Some(code) = &uscc
            && counterpart::Entity::find()
                .filter(counterpart::Column::Uscc.eq(code.as_str()))
                .one(&tx.txn)
                .await?
                .is_some()
        {
            return Err(AppError::Conflict(format!(
                "a counterpart with the unified social credit code {code} is already registered"
            )));
        }
        let record = counterpart::ActiveModel {
            name_en: Set(name_en),
            name_zh: Set(name_zh),
            kind: Set(kind),
            ftz_area_id: Set(fields.ftz_area_id),
            city: Set(city),
            uscc: Set(uscc),
            description: Set(description),
            website: Set(site),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
                "a counterpart with this unified social credit code is already registered".into(),
            ),
            _ => e.into(),
        })?;
        tx.audit("createCounterpart", &[(Kind::Counterpart, record.id)])
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A counterpart keeps its own profile (names, city, description, website).
    pub async fn update_counterpart_profile(
        w: &Writer<'_>,
        fields: CounterpartFields,
    ) -> AppResult<counterpart::Model> {
        let own = w.require_counterpart()?;
        let mut tx = w.begin().await?;
        let record = counterpart::Entity::find_by_id(own)
            .one(&tx.txn)
            .await?
            .ok_or_else(|| AppError::NotFound("the key's counterpart no longer exists".into()))?;
        let mut active: counterpart::ActiveModel = record.into();
        if let Some(v) = &fields.name_en {
            active.name_en = Set(text_field("name", v, 300)?);
        }
        if let Some(v) = &fields.name_zh {
            active.name_zh = Set(text_field("nameZh", v, 200)?);
        }
        if let Some(v) = &fields.city {
            active.city = Set(text_field("city", v, 100)?);
        }
        if let Some(v) = &fields.description {
            active.description =
                Set(optional_text("description", Some(v), 10_000)?.unwrap_or_default());
        }
        if let Some(v) = &fields.website {
            active.website = Set(website(v.as_deref())?);
        }
        let record = active.update(&tx.txn).await?;
        // Tender documents carry their buyer's name.
        let tenders: Vec<i64> = tender::Entity::find()
            .filter(tender::Column::CounterpartId.eq(own))
            .all(&tx.txn)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect();
        tx.index(SearchType::Tender, &tenders).await?;
        tx.audit("updateCounterpartProfile", &[(Kind::Counterpart, own)])
            .await?;
        tx.commit().await?;
        Ok(record)
    }
}
