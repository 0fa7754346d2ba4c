//! `w32ipc bench`: a small run between real processes (the children are this binary run again
//! as `__bench-child`), its JSON and report files, and its usage errors. The figures of a test
//! build mean nothing; what is checked is that every arm ran and the report holds together.
//!
//! Every test runs under a watchdog.

mod common;

use common::{run, text};

use w32ipc_test_support::watchdog;

#[test]
fn a_small_run_reports_raw_w32ipc_and_peers() {
    let _w = watchdog("a_small_run_reports_raw_w32ipc_and_peers", 120);
    let dir = std::env::temp_dir().join(format!("w32ipc-bench-cli-{}", std::process::id()));
    let out = run(
        &[
            "bench",
            "--quick",
            "--trials",
            "1",
            "--only",
            "pipe-roundtrip",
            "--pipe-round-trips",
            "50",
            "--only",
            "idle-memory",
            "--idle-objects",
            "20",
            "--json",
            "--no-progress",
            "--out",
            dir.to_str().expect("a UTF-8 temporary directory"),
        ],
        b"",
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The JSON on stdout: every scenario names its mechanism, w32ipc's rows their best peer.
    assert!(stdout.starts_with("{\"machine\":"), "{stdout}");
    for needle in [
        "\"mechanism\":\"anonymous pipes\"",
        "\"mechanism\":\"named pipes\"",
        "\"mechanism\":\"messages\"",
        "\"mechanism\":\"shared memory & sync\"",
        "\"name\":\"raw pipe2 read/write\"",
        "\"name\":\"os_pipe\"",
        "\"best_peer\":\"",
    ] {
        assert!(stdout.contains(needle), "{needle} missing from {stdout}");
    }
    // The summary tables went to stderr, with their ratios.
    assert!(stderr.contains("### anonymous pipes"), "{stderr}");
    assert!(stderr.contains("×raw"), "{stderr}");
    for file in ["report.md", "chart.svg", "report.json"] {
        let body = std::fs::read_to_string(dir.join(file)).expect(file);
        assert!(!body.is_empty(), "{file} is empty");
    }
    let svg = std::fs::read_to_string(dir.join("chart.svg")).expect("chart.svg");
    assert!(svg.starts_with("<svg") && svg.contains("w32ipc"), "{svg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_flags_exit_2_with_one_line() {
    let _w = watchdog("bad_flags_exit_2_with_one_line", 30);
    for args in [
        &["bench", "--frobnicate"][..],
        &["bench", "--only", "everything"],
        &["bench", "--trials", "0"],
    ] {
        let out = run(args, b"");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
}
