//! Connecting to named pipes between real processes: busy instances and `WaitNamedPipe`
//! (time-outs, woken by a reconnecting server or a new instance), clients that come before
//! `ConnectNamedPipe`, no-wait listening, and `DisconnectNamedPipe` (unread data dropped, the
//! old client disconnected for good, the instance taking no client until the next connect).
//!
//! Expected results follow Windows as recorded under Wine (`tests/c/README.md`), and
//! Microsoft's documentation where Wine 8 differs. Every test runs under a watchdog, with
//! unique names, one at a time.

mod npipe_common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use npipe_common::{Kid, code, hear, options, outcome, pipe_name, say, serial, until_released};
use w32ipc::error::{
    ERROR_BROKEN_PIPE, ERROR_FILE_NOT_FOUND, ERROR_NO_DATA, ERROR_PIPE_BUSY, ERROR_PIPE_CONNECTED,
    ERROR_PIPE_LISTENING, ERROR_PIPE_NOT_CONNECTED, ERROR_SEM_TIMEOUT,
};
use w32ipc::npipe::{PipeClient, PipeHandle, ServerOptions, WaitTimeout, wait_named_pipe};
use w32ipc_test_support::{isolate, role, watchdog};

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        // Open a client and hold it until released.
        "hold-client" => {
            let c = PipeClient::open(args[1]);
            say(&format!("open {}", outcome(&c)));
            until_released();
        }
        // Find the pipe busy, wait for an instance, open it, say hello and read the answer.
        "wait-open" => {
            let name = args[1];
            say(&format!("first {}", outcome(&PipeClient::open(name))));
            let w = wait_named_pipe(name, WaitTimeout::After(Duration::from_secs(20)));
            say(&format!("wait {}", outcome(&w)));
            if w.is_err() {
                return;
            }
            let c = PipeClient::open(name).unwrap();
            say("open ok");
            (&c).write_all(b"hello from B").unwrap();
            let mut buf = [0u8; 64];
            let n = c.read_msg(&mut buf).unwrap().len;
            say(&format!("got {}", String::from_utf8_lossy(&buf[..n])));
        }
        // Open, write a text, then hold the client or close it.
        "client-write" => {
            let c = PipeClient::open(args[1]).unwrap();
            (&c).write_all(args[2].as_bytes()).unwrap();
            say("wrote");
            if args[3] == "hold" {
                until_released();
            }
        }
        // Open and write; after "go", report what reads, writes and peeks give; the same
        // again after "go2" (unless released before).
        "client-probe" => {
            let c = PipeClient::open(args[1]).unwrap();
            (&c).write_all(b"unread-by-server").unwrap();
            say("open ok");
            for round in ["", "2"] {
                // Released early: done.
                let Some(line) = hear() else { break };
                assert_eq!(line, format!("go{round}"));
                let mut buf = [0u8; 64];
                say(&format!("read{round} {}", outcome(&c.read_msg(&mut buf))));
                say(&format!("write{round} {}", outcome(&c.write_msg(b"x"))));
                say(&format!("peek{round} {}", outcome(&c.peek(&mut buf))));
            }
            until_released();
        }
        other => panic!("unknown role {other}"),
    }
    // Anything else the parent sends is ignored.
    while hear().is_some() {}
}

#[test]
fn busy_until_the_server_reconnects_then_wait_succeeds() {
    let _turn = serial();
    let _wd = watchdog("busy then wait", 60);
    isolate();
    let name = pipe_name("busy");
    let server = ServerOptions::new(&name)
        .max_instances(1)
        .default_timeout(Duration::from_millis(300))
        .create()
        .unwrap();
    let mut a = Kid::spawn(&format!("hold-client|{name}"));
    a.expect("open ok");
    server.connect().unwrap();
    assert_eq!(server.client_process_id().unwrap(), a.pid());
    // Busy: opens fail, waits time out (after at least their time-out).
    assert_eq!(code(PipeClient::open(&name)), ERROR_PIPE_BUSY);
    let t = Instant::now();
    assert_eq!(
        code(wait_named_pipe(
            &name,
            WaitTimeout::After(Duration::from_millis(150))
        )),
        ERROR_SEM_TIMEOUT
    );
    assert!(
        t.elapsed() >= Duration::from_millis(140),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    assert_eq!(
        code(wait_named_pipe(&name, WaitTimeout::Default)),
        ERROR_SEM_TIMEOUT
    );
    assert!(
        t.elapsed() >= Duration::from_millis(290),
        "{:?}",
        t.elapsed()
    );
    // Another process finds it busy and waits.
    let mut b = Kid::spawn(&format!("wait-open|{name}"));
    b.expect(&format!("first err {ERROR_PIPE_BUSY}"));
    // The first client goes away: the instance is still not listening.
    a.finish();
    let mut buf = [0u8; 64];
    assert_eq!(code(server.read_msg(&mut buf)), ERROR_BROKEN_PIPE);
    assert_eq!(code(PipeClient::open(&name)), ERROR_PIPE_BUSY);
    server.disconnect().unwrap();
    assert_eq!(code(PipeClient::open(&name)), ERROR_PIPE_BUSY);
    // ConnectNamedPipe makes it listen: the waiting process gets it.
    server.connect().unwrap();
    b.expect("wait ok");
    b.expect("open ok");
    assert_eq!(server.client_process_id().unwrap(), b.pid());
    let mut got = [0u8; 12];
    (&server).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hello from B");
    server.write_msg(b"welcome").unwrap();
    b.expect("got welcome");
    b.finish();
}

#[test]
fn wait_named_pipe_wakes_for_a_new_instance() {
    let _turn = serial();
    let _wd = watchdog("wait for a new instance", 60);
    isolate();
    let name = pipe_name("newinst");
    let first = options(&name, "max=2").create().unwrap();
    let _taken = PipeClient::open(&name).unwrap();
    let mut b = Kid::spawn(&format!("wait-open|{name}"));
    b.expect(&format!("first err {ERROR_PIPE_BUSY}"));
    let second = options(&name, "").create().unwrap();
    b.expect("wait ok");
    b.expect("open ok");
    second.connect().unwrap();
    let mut got = [0u8; 12];
    (&second).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hello from B");
    second.write_msg(b"second").unwrap();
    b.expect("got second");
    b.finish();
    drop(first);
}

/// A client waiting for a busy pipe whose last instance closes: the name is gone, and the wait
/// ends at once with `ERROR_FILE_NOT_FOUND` (not at its time-out, and not never: a new
/// instance of the name lives in a table the wait does not see).
#[test]
fn a_wait_ends_when_the_last_instance_closes() {
    let _turn = serial();
    let _wd = watchdog("a wait ends when the last instance closes", 60);
    isolate();
    let name = pipe_name("lastgone");
    let only = options(&name, "max=1").create().unwrap();
    let taken = PipeClient::open(&name).unwrap();
    let mut b = Kid::spawn(&format!("wait-open|{name}"));
    b.expect(&format!("first err {ERROR_PIPE_BUSY}"));
    // Let the child reach its wait (it may also find the name gone before it waits).
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    drop(taken);
    drop(only);
    b.expect(&format!("wait err {ERROR_FILE_NOT_FOUND}"));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    drop(b);
}

#[test]
fn a_client_before_connect_is_already_connected() {
    let _turn = serial();
    let _wd = watchdog("client before connect", 60);
    isolate();
    // Win32's view: ConnectNamedPipe fails with ERROR_PIPE_CONNECTED, every time.
    let name = pipe_name("early");
    let handle = ServerOptions::new(&name).create().unwrap().into_handle();
    let server = PipeHandle::of(&handle).unwrap();
    let mut kid = Kid::spawn(&format!("client-write|{name}|early|hold"));
    kid.expect("wrote");
    assert_eq!(code(server.connect()), ERROR_PIPE_CONNECTED);
    assert_eq!(code(server.connect()), ERROR_PIPE_CONNECTED);
    assert_eq!(server.peer().unwrap().0, kid.pid());
    let mut buf = [0u8; 64];
    let r = server.read(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"early");
    kid.finish();
    assert_eq!(code(server.read(&mut buf)), ERROR_BROKEN_PIPE);

    // The Rust server: connect() succeeds; a second connect() says it is connected already.
    let name = pipe_name("early2");
    let server = ServerOptions::new(&name).create().unwrap();
    let mut kid = Kid::spawn(&format!("client-write|{name}|early too|hold"));
    kid.expect("wrote");
    server.connect().unwrap();
    assert_eq!(code(server.connect()), ERROR_PIPE_CONNECTED);
    let mut got = [0u8; 9];
    (&server).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"early too");
    kid.finish();

    // A client that wrote and closed before ConnectNamedPipe: ERROR_NO_DATA, its data still
    // readable, then the pipe is broken.
    let name = pipe_name("gone");
    let handle = ServerOptions::new(&name).create().unwrap().into_handle();
    let server = PipeHandle::of(&handle).unwrap();
    Kid::spawn(&format!("client-write|{name}|left behind|close")).finish();
    assert_eq!(code(server.connect()), ERROR_NO_DATA);
    let r = server.read(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"left behind");
    assert_eq!(code(server.read(&mut buf)), ERROR_BROKEN_PIPE);
    // The same seen by the Rust server: connect() succeeds.
    let name = pipe_name("gone2");
    let server = ServerOptions::new(&name).create().unwrap();
    Kid::spawn(&format!("client-write|{name}|bye|close")).finish();
    server.connect().unwrap();
    let r = server.read_msg(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"bye");
    assert_eq!(code(server.read_msg(&mut buf)), ERROR_BROKEN_PIPE);
}

/// No-wait `ConnectNamedPipe` as Microsoft documents it (and as the project follows; Wine 8
/// differs right after a disconnect): `ERROR_PIPE_LISTENING` while no client came,
/// `ERROR_PIPE_CONNECTED` while one is there, `ERROR_NO_DATA` once it closed its end, and
/// success the first time it is called after a disconnect ("available again").
#[test]
fn nowait_server_reports_listening_then_connected() {
    let _turn = serial();
    let _wd = watchdog("no-wait connect", 60);
    isolate();
    let name = pipe_name("nowait");
    let handle = options(&name, "nowait").create().unwrap().into_handle();
    let server = PipeHandle::of(&handle).unwrap();
    assert!(server.state().nowait);
    assert_eq!(code(server.connect()), ERROR_PIPE_LISTENING);
    assert_eq!(code(server.connect()), ERROR_PIPE_LISTENING);
    let mut buf = [0u8; 64];
    assert_eq!(code(server.read(&mut buf)), ERROR_PIPE_LISTENING);
    let mut kid = Kid::spawn(&format!("client-write|{name}|nw|hold"));
    kid.expect("wrote");
    assert_eq!(code(server.connect()), ERROR_PIPE_CONNECTED);
    assert_eq!(code(server.connect()), ERROR_PIPE_CONNECTED);
    assert_eq!(server.peer().unwrap().0, kid.pid());
    let r = server.read(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"nw");
    assert_eq!(
        code(server.read(&mut buf)),
        ERROR_NO_DATA,
        "empty no-wait read"
    );
    // The client leaves; the server has not disconnected yet.
    kid.finish();
    assert_eq!(code(server.connect()), ERROR_NO_DATA);
    server.disconnect().unwrap();
    server.connect().unwrap();
    assert_eq!(code(server.connect()), ERROR_PIPE_LISTENING);
    // A client that came and went before the call.
    Kid::spawn(&format!("client-write|{name}|bye|close")).finish();
    assert_eq!(code(server.connect()), ERROR_NO_DATA);
    let r = server.read(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"bye");

    // The Rust server in no-wait mode: ERROR_PIPE_LISTENING, then Ok once a client came.
    let name = pipe_name("nowait2");
    let server = options(&name, "nowait").create().unwrap();
    assert_eq!(code(server.connect()), ERROR_PIPE_LISTENING);
    let mut kid = Kid::spawn(&format!("client-write|{name}|hi|hold"));
    kid.expect("wrote");
    server.connect().unwrap();
    assert_eq!(server.client_process_id().unwrap(), kid.pid());
    kid.finish();
    // After a disconnect the first call succeeds with no client there.
    server.disconnect().unwrap();
    server.connect().unwrap();
    assert!(server.client_process_id().is_err());
    assert_eq!(code(server.connect()), ERROR_PIPE_LISTENING);
}

#[test]
fn disconnect_drops_unread_data_and_waits_for_connect() {
    let _turn = serial();
    let _wd = watchdog("disconnect", 60);
    isolate();
    let name = pipe_name("disc");
    let server = options(&name, "max=1").create().unwrap();
    let mut a = Kid::spawn(&format!("client-probe|{name}"));
    a.expect("open ok");
    server.connect().unwrap();
    // Data each way that nobody reads.
    server.write_msg(b"unread-by-client").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.peek(&mut []).unwrap().available < 16 {
        assert!(Instant::now() < deadline, "the client's bytes never came");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.disconnect().unwrap();
    // The old client: not connected, for reads, writes and peeks.
    a.send("go");
    a.expect(&format!("read err {ERROR_PIPE_NOT_CONNECTED}"));
    a.expect(&format!("write err {ERROR_PIPE_NOT_CONNECTED}"));
    a.expect(&format!("peek err {ERROR_PIPE_NOT_CONNECTED}"));
    // The server end too, and a second disconnect.
    let mut buf = [0u8; 64];
    assert_eq!(code(server.read_msg(&mut buf)), ERROR_PIPE_NOT_CONNECTED);
    assert_eq!(code(server.write_msg(b"x")), ERROR_PIPE_NOT_CONNECTED);
    assert_eq!(code(server.disconnect()), ERROR_PIPE_NOT_CONNECTED);
    // Not listening until ConnectNamedPipe.
    assert_eq!(code(PipeClient::open(&name)), ERROR_PIPE_BUSY);
    assert_eq!(
        code(wait_named_pipe(
            &name,
            WaitTimeout::After(Duration::from_millis(200))
        )),
        ERROR_SEM_TIMEOUT
    );
    let mut b = Kid::spawn(&format!("wait-open|{name}"));
    b.expect(&format!("first err {ERROR_PIPE_BUSY}"));
    server.connect().unwrap();
    b.expect("wait ok");
    b.expect("open ok");
    // The new client sees none of the old data, and the server none of the old client's.
    let mut got = [0u8; 12];
    (&server).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hello from B");
    assert_eq!(server.peek(&mut []).unwrap().available, 0);
    server.write_msg(b"fresh").unwrap();
    b.expect("got fresh");
    b.finish();
    a.finish();
}

/// The old client's handle stays disconnected even after the instance has served the next
/// clients (NT detaches the old client's file object from the instance for good:
/// `NpSetDisconnectedPipeState` clears its context, and every later call on it fails with
/// `STATUS_PIPE_DISCONNECTED`).
#[test]
fn a_disconnected_client_stays_disconnected_after_the_next_client() {
    let _turn = serial();
    let _wd = watchdog("disconnected for good", 60);
    isolate();
    let name = pipe_name("disc2");
    let server = options(&name, "max=1").create().unwrap();
    let mut a = Kid::spawn(&format!("client-probe|{name}"));
    a.expect("open ok");
    server.connect().unwrap();
    server.disconnect().unwrap();
    a.send("go");
    a.expect(&format!("read err {ERROR_PIPE_NOT_CONNECTED}"));
    a.expect(&format!("write err {ERROR_PIPE_NOT_CONNECTED}"));
    a.expect(&format!("peek err {ERROR_PIPE_NOT_CONNECTED}"));
    // The instance takes a new client, is disconnected from it too, and takes a third.
    let mut got = [0u8; 12];
    for round in ["b", "c"] {
        let mut b = Kid::spawn(&format!("wait-open|{name}"));
        b.expect(&format!("first err {ERROR_PIPE_BUSY}"));
        server.connect().unwrap();
        b.expect("wait ok");
        b.expect("open ok");
        (&server).read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hello from B");
        server.write_msg(round.as_bytes()).unwrap();
        b.expect(&format!("got {round}"));
        b.finish();
        if round == "b" {
            assert_eq!(code(server.read_msg(&mut got)), ERROR_BROKEN_PIPE);
            server.disconnect().unwrap();
        }
    }
    // The first client is still disconnected (not merely broken).
    a.send("go2");
    a.expect(&format!("read2 err {ERROR_PIPE_NOT_CONNECTED}"));
    a.expect(&format!("write2 err {ERROR_PIPE_NOT_CONNECTED}"));
    a.expect(&format!("peek2 err {ERROR_PIPE_NOT_CONNECTED}"));
    a.finish();
}
