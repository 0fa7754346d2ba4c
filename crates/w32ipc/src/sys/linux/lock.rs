//! OFD byte locks: the kernel drops them when the last descriptor of their open file
//! description closes — also when the process is killed — which makes them the liveness mark of
//! shared tables (named-pipe instances, windows, message queues).

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// Sets (`F_WRLCK`/`F_RDLCK`) or clears (`F_UNLCK`) the lock on byte `at` through `fd`'s
/// description, waiting if `wait`. `Ok(false)`: held by another description (no wait).
pub(crate) fn ofd(fd: BorrowedFd<'_>, at: i64, kind: i32, wait: bool) -> io::Result<bool> {
    // SAFETY: flock is plain data; zeroed is a valid value.
    let mut l: libc::flock = unsafe { std::mem::zeroed() };
    l.l_type = kind as _;
    l.l_whence = libc::SEEK_SET as _;
    l.l_start = at;
    l.l_len = 1;
    let cmd = if wait {
        libc::F_OFD_SETLKW
    } else {
        libc::F_OFD_SETLK
    };
    loop {
        // SAFETY: F_OFD_SETLK(W) reads the flock structure `l` points at.
        let r = unsafe { libc::fcntl(fd.as_raw_fd(), cmd, &l) };
        if r == 0 {
            return Ok(true);
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EAGAIN) | Some(libc::EACCES) if !wait => return Ok(false),
            _ => return Err(err),
        }
    }
}

/// Whether another open file description (another process, or another open of the file) holds
/// a lock on byte `at`.
pub(crate) fn held_by_other(fd: BorrowedFd<'_>, at: i64) -> bool {
    // SAFETY: flock is plain data; zeroed is a valid value.
    let mut l: libc::flock = unsafe { std::mem::zeroed() };
    l.l_type = libc::F_WRLCK as _;
    l.l_whence = libc::SEEK_SET as _;
    l.l_start = at;
    l.l_len = 1;
    // SAFETY: F_OFD_GETLK reads and writes the flock structure `l` points at.
    let r = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_OFD_GETLK, &mut l) };
    r == 0 && l.l_type != libc::F_UNLCK as _
}

/// 64 random bits (identities of tables and queues).
pub(crate) fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    if rustix::rand::getrandom(&mut bytes, rustix::rand::GetRandomFlags::NONBLOCK) == Ok(8) {
        return u64::from_le_bytes(bytes);
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (t.as_nanos() as u64) ^ (u64::from(std::process::id()) << 40)
}
