//! `CreateNamedPipe`'s parameters as a builder.

use std::io;
use std::time::Duration;

use super::server::PipeServer;
use super::{PipeAccess, PipeMode};
use crate::error::{ERROR_INVALID_PARAMETER, win32};

/// `PIPE_UNLIMITED_INSTANCES`: as many instances as the system allows (here, 4096).
pub const UNLIMITED_INSTANCES: u32 = 255;

/// How to create a pipe instance (`CreateNamedPipe`'s arguments). Each [`create`](Self::create)
/// makes one more instance of the name.
///
/// ```
/// use w32ipc::npipe::{PipeAccess, PipeMode, ServerOptions};
/// # let name = format!(r"\\.\pipe\doc-options-{}", std::process::id());
/// let server = ServerOptions::new(&name)
///     .access(PipeAccess::Duplex)
///     .pipe_type(PipeMode::Message)
///     .read_mode(PipeMode::Message)
///     .max_instances(4)
///     .create()?;
/// assert!(server.info()?.message_type);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
#[doc(alias = "CreateNamedPipeW")]
#[doc(alias = "CreateNamedPipeA")]
pub struct ServerOptions {
    pub(crate) name: String,
    pub(crate) access: PipeAccess,
    pub(crate) pipe_type: PipeMode,
    pub(crate) read_mode: PipeMode,
    pub(crate) nowait: bool,
    pub(crate) max_instances: u32,
    pub(crate) out_buffer: u32,
    pub(crate) in_buffer: u32,
    pub(crate) default_timeout: Duration,
    pub(crate) first_instance: bool,
    pub(crate) allow_other_users: bool,
    pub(crate) inheritable: bool,
}

impl ServerOptions {
    /// Options for the pipe `name` (`\\.\pipe\X`): duplex, byte type and read mode, blocking,
    /// unlimited instances, default buffers, a 50 ms default time-out, same user only.
    pub fn new(name: &str) -> ServerOptions {
        ServerOptions {
            name: name.to_owned(),
            access: PipeAccess::Duplex,
            pipe_type: PipeMode::Byte,
            read_mode: PipeMode::Byte,
            nowait: false,
            max_instances: UNLIMITED_INSTANCES,
            out_buffer: 0,
            in_buffer: 0,
            default_timeout: Duration::ZERO,
            first_instance: false,
            allow_other_users: false,
            inheritable: false,
        }
    }

    /// The direction data flows (`PIPE_ACCESS_INBOUND`/`OUTBOUND`/`DUPLEX`). Every instance of
    /// a name must use the first instance's.
    pub fn access(mut self, access: PipeAccess) -> Self {
        self.access = access;
        self
    }

    /// Byte stream or messages (`PIPE_TYPE_BYTE`/`PIPE_TYPE_MESSAGE`).
    pub fn pipe_type(mut self, t: PipeMode) -> Self {
        self.pipe_type = t;
        self
    }

    /// How this end reads (`PIPE_READMODE_BYTE`/`PIPE_READMODE_MESSAGE`); message reads need a
    /// message-type pipe.
    pub fn read_mode(mut self, m: PipeMode) -> Self {
        self.read_mode = m;
        self
    }

    /// `PIPE_NOWAIT`: connects, reads and writes return at once instead of waiting.
    pub fn nowait(mut self, on: bool) -> Self {
        self.nowait = on;
        self
    }

    /// `nMaxInstances`: 1–254, or [`UNLIMITED_INSTANCES`] (255). The first instance's value
    /// caps the name.
    pub fn max_instances(mut self, n: u32) -> Self {
        self.max_instances = n;
        self
    }

    /// Buffer size hints for each direction (`nOutBufferSize`, `nInBufferSize`); 0 keeps the
    /// system default.
    pub fn buffer_sizes(mut self, out: u32, in_: u32) -> Self {
        self.out_buffer = out;
        self.in_buffer = in_;
        self
    }

    /// The time-out `WaitNamedPipe` uses when asked for the default (0: 50 ms).
    pub fn default_timeout(mut self, t: Duration) -> Self {
        self.default_timeout = t;
        self
    }

    /// `FILE_FLAG_FIRST_PIPE_INSTANCE`: fail with `ERROR_ACCESS_DENIED` if the name exists.
    pub fn first_instance(mut self, on: bool) -> Self {
        self.first_instance = on;
        self
    }

    /// Accept clients running as other users too. Off by default: a client of another uid is
    /// refused.
    pub fn allow_other_users(mut self, on: bool) -> Self {
        self.allow_other_users = on;
        self
    }

    /// Make the instance's handle inheritable (`bInheritHandle`).
    pub fn inheritable(mut self, on: bool) -> Self {
        self.inheritable = on;
        self
    }

    /// Creates one instance of the pipe.
    ///
    /// # Errors
    /// `ERROR_INVALID_PARAMETER` for a byte-type pipe in message read mode or `nMaxInstances`
    /// outside 1–255; `ERROR_INVALID_NAME` / `ERROR_FILENAME_EXCED_RANGE` for a bad name;
    /// `ERROR_ACCESS_DENIED` when the name exists and the access differs or
    /// [`first_instance`](Self::first_instance) was asked; `ERROR_PIPE_BUSY` when the name
    /// already has its maximum number of instances.
    pub fn create(&self) -> io::Result<PipeServer> {
        self.validate()?;
        PipeServer::create(self)
    }

    pub(crate) fn validate(&self) -> io::Result<()> {
        if self.pipe_type == PipeMode::Byte && self.read_mode == PipeMode::Message {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        if self.max_instances == 0 || self.max_instances > UNLIMITED_INSTANCES {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        Ok(())
    }

    pub(crate) fn timeout_ms(&self) -> u32 {
        let ms = self.default_timeout.as_millis();
        if ms == 0 {
            50
        } else {
            ms.min(u32::MAX as u128) as u32
        }
    }
}
