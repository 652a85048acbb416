//! Demo outcomes: made-up published figures for every demo organisation, loaded through
//! the same reader as `dignity import outcomes`. Trusts with a better culture in the demo
//! survey get somewhat better figures, with noise, so the culture-and-care page has links
//! to show and some it does not.

use dignity_app::admin::Operator;
use dignity_engine::rng::Rng;
use std::fmt::Write;

/// How good each demo organisation's culture is (as in the demo survey; 0 where it runs
/// none).
fn culture_of(ods: &str) -> f64 {
    crate::demo_survey::culture_of(ods).unwrap_or(0.0)
}

/// The demo's outcomes file for `years`, with the latest year's first three quarters too.
pub fn outcomes_file(organisations: &[String], years: &[i64]) -> String {
    let mut rng = Rng::new(311);
    let mut file = String::from("ODS code,Period,Measure,Value,Rated on\n");
    for ods in organisations {
        let culture = culture_of(ods);
        for &year in years {
            // Each year a little noise of its own, on top of the culture's pull.
            let mut noisy = |centre: f64, pull: f64, spread: f64| {
                centre + pull * culture + spread * rng.normal()
            };
            let sickness = noisy(5.2, -1.6, 0.45).clamp(2.5, 9.0);
            let turnover = noisy(11.0, -3.5, 1.2).clamp(5.0, 20.0);
            let vacancy = noisy(8.0, -2.5, 1.0).clamp(2.0, 15.0);
            let agency = noisy(5.0, -2.0, 0.9).clamp(0.5, 12.0);
            let patients = noisy(8.0, 0.6, 0.2).clamp(6.0, 9.5);
            let mortality = noisy(1.0, -0.04, 0.05).clamp(0.8, 1.2);
            let never = noisy(2.0, -1.5, 1.0).round().clamp(0.0, 6.0);
            let complaints = noisy(30.0, -12.0, 4.0).clamp(8.0, 60.0);
            let rating = (noisy(2.6, 1.6, 0.5).round()).clamp(1.0, 4.0) as usize;
            let rating = dignity_domain::board::RATINGS
                .get(rating.saturating_sub(1))
                .copied()
                .unwrap_or("Good");
            let _ = writeln!(file, "{ods},{year},care_rating,{rating},{year}-03-14");
            for (measure, value) in [
                ("sickness_absence", format!("{sickness:.1}")),
                ("staff_turnover", format!("{turnover:.1}")),
                ("vacancy_rate", format!("{vacancy:.1}")),
                ("agency_spend", format!("{agency:.1}")),
                ("patient_experience", format!("{patients:.1}")),
                ("mortality_ratio", format!("{mortality:.3}")),
                ("never_events", format!("{never:.0}")),
                ("complaints", format!("{complaints:.1}")),
            ] {
                let _ = writeln!(file, "{ods},{year},{measure},{value}");
            }
            if Some(&year) == years.last() {
                for quarter in 1..=3 {
                    let _ = writeln!(
                        file,
                        "{ods},{year}-Q{quarter},sickness_absence,{:.1}",
                        (sickness + 0.3 * rng.normal()).clamp(2.5, 9.0)
                    );
                }
            }
        }
    }
    file
}

/// Loads the demo outcomes for 2024 to 2026.
pub async fn seed(operator: &Operator) -> anyhow::Result<()> {
    let organisations: Vec<String> = operator
        .organisations()
        .await?
        .into_iter()
        .map(|o| o.ods_code)
        .collect();
    let file = outcomes_file(&organisations, &[2024, 2025, 2026]);
    dignity_app::board::import_outcomes(operator, file.as_bytes())
        .await
        .map_err(|e| anyhow::anyhow!("demo outcomes: {e}"))?;
    Ok(())
}
