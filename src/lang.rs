//! The language of human output: Japanese or English.
//!
//! Owns: choosing the language from `--lang` or the locale. Must not: hold
//! any text itself (each layer keeps its own strings next to its logic).

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// A language for human output. JSON keys never change with it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 日本語.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Japanese when the locale is Japanese (`LC_ALL`, `LC_MESSAGES`, `LANG`
    /// in POSIX precedence, first non-empty wins; `ja`, `ja_JP.UTF-8`, ...),
    /// otherwise English. On Windows these variables are usually unset, so a
    /// Japanese help desk passes `--lang ja` or sets `JPKI_STATUS_LANG=ja`.
    pub fn from_env() -> Lang {
        if let Ok(v) = std::env::var("JPKI_STATUS_LANG") {
            if let Some(l) = Lang::from_tag(&v) {
                return l;
            }
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if !v.is_empty() {
                    return Lang::from_tag(&v).unwrap_or(Lang::En);
                }
            }
        }
        Lang::En
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
