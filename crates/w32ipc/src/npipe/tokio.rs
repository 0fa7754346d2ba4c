//! Named pipes as futures (tokio): one thread can serve many instances, the way a Win32 server
//! drives overlapped `ConnectNamedPipe`, `ReadFile` and `WriteFile` calls.
//!
//! [`AsyncPipeServer`] and [`AsyncPipeClient`] are [`PipeServer`] and [`PipeClient`] whose
//! waits are futures: [`connect`](AsyncPipeServer::connect), [`read_msg`](AsyncPipeServer::read_msg),
//! [`write_msg`](AsyncPipeServer::write_msg) and [`transact`](AsyncPipeServer::transact) never
//! block the thread, however slow (or hostile) the peer, and however large the message: a
//! message bigger than the socket buffer moves in pieces, the operation keeping its place
//! between them. Both types also implement [`AsyncRead`] and [`AsyncWrite`], the byte-stream
//! view (as `std::io::Read`/`Write` do on the blocking types).
//!
//! Create them inside a tokio runtime with I/O enabled (they register with its reactor);
//! outside one, [`AsyncPipeServer::create`] and the other constructors panic, as tokio's own
//! types do. They are `Send` and `Sync`: share one in an `Arc` to read in one task while
//! writing in another.
//!
//! ```
//! use w32ipc::npipe::tokio::{AsyncPipeClient, AsyncPipeServer};
//! use w32ipc::npipe::{PipeMode, ServerOptions};
//!
//! # fn main() -> std::io::Result<()> {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
//! rt.block_on(async {
//!     let name = format!(r"\\.\pipe\doc-async-{}", std::process::id());
//!     let server = AsyncPipeServer::create(
//!         ServerOptions::new(&name)
//!             .pipe_type(PipeMode::Message)
//!             .read_mode(PipeMode::Message),
//!     )?;
//!     let serve = async {
//!         server.connect().await?;
//!         let mut buf = [0u8; 64];
//!         let got = server.read_msg(&mut buf).await?;
//!         assert_eq!(&buf[..got.len], b"ping");
//!         server.write_msg(b"pong").await
//!     };
//!     let ask = async {
//!         let client = AsyncPipeClient::open(&name)?;
//!         client.set_read_mode(PipeMode::Message)?;
//!         let mut reply = [0u8; 64];
//!         let got = client.transact(b"ping", &mut reply).await?;
//!         Ok::<_, std::io::Error>(reply[..got.len].to_vec())
//!     };
//!     // Both on this one thread.
//!     let (served, reply) = tokio::join!(serve, ask);
//!     served?;
//!     assert_eq!(reply?, b"pong");
//!     Ok(())
//! })
//! # }
//! ```
//!
//! # Semantics
//!
//! The same as the blocking types, with these differences:
//!
//! * The operations wait asynchronously whatever the end's wait mode: no-wait mode
//!   ([`ServerOptions::nowait`]) does not apply to them.
//! * [`AsyncPipeServer::disconnect`] fails the operations still waiting on the connection it
//!   ends with `ERROR_PIPE_NOT_CONNECTED` (as `DisconnectNamedPipe` does to pending overlapped
//!   I/O); they never carry on with the next client.
//! * Reads of one end run one after the other, as do writes (a message is never interleaved
//!   with another); a read and a write run side by side.
//! * [`AsyncWrite::poll_flush`] only pushes out what a cancelled write left (see below); there
//!   is no asynchronous `FlushFileBuffers`. [`AsyncWrite::poll_shutdown`] does the same: named
//!   pipes have no half-close.
//!
//! # Cancellation
//!
//! Dropping a future never corrupts the stream of messages:
//!
//! * A [`read_msg`](AsyncPipeServer::read_msg) dropped after taking part of a message off the
//!   socket keeps those bytes: the next read of the same end returns them first, followed by the
//!   rest of the message.
//! * A [`write_msg`](AsyncPipeServer::write_msg) on a message pipe dropped after sending part of
//!   the message keeps the rest, which goes out before the next write (or with
//!   `AsyncWriteExt::flush`), so the peer never sees a cut message. On a byte pipe, a dropped
//!   write has sent what it sent, like `AsyncWriteExt::write_all`.
//! * [`connect`](AsyncPipeServer::connect) can be dropped at any time: the instance keeps
//!   listening, and a client that arrives is taken by the next `connect` (or read or write).

use std::borrow::Borrow;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::end::{PipeEnd, Role};
use super::server::Instance;
use super::{
    HandleState, PeekInfo, PipeClient, PipeInfo, PipeMode, PipeServer, ReadOutcome, ServerOptions,
};
use crate::error::{
    ERROR_BROKEN_PIPE, ERROR_NO_DATA, ERROR_PIPE_BUSY, ERROR_PIPE_CONNECTED,
    ERROR_PIPE_NOT_CONNECTED, Win32ErrorExt, from_os, win32,
};

/// What a readiness registration watches.
enum Watched {
    /// A descriptor that something else owns and keeps open, always naming the same socket,
    /// for longer than the registration lives: a client's socket, an instance's listener.
    Borrowed(RawFd),
    /// A duplicate of a server handle's descriptor, made while the handle referred to a
    /// connection. It has a number of its own, so the `dup3` that swaps what the handle
    /// refers to (on connect and disconnect) never touches the registration, and dropping the
    /// registration never deregisters whatever the handle's number refers to by then.
    Owned(OwnedFd),
}

impl AsRawFd for Watched {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Watched::Borrowed(fd) => *fd,
            Watched::Owned(fd) => fd.as_raw_fd(),
        }
    }
}

type Registration = Arc<AsyncFd<Watched>>;

fn register_owned(fd: OwnedFd) -> io::Result<AsyncFd<Watched>> {
    // SAFETY: the AsyncFd owns the descriptor, so it stays open and names the same open file
    // description until the AsyncFd is dropped.
    Ok(unsafe { AsyncFd::register(Watched::Owned(fd)) }?)
}

/// Registers a descriptor owned elsewhere.
///
/// # Safety
/// `fd` must stay open, naming the same open file description, until the returned `AsyncFd` is
/// dropped.
unsafe fn register_borrowed(fd: BorrowedFd<'_>) -> io::Result<AsyncFd<Watched>> {
    // SAFETY: the caller guarantees the descriptor outlives the registration, unchanged.
    Ok(unsafe { AsyncFd::register(Watched::Borrowed(fd.as_raw_fd())) }?)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn not_connected() -> io::Error {
    win32(ERROR_PIPE_NOT_CONNECTED)
}

/// The server's registration of its current connection.
#[derive(Default)]
struct Conn {
    /// Counts disconnects: an operation that started in another epoch has lost its
    /// connection.
    epoch: u64,
    /// Made on first need after a connect (the handle's descriptor refers to the connection
    /// only then), dropped by `disconnect` before the handle is swapped back to the listener.
    reg: Option<Registration>,
}

/// The readiness sources of an end.
enum Io {
    /// A client's socket never changes: registered once.
    Client(Registration),
    Server {
        /// The instance's listener, which never changes: readable when a client waits.
        listener: AsyncFd<Watched>,
        /// The listener's inode, to recognise a handle that went back to listening.
        listener_ino: u64,
        conn: Mutex<Conn>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Read,
    Write,
}

/// An end and its registrations. `io` comes first so that it is dropped (deregistered) before
/// the end, which owns the descriptors it borrows.
struct Link {
    io: Io,
    end: Arc<PipeEnd>,
}

impl Link {
    fn instance(&self) -> &Instance {
        match &self.end.role {
            Role::Server(inst) => inst,
            _ => unreachable!("an async server holds a server instance"),
        }
    }

    /// The current connection epoch (always 0 on a client).
    fn epoch(&self) -> u64 {
        match &self.io {
            Io::Client(_) => 0,
            Io::Server { conn, .. } => lock(conn).epoch,
        }
    }

    fn check_epoch(&self, epoch: u64) -> io::Result<()> {
        if self.epoch() == epoch {
            Ok(())
        } else {
            Err(not_connected())
        }
    }

    /// The registration to wait on, for an operation of epoch `epoch` that found the end
    /// connected (it passed the connection gate) and has to wait.
    fn registration(&self, epoch: u64) -> io::Result<Registration> {
        let (conn, listener_ino) = match &self.io {
            Io::Client(reg) => return Ok(reg.clone()),
            Io::Server {
                conn, listener_ino, ..
            } => (conn, *listener_ino),
        };
        {
            let c = lock(conn);
            if c.epoch != epoch {
                return Err(not_connected());
            }
            if let Some(reg) = &c.reg {
                return Ok(reg.clone());
            }
        }
        let dup = rustix::io::fcntl_dupfd_cloexec(self.end.fd(), 0).map_err(from_os)?;
        if rustix::fs::fstat(&dup).map_err(from_os)?.st_ino == listener_ino {
            // Disconnected since the gate: the handle is the listener again.
            return Err(not_connected());
        }
        let reg = Arc::new(register_owned(dup)?);
        let mut c = lock(conn);
        if c.epoch != epoch {
            // A disconnect came between the duplicate and now: it may be of the old connection.
            return Err(not_connected());
        }
        Ok(c.reg.get_or_insert(reg).clone())
    }

    /// Runs a non-blocking, resumable step until it completes, waiting for readiness between
    /// attempts.
    async fn drive<T>(
        &self,
        epoch: u64,
        dir: Dir,
        mut attempt: impl FnMut() -> io::Result<Option<T>>,
    ) -> io::Result<T> {
        // A read with nothing read ahead goes by the reactor's readiness first: a blind
        // attempt would mostly be a wasted system call.
        if dir == Dir::Write || self.end.has_buffered() {
            if let Some(v) = attempt()? {
                return Ok(v);
            }
        } else {
            // What a blind attempt would have said at once (not connected, disconnected).
            self.end.gate()?;
        }
        let reg = self.registration(epoch)?;
        loop {
            let mut ready = match dir {
                Dir::Read => reg.readable().await?,
                Dir::Write => reg.writable().await?,
            };
            self.check_epoch(epoch)?;
            match attempt()? {
                Some(v) => return Ok(v),
                None => ready.clear_ready(),
            }
        }
    }

    /// [`drive`](Self::drive) for the poll-based traits.
    fn poll_drive<T>(
        &self,
        cx: &mut Context<'_>,
        epoch: u64,
        dir: Dir,
        mut attempt: impl FnMut() -> io::Result<Option<T>>,
    ) -> Poll<io::Result<T>> {
        if dir == Dir::Write || self.end.has_buffered() {
            if let Some(v) = attempt()? {
                return Poll::Ready(Ok(v));
            }
        } else {
            self.end.gate()?;
        }
        let reg = self.registration(epoch)?;
        loop {
            let mut ready = match dir {
                Dir::Read => ready!(reg.poll_read_ready(cx))?,
                Dir::Write => ready!(reg.poll_write_ready(cx))?,
            };
            self.check_epoch(epoch)?;
            match attempt()? {
                Some(v) => return Poll::Ready(Ok(v)),
                None => ready.clear_ready(),
            }
        }
    }

    /// Sends the rest of a message a cancelled write left.
    async fn finish_pending(&self, st: &mut WriteState, epoch: u64) -> io::Result<()> {
        let Some(p) = st.pending.as_mut() else {
            return Ok(());
        };
        let end = &self.end;
        let sent = self
            .drive(epoch, Dir::Write, || end.try_write(&p.message, &mut p.sent))
            .await;
        // Sent, or the connection failed: either way there is nothing more to send.
        st.pending = None;
        sent.map(|_| ())
    }

    fn poll_finish_pending(
        &self,
        cx: &mut Context<'_>,
        st: &mut WriteState,
        epoch: u64,
    ) -> Poll<io::Result<()>> {
        let Some(p) = st.pending.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let end = &self.end;
        let sent = ready!(self.poll_drive(cx, epoch, Dir::Write, || {
            end.try_write(&p.message, &mut p.sent)
        }));
        st.pending = None;
        Poll::Ready(sent.map(|_| ()))
    }

    async fn write_msg(&self, st: &mut WriteState, buf: &[u8], epoch: u64) -> io::Result<()> {
        self.finish_pending(st, epoch).await?;
        let mut op = WriteOp {
            pending: &mut st.pending,
            buf,
            progress: 0,
            done: false,
            framed: self.end.message_type,
        };
        let end = &self.end;
        self.drive(epoch, Dir::Write, || op.attempt(end))
            .await
            .map(|_| ())
    }

    async fn read_msg(
        &self,
        st: &mut ReadState,
        buf: &mut [u8],
        epoch: u64,
    ) -> io::Result<ReadOutcome> {
        let from_stash = st.take(buf);
        if !st.stash.is_empty() {
            // The buffer is full of what an earlier, cancelled read took.
            return Ok(ReadOutcome {
                len: from_stash,
                more: self.end.read_message_mode(),
            });
        }
        let mut op = ReadOp {
            stash: &mut st.stash,
            buf,
            progress: from_stash,
            done: false,
        };
        let end = &self.end;
        self.drive(epoch, Dir::Read, || op.attempt(end)).await
    }
}

/// A read's state that outlives one read future.
#[derive(Default)]
struct ReadState {
    epoch: u64,
    /// Bytes of a message that a cancelled read had taken off the socket (the rest of the
    /// message is still in it).
    stash: Vec<u8>,
}

impl ReadState {
    /// Forgets what belonged to an earlier connection.
    fn renew(&mut self, epoch: u64) {
        if self.epoch != epoch {
            self.epoch = epoch;
            self.stash = Vec::new();
        }
    }

    /// Moves what fits of the stash into `buf`.
    fn take(&mut self, buf: &mut [u8]) -> usize {
        let n = self.stash.len().min(buf.len());
        buf[..n].copy_from_slice(&self.stash[..n]);
        self.stash.drain(..n);
        n
    }
}

/// A message a cancelled write left half sent.
struct Pending {
    message: Vec<u8>,
    /// Bytes of it already sent, its header included (`PipeEnd::try_write`'s progress).
    sent: usize,
}

#[derive(Default)]
struct WriteState {
    epoch: u64,
    pending: Option<Pending>,
}

impl WriteState {
    fn renew(&mut self, epoch: u64) {
        if self.epoch != epoch {
            self.epoch = epoch;
            self.pending = None;
        }
    }
}

/// A read in progress: if dropped inside a message, it stashes the bytes it took.
struct ReadOp<'a> {
    stash: &'a mut Vec<u8>,
    buf: &'a mut [u8],
    progress: usize,
    done: bool,
}

impl ReadOp<'_> {
    fn attempt(&mut self, end: &PipeEnd) -> io::Result<Option<ReadOutcome>> {
        match end.try_read(self.buf, &mut self.progress) {
            Ok(None) => Ok(None),
            other => {
                self.done = true;
                other
            }
        }
    }
}

impl Drop for ReadOp<'_> {
    fn drop(&mut self) {
        if !self.done && self.progress > 0 {
            let taken = &self.buf[..self.progress];
            self.stash.splice(0..0, taken.iter().copied());
        }
    }
}

/// A write in progress: if dropped inside a message, it leaves the rest to be sent.
struct WriteOp<'a> {
    pending: &'a mut Option<Pending>,
    buf: &'a [u8],
    progress: usize,
    done: bool,
    framed: bool,
}

impl WriteOp<'_> {
    fn attempt(&mut self, end: &PipeEnd) -> io::Result<Option<usize>> {
        match end.try_write(self.buf, &mut self.progress) {
            Ok(None) => Ok(None),
            other => {
                self.done = true;
                other
            }
        }
    }
}

impl Drop for WriteOp<'_> {
    fn drop(&mut self) {
        if !self.done && self.progress > 0 && self.framed {
            *self.pending = Some(Pending {
                message: self.buf.to_vec(),
                sent: self.progress,
            });
        }
    }
}

/// How far a stream write got.
enum Wrote {
    All(usize),
    Part(usize),
}

/// What both async ends share.
struct Core {
    link: Link,
    rd: tokio::sync::Mutex<ReadState>,
    wr: tokio::sync::Mutex<WriteState>,
}

impl Core {
    fn new(io: Io, end: Arc<PipeEnd>) -> Core {
        Core {
            link: Link { io, end },
            rd: tokio::sync::Mutex::new(ReadState::default()),
            wr: tokio::sync::Mutex::new(WriteState::default()),
        }
    }

    async fn read_msg(&self, buf: &mut [u8]) -> io::Result<ReadOutcome> {
        let mut st = self.rd.lock().await;
        let epoch = self.link.epoch();
        st.renew(epoch);
        self.link.read_msg(&mut st, buf, epoch).await
    }

    async fn write_msg(&self, buf: &[u8]) -> io::Result<()> {
        let mut st = self.wr.lock().await;
        let epoch = self.link.epoch();
        st.renew(epoch);
        self.link.write_msg(&mut st, buf, epoch).await
    }

    async fn transact(&self, request: &[u8], reply: &mut [u8]) -> io::Result<ReadOutcome> {
        // Writes before reads, everywhere.
        let mut w = self.wr.lock().await;
        let mut r = self.rd.lock().await;
        let epoch = self.link.epoch();
        w.renew(epoch);
        r.renew(epoch);
        self.link.finish_pending(&mut w, epoch).await?;
        self.link.end.check_transact()?;
        if !r.stash.is_empty() {
            return Err(win32(ERROR_PIPE_BUSY));
        }
        self.link.write_msg(&mut w, request, epoch).await?;
        self.link.read_msg(&mut r, reply, epoch).await
    }

    fn peek(&self, buf: &mut [u8]) -> io::Result<PeekInfo> {
        let epoch = self.link.epoch();
        let st = self
            .rd
            .try_lock()
            .ok()
            .filter(|st| st.epoch == epoch && !st.stash.is_empty());
        let Some(st) = st else {
            return self.link.end.peek(buf);
        };
        // A cancelled read's bytes come first.
        let n = st.stash.len().min(buf.len());
        buf[..n].copy_from_slice(&st.stash[..n]);
        let rest = match self.link.end.peek(&mut buf[n..]) {
            Ok(rest) => rest,
            Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => PeekInfo::default(),
            Err(e) => return Err(e),
        };
        Ok(PeekInfo {
            read: n + rest.read,
            available: st.stash.len() + rest.available,
            left_in_message: st.stash.len() - n + rest.left_in_message,
        })
    }

    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let epoch = self.link.epoch();
        let st = self.rd.get_mut();
        st.renew(epoch);
        if !st.stash.is_empty() {
            let n = st.stash.len().min(buf.remaining());
            buf.put_slice(&st.stash[..n]);
            st.stash.drain(..n);
            return Poll::Ready(Ok(()));
        }
        let end = &self.link.end;
        let dst = buf.initialize_unfilled();
        let got = ready!(self.link.poll_drive(cx, epoch, Dir::Read, || {
            loop {
                let mut progress = 0;
                return match end.try_read(dst, &mut progress) {
                    // A zero-length message carries no bytes: the stream goes on.
                    Ok(Some(r)) if r.len == 0 => continue,
                    Ok(Some(r)) => Ok(Some(r.len)),
                    // Part of a message: the rest stays for the next read.
                    Ok(None) if progress > 0 => Ok(Some(progress)),
                    Ok(None) => Ok(None),
                    // The end of the stream.
                    Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => Ok(Some(0)),
                    Err(e) => Err(e),
                };
            }
        }))?;
        buf.advance(got);
        Poll::Ready(Ok(()))
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let epoch = self.link.epoch();
        let st = self.wr.get_mut();
        st.renew(epoch);
        ready!(self.link.poll_finish_pending(cx, st, epoch))?;
        let end = &self.link.end;
        let mut progress = 0;
        let wrote = ready!(self.link.poll_drive(cx, epoch, Dir::Write, || {
            match end.try_write(buf, &mut progress) {
                Ok(Some(n)) => Ok(Some(Wrote::All(n))),
                Ok(None) if progress > 0 => Ok(Some(Wrote::Part(progress))),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            }
        }))?;
        Poll::Ready(Ok(match wrote {
            Wrote::All(n) => n,
            Wrote::Part(sent) if end.message_type => {
                // The message has begun: it is accepted, and its rest goes out before anything
                // else (or on flush).
                st.pending = Some(Pending {
                    message: buf.to_vec(),
                    sent,
                });
                buf.len()
            }
            Wrote::Part(sent) => sent,
        }))
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let epoch = self.link.epoch();
        let st = self.wr.get_mut();
        st.renew(epoch);
        self.link.poll_finish_pending(cx, st, epoch)
    }
}

/// The methods both async ends have, on a type holding `core: Core`.
macro_rules! async_end_methods {
    ($t:ty) => {
        impl $t {
            /// Reads one message, or what fits of it (`ReadFile` with `OVERLAPPED`). In byte
            /// read mode, reads what is there (across message boundaries). Waits until data
            /// comes.
            ///
            /// # Errors
            /// `ERROR_BROKEN_PIPE` when the peer closed and nothing is left;
            /// `ERROR_PIPE_NOT_CONNECTED` after a disconnect; `ERROR_PIPE_LISTENING` on a
            /// server with no client; `ERROR_BAD_PIPE` when the peer sent something that is
            /// not a message.
            #[doc(alias = "ReadFile")]
            pub async fn read_msg(&self, buf: &mut [u8]) -> io::Result<ReadOutcome> {
                self.core.read_msg(buf).await
            }

            /// Writes `buf` as one message (in a byte pipe: all of its bytes) (`WriteFile` with
            /// `OVERLAPPED`). Waits while the peer's buffer is full.
            ///
            /// # Errors
            /// `ERROR_NO_DATA` when the peer closed; `ERROR_PIPE_NOT_CONNECTED` after a
            /// disconnect; `ERROR_INVALID_PARAMETER` for a message of 4 GiB or more.
            #[doc(alias = "WriteFile")]
            pub async fn write_msg(&self, buf: &[u8]) -> io::Result<()> {
                self.core.write_msg(buf).await
            }

            /// Writes a request message and reads the reply (`TransactNamedPipe`).
            ///
            /// # Errors
            /// `ERROR_BAD_PIPE` unless a message pipe in message read mode;
            /// `ERROR_PIPE_BUSY` (nothing written) while unread data waits.
            #[doc(alias = "TransactNamedPipe")]
            pub async fn transact(
                &self,
                request: &[u8],
                reply: &mut [u8],
            ) -> io::Result<ReadOutcome> {
                self.core.transact(request, reply).await
            }

            /// Copies waiting bytes without removing them (`PeekNamedPipe`); never waits. Bytes
            /// a read still in progress has taken are not seen.
            #[doc(alias = "PeekNamedPipe")]
            pub fn peek(&self, buf: &mut [u8]) -> io::Result<PeekInfo> {
                self.core.peek(buf)
            }

            /// Sets this end's read mode (`SetNamedPipeHandleState`).
            ///
            /// # Errors
            /// `ERROR_INVALID_PARAMETER` for message mode on a byte pipe.
            #[doc(alias = "SetNamedPipeHandleState")]
            pub fn set_read_mode(&self, mode: PipeMode) -> io::Result<()> {
                self.core
                    .link
                    .end
                    .set_read_message(mode == PipeMode::Message)
            }

            /// `GetNamedPipeInfo`.
            #[doc(alias = "GetNamedPipeInfo")]
            pub fn info(&self) -> io::Result<PipeInfo> {
                Ok(super::handle::info(&self.core.link.end))
            }

            /// `GetNamedPipeHandleState`.
            #[doc(alias = "GetNamedPipeHandleStateW")]
            pub fn state(&self) -> io::Result<HandleState> {
                Ok(super::handle::state(&self.core.link.end))
            }
        }

        impl AsFd for $t {
            /// The handle's descriptor (on a server, it refers to the listener while no client
            /// is connected).
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.core.link.end.fd()
            }
        }

        impl AsyncRead for $t {
            /// Reads bytes: a message that does not fit comes in pieces, zero-length messages
            /// are skipped, and the end of the stream (the peer closed) reads as nothing.
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                self.get_mut().core.poll_read(cx, buf)
            }
        }

        impl AsyncWrite for $t {
            /// Writes `buf`, as one message on a message pipe. A message that could only be
            /// begun counts as written: its rest goes out before the next write, or on flush.
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().core.poll_write(cx, buf)
            }

            /// Sends what a write left of its message (nothing else to do: bytes are with the
            /// peer once written).
            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().core.poll_flush(cx)
            }

            /// The same as [`poll_flush`](Self::poll_flush): named pipes have no half-close.
            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().core.poll_flush(cx)
            }
        }
    };
}

/// A server instance of a named pipe whose waits are futures (`CreateNamedPipe` with
/// `FILE_FLAG_OVERLAPPED`): connect a client, talk, disconnect, connect the next.
///
/// A server for many clients makes one instance per client it serves at a time, each in a
/// task of its own: when one connects, it starts the next.
///
/// ```
/// use w32ipc::npipe::tokio::{AsyncPipeClient, AsyncPipeServer};
/// use w32ipc::npipe::{PipeMode, ServerOptions};
///
/// # fn main() -> std::io::Result<()> {
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
/// # rt.block_on(async {
/// let name = format!(r"\\.\pipe\doc-async-server-{}", std::process::id());
/// let options = ServerOptions::new(&name)
///     .pipe_type(PipeMode::Message)
///     .read_mode(PipeMode::Message);
/// let mut server = AsyncPipeServer::create(&options)?;
/// for _ in 0..3 {
///     let client = AsyncPipeClient::open(&name)?; // takes the listening instance
///     server.connect().await?;
///     let next = AsyncPipeServer::create(&options)?; // listening while this one serves
///     client.write_msg(b"hello").await?;
///     let mut buf = [0u8; 16];
///     assert_eq!(server.read_msg(&mut buf).await?.len, 5);
///     server = next;
/// }
/// # Ok(())
/// # })
/// # }
/// ```
///
/// # Panics
/// The constructors panic outside a tokio runtime with I/O enabled.
#[doc(alias = "CreateNamedPipeW")]
#[doc(alias = "ConnectNamedPipe")]
pub struct AsyncPipeServer {
    core: Core,
}

impl AsyncPipeServer {
    /// Creates one instance of the pipe (`CreateNamedPipe`), as
    /// [`ServerOptions::create`] does.
    ///
    /// # Errors
    /// Those of [`ServerOptions::create`].
    ///
    /// # Panics
    /// Outside a tokio runtime with I/O enabled.
    pub fn create(options: impl Borrow<ServerOptions>) -> io::Result<AsyncPipeServer> {
        Self::from_server(options.borrow().create()?)
    }

    /// Makes a blocking server instance async. A client it already has stays connected.
    ///
    /// # Panics
    /// Outside a tokio runtime with I/O enabled.
    pub fn from_server(server: PipeServer) -> io::Result<AsyncPipeServer> {
        let end = server.end;
        let Role::Server(inst) = &end.role else {
            unreachable!("a PipeServer holds a server instance")
        };
        let listener = inst.listener();
        let listener_ino = rustix::fs::fstat(listener).map_err(from_os)?.st_ino;
        // SAFETY: the instance owns its listener for its whole life and never swaps it (dup3
        // only ever targets the handle's descriptor); the instance lives in `end`, which the
        // Core holds and drops after this registration (`Link` declares `io` first).
        let listener = unsafe { register_borrowed(listener) }?;
        let io = Io::Server {
            listener,
            listener_ino,
            conn: Mutex::new(Conn::default()),
        };
        Ok(AsyncPipeServer {
            core: Core::new(io, end),
        })
    }

    /// Waits for a client (`ConnectNamedPipe` with `OVERLAPPED`). Also succeeds at once when a
    /// client connected before the call (Win32's `ERROR_PIPE_CONNECTED`), even if it has
    /// closed again since (its data is still readable). After a
    /// [`disconnect`](Self::disconnect), listens again first.
    ///
    /// # Errors
    /// `ERROR_PIPE_CONNECTED` when the instance is already connected from an earlier call.
    #[doc(alias = "ConnectNamedPipe")]
    pub async fn connect(&self) -> io::Result<()> {
        let link = &self.core.link;
        let inst = link.instance();
        if inst.is_connected() {
            return Err(win32(ERROR_PIPE_CONNECTED));
        }
        match inst.connect_now(&link.end) {
            // `Ok(true)` is no-wait mode's "listening again": still no client.
            Ok(_) => {}
            Err(e) if matches!(e.win32_code(), ERROR_PIPE_CONNECTED | ERROR_NO_DATA) => {
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        if inst.is_connected() {
            return Ok(());
        }
        let Io::Server { listener, .. } = &link.io else {
            unreachable!("an async server watches its listener")
        };
        loop {
            let mut ready = listener.readable().await?;
            // `false`: nobody after all, or a client of another user was turned away.
            if inst.connect_arrived(&link.end)? {
                return Ok(());
            }
            ready.clear_ready();
        }
    }

    /// Drops the client (`DisconnectNamedPipe`): data it did not read is discarded, its next
    /// operation fails with `ERROR_PIPE_NOT_CONNECTED`, operations of this instance still
    /// waiting on it fail with `ERROR_PIPE_NOT_CONNECTED`, and the instance takes no new client
    /// until [`connect`](Self::connect).
    ///
    /// # Errors
    /// `ERROR_PIPE_NOT_CONNECTED` when already disconnected.
    #[doc(alias = "DisconnectNamedPipe")]
    pub fn disconnect(&self) -> io::Result<()> {
        let link = &self.core.link;
        if let Io::Server { conn, .. } = &link.io {
            let old = {
                let mut c = lock(conn);
                c.epoch += 1;
                c.reg.take()
            };
            // Our registration goes before the handle is swapped back to the listener.
            // Operations still waiting hold it (and their duplicate of the connection) until
            // they return: the blocking disconnect shuts the connection down, which wakes
            // them, and they fail for the new epoch.
            drop(old);
        }
        link.instance().disconnect(&link.end)
    }

    /// The connected client's process id (`GetNamedPipeClientProcessId`).
    #[doc(alias = "GetNamedPipeClientProcessId")]
    pub fn client_process_id(&self) -> io::Result<u32> {
        Ok(self.core.link.end.peer()?.0)
    }

    /// The connected client's user id.
    pub fn client_uid(&self) -> io::Result<u32> {
        Ok(self.core.link.end.peer()?.1)
    }
}

async_end_methods!(AsyncPipeServer);

/// A client end of a named pipe whose waits are futures (`CreateFile` on `\\.\pipe\X` with
/// `FILE_FLAG_OVERLAPPED`).
///
/// Opening never waits: when every instance is busy it fails with `ERROR_PIPE_BUSY`, and the
/// caller tries again later (`WaitNamedPipe` would block the thread).
///
/// # Panics
/// The constructors panic outside a tokio runtime with I/O enabled.
#[doc(alias = "CreateFileW")]
pub struct AsyncPipeClient {
    core: Core,
}

impl AsyncPipeClient {
    /// Opens `name` for reading and writing, as [`PipeClient::open`] does.
    ///
    /// # Errors
    /// `ERROR_FILE_NOT_FOUND` when no instance exists; `ERROR_PIPE_BUSY` when every instance
    /// has a client.
    ///
    /// # Panics
    /// Outside a tokio runtime with I/O enabled.
    pub fn open(name: &str) -> io::Result<AsyncPipeClient> {
        Self::from_client(PipeClient::open(name)?)
    }

    /// Opens `name` for the directions asked (`GENERIC_READ`, `GENERIC_WRITE`), as
    /// [`PipeClient::open_with`] does.
    ///
    /// # Panics
    /// Outside a tokio runtime with I/O enabled.
    pub fn open_with(name: &str, read: bool, write: bool) -> io::Result<AsyncPipeClient> {
        Self::from_client(PipeClient::open_with(name, read, write)?)
    }

    /// Makes a blocking client end async.
    ///
    /// # Panics
    /// Outside a tokio runtime with I/O enabled.
    pub fn from_client(client: PipeClient) -> io::Result<AsyncPipeClient> {
        let end = client.end;
        // SAFETY: a client end's descriptor is never swapped (dup3 only targets server
        // handles) and is closed only when the end drops; the end lives in the Core, which
        // drops it after this registration (`Link` declares `io` first).
        let reg = unsafe { register_borrowed(end.fd()) }?;
        Ok(AsyncPipeClient {
            core: Core::new(Io::Client(Arc::new(reg)), end),
        })
    }

    /// The server's process id (`GetNamedPipeServerProcessId`).
    #[doc(alias = "GetNamedPipeServerProcessId")]
    pub fn server_process_id(&self) -> io::Result<u32> {
        Ok(self.core.link.end.peer()?.0)
    }

    /// The server's user id.
    pub fn server_uid(&self) -> io::Result<u32> {
        Ok(self.core.link.end.peer()?.1)
    }
}

async_end_methods!(AsyncPipeClient);
