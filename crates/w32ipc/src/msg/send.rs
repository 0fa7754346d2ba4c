//! The sending side: `SendMessage` (and its time-out and notify forms) and `PostMessage` /
//! `PostThreadMessage`.
//!
//! A send to another thread puts a control entry in the target's queue (a `WM_COPYDATA` block
//! goes into the sender's outbox first: the one copy) and waits on the sender's own queue for
//! the reply — serving messages sent to it meanwhile, so that two threads sending to each other
//! never deadlock — until the reply comes, the target thread dies, or time runs out.

use std::io;
use std::time::{Duration, Instant};

use super::peer;
use super::queue::{self, F_COPYDATA, F_HAD_PTR, NOTIFY, SEND};
use super::{CopyDataStruct, Hwnd, WM_COPYDATA, window};
use crate::error::{
    ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE, ERROR_MESSAGE_SYNC_ONLY,
    ERROR_NOT_ENOUGH_QUOTA, ERROR_TIMEOUT, Win32ErrorExt, win32,
};
use crate::sys;
use crate::sys::msgq::{CtlEntry, PostEntry, Push};

/// How many posted messages a queue holds before `PostMessage` fails (Windows' default
/// `USERPostMessageLimit`).
pub(crate) const POST_LIMIT: u32 = 10_000;

/// "No time-out" as a deadline.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 86400);

/// `SendMessageTimeout` flags.
pub(crate) const SMTO_BLOCK: u32 = 0x1;
pub(crate) const SMTO_ABORTIFHUNG: u32 = 0x2;
pub(crate) const SMTO_NOTIMEOUTIFNOTHUNG: u32 = 0x8;
const SMTO_KNOWN: u32 = 0x1 | 0x2 | 0x8 | 0x20;

/// A `WM_COPYDATA` block to send: `dwData`, and the bytes (`None`: `lpData` was NULL).
pub(crate) struct Block<'a> {
    pub(crate) dw_data: usize,
    pub(crate) data: Option<&'a [u8]>,
}

/// How to send.
#[derive(Clone, Copy, Default)]
pub(crate) struct How {
    pub(crate) timeout: Option<Duration>,
    pub(crate) flags: u32,
    pub(crate) notify: bool,
}

/// Sends `msg` to `hwnd` and returns the procedure's result (or, for `notify`, 1 once queued).
pub(crate) fn send(
    hwnd: Hwnd,
    msg: u32,
    wparam: usize,
    lparam: isize,
    block: Option<Block<'_>>,
    how: How,
) -> io::Result<isize> {
    if how.flags & !SMTO_KNOWN != 0 {
        return Err(win32(ERROR_INVALID_PARAMETER));
    }
    let info = window::info_fast(hwnd).ok_or_else(|| win32(ERROR_INVALID_WINDOW_HANDLE))?;
    let me = sys::process::current_thread_id();
    if info.pid == sys::process::current_pid() && info.tid == me {
        // The window's own thread: a plain call.
        return Ok(match &block {
            Some(b) => {
                let mut cds = CopyDataStruct {
                    dw_data: b.dw_data,
                    cb_data: b.data.map_or(0, |d| d.len() as u32),
                    lp_data: b
                        .data
                        .map_or(std::ptr::null_mut(), |d| d.as_ptr().cast_mut().cast()),
                };
                window::call_local(hwnd, msg, wparam, std::ptr::addr_of_mut!(cds) as isize)
            }
            None => window::call_local(hwnd, msg, wparam, lparam),
        });
    }
    let st = queue::state()?;
    let target =
        peer::get(info.tid, Some(info.nonce)).map_err(|_| win32(ERROR_INVALID_WINDOW_HANDLE))?;
    if !target.alive() {
        return Err(win32(ERROR_INVALID_WINDOW_HANDLE));
    }
    if how.flags & SMTO_ABORTIFHUNG != 0 && target.hung() {
        return Err(win32(ERROR_TIMEOUT));
    }
    let mut e = CtlEntry {
        kind: if how.notify { NOTIFY } else { SEND },
        hwnd: hwnd.raw() as u32,
        msg,
        wparam: wparam as u64,
        lparam: lparam as u64,
        from_tid: st.tid,
        from_nonce: st.nonce,
        ..CtlEntry::default()
    };
    let mut pushed_at = None;
    if let Some(b) = &block {
        e.flags = F_COPYDATA;
        e.lparam = b.dw_data as u64;
        if let Some(d) = b.data {
            e.flags |= F_HAD_PTR;
            e.payload_len = u32::try_from(d.len()).map_err(|_| win32(ERROR_INVALID_PARAMETER))?;
            let (fd, generation, at) = st.push_block(d)?;
            e.aux = fd;
            e.flags |= u32::from(generation) << 16;
            e.payload_off = at;
            pushed_at = Some((fd, at));
        }
    }
    let serial = if how.notify { 0 } else { st.begin_send() };
    e.serial = serial;
    let result = (|| {
        // Without a time-out, a send waits as long as it takes, also for the queue's lock.
        match target.q.push_ctl(&e, how.timeout.unwrap_or(FOREVER)) {
            Push::Done => {}
            Push::Full => return Err(win32(ERROR_NOT_ENOUGH_QUOTA)),
            Push::Busy => return Err(win32(ERROR_TIMEOUT)),
        }
        target.q.ring();
        // Pairs with the fence in the receiver's teardown (see `queue.rs`).
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        if how.notify {
            return Ok(1);
        }
        wait_reply(&st, &target, serial, how)
    })();
    if !how.notify {
        st.end_send(serial);
        if result
            .as_ref()
            .is_err_and(|e| e.win32_code() == ERROR_TIMEOUT)
        {
            st.gave_up(serial);
        }
    }
    if let Some((fd, at)) = pushed_at {
        if result.is_err() {
            // The receiver may still be reading the block (it had started the message when
            // this send gave up), or take it before it sees that the send gave up.
            st.retire_outbox();
        } else {
            st.pop_block(fd, at);
        }
    }
    result
}

fn wait_reply(st: &queue::State, target: &peer::Peer, serial: u32, how: How) -> io::Result<isize> {
    let deadline = how.timeout.map(|t| Instant::now() + t);
    let serve = how.flags & SMTO_BLOCK == 0;
    loop {
        let seq = st.wake_seq();
        let watch_seq = sys::watch::sequence().load(std::sync::atomic::Ordering::SeqCst);
        st.pump(serve);
        if let Some((result, error)) = st.take_reply(serial) {
            return if error == 0 {
                Ok(result as isize)
            } else {
                Err(win32(error))
            };
        }
        if !target.alive() {
            return Err(win32(ERROR_INVALID_WINDOW_HANDLE));
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            if how.flags & SMTO_NOTIMEOUTIFNOTHUNG != 0 && !target.hung() {
                // Keep waiting while the receiver is merely slow.
            } else {
                return Err(win32(ERROR_TIMEOUT));
            }
        }
        let until = if how.flags & SMTO_NOTIMEOUTIFNOTHUNG != 0 {
            Some(Instant::now() + Duration::from_millis(500))
        } else {
            deadline
        };
        // The receiver on another CPU often answers within microseconds: spin first.
        let target_cpu = target
            .q
            .header()
            .cpu
            .load(std::sync::atomic::Ordering::Relaxed);
        if st.spin(seq, target_cpu) {
            continue;
        }
        let also = (target.pid != sys::process::current_pid())
            .then_some((sys::watch::sequence(), watch_seq));
        st.sleep(seq, also, until)?;
    }
}

/// `PostMessage`: queues `msg` for `hwnd` (NULL: the calling thread) and returns at once.
pub(crate) fn post(hwnd: Option<Hwnd>, msg: u32, wparam: usize, lparam: isize) -> io::Result<()> {
    if msg == WM_COPYDATA {
        return Err(win32(ERROR_MESSAGE_SYNC_ONLY));
    }
    let Some(hwnd) = hwnd else {
        let st = queue::state()?;
        return post_thread(st.tid, msg, wparam, lparam);
    };
    let info = window::info_fast(hwnd).ok_or_else(|| win32(ERROR_INVALID_WINDOW_HANDLE))?;
    let target =
        peer::get(info.tid, Some(info.nonce)).map_err(|_| win32(ERROR_INVALID_WINDOW_HANDLE))?;
    push_post(&target, hwnd.raw() as u32, msg, wparam, lparam)
}

/// `PostThreadMessage`: queues a message without a window for thread `tid`.
pub(crate) fn post_thread(tid: u32, msg: u32, wparam: usize, lparam: isize) -> io::Result<()> {
    if msg == WM_COPYDATA {
        return Err(win32(ERROR_MESSAGE_SYNC_ONLY));
    }
    if tid == sys::process::current_thread_id() {
        queue::state()?;
    }
    let target = peer::get(tid, None)?;
    push_post(&target, 0, msg, wparam, lparam)
}

fn push_post(
    target: &peer::Peer,
    hwnd: u32,
    msg: u32,
    wparam: usize,
    lparam: isize,
) -> io::Result<()> {
    if !target.alive_now() {
        return Err(win32(if hwnd == 0 {
            crate::error::ERROR_INVALID_THREAD_ID
        } else {
            ERROR_INVALID_WINDOW_HANDLE
        }));
    }
    let e = PostEntry {
        hwnd,
        msg,
        wparam: wparam as u64,
        lparam: lparam as u64,
        time: sys::msgq::tick_count() as u32,
        flags: 0,
    };
    // A post never waits long: a queue locked for seconds belongs to a stopped or hostile
    // process.
    match target.q.push_post(&e, POST_LIMIT, Duration::from_secs(5)) {
        Push::Done => {}
        Push::Full => return Err(win32(ERROR_NOT_ENOUGH_QUOTA)),
        Push::Busy => return Err(win32(ERROR_TIMEOUT)),
    }
    target.q.ring();
    if let Some(st) = queue::current() {
        st.exchanged_with(target);
    }
    Ok(())
}
