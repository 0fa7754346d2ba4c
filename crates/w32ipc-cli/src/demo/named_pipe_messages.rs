//! Message mode with several instances: a server makes three instances of a message pipe and
//! gives each a thread (connect, serve, disconnect, connect the next: the seed's "to handle
//! multiple clients simultaneously, the server process must create multiple pipe instances");
//! five client processes each send three requests with `TransactNamedPipe`. The server reads
//! in 32-byte pieces, so a longer request comes as pieces that end in `ERROR_MORE_DATA` until
//! the message is whole; each reply is one message. Clients that find all three instances busy
//! wait in `WaitNamedPipe`.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use w32ipc::error::{ERROR_BROKEN_PIPE, ERROR_PIPE_BUSY, Win32ErrorExt};
use w32ipc::npipe::{
    PipeClient, PipeMode, PipeServer, ServerOptions, WaitTimeout, wait_named_pipe,
};
use w32ipc::process::Process;

use super::Kid;

const INSTANCES: usize = 3;
const CLIENTS: usize = 5;
const REQUESTS: usize = 3;
/// The server's read size: requests are longer, so they come in pieces.
const PIECE: usize = 32;
const PATIENCE: Duration = Duration::from_secs(10);

/// What one instance's thread did.
#[derive(Default)]
struct Served {
    instance: usize,
    clients: Vec<u32>,
    requests: usize,
    more_data: usize,
}

pub fn run() -> io::Result<()> {
    let start = Instant::now();
    let me = Process::current_id();
    let name = format!(r"\\.\pipe\w32ipc-demo-{me}-messages");
    let options = ServerOptions::new(&name)
        .pipe_type(PipeMode::Message)
        .read_mode(PipeMode::Message)
        .max_instances(INSTANCES as u32);
    let servers = (0..INSTANCES)
        .map(|_| options.create())
        .collect::<io::Result<Vec<PipeServer>>>()?;
    // Each instance starts with one client's place; the rest are taken as clients leave, so an
    // instance listens only while one more client is due, and every thread ends on its own.
    let places = Arc::new(AtomicUsize::new(CLIENTS - INSTANCES));
    let (done_tx, done_rx) = mpsc::channel();
    for (i, server) in servers.into_iter().enumerate() {
        let (places, done_tx) = (places.clone(), done_tx.clone());
        std::thread::spawn(move || {
            let _ = done_tx.send(serve(&server, i + 1, &places));
        });
    }
    drop(done_tx);
    let mut kids = (0..CLIENTS)
        .map(|_| Kid::spawn("named-pipe-messages", &[&name]))
        .collect::<io::Result<Vec<Kid>>>()?;
    let mut waited = 0;
    let mut failed = None;
    for kid in &mut kids {
        let (lines, code) = kid.finish()?;
        if code != Some(0) {
            failed.get_or_insert(format!("client {} failed: {lines:?}", kid.id()));
        }
        if lines.iter().any(|l| l == "busy") {
            waited += 1;
        }
    }
    let served = collect(&done_rx, &name, failed.is_some())?;
    if let Some(f) = failed {
        return Err(io::Error::other(f));
    }
    let requests: usize = served.iter().map(|s| s.requests).sum();
    let more: usize = served.iter().map(|s| s.more_data).sum();
    if requests != CLIENTS * REQUESTS {
        return Err(io::Error::other(format!(
            "the server answered {requests} requests, not {}",
            CLIENTS * REQUESTS
        )));
    }
    println!(
        "named pipe, messages: server {me} made {INSTANCES} instances of {name} (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE), a thread each; {CLIENTS} client processes sent {requests} requests with TransactNamedPipe; the server read each whole in {PIECE}-byte reads ({more} pieces ended in ERROR_MORE_DATA) and answered each with one message; {} found every instance busy and waited in WaitNamedPipe — {}",
        match waited {
            0 => "no client".to_owned(),
            1 => "1 client".to_owned(),
            n => format!("{n} clients"),
        },
        super::took(start.elapsed()),
    );
    let per_instance: Vec<String> = served
        .iter()
        .map(|s| {
            let pids: Vec<String> = s.clients.iter().map(u32::to_string).collect();
            format!("instance {} served {}", s.instance, pids.join(", "))
        })
        .collect();
    println!("  {}", per_instance.join("; "));
    Ok(())
}

/// Gathers every thread's account. When a client failed, an instance may still wait for a
/// client that never comes: connect empty clients until every thread is done.
fn collect(
    done: &mpsc::Receiver<io::Result<Served>>,
    name: &str,
    unstick: bool,
) -> io::Result<Vec<Served>> {
    let mut served = Vec::new();
    let since = Instant::now();
    while served.len() < INSTANCES {
        let wait = if unstick {
            Duration::from_millis(5)
        } else {
            PATIENCE
        };
        match done.recv_timeout(wait) {
            Ok(r) => served.push(r?),
            Err(mpsc::RecvTimeoutError::Timeout) if unstick && since.elapsed() < PATIENCE => {
                drop(PipeClient::open(name));
            }
            Err(_) => return Err(io::Error::other("the server threads did not finish")),
        }
    }
    served.sort_by_key(|s| s.instance);
    Ok(served)
}

/// One instance's thread: connect a client, answer its requests until it leaves, disconnect;
/// again while places are left.
fn serve(server: &PipeServer, instance: usize, places: &AtomicUsize) -> io::Result<Served> {
    let mut served = Served {
        instance,
        ..Served::default()
    };
    loop {
        server.connect()?;
        served.clients.push(server.client_process_id()?);
        let mut message = Vec::new();
        let mut piece = [0u8; PIECE];
        loop {
            let got = match server.read_msg(&mut piece) {
                Ok(got) => got,
                Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => break,
                Err(e) => return Err(e),
            };
            message.extend_from_slice(&piece[..got.len]);
            if got.more {
                served.more_data += 1; // ReadFile: FALSE, ERROR_MORE_DATA
                continue;
            }
            served.requests += 1;
            server.write_msg(reply_to(&message).as_bytes())?;
            message.clear();
        }
        server.disconnect()?;
        let more = places.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        if more.is_err() {
            return Ok(served);
        }
    }
}

fn reply_to(request: &[u8]) -> String {
    format!("{} bytes, one message", request.len())
}

/// A client: open (waiting while every instance is busy), message read mode, three
/// transactions, each reply checked. Prints `busy` when it had to wait.
pub fn child(args: &[String]) -> io::Result<()> {
    let name = args
        .first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "usage: PIPE-NAME"))?;
    let client = loop {
        match PipeClient::open(name) {
            Ok(client) => break client,
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                writeln!(io::stdout(), "busy")?;
                wait_named_pipe(name, WaitTimeout::After(PATIENCE))?;
            }
            Err(e) => return Err(e),
        }
    };
    client.set_read_mode(PipeMode::Message)?;
    let me = Process::current_id();
    let mut reply = [0u8; 256];
    for i in 1..=REQUESTS {
        let request = format!(
            "request {i} of {REQUESTS} from process {me}{}",
            ".".repeat(20 * i)
        );
        let got = client.transact(request.as_bytes(), &mut reply)?;
        let expected = reply_to(request.as_bytes());
        if got.more || &reply[..got.len] != expected.as_bytes() {
            return Err(io::Error::other(format!(
                "request {i}: the reply was {:?}",
                String::from_utf8_lossy(&reply[..got.len])
            )));
        }
    }
    Ok(())
}
