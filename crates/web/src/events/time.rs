//! Event times: typed and shown in UK time (GMT or BST, as the date falls), stored as UTC.

use jiff::civil::{Date, Time};

use crate::uk_time::{clock, london, zoned};

/// A day like `2026-12-03` and a time like `10:30` in UK time, as UTC seconds.
pub fn parse(day: &str, time: &str) -> Option<i64> {
    let date: Date = day.trim().parse().ok()?;
    let time: Time = time.trim().parse().ok()?;
    let zoned = date.to_datetime(time).to_zoned(london()).ok()?;
    Some(zoned.timestamp().as_second())
}

/// A time of day as people type it: `10:30`.
pub fn clock_time(text: &str) -> Option<Time> {
    text.trim().parse().ok()
}

/// A time of day on a day, in UK time, as UTC seconds.
pub fn at(day: dignity_domain::speakup::Day, time: Time) -> Option<i64> {
    let zoned = day.civil().to_datetime(time).to_zoned(london()).ok()?;
    Some(zoned.timestamp().as_second())
}

/// "Thursday 3 December 2026".
pub fn day(seconds: i64) -> String {
    zoned(seconds)
        .map(|z| z.strftime("%A %-d %B %Y").to_string())
        .unwrap_or_default()
}

/// "Thursday 3 December 2026, 10:30am to 12pm (UK time)"; a second date when it ends on
/// another day.
pub fn span(starts: i64, ends: i64) -> String {
    let (Some(a), Some(b)) = (zoned(starts), zoned(ends)) else {
        return String::new();
    };
    if a.date() == b.date() {
        format!("{}, {} to {} (UK time)", day(starts), clock(&a), clock(&b))
    } else {
        format!(
            "{}, {} to {}, {} (UK time)",
            day(starts),
            clock(&a),
            day(ends),
            clock(&b)
        )
    }
}

/// The day and time as a form shows them: ("2026-12-03", "10:30").
pub fn fields(seconds: i64) -> (String, String) {
    zoned(seconds)
        .map(|z| (z.date().to_string(), z.strftime("%H:%M").to_string()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn uk_time_follows_summer_time() {
        // Winter: UK time is UTC.
        let winter = parse("2026-12-03", "10:30").unwrap();
        assert_eq!(winter, 1_796_293_800);
        assert_eq!(
            span(winter, winter + 5_400),
            "Thursday 3 December 2026, 10:30am to 12pm (UK time)"
        );
        // Summer: UK time is an hour ahead of UTC.
        let summer = parse("2026-07-01", "09:00").unwrap();
        assert_eq!(summer, parse("2026-07-01", "08:00").unwrap() + 3_600);
        assert_eq!(fields(summer), ("2026-07-01".into(), "09:00".into()));
        assert_eq!(
            Timestamp::from_second(summer).unwrap().to_string(),
            "2026-07-01T08:00:00Z"
        );
        assert!(parse("2026-13-01", "09:00").is_none());
        assert!(parse("2026-07-01", "25:00").is_none());
    }
}
