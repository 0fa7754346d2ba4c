//! Data over named pipes between real processes: message pipes (zero-length to 16 MiB messages,
//! short reads), byte read mode on a message pipe, `PeekNamedPipe`'s counts,
//! `TransactNamedPipe`, `CallNamedPipe`, and `FlushFileBuffers` waiting for the reader.
//!
//! Expected results follow Windows as recorded under Wine (`tests/c/README.md`,
//! `expected/npipe_message.txt`, `npipe_state.txt`, `npipe_process.txt`). Every test runs
//! under a watchdog, with unique names, one at a time.

mod npipe_common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use npipe_common::{
    FNV_START, Kid, code, fnv, hear, hear_expect, outcome, pattern, pipe_name, say, serial,
    until_released,
};
use w32ipc::error::{
    ERROR_BAD_PIPE, ERROR_BROKEN_PIPE, ERROR_FILE_NOT_FOUND, ERROR_INVALID_PARAMETER,
    ERROR_NO_DATA, ERROR_PIPE_BUSY, ERROR_SEM_TIMEOUT,
};
use w32ipc::npipe::{
    PeekInfo, PipeClient, PipeHandle, PipeMode, PipeServer, ReadOutcome, ServerOptions,
    WaitTimeout, call_named_pipe, wait_named_pipe,
};
use w32ipc::sync::{Event, WaitOutcome};
use w32ipc_test_support::{isolate, role, unique_name, watchdog};

const KIB64: usize = 64 * 1024;
const MIB16: usize = 16 * 1024 * 1024;
const LONG: &str = "a reply much longer than the caller's buffer to ";

fn message_server(name: &str) -> PipeServer {
    ServerOptions::new(name)
        .pipe_type(PipeMode::Message)
        .read_mode(PipeMode::Message)
        .create()
        .unwrap()
}

fn peek_info(read: usize, available: usize, left_in_message: usize) -> PeekInfo {
    PeekInfo {
        read,
        available,
        left_in_message,
    }
}

fn outcome_of(len: usize, more: bool) -> ReadOutcome {
    ReadOutcome { len, more }
}

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        // Write messages of 0, 1, 64 KiB and twice 16 MiB bytes, then wait for "done".
        "send-messages" => {
            let c = PipeClient::open(args[1]).unwrap();
            c.set_read_mode(PipeMode::Message).unwrap();
            c.write_msg(b"").unwrap();
            c.write_msg(b"x").unwrap();
            c.write_msg(&pattern(1, KIB64)).unwrap();
            c.write_msg(&pattern(2, MIB16)).unwrap();
            c.write_msg(&pattern(3, MIB16)).unwrap();
            say("sent");
            let mut buf = [0u8; 16];
            let r = c.read_msg(&mut buf).unwrap();
            say(&format!("got {}", String::from_utf8_lossy(&buf[..r.len])));
        }
        // A client left in byte read mode on a message pipe, reading and writing on cue.
        "byte-client" => {
            let c = PipeClient::open(args[1]).unwrap();
            say(&format!("mode message={}", c.state().unwrap().read_message));
            let mut buf = [0u8; 64];
            let mut read = |n: usize| {
                let r = c.read_msg(&mut buf[..n]).unwrap();
                let text = String::from_utf8_lossy(&buf[..r.len]).into_owned();
                say(&format!("read {text} more={}", r.more));
            };
            hear_expect("go");
            let p = c.peek(&mut []).unwrap();
            say(&format!(
                "peek avail={} left={}",
                p.available, p.left_in_message
            ));
            read(64);
            hear_expect("go");
            read(3);
            read(64);
            c.write_msg(b"ab").unwrap();
            c.write_msg(b"cd").unwrap();
            say("sent");
            for m in ["xyz", "uvw"] {
                hear_expect("go");
                c.write_msg(m.as_bytes()).unwrap();
                say("sent");
            }
            until_released();
        }
        // Report whether message read mode is allowed, then write a message for each "w TEXT"
        // line ("w" alone: a zero-length one), answering "ok".
        "writer" => {
            let c = PipeClient::open(args[1]).unwrap();
            say(&format!(
                "readmode {}",
                outcome(&c.set_read_mode(PipeMode::Message))
            ));
            while let Some(line) = hear() {
                let text = line.strip_prefix('w').unwrap().trim_start();
                c.write_msg(text.as_bytes()).unwrap();
                say("ok");
            }
        }
        // A message server answering each request, for `count` clients one after another.
        "echo-server" => {
            let s = ServerOptions::new(args[1])
                .pipe_type(PipeMode::Message)
                .read_mode(PipeMode::Message)
                .max_instances(1)
                .create()
                .unwrap();
            say("ready");
            let count: usize = args[2].parse().unwrap();
            for _ in 0..count {
                s.connect().unwrap();
                let mut buf = [0u8; 4096];
                while let Ok(r) = s.read_msg(&mut buf) {
                    assert!(!r.more);
                    let req = String::from_utf8_lossy(&buf[..r.len]).into_owned();
                    match req.as_str() {
                        "long" => s.write_msg(format!("{LONG}{req}").as_bytes()).unwrap(),
                        "twice" => {
                            s.write_msg(b"re:twice").unwrap();
                            s.write_msg(b"again").unwrap();
                        }
                        _ => s.write_msg(format!("re:{req}").as_bytes()).unwrap(),
                    }
                }
                s.disconnect().unwrap();
            }
        }
        // A byte-pipe server that calls ConnectNamedPipe only when told to, and reports.
        "byte-server" => {
            let h = ServerOptions::new(args[1]).create().unwrap().into_handle();
            let s = PipeHandle::of(&h).unwrap();
            say("ready");
            hear_expect("go");
            say(&format!("connect {}", outcome(&s.connect())));
            say(&format!("peek {}", outcome(&s.peek(&mut [0u8; 8]))));
        }
        // Open, sleep, set the event, then read `len` bytes.
        "slow-reader" => {
            let c = PipeClient::open(args[1]).unwrap();
            let ev = Event::open(args[2]).unwrap();
            let len: usize = args[3].parse().unwrap();
            std::thread::sleep(Duration::from_millis(300));
            ev.set().unwrap();
            let mut buf = vec![0u8; len];
            (&c).read_exact(&mut buf).unwrap();
            assert_eq!(buf, pattern(7, len));
            say(&format!("read {len}"));
        }
        // Write a message, flush, and tell whether the reader had started reading by then.
        "flusher" => {
            let c = PipeClient::open(args[1]).unwrap();
            let ev = Event::open(args[2]).unwrap();
            c.write_msg(b"flush me").unwrap();
            say("wrote");
            c.flush_buffers().unwrap();
            let started = ev.wait(Some(Duration::ZERO)).unwrap() == WaitOutcome::Signaled;
            say(&format!(
                "after flush reader started: {}",
                if started { "yes" } else { "no" }
            ));
        }
        other => panic!("unknown role {other}"),
    }
    until_released();
}

#[test]
fn messages_of_every_size_and_short_reads() {
    let _turn = serial();
    let _wd = watchdog("message sizes", 120);
    isolate();
    let name = pipe_name("sizes");
    let server = message_server(&name);
    let mut kid = Kid::spawn(&format!("send-messages|{name}"));
    server.connect().unwrap();
    let mut buf = vec![0u8; MIB16 + 1];
    // A zero-length message is a message.
    assert_eq!(
        server.read_msg(&mut buf[..64]).unwrap(),
        outcome_of(0, false)
    );
    // A 0-byte read of a waiting message: "more data", nothing consumed.
    assert_eq!(server.read_msg(&mut []).unwrap(), outcome_of(0, true));
    assert_eq!(server.peek(&mut []).unwrap().left_in_message, 1);
    assert_eq!(
        server.read_msg(&mut buf[..64]).unwrap(),
        outcome_of(1, false)
    );
    assert_eq!(buf[0], b'x');
    // 64 KiB read in 10000-byte pieces: six short reads, then the rest.
    let want = pattern(1, KIB64);
    let mut got = Vec::new();
    for _ in 0..6 {
        let r = server.read_msg(&mut buf[..10_000]).unwrap();
        assert_eq!(r, outcome_of(10_000, true));
        got.extend_from_slice(&buf[..r.len]);
    }
    let r = server.read_msg(&mut buf[..10_000]).unwrap();
    assert_eq!(r, outcome_of(KIB64 - 60_000, false));
    got.extend_from_slice(&buf[..r.len]);
    assert!(got == want, "the 64 KiB message arrived intact");
    // 16 MiB in one read, checked by checksum.
    let r = server.read_msg(&mut buf).unwrap();
    assert_eq!(r, outcome_of(MIB16, false));
    assert_eq!(
        fnv(FNV_START, &buf[..MIB16]),
        fnv(FNV_START, &pattern(2, MIB16))
    );
    // Another 16 MiB in odd-sized pieces: every piece but the last is short.
    let piece = 1024 * 1024 - 3;
    let (mut sum, mut total, mut pieces) = (FNV_START, 0, 0);
    loop {
        let r = server.read_msg(&mut buf[..piece]).unwrap();
        sum = fnv(sum, &buf[..r.len]);
        total += r.len;
        pieces += 1;
        if !r.more {
            break;
        }
        assert_eq!(r.len, piece);
    }
    assert_eq!((total, pieces), (MIB16, MIB16.div_ceil(piece)));
    assert_eq!(sum, fnv(FNV_START, &pattern(3, MIB16)));
    kid.expect("sent");
    assert_eq!(server.peek(&mut []).unwrap(), PeekInfo::default());
    server.write_msg(b"done").unwrap();
    kid.expect("got done");
    kid.finish();
}

#[test]
fn byte_read_mode_on_a_message_pipe_crosses_message_boundaries() {
    let _turn = serial();
    let _wd = watchdog("byte read mode", 60);
    isolate();
    let name = pipe_name("bytemode");
    let server = message_server(&name);
    let mut kid = Kid::spawn(&format!("byte-client|{name}"));
    server.connect().unwrap();
    // A client starts in byte read mode, even on a message pipe.
    kid.expect("mode message=false");
    server.write_msg(b"abc").unwrap();
    server.write_msg(b"def").unwrap();
    kid.send("go");
    kid.expect("peek avail=6 left=3");
    kid.expect("read abcdef more=false");
    server.write_msg(b"ab").unwrap();
    server.write_msg(b"cd").unwrap();
    kid.send("go");
    kid.expect("read abc more=false");
    kid.expect("read d more=false");
    // The server switched to byte mode reads the client's messages as one stream.
    kid.expect("sent");
    server.set_read_mode(PipeMode::Byte).unwrap();
    assert!(!server.state().unwrap().read_message);
    let mut buf = [0u8; 64];
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 4, 2));
    assert_eq!(
        server.read_msg(&mut buf[..3]).unwrap(),
        outcome_of(3, false)
    );
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 1, 1));
    assert_eq!(server.read_msg(&mut buf).unwrap(), outcome_of(1, false));
    assert_eq!(buf[0], b'd');
    // Back to message mode for a short read; switched to byte mode in the middle of the
    // message, the rest of it comes with the next message.
    server.set_read_mode(PipeMode::Message).unwrap();
    kid.send("go");
    kid.expect("sent");
    assert_eq!(server.read_msg(&mut buf[..1]).unwrap(), outcome_of(1, true));
    assert_eq!(buf[0], b'x');
    server.set_read_mode(PipeMode::Byte).unwrap();
    kid.send("go");
    kid.expect("sent");
    assert_eq!(server.read_msg(&mut buf).unwrap(), outcome_of(5, false));
    assert_eq!(&buf[..5], b"yzuvw");
    kid.finish();

    // Message read mode on a byte pipe: ERROR_INVALID_PARAMETER for either end.
    let name = pipe_name("bytepipe");
    let server = ServerOptions::new(&name).create().unwrap();
    assert_eq!(
        code(server.set_read_mode(PipeMode::Message)),
        ERROR_INVALID_PARAMETER
    );
    let mut kid = Kid::spawn(&format!("writer|{name}"));
    kid.expect(&format!("readmode err {ERROR_INVALID_PARAMETER}"));
    server.connect().unwrap();
    for w in ["w 12", "w 34"] {
        kid.send(w);
        kid.expect("ok");
    }
    // A byte pipe has no messages: nothing is "left in this message".
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 4, 0));
    assert_eq!(
        server.read_msg(&mut buf[..3]).unwrap(),
        outcome_of(3, false)
    );
    assert_eq!(&buf[..3], b"123");
    kid.finish();
}

#[test]
fn peek_counts_follow_windows() {
    let _turn = serial();
    let _wd = watchdog("peek counts", 60);
    isolate();
    let name = pipe_name("peek");
    let server = message_server(&name);
    let mut kid = Kid::spawn(&format!("writer|{name}"));
    kid.expect("readmode ok");
    server.connect().unwrap();
    let mut write = |w: &str| {
        kid.send(w);
        kid.expect("ok");
    };
    let mut buf = [0u8; 64];
    for w in ["w one", "w two", "w three"] {
        write(w);
    }
    // Without a buffer "left" is the whole first message; with one, what the peek left of it.
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 11, 3));
    assert_eq!(server.peek(&mut buf).unwrap(), peek_info(3, 11, 0));
    assert_eq!(&buf[..3], b"one");
    assert_eq!(server.read_msg(&mut buf).unwrap(), outcome_of(3, false));
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 8, 3));
    assert_eq!(
        server.read_msg(&mut buf[..3]).unwrap(),
        outcome_of(3, false)
    );
    assert_eq!(&buf[..3], b"two");
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 5, 5));
    // A short peek is no error.
    assert_eq!(server.peek(&mut buf[..2]).unwrap(), peek_info(2, 5, 3));
    assert_eq!(&buf[..2], b"th");
    assert_eq!(server.read_msg(&mut buf[..2]).unwrap(), outcome_of(2, true));
    // In the middle of a message.
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 3, 3));
    assert_eq!(server.peek(&mut buf).unwrap(), peek_info(3, 3, 0));
    assert_eq!(&buf[..3], b"ree");
    assert_eq!(server.read_msg(&mut []).unwrap(), outcome_of(0, true));
    assert_eq!(server.read_msg(&mut buf[..1]).unwrap(), outcome_of(1, true));
    assert_eq!(server.read_msg(&mut buf).unwrap(), outcome_of(2, false));
    assert_eq!(&buf[..2], b"ee");
    assert_eq!(server.peek(&mut []).unwrap(), PeekInfo::default());
    // Zero-length messages: they count no bytes; at the head one peeks like an empty pipe.
    write("w");
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 0, 0));
    write("w after");
    write("w");
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 5, 0));
    assert_eq!(server.peek(&mut buf).unwrap(), peek_info(0, 5, 0));
    assert_eq!(server.read_msg(&mut buf).unwrap(), outcome_of(0, false));
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 5, 5));
    assert_eq!(server.read_msg(&mut buf).unwrap(), outcome_of(5, false));
    assert_eq!(&buf[..5], b"after");
    assert_eq!(server.peek(&mut []).unwrap(), peek_info(0, 0, 0));
    assert_eq!(server.read_msg(&mut buf).unwrap(), outcome_of(0, false));
    assert_eq!(server.peek(&mut []).unwrap(), PeekInfo::default());
    kid.finish();
    // The client closed: once drained, a peek reports the broken pipe.
    assert_eq!(code(server.peek(&mut buf)), ERROR_BROKEN_PIPE);
}

#[test]
fn transact_named_pipe_rules() {
    let _turn = serial();
    let _wd = watchdog("transact", 60);
    isolate();
    let name = pipe_name("transact");
    let mut kid = Kid::spawn(&format!("echo-server|{name}|1"));
    kid.expect("ready");
    let client = PipeClient::open(&name).unwrap();
    let mut reply = [0u8; 64];
    // A client starts in byte read mode: no transactions.
    assert_eq!(code(client.transact(b"nope", &mut reply)), ERROR_BAD_PIPE);
    client.set_read_mode(PipeMode::Message).unwrap();
    let r = client.transact(b"ping", &mut reply).unwrap();
    assert_eq!(
        (r, &reply[..r.len]),
        (outcome_of(7, false), &b"re:ping"[..])
    );
    // A short reply buffer: the rest stays readable.
    let r = client.transact(b"long", &mut reply[..10]).unwrap();
    assert_eq!(
        (r, &reply[..10]),
        (outcome_of(10, true), &b"a reply mu"[..])
    );
    let r = client.read_msg(&mut reply).unwrap();
    let rest = format!("{LONG}long");
    assert_eq!(
        (r, &reply[..r.len]),
        (outcome_of(rest.len() - 10, false), &rest.as_bytes()[10..])
    );
    // With a message waiting unread: ERROR_PIPE_BUSY, and nothing is written.
    let r = client.transact(b"twice", &mut reply).unwrap();
    assert_eq!(&reply[..r.len], b"re:twice");
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.peek(&mut []).unwrap().available == 0 {
        assert!(Instant::now() < deadline, "the second reply never came");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(code(client.transact(b"x", &mut reply)), ERROR_PIPE_BUSY);
    let r = client.read_msg(&mut reply).unwrap();
    assert_eq!(&reply[..r.len], b"again");
    // Had "x" been written, its answer would come first.
    let r = client.transact(b"ping2", &mut reply).unwrap();
    assert_eq!(&reply[..r.len], b"re:ping2");
    drop(client);
    kid.finish();
}

#[test]
fn call_named_pipe_round_trips_and_errors() {
    let _turn = serial();
    let _wd = watchdog("call named pipe", 60);
    isolate();
    let name = pipe_name("call");
    let mut reply = [0u8; 64];
    assert_eq!(
        code(call_named_pipe(
            &name,
            b"q",
            &mut reply,
            WaitTimeout::Default
        )),
        ERROR_FILE_NOT_FOUND
    );
    let mut kid = Kid::spawn(&format!("echo-server|{name}|3"));
    kid.expect("ready");
    // The server takes one client at a time: a call may have to wait for it to reconnect.
    let wait = WaitTimeout::After(Duration::from_secs(20));
    let r = call_named_pipe(&name, b"question", &mut reply, wait).unwrap();
    assert_eq!(
        (r, &reply[..r.len]),
        (outcome_of(11, false), &b"re:question"[..])
    );
    let r = call_named_pipe(&name, b"long", &mut reply[..10], wait).unwrap();
    assert_eq!(
        (r, &reply[..10]),
        (outcome_of(10, true), &b"a reply mu"[..])
    );
    // The only instance busy: the call waits its time-out.
    wait_named_pipe(&name, wait).unwrap();
    let holder = PipeClient::open(&name).unwrap();
    let t = Instant::now();
    let short = WaitTimeout::After(Duration::from_millis(200));
    assert_eq!(
        code(call_named_pipe(&name, b"q", &mut reply, short)),
        ERROR_SEM_TIMEOUT
    );
    assert!(
        t.elapsed() >= Duration::from_millis(190),
        "{:?}",
        t.elapsed()
    );
    drop(holder);
    kid.finish();

    // A byte pipe: ERROR_INVALID_PARAMETER, found once connected; the server then sees a
    // client that came and went (ERROR_NO_DATA) without writing anything.
    let name = pipe_name("callbyte");
    let mut kid = Kid::spawn(&format!("byte-server|{name}"));
    kid.expect("ready");
    assert_eq!(
        code(call_named_pipe(
            &name,
            b"q",
            &mut reply,
            WaitTimeout::Default
        )),
        ERROR_INVALID_PARAMETER
    );
    kid.send("go");
    kid.expect(&format!("connect err {ERROR_NO_DATA}"));
    kid.expect(&format!("peek err {ERROR_BROKEN_PIPE}"));
    kid.finish();
}

#[test]
fn flush_buffers_returns_after_the_reader_has_read() {
    let _turn = serial();
    let _wd = watchdog("flush", 60);
    isolate();
    // The server flushes; the client process sleeps, sets the event, then reads. Once the
    // flush returns, the event must be set.
    let name = pipe_name("flush");
    let ev_name = unique_name("flushed");
    let ev = Event::create(Some(&ev_name), true, false).unwrap();
    let server = ServerOptions::new(&name).create().unwrap();
    let mut kid = Kid::spawn(&format!("slow-reader|{name}|{ev_name}|3000"));
    server.connect().unwrap();
    (&server).write_all(&pattern(7, 3000)).unwrap();
    server.flush_buffers().unwrap();
    assert_eq!(
        ev.wait(Some(Duration::ZERO)).unwrap(),
        WaitOutcome::Signaled,
        "FlushFileBuffers returned before the reader started reading"
    );
    kid.expect("read 3000");
    kid.finish();

    // The other way, on a message pipe: the client process flushes, we read late.
    let name = pipe_name("flush2");
    let ev_name = unique_name("reading");
    let ev = Event::create(Some(&ev_name), true, false).unwrap();
    let server = message_server(&name);
    let mut kid = Kid::spawn(&format!("flusher|{name}|{ev_name}"));
    server.connect().unwrap();
    kid.expect("wrote");
    std::thread::sleep(Duration::from_millis(300));
    ev.set().unwrap();
    let mut buf = [0u8; 16];
    let r = server.read_msg(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"flush me");
    kid.expect("after flush reader started: yes");
    kid.finish();
}
