//! `w32ipc window …` and the demo's message scenarios, run as the built binary between real
//! processes: a listener and senders, the error texts and exit codes scripts rely on (no such
//! window, time-out, a window that goes away), and the demo's `WM_COPYDATA` and thread-message
//! lines.
//!
//! Every test runs under a watchdog, with unique class names, in a session root of its own.

mod common;

use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{expect_line, lines_of, run, text, w32ipc};

use w32ipc::msg::{self, Message, MsgWait, Window};
use w32ipc_test_support::{ChildGuard, isolate, unique_name, watchdog};

/// A `w32ipc window listen` process; its stdout and stderr read line by line.
struct Listener {
    child: ChildGuard,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
    /// The "listening" line.
    banner: String,
}

impl Listener {
    /// Starts `w32ipc window listen ARGS` and waits until it says it is listening.
    fn start(args: &[&str]) -> Listener {
        let mut cmd = w32ipc(&["window", "listen"]);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = ChildGuard::spawn(&mut cmd);
        let stdout = lines_of(child.0.stdout.take().expect("stdout is piped"));
        let stderr = lines_of(child.0.stderr.take().expect("stderr is piped"));
        let mut l = Listener {
            child,
            stdout,
            stderr,
            banner: String::new(),
        };
        l.banner = l.expect_err("w32ipc: listening: ");
        l
    }

    /// Waits for the next stderr line that starts with `prefix` (the others are skipped).
    fn expect_err(&mut self, prefix: &str) -> String {
        expect_line(&self.stderr, "listener", prefix)
    }

    /// The next line the listener printed for a message.
    fn next_line(&mut self) -> String {
        self.stdout
            .recv_timeout(Duration::from_secs(10))
            .expect("the listener printed no line for the message")
    }

    /// Waits for the listener to end: the rest of its stdout, the "stopped" line, exit code.
    fn finish(mut self) -> (Vec<String>, String, Option<i32>) {
        let status = self.child.0.wait().expect("wait for the listener");
        let rest: Vec<String> = self.stdout.iter().collect();
        let stopped = self.expect_err("w32ipc: stopped");
        (rest, stopped, status.code())
    }
}

#[test]
fn listen_and_send_between_processes() {
    let _w = watchdog("listen_and_send_between_processes", 30);
    isolate();
    let class = unique_name("Listen");
    let title = "listen test";
    let mut listener = Listener::start(&["--class", &class, "--title", title, "--count", "4"]);
    assert!(
        listener.banner.contains("top-level") && listener.banner.contains(&class),
        "{}",
        listener.banner
    );

    // Text: the answer is its length.
    let out = run(
        &[
            "window", "send", "--class", &class, "--title", title, "--data", "hello",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "5\n");
    let line = listener.next_line();
    assert!(
        line.starts_with("WM_COPYDATA (0x004a) sent by window 0x")
            && line.ends_with(": action 0, 5 bytes \"hello\"; answered 5"),
        "{line}"
    );

    // Bytes from stdin (`@-`), an action code in hex, class names without case, -v.
    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class.to_uppercase(),
            "--title",
            title,
            "--data",
            "@-",
            "--action",
            "0x2a",
            "-v",
        ],
        &[0, 1, 0xff],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "3\n");
    assert!(
        text(&out.stderr).contains("it answered 3 in"),
        "{}",
        text(&out.stderr)
    );
    let line = listener.next_line();
    assert!(
        line.ends_with(": action 42, 3 bytes 00 01 ff; answered 3"),
        "{line}"
    );

    // A file, and a large one (one copy into the receiver).
    let file = std::env::temp_dir().join(unique_name("block"));
    std::fs::write(&file, vec![b'z'; 300_000]).expect("write the block");
    let at = format!("@{}", file.display());
    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class,
            "--data",
            &at,
            "--timeout",
            "10000",
        ],
        b"",
    );
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "300000\n");
    let line = listener.next_line();
    assert!(line.contains("300000 bytes \"zzz"), "{line}");

    // A posted message: printed with its parameters; the fourth message ends the listener.
    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class,
            "--message",
            "WM_USER+1",
            "--wparam",
            "7",
            "--lparam",
            "0x10",
            "--post",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    let (rest, stopped, code) = listener.finish();
    assert_eq!(
        rest,
        ["WM_USER+1 (0x0401) posted: wParam 0x7, lParam 0x10"],
        "{rest:?}"
    );
    assert_eq!(
        stopped,
        "w32ipc: stopped (--count reached) after 4 messages"
    );
    assert_eq!(code, Some(0));

    // The window went with the listener.
    let out = run(&["window", "send", "--class", &class, "--data", "x"], b"");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

#[test]
fn message_only_windows_and_wm_close() {
    let _w = watchdog("message_only_windows_and_wm_close", 30);
    isolate();
    let class = unique_name("MsgOnly");
    let listener = Listener::start(&["--class", &class, "--message-only"]);
    assert!(
        listener.banner.contains("message-only"),
        "{}",
        listener.banner
    );

    // FindWindow does not see message-only windows; the hint says what to do.
    let out = run(&["window", "send", "--class", &class, "--data", "x"], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("error: no top-level window of class \"{class}\""))
            && err.contains("add --message-only"),
        "{err}"
    );

    // `window ls` lists it, with its owner.
    let out = run(&["window", "ls", "--class", &class], b"");
    let listing = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pid = listener.child.0.id().to_string();
    let row = listing
        .lines()
        .find(|l| l.contains(&class))
        .unwrap_or_else(|| panic!("no row for the listener:\n{listing}"));
    assert!(
        row.contains("message-only") && row.contains(&pid) && row.contains("\"w32ipc listen\""),
        "{row}"
    );
    let out = run(&["window", "ls", "--class", &unique_name("nobody")], b"");
    assert_eq!(text(&out.stdout), "no windows\n");

    // WM_CLOSE, sent: answered 0; the listener destroys its window and ends.
    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class,
            "--message-only",
            "--message",
            "WM_CLOSE",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "0\n");
    let (rest, stopped, code) = listener.finish();
    assert_eq!(rest, ["WM_CLOSE (0x0010) sent: closing"]);
    assert_eq!(stopped, "w32ipc: stopped (WM_CLOSE) after 1 message");
    assert_eq!(code, Some(0));
}

#[test]
fn wm_quit_ends_the_listener_and_wm_copydata_cannot_be_posted() {
    let _w = watchdog(
        "wm_quit_ends_the_listener_and_wm_copydata_cannot_be_posted",
        30,
    );
    isolate();
    let class = unique_name("Quit");
    let listener = Listener::start(&["--class", &class]);

    let out = run(
        &["window", "send", "--class", &class, "--data", "x", "--post"],
        b"",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("(ERROR_MESSAGE_SYNC_ONLY, 1159)") && err.contains("leave out --post"),
        "{err}"
    );

    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class,
            "--message",
            "WM_QUIT",
            "--wparam",
            "3",
            "--post",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (rest, stopped, code) = listener.finish();
    assert_eq!(rest, ["WM_QUIT (0x0012) posted: exit code 3"]);
    assert_eq!(stopped, "w32ipc: stopped (WM_QUIT) after 1 message");
    assert_eq!(code, Some(0));
}

#[test]
fn no_such_window_exits_3() {
    let _w = watchdog("no_such_window_exits_3", 30);
    isolate();
    let class = unique_name("Missing");
    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class,
            "--title",
            "its title",
            "--data",
            "x",
        ],
        b"",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    // FindWindow sets no error code: the message says what was looked for, no ERROR_ name.
    assert!(
        err.starts_with(&format!(
            "error: no top-level window of class \"{class}\" with title \"its title\"\n"
        )),
        "{err}"
    );
    assert!(!err.contains("ERROR_"), "{err}");
    assert!(
        err.contains(&format!(
            "hint: start one with `w32ipc window listen --class {class} --title 'its title'`"
        )),
        "{err}"
    );
    assert_eq!(text(&out.stdout), "");
}

/// A window of this test process whose thread does not take messages until told to (a hung
/// receiver). `serve_after`: when told, serve its queue once; otherwise wait until a send has
/// arrived and, when told, end without serving it.
fn hung_window(class: &str, serve_after: bool) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let class = class.to_owned();
    let t = std::thread::spawn(move || {
        let window = Window::builder(&class)
            .title("hung")
            .create(|_h, m: Message<'_>| match m {
                Message::CopyData(cd) => cd.data.len() as isize,
                _ => 0,
            })
            .expect("create the window");
        ready_tx.send(()).expect("tell the test");
        if serve_after {
            let _ = go_rx.recv();
            while msg::peek_message(msg::Filter::all(), true)
                .expect("peek")
                .is_some()
            {}
        } else {
            // Wait until a send has arrived (without serving it), then end the thread: the
            // window goes with it.
            msg::wait_objects_or_messages(&[], Some(Duration::from_secs(20)), MsgWait::default())
                .expect("wait for the send");
            let _ = go_rx.recv();
        }
        drop(window);
    });
    ready_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the window thread started");
    (go_tx, t)
}

#[test]
fn timeout_exits_5_with_error_timeout() {
    let _w = watchdog("timeout_exits_5_with_error_timeout", 30);
    isolate();
    let class = unique_name("Hung");
    let (go, thread) = hung_window(&class, true);
    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class,
            "--data",
            "x",
            "--timeout",
            "100",
        ],
        b"",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("did not answer within 100 ms")
            && err.contains(": timed out (ERROR_TIMEOUT, 1460)"),
        "{err}"
    );
    assert_eq!(text(&out.stdout), "");
    // The same with a plain message.
    let out = run(
        &[
            "window",
            "send",
            "--class",
            &class,
            "--message",
            "WM_USER",
            "--timeout",
            "0",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    go.send(()).expect("let the window thread serve");
    thread.join().expect("the window thread");
}

#[test]
fn a_window_that_goes_away_exits_4() {
    let _w = watchdog("a_window_that_goes_away_exits_4", 30);
    isolate();
    let class = unique_name("Gone");
    let (go, thread) = hung_window(&class, false);
    let sender = w32ipc(&["window", "send", "--class", &class, "--data", "x"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn send");
    // The window's thread sees the send arrive, then ends without serving it.
    go.send(()).expect("let the window thread end");
    thread.join().expect("the window thread");
    let out = sender.wait_with_output().expect("wait for send");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("was destroyed, or its process ended, before it answered")
            && err.contains("(ERROR_INVALID_WINDOW_HANDLE, 1400)"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let _w = watchdog("usage_errors_exit_2", 30);
    isolate();
    for args in [
        vec!["window", "send", "--class", "x"],
        vec!["window", "send", "--data", "x", "--message", "WM_CLOSE"],
        vec!["window", "send", "--data", "x", "--wparam", "1"],
        vec!["window", "send", "--message", "WM_USER", "--action", "1"],
        vec!["window", "send", "--wparam", "1"],
        vec!["window", "send", "--message", "WM_NOPE"],
        vec!["window", "send", "--data", "x", "--post", "--timeout", "5"],
        vec!["window", "send", "--data", "x", "--action", "lots"],
        vec!["window", "listen", "--count", "0"],
        vec!["window"],
    ] {
        let out = run(&args, b"");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let missing = std::env::temp_dir().join(unique_name("nofile"));
    let at = format!("@{}", missing.display());
    let out = run(&["window", "send", "--data", &at], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with(&format!(
            "error: cannot read --data {at}: no such file or directory\n"
        )),
        "{err}"
    );
}

#[test]
fn help_lists_examples_and_exit_codes() {
    let _w = watchdog("help_lists_examples_and_exit_codes", 30);
    for cmd in ["listen", "send", "ls"] {
        let out = run(&["window", cmd, "--help"], b"");
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        assert!(help.contains("Examples:"), "{cmd}: {help}");
        assert!(help.contains("3  not found"), "{cmd}: {help}");
        assert!(help.contains("5  timed out"), "{cmd}: {help}");
    }
    let out = run(&["--help"], b"");
    assert!(text(&out.stdout).contains("w32ipc window listen"));
}

#[test]
fn demo_runs_the_message_scenarios() {
    let _w = watchdog("demo_runs_the_message_scenarios", 60);
    isolate();
    let out = run(&["demo", "wm-copydata"], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let first = stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("WM_COPYDATA: receiver "), "{stdout}");
    for part in [
        "found it with FindWindow",
        "STORE \"Hello from the sender\" (answered 21",
        "the receiver sent \"desserts\" back",
        "the checksums matched",
        "ERROR_MESSAGE_SYNC_ONLY",
    ] {
        assert!(first.contains(part), "no {part:?} in {first}");
    }
    assert!(!stdout.contains("thread messages: "), "{stdout}");

    let out = run(&["demo", "thread-messages"], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with("thread messages: in process "),
        "{stdout}"
    );
    assert!(
        stdout.contains("took all 5000 in order, then returned 0 for WM_QUIT"),
        "{stdout}"
    );

    // Both are part of the whole demo (no arguments: every scenario).
    let out = run(&[], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for start in ["WM_COPYDATA: ", "thread messages: ", "anonymous pipe: "] {
        assert!(
            stdout.lines().any(|l| l.starts_with(start)),
            "no line starts with {start:?}:\n{stdout}"
        );
    }
}
