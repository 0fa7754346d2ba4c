//! Events, mutexes and semaphores between real processes: signalling, abandonment after a
//! SIGKILL, atomic wait-for-all, 64-object waits, time-outs, and names gone with their holders.
//! Every test runs under a watchdog with unique names.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};

use w32ipc::error::{
    ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_OWNER,
    Win32ErrorExt,
};
use w32ipc::process::Process;
use w32ipc::sync::{Event, Mutex, Semaphore, WaitMany, WaitOutcome, Waitable, wait_all, wait_any};
use w32ipc_test_support::{ChildGuard, isolate, role, self_child, unique_name, watchdog};

const ZERO: Option<Duration> = Some(Duration::ZERO);

/// Tests here that check a name is gone take turns with tests that start processes: a process
/// being started holds copies of our descriptors until it `exec`s.
static SERIAL: StdMutex<()> = StdMutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let (what, arg) = r.split_once(':').unwrap();
    match what {
        // Own the named mutex, say so, and hang until killed.
        "own-mutex" => {
            let m = Mutex::create(Some(arg), false).unwrap();
            assert_eq!(m.wait(None).unwrap(), WaitOutcome::Signaled);
            println!("ready");
            std::thread::sleep(Duration::from_secs(60));
        }
        // Answer each "ping" event with a "pong" event, n times.
        "pong" => {
            let (name, n) = arg.rsplit_once(',').unwrap();
            let ping = Event::open(&format!("{name}-ping")).unwrap();
            let pong = Event::open(&format!("{name}-pong")).unwrap();
            for _ in 0..n.parse::<u32>().unwrap() {
                assert_eq!(
                    ping.wait(Some(Duration::from_secs(10))).unwrap(),
                    WaitOutcome::Signaled
                );
                pong.set().unwrap();
            }
        }
        // Try to take both semaphores at once; report what happened.
        "take-both" => {
            let a = Semaphore::open(&format!("{arg}-a")).unwrap();
            let b = Semaphore::open(&format!("{arg}-b")).unwrap();
            let r = wait_all(&[&a, &b], Some(Duration::from_millis(300))).unwrap();
            println!("first {r:?}");
            let r = wait_all(&[&a, &b], Some(Duration::from_secs(10))).unwrap();
            println!("second {r:?}");
        }
        // Set event number k of the named set.
        "set-one" => {
            let (name, k) = arg.rsplit_once(',').unwrap();
            Event::open(&format!("{name}-{k}")).unwrap().set().unwrap();
        }
        // Hold a named event until killed.
        "hold-event" => {
            let _e = Event::create(Some(arg), true, false).unwrap();
            println!("ready");
            std::thread::sleep(Duration::from_secs(60));
        }
        other => panic!("unknown role {other}"),
    }
}

fn child(role: &str) -> ChildGuard {
    let mut cmd = self_child("child_main", role);
    cmd.stdout(Stdio::piped());
    ChildGuard::spawn(&mut cmd)
}

fn wait_ready(c: &mut Child) {
    let ready = BufReader::new(c.stdout.as_mut().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|l| l.trim() == "ready");
    assert!(ready, "child did not get ready");
}

fn lines(c: &mut Child) -> Vec<String> {
    BufReader::new(c.stdout.as_mut().unwrap())
        .lines()
        .map_while(Result::ok)
        .filter(|l| !l.is_empty() && !l.starts_with("running") && !l.starts_with("test "))
        .collect()
}

#[test]
fn events_ping_pong_between_processes() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("event ping-pong", 60);
    let name = unique_name("pp");
    let ping = Event::create(Some(&format!("{name}-ping")), false, false).unwrap();
    let pong = Event::create(Some(&format!("{name}-pong")), false, false).unwrap();
    let mut c = child(&format!("pong:{name},200"));
    for _ in 0..200 {
        ping.set().unwrap();
        assert_eq!(
            pong.wait(Some(Duration::from_secs(10))).unwrap(),
            WaitOutcome::Signaled
        );
    }
    assert!(c.0.wait().unwrap().success());
}

#[test]
fn mutex_of_a_killed_owner_is_abandoned_to_the_waiter() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("abandoned mutex", 60);
    let name = unique_name("abandon");
    let mut owner = child(&format!("own-mutex:{name}"));
    wait_ready(&mut owner.0);
    let m = Mutex::open(&name).unwrap();
    assert_eq!(
        m.wait(Some(Duration::from_millis(50))).unwrap(),
        WaitOutcome::TimedOut
    );
    // A waiter blocked forever is woken by the owner's death.
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        owner.0.kill().unwrap();
        owner.0.wait().unwrap();
    });
    let t = Instant::now();
    assert_eq!(m.wait(None).unwrap(), WaitOutcome::Abandoned);
    assert!(t.elapsed() < Duration::from_secs(5));
    killer.join().unwrap();
    // Ours now, and an ordinary mutex again.
    m.release().unwrap();
    assert_eq!(m.wait(ZERO).unwrap(), WaitOutcome::Signaled);
    m.release().unwrap();
}

#[test]
fn mutex_of_an_ended_thread_is_abandoned() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("abandoned by a thread", 30);
    let m = std::sync::Arc::new(Mutex::create(None, false).unwrap());
    let m2 = m.clone();
    std::thread::spawn(move || {
        assert_eq!(m2.wait(None).unwrap(), WaitOutcome::Signaled);
    })
    .join()
    .unwrap();
    // `join` returns a moment before the kernel has finished the thread (and made its pidfd
    // readable): a wait with time, not a poll, is what is promised.
    assert_eq!(
        m.wait(Some(Duration::from_secs(5))).unwrap(),
        WaitOutcome::Abandoned
    );
    assert_eq!(m.wait(ZERO).unwrap(), WaitOutcome::Signaled, "recursive");
    m.release().unwrap();
    m.release().unwrap();
    assert_eq!(m.release().unwrap_err().win32_code(), ERROR_NOT_OWNER);
}

#[test]
fn wait_all_across_processes_takes_all_or_none() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("wait-all", 60);
    let name = unique_name("all");
    let a = Semaphore::create(Some(&format!("{name}-a")), 1, 1).unwrap();
    let b = Semaphore::create(Some(&format!("{name}-b")), 0, 1).unwrap();
    let mut c = child(&format!("take-both:{name}"));
    // While the child's first wait-all times out, `a` must stay available to us at every
    // moment: a partial take would show up as a miss here.
    let until = Instant::now() + Duration::from_millis(250);
    while Instant::now() < until {
        assert_eq!(
            a.wait(ZERO).unwrap(),
            WaitOutcome::Signaled,
            "a was taken alone"
        );
        a.release(1).unwrap();
    }
    std::thread::sleep(Duration::from_millis(200));
    b.release(1).unwrap();
    let out = lines(&mut c.0);
    assert!(c.0.wait().unwrap().success());
    assert!(out.iter().any(|l| l == "first TimedOut"), "{out:?}");
    assert!(out.iter().any(|l| l == "second Signaled(0)"), "{out:?}");
    // Both were taken together.
    assert_eq!(a.wait(ZERO).unwrap(), WaitOutcome::TimedOut);
    assert_eq!(b.wait(ZERO).unwrap(), WaitOutcome::TimedOut);
}

#[test]
fn sixty_four_objects_and_the_lowest_index_wins() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("64 objects", 60);
    let name = unique_name("64");
    let events: Vec<Event> = (0..64)
        .map(|k| Event::create(Some(&format!("{name}-{k}")), true, false).unwrap())
        .collect();
    let refs: Vec<&dyn Waitable> = events.iter().map(|e| e as &dyn Waitable).collect();
    assert_eq!(wait_any(&refs, ZERO).unwrap(), WaitMany::TimedOut);
    let mut c = child(&format!("set-one:{name},37"));
    assert_eq!(
        wait_any(&refs, Some(Duration::from_secs(10))).unwrap(),
        WaitMany::Signaled(37)
    );
    assert!(c.0.wait().unwrap().success());
    events[5].set().unwrap();
    assert_eq!(wait_any(&refs, ZERO).unwrap(), WaitMany::Signaled(5));
    let extra = Event::create(None, true, true).unwrap();
    let mut too_many = refs.clone();
    too_many.push(&extra);
    assert_eq!(
        wait_any(&too_many, ZERO).unwrap_err().win32_code(),
        ERROR_INVALID_PARAMETER
    );
    assert_eq!(
        wait_any(&[], ZERO).unwrap_err().win32_code(),
        ERROR_INVALID_PARAMETER
    );
    // The same object twice in a wait-for-all.
    assert_eq!(
        wait_all(&[&events[5], &events[5]], ZERO)
            .unwrap_err()
            .win32_code(),
        ERROR_INVALID_PARAMETER
    );
}

#[test]
fn waits_time_out_on_time() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("time-outs", 30);
    let e = Event::create(None, false, false).unwrap();
    let t = Instant::now();
    assert_eq!(
        e.wait(Some(Duration::from_millis(120))).unwrap(),
        WaitOutcome::TimedOut
    );
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(120), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    let s = Semaphore::create(None, 0, 1).unwrap();
    assert_eq!(
        wait_all(&[&e, &s], Some(Duration::from_millis(50))).unwrap(),
        WaitMany::TimedOut
    );
}

#[test]
fn a_process_ending_wakes_a_wait_on_it_and_an_event() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("process in a wait", 30);
    let e = Event::create(None, true, false).unwrap();
    let p = w32ipc::process::ProcessBuilder::new("/bin/sleep")
        .args(["sleep", "0.2"])
        .spawn()
        .unwrap();
    let r = wait_any(&[&e, &p as &dyn Waitable], Some(Duration::from_secs(10))).unwrap();
    assert_eq!(r, WaitMany::Signaled(1));
    assert_eq!(p.exit_code().unwrap(), Some(0));
    let _ = Process::current_id();
}

#[test]
fn events_manual_auto_and_pulse() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("event kinds", 30);
    let manual = Event::create(None, true, false).unwrap();
    manual.set().unwrap();
    assert_eq!(manual.wait(ZERO).unwrap(), WaitOutcome::Signaled);
    assert_eq!(manual.wait(ZERO).unwrap(), WaitOutcome::Signaled);
    manual.reset().unwrap();
    assert_eq!(manual.wait(ZERO).unwrap(), WaitOutcome::TimedOut);
    // A pulse releases the sleepers and leaves the event reset.
    let m2 = std::sync::Arc::new(manual);
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let m = m2.clone();
            std::thread::spawn(move || m.wait(Some(Duration::from_secs(10))).unwrap())
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    m2.pulse().unwrap();
    for w in waiters {
        assert_eq!(w.join().unwrap(), WaitOutcome::Signaled);
    }
    assert_eq!(m2.wait(ZERO).unwrap(), WaitOutcome::TimedOut);
}

#[test]
fn names_follow_their_handles() {
    isolate();
    let _serial = serial();
    let _wd = watchdog("sync names", 60);
    let name = unique_name("names");
    let e = Event::create(Some(&name), true, false).unwrap();
    assert!(!e.existed());
    let again = Event::create(Some(&name), false, true).unwrap();
    assert!(again.existed());
    assert_eq!(
        Mutex::create(Some(&name), false)
            .err()
            .unwrap()
            .win32_code(),
        ERROR_INVALID_HANDLE
    );
    assert_eq!(
        Semaphore::open(&name).err().unwrap().win32_code(),
        ERROR_INVALID_HANDLE
    );
    drop(e);
    drop(again);
    assert_eq!(
        Event::open(&name).err().unwrap().win32_code(),
        ERROR_FILE_NOT_FOUND
    );
    // Every holder killed: the name is gone.
    let mut holders = [
        child(&format!("hold-event:{name}")),
        child(&format!("hold-event:{name}")),
    ];
    for h in &mut holders {
        wait_ready(&mut h.0);
    }
    assert!(Event::open(&name).is_ok());
    for h in &mut holders {
        h.0.kill().unwrap();
        h.0.wait().unwrap();
    }
    assert_eq!(
        Event::open(&name).err().unwrap().win32_code(),
        ERROR_FILE_NOT_FOUND
    );
}
