//! One email as the SMTP sink received it, and ways to read it as a customer's mail app would.

use mail_parser::{MessageParser, MimeHeaders};

/// One message delivered to the [`super::SmtpSink`]: its envelope and its raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message exactly as transmitted (headers and MIME body, CRLF line ends, unstuffed).
    pub data: String,
}

impl Received {
    /// The first top-level header called `name` (any case), unfolded, still encoded as sent
    /// (an RFC 2047 `=?utf-8?…?=` word stays as it is).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(value) = found.as_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            if found.is_some() {
                break;
            }
            if let Some((key, value)) = line.split_once(':') {
                if key.trim().eq_ignore_ascii_case(name) {
                    found = Some(value.trim().to_owned());
                }
            }
        }
        found.map(|value| value.trim().to_owned())
    }

    /// The `Message-ID` header, angle brackets included: `<key@barber>`.
    pub fn message_id(&self) -> Option<String> {
        self.header("Message-ID")
    }

    /// The decoded subject (RFC 2047 words decoded).
    pub fn subject(&self) -> Option<String> {
        let message = MessageParser::default().parse(self.data.as_bytes())?;
        message.subject().map(str::to_owned)
    }

    /// The plain-text body, decoded from quoted-printable or base64 and its charset.
    pub fn text_body(&self) -> Option<String> {
        let message = MessageParser::default().parse(self.data.as_bytes())?;
        let text = message.body_text(0)?.into_owned();
        Some(text)
    }

    /// The HTML body, decoded.
    pub fn html_body(&self) -> Option<String> {
        let message = MessageParser::default().parse(self.data.as_bytes())?;
        let html = message.body_html(0)?.into_owned();
        Some(html)
    }

    /// The attached calendar invite (`text/calendar`), decoded, with the `method` of its
    /// content type: `(ics, "PUBLISH")`.
    pub fn calendar(&self) -> Option<(String, String)> {
        let message = MessageParser::default().parse(self.data.as_bytes())?;
        let found = message.attachments().find_map(|part| {
            let content_type = part.content_type()?;
            let is_calendar = content_type.ctype().eq_ignore_ascii_case("text")
                && content_type
                    .subtype()
                    .is_some_and(|sub| sub.eq_ignore_ascii_case("calendar"));
            if !is_calendar {
                return None;
            }
            let method = content_type.attribute("method").unwrap_or_default();
            Some((part.text_contents()?.to_owned(), method.to_owned()))
        });
        found
    }

    /// The file name of every attachment, e.g. `["invite.ics"]`.
    pub fn attachment_names(&self) -> Vec<String> {
        MessageParser::default()
            .parse(self.data.as_bytes())
            .map(|message| {
                message
                    .attachments()
                    .filter_map(|part| part.attachment_name().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &str = "From: barber <b@example.com>\r\nMessage-ID:\r\n <k@barber>\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nOl=C3=A1 Ana=\r\n, bem-vinda\r\n";

    fn received() -> Received {
        Received {
            from: "b@example.com".into(),
            to: vec!["ana@example.com".into()],
            data: RAW.into(),
        }
    }

    #[test]
    fn headers_are_unfolded_and_found_in_any_case() {
        let received = received();
        assert_eq!(received.message_id().as_deref(), Some("<k@barber>"));
        assert_eq!(
            received.header("from").as_deref(),
            Some("barber <b@example.com>")
        );
        assert_eq!(received.header("X-Missing"), None);
    }

    #[test]
    fn bodies_and_subjects_are_decoded() {
        let received = received();
        assert_eq!(received.subject().as_deref(), Some("Café"));
        assert_eq!(
            received.text_body().as_deref(),
            Some("Olá Ana, bem-vinda\r\n")
        );
    }
}
