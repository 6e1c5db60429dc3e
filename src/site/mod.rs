//! Site settings: the local office a help desk sends people to, read from a
//! TOML file (`--site FILE`, or the default location of [`default_path`]).
//!
//! Owns: the file format (docs/slip-and-site.md), its validation, and errors
//! that name the line and column of what is wrong. Must not: decide a route
//! (that is `advice`) or hold anything about a card holder: the file
//! describes an office, and it is printed on every slip.
//!
//! Every check runs while deserializing (custom `Deserialize` impls), not
//! afterwards, so that `toml` attaches the span of the offending value and
//! the error can say "line 7, column 9" instead of just "bad date".

mod values;

pub use values::{ClockRange, SiteDate, Text, WebUrl};

use crate::failure::Failure;
use crate::input::InputError;
use crate::lang::Lang;
use serde::Deserialize;
use std::ffi::OsString;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use time::{Date, OffsetDateTime};

/// The file name inside the configuration folder.
pub const FILE_NAME: &str = "site.toml";
/// The folder inside the platform's configuration folder.
pub const DIR_NAME: &str = "jpki-status";

/// The whole site file.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The language of human output when neither `--lang` nor
    /// `JPKI_STATUS_LANG` says otherwise (`"ja"` or `"en"`).
    #[serde(default)]
    pub lang: Option<Lang>,
    /// The paper the slip is laid out for; A4 when not set.
    #[serde(default)]
    pub paper: Option<Paper>,
    /// The office.
    pub office: Office,
    /// Documents this office asks for beyond the national list (R11), in
    /// the office's own words.
    #[serde(default)]
    pub extra_documents: Vec<Text>,
    /// Openings outside the usual hours (weekends, holidays, evenings).
    #[serde(default)]
    pub holiday_openings: Vec<HolidayOpening>,
}

/// The municipal office that resets PINs and renews certificates.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    /// Its name, e.g. 「○○市役所 市民課 マイナンバーカード窓口」.
    pub name: Text,
    /// Street address and floor.
    #[serde(default)]
    pub address: Option<Text>,
    /// Usual opening hours, free text (「平日 8:30〜17:15」).
    #[serde(default)]
    pub hours: Option<Text>,
    /// Monday-to-Friday hours as `HH:MM-HH:MM` (「08:30-17:15」): with it the
    /// advice says whether the office is open today and until when.
    #[serde(default)]
    pub weekday_hours: Option<ClockRange>,
    /// Other weekdays the office is closed. National holidays and 12/29-1/3
    /// are closed without being listed (`crate::holidays`); a listed
    /// `holiday_openings` date wins over both.
    #[serde(default)]
    pub closed_dates: Vec<SiteDate>,
    /// Telephone number, free text.
    #[serde(default)]
    pub phone: Option<Text>,
    /// The reservation page.
    #[serde(default)]
    pub reservation_url: Option<WebUrl>,
    /// Anything else the office wants on the slip (floor, window number).
    #[serde(default)]
    pub note: Option<Text>,
}

/// One opening outside the usual hours.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayOpening {
    /// The day.
    pub date: SiteDate,
    /// The hours that day, free text (「9:00〜12:00」).
    pub hours: Text,
    /// What is offered, or where (「予約制」, 「本庁舎1階」).
    #[serde(default)]
    pub note: Option<Text>,
}

/// Whether the office is open today (Corrections, "counter hours").
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Today {
    /// Open today with these hours; `closed_now` once they are over.
    Open {
        /// The hours, as text.
        hours: String,
        /// Today's hours are over.
        over: bool,
    },
    /// Closed today (weekend or a closed date).
    Closed,
}

impl Today {
    /// One line: 「今日は 8:30〜17:15 に開いています」.
    pub fn line(&self, lang: Lang, next: Option<(Date, String)>) -> String {
        let next = next.map(|(d, h)| match lang {
            Lang::Ja => format!("{}{h}", crate::japan_time::short_date(d, lang)),
            Lang::En => format!("{} {h}", crate::japan_time::short_date(d, lang)),
        });
        match (self, lang, next) {
            (Today::Open { hours, over: false }, Lang::Ja, _) => {
                format!("{hours}に開いています。")
            }
            (Today::Open { hours, over: false }, Lang::En, _) => format!("open, {hours}."),
            (Today::Open { over: true, .. } | Today::Closed, Lang::Ja, Some(n)) => {
                let what = if matches!(self, Today::Closed) {
                    "閉まっています"
                } else {
                    "受付は終わりました"
                };
                format!("{what}。次は{n}です。")
            }
            (Today::Open { over: true, .. } | Today::Closed, Lang::En, Some(n)) => {
                let what = if matches!(self, Today::Closed) {
                    "closed"
                } else {
                    "hours are over"
                };
                format!("{what}; next: {n}.")
            }
            (_, Lang::Ja, None) => "閉まっています。".into(),
            (_, Lang::En, None) => "closed.".into(),
        }
    }
}

/// The paper size the slip is laid out for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Deserialize)]
pub enum Paper {
    /// 210 x 297 mm.
    #[default]
    #[serde(rename = "A4", alias = "a4")]
    A4,
    /// 148 x 210 mm.
    #[serde(rename = "A5", alias = "a5")]
    A5,
}

/// Why a site file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// The file could not be read (missing, unreadable, not a regular
    /// file, larger than [`crate::input::MAX_INPUT_BYTES`], not UTF-8).
    #[error("cannot use the site file: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::input::InputError,
    },
    /// The file is not valid TOML, or a value is wrong.
    #[error("{}{}: {message}", path.display(), location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line and column (in characters) of what is wrong, when
        /// the parser knows it.
        location: Option<(usize, usize)>,
        /// What is wrong, in the parser's words (names the key or the
        /// expected type).
        message: String,
    },
}

impl SiteError {
    /// The line of what is wrong, when known.
    #[cfg(any(test, feature = "internals"))] // read by tests only
    pub fn line(&self) -> Option<usize> {
        match self {
            SiteError::Invalid { location, .. } => location.map(|(l, _)| l),
            SiteError::Read { .. } => None,
        }
    }

    /// What the person should do next, in `lang`.
    pub fn next_step(&self, lang: Lang) -> &'static str {
        match self {
            SiteError::Read {
                source: crate::input::InputError::Io { source, .. },
                ..
            } if source.kind() == std::io::ErrorKind::NotFound => lang.pick(
                "ファイル名を確認してください。書式の例は docs/slip-and-site.md にあります。",
                "Check the file name; docs/slip-and-site.md has an example file.",
            ),
            SiteError::Read {
                source:
                    source @ (crate::input::InputError::NotRegular { .. }
                    | crate::input::InputError::TooLarge { .. }),
                ..
            } => source.next_step(lang),
            SiteError::Read { .. } => lang.pick(
                "ファイルの権限と文字コード（UTF-8）を確認してください。",
                "Check the file's permissions and that it is UTF-8.",
            ),
            SiteError::Invalid { .. } => lang.pick(
                "示された行を直してください。使えるキーと書式は docs/slip-and-site.md にあります。",
                "Fix the line shown; docs/slip-and-site.md lists every key and its format.",
            ),
        }
    }
}

impl Site {
    /// Reads and checks a site file.
    pub fn load(path: &Path) -> Result<Site, SiteError> {
        let text = crate::input::read_text_file(path).map_err(|source| SiteError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Site::parse(&text, path)
    }

    /// Reads the file at [`default_path`]. No default location, or no file
    /// there, is `Ok(None)`: the site file is optional.
    pub fn load_default() -> Result<Option<Site>, SiteError> {
        match default_path() {
            Some(p) if p.is_file() => Site::load(&p).map(Some),
            _ => Ok(None),
        }
    }

    /// Checks a site file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Site, SiteError> {
        // A UTF-8 BOM (Windows Notepad) is not TOML; drop it rather than
        // report an "invalid character" at 1:1 nobody can see.
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let offset = text.len() - body.len();
        toml::from_str::<Site>(body).map_err(|e| SiteError::Invalid {
            path: origin.to_path_buf(),
            location: e.span().map(|s| line_column(text, s.start + offset)),
            message: e.message().trim().to_string(),
        })
    }

    /// The openings from `today` on, earliest first.
    pub fn upcoming_openings(&self, today: Date) -> Vec<&HolidayOpening> {
        let mut v: Vec<&HolidayOpening> = self
            .holiday_openings
            .iter()
            .filter(|o| o.date.0 >= today)
            .collect();
        v.sort_by_key(|o| o.date);
        v
    }

    /// Whether the office is open on the day of `now` (Japan time) and the
    /// next opening; `None` without `weekday_hours` and no special opening
    /// today (the generic hours text is all there is).
    pub fn today(&self, now: OffsetDateTime) -> Option<(Today, Option<(Date, String)>)> {
        let now = crate::japan_time::in_japan(now);
        let today = now.date();
        let special = |d: Date| self.holiday_openings.iter().find(|o| o.date.0 == d);
        let regular = |d: Date| -> Option<ClockRange> {
            // Weekends, national holidays and 12/29-1/3 are days off
            // (休日条例; issue 18), besides the office's own closed dates;
            // a holiday opening listed in the file still wins (`special`).
            let day_off = crate::holidays::day_off(d).is_some();
            let closed = self.office.closed_dates.iter().any(|c| c.0 == d);
            self.office.weekday_hours.filter(|_| !day_off && !closed)
        };
        let hours_on = |d: Date| -> Option<String> {
            special(d)
                .map(|o| o.hours.to_string())
                .or_else(|| regular(d).map(|r| r.to_string()))
        };
        if self.office.weekday_hours.is_none() && special(today).is_none() {
            return None;
        }
        let state = match (special(today), regular(today)) {
            (Some(o), _) => Today::Open {
                hours: o.hours.to_string(),
                over: false,
            },
            (None, Some(r)) => Today::Open {
                hours: r.to_string(),
                over: now.time() >= r.closes,
            },
            (None, None) => Today::Closed,
        };
        let next = (1..=14)
            .filter_map(|i| today.checked_add(time::Duration::days(i)))
            .find_map(|d| hours_on(d).map(|h| (d, h)));
        Some((state, next))
    }

    /// The office as plain text, for the terminal after counter advice:
    /// name, address, hours, phone, reservation page, extra documents, and
    /// openings from today (Japan time) on.
    pub fn render_text(&self, lang: Lang, now: OffsetDateTime) -> String {
        let mut out = String::new();
        let o = &self.office;
        let _ = writeln!(out, "{}: {}", lang.pick("窓口", "Office"), o.name);
        if let Some((today, next)) = self.today(now) {
            let _ = writeln!(
                out,
                "  {}: {}",
                lang.pick("今日", "Today"),
                today.line(lang, next)
            );
        }
        let mut line = |label: &str, v: &dyn fmt::Display| {
            let text = v.to_string().replace('\n', " ");
            let _ = writeln!(out, "  {label}: {text}");
        };
        if let Some(v) = &o.address {
            line(lang.pick("所在地", "Address"), v);
        }
        if let Some(v) = &o.hours {
            line(lang.pick("受付時間", "Hours"), v);
        }
        if let Some(v) = &o.phone {
            line(lang.pick("電話", "Phone"), v);
        }
        if let Some(v) = &o.reservation_url {
            line(lang.pick("予約", "Reservations"), v);
        }
        if let Some(v) = &o.note {
            line(lang.pick("備考", "Note"), v);
        }
        for d in &self.extra_documents {
            line(
                lang.pick("この窓口で必要なもの", "This office also asks for"),
                d,
            );
        }
        for h in self.upcoming_openings(japan_date(now)) {
            let date = crate::japan_time::human_date(h.date.0, lang);
            let text = match (&h.note, lang) {
                (Some(n), Lang::Ja) => format!("{date} {}（{n}）", h.hours),
                (Some(n), Lang::En) => format!("{date} {} ({n})", h.hours),
                (None, _) => format!("{date} {}", h.hours),
            };
            line(lang.pick("休日・時間外の開庁", "Extra opening"), &text);
        }
        out
    }
}

/// The calendar day in Japan (defined once, in `japan_time`).
pub use crate::japan_time::japan_date;

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before
        .get(line_start..)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

/// Where the site file is looked for when `--site` is not given:
/// `%APPDATA%\jpki-status\site.toml` on Windows;
/// `$XDG_CONFIG_HOME/jpki-status/site.toml`, else
/// `~/.config/jpki-status/site.toml`, elsewhere (macOS included: a help-desk
/// tool is configured like other command-line tools there, not like an app
/// bundle). `None` when the variables it needs are unset.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(cfg!(windows), |k| std::env::var_os(k))
}

fn default_path_from(windows: bool, var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    // The XDG spec says relative values are invalid and must be ignored.
    let absolute = |v: OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = if windows {
        // Checked for being absolute only on Windows itself: `C:\...` is not
        // absolute to the Unix `Path` the unit tests also run with. A
        // relative value would otherwise resolve against the current folder.
        Some(PathBuf::from(var("APPDATA")?))
            .filter(|p| !p.as_os_str().is_empty() && (!cfg!(windows) || p.is_absolute()))?
    } else {
        match var("XDG_CONFIG_HOME").and_then(absolute) {
            Some(p) => p,
            None => var("HOME").and_then(absolute)?.join(".config"),
        }
    };
    Some(base.join(DIR_NAME).join(FILE_NAME))
}

/// The TOML parser's message in Japanese for the usual mistakes (an
/// unknown or missing key); any other is marked as the parser's own words
/// (issue 18: no bare English sentence in Japanese output).
fn toml_message_ja(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (key, expected) = rest.split_once(", expected one of ").unwrap_or((rest, ""));
        return if expected.is_empty() {
            format!("{key} というキーは使えません")
        } else {
            format!("{key} というキーは使えません（使えるキー: {expected}）")
        };
    }
    if let Some(key) = message.strip_prefix("missing field ") {
        return format!("必要なキー {key} がありません");
    }
    format!("書き方の誤り（TOMLの解析: {message}）")
}

/// What is wrong with the site file, in `lang`.
fn site_message(e: &SiteError, lang: Lang) -> String {
    match (lang, e) {
        (
            Lang::Ja,
            SiteError::Read {
                path,
                source: InputError::Io { source, .. },
            },
        ) => format!(
            "サイト設定ファイル {} を読み込めません（{}）。",
            path.display(),
            crate::input::io_reason_ja(source)
        ),
        (
            Lang::En,
            SiteError::Read {
                path,
                source: InputError::Io { source, .. },
            },
        ) => format!("Cannot read the site file {} ({source}).", path.display()),
        (Lang::Ja, SiteError::Read { source, .. }) => {
            format!("サイト設定ファイル: {}", source.describe(lang).0)
        }
        (Lang::En, SiteError::Read { source, .. }) => {
            format!("Site file: {}", source.describe(lang).0)
        }
        (
            Lang::Ja,
            SiteError::Invalid {
                path,
                location,
                message,
            },
        ) => {
            let at = location
                .map(|(l, c)| format!("{l}行{c}文字目"))
                .unwrap_or_default();
            format!(
                "サイト設定ファイル {} の{at}に誤りがあります: {}",
                path.display(),
                toml_message_ja(message)
            )
        }
        (Lang::En, SiteError::Invalid { .. }) => format!("Error in the site file: {e}"),
    }
}

impl crate::failure::Failure for SiteError {
    fn code(&self) -> &'static str {
        "site_file"
    }
    fn exit(&self) -> crate::exit::Exit {
        crate::exit::Exit::Usage
    }
    fn describe(&self, lang: Lang) -> (String, String) {
        (site_message(self, lang), self.next_step(lang).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| {
            owned
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    /// An absolute path on the platform the test runs on (`/x` is not
    /// absolute on Windows, which needs a drive).
    fn abs(rest: &str) -> String {
        if cfg!(windows) {
            format!("C:\\{rest}")
        } else {
            format!("/{rest}")
        }
    }

    #[test]
    fn default_path_follows_xdg_then_home() {
        let (x, h) = (abs("x"), abs("h"));
        assert_eq!(
            default_path_from(false, vars(&[("XDG_CONFIG_HOME", &x), ("HOME", &h)])),
            Some(PathBuf::from(&x).join("jpki-status").join("site.toml"))
        );
        assert_eq!(
            default_path_from(false, vars(&[("XDG_CONFIG_HOME", "rel"), ("HOME", &h)])),
            Some(PathBuf::from(&h).join(".config/jpki-status/site.toml"))
        );
        assert_eq!(default_path_from(false, vars(&[])), None);
    }

    #[test]
    fn default_path_on_windows_is_under_appdata() {
        let appdata = r"C:\Users\窓口\AppData\Roaming";
        let everything = [
            ("APPDATA", appdata),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ];
        assert_eq!(
            default_path_from(true, vars(&everything)),
            Some(PathBuf::from(appdata).join("jpki-status").join("site.toml"))
        );
        assert_eq!(default_path_from(true, vars(&[("HOME", "/h")])), None);
        assert_eq!(default_path_from(true, vars(&[("APPDATA", "")])), None);
        if cfg!(windows) {
            // The real default on the platform itself.
            let expected = std::env::var_os("APPDATA")
                .filter(|v| Path::new(v).is_absolute())
                .map(|v| PathBuf::from(v).join("jpki-status").join("site.toml"));
            assert_eq!(default_path(), expected);
            assert_eq!(default_path_from(true, vars(&[("APPDATA", "rel")])), None);
        }
    }

    #[test]
    fn line_column_counts_characters_not_bytes() {
        let t = "a = 1\n名前 = x\n";
        let off = t.find('x').expect("x");
        assert_eq!(line_column(t, off), (2, 6));
        assert_eq!(line_column(t, 0), (1, 1));
    }

    #[test]
    fn dates_in_both_spellings() {
        let base = "[office]\nname = \"X\"\n[[holiday_openings]]\nhours = \"9-12\"\n";
        for d in ["2026-12-27", "\"2026-12-27\""] {
            let s = Site::parse(&format!("{base}date = {d}\n"), Path::new("t")).expect(d);
            assert_eq!(s.holiday_openings[0].date.to_string(), "2026-12-27");
        }
        let e = Site::parse(&format!("{base}date = \"2026-02-30\"\n"), Path::new("t"))
            .expect_err("no such day");
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert_eq!(e.line(), Some(5));
        // A bare impossible date is refused by the TOML parser itself, with
        // the same line.
        let e = Site::parse(&format!("{base}date = 2026-02-30\n"), Path::new("t"))
            .expect_err("no such day");
        assert_eq!(e.line(), Some(5), "{e}");
    }
}
