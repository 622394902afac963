//! A real SMTP server on `127.0.0.1` that keeps every message it is given, for tests that send
//! email through [`crate::channels::Mailer`] without a mail provider.
//!
//! It speaks the part of RFC 5321 that lettre uses: a `220` greeting, `EHLO`/`HELO`
//! (advertising `8BITMIME`, `SMTPUTF8` and `PIPELINING`; replies come in order, so pipelined
//! commands work), `MAIL FROM`, `RCPT TO`, `DATA` (ended by `<CRLF>.<CRLF>`, dot-unstuffed),
//! `RSET`, `NOOP` and `QUIT`. No TLS and no login: use it as `smtp://127.0.0.1:PORT`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::received::Received;

const NOT_AVAILABLE: &[u8] = b"421 4.3.2 Service not available, closing transmission channel\r\n";

/// The running sink; it stops (and drops every open session) when this is dropped.
pub struct SmtpSink {
    address: SocketAddr,
    shared: Arc<Shared>,
    accepting: JoinHandle<()>,
}

struct Shared {
    messages: Mutex<Vec<Received>>,
    /// How many messages have been received: what [`SmtpSink::wait_for`] watches.
    count: watch::Sender<usize>,
    down: AtomicBool,
    /// `true` while replies to the end of `DATA` are held back.
    holding: watch::Sender<bool>,
    queued: AtomicUsize,
    /// Recipients answered `550` at `RCPT TO`.
    refused: Mutex<Vec<String>>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl SmtpSink {
    /// Starts a sink on a free port of `127.0.0.1`.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the SMTP sink binds a local port");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let shared = Arc::new(Shared {
            messages: Mutex::new(Vec::new()),
            count: watch::Sender::new(0),
            down: AtomicBool::new(false),
            holding: watch::Sender::new(false),
            queued: AtomicUsize::new(0),
            refused: Mutex::new(Vec::new()),
        });
        let accepting = tokio::spawn(accept(listener, Arc::clone(&shared)));
        SmtpSink {
            address,
            shared,
            accepting,
        }
    }

    /// The URL to give [`crate::channels::Mailer::from_url`]: `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// Every message received so far, in the order their `DATA` ended.
    pub fn messages(&self) -> Vec<Received> {
        lock(&self.shared.messages).clone()
    }

    /// Waits until at least `n` messages have arrived or `timeout` has passed, and answers
    /// every message received by then: check its length, it may be short.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let mut count = self.shared.count.subscribe();
        let _ = tokio::time::timeout(timeout, count.wait_for(|count| *count >= n)).await;
        self.messages()
    }

    /// Simulates the mail server being unavailable. While down, every new connection is
    /// greeted with `421 4.3.2 Service not available` and closed, and a session already open
    /// answers its next command the same way and closes: a sender sees an SMTP 4xx, a
    /// transient failure. `set_down(false)` accepts mail again.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Simulates a crash window: from now on, a message whose `DATA` ends is kept (it is in
    /// [`messages`](Self::messages) at once) but its `250` reply is held back until
    /// [`release`](Self::release), so the sender does not know it was accepted. A sender that
    /// gives up meanwhile (a timeout) leaves the message received all the same.
    pub fn hold_data(&self) {
        self.shared.holding.send_replace(true);
    }

    /// Simulates a mailbox that does not exist: `RCPT TO` for `address` (any case) is answered
    /// `550 5.1.1 Mailbox unavailable`, a permanent refusal of that recipient.
    pub fn refuse_recipient(&self, address: &str) {
        lock(&self.shared.refused).push(address.to_ascii_lowercase());
    }

    /// Sends the held `250` replies (to senders still connected) and stops holding.
    pub fn release(&self) {
        self.shared.holding.send_replace(false);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    // the sessions belong to this task: aborting it drops the set, which aborts them all
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    sessions.spawn(session(stream, Arc::clone(&shared)));
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// One client's conversation; an I/O error simply ends it, as a real server would.
async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    if shared.down.load(Ordering::SeqCst) {
        writer.write_all(NOT_AVAILABLE).await?;
        return writer.shutdown().await;
    }
    writer.write_all(b"220 barber-sink ESMTP ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        if shared.down.load(Ordering::SeqCst) {
            writer.write_all(NOT_AVAILABLE).await?;
            return writer.shutdown().await;
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
        let reply: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => format!(
                "250-barber-sink greets {argument}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n"
            ),
            "HELO" => "250 barber-sink\r\n".into(),
            "MAIL" => match path(argument, "FROM:") {
                Some(sender) => {
                    from = Some(sender);
                    to.clear();
                    "250 2.1.0 Ok\r\n".into()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".into(),
            },
            "RCPT" => match (&from, path(argument, "TO:")) {
                (None, _) => "503 5.5.1 MAIL first\r\n".into(),
                (Some(_), Some(recipient)) if is_refused(&shared, &recipient) => {
                    "550 5.1.1 Mailbox unavailable\r\n".into()
                }
                (Some(_), Some(recipient)) => {
                    to.push(recipient);
                    "250 2.1.5 Ok\r\n".into()
                }
                (Some(_), None) => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".into(),
            },
            "DATA" => match (from.take(), std::mem::take(&mut to)) {
                (Some(sender), recipients) if !recipients.is_empty() => {
                    writer
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let data = read_data(&mut reader).await?;
                    receive(&shared, sender, recipients, data).await
                }
                _ => "503 5.5.1 MAIL and RCPT first\r\n".into(),
            },
            "RSET" => {
                from = None;
                to.clear();
                "250 2.0.0 Ok\r\n".into()
            }
            "NOOP" => "250 2.0.0 Ok\r\n".into(),
            "QUIT" => {
                writer.write_all(b"221 2.0.0 Bye\r\n").await?;
                return writer.shutdown().await;
            }
            _ => "502 5.5.2 Command not recognized\r\n".into(),
        };
        writer.write_all(reply.as_bytes()).await?;
    }
}

fn is_refused(shared: &Shared, recipient: &str) -> bool {
    lock(&shared.refused).contains(&recipient.to_ascii_lowercase())
}

/// The address inside `FROM:<a@b> BODY=8BITMIME` (parameters ignored); `<>` is the empty path.
fn path(argument: &str, keyword: &str) -> Option<String> {
    let rest = argument.get(..keyword.len())?;
    if !rest.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// The message text up to the line holding a single `.`, with the leading dot of every
/// other line that starts with one removed (RFC 5321 §4.5.2).
async fn read_data<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<String> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(String::from_utf8_lossy(&data).into_owned());
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(unstuffed);
    }
}

/// Keeps the message, then answers for it, once any hold is released.
async fn receive(shared: &Shared, from: String, to: Vec<String>, data: String) -> String {
    {
        let mut messages = lock(&shared.messages);
        messages.push(Received { from, to, data });
        shared.count.send_replace(messages.len());
    }
    let mut holding = shared.holding.subscribe();
    let _ = holding.wait_for(|held| !*held).await;
    let queue_id = shared.queued.fetch_add(1, Ordering::SeqCst) + 1;
    format!("250 2.0.0 Ok: queued as SINK{queue_id:06}\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_from_mail_and_rcpt_arguments() {
        assert_eq!(
            path("FROM:<a@example.com> BODY=8BITMIME", "FROM:").as_deref(),
            Some("a@example.com")
        );
        assert_eq!(
            path("to: <b@example.com>", "TO:").as_deref(),
            Some("b@example.com")
        );
        assert_eq!(path("FROM:<>", "FROM:").as_deref(), Some(""));
        assert_eq!(path("FROM:a@example.com", "FROM:"), None);
    }

    #[tokio::test]
    async fn data_ends_at_a_lone_dot_and_is_unstuffed() {
        let mut input: &[u8] = b"Subject: x\r\n\r\n..leading dot\r\nlast\r\n.\r\nNOOP\r\n";
        let data = read_data(&mut input).await.expect("data ends");
        assert_eq!(data, "Subject: x\r\n\r\n.leading dot\r\nlast\r\n");
    }
}
