//! Made-up workforce extracts in ESR's CSV form (docs/workforce.md), for `dignity synth
//! workforce`, the demo and `dignity bench workforce`. One generator serves all three, so
//! the files the benchmark times are the files an operator can write out and import.
//!
//! Realistic in shape and in nothing else: organisations of varied size (a few very large
//! trusts, many mid-sized ones), staff groups and pay bands in roughly national NHS
//! proportions, a BME share from about 10 % to 50 % by organisation, a few per cent of
//! staff disabled and many more not declared. The gaps the WRES and WDES look for are built
//! in, so the indicators have something to find: BME staff are less often in senior bands,
//! less often appointed from shortlisting and a little less often trained; disabled staff
//! lose more days to sickness and disabled applicants are appointed a little less often;
//! BME staff enter the disciplinary process, and disabled staff the capability process,
//! a little more often than others.
//! Employee numbers count up from a made-up start and names are nonsense syllables, so no
//! real person is in any file. The same seed always gives the same files.

use crate::import::Extract as Holds;
use dignity_domain::identity::{OrgType, Region};
use dignity_domain::speakup::Day;
use dignity_domain::workforce::{
    AgeBand, Disability, Ethnicity, FormalProcess, PayGrade, Sex, StaffGroup,
};
use dignity_engine::rng::Rng;

/// The day the latest extracts describe unless told otherwise: the end of the NHS year the
/// 2026 returns cover.
pub const DEFAULT_AS_AT: (i64, i64, i64) = (2026, 3, 31);

/// Made-up ODS codes are `S` and four digits, so no more organisations than this.
pub const MAX_ORGANISATIONS: usize = 9_999;

/// A made-up organisation and the shape of its workforce.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub ods: String,
    pub name: String,
    pub org_type: OrgType,
    pub region: Region,
    pub benchmark_group: String,
    /// Its units, as the `Organisation` column names them.
    pub units: Vec<String>,
    /// Staff in post on the latest day.
    pub headcount: usize,
    places: Places,
    profile: Profile,
    seed: u64,
    /// Its first employee number; each person after counts up from it.
    first_number: u64,
}

/// Where people work, by the positions of the organisation's units: administrative staff
/// often in corporate services and estates staff in estates, when there are such units,
/// and everyone else in the others.
#[derive(Debug, Clone)]
struct Places {
    clinical: Vec<usize>,
    corporate: Option<usize>,
    estates: Option<usize>,
}

const CORPORATE: &str = "Corporate Services";
const ESTATES: &str = "Estates and Facilities";

impl Places {
    fn of(units: &[String]) -> Places {
        let find = |name: &str| units.iter().position(|u| u == name);
        let (corporate, estates) = (find(CORPORATE), find(ESTATES));
        let mut clinical: Vec<usize> = (0..units.len())
            .filter(|u| Some(*u) != corporate && Some(*u) != estates)
            .collect();
        if clinical.is_empty() {
            clinical = (0..units.len()).collect();
        }
        Places {
            clinical,
            corporate,
            estates,
        }
    }

    fn choose(&self, rng: &mut Rng, group: StaffGroup) -> usize {
        match (group, self.corporate, self.estates) {
            (StaffGroup::EstatesAncillary, _, Some(estates)) if rng.unit() < 0.8 => estates,
            (StaffGroup::AdministrativeClerical, Some(corporate), _) if rng.unit() < 0.45 => {
                corporate
            }
            // Earlier units are larger: the first about twice the last.
            _ => {
                let n = self.clinical.len() as f64;
                let weights: Vec<(usize, f64)> = self
                    .clinical
                    .iter()
                    .enumerate()
                    .map(|(i, u)| (*u, 2.0 - i as f64 / n))
                    .collect();
                pick(rng, &weights).unwrap_or(0)
            }
        }
    }
}

/// What makes one organisation's people unlike another's.
#[derive(Debug, Clone, Copy)]
struct Profile {
    /// Of the staff whose ethnicity is stated, the share who are BME.
    bme: f64,
    not_stated: f64,
    disabled: f64,
    not_declared: f64,
    /// The share of last year's staff who left during the year.
    turnover: f64,
    /// Shortlisted applicants for each person who joined.
    shortlisted_per_joiner: f64,
}

impl Profile {
    fn draw(rng: &mut Rng, region: Region) -> Profile {
        // London's workforce is the most ethnically diverse, then the big cities of the
        // Midlands and the North West.
        let (low, high) = match region {
            Region::London => (0.32, 0.52),
            Region::Midlands | Region::NorthWest => (0.14, 0.36),
            _ => (0.08, 0.28),
        };
        Profile {
            bme: low + (high - low) * rng.unit(),
            not_stated: 0.01 + 0.06 * rng.unit(),
            disabled: 0.03 + 0.04 * rng.unit(),
            not_declared: 0.08 + 0.22 * rng.unit(),
            turnover: 0.08 + 0.06 * rng.unit(),
            shortlisted_per_joiner: 2.5 + 1.5 * rng.unit(),
        }
    }
}

/// Mixes a seed with a number, so each organisation (and each use) gets its own stream.
fn mix(seed: u64, n: u64) -> u64 {
    Rng::new(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64()
}

/// Picks one of `choices` by weight; `None` only when there are none.
fn pick<T: Copy>(rng: &mut Rng, choices: &[(T, f64)]) -> Option<T> {
    let total: f64 = choices.iter().map(|(_, w)| w).sum();
    let mut target = rng.unit() * total;
    for &(value, weight) in choices {
        if target < weight {
            return Some(value);
        }
        target -= weight;
    }
    choices.last().map(|(value, _)| *value)
}

const TOWNS: [&str; 20] = [
    "Ash", "Bram", "Cal", "Dun", "Elm", "Fern", "Glen", "Hollin", "Ivy", "Kes", "Lark", "Mar",
    "Nor", "Oak", "Pen", "Quar", "Rav", "Stan", "Thorn", "Wil",
];
const TOWN_ENDS: [&str; 14] = [
    "brook", "by", "field", "ford", "ham", "ley", "mouth", "stead", "ton", "wick", "worth", "dale",
    "mere", "gate",
];

/// The units an organisation of this kind is divided into, the largest first. Every list
/// ends with the corporate and estates units, where most administrative and estates staff
/// work.
pub fn unit_names(org_type: OrgType) -> &'static [&'static str] {
    match org_type {
        OrgType::Acute | OrgType::Icb => &[
            "Medicine",
            "Surgery",
            "Emergency Care",
            "Women and Children",
            "Clinical Support Services",
            "Cancer Services",
            "Critical Care",
            "Outpatients",
            CORPORATE,
            ESTATES,
        ],
        OrgType::AcuteSpecialist => &[
            "Cardiothoracic Services",
            "Cancer Services",
            "Neurosciences",
            "Clinical Support Services",
            "Research and Innovation",
            CORPORATE,
            ESTATES,
        ],
        OrgType::MentalHealth => &[
            "Adult Community Mental Health",
            "Inpatient Services",
            "Older People's Services",
            "Children and Young People",
            "Learning Disabilities",
            "Forensic Services",
            CORPORATE,
            ESTATES,
        ],
        OrgType::Community => &[
            "Adult Community Services",
            "Children's Community Services",
            "Community Hospitals",
            "Dental Services",
            CORPORATE,
            ESTATES,
        ],
        OrgType::Ambulance => &[
            "North Sector Operations",
            "South Sector Operations",
            "Emergency Operations Centre",
            "NHS 111",
            "Patient Transport",
            CORPORATE,
            ESTATES,
        ],
    }
}

fn benchmark_group(org_type: OrgType) -> &'static str {
    match org_type {
        OrgType::Acute => "Acute and acute & community trusts",
        OrgType::AcuteSpecialist => "Acute specialist trusts",
        OrgType::MentalHealth => "Mental health and learning disability trusts",
        OrgType::Community => "Community trusts",
        OrgType::Ambulance => "Ambulance trusts",
        OrgType::Icb => "Integrated care boards",
    }
}

fn name_suffix(org_type: OrgType) -> &'static str {
    match org_type {
        OrgType::Acute => "Hospitals NHS Trust",
        OrgType::AcuteSpecialist => "Specialist Hospital NHS Foundation Trust",
        OrgType::MentalHealth => "Mental Health NHS Foundation Trust",
        OrgType::Community => "Community Health NHS Trust",
        OrgType::Ambulance => "Ambulance Service NHS Trust",
        OrgType::Icb => "Integrated Care Board",
    }
}

/// `count` made-up organisations sharing `people` staff in post between them.
pub fn organisations(count: usize, people: usize, seed: u64) -> Vec<Organisation> {
    let count = count.min(MAX_ORGANISATIONS);
    let mut rng = Rng::new(mix(seed, 1));
    // Every town name once, in an order the seed decides.
    let mut towns: Vec<String> = TOWNS
        .iter()
        .flat_map(|t| TOWN_ENDS.iter().map(move |e| format!("{t}{e}")))
        .collect();
    for i in (1..towns.len()).rev() {
        towns.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let drafts: Vec<(OrgType, Region, f64)> = (0..count)
        .map(|_| {
            let org_type = pick(
                &mut rng,
                &[
                    (OrgType::Acute, 0.55),
                    (OrgType::AcuteSpecialist, 0.07),
                    (OrgType::MentalHealth, 0.2),
                    (OrgType::Community, 0.1),
                    (OrgType::Ambulance, 0.08),
                ],
            )
            .unwrap_or(OrgType::Acute);
            let region = Region::ALL
                .get(rng.below(Region::ALL.len() as u64) as usize)
                .copied()
                .unwrap_or(Region::London);
            let kind_size = match org_type {
                OrgType::Acute => 1.3,
                OrgType::Ambulance => 0.9,
                OrgType::MentalHealth => 0.8,
                _ => 0.6,
            };
            // Sizes spread as trusts' do: most mid-sized, a long tail of large ones, and
            // a few very large teaching trusts.
            let very_large = if rng.unit() < 0.03 { 3.0 } else { 1.0 };
            (
                org_type,
                region,
                kind_size * very_large * (0.55 * rng.normal()).exp(),
            )
        })
        .collect();
    let total: f64 = drafts.iter().map(|d| d.2).sum();
    let mut sizes: Vec<usize> = drafts
        .iter()
        .map(|d| (people as f64 * d.2 / total.max(f64::MIN_POSITIVE)) as usize)
        .collect();
    // What rounding down left over goes to the largest, so the sizes add up to `people`.
    let left = people.saturating_sub(sizes.iter().sum());
    if let Some(largest) = sizes.iter_mut().max() {
        *largest += left;
    }
    let mut first_number = 30_000_000 + rng.below(1_000_000);
    drafts
        .into_iter()
        .zip(sizes)
        .enumerate()
        .map(|(i, ((org_type, region, _), headcount))| {
            let town = towns.get(i % towns.len()).cloned().unwrap_or_default();
            let town = if i < towns.len() {
                town
            } else {
                format!("{town} {}", i / towns.len() + 1)
            };
            let names = unit_names(org_type);
            // Larger organisations have more units; corporate and estates always.
            let clinical = names.len().saturating_sub(2);
            let wanted = (3 + headcount / 2_500).min(clinical);
            let units: Vec<String> = names
                .iter()
                .take(wanted)
                .chain(names.iter().skip(clinical))
                .map(|u| (*u).to_owned())
                .collect();
            let org_seed = mix(seed, i as u64 + 2);
            let org = Organisation {
                ods: format!("S{:04}", i + 1),
                name: format!("{town} {} (synthetic)", name_suffix(org_type)),
                org_type,
                region,
                benchmark_group: benchmark_group(org_type).to_owned(),
                places: Places::of(&units),
                units,
                headcount,
                profile: Profile::draw(&mut Rng::new(org_seed), region),
                seed: org_seed,
                first_number,
            };
            // Room for last year's staff and this year's joiners.
            first_number += (headcount as u64) * 2 + 1_000;
            org
        })
        .collect()
}

impl Organisation {
    /// A made-up workforce for an organisation that exists already, such as a demo
    /// trust: its staff work in `units`.
    pub fn existing(
        ods: &str,
        name: &str,
        org_type: OrgType,
        region: Region,
        units: Vec<String>,
        headcount: usize,
        seed: u64,
    ) -> Organisation {
        let seed = mix(seed, ods.bytes().fold(0, |h, b| h * 131 + u64::from(b)));
        Organisation {
            ods: ods.to_owned(),
            name: name.to_owned(),
            org_type,
            region,
            benchmark_group: benchmark_group(org_type).to_owned(),
            places: Places::of(&units),
            units,
            headcount,
            profile: Profile::draw(&mut Rng::new(seed), region),
            seed,
            first_number: 40_000_000 + seed % 1_000_000 * 10,
        }
    }

    /// The organisation's people over the year to `as_at`: last year's staff in post, who
    /// left, who joined, who was shortlisted, who trained, and the board.
    pub fn workforce(&self, as_at: Day) -> Workforce {
        Workforce::generate(self, as_at)
    }
}

/// One made-up member of staff.
#[derive(Debug, Clone)]
struct Person {
    number: u64,
    unit: usize,
    group: StaffGroup,
    grade: Grade,
    ethnicity: Ethnicity,
    disability: Disability,
    sex: Sex,
    age: AgeBand,
    started: Day,
    wte: f64,
    days_lost: f64,
    trained: bool,
    leaving: Option<(Day, &'static str)>,
}

/// A pay band, or a doctor's grade as ESR names it.
#[derive(Debug, Clone, Copy)]
enum Grade {
    Band(PayGrade),
    Medical(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Applicant {
    ethnicity: Ethnicity,
    disability: Disability,
    appointed: bool,
}

/// A member of staff who entered a formal process.
#[derive(Debug, Clone, Copy)]
struct Entered {
    ethnicity: Ethnicity,
    disability: Disability,
    process: FormalProcess,
}

#[derive(Debug, Clone, Copy)]
struct Seat {
    ethnicity: Ethnicity,
    disability: Disability,
    voting: bool,
    executive: bool,
}

/// One organisation's made-up year, ready to be written as extracts.
#[derive(Debug, Clone)]
pub struct Workforce {
    pub as_at: Day,
    pub last_year: Day,
    units: Vec<String>,
    previous: Vec<Person>,
    staff: Vec<Person>,
    leavers: Vec<Person>,
    applicants: Vec<Applicant>,
    board: Vec<Seat>,
    /// Staff who entered a formal process in the year to `last_year`, and in the year to
    /// `as_at`.
    formal_last_year: Vec<Entered>,
    formal: Vec<Entered>,
}

/// One file, as `dignity import workforce` takes it.
#[derive(Debug, Clone)]
pub struct Extract {
    /// What it holds: the `--extract` to import it with.
    pub kind: Holds,
    pub as_at: Day,
    pub csv: Vec<u8>,
}

impl Extract {
    /// `staff-2026-03-31.csv`: what it holds and its day, which `--extract` and `--as-at`
    /// take.
    pub fn file_name(&self) -> String {
        format!("{}-{}.csv", self.kind.code(), self.as_at)
    }
}

/// The same day a year earlier (28 February for 29 February).
fn year_before(day: Day) -> Day {
    let (y, m, d) = day.ymd();
    Day::from_ymd(y - 1, m, d)
        .or_else(|| Day::from_ymd(y - 1, m, d - 1))
        .unwrap_or_else(|| day.plus_days(-365))
}

impl Workforce {
    /// Everyone in post on `as_at`: their employee number and WRES group, for made-up
    /// employee relations cases about them.
    pub fn staff_numbers(&self) -> Vec<(String, dignity_domain::workforce::WresGroup)> {
        self.staff
            .iter()
            .map(|p| (p.number.to_string(), p.ethnicity.wres_group()))
            .collect()
    }

    /// The year's leavers dismissed for their conduct: employee number, WRES group and the
    /// day they left.
    pub fn dismissed_for_conduct(
        &self,
    ) -> Vec<(String, dignity_domain::workforce::WresGroup, Day)> {
        self.leavers
            .iter()
            .filter_map(|p| match p.leaving {
                Some((day, "Dismissal - Conduct")) => {
                    Some((p.number.to_string(), p.ethnicity.wres_group(), day))
                }
                _ => None,
            })
            .collect()
    }

    fn generate(org: &Organisation, as_at: Day) -> Workforce {
        let mut rng = Rng::new(org.seed);
        let profile = org.profile;
        let last_year = year_before(as_at);
        let mut number = org.first_number;
        let mut next_number = || {
            number += 1;
            number
        };
        // A little growth over the year, as most trusts have had.
        let before = (org.headcount as f64 / 1.02).round() as usize;
        let previous: Vec<Person> = (0..before)
            .map(|_| person(&mut rng, org, next_number(), last_year, None))
            .collect();
        let mut staff = Vec::with_capacity(org.headcount);
        let mut leavers = Vec::new();
        let days_in_year = as_at.days_since(last_year).max(1);
        for p in &previous {
            let mut leaves = profile.turnover;
            if matches!(
                p.age,
                AgeBand::UpTo20 | AgeBand::From21To25 | AgeBand::From26To30
            ) {
                leaves *= 1.3;
            }
            if matches!(
                p.age,
                AgeBand::From61To65 | AgeBand::From66To70 | AgeBand::From71
            ) {
                leaves *= 2.0;
            }
            if p.group == StaffGroup::Students {
                leaves *= 2.0;
            }
            if rng.unit() < leaves {
                let day = last_year.plus_days(1 + rng.below(days_in_year as u64) as i64);
                let reason = leaving_reason(&mut rng, p);
                leavers.push(Person {
                    leaving: Some((day, reason)),
                    ..p.clone()
                });
            } else {
                let mut stayer = p.clone();
                // A year older: a fifth of people move up an age band.
                if rng.unit() < 0.2 {
                    stayer.age = older(stayer.age);
                }
                stayer.days_lost = days_lost(&mut rng, stayer.disability);
                stayer.trained = trained(&mut rng, stayer.ethnicity);
                staff.push(stayer);
            }
        }
        let joiners = org.headcount.saturating_sub(staff.len());
        for _ in 0..joiners {
            let started = last_year.plus_days(1 + rng.below(days_in_year as u64) as i64);
            staff.push(person(&mut rng, org, next_number(), as_at, Some(started)));
        }
        let applicants = applicants(&mut rng, profile, joiners);
        let board = board(&mut rng, profile);
        // A stream of its own, so the other files are what they were before these were
        // made. Last year's are drawn from the staff in post at its end, this year's from
        // everyone employed during it.
        let mut formal_rng = Rng::new(mix(org.seed, 3));
        let formal_last_year = formal_entries(&mut formal_rng, &previous);
        let formal = formal_entries(&mut formal_rng, staff.iter().chain(&leavers));
        Workforce {
            as_at,
            last_year,
            units: org.units.clone(),
            previous,
            staff,
            leavers,
            applicants,
            board,
            formal_last_year,
            formal,
        }
    }

    /// Staff in post on the latest day.
    pub fn staff_csv(&self) -> Vec<u8> {
        staff_csv(&self.units, &self.staff, false)
    }

    pub fn staff_rows(&self) -> usize {
        self.staff.len()
    }

    /// Every extract: last year's and this year's staff in post, the year's leavers,
    /// shortlisted applicants and training, the board, and the staff entering formal
    /// processes in each of the two years.
    /// In the order a trust loading settled years for the first time imports them: the
    /// older year first, and in each year the staff in post last, because once a settled
    /// year has staff in post its figures are shown and a first file of another kind
    /// would move them (docs/workforce.md, "Settled years").
    pub fn extracts(&self) -> Vec<Extract> {
        let extract = |kind, as_at, csv| Extract { kind, as_at, csv };
        vec![
            extract(
                Holds::Formal,
                self.last_year,
                formal_csv(&self.formal_last_year),
            ),
            extract(
                Holds::Staff,
                self.last_year,
                staff_csv(&self.units, &self.previous, false),
            ),
            extract(
                Holds::Leavers,
                self.as_at,
                staff_csv(&self.units, &self.leavers, true),
            ),
            extract(Holds::Recruitment, self.as_at, self.recruitment_csv()),
            extract(Holds::Training, self.as_at, self.training_csv()),
            extract(Holds::Board, self.as_at, self.board_csv()),
            extract(Holds::Formal, self.as_at, formal_csv(&self.formal)),
            extract(Holds::Staff, self.as_at, self.staff_csv()),
        ]
    }

    fn recruitment_csv(&self) -> Vec<u8> {
        let mut csv = Csv::new(&["Ethnic Origin", "Disability Flag", "Appointed"]);
        for a in &self.applicants {
            csv.cell(ethnicity_text(a.ethnicity));
            csv.cell(disability_text(a.disability));
            csv.cell(if a.appointed { "Yes" } else { "No" });
            csv.end_row();
        }
        csv.into_bytes()
    }

    fn training_csv(&self) -> Vec<u8> {
        let mut csv = Csv::new(&["Employee Number", "Ethnic Origin", "Accessed Training"]);
        for p in &self.staff {
            csv.cell(&p.number.to_string());
            csv.cell(ethnicity_text(p.ethnicity));
            csv.cell(if p.trained { "Yes" } else { "No" });
            csv.end_row();
        }
        csv.into_bytes()
    }

    fn board_csv(&self) -> Vec<u8> {
        let mut csv = Csv::new(&["Ethnic Origin", "Disability Flag", "Voting", "Executive"]);
        for seat in &self.board {
            csv.cell(ethnicity_text(seat.ethnicity));
            csv.cell(disability_text(seat.disability));
            csv.cell(if seat.voting { "Voting" } else { "Non-voting" });
            csv.cell(if seat.executive {
                "Executive"
            } else {
                "Non-executive"
            });
            csv.end_row();
        }
        csv.into_bytes()
    }
}

/// The staff who entered a formal process, one row each, as an employee-relations report
/// lists them (without the identifiers, which are not read).
fn formal_csv(entered: &[Entered]) -> Vec<u8> {
    let mut csv = Csv::new(&["Ethnic Origin", "Disability Flag", "Formal Process"]);
    for e in entered {
        csv.cell(ethnicity_text(e.ethnicity));
        csv.cell(disability_text(e.disability));
        csv.cell(match e.process {
            FormalProcess::Disciplinary => "Disciplinary",
            FormalProcess::Capability => "Capability - Performance",
        });
        csv.end_row();
    }
    csv.into_bytes()
}

/// A CSV file being written. No value the generator writes holds a comma or a quote
/// except where [`Csv::cell`] quotes it.
struct Csv {
    text: String,
    row_started: bool,
}

impl Csv {
    fn new(headings: &[&str]) -> Csv {
        let mut csv = Csv {
            text: String::with_capacity(1 << 16),
            row_started: false,
        };
        for heading in headings {
            csv.cell(heading);
        }
        csv.end_row();
        csv
    }

    fn cell(&mut self, value: &str) {
        if self.row_started {
            self.text.push(',');
        }
        self.row_started = true;
        if value.contains([',', '"']) {
            self.text.push('"');
            self.text.push_str(&value.replace('"', "\"\""));
            self.text.push('"');
        } else {
            self.text.push_str(value);
        }
    }

    fn end_row(&mut self) {
        self.text.push_str("\r\n");
        self.row_started = false;
    }

    fn into_bytes(self) -> Vec<u8> {
        self.text.into_bytes()
    }
}

/// ESR's day-first dates.
fn date_text(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{d:02}/{m:02}/{y}")
}

fn staff_csv(units: &[String], people: &[Person], leavers: bool) -> Vec<u8> {
    let mut headings = vec![
        "Employee Number",
        "Full Name",
        "Organisation",
        "Staff Group",
        "Pay Band",
        "Grade",
        "Ethnic Origin",
        "Disability Flag",
        "Gender",
        "Age Band",
        "Date First Hired",
        "Contracted WTE",
        "FTE Days Lost",
    ];
    if leavers {
        headings.extend(["Termination Date", "Reason for Leaving"]);
    }
    let mut csv = Csv::new(&headings);
    csv.text.reserve(people.len() * 200);
    for p in people {
        csv.cell(&p.number.to_string());
        csv.cell(&made_up_name(p.number));
        csv.cell(units.get(p.unit).map_or("", String::as_str));
        csv.cell(p.group.label());
        match p.grade {
            Grade::Band(band) => {
                csv.cell(band.wres_band());
                csv.cell("");
            }
            Grade::Medical(grade) => {
                csv.cell("");
                csv.cell(grade);
            }
        }
        csv.cell(ethnicity_text(p.ethnicity));
        csv.cell(disability_text(p.disability));
        csv.cell(match p.sex {
            Sex::Female => "Female",
            Sex::Male => "Male",
            Sex::Other => "Indeterminate",
            Sex::NotKnown => "Unknown",
        });
        csv.cell(age_text(p.age));
        csv.cell(&date_text(p.started));
        csv.cell(&format!("{:.2}", p.wte));
        csv.cell(&format!("{:.1}", p.days_lost));
        if let Some((day, reason)) = p.leaving.filter(|_| leavers) {
            csv.cell(&date_text(day));
            csv.cell(reason);
        }
        csv.end_row();
    }
    csv.into_bytes()
}

/// Two words no one is called, made from the employee number: the extract has a name
/// column, as ESR's reports do, only to show that it is never read.
fn made_up_name(number: u64) -> String {
    const SYLLABLES: [&str; 16] = [
        "zib", "quor", "blix", "wemb", "prang", "fiz", "gloob", "snark", "tiv", "yod", "mup",
        "krell", "vorp", "jax", "plim", "drib",
    ];
    let syllable = |n: u64| SYLLABLES.get((n % 16) as usize).copied().unwrap_or("zib");
    let n = mix(number, 7);
    let mut name = String::with_capacity(24);
    for (i, shift) in [0, 4, 8, 12, 16].into_iter().enumerate() {
        let s = syllable(n >> shift);
        if i == 0 || i == 2 {
            if i == 2 {
                name.push(' ');
            }
            let mut chars = s.chars();
            if let Some(first) = chars.next() {
                name.extend(first.to_uppercase());
                name.push_str(chars.as_str());
            }
        } else {
            name.push_str(s);
        }
    }
    name
}

/// Ethnicity as ESR prints it: the national code, then its words.
fn ethnicity_text(ethnicity: Ethnicity) -> &'static str {
    match ethnicity {
        Ethnicity::WhiteBritish => "A White - British",
        Ethnicity::WhiteIrish => "B White - Irish",
        Ethnicity::WhiteGypsyOrIrishTraveller => "White - Gypsy or Irish Traveller",
        Ethnicity::WhiteRoma => "White - Roma",
        Ethnicity::WhiteOther => "C White - Any other White background",
        Ethnicity::MixedWhiteAndBlackCaribbean => "D Mixed - White & Black Caribbean",
        Ethnicity::MixedWhiteAndBlackAfrican => "E Mixed - White & Black African",
        Ethnicity::MixedWhiteAndAsian => "F Mixed - White & Asian",
        Ethnicity::MixedOther => "G Mixed - Any other mixed background",
        Ethnicity::AsianIndian => "H Asian or Asian British - Indian",
        Ethnicity::AsianPakistani => "J Asian or Asian British - Pakistani",
        Ethnicity::AsianBangladeshi => "K Asian or Asian British - Bangladeshi",
        Ethnicity::AsianOther => "L Asian or Asian British - Any other Asian background",
        Ethnicity::BlackCaribbean => "M Black or Black British - Caribbean",
        Ethnicity::BlackAfrican => "N Black or Black British - African",
        Ethnicity::BlackOther => "P Black or Black British - Any other Black background",
        Ethnicity::Chinese => "R Chinese",
        Ethnicity::Arab => "Other ethnic group: Arab",
        Ethnicity::OtherEthnicGroup => "S Any Other Ethnic Group",
        Ethnicity::NotStated => "Z Not Stated",
        Ethnicity::NotKnown => "Unspecified",
    }
}

fn disability_text(disability: Disability) -> &'static str {
    match disability {
        Disability::Yes => "Yes",
        Disability::No => "No",
        Disability::NotDeclared => "Not Declared",
    }
}

fn age_text(age: AgeBand) -> &'static str {
    match age {
        AgeBand::UpTo20 => "<=20 Years",
        AgeBand::From21To25 => "21-25",
        AgeBand::From26To30 => "26-30",
        AgeBand::From31To35 => "31-35",
        AgeBand::From36To40 => "36-40",
        AgeBand::From41To45 => "41-45",
        AgeBand::From46To50 => "46-50",
        AgeBand::From51To55 => "51-55",
        AgeBand::From56To60 => "56-60",
        AgeBand::From61To65 => "61-65",
        AgeBand::From66To70 => "66-70",
        AgeBand::From71 => ">=71 Years",
        AgeBand::NotKnown => "",
    }
}

fn older(age: AgeBand) -> AgeBand {
    let bands = AgeBand::ALL;
    bands
        .iter()
        .position(|b| *b == age)
        .and_then(|i| bands.get(i + 1))
        .copied()
        .filter(|b| *b != AgeBand::NotKnown)
        .unwrap_or(age)
}

/// The mix of staff groups, by kind of organisation (shares of headcount, roughly as NHS
/// England's workforce statistics have them).
fn staff_groups(org_type: OrgType) -> &'static [(StaffGroup, f64)] {
    use StaffGroup::*;
    match org_type {
        OrgType::Ambulance => &[
            (AlliedHealthProfessionals, 0.30),
            (AdditionalClinicalServices, 0.32),
            (AdministrativeClerical, 0.24),
            (NursingMidwiferyRegistered, 0.05),
            (EstatesAncillary, 0.05),
            (MedicalDental, 0.005),
            (AddProfScientificTechnical, 0.01),
            (Students, 0.02),
        ],
        OrgType::MentalHealth => &[
            (NursingMidwiferyRegistered, 0.25),
            (AdditionalClinicalServices, 0.29),
            (AdministrativeClerical, 0.22),
            (AddProfScientificTechnical, 0.09),
            (AlliedHealthProfessionals, 0.06),
            (MedicalDental, 0.05),
            (EstatesAncillary, 0.035),
            (Students, 0.005),
        ],
        OrgType::Community => &[
            (NursingMidwiferyRegistered, 0.29),
            (AdditionalClinicalServices, 0.2),
            (AlliedHealthProfessionals, 0.19),
            (AdministrativeClerical, 0.21),
            (MedicalDental, 0.04),
            (AddProfScientificTechnical, 0.04),
            (EstatesAncillary, 0.025),
            (Students, 0.005),
        ],
        _ => &[
            (NursingMidwiferyRegistered, 0.27),
            (AdditionalClinicalServices, 0.21),
            (AdministrativeClerical, 0.21),
            (MedicalDental, 0.11),
            (AlliedHealthProfessionals, 0.07),
            (EstatesAncillary, 0.06),
            (AddProfScientificTechnical, 0.04),
            (HealthcareScientists, 0.025),
            (Students, 0.005),
        ],
    }
}

/// Bands within each group, most staff in the middle bands and few at the top.
fn bands(group: StaffGroup) -> &'static [(PayGrade, f64)] {
    use PayGrade::*;
    match group {
        StaffGroup::NursingMidwiferyRegistered => &[
            (Band5, 43.0),
            (Band6, 33.0),
            (Band7, 16.0),
            (Band8a, 5.5),
            (Band8b, 1.6),
            (Band8c, 0.6),
            (Band8d, 0.2),
            (Band9, 0.1),
        ],
        StaffGroup::AdditionalClinicalServices => &[
            (Band1, 0.5),
            (Band2, 33.0),
            (Band3, 40.0),
            (Band4, 21.0),
            (Band5, 4.5),
            (Band6, 1.0),
        ],
        StaffGroup::AdministrativeClerical => &[
            (Band2, 14.0),
            (Band3, 25.0),
            (Band4, 22.0),
            (Band5, 12.0),
            (Band6, 8.5),
            (Band7, 7.5),
            (Band8a, 5.0),
            (Band8b, 3.0),
            (Band8c, 1.5),
            (Band8d, 0.8),
            (Band9, 0.4),
            (Vsm, 0.3),
        ],
        StaffGroup::AlliedHealthProfessionals => &[
            (Band5, 20.0),
            (Band6, 40.0),
            (Band7, 28.0),
            (Band8a, 8.0),
            (Band8b, 3.0),
            (Band8c, 1.0),
        ],
        StaffGroup::AddProfScientificTechnical | StaffGroup::HealthcareScientists => &[
            (Band3, 8.0),
            (Band4, 12.0),
            (Band5, 15.0),
            (Band6, 25.0),
            (Band7, 24.0),
            (Band8a, 10.0),
            (Band8b, 4.5),
            (Band8c, 1.5),
        ],
        StaffGroup::EstatesAncillary => &[
            (Band1, 3.0),
            (Band2, 58.0),
            (Band3, 20.0),
            (Band4, 10.0),
            (Band5, 5.0),
            (Band6, 2.5),
            (Band7, 1.5),
        ],
        StaffGroup::Students => &[(UnderBand1, 30.0), (Band3, 50.0), (Band4, 20.0)],
        StaffGroup::MedicalDental => &[],
    }
}

/// Doctors' grades as ESR names them, with the share of doctors in each.
const MEDICAL_GRADES: &[(&str, f64)] = &[
    ("Consultant", 38.0),
    ("Specialty Doctor", 9.0),
    ("Associate Specialist", 2.0),
    ("Specialist", 2.0),
    ("Foundation Year 1", 8.0),
    ("Foundation Year 2", 7.0),
    ("Core Training", 8.0),
    ("Specialty Registrar", 18.0),
    ("Trust Grade Doctor", 5.0),
    ("Clinical Fellow", 3.0),
];

/// Whether a grade is one the equality standards count as senior: band 8a and above, and
/// consultants.
fn senior(grade: Grade) -> bool {
    match grade {
        Grade::Band(band) => matches!(
            band,
            PayGrade::Band8a
                | PayGrade::Band8b
                | PayGrade::Band8c
                | PayGrade::Band8d
                | PayGrade::Band9
                | PayGrade::Vsm
        ),
        Grade::Medical(name) => name == "Consultant",
    }
}

/// How much less often than their colleagues BME and disabled staff are in a senior grade
/// (a weight on those grades' shares), the gap WRES indicator 1 and WDES metric 1 show.
const BME_SENIOR: f64 = 0.6;
const DISABLED_SENIOR: f64 = 0.8;

fn grade(rng: &mut Rng, group: StaffGroup, bme: bool, disabled: bool) -> Grade {
    let weight = |senior: bool, w: f64| {
        let mut w = w;
        if senior && bme {
            w *= BME_SENIOR;
        }
        if senior && disabled {
            w *= DISABLED_SENIOR;
        }
        w
    };
    if group == StaffGroup::MedicalDental {
        let weighted: Vec<(&'static str, f64)> = MEDICAL_GRADES
            .iter()
            .map(|&(name, w)| (name, weight(senior(Grade::Medical(name)), w)))
            .collect();
        return Grade::Medical(pick(rng, &weighted).unwrap_or("Specialty Doctor"));
    }
    let weighted: Vec<(PayGrade, f64)> = bands(group)
        .iter()
        .map(|&(band, w)| (band, weight(senior(Grade::Band(band)), w)))
        .collect();
    Grade::Band(pick(rng, &weighted).unwrap_or(PayGrade::Band5))
}

/// How much more often than the organisation as a whole each group's staff are BME:
/// international recruitment has made medicine and nursing the most diverse.
fn bme_weight(group: StaffGroup) -> f64 {
    match group {
        StaffGroup::MedicalDental => 1.6,
        StaffGroup::NursingMidwiferyRegistered => 1.3,
        StaffGroup::AdditionalClinicalServices => 1.0,
        StaffGroup::AdministrativeClerical => 0.6,
        StaffGroup::AlliedHealthProfessionals => 0.7,
        _ => 0.9,
    }
}

const WHITE: &[(Ethnicity, f64)] = &[
    (Ethnicity::WhiteBritish, 80.0),
    (Ethnicity::WhiteIrish, 3.0),
    (Ethnicity::WhiteOther, 16.4),
    (Ethnicity::WhiteGypsyOrIrishTraveller, 0.3),
    (Ethnicity::WhiteRoma, 0.3),
];

const BME: &[(Ethnicity, f64)] = &[
    (Ethnicity::AsianIndian, 25.0),
    (Ethnicity::AsianPakistani, 6.0),
    (Ethnicity::AsianBangladeshi, 2.0),
    (Ethnicity::AsianOther, 11.0),
    (Ethnicity::BlackAfrican, 22.0),
    (Ethnicity::BlackCaribbean, 6.0),
    (Ethnicity::BlackOther, 2.0),
    (Ethnicity::Chinese, 2.5),
    (Ethnicity::MixedWhiteAndBlackCaribbean, 3.0),
    (Ethnicity::MixedWhiteAndBlackAfrican, 1.5),
    (Ethnicity::MixedWhiteAndAsian, 2.0),
    (Ethnicity::MixedOther, 3.0),
    (Ethnicity::Arab, 1.0),
    (Ethnicity::OtherEthnicGroup, 8.0),
];

/// An ethnicity: not known now and then, not stated at the organisation's rate, and
/// otherwise BME with probability `bme`.
fn ethnicity(rng: &mut Rng, bme: f64, not_stated: f64) -> Ethnicity {
    let u = rng.unit();
    if u < 0.005 {
        Ethnicity::NotKnown
    } else if u < 0.005 + not_stated {
        Ethnicity::NotStated
    } else if rng.unit() < bme {
        pick(rng, BME).unwrap_or(Ethnicity::OtherEthnicGroup)
    } else {
        pick(rng, WHITE).unwrap_or(Ethnicity::WhiteBritish)
    }
}

fn is_bme(ethnicity: Ethnicity) -> bool {
    ethnicity.wres_group() == dignity_domain::workforce::WresGroup::BlackAndMinorityEthnic
}

fn disability(rng: &mut Rng, disabled: f64, not_declared: f64) -> Disability {
    let u = rng.unit();
    if u < disabled {
        Disability::Yes
    } else if u < disabled + not_declared {
        Disability::NotDeclared
    } else {
        Disability::No
    }
}

/// Full-time-equivalent days lost to sickness in a year: most lose a few days or none, a
/// few a great many, and disabled staff more.
fn days_lost(rng: &mut Rng, disability: Disability) -> f64 {
    if rng.unit() < 0.4 {
        return 0.0;
    }
    let mean = if disability == Disability::Yes {
        22.0
    } else {
        14.0
    };
    (-(1.0 - rng.unit()).ln() * mean).min(250.0)
}

/// Whether someone accessed non-mandatory training: BME staff a little less often, as
/// WRES indicator 4 tends to show.
fn trained(rng: &mut Rng, ethnicity: Ethnicity) -> bool {
    let chance = if is_bme(ethnicity) { 0.54 } else { 0.62 };
    rng.unit() < chance
}

/// One person in post on `as_at`: joined on `started`, or some years before.
fn person(
    rng: &mut Rng,
    org: &Organisation,
    number: u64,
    as_at: Day,
    started: Option<Day>,
) -> Person {
    let profile = org.profile;
    let group = pick(rng, staff_groups(org.org_type)).unwrap_or(StaffGroup::AdministrativeClerical);
    let ethnicity = ethnicity(
        rng,
        (profile.bme * bme_weight(group)).min(0.9),
        profile.not_stated,
    );
    let disability = disability(rng, profile.disabled, profile.not_declared);
    let grade = grade(rng, group, is_bme(ethnicity), disability == Disability::Yes);
    let female = match group {
        StaffGroup::MedicalDental => 0.5,
        StaffGroup::EstatesAncillary => 0.45,
        StaffGroup::AlliedHealthProfessionals if org.org_type == OrgType::Ambulance => 0.45,
        _ => 0.8,
    };
    let sex = match rng.unit() {
        u if u < 0.002 => Sex::NotKnown,
        u if u < 0.002 + female => Sex::Female,
        _ => Sex::Male,
    };
    let age = if group == StaffGroup::Students {
        pick(
            rng,
            &[
                (AgeBand::UpTo20, 30.0),
                (AgeBand::From21To25, 50.0),
                (AgeBand::From26To30, 20.0),
            ],
        )
    } else {
        pick(
            rng,
            &[
                (AgeBand::UpTo20, 1.0),
                (AgeBand::From21To25, 8.0),
                (AgeBand::From26To30, 12.0),
                (AgeBand::From31To35, 13.0),
                (AgeBand::From36To40, 12.0),
                (AgeBand::From41To45, 11.0),
                (AgeBand::From46To50, 11.0),
                (AgeBand::From51To55, 12.0),
                (AgeBand::From56To60, 11.0),
                (AgeBand::From61To65, 6.0),
                (AgeBand::From66To70, 2.0),
                (AgeBand::From71, 0.5),
            ],
        )
    }
    .unwrap_or(AgeBand::From36To40);
    // Years of service: most a few, some many; never before they could have worked.
    let started = started.unwrap_or_else(|| {
        let most = match age {
            AgeBand::UpTo20 | AgeBand::From21To25 => 4.0,
            AgeBand::From26To30 => 9.0,
            _ => 40.0,
        };
        let mut years = -(1.0 - rng.unit()).ln() * 8.0;
        if years > most {
            years = most * rng.unit();
        }
        as_at.plus_days(-1 - (years * 365.25) as i64)
    });
    let wte = if rng.unit() < 0.68 {
        1.0
    } else {
        pick(
            rng,
            &[
                (0.4, 1.0),
                (0.5, 2.0),
                (0.6, 2.0),
                (0.64, 1.0),
                (0.8, 3.0),
                (0.9, 1.0),
            ],
        )
        .unwrap_or(0.8)
    };
    let unit = org.places.choose(rng, group);
    Person {
        number,
        unit,
        group,
        grade,
        ethnicity,
        disability,
        sex,
        age,
        started,
        wte,
        days_lost: days_lost(rng, disability),
        trained: trained(rng, ethnicity),
        leaving: None,
    }
}

fn leaving_reason(rng: &mut Rng, p: &Person) -> &'static str {
    let older = matches!(
        p.age,
        AgeBand::From56To60 | AgeBand::From61To65 | AgeBand::From66To70 | AgeBand::From71
    );
    if older && rng.unit() < 0.55 {
        return pick(
            rng,
            &[
                ("Retirement Age", 6.0),
                ("Flexi Retirement", 2.0),
                ("Retirement - Ill Health", 1.0),
                ("Voluntary Early Retirement - with Actuarial Reduction", 1.0),
            ],
        )
        .unwrap_or("Retirement Age");
    }
    // Dismissal is rare, and more common for BME staff, as the WRES's disciplinary
    // indicator finds.
    let dismissal = if is_bme(p.ethnicity) { 3.0 } else { 1.5 };
    pick(
        rng,
        &[
            ("Voluntary Resignation - Relocation", 18.0),
            ("Voluntary Resignation - Work Life Balance", 20.0),
            ("Voluntary Resignation - Promotion", 12.0),
            ("Voluntary Resignation - Better Reward Package", 6.0),
            ("Voluntary Resignation - Other/Not Known", 12.0),
            ("End of Fixed Term Contract", 8.0),
            ("Dismissal - Capability", dismissal * 0.4),
            ("Dismissal - Conduct", dismissal * 0.6),
            ("Redundancy - Compulsory", 0.8),
            (
                "Mutually Agreed Resignation - Local Scheme with Repayment",
                1.0,
            ),
            ("Employee Transfer", 3.0),
            ("Death in Service", 0.3),
        ],
    )
    .unwrap_or("Voluntary Resignation - Other/Not Known")
}

/// How much less likely than White applicants BME applicants are to be appointed once
/// shortlisted (WRES indicator 2 has been around 1.5 nationally for years), and disabled
/// applicants than others (WDES metric 2).
const BME_APPOINTED: f64 = 0.66;
const DISABLED_APPOINTED: f64 = 0.88;

fn applicants(rng: &mut Rng, profile: Profile, joiners: usize) -> Vec<Applicant> {
    let count = ((joiners as f64 * profile.shortlisted_per_joiner).round() as usize).max(20);
    // Applicants are more diverse than the staff already in post.
    let bme = (profile.bme + 0.12).min(0.85);
    let base = (joiners as f64 / count as f64).clamp(0.05, 0.6);
    (0..count)
        .map(|_| {
            let ethnicity = ethnicity(rng, bme, profile.not_stated);
            let disability = disability(rng, profile.disabled * 1.5, profile.not_declared * 0.5);
            let mut chance = base;
            if is_bme(ethnicity) {
                chance *= BME_APPOINTED;
            }
            if disability == Disability::Yes {
                chance *= DISABLED_APPOINTED;
            }
            Applicant {
                ethnicity,
                disability,
                appointed: rng.unit() < chance,
            }
        })
        .collect()
}

/// A board of 12 to 17: executives and non-executives, most voting, less diverse than
/// the staff (WRES indicator 9).
fn board(rng: &mut Rng, profile: Profile) -> Vec<Seat> {
    let seats = 12 + rng.below(6) as usize;
    let executives = seats * 9 / 20;
    (0..seats)
        .map(|seat| {
            let executive = seat < executives;
            Seat {
                ethnicity: ethnicity(rng, profile.bme * 0.6, 0.02),
                disability: disability(rng, 0.04, 0.1),
                voting: rng.unit() < if executive { 0.75 } else { 0.9 },
                executive,
            }
        })
        .collect()
}

/// How often a member of staff enters the formal disciplinary process in a year (about 1 in
/// 100), and how much more often BME staff do (WRES indicator 3 has long been above 1
/// nationally, though falling); how often staff enter the capability process on grounds of
/// performance (about 3 in 1,000), and how much more often disabled staff do (WDES metric
/// 3). Made up, near the national shape.
const DISCIPLINARY: f64 = 0.009;
const BME_DISCIPLINARY: f64 = 1.4;
const CAPABILITY: f64 = 0.003;
const DISABLED_CAPABILITY: f64 = 1.5;

/// Who of `people` entered a formal process in the year: a person may enter both. At least
/// one, since a file with no rows cannot be imported, and a small trust's year might
/// otherwise have none.
fn formal_entries<'p>(rng: &mut Rng, people: impl IntoIterator<Item = &'p Person>) -> Vec<Entered> {
    let mut entered = Vec::new();
    let mut first = None;
    for p in people {
        first = first.or(Some(p));
        let mut disciplinary = DISCIPLINARY;
        if is_bme(p.ethnicity) {
            disciplinary *= BME_DISCIPLINARY;
        }
        let mut capability = CAPABILITY;
        if p.disability == Disability::Yes {
            capability *= DISABLED_CAPABILITY;
        }
        for (process, chance) in [
            (FormalProcess::Disciplinary, disciplinary),
            (FormalProcess::Capability, capability),
        ] {
            if rng.unit() < chance {
                entered.push(Entered {
                    ethnicity: p.ethnicity,
                    disability: p.disability,
                    process,
                });
            }
        }
    }
    if let (true, Some(p)) = (entered.is_empty(), first) {
        entered.push(Entered {
            ethnicity: p.ethnicity,
            disability: p.disability,
            process: FormalProcess::Disciplinary,
        });
    }
    entered
}

/// The list of organisations and their units, one row per unit, with the organisation's
/// details as `dignity admin create-org` takes them.
pub fn organisations_csv(organisations: &[Organisation]) -> Vec<u8> {
    let mut csv = Csv::new(&[
        "ODS Code",
        "Organisation Name",
        "Organisation Type",
        "Region",
        "Benchmark Group",
        "Unit Name",
    ]);
    for org in organisations {
        for unit in &org.units {
            csv.cell(&org.ods);
            csv.cell(&org.name);
            csv.cell(org.org_type.code());
            csv.cell(org.region.code());
            csv.cell(&org.benchmark_group);
            csv.cell(unit);
            csv.end_row();
        }
    }
    csv.into_bytes()
}

/// Writes `dignity synth workforce`'s files into `dir`: `organisations.csv`, and a folder
/// per organisation, named by its ODS code, holding each extract under
/// [`Extract::file_name`]. Returns how many organisations and people in post were written.
pub fn write_files(
    dir: &std::path::Path,
    count: usize,
    people: usize,
    seed: u64,
    as_at: Day,
) -> anyhow::Result<(usize, usize)> {
    use anyhow::Context;
    let organisations = organisations(count, people, seed);
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let list = dir.join("organisations.csv");
    std::fs::write(&list, organisations_csv(&organisations))
        .with_context(|| format!("could not write {}", list.display()))?;
    let mut written = 0;
    for (i, org) in organisations.iter().enumerate() {
        let folder = dir.join(&org.ods);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("could not create {}", folder.display()))?;
        let workforce = org.workforce(as_at);
        written += workforce.staff_rows();
        for extract in workforce.extracts() {
            let path = folder.join(extract.file_name());
            std::fs::write(&path, &extract.csv)
                .with_context(|| format!("could not write {}", path.display()))?;
        }
        eprint!(
            "\rwriting {:>5} of {} organisations",
            i + 1,
            organisations.len()
        );
    }
    eprintln!();
    Ok((organisations.len(), written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_app::workforce::Kind;
    use dignity_domain::workforce::{self as extract, Unit, WresGroup};

    fn day() -> Day {
        Day::from_ymd(2026, 3, 31).unwrap()
    }

    fn units(org: &Organisation) -> Vec<Unit> {
        org.units
            .iter()
            .zip(1..)
            .map(|(name, id)| Unit {
                id,
                code: String::new(),
                name: name.clone(),
            })
            .collect()
    }

    #[test]
    fn sizes_add_up_and_vary_and_the_same_seed_gives_the_same_files() {
        let orgs = organisations(40, 100_000, 9);
        assert_eq!(orgs.iter().map(|o| o.headcount).sum::<usize>(), 100_000);
        let smallest = orgs.iter().map(|o| o.headcount).min().unwrap();
        let largest = orgs.iter().map(|o| o.headcount).max().unwrap();
        assert!(largest > 4 * smallest, "{smallest} to {largest}");
        let codes: std::collections::HashSet<_> = orgs.iter().map(|o| &o.ods).collect();
        assert_eq!(codes.len(), 40);
        let again = organisations(40, 100_000, 9);
        let first = orgs[3].workforce(day()).extracts();
        let second = again[3].workforce(day()).extracts();
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(a.csv, b.csv, "{}", a.file_name());
        }
        let other = organisations(40, 100_000, 10);
        assert_ne!(other[3].workforce(day()).staff_csv(), first[1].csv);
    }

    /// Every file reads back with the extract parser, and the gaps the standards look for
    /// are there to be found.
    #[test]
    fn every_extract_reads_back_and_shows_the_built_in_gaps() {
        let orgs = organisations(3, 30_000, 2026);
        let digest = |n: &str| format!("d{n}");
        let (mut white_senior, mut white, mut bme_senior, mut bme) = (0, 0, 0, 0);
        let (mut white_shortlisted, mut white_appointed) = (0, 0);
        let (mut bme_shortlisted, mut bme_appointed) = (0, 0);
        let mut formal = std::collections::BTreeMap::new();
        let mut files = std::collections::BTreeSet::new();
        for org in &orgs {
            let workforce = org.workforce(day());
            let units = units(org);
            for file in workforce.extracts() {
                let name = file.file_name();
                files.insert(name.clone());
                let lines = file.csv.iter().filter(|b| **b == b'\n').count() - 1;
                let read = match file.kind.snapshot() {
                    Some(Kind::Staff | Kind::Leavers) => {
                        let people = extract::parse_staff(&file.csv, &units, &digest, &mut |_| {})
                            .unwrap_or_else(|e| panic!("{name}: {e}"));
                        if file.kind == Holds::Leavers {
                            assert!(people.iter().all(|p| p.leaving.is_some()), "{name}");
                        } else {
                            assert!(people.iter().all(|p| p.leaving.is_none()), "{name}");
                        }
                        if file.kind == Holds::Staff && file.as_at == day() {
                            for p in &people {
                                let senior = matches!(
                                    p.pay_grade.wdes_cluster(),
                                    Some(
                                        extract::WdesCluster::Cluster3
                                            | extract::WdesCluster::Cluster4
                                    )
                                );
                                match p.ethnicity.wres_group() {
                                    WresGroup::White => {
                                        white += 1;
                                        white_senior += usize::from(senior);
                                    }
                                    WresGroup::BlackAndMinorityEthnic => {
                                        bme += 1;
                                        bme_senior += usize::from(senior);
                                    }
                                    WresGroup::Unknown => {}
                                }
                            }
                        }
                        people.len()
                    }
                    Some(Kind::Recruitment) => {
                        let applicants = extract::parse_recruitment(&file.csv, &mut |_| {})
                            .unwrap_or_else(|e| panic!("{name}: {e}"));
                        for a in &applicants {
                            match a.ethnicity.wres_group() {
                                WresGroup::White => {
                                    white_shortlisted += 1;
                                    white_appointed += usize::from(a.appointed);
                                }
                                WresGroup::BlackAndMinorityEthnic => {
                                    bme_shortlisted += 1;
                                    bme_appointed += usize::from(a.appointed);
                                }
                                WresGroup::Unknown => {}
                            }
                        }
                        applicants.len()
                    }
                    Some(Kind::Training) => {
                        extract::parse_training(&file.csv, &digest, &mut |_| {})
                            .unwrap_or_else(|e| panic!("{name}: {e}"))
                            .len()
                    }
                    Some(Kind::Board) => extract::parse_board(&file.csv, &mut |_| {})
                        .unwrap_or_else(|e| panic!("{name}: {e}"))
                        .len(),
                    None => {
                        let entries = extract::parse_formal(&file.csv, &mut |_| {})
                            .unwrap_or_else(|e| panic!("{name}: {e}"));
                        for e in &entries {
                            let group = e.ethnicity.wres_group();
                            let seen = formal.entry((file.as_at, e.process, group)).or_insert(0);
                            *seen += 1;
                        }
                        entries.len()
                    }
                };
                assert_eq!(read, lines, "{name}: every line is read");
                assert!(read > 0, "{name} is empty");
            }
        }
        let share = |a: usize, b: usize| a as f64 / b as f64;
        let (white_rate, bme_rate) = (share(white_senior, white), share(bme_senior, bme));
        assert!(
            bme_rate < 0.85 * white_rate,
            "BME staff are less often senior: {bme_rate:.3} against {white_rate:.3}"
        );
        let likelihood =
            share(white_appointed, white_shortlisted) / share(bme_appointed, bme_shortlisted);
        assert!(
            (1.25..2.0).contains(&likelihood),
            "White applicants are more likely to be appointed: {likelihood:.2}"
        );
        // Formal processes for both years, about one in a hundred disciplinary and a few in
        // a thousand capability, BME staff a little more often disciplined.
        assert!(files.contains("formal-2025-03-31.csv") && files.contains("formal-2026-03-31.csv"));
        let this_year = |process, group| {
            formal
                .get(&(day(), process, group))
                .copied()
                .unwrap_or(0usize)
        };
        let disciplined = |group| this_year(FormalProcess::Disciplinary, group);
        let all_disciplined: usize = [
            WresGroup::White,
            WresGroup::BlackAndMinorityEthnic,
            WresGroup::Unknown,
        ]
        .into_iter()
        .map(disciplined)
        .sum();
        let capability: usize = [
            WresGroup::White,
            WresGroup::BlackAndMinorityEthnic,
            WresGroup::Unknown,
        ]
        .into_iter()
        .map(|g| this_year(FormalProcess::Capability, g))
        .sum();
        // About 30,000 people in post and 3,000 who left.
        assert!((200..450).contains(&all_disciplined), "{all_disciplined}");
        assert!((50..160).contains(&capability), "{capability}");
        let disciplinary_likelihood = share(disciplined(WresGroup::BlackAndMinorityEthnic), bme)
            / share(disciplined(WresGroup::White), white);
        assert!(
            (1.05..2.0).contains(&disciplinary_likelihood),
            "BME staff are more likely to enter the disciplinary process: {disciplinary_likelihood:.2}"
        );
    }

    #[test]
    fn no_name_is_a_real_one_and_numbers_are_unique() {
        let orgs = organisations(2, 5_000, 1);
        let mut numbers = std::collections::HashSet::new();
        for org in &orgs {
            let text = String::from_utf8(org.workforce(day()).staff_csv()).unwrap();
            for line in text.lines().skip(1) {
                let number = line.split(',').next().unwrap().to_owned();
                assert!(numbers.insert(number), "{line}");
            }
        }
        assert_eq!(made_up_name(12345), made_up_name(12345));
        assert!(made_up_name(12345).contains(' '));
    }
}
