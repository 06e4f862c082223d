//! The `ganbridge` command: parse the command line, load settings, start logging, run.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use ganbridge::app::Application;
use ganbridge::config::Settings;
use ganbridge::domain::global_id::{self, Kind};
use ganbridge::domain::{Actor, Role};
use ganbridge::error::AppError;
use ganbridge::events::EventBus;
use ganbridge::seed::{self, DemoOutcome};
use ganbridge::services::access::{self, NewKey};
use ganbridge::services::write::Writer;
use ganbridge::{db, graphql, services, telemetry};

/// A GraphQL server allocates and frees many small objects per request; mimalloc does that with
/// far less contention and bookkeeping than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ganbridge",
    version,
    about = "Jiangxi's public service-outsourcing information platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// Address to listen on [env: GANBRIDGE_LISTEN] [default: 127.0.0.1:8080]
        #[arg(long)]
        listen: Option<String>,
        /// Do not load the demo dataset into an empty database.
        #[arg(long)]
        no_demo: bool,
    },
    /// Apply pending database migrations, write what they derive from the records (rollups,
    /// the releases of earlier tenders), and exit.
    Migrate,
    /// Load a dataset.
    Seed {
        #[command(subcommand)]
        dataset: Dataset,
    },
    /// Print the GraphQL schema (SDL).
    ExportSchema,
    /// Rebuild the search index from the database (on Meilisearch, into a new index swapped in
    /// when complete, so searches keep answering).
    Reindex,
    /// Validate the configuration and reach the database and the search engine.
    CheckConfig,
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Check or rebuild the statistics rollups.
    Statistics {
        #[command(subcommand)]
        command: StatisticsCommand,
    },
}

#[derive(Subcommand)]
enum StatisticsCommand {
    /// Recompute every figure from the records and report any difference from the kept
    /// rollups; fails when there is one.
    Verify,
    /// Rebuild the rollups from the records, in one transaction.
    Rebuild,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key; it is printed once, alone on the last line, and never stored.
    Create {
        /// admin, company, counterpart or partner.
        #[arg(long)]
        role: String,
        /// For a company key: the company's global ID.
        #[arg(long)]
        company: Option<String>,
        /// For a counterpart key: the counterpart's global ID.
        #[arg(long)]
        counterpart: Option<String>,
        /// What the key is for.
        #[arg(long)]
        name: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by its global ID.
    Revoke { id: String },
}

#[derive(Subcommand)]
enum Dataset {
    /// The demo dataset, into an empty database.
    Demo,
    /// A synthetic dataset at scale, for benchmarks, into an empty database; the search index is
    /// rebuilt after it. The same size always gives the same data.
    Synthetic {
        /// How many companies (with N/10 tenders and N/100 alliances).
        #[arg(long, default_value_t = 10_000)]
        companies: usize,
    },
}

/// Rebuilds the search index from the database and says how long it took.
async fn reindex(settings: &Settings, db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    services::reference::ensure(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let reference = services::reference::load(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let engine = ganbridge::search::open(settings).context("opening the search engine")?;
    let started = std::time::Instant::now();
    let count = ganbridge::services::sync::reindex(db, &reference, engine.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("rebuilding the search index")?;
    println!(
        "search index rebuilt on {}: {count} documents in {:.1} s",
        engine.name(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM, the signal service managers and container engines
/// stop a process with.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "SIGTERM cannot be handled; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve {
        listen: None,
        no_demo: false,
    });
    if let Command::ExportSchema = command {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    let mut settings = Settings::load().context("reading the configuration")?;
    telemetry::init(settings.log_format);
    match command {
        Command::Serve { listen, no_demo } => {
            if let Some(listen) = listen {
                settings.listen = listen;
            }
            if no_demo {
                settings.demo = false;
            }
            let app = Application::build(&settings).await?;
            tracing::info!(address = %app.address(), "serving GraphQL at http://{}/graphql", app.address());
            app.run_until(async {
                terminated().await;
                tracing::info!("shutting down");
            })
            .await
        }
        Command::Migrate => {
            let (db, _) = db::connect(&settings).await?;
            db::migrate(&db).await?;
            ganbridge::app::derive_missing(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed {
            dataset: Dataset::Synthetic { companies },
        } => {
            let (db, _) = db::connect(&settings).await?;
            db::migrate(&db).await?;
            let started = std::time::Instant::now();
            let outcome = seed::load_synthetic(
                &db,
                ganbridge::domain::today(),
                companies,
                &ganbridge::app::ocid_prefix(&settings)?,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .context("loading the synthetic dataset")?;
            match outcome {
                DemoOutcome::Loaded {
                    companies,
                    certifications,
                    tenders,
                } => println!(
                    "synthetic dataset loaded: {companies} companies, {certifications} certifications, {tenders} tenders in {:.1} s",
                    started.elapsed().as_secs_f64()
                ),
                DemoOutcome::AlreadyPopulated { companies } => {
                    println!(
                        "the database already holds {companies} companies; the synthetic dataset was not loaded"
                    );
                    return Ok(());
                }
            }
            // Statistics for the planner before anything reads the new rows at scale; the
            // database's own analysis would come later.
            if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
                use sea_orm::ConnectionTrait;
                db.execute_unprepared("ANALYZE")
                    .await
                    .context("analyzing the loaded tables")?;
            }
            reindex(&settings, &db).await
        }
        Command::Seed {
            dataset: Dataset::Demo,
        } => {
            let (db, _) = db::connect(&settings).await?;
            db::migrate(&db).await?;
            let outcome = seed::load(
                &db,
                ganbridge::domain::today(),
                &ganbridge::app::ocid_prefix(&settings)?,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .context("loading the demo dataset")?;
            match outcome {
                DemoOutcome::Loaded {
                    companies,
                    certifications,
                    tenders,
                } => println!(
                    "demo dataset loaded: {companies} companies, {certifications} certifications, {tenders} tenders"
                ),
                DemoOutcome::AlreadyPopulated { companies } => {
                    println!(
                        "the database already holds {companies} companies; the demo dataset was not loaded"
                    )
                }
            }
            Ok(())
        }
        Command::Reindex => {
            let (db, _) = db::connect(&settings).await?;
            db::migrate(&db).await?;
            reindex(&settings, &db).await
        }
        Command::Keys { command } => keys(&settings, command).await,
        Command::Statistics { command } => statistics(&settings, command).await,
        Command::CheckConfig => {
            let checks = ganbridge::check::run(&settings).await;
            for c in &checks {
                println!(
                    "{:<4} {:<15} {}",
                    if c.ok { "ok" } else { "FAIL" },
                    c.name,
                    c.message
                );
            }
            let failed = checks.iter().filter(|c| !c.ok).count();
            if failed > 0 {
                anyhow::bail!("{failed} check(s) failed");
            }
            Ok(())
        }
        Command::ExportSchema => Ok(()),
    }
}

async fn statistics(settings: &Settings, command: StatisticsCommand) -> anyhow::Result<()> {
    use ganbridge::services::rollup;
    let (db, _) = db::connect(settings).await?;
    db::migrate(&db).await?;
    let started = std::time::Instant::now();
    match command {
        StatisticsCommand::Rebuild => {
            let rows = rollup::rebuild_all(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))
                .context("rebuilding the statistics rollups")?;
            println!(
                "statistics rollups rebuilt from the records: {rows} rows in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        StatisticsCommand::Verify => {
            let built = rollup::rebuilt_at(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let differences = rollup::verify(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))
                .context("verifying the statistics rollups")?;
            let seconds = started.elapsed().as_secs_f64();
            if differences.is_empty() {
                println!(
                    "statistics rollups match the records ({}, checked in {seconds:.1} s)",
                    built.map_or("never rebuilt".to_owned(), |t| format!("last rebuilt {t}"))
                );
                return Ok(());
            }
            for d in differences.iter().take(50) {
                let (scope, member) = d.scope.column();
                println!(
                    "{} {scope} {member}: kept {:?}, records {:?}",
                    d.year, d.kept, d.recomputed
                );
            }
            anyhow::bail!(
                "{} statistics rollup row(s) differ from the records; `ganbridge statistics rebuild` rebuilds them",
                differences.len()
            )
        }
    }
}

fn global_id(id: &str, kind: Kind, what: &str) -> anyhow::Result<i64> {
    match global_id::decode(id) {
        Some((found, number)) if found == kind => Ok(number),
        _ => anyhow::bail!("'{id}' is not the global ID of a {what}"),
    }
}

fn user_error(error: AppError) -> anyhow::Error {
    let error: async_graphql::Error = error.into();
    anyhow::anyhow!(error.message)
}

async fn keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    let (db, _) = db::connect(settings).await?;
    db::migrate(&db).await?;
    // The command line acts as the Department of Commerce; its changes are audited as such.
    let events = EventBus::new(false);
    let wake = tokio::sync::Notify::new();
    let ocid_prefix = ganbridge::app::ocid_prefix(settings)?;
    let writer = Writer {
        db: &db,
        actor: Actor::CLI_ADMIN,
        events: &events,
        search_wake: &wake,
        claim: None,
        ocid_prefix: &ocid_prefix,
    };
    match command {
        KeysCommand::Create {
            role,
            company,
            counterpart,
            name,
        } => {
            let role = match role.to_ascii_lowercase().as_str() {
                "admin" => Role::Admin,
                "company" => Role::Company,
                "counterpart" => Role::Counterpart,
                "partner" => Role::Partner,
                other => anyhow::bail!(
                    "'{other}' is not a role: use admin, company, counterpart or partner"
                ),
            };
            let new = NewKey {
                name,
                role,
                company_id: company
                    .map(|id| global_id(&id, Kind::Company, "company"))
                    .transpose()?,
                counterpart_id: counterpart
                    .map(|id| global_id(&id, Kind::Counterpart, "counterpart"))
                    .transpose()?,
            };
            let created = access::create(&writer, new).await.map_err(user_error)?;
            println!(
                "created {} key {} ({}); it is shown once and cannot be recovered:",
                role_name(created.record.role),
                global_id::encode(Kind::ApiKey, created.record.id),
                created.record.name
            );
            println!("{}", created.secret);
        }
        KeysCommand::List => {
            let all = access::all(&db).await.map_err(user_error)?;
            println!(
                "{:<20} {:<12} {:<11} {:<20} {:<10} name",
                "id", "role", "prefix", "bound to", "state"
            );
            for key in all {
                let bound = key
                    .company_id
                    .map(|id| global_id::encode(Kind::Company, id))
                    .or(key
                        .counterpart_id
                        .map(|id| global_id::encode(Kind::Counterpart, id)))
                    .unwrap_or_else(|| "-".into());
                let state = if key.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<20} {:<12} {:<11} {:<20} {:<10} {}",
                    global_id::encode(Kind::ApiKey, key.id),
                    role_name(key.role),
                    key.prefix,
                    bound,
                    state,
                    key.name
                );
            }
        }
        KeysCommand::Revoke { id } => {
            let number = global_id(&id, Kind::ApiKey, "key")?;
            let key = access::revoke(&writer, number).await.map_err(user_error)?;
            println!("revoked key {id} ({})", key.name);
        }
    }
    Ok(())
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Company => "company",
        Role::Counterpart => "counterpart",
        Role::Partner => "partner",
    }
}
