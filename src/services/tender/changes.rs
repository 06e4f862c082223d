//! A counterpart's changes to its tenders: posting, amending, publishing, cancelling, and
//! closing with or without an award.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::domain::global_id::Kind;
use crate::domain::tender_terms as terms;
use crate::domain::{
    BidStatus, CertificationStandard, Money, SearchType, ServiceLine, TenderStatus,
};
use crate::entities::{
    bid, tender, tender_amendment, tender_required_certification, tender_service_line,
};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::services::input::{lines as service_lines, optional_text, text_field};
use crate::services::release::Change;
use crate::services::rollup::Subject;
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
    terms::closing_time(value, now).map_err(|e| AppError::bad_field("closesAt", e.to_string()))
}

fn min_employees(value: Option<i32>) -> AppResult<Option<i32>> {
    terms::min_employees(value)
        .map_err(|e| AppError::bad_field("eligibility.minEmployees", e.to_string()))
}

fn refused(why: terms::AmendmentRefused) -> AppError {
    AppError::Conflict(why.to_string())
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
        tender_required_certification::Entity::insert_many(standards.into_iter().map(|standard| {
            tender_required_certification::ActiveModel {
                tender_id: Set(id),
                standard: Set(standard),
            }
        }))
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
    let description_zh = optional_text("descriptionZh", fields.description_zh.as_deref(), 20_000)?
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
    active.ocid = Set(w.ocid_prefix.ocid(id));
    let record = active.update(&tx.txn).await?;
    replace_lines(&tx, id, &lines).await?;
    replace_required(&tx, id, &fields.required_certifications.unwrap_or_default()).await?;
    tx.release(id, Change::Created);
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
    let now = Utc::now();
    terms::amendable(record.status, record.tender_period_end, now).map_err(refused)?;
    if record.status == TenderStatus::Active {
        let terms_change = fields.value.is_some()
            || fields.service_lines.is_some()
            || fields.required_certifications.is_some()
            || fields.min_employees.is_some();
        let bids = bid::Entity::find()
            .filter(bid::Column::TenderId.eq(id))
            .filter(bid::Column::Status.ne(BidStatus::Withdrawn))
            .one(&tx.txn)
            .await?;
        terms::terms_may_change(terms_change, bids.is_some()).map_err(refused)?;
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
    tx.release(
        id,
        match record.status {
            TenderStatus::Planning => Change::PlanningUpdated,
            _ => Change::Amended,
        },
    );
    tx.index(SearchType::Tender, &[id]).await?;
    tx.audit("updateTender", &[(Kind::Tender, id)]).await?;
    tx.commit().await?;
    Ok(record)
}

/// The buyer opens a planned tender for answers, from now until its closing time.
pub async fn publish(w: &Writer<'_>, id: i64) -> AppResult<tender::Model> {
    let mut tx = w.begin().await?;
    let record = owned(&tx, w, id).await?;
    tx.track(Subject::Tender(id)).await?;
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
    tx.release(id, Change::Published);
    tx.emit(Event::TenderPublished { tender_id: id }).await?;
    tx.audit("publishTender", &[(Kind::Tender, id)]).await?;
    tx.commit().await?;
    Ok(record)
}

/// The buyer cancels a planned or open tender; open bids are not awarded.
pub async fn cancel(w: &Writer<'_>, id: i64) -> AppResult<tender::Model> {
    let mut tx = w.begin().await?;
    let record = owned(&tx, w, id).await?;
    tx.track(Subject::Tender(id)).await?;
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
    tx.release(id, Change::Cancelled);
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
    tx.track(Subject::Tender(id)).await?;
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
    tx.release(
        id,
        if award.is_some() {
            Change::Awarded
        } else {
            Change::ClosedUnsuccessful
        },
    );
    tx.audit("closeTender", &changed).await?;
    tx.commit().await?;
    Ok(record)
}
