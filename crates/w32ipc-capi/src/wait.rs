//! `WaitForSingleObject(Ex)`.

use std::time::Duration;

use w32ipc::sync::{WaitOutcome, wait_never, wait_one};

use crate::handles::{borrow, is_current_process, is_current_thread};
use crate::last_error::{guard, set_from};
use crate::types::*;

/// `WAIT_OBJECT_0`.
pub const WAIT_OBJECT_0: DWORD = 0;
/// `WAIT_TIMEOUT`.
pub const WAIT_TIMEOUT: DWORD = 258;
/// `WAIT_FAILED`.
pub const WAIT_FAILED: DWORD = 0xFFFF_FFFF;

/// A Win32 time-out in milliseconds as a `Duration` (`INFINITE` is `None`).
pub fn timeout(ms: DWORD) -> Option<Duration> {
    (ms != INFINITE).then(|| Duration::from_millis(ms as u64))
}

/// `WaitForSingleObject`: waits until the object is signalled or `dwMilliseconds` pass.
/// Process and thread handles are signalled when they end; pipe handles always are.
#[unsafe(no_mangle)]
pub extern "C" fn WaitForSingleObject(hHandle: HANDLE, dwMilliseconds: DWORD) -> DWORD {
    guard(WAIT_FAILED, || {
        let outcome = if is_current_process(hHandle) || is_current_thread(hHandle) {
            Ok(wait_never(timeout(dwMilliseconds)))
        } else {
            borrow(hHandle).and_then(|h| wait_one(&h, timeout(dwMilliseconds)))
        };
        match outcome {
            Ok(WaitOutcome::Signaled) => WAIT_OBJECT_0,
            Ok(WaitOutcome::TimedOut) => WAIT_TIMEOUT,
            Err(e) => {
                set_from(&e);
                WAIT_FAILED
            }
        }
    })
}

/// `WaitForSingleObjectEx`: as `WaitForSingleObject` (no APC is ever queued to a thread here
/// yet, so an alertable wait ends the same way).
#[unsafe(no_mangle)]
pub extern "C" fn WaitForSingleObjectEx(
    hHandle: HANDLE,
    dwMilliseconds: DWORD,
    _bAlertable: BOOL,
) -> DWORD {
    WaitForSingleObject(hHandle, dwMilliseconds)
}
