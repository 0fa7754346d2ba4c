//! A multithreaded named-pipe server, after Microsoft's "Multithreaded Pipe Server" sample:
//! the main thread creates an instance, waits for a client (`ConnectNamedPipe`), hands the
//! connected instance to a thread of its own and creates the next; each thread answers its
//! client's messages until the client closes, then flushes, disconnects and closes the
//! instance. With it, the sample's client: open (waiting in `WaitNamedPipe` while all
//! instances are busy), switch to message read mode, send a message, read the reply.
//!
//! ```text
//! cargo run -p w32ipc --example npipe_multithreaded       # a server and 3 client processes
//! cargo run -p w32ipc --example npipe_multithreaded -- server [NAME [CLIENTS]]
//! cargo run -p w32ipc --example npipe_multithreaded -- client [NAME [MESSAGE]]
//! ```
//!
//! `server` without CLIENTS serves until killed. Its C twin is
//! `crates/w32ipc-capi/examples/npipe_server_multithreaded.c`.

use std::io;
use std::process::{Command, ExitCode};
use std::thread;
use std::time::Duration;

use w32ipc::error::{ERROR_BROKEN_PIPE, ERROR_PIPE_BUSY, Win32ErrorExt};
use w32ipc::npipe::{
    PipeClient, PipeMode, PipeServer, ServerOptions, UNLIMITED_INSTANCES, WaitTimeout,
    wait_named_pipe,
};

const DEFAULT_PIPE: &str = r"\\.\pipe\mynamedpipe";
const BUFSIZE: usize = 512;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let result = match arg(0) {
        Some("server") => server(
            arg(1).unwrap_or(DEFAULT_PIPE),
            arg(2).and_then(|n| n.parse().ok()),
        ),
        Some("client") => client(
            arg(1).unwrap_or(DEFAULT_PIPE),
            arg(2).unwrap_or("Default message from client."),
        ),
        None => both(),
        Some(_) => {
            eprintln!(
                "usage: npipe_multithreaded [server [NAME [CLIENTS]] | client [NAME [MESSAGE]]]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("npipe_multithreaded: {e}");
            ExitCode::FAILURE
        }
    }
}

/// No arguments: three client processes (this program again, as `client`) started at once,
/// and a server here that serves them and ends.
fn both() -> io::Result<()> {
    const CLIENTS: usize = 3;
    let name = format!(r"\\.\pipe\mynamedpipe-{}", std::process::id());
    let exe = std::env::current_exe()?;
    // The clients may start before the pipe exists: each retries until it does.
    let mut clients = (1..=CLIENTS)
        .map(|i| {
            Command::new(&exe)
                .args(["client", &name, &format!("Hello from client {i}.")])
                .spawn()
        })
        .collect::<io::Result<Vec<_>>>()?;
    server(&name, Some(CLIENTS))?;
    for c in &mut clients {
        let status = c.wait()?;
        if !status.success() {
            return Err(io::Error::other(format!("a client failed: {status}")));
        }
    }
    Ok(())
}

/// The main loop: an instance per client, a thread per connected instance. Ends after
/// `clients` clients when given (once their threads are done).
fn server(name: &str, clients: Option<usize>) -> io::Result<()> {
    let mut threads = Vec::new();
    let mut served = 0;
    while clients.is_none_or(|n| served < n) {
        println!("server: main thread awaiting a client connection on {name}");
        let pipe = ServerOptions::new(name)
            .pipe_type(PipeMode::Message) // message-type pipe
            .read_mode(PipeMode::Message) // message-read mode
            .max_instances(UNLIMITED_INSTANCES)
            .buffer_sizes(BUFSIZE as u32, BUFSIZE as u32)
            .create()?;
        // Waits for a client; a client that came first (ERROR_PIPE_CONNECTED) is a success too.
        pipe.connect()?;
        println!(
            "server: client {} connected, creating a processing thread",
            pipe.client_process_id()?
        );
        threads.push(thread::spawn(move || instance_thread(pipe)));
        served += 1;
    }
    for t in threads {
        t.join().expect("an instance thread panicked")?;
    }
    Ok(())
}

/// Serves one client: read a request, write the answer, until the client closes.
fn instance_thread(pipe: PipeServer) -> io::Result<()> {
    let client = pipe.client_process_id()?;
    let mut request = [0u8; BUFSIZE];
    loop {
        let got = match pipe.read_msg(&mut request) {
            Ok(got) => got,
            Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => {
                println!("server: client {client} disconnected");
                break;
            }
            Err(e) => return Err(e),
        };
        let text = String::from_utf8_lossy(&request[..got.len]);
        println!("server: client {client} request: \"{text}\"");
        pipe.write_msg(answer_to(&text).as_bytes())?;
    }
    // Let the client read everything, then disconnect; dropping the instance closes it.
    pipe.flush_buffers()?;
    pipe.disconnect()?;
    Ok(())
}

fn answer_to(request: &str) -> String {
    format!("default answer from server (to \"{request}\")")
}

/// The sample's client: open the pipe, waiting while it is busy; message read mode; send one
/// message; read the reply, in pieces while it says ERROR_MORE_DATA.
fn client(name: &str, message: &str) -> io::Result<()> {
    let mut missing = 0;
    let pipe = loop {
        match PipeClient::open(name) {
            Ok(pipe) => break pipe,
            // No server yet (it is starting): try again for a while.
            Err(e) if e.win32_code() == w32ipc::error::ERROR_FILE_NOT_FOUND && missing < 300 => {
                missing += 1;
                thread::sleep(Duration::from_millis(10));
            }
            // All pipe instances are busy: wait up to 20 seconds.
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                wait_named_pipe(name, WaitTimeout::After(Duration::from_secs(20)))?;
            }
            Err(e) => return Err(e),
        }
    };
    pipe.set_read_mode(PipeMode::Message)?;
    pipe.write_msg(message.as_bytes())?;
    println!("client {}: sent \"{message}\"", std::process::id());
    let mut reply = Vec::new();
    let mut buf = [0u8; 16]; // small on purpose: long replies come in pieces
    loop {
        let got = pipe.read_msg(&mut buf)?;
        reply.extend_from_slice(&buf[..got.len]);
        if !got.more {
            break;
        }
    }
    let reply = String::from_utf8_lossy(&reply);
    println!("client {}: got \"{reply}\"", std::process::id());
    if reply != answer_to(message) {
        return Err(io::Error::other("the reply is not the server's answer"));
    }
    Ok(())
}
