//! A thread's outbox: the memory a `WM_COPYDATA` block is copied into once, by the sender, and
//! read in place by the receiver.
//!
//! It is a memfd sealed against shrinking, so a receiver's mapping can never be cut under it
//! (no `SIGBUS`, whatever the sender does). The receiver opens it through
//! `/proc/<pid>/fd/<n>` (same user), checks the seal, and keeps the mapping for the next
//! message. The outbox grows as needed; it never shrinks.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::ptr::NonNull;

use rustix::fs::{MemfdFlags, Mode, OFlags, SealFlags};
use rustix::mm::{MapFlags, ProtFlags};

use crate::error::{ERROR_NOT_ENOUGH_MEMORY, from_os, win32};

/// The largest outbox (and so the largest block in flight from one thread, nested sends
/// included).
pub(crate) const MAX_LEN: usize = 1 << 31;
const GRAIN: usize = 1 << 20;

struct Map {
    ptr: NonNull<u8>,
    len: usize,
}

impl Map {
    fn new(fd: &OwnedFd, len: usize) -> io::Result<Map> {
        if len == 0 {
            return Ok(Map {
                ptr: NonNull::dangling(),
                len: 0,
            });
        }
        // SAFETY: a new shared mapping of `len` bytes of a memfd at least that long, sealed
        // against shrinking; the kernel picks the address.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                fd.as_fd(),
                0,
            )
        }
        .map_err(from_os)?;
        Ok(Map {
            ptr: NonNull::new(ptr.cast()).ok_or_else(|| io::Error::other("mmap returned null"))?,
            len,
        })
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: mapped in `Map::new` with this address and length; the owner hands out
            // pointers into it only for the duration of one message.
            let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len) };
        }
    }
}

// SAFETY: a shared mapping; the owners synchronise their use of it.
unsafe impl Send for Map {}

/// The calling thread's own outbox.
pub(crate) struct Outbox {
    fd: OwnedFd,
    map: Map,
}

impl Outbox {
    pub(crate) fn create() -> io::Result<Outbox> {
        let fd = rustix::fs::memfd_create(
            "w32ipc-outbox",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )
        .map_err(from_os)?;
        rustix::fs::fcntl_add_seals(&fd, SealFlags::SHRINK | SealFlags::SEAL).map_err(from_os)?;
        Ok(Outbox {
            fd,
            map: Map {
                ptr: NonNull::dangling(),
                len: 0,
            },
        })
    }

    /// The descriptor number receivers open it by.
    pub(crate) fn raw_fd(&self) -> u32 {
        self.fd.as_raw_fd() as u32
    }

    /// Makes the outbox at least `len` bytes long; `ERROR_NOT_ENOUGH_MEMORY` past `MAX_LEN`.
    pub(crate) fn ensure(&mut self, len: usize) -> io::Result<()> {
        if len <= self.map.len {
            return Ok(());
        }
        if len > MAX_LEN {
            return Err(win32(ERROR_NOT_ENOUGH_MEMORY));
        }
        let new_len = len.div_ceil(GRAIN) * GRAIN;
        rustix::fs::ftruncate(&self.fd, new_len as u64).map_err(from_os)?;
        self.map = Map::new(&self.fd, new_len)?;
        Ok(())
    }

    /// Gives the memory past the first `keep` bytes back to the system (the file keeps its
    /// size, so no mapping of it breaks; those pages read as zeros until written again).
    pub(crate) fn trim(&mut self, keep: usize) {
        if self.map.len > keep {
            let _ = rustix::fs::fallocate(
                &self.fd,
                rustix::fs::FallocateFlags::PUNCH_HOLE | rustix::fs::FallocateFlags::KEEP_SIZE,
                keep as u64,
                (self.map.len - keep) as u64,
            );
        }
    }

    /// The start of the mapping (valid for `len` bytes after `ensure(len)`).
    pub(crate) fn ptr(&self) -> *mut u8 {
        self.map.ptr.as_ptr()
    }
}

/// Another thread's outbox, mapped by a receiver.
pub(crate) struct PeerOutbox {
    fd: OwnedFd,
    map: Map,
    /// Smaller mappings replaced while a handler may still read through them.
    retired: Vec<Map>,
}

impl PeerOutbox {
    /// Opens outbox descriptor `fd` of process `pid`. Refused unless it is sealed against
    /// shrinking (a hostile sender could otherwise cut the mapping under the receiver).
    pub(crate) fn open(pid: u32, fd: u32) -> io::Result<PeerOutbox> {
        let path = format!("/proc/{pid}/fd/{fd}");
        let fd = rustix::fs::open(path.as_str(), OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
            .map_err(from_os)?;
        let seals = rustix::fs::fcntl_get_seals(&fd).map_err(from_os)?;
        if !seals.contains(SealFlags::SHRINK) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "outbox not sealed against shrinking",
            ));
        }
        Ok(PeerOutbox {
            fd,
            map: Map {
                ptr: NonNull::dangling(),
                len: 0,
            },
            retired: Vec::new(),
        })
    }

    /// The block at `off`, `len` bytes, if it lies inside the outbox. `keep_old`: blocks handed
    /// out earlier are still in use, so a mapping replaced to reach further must stay mapped.
    pub(crate) fn block(
        &mut self,
        off: u64,
        len: u32,
        keep_old: bool,
    ) -> io::Result<Option<NonNull<u8>>> {
        if !keep_old {
            self.retired.clear();
        }
        let Some(end) = off.checked_add(u64::from(len)) else {
            return Ok(None);
        };
        let end = usize::try_from(end).unwrap_or(usize::MAX);
        if end > self.map.len {
            let size = rustix::fs::fstat(&self.fd).map_err(from_os)?.st_size as usize;
            if end > size || size > MAX_LEN {
                return Ok(None);
            }
            let old = std::mem::replace(&mut self.map, Map::new(&self.fd, size)?);
            if keep_old {
                self.retired.push(old);
            }
        }
        if len == 0 {
            return Ok(Some(NonNull::dangling()));
        }
        // SAFETY: off + len <= map.len (checked above), so the pointer is inside the mapping.
        Ok(NonNull::new(unsafe {
            self.map.ptr.as_ptr().add(off as usize)
        }))
    }
}
