//! Named-pipe byte-mode throughput between two processes, GiB/s.
//!
//! The parent is the server: it listens (creates the pipe instance), starts the child, accepts
//! it (ConnectNamedPipe), and once the child has said `ready` writes `--npipe-mib` MiB in
//! `--write-bytes` writes (64 KiB by default). The child, the client, reads in 64 KiB reads
//! until it has everything and reports the byte count. The clock runs from `ready` to that
//! report: connection set-up, start-up and exit stay outside it.
//!
//! Baseline: a raw Unix stream socket. Subjects: a w32ipc byte-mode named pipe
//! (`Write`/`Read`, default buffer sizes), interprocess local sockets, tokio `UnixStream`.

use std::io;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::npipe::{self, Arm, Context, Kind, say, socket_path};
use crate::npipe_endpoints::{Conn, Framing, Listener};
use crate::options::CHUNK;
use crate::session::unique_name;

/// The ratio w32ipc should reach against the raw socket.
pub const TARGET: f64 = 0.9;

/// Runs the throughput scenario.
pub fn run(cx: &Context<'_>) -> io::Result<Comparison> {
    let bytes = cx.options.npipe_bytes;
    let chunk = vec![0x5a; cx.options.write_size];
    let chunk = &chunk[..];
    let scenario = Scenario {
        name: format!(
            "named pipe, {} MiB in {}-byte writes, byte mode",
            bytes >> 20,
            chunk.len()
        ),
        unit: "GiB/s",
        better: Better::Higher,
        target: Some(TARGET),
        placement: cx.placement.clone(),
        baseline: Subject::new("raw Unix stream socket", move || {
            blocking_trial(cx, Arm::Raw, chunk)
        }),
        subjects: vec![
            Subject::new("w32ipc named pipe, byte mode", move || {
                blocking_trial(cx, Arm::W32ipc, chunk)
            }),
            Subject::new("interprocess local socket", move || {
                blocking_trial(cx, Arm::Interprocess, chunk)
            })
            .peer(),
            Subject::new("tokio UnixStream", move || tokio_trial(cx, chunk)).peer(),
        ],
    };
    harness::run(scenario, cx.options.trials)
}

/// One trial of a blocking arm.
fn blocking_trial(cx: &Context<'_>, arm: Arm, chunk: &[u8]) -> io::Result<f64> {
    let bytes = cx.options.npipe_bytes;
    let base = unique_name("npipe-tput");
    let listener = Listener::bind(arm, &base, Framing::Bytes)?;
    let mut child = cx.spawn(Kind::Throughput, arm, &base, bytes)?;
    let mut conn = listener.accept()?;
    child.expect("ready")?;
    let start = Instant::now();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        conn.send(&chunk[..n])?;
        left -= n as u64;
    }
    child.expect(&bytes.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    listener.release(conn)?;
    child.finish()?;
    Ok(gib_per_s(bytes, secs))
}

/// One trial of the tokio arm.
fn tokio_trial(cx: &Context<'_>, chunk: &[u8]) -> io::Result<f64> {
    let bytes = cx.options.npipe_bytes;
    let base = unique_name("npipe-tput");
    cx.rt.block_on(async {
        let listener = tokio::net::UnixListener::bind(socket_path(&base))?;
        let mut child = cx.spawn(Kind::Throughput, Arm::Tokio, &base, bytes)?;
        let (mut stream, _) = listener.accept().await?;
        child.expect("ready")?;
        let start = Instant::now();
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            stream.write_all(&chunk[..n]).await?;
            left -= n as u64;
        }
        child.expect(&bytes.to_string())?;
        let secs = start.elapsed().as_secs_f64();
        drop(stream);
        child.finish()?;
        Ok(gib_per_s(bytes, secs))
    })
}

fn gib_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64 / secs
}

/// The child's side: connects, says `ready`, reads `bytes` bytes in 64 KiB reads and reports
/// how many it got.
pub fn serve_child(arm: Arm, base: &str, bytes: u64) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    let total = if arm == Arm::Tokio {
        npipe::runtime()?.block_on(async {
            let mut stream = tokio::net::UnixStream::connect(socket_path(base)).await?;
            say("ready")?;
            let mut total = 0u64;
            while total < bytes {
                match stream.read(&mut buf).await? {
                    0 => break,
                    n => total += n as u64,
                }
            }
            io::Result::Ok(total)
        })?
    } else {
        let mut conn = Conn::connect(arm, base, Framing::Bytes)?;
        say("ready")?;
        let mut total = 0u64;
        while total < bytes {
            match conn.recv(&mut buf)? {
                0 => break,
                n => total += n as u64,
            }
        }
        total
    };
    say(&total.to_string())
}
