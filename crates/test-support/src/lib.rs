//! Helpers every w32ipc IPC test uses, so that no test can hang and no two tests collide:
//!
//! * [`watchdog`]: aborts the whole test process if a test overruns its deadline.
//! * [`unique_name`]: a name no other test (or earlier run) uses.
//! * [`isolate`]: points `W32IPC_ROOT` at a private directory for this test process and the
//!   processes it starts.
//! * [`self_child`]: runs one `#[ignore]`d test function of the same test binary as a child
//!   process, with a role passed in the environment; [`ChildGuard`] kills it if the test fails.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Disarms the watchdog when dropped.
pub struct Watchdog {
    done: Option<mpsc::Sender<()>>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }
}

/// Starts a watchdog: unless the returned guard is dropped within `secs` seconds, the test
/// process prints what overran and exits with a failure (a hang is a failure, never a stall).
pub fn watchdog(what: &str, secs: u64) -> Watchdog {
    let (tx, rx) = mpsc::channel::<()>();
    let what = what.to_owned();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(Duration::from_secs(secs)) {
            eprintln!(
                "watchdog: `{what}` did not finish within {secs}s; aborting the test process"
            );
            std::process::exit(99);
        }
    });
    Watchdog { done: Some(tx) }
}

/// A name unique to this call: tag, process id, a counter and the time.
pub fn unique_name(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("w32t-{tag}-{}-{n}-{t:x}", std::process::id())
}

/// Gives this test process (and every process it starts) its own session root, unless one was
/// set from outside. Call at the start of every test that uses names.
pub fn isolate() -> PathBuf {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("W32IPC_ROOT").is_none() {
            let dir = std::env::temp_dir().join(unique_name("root"));
            std::fs::create_dir_all(&dir).expect("create a test session root");
            // SAFETY: called once, at test start, before this process reads the variable.
            unsafe { std::env::set_var("W32IPC_ROOT", &dir) };
        }
    });
    PathBuf::from(std::env::var_os("W32IPC_ROOT").expect("W32IPC_ROOT is set"))
}

/// The role this process was started with by [`self_child`], if any.
pub fn role() -> Option<String> {
    std::env::var("W32IPC_TEST_ROLE").ok()
}

/// A command that runs the single test `test_path` (e.g. `"tests::child_main"`) of this test
/// binary, ignored tests included, with `W32IPC_TEST_ROLE=role`.
pub fn self_child(test_path: &str, role: &str) -> Command {
    let exe = std::env::current_exe().expect("current test binary");
    let mut cmd = Command::new(exe);
    cmd.args([
        test_path,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env("W32IPC_TEST_ROLE", role)
    .env("RUST_BACKTRACE", "0")
    .stdin(Stdio::null());
    cmd
}

/// A child process that is killed and reaped if the test ends without waiting for it.
pub struct ChildGuard(pub Child);

impl ChildGuard {
    /// Spawns `cmd`.
    pub fn spawn(cmd: &mut Command) -> ChildGuard {
        ChildGuard(cmd.spawn().expect("spawn a child process"))
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
