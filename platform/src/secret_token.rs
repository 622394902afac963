//! Opaque secret tokens (refresh tokens; later the links of invitations and of a booking's manage
//! page): random text given to its holder once and kept only as its SHA-256, so a reader of the
//! database cannot use what it finds there. 244 random bits from the operating system's generator
//! (the random bits of two version-4 uuids), as 64 hexadecimal characters.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A token drawn: its text for the holder, its hash for the database.
pub struct SecretToken {
    pub text: String,
    pub hash: Vec<u8>,
}

/// Draws a new token.
pub fn draw() -> SecretToken {
    let text = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let hash = hash(&text);
    SecretToken { text, hash }
}

/// The hash a token is kept and looked up by.
pub fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_new_each_time_and_found_again_by_its_hash() {
        let (one, two) = (draw(), draw());
        assert_ne!(one.text, two.text);
        assert_eq!(one.text.len(), 64);
        assert_eq!(hash(&one.text), one.hash);
        assert_ne!(one.hash, two.hash);
    }
}
