use super::*;

fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 0.01, "got {got}, want {want}");
}

fn example() -> Inputs {
    Inputs {
        staff: 1_000,
        bullied: Proportion {
            value: 0.24,
            low: 0.20,
            high: 0.28,
        },
        sickness_days: Some(10.0),
        suspended_days: Some(30),
        complaints: Some(12),
    }
}

/// The example in docs/just-culture.md, worked by hand: 1,000 staff, 20 % to 28 % bullied
/// (200 to 280 people), 10 days off sick a year, 12 complaints, 30 working days suspended.
#[test]
fn every_part_matches_the_hand_worked_example() {
    let estimate = estimate(&example(), &Assumptions::default());
    close(estimate.bullied_people.low, 200.0);
    close(estimate.bullied_people.high, 280.0);
    let want = [
        // 200 x 10 days x 71 % x £140.12
        (Component::Sickness, 198_970.40, 278_558.56),
        // 62.5 % of that
        (Component::Cover, 124_356.50, 174_099.10),
        // 200 x £231.9m / 251,040
        (Component::Turnover, 184_751.43, 258_652.01),
        (Component::Productivity, 458_652.01, 642_112.81),
        (Component::Presenteeism, 481_516.89, 674_123.65),
        (Component::Litigation, 66_523.26, 93_132.57),
        // 12 x £951, whatever the share
        (Component::CaseHandling, 11_412.0, 11_412.0),
        // 30 days x £140.12 x 1.625
        (Component::SuspensionPay, 6_830.85, 6_830.85),
    ];
    assert_eq!(estimate.components.len(), want.len());
    for ((component, range), (expected, low, high)) in estimate.components.iter().zip(want) {
        assert_eq!(*component, expected);
        let range = range.expect("every count was given");
        close(range.low, low);
        close(range.high, high);
    }
    close(estimate.total.low, 1_533_013.34);
    close(estimate.total.high, 2_138_921.54);
    assert_eq!(estimate.sickness_days, (10.0, true));
}

#[test]
fn a_withheld_count_is_left_out_of_the_total_not_guessed() {
    let inputs = Inputs {
        suspended_days: None,
        complaints: None,
        ..example()
    };
    let estimate = estimate(&inputs, &Assumptions::default());
    assert!(
        estimate
            .components
            .iter()
            .filter(|(c, _)| matches!(c, Component::CaseHandling | Component::SuspensionPay))
            .all(|(_, r)| r.is_none())
    );
    close(estimate.total.low, 1_533_013.34 - 11_412.0 - 6_830.85);
}

#[test]
fn an_organisations_own_values_replace_the_published_ones() {
    let mut own = Assumptions::default();
    own.set(Assumption::DailyPay, 200.0);
    own.set(Assumption::Presenteeism, 0.0);
    let inputs = Inputs {
        sickness_days: None,
        ..example()
    };
    let estimate = estimate(&inputs, &own);
    // No sickness column: the published 9.36 days. 200 x 9.36 x 71 % x £200.
    assert_eq!(estimate.sickness_days, (9.36, false));
    let sickness = estimate.components.first().and_then(|(_, r)| *r);
    close(sickness.map_or(0.0, |r| r.low), 265_824.0);
    let presenteeism = estimate
        .components
        .iter()
        .find(|(c, _)| *c == Component::Presenteeism)
        .and_then(|(_, r)| *r);
    close(presenteeism.map_or(-1.0, |r| r.high), 0.0);
}

#[test]
fn published_values_reproduce_the_papers_national_lines() {
    // The per-person values times the paper's own bullied staff give its national lines.
    let bullied = PAPER_STAFF * PAPER_SHARE_BULLIED;
    close(Assumption::Turnover.published() * bullied, 231_900_000.0);
    close(
        Assumption::Presenteeism.published() * bullied,
        604_400_000.0,
    );
    for assumption in Assumption::ALL {
        let (low, high) = assumption.allowed();
        assert!((low..=high).contains(&assumption.published()));
        assert_eq!(Assumption::from_key(assumption.key()), Some(assumption));
    }
}

#[test]
fn pounds_read_to_two_significant_figures() {
    assert_eq!(pounds(0.0), "£0");
    assert_eq!(pounds(951.0), "£950");
    assert_eq!(pounds(11_412.0), "£11,000");
    assert_eq!(pounds(198_970.4), "£200,000");
    assert_eq!(pounds(1_533_013.34), "£1.5 million");
    assert_eq!(pounds(2_281_000_000.0), "£2.3 billion");
    assert_eq!(
        pounds_between(Range {
            low: 1_533_013.34,
            high: 2_138_921.54
        }),
        "£1.5 million to £2.1 million"
    );
    assert_eq!(pounds_between(Range::fixed(11_412.0)), "£11,000");
    assert_eq!(two_figures(494), 490);
    assert_eq!(two_figures(286), 290);
    assert_eq!(two_figures(95), 95);
    assert_eq!(two_figures(1_627), 1_600);
    assert_eq!(pounds_and_pence(2_293.260_038), "£2,293.26");
    assert_eq!(pounds_and_pence(140.12), "£140.12");
}
