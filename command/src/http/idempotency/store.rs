//! The `idempotency_keys` table: claiming a key for a request, keeping its answer, releasing it.

use sqlx::PgPool;

/// Whose keys a key is among: the caller's business and user, or `public` for signup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Scope(String);

impl Scope {
    /// Routes without authentication (signup): every anonymous caller shares one scope.
    pub(super) fn public() -> Self {
        Self("public".to_owned())
    }

    /// One user of one business: two users of a business never see each other's answers.
    pub(super) fn user(tenant_id: uuid::Uuid, user_id: uuid::Uuid) -> Self {
        Self(format!("{tenant_id}/{user_id}"))
    }
}

/// What the store said about a key.
pub(super) enum Claim {
    /// This request is the first with the key: run it.
    Claimed,
    /// The key answered before: replay.
    Answered(Stored),
    /// The key belongs to another request.
    OtherRequest,
    /// The first request with the key is still running.
    Running,
}

/// An answer as kept.
pub(super) struct Stored {
    pub(super) status: i16,
    pub(super) content_type: Option<String>,
    pub(super) body: Vec<u8>,
}

/// A key's row: the request it belongs to and, once answered, the answer.
#[derive(sqlx::FromRow)]
struct StoredKey {
    request_hash: Vec<u8>,
    status: Option<i16>,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
}

/// Claims `key` for the request whose fingerprint is `hash`, or says who holds it. A key older
/// than 24 hours, or claimed over a minute ago by a request that never answered, is free again.
pub(super) async fn claim(
    pool: &PgPool,
    scope: &Scope,
    key: &str,
    hash: &[u8],
) -> Result<Claim, sqlx::Error> {
    let claimed: Option<bool> = sqlx::query_scalar(
        "insert into idempotency_keys (scope, key, request_hash) values ($1, $2, $3)
         on conflict (scope, key) do update
            set request_hash = excluded.request_hash, status = null, content_type = null,
                body = null, created_at = now()
          where idempotency_keys.created_at < now() - interval '24 hours'
             or (idempotency_keys.status is null
                 and idempotency_keys.created_at < now() - interval '1 minute')
         returning true",
    )
    .bind(&scope.0)
    .bind(key)
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    if claimed.is_some() {
        return Ok(Claim::Claimed);
    }
    let existing: Option<StoredKey> = sqlx::query_as(
        "select request_hash, status, content_type, body from idempotency_keys
              where scope = $1 and key = $2",
    )
    .bind(&scope.0)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(match existing {
        Some(stored) if stored.request_hash != hash => Claim::OtherRequest,
        Some(StoredKey {
            status: Some(status),
            content_type,
            body,
            ..
        }) => Claim::Answered(Stored {
            status,
            content_type,
            body: body.unwrap_or_default(),
        }),
        // still running, or released by a failure a moment ago
        _ => Claim::Running,
    })
}

/// Keeps the answer to the request holding `key`.
pub(super) async fn keep(
    pool: &PgPool,
    scope: &Scope,
    key: &str,
    answer: &Stored,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update idempotency_keys set status = $3, content_type = $4, body = $5
          where scope = $1 and key = $2",
    )
    .bind(&scope.0)
    .bind(key)
    .bind(answer.status)
    .bind(answer.content_type.as_deref())
    .bind(&answer.body)
    .execute(pool)
    .await
    .map(drop)
}

/// Frees `key`: its request may run again.
pub(super) async fn release(pool: &PgPool, scope: &Scope, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from idempotency_keys where scope = $1 and key = $2")
        .bind(&scope.0)
        .bind(key)
        .execute(pool)
        .await
        .map(drop)
}
