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
        _ => Err(win32(ERROR_INVALID_HANDLE)),
    }
}
