//! Passwords: what a new one must be, and argon2id hashing and checking off the async threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use platform::ApiError;

/// 422 `weak_password` unless `password` is 10 to 1024 characters.
pub(crate) fn check(password: &str) -> Result<(), ApiError> {
    let length = password.chars().count();
    if !(10..=1024).contains(&length) {
        return Err(ApiError::unprocessable(
            "weak_password",
            "a password needs at least 10 characters (and at most 1024)",
        ));
    }
    Ok(())
}

/// A new password, checked and hashed.
pub(crate) async fn hash_new(password: String) -> Result<String, ApiError> {
    check(&password)?;
    hash(password).await
}

/// argon2id with the crate's defaults (OWASP's recommended parameters).
async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Whether `password` is the one `hash` was made from. Without a hash (no such user, or one who
/// has not set a password yet) a fixed hash is checked, so the answer takes as long either way
/// and timing does not tell whether an account exists.
pub(crate) async fn verify(password: String, hash: Option<String>) -> Result<bool, ApiError> {
    let real = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let matches = tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))?;
        Ok::<_, ApiError>(
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(real && matches)
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpM";
