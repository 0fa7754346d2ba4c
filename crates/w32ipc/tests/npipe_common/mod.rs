//! Helpers shared by the named-pipe test files (`named_pipes_*.rs`): child processes driven
//! line by line, unique pipe names, test data with checksums, and a pipe instance's socket name
//! for the tests that play a hostile peer.
//!
//! Each test binary uses only some of these.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::process::{ChildStdin, ChildStdout, Stdio};
use std::sync::Mutex;

use w32ipc::error::Win32ErrorExt;
use w32ipc::npipe::{PipeAccess, PipeMode, ServerOptions};
use w32ipc_test_support::{ChildGuard, self_child, unique_name};

/// The tests of one file take turns: a process being started holds copies of our descriptors
/// (pipe instances, name locks) until it `exec`s, which would delay the end-of-pipe and
/// name-gone results other tests check.
static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Builds `ServerOptions` from a compact spec: comma-separated `in`, `out`, `dup`, `msg`,
/// `first`, `nowait`, `max=N`.
pub fn options(name: &str, spec: &str) -> ServerOptions {
    let mut o = ServerOptions::new(name);
    for tok in spec.split(',').filter(|t| !t.is_empty()) {
        o = match tok {
            "in" => o.access(PipeAccess::Inbound),
            "out" => o.access(PipeAccess::Outbound),
            "dup" => o.access(PipeAccess::Duplex),
            "msg" => o.pipe_type(PipeMode::Message).read_mode(PipeMode::Message),
            "first" => o.first_instance(true),
            "nowait" => o.nowait(true),
            t if t.starts_with("max=") => o.max_instances(t[4..].parse().unwrap()),
            t => panic!("unknown spec token {t}"),
        };
    }
    o
}

/// A pipe name no other test uses.
pub fn pipe_name(tag: &str) -> String {
    format!(r"\\.\pipe\{}", unique_name(tag))
}

/// The Win32 error code of a failed call (panics if it succeeded).
#[track_caller]
pub fn code<T>(r: std::io::Result<T>) -> u32 {
    match r {
        Ok(_) => panic!("expected an error, the call succeeded"),
        Err(e) => e.win32_code(),
    }
}

/// A line for the parent (children mark theirs with `@@ `: the test harness prints too).
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "@@ {line}").unwrap();
    out.flush().unwrap();
}

/// The parent's next line; `None` once it closed our stdin.
pub fn hear() -> Option<String> {
    let mut s = String::new();
    match std::io::stdin().read_line(&mut s) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(s.trim_end().to_owned()),
    }
}

/// Waits for the parent's next line and checks it.
#[track_caller]
pub fn hear_expect(what: &str) {
    assert_eq!(hear().as_deref(), Some(what), "the parent's next line");
}

/// Blocks until the parent closes our stdin (or kills us).
pub fn until_released() {
    while hear().is_some() {}
}

/// `Ok(..)` as "ok", an error as "err CODE": how children report results.
pub fn outcome<T>(r: &std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!("err {}", e.win32_code()),
    }
}

/// A child process of this test binary running `child_main` with a role, its stdin and
/// stdout piped to us.
pub struct Kid {
    pub guard: ChildGuard,
    out: BufReader<ChildStdout>,
    stdin: Option<ChildStdin>,
    seen: Vec<String>,
}

impl Kid {
    pub fn spawn(role: &str) -> Kid {
        let mut cmd = self_child("child_main", role);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut guard = ChildGuard::spawn(&mut cmd);
        let out = BufReader::new(guard.0.stdout.take().unwrap());
        let stdin = guard.0.stdin.take();
        Kid {
            guard,
            out,
            stdin,
            seen: Vec::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.guard.0.id()
    }

    /// The child's next `@@ ` line.
    #[track_caller]
    pub fn line(&mut self) -> String {
        loop {
            let mut s = String::new();
            let n = self.out.read_line(&mut s).unwrap();
            assert_ne!(n, 0, "the child ended early; its lines: {:?}", self.seen);
            if let Some(line) = s.strip_prefix("@@ ") {
                let line = line.trim_end().to_owned();
                self.seen.push(line.clone());
                return line;
            }
        }
    }

    /// Checks that the child's next line is `want`.
    #[track_caller]
    pub fn expect(&mut self, want: &str) {
        let got = self.line();
        assert_eq!(got, want, "child line (earlier ones: {:?})", self.seen);
    }

    /// Sends the child a line.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Closes the child's stdin (children that hold something release it then).
    pub fn release(&mut self) {
        self.stdin = None;
    }

    /// SIGKILLs the child and reaps it.
    pub fn kill(&mut self) {
        self.guard.0.kill().unwrap();
        self.guard.0.wait().unwrap();
    }

    /// Releases the child, checks that it exits successfully, and returns its remaining lines.
    #[track_caller]
    pub fn finish(mut self) -> Vec<String> {
        self.release();
        let mut rest = Vec::new();
        let mut s = String::new();
        while self.out.read_line(&mut s).unwrap() > 0 {
            if let Some(line) = s.strip_prefix("@@ ") {
                rest.push(line.trim_end().to_owned());
            }
            s.clear();
        }
        let status = self.guard.0.wait().unwrap();
        assert!(
            status.success(),
            "child failed ({status}); its lines: {:?} then {rest:?}",
            self.seen
        );
        rest
    }
}

/// Deterministic test data: `len` bytes from a xorshift generator seeded with `seed`.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// FNV-1a over `data`, continuing from `h` (start with [`FNV_START`]).
pub fn fnv(mut h: u64, data: &[u8]) -> u64 {
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The abstract socket name of a listening server instance. A test-only way in: while no
/// client is connected, the instance's handle refers to its listening socket.
pub fn listener_name(server: &impl AsFd) -> String {
    let fd = server.as_fd().try_clone_to_owned().unwrap();
    let listener = UnixListener::from(fd);
    let addr = listener.local_addr().unwrap();
    let name = addr
        .as_abstract_name()
        .expect("a listening instance has an abstract name");
    String::from_utf8(name.to_vec()).unwrap()
}

/// Connects a plain Unix socket to an instance's abstract name, bypassing the library.
pub fn raw_connect(abstract_name: &str) -> std::io::Result<UnixStream> {
    let addr = SocketAddr::from_abstract_name(abstract_name.as_bytes())?;
    UnixStream::connect_addr(&addr)
}

/// A message header as the library frames messages: the length, then the length XOR "W32M"
/// (see `npipe/frame.rs`).
pub fn frame_header(len: u32) -> [u8; 8] {
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&len.to_le_bytes());
    h[4..].copy_from_slice(&(len ^ 0x5733_324d).to_le_bytes());
    h
}
