//! Starting a program the way `CreateProcess` does, with `posix_spawn` (no copy of the parent,
//! so the cost does not grow with the parent's size): the standard handles dup'ed into place,
//! every other descriptor either inherited as marked (`bInheritHandles`) or none at all
//! (`posix_spawn_file_actions_addclosefrom_np`), `SIGPIPE` back to its default.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::error::{ERROR_INVALID_PARAMETER, from_errno, win32};

/// What to start.
pub(crate) struct Spawn<'a> {
    pub(crate) program: &'a Path,
    pub(crate) argv: &'a [String],
    /// The whole environment, as `NAME=value` strings.
    pub(crate) env: &'a [Vec<u8>],
    pub(crate) cwd: Option<&'a Path>,
    /// Standard input, output, error; `None` keeps ours.
    pub(crate) std: [Option<BorrowedFd<'a>>; 3],
    pub(crate) inherit_handles: bool,
    pub(crate) new_process_group: bool,
}

fn cstring(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| win32(ERROR_INVALID_PARAMETER))
}

/// Errors from the `posix_spawn` family are returned, not set in `errno`.
fn check(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(win32(from_errno(rc)))
    }
}

/// Starts the program; returns its pid and a pidfd for it.
pub(crate) fn spawn(req: &Spawn<'_>) -> io::Result<(u32, OwnedFd)> {
    let program = cstring(req.program.as_os_str().as_bytes())?;
    let argv: Vec<CString> = req
        .argv
        .iter()
        .map(|a| cstring(OsStr::new(a).as_bytes()))
        .collect::<io::Result<_>>()?;
    let envp: Vec<CString> = req
        .env
        .iter()
        .map(|e| cstring(e))
        .collect::<io::Result<_>>()?;
    let cwd = req
        .cwd
        .map(|c| cstring(c.as_os_str().as_bytes()))
        .transpose()?;
    let mut argv_ptrs: Vec<*mut libc::c_char> =
        argv.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv_ptrs.push(std::ptr::null_mut());
    let mut env_ptrs: Vec<*mut libc::c_char> = envp.iter().map(|e| e.as_ptr().cast_mut()).collect();
    env_ptrs.push(std::ptr::null_mut());

    let mut actions = FileActions::new()?;
    for (target, fd) in req.std.iter().enumerate() {
        if let Some(fd) = fd {
            // SAFETY: `actions` is initialised; dup2 of an open descriptor onto 0..2 (glibc
            // clears close-on-exec when source and target are the same).
            check(unsafe {
                libc::posix_spawn_file_actions_adddup2(
                    &mut actions.0,
                    super::handle::raw(*fd),
                    target as libc::c_int,
                )
            })?;
        }
    }
    if !req.inherit_handles {
        // SAFETY: `actions` is initialised.
        check(unsafe { libc::posix_spawn_file_actions_addclosefrom_np(&mut actions.0, 3) })?;
    }
    if let Some(cwd) = &cwd {
        // SAFETY: `actions` is initialised; the path is NUL-terminated and outlives the spawn.
        check(unsafe { libc::posix_spawn_file_actions_addchdir_np(&mut actions.0, cwd.as_ptr()) })?;
    }
    let mut attr = Attributes::new()?;
    let mut flags = libc::POSIX_SPAWN_SETSIGDEF | libc::POSIX_SPAWN_SETSIGMASK;
    if req.new_process_group {
        flags |= libc::POSIX_SPAWN_SETPGROUP;
    }
    // SAFETY: `attr` is initialised; the signal sets are plain values filled by sigemptyset.
    unsafe {
        let mut def: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut def);
        libc::sigaddset(&mut def, libc::SIGPIPE);
        check(libc::posix_spawnattr_setsigdefault(&mut attr.0, &def))?;
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        check(libc::posix_spawnattr_setsigmask(&mut attr.0, &none))?;
        check(libc::posix_spawnattr_setpgroup(&mut attr.0, 0))?;
        check(libc::posix_spawnattr_setflags(
            &mut attr.0,
            flags as libc::c_short,
        ))?;
    }
    let mut pid: libc::pid_t = 0;
    // SAFETY: every pointer is valid and NUL-terminated for the duration of the call; the
    // argument and environment arrays end with NULL.
    check(unsafe {
        libc::posix_spawn(
            &mut pid,
            program.as_ptr(),
            &actions.0,
            &attr.0,
            argv_ptrs.as_ptr(),
            env_ptrs.as_ptr(),
        )
    })?;
    // The child is ours and unreaped, so its pid cannot be reused before we hold the pidfd.
    let pidfd = super::process::open(pid as u32)?;
    Ok((pid as u32, pidfd))
}

struct FileActions(libc::posix_spawn_file_actions_t);

impl FileActions {
    fn new() -> io::Result<FileActions> {
        // SAFETY: a zeroed value is what posix_spawn_file_actions_init initialises.
        let mut a = FileActions(unsafe { std::mem::zeroed() });
        // SAFETY: initialising a value we own.
        check(unsafe { libc::posix_spawn_file_actions_init(&mut a.0) })?;
        Ok(a)
    }
}

impl Drop for FileActions {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed once.
        unsafe { libc::posix_spawn_file_actions_destroy(&mut self.0) };
    }
}

struct Attributes(libc::posix_spawnattr_t);

impl Attributes {
    fn new() -> io::Result<Attributes> {
        // SAFETY: a zeroed value is what posix_spawnattr_init initialises.
        let mut a = Attributes(unsafe { std::mem::zeroed() });
        // SAFETY: initialising a value we own.
        check(unsafe { libc::posix_spawnattr_init(&mut a.0) })?;
        Ok(a)
    }
}

impl Drop for Attributes {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed once.
        unsafe { libc::posix_spawnattr_destroy(&mut self.0) };
    }
}
