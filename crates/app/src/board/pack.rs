//! The quarterly board pack (issue 23): one document per organisation and quarter that
//! brings together what each capability publishes about it. Each section is built from
//! the capability's own decided figures (every count of people already through the
//! disclosure module, as its pages show it), and each carries one line, "what this
//! shows", made from those figures by stated rules (docs/board.md), never free text.
//!
//! A reading is made only from figures the pack itself shows: a rule never looks at a
//! hidden count, so the words cannot give away what the table holds back.

mod diagnostics;
mod equality;
mod fairness;
mod outcomes;
mod plans;
mod speak_up;
mod survey;
mod voice;

use crate::identity::{CurrentSession, Organisation};
use crate::mail::NewMail;
use crate::speakup::returns::recent_quarters;
use crate::speakup::signoff::has_ended;
use crate::table::Table;
use crate::{Context, Error};
use dignity_domain::board::first_working_day;
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
pub use dignity_store::board::IssuedPack;
use dignity_store::board::{self as store, NewPack};
use dignity_store::identity as people;
pub use dignity_typeset::Document;
use sha2::{Digest, Sha256};

/// Who reads an organisation's pack, issued or not: its board and the union side. Each
/// section's figures are ones these roles already read on the capability's own pages.
pub const READERS: &[Role] = &[Role::Executive, Role::Chair, Role::UnionPartner];

/// Who issues a pack on demand (and so mails every reader): the board's own members.
pub const ISSUERS: &[Role] = &[Role::Executive, Role::Chair];

/// How many packs people may issue for one organisation in a day: each mails every reader,
/// so an issue button pressed again and again must not flood their inboxes.
pub const ISSUES_A_DAY: i64 = 5;

/// How many days after a quarter's first working day the schedule still issues a pack it
/// has not issued (a server that was down that day). Later, a board issues its own.
pub const CATCH_UP_DAYS: i64 = 14;

pub fn may_read(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, READERS)
}

pub fn may_issue(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, ISSUERS)
}

/// One part of the pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// A stable name: the page's anchor and the start of the workbook's sheet names.
    pub key: &'static str,
    pub title: &'static str,
    /// "What this shows": one line made from the section's shown figures by its rules.
    pub reading: String,
    /// Further plain lines: what the figures rest on, or why something is left out.
    pub notes: Vec<String>,
    pub tables: Vec<PackTable>,
}

impl Section {
    /// A section with nothing in it yet.
    fn new(key: &'static str, title: &'static str) -> Section {
        Section {
            key,
            title,
            reading: String::new(),
            notes: Vec::new(),
            tables: Vec::new(),
        }
    }
}

/// A table of the pack, with the caption a reader sees above it. Its `table.name` is short
/// (at most 24 characters, unique in the pack) as it names the table's workbook sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackTable {
    pub caption: String,
    pub table: Table,
}

/// Every section of an organisation's pack for a quarter, in the order a board reads them.
pub async fn sections(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Vec<Section>, Error> {
    Ok(vec![
        speak_up::section(ctx, organisation, quarter).await?,
        survey::section(ctx, organisation, quarter).await?,
        equality::section(ctx, organisation, quarter).await?,
        fairness::section(ctx, organisation, quarter).await?,
        plans::section(ctx, organisation, quarter).await?,
        diagnostics::section(ctx, organisation, quarter).await?,
        voice::section(ctx, organisation, quarter).await?,
        outcomes::section(ctx, organisation, quarter).await?,
    ])
}

/// An organisation's pack for a quarter, as the figures stand today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    pub organisation: Organisation,
    pub quarter: Quarter,
    pub made_on: Day,
    pub sections: Vec<Section>,
}

/// The quarters a pack can be made for: the last eight to end, newest first.
pub fn quarters(ctx: &Context) -> Vec<Quarter> {
    recent_quarters(ctx.clock.today())
}

/// Makes the pack from today's figures. Only for a quarter that has ended: a quarter under
/// way has no settled figures, and its counts would move as people act.
pub async fn make(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Pack, Error> {
    let today = ctx.clock.today();
    if !has_ended(quarter, today) {
        return Err(Error::NotFound(format!(
            "A board pack is made once its quarter has ended. {} has not ended yet.",
            quarter.months()
        )));
    }
    if !recent_quarters(today).contains(&quarter) {
        return Err(Error::NotFound(format!(
            "A board pack is made for the last eight quarters to end. {} is older.",
            quarter.months()
        )));
    }
    Ok(Pack {
        organisation: organisation.clone(),
        quarter,
        made_on: today,
        sections: sections(ctx, organisation, quarter).await?,
    })
}

/// The pack in words: what its page, its PDF and its workbook all show, and what an
/// issued pack keeps.
pub fn document(pack: &Pack) -> Document {
    let (year, month, day) = pack.made_on.ymd();
    Document {
        title: format!(
            "Board pack: {}, {}",
            pack.organisation.name,
            pack.quarter.months()
        ),
        author: "Dignity".into(),
        lines: vec![
            format!(
                "{} ({}). Quarter: {}.",
                pack.organisation.name,
                pack.organisation.ods_code,
                pack.quarter.months()
            ),
            format!(
                "Made on {} from the figures as they stood that day.",
                pack.made_on.long()
            ),
            "Small numbers of people are hidden everywhere in this pack, as on Dignity's own \
             pages. Each section says how small."
                .into(),
        ],
        sections: pack
            .sections
            .iter()
            .map(|s| dignity_typeset::Section {
                heading: s.title.into(),
                reading: s.reading.clone(),
                notes: s.notes.clone(),
                tables: s
                    .tables
                    .iter()
                    .map(|t| dignity_typeset::Table {
                        name: t.table.name.clone(),
                        caption: t.caption.clone(),
                        header: t.table.header.clone(),
                        rows: t
                            .table
                            .rows
                            .iter()
                            .map(|row| row.iter().map(|c| c.text().to_owned()).collect())
                            .collect(),
                        widths: Vec::new(),
                    })
                    .collect(),
            })
            .collect(),
        date: (
            i32::try_from(year).unwrap_or(2000),
            u8::try_from(month).unwrap_or(1),
            u8::try_from(day).unwrap_or(1),
        ),
    }
}

/// The pack as it would be issued today, for a reader.
pub async fn preview(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Document, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    Ok(document(&make(ctx, organisation, quarter).await?))
}

/// The document as a tagged PDF. Typesetting is a second or so of work: it runs in the
/// bounded place for figures, so many at once cannot stall the pages.
pub async fn pdf(ctx: &Context, document: Document) -> Result<Vec<u8>, Error> {
    ctx.figures
        .run(move || dignity_typeset::pdf(&document))
        .await?
        .map_err(|e| Error::Internal(e.to_string()))
}

/// A pack just issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub id: i64,
    /// The PDF's SHA-256, in hex.
    pub digest: String,
}

/// Issues the pack now, for someone on the board: it is kept as issued, its digest goes
/// into the audit log, and each reader is mailed a link (never the pack itself). A pack the
/// same, word for word, as the newest issued for the quarter is not issued again: that
/// one is returned, and nobody is mailed twice. At most [`ISSUES_A_DAY`] a day.
pub async fn issue_now(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    quarter: Quarter,
    base: &str,
) -> Result<Issued, Error> {
    if !may_issue(session, organisation) {
        return Err(Error::Forbidden);
    }
    issue(
        ctx,
        organisation,
        quarter,
        &session.person.email,
        false,
        base,
    )
    .await?
    .ok_or_else(|| Error::Conflict("The pack was not kept; try again.".into()))
}

async fn issue(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
    actor: &str,
    scheduled: bool,
    base: &str,
) -> Result<Option<Issued>, Error> {
    let document = document(&make(ctx, organisation, quarter).await?);
    let content = serde_json::to_vec(&document).map_err(|e| Error::Internal(e.to_string()))?;
    if !scheduled
        && let Some(newest) =
            store::newest_pack(&ctx.db, organisation.id, &quarter.to_string()).await?
        && *open(
            ctx,
            organisation.id,
            &newest.issued,
            Part::Words,
            &newest.content,
        )? == content
    {
        return Ok(Some(Issued {
            id: newest.issued.id,
            digest: newest.issued.digest,
        }));
    }
    // Only after that: pressing issue on an unchanged pack at the limit gives the pack.
    // Checked here to spare the typesetting, and again as the pack is kept.
    let limit = (!scheduled).then(|| (ctx.clock.now() - 86_400, ISSUES_A_DAY));
    if let Some((since, most)) = limit
        && store::packs_issued_since(&ctx.db, organisation.id, since).await? >= most
    {
        return Err(at_limit(organisation));
    }
    let pdf = pdf(ctx, document).await?;
    let digest = hex::encode(Sha256::digest(&pdf));
    let mut mails = Vec::new();
    for member in people::list_members(&ctx.db, organisation.id).await? {
        if !member.roles.iter().any(|r| READERS.contains(r)) {
            continue;
        }
        if people::get_person(&ctx.db, member.person_id)
            .await?
            .disabled
        {
            continue;
        }
        mails.push(NewMail {
            purpose: format!("board-pack:{}", organisation.id),
            to: member.email,
            subject: format!("Board pack for {}: {}", quarter.months(), organisation.name),
            body: String::new(),
            attachment: None,
        });
    }
    let quarter_code = quarter.to_string();
    let quarter_words = quarter.months();
    let now = ctx.clock.now();
    let sealed_pdf = seal(ctx, organisation.id, &quarter_code, now, Part::Pdf, &pdf)?;
    let sealed_words = seal(
        ctx,
        organisation.id,
        &quarter_code,
        now,
        Part::Words,
        &content,
    )?;
    // The mail names the pack by its number, so it is written once the number is known:
    // the body is filled in below from the id the store returns.
    let id = store::issue(
        &ctx.db,
        &NewPack {
            organisation_id: organisation.id,
            ods_code: &organisation.ods_code,
            quarter: &quarter_code,
            quarter_words: &quarter_words,
            scheduled,
            issued_at: now,
            issued_by: actor,
            digest: &digest,
            pdf: &sealed_pdf,
            content: &sealed_words,
            limit,
        },
        &mails,
        |id| mail_body(base, organisation, &quarter_words, id, &digest),
    )
    .await?;
    match id {
        store::Issue::Issued(id) | store::Issue::Same(id) => Ok(Some(Issued { id, digest })),
        store::Issue::AlreadyScheduled => Ok(None),
        store::Issue::AtLimit => Err(at_limit(organisation)),
    }
}

fn at_limit(organisation: &Organisation) -> Error {
    Error::Conflict(format!(
        "{ISSUES_A_DAY} board packs have been issued for {} in the last day. Each one \
         emails every reader, so no more can be issued until tomorrow. The pack on this \
         page can still be read and downloaded.",
        organisation.name
    ))
}

/// What a reader is mailed: where to read the pack, and the digest to check a copy by.
fn mail_body(
    base: &str,
    organisation: &Organisation,
    quarter: &str,
    id: i64,
    digest: &str,
) -> String {
    format!(
        "The board pack for {name} for {quarter} has been issued.\n\n\
         Sign in to read it, or to download it as a PDF or a spreadsheet:\n\
         {base}/orgs/{ods}/board-packs/{id}\n\n\
         The pack is kept exactly as issued. To check that a copy of its PDF is the one \
         issued, its SHA-256 fingerprint is:\n{digest}\n\n\
         You get this because you are an executive, the chair or a union partner of \
         {name} on Dignity.\n",
        name = organisation.name,
        ods = organisation.ods_code,
        base = base.trim_end_matches('/'),
    )
}

/// Issues every organisation's pack for the quarter just ended, on the new quarter's first
/// working day (or within [`CATCH_UP_DAYS`] after, if no server ran that day). Each
/// organisation's scheduled pack is issued once, however often this runs and on however
/// many servers. Organisations with nobody to read a pack are left out. Returns how many
/// were issued.
pub async fn issue_due(ctx: &Context, base: &str) -> Result<usize, Error> {
    let today = ctx.clock.today();
    let current = Quarter::of(today);
    let Some(first) = first_working_day(current) else {
        return Ok(0);
    };
    if today < first || today.days_since(first) > CATCH_UP_DAYS {
        return Ok(0);
    }
    let quarter = current.previous();
    let code = quarter.to_string();
    let mut issued = 0;
    for organisation in people::list_organisations(&ctx.db).await? {
        if store::scheduled_pack_issued(&ctx.db, organisation.id, &code).await? {
            continue;
        }
        let members = people::list_members(&ctx.db, organisation.id).await?;
        if !members
            .iter()
            .any(|m| m.roles.iter().any(|r| READERS.contains(r)))
        {
            continue;
        }
        // One organisation's failure (a font without some letter, say) must not hold up
        // every organisation after it: it is logged, and tried again next time.
        match issue(ctx, &organisation, quarter, "schedule", true, base).await {
            Ok(Some(_)) => issued += 1,
            Ok(None) => {}
            Err(e) => tracing::warn!(
                organisation = %organisation.ods_code,
                cause = %e,
                "could not issue an organisation's scheduled board pack"
            ),
        }
    }
    Ok(issued)
}

/// An organisation's issued packs, newest first.
pub async fn issued(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
) -> Result<Vec<IssuedPack>, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    Ok(store::packs_of(&ctx.db, organisation.id).await?)
}

/// An issued pack exactly as it was issued.
#[derive(Debug, Clone)]
pub struct KeptPack {
    pub issued: IssuedPack,
    pub document: Document,
    pub pdf: Vec<u8>,
}

/// One issued pack of the organisation.
pub async fn kept(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    id: i64,
) -> Result<KeptPack, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    let Some(stored) = store::pack(&ctx.db, organisation.id, id).await? else {
        return Err(Error::NotFound("There is no such board pack.".into()));
    };
    let words = open(
        ctx,
        organisation.id,
        &stored.issued,
        Part::Words,
        &stored.content,
    )?;
    let document = serde_json::from_slice(&words).map_err(|e| Error::Internal(e.to_string()))?;
    let pdf = open(ctx, organisation.id, &stored.issued, Part::Pdf, &stored.pdf)?;
    Ok(KeptPack {
        issued: stored.issued,
        document,
        pdf: pdf.to_vec(),
    })
}

/// What an issued pack keeps, each sealed on its own.
#[derive(Debug, Clone, Copy)]
enum Part {
    Pdf,
    Words,
}

/// Why the key: a copy of the database without the installation secret must not show the
/// figures that the workforce records behind them keep sealed.
const SEAL_PURPOSE: &str = "dignity board pack v1";

/// Binds a sealed part to its organisation, quarter, moment and part, so a part copied to
/// another row does not open.
fn seal_context(organisation_id: i64, quarter: &str, issued_at: i64, part: Part) -> Vec<u8> {
    format!("board pack|{organisation_id}|{quarter}|{issued_at}|{part:?}").into_bytes()
}

fn seal(
    ctx: &Context,
    organisation_id: i64,
    quarter: &str,
    issued_at: i64,
    part: Part,
    plain: &[u8],
) -> Result<Vec<u8>, Error> {
    let key = ctx.secret.derive(SEAL_PURPOSE);
    Ok(dignity_crypto::sealed::seal(
        &key,
        &seal_context(organisation_id, quarter, issued_at, part),
        plain,
    )?)
}

fn open(
    ctx: &Context,
    organisation_id: i64,
    issued: &IssuedPack,
    part: Part,
    sealed: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let key = ctx.secret.derive(SEAL_PURPOSE);
    Ok(dignity_crypto::sealed::open(
        &key,
        &seal_context(organisation_id, &issued.quarter, issued.issued_at, part),
        sealed,
    )?)
}
