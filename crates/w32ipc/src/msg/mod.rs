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

mod peer;
mod queue;
mod send;
mod typed;
mod wait;
mod window;

use std::fmt;
use std::io;
use std::num::NonZeroUsize;
use std::time::Duration;

pub use typed::{CopyData, Message, Window, WindowBuilder, WindowProc};
pub use wait::{
    MsgWait, QS_ALLINPUT, QS_ALLPOSTMESSAGE, QS_POSTMESSAGE, QS_SENDMESSAGE,
    wait_objects_or_messages,
};
pub use window::{RawProc, def_window_proc};

use crate::error::{ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE, win32};
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

/// A window handle (`HWND`): names the same window in every process of the session.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hwnd(NonZeroUsize);

impl fmt::Debug for Hwnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hwnd({:#x})", self.0)
    }
}

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

    /// Messages numbered `min..=max` (`WM_QUIT` always passes).
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

impl Hwnd {
    /// The handle with value `v` (as an `HWND` is in C); `None` for 0.
    pub fn from_raw(v: usize) -> Option<Hwnd> {
        NonZeroUsize::new(v).map(Hwnd)
    }

    /// The handle's value.
    pub fn raw(self) -> usize {
        self.0.get()
    }

    /// Whether the handle names a live window (`IsWindow`).
    #[doc(alias = "IsWindow")]
    pub fn is_window(self) -> bool {
        window::info(self, false).is_some()
    }

    /// The ids of the thread and process that own the window (`GetWindowThreadProcessId`).
    ///
    /// # Errors
    /// `ERROR_INVALID_WINDOW_HANDLE`.
    #[doc(alias = "GetWindowThreadProcessId")]
    pub fn thread_process_id(self) -> io::Result<(u32, u32)> {
        let i = window::info(self, false).ok_or_else(|| win32(ERROR_INVALID_WINDOW_HANDLE))?;
        Ok((i.tid, i.pid))
    }

    /// The window's class name (`GetClassName`).
    #[doc(alias = "GetClassNameW")]
    pub fn class_name(self) -> io::Result<String> {
        let i = window::info(self, true).ok_or_else(|| win32(ERROR_INVALID_WINDOW_HANDLE))?;
        Ok(String::from_utf16_lossy(&i.class))
    }

    /// The window's title (`GetWindowText`).
    #[doc(alias = "GetWindowTextW")]
    pub fn title(self) -> io::Result<String> {
        let i = window::info(self, true).ok_or_else(|| win32(ERROR_INVALID_WINDOW_HANDLE))?;
        Ok(String::from_utf16_lossy(&i.title))
    }

    /// Sends a message and waits for the procedure's result (`SendMessage`).
    ///
    /// # Errors
    /// `ERROR_INVALID_WINDOW_HANDLE` when the window is gone (also when its thread or process
    /// ends during the send); `ERROR_INVALID_PARAMETER` for `WM_COPYDATA` (use
    /// [`Hwnd::send_copy_data`]).
    ///
    /// ```
    /// use w32ipc::msg::{Message, WM_USER, Window};
    ///
    /// let w = Window::builder("SendExample").create(|_h, m: Message<'_>| match m {
    ///     Message::Other { message: WM_USER, wparam, .. } => wparam as isize * 2,
    ///     _ => 0,
    /// })?;
    /// // From this thread the procedure is called directly; from another thread or process,
    /// // it runs on this thread inside its next GetMessage/PeekMessage.
    /// assert_eq!(w.hwnd().send(WM_USER, 21, 0)?, 42);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[doc(alias = "SendMessageW")]
    pub fn send(self, message: u32, wparam: usize, lparam: isize) -> io::Result<isize> {
        if message == WM_COPYDATA {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        send::send(self, message, wparam, lparam, None, send::How::default())
    }

    /// Sends a message, giving up after `timeout` (`SendMessageTimeout`).
    ///
    /// # Errors
    /// As [`Hwnd::send`], and `ERROR_TIMEOUT` (1460) when time ran out or, with
    /// [`SendFlags::ABORT_IF_HUNG`], the receiver is hung. As on Windows, a message the
    /// receiver had not started when time ran out is never delivered; one it had started runs
    /// to its end and its result is dropped.
    #[doc(alias = "SendMessageTimeoutW")]
    pub fn send_timeout(
        self,
        message: u32,
        wparam: usize,
        lparam: isize,
        flags: SendFlags,
        timeout: Duration,
    ) -> io::Result<isize> {
        if message == WM_COPYDATA {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        let how = send::How {
            timeout: Some(timeout),
            flags: flags.0,
            notify: false,
        };
        send::send(self, message, wparam, lparam, None, how)
    }

    /// Sends a message without waiting for it to be handled (`SendNotifyMessage`); to a window
    /// of the calling thread, it is handled before this returns.
    ///
    /// # Errors
    /// `ERROR_INVALID_WINDOW_HANDLE`; `ERROR_MESSAGE_SYNC_ONLY` for `WM_COPYDATA`.
    #[doc(alias = "SendNotifyMessageW")]
    pub fn send_notify(self, message: u32, wparam: usize, lparam: isize) -> io::Result<()> {
        if message == WM_COPYDATA {
            return Err(win32(crate::error::ERROR_MESSAGE_SYNC_ONLY));
        }
        let how = send::How {
            notify: true,
            ..send::How::default()
        };
        send::send(self, message, wparam, lparam, None, how).map(|_| ())
    }

    /// Queues a message for the window and returns at once (`PostMessage`).
    ///
    /// # Errors
    /// `ERROR_INVALID_WINDOW_HANDLE`; `ERROR_MESSAGE_SYNC_ONLY` for `WM_COPYDATA`;
    /// `ERROR_NOT_ENOUGH_QUOTA` when the queue holds 10 000 messages.
    #[doc(alias = "PostMessageW")]
    pub fn post(self, message: u32, wparam: usize, lparam: isize) -> io::Result<()> {
        send::post(Some(self), message, wparam, lparam)
    }

    /// Sends `WM_COPYDATA`: `data` is copied once into memory the receiver reads in place;
    /// `action` arrives as `dwData`, `from` as `wParam`. Returns the receiver's result.
    ///
    /// # Errors
    /// As [`Hwnd::send`]; `ERROR_NOT_ENOUGH_MEMORY` for blocks over 2 GiB.
    #[doc(alias = "WM_COPYDATA")]
    pub fn send_copy_data(
        self,
        from: Option<Hwnd>,
        action: usize,
        data: &[u8],
    ) -> io::Result<isize> {
        let block = send::Block {
            dw_data: action,
            data: Some(data),
        };
        send::send(
            self,
            WM_COPYDATA,
            from.map_or(0, Hwnd::raw),
            0,
            Some(block),
            send::How::default(),
        )
    }

    /// [`Hwnd::send_copy_data`] with a time-out, as `SendMessageTimeout(WM_COPYDATA)`.
    ///
    /// # Errors
    /// As [`Hwnd::send_timeout`].
    pub fn send_copy_data_timeout(
        self,
        from: Option<Hwnd>,
        action: usize,
        data: &[u8],
        flags: SendFlags,
        timeout: Duration,
    ) -> io::Result<isize> {
        let block = send::Block {
            dw_data: action,
            data: Some(data),
        };
        let how = send::How {
            timeout: Some(timeout),
            flags: flags.0,
            notify: false,
        };
        send::send(
            self,
            WM_COPYDATA,
            from.map_or(0, Hwnd::raw),
            0,
            Some(block),
            how,
        )
    }

    /// Destroys the window (`DestroyWindow`): its procedure gets `WM_DESTROY` and
    /// `WM_NCDESTROY`, then the handle is invalid everywhere.
    ///
    /// # Errors
    /// `ERROR_ACCESS_DENIED` from another thread; `ERROR_INVALID_WINDOW_HANDLE`.
    #[doc(alias = "DestroyWindow")]
    pub fn destroy(self) -> io::Result<()> {
        window::destroy(self)
    }

    /// The window's user data (`GetWindowLongPtr(GWLP_USERDATA)`; this process's windows).
    ///
    /// # Errors
    /// `ERROR_INVALID_WINDOW_HANDLE`; `ERROR_ACCESS_DENIED` for another process's window.
    #[doc(alias = "GetWindowLongPtrW")]
    pub fn user_data(self) -> io::Result<isize> {
        let l = window::local(self).ok_or_else(|| win32(window::invalid_or_denied(self)))?;
        Ok(l.user_data.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Sets the window's user data; returns the previous value
    /// (`SetWindowLongPtr(GWLP_USERDATA)`).
    ///
    /// # Errors
    /// As [`Hwnd::user_data`].
    #[doc(alias = "SetWindowLongPtrW")]
    pub fn set_user_data(self, value: isize) -> io::Result<isize> {
        let l = window::local(self).ok_or_else(|| win32(window::invalid_or_denied(self)))?;
        Ok(l.user_data.swap(value, std::sync::atomic::Ordering::SeqCst))
    }

    /// Reads `size` (4 or 8) of the window's extra bytes at `index` (`cbWndExtra`).
    ///
    /// # Errors
    /// `ERROR_INVALID_INDEX` past the extra bytes.
    #[doc(hidden)]
    pub fn extra(self, index: usize, size: usize) -> io::Result<u64> {
        window::extra_get(self, index, size)
    }

    /// Writes `size` of the window's extra bytes at `index`; returns the old value.
    ///
    /// # Errors
    /// `ERROR_INVALID_INDEX` past the extra bytes.
    #[doc(hidden)]
    pub fn set_extra(self, index: usize, size: usize, value: u64) -> io::Result<u64> {
        window::extra_set(self, index, size, value)
    }
}

/// Sends with the C calling convention's parameters (the C ABI's `SendMessage*`). For
/// `WM_COPYDATA`, `lparam` is read as a `COPYDATASTRUCT` and its block copied.
///
/// # Safety
/// For `WM_COPYDATA`, `lparam` is 0 or points to a valid `COPYDATASTRUCT` whose `lp_data` is
/// NULL or valid for `cb_data` bytes.
#[doc(hidden)]
pub unsafe fn send_raw(
    hwnd: Hwnd,
    message: u32,
    wparam: usize,
    lparam: isize,
    flags: u32,
    timeout: Option<Duration>,
    notify: bool,
) -> io::Result<isize> {
    let how = send::How {
        timeout,
        flags,
        notify,
    };
    if message != WM_COPYDATA {
        return send::send(hwnd, message, wparam, lparam, None, how);
    }
    if notify {
        return Err(win32(crate::error::ERROR_MESSAGE_SYNC_ONLY));
    }
    let block = if lparam == 0 {
        send::Block {
            dw_data: 0,
            data: None,
        }
    } else {
        // SAFETY: per the caller, lparam points to a valid COPYDATASTRUCT.
        let cds = unsafe { *(lparam as *const CopyDataStruct) };
        let data = if cds.lp_data.is_null() {
            if cds.cb_data != 0 {
                return Err(win32(crate::error::ERROR_NOACCESS));
            }
            None
        } else {
            // SAFETY: per the caller, lp_data is valid for cb_data bytes.
            Some(unsafe {
                std::slice::from_raw_parts(cds.lp_data.cast::<u8>(), cds.cb_data as usize)
            })
        };
        send::Block {
            dw_data: cds.dw_data,
            data,
        }
    };
    send::send(hwnd, message, wparam, 0, Some(block), how)
}

/// Milliseconds since the system started (`GetTickCount64`); a message's [`Msg::time`] is its
/// low 32 bits (`GetTickCount`).
#[doc(alias = "GetTickCount64")]
#[doc(alias = "GetTickCount")]
pub fn tick_count() -> u64 {
    sys::msgq::tick_count()
}

/// The calling thread's id (`GetCurrentThreadId`), as [`post_thread_message`] takes it.
pub fn current_thread_id() -> u32 {
    sys::process::current_thread_id()
}

/// Queues a message for thread `tid` (`PostThreadMessage`).
///
/// # Errors
/// `ERROR_INVALID_THREAD_ID` when the thread has no message queue (it never used messages) or
/// has ended; `ERROR_MESSAGE_SYNC_ONLY` for `WM_COPYDATA`; `ERROR_NOT_ENOUGH_QUOTA` when its
/// queue holds 10 000 messages.
///
/// ```
/// use w32ipc::msg::{self, Filter, WM_APP};
///
/// let me = msg::current_thread_id();
/// msg::peek_message(Filter::all(), false)?; // the thread's queue exists from its first use
/// msg::post_thread_message(me, WM_APP + 1, 7, -7)?;
/// let m = msg::get_message(Filter::all())?;
/// assert_eq!((m.message, m.wparam, m.lparam), (WM_APP + 1, 7, -7));
/// assert!(m.hwnd.is_none()); // a thread message
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "PostThreadMessageW")]
pub fn post_thread_message(tid: u32, message: u32, wparam: usize, lparam: isize) -> io::Result<()> {
    send::post_thread(tid, message, wparam, lparam)
}

/// `PostMessage` with a possibly-NULL window: `None` posts a thread message to the caller.
///
/// # Errors
/// As [`Hwnd::post`].
#[doc(hidden)]
pub fn post_message(
    hwnd: Option<Hwnd>,
    message: u32,
    wparam: usize,
    lparam: isize,
) -> io::Result<()> {
    send::post(hwnd, message, wparam, lparam)
}

/// Takes the next message that passes `filter`, waiting for one (`GetMessage`); serves sent
/// messages meanwhile. `WM_QUIT` is returned like any message: check [`Msg::is_quit`].
///
/// # Errors
/// Only when the queue cannot be made (resources).
#[doc(alias = "GetMessageW")]
pub fn get_message(filter: Filter) -> io::Result<Msg> {
    let st = queue::state()?;
    loop {
        let seq = st.wake_seq();
        st.pump(true);
        if let Some(m) = st.take_posted(&filter, true) {
            return Ok(m);
        }
        // Just exchanged with a thread on another CPU: its next message often follows at once.
        if st.spin_if_hot(seq) {
            continue;
        }
        st.sleep(seq, None, None)?;
    }
}

/// Looks for a message that passes `filter` without waiting (`PeekMessage`); serves sent
/// messages first. `remove`: take it off the queue (`PM_REMOVE`).
///
/// # Errors
/// Only when the queue cannot be made (resources).
#[doc(alias = "PeekMessageW")]
pub fn peek_message(filter: Filter, remove: bool) -> io::Result<Option<Msg>> {
    let st = queue::state()?;
    st.pump(true);
    Ok(st.take_posted(&filter, remove))
}

/// Calls the procedure of the message's window (`DispatchMessage`); 0 for a thread message or
/// a window of another thread.
#[doc(alias = "DispatchMessageW")]
pub fn dispatch_message(msg: &Msg) -> isize {
    match msg.hwnd {
        Some(h) if window::is_own(h, sys::process::current_thread_id()) => {
            window::call_local(h, msg.message, msg.wparam, msg.lparam)
        }
        _ => 0,
    }
}

/// Asks the calling thread's message loop to end (`PostQuitMessage`): once no posted message
/// is left, `GetMessage` returns `WM_QUIT` with `code`.
///
/// ```
/// use w32ipc::msg::{self, Filter, WM_USER};
///
/// msg::post_quit_message(3);
/// msg::post_thread_message(msg::current_thread_id(), WM_USER, 1, 0)?;
/// assert_eq!(msg::get_message(Filter::all())?.message, WM_USER); // posted messages first
/// let quit = msg::get_message(Filter::all())?;
/// assert!(quit.is_quit() && quit.wparam == 3);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "PostQuitMessage")]
pub fn post_quit_message(code: i32) {
    if let Ok(st) = queue::state() {
        st.set_quit(code);
        st.q.ring();
    }
}

/// Waits until a message arrives that the caller has not seen yet (`WaitMessage`); serves sent
/// messages meanwhile.
///
/// # Errors
/// Only when the queue cannot be made (resources).
#[doc(alias = "WaitMessage")]
pub fn wait_message() -> io::Result<()> {
    let st = queue::state()?;
    loop {
        let seq = st.wake_seq();
        st.pump(true);
        if st.has_posted(true) {
            return Ok(());
        }
        st.sleep(seq, None, None)?;
    }
}

/// Whether the procedure running now handles a message sent from another thread
/// (`InSendMessage`).
#[doc(alias = "InSendMessage")]
pub fn in_send_message() -> bool {
    queue::current().is_some_and(|s| s.incoming.borrow().last().is_some_and(|i| i.sent))
}

/// How the message the procedure handles now was sent (`InSendMessageEx`): 0 (`ISMEX_NOSEND`)
/// unless from another thread; then `ISMEX_SEND` (1), plus `ISMEX_REPLIED` (8) once
/// [`reply_message`] answered it, or `ISMEX_NOTIFY` (2) for `SendNotifyMessage`.
#[doc(alias = "InSendMessageEx")]
pub fn in_send_message_ex() -> u32 {
    const ISMEX_SEND: u32 = 1;
    const ISMEX_NOTIFY: u32 = 2;
    const ISMEX_REPLIED: u32 = 8;
    let Some(st) = queue::current() else {
        return 0;
    };
    let inc = st.incoming.borrow();
    match inc.last() {
        Some(i) if i.sent && i.notify => ISMEX_NOTIFY,
        Some(i) if i.sent && i.reply_to.is_none() => ISMEX_SEND | ISMEX_REPLIED,
        Some(i) if i.sent => ISMEX_SEND,
        _ => 0,
    }
}

/// Answers the message sent from another thread that is being handled now, so its sender goes
/// on with `result` while the handler still runs (`ReplyMessage`). `false` when the current
/// message was not sent from another thread.
#[doc(alias = "ReplyMessage")]
pub fn reply_message(result: isize) -> bool {
    let Some(st) = queue::current() else {
        return false;
    };
    let mut inc = st.incoming.borrow_mut();
    let Some(top) = inc.last_mut() else {
        return false;
    };
    if !top.sent {
        return false;
    }
    if let Some((p, serial)) = top.reply_to.take() {
        queue::reply(&p, serial, result, 0);
    }
    true
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

/// Runs the calling thread's message loop (`GetMessage` / `TranslateMessage` /
/// `DispatchMessage`) until `WM_QUIT`; returns its exit code.
///
/// # Errors
/// As [`get_message`].
pub fn run_message_loop() -> io::Result<i32> {
    loop {
        let m = get_message(Filter::all())?;
        if m.is_quit() {
            return Ok(m.wparam as i32);
        }
        dispatch_message(&m);
    }
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
