//! First checks of message queues and windows: threads of one process, then two processes.

use std::cell::Cell;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::rc::Rc;
use std::time::Duration;

use w32ipc::error::Win32ErrorExt;
use w32ipc::msg::{self, Filter, Message, Parent, WM_APP, WM_QUIT, WM_USER, Window};
use w32ipc_test_support::{ChildGuard, isolate, role, self_child, unique_name, watchdog};

#[test]
fn thread_queue_post_get_quit() {
    isolate();
    let _w = watchdog("thread_queue_post_get_quit", 20);
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        // Make the queue, then report the id.
        msg::peek_message(Filter::all(), false).unwrap();
        tx.send(msg::current_thread_id()).unwrap();
        let mut got = Vec::new();
        loop {
            let m = msg::get_message(Filter::all()).unwrap();
            if m.is_quit() {
                return (got, m.wparam);
            }
            got.push((m.message, m.wparam, m.lparam));
        }
    });
    let tid = rx.recv().unwrap();
    for i in 0..100usize {
        msg::post_thread_message(tid, WM_USER + 1, i, -(i as isize)).unwrap();
    }
    msg::post_thread_message(tid, WM_QUIT, 42, 0).unwrap();
    let (got, code) = worker.join().unwrap();
    assert_eq!(code, 42);
    assert_eq!(got.len(), 100);
    for (i, g) in got.iter().enumerate() {
        assert_eq!(*g, (WM_USER + 1, i, -(i as isize)));
    }
}

#[test]
fn peek_filters_and_quit_flag() {
    isolate();
    let _w = watchdog("peek_filters_and_quit_flag", 20);
    let me = msg::current_thread_id();
    msg::post_thread_message(me, WM_USER + 1, 1, 0).unwrap();
    msg::post_thread_message(me, WM_APP + 1, 2, 0).unwrap();
    msg::post_thread_message(me, WM_USER + 2, 3, 0).unwrap();
    let m = msg::peek_message(Filter::range(WM_APP, WM_APP + 10), true)
        .unwrap()
        .unwrap();
    assert_eq!(m.wparam, 2);
    msg::post_quit_message(7);
    msg::post_thread_message(me, WM_USER + 3, 4, 0).unwrap();
    let order: Vec<usize> = (0..3)
        .map(|_| msg::get_message(Filter::all()).unwrap().wparam)
        .collect();
    assert_eq!(order, vec![1, 3, 4]);
    let q = msg::get_message(Filter::all()).unwrap();
    assert!(q.is_quit());
    assert_eq!(q.wparam, 7);
    assert!(msg::peek_message(Filter::all(), true).unwrap().is_none());
}

#[test]
fn send_between_threads_with_copy_data() {
    isolate();
    let _w = watchdog("send_between_threads_with_copy_data", 20);
    let class = unique_name("cls");
    let (tx, rx) = std::sync::mpsc::channel();
    let c2 = class.clone();
    let receiver = std::thread::spawn(move || {
        let seen = Rc::new(Cell::new(0usize));
        let s2 = seen.clone();
        let w = Window::builder(&c2)
            .title("rx")
            .message_only(true)
            .create(move |_h, m: Message<'_>| match m {
                Message::CopyData(cd) => {
                    s2.set(s2.get() + cd.data.len());
                    cd.data.iter().map(|&b| b as isize).sum::<isize>() + cd.action as isize
                }
                Message::Other {
                    message, wparam, ..
                } if message == WM_USER => wparam as isize * 2,
                _ => 0,
            })
            .unwrap();
        tx.send(w.hwnd().raw()).unwrap();
        let code = msg::run_message_loop().unwrap();
        (code, seen.get())
    });
    let raw = rx.recv().unwrap();
    let h = msg::find_window_ex(Parent::Message, None, Some(&class.to_uppercase()), None).unwrap();
    assert_eq!(h.raw(), raw);
    assert_eq!(h.send(WM_USER, 21, 0).unwrap(), 42);
    assert_eq!(h.send_copy_data(None, 1000, &[1, 2, 3]).unwrap(), 1006);
    let big = vec![1u8; 1 << 20];
    assert_eq!(h.send_copy_data(None, 0, &big).unwrap(), 1 << 20);
    assert_eq!(h.send_copy_data(None, 5, &[]).unwrap(), 5);
    assert_eq!(
        h.post(w32ipc::msg::WM_COPYDATA, 0, 0)
            .unwrap_err()
            .win32_code(),
        1159
    );
    h.post(WM_QUIT, 3, 0).unwrap();
    let (code, seen) = receiver.join().unwrap();
    assert_eq!(code, 3);
    assert_eq!(seen, 3 + (1 << 20));
    // The thread ended: its window went with it.
    assert!(!h.is_window());
    assert!(h.send(WM_USER, 1, 0).is_err());
}

#[test]
fn send_between_processes() {
    isolate();
    if role().as_deref() == Some("receiver") {
        return;
    }
    let _w = watchdog("send_between_processes", 30);
    let class = unique_name("xp");
    let mut child = ChildGuard::spawn(
        self_child("receiver_process", "receiver")
            .env("CLASS", &class)
            .stdout(Stdio::piped()),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    loop {
        let l = lines.next().unwrap().unwrap();
        if l == "ready" {
            break;
        }
    }
    let h = msg::find_window_ex(Parent::Message, None, Some(&class), Some("rx")).unwrap();
    let (tid, pid) = h.thread_process_id().unwrap();
    assert_eq!(pid, child.0.id());
    assert_ne!(tid, 0);
    assert_eq!(h.send(WM_USER, 5, 0).unwrap(), 10);
    let data: Vec<u8> = (0..65536u32).map(|i| (i % 251) as u8).collect();
    let sum: isize = data.iter().map(|&b| b as isize).sum();
    assert_eq!(h.send_copy_data(None, 0, &data).unwrap(), sum);
    // Mutual: the child's handler sends back to our window while we wait.
    let back = Rc::new(Cell::new(0));
    let b2 = back.clone();
    let mine = Window::builder(&format!("{class}-parent"))
        .message_only(true)
        .create(move |_h, m: Message<'_>| {
            if let Message::Other {
                message, wparam, ..
            } = m
                && message == WM_USER + 9
            {
                b2.set(wparam);
                return 77;
            }
            0
        })
        .unwrap();
    assert_eq!(h.send(WM_USER + 1, mine.hwnd().raw(), 0).unwrap(), 77 + 1);
    assert_eq!(back.get(), 123);
    h.post(WM_USER + 2, 0, 0).unwrap();
    let st = child.0.wait().unwrap();
    assert!(st.success());
    std::thread::sleep(Duration::from_millis(10));
    assert!(!h.is_window());
    assert_eq!(h.send(WM_USER, 1, 0).unwrap_err().win32_code(), 1400);
}

#[test]
#[ignore]
fn receiver_process() {
    if role().as_deref() != Some("receiver") {
        return;
    }
    let class = std::env::var("CLASS").unwrap();
    let _w = Window::builder(&class)
        .title("rx")
        .message_only(true)
        .create(|_h, m: Message<'_>| match m {
            Message::CopyData(cd) => cd.data.iter().map(|&b| b as isize).sum(),
            Message::Other {
                message, wparam, ..
            } if message == WM_USER => wparam as isize * 2,
            Message::Other {
                message, wparam, ..
            } if message == WM_USER + 1 => {
                let back = msg::Hwnd::from_raw(wparam).unwrap();
                back.send(WM_USER + 9, 123, 0).unwrap() + 1
            }
            Message::Other { message, .. } if message == WM_USER + 2 => {
                msg::post_quit_message(0);
                0
            }
            _ => 0,
        })
        .unwrap();
    println!("ready");
    msg::run_message_loop().unwrap();
}
