//! Helpers for the end-to-end tests through the real PC/SC stack (pcscd +
//! vsmartcard-vpcd + `jpki-virtual-card`): starting and stopping a private
//! pcscd through `scripts/virtual-reader.sh foreground`, placing virtual
//! cards, running the built binaries inside the stack, and the two
//! witnesses (pcscd's APDU log, OpenSC's `pkcs15-tool`).
//!
//! Every stack lives in a mount and network namespace of its own, made by
//! the script (`unshare`): its own tmpfs on /run/pcscd, its own loopback
//! and vpcd ports, no USB reader drivers. The test's child process *is*
//! that pcscd (the script execs through `unshare` and bash into it), so
//! its PID names the namespace, and every program that must talk to this
//! pcscd or this vpcd (the binary under test, the cards, OpenSC) runs
//! behind `nsenter --target PID --mount --net` ([`Stack::program`]). A
//! system pcscd, another engineer's stack or the other e2e test binary
//! never meets this one.
//!
//! Owns: every process the e2e tests start, and stopping it (Drop), even when
//! a test fails; the line `E2E ran through pcscd: ...` per test (also
//! appended to `$JPKI_E2E_LEDGER`, which scripts/test.sh counts). Must
//! not: touch a pcscd it did not start, run a client of the stack outside
//! its namespace, or connect to vpcd's port itself (a connect is a card
//! insertion; virtual-reader.md).
//!
//! When the stack cannot start (not Linux, no namespaces, a missing
//! package): with `JPKI_E2E=1` or `CI=true` the test fails (scripts/test.sh
//! and CI set `JPKI_E2E=1`); otherwise (plain `cargo test`) it is skipped
//! with a loud `E2E SKIPPED` message and the reason. `JPKI_E2E=0` skips
//! them on purpose, as loudly.
#![allow(dead_code)]

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Program, Run};

/// The two readers one vpcd entry gives (virtual-reader.md).
pub const READER0: &str = "Virtual PCD 00 00";
/// The second slot, port 35964.
pub const READER1: &str = "Virtual PCD 00 01";
/// vpcd's ports for the two slots.
pub const PORT0: u16 = 35963;
/// Second slot.
pub const PORT1: u16 = 35964;

/// How long one `jpki-status` or OpenSC run inside the stack may take.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The tests of one binary take turns. Each has its own namespace, so they
/// could overlap, but their timing claims (pcscd's ~400 ms polls, the
/// soak's latencies) are measured one stack at a time.
static STACK_LOCK: Mutex<()> = Mutex::new(());

/// Serializes the e2e tests; a failed (poisoned) test does not block the rest.
pub fn serial() -> MutexGuard<'static, ()> {
    STACK_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a missing stack must fail the test instead of skipping it.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var("JPKI_E2E").is_ok_and(|v| v == "1")
}

/// `e2e_pcsc::test_name` (libtest names each test's thread after the test).
fn test_name() -> String {
    let thread = std::thread::current();
    format!(
        "{}::{}",
        env!("CARGO_CRATE_NAME"),
        thread.name().unwrap_or("?")
    )
}

/// Prints `line` to stderr and appends it to `$JPKI_E2E_LEDGER` (one line
/// per test that started a stack or skipped; scripts/test.sh reads it).
fn record(line: &str) {
    eprintln!("{line}");
    if let Some(path) = std::env::var_os("JPKI_E2E_LEDGER") {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("JPKI_E2E_LEDGER {path:?}: {e}"));
        // One write per line: O_APPEND keeps lines whole across processes.
        f.write_all(format!("{line}\n").as_bytes())
            .expect("ledger write");
    }
}

fn skip_or_fail(why: &str) -> Option<Stack> {
    let test = test_name();
    if required() {
        panic!(
            "the private PC/SC stack could not start, and it is required \
             (JPKI_E2E=1 or CI): {test}: {why}"
        );
    }
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    record(&format!(
        "E2E SKIPPED (nothing ran through pcscd): {test}: {why} \
         (scripts/test.sh and JPKI_E2E=1 make this a failure)"
    ));
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    None
}

/// A log as text, whatever bytes it holds (a reader name need not be
/// UTF-8); `Err` when it cannot be read.
fn read_lossy(path: &Path) -> std::io::Result<String> {
    fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Raw bytes as an OS string (Unix: any bytes but NUL).
fn os_bytes(bytes: &[u8]) -> OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(bytes.to_vec())
    }
    #[cfg(not(unix))]
    {
        OsString::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// The namespace `kind` (`net`, `mnt`, `user`) of process `pid` ("self"
/// for this one), as the kernel names it: `net:[4026532178]`.
fn namespace(pid: &str, kind: &str) -> Option<String> {
    fs::read_link(format!("/proc/{pid}/ns/{kind}"))
        .ok()
        .map(|p| p.to_string_lossy().into_owned())
}

/// The command prefix that runs a program in the namespaces of `pid`, in
/// this test's working directory (entering a mount namespace moves a
/// process to its root otherwise), under `pid`'s root directory (`--root`:
/// entering a mount namespace also resets the root to the namespace's own,
/// which is not ours when the suite runs in a chroot, as the clean-machine
/// check does).
fn enter_prefix(pid: u32) -> Vec<OsString> {
    let pid = pid.to_string();
    let mut prefix: Vec<OsString> = ["nsenter", "--target", &pid, "--mount", "--net", "--root"]
        .iter()
        .map(OsString::from)
        .collect();
    if namespace(&pid, "user") != namespace("self", "user") {
        // Made without root, through a user namespace (the script's
        // fallback); --preserve-credentials: setgroups is denied there.
        prefix.push("--user".into());
        prefix.push("--preserve-credentials".into());
    }
    let mut wd = OsString::from("--wd=");
    wd.push(std::env::current_dir().expect("current dir"));
    prefix.push(wd);
    prefix.push("--".into());
    prefix
}

/// A running pcscd with the vpcd reader, in a namespace of its own,
/// started by this test.
pub struct Stack {
    child: Option<Child>,
    /// After [`Stack::stop`]: a sleeping process that keeps the namespace.
    holder: Option<Child>,
    /// The process whose namespace clients enter: pcscd, or the holder.
    ns_pid: u32,
    /// `nsenter ... --` into the stack's namespace.
    prefix: Vec<OsString>,
    /// Whether [`Stack::use_in_this_process`] pointed the link here.
    linked: bool,
    dir: tempfile::TempDir,
}

/// The fixed socket path this test process gives pcsc-lite's client
/// library (`PCSCLITE_CSOCK_NAME`, read once per process), set on first use.
#[cfg(unix)]
fn in_process_link() -> &'static Path {
    static LINK: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    LINK.get_or_init(|| {
        let link = std::env::temp_dir().join(format!("jpki-e2e-{}.pcscd.comm", std::process::id()));
        std::env::set_var("PCSCLITE_CSOCK_NAME", &link);
        link
    })
}

impl Stack {
    /// Starts pcscd through the project script, or says why it cannot
    /// (`None` = skipped, see the module doc).
    pub fn start() -> Option<Stack> {
        Stack::start_named(None)
    }

    /// As [`Stack::start`], with the readers named `name` (raw bytes, as a
    /// USB device or Windows' ANSI PC/SC calls may give them): they appear
    /// as `NAME 00 00` and `NAME 00 01`.
    pub fn start_named(name: Option<&[u8]>) -> Option<Stack> {
        if std::env::var("JPKI_E2E").is_ok_and(|v| v == "0") {
            record(&format!(
                "E2E SKIPPED on purpose (JPKI_E2E=0): {}",
                test_name()
            ));
            return None;
        }
        if !cfg!(target_os = "linux") {
            return skip_or_fail("pcscd + vsmartcard-vpcd in Linux namespaces is Linux only");
        }
        let dir = tempfile::Builder::new()
            .prefix("jpki-e2e-")
            .tempdir()
            .expect("temp dir");
        let script_err = dir.path().join("script.err");
        let child = Command::new("bash")
            .arg(repo().join("scripts/virtual-reader.sh"))
            .arg("foreground")
            .env("JPKI_RUN_DIR", dir.path())
            .envs(name.map(|n| ("JPKI_READER_NAME", os_bytes(n))))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&script_err).expect("script.err"))
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) => return skip_or_fail(&format!("cannot run bash: {e}")),
        };
        let pid = child.id();
        let mut stack = Stack {
            child: Some(child),
            holder: None,
            ns_pid: pid,
            prefix: Vec::new(),
            linked: false,
            dir,
        };
        // Package installation on a fresh CI machine can take a while.
        let deadline = Instant::now() + Duration::from_secs(300);
        let socket = PathBuf::from(format!("/proc/{pid}/root/run/pcscd/pcscd.comm"));
        loop {
            if let Some(status) = stack
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                stack.child = None;
                let why = fs::read_to_string(&script_err).unwrap_or_default();
                let log = read_lossy(&stack.pcscd_log()).unwrap_or_default();
                return skip_or_fail(&format!(
                    "scripts/virtual-reader.sh foreground exited ({status}): {}{}",
                    why.trim(),
                    log.lines().rev().take(5).collect::<Vec<_>>().join("\n")
                ));
            }
            // pcscd writes "daemon ready" only once it runs, and it runs
            // only inside the new namespace, so /proc/PID/root is then that
            // namespace's view and the socket there is ours.
            let ready = read_lossy(&stack.pcscd_log()).is_ok_and(|l| l.contains("daemon ready"))
                && socket.exists();
            if ready {
                break;
            }
            if Instant::now() > deadline {
                panic!(
                    "pcscd did not get ready in time; see {}",
                    stack.pcscd_log().display()
                );
            }
            sleep(Duration::from_millis(10));
        }
        let (net, mnt) = (
            namespace(&pid.to_string(), "net"),
            namespace(&pid.to_string(), "mnt"),
        );
        assert!(
            net.is_some() && net != namespace("self", "net") && mnt != namespace("self", "mnt"),
            "pcscd (pid {pid}) is not in a private namespace: net {net:?} mnt {mnt:?}"
        );
        stack.prefix = enter_prefix(pid);
        record(&format!(
            "E2E ran through pcscd: {} (pcscd pid {pid}, namespace {} {})",
            test_name(),
            net.unwrap_or_default(),
            mnt.unwrap_or_default()
        ));
        Some(stack)
    }

    /// `program` run inside the stack's namespace, where /run/pcscd and
    /// vpcd's ports are this stack's.
    pub fn program(&self, program: Program) -> Program {
        // A child uses the namespace's own /run/pcscd, never the link an
        // earlier test set up for its own process (use_in_this_process).
        program
            .env_remove("PCSCLITE_CSOCK_NAME")
            .within(&self.prefix)
    }

    /// Runs the built `jpki-status` inside the stack (30 s timeout).
    pub fn jpki_status(&self, args: &[&str]) -> Run {
        self.program(Program::jpki_status().args(args))
            .timeout(CLIENT_TIMEOUT)
            .run()
    }

    /// The private state directory (logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// pcscd's `--debug --apdu` log.
    pub fn pcscd_log(&self) -> PathBuf {
        self.dir.path().join("pcscd.log")
    }

    /// The command APDUs pcscd logged so far.
    pub fn logged_apdus(&self) -> Vec<Vec<u8>> {
        pcscd_apdus(&read_lossy(&self.pcscd_log()).unwrap_or_default())
    }

    /// Witness 1: no VERIFY with data crossed pcscd. Returns how many APDUs
    /// pcscd logged, so a caller can also check the parser saw traffic.
    pub fn assert_no_verify_with_data(&self) -> usize {
        let apdus = self.logged_apdus();
        let bad: Vec<String> = apdus
            .iter()
            .filter(|a| is_verify_with_data(a))
            .map(|a| jpki_status::apdu::spaced_hex(a))
            .collect();
        assert!(
            bad.is_empty(),
            "pcscd's APDU log shows VERIFY with data: {bad:?} (log {})",
            self.pcscd_log().display()
        );
        apdus.len()
    }

    /// How many times pcscd's event handler logged `needle` (for example
    /// `Card inserted into Virtual PCD 00 00`).
    pub fn log_count(&self, needle: &str) -> usize {
        read_lossy(&self.pcscd_log())
            .unwrap_or_default()
            .matches(needle)
            .count()
    }

    /// Waits until pcscd logged `needle` more than `before` times.
    pub fn wait_log_count(&self, needle: &str, before: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.log_count(needle) > before {
                return;
            }
            sleep(Duration::from_millis(5));
        }
        panic!(
            "pcscd never logged {needle:?} (more than {before} times) within {limit:?}; log {}",
            self.pcscd_log().display()
        );
    }

    /// For a test that talks PC/SC itself, through the library in its own
    /// process (which cannot join the namespace): pcsc-lite's client
    /// library takes its socket from `PCSCLITE_CSOCK_NAME`, read once per
    /// process, so the process gets one fixed path, a symbolic link this
    /// stack points at its socket through `/proc/PID/root` (a Unix socket
    /// path is not tied to the network namespace). Call it before the first
    /// PC/SC context of the process; the link goes with the stack.
    #[cfg(unix)]
    pub fn use_in_this_process(&mut self) {
        let link = in_process_link();
        let _ = fs::remove_file(link);
        std::os::unix::fs::symlink(
            format!("/proc/{}/root/run/pcscd/pcscd.comm", self.ns_pid),
            link,
        )
        .expect("link to the stack's pcscd socket");
        self.linked = true;
    }

    /// Whether pcscd's socket exists in the stack's namespace.
    pub fn socket_exists(&self) -> bool {
        Path::new(&format!("/proc/{}/root/run/pcscd/pcscd.comm", self.ns_pid)).exists()
    }

    /// Stops pcscd now (SIGTERM, then SIGKILL after 5 s) and reaps it. The
    /// namespace stays (a sleeping process holds it), so clients run after
    /// this meet the stack without its pcscd, as on a machine where pcscd
    /// was stopped.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let holder = Program::new("sleep")
                .arg("3600")
                .within(&self.prefix)
                .command()
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start the namespace holder");
            // nsenter execs sleep: wait until it has joined the namespace.
            let deadline = Instant::now() + Duration::from_secs(5);
            while namespace(&holder.id().to_string(), "net")
                != namespace(&child.id().to_string(), "net")
            {
                assert!(
                    Instant::now() < deadline,
                    "the namespace holder never joined"
                );
                sleep(Duration::from_millis(5));
            }
            self.ns_pid = holder.id();
            self.prefix = enter_prefix(holder.id());
            self.holder = Some(holder);
            terminate(&mut child, Duration::from_secs(5));
        }
    }
}

impl Stack {
    /// Sends `signal` (a kill(1) name: STOP, CONT) to this stack's pcscd,
    /// e.g. to freeze it: every client call then blocks in the socket.
    pub fn signal_pcscd(&self, signal: &str) {
        let pid = self.child.as_ref().expect("pcscd runs").id();
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .expect("kill(1)");
        assert!(status.success(), "kill -{signal} {pid}");
    }

    /// Starts pcscd again in the same namespace after [`Stack::stop`] (a
    /// service restarted or upgraded under a running client), with the
    /// same readers, and waits until it is ready.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "pcscd still runs");
        let before = self.log_count("daemon ready");
        let log = fs::OpenOptions::new()
            .append(true)
            .open(self.pcscd_log())
            .expect("pcscd.log");
        let child = Program::new("pcscd")
            .args(["--foreground", "--debug", "--apdu", "-c"])
            .arg(self.dir.path().join("conf"))
            .within(&self.prefix)
            .command()
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start pcscd again");
        self.child = Some(child);
        self.wait_log_count("daemon ready", before, Duration::from_secs(10));
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.socket_exists() {
            assert!(Instant::now() < deadline, "pcscd's socket never came back");
            sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A frozen pcscd (a test failed before thawing it) would not
            // see SIGTERM.
            let _ = Command::new("kill")
                .arg("-CONT")
                .arg(child.id().to_string())
                .stderr(Stdio::null())
                .status();
            terminate(&mut child, Duration::from_secs(5));
        }
        if let Some(mut holder) = self.holder.take() {
            let _ = holder.kill();
            let _ = holder.wait();
        }
        #[cfg(unix)]
        if self.linked {
            let _ = fs::remove_file(in_process_link());
        }
        if std::thread::panicking() {
            // Keep the logs of a failed test for the CI artifact / reader.
            let kept = self.dir.path().to_path_buf();
            eprintln!("e2e logs kept in {}", kept.display());
            let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
            let _ = dir.keep();
        }
    }
}

/// SIGTERM (through kill(1): the crate forbids `unsafe`, so no libc call),
/// wait, then SIGKILL; always reaps the child so no zombie is left.
pub fn terminate(child: &mut Child, grace: Duration) {
    if child.try_wait().ok().flatten().is_some() {
        return;
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Command APDUs in a pcscd `--apdu` log: the lines `APDU: 00 A4 ...`.
pub fn pcscd_apdus(log: &str) -> Vec<Vec<u8>> {
    log.lines()
        .filter_map(|l| l.split_once(" APDU: ").map(|(_, h)| h))
        .filter_map(|h| {
            h.split_whitespace()
                .map(|b| u8::from_str_radix(b, 16))
                .collect::<Result<Vec<u8>, _>>()
                .ok()
        })
        .collect()
}

/// INS 20 (VERIFY) with anything after the 4-byte header: Lc and a PIN, or
/// the 5-byte `00 20 00 80 00` a card may read as an empty PIN (protocol.md).
pub fn is_verify_with_data(apdu: &[u8]) -> bool {
    apdu.len() > 4 && apdu[1] == 0x20
}

/// Options for a virtual card.
#[derive(Default, Clone)]
pub struct CardOptions {
    /// vpcd port (default 35963).
    pub port: Option<u16>,
    /// `--leave-after N`.
    pub leave_after: Option<usize>,
    /// `--return-after MS`.
    pub return_after: Option<u64>,
    /// `--insert-after MS`.
    pub insert_after: Option<u64>,
    /// `--fault KIND[@N]`: the card misbehaves on purpose.
    pub fault: Option<String>,
    /// `--leave-at-power-on N`: the card leaves when powered up the N-th
    /// time (1: when placed; pcscd powers an idle card up in SCardConnect).
    pub leave_at_power_on: Option<usize>,
}

/// A running `jpki-virtual-card`; killed and reaped on drop.
pub struct Card {
    child: Option<Child>,
    log: PathBuf,
    err: PathBuf,
}

impl Card {
    /// Places a card with `profile` on the stack's reader.
    pub fn place(stack: &Stack, profile: &str, opts: CardOptions) -> Card {
        let port = opts.port.unwrap_or(PORT0);
        static PLACED: AtomicUsize = AtomicUsize::new(0);
        let n = PLACED.fetch_add(1, Ordering::Relaxed);
        let name = Path::new(profile)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("card");
        let base = stack.dir().join(format!("card{n:03}-{port}-{name}"));
        let log = base.with_extension("log");
        let err = base.with_extension("err");
        let mut card = Program::virtual_card()
            .arg("--profile")
            .arg(profile)
            .arg("--port")
            .arg(port.to_string())
            .arg("--log")
            .arg(&log);
        if let Some(n) = opts.leave_after {
            card = card.arg("--leave-after").arg(n.to_string());
        }
        if let Some(ms) = opts.return_after {
            card = card.arg("--return-after").arg(ms.to_string());
        }
        if let Some(ms) = opts.insert_after {
            card = card.arg("--insert-after").arg(ms.to_string());
        }
        if let Some(fault) = &opts.fault {
            card = card.arg("--fault").arg(fault);
        }
        if let Some(n) = opts.leave_at_power_on {
            card = card.arg("--leave-at-power-on").arg(n.to_string());
        }
        // In the stack's namespace: its vpcd listens on that loopback.
        let child = stack
            .program(card)
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&err).expect("card stderr file"))
            .spawn()
            .expect("start jpki-virtual-card");
        Card {
            child: Some(child),
            log,
            err,
        }
    }

    /// Places a card and waits until pcscd's event handler has seen it
    /// (`Card inserted into READER` in pcscd's log). The card's own log is
    /// not enough: a card that connects while pcscd still believes the
    /// previous one is present answers every poll and is never announced.
    pub fn place_ready(stack: &Stack, profile: &str, opts: CardOptions) -> Card {
        let needle = format!("Card inserted into {}", reader_of(opts.port));
        let before = stack.log_count(&needle);
        let card = Card::place(stack, profile, opts);
        stack.wait_log_count(&needle, before, Duration::from_secs(10));
        card
    }

    /// Removes the card and waits until pcscd's event handler has noticed
    /// (`Card Removed From READER`), so the next card is a real insertion.
    /// Needed because vpcd accepts a waiting card at its next poll: a card
    /// placed before pcscd saw the old one leave is never announced and
    /// the reader stays "no card" (seen with pcsc-lite 1.9.9 + vpcd 0.8).
    pub fn remove_and_wait(mut self, stack: &Stack, port: Option<u16>, removed_before: usize) {
        self.remove();
        let needle = format!("Card Removed From {}", reader_of(port));
        stack.wait_log_count(&needle, removed_before, Duration::from_secs(10));
    }

    /// Waits until the card's log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.log_text().contains(needle) {
                return;
            }
            sleep(Duration::from_millis(5));
        }
        panic!(
            "card log {} never showed {needle:?} within {limit:?}; stderr: {}",
            self.log.display(),
            self.stderr()
        );
    }

    /// The card's exchange log.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The card's stderr.
    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Command APDUs the card received (answered or not).
    pub fn commands(&self) -> Vec<String> {
        self.log_text()
            .lines()
            .filter_map(|l| l.strip_prefix("> ").map(str::to_owned))
            .collect()
    }

    /// The commands once the log shows at least `expected` of them, or
    /// after `limit`, whichever comes first. The card writes an exchange to
    /// its log just after sending the answer, so a test that has just seen
    /// the answer's effect (a watch report) can read the log a moment too
    /// early; seen once in the soak under load (5 of 6 APDUs logged). More
    /// than `expected` is returned as soon as it is there.
    pub fn commands_at_least(&self, expected: usize, limit: Duration) -> Vec<String> {
        let deadline = Instant::now() + limit;
        loop {
            let commands = self.commands();
            if commands.len() >= expected || Instant::now() > deadline {
                return commands;
            }
            sleep(Duration::from_millis(5));
        }
    }

    /// Asserts the card saw no violation (it prints each one at once).
    pub fn assert_no_violation(&self) {
        let err = self.stderr();
        assert!(
            !err.contains("VIOLATION"),
            "the virtual card saw a VERIFY with data:\n{err}"
        );
    }

    /// Waits for the card process to end on its own (it left the reader).
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let child = self.child.as_mut()?;
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(s) = child.try_wait().ok().flatten() {
                self.child = None;
                return s.code();
            }
            sleep(Duration::from_millis(10));
        }
        None
    }

    /// Removes the card (ends the process; vpcd sees the socket close).
    pub fn remove(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Card {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The reader name for a vpcd port.
pub fn reader_of(port: Option<u16>) -> &'static str {
    if port == Some(PORT1) {
        READER1
    } else {
        READER0
    }
}

/// Runs the built `jpki-status --sim ...` (no stack needed) with a timeout.
pub fn sim_run(args: &[&str]) -> Run {
    assert!(
        args.contains(&"--sim"),
        "a reading through pcscd runs inside the stack: Stack::jpki_status"
    );
    Program::jpki_status().args(args).run()
}

/// The object holding the reading (`keys`, `card`): the top level, or the
/// first nested object that has `keys`.
pub fn report_of(v: &Value) -> &Value {
    if v.get("keys").is_some() {
        return v;
    }
    if let Some(obj) = v.as_object() {
        for inner in obj.values() {
            if inner.get("keys").is_some() {
                return inner;
            }
        }
    }
    panic!("no object with `keys` in {v}");
}

/// The parts of a reading that must not depend on the transport: `keys`,
/// `card` without `atr` and `contactless` (the reader decides those), and
/// the APDU count.
pub fn comparable(v: &Value) -> Value {
    let r = report_of(v);
    let mut card = r.get("card").cloned().unwrap_or(Value::Null);
    if let Some(obj) = card.as_object_mut() {
        obj.remove("atr");
        obj.remove("contactless");
    }
    serde_json::json!({
        "keys": r.get("keys").cloned().unwrap_or(Value::Null),
        "card": card,
        "apdus": r.get("apdus").cloned().unwrap_or(Value::Null),
    })
}

/// `(state, remaining)` of key `id` in a JSON reading.
pub fn key_state(v: &Value, id: &str) -> Option<(String, Option<u64>)> {
    let keys = report_of(v).get("keys")?.as_array()?;
    let k = keys
        .iter()
        .find(|k| k.get("id").and_then(Value::as_str) == Some(id))?;
    Some((
        k.get("state")?.as_str()?.to_owned(),
        k.get("remaining").and_then(Value::as_u64),
    ))
}

/// Witness 2: OpenSC's "Tries left" for the JPKI user-authentication and
/// digital-signature PINs, or why OpenSC could not read them (OpenSC runs
/// inside the stack).
pub fn opensc_tries(
    stack: &Stack,
    reader_index: usize,
) -> Result<(Option<u64>, Option<u64>), String> {
    let run = stack
        .program(
            Program::new("pkcs15-tool")
                .args(["--reader", &reader_index.to_string(), "--list-pins"])
                .env("LANG", "C.UTF-8"),
        )
        .timeout(CLIENT_TIMEOUT)
        .run();
    if run.code != Some(0) {
        return Err(format!(
            "pkcs15-tool exit {:?}: {}",
            run.code,
            run.stderr.trim()
        ));
    }
    let mut auth = None;
    let mut sign = None;
    let mut current = "";
    for line in run.stdout.lines() {
        if let Some(rest) = line.strip_prefix("PIN [") {
            current = if rest.starts_with("User Authentication PIN") {
                "auth"
            } else if rest.starts_with("Digital Signature PIN") {
                "sign"
            } else {
                ""
            };
        } else if let Some((_, n)) = line.split_once("Tries left") {
            let n = n
                .trim_start_matches([' ', '\t', ':'])
                .trim()
                .parse::<u64>()
                .ok();
            match current {
                "auth" => auth = n,
                "sign" => sign = n,
                _ => {}
            }
        }
    }
    if auth.is_none() && sign.is_none() {
        return Err(format!(
            "no JPKI PIN in pkcs15-tool output:\n{}",
            run.stdout
        ));
    }
    Ok((auth, sign))
}

/// Whether `pkcs15-tool` is installed (the script installs it).
pub fn have_opensc() -> bool {
    Command::new("pkcs15-tool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// One line `jpki-status --watch --json` printed, with when it arrived.
#[derive(Debug, Clone)]
pub struct WatchLine {
    /// When the test's reader thread received the line.
    pub at: Instant,
    /// The parsed line (`{"unparsable": LINE}` when it was not JSON).
    pub value: Value,
}

impl WatchLine {
    /// The event's `type`.
    pub fn kind(&self) -> &str {
        self.value["type"].as_str().unwrap_or("")
    }

    /// The event's `reader` (empty when it has none).
    pub fn reader(&self) -> &str {
        self.value["reader"].as_str().unwrap_or("")
    }
}

/// A running `jpki-status --watch --json --no-input` whose stdout a thread
/// reads line by line. Stopped (SIGTERM, then SIGKILL) and reaped on drop,
/// and its reader thread joined, even when the test fails.
pub struct Watcher {
    child: Option<Child>,
    rx: std::sync::mpsc::Receiver<WatchLine>,
    thread: Option<std::thread::JoinHandle<()>>,
    err: PathBuf,
    /// Every line received so far, in order.
    pub lines: Vec<WatchLine>,
    /// Whether stdout reached its end (the process closed it).
    pub closed: bool,
}

impl Watcher {
    /// Starts the built `jpki-status --watch --json --no-input` (plus
    /// `extra` arguments); its stderr goes to a file in the stack's folder.
    pub fn start(stack: &Stack, extra: &[&str]) -> Watcher {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let err = stack.dir().join(format!("watch{n:02}.err"));
        let mut child = stack
            .program(
                Program::jpki_status()
                    .args(["--watch", "--json", "--no-input"])
                    .args(extra),
            )
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&err).expect("watch stderr file"))
            .spawn()
            .expect("start jpki-status --watch");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| serde_json::json!({ "unparsable": line }));
                if tx
                    .send(WatchLine {
                        at: Instant::now(),
                        value,
                    })
                    .is_err()
                {
                    break;
                }
            }
        });
        Watcher {
            child: Some(child),
            rx,
            thread: Some(thread),
            err,
            lines: Vec::new(),
            closed: false,
        }
    }

    /// The watcher's process id (for /proc).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Its stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Receives the next line, waiting at most `limit`; `None` on timeout
    /// or end of output.
    pub fn next_line(&mut self, limit: Duration) -> Option<&WatchLine> {
        if self.closed {
            return None;
        }
        match self.rx.recv_timeout(limit) {
            Ok(line) => {
                self.lines.push(line);
                self.lines.last()
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                self.closed = true;
                None
            }
        }
    }

    /// Receives lines until one of type `kind` for `reader` arrives (or
    /// `limit` passes: `None`). Returns its index in [`Watcher::lines`].
    pub fn try_wait_for(&mut self, kind: &str, reader: &str, limit: Duration) -> Option<usize> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let line = self.next_line(left)?;
            if line.kind() == kind && line.reader() == reader {
                return Some(self.lines.len() - 1);
            }
        }
    }

    /// Like [`Watcher::try_wait_for`], but a timeout fails the test with the
    /// watcher's recent output and stderr.
    pub fn wait_for(&mut self, kind: &str, reader: &str, limit: Duration) -> usize {
        match self.try_wait_for(kind, reader, limit) {
            Some(i) => i,
            None => panic!(
                "no `{kind}` event for {reader:?} within {limit:?}\n{}",
                self.context()
            ),
        }
    }

    /// The last lines and stderr, for failure messages.
    pub fn context(&self) -> String {
        let start = self.lines.len().saturating_sub(8);
        let recent: Vec<String> = self.lines[start..]
            .iter()
            .map(|l| {
                let mut s = l.value.to_string();
                s.truncate(300);
                s
            })
            .collect();
        format!(
            "last watch lines:\n{}\nwatch stderr:\n{}",
            recent.join("\n"),
            self.stderr()
        )
    }

    /// Waits up to `limit` for the watcher to end by itself and returns
    /// its exit code, with every line it printed collected; still running
    /// after `limit` fails the test.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let child = self.child.as_mut().expect("watcher already stopped");
        let deadline = Instant::now() + limit;
        loop {
            if let Some(s) = child.try_wait().expect("try_wait") {
                self.child = None;
                while self.next_line(Duration::from_secs(5)).is_some() {}
                return s.code();
            }
            if Instant::now() > deadline {
                panic!(
                    "jpki-status --watch still running after {limit:?}\n{}",
                    self.context()
                );
            }
            sleep(Duration::from_millis(10));
        }
    }

    /// Sends `signal` (a kill(1) name: INT, TERM) and waits up to `limit`
    /// for the process to end. Returns its exit code (`None`: killed by a
    /// signal) and how long it took; a watcher still running after `limit`
    /// fails the test (and is killed by Drop).
    pub fn signal_and_wait(&mut self, signal: &str, limit: Duration) -> (Option<i32>, Duration) {
        let child = self.child.as_mut().expect("watcher already stopped");
        let sent = Instant::now();
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .expect("kill(1)");
        assert!(status.success(), "kill -{signal} failed");
        let deadline = sent + limit;
        loop {
            if let Some(s) = child.try_wait().expect("try_wait") {
                let took = sent.elapsed();
                self.child = None;
                // Collect what it printed before it ended, up to the end.
                while self.next_line(Duration::from_secs(5)).is_some() {}
                return (s.code(), took);
            }
            if Instant::now() > deadline {
                panic!(
                    "jpki-status --watch still running {limit:?} after SIGINT/SIGTERM ({signal})\n{}",
                    self.context()
                );
            }
            sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child, Duration::from_secs(2));
        }
        // The process is gone, so its stdout is closed and the thread ends.
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A `Name:  value kB` field of /proc/PID/status, in kB (VmRSS, VmHWM).
pub fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// How many file descriptors PID has open.
pub fn open_fds(pid: u32) -> Option<usize> {
    Some(fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// The processes whose parent is this test process (`pid comm state`),
/// zombies included: after a test has dropped its stack, cards and
/// watchers, this must be empty.
pub fn live_children() -> Vec<String> {
    let me = std::process::id().to_string();
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid = e.file_name().into_string().ok()?;
            pid.parse::<u32>().ok()?;
            let stat = fs::read_to_string(e.path().join("stat")).ok()?;
            // pid (comm) state ppid ...: comm may hold spaces and parentheses.
            let close = stat.rfind(')')?;
            let comm = stat.get(stat.find('(')? + 1..close)?.to_owned();
            let mut rest = stat[close + 1..].split_whitespace();
            let state = rest.next()?.to_owned();
            let ppid = rest.next()?;
            (ppid == me).then(|| format!("{pid} {comm} {state}"))
        })
        .collect()
}
