//! `w32ipc pipe`: everyday named-pipe tools — a server (`serve`), a netcat-like client
//! (`connect`) and `CallNamedPipe` from the shell (`call`).
//!
//! Failures are told in plain words with the Win32 name and code, with a hint where one helps,
//! and end the process with an exit code from the one table (`crate::report`).

mod client;
mod serve;

use std::io;
use std::time::Duration;

use w32ipc::error::{
    ERROR_BAD_NETPATH, ERROR_FILE_NOT_FOUND, ERROR_FILENAME_EXCED_RANGE, ERROR_INVALID_NAME,
    ERROR_PATH_NOT_FOUND, ERROR_PIPE_BUSY, ERROR_SEM_TIMEOUT, Win32ErrorExt,
};
use w32ipc::npipe::WaitTimeout;

use crate::report::Failure;

/// Options of `w32ipc pipe` (its help text is the doc comment of `Command::Pipe`).
#[derive(clap::Args)]
#[command(after_help = HELP, subcommand_required = true)]
pub struct Args {
    #[command(subcommand)]
    command: PipeCommand,
}

const HELP: &str = concat!(
    "Examples:
  w32ipc pipe serve demo --echo --message   a message-mode echo server
  w32ipc pipe call demo 'hello'             send one message, print the reply
  w32ipc pipe serve log --print &           print what clients write ...
  echo hi | w32ipc pipe connect log         ... and write to it from the shell

",
    exit_codes!()
);

#[derive(clap::Subcommand)]
enum PipeCommand {
    // No doc comments here: each command's help is its `Args` struct's.
    Serve(serve::Args),
    Connect(client::ConnectArgs),
    Call(client::CallArgs),
}

/// Runs `w32ipc pipe …`.
pub fn run(args: &Args) -> Result<(), Failure> {
    match &args.command {
        PipeCommand::Serve(a) => serve::run(a),
        PipeCommand::Connect(a) => client::connect(a),
        PipeCommand::Call(a) => client::call(a),
    }
}

/// Attaches "what was being done" to an `io::Error` from an operation on the pipe `name`,
/// with the hint for that pipe where there is one.
trait PipeContext<T> {
    fn on_pipe(self, name: &str, what: impl FnOnce() -> String) -> Result<T, Failure>;
}

impl<T> PipeContext<T> for io::Result<T> {
    fn on_pipe(self, name: &str, what: impl FnOnce() -> String) -> Result<T, Failure> {
        self.map_err(|err| pipe_failure(what(), name, &err))
    }
}

/// A failure on the pipe `name`, with the hint for its error if there is one.
fn pipe_failure(what: String, name: &str, err: &io::Error) -> Failure {
    let f = Failure::win32(what, err);
    match hint(name, err) {
        Some(h) => f.hint(h),
        None => f,
    }
}

/// What to do about a failure on the pipe `name`, for the errors that have an answer.
fn hint(name: &str, err: &io::Error) -> Option<String> {
    let short = name.strip_prefix(r"\\.\pipe\").unwrap_or(name);
    Some(match err.win32_code() {
        ERROR_FILE_NOT_FOUND => format!(
            "no server has created {name}; start one with `w32ipc pipe serve {short}` \
             (and check W32IPC_ROOT: both sides must use the same session root)"
        ),
        ERROR_PIPE_BUSY => {
            "every instance has a client; --timeout MS waits for a free one".to_owned()
        }
        ERROR_SEM_TIMEOUT => {
            "no instance became free in time; a longer --timeout, or a server with more \
             --instances"
                .to_owned()
        }
        ERROR_FILENAME_EXCED_RANGE => "a pipe name has at most 256 characters".to_owned(),
        ERROR_INVALID_NAME | ERROR_BAD_NETPATH | ERROR_PATH_NOT_FOUND => {
            r"pipe names are `NAME` or `\\.\pipe\NAME` (remote `\\server\pipe\NAME` is not supported)"
                .to_owned()
        }
        _ => return None,
    })
}

/// `demo` → `\\.\pipe\demo`; a full name (starting with `\\`) is kept as it is.
pub fn full_name(name: &str) -> String {
    if name.starts_with(r"\\") {
        name.to_owned()
    } else {
        format!(r"\\.\pipe\{name}")
    }
}

/// How long a client waits for a free instance when all are busy (`--timeout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// `--timeout 0`: fail at once with `ERROR_PIPE_BUSY`.
    NoWait,
    /// No `--timeout`: the pipe's own default (`NMPWAIT_USE_DEFAULT_WAIT`).
    PipeDefault,
    /// `--timeout forever` (`NMPWAIT_WAIT_FOREVER`).
    Forever,
    /// `--timeout MS`.
    After(Duration),
}

impl Timeout {
    /// From the `--timeout` argument.
    fn from_arg(arg: Option<&str>) -> Timeout {
        match arg {
            None => Timeout::PipeDefault,
            Some("forever") => Timeout::Forever,
            Some(ms) => match ms.parse::<u64>() {
                Ok(0) => Timeout::NoWait,
                Ok(ms) => Timeout::After(Duration::from_millis(ms)),
                Err(_) => unreachable!("checked by parse_timeout"),
            },
        }
    }

    /// The `WaitNamedPipe` time-out: all of `--timeout`, or the `left` of it.
    fn wait(self, left: Option<Duration>) -> WaitTimeout {
        match self {
            Timeout::Forever => WaitTimeout::Forever,
            Timeout::PipeDefault => WaitTimeout::Default,
            Timeout::After(all) => WaitTimeout::After(left.unwrap_or(all)),
            Timeout::NoWait => WaitTimeout::After(Duration::ZERO),
        }
    }
}

/// clap's check of `--timeout`: milliseconds or `forever`.
fn parse_timeout(s: &str) -> Result<String, String> {
    if s == "forever" || s.parse::<u64>().is_ok() {
        Ok(s.to_owned())
    } else {
        Err("expected milliseconds (0: do not wait) or `forever`".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use w32ipc::error::win32;

    #[test]
    fn names_bare_and_full() {
        assert_eq!(full_name("demo"), r"\\.\pipe\demo");
        assert_eq!(full_name(r"\\.\pipe\demo"), r"\\.\pipe\demo");
        assert_eq!(full_name(r"a\b"), r"\\.\pipe\a\b");
    }

    #[test]
    fn hints_for_the_errors_that_have_one() {
        let f = pipe_failure(
            "cannot open x".to_owned(),
            r"\\.\pipe\x",
            &win32(ERROR_FILE_NOT_FOUND),
        );
        assert!(
            f.hint
                .as_deref()
                .is_some_and(|h| h.contains("`w32ipc pipe serve x`")),
            "{f:?}"
        );
        let f = pipe_failure(
            "x".to_owned(),
            "x",
            &win32(w32ipc::error::ERROR_ACCESS_DENIED),
        );
        assert!(f.hint.is_none());
    }

    #[test]
    fn timeouts() {
        assert_eq!(Timeout::from_arg(None), Timeout::PipeDefault);
        assert_eq!(Timeout::from_arg(Some("0")), Timeout::NoWait);
        assert_eq!(Timeout::from_arg(Some("forever")), Timeout::Forever);
        assert_eq!(
            Timeout::from_arg(Some("250")),
            Timeout::After(Duration::from_millis(250))
        );
        assert!(parse_timeout("soon").is_err());
        let t = Timeout::After(Duration::from_millis(250));
        assert_eq!(t.wait(None), WaitTimeout::After(Duration::from_millis(250)));
        assert_eq!(
            t.wait(Some(Duration::from_millis(7))),
            WaitTimeout::After(Duration::from_millis(7))
        );
        assert_eq!(Timeout::Forever.wait(None), WaitTimeout::Forever);
        assert_eq!(Timeout::PipeDefault.wait(None), WaitTimeout::Default);
    }
}
