//! Semaphores (`CreateSemaphore`): a count that waits take from and releases give back.

use std::io;
use std::mem::ManuallyDrop;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::object::SyncHandle;
use super::state::COUNT;
use super::{SyncAccess, WaitOutcome, WaitTarget, Waitable};
use crate::error::{ERROR_INVALID_PARAMETER, ERROR_TOO_MANY_POSTS, win32};
use crate::object::{AsHandleValue, Handle, HandleValue, ObjectKind};

/// A semaphore: each wait takes one from its count (waiting while it is 0), each release gives
/// some back, never past the maximum.
///
/// ```
/// use w32ipc::sync::{Semaphore, WaitOutcome};
/// use std::time::Duration;
/// let s = Semaphore::create(None, 1, 2)?;
/// assert_eq!(s.wait(Some(Duration::ZERO))?, WaitOutcome::Signaled);
/// assert_eq!(s.wait(Some(Duration::ZERO))?, WaitOutcome::TimedOut);
/// assert_eq!(s.release(2)?, 0); // the previous count
/// assert!(s.release(1).is_err()); // ERROR_TOO_MANY_POSTS
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Semaphore(SyncHandle);

impl Semaphore {
    /// Creates a semaphore with `initial` of at most `maximum` counts, or opens the one that
    /// already has `name` (then [`existed`](Self::existed) is true and the counts are ignored).
    ///
    /// # Errors
    /// `ERROR_INVALID_PARAMETER` unless `0 <= initial <= maximum` and `maximum > 0`.
    #[doc(alias = "CreateSemaphoreW")]
    pub fn create(name: Option<&str>, initial: i32, maximum: i32) -> io::Result<Semaphore> {
        if maximum <= 0 || initial < 0 || initial > maximum {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        SyncHandle::create(ObjectKind::Semaphore, name, initial as u32, maximum as u32)
            .map(Semaphore)
    }

    /// Opens the semaphore called `name`.
    #[doc(alias = "OpenSemaphoreW")]
    pub fn open(name: &str) -> io::Result<Semaphore> {
        Self::open_with(name, SyncAccess::ALL)
    }

    /// Opens the semaphore called `name` with only the rights `access`
    /// (`OpenSemaphoreW(dwDesiredAccess, …)`); a wait or a change the handle has no right to fails
    /// with `ERROR_ACCESS_DENIED`.
    pub fn open_with(name: &str, access: SyncAccess) -> io::Result<Semaphore> {
        SyncHandle::open(ObjectKind::Semaphore, name, access).map(Semaphore)
    }

    /// Whether [`create`](Self::create) found the semaphore already there.
    pub fn existed(&self) -> bool {
        self.0.existed
    }

    /// Takes a handle known to be a semaphore (`ERROR_INVALID_HANDLE` otherwise).
    pub fn from_handle(handle: Handle) -> io::Result<Semaphore> {
        SyncHandle::from_handle(handle, ObjectKind::Semaphore).map(Semaphore)
    }

    /// Borrows the semaphore handle with value `value` without taking ownership
    /// (`ERROR_INVALID_HANDLE` unless it is one): how a Win32-style API works on the handles
    /// it is given.
    ///
    /// # Safety
    /// The handle must stay open while the returned value is in use.
    pub unsafe fn borrow_value(value: HandleValue) -> io::Result<ManuallyDrop<Semaphore>> {
        // SAFETY: forwarded to the caller.
        let h = unsafe { SyncHandle::borrow_value(value, ObjectKind::Semaphore)? };
        Ok(ManuallyDrop::new(Semaphore(ManuallyDrop::into_inner(h))))
    }

    /// The handle.
    pub fn as_handle(&self) -> &Handle {
        &self.0.handle
    }

    /// Gives up the typed view.
    pub fn into_handle(self) -> Handle {
        self.0.handle
    }

    /// Takes one count, waiting at most `timeout` while there is none.
    #[doc(alias = "WaitForSingleObject")]
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<WaitOutcome> {
        super::wait_one(self, timeout)
    }

    /// Gives back `count` counts and returns the count before (`ReleaseSemaphore`).
    ///
    /// # Errors
    /// `ERROR_TOO_MANY_POSTS` when that would pass the maximum (nothing is released then);
    /// `ERROR_INVALID_PARAMETER` for a count of 0 (Windows wants it greater than zero).
    #[doc(alias = "ReleaseSemaphore")]
    pub fn release(&self, count: u32) -> io::Result<u32> {
        self.0.obj.check_modify()?;
        if count == 0 || count > i32::MAX as u32 {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        let st = self.0.obj.state();
        let max = st.aux.load(Ordering::Relaxed) as u64;
        let old = st.update(|w| {
            let now = (w & COUNT) as u64;
            if now + count as u64 > max {
                Err(win32(ERROR_TOO_MANY_POSTS))
            } else {
                Ok(w + count)
            }
        })?;
        Ok(old & COUNT)
    }
}

impl Waitable for Semaphore {
    fn wait_target(&self) -> io::Result<WaitTarget<'_>> {
        self.0.wait_target()
    }
}

impl AsHandleValue for Semaphore {
    fn handle_value(&self) -> HandleValue {
        self.0.handle.handle_value()
    }
}
