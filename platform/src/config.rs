//! Settings, read once from the environment with working local defaults.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An identity provider whose tokens are accepted beside barber's own, mapped to a login by
/// their `email` claim (`platform::identity`).
#[derive(Debug, Clone)]
pub enum ExternalIdentity {
    /// An OpenID Connect provider: `OIDC_ISSUER`, `OIDC_JWKS_URL` (its signing keys) and
    /// `OIDC_AUDIENCE` (the client id its tokens name).
    Oidc {
        issuer: String,
        jwks_url: String,
        audience: String,
    },
    /// Supabase Auth (or any provider signing with a shared secret): `SUPABASE_JWT_SECRET`
    /// (HS256), `SUPABASE_JWT_AUDIENCE` (default `authenticated`), and `SUPABASE_JWT_ISSUER`
    /// (checked when set).
    SharedSecret {
        secret: Secret,
        audience: String,
        issuer: Option<String>,
    },
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// `DATABASE_READ_URL`: the Postgres the query role reads from, e.g. a streaming replica of
    /// `DATABASE_URL`'s; unset, it reads from `DATABASE_URL`. A replica may lag: `min_position`
    /// waits on the replica's own checkpoints, so a read is never answered fresh early.
    pub database_read_url: Option<String>,
    /// `MIGRATE_ON_START` (default true): a serving process brings the schema up to date as it
    /// starts. False, it only checks that the schema is current and refuses to start if not
    /// (a cluster where `barber migrate` runs as a job before the roles, and the roles' database
    /// user may not change the schema).
    pub migrate_on_start: bool,
    pub nats_url: String,
    pub bind: SocketAddr,
    /// The JetStream stream holding this deployment's events.
    pub events_stream: String,
    /// `EVENTS_STREAM_REPLICAS` (default 1): the copies of the events stream a JetStream cluster
    /// keeps (3 on a three-node cluster).
    pub events_stream_replicas: usize,
    /// The subject prefix of this deployment's events.
    pub nats_prefix: String,
    /// `JWT_SECRET`; when unset, the secret drawn once and kept in the database is used
    /// ([`crate::signing`]): there is no built-in default anyone could read.
    pub jwt_secret: Option<Secret>,
    /// `JWT_PREVIOUS_SECRET`: the secret tokens were signed with before `JWT_SECRET` was
    /// rotated; they are still taken until they run out (none by default).
    pub jwt_previous_secret: Option<Secret>,
    pub jwt_ttl: Duration,
    pub log_format: LogFormat,
    /// The relay's backstop when no notification arrives.
    pub relay_poll_interval: Duration,
    /// How long the active relay's database session may go silent (a hung process, a host that
    /// vanished) before Postgres ends it, which frees the relay lock for a standby.
    pub relay_session_timeout: Duration,
    /// How long a GET with `min_position` waits for the projections before answering stale.
    pub min_position_wait: Duration,
    /// `FORWARDED_HOPS`: how many proxies in front append to `X-Forwarded-For` (0: none, the
    /// connection's peer is the client; see `platform::client`).
    pub forwarded_hops: usize,
    /// `PUBLIC_URL`: where people reach the web app, without a trailing slash; the links barber
    /// hands out (an invitation, a password reset) start with it.
    pub public_url: String,
    /// Tokens of an identity provider accepted beside barber's own (none by default).
    pub external_identity: Option<ExternalIdentity>,
    /// `PUBLIC_REQUESTS_PER_MINUTE`: how many requests one client address may make to the
    /// public booking pages (`/api/v1/public/…`) a minute, per process (default 120).
    pub public_requests_per_minute: u32,
    /// How customers are told about their appointments (`barber remind`).
    pub notify: NotifySettings,
    /// `DATABASE_POOL_SIZE`: the most connections this process opens to Postgres; unset, the
    /// role's own default (`barber::Role::default_pool_size`). Every process's pool must fit
    /// Postgres's `max_connections` (or a pooler's) together: see docs/operations.md.
    pub database_pool_size: Option<u32>,
    /// `DATABASE_ACQUIRE_TIMEOUT_MS`: how long a request waits for a free connection before it
    /// is answered 503 `service_busy` with `Retry-After` (default 5000).
    pub database_acquire_timeout: Duration,
    /// `WEB_DIR`: the web app's build (`web/dist`, made by `make web`), served at every path
    /// outside `/api`; relative to the working directory.
    pub web_dir: std::path::PathBuf,
}

/// The notification worker's settings. A channel left unset sends nothing: its messages are
/// marked skipped, with the reason, in the shop's list.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// `SMTP_URL`, e.g. `smtp://127.0.0.1:1025`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host`.
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`: the sender of customers' emails (default `barber <bookings@localhost>`).
    pub mail_from: String,
    /// `SMS_API_URL`, `SMS_ACCOUNT_SID`, `SMS_AUTH_TOKEN`, `SMS_FROM`: an SMS provider speaking
    /// Twilio's Messages API (all four, or none).
    pub sms: Option<SmsSettings>,
    /// `NOTIFY_POLL_MS`: how often the worker looks for messages that are due (default 1000).
    pub poll_interval: Duration,
    /// `NOTIFY_CLAIM_MS`: how long a worker holds a message it is sending before another may
    /// take it over (default 120000: above a send's own timeouts).
    pub claim: Duration,
    /// `WEBHOOKS_ALLOW_PRIVATE`: webhook endpoints may be on private and loopback addresses,
    /// and `http://` (a self-hosted shop's own tools; tests). Default false.
    pub allow_private_webhooks: bool,
}

/// An SMS provider speaking Twilio's Messages API.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    pub api_url: String,
    pub account_sid: String,
    pub auth_token: Secret,
    /// A phone number in E.164, or a messaging service's id (`MG…`).
    pub from: String,
}

/// A setting that is present but unusable.
#[derive(Debug, thiserror::Error)]
#[error("invalid {name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the environment; unset variables take their documented defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings from any lookup (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str, default: &str| lookup(name).unwrap_or_else(|| default.to_owned());
        let parse_ms = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match lookup(name) {
                None => Ok(Duration::from_millis(default)),
                Some(v) => v
                    .parse()
                    .map(Duration::from_millis)
                    .map_err(|_| ConfigError {
                        name,
                        reason: format!("{v:?} is not a number of milliseconds"),
                    }),
            }
        };
        let bind = get("BIND", "0.0.0.0:8080");
        let log_format = match get("LOG_FORMAT", "text").as_str() {
            "json" => LogFormat::Json,
            "text" => LogFormat::Text,
            other => {
                return Err(ConfigError {
                    name: "LOG_FORMAT",
                    reason: format!("{other:?} is neither text nor json"),
                })
            }
        };
        let jwt_ttl_seconds: u64 =
            get("JWT_TTL_SECONDS", "900")
                .parse()
                .map_err(|_| ConfigError {
                    name: "JWT_TTL_SECONDS",
                    reason: "not a number of seconds".into(),
                })?;
        Ok(Self {
            database_url: get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/barber"),
            database_read_url: lookup("DATABASE_READ_URL").filter(|v| !v.trim().is_empty()),
            migrate_on_start: flag(&lookup, "MIGRATE_ON_START", true)?,
            nats_url: get("NATS_URL", "nats://127.0.0.1:4222"),
            bind: bind.parse().map_err(|_| ConfigError {
                name: "BIND",
                reason: format!("{bind:?} is not host:port"),
            })?,
            events_stream: get("EVENTS_STREAM", "BARBER_EVENTS"),
            events_stream_replicas: get("EVENTS_STREAM_REPLICAS", "1")
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| ConfigError {
                    name: "EVENTS_STREAM_REPLICAS",
                    reason: "not a number of replicas from 1 to 5".into(),
                })?,
            nats_prefix: get("NATS_PREFIX", "barber"),
            jwt_secret: match lookup("JWT_SECRET") {
                None => None,
                Some(secret) if secret.is_empty() => {
                    return Err(ConfigError {
                        name: "JWT_SECRET",
                        reason: "empty; unset it to use the secret kept in the database".into(),
                    })
                }
                Some(secret) => Some(Secret::new(secret)),
            },
            jwt_previous_secret: lookup("JWT_PREVIOUS_SECRET")
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            jwt_ttl: Duration::from_secs(jwt_ttl_seconds),
            log_format,
            relay_poll_interval: parse_ms("RELAY_POLL_INTERVAL_MS", 500)?,
            relay_session_timeout: parse_ms("RELAY_SESSION_TIMEOUT_MS", 20_000)?,
            min_position_wait: parse_ms("MIN_POSITION_WAIT_MS", 5000)?,
            forwarded_hops: get("FORWARDED_HOPS", "0")
                .parse()
                .map_err(|_| ConfigError {
                    name: "FORWARDED_HOPS",
                    reason: "not a number of proxies".into(),
                })?,
            public_url: get("PUBLIC_URL", "http://localhost:8080")
                .trim_end_matches('/')
                .to_owned(),
            external_identity: external_identity(&lookup)?,
            web_dir: get("WEB_DIR", "web/dist").into(),
            database_pool_size: match lookup("DATABASE_POOL_SIZE") {
                None => None,
                Some(v) => {
                    Some(
                        v.parse()
                            .ok()
                            .filter(|n: &u32| *n >= 2)
                            .ok_or_else(|| ConfigError {
                                name: "DATABASE_POOL_SIZE",
                                reason: format!(
                                    "{v:?} is not a number of connections of at least 2"
                                ),
                            })?,
                    )
                }
            },
            database_acquire_timeout: parse_ms("DATABASE_ACQUIRE_TIMEOUT_MS", 5000)?,
            notify: NotifySettings {
                smtp_url: lookup("SMTP_URL").filter(|v| !v.trim().is_empty()),
                mail_from: get("MAIL_FROM", "barber <bookings@localhost>"),
                sms: sms_settings(&lookup)?,
                poll_interval: parse_ms("NOTIFY_POLL_MS", 1000)?,
                claim: parse_ms("NOTIFY_CLAIM_MS", 120_000)?,
                allow_private_webhooks: flag(&lookup, "WEBHOOKS_ALLOW_PRIVATE", false)?,
            },
            public_requests_per_minute: get("PUBLIC_REQUESTS_PER_MINUTE", "120")
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError {
                    name: "PUBLIC_REQUESTS_PER_MINUTE",
                    reason: "not a number of requests above 0".into(),
                })?,
        })
    }
}

/// A yes-or-no setting: `true`/`1` or `false`/`0`, `default` when unset.
fn flag(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match lookup(name).as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => Err(ConfigError {
            name,
            reason: format!("{other:?} is neither true nor false"),
        }),
    }
}

/// The SMS provider the environment configures: all four settings, or none.
fn sms_settings(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<SmsSettings>, ConfigError> {
    let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    match [
        set("SMS_API_URL"),
        set("SMS_ACCOUNT_SID"),
        set("SMS_AUTH_TOKEN"),
        set("SMS_FROM"),
    ] {
        [None, None, None, None] => Ok(None),
        [Some(api_url), Some(account_sid), Some(token), Some(from)] => Ok(Some(SmsSettings {
            api_url: api_url.trim_end_matches('/').to_owned(),
            account_sid,
            auth_token: Secret::new(token),
            from,
        })),
        _ => Err(ConfigError {
            name: "SMS_API_URL",
            reason: "set all of SMS_API_URL, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM, or none"
                .into(),
        }),
    }
}

/// The identity provider the environment configures, if any: OIDC needs all three of its
/// settings, and only one provider may be set.
fn external_identity(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<ExternalIdentity>, ConfigError> {
    let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let oidc = [
        set("OIDC_ISSUER"),
        set("OIDC_JWKS_URL"),
        set("OIDC_AUDIENCE"),
    ];
    let supabase = set("SUPABASE_JWT_SECRET");
    match (oidc, supabase) {
        ([None, None, None], None) => Ok(None),
        ([Some(issuer), Some(jwks_url), Some(audience)], None) => {
            Ok(Some(ExternalIdentity::Oidc {
                issuer,
                jwks_url,
                audience,
            }))
        }
        ([None, None, None], Some(secret)) => Ok(Some(ExternalIdentity::SharedSecret {
            secret: Secret::new(secret),
            audience: set("SUPABASE_JWT_AUDIENCE").unwrap_or_else(|| "authenticated".into()),
            issuer: set("SUPABASE_JWT_ISSUER"),
        })),
        ([_, _, _], Some(_)) => Err(ConfigError {
            name: "SUPABASE_JWT_SECRET",
            reason: "set either the OIDC_* settings or SUPABASE_JWT_SECRET, not both".into(),
        }),
        _ => Err(ConfigError {
            name: "OIDC_ISSUER",
            reason: "OIDC_ISSUER, OIDC_JWKS_URL and OIDC_AUDIENCE go together".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_work_on_a_local_machine() {
        let config = Config::from_lookup(|_| None).expect("defaults parse");
        assert_eq!(config.events_stream, "BARBER_EVENTS");
        assert_eq!(config.nats_prefix, "barber");
        assert_eq!(config.bind.port(), 8080);
        assert!(config.jwt_secret.is_none());
    }

    #[test]
    fn a_configured_secret_never_prints_and_an_empty_one_is_refused() {
        let config = Config::from_lookup(|name| (name == "JWT_SECRET").then(|| "s3cr3t".into()))
            .expect("parses");
        assert_eq!(
            config.jwt_secret.as_ref().map(Secret::expose),
            Some("s3cr3t")
        );
        assert!(!format!("{config:?}").contains("s3cr3t"));
        let err = Config::from_lookup(|name| (name == "JWT_SECRET").then(String::new))
            .expect_err("refused");
        assert_eq!(err.name, "JWT_SECRET");
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = Config::from_lookup(|name| (name == "BIND").then(|| "nope".to_owned()))
            .expect_err("refused");
        assert_eq!(err.name, "BIND");
    }

    #[test]
    fn an_identity_provider_is_configured_whole_or_not_at_all() {
        let oidc = |names: &'static [&'static str]| {
            Config::from_lookup(move |name| names.contains(&name).then(|| format!("{name}-value")))
        };
        assert!(oidc(&[]).expect("none").external_identity.is_none());
        let whole = oidc(&["OIDC_ISSUER", "OIDC_JWKS_URL", "OIDC_AUDIENCE"]).expect("whole");
        assert!(matches!(
            whole.external_identity,
            Some(ExternalIdentity::Oidc { .. })
        ));
        let partial = oidc(&["OIDC_ISSUER", "OIDC_AUDIENCE"]).expect_err("partial");
        assert_eq!(partial.name, "OIDC_ISSUER");
        let both = oidc(&[
            "OIDC_ISSUER",
            "OIDC_JWKS_URL",
            "OIDC_AUDIENCE",
            "SUPABASE_JWT_SECRET",
        ])
        .expect_err("both");
        assert_eq!(both.name, "SUPABASE_JWT_SECRET");
        let supabase = oidc(&["SUPABASE_JWT_SECRET"]).expect("supabase");
        let Some(ExternalIdentity::SharedSecret {
            audience, issuer, ..
        }) = supabase.external_identity
        else {
            panic!("a shared secret");
        };
        assert_eq!((audience.as_str(), issuer), ("authenticated", None));
    }
}
