//! Tenders (demand postings) and the counterparts who post them.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::bid::Bid;
use super::company::Company;
use super::counterpart::Counterpart;
use super::ids::{self, Kind};
use super::loaders::{CounterpartById, RequiredOf, TenderLinesOf};
use super::money::{Money, MoneyInput, money_field};
use super::order::OrderDirection;
use super::{
    List, connection, list, loaders, maybe, projection, selected_nodes, selected_within, state,
    today, writer,
};
use crate::domain::{
    CertificationStandard, Currency, Money as DomainMoney, ServiceLine, TenderStatus,
};
use crate::entities::{counterpart, tender};
use crate::error::AppError;
use crate::services::bid as bids;
use crate::services::page::SortKey;
use crate::services::tender::{
    self as tenders, TenderFilter as Filter, TenderOrder as Order, TenderSort,
};

/// The period during which answers are received.
#[derive(SimpleObject)]
pub struct Period {
    /// When the period opens.
    start_date: DateTime<Utc>,
    /// When the period closes.
    end_date: DateTime<Utc>,
}

/// What a company (or an alliance, together) must have to answer.
#[derive(SimpleObject)]
pub struct Eligibility {
    /// Standards of which a certificate in force is required.
    certifications: Vec<CertificationStandard>,
    /// Minimum number of employees.
    min_employees: Option<i32>,
}

/// A tender, and its buyer where the page that read it read the buyer along (with only the
/// columns the query selects: it goes to this tender's `buyer` and nowhere else).
pub struct Tender(pub tender::Model, Option<counterpart::Model>);

impl Tender {
    pub fn new(model: tender::Model) -> Self {
        Self(model, None)
    }

    /// The columns of `tender` each field below reads, for lists that read no more than the
    /// query selects; `None` for a field not named here, which needs the whole row. A field
    /// that starts reading another column must say so here.
    pub(crate) fn reads(field: &str) -> Option<&'static [tender::Column]> {
        use tender::Column as C;
        Some(match field {
            // The id is always read; these read by it.
            "__typename" | "id" | "serviceLines" | "amendments" => &[],
            "ocid" | "ocdsRecordUrl" => &[C::Ocid],
            "title" => &[C::TitleEn],
            "titleZh" => &[C::TitleZh],
            "description" => &[C::DescriptionEn],
            "descriptionZh" => &[C::DescriptionZh],
            "buyer" => &[C::CounterpartId],
            "status" => &[C::Status],
            "value" => &[C::ValueAmountMinor, C::ValueCurrency],
            "tenderPeriod" => &[C::TenderPeriodStart, C::TenderPeriodEnd],
            "closesAt" => &[C::TenderPeriodEnd],
            "eligibility" => &[C::MinEmployees],
            "createdAt" => &[C::CreatedAt],
            "updatedAt" => &[C::UpdatedAt],
            _ => return None,
        })
    }

    async fn bid_list(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> std::result::Result<List<Bid>, AppError> {
        let page = ids::page_request(first, after, |p| p.is_by_id(bids::ORDER_TAG))?;
        let db = &state(ctx).db;
        let readable = bids::readable(db, &super::actor(ctx), &self.0).await?;
        let found = bids::list(db, readable.clone(), &page).await?;
        connection(ctx, &page, found, bids::count(db, readable), Bid).await
    }
}

/// A demand posting by a counterpart, after the Open Contracting Data Standard (OCDS 1.1).
#[Object]
impl Tender {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Tender, self.0.id)
    }

    /// Open Contracting ID.
    async fn ocid(&self) -> &str {
        &self.0.ocid
    }

    /// Where the tender's OCDS record is published: every release of its history and the
    /// compiled release, as open data (JSON, no key needed).
    async fn ocds_record_url(&self, ctx: &Context<'_>) -> String {
        format!("{}/ocds/records/{}", state(ctx).public_url, self.0.ocid)
    }

    /// English title.
    async fn title(&self) -> &str {
        &self.0.title_en
    }

    /// Chinese title.
    async fn title_zh(&self) -> &str {
        &self.0.title_zh
    }

    /// English description.
    async fn description(&self) -> &str {
        &self.0.description_en
    }

    /// Chinese description.
    async fn description_zh(&self) -> &str {
        &self.0.description_zh
    }

    /// The counterpart buying the service.
    async fn buyer(&self, ctx: &Context<'_>) -> Result<Counterpart> {
        if let Some(read_along) = &self.1 {
            return Ok(Counterpart(read_along.clone()));
        }
        loaders(ctx)?
            .load_one(CounterpartById(self.0.counterpart_id))
            .await?
            .map(Counterpart)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("tender {} without buyer", self.0.id)).into()
            })
    }

    /// Where the tender stands (OCDS tender status).
    async fn status(&self) -> TenderStatus {
        self.0.status
    }

    /// The estimated value, when the buyer discloses it.
    async fn value(&self) -> Result<Option<Money>> {
        let (Some(minor), Some(code)) =
            (self.0.value_amount_minor, self.0.value_currency.as_deref())
        else {
            return Ok(None);
        };
        let currency = Currency::parse(code).map_err(AppError::internal)?;
        Ok(Some(DomainMoney::from_minor(minor, currency).into()))
    }

    /// The period during which answers are received.
    async fn tender_period(&self) -> Period {
        Period {
            start_date: self.0.tender_period_start,
            end_date: self.0.tender_period_end,
        }
    }

    /// When answers close (the end of the tender period).
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.tender_period_end
    }

    /// Lines of service asked for.
    async fn service_lines(&self, ctx: &Context<'_>) -> Result<Vec<ServiceLine>> {
        Ok(loaders(ctx)?
            .load_one(TenderLinesOf(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// What an answering company (or alliance, together) must have.
    async fn eligibility(&self, ctx: &Context<'_>) -> Result<Eligibility> {
        let certifications = loaders(ctx)?
            .load_one(RequiredOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(Eligibility {
            certifications,
            min_employees: self.0.min_employees,
        })
    }

    /// When the tender was posted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the tender last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The changes made to the tender after it was posted, oldest first (OCDS amendments).
    async fn amendments(&self, ctx: &Context<'_>) -> Result<Vec<Amendment>> {
        Ok(loaders(ctx)?
            .load_one(super::loaders::AmendmentsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                let changes: Vec<String> =
                    serde_json::from_str(&a.changed_fields).unwrap_or_default();
                Amendment {
                    id: ids::encode(Kind::TenderAmendment, a.id),
                    date: a.amended_at,
                    changed_fields: changes,
                    rationale: a.rationale,
                }
            })
            .collect())
    }

    /// The answers received. Confidential: the buyer and the Department of Commerce read all of
    /// them, a company its own and its alliances'; anyone else gets `FORBIDDEN`.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(no_cache)
    )]
    async fn bids(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Option<std::result::Result<List<Bid>, AppError>> {
        // Nullable, and the error is the field's own: a refusal empties this field only, not
        // the whole tender.
        Some(self.bid_list(ctx, first, after).await)
    }

    /// The companies that qualify on their own (certificates in force of every required
    /// standard, the minimum headcount, every service line asked for), best fit first: most
    /// standards held, then largest.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn eligible_companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<List<Company>> {
        let tag = bids::eligible_tag(self.0.id);
        let page = ids::page_request(first, after, |p| {
            p.order == tag && matches!(p.key, Some(SortKey::Int(_)))
        })?;
        let (found, total) =
            bids::eligible_companies(&state(ctx).db, &self.0, &page, today()).await?;
        Ok(list(found, page.after.is_some(), total, Company::new))
    }
}

/// A change to a tender after it was posted.
#[derive(SimpleObject)]
pub struct Amendment {
    /// Opaque global ID; `node` does not resolve it.
    id: ID,
    /// When the change was made.
    date: DateTime<Utc>,
    /// The fields changed, by their input names (`closesAt`, `eligibility.certifications`).
    changed_fields: Vec<String>,
    /// Why, as the buyer gave it.
    rationale: Option<String>,
}

async fn tender_list(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    filter: Filter,
    order: Order,
) -> Result<List<Tender>> {
    let page = ids::page_request(first, after, |p| order.accepts(p))?;
    let db = &state(ctx).db;
    // The page reads the columns its selected fields read, and the buyers, if selected, in the
    // same statement.
    let nodes = selected_nodes(ctx);
    let buyers = selected_within(&nodes, "buyer");
    let (found, buyers) = tenders::list_projected(
        db,
        &filter,
        order,
        &page,
        projection(nodes.iter().copied(), Tender::reads),
        (!buyers.is_empty()).then(|| projection(buyers.iter().copied(), Counterpart::reads)),
    )
    .await?;
    Ok(
        connection(ctx, &page, found, tenders::count(db, &filter), |t| {
            let buyer = buyers.get(&t.counterpart_id).cloned();
            Tender(t, buyer)
        })
        .await?,
    )
}

/// Narrows a list of tenders; every field given must hold.
#[derive(InputObject, Default)]
pub struct TenderFilter {
    /// In this status.
    status: Option<TenderStatus>,
    /// Asks for this line of service.
    service_line: Option<ServiceLine>,
    /// Posted by this counterpart.
    counterpart_id: Option<ID>,
    /// Closes at or after this instant.
    closing_after: Option<DateTime<Utc>>,
}

/// What tenders can be ordered by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum TenderOrderField {
    /// The end of the tender period.
    #[default]
    ClosingDate,
    /// When the tender was posted.
    Posted,
}

/// How to order tenders; each part left out takes its default.
#[derive(InputObject)]
pub struct TenderOrder {
    #[graphql(default)]
    /// What to order by.
    field: TenderOrderField,
    #[graphql(default)]
    /// Ascending or descending.
    direction: OrderDirection,
}

#[derive(Default)]
pub struct TenderQuery;

#[Object]
impl TenderQuery {
    /// Tenders, by closing date unless told otherwise.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(max_age = 60)
    )]
    async fn tenders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only the tenders that meet every condition given (default: all).")]
        filter: Option<TenderFilter>,
        #[graphql(desc = "The order of the list (default: by closing date, ascending).")]
        order_by: Option<TenderOrder>,
    ) -> Result<List<Tender>> {
        let filter = filter.unwrap_or_default();
        let filter = Filter {
            status: filter.status,
            service_lines: filter.service_line.map(|l| vec![l]),
            counterpart_id: match &filter.counterpart_id {
                Some(id) => Some(
                    super::existing(
                        ctx,
                        id,
                        Kind::Counterpart,
                        "filter.counterpartId",
                        CounterpartById,
                    )
                    .await?,
                ),
                None => None,
            },
            closing_after: filter.closing_after,
        };
        let order = order_by.map_or_else(Order::default, |o| Order {
            sort: match o.field {
                TenderOrderField::ClosingDate => TenderSort::ClosingDate,
                TenderOrderField::Posted => TenderSort::Posted,
            },
            descending: o.direction == OrderDirection::Desc,
        });
        tender_list(ctx, first, after, filter, order).await
    }

    /// One tender by ID.
    #[graphql(cache_control(max_age = 60))]
    async fn tender(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tender's global ID.")] id: ID,
    ) -> Result<Tender> {
        let number = ids::decode(&id, Kind::Tender, "id")?;
        tenders::by_id(&state(ctx).db, number)
            .await?
            .map(Tender::new)
            .ok_or_else(|| AppError::not_found_id("tender", id.as_str()).into())
    }
}

/// Eligibility criteria as a buyer sets them.
#[derive(InputObject, Default)]
pub struct EligibilityInput {
    /// Standards of which a bidder must hold a certificate in force.
    certifications: Option<Vec<CertificationStandard>>,
    /// The bidder's (for an alliance, its members' together) minimum number of employees; on
    /// update, `null` removes it.
    min_employees: async_graphql::MaybeUndefined<i32>,
}

/// A new tender. It starts in `PLANNING`: public, as an OCDS planning notice, and not yet open
/// for answers until published.
#[derive(InputObject)]
pub struct CreateTenderInput {
    /// English title.
    title: String,
    /// Chinese title.
    title_zh: String,
    /// English description.
    description: String,
    /// Chinese description.
    description_zh: Option<String>,
    /// Lines of service asked for; a bidder must offer every one.
    service_lines: Vec<ServiceLine>,
    /// The estimated value, if disclosed.
    value: Option<MoneyInput>,
    /// When answers close; within a year from now.
    closes_at: DateTime<Utc>,
    /// What a bidder must have besides the service lines; absent, nothing more.
    eligibility: Option<EligibilityInput>,
}

/// Changes to a tender in `PLANNING` or `ACTIVE`; absent fields stay as they are, and `null`
/// clears `value`. Each update is kept as an amendment.
#[derive(InputObject)]
pub struct UpdateTenderInput {
    /// The tender's global ID.
    id: ID,
    /// English title.
    title: Option<String>,
    /// Chinese title.
    title_zh: Option<String>,
    /// English description.
    description: Option<String>,
    /// Chinese description.
    description_zh: Option<String>,
    /// Lines of service asked for, replacing the present ones; a bidder must offer every one.
    /// Fixed once an active tender has bids.
    service_lines: Option<Vec<ServiceLine>>,
    /// The estimated value; `null` withdraws it from disclosure. Fixed once an active tender
    /// has bids.
    value: async_graphql::MaybeUndefined<MoneyInput>,
    /// When answers close; in the future and within a year from now.
    closes_at: Option<DateTime<Utc>>,
    /// Changes to the eligibility criteria; the criteria it leaves out stay as they are.
    /// Fixed once an active tender has bids.
    eligibility: Option<EligibilityInput>,
    /// Why the tender is amended.
    rationale: Option<String>,
}

/// Closes an active tender: with `awardedBidId` it is awarded to that bid (`COMPLETE`),
/// without it no bid is awarded (`UNSUCCESSFUL`).
#[derive(InputObject)]
pub struct CloseTenderInput {
    /// The tender's global ID.
    tender_id: ID,
    /// The bid awarded, one of the tender's `SUBMITTED` bids; absent or null to award none.
    awarded_bid_id: Option<ID>,
}

#[derive(Default)]
pub struct TenderMutation;

#[Object]
impl TenderMutation {
    /// A counterpart posts a tender (status `PLANNING`).
    async fn create_tender(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tender to post.")] input: CreateTenderInput,
    ) -> Result<Tender> {
        let w = writer(ctx);
        w.require_counterpart()?;
        let eligibility = input.eligibility.unwrap_or_default();
        let fields = tenders::TenderFields {
            title_en: Some(input.title),
            title_zh: Some(input.title_zh),
            description_en: Some(input.description),
            description_zh: input.description_zh,
            service_lines: Some(input.service_lines),
            value: Some(money_field(input.value.as_ref(), "value")?),
            closes_at: Some(input.closes_at),
            required_certifications: eligibility.certifications,
            min_employees: Some(eligibility.min_employees.take()),
            rationale: None,
        };
        Ok(Tender::new(tenders::create(&w, fields).await?))
    }

    /// The buyer amends its tender while it is in `PLANNING` or `ACTIVE`.
    async fn update_tender(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tender and the changes to it.")] input: UpdateTenderInput,
    ) -> Result<Tender> {
        let w = writer(ctx);
        w.require_counterpart()?;
        let id = ids::decode(&input.id, Kind::Tender, "id")?;
        let value = match maybe(input.value) {
            Some(Some(m)) => Some(Some(m.parse("value")?)),
            Some(None) => Some(None),
            None => None,
        };
        let (required, min) = match input.eligibility {
            Some(e) => (e.certifications, maybe(e.min_employees)),
            None => (None, None),
        };
        let fields = tenders::TenderFields {
            title_en: input.title,
            title_zh: input.title_zh,
            description_en: input.description,
            description_zh: input.description_zh,
            service_lines: input.service_lines,
            value,
            closes_at: input.closes_at,
            required_certifications: required,
            min_employees: min,
            rationale: input.rationale,
        };
        Ok(Tender::new(tenders::update(&w, id, fields).await?))
    }

    /// The buyer opens its tender for answers (`PLANNING` to `ACTIVE`), from now until its
    /// closing time; `tenderPublished` subscribers hear of it.
    async fn publish_tender(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tender's global ID.")] id: ID,
    ) -> Result<Tender> {
        let w = writer(ctx);
        w.require_counterpart()?;
        let number = ids::decode(&id, Kind::Tender, "id")?;
        Ok(Tender::new(tenders::publish(&w, number).await?))
    }

    /// The buyer cancels its tender (`PLANNING` or `ACTIVE` to `CANCELLED`).
    async fn cancel_tender(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tender's global ID.")] id: ID,
    ) -> Result<Tender> {
        let w = writer(ctx);
        w.require_counterpart()?;
        let number = ids::decode(&id, Kind::Tender, "id")?;
        Ok(Tender::new(tenders::cancel(&w, number).await?))
    }

    /// The buyer closes its active tender, awarding one bid or none.
    async fn close_tender(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tender and the bid awarded, if any.")] input: CloseTenderInput,
    ) -> Result<Tender> {
        let w = writer(ctx);
        w.require_counterpart()?;
        let id = ids::decode(&input.tender_id, Kind::Tender, "tenderId")?;
        let award = match &input.awarded_bid_id {
            Some(bid) => Some(ids::decode(bid, Kind::Bid, "awardedBidId")?),
            None => None,
        };
        Ok(Tender::new(tenders::close(&w, id, award).await?))
    }
}
