//! What the iceoryx2 peer arms share (feature `iceoryx2`): the node each process makes, the
//! names of a trial's services, waiting for the other process's ports, and busy-polling.
//!
//! iceoryx2 is used as its examples use it without its event/`WaitSet` machinery: a port that
//! expects a sample or a response polls for it in a loop (`receive()` returns `None` while
//! there is nothing), so both processes spin while they wait (see [`spin`]). Its figures are
//! busy-polling figures, not those of a blocking wait.
//!
//! Every trial uses services under a name of its own ([`crate::session::unique_name`]), which
//! the parent creates before it starts the child and the child opens. Samples sent before the other side's
//! port exists are lost (the default history is 0), so the child waits for the parent's ports
//! before it says `ready`, and the parent waits for the child's before it plays.

use std::fmt::Debug;
use std::io;
use std::time::{Duration, Instant};

use iceoryx2::prelude::*;

use crate::placement::Pinning;

/// The service kind of every arm: shared memory between processes.
pub type Ipc = ipc::Service;

/// How long the other process's ports may take to show up (10 s).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An iceoryx2 error as an I/O error, saying what failed.
pub fn fail<E: Debug>(what: &str) -> impl FnOnce(E) -> io::Error + '_ {
    move |e| io::Error::other(format!("iceoryx2 {what}: {e:?}"))
}

/// A node of this process: errors-only logging (else a line per node about the missing config
/// file), and no signal handlers (the default mode installs SIGINT/SIGTERM handlers, which
/// would keep Ctrl-C from ending the benchmark).
pub fn node() -> io::Result<Node<Ipc>> {
    set_log_level(LogLevel::Error);
    NodeBuilder::new()
        .signal_handling_mode(SignalHandlingMode::Disabled)
        .create::<Ipc>()
        .map_err(fail("node"))
}

/// The service `base/what`.
pub fn service_name(base: &str, what: &str) -> io::Result<ServiceName> {
    format!("{base}/{what}")
        .as_str()
        .try_into()
        .map_err(fail("service name"))
}

/// Waits (sleeping 1 ms between looks) until `count()` is at least 1; fails after 10 s.
pub fn await_port(what: &str, count: impl Fn() -> usize) -> io::Result<()> {
    let start = Instant::now();
    while count() == 0 {
        if start.elapsed() > CONNECT_TIMEOUT {
            return Err(io::Error::other(format!(
                "iceoryx2: no {what} after {}s",
                CONNECT_TIMEOUT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// Whether the two processes of a trial can both poll at once, so that a busy-polling arm is
/// worth running: pinned to two CPUs, or unpinned with at least two CPUs allowed. (On one CPU a
/// poller only burns its time slice until it is preempted: a round trip takes milliseconds.)
pub fn polling_pays(pinning: Option<Pinning>) -> bool {
    match pinning {
        Some(p) => p.parent != p.child,
        None => rustix::thread::sched_getaffinity(None).is_ok_and(|cpus| cpus.count() >= 2),
    }
}

/// How long a poller spins without news before it starts giving its CPU away between polls.
pub const SPIN_BUDGET: Duration = Duration::from_micros(50);

/// Polls `poll` until it yields something, spinning (with a pause hint) in between; after
/// [`SPIN_BUDGET`] without news it also yields its CPU (`sched_yield`) between rounds of polls.
/// It never sleeps. Across two CPUs an answer comes long before the budget is spent, so the
/// yield only matters when the two processes share a CPU (an unpinned trial on a busy
/// machine): without it each poller would burn its whole time slice, milliseconds, per wait.
pub fn spin<T>(mut poll: impl FnMut() -> io::Result<Option<T>>) -> io::Result<T> {
    let mut since: Option<Instant> = None;
    loop {
        for _ in 0..64 {
            if let Some(value) = poll()? {
                return Ok(value);
            }
            std::hint::spin_loop();
        }
        if since.get_or_insert_with(Instant::now).elapsed() >= SPIN_BUDGET {
            std::thread::yield_now();
        }
    }
}
