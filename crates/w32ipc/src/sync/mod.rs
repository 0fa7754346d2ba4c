//! Waiting on objects (`WaitForSingleObject`). Processes and threads are signalled when they
//! end; pipe and file handles are always signalled, as on Windows.

use std::io;
use std::time::Duration;

use crate::error::{ERROR_INVALID_HANDLE, win32};
use crate::object::{Handle, ObjectKind};
use crate::sys;

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// The object was signalled (`WAIT_OBJECT_0`).
    Signaled,
    /// The time ran out first (`WAIT_TIMEOUT`).
    TimedOut,
}

/// Waits until the object behind `handle` is signalled, at most `timeout` (`None`: forever).
///
/// ```
/// use std::time::Duration;
/// use w32ipc::sync::{wait_one, WaitOutcome};
/// let (reader, _w) = w32ipc::pipe::pipe()?;
/// // Pipe handles are always signalled.
/// assert_eq!(wait_one(reader.as_handle(), Some(Duration::ZERO))?, WaitOutcome::Signaled);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// `ERROR_INVALID_HANDLE` for a closed handle or an object that cannot be waited on.
#[doc(alias = "WaitForSingleObject")]
pub fn wait_one(handle: &Handle, timeout: Option<Duration>) -> io::Result<WaitOutcome> {
    match handle.kind()? {
        ObjectKind::Process | ObjectKind::Thread => {
            if sys::process::wait(handle.fd(), timeout)? {
                Ok(WaitOutcome::Signaled)
            } else {
                Ok(WaitOutcome::TimedOut)
            }
        }
        ObjectKind::PipeRead | ObjectKind::PipeWrite | ObjectKind::File => {
            Ok(WaitOutcome::Signaled)
        }
        _ => Err(win32(ERROR_INVALID_HANDLE)),
    }
}

/// `MAXIMUM_WAIT_OBJECTS`: the most handles one wait takes.
pub const MAXIMUM_WAIT_OBJECTS: usize = 64;

/// Waits until one of `handles` is signalled (`WaitForMultipleObjects(…, bWaitAll = FALSE, …)`)
/// and returns the lowest index that is, or `None` when `timeout` runs out first.
///
/// # Errors
/// `ERROR_INVALID_PARAMETER` for no handles or more than [`MAXIMUM_WAIT_OBJECTS`];
/// `ERROR_INVALID_HANDLE` when one of them cannot be waited on.
#[doc(alias = "WaitForMultipleObjects")]
pub fn wait_any(handles: &[&Handle], timeout: Option<Duration>) -> io::Result<Option<usize>> {
    let kinds = check_many(handles)?;
    let deadline = timeout.map(|t| std::time::Instant::now() + t);
    loop {
        // Objects that are always signalled win at once, in index order.
        for (i, (h, kind)) in handles.iter().zip(&kinds).enumerate() {
            if !waits_for_exit(*kind) || sys::process::wait(h.fd(), Some(Duration::ZERO))? {
                return Ok(Some(i));
            }
        }
        let left = match deadline {
            Some(d) => match d.checked_duration_since(std::time::Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Ok(None),
            },
            None => None,
        };
        let fds: Vec<_> = handles.iter().map(|h| h.fd()).collect();
        sys::process::wait_any(&fds, left)?;
    }
}

/// Waits until every one of `handles` is signalled (`WaitForMultipleObjects(…, TRUE, …)`).
/// Returns whether they all were before `timeout` ran out. (Processes and threads stay
/// signalled once they end, so taking them one by one is taking them all at once.)
///
/// # Errors
/// As [`wait_any`].
pub fn wait_all(handles: &[&Handle], timeout: Option<Duration>) -> io::Result<bool> {
    let kinds = check_many(handles)?;
    let deadline = timeout.map(|t| std::time::Instant::now() + t);
    for (h, kind) in handles.iter().zip(&kinds) {
        if !waits_for_exit(*kind) {
            continue;
        }
        let left = deadline.map(|d| d.saturating_duration_since(std::time::Instant::now()));
        if !sys::process::wait(h.fd(), left)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn waits_for_exit(kind: ObjectKind) -> bool {
    matches!(kind, ObjectKind::Process | ObjectKind::Thread)
}

fn check_many(handles: &[&Handle]) -> io::Result<Vec<ObjectKind>> {
    if handles.is_empty() || handles.len() > MAXIMUM_WAIT_OBJECTS {
        return Err(win32(crate::error::ERROR_INVALID_PARAMETER));
    }
    handles
        .iter()
        .map(|h| match h.kind()? {
            k @ (ObjectKind::Process
            | ObjectKind::Thread
            | ObjectKind::PipeRead
            | ObjectKind::PipeWrite
            | ObjectKind::File) => Ok(k),
            _ => Err(win32(ERROR_INVALID_HANDLE)),
        })
        .collect()
}

/// Waits `timeout` on something that is never signalled (the current process or thread):
/// returns `TimedOut` after the time, and never returns for `None`, as on Windows.
pub fn wait_never(timeout: Option<Duration>) -> WaitOutcome {
    match timeout {
        Some(t) => {
            std::thread::sleep(t);
            WaitOutcome::TimedOut
        }
        None => loop {
            std::thread::park();
        },
    }
}
