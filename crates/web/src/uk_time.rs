//! Dates and times as people in the UK read them, in one place for every page. Times are
//! stored as UTC seconds and shown in UK time: GMT in winter, BST in summer.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// The UK's time zone (bundled with the binary, so it never depends on the host).
pub fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}

/// A stored time in UK time.
pub fn zoned(seconds: i64) -> Option<Zoned> {
    Some(Timestamp::from_second(seconds).ok()?.to_zoned(london()))
}

/// "10:30am", "12pm", "3:05pm".
pub fn clock(z: &Zoned) -> String {
    let (h, m) = (z.hour(), z.minute());
    let suffix = if h < 12 { "am" } else { "pm" };
    let h12 = match h % 12 {
        0 => 12,
        h => h,
    };
    if m == 0 {
        format!("{h12}{suffix}")
    } else {
        format!("{h12}:{m:02}{suffix}")
    }
}

/// "1 April 2026 at 2:05pm", in UK time.
pub fn moment(seconds: i64) -> String {
    zoned(seconds)
        .map(|z| format!("{} at {}", z.strftime("%-d %B %Y"), clock(&z)))
        .unwrap_or_default()
}

/// The first second of a UK day, as UTC seconds.
pub fn start_of_day(day: jiff::civil::Date) -> Option<i64> {
    Some(day.to_zoned(london()).ok()?.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_uk_time_with_summer_time() {
        // 1 April 2026 is in summer time: 13:05 UTC is 2:05pm in the UK.
        let summer = 1_775_048_700;
        assert_eq!(moment(summer), "1 April 2026 at 2:05pm");
        // In winter UK time is UTC.
        assert_eq!(moment(1_795_545_600), "24 November 2026 at 6:40pm");
        assert_eq!(moment(1_795_478_400), "24 November 2026 at 12am");
        // The day starts at midnight UK time, which in summer is 11pm UTC the day before.
        let day = jiff::civil::date(2026, 4, 1);
        assert_eq!(start_of_day(day), Some(1_774_998_000));
    }
}
