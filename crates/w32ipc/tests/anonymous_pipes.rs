//! Anonymous pipes between real processes: inheritance, partial reads, end of data, a full
//! pipe, a writer killed mid-write. Every test runs under a watchdog.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::Duration;

use w32ipc::error::{ERROR_BROKEN_PIPE, ERROR_INVALID_HANDLE, ERROR_NO_DATA, Win32ErrorExt};
use w32ipc::object::AsHandleValue;
use w32ipc::pipe::{PipeReader, PipeWriter, create_pipe, pipe};
use w32ipc::process::{CommandExt, Process};
use w32ipc::{Handle, HandleValue, ObjectKind};
use w32ipc_test_support::{role, self_child, watchdog};

const CHILD: &str = "child_main";

/// The child side of every test: the role says what to do with which handle value.
#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let (what, value) = r.split_once(':').unwrap();
    let value: HandleValue = value.parse().unwrap();
    match what {
        // Write a greeting through an inherited write end.
        "write" => {
            // SAFETY: the parent passed this handle for our sole use.
            let w = unsafe { PipeWriter::from_inherited(value) }.unwrap();
            w.write_file(b"hello from the child").unwrap();
        }
        // Report whether a handle value is usable here.
        "probe" => {
            // SAFETY: as above.
            match unsafe { Handle::from_inherited(value) } {
                Ok(h) => println!("usable {:?}", h.kind().unwrap()),
                Err(e) => println!("error {}", e.win32_code()),
            }
        }
        // Write `n` bytes, then exit.
        w if w.starts_with("flood") => {
            let n: usize = w["flood".len()..].parse().unwrap();
            // SAFETY: as above.
            let w = unsafe { PipeWriter::from_inherited(value) }.unwrap();
            let chunk = vec![0xA5u8; 64 * 1024];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len());
                w.write_file(&chunk[..k]).unwrap();
                left -= k;
            }
        }
        // Write forever (until killed).
        "forever" => {
            // SAFETY: as above.
            let w = unsafe { PipeWriter::from_inherited(value) }.unwrap();
            let chunk = vec![7u8; 4096];
            loop {
                if w.write_file(&chunk).is_err() {
                    std::process::exit(3);
                }
            }
        }
        // Accept handles from other processes; write through the one whose value comes on stdin.
        "accept" => {
            w32ipc::process::accept_duplicated_handles().unwrap();
            println!("ready");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).unwrap();
            let v: HandleValue = line.trim().parse().unwrap();
            // SAFETY: the parent gave this handle to us alone.
            let w = unsafe { PipeWriter::from_inherited(v) }.unwrap();
            w.write_file(b"pushed").unwrap();
        }
        other => panic!("unknown role {other}"),
    }
}

fn child(role: &str, inherit: &dyn AsHandleValue) -> Process {
    self_child(CHILD, role)
        .stdout(Stdio::null())
        .inherit_handle(inherit)
        .spawn_process()
        .unwrap()
}

#[test]
fn inheritable_end_reaches_the_child() {
    let _wd = watchdog("inherit", 30);
    let (r, w) = pipe().unwrap();
    let c = child(&format!("write:{}", w.handle_value()), &w);
    drop(w);
    let mut got = String::new();
    (&r).read_to_string(&mut got).unwrap();
    assert_eq!(got, "hello from the child");
    assert_eq!(c.wait().unwrap(), 0);
}

#[test]
fn non_inheritable_end_is_not_usable_in_the_child() {
    let _wd = watchdog("no inherit", 30);
    let (r, w) = create_pipe(0, false).unwrap();
    // Started with inheritance of inheritable handles only, as CreateProcess(bInherit=TRUE).
    let out = self_child(CHILD, &format!("probe:{}", w.handle_value()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("error {ERROR_INVALID_HANDLE}")),
        "child output: {text}"
    );
    // Made inheritable, the same value is usable there.
    w.set_inheritable(true).unwrap();
    let out = self_child(CHILD, &format!("probe:{}", w.handle_value()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("usable PipeWrite"), "child output: {text}");
    drop(r);
}

#[test]
fn inherit_no_handles_withholds_even_inheritable_ones() {
    let _wd = watchdog("bInheritHandles=FALSE", 30);
    let (_r, w) = create_pipe(0, true).unwrap();
    let out = self_child(CHILD, &format!("probe:{}", w.handle_value()))
        .inherit_no_handles()
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("error {ERROR_INVALID_HANDLE}")),
        "child output: {text}"
    );
}

#[test]
fn reads_return_what_is_there() {
    let _wd = watchdog("partial reads", 10);
    let (r, w) = pipe().unwrap();
    w.write_file(b"abc").unwrap();
    let mut buf = [0u8; 100];
    assert_eq!(r.read_file(&mut buf).unwrap(), 3);
    w.write_file(b"hello").unwrap();
    assert_eq!(r.read_file(&mut buf[..2]).unwrap(), 2);
    assert_eq!(r.read_file(&mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"llo");
    w.write_file(b"z").unwrap();
    assert_eq!(
        r.read_file(&mut []).unwrap(),
        0,
        "zero-length read, data there"
    );
    assert_eq!(r.available().unwrap(), 1, "and it leaves the data");
}

#[test]
fn end_of_data_is_broken_pipe_after_the_drain() {
    let _wd = watchdog("broken pipe", 30);
    let (r, w) = pipe().unwrap();
    let c = child(&format!("flood{}:{}", 100_000, w.handle_value()), &w);
    drop(w);
    let mut total = 0;
    let mut buf = vec![0u8; 30_000];
    let err = loop {
        match r.read_file(&mut buf) {
            Ok(n) => total += n,
            Err(e) => break e,
        }
    };
    assert_eq!(total, 100_000);
    assert_eq!(err.win32_code(), ERROR_BROKEN_PIPE);
    assert_eq!(
        r.read_file(&mut []).unwrap_err().win32_code(),
        ERROR_BROKEN_PIPE
    );
    assert_eq!(
        r.peek(&mut buf).unwrap_err().win32_code(),
        ERROR_BROKEN_PIPE
    );
    assert_eq!(c.wait().unwrap(), 0);
}

#[test]
fn writes_fail_with_no_data_once_the_reader_is_gone() {
    let _wd = watchdog("no data", 10);
    let (r, w) = pipe().unwrap();
    drop(r);
    assert_eq!(w.write_file(b"x").unwrap_err().win32_code(), ERROR_NO_DATA);
    assert_eq!(w.write_file(b"").unwrap_err().win32_code(), ERROR_NO_DATA);
}

#[test]
fn writer_blocks_while_full_and_resumes() {
    let _wd = watchdog("full pipe", 30);
    let (r, w) = pipe().unwrap();
    let cap = r.capacity().unwrap();
    let n = cap * 4;
    let c = child(&format!("flood{n}:{}", w.handle_value()), &w);
    drop(w);
    // The child cannot finish: the pipe holds a quarter of what it writes.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        c.exit_code().unwrap(),
        None,
        "writer finished into a full pipe"
    );
    assert_eq!(r.available().unwrap(), cap, "the pipe is full");
    let mut sink = Vec::new();
    (&r).read_to_end(&mut sink).unwrap();
    assert_eq!(sink.len(), n);
    assert!(sink.iter().all(|&b| b == 0xA5));
    assert_eq!(c.wait().unwrap(), 0);
}

#[test]
fn writer_killed_mid_write_leaves_its_data_then_broken_pipe() {
    let _wd = watchdog("SIGKILL mid-write", 30);
    let (r, w) = pipe().unwrap();
    let c = child(&format!("forever:{}", w.handle_value()), &w);
    drop(w);
    let mut buf = vec![0u8; 8192];
    let mut total = r.read_file(&mut buf).unwrap();
    c.terminate(9).unwrap();
    assert_eq!(c.wait().unwrap(), 9, "TerminateProcess's exit code");
    let err = loop {
        match r.read_file(&mut buf) {
            Ok(n) => {
                assert!(buf[..n].iter().all(|&b| b == 7));
                total += n;
            }
            Err(e) => break e,
        }
    };
    assert!(total > 0);
    assert_eq!(err.win32_code(), ERROR_BROKEN_PIPE);
}

#[test]
fn size_hint_is_honoured() {
    let _wd = watchdog("size hints", 10);
    let (r, _w) = create_pipe(1 << 20, false).unwrap();
    assert!(r.capacity().unwrap() >= 1 << 20);
    let (r, _w) = create_pipe(0, false).unwrap();
    assert!(r.capacity().unwrap() >= 4096);
    let (r, _w) = create_pipe(100_000, false).unwrap();
    assert!(r.capacity().unwrap() >= 100_000);
}

#[test]
fn peek_leaves_the_data() {
    let _wd = watchdog("peek", 10);
    let (r, mut w) = pipe().unwrap();
    w.write_all(b"hello").unwrap();
    let mut buf = [0u8; 3];
    assert_eq!(r.peek(&mut buf).unwrap(), (3, 5));
    assert_eq!(&buf, b"hel");
    let mut all = [0u8; 16];
    assert_eq!(r.read_file(&mut all).unwrap(), 5);
    assert_eq!(&all[..5], b"hello");
    assert_eq!(r.peek(&mut buf).unwrap(), (0, 0));
}

#[test]
fn ends_as_standard_handles_of_a_child() {
    let _wd = watchdog("stdio", 30);
    let (in_r, mut in_w) = pipe().unwrap();
    let (out_r, out_w) = pipe().unwrap();
    let mut c = std::process::Command::new("tr")
        .arg("a-z")
        .arg("A-Z")
        .stdin(Stdio::from(in_r))
        .stdout(Stdio::from(out_w))
        .spawn()
        .unwrap();
    in_w.write_all(b"shout\n").unwrap();
    drop(in_w);
    let mut got = String::new();
    (&out_r).read_to_string(&mut got).unwrap();
    assert_eq!(got, "SHOUT\n");
    assert!(c.wait().unwrap().success());
}

#[test]
fn kinds_are_found_from_the_handle_alone() {
    let _wd = watchdog("kinds", 10);
    let (r, w) = pipe().unwrap();
    assert_eq!(r.as_handle().kind().unwrap(), ObjectKind::PipeRead);
    assert_eq!(w.as_handle().kind().unwrap(), ObjectKind::PipeWrite);
    let p = Process::open(std::process::id()).unwrap();
    assert_eq!(p.into_handle().kind().unwrap(), ObjectKind::Process);
    assert!(PipeReader::from_handle(w.into_handle()).is_err());
}

#[test]
fn duplicate_a_handle_out_of_another_process() {
    let _wd = watchdog("pidfd_getfd", 30);
    let (r, w) = create_pipe(0, false).unwrap();
    let c = child(&format!("forever:{}", w.handle_value()), &w);
    let value = w.handle_value();
    drop(w);
    let mut buf = [0u8; 16];
    assert!(r.read_file(&mut buf).unwrap() > 0, "the child runs");
    // Take the child's write end (same value there) out of it.
    let dup = c.duplicate_handle_from(value, false).unwrap();
    assert_eq!(dup.kind().unwrap(), ObjectKind::PipeWrite);
    c.terminate(1).unwrap();
    c.wait().unwrap();
    // Our duplicate keeps the pipe open: after the drain, no broken pipe while we hold it.
    let mut left = r.available().unwrap();
    let mut sink = vec![0u8; 65536];
    while left > 0 {
        left -= r.read_file(&mut sink[..left.min(65536)]).unwrap();
    }
    let dup = PipeWriter::from_handle(dup).unwrap();
    dup.write_file(b"still open").unwrap();
    assert_eq!(r.read_file(&mut sink).unwrap(), 10);
    assert_eq!(
        c.duplicate_handle_from(value, false)
            .unwrap_err()
            .win32_code(),
        ERROR_INVALID_HANDLE,
        "the process is gone"
    );
}

#[test]
fn duplicate_a_handle_into_another_process() {
    use std::io::{BufRead, BufReader};
    let _wd = watchdog("DuplicateHandle into a child", 30);
    let (r, w) = create_pipe(0, false).unwrap();
    let mut cmd = self_child(CHILD, "accept:0");
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let p = Process::open(child.id()).unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let ready = out
        .by_ref()
        .lines()
        .map_while(Result::ok)
        .any(|l| l == "ready");
    assert!(ready);
    let value = p.duplicate_handle_into(w.as_handle(), false).unwrap();
    drop(w);
    writeln!(child.stdin.as_mut().unwrap(), "{value}").unwrap();
    let mut got = String::new();
    (&r).read_to_string(&mut got).unwrap();
    assert_eq!(got, "pushed");
    assert!(child.wait().unwrap().success());
    // A process that does not accept handles refuses them.
    let mut plain = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    let p = Process::open(plain.id()).unwrap();
    let (_r2, w2) = pipe().unwrap();
    let err = p.duplicate_handle_into(w2.as_handle(), false).unwrap_err();
    assert_eq!(err.win32_code(), w32ipc::error::ERROR_ACCESS_DENIED);
    plain.kill().unwrap();
    plain.wait().unwrap();
}

#[test]
fn closing_the_handle_of_an_ended_child_reaps_it() {
    let _wd = watchdog("reap on close", 30);
    let c = std::process::Command::new("true").spawn_process().unwrap();
    let pid = c.id();
    let other = Process::open(pid).unwrap();
    let h = c.into_handle();
    w32ipc::sync::wait_one(&h, None).unwrap();
    let state = || std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    assert!(state().contains("zombie"), "ended, not yet reaped");
    drop(h);
    assert!(!state().contains("zombie"), "child {pid} left as a zombie");
    // The other handle still gives the exit code.
    assert_eq!(other.exit_code().unwrap(), Some(0));
}
