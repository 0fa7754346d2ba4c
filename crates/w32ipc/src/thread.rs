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

/// Ids of threads whose handles this process made, by thread identity, so that the id stays
/// known after the thread has ended (`GetThreadId` on an ended thread).
static THREAD_IDS: Mutex<Option<HashMap<u64, u32>>> = Mutex::new(None);

/// A new handle to the calling thread (`DuplicateHandle(GetCurrentThread())`).
#[doc(alias = "GetCurrentThread")]
pub fn current() -> io::Result<Handle> {
    open(sys::process::current_thread_id())
}

/// A handle to thread `tid` (of any process), which remembers the id.
pub(crate) fn open(tid: u32) -> io::Result<Handle> {
    let h = Handle::from_fd(sys::process::open_thread(tid)?);
    THREAD_IDS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(identity(&h)?, tid);
    Ok(h)
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

/// The id of the thread behind `handle` (`GetThreadId`), also after it has ended (for
/// handles this process made).
///
/// # Errors
/// `ERROR_INVALID_HANDLE` unless `handle` is a thread handle.
#[doc(alias = "GetThreadId")]
pub fn id_of(handle: &Handle) -> io::Result<u32> {
    if handle.kind()? != ObjectKind::Thread {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    if let Ok(tid) = sys::process::tid_of(handle.fd()) {
        return Ok(tid);
    }
    let ids = THREAD_IDS.lock().unwrap_or_else(|e| e.into_inner());
    ids.as_ref()
        .and_then(|m| m.get(&identity(handle).ok()?).copied())
        .ok_or_else(|| win32(ERROR_INVALID_HANDLE))
}
