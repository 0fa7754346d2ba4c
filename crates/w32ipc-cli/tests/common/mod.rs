//! Helpers shared by the CLI integration tests: running the built `w32ipc` binary, and reading a
//! child's output line by line with bounded waits.
//!
//! Each test binary uses only some of these.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_w32ipc");

/// A command for `w32ipc ARGS` (more arguments and the standard streams can still be set).
pub fn w32ipc(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    cmd
}

/// Runs `w32ipc ARGS` with `stdin` as its input.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = w32ipc(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn w32ipc");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait for w32ipc")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The lines of `r`, read by a thread of their own, as they come.
pub fn lines_of(r: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits (10 s at most) for the next line of `lines` that starts with `prefix`, skipping the
/// others; panics naming `who` if none comes.
pub fn expect_line(lines: &mpsc::Receiver<String>, who: &str, prefix: &str) -> String {
    loop {
        match lines.recv_timeout(Duration::from_secs(10)) {
            Ok(line) if line.starts_with(prefix) => return line,
            Ok(_) => {}
            Err(e) => panic!("the {who} never said {prefix:?} ({e})"),
        }
    }
}
