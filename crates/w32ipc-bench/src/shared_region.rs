//! The message scenarios' raw shared memory: a `memfd` of any length, mapped `MAP_SHARED` by
//! the parent and the child, holding futex words and payload bytes side by side.
//!
//! Like [`crate::shared_word::SharedWords`] (one page of words only), the parent creates it and
//! passes the descriptor number to the child (close-on-exec cleared for that one spawn); the
//! child maps the whole file (its length from `fstat`).

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64};

use rustix::fs::{MemfdFlags, memfd_create};
use rustix::io::FdFlags;
use rustix::mm::{MapFlags, ProtFlags, mmap, munmap};

/// A shared mapping of a whole `memfd` and the descriptor behind it.
pub struct SharedRegion {
    fd: OwnedFd,
    base: NonNull<u8>,
    len: usize,
}

impl SharedRegion {
    /// A fresh zeroed region of `len` bytes (close-on-exec until
    /// `inheritable_fd`).
    pub fn create(len: usize) -> io::Result<SharedRegion> {
        let fd = memfd_create("w32ipc-bench-region", MemfdFlags::CLOEXEC)?;
        rustix::fs::ftruncate(&fd, len as u64)?;
        SharedRegion::map(fd, len)
    }

    /// Maps the region behind the descriptor number `fd`, inherited from the parent.
    ///
    /// # Safety
    /// `fd` is an open descriptor of a [`SharedRegion`] that nothing else in this process owns.
    pub unsafe fn from_inherited(fd: RawFd) -> io::Result<SharedRegion> {
        // SAFETY: per the caller.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let len = rustix::fs::fstat(&fd)?.st_size as usize;
        SharedRegion::map(fd, len)
    }

    fn map(fd: OwnedFd, len: usize) -> io::Result<SharedRegion> {
        if len == 0 {
            return Err(io::Error::other("an empty shared region"));
        }
        // SAFETY: a fresh shared mapping of the whole file at an address the kernel picks; it
        // aliases no Rust object, and is unmapped only on drop.
        let base = unsafe {
            mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                fd.as_fd(),
                0,
            )?
        };
        let base = NonNull::new(base.cast::<u8>())
            .ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(SharedRegion { fd, base, len })
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the region is empty (never: [`SharedRegion::create`] refuses 0).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The 32-bit word at byte offset `off` (4-aligned, inside the region).
    pub fn word(&self, off: usize) -> &AtomicU32 {
        assert!(
            off.is_multiple_of(4) && off + 4 <= self.len,
            "word at {off} out of place"
        );
        // SAFETY: inside the mapping, aligned, and the mapping lives as long as `self`; the
        // processes sharing it change such words only atomically.
        unsafe { &*self.base.as_ptr().add(off).cast::<AtomicU32>() }
    }

    /// The 64-bit word at byte offset `off` (8-aligned, inside the region).
    pub fn word64(&self, off: usize) -> &AtomicU64 {
        assert!(
            off.is_multiple_of(8) && off + 8 <= self.len,
            "word at {off} out of place"
        );
        // SAFETY: as for `word`.
        unsafe { &*self.base.as_ptr().add(off).cast::<AtomicU64>() }
    }

    /// The `len` bytes at `off`.
    ///
    /// # Safety
    /// Nobody writes them while the slice lives: the scenario's protocol (a futex or eventfd
    /// hand-off, which orders memory) gives this side the bytes for that time.
    pub unsafe fn bytes(&self, off: usize, len: usize) -> &[u8] {
        assert!(off + len <= self.len, "bytes {off}+{len} past the region");
        // SAFETY: inside the mapping; exclusive per the caller.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr().add(off), len) }
    }

    /// Copies `data` to `off`.
    ///
    /// # Safety
    /// Nobody else reads or writes those bytes meanwhile (see [`SharedRegion::bytes`]).
    pub unsafe fn write(&self, off: usize, data: &[u8]) {
        assert!(
            off + data.len() <= self.len,
            "bytes {off}+{} past the region",
            data.len()
        );
        // SAFETY: inside the mapping; the source is the caller's memory, which cannot overlap
        // a shared mapping it would have to borrow from `self` immutably; exclusive per the
        // caller.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.as_ptr().add(off), data.len())
        };
    }
}

// SAFETY: the mapping and descriptor are owned; access to the bytes is governed by the
// (unsafe) accessors' contracts and the words are atomics.
unsafe impl Send for SharedRegion {}
// SAFETY: as for `Send`.
unsafe impl Sync for SharedRegion {}

impl Drop for SharedRegion {
    fn drop(&mut self) {
        // SAFETY: `base` is our `len`-byte mapping; every reference into it borrows `self`.
        if let Err(e) = unsafe { munmap(self.base.as_ptr().cast(), self.len) } {
            eprintln!("w32ipc-bench: munmap: {e}");
        }
    }
}

/// Clears close-on-exec on `fd` for one spawn and returns its number; pair with
/// [`close_on_exec`] once the child has started. Only the one thread that starts children may
/// call it.
pub fn inheritable(fd: BorrowedFd<'_>) -> io::Result<RawFd> {
    rustix::io::fcntl_setfd(fd, FdFlags::empty())?;
    Ok(fd.as_raw_fd())
}

/// Sets close-on-exec on `fd` again.
pub fn close_on_exec(fd: BorrowedFd<'_>) -> io::Result<()> {
    rustix::io::fcntl_setfd(fd, FdFlags::CLOEXEC)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::IntoRawFd;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_second_mapping_sees_words_and_bytes() {
        let r = SharedRegion::create(8192).unwrap();
        let again = rustix::io::fcntl_dupfd_cloexec(r.fd(), 0).unwrap();
        // SAFETY: a fresh duplicate that nothing else owns.
        let other = unsafe { SharedRegion::from_inherited(again.into_raw_fd()).unwrap() };
        assert_eq!(other.len(), 8192);
        r.word(64).store(7, Ordering::SeqCst);
        assert_eq!(other.word(64).load(Ordering::SeqCst), 7);
        // SAFETY: nothing else touches these bytes in this test.
        unsafe {
            r.write(5000, b"hello");
            assert_eq!(other.bytes(5000, 5), b"hello");
        }
    }
}
