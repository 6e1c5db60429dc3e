//! The checked value types of a site file (clock ranges, texts, web
//! addresses, dates): each validates while it is deserialized, so `toml`
//! can name the line and column of a bad value. Must not: know about
//! offices, slips or advice (src/site/mod.rs).

use serde::{Deserialize, Deserializer};
use std::fmt;
use time::{Date, Month};

/// Opening and closing times on one day, written `"08:30-17:15"`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ClockRange {
    /// Opens.
    pub opens: time::Time,
    /// Closes.
    pub closes: time::Time,
}

impl<'de> Deserialize<'de> for ClockRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClockRange, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || {
            serde::de::Error::custom(format!(
                "not opening hours: {s:?} (expected HH:MM-HH:MM, e.g. \"08:30-17:15\")"
            ))
        };
        let t = |x: &str| -> Option<time::Time> {
            let (h, m) = x.trim().split_once(':')?;
            time::Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
        };
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        match (t(a), t(b)) {
            (Some(opens), Some(closes)) if opens < closes => Ok(ClockRange { opens, closes }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for ClockRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{:02}〜{}:{:02}",
            self.opens.hour(),
            self.opens.minute(),
            self.closes.hour(),
            self.closes.minute()
        )
    }
}

/// A non-empty, trimmed, single-paragraph text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Text(String);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        if t.is_empty() {
            return Err(serde::de::Error::custom(
                "empty text: remove the line or fill it in",
            ));
        }
        // Control characters would print as nothing or garble a terminal;
        // newlines are allowed (multi-line addresses).
        if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(serde::de::Error::custom(
                "control characters are not allowed",
            ));
        }
        Ok(Text(t.to_string()))
    }
}

/// An `http://` or `https://` address. Anything else (`javascript:`,
/// `file:`) is refused: it is printed as a link on the slip.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WebUrl(String);

impl WebUrl {
    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for WebUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WebUrl, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !t.chars().any(char::is_whitespace) => {
                Ok(WebUrl(t.to_string()))
            }
            _ => Err(serde::de::Error::custom(format!(
                "not a web address: {t:?} (expected https://...)"
            ))),
        }
    }
}

/// A calendar day, written as a TOML date (`2026-12-27`) or a string
/// (`"2026-12-27"`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct SiteDate(pub Date);

impl<'de> Deserialize<'de> for SiteDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SiteDate, D::Error> {
        // Untagged so both spellings work; toml's own datetime type survives
        // serde's buffering because it is a map with a private key.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Toml(toml::value::Datetime),
            Text(String),
        }
        let bad = |what: &str| {
            serde::de::Error::custom(format!(
                "not a date: {what} (expected YYYY-MM-DD, e.g. 2026-12-27)"
            ))
        };
        let repr = Repr::deserialize(d).map_err(|_| bad("wrong type"))?;
        let (y, m, day) = match repr {
            Repr::Toml(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(date), None, None) => (i32::from(date.year), date.month, date.day),
                _ => return Err(bad(&format!("{dt} has a time of day"))),
            },
            Repr::Text(s) => {
                let parts: Vec<&str> = s.trim().split('-').collect();
                match parts.as_slice() {
                    [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
                        match (y.parse(), m.parse(), d.parse()) {
                            (Ok(y), Ok(m), Ok(d)) => (y, m, d),
                            _ => return Err(bad(&format!("{s:?}"))),
                        }
                    }
                    _ => return Err(bad(&format!("{s:?}"))),
                }
            }
        };
        Month::try_from(m)
            .ok()
            .and_then(|m| Date::from_calendar_date(y, m, day).ok())
            .map(SiteDate)
            .ok_or_else(|| bad(&format!("{y:04}-{m:02}-{day:02} does not exist")))
    }
}

impl fmt::Display for SiteDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}
