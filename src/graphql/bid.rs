//! Bids in the API: what a bid shows, and a company's submitting and withdrawing one. Who may
//! read a tender's bids is decided in `Tender.bids`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::alliance::Alliance;
use super::company::Company;
use super::ids::{self, Kind};
use super::loaders::{AllianceById, CompanyById, TenderById};
use super::money::{Money, MoneyInput};
use super::tender::Tender;
use super::{loaders, writer};
use crate::domain::{BidStatus, Currency, Money as DomainMoney};
use crate::entities::bid;
use crate::error::AppError;
use crate::services::bid::{self as bids, NewBid};

pub struct Bid(pub bid::Model);

/// An answer to a tender. Confidential: only the buyer, the bidder (for an alliance, its
/// members) and the Department of Commerce read it.
#[Object]
impl Bid {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ids::encode(Kind::Bid, self.0.id)
    }

    /// The tender answered.
    async fn tender(&self, ctx: &Context<'_>) -> Result<Tender> {
        loaders(ctx)?
            .load_one(TenderById(self.0.tender_id))
            .await?
            .map(Tender::new)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("bid {} without tender", self.0.id)).into()
            })
    }

    /// The company that submitted the bid: the bidder, or the alliance's lead.
    async fn bidder(&self, ctx: &Context<'_>) -> Result<Company> {
        loaders(ctx)?
            .load_one(CompanyById(self.0.company_id))
            .await?
            .map(Company::new)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("bid {} without bidder", self.0.id)).into()
            })
    }

    /// The alliance bidding, when the bid is an alliance's.
    async fn alliance(&self, ctx: &Context<'_>) -> Result<Option<Alliance>> {
        let Some(id) = self.0.alliance_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .load_one(AllianceById(id))
            .await?
            .map(Alliance))
    }

    /// The price offered.
    async fn amount(&self) -> Result<Option<Money>> {
        let (Some(minor), Some(code)) = (self.0.amount_minor, self.0.currency.as_deref()) else {
            return Ok(None);
        };
        let currency = Currency::parse(code).map_err(AppError::internal)?;
        Ok(Some(DomainMoney::from_minor(minor, currency).into()))
    }

    /// The proposal's text.
    async fn proposal(&self) -> &str {
        &self.0.proposal
    }

    /// Where the bid stands.
    async fn status(&self) -> BidStatus {
        self.0.status
    }

    /// When the bid was submitted.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }
}

/// A bid on an active tender, before its closing time.
#[derive(InputObject)]
pub struct SubmitBidInput {
    /// The tender's global ID.
    tender_id: ID,
    /// The price offered; in the tender's currency when it discloses a value.
    amount: MoneyInput,
    /// The proposal's text.
    proposal: String,
    /// Bid for this alliance; the caller must be its lead and every member must have accepted.
    alliance_id: Option<ID>,
}

#[derive(Default)]
pub struct BidMutation;

#[Object]
impl BidMutation {
    /// A company answers an active tender, alone or for an alliance it leads. The bidder (for
    /// an alliance, its members together) must meet the tender's eligibility criteria; a bid
    /// that does not is refused with `CONFLICT` and `extensions.criteria` naming the failed
    /// criteria (`CERTIFICATIONS`, `MIN_EMPLOYEES`, `SERVICE_LINES`).
    async fn submit_bid(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tender, the price and the proposal.")] input: SubmitBidInput,
    ) -> Result<Bid> {
        let w = writer(ctx);
        w.require_company()?;
        let new = NewBid {
            tender_id: ids::decode(&input.tender_id, Kind::Tender, "tenderId")?,
            amount: input.amount.parse("amount")?,
            proposal: input.proposal,
            alliance_id: match &input.alliance_id {
                Some(id) => Some(ids::decode(id, Kind::Alliance, "allianceId")?),
                None => None,
            },
        };
        Ok(Bid(bids::submit(&w, new).await?))
    }

    /// The bidding company withdraws its bid while the tender is open.
    async fn withdraw_bid(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The bid's global ID.")] id: ID,
    ) -> Result<Bid> {
        let w = writer(ctx);
        w.require_company()?;
        let number = ids::decode(&id, Kind::Bid, "id")?;
        Ok(Bid(bids::withdraw(&w, number).await?))
    }
}
