//! Notifications: the hotline's events, as they happen, to a chat tool
//! (a webhook) and by e-mail; reporting deadline reminders by e-mail to the
//! filer's people.
//!
//! Each channel subscribes to the hub's live stream as a principal and so
//! receives only what that principal may see: the webhook as the national
//! centre's officers (it is their duty channel); each mail recipient as the
//! person they are (officers hear of every call; a caller's people hear of
//! their own calls being acknowledged). Webhook bodies are signed with a
//! shared secret (`X-Kyoyu-Signature: sha256=<HMAC-SHA256 of the body>`)
//! and retried with backoff; mails go through an SMTP server.

// `Value[key]` answers Null for a missing key or a non-object: it cannot panic.
#![allow(clippy::indexing_slicing)]

use hmac::{Hmac, Mac};
use kyoyu_core::{Backend, Hub};
use kyoyu_trust::{Principal, Role};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// Where notifications go.
#[derive(Debug, Clone, Default)]
pub struct NotifyConfig {
    /// Webhooks for the national centre's duty channel: (URL, shared secret).
    pub webhooks: Vec<(String, String)>,
    /// The SMTP server (host, port); no mail when absent.
    pub smtp: Option<(String, u16)>,
    /// The sender of the mails.
    pub mail_from: String,
    /// The console's address, for links in messages (`https://hub.example.jp`).
    pub console_url: Option<String>,
}

/// How often, and after what pauses, a webhook delivery is tried.
pub const RETRY_DELAYS: [Duration; 5] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(16),
];

/// The signature header's value for `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// One line saying what happened, for a chat message or a subject.
pub fn headline(event: &Value) -> String {
    let call = &event["hotline"];
    let title = call["title"].as_str().unwrap_or_default();
    match event["what"].as_str().unwrap_or_default() {
        "raised" => format!(
            "Hotline: {title} - raised by {}",
            call["org"].as_str().unwrap_or_default()
        ),
        "escalated" => format!(
            "Hotline: {title} - not acknowledged in time, escalated to {}",
            call["assigned"].as_str().unwrap_or("the next officer")
        ),
        "acknowledged" => format!("Hotline: {title} - acknowledged"),
        other => format!("Hotline: {title} - {other}"),
    }
}

/// Starts the channels configured; each runs until the hub stops.
pub fn start<S: Backend>(hub: &Arc<Hub<S>>, config: NotifyConfig) {
    tokio::spawn(remind_by_webhook(hub.clone(), config.console_url.clone()));
    for (url, secret) in config.webhooks.clone() {
        tokio::spawn(webhook(
            hub.clone(),
            duty_officer(hub),
            url,
            secret,
            config.console_url.clone(),
        ));
    }
    if let Some((host, port)) = config.smtp.clone() {
        tokio::spawn(mail(hub.clone(), host.clone(), port, config.clone()));
        tokio::spawn(remind_by_mail(hub.clone(), host, port, config));
    }
}

/// One line saying which deadline a reminder is about.
pub fn reminder_headline(event: &Value) -> String {
    let r = &event["reminder"];
    let (title, stage, due) = (
        r["title"].as_str().unwrap_or_default(),
        r["stage"].as_str().unwrap_or_default(),
        r["due"].as_str().unwrap_or_default(),
    );
    match event["what"].as_str().unwrap_or_default() {
        "overdue" => format!("Overdue: the {stage} report on \"{title}\" was due {due}"),
        _ => format!("Reminder: the {stage} report on \"{title}\" is due {due}"),
    }
}

/// Mails each reporting reminder to the people of the organization it is
/// for, resuming after the last one sent when the hub restarts.
async fn remind_by_mail<S: Backend>(
    hub: Arc<Hub<S>>,
    host: String,
    port: u16,
    config: NotifyConfig,
) {
    const CHANNEL: &str = "reminders-mail";
    let mut feed = match hub.reminder_feed(CHANNEL).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e.description, "reminder mail cannot subscribe");
            return;
        }
    };
    let Some(mailer) = Mailer::new(host, port, &config.mail_from) else {
        return;
    };
    while let Some((seq, event)) = feed.next(&hub).await {
        match hub.reminder_recipients(&event).await {
            Ok(recipients) => {
                let subject = reminder_headline(&event);
                let r = &event["reminder"];
                let mut text = format!(
                    "{subject}\n\nIncident: {}\nRegime: {}\n",
                    r["incident"].as_str().unwrap_or_default(),
                    r["regime"].as_str().unwrap_or_default()
                );
                if let Some(base) = &config.console_url {
                    text.push_str(&format!(
                        "\n{base}/console/incidents/{}\n",
                        r["incident"].as_str().unwrap_or_default()
                    ));
                }
                mailer.send(&recipients, &subject, &text).await;
            }
            Err(e) => {
                tracing::warn!(error = %e.description, "cannot choose a reminder's recipients");
            }
        }
        if let Err(e) = hub.notified(CHANNEL, seq).await {
            tracing::warn!(error = %e.description, "cannot record the reminders mailed");
        }
    }
}

/// Plain SMTP to a relay the hub's operator runs (loopback or a private
/// network); the relay does the onward TLS.
struct Mailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    fn new(host: String, port: u16, from: &str) -> Option<Self> {
        let Ok(from) = from.parse() else {
            tracing::error!(%from, "--mail-from is not an address; mail is off");
            return None;
        };
        let transport =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host)
                .port(port)
                .build();
        Some(Self { transport, from })
    }

    /// One message to each recipient (login, address).
    async fn send(&self, recipients: &[(String, String)], subject: &str, text: &str) {
        use lettre::{AsyncTransport, Message};
        for (login, address) in recipients {
            let Ok(to) = address.parse() else {
                tracing::warn!(%login, "a user's e-mail address cannot be used");
                continue;
            };
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(subject)
                .body(text.to_owned());
            match message {
                Ok(m) => {
                    if let Err(e) = self.transport.send(m).await {
                        tracing::warn!(%login, error = %e, "a mail was not sent");
                    }
                }
                Err(e) => tracing::warn!(%login, error = %e, "a mail could not be written"),
            }
        }
    }
}

/// The national centre's duty officer, as the webhook and the mailer read
/// the stream (an officer sees every call; read-only, it can change none).
fn duty_officer<S: Backend>(hub: &Hub<S>) -> Principal {
    Principal {
        org: hub.national_centre_org().unwrap_or_default(),
        role: Role::NationalCentreOfficer,
        read_only: true,
    }
}

/// Delivers every event the duty channel may see to `url`, in order.
async fn webhook<S: Backend>(
    hub: Arc<Hub<S>>,
    principal: Principal,
    url: String,
    secret: String,
    console: Option<String>,
) {
    // Resumes after the last event delivered before a restart.
    let channel = format!("hotline-webhook:{url}");
    let after = hub.notified_after(&channel).await.ok().flatten();
    let mut feed = match hub.hotline_feed_as(principal, after).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e.description, "the hotline webhook cannot subscribe");
            return;
        }
    };
    while let Some((seq, event)) = feed.next(&hub).await {
        let mut text = headline(&event);
        if let Some(base) = &console {
            text.push_str(&format!(" {base}/console/hotline"));
        }
        let body =
            json!({"text": text, "event": event["what"], "hotline": event["hotline"]}).to_string();
        deliver(&url, &secret, &body, seq, "hotline").await;
        if let Err(e) = hub.notified(&channel, seq).await {
            tracing::warn!(error = %e.description, "cannot record the hotline events posted");
        }
    }
}

/// Posts each deadline reminder to the webhook its organization set, if
/// any (and to nobody else's), signed with that organization's secret;
/// each delivery retried on its own, so one failing chat tool delays no
/// other organization's.
async fn remind_by_webhook<S: Backend>(hub: Arc<Hub<S>>, console: Option<String>) {
    const CHANNEL: &str = "reminders-webhook";
    let mut feed = match hub.reminder_feed(CHANNEL).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e.description, "the reminder webhooks cannot subscribe");
            return;
        }
    };
    while let Some((seq, event)) = feed.next(&hub).await {
        let org = event["reminder"]["org"].as_str().unwrap_or_default();
        match hub.reminder_webhook_target(org).await {
            Ok(Some((url, _))) if !reaches_public(&url, hub.private_webhooks()).await => {
                tracing::error!(%url, %org, "a reminder webhook resolves to a private address; not posted (--allow-private-webhooks allows it)");
            }
            Ok(Some((url, secret))) => {
                let mut text = reminder_headline(&event);
                if let Some(base) = &console {
                    text.push_str(&format!(
                        " {base}/console/incidents/{}",
                        event["reminder"]["incident"].as_str().unwrap_or_default()
                    ));
                }
                let body =
                    json!({"text": text, "event": event["what"], "reminder": event["reminder"]})
                        .to_string();
                tokio::spawn(async move { deliver(&url, &secret, &body, seq, "reminder").await });
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e.description, %org, "a reminder webhook cannot be read")
            }
        }
        if let Err(e) = hub.notified(CHANNEL, seq).await {
            tracing::warn!(error = %e.description, "cannot record the reminders posted");
        }
    }
}

/// Whether every address `url`'s host resolves to is public (or the hub
/// allows private ones): an organization's webhook must not make the hub
/// post into its own network, whatever the name points at.
async fn reaches_public(url: &str, private_allowed: bool) -> bool {
    if private_allowed {
        return true;
    }
    let Some((host, port)) = kyoyu_trust::net::url_host(url) else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        use std::net::ToSocketAddrs;
        (host.as_str(), port)
            .to_socket_addrs()
            .is_ok_and(|mut addrs| addrs.all(|a| kyoyu_trust::net::is_public(a.ip())))
    })
    .await
    .unwrap_or(false)
}

/// Posts `body` to `url`, signed with `secret`, until it is taken (2xx) or
/// the retries ([`RETRY_DELAYS`]) run out.
async fn deliver(url: &str, secret: &str, body: &str, seq: i64, event: &'static str) {
    let sig = signature(secret, body.as_bytes());
    let mut delays = RETRY_DELAYS.iter();
    loop {
        let (to, b, s) = (url.to_owned(), body.to_owned(), sig.clone());
        let sent = tokio::task::spawn_blocking(move || post(&to, &b, &s, seq, event))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        let Err(why) = sent else { break };
        let Some(delay) = delays.next() else {
            tracing::error!(%url, seq, why, event, "a webhook gave up after retries");
            break;
        };
        tracing::warn!(%url, seq, why, event, "a webhook failed; retrying");
        tokio::time::sleep(*delay).await;
    }
}

/// One delivery: 2xx is done, anything else is tried again.
fn post(url: &str, body: &str, signature: &str, seq: i64, event: &str) -> Result<(), String> {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    let answer = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-Kyoyu-Event", event)
        .header("X-Kyoyu-Delivery", &seq.to_string())
        .header("X-Kyoyu-Signature", signature)
        .send(body)
        .map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("answered {status}"))
    }
}

/// Mails each event to the people who may read it: as the stream is read
/// by a principal who sees every call, each message's recipients are
/// chosen by the same rule that decides what a person may see.
async fn mail<S: Backend>(hub: Arc<Hub<S>>, host: String, port: u16, config: NotifyConfig) {
    const CHANNEL: &str = "hotline-mail";
    let after = hub.notified_after(CHANNEL).await.ok().flatten();
    let mut feed = match hub.hotline_feed_as(duty_officer(&hub), after).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e.description, "hotline mail cannot subscribe");
            return;
        }
    };
    let Some(mailer) = Mailer::new(host, port, &config.mail_from) else {
        return;
    };
    while let Some((seq, event)) = feed.next(&hub).await {
        let recipients = match hub.hotline_recipients(&event).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e.description, "cannot choose the hotline mail's recipients");
                continue;
            }
        };
        let subject = headline(&event);
        let call = &event["hotline"];
        let mut text = format!(
            "{subject}\n\n{}\n\n{}\n",
            call["title"].as_str().unwrap_or_default(),
            call["text"].as_str().unwrap_or_default()
        );
        if let Some(base) = &config.console_url {
            text.push_str(&format!("\n{base}/console/hotline\n"));
        }
        mailer.send(&recipients, &subject, &text).await;
        if let Err(e) = hub.notified(CHANNEL, seq).await {
            tracing::warn!(error = %e.description, "cannot record the hotline events mailed");
        }
    }
}
