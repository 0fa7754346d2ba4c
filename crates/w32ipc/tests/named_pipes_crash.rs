//! Named pipes when a peer dies or misbehaves: a server or client process SIGKILLed in the
//! middle of a transfer, a client running as another user, and a hostile peer that writes
//! garbage framing (or announces a 4 GiB message) straight into an instance's socket.
//!
//! Every test runs under a watchdog, with unique names, one at a time.

mod npipe_common;

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use npipe_common::{
    FNV_START, Kid, code, fnv, frame_header, hear, listener_name, outcome, pattern, pipe_name,
    raw_connect, say, serial, until_released,
};
use w32ipc::error::{
    ERROR_BAD_PIPE, ERROR_BROKEN_PIPE, ERROR_FILE_NOT_FOUND, ERROR_NO_DATA, ERROR_PIPE_BUSY,
    ERROR_PIPE_LISTENING, Win32ErrorExt,
};
use w32ipc::npipe::{
    PipeClient, PipeMode, PipeServer, ServerOptions, WaitTimeout, wait_named_pipe,
};
use w32ipc_test_support::{isolate, role, watchdog};

const NOBODY: u32 = 65534;
const BIG: usize = 1 << 20;

fn message_server(name: &str) -> PipeServer {
    ServerOptions::new(name)
        .pipe_type(PipeMode::Message)
        .read_mode(PipeMode::Message)
        .create()
        .unwrap()
}

/// Byte `i` of the endless stream the flooding children write.
fn stream_byte(i: u64) -> u8 {
    (i % 251) as u8
}

/// Writes the endless stream until the pipe breaks (or the process is killed).
fn flood(w: &mut impl Write) {
    let mut at = 0u64;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        for b in chunk.iter_mut() {
            *b = stream_byte(at);
            at += 1;
        }
        if w.write_all(&chunk).is_err() {
            return;
        }
    }
}

/// Reads the stream until the read fails, checking every byte; returns the count and the
/// error code. `kill` runs once `kill_after` bytes have come.
fn drain_stream(
    read: &mut dyn FnMut(&mut [u8]) -> std::io::Result<usize>,
    kill_after: u64,
    kill: &mut dyn FnMut(),
) -> (u64, u32) {
    let mut at = 0u64;
    let mut buf = vec![0u8; 100_000];
    let mut killed = false;
    loop {
        match read(&mut buf) {
            Ok(n) => {
                for &b in &buf[..n] {
                    assert_eq!(b, stream_byte(at), "stream byte {at}");
                    at += 1;
                }
            }
            Err(e) => return (at, e.win32_code()),
        }
        if !killed && at >= kill_after {
            kill();
            killed = true;
        }
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Becomes user and group `NOBODY` for good (every thread: glibc applies it process-wide).
fn become_nobody() {
    // SAFETY: plain system calls with no pointer arguments (setgroups gets an empty list and
    // a null pointer, which it does not read); failures are checked.
    unsafe {
        assert_eq!(libc::setgroups(0, std::ptr::null()), 0);
        assert_eq!(libc::setresgid(NOBODY, NOBODY, NOBODY), 0);
        assert_eq!(libc::setresuid(NOBODY, NOBODY, NOBODY), 0);
        assert_eq!(libc::geteuid(), NOBODY);
    }
}

/// Caps this process's address space, so that a huge allocation fails (and aborts) instead of
/// being reserved lazily.
fn cap_address_space(bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: setrlimit reads the rlimit structure `lim` points at, which lives on our stack.
    let r = unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) };
    assert_eq!(r, 0);
}

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    let name = args[1];
    match args[0] {
        // A message server that writes three messages and then hangs until killed.
        "serve-messages" => {
            let s = message_server(name);
            say("ready");
            s.connect().unwrap();
            s.write_msg(b"m1").unwrap();
            s.write_msg(b"m2").unwrap();
            s.write_msg(&pattern(5, 32 * 1024)).unwrap();
            say("wrote");
            std::thread::sleep(Duration::from_secs(600));
        }
        // A byte server that writes the endless stream.
        "serve-flood" => {
            let s = ServerOptions::new(name).create().unwrap();
            say("ready");
            s.connect().unwrap();
            flood(&mut &s);
        }
        // A message server that writes 1 MiB messages (seeds 0, 1, 2, ...) forever.
        "serve-big-messages" => {
            let s = message_server(name);
            say("ready");
            s.connect().unwrap();
            for seed in 0.. {
                if s.write_msg(&pattern(seed, BIG)).is_err() {
                    break;
                }
            }
        }
        // A client that writes two messages and then hangs until killed.
        "client-messages" => {
            let c = PipeClient::open(name).unwrap();
            c.write_msg(b"c1").unwrap();
            c.write_msg(b"c2").unwrap();
            say("wrote");
            std::thread::sleep(Duration::from_secs(600));
        }
        // A client that writes the endless stream.
        "client-flood" => {
            let c = PipeClient::open(name).unwrap();
            flood(&mut &c);
        }
        // A client that sends one message and reports the answer.
        "client-echo" => {
            // The instance may not be listening yet: wait for it.
            let c = loop {
                wait_named_pipe(name, WaitTimeout::After(Duration::from_secs(20))).unwrap();
                match PipeClient::open(name) {
                    Ok(c) => break c,
                    Err(e) if e.win32_code() == ERROR_PIPE_BUSY => continue,
                    Err(e) => panic!("open: {e}"),
                }
            };
            c.set_read_mode(PipeMode::Message).unwrap();
            let mut buf = [0u8; 64];
            let r = c.transact(b"next", &mut buf).unwrap();
            say(&format!("got {}", String::from_utf8_lossy(&buf[..r.len])));
        }
        // As user nobody: open the pipe, then connect a raw socket to the instance's listener,
        // and on "check" report what the socket received.
        "foreign" => {
            become_nobody();
            say(&format!("open {}", outcome(&PipeClient::open(name))));
            let mut sock = match raw_connect(args[2]) {
                Ok(s) => s,
                Err(e) => {
                    say(&format!("raw connect failed: {e}"));
                    until_released();
                    return;
                }
            };
            say("raw connected");
            assert_eq!(hear().as_deref(), Some("check"));
            sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 64];
            match sock.read(&mut buf) {
                Ok(0) => say("raw eof"),
                Ok(n) => say(&format!("raw data {}", String::from_utf8_lossy(&buf[..n]))),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    say("raw timeout")
                }
                Err(e) => say(&format!("raw error {e}")),
            }
        }
        // A message server (reading in `args[2]` mode) in a process that cannot reserve more
        // than 2 GiB: once the parent says its first client sent everything, report a peek and
        // the reads that client gets, then serve a second client.
        "hostile-reader" => {
            cap_address_space(2 << 30);
            let s = message_server(name);
            if args[2] == "byte" {
                s.set_read_mode(PipeMode::Byte).unwrap();
            }
            say(&format!("listening {}", listener_name(&s)));
            s.connect().unwrap();
            // The parent says when its bytes are all sent.
            assert_eq!(hear().as_deref(), Some("sent"));
            say(&format!("peek {}", outcome(&s.peek(&mut [0u8; 64]))));
            let mut buf = [0u8; 64];
            let mut total = 0;
            let err = loop {
                match s.read_msg(&mut buf) {
                    Ok(r) => total += r.len,
                    Err(e) => break e.win32_code(),
                }
            };
            say(&format!("read err {err} after {total}"));
            s.disconnect().unwrap();
            s.set_read_mode(PipeMode::Message).unwrap();
            s.connect().unwrap();
            let r = s.read_msg(&mut buf).unwrap();
            say(&format!("legit {}", String::from_utf8_lossy(&buf[..r.len])));
        }
        other => panic!("unknown role {other}"),
    }
    until_released();
}

#[test]
fn killed_server_leaves_its_data_then_a_broken_pipe_and_frees_the_name() {
    let _turn = serial();
    let _wd = watchdog("server killed", 60);
    isolate();
    let name = pipe_name("srvkill");
    let mut kid = Kid::spawn(&format!("serve-messages|{name}"));
    kid.expect("ready");
    let client = PipeClient::open(&name).unwrap();
    client.set_read_mode(PipeMode::Message).unwrap();
    kid.expect("wrote");
    assert_eq!(client.server_process_id().unwrap(), kid.pid());
    kid.kill();
    // Everything written before the kill is still there, message by message.
    let mut buf = vec![0u8; 64 * 1024];
    for want in [&b"m1"[..], b"m2", &pattern(5, 32 * 1024)] {
        let r = client.read_msg(&mut buf).unwrap();
        assert!(!r.more && &buf[..r.len] == want);
    }
    assert_eq!(code(client.read_msg(&mut buf)), ERROR_BROKEN_PIPE);
    assert_eq!(code(client.read_msg(&mut buf)), ERROR_BROKEN_PIPE);
    assert_eq!(code(client.peek(&mut buf)), ERROR_BROKEN_PIPE);
    assert_eq!(code(client.write_msg(b"anyone?")), ERROR_NO_DATA);
    // The name died with its only server.
    assert_eq!(code(PipeClient::open(&name)), ERROR_FILE_NOT_FOUND);
    assert_eq!(
        code(wait_named_pipe(
            &name,
            WaitTimeout::After(Duration::from_secs(5))
        )),
        ERROR_FILE_NOT_FOUND
    );
    // A new server takes the name as its first instance, and works.
    let server = ServerOptions::new(&name)
        .first_instance(true)
        .max_instances(1)
        .create()
        .unwrap();
    assert_eq!(server.state().unwrap().instances, 1);
    let again = PipeClient::open(&name).unwrap();
    server.connect().unwrap();
    (&again).write_all(b"new life").unwrap();
    let mut got = [0u8; 8];
    (&server).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"new life");
}

#[test]
fn server_killed_in_the_middle_of_a_stream() {
    let _turn = serial();
    let _wd = watchdog("server killed mid-stream", 60);
    isolate();
    let name = pipe_name("srvflood");
    let mut kid = Kid::spawn(&format!("serve-flood|{name}"));
    kid.expect("ready");
    let client = PipeClient::open(&name).unwrap();
    let (total, err) = drain_stream(
        &mut |b| client.read_msg(b).map(|r| r.len),
        4 * BIG as u64,
        &mut || kid.kill(),
    );
    assert!(total >= 4 * BIG as u64);
    assert_eq!(err, ERROR_BROKEN_PIPE);
    assert_eq!(code(client.write_msg(b"x")), ERROR_NO_DATA);
    assert_eq!(code(PipeClient::open(&name)), ERROR_FILE_NOT_FOUND);
}

#[test]
fn server_killed_while_writing_big_messages() {
    let _turn = serial();
    let _wd = watchdog("server killed mid-message", 60);
    isolate();
    let name = pipe_name("srvbig");
    let mut kid = Kid::spawn(&format!("serve-big-messages|{name}"));
    kid.expect("ready");
    let client = PipeClient::open(&name).unwrap();
    client.set_read_mode(PipeMode::Message).unwrap();
    let mut buf = vec![0u8; BIG + 1];
    // Whole messages only, each intact, then the broken pipe.
    let mut seed = 0;
    let err = loop {
        match client.read_msg(&mut buf) {
            Ok(r) => {
                assert!(!r.more && r.len == BIG, "message {seed}: {r:?}");
                assert_eq!(
                    fnv(FNV_START, &buf[..BIG]),
                    fnv(FNV_START, &pattern(seed, BIG)),
                    "message {seed}"
                );
                seed += 1;
                if seed == 3 {
                    kid.kill();
                }
            }
            Err(e) => break e.win32_code(),
        }
    };
    assert!(seed >= 3);
    assert_eq!(err, ERROR_BROKEN_PIPE);
    assert_eq!(code(client.write_msg(b"x")), ERROR_NO_DATA);
}

#[test]
fn killed_client_breaks_the_pipe_and_the_instance_serves_the_next() {
    let _turn = serial();
    let _wd = watchdog("client killed", 60);
    isolate();
    let name = pipe_name("clikill");
    let server = ServerOptions::new(&name)
        .pipe_type(PipeMode::Message)
        .read_mode(PipeMode::Message)
        .max_instances(1)
        .create()
        .unwrap();
    let mut kid = Kid::spawn(&format!("client-messages|{name}"));
    server.connect().unwrap();
    kid.expect("wrote");
    assert_eq!(server.client_process_id().unwrap(), kid.pid());
    kid.kill();
    let mut buf = [0u8; 64];
    for want in [b"c1", b"c2"] {
        let r = server.read_msg(&mut buf).unwrap();
        assert_eq!(&buf[..r.len], want);
    }
    assert_eq!(code(server.read_msg(&mut buf)), ERROR_BROKEN_PIPE);
    assert_eq!(code(server.write_msg(b"x")), ERROR_NO_DATA);
    // Disconnect and connect: the next client process is served.
    server.disconnect().unwrap();
    let mut next = Kid::spawn(&format!("client-echo|{name}"));
    server.connect().unwrap();
    assert_eq!(server.client_process_id().unwrap(), next.pid());
    let r = server.read_msg(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"next");
    server.write_msg(b"served").unwrap();
    next.expect("got served");
    next.finish();
}

#[test]
fn client_killed_in_the_middle_of_a_stream() {
    let _turn = serial();
    let _wd = watchdog("client killed mid-stream", 60);
    isolate();
    let name = pipe_name("cliflood");
    let server = ServerOptions::new(&name).create().unwrap();
    let mut kid = Kid::spawn(&format!("client-flood|{name}"));
    server.connect().unwrap();
    let (total, err) = drain_stream(
        &mut |b| server.read_msg(b).map(|r| r.len),
        4 * BIG as u64,
        &mut || kid.kill(),
    );
    assert!(total >= 4 * BIG as u64);
    assert_eq!(err, ERROR_BROKEN_PIPE);
    assert_eq!(code(server.write_msg(b"x")), ERROR_NO_DATA);
    server.disconnect().unwrap();
    assert_eq!(
        code(PipeClient::open(&name)),
        ERROR_PIPE_BUSY,
        "not listening before connect()"
    );
}

#[test]
fn clients_of_another_user_are_refused_unless_allowed() {
    let _turn = serial();
    let _wd = watchdog("other user", 60);
    if !is_root() {
        eprintln!("skipped: needs root, to run a client as uid {NOBODY}");
        return;
    }
    isolate();
    // Refused by default: opening by name fails (the session's directories are private to
    // their user), and the instance never takes a raw connection from that user.
    let name = pipe_name("foreign");
    let server = ServerOptions::new(&name).nowait(true).create().unwrap();
    let socket = listener_name(&server);
    let mut kid = Kid::spawn(&format!("foreign|{name}|{socket}"));
    let open = kid.line();
    assert!(open.starts_with("open err"), "{open}");
    kid.expect("raw connected");
    assert_eq!(code(server.connect()), ERROR_PIPE_LISTENING);
    assert_eq!(code(server.connect()), ERROR_PIPE_LISTENING);
    kid.send("check");
    kid.expect("raw eof");
    kid.finish();
    // The instance still serves its own user.
    let mine = PipeClient::open(&name).unwrap();
    server.connect().unwrap();
    assert_eq!(server.client_uid().unwrap(), 0);
    (&mine).write_all(b"ok").unwrap();
    drop(mine);

    // Allowed: the raw connection from the other user is the instance's client.
    let name = pipe_name("foreign-ok");
    let server = ServerOptions::new(&name)
        .nowait(true)
        .allow_other_users(true)
        .create()
        .unwrap();
    let socket = listener_name(&server);
    let mut kid = Kid::spawn(&format!("foreign|{name}|{socket}"));
    let _open = kid.line();
    kid.expect("raw connected");
    server.connect().unwrap();
    assert_eq!(server.client_uid().unwrap(), NOBODY);
    assert_eq!(server.client_process_id().unwrap(), kid.pid());
    server.write_msg(b"hello").unwrap();
    kid.send("check");
    kid.expect("raw data hello");
    kid.finish();
}

/// Runs a hostile-reader child in `mode`, sends it `bytes` over a raw connection (then closes
/// it, if `close`), and returns its report of the peek and the reads.
fn hostile(mode: &str, bytes: &[u8], close: bool) -> (String, String) {
    let name = pipe_name("hostile");
    let mut kid = Kid::spawn(&format!("hostile-reader|{name}|{mode}"));
    let line = kid.line();
    let socket = line.strip_prefix("listening ").unwrap().to_owned();
    let mut raw = raw_connect(&socket).unwrap();
    raw.write_all(bytes).unwrap();
    let raw = if close {
        drop(raw);
        None
    } else {
        Some(raw)
    };
    kid.send("sent");
    let peek = kid.line();
    let read = kid.line();
    drop(raw);
    finish_hostile(kid, &name, peek, read)
}

fn finish_hostile(mut kid: Kid, name: &str, peek: String, read: String) -> (String, String) {
    // The reader survived: it serves a well-behaved client next.
    wait_named_pipe(name, WaitTimeout::After(Duration::from_secs(20))).unwrap();
    let c = PipeClient::open(name).unwrap();
    c.write_msg(b"fine").unwrap();
    kid.expect("legit fine");
    kid.finish();
    (peek, read)
}

#[test]
fn garbage_framing_is_a_bad_pipe() {
    let _turn = serial();
    let _wd = watchdog("garbage framing", 60);
    isolate();
    let garbage = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    for mode in ["msg", "byte"] {
        let (peek, read) = hostile(mode, garbage, false);
        assert_eq!(peek, format!("peek err {ERROR_BAD_PIPE}"), "{mode}");
        assert_eq!(read, format!("read err {ERROR_BAD_PIPE} after 0"), "{mode}");
    }
}

#[test]
fn a_header_announcing_4_gib_then_nothing_is_an_error_not_an_allocation() {
    let _turn = serial();
    let _wd = watchdog("4 GiB header", 60);
    isolate();
    for (mode, tail) in [("msg", 0), ("msg", 100), ("byte", 100)] {
        let mut bytes = frame_header(u32::MAX).to_vec();
        bytes.extend(std::iter::repeat_n(b'A', tail));
        let (peek, read) = hostile(mode, &bytes, true);
        assert!(peek.starts_with("peek "), "{peek}");
        // The reader got at most what came and then an error; its process (capped at 2 GiB
        // of address space) did not die reserving 4 GiB.
        let (_, got) = read
            .strip_prefix("read err ")
            .and_then(|r| r.split_once(" after "))
            .unwrap_or_else(|| panic!("{mode} with {tail} bytes: {read}"));
        assert!(got.parse::<usize>().unwrap() <= tail, "{mode}: {read}");
    }
}
