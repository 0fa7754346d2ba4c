//! `w32ipc pipe serve`: a named-pipe server that echoes or prints what its clients write.
//!
//! Each instance has a thread that connects a client, serves it until it leaves, disconnects
//! and connects the next (Microsoft's multithreaded-server shape, without a thread per client).
//! With `--max-clients N`, instances take clients only while the budget lasts: an instance
//! is listening only while its thread holds one of the N places, so every client that connects
//! is served, and the server ends after exactly N.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use w32ipc::error::{ERROR_BROKEN_PIPE, ERROR_NO_DATA, ERROR_PIPE_NOT_CONNECTED, Win32ErrorExt};
use w32ipc::npipe::{PipeMode, PipeServer, ServerOptions, UNLIMITED_INSTANCES};

use super::{PipeContext, full_name};
use crate::report::{Context, Failure, describe};

/// Serve a named pipe: print what clients write, or echo it
///
/// --print (the default) prints what clients write, --echo writes it back; both may be given.
/// Clients are served one after another by each instance; --instances N serves N at once
/// (a thread each). The server runs until interrupted, or until --max-clients have been
/// served. It says on stderr when it listens and when clients come and go; --print writes
/// to stdout, one line per message (--message) or per line of text (byte pipes), prefixed
/// with the client's process id: `[1234] hello`.
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = SERVE_HELP)]
pub struct Args {
    /// The pipe: `NAME` or `\\.\pipe\NAME`.
    name: String,
    /// Write back to each client what it writes (each message as one message).
    #[arg(long)]
    echo: bool,
    /// Print what clients write to stdout (the default unless --echo is given).
    #[arg(long)]
    print: bool,
    /// A message pipe (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE) instead of a byte stream.
    #[arg(long)]
    message: bool,
    /// How many instances to create: how many clients are served at the same time
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=254))]
    instances: u32,
    /// Exit after serving this many clients [default: serve until interrupted]
    #[arg(long, value_name = "N")]
    max_clients: Option<u64>,
}

const SERVE_HELP: &str = concat!(
    r"Examples:
  w32ipc pipe serve demo                         print what clients write
  w32ipc pipe serve demo --echo --message        a message echo server for `pipe call`
  w32ipc pipe serve '\\.\pipe\demo' --echo --instances 4
  w32ipc pipe serve demo --max-clients 1 > got.txt

",
    exit_codes!()
);

/// What a server thread does with what a client writes.
#[derive(Clone, Copy)]
struct Mode {
    echo: bool,
    print: bool,
    message: bool,
}

/// The places left under `--max-clients` (`None`: no limit).
struct Budget(Option<AtomicU64>);

impl Budget {
    /// Takes a place for one more client; `false` when none is left.
    fn take(&self) -> bool {
        self.0.as_ref().is_none_or(|left| {
            left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                .is_ok()
        })
    }
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let name = full_name(&args.name);
    let mode = Mode {
        echo: args.echo,
        print: args.print || !args.echo,
        message: args.message,
    };
    let budget = Arc::new(Budget(args.max_clients.map(AtomicU64::new)));
    let pipe_type = if mode.message {
        PipeMode::Message
    } else {
        PipeMode::Byte
    };
    let options = ServerOptions::new(&name)
        .pipe_type(pipe_type)
        .read_mode(pipe_type)
        .max_instances(UNLIMITED_INSTANCES);
    // Every instance is made before the first client can come, each holding a place.
    let mut servers = Vec::new();
    for _ in 0..args.instances {
        if !budget.take() {
            break;
        }
        servers.push(
            options
                .create()
                .on_pipe(&name, || format!("cannot create {name}"))?,
        );
    }
    if servers.is_empty() {
        return Ok(());
    }
    eprintln!(
        "w32ipc: serving {name}: {} pipe, {} instance{}, {}{}",
        if mode.message { "message" } else { "byte" },
        servers.len(),
        if servers.len() == 1 { "" } else { "s" },
        match (mode.echo, mode.print) {
            (true, true) => "echo and print",
            (true, false) => "echo",
            _ => "print",
        },
        match args.max_clients {
            Some(n) => format!(", {n} client{}", if n == 1 { "" } else { "s" }),
            None => String::new(),
        },
    );
    let (done_tx, done_rx) = mpsc::channel();
    let count = servers.len();
    for (i, server) in servers.into_iter().enumerate() {
        let (budget, done_tx, name) = (budget.clone(), done_tx.clone(), name.clone());
        std::thread::spawn(move || {
            let r = instance_loop(&server, i + 1, &name, mode, &budget);
            let _ = done_tx.send(r);
        });
    }
    // The first failure ends the server; otherwise every thread ends when the budget is spent.
    for _ in 0..count {
        match done_rx.recv() {
            Ok(r) => r?,
            Err(_) => break,
        }
    }
    Ok(())
}

/// One instance's life: connect, serve, disconnect, as long as the budget lasts. The caller
/// took the place of the first client.
fn instance_loop(
    server: &PipeServer,
    instance: usize,
    name: &str,
    mode: Mode,
    budget: &Budget,
) -> Result<(), Failure> {
    loop {
        server
            .connect()
            .context(|| format!("instance {instance} of {name}: ConnectNamedPipe failed"))?;
        let pid = server.client_process_id().unwrap_or(0);
        eprintln!("w32ipc: client {pid} connected (instance {instance})");
        let (bytes, messages, failure) = serve_client(server, pid, mode);
        let what = if mode.message {
            format!("{messages} message{}", if messages == 1 { "" } else { "s" })
        } else {
            format!("{bytes} byte{}", if bytes == 1 { "" } else { "s" })
        };
        match failure {
            None => eprintln!("w32ipc: client {pid} left ({what})"),
            Some(e) => eprintln!(
                "w32ipc: client {pid} dropped after {what}: {}",
                describe(&e)
            ),
        }
        server
            .disconnect()
            .context(|| format!("instance {instance} of {name}: DisconnectNamedPipe failed"))?;
        if !budget.take() {
            return Ok(());
        }
    }
}

/// The ends of a conversation that are no failure: the client closed or went away.
fn is_end(e: &io::Error) -> bool {
    matches!(
        e.win32_code(),
        ERROR_BROKEN_PIPE | ERROR_NO_DATA | ERROR_PIPE_NOT_CONNECTED
    )
}

/// Serves one connected client until it leaves: (bytes, messages, what went wrong if not a
/// plain end).
fn serve_client(server: &PipeServer, pid: u32, mode: Mode) -> (u64, u64, Option<io::Error>) {
    let mut buf = vec![0u8; 64 * 1024];
    let (mut bytes, mut messages) = (0u64, 0u64);
    // A message read in pieces (ERROR_MORE_DATA), or a line of a byte stream not ended yet.
    let mut pending = Vec::new();
    let failure = loop {
        let got = match server.read_msg(&mut buf) {
            Ok(got) => got,
            Err(e) if is_end(&e) => break None,
            Err(e) => break Some(e),
        };
        let data = &buf[..got.len];
        bytes += data.len() as u64;
        if mode.message {
            pending.extend_from_slice(data);
            if got.more {
                continue;
            }
            messages += 1;
            if mode.print {
                print_line(pid, pending.strip_suffix(b"\n").unwrap_or(&pending));
            }
            if mode.echo
                && let Err(e) = server.write_msg(&pending)
            {
                pending.clear();
                break (!is_end(&e)).then_some(e);
            }
            pending.clear();
        } else {
            if mode.print {
                pending.extend_from_slice(data);
                let mut lines = pending.split(|&b| b == b'\n').collect::<Vec<_>>();
                let rest = lines.pop().unwrap_or_default().to_vec();
                for line in lines {
                    print_line(pid, line.strip_suffix(b"\r").unwrap_or(line));
                }
                pending = rest;
            }
            if mode.echo
                && let Err(e) = server.write_msg(data)
            {
                break (!is_end(&e)).then_some(e);
            }
        }
    };
    if !pending.is_empty() && mode.print {
        // The last line of a byte stream that did not end in a newline.
        print_line(pid, &pending);
    }
    (bytes, messages, failure)
}

/// `[1234] text`, with control characters escaped so that one message stays one line.
fn print_line(pid: u32, data: &[u8]) {
    let text: String = String::from_utf8_lossy(data)
        .chars()
        .flat_map(|c| {
            let escape = c.is_control() && c != '\t';
            let shown: Vec<char> = if escape {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect();
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "[{pid}] {text}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_counts_down() {
        let b = Budget(Some(AtomicU64::new(2)));
        assert!(b.take() && b.take() && !b.take() && !b.take());
        let unlimited = Budget(None);
        assert!((0..10).all(|_| unlimited.take()));
    }
}
