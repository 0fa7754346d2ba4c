//! The shared table of a named pipe's instances: one object file per pipe name in the `pipe`
//! namespace directory, mapped by every server instance and every client of the name.
//!
//! The file's header page holds the pipe's parameters (fixed by its first instance) and the
//! counters; after it comes one slot per instance. A slot's state moves FREE → LISTENING (the
//! instance waits for a client) → CONNECTED (a client claimed it with a compare-and-swap, then
//! connected to the instance's abstract socket) → DISCONNECTED → LISTENING … → FREE.
//!
//! Crash safety rests on the kernel, as for every named object: each server instance holds its
//! open description of the file (one per process and name), with the shared `flock` that keeps
//! the name alive (see `named.rs`) and an OFD lock on one byte standing for its slot. A slot
//! whose byte nobody has locked belongs to a dead instance and is taken back. The instance
//! count is changed by compare-and-swap; taking back dead slots happens under an OFD lock on
//! another byte, which the kernel also drops when its holder dies.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

use super::named::{HEADER_LEN, STATE_OFFSET};
use crate::error::{ERROR_INVALID_HANDLE, from_os, win32};

/// The most instances one name can have (`PIPE_UNLIMITED_INSTANCES` stops here).
pub(crate) const MAX_SLOTS: usize = 4096;
const SLOT_SIZE: usize = 128;
/// How many of a slot's recent sessions remember being ended by `DisconnectNamedPipe`.
pub(crate) const FATES: usize = 16;
/// The file's size: the header page and the slots (a sparse file: untouched slot pages cost
/// nothing).
pub(crate) const TABLE_LEN: u64 = HEADER_LEN + (MAX_SLOTS * SLOT_SIZE) as u64;
/// The byte whose OFD lock serialises instance creation and removal.
const TABLE_LOCK: i64 = 1 << 30;
/// The byte of slot 0's liveness lock; slot `i` uses `SLOT_LOCK + i`.
const SLOT_LOCK: i64 = (1 << 30) + 4096;
const PARAMS_MAGIC: u32 = 0x5049_5045; // "PIPE"

/// Slot states.
pub(crate) const FREE: u32 = 0;
pub(crate) const LISTENING: u32 = 1;
pub(crate) const CONNECTED: u32 = 2;
pub(crate) const DISCONNECTED: u32 = 3;
/// Taken by an instance being made (its listener is not bound yet).
pub(crate) const RESERVED: u32 = 4;

/// The pipe's parameters and counters, at `STATE_OFFSET` in the header page.
#[repr(C)]
pub(crate) struct Params {
    magic: AtomicU32,
    /// `PIPE_ACCESS_*` bits of the first instance (later ones must match).
    pub(crate) access: AtomicU32,
    /// The first instance's `nMaxInstances` (255: as many as fit).
    pub(crate) max_instances: AtomicU32,
    /// `nDefaultTimeOut` in milliseconds, for `WaitNamedPipe(NMPWAIT_USE_DEFAULT_WAIT)`.
    pub(crate) default_timeout_ms: AtomicU32,
    /// Live instances.
    pub(crate) instances: AtomicU32,
    /// Bumped (and woken) whenever an instance starts listening: `WaitNamedPipe` sleeps on it.
    pub(crate) listen_gen: AtomicU32,
    /// One past the highest slot ever used.
    pub(crate) high: AtomicU32,
    /// Set when the last instance closes, so clients holding a cached mapping look again.
    pub(crate) closed: AtomicU32,
    /// A random identity of this table, part of every instance's socket name.
    pub(crate) id: AtomicU64,
    /// Threads sleeping in `WaitNamedPipe` (a server wakes them only if there are some).
    pub(crate) waiters: AtomicU32,
}

/// One instance's shared state.
#[repr(C)]
pub(crate) struct Slot {
    pub(crate) state: AtomicU32,
    /// Counts the clients this slot has had; a client remembers the one it is.
    pub(crate) session: AtomicU32,
    /// Sessions the server ended with `DisconnectNamedPipe`: session `s` is recorded at
    /// `s % FATES`, so a client learns how its connection ended even after the instance has
    /// served (and disconnected) a few more clients.
    pub(crate) disconnected: [AtomicU32; FATES],
    /// Bit 0: message-type pipe.
    pub(crate) flags: AtomicU32,
    /// The server process.
    pub(crate) pid: AtomicU32,
    /// The instance's buffer sizes (out, in), for `GetNamedPipeInfo`.
    pub(crate) out_size: AtomicU32,
    pub(crate) in_size: AtomicU32,
    _pad: u32,
}

const _: () = assert!(std::mem::size_of::<Slot>() <= SLOT_SIZE);

/// A pipe name's table, mapped shared.
pub(crate) struct Table {
    ptr: NonNull<u8>,
}

// SAFETY: the mapping is plain shared memory, reached only through atomics.
unsafe impl Send for Table {}
// SAFETY: as above.
unsafe impl Sync for Table {}

impl Drop for Table {
    fn drop(&mut self) {
        // SAFETY: mapped in `map` with this address and length; every user holds an Arc<Table>,
        // so no reference into it outlives it.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), TABLE_LEN as usize) };
    }
}

impl Table {
    pub(crate) fn params(&self) -> &Params {
        // SAFETY: STATE_OFFSET is inside the mapping and 8-aligned; Params is made of atomics,
        // valid for any bit pattern, and shared memory is only accessed atomically.
        unsafe {
            &*self
                .ptr
                .as_ptr()
                .add(STATE_OFFSET as usize)
                .cast::<Params>()
        }
    }

    pub(crate) fn slot(&self, i: usize) -> &Slot {
        assert!(i < MAX_SLOTS);
        // SAFETY: in bounds (checked) and 4-aligned; Slot is made of atomics, as above.
        unsafe {
            &*self
                .ptr
                .as_ptr()
                .add(HEADER_LEN as usize + i * SLOT_SIZE)
                .cast::<Slot>()
        }
    }

    /// Whether the file was made by w32ipc's pipe code.
    pub(crate) fn is_valid(&self) -> bool {
        self.params().magic.load(Ordering::Acquire) == PARAMS_MAGIC
    }
}

/// Writes a new table's parameters (called before the name is visible).
pub(crate) fn init(
    fd: BorrowedFd<'_>,
    access: u32,
    max_instances: u32,
    default_timeout_ms: u32,
) -> io::Result<()> {
    rustix::fs::ftruncate(fd, TABLE_LEN).map_err(from_os)?;
    let table = map(fd)?;
    let p = table.params();
    p.access.store(access, Ordering::Relaxed);
    p.max_instances.store(max_instances, Ordering::Relaxed);
    p.default_timeout_ms
        .store(default_timeout_ms, Ordering::Relaxed);
    p.id.store(super::lock::random_u64(), Ordering::Relaxed);
    p.magic.store(PARAMS_MAGIC, Ordering::Release);
    Ok(())
}

/// The mapped table of the object file `fd`, shared by every user in this process.
pub(crate) fn get(fd: BorrowedFd<'_>) -> io::Result<Arc<Table>> {
    type Tables = HashMap<(u64, u64), Arc<Table>>;
    static CACHE: Mutex<Option<Tables>> = Mutex::new(None);
    let st = rustix::fs::fstat(fd).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
    let id = (st.st_dev, st.st_ino);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(t) = cache.get(&id) {
        return Ok(t.clone());
    }
    let table = Arc::new(map(fd)?);
    if cache.len() >= 1024 {
        cache.retain(|_, t| Arc::strong_count(t) > 1);
    }
    cache.insert(id, table.clone());
    Ok(table)
}

fn map(fd: BorrowedFd<'_>) -> io::Result<Table> {
    let st = rustix::fs::fstat(fd).map_err(from_os)?;
    if (st.st_size as u64) < TABLE_LEN {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    // Map through a fresh description that holds no lock, so the mapping never keeps the
    // name alive.
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    let fresh = rustix::fs::open(path.as_str(), OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
        .map_err(from_os)?;
    // SAFETY: a new shared mapping of the whole file, which is at least TABLE_LEN long
    // (checked above; table files never shrink); the kernel picks the address.
    let ptr = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            TABLE_LEN as usize,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            fresh.as_fd(),
            0,
        )
    }
    .map_err(from_os)?;
    Ok(Table {
        ptr: NonNull::new(ptr.cast()).ok_or_else(|| win32(ERROR_INVALID_HANDLE))?,
    })
}

fn ofd_lock(fd: BorrowedFd<'_>, at: i64, kind: i32, wait: bool) -> io::Result<bool> {
    super::lock::ofd(fd, at, kind, wait)
}

/// Holds the table lock while alive.
pub(crate) struct TableLock<'a>(BorrowedFd<'a>);

impl Drop for TableLock<'_> {
    fn drop(&mut self) {
        let _ = ofd_lock(self.0, TABLE_LOCK, libc::F_UNLCK, false);
    }
}

/// Takes the table lock through `fd` (an instance's own description of the file).
pub(crate) fn lock_table(fd: BorrowedFd<'_>) -> io::Result<TableLock<'_>> {
    ofd_lock(fd, TABLE_LOCK, libc::F_WRLCK, true)?;
    Ok(TableLock(fd))
}

/// Marks slot `i` as held through `fd`; `false` if another live instance holds it.
pub(crate) fn hold_slot(fd: BorrowedFd<'_>, i: usize) -> io::Result<bool> {
    ofd_lock(fd, SLOT_LOCK + i as i64, libc::F_WRLCK, false)
}

/// Gives slot `i` back (the instance ends; its process may keep other slots through `fd`).
pub(crate) fn release_slot(fd: BorrowedFd<'_>, i: usize) {
    let _ = ofd_lock(fd, SLOT_LOCK + i as i64, libc::F_UNLCK, false);
}

/// Whether a live instance holds slot `i` (seen through any description of the file).
pub(crate) fn slot_alive(fd: BorrowedFd<'_>, i: usize) -> bool {
    super::lock::held_by_other(fd, SLOT_LOCK + i as i64)
}

/// The abstract socket name of slot `i` of the table with identity `id`.
pub(crate) fn socket_name(id: u64, slot: usize, message: bool) -> Vec<u8> {
    format!(
        "w32ipc/np/{id:016x}/{slot}/{}",
        if message { 'm' } else { 'b' }
    )
    .into_bytes()
}

/// What a socket name says: (table id, slot, message type), if it is a pipe instance's.
pub(crate) fn parse_socket_name(name: &[u8]) -> Option<(u64, usize, bool)> {
    let s = std::str::from_utf8(name).ok()?;
    let mut parts = s.strip_prefix("w32ipc/np/")?.split('/');
    let id = u64::from_str_radix(parts.next()?, 16).ok()?;
    let slot = parts.next()?.parse().ok()?;
    let message = parts.next()? == "m";
    Some((id, slot, message))
}

/// Opens the pipe object file `file` in `dir` without taking a lock (a client does not keep the
/// name alive). `Ok(None)` when no live instance has the name; stale files are removed.
pub(crate) fn open_unlocked(dir: BorrowedFd<'_>, file: &str) -> io::Result<Option<OwnedFd>> {
    let Some(fd) = super::named::open(dir, file, true)? else {
        return Ok(None);
    };
    // `named::open` took a shared lock to check liveness; a fresh description holds none.
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    let fresh = rustix::fs::open(path.as_str(), OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
        .map_err(from_os)?;
    drop(fd);
    Ok(Some(fresh))
}
