//! The seed's named pipe: the server fragment's one instance of `\\.\pipe\ipcdemo`,
//! `PIPE_ACCESS_OUTBOUND` (write only), `PIPE_TYPE_BYTE | PIPE_NOWAIT`, and its client loop
//! ("try to open the pipe; wait for it, if necessary") in two client processes.
//!
//! With one instance, one client at a time: the server polls `ConnectNamedPipe` (no-wait mode
//! answers `ERROR_PIPE_LISTENING` until a client has opened the pipe), the other client finds
//! the instance busy (`ERROR_PIPE_BUSY`) and waits in `WaitNamedPipe`. The server writes its
//! lines to the first, waits until they are read (`FlushFileBuffers`), disconnects it
//! (`ERROR_PIPE_NOT_CONNECTED` on its next read), connects the second, writes, and closes the
//! pipe (`ERROR_BROKEN_PIPE` once the second has read everything).
//!
//! One difference from the seed's fragment: its client asks `GENERIC_READ | GENERIC_WRITE`,
//! which a write-only pipe refuses (`ERROR_ACCESS_DENIED`); ours asks to read only.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use w32ipc::error::{
    ERROR_BROKEN_PIPE, ERROR_FILE_NOT_FOUND, ERROR_PIPE_BUSY, ERROR_PIPE_LISTENING,
    ERROR_PIPE_NOT_CONNECTED, Win32ErrorExt, error_name,
};
use w32ipc::npipe::{
    PipeAccess, PipeClient, PipeMode, PipeServer, ServerOptions, WaitTimeout, wait_named_pipe,
};
use w32ipc::process::Process;

use super::Kid;

const LINES: [&str; 2] = [
    "hello from the seed's server",
    "one instance, write only, no waiting",
];

/// How long anything may take before the scenario gives up (it takes milliseconds).
const PATIENCE: Duration = Duration::from_secs(10);

pub fn run() -> io::Result<()> {
    let start = Instant::now();
    let me = Process::current_id();
    let name = format!(r"\\.\pipe\w32ipc-demo-{me}-ipcdemo");
    // m_hPipe = CreateNamedPipe(name, PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE | PIPE_NOWAIT, 1,
    //                           0, 0, 0, NULL);
    let server = ServerOptions::new(&name)
        .access(PipeAccess::Outbound)
        .pipe_type(PipeMode::Byte)
        .nowait(true)
        .max_instances(1)
        .buffer_sizes(0, 0)
        .create()?;
    let mut kids = [
        Kid::spawn("named-pipe", &[&name])?,
        Kid::spawn("named-pipe", &[&name])?,
    ];
    let mut polls = 0;

    poll_connect(&server, &mut polls)?;
    let first_pid = server.client_process_id()?;
    let first = kids
        .iter()
        .position(|k| k.id() == first_pid)
        .ok_or_else(|| io::Error::other(format!("an unknown client {first_pid} connected")))?;
    let second = 1 - first;
    // The other client is turned away while the only instance is taken.
    if kids[second].line()?.as_deref() != Some("busy") {
        return Err(io::Error::other(
            "the second client did not find the pipe busy",
        ));
    }
    write_lines(&server)?;
    server.flush_buffers()?;
    server.disconnect()?;

    poll_connect(&server, &mut polls)?;
    if server.client_process_id()? != kids[second].id() {
        return Err(io::Error::other("the second client did not connect"));
    }
    write_lines(&server)?;
    drop(server); // CloseHandle: the client reads what is left, then ERROR_BROKEN_PIPE.

    let mut reports = Vec::new();
    for (i, kid) in kids.iter_mut().enumerate() {
        let (lines, code) = kid.finish()?;
        let read: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("read "))
            .collect();
        let end = lines
            .iter()
            .find_map(|l| l.strip_prefix("end "))
            .unwrap_or("?");
        let want_end = if i == first {
            "ERROR_PIPE_NOT_CONNECTED"
        } else {
            "ERROR_BROKEN_PIPE"
        };
        if code != Some(0) || read != LINES || end != want_end {
            return Err(io::Error::other(format!(
                "client {} read {read:?} and ended with {end} (exit {code:?})",
                kid.id()
            )));
        }
        reports.push((kid.id(), end.to_owned()));
    }
    println!(
        "named pipe: server {me} created {name} (one instance, PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE | PIPE_NOWAIT) and polled ConnectNamedPipe until a client opened it ({polls} × ERROR_PIPE_LISTENING); client {} came first, client {} found the instance busy (ERROR_PIPE_BUSY) and waited in WaitNamedPipe; the server wrote {} lines to each, disconnected the first after FlushFileBuffers and closed the pipe after the second; both read every line — {}",
        kids[first].id(),
        kids[second].id(),
        LINES.len(),
        super::took(start.elapsed()),
    );
    for (pid, end) in [&reports[first], &reports[second]] {
        println!(
            "  client {pid} read \"{}\", then {end}",
            LINES.join("\", \"")
        );
    }
    Ok(())
}

/// No-wait `ConnectNamedPipe`: `ERROR_PIPE_LISTENING` until a client has opened the pipe.
/// After a disconnect, the first call succeeds without a client: it says the instance is
/// available again (Microsoft's rule for no-wait pipes), so success counts only with a client.
fn poll_connect(server: &PipeServer, polls: &mut u32) -> io::Result<()> {
    let since = Instant::now();
    loop {
        match server.connect() {
            Ok(()) if server.client_process_id().is_ok() => return Ok(()),
            Ok(()) => {}
            Err(e) if e.win32_code() == ERROR_PIPE_LISTENING && since.elapsed() < PATIENCE => {
                *polls += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Writes every line; a no-wait write with the pipe full writes nothing (0 bytes) and is
/// tried again.
fn write_lines(server: &PipeServer) -> io::Result<()> {
    let since = Instant::now();
    for line in LINES {
        let bytes = format!("{line}\n");
        while (&*server).write(bytes.as_bytes())? == 0 {
            if since.elapsed() > PATIENCE {
                return Err(io::Error::other("the client stopped reading"));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(())
}

/// The seed's client: open the pipe, waiting for it if necessary; read until it ends. Tells
/// the parent on stdout: `busy` when turned away, `read LINE` for each line, `end ERROR_…`.
pub fn child(args: &[String]) -> io::Result<()> {
    let name = args
        .first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "usage: PIPE-NAME"))?;
    let since = Instant::now();
    // Try to open the named pipe; wait for it, if necessary.
    let client = loop {
        match PipeClient::open_with(name, true, false) {
            Ok(client) => break client,
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                say("busy")?;
                wait_named_pipe(name, WaitTimeout::After(PATIENCE))?;
            }
            Err(e) if e.win32_code() == ERROR_FILE_NOT_FOUND && since.elapsed() < PATIENCE => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(e),
        }
    };
    let mut text = Vec::new();
    let mut buf = [0u8; 512];
    let end = loop {
        match client.read_msg(&mut buf) {
            Ok(got) => text.extend_from_slice(&buf[..got.len]),
            Err(e) => break e,
        }
    };
    for line in String::from_utf8_lossy(&text).lines() {
        say(&format!("read {line}"))?;
    }
    let code = end.win32_code();
    say(&format!(
        "end {}",
        error_name(code).unwrap_or("an unknown error")
    ))?;
    match code {
        ERROR_BROKEN_PIPE | ERROR_PIPE_NOT_CONNECTED => Ok(()),
        _ => Err(end),
    }
}

fn say(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}
