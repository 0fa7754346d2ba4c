//! `MsgWaitForMultipleObjects` and `MsgWaitForMultipleObjectsEx`: a wait on up to 63 objects
//! that also ends when the calling thread's message queue has input.
//!
//! The result is `WAIT_OBJECT_0 + i` for object `i` (the lowest signalled index wins, and an
//! object wins over input), `WAIT_OBJECT_0 + nCount` for input, `WAIT_ABANDONED_0 + i`,
//! `WAIT_TIMEOUT`, or `WAIT_FAILED` with the error. Input means a posted message that arrived
//! since the thread last looked with `GetMessage`/`PeekMessage` (`QS_POSTMESSAGE`,
//! `QS_ALLPOSTMESSAGE`; with `MWMO_INPUTAVAILABLE` any posted message) or a sent message
//! waiting to be handled (`QS_SENDMESSAGE`); the keyboard, mouse, timer and paint kinds never
//! come. The wait handles nothing itself: a `PeekMessage` afterwards does.

use std::time::{Duration, Instant};

use w32ipc::error::{ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS};
use w32ipc::msg::{MsgWait, wait_objects_or_messages};
use w32ipc::sync::{MAXIMUM_WAIT_OBJECTS, WaitMany, Waitable};

use crate::apc::{WAIT_IO_COMPLETION, own_queue, run_pending};
use crate::handles::{borrow, is_current_process, is_current_thread};
use crate::last_error::{SetLastError, guard, set_from};
use crate::types::*;
use crate::wait::{WAIT_ABANDONED, WAIT_FAILED, WAIT_OBJECT_0, WAIT_TIMEOUT, timeout};

/// `MWMO_WAITALL`: every object signalled and input there, at once.
const MWMO_WAITALL: DWORD = 0x1;
/// `MWMO_ALERTABLE`: APCs queued to the thread run and end the wait (`WAIT_IO_COMPLETION`).
const MWMO_ALERTABLE: DWORD = 0x2;
/// `MWMO_INPUTAVAILABLE`: input already seen by `PeekMessage` counts too.
const MWMO_INPUTAVAILABLE: DWORD = 0x4;

/// How often an alertable wait that cannot include the APC queue's event looks at it.
const SLICE: Duration = Duration::from_millis(10);

fn code(r: std::io::Result<WaitMany>) -> DWORD {
    match r {
        Ok(WaitMany::Signaled(i)) => WAIT_OBJECT_0 + i as DWORD,
        Ok(WaitMany::Abandoned(i)) => WAIT_ABANDONED + i as DWORD,
        Ok(WaitMany::TimedOut) => WAIT_TIMEOUT,
        Err(e) => {
            set_from(&e);
            WAIT_FAILED
        }
    }
}

/// The wait proper, on borrowed objects.
fn wait(objects: &[&dyn Waitable], ms: DWORD, how: MsgWait, alertable: bool) -> DWORD {
    let n = objects.len();
    if !alertable {
        return code(wait_objects_or_messages(objects, timeout(ms), how));
    }
    if run_pending() {
        return WAIT_IO_COMPLETION;
    }
    let queue = match own_queue() {
        Ok(q) => q,
        Err(e) => {
            set_from(&e);
            return WAIT_FAILED;
        }
    };
    let deadline = timeout(ms).map(|d| Instant::now() + d);
    // Wait-any with room for one more object: the APC queue's event is object n, input n + 1.
    let with_queue = !how.wait_all && n + 1 < MAXIMUM_WAIT_OBJECTS;
    let mut all: Vec<&dyn Waitable> = objects.to_vec();
    if with_queue {
        all.push(&queue.event);
    }
    loop {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let slice = if with_queue {
            left
        } else {
            Some(left.map_or(SLICE, |l| l.min(SLICE)))
        };
        match wait_objects_or_messages(&all, slice, how) {
            Ok(WaitMany::Signaled(i)) if with_queue && i == n => {
                if run_pending() {
                    return WAIT_IO_COMPLETION;
                }
            }
            Ok(WaitMany::Signaled(i)) if with_queue && i == n + 1 => {
                return WAIT_OBJECT_0 + n as DWORD;
            }
            Ok(WaitMany::TimedOut) if !with_queue && left.is_none_or(|l| l > SLICE) => {
                if run_pending() {
                    return WAIT_IO_COMPLETION;
                }
            }
            r => return code(r),
        }
    }
}

/// `MsgWaitForMultipleObjectsEx`: waits until one of the `nCount` objects is signalled (or,
/// with `MWMO_WAITALL`, all of them and input at once) or the thread's queue has input of a
/// kind in `dwWakeMask`, or `dwMilliseconds` pass (see the module documentation for the
/// results). `MWMO_ALERTABLE` also runs APCs and I/O completion routines queued to the thread
/// and then returns `WAIT_IO_COMPLETION`. More than 63 objects: `ERROR_INVALID_PARAMETER`;
/// pseudo-handles and closed handles: `ERROR_INVALID_HANDLE`; a NULL array: `ERROR_NOACCESS`.
/// Unknown flag bits are ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn MsgWaitForMultipleObjectsEx(
    nCount: DWORD,
    pHandles: *const HANDLE,
    dwMilliseconds: DWORD,
    dwWakeMask: DWORD,
    dwFlags: DWORD,
) -> DWORD {
    guard(WAIT_FAILED, || {
        if nCount as usize >= MAXIMUM_WAIT_OBJECTS {
            SetLastError(ERROR_INVALID_PARAMETER);
            return WAIT_FAILED;
        }
        if nCount > 0 && pHandles.is_null() {
            SetLastError(ERROR_NOACCESS);
            return WAIT_FAILED;
        }
        let raw: &[HANDLE] = if nCount == 0 {
            &[]
        } else {
            // SAFETY: the caller's array holds nCount handles.
            unsafe { std::slice::from_raw_parts(pHandles, nCount as usize) }
        };
        if raw
            .iter()
            .any(|h| is_current_process(*h) || is_current_thread(*h))
        {
            SetLastError(ERROR_INVALID_HANDLE);
            return WAIT_FAILED;
        }
        let borrowed = match raw
            .iter()
            .map(|h| borrow(*h))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(b) => b,
            Err(e) => {
                set_from(&e);
                return WAIT_FAILED;
            }
        };
        let objects: Vec<&dyn Waitable> = borrowed.iter().map(|h| &**h as &dyn Waitable).collect();
        let how = MsgWait {
            wake_mask: dwWakeMask,
            input_available: dwFlags & MWMO_INPUTAVAILABLE != 0,
            wait_all: dwFlags & MWMO_WAITALL != 0,
        };
        wait(&objects, dwMilliseconds, how, dwFlags & MWMO_ALERTABLE != 0)
    })
}

/// `MsgWaitForMultipleObjects`: [`MsgWaitForMultipleObjectsEx`] with `fWaitAll` as
/// `MWMO_WAITALL`, not alertable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn MsgWaitForMultipleObjects(
    nCount: DWORD,
    pHandles: *const HANDLE,
    fWaitAll: BOOL,
    dwMilliseconds: DWORD,
    dwWakeMask: DWORD,
) -> DWORD {
    let flags = if fWaitAll != 0 { MWMO_WAITALL } else { 0 };
    // SAFETY: forwarded unchanged.
    unsafe { MsgWaitForMultipleObjectsEx(nCount, pHandles, dwMilliseconds, dwWakeMask, flags) }
}
