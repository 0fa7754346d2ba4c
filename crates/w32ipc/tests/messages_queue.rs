//! Posted messages and thread queues: the order of messages posted from several processes,
//! `PeekMessage` with message ranges, a window filter and thread-only (`hWnd` -1),
//! `PM_NOREMOVE` against `PM_REMOVE`, `WM_QUIT` (its exit code, after every posted message,
//! also those posted after `PostQuitMessage`), `PostThreadMessage` to a thread without a queue
//! or an ended one (`ERROR_INVALID_THREAD_ID`), the 10 000-message limit, and
//! `MsgWaitForMultipleObjects` woken by another process's post.
//!
//! Expected results follow Windows as recorded under Wine (`tests/c/pending/README.md`,
//! `msg_thread_queue.c`), and Microsoft where Wine differs (1444 for a thread without a
//! queue). Every test runs under a watchdog, with unique names.

mod messages_common;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use messages_common::{
    Kid, M_ECHO, M_HANG, M_QUIT, Served, code, drain, fails_soon, gate, gates, parse_hwnd,
    quit_on_eof, run_standard_child, say, serve, standard_window, wait_gate,
};
use w32ipc::error::{ERROR_INVALID_THREAD_ID, ERROR_INVALID_WINDOW_HANDLE, ERROR_NOT_ENOUGH_QUOTA};
use w32ipc::msg::{self, Filter, Hwnd, Msg, MsgWait, WM_APP, WM_QUIT, WM_USER, WindowFilter};
use w32ipc::sync::WaitMany;
use w32ipc_test_support::{isolate, role, unique_name, watchdog};

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        "std" => run_standard_child(args[1], args[2], false),
        // Posts `n` thread messages to thread args[1] and `n` messages to window args[2],
        // alternating, numbered, as poster `id`.
        "poster" => {
            let tid: u32 = args[1].parse().unwrap();
            let h = parse_hwnd(args[2]);
            let id: usize = args[3].parse().unwrap();
            let n: usize = args[4].parse().unwrap();
            for i in 0..n {
                let l = poster_lparam(id, i);
                msg::post_thread_message(tid, WM_APP + id as u32, i, l).unwrap();
                h.post(WM_USER + id as u32, i, !l).unwrap();
            }
            say("posted");
        }
        // Reports its thread id without making a queue; makes one when told to, then serves
        // (reporting the thread messages it gets) until stdin closes.
        "no-queue" => {
            say(&format!("tid {}", msg::current_thread_id()));
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).unwrap();
            assert_eq!(line.trim(), "queue");
            msg::peek_message(Filter::all(), false).unwrap();
            say("queued");
            quit_on_eof(msg::current_thread_id());
            serve(&Served::default());
        }
        // Posts one thread message to thread args[1] after 300 ms.
        "late-poster" => {
            let tid: u32 = args[1].parse().unwrap();
            std::thread::sleep(Duration::from_millis(300));
            msg::post_thread_message(tid, WM_APP + 7, 7, -7).unwrap();
            say("posted");
        }
        other => panic!("unknown role {other}"),
    }
}

/// The 64-bit `lParam` poster `id` gives its message `i`.
fn poster_lparam(id: usize, i: usize) -> isize {
    ((id as isize) << 56) | ((i as isize) << 20) | 0x5a5a
}

#[test]
fn posted_messages_from_several_processes_keep_each_senders_order() {
    let _w = watchdog(
        "posted_messages_from_several_processes_keep_each_senders_order",
        60,
    );
    isolate();
    let st = Rc::new(Served::default());
    let w = standard_window(&unique_name("order"), "w", &st);
    let me = msg::current_thread_id();
    const N: usize = 1500;
    let mut kids: Vec<Kid> = (1..=3)
        .map(|id| Kid::spawn(&format!("poster|{me}|{:#x}|{id}|{N}", w.hwnd().raw()), &[]))
        .collect();
    // (poster, window message?) -> the next index expected, and the last time seen.
    let mut next: HashMap<(usize, bool), (usize, u32)> = HashMap::new();
    let mut got = 0;
    while got < 3 * 2 * N {
        let m = msg::get_message(Filter::all()).unwrap();
        let (id, windowed) = match m.hwnd {
            None => ((m.message - WM_APP) as usize, false),
            Some(h) => {
                assert_eq!(h, w.hwnd());
                ((m.message - WM_USER) as usize, true)
            }
        };
        assert!((1..=3).contains(&id), "unexpected message {m:?}");
        let slot = next.entry((id, windowed)).or_insert((0, 0));
        assert_eq!(m.wparam, slot.0, "poster {id} windowed {windowed}: order");
        let l = poster_lparam(id, m.wparam);
        assert_eq!(m.lparam, if windowed { !l } else { l });
        assert!(
            m.time.wrapping_sub(slot.1) < 1 << 31 || slot.0 == 0,
            "time went back"
        );
        *slot = (slot.0 + 1, m.time);
        got += 1;
    }
    assert!(next.values().all(|v| v.0 == N));
    // Posted window messages were only queued, not dispatched by GetMessage.
    assert_eq!(st.handled.get(), 0);
    assert!(drain().is_empty());
    for k in &mut kids {
        assert_eq!(k.line(), "posted");
    }
    for k in kids {
        k.finish();
    }
}

/// Posts `(window, message, wparam)` to the calling thread (`None`: a thread message).
fn post_all(list: &[(Option<Hwnd>, u32, usize)]) {
    for &(h, m, w) in list {
        match h {
            Some(h) => h.post(m, w, -(w as isize)).unwrap(),
            None => {
                msg::post_thread_message(msg::current_thread_id(), m, w, -(w as isize)).unwrap()
            }
        }
    }
}

fn peek(window: WindowFilter, min: u32, max: u32, remove: bool) -> Option<usize> {
    msg::peek_message(Filter { window, min, max }, remove)
        .unwrap()
        .map(|m| {
            assert_eq!(m.lparam, -(m.wparam as isize));
            m.wparam
        })
}

#[test]
fn peek_message_filters_by_range_window_and_thread_only() {
    let _w = watchdog("peek_message_filters_by_range_window_and_thread_only", 30);
    isolate();
    let st = Rc::new(Served::default());
    let w1 = standard_window(&unique_name("filter"), "1", &st);
    let w2 = standard_window(&unique_name("filter"), "2", &st);
    let (a, b) = (Some(w1.hwnd()), Some(w2.hwnd()));
    use WindowFilter::{Any, ThreadOnly, Window};
    post_all(&[
        (None, WM_USER + 1, 1),
        (a, WM_USER + 2, 2),
        (b, WM_USER + 3, 3),
        (None, WM_APP + 1, 4),
        (a, WM_APP + 2, 5),
        (b, WM_USER + 2, 6),
        (None, WM_USER + 2, 7),
        (a, WM_USER + 1, 8),
    ]);
    // PM_NOREMOVE leaves the message where it is.
    assert_eq!(peek(Any, 0, 0, false), Some(1));
    assert_eq!(peek(Any, 0, 0, false), Some(1));
    // A window filter: that window's messages only, in order.
    assert_eq!(peek(Window(w1.hwnd()), 0, 0, false), Some(2));
    assert_eq!(peek(Window(w1.hwnd()), 0, 0, true), Some(2));
    assert_eq!(peek(Window(w1.hwnd()), 0, 0, true), Some(5));
    // Thread-only (hWnd -1): messages without a window, with a range too.
    assert_eq!(peek(ThreadOnly, 0, 0, false), Some(1));
    assert_eq!(peek(ThreadOnly, WM_APP, WM_APP + 10, true), Some(4));
    assert_eq!(peek(ThreadOnly, WM_APP, WM_APP + 10, true), None);
    // A one-message range; the range's ends are included.
    assert_eq!(peek(Any, WM_USER + 2, WM_USER + 2, true), Some(6));
    assert_eq!(
        peek(Window(w1.hwnd()), WM_USER + 1, WM_USER + 1, true),
        Some(8)
    );
    assert_eq!(peek(Any, WM_USER + 3, WM_APP, false), Some(3));
    assert_eq!(peek(Window(w2.hwnd()), WM_APP, 0xFFFF, true), None);
    // What is left, in the order it was posted.
    let rest: Vec<(Option<Hwnd>, u32, usize)> = drain()
        .into_iter()
        .map(|m| (m.hwnd, m.message, m.wparam))
        .collect();
    assert_eq!(
        rest,
        vec![
            (None, WM_USER + 1, 1),
            (b, WM_USER + 3, 3),
            (None, WM_USER + 2, 7)
        ]
    );
    // GetMessage with a filter waits past messages that do not pass it.
    post_all(&[(a, WM_USER + 5, 10), (None, WM_APP + 5, 11)]);
    let m = msg::get_message(Filter::range(WM_APP, WM_APP + 5)).unwrap();
    assert_eq!(m.wparam, 11);
    let m = msg::get_message(Filter::window(w1.hwnd())).unwrap();
    assert_eq!(m.wparam, 10);
    assert_eq!(st.handled.get(), 0, "nothing was dispatched");
}

#[test]
fn wm_quit_comes_after_every_posted_message_with_its_exit_code() {
    let _w = watchdog(
        "wm_quit_comes_after_every_posted_message_with_its_exit_code",
        30,
    );
    isolate();
    // In the calling thread: PostQuitMessage is a flag, answered after all posted messages,
    // also those posted after it.
    let me = msg::current_thread_id();
    msg::post_thread_message(me, WM_USER, 1, 0).unwrap();
    msg::post_quit_message(-7);
    msg::post_thread_message(me, WM_USER, 2, 0).unwrap();
    let got: Vec<Msg> = (0..3)
        .map(|_| msg::get_message(Filter::all()).unwrap())
        .collect();
    assert_eq!(
        got.iter()
            .map(|m| (m.message, m.wparam))
            .collect::<Vec<_>>(),
        vec![
            (WM_USER, 1),
            (WM_USER, 2),
            (WM_QUIT, -7i32 as isize as usize)
        ]
    );
    assert!(got[2].is_quit() && got[2].hwnd.is_none());
    assert!(msg::peek_message(Filter::all(), true).unwrap().is_none());
    // WM_QUIT posted as a message is an ordinary entry: in order, with both parameters.
    msg::post_thread_message(me, WM_USER, 3, 0).unwrap();
    msg::post_thread_message(me, WM_QUIT, 4, 5).unwrap();
    msg::post_thread_message(me, WM_USER, 6, 0).unwrap();
    let got: Vec<(u32, usize, isize)> = drain()
        .into_iter()
        .map(|m| (m.message, m.wparam, m.lparam))
        .collect();
    assert_eq!(got, vec![(WM_USER, 3, 0), (WM_QUIT, 4, 5), (WM_USER, 6, 0)]);

    // Across processes: the receiver is busy while we ask it to quit (a notification, served
    // first) and then post 100 messages; its loop handles all 100 before WM_QUIT ends it.
    let (entered, go, names) = gates();
    let class = unique_name("quit");
    let mut kid = Kid::spawn(&format!("std|{class}|rx"), &names.env());
    let (h, _) = kid.ready();
    h.post(M_HANG, 0, 0).unwrap();
    wait_gate(&entered, "the busy handler");
    h.send_notify(M_QUIT, -42i32 as usize, 0).unwrap();
    for i in 0..100 {
        h.post(M_ECHO, 0, i).unwrap();
    }
    go.set().unwrap();
    assert_eq!(kid.line(), "handled 102 exit -42");
    assert!(kid.wait_exit().success());
}

#[test]
fn post_thread_message_needs_a_live_thread_with_a_queue() {
    let _w = watchdog("post_thread_message_needs_a_live_thread_with_a_queue", 30);
    isolate();
    // A thread of this process that never used messages has no queue.
    let (to_worker, worker_rx) = mpsc::channel::<()>();
    let (to_test, test_rx) = mpsc::channel::<u32>();
    let worker = std::thread::spawn(move || {
        to_test.send(msg::current_thread_id()).unwrap();
        worker_rx.recv().unwrap();
        msg::peek_message(Filter::all(), false).unwrap();
        to_test.send(0).unwrap();
        worker_rx.recv().unwrap();
        drain()
    });
    let tid = test_rx.recv().unwrap();
    assert_eq!(
        code(msg::post_thread_message(tid, WM_USER, 1, 0)),
        ERROR_INVALID_THREAD_ID
    );
    to_worker.send(()).unwrap();
    test_rx.recv().unwrap();
    msg::post_thread_message(tid, WM_USER, 2, 0).unwrap();
    to_worker.send(()).unwrap();
    let got = worker.join().unwrap();
    assert_eq!(got.iter().map(|m| m.wparam).collect::<Vec<_>>(), vec![2]);
    // The thread ended: its queue went with it.
    assert_eq!(
        code(msg::post_thread_message(tid, WM_USER, 3, 0)),
        ERROR_INVALID_THREAD_ID
    );
    // Ids that name no thread, or a thread outside the session's message queues.
    for tid in [0, u32::MAX, 1] {
        assert_eq!(
            code(msg::post_thread_message(tid, WM_USER, 0, 0)),
            ERROR_INVALID_THREAD_ID,
            "thread {tid}"
        );
    }
    // Another process's thread: no queue, then a queue, then dead.
    let mut kid = Kid::spawn("no-queue", &[]);
    let tid: u32 = kid.expect_prefix("tid ")[0].parse().unwrap();
    assert_eq!(
        code(msg::post_thread_message(tid, WM_USER, 1, 0)),
        ERROR_INVALID_THREAD_ID
    );
    kid.send_line("queue");
    assert_eq!(kid.line(), "queued");
    msg::post_thread_message(tid, WM_APP + 3, 0x55, -0x66).unwrap();
    assert_eq!(kid.line(), "thread-msg 0x8003 0x55 0xffffffffffffff9a");
    kid.kill();
    // (At once: `a_post_to_a_thread_of_a_reaped_process_fails_at_once`.)
    assert_eq!(
        fails_soon(|| msg::post_thread_message(tid, WM_USER, 1, 0)),
        ERROR_INVALID_THREAD_ID
    );
}

/// Windows fails `PostThreadMessage` to a thread that has ended, at once. Here a process is
/// SIGKILLed and reaped right after a post to its thread succeeded, a hundred times over.
#[test]
fn a_post_to_a_thread_of_a_reaped_process_fails_at_once() {
    let _w = watchdog("a_post_to_a_thread_of_a_reaped_process_fails_at_once", 60);
    isolate();
    let mut succeeded = 0;
    for round in 0..100 {
        let class = unique_name("reaped");
        let mut kid = Kid::spawn(&format!("std|{class}|rx"), &[]);
        let (_, tid) = kid.ready();
        msg::post_thread_message(tid, WM_APP, round, 0).unwrap();
        kid.kill();
        if msg::post_thread_message(tid, WM_APP, round, 1).is_ok() {
            succeeded += 1;
        }
    }
    assert_eq!(succeeded, 0, "posts to dead threads that succeeded, of 100");
}

#[test]
fn a_queue_holds_ten_thousand_posted_messages() {
    let _w = watchdog("a_queue_holds_ten_thousand_posted_messages", 30);
    isolate();
    let me = msg::current_thread_id();
    for i in 0..10_000 {
        msg::post_thread_message(me, WM_USER, i, 0).unwrap();
    }
    assert_eq!(
        code(msg::post_thread_message(me, WM_USER, 10_000, 0)),
        ERROR_NOT_ENOUGH_QUOTA
    );
    // A window of the thread shares the limit.
    let st = Rc::new(Served::default());
    let w = standard_window(&unique_name("limit"), "w", &st);
    assert_eq!(code(w.hwnd().post(WM_USER, 0, 0)), ERROR_NOT_ENOUGH_QUOTA);
    assert_eq!(
        msg::peek_message(Filter::all(), true)
            .unwrap()
            .unwrap()
            .wparam,
        0
    );
    msg::post_thread_message(me, WM_USER, 10_000, 0).unwrap();
    let got = drain();
    assert_eq!(got.len(), 10_000);
    assert!(got.iter().enumerate().all(|(i, m)| m.wparam == i + 1));
}

#[test]
fn msg_wait_wakes_for_a_post_from_another_process() {
    let _w = watchdog("msg_wait_wakes_for_a_post_from_another_process", 30);
    isolate();
    msg::peek_message(Filter::all(), false).unwrap();
    let me = msg::current_thread_id();
    // Nothing there: the wait times out.
    let r = msg::wait_objects_or_messages(&[], Some(Duration::from_millis(50)), MsgWait::default());
    assert_eq!(r.unwrap(), WaitMany::TimedOut);
    let (event, _) = gate("never");
    let mut kid = Kid::spawn(&format!("late-poster|{me}"), &[]);
    let t0 = Instant::now();
    let r =
        msg::wait_objects_or_messages(&[&event], Some(Duration::from_secs(20)), MsgWait::default());
    assert_eq!(r.unwrap(), WaitMany::Signaled(1), "woken by the queue");
    assert!(t0.elapsed() < Duration::from_secs(10));
    let m = msg::peek_message(Filter::all(), true).unwrap().unwrap();
    assert_eq!(
        (m.hwnd, m.message, m.wparam, m.lparam),
        (None, WM_APP + 7, 7, -7)
    );
    assert_eq!(kid.line(), "posted");
    kid.finish();
    // A post to a window whose process ended fails; the thread's posts too.
    let class = unique_name("gone");
    let mut rx = Kid::spawn(&format!("std|{class}|rx"), &[]);
    let (h, tid) = rx.ready();
    rx.kill();
    assert_eq!(code(h.post(WM_USER, 0, 0)), ERROR_INVALID_WINDOW_HANDLE);
    assert_eq!(
        code(msg::post_thread_message(tid, WM_USER, 0, 0)),
        ERROR_INVALID_THREAD_ID
    );
}
