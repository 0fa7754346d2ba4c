//! The raw baselines' shared memory: one page of a `memfd`, mapped `MAP_SHARED`, holding
//! 32-bit words that both processes change atomically and sleep on with (non-private) futexes.
//!
//! The parent creates it and passes the descriptor number to the child (close-on-exec cleared
//! for that one spawn); the child maps the same page.

use std::ffi::c_void;
use std::io;
#[cfg(test)]
use std::os::fd::IntoRawFd;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;

use rustix::fs::{MemfdFlags, memfd_create};
use rustix::io::FdFlags;
use rustix::mm::{MapFlags, ProtFlags, mmap, munmap};

/// Size of the mapping.
const LEN: usize = 4096;

/// Distance between words: one cache line each, so two words never share a line (a w32ipc
/// object has a page of its own).
pub const STRIDE: usize = 64;

/// How many words the page holds.
pub const WORDS: usize = LEN / STRIDE;

/// A shared page of futex words and the descriptor behind it.
pub struct SharedWords {
    fd: OwnedFd,
    base: NonNull<c_void>,
}

impl SharedWords {
    /// A fresh zeroed page (close-on-exec until [`inheritable_fd`](Self::inheritable_fd)).
    pub fn create() -> io::Result<SharedWords> {
        let fd = memfd_create("w32ipc-bench-words", MemfdFlags::CLOEXEC)?;
        rustix::fs::ftruncate(&fd, LEN as u64)?;
        SharedWords::map(fd)
    }

    /// Maps the page behind the descriptor number `fd`, inherited from the parent.
    ///
    /// # Safety
    /// `fd` is an open descriptor of a [`SharedWords`] page that nothing else in this process
    /// owns.
    pub unsafe fn from_inherited(fd: RawFd) -> io::Result<SharedWords> {
        // SAFETY: per the caller.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        SharedWords::map(fd)
    }

    fn map(fd: OwnedFd) -> io::Result<SharedWords> {
        // SAFETY: a fresh shared mapping of the whole (LEN-byte) file at an address the kernel
        // picks; it aliases no Rust object, and is unmapped only on drop.
        let base = unsafe {
            mmap(
                std::ptr::null_mut(),
                LEN,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                fd.as_fd(),
                0,
            )?
        };
        let base = NonNull::new(base).ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(SharedWords { fd, base })
    }

    /// The descriptor, made inheritable, for one spawn: returns its number. Call it only
    /// right before starting the child, from the only thread that starts children.
    pub fn inheritable_fd(&self) -> io::Result<RawFd> {
        rustix::io::fcntl_setfd(&self.fd, FdFlags::empty())?;
        Ok(self.fd.as_raw_fd())
    }

    /// Makes the descriptor close-on-exec again (after the spawn).
    pub fn close_on_exec(&self) -> io::Result<()> {
        rustix::io::fcntl_setfd(&self.fd, FdFlags::CLOEXEC)?;
        Ok(())
    }

    /// Word `i` (`i < WORDS`).
    pub fn word(&self, i: usize) -> &AtomicU32 {
        assert!(i < WORDS, "word {i} is past the page");
        // SAFETY: the offset is inside the mapping, 64-byte aligned, and the mapping lives as
        // long as `self`; other processes change the word only atomically, so an `AtomicU32`
        // view of it is sound.
        unsafe {
            &*self
                .base
                .as_ptr()
                .cast::<u8>()
                .add(i * STRIDE)
                .cast::<AtomicU32>()
        }
    }
}

// SAFETY: the page is only ever reached through `&AtomicU32` (atomic accesses), and the
// descriptor and mapping are owned: nothing in it is tied to one thread.
unsafe impl Send for SharedWords {}
// SAFETY: as for `Send`; shared access is atomic access only.
unsafe impl Sync for SharedWords {}

impl Drop for SharedWords {
    fn drop(&mut self) {
        // SAFETY: `base` is our LEN-byte mapping; every `&AtomicU32` into it borrows `self`,
        // so none outlives this.
        if let Err(e) = unsafe { munmap(self.base.as_ptr(), LEN) } {
            eprintln!("w32ipc-bench: munmap: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn words_are_zeroed_apart_and_shared_by_a_second_mapping() {
        let words = SharedWords::create().unwrap();
        assert_eq!(words.word(0).load(Ordering::SeqCst), 0);
        assert_eq!(
            words.word(1).as_ptr() as usize - words.word(0).as_ptr() as usize,
            STRIDE
        );
        let again = rustix::io::fcntl_dupfd_cloexec(&words.fd, 0).unwrap();
        // SAFETY: a fresh duplicate that nothing else owns.
        let other = unsafe { SharedWords::from_inherited(again.into_raw_fd()).unwrap() };
        words.word(WORDS - 1).store(7, Ordering::SeqCst);
        assert_eq!(other.word(WORDS - 1).load(Ordering::SeqCst), 7);
    }
}
