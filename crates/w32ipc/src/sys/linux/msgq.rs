//! Thread message queues in shared memory: one file per thread that has a queue, in the
//! session's `msg` directory, named after the thread id. Any process of the session maps it
//! and appends posted messages, sent messages and replies; only the owner thread takes them out.
//!
//! Layout: a header page, then the posted ring (`POST_CAP` entries of 32 bytes), then the
//! control ring (`CTL_CAP` entries of 64 bytes: sends, notifications, replies). Producers take
//! a small lock (a word holding the locker's thread id, broken if that thread is gone), write
//! the entry, then publish it by advancing the ring's tail. A producer killed half-way leaves
//! nothing published. The consumer never locks: it reads what the tail publishes, and removes
//! from the middle (a filtered `PeekMessage`) by marking an entry taken.
//!
//! Everything read from here may have been written by a hostile process of the same user:
//! the consumer clamps indices, and the caller validates every field before acting on it.
//!
//! Liveness: the owner process holds an OFD lock on the file's first byte; a queue whose byte
//! nobody locks belongs to a dead process.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags};

use crate::error::{ERROR_INVALID_THREAD_ID, from_os, win32};

/// Posted-ring capacity (a power of two, so wrapping counters index it).
pub(crate) const POST_CAP: u32 = 16384;
/// Control-ring capacity.
pub(crate) const CTL_CAP: u32 = 1024;
const HEADER: usize = 4096;
const POST_AT: usize = HEADER;
const POST_SIZE: usize = 32;
const CTL_AT: usize = POST_AT + POST_CAP as usize * POST_SIZE;
const CTL_SIZE: usize = 64;
/// The file's length.
pub(crate) const QUEUE_LEN: usize = CTL_AT + CTL_CAP as usize * CTL_SIZE;
const MAGIC: u32 = 0x5147_534D; // "MSGQ"

/// The queue header, at offset 0. Fields written by producers, by the consumer and once are
/// kept on separate cache lines, so a round trip moves as few lines between CPUs as it can.
#[repr(C)]
pub(crate) struct Header {
    // Written once, when the queue is made (and `alive` when its thread ends).
    magic: AtomicU32,
    pub(crate) pid: AtomicU32,
    pub(crate) tid: AtomicU32,
    /// 1 while the owner thread lives; cleared when it ends in order.
    pub(crate) alive: AtomicU32,
    /// A random identity: a queue file reused by a new thread with the same id differs.
    pub(crate) nonce: AtomicU64,
    /// The owner's current outbox memfd, as a descriptor number in its process (informative:
    /// each send names the outbox holding its block).
    pub(crate) outbox_fd: AtomicU32,
    _once: [u32; 9],
    // Written by producers.
    /// Bumped (and woken if `sleeping`) by every producer after it publishes.
    pub(crate) wake: AtomicU32,
    /// The producers' lock: the holder's thread id, or 0.
    lock: AtomicU32,
    lock_waiters: AtomicU32,
    pub(crate) post_tail: AtomicU32,
    pub(crate) ctl_tail: AtomicU32,
    _producers: [u32; 11],
    // Written by the consumer (the owner thread).
    /// Non-zero while the owner may sleep on `wake`.
    pub(crate) sleeping: AtomicU32,
    pub(crate) post_head: AtomicU32,
    pub(crate) ctl_head: AtomicU32,
    /// Milliseconds (coarse monotonic clock) when the owner last looked at its queue.
    pub(crate) last_look_ms: AtomicU32,
    /// The CPU the owner ran on when it last looked at its queue (for "spin or sleep?").
    pub(crate) cpu: AtomicU32,
    _consumer: [u32; 11],
    // Written by the owner when one of its own sends gives up (rare).
    /// Serials of the owner's last sends that timed out: a receiver that has not started one
    /// yet drops it, as Windows does.
    pub(crate) gave_up: [AtomicU32; GAVE_UP],
    pub(crate) gave_up_next: AtomicU32,
    _gave_up: [u32; 15],
}

/// How many timed-out sends a queue remembers.
pub(crate) const GAVE_UP: usize = 32;

/// A posted message as stored.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub(crate) struct PostEntry {
    pub(crate) hwnd: u32,
    pub(crate) msg: u32,
    pub(crate) wparam: u64,
    pub(crate) lparam: u64,
    pub(crate) time: u32,
    /// `TAKEN` once removed out of order.
    pub(crate) flags: u32,
}

/// How a push went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Push {
    Done,
    /// The ring (or the posted-message limit) is full.
    Full,
    /// The producers' lock stayed held past the deadline.
    Busy,
}

/// Marks a posted entry removed out of order.
pub(crate) const TAKEN: u32 = 1;

/// A control entry: a sent message, a notification or a reply.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub(crate) struct CtlEntry {
    pub(crate) kind: u32,
    pub(crate) hwnd: u32,
    pub(crate) msg: u32,
    pub(crate) flags: u32,
    pub(crate) wparam: u64,
    /// The message's `lParam`; for `WM_COPYDATA`, `dwData`; for a reply, the result.
    pub(crate) lparam: u64,
    pub(crate) from_tid: u32,
    pub(crate) serial: u32,
    pub(crate) from_nonce: u64,
    pub(crate) payload_off: u64,
    pub(crate) payload_len: u32,
    /// For a reply: 0, or the Win32 error the send fails with. For a `WM_COPYDATA` send: the
    /// sender's outbox descriptor holding the block.
    pub(crate) aux: u32,
}

const _: () = assert!(std::mem::size_of::<PostEntry>() == POST_SIZE);
const _: () = assert!(std::mem::size_of::<CtlEntry>() == CTL_SIZE);
const _: () = assert!(std::mem::size_of::<Header>() == 384);

/// A mapped queue file.
pub(crate) struct Queue {
    ptr: NonNull<u8>,
    /// The file (kept open: the owner's OFD lock lives on it).
    fd: OwnedFd,
}

// SAFETY: shared memory reached through atomics and volatile copies only.
unsafe impl Send for Queue {}
// SAFETY: as above.
unsafe impl Sync for Queue {}

impl Drop for Queue {
    fn drop(&mut self) {
        // SAFETY: mapped with this address and length in `map`; references into it borrow self.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), QUEUE_LEN) };
    }
}

/// The session's message directory.
pub(crate) fn dir() -> io::Result<BorrowedFd<'static>> {
    static DIR: OnceLock<OwnedFd> = OnceLock::new();
    if let Some(d) = DIR.get() {
        return Ok(d.as_fd());
    }
    let path = super::named::session_root().join("msg");
    std::fs::create_dir_all(super::named::session_root())?;
    match rustix::fs::mkdir(&path, Mode::from_raw_mode(0o700)) {
        Ok(()) | Err(Errno::EXIST) => {}
        Err(e) => return Err(from_os(e)),
    }
    let fd = rustix::fs::open(
        &path,
        OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(from_os)?;
    Ok(DIR.get_or_init(|| fd).as_fd())
}

fn file_name(tid: u32) -> String {
    format!("q{tid}")
}

impl Queue {
    /// Creates the calling thread's queue file (replacing a dead thread's file of the same id)
    /// and locks it for this process's lifetime.
    pub(crate) fn create(pid: u32, tid: u32) -> io::Result<Queue> {
        let dir = dir()?;
        Queue::sweep_stale();
        let fd = rustix::fs::openat(
            dir,
            ".",
            OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(from_os)?;
        rustix::fs::ftruncate(&fd, QUEUE_LEN as u64).map_err(from_os)?;
        super::lock::ofd(fd.as_fd(), 0, libc::F_WRLCK, false)?;
        let q = map(fd)?;
        let h = q.header();
        h.pid.store(pid, Ordering::Relaxed);
        h.tid.store(tid, Ordering::Relaxed);
        h.alive.store(1, Ordering::Relaxed);
        h.nonce.store(super::lock::random_u64(), Ordering::Relaxed);
        h.outbox_fd.store(u32::MAX, Ordering::Relaxed);
        h.magic.store(MAGIC, Ordering::Release);
        let name = file_name(tid);
        let proc_path = format!("/proc/self/fd/{}", q.fd.as_raw_fd());
        loop {
            match rustix::fs::linkat(
                rustix::fs::CWD,
                proc_path.as_str(),
                dir,
                name.as_str(),
                AtFlags::SYMLINK_FOLLOW,
            ) {
                Ok(()) => return Ok(q),
                Err(Errno::EXIST) => {
                    // A thread with this id before us (it ended; ids are reused).
                    let _ = rustix::fs::unlinkat(dir, name.as_str(), AtFlags::empty());
                }
                Err(e) => return Err(from_os(e)),
            }
        }
    }

    /// Removes the queue files of processes that ended without removing them (a process that
    /// exits does not run its main thread's teardown, and a killed one runs nothing). Once per
    /// process, before its first queue is made.
    pub(crate) fn sweep_stale() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let Ok(dir) = dir() else { return };
            let Ok(names) = std::fs::read_dir(super::named::session_root().join("msg")) else {
                return;
            };
            for entry in names.flatten() {
                let name = entry.file_name();
                let Some(tid) = name
                    .to_str()
                    .and_then(|n| n.strip_prefix('q'))
                    .and_then(|t| t.parse::<u32>().ok())
                else {
                    continue;
                };
                let Ok(fd) = rustix::fs::openat(
                    dir,
                    file_name(tid).as_str(),
                    OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
                    Mode::empty(),
                ) else {
                    continue;
                };
                if !super::lock::held_by_other(fd.as_fd(), 0)
                    && let (Ok(a), Ok(b)) = (
                        rustix::fs::fstat(&fd),
                        rustix::fs::statat(dir, file_name(tid).as_str(), AtFlags::SYMLINK_NOFOLLOW),
                    )
                    && a.st_ino == b.st_ino
                {
                    let _ = rustix::fs::unlinkat(dir, file_name(tid).as_str(), AtFlags::empty());
                }
            }
        });
    }

    /// Opens thread `tid`'s queue; `ERROR_INVALID_THREAD_ID` if it has none or its process
    /// ended.
    pub(crate) fn open(tid: u32) -> io::Result<Queue> {
        let dir = dir()?;
        let fd = match rustix::fs::openat(
            dir,
            file_name(tid).as_str(),
            OFlags::RDWR | OFlags::CLOEXEC | OFlags::NOFOLLOW,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Err(win32(ERROR_INVALID_THREAD_ID)),
            Err(e) => return Err(from_os(e)),
        };
        let st = rustix::fs::fstat(&fd).map_err(from_os)?;
        if (st.st_size as usize) < QUEUE_LEN {
            return Err(win32(ERROR_INVALID_THREAD_ID));
        }
        let q = map(fd)?;
        if q.header().magic.load(Ordering::Acquire) != MAGIC
            || q.header().tid.load(Ordering::Relaxed) != tid
        {
            return Err(win32(ERROR_INVALID_THREAD_ID));
        }
        if !q.owner_alive() {
            // Left by a killed process: the name goes now.
            q.unlink();
            return Err(win32(ERROR_INVALID_THREAD_ID));
        }
        Ok(q)
    }

    /// Removes the queue's name (its thread ended), if the name is still this file's.
    pub(crate) fn unlink(&self) {
        let Ok(dir) = dir() else { return };
        let name = file_name(self.header().tid.load(Ordering::Relaxed));
        if let (Ok(a), Ok(b)) = (
            rustix::fs::fstat(&self.fd),
            rustix::fs::statat(dir, name.as_str(), AtFlags::SYMLINK_NOFOLLOW),
        ) && a.st_ino == b.st_ino
            && a.st_dev == b.st_dev
        {
            let _ = rustix::fs::unlinkat(dir, name.as_str(), AtFlags::empty());
        }
    }

    /// Whether the owner process still holds the queue (seen from another process), and the
    /// owner thread has not ended in order.
    pub(crate) fn owner_alive(&self) -> bool {
        let h = self.header();
        if h.alive.load(Ordering::Acquire) == 0 {
            return false;
        }
        if h.pid.load(Ordering::Relaxed) == super::process::current_pid() {
            return true;
        }
        super::lock::held_by_other(self.fd.as_fd(), 0)
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the header is at offset 0 of a mapping at least HEADER long, page-aligned;
        // it is made of atomics, valid for any bit pattern.
        unsafe { self.ptr.cast::<Header>().as_ref() }
    }

    fn post_ptr(&self, counter: u32) -> *mut PostEntry {
        let i = (counter % POST_CAP) as usize;
        // SAFETY: i < POST_CAP, so the entry lies inside the posted ring of the mapping.
        unsafe { self.ptr.as_ptr().add(POST_AT + i * POST_SIZE).cast() }
    }

    fn ctl_ptr(&self, counter: u32) -> *mut CtlEntry {
        let i = (counter % CTL_CAP) as usize;
        // SAFETY: i < CTL_CAP, so the entry lies inside the control ring of the mapping.
        unsafe { self.ptr.as_ptr().add(CTL_AT + i * CTL_SIZE).cast() }
    }

    /// The posted entry at counter `c` (a copy).
    pub(crate) fn read_post(&self, c: u32) -> PostEntry {
        // SAFETY: in bounds (post_ptr); a volatile copy of plain integers, which any bytes are.
        unsafe { self.post_ptr(c).read_volatile() }
    }

    /// Marks the posted entry at `c` removed.
    pub(crate) fn mark_post_taken(&self, c: u32) {
        let p = self.post_ptr(c);
        // SAFETY: in bounds; only the consumer writes published entries.
        unsafe { std::ptr::addr_of_mut!((*p).flags).write_volatile(TAKEN) };
    }

    /// The control entry at counter `c` (a copy).
    pub(crate) fn read_ctl(&self, c: u32) -> CtlEntry {
        // SAFETY: in bounds (ctl_ptr); a volatile copy of plain integers.
        unsafe { self.ctl_ptr(c).read_volatile() }
    }

    /// Appends a posted message, unless the queue holds `limit` messages already, or the
    /// producers' lock stays held longer than `patience` (by a stopped or hostile process).
    pub(crate) fn push_post(&self, e: &PostEntry, limit: u32, patience: Duration) -> Push {
        let h = self.header();
        let Some(_g) = self.lock(patience) else {
            return Push::Busy;
        };
        let tail = h.post_tail.load(Ordering::Relaxed);
        let head = h.post_head.load(Ordering::Acquire);
        if tail.wrapping_sub(head) > POST_CAP {
            // Indices no producer wrote: start the ring over rather than refuse everyone.
            h.post_tail.store(head, Ordering::Release);
            return self.push_post_at(e, head);
        }
        if tail.wrapping_sub(head) >= limit.min(POST_CAP) {
            return Push::Full;
        }
        self.push_post_at(e, tail)
    }

    fn push_post_at(&self, e: &PostEntry, tail: u32) -> Push {
        // SAFETY: in bounds; the slot is past the consumer's head, so only we (holding the
        // producers' lock) write it now.
        unsafe { self.post_ptr(tail).write_volatile(*e) };
        self.header()
            .post_tail
            .store(tail.wrapping_add(1), Ordering::Release);
        Push::Done
    }

    /// Appends a control entry, unless the ring is full or the producers' lock stays held
    /// longer than `patience`.
    pub(crate) fn push_ctl(&self, e: &CtlEntry, patience: Duration) -> Push {
        let h = self.header();
        let Some(_g) = self.lock(patience) else {
            return Push::Busy;
        };
        let mut tail = h.ctl_tail.load(Ordering::Relaxed);
        let head = h.ctl_head.load(Ordering::Acquire);
        if tail.wrapping_sub(head) > CTL_CAP {
            // Indices no producer wrote: start the ring over.
            tail = head;
        } else if tail.wrapping_sub(head) == CTL_CAP {
            return Push::Full;
        }
        // SAFETY: as in push_post_at.
        unsafe { self.ctl_ptr(tail).write_volatile(*e) };
        h.ctl_tail.store(tail.wrapping_add(1), Ordering::Release);
        Push::Done
    }

    /// Wakes the owner after a push.
    pub(crate) fn ring(&self) {
        let h = self.header();
        h.wake.fetch_add(1, Ordering::SeqCst);
        if h.sleeping.load(Ordering::SeqCst) != 0 {
            super::futex::wake_all(&h.wake);
        }
    }

    fn lock(&self, patience: Duration) -> Option<QueueLock<'_>> {
        let h = self.header();
        let me = super::process::current_thread_id();
        let mut spins = 0u32;
        // The clock is read only once the lock turns out to be contended.
        let mut deadline = None;
        loop {
            let cur = h.lock.load(Ordering::Relaxed);
            if cur == 0 {
                if h.lock
                    .compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return Some(QueueLock(h));
                }
                continue;
            }
            spins += 1;
            if spins < 200 {
                std::hint::spin_loop();
                continue;
            }
            let now = Instant::now();
            let deadline = *deadline.get_or_insert_with(|| {
                now.checked_add(patience)
                    .unwrap_or_else(|| now + Duration::from_secs(365 * 86400))
            });
            if now >= deadline {
                return None;
            }
            if spins.is_multiple_of(64) && (cur == me || !super::process::thread_alive(cur)) {
                // Left by a thread that died holding it (or garbage): break it.
                let _ = h
                    .lock
                    .compare_exchange(cur, 0, Ordering::AcqRel, Ordering::Relaxed);
                continue;
            }
            h.lock_waiters.fetch_add(1, Ordering::SeqCst);
            let _ = super::futex::wait_many(
                &[super::futex::Watch {
                    word: &h.lock,
                    expected: cur,
                    private: false,
                }],
                Some((Instant::now() + Duration::from_millis(1)).min(deadline)),
            );
            h.lock_waiters.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

struct QueueLock<'a>(&'a Header);

impl Drop for QueueLock<'_> {
    fn drop(&mut self) {
        self.0.lock.store(0, Ordering::Release);
        if self.0.lock_waiters.load(Ordering::SeqCst) != 0 {
            super::futex::wake_all(&self.0.lock);
        }
    }
}

fn map(fd: OwnedFd) -> io::Result<Queue> {
    // SAFETY: a new shared mapping of a file at least QUEUE_LEN long (checked or truncated by
    // the callers; queue files never shrink); the kernel picks the address.
    let ptr = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            QUEUE_LEN,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            fd.as_fd(),
            0,
        )
    }
    .map_err(from_os)?;
    Ok(Queue {
        ptr: NonNull::new(ptr.cast()).ok_or_else(|| io::Error::other("mmap returned null"))?,
        fd,
    })
}

/// Milliseconds on the coarse monotonic clock (for "has not looked at its queue lately").
pub(crate) fn coarse_ms() -> u32 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::MonotonicCoarse);
    (t.tv_sec as u64 * 1000 + t.tv_nsec as u64 / 1_000_000) as u32
}

/// Milliseconds since boot, as `GetTickCount64` (a message's time is its low 32 bits).
pub(crate) fn tick_count() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
    t.tv_sec as u64 * 1000 + t.tv_nsec as u64 / 1_000_000
}
