//! The explorer, GraphiQL and the partner-site example in a real browser: Debian's Chromium
//! driven over WebDriver (chromedriver), with every host but 127.0.0.1 unresolvable, so a page
//! that needed anything from the internet would show it. axe-core checks each page, and a
//! screenshot of each, in both languages, is written under `target/screenshots/`.
//!
//! Chromium and chromedriver are found at `GANBRIDGE_CHROMIUM` and `GANBRIDGE_CHROMEDRIVER`
//! (default `/usr/bin/chromium`, `/usr/bin/chromedriver`); without them the tests say loudly
//! that they did not run. axe-core comes from the npm registry, pinned in
//! `tests/browser/package-lock.json` (`GANBRIDGE_AXE_JS`, or installed into `target/` here).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::helpers::{TestApp, free_port, loud_skip, spawn_app, spawn_app_with};
use ganbridge::domain::Role;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("target"))
}

/// axe-core's script: the one given, or the pinned one installed from npm into `target/`
/// (once per test process: `cargo test` runs the tests as threads of one).
fn axe_source() -> String {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(read_axe).clone()
}

fn read_axe() -> String {
    if let Some(path) = std::env::var_os("GANBRIDGE_AXE_JS") {
        return std::fs::read_to_string(path).expect("reading GANBRIDGE_AXE_JS");
    }
    let dir = target_dir().join("browser-npm");
    let script = dir.join("node_modules/axe-core/axe.min.js");
    if !script.exists() {
        std::fs::create_dir_all(&dir).expect("making target/browser-npm");
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(
                manifest_dir().join("tests/browser").join(file),
                dir.join(file),
            )
            .expect("copying the axe-core pins");
        }
        let status = Command::new("npm")
            .args([
                "ci",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            .status()
            .expect("running npm (axe-core is installed with it)");
        assert!(status.success(), "npm ci of axe-core failed");
    }
    std::fs::read_to_string(script).expect("reading axe.min.js")
}

/// A headless Chromium session, and the chromedriver it runs under.
struct Browser {
    driver: Child,
    client: Client,
}

impl Drop for Browser {
    /// Ends chromedriver and the Chromium it started, which stays in chromedriver's process
    /// group: a test that fails before `close` leaves no browser running.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A browser, or `None` (said loudly) where Chromium or chromedriver is not installed.
async fn browser(test: &str, javascript: bool) -> Option<Browser> {
    let chromium = std::env::var("GANBRIDGE_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
    let chromedriver =
        std::env::var("GANBRIDGE_CHROMEDRIVER").unwrap_or("/usr/bin/chromedriver".into());
    if !Path::new(&chromium).exists() || !Path::new(&chromedriver).exists() {
        loud_skip(
            test,
            &format!(
                "no Chromium at {chromium} or no chromedriver at {chromedriver} (apt-get install chromium chromium-driver fonts-noto-cjk)"
            ),
        );
        return None;
    }
    let port = free_port();
    let driver = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        // A process group of its own, which the browser joins, to be ended whole.
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting chromedriver");
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--window-size=1280,900".into(),
        "--lang=en-US".into(),
        // No name resolves but 127.0.0.1: nothing can be fetched from the internet.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1".into(),
    ];
    if !javascript {
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chromium, "args": args, "prefs": { "intl.accept_languages": "en-US,en" } }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let client = loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => break client,
            Err(error) => {
                assert!(
                    Instant::now() < deadline,
                    "chromedriver did not start: {error}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    Some(Browser { driver, client })
}

impl Browser {
    async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("opening the page");
    }

    async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self
                .client
                .wait()
                .at_most(Duration::from_secs(20))
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no {css}: {e}"));
            match found.text().await {
                Ok(text) => return text,
                // Replaced by the page's own script between finding and reading: find it again.
                Err(error) if error.is_stale_element_reference() && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("the text of {css}: {error}"),
            }
        }
    }

    /// Clicks the element at `css` and waits until the page it leads to has loaded: until
    /// then, what one finds may be the old page's, gone a moment later.
    async fn follow(&self, css: &str) {
        self.js("document.documentElement.dataset.left = 'yes'")
            .await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
        self.until(
            &format!("the page {css} leads to"),
            "document.documentElement.dataset.left === undefined \
             && document.readyState === 'complete'",
        )
        .await;
    }

    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(&format!("return ({script});"), vec![])
            .await
            .expect("running a script")
    }

    /// Waits until `script` answers true.
    async fn until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.js(script).await != json!(true) {
            assert!(Instant::now() < deadline, "waited in vain for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The serious and critical accessibility violations axe-core finds on the page.
    async fn axe(&self, exclude: &[&str]) -> Vec<String> {
        self.client
            .execute(&axe_source(), vec![])
            .await
            .expect("loading axe-core");
        let found = self
            .client
            .execute_async(
                r#"const [exclude, done] = arguments;
                   const context = exclude.length ? { exclude: exclude.map(s => [s]) } : document;
                   axe.run(context, { resultTypes: ["violations"] })
                     .then(r => done(r.violations
                       .filter(v => v.impact === "serious" || v.impact === "critical")
                       .map(v => v.id + " (" + v.impact + "): " + v.nodes.map(n => n.target.join(" ")).join(", "))))
                     .catch(e => done(["axe failed: " + e]));"#,
                vec![json!(exclude)],
            )
            .await
            .expect("running axe-core");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// Writes a screenshot to `target/screenshots/<name>.png`.
    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = target_dir().join("screenshots");
        std::fs::create_dir_all(&dir).expect("making target/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("writing a screenshot");
    }

    /// Ends the WebDriver session; dropping `self` then ends chromedriver and the browser.
    async fn close(self) {
        let client = self.client.clone();
        let _ = client.close().await;
    }
}

/// A company's global id by a word of its name.
async fn company_id(app: &TestApp, words: &str) -> String {
    let data = app
        .data(
            "query($q: String!) { search(query: $q, types: [COMPANY], first: 1) { edges { node { ... on Company { id } } } } }",
            json!({ "q": words }),
        )
        .await;
    data["search"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("a company")
        .to_owned()
}

/// Visits a page in both languages: axe-core on each, and a screenshot of each.
async fn look_at(browser: &Browser, app: &TestApp, name: &str, path: &str) {
    let joiner = if path.contains('?') { '&' } else { '?' };
    for lang in ["en", "zh"] {
        browser
            .goto(&format!("{}{path}{joiner}lang={lang}", app.address))
            .await;
        browser.text("h1").await;
        let violations = browser.axe(&[]).await;
        assert!(violations.is_empty(), "{name} in {lang}: {violations:#?}");
        browser.shot(&format!("{name}-{lang}")).await;
    }
}

#[tokio::test]
async fn the_explorer_finds_filters_switches_language_and_downloads_in_a_browser() {
    let Some(browser) = browser("the explorer in a browser", true).await else {
        return;
    };
    let app = spawn_app(true).await;
    // 泰豪 finds Tellhow, and its page opens.
    browser.goto(&format!("{}/", app.address)).await;
    let everything = browser.text("#results-count").await;
    let search = browser
        .client
        .find(Locator::Id("q"))
        .await
        .expect("the search box");
    search.send_keys("泰豪").await.unwrap();
    browser.follow("#search .searchbox button").await;
    let first = browser.text(".hit h3 a").await;
    assert!(
        first.contains("Tellhow"),
        "泰豪 finds Tellhow first: {first}"
    );
    browser.follow(".hit h3 a").await;
    let title = browser.text("h1").await;
    assert!(title.contains("Tellhow"), "{title}");
    assert!(browser.text(".other-name").await.contains("泰豪"));
    // A facet ticked narrows the hits (the script submits the form) and the counts follow.
    browser
        .goto(&format!("{}/?type=COMPANY", app.address))
        .await;
    let before = browser.text("#results-count").await;
    assert_ne!(before, everything);
    let count_of_first_line =
        "document.querySelector('input[name=line] + label .count').textContent";
    let line_count_before = browser.js(count_of_first_line).await;
    let district = browser
        .client
        .find(Locator::Css("input[name=district]"))
        .await
        .expect("a district facet");
    let district_label = browser
        .js("document.querySelector('input[name=district] + label .count').textContent")
        .await;
    district.click().await.unwrap();
    browser
        .until(
            "the facet to apply",
            "location.search.includes('district=')",
        )
        .await;
    let after = browser.text("#results-count").await;
    assert_ne!(after, before, "the hits narrow");
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    assert_eq!(
        digits(&after),
        digits(district_label.as_str().unwrap()),
        "as many hits as the facet counted"
    );
    assert_ne!(
        browser.js(count_of_first_line).await,
        line_count_before,
        "the other facets' counts follow"
    );
    assert_eq!(
        browser
            .js("document.querySelector('input[name=district]:checked') !== null")
            .await,
        json!(true)
    );
    // Suggestions as one types.
    browser.goto(&format!("{}/", app.address)).await;
    let search = browser.client.find(Locator::Id("q")).await.unwrap();
    search.send_keys("Tellh").await.unwrap();
    browser
        .until(
            "suggestions",
            "[...document.querySelectorAll('#suggestions option')].some(o => o.value.includes('Tellhow'))",
        )
        .await;
    // The statistics: 2014 as published, and its table as CSV.
    browser.goto(&format!("{}/statistics", app.address)).await;
    assert_eq!(browser.text("#year-2014 .companies").await, "1,056");
    let csv = browser
        .client
        .execute_async(
            "const done = arguments[0]; const a = document.getElementById('years-csv');
             fetch(a.href).then(r => r.text().then(t => done([a.hasAttribute('download'), r.headers.get('content-disposition'), t])));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(csv[0], json!(true));
    assert!(csv[1].as_str().unwrap().starts_with("attachment"));
    assert!(csv[2].as_str().unwrap().contains("\n2014,1056,"), "{csv}");
    // The language switch changes the labels, and they stay changed.
    assert_eq!(
        browser.text("header nav a[aria-current]").await,
        "Statistics"
    );
    browser.follow("#lang-switch").await;
    assert_eq!(
        browser.js("document.documentElement.lang").await,
        json!("zh-CN"),
        "the switch leads to the page in Chinese"
    );
    assert_eq!(browser.text("header nav a[aria-current]").await, "统计");
    assert_eq!(browser.text("#year-2014 .companies").await, "1,056");
    browser.goto(&format!("{}/", app.address)).await;
    assert_eq!(
        browser.text("#search label[for=q]").await,
        "搜索企业、需求和园区"
    );
    browser.close().await;
}

#[tokio::test]
async fn every_page_passes_axe_in_both_languages_and_is_photographed() {
    let Some(browser) = browser("axe-core and screenshots", true).await else {
        return;
    };
    let app = spawn_app(true).await;
    let tellhow = company_id(&app, "泰豪").await;
    let thinvent = company_id(&app, "Thinvent").await;
    let ids = app
        .data(
            "{ tenders(first: 1) { edges { node { id } } } parks(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let tender = ids["tenders"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let park = ids["parks"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    look_at(&browser, &app, "search", "/?q=%E8%BD%AF%E4%BB%B6").await;
    look_at(&browser, &app, "company", &format!("/companies/{tellhow}")).await;
    look_at(&browser, &app, "tender", &format!("/tenders/{tender}")).await;
    look_at(&browser, &app, "park", &format!("/parks/{park}")).await;
    look_at(&browser, &app, "statistics", "/statistics").await;
    look_at(
        &browser,
        &app,
        "compare",
        &format!("/compare?id={tellhow}&id={thinvent}"),
    )
    .await;
    look_at(
        &browser,
        &app,
        "not-found",
        "/companies/Q29tcGFueTo5OTk5OTk",
    )
    .await;
    // At phone width, nothing is wider than the screen, in either language (asked for by the
    // address: the pages before it left the last one asked for in the cookie).
    browser.client.set_window_size(390, 844).await.unwrap();
    for lang in ["en", "zh"] {
        browser
            .goto(&format!(
                "{}/?q=%E6%B3%B0%E8%B1%AA&lang={lang}",
                app.address
            ))
            .await;
        browser.text("h1").await;
        assert_eq!(
            browser
                .js("document.documentElement.scrollWidth <= window.innerWidth")
                .await,
            json!(true),
            "the search page fits a phone in {lang}"
        );
        browser.shot(&format!("search-phone-{lang}")).await;
    }
    browser.close().await;
}

#[tokio::test]
async fn the_explorer_works_without_javascript() {
    let Some(browser) = browser("the explorer without JavaScript", false).await else {
        return;
    };
    let app = spawn_app(true).await;
    browser.goto(&format!("{}/", app.address)).await;
    assert_eq!(
        browser.js("1 + 1").await,
        json!(2),
        "WebDriver still runs its own scripts"
    );
    let search = browser.client.find(Locator::Id("q")).await.unwrap();
    search.send_keys("泰豪").await.unwrap();
    browser.follow("#search .searchbox button").await;
    assert!(browser.text(".hit h3 a").await.contains("Tellhow"));
    // Ticking a facet does nothing by itself; the Apply button submits it.
    browser
        .goto(&format!("{}/?type=COMPANY", app.address))
        .await;
    let before = browser.text("#results-count").await;
    browser
        .client
        .find(Locator::Css("input[name=district]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !browser
            .js("location.search")
            .await
            .as_str()
            .unwrap()
            .contains("district")
    );
    browser.follow(".facet-actions button").await;
    assert!(
        browser
            .js("location.search")
            .await
            .as_str()
            .unwrap()
            .contains("district="),
        "the filter is applied"
    );
    assert_ne!(browser.text("#results-count").await, before);
    // The language switch is a plain link.
    browser.goto(&format!("{}/statistics", app.address)).await;
    browser.follow("#lang-switch").await;
    assert_eq!(
        browser.js("document.documentElement.lang").await,
        json!("zh-CN"),
        "the switch leads to the page in Chinese"
    );
    assert_eq!(browser.text("#year-2014 .companies").await, "1,056");
    assert!(
        browser
            .js("document.querySelector('svg.chart') !== null")
            .await
            == json!(true)
    );
    browser.close().await;
}

/// Creates a tender as its buyer (the first counterpart), not yet published; answers its id
/// and the buyer's key.
async fn planned_tender(app: &TestApp, title: &str) -> (String, String) {
    use sea_orm::{EntityTrait, QuerySelect};
    let buyer: i64 = ganbridge::entities::counterpart::Entity::find()
        .select_only()
        .column(ganbridge::entities::counterpart::Column::Id)
        .into_tuple()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let key = app.key(Role::Counterpart, None, Some(buyer)).await;
    let closes = (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339();
    let created = app
        .data_as(
            &key,
            "mutation($input: CreateTenderInput!) { createTender(input: $input) { id } }",
            json!({ "input": {
                "title": title, "titleZh": "浏览器订阅测试",
                "description": "Delivered to GraphiQL.", "descriptionZh": "推送到 GraphiQL。",
                "serviceLines": ["CALL_CENTRE"], "closesAt": closes,
            } }),
        )
        .await;
    (
        created["createTender"]["id"].as_str().unwrap().to_owned(),
        key,
    )
}

const RESULT: &str = "(() => { const cm = document.querySelector('.result-window .CodeMirror'); return cm ? cm.CodeMirror.getValue() : ''; })()";

#[tokio::test]
async fn graphiql_runs_queries_and_subscriptions_with_no_internet() {
    let Some(browser) = browser("GraphiQL in a browser", true).await else {
        return;
    };
    // With an allow-list for partner sites, as a real deployment has: GraphiQL is this site's
    // own page, and its POSTs and websocket (which carry its origin) are answered all the same.
    let app = spawn_app_with(true, |s| {
        s.cors_allowed_origins = "https://park.example".into()
    })
    .await;
    let query = "{ statistics(year: 2014) { companies } }";
    browser
        .goto(&format!(
            "{}/graphql#query={}",
            app.address,
            ganbridge::web::encode(query)
        ))
        .await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".graphiql-execute-button"))
        .await
        .expect("GraphiQL renders")
        .click()
        .await
        .unwrap();
    browser
        .until("the answer", &format!("{RESULT}.includes('1056')"))
        .await;
    let answer: Value = serde_json::from_str(browser.js(RESULT).await.as_str().unwrap()).unwrap();
    assert_eq!(answer["data"]["statistics"]["companies"], 1056);
    // Everything the page loaded came from this origin.
    let foreign = browser
        .js(&format!(
            "performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('{}'))",
            app.address
        ))
        .await;
    assert_eq!(foreign, json!([]), "requests outside the origin");
    browser
        .until(
            "the docs",
            "document.querySelector('.graphiql-doc-explorer') !== null",
        )
        .await;
    browser.shot("graphiql-en").await;
    let violations = browser
        .axe(&[".graphiql-editors", ".graphiql-response"])
        .await;
    assert!(
        violations.is_empty(),
        "GraphiQL around its editors: {violations:#?}"
    );
    // A subscription in GraphiQL receives a tender as it is published.
    let (tender, key) = planned_tender(&app, "Quokka hotline overflow").await;
    let subscription = "subscription { tenderPublished { title } }";
    browser
        .goto(&format!(
            "{}/graphql?fresh#query={}",
            app.address,
            ganbridge::web::encode(subscription)
        ))
        .await;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".graphiql-execute-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The subscription is running once the button offers to stop it.
    browser
        .until(
            "the subscription to start",
            "document.querySelector('.graphiql-execute-button').getAttribute('aria-label').startsWith('Stop')",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.data_as(
        &key,
        "mutation($id: ID!) { publishTender(id: $id) { id } }",
        json!({ "id": tender }),
    )
    .await;
    browser
        .until(
            "the event",
            &format!("{RESULT}.includes('Quokka hotline overflow')"),
        )
        .await;
    browser.shot("graphiql-subscription-en").await;
    browser.close().await;
}

#[tokio::test]
async fn a_company_profile_cannot_run_a_script_or_link_to_one() {
    let Some(browser) = browser("escaping in a browser", true).await else {
        return;
    };
    let app = spawn_app(true).await;
    let id = company_id(&app, "泰豪").await;
    let (_, number) = ganbridge::domain::global_id::decode(&id).unwrap();
    let key = app.key(Role::Company, Some(number), None).await;
    let written = "Wombatique <script>window.__xss = 1</script> \"><img src=x onerror=\"window.__xss = 2\"> <a href=\"javascript:window.__xss=3\">x</a>";
    app.data_as(
        &key,
        "mutation($input: UpdateCompanyProfileInput!) { updateCompanyProfile(input: $input) { id } }",
        json!({ "input": { "id": id, "description": written, "descriptionZh": written } }),
    )
    .await;
    // The API refuses a javascript: website; one written before that rule (or by hand into
    // the database) must still not become a link.
    let (_, refused) = app
        .graphql_as(
            Some(&key),
            "mutation($input: UpdateCompanyProfileInput!) { updateCompanyProfile(input: $input) { id } }",
            json!({ "input": { "id": id, "website": "javascript:window.__xss=4" } }),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        ganbridge::entities::company::ActiveModel {
            id: Set(number),
            website: Set(Some("javascript:window.__xss=4".into())),
            ..Default::default()
        }
        .update(&app.db)
        .await
        .expect("writing a website by hand");
    }
    for path in [format!("/companies/{id}"), "/?q=Wombatique".to_owned()] {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            browser.goto(&format!("{}{path}", app.address)).await;
            let shown = browser.js("document.body.innerText").await;
            if shown.as_str().unwrap().contains("Wombatique") {
                break;
            }
            assert!(Instant::now() < deadline, "{path} never showed the profile");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            browser.js("window.__xss === undefined").await,
            json!(true),
            "{path}"
        );
        assert_eq!(
            browser
                .js("[...document.querySelectorAll('a[href]')].filter(a => !/^https?:$/.test(a.protocol)).length")
                .await,
            json!(0),
            "no link but a web address on {path}"
        );
        assert_eq!(
            browser
                .js("document.querySelectorAll('main img, main script').length")
                .await,
            json!(0)
        );
        let text = browser.js("document.querySelector('main').innerText").await;
        assert!(
            text.as_str().unwrap().contains("<script>"),
            "{path} shows what was written, as text"
        );
    }
    browser.close().await;
}

/// Serves `examples/partner-site/` on 127.0.0.1 at a port of its own.
async fn partner_site() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let files =
        poem::endpoint::StaticFilesEndpoint::new(manifest_dir().join("examples/partner-site"))
            .index_file("index.html");
    let std_listener = listener.into_std().unwrap();
    let server = tokio::spawn(async move {
        let listener = poem::listener::TcpAcceptor::from_std(std_listener).unwrap();
        let _ = poem::Server::new_with_acceptor(listener).run(files).await;
    });
    (address, server)
}

#[tokio::test]
async fn the_partner_site_calls_ganbridge_across_origins_by_persisted_get() {
    let Some(browser) = browser("the partner site in a browser", true).await else {
        return;
    };
    let (allowed, allowed_server) = partner_site().await;
    let (other, other_server) = partner_site().await;
    let origin = allowed.clone();
    let app = spawn_app_with(true, move |s| s.cors_allowed_origins = origin).await;
    browser
        .goto(&format!(
            "{allowed}/?api={}",
            ganbridge::web::encode(&app.address)
        ))
        .await;
    browser
        .until(
            "the page to load",
            "['ready', 'error'].includes(document.querySelector('main').dataset.state)",
        )
        .await;
    assert_eq!(browser.text("#error").await, "");
    assert_eq!(
        browser
            .js("document.querySelector('main').dataset.state")
            .await,
        "ready"
    );
    let companies = browser
        .js("document.querySelectorAll('#companies li').length")
        .await;
    let tenders = browser
        .js("document.querySelectorAll('#tenders li').length")
        .await;
    assert!(
        companies.as_i64().unwrap() > 0 && tenders.as_i64().unwrap() > 0,
        "{companies} {tenders}"
    );
    // Every call went by GET, by hash (the text only when the server asked for it).
    let calls = browser
        .js("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/graphql'))")
        .await;
    let calls: Vec<String> = serde_json::from_value(calls).unwrap();
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|c| c.contains("persistedQuery")),
        "{calls:#?}"
    );
    browser.shot("partner-site-en").await;
    let violations = browser.axe(&[]).await;
    assert!(violations.is_empty(), "the partner page: {violations:#?}");
    // From an origin not on the list the browser refuses the answers, and the page says so.
    browser
        .goto(&format!(
            "{other}/?api={}",
            ganbridge::web::encode(&app.address)
        ))
        .await;
    browser
        .until(
            "the page to fail",
            "document.querySelector('main').dataset.state === 'error'",
        )
        .await;
    let error = browser.text("#error").await;
    assert!(
        error.contains(&other),
        "the message names the origin: {error}"
    );
    assert_eq!(
        browser
            .js("document.querySelectorAll('#companies li').length")
            .await,
        json!(0)
    );
    browser.shot("partner-site-refused-en").await;
    browser.close().await;
    allowed_server.abort();
    other_server.abort();
}
