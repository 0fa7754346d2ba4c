//! Other threads' queues, as this process sees them: mapped once and kept, with a cheap
//! "is that thread still there?" that costs a system call only after some watched thread ended.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{ERROR_INVALID_THREAD_ID, win32};
use crate::sys;
use crate::sys::msgq::Queue;
use crate::sys::outbox::PeerOutbox;
use crate::sys::watch::Registration;

/// A thread's queue seen from this process.
pub(crate) struct Peer {
    pub(crate) q: Queue,
    pub(crate) tid: u32,
    pub(crate) pid: u32,
    pub(crate) nonce: u64,
    /// The thread's pidfd and its watch (another process's thread only), made on first need.
    watch: Mutex<Option<(OwnedFd, Registration)>>,
    /// The watch sequence at the last liveness check that found the thread alive.
    checked: AtomicU32,
    /// Set once `watch` holds the thread's pidfd and its watch.
    watching: AtomicBool,
    dead: AtomicBool,
    /// The thread's outboxes mapped here, by descriptor number and generation (a few: a
    /// sender that gave up on a send moves to a new one).
    outboxes: Mutex<Vec<((u32, u16), PeerOutbox)>>,
}

/// Blocks of peers' outboxes in use by handlers right now (old mappings are kept until 0).
static BLOCKS_IN_USE: AtomicUsize = AtomicUsize::new(0);

fn cache() -> &'static Mutex<HashMap<u32, Arc<Peer>>> {
    static CACHE: std::sync::OnceLock<Mutex<HashMap<u32, Arc<Peer>>>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Thread `tid`'s queue; with `nonce`, only that very queue (not a later thread's with the
/// same id). `ERROR_INVALID_THREAD_ID` when there is none, or its thread ended.
pub(crate) fn get(tid: u32, nonce: Option<u64>) -> io::Result<Arc<Peer>> {
    // The thread's last peer first: a conversation is usually with one thread at a time.
    let last = LAST.try_with(|l| l.borrow().clone()).ok().flatten();
    if let Some(p) = last
        && p.tid == tid
        && nonce.is_none_or(|n| n == p.nonce)
        && p.alive()
    {
        return Ok(p);
    }
    let p = get_shared(tid, nonce)?;
    let _ = LAST.try_with(|l| *l.borrow_mut() = Some(p.clone()));
    Ok(p)
}

thread_local! {
    static LAST: std::cell::RefCell<Option<Arc<Peer>>> = const { std::cell::RefCell::new(None) };
}

fn get_shared(tid: u32, nonce: Option<u64>) -> io::Result<Arc<Peer>> {
    {
        let c = cache().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = c.get(&tid)
            && nonce.is_none_or(|n| n == p.nonce)
            && p.alive()
        {
            return Ok(p.clone());
        }
    }
    let q = Queue::open(tid)?;
    let h = q.header();
    let found = h.nonce.load(Ordering::Relaxed);
    if nonce.is_some_and(|n| n != found) {
        return Err(win32(ERROR_INVALID_THREAD_ID));
    }
    let p = Arc::new(Peer {
        pid: h.pid.load(Ordering::Relaxed),
        tid,
        nonce: found,
        q,
        watch: Mutex::new(None),
        checked: AtomicU32::new(0),
        watching: AtomicBool::new(false),
        dead: AtomicBool::new(false),
        outboxes: Mutex::new(Vec::new()),
    });
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.len() >= 4096 {
        c.retain(|_, p| Arc::strong_count(p) > 1 && !p.dead.load(Ordering::Relaxed));
    }
    c.insert(tid, p.clone());
    Ok(p)
}

/// Forgets thread `tid`'s cached queue (it ended).
pub(crate) fn forget(tid: u32) {
    cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&tid);
}

impl Peer {
    /// Whether the thread still runs (and its queue is still its own).
    pub(crate) fn alive(&self) -> bool {
        if self.dead.load(Ordering::Relaxed) {
            return false;
        }
        if self.q.header().alive.load(Ordering::Acquire) == 0
            || self.q.header().nonce.load(Ordering::Relaxed) != self.nonce
        {
            self.dead.store(true, Ordering::Relaxed);
            return false;
        }
        if self.pid == sys::process::current_pid() {
            return true;
        }
        let seq = sys::watch::sequence().load(Ordering::SeqCst);
        // No watched thread ended since the last check found this one alive: still alive.
        if self.watching.load(Ordering::Acquire) && self.checked.load(Ordering::Acquire) == seq {
            return true;
        }
        let mut w = self.watch.lock().unwrap_or_else(|e| e.into_inner());
        if w.is_none() {
            match sys::process::open_thread(self.tid) {
                Ok(fd) => match sys::watch::watch(fd.as_fd()) {
                    Ok(reg) => {
                        *w = Some((fd, reg));
                        self.watching.store(true, Ordering::Release);
                    }
                    Err(_) => return self.q.owner_alive(),
                },
                Err(_) => {
                    self.dead.store(true, Ordering::Relaxed);
                    return false;
                }
            }
        }
        let ended = w.as_ref().is_none_or(|(fd, _)| {
            sys::process::wait(fd.as_fd(), Some(Duration::ZERO)).unwrap_or(true)
        });
        if ended || !self.q.owner_alive() {
            self.dead.store(true, Ordering::Relaxed);
            return false;
        }
        self.checked.store(seq, Ordering::Release);
        true
    }

    /// Whether the thread gave up waiting for its send `serial`.
    pub(crate) fn gave_up(&self, serial: u32) -> bool {
        self.q
            .header()
            .gave_up
            .iter()
            .any(|s| s.load(Ordering::Acquire) == serial)
    }

    /// [`Peer::alive`], and for another process's thread, asked of the kernel now (one system
    /// call): a post must fail at once once the thread is gone, even before the watcher has
    /// seen it end.
    pub(crate) fn alive_now(&self) -> bool {
        if !self.alive() {
            return false;
        }
        if self.pid == sys::process::current_pid() {
            return true;
        }
        let w = self.watch.lock().unwrap_or_else(|e| e.into_inner());
        let ended = w.as_ref().is_some_and(|(fd, _)| {
            sys::process::wait(fd.as_fd(), Some(Duration::ZERO)).unwrap_or(true)
        });
        if ended {
            self.dead.store(true, Ordering::Relaxed);
        }
        !ended
    }

    /// Whether the thread has not looked at its queue for 5 seconds while not waiting on it
    /// (Windows' "hung").
    pub(crate) fn hung(&self) -> bool {
        let h = self.q.header();
        h.sleeping.load(Ordering::SeqCst) == 0
            && sys::msgq::coarse_ms().wrapping_sub(h.last_look_ms.load(Ordering::Relaxed)) > 5000
    }

    /// The `len` bytes at `off` in this thread's outbox `fd` of generation `generation`,
    /// mapped here; `None` if they are not there (a hostile or confused sender). Pair with
    /// [`release_block`].
    pub(crate) fn block(
        &self,
        fd: u32,
        generation: u16,
        off: u64,
        len: u32,
    ) -> Option<NonNull<u8>> {
        let mut o = self.outboxes.lock().unwrap_or_else(|e| e.into_inner());
        let keep_old = BLOCKS_IN_USE.load(Ordering::SeqCst) > 0;
        let i = match o.iter().position(|(k, _)| *k == (fd, generation)) {
            Some(i) => i,
            None => {
                let ob = PeerOutbox::open(self.pid, fd).ok()?;
                if o.len() >= 4 && !keep_old {
                    o.remove(0);
                }
                o.push(((fd, generation), ob));
                o.len() - 1
            }
        };
        let p = o[i].1.block(off, len, keep_old).ok()??;
        BLOCKS_IN_USE.fetch_add(1, Ordering::SeqCst);
        Some(p)
    }
}

/// Ends the use of a block from [`Peer::block`].
pub(crate) fn release_block() {
    BLOCKS_IN_USE.fetch_sub(1, Ordering::SeqCst);
}
