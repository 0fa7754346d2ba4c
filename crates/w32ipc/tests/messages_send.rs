//! `SendMessage` between processes: results (negative and 64-bit), `InSendMessage`,
//! `ReplyMessage`, two processes sending to each other at the same time, sends nested twenty
//! levels deep across two processes, and `SendMessageTimeout` against a receiver that is busy
//! in a handler or does not pump at all (and what becomes of the message that timed out).
//!
//! Expected results follow Windows as recorded under Wine (`tests/c/pending/README.md`,
//! `msg_send_cross.c`, `msg_reentrant.c`). Every test runs under a watchdog, with unique
//! names; the other process is a child of this test binary (`child_main`).

mod messages_common;

use std::rc::Rc;
use std::time::{Duration, Instant};

use messages_common::{
    M_COUNT, M_ECHO, M_ECHO_W, M_HANG, M_INSEND, M_MIX, M_NEST, M_PROBE, M_PROBED, M_REPLY_EARLY,
    M_STORM, M_TID, PROBE_DONE, PROBE_GO, PROBE_INSEND, PROBE_REPLIED, Served, T_BLOCK, code,
    copy_answer, gate, gates, mix, nest_value, pattern, receiver, run_standard_child,
    standard_window, wait_gate,
};
use w32ipc::error::{ERROR_TIMEOUT, Win32ErrorExt};
use w32ipc::msg::{self, Filter, Hwnd, SendFlags};
use w32ipc_test_support::{isolate, role, unique_name, watchdog};

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        // The usual receiver: one window of class args[1], title args[2].
        "std" => run_standard_child(args[1], args[2], false),
        other => panic!("unknown role {other}"),
    }
}

/// Asks `h` (a standard window) until its last probe is recorded (a posted probe is handled
/// after the sends the loop serves first).
fn probed(h: Hwnd) -> isize {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let p = h.send(M_PROBED, 0, 0).unwrap();
        if p & PROBE_DONE != 0 || Instant::now() > until {
            return p;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn send_returns_the_receivers_results_between_processes() {
    let _w = watchdog("send_returns_the_receivers_results_between_processes", 30);
    isolate();
    let (kid, h, tid, class) = receiver("results", &[]);
    assert_eq!(
        msg::find_window_ex(msg::Parent::Message, None, Some(&class), Some("rx")),
        Some(h)
    );
    assert_eq!(h.thread_process_id().unwrap(), (tid, kid.pid()));
    assert_ne!(tid, msg::current_thread_id());
    // lParam and the result are 64-bit signed values; wParam a 64-bit unsigned one.
    let values = [
        0,
        1,
        -1,
        isize::MIN,
        isize::MAX,
        0x1234_5678_9abc_def0,
        -0x0fed_cba9_8765_4321,
        i32::MIN as isize - 1,
        u32::MAX as isize + 1,
    ];
    for v in values {
        assert_eq!(h.send(M_ECHO, 0, v).unwrap(), v, "echo of lParam {v:#x}");
    }
    for w in [0usize, usize::MAX, 1 << 63, 0xdead_beef_cafe_f00d] {
        assert_eq!(
            h.send(M_ECHO_W, w, 0).unwrap(),
            w as isize,
            "echo of wParam"
        );
    }
    for (i, v) in values.iter().enumerate() {
        let w = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        assert_eq!(h.send(M_MIX, w, *v).unwrap(), mix(w, *v));
    }
    // The procedure runs on the window's own thread, in the other process.
    assert_eq!(h.send(M_TID, 0, 0).unwrap(), tid as isize);
    // SendMessageTimeout with time to spare gives the same results, whatever the flags.
    for flags in [
        SendFlags::NORMAL,
        SendFlags::BLOCK,
        SendFlags::ABORT_IF_HUNG,
        SendFlags::NO_TIMEOUT_IF_NOT_HUNG,
        SendFlags::ABORT_IF_HUNG | SendFlags::BLOCK,
    ] {
        let r = h.send_timeout(M_ECHO, 0, -42, flags, Duration::from_secs(10));
        assert_eq!(r.unwrap(), -42, "flags {flags:?}");
    }
    // SendNotifyMessage returns at once; the messages are handled, in order, before a later
    // send from the same thread.
    let before = h.send(M_COUNT, 0, 0).unwrap();
    for i in 0..10 {
        h.send_notify(M_ECHO, 0, i).unwrap();
    }
    assert_eq!(h.send(M_COUNT, 0, 0).unwrap(), before + 10);
    let rest = kid.finish();
    assert_eq!(rest, vec!["handled 38 exit 0".to_owned()]);
}

#[test]
fn in_send_message_is_true_for_a_send_from_another_process_only() {
    let _w = watchdog(
        "in_send_message_is_true_for_a_send_from_another_process_only",
        30,
    );
    isolate();
    let (kid, h, _, _) = receiver("insend", &[]);
    assert_eq!(h.send(M_INSEND, 0, 0).unwrap(), 1);
    assert_eq!(
        h.send_timeout(M_INSEND, 0, 0, SendFlags::NORMAL, Duration::from_secs(10))
            .unwrap(),
        1
    );
    // Posted: InSendMessage FALSE, and ReplyMessage FALSE (nobody to reply to).
    h.post(M_PROBE, 0, 0).unwrap();
    assert_eq!(probed(h), PROBE_DONE);
    // Sent: both TRUE, and the sender gets the replied 5, not the procedure's 0.
    assert_eq!(h.send(M_PROBE, 0, 0).unwrap(), 5);
    assert_eq!(
        h.send(M_PROBED, 0, 0).unwrap(),
        PROBE_DONE | PROBE_INSEND | PROBE_REPLIED
    );
    // On the window's own thread a send is a plain call: InSendMessage FALSE.
    let st = Rc::new(Served::default());
    let mine = standard_window(&unique_name("insend-own"), "own", &st);
    assert_eq!(mine.hwnd().send(M_INSEND, 0, 0).unwrap(), 0);
    assert!(!msg::in_send_message());
    assert!(!msg::reply_message(1));
    kid.finish();
}

#[test]
fn reply_message_lets_the_sender_go_on_while_the_handler_runs() {
    let _w = watchdog(
        "reply_message_lets_the_sender_go_on_while_the_handler_runs",
        30,
    );
    isolate();
    let (go, go_name) = gate("go");
    let (kid, h, _, _) = receiver("reply", &[("W32T_GO", &go_name)]);
    // The handler replies 55 and then waits for `go`, which is set only once the send has
    // returned: the send can only come back through the early reply.
    let r = h.send_timeout(
        M_REPLY_EARLY,
        0,
        55,
        SendFlags::NORMAL,
        Duration::from_secs(15),
    );
    assert_eq!(r.unwrap(), 55);
    // The handler is still running: the window's thread answers nothing meanwhile.
    let r = h.send_timeout(
        M_PROBED,
        0,
        0,
        SendFlags::NORMAL,
        Duration::from_millis(200),
    );
    assert_eq!(code(r), ERROR_TIMEOUT);
    go.set().unwrap();
    // The handler saw `go` (it was still running when the send returned) and its own result
    // (77) went nowhere.
    assert_eq!(
        h.send(M_PROBED, 0, 0).unwrap(),
        PROBE_DONE | PROBE_REPLIED | PROBE_GO
    );
    kid.finish();
}

#[test]
fn two_processes_sending_to_each_other_at_once_do_not_deadlock() {
    let _w = watchdog(
        "two_processes_sending_to_each_other_at_once_do_not_deadlock",
        60,
    );
    isolate();
    let st = Rc::new(Served::default());
    let a = standard_window(&unique_name("mutual-a"), "a", &st);
    let (kid, b, _, _) = receiver("mutual-b", &[]);
    const N: isize = 400;
    // Both handlers start sending to the other window at the same moment: each thread is
    // waiting in its own SendMessage while the other's sends arrive.
    b.post(M_STORM, a.hwnd().raw(), N).unwrap();
    a.hwnd().post(M_STORM, b.raw(), N).unwrap();
    let mut own = None;
    while own.is_none() || st.done.borrow().is_empty() {
        let m = msg::get_message(Filter::all()).unwrap();
        assert!(!m.is_quit());
        let r = msg::dispatch_message(&m);
        if m.message == M_STORM {
            own = Some(r);
        }
    }
    assert_eq!(own, Some(0), "our sends to the child all came back right");
    assert_eq!(*st.done.borrow(), vec![(0, N)], "the child's sends to us");
    // Every message was handled once: the child's N/4 nested sends and ours each made our
    // window handle two levels, its other sends one each; then the two posted messages.
    assert_eq!(st.handled.get() as isize, 3 * N / 4 + N / 2 + N / 2 + 2);
    kid.finish();
}

#[test]
fn a_thread_waiting_in_send_serves_sends_but_keeps_posted_messages() {
    let _w = watchdog(
        "a_thread_waiting_in_send_serves_sends_but_keeps_posted_messages",
        30,
    );
    isolate();
    let st = Rc::new(Served::default());
    let a = standard_window(&unique_name("keep-a"), "a", &st);
    let (kid, b, _, _) = receiver("keep-b", &[]);
    // The child's handler sends 8 messages back to us (served inside our send), then posts
    // M_DONE to us: still in our queue when the send returns, not dispatched by it.
    assert_eq!(b.send(M_STORM, a.hwnd().raw(), 8).unwrap(), 0);
    assert_eq!(st.handled.get(), 6 + 2 * 2);
    assert!(st.done.borrow().is_empty());
    let m = msg::peek_message(Filter::all(), true).unwrap().unwrap();
    assert_eq!(
        (m.hwnd, m.message, m.wparam, m.lparam),
        (Some(a.hwnd()), messages_common::M_DONE, 0, 8)
    );
    assert!(msg::peek_message(Filter::all(), true).unwrap().is_none());
    kid.finish();
}

#[test]
fn sends_nest_twenty_levels_deep_across_two_processes() {
    let _w = watchdog("sends_nest_twenty_levels_deep_across_two_processes", 30);
    isolate();
    let st = Rc::new(Served::default());
    let a = standard_window(&unique_name("nest-a"), "a", &st);
    let (kid, b, _, _) = receiver("nest-b", &[]);
    // Each level checks that it runs on its window's own thread, inside a send from the other
    // process, and asks the other window for the level below: parent -> child -> parent ...
    for depth in [0, 1, 2, 7, 20, 24] {
        let before = st.handled.get();
        assert_eq!(
            b.send(M_NEST, a.hwnd().raw(), depth).unwrap(),
            nest_value(depth),
            "depth {depth}"
        );
        assert_eq!(st.handled.get() - before, (depth as u64).div_ceil(2));
    }
    // Timed sends nest the same way.
    let r = b.send_timeout(
        M_NEST,
        a.hwnd().raw(),
        13,
        SendFlags::NORMAL,
        Duration::from_secs(10),
    );
    assert_eq!(r.unwrap(), nest_value(13));
    kid.finish();
}

#[test]
fn send_timeout_to_a_handler_that_does_not_return() {
    let _w = watchdog("send_timeout_to_a_handler_that_does_not_return", 40);
    isolate();
    let (entered, go, names) = gates();
    let (kid, h, _, _) = receiver("busy", &names.env());
    // The receiver is busy in a handler until `go`.
    h.post(M_HANG, 0, 0).unwrap();
    wait_gate(&entered, "the busy handler");
    let timeout = Duration::from_millis(300);
    for flags in [
        SendFlags::NORMAL,
        SendFlags::BLOCK,
        SendFlags::ABORT_IF_HUNG | SendFlags::BLOCK,
    ] {
        let t0 = Instant::now();
        let r = h.send_timeout(M_ECHO, 0, 111, flags, timeout);
        let took = t0.elapsed();
        assert_eq!(code(r), ERROR_TIMEOUT, "flags {flags:?}");
        assert!(took >= timeout, "gave up early: {took:?}");
        assert!(took < timeout + Duration::from_secs(2), "took {took:?}");
    }
    let t0 = Instant::now();
    let r = h.send_copy_data_timeout(None, 9, &pattern(1, 4096), SendFlags::NORMAL, timeout);
    assert_eq!(code(r), ERROR_TIMEOUT);
    assert!(t0.elapsed() < timeout + Duration::from_secs(2));
    go.set().unwrap();
    // Once the thread pumps again it is fine, and no late answer to a timed-out send is
    // mistaken for the answer to a later one.
    assert_eq!(h.send(M_ECHO, 0, 222).unwrap(), 222);
    assert_eq!(h.send(M_ECHO, 0, -333).unwrap(), -333);
    kid.finish();
}

/// What Windows does with a message whose `SendMessageTimeout` gave up (Raymond Chen, "What
/// happens to a sent message when SendMessageTimeout reaches its timeout?", The Old New Thing,
/// 2011-09-15): if the receiver had not taken it yet, the send is cancelled and the message
/// never delivered; if its handler was already running, it runs to completion.
#[test]
fn a_send_that_timed_out_before_the_receiver_took_it_is_never_delivered() {
    let _w = watchdog(
        "a_send_that_timed_out_before_the_receiver_took_it_is_never_delivered",
        40,
    );
    isolate();
    let (entered, go, names) = gates();
    let (kid, h, _, _) = receiver("cancel", &names.env());
    let before = h.send(M_COUNT, 0, 0).unwrap();
    // Case 2: the handler runs when the time-out comes; it goes on to the end.
    let r = h.send_timeout(M_HANG, 0, 0, SendFlags::NORMAL, Duration::from_millis(300));
    assert_eq!(code(r), ERROR_TIMEOUT);
    wait_gate(&entered, "the handler");
    // Case 1: these wait behind it and time out before the receiver takes them.
    let t = Duration::from_millis(200);
    for flags in [SendFlags::NORMAL, SendFlags::BLOCK] {
        assert_eq!(code(h.send_timeout(M_ECHO, 0, 1, flags, t)), ERROR_TIMEOUT);
    }
    let block = pattern(3, 1000);
    let r = h.send_copy_data_timeout(None, 1, &block, SendFlags::NORMAL, t);
    assert_eq!(code(r), ERROR_TIMEOUT);
    go.set().unwrap();
    assert_eq!(h.send(M_ECHO, 0, 2).unwrap(), 2);
    // Handled: the hang (to its end) and the last echo; none of the cancelled three.
    assert_eq!(h.send(M_COUNT, 0, 0).unwrap(), before + 2);
    kid.finish();
}

#[test]
fn send_timeout_to_a_thread_that_does_not_pump() {
    let _w = watchdog("send_timeout_to_a_thread_that_does_not_pump", 40);
    isolate();
    let (entered, go, names) = gates();
    let (kid, h, tid, _) = receiver("nopump", &names.env());
    // The receiver's thread blocks outside any message call (in its loop, on a thread
    // message) until `go`.
    msg::post_thread_message(tid, T_BLOCK, 0, 0).unwrap();
    wait_gate(&entered, "the blocked loop");
    let timeout = Duration::from_millis(300);
    let t0 = Instant::now();
    let r = h.send_timeout(M_ECHO, 0, 5, SendFlags::NORMAL, timeout);
    let took = t0.elapsed();
    assert_eq!(code(r), ERROR_TIMEOUT);
    assert!(took >= timeout && took < timeout + Duration::from_secs(2));
    let data = pattern(2, 100_000);
    let r = h.send_copy_data_timeout(None, 3, &data, SendFlags::BLOCK, timeout);
    assert_eq!(code(r), ERROR_TIMEOUT);
    go.set().unwrap();
    assert_eq!(h.send(M_ECHO, 0, 6).unwrap(), 6);
    assert_eq!(
        h.send_copy_data(None, 4, &data).unwrap(),
        copy_answer(4, &data)
    );
    kid.finish();
}

#[test]
fn no_timeout_if_not_hung_waits_for_a_slow_receiver() {
    let _w = watchdog("no_timeout_if_not_hung_waits_for_a_slow_receiver", 30);
    isolate();
    let (entered, go, names) = gates();
    let (kid, h, _, _) = receiver("nothung", &names.env());
    h.post(M_HANG, 0, 0).unwrap();
    wait_gate(&entered, "the busy handler");
    // The receiver is busy for 0.6 s: slow, not hung (that takes 5 s without looking at its
    // queue), so SMTO_NOTIMEOUTIFNOTHUNG keeps waiting past the 100 ms time-out.
    let opener = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        go.set().unwrap();
    });
    let t0 = Instant::now();
    let r = h.send_timeout(
        M_ECHO,
        0,
        -9,
        SendFlags::NO_TIMEOUT_IF_NOT_HUNG,
        Duration::from_millis(100),
    );
    let took = t0.elapsed();
    opener.join().unwrap();
    assert_eq!(
        r.map_err(|e| e.win32_code()),
        Ok(-9),
        "after {took:?} (the handler ran 600 ms)"
    );
    assert!(took >= Duration::from_millis(500), "took {took:?}");
    kid.finish();
}
