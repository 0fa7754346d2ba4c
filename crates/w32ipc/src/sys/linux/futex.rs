//! Futexes on shared memory (never `FUTEX_PRIVATE_FLAG` for words other processes see), and
//! `futex_waitv` to sleep on several at once.

use std::io;
use std::sync::atomic::AtomicU32;
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::thread::futex;

use crate::error::from_os;

/// One word to sleep on: its address, the value it must still have, and whether only this
/// process sees it (a private futex is cheaper).
pub(crate) struct Watch<'a> {
    pub(crate) word: &'a AtomicU32,
    pub(crate) expected: u32,
    pub(crate) private: bool,
}

/// The monotonic clock as a `Timespec`, `after` from now.
fn deadline_timespec(deadline: Instant) -> futex::Timespec {
    let left = deadline.saturating_duration_since(Instant::now());
    let now = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    let total = Duration::new(now.tv_sec as u64, now.tv_nsec as u32) + left;
    futex::Timespec {
        tv_sec: total.as_secs() as i64,
        tv_nsec: total.subsec_nanos() as _,
    }
}

/// Sleeps until one of `words` is woken or no longer holds its expected value, or until
/// `deadline`. Returns `false` on time-out. Spurious returns are possible: callers re-check.
pub(crate) fn wait_many(words: &[Watch<'_>], deadline: Option<Instant>) -> io::Result<bool> {
    if let [one] = words {
        return wait_one(one, deadline);
    }
    let wait = |w: &Watch<'_>| {
        let mut f = futex::Wait::new();
        f.val = w.expected as u64;
        f.uaddr = futex::WaitPtr::new(w.word.as_ptr().cast());
        f.flags = if w.private {
            futex::WaitFlags::SIZE_U32 | futex::WaitFlags::PRIVATE
        } else {
            futex::WaitFlags::SIZE_U32
        };
        f
    };
    // Two words (a queue and the watch sequence) are the common case: no allocation for it.
    let pair;
    let many: Vec<futex::Wait>;
    let waits: &[futex::Wait] = if let [a, b] = words {
        pair = [wait(a), wait(b)];
        &pair
    } else {
        many = words.iter().map(wait).collect();
        &many
    };
    let ts = deadline.map(deadline_timespec);
    match futex::waitv(
        waits,
        futex::WaitvFlags::empty(),
        ts.as_ref(),
        rustix::time::ClockId::Monotonic,
    ) {
        Ok(_) | Err(Errno::AGAIN) | Err(Errno::INTR) => Ok(true),
        Err(Errno::TIMEDOUT) => Ok(false),
        Err(e) => Err(from_os(e)),
    }
}

fn wait_one(w: &Watch<'_>, deadline: Option<Instant>) -> io::Result<bool> {
    let flags = if w.private {
        futex::Flags::PRIVATE
    } else {
        futex::Flags::empty()
    };
    let left = match deadline {
        Some(d) => {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            Some(futex::Timespec {
                tv_sec: left.as_secs() as i64,
                tv_nsec: left.subsec_nanos() as _,
            })
        }
        None => None,
    };
    match futex::wait(w.word, flags, w.expected, left.as_ref()) {
        Ok(()) | Err(Errno::AGAIN) | Err(Errno::INTR) => Ok(true),
        Err(Errno::TIMEDOUT) => Ok(false),
        Err(e) => Err(from_os(e)),
    }
}

/// Wakes every sleeper on a shared word.
pub(crate) fn wake_all(word: &AtomicU32) {
    let _ = futex::wake(word, futex::Flags::empty(), i32::MAX as u32);
}

/// Wakes every sleeper on a word only this process sees.
pub(crate) fn wake_all_private(word: &AtomicU32) {
    let _ = futex::wake(word, futex::Flags::PRIVATE, i32::MAX as u32);
}
