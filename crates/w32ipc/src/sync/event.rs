//! Events (`CreateEvent`): manual- or auto-reset, set, reset, pulsed, waited on.

use std::io;
use std::mem::ManuallyDrop;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::object::SyncHandle;
use super::state::{GENERATION, SIGNALED};
use super::{SyncAccess, WaitOutcome, WaitTarget, Waitable};
use crate::object::{AsHandleValue, Handle, HandleValue, ObjectKind};

/// An event: a flag that threads of any process wait for.
///
/// A manual-reset event stays signalled until [`reset`](Event::reset), releasing every
/// waiter; an auto-reset event releases one waiter and resets itself.
///
/// ```
/// use w32ipc::sync::{Event, WaitOutcome};
/// use std::time::Duration;
/// let e = Event::create(None, false, true)?; // auto-reset, signalled
/// assert_eq!(e.wait(Some(Duration::ZERO))?, WaitOutcome::Signaled);
/// assert_eq!(e.wait(Some(Duration::ZERO))?, WaitOutcome::TimedOut); // it reset itself
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Event(SyncHandle);

impl Event {
    /// Creates an event, or opens the one that already has `name` (then
    /// [`existed`](Self::existed) is true — `ERROR_ALREADY_EXISTS` — and the arguments are
    /// ignored). `None` or `""` makes an unnamed event.
    ///
    /// # Errors
    /// `ERROR_INVALID_HANDLE` when another kind of object has the name; the name errors of
    /// [`ObjectName::parse`](crate::object::name::ObjectName::parse).
    #[doc(alias = "CreateEventW")]
    pub fn create(
        name: Option<&str>,
        manual_reset: bool,
        initially_set: bool,
    ) -> io::Result<Event> {
        let word = if initially_set { SIGNALED } else { 0 };
        SyncHandle::create(ObjectKind::Event, name, word, manual_reset as u32).map(Event)
    }

    /// Opens the event called `name`.
    ///
    /// # Errors
    /// `ERROR_FILE_NOT_FOUND` when there is none; `ERROR_INVALID_HANDLE` when another kind of
    /// object has the name.
    #[doc(alias = "OpenEventW")]
    pub fn open(name: &str) -> io::Result<Event> {
        Self::open_with(name, SyncAccess::ALL)
    }

    /// Opens the event called `name` with only the rights `access`
    /// (`OpenEventW(dwDesiredAccess, …)`); a wait or a change the handle has no right to fails
    /// with `ERROR_ACCESS_DENIED`.
    pub fn open_with(name: &str, access: SyncAccess) -> io::Result<Event> {
        SyncHandle::open(ObjectKind::Event, name, access).map(Event)
    }

    /// Whether [`create`](Self::create) found the event already there.
    pub fn existed(&self) -> bool {
        self.0.existed
    }

    /// Takes a handle known to be an event (`ERROR_INVALID_HANDLE` otherwise).
    pub fn from_handle(handle: Handle) -> io::Result<Event> {
        SyncHandle::from_handle(handle, ObjectKind::Event).map(Event)
    }

    /// Borrows the event handle with value `value` without taking ownership
    /// (`ERROR_INVALID_HANDLE` unless it is one): how a Win32-style API works on the handles
    /// it is given.
    ///
    /// # Safety
    /// The handle must stay open while the returned value is in use.
    pub unsafe fn borrow_value(value: HandleValue) -> io::Result<ManuallyDrop<Event>> {
        // SAFETY: forwarded to the caller.
        let h = unsafe { SyncHandle::borrow_value(value, ObjectKind::Event)? };
        Ok(ManuallyDrop::new(Event(ManuallyDrop::into_inner(h))))
    }

    /// The handle.
    pub fn as_handle(&self) -> &Handle {
        &self.0.handle
    }

    /// Gives up the typed view.
    pub fn into_handle(self) -> Handle {
        self.0.handle
    }

    /// Signals the event (`SetEvent`).
    #[doc(alias = "SetEvent")]
    pub fn set(&self) -> io::Result<()> {
        self.0.obj.check_modify()?;
        let st = self.0.obj.state();
        if st.aux.load(Ordering::Relaxed) == 1 {
            st.update::<()>(|w| Ok(((w + 1) & GENERATION) | SIGNALED))
                .ok();
        } else {
            st.update::<()>(|w| Ok(w | SIGNALED)).ok();
        }
        Ok(())
    }

    /// Makes the event non-signalled (`ResetEvent`).
    #[doc(alias = "ResetEvent")]
    pub fn reset(&self) -> io::Result<()> {
        self.0.obj.check_modify()?;
        self.0.obj.state().update::<()>(|w| Ok(w & !SIGNALED)).ok();
        Ok(())
    }

    /// Releases the threads waiting now (manual-reset: all; auto-reset: one) and leaves the
    /// event non-signalled (`PulseEvent`). As on Windows, a waiter that is not asleep at that
    /// moment misses the pulse; prefer [`set`](Self::set).
    #[doc(alias = "PulseEvent")]
    pub fn pulse(&self) -> io::Result<()> {
        self.0.obj.check_modify()?;
        let st = self.0.obj.state();
        if st.aux.load(Ordering::Relaxed) == 1 {
            st.update::<()>(|w| Ok((w + 1) & GENERATION)).ok();
        } else if st.anyone_waiting() {
            st.update::<()>(|w| Ok(w | SIGNALED)).ok();
        } else {
            st.update::<()>(|w| Ok(w & !SIGNALED)).ok();
        }
        Ok(())
    }

    /// Waits until the event is signalled, at most `timeout` (`None`: forever).
    #[doc(alias = "WaitForSingleObject")]
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<WaitOutcome> {
        super::wait_one(self, timeout)
    }
}

impl Waitable for Event {
    fn wait_target(&self) -> io::Result<WaitTarget<'_>> {
        self.0.wait_target()
    }
}

impl AsHandleValue for Event {
    fn handle_value(&self) -> HandleValue {
        self.0.handle.handle_value()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use rustix::thread::{CpuSet, sched_getaffinity, sched_setaffinity};

    use super::*;

    fn pin(cpu: usize) {
        let mut set = CpuSet::new();
        set.set(cpu);
        sched_setaffinity(None, &set).unwrap();
    }

    /// A waiter that spins before its first sleep (the event was last set on another CPU) is
    /// in the wait: a `PulseEvent` then releases it, as it does a sleeping one.
    #[test]
    fn a_pulse_releases_a_waiter_that_is_still_spinning() {
        let allowed = sched_getaffinity(None).unwrap();
        let cpus: Vec<usize> = (0..CpuSet::MAX_CPU)
            .filter(|&c| allowed.is_set(c))
            .collect();
        if cpus.len() < 2 {
            eprintln!("one CPU: nobody spins, nothing to check");
            return;
        }
        let (mine, theirs) = (cpus[0], cpus[1]);
        let event = Event::create(None, false, false).unwrap();
        let st = event.0.obj.state();
        std::thread::scope(|s| {
            for _ in 0..20 {
                pin(mine);
                // Last changed here, on `mine`: the waiter on `theirs` spins first.
                event.set().unwrap();
                event.reset().unwrap();
                let waiter = s.spawn(|| {
                    pin(theirs);
                    event.wait(Some(Duration::from_secs(5))).unwrap()
                });
                let start = Instant::now();
                while st.spinners.load(Ordering::SeqCst) == 0 && start.elapsed().as_secs() < 5 {
                    std::hint::spin_loop();
                }
                // Spinning or already asleep: either way in the wait, so the pulse is its.
                event.pulse().unwrap();
                assert_eq!(waiter.join().unwrap(), WaitOutcome::Signaled);
            }
        });
        sched_setaffinity(None, &allowed).unwrap();
    }
}
