//! The session's window table: one file, `msg/windows`, mapped by every process that creates or
//! looks for windows. A slot per window holds its owner (process, thread, queue identity), its
//! class name and title, so that `FindWindow` works across processes and an `HWND` means the
//! same window everywhere.
//!
//! Slots change under an OFD lock on the table's lock byte; readers copy a slot and check its
//! generation before and after (odd while being written). The owner process holds an OFD lock
//! on the slot's own byte for as long as the window lives: a slot whose byte nobody holds
//! belongs to a killed process, is invisible at once, and is reused.
//!
//! The same file's second half is the session's atom table for `RegisterWindowMessage`.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering, fence};

use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

use crate::error::{ERROR_NOT_ENOUGH_MEMORY, from_os, win32};

/// Windows the session can hold at once.
pub(crate) const MAX_WINDOWS: usize = 16384;
/// The longest class name and title kept (UTF-16 units); longer ones are cut.
pub(crate) const NAME_MAX: usize = 256;
const SLOT_SIZE: usize = 1152;
const HEADER: usize = 4096;
const SLOTS_AT: usize = HEADER;
const ATOMS_AT: usize = SLOTS_AT + MAX_WINDOWS * SLOT_SIZE;
/// Atoms `RegisterWindowMessage` can hand out (0xC000 up).
pub(crate) const MAX_ATOMS: usize = 0x4000;
const ATOM_SIZE: usize = 2 * NAME_MAX + 4;
const FILE_LEN: usize = ATOMS_AT + MAX_ATOMS * ATOM_SIZE;
const TABLE_LOCK: i64 = 1 << 40;
const ATOM_LOCK: i64 = (1 << 40) + 1;
const SLOT_LOCK: i64 = (1 << 40) + 4096;

/// Slot flag: a message-only window (under `HWND_MESSAGE`).
pub(crate) const MESSAGE_ONLY: u32 = 1;

#[repr(C)]
struct TableHeader {
    high: AtomicU32,
    atoms: AtomicU32,
}

#[repr(C)]
struct Slot {
    /// Even when stable, odd while being written; 0: never used.
    generation: AtomicU32,
    live: AtomicU32,
    pid: AtomicU32,
    tid: AtomicU32,
    nonce: AtomicU64,
    flags: AtomicU32,
    class_len: AtomicU32,
    title_len: AtomicU32,
    _pad: [u32; 3],
    class: [u16; NAME_MAX],
    title: [u16; NAME_MAX],
}

const _: () = assert!(std::mem::size_of::<Slot>() <= SLOT_SIZE);

/// What a slot says about its window.
#[derive(Clone, Debug)]
pub(crate) struct WindowInfo {
    /// The slot's generation (even).
    pub(crate) generation: u32,
    pub(crate) pid: u32,
    pub(crate) tid: u32,
    pub(crate) nonce: u64,
    pub(crate) flags: u32,
    pub(crate) class: Vec<u16>,
    pub(crate) title: Vec<u16>,
}

/// The mapped table.
pub(crate) struct Table {
    ptr: NonNull<u8>,
    /// This process's description: it holds the slot locks of this process's windows.
    fd: OwnedFd,
}

// SAFETY: shared memory reached through atomics and volatile copies only.
unsafe impl Send for Table {}
// SAFETY: as above.
unsafe impl Sync for Table {}

/// The session's window table, opened once per process.
pub(crate) fn table() -> io::Result<&'static Table> {
    static TABLE: OnceLock<Table> = OnceLock::new();
    if let Some(t) = TABLE.get() {
        return Ok(t);
    }
    let dir = super::msgq::dir()?;
    let fd = rustix::fs::openat(
        dir,
        "windows",
        OFlags::RDWR | OFlags::CREATE | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::from_raw_mode(0o600),
    )
    .map_err(from_os)?;
    let st = rustix::fs::fstat(&fd).map_err(from_os)?;
    if (st.st_size as usize) < FILE_LEN {
        rustix::fs::ftruncate(&fd, FILE_LEN as u64).map_err(from_os)?;
    }
    // SAFETY: a new shared mapping of a file at least FILE_LEN long (never shrunk by us).
    let ptr = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            FILE_LEN,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            fd.as_fd(),
            0,
        )
    }
    .map_err(from_os)?;
    let t = Table {
        ptr: NonNull::new(ptr.cast()).ok_or_else(|| io::Error::other("mmap returned null"))?,
        fd,
    };
    Ok(TABLE.get_or_init(|| t))
}

/// Case folding for class names and atoms (Windows compares them without case).
pub(crate) fn fold(c: u16) -> u16 {
    match char::from_u32(u32::from(c)) {
        Some(ch) if !ch.is_ascii() => {
            let mut up = ch.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) if (u as u32) < 0x10000 => u as u32 as u16,
                _ => c,
            }
        }
        Some(ch) => ch.to_ascii_uppercase() as u16,
        None => c,
    }
}

/// Whether `a` and `b` are equal ignoring case.
pub(crate) fn same_name(a: &[u16], b: &[u16]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || fold(*x) == fold(*y))
}

fn cut(s: &[u16]) -> &[u16] {
    &s[..s.len().min(NAME_MAX)]
}

impl Table {
    fn header(&self) -> &TableHeader {
        // SAFETY: at offset 0 of the mapping, aligned; atomics are valid for any bytes.
        unsafe { self.ptr.cast::<TableHeader>().as_ref() }
    }

    fn slot(&self, i: usize) -> &Slot {
        assert!(i < MAX_WINDOWS);
        // SAFETY: in bounds (asserted), 8-aligned; the fields are atomics or plain integers
        // (valid for any bytes), and the arrays are only read and written volatile.
        unsafe {
            &*self
                .ptr
                .as_ptr()
                .add(SLOTS_AT + i * SLOT_SIZE)
                .cast::<Slot>()
        }
    }

    /// One past the highest slot ever used.
    pub(crate) fn high(&self) -> usize {
        (self.header().high.load(Ordering::Acquire) as usize).min(MAX_WINDOWS)
    }

    /// Takes a slot for a new window of this process; returns (slot, generation).
    pub(crate) fn alloc(
        &self,
        tid: u32,
        nonce: u64,
        flags: u32,
        class: &[u16],
        title: &[u16],
    ) -> io::Result<(usize, u32)> {
        let me = super::process::current_pid();
        super::lock::ofd(self.fd.as_fd(), TABLE_LOCK, libc::F_WRLCK, true)?;
        let _unlock = Unlock(self, TABLE_LOCK);
        let high = self.high();
        let mut found = None;
        for i in 0..high {
            let s = self.slot(i);
            if s.live.load(Ordering::Acquire) == 0
                || (s.pid.load(Ordering::Relaxed) != me && !self.slot_held(i))
            {
                found = Some(i);
                break;
            }
        }
        let i = match found {
            Some(i) => i,
            None if high < MAX_WINDOWS => {
                self.header().high.store(high as u32 + 1, Ordering::Release);
                high
            }
            None => return Err(win32(ERROR_NOT_ENOUGH_MEMORY)),
        };
        let s = self.slot(i);
        let g = s.generation.load(Ordering::Relaxed) | 1;
        s.generation.store(g, Ordering::Release);
        fence(Ordering::SeqCst);
        s.pid.store(me, Ordering::Relaxed);
        s.tid.store(tid, Ordering::Relaxed);
        s.nonce.store(nonce, Ordering::Relaxed);
        s.flags.store(flags, Ordering::Relaxed);
        let (class, title) = (cut(class), cut(title));
        // SAFETY: the arrays are NAME_MAX long and the copies are cut to fit; only the table
        // lock's holder writes a slot.
        unsafe {
            let sp = std::ptr::from_ref(s).cast_mut();
            for (k, c) in class.iter().enumerate() {
                std::ptr::addr_of_mut!((*sp).class[k]).write_volatile(*c);
            }
            for (k, c) in title.iter().enumerate() {
                std::ptr::addr_of_mut!((*sp).title[k]).write_volatile(*c);
            }
        }
        s.class_len.store(class.len() as u32, Ordering::Relaxed);
        s.title_len.store(title.len() as u32, Ordering::Relaxed);
        s.live.store(1, Ordering::Relaxed);
        super::lock::ofd(self.fd.as_fd(), SLOT_LOCK + i as i64, libc::F_WRLCK, false)?;
        let generation = g.wrapping_add(1).max(2);
        s.generation.store(generation, Ordering::Release);
        Ok((i, generation))
    }

    /// Frees slot `i` of this process's window of generation `generation`.
    pub(crate) fn free(&self, i: usize, generation: u32) {
        if i >= MAX_WINDOWS {
            return;
        }
        if super::lock::ofd(self.fd.as_fd(), TABLE_LOCK, libc::F_WRLCK, true).is_err() {
            return;
        }
        let _unlock = Unlock(self, TABLE_LOCK);
        let s = self.slot(i);
        if s.generation.load(Ordering::Acquire) == generation {
            s.generation.store(generation | 1, Ordering::Release);
            s.live.store(0, Ordering::Release);
            s.generation
                .store(generation.wrapping_add(2).max(2), Ordering::Release);
        }
        let _ = super::lock::ofd(self.fd.as_fd(), SLOT_LOCK + i as i64, libc::F_UNLCK, false);
    }

    /// Whether another process holds slot `i` (its window is alive).
    fn slot_held(&self, i: usize) -> bool {
        super::lock::held_by_other(self.fd.as_fd(), SLOT_LOCK + i as i64)
    }

    /// A consistent copy of slot `i`, if a window lives there (for another process's window:
    /// if that process still holds it, when `check_owner` — one system call; without it, a
    /// killed process's windows still show until their slots are reused). `with_names`: also
    /// copy the class name and title.
    pub(crate) fn read(&self, i: usize, with_names: bool, check_owner: bool) -> Option<WindowInfo> {
        if i >= MAX_WINDOWS {
            return None;
        }
        let s = self.slot(i);
        for _ in 0..100 {
            let g1 = s.generation.load(Ordering::Acquire);
            if g1 & 1 == 1 {
                std::hint::spin_loop();
                continue;
            }
            if g1 == 0 || s.live.load(Ordering::Acquire) == 0 {
                return None;
            }
            let mut info = WindowInfo {
                generation: g1,
                pid: s.pid.load(Ordering::Relaxed),
                tid: s.tid.load(Ordering::Relaxed),
                nonce: s.nonce.load(Ordering::Relaxed),
                flags: s.flags.load(Ordering::Relaxed),
                class: Vec::new(),
                title: Vec::new(),
            };
            if with_names {
                let cl = (s.class_len.load(Ordering::Relaxed) as usize).min(NAME_MAX);
                let tl = (s.title_len.load(Ordering::Relaxed) as usize).min(NAME_MAX);
                // SAFETY: indices < NAME_MAX; volatile reads of u16s, valid for any bytes.
                unsafe {
                    info.class = (0..cl)
                        .map(|k| std::ptr::addr_of!(s.class[k]).read_volatile())
                        .collect();
                    info.title = (0..tl)
                        .map(|k| std::ptr::addr_of!(s.title[k]).read_volatile())
                        .collect();
                }
            }
            fence(Ordering::Acquire);
            if s.generation.load(Ordering::Acquire) != g1 {
                continue;
            }
            if check_owner && info.pid != super::process::current_pid() && !self.slot_held(i) {
                return None;
            }
            return Some(info);
        }
        None
    }

    /// The value `RegisterWindowMessage` gives `name` in this session (0xC000 up).
    pub(crate) fn atom(&self, name: &[u16]) -> io::Result<u32> {
        let name = cut(name);
        super::lock::ofd(self.fd.as_fd(), ATOM_LOCK, libc::F_WRLCK, true)?;
        let _unlock = Unlock(self, ATOM_LOCK);
        let used = (self.header().atoms.load(Ordering::Acquire) as usize).min(MAX_ATOMS);
        for i in 0..used {
            if same_name(&self.atom_name(i), name) {
                return Ok(0xC000 + i as u32);
            }
        }
        if used >= MAX_ATOMS {
            return Err(win32(ERROR_NOT_ENOUGH_MEMORY));
        }
        let at = self.atom_ptr(used);
        // SAFETY: the entry lies inside the atom area; len word then NAME_MAX units; written
        // under the atom lock.
        unsafe {
            for (k, c) in name.iter().enumerate() {
                at.add(4 + 2 * k).cast::<u16>().write_volatile(*c);
            }
            at.cast::<u32>().write_volatile(name.len() as u32);
        }
        self.header()
            .atoms
            .store(used as u32 + 1, Ordering::Release);
        Ok(0xC000 + used as u32)
    }

    fn atom_ptr(&self, i: usize) -> *mut u8 {
        assert!(i < MAX_ATOMS);
        // SAFETY: in bounds of the mapping (asserted).
        unsafe { self.ptr.as_ptr().add(ATOMS_AT + i * ATOM_SIZE) }
    }

    fn atom_name(&self, i: usize) -> Vec<u16> {
        let at = self.atom_ptr(i);
        // SAFETY: inside the atom area; the length is clamped to NAME_MAX.
        unsafe {
            let len = (at.cast::<u32>().read_volatile() as usize).min(NAME_MAX);
            (0..len)
                .map(|k| at.add(4 + 2 * k).cast::<u16>().read_volatile())
                .collect()
        }
    }
}

struct Unlock<'a>(&'a Table, i64);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        let _ = super::lock::ofd(self.0.fd.as_fd(), self.1, libc::F_UNLCK, false);
    }
}
