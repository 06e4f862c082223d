//! The `ganbridge` command: parse the command line, load settings, start logging, run.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use ganbridge::app::Application;
use ganbridge::config::Settings;
use ganbridge::services::demo::{self, DemoOutcome};
use ganbridge::{db, graphql, services, telemetry};

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
    /// Apply pending database migrations and exit.
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
}

#[derive(Subcommand)]
enum Dataset {
    /// The demo dataset, into an empty database.
    Demo,
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
                let _ = tokio::signal::ctrl_c().await;
                tracing::info!("shutting down");
            })
            .await
        }
        Command::Migrate => {
            let (db, _) = db::connect(&settings).await?;
            db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed {
            dataset: Dataset::Demo,
        } => {
            let (db, _) = db::connect(&settings).await?;
            db::migrate(&db).await?;
            let outcome = demo::load(&db, ganbridge::domain::today())
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
            services::reference::ensure(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let reference = services::reference::load(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let engine = ganbridge::search::open(&settings).context("opening the search engine")?;
            let started = std::time::Instant::now();
            let count = ganbridge::search::outbox::reindex(&db, &reference, engine.as_ref())
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
        Command::ExportSchema => Ok(()),
    }
}
