//! Semaphore ping-pong between two processes (`ReleaseSemaphore` / `WaitForSingleObject`), µs
//! per round trip: the median and the p99 of each trial's round trips.
//!
//! Subject: two named semaphores (initial count 0, maximum 1), `…-ping` and `…-pong`, created
//! by the parent (`Semaphore::create`) and opened by the child (`Semaphore::open`); the parent
//! releases ping (`release(1)`) and waits for pong (`wait(None)`), the child waits for ping and
//! releases pong. Baseline: the raw futex flags of [`crate::pingpong`] — a count that only
//! goes 0 → 1 → 0 is exactly such a flag. Diagnostic (not with both processes on one CPU):
//! the same flags spinning up to 200 µs before they sleep, and a table re-basing w32ipc on it.

use std::io;
use std::path::Path;

use w32ipc::sync::{Semaphore, WaitOutcome};

use crate::child::Role;
use crate::harness::{Better, Comparison, Scenario};
use crate::options::Options;
use crate::pingpong::{self, Rounds, Signal, Tails};
use crate::placement;
use crate::session::unique_name;

/// The ratio (w32ipc time / raw futex time) w32ipc should stay under.
pub const TARGET: f64 = 1.2;

/// Runs the semaphore scenario, pinned if the options say so.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let pinned = placement::pin_parent(options.pin)?;
    let pinning = pinned.as_ref().map(|(p, _guard)| *p);
    let cpu = pinning.map(|p| p.child);
    let exe = std::env::current_exe()?;
    let rounds = Rounds::new(options.round_trips);
    let mut tails = Tails::default();
    let baseline = tails.subject("raw futex (shared memfd word)", || {
        pingpong::futex_trial(&exe, rounds, cpu, false)
    });
    let mut subjects = vec![tails.subject(W32IPC, || trial(&exe, rounds, cpu))];
    let spin_pays = pingpong::spin_pays(pinning);
    if spin_pays {
        subjects.push(pingpong::spinning_raw(&mut tails, &exe, rounds, cpu));
    }
    let scenario = Scenario {
        name: format!(
            "semaphore ping-pong, 2 processes, {} round trips per trial ({} untimed first)",
            rounds.timed, rounds.warmup
        ),
        unit: "µs/round trip",
        better: Better::Lower,
        target: Some(TARGET),
        placement: placement::describe(pinning),
        baseline,
        subjects,
    };
    let mut out = tails.run(scenario, options.trials)?;
    if spin_pays {
        pingpong::against_spinning(&mut out, &[W32IPC]);
    }
    Ok(out)
}

const W32IPC: &str = "w32ipc Semaphore release/wait";

/// A semaphore as one direction of the ping-pong.
struct SemaphoreSignal(Semaphore);

impl Signal for SemaphoreSignal {
    fn set(&self) -> io::Result<()> {
        self.0.release(1).map(|_previous| ())
    }

    fn wait(&self) -> io::Result<()> {
        match self.0.wait(None)? {
            WaitOutcome::Signaled => Ok(()),
            other => Err(io::Error::other(format!("semaphore wait: {other:?}"))),
        }
    }
}

fn names(base: &str) -> (String, String) {
    (format!("{base}-ping"), format!("{base}-pong"))
}

/// One trial: fresh semaphores under a name no other trial uses. (median, p99) µs.
fn trial(exe: &Path, rounds: Rounds, cpu: Option<usize>) -> io::Result<(f64, f64)> {
    let base = unique_name("semaphore");
    let (ping, pong) = names(&base);
    let ping = SemaphoreSignal(Semaphore::create(Some(&ping), 0, 1)?);
    let pong = SemaphoreSignal(Semaphore::create(Some(&pong), 0, 1)?);
    if ping.0.existed() || pong.0.existed() {
        return Err(io::Error::other(format!(
            "{base}: semaphores already existed"
        )));
    }
    let cmd = pingpong::child_command(exe, Role::SemaphorePong, &base, rounds, cpu);
    pingpong::time_round_trips(cmd, rounds, &ping, &pong)
}

/// The child's side: opens the two semaphores by name and serves `rounds` round trips.
pub fn serve_child(base: &str, rounds: u64) -> io::Result<()> {
    let (ping, pong) = names(base);
    let ping = SemaphoreSignal(Semaphore::open(&ping)?);
    let pong = SemaphoreSignal(Semaphore::open(&pong)?);
    pingpong::serve(&ping, &pong, rounds)
}
