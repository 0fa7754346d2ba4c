//! Mutexes (`CreateMutex`): recursive, owned by a thread, abandoned when the owner ends.

use std::io;
use std::mem::ManuallyDrop;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::object::SyncHandle;
use super::state::OWNER;
use super::{SyncAccess, WaitOutcome, WaitTarget, Waitable};
use crate::error::{ERROR_NOT_OWNER, win32};
use crate::object::{AsHandleValue, Handle, HandleValue, ObjectKind};
use crate::sys;

/// A mutex that threads of any process take in turn.
///
/// It is owned by a thread, and recursive: the owner may take it again and must release it as
/// often. If the owner thread or its process ends without releasing it — even killed — the
/// next waiter gets it with [`WaitOutcome::Abandoned`]. Taking and releasing an uncontended
/// mutex makes no system call.
///
/// ```
/// use w32ipc::sync::{Mutex, WaitOutcome};
/// let m = Mutex::create(None, false)?;
/// assert_eq!(m.wait(None)?, WaitOutcome::Signaled);
/// m.release()?;
/// assert!(m.release().is_err()); // ERROR_NOT_OWNER
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Mutex(SyncHandle);

impl Mutex {
    /// Creates a mutex, owned by the calling thread if `initially_owned`, or opens the one that
    /// already has `name` (then [`existed`](Self::existed) is true and `initially_owned` is
    /// ignored).
    #[doc(alias = "CreateMutexW")]
    pub fn create(name: Option<&str>, initially_owned: bool) -> io::Result<Mutex> {
        let me = sys::process::current_thread_id();
        let (word, count) = if initially_owned { (me, 1) } else { (0, 0) };
        SyncHandle::create(ObjectKind::Mutex, name, word, count).map(Mutex)
    }

    /// Opens the mutex called `name`.
    #[doc(alias = "OpenMutexW")]
    pub fn open(name: &str) -> io::Result<Mutex> {
        Self::open_with(name, SyncAccess::ALL)
    }

    /// Opens the mutex called `name` with only the rights `access`
    /// (`OpenMutexW(dwDesiredAccess, …)`); a wait or a change the handle has no right to fails
    /// with `ERROR_ACCESS_DENIED`.
    pub fn open_with(name: &str, access: SyncAccess) -> io::Result<Mutex> {
        SyncHandle::open(ObjectKind::Mutex, name, access).map(Mutex)
    }

    /// Whether [`create`](Self::create) found the mutex already there.
    pub fn existed(&self) -> bool {
        self.0.existed
    }

    /// Takes a handle known to be a mutex (`ERROR_INVALID_HANDLE` otherwise).
    pub fn from_handle(handle: Handle) -> io::Result<Mutex> {
        SyncHandle::from_handle(handle, ObjectKind::Mutex).map(Mutex)
    }

    /// Borrows the mutex handle with value `value` without taking ownership
    /// (`ERROR_INVALID_HANDLE` unless it is one): how a Win32-style API works on the handles
    /// it is given.
    ///
    /// # Safety
    /// The handle must stay open while the returned value is in use.
    pub unsafe fn borrow_value(value: HandleValue) -> io::Result<ManuallyDrop<Mutex>> {
        // SAFETY: forwarded to the caller.
        let h = unsafe { SyncHandle::borrow_value(value, ObjectKind::Mutex)? };
        Ok(ManuallyDrop::new(Mutex(ManuallyDrop::into_inner(h))))
    }

    /// The handle.
    pub fn as_handle(&self) -> &Handle {
        &self.0.handle
    }

    /// Gives up the typed view.
    pub fn into_handle(self) -> Handle {
        self.0.handle
    }

    /// Takes the mutex (waiting at most `timeout`); `Abandoned` when its last owner ended
    /// holding it.
    #[doc(alias = "WaitForSingleObject")]
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<WaitOutcome> {
        let st = self.0.obj.state();
        // The uncontended case, without a system call.
        let me = sys::process::current_thread_id();
        if st
            .word
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            st.aux.store(1, Ordering::Relaxed);
            return Ok(WaitOutcome::Signaled);
        }
        super::wait_one(self, timeout)
    }

    /// Releases the mutex once (`ReleaseMutex`).
    ///
    /// # Errors
    /// `ERROR_NOT_OWNER` when the calling thread does not own it.
    #[doc(alias = "ReleaseMutex")]
    pub fn release(&self) -> io::Result<()> {
        let st = self.0.obj.state();
        let me = sys::process::current_thread_id();
        if st.unlocked_word() & OWNER != me {
            return Err(win32(ERROR_NOT_OWNER));
        }
        let count = st.aux.load(Ordering::Relaxed);
        if count > 1 {
            st.aux.store(count - 1, Ordering::Relaxed);
            return Ok(());
        }
        st.aux.store(0, Ordering::Relaxed);
        // The uncontended case, without a system call.
        if st
            .word
            .compare_exchange(me, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            if st.waiters.load(Ordering::SeqCst) > 0 {
                sys::futex::wake_all(&st.word);
            }
            return Ok(());
        }
        st.update(|w| {
            if w & OWNER == me {
                Ok(0)
            } else {
                Err(win32(ERROR_NOT_OWNER))
            }
        })
        .map(|_| ())
    }
}

impl Waitable for Mutex {
    fn wait_target(&self) -> io::Result<WaitTarget<'_>> {
        self.0.wait_target()
    }
}

impl AsHandleValue for Mutex {
    fn handle_value(&self) -> HandleValue {
        self.0.handle.handle_value()
    }
}
