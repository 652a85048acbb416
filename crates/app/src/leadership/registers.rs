//! The registers (docs/leadership.md): the public register, which shows only what signed
//! annual returns said, and the national register for NHS England's analysts, built from
//! the plain parts of every record (never a finding).

use super::declaration_current;
use super::rounds::PublicLine;
use crate::identity::{ANALYSTS, CurrentSession, Organisation};
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::leadership::{self as domain, CheckKind, Conclusion};
use dignity_domain::speakup::Day;
use dignity_store::identity as identity_store;
use dignity_store::leadership::rounds as rounds_store;
use dignity_store::leadership::{self as store, Member, StoredSeat};

/// One organisation's board as its latest signed return published it.
#[derive(Debug, Clone)]
pub struct PublishedBoard {
    pub organisation: Organisation,
    pub year: i64,
    pub signed_on: Day,
    pub lines: Vec<PublicLine>,
}

fn published(
    organisation: Organisation,
    round: &rounds_store::Round,
) -> Result<PublishedBoard, Error> {
    let lines: Vec<PublicLine> = match &round.published {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| Error::Internal(format!("published register: {e}")))?,
        None => Vec::new(),
    };
    Ok(PublishedBoard {
        organisation,
        year: round.year,
        signed_on: round.signed_on.unwrap_or(round.opened_on),
        lines,
    })
}

/// Every organisation with a signed return, by name. Anyone may read this.
pub async fn public_register(ctx: &Context) -> Result<Vec<PublishedBoard>, Error> {
    let organisations = identity_store::list_organisations(&ctx.db).await?;
    let mut boards = Vec::new();
    for round in rounds_store::latest_signed(&ctx.db).await? {
        if let Some(org) = organisations.iter().find(|o| o.id == round.organisation_id) {
            boards.push(published(org.clone(), &round)?);
        }
    }
    boards.sort_by(|a, b| a.organisation.name.cmp(&b.organisation.name));
    Ok(boards)
}

/// One organisation's published board, if it has signed a return.
pub async fn public_board(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<Option<PublishedBoard>, Error> {
    rounds_store::latest_signed(&ctx.db)
        .await?
        .iter()
        .find(|r| r.organisation_id == organisation.id)
        .map(|round| published(organisation.clone(), round))
        .transpose()
}

/// One board member in the national register: only plain parts of their record.
#[derive(Debug, Clone)]
pub struct NationalLine {
    pub name: String,
    pub organisation: Organisation,
    pub seats: Vec<StoredSeat>,
    /// Checks not done or out of date, by name.
    pub checks_due: Vec<CheckKind>,
    pub declared_on: Option<Day>,
    /// The latest concluded assessment: its year, conclusion and day.
    pub assessed: Option<(i64, Conclusion, Day)>,
}

impl NationalLine {
    pub fn declaration_current(&self, today: Day) -> bool {
        declaration_current(self.declared_on, today)
    }
}

/// How many board members a page of the national register shows.
pub const PAGE_SIZE: i64 = 50;

/// One page of the national register: board members matching `query` (a name, or an
/// organisation's name or code), by name, and how many match in all. For national
/// analysts only.
pub async fn national_register(
    ctx: &Context,
    session: &CurrentSession,
    query: &str,
    page: i64,
) -> Result<(Vec<NationalLine>, i64), Error> {
    if !session.has_platform_role(ANALYSTS) {
        return Err(Error::Forbidden);
    }
    let page = page.clamp(1, i64::MAX / PAGE_SIZE);
    let (members, total) =
        store::search_members(&ctx.db, query, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    Ok((lines_for(ctx, members).await?, total))
}

/// Every board member matching `query`, for the download, read a page at a time.
pub async fn national_register_all(
    ctx: &Context,
    session: &CurrentSession,
    query: &str,
) -> Result<Vec<NationalLine>, Error> {
    if !session.has_platform_role(ANALYSTS) {
        return Err(Error::Forbidden);
    }
    const CHUNK: i64 = 500;
    let mut lines = Vec::new();
    let mut offset = 0;
    loop {
        let (members, total) = store::search_members(&ctx.db, query, CHUNK, offset).await?;
        let got = members.len() as i64;
        lines.extend(lines_for(ctx, members).await?);
        offset += CHUNK;
        if got < CHUNK || offset >= total {
            return Ok(lines);
        }
    }
}

/// The plain parts of these members' records.
async fn lines_for(ctx: &Context, members: Vec<Member>) -> Result<Vec<NationalLine>, Error> {
    let today = ctx.clock.today();
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let mut org_ids: Vec<i64> = members.iter().map(|m| m.organisation_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let organisations = identity_store::organisations_by_ids(&ctx.db, &org_ids).await?;
    let seats = store::seats_of_members(&ctx.db, &ids).await?;
    let checks = store::last_checks_of_members(&ctx.db, &ids).await?;
    let declared = store::last_declarations_of_members(&ctx.db, &ids).await?;
    let assessed = rounds_store::latest_conclusions(&ctx.db, &ids).await?;
    let mut lines = Vec::new();
    for member in members {
        let Some(organisation) = organisations
            .iter()
            .find(|o| o.id == member.organisation_id)
        else {
            continue;
        };
        let checks_due = CheckKind::ALL
            .iter()
            .copied()
            .filter(|kind| {
                let done = checks
                    .iter()
                    .find(|(m, k, _)| *m == member.id && k == kind)
                    .map(|(_, _, d)| *d);
                !domain::standing(*kind, done, today).is_current()
            })
            .collect();
        lines.push(NationalLine {
            seats: seats
                .iter()
                .filter(|s| s.member_id == member.id)
                .cloned()
                .collect(),
            checks_due,
            declared_on: declared
                .iter()
                .find(|(m, _)| *m == member.id)
                .map(|(_, d)| *d),
            assessed: assessed
                .iter()
                .find(|(m, ..)| *m == member.id)
                .map(|(_, year, c, on)| (*year, *c, *on)),
            name: member.name,
            organisation: organisation.clone(),
        });
    }
    Ok(lines)
}

/// The national register as a download, one row a member's seat history.
pub fn national_table(lines: &[NationalLine], today: Day) -> Table {
    let rows = lines
        .iter()
        .map(|line| {
            let seats: Vec<String> = line
                .seats
                .iter()
                .map(|s| {
                    format!(
                        "{} ({}) from {}{}",
                        s.seat.title,
                        s.seat.kind.label(),
                        s.seat.starts_on,
                        s.seat
                            .ends_on
                            .map_or_else(String::new, |e| format!(" to {e}"))
                    )
                })
                .collect();
            let due: Vec<&str> = line.checks_due.iter().map(|k| k.label()).collect();
            vec![
                Cell::words(line.name.clone()),
                Cell::words(line.organisation.ods_code.as_str()),
                Cell::words(line.organisation.name.clone()),
                Cell::words(seats.join("; ")),
                Cell::words(if due.is_empty() {
                    "none".to_owned()
                } else {
                    due.join("; ")
                }),
                Cell::words(if line.declaration_current(today) {
                    "yes"
                } else {
                    "no"
                }),
                Cell::words(line.assessed.map_or_else(String::new, |(year, c, on)| {
                    format!("{year}: {} on {on}", c.label())
                })),
            ]
        })
        .collect();
    Table {
        name: "board-members-national-register".into(),
        header: [
            "Board member",
            "ODS code",
            "Organisation",
            "Seats",
            "Checks due",
            "Declaration made this year",
            "Latest assessment",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}
