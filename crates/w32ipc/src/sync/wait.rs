//! The wait engine behind `WaitForSingleObject` and `WaitForMultipleObjects`: try every object,
//! and if none (or not all) can be taken, sleep on all their words at once with `futex_waitv`
//! until one changes, a process or thread ends, or time runs out. When an object was last
//! changed by a thread on another CPU, the wait first spins for a few microseconds
//! ([`crate::spin`]): a ping-pong across CPUs then never sleeps.

use std::collections::HashSet;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::object::SyncObject;
use super::state::{LOCK, Look, after_take, look};
use crate::error::{ERROR_INVALID_PARAMETER, win32};
use crate::object::ObjectKind;
use crate::spin;
use crate::sys;
use crate::sys::futex::Watch;
use crate::sys::watch::Registration;

/// Something a wait can be made on.
pub(crate) enum Target<'a> {
    /// An event, mutex or semaphore.
    Object(SyncObject),
    /// A process or thread (a pidfd): signalled once it has ended.
    Ended(BorrowedFd<'a>),
    /// Always signalled (pipe and file handles, as on Windows).
    Always,
    /// A condition of the caller's (a thread's message queue for `MsgWaitForMultipleObjects`).
    Probe(&'a dyn Probe),
}

/// A condition a wait can include: ready or not, and a shared word that changes (and is woken)
/// whenever it may have become ready.
pub(crate) trait Probe {
    /// The word to sleep on.
    fn word(&self) -> &AtomicU32;
    /// Whether the condition holds now.
    fn ready(&self) -> bool;
}

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Done {
    /// Object `index` was taken (for a wait-for-all: all were, and `index` is the lowest
    /// abandoned mutex, if `abandoned`).
    Taken { index: usize, abandoned: bool },
    /// Time ran out.
    TimedOut,
}

/// A mutex owner being watched, so that its death wakes us.
struct OwnerWatch {
    tid: u32,
    pidfd: Option<OwnedFd>,
    _registration: Option<Registration>,
}

struct Waiter<'t, 'a> {
    targets: &'t [Target<'a>],
    me: u32,
    /// Each object's word when the wait began.
    starts: Vec<u32>,
    /// The words seen by the last look, to sleep on.
    seen: Vec<u32>,
    owners: Vec<Option<OwnerWatch>>,
    /// Set once the cheap first look failed: waiters counted, pidfds watched, owners checked.
    slow: bool,
    registrations: Vec<Registration>,
}

impl Drop for Waiter<'_, '_> {
    fn drop(&mut self) {
        if self.slow {
            for t in self.targets {
                if let Target::Object(o) = t {
                    o.state().waiters.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
    }
}

/// Takes `o` if it can be taken right now without looking into a mutex owner's liveness;
/// `Some(abandoned)` when taken. (The first look of a wait, without its allocations.)
pub(crate) fn try_take_now(o: &SyncObject) -> Option<bool> {
    let st = o.state();
    let manual = st.aux.load(Ordering::Relaxed) == 1;
    let me = sys::process::current_thread_id();
    loop {
        let w = st.unlocked_word();
        match look(o.kind, manual, w, w, me, &mut |_| false) {
            Look::Busy => return None,
            Look::Take {
                new,
                abandoned,
                recursive,
            } => {
                if new == w
                    || st
                        .word
                        .compare_exchange(w, new, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok()
                {
                    after_take(o.kind, st, recursive);
                    return Some(abandoned);
                }
            }
        }
    }
}

/// Waits on one event or semaphore (no owner to watch, no pidfd): the common case, without
/// the general engine's bookkeeping or any allocation.
pub(crate) fn run_plain(o: &SyncObject, timeout: Option<Duration>) -> io::Result<Done> {
    debug_assert!(o.kind != ObjectKind::Mutex);
    let deadline = timeout.map(|t| Instant::now() + t);
    let st = o.state();
    let manual = st.aux.load(Ordering::Relaxed) == 1;
    let me = sys::process::current_thread_id();
    let start = st.word.load(Ordering::SeqCst) & !LOCK;
    struct Counted<'a>(&'a AtomicU32);
    impl<'a> Counted<'a> {
        fn new(counter: &'a AtomicU32) -> Counted<'a> {
            counter.fetch_add(1, Ordering::SeqCst);
            Counted(counter)
        }
    }
    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    // In the wait from here on (a PulseEvent releases us); counted as a sleeper, whom a
    // signaller must wake, only from the first sleep on.
    let _in_wait = Counted::new(&st.spinners);
    let mut sleeper: Option<Counted<'_>> = None;
    let mut spun_first = false;
    loop {
        let w = st.unlocked_word();
        if let Look::Take { new, .. } = look(o.kind, manual, w, start, me, &mut |_| false) {
            if new == w
                || st
                    .word
                    .compare_exchange(w, new, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            {
                return Ok(Done::Taken {
                    index: 0,
                    abandoned: false,
                });
            }
            continue;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(Done::TimedOut);
        }
        if sleeper.is_none() {
            // The signaller ran on another CPU: it may signal again within microseconds.
            let spun = st.changed_elsewhere();
            if spun && spin::until(deadline, || st.word.load(Ordering::SeqCst) != w) {
                continue;
            }
            // Counted before the word is read again: a signal from now on wakes us.
            sleeper = Some(Counted::new(&st.waiters));
            spun_first = spun;
            continue;
        }
        let watch = [Watch {
            word: &st.word,
            expected: w,
            private: false,
        }];
        let slept = spun_first.then(Instant::now);
        sys::futex::wait_many(&watch, deadline)?;
        if let Some(since) = slept {
            spin::slept(since.elapsed());
            spun_first = false;
        }
    }
}

/// Runs a wait. `all`: take every object at once, or none.
pub(crate) fn run(
    targets: &[Target<'_>],
    all: bool,
    timeout: Option<Duration>,
) -> io::Result<Done> {
    if all {
        let mut ids = HashSet::new();
        for t in targets {
            if let Target::Object(o) = t
                && !ids.insert(o.page.id)
            {
                // The same object twice in a wait-for-all (Windows refuses it too).
                return Err(win32(ERROR_INVALID_PARAMETER));
            }
        }
    }
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut w = Waiter {
        targets,
        me: sys::process::current_thread_id(),
        starts: targets
            .iter()
            .map(|t| match t {
                Target::Object(o) => o.state().word.load(Ordering::SeqCst) & !LOCK,
                _ => 0,
            })
            .collect(),
        seen: vec![0; targets.len()],
        owners: targets.iter().map(|_| None).collect(),
        slow: false,
        registrations: Vec::new(),
    };
    loop {
        let sequence = sys::watch::sequence().load(Ordering::SeqCst);
        let taken = if all { w.take_all()? } else { w.take_any()? };
        if let Some(done) = taken {
            return Ok(done);
        }
        if !w.slow {
            // Look once more the careful way (is a mutex's owner still alive?) before giving
            // up or sleeping, counted as a waiter so no signal is missed from here on.
            w.slow = true;
            w.start_slow();
            continue;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(Done::TimedOut);
        }
        if w.watch_owners()? {
            continue;
        }
        w.watch_pidfds()?;
        let mut watches: Vec<Watch<'_>> = Vec::with_capacity(targets.len() + 1);
        for (i, t) in targets.iter().enumerate() {
            match t {
                Target::Object(o) => watches.push(Watch {
                    word: &o.state().word,
                    expected: w.seen[i],
                    private: false,
                }),
                Target::Probe(p) => watches.push(Watch {
                    word: p.word(),
                    expected: w.seen[i],
                    private: false,
                }),
                _ => {}
            }
        }
        let watching = !w.registrations.is_empty() || w.owners.iter().any(Option::is_some);
        if watching {
            watches.push(Watch {
                word: sys::watch::sequence(),
                expected: sequence,
                private: true,
            });
        }
        if watches.is_empty() {
            // Nothing to sleep on (cannot happen: an untakeable target is an object or a
            // pidfd); sleep out the time rather than spin.
            std::thread::sleep(deadline.map_or(Duration::from_millis(10), |d| {
                d.saturating_duration_since(Instant::now())
            }));
            continue;
        }
        // An object last changed by a thread on another CPU may change again within
        // microseconds (a mutex released, an event set): look a little before sleeping.
        let spun = targets
            .iter()
            .any(|t| matches!(t, Target::Object(o) if o.state().changed_elsewhere()));
        let changed = || {
            watches
                .iter()
                .any(|w| w.word.load(Ordering::SeqCst) != w.expected)
        };
        if spun && spin::until(deadline, changed) {
            continue;
        }
        let slept = spun.then(Instant::now);
        sys::futex::wait_many(&watches, deadline)?;
        if let Some(since) = slept {
            spin::slept(since.elapsed());
        }
    }
}

impl Waiter<'_, '_> {
    /// Counts us as a waiter on each object.
    fn start_slow(&mut self) {
        for t in self.targets {
            if let Target::Object(o) = t {
                o.state().waiters.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// Watches each pidfd, once, before the first sleep. (A pidfd that became readable after
    /// it was looked at shows up at once, and changes the sequence read before the look.)
    fn watch_pidfds(&mut self) -> io::Result<()> {
        if !self.registrations.is_empty() {
            return Ok(());
        }
        for t in self.targets {
            if let Target::Ended(fd) = t {
                self.registrations.push(sys::watch::watch(*fd)?);
            }
        }
        Ok(())
    }

    /// Whether a mutex's owner thread has ended (only looked into once we are about to sleep).
    fn owner_dead(slow: bool, owners: &mut [Option<OwnerWatch>], i: usize, tid: u32) -> bool {
        if !slow {
            return false;
        }
        match &owners[i] {
            Some(ow) if ow.tid == tid => match &ow.pidfd {
                Some(fd) => sys::process::wait(fd.as_fd(), Some(Duration::ZERO)).unwrap_or(true),
                None => true,
            },
            _ => !sys::process::thread_alive(tid),
        }
    }

    /// Keeps a watch on the owner of every busy mutex; returns true if an owner turned out
    /// dead (look again at once).
    fn watch_owners(&mut self) -> io::Result<bool> {
        for (i, t) in self.targets.iter().enumerate() {
            let Target::Object(o) = t else { continue };
            if o.kind != ObjectKind::Mutex {
                continue;
            }
            let tid = self.seen[i] & super::state::OWNER;
            if tid == 0 || tid == self.me {
                self.owners[i] = None;
                continue;
            }
            if self.owners[i].as_ref().is_some_and(|ow| ow.tid == tid) {
                continue;
            }
            match sys::process::open_thread(tid) {
                Ok(fd) => {
                    let reg = sys::watch::watch(fd.as_fd())?;
                    self.owners[i] = Some(OwnerWatch {
                        tid,
                        pidfd: Some(fd),
                        _registration: Some(reg),
                    });
                }
                Err(_) => {
                    self.owners[i] = Some(OwnerWatch {
                        tid,
                        pidfd: None,
                        _registration: None,
                    });
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Tries each target in order; the first that can be taken is.
    fn take_any(&mut self) -> io::Result<Option<Done>> {
        for (i, t) in self.targets.iter().enumerate() {
            match t {
                Target::Always => {
                    return Ok(Some(Done::Taken {
                        index: i,
                        abandoned: false,
                    }));
                }
                Target::Probe(p) => {
                    self.seen[i] = p.word().load(Ordering::SeqCst);
                    if p.ready() {
                        return Ok(Some(Done::Taken {
                            index: i,
                            abandoned: false,
                        }));
                    }
                }
                Target::Ended(fd) => {
                    if sys::process::wait(*fd, Some(Duration::ZERO))? {
                        return Ok(Some(Done::Taken {
                            index: i,
                            abandoned: false,
                        }));
                    }
                }
                Target::Object(o) => {
                    let st = o.state();
                    let manual = st.aux.load(Ordering::Relaxed) == 1;
                    loop {
                        let w = st.unlocked_word();
                        // With several objects, a mutex abandoned at a lower index must win over
                        // a signalled object after it: look into its owner at once.
                        let careful = self.slow || self.targets.len() > 1;
                        let owners = &mut self.owners;
                        let seen = look(o.kind, manual, w, self.starts[i], self.me, &mut |tid| {
                            Self::owner_dead(careful, owners, i, tid)
                        });
                        match seen {
                            Look::Busy => {
                                self.seen[i] = w;
                                break;
                            }
                            Look::Take {
                                new,
                                abandoned,
                                recursive,
                            } => {
                                if new == w
                                    || st
                                        .word
                                        .compare_exchange(
                                            w,
                                            new,
                                            Ordering::SeqCst,
                                            Ordering::SeqCst,
                                        )
                                        .is_ok()
                                {
                                    after_take(o.kind, st, recursive);
                                    return Ok(Some(Done::Taken {
                                        index: i,
                                        abandoned,
                                    }));
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(None)
    }

    /// Takes every target at once, or none: every object's `LOCK` is held (in a global order,
    /// by inode) while all are looked at and, if all can be, taken.
    fn take_all(&mut self) -> io::Result<Option<Done>> {
        // Processes, threads and probes first: they cannot be taken, only be over or ready.
        for (i, t) in self.targets.iter().enumerate() {
            let not_yet = match t {
                Target::Ended(fd) => !sys::process::wait(*fd, Some(Duration::ZERO))?,
                Target::Probe(p) => {
                    self.seen[i] = p.word().load(Ordering::SeqCst);
                    !p.ready()
                }
                _ => false,
            };
            if not_yet {
                self.remember_words();
                return Ok(None);
            }
        }
        let mut order: Vec<usize> = (0..self.targets.len())
            .filter(|&i| matches!(self.targets[i], Target::Object(_)))
            .collect();
        order.sort_by_key(|&i| match &self.targets[i] {
            Target::Object(o) => o.page.id,
            _ => (0, 0),
        });
        let objects: Vec<&SyncObject> = order
            .iter()
            .map(|&i| match &self.targets[i] {
                Target::Object(o) => o,
                _ => unreachable!("only objects are ordered"),
            })
            .collect();
        let words: Vec<u32> = objects.iter().map(|o| o.state().lock(self.me)).collect();
        let mut looks = Vec::with_capacity(objects.len());
        for (k, o) in objects.iter().enumerate() {
            let i = order[k];
            let st = o.state();
            let manual = st.aux.load(Ordering::Relaxed) == 1;
            let (slow, owners) = (self.slow, &mut self.owners);
            looks.push(look(
                o.kind,
                manual,
                words[k],
                self.starts[i],
                self.me,
                &mut |tid| Self::owner_dead(slow, owners, i, tid),
            ));
        }
        if looks.iter().all(|l| matches!(l, Look::Take { .. })) {
            let mut first_abandoned = None;
            for (k, o) in objects.iter().enumerate() {
                if let Look::Take {
                    new,
                    abandoned,
                    recursive,
                } = looks[k]
                {
                    o.state().unlock(new);
                    after_take(o.kind, o.state(), recursive);
                    if abandoned {
                        first_abandoned =
                            Some(first_abandoned.map_or(order[k], |a: usize| a.min(order[k])));
                    }
                }
            }
            return Ok(Some(Done::Taken {
                index: first_abandoned.unwrap_or(0),
                abandoned: first_abandoned.is_some(),
            }));
        }
        for (k, o) in objects.iter().enumerate() {
            o.state().unlock(words[k]);
            self.seen[order[k]] = words[k];
        }
        Ok(None)
    }

    fn remember_words(&mut self) {
        for (i, t) in self.targets.iter().enumerate() {
            if let Target::Object(o) = t {
                self.seen[i] = o.state().unlocked_word();
            }
        }
    }
}
