//! The `ganbridge` command as a user runs it.

use std::process::Command;

fn ganbridge() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ganbridge"))
}

/// `ganbridge` on the embedded store and engine, with its data under `dir`.
fn embedded(dir: &std::path::Path) -> Command {
    let mut command = ganbridge();
    command
        .env("GANBRIDGE_DATA_DIR", dir)
        .env_remove("DATABASE_URL")
        .env_remove("MEILI_URL");
    command
}

/// Runs `ganbridge` on the embedded store under `dir`, which must succeed; answers its output.
fn succeeds(dir: &std::path::Path, args: &[&str]) -> String {
    let output = embedded(dir)
        .args(args)
        .output()
        .expect("running ganbridge");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn export_schema_prints_the_committed_sdl() {
    let output = ganbridge()
        .arg("export-schema")
        .output()
        .expect("running ganbridge");
    assert!(output.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        String::from_utf8(output.stdout).unwrap() == committed,
        "export-schema differs from schema.graphql"
    );
}

#[test]
fn seed_demo_loads_once_into_an_empty_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = || succeeds(dir.path(), &["seed", "demo"]);
    let first = run();
    assert!(first.contains("1056 companies"), "{first}");
    assert!(dir.path().join("ganbridge.db").exists());
    let second = run();
    assert!(second.contains("already holds 1056 companies"), "{second}");
}

#[test]
fn a_bad_configuration_is_reported_not_panicked() {
    let output = ganbridge()
        .arg("migrate")
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("running ganbridge");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("connecting to PostgreSQL"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn reindex_rebuilds_the_embedded_index_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| succeeds(dir.path(), args);
    run(&["seed", "demo"]);
    let outbox = |dir: &std::path::Path| outbox_rows(&dir.join("ganbridge.db"));
    assert_eq!(
        outbox(dir.path()),
        1103,
        "loading the demo queues its documents"
    );
    let out = run(&["reindex"]);
    // 1,056 companies, 36 tenders and 11 parks.
    assert!(out.contains("rebuilt on embedded: 1103 documents"), "{out}");
    assert!(dir.path().join("search").is_dir());
    // The rebuild covered what was queued: no server replays it.
    assert_eq!(outbox(dir.path()), 0);
}

#[test]
fn statistics_verify_finds_a_tampered_rollup_and_rebuild_mends_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = embedded(dir.path())
            .args(args)
            .output()
            .expect("running ganbridge");
        (
            output.status.success(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["seed", "demo"]);
    assert!(ok, "{err}");
    assert!(out.contains("1056 companies"), "{out}");
    let (ok, out, err) = run(&["statistics", "verify"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("match the records"), "{out}");
    // One increment lost: 2014's Nanchang row one company short.
    let changed = on_sqlite(
        &dir.path().join("ganbridge.db"),
        "UPDATE statistics_rollup SET companies = companies - 1 \
         WHERE year = 2014 AND scope = 'district' \
         AND member = (SELECT id FROM district WHERE code = 'nanchang')",
        false,
    );
    assert_eq!(changed, 1);
    let (ok, out, err) = run(&["statistics", "verify"]);
    assert!(!ok, "a difference is a failure: {out}");
    assert!(out.starts_with("2014 district "), "{out}");
    assert!(err.contains("1 statistics rollup row(s) differ"), "{err}");
    let (ok, out, err) = run(&["statistics", "rebuild"]);
    assert!(ok, "{err}");
    assert!(out.contains("rebuilt from the records"), "{out}");
    let (ok, out, err) = run(&["statistics", "verify"]);
    assert!(ok, "{out}{err}");
}

#[test]
fn migrate_writes_the_releases_of_tenders_from_before_releases_were_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ganbridge.db");
    let run = |args: &[&str]| succeeds(dir.path(), args);
    run(&["seed", "demo"]);
    let releases =
        |db: &std::path::Path| on_sqlite(db, "SELECT COUNT(*) AS n FROM tender_release", true);
    let seeded = releases(&db);
    assert!(seeded > 0);
    // As a database from before releases were kept: no release at all.
    on_sqlite(&db, "DELETE FROM tender_release", false);
    on_sqlite(
        &db,
        "UPDATE tender_release_clock SET last_seq = 0, last_released_at = NULL",
        false,
    );
    assert_eq!(releases(&db), 0);
    run(&["migrate"]);
    assert_eq!(releases(&db), seeded, "one release per tender again");
    run(&["migrate"]);
    assert_eq!(releases(&db), seeded, "and only once");
}

/// Runs `sql` on the SQLite database at `path`: a change (answering the rows it changed) or,
/// with `count`, a query of one `n` column (answering it).
fn on_sqlite(path: &std::path::Path, sql: &str, count: bool) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sea_orm::ConnectionTrait;
        let db = sea_orm::Database::connect(format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let n = if count {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Sqlite,
                    sql,
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get("", "n").unwrap()
        } else {
            let changed = db.execute_unprepared(sql).await.unwrap().rows_affected();
            i64::try_from(changed).unwrap()
        };
        db.close().await.unwrap();
        n
    })
}

/// Rows in the search outbox of the SQLite database at `path`.
fn outbox_rows(path: &std::path::Path) -> i64 {
    on_sqlite(path, "SELECT COUNT(*) AS n FROM search_outbox", true)
}

#[tokio::test]
async fn keys_are_created_listed_and_revoked_on_the_command_line_and_work_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        embedded(dir.path())
            .args(args)
            .output()
            .expect("running ganbridge")
    };
    let created = run(&[
        "keys",
        "create",
        "--role",
        "admin",
        "--name",
        "Department of Commerce",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let stdout = String::from_utf8(created.stdout).unwrap();
    // The key is alone on the last line, for scripts: `ganbridge keys create ... | tail -1`.
    let key = stdout.lines().last().unwrap().to_owned();
    assert!(key.starts_with("gbk_") && !key.contains(' '), "{stdout}");
    let id = stdout
        .split_whitespace()
        .nth(3)
        .expect("the key's ID on the first line")
        .to_owned();

    // The key works against a server on that data directory.
    let app = crate::helpers::spawn_app_with(false, |s| {
        s.data_dir = dir.path().to_path_buf();
        s.database_url = None;
    })
    .await;
    let (status, body) = app
        .graphql_as(Some(&key), "{ viewer { role } }", serde_json::json!({}))
        .await;
    assert_eq!(
        (status, &body["data"]["viewer"]["role"]),
        (200, &serde_json::json!("ADMIN")),
        "{body}"
    );

    let bad = run(&["keys", "create", "--role", "company", "--name", "x"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("a company key must name its company"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let bad = run(&["keys", "create", "--role", "owner", "--name", "x"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'owner' is not a role"));

    let revoked = run(&["keys", "revoke", &id]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let listed = String::from_utf8(run(&["keys", "list"]).stdout).unwrap();
    let line = listed
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("the key listed");
    assert!(
        line.contains("admin") && line.contains("revoked"),
        "{listed}"
    );
    assert!(!listed.contains(&key), "a list never shows a key");
    let (status, _) = app
        .graphql_as(Some(&key), "{ viewer { role } }", serde_json::json!({}))
        .await;
    assert_eq!(status, 401);
}

#[test]
fn check_config_reaches_each_service_and_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let good = embedded(dir.path())
        .arg("check-config")
        .output()
        .expect("running ganbridge");
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(
        good.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(stdout.contains("ok   database"), "{stdout}");
    assert!(stdout.contains("ok   search"), "{stdout}");

    let bad = ganbridge()
        .arg("check-config")
        .env("GANBRIDGE_DATA_DIR", dir.path())
        .env("GANBRIDGE_LISTEN", "everywhere")
        .env("GANBRIDGE_QUOTA_ANONYMOUS", "0")
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("MEILI_URL", "http://127.0.0.1:1")
        .env("MEILI_MASTER_KEY", "a-key-long-enough-for-meilisearch")
        .output()
        .expect("running ganbridge");
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success());
    for line in ["FAIL listen", "FAIL limits", "FAIL database", "FAIL search"] {
        assert!(stdout.contains(line), "missing '{line}' in:\n{stdout}");
    }
    assert!(stdout.contains("every quota must be above 0"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("4 check(s) failed"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn slow_statements_are_logged_with_their_sql() {
    let dir = tempfile::tempdir().unwrap();
    let run = |slow_ms: &str| {
        let output = ganbridge()
            .arg("migrate")
            .env("GANBRIDGE_DATA_DIR", dir.path())
            .env("GANBRIDGE_SLOW_QUERY_MS", slow_ms)
            .env("GANBRIDGE_LOG_FORMAT", "json")
            .env_remove("DATABASE_URL")
            .output()
            .expect("running ganbridge");
        assert!(output.status.success());
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    // Every statement is "slow" at 0 ms: the migrations' DDL is logged.
    let logged = run("0");
    assert!(logged.contains("slow statement"), "{logged}");
    assert!(logged.contains("CREATE TABLE"), "{logged}");
    // At the default threshold, a migration on an empty SQLite file logs none.
    let quiet = run("60000");
    assert!(!quiet.contains("slow statement"), "{quiet}");
}
