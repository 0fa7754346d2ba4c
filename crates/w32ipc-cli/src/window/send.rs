//! `w32ipc window send`: `WM_COPYDATA` (or any message) to a window found by class and title.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use w32ipc::error::Win32ErrorExt;
use w32ipc::error::{ERROR_INVALID_WINDOW_HANDLE, ERROR_MESSAGE_SYNC_ONLY, ERROR_TIMEOUT};
use w32ipc::msg::{self, Hwnd, Message, Parent, SendFlags, WM_COPYDATA, Window};

use super::listen::{data_preview, describe_copy_data};
use super::{DEFAULT_CLASS, hwnd_text, kind, message_name, parse_message, parse_number};
use crate::report::{Context, Exit, Failure};

/// Find a window by class and title and send it WM_COPYDATA (or another message)
///
/// Finds the window as FindWindow does (top-level windows; with --message-only, as
/// FindWindowEx(HWND_MESSAGE, …) does), fills a COPYDATASTRUCT with --action as dwData and
/// the --data block, and sends WM_COPYDATA with wParam naming a message-only window of its
/// own, as the seed's sender does. SendMessage waits until the window's procedure has
/// run; its result (LRESULT) is printed to stdout. With --timeout, SendMessageTimeout
/// gives up after MS milliseconds (a message not handled by the time this process has
/// ended is dropped).
///
/// --message sends another message (--wparam, --lparam) instead; --post queues it
/// (PostMessage) and returns at once. WM_COPYDATA cannot be posted: Windows refuses
/// (ERROR_MESSAGE_SYNC_ONLY), and so does this.
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = SEND_HELP)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["data", "message"])))]
pub struct Args {
    /// The class of the window (compared without case).
    #[arg(long, value_name = "CLASS", default_value = DEFAULT_CLASS)]
    class: String,
    /// The title of the window (compared without case) [default: any title]
    #[arg(long, value_name = "TITLE")]
    title: Option<String>,
    /// Look among message-only windows (FindWindowEx(HWND_MESSAGE, …)), not top-level ones.
    #[arg(long)]
    message_only: bool,
    /// The block to send: TEXT as it is, `@FILE` for a file's bytes, `@-` for stdin.
    #[arg(long, value_name = "TEXT|@FILE")]
    data: Option<String>,
    /// The action code (COPYDATASTRUCT.dwData), decimal or 0x hex.
    #[arg(long, value_name = "N", default_value = "0", value_parser = parse_number, conflicts_with = "message")]
    action: u64,
    /// Send this message instead of WM_COPYDATA: WM_CLOSE, WM_USER+1, WM_APP+2, 0x8001, …
    #[arg(long, value_name = "MSG", value_parser = parse_message)]
    message: Option<u32>,
    /// wParam of --message (decimal or 0x hex) [default: 0]
    #[arg(long, value_name = "N", value_parser = parse_number, requires = "message", conflicts_with = "data")]
    wparam: Option<u64>,
    /// lParam of --message (decimal or 0x hex) [default: 0]
    #[arg(long, value_name = "N", value_parser = parse_number, requires = "message", conflicts_with = "data")]
    lparam: Option<u64>,
    /// Post the message (PostMessage) instead of sending it; prints nothing.
    #[arg(long, conflicts_with = "timeout")]
    post: bool,
    /// Give up when the window has not answered within MS milliseconds (SendMessageTimeout,
    /// SMTO_NORMAL) [default: wait as long as it takes]
    #[arg(long, value_name = "MS")]
    timeout: Option<u64>,
    /// Also say on stderr what was sent to which window, and how long it took.
    #[arg(short, long)]
    verbose: bool,
}

const SEND_HELP: &str = concat!(
    r#"Examples:
  w32ipc window send --data 'hello'                 to `w32ipc window listen`; prints 5
  w32ipc window send --class Receiver --title 'Seed receiver' --action 1 --data @block.bin
  tar c dir | w32ipc window send --data @- --timeout 2000
  w32ipc window send --message-only --class Receiver --message WM_USER+1 --wparam 7
  w32ipc window send --message WM_CLOSE --post

"#,
    exit_codes!()
);

pub fn run(args: &Args) -> Result<(), Failure> {
    let data = match &args.data {
        Some(d) => Some(read_data(d)?),
        None => None,
    };
    let parent = if args.message_only {
        Parent::Message
    } else {
        Parent::Desktop
    };
    let title = args.title.as_deref();
    let target = msg::find_window_ex(parent, None, Some(&args.class), title)
        .ok_or_else(|| not_found(&args.class, title, parent))?;
    let (_, pid) = target
        .thread_process_id()
        .map_err(|e| gone(target, 0, &e))?;
    let message = args.message.unwrap_or(WM_COPYDATA);
    let (wparam, lparam) = (args.wparam.unwrap_or(0), args.lparam.unwrap_or(0));
    let what = match &data {
        Some(d) => format!(
            "{} (action {}, {})",
            message_name(message),
            args.action,
            data_preview(d)
        ),
        None => format!(
            "{} (wParam {:#x}, lParam {:#x})",
            message_name(message),
            wparam,
            lparam
        ),
    };
    let to = format!(
        "window {} (class {:?}, process {pid})",
        hwnd_text(target),
        target.class_name().unwrap_or_default()
    );

    if args.post {
        let r = match &data {
            // PostMessage(WM_COPYDATA) fails as on Windows: the block would outlive the call.
            Some(_) => target.post(WM_COPYDATA, 0, 0),
            None => target.post(message, wparam as usize, lparam as isize),
        };
        r.map_err(|e| {
            let sync_only = e.win32_code() == ERROR_MESSAGE_SYNC_ONLY;
            let f = if e.win32_code() == ERROR_INVALID_WINDOW_HANDLE {
                gone(target, pid, &e)
            } else {
                Failure::win32(format!("cannot post {} to {to}", message_name(message)), &e)
            };
            if sync_only {
                f.hint("WM_COPYDATA must be sent, not posted: leave out --post")
            } else {
                f
            }
        })?;
        if args.verbose {
            eprintln!("w32ipc: posted {what} to {to}");
        }
        return Ok(());
    }

    // Our own window, named in WM_COPYDATA's wParam as the seed's sender does; what the
    // receiver sends back to it while we wait is told on stderr.
    let own = match &data {
        Some(_) => Some(
            Window::builder("W32ipcSend")
                .title("w32ipc window send")
                .message_only(true)
                .create(|_h: Hwnd, m: Message<'_>| match m {
                    Message::CopyData(cd) => {
                        eprintln!(
                            "w32ipc: the receiver sent back WM_COPYDATA{}",
                            describe_copy_data(&cd)
                        );
                        cd.data.len() as isize
                    }
                    _ => 0,
                })
                .context(|| "cannot create the sender's own window".to_owned())?,
        ),
        None => None,
    };
    let from = own.as_ref().map(Window::hwnd);
    let timeout = args.timeout.map(Duration::from_millis);
    let start = Instant::now();
    let result = match (&data, timeout) {
        (Some(d), None) => target.send_copy_data(from, args.action as usize, d),
        (Some(d), Some(t)) => {
            target.send_copy_data_timeout(from, args.action as usize, d, SendFlags::NORMAL, t)
        }
        (None, None) => target.send(message, wparam as usize, lparam as isize),
        (None, Some(t)) => target.send_timeout(
            message,
            wparam as usize,
            lparam as isize,
            SendFlags::NORMAL,
            t,
        ),
    };
    let took = start.elapsed();
    let result = result.map_err(|e| match e.win32_code() {
        ERROR_TIMEOUT => {
            let ms = args.timeout.unwrap_or(0);
            Failure::win32(format!("{to} did not answer within {ms} ms"), &e).hint(
                "its thread is not taking messages (GetMessage/PeekMessage) now; a longer \
                 --timeout waits longer",
            )
        }
        ERROR_INVALID_WINDOW_HANDLE => gone(target, pid, &e),
        _ => Failure::win32(format!("cannot send {} to {to}", message_name(message)), &e),
    })?;
    println!("{result}");
    if args.verbose {
        eprintln!(
            "w32ipc: sent {what} to {to}; it answered {result} in {}",
            crate::demo::took(took)
        );
    }
    Ok(())
}

/// `--data`: the text itself, `@FILE`, or `@-` (stdin).
fn read_data(arg: &str) -> Result<Vec<u8>, Failure> {
    match arg.strip_prefix('@') {
        Some("-") => {
            let mut buf = Vec::new();
            io::stdin()
                .read_to_end(&mut buf)
                .context_plain(|| "cannot read --data from stdin".to_owned())?;
            Ok(buf)
        }
        Some(path) => std::fs::read(path).map_err(|e| {
            Failure::plain(format!("cannot read --data @{path}"), &e).exit(Exit::Usage)
        }),
        None => Ok(arg.as_bytes().to_vec()),
    }
}

/// FindWindow found nothing. Windows sets no error for that (FindWindow returns NULL), so
/// neither does this: the message says what was looked for.
fn not_found(class: &str, title: Option<&str>, parent: Parent) -> Failure {
    let looked = match title {
        Some(t) => format!("class {class:?} with title {t:?}"),
        None => format!("class {class:?}"),
    };
    let other = match parent {
        Parent::Desktop => Parent::Message,
        Parent::Message => Parent::Desktop,
    };
    let hint = if msg::find_window_ex(other, None, Some(class), title).is_some() {
        let that = if title.is_some() {
            "that class and title"
        } else {
            "that class"
        };
        match other {
            Parent::Message => {
                format!("a message-only window of {that} exists: add --message-only")
            }
            Parent::Desktop => {
                format!("a top-level window of {that} exists: leave out --message-only")
            }
        }
    } else {
        let mut listen = format!("w32ipc window listen --class {}", shell_word(class));
        if let Some(t) = title {
            listen.push_str(&format!(" --title {}", shell_word(t)));
        }
        if parent == Parent::Message {
            listen.push_str(" --message-only");
        }
        format!(
            "start one with `{listen}`; `w32ipc window ls` lists the session's windows \
             (and check W32IPC_ROOT: both sides must use the same session root)"
        )
    };
    Failure::new(
        format!("no {} window of {looked}", kind(parent)),
        Exit::NotFound,
    )
    .hint(hint)
}

/// The window went away: destroyed, or its thread or process ended.
fn gone(target: Hwnd, pid: u32, e: &io::Error) -> Failure {
    let who = if pid == 0 {
        String::new()
    } else {
        format!(" (process {pid})")
    };
    Failure::win32(
        format!(
            "window {}{who} was destroyed, or its process ended, before it answered",
            hwnd_text(target)
        ),
        e,
    )
}

/// `word`, or `'two words'` for a shell.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/+=@".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("Receiver"), "Receiver");
        assert_eq!(shell_word("w32ipc listen"), "'w32ipc listen'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
