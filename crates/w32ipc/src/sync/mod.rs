//! Events, mutexes, semaphores, and waiting on them — across processes, by name or by
//! inherited or duplicated handle.
//!
//! Every object lives in a small shared file (see [`crate::object`]), and its state is one
//! 32-bit word that processes change with compare-and-swap and sleep on with a futex (never a
//! private one). Waiting on several objects sleeps on all their words at once (`futex_waitv`),
//! and a wait for all of them takes all or none, atomically. A mutex whose owner thread or
//! process ended — even by SIGKILL — goes to the next waiter, which learns it was abandoned.
//!
//! ```
//! use std::time::Duration;
//! use w32ipc::sync::{Event, WaitOutcome};
//!
//! let ready = Event::create(None, true, false)?;
//! assert_eq!(ready.wait(Some(Duration::ZERO))?, WaitOutcome::TimedOut);
//! ready.set()?;
//! assert_eq!(ready.wait(None)?, WaitOutcome::Signaled);
//! # Ok::<(), std::io::Error>(())
//! ```

mod access;
mod event;
mod mutex;
mod object;
mod semaphore;
mod state;
pub(crate) mod wait;

use std::io;
use std::time::Duration;

pub use access::SyncAccess;
pub use event::Event;
pub use mutex::Mutex;
pub use semaphore::Semaphore;

use crate::error::{ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, win32};
use crate::object::{Handle, ObjectKind};
use object::SyncObject;
use wait::{Done, Target};

/// `MAXIMUM_WAIT_OBJECTS`: the most handles one wait takes.
pub const MAXIMUM_WAIT_OBJECTS: usize = 64;

/// How a wait on one object ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// The object was signalled and, for a mutex or semaphore or auto-reset event, taken
    /// (`WAIT_OBJECT_0`).
    Signaled,
    /// A mutex whose owner ended without releasing it: the caller owns it now
    /// (`WAIT_ABANDONED`).
    Abandoned,
    /// The time ran out first (`WAIT_TIMEOUT`).
    TimedOut,
}

/// How a wait on several objects ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitMany {
    /// Object `i` was signalled (wait-any: the lowest signalled index; wait-all: 0)
    /// (`WAIT_OBJECT_0 + i`).
    Signaled(usize),
    /// Mutex `i` was abandoned by its owner and is now the caller's (`WAIT_ABANDONED_0 + i`).
    Abandoned(usize),
    /// The time ran out first (`WAIT_TIMEOUT`).
    TimedOut,
}

/// Something that can be waited on: sync objects, processes, and any [`Handle`].
pub trait Waitable {
    #[doc(hidden)]
    fn wait_target(&self) -> io::Result<WaitTarget<'_>>;
}

/// What a wait is made on (opaque).
#[doc(hidden)]
pub struct WaitTarget<'a>(Target<'a>);

impl Waitable for Handle {
    fn wait_target(&self) -> io::Result<WaitTarget<'_>> {
        let kind = self.kind()?;
        Ok(WaitTarget(match kind {
            ObjectKind::Event | ObjectKind::Mutex | ObjectKind::Semaphore => {
                let obj = SyncObject::of_kind(self.fd(), kind)?;
                obj.check_synchronize()?;
                Target::Object(obj)
            }
            ObjectKind::Process | ObjectKind::Thread => Target::Ended(self.fd()),
            ObjectKind::PipeRead
            | ObjectKind::PipeWrite
            | ObjectKind::NamedPipe
            | ObjectKind::File => Target::Always,
            // Windows: a mapping handle has no SYNCHRONIZE right.
            ObjectKind::Mapping => return Err(win32(ERROR_ACCESS_DENIED)),
            _ => return Err(win32(ERROR_INVALID_HANDLE)),
        }))
    }
}

impl Waitable for crate::process::Process {
    fn wait_target(&self) -> io::Result<WaitTarget<'_>> {
        Ok(WaitTarget(Target::Ended(std::os::fd::AsFd::as_fd(self))))
    }
}

/// Waits until `object` is signalled (and takes it), at most `timeout` (`None`: forever).
///
/// # Errors
/// `ERROR_INVALID_HANDLE` for a closed handle or an object that cannot be waited on.
#[doc(alias = "WaitForSingleObject")]
pub fn wait_one(
    object: &(impl Waitable + ?Sized),
    timeout: Option<Duration>,
) -> io::Result<WaitOutcome> {
    let target = object.wait_target()?.0;
    // One look without allocating anything: the object is often free.
    if let Target::Object(o) = &target
        && let Some(abandoned) = wait::try_take_now(o)
    {
        return Ok(if abandoned {
            WaitOutcome::Abandoned
        } else {
            WaitOutcome::Signaled
        });
    }
    let done = match &target {
        Target::Object(o) if o.kind != ObjectKind::Mutex => wait::run_plain(o, timeout)?,
        _ => wait::run(std::slice::from_ref(&target), false, timeout)?,
    };
    Ok(match done {
        Done::Taken {
            abandoned: false, ..
        } => WaitOutcome::Signaled,
        Done::Taken {
            abandoned: true, ..
        } => WaitOutcome::Abandoned,
        Done::TimedOut => WaitOutcome::TimedOut,
    })
}

fn targets<'a>(objects: &[&'a dyn Waitable]) -> io::Result<Vec<Target<'a>>> {
    if objects.is_empty() || objects.len() > MAXIMUM_WAIT_OBJECTS {
        return Err(win32(ERROR_INVALID_PARAMETER));
    }
    objects
        .iter()
        .map(|o| o.wait_target().map(|t| t.0))
        .collect()
}

/// Waits on `objects` and `probe` (at index `objects.len()`): any one, or with `all`, every
/// object and the probe at once. `objects` may be empty.
pub(crate) fn wait_with_probe(
    objects: &[&dyn Waitable],
    probe: &dyn wait::Probe,
    all: bool,
    timeout: Option<Duration>,
) -> io::Result<WaitMany> {
    if objects.len() > MAXIMUM_WAIT_OBJECTS - 1 {
        return Err(win32(ERROR_INVALID_PARAMETER));
    }
    let mut t: Vec<Target<'_>> = objects
        .iter()
        .map(|o| o.wait_target().map(|t| t.0))
        .collect::<io::Result<_>>()?;
    t.push(Target::Probe(probe));
    Ok(many(wait::run(&t, all, timeout)?))
}

fn many(done: Done) -> WaitMany {
    match done {
        Done::Taken {
            index,
            abandoned: false,
        } => WaitMany::Signaled(index),
        Done::Taken {
            index,
            abandoned: true,
        } => WaitMany::Abandoned(index),
        Done::TimedOut => WaitMany::TimedOut,
    }
}

/// Waits until one of `objects` is signalled and takes it; the lowest signalled index wins
/// (`WaitForMultipleObjects(…, bWaitAll = FALSE, …)`).
///
/// # Errors
/// `ERROR_INVALID_PARAMETER` for no objects or more than [`MAXIMUM_WAIT_OBJECTS`];
/// `ERROR_INVALID_HANDLE` when one cannot be waited on.
#[doc(alias = "WaitForMultipleObjects")]
pub fn wait_any(objects: &[&dyn Waitable], timeout: Option<Duration>) -> io::Result<WaitMany> {
    Ok(many(wait::run(&targets(objects)?, false, timeout)?))
}

/// Waits until all of `objects` are signalled at once and takes them all — or none
/// (`WaitForMultipleObjects(…, bWaitAll = TRUE, …)`).
///
/// # Errors
/// As [`wait_any`], and `ERROR_INVALID_PARAMETER` when an object appears twice.
#[doc(alias = "WaitForMultipleObjects")]
pub fn wait_all(objects: &[&dyn Waitable], timeout: Option<Duration>) -> io::Result<WaitMany> {
    Ok(many(wait::run(&targets(objects)?, true, timeout)?))
}

/// Signals `to_signal` (sets an event, releases a mutex or one semaphore count) and waits on
/// `to_wait` (`SignalObjectAndWait`).
///
/// # Errors
/// The signal's own errors (`ERROR_NOT_OWNER` for a mutex the caller does not own,
/// `ERROR_TOO_MANY_POSTS`), then the wait's.
#[doc(alias = "SignalObjectAndWait")]
pub fn signal_and_wait(
    to_signal: &Handle,
    to_wait: &(impl Waitable + ?Sized),
    timeout: Option<Duration>,
) -> io::Result<WaitOutcome> {
    // Both handles are checked before anything is signalled.
    let target = to_wait.wait_target()?.0;
    let value = crate::object::AsHandleValue::handle_value(to_signal);
    // SAFETY: `to_signal` is borrowed for the whole call, so its handle stays open.
    unsafe {
        match to_signal.kind()? {
            ObjectKind::Event => Event::borrow_value(value)?.set()?,
            ObjectKind::Mutex => Mutex::borrow_value(value)?.release()?,
            ObjectKind::Semaphore => {
                Semaphore::borrow_value(value)?.release(1)?;
            }
            _ => return Err(win32(ERROR_INVALID_HANDLE)),
        }
    }
    Ok(
        match wait::run(std::slice::from_ref(&target), false, timeout)? {
            Done::Taken {
                abandoned: false, ..
            } => WaitOutcome::Signaled,
            Done::Taken {
                abandoned: true, ..
            } => WaitOutcome::Abandoned,
            Done::TimedOut => WaitOutcome::TimedOut,
        },
    )
}

/// Opens the named event, mutex or semaphore (`kind`) with the rights of the Win32 access mask
/// `mask` (`OpenEventW(dwDesiredAccess, …)` and the like): the generic form of
/// [`Event::open_with`], [`Mutex::open_with`] and [`Semaphore::open_with`].
///
/// # Errors
/// As those; `ERROR_INVALID_PARAMETER` for a `kind` that is not a sync object.
pub fn open_with_mask(kind: ObjectKind, name: &str, mask: u32) -> io::Result<Handle> {
    if !matches!(
        kind,
        ObjectKind::Event | ObjectKind::Mutex | ObjectKind::Semaphore
    ) {
        return Err(win32(ERROR_INVALID_PARAMETER));
    }
    let (handle, _) = object::open(kind, name, SyncAccess::from_mask(kind, mask))?;
    Ok(handle)
}

/// Another handle to the sync object behind `handle` with only the rights in the Win32 access
/// mask `mask` (`DuplicateHandle` without `DUPLICATE_SAME_ACCESS`). It has its own open file
/// description, so its rights are its own.
#[doc(alias = "DuplicateHandle")]
pub fn duplicate_with_access(handle: &Handle, mask: u32, inheritable: bool) -> io::Result<Handle> {
    let kind = handle.kind()?;
    if !matches!(
        kind,
        ObjectKind::Event | ObjectKind::Mutex | ObjectKind::Semaphore
    ) {
        return handle.try_clone(inheritable);
    }
    let dup = Handle::from_fd(crate::sys::named::reopen_locked(handle.fd())?);
    access::restrict(dup.fd(), SyncAccess::from_mask(kind, mask))?;
    if inheritable {
        dup.set_inheritable(true)?;
    }
    Ok(dup)
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
