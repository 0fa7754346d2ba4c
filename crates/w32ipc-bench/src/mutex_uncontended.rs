//! Uncontended mutex: one thread takes and releases a mutex over and over, ns per
//! acquire + release pair.
//!
//! Subject: a named (so cross-process-capable) w32ipc mutex, `Mutex::wait(None)` +
//! `release()`. Baseline: the fast path of a futex lock on a word in a shared `memfd` page —
//! compare-and-swap 0 → 1 to take it, swap back to 0 to release it (and a futex wake only if
//! someone sleeps, which never happens here). The target is absolute: a median of at most
//! [`LIMIT_NS`], and — checked with `strace -c -f`, not here — no system call per pair.
//!
//! A diagnostic row runs the baseline with a `gettid()` system call before the lock and
//! before the unlock: the price of asking the kernel for the thread id on each call, which
//! is what a mutex that records its owner thread pays unless it keeps the id at hand.

use std::io;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use rustix::io::Errno;
use rustix::thread::futex;
use w32ipc::sync::{Mutex, WaitOutcome};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::options::Options;
use crate::placement::{self, Pinning};
use crate::session::unique_name;
use crate::shared_word::SharedWords;

/// The most a w32ipc acquire + release pair may take (median), in ns.
pub const LIMIT_NS: f64 = 100.0;

/// Runs the mutex scenario in this thread (pinned to one CPU under `--pin`/`--pin-same`).
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let pinned = placement::pin_parent(options.pin)?;
    let pinning = pinned.as_ref().map(|(p, _guard)| *p);
    let pairs = options.mutex_pairs;
    let words = SharedWords::create()?;
    let raw = RawLock {
        word: words.word(0),
    };
    let name = unique_name("mutex");
    let mutex = Mutex::create(Some(&name), false)?;
    if mutex.existed() {
        return Err(io::Error::other(format!("{name}: mutex already existed")));
    }
    let scenario = Scenario {
        name: format!("mutex acquire + release, uncontended, 1 thread, {pairs} pairs per trial"),
        unit: "ns/pair",
        better: Better::Lower,
        target: None,
        placement: describe(pinning),
        baseline: Subject::new("raw CAS lock/unlock (shared memfd word)", || {
            per_pair(pairs, || {
                raw.lock()?;
                raw.unlock()
            })
        }),
        subjects: vec![
            Subject::new("w32ipc Mutex wait(None)/release", || {
                per_pair(pairs, || {
                    match mutex.wait(None)? {
                        WaitOutcome::Signaled => {}
                        other => return Err(io::Error::other(format!("mutex wait: {other:?}"))),
                    }
                    mutex.release()
                })
            }),
            Subject::new("raw CAS lock/unlock + 2 gettid() calls", || {
                per_pair(pairs, || {
                    std::hint::black_box(rustix::thread::gettid());
                    raw.lock()?;
                    std::hint::black_box(rustix::thread::gettid());
                    raw.unlock()
                })
            })
            .diagnostic(),
        ],
    };
    let mut comparison = harness::run(scenario, options.trials)?;
    comparison.limit = Some(LIMIT_NS);
    Ok(vec![comparison])
}

fn describe(pinning: Option<Pinning>) -> String {
    match pinning {
        Some(p) => format!("pinned: one thread on cpu{}", p.parent),
        None => "unpinned: one thread".to_string(),
    }
}

/// Runs `pair` `n` times and returns the mean time of one, in ns.
fn per_pair(n: u64, mut pair: impl FnMut() -> io::Result<()>) -> io::Result<f64> {
    let start = Instant::now();
    for _ in 0..n {
        pair()?;
    }
    Ok(start.elapsed().as_secs_f64() * 1e9 / n as f64)
}

/// A futex lock on a shared word (0: free; 1: taken; 2: taken, and someone sleeps).
struct RawLock<'a> {
    word: &'a AtomicU32,
}

impl RawLock<'_> {
    fn lock(&self) -> io::Result<()> {
        if self
            .word
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return Ok(());
        }
        // Contended (never, in this scenario): mark a sleeper and sleep until it is free.
        while self.word.swap(2, Ordering::Acquire) != 0 {
            match futex::wait(self.word, futex::Flags::empty(), 2, None) {
                Ok(()) | Err(Errno::AGAIN) | Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    fn unlock(&self) -> io::Result<()> {
        if self.word.swap(0, Ordering::Release) == 2 {
            futex::wake(self.word, futex::Flags::empty(), 1)?;
        }
        Ok(())
    }
}
