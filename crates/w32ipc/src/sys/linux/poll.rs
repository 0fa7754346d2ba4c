//! Readiness of many descriptors at once, with a wake-up descriptor: the loop under the C
//! ABI's overlapped I/O.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};

use rustix::event::{EventfdFlags, PollFd, PollFlags, eventfd, poll};
use rustix::io::Errno;

use crate::error::from_os;

/// An eventfd that interrupts [`wait`].
pub(crate) fn waker() -> io::Result<OwnedFd> {
    eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK).map_err(from_os)
}

/// Interrupts a [`wait`] on `waker`.
pub(crate) fn wake(waker: BorrowedFd<'_>) {
    let _ = rustix::io::write(waker, &1u64.to_ne_bytes());
}

/// Waits until one of `fds` (descriptor, wants input) is ready or `waker` is woken. Returns,
/// for each entry of `fds`, `None` (not ready), `Some(false)` (ready) or `Some(true)` (the
/// descriptor is closed).
pub(crate) fn wait(waker: BorrowedFd<'_>, fds: &[(RawFd, bool)]) -> io::Result<Vec<Option<bool>>> {
    let borrowed: Vec<BorrowedFd<'_>> = fds
        .iter()
        // SAFETY: only passed to poll(2) as numbers; a descriptor closed meanwhile is reported
        // as POLLNVAL, which the caller treats as closed.
        .map(|(fd, _)| unsafe { BorrowedFd::borrow_raw((*fd).max(0)) })
        .collect();
    let mut set: Vec<PollFd<'_>> = Vec::with_capacity(fds.len() + 1);
    set.push(PollFd::new(&waker, PollFlags::IN));
    for (b, (_, input)) in borrowed.iter().zip(fds) {
        let flags = if *input {
            PollFlags::IN
        } else {
            PollFlags::OUT
        };
        set.push(PollFd::new(b, flags));
    }
    match poll(&mut set, None) {
        Ok(_) | Err(Errno::INTR) => {}
        Err(e) => return Err(from_os(e)),
    }
    let mut buf = [0u8; 8];
    let _ = rustix::io::read(waker, &mut buf);
    Ok(set[1..]
        .iter()
        .map(|p| {
            let r = p.revents();
            (!r.is_empty()).then(|| r.contains(PollFlags::NVAL))
        })
        .collect())
}
