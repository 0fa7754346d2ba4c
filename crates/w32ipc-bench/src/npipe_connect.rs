//! Named-pipe connect + first message between two processes, µs per connection.
//!
//! The child is the server: it listens, says `ready`, and then for each client accepts it
//! (ConnectNamedPipe), reads its 64-byte message, answers with 64 bytes, waits until the client
//! has closed, and takes the next one. The parent is the client: it connects (opens the pipe), sends 64
//! bytes, reads the answer and closes, [`WARMUP`] times untimed and then `--connects` times
//! timed; the figure is the mean time of one timed connection.
//!
//! The w32ipc server of the target row is the usual Win32 multi-instance server: it creates the
//! next instance (CreateNamedPipe) as soon as a client has connected, before serving it (the
//! order of Microsoft's multithreaded server), and closes the served instance — so, as with a
//! socket's kernel queue, a client never waits for the server's turnaround. A diagnostic row
//! runs a server with one instance (DisconnectNamedPipe, then ConnectNamedPipe): a client that
//! comes too early finds it busy (`ERROR_PIPE_BUSY`), waits for it to listen again
//! (`WaitNamedPipe`) and opens again, as a Win32 client does — the price of Win32's
//! one-instance turnaround. The run prints how many opens had to wait.
//!
//! Baseline: raw `connect(2)`/`accept(2)` on an abstract Unix socket. Subjects: w32ipc named
//! pipe (message mode), interprocess local sockets, tokio `UnixListener` / `UnixStream`.

use std::cell::Cell;
use std::io;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use w32ipc::npipe::{PipeMode, ServerOptions};

use crate::npipe::{self, Arm, Context, Kind, pipe_name, say, socket_path};
use crate::npipe_endpoints::{self, Conn, Framing, Listener};
use crate::session::unique_name;

/// The ratio (w32ipc / raw time per connection) w32ipc should stay under.
pub const TARGET: f64 = 1.3;

/// Untimed connections at the start of each trial.
pub const WARMUP: u64 = 30;

const MESSAGE: usize = 64;

/// Runs the connect scenario.
pub fn run(cx: &Context<'_>) -> io::Result<Comparison> {
    let waits = [Cell::new((0, 0)), Cell::new((0, 0))];
    let scenario = Scenario {
        name: format!(
            "named pipe, connect + 64 B request + 64 B answer + close, {} per trial",
            cx.options.npipe_connects
        ),
        unit: "µs/connection",
        better: Better::Lower,
        target: Some(TARGET),
        placement: cx.placement.clone(),
        baseline: Subject::new("raw connect/accept (abstract Unix socket)", || {
            trial(cx, Arm::Raw, Kind::Connect)
        }),
        subjects: vec![
            Subject::new(
                "w32ipc named pipe, next instance created per client",
                || counted(&waits[1], || trial(cx, Arm::W32ipc, Kind::ConnectFresh)),
            ),
            Subject::new("interprocess local socket", || {
                trial(cx, Arm::Interprocess, Kind::Connect)
            })
            .peer(),
            Subject::new("tokio UnixListener/UnixStream", || {
                trial(cx, Arm::Tokio, Kind::Connect)
            })
            .peer(),
            Subject::new("w32ipc, one instance (disconnect, reconnect)", || {
                counted(&waits[0], || trial(cx, Arm::W32ipc, Kind::Connect))
            })
            .diagnostic(),
        ],
    };
    let result = harness::run(scenario, cx.options.trials)?;
    for (what, counts) in ["one instance", "next instance per client"]
        .iter()
        .zip(&waits)
    {
        let (opens, busy) = counts.get();
        crate::progress::log(&format!(
            "w32ipc-bench: w32ipc connect, {what}: {busy} of {opens} opens (warm-ups too) found \
             every instance busy and waited (WaitNamedPipe)"
        ));
    }
    Ok(result)
}

/// Runs `trial`, adding its pipe opens and busy waits to `counts`.
fn counted(counts: &Cell<(u64, u64)>, trial: impl FnOnce() -> io::Result<f64>) -> io::Result<f64> {
    npipe_endpoints::take_open_counts();
    let got = trial();
    let (opens, busy) = npipe_endpoints::take_open_counts();
    let (o, b) = counts.get();
    counts.set((o + opens, b + busy));
    got
}

/// One trial: µs per timed connection.
fn trial(cx: &Context<'_>, arm: Arm, kind: Kind) -> io::Result<f64> {
    let timed = cx.options.npipe_connects;
    let base = unique_name("npipe-conn");
    let mut child = cx.spawn(kind, arm, &base, WARMUP + timed)?;
    child.expect("ready")?;
    let request = [0x5au8; MESSAGE];
    let mut answer = [0u8; MESSAGE];
    let secs = if arm == Arm::Tokio {
        cx.rt.block_on(async {
            let path = socket_path(&base);
            let mut start = Instant::now();
            for i in 0..WARMUP + timed {
                if i == WARMUP {
                    start = Instant::now();
                }
                let mut stream = tokio::net::UnixStream::connect(&path).await?;
                stream.write_all(&request).await?;
                stream.read_exact(&mut answer).await?;
            }
            io::Result::Ok(start.elapsed().as_secs_f64())
        })?
    } else {
        let mut start = Instant::now();
        for i in 0..WARMUP + timed {
            if i == WARMUP {
                start = Instant::now();
            }
            let mut conn = Conn::connect(arm, &base, Framing::Messages)?;
            conn.send(&request)?;
            conn.recv_exact(&mut answer)?;
        }
        start.elapsed().as_secs_f64()
    };
    child.expect("done")?;
    child.finish()?;
    Ok(secs * 1e6 / timed as f64)
}

/// The child's side: listens, says `ready`, serves `clients` connections one after the other
/// (each: read 64 bytes, answer 64 bytes, wait for the close, let go), says `done`.
pub fn serve_child(arm: Arm, base: &str, clients: u64) -> io::Result<()> {
    let mut buf = [0u8; MESSAGE];
    if arm == Arm::Tokio {
        npipe::runtime()?.block_on(async {
            let listener = tokio::net::UnixListener::bind(socket_path(base))?;
            say("ready")?;
            for _ in 0..clients {
                let (mut stream, _) = listener.accept().await?;
                stream.read_exact(&mut buf).await?;
                stream.write_all(&buf).await?;
                while stream.read(&mut buf).await? != 0 {}
            }
            io::Result::Ok(())
        })?;
    } else {
        let listener = Listener::bind(arm, base, Framing::Messages)?;
        say("ready")?;
        for _ in 0..clients {
            let mut conn = listener.accept()?;
            conn.recv_exact(&mut buf)?;
            conn.send(&buf)?;
            conn.wait_end()?;
            listener.release(conn)?;
        }
    }
    say("done")
}

/// The diagnostic server: w32ipc only, a fresh instance for each client (see the module docs).
pub fn serve_child_fresh(base: &str, clients: u64) -> io::Result<()> {
    let options = ServerOptions::new(&pipe_name(base))
        .pipe_type(PipeMode::Message)
        .read_mode(PipeMode::Message);
    let mut instance = options.create()?;
    let mut buf = [0u8; MESSAGE];
    say("ready")?;
    for _ in 0..clients {
        instance.connect()?;
        // The next instance listens before this client is served, as in Microsoft's
        // multithreaded server: the next client never finds the pipe busy.
        let next = options.create()?;
        let n = instance.read_msg(&mut buf)?.len;
        instance.write_msg(&buf[..n])?;
        // Until the client has closed (read_msg then fails with ERROR_BROKEN_PIPE).
        while instance.read_msg(&mut buf).is_ok_and(|got| got.len > 0) {}
        instance = next;
    }
    say("done")
}
