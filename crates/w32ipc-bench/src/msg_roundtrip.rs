//! `SendMessage(WM_COPYDATA)` with a 64-byte block between two processes, µs per round trip:
//! the median and the p99 of each trial's round trips.
//!
//! The parent sends a 64-byte request (its first 8 bytes are the round trip's number, so every
//! request differs) and waits for the answer, [`WARMUP`] times untimed and
//! `--msg-round-trips` times timed, each round trip on its own clock; the child answers each
//! with [`derive()`] of the request, which the parent checks. Each trial gives two figures, the
//! median round trip and the 99th percentile (two tables; the harness's interleaving and
//! warm-up apply to both).
//!
//! Arms (see [`crate::msg`]): baseline `raw futex` — the request copied into a shared page,
//! futex hand-off, the child copies it out, writes a 64-byte reply (the answer, then the
//! request's other 56 bytes) that the parent copies out; `raw eventfd` — the same with two
//! eventfds (diagnostic: a second raw mechanism; a third table re-bases w32ipc on it);
//! `raw futex, spin then sleep` — the futex arm whose waiters spin up to 200 µs first
//! (diagnostic, not run with both processes on one CPU; a fourth table re-bases w32ipc and
//! iceoryx2 on it);
//! `w32ipc` — `Hwnd::send_copy_data` to the child's message-only window, whose handler reads
//! the block in place and returns the answer; `ipc-channel` (peer) — byte channels, the child
//! replies with 64 bytes; `iceoryx2` (peer, feature `iceoryx2`, not run with both processes on
//! one CPU) — request/response over shared memory, both sides busy-polling
//! (`crate::iox_request`), the child replies with 64 bytes.

use std::io;
use std::time::Instant;

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::harness::{SideFigure, quantile, side_comparison};
use crate::msg::{
    self, ACTION_DATA, ACTION_QUIT, Arm, Context, EventfdSignal, Kind, RawSender, derive,
};
use crate::pingpong::Signal;
use crate::session::unique_name;
use crate::shared_region::SharedRegion;

/// Untimed round trips at the start of each trial.
pub const WARMUP: u64 = 500;

/// The message size.
pub const MESSAGE: usize = 64;

const FUTEX: &str = "raw futex (shared memfd page)";
const EVENTFD: &str = "raw eventfd (shared memfd page)";
const FUTEX_SPIN: &str = "raw futex, spin ≤ 200 µs then sleep";
const W32IPC: &str = "w32ipc SendMessage(WM_COPYDATA)";
const IPC_CHANNEL: &str = "ipc-channel bytes request/reply";

/// Runs the round-trip scenario: the medians, the p99s of the same trials, and the medians
/// again with the eventfd arm and the spinning futex arm as the baseline.
pub fn run(cx: &Context<'_>) -> io::Result<Vec<Comparison>> {
    let timed = cx.options.msg_round_trips;
    let mut arms = vec![Arm::Futex, Arm::Eventfd];
    if cx.spin_pays {
        arms.push(Arm::FutexSpin);
    }
    arms.extend([Arm::W32ipc, Arm::IpcChannel]);
    #[cfg(feature = "iceoryx2")]
    if cx.polling_pays {
        arms.push(Arm::Iceoryx2);
    }
    let p99s: Vec<SideFigure> = arms.iter().map(|_| SideFigure::default()).collect();
    let mut subjects = arms.iter().zip(&p99s).map(|(&arm, p99)| {
        let subject = Subject::new(label(arm), move || {
            let (median, p99_us) = trial(cx, arm)?;
            p99.record(p99_us);
            Ok(median)
        });
        match arm {
            Arm::Eventfd | Arm::FutexSpin => subject.diagnostic(),
            Arm::IpcChannel => subject.peer(),
            #[cfg(feature = "iceoryx2")]
            Arm::Iceoryx2 => subject.peer(),
            Arm::Futex | Arm::W32ipc => subject,
        }
    });
    let name = format!(
        "message, 64 B WM_COPYDATA round trip, 2 processes, {timed} per trial ({WARMUP} untimed first)"
    );
    let scenario = Scenario {
        name: format!("{name}, median"),
        unit: "µs/round trip",
        better: Better::Lower,
        target: None,
        placement: cx.placement.clone(),
        baseline: subjects.next().expect("the futex arm is first"),
        subjects: subjects.collect(),
    };
    let medians = harness::run(scenario, cx.options.trials)?;
    let tails = side_comparison(&medians, format!("{name}, p99"), &p99s);
    let vs_eventfd = harness::rebase(
        &medians,
        format!("{name}, median, against eventfd"),
        EVENTFD,
        &[W32IPC],
    );
    let mut out = vec![medians, tails, vs_eventfd];
    if cx.spin_pays {
        #[allow(unused_mut)] // without the iceoryx2 feature nothing is added
        let mut spinners = vec![W32IPC];
        #[cfg(feature = "iceoryx2")]
        if cx.polling_pays {
            spinners.push(crate::iox_request::NAME);
        }
        out.push(harness::rebase(
            &out[0],
            format!("{name}, median, against spin-then-futex"),
            FUTEX_SPIN,
            &spinners,
        ));
    }
    Ok(out)
}

fn label(arm: Arm) -> &'static str {
    match arm {
        Arm::Futex => FUTEX,
        Arm::Eventfd => EVENTFD,
        Arm::FutexSpin => FUTEX_SPIN,
        Arm::W32ipc => W32IPC,
        Arm::IpcChannel => IPC_CHANNEL,
        #[cfg(feature = "iceoryx2")]
        Arm::Iceoryx2 => crate::iox_request::NAME,
    }
}

/// Times `WARMUP + timed` round trips of `one`, which sends a request and returns the answer;
/// checks each answer. Returns (median, p99) of the timed ones, in µs.
fn time_round_trips(
    timed: u64,
    mut one: impl FnMut(&[u8; MESSAGE]) -> io::Result<u64>,
) -> io::Result<(f64, f64)> {
    let mut nanos = Vec::with_capacity(timed as usize);
    let mut request = [0u8; MESSAGE];
    for (i, b) in request.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    for i in 0..WARMUP + timed {
        request[..8].copy_from_slice(&i.to_le_bytes());
        let start = Instant::now();
        let answer = one(&request)?;
        let took = start.elapsed();
        if answer != derive(&request) {
            return Err(io::Error::other(format!(
                "round trip {i}: answer {answer:#x}, expected {:#x}",
                derive(&request)
            )));
        }
        if i >= WARMUP {
            nanos.push(took.as_nanos() as u64);
        }
    }
    nanos.sort_unstable();
    let us = |q| quantile(&nanos, q) as f64 / 1e3;
    Ok((us(0.5), us(0.99)))
}

/// One trial of `arm`: a fresh child (and fresh region or window): (median, p99) in µs.
fn trial(cx: &Context<'_>, arm: Arm) -> io::Result<(f64, f64)> {
    let timed = cx.options.msg_round_trips;
    let total = WARMUP + timed;
    match arm {
        Arm::Futex => {
            let region = SharedRegion::create(msg::region_len(MESSAGE))?;
            let (ping, pong) = msg::futex_flags(&region);
            let child = cx.spawn_raw(Kind::RoundTrip, arm, &region, None, total)?;
            raw_trial(child, &region, &ping, &pong, timed)
        }
        Arm::FutexSpin => {
            let region = SharedRegion::create(msg::region_len(MESSAGE))?;
            let (ping, pong) = msg::spin_flags(&region);
            let child = cx.spawn_raw(Kind::RoundTrip, arm, &region, None, total)?;
            raw_trial(child, &region, &ping, &pong, timed)
        }
        Arm::Eventfd => {
            let region = SharedRegion::create(msg::region_len(MESSAGE))?;
            let (ping, pong) = (EventfdSignal::create()?, EventfdSignal::create()?);
            let child = cx.spawn_raw(Kind::RoundTrip, arm, &region, Some((&ping, &pong)), total)?;
            raw_trial(child, &region, &ping, &pong, timed)
        }
        Arm::W32ipc => {
            let class = unique_name("msg-rtt");
            let mut child = cx.spawn(Kind::RoundTrip, arm, &class, total)?;
            child.expect("ready")?;
            let hwnd = msg::find_receiver(&class)?;
            let figures = time_round_trips(timed, |request| {
                Ok(hwnd.send_copy_data(None, ACTION_DATA, request)? as u64)
            })?;
            hwnd.send_copy_data(None, ACTION_QUIT, &[])?;
            child.expect("done")?;
            child.finish()?;
            Ok(figures)
        }
        Arm::IpcChannel => {
            let (server, name) = msg::ipc_server()?;
            let mut child = cx.spawn(Kind::RoundTrip, arm, &name, total)?;
            let (requests, replies) = msg::ipc_accept(server)?;
            child.expect("ready")?;
            let figures = time_round_trips(timed, |request| {
                requests.send(request)?;
                let reply = replies.recv().map_err(io::Error::other)?;
                reply_answer(&reply, request)
            })?;
            child.expect("done")?;
            child.finish()?;
            Ok(figures)
        }
        #[cfg(feature = "iceoryx2")]
        Arm::Iceoryx2 => {
            let base = unique_name("iox-rpc");
            let client = crate::iox_request::Client::create(&base)?;
            let mut child = cx.spawn(Kind::RoundTrip, arm, &base, total)?;
            child.expect("ready")?;
            client.await_server()?;
            let figures = time_round_trips(timed, |request| {
                let reply = client.call(request)?;
                reply_answer(&reply, request)
            })?;
            child.expect("done")?;
            child.finish()?;
            Ok(figures)
        }
    }
}

/// A raw arm's trial once its child runs.
fn raw_trial<S: Signal>(
    mut child: crate::peer::Peer,
    region: &SharedRegion,
    ping: &S,
    pong: &S,
    timed: u64,
) -> io::Result<(f64, f64)> {
    child.expect("ready")?;
    let sender = RawSender { region, ping, pong };
    let mut reply = [0u8; MESSAGE];
    let figures = time_round_trips(timed, |request| {
        sender.call(request, Some(&mut reply))?;
        reply_answer(&reply, request)
    })?;
    child.expect("done")?;
    child.finish()?;
    Ok(figures)
}

/// The answer in a 64-byte reply (its first 8 bytes), once the rest is checked to echo the
/// request.
fn reply_answer(reply: &[u8], request: &[u8; MESSAGE]) -> io::Result<u64> {
    if reply.len() != MESSAGE || reply[8..] != request[8..] {
        return Err(io::Error::other(format!(
            "a {}-byte reply that does not echo the request",
            reply.len()
        )));
    }
    Ok(u64::from_le_bytes(reply[..8].try_into().expect("8 bytes")))
}
