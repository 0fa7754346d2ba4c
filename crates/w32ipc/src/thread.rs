//! Thread handles: a handle to a thread (of this or another process) is signalled when the
//! thread ends, and gives its exit code.
//!
//! ```
//! use w32ipc::sync::{wait_one, WaitOutcome};
//! let t = std::thread::spawn(|| w32ipc::thread::current().unwrap());
//! let handle = t.join().unwrap();
//! assert_eq!(wait_one(&handle, None)?, WaitOutcome::Signaled);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;
use std::time::Duration;

use crate::error::{ERROR_INVALID_HANDLE, win32};
use crate::object::{Handle, ObjectKind};
use crate::sys;

/// Exit codes of ended threads, by the identity of the thread (its pidfd's inode).
static EXIT_CODES: Mutex<Option<HashMap<u64, u32>>> = Mutex::new(None);

/// A new handle to the calling thread (`DuplicateHandle(GetCurrentThread())`).
#[doc(alias = "GetCurrentThread")]
pub fn current() -> io::Result<Handle> {
    Ok(Handle::from_fd(sys::process::open_thread(
        sys::process::current_thread_id(),
    )?))
}

fn identity(h: &Handle) -> io::Result<u64> {
    Ok(rustix::fs::fstat(h.fd())
        .map_err(|_| win32(ERROR_INVALID_HANDLE))?
        .st_ino)
}

/// Records the calling thread's exit code, for [`exit_code`] to report once it has ended
/// (`ExitThread`, or the return value of a thread's start routine).
pub fn set_exit_code(code: u32) -> io::Result<()> {
    let id = identity(&current()?)?;
    EXIT_CODES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(id, code);
    Ok(())
}

/// The exit code of the thread behind `handle`, or `None` while it runs
/// (`GetExitCodeThread`, which reports `STILL_ACTIVE` then). A thread of this process that
/// ended without a recorded code (one not started by the C ABI's `CreateThread`) reports 0.
///
/// # Errors
/// `ERROR_INVALID_HANDLE` unless `handle` is a thread handle.
#[doc(alias = "GetExitCodeThread")]
pub fn exit_code(handle: &Handle) -> io::Result<Option<u32>> {
    if handle.kind()? != ObjectKind::Thread {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    if !sys::process::wait(handle.fd(), Some(Duration::ZERO))? {
        return Ok(None);
    }
    let id = identity(handle)?;
    let codes = EXIT_CODES.lock().unwrap_or_else(|e| e.into_inner());
    Ok(Some(
        codes
            .as_ref()
            .and_then(|c| c.get(&id))
            .copied()
            .unwrap_or(0),
    ))
}

/// The id of the thread behind `handle` (`GetThreadId`), while the kernel still knows it.
///
/// # Errors
/// `ERROR_INVALID_HANDLE` unless `handle` is a handle to a thread that has not been reaped.
#[doc(alias = "GetThreadId")]
pub fn id_of(handle: &Handle) -> io::Result<u32> {
    if handle.kind()? != ObjectKind::Thread {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    sys::process::tid_of(handle.fd())
}
