//! Many windows in many processes: four processes with 25 windows each (on two threads,
//! message-only and top-level, two classes) are each found exactly once by `FindWindowEx`
//! enumeration — while another process keeps creating and destroying windows — and by class
//! (without case) and title; `GetWindowThreadProcessId`, `GetClassName` and `GetWindowText`
//! name the right owner across processes; the windows of an ended or killed process vanish.
//!
//! Every test runs under a watchdog, with unique names.

mod messages_common;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use messages_common::{Kid, M_TID, Served, parse_hwnd, quit_on_eof, say, serve, standard_proc};
use w32ipc::msg::{self, Hwnd, Parent, Window};
use w32ipc_test_support::{isolate, role, unique_name, watchdog};

const PROCESSES: usize = 4;
const PER_PROCESS: usize = 25;

/// Window `i` of process `k`: (class, title, message-only).
fn window_spec(base: &str, k: usize, i: usize) -> (String, String, bool) {
    let class = if i.is_multiple_of(2) {
        format!("{base}-even")
    } else {
        format!("{base}-odd")
    };
    (class, format!("p{k}-w{i}"), !i.is_multiple_of(5))
}

fn make_windows(base: &str, k: usize, range: std::ops::Range<usize>) -> Vec<(usize, Window)> {
    let st = Rc::new(Served::default());
    range
        .map(|i| {
            let (class, title, message_only) = window_spec(base, k, i);
            let w = Window::builder(&class)
                .title(&title)
                .message_only(message_only)
                .create(standard_proc(st.clone()))
                .unwrap();
            (i, w)
        })
        .collect()
}

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        // Process k's 25 windows: the first half on the main thread, the rest on another.
        "many" => {
            let base = args[1].to_owned();
            let k: usize = args[2].parse().unwrap();
            let half = PER_PROCESS / 2;
            let main_windows = make_windows(&base, k, 0..half);
            let (tx, rx) = mpsc::channel();
            let worker = std::thread::spawn(move || {
                let ws = make_windows(&base, k, half..PER_PROCESS);
                let list: Vec<(usize, usize)> =
                    ws.iter().map(|(i, w)| (*i, w.hwnd().raw())).collect();
                tx.send((msg::current_thread_id(), list)).unwrap();
                serve(&Served::default())
            });
            let (worker_tid, worker_list) = rx.recv().unwrap();
            let me = msg::current_thread_id();
            for (i, w) in &main_windows {
                say(&format!("win {i} {:#x} {me}", w.hwnd().raw()));
            }
            for (i, h) in worker_list {
                say(&format!("win {i} {h:#x} {worker_tid}"));
            }
            say("ready");
            quit_on_eof(me);
            serve(&Served::default());
            msg::post_thread_message(worker_tid, msg::WM_QUIT, 0, 0).unwrap();
            worker.join().unwrap();
        }
        // Creates and destroys windows of class args[1] until stdin closes.
        "churn" => {
            let done = Arc::new(AtomicBool::new(false));
            let d2 = done.clone();
            std::thread::spawn(move || {
                let mut sink = String::new();
                while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
                d2.store(true, Ordering::SeqCst);
            });
            let mut rounds = 0u64;
            while !done.load(Ordering::SeqCst) {
                let ws: Vec<Window> = (0..10)
                    .map(|i| {
                        Window::builder(args[1])
                            .title(&format!("churn{i}"))
                            .message_only(i % 2 == 0)
                            .create(|_: Hwnd, _: msg::Message<'_>| 0)
                            .unwrap()
                    })
                    .collect();
                drop(ws);
                rounds += 1;
                if rounds == 1 {
                    say("churning");
                }
            }
            say(&format!("rounds {rounds}"));
        }
        other => panic!("unknown role {other}"),
    }
}

/// What a process reported about one of its windows.
#[derive(Clone, Debug)]
struct Known {
    k: usize,
    i: usize,
    tid: u32,
    pid: u32,
}

/// Our windows (class name starting with `base`) among every window under `parent`, in
/// enumeration order.
fn ours(parent: Parent, base: &str) -> Vec<Hwnd> {
    let mut out = Vec::new();
    let mut after = None;
    while let Some(h) = msg::find_window_ex(parent, after, None, None) {
        // A churning window may vanish between finding and asking: skip what has no class.
        if h.class_name().is_ok_and(|c| c.starts_with(base)) {
            out.push(h);
        }
        after = Some(h);
    }
    out
}

#[test]
fn a_hundred_windows_in_four_processes_are_each_found_exactly_once() {
    let _w = watchdog(
        "a_hundred_windows_in_four_processes_are_each_found_exactly_once",
        60,
    );
    isolate();
    let base = unique_name("many");
    let mut kids: Vec<Kid> = (0..PROCESSES)
        .map(|k| Kid::spawn(&format!("many|{base}|{k}"), &[]))
        .collect();
    let mut known: HashMap<Hwnd, Known> = HashMap::new();
    for (k, kid) in kids.iter_mut().enumerate() {
        for _ in 0..PER_PROCESS {
            let w = kid.expect_prefix("win ");
            let h = parse_hwnd(&w[1]);
            let rec = Known {
                k,
                i: w[0].parse().unwrap(),
                tid: w[2].parse().unwrap(),
                pid: kid.pid(),
            };
            assert!(known.insert(h, rec).is_none(), "two windows share {h:?}");
        }
        assert_eq!(kid.line(), "ready");
    }
    assert_eq!(known.len(), PROCESSES * PER_PROCESS);
    let churn_class = unique_name("churn");
    let mut churn = Kid::spawn(&format!("churn|{churn_class}"), &[]);
    assert_eq!(churn.line(), "churning");

    // Enumeration over everything, several times while the churn goes on: each of our
    // windows exactly once, message-only and top-level ones apart.
    for _ in 0..5 {
        let mut seen = HashSet::new();
        for (parent, message_only) in [(Parent::Message, true), (Parent::Desktop, false)] {
            for h in ours(parent, &base) {
                let k = known
                    .get(&h)
                    .unwrap_or_else(|| panic!("unknown window {h:?}"));
                let (_, _, mo) = window_spec(&base, k.k, k.i);
                assert_eq!(mo, message_only, "{h:?} found under the wrong parent");
                assert!(seen.insert(h), "{h:?} found twice");
            }
        }
        assert_eq!(seen.len(), PROCESSES * PER_PROCESS);
    }

    // Every window names its owner, class and title across processes, and runs its
    // procedure on the thread that made it.
    for (h, k) in &known {
        let (class, title, message_only) = window_spec(&base, k.k, k.i);
        assert!(h.is_window());
        assert_eq!(h.thread_process_id().unwrap(), (k.tid, k.pid));
        assert_eq!(h.class_name().unwrap(), class);
        assert_eq!(h.title().unwrap(), title);
        assert_eq!(h.send(M_TID, 0, 0).unwrap(), k.tid as isize);
        // By title alone, by class and title, with the class and title in another case.
        let parent = if message_only {
            Parent::Message
        } else {
            Parent::Desktop
        };
        assert_eq!(
            msg::find_window_ex(parent, None, None, Some(&title)),
            Some(*h)
        );
        assert_eq!(
            msg::find_window_ex(parent, None, Some(&class.to_uppercase()), Some(&title)),
            Some(*h)
        );
        assert_eq!(
            msg::find_window_ex(parent, None, Some(&class), Some(&title.to_uppercase())),
            Some(*h)
        );
        let wrong = if class.ends_with("-even") {
            format!("{base}-odd")
        } else {
            format!("{base}-even")
        };
        assert_eq!(
            msg::find_window_ex(parent, None, Some(&wrong), Some(&title)),
            None
        );
        // FindWindow sees top-level windows only.
        let top = msg::find_window(Some(&class), Some(&title));
        assert_eq!(top, (!message_only).then_some(*h));
    }

    // By class: each class's windows under each parent, each once.
    for class_tail in ["even", "odd"] {
        let class = format!("{base}-{class_tail}");
        for (parent, message_only) in [(Parent::Message, true), (Parent::Desktop, false)] {
            let found = msg::windows(parent, Some(&class.to_lowercase()), None);
            let want: HashSet<Hwnd> = known
                .iter()
                .filter(|(_, k)| {
                    let (c, _, mo) = window_spec(&base, k.k, k.i);
                    c == class && mo == message_only
                })
                .map(|(h, _)| *h)
                .collect();
            assert_eq!(
                found.len(),
                want.len(),
                "{class} message-only {message_only}"
            );
            assert_eq!(found.into_iter().collect::<HashSet<_>>(), want);
        }
    }

    // One process is killed, one ends in order: their windows vanish, the others stay.
    let mut kids = kids.into_iter();
    let (k0, mut k1, k2, k3) = (
        kids.next().unwrap(),
        kids.next().unwrap(),
        kids.next().unwrap(),
        kids.next().unwrap(),
    );
    k1.kill();
    k2.finish();
    let alive: HashSet<Hwnd> = known
        .iter()
        .filter(|(_, k)| k.k != 1 && k.k != 2)
        .map(|(h, _)| *h)
        .collect();
    for (h, k) in &known {
        assert_eq!(
            h.is_window(),
            k.k != 1 && k.k != 2,
            "{h:?} of process {}",
            k.k
        );
    }
    let mut now: HashSet<Hwnd> = HashSet::new();
    for parent in [Parent::Message, Parent::Desktop] {
        for h in ours(parent, &base) {
            assert!(now.insert(h), "{h:?} found twice");
        }
    }
    assert_eq!(now, alive);
    churn.release();
    assert!(churn.line().starts_with("rounds "));
    churn.finish();
    k0.finish();
    k3.finish();
}
