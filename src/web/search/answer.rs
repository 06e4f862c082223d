//! What the search page's document answers, as the page reads it.

use serde::Deserialize;

use crate::web::{LineInfo, Named};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Data {
    pub(super) search: Search,
    pub(super) districts: Vec<District>,
    pub(super) service_lines: Vec<LineInfo>,
    pub(super) parks: Connection,
}

#[derive(Deserialize)]
pub(super) struct District {
    pub(super) code: String,
    pub(super) name: String,
    #[serde(rename = "nameZh")]
    pub(super) name_zh: String,
}

#[derive(Deserialize)]
pub(super) struct Connection {
    pub(super) edges: Vec<Edge>,
}

#[derive(Deserialize)]
pub(super) struct Edge {
    pub(super) node: Named,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Search {
    pub(super) total_hits: i64,
    pub(super) type_counts: Vec<Count>,
    pub(super) facet_distribution: Vec<Facet>,
    pub(super) page_info: PageInfo,
    pub(super) edges: Vec<HitEdge>,
}

#[derive(Deserialize)]
pub(super) struct Count {
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) count: i64,
}

#[derive(Deserialize)]
pub(super) struct Facet {
    pub(super) facet: String,
    pub(super) values: Vec<FacetValue>,
}

#[derive(Deserialize)]
pub(super) struct FacetValue {
    pub(super) value: String,
    pub(super) count: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PageInfo {
    pub(super) has_next_page: bool,
    pub(super) end_cursor: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct HitEdge {
    pub(super) highlights: Vec<HighlightData>,
    pub(super) node: Node,
}

#[derive(Deserialize)]
pub(super) struct HighlightData {
    pub(super) field: String,
    pub(super) snippet: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Node {
    #[serde(rename = "__typename")]
    pub(super) typename: String,
    pub(super) id: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) name_zh: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) title_zh: String,
    pub(super) headcount: Option<i64>,
    #[serde(default)]
    pub(super) leading: bool,
    #[serde(default)]
    pub(super) service_lines: Vec<String>,
    pub(super) district: Option<Named>,
    pub(super) park: Option<Named>,
    pub(super) status: Option<String>,
    pub(super) closes_at: Option<String>,
    pub(super) buyer: Option<Named>,
    pub(super) level: Option<String>,
}
