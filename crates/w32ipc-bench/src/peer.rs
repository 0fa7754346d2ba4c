//! The child process of a two-process trial: started with its standard output piped, read line
//! by line (`ready`, `done`, results), killed if the trial fails, and watched: a trial that
//! outlives [`STUCK`] ends the whole benchmark rather than hang it.

use std::io::{self, BufRead, BufReader};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A trial that takes longer than this is stuck (a peer died or a wake-up was lost).
pub const STUCK: Duration = Duration::from_secs(120);

/// A trial's child and its standard output; killed if dropped before [`Peer::finish`].
pub struct Peer {
    child: Child,
    lines: BufReader<ChildStdout>,
    waited: bool,
    /// What the child is, for messages ("ping-pong", "named-pipe").
    what: &'static str,
    _watchdog: Watchdog,
}

impl Peer {
    /// Starts `cmd` (the child dies with us, see `crate::child`) and arms the watchdog.
    pub fn spawn(cmd: &mut Command, what: &'static str) -> io::Result<Peer> {
        let mut child = cmd.stdout(Stdio::piped()).spawn()?;
        let out = child.stdout.take().expect("stdout is piped");
        let watchdog = Watchdog::arm(child.id(), what);
        Ok(Peer {
            child,
            lines: BufReader::new(out),
            waited: false,
            what,
            _watchdog: watchdog,
        })
    }

    /// The child's standard input, if `cmd` piped it (once).
    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.child.stdin.take()
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child's next line.
    pub fn line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        if self.lines.read_line(&mut line)? == 0 {
            return Err(io::Error::other(format!(
                "the {} child ended without a word",
                self.what
            )));
        }
        Ok(line.trim_end().to_string())
    }

    /// Reads the child's next line and checks that it says `what`.
    pub fn expect(&mut self, what: &str) -> io::Result<()> {
        let line = self.line()?;
        if line != what {
            return Err(io::Error::other(format!(
                "the {} child said {line:?}, not {what:?}",
                self.what
            )));
        }
        Ok(())
    }

    /// Waits for the child to exit and checks that it succeeded.
    pub fn finish(mut self) -> io::Result<()> {
        self.waited = true;
        let status = self.child.wait()?;
        if !status.success() {
            return Err(io::Error::other(format!("{} child: {status}", self.what)));
        }
        Ok(())
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if !self.waited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Kills the child and ends the benchmark if the trial is stuck; disarmed on drop. (The parent
/// may be blocked in an accept, a read or a futex wait that the child's death alone would not
/// end.)
struct Watchdog {
    _done: mpsc::Sender<()>,
}

impl Watchdog {
    fn arm(child: u32, what: &'static str) -> Watchdog {
        let (done, rx) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(STUCK) {
                eprintln!(
                    "w32ipc-bench: a {what} trial is stuck after {}s; giving up",
                    STUCK.as_secs()
                );
                if let Some(pid) = rustix::process::Pid::from_raw(child as i32) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
                std::process::exit(1);
            }
        });
        Watchdog { _done: done }
    }
}
