//! `w32ipc pipe`: everyday named-pipe tools — a server (`serve`), a netcat-like client
//! (`connect`) and `CallNamedPipe` from the shell (`call`).
//!
//! Failures are told in plain words with the Win32 name and code, and end the process with an
//! exit code that scripts can rely on (listed in every `--help`).

/// The exit codes of `w32ipc pipe …`, for every `--help` of the family (one text, one place).
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  success
  1  any other error
  2  usage: bad arguments or an invalid pipe name
  3  no such pipe: no server has created it (ERROR_FILE_NOT_FOUND)
  4  every instance of the pipe is busy (ERROR_PIPE_BUSY)
  5  no instance became free within --timeout (ERROR_SEM_TIMEOUT)"
    };
}

mod client;
mod serve;

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use w32ipc::error::{
    ERROR_BAD_NETPATH, ERROR_FILE_NOT_FOUND, ERROR_FILENAME_EXCED_RANGE, ERROR_INVALID_NAME,
    ERROR_PATH_NOT_FOUND, ERROR_PIPE_BUSY, ERROR_SEM_TIMEOUT, Win32Error, Win32ErrorExt,
    error_name,
};
use w32ipc::npipe::WaitTimeout;

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

/// Runs `w32ipc pipe …`; prints any failure and returns the exit code.
pub fn run(args: &Args) -> ExitCode {
    let result = match &args.command {
        PipeCommand::Serve(a) => serve::run(a),
        PipeCommand::Connect(a) => client::connect(a),
        PipeCommand::Call(a) => client::call(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}: {}", f.what, describe(&f.err));
            if let Some(hint) = &f.hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(exit_code(&f.err))
        }
    }
}

/// A failed step: what was being done, the error, and perhaps a hint at what to do.
pub struct Failure {
    what: String,
    err: io::Error,
    hint: Option<String>,
}

impl Failure {
    fn new(what: impl Into<String>, err: io::Error) -> Failure {
        Failure {
            what: what.into(),
            err,
            hint: None,
        }
    }
}

/// Attaches "what was being done" to an `io::Error`.
trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Failure>;
    /// The same, for an operation on the pipe `name` (which the hints may name).
    fn on_pipe(self, name: &str, what: impl FnOnce() -> String) -> Result<T, Failure>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Failure> {
        self.map_err(|err| Failure::new(what(), err))
    }

    fn on_pipe(self, name: &str, what: impl FnOnce() -> String) -> Result<T, Failure> {
        self.map_err(|err| Failure {
            what: what(),
            hint: hint(name, &err),
            err,
        })
    }
}

/// `all pipe instances are busy (ERROR_PIPE_BUSY, 231)`: the Win32 text, name and code.
pub fn describe(err: &io::Error) -> String {
    if err
        .get_ref()
        .is_some_and(|e| e.downcast_ref::<Win32Error>().is_some())
    {
        // w32ipc's own errors already read "text (NAME, code)".
        return err.to_string();
    }
    let code = err.win32_code();
    match error_name(code) {
        Some(name) if code != 0 => format!("{err} ({name}, {code})"),
        _ => err.to_string(),
    }
}

/// "cannot open NAME", or, when the wait for a free instance ran out, that.
fn open_failed(name: &str, err: &io::Error, verb: &str) -> String {
    if err.win32_code() == ERROR_SEM_TIMEOUT {
        format!("cannot {verb} {name}: no instance became free in time")
    } else {
        format!("cannot {verb} {name}")
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
            "every instance stayed busy; a longer --timeout, or a server with more --instances"
                .to_owned()
        }
        ERROR_INVALID_NAME | ERROR_BAD_NETPATH | ERROR_PATH_NOT_FOUND => {
            r"pipe names are `NAME` or `\\.\pipe\NAME` (remote `\\server\pipe\NAME` is not supported)"
                .to_owned()
        }
        _ => return None,
    })
}

/// The process exit code for a failure (as the `--help` texts list them).
pub fn exit_code(err: &io::Error) -> u8 {
    match err.win32_code() {
        ERROR_INVALID_NAME
        | ERROR_BAD_NETPATH
        | ERROR_PATH_NOT_FOUND
        | ERROR_FILENAME_EXCED_RANGE => 2,
        ERROR_FILE_NOT_FOUND => 3,
        ERROR_PIPE_BUSY => 4,
        ERROR_SEM_TIMEOUT => 5,
        _ => 1,
    }
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
    fn errors_in_words() {
        assert_eq!(
            describe(&win32(ERROR_PIPE_BUSY)),
            "all pipe instances are busy (ERROR_PIPE_BUSY, 231)"
        );
        let os = io::Error::from_raw_os_error(32); // EPIPE
        assert!(describe(&os).contains("(ERROR_"), "{}", describe(&os));
        assert_eq!(exit_code(&win32(ERROR_FILE_NOT_FOUND)), 3);
        assert_eq!(exit_code(&win32(ERROR_PIPE_BUSY)), 4);
        assert_eq!(exit_code(&win32(ERROR_SEM_TIMEOUT)), 5);
        assert_eq!(exit_code(&win32(ERROR_INVALID_NAME)), 2);
    }

    #[test]
    fn help_lists_the_exit_codes() {
        assert!(HELP.contains("3  no such pipe"));
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
