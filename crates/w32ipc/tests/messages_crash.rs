//! Message queues when a process dies in the middle: a receiver SIGKILLed while it handles a
//! send (plain, timed, a 64 MiB `WM_COPYDATA`) or while idle, a sender SIGKILLed while the
//! receiver handles its message, while the receiver reads its 64 MiB block, or while its send
//! still waits in the receiver's queue, and a window thread that ends with sends queued.
//!
//! What Windows does (recorded under Wine, `tests/c/pending/README.md`): the sender returns at
//! once with an error when the receiver dies; the dead process's windows are gone at once
//! (`IsWindow` FALSE, sends and posts fail with `ERROR_INVALID_WINDOW_HANDLE`, `FindWindowEx`
//! finds nothing); a receiver never notices its sender's death. Every test runs under a
//! watchdog, with unique names.

mod messages_common;

use std::io;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use messages_common::{
    ACT_HANG, ACT_SLOW_READ, Kid, M_COUNT, M_ECHO, M_HANG, M_MIX, M_SUICIDE, QueueFile, Served,
    T_BLOCK_THEN_END, checksum, code, copy_answer, fails_soon, gate, gates, mix, parse_hwnd,
    pattern, quit_on_eof, receiver, run_standard_child, say, serve, sigkill, standard_window,
    wait_gate,
};
use w32ipc::error::{ERROR_INVALID_THREAD_ID, ERROR_INVALID_WINDOW_HANDLE, Win32ErrorExt};
use w32ipc::msg::{self, Hwnd, Parent, SendFlags, WM_USER};
use w32ipc_test_support::{isolate, role, unique_name, watchdog};

const MIB64: usize = 64 << 20;

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        "std" => run_standard_child(args[1], args[2], true),
        // One send to window args[1] that never comes back (the test kills us first).
        "send-hang" => {
            let r = parse_hwnd(args[1]).send(M_HANG, 0, 0);
            say(&format!("returned {r:?}"));
        }
        // One WM_COPYDATA of pattern(args[2], args[3]) with action args[4].
        "send-block" => {
            let data = pattern(args[2].parse().unwrap(), args[3].parse().unwrap());
            let action = usize::from_str_radix(args[4], 16).unwrap();
            say("sending");
            let r = parse_hwnd(args[1]).send_copy_data(None, action, &data);
            say(&format!("returned {r:?}"));
        }
        // `args[2]` sends of M_MIX, each checked.
        "send-many" => {
            let h = parse_hwnd(args[1]);
            let n: usize = args[2].parse().unwrap();
            let failures = (0..n)
                .filter(|&i| h.send(M_MIX, i, -(i as isize)).ok() != Some(mix(i, -(i as isize))))
                .count();
            say(&format!("sent {n} failures {failures}"));
        }
        // A window on the main thread and one on a second thread, each with its own loop; the
        // second thread's loop obeys T_BLOCK_THEN_END (gates from the environment).
        "two-threads" => {
            let class = args[1].to_owned();
            let main_st = Rc::new(Served::default());
            let main_w = standard_window(&class, "main", &main_st);
            let (tx, rx) = mpsc::channel();
            let worker = std::thread::spawn(move || {
                let st = Rc::new(Served::from_env(false));
                let w = standard_window(&class, "worker", &st);
                tx.send((w.hwnd().raw(), msg::current_thread_id())).unwrap();
                serve(&st)
            });
            let (w, tid) = rx.recv().unwrap();
            quit_on_eof(msg::current_thread_id());
            say(&format!(
                "ready {:#x} {}",
                main_w.hwnd().raw(),
                msg::current_thread_id()
            ));
            say(&format!("worker {w:#x} {tid}"));
            let code = worker.join().unwrap();
            say(&format!("worker ended {code}"));
            serve(&main_st);
        }
        other => panic!("unknown role {other}"),
    }
}

/// Waits (at most 5 s) until `h` is no longer a window; returns whether it went.
fn gone_soon(h: Hwnd) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while h.is_window() {
        if Instant::now() > until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

/// Checks that window `h` (class `class`) of a dead process is gone for every call.
#[track_caller]
fn assert_window_gone(h: Hwnd, tid: u32, class: &str) {
    assert!(!h.is_window());
    assert_eq!(
        msg::find_window_ex(Parent::Message, None, Some(class), None),
        None
    );
    assert!(msg::windows(Parent::Message, Some(class), None).is_empty());
    assert_eq!(code(h.thread_process_id()), ERROR_INVALID_WINDOW_HANDLE);
    assert_eq!(code(h.send(M_ECHO, 0, 1)), ERROR_INVALID_WINDOW_HANDLE);
    assert_eq!(
        code(h.send_timeout(M_ECHO, 0, 1, SendFlags::NORMAL, Duration::from_secs(5))),
        ERROR_INVALID_WINDOW_HANDLE
    );
    assert_eq!(
        code(h.send_notify(M_ECHO, 0, 1)),
        ERROR_INVALID_WINDOW_HANDLE
    );
    assert_eq!(code(h.post(M_ECHO, 0, 1)), ERROR_INVALID_WINDOW_HANDLE);
    assert_eq!(
        code(h.send_copy_data(None, 1, b"anyone?")),
        ERROR_INVALID_WINDOW_HANDLE
    );
    // (At once: `messages_queue.rs`, `a_post_to_a_thread_of_a_reaped_process_fails_at_once`.)
    assert_eq!(
        fails_soon(|| msg::post_thread_message(tid, WM_USER, 0, 0)),
        ERROR_INVALID_THREAD_ID
    );
}

/// A receiver whose handler blocks is SIGKILLed from outside while `send` waits on it: the
/// send fails with `ERROR_INVALID_WINDOW_HANDLE` soon after the kill, and the window is gone.
fn receiver_killed_mid_send(tag: &str, send: impl FnOnce(Hwnd) -> io::Result<isize>) {
    isolate();
    let (entered, entered_name) = gate("entered");
    let (mut kid, h, tid, class) = receiver(tag, &[("W32T_ENTERED", &entered_name)]);
    let pid = kid.pid();
    let killer = std::thread::spawn(move || {
        wait_gate(&entered, "the handler");
        sigkill(pid);
        Instant::now()
    });
    let r = send(h);
    let returned = Instant::now();
    let killed_at = killer.join().unwrap();
    assert_eq!(code(r), ERROR_INVALID_WINDOW_HANDLE);
    let late = returned.saturating_duration_since(killed_at);
    assert!(
        late < Duration::from_secs(2),
        "returned {late:?} after the kill"
    );
    assert!(gone_soon(h), "the dead process's window is still a window");
    assert!(!kid.wait_exit().success());
    assert_window_gone(h, tid, &class);
}

#[test]
fn a_receiver_killed_while_it_handles_a_send_fails_the_send_at_once() {
    let _w = watchdog(
        "a_receiver_killed_while_it_handles_a_send_fails_the_send_at_once",
        30,
    );
    receiver_killed_mid_send("kill-send", |h| h.send(M_HANG, 0, 1));
}

#[test]
fn a_receiver_killed_during_a_long_send_timeout_fails_it_at_once() {
    let _w = watchdog(
        "a_receiver_killed_during_a_long_send_timeout_fails_it_at_once",
        30,
    );
    receiver_killed_mid_send("kill-timeout", |h| {
        h.send_timeout(M_HANG, 0, 1, SendFlags::NORMAL, Duration::from_secs(25))
    });
}

#[test]
fn a_receiver_killed_while_it_holds_a_64_mib_block_fails_the_send_at_once() {
    let _w = watchdog(
        "a_receiver_killed_while_it_holds_a_64_mib_block_fails_the_send_at_once",
        60,
    );
    let data = pattern(64, MIB64);
    receiver_killed_mid_send("kill-block", |h| h.send_copy_data(None, ACT_HANG, &data));
    // The same block then goes to a live receiver intact.
    let (mut kid, h, _, _) = receiver("kill-block-next", &[]);
    assert_eq!(
        h.send_copy_data(None, 3, &data).unwrap(),
        copy_answer(3, &data)
    );
    assert_eq!(kid.expect_prefix("cd ")[0], MIB64.to_string());
    kid.finish();
}

#[test]
fn a_receiver_that_kills_itself_in_its_handler_fails_the_send_at_once() {
    let _w = watchdog(
        "a_receiver_that_kills_itself_in_its_handler_fails_the_send_at_once",
        30,
    );
    isolate();
    let (mut kid, h, tid, class) = receiver("suicide", &[]);
    let t0 = Instant::now();
    let r = h.send(M_SUICIDE, 100, 0);
    let took = t0.elapsed();
    assert_eq!(code(r), ERROR_INVALID_WINDOW_HANDLE);
    assert!(
        took < Duration::from_secs(2) + Duration::from_millis(100),
        "took {took:?}"
    );
    assert!(gone_soon(h));
    assert!(!kid.wait_exit().success());
    assert_window_gone(h, tid, &class);
}

#[test]
fn a_receiver_killed_while_idle_is_gone_for_every_caller() {
    let _w = watchdog("a_receiver_killed_while_idle_is_gone_for_every_caller", 30);
    isolate();
    let (mut kid, h, tid, class) = receiver("idle", &[]);
    assert_eq!(h.send(M_ECHO, 0, 8).unwrap(), 8);
    kid.kill();
    let t0 = Instant::now();
    assert_window_gone(h, tid, &class);
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_sender_killed_while_the_receiver_handles_its_message_leaves_the_receiver_serving() {
    let _w = watchdog(
        "a_sender_killed_while_the_receiver_handles_its_message_leaves_the_receiver_serving",
        40,
    );
    isolate();
    let (entered, go, names) = gates();
    let (rx, h, _, _) = receiver("sender-dies", &names.env());
    let before = h.send(M_COUNT, 0, 0).unwrap();
    let mut sender = Kid::spawn(&format!("send-hang|{:#x}", h.raw()), &[]);
    wait_gate(&entered, "the sender's message in the handler");
    sender.kill();
    go.set().unwrap();
    // The handler ended, its answer went nowhere; the receiver serves us and others.
    assert_eq!(h.send(M_ECHO, 0, -5).unwrap(), -5);
    assert_eq!(h.send(M_COUNT, 0, 0).unwrap(), before + 2);
    let mut other = Kid::spawn(&format!("send-many|{:#x}|200", h.raw()), &[]);
    assert_eq!(other.line(), "sent 200 failures 0");
    other.finish();
    assert_eq!(h.send(M_COUNT, 0, 0).unwrap(), before + 202);
    rx.finish();
}

#[test]
fn a_sender_killed_while_its_64_mib_block_is_read_leaves_the_block_readable() {
    let _w = watchdog(
        "a_sender_killed_while_its_64_mib_block_is_read_leaves_the_block_readable",
        60,
    );
    isolate();
    let (entered, go, names) = gates();
    let (mut rx, h, _, _) = receiver("block-sender-dies", &names.env());
    let mut sender = Kid::spawn(
        &format!("send-block|{:#x}|77|{MIB64}|{ACT_SLOW_READ:x}", h.raw()),
        &[],
    );
    sender.expect_prefix("sending");
    // The receiver has read half the block and waits: kill the sender, then let it read on.
    wait_gate(&entered, "the receiver reading the block");
    sender.kill();
    go.set().unwrap();
    let want = checksum(&pattern(77, MIB64));
    let w = rx.expect_prefix("cd ");
    assert_eq!(w[0], MIB64.to_string());
    assert_eq!(
        w[3],
        format!("{want:#x}"),
        "the block as read after the kill"
    );
    // The receiver goes on serving blocks and messages.
    let data = pattern(78, 1 << 20);
    assert_eq!(
        h.send_copy_data(None, 12, &data).unwrap(),
        copy_answer(12, &data)
    );
    assert_eq!(rx.expect_prefix("cd ")[0], (1 << 20).to_string());
    let mut other = Kid::spawn(&format!("send-many|{:#x}|100", h.raw()), &[]);
    assert_eq!(other.line(), "sent 100 failures 0");
    other.finish();
    rx.finish();
}

#[test]
fn a_sender_killed_while_its_send_waits_in_the_queue_leaves_the_receiver_serving() {
    let _w = watchdog(
        "a_sender_killed_while_its_send_waits_in_the_queue_leaves_the_receiver_serving",
        40,
    );
    isolate();
    let (entered, go, names) = gates();
    let (rx, h, tid, _) = receiver("queued-sender-dies", &names.env());
    let q = QueueFile::open(tid);
    h.post(M_HANG, 0, 0).unwrap();
    wait_gate(&entered, "the busy handler");
    // Two senders queue behind the busy handler, a message and a 4 MiB block; both die.
    let mut s1 = Kid::spawn(&format!("send-hang|{:#x}", h.raw()), &[]);
    q.wait_ctl_pending(1);
    let mut s2 = Kid::spawn(&format!("send-block|{:#x}|5|{}|7", h.raw(), 4 << 20), &[]);
    q.wait_ctl_pending(2);
    s1.kill();
    s2.kill();
    go.set().unwrap();
    assert_eq!(h.send(M_ECHO, 0, 99).unwrap(), 99);
    let data = pattern(6, 4 << 20);
    assert_eq!(
        h.send_copy_data(None, 8, &data).unwrap(),
        copy_answer(8, &data)
    );
    q.wait_ctl_drained();
    rx.finish();
}

#[test]
fn a_window_thread_that_ends_with_sends_queued_fails_them_and_its_process_goes_on() {
    let _w = watchdog(
        "a_window_thread_that_ends_with_sends_queued_fails_them_and_its_process_goes_on",
        40,
    );
    isolate();
    let (entered, go, names) = gates();
    let class = unique_name("thread-ends");
    let mut kid = Kid::spawn(&format!("two-threads|{class}"), &names.env());
    let (main_w, _) = kid.ready();
    let w = kid.expect_prefix("worker ");
    let (worker_w, worker_tid) = (parse_hwnd(&w[0]), w[1].parse::<u32>().unwrap());
    assert_eq!(worker_w.send(M_ECHO, 0, 4).unwrap(), 4);
    // The worker thread blocks outside any message call, then ends without pumping again:
    // the send queued meanwhile fails when the thread goes.
    msg::post_thread_message(worker_tid, T_BLOCK_THEN_END, 3, 0).unwrap();
    wait_gate(&entered, "the blocked worker");
    let q = QueueFile::open(worker_tid);
    let opener = std::thread::spawn(move || {
        q.wait_ctl_pending(1);
        go.set().unwrap();
        Instant::now()
    });
    let r = worker_w.send(M_ECHO, 0, 5);
    let returned = Instant::now();
    let opened = opener.join().unwrap();
    assert_eq!(
        r.map_err(|e| e.win32_code()),
        Err(ERROR_INVALID_WINDOW_HANDLE)
    );
    assert!(returned.saturating_duration_since(opened) < Duration::from_secs(2));
    assert_eq!(kid.line(), "worker ended 3");
    assert!(gone_soon(worker_w));
    assert_eq!(
        code(worker_w.send(M_ECHO, 0, 1)),
        ERROR_INVALID_WINDOW_HANDLE
    );
    assert_eq!(
        code(msg::post_thread_message(worker_tid, WM_USER, 0, 0)),
        ERROR_INVALID_THREAD_ID
    );
    assert_eq!(
        msg::windows(Parent::Message, Some(&class), None),
        vec![main_w]
    );
    // The process's other thread serves as before.
    assert_eq!(main_w.send(M_ECHO, 0, 6).unwrap(), 6);
    kid.finish();
}
