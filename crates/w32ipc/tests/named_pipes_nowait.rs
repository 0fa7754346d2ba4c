//! No-wait writes never wait: a byte pipe takes what fits, a message that does not fit is not
//! written, and the reader only ever sees whole messages.

use std::io::Write;

use w32ipc::npipe::{PipeClient, PipeMode, ServerOptions};
use w32ipc_test_support::{isolate, unique_name, watchdog};

fn name(tag: &str) -> String {
    format!(r"\\.\pipe\{}", unique_name(tag))
}

#[test]
fn nowait_byte_writes_take_what_fits_and_never_block() {
    let _wd = watchdog("no-wait byte writes", 60);
    isolate();
    let name = name("nowait-bytes");
    let server = ServerOptions::new(&name)
        .nowait(true)
        .buffer_sizes(4096, 4096)
        .create()
        .unwrap();
    let client = PipeClient::open(&name).unwrap();
    let chunk = vec![7u8; 64 * 1024];
    let mut total = 0usize;
    let mut partial = false;
    // Nobody reads: the socket fills, and then writes take less (finally nothing).
    for _ in 0..64 {
        let n = (&server).write(&chunk).unwrap();
        total += n;
        if n < chunk.len() {
            partial = true;
        }
        if n == 0 {
            break;
        }
    }
    assert!(
        partial,
        "a full no-wait byte pipe must take less than asked"
    );
    assert!(server.write_msg(&chunk).is_err());
    // Everything that was accepted arrives.
    let mut got = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    client.set_nowait(true);
    while let Ok(r) = client.read_msg(&mut buf) {
        assert!(buf[..r.len].iter().all(|&b| b == 7));
        got += r.len;
    }
    assert_eq!(got, total);
}

#[test]
fn nowait_messages_are_whole_or_not_written() {
    let _wd = watchdog("no-wait message writes", 60);
    isolate();
    let name = name("nowait-msgs");
    let server = ServerOptions::new(&name)
        .pipe_type(PipeMode::Message)
        .read_mode(PipeMode::Message)
        .nowait(true)
        .create()
        .unwrap();
    let client = PipeClient::open(&name).unwrap();
    client.set_read_mode(PipeMode::Message).unwrap();
    let mut written = 0u32;
    let mut refused = false;
    for i in 0..10_000u32 {
        let mut msg = vec![0u8; 10_000];
        msg[..4].copy_from_slice(&i.to_le_bytes());
        match (&server).write(&msg).unwrap() {
            0 => {
                refused = true;
                break;
            }
            n => assert_eq!(n, msg.len(), "a message is written whole"),
        }
        written += 1;
    }
    assert!(refused, "a full no-wait message pipe must refuse a message");
    let e = server.write_msg(&[1u8; 10_000]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    let mut buf = vec![0u8; 20_000];
    for i in 0..written {
        let r = client.read_msg(&mut buf).unwrap();
        assert_eq!((r.len, r.more), (10_000, false));
        assert_eq!(u32::from_le_bytes(buf[..4].try_into().unwrap()), i);
    }
}
