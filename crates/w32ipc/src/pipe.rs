//! Anonymous pipes (`CreatePipe`): one-way byte streams between a process and its children.
//!
//! A read returns as soon as some data is there, up to the size asked. Once every write handle
//! is closed and the data is drained, [`PipeReader::read_file`] fails with `ERROR_BROKEN_PIPE`
//! (while [`Read::read`] returns `Ok(0)`, as Rust's `Read` expects). A write blocks while the
//! pipe is full; it fails with `ERROR_NO_DATA` once every read handle is closed, or with
//! `ERROR_BROKEN_PIPE` if the last one closes while it waits. There is no overlapped I/O on
//! anonymous pipes.
//!
//! Hand an end to a child as its standard input or output (`Stdio::from(reader)`), or as an
//! extra inherited handle whose value the child receives
//! ([`CommandExt::inherit_handle`](crate::process::CommandExt::inherit_handle)):
//!
//! ```
//! use std::io::Read;
//! use std::process::{Command, Stdio};
//!
//! let (mut reader, writer) = w32ipc::pipe::pipe()?;
//! let mut child = Command::new("echo").arg("hi").stdout(Stdio::from(writer)).spawn()?;
//! let mut out = String::new();
//! reader.read_to_string(&mut out)?;
//! child.wait()?;
//! assert_eq!(out, "hi\n");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::process::Stdio;

use crate::error::{ERROR_INVALID_HANDLE, win32};
use crate::object::{AsHandleValue, Handle, HandleValue, ObjectKind};
use crate::sys;

/// Creates an anonymous pipe with the default buffer size; neither end is inheritable.
#[doc(alias = "CreatePipe")]
pub fn pipe() -> io::Result<(PipeReader, PipeWriter)> {
    create_pipe(0, false)
}

/// Creates an anonymous pipe (`CreatePipe(&r, &w, sa, nSize)`).
///
/// `size_hint` is the buffer size wanted (0 = the system default); the pipe holds at least
/// that much when the system allows it (a 1 MiB hint gives a 1 MiB pipe). `inheritable` is
/// `SECURITY_ATTRIBUTES.bInheritHandle` and applies to both ends.
///
/// ```
/// let (reader, _writer) = w32ipc::pipe::create_pipe(1 << 20, false)?;
/// assert!(reader.capacity()? >= 1 << 20);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "CreatePipe")]
pub fn create_pipe(size_hint: usize, inheritable: bool) -> io::Result<(PipeReader, PipeWriter)> {
    let (r, w) = sys::pipe::create(size_hint)?;
    let (r, w) = (
        PipeReader(Handle::from_fd(r)),
        PipeWriter(Handle::from_fd(w)),
    );
    if inheritable {
        r.0.set_inheritable(true)?;
        w.0.set_inheritable(true)?;
    }
    Ok((r, w))
}

/// The read end of an anonymous pipe.
#[derive(Debug)]
pub struct PipeReader(Handle);

/// The write end of an anonymous pipe.
#[derive(Debug)]
pub struct PipeWriter(Handle);

macro_rules! pipe_end_common {
    ($ty:ident, $kind:expr) => {
        impl $ty {
            /// Takes a handle known to be this end of a pipe; fails with `ERROR_INVALID_HANDLE`
            /// for any other object.
            pub fn from_handle(handle: Handle) -> io::Result<$ty> {
                if handle.kind()? != $kind {
                    return Err(win32(ERROR_INVALID_HANDLE));
                }
                Ok($ty(handle))
            }

            /// Takes ownership of an inherited handle by value (see
            /// [`Handle::from_inherited`]), checking that it is this end of a pipe.
            ///
            /// # Safety
            /// Nothing else in this process may own or close the handle.
            pub unsafe fn from_inherited(value: HandleValue) -> io::Result<$ty> {
                // SAFETY: forwarded to the caller.
                let handle = unsafe { Handle::from_inherited(value)? };
                match $ty::from_handle(handle) {
                    Ok(end) => Ok(end),
                    Err(e) => Err(e),
                }
            }

            /// The generic handle.
            pub fn into_handle(self) -> Handle {
                self.0
            }

            /// The generic handle, borrowed.
            pub fn as_handle(&self) -> &Handle {
                &self.0
            }

            /// The pipe's buffer size in bytes.
            pub fn capacity(&self) -> io::Result<usize> {
                sys::pipe::capacity(self.0.fd())
            }

            /// Makes this end inheritable or not (`SetHandleInformation`).
            #[doc(alias = "SetHandleInformation")]
            pub fn set_inheritable(&self, inherit: bool) -> io::Result<()> {
                self.0.set_inheritable(inherit)
            }

            /// Another handle to this end (`DuplicateHandle`).
            #[doc(alias = "DuplicateHandle")]
            pub fn try_clone(&self, inheritable: bool) -> io::Result<$ty> {
                Ok($ty(self.0.try_clone(inheritable)?))
            }
        }

        impl AsHandleValue for $ty {
            fn handle_value(&self) -> HandleValue {
                self.0.handle_value()
            }
        }

        impl AsFd for $ty {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.fd()
            }
        }

        impl From<$ty> for OwnedFd {
            fn from(end: $ty) -> OwnedFd {
                end.0.into()
            }
        }

        impl From<$ty> for Stdio {
            fn from(end: $ty) -> Stdio {
                Stdio::from(OwnedFd::from(end))
            }
        }
    };
}

pipe_end_common!(PipeReader, ObjectKind::PipeRead);
pipe_end_common!(PipeWriter, ObjectKind::PipeWrite);

impl PipeReader {
    /// Reads what is there, up to `buf.len()` bytes, waiting until something is (`ReadFile`).
    ///
    /// # Errors
    /// `ERROR_BROKEN_PIPE` once every write handle is closed and the pipe is drained. A
    /// zero-length read waits like any other until data is there (and leaves it in the pipe),
    /// then returns `Ok(0)`.
    #[doc(alias = "ReadFile")]
    pub fn read_file(&self, buf: &mut [u8]) -> io::Result<usize> {
        sys::pipe::read(self.0.fd(), buf)
    }

    /// Copies waiting bytes into `buf` without removing them, and returns (bytes copied, bytes
    /// available) — `PeekNamedPipe`, which works on anonymous pipes too. Never blocks.
    ///
    /// # Errors
    /// `ERROR_BROKEN_PIPE` when the pipe is empty and every writer is gone.
    #[doc(alias = "PeekNamedPipe")]
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<(usize, usize)> {
        sys::pipe::peek(self.0.fd(), buf)
    }

    /// Bytes waiting to be read.
    pub fn available(&self) -> io::Result<usize> {
        sys::pipe::available(self.0.fd())
    }
}

impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        sys::pipe::read_some(self.0.fd(), buf)
    }
}

impl Read for &PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        sys::pipe::read_some(self.0.fd(), buf)
    }
}

impl PipeWriter {
    /// Writes all of `buf`, blocking while the pipe is full (`WriteFile`).
    ///
    /// # Errors
    /// `ERROR_NO_DATA` when every read handle was closed before the call; `ERROR_BROKEN_PIPE`
    /// when the last one closes while the write waits for room.
    #[doc(alias = "WriteFile")]
    pub fn write_file(&self, buf: &[u8]) -> io::Result<usize> {
        sys::pipe::write(self.0.fd(), buf)
    }
}

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        sys::pipe::write_some(self.0.fd(), buf)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let buf = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &**b);
        self.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for &PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        sys::pipe::write_some(self.0.fd(), buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
