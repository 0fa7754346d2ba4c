//! Anonymous pipes over Linux pipes: creation with a size hint, Win32-style reads and writes,
//! and a non-destructive peek (`tee` into a scratch pipe).

use std::cell::RefCell;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::event::{PollFd, PollFlags, poll};
use rustix::io::Errno;
use rustix::pipe::{PipeFlags, SpliceFlags};

use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_BROKEN_PIPE, ERROR_INVALID_HANDLE, ERROR_NO_DATA, from_os, win32,
};

/// Linux's default pipe capacity; Windows' default anonymous-pipe buffer is smaller, but a
/// hint of 0 means "the system default" on both.
const DEFAULT_CAPACITY: usize = 64 * 1024;

/// Creates a pipe (both ends close-on-exec) sized to hold at least `size_hint` bytes.
pub(crate) fn create(size_hint: usize) -> io::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC).map_err(from_os)?;
    if size_hint > DEFAULT_CAPACITY {
        set_capacity(w.as_fd(), size_hint);
    }
    Ok((r, w))
}

/// Grows a pipe toward `size` bytes. The size is a hint in Win32: when the system limit for an
/// unprivileged user is lower, the pipe gets the largest size allowed.
fn set_capacity(fd: BorrowedFd<'_>, size: usize) {
    if rustix::pipe::fcntl_setpipe_size(fd, size).is_ok() {
        return;
    }
    let max = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
        .ok()
        .and_then(|m| m.trim().parse::<usize>().ok());
    if let Some(max) = max {
        let _ = rustix::pipe::fcntl_setpipe_size(fd, size.min(max));
    }
}

/// The pipe's capacity in bytes.
pub(crate) fn capacity(fd: BorrowedFd<'_>) -> io::Result<usize> {
    rustix::pipe::fcntl_getpipe_size(fd).map_err(from_os)
}

/// Maps an error of a read or write on a pipe end to its Win32 code.
fn pipe_error(fd: BorrowedFd<'_>, err: Errno, writing: bool) -> io::Error {
    match err {
        // EBADF on an open descriptor: the end does not allow this direction.
        Errno::BADF if rustix::io::fcntl_getfd(fd).is_ok() => win32(ERROR_ACCESS_DENIED),
        Errno::BADF => win32(ERROR_INVALID_HANDLE),
        Errno::PIPE if writing => win32(ERROR_NO_DATA),
        other => from_os(other),
    }
}

/// `ReadFile` on a pipe: returns as soon as some data is there (up to `buf.len()`), and fails
/// with `ERROR_BROKEN_PIPE` once every writer is gone and the data is drained.
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    if buf.is_empty() {
        return read_nothing(fd);
    }
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Ok(0) => return Err(win32(ERROR_BROKEN_PIPE)),
            Ok(n) => return Ok(n),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(pipe_error(fd, e, false)),
        }
    }
}

/// A zero-length read waits, like any read, until data is there (and leaves it), then
/// succeeds with 0 bytes; it fails if the pipe is broken (no writer, no data).
fn read_nothing(fd: BorrowedFd<'_>) -> io::Result<usize> {
    if rustix::fs::fcntl_getfl(fd)
        .map_err(from_os)?
        .contains(rustix::fs::OFlags::WRONLY)
    {
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    let events = poll_wait(fd, PollFlags::IN, None)?;
    if events.contains(PollFlags::HUP) && !events.contains(PollFlags::IN) {
        return Err(win32(ERROR_BROKEN_PIPE));
    }
    Ok(0)
}

/// `WriteFile` on a pipe: writes everything, blocking while the pipe is full. Fails with
/// `ERROR_NO_DATA` when every reader was gone before the write, and with `ERROR_BROKEN_PIPE`
/// when the last reader goes while the write waits for room.
///
/// Telling the two apart costs nothing on the way that succeeds: only after `EPIPE` does it
/// look back. Bytes already written, or a full pipe on which the call waited (more than
/// [`WAITED`]), mean the reader left during the write; otherwise it was gone before.
pub(crate) fn write(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    if buf.is_empty() {
        return write_nothing(fd);
    }
    let start = std::time::Instant::now();
    let mut done = 0;
    while done < buf.len() {
        match rustix::io::write(fd, &buf[done..]) {
            Ok(n) => done += n,
            Err(Errno::INTR) => continue,
            Err(Errno::PIPE) => {
                let waited = done > 0 || (is_full(fd) && start.elapsed() > WAITED);
                return Err(win32(if waited {
                    ERROR_BROKEN_PIPE
                } else {
                    ERROR_NO_DATA
                }));
            }
            Err(e) => return Err(pipe_error(fd, e, true)),
        }
    }
    Ok(done)
}

/// How long a failed write must have taken to count as having waited for room.
const WAITED: std::time::Duration = std::time::Duration::from_millis(2);

/// Whether the pipe has no room left (the data stays after the readers are gone).
fn is_full(fd: BorrowedFd<'_>) -> bool {
    match (available(fd), capacity(fd)) {
        (Ok(used), Ok(cap)) => cap.saturating_sub(used) < 4096,
        _ => false,
    }
}

/// A zero-length write succeeds unless the readers are gone or the end is a read end.
fn write_nothing(fd: BorrowedFd<'_>) -> io::Result<usize> {
    let events = poll_now(fd, PollFlags::OUT)?;
    if events.contains(PollFlags::ERR) {
        return Err(win32(ERROR_NO_DATA));
    }
    if !rustix::fs::fcntl_getfl(fd)
        .map_err(from_os)?
        .intersects(rustix::fs::OFlags::WRONLY | rustix::fs::OFlags::RDWR)
    {
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    Ok(0)
}

/// One write call (`Write::write`): may write less than `buf`.
pub(crate) fn write_some(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    loop {
        match rustix::io::write(fd, buf) {
            Ok(n) => return Ok(n),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(pipe_error(fd, e, true)),
        }
    }
}

/// One read call (`Read::read`): `Ok(0)` at end of data.
pub(crate) fn read_some(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Ok(n) => return Ok(n),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(pipe_error(fd, e, false)),
        }
    }
}

fn poll_now(fd: BorrowedFd<'_>, events: PollFlags) -> io::Result<PollFlags> {
    poll_wait(fd, events, Some(&rustix::event::Timespec::default()))
}

fn poll_wait(
    fd: BorrowedFd<'_>,
    events: PollFlags,
    timeout: Option<&rustix::event::Timespec>,
) -> io::Result<PollFlags> {
    let mut fds = [PollFd::new(&fd, events)];
    loop {
        match poll(&mut fds, timeout) {
            Ok(_) => break,
            Err(Errno::INTR) => continue,
            Err(e) => return Err(from_os(e)),
        }
    }
    let revents = fds[0].revents();
    if revents.contains(PollFlags::NVAL) {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    Ok(revents)
}

/// Bytes waiting in the pipe (`FIONREAD`).
pub(crate) fn available(fd: BorrowedFd<'_>) -> io::Result<usize> {
    rustix::io::ioctl_fionread(fd)
        .map(|n| n as usize)
        .map_err(from_os)
}

thread_local! {
    /// A private pipe that `tee` copies into, so peeking never consumes the caller's data.
    static SCRATCH: RefCell<Option<(OwnedFd, OwnedFd)>> = const { RefCell::new(None) };
}

/// `PeekNamedPipe` on a pipe: copies up to `buf.len()` waiting bytes without removing them and
/// returns (bytes copied, bytes available). Fails with `ERROR_BROKEN_PIPE` when the pipe is
/// empty and every writer is gone.
pub(crate) fn peek(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<(usize, usize)> {
    let avail = available(fd)?;
    if avail == 0 {
        let events = poll_now(fd, PollFlags::IN)?;
        if events.contains(PollFlags::HUP) {
            return Err(win32(ERROR_BROKEN_PIPE));
        }
        return Ok((0, 0));
    }
    let want = buf.len().min(avail);
    if want == 0 {
        return Ok((0, avail));
    }
    SCRATCH.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(create(0)?);
        }
        let (sr, sw) = slot.as_ref().expect("scratch pipe was just created");
        if capacity(sw.as_fd())? < want {
            set_capacity(sw.as_fd(), want);
        }
        let copied = match rustix::pipe::tee(fd, sw.as_fd(), want, SpliceFlags::NONBLOCK) {
            Ok(n) => n,
            Err(Errno::AGAIN) => 0,
            Err(e) => return Err(pipe_error(fd, e, false)),
        };
        let mut got = 0;
        while got < copied {
            match rustix::io::read(sr.as_fd(), &mut buf[got..copied]) {
                Ok(n) => got += n,
                Err(Errno::INTR) => continue,
                Err(e) => return Err(from_os(e)),
            }
        }
        Ok((got, avail))
    })
}
