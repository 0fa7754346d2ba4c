//! Named pipes with Win32 semantics: instances of one name in one or several server processes,
//! byte and message pipes, `ConnectNamedPipe`/`DisconnectNamedPipe`, `WaitNamedPipe`,
//! peeks, transactions, and (with the `tokio` feature) the same server and client as futures.
//!
//! Under each name lies a small shared table (one file in the session's `pipe` directory) that
//! counts the instances and says which one listens; under each connection, a Unix stream
//! socket. Byte pipes are the bare stream; message pipes put an 8-byte header before each
//! message, so a short read can keep the rest of a message for the next one, as Windows does.
//!
//! ```
//! use std::thread;
//! use w32ipc::npipe::{PipeClient, PipeMode, ServerOptions};
//!
//! let name = format!(r"\\.\pipe\doc-echo-{}", std::process::id());
//! let server = ServerOptions::new(&name)
//!     .pipe_type(PipeMode::Message)
//!     .read_mode(PipeMode::Message)
//!     .create()?;
//! let client = thread::spawn({
//!     let name = name.clone();
//!     move || -> std::io::Result<Vec<u8>> {
//!         let client = PipeClient::open(&name)?;
//!         client.set_read_mode(PipeMode::Message)?;
//!         let mut reply = [0u8; 64];
//!         let got = client.transact(b"ping", &mut reply)?;
//!         Ok(reply[..got.len].to_vec())
//!     }
//! });
//! server.connect()?;
//! let mut buf = [0u8; 64];
//! let n = server.read_msg(&mut buf)?.len;
//! assert_eq!(&buf[..n], b"ping");
//! server.write_msg(b"pong")?;
//! assert_eq!(client.join().unwrap()?, b"pong");
//! # Ok::<(), std::io::Error>(())
//! ```

mod client;
mod end;
mod frame;
mod handle;
mod options;
pub(crate) mod registry;
mod server;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use crate::io::PeekInfo;
pub use crate::object::name::PipeName;
pub use client::{
    PipeClient, PipeListing, WaitTimeout, call_named_pipe, list_pipes, wait_named_pipe,
};
pub use handle::PipeHandle;
pub use options::{ServerOptions, UNLIMITED_INSTANCES};
pub use server::PipeServer;

/// Byte stream or messages: a pipe's type, and an end's read mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PipeMode {
    /// `PIPE_TYPE_BYTE` / `PIPE_READMODE_BYTE`.
    #[default]
    Byte,
    /// `PIPE_TYPE_MESSAGE` / `PIPE_READMODE_MESSAGE`.
    Message,
}

/// Which way data flows, as the server sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PipeAccess {
    /// `PIPE_ACCESS_INBOUND`: clients write, the server reads.
    Inbound,
    /// `PIPE_ACCESS_OUTBOUND`: the server writes, clients read.
    Outbound,
    /// `PIPE_ACCESS_DUPLEX`: both ways.
    #[default]
    Duplex,
}

impl PipeAccess {
    /// The `PIPE_ACCESS_*` bits.
    pub fn bits(self) -> u32 {
        match self {
            PipeAccess::Inbound => 1,
            PipeAccess::Outbound => 2,
            PipeAccess::Duplex => 3,
        }
    }

    /// From `PIPE_ACCESS_*` bits; `None` for 0.
    pub fn from_bits(bits: u32) -> Option<PipeAccess> {
        match bits & 3 {
            1 => Some(PipeAccess::Inbound),
            2 => Some(PipeAccess::Outbound),
            3 => Some(PipeAccess::Duplex),
            _ => None,
        }
    }
}

/// What a read returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ReadOutcome {
    /// Bytes placed in the buffer.
    pub len: usize,
    /// The message did not fit: the rest waits for the next read (Win32's `ERROR_MORE_DATA`).
    pub more: bool,
}

impl ReadOutcome {
    pub(crate) fn whole(len: usize) -> ReadOutcome {
        ReadOutcome { len, more: false }
    }
}

/// `GetNamedPipeInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipeInfo {
    /// The server end (`PIPE_SERVER_END`).
    pub server_end: bool,
    /// A message-type pipe (`PIPE_TYPE_MESSAGE`).
    pub message_type: bool,
    /// The instance's output buffer size hint.
    pub out_buffer: u32,
    /// The instance's input buffer size hint.
    pub in_buffer: u32,
    /// The name's `nMaxInstances` (255: unlimited).
    pub max_instances: u32,
}

/// `GetNamedPipeHandleState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleState {
    /// `PIPE_NOWAIT`.
    pub nowait: bool,
    /// `PIPE_READMODE_MESSAGE`.
    pub read_message: bool,
    /// Live instances of the name.
    pub instances: u32,
}

/// The methods both ends have, on a type holding `end: Arc<PipeEnd>`.
macro_rules! end_methods {
    ($t:ty) => {
        impl $t {
            /// Reads one message, or what fits of it (`ReadFile`). In byte read mode, reads
            /// what is there (across message boundaries). Blocks until data comes, unless in
            /// no-wait mode.
            ///
            /// # Errors
            /// `ERROR_BROKEN_PIPE` when the peer closed and nothing is left;
            /// `ERROR_PIPE_NOT_CONNECTED` after a disconnect; `ERROR_NO_DATA` in no-wait mode
            /// when nothing is there; `ERROR_PIPE_LISTENING` on a server with no client.
            #[doc(alias = "ReadFile")]
            pub fn read_msg(&self, buf: &mut [u8]) -> std::io::Result<$crate::npipe::ReadOutcome> {
                self.end.read(buf)
            }

            /// Writes `buf` as one message (in a byte pipe: all of its bytes) (`WriteFile`).
            ///
            /// # Errors
            /// `ERROR_NO_DATA` when the peer closed; `ERROR_PIPE_NOT_CONNECTED` after a
            /// disconnect. In no-wait mode, [`std::io::ErrorKind::WouldBlock`] when the message
            /// does not fit now (nothing was written; Win32 reports success with 0 bytes) or,
            /// on a byte pipe, when only part of it did (`io::Write::write` tells how much).
            #[doc(alias = "WriteFile")]
            pub fn write_msg(&self, buf: &[u8]) -> std::io::Result<()> {
                let n = self.end.write(buf)?;
                if n < buf.len() {
                    return Err(std::io::ErrorKind::WouldBlock.into());
                }
                Ok(())
            }

            /// Copies waiting bytes without removing them (`PeekNamedPipe`); never blocks.
            #[doc(alias = "PeekNamedPipe")]
            pub fn peek(&self, buf: &mut [u8]) -> std::io::Result<$crate::npipe::PeekInfo> {
                self.end.peek(buf)
            }

            /// Writes a request message and reads the reply (`TransactNamedPipe`).
            ///
            /// # Errors
            /// `ERROR_BAD_PIPE` unless a message pipe in message read mode;
            /// `ERROR_PIPE_BUSY` (nothing written) while unread data waits.
            #[doc(alias = "TransactNamedPipe")]
            pub fn transact(
                &self,
                request: &[u8],
                reply: &mut [u8],
            ) -> std::io::Result<$crate::npipe::ReadOutcome> {
                self.end.transact(request, reply)
            }

            /// Returns once the peer has read everything written so far (`FlushFileBuffers`).
            #[doc(alias = "FlushFileBuffers")]
            pub fn flush_buffers(&self) -> std::io::Result<()> {
                self.end.flush()
            }

            /// Sets this end's read mode (`SetNamedPipeHandleState`).
            ///
            /// # Errors
            /// `ERROR_INVALID_PARAMETER` for message mode on a byte pipe.
            #[doc(alias = "SetNamedPipeHandleState")]
            pub fn set_read_mode(&self, mode: $crate::npipe::PipeMode) -> std::io::Result<()> {
                self.end
                    .set_read_message(mode == $crate::npipe::PipeMode::Message)
            }

            /// Switches no-wait mode on or off (`SetNamedPipeHandleState`, `PIPE_NOWAIT`).
            pub fn set_nowait(&self, on: bool) {
                self.end.set_nowait(on)
            }

            /// `GetNamedPipeInfo`.
            #[doc(alias = "GetNamedPipeInfo")]
            pub fn info(&self) -> std::io::Result<$crate::npipe::PipeInfo> {
                Ok($crate::npipe::handle::info(&self.end))
            }

            /// `GetNamedPipeHandleState`.
            #[doc(alias = "GetNamedPipeHandleStateW")]
            pub fn state(&self) -> std::io::Result<$crate::npipe::HandleState> {
                Ok($crate::npipe::handle::state(&self.end))
            }

            /// Gives up the typed end for a plain [`Handle`](crate::Handle) (for the Win32-style
            /// functions, or to pass to a child). [`PipeHandle::of`](crate::npipe::PipeHandle::of)
            /// gets the pipe operations back.
            pub fn into_handle(self) -> $crate::Handle {
                $crate::npipe::handle::into_handle(self.end)
            }
        }

        impl std::os::fd::AsFd for $t {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.end.fd()
            }
        }

        impl $crate::object::AsHandleValue for $t {
            fn handle_value(&self) -> $crate::HandleValue {
                $crate::npipe::handle::value_of(&self.end)
            }
        }

        impl std::io::Read for &$t {
            /// Reads bytes; the end of the stream (the peer closed) reads as 0.
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                $crate::npipe::handle::stream_read(&self.end, buf)
            }
        }

        impl std::io::Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                $crate::npipe::handle::stream_read(&self.end, buf)
            }
        }

        impl std::io::Write for &$t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.end.write(buf)
            }
            /// Nothing to do: bytes are with the peer once written. See
            /// `flush_buffers` for `FlushFileBuffers`.
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        impl std::io::Write for $t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.end.write(buf)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}
pub(crate) use end_methods;
