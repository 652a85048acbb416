//! The quarterly board pack's pages: the pack for a chosen quarter as the figures stand
//! today (a page, a tagged PDF and a workbook of every table), issuing it, and every pack
//! issued, each exactly as it was issued. Made in `dignity_app::board::pack`; every form
//! here is drawn from one `Document`, so the page, the PDF and the workbook say the same.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::uk_time::moment;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::board::pack::{self, Document, ISSUERS, READERS};
use dignity_app::identity::Organisation;
use dignity_app::table::defused;
use dignity_domain::speakup_returns::Quarter;
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/orgs/{ods}/board-pack",
            Access::InOrganisation(READERS),
            page,
        )
        .get(
            "/orgs/{ods}/board-pack.pdf",
            Access::InOrganisation(READERS),
            pdf,
        )
        .get(
            "/orgs/{ods}/board-pack.xlsx",
            Access::InOrganisation(READERS),
            xlsx,
        )
        .post(
            "/orgs/{ods}/board-pack/issue",
            Access::InOrganisation(ISSUERS),
            issue,
        )
        .get(
            "/orgs/{ods}/board-packs/{id}",
            Access::InOrganisation(READERS),
            issued_page,
        )
        .get(
            "/orgs/{ods}/board-packs/{id}/pack.pdf",
            Access::InOrganisation(READERS),
            issued_pdf,
        )
        .get(
            "/orgs/{ods}/board-packs/{id}/pack.xlsx",
            Access::InOrganisation(READERS),
            issued_xlsx,
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuarterQuery {
    quarter: Option<String>,
}

/// The quarter asked for, or the last to end: one of the last eight to end, as the list on
/// the page offers.
fn quarter_of(state: &AppState, asked: Option<&str>) -> Result<Quarter, AppError> {
    let offered = pack::quarters(&state.app);
    let refused = || {
        let (newest, oldest) = (offered.first(), offered.last());
        AppError::BadRequest(match (newest, oldest) {
            (Some(newest), Some(oldest)) => format!(
                "Choose a quarter from the list: a pack is made for the last eight quarters \
                 to end, from {} to {}.",
                oldest.months(),
                newest.months()
            ),
            _ => "Choose a quarter from the list.".into(),
        })
    };
    match asked.map(str::trim) {
        None | Some("") => offered
            .first()
            .copied()
            .ok_or_else(|| AppError::Internal("no quarter has ended".into())),
        Some(text) => Quarter::parse(text)
            .ok()
            .filter(|q| offered.contains(q))
            .ok_or_else(refused),
    }
}

/// A quarter in the chooser.
struct QuarterChoice {
    code: String,
    label: String,
    selected: bool,
}

/// A pack issued before, in the list.
struct IssuedRow {
    href: String,
    quarter: String,
    issued: String,
    by: String,
    digest: String,
}

#[derive(Template)]
#[template(path = "board/pack.html")]
struct PackPage {
    chrome: Chrome,
    organisation: Organisation,
    document: Document,
    /// The pack as it stands today, with the chooser and the issue button; `None` when
    /// this is an issued pack, with its record.
    live: Option<Live>,
    issued: Option<IssuedRow>,
    pdf_href: String,
    xlsx_href: String,
}

struct Live {
    quarter: String,
    quarters: Vec<QuarterChoice>,
    may_issue: bool,
    history: Vec<IssuedRow>,
}

fn issued_row(organisation: &Organisation, p: &pack::IssuedPack) -> IssuedRow {
    IssuedRow {
        href: format!("/orgs/{}/board-packs/{}", organisation.ods_code, p.id),
        quarter: Quarter::parse(&p.quarter)
            .map(Quarter::months)
            .unwrap_or_else(|_| p.quarter.clone()),
        issued: moment(p.issued_at),
        by: if p.scheduled == 1 {
            "On the schedule".into()
        } else {
            p.issued_by.clone()
        },
        digest: p.digest.clone(),
    }
}

async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    QueryData(query): QueryData<QuarterQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = quarter_of(&state, query.quarter.as_deref())?;
    let document = pack::preview(&state.app, &user, &organisation, quarter).await?;
    let history = pack::issued(&state.app, &user, &organisation)
        .await?
        .iter()
        .map(|p| issued_row(&organisation, p))
        .collect();
    let quarters = pack::quarters(&state.app)
        .into_iter()
        .map(|q| QuarterChoice {
            code: q.to_string(),
            label: q.months(),
            selected: q == quarter,
        })
        .collect();
    let base = format!("/orgs/{}/board-pack", organisation.ods_code);
    let chrome = chrome
        .titled(format!("Board pack: {}", organisation.name))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        );
    Ok(render(&PackPage {
        chrome,
        pdf_href: format!("{base}.pdf?quarter={quarter}"),
        xlsx_href: format!("{base}.xlsx?quarter={quarter}"),
        live: Some(Live {
            quarter: quarter.to_string(),
            quarters,
            may_issue: pack::may_issue(&user, &organisation),
            history,
        }),
        issued: None,
        organisation,
        document,
    })?
    .into_response())
}

async fn pdf(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    QueryData(query): QueryData<QuarterQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = quarter_of(&state, query.quarter.as_deref())?;
    let document = pack::preview(&state.app, &user, &organisation, quarter).await?;
    let bytes = pack::pdf(&state.app, document).await?;
    Ok(file(
        "application/pdf",
        &format!("board-pack-{}-{quarter}.pdf", organisation.ods_code),
        bytes,
    ))
}

async fn xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    QueryData(query): QueryData<QuarterQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = quarter_of(&state, query.quarter.as_deref())?;
    let document = pack::preview(&state.app, &user, &organisation, quarter).await?;
    Ok(file(
        XLSX,
        &format!("board-pack-{}-{quarter}.xlsx", organisation.ods_code),
        workbook(&document)?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IssueForm {
    quarter: String,
}

async fn issue(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    FormData(form): FormData<IssueForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    // Issuing mails every reader: the quarter must be said, never taken as the default.
    if form.quarter.trim().is_empty() {
        return Err(AppError::BadRequest(
            "Choose a quarter from the list, then issue its pack.".into(),
        ));
    }
    let quarter = quarter_of(&state, Some(&form.quarter))?;
    let issued = pack::issue_now(
        &state.app,
        &user,
        &organisation,
        quarter,
        &state.settings.public_url,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/orgs/{}/board-packs/{}",
        organisation.ods_code, issued.id
    ))
    .into_response())
}

async fn kept(
    state: &AppState,
    user: &CurrentUser,
    ods: &str,
    id: i64,
) -> Result<(Organisation, pack::KeptPack), AppError> {
    let organisation = organisation(state, ods).await?;
    let kept = pack::kept(&state.app, user, &organisation, id).await?;
    Ok((organisation, kept))
}

async fn issued_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let (organisation, kept) = kept(&state, &user, &ods, id).await?;
    let row = issued_row(&organisation, &kept.issued);
    let chrome = chrome
        .titled(format!("Board pack {id}: {}", organisation.name))
        .under(
            format!("/orgs/{}/board-pack", organisation.ods_code),
            "Board pack",
        );
    Ok(render(&PackPage {
        chrome,
        pdf_href: format!("{}/pack.pdf", row.href),
        xlsx_href: format!("{}/pack.xlsx", row.href),
        live: None,
        issued: Some(row),
        organisation,
        document: kept.document,
    })?
    .into_response())
}

async fn issued_pdf(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let (organisation, kept) = kept(&state, &user, &ods, id).await?;
    Ok(file(
        "application/pdf",
        &format!(
            "board-pack-{}-{}-{id}.pdf",
            organisation.ods_code, kept.issued.quarter
        ),
        kept.pdf,
    ))
}

async fn issued_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let (organisation, kept) = kept(&state, &user, &ods, id).await?;
    Ok(file(
        XLSX,
        &format!(
            "board-pack-{}-{}-{id}.xlsx",
            organisation.ods_code, kept.issued.quarter
        ),
        workbook(&kept.document)?,
    ))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn file(content_type: &str, filename: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A figure a spreadsheet can hold as a number, with the number format that shows it as
/// the page writes it, so a board can sort and chart the workbook: whole numbers ("14",
/// "12,345"), decimals ("1.25"), shares ("12.3%", kept as 0.123) and pounds ("£2,293.26",
/// "£1.2 million"). Anything else stays text as written: a hidden count ("fewer than 10"),
/// a range ("0.9 to 1.4"), a sign or anything a spreadsheet could read as a formula.
fn spreadsheet_number(text: &str) -> Option<(f64, String)> {
    let (body, pounds) = match text.strip_prefix('£') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let (body, scale) = match (
        pounds,
        body.strip_suffix(" million"),
        body.strip_suffix(" billion"),
    ) {
        (true, Some(rest), _) => (rest, 1e6),
        (true, _, Some(rest)) => (rest, 1e9),
        _ => (body, 1.0),
    };
    let (body, share) = match body.strip_suffix('%') {
        Some(rest) if !pounds => (rest, true),
        _ => (body, false),
    };
    let (whole, decimals) = match body.split_once('.') {
        Some((whole, decimals)) if !decimals.is_empty() => (whole, decimals),
        Some(_) => return None,
        None => (body, ""),
    };
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let grouped = whole.contains(',');
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(first)
        || (grouped && first.len() > 3)
        || !groups.all(|g| g.len() == 3 && digits(g))
        || !(decimals.is_empty() || digits(decimals))
        || whole.len() + decimals.len() > 15
    {
        return None;
    }
    let plain: String = whole.chars().filter(|c| *c != ',').collect();
    let number: f64 = if decimals.is_empty() {
        plain.parse().ok()?
    } else {
        format!("{plain}.{decimals}").parse().ok()?
    };
    let places = if decimals.is_empty() || scale > 1.0 {
        String::new()
    } else {
        format!(".{}", "0".repeat(decimals.len()))
    };
    let base = if grouped || pounds { "#,##0" } else { "0" };
    Some(if share {
        (number / 100.0, format!("{base}{places}%"))
    } else if pounds {
        (number * scale, format!("\"£\"{base}{places}"))
    } else {
        (number, format!("{base}{places}"))
    })
}

/// A sheet's name: at most 31 characters, none that a workbook refuses, and unique.
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(27)
        .collect();
    let base = if clean.is_empty() {
        "table".into()
    } else {
        clean
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The pack as a workbook: a first sheet of each section's reading, then one sheet per
/// table, header in bold. Text is defused as every download is; only a whole number is a
/// number.
fn workbook(document: &Document) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let mut number_formats: std::collections::BTreeMap<String, Format> = Default::default();
    let mut taken = vec!["readings".to_owned()];
    let first = book.add_worksheet();
    first.set_name("readings").map_err(fail)?;
    first
        .write_string_with_format(0, 0, defused(&document.title), &bold)
        .map_err(fail)?;
    for (r, line) in document.lines.iter().enumerate() {
        first
            .write_string(r as u32 + 1, 0, defused(line))
            .map_err(fail)?;
    }
    let top = document.lines.len() as u32 + 2;
    for (c, title) in ["Section", "What this shows", "Notes"].iter().enumerate() {
        first
            .write_string_with_format(top, c as u16, *title, &bold)
            .map_err(fail)?;
    }
    for (r, section) in document.sections.iter().enumerate() {
        let r = top + 1 + r as u32;
        first
            .write_string(r, 0, defused(&section.heading))
            .map_err(fail)?;
        first
            .write_string(r, 1, defused(&section.reading))
            .map_err(fail)?;
        first
            .write_string(r, 2, defused(&section.notes.join(" ")))
            .map_err(fail)?;
    }
    for table in document.sections.iter().flat_map(|s| &s.tables) {
        let sheet = book.add_worksheet();
        sheet
            .set_name(sheet_name(&table.name, &mut taken))
            .map_err(fail)?;
        sheet
            .write_string_with_format(0, 0, defused(&table.caption), &bold)
            .map_err(fail)?;
        for (c, title) in table.header.iter().enumerate() {
            sheet
                .write_string_with_format(1, c as u16, defused(title), &bold)
                .map_err(fail)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 2, c as u16);
                match spreadsheet_number(cell) {
                    Some((n, shown_as)) => {
                        let format = number_formats
                            .entry(shown_as)
                            .or_insert_with_key(|f| Format::new().set_num_format(f));
                        sheet.write_number_with_format(r, c, n, format)
                    }
                    None => sheet.write_string(r, c, defused(cell)),
                }
                .map_err(fail)?;
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_become_numbers_shown_as_the_page_writes_them() {
        let number = |text: &str| spreadsheet_number(text);
        for (text, value, shown_as) in [
            ("14", 14.0, "0"),
            ("12,345", 12_345.0, "#,##0"),
            ("1.25", 1.25, "0.00"),
            ("45.2%", 0.452, "0.0%"),
            ("23%", 0.23, "0%"),
            ("£45,000", 45_000.0, "\"£\"#,##0"),
            ("£2,293.26", 2_293.26, "\"£\"#,##0.00"),
            ("£1.2 million", 1_200_000.0, "\"£\"#,##0"),
            ("£0", 0.0, "\"£\"#,##0"),
        ] {
            let (n, format) = number(text).unwrap_or((f64::NAN, String::new()));
            assert!((n - value).abs() <= value * 1e-12, "{text}: {n}");
            assert_eq!(format, shown_as, "{text}");
        }
        for words in [
            "fewer than 10",
            "hidden",
            "-3",
            "+2",
            "",
            "=1+1",
            "1234567890123456",
            "0.9 to 1.4",
            "1,23",
            "1234,567",
            "12.",
            ".5",
            "1.2.3",
            "£",
            "%",
            "£12%",
            "12 million",
            "2026-Q1",
        ] {
            assert_eq!(number(words), None, "{words}");
        }
    }

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut taken = vec!["readings".to_owned()];
        assert_eq!(sheet_name("speak-up-return", &mut taken), "speak-up-return");
        assert_eq!(
            sheet_name("speak-up-return", &mut taken),
            "speak-up-return-2"
        );
        assert_eq!(sheet_name("a/b[c]", &mut taken), "abc");
        assert_eq!(sheet_name("", &mut taken), "table");
        assert!(sheet_name(&"x".repeat(40), &mut taken).len() <= 31);
    }
}
