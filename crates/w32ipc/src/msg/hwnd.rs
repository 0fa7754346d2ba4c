//! Window handles: what any thread or process can do with an `HWND` — send, post, ask about the
//! window, destroy it (its own thread only).

use std::fmt;
use std::io;
use std::num::NonZeroUsize;
use std::time::Duration;

use super::{CopyDataStruct, SendFlags, WM_COPYDATA, send, window};
use crate::error::{ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE, win32};

/// A window handle (`HWND`): names the same window in every process of the session.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hwnd(NonZeroUsize);

impl fmt::Debug for Hwnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hwnd({:#x})", self.0)
    }
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
