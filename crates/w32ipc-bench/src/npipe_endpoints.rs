//! The blocking arms of the named-pipe scenarios behind one face: a listening end
//! ([`Listener`]: bind, accept a client, let it go) and a connection ([`Conn`]: send, receive).
//!
//! * raw: std's `UnixListener` / `UnixStream` on an abstract address — `accept(2)`,
//!   `connect(2)`, `read(2)`, `write(2)`;
//! * interprocess: `interprocess::local_socket` with a `GenericNamespaced` name (an abstract
//!   Unix socket on Linux);
//! * w32ipc: one `PipeServer` instance (`connect()` = ConnectNamedPipe, let go =
//!   DisconnectNamedPipe) and `PipeClient::open`; in [`Framing::Messages`] a message-type pipe
//!   read in message mode (`write_msg` / `read_msg`).
//!
//! The tokio arm is async and lives in each scenario's module.

use std::io::{self, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};

use interprocess::local_socket::prelude::*;
use interprocess::local_socket::{self as ipc, GenericNamespaced, ListenerOptions};

use crate::npipe::{Arm, socket_addr};

/// How a scenario's data goes: a byte stream, or messages (which only the w32ipc arm keeps
/// apart; the sockets are byte streams, and every scenario knows its message size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// A byte pipe (w32ipc: `PipeMode::Byte`).
    Bytes,
    /// A message pipe read in message mode (w32ipc: `PipeMode::Message` on both ends).
    Messages,
}

/// The listening end of a blocking arm.
pub enum Listener {
    /// std `UnixListener`.
    Raw(UnixListener),
    /// interprocess `Listener`.
    Interprocess(ipc::Listener),
    // W32IPC ARM: `W32ipc(w32ipc::npipe::PipeServer)` — one instance, reconnected per client.
}

/// One connection of a blocking arm.
pub enum Conn {
    /// std `UnixStream`.
    Raw(UnixStream),
    /// interprocess `Stream`.
    Interprocess(ipc::Stream),
    // W32IPC ARM: `W32ipcServer(&'a PipeServer)` and `W32ipcClient(PipeClient)`.
}

impl Listener {
    /// Listens on the address named `base` (never the tokio arm).
    pub fn bind(arm: Arm, base: &str, _framing: Framing) -> io::Result<Listener> {
        match arm {
            Arm::Raw => Ok(Listener::Raw(UnixListener::bind_addr(&socket_addr(base)?)?)),
            Arm::Interprocess => {
                let name = base.to_ns_name::<GenericNamespaced>()?;
                Ok(Listener::Interprocess(
                    ListenerOptions::new().name(name).create_sync()?,
                ))
            }
            Arm::W32ipc => Err(not_yet()),
            Arm::Tokio => Err(io::Error::other("the tokio arm is not a blocking one")),
        }
    }

    /// Waits for the next client.
    pub fn accept(&self) -> io::Result<Conn> {
        match self {
            Listener::Raw(l) => Ok(Conn::Raw(l.accept()?.0)),
            Listener::Interprocess(l) => Ok(Conn::Interprocess(l.accept()?)),
        }
    }

    /// Lets the client of `conn` go (closes the socket; a pipe instance is disconnected, ready
    /// for the next `accept`).
    pub fn release(&self, conn: Conn) -> io::Result<()> {
        drop(conn);
        Ok(())
    }
}

impl Conn {
    /// Connects to the address named `base` (never the tokio arm).
    pub fn connect(arm: Arm, base: &str, _framing: Framing) -> io::Result<Conn> {
        match arm {
            Arm::Raw => Ok(Conn::Raw(UnixStream::connect_addr(&socket_addr(base)?)?)),
            Arm::Interprocess => {
                let name = base.to_ns_name::<GenericNamespaced>()?;
                Ok(Conn::Interprocess(ipc::Stream::connect(name)?))
            }
            Arm::W32ipc => Err(not_yet()),
            Arm::Tokio => Err(io::Error::other("the tokio arm is not a blocking one")),
        }
    }

    /// Sends all of `buf` (one message in [`Framing::Messages`]).
    pub fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Conn::Raw(s) => s.write_all(buf),
            Conn::Interprocess(s) => s.write_all(buf),
        }
    }

    /// Receives what is there, up to `buf.len()` bytes (one whole message in
    /// [`Framing::Messages`]); 0 at the end of the stream.
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let got = match self {
                Conn::Raw(s) => s.read(buf),
                Conn::Interprocess(s) => s.read(buf),
            };
            match got {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
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

fn not_yet() -> io::Error {
    io::Error::other("the w32ipc named-pipe arm is not written yet (w32ipc::npipe is missing)")
}
