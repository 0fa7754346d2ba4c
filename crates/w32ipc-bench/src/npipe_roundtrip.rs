//! Named-pipe 64-byte message round trip between two processes, µs: the median and the p99 of
//! each trial's round trips.
//!
//! The parent is the server: it listens, starts the child, accepts it and waits for its
//! `ready`; then it sends a 64-byte message and waits for the 64-byte answer, [`WARMUP`] times
//! untimed and `--npipe-round-trips` times timed, each round trip on its own clock. The child,
//! the client, echoes every message, then says `done`. Each trial gives two figures: the
//! median round trip and the 99th percentile (the table's two scenarios; the harness's
//! interleaving and warm-up apply to both).
//!
//! Baseline: a raw Unix stream socket. Subjects: a w32ipc message-type named pipe read in
//! message mode (`write_msg` / `read_msg`), interprocess local sockets, tokio `UnixStream`.
//! Diagnostic: the same over a w32ipc byte pipe (`Write` / `Read`), which shows what the
//! message framing costs.

use std::io;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::harness::{SideFigure, quantile, side_comparison};
use crate::npipe::{self, Arm, Context, Kind, say, socket_path};
use crate::npipe_endpoints::{Conn, Framing, Listener};
use crate::session::unique_name;

/// The ratio (w32ipc / raw median round trip) w32ipc should stay under.
pub const TARGET: f64 = 1.15;

/// Untimed round trips at the start of each trial.
pub const WARMUP: u64 = 500;

/// The message size.
pub const MESSAGE: usize = 64;

/// Runs the round-trip scenario: the medians, then the p99s of the same trials.
pub fn run(cx: &Context<'_>) -> io::Result<Vec<Comparison>> {
    let timed = cx.options.npipe_round_trips;
    let arms = [
        (Arm::Raw, Framing::Messages),
        (Arm::W32ipc, Framing::Messages),
        (Arm::Interprocess, Framing::Messages),
        (Arm::Tokio, Framing::Messages),
        (Arm::W32ipc, Framing::Bytes),
    ];
    let p99s: Vec<SideFigure> = arms.iter().map(|_| SideFigure::default()).collect();
    let mut subjects = arms.iter().zip(&p99s).map(|(&(arm, framing), p99)| {
        let subject = Subject::new(label(arm, framing), move || {
            let (median, p99_us) = trial(cx, arm, framing)?;
            p99.record(p99_us);
            Ok(median)
        });
        match (arm, framing) {
            (Arm::Interprocess | Arm::Tokio, _) => subject.peer(),
            (Arm::W32ipc, Framing::Bytes) => subject.diagnostic(),
            _ => subject,
        }
    });
    let name =
        format!("named pipe, 64 B message round trip, {timed} per trial ({WARMUP} untimed first)");
    let scenario = Scenario {
        name: format!("{name}, median"),
        unit: "µs/round trip",
        better: Better::Lower,
        target: Some(TARGET),
        placement: cx.placement.clone(),
        baseline: subjects.next().expect("the raw arm is first"),
        subjects: subjects.collect(),
    };
    let medians = harness::run(scenario, cx.options.trials)?;
    let tails = side_comparison(&medians, format!("{name}, p99"), &p99s);
    Ok(vec![medians, tails])
}

fn label(arm: Arm, framing: Framing) -> &'static str {
    match (arm, framing) {
        (Arm::Raw, _) => "raw Unix stream socket",
        (Arm::W32ipc, Framing::Messages) => "w32ipc named pipe, message mode",
        (Arm::W32ipc, Framing::Bytes) => "w32ipc named pipe, byte mode",
        (Arm::Interprocess, _) => "interprocess local socket",
        (Arm::Tokio, _) => "tokio UnixStream",
    }
}

/// One trial: (median, p99) of the timed round trips, in µs.
fn trial(cx: &Context<'_>, arm: Arm, framing: Framing) -> io::Result<(f64, f64)> {
    let kind = match framing {
        Framing::Messages => Kind::RoundTrip,
        Framing::Bytes => Kind::RoundTripBytes,
    };
    let timed = cx.options.npipe_round_trips;
    let base = unique_name("npipe-rtt");
    let mut nanos = Vec::with_capacity(timed as usize);
    let ping = [0x5au8; MESSAGE];
    let mut pong = [0u8; MESSAGE];
    if arm == Arm::Tokio {
        cx.rt.block_on(async {
            let listener = tokio::net::UnixListener::bind(socket_path(&base))?;
            let mut child = cx.spawn(kind, arm, &base, WARMUP + timed)?;
            let (mut stream, _) = listener.accept().await?;
            child.expect("ready")?;
            for i in 0..WARMUP + timed {
                let start = Instant::now();
                stream.write_all(&ping).await?;
                stream.read_exact(&mut pong).await?;
                if i >= WARMUP {
                    nanos.push(start.elapsed().as_nanos() as u64);
                }
            }
            child.expect("done")?;
            drop(stream);
            child.finish()
        })?;
    } else {
        let listener = Listener::bind(arm, &base, framing)?;
        let mut child = cx.spawn(kind, arm, &base, WARMUP + timed)?;
        let mut conn = listener.accept()?;
        child.expect("ready")?;
        for i in 0..WARMUP + timed {
            let start = Instant::now();
            conn.send(&ping)?;
            conn.recv_exact(&mut pong)?;
            if i >= WARMUP {
                nanos.push(start.elapsed().as_nanos() as u64);
            }
        }
        child.expect("done")?;
        listener.release(conn)?;
        child.finish()?;
    }
    nanos.sort_unstable();
    let us = |q| quantile(&nanos, q) as f64 / 1e3;
    Ok((us(0.5), us(0.99)))
}

/// The child's side: connects, says `ready`, echoes `rounds` 64-byte messages, says `done`.
pub fn serve_child(arm: Arm, framing: Framing, base: &str, rounds: u64) -> io::Result<()> {
    let mut buf = [0u8; MESSAGE];
    if arm == Arm::Tokio {
        npipe::runtime()?.block_on(async {
            let mut stream = tokio::net::UnixStream::connect(socket_path(base)).await?;
            say("ready")?;
            for _ in 0..rounds {
                stream.read_exact(&mut buf).await?;
                stream.write_all(&buf).await?;
            }
            io::Result::Ok(())
        })?;
    } else {
        let mut conn = Conn::connect(arm, base, framing)?;
        say("ready")?;
        for _ in 0..rounds {
            conn.recv_exact(&mut buf)?;
            conn.send(&buf)?;
        }
    }
    say("done")
}
