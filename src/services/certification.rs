//! Certificates held by companies: reading them, a company's submissions, and the Department of
//! Commerce's verification. The public sees verified records only; a record's status
//! `EXPIRED` is derived from its expiry date at read time, never stored.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono::Utc;
use sea_orm::sea_query::Order;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Select,
};

use super::input::text_field;
use super::page::{Page, PageRequest};
use super::rollup::Subject;
use super::write::Writer;
use crate::domain::SearchType;
use crate::domain::global_id::Kind;
use crate::domain::{Actor, CertificationStandard, CertificationStatus, VerificationStatus};
use crate::entities::certification;
use crate::error::{AppError, AppResult};

pub const ORDER_TAG: &str = "certification.id";

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CertificationFilter {
    pub standard: Option<CertificationStandard>,
    /// The effective status, as a reader sees it today.
    pub status: Option<CertificationStatus>,
    pub company_id: Option<i64>,
    pub visibility: Visibility,
}

/// The condition for "effective status is `status` on `today`".
pub fn with_status(status: CertificationStatus, today: NaiveDate) -> Condition {
    use certification::Column as C;
    match status {
        CertificationStatus::Withdrawn => {
            Condition::all().add(C::Status.eq(CertificationStatus::Withdrawn))
        }
        CertificationStatus::Expired => Condition::all()
            .add(C::Status.ne(CertificationStatus::Withdrawn))
            .add(C::ExpiryDate.lt(today)),
        recorded => Condition::all()
            .add(C::Status.eq(recorded))
            .add(C::ExpiryDate.gte(today)),
    }
}

/// Which certificate records a reader sees: verified ones, and besides them a company's own
/// (unverified or rejected) to that company, and all to the Department of Commerce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Visibility {
    #[default]
    Public,
    OfCompany(i64),
    All,
}

impl Visibility {
    pub fn for_actor(actor: &Actor) -> Self {
        if actor.is_admin() {
            Visibility::All
        } else if let Some(company) = actor.company() {
            Visibility::OfCompany(company)
        } else {
            Visibility::Public
        }
    }

    fn condition(self) -> Condition {
        let verified = certification::Column::Verification.eq(VerificationStatus::Verified);
        match self {
            Visibility::Public => Condition::all().add(verified),
            Visibility::OfCompany(company) => Condition::any()
                .add(verified)
                .add(certification::Column::CompanyId.eq(company)),
            Visibility::All => Condition::all(),
        }
    }
}

fn visible(visibility: Visibility) -> Select<certification::Entity> {
    certification::Entity::find().filter(visibility.condition())
}

fn filtered(filter: &CertificationFilter, today: NaiveDate) -> Select<certification::Entity> {
    let mut select = visible(filter.visibility);
    if let Some(standard) = filter.standard {
        select = select.filter(certification::Column::Standard.eq(standard));
    }
    if let Some(status) = filter.status {
        select = select.filter(with_status(status, today));
    }
    if let Some(company) = filter.company_id {
        select = select.filter(certification::Column::CompanyId.eq(company));
    }
    select
}

pub async fn list(
    db: &DatabaseConnection,
    filter: &CertificationFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> AppResult<Page<certification::Model>> {
    super::page::by_id(
        db,
        filtered(filter, today),
        certification::Column::Id,
        Order::Asc,
        ORDER_TAG,
        page,
        |c| c.id,
    )
    .await
}

pub async fn count(
    db: &DatabaseConnection,
    filter: &CertificationFilter,
    today: NaiveDate,
) -> AppResult<u64> {
    Ok(filtered(filter, today).count(db).await?)
}

pub async fn by_id(
    db: &DatabaseConnection,
    id: i64,
    visibility: Visibility,
) -> AppResult<Option<certification::Model>> {
    Ok(visible(visibility)
        .filter(certification::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The certificates of each company the reader may see, most recently issued first.
pub async fn by_companies(
    db: &DatabaseConnection,
    company_ids: &[i64],
    visibility: Visibility,
) -> AppResult<HashMap<i64, Vec<certification::Model>>> {
    let rows = visible(visibility)
        .filter(certification::Column::CompanyId.is_in(company_ids.iter().copied()))
        .order_by_desc(certification::Column::IssueDate)
        .order_by_desc(certification::Column::Id)
        .all(db)
        .await?;
    Ok(super::rows::grouped(company_ids, rows, |row| {
        (row.company_id, row)
    }))
}

/// Joins to `query` the certificates the reader may see of the company whose id is in
/// `company`, one row each, selecting `projection`'s columns in the entity's order (read back
/// with [`Projected::read_projected`](super::joined::Projected)), and orders them as
/// [`by_companies`] lists them, after whatever order `query` has already.
pub fn join_visible(
    query: &mut sea_orm::sea_query::SelectStatement,
    company: impl sea_orm::sea_query::IntoColumnRef,
    visibility: Visibility,
    projection: super::joined::Projection<certification::Entity>,
) {
    use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order};
    super::joined::select_projected(query, certification::Entity, projection);
    query
        .join(
            JoinType::LeftJoin,
            certification::Entity,
            Condition::all()
                .add(
                    Expr::col((certification::Entity, certification::Column::CompanyId))
                        .equals(company),
                )
                .add(visibility.condition()),
        )
        .order_by(
            (certification::Entity, certification::Column::IssueDate),
            Order::Desc,
        )
        .order_by(
            (certification::Entity, certification::Column::Id),
            Order::Desc,
        );
}

/// A certificate record as a company submits it.
#[derive(Debug, Clone)]
pub struct NewCertification {
    pub standard: CertificationStandard,
    pub maturity_level: Option<i16>,
    pub certificate_number: String,
    pub certification_body: String,
    pub accreditation_body: Option<String>,
    pub scope: String,
    pub issue_date: NaiveDate,
    pub expiry_date: NaiveDate,
}

/// A company submits a certificate record of its own; it enters unverified, seen only by the
/// company and the Department of Commerce until verified.
pub async fn submit(w: &Writer<'_>, new: NewCertification) -> AppResult<certification::Model> {
    let company = w.require_company()?;
    let number = text_field("certificateNumber", &new.certificate_number, 100)?;
    let body = text_field("certificationBody", &new.certification_body, 200)?;
    let scope = text_field("scope", &new.scope, 2_000)?;
    let accreditation = match &new.accreditation_body {
        Some(a) => Some(text_field("accreditationBody", a, 200)?),
        None => None,
    };
    match (new.standard.has_maturity_level(), new.maturity_level) {
        (true, Some(2..=5)) | (false, None) => {}
        (true, _) => {
            return Err(AppError::bad_field(
                "maturityLevel",
                "a CMMI appraisal has a maturity level from 2 to 5",
            ));
        }
        (false, Some(_)) => {
            return Err(AppError::bad_field(
                "maturityLevel",
                "only CMMI appraisals have a maturity level",
            ));
        }
    }
    if new.expiry_date <= new.issue_date {
        return Err(AppError::bad_field(
            "expiryDate",
            "the expiry date must fall after the issue date",
        ));
    }
    if new.issue_date > crate::domain::today() {
        return Err(AppError::bad_field(
            "issueDate",
            "the issue date must not be in the future",
        ));
    }
    let mut tx = w.begin().await?;
    let record = certification::ActiveModel {
        company_id: Set(company),
        standard: Set(new.standard),
        maturity_level: Set(new.maturity_level),
        certificate_number: Set(number),
        certification_body: Set(body),
        accreditation_body: Set(accreditation),
        scope: Set(scope),
        issue_date: Set(new.issue_date),
        expiry_date: Set(new.expiry_date),
        status: Set(CertificationStatus::Active),
        verification: Set(VerificationStatus::Unverified),
        verification_source: Set(None),
        verified_by: Set(None),
        verified_at: Set(None),
        rejection_reason: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx.txn)
    .await?;
    tx.index(SearchType::Company, &[company]).await?;
    tx.audit(
        "submitCertification",
        &[(Kind::Certification, record.id), (Kind::Company, company)],
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// What the Department of Commerce decides about a record.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Found in the certification body's register (`source` says where).
    Verify {
        source: String,
    },
    Reject {
        reason: String,
    },
    /// The certification body suspended the certificate.
    Suspend {
        reason: Option<String>,
    },
}

pub async fn decide(
    w: &Writer<'_>,
    id: i64,
    decision: Decision,
) -> AppResult<certification::Model> {
    w.require_admin()?;
    let mut tx = w.begin().await?;
    let record = certification::Entity::find_by_id(id)
        .one(&tx.txn)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::Certification, id))?;
    let company = record.company_id;
    // A verified certificate counts in the statistics of its year of issue.
    tx.track(Subject::Company(company)).await?;
    let mut active: certification::ActiveModel = record.clone().into();
    let action = match decision {
        Decision::Verify { source } => {
            if record.verification == VerificationStatus::Verified {
                return Err(AppError::Conflict("the record is already verified".into()));
            }
            let source = text_field("source", &source, 300)?;
            active.verification = Set(VerificationStatus::Verified);
            active.verification_source = Set(Some(source));
            active.verified_by = Set(Some("Jiangxi Provincial Department of Commerce".into()));
            active.verified_at = Set(Some(Utc::now()));
            active.rejection_reason = Set(None);
            "verifyCertification"
        }
        Decision::Reject { reason } => {
            if record.verification != VerificationStatus::Unverified {
                return Err(AppError::Conflict(
                    "only an unverified record can be rejected".into(),
                ));
            }
            let reason = text_field("reason", &reason, 2_000)?;
            active.verification = Set(VerificationStatus::Rejected);
            active.rejection_reason = Set(Some(reason));
            "rejectCertification"
        }
        Decision::Suspend { reason } => {
            if record.status != CertificationStatus::Active {
                return Err(AppError::Conflict(
                    "only a certificate recorded as active can be suspended".into(),
                ));
            }
            if let Some(reason) = reason {
                active.rejection_reason = Set(Some(text_field("reason", &reason, 2_000)?));
            }
            active.status = Set(CertificationStatus::Suspended);
            "suspendCertification"
        }
    };
    let record = active.update(&tx.txn).await?;
    tx.index(SearchType::Company, &[company]).await?;
    tx.audit(
        action,
        &[(Kind::Certification, id), (Kind::Company, company)],
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}
