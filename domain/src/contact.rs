//! Contact details as barbershops receive them, normalised to what we store.

/// Normalises a phone number in international form to E.164 (`+` and 8 to 15 digits, no
/// leading zero), accepting the spaces, dashes, dots and parentheses people type; valid in its
/// numbering plan when the plan is known ([`crate::phone::to_e164`]). `None` when it cannot
/// be one.
pub fn normalise_phone(input: &str) -> Option<String> {
    crate::phone::to_e164(input, None)
}

/// Trims an email address and checks its shape: one `@`, a local part, a dotted domain, no spaces.
/// Deliverability is not ours to decide; an obviously broken address is.
pub fn normalise_email(input: &str) -> Option<String> {
    let email = input.trim();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then(|| format!("{local}@{}", domain.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_to_e164() {
        let cases = [
            ("+44 7700 900123", Some("+447700900123")),
            ("+1 (212) 555-0100", Some("+12125550100")),
            ("+91-98765-43210", Some("+919876543210")),
            ("07700 900123", None),
            ("+0 123 456 789", None),
            ("+1234567", None),
            ("+1234567890123456", None),
            ("+44 77OO 900123", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise_phone(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn emails_keep_their_local_part_and_lower_their_domain() {
        let cases = [
            (" Ana@Example.COM ", Some("Ana@example.com")),
            ("a@b.co", Some("a@b.co")),
            ("no-at-sign", None),
            ("@example.com", None),
            ("a@localhost", None),
            ("a b@example.com", None),
            ("a@@example.com", None),
            ("a@example.com.", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise_email(input).as_deref(), expected, "{input}");
        }
    }
}
