//! Sending the outbox. A worker on every server takes due mail (leased, so two servers
//! never send the same mail at once), hands it to the SMTP relay, and deletes it once
//! accepted; a relay that is down only delays it. The outbox is `dignity_app::mail`; this
//! is the SMTP relay it hands mail to.

use dignity_app::Context;
use dignity_app::mail::{Mail, Relay};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Where mail goes: an SMTP relay, usually one inside the organisation's network.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    /// The sender, such as `Dignity <no-reply@dignity.example.nhs.uk>`.
    pub from: String,
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The sender as the mail will carry it, or why `text` cannot be one. The settings are
/// checked with this at start, so a bad sender is named before anything is sent.
pub fn sender(text: &str) -> Result<Mailbox, String> {
    text.parse::<Mailbox>().map_err(|e| {
        format!("'{text}' is not an address like Dignity <no-reply@trust.nhs.uk>: {e}")
    })
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let from = sender(&settings.from).map_err(|e| format!("mail_from {e}"))?;
        // Plain SMTP to a relay the operator trusts; see docs/operations.md.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Mailer { transport, from })
    }
}

impl Relay for Mailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        let to = mail
            .to
            .parse::<Mailbox>()
            .map_err(|e| format!("bad address: {e}"))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone());
        let message = match &mail.attachment {
            None => builder.body(mail.body.clone()),
            Some(file) => {
                let content_type = ContentType::parse(&file.content_type)
                    .map_err(|e| format!("bad attachment type: {e}"))?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(mail.body.clone()))
                        .singlepart(
                            lettre::message::Attachment::new(file.name.clone())
                                .body(file.content.clone(), content_type),
                        ),
                )
            }
        }
        .map_err(|e| format!("could not build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Sends what is due at `now`. Returns (sent, failed).
pub async fn send_due(
    app: &Context,
    mailer: &Mailer,
    now: i64,
) -> Result<(usize, usize), dignity_app::Error> {
    dignity_app::mail::send_due(app, mailer, now).await
}

/// How often the worker looks for staff voice digests that are due.
const DIGEST_LOOK_EVERY: Duration = Duration::from_secs(300);

/// Sends mail every few seconds until the server stops, and writes plan followers' emails
/// once their changes have gathered and staff voice followers' daily digests.
pub async fn run_worker(app: Context, mailer: Mailer, public_url: String) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    let clock = &app.clock;
    // Digests go once a day, so a look every few minutes is soon enough.
    let mut digests_looked_at: Option<std::time::Instant> = None;
    loop {
        tick.tick().await;
        if let Err(e) = crate::plans::follow::send_notices(&app, &public_url, clock.now()).await {
            tracing::warn!(cause = %e, "plan followers' emails could not be written");
        }
        if digests_looked_at.is_none_or(|at| at.elapsed() >= DIGEST_LOOK_EVERY) {
            digests_looked_at = Some(std::time::Instant::now());
            if let Err(e) =
                dignity_app::voice::digest::send_digests(&app, &public_url, clock.now()).await
            {
                tracing::warn!(cause = %e, "staff voice digests could not be written");
            }
        }
        if let Err(e) = crate::events::send_reminders(&app, &public_url, clock.now()).await {
            tracing::warn!(cause = %e, "event reminders could not be written");
        }
        if let Err(e) = crate::er_cases::send_review_reminders(&app, &public_url).await {
            tracing::warn!(cause = %e, "suspension review reminders could not be written");
        }
        if let Err(e) = send_due(&app, &mailer, clock.now()).await {
            tracing::warn!(cause = %e, "the mail outbox could not be read");
        }
    }
}
