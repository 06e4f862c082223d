//! Full-text search in the API: one query over companies, tenders and parks.

use async_graphql::{Context, ID, InputObject, Result, SimpleObject, Union};

use super::company::Company;
use super::ids::{self, Kind};
use super::loaders::{CompanyById, ParkById, TenderById};
use super::park::Park;
use super::tender::Tender;
use super::{loaders, state};
use crate::domain::{
    CertificationStandard, DistrictCode, EmployeeBand, SearchType, ServiceLine, TenderStatus,
};
use crate::error::AppError;
use crate::search::{self, MAX_HITS, SearchFacet, SearchRequest, SearchSort};
use crate::services::page::{Keyset, SortKey};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
const CURSOR_ORDER: &str = "search.offset";

/// What a search hit is.
#[derive(Union)]
pub enum SearchResult {
    Company(Company),
    Tender(Tender),
    Park(Park),
}

/// A matched field, with the matched words wrapped in `<em>` and `</em>`.
#[derive(SimpleObject)]
pub struct Highlight {
    /// `name_en`, `name_zh`, `description_en` or `description_zh`.
    field: String,
    /// The field's text, HTML-escaped (`&`, `<`, `>`, `"` and `'` as entities), with each
    /// matched word wrapped in `<em>` and `</em>`, the only markup it holds; a description is
    /// cut to a window around its matches, the cuts marked `…`.
    snippet: String,
}

/// One search hit and where it stands in the results.
#[derive(SimpleObject)]
pub struct SearchEdge {
    /// This hit's place in the results; pass it as `after` to continue after it.
    cursor: String,
    /// The company, tender or park found.
    node: SearchResult,
    /// The fields that matched, marked.
    highlights: Vec<Highlight>,
}

/// One value of a facet and how many hits carry it.
#[derive(SimpleObject)]
pub struct FacetValue {
    /// A value the facet's filter accepts.
    value: String,
    /// Hits with that value.
    count: i64,
}

/// The counts of one requested facet over all hits (not only this page); values no hit
/// carries are left out. A facet the filter narrows by (districts, for the district facet) is
/// counted with its own condition lifted and every other kept, so its other values show what
/// choosing them instead, or as well, would give.
#[derive(SimpleObject)]
pub struct FacetDistribution {
    /// The facet counted.
    facet: SearchFacet,
    /// Values by descending count.
    values: Vec<FacetValue>,
}

/// How many hits, over all pages, are of one type.
#[derive(SimpleObject)]
pub struct SearchTypeCount {
    /// The type of object counted.
    #[graphql(name = "type")]
    kind: SearchType,
    /// Hits of that type.
    count: i64,
}

/// Where a page of search hits stands. Search pages reach at most the first 1,000 hits:
/// past them `hasNextPage` is false even when `totalHits` is larger.
#[derive(SimpleObject)]
pub struct SearchPageInfo {
    /// Whether hits follow this page, within the first 1,000.
    has_next_page: bool,
    /// Whether hits come before this page (it was asked for with `after`).
    has_previous_page: bool,
    /// The cursor of the page's first hit; null when the page is empty.
    start_cursor: Option<String>,
    /// The cursor of the page's last hit, to pass as `after` for the next page; null when the
    /// page is empty.
    end_cursor: Option<String>,
}

/// One page of search hits, with counts over all of them.
#[derive(SimpleObject)]
pub struct SearchConnection {
    /// The hits of this page, in the requested order.
    edges: Vec<SearchEdge>,
    /// Where this page stands, and the cursor to the next.
    page_info: SearchPageInfo,
    /// Hits over all pages.
    total_hits: i64,
    /// Counts of the requested facets over all hits.
    facet_distribution: Vec<FacetDistribution>,
    /// Hits per type over all hits.
    type_counts: Vec<SearchTypeCount>,
}

/// Narrows a search; within a field any value may match, across fields all must.
#[derive(InputObject, Default)]
pub struct SearchFilter {
    /// Companies and parks in one of these districts.
    districts: Option<Vec<DistrictCode>>,
    /// Park IDs.
    parks: Option<Vec<ID>>,
    /// Companies offering, tenders asking for, or parks focused on one of these service
    /// lines.
    service_lines: Option<Vec<ServiceLine>>,
    /// Companies holding a certificate in force of one of these standards.
    certifications: Option<Vec<CertificationStandard>>,
    /// Companies whose headcount falls in one of these bands.
    employee_bands: Option<Vec<EmployeeBand>>,
    /// Companies with at least this many employees.
    min_employees: Option<i32>,
    /// Only leading companies (true) or everything else (false).
    leading: Option<bool>,
    /// Tenders in one of these statuses.
    tender_status: Option<Vec<TenderStatus>>,
}

fn offset_cursor(offset: usize) -> String {
    ids::encode_cursor(&Keyset {
        order: CURSOR_ORDER.into(),
        key: Some(SortKey::Int(offset as i64)),
        id: 0,
    })
}

#[derive(Default)]
pub struct SearchQuery;

#[async_graphql::Object]
impl SearchQuery {
    /// Finds companies, tenders and parks by words in Chinese or English, forgiving typos and
    /// matching the last word as a prefix. Traditional characters find their simplified forms,
    /// full-width letters and digits their half-width ones, and punctuation inside a word does
    /// not split it (`KT` finds `K.T`); the field's synonyms match each other (呼叫中心, call
    /// centre). A pasted identifier (a unified social credit code, a certificate number, an
    /// ocid) finds only the records carrying it, when any do. An empty query matches
    /// everything the filter allows. While the index is built from empty, the answer is
    /// `SEARCH_UNAVAILABLE` with `extensions.reason` `INDEX_BUILDING`.
    #[allow(clippy::too_many_arguments)]
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(max_age = 30)
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The words to find, Chinese or English, up to 500 characters; empty for\n\
                    everything."
        )]
        query: String,
        #[graphql(desc = "Only these types (default: all).")] types: Option<Vec<SearchType>>,
        #[graphql(desc = "Only the hits that meet every condition given (default: all).")]
        filter: Option<SearchFilter>,
        #[graphql(name = "facets", desc = "Facets to count over all hits.")]
        requested_facets: Option<Vec<SearchFacet>>,
        #[graphql(default, desc = "The order of the hits (default: best match first).")]
        sort: SearchSort,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<SearchConnection> {
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::bad_field(
                "query",
                format!("a query has at most {MAX_QUERY_CHARS} characters"),
            )
            .into());
        }
        let page = ids::page_request(first, after, |p| {
            p.order == CURSOR_ORDER && matches!(p.key, Some(SortKey::Int(n)) if n >= 0)
        })?;
        let offset = match &page.after {
            Some(Keyset {
                key: Some(SortKey::Int(n)),
                ..
            }) => *n as usize + 1,
            _ => 0,
        };
        let limit = page.first as usize;
        if offset + limit > MAX_HITS {
            return Err(AppError::bad_field(
                "after",
                format!("search pages stop at {MAX_HITS} hits; narrow the query or the filter"),
            )
            .into());
        }
        let filter = filter.unwrap_or_default();
        let mut parks = Vec::new();
        for id in filter.parks.unwrap_or_default() {
            let number = ids::decode(&id, Kind::Park, "filter.parks")?;
            parks.push(ids::encode(Kind::Park, number).to_string());
        }
        if let Some(min) = filter.min_employees
            && min < 0
        {
            return Err(AppError::bad_field(
                "filter.minEmployees",
                "minEmployees must not be negative",
            )
            .into());
        }
        let mut facets: Vec<SearchFacet> = Vec::new();
        for facet in requested_facets.unwrap_or_default() {
            if !facets.contains(&facet) {
                facets.push(facet);
            }
        }
        let request = SearchRequest {
            query: query.trim().to_owned(),
            filter: search::SearchFilter {
                types: types.unwrap_or_default(),
                districts: filter.districts.unwrap_or_default(),
                parks,
                service_lines: filter.service_lines.unwrap_or_default(),
                certifications: filter.certifications.unwrap_or_default(),
                employee_bands: filter.employee_bands.unwrap_or_default(),
                min_employees: filter.min_employees.map(i64::from),
                leading: filter.leading,
                tender_status: filter.tender_status.unwrap_or_default(),
                identifier: None,
            },
            facets,
            sort,
            offset,
            limit,
        };
        let api = state(ctx);
        if api.sync_health.index() == crate::services::sync::IndexState::Building {
            return Err(AppError::IndexBuilding.into());
        }
        let started = std::time::Instant::now();
        let searched = api.search.search(&request).await;
        api.metrics
            .search_seconds
            .with_label_values(&[api.search.name()])
            .observe(started.elapsed().as_secs_f64());
        let response = searched.map_err(AppError::from)?;

        let loaders = loaders(ctx)?;
        let of = |kind: SearchType| {
            response
                .hits
                .iter()
                .filter(move |h| h.key.kind == kind)
                .map(|h| h.key.id)
        };
        let companies = loaders
            .load_many(of(SearchType::Company).map(CompanyById))
            .await?;
        let tenders = loaders
            .load_many(of(SearchType::Tender).map(TenderById))
            .await?;
        let parks = loaders
            .load_many(of(SearchType::Park).map(ParkById))
            .await?;
        let mut edges = Vec::with_capacity(response.hits.len());
        for (i, hit) in response.hits.into_iter().enumerate() {
            // A hit whose object was deleted a moment ago is skipped, not an error.
            let node = match hit.key.kind {
                SearchType::Company => companies
                    .get(&CompanyById(hit.key.id))
                    .cloned()
                    .map(|m| SearchResult::Company(Company::new(m))),
                SearchType::Tender => tenders
                    .get(&TenderById(hit.key.id))
                    .cloned()
                    .map(|m| SearchResult::Tender(Tender::new(m))),
                SearchType::Park => parks
                    .get(&ParkById(hit.key.id))
                    .cloned()
                    .map(|m| SearchResult::Park(Park(m))),
            };
            if let Some(node) = node {
                edges.push(SearchEdge {
                    cursor: offset_cursor(offset + i),
                    node,
                    highlights: hit
                        .highlights
                        .into_iter()
                        .map(|h| Highlight {
                            field: h.field,
                            snippet: h.snippet,
                        })
                        .collect(),
                });
            }
        }
        let served = offset + limit;
        Ok(SearchConnection {
            page_info: SearchPageInfo {
                has_next_page: served < response.total_hits.min(MAX_HITS),
                has_previous_page: offset > 0,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_hits: response.total_hits as i64,
            facet_distribution: response
                .facets
                .into_iter()
                .map(|(facet, values)| FacetDistribution {
                    facet,
                    values: values
                        .into_iter()
                        .map(|(value, count)| FacetValue {
                            value,
                            count: count as i64,
                        })
                        .collect(),
                })
                .collect(),
            type_counts: response
                .type_counts
                .into_iter()
                .map(|(kind, count)| SearchTypeCount {
                    kind,
                    count: count as i64,
                })
                .collect(),
        })
    }
}
