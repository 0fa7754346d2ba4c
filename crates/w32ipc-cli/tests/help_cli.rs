//! What a newcomer and a script meet first: every `--help` with examples, the exit-code table,
//! usage errors (exit 2), and `w32ipc completions SHELL` (also into a reader that has gone).
//!
//! Every test runs under a watchdog.

mod common;

use std::process::Stdio;

use common::{run, text, w32ipc};

use w32ipc_test_support::watchdog;

/// Every command a user can ask for help on.
const COMMANDS: [&[&str]; 13] = [
    &[],
    &["demo"],
    &["ls"],
    &["bench"],
    &["pipe"],
    &["pipe", "serve"],
    &["pipe", "connect"],
    &["pipe", "call"],
    &["window"],
    &["window", "listen"],
    &["window", "send"],
    &["window", "ls"],
    &["completions"],
];

#[test]
fn every_help_has_examples_and_exit_codes() {
    let _w = watchdog("every_help_has_examples_and_exit_codes", 30);
    for cmd in COMMANDS {
        for flag in ["--help", "-h"] {
            let mut args = cmd.to_vec();
            args.push(flag);
            let out = run(&args, b"");
            let help = text(&out.stdout);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?}: {}",
                text(&out.stderr)
            );
            assert!(help.contains("\nExamples"), "{args:?}:\n{help}");
            assert!(help.contains("Exit codes"), "{args:?}:\n{help}");
            // The one-line summary: no full stop, as clap's own lines.
            let first = help.lines().next().unwrap_or_default();
            assert!(!first.ends_with('.'), "{args:?}: {first:?}");
        }
    }
}

#[test]
fn top_level_help_lists_commands_and_the_exit_code_table() {
    let _w = watchdog("top_level_help_lists_commands_and_the_exit_code_table", 30);
    let out = run(&["--help"], b"");
    let help = text(&out.stdout);
    for cmd in ["demo", "ls", "bench", "pipe", "window", "completions"] {
        assert!(
            help.lines().any(|l| l.starts_with(&format!("  {cmd} "))),
            "{cmd}:\n{help}"
        );
    }
    assert!(!help.contains("__child"), "{help}");
    for code in [
        "0  success",
        "1  any other failure",
        "2  usage",
        "3  not found",
        "4  the other side is gone",
        "5  timed out",
        "6  busy",
    ] {
        assert!(help.contains(code), "{code}:\n{help}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let _w = watchdog("usage_errors_exit_2", 30);
    for args in [
        vec!["frobnicate"],
        vec!["pipe", "frobnicate"],
        vec!["window", "frobnicate"],
        vec!["demo", "no-such-scenario"],
        vec!["ls", "--nope"],
        vec!["completions"],
        vec!["completions", "tcsh"],
    ] {
        let out = run(&args, b"");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
}

#[test]
fn completions_for_every_shell() {
    let _w = watchdog("completions_for_every_shell", 30);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell], b"");
        let script = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        for cmd in ["demo", "pipe", "window", "completions", "serve", "listen"] {
            assert!(script.contains(cmd), "{shell}: no {cmd:?}");
        }
        assert!(script.contains("timeout"), "{shell}: no --timeout");
        // The demo's child roles are not for users.
        assert!(!script.contains("__child"), "{shell}: __child is offered");
    }
}

#[test]
fn completions_into_a_closed_pipe_end_quietly() {
    let _w = watchdog("completions_into_a_closed_pipe_end_quietly", 30);
    // The reader is gone before the first write: every write fails with EPIPE.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = w32ipc(&["completions", "bash"])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run completions");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err, "");

    // The same as a user types it.
    let bin = env!("CARGO_BIN_EXE_w32ipc");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("'{bin}' completions bash | head -1"))
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .expect("run sh");
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err, "");
    assert_eq!(text(&out.stdout).lines().count(), 1);
}

#[test]
fn the_readme_has_the_same_exit_codes() {
    let _w = watchdog("the_readme_has_the_same_exit_codes", 30);
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("read README.md");
    let help = text(&run(&["--help"], b"").stdout);
    for (code, words) in [
        (0, "success"),
        (1, "any other failure"),
        (2, "usage"),
        (3, "not found"),
        (4, "the other side is gone"),
        (5, "timed out"),
        (6, "busy"),
    ] {
        assert!(
            readme.contains(&format!("\n| {code} | {words}")),
            "README.md: no row for exit code {code}"
        );
        assert!(help.contains(&format!("\n  {code}  {words}")), "{help}");
    }
}
