//! The child side of the two-process scenarios: this executable, run again as
//! `<exe> __bench-child <role> <end> <read size> <cpu|->` (pipe roles) or
//! `<exe> __bench-child <role> <end> <round trips> <cpu|->` (ping-pong roles).
//!
//! The child talks to the parent over its standard output, which is a pipe of its own: it
//! prints `ready` once it holds its end of the pipe under test (so the parent's clock leaves out
//! process start-up), then reads the pipe to its end, `<read size>` bytes at a time at most, and
//! prints how many bytes it got. A
//! ping-pong child prints `ready` once it holds its two signals, and `done` after the last
//! round trip (see [`crate::pingpong`]).

use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::process::ExitCode;

use w32ipc::HandleValue;
use w32ipc::error::{ERROR_BROKEN_PIPE, Win32ErrorExt};
use w32ipc::pipe::PipeReader;

use crate::placement::pin_self;

/// The first argument that makes this executable a child.
pub const CHILD_ARG: &str = "__bench-child";

/// The roles a child can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Reads a raw pipe whose descriptor number it is given.
    RawRead,
    /// Reads a w32ipc pipe whose handle value it is given.
    W32ipcRead,
    /// Reads an `os_pipe` pipe that is its standard input (`os_pipe::dup_stdin`).
    OsPipeRead,
    /// Reads an `interprocess` unnamed pipe whose (inherited) descriptor number it is given.
    InterprocessRead,
    /// Ping-pong over raw futex flags in the shared page whose descriptor number it is given.
    FutexPong,
    /// The same with waits that spin first.
    FutexSpinPong,
    /// Ping-pong over the two named events whose base name it is given.
    EventPong,
    /// Ping-pong over the two named semaphores whose base name it is given.
    SemaphorePong,
    /// Ping-pong over the two iceoryx2 services whose base name it is given.
    #[cfg(feature = "iceoryx2")]
    IceoryxPong,
    /// A named-pipe scenario's other end (see [`crate::npipe`]).
    Npipe,
    /// A message scenario's receiver (see [`crate::msg`]).
    Msg,
    /// The echoing end of the anonymous-pipe round trip (see [`crate::pipe_roundtrip`]).
    PipeEcho,
    /// An idle-memory trial's maker of idle objects (see [`crate::idle_memory`]).
    IdleMemory,
}

impl Role {
    /// The role's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::RawRead => "raw-read",
            Role::W32ipcRead => "w32ipc-read",
            Role::OsPipeRead => "os-pipe-read",
            Role::InterprocessRead => "interprocess-read",
            Role::FutexPong => "futex-pong",
            Role::FutexSpinPong => "futex-spin-pong",
            Role::EventPong => "event-pong",
            Role::SemaphorePong => "semaphore-pong",
            #[cfg(feature = "iceoryx2")]
            Role::IceoryxPong => "iox-pong",
            Role::Npipe => crate::npipe::ROLE,
            Role::Msg => crate::msg::ROLE,
            Role::PipeEcho => crate::pipe_roundtrip::ROLE,
            Role::IdleMemory => crate::idle_memory::ROLE,
        }
    }

    fn parse(s: &str) -> Option<Role> {
        [
            Role::RawRead,
            Role::W32ipcRead,
            Role::OsPipeRead,
            Role::InterprocessRead,
            Role::FutexPong,
            Role::FutexSpinPong,
            Role::EventPong,
            Role::SemaphorePong,
            #[cfg(feature = "iceoryx2")]
            Role::IceoryxPong,
            Role::Npipe,
            Role::Msg,
            Role::PipeEcho,
            Role::IdleMemory,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The arguments (after the executable) that start a pipe-reading child in `role`, holding
/// `end` (a descriptor number or handle value; `-` for standard input), reading at most
/// `read_size` bytes at a time, pinned to `cpu` if given.
pub fn args(role: Role, end: &str, read_size: usize, cpu: Option<usize>) -> [String; 5] {
    [
        CHILD_ARG.to_string(),
        role.as_str().to_string(),
        end.to_string(),
        read_size.to_string(),
        cpu.map_or_else(|| "-".to_string(), |c| c.to_string()),
    ]
}

/// Runs the child role described by `args` (what follows [`CHILD_ARG`]).
pub fn run(args: &[String]) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("w32ipc-bench child: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &[String]) -> io::Result<()> {
    let bad = || io::Error::other(format!("bad child arguments {args:?}"));
    let role = args.first().ok_or_else(bad)?;
    let role = Role::parse(role).ok_or_else(|| io::Error::other(format!("no role {role:?}")))?;
    match (role, &args[1..]) {
        (
            Role::RawRead | Role::W32ipcRead | Role::OsPipeRead | Role::InterprocessRead,
            [end, read_size, cpu],
        ) => serve_read(role, end, read_size.parse().map_err(|_| bad())?, cpu),
        (Role::Npipe, rest) => crate::npipe::serve_child(rest),
        (Role::Msg, rest) => crate::msg::serve_child(rest),
        (Role::PipeEcho, rest) => crate::pipe_roundtrip::serve_child(rest),
        (Role::IdleMemory, rest) => crate::idle_memory::serve_child(rest),
        (
            Role::FutexPong | Role::FutexSpinPong | Role::EventPong | Role::SemaphorePong,
            [end, rounds, cpu],
        ) => serve_pong(role, end, rounds.parse().map_err(io::Error::other)?, cpu),
        #[cfg(feature = "iceoryx2")]
        (Role::IceoryxPong, [end, rounds, cpu]) => {
            serve_pong(role, end, rounds.parse().map_err(io::Error::other)?, cpu)
        }
        _ => Err(bad()),
    }
}

/// Reads the pipe `end` to its end and reports the byte count.
fn serve_read(role: Role, end: &str, read_size: usize, cpu: &str) -> io::Result<()> {
    pin(cpu)?;
    let mut buf = vec![0u8; read_size];
    let total = match role {
        Role::RawRead => {
            let fd: RawFd = end.parse().map_err(io::Error::other)?;
            // SAFETY: the parent cleared close-on-exec on this descriptor for us alone and
            // told us its number; nothing else in this process owns it.
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            ready()?;
            drain_raw(&fd, &mut buf)?
        }
        Role::W32ipcRead => {
            let value: HandleValue = end.parse()?;
            // SAFETY: the parent passed this inherited handle for our sole use.
            let reader = unsafe { PipeReader::from_inherited(value)? };
            ready()?;
            drain_w32ipc(&reader, &mut buf)?
        }
        Role::OsPipeRead => {
            let reader = os_pipe::dup_stdin()?;
            ready()?;
            drain(reader, &mut buf)?
        }
        Role::InterprocessRead => {
            let fd: RawFd = end.parse().map_err(io::Error::other)?;
            // SAFETY: interprocess made this descriptor inheritable and the parent told us its
            // number; nothing else in this process owns it.
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            let reader = interprocess::unnamed_pipe::Recver::from(fd);
            ready()?;
            drain(reader, &mut buf)?
        }
        _ => unreachable!("not a pipe role"),
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{total}")?;
    out.flush()
}

/// Pins this process to `cpu` unless it is `-`.
fn pin(cpu: &str) -> io::Result<()> {
    if cpu != "-" {
        pin_self(cpu.parse().map_err(io::Error::other)?)?;
    }
    Ok(())
}

/// Serves a ping-pong: dies with the parent (a ping-pong child would otherwise wait forever
/// for a ping that never comes), pins itself, and plays its side.
fn serve_pong(role: Role, end: &str, rounds: u64, cpu: &str) -> io::Result<()> {
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
    pin(cpu)?;
    match role {
        Role::FutexPong => crate::pingpong::serve_futex(end, rounds, false),
        Role::FutexSpinPong => crate::pingpong::serve_futex(end, rounds, true),
        Role::EventPong => crate::event_pingpong::serve_child(end, rounds),
        Role::SemaphorePong => crate::semaphore_pingpong::serve_child(end, rounds),
        #[cfg(feature = "iceoryx2")]
        Role::IceoryxPong => crate::iox_pingpong::serve_child(end, rounds),
        Role::RawRead
        | Role::W32ipcRead
        | Role::OsPipeRead
        | Role::InterprocessRead
        | Role::Npipe
        | Role::Msg
        | Role::PipeEcho
        | Role::IdleMemory => {
            unreachable!("not a ping-pong role")
        }
    }
}

fn ready() -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()
}

/// Reads with `read(2)` until end of file.
fn drain_raw(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Reads with [`Read::read`] (a peer crate's reader) until end of file.
fn drain(mut reader: impl Read, buf: &mut [u8]) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        match reader.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Reads with `ReadFile` until `ERROR_BROKEN_PIPE`.
fn drain_w32ipc(reader: &PipeReader, buf: &mut [u8]) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        match reader.read_file(buf) {
            Ok(n) => total += n as u64,
            Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => return Ok(total),
            Err(e) => return Err(e),
        }
    }
}
