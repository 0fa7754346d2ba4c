//! Windows: a slot in the session's window table (so every process can find and address them)
//! plus this process's record of its own windows (procedure, user data, extra bytes).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::queue::{self, Incoming};
use super::{Hwnd, WM_CLOSE, WM_DESTROY, WM_NCCREATE, WM_NCDESTROY};
use crate::error::{ERROR_ACCESS_DENIED, ERROR_INVALID_INDEX, ERROR_INVALID_WINDOW_HANDLE, win32};
use crate::sys;
use crate::sys::wintable::{self, MESSAGE_ONLY};

/// A window procedure as the library calls it: `(hwnd, message, wParam, lParam) -> LRESULT`.
/// Procedures run on the window's own thread only, and may be re-entered (a procedure that
/// sends a message may be called again before it returns), hence `Fn`.
pub type RawProc = Rc<dyn Fn(Hwnd, u32, usize, isize) -> isize>;

/// This process's record of one of its windows.
pub(crate) struct Local {
    pub(crate) slot: usize,
    pub(crate) generation: u32,
    pub(crate) tid: u32,
    pub(crate) user_data: AtomicIsize,
    pub(crate) extra: Mutex<Vec<u8>>,
    pub(crate) destroying: AtomicBool,
}

fn locals() -> &'static Mutex<HashMap<usize, Arc<Local>>> {
    static L: OnceLock<Mutex<HashMap<usize, Arc<Local>>>> = OnceLock::new();
    L.get_or_init(|| Mutex::new(HashMap::new()))
}

thread_local! {
    static PROCS: RefCell<HashMap<usize, RawProc>> = RefCell::new(HashMap::new());
}

pub(crate) fn local(h: Hwnd) -> Option<Arc<Local>> {
    locals()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&h.raw())
        .cloned()
}

/// Whether `h` is a live window of thread `tid` of this process.
pub(crate) fn is_own(h: Hwnd, tid: u32) -> bool {
    local(h).is_some_and(|l| l.tid == tid)
}

pub(crate) fn hwnd_of(slot: usize, generation: u32) -> Hwnd {
    let g = (generation >> 1) & 0x7FFF;
    Hwnd::from_raw(((g.max(1) as usize) << 16) | (slot + 1)).expect("non-zero")
}

/// The table slot and generation bits an `HWND` names.
pub(crate) fn slot_of(h: Hwnd) -> (usize, u32) {
    let v = h.raw();
    ((v & 0xFFFF).wrapping_sub(1), ((v >> 16) & 0x7FFF) as u32)
}

/// The table's record of `h`, if it names a live window. `names`: with class and title.
pub(crate) fn info(h: Hwnd, names: bool) -> Option<wintable::WindowInfo> {
    info_of(h, names, true)
}

/// [`info`] without asking the kernel whether the owner process still lives: for sends and
/// posts, which find that out from the owner thread's queue (cheaply, see `peer.rs`).
pub(crate) fn info_fast(h: Hwnd) -> Option<wintable::WindowInfo> {
    info_of(h, false, false)
}

fn info_of(h: Hwnd, names: bool, check_owner: bool) -> Option<wintable::WindowInfo> {
    let (slot, g) = slot_of(h);
    if slot >= wintable::MAX_WINDOWS {
        return None;
    }
    let t = wintable::table().ok()?;
    let i = t.read(slot, names, check_owner)?;
    if ((i.generation >> 1) & 0x7FFF).max(1) != g {
        return None;
    }
    if i.pid == sys::process::current_pid() && local(h).is_none() {
        return None;
    }
    Some(i)
}

/// Creates a window owned by the calling thread; the caller sends `WM_NCCREATE`/`WM_CREATE`.
#[doc(hidden)]
pub fn create_raw(
    class: &[u16],
    title: &[u16],
    message_only: bool,
    extra_bytes: usize,
    proc_: RawProc,
) -> io::Result<Hwnd> {
    let st = queue::state()?;
    let t = wintable::table()?;
    let (slot, generation) = t.alloc(
        st.tid,
        st.nonce,
        if message_only { MESSAGE_ONLY } else { 0 },
        class,
        title,
    )?;
    let h = hwnd_of(slot, generation);
    locals().lock().unwrap_or_else(|e| e.into_inner()).insert(
        h.raw(),
        Arc::new(Local {
            slot,
            generation,
            tid: st.tid,
            user_data: AtomicIsize::new(0),
            extra: Mutex::new(vec![0; extra_bytes]),
            destroying: AtomicBool::new(false),
        }),
    );
    PROCS.with(|p| p.borrow_mut().insert(h.raw(), proc_));
    Ok(h)
}

/// The procedure of `h` if it is a live window of the calling thread.
pub(crate) fn own_proc(h: Hwnd) -> Option<RawProc> {
    PROCS
        .try_with(|p| p.borrow().get(&h.raw()).cloned())
        .ok()
        .flatten()
}

/// Calls `h`'s procedure on this thread (0 when `h` has none here).
pub(crate) fn call(h: Hwnd, msg: u32, wparam: usize, lparam: isize) -> isize {
    match own_proc(h) {
        Some(p) => p(h, msg, wparam, lparam),
        None => 0,
    }
}

/// Calls `h`'s procedure directly, as for a message of this thread to its own window
/// (`InSendMessage` is false inside).
pub(crate) fn call_local(h: Hwnd, msg: u32, wparam: usize, lparam: isize) -> isize {
    let st = queue::current();
    if let Some(st) = &st {
        st.incoming.borrow_mut().push(Incoming {
            reply_to: None,
            sent: false,
            notify: false,
        });
    }
    let r = call(h, msg, wparam, lparam);
    if let Some(st) = &st {
        st.incoming.borrow_mut().pop();
    }
    r
}

/// `DestroyWindow`: `WM_DESTROY`, `WM_NCDESTROY`, then the window is gone everywhere.
pub(crate) fn destroy(h: Hwnd) -> io::Result<()> {
    let Some(l) = local(h) else {
        return Err(win32(if info(h, false).is_some() {
            ERROR_ACCESS_DENIED
        } else {
            ERROR_INVALID_WINDOW_HANDLE
        }));
    };
    if l.tid != sys::process::current_thread_id() {
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    if l.destroying.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    call_local(h, WM_DESTROY, 0, 0);
    call_local(h, WM_NCDESTROY, 0, 0);
    forget(h, &l);
    if let Some(st) = queue::current() {
        st.drop_posted_for(h);
    }
    Ok(())
}

fn forget(h: Hwnd, l: &Local) {
    locals()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&h.raw());
    let _ = PROCS.try_with(|p| p.borrow_mut().remove(&h.raw()));
    if let Ok(t) = wintable::table() {
        t.free(l.slot, l.generation);
    }
}

/// Removes every window of thread `tid` without messages (the thread ended).
pub(crate) fn forget_thread_windows(tid: u32) {
    let mine: Vec<(usize, Arc<Local>)> = locals()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|(_, l)| l.tid == tid)
        .map(|(k, l)| (*k, l.clone()))
        .collect();
    for (k, l) in mine {
        if let Some(h) = Hwnd::from_raw(k) {
            forget(h, &l);
        }
    }
}

/// `DefWindowProc`: `WM_NCCREATE` → TRUE, `WM_CLOSE` destroys the window, everything else 0.
#[doc(alias = "DefWindowProcW")]
pub fn def_window_proc(hwnd: Hwnd, message: u32, _wparam: usize, _lparam: isize) -> isize {
    match message {
        WM_NCCREATE => 1,
        WM_CLOSE => {
            let _ = destroy(hwnd);
            0
        }
        _ => 0,
    }
}

/// `FindWindowEx` over the session: the next window after `after` (in table order) whose class
/// and title match, ignoring case (as Windows does), among message-only windows or top-level ones.
pub(crate) fn find(
    message_only: bool,
    after: Option<Hwnd>,
    class: Option<&[u16]>,
    title: Option<&[u16]>,
) -> Option<Hwnd> {
    let t = wintable::table().ok()?;
    let start = match after {
        Some(a) => slot_of(a).0.checked_add(1)?,
        None => 0,
    };
    for i in start..t.high() {
        let Some(w) = t.read(i, true, true) else {
            continue;
        };
        if (w.flags & MESSAGE_ONLY != 0) != message_only {
            continue;
        }
        if class.is_some_and(|c| !wintable::same_name(c, &w.class)) {
            continue;
        }
        if title.is_some_and(|s| !wintable::same_name(s, &w.title)) {
            continue;
        }
        let h = hwnd_of(i, w.generation);
        if w.pid == sys::process::current_pid()
            && local(h).is_none_or(|l| l.destroying.load(Ordering::Relaxed))
        {
            continue;
        }
        return Some(h);
    }
    None
}

/// Reads `size` bytes of the window's extra bytes at `index` (`GetWindowLongPtr(hwnd, n)`).
pub(crate) fn extra_get(h: Hwnd, index: usize, size: usize) -> io::Result<u64> {
    let l = local(h).ok_or_else(|| win32(invalid_or_denied(h)))?;
    let e = l.extra.lock().unwrap_or_else(|e| e.into_inner());
    let b = e
        .get(
            index
                ..index
                    .checked_add(size)
                    .ok_or_else(|| win32(ERROR_INVALID_INDEX))?,
        )
        .ok_or_else(|| win32(ERROR_INVALID_INDEX))?;
    let mut v = [0u8; 8];
    v[..size].copy_from_slice(b);
    Ok(u64::from_le_bytes(v))
}

/// Writes `size` bytes of the window's extra bytes at `index`; returns the old value.
pub(crate) fn extra_set(h: Hwnd, index: usize, size: usize, value: u64) -> io::Result<u64> {
    let l = local(h).ok_or_else(|| win32(invalid_or_denied(h)))?;
    let mut e = l.extra.lock().unwrap_or_else(|e| e.into_inner());
    let b = e
        .get_mut(
            index
                ..index
                    .checked_add(size)
                    .ok_or_else(|| win32(ERROR_INVALID_INDEX))?,
        )
        .ok_or_else(|| win32(ERROR_INVALID_INDEX))?;
    let mut old = [0u8; 8];
    old[..size].copy_from_slice(b);
    b.copy_from_slice(&value.to_le_bytes()[..size]);
    Ok(u64::from_le_bytes(old))
}

/// 1400 for a handle that names no window, 5 for another process's window.
pub(crate) fn invalid_or_denied(h: Hwnd) -> u32 {
    if info(h, false).is_some() {
        ERROR_ACCESS_DENIED
    } else {
        ERROR_INVALID_WINDOW_HANDLE
    }
}
