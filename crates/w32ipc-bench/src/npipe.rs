//! Named-pipe scenarios (issue 4): what they share — the arms compared, the child process that
//! plays the other end (a [`Peer`], watched), and the run of all of them.
//!
//! Every scenario runs between two processes: this one and a child, this executable run again
//! as `<exe> __bench-child npipe <scenario> <arm> <name> <count> <cpu|-> [<more>…]` (see
//! [`serve_child`]; only the throughput scenario has more: its read size and buffer size). The
//! child talks to the parent over its standard output (`ready`, then a result line), so that
//! process start-up and exit stay outside the clock. Each trial starts a fresh child and uses
//! an address no other trial used ([`crate::session::unique_name`]).
//!
//! The arms ([`Arm`]): the baseline is a raw Unix stream socket (std's `UnixListener` /
//! `UnixStream`, plain `read(2)`/`write(2)`, an abstract address); the subjects are w32ipc's
//! named pipes, the `interprocess` crate's local sockets and tokio's `UnixStream` (a
//! current-thread runtime in each process). The scenarios:
//!
//! * [`crate::npipe_throughput`]: byte-mode throughput (64 KiB and 1 MiB writes), GiB/s;
//! * [`crate::npipe_roundtrip`]: 64-byte message round trip, median and p99 µs;
//! * [`crate::npipe_connect`]: connect + first message + close, µs per connection;
//! * [`crate::npipe_async`]: requests/s of 100 concurrent clients against one async server.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::Command;

use crate::child::CHILD_ARG;
use crate::harness::Comparison;
use crate::npipe_endpoints::Framing;
use crate::options::Options;
pub use crate::peer::Peer;
use crate::placement;
use crate::{npipe_async, npipe_connect, npipe_roundtrip, npipe_throughput};

/// The child role name on the command line (after [`CHILD_ARG`]).
pub const ROLE: &str = "npipe";

/// One way of doing a scenario's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// The baseline: a raw Unix stream socket (std, `read(2)`/`write(2)`), abstract address.
    Raw,
    /// w32ipc's named pipes (`w32ipc::npipe`).
    W32ipc,
    /// The `interprocess` crate's local sockets (an abstract Unix socket on Linux).
    Interprocess,
    /// tokio's `UnixStream`, a current-thread runtime in each process.
    Tokio,
}

impl Arm {
    /// The arm's name on the child's command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Raw => "raw",
            Arm::W32ipc => "w32ipc",
            Arm::Interprocess => "interprocess",
            Arm::Tokio => "tokio",
        }
    }

    fn parse(s: &str) -> Option<Arm> {
        [Arm::Raw, Arm::W32ipc, Arm::Interprocess, Arm::Tokio]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// The scenarios, as the child knows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The child reads `count` bytes and reports them (with two more arguments: its read size
    /// and the send buffer it asks for).
    Throughput,
    /// The child echoes `count` 64-byte messages.
    RoundTrip,
    /// The same over a byte pipe (w32ipc; a diagnostic).
    RoundTripBytes,
    /// The child serves `count` connections, one after the other.
    Connect,
    /// The same with a fresh w32ipc pipe instance for each client (a diagnostic).
    ConnectFresh,
    /// The child is an async server for `count` concurrent clients.
    AsyncServer,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Throughput => "throughput",
            Kind::RoundTrip => "roundtrip",
            Kind::RoundTripBytes => "roundtrip-bytes",
            Kind::Connect => "connect",
            Kind::ConnectFresh => "connect-fresh",
            Kind::AsyncServer => "async",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [
            Kind::Throughput,
            Kind::RoundTrip,
            Kind::RoundTripBytes,
            Kind::Connect,
            Kind::ConnectFresh,
            Kind::AsyncServer,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The abstract Unix socket path (`\0` + name) of the socket arms.
pub fn socket_path(base: &str) -> String {
    format!("\0{base}")
}

/// The raw arm's address.
pub fn socket_addr(base: &str) -> io::Result<std::os::unix::net::SocketAddr> {
    use std::os::linux::net::SocketAddrExt;
    std::os::unix::net::SocketAddr::from_abstract_name(base.as_bytes())
}

/// The w32ipc arm's pipe name.
pub fn pipe_name(base: &str) -> String {
    format!(r"\\.\pipe\{base}")
}

/// A current-thread tokio runtime (the tokio arm's, in each process).
pub fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// What the scenarios of one run share.
pub struct Context<'a> {
    /// The settings.
    pub options: &'a Options,
    /// This executable, run again as the child.
    pub exe: PathBuf,
    /// The CPU the child pins itself to, if pinned.
    pub child_cpu: Option<usize>,
    /// For the table.
    pub placement: String,
    /// The parent's tokio runtime for the tokio arms.
    pub rt: tokio::runtime::Runtime,
}

impl Context<'_> {
    /// Starts the child for `kind` and `arm` on the address named `base`, with `count`.
    pub fn spawn(&self, kind: Kind, arm: Arm, base: &str, count: u64) -> io::Result<Peer> {
        self.spawn_with(kind, arm, base, count, &[])
    }

    /// The same, with arguments of the scenario's own after the usual ones.
    pub fn spawn_with(
        &self,
        kind: Kind,
        arm: Arm,
        base: &str,
        count: u64,
        extra: &[String],
    ) -> io::Result<Peer> {
        let mut cmd = Command::new(&self.exe);
        cmd.args([
            CHILD_ARG,
            ROLE,
            kind.as_str(),
            arm.as_str(),
            base,
            &count.to_string(),
            &self
                .child_cpu
                .map_or_else(|| "-".to_string(), |c| c.to_string()),
        ]);
        cmd.args(extra);
        Peer::spawn(&mut cmd, "named-pipe")
    }
}

/// Runs the named-pipe scenarios the options select, pinned if they say so.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let pinned = placement::pin_parent(options.pin)?;
    let pinning = pinned.as_ref().map(|(p, _guard)| *p);
    let cx = Context {
        options,
        exe: std::env::current_exe()?,
        child_cpu: pinning.map(|p| p.child),
        placement: placement::describe(pinning),
        rt: runtime()?,
    };
    let mut out = Vec::new();
    let groups = options.npipe;
    if groups.throughput {
        out.extend(npipe_throughput::run(&cx)?);
    }
    if groups.round_trip {
        out.extend(npipe_roundtrip::run(&cx)?);
    }
    if groups.connect {
        out.push(npipe_connect::run(&cx)?);
    }
    if groups.async_server {
        out.push(npipe_async::run(&cx)?);
    }
    Ok(out)
}

/// The child's side: `args` are what follows `__bench-child npipe`. Dies with the parent, pins
/// itself, and plays its end of the scenario.
pub fn serve_child(args: &[String]) -> io::Result<()> {
    let bad = || io::Error::other(format!("bad named-pipe child arguments {args:?}"));
    let [kind, arm, base, count, cpu, extra @ ..] = args else {
        return Err(bad());
    };
    let kind = Kind::parse(kind).ok_or_else(bad)?;
    let arm = Arm::parse(arm).ok_or_else(bad)?;
    let count: u64 = count.parse().map_err(|_| bad())?;
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
    if cpu != "-" {
        placement::pin_self(cpu.parse().map_err(|_| bad())?)?;
    }
    if kind != Kind::Throughput && !extra.is_empty() {
        return Err(bad());
    }
    match kind {
        Kind::Throughput => npipe_throughput::serve_child(arm, base, count, extra),
        Kind::RoundTrip => npipe_roundtrip::serve_child(arm, Framing::Messages, base, count),
        Kind::RoundTripBytes => npipe_roundtrip::serve_child(arm, Framing::Bytes, base, count),
        Kind::Connect => npipe_connect::serve_child(arm, base, count),
        Kind::ConnectFresh => npipe_connect::serve_child_fresh(base, count),
        Kind::AsyncServer => npipe_async::serve_child(arm, base, count),
    }
}

/// Writes one line to the parent.
pub fn say(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for arm in [Arm::Raw, Arm::W32ipc, Arm::Interprocess, Arm::Tokio] {
            assert_eq!(Arm::parse(arm.as_str()), Some(arm));
        }
        assert_eq!(Kind::parse("connect"), Some(Kind::Connect));
        assert_eq!(pipe_name("x"), r"\\.\pipe\x");
    }
}
