//! `barber [all|command|query|relay|project|remind|migrate [--wait]|rebuild <projection>|seed|bench|audit export|tenant move]`

use std::process::ExitCode;
use std::time::Duration;

use barber::{Application, Role};
use platform::Config;

/// mimalloc, not glibc's malloc: building a calendar answer of many small strings spent a third
/// of its time in glibc's allocator (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: barber [all|command|query|relay|project|remind|migrate [--wait]|rebuild <projection>|seed|bench [url] [seconds] [samples]|audit export --business <id> [--since RFC3339]|tenant move --business <id> --to <DATABASE_URL> --home <URL>]";

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("barber: {err}");
            return ExitCode::from(2);
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let role = args.first().map(String::as_str).unwrap_or("all");
    let telemetry = platform::telemetry::init(config.log_format, &format!("barber-{role}"));
    let result = match args.first().map(String::as_str).unwrap_or("all") {
        "all" => serve(config, Role::All).await,
        "command" => serve(config, Role::Command).await,
        "query" => serve(config, Role::Query).await,
        "relay" => serve(config, Role::Relay).await,
        "project" => serve(config, Role::Project).await,
        "remind" => serve(config, Role::Remind).await,
        "migrate" => match args.get(1).map(String::as_str) {
            None => migrate(&config).await,
            Some("--wait") => {
                platform::db::wait_for_schema(&config.database_url, Duration::from_secs(2)).await;
                tracing::info!("the schema is current");
                Ok(())
            }
            Some(other) => Err(format!("unknown option {other:?}\n{USAGE}")),
        },
        "rebuild" => match args.get(1) {
            Some(name) => rebuild(&config, name).await,
            None => Err(format!(
                "name a projection to rebuild: {}",
                projections::names().join(", ")
            )),
        },
        "seed" => seed(&config).await,
        "bench" => bench(&args[1..]).await,
        "audit" => audit(&config, &args[1..]).await,
        "tenant" => tenant(&config, &args[1..]).await,
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown role {other:?}\n{USAGE}")),
    };
    telemetry.shutdown();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("barber: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config, role: Role) -> Result<(), String> {
    let app = Application::build(config, role)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until_stopped().await;
    Ok(())
}

async fn pool(config: &Config) -> Result<sqlx::PgPool, String> {
    platform::db::ensure_database(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let pool = platform::db::connect(&config.database_url, 5)
        .await
        .map_err(|e| e.to_string())?;
    platform::db::migrate(&pool)
        .await
        .map_err(|e| e.to_string())?;
    Ok(pool)
}

async fn migrate(config: &Config) -> Result<(), String> {
    pool(config).await?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn rebuild(config: &Config, name: &str) -> Result<(), String> {
    let pool = pool(config).await?;
    let started = std::time::Instant::now();
    let report = projections::rebuild_with_progress(&pool, name, |progress| {
        eprint!(
            "\r{}",
            barber::progress_bar::render(name, progress, started.elapsed())
        );
    })
    .await
    .map_err(|e| e.to_string())?;
    eprintln!();
    tracing::info!(?report, projection = name, "rebuilt");
    println!("rebuilt {name}: {report:?}");
    Ok(())
}

async fn bench(args: &[String]) -> Result<(), String> {
    let base = args
        .first()
        .map(String::as_str)
        .unwrap_or("http://127.0.0.1:8080");
    let seconds = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let samples = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    let appointments = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    // `BENCH_ONLY=reads`: only the read side at size, for working on it
    let report = if std::env::var("BENCH_ONLY").as_deref() == Ok("reads") {
        let report = barber::bench::reads_only(base, samples, appointments).await;
        report.map(|r| serde_json::to_value(r).unwrap_or_default())
    } else {
        let report = barber::bench::run(base, seconds, samples, appointments).await;
        report.map(|r| serde_json::to_value(r).unwrap_or_default())
    }
    .map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}

/// `barber audit export`: the history on standard output, the count on standard error.
async fn audit(config: &Config, args: &[String]) -> Result<(), String> {
    let export = barber::audit::Export::from_args(args)?;
    let pool = pool(config).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = export.run(&pool, &mut out).await?;
    eprintln!(
        "exported {written} events of business {}",
        export.business_id
    );
    Ok(())
}

/// `barber tenant move`: one business to another deployment, step by step on standard error.
async fn tenant(config: &Config, args: &[String]) -> Result<(), String> {
    let request = barber::tenant::Move::from_args(args)?;
    let source = pool(config).await?;
    platform::db::ensure_database(&request.to)
        .await
        .map_err(|e| format!("the target database: {e}"))?;
    let target = platform::db::connect(&request.to, 5)
        .await
        .map_err(|e| format!("the target database: {e}"))?;
    platform::db::migrate(&target)
        .await
        .map_err(|e| format!("the target database: {e}"))?;
    let moved = request
        .run(&source, &target, |step| eprintln!("{step}"))
        .await?;
    println!(
        "moved business {} to {}: {} events, {}",
        request.business_id,
        request.home,
        moved.events,
        moved.rows_listed()
    );
    Ok(())
}

async fn seed(config: &Config) -> Result<(), String> {
    let pool = pool(config).await?;
    let (stop, shutdown) = platform::shutdown::channel();
    let store = command::store::EventStore::start(pool, shutdown);
    let seeded = barber::seed::seed(config, &store)
        .await
        .map_err(|e| e.to_string())?;
    stop.trigger();
    let verb = if seeded.created {
        "created"
    } else {
        "already there"
    };
    println!(
        "demo business {verb}: log in with {} / {}",
        barber::seed::DEMO_EMAIL,
        barber::seed::DEMO_PASSWORD
    );
    Ok(())
}
