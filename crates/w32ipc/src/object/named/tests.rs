//! The lifetime rules of named objects, between real processes.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use w32ipc_test_support::{ChildGuard, isolate, role, self_child, unique_name, watchdog};

use super::{create, open};
use crate::error::{ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, Win32ErrorExt};
use crate::object::name::ObjectName;
use crate::object::{Handle, ObjectKind};

/// These tests start child processes, and a process being started holds a copy of every
/// descriptor of its parent until it `exec`s (see `sys/linux/named.rs`): a test closing its
/// last handle while another test spawns would see its name survive for that moment. So the
/// tests of this module take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn name(s: &str) -> ObjectName {
    ObjectName::parse(s).unwrap().unwrap()
}

fn make(n: &ObjectName) -> (Handle, bool) {
    create(ObjectKind::Test, Some(n), &mut |_| Ok(())).unwrap()
}

fn open_code(n: &ObjectName) -> Result<Handle, u32> {
    open(ObjectKind::Test, n, true).map_err(|e| e.win32_code())
}

/// Starts a child that creates (or opens) `n` and holds it until killed.
fn holder(n: &str) -> ChildGuard {
    let mut cmd = self_child("object::named::tests::child_main", &format!("hold:{n}"));
    cmd.stdout(Stdio::piped());
    let mut child = ChildGuard::spawn(&mut cmd);
    let ready = BufReader::new(child.0.stdout.as_mut().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|l| l.trim() == "ready");
    assert!(ready, "child failed to take the name");
    child
}

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    if let Some(n) = r.strip_prefix("hold:") {
        let _h = make(&name(n));
        println!("ready");
        std::thread::sleep(Duration::from_secs(60));
    }
}

#[test]
fn name_lives_while_a_handle_is_open_in_process() {
    let _serial = serial();
    isolate();
    let _wd = watchdog("in-process lifetime", 20);
    let n = name(&unique_name("life"));
    let (a, existed) = make(&n);
    assert!(!existed);
    let (b, existed) = make(&n);
    assert!(existed, "second create must open the existing object");
    let c = open_code(&n).unwrap();
    drop(a);
    drop(b);
    assert!(open_code(&n).is_ok(), "one handle is still open");
    drop(c);
    assert_eq!(open_code(&n).err(), Some(ERROR_FILE_NOT_FOUND));
    let (_d, existed) = make(&n);
    assert!(
        !existed,
        "after the last close the name is free for a new object"
    );
}

#[test]
fn duplicated_and_unnamed_handles() {
    let _serial = serial();
    isolate();
    let _wd = watchdog("duplicates", 20);
    let n = name(&unique_name("dup"));
    let (a, _) = make(&n);
    let b = a.try_clone(false).unwrap();
    drop(a);
    assert!(open_code(&n).is_ok(), "the duplicate keeps the name");
    drop(b);
    assert_eq!(open_code(&n).err(), Some(ERROR_FILE_NOT_FOUND));
    let (u, existed) = create(ObjectKind::Test, None, &mut |_| Ok(())).unwrap();
    assert!(!existed);
    assert_eq!(u.kind().unwrap(), ObjectKind::Test);
}

#[test]
fn other_kind_is_invalid_handle() {
    let _serial = serial();
    isolate();
    let _wd = watchdog("kind clash", 20);
    let n = name(&unique_name("kind"));
    let (_a, _) = make(&n);
    let err = create(ObjectKind::Event, Some(&n), &mut |_| Ok(())).unwrap_err();
    assert_eq!(err.win32_code(), ERROR_INVALID_HANDLE);
    let err = open(ObjectKind::Mutex, &n, true).unwrap_err();
    assert_eq!(err.win32_code(), ERROR_INVALID_HANDLE);
}

#[test]
fn name_outlives_the_creator_while_another_process_holds_it() {
    let _serial = serial();
    isolate();
    let _wd = watchdog("cross-process lifetime", 30);
    let n = unique_name("xproc");
    let mut child = holder(&n);
    let mine = open_code(&name(&n)).expect("the child's object is visible here");
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    assert!(open_code(&name(&n)).is_ok(), "our handle keeps the name");
    drop(mine);
    assert_eq!(open_code(&name(&n)).err(), Some(ERROR_FILE_NOT_FOUND));
}

#[test]
fn name_is_gone_when_every_holder_is_sigkilled() {
    let _serial = serial();
    let root = isolate();
    let _wd = watchdog("SIGKILL lifetime", 30);
    let n = unique_name("killed");
    let mut a = holder(&n);
    let mut b = holder(&n);
    for c in [&mut a, &mut b] {
        c.0.kill().unwrap();
        c.0.wait().unwrap();
    }
    assert_eq!(open_code(&name(&n)).err(), Some(ERROR_FILE_NOT_FOUND));
    // The stale file is removed, not only ignored.
    let file = root.join("local").join(&n);
    assert!(
        !file.exists(),
        "stale name left behind at {}",
        file.display()
    );
    // And a create makes a fresh object.
    let (_h, existed) = make(&name(&n));
    assert!(!existed);
}

#[test]
fn inherited_handle_keeps_the_name() {
    let _serial = serial();
    use crate::object::AsHandleValue;
    use crate::process::CommandExt;
    isolate();
    let _wd = watchdog("inherited lifetime", 30);
    let n = name(&unique_name("inh"));
    let (h, _) = make(&n);
    // `sleep` inherits the handle and holds the lock after we close ours.
    let child = std::process::Command::new("sleep")
        .arg("30")
        .inherit_handle(&h)
        .spawn_process()
        .unwrap();
    let _ = h.handle_value();
    drop(h);
    assert!(
        open_code(&n).is_ok(),
        "the child's inherited handle keeps the name"
    );
    child.terminate(1).unwrap();
    child.wait().unwrap();
    assert_eq!(open_code(&n).err(), Some(ERROR_FILE_NOT_FOUND));
}

#[test]
fn racing_creates_opens_and_closes_never_see_a_dead_object() {
    let _serial = serial();
    isolate();
    let _wd = watchdog("lifetime race", 60);
    let n = name(&unique_name("race"));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..300 {
                    let (h, _) = make(&n);
                    assert_eq!(h.kind().unwrap(), ObjectKind::Test);
                    match open_code(&n) {
                        Ok(o) => assert_eq!(o.kind().unwrap(), ObjectKind::Test),
                        Err(code) => panic!("open failed while we held a handle: {code}"),
                    }
                }
            });
        }
    });
    assert_eq!(open_code(&n).err(), Some(ERROR_FILE_NOT_FOUND));
}
