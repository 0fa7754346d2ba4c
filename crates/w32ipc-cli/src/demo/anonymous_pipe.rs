//! The seed's anonymous pipe: the parent creates a pipe, a child process inherits the write
//! end, writes through it and exits; the parent reads until `ERROR_BROKEN_PIPE`.

use std::io;
use std::process::Command;
use std::time::Instant;

use w32ipc::error::{ERROR_BROKEN_PIPE, Win32ErrorExt};
use w32ipc::object::AsHandleValue;
use w32ipc::pipe::{PipeWriter, create_pipe};
use w32ipc::process::{CommandExt, Process};

const LINES: [&str; 3] = [
    "hello through an inherited handle",
    "anonymous pipes are one-way",
    "goodbye",
];

pub fn run() -> io::Result<()> {
    let start = Instant::now();
    let (reader, writer) = create_pipe(0, false)?;
    let value = writer.handle_value();
    let child = Command::new(std::env::current_exe()?)
        .args(["__child", "anonymous-pipe", &value.to_string()])
        .inherit_handle(&writer)
        .spawn_process()?;
    // The child holds its own copy now; ours must go, or the pipe never ends.
    drop(writer);
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        match reader.read_file(&mut buf) {
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) => break e,
        }
    };
    if end.win32_code() != ERROR_BROKEN_PIPE {
        return Err(end);
    }
    let code = child.wait()?;
    let text = String::from_utf8_lossy(&received);
    println!(
        "anonymous pipe: process {} created a pipe; child {} inherited its write end (handle {}) and wrote {} lines, {} bytes; the parent read them until ERROR_BROKEN_PIPE; the child exited with {} — {}",
        Process::current_id(),
        child.id(),
        value,
        text.lines().count(),
        received.len(),
        code,
        super::took(start.elapsed()),
    );
    for line in text.lines() {
        println!("  child said: {line}");
    }
    if code != 0 || text.lines().ne(LINES) {
        return Err(io::Error::other("the anonymous-pipe scenario went wrong"));
    }
    Ok(())
}

pub fn child(args: &[String]) -> io::Result<()> {
    let value = args
        .first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "missing handle value"))?
        .parse()?;
    // SAFETY: the parent made this handle for us alone.
    let writer = unsafe { PipeWriter::from_inherited(value)? };
    for line in LINES {
        writer.write_file(format!("{line}\n").as_bytes())?;
    }
    Ok(())
}
