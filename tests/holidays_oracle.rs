//! National holidays: src/holidays.rs (computed from the rules of
//! 国民の祝日に関する法律, so it never runs out) against an
//! independent, maintained source: the list exported from the PyPI package
//! `holidays` (python-holidays) into tests/data/ with its version and date
//! in the file's header. Every day of 2022-2060 must agree: a wrong rule
//! shows as the first date the two disagree on.
//!
//! Owns: that comparison. Must not: read the clock or the network.

use std::collections::BTreeMap;
use time::{Date, Duration, Month};

const WITNESS: &str = include_str!("data/jp-national-holidays-2022-2060.txt");

fn witness() -> BTreeMap<Date, &'static str> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    WITNESS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (date, name) = l.split_once(' ').expect("DATE NAME");
            (Date::parse(date, format).expect("a date"), name)
        })
        .collect()
}

#[test]
fn every_day_of_2022_to_2060_agrees_with_python_holidays() {
    let witness = witness();
    let mut d = Date::from_calendar_date(2022, Month::January, 1).unwrap();
    let end = Date::from_calendar_date(2060, Month::December, 31).unwrap();
    let (mut days, mut holidays) = (0, 0);
    while d <= end {
        let ours = jpki_status::holidays::is_holiday(d);
        let theirs = witness.get(&d);
        assert_eq!(
            ours,
            theirs.is_some(),
            "{d}: src/holidays.rs says {ours}, the witness says {theirs:?}"
        );
        days += 1;
        holidays += usize::from(ours);
        d += Duration::days(1);
    }
    // About 18 a year: a comparison that compared nothing would fail here.
    assert_eq!(holidays, witness.len(), "every listed day was compared");
    assert!(holidays > 16 * 39, "{holidays} holidays in {days} days");
    eprintln!("{days} days compared, {holidays} holidays, no disagreement");
}
