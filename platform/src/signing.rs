//! The secret that signs tokens. `JWT_SECRET` when it is set; otherwise 32 random bytes drawn
//! once per database and kept in `signing_secret`, so that every replica and every role of a
//! deployment (`barber all`, `barber seed`) signs and verifies with the same secret, and no
//! value written in the source can forge a token.

use sqlx::PgPool;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::identity::ExternalIdentity;

/// The length of a generated secret: HS256's own block of strength.
const SECRET_BYTES: usize = 32;

/// Why the signing keys cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("the operating system's random generator failed: {0}")]
    Random(getrandom::Error),
    #[error("cannot read or keep the signing secret: {0}")]
    Database(#[from] sqlx::Error),
}

/// The keys every token of this deployment is signed and verified with, accepting the
/// configured identity provider's tokens too.
pub async fn jwt_keys(pool: &PgPool, config: &Config) -> Result<JwtKeys, SigningError> {
    let secret = match &config.jwt_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => stored_secret(pool).await?,
    };
    let mut keys = JwtKeys::new(secret, config.jwt_ttl);
    if let Some(previous) = &config.jwt_previous_secret {
        keys = keys.accepting_previous(previous.expose());
    }
    Ok(match &config.external_identity {
        Some(settings) => keys.with_external(ExternalIdentity::new(settings, pool.clone())),
        None => keys,
    })
}

/// The database's secret, drawn now if no process has drawn it yet. The first insert wins
/// (`on conflict do nothing`), and the secret is read back in a statement of its own, so two
/// processes starting together end up with the winner's.
async fn stored_secret(pool: &PgPool) -> Result<Vec<u8>, SigningError> {
    let mut candidate = [0_u8; SECRET_BYTES];
    getrandom::getrandom(&mut candidate).map_err(SigningError::Random)?;
    let drawn =
        sqlx::query("insert into signing_secret (secret) values ($1) on conflict do nothing")
            .bind(&candidate[..])
            .execute(pool)
            .await?
            .rows_affected();
    if drawn == 1 {
        tracing::info!("JWT_SECRET is not set: drew a signing secret and kept it in the database");
    }
    let secret: Vec<u8> = sqlx::query_scalar("select secret from signing_secret")
        .fetch_one(pool)
        .await?;
    Ok(secret)
}
