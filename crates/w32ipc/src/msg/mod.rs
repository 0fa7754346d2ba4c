//! Message queues, windows and `WM_COPYDATA`, between threads and processes.
//!
//! Every thread that uses messages has a queue, made on first use. Posted messages
//! ([`post_thread_message`], [`Hwnd::post`]) wait in it until the thread takes them with
//! [`get_message`] or [`peek_message`]. Windows are endpoints owned by a thread (nothing is
//! drawn): a [`Window`] has a class name, a title and a procedure, and any process of the
//! session finds it with [`find_window`] / [`find_window_ex`] and addresses it by its
//! [`Hwnd`], which means the same window in every process.
//!
//! [`Hwnd::send`] is synchronous, as `SendMessage` is: to another thread or process it waits
//! until the window's procedure has run *on the window's own thread* — which happens only while
//! that thread is inside [`get_message`], [`peek_message`], [`wait_message`] or a send of its
//! own — and returns the procedure's result. A thread waiting in a send still serves messages
//! sent to it, so two processes sending to each other do not deadlock. A send to a window whose
//! thread or process has ended fails at once with `ERROR_INVALID_WINDOW_HANDLE`.
//!
//! [`Hwnd::send_copy_data`] is `WM_COPYDATA`: the bytes are copied once, into memory the
//! receiver reads in place, and the receiver's handler gets them as a [`CopyData`] whose
//! `data: &[u8]` lives only as long as the call — keeping them means copying them.
//! Integers pass unchanged between processes; no other pointer is translated.
//!
//! ```
//! use w32ipc::msg::{self, Message, Window};
//!
//! # fn main() -> std::io::Result<()> {
//! let class = format!("DocExample{}", std::process::id());
//! let window = Window::builder(&class).title("receiver").create(|_hwnd, m: Message<'_>| {
//!     match m {
//!         Message::CopyData(cd) => cd.data.iter().map(|&b| b as isize).sum(),
//!         _ => 0,
//!     }
//! })?;
//! // From another thread or process of the session: find it and send it a block.
//! let found = msg::find_window(Some(&class), Some("receiver")).expect("found");
//! assert_eq!(found, window.hwnd());
//! let sum = found.send_copy_data(None, 7, &[1, 2, 3])?;
//! assert_eq!(sum, 6);
//! # Ok(())
//! # }
//! ```

mod hwnd;
mod peer;
mod pump;
mod queue;
mod send;
mod typed;
mod wait;
mod window;

use std::io;

pub use hwnd::{Hwnd, send_raw};
pub use pump::{
    current_thread_id, dispatch_message, get_message, in_send_message, in_send_message_ex,
    peek_message, post_message, post_quit_message, post_thread_message, reply_message,
    run_message_loop, tick_count, wait_message,
};
pub use typed::{CopyData, Message, Window, WindowBuilder, WindowProc};
pub use wait::{
    MsgWait, QS_ALLINPUT, QS_ALLPOSTMESSAGE, QS_POSTMESSAGE, QS_SENDMESSAGE,
    wait_objects_or_messages,
};
pub use window::{RawProc, def_window_proc};

use crate::error::{ERROR_INVALID_PARAMETER, win32};
use crate::sys;

/// `WM_NULL`.
pub const WM_NULL: u32 = 0x0000;
/// `WM_CREATE`: sent to a new window before `CreateWindowEx` returns.
pub const WM_CREATE: u32 = 0x0001;
/// `WM_DESTROY`: sent by `DestroyWindow`.
pub const WM_DESTROY: u32 = 0x0002;
/// `WM_CLOSE`: `DefWindowProc` destroys the window.
pub const WM_CLOSE: u32 = 0x0010;
/// `WM_QUIT`: ends a message loop; `GetMessage` returns 0 for it.
pub const WM_QUIT: u32 = 0x0012;
/// `WM_COPYDATA`: a block of bytes copied into the receiver; send only.
pub const WM_COPYDATA: u32 = 0x004A;
/// `WM_NCCREATE`.
pub const WM_NCCREATE: u32 = 0x0081;
/// `WM_NCDESTROY`: the last message a window gets.
pub const WM_NCDESTROY: u32 = 0x0082;
/// `WM_USER`: the first message number private to a window class.
pub const WM_USER: u32 = 0x0400;
/// `WM_APP`: the first message number private to an application.
pub const WM_APP: u32 = 0x8000;

/// `WM_COPYDATA`'s `lParam`: `COPYDATASTRUCT`, with the Windows x64 layout.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CopyDataStruct {
    /// `dwData`: a value of the sender's choice (often an action code).
    pub dw_data: usize,
    /// `cbData`: the length of the block.
    pub cb_data: u32,
    /// `lpData`: the block (NULL when `cb_data` is 0 and the sender passed NULL).
    pub lp_data: *mut std::ffi::c_void,
}

/// A message taken from a queue (`MSG`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    /// The window it was posted to; `None` for a thread message.
    pub hwnd: Option<Hwnd>,
    /// The message number.
    pub message: u32,
    /// `wParam`.
    pub wparam: usize,
    /// `lParam`.
    pub lparam: isize,
    /// When it was posted (milliseconds since boot, `GetTickCount`).
    pub time: u32,
}

impl Msg {
    /// Whether it is `WM_QUIT` (`GetMessage` returns 0 for it; its `wparam` is the exit code).
    pub fn is_quit(&self) -> bool {
        self.message == WM_QUIT
    }
}

/// Which posted messages a `GetMessage`/`PeekMessage` takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Whose messages.
    pub window: WindowFilter,
    /// The lowest message number taken (with `max`, 0 and 0 take all).
    pub min: u32,
    /// The highest message number taken.
    pub max: u32,
}

/// The window part of a [`Filter`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WindowFilter {
    /// Messages for any window of the thread and thread messages (`hWnd` NULL).
    #[default]
    Any,
    /// Messages for this window only.
    Window(Hwnd),
    /// Thread messages only (`hWnd` = -1).
    ThreadOnly,
}

impl Filter {
    /// Every message.
    pub const fn all() -> Filter {
        Filter {
            window: WindowFilter::Any,
            min: 0,
            max: 0,
        }
    }

    /// Messages numbered `min..=max`. The quit flag (`PostQuitMessage`) always passes; a
    /// `WM_QUIT` posted as a message passes only its range, as Wine shows.
    pub const fn range(min: u32, max: u32) -> Filter {
        Filter {
            window: WindowFilter::Any,
            min,
            max,
        }
    }

    /// Messages for `hwnd` only.
    pub const fn window(hwnd: Hwnd) -> Filter {
        Filter {
            window: WindowFilter::Window(hwnd),
            min: 0,
            max: 0,
        }
    }
}

/// `SendMessageTimeout` flags (`SMTO_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendFlags(u32);

impl SendFlags {
    /// `SMTO_NORMAL`: serve messages sent to the caller while it waits.
    pub const NORMAL: SendFlags = SendFlags(0);
    /// `SMTO_BLOCK`: serve nothing while waiting.
    pub const BLOCK: SendFlags = SendFlags(send::SMTO_BLOCK);
    /// `SMTO_ABORTIFHUNG`: fail at once if the receiver has not looked at its queue for 5 s.
    pub const ABORT_IF_HUNG: SendFlags = SendFlags(send::SMTO_ABORTIFHUNG);
    /// `SMTO_NOTIMEOUTIFNOTHUNG`: the time-out counts only while the receiver is hung.
    pub const NO_TIMEOUT_IF_NOT_HUNG: SendFlags = SendFlags(send::SMTO_NOTIMEOUTIFNOTHUNG);
    /// `SMTO_ERRORONEXIT`: fail if the receiver ends (always the case here).
    pub const ERROR_ON_EXIT: SendFlags = SendFlags(0x20);

    /// The flags as `SMTO_*` bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Flags from `SMTO_*` bits (unknown bits make the send fail with 87).
    pub const fn from_bits(bits: u32) -> SendFlags {
        SendFlags(bits)
    }
}

impl std::ops::BitOr for SendFlags {
    type Output = SendFlags;
    fn bitor(self, rhs: SendFlags) -> SendFlags {
        SendFlags(self.0 | rhs.0)
    }
}

/// Where [`find_window_ex`] looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// Top-level windows (`FindWindow`, `FindWindowEx(NULL, …)`).
    Desktop,
    /// Message-only windows (`FindWindowEx(HWND_MESSAGE, …)`).
    Message,
}

/// The session-wide message number for `name` (`RegisterWindowMessage`): the same in every
/// process, from 0xC000 up; names compare without case.
///
/// # Errors
/// `ERROR_INVALID_PARAMETER` for an empty name; `ERROR_NOT_ENOUGH_MEMORY` when the table is
/// full.
///
/// ```
/// let a = w32ipc::msg::register_window_message("w32ipc-doc-example")?;
/// assert!(a >= 0xC000);
/// assert_eq!(w32ipc::msg::register_window_message("W32IPC-DOC-EXAMPLE")?, a);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "RegisterWindowMessageW")]
pub fn register_window_message(name: &str) -> io::Result<u32> {
    let w: Vec<u16> = name.encode_utf16().collect();
    register_window_message_w(&w)
}

/// [`register_window_message`] with a UTF-16 name.
///
/// # Errors
/// As [`register_window_message`].
#[doc(hidden)]
pub fn register_window_message_w(name: &[u16]) -> io::Result<u32> {
    if name.is_empty() {
        return Err(win32(ERROR_INVALID_PARAMETER));
    }
    sys::wintable::table()?.atom(name)
}

/// Finds a top-level window by class name and/or title, ignoring case (`FindWindow`).
/// Message-only windows are found with [`find_window_ex`] and [`Parent::Message`].
#[doc(alias = "FindWindowW")]
pub fn find_window(class: Option<&str>, title: Option<&str>) -> Option<Hwnd> {
    find_window_ex(Parent::Desktop, None, class, title)
}

/// Finds the next window after `after` under `parent` whose class and title match
/// (`FindWindowEx`); repeat with the last one found to enumerate.
///
/// ```
/// use w32ipc::msg::{self, Message, Parent, Window};
///
/// let class = format!("FindExample{}", std::process::id());
/// let make = |title: &str| {
///     Window::builder(&class).title(title).message_only(true).create(|_h, _m: Message<'_>| 0)
/// };
/// let (a, b) = (make("one")?, make("two")?);
/// let mut found = msg::windows(Parent::Message, Some(&class), None);
/// found.sort();
/// let mut want = vec![a.hwnd(), b.hwnd()];
/// want.sort();
/// assert_eq!(found, want);
/// assert_eq!(msg::find_window_ex(Parent::Message, None, Some(&class), Some("TWO")), Some(b.hwnd()));
/// assert_eq!(msg::find_window(Some(&class), None), None); // message-only: not top-level
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "FindWindowExW")]
pub fn find_window_ex(
    parent: Parent,
    after: Option<Hwnd>,
    class: Option<&str>,
    title: Option<&str>,
) -> Option<Hwnd> {
    let c: Option<Vec<u16>> = class.map(|s| s.encode_utf16().collect());
    let t: Option<Vec<u16>> = title.map(|s| s.encode_utf16().collect());
    find_window_ex_w(parent, after, c.as_deref(), t.as_deref())
}

/// [`find_window_ex`] with UTF-16 names.
#[doc(hidden)]
pub fn find_window_ex_w(
    parent: Parent,
    after: Option<Hwnd>,
    class: Option<&[u16]>,
    title: Option<&[u16]>,
) -> Option<Hwnd> {
    window::find(parent == Parent::Message, after, class, title)
}

/// Every window under `parent` whose class and title match, in the session's table order.
pub fn windows(parent: Parent, class: Option<&str>, title: Option<&str>) -> Vec<Hwnd> {
    let c: Option<Vec<u16>> = class.map(|s| s.encode_utf16().collect());
    let t: Option<Vec<u16>> = title.map(|s| s.encode_utf16().collect());
    let mut out = Vec::new();
    let mut after = None;
    while let Some(h) = find_window_ex_w(parent, after, c.as_deref(), t.as_deref()) {
        out.push(h);
        after = Some(h);
    }
    out
}

/// Creates a window with a raw procedure (the C ABI's `CreateWindowEx`); the caller sends
/// `WM_NCCREATE`/`WM_CREATE` itself.
///
/// # Errors
/// `ERROR_NOT_ENOUGH_MEMORY` when the session's window table is full.
#[doc(hidden)]
pub fn create_window_raw(
    class: &[u16],
    title: &[u16],
    message_only: bool,
    extra_bytes: usize,
    proc_: RawProc,
) -> io::Result<Hwnd> {
    window::create_raw(class, title, message_only, extra_bytes, proc_)
}
