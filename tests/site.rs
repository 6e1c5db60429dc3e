//! Site settings: the example file loads; each kind of mistake names its
//! line and what is wrong; a missing `--site` file is an error while a
//! missing default file is not.

mod common;

use jpki_status::lang::Lang;
use jpki_status::site::{self, Paper, Site, SiteError};
use std::path::Path;

fn parse(text: &str) -> Result<Site, SiteError> {
    Site::parse(text, Path::new("site.toml"))
}

const MINIMAL: &str = "[office]\nname = \"X市役所\"\n";

#[test]
fn the_example_file_loads_with_every_field() {
    let path = common::repo().join("apdu/site.example.toml");
    let s = Site::load(&path).expect("example loads");
    assert_eq!(s.lang, Some(Lang::Ja));
    assert_eq!(s.paper, Some(Paper::A4));
    assert_eq!(
        s.office.name.as_str(),
        "サンプル市役所 市民課 マイナンバーカード窓口"
    );
    assert!(s
        .office
        .address
        .as_ref()
        .expect("address")
        .as_str()
        .contains("本庁舎1階"));
    assert!(s.office.hours.is_some() && s.office.phone.is_some() && s.office.note.is_some());
    assert!(s
        .office
        .reservation_url
        .as_ref()
        .expect("url")
        .as_str()
        .starts_with("https://"));
    assert_eq!(s.extra_documents.len(), 2);
    assert_eq!(s.holiday_openings.len(), 3);
    assert_eq!(s.holiday_openings[0].date.to_string(), "2026-11-29");

    // Only openings from today (Japan time) on are "upcoming".
    let today = site::japan_date(common::now());
    let later = time::macros::date!(2026 - 12 - 01);
    assert_eq!(s.upcoming_openings(today).len(), 3);
    assert_eq!(s.upcoming_openings(later).len(), 2);

    let text = s.render_text(Lang::Ja, common::now());
    assert!(text.contains("サンプル市役所"), "{text}");
    assert!(text.contains("2026年11月29日（日） 9:00〜12:00"), "{text}");
}

#[test]
fn only_the_office_name_is_required() {
    let s = parse(MINIMAL).expect("minimal");
    assert_eq!(s.office.name.as_str(), "X市役所");
    assert!(s.lang.is_none() && s.paper.is_none() && s.holiday_openings.is_empty());
    let e = parse("[office]\naddress = \"a\"\n").expect_err("no name");
    assert!(e.to_string().contains("name"), "{e}");
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = "[office]\nname = \"X\"\nphon = \"03\"\n";
    let e = parse(text).expect_err("unknown key");
    let msg = e.to_string();
    assert_eq!(e.line(), Some(3), "{msg}");
    assert!(msg.contains("site.toml:3:1"), "{msg}");
    assert!(msg.contains("unknown field `phon`"), "{msg}");
    // The message lists what would have been accepted.
    assert!(msg.contains("phone"), "{msg}");

    // At the top level and inside a holiday opening too.
    let e = parse(&format!("colour = \"red\"\n{MINIMAL}")).expect_err("top level");
    assert_eq!(e.line(), Some(1), "{e}");
    assert!(e.to_string().contains("colour"), "{e}");
    let e = parse(&format!(
        "{MINIMAL}[[holiday_openings]]\ndate = 2026-12-13\nhours = \"9-12\"\nroom = \"2F\"\n"
    ))
    .expect_err("in an opening");
    assert_eq!(e.line(), Some(6), "{e}");
    assert!(e.to_string().contains("room"), "{e}");
}

#[test]
fn a_wrong_type_gives_its_line() {
    let e = parse("[office]\nname = \"X\"\nphone = 3000\n").expect_err("number");
    assert_eq!(e.line(), Some(3), "{e}");
    assert!(e.to_string().contains("string"), "{e}");

    let e = parse(&format!("extra_documents = \"one\"\n{MINIMAL}")).expect_err("not a list");
    assert_eq!(e.line(), Some(1), "{e}");

    let e = parse(&format!(
        "{MINIMAL}[[holiday_openings]]\ndate = \"12/13\"\nhours = \"9-12\"\n"
    ))
    .expect_err("bad date");
    assert_eq!(e.line(), Some(4), "{e}");
    assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");

    let e = parse(&format!("lang = \"fr\"\n{MINIMAL}")).expect_err("language");
    assert_eq!(e.line(), Some(1), "{e}");
    let e = parse(&format!("paper = \"Letter\"\n{MINIMAL}")).expect_err("paper");
    assert_eq!(e.line(), Some(1), "{e}");
}

#[test]
fn values_that_would_print_badly_are_refused() {
    let e = parse("[office]\nname = \"X\"\nreservation_url = \"javascript:alert(1)\"\n")
        .expect_err("script url");
    assert_eq!(e.line(), Some(3), "{e}");
    assert!(e.to_string().contains("not a web address"), "{e}");
    let e = parse("[office]\nname = \"  \"\n").expect_err("blank name");
    assert_eq!(e.line(), Some(2), "{e}");
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn syntax_errors_and_a_bom_keep_the_right_line() {
    let e = parse("[office]\nname = \"X\nhours = \"9-5\"\n").expect_err("unterminated");
    assert_eq!(e.line(), Some(2), "{e}");
    // Windows Notepad's byte-order mark is not an error.
    parse(&format!("\u{feff}{MINIMAL}")).expect("BOM is skipped");
    let e = parse(&format!("\u{feff}{MINIMAL}bogus = 1\n")).expect_err("unknown");
    assert_eq!(e.line(), Some(3), "{e}");
}

#[test]
fn a_missing_file_is_a_read_error_with_a_next_step() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("nope.toml");
    let e = Site::load(&path).expect_err("missing");
    assert!(matches!(e, SiteError::Read { .. }), "{e:?}");
    assert!(e.to_string().contains("nope.toml"), "{e}");
    assert!(e.next_step(Lang::En).contains("example"), "{e}");
}

/// The only test here that touches the environment: the default location
/// follows `XDG_CONFIG_HOME`, and no file there is not an error.
#[cfg(unix)]
#[test]
fn the_default_location_is_optional() {
    let dir = tempfile::tempdir().expect("tmp");
    std::env::set_var("XDG_CONFIG_HOME", dir.path());
    let expected = dir.path().join("jpki-status").join("site.toml");
    assert_eq!(site::default_path(), Some(expected.clone()));
    assert!(Site::load_default().expect("no file is fine").is_none());

    std::fs::create_dir_all(expected.parent().expect("parent")).expect("mkdir");
    std::fs::write(&expected, MINIMAL).expect("write");
    let s = Site::load_default().expect("loads").expect("present");
    assert_eq!(s.office.name.as_str(), "X市役所");

    // A broken default file is still reported, not ignored.
    std::fs::write(&expected, "[office]\n").expect("write");
    assert!(Site::load_default().is_err());
}

/// Corrections (2026-11-26), "counter hours": with a site file the advice
/// says whether the office is open today and when; without structured hours
/// it says nothing it does not know.
#[test]
fn the_office_says_whether_it_is_open_today() {
    use jpki_status::site::Today;
    use time::macros::{date, datetime};
    let site = parse(
        "[office]\nname = \"X\"\nweekday_hours = \"08:30-17:15\"\nclosed_dates = [2026-11-27]\n\
         [[holiday_openings]]\ndate = 2026-11-29\nhours = \"9:00〜12:00\"\n",
    )
    .expect("parses");
    // Thursday 10:00: open.
    let (t, _) = site.today(datetime!(2026-11-26 10:00 +9)).expect("known");
    assert_eq!(
        t,
        Today::Open {
            hours: "8:30〜17:15".into(),
            over: false
        }
    );
    // Thursday 18:00: over; Friday is a closed date, Saturday closed, the
    // Sunday opening is next.
    let (t, next) = site.today(datetime!(2026-11-26 18:00 +9)).expect("known");
    assert!(matches!(t, Today::Open { over: true, .. }));
    assert_eq!(
        next,
        Some((date!(2026 - 11 - 29), "9:00〜12:00".to_string()))
    );
    let line = t.line(jpki_status::lang::Lang::Ja, next);
    assert_eq!(
        line,
        "受付は終わりました。次は11月29日（日）9:00〜12:00です。"
    );
    // The same instant in UTC is the same Japanese day.
    let (t, _) = site.today(datetime!(2026-11-26 09:00 UTC)).expect("known");
    assert!(matches!(t, Today::Open { over: true, .. }));
    // Saturday: closed.
    let (t, _) = site.today(datetime!(2026-11-28 10:00 +9)).expect("known");
    assert_eq!(t, Today::Closed);
    // The text shown after counter advice carries it.
    let text = site.render_text(jpki_status::lang::Lang::En, datetime!(2026-11-26 10:00 +9));
    assert!(text.contains("Today: open, 8:30〜17:15."), "{text}");
    // Without weekday hours: nothing is claimed.
    // Issue 18: a national holiday (2026-11-23, 勤労感謝の日) and the
    // year-end days are closed unless the file lists an opening.
    let (t, next) = site.today(datetime!(2026-11-23 10:00 +9)).expect("known");
    assert_eq!(t, Today::Closed);
    assert_eq!(
        next,
        Some((date!(2026 - 11 - 24), "8:30〜17:15".to_string()))
    );
    let (t, next) = site.today(datetime!(2026-12-30 10:00 +9)).expect("known");
    assert_eq!(t, Today::Closed);
    assert_eq!(
        next,
        Some((date!(2027 - 01 - 04), "8:30〜17:15".to_string()))
    );
    let bare = parse("[office]\nname = \"X\"\nhours = \"平日\"\n").expect("parses");
    assert!(bare.today(datetime!(2026-11-26 10:00 +9)).is_none());
    assert!(parse("[office]\nname = \"X\"\nweekday_hours = \"17:00-08:00\"\n").is_err());
}

/// Issue 18 (behaviour change): with a site file, a national holiday and
/// 12/29-1/3 are closed for the office even when `closed_dates` does not
/// list them, unless `holiday_openings` lists an opening that day; such an
/// opening is also found as the next one.
#[test]
fn a_listed_opening_wins_over_a_national_holiday_or_a_year_end_day() {
    use jpki_status::site::Today;
    use time::macros::{date, datetime};
    let site = parse(
        "[office]\nname = \"X\"\nweekday_hours = \"08:30-17:15\"\n\
         [[holiday_openings]]\ndate = 2026-11-23\nhours = \"9:00〜12:00\"\n\
         [[holiday_openings]]\ndate = 2026-12-30\nhours = \"9:00〜16:00\"\n",
    )
    .expect("parses");
    // 勤労感謝の日 (Monday), not in closed_dates, listed as an opening: open.
    let (t, _) = site.today(datetime!(2026-11-23 10:00 +9)).expect("known");
    assert_eq!(
        t,
        Today::Open {
            hours: "9:00〜12:00".into(),
            over: false
        }
    );
    // 12/29 (Tuesday, year-end, not listed anywhere): closed; the next
    // opening is the listed 12/30, not 1/4.
    let (t, next) = site.today(datetime!(2026-12-29 10:00 +9)).expect("known");
    assert_eq!(t, Today::Closed);
    assert_eq!(
        next,
        Some((date!(2026 - 12 - 30), "9:00〜16:00".to_string()))
    );
    // 12/31: closed, and the next opening is the first weekday after 1/3.
    let (t, next) = site.today(datetime!(2026-12-31 10:00 +9)).expect("known");
    assert_eq!(t, Today::Closed);
    assert_eq!(
        next,
        Some((date!(2027 - 01 - 04), "8:30〜17:15".to_string()))
    );
    // A national holiday without a listed opening (文化の日, Tuesday): closed.
    let (t, _) = site.today(datetime!(2026-11-03 10:00 +9)).expect("known");
    assert_eq!(t, Today::Closed);
}
