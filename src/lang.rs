//! The language of human output: Japanese or English.
//!
//! Owns: choosing the language from `--lang` or the locale, and
//! [`sentence_case`] (a capital at the start of an English sentence or row).
//! Must not: hold any text itself (each layer keeps its own strings next to
//! its logic).

use serde::{Deserialize, Serialize};

/// A language for human output. JSON keys never change with it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 日本語.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// `JPKI_STATUS_LANG` (`ja` or `en`), the explicit choice that beats a
    /// site file and the locale. On Windows, where the POSIX locale variables
    /// are usually unset, this is how a Japanese help desk says so.
    pub fn from_override_env() -> Option<Lang> {
        std::env::var("JPKI_STATUS_LANG")
            .ok()
            .and_then(|v| Lang::from_tag(&v))
    }

    /// Japanese when the locale is Japanese, otherwise English. The POSIX
    /// variables first (`LC_ALL`, `LC_MESSAGES`, `LANG`, first non-empty
    /// wins; `ja`, `ja_JP.UTF-8`, ...); when none is set, as on Windows and
    /// in macOS apps, the OS setting (the user's display language on
    /// Windows, the preferred language on macOS, via `sys-locale`; with the
    /// `cli` feature only).
    pub fn from_locale() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if !v.is_empty() {
                    return Lang::from_tag(&v).unwrap_or(Lang::En);
                }
            }
        }
        Lang::from_os().unwrap_or(Lang::En)
    }

    /// The OS language setting (`ja-JP` on a Japanese Windows or Mac), if
    /// it says Japanese or English.
    #[cfg(feature = "cli")]
    pub fn from_os() -> Option<Lang> {
        sys_locale::get_locale().and_then(|tag| Lang::from_tag(&tag))
    }

    /// The OS language setting: not looked up without the `cli` feature.
    #[cfg(not(feature = "cli"))]
    pub fn from_os() -> Option<Lang> {
        None
    }

    /// `ja*` is Japanese, `en*`/`C`/`POSIX` English, anything else unknown.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let t = tag.to_ascii_lowercase();
        if t.starts_with("ja") {
            Some(Lang::Ja)
        } else if t.starts_with("en") || t == "c" || t.starts_with("c.") || t == "posix" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks the Japanese or English text.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// A text that starts a sentence or a row, with its first letter in upper
/// case ("today, …" → "Today, …"); Japanese text is unchanged.
pub fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => c.to_ascii_uppercase().to_string() + chars.as_str(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn tags() {
        assert_eq!(Lang::from_tag("ja_JP.UTF-8"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr_FR"), None);
    }
}
