//! Async server: requests per second of `--clients` (100) concurrent clients against one
//! server process.
//!
//! The child is the server, on a current-thread tokio runtime: it listens, says `ready`,
//! accepts every client and serves each in a task of its own — read a 64-byte request, write a
//! 64-byte answer, until the client closes — and says `done` once all have closed. The parent
//! holds the clients, on a current-thread tokio runtime too: it connects them all (untimed),
//! then starts one task per client that makes `--requests` requests one after the other
//! (send, wait for the answer), and times until every task is through.
//!
//! Baseline: tokio's `UnixListener` / `UnixStream` on both sides. Subjects: interprocess's
//! tokio local sockets on both sides; w32ipc's `AsyncPipeServer` (a new instance created for
//! each client that connects, as a Win32 overlapped server does) with `AsyncPipeClient`s.

use std::io;
use std::time::Instant;

use interprocess::local_socket::tokio::prelude::*;
use interprocess::local_socket::tokio::{Listener as IpcListener, Stream as IpcStream};
use interprocess::local_socket::{GenericNamespaced, ListenerOptions};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;

use w32ipc::error::{ERROR_BROKEN_PIPE, ERROR_PIPE_BUSY, ERROR_PIPE_NOT_CONNECTED, Win32ErrorExt};
use w32ipc::npipe::tokio::{AsyncPipeClient, AsyncPipeServer};
use w32ipc::npipe::{PipeMode, ServerOptions};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::npipe::{self, Arm, Context, Kind, pipe_name, say, socket_path};
use crate::npipe_endpoints;
use crate::session::unique_name;

const MESSAGE: usize = 64;

/// Runs the async-server scenario.
pub fn run(cx: &Context<'_>) -> io::Result<Comparison> {
    let o = cx.options;
    let scenario = Scenario {
        name: format!(
            "named pipe, async server, {} concurrent clients × {} requests of 64 B per trial",
            o.npipe_clients, o.npipe_requests
        ),
        unit: "requests/s",
        better: Better::Higher,
        target: None,
        placement: cx.placement.clone(),
        baseline: Subject::new("raw tokio UnixListener server", || trial(cx, Arm::Tokio)),
        subjects: vec![
            Subject::new("interprocess tokio local socket server", || {
                trial(cx, Arm::Interprocess)
            })
            .peer(),
            Subject::new("w32ipc AsyncPipeServer (message mode)", || {
                trial(cx, Arm::W32ipc)
            }),
        ],
    };
    harness::run(scenario, o.trials)
}

/// One trial: requests per second.
fn trial(cx: &Context<'_>, arm: Arm) -> io::Result<f64> {
    let (clients, requests) = (cx.options.npipe_clients, cx.options.npipe_requests);
    let base = unique_name("npipe-async");
    let mut child = cx.spawn(Kind::AsyncServer, arm, &base, clients as u64)?;
    child.expect("ready")?;
    let secs = cx.rt.block_on(async {
        let mut tasks = JoinSet::new();
        match arm {
            Arm::Tokio => {
                let path = socket_path(&base);
                let mut streams = Vec::with_capacity(clients);
                for _ in 0..clients {
                    streams.push(UnixStream::connect(&path).await?);
                }
                streams.into_iter().for_each(|s| {
                    tasks.spawn(client(s, requests));
                });
            }
            Arm::Interprocess => {
                let mut streams = Vec::with_capacity(clients);
                for _ in 0..clients {
                    let name = base.as_str().to_ns_name::<GenericNamespaced>()?;
                    streams.push(IpcStream::connect(name).await?);
                }
                streams.into_iter().for_each(|s| {
                    tasks.spawn(client(s, requests));
                });
            }
            Arm::W32ipc => {
                let name = pipe_name(&base);
                let mut pipes = Vec::with_capacity(clients);
                for _ in 0..clients {
                    pipes.push(open_pipe(&name)?);
                }
                pipes.into_iter().for_each(|c| {
                    tasks.spawn(pipe_client(c, requests));
                });
            }
            Arm::Raw => return Err(io::Error::other("no such async arm")),
        }
        // The clients are all connected; the tasks run from the first await below.
        let start = Instant::now();
        while let Some(done) = tasks.join_next().await {
            done.map_err(io::Error::other)??;
        }
        io::Result::Ok(start.elapsed().as_secs_f64())
    })?;
    child.expect("done")?;
    child.finish()?;
    Ok((clients as u64 * requests) as f64 / secs)
}

/// One client: `requests` requests, one after the other; then it closes.
async fn client<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, requests: u64) -> io::Result<()> {
    let request = [0x5au8; MESSAGE];
    let mut answer = [0u8; MESSAGE];
    for _ in 0..requests {
        s.write_all(&request).await?;
        s.read_exact(&mut answer).await?;
    }
    Ok(())
}

/// The server's side of one client: answers each 64-byte request until the client closes.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) -> io::Result<()> {
    let mut buf = [0u8; MESSAGE];
    loop {
        match s.read_exact(&mut buf).await {
            Ok(_) => s.write_all(&buf).await?,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// Opens a w32ipc client in message mode; while every instance is busy, waits for one
/// (`WaitNamedPipe`, blocking: nothing else runs on this runtime while the clients connect).
fn open_pipe(name: &str) -> io::Result<AsyncPipeClient> {
    loop {
        match AsyncPipeClient::open(name) {
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => npipe_endpoints::wait_named_pipe(name)?,
            Err(e) => return Err(e),
            Ok(client) => {
                client.set_read_mode(PipeMode::Message)?;
                return Ok(client);
            }
        }
    }
}

/// One w32ipc client: `requests` messages, each answered by one, one after the other.
async fn pipe_client(c: AsyncPipeClient, requests: u64) -> io::Result<()> {
    let request = [0x5au8; MESSAGE];
    let mut answer = [0u8; MESSAGE];
    for _ in 0..requests {
        c.write_msg(&request).await?;
        let got = c.read_msg(&mut answer).await?;
        if got.len != MESSAGE || got.more {
            return Err(io::Error::other(format!("answer {got:?}")));
        }
    }
    Ok(())
}

/// The w32ipc server's side of one client: answers each message until the client closes.
async fn pipe_serve(s: AsyncPipeServer) -> io::Result<()> {
    let mut buf = [0u8; MESSAGE];
    loop {
        match s.read_msg(&mut buf).await {
            Ok(got) if got.len == 0 => return Ok(()),
            Ok(got) => s.write_msg(&buf[..got.len]).await?,
            Err(e) if matches!(e.win32_code(), ERROR_BROKEN_PIPE | ERROR_PIPE_NOT_CONNECTED) => {
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
}

/// The child's side: the server for `clients` clients; says `done` once all have closed.
pub fn serve_child(arm: Arm, base: &str, clients: u64) -> io::Result<()> {
    npipe::runtime()?.block_on(async {
        let mut tasks = JoinSet::new();
        match arm {
            Arm::Tokio => {
                let listener = UnixListener::bind(socket_path(base))?;
                say("ready")?;
                for _ in 0..clients {
                    let (s, _) = listener.accept().await?;
                    tasks.spawn(serve(s));
                }
            }
            Arm::Interprocess => {
                let name = base.to_ns_name::<GenericNamespaced>()?;
                let listener: IpcListener = ListenerOptions::new().name(name).create_tokio()?;
                say("ready")?;
                for _ in 0..clients {
                    let s = listener.accept().await?;
                    tasks.spawn(serve(s));
                }
            }
            Arm::W32ipc => {
                let options = ServerOptions::new(&pipe_name(base))
                    .pipe_type(PipeMode::Message)
                    .read_mode(PipeMode::Message);
                let mut listening = AsyncPipeServer::create(&options)?;
                say("ready")?;
                for _ in 0..clients {
                    listening.connect().await?;
                    let connected =
                        std::mem::replace(&mut listening, AsyncPipeServer::create(&options)?);
                    tasks.spawn(pipe_serve(connected));
                }
            }
            Arm::Raw => return Err(io::Error::other("no such async arm")),
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(io::Error::other)??;
        }
        io::Result::Ok(())
    })?;
    say("done")
}
