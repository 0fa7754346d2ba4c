//! Messages: `SendMessageA/W`, `SendMessageTimeoutA/W`, `SendNotifyMessageA/W`,
//! `PostMessageA/W`, `PostThreadMessageA/W`, `GetMessageA/W`, `PeekMessageA/W`,
//! `TranslateMessage`, `DispatchMessageA/W`, `PostQuitMessage`, `WaitMessage`, `ReplyMessage`,
//! `InSendMessage`, `InSendMessageEx`, `RegisterWindowMessageA/W`.
//!
//! Parameters travel unchanged: between processes only integers mean the same thing, except
//! for `WM_COPYDATA`, whose `COPYDATASTRUCT` block the library copies into the receiver (its
//! `lpData` is valid during the handler only). A and W forms behave alike: no message here
//! carries text that would need converting.

use std::ffi::c_char;
use std::io;

use w32ipc::error::{
    ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE, ERROR_MESSAGE_SYNC_ONLY, ERROR_NOACCESS,
    win32,
};
use w32ipc::msg::{self, Filter, Hwnd, Msg, Parent, WM_COPYDATA, WindowFilter};

use crate::last_error::{SetLastError, boolean, guard, set_from};
use crate::types::*;
use crate::window::{HWND_BROADCAST, hwnd, live};

/// `POINT`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct POINT {
    /// Horizontal.
    pub x: i32,
    /// Vertical.
    pub y: i32,
}

/// `MSG`: a message taken from a queue.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MSG {
    /// The window it was posted to; NULL for a thread message.
    pub hwnd: HWND,
    /// The message number.
    pub message: UINT,
    /// `wParam`.
    pub wParam: WPARAM,
    /// `lParam`.
    pub lParam: LPARAM,
    /// When it was posted (milliseconds).
    pub time: DWORD,
    /// The cursor position then (always 0, 0: there is no cursor).
    pub pt: POINT,
}

const _: () = assert!(std::mem::size_of::<MSG>() == 48);

const PM_REMOVE: UINT = 0x0001;
const QS_POSTMESSAGE: UINT = 0x0008;
const QS_ALLPOSTMESSAGE: UINT = 0x0100;

fn to_c(m: &Msg) -> MSG {
    MSG {
        hwnd: m.hwnd.map_or(std::ptr::null_mut(), |h| h.raw() as HWND),
        message: m.message,
        wParam: m.wparam,
        lParam: m.lparam,
        time: m.time,
        pt: POINT::default(),
    }
}

/// Top-level windows, for `HWND_BROADCAST`.
fn top_level_windows() -> Vec<Hwnd> {
    let mut out = Vec::new();
    let mut after = None;
    while let Some(h) = msg::find_window_ex_w(Parent::Desktop, after, None, None) {
        out.push(h);
        after = Some(h);
    }
    out
}

/// One send, in any of its forms.
#[derive(Clone, Copy)]
struct Send {
    message: UINT,
    wparam: WPARAM,
    lparam: LPARAM,
    flags: UINT,
    timeout: Option<std::time::Duration>,
    notify: bool,
}

impl Send {
    /// Sends to `hwnd`; `None` for `HWND_BROADCAST` (sent to every top-level window, one after
    /// the other; their results are dropped).
    ///
    /// # Safety
    /// For `WM_COPYDATA`, `lparam` is 0 or a valid `COPYDATASTRUCT` (its block valid for
    /// `cbData` bytes).
    unsafe fn to(self, hwnd: HWND) -> io::Result<Option<LRESULT>> {
        if hwnd as usize == HWND_BROADCAST {
            if self.notify && self.message == WM_COPYDATA {
                return Err(win32(ERROR_MESSAGE_SYNC_ONLY));
            }
            for h in top_level_windows() {
                // SAFETY: as for this call.
                let _ = unsafe { self.one(h) };
            }
            return Ok(None);
        }
        let h = crate::window::hwnd(hwnd).ok_or_else(|| win32(ERROR_INVALID_WINDOW_HANDLE))?;
        // SAFETY: as for this call.
        unsafe { self.one(h) }.map(Some)
    }

    /// # Safety
    /// As [`Send::to`].
    unsafe fn one(self, h: Hwnd) -> io::Result<LRESULT> {
        // SAFETY: per the caller.
        unsafe {
            msg::send_raw(
                h,
                self.message,
                self.wparam,
                self.lparam,
                self.flags,
                self.timeout,
                self.notify,
            )
        }
    }
}

/// `SendMessageA`: sends the message to the window and returns its procedure's result once it
/// has run on the window's own thread (directly, for a window of the calling thread); a thread
/// waiting here still handles messages sent to it. 0 with `ERROR_INVALID_WINDOW_HANDLE` (1400)
/// when the window is gone or its thread ends meanwhile. `WM_COPYDATA`'s `COPYDATASTRUCT` is
/// copied to the receiver. `HWND_BROADCAST` sends to every top-level window in turn.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SendMessageA(
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> LRESULT {
    let s = Send {
        message: Msg,
        wparam: wParam,
        lparam: lParam,
        flags: 0,
        timeout: None,
        notify: false,
    };
    // SAFETY: the program's parameters (a COPYDATASTRUCT for WM_COPYDATA).
    guard(0, || match unsafe { s.to(hWnd) } {
        Ok(r) => r.unwrap_or(1),
        Err(e) => {
            set_from(&e);
            0
        }
    })
}

/// `SendMessageW`: as [`SendMessageA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SendMessageW(
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> LRESULT {
    // SAFETY: forwarded unchanged.
    unsafe { SendMessageA(hWnd, Msg, wParam, lParam) }
}

/// `SendMessageTimeoutA`: [`SendMessageA`] that gives up after `uTimeout` ms (0 with
/// `ERROR_TIMEOUT`, 1460; the receiver still handles the message later). `SMTO_BLOCK`: handle
/// nothing sent to the caller meanwhile; `SMTO_ABORTIFHUNG`: fail at once when the receiver
/// has not looked at its queue for 5 s; `SMTO_NOTIMEOUTIFNOTHUNG`. Nonzero on success, with
/// the result in `*lpdwResult` when that is not NULL. Unknown flags: `ERROR_INVALID_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SendMessageTimeoutA(
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
    fuFlags: UINT,
    uTimeout: UINT,
    lpdwResult: *mut ULONG_PTR,
) -> LRESULT {
    let s = Send {
        message: Msg,
        wparam: wParam,
        lparam: lParam,
        flags: fuFlags,
        timeout: Some(std::time::Duration::from_millis(uTimeout.into())),
        notify: false,
    };
    // SAFETY: the program's parameters (a COPYDATASTRUCT for WM_COPYDATA).
    guard(0, || match unsafe { s.to(hWnd) } {
        Ok(r) => {
            if let Some(r) = r
                && !lpdwResult.is_null()
            {
                // SAFETY: non-null, per the caller valid for a write.
                unsafe { *lpdwResult = r as ULONG_PTR };
            }
            1
        }
        Err(e) => {
            set_from(&e);
            0
        }
    })
}

/// `SendMessageTimeoutW`: as [`SendMessageTimeoutA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SendMessageTimeoutW(
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
    fuFlags: UINT,
    uTimeout: UINT,
    lpdwResult: *mut ULONG_PTR,
) -> LRESULT {
    // SAFETY: forwarded unchanged.
    unsafe { SendMessageTimeoutA(hWnd, Msg, wParam, lParam, fuFlags, uTimeout, lpdwResult) }
}

/// `SendNotifyMessageA`: sends without waiting for the result (a window of the calling thread
/// handles it before this returns). `WM_COPYDATA` fails with `ERROR_MESSAGE_SYNC_ONLY` (1159).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SendNotifyMessageA(
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> BOOL {
    let s = Send {
        message: Msg,
        wparam: wParam,
        lparam: lParam,
        flags: 0,
        timeout: None,
        notify: true,
    };
    // SAFETY: a notify send never reads lParam (WM_COPYDATA is refused before).
    boolean(|| unsafe { s.to(hWnd) }.map(|_| ()))
}

/// `SendNotifyMessageW`: as [`SendNotifyMessageA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SendNotifyMessageW(
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> BOOL {
    // SAFETY: forwarded unchanged.
    unsafe { SendNotifyMessageA(hWnd, Msg, wParam, lParam) }
}

fn post(h: HWND, m: UINT, w: WPARAM, l: LPARAM) -> io::Result<()> {
    match h as usize {
        0 => msg::post_message(None, m, w, l),
        HWND_BROADCAST => {
            if m == WM_COPYDATA {
                return Err(win32(ERROR_MESSAGE_SYNC_ONLY));
            }
            for t in top_level_windows() {
                let _ = msg::post_message(Some(t), m, w, l);
            }
            Ok(())
        }
        _ => msg::post_message(hwnd(h), m, w, l),
    }
}

/// `PostMessageA`: queues the message for the window's thread and returns at once; NULL posts
/// a thread message to the calling thread, `HWND_BROADCAST` to every top-level window.
/// `ERROR_INVALID_WINDOW_HANDLE` (1400), `ERROR_MESSAGE_SYNC_ONLY` (1159) for `WM_COPYDATA`,
/// `ERROR_NOT_ENOUGH_QUOTA` when the queue holds 10 000 messages.
#[unsafe(no_mangle)]
pub extern "C" fn PostMessageA(hWnd: HWND, Msg: UINT, wParam: WPARAM, lParam: LPARAM) -> BOOL {
    boolean(|| post(hWnd, Msg, wParam, lParam))
}

/// `PostMessageW`: as [`PostMessageA`].
#[unsafe(no_mangle)]
pub extern "C" fn PostMessageW(hWnd: HWND, Msg: UINT, wParam: WPARAM, lParam: LPARAM) -> BOOL {
    PostMessageA(hWnd, Msg, wParam, lParam)
}

/// `PostThreadMessageA`: queues a message without a window for thread `idThread` (of any
/// process). `ERROR_INVALID_THREAD_ID` (1444) when the thread has no message queue yet (it
/// made no message call) or has ended; `ERROR_MESSAGE_SYNC_ONLY` for `WM_COPYDATA`.
#[unsafe(no_mangle)]
pub extern "C" fn PostThreadMessageA(
    idThread: DWORD,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> BOOL {
    boolean(|| msg::post_thread_message(idThread, Msg, wParam, lParam))
}

/// `PostThreadMessageW`: as [`PostThreadMessageA`].
#[unsafe(no_mangle)]
pub extern "C" fn PostThreadMessageW(
    idThread: DWORD,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> BOOL {
    PostThreadMessageA(idThread, Msg, wParam, lParam)
}

/// A `GetMessage`/`PeekMessage` filter: `hWnd` NULL takes everything, -1 thread messages only,
/// a window only its messages (it must be a live window: `ERROR_INVALID_WINDOW_HANDLE`).
fn filter(h: HWND, min: UINT, max: UINT) -> io::Result<Filter> {
    let window = match h as isize {
        0 => WindowFilter::Any,
        -1 => WindowFilter::ThreadOnly,
        _ => WindowFilter::Window(live(h)?),
    };
    Ok(Filter { window, min, max })
}

/// `GetMessageA`: waits for a posted message that passes the filter (window; message numbers
/// `wMsgFilterMin..=wMsgFilterMax`, 0 and 0 for all) and takes it, handling messages sent to
/// the thread meanwhile. Returns 0 for `WM_QUIT` (after every other posted message), -1 with
/// `ERROR_INVALID_WINDOW_HANDLE` for a filter window that is not one, or `ERROR_NOACCESS` for a
/// NULL `lpMsg`; otherwise 1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetMessageA(
    lpMsg: *mut MSG,
    hWnd: HWND,
    wMsgFilterMin: UINT,
    wMsgFilterMax: UINT,
) -> BOOL {
    guard(-1, || {
        if lpMsg.is_null() {
            SetLastError(ERROR_NOACCESS);
            return -1;
        }
        match filter(hWnd, wMsgFilterMin, wMsgFilterMax).and_then(msg::get_message) {
            Ok(m) => {
                // SAFETY: non-null, per the caller valid for a write.
                unsafe { *lpMsg = to_c(&m) };
                BOOL::from(!m.is_quit())
            }
            Err(e) => {
                set_from(&e);
                -1
            }
        }
    })
}

/// `GetMessageW`: as [`GetMessageA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetMessageW(
    lpMsg: *mut MSG,
    hWnd: HWND,
    wMsgFilterMin: UINT,
    wMsgFilterMax: UINT,
) -> BOOL {
    // SAFETY: forwarded unchanged.
    unsafe { GetMessageA(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax) }
}

/// `PeekMessageA`: handles messages sent to the thread, then looks for a posted message that
/// passes the filter (as [`GetMessageA`]) without waiting: TRUE with it in `*lpMsg` (taken off
/// the queue with `PM_REMOVE`), FALSE when there is none. `PM_QS_*` bits that leave posted
/// messages out (`PM_QS_SENDMESSAGE`) only handle sent messages. FALSE with
/// `ERROR_INVALID_WINDOW_HANDLE` or `ERROR_NOACCESS` as for `GetMessage`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeekMessageA(
    lpMsg: *mut MSG,
    hWnd: HWND,
    wMsgFilterMin: UINT,
    wMsgFilterMax: UINT,
    wRemoveMsg: UINT,
) -> BOOL {
    guard(FALSE, || {
        if lpMsg.is_null() {
            SetLastError(ERROR_NOACCESS);
            return FALSE;
        }
        let kinds = wRemoveMsg >> 16;
        let posted = kinds == 0 || kinds & (QS_POSTMESSAGE | QS_ALLPOSTMESSAGE) != 0;
        let r = filter(hWnd, wMsgFilterMin, wMsgFilterMax).and_then(|f| {
            if posted {
                msg::peek_message(f, wRemoveMsg & PM_REMOVE != 0)
            } else {
                // Serve sent messages only: a filter no posted message passes (no window has
                // the handle HWND_BROADCAST), nothing removed, nothing returned.
                let none = Filter {
                    window: WindowFilter::Window(Hwnd::from_raw(HWND_BROADCAST).expect("non-zero")),
                    min: 0,
                    max: 0,
                };
                msg::peek_message(none, false).map(|_| None)
            }
        });
        match r {
            Ok(Some(m)) => {
                // SAFETY: non-null, per the caller valid for a write.
                unsafe { *lpMsg = to_c(&m) };
                TRUE
            }
            Ok(None) => FALSE,
            Err(e) => {
                set_from(&e);
                FALSE
            }
        }
    })
}

/// `PeekMessageW`: as [`PeekMessageA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeekMessageW(
    lpMsg: *mut MSG,
    hWnd: HWND,
    wMsgFilterMin: UINT,
    wMsgFilterMax: UINT,
    wRemoveMsg: UINT,
) -> BOOL {
    // SAFETY: forwarded unchanged.
    unsafe { PeekMessageA(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax, wRemoveMsg) }
}

/// `TranslateMessage`: FALSE — there is no keyboard, so no key message to translate.
#[unsafe(no_mangle)]
pub extern "C" fn TranslateMessage(_lpMsg: *const MSG) -> BOOL {
    FALSE
}

/// `DispatchMessageA`: calls the procedure of the message's window (one of the calling
/// thread's) and returns its result; 0 for a thread message (`hwnd` NULL), with
/// `ERROR_INVALID_WINDOW_HANDLE` for a window that is gone, `ERROR_NOACCESS` for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn DispatchMessageA(lpMsg: *const MSG) -> LRESULT {
    guard(0, || {
        if lpMsg.is_null() {
            SetLastError(ERROR_NOACCESS);
            return 0;
        }
        // SAFETY: non-null, per the caller a valid MSG.
        let m = unsafe { *lpMsg };
        if m.hwnd.is_null() {
            return 0;
        }
        match live(m.hwnd) {
            Ok(h) => msg::dispatch_message(&Msg {
                hwnd: Some(h),
                message: m.message,
                wparam: m.wParam,
                lparam: m.lParam,
                time: m.time,
            }),
            Err(e) => {
                set_from(&e);
                0
            }
        }
    })
}

/// `DispatchMessageW`: as [`DispatchMessageA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn DispatchMessageW(lpMsg: *const MSG) -> LRESULT {
    // SAFETY: forwarded unchanged.
    unsafe { DispatchMessageA(lpMsg) }
}

/// `PostQuitMessage`: once no posted message is left, the thread's `GetMessage` returns 0 with
/// `WM_QUIT` and `nExitCode` as its `wParam`.
#[unsafe(no_mangle)]
pub extern "C" fn PostQuitMessage(nExitCode: i32) {
    guard((), || msg::post_quit_message(nExitCode))
}

/// `WaitMessage`: waits until a message the thread has not seen yet arrives, handling sent
/// messages meanwhile.
#[unsafe(no_mangle)]
pub extern "C" fn WaitMessage() -> BOOL {
    boolean(msg::wait_message)
}

/// `ReplyMessage`: answers the message sent from another thread that the procedure is handling
/// now, so the sender goes on with `lResult` while the procedure still runs. FALSE when the
/// message was not sent from another thread (a posted one, or a send of the same thread).
#[unsafe(no_mangle)]
pub extern "C" fn ReplyMessage(lResult: LRESULT) -> BOOL {
    guard(FALSE, || BOOL::from(msg::reply_message(lResult)))
}

/// `InSendMessage`: whether the procedure running now handles a message sent from another
/// thread (of this process or another).
#[unsafe(no_mangle)]
pub extern "C" fn InSendMessage() -> BOOL {
    guard(FALSE, || BOOL::from(msg::in_send_message()))
}

/// `InSendMessageEx`: `ISMEX_NOSEND` (0) unless the procedure handles a message sent from
/// another thread; then `ISMEX_SEND` (1), plus `ISMEX_REPLIED` (8) once `ReplyMessage` answered
/// it, or `ISMEX_NOTIFY` (2) for one sent with `SendNotifyMessage`.
#[unsafe(no_mangle)]
pub extern "C" fn InSendMessageEx(_lpReserved: *mut std::ffi::c_void) -> DWORD {
    guard(0, msg::in_send_message_ex)
}

fn register_message(name: Option<Vec<u16>>) -> UINT {
    match name.map(|n| msg::register_window_message_w(&n)) {
        Some(Ok(id)) => id,
        Some(Err(e)) => {
            set_from(&e);
            0
        }
        None => {
            SetLastError(ERROR_INVALID_PARAMETER);
            0
        }
    }
}

/// `RegisterWindowMessageA`: the session-wide message number for the string (the same in
/// every process, 0xC000..=0xFFFF, names compared without case; a class of the same name has it
/// as its atom). 0 with `ERROR_INVALID_PARAMETER` for an empty string or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn RegisterWindowMessageA(lpString: *const c_char) -> UINT {
    guard(0, || {
        // SAFETY: NULL or a NUL-terminated string, per the caller.
        let name = unsafe { crate::strings::from_a(lpString) };
        register_message(name.map(|s| s.encode_utf16().collect()))
    })
}

/// `RegisterWindowMessageW`: as [`RegisterWindowMessageA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn RegisterWindowMessageW(lpString: *const WCHAR) -> UINT {
    guard(0, || {
        // SAFETY: NULL or a NUL-terminated string, per the caller.
        let name =
            (!lpString.is_null()).then(|| unsafe { crate::strings::wide_units(lpString) }.to_vec());
        register_message(name)
    })
}
