//! The workforce measures of the Workforce Race and Disability Equality Standards for one
//! organisation's reporting year, from its imported extracts: WRES 1 to 4 and 9, WDES 1 to
//! 3 and 10 (the survey measures are the survey's). `dignity_engine::workforce` works them
//! out and decides, in one decision over every table of the year, which counts are shown.
//!
//! A reporting year is the twelve months to 31 March, as the national collections count
//! them. Each extract counts in the year its day falls in; where a year has more than one
//! of a kind, the newest is used (a staff-in-post extract of 31 March, usually).

use super::sealed::{Counts as SnapshotCounts, SnapshotKey};
use crate::Error;
use crate::admin::Operator;
use crate::context::Context;
use crate::identity::{CurrentSession, Organisation};
use dignity_crypto::secret::{Digester, InstallationSecret};
use dignity_domain::er_cases::CaseType;
use dignity_domain::identity::{OdsCode, Role};
use dignity_domain::speakup::Day;
use dignity_domain::workforce::{Disability as DisabilityCode, Ethnicity as EthnicityCode};
use dignity_domain::workforce::{PayGrade, WresGroup};
use dignity_engine::disclosure::Minimum;
use dignity_engine::workforce::{
    self as engine, Band, Board, Counts, Disability, Ethnicity, FormalProcess, Indicators,
    Recruitment, Side, StaffInPost, Training, TwoYears, WorkforceYear,
};
use dignity_store::Db;
use dignity_store::er_cases::FormalEntry;
use dignity_store::workforce::{self as store, FormalCount, Kind, Rows, Snapshot};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Who may read an organisation's standards before they are published: those who keep
/// and lead it, and its union partners, who sign the report off with an executive.
pub const READERS: &[Role] = &[Role::OrgAdmin, Role::Executive, Role::UnionPartner];

/// Which standard a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standard {
    Race,
    Disability,
}

impl Standard {
    pub const ALL: [Standard; 2] = [Standard::Race, Standard::Disability];

    /// Its code in addresses and the database.
    pub fn code(self) -> &'static str {
        match self {
            Standard::Race => "wres",
            Standard::Disability => "wdes",
        }
    }

    pub fn from_code(code: &str) -> Option<Standard> {
        Standard::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Standard::Race => "Workforce Race Equality Standard",
            Standard::Disability => "Workforce Disability Equality Standard",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Standard::Race => "WRES",
            Standard::Disability => "WDES",
        }
    }
}

/// The twelve months to 31 March of the year it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportingYear(i64);

impl ReportingYear {
    /// The year ending 31 March `ending`, for years a calendar can hold.
    pub fn ending(ending: i64) -> Option<ReportingYear> {
        (1900..=9998)
            .contains(&ending)
            .then_some(ReportingYear(ending))
    }

    /// The year `day` falls in.
    pub fn of(day: Day) -> ReportingYear {
        let (year, month, _) = day.ymd();
        ReportingYear(if month <= 3 { year } else { year + 1 })
    }

    /// The calendar year it ends in.
    pub fn end_year(self) -> i64 {
        self.0
    }

    pub fn before(self) -> ReportingYear {
        ReportingYear(self.0 - 1)
    }

    pub fn after(self) -> ReportingYear {
        ReportingYear(self.0 + 1)
    }

    /// Whether its figures have settled by `today` ([`ReportingYear::cases_counted_from`]).
    pub fn settled_by(self, today: Day) -> bool {
        self.cases_counted_from().is_some_and(|from| from <= today)
    }

    /// As the national collections write it: "2025/26".
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0 - 1, self.0.rem_euclid(100))
    }

    /// Its last day, 31 March.
    pub fn last_day(self) -> Option<Day> {
        Day::from_ymd(self.0, 3, 31)
    }

    /// The day its formal processes from employee relations cases are first counted: a
    /// month after it ends, so stages entered late still count. Stages written into
    /// Dignity from this day on are left out of it, so the year's figures, once shown,
    /// never move: a reader comparing two days' pages learns nothing about who entered a
    /// formal process between them.
    pub fn cases_counted_from(self) -> Option<Day> {
        self.last_day()
            .map(|day| day.plus_days(CASES_SETTLE_DAYS + 1))
    }
}

/// Days after a reporting year ends in which stages entered into cases still count
/// towards it.
pub const CASES_SETTLE_DAYS: i64 = 30;

/// The formal processes entered in cases that count: those of years whose figures are
/// settled by `today`, written into Dignity before they settled.
fn settled(entries: Vec<FormalEntry>, today: Day) -> Vec<FormalEntry> {
    entries
        .into_iter()
        .filter(|entry| {
            ReportingYear::of(entry.entered_on)
                .cases_counted_from()
                .is_some_and(|from| from <= today && entry.recorded_on < from)
        })
        .collect()
}

/// Which extracts a year's figures come from, by their day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub staff: Option<Day>,
    pub recruitment: Option<Day>,
    pub training: Option<Day>,
    pub board: Option<Day>,
    /// The imported counts of staff entering formal processes, this year and the year
    /// before (WRES 3 and WDES 3 average the two).
    pub formal: Option<Day>,
    pub formal_year_before: Option<Day>,
    /// No counts were imported for the year, so WRES 3 and WDES 3 come from the
    /// organisation's employee relations cases, matched to its staff in post.
    pub formal_from_cases: bool,
    /// No counts were imported for the year and it is not settled: its figures from
    /// employee relations cases are counted from this day.
    pub cases_counted_from: Option<Day>,
}

/// One reporting year's measures.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFigures {
    pub year: ReportingYear,
    pub sources: Sources,
    pub indicators: Indicators,
    /// Measures left out because their files disagree, in words.
    pub problems: Vec<String>,
}

/// An organisation's measures for a year, with the year before beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct Standards {
    pub this_year: YearFigures,
    pub year_before: Option<YearFigures>,
    /// Every year with a staff-in-post extract, newest first, to choose from.
    pub years: Vec<ReportingYear>,
    /// The smallest count shown exactly.
    pub minimum: u64,
    /// Files dated in this year kept but not shown, so the page can say why a source is
    /// missing or older than the newest import (an outside review read "Not imported"
    /// after a held correction).
    pub held: Vec<store::Held>,
}

/// Whether `session` may read the measures of `organisation` before they are published.
pub fn may_read(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, READERS)
}

/// The measures for `year`, or for the newest year with a staff-in-post extract; `None`
/// when there is no staff-in-post extract at all.
pub async fn standards(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    year: Option<ReportingYear>,
) -> Result<Option<Standards>, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    standards_of(ctx, organisation, year).await
}

/// [`standards`] without asking who reads: for the board pack, which is made without a
/// session (on a schedule, or for a reader it has already let in).
pub(crate) async fn standards_of(
    ctx: &Context,
    organisation: &Organisation,
    year: Option<ReportingYear>,
) -> Result<Option<Standards>, Error> {
    let mut extracts =
        Extracts::load(&ctx.db, &ctx.secret, organisation.id, ctx.clock.today()).await?;
    let years = extracts.years();
    let chosen = match year {
        Some(year) if years.contains(&year) => year,
        Some(year) if extracts.has_staff_in(year) => {
            return Err(Error::NotFound(format!(
                "The figures for {} are shown once the year has settled, on {}",
                year.label(),
                year.cases_counted_from()
                    .map(|d| d.long())
                    .unwrap_or_default()
            )));
        }
        Some(year) => {
            return Err(Error::NotFound(format!(
                "There is no staff-in-post extract for {}",
                year.label()
            )));
        }
        None => match years.first() {
            Some(&year) => year,
            None => return Ok(None),
        },
    };
    let Some(this_year) = extracts
        .figures(&ctx.db, ctx.minimums.workforce(), chosen)
        .await?
    else {
        return Ok(None);
    };
    let year_before = extracts
        .figures(&ctx.db, ctx.minimums.workforce(), chosen.before())
        .await?;
    let held = store::held(&ctx.db, organisation.id)
        .await?
        .into_iter()
        .filter(|h| ReportingYear::of(h.as_at) == chosen)
        .collect();
    Ok(Some(Standards {
        this_year,
        year_before,
        years,
        minimum: ctx.minimums.workforce().people(),
        held,
    }))
}

/// The counts of every year with a staff-in-post extract of each of `organisation_ids`,
/// newest first, for [`decide_all`]: the national view reads them without a session. Every
/// organisation's records are read with a few queries in all (a query for each record was
/// most of the time), then opened as each organisation's pages open them.
pub async fn every_year_counted_all(
    db: &Db,
    secret: &InstallationSecret,
    organisation_ids: &[i64],
    today: Day,
) -> Result<Vec<Vec<YearCounts>>, Error> {
    // The list of extracts and their records are read by separate queries; an import in
    // between replaces a record the list named. Reading again then sees the new one.
    let mut tries = 3;
    let (every, read) = loop {
        tries -= 1;
        match gather(db, secret, organisation_ids, today).await? {
            Some(gathered) => break gathered,
            None if tries > 0 => continue,
            None => {
                return Err(Error::Conflict(
                    "Workforce extracts are being imported. Try again in a minute.".into(),
                ));
            }
        }
    };
    // Opening the records is decrypting them, all computing: on every core.
    let read = std::sync::Arc::new(read);
    let runtime = tokio::runtime::Handle::current();
    on_every_core(every, move |(organisation_id, mut extracts)| {
        for (day, bytes) in read.formal.get(&organisation_id).into_iter().flatten() {
            let counts = extracts.key.open_formal(organisation_id, *day, bytes)?;
            extracts.formal.extend(counts);
        }
        let mut years = Vec::new();
        for year in extracts.years() {
            // Nothing is awaited: every record was read already.
            if let Some(year) = runtime.block_on(extracts.counts(Records::Read(&read), year))? {
                years.push(year);
            }
        }
        Ok(years)
    })
    .await
}

/// Every organisation's extracts and the records [`every_year_counted_all`] opens, or
/// `None` when a record the list named was gone by the time it was read.
async fn gather(
    db: &Db,
    secret: &InstallationSecret,
    organisation_ids: &[i64],
    today: Day,
) -> Result<Option<(Vec<(i64, Extracts)>, Read)>, Error> {
    let mut snapshots_of: HashMap<i64, Vec<Snapshot>> = HashMap::new();
    for snapshot in store::every_snapshot(db).await? {
        snapshots_of
            .entry(snapshot.organisation_id)
            .or_default()
            .push(snapshot);
    }
    let mut entries_of: HashMap<i64, Vec<FormalEntry>> = HashMap::new();
    for (organisation_id, entry) in dignity_store::er_cases::every_formal_entry(db).await? {
        entries_of.entry(organisation_id).or_default().push(entry);
    }
    let mut every = Vec::with_capacity(organisation_ids.len());
    let (mut counts_ids, mut rows_ids) = (Vec::new(), Vec::new());
    for &organisation_id in organisation_ids {
        let entries = entries_of.remove(&organisation_id).unwrap_or_default();
        let extracts = Extracts {
            snapshots: snapshots_of.remove(&organisation_id).unwrap_or_default(),
            formal: Vec::new(),
            case_entries: settled(entries, today),
            today,
            cases_digester: crate::justculture::organisation_digester(secret),
            organisation_id,
            key: SnapshotKey::new(secret),
            staff_counts: HashMap::new(),
        };
        // The records `Extracts::counts` opens: every year's newest staff in post (the
        // year before's too, which is a year of its own) and training, and the newest
        // recruitment and board.
        for year in extracts.years() {
            counts_ids.extend(
                [Kind::Staff, Kind::Training]
                    .into_iter()
                    .filter_map(|kind| extracts.newest(kind, year).map(|s| s.id)),
            );
            rows_ids.extend(
                [Kind::Recruitment, Kind::Board]
                    .into_iter()
                    .filter_map(|kind| extracts.newest(kind, year).map(|s| s.id)),
            );
            // A year whose formal processes may come from cases matches them to its staff.
            if extracts.has_case_entries(year) {
                rows_ids.extend(extracts.newest(Kind::Staff, year).map(|s| s.id));
                rows_ids.extend(extracts.leavers_in(year).0.iter().map(|s| s.id));
            }
        }
        every.push((organisation_id, extracts));
    }
    let (formal, counts, rows) = futures_util::future::try_join3(
        store::every_formal_sealed(db),
        store::sealed_counts_of(db, &counts_ids),
        store::sealed_rows_of(db, &rows_ids),
    )
    .await?;
    let mut read = Read {
        counts: counts.into_iter().collect(),
        rows: rows.into_iter().collect(),
        formal: HashMap::new(),
    };
    let named_all =
        |ids: &[i64], found: &HashMap<i64, Vec<u8>>| ids.iter().all(|id| found.contains_key(id));
    if !named_all(&counts_ids, &read.counts) || !named_all(&rows_ids, &read.rows) {
        return Ok(None);
    }
    for (organisation_id, day, bytes) in formal {
        read.formal
            .entry(organisation_id)
            .or_default()
            .push((day, bytes));
    }
    Ok(Some((every, read)))
}

/// `work` done on each of `items` on every core, each worker taking the next item when it
/// is done with one (items differ a great deal in how long they take, and dealt out in
/// turn one core sat idle at the end); the results in the items' order. Blocking threads
/// keep the server answering meanwhile.
pub(crate) async fn on_every_core<T, R, F>(items: Vec<T>, work: F) -> Result<Vec<R>, Error>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Result<R, Error> + Send + Sync + 'static,
{
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = items.len();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(items.into_iter().enumerate()));
    let work = std::sync::Arc::new(work);
    // Set when one item fails or this future is dropped (a request whose caller left), so
    // the other workers stop taking items instead of keeping both cores busy for nothing.
    let stop = StopOnDrop(std::sync::Arc::new(AtomicBool::new(false)));
    let running: Vec<_> = (0..workers.min(count))
        .map(|_| {
            let (queue, work) = (std::sync::Arc::clone(&queue), std::sync::Arc::clone(&work));
            let stop = std::sync::Arc::clone(&stop.0);
            tokio::task::spawn_blocking(move || {
                let mut done = Vec::new();
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(done);
                    }
                    let next = queue
                        .lock()
                        .map_err(|_| Error::Internal("a worker failed".into()))?
                        .next();
                    let Some((i, item)) = next else {
                        return Ok::<_, Error>(done);
                    };
                    match work(item) {
                        Ok(result) => done.push((i, result)),
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                }
            })
        })
        .collect();
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    for job in running {
        let done = job
            .await
            .map_err(|e| Error::Internal(format!("working on every core: {e}")))??;
        for (i, result) in done {
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(result);
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.ok_or_else(|| Error::Internal("an item was not worked on".into())))
        .collect()
}

/// Tells the workers of [`on_every_core`] to stop when dropped.
struct StopOnDrop(std::sync::Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Many organisations' years decided at once, on every core the machine has, each
/// organisation's years in the order given. Each organisation-year's decision stands
/// alone and is all computing (the engine's exact check), so the national view's time
/// divides by the cores; blocking threads keep the server answering meanwhile.
pub async fn decide_all(
    counted: Vec<Vec<YearCounts>>,
    minimum: Minimum,
) -> Result<Vec<Vec<YearFigures>>, Error> {
    let shapes: Vec<usize> = counted.iter().map(Vec::len).collect();
    let years: Vec<YearCounts> = counted.into_iter().flatten().collect();
    let mut decided = on_every_core(years, move |year| year.decide(minimum))
        .await?
        .into_iter();
    Ok(shapes
        .into_iter()
        .map(|years| decided.by_ref().take(years).collect())
        .collect())
}

/// Every year's measures of the organisation `ods`, newest first, for the command line
/// and the benchmark, with `minimum` the smallest count shown.
pub async fn every_year_of(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    minimum: Minimum,
) -> Result<Vec<YearFigures>, Error> {
    every_year_counted_of(operator, secret, ods)
        .await?
        .into_iter()
        .map(|year| year.decide(minimum))
        .collect()
}

/// [`every_year_of`] up to the engine's decisions: every year's counts as read from the
/// database, newest first. The benchmark times the two steps apart.
pub async fn every_year_counted_of(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
) -> Result<Vec<YearCounts>, Error> {
    let organisation = operator.organisation(ods).await?;
    let today = operator.clock().today();
    let mut extracts = Extracts::load(operator.db(), secret, organisation.id, today).await?;
    let mut counted = Vec::new();
    for year in extracts.years() {
        if let Some(year) = extracts.counts(Records::Db(operator.db()), year).await? {
            counted.push(year);
        }
    }
    Ok(counted)
}

/// [`every_year_counted_all`] for the organisations `codes`, in their order, as the
/// national view reads them; the benchmark times it.
pub async fn every_year_counted_of_all(
    operator: &Operator,
    secret: &InstallationSecret,
    codes: &[OdsCode],
) -> Result<Vec<Vec<YearCounts>>, Error> {
    let ids: HashMap<String, i64> = operator
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.ods_code, o.id))
        .collect();
    let ids = codes
        .iter()
        .map(|code| {
            ids.get(code.as_str())
                .copied()
                .ok_or_else(|| Error::NotFound(format!("organisation {code}")))
        })
        .collect::<Result<Vec<i64>, Error>>()?;
    every_year_counted_all(operator.db(), secret, &ids, operator.clock().today()).await
}

/// The staff-in-post snapshot a year's measures are made from, if `snapshot` is one: the
/// workforce page then shows its ethnicity and disability counts as the measures decided
/// them, so the two pages never show one count hidden and the other not.
pub(crate) async fn year_of_staff_snapshot(
    ctx: &Context,
    organisation_id: i64,
    snapshot: &Snapshot,
) -> Result<Option<YearFigures>, Error> {
    let mut extracts =
        Extracts::load(&ctx.db, &ctx.secret, organisation_id, ctx.clock.today()).await?;
    let year = ReportingYear::of(snapshot.as_at);
    if extracts
        .newest(Kind::Staff, year)
        .is_some_and(|chosen| chosen.id == snapshot.id)
    {
        extracts
            .figures(&ctx.db, ctx.minimums.workforce(), year)
            .await
    } else {
        Ok(None)
    }
}

/// A year's staff in post, person by person, with its measures as the equality pages
/// decide them: what the fairness figures of employee relations cases stand on.
pub(crate) struct StaffYear {
    pub(crate) figures: YearFigures,
    pub(crate) as_at: Day,
    pub(crate) people: Vec<store::Staff>,
    /// The year's leavers who are not in `people`: what happened to them in the year
    /// counts, as the standards count it.
    pub(crate) leavers: Leavers,
    /// The year's imported counts of staff entering formal processes, when WRES 3 and
    /// WDES 3 use them: this year's, and the year before's where they add it in.
    pub(crate) imported: Option<Imported>,
}

/// A year's leavers, from its leavers extracts imported before it settled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Leavers {
    /// The days of the extracts counted, newest first.
    pub(crate) counted: Vec<Day>,
    /// The days of extracts dated in the year but imported after it settled: not counted.
    pub(crate) late: Vec<Day>,
    /// Each leaver once (from the newest extract that lists them), less anyone in post.
    pub(crate) people: Vec<store::Staff>,
}

/// Imported formal-process counts: disciplinary by ethnicity, capability by disability.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Imported {
    pub(crate) this_year: (Counts<Ethnicity>, Counts<Disability>),
    pub(crate) year_before: Option<(Counts<Ethnicity>, Counts<Disability>)>,
}

/// Every year with a staff-in-post extract, oldest first.
pub(crate) async fn staff_years(
    db: &Db,
    secret: &InstallationSecret,
    organisation_id: i64,
    today: Day,
    minimum: Minimum,
) -> Result<Vec<StaffYear>, Error> {
    let mut extracts = Extracts::load(db, secret, organisation_id, today).await?;
    let mut years = Vec::new();
    for year in extracts.years().into_iter().rev() {
        if let Some(staff_year) = extracts.staff_year(db, minimum, year).await? {
            years.push(staff_year);
        }
    }
    Ok(years)
}

/// The years with a staff-in-post extract, oldest first, without working out any figures.
pub(crate) async fn years_with_staff(
    db: &Db,
    secret: &InstallationSecret,
    organisation_id: i64,
    today: Day,
) -> Result<Vec<ReportingYear>, Error> {
    let extracts = Extracts::load(db, secret, organisation_id, today).await?;
    Ok(extracts.years().into_iter().rev().collect())
}

/// One year's staff in post with its measures, as [`staff_years`] gives it.
pub(crate) async fn staff_year(
    db: &Db,
    secret: &InstallationSecret,
    organisation_id: i64,
    today: Day,
    minimum: Minimum,
    year: ReportingYear,
) -> Result<Option<StaffYear>, Error> {
    let mut extracts = Extracts::load(db, secret, organisation_id, today).await?;
    extracts.staff_year(db, minimum, year).await
}

impl Extracts {
    async fn staff_year(
        &mut self,
        db: &Db,
        minimum: Minimum,
        year: ReportingYear,
    ) -> Result<Option<StaffYear>, Error> {
        let Some(snapshot) = self.newest(Kind::Staff, year).cloned() else {
            return Ok(None);
        };
        let Some(figures) = self.figures(db, minimum, year).await? else {
            return Ok(None);
        };
        let people = match self.key.rows(db, &snapshot).await? {
            Rows::Staff { people, .. } => people,
            _ => Vec::new(),
        };
        let (counted, late) = self.leavers_in(year);
        let mut seen: std::collections::HashSet<String> =
            people.iter().map(|p| p.person.clone()).collect();
        let mut leavers = Leavers {
            counted: counted.iter().map(|s| s.as_at).collect(),
            late: late.iter().map(|s| s.as_at).collect(),
            people: Vec::new(),
        };
        let counted: Vec<Snapshot> = counted.into_iter().cloned().collect();
        for snapshot in &counted {
            if let Rows::Staff { people: left, .. } = self.key.rows(db, snapshot).await? {
                leavers
                    .people
                    .extend(left.into_iter().filter(|p| seen.insert(p.person.clone())));
            }
        }
        let entered = |year: ReportingYear| {
            self.formal_in(year).map(|(_, counts)| {
                let (disciplinary, capability) =
                    formal(&counts, (Counts::default(), Counts::default()));
                (disciplinary.entered, capability.entered)
            })
        };
        let imported = figures
            .sources
            .formal
            .and(entered(year))
            .map(|this_year| Imported {
                this_year,
                year_before: figures
                    .sources
                    .formal_year_before
                    .and(entered(year.before())),
            });
        Ok(Some(StaffYear {
            figures,
            as_at: snapshot.as_at,
            people,
            leavers,
            imported,
        }))
    }
}

/// The measures of a staff-in-post extract alone (one no year's measures use), for the
/// workforce page.
pub(crate) fn staff_only(people: &[store::Staff], minimum: Minimum) -> Result<Indicators, Error> {
    let year = WorkforceYear {
        staff: staff_in_post(&each_person(people)),
        ..WorkforceYear::default()
    };
    engine::indicators(&year, minimum)
        .map_err(|e| Error::Internal(format!("workforce measures: {e}")))
}

/// One reporting year's counts as read from the database, before the engine decides what
/// is shown ([`YearCounts::decide`]).
#[derive(Debug, Clone)]
pub struct YearCounts {
    year: ReportingYear,
    sources: Sources,
    workforce: WorkforceYear,
}

/// Where the sealed records come from: the database, a query a record (an organisation's
/// pages), or read already for many organisations at once (the national view).
#[derive(Clone, Copy)]
enum Records<'a> {
    Db(&'a Db),
    Read(&'a Read),
}

/// Sealed records read already: by snapshot, and formal-process counts by organisation
/// (newest day first).
struct Read {
    counts: HashMap<i64, Vec<u8>>,
    rows: HashMap<i64, Vec<u8>>,
    formal: HashMap<i64, Vec<(Day, Vec<u8>)>>,
}

impl Records<'_> {
    async fn counts(self, key: &SnapshotKey, snapshot: &Snapshot) -> Result<SnapshotCounts, Error> {
        match self {
            Records::Db(db) => key.counts(db, snapshot).await,
            Records::Read(read) => key.open_counts(snapshot, read_one(&read.counts, snapshot)?),
        }
    }

    async fn rows(self, key: &SnapshotKey, snapshot: &Snapshot) -> Result<Rows, Error> {
        match self {
            Records::Db(db) => key.rows(db, snapshot).await,
            Records::Read(read) => key.open_rows(snapshot, read_one(&read.rows, snapshot)?),
        }
    }
}

fn read_one<'a>(read: &'a HashMap<i64, Vec<u8>>, snapshot: &Snapshot) -> Result<&'a [u8], Error> {
    read.get(&snapshot.id)
        .map(Vec::as_slice)
        .ok_or_else(|| Error::Internal(format!("workforce snapshot {} is not sealed", snapshot.id)))
}

/// An organisation's snapshots and imported formal-process counts.
struct Extracts {
    /// Newest first.
    snapshots: Vec<Snapshot>,
    formal: Vec<FormalCount>,
    /// Formal processes entered in the organisation's employee relations cases, used for a
    /// year with no imported counts: only those of settled years (see [`settled`]).
    case_entries: Vec<FormalEntry>,
    today: Day,
    /// Turns a staff row's digest into the one cases keep.
    cases_digester: Digester,
    organisation_id: i64,
    key: SnapshotKey,
    /// Staff-in-post counts by snapshot, as read so far: last year's staff in post count
    /// towards last year's WRES 1 and this year's formal processes.
    staff_counts: HashMap<i64, Vec<store::StaffCount>>,
}

impl Extracts {
    async fn load(
        db: &Db,
        secret: &InstallationSecret,
        organisation_id: i64,
        today: Day,
    ) -> Result<Extracts, Error> {
        let key = SnapshotKey::new(secret);
        let entries = dignity_store::er_cases::formal_entries(db, organisation_id).await?;
        Ok(Extracts {
            snapshots: store::snapshots(db, organisation_id).await?,
            formal: key.formal(db, organisation_id).await?,
            case_entries: settled(entries, today),
            today,
            cases_digester: crate::justculture::organisation_digester(secret),
            organisation_id,
            key,
            staff_counts: HashMap::new(),
        })
    }

    async fn staff_counts(
        &mut self,
        records: Records<'_>,
        snapshot_id: i64,
    ) -> Result<Vec<store::StaffCount>, Error> {
        if let Some(counts) = self.staff_counts.get(&snapshot_id) {
            return Ok(counts.clone());
        }
        let snapshot = self
            .snapshots
            .iter()
            .find(|s| s.id == snapshot_id)
            .ok_or_else(|| Error::Internal(format!("no workforce snapshot {snapshot_id}")))?;
        let counts = match records.counts(&self.key, snapshot).await? {
            SnapshotCounts::Staff(counts) => counts,
            _ => Vec::new(),
        };
        self.staff_counts.insert(snapshot_id, counts.clone());
        Ok(counts)
    }

    /// Whether any staff-in-post extract is dated in `year`, ended or not.
    fn has_staff_in(&self, year: ReportingYear) -> bool {
        self.snapshots
            .iter()
            .any(|s| s.kind == Kind::Staff && ReportingYear::of(s.as_at) == year)
    }

    /// The years with a staff-in-post extract that have settled, newest first. A year is
    /// shown only once it has settled (a month after it ends), and from then on no import
    /// moves it without saying it is a correction: shown as it went, each import of the
    /// year would move its tables, and a reader comparing them would see the people who
    /// moved them (an outside review read one starter's ethnicity and disability off
    /// WRES 1 so, once during the year and once in the month after it ended). Year on
    /// year, the tables move by a year of joiners and leavers, as the published national
    /// figures do.
    fn years(&self) -> Vec<ReportingYear> {
        let mut years: Vec<ReportingYear> = self
            .snapshots
            .iter()
            .filter(|s| s.kind == Kind::Staff)
            .map(|s| ReportingYear::of(s.as_at))
            .filter(|year| year.settled_by(self.today))
            .collect();
        years.sort_by(|a, b| b.cmp(a));
        years.dedup();
        years
    }

    /// The leavers extracts dated in `year`, newest first: those imported before the year
    /// settled, which count, and those imported after, which do not. A settled year's
    /// figures never move, as with cases entered late: were a later import counted, the
    /// page before and after it would show which groups a leaver with a case was in (an
    /// outside review compared them).
    fn leavers_in(&self, year: ReportingYear) -> (Vec<&Snapshot>, Vec<&Snapshot>) {
        let settled = year.cases_counted_from();
        let mut in_year: Vec<&Snapshot> = self
            .snapshots
            .iter()
            .filter(|s| s.kind == Kind::Leavers && ReportingYear::of(s.as_at) == year)
            .collect();
        in_year.sort_by(|a, b| b.as_at.cmp(&a.as_at).then(b.id.cmp(&a.id)));
        in_year
            .into_iter()
            .partition(|s| settled.is_some_and(|from| s.imported_on < from))
    }

    fn newest(&self, kind: Kind, year: ReportingYear) -> Option<&Snapshot> {
        self.snapshots
            .iter()
            .filter(|s| s.kind == kind && ReportingYear::of(s.as_at) == year)
            .max_by_key(|s| s.as_at)
    }

    /// The newest day of imported formal-process counts in `year`, and its counts (a few
    /// dozen rows, copied so that the staff counts can be read meanwhile).
    fn formal_in(&self, year: ReportingYear) -> Option<(Day, Vec<FormalCount>)> {
        let day = self
            .formal
            .iter()
            .map(|c| c.as_at)
            .filter(|&d| ReportingYear::of(d) == year)
            .max()?;
        Some((
            day,
            self.formal
                .iter()
                .filter(|c| c.as_at == day)
                .cloned()
                .collect(),
        ))
    }

    fn has_case_entries(&self, year: ReportingYear) -> bool {
        self.formal_in(year).is_none()
            && self
                .case_entries
                .iter()
                .any(|e| ReportingYear::of(e.entered_on) == year)
    }

    /// One year's formal processes from the organisation's cases: each person who entered
    /// a formal conduct or performance capability investigation in the year, counted once,
    /// in the group the year's staff in post gives them, or else the year's leavers
    /// extracts ([`Extracts::leavers_in`]). As the standards count it, someone dismissed or
    /// gone before 31 March still counts, over the headcount on that day. Someone in
    /// neither is not counted: their group is not known.
    async fn formal_from_cases(
        &self,
        records: Records<'_>,
        year: ReportingYear,
        staff: &[Counted<'_>],
    ) -> Result<(FormalProcess<Ethnicity>, FormalProcess<Disability>), Error> {
        let mut groups: HashMap<String, (Ethnicity, Disability)> = HashMap::new();
        // Leavers first, oldest extract first, so that a later row wins, and someone who
        // left and came back takes their group from the staff in post.
        let (counted_leavers, _) = self.leavers_in(year);
        let snapshots = counted_leavers
            .into_iter()
            .rev()
            .chain(self.newest(Kind::Staff, year));
        for snapshot in snapshots {
            let Rows::Staff { people, .. } = records.rows(&self.key, snapshot).await? else {
                continue;
            };
            for person in &people {
                let digest = crate::justculture::in_organisation(
                    &self.cases_digester,
                    self.organisation_id,
                    &person.person,
                );
                groups.insert(
                    digest,
                    (
                        ethnicity_group(&person.ethnicity),
                        disability_group(&person.disability),
                    ),
                );
            }
        }
        let mut seen = std::collections::HashSet::new();
        let (mut disciplinary, mut capability) = (Tally::default(), Tally::default());
        for entry in self
            .case_entries
            .iter()
            .filter(|e| ReportingYear::of(e.entered_on) == year)
        {
            let Some((ethnicity, disability)) = groups.get(&entry.person_digest) else {
                continue;
            };
            if !seen.insert((entry.case_type, entry.person_digest.as_str())) {
                continue;
            }
            match entry.case_type {
                CaseType::Conduct => add(&mut disciplinary, *ethnicity, 1),
                CaseType::CapabilityPerformance => add(&mut capability, *disability, 1),
                _ => {}
            }
        }
        let (by_ethnicity, by_disability) = headcounts(staff);
        Ok((
            FormalProcess {
                entered: counts(disciplinary),
                headcount: by_ethnicity,
            },
            FormalProcess {
                entered: counts(capability),
                headcount: by_disability,
            },
        ))
    }

    async fn figures(
        &mut self,
        db: &Db,
        minimum: Minimum,
        year: ReportingYear,
    ) -> Result<Option<YearFigures>, Error> {
        self.counts(Records::Db(db), year)
            .await?
            .map(|counted| counted.decide(minimum))
            .transpose()
    }

    async fn counts(
        &mut self,
        records: Records<'_>,
        year: ReportingYear,
    ) -> Result<Option<YearCounts>, Error> {
        let Some((staff_id, staff_day)) = self.newest(Kind::Staff, year).map(|s| (s.id, s.as_at))
        else {
            return Ok(None);
        };
        let mut sources = Sources {
            staff: Some(staff_day),
            ..Sources::default()
        };
        let staff_counts = self.staff_counts(records, staff_id).await?;
        let staff = counted(&staff_counts);
        let mut workforce = WorkforceYear {
            staff: staff_in_post(&staff),
            ..WorkforceYear::default()
        };

        if let Some(snapshot) = self.newest(Kind::Recruitment, year)
            && let Rows::Recruitment(rows) = records.rows(&self.key, snapshot).await?
        {
            let (by_ethnicity, by_disability) = recruitment(&rows);
            workforce.recruitment_by_ethnicity = Some(by_ethnicity);
            workforce.recruitment_by_disability = Some(by_disability);
            sources.recruitment = Some(snapshot.as_at);
        }
        if let Some(snapshot) = self.newest(Kind::Training, year)
            && let SnapshotCounts::Training(rows) = records.counts(&self.key, snapshot).await?
        {
            workforce.training = Some(training(&rows));
            sources.training = Some(snapshot.as_at);
        }
        if let Some(snapshot) = self.newest(Kind::Board, year)
            && let Rows::Board(seats) = records.rows(&self.key, snapshot).await?
        {
            let (by_ethnicity, by_disability) = board(&seats);
            workforce.board_by_ethnicity = Some(by_ethnicity);
            workforce.board_by_disability = Some(by_disability);
            sources.board = Some(snapshot.as_at);
        }
        if let Some((day, counts)) = self.formal_in(year) {
            sources.formal = Some(day);
            let headcount = headcounts(&staff);
            let this_year = formal(&counts, headcount);
            // The year before counts only with both its counts and its staff in post.
            let before_staff = self.newest(Kind::Staff, year.before()).map(|s| s.id);
            let before = match (self.formal_in(year.before()), before_staff) {
                (Some((day, counts)), Some(snapshot_id)) => {
                    let people = self.staff_counts(records, snapshot_id).await?;
                    sources.formal_year_before = Some(day);
                    Some(formal(&counts, headcounts(&counted(&people))))
                }
                _ => None,
            };
            workforce.disciplinary = Some(TwoYears {
                this_year: this_year.0,
                last_year: before.map(|b| b.0),
            });
            workforce.capability = Some(TwoYears {
                this_year: this_year.1,
                last_year: before.map(|b| b.1),
            });
        } else if self.has_case_entries(year) {
            sources.formal_from_cases = true;
            let this_year = self.formal_from_cases(records, year, &staff).await?;
            let before = match self.newest(Kind::Staff, year.before()).map(|s| s.id) {
                Some(snapshot_id) if self.has_case_entries(year.before()) => {
                    let people = self.staff_counts(records, snapshot_id).await?;
                    Some(
                        self.formal_from_cases(records, year.before(), &counted(&people))
                            .await?,
                    )
                }
                _ => None,
            };
            workforce.disciplinary = Some(TwoYears {
                this_year: this_year.0,
                last_year: before.map(|b| b.0),
            });
            workforce.capability = Some(TwoYears {
                this_year: this_year.1,
                last_year: before.map(|b| b.1),
            });
        } else {
            // Said of every year not yet settled, whether or not any case exists: were it
            // said only once a case reached an investigation, the page would change the day
            // the first one did.
            sources.cases_counted_from =
                year.cases_counted_from().filter(|&from| from > self.today);
        }
        Ok(Some(YearCounts {
            year,
            sources,
            workforce,
        }))
    }
}

impl YearCounts {
    /// The year's measures: the engine decides, in one decision over every table of the
    /// year, which counts are shown.
    pub fn decide(self, minimum: Minimum) -> Result<YearFigures, Error> {
        let YearCounts {
            year,
            mut sources,
            mut workforce,
        } = self;
        let mut problems = Vec::new();
        // Counts from different files can disagree (more staff entering a process than the
        // staff in post say there are): the measure is then left out and the page says why,
        // rather than the whole year failing.
        let indicators = loop {
            match engine::indicators(&workforce, minimum) {
                Ok(indicators) => break indicators,
                Err(problem) => {
                    let dropped = match &problem {
                        engine::WorkforceError::MoreThanThereWere { measure, .. } => {
                            leave_out(&mut workforce, &mut sources, *measure)
                        }
                        engine::WorkforceError::StaffDisagree { .. } => false,
                    };
                    if !dropped {
                        return Err(Error::Internal(format!(
                            "workforce measures for {}: {problem}",
                            year.label()
                        )));
                    }
                    problems.push(problem.to_string());
                }
            }
        };
        Ok(YearFigures {
            year,
            sources,
            indicators,
            problems,
        })
    }
}

/// Leaves out a measure whose counts cannot be right; false if it was not there.
fn leave_out(year: &mut WorkforceYear, sources: &mut Sources, measure: engine::Measure) -> bool {
    use engine::Measure::*;
    match measure {
        AppointmentsByEthnicity | AppointmentsByDisability => {
            sources.recruitment = None;
            year.recruitment_by_ethnicity.take().is_some()
                | year.recruitment_by_disability.take().is_some()
        }
        Disciplinary | Capability => {
            sources.formal = None;
            sources.formal_year_before = None;
            sources.formal_from_cases = false;
            year.disciplinary.take().is_some() | year.capability.take().is_some()
        }
        Training => {
            sources.training = None;
            year.training.take().is_some()
        }
    }
}

pub(crate) fn ethnicity_group(code: &str) -> Ethnicity {
    match EthnicityCode::from_code(code).map(EthnicityCode::wres_group) {
        Some(WresGroup::White) => Ethnicity::White,
        Some(WresGroup::BlackAndMinorityEthnic) => Ethnicity::Bme,
        Some(WresGroup::Unknown) | None => Ethnicity::Unknown,
    }
}

pub(crate) fn disability_group(code: &str) -> Disability {
    match code.parse::<DisabilityCode>() {
        Ok(DisabilityCode::Yes) => Disability::Disabled,
        Ok(DisabilityCode::No) => Disability::NotDisabled,
        Ok(DisabilityCode::NotDeclared) | Err(_) => Disability::Unknown,
    }
}

/// The WRES row a stored pay grade counts in. The import checks every grade, so an
/// unknown one cannot be stored; it would count as "other medical" rather than vanish.
pub(crate) fn band(code: &str) -> Band {
    use PayGrade::*;
    match code.parse::<PayGrade>() {
        Ok(UnderBand1) => Band::UnderBand1,
        Ok(Band1) => Band::Afc1,
        Ok(Band2) => Band::Afc2,
        Ok(Band3) => Band::Afc3,
        Ok(Band4) => Band::Afc4,
        Ok(Band5) => Band::Afc5,
        Ok(Band6) => Band::Afc6,
        Ok(Band7) => Band::Afc7,
        Ok(Band8a) => Band::Afc8a,
        Ok(Band8b) => Band::Afc8b,
        Ok(Band8c) => Band::Afc8c,
        Ok(Band8d) => Band::Afc8d,
        Ok(Band9) => Band::Afc9,
        Ok(Vsm) => Band::VerySeniorManager,
        Ok(Consultant) => Band::Consultant,
        Ok(NonConsultantCareerGrade) => Band::CareerGrade,
        Ok(TraineeGrade) => Band::Trainee,
        Ok(OtherMedical) | Err(_) => Band::OtherMedical,
    }
}

type Tally = [u64; 3];

fn tally<G: engine::Group>(tally: &mut Tally, group: G) {
    if let Some(n) = tally.get_mut(group.index()) {
        *n += 1;
    }
}

fn add<G: engine::Group>(tally: &mut Tally, group: G, n: u64) {
    if let Some(count) = tally.get_mut(group.index()) {
        *count = count.saturating_add(n);
    }
}

fn counts<G: engine::Group>(tally: Tally) -> Counts<G> {
    Counts::from_fn(|g: G| tally.get(g.index()).copied().unwrap_or(0))
}

/// Staff in post who share what the standards count them by, and how many they are.
#[derive(Debug, Clone, Copy)]
struct Counted<'a> {
    pay_grade: &'a str,
    clinical: bool,
    ethnicity: &'a str,
    disability: &'a str,
    people: u64,
}

fn counted(counts: &[store::StaffCount]) -> Vec<Counted<'_>> {
    counts
        .iter()
        .map(|c| Counted {
            pay_grade: &c.pay_grade,
            clinical: c.clinical,
            ethnicity: &c.ethnicity,
            disability: &c.disability,
            people: u64::try_from(c.people).unwrap_or(0),
        })
        .collect()
}

fn each_person(people: &[store::Staff]) -> Vec<Counted<'_>> {
    people
        .iter()
        .map(|p| Counted {
            pay_grade: &p.pay_grade,
            clinical: p.clinical,
            ethnicity: &p.ethnicity,
            disability: &p.disability,
            people: 1,
        })
        .collect()
}

/// The side and band WRES 1 counts a person in.
pub(crate) fn side_and_band(person: &store::Staff) -> (Side, Band) {
    (side(person.clinical), band(&person.pay_grade))
}

fn side(clinical: bool) -> Side {
    if clinical {
        Side::Clinical
    } else {
        Side::NonClinical
    }
}

fn staff_in_post(staff: &[Counted<'_>]) -> Vec<StaffInPost> {
    let mut rows: BTreeMap<(Band, Side), (Tally, Tally)> = BTreeMap::new();
    for c in staff {
        let row = rows
            .entry((band(c.pay_grade), side(c.clinical)))
            .or_default();
        add(&mut row.0, ethnicity_group(c.ethnicity), c.people);
        add(&mut row.1, disability_group(c.disability), c.people);
    }
    rows.into_iter()
        .map(|((band, side), (ethnicity, disability))| StaffInPost {
            band,
            side,
            ethnicity: counts(ethnicity),
            disability: counts(disability),
        })
        .collect()
}

fn headcounts(staff: &[Counted<'_>]) -> (Counts<Ethnicity>, Counts<Disability>) {
    let (mut ethnicity, mut disability) = (Tally::default(), Tally::default());
    for c in staff {
        add(&mut ethnicity, ethnicity_group(c.ethnicity), c.people);
        add(&mut disability, disability_group(c.disability), c.people);
    }
    (counts(ethnicity), counts(disability))
}

fn recruitment(rows: &[store::Recruitment]) -> (Recruitment<Ethnicity>, Recruitment<Disability>) {
    let mut by_ethnicity = (Tally::default(), Tally::default());
    let mut by_disability = (Tally::default(), Tally::default());
    for row in rows {
        let (shortlisted, appointed) = (
            u64::try_from(row.shortlisted).unwrap_or(0),
            u64::try_from(row.appointed).unwrap_or(0),
        );
        let e = ethnicity_group(&row.ethnicity);
        add(&mut by_ethnicity.0, e, shortlisted);
        add(&mut by_ethnicity.1, e, appointed);
        let d = disability_group(&row.disability);
        add(&mut by_disability.0, d, shortlisted);
        add(&mut by_disability.1, d, appointed);
    }
    (
        Recruitment {
            shortlisted: counts(by_ethnicity.0),
            appointed: counts(by_ethnicity.1),
        },
        Recruitment {
            shortlisted: counts(by_disability.0),
            appointed: counts(by_disability.1),
        },
    )
}

fn training(rows: &[store::TrainingCount]) -> Training {
    let (mut headcount, mut accessed) = (Tally::default(), Tally::default());
    for row in rows {
        let (group, people) = (
            ethnicity_group(&row.ethnicity),
            u64::try_from(row.people).unwrap_or(0),
        );
        add(&mut headcount, group, people);
        if row.accessed {
            add(&mut accessed, group, people);
        }
    }
    Training {
        accessed: counts(accessed),
        headcount: counts(headcount),
    }
}

fn board(seats: &[store::BoardSeat]) -> (Board<Ethnicity>, Board<Disability>) {
    let mut ethnicity = (Tally::default(), Tally::default());
    let mut disability = (Tally::default(), Tally::default());
    for seat in seats {
        let (e, d) = (
            ethnicity_group(&seat.ethnicity),
            disability_group(&seat.disability),
        );
        if seat.voting {
            tally(&mut ethnicity.0, e);
            tally(&mut disability.0, d);
        }
        if seat.executive {
            tally(&mut ethnicity.1, e);
            tally(&mut disability.1, d);
        }
    }
    (
        Board {
            voting: counts(ethnicity.0),
            executive: counts(ethnicity.1),
        },
        Board {
            voting: counts(disability.0),
            executive: counts(disability.1),
        },
    )
}

/// One year's formal processes: disciplinary by ethnicity (WRES 3) and capability on
/// grounds of performance by disability (WDES 3), against that year's staff in post.
fn formal(
    counts_of_year: &[FormalCount],
    (by_ethnicity, by_disability): (Counts<Ethnicity>, Counts<Disability>),
) -> (FormalProcess<Ethnicity>, FormalProcess<Disability>) {
    let (mut disciplinary, mut capability) = (Tally::default(), Tally::default());
    for count in counts_of_year {
        let entered = u64::try_from(count.entered).unwrap_or(0);
        match count.process.as_str() {
            "disciplinary" => add(
                &mut disciplinary,
                ethnicity_group(&count.ethnicity),
                entered,
            ),
            "capability" => add(
                &mut capability,
                disability_group(&count.disability),
                entered,
            ),
            _ => {}
        }
    }
    (
        FormalProcess {
            entered: counts(disciplinary),
            headcount: by_ethnicity,
        },
        FormalProcess {
            entered: counts(capability),
            headcount: by_disability,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_count_once_their_year_settles_and_late_writing_does_not_move_them()
    -> Result<(), Box<dyn std::error::Error>> {
        let entry =
            |entered: &str, recorded: &str| -> Result<FormalEntry, Box<dyn std::error::Error>> {
                Ok(FormalEntry {
                    case_type: CaseType::Conduct,
                    person_digest: "someone".into(),
                    entered_on: Day::parse(entered)?,
                    recorded_on: Day::parse(recorded)?,
                })
            };
        let year = ReportingYear::ending(2026).ok_or("a year")?;
        assert_eq!(year.cases_counted_from(), Some(Day::parse("2026-05-01")?));
        let entries = || -> Result<Vec<FormalEntry>, Box<dyn std::error::Error>> {
            Ok(vec![
                entry("2025-06-01", "2025-06-02")?,
                // Entered late, within the month: counts.
                entry("2026-03-30", "2026-04-30")?,
                // Written after the year settled: never counts, so the figure never moves.
                entry("2026-03-30", "2026-05-01")?,
                // This year's: not yet.
                entry("2026-04-02", "2026-04-02")?,
            ])
        };
        assert!(settled(entries()?, Day::parse("2026-04-30")?).is_empty());
        let counted = settled(entries()?, Day::parse("2026-05-01")?);
        assert_eq!(
            counted
                .iter()
                .map(|e| e.recorded_on.to_string())
                .collect::<Vec<_>>(),
            ["2025-06-02", "2026-04-30"]
        );
        assert_eq!(settled(entries()?, Day::parse("2027-05-01")?).len(), 3);
        Ok(())
    }

    #[test]
    fn a_reporting_year_runs_to_the_end_of_march() {
        let day = |s: &str| Day::parse(s).unwrap();
        assert_eq!(ReportingYear::of(day("2026-03-31")).end_year(), 2026);
        assert_eq!(ReportingYear::of(day("2026-04-01")).end_year(), 2027);
        assert_eq!(ReportingYear::of(day("2025-04-01")).end_year(), 2026);
        assert_eq!(ReportingYear::ending(2026).unwrap().label(), "2025/26");
        assert_eq!(ReportingYear::ending(2000).unwrap().label(), "1999/00");
        assert!(ReportingYear::ending(99_999).is_none());
    }

    #[test]
    fn every_stored_grade_has_its_wres_row() {
        for grade in PayGrade::ALL {
            let row = band(grade.code());
            assert_eq!(
                row == Band::OtherMedical,
                *grade == PayGrade::OtherMedical,
                "{grade:?}"
            );
        }
    }
}
