//! Event ping-pong between two processes (`SetEvent` / `WaitForSingleObject`), µs per round
//! trip: the median and the p99 of each trial's round trips.
//!
//! Subject: two named auto-reset events, `…-ping` and `…-pong`, created by the parent
//! (`Event::create(Some(name), false, false)`) and opened by the child (`Event::open`); the
//! parent sets ping and waits for pong (`wait(None)`), the child waits for ping and sets pong.
//! Baseline: the same over two raw futex flags in a shared `memfd` page
//! ([`crate::pingpong::FutexFlag`]); diagnostic, not run with both processes on one CPU: the
//! same flags with waits that spin up to 200 µs first ([`crate::pingpong::SpinFutexFlag`]) —
//! w32ipc's waits spin too when the signaller ran on another CPU — and a third table re-bases
//! w32ipc (and iceoryx2) on it. See [`crate::pingpong`] for the protocol. Peer (feature
//! `iceoryx2`, not run with both processes on one CPU): iceoryx2 publish/subscribe, both sides
//! busy-polling (`crate::iox_pingpong`).

use std::io;
use std::path::Path;

use w32ipc::sync::{Event, WaitOutcome};

use crate::child::Role;
use crate::harness::{Better, Comparison, Scenario};
use crate::options::Options;
use crate::pingpong::{self, Rounds, Signal, Tails};
use crate::placement;
use crate::session::unique_name;

/// The ratio (w32ipc time / raw futex time) w32ipc should stay under.
pub const TARGET: f64 = 1.2;

/// Runs the event scenario, pinned if the options say so.
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
    #[allow(unused_mut)] // without the iceoryx2 feature nothing is added
    let mut spinners = vec![W32IPC];
    let spin_pays = pingpong::spin_pays(pinning);
    if spin_pays {
        subjects.push(pingpong::spinning_raw(&mut tails, &exe, rounds, cpu));
    }
    #[cfg(feature = "iceoryx2")]
    if crate::iox::polling_pays(pinning) {
        subjects.push(
            tails
                .subject(crate::iox_pingpong::NAME, || {
                    crate::iox_pingpong::trial(&exe, rounds, cpu)
                })
                .peer(),
        );
        spinners.push(crate::iox_pingpong::NAME);
    }
    let scenario = Scenario {
        name: format!(
            "event ping-pong, 2 processes, {} round trips per trial ({} untimed first)",
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
        pingpong::against_spinning(&mut out, &spinners);
    }
    Ok(out)
}

const W32IPC: &str = "w32ipc Event set/wait";

/// An auto-reset event as one direction of the ping-pong.
struct EventSignal(Event);

impl Signal for EventSignal {
    fn set(&self) -> io::Result<()> {
        self.0.set()
    }

    fn wait(&self) -> io::Result<()> {
        match self.0.wait(None)? {
            WaitOutcome::Signaled => Ok(()),
            other => Err(io::Error::other(format!("event wait: {other:?}"))),
        }
    }
}

fn names(base: &str) -> (String, String) {
    (format!("{base}-ping"), format!("{base}-pong"))
}

/// One trial: fresh events under a name no other trial uses. (median, p99) µs.
fn trial(exe: &Path, rounds: Rounds, cpu: Option<usize>) -> io::Result<(f64, f64)> {
    let base = unique_name("event");
    let (ping, pong) = names(&base);
    let ping = EventSignal(Event::create(Some(&ping), false, false)?);
    let pong = EventSignal(Event::create(Some(&pong), false, false)?);
    if ping.0.existed() || pong.0.existed() {
        return Err(io::Error::other(format!("{base}: events already existed")));
    }
    let cmd = pingpong::child_command(exe, Role::EventPong, &base, rounds, cpu);
    pingpong::time_round_trips(cmd, rounds, &ping, &pong)
}

/// The child's side: opens the two events by name and serves `rounds` round trips.
pub fn serve_child(base: &str, rounds: u64) -> io::Result<()> {
    let (ping, pong) = names(base);
    let ping = EventSignal(Event::open(&ping)?);
    let pong = EventSignal(Event::open(&pong)?);
    pingpong::serve(&ping, &pong, rounds)
}
