//! The C programs in `tests/c`, built with gcc against `libw32ipc` and run: each must print
//! what Windows printed for it (the Wine oracle's output, recorded in `tests/c/expected`).
//! `scripts/c-tests` runs the Wine side live; CI runs both.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn c_programs_print_what_windows_prints() {
    let _wd = w32ipc_test_support::watchdog("C programs", 900);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Cargo builds no cdylib for integration tests, so build libw32ipc.so here, in the
    // standard place the C programs link against.
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "--release", "-p", "w32ipc-capi"])
        .status()
        .expect("run cargo build");
    assert!(
        status.success(),
        "cargo build --release -p w32ipc-capi failed"
    );
    let out = Command::new("bash")
        .current_dir(&root)
        .args(["scripts/c-tests", "--linux-only"])
        .output()
        .expect("run scripts/c-tests");
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "C programs differ from the oracle:\n{text}"
    );
    assert!(
        text.lines().any(|l| l.ends_with(" 0 failed")),
        "no summary line"
    );
}
