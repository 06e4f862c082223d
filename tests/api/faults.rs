//! Faults survived: PostgreSQL restarted under load, the process killed with SIGKILL in the
//! middle of a bulk write, and Meilisearch stopped and started again under a running server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ganbridge::domain::Role;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{free_port, loud_skip, spawn_app_at, spawn_app_with, wait_until_up};
use crate::world::{CREATE_COMPANY, company_input};

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The directory holding `initdb` and `pg_ctl`: on the PATH, or Debian's versioned one.
fn postgres_binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain(debian)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
}

/// A PostgreSQL server of this test's own, in a temporary directory on a free port, so that it
/// can be stopped and started without disturbing any other test.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    fn start() -> Result<Self, String> {
        let bin = postgres_binaries().ok_or("no initdb and pg_ctl here")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        // PostgreSQL refuses to run as root: then the cluster belongs to `postgres`.
        let as_postgres = running_as_root();
        if as_postgres {
            let chown = Command::new("chown")
                .args(["postgres"])
                .arg(dir.path())
                .status()
                .map_err(|e| e.to_string())?;
            if !chown.success() {
                return Err("could not hand the cluster directory to the postgres user".into());
            }
        }
        let pg = PrivatePostgres {
            dir,
            bin,
            port: free_port(),
            as_postgres,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "ganbridge",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        pg.start_server()?;
        Ok(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {args:?}: {}",
                program.display(),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    fn start_server(&self) -> Result<(), String> {
        let log = self.dir.path().join("server.log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &options,
            ],
        )
    }

    /// Stops the server as an operator's restart does: sessions are ended, nothing new connects.
    fn stop_server(&self) -> Result<(), String> {
        self.run("pg_ctl", &["stop", "-w", "-m", "fast", "-D", &self.data()])
    }

    fn url(&self) -> String {
        format!("postgres://ganbridge@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["stop", "-m", "immediate", "-D", &self.data()]);
    }
}

fn on_postgres() -> bool {
    std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

/// What one request came to: `ok`, a GraphQL error code, or `transport` when no HTTP answer
/// with a JSON body came back at all.
async fn outcome(request: reqwest::RequestBuilder) -> String {
    let Ok(response) = request.send().await else {
        return "transport".into();
    };
    let Ok(body) = response.json::<Value>().await else {
        return "transport".into();
    };
    match body["errors"][0]["extensions"]["code"].as_str() {
        Some(code) => code.to_owned(),
        None if body["data"].is_object() => "ok".into(),
        None => format!("no code: {body}"),
    }
}

const BEFORE: u8 = 0;
const OUTAGE: u8 = 1;
const RECOVERING: u8 = 2;
const AFTER: u8 = 3;

/// The phase a request's outcome counts in: the phase it was sent in, except that one sent
/// before the outage and answered after it began counts in the later phase (the database went
/// away under it).
fn settled(sent_in: u8, phase: &AtomicU8) -> u8 {
    if sent_in == BEFORE {
        phase.load(Ordering::Relaxed)
    } else {
        sent_in
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_under_load_fails_cleanly_and_recovers_without_a_restart() {
    if !on_postgres() {
        loud_skip(
            "PostgreSQL restarted under load",
            "DATABASE_URL does not name PostgreSQL (.ci/run runs it)",
        );
        return;
    }
    let pg = match PrivatePostgres::start() {
        Ok(pg) => pg,
        Err(why) => {
            loud_skip("PostgreSQL restarted under load", &why);
            return;
        }
    };
    // The load is one anonymous caller; its quota is not what this test is about.
    let app = Arc::new(spawn_app_at(true, &pg.url(), |s| s.quota_anonymous = i64::MAX / 4).await);
    let admin = app.key(Role::Admin, None, None).await;

    // Readers and a writer keep the server busy; each outcome is tallied by the phase in
    // which its request was sent.
    let phase = Arc::new(AtomicU8::new(BEFORE));
    let running = Arc::new(AtomicBool::new(true));
    let tally: Arc<Mutex<BTreeMap<(u8, String), usize>>> = Arc::default();
    let written: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut load = Vec::new();
    for worker in 0..5 {
        let (app, phase, running, tally) =
            (app.clone(), phase.clone(), running.clone(), tally.clone());
        load.push(tokio::spawn(async move {
            let queries = [
                "{ companies(first: 10, filter: { district: NANCHANG }) { nodes { name certifications { standard } } } }",
                "{ statistics(year: 2024) { companies districts { district { code } companies } } }",
                "{ tenders(first: 20) { nodes { title buyer { name } } } }",
            ];
            let mut n = worker;
            while running.load(Ordering::Relaxed) {
                let sent_in = phase.load(Ordering::Relaxed);
                let request = app
                    .client
                    .post(format!("{}/graphql", app.address))
                    .timeout(Duration::from_secs(30))
                    .json(&json!({ "query": queries[n % queries.len()] }));
                let got = outcome(request).await;
                let phase = settled(sent_in, &phase);
                *tally.lock().unwrap().entry((phase, got)).or_default() += 1;
                n += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }
    {
        let (app, phase, running, tally, written, admin) = (
            app.clone(),
            phase.clone(),
            running.clone(),
            tally.clone(),
            written.clone(),
            admin.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                let sent_in = phase.load(Ordering::Relaxed);
                let name = format!("Restart Buyer {n}");
                let response = app
                    .client
                    .post(format!("{}/graphql", app.address))
                    .timeout(Duration::from_secs(30))
                    .bearer_auth(&admin)
                    .json(&json!({
                        "query": "mutation($input: CounterpartInput!) { createCounterpart(input: $input) { id } }",
                        "variables": { "input": {
                            "name": name, "nameZh": format!("重启买方{n}"),
                            "kind": "DOMESTIC_ENTERPRISE", "city": "Hangzhou" } },
                    }))
                    .send()
                    .await;
                let got = match response {
                    Err(_) => "transport".to_owned(),
                    Ok(response) => match response.json::<Value>().await {
                        Err(_) => "transport".to_owned(),
                        Ok(body) => match body["data"]["createCounterpart"]["id"].as_str() {
                            Some(id) => {
                                written.lock().unwrap().push(id.to_owned());
                                "ok".to_owned()
                            }
                            None => body["errors"][0]["extensions"]["code"]
                                .as_str()
                                .unwrap_or("no code")
                                .to_owned(),
                        },
                    },
                };
                let phase = settled(sent_in, &phase);
                *tally.lock().unwrap().entry((phase, got)).or_default() += 1;
                n += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(2)).await;
    phase.store(OUTAGE, Ordering::Relaxed);
    pg.stop_server().expect("stopping PostgreSQL");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "unreachable", "{body}");
    tokio::time::sleep(Duration::from_secs(2)).await;

    phase.store(RECOVERING, Ordering::Relaxed);
    pg.start_server().expect("starting PostgreSQL again");
    let restarted = Instant::now();
    loop {
        let got = outcome(
            app.client
                .post(format!("{}/graphql", app.address))
                .json(&json!({ "query": "{ statistics(year: 2024) { companies } }" })),
        )
        .await;
        if got == "ok" {
            break;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(30),
            "no recovery 30 s after PostgreSQL came back: {got}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered_in = restarted.elapsed();
    phase.store(AFTER, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(3)).await;
    running.store(false, Ordering::Relaxed);
    for task in load {
        task.await.expect("a load task");
    }

    let tally = tally.lock().unwrap().clone();
    eprintln!(
        "PostgreSQL restart: recovered {recovered_in:?} after the start; outcomes by phase {tally:?}"
    );
    let count = |wanted: u8, pred: &dyn Fn(&str) -> bool| -> usize {
        tally
            .iter()
            .filter(|((p, o), _)| *p == wanted && pred(o))
            .map(|(_, n)| n)
            .sum()
    };
    for p in [BEFORE, OUTAGE, RECOVERING, AFTER] {
        assert_eq!(
            count(p, &|o| o == "transport"),
            0,
            "a request got no JSON answer: {tally:?}"
        );
        assert_eq!(
            count(p, &|o| !matches!(
                o,
                "ok" | "SERVICE_UNAVAILABLE" | "INTERNAL"
            )),
            0,
            "a failure other than SERVICE_UNAVAILABLE or INTERNAL: {tally:?}"
        );
    }
    assert!(count(BEFORE, &|o| o == "ok") > 0, "{tally:?}");
    assert_eq!(count(BEFORE, &|o| o != "ok"), 0, "{tally:?}");
    assert!(
        count(OUTAGE, &|o| o != "ok") > 0,
        "no request failed while the database was down: {tally:?}"
    );
    assert!(count(AFTER, &|o| o == "ok") > 0, "{tally:?}");
    assert_eq!(
        count(AFTER, &|o| o != "ok"),
        0,
        "requests still failed after recovery: {tally:?}"
    );
    assert_eq!(app.get("/readyz").await.status(), 200);

    // Every write that was acknowledged is there.
    let written = written.lock().unwrap().clone();
    assert!(!written.is_empty());
    for id in &written {
        let found = app
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(found["node"]["id"], json!(id), "acknowledged {id} is gone");
    }
    match Arc::try_unwrap(app) {
        Ok(app) => app.stop().await,
        Err(_) => panic!("the app is still shared"),
    }
}

/// A `ganbridge serve` process of its own.
struct Server {
    child: Child,
    address: String,
}

fn ganbridge(data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ganbridge"));
    command
        .env("GANBRIDGE_DATA_DIR", data_dir)
        .env("GANBRIDGE_DEMO", "false")
        .env_remove("MEILI_URL")
        .env_remove("GANBRIDGE_CONFIG")
        .stdin(Stdio::null());
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command
}

async fn serve(data_dir: &Path, database_url: Option<&str>) -> Server {
    let port = free_port();
    let child = ganbridge(data_dir, database_url)
        .arg("serve")
        .env("GANBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("GANBRIDGE_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting ganbridge serve");
    let address = format!("http://127.0.0.1:{port}");
    wait_until_up(&address, Duration::from_secs(60)).await;
    Server { child, address }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("querying")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_process_killed_during_a_bulk_write_loses_nothing_committed_and_shows_nothing_half_written()
 {
    // The database this test writes: a SQLite file, or a new PostgreSQL database.
    let probe = spawn_app_with(false, |_| {}).await;
    let data_dir = tempfile::tempdir().unwrap();
    let database_url: Option<String> = if probe.store == "postgres" {
        use secrecy::ExposeSecret;
        probe
            .settings
            .database_url
            .as_ref()
            .map(|u| u.expose_secret().to_owned())
    } else {
        None
    };
    probe.stop().await;
    let url = database_url.as_deref();

    let created = ganbridge(data_dir.path(), url)
        .args(["keys", "create", "--role", "admin", "--name", "bulk loader"])
        .output()
        .expect("running ganbridge keys create");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let admin = String::from_utf8(created.stdout)
        .unwrap()
        .lines()
        .last()
        .expect("the key")
        .trim()
        .to_owned();

    let mut server = serve(data_dir.path(), url).await;
    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..6u32 {
        let (client, address, admin, acknowledged) = (
            client.clone(),
            server.address.clone(),
            admin.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0..400u32 {
                let name = format!("Bulkwrite {w}-{i}");
                let input = company_input(
                    5_000 + w * 400 + i,
                    &name,
                    "GANZHOU",
                    &["DATA_ANALYTICS", "SOFTWARE_DEVELOPMENT"],
                    50,
                );
                let Ok(response) = client
                    .post(format!("{address}/graphql"))
                    .bearer_auth(&admin)
                    .json(&json!({ "query": CREATE_COMPANY, "variables": { "input": input } }))
                    .send()
                    .await
                else {
                    return;
                };
                let Ok(body) = response.json::<Value>().await else {
                    return;
                };
                let id = body["data"]["createCompany"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("a write failed before the kill: {body}"));
                acknowledged.lock().unwrap().push((id.to_owned(), name));
            }
        }));
    }
    // Kill the process in the middle of the writes, with no chance to clean up.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 60 {
        assert!(Instant::now() < deadline, "the writes did not get going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaping the killed process");
    for writer in writers {
        writer.await.expect("a writer");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() < 2_400,
        "the kill came after the writes ended"
    );

    // On restart: every acknowledged company is there, readable and searchable.
    let server = serve(data_dir.path(), url).await;
    for (id, name) in &acknowledged {
        let body: Value = client
            .post(format!("{}/graphql", server.address))
            .json(&json!({ "query": "query($id: ID!) { company(id: $id) { name serviceLines } }", "variables": { "id": id } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["data"]["company"]["name"], json!(name), "{body}");
        assert_eq!(
            body["data"]["company"]["serviceLines"]
                .as_array()
                .map(Vec::len),
            Some(2),
            "{body}"
        );
    }

    // Nothing half-written: each company that exists came with its service lines, its audit
    // entry and its search change, all or none.
    let db = sea_orm::Database::connect(match url {
        Some(url) => url.to_owned(),
        None => format!(
            "sqlite://{}?mode=rw",
            data_dir.path().join("ganbridge.db").display()
        ),
    })
    .await
    .expect("opening the database");
    let companies = scalar(
        &db,
        "SELECT COUNT(*) FROM company WHERE name_en LIKE 'Bulkwrite %'",
    )
    .await;
    assert!(companies >= acknowledged.len() as i64);
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM company c WHERE c.name_en LIKE 'Bulkwrite %' AND (SELECT COUNT(*) FROM company_service_line l WHERE l.company_id = c.id) <> 2").await,
        0,
        "a company without its service lines"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'createCompany'"
        )
        .await,
        companies,
        "companies and their audit entries disagree"
    );
    let _ = db.close().await;

    // The search index catches up with exactly what committed.
    wait_for_hits(&client, &server.address, "Bulkwrite", companies, 60).await;
    eprintln!(
        "SIGKILL during a bulk write: {} acknowledged, {companies} committed, all found and searchable after restart",
        acknowledged.len()
    );
    drop(server);
}

/// Forwards TCP connections from `port` to `upstream` until told to stop, then drops them all.
async fn proxy(port: u16, upstream: String, stop: tokio::sync::watch::Receiver<bool>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("binding the proxy port again");
    let mut stop_accepting = stop.clone();
    loop {
        tokio::select! {
            _ = stop_accepting.changed() => return,
            accepted = listener.accept() => {
                let Ok((mut inbound, _)) = accepted else { continue };
                let upstream = upstream.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        }
    }
}

#[tokio::test]
async fn meilisearch_stopped_and_started_again_under_a_running_server() {
    let Ok(meili) = std::env::var("MEILI_URL") else {
        loud_skip(
            "Meilisearch stopped and started under a running server",
            "MEILI_URL is not set",
        );
        return;
    };
    let upstream = meili
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    // The server reaches Meilisearch through a port this test controls: nothing listens there
    // while the engine is "stopped".
    let port = free_port();
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let index = format!("ganbridge_test_{}", uuid::Uuid::new_v4().simple());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(proxy(port, upstream.clone(), stopped));
    let app = spawn_app_with(false, |s| {
        s.meili_url = Some(format!("http://127.0.0.1:{port}"));
        s.meili_master_key = key.clone().map(secrecy::SecretString::from);
        s.meili_index = index.clone();
    })
    .await;
    let admin = app.key(Role::Admin, None, None).await;
    let create = |n: u32, name: &str| json!({ "input": company_input(n, name, "JIUJIANG", &["DATA_ANALYTICS"], 30) });
    app.data_as(&admin, CREATE_COMPANY, create(7_001, "Lakeside Alpha"))
        .await;
    wait_for_hits(&app.client, &app.address, "Lakeside", 1, 30).await;

    // The engine goes away.
    let _ = stop.send(true);
    running.await.expect("the proxy");
    app.data_as(&admin, CREATE_COMPANY, create(7_002, "Lakeside Beta"))
        .await;
    let search = app
        .graphql("{ search(query: \"Lakeside\") { totalHits } }", json!({}))
        .await;
    assert_eq!(
        search["errors"][0]["extensions"]["code"], "SEARCH_UNAVAILABLE",
        "{search}"
    );
    app.data("{ companies(first: 5) { totalCount } }", json!({}))
        .await;
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["search"]["status"], "unreachable", "{ready}");
    assert!(ready["outbox"]["depth"].as_u64().unwrap() >= 1, "{ready}");

    // It comes back on the same address: the outbox drains, with no restart of Ganbridge.
    let (_restart, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(proxy(port, upstream, stopped));
    wait_for_hits(&app.client, &app.address, "Lakeside", 2, 30).await;
    // The worker acknowledges outbox rows only after the engine has taken them, so hits show a
    // moment before the outbox is empty: it must empty soon after, not at the same instant.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready: Value = app.get("/readyz").await.json().await.unwrap();
        if ready["outbox"]["depth"] == 0 {
            assert_eq!(ready["ready"], true, "{ready}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox did not drain after Meilisearch came back: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = ganbridge::search::meili::MeiliEngine::new(&meili, key.as_deref(), &index)
        .unwrap()
        .drop_index()
        .await;
    app.stop().await;
}

/// Waits until searching `query` among companies at the server at `address` finds `hits`.
async fn wait_for_hits(
    client: &reqwest::Client,
    address: &str,
    query: &str,
    hits: i64,
    within_secs: u64,
) {
    let deadline = Instant::now() + Duration::from_secs(within_secs);
    loop {
        let body: Value = client
            .post(format!("{address}/graphql"))
            .json(&json!({
                "query": "query($q: String!) { search(query: $q, types: [COMPANY], first: 0) { totalHits } }",
                "variables": { "q": query },
            }))
            .send()
            .await
            .expect("sending")
            .json()
            .await
            .expect("a JSON body");
        if body["data"]["search"]["totalHits"] == json!(hits) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "search for {query} never showed {hits} hits: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
