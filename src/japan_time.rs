//! Japan time, defined once: Japan Standard Time is UTC+9 with no daylight
//! saving (docs/decision-rules.md, Inputs), and every clock time and
//! date the tool states is in it.
//!
//! Owns: the offset ([`JST`]), the total conversion ([`in_japan`]), the
//! calendar day in Japan ([`japan_date`]), the plain date and minute
//! formats the JSON uses and the dates as people write them
//! ([`human_date`], [`short_date`]). Must not: read the clock (callers pass `now`)
//! or panic: at the very edge of the representable range, where adding nine
//! hours would overflow, a time is returned unchanged. Clamping far
//! certificate dates (`probe::clamp_far`) is the probe's concern.

use crate::lang::Lang;
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

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date as people write it: 「2026年11月22日（日）」, "22 Nov 2026 (Sun)".
pub fn human_date(d: Date, lang: Lang) -> String {
    let wd = usize::from(d.weekday().number_days_from_monday());
    let m = u8::from(d.month());
    match lang {
        Lang::Ja => format!("{}年{}月{}日（{}）", d.year(), m, d.day(), WEEKDAYS_JA[wd]),
        Lang::En => format!(
            "{} {} {} ({})",
            d.day(),
            MONTHS_EN[usize::from(m - 1)],
            d.year(),
            WEEKDAYS_EN[wd]
        ),
    }
}

/// A date without its weekday: 「2030年6月1日」, "1 Jun 2030" (a card's
/// expiry, a check date).
pub fn long_date(d: Date, lang: Lang) -> String {
    let m = u8::from(d.month());
    match lang {
        Lang::Ja => format!("{}年{}月{}日", d.year(), m, d.day()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[usize::from(m - 1)], d.year()),
    }
}

/// [`long_date`] of a `YYYY-MM-DD` text; the text unchanged if it is not one.
pub fn long_date_text(s: &str, lang: Lang) -> String {
    parse_date_text(s).map_or_else(|| s.to_string(), |d| long_date(d, lang))
}

/// A date within the coming days, as a clerk writes it: 「11月25日（水）」,
/// "Wed 25 Nov".
pub fn short_date(d: Date, lang: Lang) -> String {
    let wd = usize::from(d.weekday().number_days_from_monday());
    let m = u8::from(d.month());
    match lang {
        Lang::Ja => format!("{}月{}日（{}）", m, d.day(), WEEKDAYS_JA[wd]),
        Lang::En => format!(
            "{} {} {}",
            WEEKDAYS_EN[wd],
            d.day(),
            MONTHS_EN[usize::from(m - 1)]
        ),
    }
}

/// Parses `YYYY-MM-DD` (and the date part of `YYYY-MM-DD HH:MM`).
pub fn parse_date_text(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10)?, &fmt).ok()
}

/// A date text `YYYY-MM-DD` as people write it ([`human_date`]); the text
/// unchanged if it is not one.
pub fn human_date_text(s: &str, lang: Lang) -> String {
    parse_date_text(s).map_or_else(|| s.to_string(), |d| human_date(d, lang))
}

/// `YYYY-MM-DD HH:MM` as people write it: 「11月25日（水）10:00」,
/// "Wed 25 Nov 10:00"; the text unchanged if it is not one.
pub fn short_minute_text(s: &str, lang: Lang) -> String {
    match (parse_date_text(s), s.get(11..16)) {
        (Some(d), Some(hm)) => {
            let hm = hm.strip_prefix('0').unwrap_or(hm);
            match lang {
                Lang::Ja => format!("{}{hm}", short_date(d, lang)),
                Lang::En => format!("{} {hm}", short_date(d, lang)),
            }
        }
        _ => s.to_string(),
    }
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

    #[test]
    fn dates_read_as_people_write_them() {
        let d = time::macros::date!(2026 - 11 - 25);
        assert_eq!(short_date(d, Lang::Ja), "11月25日（水）");
        assert_eq!(short_date(d, Lang::En), "Wed 25 Nov");
        assert_eq!(human_date(d, Lang::Ja), "2026年11月25日（水）");
        assert_eq!(
            short_minute_text("2026-11-25 09:05", Lang::Ja),
            "11月25日（水）9:05"
        );
        assert_eq!(human_date_text("not a date", Lang::Ja), "not a date");
        assert_eq!(long_date_text("2030-06-01", Lang::Ja), "2030年6月1日");
        assert_eq!(long_date_text("2030-06-01", Lang::En), "1 Jun 2030");
    }
}
