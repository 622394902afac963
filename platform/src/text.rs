//! Text from clients: no control characters. Postgres refuses a NUL in `text` (the request
//! would fail with 500), and the other control characters have no place in a name, a note or a
//! reason: they corrupt exports and terminals and hide text from people reading it. Line breaks
//! and tabs stay allowed (a note has paragraphs). Checked once, where every JSON body and query
//! string is read (`crate::json`), so no handler can forget it.

use serde_json::Value;

use crate::problem::ApiError;

/// Whether `c` may appear in text a client sends.
fn allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\n' | '\r' | '\t')
}

/// Refuses `text` if it holds a control character (`invalid_text`); `field` names where.
pub fn check(field: &str, text: &str) -> Result<(), ApiError> {
    match text.chars().find(|c| !allowed(*c)) {
        None => Ok(()),
        Some(c) => Err(ApiError::unprocessable(
            "invalid_text",
            format!(
                "{field} holds the control character U+{:04X}; text may hold line breaks and \
                 tabs but no other control characters",
                u32::from(c)
            ),
        )),
    }
}

/// [`check`] on every string of a JSON document, keys included.
pub fn check_json(value: &Value) -> Result<(), ApiError> {
    fn walk(path: &mut String, value: &Value) -> Result<(), ApiError> {
        match value {
            Value::String(text) => check(field(path), text),
            Value::Array(items) => items.iter().try_for_each(|item| walk(path, item)),
            Value::Object(fields) => {
                for (key, item) in fields {
                    check(&format!("a key of {}", field(path)), key)?;
                    let len = path.len();
                    path.push('.');
                    path.push_str(key);
                    walk(path, item)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
        }
    }
    fn field(path: &str) -> &str {
        path.strip_prefix('.')
            .filter(|p| !p.is_empty())
            .unwrap_or("the body")
    }
    walk(&mut String::new(), value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn control_characters_are_refused_anywhere_in_a_body() {
        for body in [
            json!({"name": "x\u{0}y"}),
            json!({"notes": "a\u{1b}[31mred"}),
            json!({"preferences": {"dri\u{0}nk": "tea"}}),
            json!({"preferences": {"drink": ["tea", "co\u{7f}ffee"]}}),
            json!({"reason": "\u{85}"}),
        ] {
            let err = check_json(&body).expect_err("refused");
            assert_eq!(err.code(), "invalid_text", "{body}");
        }
    }

    #[test]
    fn line_breaks_tabs_and_any_script_are_fine() {
        let body = json!({"notes": "line one\r\nline two\tand a tab", "name": "Νίκος İlker 李"});
        assert!(check_json(&body).is_ok());
    }

    #[test]
    fn the_refusal_names_the_field() {
        let err = check_json(&json!({"preferences": {"drink": "t\u{0}a"}})).expect_err("refused");
        match err {
            ApiError::Client { detail, .. } => {
                assert!(detail.starts_with("preferences.drink"), "{detail}")
            }
            ApiError::Internal(_) => panic!("not internal"),
        }
    }
}
