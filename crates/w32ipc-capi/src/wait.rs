//! `WaitForSingleObject(Ex)`.

use std::time::Duration;

use w32ipc::error::{ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS};
use w32ipc::sync::{
    MAXIMUM_WAIT_OBJECTS, WaitMany, WaitOutcome, Waitable, wait_all, wait_any, wait_never, wait_one,
};

use crate::handles::{borrow, is_current_process, is_current_thread};
use crate::last_error::{SetLastError, guard, set_from};
use crate::types::*;

/// `WAIT_OBJECT_0`.
pub const WAIT_OBJECT_0: DWORD = 0;
/// `WAIT_TIMEOUT`.
pub const WAIT_TIMEOUT: DWORD = 258;
/// `WAIT_ABANDONED`.
pub const WAIT_ABANDONED: DWORD = 0x80;
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
            borrow(hHandle).and_then(|h| wait_one(&*h, timeout(dwMilliseconds)))
        };
        match outcome {
            Ok(WaitOutcome::Signaled) => WAIT_OBJECT_0,
            Ok(WaitOutcome::Abandoned) => WAIT_ABANDONED,
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

/// `WaitForMultipleObjects`: waits for one (`bWaitAll == FALSE`: the lowest signalled index
/// wins, `WAIT_OBJECT_0 + i`) or all of up to `MAXIMUM_WAIT_OBJECTS` handles. Pseudo-handles
/// are not waitable here (`WAIT_FAILED`, `ERROR_INVALID_HANDLE`), as on Windows.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitForMultipleObjects(
    nCount: DWORD,
    lpHandles: *const HANDLE,
    bWaitAll: BOOL,
    dwMilliseconds: DWORD,
) -> DWORD {
    guard(WAIT_FAILED, || {
        if nCount == 0 || nCount as usize > MAXIMUM_WAIT_OBJECTS {
            SetLastError(ERROR_INVALID_PARAMETER);
            return WAIT_FAILED;
        }
        if lpHandles.is_null() {
            SetLastError(ERROR_NOACCESS);
            return WAIT_FAILED;
        }
        // SAFETY: the caller's array holds nCount handles.
        let raw = unsafe { std::slice::from_raw_parts(lpHandles, nCount as usize) };
        if raw
            .iter()
            .any(|h| is_current_process(*h) || is_current_thread(*h))
        {
            SetLastError(ERROR_INVALID_HANDLE);
            return WAIT_FAILED;
        }
        let borrowed: Result<Vec<_>, _> = raw.iter().map(|h| borrow(*h)).collect();
        let borrowed = match borrowed {
            Ok(b) => b,
            Err(e) => {
                set_from(&e);
                return WAIT_FAILED;
            }
        };
        let handles: Vec<&dyn Waitable> = borrowed.iter().map(|h| &**h as &dyn Waitable).collect();
        let result = if bWaitAll != 0 {
            wait_all(&handles, timeout(dwMilliseconds))
        } else {
            wait_any(&handles, timeout(dwMilliseconds))
        };
        match result {
            Ok(WaitMany::Signaled(i)) => WAIT_OBJECT_0 + i as DWORD,
            Ok(WaitMany::Abandoned(i)) => WAIT_ABANDONED + i as DWORD,
            Ok(WaitMany::TimedOut) => WAIT_TIMEOUT,
            Err(e) => {
                set_from(&e);
                WAIT_FAILED
            }
        }
    })
}

/// `WaitForMultipleObjectsEx`: as `WaitForMultipleObjects` (no APC is ever queued here yet).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitForMultipleObjectsEx(
    nCount: DWORD,
    lpHandles: *const HANDLE,
    bWaitAll: BOOL,
    dwMilliseconds: DWORD,
    _bAlertable: BOOL,
) -> DWORD {
    // SAFETY: forwarded unchanged.
    unsafe { WaitForMultipleObjects(nCount, lpHandles, bWaitAll, dwMilliseconds) }
}
