//! Handles as file descriptors: the value encoding, inheritance, duplication and what kind of
//! object a descriptor holds.
//!
//! A handle value is `(fd + 1) * 4`: never 0 (`NULL`), never negative (`INVALID_HANDLE_VALUE`
//! and the pseudo-handles), a multiple of four like NT's, and — because `exec` keeps descriptor
//! numbers — the same in a child that inherits it.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use rustix::fs::{FileType, OFlags};
use rustix::io::{FdFlags, fcntl_getfd, fcntl_setfd};

use crate::error::{ERROR_INVALID_HANDLE, from_os, win32};
use crate::object::ObjectKind;

/// The handle value of a descriptor.
pub(crate) fn value_of(fd: RawFd) -> usize {
    (fd as usize + 1) * 4
}

/// The descriptor a handle value stands for, if the value can be one. The low two bits are
/// ignored, as NT ignores them.
pub(crate) fn fd_of(value: usize) -> Option<RawFd> {
    if value == 0 || value as isize <= 0 {
        return None;
    }
    let fd = (value >> 2).checked_sub(1)?;
    RawFd::try_from(fd).ok()
}

/// Borrows the descriptor behind a handle value, failing with `ERROR_INVALID_HANDLE` unless it
/// is open in this process.
///
/// The borrow is only as good as the caller's promise that nobody closes the descriptor while
/// it is in use; the C ABI makes that promise on behalf of the Win32 program (closing a handle
/// that another thread is using is a bug on Windows too).
pub(crate) fn borrow_value(value: usize) -> io::Result<BorrowedFd<'static>> {
    let fd = fd_of(value).ok_or_else(|| win32(ERROR_INVALID_HANDLE))?;
    // SAFETY: the descriptor number is only used for an fcntl that checks it is open; the
    // caller-level contract above covers its later use.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    fcntl_getfd(fd).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
    Ok(fd)
}

/// Whether a child started with inheritance gets this descriptor (`HANDLE_FLAG_INHERIT`).
pub(crate) fn is_inheritable(fd: BorrowedFd<'_>) -> io::Result<bool> {
    let flags = fcntl_getfd(fd).map_err(from_os)?;
    Ok(!flags.contains(FdFlags::CLOEXEC))
}

/// Sets or clears `HANDLE_FLAG_INHERIT` (the inverse of `FD_CLOEXEC`).
pub(crate) fn set_inheritable(fd: BorrowedFd<'_>, inherit: bool) -> io::Result<()> {
    let mut flags = fcntl_getfd(fd).map_err(from_os)?;
    flags.set(FdFlags::CLOEXEC, !inherit);
    fcntl_setfd(fd, flags).map_err(from_os)
}

/// A new descriptor for the same open object (`DuplicateHandle` within a process).
pub(crate) fn duplicate(fd: BorrowedFd<'_>, inherit: bool) -> io::Result<OwnedFd> {
    let new = rustix::io::fcntl_dupfd_cloexec(fd, 0).map_err(from_os)?;
    if inherit {
        set_inheritable(new.as_fd(), true)?;
    }
    Ok(new)
}

/// Takes ownership of a descriptor number.
///
/// # Safety
/// `fd` must be open and owned by nobody else.
pub(crate) unsafe fn own(fd: RawFd) -> OwnedFd {
    // SAFETY: the caller guarantees `fd` is open and unowned.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

const PIDFS_MAGIC: i64 = 0x5049_4446;

/// What kind of object a descriptor holds, found from the descriptor alone — so a child that
/// inherited a handle can use it without being told what it is.
pub(crate) fn kind_of(fd: BorrowedFd<'_>) -> io::Result<ObjectKind> {
    let st = rustix::fs::fstat(fd).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
    let access = rustix::fs::fcntl_getfl(fd).map_err(from_os)?;
    let readable = !access.contains(OFlags::WRONLY);
    match FileType::from_raw_mode(st.st_mode) {
        FileType::Fifo => Ok(if readable {
            ObjectKind::PipeRead
        } else {
            ObjectKind::PipeWrite
        }),
        FileType::RegularFile => Ok(super::named::kind_of_file(fd)?.unwrap_or(ObjectKind::File)),
        FileType::CharacterDevice => Ok(ObjectKind::File),
        FileType::Socket => {
            let ours = |name: Option<Vec<u8>>| {
                name.is_some_and(|n| super::npipe_table::parse_socket_name(&n).is_some())
            };
            if ours(super::socket::local_name(fd)) || ours(super::socket::peer_name(fd)) {
                Ok(ObjectKind::NamedPipe)
            } else {
                Ok(ObjectKind::Other)
            }
        }
        _ => {
            let fs = rustix::fs::fstatfs(fd).map_err(from_os)?;
            if fs.f_type as i64 == PIDFS_MAGIC {
                // PIDFD_THREAD is O_EXCL: a thread's pidfd, not its process's.
                if access.contains(OFlags::EXCL) {
                    Ok(ObjectKind::Thread)
                } else {
                    Ok(ObjectKind::Process)
                }
            } else {
                Ok(ObjectKind::Other)
            }
        }
    }
}

/// The raw descriptor number of a borrowed descriptor (for messages and handle values).
pub(crate) fn raw(fd: BorrowedFd<'_>) -> RawFd {
    fd.as_raw_fd()
}

/// Closes a handle (`CloseHandle`): the last handle to a named object takes its name along,
/// and a handle to an ended child process reaps it (its exit code stays readable through any
/// other handle to it), so no zombie outlives the handles, as no process object outlives them
/// on Windows.
pub(crate) fn close(fd: OwnedFd) {
    let st = match rustix::fs::fstat(&fd) {
        Ok(st) => st,
        Err(_) => return,
    };
    match FileType::from_raw_mode(st.st_mode) {
        FileType::RegularFile if st.st_nlink > 0 => {
            // Object files carry their name in their header; other files have none.
            if let Ok(name) = super::named::name_of_file(fd.as_fd()) {
                super::named::close(fd, &st, &name);
            }
        }
        FileType::Unknown if matches!(kind_of(fd.as_fd()), Ok(ObjectKind::Process)) => {
            super::process::reap_if_ended(fd.as_fd());
        }
        _ => {}
    }
}
