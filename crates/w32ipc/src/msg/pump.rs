//! The calling thread's side of messages: posting to threads, taking messages from its queue
//! (serving sent ones meanwhile), dispatching them, and the state of the message being handled.

use std::io;

use super::{Filter, Hwnd, Msg, queue, send, window};
use crate::sys;

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
