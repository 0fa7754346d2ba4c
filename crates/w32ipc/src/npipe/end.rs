//! One end of a named-pipe connection, server or client: the reads, writes, peeks and
//! transactions that both ends share, with message framing and the Win32 error rules.

use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::client::ClientLink;
use super::frame::{self, HEADER};
use super::server::Instance;
use super::{PeekInfo, ReadOutcome};
use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_BAD_PIPE, ERROR_BROKEN_PIPE, ERROR_INVALID_PARAMETER, ERROR_NO_DATA,
    ERROR_PIPE_BUSY, ERROR_PIPE_NOT_CONNECTED, win32,
};
use crate::sys::socket::{self, Wait};

/// Which side an end is, and what it needs to know about the instance behind it.
pub(crate) enum Role {
    /// A server instance made in this process.
    Server(Box<Instance>),
    /// A client end opened in this process.
    Client(ClientLink),
    /// An end this process got by inheritance or duplication: it reads and writes, but cannot
    /// connect or disconnect.
    Bare { server: bool, inode: u64 },
}

/// How many bytes a message-pipe reader takes from the socket at once: a header and a small
/// message in one system call. Bytes read past the current message wait here for the next read.
const AHEAD: usize = 8192;

/// The reader's place in the message stream.
#[derive(Default)]
pub(crate) struct Rx {
    /// Stream bytes already taken from the socket and not yet delivered: `ahead[at..end]`
    /// (allocated on first use, never cleared byte by byte).
    ahead: Option<Box<[u8; AHEAD]>>,
    at: usize,
    end: usize,
    /// Inside a message whose header was read...
    in_msg: bool,
    /// ...with this many of its bytes still unread.
    left: u64,
}

impl Rx {
    fn buffered(&self) -> &[u8] {
        match &self.ahead {
            Some(a) => &a[self.at..self.end],
            None => &[],
        }
    }

    /// Forgets what was read ahead.
    fn clear_ahead(&mut self) {
        self.at = 0;
        self.end = 0;
    }

    /// Moves up to `dst.len()` bytes of the current message from the read-ahead into `dst`.
    fn take(&mut self, dst: &mut [u8]) -> usize {
        let n = dst
            .len()
            .min(self.buffered().len())
            .min(self.left.min(usize::MAX as u64) as usize);
        if n == 0 {
            return 0;
        }
        dst[..n].copy_from_slice(&self.buffered()[..n]);
        self.at += n;
        self.left -= n as u64;
        if self.at == self.end {
            self.clear_ahead();
        }
        n
    }
}

/// One end of a connection. Owns the handle's descriptor unless a [`Handle`](crate::Handle)
/// does.
pub(crate) struct PipeEnd {
    fd: ManuallyDrop<OwnedFd>,
    owns_fd: AtomicBool,
    pub(crate) role: Role,
    pub(crate) message_type: bool,
    read_message: AtomicBool,
    nowait: AtomicBool,
    pub(crate) can_read: bool,
    pub(crate) can_write: bool,
    /// Opened for overlapped I/O (`FILE_FLAG_OVERLAPPED`): the C ABI's business.
    pub(crate) overlapped: AtomicBool,
    rx: Mutex<Rx>,
    tx: Mutex<()>,
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        // SAFETY: taken exactly once, here.
        let fd = unsafe { ManuallyDrop::take(&mut self.fd) };
        if !self.owns_fd.load(Ordering::Acquire) {
            // A Handle owns the descriptor and closes it.
            std::mem::forget(fd);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PipeEnd {
    pub(crate) fn new(
        fd: OwnedFd,
        role: Role,
        message_type: bool,
        read_message: bool,
        nowait: bool,
        can_read: bool,
        can_write: bool,
    ) -> PipeEnd {
        PipeEnd {
            fd: ManuallyDrop::new(fd),
            owns_fd: AtomicBool::new(true),
            role,
            message_type,
            read_message: AtomicBool::new(read_message),
            nowait: AtomicBool::new(nowait),
            can_read,
            can_write,
            overlapped: AtomicBool::new(false),
            rx: Mutex::new(Rx::default()),
            tx: Mutex::new(()),
        }
    }

    /// An end whose descriptor a `Handle` already owns.
    pub(crate) fn unowned(mut self) -> PipeEnd {
        *self.owns_fd.get_mut() = false;
        self
    }

    /// Gives the descriptor to a `Handle`: from now on it closes it.
    pub(crate) fn release_fd(&self) -> RawFd {
        self.owns_fd.store(false, Ordering::Release);
        socket::raw(self.fd.as_fd())
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        socket::raw(self.fd.as_fd())
    }

    pub(crate) fn is_server(&self) -> bool {
        match &self.role {
            Role::Server(_) => true,
            Role::Client(_) => false,
            Role::Bare { server, .. } => *server,
        }
    }

    pub(crate) fn read_message_mode(&self) -> bool {
        self.read_message.load(Ordering::Relaxed)
    }

    pub(crate) fn nowait(&self) -> bool {
        self.nowait.load(Ordering::Relaxed)
    }

    /// `SetNamedPipeHandleState`'s read mode: message mode on a byte-type pipe is
    /// `ERROR_INVALID_PARAMETER`.
    pub(crate) fn set_read_message(&self, on: bool) -> io::Result<()> {
        if on && !self.message_type {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        self.read_message.store(on, Ordering::Relaxed);
        Ok(())
    }

    /// Whether bytes of the stream wait in the read-ahead (a reader must look there before it
    /// waits for the socket).
    #[cfg(feature = "tokio")]
    pub(crate) fn has_buffered(&self) -> bool {
        match self.rx.try_lock() {
            Ok(rx) => !rx.buffered().is_empty(),
            // Someone is reading: let the caller try (and queue behind them).
            Err(_) => true,
        }
    }

    /// A new connection starts at a message boundary.
    pub(crate) fn reset_rx(&self) {
        let mut rx = lock(&self.rx);
        rx.clear_ahead();
        rx.in_msg = false;
        rx.left = 0;
    }

    pub(crate) fn set_nowait(&self, on: bool) {
        self.nowait.store(on, Ordering::Relaxed);
    }

    /// Fails unless the end is connected: a server instance adopts a client that connected
    /// before `ConnectNamedPipe`; a client whose server disconnected it gets
    /// `ERROR_PIPE_NOT_CONNECTED`.
    pub(crate) fn gate(&self) -> io::Result<()> {
        match &self.role {
            Role::Server(inst) => inst.ready(self),
            Role::Client(c) if c.disconnected() => Err(win32(ERROR_PIPE_NOT_CONNECTED)),
            _ => Ok(()),
        }
    }

    /// What a read that met the end of the stream reports.
    fn eof(&self) -> io::Error {
        match &self.role {
            Role::Client(c) if c.disconnected() => win32(ERROR_PIPE_NOT_CONNECTED),
            Role::Server(inst) if !inst.is_connected() => win32(ERROR_PIPE_NOT_CONNECTED),
            _ => win32(ERROR_BROKEN_PIPE),
        }
    }

    fn write_failed(&self, e: io::Error) -> io::Error {
        match &self.role {
            Role::Client(c) if c.disconnected() => win32(ERROR_PIPE_NOT_CONNECTED),
            Role::Server(inst) if !inst.is_connected() => win32(ERROR_PIPE_NOT_CONNECTED),
            _ => e,
        }
    }

    /// `ReadFile` without `OVERLAPPED`: blocks (unless the end is in no-wait mode, where an
    /// empty pipe is `ERROR_NO_DATA`).
    pub(crate) fn read(&self, buf: &mut [u8]) -> io::Result<ReadOutcome> {
        if !self.can_read {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        self.gate()?;
        let first = if self.nowait() {
            Wait::Never
        } else {
            Wait::Block
        };
        let mut progress = 0;
        match self.read_step(buf, &mut progress, first, Wait::Block)? {
            Some(r) => Ok(r),
            None => Err(win32(ERROR_NO_DATA)),
        }
    }

    /// One attempt at a read that never blocks, resumable: `progress` counts the bytes already
    /// placed in `buf` by earlier attempts of the same read. `Ok(None)`: try again when the
    /// socket is readable.
    pub(crate) fn try_read(
        &self,
        buf: &mut [u8],
        progress: &mut usize,
    ) -> io::Result<Option<ReadOutcome>> {
        if !self.can_read {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        self.gate()?;
        self.read_step(buf, progress, Wait::Never, Wait::Never)
    }

    fn read_step(
        &self,
        buf: &mut [u8],
        progress: &mut usize,
        first: Wait,
        rest: Wait,
    ) -> io::Result<Option<ReadOutcome>> {
        let fd = self.fd();
        if !self.message_type {
            if buf.is_empty() {
                return Ok(Some(ReadOutcome::whole(0)));
            }
            return match socket::recv(fd, buf, false, false, first)? {
                None => Ok(None),
                Some(0) => Err(self.eof()),
                Some(n) => Ok(Some(ReadOutcome::whole(n))),
            };
        }
        let mut rx = lock(&self.rx);
        if self.read_message_mode() {
            self.read_message(&mut rx, buf, progress, first, rest)
        } else {
            self.read_bytes(&mut rx, buf, progress, first)
        }
    }

    /// Reads a header (taking what else the socket has, up to [`AHEAD`] bytes, into the
    /// read-ahead). `Ok(false)`: nothing there yet (only with `Wait::Never`).
    fn read_header(&self, rx: &mut Rx, wait: Wait) -> io::Result<bool> {
        while rx.buffered().len() < HEADER {
            let (at, end) = (rx.at, rx.end);
            let ahead = rx.ahead.get_or_insert_with(|| Box::new([0u8; AHEAD]));
            if at > 0 {
                ahead.copy_within(at..end, 0);
            }
            let have = end - at;
            rx.at = 0;
            rx.end = have;
            match socket::recv(self.fd(), &mut ahead[have..], false, false, wait)? {
                Some(n) if n > 0 => rx.end += n,
                None => return Ok(false),
                // The peer is gone (a header cut short by a dying writer is lost).
                _ => {
                    rx.clear_ahead();
                    return Err(self.eof());
                }
            }
        }
        let header: [u8; HEADER] = rx.buffered()[..HEADER].try_into().expect("8 bytes");
        let len = frame::decode(&header).ok_or_else(|| win32(ERROR_BAD_PIPE))?;
        rx.at += HEADER;
        rx.in_msg = true;
        rx.left = u64::from(len);
        Ok(true)
    }

    fn read_message(
        &self,
        rx: &mut Rx,
        buf: &mut [u8],
        progress: &mut usize,
        first: Wait,
        rest: Wait,
    ) -> io::Result<Option<ReadOutcome>> {
        if !rx.in_msg && !self.read_header(rx, if *progress == 0 { first } else { rest })? {
            return Ok(None);
        }
        let target = (*progress as u64 + rx.left).min(buf.len() as u64) as usize;
        *progress += rx.take(&mut buf[*progress..target]);
        while *progress < target {
            let all = rest == Wait::Block;
            match socket::recv(self.fd(), &mut buf[*progress..target], false, all, rest)? {
                None => return Ok(None),
                Some(0) => {
                    // The writer died in the middle of a message: what came is lost with it.
                    rx.clear_ahead();
                    rx.in_msg = false;
                    rx.left = 0;
                    return Err(self.eof());
                }
                Some(n) => {
                    *progress += n;
                    rx.left -= n as u64;
                }
            }
        }
        let more = rx.left > 0;
        if !more {
            rx.in_msg = false;
        }
        Ok(Some(ReadOutcome {
            len: *progress,
            more,
        }))
    }

    /// A message-type pipe read in byte mode: bytes across message boundaries.
    fn read_bytes(
        &self,
        rx: &mut Rx,
        buf: &mut [u8],
        progress: &mut usize,
        first: Wait,
    ) -> io::Result<Option<ReadOutcome>> {
        while *progress < buf.len() {
            let wait = if *progress == 0 { first } else { Wait::Never };
            if !rx.in_msg {
                match self.read_header(rx, wait) {
                    Ok(true) => {}
                    Ok(false) if *progress > 0 => break,
                    Ok(false) => return Ok(None),
                    Err(_) if *progress > 0 => break,
                    Err(e) => return Err(e),
                }
            }
            if rx.left == 0 {
                rx.in_msg = false;
                continue;
            }
            let take = (rx.left.min((buf.len() - *progress) as u64)) as usize;
            let end = *progress + take;
            let from_ahead = rx.take(&mut buf[*progress..end]);
            if from_ahead > 0 {
                *progress += from_ahead;
                if rx.left == 0 {
                    rx.in_msg = false;
                }
                continue;
            }
            match socket::recv(self.fd(), &mut buf[*progress..end], false, false, wait)? {
                None if *progress > 0 => break,
                None => return Ok(None),
                Some(0) if *progress > 0 => break,
                Some(0) => return Err(self.eof()),
                Some(n) => {
                    *progress += n;
                    rx.left -= n as u64;
                    if rx.left == 0 {
                        rx.in_msg = false;
                    }
                }
            }
        }
        Ok(Some(ReadOutcome::whole(*progress)))
    }

    /// `WriteFile` without `OVERLAPPED`: all of `buf` (one message on a message-type pipe),
    /// blocking while the peer's buffer is full. In no-wait mode it never waits: a byte pipe
    /// takes what fits (the count says how much), a message that does not fit is not written
    /// (0).
    pub(crate) fn write(&self, buf: &[u8]) -> io::Result<usize> {
        if !self.can_write {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        self.gate()?;
        let nowait = self.nowait();
        let sent = if self.message_type {
            let header = frame::encode(message_len(buf)?);
            let _one_writer = lock(&self.tx);
            let how = if nowait {
                socket::Send::AllOrNothing
            } else {
                socket::Send::All
            };
            socket::send_all(self.fd(), &[&header, buf], how).map(|n| n.saturating_sub(HEADER))
        } else if buf.is_empty() {
            Ok(0)
        } else {
            let how = if nowait {
                socket::Send::WhatFits
            } else {
                socket::Send::All
            };
            socket::send_all(self.fd(), &[buf], how)
        };
        sent.map_err(|e| self.write_failed(e))
    }

    /// One attempt at a write that never blocks, resumable: `progress` counts the bytes already
    /// sent by earlier attempts of the same write (the header included). `Ok(None)`: try again
    /// when the socket is writable.
    pub(crate) fn try_write(&self, buf: &[u8], progress: &mut usize) -> io::Result<Option<usize>> {
        if !self.can_write {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        self.gate()?;
        let header;
        let parts: &[&[u8]] = if self.message_type {
            header = frame::encode(message_len(buf)?);
            &[&header, buf]
        } else {
            &[buf]
        };
        let total: usize = parts.iter().map(|p| p.len()).sum();
        while *progress < total {
            match socket::send_some(self.fd(), parts, *progress) {
                Ok(Some(n)) => *progress += n,
                Ok(None) => return Ok(None),
                Err(e) => return Err(self.write_failed(e)),
            }
        }
        Ok(Some(buf.len()))
    }

    /// `PeekNamedPipe`: copies bytes of the first waiting message (of the stream, for a byte
    /// pipe) without removing them. Never blocks.
    pub(crate) fn peek(&self, buf: &mut [u8]) -> io::Result<PeekInfo> {
        if !self.can_read && !self.is_server() {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        self.gate()?;
        let fd = self.fd();
        let queued = socket::queued_in(fd)?;
        // A read blocked in another thread holds the reader's place; it waits for more of the
        // stream, so what it holds is at most a piece of a header.
        let (head_left, ahead) = match self.rx.try_lock() {
            Ok(rx) => (rx.in_msg.then_some(rx.left), rx.buffered().to_vec()),
            _ => (None, Vec::new()),
        };
        if queued == 0 && ahead.is_empty() && head_left.is_none_or(|l| l == 0) {
            if socket::peer_closed(fd) {
                return Err(self.eof());
            }
            return Ok(PeekInfo::default());
        }
        if !self.message_type {
            let n = socket::recv(fd, buf, true, false, Wait::Never)?.unwrap_or(0);
            return Ok(PeekInfo {
                read: n,
                available: queued,
                left_in_message: 0,
            });
        }
        let mut copy = ahead;
        let from = copy.len();
        copy.resize(from + queued, 0);
        let got = socket::recv(fd, &mut copy[from..], true, false, Wait::Never)?.unwrap_or(0);
        copy.truncate(from + got);
        let (present, first_len, total) =
            frame::survey(&copy, head_left).ok_or_else(|| win32(ERROR_BAD_PIPE))?;
        let start = if head_left.is_some() { 0 } else { HEADER };
        let read = present.min(buf.len());
        if read > 0 {
            buf[..read].copy_from_slice(&copy[start..start + read]);
        }
        let left = if buf.is_empty() {
            first_len
        } else {
            first_len - read as u64
        };
        Ok(PeekInfo {
            read,
            available: total as usize,
            left_in_message: left as usize,
        })
    }

    /// `TransactNamedPipe`: writes one message and reads one. Needs a message-type pipe in
    /// message read mode (`ERROR_BAD_PIPE`) with nothing unread (`ERROR_PIPE_BUSY`, and nothing
    /// is written).
    pub(crate) fn transact(&self, request: &[u8], reply: &mut [u8]) -> io::Result<ReadOutcome> {
        self.check_transact()?;
        self.write(request)?;
        let mut progress = 0;
        match self.read_step(reply, &mut progress, Wait::Block, Wait::Block)? {
            Some(r) => Ok(r),
            None => Err(win32(ERROR_NO_DATA)),
        }
    }

    /// The checks `TransactNamedPipe` makes before it writes.
    pub(crate) fn check_transact(&self) -> io::Result<()> {
        if !self.message_type || !self.read_message_mode() {
            return Err(win32(ERROR_BAD_PIPE));
        }
        self.gate()?;
        let unread = {
            let rx = lock(&self.rx);
            rx.in_msg || !rx.buffered().is_empty()
        } || socket::queued_in(self.fd())? > 0;
        if unread {
            return Err(win32(ERROR_PIPE_BUSY));
        }
        Ok(())
    }

    /// `FlushFileBuffers`: returns once the peer has read everything this end wrote (or is
    /// gone). Linux tells the queue's length but not when it drains, so this polls it, from
    /// 20 µs up to every millisecond.
    pub(crate) fn flush(&self) -> io::Result<()> {
        self.gate()?;
        let mut pause = Duration::from_micros(20);
        loop {
            if socket::queued_out(self.fd())? == 0 || socket::peer_closed(self.fd()) {
                return Ok(());
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(1));
        }
    }

    /// The peer's (process id, user id).
    pub(crate) fn peer(&self) -> io::Result<(u32, u32)> {
        match &self.role {
            Role::Server(inst) => inst.client().ok_or_else(|| win32(ERROR_PIPE_NOT_CONNECTED)),
            Role::Client(c) => c.server(self.fd()),
            Role::Bare { .. } => socket::peer_cred(self.fd()),
        }
    }
}

fn message_len(buf: &[u8]) -> io::Result<u32> {
    u32::try_from(buf.len()).map_err(|_| win32(ERROR_INVALID_PARAMETER))
}
