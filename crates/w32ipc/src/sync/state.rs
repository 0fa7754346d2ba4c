//! The shared state of an event, mutex or semaphore — one 32-bit word that every process
//! holding the object changes with compare-and-swap, and sleeps on with a futex — and the rules
//! by which each kind is taken.
//!
//! Word layouts (bit 31, `LOCK`, is common to all: a wait-for-all holds it on every object it
//! takes at once, so that it takes all or none atomically; everyone else waits while it is set):
//!
//! | kind | bit 30 | bits 0–29 |
//! |---|---|---|
//! | event | signalled | generation, bumped by `SetEvent`/`PulseEvent` on manual-reset events |
//! | mutex | abandoned (free, last owner died) | owner thread id, 0 when free |
//! | semaphore | (part of the count) | count, bits 0–30 |

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::object::ObjectKind;

pub(crate) const LOCK: u32 = 1 << 31;
pub(crate) const SIGNALED: u32 = 1 << 30;
pub(crate) const ABANDONED: u32 = 1 << 30;
pub(crate) const OWNER: u32 = (1 << 30) - 1;
pub(crate) const GENERATION: u32 = (1 << 30) - 1;
pub(crate) const COUNT: u32 = !LOCK;

/// The state of a sync object, in its shared page.
#[repr(C)]
pub(crate) struct SyncState {
    /// The word described above.
    pub(crate) word: AtomicU32,
    /// The thread holding `LOCK`, so a lock left by a killed process can be broken.
    pub(crate) locker: AtomicU32,
    /// Event: 1 for manual reset. Mutex: recursion count (the owner's alone).
    /// Semaphore: the maximum count.
    pub(crate) aux: AtomicU32,
    /// Threads sleeping on `word` (signallers skip the wake when there are none).
    pub(crate) waiters: AtomicU32,
    /// Threads in a single-object wait that look at `word` without sleeping yet (they spin
    /// first, and count in `waiters` only from their first sleep, so that a signaller need not
    /// wake them): `PulseEvent` releases them too.
    pub(crate) spinners: AtomicU32,
    /// The CPU of the thread that last changed `word` through [`update`](Self::update), plus
    /// one (0: none yet): a waiter spins before sleeping only if it is another CPU
    /// ([`crate::spin`]).
    pub(crate) cpu: AtomicU32,
}

impl SyncState {
    /// The state at `ptr`.
    ///
    /// # Safety
    /// `ptr` points to a `SyncState` in a mapping that outlives `'a`.
    pub(crate) unsafe fn at<'a>(ptr: NonNull<u8>) -> &'a SyncState {
        // SAFETY: per the caller; the layout is six aligned u32 atomics.
        unsafe { ptr.cast::<SyncState>().as_ref() }
    }

    /// Changes the word with `f` (which sees it without `LOCK`) unless a wait-for-all holds
    /// it, and wakes sleepers if the word changed and anyone sleeps. Returns the old word
    /// (without `LOCK`).
    pub(crate) fn update<E>(&self, mut f: impl FnMut(u32) -> Result<u32, E>) -> Result<u32, E> {
        loop {
            let w = self.unlocked_word();
            let new = f(w)?;
            if new == w {
                return Ok(w);
            }
            if self
                .word
                .compare_exchange(w, new, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                let cpu = crate::spin::current_cpu() + 1;
                if self.cpu.load(Ordering::Relaxed) != cpu {
                    self.cpu.store(cpu, Ordering::Relaxed);
                }
                if self.waiters.load(Ordering::SeqCst) > 0 {
                    crate::sys::futex::wake_all(&self.word);
                }
                return Ok(w);
            }
        }
    }

    /// Whether any thread is in a wait on the object: asleep or about to sleep (`waiters`), or
    /// looking before its first sleep (`spinners`).
    pub(crate) fn anyone_waiting(&self) -> bool {
        self.waiters.load(Ordering::SeqCst) > 0 || self.spinners.load(Ordering::SeqCst) > 0
    }

    /// Whether the thread that last changed the word ran on another CPU than the caller: a
    /// waiter's cue to spin before sleeping ([`crate::spin`]).
    pub(crate) fn changed_elsewhere(&self) -> bool {
        match self.cpu.load(Ordering::Relaxed) {
            0 => false,
            cpu => crate::spin::worth(cpu - 1),
        }
    }

    /// The word once no wait-for-all holds it. A holder that died with it held (killed in the
    /// few instructions it holds it) is detected and the lock broken.
    pub(crate) fn unlocked_word(&self) -> u32 {
        let mut spins = 0u32;
        loop {
            let w = self.word.load(Ordering::SeqCst);
            if w & LOCK == 0 {
                return w;
            }
            spins += 1;
            if spins < 200 {
                std::hint::spin_loop();
            } else if !spins.is_multiple_of(10_000) {
                std::thread::yield_now();
            } else {
                let locker = self.locker.load(Ordering::SeqCst);
                if locker != 0 && !crate::sys::process::thread_alive(locker) {
                    let _ = self.word.compare_exchange(
                        w,
                        w & !LOCK,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                }
            }
        }
    }

    /// Sets `LOCK` on behalf of thread `me`; returns the word without it.
    pub(crate) fn lock(&self, me: u32) -> u32 {
        loop {
            let w = self.unlocked_word();
            if self
                .word
                .compare_exchange(w, w | LOCK, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                self.locker.store(me, Ordering::SeqCst);
                return w;
            }
        }
    }

    /// Clears `LOCK`, storing `w`.
    pub(crate) fn unlock(&self, w: u32) {
        self.locker.store(0, Ordering::SeqCst);
        self.word.store(w & !LOCK, Ordering::SeqCst);
    }
}

/// Whether an object can be taken in the state `w`, and the state it leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Look {
    /// Taken: store `new`; `abandoned` for a mutex whose owner died; `recursive` when the
    /// caller already owns the mutex.
    Take {
        new: u32,
        abandoned: bool,
        recursive: bool,
    },
    /// Not available.
    Busy,
}

/// Looks at one object's word `w` for thread `me`. `start` is the word when the wait began
/// (a manual-reset event that was set — or pulsed — since then releases the waiter even if it
/// was reset again). `owner_dead` tells whether a mutex owner thread has ended.
pub(crate) fn look(
    kind: ObjectKind,
    manual: bool,
    w: u32,
    start: u32,
    me: u32,
    owner_dead: &mut dyn FnMut(u32) -> bool,
) -> Look {
    let take = |new| Look::Take {
        new,
        abandoned: false,
        recursive: false,
    };
    match kind {
        ObjectKind::Event => {
            if w & SIGNALED != 0 {
                take(if manual { w } else { w & !SIGNALED })
            } else if manual && (w & GENERATION) != (start & GENERATION) {
                take(w)
            } else {
                Look::Busy
            }
        }
        ObjectKind::Semaphore => {
            if w & COUNT > 0 {
                take(w - 1)
            } else {
                Look::Busy
            }
        }
        ObjectKind::Mutex => {
            let owner = w & OWNER;
            if owner == 0 {
                Look::Take {
                    new: me,
                    abandoned: w & ABANDONED != 0,
                    recursive: false,
                }
            } else if owner == me {
                Look::Take {
                    new: w,
                    abandoned: false,
                    recursive: true,
                }
            } else if owner_dead(owner) {
                Look::Take {
                    new: me,
                    abandoned: true,
                    recursive: false,
                }
            } else {
                Look::Busy
            }
        }
        _ => Look::Busy,
    }
}

/// What taking did to a mutex's recursion count (the owner's private business).
pub(crate) fn after_take(kind: ObjectKind, st: &SyncState, recursive: bool) {
    if kind == ObjectKind::Mutex {
        if recursive {
            st.aux.fetch_add(1, Ordering::SeqCst);
        } else {
            st.aux.store(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: u32) -> bool {
        false
    }

    #[test]
    fn events() {
        let auto = look(ObjectKind::Event, false, SIGNALED | 3, 0, 1, &mut never);
        assert_eq!(
            auto,
            Look::Take {
                new: 3,
                abandoned: false,
                recursive: false
            }
        );
        let manual = look(ObjectKind::Event, true, SIGNALED | 3, 0, 1, &mut never);
        assert!(matches!(manual, Look::Take { new, .. } if new == SIGNALED | 3));
        // Pulsed (generation moved on) while the waiter slept: released.
        assert!(matches!(
            look(ObjectKind::Event, true, 4, 3, 1, &mut never),
            Look::Take { .. }
        ));
        assert_eq!(
            look(ObjectKind::Event, true, 3, 3, 1, &mut never),
            Look::Busy
        );
        assert_eq!(
            look(ObjectKind::Event, false, 4, 3, 1, &mut never),
            Look::Busy
        );
    }

    #[test]
    fn mutexes() {
        assert!(matches!(
            look(ObjectKind::Mutex, false, 0, 0, 7, &mut never),
            Look::Take {
                new: 7,
                abandoned: false,
                recursive: false
            }
        ));
        assert!(matches!(
            look(ObjectKind::Mutex, false, 7, 0, 7, &mut never),
            Look::Take {
                recursive: true,
                ..
            }
        ));
        assert_eq!(
            look(ObjectKind::Mutex, false, 9, 0, 7, &mut never),
            Look::Busy
        );
        assert!(matches!(
            look(ObjectKind::Mutex, false, 9, 0, 7, &mut |_| true),
            Look::Take {
                new: 7,
                abandoned: true,
                ..
            }
        ));
        assert!(matches!(
            look(ObjectKind::Mutex, false, ABANDONED, 0, 7, &mut never),
            Look::Take {
                new: 7,
                abandoned: true,
                ..
            }
        ));
    }

    #[test]
    fn semaphores() {
        assert!(matches!(
            look(ObjectKind::Semaphore, false, 2, 0, 1, &mut never),
            Look::Take { new: 1, .. }
        ));
        assert_eq!(
            look(ObjectKind::Semaphore, false, 0, 0, 1, &mut never),
            Look::Busy
        );
    }
}
