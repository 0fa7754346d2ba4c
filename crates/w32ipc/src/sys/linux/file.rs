//! Disk files: `open(2)` with Win32's creation dispositions and errors, sizes, the file
//! pointer, truncation, `fsync` and `unlink`.
//!
//! A handle's access is its open mode: `GENERIC_READ` is `O_RDONLY`, `GENERIC_WRITE`
//! `O_WRONLY`, both `O_RDWR`; a handle with neither (Win32's "query only" handle) is an
//! `O_PATH` descriptor, which answers `fstat` but refuses reads and writes with `EBADF`
//! (`ERROR_ACCESS_DENIED`), as Windows does.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::{FileType, Mode, OFlags, SeekFrom};
use rustix::io::Errno;

use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_FILE_EXISTS, ERROR_FILE_NOT_FOUND, ERROR_INVALID_FUNCTION,
    ERROR_INVALID_HANDLE, ERROR_NEGATIVE_SEEK, ERROR_PATH_NOT_FOUND, from_os, win32,
};

/// `dwCreationDisposition`, as the backend sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Disposition {
    CreateNew,
    CreateAlways,
    OpenExisting,
    OpenAlways,
    TruncateExisting,
}

/// Opens or creates `path`. Returns the descriptor and whether the file existed before (what
/// Win32 reports as `ERROR_ALREADY_EXISTS` for `CREATE_ALWAYS` and `OPEN_ALWAYS`).
pub(crate) fn open(
    path: &Path,
    read: bool,
    write: bool,
    disposition: Disposition,
) -> io::Result<(OwnedFd, bool)> {
    let creates = matches!(
        disposition,
        Disposition::CreateNew | Disposition::CreateAlways | Disposition::OpenAlways
    );
    let access = match (read, write) {
        (true, true) => OFlags::RDWR,
        (false, true) => OFlags::WRONLY,
        (true, false) => OFlags::RDONLY,
        // O_PATH cannot create or truncate; such a handle reads nothing anyway.
        (false, false) if creates || disposition == Disposition::TruncateExisting => OFlags::RDONLY,
        (false, false) => OFlags::PATH,
    };
    let base = access | OFlags::CLOEXEC | OFlags::NOCTTY;
    let mode = Mode::from_raw_mode(0o666);
    let (fd, existed) = match disposition {
        Disposition::CreateNew => (
            rustix::fs::open(path, base | OFlags::CREATE | OFlags::EXCL, mode)
                .map_err(|e| open_error(path, e))?,
            false,
        ),
        Disposition::CreateAlways | Disposition::OpenAlways => {
            match rustix::fs::open(path, base | OFlags::CREATE | OFlags::EXCL, mode) {
                Ok(fd) => (fd, false),
                Err(Errno::EXIST) => {
                    let trunc = if disposition == Disposition::CreateAlways {
                        OFlags::TRUNC
                    } else {
                        OFlags::empty()
                    };
                    (
                        rustix::fs::open(path, base | trunc, mode)
                            .map_err(|e| open_error(path, e))?,
                        true,
                    )
                }
                Err(e) => return Err(open_error(path, e)),
            }
        }
        Disposition::OpenExisting => (
            rustix::fs::open(path, base, mode).map_err(|e| open_error(path, e))?,
            true,
        ),
        Disposition::TruncateExisting => (
            rustix::fs::open(path, base | OFlags::TRUNC, mode).map_err(|e| open_error(path, e))?,
            true,
        ),
    };
    let st = rustix::fs::fstat(&fd).map_err(from_os)?;
    if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
        // Opening a directory needs FILE_FLAG_BACKUP_SEMANTICS on Windows.
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    Ok((fd, existed))
}

/// The Win32 error for a failed `open`: a missing file is `ERROR_FILE_NOT_FOUND`, a missing
/// directory on the way `ERROR_PATH_NOT_FOUND`, an existing one for `CREATE_NEW`
/// `ERROR_FILE_EXISTS`.
fn open_error(path: &Path, err: Errno) -> io::Error {
    match err {
        Errno::NOENT => {
            let parent_exists = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.is_dir(),
                _ => true,
            };
            win32(if parent_exists {
                ERROR_FILE_NOT_FOUND
            } else {
                ERROR_PATH_NOT_FOUND
            })
        }
        Errno::NOTDIR => win32(ERROR_PATH_NOT_FOUND),
        Errno::EXIST => win32(ERROR_FILE_EXISTS),
        Errno::ISDIR => win32(ERROR_ACCESS_DENIED),
        e => from_os(e),
    }
}

/// Fails with `ERROR_INVALID_FUNCTION` (Windows' answer for a pipe) unless `fd` is a regular
/// file, and with `ERROR_INVALID_HANDLE` if it is not open.
pub(crate) fn check_regular(fd: BorrowedFd<'_>) -> io::Result<rustix::fs::Stat> {
    let st = rustix::fs::fstat(fd).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(win32(ERROR_INVALID_FUNCTION));
    }
    Ok(st)
}

/// The file's size (`GetFileSizeEx`).
pub(crate) fn size(fd: BorrowedFd<'_>) -> io::Result<u64> {
    Ok(check_regular(fd)?.st_size as u64)
}

/// The file's device and inode: its identity.
pub(crate) fn identity(fd: BorrowedFd<'_>) -> io::Result<(u64, u64)> {
    let st = rustix::fs::fstat(fd).map_err(from_os)?;
    Ok((st.st_dev, st.st_ino))
}

/// Whether the descriptor may be read from and written to.
pub(crate) fn access(fd: BorrowedFd<'_>) -> io::Result<(bool, bool)> {
    let fl = rustix::fs::fcntl_getfl(fd).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
    if fl.contains(OFlags::PATH) {
        return Ok((false, false));
    }
    Ok(if fl.contains(OFlags::RDWR) {
        (true, true)
    } else if fl.contains(OFlags::WRONLY) {
        (false, true)
    } else {
        (true, false)
    })
}

/// Moves the file pointer (`SetFilePointerEx`): `whence` 0 = begin, 1 = current, 2 = end.
/// A position before the start fails with `ERROR_NEGATIVE_SEEK`.
pub(crate) fn seek(fd: BorrowedFd<'_>, distance: i64, whence: u32) -> io::Result<u64> {
    check_regular(fd)?;
    let base: i128 = match whence {
        0 => 0,
        1 => rustix::fs::tell(fd).map_err(from_os)? as i128,
        2 => rustix::fs::fstat(fd).map_err(from_os)?.st_size as i128,
        _ => return Err(win32(crate::error::ERROR_INVALID_PARAMETER)),
    };
    let target = base + distance as i128;
    if target < 0 {
        return Err(win32(ERROR_NEGATIVE_SEEK));
    }
    let target = u64::try_from(target).map_err(|_| win32(ERROR_NEGATIVE_SEEK))?;
    rustix::fs::seek(fd, SeekFrom::Start(target)).map_err(from_os)
}

/// Cuts or extends the file at the file pointer (`SetEndOfFile`).
pub(crate) fn set_end(fd: BorrowedFd<'_>) -> io::Result<()> {
    check_regular(fd)?;
    let pos = rustix::fs::tell(fd).map_err(from_os)?;
    set_len(fd, pos)
}

/// Sets the file's length (`ftruncate`); a handle without write access fails with
/// `ERROR_ACCESS_DENIED`.
pub(crate) fn set_len(fd: BorrowedFd<'_>, len: u64) -> io::Result<()> {
    match rustix::fs::ftruncate(fd, len) {
        Ok(()) => Ok(()),
        Err(Errno::BADF | Errno::INVAL) if rustix::io::fcntl_getfd(fd).is_ok() => {
            Err(win32(ERROR_ACCESS_DENIED))
        }
        Err(e) => Err(from_os(e)),
    }
}

/// Writes the file's data and metadata to the device (`FlushFileBuffers`).
pub(crate) fn flush(fd: BorrowedFd<'_>) -> io::Result<()> {
    check_regular(fd)?;
    if !access(fd)?.1 {
        // Windows needs GENERIC_WRITE to flush a file.
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    rustix::fs::fsync(fd).map_err(from_os)
}

/// Removes `path` (`DeleteFile`). A directory fails with `ERROR_ACCESS_DENIED`.
pub(crate) fn delete(path: &Path) -> io::Result<()> {
    rustix::fs::unlink(path).map_err(|e| match e {
        Errno::ISDIR | Errno::PERM if path.is_dir() => win32(ERROR_ACCESS_DENIED),
        e => open_error(path, e),
    })
}

/// Reads at the file pointer (`ReadFile` on a disk file): `Ok(0)` at or past the end.
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Ok(n) => return Ok(n),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(io_error(fd, e)),
        }
    }
}

/// Writes all of `buf` at the file pointer (`WriteFile` on a disk file).
pub(crate) fn write(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match rustix::io::write(fd, &buf[done..]) {
            Ok(n) => done += n,
            Err(Errno::INTR) => continue,
            Err(e) => return Err(io_error(fd, e)),
        }
    }
    Ok(done)
}

fn io_error(fd: BorrowedFd<'_>, err: Errno) -> io::Error {
    match err {
        // EBADF on an open descriptor: the handle lacks this access.
        Errno::BADF if rustix::io::fcntl_getfd(fd).is_ok() => win32(ERROR_ACCESS_DENIED),
        e => from_os(e),
    }
}

/// The path the descriptor was opened at, if it still has one (`None` once deleted).
pub(crate) fn path_of(fd: BorrowedFd<'_>) -> Option<std::path::PathBuf> {
    let link = format!("/proc/self/fd/{}", super::handle::raw(fd.as_fd()));
    let target = rustix::fs::readlink(link.as_str(), Vec::new()).ok()?;
    let bytes = target.into_bytes();
    if bytes.ends_with(b" (deleted)") || bytes.first() != Some(&b'/') {
        return None;
    }
    Some(std::path::PathBuf::from(
        <std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(bytes),
    ))
}
