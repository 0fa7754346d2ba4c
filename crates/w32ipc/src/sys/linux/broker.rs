//! Handing a descriptor to another process (`DuplicateHandle` with another process as the
//! target). Linux cannot put a descriptor into a process from outside, so a process that
//! accepts handles runs a small server: a thread listening on an abstract Unix socket named
//! after its pid. A sender passes the descriptor with `SCM_RIGHTS`; the receiver installs it and
//! answers with the handle value it now has there; a sender can also ask it to close one of its
//! handles (`DUPLICATE_CLOSE_SOURCE` from another process). Only processes of the same user are
//! served (checked with `SO_PEERCRED`). Abstract sockets vanish with their process: nothing is left
//! behind after a crash.

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, SocketAddrUnix, SocketFlags, SocketType,
};

use crate::error::{ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, from_os, win32};

fn address(pid: u32) -> io::Result<SocketAddrUnix> {
    let name = format!(
        "w32ipc/handles/{}/{pid}",
        rustix::process::getuid().as_raw()
    );
    SocketAddrUnix::new_abstract_name(name.as_bytes()).map_err(from_os)
}

fn seqpacket() -> io::Result<OwnedFd> {
    rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        None,
    )
    .map_err(from_os)
}

/// Starts this process's handle server, once. Returns an error if the socket cannot be bound.
pub(crate) fn serve() -> io::Result<()> {
    static STARTED: OnceLock<Result<(), Errno>> = OnceLock::new();
    let result = STARTED.get_or_init(|| {
        let listener = seqpacket().map_err(|_| Errno::NOMEM)?;
        rustix::net::bind(
            &listener,
            &address(std::process::id()).map_err(|_| Errno::INVAL)?,
        )?;
        rustix::net::listen(&listener, 16)?;
        std::thread::Builder::new()
            .name("w32ipc-handles".into())
            .spawn(move || accept_loop(listener))
            .map_err(|_| Errno::AGAIN)?;
        Ok(())
    });
    (*result).map_err(from_os)
}

fn accept_loop(listener: OwnedFd) {
    loop {
        match rustix::net::accept_with(&listener, SocketFlags::CLOEXEC) {
            Ok(conn) => {
                // A bad request only ends its own connection.
                let _ = receive_one(conn.as_fd());
            }
            Err(Errno::INTR) | Err(Errno::CONNABORTED) => continue,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// A request: install the descriptor sent along (inheritable or not), or close a handle.
const INSTALL: u8 = 0;
const INSTALL_INHERITABLE: u8 = 1;
const CLOSE: u8 = 2;

/// Serves one request of a connection and answers with a handle value (0 for a close).
fn receive_one(conn: BorrowedFd<'_>) -> io::Result<()> {
    let peer = rustix::net::sockopt::socket_peercred(conn).map_err(from_os)?;
    if peer.uid != rustix::process::getuid() {
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    let mut request = [0u8; 9];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let msg = rustix::net::recvmsg(
        conn,
        &mut [IoSliceMut::new(&mut request)],
        &mut control,
        RecvFlags::CMSG_CLOEXEC,
    )
    .map_err(from_os)?;
    let mut received: Option<OwnedFd> = None;
    for m in control.drain() {
        if let RecvAncillaryMessage::ScmRights(fds) = m {
            for fd in fds {
                // More than one descriptor is a malformed request: keep the first, close the rest.
                if received.is_none() {
                    received = Some(fd);
                }
            }
        }
    }
    if msg.bytes == 9 && request[0] == CLOSE && received.is_none() {
        let value = u64::from_le_bytes(request[1..].try_into().expect("8 bytes")) as usize;
        let closed = super::handle::borrow_value(value).ok().map(|fd| {
            // SAFETY: the descriptor is open (checked just now), and a process of our user
            // with a handle to us asked us to close it, as DuplicateHandle(…,
            // DUPLICATE_CLOSE_SOURCE) does on Windows: ownership passes to this close.
            super::handle::close(unsafe { super::handle::own(super::handle::raw(fd)) })
        });
        let answer: u64 = if closed.is_some() { 0 } else { u64::MAX };
        rustix::net::send(conn, &answer.to_le_bytes(), SendFlags::NOSIGNAL).map_err(from_os)?;
        return Ok(());
    }
    let fd = match (msg.bytes, received) {
        (1, Some(fd)) if request[0] == INSTALL || request[0] == INSTALL_INHERITABLE => fd,
        _ => return Err(win32(ERROR_INVALID_HANDLE)),
    };
    if request[0] == INSTALL_INHERITABLE {
        super::handle::set_inheritable(fd.as_fd(), true)?;
    }
    let value = super::handle::value_of(super::handle::raw(fd.as_fd())) as u64;
    // The descriptor now belongs to the program, which learns its value from the sender.
    std::mem::forget(fd);
    rustix::net::send(conn, &value.to_le_bytes(), SendFlags::NOSIGNAL).map_err(from_os)?;
    Ok(())
}

/// Gives a duplicate of `fd` to process `pid` and returns its handle value there. Waits up to
/// two seconds for a process that is still starting to open its handle server.
///
/// # Errors
/// `ERROR_ACCESS_DENIED` when the process does not accept handles (it is not a w32ipc process,
/// or belongs to another user).
pub(crate) fn send(pid: u32, fd: BorrowedFd<'_>, inheritable: bool) -> io::Result<usize> {
    let conn = connect(pid)?;
    let fds = [fd];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    control.push(SendAncillaryMessage::ScmRights(&fds));
    let op = if inheritable {
        INSTALL_INHERITABLE
    } else {
        INSTALL
    };
    rustix::net::sendmsg(
        &conn,
        &[IoSlice::new(&[op])],
        &mut control,
        SendFlags::NOSIGNAL,
    )
    .map_err(from_os)?;
    Ok(answer(conn.as_fd())? as usize)
}

/// Asks process `pid` to close its handle `value`.
///
/// # Errors
/// `ERROR_ACCESS_DENIED` when the process does not accept requests; `ERROR_INVALID_HANDLE`
/// when the value cannot be a handle.
pub(crate) fn close_in(pid: u32, value: usize) -> io::Result<()> {
    let conn = connect(pid)?;
    let mut request = [CLOSE; 9];
    request[1..].copy_from_slice(&(value as u64).to_le_bytes());
    rustix::net::send(&conn, &request, SendFlags::NOSIGNAL).map_err(from_os)?;
    match answer(conn.as_fd())? {
        0 => Ok(()),
        _ => Err(win32(ERROR_INVALID_HANDLE)),
    }
}

fn answer(conn: BorrowedFd<'_>) -> io::Result<u64> {
    let mut reply = [0u8; 8];
    match rustix::net::recv(conn, &mut reply, RecvFlags::empty()) {
        Ok((8, _)) => Ok(u64::from_le_bytes(reply)),
        Ok(_) => Err(win32(ERROR_ACCESS_DENIED)),
        Err(e) => Err(from_os(e)),
    }
}

fn connect(pid: u32) -> io::Result<OwnedFd> {
    let addr = address(pid)?;
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let conn = seqpacket()?;
        match rustix::net::connect(&conn, &addr) {
            Ok(()) => return Ok(conn),
            Err(Errno::CONNREFUSED) | Err(Errno::AGAIN) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return Err(win32(ERROR_ACCESS_DENIED)),
        }
    }
}
