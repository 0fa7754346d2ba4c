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
