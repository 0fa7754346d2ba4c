//! The blocking arms of the named-pipe scenarios behind one face: a listening end
//! ([`Listener`]: bind, accept a client, let it go) and a connection ([`Conn`]: send, receive).
//!
//! * raw: std's `UnixListener` / `UnixStream` on an abstract address — `accept(2)`,
//!   `connect(2)`, `read(2)`, `write(2)`;
//! * interprocess: `interprocess::local_socket` with a `GenericNamespaced` name (an abstract
//!   Unix socket on Linux);
//! * w32ipc: one `PipeServer` instance (`connect()` = ConnectNamedPipe, let go =
//!   DisconnectNamedPipe) and `PipeClient::open` (on `ERROR_PIPE_BUSY`: `wait_named_pipe`,
//!   then open again, as a Win32 client does); in [`Framing::Messages`] a message-type pipe
//!   read in message mode (`write_msg` / `read_msg`), otherwise a byte pipe through
//!   `std::io::Read`/`Write`.
//!
//! The tokio arm is async and lives in each scenario's module.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::{AtomicU64, Ordering};

use interprocess::local_socket::prelude::*;
use interprocess::local_socket::{self as ipc, GenericNamespaced, ListenerOptions};
use w32ipc::error::{
    ERROR_BROKEN_PIPE, ERROR_NO_DATA, ERROR_PIPE_BUSY, ERROR_PIPE_NOT_CONNECTED, Win32ErrorExt,
};
use w32ipc::npipe::{PipeClient, PipeMode, PipeServer, ServerOptions, WaitTimeout};

use crate::npipe::{Arm, pipe_name, socket_addr};

/// How a scenario's data goes: a byte stream, or messages (which only the w32ipc arm keeps
/// apart; the sockets are byte streams, and every scenario knows its message size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// A byte pipe (w32ipc: `PipeMode::Byte`).
    Bytes,
    /// A message pipe read in message mode (w32ipc: `PipeMode::Message` on both ends).
    Messages,
}

impl Framing {
    fn mode(self) -> PipeMode {
        match self {
            Framing::Bytes => PipeMode::Byte,
            Framing::Messages => PipeMode::Message,
        }
    }
}

/// The listening end of a blocking arm.
pub enum Listener {
    /// std `UnixListener`.
    Raw(UnixListener),
    /// interprocess `Listener`.
    Interprocess(ipc::Listener),
    /// One w32ipc pipe instance, connected to one client after the other.
    W32ipc(PipeServer, Framing),
}

/// One connection of a blocking arm.
pub enum Conn<'a> {
    /// std `UnixStream`.
    Raw(UnixStream),
    /// interprocess `Stream`.
    Interprocess(ipc::Stream),
    /// The server's end of a w32ipc pipe: the instance itself.
    W32ipcServer(&'a PipeServer, Framing),
    /// A w32ipc client.
    W32ipcClient(PipeClient, Framing),
}

impl Listener {
    /// Listens on the address named `base` (never the tokio arm).
    pub fn bind(arm: Arm, base: &str, framing: Framing) -> io::Result<Listener> {
        Listener::bind_sized(arm, base, framing, 0)
    }

    /// The same; a w32ipc pipe asks for `buffer` bytes each way (`nOutBufferSize` and
    /// `nInBufferSize`; 0: the defaults). The socket arms size their sockets themselves
    /// ([`Conn::socket`]).
    pub fn bind_sized(arm: Arm, base: &str, framing: Framing, buffer: u32) -> io::Result<Listener> {
        match arm {
            Arm::Raw => Ok(Listener::Raw(UnixListener::bind_addr(&socket_addr(base)?)?)),
            Arm::Interprocess => {
                let name = base.to_ns_name::<GenericNamespaced>()?;
                Ok(Listener::Interprocess(
                    ListenerOptions::new().name(name).create_sync()?,
                ))
            }
            Arm::W32ipc => {
                let server = ServerOptions::new(&pipe_name(base))
                    .pipe_type(framing.mode())
                    .read_mode(framing.mode())
                    .buffer_sizes(buffer, buffer)
                    .create()?;
                Ok(Listener::W32ipc(server, framing))
            }
            Arm::Tokio => Err(io::Error::other("the tokio arm is not a blocking one")),
        }
    }

    /// Waits for the next client.
    pub fn accept(&self) -> io::Result<Conn<'_>> {
        match self {
            Listener::Raw(l) => Ok(Conn::Raw(l.accept()?.0)),
            Listener::Interprocess(l) => Ok(Conn::Interprocess(l.accept()?)),
            Listener::W32ipc(server, framing) => {
                server.connect()?;
                Ok(Conn::W32ipcServer(server, *framing))
            }
        }
    }

    /// Lets the client of `conn` go (closes the socket; a pipe instance is disconnected, ready
    /// for the next `accept`).
    pub fn release(&self, conn: Conn<'_>) -> io::Result<()> {
        drop(conn);
        match self {
            Listener::W32ipc(server, _) => server.disconnect(),
            Listener::Raw(_) | Listener::Interprocess(_) => Ok(()),
        }
    }
}

impl Conn<'_> {
    /// Connects to the address named `base` (never the tokio arm).
    pub fn connect(arm: Arm, base: &str, framing: Framing) -> io::Result<Conn<'static>> {
        match arm {
            Arm::Raw => Ok(Conn::Raw(UnixStream::connect_addr(&socket_addr(base)?)?)),
            Arm::Interprocess => {
                let name = base.to_ns_name::<GenericNamespaced>()?;
                Ok(Conn::Interprocess(ipc::Stream::connect(name)?))
            }
            Arm::W32ipc => {
                let client = open_pipe(&pipe_name(base))?;
                if framing == Framing::Messages {
                    client.set_read_mode(PipeMode::Message)?;
                }
                Ok(Conn::W32ipcClient(client, framing))
            }
            Arm::Tokio => Err(io::Error::other("the tokio arm is not a blocking one")),
        }
    }

    /// The socket of a socket arm (raw, interprocess); `None` for w32ipc.
    pub fn socket(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Conn::Raw(s) => Some(s.as_fd()),
            Conn::Interprocess(ipc::Stream::UdSocket(s)) => Some(s.as_fd()),
            Conn::W32ipcServer(..) | Conn::W32ipcClient(..) => None,
        }
    }

    /// Sends all of `buf` (one message in [`Framing::Messages`]).
    pub fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Conn::Raw(s) => s.write_all(buf),
            Conn::Interprocess(s) => s.write_all(buf),
            Conn::W32ipcServer(s, Framing::Messages) => s.write_msg(buf),
            Conn::W32ipcServer(s, Framing::Bytes) => s.write_all(buf),
            Conn::W32ipcClient(c, Framing::Messages) => c.write_msg(buf),
            Conn::W32ipcClient(c, Framing::Bytes) => c.write_all(buf),
        }
    }

    /// Receives what is there, up to `buf.len()` bytes (one whole message in
    /// [`Framing::Messages`]); 0 at the end of the stream.
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let got = match self {
                Conn::Raw(s) => s.read(buf),
                Conn::Interprocess(s) => s.read(buf),
                Conn::W32ipcServer(s, Framing::Messages) => whole(s.read_msg(buf)),
                Conn::W32ipcServer(s, Framing::Bytes) => s.read(buf),
                Conn::W32ipcClient(c, Framing::Messages) => whole(c.read_msg(buf)),
                Conn::W32ipcClient(c, Framing::Bytes) => c.read(buf),
            };
            match got {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The peer closed (read_msg says so with an error; Read with 0).
                Err(e)
                    if matches!(
                        e.win32_code(),
                        ERROR_BROKEN_PIPE | ERROR_PIPE_NOT_CONNECTED | ERROR_NO_DATA
                    ) && matches!(self, Conn::W32ipcServer(..) | Conn::W32ipcClient(..)) =>
                {
                    return Ok(0);
                }
                got => return got,
            }
        }
    }

    /// Fills `buf`.
    pub fn recv_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        let mut done = 0;
        while done < buf.len() {
            match self.recv(&mut buf[done..])? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => done += n,
            }
        }
        Ok(())
    }

    /// Waits until the peer has closed its end (reading and dropping anything it still sent).
    pub fn wait_end(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 64];
        while self.recv(&mut buf)? != 0 {}
        Ok(())
    }
}

/// The length of a message read whole; a message longer than the buffer is an error here (the
/// scenarios know their message sizes).
fn whole(got: io::Result<w32ipc::npipe::ReadOutcome>) -> io::Result<usize> {
    let got = got?;
    if got.more {
        return Err(io::Error::other("a message longer than the scenario's"));
    }
    Ok(got.len)
}

/// Pipe opens of this process, and how many of them found every instance busy at first.
static OPENS: AtomicU64 = AtomicU64::new(0);
static BUSY: AtomicU64 = AtomicU64::new(0);

/// (opens, opens that had to wait) of [`open_pipe`] in this process since the last call.
pub fn take_open_counts() -> (u64, u64) {
    (
        OPENS.swap(0, Ordering::Relaxed),
        BUSY.swap(0, Ordering::Relaxed),
    )
}

/// Opens the pipe; while every instance is busy, waits for one to listen (`WaitNamedPipe`)
/// and tries again.
pub fn open_pipe(name: &str) -> io::Result<PipeClient> {
    OPENS.fetch_add(1, Ordering::Relaxed);
    let mut waited = false;
    loop {
        match PipeClient::open(name) {
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                if !waited {
                    waited = true;
                    BUSY.fetch_add(1, Ordering::Relaxed);
                }
                wait_named_pipe(name)?;
            }
            got => return got,
        }
    }
}

/// `WaitNamedPipe` without a time-out: the benchmark's watchdog bounds the trial.
pub fn wait_named_pipe(name: &str) -> io::Result<()> {
    w32ipc::npipe::wait_named_pipe(name, WaitTimeout::Forever)
}
