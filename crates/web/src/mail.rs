//! Sending the outbox. A worker on every server takes due mail (leased, so two servers
//! never send the same mail at once), hands it to the SMTP relay, and deletes it once
//! accepted; a relay that is down only delays it. See `dignity_store::mail`.

use dignity_store::Db;
use dignity_store::mail::{self, Mail};
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

/// How long a taken mail is kept from other servers while this one sends it.
const LEASE_SECONDS: i64 = 120;
/// Mails taken per round.
const BATCH: i64 = 200;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| format!("mail_from '{}' is not an address: {e}", settings.from))?;
        // Plain SMTP to a relay the operator trusts; see docs/operations.md.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Mailer { transport, from })
    }

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

/// Sends what is due now. Returns (sent, failed).
pub async fn send_due(
    db: &Db,
    mailer: &Mailer,
    now: i64,
) -> Result<(usize, usize), dignity_store::StoreError> {
    let (mut sent, mut failed) = (0, 0);
    for m in mail::claim_due(db, now, LEASE_SECONDS, BATCH).await? {
        match mailer.send(&m).await {
            Ok(()) => {
                mail::sent(db, m.id).await?;
                sent += 1;
            }
            Err(e) => {
                // The address is not logged: it may say who was invited to a survey.
                tracing::warn!(mail = m.id, attempts = m.attempts + 1, cause = %e, "mail not sent; it will be tried again");
                mail::failed(db, &m, now, &e).await?;
                failed += 1;
            }
        }
    }
    if sent > 0 {
        // A sent mail's row is zeroed in the database file when deleted, but older copies
        // of its page (an invitation's address beside its code) stay in SQLite's log until
        // a checkpoint. Best effort: a busy log is emptied next time.
        let _ = db.checkpoint().await;
    }
    Ok((sent, failed))
}

/// Sends mail every few seconds until the server stops, and writes plan followers' emails
/// once their changes have gathered.
pub async fn run_worker(db: Db, mailer: Mailer, public_url: String, clock: dignity_app::Clock) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(e) = crate::plans::follow::send_notices(&db, &public_url, clock.now()).await {
            tracing::warn!(cause = %e, "plan followers' emails could not be written");
        }
        if let Err(e) = crate::events::send_reminders(&db, &public_url, clock.now()).await {
            tracing::warn!(cause = %e, "event reminders could not be written");
        }
        if let Err(e) = send_due(&db, &mailer, clock.now()).await {
            tracing::warn!(cause = %e, "the mail outbox could not be read");
        }
    }
}
