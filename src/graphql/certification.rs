//! International certificates in the API.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::company::Company;
use super::ids::{self, Kind};
use super::loaders::CompanyById;
use super::scalars::Date;
use super::{List, connection, loaders, state, today};
use crate::domain::{CertificationStandard, CertificationStatus, VerificationStatus};
use crate::entities::certification;
use crate::error::AppError;
use crate::services::certification::{
    self as certifications, CertificationFilter as Filter, ORDER_TAG, Visibility,
};

pub struct Certification(pub certification::Model);

impl Certification {
    pub fn effective_status(&self, today: NaiveDate) -> CertificationStatus {
        CertificationStatus::effective(self.0.status, self.0.expiry_date, today)
    }

    /// The columns of `certification` each field below reads, for lists that read no more
    /// than the query selects; `None` for a field not named here, which needs the whole row.
    /// A field that starts reading another column must say so here.
    pub(crate) fn reads(field: &str) -> Option<&'static [certification::Column]> {
        use certification::Column as C;
        Some(match field {
            "__typename" | "id" => &[],
            "company" => &[C::CompanyId],
            "standard" => &[C::Standard],
            "maturityLevel" => &[C::MaturityLevel],
            "certificateNumber" => &[C::CertificateNumber],
            "certificationBody" => &[C::CertificationBody],
            "accreditationBody" => &[C::AccreditationBody],
            "scope" => &[C::Scope],
            "issueDate" => &[C::IssueDate],
            "expiryDate" => &[C::ExpiryDate],
            "status" => Self::STATUS,
            "verification" => &[
                C::Verification,
                C::RejectionReason,
                C::VerificationSource,
                C::VerifiedBy,
                C::VerifiedAt,
            ],
            _ => return None,
        })
    }

    /// What [`Certification::effective_status`] reads.
    pub(crate) const STATUS: &'static [certification::Column] = &[
        certification::Column::Status,
        certification::Column::ExpiryDate,
    ];
}

/// Who verified a certificate record, where, and when.
#[derive(SimpleObject)]
pub struct Verification {
    /// Where the record stands: the public sees `VERIFIED` records only; a company sees its own
    /// `UNVERIFIED` and `REJECTED` ones, and so does the Department of Commerce.
    status: VerificationStatus,
    /// Why the record was rejected, or the certificate suspended.
    reason: Option<String>,
    /// The register the record was checked against (e.g. IAF CertSearch).
    source: Option<String>,
    /// Who verified the record.
    verified_by: Option<String>,
    /// When the record was verified.
    verified_at: Option<DateTime<Utc>>,
}

/// A certificate or appraisal held by a company, as in its IAF CertSearch (or equivalent)
/// record.
#[Object]
impl Certification {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Certification, self.0.id)
    }

    /// The company holding the certificate.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        loaders(ctx)?
            .load_one(CompanyById(self.0.company_id))
            .await?
            .map(Company::new)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("certificate {} without company", self.0.id))
                    .into()
            })
    }

    /// The standard certified or appraised against.
    async fn standard(&self) -> CertificationStandard {
        self.0.standard
    }

    /// CMMI maturity level (2–5); absent for other standards.
    async fn maturity_level(&self) -> Option<i32> {
        self.0.maturity_level.map(i32::from)
    }

    /// The number of the certificate or appraisal record.
    async fn certificate_number(&self) -> &str {
        &self.0.certificate_number
    }

    /// The body that issued the certificate or led the appraisal.
    async fn certification_body(&self) -> &str {
        &self.0.certification_body
    }

    /// The body that accredits the certification body (e.g. CNAS).
    async fn accreditation_body(&self) -> Option<&str> {
        self.0.accreditation_body.as_deref()
    }

    /// What the certificate covers.
    async fn scope(&self) -> &str {
        &self.0.scope
    }

    /// Date of issue.
    async fn issue_date(&self) -> Date {
        Date(self.0.issue_date)
    }

    /// Last day of validity.
    async fn expiry_date(&self) -> Date {
        Date(self.0.expiry_date)
    }

    /// Status as of today; `EXPIRED` follows from the expiry date.
    async fn status(&self) -> CertificationStatus {
        self.effective_status(today())
    }

    /// How the record was verified.
    async fn verification(&self) -> Verification {
        Verification {
            status: self.0.verification,
            reason: self.0.rejection_reason.clone(),
            source: self.0.verification_source.clone(),
            verified_by: self.0.verified_by.clone(),
            verified_at: self.0.verified_at,
        }
    }
}

/// Narrows a list of certificates; every field given must hold.
#[derive(InputObject, Default)]
pub struct CertificationFilter {
    /// Of this standard.
    standard: Option<CertificationStandard>,
    /// Status as of today.
    status: Option<CertificationStatus>,
    /// Held by this company.
    company_id: Option<ID>,
}

#[derive(Default)]
pub struct CertificationQuery;

#[Object]
impl CertificationQuery {
    /// Verified certificates, oldest record first.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(max_age = 60)
    )]
    async fn certifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only the certificates that meet every condition given (default: all).")]
        filter: Option<CertificationFilter>,
    ) -> Result<List<Certification>> {
        let page = ids::page_request(first, after, |p| p.is_by_id(ORDER_TAG))?;
        let filter = filter.unwrap_or_default();
        let filter = Filter {
            visibility: Visibility::for_actor(&super::actor(ctx)),
            standard: filter.standard,
            status: filter.status,
            company_id: match &filter.company_id {
                Some(id) => Some(
                    super::existing(ctx, id, Kind::Company, "filter.companyId", CompanyById)
                        .await?,
                ),
                None => None,
            },
        };
        let db = &state(ctx).db;
        let today = today();
        let found = certifications::list(db, &filter, &page, today).await?;
        Ok(connection(
            ctx,
            &page,
            found,
            certifications::count(db, &filter, today),
            Certification,
        )
        .await?)
    }

    /// One certificate by ID.
    #[graphql(cache_control(max_age = 60))]
    async fn certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certificate's global ID.")] id: ID,
    ) -> Result<Certification> {
        let number = ids::decode(&id, Kind::Certification, "id")?;
        certifications::by_id(
            &state(ctx).db,
            number,
            Visibility::for_actor(&super::actor(ctx)),
        )
        .await?
        .map(Certification)
        .ok_or_else(|| AppError::not_found_id("certification", id.as_str()).into())
    }
}

/// A certificate record a company submits; it enters `UNVERIFIED`.
#[derive(InputObject)]
pub struct SubmitCertificationInput {
    /// The standard certified or appraised against.
    standard: CertificationStandard,
    /// For CMMI appraisals: the maturity level, 2 to 5.
    maturity_level: Option<i16>,
    /// The number of the certificate or appraisal record, up to 100 characters.
    certificate_number: String,
    /// The body that issued the certificate or led the appraisal, up to 200 characters.
    certification_body: String,
    /// The body that accredits the certification body (e.g. CNAS), up to 200 characters.
    accreditation_body: Option<String>,
    /// What the certificate covers, up to 2,000 characters.
    scope: String,
    /// Date of issue; not in the future.
    issue_date: Date,
    /// Last day of validity; after the date of issue.
    expiry_date: Date,
}

#[derive(Default)]
pub struct CertificationMutation;

#[Object]
impl CertificationMutation {
    /// A company submits a certificate record of its own. It stays `UNVERIFIED`, seen only by
    /// the company and the Department of Commerce, until verified.
    async fn submit_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certificate record to submit.")] input: SubmitCertificationInput,
    ) -> Result<Certification> {
        let w = super::writer(ctx);
        w.require_company()?;
        let new = certifications::NewCertification {
            standard: input.standard,
            maturity_level: input.maturity_level,
            certificate_number: input.certificate_number,
            certification_body: input.certification_body,
            accreditation_body: input.accreditation_body,
            scope: input.scope,
            issue_date: input.issue_date.0,
            expiry_date: input.expiry_date.0,
        };
        Ok(Certification(certifications::submit(&w, new).await?))
    }

    /// The Department of Commerce verifies a record against the certification body's register
    /// (`source` names it); the certificate becomes public.
    async fn verify_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certificate's global ID.")] id: ID,
        #[graphql(
            desc = "The register the record was checked against (e.g. IAF CertSearch), up to 300\n\
                    characters."
        )]
        source: String,
    ) -> Result<Certification> {
        decide(ctx, &id, certifications::Decision::Verify { source }).await
    }

    /// The Department of Commerce rejects an unverified record, saying why.
    async fn reject_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certificate's global ID.")] id: ID,
        #[graphql(
            desc = "Why the record is rejected, up to 2,000 characters; shown as\n\
                    `verification.reason`."
        )]
        reason: String,
    ) -> Result<Certification> {
        decide(ctx, &id, certifications::Decision::Reject { reason }).await
    }

    /// The Department of Commerce records that the certification body suspended a
    /// certificate.
    async fn suspend_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certificate's global ID.")] id: ID,
        #[graphql(
            desc = "Why the certificate was suspended, up to 2,000 characters; shown as\n\
                    `verification.reason`."
        )]
        reason: Option<String>,
    ) -> Result<Certification> {
        decide(ctx, &id, certifications::Decision::Suspend { reason }).await
    }
}

async fn decide(
    ctx: &Context<'_>,
    id: &ID,
    decision: certifications::Decision,
) -> Result<Certification> {
    let w = super::writer(ctx);
    w.require_admin()?;
    let number = ids::decode(id, Kind::Certification, "id")?;
    Ok(Certification(
        certifications::decide(&w, number, decision).await?,
    ))
}
