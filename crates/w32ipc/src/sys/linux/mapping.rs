//! File mappings over object files and disk files: the mapping's description in its object
//! header, handle access rights, views (`mmap`), flushing, and the numbers `GetSystemInfo`
//! reports.
//!
//! # The object file of a mapping
//!
//! A mapping is a named-object file (see [`super::named`]) whose header page holds, at
//! [`STATE_OFFSET`](super::named::STATE_OFFSET), the mapping's protection, size and — for a
//! mapping of a disk file — that file's absolute path and identity (device, inode). The file
//! is `HEADER_LEN + size` bytes long: a paging-file-backed mapping keeps its data right after
//! the header (on tmpfs, so "the paging file" is memory plus swap); a file-backed one leaves
//! that range sparse (it costs nothing, and `w32ipc ls` shows the size) and maps the disk file.
//!
//! Another process opening a file-backed mapping by name (or a child that inherited its handle)
//! reopens the disk file by its path and checks it is still the same file (device and inode).
//! Windows forbids deleting or renaming a file while a mapping of it exists; Linux does not,
//! and a file-backed mapping whose file was moved away can no longer map new views
//! (`ERROR_FILE_NOT_FOUND`) — views already mapped keep working.
//!
//! # Views never keep the name alive
//!
//! Every handle holds a shared `flock` on its own open file description, and the last close
//! removes the name when nobody holds a lock any more. An `mmap` keeps a reference to the open
//! file description it was made from — so a view is always made from a *fresh* description,
//! opened again through `/proc/self/fd/N`, that never holds a lock. The name then goes with
//! the last handle, as in NT, while the views keep the memory.
//!
//! # Access rights of a handle
//!
//! A mapping handle's rights are its descriptor's open mode plus two status flags, which
//! inheritance and duplication carry along (nobody writes a mapping's object file through its
//! descriptor after creation, so the flags change nothing else): `O_RDWR` grants
//! `FILE_MAP_WRITE` unless `O_APPEND` is set — the handle `CreateFileMapping` gives with a
//! read-only or write-copy protection — and `O_NONBLOCK` marks a handle *without*
//! `FILE_MAP_READ` — the handle `OpenFileMapping(FILE_MAP_WRITE)` or `OpenFileMapping(0)`
//! gives.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::mm::{MapFlags, MsyncFlags, ProtFlags};

use super::named::{HEADER_LEN, STATE_OFFSET};
use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_INVALID_ADDRESS, ERROR_INVALID_HANDLE,
    ERROR_NOT_ENOUGH_MEMORY, from_os, win32,
};

const META_MAGIC: &[u8; 4] = b"MAP1";
/// Bytes of the header page available for the description (and the disk file's path).
const META_LEN: usize = (HEADER_LEN - STATE_OFFSET) as usize;
const PATH_AT: usize = 40;
/// The longest disk-file path a file-backed mapping can record.
pub(crate) const PATH_MAX: usize = META_LEN - PATH_AT;

/// What the object header says about a mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    /// 1 = read-only, 2 = read-write, 3 = write-copy (`PAGE_*` without the execute variants).
    pub(crate) protection: u32,
    /// Whether the pages may be executed (a `PAGE_EXECUTE_*` protection).
    pub(crate) executable: bool,
    /// The mapping's size in bytes.
    pub(crate) size: u64,
    /// For a file-backed mapping: the disk file's path, device and inode.
    pub(crate) file: Option<(PathBuf, u64, u64)>,
}

/// Writes a new mapping's description and sizes its object file (`init` of the named-object
/// creation: runs before the name is visible).
pub(crate) fn init_object(fd: BorrowedFd<'_>, meta: &Meta) -> io::Result<()> {
    let mut m = vec![0u8; META_LEN];
    m[..4].copy_from_slice(META_MAGIC);
    m[4..8].copy_from_slice(
        &(meta.protection | if meta.executable { 0x100 } else { 0 }).to_le_bytes(),
    );
    m[8..16].copy_from_slice(&meta.size.to_le_bytes());
    if let Some((path, dev, ino)) = &meta.file {
        let p = path.as_os_str().as_encoded_bytes();
        if p.len() > PATH_MAX {
            return Err(win32(crate::error::ERROR_FILENAME_EXCED_RANGE));
        }
        m[16..20].copy_from_slice(&1u32.to_le_bytes());
        m[20..24].copy_from_slice(&(p.len() as u32).to_le_bytes());
        m[24..32].copy_from_slice(&dev.to_le_bytes());
        m[32..40].copy_from_slice(&ino.to_le_bytes());
        m[PATH_AT..PATH_AT + p.len()].copy_from_slice(p);
    }
    // Sparse: a paging-file mapping's pages come into being when first touched. Its last page
    // is whole, as views may reach to the end of it.
    let data = match meta.file {
        None => meta.size.next_multiple_of(page_size() as u64),
        Some(_) => meta.size,
    };
    rustix::fs::ftruncate(fd, HEADER_LEN + data).map_err(|e| match e {
        Errno::FBIG | Errno::INVAL => win32(ERROR_NOT_ENOUGH_MEMORY),
        e => from_os(e),
    })?;
    // The rest of the page is zero already (the file was just made).
    let used = PATH_AT
        + meta
            .file
            .as_ref()
            .map_or(0, |(p, _, _)| p.as_os_str().len());
    let mut done = 0;
    while done < used {
        done +=
            rustix::io::pwrite(fd, &m[done..used], STATE_OFFSET + done as u64).map_err(from_os)?;
    }
    Ok(())
}

/// Reads a mapping's description from its object file.
pub(crate) fn read_meta(fd: BorrowedFd<'_>) -> io::Result<Meta> {
    let mut m = [0u8; META_LEN];
    let mut done = 0;
    while done < META_LEN {
        match rustix::io::pread(fd, &mut m[done..], STATE_OFFSET + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(Errno::INTR) => continue,
            Err(_) => return Err(win32(ERROR_INVALID_HANDLE)),
        }
    }
    if done < PATH_AT || &m[..4] != META_MAGIC {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    let u32_at = |i: usize| u32::from_le_bytes(m[i..i + 4].try_into().expect("4 bytes"));
    let u64_at = |i: usize| u64::from_le_bytes(m[i..i + 8].try_into().expect("8 bytes"));
    let prot = u32_at(4);
    let file = if u32_at(16) & 1 != 0 {
        let len = (u32_at(20) as usize).min(PATH_MAX);
        let path = PathBuf::from(std::ffi::OsStr::from_bytes(&m[PATH_AT..PATH_AT + len]));
        Some((path, u64_at(24), u64_at(32)))
    } else {
        None
    };
    Ok(Meta {
        protection: prot & 0xff,
        executable: prot & 0x100 != 0,
        size: u64_at(8),
        file,
    })
}

/// The most a paging-file-backed mapping may hold: what the machine can commit (memory plus
/// swap) and what the filesystem of the session root can still store, whichever is less.
pub(crate) fn commit_limit(dir: BorrowedFd<'_>) -> u64 {
    let memory = rustix::system::sysinfo();
    let unit = u64::from(memory.mem_unit.max(1));
    let ram_and_swap = (memory.totalram as u64)
        .saturating_add(memory.totalswap as u64)
        .saturating_mul(unit);
    let fs = rustix::fs::fstatvfs(dir)
        .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
        .unwrap_or(u64::MAX);
    ram_and_swap.min(fs)
}

/// A handle's rights: (`FILE_MAP_READ`, `FILE_MAP_WRITE`).
pub(crate) fn rights(fd: BorrowedFd<'_>) -> io::Result<(bool, bool)> {
    let fl = rustix::fs::fcntl_getfl(fd).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
    Ok((
        !fl.contains(OFlags::NONBLOCK),
        fl.contains(OFlags::RDWR) && !fl.contains(OFlags::APPEND),
    ))
}

/// Takes `FILE_MAP_WRITE` away from a handle that has a read-write descriptor (the handle
/// `CreateFileMapping` gives with a read-only protection).
pub(crate) fn deny_write(fd: BorrowedFd<'_>) -> io::Result<()> {
    let fl = rustix::fs::fcntl_getfl(fd).map_err(from_os)?;
    rustix::fs::fcntl_setfl(fd, fl | OFlags::APPEND).map_err(from_os)
}

/// Takes `FILE_MAP_READ` away from a freshly opened handle.
pub(crate) fn deny_read(fd: BorrowedFd<'_>) -> io::Result<()> {
    let fl = rustix::fs::fcntl_getfl(fd).map_err(from_os)?;
    rustix::fs::fcntl_setfl(fd, fl | OFlags::NONBLOCK).map_err(from_os)
}

/// A fresh open file description of the object file behind `fd`, holding no lock.
pub(crate) fn reopen_object(fd: BorrowedFd<'_>, write: bool) -> io::Result<OwnedFd> {
    let path = format!("/proc/self/fd/{}", super::handle::raw(fd));
    let mode = if write { OFlags::RDWR } else { OFlags::RDONLY };
    rustix::fs::open(path.as_str(), mode | OFlags::CLOEXEC, Mode::empty()).map_err(from_os)
}

/// Opens the disk file behind a file-backed mapping again, checking it is still the same file.
pub(crate) fn reopen_file(path: &Path, dev: u64, ino: u64, write: bool) -> io::Result<OwnedFd> {
    let mode = if write { OFlags::RDWR } else { OFlags::RDONLY };
    let fd = rustix::fs::open(path, mode | OFlags::CLOEXEC | OFlags::NOCTTY, Mode::empty())
        .map_err(|e| match e {
            Errno::NOENT | Errno::NOTDIR => win32(ERROR_FILE_NOT_FOUND),
            Errno::ACCESS | Errno::PERM | Errno::ROFS => win32(ERROR_ACCESS_DENIED),
            e => from_os(e),
        })?;
    let st = rustix::fs::fstat(&fd).map_err(from_os)?;
    if (st.st_dev, st.st_ino) != (dev, ino) {
        return Err(win32(ERROR_FILE_NOT_FOUND));
    }
    Ok(fd)
}

/// How a view maps its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ViewMode {
    /// Shared, read-only.
    Read,
    /// Shared, read-write.
    Write,
    /// Private copy-on-write.
    Copy,
}

/// Views start at multiples of this, as on Windows.
const GRANULARITY: usize = 65536;

/// Maps `len` bytes of `fd` from `offset`, at `at` (which must be free: nothing is ever
/// replaced) or, without `at`, at a 64 KiB-aligned address of the kernel's choosing, as Windows
/// places views.
pub(crate) fn map(
    fd: BorrowedFd<'_>,
    offset: u64,
    len: usize,
    mode: ViewMode,
    exec: bool,
    at: Option<usize>,
) -> io::Result<*mut u8> {
    let mut prot = match mode {
        ViewMode::Read => ProtFlags::READ,
        ViewMode::Write | ViewMode::Copy => ProtFlags::READ | ProtFlags::WRITE,
    };
    if exec {
        prot |= ProtFlags::EXEC;
    }
    let mut flags = match mode {
        ViewMode::Copy => MapFlags::PRIVATE,
        _ => MapFlags::SHARED,
    };
    if at.is_none()
        && let Some(p) = map_at_hint(fd, offset, len, prot, flags)
    {
        return Ok(p);
    }
    let target = match at {
        Some(at) => {
            flags |= MapFlags::FIXED_NOREPLACE;
            at
        }
        None => {
            // Replaces part of our own reservation, and nothing else.
            flags |= MapFlags::FIXED;
            let start = reserve_aligned(len)?;
            HINT.store(start, Ordering::Relaxed);
            start
        }
    };
    // SAFETY: MAP_FIXED_NOREPLACE fails rather than replace anything; MAP_FIXED lands inside
    // the reservation just made for it, which nothing else uses.
    let p = unsafe { rustix::mm::mmap(target as *mut _, len, prot, flags, fd, offset) };
    let p = match p {
        Ok(p) => p,
        Err(e) => {
            if at.is_none() {
                // SAFETY: our reservation, unused.
                let _ = unsafe { rustix::mm::munmap(target as *mut _, round_page(len)) };
            }
            return Err(match e {
                Errno::EXIST => win32(ERROR_INVALID_ADDRESS),
                Errno::NOMEM | Errno::OVERFLOW | Errno::INVAL => win32(ERROR_NOT_ENOUGH_MEMORY),
                Errno::ACCESS => win32(ERROR_ACCESS_DENIED),
                e => from_os(e),
            });
        }
    };
    if p as usize != target {
        // A kernel older than 4.17 takes FIXED_NOREPLACE as a mere hint.
        // SAFETY: `p` is the mapping of `len` bytes just made, used by nobody.
        let _ = unsafe { rustix::mm::munmap(p, len) };
        return Err(win32(ERROR_INVALID_ADDRESS));
    }
    Ok(p.cast())
}

/// Where the last view that needed a reservation went: a 64 KiB-aligned address that is often
/// free again (views come and go), so the next view can be put there with one `mmap`.
static HINT: AtomicUsize = AtomicUsize::new(0);

/// Maps a view at [`HINT`] if that range is free (`MAP_FIXED_NOREPLACE` never replaces
/// anything); `None` to take the reservation path.
fn map_at_hint(
    fd: BorrowedFd<'_>,
    offset: u64,
    len: usize,
    prot: ProtFlags,
    flags: MapFlags,
) -> Option<*mut u8> {
    let hint = HINT.load(Ordering::Relaxed);
    if hint == 0 {
        return None;
    }
    // SAFETY: MAP_FIXED_NOREPLACE fails rather than replace any mapping.
    let p = unsafe {
        rustix::mm::mmap(
            hint as *mut _,
            len,
            prot,
            flags | MapFlags::FIXED_NOREPLACE,
            fd,
            offset,
        )
    }
    .ok()?;
    if p as usize == hint {
        return Some(p.cast());
    }
    // A kernel that took the flag as a mere hint put it elsewhere: give it back.
    // SAFETY: the mapping just made, used by nobody.
    let _ = unsafe { rustix::mm::munmap(p, len) };
    None
}

fn round_page(len: usize) -> usize {
    len.next_multiple_of(page_size())
}

/// Reserves (`PROT_NONE`) a 64 KiB-aligned range of `len` bytes, rounded to pages, and returns
/// its start.
fn reserve_aligned(len: usize) -> io::Result<usize> {
    let len = round_page(len);
    let slack = GRANULARITY - page_size().min(GRANULARITY);
    let total = len
        .checked_add(slack)
        .ok_or_else(|| win32(ERROR_NOT_ENOUGH_MEMORY))?;
    // SAFETY: a fresh anonymous PROT_NONE mapping where the kernel chooses: touches nothing.
    let r = unsafe {
        rustix::mm::mmap_anonymous(
            std::ptr::null_mut(),
            total,
            ProtFlags::empty(),
            MapFlags::PRIVATE | MapFlags::NORESERVE,
        )
    }
    .map_err(|_| win32(ERROR_NOT_ENOUGH_MEMORY))? as usize;
    let start = r.next_multiple_of(GRANULARITY);
    let end = start + len;
    // SAFETY: the head and tail trimmed off are parts of the reservation just made.
    unsafe {
        if start > r {
            let _ = rustix::mm::munmap(r as *mut _, start - r);
        }
        if r + total > end {
            let _ = rustix::mm::munmap(end as *mut _, r + total - end);
        }
    }
    Ok(start)
}

/// Unmaps a view.
///
/// # Safety
/// `ptr..ptr + len` is a view made by [`map`] that nothing uses any more.
pub(crate) unsafe fn unmap(ptr: *mut u8, len: usize) {
    // SAFETY: per the caller.
    let _ = unsafe { rustix::mm::munmap(ptr.cast(), len) };
}

/// Writes the dirty pages of `ptr..ptr + len` (inside one view) back to their file.
pub(crate) fn flush(ptr: *mut u8, len: usize) -> io::Result<()> {
    let page = page_size();
    let start = ptr as usize & !(page - 1);
    let end = ptr as usize + len.max(1);
    // SAFETY: msync only writes back pages of a mapping the caller holds; it changes no memory.
    unsafe { rustix::mm::msync(start as *mut _, end - start, MsyncFlags::SYNC) }.map_err(
        |e| match e {
            Errno::NOMEM => win32(crate::error::ERROR_INVALID_PARAMETER),
            e => from_os(e),
        },
    )
}

/// Whether the page holding `addr` is mapped at all in this process.
pub(crate) fn is_mapped(addr: usize) -> bool {
    let page = page_size();
    let start = addr & !(page - 1);
    // SAFETY: an asynchronous msync of one page changes no memory; it fails with ENOMEM when
    // nothing is mapped there.
    unsafe { rustix::mm::msync(start as *mut _, page, MsyncFlags::ASYNC) }.is_ok()
}

/// The page size.
pub(crate) fn page_size() -> usize {
    rustix::param::page_size()
}

/// The number of processors configured (online or not), as `dwNumberOfProcessors` counts them.
pub(crate) fn processor_count() -> u32 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    if n > 0 { n as u32 } else { 1 }
}

/// The processor's family, and `model << 8 | stepping`, from `/proc/cpuinfo` (x86).
pub(crate) fn processor_level_revision() -> (u16, u16) {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find(|l| l.split(':').next().map(str::trim) == Some(name))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.trim().parse::<u16>().ok())
    };
    let family = field("cpu family").unwrap_or(6);
    let model = field("model").unwrap_or(0);
    let stepping = field("stepping").unwrap_or(0);
    (family, (model & 0xff) << 8 | (stepping & 0xff))
}

/// The session namespace directory descriptor a new mapping's limit is checked against.
pub(crate) fn namespace_dir_fd() -> io::Result<BorrowedFd<'static>> {
    Ok(super::named::namespace_dir(Some(crate::object::name::Namespace::Local))?.as_fd())
}
