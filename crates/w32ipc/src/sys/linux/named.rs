//! Named kernel objects as files on tmpfs, with NT's lifetime: a name lives exactly while a
//! handle to its object is open in some process, and goes with the last handle — also when
//! every holder was killed.
//!
//! Each object is a file in a namespace directory of the session root. Every open descriptor of
//! it holds a shared `flock`, and the lock belongs to the open file description, so it lives on
//! in children that inherited the handle and dies with the last process holding it, however that
//! process ended. Whoever closes a handle then tries an exclusive lock through a fresh
//! descriptor: success means no handle is left anywhere, and it unlinks the name. An opener
//! that finds a file nobody holds (all holders were SIGKILLed) removes it the same way and
//! carries on as if it were not there. An opener that raced with an unlink sees `st_nlink == 0`
//! once it holds its lock, and starts again. A creator initialises the file unnamed
//! (`O_TMPFILE`) and takes its lock before it links the name, so no one ever sees a half-made or
//! unlocked object.
//!
//! One window is left open by Linux itself: a process being started (`fork`/`posix_spawn`)
//! holds a copy of every descriptor of its parent until it calls `exec`, and with them the
//! locks. A last close that falls in that window (typically well under a millisecond, in a
//! process that is starting a child on another thread) leaves the name in place; the next
//! opener after the `exec` finds nobody holding it and removes it.
//!
//! The file starts with a header naming the object's kind and its full name, so a process that
//! inherited a descriptor can tell what it holds, and `w32ipc ls` can list the session.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustix::fs::{AtFlags, FlockOperation, Mode, OFlags};
use rustix::io::Errno;

use crate::error::{ERROR_INVALID_HANDLE, from_os, win32};
use crate::object::ObjectKind;
use crate::object::name::Namespace;

/// The header every object file starts with: magic, kind, name. It fills the first page, so a
/// mapping's data starts page-aligned right after it.
pub(crate) const HEADER_LEN: u64 = 4096;
/// Where a sync object's shared state lives, inside the header page (after the name).
pub(crate) const STATE_OFFSET: u64 = 2048;
const MAGIC: &[u8; 8] = b"W32IPC\x00\x01";
const NAME_AT: usize = 16;
/// Names are stored up to this many bytes (a 259-unit UTF-16 name is at most 777 UTF-8 bytes).
const NAME_MAX: usize = STATE_OFFSET as usize - NAME_AT;

fn kind_code(kind: ObjectKind) -> u32 {
    match kind {
        ObjectKind::Event => 1,
        ObjectKind::Mutex => 2,
        ObjectKind::Semaphore => 3,
        ObjectKind::Mapping => 4,
        ObjectKind::NamedPipe => 5,
        ObjectKind::Test => 0x7e57,
        _ => 0,
    }
}

fn kind_from_code(code: u32) -> Option<ObjectKind> {
    Some(match code {
        1 => ObjectKind::Event,
        2 => ObjectKind::Mutex,
        3 => ObjectKind::Semaphore,
        4 => ObjectKind::Mapping,
        5 => ObjectKind::NamedPipe,
        0x7e57 => ObjectKind::Test,
        _ => return None,
    })
}

/// The header of an object file: kind and full name.
fn header(kind: ObjectKind, name: &str) -> Vec<u8> {
    let mut h = vec![0u8; STATE_OFFSET as usize];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&kind_code(kind).to_le_bytes());
    let name = name.as_bytes();
    let n = name.len().min(NAME_MAX);
    h[12..16].copy_from_slice(&(n as u32).to_le_bytes());
    h[NAME_AT..NAME_AT + n].copy_from_slice(&name[..n]);
    h
}

/// The kind of a named-object file, or `None` for an ordinary file.
pub(crate) fn kind_of_file(fd: BorrowedFd<'_>) -> io::Result<Option<ObjectKind>> {
    let mut buf = [0u8; 12];
    match rustix::io::pread(fd, &mut buf, 0) {
        Ok(12) if &buf[..8] == MAGIC => Ok(kind_from_code(u32::from_le_bytes(
            buf[8..12].try_into().expect("4 bytes"),
        ))),
        _ => Ok(None),
    }
}

/// The full name stored in an object file's header.
pub(crate) fn name_of_file(fd: BorrowedFd<'_>) -> io::Result<String> {
    let mut buf = vec![0u8; STATE_OFFSET as usize];
    let n = rustix::io::pread(fd, &mut buf, 0).map_err(from_os)?;
    if n < NAME_AT || &buf[..8] != MAGIC {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    let len =
        (u32::from_le_bytes(buf[12..16].try_into().expect("4 bytes")) as usize).min(n - NAME_AT);
    Ok(String::from_utf8_lossy(&buf[NAME_AT..NAME_AT + len]).into_owned())
}

/// The session root: `$W32IPC_ROOT`, else `$XDG_RUNTIME_DIR/w32ipc`, else
/// `/dev/shm/w32ipc-<uid>`. Read once per process.
pub(crate) fn session_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        if let Some(dir) = std::env::var_os("W32IPC_ROOT").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir).join("w32ipc");
        }
        PathBuf::from(format!(
            "/dev/shm/w32ipc-{}",
            rustix::process::getuid().as_raw()
        ))
    })
}

/// The directory of a namespace (`local`, `global`, `pipe`), created on first use. The
/// machine-wide `Global` namespace is shared by all users unless `W32IPC_ROOT` isolates it.
pub(crate) fn namespace_dir(ns: Option<Namespace>) -> io::Result<&'static OwnedFd> {
    static DIRS: [OnceLock<OwnedFd>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (slot, path, mode) = match ns {
        Some(Namespace::Local) => (&DIRS[0], session_root().join("local"), 0o700),
        Some(Namespace::Global) => {
            match std::env::var_os("W32IPC_ROOT").filter(|d| !d.is_empty()) {
                Some(_) => (&DIRS[1], session_root().join("global"), 0o700),
                None => (&DIRS[1], PathBuf::from("/dev/shm/w32ipc-global"), 0o1777),
            }
        }
        None => (&DIRS[2], session_root().join("pipe"), 0o700),
    };
    if let Some(fd) = slot.get() {
        return Ok(fd);
    }
    let fd = open_dir(&path, mode)?;
    Ok(slot.get_or_init(|| fd))
}

fn open_dir(path: &Path, mode: u32) -> io::Result<OwnedFd> {
    if path.starts_with(session_root()) {
        make_dir(session_root(), 0o700)?;
    }
    make_dir(path, mode)?;
    rustix::fs::open(
        path,
        OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(from_os)
}

fn make_dir(path: &Path, mode: u32) -> io::Result<()> {
    match rustix::fs::mkdir(path, Mode::from_raw_mode(mode)) {
        Ok(()) => {
            // mkdir's mode is filtered by the umask; the namespace needs exactly this one.
            rustix::fs::chmod(path, Mode::from_raw_mode(mode)).map_err(from_os)
        }
        Err(Errno::EXIST) => Ok(()),
        Err(Errno::NOENT) => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            make_dir(path, mode)
        }
        Err(e) => Err(from_os(e)),
    }
}

/// Opens the object file `file` in `dir`, holding its shared lock. `Ok(None)` when no live
/// object has that name (stale files left by killed holders are removed on the way).
pub(crate) fn open(dir: BorrowedFd<'_>, file: &str, writable: bool) -> io::Result<Option<OwnedFd>> {
    let access = if writable {
        OFlags::RDWR
    } else {
        OFlags::RDONLY
    };
    loop {
        let fd = match rustix::fs::openat(
            dir,
            file,
            access | OFlags::CLOEXEC | OFlags::NOFOLLOW,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(from_os(e)),
        };
        match rustix::fs::flock(&fd, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {
                // Nobody holds it: every holder is gone. Remove the name, if it is still this
                // file's, and report it missing.
                unlink_if_same(dir, file, fd.as_fd());
                return Ok(None);
            }
            Err(Errno::WOULDBLOCK) => {}
            Err(e) => return Err(from_os(e)),
        }
        lock_shared(fd.as_fd())?;
        if rustix::fs::fstat(&fd).map_err(from_os)?.st_nlink > 0 {
            return Ok(Some(fd));
        }
        // The last holder closed (and unlinked) between our open and our lock: start again.
    }
}

fn lock_shared(fd: BorrowedFd<'_>) -> io::Result<()> {
    loop {
        match rustix::fs::flock(fd, FlockOperation::LockShared) {
            Ok(()) => return Ok(()),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(from_os(e)),
        }
    }
}

/// Removes the name `file` of the object `fd`, on which the caller holds the exclusive lock.
///
/// Every remover holds that lock while it unlinks, and a name is only ever linked to a file
/// when it is free (`linkat` fails otherwise). So, under the lock, a link count of 1 means the
/// name is this file's and stays so until the unlink; a count of 0 means another remover got
/// there first — and the name may already belong to a new object, which must not be touched.
fn unlink_if_same(dir: BorrowedFd<'_>, file: &str, fd: BorrowedFd<'_>) {
    if rustix::fs::fstat(fd).is_ok_and(|st| st.st_nlink > 0) {
        let _ = rustix::fs::unlinkat(dir, file, AtFlags::empty());
    }
}

/// Creates the object file `file` in `dir` unless a live one exists. `init` writes the
/// object's initial state after the header; it runs before the name becomes visible. Returns the
/// locked descriptor and whether it was created (`false`: opened, `ERROR_ALREADY_EXISTS`).
pub(crate) fn create_or_open(
    dir: BorrowedFd<'_>,
    file: &str,
    kind: ObjectKind,
    full_name: &str,
    init: &mut dyn FnMut(BorrowedFd<'_>) -> io::Result<()>,
) -> io::Result<(OwnedFd, bool)> {
    loop {
        if let Some(fd) = open(dir, file, true)? {
            return Ok((fd, false));
        }
        let fd = create_unnamed(dir, kind, full_name)?;
        init(fd.as_fd())?;
        lock_shared(fd.as_fd())?;
        let proc_path = format!("/proc/self/fd/{}", super::handle::raw(fd.as_fd()));
        match rustix::fs::linkat(
            rustix::fs::CWD,
            proc_path.as_str(),
            dir,
            file,
            AtFlags::SYMLINK_FOLLOW,
        ) {
            Ok(()) => return Ok((fd, true)),
            // Someone else published first: open theirs.
            Err(Errno::EXIST) => continue,
            Err(e) => return Err(from_os(e)),
        }
    }
}

/// A new handle (its own open file description, holding its own lock) to the object file
/// behind `fd`.
pub(crate) fn reopen_locked(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let path = format!("/proc/self/fd/{}", super::handle::raw(fd));
    let new = rustix::fs::open(path.as_str(), OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
        .map_err(from_os)?;
    lock_shared(new.as_fd())?;
    Ok(new)
}

/// A new description of the object file behind `fd`, holding no lock (for looking at the
/// locks others hold).
pub(crate) fn reopen_unlocked(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let path = format!("/proc/self/fd/{}", super::handle::raw(fd));
    rustix::fs::open(
        path.as_str(),
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(from_os)
}

/// A fresh, unlinked object file with its header (also what an unnamed object is).
pub(crate) fn create_unnamed(
    dir: BorrowedFd<'_>,
    kind: ObjectKind,
    full_name: &str,
) -> io::Result<OwnedFd> {
    let fd = rustix::fs::openat(
        dir,
        ".",
        OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .map_err(from_os)?;
    rustix::fs::ftruncate(&fd, HEADER_LEN).map_err(from_os)?;
    let h = header(kind, full_name);
    let mut done = 0;
    while done < h.len() {
        done += rustix::io::pwrite(&fd, &h[done..], done as u64).map_err(from_os)?;
    }
    Ok(fd)
}

/// Closes a handle to the object file called `full_name` (from its header; `""` for an
/// unnamed object) and, if it was the last handle anywhere, removes the name.
pub(crate) fn close(fd: OwnedFd, st: &rustix::fs::Stat, full_name: &str) {
    let place = if let Some(rest) = full_name.strip_prefix("Local\\") {
        Some((Some(Namespace::Local), rest))
    } else if let Some(rest) = full_name.strip_prefix("Global\\") {
        Some((Some(Namespace::Global), rest))
    } else {
        full_name
            .strip_prefix(r"\\.\pipe\")
            .map(|rest| (None, rest))
    };
    drop(fd);
    let Some((ns, name)) = place else { return };
    if st.st_nlink == 0 {
        return;
    }
    let Ok(dir) = namespace_dir(ns) else {
        return;
    };
    let file = crate::object::name::file_name_for(name);
    let Ok(again) = rustix::fs::openat(
        dir,
        file.as_str(),
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    ) else {
        return;
    };
    let Ok(now) = rustix::fs::fstat(&again) else {
        return;
    };
    if now.st_ino != st.st_ino || now.st_dev != st.st_dev {
        return;
    }
    if rustix::fs::flock(&again, FlockOperation::NonBlockingLockExclusive).is_ok() {
        unlink_if_same(dir.as_fd(), &file, again.as_fd());
    }
}

/// One named object found in a namespace directory.
pub(crate) struct Listed {
    pub(crate) kind: ObjectKind,
    pub(crate) name: String,
    pub(crate) size: u64,
    pub(crate) holders: Vec<u32>,
}

/// The live named objects of a namespace. Stale files (every holder gone) are removed on the
/// way, as an opener would.
pub(crate) fn list(ns: Option<Namespace>) -> io::Result<Vec<Listed>> {
    let dir = namespace_dir(ns)?;
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/self/fd/{}", super::handle::raw(dir.as_fd())))? {
        let entry = entry?;
        let Some(file) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        // Opening takes a shared lock, which would count us as a holder: look without one.
        let Ok(fd) = rustix::fs::openat(
            dir,
            file.as_str(),
            OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
            Mode::empty(),
        ) else {
            continue;
        };
        let Ok(Some(kind)) = kind_of_file(fd.as_fd()) else {
            continue;
        };
        if rustix::fs::flock(&fd, FlockOperation::NonBlockingLockExclusive).is_ok() {
            unlink_if_same(dir.as_fd(), &file, fd.as_fd());
            continue;
        }
        let (Ok(st), Ok(name)) = (rustix::fs::fstat(&fd), name_of_file(fd.as_fd())) else {
            continue;
        };
        let holders = flock_holders(&locks, st.st_ino);
        out.push(Listed {
            kind,
            name,
            size: (st.st_size as u64).saturating_sub(HEADER_LEN),
            holders,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The pids holding `flock`s on inode `ino`, from `/proc/locks`.
fn flock_holders(locks: &str, ino: u64) -> Vec<u32> {
    let mut pids: Vec<u32> = locks
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // "1: FLOCK  ADVISORY  READ 1234 00:1f:5678 0 EOF"
            let i = f.iter().position(|w| *w == "FLOCK")?;
            let pid = f.get(i + 3)?.parse().ok()?;
            let dev_ino = f.get(i + 4)?;
            (dev_ino.rsplit(':').next()?.parse::<u64>().ok()? == ino).then_some(pid)
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    pids
}
