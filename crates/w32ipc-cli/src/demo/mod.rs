//! `w32ipc demo`: the seed's scenarios, each between real processes, each with a plain account
//! of what happened and how long it took.

mod anonymous_pipe;
mod named_pipe;
mod named_pipe_messages;
mod shared_memory;
mod thread_messages;
mod wm_copydata;

use std::io::{self, BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use crate::report::{Context, Failure};

/// Options of `w32ipc demo` (its help text is the doc comment of `Command::Demo`).
#[derive(clap::Args, Default)]
#[command(after_help = HELP)]
pub struct Args {
    /// Run only this scenario [default: every one, in this order]
    #[arg(value_enum)]
    scenario: Option<Scenario>,
}

const HELP: &str = "Examples:
  w32ipc demo                               every scenario (so does `w32ipc` alone)
  w32ipc demo named-pipe                    one scenario
  W32IPC_ROOT=$(mktemp -d) w32ipc demo      in a session root of its own

Exit codes: 0 every scenario worked; otherwise as the table in `w32ipc --help`
says (the error line names the scenario that failed).";

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// The seed's WM_COPYDATA: a receiver process's window, a sender process with action codes.
    WmCopydata,
    /// Two threads of one process exchanging messages through their thread queues.
    ThreadMessages,
    /// A parent and a child that inherits one end of an anonymous pipe.
    AnonymousPipe,
    /// The seed's named-pipe server (one outbound no-wait instance) and two client processes.
    NamedPipe,
    /// A message pipe with three instances, a thread each, and five client processes.
    NamedPipeMessages,
    /// A server's thread id in a named mapping, read by a client process.
    SharedMemory,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let all = [
        Scenario::WmCopydata,
        Scenario::ThreadMessages,
        Scenario::AnonymousPipe,
        Scenario::NamedPipe,
        Scenario::NamedPipeMessages,
        Scenario::SharedMemory,
    ];
    for s in all {
        if args.scenario.is_some_and(|only| only != s) {
            continue;
        }
        match s {
            Scenario::WmCopydata => wm_copydata::run(),
            Scenario::ThreadMessages => thread_messages::run(),
            Scenario::AnonymousPipe => anonymous_pipe::run(),
            Scenario::NamedPipe => named_pipe::run(),
            Scenario::NamedPipeMessages => named_pipe_messages::run(),
            Scenario::SharedMemory => shared_memory::run(),
        }
        .context(|| format!("demo {}", s.name()))?;
    }
    Ok(())
}

impl Scenario {
    /// `named-pipe`: the name on the command line.
    fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// The child side of a scenario (`w32ipc __child ROLE ARGS…`).
pub fn child(role: &str, args: &[String]) -> Result<(), Failure> {
    match role {
        "wm-copydata" => wm_copydata::child(args),
        "anonymous-pipe" => anonymous_pipe::child(args),
        "named-pipe" => named_pipe::child(args),
        "named-pipe-messages" => named_pipe_messages::child(args),
        "shared-memory" => shared_memory::child(args),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unknown role {other}"),
        )),
    }
    .context(|| format!("demo child {role}"))
}

/// `1.8 ms`, `240 µs`.
pub fn took(d: Duration) -> String {
    if d >= Duration::from_millis(10) {
        format!("{} ms", d.as_millis())
    } else if d >= Duration::from_millis(1) {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{} µs", d.as_micros())
    }
}

/// A child process of a scenario (`w32ipc __child ROLE ARGS…`) whose stdout the parent reads
/// line by line; killed if the scenario ends without waiting for it.
pub struct Kid {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl Kid {
    pub fn spawn(role: &str, args: &[&str]) -> io::Result<Kid> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("__child")
            .arg(role)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()?;
        let out = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Kid { child, out })
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The next line the child printed; `None` when it closed its stdout.
    pub fn line(&mut self) -> io::Result<Option<String>> {
        let mut line = String::new();
        if self.out.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end_matches('\n').to_owned()))
    }

    /// The rest of what the child prints, then its exit code (`None`: killed by a signal).
    pub fn finish(&mut self) -> io::Result<(Vec<String>, Option<i32>)> {
        let mut lines = Vec::new();
        while let Some(l) = self.line()? {
            lines.push(l);
        }
        Ok((lines, self.child.wait()?.code()))
    }
}

impl Drop for Kid {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
