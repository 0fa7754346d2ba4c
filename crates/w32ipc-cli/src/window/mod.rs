//! `w32ipc window`: windows as IPC endpoints from the shell — a window that prints the
//! messages it gets (`listen`), `SendMessage`/`WM_COPYDATA` to a window found by class and title
//! (`send`), and the session's windows (`ls`).
//!
//! Failures are told in plain words with the Win32 name and code where Windows has one, and end
//! the process with an exit code from the one table (`crate::report`).

mod list;
mod listen;
mod send;

use w32ipc::msg::{
    Hwnd, Parent, WM_APP, WM_CLOSE, WM_COPYDATA, WM_CREATE, WM_DESTROY, WM_NCCREATE, WM_NCDESTROY,
    WM_NULL, WM_QUIT, WM_USER,
};

use crate::report::Failure;

/// The class `listen` creates and `send` looks for when none is given.
pub const DEFAULT_CLASS: &str = "W32ipcListener";
/// The title `listen` gives its window when none is given.
pub const DEFAULT_TITLE: &str = "w32ipc listen";

/// Options of `w32ipc window` (its help text is the doc comment of `Command::Window`).
#[derive(clap::Args)]
#[command(after_help = HELP, subcommand_required = true)]
pub struct Args {
    #[command(subcommand)]
    command: WindowCommand,
}

const HELP: &str = concat!(
    "Examples:
  w32ipc window listen &                        a window that prints what it gets
  w32ipc window send --data 'hello'             WM_COPYDATA to it; prints its answer (5)
  w32ipc window send --data @report.bin --action 2 --timeout 1000
  w32ipc window send --message WM_CLOSE         ask it to close
  w32ipc window ls                              the session's windows

",
    exit_codes!()
);

#[derive(clap::Subcommand)]
enum WindowCommand {
    // No doc comments here: each command's help is its `Args` struct's.
    Listen(listen::Args),
    Send(send::Args),
    Ls(list::Args),
}

/// Runs `w32ipc window …`.
pub fn run(args: &Args) -> Result<(), Failure> {
    match &args.command {
        WindowCommand::Listen(a) => listen::run(a),
        WindowCommand::Send(a) => send::run(a),
        WindowCommand::Ls(a) => list::run(a),
    }
}

/// `WM_COPYDATA (0x004a)`, `WM_USER+1 (0x0401)`, `0x0123`: a message number for people.
pub fn message_name(msg: u32) -> String {
    let known = match msg {
        WM_NULL => Some("WM_NULL"),
        WM_CREATE => Some("WM_CREATE"),
        WM_DESTROY => Some("WM_DESTROY"),
        WM_CLOSE => Some("WM_CLOSE"),
        WM_QUIT => Some("WM_QUIT"),
        WM_COPYDATA => Some("WM_COPYDATA"),
        WM_NCCREATE => Some("WM_NCCREATE"),
        WM_NCDESTROY => Some("WM_NCDESTROY"),
        _ => None,
    };
    match known {
        Some(name) => format!("{name} ({msg:#06x})"),
        None if msg == WM_USER => format!("WM_USER ({msg:#06x})"),
        None if (WM_USER + 1..WM_APP).contains(&msg) => {
            format!("WM_USER+{} ({msg:#06x})", msg - WM_USER)
        }
        None if msg == WM_APP => format!("WM_APP ({msg:#06x})"),
        None if (WM_APP + 1..0xC000).contains(&msg) => {
            format!("WM_APP+{} ({msg:#06x})", msg - WM_APP)
        }
        None if (0xC000..=0xFFFF).contains(&msg) => format!("registered message {msg:#06x}"),
        None => format!("message {msg:#06x}"),
    }
}

/// clap's parser for a message: `WM_CLOSE`, `WM_USER+1`, `WM_APP+5`, `1024` or `0x400`.
pub fn parse_message(s: &str) -> Result<u32, String> {
    let named = |name: &str| -> Option<u32> {
        Some(match name.to_ascii_uppercase().as_str() {
            "WM_NULL" => WM_NULL,
            "WM_CREATE" => WM_CREATE,
            "WM_DESTROY" => WM_DESTROY,
            "WM_CLOSE" => WM_CLOSE,
            "WM_QUIT" => WM_QUIT,
            "WM_COPYDATA" => WM_COPYDATA,
            "WM_USER" => WM_USER,
            "WM_APP" => WM_APP,
            _ => return None,
        })
    };
    let (base, plus) = match s.split_once('+') {
        Some((b, p)) => (b.trim(), Some(p.trim())),
        None => (s.trim(), None),
    };
    let base = match named(base) {
        Some(v) => v,
        None if plus.is_none() => {
            return parse_number(base).and_then(|v| {
                u32::try_from(v).map_err(|_| "a message number is 32-bit".to_owned())
            });
        }
        None => return Err(format!("unknown message {base:?}")),
    };
    let offset = match plus {
        Some(p) => u32::try_from(parse_number(p)?).map_err(|_| "offset too large".to_owned())?,
        None => 0,
    };
    base.checked_add(offset)
        .ok_or_else(|| "message number too large".to_owned())
}

/// clap's parser for a number: decimal or `0x` hex.
pub fn parse_number(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("expected a number (decimal or 0x hex), not {s:?}"))
}

/// `top-level` or `message-only`.
fn kind(parent: Parent) -> &'static str {
    match parent {
        Parent::Desktop => "top-level",
        Parent::Message => "message-only",
    }
}

/// `0x10001`.
fn hwnd_text(h: Hwnd) -> String {
    format!("{:#x}", h.raw())
}

/// A string for one line: control characters escaped.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let shown: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_both_ways() {
        assert_eq!(message_name(WM_COPYDATA), "WM_COPYDATA (0x004a)");
        assert_eq!(message_name(WM_USER + 1), "WM_USER+1 (0x0401)");
        assert_eq!(message_name(WM_APP), "WM_APP (0x8000)");
        assert_eq!(message_name(0xC001), "registered message 0xc001");
        assert_eq!(message_name(0x123), "message 0x0123");
        assert_eq!(parse_message("WM_CLOSE"), Ok(WM_CLOSE));
        assert_eq!(parse_message("wm_user+2"), Ok(WM_USER + 2));
        assert_eq!(parse_message("WM_APP + 0x10"), Ok(WM_APP + 16));
        assert_eq!(parse_message("1024"), Ok(1024));
        assert_eq!(parse_message("0x8001"), Ok(0x8001));
        assert!(parse_message("WM_PAINTX").is_err());
        assert!(parse_message("WM_FOO+1").is_err());
        assert!(parse_message("0x100000000").is_err());
    }

    #[test]
    fn one_line_escapes() {
        assert_eq!(one_line("a\nb\tc"), "a\\nb\\tc");
    }
}
