//! The codes of the workforce extracts: what each column may hold, the stable code stored
//! for it, and how the words ESR's reports print are read.
//!
//! Every `parse` here is forgiving about spelling in the same way: case, spaces and
//! punctuation do not matter ("Admin & Clerical", "ADMINISTRATIVE AND CLERICAL" and
//! "administrative_and_clerical" are one value), and the stored code is always accepted
//! too, so a file Dignity wrote can be read back. Anything else is refused with the list
//! of what is allowed; nothing is guessed. docs/workforce.md lists every spelling.

/// A cell that is not one of a list's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not {what}. Use one of: {allowed}")]
pub struct UnknownCode {
    /// What was expected, with its article: "an ethnicity code", "a staff group".
    pub what: &'static str,
    pub value: String,
    pub allowed: String,
}

impl UnknownCode {
    fn new(what: &'static str, value: &str, allowed: String) -> UnknownCode {
        UnknownCode {
            what,
            value: value.trim().to_owned(),
            allowed,
        }
    }

    /// Refused, listing the labels of every value of a `code_list!` enum.
    fn listing<T: Copy>(
        what: &'static str,
        value: &str,
        all: &[T],
        label: fn(T) -> &'static str,
    ) -> Self {
        let allowed = all.iter().map(|v| label(*v)).collect::<Vec<_>>().join(", ");
        UnknownCode::new(what, value, allowed)
    }
}

/// Lower-case letters and digits only, with "&" read as "and" and "+" as "plus", so that
/// spellings differing only in case, spaces or punctuation compare equal.
pub(crate) fn squash(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("and"),
            '+' => out.push_str("plus"),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// Whether a squashed cell is a stored snake_case code (its underscores squashed away).
fn is_code(squashed: &str, code: &str) -> bool {
    squashed.bytes().eq(code.bytes().filter(|b| *b != b'_'))
}

/// The value (of `all`) whose stored code the squashed cell is, or else the first whose
/// other spellings (already squashed) include it.
fn find<T: Copy>(
    squashed: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    spellings: &[(T, &[&str])],
) -> Option<T> {
    all.iter()
        .copied()
        .find(|v| is_code(squashed, code(*v)))
        .or_else(|| {
            spellings
                .iter()
                .find(|(_, words)| words.contains(&squashed))
                .map(|(value, _)| *value)
        })
}

// ---------------------------------------------------------------------------------------
// Ethnicity
// ---------------------------------------------------------------------------------------

/// An ethnic category: the NHS Data Dictionary's national codes (A to S, Z "not stated" and
/// 99 "not known", from the 2001 census), with the three categories the 2021 census added
/// (Gypsy or Irish Traveller, Roma, Arab), which have no national letter and are stored
/// under a word. The 2021 census moved Chinese from "Other" to "Asian"; it is one
/// category here (R) whichever heading it comes under.
///
/// Read from: the code alone (`A`, `z`, `99`); the code followed by ESR's words
/// (`A White - British`, `C3 White Unspecified`); or the words alone, in the 2001 or the
/// 2021 census wording, with or without the group heading (`White - British`,
/// `White: English, Welsh, Scottish, Northern Irish or British`, `Irish`,
/// `Other ethnic group: Arab`). ESR's two-character local sub-codes count as the national
/// category of their first letter, as the Data Dictionary requires (`CA White English` is
/// C, `PC Black Nigerian` is P). A blank cell, "Not known", "Unknown" or "Unspecified" is
/// 99 (not known); "Not stated", "Not declared" or "Prefer not to say" is Z (not stated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ethnicity {
    WhiteBritish,
    WhiteIrish,
    WhiteGypsyOrIrishTraveller,
    WhiteRoma,
    WhiteOther,
    MixedWhiteAndBlackCaribbean,
    MixedWhiteAndBlackAfrican,
    MixedWhiteAndAsian,
    MixedOther,
    AsianIndian,
    AsianPakistani,
    AsianBangladeshi,
    AsianOther,
    BlackCaribbean,
    BlackAfrican,
    BlackOther,
    Chinese,
    Arab,
    OtherEthnicGroup,
    NotStated,
    NotKnown,
}

/// The group headings a category's words may follow, squashed (2001 and 2021 wordings).
const WHITE: &[&str] = &["white"];
const MIXED: &[&str] = &[
    "mixedormultipleethnicgroups",
    "mixedmultipleethnicgroups",
    "mixedormultipleethnicgroup",
    "mixedormultiple",
    "mixed",
];
const ASIAN: &[&str] = &["asianorasianbritish", "asianasianbritish", "asian"];
const BLACK: &[&str] = &[
    "blackblackbritishcaribbeanorafrican",
    "blackorblackbritish",
    "blackblackbritish",
    "black",
];
const OTHER: &[&str] = &["otherethnicgroups", "otherethnicgroup", "other"];
const ASIAN_OR_OTHER: &[&str] = &[
    "asianorasianbritish",
    "asianasianbritish",
    "asian",
    "otherethnicgroups",
    "otherethnicgroup",
    "other",
];
const NO_GROUP: &[&str] = &[];
/// "Any other" said after a group heading ("Mixed - Any other", "Black: Other").
const ANY_OTHER: &[&str] = &["anyother", "other", "anyotherbackground", "otherbackground"];

struct EthnicityRow {
    value: Ethnicity,
    code: &'static str,
    label: &'static str,
    /// Headings the words may follow.
    groups: &'static [&'static str],
    /// Words that name the category alone or after a heading.
    words: &'static [&'static str],
    /// Words that name it only after one of its headings ("Other" alone names nothing).
    after_heading: &'static [&'static str],
}

const fn row(
    value: Ethnicity,
    code: &'static str,
    label: &'static str,
    groups: &'static [&'static str],
    words: &'static [&'static str],
    after_heading: &'static [&'static str],
) -> EthnicityRow {
    EthnicityRow {
        value,
        code,
        label,
        groups,
        words,
        after_heading,
    }
}

const ETHNICITIES: &[EthnicityRow] = &[
    row(
        Ethnicity::WhiteBritish,
        "A",
        "White - British",
        WHITE,
        &[
            "british",
            "englishwelshscottishnorthernirishorbritish",
            "englishwelshscottishnorthernirishbritish",
        ],
        &[],
    ),
    row(
        Ethnicity::WhiteIrish,
        "B",
        "White - Irish",
        WHITE,
        &["irish"],
        &[],
    ),
    row(
        Ethnicity::WhiteGypsyOrIrishTraveller,
        "gypsy_or_irish_traveller",
        "White - Gypsy or Irish Traveller",
        WHITE,
        &[
            "gypsyoririshtraveller",
            "gypsyirishtraveller",
            "gypsyortraveller",
            "gypsytraveller",
        ],
        &[],
    ),
    row(
        Ethnicity::WhiteRoma,
        "roma",
        "White - Roma",
        WHITE,
        &["roma"],
        &[],
    ),
    row(
        Ethnicity::WhiteOther,
        "C",
        "White - Any other White background",
        WHITE,
        &[
            "anyotherwhitebackground",
            "otherwhitebackground",
            "otherwhite",
        ],
        ANY_OTHER,
    ),
    row(
        Ethnicity::MixedWhiteAndBlackCaribbean,
        "D",
        "Mixed - White and Black Caribbean",
        MIXED,
        &["whiteandblackcaribbean"],
        &[],
    ),
    row(
        Ethnicity::MixedWhiteAndBlackAfrican,
        "E",
        "Mixed - White and Black African",
        MIXED,
        &["whiteandblackafrican"],
        &[],
    ),
    row(
        Ethnicity::MixedWhiteAndAsian,
        "F",
        "Mixed - White and Asian",
        MIXED,
        &["whiteandasian"],
        &[],
    ),
    row(
        Ethnicity::MixedOther,
        "G",
        "Mixed - Any other mixed background",
        MIXED,
        &[
            "anyothermixedbackground",
            "anyothermixedormultipleethnicbackground",
            "anyothermixedormultiplebackground",
            "othermixed",
        ],
        ANY_OTHER,
    ),
    row(
        Ethnicity::AsianIndian,
        "H",
        "Asian or Asian British - Indian",
        ASIAN,
        &["indian"],
        &[],
    ),
    row(
        Ethnicity::AsianPakistani,
        "J",
        "Asian or Asian British - Pakistani",
        ASIAN,
        &["pakistani"],
        &[],
    ),
    row(
        Ethnicity::AsianBangladeshi,
        "K",
        "Asian or Asian British - Bangladeshi",
        ASIAN,
        &["bangladeshi"],
        &[],
    ),
    row(
        Ethnicity::AsianOther,
        "L",
        "Asian or Asian British - Any other Asian background",
        ASIAN,
        &["anyotherasianbackground", "otherasian"],
        ANY_OTHER,
    ),
    row(
        Ethnicity::BlackCaribbean,
        "M",
        "Black or Black British - Caribbean",
        BLACK,
        &["caribbean"],
        &[],
    ),
    row(
        Ethnicity::BlackAfrican,
        "N",
        "Black or Black British - African",
        BLACK,
        &["african"],
        &[],
    ),
    row(
        Ethnicity::BlackOther,
        "P",
        "Black or Black British - Any other Black background",
        BLACK,
        &[
            "anyotherblackbackground",
            "anyotherblackblackbritishorcaribbeanbackground",
            "anyotherblackbritishorcaribbeanbackground",
            "otherblack",
        ],
        ANY_OTHER,
    ),
    row(
        Ethnicity::Chinese,
        "R",
        "Chinese",
        ASIAN_OR_OTHER,
        &["chinese"],
        &[],
    ),
    row(
        Ethnicity::Arab,
        "arab",
        "Other ethnic group - Arab",
        OTHER,
        &["arab"],
        &[],
    ),
    row(
        Ethnicity::OtherEthnicGroup,
        "S",
        "Any other ethnic group",
        OTHER,
        &["anyotherethnicgroup", "anyotherethnicbackground"],
        ANY_OTHER,
    ),
    row(
        Ethnicity::NotStated,
        "Z",
        "Not stated",
        NO_GROUP,
        &[
            "notstated",
            "notdeclared",
            "prefernottosay",
            "prefernottoanswer",
            "notgiven",
            "declined",
            "idonotwishtodisclosemyethnicorigin",
        ],
        &[],
    ),
    row(
        Ethnicity::NotKnown,
        "99",
        "Not known",
        NO_GROUP,
        &[
            "notknown",
            "unknown",
            "unspecified",
            "notspecified",
            "notrecorded",
            "undefined",
        ],
        &[],
    ),
];

/// The national letters, in the Data Dictionary's order.
const NATIONAL_LETTERS: &str = "ABCDEFGHJKLMNPRSZ";
/// The letters under which ESR keeps two-letter local sub-codes (CA English, GA Black and
/// Asian, LA Mixed Asian, PA Somali, SA Vietnamese, ...). Elsewhere a second letter is
/// refused, so that "NS" or "NK" is not read as N (African).
const LETTERS_WITH_SUBCODES: &str = "CGLPS";

impl Ethnicity {
    pub const ALL: &'static [Ethnicity] = &[
        Ethnicity::WhiteBritish,
        Ethnicity::WhiteIrish,
        Ethnicity::WhiteGypsyOrIrishTraveller,
        Ethnicity::WhiteRoma,
        Ethnicity::WhiteOther,
        Ethnicity::MixedWhiteAndBlackCaribbean,
        Ethnicity::MixedWhiteAndBlackAfrican,
        Ethnicity::MixedWhiteAndAsian,
        Ethnicity::MixedOther,
        Ethnicity::AsianIndian,
        Ethnicity::AsianPakistani,
        Ethnicity::AsianBangladeshi,
        Ethnicity::AsianOther,
        Ethnicity::BlackCaribbean,
        Ethnicity::BlackAfrican,
        Ethnicity::BlackOther,
        Ethnicity::Chinese,
        Ethnicity::Arab,
        Ethnicity::OtherEthnicGroup,
        Ethnicity::NotStated,
        Ethnicity::NotKnown,
    ];

    fn row(self) -> &'static EthnicityRow {
        // ETHNICITIES lists the variants in declaration order (a test checks it).
        match ETHNICITIES.get(self as usize) {
            Some(row) => row,
            None => &NOT_KNOWN_ROW,
        }
    }

    /// The code stored: the national letter, "99", or a word for the 2021 additions.
    pub fn code(self) -> &'static str {
        self.row().code
    }

    pub fn label(self) -> &'static str {
        self.row().label
    }

    /// The group the Workforce Race Equality Standard compares. The WRES technical guidance
    /// counts every White category as White, the White minorities included: Irish, Gypsy or
    /// Irish Traveller, Roma and any other White background (so "White - Any other White
    /// background", C, is White, not BME). Every other stated category is Black and
    /// minority ethnic, the mixed categories with a White parent included. Not stated and
    /// not known are Unknown, left out of both.
    pub fn wres_group(self) -> WresGroup {
        match self {
            Ethnicity::WhiteBritish
            | Ethnicity::WhiteIrish
            | Ethnicity::WhiteGypsyOrIrishTraveller
            | Ethnicity::WhiteRoma
            | Ethnicity::WhiteOther => WresGroup::White,
            Ethnicity::NotStated | Ethnicity::NotKnown => WresGroup::Unknown,
            _ => WresGroup::BlackAndMinorityEthnic,
        }
    }

    /// The category a stored code names (exactly as [`Ethnicity::code`] gives it, in any
    /// case).
    pub fn from_code(code: &str) -> Option<Ethnicity> {
        let code = code.trim();
        Ethnicity::ALL
            .iter()
            .copied()
            .find(|e| e.code().eq_ignore_ascii_case(code))
    }

    /// Reads a cell as ESR prints it (see the type's documentation for the forms).
    pub fn parse(raw: &str) -> Result<Ethnicity, UnknownCode> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(Ethnicity::NotKnown);
        }
        let first = text.split_whitespace().next().unwrap_or_default();
        if let Some(found) = national_code(first) {
            return Ok(found);
        }
        let squashed = squash(text);
        let words_match = |row: &EthnicityRow, rest: &str, after_heading: bool| {
            row.words.contains(&rest) || (after_heading && row.after_heading.contains(&rest))
        };
        for row in ETHNICITIES {
            if squashed.eq_ignore_ascii_case(row.code) || words_match(row, &squashed, false) {
                return Ok(row.value);
            }
            let after = |group: &&str| squashed.strip_prefix(group);
            if row
                .groups
                .iter()
                .filter_map(after)
                .any(|rest| words_match(row, rest, true))
            {
                return Ok(row.value);
            }
        }
        Err(UnknownCode::new(
            "an ethnicity code",
            raw,
            "A, B, C, D, E, F, G, H, J, K, L, M, N, P, R, S, Z, 99, or ESR's words such as \
             \"A White - British\" or \"White: Irish\""
                .to_owned(),
        ))
    }
}

const NOT_KNOWN_ROW: EthnicityRow = row(Ethnicity::NotKnown, "99", "Not known", NO_GROUP, &[], &[]);

/// A national code as the first word of a cell: a letter, "99", or a letter with ESR's
/// local second character.
fn national_code(word: &str) -> Option<Ethnicity> {
    if word == "99" {
        return Some(Ethnicity::NotKnown);
    }
    let mut chars = word.chars().map(|c| c.to_ascii_uppercase());
    let letter = chars.next().filter(|c| NATIONAL_LETTERS.contains(*c))?;
    match (chars.next(), chars.next()) {
        (None, _) => {}
        (Some(second), None)
            if second.is_ascii_digit()
                || (second.is_ascii_uppercase() && LETTERS_WITH_SUBCODES.contains(letter)) => {}
        _ => return None,
    }
    let code = letter.to_string();
    Ethnicity::from_code(&code)
}

impl std::fmt::Display for Ethnicity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

code_list!(
    /// The two groups the Workforce Race Equality Standard compares, and the staff whose
    /// ethnicity is not stated or not known.
    WresGroup, "WRES group", {
        White => "white", "White";
        BlackAndMinorityEthnic => "bme", "Black and minority ethnic";
        Unknown => "unknown", "Not stated or not known";
    }
);

// ---------------------------------------------------------------------------------------
// Disability, sex, age band
// ---------------------------------------------------------------------------------------

code_list!(
    /// Whether a person has told their employer they are disabled (ESR's "Disability
    /// Flag"). Yes: "Yes", "Y", "Disabled". No: "No", "N", "Not disabled". Not declared:
    /// "Not Declared", "Prefer Not To Answer", "Prefer not to say", "Unspecified",
    /// "Not known", "Unknown", or a blank cell.
    Disability, "disability value", {
        Yes => "yes", "Yes";
        No => "no", "No";
        NotDeclared => "not_declared", "Not declared";
    }
);

impl Disability {
    pub fn parse(raw: &str) -> Result<Disability, UnknownCode> {
        if raw.trim().is_empty() {
            return Ok(Disability::NotDeclared);
        }
        find(
            &squash(raw),
            Disability::ALL,
            Disability::code,
            &[
                (Disability::Yes, &["y", "disabled", "true"]),
                (Disability::No, &["n", "notdisabled", "false"]),
                (
                    Disability::NotDeclared,
                    &[
                        "prefernottoanswer",
                        "prefernottosay",
                        "unspecified",
                        "notspecified",
                        "notknown",
                        "unknown",
                        "notstated",
                        "undeclared",
                    ],
                ),
            ],
        )
        .ok_or_else(|| {
            UnknownCode::listing(
                "a disability value",
                raw,
                Disability::ALL,
                Disability::label,
            )
        })
    }
}

code_list!(
    /// Sex as ESR's "Gender" column prints it. Female: "Female", "F". Male: "Male", "M".
    /// Other: "Other", "Indeterminate", "I", "Non-binary". Not known: "Unknown",
    /// "Not Known", "Not Specified", "Prefer not to say", "U", or a blank cell.
    Sex, "sex", {
        Female => "female", "Female";
        Male => "male", "Male";
        Other => "other", "Other";
        NotKnown => "not_known", "Not known";
    }
);

impl Sex {
    pub fn parse(raw: &str) -> Result<Sex, UnknownCode> {
        if raw.trim().is_empty() {
            return Ok(Sex::NotKnown);
        }
        find(
            &squash(raw),
            Sex::ALL,
            Sex::code,
            &[
                (Sex::Female, &["f", "woman"]),
                (Sex::Male, &["m", "man"]),
                (Sex::Other, &["indeterminate", "i", "nonbinary", "x"]),
                (
                    Sex::NotKnown,
                    &[
                        "u",
                        "unknown",
                        "notspecified",
                        "notstated",
                        "prefernottosay",
                    ],
                ),
            ],
        )
        .ok_or_else(|| UnknownCode::listing("a sex", raw, Sex::ALL, Sex::label))
    }
}

code_list!(
    /// ESR's age bands. Read from ESR's "<=20 Years", "21-25", ..., "66-70", ">=71 Years",
    /// with or without "Years", with "to" or a dash between the ages; the first band also as
    /// "20 and under", "Under 21" or "16-20", the last as "71 and above", "71 and over",
    /// "71+" or "Over 70". "Unknown" or a blank cell is not known.
    AgeBand, "age band", {
        UpTo20 => "20_and_under", "20 and under";
        From21To25 => "21_25", "21 to 25";
        From26To30 => "26_30", "26 to 30";
        From31To35 => "31_35", "31 to 35";
        From36To40 => "36_40", "36 to 40";
        From41To45 => "41_45", "41 to 45";
        From46To50 => "46_50", "46 to 50";
        From51To55 => "51_55", "51 to 55";
        From56To60 => "56_60", "56 to 60";
        From61To65 => "61_65", "61 to 65";
        From66To70 => "66_70", "66 to 70";
        From71 => "71_and_over", "71 and over";
        NotKnown => "not_known", "Not known";
    }
);

impl AgeBand {
    pub fn parse(raw: &str) -> Result<AgeBand, UnknownCode> {
        // Spaces and the word "years" never matter; the signs (<=, >=, +, -) do.
        let mut text: String = raw
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if matches!(c, '–' | '—') { '-' } else { c })
            .collect();
        for word in ["years", "year", "yrs", "yr"] {
            text = text.replace(word, "");
        }
        let band = match text.as_str() {
            "" | "unknown" | "notknown" => Some(AgeBand::NotKnown),
            "<=20" | "≤20" | "=<20" | "<21" | "under21" | "upto20" | "20andunder" | "20orunder"
            | "20andbelow" | "20orbelow" | "20orless" | "16-20" | "0-20" => Some(AgeBand::UpTo20),
            ">=71" | "≥71" | "=>71" | ">70" | "71+" | "71plus" | "71andover" | "71andabove"
            | "71orover" | "71orabove" | "over70" => Some(AgeBand::From71),
            other => {
                let (low, high) = other
                    .split_once('-')
                    .or_else(|| other.split_once("to"))
                    .unwrap_or((other, ""));
                match (low.parse::<u32>(), high.parse::<u32>()) {
                    (Ok(low), Ok(high)) if high == low + 4 => AgeBand::ALL
                        .iter()
                        .copied()
                        .find(|b| b.code() == format!("{low}_{high}")),
                    _ => find(&squash(other), AgeBand::ALL, AgeBand::code, &[]),
                }
            }
        };
        band.ok_or_else(|| UnknownCode::listing("an age band", raw, AgeBand::ALL, AgeBand::label))
    }
}

// ---------------------------------------------------------------------------------------
// Staff group, clinical, pay grade
// ---------------------------------------------------------------------------------------

code_list!(
    /// ESR's staff groups, labelled as ESR prints them.
    StaffGroup, "staff group", {
        AddProfScientificTechnical => "add_prof_scientific_technical", "Add Prof Scientific and Technic";
        AdditionalClinicalServices => "additional_clinical_services", "Additional Clinical Services";
        AdministrativeClerical => "administrative_clerical", "Administrative and Clerical";
        AlliedHealthProfessionals => "allied_health_professionals", "Allied Health Professionals";
        EstatesAncillary => "estates_ancillary", "Estates and Ancillary";
        HealthcareScientists => "healthcare_scientists", "Healthcare Scientists";
        MedicalDental => "medical_dental", "Medical and Dental";
        NursingMidwiferyRegistered => "nursing_midwifery_registered", "Nursing and Midwifery Registered";
        Students => "students", "Students";
    }
);

impl StaffGroup {
    /// Reads ESR's name for the group (its label above), the full name where ESR shortens
    /// it ("Additional Professional Scientific and Technical"), "Admin and Clerical", "AHP",
    /// or the stored code.
    pub fn parse(raw: &str) -> Result<StaffGroup, UnknownCode> {
        let squashed = squash(raw);
        let table: &[(StaffGroup, &[&str])] = &[
            (
                StaffGroup::AddProfScientificTechnical,
                &[
                    "addprofscientificandtechnic",
                    "addprofscientificandtechnical",
                    "additionalprofessionalscientificandtechnical",
                    "additionalprofessionalscientificandtechnic",
                    "apst",
                ],
            ),
            (
                StaffGroup::AdditionalClinicalServices,
                &["additionalclinicalservices", "addlclinicalservices"],
            ),
            (
                StaffGroup::AdministrativeClerical,
                &[
                    "administrativeandclerical",
                    "adminandclerical",
                    "adminclerical",
                ],
            ),
            (
                StaffGroup::AlliedHealthProfessionals,
                &[
                    "alliedhealthprofessionals",
                    "alliedhealthprofessional",
                    "ahp",
                    "ahps",
                ],
            ),
            (StaffGroup::EstatesAncillary, &["estatesandancillary"]),
            (
                StaffGroup::HealthcareScientists,
                &["healthcarescientists", "healthcarescientist"],
            ),
            (
                StaffGroup::MedicalDental,
                &["medicalanddental", "medicaldental", "medicalanddentalstaff"],
            ),
            (
                StaffGroup::NursingMidwiferyRegistered,
                &[
                    "nursingandmidwiferyregistered",
                    "nursingmidwiferyregistered",
                    "registerednursingandmidwifery",
                ],
            ),
            (StaffGroup::Students, &["student"]),
        ];
        find(&squashed, StaffGroup::ALL, StaffGroup::code, table).ok_or_else(|| {
            UnknownCode::listing("a staff group", raw, StaffGroup::ALL, StaffGroup::label)
        })
    }

    /// Whether people in the group count as clinical when the extract does not say: only
    /// Administrative and Clerical and Estates and Ancillary staff are non-clinical, as in
    /// NHS England's workforce statistics.
    pub fn clinical(self) -> Clinical {
        match self {
            StaffGroup::AdministrativeClerical | StaffGroup::EstatesAncillary => {
                Clinical::NonClinical
            }
            _ => Clinical::Clinical,
        }
    }
}

code_list!(
    /// Whether a post is clinical, which WRES indicator 1 and the WDES clusters report
    /// separately. Read from "Clinical" or "Non-Clinical" (any spacing), or yes/no,
    /// Y/N, true/false, 1/0 for "is clinical".
    Clinical, "clinical or non-clinical value", {
        Clinical => "clinical", "Clinical";
        NonClinical => "non_clinical", "Non-clinical";
    }
);

impl Clinical {
    pub fn parse(raw: &str) -> Result<Clinical, UnknownCode> {
        find(
            &squash(raw),
            Clinical::ALL,
            Clinical::code,
            &[
                (Clinical::Clinical, &["c", "yes", "y", "true", "1"]),
                (
                    Clinical::NonClinical,
                    &["nonclinical", "nc", "no", "n", "false", "0"],
                ),
            ],
        )
        .ok_or_else(|| {
            UnknownCode::listing(
                "clinical or non-clinical",
                raw,
                Clinical::ALL,
                Clinical::label,
            )
        })
    }
}

code_list!(
    /// A pay grade: the Agenda for Change bands, very senior managers, and the four medical
    /// and dental grades the WRES and WDES count.
    PayGrade, "pay grade", {
        UnderBand1 => "under_band_1", "Under Band 1";
        Band1 => "band_1", "Band 1";
        Band2 => "band_2", "Band 2";
        Band3 => "band_3", "Band 3";
        Band4 => "band_4", "Band 4";
        Band5 => "band_5", "Band 5";
        Band6 => "band_6", "Band 6";
        Band7 => "band_7", "Band 7";
        Band8a => "band_8a", "Band 8a";
        Band8b => "band_8b", "Band 8b";
        Band8c => "band_8c", "Band 8c";
        Band8d => "band_8d", "Band 8d";
        Band9 => "band_9", "Band 9";
        Vsm => "vsm", "Very senior manager";
        Consultant => "consultant", "Consultant";
        NonConsultantCareerGrade => "non_consultant_career_grade", "Non-consultant career grade";
        TraineeGrade => "trainee_grade", "Trainee grade";
        OtherMedical => "other_medical", "Other medical and dental";
    }
);

code_list!(
    /// The Workforce Disability Equality Standard's pay clusters (metric 1). Clusters 1 to
    /// 4 are Agenda for Change pay (reported for clinical and non-clinical staff
    /// separately); 5 to 7 are medical and dental staff.
    WdesCluster, "WDES cluster", {
        Cluster1 => "cluster_1", "Cluster 1: bands 1 to 4 (and under band 1)";
        Cluster2 => "cluster_2", "Cluster 2: bands 5 to 7";
        Cluster3 => "cluster_3", "Cluster 3: bands 8a and 8b";
        Cluster4 => "cluster_4", "Cluster 4: bands 8c to 9 and very senior managers";
        Cluster5 => "cluster_5", "Cluster 5: medical and dental consultants";
        Cluster6 => "cluster_6", "Cluster 6: medical and dental non-consultant career grades";
        Cluster7 => "cluster_7", "Cluster 7: medical and dental trainee grades";
    }
);

impl PayGrade {
    pub fn is_medical(self) -> bool {
        matches!(
            self,
            PayGrade::Consultant
                | PayGrade::NonConsultantCareerGrade
                | PayGrade::TraineeGrade
                | PayGrade::OtherMedical
        )
    }

    /// The WDES cluster. Other medical and dental grades (trust grade doctors, clinical
    /// fellows and the like) belong to none of the WDES medical clusters: `None`.
    pub fn wdes_cluster(self) -> Option<WdesCluster> {
        use PayGrade::*;
        Some(match self {
            UnderBand1 | Band1 | Band2 | Band3 | Band4 => WdesCluster::Cluster1,
            Band5 | Band6 | Band7 => WdesCluster::Cluster2,
            Band8a | Band8b => WdesCluster::Cluster3,
            Band8c | Band8d | Band9 | Vsm => WdesCluster::Cluster4,
            Consultant => WdesCluster::Cluster5,
            NonConsultantCareerGrade => WdesCluster::Cluster6,
            TraineeGrade => WdesCluster::Cluster7,
            OtherMedical => return None,
        })
    }

    /// The row of WRES indicator 1 the grade is counted in, as the WRES return names it.
    /// Every grade is its own row (the return lists under band 1, bands 1 to 9 with 8a to
    /// 8d, VSM, and for medical and dental staff consultants, non-consultant career grades,
    /// trainee grades and other), so grouping by grade is grouping by row, and the grades'
    /// order is the return's.
    pub fn wres_band(self) -> &'static str {
        use PayGrade::*;
        match self {
            UnderBand1 => "Under Band 1",
            Band1 => "Band 1",
            Band2 => "Band 2",
            Band3 => "Band 3",
            Band4 => "Band 4",
            Band5 => "Band 5",
            Band6 => "Band 6",
            Band7 => "Band 7",
            Band8a => "Band 8A",
            Band8b => "Band 8B",
            Band8c => "Band 8C",
            Band8d => "Band 8D",
            Band9 => "Band 9",
            Vsm => "VSM",
            Consultant => "Consultants",
            NonConsultantCareerGrade => "Non-consultant career grade",
            TraineeGrade => "Trainee grades",
            OtherMedical => "Other",
        }
    }

    /// Reads a band or grade as ESR prints it. Agenda for Change: "Band 5", "AfC Band 5",
    /// "Review Body Band 5", "Nurse Band 5", "5", "Band 8A", "Band 8 - Range A", "8a",
    /// "Under Band 1"; anything after the band is ignored ("Band 5 Annex 21"). Very senior
    /// managers: "VSM", "Very Senior Manager". Medical and dental, by ESR's grade names:
    /// consultant ("Consultant"); non-consultant career grades ("Specialty Doctor",
    /// "Associate Specialist", "Staff Grade", "Specialist", "Hospital Practitioner",
    /// "Clinical Assistant", "NCCG", "SAS"); trainees ("Foundation Year 1", "FY2",
    /// "Specialty Registrar", "Core Training", "ST3", "CT1", "Trainee Grade"); other
    /// ("Trust Grade", "Clinical Fellow", "Locally Employed Doctor", "Other Medical").
    /// "Band 8" without its range is refused: it could be any of four.
    pub fn parse(raw: &str) -> Result<PayGrade, UnknownCode> {
        let s = squash(raw);
        agenda_for_change(&s)
            .or_else(|| medical(&s))
            .or_else(|| find(&s, PayGrade::ALL, PayGrade::code, &[]))
            .ok_or_else(|| {
                UnknownCode::new(
                    "a pay grade",
                    raw,
                    "Band 1 to Band 9 (Band 8A to Band 8D), Under Band 1, VSM, Consultant, \
                     a non-consultant career grade (such as Specialty Doctor), a trainee grade \
                     (such as Foundation Year 1 or Specialty Registrar), or Other Medical"
                        .to_owned(),
                )
            })
    }
}

fn agenda_for_change(s: &str) -> Option<PayGrade> {
    use PayGrade::*;
    match s {
        "underband1" | "belowband1" | "band0" => return Some(UnderBand1),
        "vsm" | "veryseniormanager" | "veryseniormanagers" => return Some(Vsm),
        _ => {}
    }
    // "Band" may follow other words (the ESR grade name "Nurse Band 5") and be followed by
    // others ("Band 5 Annex 21"); without it the cell must be the band alone.
    let (rest, alone) = match s.find("band") {
        Some(at) => (s.get(at + 4..)?, false),
        None => (s, true),
    };
    let mut chars = rest.chars();
    let (grade, tail) = match chars.next()? {
        '8' => {
            let after = chars.as_str();
            let after = after.strip_prefix("range").unwrap_or(after);
            let mut chars = after.chars();
            let grade = match chars.next()? {
                'a' => Band8a,
                'b' => Band8b,
                'c' => Band8c,
                'd' => Band8d,
                _ => return None,
            };
            (grade, chars.as_str())
        }
        digit => {
            let grade = match digit {
                '1' => Band1,
                '2' => Band2,
                '3' => Band3,
                '4' => Band4,
                '5' => Band5,
                '6' => Band6,
                '7' => Band7,
                '9' => Band9,
                _ => return None,
            };
            (grade, chars.as_str())
        }
    };
    // "Band 10" is no band, and "5 Annex 21" is a band only when it says "Band".
    if tail.starts_with(|c: char| c.is_ascii_digit()) || (alone && !tail.is_empty()) {
        return None;
    }
    Some(grade)
}

fn medical(s: &str) -> Option<PayGrade> {
    use PayGrade::*;
    let exact: &[(PayGrade, &[&str])] = &[
        (
            Consultant,
            &[
                "consultant",
                "consultants",
                "medicalconsultant",
                "consultantmedical",
                "dentalconsultant",
                "consultantdental",
            ],
        ),
        (
            NonConsultantCareerGrade,
            &[
                "nonconsultantcareergrade",
                "nonconsultantcareergrades",
                "nccg",
                "sas",
                "sasdoctor",
                "specialtydoctor",
                "specialitydoctor",
                "associatespecialist",
                "staffgrade",
                "specialist",
                "specialistgrade",
                "hospitalpractitioner",
                "clinicalassistant",
            ],
        ),
        (
            TraineeGrade,
            &[
                "traineegrade",
                "traineegrades",
                "trainee",
                "doctorintraining",
                "doctorsintraining",
                "foundationdoctor",
                "registrar",
            ],
        ),
        (
            OtherMedical,
            &[
                "othermedical",
                "othermedicalanddental",
                "othermedicalgrade",
                "trustgrade",
                "trustgradedoctor",
                "clinicalfellow",
                "locallyemployeddoctor",
            ],
        ),
    ];
    if let Some((grade, _)) = exact.iter().find(|(_, names)| names.contains(&s)) {
        return Some(*grade);
    }
    // Training grades come with their year or specialty: "Foundation Year 1",
    // "Specialty Registrar (Core Training)", "ST3", "CT1", "FY2".
    let trainee_prefixes = [
        "foundationyear",
        "specialtyregistrar",
        "specialityregistrar",
        "specialistregistrar",
        "specialtytrainee",
        "coretrain",
    ];
    let numbered = ["st", "ct", "fy", "f"].iter().any(|p| {
        s.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()))
    });
    (numbered || trainee_prefixes.iter().any(|p| s.starts_with(p))).then_some(TraineeGrade)
}

// ---------------------------------------------------------------------------------------
// Leaving
// ---------------------------------------------------------------------------------------

code_list!(
    /// Why a person left, in a few groups of ESR's leaving reasons.
    LeavingReason, "leaving reason", {
        Resigned => "resigned", "Resigned";
        Retired => "retired", "Retired";
        Dismissed => "dismissed", "Dismissed";
        ContractEnded => "contract_ended", "Fixed-term contract ended";
        Redundancy => "redundancy", "Redundancy";
        Other => "other", "Other";
    }
);

impl LeavingReason {
    /// Groups ESR's reason. Resigned: "Voluntary Resignation - ..." (any sub-reason).
    /// Retired: any reason mentioning retirement ("Retirement Age", "Retirement - Ill
    /// Health", "Flexi Retirement", "Voluntary Early Retirement - ..."). Dismissed:
    /// "Dismissal - ..." (conduct, capability, statutory, some other substantial reason).
    /// Contract ended: "End of Fixed Term Contract" and its sub-reasons. Redundancy:
    /// "Redundancy - Voluntary" or "- Compulsory". Everything else (death in service,
    /// employee transfer, mutually agreed resignation, a blank cell, ...) is Other: a
    /// leaver's reason is never refused.
    pub fn parse(raw: &str) -> LeavingReason {
        let s = squash(raw);
        if let Some(reason) = LeavingReason::ALL.iter().find(|r| is_code(&s, r.code())) {
            return *reason;
        }
        if s.contains("retire") {
            LeavingReason::Retired
        } else if s.starts_with("voluntaryresignation") || s == "resigned" || s == "resignation" {
            LeavingReason::Resigned
        } else if s.starts_with("dismiss") {
            LeavingReason::Dismissed
        } else if s.starts_with("endoffixedterm") || s.starts_with("fixedtermcontractend") {
            LeavingReason::ContractEnded
        } else if s.starts_with("redundan") {
            LeavingReason::Redundancy
        } else {
            LeavingReason::Other
        }
    }
}

// ---------------------------------------------------------------------------------------
// Formal processes
// ---------------------------------------------------------------------------------------

code_list!(
    /// The formal process a member of staff entered, as WRES indicator 3 and WDES metric 3
    /// count them. Disciplinary: "Disciplinary", "Conduct", "Misconduct". Capability on
    /// grounds of performance: "Capability", "Capability - Performance", "Performance",
    /// "Capability (performance)". Capability on grounds of ill health is not counted by
    /// WDES metric 3 and is refused (see [`NotAFormalProcess::IllHealth`]).
    FormalProcess, "formal process", {
        Disciplinary => "disciplinary", "Disciplinary";
        Capability => "capability", "Capability (performance)";
    }
);

/// Why a cell is not a formal process Dignity counts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAFormalProcess {
    #[error(transparent)]
    Unknown(#[from] UnknownCode),
    /// Capability on grounds of ill health: WDES metric 3 counts only capability on grounds
    /// of performance, so the row does not belong in the file.
    #[error("{}", ill_health(.0))]
    IllHealth(String),
}

/// What is said of a cell naming capability on grounds of ill health.
pub(crate) fn ill_health(value: &str) -> String {
    format!(
        "\"{value}\" is capability on grounds of ill health, which WDES metric 3 does not \
         count: leave this row out of the file"
    )
}

impl FormalProcess {
    pub fn parse(raw: &str) -> Result<FormalProcess, NotAFormalProcess> {
        let squashed = squash(raw);
        // "Capability - Ill Health", "Ill health", "Capability (ill-health)", ...
        if squashed.contains("illhealth") || squashed == "capabilityhealth" {
            return Err(NotAFormalProcess::IllHealth(raw.trim().to_owned()));
        }
        find(
            &squashed,
            FormalProcess::ALL,
            FormalProcess::code,
            &[
                (FormalProcess::Disciplinary, &["conduct", "misconduct"]),
                (
                    FormalProcess::Capability,
                    &["capabilityperformance", "performance"],
                ),
            ],
        )
        .ok_or_else(|| {
            NotAFormalProcess::Unknown(UnknownCode::listing(
                "a formal process",
                raw,
                FormalProcess::ALL,
                FormalProcess::label,
            ))
        })
    }
}

/// Reads a yes-or-no cell: "Yes", "Y", "True", "1", or one of `yes_words`, for yes; "No",
/// "N", "False", "0", or one of `no_words` (all squashed: lower case, letters and digits
/// only), for no.
pub(crate) fn yes_no(
    raw: &str,
    yes_words: &[&str],
    no_words: &[&str],
) -> Result<bool, UnknownCode> {
    let s = squash(raw);
    if ["yes", "y", "true", "1"].contains(&s.as_str()) || yes_words.contains(&s.as_str()) {
        return Ok(true);
    }
    if ["no", "n", "false", "0"].contains(&s.as_str()) || no_words.contains(&s.as_str()) {
        return Ok(false);
    }
    Err(UnknownCode::new("yes or no", raw, "Yes, No".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ethnicity_table_follows_the_declaration_order() {
        for (i, e) in Ethnicity::ALL.iter().enumerate() {
            assert_eq!(ETHNICITIES[i].value, *e);
            assert_eq!(*e as usize, i);
            assert_eq!(Ethnicity::from_code(e.code()), Some(*e));
            assert_eq!(Ethnicity::parse(e.code()).unwrap(), *e, "{}", e.code());
            assert_eq!(Ethnicity::parse(e.label()).unwrap(), *e, "{}", e.label());
        }
        assert_eq!(Ethnicity::ALL.len(), ETHNICITIES.len());
    }

    #[test]
    fn ethnicity_is_read_from_codes_esr_words_and_census_words() {
        use Ethnicity::*;
        let cases = [
            ("A", WhiteBritish),
            ("a", WhiteBritish),
            ("A White - British", WhiteBritish),
            ("  b   White - Irish ", WhiteIrish),
            ("C White - Any other White background", WhiteOther),
            ("C3 White Unspecified", WhiteOther),
            ("CA White English", WhiteOther),
            ("CN White Gypsy/Romany", WhiteOther),
            ("PC Black Nigerian", BlackOther),
            ("LH Asian British", AsianOther),
            ("SA Vietnamese", OtherEthnicGroup),
            ("Z Not Stated", NotStated),
            ("99", NotKnown),
            ("", NotKnown),
            ("Unspecified", NotKnown),
            ("Prefer not to say", NotStated),
            ("White British", WhiteBritish),
            ("WHITE:BRITISH", WhiteBritish),
            (
                "White: English, Welsh, Scottish, Northern Irish or British",
                WhiteBritish,
            ),
            (
                "White: Gypsy or Irish Traveller",
                WhiteGypsyOrIrishTraveller,
            ),
            ("White: Roma", WhiteRoma),
            ("White: Any other White background", WhiteOther),
            ("White - Other", WhiteOther),
            (
                "Mixed or Multiple ethnic groups: White and Black Caribbean",
                MixedWhiteAndBlackCaribbean,
            ),
            ("Mixed - Any other mixed background", MixedOther),
            ("Asian or Asian British: Chinese", Chinese),
            ("Other Ethnic Groups - Chinese", Chinese),
            ("R Chinese", Chinese),
            (
                "Black, Black British, Caribbean or African: Caribbean",
                BlackCaribbean,
            ),
            ("Black or Black British - African", BlackAfrican),
            (
                "Black: Any other Black, Black British or Caribbean background",
                BlackOther,
            ),
            ("Other ethnic group: Arab", Arab),
            (
                "Other ethnic group: Any other ethnic group",
                OtherEthnicGroup,
            ),
            ("S Any Other Ethnic Group", OtherEthnicGroup),
            ("Irish", WhiteIrish),
        ];
        for (raw, want) in cases {
            assert_eq!(Ethnicity::parse(raw), Ok(want), "{raw}");
        }
        for bad in ["Q", "NS", "NK", "Other", "White", "Martian", "AB"] {
            let err = Ethnicity::parse(bad).unwrap_err();
            assert_eq!(err.value, bad);
            assert!(err.to_string().contains("Use one of: A, B,"), "{err}");
        }
    }

    #[test]
    fn white_minorities_are_white_and_not_stated_is_unknown() {
        use Ethnicity::*;
        for e in [
            WhiteBritish,
            WhiteIrish,
            WhiteGypsyOrIrishTraveller,
            WhiteRoma,
            WhiteOther,
        ] {
            assert_eq!(e.wres_group(), WresGroup::White, "{e}");
        }
        for e in [
            MixedWhiteAndAsian,
            Chinese,
            Arab,
            BlackOther,
            OtherEthnicGroup,
        ] {
            assert_eq!(e.wres_group(), WresGroup::BlackAndMinorityEthnic, "{e}");
        }
        assert_eq!(NotStated.wres_group(), WresGroup::Unknown);
        assert_eq!(NotKnown.wres_group(), WresGroup::Unknown);
    }

    #[test]
    fn disability_and_sex_read_esr_words() {
        assert_eq!(Disability::parse("Yes"), Ok(Disability::Yes));
        assert_eq!(Disability::parse("n"), Ok(Disability::No));
        for raw in [
            "Not Declared",
            "Prefer Not To Answer",
            "Unspecified",
            "",
            "  ",
        ] {
            assert_eq!(Disability::parse(raw), Ok(Disability::NotDeclared), "{raw}");
        }
        assert_eq!(
            Disability::parse("not_declared"),
            Ok(Disability::NotDeclared)
        );
        let err = Disability::parse("Maybe").unwrap_err().to_string();
        assert!(err.contains("Yes, No, Not declared"), "{err}");

        assert_eq!(Sex::parse("Female"), Ok(Sex::Female));
        assert_eq!(Sex::parse("M"), Ok(Sex::Male));
        assert_eq!(Sex::parse("Not Specified"), Ok(Sex::NotKnown));
        assert_eq!(Sex::parse("Indeterminate"), Ok(Sex::Other));
        assert!(Sex::parse("Q").is_err());
    }

    #[test]
    fn age_bands_read_esr_spellings() {
        let cases = [
            ("<=20 Years", AgeBand::UpTo20),
            ("< = 20", AgeBand::UpTo20),
            ("Under 21", AgeBand::UpTo20),
            ("21-25", AgeBand::From21To25),
            ("21 - 25 Years", AgeBand::From21To25),
            ("21 to 25", AgeBand::From21To25),
            ("66–70", AgeBand::From66To70),
            ("71 and above", AgeBand::From71),
            (">=71 Years", AgeBand::From71),
            ("71+", AgeBand::From71),
            ("21_25", AgeBand::From21To25),
            ("71_and_over", AgeBand::From71),
            ("", AgeBand::NotKnown),
        ];
        for (raw, want) in cases {
            assert_eq!(AgeBand::parse(raw), Ok(want), "{raw}");
        }
        for bad in ["20-25", "<20", "42", "over 71"] {
            assert!(AgeBand::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn staff_groups_read_esr_names() {
        for group in StaffGroup::ALL {
            assert_eq!(StaffGroup::parse(group.label()), Ok(*group));
            assert_eq!(StaffGroup::parse(group.code()), Ok(*group));
        }
        assert_eq!(
            StaffGroup::parse("Admin & Clerical"),
            Ok(StaffGroup::AdministrativeClerical)
        );
        assert_eq!(
            StaffGroup::parse("NURSING AND MIDWIFERY REGISTERED"),
            Ok(StaffGroup::NursingMidwiferyRegistered)
        );
        assert_eq!(
            StaffGroup::AdministrativeClerical.clinical(),
            Clinical::NonClinical
        );
        assert_eq!(StaffGroup::Students.clinical(), Clinical::Clinical);
        let err = StaffGroup::parse("Porters").unwrap_err().to_string();
        assert!(err.contains("Estates and Ancillary"), "{err}");
    }

    #[test]
    fn pay_grades_read_bands_and_medical_grades() {
        use PayGrade::*;
        let cases = [
            ("Band 5", Band5),
            ("5", Band5),
            ("AfC Band 5", Band5),
            ("Review Body Band 7", Band7),
            ("Nurse Band 6", Band6),
            ("Band 5 Annex 21", Band5),
            ("Band 8 - Range A", Band8a),
            ("Band 8A", Band8a),
            ("8d", Band8d),
            ("band_8c", Band8c),
            ("Band 9", Band9),
            ("Under Band 1", UnderBand1),
            ("VSM", Vsm),
            ("Very Senior Manager", Vsm),
            ("Consultant", Consultant),
            ("Specialty Doctor", NonConsultantCareerGrade),
            ("Associate Specialist", NonConsultantCareerGrade),
            ("Foundation Year 1", TraineeGrade),
            ("FY2", TraineeGrade),
            ("ST3", TraineeGrade),
            ("Specialty Registrar (Core Training)", TraineeGrade),
            ("Trust Grade Doctor", OtherMedical),
            ("other_medical", OtherMedical),
        ];
        for (raw, want) in cases {
            assert_eq!(PayGrade::parse(raw), Ok(want), "{raw}");
        }
        for bad in [
            "Band 8",
            "Band 10",
            "10",
            "8",
            "5 annex",
            "Nurse Consultant",
            "Chair",
        ] {
            assert!(PayGrade::parse(bad).is_err(), "{bad}");
        }
        for grade in PayGrade::ALL {
            assert_eq!(
                PayGrade::parse(grade.code()),
                Ok(*grade),
                "{}",
                grade.code()
            );
            assert_eq!(
                PayGrade::parse(grade.label()),
                Ok(*grade),
                "{}",
                grade.label()
            );
        }
    }

    #[test]
    fn clusters_follow_the_wdes_and_rows_the_wres() {
        use PayGrade::*;
        use WdesCluster::*;
        let want = [
            (UnderBand1, Some(Cluster1)),
            (Band4, Some(Cluster1)),
            (Band5, Some(Cluster2)),
            (Band7, Some(Cluster2)),
            (Band8a, Some(Cluster3)),
            (Band8b, Some(Cluster3)),
            (Band8c, Some(Cluster4)),
            (Band9, Some(Cluster4)),
            (Vsm, Some(Cluster4)),
            (Consultant, Some(Cluster5)),
            (NonConsultantCareerGrade, Some(Cluster6)),
            (TraineeGrade, Some(Cluster7)),
            (OtherMedical, None),
        ];
        for (grade, cluster) in want {
            assert_eq!(grade.wdes_cluster(), cluster, "{grade}");
        }
        let rows: std::collections::HashSet<_> =
            PayGrade::ALL.iter().map(|g| g.wres_band()).collect();
        assert_eq!(rows.len(), PayGrade::ALL.len());
        assert!(Consultant.is_medical() && !Vsm.is_medical());
    }

    #[test]
    fn leaving_reasons_are_grouped() {
        use LeavingReason::*;
        let cases = [
            ("Voluntary Resignation - Work Life Balance", Resigned),
            ("Voluntary Resignation - Relocation", Resigned),
            ("Retirement Age", Retired),
            ("Retirement - Ill Health", Retired),
            (
                "Voluntary Early Retirement - with Actuarial Reduction",
                Retired,
            ),
            ("Dismissal - Conduct", Dismissed),
            ("End of Fixed Term Contract", ContractEnded),
            (
                "End of Fixed Term Contract - Completion of Training Scheme",
                ContractEnded,
            ),
            ("Redundancy - Compulsory", Redundancy),
            ("Death in Service", Other),
            ("Employee Transfer", Other),
            ("", Other),
            ("contract_ended", ContractEnded),
        ];
        for (raw, want) in cases {
            assert_eq!(LeavingReason::parse(raw), want, "{raw}");
        }
    }

    #[test]
    fn formal_processes_are_disciplinary_or_capability_for_performance() {
        let cases = [
            ("Disciplinary", FormalProcess::Disciplinary),
            ("conduct", FormalProcess::Disciplinary),
            ("MISCONDUCT", FormalProcess::Disciplinary),
            ("Capability", FormalProcess::Capability),
            ("Capability - Performance", FormalProcess::Capability),
            ("Capability (performance)", FormalProcess::Capability),
            ("Performance", FormalProcess::Capability),
            ("capability", FormalProcess::Capability),
        ];
        for (raw, want) in cases {
            assert_eq!(FormalProcess::parse(raw), Ok(want), "{raw}");
        }
        for process in FormalProcess::ALL {
            assert_eq!(FormalProcess::parse(process.label()), Ok(*process));
        }
        for ill in [
            "Capability - Ill Health",
            "ill health",
            "Capability (Ill-Health)",
        ] {
            let err = FormalProcess::parse(ill).unwrap_err();
            assert_eq!(err, NotAFormalProcess::IllHealth(ill.to_owned()));
            assert!(
                err.to_string().contains("WDES metric 3 does not count"),
                "{err}"
            );
        }
        let err = FormalProcess::parse("Grievance").unwrap_err().to_string();
        assert_eq!(
            err,
            "\"Grievance\" is not a formal process. Use one of: Disciplinary, Capability (performance)"
        );
        assert!(FormalProcess::parse("").is_err());
    }

    #[test]
    fn yes_no_cells() {
        assert_eq!(yes_no("Yes", &[], &[]), Ok(true));
        assert_eq!(yes_no(" n ", &[], &[]), Ok(false));
        assert_eq!(yes_no("Non-voting", &["voting"], &["nonvoting"]), Ok(false));
        assert!(yes_no("perhaps", &[], &[]).is_err());
        assert!(Clinical::parse("Non-Clinical").is_ok_and(|c| c == Clinical::NonClinical));
        assert!(Clinical::parse("Clinical").is_ok_and(|c| c == Clinical::Clinical));
    }
}
