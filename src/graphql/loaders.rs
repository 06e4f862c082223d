//! DataLoaders: every nested field that needs the database goes through one, so a page of N
//! objects costs one statement per kind of nested field, not one per object.
//!
//! One loader value answers many key types; a fresh loader is made per request, so nothing is
//! cached across requests or users. Within a query its cache holds what was read, including
//! what a resolver read ahead in its own statement (a company with its park, certificates and
//! figures), so that the nested fields find it there instead of asking the database again.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::DatabaseConnection;

use crate::domain::{Actor, CertificationStandard, ServiceLine};
use crate::entities::{
    alliance, alliance_member, certification, company, company_figures, counterpart, park,
};
use crate::error::AppError;
use crate::services::company::ParkTotals;
use crate::services::page::{Page, PageRequest};
use crate::services::{
    alliance as alliances, certification as certifications, company as companies,
    counterpart as counterparts, park as parks, tender,
};

/// The database, and who is reading: what a loader answers depends on what the reader may see
/// (a company's unverified certificates).
pub struct Db {
    pub db: DatabaseConnection,
    pub actor: Actor,
}

pub type Loaders = DataLoader<Db, HashMapCache>;

/// A loader for one request, caching what it reads for the request's length.
pub fn loaders(db: DatabaseConnection, actor: Actor) -> Loaders {
    DataLoader::with_cache(Db { db, actor }, tokio::spawn, HashMapCache::default())
}

/// A loader that keeps nothing: for a websocket connection, which lives for hours and must not
/// answer from what it read before, and for mutations, after which a field must see the write.
pub fn uncached_loaders(db: DatabaseConnection, actor: Actor) -> Loaders {
    let loaders = loaders(db, actor);
    loaders.enable_all_cache(false);
    loaders
}

macro_rules! keyed {
    ($(#[$doc:meta])* $key:ident => $value:ty, |$db:ident, $ids:ident| $body:expr) => {
        keyed!($(#[$doc])* $key => $value, |$db, $ids, _actor| $body);
    };
    ($(#[$doc:meta])* $key:ident => $value:ty, |$db:ident, $ids:ident, $actor:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for Db {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, AppError> {
                let $db = &self.db;
                #[allow(unused_variables)]
                let $actor = &self.actor;
                let $ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let found: HashMap<i64, $value> = $body;
                Ok(found.into_iter().map(|(id, v)| ($key(id), v)).collect())
            }
        }
    };
}

keyed!(
    /// A company by id.
    CompanyById => company::Model, |db, ids| companies::by_ids(db, &ids).await?
);
keyed!(
    /// A park by id.
    ParkById => park::Model, |db, ids| parks::by_ids(db, &ids).await?
);
keyed!(
    /// A counterpart by id.
    CounterpartById => counterpart::Model, |db, ids| counterparts::by_ids(db, &ids).await?
);
keyed!(
    /// A tender by id.
    TenderById => crate::entities::tender::Model, |db, ids| tender::by_ids(db, &ids).await?
);
keyed!(
    /// An alliance by id.
    AllianceById => alliance::Model, |db, ids| alliances::by_ids(db, &ids).await?
);
keyed!(
    /// A company's certificates, as far as the reader may see them.
    CertificationsOf => Vec<certification::Model>, |db, ids, actor| certifications::by_companies(db, &ids, certifications::Visibility::for_actor(actor)).await?
);
keyed!(
    /// A company's yearly figures.
    FiguresOf => Vec<company_figures::Model>, |db, ids| companies::figures(db, &ids).await?
);
keyed!(
    /// A company's figures of the most recent year it reported.
    LatestFiguresOf => company_figures::Model, |db, ids| companies::latest_figures(db, &ids).await?
);
keyed!(
    /// A company's service lines.
    ServiceLinesOf => Vec<ServiceLine>, |db, ids| companies::service_lines(db, &ids).await?
);
keyed!(
    /// The alliances a company belongs to.
    AlliancesOf => Vec<i64>, |db, ids| alliances::of_companies(db, &ids).await?
);
keyed!(
    /// An alliance's members.
    MembersOf => Vec<alliance_member::Model>, |db, ids| alliances::members(db, &ids).await?
);
keyed!(
    /// A park's focus industries.
    FocusOf => Vec<ServiceLine>, |db, ids| parks::focus_industries(db, &ids).await?
);
keyed!(
    /// A park's totals.
    TotalsOf => ParkTotals, |db, ids| companies::park_totals(db, &ids).await?
);
keyed!(
    /// How many tenders a counterpart has posted.
    TenderCountOf => i64, |db, ids| tender::count_by_counterparts(db, &ids).await?
);
keyed!(
    /// A tender's service lines.
    TenderLinesOf => Vec<ServiceLine>, |db, ids| tender::service_lines(db, &ids).await?
);
keyed!(
    /// A tender's amendments, oldest first.
    AmendmentsOf => Vec<crate::entities::tender_amendment::Model>, |db, ids| tender::amendments(db, &ids).await?
);
keyed!(
    /// A tender's required certification standards.
    RequiredOf => Vec<CertificationStandard>, |db, ids| tender::required_certifications(db, &ids).await?
);

/// One page of a park's companies. Keys asking for the same page shape are answered together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompaniesInPark {
    pub park: i64,
    pub page: PageRequest,
}

impl Loader<CompaniesInPark> for Db {
    type Value = Page<company::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CompaniesInPark],
    ) -> Result<HashMap<CompaniesInPark, Self::Value>, AppError> {
        let mut by_page: HashMap<&PageRequest, Vec<i64>> = HashMap::new();
        for key in keys {
            by_page.entry(&key.page).or_default().push(key.park);
        }
        let mut out = HashMap::new();
        for (page, parks) in by_page {
            for (park, found) in companies::first_in_parks(&self.db, &parks, page).await? {
                out.insert(
                    CompaniesInPark {
                        park,
                        page: page.clone(),
                    },
                    found,
                );
            }
        }
        Ok(out)
    }
}

/// One page of a counterpart's tenders, in the default order (by closing date).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TendersOfCounterpart {
    pub counterpart: i64,
    pub page: PageRequest,
}

impl Loader<TendersOfCounterpart> for Db {
    type Value = Page<crate::entities::tender::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[TendersOfCounterpart],
    ) -> Result<HashMap<TendersOfCounterpart, Self::Value>, AppError> {
        let mut by_page: HashMap<&PageRequest, Vec<i64>> = HashMap::new();
        for key in keys {
            by_page.entry(&key.page).or_default().push(key.counterpart);
        }
        let mut out = HashMap::new();
        for (page, counterparts) in by_page {
            let found = tender::first_of_counterparts(
                &self.db,
                &counterparts,
                tender::TenderOrder::default(),
                page,
            )
            .await?;
            for (counterpart, page_found) in found {
                out.insert(
                    TendersOfCounterpart {
                        counterpart,
                        page: page.clone(),
                    },
                    page_found,
                );
            }
        }
        Ok(out)
    }
}
