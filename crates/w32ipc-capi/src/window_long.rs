//! A window's longs: `GetWindowLongPtrA/W`, `SetWindowLongPtrA/W` and the 32-bit
//! `GetWindowLongA/W`, `SetWindowLongA/W`.
//!
//! Indices: `GWLP_USERDATA`, `GWLP_WNDPROC` (subclassing: the window's procedure is replaced
//! for every later message, and the old one returned for `CallWindowProc`), `GWL_STYLE`,
//! `GWL_EXSTYLE`, `GWLP_ID`, `GWLP_HINSTANCE`, `GWLP_HWNDPARENT` (0: no window has a parent
//! here), and offsets 0.. into the window's `cbWndExtra` bytes (`ERROR_INVALID_INDEX` past
//! them). The pointer-sized ones (`GWLP_WNDPROC`, `GWLP_HINSTANCE`, `GWLP_HWNDPARENT`) fail with
//! `ERROR_INVALID_INDEX` through the 32-bit functions, as on 64-bit Windows. Only windows of
//! this process: `ERROR_ACCESS_DENIED` for another process's.
//!
//! A successful `Set…` returns the previous value and leaves the last error alone, so a
//! program that wants to tell a previous 0 from a failure clears it first, as Microsoft says.

use std::io;
use std::sync::atomic::Ordering;

use w32ipc::error::{ERROR_ACCESS_DENIED, ERROR_INVALID_INDEX, win32};
use w32ipc::msg::Hwnd;

use crate::last_error::{guard, set_from};
use crate::types::*;
use crate::window::{WinState, live, proc_addr, proc_from_addr, state};

const GWLP_WNDPROC: i32 = -4;
const GWLP_HINSTANCE: i32 = -6;
const GWLP_HWNDPARENT: i32 = -8;
const GWLP_ID: i32 = -12;
const GWL_STYLE: i32 = -16;
const GWL_EXSTYLE: i32 = -20;
const GWLP_USERDATA: i32 = -21;

/// Which long, and through which function.
#[derive(Clone, Copy)]
struct Access {
    index: i32,
    /// 8 for the `…Ptr` functions, 4 for the 32-bit ones.
    size: usize,
    /// The `…W` function (sets the procedure's character set on `GWLP_WNDPROC`).
    wide: bool,
}

impl Access {
    fn pointer_only(self) -> bool {
        matches!(self.index, GWLP_WNDPROC | GWLP_HINSTANCE | GWLP_HWNDPARENT) && self.size == 4
    }

    /// A value as the function returns it: 32-bit functions give the low half, sign-extended.
    fn shape(self, v: isize) -> isize {
        if self.size == 4 { v as i32 as isize } else { v }
    }
}

fn local(h: Hwnd) -> io::Result<std::sync::Arc<WinState>> {
    state(h).ok_or_else(|| win32(ERROR_ACCESS_DENIED))
}

fn get(hwnd: HWND, a: Access) -> io::Result<isize> {
    let h = live(hwnd)?;
    if a.pointer_only() {
        return Err(win32(ERROR_INVALID_INDEX));
    }
    let v = match a.index {
        i if i >= 0 => {
            let raw = h.extra(i as usize, a.size)?;
            if a.size == 4 {
                raw as u32 as i32 as isize
            } else {
                raw as isize
            }
        }
        GWLP_USERDATA => h.user_data()?,
        GWLP_WNDPROC => local(h)?.proc_.load(Ordering::Acquire) as isize,
        GWLP_HINSTANCE => local(h)?.instance.load(Ordering::Relaxed) as isize,
        GWLP_HWNDPARENT => {
            local(h)?;
            0
        }
        GWLP_ID => local(h)?.id.load(Ordering::Relaxed),
        GWL_STYLE => local(h)?.style.load(Ordering::Relaxed) as i32 as isize,
        GWL_EXSTYLE => local(h)?.ex_style.load(Ordering::Relaxed) as i32 as isize,
        _ => return Err(win32(ERROR_INVALID_INDEX)),
    };
    Ok(a.shape(v))
}

fn set(hwnd: HWND, a: Access, value: isize) -> io::Result<isize> {
    let h = live(hwnd)?;
    if a.pointer_only() {
        return Err(win32(ERROR_INVALID_INDEX));
    }
    let old = match a.index {
        i if i >= 0 => {
            let raw = h.set_extra(i as usize, a.size, value as u64)?;
            if a.size == 4 {
                raw as u32 as i32 as isize
            } else {
                raw as isize
            }
        }
        GWLP_USERDATA => h.set_user_data(value)?,
        GWLP_WNDPROC => {
            let st = local(h)?;
            let old = st.proc_.load(Ordering::Acquire);
            // A NULL procedure is ignored (the window keeps its own), as Wine does.
            if let Some(p) = proc_from_addr(value as usize) {
                st.proc_.store(proc_addr(Some(p)), Ordering::Release);
                st.unicode.store(a.wide, Ordering::Release);
            }
            old as isize
        }
        GWLP_HINSTANCE => local(h)?.instance.swap(value as usize, Ordering::Relaxed) as isize,
        GWLP_HWNDPARENT => {
            local(h)?;
            0 // owners are not supported; the value is dropped
        }
        GWLP_ID => local(h)?.id.swap(value, Ordering::Relaxed),
        GWL_STYLE => local(h)?.style.swap(value as u32, Ordering::Relaxed) as i32 as isize,
        GWL_EXSTYLE => local(h)?.ex_style.swap(value as u32, Ordering::Relaxed) as i32 as isize,
        _ => return Err(win32(ERROR_INVALID_INDEX)),
    };
    Ok(a.shape(old))
}

fn result(r: io::Result<isize>) -> isize {
    r.unwrap_or_else(|e| {
        set_from(&e);
        0
    })
}

/// `GetWindowLongPtrA`: a long of the window (see the module's list of indices); 0 with
/// `ERROR_INVALID_WINDOW_HANDLE`, `ERROR_INVALID_INDEX` or `ERROR_ACCESS_DENIED`.
#[unsafe(no_mangle)]
pub extern "C" fn GetWindowLongPtrA(hWnd: HWND, nIndex: i32) -> LONG_PTR {
    let a = Access {
        index: nIndex,
        size: 8,
        wide: false,
    };
    guard(0, || result(get(hWnd, a)))
}

/// `GetWindowLongPtrW`: as [`GetWindowLongPtrA`].
#[unsafe(no_mangle)]
pub extern "C" fn GetWindowLongPtrW(hWnd: HWND, nIndex: i32) -> LONG_PTR {
    GetWindowLongPtrA(hWnd, nIndex)
}

/// `SetWindowLongPtrA`: sets a long of the window and returns its previous value (0 with the
/// errors of [`GetWindowLongPtrA`]). `GWLP_WNDPROC` subclasses the window: later messages go to
/// the new procedure, which gets narrow strings.
#[unsafe(no_mangle)]
pub extern "C" fn SetWindowLongPtrA(hWnd: HWND, nIndex: i32, dwNewLong: LONG_PTR) -> LONG_PTR {
    let a = Access {
        index: nIndex,
        size: 8,
        wide: false,
    };
    guard(0, || result(set(hWnd, a, dwNewLong)))
}

/// `SetWindowLongPtrW`: as [`SetWindowLongPtrA`]; a `GWLP_WNDPROC` set here gets UTF-16 strings.
#[unsafe(no_mangle)]
pub extern "C" fn SetWindowLongPtrW(hWnd: HWND, nIndex: i32, dwNewLong: LONG_PTR) -> LONG_PTR {
    let a = Access {
        index: nIndex,
        size: 8,
        wide: true,
    };
    guard(0, || result(set(hWnd, a, dwNewLong)))
}

/// `GetWindowLongA`: the 32-bit form of [`GetWindowLongPtrA`] (the low half, sign-extended;
/// 4 bytes at an extra-byte offset); pointer-sized indices fail with `ERROR_INVALID_INDEX`.
#[unsafe(no_mangle)]
pub extern "C" fn GetWindowLongA(hWnd: HWND, nIndex: i32) -> i32 {
    let a = Access {
        index: nIndex,
        size: 4,
        wide: false,
    };
    guard(0, || result(get(hWnd, a)) as i32)
}

/// `GetWindowLongW`: as [`GetWindowLongA`].
#[unsafe(no_mangle)]
pub extern "C" fn GetWindowLongW(hWnd: HWND, nIndex: i32) -> i32 {
    GetWindowLongA(hWnd, nIndex)
}

/// `SetWindowLongA`: the 32-bit form of [`SetWindowLongPtrA`]: `GWLP_USERDATA` becomes the
/// value sign-extended; 4 bytes at an extra-byte offset; returns the previous low half.
#[unsafe(no_mangle)]
pub extern "C" fn SetWindowLongA(hWnd: HWND, nIndex: i32, dwNewLong: i32) -> i32 {
    let a = Access {
        index: nIndex,
        size: 4,
        wide: false,
    };
    guard(0, || result(set(hWnd, a, dwNewLong as isize)) as i32)
}

/// `SetWindowLongW`: as [`SetWindowLongA`].
#[unsafe(no_mangle)]
pub extern "C" fn SetWindowLongW(hWnd: HWND, nIndex: i32, dwNewLong: i32) -> i32 {
    let a = Access {
        index: nIndex,
        size: 4,
        wide: true,
    };
    guard(0, || result(set(hWnd, a, dwNewLong as isize)) as i32)
}
