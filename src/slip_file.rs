//! Writing slip files: `--slip PATH` (one page) and `--watch --slip FOLDER`
//! (one page per card).
//!
//! Owns: where a slip may be written and how. A slip only ever goes into a
//! regular file: an existing regular file is replaced (through a temporary
//! file and a rename, so a browser or print spooler never sees half a page);
//! a device (`/dev/null`), a FIFO, a socket, a folder or a symbolic link at
//! the path is never replaced, and the error says so with what to do. Must
//! not: decide what is on the slip (`slip` renders it) or create folders for
//! a single slip.
//!
//! The type of the path is checked before the reading starts
//! ([`check_slip_path`]) and again just before the rename. Between the two
//! checks another program could swap the path; closing that window needs
//! `renameat2(RENAME_NOREPLACE)`-style calls that Windows lacks, and the
//! threat here is a mistaken command line, not an attacker racing the desk.

use crate::exit::Exit;
use crate::failure::Failure;
use crate::input::file_kind;
use crate::lang::Lang;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// Why a slip could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SlipWriteError {
    /// Something other than a regular file is at the path: it is left alone.
    #[error("{} is {what}: a slip is written only to a regular file, and this is left as it is", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What is there ("a device", "a FIFO (named pipe)", "a symbolic
        /// link", "a folder"...).
        what: &'static str,
    },
    /// The folder the slip should go into does not exist (or, in watch
    /// mode, the slip folder's path is not a folder).
    #[error("the folder {} does not exist", dir.display())]
    NoFolder {
        /// The folder.
        dir: PathBuf,
    },
    /// Watch mode's `--slip FOLDER` names something that is not a folder.
    #[error("{} is {what}, not a folder for slips", dir.display())]
    NotAFolder {
        /// The path.
        dir: PathBuf,
        /// What it is.
        what: &'static str,
    },
    /// `--slip` names no file (`--slip /`, `--slip ..`).
    #[error("{} names no file", path.display())]
    NoFileName {
        /// The path.
        path: PathBuf,
    },
    /// Writing failed (no permission, disk full...).
    #[error("cannot write the slip {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

impl Failure for SlipWriteError {
    /// A stable snake_case code for JSON errors.
    fn code(&self) -> &'static str {
        match self {
            SlipWriteError::NotRegular { .. } => "slip_not_regular_file",
            SlipWriteError::NoFolder { .. } => "slip_folder_missing",
            SlipWriteError::NotAFolder { .. } => "slip_not_a_folder",
            SlipWriteError::NoFileName { .. } => "slip_no_file_name",
            SlipWriteError::Io { .. } => "slip_not_written",
        }
    }

    /// The command line is at fault (exit 2) unless the system failed to
    /// write (exit 1).
    fn exit(&self) -> Exit {
        match self {
            SlipWriteError::Io { .. } => Exit::Failure,
            _ => Exit::Usage,
        }
    }

    /// What happened and what to do next, in `lang`.
    fn describe(&self, lang: Lang) -> (String, String) {
        let ja_kind = |what: &str| match what {
            "a folder" => "フォルダー",
            "a device" => "デバイス",
            "a FIFO (named pipe)" => "FIFO（名前付きパイプ）",
            "a socket" => "ソケット",
            "a symbolic link" => "シンボリックリンク",
            "a regular file" => "通常のファイル",
            _ => "通常のファイル以外のもの",
        };
        let what = match (self, lang) {
            (SlipWriteError::NotRegular { path, what }, Lang::Ja) => format!(
                "{} は{}です。案内票は通常のファイルにだけ書き込み、これは置き換えません。",
                path.display(),
                ja_kind(what)
            ),
            (SlipWriteError::NotAFolder { dir, what }, Lang::Ja) => format!(
                "{} は{}で、案内票のフォルダーではありません。",
                dir.display(),
                ja_kind(what)
            ),
            (SlipWriteError::NoFolder { dir }, Lang::Ja) => {
                format!("フォルダー {} がありません。", dir.display())
            }
            (SlipWriteError::NoFileName { path }, Lang::Ja) => {
                format!("{} はファイル名を含んでいません。", path.display())
            }
            (SlipWriteError::Io { path, source }, Lang::Ja) => {
                format!("案内票を {} に書き込めません（{source}）。", path.display())
            }
            (e, Lang::En) => crate::input::sentence(&e.to_string()),
        };
        (what, self.next_step(lang).to_string())
    }
}

impl SlipWriteError {
    /// What to do next, in `lang`.
    pub fn next_step(&self, lang: Lang) -> &'static str {
        match self {
            SlipWriteError::NotRegular {
                what: "a symbolic link",
                ..
            } => lang.pick(
                "リンク先のファイルのパスを直接指定するか、新しいファイル名（例: slip.html）を指定してください。",
                "Give the path of the file the link points to, or a new file name such as slip.html.",
            ),
            SlipWriteError::NotRegular {
                what: "a folder", ..
            } => lang.pick(
                "フォルダーの中のファイル名（例: フォルダー/slip.html）を指定してください。フォルダーに1枚ずつ書くのは --watch のときです。",
                "Give a file name inside the folder (e.g. FOLDER/slip.html); one slip per card into a folder is for --watch.",
            ),
            SlipWriteError::NotRegular { .. } | SlipWriteError::NoFileName { .. } => lang.pick(
                "新しいファイル名（例: slip.html）か、置き換えてよい通常のファイルを指定してください。",
                "Give a new file name such as slip.html, or a regular file that may be replaced.",
            ),
            SlipWriteError::NoFolder { .. } => lang.pick(
                "フォルダーを作ってから実行するか、あるフォルダーの中のパスを指定してください。",
                "Create the folder first, or give a path inside a folder that exists.",
            ),
            SlipWriteError::NotAFolder { .. } => lang.pick(
                "--watch の --slip には案内票を入れるフォルダーを指定してください（なければ作られます）。",
                "With --watch, --slip names a folder for the slips (it is created if missing).",
            ),
            SlipWriteError::Io { .. } => lang.pick(
                "書き込み権限と空き容量を確認してください。",
                "Check that you may write there and that the disk has space.",
            ),
        }
    }
}

/// The folder a slip file goes into (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Checks that a slip may be written at `path`: nothing there, or a regular
/// file (which will be replaced), in a folder that exists. A symbolic link is
/// refused even when it points to a regular file: the rename would replace
/// the link, not the file the person meant.
pub fn check_slip_path(path: &Path) -> Result<(), SlipWriteError> {
    if path.file_name().is_none() {
        return Err(SlipWriteError::NoFileName {
            path: path.to_path_buf(),
        });
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => Ok(()),
        Ok(meta) => Err(SlipWriteError::NotRegular {
            path: path.to_path_buf(),
            what: file_kind(&meta),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let dir = parent(path);
            if dir.is_dir() {
                Ok(())
            } else {
                Err(SlipWriteError::NoFolder {
                    dir: dir.to_path_buf(),
                })
            }
        }
        Err(source) => Err(SlipWriteError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Checks the watch-mode slip folder: it is created when missing (with its
/// parents); a path that exists but is not a folder (a file, a device) is
/// refused. A symbolic link to a folder is fine: slips go inside it, nothing
/// replaces it.
pub fn prepare_slip_dir(dir: &Path) -> Result<(), SlipWriteError> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) => Err(SlipWriteError::NotAFolder {
            dir: dir.to_path_buf(),
            what: file_kind(&meta),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|source| SlipWriteError::Io {
                path: dir.to_path_buf(),
                source,
            })
        }
        Err(source) => Err(SlipWriteError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Writes a slip to `path`, replacing a regular file that is there. The page
/// goes to a new temporary file beside it (created exclusively, so nothing
/// already at that name is followed or truncated), is flushed to disk, and
/// is renamed over `path` only after [`check_slip_path`] passes again.
pub fn write_slip(path: &Path, html: &str) -> Result<(), SlipWriteError> {
    check_slip_path(path)?;
    let io_err = |source| SlipWriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = parent(path);
    let name = path.file_name().ok_or_else(|| SlipWriteError::NoFileName {
        path: path.to_path_buf(),
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    // A leftover from a killed run of a process with the same id is ours to
    // remove; anything else at that name (a link, a FIFO) makes create_new
    // fail below rather than be written through.
    if std::fs::symlink_metadata(&tmp).is_ok_and(|m| m.file_type().is_file()) {
        let _ = std::fs::remove_file(&tmp);
    }
    let written = (|| -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(html.as_bytes())?;
        f.sync_all()
    })();
    let renamed = written.map_err(io_err).and_then(|()| {
        check_slip_path(path)?;
        std::fs::rename(&tmp, path).map_err(io_err)
    });
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// Writes a slip into the folder `dir` under
/// [`slip_file_name`]`(now)`, never overwriting an existing
/// slip (`-2`, `-3`... are added when two cards share a millisecond) and
/// never writing through anything but a file it created. Returns the path
/// written.
///
/// A `slip-….html` appears only whole: the page is written and flushed to a
/// hidden temporary file first, then published under its name with a hard
/// link (atomic, and it never replaces anything) and the temporary name
/// removed. A disk that fills up leaves no empty or partial slip for a
/// folder-watching print queue to print (issue 19); the temporary file is
/// removed too.
pub fn write_slip_in_dir(
    dir: &Path,
    now: OffsetDateTime,
    html: &str,
) -> Result<PathBuf, SlipWriteError> {
    let base = slip_file_name(now);
    let stem = base.trim_end_matches(".html");
    let tmp = dir.join(format!(".{stem}.{}.tmp", std::process::id()));
    let io_err = |path: &Path, source| SlipWriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::symlink_metadata(&tmp).is_ok_and(|m| m.file_type().is_file()) {
        let _ = std::fs::remove_file(&tmp);
    }
    let written = (|| -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(html.as_bytes())?;
        f.sync_all()
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(match source.kind() {
            io::ErrorKind::NotFound => SlipWriteError::NoFolder {
                dir: dir.to_path_buf(),
            },
            _ => io_err(&dir.join(&base), source),
        });
    }
    let published = (|| {
        for n in 1..1000u32 {
            let name = if n == 1 {
                base.clone()
            } else {
                format!("{stem}-{n}.html")
            };
            let path = dir.join(name);
            match publish(&tmp, &path) {
                Ok(()) => return Ok(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(io_err(&path, source)),
            }
        }
        Err(io_err(
            &dir.join(&base),
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("too many slips named {base}"),
            ),
        ))
    })();
    let _ = std::fs::remove_file(&tmp);
    published
}

/// Gives the whole file `tmp` the name `path` without replacing anything
/// there: a hard link (atomic; `AlreadyExists` when the name is taken).
/// Where the file system has no hard links (FAT, some network shares): a
/// check that the name is free, then a rename (which could replace a slip
/// another writer published in between; one desk writes one folder).
fn publish(tmp: &Path, path: &Path) -> io::Result<()> {
    match std::fs::hard_link(tmp, path) {
        Err(e)
            if !matches!(
                e.kind(),
                io::ErrorKind::AlreadyExists | io::ErrorKind::StorageFull
            ) && std::fs::symlink_metadata(path).is_err() =>
        {
            std::fs::rename(tmp, path)
        }
        other => other,
    }
}

/// A file name for a slip written at `now` in a watch-mode folder:
/// `slip-YYYYMMDD-HHMMSS-mmm.html`, Japan time, sorting by time. Two cards
/// read in the same millisecond get the same name: [`write_slip_in_dir`]
/// adds a suffix rather than overwrite.
pub fn slip_file_name(now: OffsetDateTime) -> String {
    let t = crate::japan_time::in_japan(now);
    format!(
        "slip-{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}.html",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}
