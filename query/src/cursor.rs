//! Opaque cursors for keyset pagination: the sort key of the last row served, base64url JSON.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use platform::ApiError;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub fn encode<T: Serialize>(key: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode<T: DeserializeOwned>(cursor: &str) -> Result<T, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::bad_request("invalid_cursor", "the cursor is not one we issued"))
}

pub use platform::paging::page_size;

/// The cursor of the page after `items`, fetched with one row more than `limit` to learn
/// whether there is one: drops that extra row and encodes the key of the last one kept; `None`
/// on the last page.
pub fn next_page<T, K: Serialize>(
    items: &mut Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> K,
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if items.len() <= limit {
        return None;
    }
    items.truncate(limit);
    items.last().map(|last| encode(&key(last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let key = ("ana".to_owned(), 7_i64);
        let cursor = encode(&key);
        assert_eq!(decode::<(String, i64)>(&cursor).expect("decodes"), key);
        assert_eq!(
            decode::<(String, i64)>("not a cursor")
                .err()
                .map(|e| e.code()),
            Some("invalid_cursor")
        );
    }
}
