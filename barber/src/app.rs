//! Start-up as a value: build, then run until stopped. Tests bind port 0 and read `port()`.

use std::future::IntoFuture;
use std::time::Duration;

use axum::Router;
use platform::auth::JwtKeys;
use platform::shutdown::{self, Shutdown, ShutdownTrigger};
use platform::Config;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::role::Role;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] platform::db::MigrationError),
    #[error(
        "the database's schema is behind this version of barber, and MIGRATE_ON_START is false: \
         run `barber migrate` first"
    )]
    SchemaBehind,
    #[error(transparent)]
    Nats(#[from] platform::nats::NatsError),
    #[error(transparent)]
    Signing(#[from] platform::signing::SigningError),
    #[error("notifications: {0}")]
    Notifications(#[from] notifications::channels::ConfigError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// A running barber process: an HTTP server (when the role serves one) and background roles.
pub struct Application {
    port: u16,
    pool: PgPool,
    trigger: ShutdownTrigger,
    tasks: JoinSet<()>,
}

impl Application {
    /// Connects, migrates, binds and starts every part of `role`.
    pub async fn build(config: Config, role: Role) -> Result<Self, StartError> {
        Self::build_with_clock(config, role, platform::clock::system()).await
    }

    /// [`Application::build`] with the notification worker's clock given (tests move it ahead
    /// instead of waiting for a reminder's hour).
    pub async fn build_with_clock(
        config: Config,
        role: Role,
        clock: std::sync::Arc<dyn platform::clock::Clock>,
    ) -> Result<Self, StartError> {
        // the recorder must exist before the first metric is recorded
        platform::http::metrics_handle();
        if config.migrate_on_start {
            platform::db::ensure_database(&config.database_url).await?;
        }
        let pool_size = config
            .database_pool_size
            .unwrap_or_else(|| role.default_pool_size());
        let pool = platform::db::connect_with_budget(
            &config.database_url,
            pool_size,
            config.database_acquire_timeout,
        )
        .await?;
        // the query routes read from a replica when one is named (never migrated: it follows)
        let replica = match (&config.database_read_url, role.serves_queries()) {
            (Some(url), true) => Some(
                platform::db::connect_with_budget(url, pool_size, config.database_acquire_timeout)
                    .await?,
            ),
            _ => None,
        };
        if config.migrate_on_start {
            platform::db::migrate(&pool).await?;
        } else if !platform::db::schema_is_current(&pool).await? {
            return Err(StartError::SchemaBehind);
        }
        let keys = platform::signing::jwt_keys(&pool, &config).await?;
        let nats = platform::nats::connect(&config.nats_url).await?;
        let (trigger, shutdown) = shutdown::channel();
        let mut tasks = JoinSet::new();

        if role.relays() {
            let relay = relay::Relay::new(&config, pool.clone(), nats.clone());
            let stop = shutdown.clone();
            tasks.spawn(async move {
                if let Err(err) = relay.run(stop).await {
                    tracing::error!(%err, "relay stopped");
                }
            });
        }
        if role.projects() {
            let (config, pool, nats, stop) =
                (config.clone(), pool.clone(), nats.clone(), shutdown.clone());
            tasks.spawn(async move {
                // set-up failures (NATS down, a stream that cannot be created) are retried
                let mut stop = stop;
                while let Err(err) =
                    projections::run(&config, pool.clone(), nats.clone(), stop.clone()).await
                {
                    tracing::error!(%err, "projections cannot start; retrying in 5 s");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(5)) => {}
                        () = stop.wait() => break,
                    }
                }
            });
        }

        // one event store (its cache of aggregates, its wake-up of the relay) for the command
        // routes and the notification worker's records alike
        let store = (role.serves_commands() || role.reminds())
            .then(|| command::store::EventStore::start(pool.clone(), shutdown.clone()));
        if let (true, Some(store)) = (role.reminds(), &store) {
            let worker = notifications::worker::Worker::new(
                &config,
                pool.clone(),
                store.clone(),
                clock.clone(),
            )?;
            tasks.spawn(worker.run(shutdown.clone()));
            tasks.spawn(notifications::webhooks::fanout::run(
                config.clone(),
                pool.clone(),
                nats.clone(),
                shutdown.clone(),
            ));
            let dispatcher = notifications::webhooks::dispatch::Dispatcher::new(
                pool.clone(),
                clock.clone(),
                config.notify.allow_private_webhooks,
                config.notify.poll_interval,
                chrono::Duration::from_std(config.notify.claim)
                    .unwrap_or(chrono::Duration::minutes(2)),
            );
            tasks.spawn(dispatcher.run(shutdown.clone()));
        }

        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                address: config.bind,
                source,
            })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let router = router(
            &config,
            role,
            (keys, clock),
            store,
            Databases {
                primary: pool.clone(),
                replica,
            },
            nats,
            shutdown.clone(),
        );
        let mut stop = shutdown;
        tasks.spawn(async move {
            let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            let server = axum::serve(listener, router)
                .with_graceful_shutdown(async move { stop.wait().await })
                .into_future();
            if let Err(err) = server.await {
                tracing::error!(%err, "HTTP server stopped");
            }
        });
        tracing::info!(?role, port, "barber started");
        Ok(Self {
            port,
            pool,
            trigger,
            tasks,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the application when triggered.
    pub fn stopper(&self) -> ShutdownTrigger {
        self.trigger.clone()
    }

    /// Runs until SIGTERM/Ctrl-C or until a stopper is triggered, then drains.
    pub async fn run_until_stopped(mut self) {
        let mut stopped = self.trigger.subscribe();
        tokio::select! {
            () = shutdown::os_signal() => tracing::info!("shutting down"),
            () = stopped.wait() => {},
        }
        self.trigger.trigger();
        let drain = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(20), drain)
            .await
            .is_err()
        {
            tracing::warn!("tasks did not stop in time");
        }
        self.pool.close().await;
    }
}

/// The databases a process's routes use: the primary, and the replica the query routes read
/// from when `DATABASE_READ_URL` names one.
struct Databases {
    primary: PgPool,
    replica: Option<PgPool>,
}

/// Every HTTP route the role serves, with the common layers.
fn router(
    config: &Config,
    role: Role,
    (keys, clock): (JwtKeys, std::sync::Arc<dyn platform::clock::Clock>),
    store: Option<command::store::EventStore>,
    Databases {
        primary: pool,
        replica,
    }: Databases,
    nats: async_nats::Client,
    shutdown: Shutdown,
) -> Router {
    let directory = crate::directory::Directory::new(pool.clone(), keys.clone());
    let mut api = Router::new();
    if let (true, Some(store)) = (role.serves_commands(), store) {
        let commands = command::http::CommandState {
            store,
            keys: keys.clone(),
            users: command::http::KnownUsers::default(),
            public_url: config.public_url.as_str().into(),
        };
        api = api.merge(command::http::router(commands.clone()));
        api = api.merge(
            notifications::http::router(notifications::http::NotificationsState {
                pool: pool.clone(),
                keys: keys.clone(),
                clock,
                allow_private_webhooks: config.notify.allow_private_webhooks,
            })
            // the same `Idempotency-Key` rules as every command
            .route_layer(axum::middleware::from_fn_with_state(
                commands,
                command::http::idempotency::guard,
            )),
        );
    }
    if role.serves_queries() {
        // a replica hears no NOTIFY: progress is announced on the primary, and checked where
        // the reads are made
        let reads = replica.clone().unwrap_or_else(|| pool.clone());
        let freshness = query::Freshness::start(
            reads.clone(),
            pool.clone(),
            config.min_position_wait,
            shutdown,
        );
        api = api.merge(query::router(query::QueryState {
            pool: reads,
            keys,
            freshness,
            kept: query::Kept::default(),
            answers: query::answers::Answers::default(),
        }));
    }
    // the public booking pages: anyone may call them, so each address gets a quota
    let public =
        platform::rate_limit::RateLimit::per_minute(config.public_requests_per_minute, "/public/");
    let api = api.layer(axum::middleware::from_fn_with_state(
        public,
        platform::rate_limit::limit,
    ));
    let app = Router::new()
        .nest("/api/v1", api)
        .merge(crate::openapi::routes())
        .merge(platform::http::health_routes(platform::http::Probes {
            pool,
            replica,
            nats,
        }))
        .fallback_service(crate::web::WebApp::new(&config.web_dir))
        // after every route: it reaches only the routes registered before it
        .method_not_allowed_fallback(method_not_allowed);
    // a business moved to another deployment is served there
    let app = app.layer(axum::middleware::from_fn_with_state(
        directory,
        crate::directory::forward,
    ));
    let app = app.layer(axum::Extension(platform::client::Forwarding {
        hops: config.forwarded_hops,
    }));
    platform::http::with_common_layers(app)
}

/// A route that exists, asked with a method it does not serve. The router still adds the
/// `Allow` header naming the methods it does serve.
async fn method_not_allowed(method: axum::http::Method) -> platform::ApiError {
    platform::ApiError::client(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("this route does not serve {method}; the Allow header lists what it serves"),
    )
}
