//! Reading the small text files a person points the tool at: `advise
//! --from REPORT.json`, `--site FILE` and `--sim FILE` (a profile).
//!
//! Owns: the size limit ([`MAX_INPUT_BYTES`]), refusing what is not a
//! regular file (a device such as `/dev/zero`, a FIFO, a folder) before
//! opening it, and the typed error saying what to do. Must not: parse the
//! text (each caller does), or follow a path anywhere but to read it.

use crate::exit::Exit;
use crate::failure::Failure;
use crate::lang::Lang;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest input file read, in bytes: 1 MiB. The biggest real inputs are
/// a few KB (a saved `--json` reading of 5 keys with diagnostics is about
/// 4 KB; apdu/site.example.toml about 2 KB; a profile with a certificate
/// about 3 KB), so this leaves two orders of magnitude of room while a
/// mistaken path (`/dev/zero`, a disk image) ends at once with a clear error
/// instead of filling memory.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024;

/// The cause of an I/O error in Japanese (issue 18: the system's English
/// message never appears in Japanese output; the OS error number stays
/// for the rare other causes).
pub fn io_reason_ja(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "ファイルがありません".to_string(),
        ErrorKind::PermissionDenied => "読み取る権限がありません".to_string(),
        _ => match e.raw_os_error() {
            Some(n) => format!("読み取りエラー、OSのエラー番号 {n}"),
            None => "読み取りエラー".to_string(),
        },
    }
}

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Opening or reading failed (no such file, no permission...).
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The path names something other than a regular file.
    #[error("{} is {what}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is ("a folder", "a device", "a FIFO (named pipe)"...).
        what: &'static str,
    },
    /// The file is larger than [`MAX_INPUT_BYTES`].
    #[error("{} is larger than {} KiB: not a file this tool writes or reads", path.display(), MAX_INPUT_BYTES / 1024)]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file is not UTF-8 text.
    #[error("{} is not UTF-8 text", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
}

impl Failure for InputError {
    /// A file a person named cannot be used. The errors that wrap this one
    /// (`SiteError`, `AdviseError`) give their own code.
    fn code(&self) -> &'static str {
        "input_file"
    }

    /// What the person typed is wrong (2).
    fn exit(&self) -> Exit {
        Exit::Usage
    }

    /// What happened and what to do next, in `lang`.
    fn describe(&self, lang: Lang) -> (String, String) {
        let what = match (self, lang) {
            (InputError::NotRegular { path, what }, Lang::Ja) => {
                let what = match *what {
                    "a folder" => "フォルダー",
                    "a device" => "デバイス",
                    "a FIFO (named pipe)" => "FIFO（名前付きパイプ）",
                    "a socket" => "ソケット",
                    _ => "通常のファイル以外のもの",
                };
                format!(
                    "{} は{what}で、通常のファイルではありません。",
                    path.display()
                )
            }
            (InputError::TooLarge { path }, Lang::Ja) => format!(
                "{} は {} KiB を超えています。このツールが読み書きするファイルではありません。",
                path.display(),
                MAX_INPUT_BYTES / 1024
            ),
            (InputError::NotText { path }, Lang::Ja) => {
                format!("{} は UTF-8 のテキストではありません。", path.display())
            }
            (InputError::Io { path, source }, Lang::Ja) => {
                format!(
                    "{} を読み込めません（{}）。",
                    path.display(),
                    io_reason_ja(source)
                )
            }
            (e, Lang::En) => sentence(&e.to_string()),
        };
        (what, self.next_step(lang).to_string())
    }
}

impl InputError {
    /// What to do next, in `lang`.
    pub fn next_step(&self, lang: Lang) -> &'static str {
        match self {
            InputError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => lang
                .pick(
                    "ファイル名と場所を確認してください。",
                    "Check the file's name and folder.",
                ),
            InputError::Io { .. } => lang.pick(
                "ファイルを読み取れる権限があるか確認してください。",
                "Check that you may read the file.",
            ),
            InputError::NotRegular { .. } | InputError::TooLarge { .. } => lang.pick(
                "通常のファイル（jpki-status --json の出力、設定ファイル、プロファイル）を指定してください。",
                "Give a regular file: a saved jpki-status --json output, a site file or a profile.",
            ),
            InputError::NotText { .. } => lang.pick(
                "UTF-8 で保存し直してください。",
                "Save the file again as UTF-8.",
            ),
        }
    }
}

/// What is at a path, in a few words for an error ("a device").
pub fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_file() {
        return "a regular file";
    }
    if t.is_dir() {
        return "a folder";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "something other than a file or folder"
}

/// Reads the text file at `path`: a regular file (symbolic links are
/// followed) of at most [`MAX_INPUT_BYTES`], in UTF-8. The type is checked
/// before opening, so a FIFO never blocks the open; the read itself is
/// bounded by `Read::take`, so a file that grows (or lies about its size)
/// still ends.
pub fn read_text_file(path: &Path) -> Result<String, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular {
            path: path.to_path_buf(),
            what: file_kind(&meta),
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let mut text = String::from_utf8(bytes).map_err(|_| InputError::NotText {
        path: path.to_path_buf(),
    })?;
    // A UTF-8 byte order mark, which Windows editors (Notepad) write, is
    // not part of the text: JSON and TOML parsers refuse it (issue 19).
    if text.starts_with('\u{FEFF}') {
        text.drain(..'\u{FEFF}'.len_utf8());
    }
    Ok(text)
}

/// An error's English text (`thiserror`'s lower-case phrase) as a
/// sentence: capital first letter, full stop. A text that starts with a
/// file name (`reading.json is not JSON`) keeps it as typed: a name is
/// never capitalised (issue 19).
pub(crate) fn sentence(text: &str) -> String {
    let mut s = text.to_string();
    let first_word = s.split(' ').next().unwrap_or_default();
    let is_path = first_word.contains(['/', '\\', '.']);
    if let Some(first) = s.get(..1).filter(|_| !is_path) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
    format!("{s}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_is_read_and_one_byte_over_the_limit_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ok = dir.path().join("ok.toml");
        std::fs::write(&ok, "a = 1\n").expect("write");
        assert_eq!(read_text_file(&ok).expect("reads"), "a = 1\n");
        let at_limit = dir.path().join("at.txt");
        std::fs::write(&at_limit, vec![b'x'; MAX_INPUT_BYTES as usize]).expect("write");
        assert!(read_text_file(&at_limit).is_ok());
        let over = dir.path().join("over.txt");
        std::fs::write(&over, vec![b'x'; MAX_INPUT_BYTES as usize + 1]).expect("write");
        assert!(matches!(
            read_text_file(&over),
            Err(InputError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_utf8_bom_is_not_part_of_the_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bom = dir.path().join("site.toml");
        std::fs::write(&bom, "\u{FEFF}a = 1\n").expect("write");
        assert_eq!(read_text_file(&bom).expect("reads"), "a = 1\n");
    }

    #[test]
    fn a_file_name_starting_an_error_is_never_capitalised() {
        assert_eq!(
            sentence("reading.json is not JSON"),
            "reading.json is not JSON."
        );
        assert_eq!(sentence("cannot read x"), "Cannot read x.");
    }

    #[test]
    fn folders_missing_files_and_binary_files_are_refused_with_a_next_step() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = read_text_file(dir.path()).expect_err("a folder");
        assert!(matches!(
            e,
            InputError::NotRegular {
                what: "a folder",
                ..
            }
        ));
        assert!(e.next_step(Lang::En).contains("regular file"));
        let e = read_text_file(&dir.path().join("missing")).expect_err("missing");
        assert!(e.next_step(Lang::Ja).contains("ファイル名"));
        let bin = dir.path().join("bin");
        std::fs::write(&bin, [0xff, 0xfe, 0x00]).expect("write");
        assert!(matches!(
            read_text_file(&bin),
            Err(InputError::NotText { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_before_reading() {
        let e = read_text_file(Path::new("/dev/zero")).expect_err("a device");
        assert!(
            matches!(
                e,
                InputError::NotRegular {
                    what: "a device",
                    ..
                }
            ),
            "{e}"
        );
    }
}
