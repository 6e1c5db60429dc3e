//! Japan time, defined once: Japan Standard Time is UTC+9 with no daylight
//! saving (docs/decision-rules.md, Inputs), and every clock time and
//! date the tool states is in it.
//!
//! Owns: the offset ([`JST`]), the total conversion ([`in_japan`]), the
//! calendar day in Japan ([`japan_date`]) and the plain date and minute
//! formats the advice uses. Must not: read the clock (callers pass `now`)
//! or panic: at the very edge of the representable range, where adding nine
//! hours would overflow, a time is returned unchanged. Clamping far
//! certificate dates (`probe::clamp_far`) is the probe's concern.

use time::{Date, OffsetDateTime, UtcOffset};

/// Japan Standard Time: UTC+9, no daylight saving.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// `t` in Japan time; unchanged at the very edge of the representable
/// range, where the conversion would overflow (total, never panics).
pub fn in_japan(t: OffsetDateTime) -> OffsetDateTime {
    t.checked_to_offset(JST).unwrap_or(t)
}

/// The calendar day in Japan at `t`.
pub fn japan_date(t: OffsetDateTime) -> Date {
    in_japan(t).date()
}

/// `2026-11-22`.
pub fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `2026-11-22 14:05`, the clock time as given (call [`in_japan`] first).
pub fn minute_text(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", date_text(t.date()), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn japan_is_nine_hours_ahead_and_the_edge_does_not_panic() {
        let t = in_japan(datetime!(2026-11-22 14:10 UTC));
        assert_eq!(minute_text(t), "2026-11-22 23:10");
        assert_eq!(
            japan_date(datetime!(2026-11-22 15:00 UTC)).to_string(),
            "2026-11-23"
        );
        let edge = OffsetDateTime::new_utc(Date::MAX, time::Time::MAX);
        assert_eq!(in_japan(edge), edge);
    }
}
