//! The one way the integration tests run a program: the built `jpki-status`
//! above all, and the other programs a test needs (the virtual card,
//! OpenSC, Chromium, poppler). A run has a timeout, so no test hangs;
//! stdin is empty; stdout and stderr are captured whole. `jpki-status`
//! starts with the locale cleared, so it speaks English unless a test sets
//! `--lang`, `JPKI_STATUS_LANG` or `LANG`.
//!
//! Owns: building the command (optionally behind a prefix such as the e2e
//! stack's `nsenter ...`, which runs it in the stack's namespace), the
//! timeout (kill, then fail the test naming the program and its stderr so
//! far), and [`Run`]. Must not: know about pcscd or cards (tests/support
//! does), retry, or hide a non-zero exit (callers assert on [`Run::code`]).
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long one run may take unless a test says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A program to run, with its arguments and environment changes.
#[derive(Debug, Clone)]
pub struct Program {
    prefix: Vec<OsString>,
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    timeout: Duration,
    process_group: bool,
    stdout_to: Option<PathBuf>,
    stdout_closed: bool,
}

impl Program {
    /// Any program (a path, or a name looked up on `PATH`).
    pub fn new(program: impl AsRef<OsStr>) -> Program {
        Program {
            prefix: Vec::new(),
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            process_group: false,
            stdout_to: None,
            stdout_closed: false,
        }
    }

    /// The built `jpki-status`, with `LANG`, `LC_ALL`, `LC_MESSAGES` and
    /// `JPKI_STATUS_LANG` removed (English output).
    pub fn jpki_status() -> Program {
        Program::new(env!("CARGO_BIN_EXE_jpki-status"))
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("JPKI_STATUS_LANG")
    }

    /// The built `jpki-virtual-card`.
    pub fn virtual_card() -> Program {
        Program::new(env!("CARGO_BIN_EXE_jpki-virtual-card"))
    }

    /// One argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Program {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Several arguments.
    pub fn args<I, S>(mut self, args: I) -> Program
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Program {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Program {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// How long [`Program::run`] waits before it kills the program and
    /// fails the test.
    pub fn timeout(mut self, limit: Duration) -> Program {
        self.timeout = limit;
        self
    }

    /// Runs the program through `prefix` (a command that ends by executing
    /// its arguments, such as `nsenter --target PID --mount --net --`).
    pub fn within(mut self, prefix: &[OsString]) -> Program {
        self.prefix = prefix.to_vec();
        self
    }

    /// On Unix, start it in a process group of its own and kill the whole
    /// group at the timeout (Chromium's helper processes).
    pub fn own_process_group(mut self) -> Program {
        self.process_group = true;
        self
    }

    /// Sends stdout of [`Program::run`] to this file (say `/dev/full`)
    /// instead of capturing it; [`Run::stdout`] is then empty.
    pub fn stdout_to(mut self, path: impl AsRef<Path>) -> Program {
        self.stdout_to = Some(path.as_ref().to_owned());
        self
    }

    /// Gives [`Program::run`] a stdout whose reader has already gone (the
    /// read end of a pipe, closed): its first write fails with a broken
    /// pipe, whatever the timing. [`Run::stdout`] is then empty.
    pub fn stdout_closed(mut self) -> Program {
        self.stdout_closed = true;
        self
    }

    /// What is run, for messages.
    pub fn describe(&self) -> String {
        let words: Vec<String> = self
            .prefix
            .iter()
            .chain(std::iter::once(&self.program))
            .chain(&self.args)
            .map(|w| w.to_string_lossy().into_owned())
            .collect();
        words.join(" ")
    }

    /// The `Command`, for a test that manages the process itself (a
    /// long-running watcher or card, a pseudo-terminal session); stdin,
    /// stdout and stderr are left to the caller.
    pub fn command(&self) -> Command {
        let mut cmd = match self.prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        cmd.args(&self.args);
        for (key, value) in &self.env {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        #[cfg(unix)]
        if self.process_group {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        cmd
    }

    /// Runs it to the end with empty stdin; kills it and fails the test
    /// when the timeout passes first.
    pub fn run(&self) -> Run {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = self
            .stdout_to
            .clone()
            .unwrap_or_else(|| dir.path().join("stdout"));
        let err = dir.path().join("stderr");
        let stdout = if self.stdout_closed {
            let (reader, writer) = std::io::pipe().expect("pipe");
            drop(reader);
            Stdio::from(writer)
        } else {
            Stdio::from(fs::File::create(&out).expect("stdout file"))
        };
        let mut child = self
            .command()
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(fs::File::create(&err).expect("stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.describe()));
        let status = self.wait_bounded(&mut child).unwrap_or_else(|| {
            panic!(
                "{} did not finish within {:?}; killed. stderr so far:\n{}",
                self.describe(),
                self.timeout,
                fs::read_to_string(&err).unwrap_or_default()
            )
        });
        let read = |p| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
        Run {
            code: status.code(),
            stdout: if self.stdout_to.is_some() || self.stdout_closed {
                String::new()
            } else {
                read(&out)
            },
            stderr: read(&err),
        }
    }

    /// Waits up to the timeout; `None` after killing it (and its group).
    fn wait_bounded(&self, child: &mut Child) -> Option<ExitStatus> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                #[cfg(unix)]
                if self.process_group {
                    let _ = Command::new("kill")
                        .args(["-KILL", "--", &format!("-{}", child.id())])
                        .status();
                }
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            sleep(Duration::from_millis(5));
        }
    }
}

/// What a finished run gave.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON; fails the test with both streams if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// `(exit code or -1 for a signal, stdout, stderr)`.
    pub fn parts(self) -> (i32, String, String) {
        (self.code.unwrap_or(-1), self.stdout, self.stderr)
    }
}
