//! Search benchmark: indexing throughput, query latency and throughput, and the delay from a
//! committed write to its visibility in search.
//!
//! `cargo run --release --example search_bench -- [--companies N] [--rounds R]`
//! Runs on the embedded engine, and on Meilisearch too when `MEILI_URL` is set. Prints a
//! Markdown report on stdout (bench/search.sh writes it to bench/SEARCH_RESULTS.md).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ganbridge::domain::{CertificationStandard, DistrictCode, SearchType};
use ganbridge::search::embedded::EmbeddedEngine;
use ganbridge::search::meili::MeiliEngine;
use ganbridge::search::{
    SearchDocument, SearchEngine, SearchFacet, SearchFilter, SearchRequest, SearchSort,
};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The first 20 of the demo dataset's fictional brands.
const BRANDS: &[(&str, &str)] = ganbridge::seed::BRANDS.split_at(20).0;
const TRADES: [(&str, &str, &str, &str); 6] = [
    ("Software", "软件", "SOFTWARE_DEVELOPMENT", "ITO"),
    ("Data Services", "数据服务", "DATA_PROCESSING", "BPO"),
    ("Customer Contact", "客户联络", "CALL_CENTRE", "BPO"),
    (
        "Engineering Design",
        "工程设计",
        "ENGINEERING_DESIGN",
        "KPO",
    ),
    ("Animation", "动漫", "ANIMATION_AND_CREATIVE_DESIGN", "KPO"),
    ("Information Technology", "信息技术", "IT_OPERATIONS", "ITO"),
];
const CERTS: [&str; 5] = [
    "ISO_9001",
    "CMMI_DEV",
    "ISO_IEC_27001",
    "ISO_IEC_20000_1",
    "ISO_14001",
];

fn synthetic(companies: usize) -> Vec<SearchDocument> {
    let mut rng = ChaCha8Rng::seed_from_u64(2014);
    let mut docs = Vec::with_capacity(companies + companies / 10);
    for i in 0..companies {
        let district = DistrictCode::ALL[rng.random_range(0..11)];
        let (city_en, city_zh, _) = district.names();
        let (brand_en, brand_zh) = BRANDS[rng.random_range(0..BRANDS.len())];
        let (trade_en, trade_zh, line, family) = TRADES[rng.random_range(0..TRADES.len())];
        let headcount: i64 = 8 + (rng.random::<f64>().powi(4) * 3000.0) as i64;
        let held = rng.random_range(1..=3);
        let certifications: Vec<String> = CERTS
            .choose_multiple(&mut rng, held)
            .map(|s| s.to_string())
            .collect();
        let name_en = format!("{city_en} {brand_en} {trade_en} No. {i} Co., Ltd.");
        docs.push(SearchDocument {
            key: format!("company-{}", i + 1),
            kind: "COMPANY".into(),
            id: i as i64 + 1,
            name_en: name_en.clone(),
            name_zh: format!("{city_zh}{brand_zh}{trade_zh}{i}号有限公司"),
            description_en: format!("A synthetic company in {city_en} offering {trade_en}."),
            description_zh: format!("位于{city_zh}的合成企业，提供{trade_zh}服务。"),
            district: Some(format!("{district:?}").to_uppercase()),
            district_names: vec![city_en.into(), city_zh.into()],
            park: (i % 3 == 0).then(|| format!("park-{}", i % 50)),
            park_names: vec![],
            service_lines: vec![line.into()],
            service_line_names: vec![trade_en.into(), trade_zh.into(), family.into()],
            certifications,
            headcount: Some(headcount),
            employee_band: Some(ganbridge::domain::EmployeeBand::of(headcount).code().into()),
            leading: i % 200 == 0,
            tender_status: None,
            closes_at: None,
            buyer: vec![],
            value_amount: None,
            value_currency: None,
            name_sort: name_en.to_lowercase(),
            identifiers: vec![format!("913601{:011}X", i + 1)],
        });
    }
    for i in 0..companies / 10 {
        let (trade_en, trade_zh, line, family) = TRADES[rng.random_range(0..TRADES.len())];
        let title = format!("{trade_en} services for a bonded logistics platform, lot {i}");
        docs.push(SearchDocument {
            key: format!("tender-{}", i + 1),
            kind: "TENDER".into(),
            id: i as i64 + 1,
            name_en: title.clone(),
            name_zh: format!("保税物流平台{trade_zh}服务第{i}标段"),
            description_en: "A synthetic tender.".into(),
            description_zh: "合成招标。".into(),
            district: None,
            district_names: vec![],
            park: None,
            park_names: vec![],
            service_lines: vec![line.into()],
            service_line_names: vec![trade_en.into(), trade_zh.into(), family.into()],
            certifications: vec![],
            headcount: None,
            employee_band: None,
            leading: false,
            tender_status: Some(if i % 3 == 0 { "ACTIVE" } else { "COMPLETE" }.into()),
            closes_at: Some(1_800_000_000 + i as i64 * 3600),
            buyer: vec!["Harbourline Trade Finance".into()],
            value_amount: None,
            value_currency: None,
            name_sort: title.to_lowercase(),
            identifiers: vec![format!("OCDS-GNBRDG-{:06}", i + 1)],
        });
    }
    docs
}

fn queries() -> Vec<(&'static str, SearchRequest)> {
    let base = |q: &str| SearchRequest {
        query: q.into(),
        filter: SearchFilter::default(),
        facets: vec![],
        sort: SearchSort::Relevance,
        offset: 0,
        limit: 20,
    };
    let mut faceted = base("");
    faceted.filter.types = vec![SearchType::Company];
    faceted.filter.districts = vec![DistrictCode::Nanchang];
    faceted.filter.certifications = vec![CertificationStandard::CmmiDev];
    faceted.facets = vec![
        SearchFacet::District,
        SearchFacet::Certification,
        SearchFacet::EmployeeBand,
    ];
    let mut by_size = base("software");
    by_size.filter.min_employees = Some(500);
    by_size.sort = SearchSort::EmployeesDesc;
    let mut tenders = base("logistics");
    tenders.filter.types = vec![SearchType::Tender];
    tenders.sort = SearchSort::ClosingDate;
    let mut data = base("data services");
    data.facets = vec![SearchFacet::District, SearchFacet::ServiceLine];
    vec![
        ("exact brand `Xinrui`", base("Xinrui")),
        ("one typo `Xinrul`", base("Xinrul")),
        ("prefix `Xinr`", base("Xinr")),
        ("Chinese city `南昌`", base("南昌")),
        ("Chinese brand `鑫瑞软件`", base("鑫瑞软件")),
        ("traditional brand `鑫瑞軟件`", base("鑫瑞軟件")),
        ("identifier (a USCC)", base("913601000000000123X")),
        ("synonym `ITO`", base("ITO")),
        ("two words + 2 facets `data services`", data),
        ("filters only + 3 facets", faceted),
        ("`software`, ≥500 staff, by size", by_size),
        ("tenders `logistics` by closing date", tenders),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Meilisearch queried directly, with the very body the adapter sends, to measure what the
/// adapter adds.
struct Direct {
    client: reqwest::Client,
    url: String,
    key: Option<String>,
    index: String,
}

impl Direct {
    fn body(&self, request: &SearchRequest) -> serde_json::Value {
        let mut facets = vec!["type".to_owned()];
        facets.extend(request.facets.iter().map(|f| f.attribute().to_owned()));
        let mut body = serde_json::json!({
            "indexUid": self.index,
            "q": ganbridge::search::normalize::query(&request.query),
            "page": 1,
            "hitsPerPage": request.offset + request.limit,
            "facets": facets,
            "attributesToRetrieve": ["key"],
            "attributesToHighlight": ["name_en", "name_zh", "description_en", "description_zh"],
            "attributesToCrop": ["description_en:30", "description_zh:30"],
            "cropMarker": "…",
        });
        if let Some(filter) = ganbridge::search::meili::filter_expression(request) {
            body["filter"] = filter.into();
        }
        let sort = match request.sort {
            SearchSort::Relevance => None,
            SearchSort::Name => Some("name_sort:asc"),
            SearchSort::EmployeesDesc => Some("headcount:desc"),
            SearchSort::ClosingDate => Some("closes_at:asc"),
        };
        if let Some(sort) = sort {
            body["sort"] = serde_json::json!([sort]);
        }
        body
    }

    async fn search(&self, request: &SearchRequest) {
        let mut queries = vec![self.body(request)];
        for facet in request.disjunctive_facets() {
            let lifted = SearchRequest {
                filter: facet.lifted(&request.filter),
                ..request.clone()
            };
            let mut q = serde_json::json!({
                "indexUid": self.index,
                "q": ganbridge::search::normalize::query(&request.query),
                "limit": 0,
                "facets": [facet.attribute()],
            });
            if let Some(filter) = ganbridge::search::meili::filter_expression(&lifted) {
                q["filter"] = filter.into();
            }
            queries.push(q);
        }
        let (path, body) = if queries.len() == 1 {
            let mut body = queries.remove(0);
            if let Some(map) = body.as_object_mut() {
                map.remove("indexUid");
            }
            (format!("/indexes/{}/search", self.index), body)
        } else {
            (
                "/multi-search".to_owned(),
                serde_json::json!({ "queries": queries }),
            )
        };
        let mut post = self.client.post(format!("{}{path}", self.url)).json(&body);
        if let Some(key) = &self.key {
            post = post.bearer_auth(key);
        }
        let response = post.send().await.expect("Meilisearch answers");
        assert!(response.status().is_success(), "{}", response.status());
        let _ = response.bytes().await;
    }
}

async fn bench(
    name: &str,
    engine: Arc<dyn SearchEngine>,
    docs: &[SearchDocument],
    rounds: usize,
    direct: Option<&Direct>,
) {
    engine.prepare().await.expect("prepare");
    let started = Instant::now();
    engine.replace_all(docs.to_vec()).await.expect("load");
    let load = started.elapsed();
    println!("### {name}\n");
    println!(
        "Full index of {} documents: {:.1} s, **{:.0} documents/s**.\n",
        docs.len(),
        load.as_secs_f64(),
        docs.len() as f64 / load.as_secs_f64()
    );
    let engine_pid = std::env::var("MEILI_PID").ok();
    match direct {
        None => println!(
            "| query | hits | p50 ms | p99 ms | CPU ms per query | queries/s (one client) |\n|---|---:|---:|---:|---:|---:|"
        ),
        Some(_) => println!(
            "| query | hits | p50 ms | p99 ms | CPU ms per query (Ganbridge + Meilisearch) | direct p50 ms | overhead (p50 ratio) |\n|---|---:|---:|---:|---:|---:|---:|"
        ),
    }
    for (label, request) in queries() {
        let warm = engine.search(&request).await.expect("search");
        let mut times = Vec::with_capacity(rounds);
        let own_before = cpu_seconds("self").unwrap_or(0.0);
        let engine_before = engine_pid.as_deref().and_then(cpu_seconds).unwrap_or(0.0);
        let all = Instant::now();
        for _ in 0..rounds {
            let t = Instant::now();
            let _ = engine.search(&request).await.expect("search");
            times.push(t.elapsed());
        }
        let total = all.elapsed();
        let own = cpu_seconds("self").unwrap_or(0.0) - own_before;
        let engine_cpu = engine_pid.as_deref().and_then(cpu_seconds).unwrap_or(0.0) - engine_before;
        times.sort();
        let per = |s: f64| s * 1000.0 / rounds as f64;
        match direct {
            None => println!(
                "| {label} | {} | {:.2} | {:.2} | {:.2} | {:.0} |",
                warm.total_hits,
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                per(own),
                rounds as f64 / total.as_secs_f64()
            ),
            Some(direct) => {
                direct.search(&request).await;
                let mut straight = Vec::with_capacity(rounds);
                for _ in 0..rounds {
                    let t = Instant::now();
                    direct.search(&request).await;
                    straight.push(t.elapsed());
                }
                straight.sort();
                println!(
                    "| {label} | {} | {:.2} | {:.2} | {:.2} + {:.2} | {:.2} | {:.2}× |",
                    warm.total_hits,
                    percentile(&times, 0.5),
                    percentile(&times, 0.99),
                    per(own),
                    per(engine_cpu),
                    percentile(&straight, 0.5),
                    percentile(&times, 0.5) / percentile(&straight, 0.5)
                );
            }
        }
    }
    // A write's visibility: one document upserted, then searched until found.
    let mut delays = Vec::new();
    for (i, original) in docs.iter().take(20).enumerate() {
        let mut doc = original.clone();
        let marker = format!("Zyxqv{i}");
        doc.name_en = format!("{} {marker}", doc.name_en);
        let t = Instant::now();
        engine.upsert(vec![doc]).await.expect("upsert");
        let mut probe = queries()[0].1.clone();
        probe.query = marker.clone();
        while engine.search(&probe).await.expect("search").total_hits == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        delays.push(t.elapsed());
    }
    delays.sort();
    println!(
        "\nOne upserted document searchable after: p50 {:.1} ms, p99 {:.1} ms (engine only; the outbox worker adds its wake-up, at most 500 ms when not woken by the writer).\n",
        percentile(&delays, 0.5),
        percentile(&delays, 0.99)
    );
}

/// What normalising a query costs, alone.
fn normalisation_cost() {
    let queries = [
        "Xinrui",
        "鑫瑞軟件",
        "KT Cartoon",
        "software companies in Jiujiang",
        "913601000000000123X",
    ];
    let n = 20_000;
    let started = Instant::now();
    for i in 0..n {
        std::hint::black_box(ganbridge::search::normalize::query(
            queries[i % queries.len()],
        ));
    }
    println!(
        "Normalising a query (traditional to simplified, NFKC, joins, stop words) costs {:.1} µs on average over {} typical queries.\n",
        started.elapsed().as_secs_f64() * 1e6 / n as f64,
        queries.len()
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let companies = arg("--companies", 100_000);
    let rounds = arg("--rounds", 200);
    let docs = synthetic(companies);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let embedded: Arc<dyn SearchEngine> =
        Arc::new(EmbeddedEngine::open(dir.path()).expect("the embedded engine"));
    normalisation_cost();
    bench("Embedded engine (Tantivy)", embedded, &docs, rounds, None).await;
    match std::env::var("MEILI_URL") {
        Ok(url) => {
            let key = std::env::var("MEILI_MASTER_KEY").ok();
            let index = "ganbridge_bench";
            let meili =
                MeiliEngine::new(&url, key.as_deref(), index).expect("a Meilisearch client");
            let direct = Direct {
                client: reqwest::Client::new(),
                url: url.trim_end_matches('/').to_owned(),
                key: key.clone(),
                index: index.to_owned(),
            };
            bench("Meilisearch", Arc::new(meili), &docs, rounds, Some(&direct)).await;
            let _ = MeiliEngine::new(&url, key.as_deref(), index)
                .expect("client")
                .drop_index()
                .await;
        }
        Err(_) => println!("### Meilisearch\n\nSKIPPED: MEILI_URL was not set.\n"),
    }
}
