//! What makes two requests under one `Idempotency-Key` "the same request": the method, the path
//! and the body *as parsed*. A client that retries may serialize its body again, with other
//! whitespace or its keys in another order; that is the same command and must get the first
//! answer, not 422. So a JSON body is fingerprinted in a canonical form (object keys sorted,
//! no whitespace); a body that is not JSON, by its bytes (a body of only whitespace is no body,
//! as the JSON extractors read it).
//!
//! The fingerprint is an HMAC keyed from the deployment's signing secret
//! ([`platform::auth::JwtKeys::fingerprint`]), not a bare hash: a signup body holds a password,
//! and a bare hash at rest in `idempotency_keys` could be tested against guessed passwords.

use axum::http::Method;
use platform::auth::JwtKeys;
use serde_json::Value;

/// The fingerprint kept with a key, and compared when the key is used again.
pub(super) fn fingerprint(keys: &JwtKeys, method: &Method, path: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(method.as_str().len() + path.len() + body.len() + 8);
    message.extend_from_slice(method.as_str().as_bytes());
    message.push(b'\n');
    message.extend_from_slice(path.as_bytes());
    message.push(b'\n');
    canonical_body(body, &mut message);
    keys.fingerprint(&message)
}

/// Appends the body's canonical form: `json` and the parsed value, or `raw` and the bytes. The
/// tags keep a raw body from ever equalling a canonical one.
fn canonical_body(body: &[u8], out: &mut Vec<u8>) {
    if body.iter().all(u8::is_ascii_whitespace) {
        out.extend_from_slice(b"empty");
        return;
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => {
            out.extend_from_slice(b"json\n");
            canonical(&value, out);
        }
        Err(_) => {
            out.extend_from_slice(b"raw\n");
            out.extend_from_slice(body);
        }
    }
}

/// Writes `value` as compact JSON with every object's keys sorted. The keys are sorted here
/// rather than trusting `serde_json::Map` to be sorted: that holds only while no crate in the
/// build turns on serde_json's `preserve_order` feature.
fn canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, out);
            }
            out.push(b']');
        }
        Value::Object(fields) => {
            let mut fields: Vec<_> = fields.iter().collect();
            fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (name, field)) in fields.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                scalar(&Value::String(name.clone()), out);
                out.push(b':');
                canonical(field, out);
            }
            out.push(b'}');
        }
        scalar_value => scalar(scalar_value, out),
    }
}

/// A string, number, boolean or null as serde_json writes it (strings escaped one way).
fn scalar(value: &Value, out: &mut Vec<u8>) {
    // writing a `Value` into a `Vec` cannot fail
    let _ = serde_json::to_writer(&mut *out, value);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new("test-secret", Duration::from_secs(60))
    }

    fn print(body: &str) -> Vec<u8> {
        fingerprint(&keys(), &Method::POST, "/api/v1/customers", body.as_bytes())
    }

    #[test]
    fn the_same_json_written_another_way_has_one_fingerprint() {
        let base = print(r#"{"name":"Ana","tags":["a","b"],"preferences":{"x":1,"y":null}}"#);
        for same in [
            r#"{ "name" : "Ana", "tags" : [ "a", "b" ], "preferences" : { "x" : 1, "y" : null } }"#,
            r#"{"preferences":{"y":null,"x":1},"tags":["a","b"],"name":"Ana"}"#,
            "\n{\"tags\":[\"a\",\"b\"],\n \"name\":\"\\u0041na\",\"preferences\":{\"x\":1,\"y\":null}}\n",
        ] {
            assert_eq!(base, print(same), "{same}");
        }
    }

    #[test]
    fn another_value_has_another_fingerprint() {
        let base = print(r#"{"name":"Ana","tags":["a","b"]}"#);
        for other in [
            r#"{"name":"Bo","tags":["a","b"]}"#,
            r#"{"name":"Ana","tags":["b","a"]}"#,
            r#"{"name":"Ana","tags":["a","b"],"notes":null}"#,
            r#"{"name":"Ana","tags":"a,b"}"#,
        ] {
            assert_ne!(base, print(other), "{other}");
        }
    }

    #[test]
    fn the_fingerprint_covers_method_path_and_secret() {
        let body = br#"{"name":"Ana"}"#;
        let base = fingerprint(&keys(), &Method::POST, "/api/v1/customers", body);
        assert_ne!(
            base,
            fingerprint(&keys(), &Method::PATCH, "/api/v1/customers", body)
        );
        assert_ne!(
            base,
            fingerprint(&keys(), &Method::POST, "/api/v1/staff", body)
        );
        let other = JwtKeys::new("another-secret", Duration::from_secs(60));
        assert_ne!(
            base,
            fingerprint(&other, &Method::POST, "/api/v1/customers", body)
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_compared_by_its_bytes() {
        assert_eq!(print("name=Ana"), print("name=Ana"));
        assert_ne!(print("name=Ana"), print("name=Bo"));
        assert_ne!(print("name=Ana"), print("name=Ana "));
        assert_eq!(print(""), print("  \n"));
        assert_ne!(print(""), print("null"));
    }
}
