//! A customer's personal data in events: sealed with that customer's own data key, opened with
//! it, and read as erased once the key is gone (crypto-shredding, DESIGN §4).
//!
//! Every `pii` object of an event (`{"CustomerRegistered": {…, "pii": {…}}}`) is stored sealed:
//! `{"customer_id": "<whose data>", "sealed": "<base64 of nonce ‖ AES-256-GCM ciphertext>"}`.
//! The customer's id is authenticated with the ciphertext, so a sealed object cannot be moved to
//! another customer. Once the customer's key is deleted (`customer_keys`), a sealed object
//! opens as [`erased`] (`{"erased": true}`): readers see a customer without personal data, never
//! an error.
//!
//! - this module: the envelope, the data key, and finding the `pii` objects of a payload.
//! - [`keys`]: the `customer_keys` table.
//! - [`opening`]: [`open`], the one way every reader of events gets plaintext.
//! - [`clear_events`]: the one-time sealing of events stored in clear before.

pub mod clear_events;
pub mod keys;
pub mod opening;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub use keys::NewKey;
pub use opening::open;

/// The member under which an event carries personal data.
pub const PII: &str = "pii";

/// Why personal data could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum PersonalDataError {
    /// The system's random source failed, or a key is not 32 bytes.
    #[error("the data key cannot be used: {0}")]
    Key(String),
    /// A sealed object does not open with its customer's key: it was altered, or moved from
    /// another customer.
    #[error("the personal data of customer {0} does not open with its key")]
    Tampered(Uuid),
    /// A sealed object is not in the envelope's shape.
    #[error("malformed sealed personal data: {0}")]
    Malformed(String),
    /// Personal data about a customer who has no key (erased, or never registered).
    #[error("customer {0} has no data key: erased, or never registered")]
    NoKey(Uuid),
    #[error("cannot read the customers' data keys: {0}")]
    Database(#[from] sqlx::Error),
}

/// One customer's data key (AES-256-GCM). Never printed.
#[derive(Clone)]
pub struct DataKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self, PersonalDataError> {
        let mut bytes = [0_u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| PersonalDataError::Key("no randomness".into()))?;
        Ok(Self { bytes })
    }

    /// A key as stored.
    pub fn from_bytes(stored: &[u8]) -> Result<Self, PersonalDataError> {
        let bytes = stored
            .try_into()
            .map_err(|_| PersonalDataError::Key(format!("{} bytes, not 32", stored.len())))?;
        Ok(Self { bytes })
    }

    /// The key as stored.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn cipher(&self) -> Result<LessSafeKey, PersonalDataError> {
        UnboundKey::new(&AES_256_GCM, &self.bytes)
            .map(LessSafeKey::new)
            .map_err(|_| PersonalDataError::Key("not an AES-256 key".into()))
    }

    /// `clear` (a `pii` object) sealed for `customer_id`. A random nonce per seal: a key seals
    /// one customer's few dozen events, far below the bound for random 96-bit nonces.
    pub fn seal(&self, customer_id: Uuid, clear: &Value) -> Result<Value, PersonalDataError> {
        let mut nonce = [0_u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| PersonalDataError::Key("no randomness".into()))?;
        let mut text =
            serde_json::to_vec(clear).map_err(|e| PersonalDataError::Malformed(e.to_string()))?;
        self.cipher()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(customer_id.as_bytes()),
                &mut text,
            )
            .map_err(|_| PersonalDataError::Key("sealing failed".into()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&text);
        Ok(json!({"customer_id": customer_id, "sealed": STANDARD.encode(sealed)}))
    }

    /// The `pii` object inside `sealed`, which must be sealed for `customer_id`.
    pub fn open(&self, customer_id: Uuid, sealed: &str) -> Result<Value, PersonalDataError> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|e| PersonalDataError::Malformed(e.to_string()))?;
        if bytes.len() < NONCE_LEN {
            return Err(PersonalDataError::Malformed("too short".into()));
        }
        let (nonce, text) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| PersonalDataError::Malformed("nonce".into()))?;
        let mut text = text.to_vec();
        let clear = self
            .cipher()?
            .open_in_place(nonce, Aad::from(customer_id.as_bytes()), &mut text)
            .map_err(|_| PersonalDataError::Tampered(customer_id))?;
        serde_json::from_slice(clear).map_err(|e| PersonalDataError::Malformed(e.to_string()))
    }
}

/// What a `pii` object reads as once its customer's key is gone.
pub fn erased() -> Value {
    json!({"erased": true})
}

/// Whether a `pii` object is stored as it must be: sealed, or erased.
pub fn is_protected(pii: &Value) -> bool {
    pii.get("sealed").is_some() || pii.get("erased").is_some()
}

/// The customer a sealed `pii` object is about, and its ciphertext; `None` if it is not sealed.
pub fn sealed_for(pii: &Value) -> Option<Result<(Uuid, &str), PersonalDataError>> {
    let sealed = pii.get("sealed")?;
    Some(
        match (
            pii.get("customer_id")
                .and_then(Value::as_str)
                .and_then(|id| Uuid::parse_str(id).ok()),
            sealed.as_str(),
        ) {
            (Some(customer_id), Some(sealed)) => Ok((customer_id, sealed)),
            _ => Err(PersonalDataError::Malformed(
                "a sealed object needs a customer_id and its ciphertext".into(),
            )),
        },
    )
}

/// The facts of a payload that carry a `pii` object, with that object: payloads are
/// `{"<EventName>": {…fields…}}`, and personal data sits in the fields' `pii`.
pub fn facts_with_pii(payload: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    payload
        .as_object_mut()
        .into_iter()
        .flat_map(|variants| variants.values_mut())
        .filter_map(Value::as_object_mut)
        .filter(|fields| fields.get(PII).is_some_and(Value::is_object))
}

/// The `pii` members of a payload's facts, whatever they hold.
fn pii_of(payload: &Value) -> impl Iterator<Item = &Value> {
    payload
        .as_object()
        .into_iter()
        .flat_map(|variants| variants.values())
        .filter_map(|fields| fields.get(PII))
}

/// Whether a payload holds personal data in clear (what a writer must seal first).
pub fn has_clear_pii(payload: &Value) -> bool {
    pii_of(payload).any(|pii| pii.is_object() && !is_protected(pii))
}

/// Whether a payload holds sealed personal data (what a reader must open first).
pub fn has_sealed_pii(payload: &Value) -> bool {
    pii_of(payload).any(|pii| pii.get("sealed").is_some())
}

/// Whether a payload, once opened, holds personal data whose key is gone (the auditor shows
/// the record's personal fields as erased).
pub fn has_erased_pii(payload: &Value) -> bool {
    pii_of(payload).any(|pii| pii.get("erased").is_some())
}

/// The customer a fact's personal data is about: the fact's own `customer_id` (a registration,
/// a note on an appointment), else `stream_customer` (the customer whose stream it is).
pub fn owner_of(fact: &Map<String, Value>, stream_customer: Option<Uuid>) -> Option<Uuid> {
    fact.get("customer_id")
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
        .or(stream_customer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_object_opens_only_with_its_key_and_for_its_customer() {
        let key = DataKey::generate().expect("key");
        let (ana, bea) = (Uuid::new_v4(), Uuid::new_v4());
        let clear = json!({"name": "Ana Silva", "phone": "+447700900123"});
        let sealed = key.seal(ana, &clear).expect("sealed");
        assert!(!sealed.to_string().contains("Ana"), "{sealed}");
        assert!(is_protected(&sealed));
        let (owner, text) = sealed_for(&sealed).expect("sealed").expect("well formed");
        assert_eq!(owner, ana);
        assert_eq!(key.open(ana, text).expect("opens"), clear);
        // moved to another customer, or opened with another key: refused
        assert!(matches!(
            key.open(bea, text),
            Err(PersonalDataError::Tampered(_))
        ));
        let other = DataKey::generate().expect("key");
        assert!(other.open(ana, text).is_err());
        // two seals of one object differ (fresh nonce)
        assert_ne!(key.seal(ana, &clear).expect("sealed"), sealed);
    }

    #[test]
    fn the_pii_objects_of_a_payload_are_found_in_its_fact() {
        let mut payload = json!({"AppointmentNoteAdded": {"note_id": "n", "pii": {"text": "hi"}}});
        assert!(has_clear_pii(&payload) && !has_sealed_pii(&payload));
        assert_eq!(facts_with_pii(&mut payload).count(), 1);
        let mut none = json!({"AppointmentConfirmed": {}});
        assert!(!has_clear_pii(&none));
        assert_eq!(facts_with_pii(&mut none).count(), 0);
        assert!(!has_clear_pii(&json!({"X": {"pii": erased()}})));
    }

    #[test]
    fn a_key_is_32_bytes_and_never_printed() {
        assert!(DataKey::from_bytes(&[0; 16]).is_err());
        let key = DataKey::from_bytes(&[7; 32]).expect("key");
        assert_eq!(format!("{key:?}"), "DataKey(…)");
    }
}
