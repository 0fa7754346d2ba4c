//! Posted thread messages between two threads of this process, µs per round trip.
//!
//! The main thread posts a message to a second thread and waits for its answer; the second
//! thread takes each message and posts one back (its `wParam` + 1, which the main thread
//! checks). Each trial starts a fresh second thread (pinned to the child CPU under `--pin` /
//! `--pin-same`), plays [`WARMUP`] round trips untimed and times `--round-trips` of them; the
//! figure is the mean.
//!
//! Baseline: a pair of `std::sync::mpsc` channels doing the same ping-pong. Subject: w32ipc
//! thread queues — `post_thread_message(other, WM_APP, i, 0)` and `get_message(Filter::all())`
//! on both sides. Diagnostic: the raw futex flags of the ping-pong scenarios
//! ([`crate::pingpong::FutexFlag`], a shared `memfd` word, no spinning) between the two
//! threads: what two blocking wake-ups cost without any queue; and the same flags with
//! waiters that spin up to 200 µs first ([`crate::pingpong::SpinFutexFlag`]; not run with both
//! threads on one CPU), as w32ipc's `GetMessage` spins when the peer runs on another CPU.

use std::io;
use std::sync::mpsc;
use std::time::Instant;

use w32ipc::msg::{self, Filter, WM_APP};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::options::Options;
use crate::pingpong::SpinFutexFlag;
use crate::pingpong::{FutexFlag, Signal};
use crate::placement::{self, Pinning};
use crate::shared_word::SharedWords;

/// Untimed round trips at the start of each trial.
pub const WARMUP: u64 = 1000;

/// The message of the ping-pong.
const PING: u32 = WM_APP;
/// Posted by a thread that gives up, so that the other does not wait forever.
const FAILED: u32 = WM_APP + 1;

/// Runs the thread scenario.
pub fn run(options: &Options, pinning: Option<Pinning>) -> io::Result<Comparison> {
    let timed = options.round_trips;
    let cpu = pinning.map(|p| p.child);
    let mut subjects = vec![
        Subject::new("w32ipc PostThreadMessage + GetMessage", move || {
            w32ipc_trial(timed, cpu)
        }),
        Subject::new("raw futex flags (shared memfd word)", move || {
            futex_trial(timed, cpu, false)
        })
        .diagnostic(),
    ];
    if pinning.is_none_or(|p| p.parent != p.child) {
        subjects.push(
            Subject::new("raw futex flags, spin ≤ 200 µs then sleep", move || {
                futex_trial(timed, cpu, true)
            })
            .diagnostic(),
        );
    }
    let scenario = Scenario {
        name: format!(
            "message, post + get round trip between 2 threads, {timed} per trial ({WARMUP} untimed first)"
        ),
        unit: "µs/round trip",
        better: Better::Lower,
        target: None,
        placement: match pinning {
            Some(p) if p.parent == p.child => format!("pinned: both threads on cpu{}", p.parent),
            Some(p) => format!(
                "pinned: main thread cpu{}, other thread cpu{}",
                p.parent, p.child
            ),
            None => "unpinned".to_string(),
        },
        baseline: Subject::new("std mpsc channel pair", move || mpsc_trial(timed, cpu)),
        subjects,
    };
    harness::run(scenario, options.trials)
}

/// µs per round trip from the time of `timed` of them.
fn per_round_trip(start: Instant, timed: u64) -> f64 {
    start.elapsed().as_secs_f64() * 1e6 / timed as f64
}

fn pin(cpu: Option<usize>) -> io::Result<()> {
    cpu.map_or(Ok(()), placement::pin_self)
}

/// The baseline: request and reply channels; the other thread answers `v` with `v + 1`.
fn mpsc_trial(timed: u64, cpu: Option<usize>) -> io::Result<f64> {
    let (req_tx, req_rx) = mpsc::channel::<u64>();
    let (resp_tx, resp_rx) = mpsc::channel::<u64>();
    std::thread::scope(|s| {
        let other = s.spawn(move || -> io::Result<()> {
            pin(cpu)?;
            // Ends when the main thread drops its sender.
            while let Ok(v) = req_rx.recv() {
                if resp_tx.send(v + 1).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let play = |from: u64, n: u64| -> io::Result<()> {
            for i in from..from + n {
                req_tx.send(i).map_err(io::Error::other)?;
                let v = resp_rx.recv().map_err(io::Error::other)?;
                if v != i + 1 {
                    return Err(io::Error::other(format!("mpsc: {v} for {i}")));
                }
            }
            Ok(())
        };
        let result = play(0, WARMUP).and_then(|()| {
            let start = Instant::now();
            play(WARMUP, timed)?;
            Ok(per_round_trip(start, timed))
        });
        drop(req_tx);
        let joined = other.join().expect("the mpsc thread does not panic");
        let figure = result?;
        joined?;
        Ok(figure)
    })
}

/// The subject: each thread's w32ipc message queue.
fn w32ipc_trial(timed: u64, cpu: Option<usize>) -> io::Result<f64> {
    // The main thread's queue must exist before the other thread posts to it.
    msg::peek_message(Filter::all(), false)?;
    let main = msg::current_thread_id();
    let total = WARMUP + timed;
    let (tid_tx, tid_rx) = mpsc::channel::<u32>();
    std::thread::scope(|s| {
        let other = s.spawn(move || -> io::Result<()> {
            let served = (|| {
                pin(cpu)?;
                msg::peek_message(Filter::all(), false)?;
                tid_tx
                    .send(msg::current_thread_id())
                    .map_err(io::Error::other)?;
                for _ in 0..total {
                    let m = msg::get_message(Filter::all())?;
                    if m.message != PING {
                        return Err(io::Error::other(format!("message {:#x}", m.message)));
                    }
                    msg::post_thread_message(main, PING, m.wparam + 1, 0)?;
                }
                Ok(())
            })();
            if served.is_err() {
                let _ = msg::post_thread_message(main, FAILED, 0, 0);
            }
            served
        });
        let Ok(tid) = tid_rx.recv() else {
            // The other thread failed before it could receive: its error says why.
            return match other.join().expect("the w32ipc thread does not panic") {
                Err(e) => Err(e),
                Ok(()) => Err(io::Error::other("the w32ipc thread ended early")),
            };
        };
        let play = |from: u64, n: u64| -> io::Result<()> {
            for i in from..from + n {
                msg::post_thread_message(tid, PING, i as usize, 0)?;
                let m = msg::get_message(Filter::all())?;
                if m.message != PING || m.wparam as u64 != i + 1 {
                    return Err(io::Error::other(format!(
                        "w32ipc: message {:#x} wParam {} for {i}",
                        m.message, m.wparam
                    )));
                }
            }
            Ok(())
        };
        let result = play(0, WARMUP).and_then(|()| {
            let start = Instant::now();
            play(WARMUP, timed)?;
            Ok(per_round_trip(start, timed))
        });
        if result.is_err() {
            // Whatever the other thread waits for, this ends it.
            let _ = msg::post_thread_message(tid, FAILED, 0, 0);
        }
        let joined = other.join().expect("the w32ipc thread does not panic");
        let figure = result?;
        joined?;
        Ok(figure)
    })
}

/// The diagnostics: two futex flags, no queue; `spin`: waiters spin first.
fn futex_trial(timed: u64, cpu: Option<usize>, spin: bool) -> io::Result<f64> {
    let words = SharedWords::create()?;
    if spin {
        let (ping, pong) = (
            SpinFutexFlag::new(words.word(0)),
            SpinFutexFlag::new(words.word(1)),
        );
        flag_ping_pong(&ping, &pong, timed, cpu)
    } else {
        let (ping, pong) = FutexFlag::pair(&words);
        flag_ping_pong(&ping, &pong, timed, cpu)
    }
}

fn flag_ping_pong<S: Signal + Sync>(
    ping: &S,
    pong: &S,
    timed: u64,
    cpu: Option<usize>,
) -> io::Result<f64> {
    let total = WARMUP + timed;
    std::thread::scope(|s| {
        let other = s.spawn(|| -> io::Result<()> {
            pin(cpu)?;
            for _ in 0..total {
                ping.wait()?;
                pong.set()?;
            }
            Ok(())
        });
        let play = |n: u64| -> io::Result<()> {
            for _ in 0..n {
                ping.set()?;
                pong.wait()?;
            }
            Ok(())
        };
        play(WARMUP)?;
        let start = Instant::now();
        play(timed)?;
        let figure = per_round_trip(start, timed);
        other.join().expect("the futex thread does not panic")?;
        Ok(figure)
    })
}
