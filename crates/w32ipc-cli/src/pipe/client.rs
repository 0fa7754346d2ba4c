//! `w32ipc pipe connect` (stdin → pipe, pipe → stdout) and `w32ipc pipe call`
//! (`CallNamedPipe`).

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use w32ipc::error::{
    ERROR_ACCESS_DENIED, ERROR_BAD_PIPE, ERROR_BROKEN_PIPE, ERROR_INVALID_PARAMETER,
    ERROR_MORE_DATA, ERROR_NO_DATA, ERROR_PIPE_BUSY, ERROR_PIPE_NOT_CONNECTED, ERROR_SEM_TIMEOUT,
    Win32ErrorExt, win32,
};
use w32ipc::npipe::{PipeClient, PipeMode, call_named_pipe, wait_named_pipe};

use super::{Timeout, full_name, parse_timeout, pipe_failure};
use crate::report::{Context, Failure};

/// Connect to a named pipe like netcat: stdin → pipe → stdout
///
/// What comes on stdin goes into the pipe (one message per read on a message pipe); what
/// the server writes goes to stdout. Ends when the server closes its end, or when stdin
/// ends: then it waits until the server has read everything (FlushFileBuffers) and prints
/// what the server still sends within --linger.
///
/// A pipe the server only writes (PIPE_ACCESS_OUTBOUND) is opened read-only and stdin is
/// ignored; one it only reads (PIPE_ACCESS_INBOUND) is opened write-only. When every
/// instance is busy, waits for a free one (WaitNamedPipe) up to --timeout.
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = CONNECT_HELP)]
pub struct ConnectArgs {
    /// The pipe: `NAME` or `\\.\pipe\NAME`.
    name: String,
    /// When every instance is busy, wait up to MS milliseconds for a free one (0: fail at
    /// once; `forever`: no limit) [default: the pipe's own time-out (NMPWAIT_USE_DEFAULT_WAIT),
    /// 50 ms for `w32ipc pipe serve`]
    #[arg(long, value_name = "MS", value_parser = parse_timeout)]
    timeout: Option<String>,
    /// After stdin ends, stop when the server has sent nothing for MS milliseconds (or when
    /// it closes the pipe)
    #[arg(long, value_name = "MS", default_value_t = 100)]
    linger: u64,
}

const CONNECT_HELP: &str = concat!(
    r"Examples:
  echo hello | w32ipc pipe connect demo          write a line, print the answer
  w32ipc pipe connect '\\.\pipe\demo' --timeout 5000
  w32ipc pipe connect demo --timeout forever < request.bin > reply.bin

",
    exit_codes!()
);

/// Send one message to a message pipe and print the reply (CallNamedPipe)
///
/// Opens the pipe, sends MSG as one message, prints the reply message and closes. The
/// pipe must be a message pipe (`w32ipc pipe serve NAME --message`); a byte pipe fails
/// with ERROR_INVALID_PARAMETER. When every instance is busy, waits for a free one up to
/// --timeout.
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = CALL_HELP)]
pub struct CallArgs {
    /// The pipe: `NAME` or `\\.\pipe\NAME`.
    name: String,
    /// The request, sent as one message.
    msg: String,
    /// When every instance is busy, wait up to MS milliseconds for a free one (0: fail at
    /// once; `forever`: no limit) [default: the pipe's own time-out (NMPWAIT_USE_DEFAULT_WAIT),
    /// 50 ms for `w32ipc pipe serve`]
    #[arg(long, value_name = "MS", value_parser = parse_timeout)]
    timeout: Option<String>,
}

const CALL_HELP: &str = concat!(
    r"Examples:
  w32ipc pipe call demo 'hello'                  prints the server's reply
  w32ipc pipe call '\\.\pipe\demo' ping --timeout 2000

",
    exit_codes!()
);

/// The largest reply `call` takes (CallNamedPipe's `nOutBufferSize`).
const REPLY_MAX: usize = 1 << 20;

pub fn call(args: &CallArgs) -> Result<(), Failure> {
    let name = full_name(&args.name);
    let timeout = Timeout::from_arg(args.timeout.as_deref());
    let mut reply = vec![0u8; REPLY_MAX];
    let got = match timeout {
        // CallNamedPipe always waits when busy; "do not wait" is the same call without it.
        Timeout::NoWait => PipeClient::open(&name).and_then(|c| {
            c.set_read_mode(PipeMode::Message)?;
            c.transact(args.msg.as_bytes(), &mut reply)
        }),
        t => call_named_pipe(&name, args.msg.as_bytes(), &mut reply, t.wait(None)),
    }
    .map_err(|e| match e.win32_code() {
        ERROR_INVALID_PARAMETER | ERROR_BAD_PIPE => {
            Failure::win32(format!("cannot call {name}"), &e)
                .hint("CallNamedPipe needs a message pipe (a server started with --message)")
        }
        _ => pipe_failure(format!("cannot call {name}"), &name, &e),
    })?;
    let text = &reply[..got.len];
    let mut out = io::stdout().lock();
    out.write_all(text)
        .and_then(|()| {
            if text.last() != Some(&b'\n') {
                out.write_all(b"\n")?;
            }
            out.flush()
        })
        .context_plain(|| "cannot write the reply to stdout".to_owned())?;
    if got.more {
        return Err(win32(ERROR_MORE_DATA))
            .context(|| format!("the reply was longer than {REPLY_MAX} bytes and was cut"));
    }
    Ok(())
}

/// Opens `name` for the directions asked, waiting for a free instance as `timeout` says.
fn open_waiting(name: &str, read: bool, write: bool, timeout: Timeout) -> io::Result<PipeClient> {
    let deadline = match timeout {
        Timeout::After(d) => Some(Instant::now() + d),
        _ => None,
    };
    loop {
        match PipeClient::open_with(name, read, write) {
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY && timeout != Timeout::NoWait => {
                let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                if left == Some(Duration::ZERO) {
                    return Err(win32(ERROR_SEM_TIMEOUT));
                }
                // Another client may take the instance first: then wait again.
                wait_named_pipe(name, timeout.wait(left))?;
            }
            other => return other,
        }
    }
}

/// Opens for reading and writing; a one-way pipe refuses the direction it lacks
/// (`ERROR_ACCESS_DENIED`), so then try each direction alone.
fn open_any_direction(name: &str, timeout: Timeout) -> io::Result<(PipeClient, bool, bool)> {
    let mut first = None;
    for (read, write) in [(true, true), (true, false), (false, true)] {
        match open_waiting(name, read, write, timeout) {
            Ok(c) => return Ok((c, read, write)),
            Err(e) if e.win32_code() == ERROR_ACCESS_DENIED => {
                first.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(first.unwrap_or_else(|| win32(ERROR_ACCESS_DENIED)))
}

/// What the two copying threads tell the main one.
enum Event {
    /// Bytes from the server.
    Data(Vec<u8>),
    /// The server closed or disconnected (`None`), or reading failed.
    PipeEnded(Option<io::Error>),
    /// Stdin ended and the server has read everything written.
    StdinEnded,
    /// Writing to the pipe or reading stdin failed.
    WriteFailed(Failure),
}

/// The read and write errors that only say "the other side has gone".
fn is_end(e: &io::Error) -> bool {
    matches!(
        e.win32_code(),
        ERROR_BROKEN_PIPE | ERROR_NO_DATA | ERROR_PIPE_NOT_CONNECTED
    )
}

pub fn connect(args: &ConnectArgs) -> Result<(), Failure> {
    let name = full_name(&args.name);
    let timeout = Timeout::from_arg(args.timeout.as_deref());
    let (client, read, write) = open_any_direction(&name, timeout)
        .map_err(|e| pipe_failure(format!("cannot connect to {name}"), &name, &e))?;
    let client = Arc::new(client);
    let (tx, rx) = mpsc::channel();
    if read {
        let (client, tx) = (client.clone(), tx.clone());
        std::thread::spawn(move || pipe_to_channel(&client, &tx));
    }
    if write {
        let (client, tx) = (client.clone(), tx.clone());
        std::thread::spawn(move || stdin_to_pipe(&client, &tx));
    }
    drop(tx);
    let linger = Duration::from_millis(args.linger);
    let mut stdin_done = false;
    let mut out = io::stdout().lock();
    loop {
        let event = if stdin_done {
            match rx.recv_timeout(linger) {
                Ok(e) => e,
                Err(_) => return Ok(()),
            }
        } else {
            match rx.recv() {
                Ok(e) => e,
                Err(_) => return Ok(()),
            }
        };
        match event {
            Event::Data(bytes) => out
                .write_all(&bytes)
                .and_then(|()| out.flush())
                .context_plain(|| "cannot write to stdout".to_owned())?,
            Event::PipeEnded(None) => return Ok(()),
            Event::PipeEnded(Some(e)) => {
                return Err(e).context(|| format!("cannot read from {name}"));
            }
            Event::StdinEnded if !read => return Ok(()),
            Event::StdinEnded => stdin_done = true,
            Event::WriteFailed(f) => return Err(f),
        }
    }
}

fn pipe_to_channel(client: &PipeClient, tx: &mpsc::Sender<Event>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match client.read_msg(&mut buf) {
            Ok(r) => {
                if tx.send(Event::Data(buf[..r.len].to_vec())).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Event::PipeEnded((!is_end(&e)).then_some(e)));
                return;
            }
        }
    }
}

fn stdin_to_pipe(client: &PipeClient, tx: &mpsc::Sender<Event>) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut stdin = io::stdin().lock();
    let event = loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break Event::StdinEnded,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Event::WriteFailed(Failure::plain("cannot read stdin", &e)),
        };
        // One read of stdin is one write: one message on a message pipe.
        match client.write_msg(&buf[..n]) {
            Ok(()) => {}
            Err(e) if is_end(&e) => break Event::PipeEnded(None),
            Err(e) => break Event::WriteFailed(Failure::win32("cannot write to the pipe", &e)),
        }
    };
    let event = match event {
        // Stay until the server has read everything we wrote (FlushFileBuffers).
        Event::StdinEnded => match client.flush_buffers() {
            Ok(()) => Event::StdinEnded,
            Err(e) if is_end(&e) => Event::PipeEnded(None),
            Err(e) => Event::WriteFailed(Failure::win32("cannot flush the pipe", &e)),
        },
        other => other,
    };
    let _ = tx.send(event);
}
