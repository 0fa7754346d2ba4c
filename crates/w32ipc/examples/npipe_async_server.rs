//! One thread serving many instances of a named pipe, after Microsoft's "Named Pipe Server
//! Using Overlapped I/O" sample: where the sample drives each instance's overlapped
//! `ConnectNamedPipe`, `ReadFile` and `WriteFile` from one `WaitForMultipleObjects` loop, here
//! each instance is a task of a single-threaded tokio runtime (`w32ipc::npipe::tokio`). The
//! clients are ordinary blocking processes.
//!
//! ```text
//! cargo run -p w32ipc --features tokio --example npipe_async_server     # server + 6 clients
//! cargo run -p w32ipc --features tokio --example npipe_async_server -- server [NAME [CLIENTS]]
//! cargo run -p w32ipc --features tokio --example npipe_async_server -- client [NAME [MESSAGE]]
//! ```
//!
//! `server` without CLIENTS serves until killed. Its C twin is
//! `crates/w32ipc-capi/examples/npipe_server_overlapped.c`.

use std::io;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use w32ipc::error::{ERROR_BROKEN_PIPE, ERROR_FILE_NOT_FOUND, ERROR_PIPE_BUSY, Win32ErrorExt};
use w32ipc::npipe::tokio::AsyncPipeServer;
use w32ipc::npipe::{PipeClient, PipeMode, ServerOptions, WaitTimeout, wait_named_pipe};

const DEFAULT_PIPE: &str = r"\\.\pipe\mynamedpipe";
const INSTANCES: usize = 4;
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
                "usage: npipe_async_server [server [NAME [CLIENTS]] | client [NAME [MESSAGE]]]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("npipe_async_server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// No arguments: six client processes (this program again, as `client`) for four instances,
/// all served by this process's one thread.
fn both() -> io::Result<()> {
    const CLIENTS: usize = 6;
    let name = format!(r"\\.\pipe\mynamedpipe-async-{}", std::process::id());
    let exe = std::env::current_exe()?;
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

/// The clients still to be served (`None`: no end).
struct Budget(Option<AtomicUsize>);

impl Budget {
    /// Takes a place for one more client; `false` when none is left.
    fn take(&self) -> bool {
        self.0.as_ref().is_none_or(|left| {
            left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                .is_ok()
        })
    }
}

/// INSTANCES instances, a task each, on one thread. With `clients`, an instance listens only
/// while one more client is due, so every task ends once all have been served.
fn server(name: &str, clients: Option<usize>) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    rt.block_on(async {
        let options = ServerOptions::new(name)
            .pipe_type(PipeMode::Message)
            .read_mode(PipeMode::Message)
            .max_instances(INSTANCES as u32)
            .buffer_sizes(BUFSIZE as u32, BUFSIZE as u32);
        let budget = Arc::new(Budget(clients.map(AtomicUsize::new)));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 1..=INSTANCES {
            if !budget.take() {
                break;
            }
            let server = AsyncPipeServer::create(&options)?;
            tasks.spawn(instance_task(server, i, budget.clone()));
        }
        println!(
            "server: {} instances of {name}, served by thread {:?}",
            tasks.len(),
            std::thread::current().id()
        );
        let mut served = 0;
        while let Some(done) = tasks.join_next().await {
            served += done.map_err(io::Error::other)??;
        }
        println!("server: {served} clients served, all on one thread");
        Ok(())
    })
}

/// One instance: connect a client, answer its messages until it closes, disconnect; again
/// while the budget lasts. Returns the number of clients served.
async fn instance_task(
    server: AsyncPipeServer,
    instance: usize,
    budget: Arc<Budget>,
) -> io::Result<usize> {
    let mut served = 0;
    loop {
        server.connect().await?;
        let client = server.client_process_id()?;
        let mut request = [0u8; BUFSIZE];
        loop {
            let got = match server.read_msg(&mut request).await {
                Ok(got) => got,
                Err(e) if e.win32_code() == ERROR_BROKEN_PIPE => break,
                Err(e) => return Err(e),
            };
            let text = String::from_utf8_lossy(&request[..got.len]);
            println!(
                "server: instance {instance} (thread {:?}) answers client {client}: \"{text}\"",
                std::thread::current().id()
            );
            server.write_msg(answer_to(&text).as_bytes()).await?;
        }
        server.disconnect()?;
        served += 1;
        if !budget.take() {
            return Ok(served);
        }
    }
}

fn answer_to(request: &str) -> String {
    format!("default answer from server (to \"{request}\")")
}

/// A blocking client: open the pipe (retrying while it does not exist yet, waiting while every
/// instance is busy), message read mode, one transaction.
fn client(name: &str, message: &str) -> io::Result<()> {
    let mut missing = 0;
    let pipe = loop {
        match PipeClient::open(name) {
            Ok(pipe) => break pipe,
            Err(e) if e.win32_code() == ERROR_FILE_NOT_FOUND && missing < 300 => {
                missing += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                wait_named_pipe(name, WaitTimeout::After(Duration::from_secs(20)))?;
            }
            Err(e) => return Err(e),
        }
    };
    pipe.set_read_mode(PipeMode::Message)?;
    let mut reply = [0u8; BUFSIZE];
    let got = pipe.transact(message.as_bytes(), &mut reply)?;
    let reply = String::from_utf8_lossy(&reply[..got.len]);
    println!("client {}: got \"{reply}\"", std::process::id());
    if got.more || reply != answer_to(message) {
        return Err(io::Error::other("the reply is not the server's answer"));
    }
    Ok(())
}
