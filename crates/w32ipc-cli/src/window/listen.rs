//! `w32ipc window listen`: a window that prints every message it gets.

use std::cell::Cell;
use std::io::{self, Write};
use std::rc::Rc;

use w32ipc::msg::{
    self, CopyData, Filter, Hwnd, Message, WM_CLOSE, WM_COPYDATA, WM_CREATE, WM_DESTROY, Window,
};

use super::{DEFAULT_CLASS, DEFAULT_TITLE, hwnd_text, message_name, one_line};
use crate::report::{Context, Failure};

/// Create a window and print every message it gets, one line each
///
/// The window (top-level, or message-only with --message-only) pumps its thread's queue
/// (GetMessage/DispatchMessage) and prints to stdout what arrives:
///   WM_COPYDATA  the sender's action code (dwData), the length, and the data as text
///                when it is printable, else the first bytes in hex; it answers the
///                length (the sender's SendMessage returns it)
///   others       the message's name or number, sent or posted, wParam and lParam;
///                a sent message is answered 0
/// It says on stderr when it listens and why it stopped. It stops after --count N
/// messages, on WM_CLOSE (it destroys its window, as DefWindowProc does), on WM_QUIT,
/// or on Ctrl-C (the window disappears with the process).
///
/// Top-level windows are found by FindWindow (`w32ipc window send`); message-only ones
/// only by FindWindowEx(HWND_MESSAGE, …) (`w32ipc window send --message-only`).
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = LISTEN_HELP)]
pub struct Args {
    /// The window class (compared without case by FindWindow).
    #[arg(long, value_name = "CLASS", default_value = DEFAULT_CLASS)]
    class: String,
    /// The window title (compared without case by FindWindow).
    #[arg(long, value_name = "TITLE", default_value = DEFAULT_TITLE)]
    title: String,
    /// A message-only window (parent HWND_MESSAGE) instead of a top-level one.
    #[arg(long)]
    message_only: bool,
    /// Stop after N messages [default: no limit]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
}

const LISTEN_HELP: &str = concat!(
    r#"Examples:
  w32ipc window listen                              until Ctrl-C, WM_CLOSE or WM_QUIT
  w32ipc window listen --class Receiver --title 'Seed receiver' --count 1
  w32ipc window listen --message-only > messages.txt &

Output (one line per message):
  WM_COPYDATA (0x004a) sent by window 0x20002 (process 4242): action 1, 5 bytes "hello"; answered 5
  WM_USER+1 (0x0401) posted: wParam 0x1, lParam 0x2

"#,
    exit_codes!()
);

/// What the window's handler and the message loop share.
struct State {
    /// Messages printed so far.
    seen: Cell<u64>,
    limit: Option<u64>,
    /// Why the listener stops, once it has decided to (its own WM_QUIT is not printed then).
    stop: Cell<Option<&'static str>>,
}

impl State {
    /// Counts a printed message; asks the loop to end at the limit.
    fn count(&self) {
        let n = self.seen.get() + 1;
        self.seen.set(n);
        if self.limit == Some(n) && self.stop.get().is_none() {
            self.stop.set(Some("--count reached"));
            msg::post_quit_message(0);
        }
    }

    fn stopping(&self) -> bool {
        self.stop.get().is_some()
    }
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let state = Rc::new(State {
        seen: Cell::new(0),
        limit: args.count,
        stop: Cell::new(None),
    });
    let listening = Rc::new(Cell::new(false));
    let handler = {
        let (state, listening) = (state.clone(), listening.clone());
        move |hwnd: Hwnd, m: Message<'_>| -> isize {
            if !listening.get() || state.stopping() {
                // WM_CREATE, and what our own DestroyWindow sends.
                return 0;
            }
            handle(&state, hwnd, m)
        }
    };
    let window = Window::builder(&args.class)
        .title(&args.title)
        .message_only(args.message_only)
        .create(handler)
        .context(|| format!("cannot create a window of class {:?}", args.class))?;
    listening.set(true);
    let hwnd = window.hwnd();
    let (tid, pid) = hwnd
        .thread_process_id()
        .context(|| "cannot read the new window's owner".to_owned())?;
    eprintln!(
        "w32ipc: listening: window {} of class {:?}, title {:?}, {}, process {pid}, thread {tid}",
        hwnd_text(hwnd),
        args.class,
        args.title,
        if args.message_only {
            "message-only"
        } else {
            "top-level"
        },
    );
    let reason = loop {
        let m = msg::get_message(Filter::all()).context(|| "GetMessage failed".to_owned())?;
        if m.is_quit() {
            if let Some(reason) = state.stop.get() {
                break reason;
            }
            say(&format!(
                "{} posted: exit code {}",
                message_name(m.message),
                m.wparam as i32
            ));
            state.seen.set(state.seen.get() + 1);
            break "WM_QUIT";
        }
        match m.hwnd {
            Some(_) => {
                msg::dispatch_message(&m);
            }
            None => {
                say(&format!(
                    "{} posted to the thread: wParam {:#x}, lParam {:#x}",
                    message_name(m.message),
                    m.wparam,
                    m.lparam
                ));
                state.count();
            }
        }
    };
    state.stop.set(Some(reason));
    drop(window);
    let n = state.seen.get();
    eprintln!(
        "w32ipc: stopped ({reason}) after {n} message{}",
        if n == 1 { "" } else { "s" }
    );
    Ok(())
}

/// The window's procedure while listening.
fn handle(state: &State, hwnd: Hwnd, m: Message<'_>) -> isize {
    let how = if msg::in_send_message() {
        "sent"
    } else {
        "posted"
    };
    let (line, result) = match m {
        Message::CopyData(cd) => (
            format!(
                "{} {how}{}",
                message_name(WM_COPYDATA),
                describe_copy_data(&cd)
            ),
            cd.data.len() as isize,
        ),
        Message::Close => {
            say(&format!("{} {how}: closing", message_name(WM_CLOSE)));
            state.count();
            if !state.stopping() {
                state.stop.set(Some("WM_CLOSE"));
                msg::post_quit_message(0);
            }
            // As DefWindowProc does: WM_CLOSE destroys the window (at once, so that nobody
            // finds it any more).
            let _ = hwnd.destroy();
            return 0;
        }
        Message::Create => (format!("{} {how}", message_name(WM_CREATE)), 0),
        Message::Destroy => (format!("{} {how}", message_name(WM_DESTROY)), 0),
        Message::Other {
            message,
            wparam,
            lparam,
        } => (
            format!(
                "{} {how}: wParam {wparam:#x}, lParam {lparam:#x}",
                message_name(message)
            ),
            0,
        ),
        _ => ("an unknown message".to_owned(), 0),
    };
    if how == "sent" {
        say(&format!("{line}; answered {result}"));
    } else {
        say(&line);
    }
    state.count();
    result
}

/// ` by window 0x20002 (process 4242): action 1, 5 bytes "hello"`.
pub fn describe_copy_data(cd: &CopyData<'_>) -> String {
    let from = match cd.from {
        Some(w) => match w.thread_process_id() {
            Ok((_, pid)) => format!(" by window {} (process {pid})", hwnd_text(w)),
            Err(_) => format!(" by window {} (gone)", hwnd_text(w)),
        },
        None => String::new(),
    };
    format!("{from}: action {}, {}", cd.action, data_preview(cd.data))
}

/// How much text, or how many bytes in hex, a line shows.
const TEXT_MAX: usize = 200;
const HEX_MAX: usize = 16;

/// `5 bytes "hello"`, `3 bytes 00 ff 10`, `0 bytes`: the block as text when it is printable
/// (UTF-8 without control characters other than tab and line ends), else its first bytes in hex.
pub fn data_preview(data: &[u8]) -> String {
    let n = data.len();
    let count = format!("{n} byte{}", if n == 1 { "" } else { "s" });
    if data.is_empty() {
        return count;
    }
    if let Ok(text) = std::str::from_utf8(data)
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
    {
        let shown: String = text.chars().take(TEXT_MAX).collect();
        let cut = if shown.len() < text.len() { "…" } else { "" };
        return format!("{count} \"{}\"{cut}", one_line(&shown));
    }
    let hex: Vec<String> = data[..n.min(HEX_MAX)]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cut = if n > HEX_MAX { " …" } else { "" };
    format!("{count} {}{cut}", hex.join(" "))
}

/// One line to stdout, at once (someone may be waiting for it).
fn say(line: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews() {
        assert_eq!(data_preview(b""), "0 bytes");
        assert_eq!(data_preview(b"hello"), "5 bytes \"hello\"");
        assert_eq!(data_preview(b"a\nb"), "3 bytes \"a\\nb\"");
        assert_eq!(data_preview(&[0, 0xff, 0x10]), "3 bytes 00 ff 10");
        assert_eq!(data_preview(b"x"), "1 byte \"x\"");
        let long = vec![7u8; 40];
        assert!(
            data_preview(&long).ends_with("07 07 …"),
            "{}",
            data_preview(&long)
        );
        let text = "y".repeat(300);
        let p = data_preview(text.as_bytes());
        assert!(
            p.starts_with("300 bytes \"yyy") && p.ends_with("\"…"),
            "{p}"
        );
    }
}
