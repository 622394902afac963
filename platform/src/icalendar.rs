//! Writing iCalendar (RFC 5545): content lines folded at 75 octets and ended by CRLF, TEXT values
//! escaped, instants in UTC (`20261201T100000Z`, right on every daylight-saving day without a
//! VTIMEZONE). The calendar invites of emails and the calendar feeds both write with it.
//!
//! Written by hand: a few properties need only escaping and folding, while the `icalendar`
//! crate always brings a date parser.

use chrono::{DateTime, Utc};

/// Content lines are folded to at most this many octets (RFC 5545 §3.1).
const LINE_LIMIT: usize = 75;

/// An iCalendar text being written, line by line.
#[derive(Debug, Default)]
pub struct Lines {
    out: String,
}

impl Lines {
    pub fn new() -> Self {
        Self::default()
    }

    /// A property whose value is written as given (a date-time, a number, a URI, a keyword).
    pub fn line(&mut self, name: &str, value: &str) {
        fold_into(&mut self.out, &format!("{name}:{value}"));
    }

    /// A property whose value is TEXT, escaped.
    pub fn text(&mut self, name: &str, value: &str) {
        self.line(name, &text(value));
    }

    /// A property whose value is a UTC date-time.
    pub fn instant(&mut self, name: &str, instant: DateTime<Utc>) {
        self.line(name, &utc(instant));
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A UTC date-time, `20261201T100000Z`.
pub fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value (§3.3.11): backslash, semicolon and comma escaped, line breaks as `\n`.
pub fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Appends one content line, folded so no line is longer than 75 octets (the leading space of a
/// continuation counts), never inside a UTF-8 character, and ended by CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut segment = String::new();
    let mut limit = LINE_LIMIT;
    for ch in line.chars() {
        if segment.len() + ch.len_utf8() > limit {
            let carry = segment.split_off(fold_point(&segment, ch));
            out.push_str(&segment);
            out.push_str("\r\n ");
            segment = carry;
            limit = LINE_LIMIT - 1;
        }
        segment.push(ch);
    }
    out.push_str(&segment);
    out.push_str("\r\n");
}

/// Where to fold a full line: between two non-blank characters near its end when there is
/// one, because some readers trim the blanks on either side of a fold; else at the end.
fn fold_point(segment: &str, next: char) -> usize {
    let mut after = next;
    for (index, before) in segment.char_indices().rev().take(16) {
        if !before.is_whitespace() && !after.is_whitespace() {
            return index + before.len_utf8();
        }
        after = before;
    }
    segment.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_never_inside_a_character() {
        let mut lines = Lines::new();
        lines.text("DESCRIPTION", &"Corte à navalha, ".repeat(20));
        let out = lines.finish();
        assert!(out.ends_with("\r\n"));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
        }
        let unfolded = out.replace("\r\n ", "");
        assert!(unfolded.contains(&text(&"Corte à navalha, ".repeat(20))));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
