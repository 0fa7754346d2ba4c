//! Helpers shared by the message-queue test files (`messages_*.rs`):
//!
//! * a small message protocol (`M_*`) and one window procedure, [`standard_proc`], that both
//!   the test process and its children put behind their windows, so that either side can ask
//!   the other for results, nested sends, sleeps, probes of `InSendMessage` / `ReplyMessage`
//!   and `WM_COPYDATA` checksums;
//! * [`Kid`]: a child process of the same test binary, its `@@ ` lines read by a thread (so a
//!   test blocked in a send never blocks the pipe), killed if the test fails;
//! * [`gate`]: named events that tell a handler in another process when to go on;
//! * test data with a checksum ([`pattern`], [`checksum`]);
//! * [`QueueFile`]: a queue file mapped by hand, with the layout of `sys/linux/msgq.rs`, for the
//!   tests that watch a receiver's rings or play a hostile process.
//!
//! Each test binary uses only some of these.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ExitStatus, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use w32ipc::error::Win32ErrorExt;
use w32ipc::msg::{self, Filter, Hwnd, Message, Msg, WM_QUIT, WM_USER, Window};
use w32ipc::sync::{Event, WaitOutcome};
use w32ipc_test_support::{ChildGuard, isolate, self_child, unique_name};

// ---------------------------------------------------------------------------------------------
// The protocol every test window speaks.

/// Returns `lParam`.
pub const M_ECHO: u32 = WM_USER + 1;
/// Returns `wParam` as a signed value.
pub const M_ECHO_W: u32 = WM_USER + 2;
/// Returns [`mix`]`(wParam, lParam)`.
pub const M_MIX: u32 = WM_USER + 3;
/// Returns `InSendMessage()` (1 or 0).
pub const M_INSEND: u32 = WM_USER + 4;
/// Returns the id of the thread running the handler.
pub const M_TID: u32 = WM_USER + 5;
/// Nested send: `wParam` is the peer window, `lParam` the depth; returns [`nest_value`].
pub const M_NEST: u32 = WM_USER + 6;
/// Sets the `entered` gate, waits (at most 60 s) for the `go` gate, returns `lParam`.
pub const M_HANG: u32 = WM_USER + 8;
/// Returns how many messages the window's handler has handled (this one not counted).
pub const M_COUNT: u32 = WM_USER + 9;
/// `PostQuitMessage(wParam)`.
pub const M_QUIT: u32 = WM_USER + 10;
/// `ReplyMessage(lParam)`, then waits (at most 20 s) for the `go` gate, records the outcome
/// (see [`PROBE_REPLIED`], [`PROBE_GO`]) and returns 77, which nobody should see.
pub const M_REPLY_EARLY: u32 = WM_USER + 11;
/// Meant to be posted: records `InSendMessage()` and `ReplyMessage(5)` (see [`PROBE_INSEND`]).
pub const M_PROBE: u32 = WM_USER + 12;
/// Returns what the last [`M_PROBE`] / [`M_REPLY_EARLY`] recorded.
pub const M_PROBED: u32 = WM_USER + 13;
/// `wParam` is the peer window, `lParam` a count: sends that many [`M_MIX`] and [`M_NEST`]
/// (depth 3) to the peer, checking each result, then posts [`M_DONE`] (wParam: failures,
/// lParam: count) to the peer; returns the failures.
pub const M_STORM: u32 = WM_USER + 14;
/// Posted at the end of an [`M_STORM`]: recorded in [`Served::done`].
pub const M_DONE: u32 = WM_USER + 15;
/// Sets the `entered` gate, sleeps `wParam` ms, then SIGKILLs its own process.
pub const M_SUICIDE: u32 = WM_USER + 16;
/// Returns how many thread messages outside the protocol the loop got, and (shifted left by
/// 32) how many messages the handler did not know (not counted itself).
pub const M_STRAY: u32 = WM_USER + 17;

/// `WM_COPYDATA` action: read half the block, set `entered`, wait for `go`, read it all.
pub const ACT_SLOW_READ: usize = 0x5EAD_0000_0000_0001;
/// `WM_COPYDATA` action: set `entered` and wait for `go` before reading anything.
pub const ACT_HANG: usize = 0x5EAD_0000_0000_0002;
/// `WM_COPYDATA` action: send the block back, reversed, to the `from` window (nested
/// `WM_COPYDATA`); the result is then that send's result.
pub const ACT_REVERSE: usize = 0x5EAD_0000_0000_0003;

/// [`M_PROBED`] bits.
pub const PROBE_DONE: isize = 1;
pub const PROBE_INSEND: isize = 2;
pub const PROBE_REPLIED: isize = 4;
pub const PROBE_GO: isize = 8;

/// What [`M_MIX`] computes.
pub fn mix(wparam: usize, lparam: isize) -> isize {
    (wparam as isize)
        .wrapping_mul(0x0100_0000_01b3)
        .wrapping_add(lparam.rotate_left(17))
        ^ 0x5555_5555_5555_5555
}

/// What an [`M_NEST`] of `depth` returns when every level ran where it should.
pub fn nest_value(depth: isize) -> isize {
    (1..=depth).fold(1, |v, d| v * 3 + d)
}

/// One `WM_COPYDATA` as a handler saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub len: usize,
    pub action: usize,
    pub from: usize,
    pub sum: u64,
}

/// What a [`standard_proc`] window keeps.
#[derive(Default)]
pub struct Served {
    pub handled: Cell<u64>,
    pub probe: Cell<isize>,
    pub copies: RefCell<Vec<Seen>>,
    /// `(failures, count)` of every [`M_DONE`] received.
    pub done: RefCell<Vec<(usize, isize)>>,
    /// Messages the protocol does not know (a hostile process's inventions).
    pub unknown: Cell<u64>,
    /// Thread messages the loop does not know.
    pub stray: Cell<u64>,
    /// Count stray thread messages silently instead of reporting each (`W32T_QUIET`).
    pub quiet: bool,
    /// Print `@@ cd LEN ACTION FROM SUM` for every `WM_COPYDATA`.
    pub say_copies: bool,
    pub entered: Option<Event>,
    pub go: Option<Event>,
}

impl Served {
    /// State for a child: the gates named by `W32T_ENTERED` / `W32T_GO`, if set.
    pub fn from_env(say_copies: bool) -> Served {
        let open = |var: &str| std::env::var(var).ok().map(|n| Event::open(&n).unwrap());
        Served {
            say_copies,
            quiet: std::env::var_os("W32T_QUIET").is_some(),
            entered: open("W32T_ENTERED"),
            go: open("W32T_GO"),
            ..Served::default()
        }
    }

    fn enter(&self) {
        if let Some(e) = &self.entered {
            e.set().unwrap();
        }
    }

    /// Waits for the `go` gate, at most `limit`; without a gate, just `limit`.
    fn wait_go(&self, limit: Duration) -> bool {
        match &self.go {
            Some(g) => g.wait(Some(limit)).unwrap() == WaitOutcome::Signaled,
            None => {
                std::thread::sleep(limit);
                false
            }
        }
    }
}

/// The window procedure of every test window (see the `M_*` constants).
pub fn standard_proc(st: Rc<Served>) -> impl Fn(Hwnd, Message<'_>) -> isize + 'static {
    move |me, m| handle(&st, me, m)
}

fn handle(st: &Served, me: Hwnd, m: Message<'_>) -> isize {
    let (message, wparam, lparam) = match m {
        Message::Create | Message::Close | Message::Destroy => return 0,
        Message::CopyData(cd) => {
            st.handled.set(st.handled.get() + 1);
            return copy_data(st, me, cd.action, cd.data, cd.from);
        }
        Message::Other {
            message,
            wparam,
            lparam,
        } => (message, wparam, lparam),
        _ => return 0,
    };
    if message != M_COUNT && message != M_PROBED && message != M_STRAY {
        st.handled.set(st.handled.get() + 1);
    }
    match message {
        M_ECHO => lparam,
        M_ECHO_W => wparam as isize,
        M_MIX => mix(wparam, lparam),
        M_INSEND => isize::from(msg::in_send_message()),
        M_TID => msg::current_thread_id() as isize,
        M_NEST => nest(me, wparam, lparam),
        M_HANG => {
            st.enter();
            st.wait_go(Duration::from_secs(60));
            lparam
        }
        M_COUNT => st.handled.get() as isize,
        M_QUIT => {
            msg::post_quit_message(wparam as i32);
            1
        }
        M_REPLY_EARLY => {
            let replied = msg::reply_message(lparam);
            let go = st.wait_go(Duration::from_secs(20));
            st.probe.set(
                PROBE_DONE
                    | if replied { PROBE_REPLIED } else { 0 }
                    | if go { PROBE_GO } else { 0 },
            );
            77
        }
        M_PROBE => {
            let insend = msg::in_send_message();
            let replied = msg::reply_message(5);
            st.probe.set(
                PROBE_DONE
                    | if insend { PROBE_INSEND } else { 0 }
                    | if replied { PROBE_REPLIED } else { 0 },
            );
            0
        }
        M_PROBED => st.probe.get(),
        M_STRAY => (st.stray.get() | st.unknown.get() << 32) as isize,
        M_STORM => storm(me, wparam, lparam),
        M_DONE => {
            st.done.borrow_mut().push((wparam, lparam));
            0
        }
        M_SUICIDE => {
            st.enter();
            std::thread::sleep(Duration::from_millis(wparam as u64));
            // SAFETY: kill and getpid take no pointers.
            unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
            0
        }
        _ => {
            st.unknown.set(st.unknown.get() + 1);
            0
        }
    }
}

/// One level of [`M_NEST`]: checks that it runs on the window's own thread inside a send from
/// another thread, then asks the peer for the next level down.
fn nest(me: Hwnd, peer: usize, depth: isize) -> isize {
    let own_thread = me.thread_process_id().map(|(t, _)| t).ok() == Some(msg::current_thread_id());
    if !own_thread || !msg::in_send_message() {
        return -1_000_000_007;
    }
    if depth <= 0 {
        return 1;
    }
    let Some(peer) = Hwnd::from_raw(peer) else {
        return -1_000_000_009;
    };
    match peer.send(M_NEST, me.raw(), depth - 1) {
        Ok(below) if below > 0 => below * 3 + depth,
        Ok(bad) => bad,
        Err(e) => -(e.win32_code() as isize),
    }
}

/// The body of [`M_STORM`].
fn storm(me: Hwnd, peer: usize, count: isize) -> isize {
    let Some(peer) = Hwnd::from_raw(peer) else {
        return -1;
    };
    let mut failures = 0usize;
    for i in 0..count {
        let ok = if i % 4 == 3 {
            peer.send(M_NEST, me.raw(), 3).ok() == Some(nest_value(3))
        } else {
            let (w, l) = (i as usize ^ 0xA5A5, -i * 7);
            peer.send(M_MIX, w, l).ok() == Some(mix(w, l))
        };
        failures += usize::from(!ok);
    }
    if peer.post(M_DONE, failures, count).is_err() {
        failures += 1;
    }
    failures as isize
}

/// `WM_COPYDATA`: checksum, record, answer `checksum ^ action` (or what the action asks).
fn copy_data(st: &Served, me: Hwnd, action: usize, data: &[u8], from: Option<Hwnd>) -> isize {
    let sum = match action {
        ACT_SLOW_READ => {
            let half = checksum(&data[..data.len() / 2]);
            st.enter();
            st.wait_go(Duration::from_secs(60));
            // Read all of it now that the sender may be gone.
            std::hint::black_box(half);
            checksum(data)
        }
        ACT_HANG => {
            st.enter();
            st.wait_go(Duration::from_secs(60));
            checksum(data)
        }
        _ => checksum(data),
    };
    let seen = Seen {
        len: data.len(),
        action,
        from: from.map_or(0, Hwnd::raw),
        sum,
    };
    if st.say_copies {
        say(&format!(
            "cd {} {:#x} {:#x} {:#x}",
            seen.len, seen.action, seen.from, seen.sum
        ));
    }
    st.copies.borrow_mut().push(seen);
    if action == ACT_REVERSE {
        let Some(back) = from else { return -2 };
        let reversed: Vec<u8> = data.iter().rev().copied().collect();
        return match back.send_copy_data(Some(me), 0, &reversed) {
            Ok(r) => r,
            Err(e) => -(e.win32_code() as isize),
        };
    }
    (sum ^ action as u64) as isize
}

/// What a [`standard_proc`] answers to a `WM_COPYDATA` of `data` with `action`.
pub fn copy_answer(action: usize, data: &[u8]) -> isize {
    (checksum(data) ^ action as u64) as isize
}

// ---------------------------------------------------------------------------------------------
// Child processes.

// Thread messages a child's `serve` loop obeys (posted with `PostThreadMessage`).

/// Sets `entered`, waits (at most 60 s) for `go` outside any handler (the thread does not
/// pump meanwhile), then goes on.
pub const T_BLOCK: u32 = WM_USER + 101;
/// Sets `entered`, waits for `go` outside any handler, then ends the loop with `wParam`.
pub const T_BLOCK_THEN_END: u32 = WM_USER + 102;

/// A line for the parent (children mark theirs with `@@ `: the test harness prints too).
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "@@ {line}").unwrap();
    out.flush().unwrap();
}

/// Ends the message loop of thread `tid` (with `WM_QUIT`, exit code 0) once our stdin closes:
/// the parent released us, or died.
pub fn quit_on_eof(tid: u32) {
    std::thread::spawn(move || {
        let mut sink = String::new();
        let stdin = std::io::stdin();
        while stdin.lock().read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
        let _ = msg::post_thread_message(tid, WM_QUIT, 0, 0);
    });
}

/// A message-only window with the standard procedure.
pub fn standard_window(class: &str, title: &str, st: &Rc<Served>) -> Window {
    Window::builder(class)
        .title(title)
        .message_only(true)
        .create(standard_proc(st.clone()))
        .unwrap()
}

/// The child's message loop: dispatches window messages, obeys the `T_*` thread messages,
/// returns the exit code of `WM_QUIT`.
pub fn serve(st: &Served) -> i32 {
    loop {
        let m = msg::get_message(Filter::all()).unwrap();
        if m.is_quit() {
            return m.wparam as i32;
        }
        if m.hwnd.is_none() {
            match m.message {
                T_BLOCK => {
                    st.enter();
                    st.wait_go(Duration::from_secs(60));
                }
                T_BLOCK_THEN_END => {
                    st.enter();
                    st.wait_go(Duration::from_secs(60));
                    return m.wparam as i32;
                }
                _ if st.quiet => st.stray.set(st.stray.get() + 1),
                _ => say(&format!(
                    "thread-msg {:#x} {:#x} {:#x}",
                    m.message, m.wparam, m.lparam
                )),
            }
            continue;
        }
        msg::dispatch_message(&m);
    }
}

/// The usual child: one message-only window of `class` / `title` with the standard procedure,
/// `@@ ready HWND TID`, the loop until stdin closes (or `M_QUIT`), then `@@ handled N`.
pub fn run_standard_child(class: &str, title: &str, say_copies: bool) {
    let st = Rc::new(Served::from_env(say_copies));
    let w = standard_window(class, title, &st);
    quit_on_eof(msg::current_thread_id());
    say(&format!(
        "ready {:#x} {}",
        w.hwnd().raw(),
        msg::current_thread_id()
    ));
    let code = serve(&st);
    say(&format!("handled {} exit {code}", st.handled.get()));
}

/// A child process of this test binary, running `child_main` with a role.
pub struct Kid {
    guard: ChildGuard,
    lines: mpsc::Receiver<String>,
    stdin: Option<ChildStdin>,
    seen: Vec<String>,
}

/// How long a test waits for a child's next line before failing (far more than any needs).
pub const LINE_WAIT: Duration = Duration::from_secs(30);

impl Kid {
    /// Starts `child_main` with role `role` and the environment `env`.
    pub fn spawn(role: &str, env: &[(&str, &str)]) -> Kid {
        isolate();
        let mut cmd = self_child("child_main", role);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut guard = ChildGuard::spawn(&mut cmd);
        let out = BufReader::new(guard.0.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in out.lines() {
                let Ok(l) = l else { break };
                if let Some(rest) = l.strip_prefix("@@ ")
                    && tx.send(rest.to_owned()).is_err()
                {
                    break;
                }
            }
        });
        let stdin = guard.0.stdin.take();
        Kid {
            guard,
            lines,
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
        match self.lines.recv_timeout(LINE_WAIT) {
            Ok(l) => {
                self.seen.push(l.clone());
                l
            }
            Err(e) => panic!(
                "no line from child {} ({e:?}); its lines so far: {:?}; status {:?}",
                self.pid(),
                self.seen,
                self.guard.0.try_wait()
            ),
        }
    }

    /// The next line, which must start with `prefix`; returns the rest (words).
    #[track_caller]
    pub fn expect_prefix(&mut self, prefix: &str) -> Vec<String> {
        let l = self.line();
        let Some(rest) = l.strip_prefix(prefix) else {
            panic!(
                "child line {l:?} does not start with {prefix:?}; earlier: {:?}",
                self.seen
            );
        };
        rest.split_whitespace().map(str::to_owned).collect()
    }

    /// Waits for `@@ ready HWND TID` and returns the window and the thread id.
    #[track_caller]
    pub fn ready(&mut self) -> (Hwnd, u32) {
        let w = self.expect_prefix("ready ");
        (parse_hwnd(&w[0]), w[1].parse().unwrap())
    }

    /// SIGKILLs the child and reaps it.
    pub fn kill(&mut self) {
        self.guard.0.kill().unwrap();
        self.guard.0.wait().unwrap();
    }

    /// Sends the child a line on its stdin.
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Closes the child's stdin (a [`run_standard_child`] then leaves its loop).
    pub fn release(&mut self) {
        self.stdin = None;
    }

    /// Waits (at most 20 s) for the child to end by itself.
    #[track_caller]
    pub fn wait_exit(&mut self) -> ExitStatus {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(st) = self.guard.0.try_wait().unwrap() {
                return st;
            }
            assert!(
                Instant::now() < until,
                "child {} did not end; its lines: {:?}",
                self.pid(),
                self.seen
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Releases the child, checks that it exits successfully, and returns its remaining lines.
    #[track_caller]
    pub fn finish(mut self) -> Vec<String> {
        self.release();
        let status = self.wait_exit();
        // The reader thread ends at the pipe's end; what it passed on is all there is.
        let mut rest = Vec::new();
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(5)) {
            rest.push(l);
        }
        assert!(
            status.success(),
            "child failed ({status}); its lines: {:?} then {rest:?}",
            self.seen
        );
        rest
    }
}

/// Starts a standard receiver child (`std` role of the test binary's `child_main`) with `env`;
/// returns it, its window, its thread and its (unique) class name.
pub fn receiver(tag: &str, env: &[(&str, &str)]) -> (Kid, Hwnd, u32, String) {
    let class = unique_name(tag);
    let mut kid = Kid::spawn(&format!("std|{class}|rx"), env);
    let (h, tid) = kid.ready();
    (kid, h, tid, class)
}

pub fn parse_hwnd(s: &str) -> Hwnd {
    let v = usize::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
    Hwnd::from_raw(v).expect("a non-zero window handle")
}

/// SIGKILLs process `pid` (the test reaps it through its `Kid` later).
pub fn sigkill(pid: u32) {
    // SAFETY: kill takes no pointers; `pid` is a child of this test that is not reaped yet.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGKILL) }, 0);
}

// ---------------------------------------------------------------------------------------------
// Gates, results, data.

/// A new named manual-reset event (not set) and its name, for a child's `W32T_*` variable.
pub fn gate(tag: &str) -> (Event, String) {
    isolate();
    let name = unique_name(tag);
    (Event::create(Some(&name), true, false).unwrap(), name)
}

/// The two gates of a standard receiver's `M_HANG` handler — it sets `entered` on entering and
/// waits for `go` before it returns — and their names, for the child's environment.
pub fn gates() -> (Event, Event, GateNames) {
    let (entered, entered_name) = gate("entered");
    let (go, go_name) = gate("go");
    (entered, go, GateNames(entered_name, go_name))
}

/// The names of [`gates`].
pub struct GateNames(String, String);

impl GateNames {
    /// The child's environment that names the gates.
    pub fn env(&self) -> [(&'static str, &str); 2] {
        [("W32T_ENTERED", &self.0), ("W32T_GO", &self.1)]
    }
}

/// Waits (at most 30 s) for `e`; fails the test if it never comes.
#[track_caller]
pub fn wait_gate(e: &Event, what: &str) {
    assert_eq!(
        e.wait(Some(Duration::from_secs(30))).unwrap(),
        WaitOutcome::Signaled,
        "{what} never came"
    );
}

/// The Win32 error code of a failed call (panics if it succeeded).
#[track_caller]
pub fn code<T: std::fmt::Debug>(r: std::io::Result<T>) -> u32 {
    match r {
        Ok(v) => panic!("expected an error, the call succeeded with {v:?}"),
        Err(e) => e.win32_code(),
    }
}

/// The Win32 error code `call` fails with, retrying for up to 2 s while it succeeds (for
/// results that depend on the library noticing that another process ended; the tests that
/// demand it at once are separate).
#[track_caller]
pub fn fails_soon<T: std::fmt::Debug>(mut call: impl FnMut() -> std::io::Result<T>) -> u32 {
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        match call() {
            Err(e) => return e.win32_code(),
            Ok(v) if Instant::now() > until => panic!("still succeeds after 2 s: {v:?}"),
            Ok(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Takes every message waiting in the calling thread's queue (serving sends).
pub fn drain() -> Vec<Msg> {
    std::iter::from_fn(|| msg::peek_message(Filter::all(), true).unwrap()).collect()
}

/// Deterministic test data: `len` bytes from a xorshift generator seeded with `seed`.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut v = vec![0u8; len];
    let mut words = v.chunks_exact_mut(8);
    for w in &mut words {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        w.copy_from_slice(&x.to_le_bytes());
    }
    let rest = words.into_remainder();
    let last = x.rotate_left(7).to_le_bytes();
    rest.copy_from_slice(&last[..rest.len()]);
    v
}

/// A 64-bit checksum of `data` that sees every byte and its position (and the length).
pub fn checksum(data: &[u8]) -> u64 {
    const K: u64 = 0x0000_0100_0000_01b3;
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ (data.len() as u64);
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        h = (h ^ v).wrapping_mul(K).rotate_left(23);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

// ---------------------------------------------------------------------------------------------
// Queue files by hand (the layout of `sys/linux/msgq.rs`).

/// Header field offsets: write-once fields, then the producers' cache line, then the
/// consumer's (`Header` in `sys/linux/msgq.rs`).
pub const H_MAGIC: usize = 0;
pub const H_PID: usize = 4;
pub const H_TID: usize = 8;
pub const H_ALIVE: usize = 12;
pub const H_NONCE: usize = 16;
pub const H_OUTBOX_FD: usize = 24;
pub const H_WAKE: usize = 64;
pub const H_LOCK: usize = 68;
pub const H_POST_TAIL: usize = 76;
pub const H_CTL_TAIL: usize = 80;
pub const H_SLEEPING: usize = 128;
pub const H_POST_HEAD: usize = 132;
pub const H_CTL_HEAD: usize = 136;
pub const QUEUE_MAGIC: u32 = 0x5147_534D;
pub const POST_AT: usize = 4096;
pub const POST_CAP: u32 = 16384;
pub const POST_SIZE: usize = 32;
pub const CTL_AT: usize = POST_AT + POST_CAP as usize * POST_SIZE;
pub const CTL_CAP: u32 = 1024;
pub const CTL_SIZE: usize = 64;
pub const QUEUE_LEN: usize = CTL_AT + CTL_CAP as usize * CTL_SIZE;

/// Control-entry kinds and flags.
pub const K_SEND: u32 = 1;
pub const K_NOTIFY: u32 = 2;
pub const K_REPLY: u32 = 3;
pub const F_COPYDATA: u32 = 1;
pub const F_HAD_PTR: u32 = 2;

/// A posted entry as stored.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct RawPost {
    pub hwnd: u32,
    pub msg: u32,
    pub wparam: u64,
    pub lparam: u64,
    pub time: u32,
    pub flags: u32,
}

/// A control entry as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct RawCtl {
    pub kind: u32,
    pub hwnd: u32,
    pub msg: u32,
    pub flags: u32,
    pub wparam: u64,
    pub lparam: u64,
    pub from_tid: u32,
    pub serial: u32,
    pub from_nonce: u64,
    pub payload_off: u64,
    pub payload_len: u32,
    /// A reply's error; a `WM_COPYDATA` send's outbox descriptor (in the sender's process).
    pub aux: u32,
}

const _: () = assert!(std::mem::size_of::<RawPost>() == POST_SIZE);
const _: () = assert!(std::mem::size_of::<RawCtl>() == CTL_SIZE);

/// Thread `tid`'s queue file, mapped read-write by hand.
pub struct QueueFile {
    ptr: *mut u8,
    _file: File,
}

// SAFETY: a shared mapping reached through atomics and volatile accesses only.
unsafe impl Send for QueueFile {}

impl Drop for QueueFile {
    fn drop(&mut self) {
        // SAFETY: mapped in `open` with this address and length.
        unsafe { libc::munmap(self.ptr.cast(), QUEUE_LEN) };
    }
}

impl QueueFile {
    /// Maps `$W32IPC_ROOT/msg/q<tid>`, checking that it has the layout these tests know.
    pub fn open(tid: u32) -> QueueFile {
        let path = isolate().join("msg").join(format!("q{tid}"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let len = file.metadata().unwrap().len();
        assert_eq!(len, QUEUE_LEN as u64, "queue file size (layout changed?)");
        // SAFETY: a new shared mapping of QUEUE_LEN bytes of a file that long; the kernel picks
        // the address; the result is checked against MAP_FAILED.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                QUEUE_LEN,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                std::os::fd::AsRawFd::as_raw_fd(&file),
                0,
            )
        };
        assert_ne!(ptr, libc::MAP_FAILED);
        let q = QueueFile {
            ptr: ptr.cast(),
            _file: file,
        };
        assert_eq!(q.get(H_MAGIC), QUEUE_MAGIC);
        assert_eq!(q.get(H_TID), tid);
        assert_eq!(q.get(H_ALIVE), 1, "a live thread's queue");
        // Indices where these tests look for them, in a plausible state (layout changed?).
        assert!(q.get(H_POST_TAIL).wrapping_sub(q.get(H_POST_HEAD)) <= POST_CAP);
        assert!(q.get(H_CTL_TAIL).wrapping_sub(q.get(H_CTL_HEAD)) <= CTL_CAP);
        q
    }

    /// The header's 32-bit word at `off`.
    pub fn word(&self, off: usize) -> &AtomicU32 {
        assert!(off.is_multiple_of(4) && off < 4096);
        // SAFETY: inside the header page of the mapping, 4-aligned; atomics are valid for
        // any bytes, and the mapping lives as long as `self`.
        unsafe { &*self.ptr.add(off).cast::<AtomicU32>() }
    }

    pub fn nonce(&self) -> u64 {
        // SAFETY: as in `word`, 8-aligned.
        unsafe { &*self.ptr.add(H_NONCE).cast::<AtomicU64>() }.load(Ordering::Relaxed)
    }

    pub fn get(&self, off: usize) -> u32 {
        self.word(off).load(Ordering::SeqCst)
    }

    pub fn set(&self, off: usize, v: u32) {
        self.word(off).store(v, Ordering::SeqCst);
    }

    /// Writes bytes from `seed`'s pattern over `len` bytes at `off` of the file.
    pub fn scribble(&self, off: usize, len: usize, seed: u64) {
        assert!(off + len <= QUEUE_LEN);
        let junk = pattern(seed, len);
        for (i, b) in junk.into_iter().enumerate() {
            // SAFETY: in bounds (asserted); a volatile byte store into shared memory.
            unsafe { self.ptr.add(off + i).write_volatile(b) };
        }
    }

    pub fn read_ctl(&self, counter: u32) -> RawCtl {
        let at = CTL_AT + (counter % CTL_CAP) as usize * CTL_SIZE;
        // SAFETY: the slot lies inside the control ring; plain integers, any bytes are valid.
        unsafe { self.ptr.add(at).cast::<RawCtl>().read_volatile() }
    }

    pub fn write_ctl(&self, counter: u32, e: &RawCtl) {
        let at = CTL_AT + (counter % CTL_CAP) as usize * CTL_SIZE;
        // SAFETY: the slot lies inside the control ring, 8-aligned.
        unsafe { self.ptr.add(at).cast::<RawCtl>().write_volatile(*e) };
    }

    pub fn write_post(&self, counter: u32, e: &RawPost) {
        let at = POST_AT + (counter % POST_CAP) as usize * POST_SIZE;
        // SAFETY: the slot lies inside the posted ring, 8-aligned.
        unsafe { self.ptr.add(at).cast::<RawPost>().write_volatile(*e) };
    }

    /// Takes the producers' lock as a well-behaved producer would.
    fn lock(&self) -> u32 {
        // SAFETY: gettid takes no arguments.
        let me = unsafe { libc::gettid() } as u32;
        let until = Instant::now() + Duration::from_secs(10);
        while self
            .word(H_LOCK)
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            assert!(Instant::now() < until, "queue lock never free");
            std::thread::yield_now();
        }
        me
    }

    fn unlock(&self) {
        self.word(H_LOCK).store(0, Ordering::Release);
    }

    /// Publishes control entries as a producer does (lock, write, advance the tail).
    pub fn push_ctl(&self, entries: &[RawCtl]) {
        self.lock();
        let mut tail = self.get(H_CTL_TAIL);
        for e in entries {
            self.write_ctl(tail, e);
            tail = tail.wrapping_add(1);
        }
        self.set(H_CTL_TAIL, tail);
        self.unlock();
    }

    /// Publishes posted entries as a producer does.
    pub fn push_post(&self, entries: &[RawPost]) {
        self.lock();
        let mut tail = self.get(H_POST_TAIL);
        for e in entries {
            self.write_post(tail, e);
            tail = tail.wrapping_add(1);
        }
        self.set(H_POST_TAIL, tail);
        self.unlock();
    }

    /// Wakes the owner as a producer does after a push.
    pub fn ring(&self) {
        let w = self.word(H_WAKE);
        w.fetch_add(1, Ordering::SeqCst);
        // SAFETY: FUTEX_WAKE (shared) on a 4-aligned word of a shared mapping we hold.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                w.as_ptr(),
                libc::FUTEX_WAKE,
                i32::MAX,
                std::ptr::null::<libc::timespec>(),
                std::ptr::null::<u32>(),
                0u32,
            )
        };
    }

    /// Waits (at most 10 s) until the owner has taken every control entry published so far.
    #[track_caller]
    pub fn wait_ctl_drained(&self) {
        let until = Instant::now() + Duration::from_secs(10);
        while self.get(H_CTL_HEAD) != self.get(H_CTL_TAIL) {
            assert!(
                Instant::now() < until,
                "the owner never took its control entries"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits (at most 20 s) until the owner has taken every posted entry published so far.
    #[track_caller]
    pub fn wait_post_drained(&self) {
        let until = Instant::now() + Duration::from_secs(20);
        while self.get(H_POST_HEAD) != self.get(H_POST_TAIL) {
            assert!(
                Instant::now() < until,
                "the owner never took its posted entries"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits (at most 10 s) until at least `n` control entries wait in the ring.
    #[track_caller]
    pub fn wait_ctl_pending(&self, n: u32) {
        let until = Instant::now() + Duration::from_secs(10);
        while self.get(H_CTL_TAIL).wrapping_sub(self.get(H_CTL_HEAD)) < n {
            assert!(Instant::now() < until, "no control entry arrived");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}
