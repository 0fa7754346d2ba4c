//! The shared state page of a named or unnamed object file, mapped into this process.
//!
//! The page is mapped through a fresh open file description that holds no lock, so a
//! mapping never keeps an object's name alive (see `named.rs`). Mappings are cached by inode:
//! every handle to one object in this process shares one mapping.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

use crate::error::{ERROR_INVALID_HANDLE, from_os, win32};
use crate::object::ObjectKind;

const PAGE: usize = 4096;

/// An object's first page, mapped shared.
pub(crate) struct Page {
    ptr: NonNull<u8>,
    /// The object's identity: (device, inode).
    pub(crate) id: (u64, u64),
    pub(crate) kind: ObjectKind,
}

// SAFETY: the page is plain shared memory; all access to it goes through atomics.
unsafe impl Send for Page {}
// SAFETY: as above.
unsafe impl Sync for Page {}

impl Page {
    /// The address `offset` bytes into the page.
    pub(crate) fn at(&self, offset: usize) -> NonNull<u8> {
        assert!(offset < PAGE);
        // SAFETY: in bounds of the one-page mapping.
        unsafe { self.ptr.add(offset) }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `map` with this address and length, and no reference
        // into it outlives the page (every user holds an Arc<Page>).
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), PAGE) };
    }
}

/// Mapped pages by object identity (device, inode).
type Pages = HashMap<(u64, u64), Arc<Page>>;

static CACHE: Mutex<Option<Pages>> = Mutex::new(None);
const CACHE_MAX: usize = 4096;

/// The mapped first page of the object behind `fd`, whose kind is known to be `kind`.
pub(crate) fn get(fd: BorrowedFd<'_>, kind: ObjectKind) -> io::Result<Arc<Page>> {
    let st = rustix::fs::fstat(fd).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
    let id = (st.st_dev, st.st_ino);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(p) = cache.get(&id)
        && p.kind == kind
    {
        return Ok(p.clone());
    }
    let page = Arc::new(map(fd, id, kind)?);
    if cache.len() >= CACHE_MAX {
        // Keep what is in use elsewhere; forget the rest.
        cache.retain(|_, p| Arc::strong_count(p) > 1);
    }
    cache.insert(id, page.clone());
    Ok(page)
}

fn map(fd: BorrowedFd<'_>, id: (u64, u64), kind: ObjectKind) -> io::Result<Page> {
    let path = format!("/proc/self/fd/{}", super::handle::raw(fd));
    let fresh = rustix::fs::open(path.as_str(), OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
        .map_err(from_os)?;
    // SAFETY: a new shared mapping of one page of a file we just opened; nothing else is
    // placed at the address the kernel picks.
    let ptr = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            PAGE,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            fresh.as_fd(),
            0,
        )
    }
    .map_err(from_os)?;
    Ok(Page {
        ptr: NonNull::new(ptr.cast()).ok_or_else(|| win32(ERROR_INVALID_HANDLE))?,
        id,
        kind,
    })
}
