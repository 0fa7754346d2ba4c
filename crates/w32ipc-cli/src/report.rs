//! How every command reports a failure: one line
//! `error: cannot open \\.\pipe\demo: all pipe instances are busy (ERROR_PIPE_BUSY, 231)`,
//! perhaps a `hint:` line, and an exit code from one table ([`Exit`], listed in the help texts
//! by [`exit_codes!`]).
//!
//! Errors of the library carry a Win32 code: they are told in plain words with the code's name
//! and number ([`describe`]). The tool's own failures that are not Win32 errors (stdin, stdout,
//! a `--data @FILE` that cannot be read) stay in plain words ([`Failure::plain`]).

/// The exit codes of every command, for the `--help` texts (one table, one place; a macro so
/// that `concat!` can join it to a command's examples). [`Exit::of`] is the code behind it.
macro_rules! exit_codes {
    () => {
        "Exit codes (the same for every command):
  0  success
  1  any other failure
  2  usage: bad arguments, an invalid pipe name, a --data @FILE that cannot be read
  3  not found: no server has created the pipe (ERROR_FILE_NOT_FOUND), no window
     of that class and title
  4  the other side is gone: the pipe was closed (ERROR_BROKEN_PIPE, ERROR_NO_DATA,
     ERROR_PIPE_NOT_CONNECTED), the window was destroyed or its process ended
     (ERROR_INVALID_WINDOW_HANDLE)
  5  timed out: no answer, or no free pipe instance, within --timeout
     (ERROR_TIMEOUT, ERROR_SEM_TIMEOUT)
  6  busy: every instance of the pipe has a client (ERROR_PIPE_BUSY)"
    };
}

use std::io;
use std::process::ExitCode;

use w32ipc::error::{
    ERROR_ACCESS_DENIED, ERROR_ALREADY_EXISTS, ERROR_BAD_NETPATH, ERROR_BAD_PIPE,
    ERROR_BROKEN_PIPE, ERROR_CANNOT_FIND_WND_CLASS, ERROR_CLASS_ALREADY_EXISTS,
    ERROR_CLASS_DOES_NOT_EXIST, ERROR_DISK_FULL, ERROR_FILE_EXISTS, ERROR_FILE_NOT_FOUND,
    ERROR_FILENAME_EXCED_RANGE, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_HANDLE,
    ERROR_INVALID_NAME, ERROR_INVALID_PARAMETER, ERROR_INVALID_THREAD_ID,
    ERROR_INVALID_WINDOW_HANDLE, ERROR_IO_DEVICE, ERROR_MESSAGE_SYNC_ONLY, ERROR_MORE_DATA,
    ERROR_NO_DATA, ERROR_NOT_ENOUGH_MEMORY, ERROR_NOT_SUPPORTED, ERROR_OPERATION_ABORTED,
    ERROR_OUTOFMEMORY, ERROR_PATH_NOT_FOUND, ERROR_PIPE_BUSY, ERROR_PIPE_CONNECTED,
    ERROR_PIPE_LISTENING, ERROR_PIPE_NOT_CONNECTED, ERROR_SEM_TIMEOUT, ERROR_SHARING_VIOLATION,
    ERROR_TIMEOUT, ERROR_TOO_MANY_OPEN_FILES, WAIT_TIMEOUT, Win32Error, Win32ErrorExt,
    error_message, error_name,
};

/// The process exit codes scripts can rely on (the table of [`exit_codes!`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 1: any failure without a code of its own.
    Failure = 1,
    /// 2: bad arguments (clap's own code for them), an invalid name, an unreadable input file.
    Usage = 2,
    /// 3: no such pipe, window or object.
    NotFound = 3,
    /// 4: the other side went away (pipe closed, window destroyed, its process ended).
    PeerGone = 4,
    /// 5: no answer, or no free instance, within the time-out.
    TimedOut = 5,
    /// 6: every instance of the pipe is busy.
    Busy = 6,
}

impl Exit {
    /// The exit code a library error stands for, from its Win32 code.
    pub fn of(err: &io::Error) -> Exit {
        match err.win32_code() {
            ERROR_INVALID_NAME
            | ERROR_BAD_NETPATH
            | ERROR_PATH_NOT_FOUND
            | ERROR_FILENAME_EXCED_RANGE => Exit::Usage,
            ERROR_FILE_NOT_FOUND => Exit::NotFound,
            ERROR_BROKEN_PIPE
            | ERROR_NO_DATA
            | ERROR_PIPE_NOT_CONNECTED
            | ERROR_INVALID_WINDOW_HANDLE
            | ERROR_INVALID_THREAD_ID => Exit::PeerGone,
            ERROR_SEM_TIMEOUT | ERROR_TIMEOUT | WAIT_TIMEOUT => Exit::TimedOut,
            ERROR_PIPE_BUSY => Exit::Busy,
            _ => Exit::Failure,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A Win32 code in plain words: lower case, short, no full stop (`all pipe instances are
/// busy`). The codes the tool meets have a phrasing of their own; the others get the system
/// message, lower-cased.
pub fn words(code: u32) -> String {
    let own = match code {
        ERROR_FILE_NOT_FOUND => "not found",
        ERROR_PATH_NOT_FOUND => "no such path",
        ERROR_TOO_MANY_OPEN_FILES => "too many open files",
        ERROR_ACCESS_DENIED => "access denied",
        ERROR_INVALID_HANDLE => "invalid handle",
        ERROR_NOT_ENOUGH_MEMORY | ERROR_OUTOFMEMORY => "not enough memory",
        ERROR_SHARING_VIOLATION => "in use by another process",
        ERROR_NOT_SUPPORTED => "not supported",
        ERROR_BAD_NETPATH => "network path not found",
        ERROR_FILE_EXISTS | ERROR_ALREADY_EXISTS => "already exists",
        ERROR_INVALID_PARAMETER => "invalid parameter",
        ERROR_BROKEN_PIPE => "the other end closed the pipe",
        ERROR_DISK_FULL => "no space left",
        ERROR_SEM_TIMEOUT | WAIT_TIMEOUT => "the wait timed out",
        ERROR_INSUFFICIENT_BUFFER => "buffer too small",
        ERROR_INVALID_NAME => "invalid name",
        ERROR_FILENAME_EXCED_RANGE => "name too long",
        ERROR_BAD_PIPE => "invalid pipe state",
        ERROR_PIPE_BUSY => "all pipe instances are busy",
        ERROR_NO_DATA => "the pipe is being closed",
        ERROR_PIPE_NOT_CONNECTED => "no process is on the other end of the pipe",
        ERROR_MORE_DATA => "more data is available",
        ERROR_PIPE_CONNECTED => "a client is already connected",
        ERROR_PIPE_LISTENING => "no client has connected yet",
        ERROR_OPERATION_ABORTED => "the operation was cancelled",
        ERROR_IO_DEVICE => "input/output error",
        ERROR_MESSAGE_SYNC_ONLY => "this message can only be sent, not posted",
        ERROR_INVALID_WINDOW_HANDLE => "invalid window handle",
        ERROR_CANNOT_FIND_WND_CLASS | ERROR_CLASS_DOES_NOT_EXIST => "no such window class",
        ERROR_CLASS_ALREADY_EXISTS => "the window class already exists",
        ERROR_INVALID_THREAD_ID => "invalid thread id",
        ERROR_TIMEOUT => "timed out",
        _ => {
            return match error_message(code) {
                Some(m) => lower_first(m.trim_end_matches('.')),
                None => "unknown error".to_owned(),
            };
        }
    };
    own.to_owned()
}

/// `all pipe instances are busy (ERROR_PIPE_BUSY, 231)`: an error of the library in plain
/// words, with its Win32 name and code. An OS error is told by the Win32 code it maps to; an
/// error with a text of its own (not a system error) is that text.
pub fn describe(err: &io::Error) -> String {
    let is_win32 = err
        .get_ref()
        .is_some_and(|e| e.downcast_ref::<Win32Error>().is_some());
    if !is_win32 && err.raw_os_error().is_none() {
        return err.to_string();
    }
    let code = err.win32_code();
    match error_name(code) {
        Some(name) => format!("{} ({name}, {code})", words(code)),
        None => format!("{} (Win32 error {code})", words(code)),
    }
}

/// `no such file or directory`: an error of the tool's own input or output, without a Win32
/// code (the OS text without its `(os error 2)`, lower-cased).
pub fn plain(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match (err.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => &text[..at],
        _ => &text,
    };
    lower_first(text)
}

/// `The pipe` → `the pipe`; an all-capital word (`ERROR_…`, `I/O`) stays as it is.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    let (Some(first), second) = (chars.next(), chars.next()) else {
        return String::new();
    };
    if second.is_some_and(|c| c.is_uppercase() || c == '/') {
        return s.to_owned();
    }
    first
        .to_lowercase()
        .chain(s[first.len_utf8()..].chars())
        .collect()
}

/// A failed step: what was being done, why (the error in words, if there was one), perhaps a
/// hint at what to do, and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// `cannot open \\.\pipe\demo`.
    pub what: String,
    /// `all pipe instances are busy (ERROR_PIPE_BUSY, 231)`.
    pub why: Option<String>,
    pub hint: Option<String>,
    pub exit: Exit,
}

impl Failure {
    /// A failure without an error to tell (FindWindow found nothing: Windows sets no code).
    pub fn new(what: impl Into<String>, exit: Exit) -> Failure {
        Failure {
            what: what.into(),
            why: None,
            hint: None,
            exit,
        }
    }

    /// A failed call of the library: the error in words with its Win32 code; the exit code
    /// follows from it.
    pub fn win32(what: impl Into<String>, err: &io::Error) -> Failure {
        Failure {
            what: what.into(),
            why: Some(describe(err)),
            hint: None,
            exit: Exit::of(err),
        }
    }

    /// A failure of the tool's own input or output (stdin, stdout, a file): plain words, exit
    /// code 1.
    pub fn plain(what: impl Into<String>, err: &io::Error) -> Failure {
        Failure {
            what: what.into(),
            why: Some(plain(err)),
            hint: None,
            exit: Exit::Failure,
        }
    }

    /// The same failure with a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// The same failure with another exit code.
    pub fn exit(mut self, exit: Exit) -> Failure {
        self.exit = exit;
        self
    }

    /// `error: WHAT: WHY`, then `hint: …`.
    pub fn lines(&self) -> String {
        let mut s = format!("error: {}", self.what);
        if let Some(why) = &self.why {
            s.push_str(": ");
            s.push_str(why);
        }
        if let Some(hint) = &self.hint {
            s.push_str("\nhint: ");
            s.push_str(hint);
        }
        s
    }

    /// Prints the failure on stderr; the process's exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("{}", self.lines());
        self.exit.into()
    }
}

/// Attaches "what was being done" to an `io::Error`.
pub trait Context<T> {
    /// For a call of the library: the error told with its Win32 code ([`Failure::win32`]).
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Failure>;
    /// For the tool's own input and output: plain words ([`Failure::plain`]).
    fn context_plain(self, what: impl FnOnce() -> String) -> Result<T, Failure>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Failure> {
        self.map_err(|err| Failure::win32(what(), &err))
    }

    fn context_plain(self, what: impl FnOnce() -> String) -> Result<T, Failure> {
        self.map_err(|err| Failure::plain(what(), &err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use w32ipc::error::win32;

    #[test]
    fn win32_errors_in_plain_words() {
        assert_eq!(
            describe(&win32(ERROR_PIPE_BUSY)),
            "all pipe instances are busy (ERROR_PIPE_BUSY, 231)"
        );
        assert_eq!(
            describe(&win32(ERROR_FILE_NOT_FOUND)),
            "not found (ERROR_FILE_NOT_FOUND, 2)"
        );
        assert_eq!(
            describe(&win32(ERROR_TIMEOUT)),
            "timed out (ERROR_TIMEOUT, 1460)"
        );
        // A code without a phrasing of its own: the system message, lower case, no full stop.
        assert_eq!(
            describe(&win32(w32ipc::error::ERROR_NOT_OWNER)),
            "attempt to release mutex not owned by caller (ERROR_NOT_OWNER, 288)"
        );
        assert_eq!(describe(&win32(4242)), "unknown error (Win32 error 4242)");
        // An OS error from the library: told by the Win32 code it maps to.
        let epipe = io::Error::from_raw_os_error(32);
        assert_eq!(
            describe(&epipe),
            "the pipe is being closed (ERROR_NO_DATA, 232)"
        );
        // Not a system error: the text as it is.
        assert_eq!(describe(&io::Error::other("it broke")), "it broke");
    }

    #[test]
    fn every_phrasing_is_plain() {
        for code in 0..20_000 {
            if error_name(code).is_none() {
                continue;
            }
            let w = words(code);
            assert!(!w.is_empty() && !w.ends_with('.'), "{code}: {w:?}");
            assert!(!w.starts_with(char::is_uppercase), "{code}: {w:?}");
        }
    }

    #[test]
    fn own_errors_stay_plain() {
        let e = io::Error::from_raw_os_error(2); // ENOENT
        assert_eq!(plain(&e), "no such file or directory");
        assert_eq!(plain(&io::Error::other("Bad thing")), "bad thing");
        let f = Failure::plain("cannot read --data @x", &e).exit(Exit::Usage);
        assert_eq!(
            f.lines(),
            "error: cannot read --data @x: no such file or directory"
        );
        assert_eq!(f.exit, Exit::Usage);
    }

    #[test]
    fn one_exit_code_table() {
        let exit = |code| Exit::of(&win32(code)) as u8;
        assert_eq!(exit(ERROR_INVALID_NAME), 2);
        assert_eq!(exit(ERROR_BAD_NETPATH), 2);
        assert_eq!(exit(ERROR_FILE_NOT_FOUND), 3);
        assert_eq!(exit(ERROR_BROKEN_PIPE), 4);
        assert_eq!(exit(ERROR_NO_DATA), 4);
        assert_eq!(exit(ERROR_INVALID_WINDOW_HANDLE), 4);
        assert_eq!(exit(ERROR_SEM_TIMEOUT), 5);
        assert_eq!(exit(ERROR_TIMEOUT), 5);
        assert_eq!(exit(ERROR_PIPE_BUSY), 6);
        assert_eq!(exit(ERROR_ACCESS_DENIED), 1);
        assert_eq!(exit(ERROR_MESSAGE_SYNC_ONLY), 1);
        let table = exit_codes!();
        for line in [
            "0  success",
            "1  any other failure",
            "2  usage",
            "3  not found",
            "4  the other side is gone",
            "5  timed out",
            "6  busy",
        ] {
            assert!(table.contains(line), "{line}");
        }
    }

    #[test]
    fn failure_lines() {
        let f = Failure::win32(r"cannot open \\.\pipe\demo", &win32(ERROR_PIPE_BUSY))
            .hint("wait with --timeout");
        assert_eq!(
            f.lines(),
            "error: cannot open \\\\.\\pipe\\demo: all pipe instances are busy \
             (ERROR_PIPE_BUSY, 231)\nhint: wait with --timeout"
        );
        assert_eq!(f.exit, Exit::Busy);
        assert_eq!(
            Failure::new("no window", Exit::NotFound).lines(),
            "error: no window"
        );
    }
}
