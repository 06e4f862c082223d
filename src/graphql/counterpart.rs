//! Counterparts, the buyers of services (Shanghai Free Trade Zone firms and other
//! organisations): the `Counterpart` type, its queries, and its registration and profile.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::ids::{self, Kind};
use super::loaders::{TenderCountOf, TendersOfCounterpart};
use super::reference::FreeTradeZoneArea;
use super::tender::Tender;
use super::writer;
use super::{List, connection, list, loaders, maybe, state, wants_total};
use crate::domain::CounterpartKind;
use crate::entities::counterpart;
use crate::error::AppError;
use crate::services::counterpart as counterparts;
use crate::services::page::Page;
use crate::services::tender::TenderOrder as Order;

pub struct Counterpart(pub counterpart::Model);

impl Counterpart {
    /// The columns of `counterpart` each field below reads, for lists that read no more than
    /// the query selects; `None` for a field not named here, which needs the whole row. A
    /// field that starts reading another column must say so here.
    pub(crate) fn reads(field: &str) -> Option<&'static [counterpart::Column]> {
        use counterpart::Column as C;
        Some(match field {
            // The id is always read; `tenders` reads by it.
            "__typename" | "id" | "tenders" => &[],
            "name" => &[C::NameEn],
            "nameZh" => &[C::NameZh],
            "kind" => &[C::Kind],
            "freeTradeZoneArea" => &[C::FtzAreaId],
            "city" => &[C::City],
            "uscc" => &[C::Uscc],
            "description" => &[C::Description],
            "website" => &[C::Website],
            _ => return None,
        })
    }
}

/// A buyer of services: a Shanghai Free Trade Zone firm or another organisation.
#[Object]
impl Counterpart {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Counterpart, self.0.id)
    }

    /// English name.
    async fn name(&self) -> &str {
        &self.0.name_en
    }

    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }

    /// What kind of organisation it is.
    async fn kind(&self) -> CounterpartKind {
        self.0.kind
    }

    /// The Shanghai FTZ area it is registered in, if any.
    async fn free_trade_zone_area(&self, ctx: &Context<'_>) -> Option<FreeTradeZoneArea> {
        let area = self.0.ftz_area_id?;
        state(ctx)
            .reference
            .ftz_area(area)
            .cloned()
            .map(FreeTradeZoneArea)
    }

    /// City where it is registered.
    async fn city(&self) -> &str {
        &self.0.city
    }

    /// Unified social credit code, for counterparts registered in China.
    async fn uscc(&self) -> Option<&str> {
        self.0.uscc.as_deref()
    }

    /// English description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Website address.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// The counterpart's tenders, by closing date.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn tenders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<List<Tender>> {
        let order = Order::default();
        let page = ids::page_request(first, after, |p| order.accepts(p))?;
        let after_given = page.after.is_some();
        let loaders = loaders(ctx)?;
        let (found, total) = tokio::join!(
            loaders.load_one(TendersOfCounterpart {
                counterpart: self.0.id,
                page
            }),
            async {
                if wants_total(ctx) {
                    loaders.load_one(TenderCountOf(self.0.id)).await
                } else {
                    Ok(None)
                }
            }
        );
        let found = found?.unwrap_or_else(Page::empty);
        let total = total?.unwrap_or_default();
        Ok(list(
            found,
            after_given,
            u64::try_from(total).unwrap_or_default(),
            Tender::new,
        ))
    }
}

#[derive(Default)]
pub struct CounterpartQuery;

#[Object]
impl CounterpartQuery {
    /// Counterparts, in the order they were recorded.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(max_age = 60)
    )]
    async fn counterparts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<List<Counterpart>> {
        let page = ids::page_request(first, after, |p| p.is_by_id(counterparts::ORDER_TAG))?;
        let db = &state(ctx).db;
        let found = counterparts::list(db, &page).await?;
        Ok(connection(ctx, &page, found, counterparts::count(db), Counterpart).await?)
    }

    /// One counterpart by ID.
    #[graphql(cache_control(max_age = 60))]
    async fn counterpart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The counterpart's global ID.")] id: ID,
    ) -> Result<Counterpart> {
        let number = ids::decode(&id, Kind::Counterpart, "id")?;
        counterparts::by_ids(&state(ctx).db, &[number])
            .await?
            .remove(&number)
            .map(Counterpart)
            .ok_or_else(|| AppError::not_found_id("counterpart", id.as_str()).into())
    }
}

/// A counterpart's fields. On `createCounterpart`, `name`, `nameZh`, `kind` and `city` are
/// required (and `freeTradeZoneAreaId` for an FTZ enterprise, only for one); on
/// `updateCounterpartProfile`, absent fields stay as they are and `kind`,
/// `freeTradeZoneAreaId` and `uscc` cannot change.
#[derive(InputObject, Default)]
pub struct CounterpartInput {
    /// English name, up to 300 characters.
    name: Option<String>,
    /// Chinese name, up to 200 characters.
    name_zh: Option<String>,
    /// What kind of organisation it is.
    kind: Option<CounterpartKind>,
    /// The Shanghai FTZ area, by ID; required for an FTZ enterprise.
    free_trade_zone_area_id: Option<ID>,
    /// City where it is registered, up to 100 characters.
    city: Option<String>,
    /// Unified social credit code (GB 32100-2015), for counterparts registered in China;
    /// checked, and unique among counterparts.
    uscc: Option<String>,
    /// English description, up to 10,000 characters.
    description: Option<String>,
    /// Website address, `http://` or `https://`; `null` clears it.
    website: async_graphql::MaybeUndefined<String>,
}

#[derive(Default)]
pub struct CounterpartMutation;

#[Object]
impl CounterpartMutation {
    /// The Department of Commerce registers a counterpart.
    async fn create_counterpart(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The counterpart to register: `name`, `nameZh`, `kind` and `city` at least."
        )]
        input: CounterpartInput,
    ) -> Result<Counterpart> {
        let w = writer(ctx);
        w.require_admin()?;
        let area = match &input.free_trade_zone_area_id {
            Some(id) => {
                let number = ids::decode(id, Kind::FreeTradeZoneArea, "freeTradeZoneAreaId")?;
                if state(ctx).reference.ftz_area(number).is_none() {
                    return Err(AppError::not_found_id("free trade zone area", id.as_str()).into());
                }
                Some(number)
            }
            None => None,
        };
        let fields = counterparts::CounterpartFields {
            name_en: input.name,
            name_zh: input.name_zh,
            kind: input.kind,
            ftz_area_id: area,
            city: input.city,
            uscc: input.uscc,
            description: input.description,
            website: maybe(input.website),
        };
        Ok(Counterpart(
            counterparts::create_counterpart(&w, fields).await?,
        ))
    }

    /// A counterpart keeps its own profile.
    async fn update_counterpart_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The changes to the caller's own profile; `kind`, `freeTradeZoneAreaId` and\n\
                    `uscc` cannot be given."
        )]
        input: CounterpartInput,
    ) -> Result<Counterpart> {
        let w = writer(ctx);
        w.require_counterpart()?;
        for (given, field) in [
            (input.kind.is_some(), "kind"),
            (
                input.free_trade_zone_area_id.is_some(),
                "freeTradeZoneAreaId",
            ),
            (input.uscc.is_some(), "uscc"),
        ] {
            if given {
                return Err(AppError::bad_field(
                    field,
                    format!("{field} is kept by the Department of Commerce"),
                )
                .into());
            }
        }
        let fields = counterparts::CounterpartFields {
            name_en: input.name,
            name_zh: input.name_zh,
            city: input.city,
            description: input.description,
            website: maybe(input.website),
            ..Default::default()
        };
        Ok(Counterpart(
            counterparts::update_counterpart_profile(&w, fields).await?,
        ))
    }
}
