//! Turning "this process or thread has ended" into a futex wake, so that one `futex_waitv` can
//! wait for sync objects and for pidfds at once.
//!
//! A background thread (started on first use) waits on the pidfds registered with [`watch`]
//! in an epoll set; when one becomes readable it bumps [`sequence`] and wakes its sleepers.
//! A waiter reads the sequence *before* it checks its pidfds, then sleeps on the sequence too.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use rustix::event::epoll;

use crate::error::from_os;

struct Watcher {
    epoll: OwnedFd,
    /// Registered descriptors, by token, kept open while registered.
    fds: Mutex<HashMap<u64, OwnedFd>>,
    next: AtomicU64,
}

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

/// The process-private word that changes whenever a watched pidfd becomes readable.
pub(crate) fn sequence() -> &'static AtomicU32 {
    &SEQUENCE
}

fn watcher() -> io::Result<&'static Watcher> {
    static WATCHER: OnceLock<Watcher> = OnceLock::new();
    if let Some(w) = WATCHER.get() {
        return Ok(w);
    }
    let epoll = epoll::create(epoll::CreateFlags::CLOEXEC).map_err(from_os)?;
    let w = WATCHER.get_or_init(|| Watcher {
        epoll,
        fds: Mutex::new(HashMap::new()),
        next: AtomicU64::new(1),
    });
    std::thread::Builder::new()
        .name("w32ipc-watch".into())
        .spawn(move || run(w))?;
    Ok(w)
}

fn run(w: &'static Watcher) {
    let mut events = Vec::with_capacity(64);
    loop {
        events.clear();
        if epoll::wait(&w.epoll, rustix::buffer::spare_capacity(&mut events), None).is_err() {
            continue;
        }
        if !events.is_empty() {
            SEQUENCE.fetch_add(1, Ordering::SeqCst);
            super::futex::wake_all_private(&SEQUENCE);
        }
    }
}

/// A registration; dropping it stops the watch.
pub(crate) struct Registration(u64);

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(w) = watcher() {
            let fd = w
                .fds
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&self.0);
            if let Some(fd) = fd {
                let _ = epoll::delete(&w.epoll, &fd);
            }
        }
    }
}

/// Watches `fd` (a pidfd) until the registration is dropped: when it becomes readable,
/// [`sequence`] changes.
pub(crate) fn watch(fd: BorrowedFd<'_>) -> io::Result<Registration> {
    let w = watcher()?;
    let own = fd.try_clone_to_owned()?;
    let token = w.next.fetch_add(1, Ordering::Relaxed);
    epoll::add(
        &w.epoll,
        own.as_fd(),
        epoll::EventData::new_u64(token),
        epoll::EventFlags::IN | epoll::EventFlags::ONESHOT,
    )
    .map_err(from_os)?;
    w.fds
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(token, own);
    Ok(Registration(token))
}
