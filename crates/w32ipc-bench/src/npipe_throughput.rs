//! Named-pipe byte-mode throughput between two processes, GiB/s.
//!
//! Two scenarios ([`SCENARIOS`]): 64 KiB writes with the default buffers, and 1 MiB writes
//! with 1 MiB buffers (`--write-bytes` sets the write size of both). The parent is the server:
//! it listens (creates the pipe instance), starts the child, accepts it (ConnectNamedPipe), and
//! once the child has said `ready` writes `--npipe-mib` MiB in writes of that size. The child,
//! the client, reads with a buffer as large as the writes until it has everything and reports
//! the byte count, which the parent checks. The clock runs from `ready` to that report:
//! connection set-up, start-up and exit stay outside it.
//!
//! Baseline: a raw Unix stream socket. Subjects: a w32ipc byte-mode named pipe
//! (`Write`/`Read`), interprocess local sockets, tokio `UnixStream`.
//!
//! Buffers: w32ipc turns a server's `nOutBufferSize` into its connection's `SO_SNDBUF`, and
//! `nInBufferSize` into the client's (a Unix stream socket queues what its sender's `SO_SNDBUF`
//! allows; the receiver's `SO_RCVBUF` does not limit it). For the 1 MiB scenario the w32ipc
//! server asks for 1 MiB each way (`ServerOptions::buffer_sizes`), and every socket arm sets
//! `SO_SNDBUF` to 1 MiB on both of its ends — the same call: raw, and the peers through their
//! descriptors (they take no buffer size themselves; their names say `+ SO_SNDBUF`). The
//! scenario's name gives the send buffer the kernel granted.

use std::io;
use std::os::fd::AsFd;
use std::time::Instant;

use rustix::net::sockopt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::npipe::{self, Arm, Context, Kind, say, socket_path};
use crate::npipe_endpoints::{Conn, Framing, Listener};
use crate::pipe_throughput::human;
use crate::session::unique_name;

/// The ratio w32ipc should reach against the raw socket.
pub const TARGET: f64 = 0.9;

/// The scenarios: (write size, buffer size) — 64 KiB writes with the default buffers (0),
/// 1 MiB writes with 1 MiB buffers.
pub const SCENARIOS: [(usize, usize); 2] = [(64 << 10, 0), (1 << 20, 1 << 20)];

/// What one scenario's trials share.
#[derive(Clone, Copy)]
struct Setup<'a> {
    /// One write.
    chunk: &'a [u8],
    /// The buffer size asked for each way (0: the default).
    buffer: usize,
}

/// Runs the throughput scenarios.
pub fn run(cx: &Context<'_>) -> io::Result<Vec<Comparison>> {
    SCENARIOS
        .iter()
        .map(|&(write, buffer)| {
            let chunk = vec![0x5a; cx.options.pipe_write_size.unwrap_or(write)];
            let setup = Setup {
                chunk: &chunk,
                buffer,
            };
            harness::run(scenario(cx, setup)?, cx.options.trials)
        })
        .collect()
}

fn scenario<'a>(cx: &'a Context<'a>, setup: Setup<'a>) -> io::Result<Scenario<'a>> {
    let bytes = cx.options.npipe_bytes;
    // The peer crates take no buffer size: theirs is set through the descriptor.
    let sized = if setup.buffer > 0 { " + SO_SNDBUF" } else { "" };
    Ok(Scenario {
        name: format!(
            "named pipe, {} MiB in {} writes, byte mode, {}",
            bytes >> 20,
            human(setup.chunk.len()),
            buffers(setup.buffer)?
        ),
        unit: "GiB/s",
        better: Better::Higher,
        target: Some(TARGET),
        placement: cx.placement.clone(),
        baseline: Subject::new("raw Unix stream socket", move || {
            blocking_trial(cx, Arm::Raw, setup)
        }),
        subjects: vec![
            Subject::new("w32ipc named pipe, byte mode", move || {
                blocking_trial(cx, Arm::W32ipc, setup)
            }),
            Subject::new(format!("interprocess local socket{sized}"), move || {
                blocking_trial(cx, Arm::Interprocess, setup)
            })
            .peer(),
            Subject::new(format!("tokio UnixStream{sized}"), move || {
                tokio_trial(cx, setup)
            })
            .peer(),
        ],
    })
}

/// Names the buffer size asked for and the send buffer a socket gets with it.
fn buffers(size: usize) -> io::Result<String> {
    let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    size_send_buffer(&a, size)?;
    let granted = sockopt::socket_send_buffer_size(&a)?;
    if size == 0 {
        Ok(format!("default buffers (SO_SNDBUF {})", human(granted)))
    } else {
        Ok(format!(
            "{} buffers (SO_SNDBUF {} granted)",
            human(size),
            human(granted)
        ))
    }
}

/// Sets a socket's `SO_SNDBUF` to `size` unless it is 0 (the default), as w32ipc does for a
/// buffer size hint.
fn size_send_buffer(socket: impl AsFd, size: usize) -> io::Result<()> {
    if size > 0 {
        sockopt::set_socket_send_buffer_size(socket, size)?;
    }
    Ok(())
}

/// One trial of a blocking arm.
fn blocking_trial(cx: &Context<'_>, arm: Arm, setup: Setup<'_>) -> io::Result<f64> {
    let bytes = cx.options.npipe_bytes;
    let base = unique_name("npipe-tput");
    let listener = Listener::bind_sized(arm, &base, Framing::Bytes, setup.buffer as u32)?;
    let mut child = spawn(cx, arm, &base, setup)?;
    let mut conn = listener.accept()?;
    if let Some(socket) = conn.socket() {
        size_send_buffer(socket, setup.buffer)?;
    }
    child.expect("ready")?;
    let start = Instant::now();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(setup.chunk.len() as u64) as usize;
        conn.send(&setup.chunk[..n])?;
        left -= n as u64;
    }
    child.expect(&bytes.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    listener.release(conn)?;
    child.finish()?;
    Ok(gib_per_s(bytes, secs))
}

/// One trial of the tokio arm.
fn tokio_trial(cx: &Context<'_>, setup: Setup<'_>) -> io::Result<f64> {
    let bytes = cx.options.npipe_bytes;
    let base = unique_name("npipe-tput");
    cx.rt.block_on(async {
        let listener = tokio::net::UnixListener::bind(socket_path(&base))?;
        let mut child = spawn(cx, Arm::Tokio, &base, setup)?;
        let (mut stream, _) = listener.accept().await?;
        size_send_buffer(&stream, setup.buffer)?;
        child.expect("ready")?;
        let start = Instant::now();
        let mut left = bytes;
        while left > 0 {
            let n = left.min(setup.chunk.len() as u64) as usize;
            stream.write_all(&setup.chunk[..n]).await?;
            left -= n as u64;
        }
        child.expect(&bytes.to_string())?;
        let secs = start.elapsed().as_secs_f64();
        drop(stream);
        child.finish()?;
        Ok(gib_per_s(bytes, secs))
    })
}

/// Starts the child: it reads `bytes` with a buffer as large as the writes, and sizes its
/// socket's send buffer (a socket arm) as the server asked.
fn spawn(cx: &Context<'_>, arm: Arm, base: &str, setup: Setup<'_>) -> io::Result<npipe::Peer> {
    let extra = [setup.chunk.len().to_string(), setup.buffer.to_string()];
    cx.spawn_with(Kind::Throughput, arm, base, cx.options.npipe_bytes, &extra)
}

fn gib_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64 / secs
}

/// The child's side: connects, sizes its socket's send buffer to `buffer` (a socket arm; the
/// w32ipc client takes the server's `nInBufferSize` itself), says `ready`, reads `bytes` bytes
/// in reads of up to `read` bytes and reports how many it got.
pub fn serve_child(arm: Arm, base: &str, bytes: u64, extra: &[String]) -> io::Result<()> {
    let bad = || io::Error::other(format!("bad throughput child arguments {extra:?}"));
    let [read, buffer] = extra else {
        return Err(bad());
    };
    let read: usize = read.parse().map_err(|_| bad())?;
    let buffer: usize = buffer.parse().map_err(|_| bad())?;
    let mut buf = vec![0u8; read];
    let total = if arm == Arm::Tokio {
        npipe::runtime()?.block_on(async {
            let mut stream = tokio::net::UnixStream::connect(socket_path(base)).await?;
            size_send_buffer(&stream, buffer)?;
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
        if let Some(socket) = conn.socket() {
            size_send_buffer(socket, buffer)?;
        }
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
