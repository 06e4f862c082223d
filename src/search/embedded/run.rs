//! Running a request: the query with trailing words dropped until something matches, the sort,
//! the page of hits (with their highlights), and the facet counts.

use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::schema::{TantivyDocument, Value};
use tantivy::{DocAddress, Order, Searcher};

use super::highlight::highlights;
use super::words::{Word, words};
use super::{Inner, engine_error};
use crate::search::{
    DocKey, SearchError, SearchFacet, SearchHit, SearchRequest, SearchResponse, SearchSort, ranked,
    type_counts,
};

/// Words of a query that count (Meilisearch's limit too).
const MAX_WORDS: usize = 10;

impl Inner {
    pub(super) fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let searcher = self.reader.searcher();
        let mut words = words(&request.query);
        // Like Meilisearch, only the first ten words of a query count.
        words.truncate(MAX_WORDS);
        loop {
            let response = self.run(&searcher, request, &words)?;
            if response.total_hits > 0 || words.len() <= 1 {
                return Ok(response);
            }
            words.pop();
        }
    }

    fn run(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        words: &[Word],
    ) -> Result<SearchResponse, SearchError> {
        let query = self.query(request, words);
        let mut facet_collector = FacetCollector::for_field("facets");
        facet_collector.add_facet("/type");
        for facet in &request.facets {
            facet_collector.add_facet(format!("/{}", facet.attribute()).as_str());
        }
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let (addresses, total, facet_counts) = match request.sort {
            SearchSort::Relevance => {
                let (hits, total, facets) = searcher
                    .search(&query, &(top.order_by_score(), Count, facet_collector))
                    .map_err(engine_error)?;
                (
                    hits.into_iter()
                        .map(|(_, a)| a)
                        .collect::<Vec<DocAddress>>(),
                    total,
                    facets,
                )
            }
            SearchSort::Name => {
                let (hits, total, facets) = searcher
                    .search(
                        &query,
                        &(
                            top.order_by_string_fast_field("name_sort", Order::Asc),
                            Count,
                            facet_collector,
                        ),
                    )
                    .map_err(engine_error)?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
            SearchSort::EmployeesDesc => {
                let (hits, total, facets) = searcher
                    .search(
                        &query,
                        &(
                            top.order_by_fast_field::<u64>("headcount", Order::Desc),
                            Count,
                            facet_collector,
                        ),
                    )
                    .map_err(engine_error)?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
            SearchSort::ClosingDate => {
                let (hits, total, facets) = searcher
                    .search(
                        &query,
                        &(
                            top.order_by_fast_field::<i64>("closes_at", Order::Asc),
                            Count,
                            facet_collector,
                        ),
                    )
                    .map_err(engine_error)?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
        };
        let addresses = if request.limit == 0 {
            Vec::new()
        } else {
            addresses
        };
        let schema = self.index.schema();
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(engine_error)?;
            let Some(key) = doc
                .get_first(self.fields.key)
                .and_then(|v| v.as_str())
                .and_then(DocKey::parse)
            else {
                continue;
            };
            let highlights = highlights(&doc, &self.fields, &schema, words);
            hits.push(SearchHit { key, highlights });
        }
        let count = |root: &str| values_under(&facet_counts, root);
        let type_counts = type_counts(count("/type"));
        let mut facets: Vec<(SearchFacet, Vec<(String, usize)>)> = request
            .facets
            .iter()
            .map(|f| (*f, count(&format!("/{}", f.attribute()))))
            .collect();
        // A facet the filter narrows by counts over the hits without its own condition.
        for facet in request.disjunctive_facets() {
            let lifted = SearchRequest {
                filter: facet.lifted(&request.filter),
                ..request.clone()
            };
            let root = format!("/{}", facet.attribute());
            let mut collector = FacetCollector::for_field("facets");
            collector.add_facet(root.as_str());
            let counts = searcher
                .search(&self.query(&lifted, words), &collector)
                .map_err(engine_error)?;
            if let Some(slot) = facets.iter_mut().find(|(f, _)| *f == facet) {
                slot.1 = values_under(&counts, &root);
            }
        }
        Ok(SearchResponse {
            hits,
            total_hits: total,
            facets,
            type_counts,
        })
    }
}

/// The values counted under a facet root (`/district`), ranked.
fn values_under(counts: &FacetCounts, root: &str) -> Vec<(String, usize)> {
    let values: Vec<(String, usize)> = counts
        .get(root)
        .map(|(facet, n)| {
            let value = facet
                .to_path()
                .last()
                .map(|s| s.to_string())
                .unwrap_or_default();
            (value, n as usize)
        })
        .collect();
    ranked(values)
}
