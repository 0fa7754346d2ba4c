//! `w32ipc pipe …` and `w32ipc demo`, run as the built binary between real processes: a
//! server with `--echo` and `call`, `--print` and `connect` fed from stdin, the error texts
//! and exit codes scripts rely on, and the demo's named-pipe lines.
//!
//! Every test runs under a watchdog, with unique pipe names, in a session root of its own.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;

use common::{expect_line, lines_of, run, text, w32ipc};

use w32ipc_test_support::{ChildGuard, isolate, unique_name, watchdog};

/// A `w32ipc pipe serve` process, its stderr read line by line.
struct Server {
    child: ChildGuard,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `w32ipc pipe serve ARGS` and waits until it says it is serving.
    fn start(args: &[&str]) -> Server {
        let mut cmd = w32ipc(&["pipe", "serve"]);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = ChildGuard::spawn(&mut cmd);
        let stderr = lines_of(child.0.stderr.take().expect("stderr is piped"));
        let mut server = Server { child, stderr };
        server.expect_line("w32ipc: serving ");
        server
    }

    /// Waits for the next stderr line that starts with `prefix` (the others are skipped).
    fn expect_line(&mut self, prefix: &str) -> String {
        expect_line(&self.stderr, "server", prefix)
    }

    /// Waits for the server to end (after --max-clients); its stdout and exit code.
    fn finish(mut self) -> (String, Option<i32>) {
        let mut out = String::new();
        let stdout = self.child.0.stdout.take().expect("stdout is piped");
        for line in BufReader::new(stdout).lines() {
            out.push_str(&line.expect("server stdout"));
            out.push('\n');
        }
        let status = self.child.0.wait().expect("wait for the server");
        (out, status.code())
    }
}

#[test]
fn serve_echo_and_call() {
    let _w = watchdog("serve_echo_and_call", 30);
    isolate();
    let name = unique_name("echo");
    let server = Server::start(&[&name, "--echo", "--message", "--max-clients", "2"]);

    let out = run(&["pipe", "call", &name, "hello, pipe"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello, pipe\n");

    // The full name works too, and pipe names ignore case.
    let full = format!(r"\\.\PIPE\{}", name.to_uppercase());
    let out = run(&["pipe", "call", &full, "second", "--timeout", "5000"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "second\n");

    let (_, code) = server.finish();
    assert_eq!(code, Some(0), "the server ends after --max-clients 2");
}

#[test]
fn serve_print_and_connect_with_stdin() {
    let _w = watchdog("serve_print_and_connect_with_stdin", 30);
    isolate();
    let name = unique_name("print");
    let mut server = Server::start(&[&name, "--print", "--max-clients", "1"]);

    let client = w32ipc(&["pipe", "connect", &name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn connect");
    let pid = client.id();
    let mut client = ChildGuard(client);
    let mut stdin = client.0.stdin.take().expect("stdin is piped");
    stdin.write_all(b"hello\n").expect("write");
    let connected = server.expect_line("w32ipc: client ");
    assert!(connected.contains(&pid.to_string()), "{connected}");
    stdin
        .write_all(b"world\nno newline at the end")
        .expect("write");
    drop(stdin);
    let status = client.0.wait().expect("wait for connect");
    assert_eq!(status.code(), Some(0));

    let (out, code) = server.finish();
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        format!("[{pid}] hello\n[{pid}] world\n[{pid}] no newline at the end\n")
    );
}

#[test]
fn connect_prints_what_a_byte_echo_server_sends_back() {
    let _w = watchdog("connect_prints_what_a_byte_echo_server_sends_back", 30);
    isolate();
    let name = unique_name("becho");
    let server = Server::start(&[&name, "--echo", "--max-clients", "1"]);
    let out = run(
        &["pipe", "connect", &name, "--linger", "1000"],
        b"ping\npong\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ping\npong\n");
    assert_eq!(server.finish().1, Some(0));
}

#[test]
fn several_instances_serve_clients_at_once() {
    let _w = watchdog("several_instances_serve_clients_at_once", 30);
    isolate();
    let name = unique_name("multi");
    let server = Server::start(&[
        &name,
        "--echo",
        "--message",
        "--instances",
        "3",
        "--max-clients",
        "6",
    ]);
    let calls: Vec<_> = (0..6)
        .map(|i| {
            let name = name.clone();
            std::thread::spawn(move || {
                let msg = format!("call {i}");
                let out = run(&["pipe", "call", &name, &msg, "--timeout", "10000"], b"");
                (msg, out)
            })
        })
        .collect();
    for c in calls {
        let (msg, out) = c.join().expect("a call thread");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), format!("{msg}\n"));
    }
    assert_eq!(server.finish().1, Some(0));
}

#[test]
fn not_found_says_so_and_exits_3() {
    let _w = watchdog("not_found_says_so_and_exits_3", 30);
    isolate();
    let name = unique_name("missing");
    for args in [
        vec!["pipe", "call", &name, "hi"],
        vec!["pipe", "connect", &name],
    ] {
        let out = run(&args, b"");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        let verb = if args[1] == "call" {
            "call"
        } else {
            "connect to"
        };
        assert!(
            err.starts_with(&format!(
                "error: cannot {verb} \\\\.\\pipe\\{name}: not found (ERROR_FILE_NOT_FOUND, 2)\n"
            )),
            "{err}"
        );
        assert!(err.contains("hint: no server has created"), "{err}");
    }
}

#[test]
fn busy_and_timeout_say_so_and_exit_6_and_5() {
    let _w = watchdog("busy_and_timeout_say_so_and_exit_6_and_5", 30);
    isolate();
    let name = unique_name("busy");
    let mut server = Server::start(&[&name, "--message", "--max-clients", "1"]);
    // A client that holds the only instance while its stdin stays open.
    let mut holder = ChildGuard::spawn(
        w32ipc(&["pipe", "connect", &name])
            .stdin(Stdio::piped())
            .stdout(Stdio::null()),
    );
    server.expect_line("w32ipc: client ");

    let out = run(&["pipe", "connect", &name, "--timeout", "0"], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.starts_with(&format!(
            "error: cannot connect to \\\\.\\pipe\\{name}: all pipe instances are busy \
             (ERROR_PIPE_BUSY, 231)\nhint: "
        )),
        "{err}"
    );
    let out = run(&["pipe", "call", &name, "x", "--timeout", "0"], b"");
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));

    let out = run(&["pipe", "call", &name, "x", "--timeout", "100"], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("the wait timed out (ERROR_SEM_TIMEOUT, 121)")
            && err.contains("hint: no instance became free in time"),
        "{err}"
    );

    drop(holder.0.stdin.take());
    assert_eq!(
        holder.0.wait().expect("wait for the holder").code(),
        Some(0)
    );
    assert_eq!(server.finish().1, Some(0));
}

#[test]
fn usage_errors_exit_2() {
    let _w = watchdog("usage_errors_exit_2", 30);
    isolate();
    let out = run(&["pipe", "connect", r"\\server\pipe\x"], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("(ERROR_BAD_NETPATH, 53)"), "{err}");
    for args in [
        vec!["pipe", "serve"],
        vec!["pipe", "call", "x"],
        vec!["pipe", "connect", "x", "--timeout", "soon"],
        vec!["pipe", "serve", "x", "--instances", "0"],
    ] {
        let out = run(&args, b"");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn call_on_a_byte_pipe_explains() {
    let _w = watchdog("call_on_a_byte_pipe_explains", 30);
    isolate();
    let name = unique_name("bytes");
    let server = Server::start(&[&name, "--echo", "--max-clients", "1"]);
    let out = run(&["pipe", "call", &name, "hi"], b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("(ERROR_INVALID_PARAMETER, 87)"), "{err}");
    assert!(err.contains("needs a message pipe"), "{err}");
    assert_eq!(server.finish().1, Some(0));
}

#[test]
fn help_lists_examples_and_exit_codes() {
    let _w = watchdog("help_lists_examples_and_exit_codes", 30);
    for cmd in ["serve", "connect", "call"] {
        let out = run(&["pipe", cmd, "--help"], b"");
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        assert!(help.contains("Examples:"), "{cmd}: {help}");
        assert!(
            help.contains("6  busy: every instance of the pipe has a client"),
            "{cmd}: {help}"
        );
    }
}

#[test]
fn demo_runs_every_scenario_with_the_named_pipe_lines() {
    let _w = watchdog("demo_runs_every_scenario_with_the_named_pipe_lines", 60);
    isolate();
    let out = run(&["demo"], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for start in [
        "anonymous pipe: ",
        "named pipe: ",
        "named pipe, messages: ",
        "shared memory: ",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(start)),
            "no line starts with {start:?}:\n{stdout}"
        );
    }
    let seed = stdout
        .lines()
        .find(|l| l.starts_with("named pipe: "))
        .expect("the named-pipe line");
    assert!(
        seed.contains("PIPE_ACCESS_OUTBOUND") && seed.contains("ERROR_PIPE_BUSY"),
        "{seed}"
    );

    // A scenario alone, by name.
    let out = run(&["demo", "named-pipe-messages"], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("named pipe, messages: "), "{stdout}");
    assert!(!stdout.contains("anonymous pipe: "), "{stdout}");
}
