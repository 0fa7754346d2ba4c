//! The seed document's named pipe in Rust: its server fragment (one instance of
//! `\\.\pipe\ipcdemo`, `PIPE_ACCESS_OUTBOUND`, `PIPE_TYPE_BYTE | PIPE_NOWAIT`) made whole, and
//! its client loop ("try to open the pipe; wait for it, if necessary").
//!
//! ```text
//! cargo run -p w32ipc --example npipe_seed                 # both: the server starts a client
//! cargo run -p w32ipc --example npipe_seed -- server [NAME [LINES]]
//! cargo run -p w32ipc --example npipe_seed -- client [NAME]
//! ```
//!
//! As a no-wait server it polls `ConnectNamedPipe` (`ERROR_PIPE_LISTENING` until a client has
//! opened the pipe), writes a few lines and closes the pipe; the client reads them and then
//! sees `ERROR_BROKEN_PIPE`. Its C twin is `crates/w32ipc-capi/examples/npipe_server_seed.c`.
//!
//! One difference from the seed: its client asks `GENERIC_READ | GENERIC_WRITE`, which a
//! write-only pipe refuses with `ERROR_ACCESS_DENIED`; this one asks to read only.

use std::io::{self, Write};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use w32ipc::error::{
    ERROR_BROKEN_PIPE, ERROR_FILE_NOT_FOUND, ERROR_PIPE_BUSY, ERROR_PIPE_LISTENING, Win32ErrorExt,
};
use w32ipc::npipe::{
    PipeAccess, PipeClient, PipeMode, PipeServer, ServerOptions, WaitTimeout, wait_named_pipe,
};

const DEFAULT_PIPE: &str = r"\\.\pipe\ipcdemo";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let result = match arg(0) {
        Some("server") => server(
            arg(1).unwrap_or(DEFAULT_PIPE),
            arg(2).and_then(|n| n.parse().ok()).unwrap_or(5),
            || Ok(()),
        ),
        Some("client") => client(arg(1).unwrap_or(DEFAULT_PIPE)),
        None => both(),
        Some(_) => {
            eprintln!("usage: npipe_seed [server [NAME [LINES]] | client [NAME]]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("npipe_seed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// No arguments: a server here and a client process (this program again, as `client`).
fn both() -> io::Result<()> {
    let name = format!(r"\\.\pipe\ipcdemo-{}", std::process::id());
    let mut client = None;
    server(&name, 3, || {
        client = Some(
            Command::new(std::env::current_exe()?)
                .args(["client", &name])
                .spawn()?,
        );
        Ok(())
    })?;
    let status = client.expect("the client was started").wait()?;
    if !status.success() {
        return Err(io::Error::other(format!("the client failed: {status}")));
    }
    Ok(())
}

/// The seed's server: create the pipe, poll for a client, write `lines` lines, close.
/// `created` runs once the pipe exists (to start a client).
fn server(name: &str, lines: u32, created: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
    //
    // Create a named pipe.
    //
    let m_hpipe = ServerOptions::new(name) // Pipe name
        .access(PipeAccess::Outbound) // Write access only
        .pipe_type(PipeMode::Byte) // Write bytes,
        .nowait(true) // no waiting
        .max_instances(1) // One instance at a time, please
        .buffer_sizes(0, 0) // Output and input buffer sizes (bytes)
        .default_timeout(Duration::ZERO) // Timeout value: the default, 50 ms
        .create(); // Default security: this user only
    //
    // Check for failures.
    //
    let m_hpipe = match m_hpipe {
        Ok(pipe) => pipe,
        Err(e) => {
            return Err(io::Error::new(
                e.kind(),
                format!("unable to create a named pipe: {e}"),
            ));
        }
    };
    println!("server: {name} created, waiting for a client");
    created()?;

    // No-wait mode: ConnectNamedPipe answers ERROR_PIPE_LISTENING until a client came.
    let mut polls = 0u32;
    loop {
        match m_hpipe.connect() {
            Ok(()) => break,
            Err(e) if e.win32_code() == ERROR_PIPE_LISTENING => {
                polls += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
    println!(
        "server: client {} connected (after {polls} polls)",
        m_hpipe.client_process_id()?
    );

    for i in 1..=lines {
        write_all_nowait(
            &m_hpipe,
            format!("line {i} of {lines} from the seed's server\n").as_bytes(),
        )?;
    }
    println!("server: {lines} lines written, closing the pipe");
    // Closing (not DisconnectNamedPipe) leaves the written data readable by the client.
    drop(m_hpipe);
    Ok(())
}

/// A no-wait write takes all or nothing: with the pipe full it writes 0 bytes. Try again.
fn write_all_nowait(pipe: &PipeServer, bytes: &[u8]) -> io::Result<()> {
    let since = Instant::now();
    let mut pipe = pipe;
    while pipe.write(bytes)? == 0 {
        if since.elapsed() > Duration::from_secs(10) {
            return Err(io::Error::other("the client is not reading"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

/// The seed's client loop, then reading until the server closes the pipe.
fn client(pipe_name: &str) -> io::Result<()> {
    let since = Instant::now();
    // Try to open the named pipe for reading; wait for it, if necessary.
    let hpipe = loop {
        match PipeClient::open_with(pipe_name, true, false) {
            // Break if the pipe handle is valid.
            Ok(pipe) => break pipe,
            // No server yet: try again for a while.
            Err(e)
                if e.win32_code() == ERROR_FILE_NOT_FOUND
                    && since.elapsed() < Duration::from_secs(30) =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            // All instances are busy: wait up to 20 s for one.
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                wait_named_pipe(pipe_name, WaitTimeout::After(Duration::from_secs(20)))?;
            }
            Err(e) => return Err(e),
        }
    };
    eprintln!("client: connected to {pipe_name}");

    // Read until the server closes its end.
    let mut buf = [0u8; 512];
    let mut total = 0;
    let mut out = io::stdout().lock();
    let end = loop {
        match hpipe.read_msg(&mut buf) {
            Ok(got) => {
                out.write_all(&buf[..got.len])?;
                total += got.len;
            }
            Err(e) => break e,
        }
    };
    out.flush()?;
    if end.win32_code() != ERROR_BROKEN_PIPE {
        return Err(end);
    }
    eprintln!("client: the server closed the pipe after {total} bytes");
    Ok(())
}
