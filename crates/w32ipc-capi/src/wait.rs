//! `WaitForSingleObject(Ex)`.

use std::time::{Duration, Instant};

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

/// `WaitForSingleObjectEx`: as `WaitForSingleObject`; alertable, it also returns
/// `WAIT_IO_COMPLETION` once it has run queued I/O completion routines.
#[unsafe(no_mangle)]
pub extern "C" fn WaitForSingleObjectEx(
    hHandle: HANDLE,
    dwMilliseconds: DWORD,
    bAlertable: BOOL,
) -> DWORD {
    if bAlertable == 0 {
        return WaitForSingleObject(hHandle, dwMilliseconds);
    }
    let handles = [hHandle];
    // SAFETY: a one-handle array.
    unsafe { alertable_wait(&handles, false, dwMilliseconds) }
}

/// An alertable wait on `handles`: routines queued to this thread run first (and end the
/// wait with `WAIT_IO_COMPLETION`); otherwise the wait also ends when one is queued.
///
/// # Safety
/// None beyond the handles being the caller's.
unsafe fn alertable_wait(handles: &[HANDLE], all: bool, ms: DWORD) -> DWORD {
    guard(WAIT_FAILED, || {
        if crate::apc::run_pending() {
            return crate::apc::WAIT_IO_COMPLETION;
        }
        let queue = match crate::apc::own_queue() {
            Ok(q) => q,
            Err(e) => {
                set_from(&e);
                return WAIT_FAILED;
            }
        };
        let deadline = timeout(ms).map(|d| Instant::now() + d);
        let pseudo = handles
            .iter()
            .any(|h| is_current_process(*h) || is_current_thread(*h));
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let r = if pseudo && handles.len() == 1 {
                // The process or thread itself never ends while it waits.
                queue.event.wait(left).map(|o| match o {
                    WaitOutcome::TimedOut => WaitMany::TimedOut,
                    _ => WaitMany::Signaled(1),
                })
            } else if all || handles.len() >= MAXIMUM_WAIT_OBJECTS {
                // Wait-all cannot include the queue: wait in slices and look between them.
                let slice = left.map_or(SLICE, |l| l.min(SLICE));
                let code = wait_plain(handles, all, slice);
                match code {
                    WAIT_TIMEOUT if left.is_none_or(|l| l > SLICE) => {
                        Ok(WaitMany::Signaled(usize::MAX))
                    }
                    code => return code,
                }
            } else {
                let borrowed: Result<Vec<_>, _> = handles.iter().map(|h| borrow(*h)).collect();
                match borrowed {
                    Ok(b) => {
                        let mut objects: Vec<&dyn Waitable> =
                            b.iter().map(|h| &**h as &dyn Waitable).collect();
                        objects.push(&queue.event);
                        wait_any(&objects, left)
                    }
                    Err(e) => Err(e),
                }
            };
            match r {
                Ok(WaitMany::Signaled(i)) if i >= handles.len() => {
                    if crate::apc::run_pending() {
                        return crate::apc::WAIT_IO_COMPLETION;
                    }
                }
                Ok(WaitMany::Signaled(i)) => return WAIT_OBJECT_0 + i as DWORD,
                Ok(WaitMany::Abandoned(i)) => return WAIT_ABANDONED + i as DWORD,
                Ok(WaitMany::TimedOut) => return WAIT_TIMEOUT,
                Err(e) => {
                    set_from(&e);
                    return WAIT_FAILED;
                }
            }
        }
    })
}

/// How often a wait that cannot include the routine queue looks at it.
const SLICE: Duration = Duration::from_millis(10);

fn wait_plain(handles: &[HANDLE], all: bool, slice: Duration) -> DWORD {
    let ms = slice.as_millis() as DWORD;
    if handles.len() == 1 {
        WaitForSingleObject(handles[0], ms)
    } else {
        // SAFETY: a live slice of handles.
        unsafe {
            WaitForMultipleObjects(
                handles.len() as DWORD,
                handles.as_ptr(),
                BOOL::from(all),
                ms,
            )
        }
    }
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

/// `WaitForMultipleObjectsEx`: as `WaitForMultipleObjects`; alertable, it also returns
/// `WAIT_IO_COMPLETION` once it has run queued I/O completion routines.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitForMultipleObjectsEx(
    nCount: DWORD,
    lpHandles: *const HANDLE,
    bWaitAll: BOOL,
    dwMilliseconds: DWORD,
    bAlertable: BOOL,
) -> DWORD {
    if bAlertable == 0
        || nCount == 0
        || nCount as usize > MAXIMUM_WAIT_OBJECTS
        || lpHandles.is_null()
    {
        // SAFETY: forwarded unchanged.
        return unsafe { WaitForMultipleObjects(nCount, lpHandles, bWaitAll, dwMilliseconds) };
    }
    // SAFETY: the caller's array holds nCount handles.
    let handles = unsafe { std::slice::from_raw_parts(lpHandles, nCount as usize) };
    // SAFETY: the caller's handles.
    unsafe { alertable_wait(handles, bWaitAll != 0, dwMilliseconds) }
}
