//! Async (tokio) named pipes: one current-thread server for 500 clients in five processes, a
//! message far larger than the socket buffer, hostile peers (garbage, a half-sent message),
//! cancelled reads and writes, disconnects with operations pending, peeks, transactions and
//! process ids. Every test runs under a watchdog with unique names.
//!
//! The crate's dev-dependency on itself turns the `tokio` feature on for `cargo test`.
#![cfg(feature = "tokio")]

use std::collections::HashMap;
use std::future::Future;
use std::io::Write as _;
use std::os::fd::AsFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::pin::{Pin, pin};
use std::process::Stdio;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use w32ipc::error::{
    ERROR_BAD_PIPE, ERROR_BROKEN_PIPE, ERROR_PIPE_BUSY, ERROR_PIPE_CONNECTED, ERROR_PIPE_LISTENING,
    ERROR_PIPE_NOT_CONNECTED, Win32ErrorExt,
};
use w32ipc::npipe::tokio::{AsyncPipeClient, AsyncPipeServer};
use w32ipc::npipe::{PipeClient, PipeMode, ReadOutcome, ServerOptions};
use w32ipc_test_support::{ChildGuard, isolate, role, self_child, unique_name, watchdog};

const CHILD: &str = "child_main";
const PROCESSES: usize = 5;
const CLIENTS_PER_PROCESS: usize = 100;
const ROUNDS: usize = 4;
/// Far more than a Unix socket buffer holds (about 200 KiB by default).
const BIG: usize = 4 << 20;

type Res<T = ()> = std::io::Result<T>;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

fn pipe_name(tag: &str) -> String {
    format!(r"\\.\pipe\{}", unique_name(tag))
}

fn message_options(name: &str) -> ServerOptions {
    ServerOptions::new(name)
        .pipe_type(PipeMode::Message)
        .read_mode(PipeMode::Message)
}

fn code<T: std::fmt::Debug>(r: Res<T>) -> u32 {
    r.unwrap_err().win32_code()
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// Opens a client, trying again while every instance is busy.
async fn open_retrying(name: &str) -> Res<AsyncPipeClient> {
    loop {
        match AsyncPipeClient::open(name) {
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                tokio::time::sleep(Duration::from_millis(1)).await
            }
            other => return other,
        }
    }
}

/// One poll of a future, for tests that cancel an operation half-way.
async fn poll_once<F: Future>(mut f: Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(f.as_mut().poll(cx))).await
}

/// The header of a message of `len` bytes, as a hostile peer could forge it.
fn forged_header(len: u32) -> [u8; 8] {
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&len.to_le_bytes());
    h[4..].copy_from_slice(&(len ^ 0x5733_324d).to_le_bytes());
    h
}

/// A raw Unix socket connected straight to a listening instance (its handle refers to its
/// listener while no client is connected), bypassing the pipe's table.
fn raw_connect(server: &AsyncPipeServer) -> UnixStream {
    let listener = UnixListener::from(server.as_fd().try_clone_to_owned().unwrap());
    let addr = listener.local_addr().unwrap();
    UnixStream::connect_addr(&addr).unwrap()
}

/// Many concurrent instances need more descriptors than a default soft limit may give.
fn raise_fd_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|c| c < 8192) {
        limit.current = limit.maximum.map(|m| m.min(8192));
        let _ = setrlimit(Resource::Nofile, limit);
    }
}

/// The child side: `clients:<pipe name>:<n>` runs `n` concurrent async clients.
#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let (what, arg) = r.split_once(':').unwrap();
    let _wd = watchdog("async client process", 110);
    match what {
        "clients" => {
            let (name, n) = arg.rsplit_once(':').unwrap();
            let n: usize = n.parse().unwrap();
            runtime().block_on(async {
                let mut clients = JoinSet::new();
                for k in 0..n {
                    clients.spawn(one_client(name.to_owned(), k));
                }
                while let Some(done) = clients.join_next().await {
                    done.expect("client task").expect("client");
                }
            });
        }
        other => panic!("unknown role {other}"),
    }
}

/// One client in a child process: a few round trips, by three different routes, each reply
/// checked (the server prefixes the process id it sees).
async fn one_client(name: String, k: usize) -> Res {
    let mut c = open_retrying(&name).await?;
    c.set_read_mode(PipeMode::Message)?;
    assert_eq!(
        c.server_process_id()?,
        std::os::unix::process::parent_id(),
        "the server's pid"
    );
    let me = std::process::id();
    for round in 0..ROUNDS {
        let request = format!("{me}:{k}:{round}:{}", "x".repeat((k * 37 + round) % 300));
        let mut reply = [0u8; 512];
        let len = match k % 3 {
            0 => c.transact(request.as_bytes(), &mut reply).await?.len,
            1 => {
                c.write_msg(request.as_bytes()).await?;
                let got = c.read_msg(&mut reply).await?;
                assert!(!got.more);
                got.len
            }
            // The byte-stream view: one write is one message; one read, one message.
            _ => {
                c.write_all(request.as_bytes()).await?;
                c.flush().await?;
                c.read(&mut reply).await?
            }
        };
        assert_eq!(
            std::str::from_utf8(&reply[..len]).unwrap(),
            format!("{me}|{request}")
        );
    }
    Ok(())
}

/// The server's side of one client: answers every message with the client's pid and the
/// message, until the client closes. The first answer waits until every client is connected,
/// so all of them are connected at once.
async fn serve(server: AsyncPipeServer, all_here: Arc<Barrier>) -> Res<u32> {
    let pid = server.client_process_id()?;
    let mut buf = vec![0u8; 1024];
    let mut first = true;
    loop {
        let got = match server.read_msg(&mut buf).await {
            Ok(got) => got,
            Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => return Ok(pid),
            Err(e) => return Err(e),
        };
        assert!(!got.more);
        if first {
            all_here.wait().await;
            first = false;
        }
        let mut reply = format!("{pid}|").into_bytes();
        reply.extend_from_slice(&buf[..got.len]);
        server.write_msg(&reply).await?;
    }
}

async fn accept(server: AsyncPipeServer) -> Res<AsyncPipeServer> {
    server.connect().await?;
    Ok(server)
}

#[test]
fn one_thread_serves_500_clients_of_five_processes() {
    isolate();
    let _wd = watchdog("500 async clients", 120);
    raise_fd_limit();
    let name = pipe_name("many");
    let total = PROCESSES * CLIENTS_PER_PROCESS;
    let mut children = Vec::new();
    let per_pid = runtime().block_on(async {
        let options = message_options(&name);
        // A few instances listen at any time; each connect starts another.
        let mut listening = JoinSet::new();
        for _ in 0..4 {
            listening.spawn(accept(AsyncPipeServer::create(&options)?));
        }
        for _ in 0..PROCESSES {
            let role = format!("clients:{name}:{CLIENTS_PER_PROCESS}");
            let mut cmd = self_child(CHILD, &role);
            cmd.stdout(Stdio::null());
            children.push(ChildGuard::spawn(&mut cmd));
        }
        let all_here = Arc::new(Barrier::new(total));
        let mut serving = JoinSet::new();
        let mut accepted = 0;
        while accepted < total {
            let server = listening.join_next().await.expect("a listener")??;
            accepted += 1;
            if accepted + listening.len() < total {
                listening.spawn(accept(AsyncPipeServer::create(&options)?));
            }
            serving.spawn(serve(server, all_here.clone()));
        }
        let mut per_pid = HashMap::<u32, usize>::new();
        while let Some(done) = serving.join_next().await {
            *per_pid.entry(done??).or_default() += 1;
        }
        Res::Ok(per_pid)
    });
    let per_pid = per_pid.unwrap();
    let mut expected = HashMap::new();
    for mut c in children {
        expected.insert(c.0.id(), CLIENTS_PER_PROCESS);
        assert!(c.0.wait().unwrap().success(), "a client process failed");
    }
    assert_eq!(per_pid, expected);
}

#[test]
fn a_message_larger_than_the_socket_buffer_does_not_block_the_thread() {
    isolate();
    let _wd = watchdog("4 MiB message", 60);
    let name = pipe_name("big");
    runtime()
        .block_on(async {
            let big = pattern(BIG);
            let server = AsyncPipeServer::create(message_options(&name))?;
            let mut client = AsyncPipeClient::open(&name)?;
            client.set_read_mode(PipeMode::Message)?;
            server.connect().await?;
            let sndbuf = rustix::net::sockopt::socket_send_buffer_size(client.as_fd())?;
            assert!(sndbuf < BIG / 4, "socket buffer {sndbuf}");

            // Messages: the server echoes; the client reads the echo in 1 MiB pieces.
            let echo = async {
                let mut buf = vec![0u8; BIG + 1];
                let got = server.read_msg(&mut buf).await?;
                assert_eq!(
                    got,
                    ReadOutcome {
                        len: BIG,
                        more: false
                    }
                );
                server.write_msg(&buf[..BIG]).await
            };
            let ask = async {
                client.write_msg(&big).await?;
                let mut back = Vec::new();
                let mut piece = vec![0u8; 1 << 20];
                loop {
                    let got = client.read_msg(&mut piece).await?;
                    back.extend_from_slice(&piece[..got.len]);
                    if !got.more {
                        break;
                    }
                }
                assert_eq!(back.len(), BIG);
                assert!(back == big);
                Res::Ok(())
            };
            tokio::try_join!(echo, ask)?;

            // The byte-stream view of the same pipe.
            let mut server = server;
            let echo = async {
                let mut buf = vec![0u8; BIG];
                server.read_exact(&mut buf).await?;
                server.write_all(&buf).await?;
                server.flush().await
            };
            let ask = async {
                client.write_all(&big).await?;
                client.flush().await?;
                let mut back = vec![0u8; BIG];
                client.read_exact(&mut back).await?;
                assert!(back == big);
                Res::Ok(())
            };
            tokio::try_join!(echo, ask)?;

            // A byte pipe.
            let name = pipe_name("big-bytes");
            let server = AsyncPipeServer::create(ServerOptions::new(&name))?;
            let client = AsyncPipeClient::open(&name)?;
            server.connect().await?;
            let echo = async {
                let mut buf = vec![0u8; BIG];
                let mut have = 0;
                while have < BIG {
                    have += server.read_msg(&mut buf[have..]).await?.len;
                }
                server.write_msg(&buf).await
            };
            let ask = async {
                client.write_msg(&big).await?;
                let mut back = vec![0u8; BIG];
                let mut have = 0;
                while have < BIG {
                    have += client.read_msg(&mut back[have..]).await?.len;
                }
                assert!(back == big);
                Res::Ok(())
            };
            tokio::try_join!(echo, ask)?;
            Res::Ok(())
        })
        .unwrap();
}

#[test]
fn hostile_peers_get_bad_pipe_and_the_server_serves_on() {
    isolate();
    let _wd = watchdog("hostile peers", 60);
    let name = pipe_name("hostile");
    runtime()
        .block_on(async {
            let options = message_options(&name);

            // A raw socket connected to the instance's listener sends something that is not a
            // message.
            let garbage = AsyncPipeServer::create(&options)?;
            let mut raw = raw_connect(&garbage);
            raw.write_all(b"GET / HTTP/1.1\r\nHost: pipe\r\n\r\n")?;
            garbage.connect().await?;
            let mut buf = vec![0u8; 4096];
            assert_eq!(code(garbage.read_msg(&mut buf).await), ERROR_BAD_PIPE);
            garbage.disconnect()?;
            drop(raw);

            // Another announces a message and sends only part of it, then goes silent: the
            // read waits without holding the thread.
            let slow = Arc::new(AsyncPipeServer::create(&options)?);
            let mut half = raw_connect(&slow);
            half.write_all(&forged_header(1000))?;
            half.write_all(b"0123456789")?;
            slow.connect().await?;
            let stuck = tokio::spawn({
                let slow = slow.clone();
                async move {
                    let mut buf = vec![0u8; 2000];
                    slow.read_msg(&mut buf).await
                }
            });

            // Meanwhile a real client is served, by the instance that saw the garbage.
            let (connected, client) = tokio::join!(garbage.connect(), open_retrying(&name));
            connected?;
            let client = client?;
            client.set_read_mode(PipeMode::Message)?;
            for i in 0..10u8 {
                client.write_msg(&[i; 100]).await?;
                let got = garbage.read_msg(&mut buf).await?;
                assert_eq!(&buf[..got.len], &[i; 100]);
                garbage.write_msg(b"ok").await?;
                assert_eq!(client.read_msg(&mut buf).await?.len, 2);
            }
            assert!(!stuck.is_finished());

            // The half-sent message dies with its writer.
            drop(half);
            assert_eq!(code(stuck.await.unwrap()), ERROR_BROKEN_PIPE);

            // A real client's socket, written to directly: its first message is good, then
            // comes garbage.
            client.write_msg(b"fine").await?;
            let mut sock = UnixStream::from(client.as_fd().try_clone_to_owned()?);
            sock.write_all(&[0xff; 8])?;
            let got = garbage.read_msg(&mut buf).await?;
            assert_eq!(&buf[..got.len], b"fine");
            assert_eq!(code(garbage.read_msg(&mut buf).await), ERROR_BAD_PIPE);
            garbage.disconnect()?;
            drop((sock, client));

            // And the server still serves.
            let (connected, client) = tokio::join!(garbage.connect(), open_retrying(&name));
            connected?;
            let client = client?;
            client.set_read_mode(PipeMode::Message)?;
            let answer = async {
                let got = garbage.read_msg(&mut buf).await?;
                garbage.write_msg(&buf[..got.len]).await
            };
            let mut reply = [0u8; 16];
            let (answered, got) = tokio::join!(answer, client.transact(b"still", &mut reply));
            answered?;
            assert_eq!(&reply[..got?.len], b"still");
            Res::Ok(())
        })
        .unwrap();
}

#[test]
fn cancelled_reads_and_writes_keep_messages_whole() {
    isolate();
    let _wd = watchdog("cancelled operations", 60);
    let name = pipe_name("cancel");
    runtime()
        .block_on(async {
            let big = pattern(BIG);
            let server = AsyncPipeServer::create(message_options(&name))?;
            let client = AsyncPipeClient::open(&name)?;
            server.connect().await?;

            // A write dropped after its first piece went out...
            {
                let write = pin!(client.write_msg(&big));
                assert!(poll_once(write).await.is_pending());
            }
            // ...and a read dropped after taking that piece.
            let mut buf = vec![0u8; BIG];
            {
                let read = pin!(server.read_msg(&mut buf));
                assert!(poll_once(read).await.is_pending());
            }

            // The taken bytes are still seen by a peek...
            let mut head = [0u8; 100];
            let peeked = server.peek(&mut head)?;
            assert_eq!(peeked.read, 100);
            assert_eq!(peeked.left_in_message, BIG - 100);
            assert_eq!(&head[..], &big[..100]);

            // ...and read first; the next write finishes the big message before its own.
            let reads = async {
                let got = server.read_msg(&mut head).await?;
                assert_eq!(
                    got,
                    ReadOutcome {
                        len: 100,
                        more: true
                    }
                );
                assert_eq!(&head[..], &big[..100]);
                let got = server.read_msg(&mut buf).await?;
                assert_eq!(
                    got,
                    ReadOutcome {
                        len: BIG - 100,
                        more: false
                    }
                );
                assert!(buf[..BIG - 100] == big[100..]);
                let got = server.read_msg(&mut buf).await?;
                assert_eq!(&buf[..got.len], b"after");
                Res::Ok(())
            };
            tokio::try_join!(reads, client.write_msg(b"after"))?;
            Res::Ok(())
        })
        .unwrap();
}

#[test]
fn disconnect_fails_pending_operations_and_the_next_client_is_served() {
    isolate();
    let _wd = watchdog("disconnect", 60);
    let name = pipe_name("disc");
    runtime()
        .block_on(async {
            let server = Arc::new(AsyncPipeServer::create(message_options(&name))?);
            let mut buf = [0u8; 64];
            // No client yet: reads fail at once, as with the blocking server.
            assert_eq!(code(server.read_msg(&mut buf).await), ERROR_PIPE_LISTENING);

            let client = AsyncPipeClient::open(&name)?;
            server.connect().await?;
            assert_eq!(code(server.connect().await), ERROR_PIPE_CONNECTED);
            let server_read = tokio::spawn({
                let server = server.clone();
                async move { server.read_msg(&mut [0u8; 64]).await }
            });
            let client_read = tokio::spawn(async move { client.read_msg(&mut [0u8; 64]).await });
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            assert!(!server_read.is_finished() && !client_read.is_finished());
            server.disconnect()?;
            assert_eq!(code(server_read.await.unwrap()), ERROR_PIPE_NOT_CONNECTED);
            assert_eq!(code(client_read.await.unwrap()), ERROR_PIPE_NOT_CONNECTED);
            assert_eq!(code(server.disconnect()), ERROR_PIPE_NOT_CONNECTED);

            // The next client, twice over: connect, talk, disconnect.
            let mut server = Arc::into_inner(server).expect("no other owner");
            for round in 0..2u8 {
                let (connected, client) = tokio::join!(server.connect(), open_retrying(&name));
                connected?;
                let mut client = client?;
                client.write_msg(&[round; 3]).await?;
                let got = server.read_msg(&mut buf).await?;
                assert_eq!(&buf[..got.len], &[round; 3]);
                server.write_msg(b"back").await?;
                let mut reply = Vec::new();
                let mut piece = [0u8; 3];
                let n = client.read(&mut piece).await?;
                reply.extend_from_slice(&piece[..n]);
                let n = client.read(&mut piece).await?;
                reply.extend_from_slice(&piece[..n]);
                assert_eq!(reply, b"back");
                if round == 0 {
                    server.disconnect()?;
                } else {
                    // The byte-stream view ends where the client closes.
                    client.write_msg(b"bye").await?;
                    drop(client);
                    let mut rest = Vec::new();
                    server.read_to_end(&mut rest).await?;
                    assert_eq!(rest, b"bye");
                }
            }
            Res::Ok(())
        })
        .unwrap();
}

#[test]
fn peeks_transactions_process_ids_and_conversions() {
    isolate();
    let _wd = watchdog("peek and transact", 60);
    fn send_sync<T: Send + Sync>() {}
    send_sync::<AsyncPipeServer>();
    send_sync::<AsyncPipeClient>();
    let name = pipe_name("misc");
    runtime()
        .block_on(async {
            // From blocking ends: the client came before the server's connect.
            let sync_server = message_options(&name).create()?;
            let sync_client = PipeClient::open(&name)?;
            sync_server.connect()?;
            let mut server = AsyncPipeServer::from_server(sync_server)?;
            let client = AsyncPipeClient::from_client(sync_client)?;
            client.set_read_mode(PipeMode::Message)?;
            assert_eq!(server.client_process_id()?, std::process::id());
            assert_eq!(client.server_process_id()?, std::process::id());
            assert!(server.info()?.server_end && !client.info()?.server_end);

            fn send<T: Send>(_: &T) {}
            let mut buf = [0u8; 16];
            send(&server.read_msg(&mut buf));
            send(&client.write_msg(b""));
            send(&server.connect());

            client.write_msg(b"hello").await?;
            client.write_msg(b"").await?;
            client.write_msg(b"x").await?;
            let mut two = [0u8; 2];
            let peeked = server.peek(&mut two)?;
            assert_eq!(
                (peeked.read, peeked.available, peeked.left_in_message),
                (2, 6, 3)
            );
            assert_eq!(&two, b"he");
            // Unread data: no transaction, nothing written.
            assert_eq!(code(server.transact(b"q", &mut buf).await), ERROR_PIPE_BUSY);
            assert_eq!(
                server.read_msg(&mut two).await?,
                ReadOutcome { len: 2, more: true }
            );
            assert_eq!(
                server.read_msg(&mut buf).await?,
                ReadOutcome {
                    len: 3,
                    more: false
                }
            );
            // The stream view skips the zero-length message.
            assert_eq!(server.read(&mut buf).await?, 1);
            assert_eq!(buf[0], b'x');

            let answer = async {
                let got = server.read_msg(&mut buf).await?;
                assert_eq!(&buf[..got.len], b"question");
                server.write_msg(b"answer").await
            };
            let mut reply = [0u8; 4];
            let (answered, got) = tokio::join!(answer, client.transact(b"question", &mut reply));
            answered?;
            assert_eq!(got?, ReadOutcome { len: 4, more: true });
            assert_eq!(&reply, b"answ");
            assert_eq!(client.read_msg(&mut reply).await?.len, 2);

            // Byte pipes have no transactions.
            let name = pipe_name("misc-bytes");
            let server = AsyncPipeServer::create(ServerOptions::new(&name))?;
            let client = AsyncPipeClient::open(&name)?;
            server.connect().await?;
            assert_eq!(
                code(client.transact(b"q", &mut reply).await),
                ERROR_BAD_PIPE
            );
            assert_eq!(
                code(client.set_read_mode(PipeMode::Message)),
                w32ipc::error::ERROR_INVALID_PARAMETER
            );
            Res::Ok(())
        })
        .unwrap();
}
