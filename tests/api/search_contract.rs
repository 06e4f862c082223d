//! The search contract: the same documents in, the same expectations out, on every engine.
//!
//! The embedded engine always runs. Meilisearch runs where one is reachable: set `MEILI_URL`
//! (and `MEILI_MASTER_KEY`); each test then owns an index of its own and deletes it after.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use ganbridge::app::Application;
use ganbridge::config::Settings;
use ganbridge::domain::{CertificationStandard, DistrictCode, SearchType};
use ganbridge::search::embedded::EmbeddedEngine;
use ganbridge::search::meili::MeiliEngine;
use ganbridge::search::{
    DocKey, SearchDocument, SearchEngine, SearchFacet, SearchFilter, SearchRequest, SearchResponse,
    SearchSort,
};
use ganbridge::services::{reference, search as index};

pub(crate) struct Corpus {
    pub(crate) documents: Vec<SearchDocument>,
    pub(crate) by_key: HashMap<DocKey, SearchDocument>,
    _dir: tempfile::TempDir,
}

/// The demo dataset's documents, read from a fresh SQLite database.
pub(crate) async fn corpus() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        demo: true,
        database_url: None,
        ..Settings::default()
    };
    let app = Application::build(&settings)
        .await
        .expect("building the application");
    let db = app.db().clone();
    let reference = reference::load(&db).await.unwrap();
    let keys = index::all_keys(&db).await.unwrap();
    let (documents, _) = index::documents(&db, &reference, &keys).await.unwrap();
    let by_key = documents
        .iter()
        .map(|d| (d.doc_key().unwrap(), d.clone()))
        .collect();
    Corpus {
        documents,
        by_key,
        _dir: dir,
    }
}

pub(crate) struct Engine {
    pub(crate) name: &'static str,
    engine: Arc<dyn SearchEngine>,
    meili: Option<MeiliEngine>,
}

/// Every engine available here, each loaded with the corpus.
pub(crate) async fn engines(corpus: &Corpus) -> Vec<Engine> {
    engines_with(corpus.documents.clone()).await
}

/// Every engine available here, each loaded with these documents.
async fn engines_with(documents: Vec<SearchDocument>) -> Vec<Engine> {
    let mut out = Vec::new();
    let embedded: Arc<dyn SearchEngine> = Arc::new(EmbeddedEngine::in_memory().unwrap());
    out.push(Engine {
        name: "embedded",
        engine: embedded,
        meili: None,
    });
    match std::env::var("MEILI_URL") {
        Ok(url) => {
            let key = std::env::var("MEILI_MASTER_KEY").ok();
            let index = format!("ganbridge_test_{}", uuid::Uuid::new_v4().simple());
            let engine: Arc<dyn SearchEngine> =
                Arc::new(MeiliEngine::new(&url, key.as_deref(), &index).unwrap());
            let cleanup = MeiliEngine::new(&url, key.as_deref(), &index).unwrap();
            out.push(Engine {
                name: "meilisearch",
                engine,
                meili: Some(cleanup),
            });
        }
        Err(_) => {
            // Written past the test harness's capture, so it shows in every run.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: the search contract on Meilisearch — MEILI_URL is not set ***\n"
            );
        }
    }
    for e in &out {
        e.engine
            .prepare()
            .await
            .unwrap_or_else(|err| panic!("{}: prepare: {err}", e.name));
        e.engine
            .replace_all(documents.clone())
            .await
            .unwrap_or_else(|err| panic!("{}: load: {err}", e.name));
    }
    out
}

pub(crate) async fn cleanup(engines: Vec<Engine>) {
    for e in engines {
        if let Some(meili) = e.meili {
            let _ = meili.drop_index().await;
        }
    }
}

pub(crate) fn request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        filter: SearchFilter::default(),
        facets: vec![],
        sort: SearchSort::Relevance,
        offset: 0,
        limit: 10,
    }
}

pub(crate) async fn run(e: &Engine, request: &SearchRequest) -> SearchResponse {
    e.engine
        .search(request)
        .await
        .unwrap_or_else(|err| panic!("{}: search {:?}: {err}", e.name, request.query))
}

fn names(corpus: &Corpus, response: &SearchResponse) -> Vec<String> {
    response
        .hits
        .iter()
        .map(|h| corpus.by_key[&h.key].name_en.clone())
        .collect()
}

#[tokio::test]
async fn typos_prefixes_and_chinese_find_what_users_mean() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    for e in &engines {
        let typo = run(e, &request("Telhow")).await;
        assert!(
            names(&corpus, &typo)
                .first()
                .is_some_and(|n| n.starts_with("Tellhow")),
            "{}: {:?}",
            e.name,
            names(&corpus, &typo)
        );

        let prefix = run(e, &request("tell")).await;
        let top3 = names(&corpus, &prefix)
            .into_iter()
            .take(3)
            .collect::<Vec<_>>();
        assert!(
            top3.iter().any(|n| n.starts_with("Tellhow")),
            "{}: {top3:?}",
            e.name
        );

        let chinese = run(e, &request("南昌")).await;
        assert!(!chinese.hits.is_empty(), "{}", e.name);
        assert!(
            chinese.total_hits > 100,
            "{}: {} hits for 南昌",
            e.name,
            chinese.total_hits
        );
        for hit in chinese
            .hits
            .iter()
            .filter(|h| h.key.kind == SearchType::Company)
        {
            assert_eq!(
                corpus.by_key[&hit.key].district.as_deref(),
                Some("NANCHANG"),
                "{}",
                e.name
            );
        }

        let brand = run(e, &request("泰豪")).await;
        assert!(
            names(&corpus, &brand)
                .first()
                .is_some_and(|n| n.starts_with("Tellhow")),
            "{}: {:?}",
            e.name,
            names(&corpus, &brand)
        );

        // Highlights mark what matched.
        let tellhow = run(e, &request("Tellhow")).await;
        let marked = tellhow.hits[0]
            .highlights
            .iter()
            .find(|h| h.field == "name_en")
            .map(|h| h.snippet.clone());
        assert!(
            marked.is_some_and(|s| s.contains("<em>Tellhow</em>")),
            "{}: {:?}",
            e.name,
            tellhow.hits[0].highlights
        );
    }
    cleanup(engines).await;
}

#[tokio::test]
async fn synonyms_of_the_field_match_each_other() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    for e in &engines {
        for query in ["ITO", "information technology outsourcing", "信息技术外包"] {
            let mut r = request(query);
            r.filter.types = vec![SearchType::Company];
            let response = run(e, &r).await;
            assert!(
                response.total_hits > 100,
                "{}: {query}: {} hits",
                e.name,
                response.total_hits
            );
            let first = &corpus.by_key[&response.hits[0].key];
            assert!(
                first.service_line_names.iter().any(|n| n == "ITO"),
                "{}: {query}: {}",
                e.name,
                first.name_en
            );
        }
        let pinyin = run(e, &request("nanchang")).await;
        assert!(pinyin.total_hits > 100, "{}: nanchang", e.name);
    }
    cleanup(engines).await;
}

#[tokio::test]
async fn filters_narrow_and_facets_count_consistently() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    let expected = corpus
        .documents
        .iter()
        .filter(|d| d.kind == "COMPANY" && d.district.as_deref() == Some("NANCHANG"))
        .filter(|d| d.certifications.iter().any(|c| c == "ISO_9001"))
        .count();
    assert!(
        expected > 10,
        "the demo has Nanchang companies with ISO 9001"
    );
    for e in &engines {
        let mut r = request("");
        r.limit = 0;
        r.filter.types = vec![SearchType::Company];
        r.facets = vec![
            SearchFacet::District,
            SearchFacet::EmployeeBand,
            SearchFacet::Certification,
        ];
        let all = run(e, &r).await;
        let district_sum: usize = all.facets[0].1.iter().map(|(_, n)| n).sum();
        assert_eq!(
            district_sum, all.total_hits,
            "{}: districts are single-valued",
            e.name
        );

        r.filter.districts = vec![DistrictCode::Nanchang];
        r.filter.certifications = vec![CertificationStandard::Iso9001];
        let narrowed = run(e, &r).await;
        assert_eq!(narrowed.total_hits, expected, "{}", e.name);
        // The district facet, which the filter narrows by, counts every district's companies
        // under the certificate condition alone (disjunctive facets).
        let iso_9001 = |d: &SearchDocument| d.certifications.iter().any(|c| c == "ISO_9001");
        assert_eq!(
            narrowed.facets[0].1,
            expected_counts(&corpus, iso_9001, |d| d
                .district
                .clone()
                .into_iter()
                .collect()),
            "{}",
            e.name
        );
        assert!(
            narrowed.facets[0]
                .1
                .contains(&("NANCHANG".to_owned(), expected)),
            "{}",
            e.name
        );
        let bands: usize = narrowed.facets[1].1.iter().map(|(_, n)| n).sum();
        assert_eq!(bands, expected, "{}: bands are single-valued", e.name);
        let iso = narrowed.facets[2]
            .1
            .iter()
            .find(|(v, _)| v == "ISO_9001")
            .map(|(_, n)| *n);
        assert_eq!(iso, Some(expected), "{}", e.name);
        assert_eq!(
            narrowed.type_counts,
            vec![(SearchType::Company, expected)],
            "{}",
            e.name
        );

        // Larger companies only: fewer hits, each as large as asked.
        r.filter.min_employees = Some(200);
        r.limit = 50;
        r.sort = SearchSort::EmployeesDesc;
        let large = run(e, &r).await;
        assert!(large.total_hits < expected, "{}", e.name);
        let headcounts: Vec<i64> = large
            .hits
            .iter()
            .map(|h| corpus.by_key[&h.key].headcount.unwrap())
            .collect();
        assert!(
            headcounts.iter().all(|&h| h >= 200),
            "{}: {headcounts:?}",
            e.name
        );
        assert!(
            headcounts.windows(2).all(|w| w[0] >= w[1]),
            "{}: sorted by headcount: {headcounts:?}",
            e.name
        );
    }
    cleanup(engines).await;
}

#[tokio::test]
async fn input_that_looks_like_syntax_is_data() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    for e in &engines {
        let text = run(e, &request(r#"Nanchang" OR district != "x"#)).await;
        // Quotes may make a phrase (Meilisearch) or separate words (embedded); either way the
        // text cannot reach beyond what its words find.
        let plain = run(e, &request("Nanchang")).await;
        assert!(
            text.total_hits <= plain.total_hits,
            "{}: {} > {}",
            e.name,
            text.total_hits,
            plain.total_hits
        );
        // A park of the corpus, and the same filter with a value shaped like filter syntax
        // beside it: the odd value matches nothing and widens nothing.
        let park = corpus
            .documents
            .iter()
            .find_map(|d| d.park.clone().filter(|_| d.kind == "COMPANY"))
            .unwrap();
        let mut r = request("");
        r.filter.parks = vec![park.clone()];
        let real = run(e, &r).await;
        assert!(real.total_hits > 0, "{}", e.name);
        r.filter.parks = vec![park, r#"x" OR type = "PARK"#.into()];
        let with_injection = run(e, &r).await;
        assert_eq!(
            with_injection.total_hits, real.total_hits,
            "{}: a park value must not widen the filter",
            e.name
        );
        r.filter.parks = vec![r#"x" OR type = "PARK"#.into()];
        assert_eq!(run(e, &r).await.total_hits, 0, "{}", e.name);
    }
    cleanup(engines).await;
}

#[tokio::test]
async fn pages_upserts_and_deletes() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    for e in &engines {
        let mut r = request("software");
        r.limit = 20;
        let twenty = run(e, &r).await;
        r.limit = 10;
        let first = run(e, &r).await;
        r.offset = 10;
        let second = run(e, &r).await;
        let keys = |resp: &SearchResponse| resp.hits.iter().map(|h| h.key).collect::<Vec<_>>();
        assert_eq!(
            [keys(&first), keys(&second)].concat(),
            keys(&twenty),
            "{}",
            e.name
        );

        let tellhow = corpus
            .documents
            .iter()
            .find(|d| d.name_en.starts_with("Tellhow"))
            .unwrap()
            .clone();
        let key = tellhow.doc_key().unwrap();
        e.engine.delete(vec![key]).await.unwrap();
        let gone = run(e, &request("Tellhow")).await;
        assert!(
            gone.hits.iter().all(|h| h.key != key),
            "{}: deleted documents are not found",
            e.name
        );

        let mut renamed = tellhow.clone();
        renamed.name_en = "Tellhow Renamed Holdings".into();
        e.engine.upsert(vec![renamed]).await.unwrap();
        let back = run(e, &request("renamed holdings")).await;
        assert_eq!(back.hits.first().map(|h| h.key), Some(key), "{}", e.name);
        assert_eq!(
            e.engine.count().await.unwrap() as usize,
            corpus.documents.len(),
            "{}: upsert replaces",
            e.name
        );
    }
    cleanup(engines).await;
}

#[tokio::test]
async fn leading_park_facets_and_sorts() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    let companies = corpus
        .documents
        .iter()
        .filter(|d| d.kind == "COMPANY")
        .count();
    for e in &engines {
        let mut r = request("");
        r.limit = 100;
        r.filter.leading = Some(true);
        let leading = run(e, &r).await;
        assert_eq!(leading.total_hits, 5, "{}", e.name);
        assert!(
            leading.hits.iter().all(|h| corpus.by_key[&h.key].leading),
            "{}",
            e.name
        );
        r.filter.leading = Some(false);
        let others = run(e, &r).await;
        assert_eq!(
            others.total_hits,
            companies - 5,
            "{}: leading is about companies only",
            e.name
        );
        assert_eq!(
            others.type_counts,
            vec![(SearchType::Company, companies - 5)],
            "{}",
            e.name
        );

        // A park facet value fed back as a filter narrows to its count.
        let mut r = request("");
        r.limit = 0;
        r.filter.types = vec![SearchType::Company];
        r.facets = vec![SearchFacet::Park];
        let parks = run(e, &r).await;
        let (park, count) = parks.facets[0].1[0].clone();
        r.filter.parks = vec![park];
        assert_eq!(run(e, &r).await.total_hits, count, "{}", e.name);

        // Tenders by closing date, parks and companies by name.
        let mut r = request("");
        r.limit = 30;
        r.filter.types = vec![SearchType::Tender];
        r.sort = SearchSort::ClosingDate;
        let closing: Vec<i64> = run(e, &r)
            .await
            .hits
            .iter()
            .map(|h| corpus.by_key[&h.key].closes_at.unwrap())
            .collect();
        assert!(
            closing.len() > 20 && closing.windows(2).all(|w| w[0] <= w[1]),
            "{}: {closing:?}",
            e.name
        );
        r.filter.types = vec![SearchType::Park];
        r.sort = SearchSort::Name;
        let names: Vec<String> = run(e, &r)
            .await
            .hits
            .iter()
            .map(|h| corpus.by_key[&h.key].name_sort.clone())
            .collect();
        assert_eq!(names.len(), 11, "{}", e.name);
        assert!(
            names.windows(2).all(|w| w[0] <= w[1]),
            "{}: {names:?}",
            e.name
        );
    }
    cleanup(engines).await;
}

/// The first hit's document.
fn first<'a>(corpus: &'a Corpus, response: &SearchResponse) -> Option<&'a SearchDocument> {
    response.hits.first().map(|h| &corpus.by_key[&h.key])
}

#[tokio::test]
async fn traditional_full_width_and_punctuation_find_what_simplified_and_plain_find() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    for e in &engines {
        for (query, expected) in [
            ("開天動漫", "K.T Cartoon Co., Ltd."),
            ("开天动漫", "K.T Cartoon Co., Ltd."),
            ("KT Cartoon", "K.T Cartoon Co., Ltd."),
            ("K.T Cartoon", "K.T Cartoon Co., Ltd."),
            ("ＫＴ　Ｃａｒｔｏｏｎ", "K.T Cartoon Co., Ltd."),
            ("Jian Luling", "Ji'an Luling Service Outsourcing Park"),
            ("Ji’an Luling", "Ji'an Luling Service Outsourcing Park"),
            ("Ji'an Luling", "Ji'an Luling Service Outsourcing Park"),
            ("scitech", "Tellhow Sci-Tech Co., Ltd."),
            ("TELLHOW", "Tellhow Sci-Tech Co., Ltd."),
            ("泰豪科技", "Tellhow Sci-Tech Co., Ltd."),
        ] {
            let found = run(e, &request(query)).await;
            assert_eq!(
                first(&corpus, &found).map(|d| d.name_en.as_str()),
                Some(expected),
                "{}: {query}: {:?}",
                e.name,
                names(&corpus, &found)
            );
        }
        // Whole classes: a traditional query finds what its simplified form finds.
        for (traditional, simplified) in [("贛州", "赣州"), ("軟件開發", "软件开发")] {
            let t = run(e, &request(traditional)).await;
            let s = run(e, &request(simplified)).await;
            assert!(s.total_hits > 0, "{}: {simplified}", e.name);
            assert_eq!(
                t.total_hits, s.total_hits,
                "{}: {traditional} vs {simplified}",
                e.name
            );
            assert_eq!(
                t.hits.iter().map(|h| h.key).collect::<Vec<_>>(),
                s.hits.iter().map(|h| h.key).collect::<Vec<_>>(),
                "{}: {traditional} vs {simplified}",
                e.name
            );
        }
        // Taiwan's word for software (軟體) is a synonym: the same companies, by its own rank.
        let taiwan = run(e, &request("軟體開發")).await;
        assert!(taiwan.total_hits > 50, "{}: 軟體開發", e.name);
        for hit in taiwan.hits.iter().take(3) {
            let d = &corpus.by_key[&hit.key];
            assert!(
                d.service_lines.iter().any(|l| l == "SOFTWARE_DEVELOPMENT"),
                "{}: 軟體開發: {}",
                e.name,
                d.name_en
            );
        }
    }
    cleanup(engines).await;
}

#[tokio::test]
async fn a_pasted_identifier_finds_its_record_first() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    let tellhow = corpus
        .documents
        .iter()
        .find(|d| d.name_en.starts_with("Tellhow"))
        .unwrap();
    let uscc = tellhow.identifiers[0].clone();
    let certificate = corpus
        .documents
        .iter()
        .find(|d| d.identifiers.len() > 1)
        .unwrap();
    let tender = corpus
        .documents
        .iter()
        .find(|d| d.kind == "TENDER")
        .unwrap();
    for e in &engines {
        for (query, expected) in [
            (uscc.clone(), tellhow),
            (format!("  {}  ", uscc.to_lowercase()), tellhow),
            (certificate.identifiers[1].clone(), certificate),
            (certificate.identifiers[1].to_lowercase(), certificate),
            (tender.identifiers[0].to_lowercase(), tender),
        ] {
            let found = run(e, &request(&query)).await;
            assert_eq!(
                found.hits.first().map(|h| h.key),
                expected.doc_key(),
                "{}: {query:?}: {:?}",
                e.name,
                names(&corpus, &found)
            );
        }
        // Not anyone's identifier: searched as words.
        let words = run(e, &request("ISO27001")).await;
        assert!(words.total_hits > 0, "{}", e.name);
        // An identifier with a filter that excludes its record finds nothing of it.
        let mut filtered = request(&uscc);
        filtered.filter.types = vec![SearchType::Tender];
        let found = run(e, &filtered).await;
        assert!(
            found.hits.iter().all(|h| Some(h.key) != tellhow.doc_key()),
            "{}",
            e.name
        );
    }
    cleanup(engines).await;
}

/// Counts per value of `values(doc)` over the corpus's companies that `keep`.
fn expected_counts(
    corpus: &Corpus,
    keep: impl Fn(&SearchDocument) -> bool,
    values: impl Fn(&SearchDocument) -> Vec<String>,
) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for d in corpus.documents.iter().filter(|d| d.kind == "COMPANY") {
        if keep(d) {
            for v in values(d) {
                *counts.entry(v).or_default() += 1;
            }
        }
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

fn distribution(response: &SearchResponse, facet: SearchFacet) -> Vec<(String, usize)> {
    response
        .facets
        .iter()
        .find(|(f, _)| *f == facet)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_facet_the_filter_narrows_by_still_counts_its_other_values() {
    use ganbridge::domain::ServiceLine;
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    let district = |d: &SearchDocument| d.district.clone().into_iter().collect::<Vec<_>>();
    let lines = |d: &SearchDocument| d.service_lines.clone();
    let in_nanchang = |d: &SearchDocument| d.district.as_deref() == Some("NANCHANG");
    let software = |d: &SearchDocument| d.service_lines.iter().any(|l| l == "SOFTWARE_DEVELOPMENT");
    for e in &engines {
        // One facet filtered: its own counts are as if unfiltered, the other's are narrowed.
        let mut r = request("");
        r.filter.types = vec![SearchType::Company];
        r.filter.districts = vec![DistrictCode::Nanchang];
        r.facets = vec![SearchFacet::District, SearchFacet::ServiceLine];
        let found = run(e, &r).await;
        assert_eq!(
            found.total_hits,
            corpus
                .documents
                .iter()
                .filter(|d| d.kind == "COMPANY" && in_nanchang(d))
                .count(),
            "{}",
            e.name
        );
        let districts = distribution(&found, SearchFacet::District);
        assert!(districts.len() > 5, "{}: {districts:?}", e.name);
        assert_eq!(
            districts,
            expected_counts(&corpus, |_| true, district),
            "{}",
            e.name
        );
        assert_eq!(
            distribution(&found, SearchFacet::ServiceLine),
            expected_counts(&corpus, in_nanchang, lines),
            "{}",
            e.name
        );

        // Two facets filtered: each counts under the other's condition only.
        r.filter.service_lines = vec![ServiceLine::SoftwareDevelopment];
        let found = run(e, &r).await;
        assert_eq!(
            distribution(&found, SearchFacet::District),
            expected_counts(&corpus, software, district),
            "{}",
            e.name
        );
        assert_eq!(
            distribution(&found, SearchFacet::ServiceLine),
            expected_counts(&corpus, in_nanchang, lines),
            "{}",
            e.name
        );

        // With words, the lifted counts are still over the same words.
        let mut worded = request("software");
        worded.filter.types = vec![SearchType::Company];
        worded.facets = vec![SearchFacet::District];
        let all = run(e, &worded).await;
        worded.filter.districts = vec![DistrictCode::Jiujiang];
        let narrowed = run(e, &worded).await;
        assert_eq!(
            distribution(&narrowed, SearchFacet::District),
            distribution(&all, SearchFacet::District),
            "{}",
            e.name
        );
        assert!(narrowed.total_hits < all.total_hits, "{}", e.name);
    }
    cleanup(engines).await;
}

/// A company document named `name` (in Chinese when it is Chinese), and nothing else.
fn named(id: i64, name: &str) -> SearchDocument {
    let chinese = !name.is_ascii();
    SearchDocument {
        key: DocKey::new(SearchType::Company, id).as_string(),
        kind: "COMPANY".into(),
        id,
        name_en: if chinese {
            String::new()
        } else {
            name.to_owned()
        },
        name_zh: if chinese {
            name.to_owned()
        } else {
            String::new()
        },
        description_en: String::new(),
        description_zh: String::new(),
        district: None,
        district_names: vec![],
        park: None,
        park_names: vec![],
        service_lines: vec![],
        service_line_names: vec![],
        certifications: vec![],
        headcount: None,
        employee_band: None,
        leading: false,
        tender_status: None,
        closes_at: None,
        buyer: vec![],
        value_amount: None,
        value_currency: None,
        name_sort: name.to_lowercase(),
        identifiers: vec![],
    }
}

#[tokio::test]
async fn every_synonym_group_finds_each_member_by_every_other() {
    let groups = ganbridge::search::synonyms::groups();
    // Per group, one document named by its first member and one by its last.
    let mut documents = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let g = g as i64;
        documents.push(named(2 * g + 1, &group[0]));
        documents.push(named(2 * g + 2, &group[group.len() - 1]));
    }
    let engines = engines_with(documents).await;
    let mut failures = Vec::new();
    for e in &engines {
        for (g, group) in groups.iter().enumerate() {
            let g = g as i64;
            for member in group {
                let found = run(e, &request(member)).await;
                let ids: Vec<i64> = found.hits.iter().map(|h| h.key.id).collect();
                for wanted in [2 * g + 1, 2 * g + 2] {
                    if !ids.contains(&wanted) {
                        failures.push(format!("{}: {member:?} missed {group:?}", e.name));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    cleanup(engines).await;
}

#[tokio::test]
async fn odd_queries_answer_cleanly_on_every_engine() {
    let corpus = corpus().await;
    let engines = engines(&corpus).await;
    let long = "软件开发 software ".repeat(28);
    let queries = [
        "...",
        "'’-·&",
        "   ",
        "\t\n",
        "Tellhow南昌ソフト소프트",
        "\u{0}\u{1}Tellhow\u{7f}",
        "\u{200b}\u{feff}",
        "ｓｏｆｔｗａｒｅ，",
        long.as_str(),
        "\"NANCHANG\" OR type = \"PARK\"",
        "ocds-",
        "9136",
    ];
    for e in &engines {
        for q in queries {
            let found = run(e, &request(q)).await;
            assert!(found.hits.len() <= 10, "{}: {q:?}", e.name);
        }
        // Control characters are spaces: the name still matches.
        let found = run(e, &request("\u{1}Tellhow\u{7f}")).await;
        assert!(
            names(&corpus, &found)
                .first()
                .is_some_and(|n| n.starts_with("Tellhow")),
            "{}",
            e.name
        );
    }
    cleanup(engines).await;
}

#[tokio::test]
async fn meilisearch_is_sent_its_settings_only_when_they_differ() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        crate::helpers::loud_skip("Meilisearch settings sent once", "MEILI_URL is not set");
        return;
    };
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let index = format!("ganbridge_test_{}", uuid::Uuid::new_v4().simple());
    let engine = MeiliEngine::new(&url, key.as_deref(), &index).unwrap();
    let updates = || async {
        let mut get = reqwest::Client::new().get(format!(
            "{url}/tasks?indexUids={index}&types=settingsUpdate"
        ));
        if let Some(key) = &key {
            get = get.bearer_auth(key);
        }
        let body: serde_json::Value = get.send().await.unwrap().json().await.unwrap();
        body["total"]
            .as_u64()
            .unwrap_or(body["results"].as_array().unwrap().len() as u64)
    };
    engine.prepare().await.unwrap();
    assert_eq!(updates().await, 1, "a new index gets its settings");
    engine.prepare().await.unwrap();
    engine.prepare().await.unwrap();
    assert_eq!(updates().await, 1, "unchanged settings are not sent again");
    engine.drop_index().await.unwrap();
}
