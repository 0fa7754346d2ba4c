//! Unix stream sockets, the transport under named pipes: abstract listeners, non-blocking
//! connects, accepts, framed sends, reads with the flags named pipes need, queue sizes and peer
//! credentials.

use std::io::{self, IoSlice};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

use rustix::event::{PollFd, PollFlags, poll};
use rustix::io::Errno;
use rustix::net::{
    AddressFamily, RecvFlags, SendFlags, SocketAddrUnix, SocketFlags, SocketType, sockopt,
};

use crate::error::{
    ERROR_BROKEN_PIPE, ERROR_INVALID_HANDLE, ERROR_NO_DATA, ERROR_PIPE_BUSY, from_os, win32,
};

fn stream(nonblocking: bool) -> io::Result<OwnedFd> {
    let mut flags = SocketFlags::CLOEXEC;
    if nonblocking {
        flags |= SocketFlags::NONBLOCK;
    }
    rustix::net::socket_with(AddressFamily::UNIX, SocketType::STREAM, flags, None).map_err(from_os)
}

fn abstract_addr(name: &[u8]) -> io::Result<SocketAddrUnix> {
    SocketAddrUnix::new_abstract_name(name).map_err(from_os)
}

/// A non-blocking listener bound to the abstract name `name`, with room for one pending
/// connection. `Ok(None)` when the name is taken.
pub(crate) fn listen(name: &[u8]) -> io::Result<Option<OwnedFd>> {
    let fd = stream(true)?;
    match rustix::net::bind(&fd, &abstract_addr(name)?) {
        Ok(()) => {}
        Err(Errno::ADDRINUSE) => return Ok(None),
        Err(e) => return Err(from_os(e)),
    }
    rustix::net::listen(&fd, 0).map_err(from_os)?;
    Ok(Some(fd))
}

/// Connects to the listener called `name`, without waiting: `ERROR_PIPE_BUSY` when its queue is
/// full, `Ok(None)` when nobody listens there. The returned socket blocks.
pub(crate) fn connect(name: &[u8]) -> io::Result<Option<OwnedFd>> {
    let fd = stream(true)?;
    match rustix::net::connect(&fd, &abstract_addr(name)?) {
        Ok(()) => {}
        Err(Errno::AGAIN) => return Err(win32(ERROR_PIPE_BUSY)),
        Err(Errno::CONNREFUSED) | Err(Errno::NOENT) => return Ok(None),
        Err(e) => return Err(from_os(e)),
    }
    rustix::io::ioctl_fionbio(&fd, false).map_err(from_os)?;
    Ok(Some(fd))
}

/// Takes a pending connection off `listener` (close-on-exec, blocking), if there is one.
pub(crate) fn accept(listener: BorrowedFd<'_>) -> io::Result<Option<OwnedFd>> {
    loop {
        match rustix::net::accept_with(listener, SocketFlags::CLOEXEC) {
            Ok(fd) => return Ok(Some(fd)),
            Err(Errno::AGAIN) => return Ok(None),
            Err(Errno::INTR) | Err(Errno::CONNABORTED) => continue,
            Err(e) => return Err(from_os(e)),
        }
    }
}

/// Makes the descriptor number `target` refer to `src`'s socket, keeping `target`'s
/// inheritability: how a pipe handle keeps its value while the socket behind it changes.
pub(crate) fn replace(src: BorrowedFd<'_>, target: RawFd) -> io::Result<()> {
    // SAFETY: `target` is an open descriptor owned by the caller; wrapping it in ManuallyDrop
    // means this function never closes it (dup3 replaces what it refers to atomically).
    let mut t = std::mem::ManuallyDrop::new(unsafe { OwnedFd::from_raw_fd(target) });
    let cloexec = rustix::io::fcntl_getfd(t.as_fd())
        .map_err(from_os)?
        .contains(rustix::io::FdFlags::CLOEXEC);
    let flags = if cloexec {
        rustix::io::DupFlags::CLOEXEC
    } else {
        rustix::io::DupFlags::empty()
    };
    rustix::io::dup3(src, &mut t, flags).map_err(from_os)
}

/// Ends a connection for everyone holding it: blocked reads and writes on it return, and the
/// peer sees the end of the stream.
pub(crate) fn shutdown(fd: BorrowedFd<'_>) {
    let _ = rustix::net::shutdown(fd, rustix::net::Shutdown::Both);
}

/// Waits until `fd` is readable (data, a pending connection, or the peer gone), up to
/// `deadline`. Returns `false` on time-out.
pub(crate) fn wait_readable(fd: BorrowedFd<'_>, deadline: Option<Instant>) -> io::Result<bool> {
    wait(fd, PollFlags::IN, deadline)
}

/// Waits until `fd` can take more data (or the peer is gone), up to `deadline`.
pub(crate) fn wait_writable(fd: BorrowedFd<'_>, deadline: Option<Instant>) -> io::Result<bool> {
    wait(fd, PollFlags::OUT, deadline)
}

fn wait(fd: BorrowedFd<'_>, what: PollFlags, deadline: Option<Instant>) -> io::Result<bool> {
    loop {
        let timeout = deadline.map(|d| {
            let left = d.saturating_duration_since(Instant::now());
            rustix::time::Timespec {
                tv_sec: left.as_secs() as i64,
                tv_nsec: left.subsec_nanos() as _,
            }
        });
        let mut fds = [PollFd::new(&fd, what)];
        match poll(&mut fds, timeout.as_ref()) {
            Ok(0) => return Ok(false),
            Ok(_) => return Ok(true),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(from_os(e)),
        }
    }
}

/// Whether the peer has closed its end (data it sent may still be waiting).
pub(crate) fn peer_closed(fd: BorrowedFd<'_>) -> bool {
    let mut fds = [PollFd::new(&fd, PollFlags::RDHUP)];
    matches!(poll(&mut fds, Some(&rustix::time::Timespec { tv_sec: 0, tv_nsec: 0 })), Ok(n) if n > 0)
        && fds[0]
            .revents()
            .intersects(PollFlags::RDHUP | PollFlags::HUP)
}

/// The peer's process id and user id, as they were when it connected (or listened).
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<(u32, u32)> {
    let c = sockopt::socket_peercred(fd).map_err(from_os)?;
    Ok((c.pid.as_raw_nonzero().get() as u32, c.uid.as_raw()))
}

/// Our effective user id.
pub(crate) fn own_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The abstract name a socket is bound to (a listener, or a server's accepted connection).
pub(crate) fn local_name(fd: BorrowedFd<'_>) -> Option<Vec<u8>> {
    abstract_of(rustix::net::getsockname(fd).ok()?)
}

/// The abstract name of the listener a client socket connected to.
pub(crate) fn peer_name(fd: BorrowedFd<'_>) -> Option<Vec<u8>> {
    abstract_of(rustix::net::getpeername(fd).ok()??)
}

fn abstract_of(addr: rustix::net::SocketAddrAny) -> Option<Vec<u8>> {
    let unix = SocketAddrUnix::try_from(addr).ok()?;
    unix.abstract_name().map(<[u8]>::to_vec)
}

/// How much a send may wait.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Send {
    /// Block until everything is sent.
    All,
    /// Send what fits now and return the count (a byte pipe in no-wait mode).
    WhatFits,
    /// Send everything if it looks like it fits now, else nothing (a message in no-wait mode).
    /// The guess comes from the socket's free space; if it was wrong the rest is sent blocking,
    /// since a message is never cut.
    AllOrNothing,
}

/// What is left of `parts` (at most two: a header and a message) after the first `skip` bytes,
/// as the I/O vector of one `sendmsg` (no allocation: this is on every write).
fn unsent<'a>(parts: &[&'a [u8]], skip: usize) -> [IoSlice<'a>; 2] {
    assert!(parts.len() <= 2, "a send is a header and a message at most");
    let mut iov = [IoSlice::new(&[]), IoSlice::new(&[])];
    let mut skip = skip;
    for (slot, p) in iov.iter_mut().zip(parts) {
        let from = skip.min(p.len());
        *slot = IoSlice::new(&p[from..]);
        skip -= from;
    }
    iov
}

/// Sends `parts` as one stream of bytes; returns how many were sent (see [`Send`]).
///
/// # Errors
/// `ERROR_NO_DATA` when the peer is gone.
pub(crate) fn send_all(fd: BorrowedFd<'_>, parts: &[&[u8]], how: Send) -> io::Result<usize> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    if how == Send::AllOrNothing {
        let room = sockopt::socket_send_buffer_size(fd)
            .map_err(from_os)?
            .saturating_sub(queued_out(fd)?);
        // Each queued piece also costs the kernel some bookkeeping: keep a margin.
        if total + 1024 > room {
            return Ok(0);
        }
    }
    let nonblocking = how == Send::WhatFits;
    let mut sent = 0usize;
    while sent < total {
        let iov = unsent(parts, sent);
        let mut flags = SendFlags::NOSIGNAL;
        if nonblocking {
            flags |= SendFlags::DONTWAIT;
        }
        match rustix::net::sendmsg(
            fd,
            &iov,
            &mut rustix::net::SendAncillaryBuffer::default(),
            flags,
        ) {
            Ok(n) => sent += n,
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) if nonblocking => return Ok(sent),
            Err(Errno::AGAIN) => {
                wait_writable(fd, None)?;
            }
            Err(Errno::PIPE) | Err(Errno::CONNRESET) | Err(Errno::NOTCONN) => {
                return Err(win32(ERROR_NO_DATA));
            }
            Err(Errno::BADF) | Err(Errno::NOTSOCK) => return Err(win32(ERROR_INVALID_HANDLE)),
            Err(e) => return Err(from_os(e)),
        }
    }
    Ok(sent)
}

/// How a read waits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Wait {
    /// Block until some data (or all of it, with [`recv`]'s `all`).
    Block,
    /// Return `Ok(None)` at once when nothing is there.
    Never,
}

/// Reads into `buf` (peeking if `peek`). With `all` and `Wait::Block`, waits until `buf` is
/// full (a message's known length). `Ok(Some(0))` with a non-empty `buf`: the peer is gone and
/// nothing is left. `Ok(None)`: nothing there and `wait` is `Never`.
pub(crate) fn recv(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    peek: bool,
    all: bool,
    wait: Wait,
) -> io::Result<Option<usize>> {
    let mut flags = RecvFlags::empty();
    if peek {
        flags |= RecvFlags::PEEK;
    }
    if wait == Wait::Never {
        flags |= RecvFlags::DONTWAIT;
    }
    let mut got = 0usize;
    loop {
        match rustix::net::recv(fd, &mut buf[got..], flags) {
            Ok((0, _)) if !buf.is_empty() => return Ok(Some(got)),
            Ok((n, _)) => {
                got += n;
                if peek || !all || got == buf.len() || wait == Wait::Never {
                    return Ok(Some(got));
                }
            }
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) if wait == Wait::Never => {
                return Ok(if got == 0 { None } else { Some(got) });
            }
            Err(Errno::AGAIN) => {
                wait_readable(fd, None)?;
            }
            Err(Errno::CONNRESET) => {
                return if got > 0 {
                    Ok(Some(got))
                } else {
                    Err(win32(ERROR_BROKEN_PIPE))
                };
            }
            Err(Errno::BADF) | Err(Errno::NOTSOCK) => return Err(win32(ERROR_INVALID_HANDLE)),
            Err(e) => return Err(from_os(e)),
        }
    }
}

/// Bytes waiting to be read.
pub(crate) fn queued_in(fd: BorrowedFd<'_>) -> io::Result<usize> {
    rustix::io::ioctl_fionread(fd)
        .map(|n| n as usize)
        .map_err(from_os)
}

/// Bytes this end sent that the peer has not read yet (memory still charged to the sender).
pub(crate) fn queued_out(fd: BorrowedFd<'_>) -> io::Result<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: SIOCOUTQ writes one int through the pointer, which points at `n`.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCOUTQ, &mut n) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n.max(0) as usize)
}

/// Asks for socket buffers of about `out` and `in_` bytes (0: keep the default). The system
/// caps them; the sizes are hints, as in Win32.
pub(crate) fn set_buffer_sizes(fd: BorrowedFd<'_>, out: usize, in_: usize) {
    if out > 0 {
        let _ = sockopt::set_socket_send_buffer_size(fd, out);
    }
    if in_ > 0 {
        let _ = sockopt::set_socket_recv_buffer_size(fd, in_);
    }
}

/// The socket's send and receive buffer sizes.
pub(crate) fn buffer_sizes(fd: BorrowedFd<'_>) -> io::Result<(usize, usize)> {
    Ok((
        sockopt::socket_send_buffer_size(fd).map_err(from_os)?,
        sockopt::socket_recv_buffer_size(fd).map_err(from_os)?,
    ))
}

/// The inode of `fd` if it is a socket (a named pipe end, or something else entirely).
pub(crate) fn socket_inode(fd: BorrowedFd<'_>) -> Option<u64> {
    let st = rustix::fs::fstat(fd).ok()?;
    (rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Socket)
        .then_some(st.st_ino)
}

/// The raw number of a descriptor.
pub(crate) fn raw(fd: impl AsFd) -> RawFd {
    fd.as_fd().as_raw_fd()
}

/// Sends what fits of `parts` after skipping the first `skip` bytes, without waiting.
/// `Ok(None)` when nothing fits now.
///
/// # Errors
/// `ERROR_NO_DATA` when the peer is gone.
pub(crate) fn send_some(
    fd: BorrowedFd<'_>,
    parts: &[&[u8]],
    skip: usize,
) -> io::Result<Option<usize>> {
    if skip >= parts.iter().map(|p| p.len()).sum() {
        return Ok(Some(0));
    }
    let iov = unsent(parts, skip);
    loop {
        match rustix::net::sendmsg(
            fd,
            &iov,
            &mut rustix::net::SendAncillaryBuffer::default(),
            SendFlags::NOSIGNAL | SendFlags::DONTWAIT,
        ) {
            Ok(n) => return Ok(Some(n)),
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) => return Ok(None),
            Err(Errno::PIPE) | Err(Errno::CONNRESET) | Err(Errno::NOTCONN) => {
                return Err(win32(ERROR_NO_DATA));
            }
            Err(Errno::BADF) | Err(Errno::NOTSOCK) => return Err(win32(ERROR_INVALID_HANDLE)),
            Err(e) => return Err(from_os(e)),
        }
    }
}
