//! The Meilisearch engine, through meilisearch-sdk. Used when `MEILI_URL` is set.
//!
//! The adapter owns its index settings and applies them at start, waiting for Meilisearch's
//! tasks to finish: a failed task is an error, not a log line. Filters are built from typed
//! values and every value is quoted and escaped, so no input becomes filter syntax.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::errors::Error as MeiliError;
use meilisearch_sdk::search::Selectors;
use meilisearch_sdk::settings::{
    FacetingSettings, LocalizedAttributes, MinWordSizeForTypos, PaginationSetting, Settings,
    TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;

use super::{
    DocKey, Highlight, SearchDocument, SearchEngine, SearchError, SearchFacet, SearchFilter,
    SearchHit, SearchRequest, SearchResponse, SearchSort, normalize,
};
use crate::domain::SearchType;

const HIGHLIGHTED: [&str; 4] = ["name_en", "name_zh", "description_en", "description_zh"];
const TASK_TIMEOUT: Duration = Duration::from_secs(120);

/// A document as Meilisearch indexes it: the contract's fields and the normalised forms of its
/// words (`normalize.rs`), searchable beside the texts as written.
#[derive(serde::Serialize)]
struct Indexed<'a> {
    #[serde(flatten)]
    document: &'a SearchDocument,
    name_aliases: Vec<String>,
    text_aliases: Vec<String>,
}

impl<'a> Indexed<'a> {
    fn of(document: &'a SearchDocument) -> Self {
        Self {
            document,
            name_aliases: normalize::name_aliases(document),
            text_aliases: normalize::text_aliases(document)
                .into_iter()
                .chain(normalize::certification_aliases(document))
                .collect(),
        }
    }
}

pub struct MeiliEngine {
    client: Client,
    index: String,
}

fn error(e: MeiliError) -> SearchError {
    match e {
        MeiliError::HttpError(e) => SearchError::Unavailable(e.to_string()),
        MeiliError::Timeout => SearchError::Unavailable("timed out".into()),
        other => SearchError::Engine(other.to_string()),
    }
}

/// A filter value, quoted, with quotes and backslashes escaped.
pub fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

use crate::domain::enum_code as code;

/// The filter expression for a request: `attribute IN ["a", "b"]` clauses joined by AND.
pub fn filter_expression(request: &SearchRequest) -> Option<String> {
    filter_of(&request.filter)
}

fn filter_of(f: &SearchFilter) -> Option<String> {
    let mut clauses = Vec::new();
    let mut any_of = |attribute: &str, values: Vec<String>| {
        if !values.is_empty() {
            let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
            clauses.push(format!("{attribute} IN [{}]", values.join(", ")));
        }
    };
    any_of(
        "type",
        f.types.iter().map(|t| t.code().to_owned()).collect(),
    );
    any_of("district", f.districts.iter().map(|d| code(*d)).collect());
    any_of("park", f.parks.clone());
    any_of(
        "service_lines",
        f.service_lines.iter().map(|l| code(*l)).collect(),
    );
    any_of(
        "certifications",
        f.certifications.iter().map(|c| code(*c)).collect(),
    );
    any_of(
        "employee_band",
        f.employee_bands
            .iter()
            .map(|b| b.code().to_owned())
            .collect(),
    );
    any_of(
        "tender_status",
        f.tender_status.iter().map(|s| code(*s)).collect(),
    );
    if let Some(leading) = f.leading {
        // Leading or not is a property of companies only.
        clauses.push(format!("type = {}", quote(SearchType::Company.code())));
        clauses.push(format!("leading = {leading}"));
    }
    if let Some(min) = f.min_employees {
        clauses.push(format!("headcount >= {min}"));
    }
    if let Some(identifier) = &f.identifier {
        clauses.push(format!("identifiers = {}", quote(identifier)));
    }
    (!clauses.is_empty()).then(|| clauses.join(" AND "))
}

/// Whether the settings Meilisearch holds (`have`) already say all that `want` says: every
/// key `want` sets (not null) has the same value in `have`, objects compared key by key, lists as sets
/// except where their order ranks (searchable attributes, ranking rules).
fn settings_hold(want: &serde_json::Value, have: &serde_json::Value) -> bool {
    use serde_json::Value;
    fn same(key: &str, want: &Value, have: &Value) -> bool {
        match (want, have) {
            // A key we leave unset (null) is Meilisearch's to fill.
            (Value::Object(w), Value::Object(h)) => w
                .iter()
                .all(|(k, v)| v.is_null() || h.get(k).is_some_and(|hv| same(k, v, hv))),
            (Value::Array(w), Value::Array(h))
                if !matches!(key, "searchableAttributes" | "rankingRules") =>
            {
                let sorted = |a: &Vec<Value>| {
                    let mut v: Vec<String> = a.iter().map(|x| x.to_string()).collect();
                    v.sort();
                    v
                };
                sorted(w) == sorted(h)
            }
            _ => want == have,
        }
    }
    same("", want, have)
}

impl MeiliEngine {
    pub fn new(url: &str, key: Option<&str>, index: &str) -> Result<Self, SearchError> {
        let client = Client::new(url, key).map_err(error)?;
        Ok(Self {
            client,
            index: index.to_owned(),
        })
    }

    fn settings() -> Settings {
        Settings::new()
            .with_searchable_attributes([
                "name_en",
                "name_zh",
                "name_aliases",
                "district_names",
                "park_names",
                "service_line_names",
                "buyer",
                "certifications",
                "description_en",
                "description_zh",
                "text_aliases",
            ])
            .with_filterable_attributes([
                "identifiers",
                "type",
                "district",
                "park",
                "service_lines",
                "certifications",
                "employee_band",
                "tender_status",
                "leading",
                "headcount",
            ])
            .with_sortable_attributes(["name_sort", "headcount", "closes_at"])
            .with_ranking_rules([
                "words",
                "typo",
                "proximity",
                "attribute",
                "sort",
                "exactness",
            ])
            // Synonyms travel in the documents (normalize.rs), as on the embedded engine.
            .with_synonyms(HashMap::<String, Vec<String>>::new())
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: None,
                disable_on_words: None,
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(5),
                    two_typos: Some(9),
                }),
                disable_on_numbers: None,
            })
            // Counts stay exact far beyond the pages one may walk (MAX_HITS).
            .with_pagination(PaginationSetting {
                max_total_hits: 1_000_000,
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: 500,
                sort_facet_values_by: None,
            })
            .with_localized_attributes([LocalizedAttributes {
                locales: vec!["cmn".into()],
                attribute_patterns: vec!["*_zh".into()],
            }])
    }

    /// Waits for a task and turns a failed one into an error.
    async fn wait(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(50)),
                Some(TASK_TIMEOUT),
            )
            .await
            .map_err(error)?;
        if task.is_failure() {
            let failure = task.unwrap_failure();
            return Err(SearchError::Engine(format!(
                "task failed: {} ({:?})",
                failure.error_message, failure.error_code
            )));
        }
        Ok(())
    }

    async fn prepare_index(&self, uid: &str) -> Result<(), SearchError> {
        match self.client.get_index(uid).await {
            Ok(_) => {}
            Err(MeiliError::Meilisearch(e))
                if e.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound =>
            {
                let task = self
                    .client
                    .create_index(uid, Some("key"))
                    .await
                    .map_err(error)?;
                self.wait(task).await?;
            }
            Err(e) => return Err(error(e)),
        }
        // Meilisearch treats even an unchanged settings update as work over every document
        // (seconds at 100,000 companies): it is sent only when something differs, so that
        // servers starting, restarting or recovering do not load the engine for nothing.
        let desired = Self::settings();
        let current = self.client.index(uid).get_settings().await.map_err(error)?;
        if let (Ok(want), Ok(have)) = (
            serde_json::to_value(&desired),
            serde_json::to_value(&current),
        ) && settings_hold(&want, &have)
        {
            return Ok(());
        }
        let task = self
            .client
            .index(uid)
            .set_settings(&desired)
            .await
            .map_err(error)?;
        self.wait(task).await
    }

    async fn add(&self, uid: &str, documents: &[SearchDocument]) -> Result<(), SearchError> {
        let documents: Vec<Indexed<'_>> = documents.iter().map(Indexed::of).collect();
        for chunk in documents.chunks(5_000) {
            let task = self
                .client
                .index(uid)
                .add_or_replace(chunk, Some("key"))
                .await
                .map_err(error)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    /// Deletes the index (for tests that own theirs).
    pub async fn drop_index(&self) -> Result<(), SearchError> {
        let task = self
            .client
            .index(&self.index)
            .delete()
            .await
            .map_err(error)?;
        self.wait(task).await
    }
}

#[async_trait]
impl SearchEngine for MeiliEngine {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    fn shared(&self) -> bool {
        true
    }

    async fn prepare(&self) -> Result<(), SearchError> {
        self.prepare_index(&self.index).await
    }

    async fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError> {
        self.add(&self.index, &documents).await
    }

    async fn delete(&self, keys: Vec<DocKey>) -> Result<(), SearchError> {
        if keys.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = keys.iter().map(DocKey::as_string).collect();
        let task = self
            .client
            .index(&self.index)
            .delete_documents(&keys)
            .await
            .map_err(error)?;
        self.wait(task).await
    }

    async fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError> {
        // Blue/green: fill a fresh index, then swap it in atomically; searches answer from the
        // old one until the swap.
        let fresh = format!("{}__rebuild", self.index);
        if let Ok(task) = self.client.index(&fresh).delete().await {
            let _ = self.wait(task).await;
        }
        self.prepare_index(&self.index).await?;
        self.prepare_index(&fresh).await?;
        self.add(&fresh, &documents).await?;
        let swap = SwapIndexes {
            indexes: (self.index.clone(), fresh.clone()),
            rename: None,
        };
        let task = self.client.swap_indexes([&swap]).await.map_err(error)?;
        self.wait(task).await?;
        let task = self.client.index(&fresh).delete().await.map_err(error)?;
        self.wait(task).await
    }

    async fn run(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let filter = filter_expression(request);
        let mut facet_names: Vec<&str> = vec!["type"];
        facet_names.extend(request.facets.iter().map(|f| f.attribute()));
        let sort: Vec<&str> = match request.sort {
            SearchSort::Relevance => vec![],
            SearchSort::Name => vec!["name_sort:asc"],
            SearchSort::EmployeesDesc => vec!["headcount:desc"],
            SearchSort::ClosingDate => vec!["closes_at:asc"],
        };
        let crop: Vec<(&str, Option<usize>)> =
            vec![("description_en", Some(30)), ("description_zh", Some(30))];
        let index = self.client.index(&self.index);
        let mut query = index.search();
        query
            .with_query(&request.query)
            .with_page(1)
            .with_hits_per_page(request.offset + request.limit)
            .with_facets(Selectors::Some(&facet_names))
            .with_attributes_to_retrieve(Selectors::Some(&["key"]))
            .with_attributes_to_highlight(Selectors::Some(&HIGHLIGHTED))
            .with_attributes_to_crop(Selectors::Some(&crop))
            .with_crop_marker("…")
            .with_highlight_pre_tag(super::MARK_START)
            .with_highlight_post_tag(super::MARK_END);
        if let Some(filter) = &filter {
            query.with_filter(filter);
        }
        if !sort.is_empty() {
            query.with_sort(&sort);
        }
        // A facet the filter narrows by is counted over the hits without its own condition:
        // one more query each, sent with the main one in a single multi-search.
        let disjunctive: Vec<(SearchFacet, Option<String>, [&str; 1])> = request
            .disjunctive_facets()
            .into_iter()
            .map(|f| (f, filter_of(&f.lifted(&request.filter)), [f.attribute()]))
            .collect();
        let (results, lifted) = if disjunctive.is_empty() {
            let results = query.execute::<serde_json::Value>().await.map_err(error)?;
            (results, Vec::new())
        } else {
            let mut multi = self.client.multi_search();
            multi.with_search_query(query);
            for (_, filter, attribute) in &disjunctive {
                let mut count = index.search();
                count
                    .with_query(&request.query)
                    .with_limit(0)
                    .with_facets(Selectors::Some(attribute));
                if let Some(filter) = filter {
                    count.with_filter(filter);
                }
                multi.with_search_query(count);
            }
            let mut answers = multi
                .execute::<serde_json::Value>()
                .await
                .map_err(error)?
                .results
                .into_iter();
            let results = answers
                .next()
                .ok_or_else(|| SearchError::Engine("multi-search answered no results".into()))?;
            let lifted: Vec<(SearchFacet, Vec<(String, usize)>)> = disjunctive
                .iter()
                .zip(answers)
                .map(|((facet, _, _), answer)| {
                    let values = answer
                        .facet_distribution
                        .and_then(|d| d.get(facet.attribute()).cloned())
                        .map(|m| m.into_iter().collect())
                        .unwrap_or_default();
                    (*facet, super::ranked(values))
                })
                .collect();
            (results, lifted)
        };
        let mut hits = Vec::new();
        for hit in results.hits.into_iter().skip(request.offset) {
            let Some(key) = hit
                .result
                .get("key")
                .and_then(|k| k.as_str())
                .and_then(DocKey::parse)
            else {
                continue;
            };
            let mut highlights = Vec::new();
            if let Some(formatted) = &hit.formatted_result {
                for field in HIGHLIGHTED {
                    if let Some(text) = formatted.get(field).and_then(|v| v.as_str())
                        && text.contains(super::MARK_START)
                    {
                        highlights.push(Highlight {
                            field: field.to_owned(),
                            snippet: super::snippet_of_marked(text),
                        });
                    }
                }
            }
            hits.push(SearchHit { key, highlights });
        }
        let distribution = results.facet_distribution.unwrap_or_default();
        let values = |attribute: &str| -> Vec<(String, usize)> {
            let values: Vec<(String, usize)> = distribution
                .get(attribute)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
                .unwrap_or_default();
            super::ranked(values)
        };
        let type_counts = super::type_counts(values("type"));
        let facets = request
            .facets
            .iter()
            .map(
                |f: &SearchFacet| match lifted.iter().find(|(l, _)| l == f) {
                    Some((_, counted)) => (*f, counted.clone()),
                    None => (*f, values(f.attribute())),
                },
            )
            .collect();
        Ok(SearchResponse {
            hits,
            total_hits: results
                .total_hits
                .or(results.estimated_total_hits)
                .unwrap_or(0),
            facets,
            type_counts,
        })
    }

    async fn count(&self) -> Result<u64, SearchError> {
        match self.client.index(&self.index).get_stats().await {
            Ok(stats) => Ok(stats.number_of_documents as u64),
            Err(MeiliError::Meilisearch(e))
                if e.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound =>
            {
                Ok(0)
            }
            Err(e) => Err(error(e)),
        }
    }

    async fn health(&self) -> Result<(), SearchError> {
        self.client.health().await.map(|_| ()).map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DistrictCode;
    use crate::search::SearchFilter;

    #[test]
    fn settings_hold_when_meilisearch_says_all_we_want_in_any_order() {
        let want = serde_json::json!({
            "searchableAttributes": ["name_en", "name_zh"],
            "filterableAttributes": ["type", "district"],
            "synonyms": { "ito": ["bpo", "kpo"] },
            "pagination": { "maxTotalHits": 1000 },
        });
        let have = serde_json::json!({
            "searchableAttributes": ["name_en", "name_zh"],
            "filterableAttributes": ["district", "type"],
            "synonyms": { "ito": ["kpo", "bpo"] },
            "pagination": { "maxTotalHits": 1000 },
            "stopWords": [],
        });
        assert!(settings_hold(&want, &have));
        let reordered = serde_json::json!({ "searchableAttributes": ["name_zh", "name_en"] });
        assert!(!settings_hold(&reordered, &have));
        let more = serde_json::json!({ "filterableAttributes": ["type", "district", "park"] });
        assert!(!settings_hold(&more, &have));
    }

    #[test]
    fn filter_values_are_quoted_and_escaped() {
        assert_eq!(
            quote(r#"Nanchang" OR district != "x"#),
            r#""Nanchang\" OR district != \"x""#
        );
        assert_eq!(quote(r"a\"), r#""a\\""#);
        let request = SearchRequest {
            query: String::new(),
            filter: SearchFilter {
                districts: vec![DistrictCode::Nanchang],
                parks: vec![r#"x" OR type = "PARK"#.into()],
                min_employees: Some(50),
                ..Default::default()
            },
            facets: vec![],
            sort: SearchSort::Relevance,
            offset: 0,
            limit: 10,
        };
        assert_eq!(
            filter_expression(&request).unwrap(),
            r#"district IN ["NANCHANG"] AND park IN ["x\" OR type = \"PARK"] AND headcount >= 50"#
        );
    }
}
