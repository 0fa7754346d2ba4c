//! `ReadFile`, `WriteFile` and `PeekNamedPipe` on a handle of any kind, with the semantics of
//! the object behind it — what the C ABI calls, and what generic Rust code holding a
//! [`Handle`] can use.
//!
//! ```
//! use w32ipc::io::{read_file, write_file};
//! let (reader, writer) = w32ipc::pipe::pipe()?;
//! let (r, w) = (reader.into_handle(), writer.into_handle());
//! assert_eq!(write_file(&w, b"ping")?, 4);
//! let mut buf = [0u8; 16];
//! assert_eq!(read_file(&r, &mut buf)?, 4);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use crate::error::{ERROR_ACCESS_DENIED, ERROR_INVALID_FUNCTION, ERROR_INVALID_HANDLE, win32};
use crate::object::{Handle, ObjectKind};
use crate::sys;

/// Reads from the object behind `handle` (`ReadFile` without `OVERLAPPED`).
///
/// # Errors
/// As the object's own read: for a pipe, `ERROR_BROKEN_PIPE` once the writers are gone and the
/// data drained; `ERROR_ACCESS_DENIED` on a write end; `ERROR_INVALID_HANDLE` on a closed handle.
#[doc(alias = "ReadFile")]
pub fn read_file(handle: &Handle, buf: &mut [u8]) -> io::Result<usize> {
    match handle.kind()? {
        ObjectKind::PipeRead | ObjectKind::PipeWrite => sys::pipe::read(handle.fd(), buf),
        ObjectKind::File => sys::pipe::read_some(handle.fd(), buf),
        // A message that does not fit leaves its rest for the next read; the count is what
        // fitted (use `npipe::PipeHandle::read` to learn that more is waiting).
        ObjectKind::NamedPipe => named_pipe(handle)?.read(buf).map(|r| r.len),
        ObjectKind::Process | ObjectKind::Thread | ObjectKind::Mapping => {
            Err(win32(ERROR_INVALID_HANDLE))
        }
        _ => Err(win32(ERROR_INVALID_FUNCTION)),
    }
}

/// Writes all of `buf` to the object behind `handle` (`WriteFile` without `OVERLAPPED`).
///
/// # Errors
/// As the object's own write: for a pipe, `ERROR_NO_DATA` once the readers are gone;
/// `ERROR_ACCESS_DENIED` on a read end.
#[doc(alias = "WriteFile")]
pub fn write_file(handle: &Handle, buf: &[u8]) -> io::Result<usize> {
    match handle.kind()? {
        ObjectKind::PipeRead | ObjectKind::PipeWrite => sys::pipe::write(handle.fd(), buf),
        ObjectKind::File => {
            let mut done = 0;
            while done < buf.len() {
                done += sys::pipe::write_some(handle.fd(), &buf[done..])?;
            }
            Ok(done)
        }
        ObjectKind::NamedPipe => named_pipe(handle)?.write(buf),
        ObjectKind::Process | ObjectKind::Thread | ObjectKind::Mapping => {
            Err(win32(ERROR_INVALID_HANDLE))
        }
        _ => Err(win32(ERROR_INVALID_FUNCTION)),
    }
}

/// What [`peek_pipe`] saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeekInfo {
    /// Bytes copied into the buffer.
    pub read: usize,
    /// Bytes waiting in the pipe.
    pub available: usize,
    /// Bytes left in the current message (0 for byte pipes).
    pub left_in_message: usize,
}

/// Copies waiting bytes without removing them (`PeekNamedPipe`); never blocks.
///
/// # Errors
/// `ERROR_BROKEN_PIPE` when the pipe is empty and its writers are gone; `ERROR_INVALID_HANDLE`
/// (Windows' answer) for objects that are not pipes.
#[doc(alias = "PeekNamedPipe")]
pub fn peek_pipe(handle: &Handle, buf: &mut [u8]) -> io::Result<PeekInfo> {
    match handle.kind()? {
        ObjectKind::PipeRead => {
            let (read, available) = sys::pipe::peek(handle.fd(), buf)?;
            Ok(PeekInfo {
                read,
                available,
                left_in_message: 0,
            })
        }
        ObjectKind::PipeWrite => Err(win32(ERROR_ACCESS_DENIED)),
        ObjectKind::NamedPipe => named_pipe(handle)?.peek(buf),
        _ => Err(win32(ERROR_INVALID_HANDLE)),
    }
}

fn named_pipe(handle: &Handle) -> io::Result<crate::npipe::PipeHandle> {
    crate::npipe::PipeHandle::of(handle).ok_or_else(|| win32(ERROR_INVALID_HANDLE))
}

/// Waiting for many handles' descriptors to become ready, with a way to interrupt the wait:
/// what an event loop (the C ABI's overlapped I/O) is built on.
pub mod readiness {
    use std::io;
    use std::os::fd::{AsFd, OwnedFd, RawFd};

    use crate::sys;

    /// Interrupts a [`Waker::wait`] from another thread.
    #[derive(Debug)]
    pub struct Waker(OwnedFd);

    /// How a descriptor came out of a wait.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Ready {
        /// Not ready.
        No,
        /// Ready for what was asked.
        Yes,
        /// The descriptor was closed.
        Closed,
    }

    impl Waker {
        /// A new waker.
        ///
        /// ```
        /// let w = w32ipc::io::readiness::Waker::new()?;
        /// w.wake();
        /// assert!(w.wait(&[])?.is_empty()); // returns at once: woken
        /// # Ok::<(), std::io::Error>(())
        /// ```
        pub fn new() -> io::Result<Waker> {
            Ok(Waker(sys::poll::waker()?))
        }

        /// Makes the current or next [`wait`](Self::wait) return.
        pub fn wake(&self) {
            sys::poll::wake(self.0.as_fd())
        }

        /// Waits until one of `fds` — (descriptor number, wants input; else output) — is
        /// ready, or until woken. Descriptors are taken as numbers: one closed meanwhile
        /// reports [`Ready::Closed`].
        pub fn wait(&self, fds: &[(RawFd, bool)]) -> io::Result<Vec<Ready>> {
            Ok(sys::poll::wait(self.0.as_fd(), fds)?
                .into_iter()
                .map(|r| match r {
                    None => Ready::No,
                    Some(false) => Ready::Yes,
                    Some(true) => Ready::Closed,
                })
                .collect())
        }
    }
}
