//! The days most municipal counters are closed: Saturdays and Sundays,
//! national holidays, and the year-end and New Year days 12/29-1/3.
//!
//! Owns: [`day_off`] and [`next_open_day`]. National holidays are computed
//! from the rules of 国民の祝日に関する法律 (Articles 2 and 3, as in force
//! since 2020: the sixteen 国民の祝日, 振替休日 and 国民の休日), not from a
//! list of dates, so they do not run out. The equinox days (春分の日,
//! 秋分の日) are fixed officially each year in the 暦要項 that the National
//! Astronomical Observatory publishes on 1 February of the year before;
//! here they come from the usual approximation formula, valid for
//! 1980-2099, which gives the published days for 2026 (docs/decision-table.md
//! says what was checked and when). Outside 2022-2099 no holiday is
//! claimed ([`HOLIDAY_YEARS`]). The year-end days are those of the
//! municipalities' 休日条例 under 地方自治法 Article 4-2 (most say
//! 12/29-1/3; a site file states the office's own days).
//!
//! Must not: read the clock (callers pass the date) or panic.
//!
//! Why not a crate: `jpholiday` 0.2.1 (rule-based, maintained) requires
//! Rust 1.96, newer than this project's toolchain and MSRV; `holiday_jp`
//! 0.1.2 (2017) downloads its data at run time. See README, "Why these
//! crates".

use time::{Date, Month, Weekday};

/// The years whose holidays this module computes (the Act as in force
/// since 2020, after the 2020-2021 special moves; the equinox formula's
/// range).
pub const HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 2022..=2099;

/// Why a day is a day off for most counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Off {
    /// Saturday or Sunday.
    Weekend,
    /// A national holiday (国民の祝日, 振替休日 or 国民の休日).
    Holiday,
    /// 12/29-1/3 (休日条例).
    YearEnd,
}

/// Why most municipal counters are closed on `d`, if they are. The year-end
/// days come first (1/1 is also a holiday), then holidays, then weekends.
pub fn day_off(d: Date) -> Option<Off> {
    let (m, day) = (d.month(), d.day());
    if (m == Month::December && day >= 29) || (m == Month::January && day <= 3) {
        Some(Off::YearEnd)
    } else if is_holiday(d) {
        Some(Off::Holiday)
    } else if matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        Some(Off::Weekend)
    } else {
        None
    }
}

/// The first day after `d` that is no day off (at most a few weeks on).
pub fn next_open_day(d: Date) -> Date {
    let mut n = d;
    for _ in 0..30 {
        n = match n.next_day() {
            Some(x) => x,
            None => return n,
        };
        if day_off(n).is_none() {
            return n;
        }
    }
    n
}

/// A national holiday under the Act (Article 2 days, Article 3 振替休日
/// and 国民の休日); false outside [`HOLIDAY_YEARS`].
pub fn is_holiday(d: Date) -> bool {
    if !HOLIDAY_YEARS.contains(&d.year()) {
        return false;
    }
    if is_shukujitsu(d) {
        return true;
    }
    // Article 3(2): a 国民の祝日 on a Sunday makes the nearest following
    // day that is not a 国民の祝日 a holiday.
    let mut p = d;
    loop {
        p = match p.previous_day() {
            Some(x) => x,
            None => break,
        };
        if !is_shukujitsu(p) {
            break;
        }
        if p.weekday() == Weekday::Sunday {
            return true;
        }
    }
    // Article 3(3): a day between two 国民の祝日 is a holiday.
    matches!(
        (d.previous_day(), d.next_day()),
        (Some(a), Some(b)) if is_shukujitsu(a) && is_shukujitsu(b)
    )
}

/// One of the sixteen 国民の祝日 (Article 2).
fn is_shukujitsu(d: Date) -> bool {
    let y = d.year();
    let day = d.day();
    let monday = |n: u8| d.weekday() == Weekday::Monday && (day - 1) / 7 + 1 == n;
    match d.month() {
        Month::January => day == 1 || monday(2),
        Month::February => day == 11 || day == 23,
        Month::March => equinox(y, 20.8431).is_some_and(|e| e == day),
        Month::April => day == 29,
        Month::May => (3..=5).contains(&day),
        Month::July => monday(3),
        Month::August => day == 11,
        Month::September => monday(3) || equinox(y, 23.2488).is_some_and(|e| e == day),
        Month::October => monday(2),
        Month::November => day == 3 || day == 23,
        Month::June | Month::December => false,
    }
}

/// The equinox day by the usual approximation (1980-2099): `base` 20.8431
/// for March, 23.2488 for September.
fn equinox(year: i32, base: f64) -> Option<u8> {
    let n = year.checked_sub(1980)?;
    if !(0..=119).contains(&n) {
        return None;
    }
    let day = base + 0.242194 * f64::from(n) - f64::from(n / 4);
    // Between 19 and 24 by construction in this range.
    u8::try_from(day.floor() as i64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// 2026 as published (内閣府「国民の祝日」について; the equinox days
    /// of the 令和8年暦要項): every holiday, and no other weekday.
    #[test]
    fn the_2026_holidays_are_the_published_ones() {
        let published = [
            date!(2026 - 01 - 01),
            date!(2026 - 01 - 12),
            date!(2026 - 02 - 11),
            date!(2026 - 02 - 23),
            date!(2026 - 03 - 20),
            date!(2026 - 04 - 29),
            date!(2026 - 05 - 03),
            date!(2026 - 05 - 04),
            date!(2026 - 05 - 05),
            date!(2026 - 05 - 06),
            date!(2026 - 07 - 20),
            date!(2026 - 08 - 11),
            date!(2026 - 09 - 21),
            date!(2026 - 09 - 22),
            date!(2026 - 09 - 23),
            date!(2026 - 10 - 12),
            date!(2026 - 11 - 03),
            date!(2026 - 11 - 23),
        ];
        let mut d = date!(2026 - 01 - 01);
        while d.year() == 2026 {
            assert_eq!(is_holiday(d), published.contains(&d), "{d}");
            d = d.next_day().expect("in range");
        }
    }

    #[test]
    fn counters_close_on_weekends_holidays_and_the_year_end() {
        assert_eq!(day_off(date!(2026 - 11 - 24)), None);
        assert_eq!(day_off(date!(2026 - 11 - 28)), Some(Off::Weekend));
        assert_eq!(day_off(date!(2026 - 11 - 23)), Some(Off::Holiday));
        assert_eq!(day_off(date!(2026 - 12 - 30)), Some(Off::YearEnd));
        assert_eq!(day_off(date!(2027 - 01 - 01)), Some(Off::YearEnd));
        assert_eq!(next_open_day(date!(2026 - 12 - 30)), date!(2027 - 01 - 04));
        assert_eq!(next_open_day(date!(2026 - 11 - 28)), date!(2026 - 11 - 30));
        // 2027: 春分の日 on a Sunday gives Monday 3/22 (振替休日).
        assert!(is_holiday(date!(2027 - 03 - 21)) && is_holiday(date!(2027 - 03 - 22)));
        assert!(!is_holiday(date!(2101 - 01 - 01)));
    }
}
