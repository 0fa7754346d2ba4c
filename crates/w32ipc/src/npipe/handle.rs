//! Named-pipe operations on a plain [`Handle`]: what the Win32-style functions (and the C ABI)
//! call, including the non-blocking steps an overlapped-I/O engine drives.

use std::io;
use std::os::fd::{BorrowedFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::end::{PipeEnd, Role};
use super::{HandleState, PeekInfo, PipeInfo, PipeMode, ReadOutcome, UNLIMITED_INSTANCES};
use crate::error::{ERROR_BROKEN_PIPE, ERROR_INVALID_FUNCTION, Win32ErrorExt, win32};
use crate::object::Handle;
use crate::sys::socket;

pub(crate) fn into_handle(end: Arc<PipeEnd>) -> Handle {
    let raw = end.release_fd();
    super::registry::insert(end);
    // SAFETY: the end gave up ownership of this open descriptor (release_fd); the Handle owns
    // it from now on, and closing the Handle forgets the registered end first.
    Handle::from_fd(unsafe { OwnedFd::from_raw_fd(raw) })
}

pub(crate) fn value_of(end: &PipeEnd) -> crate::HandleValue {
    crate::HandleValue::from_raw(crate::sys::handle::value_of(end.raw_fd()))
}

/// `Read::read`: bytes, with zero-length messages skipped (a 0 would mean the end of the
/// stream) and the end of the stream as 0.
pub(crate) fn stream_read(end: &PipeEnd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match end.read(buf) {
            Ok(r) if r.len == 0 && !buf.is_empty() => continue,
            Ok(r) => return Ok(r.len),
            Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => return Ok(0),
            Err(e) => return Err(e),
        }
    }
}

pub(crate) fn info(end: &PipeEnd) -> PipeInfo {
    let (out_buffer, in_buffer, max_instances) = match &end.role {
        Role::Server(i) => (
            i.out_size,
            i.in_size,
            i.table.params().max_instances.load(Ordering::Relaxed),
        ),
        Role::Client(c) => {
            let (o, i) = c.sizes();
            (
                o,
                i,
                c.table().params().max_instances.load(Ordering::Relaxed),
            )
        }
        Role::Bare { .. } => {
            let (o, i) = socket::buffer_sizes(end.fd()).unwrap_or((0, 0));
            (o as u32, i as u32, UNLIMITED_INSTANCES)
        }
    };
    PipeInfo {
        server_end: end.is_server(),
        message_type: end.message_type,
        out_buffer,
        in_buffer,
        max_instances,
    }
}

pub(crate) fn state(end: &PipeEnd) -> HandleState {
    let instances = match &end.role {
        Role::Server(i) => i.table.params().instances.load(Ordering::Acquire),
        Role::Client(c) => c.table().params().instances.load(Ordering::Acquire),
        Role::Bare { .. } => 1,
    };
    HandleState {
        nowait: end.nowait(),
        read_message: end.read_message_mode(),
        instances,
    }
}

/// A named-pipe end reached through a [`Handle`]: the Win32 functions' view, with Win32's exact
/// results (`ConnectNamedPipe` reports `ERROR_PIPE_CONNECTED` here, for instance).
///
/// ```
/// use w32ipc::npipe::{PipeClient, PipeHandle, ServerOptions};
/// # let name = format!(r"\\.\pipe\doc-handle-{}", std::process::id());
/// let server = ServerOptions::new(&name).create()?.into_handle();
/// let client = PipeClient::open(&name)?.into_handle();
/// let s = PipeHandle::of(&server).expect("a pipe");
/// let err = s.connect().unwrap_err(); // the client came first
/// assert_eq!(w32ipc::error::Win32ErrorExt::win32_code(&err), 535);
/// PipeHandle::of(&client).unwrap().write(b"hi")?;
/// let mut buf = [0u8; 2];
/// assert_eq!(s.read(&mut buf)?.len, 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct PipeHandle(Arc<PipeEnd>);

impl PipeHandle {
    /// The pipe end behind `handle`; `None` if it is not a named-pipe end.
    pub fn of(handle: &Handle) -> Option<PipeHandle> {
        Self::of_fd(handle.fd())
    }

    /// The pipe end behind a descriptor; `None` if it is not a named-pipe end.
    pub fn of_fd(fd: BorrowedFd<'_>) -> Option<PipeHandle> {
        super::registry::lookup(fd).map(PipeHandle)
    }

    /// Whether the handle may query the pipe's state (`GetNamedPipeInfo`,
    /// `GetNamedPipeHandleState`): Windows refuses a write-only server end, which lacks
    /// `FILE_READ_ATTRIBUTES`.
    pub fn can_query(&self) -> bool {
        self.0.can_read || !self.0.is_server()
    }

    /// Whether this is the server end.
    pub fn is_server(&self) -> bool {
        self.0.is_server()
    }

    /// The descriptor under the handle (for readiness polling).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.0.fd()
    }

    /// `ReadFile`: see [`PipeServer::read_msg`](super::PipeServer::read_msg).
    #[doc(alias = "ReadFile")]
    pub fn read(&self, buf: &mut [u8]) -> io::Result<ReadOutcome> {
        self.0.read(buf)
    }

    /// One non-blocking, resumable attempt at a read: `progress` carries the bytes already
    /// read into `buf` by earlier attempts; `Ok(None)` means "try again when readable".
    pub fn try_read(
        &self,
        buf: &mut [u8],
        progress: &mut usize,
    ) -> io::Result<Option<ReadOutcome>> {
        self.0.try_read(buf, progress)
    }

    /// `WriteFile`: all of `buf` (one message on a message pipe).
    #[doc(alias = "WriteFile")]
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    /// One non-blocking, resumable attempt at a write (`progress`: bytes already sent, framing
    /// included); `Ok(None)` means "try again when writable".
    pub fn try_write(&self, buf: &[u8], progress: &mut usize) -> io::Result<Option<usize>> {
        self.0.try_write(buf, progress)
    }

    /// `PeekNamedPipe`.
    #[doc(alias = "PeekNamedPipe")]
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<PeekInfo> {
        self.0.peek(buf)
    }

    /// `TransactNamedPipe`.
    #[doc(alias = "TransactNamedPipe")]
    pub fn transact(&self, request: &[u8], reply: &mut [u8]) -> io::Result<ReadOutcome> {
        self.0.transact(request, reply)
    }

    /// The checks `TransactNamedPipe` makes before writing (for an overlapped transaction,
    /// which then writes and reads in steps).
    pub fn check_transact(&self) -> io::Result<()> {
        self.0.check_transact()
    }

    /// `FlushFileBuffers`.
    #[doc(alias = "FlushFileBuffers")]
    pub fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }

    fn instance(&self) -> io::Result<&super::server::Instance> {
        match &self.0.role {
            Role::Server(i) => Ok(i),
            _ => Err(win32(ERROR_INVALID_FUNCTION)),
        }
    }

    /// `ConnectNamedPipe` without `OVERLAPPED`, with Win32's results: `ERROR_PIPE_CONNECTED`
    /// when the client came first, `ERROR_NO_DATA` when it came and went, `ERROR_PIPE_LISTENING`
    /// in no-wait mode with no client.
    #[doc(alias = "ConnectNamedPipe")]
    pub fn connect(&self) -> io::Result<()> {
        self.instance()?.connect(&self.0, true)
    }

    /// The first, non-blocking step of an overlapped `ConnectNamedPipe`: errors as
    /// [`connect`](Self::connect); `Ok(false)`: wait until [`listener`](Self::listener) is
    /// readable, then call [`connect_arrived`](Self::connect_arrived).
    pub fn connect_now(&self) -> io::Result<bool> {
        self.instance()?.connect_now(&self.0)
    }

    /// Takes a client that arrived; `Ok(false)`: not yet (or it was turned away).
    pub fn connect_arrived(&self) -> io::Result<bool> {
        self.instance()?.connect_arrived(&self.0)
    }

    /// The instance's listener, readable when a client is waiting.
    pub fn listener(&self) -> Option<BorrowedFd<'_>> {
        self.instance().ok().map(|i| i.listener())
    }

    /// `DisconnectNamedPipe`.
    #[doc(alias = "DisconnectNamedPipe")]
    pub fn disconnect(&self) -> io::Result<()> {
        self.instance()?.disconnect(&self.0)
    }

    /// The peer's (process id, user id): the client's on the server end
    /// (`GetNamedPipeClientProcessId`), the server's on a client end.
    pub fn peer(&self) -> io::Result<(u32, u32)> {
        self.0.peer()
    }

    /// `GetNamedPipeInfo`.
    #[doc(alias = "GetNamedPipeInfo")]
    pub fn info(&self) -> PipeInfo {
        info(&self.0)
    }

    /// `GetNamedPipeHandleState`.
    #[doc(alias = "GetNamedPipeHandleStateW")]
    pub fn state(&self) -> HandleState {
        state(&self.0)
    }

    /// `SetNamedPipeHandleState`'s read mode.
    #[doc(alias = "SetNamedPipeHandleState")]
    pub fn set_read_mode(&self, mode: PipeMode) -> io::Result<()> {
        self.0.set_read_message(mode == PipeMode::Message)
    }

    /// `SetNamedPipeHandleState`'s wait mode.
    pub fn set_nowait(&self, on: bool) {
        self.0.set_nowait(on)
    }

    /// Marks the handle as opened with `FILE_FLAG_OVERLAPPED`.
    pub fn set_overlapped(&self, on: bool) {
        self.0.overlapped.store(on, Ordering::Relaxed)
    }

    /// Whether the handle was opened with `FILE_FLAG_OVERLAPPED`.
    pub fn is_overlapped(&self) -> bool {
        self.0.overlapped.load(Ordering::Relaxed)
    }
}
