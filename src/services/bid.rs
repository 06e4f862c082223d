//! Answers to tenders: submitting and withdrawing bids, who may read them, and eligibility —
//! whether a company, or an alliance taken together, meets a tender's criteria, which
//! companies do, and which open tenders a company may answer.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order, Query, QueryStatementBuilder};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select, SqlErr,
};

use super::company::{holding, in_force};
use super::page::{Keyset, Page, PageRequest, SortKey, paginate};
use super::rollup::Subject;
use super::write::Writer;
use crate::domain::eligibility::{Capacity, Requirements, shortfalls};
use crate::domain::global_id::Kind;
use crate::domain::{Actor, BidKind, BidStatus, Money, TenderStatus};
use crate::entities::{
    alliance, alliance_member, bid, certification, company, company_service_line, tender,
    tender_required_certification, tender_service_line,
};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::services::input::text_field;
use crate::services::tender::TenderOrder;

pub const ORDER_TAG: &str = "bid.id";

pub async fn requirements<C: ConnectionTrait>(
    conn: &C,
    tender: &tender::Model,
) -> AppResult<Requirements> {
    let service_lines = tender_service_line::Entity::find()
        .filter(tender_service_line::Column::TenderId.eq(tender.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.service_line)
        .collect();
    let certifications = tender_required_certification::Entity::find()
        .filter(tender_required_certification::Column::TenderId.eq(tender.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.standard)
        .collect();
    Ok(Requirements {
        service_lines,
        certifications,
        min_employees: tender.min_employees,
    })
}

/// What these companies bring together.
pub async fn capacity<C: ConnectionTrait>(
    conn: &C,
    companies: &[i64],
    today: NaiveDate,
) -> AppResult<Capacity> {
    let headcount: i64 = company::Entity::find()
        .filter(company::Column::Id.is_in(companies.iter().copied()))
        .all(conn)
        .await?
        .iter()
        .map(|c| i64::from(c.headcount))
        .sum();
    let service_lines = company_service_line::Entity::find()
        .filter(company_service_line::Column::CompanyId.is_in(companies.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.service_line)
        .collect();
    let certifications = certification::Entity::find()
        .filter(certification::Column::CompanyId.is_in(companies.iter().copied()))
        .filter(in_force(today))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.standard)
        .collect();
    Ok(Capacity {
        service_lines,
        certifications,
        headcount,
    })
}

/// A bid as its company submits it.
#[derive(Debug, Clone)]
pub struct NewBid {
    pub tender_id: i64,
    pub amount: Money,
    pub proposal: String,
    /// Submit for this alliance, which the company leads.
    pub alliance_id: Option<i64>,
}

pub async fn submit(w: &Writer<'_>, new: NewBid) -> AppResult<bid::Model> {
    let company = w.require_company()?;
    let proposal = text_field("proposal", &new.proposal, 20_000)?;
    let amount = new
        .amount
        .to_minor()
        .map_err(|e| AppError::bad_field("amount.amount", e.to_string()))?;
    if amount <= 0 {
        return Err(AppError::bad_field(
            "amount.amount",
            "a bid's amount must be above zero",
        ));
    }
    let mut tx = w.begin().await?;
    let tender = tx
        .locked(tender::Entity::find_by_id(new.tender_id))
        .one(&tx.txn)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::Tender, new.tender_id))?;
    tx.track(Subject::Tender(tender.id)).await?;
    let now = Utc::now();
    if tender.status != TenderStatus::Active || tender.tender_period_end <= now {
        return Err(AppError::Conflict("the tender is not open for bids".into()));
    }
    if let Some(code) = &tender.value_currency
        && code != new.amount.currency.code()
    {
        return Err(AppError::bad_field(
            "amount.currency",
            format!("bids on this tender are in {code}"),
        ));
    }
    let bidders = match new.alliance_id {
        None => vec![company],
        Some(alliance_id) => {
            let record = alliance::Entity::find_by_id(alliance_id)
                .one(&tx.txn)
                .await?
                .ok_or_else(|| AppError::not_found(Kind::Alliance, alliance_id))?;
            if record.lead_company_id != company {
                return Err(AppError::Forbidden(
                    "only the alliance's lead submits its bids".into(),
                ));
            }
            let members = alliance_member::Entity::find()
                .filter(alliance_member::Column::AllianceId.eq(alliance_id))
                .all(&tx.txn)
                .await?;
            if members.iter().any(|m| m.accepted_at.is_none()) {
                return Err(AppError::Conflict(
                    "every member must accept the alliance before it can bid".into(),
                ));
            }
            members.into_iter().map(|m| m.company_id).collect()
        }
    };
    let mut live = bid::Entity::find()
        .filter(bid::Column::TenderId.eq(tender.id))
        .filter(bid::Column::CompanyId.eq(company))
        .filter(bid::Column::Status.ne(BidStatus::Withdrawn));
    live = match new.alliance_id {
        Some(a) => live.filter(bid::Column::AllianceId.eq(a)),
        None => live.filter(bid::Column::AllianceId.is_null()),
    };
    if live.one(&tx.txn).await?.is_some() {
        return Err(AppError::Conflict(
            "this bidder has already bid on the tender; withdraw that bid first".into(),
        ));
    }
    let required = requirements(&tx.txn, &tender).await?;
    let brought = capacity(&tx.txn, &bidders, crate::domain::today()).await?;
    let failed = shortfalls(&required, &brought);
    if !failed.is_empty() {
        return Err(AppError::NotEligible(failed));
    }
    let record = bid::ActiveModel {
        tender_id: Set(tender.id),
        company_id: Set(company),
        alliance_id: Set(new.alliance_id),
        kind: Set(BidKind::Bid),
        amount_minor: Set(Some(amount)),
        currency: Set(Some(new.amount.currency.code().to_owned())),
        proposal: Set(proposal),
        status: Set(BidStatus::Submitted),
        submitted_at: Set(now),
        ..Default::default()
    }
    .insert(&tx.txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Two submissions raced past the check above; the database kept one.
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
            "this bidder has already bid on the tender; withdraw that bid first".into(),
        ),
        _ => e.into(),
    })?;
    tx.emit(Event::BidReceived {
        tender_id: tender.id,
        bid_id: record.id,
    })
    .await?;
    let mut changed = vec![(Kind::Bid, record.id), (Kind::Tender, tender.id)];
    if let Some(a) = new.alliance_id {
        changed.push((Kind::Alliance, a));
    }
    tx.audit("submitBid", &changed).await?;
    tx.commit().await?;
    Ok(record)
}

/// The bidding company withdraws its bid while the tender is open.
pub async fn withdraw(w: &Writer<'_>, id: i64) -> AppResult<bid::Model> {
    let company = w.require_company()?;
    let mut tx = w.begin().await?;
    // Locked: two withdrawals racing take turns, and the second finds the bid withdrawn.
    let record = tx
        .locked(bid::Entity::find_by_id(id))
        .one(&tx.txn)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::Bid, id))?;
    if record.company_id != company {
        return Err(AppError::Forbidden(
            "only the company that submitted a bid may withdraw it".into(),
        ));
    }
    let tender = tx
        .locked(tender::Entity::find_by_id(record.tender_id))
        .one(&tx.txn)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("bid {id} without tender")))?;
    tx.track(Subject::Tender(tender.id)).await?;
    if record.status != BidStatus::Submitted
        || tender.status != TenderStatus::Active
        || tender.tender_period_end <= Utc::now()
    {
        return Err(AppError::Conflict(
            "only a submitted bid on an open tender can be withdrawn".into(),
        ));
    }
    let mut active: bid::ActiveModel = record.into();
    active.status = Set(BidStatus::Withdrawn);
    let record = active.update(&tx.txn).await?;
    tx.audit(
        "withdrawBid",
        &[(Kind::Bid, id), (Kind::Tender, record.tender_id)],
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// The alliances a company is a member of.
async fn alliances_of(db: &DatabaseConnection, company: i64) -> AppResult<Vec<i64>> {
    Ok(alliance_member::Entity::find()
        .filter(alliance_member::Column::CompanyId.eq(company))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.alliance_id)
        .collect())
}

/// Which of a tender's bids the actor may read, or `FORBIDDEN`: the buyer and the Department
/// of Commerce read all; a company reads its own and its alliances', if it has any there.
pub async fn readable(
    db: &DatabaseConnection,
    actor: &Actor,
    tender: &tender::Model,
) -> AppResult<Condition> {
    let on_tender = Condition::all().add(bid::Column::TenderId.eq(tender.id));
    if actor.is_admin() || actor.counterpart() == Some(tender.counterpart_id) {
        return Ok(on_tender);
    }
    let forbidden = || {
        AppError::Forbidden(
            "a tender's bids are confidential: only the buyer, the bidders and the Department of Commerce read them".into(),
        )
    };
    let company = actor.company().ok_or_else(forbidden)?;
    let alliances = alliances_of(db, company).await?;
    let mine = Condition::any()
        .add(bid::Column::CompanyId.eq(company))
        .add(bid::Column::AllianceId.is_in(alliances));
    let condition = on_tender.add(mine);
    if bid::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?
        == 0
    {
        return Err(forbidden());
    }
    Ok(condition)
}

pub async fn list(
    db: &DatabaseConnection,
    readable: Condition,
    page: &PageRequest,
) -> AppResult<Page<bid::Model>> {
    super::page::by_id(
        db,
        bid::Entity::find().filter(readable),
        bid::Column::Id,
        Order::Asc,
        ORDER_TAG,
        page,
        |b| b.id,
    )
    .await
}

pub async fn count(db: &DatabaseConnection, readable: Condition) -> AppResult<u64> {
    Ok(bid::Entity::find().filter(readable).count(db).await?)
}

/// The companies that qualify for a tender on their own.
fn eligible_select(required: &Requirements, today: NaiveDate) -> Select<company::Entity> {
    let mut select = company::Entity::find();
    if let Some(min) = required.min_employees {
        select = select.filter(company::Column::Headcount.gte(min));
    }
    for &line in &required.service_lines {
        let offering = company_service_line::Entity::find()
            .select_only()
            .column(company_service_line::Column::CompanyId)
            .filter(company_service_line::Column::ServiceLine.eq(line))
            .into_query();
        select = select.filter(company::Column::Id.in_subquery(offering));
    }
    for &standard in &required.certifications {
        select = select.filter(company::Column::Id.in_subquery(holding(standard, today)));
    }
    select
}

/// The order of `eligibleCompanies`' cursors: a rank in the list, for this tender.
pub fn eligible_tag(tender_id: i64) -> String {
    format!("eligible.{tender_id}")
}

/// The companies that qualify for a tender on their own, best fit first: those holding the
/// most standards in force, then the largest. A page position is a rank, so the cursor is an
/// offset into this ranking.
pub async fn eligible_companies(
    db: &DatabaseConnection,
    tender: &tender::Model,
    page: &PageRequest,
    today: NaiveDate,
) -> AppResult<(Page<company::Model>, u64)> {
    let required = requirements(db, tender).await?;
    let select = eligible_select(&required, today);
    let total = select.clone().count(db).await?;
    let held = Query::select()
        .expr(Func::count_distinct(Expr::col((
            certification::Entity,
            certification::Column::Standard,
        ))))
        .from(certification::Entity)
        .and_where(
            Expr::col((certification::Entity, certification::Column::CompanyId))
                .equals((company::Entity, company::Column::Id)),
        )
        .cond_where(in_force(today))
        .to_owned();
    let offset = match &page.after {
        Some(Keyset {
            key: Some(SortKey::Int(rank)),
            ..
        }) => u64::try_from(*rank).unwrap_or(0),
        _ => 0,
    };
    let rows = select
        .order_by(
            Expr::SubQuery(None, Box::new(held.into_sub_query_statement())),
            Order::Desc,
        )
        .order_by_desc(company::Column::Headcount)
        .order_by_asc(company::Column::Id)
        .offset(offset)
        .limit(page.first + 1)
        .all(db)
        .await?;
    let tag = eligible_tag(tender.id);
    let mut rank = offset as i64;
    let mut ranks: HashMap<i64, i64> = HashMap::new();
    for row in &rows {
        rank += 1;
        ranks.insert(row.id, rank);
    }
    let found = Page::from_rows(rows, page.first, |c| Keyset {
        order: tag.clone(),
        key: Some(SortKey::Int(ranks.get(&c.id).copied().unwrap_or(0))),
        id: c.id,
    });
    Ok((found, total))
}

/// The open tenders a company qualifies for on its own, closing soonest first.
fn matching_select(
    company: &company::Model,
    capacity: &Capacity,
    now: chrono::DateTime<Utc>,
) -> Select<tender::Entity> {
    let mut select = tender::Entity::find()
        .filter(tender::Column::Status.eq(TenderStatus::Active))
        .filter(tender::Column::TenderPeriodEnd.gt(now))
        .filter(
            Condition::any()
                .add(tender::Column::MinEmployees.is_null())
                .add(tender::Column::MinEmployees.lte(company.headcount)),
        );
    let mut lacking_standard = tender_required_certification::Entity::find()
        .select_only()
        .column(tender_required_certification::Column::TenderId);
    if !capacity.certifications.is_empty() {
        lacking_standard = lacking_standard.filter(
            tender_required_certification::Column::Standard
                .is_not_in(capacity.certifications.iter().copied()),
        );
    }
    select = select.filter(tender::Column::Id.not_in_subquery(lacking_standard.into_query()));
    let mut lacking_line = tender_service_line::Entity::find()
        .select_only()
        .column(tender_service_line::Column::TenderId);
    if !capacity.service_lines.is_empty() {
        lacking_line = lacking_line.filter(
            tender_service_line::Column::ServiceLine
                .is_not_in(capacity.service_lines.iter().copied()),
        );
    }
    select.filter(tender::Column::Id.not_in_subquery(lacking_line.into_query()))
}

pub async fn matching_tenders(
    db: &DatabaseConnection,
    company: &company::Model,
    page: &PageRequest,
    today: NaiveDate,
) -> AppResult<(Page<tender::Model>, u64)> {
    let capacity = capacity(db, &[company.id], today).await?;
    let now = Utc::now();
    let order = TenderOrder::default();
    let total = matching_select(company, &capacity, now).count(db).await?;
    let rows = paginate(
        matching_select(company, &capacity, now),
        Some(tender::Column::TenderPeriodEnd),
        tender::Column::Id,
        Order::Asc,
        page,
    )
    .all(db)
    .await?;
    Ok((
        Page::from_rows(rows, page.first, |t| order.position(t)),
        total,
    ))
}

pub async fn by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<bid::Model>> {
    Ok(bid::Entity::find_by_id(id).one(db).await?)
}

/// Whether a company in one of these districts qualifies for the tender on its own.
pub async fn eligible_in_districts(
    db: &DatabaseConnection,
    tender: &tender::Model,
    district_ids: &[i64],
    today: NaiveDate,
) -> AppResult<bool> {
    let required = requirements(db, tender).await?;
    Ok(eligible_select(&required, today)
        .filter(company::Column::DistrictId.is_in(district_ids.iter().copied()))
        .one(db)
        .await?
        .is_some())
}
