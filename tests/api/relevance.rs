//! The relevance suite: judged queries over the demo (`tests/relevance/judgments.json`), on
//! every engine at hand. Named queries are scored by reciprocal rank (mean: MRR), class queries
//! by precision of the first 10 hits (P@10); each engine must reach the floors below, and the
//! run prints the per-query table and the share of queries whose top 3 agree between engines.

use std::collections::BTreeSet;
use std::io::Write;

use ganbridge::search::{DocKey, SearchDocument};
use serde_json::Value;

use crate::search_contract::{Corpus, cleanup, corpus, engines, request, run};

/// The least mean reciprocal rank of named queries, and mean P@10 of class queries, an engine
/// may score.
const FLOOR_MRR: f64 = 0.95;
const FLOOR_P10: f64 = 0.95;

fn judgments() -> Vec<Value> {
    let text = include_str!("../relevance/judgments.json");
    let all: Value = serde_json::from_str(text).expect("judgments.json is JSON");
    all["queries"]
        .as_array()
        .expect("a list of queries")
        .clone()
}

fn by_name<'a>(corpus: &'a Corpus, name: &str) -> &'a SearchDocument {
    corpus
        .documents
        .iter()
        .find(|d| d.name_en == name)
        .unwrap_or_else(|| panic!("no document is named {name:?}"))
}

/// The query to send: as written, or, for `@uscc NAME` and the like, the identifier of the
/// record named.
fn query_text(corpus: &Corpus, query: &str) -> String {
    let Some((how, name)) = query.strip_prefix('@').and_then(|q| q.split_once(' ')) else {
        return query.to_owned();
    };
    let d = by_name(corpus, name);
    match how {
        "uscc" | "ocid" => d.identifiers[0].clone(),
        "uscc-lower" => format!("  {} ", d.identifiers[0].to_lowercase()),
        "certificate" => d.identifiers[1].clone(),
        other => panic!("unknown identifier kind {other}"),
    }
}

fn relevant(d: &SearchDocument, rule: &Value) -> bool {
    let s = |k: &str| rule[k].as_str();
    s("type").is_none_or(|t| d.kind == t)
        && s("district").is_none_or(|v| d.district.as_deref() == Some(v))
        && rule["lines"].as_array().is_none_or(|lines| {
            lines.iter().any(|l| {
                d.service_lines
                    .iter()
                    .any(|x| Some(x.as_str()) == l.as_str())
            })
        })
        && s("family").is_none_or(|f| d.service_line_names.iter().any(|n| n == f))
        && s("certification").is_none_or(|c| d.certifications.iter().any(|x| x == c))
        && s("certification_prefix")
            .is_none_or(|c| d.certifications.iter().any(|x| x.starts_with(c)))
}

struct Scored {
    score: f64,
    top3: BTreeSet<DocKey>,
}

#[tokio::test]
async fn judged_queries_rank_well_on_every_engine() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    let judgments = judgments();
    assert!(judgments.len() >= 40, "at least 40 judged queries");
    // Per query, per engine.
    let mut table: Vec<(String, String, String, Vec<Scored>)> = Vec::new();
    for j in &judgments {
        let written = j["query"].as_str().unwrap();
        let text = query_text(&corpus, written);
        let kind = j["kind"].as_str().unwrap().to_owned();
        let mut scores = Vec::new();
        for e in &engines {
            let found = run(e, &request(&text)).await;
            let keys: Vec<DocKey> = found.hits.iter().map(|h| h.key).take(10).collect();
            let score = match kind.as_str() {
                "named" => {
                    let target = by_name(&corpus, j["target"].as_str().unwrap())
                        .doc_key()
                        .unwrap();
                    keys.iter()
                        .position(|k| *k == target)
                        .map_or(0.0, |p| 1.0 / (p + 1) as f64)
                }
                _ => {
                    let rule = &j["relevant"];
                    let exist = corpus
                        .documents
                        .iter()
                        .filter(|d| relevant(d, rule))
                        .count();
                    assert!(exist > 0, "{written}: nothing in the demo is relevant");
                    let right = keys
                        .iter()
                        .filter(|k| relevant(&corpus.by_key[k], rule))
                        .count();
                    right as f64 / exist.min(10) as f64
                }
            };
            scores.push(Scored {
                score,
                top3: keys.iter().take(3).copied().collect(),
            });
        }
        table.push((
            written.to_owned(),
            j["group"].as_str().unwrap().to_owned(),
            kind,
            scores,
        ));
    }

    let mut out = String::from("\nRelevance over the demo\n\n| query | group | measure |");
    for e in &engines {
        out.push_str(&format!(" {} |", e.name));
    }
    out.push_str(" top 3 agree |\n|---|---|---|");
    for _ in &engines {
        out.push_str("---:|");
    }
    out.push_str("---|\n");
    let mut agree = 0;
    for (query, group, kind, scores) in &table {
        let measure = if kind == "named" { "RR" } else { "P@10" };
        out.push_str(&format!("| `{query}` | {group} | {measure} |"));
        for s in scores {
            out.push_str(&format!(" {:.2} |", s.score));
        }
        let same = scores.windows(2).all(|w| w[0].top3 == w[1].top3);
        agree += usize::from(same);
        out.push_str(if same { " yes |\n" } else { " no |\n" });
    }
    let mut failures = Vec::new();
    out.push('\n');
    for (i, e) in engines.iter().enumerate() {
        let mean = |kind: &str| {
            let v: Vec<f64> = table
                .iter()
                .filter(|r| (r.2 == "named") == (kind == "named"))
                .map(|r| r.3[i].score)
                .collect();
            (v.iter().sum::<f64>() / v.len() as f64, v.len())
        };
        let (mrr, named) = mean("named");
        let (p10, class) = mean("class");
        out.push_str(&format!(
            "{}: MRR {mrr:.3} over {named} named queries (floor {FLOOR_MRR}), P@10 {p10:.3} over {class} class queries (floor {FLOOR_P10})\n",
            e.name
        ));
        if mrr < FLOOR_MRR {
            failures.push(format!("{}: MRR {mrr:.3} < {FLOOR_MRR}", e.name));
        }
        if p10 < FLOOR_P10 {
            failures.push(format!("{}: P@10 {p10:.3} < {FLOOR_P10}", e.name));
        }
    }
    if engines.len() > 1 {
        out.push_str(&format!(
            "parity: the top 3 agree on {agree} of {} queries ({:.0}%)\n",
            table.len(),
            100.0 * agree as f64 / table.len() as f64
        ));
    }
    // Written past the harness's capture, so it shows in every run.
    let _ = writeln!(std::io::stderr(), "{out}");
    cleanup(engines).await;
    assert!(failures.is_empty(), "{failures:?}");
}
