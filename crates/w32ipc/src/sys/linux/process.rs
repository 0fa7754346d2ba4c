//! Processes as pidfds: open, wait, exit status, terminate, and taking a descriptor out of
//! another process (`pidfd_getfd`).

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::Mutex;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, poll};
use rustix::io::Errno;
use rustix::ioctl::{Updater, ioctl, opcode};
use rustix::process::{Pid, PidfdFlags, PidfdGetfdFlags, Signal, WaitId, WaitIdOptions};

use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, from_os, win32,
};

/// `struct pidfd_info` (Linux 6.13+, exit fields 6.15+).
#[repr(C)]
#[derive(Default)]
struct PidfdInfo {
    mask: u64,
    cgroupid: u64,
    pid: u32,
    tgid: u32,
    ppid: u32,
    ruid: u32,
    rgid: u32,
    euid: u32,
    egid: u32,
    suid: u32,
    sgid: u32,
    fsuid: u32,
    fsgid: u32,
    exit_code: i32,
    coredump_mask: u32,
    spare: u32,
}

const PIDFD_INFO_PID: u64 = 1 << 0;
const PIDFD_INFO_EXIT: u64 = 1 << 3;
const PIDFD_GET_INFO: rustix::ioctl::Opcode = opcode::read_write::<PidfdInfo>(0xFF, 11);

fn pidfd_info(fd: BorrowedFd<'_>, mask: u64) -> io::Result<PidfdInfo> {
    let mut info = PidfdInfo {
        mask,
        ..Default::default()
    };
    // SAFETY: PIDFD_GET_INFO takes a `struct pidfd_info`, which `PidfdInfo` lays out exactly.
    let res = unsafe { ioctl(fd, Updater::<PIDFD_GET_INFO, PidfdInfo>::new(&mut info)) };
    match res {
        Ok(()) => Ok(info),
        Err(e) => Err(from_os(e)),
    }
}

/// A pidfd for the process `pid` (`OpenProcess`).
pub(crate) fn open(pid: u32) -> io::Result<OwnedFd> {
    let pid = i32::try_from(pid)
        .ok()
        .and_then(Pid::from_raw)
        .ok_or_else(|| win32(ERROR_INVALID_PARAMETER))?;
    rustix::process::pidfd_open(pid, PidfdFlags::empty()).map_err(|e| match e {
        Errno::SRCH => win32(ERROR_INVALID_PARAMETER),
        e => from_os(e),
    })
}

/// A pidfd for thread `tid` of this process, which becomes readable when the thread exits.
pub(crate) fn open_thread(tid: u32) -> io::Result<OwnedFd> {
    let pid = i32::try_from(tid)
        .ok()
        .and_then(Pid::from_raw)
        .ok_or_else(|| win32(ERROR_INVALID_PARAMETER))?;
    rustix::process::pidfd_open(
        pid,
        PidfdFlags::from_bits_retain(rustix::fs::OFlags::EXCL.bits()),
    )
    .map_err(from_os)
}

/// The process id behind a pidfd, if the process is still known to the kernel.
pub(crate) fn pid_of(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let info = pidfd_info(fd, PIDFD_INFO_PID)?;
    if info.mask & PIDFD_INFO_PID != 0 {
        Ok(info.tgid)
    } else {
        Err(win32(ERROR_INVALID_HANDLE))
    }
}

/// The thread id behind a thread pidfd, while the kernel still knows the thread.
pub(crate) fn tid_of(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let info = pidfd_info(fd, PIDFD_INFO_PID)?;
    if info.mask & PIDFD_INFO_PID != 0 {
        Ok(info.pid)
    } else {
        Err(win32(ERROR_INVALID_HANDLE))
    }
}

/// Waits until the process (or thread) has ended; `None` waits forever. Returns whether it did.
pub(crate) fn wait(fd: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
    let ts = timeout.map(timespec);
    loop {
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match poll(&mut fds, ts.as_ref()) {
            Ok(0) => return Ok(false),
            Ok(_) => {
                if fds[0].revents().contains(PollFlags::NVAL) {
                    return Err(win32(ERROR_INVALID_HANDLE));
                }
                return Ok(true);
            }
            Err(Errno::INTR) => continue,
            Err(e) => return Err(from_os(e)),
        }
    }
}

fn timespec(d: Duration) -> rustix::event::Timespec {
    rustix::event::Timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: d.subsec_nanos() as _,
    }
}

/// Exit codes that `terminate` gave, by pid, so this process reports the code it asked for
/// (`TerminateProcess(h, code)`), as Windows does, rather than "killed by SIGKILL".
static TERMINATED: Mutex<Option<HashMap<u32, u32>>> = Mutex::new(None);

/// Ends the process at once (`TerminateProcess`).
pub(crate) fn terminate(fd: BorrowedFd<'_>, exit_code: u32) -> io::Result<()> {
    if let Ok(pid) = pid_of(fd) {
        TERMINATED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(HashMap::new)
            .insert(pid, exit_code);
    }
    match rustix::process::pidfd_send_signal(fd, Signal::KILL) {
        Ok(()) | Err(Errno::SRCH) => Ok(()),
        Err(Errno::PERM) => Err(win32(ERROR_ACCESS_DENIED)),
        Err(e) => Err(from_os(e)),
    }
}

/// The Win32 exit code for a Linux wait status: the exit status for a normal exit, and for a
/// death by signal the NTSTATUS a Windows process would have died with.
fn win32_exit_code(exited: Option<i32>, signal: Option<i32>) -> u32 {
    if let Some(code) = exited {
        return code as u32;
    }
    match signal.unwrap_or(0) {
        s if s == Signal::SEGV.as_raw() || s == Signal::BUS.as_raw() => 0xC000_0005,
        s if s == Signal::ILL.as_raw() => 0xC000_001D,
        s if s == Signal::FPE.as_raw() => 0xC000_0094,
        s if s == Signal::INT.as_raw() => 0xC000_013A,
        s if s == Signal::ABORT.as_raw() => 3,
        s => 128 + s as u32,
    }
}

/// The exit code of an ended process, or `None` while it runs (`GetExitCodeProcess`).
///
/// Reaps the process if it is this process's child and has ended: the pidfd keeps the exit
/// status (Linux 6.15+), so no zombie has to stay behind for later queries.
pub(crate) fn exit_code(fd: BorrowedFd<'_>) -> io::Result<Option<u32>> {
    let pid = pid_of(fd).ok();
    if !wait(fd, Some(Duration::ZERO))? {
        return Ok(None);
    }
    // Reap our own child (harmless ECHILD if it is not ours or already reaped).
    let reaped = rustix::process::waitid(
        WaitId::PidFd(fd),
        WaitIdOptions::EXITED | WaitIdOptions::NOHANG,
    );
    let (exited, signal) = match reaped {
        Ok(Some(status)) => (status.exit_status(), status.terminating_signal()),
        _ => {
            let info = pidfd_info(fd, PIDFD_INFO_EXIT)?;
            if info.mask & PIDFD_INFO_EXIT == 0 {
                // Ended but not yet reaped by its parent: no status to be had yet.
                return Ok(None);
            }
            let raw = info.exit_code;
            if raw & 0x7f == 0 {
                (Some((raw >> 8) & 0xff), None)
            } else {
                (None, Some(raw & 0x7f))
            }
        }
    };
    if let (Some(pid), Some(sig)) = (pid, signal)
        && sig == Signal::KILL.as_raw()
    {
        let map = TERMINATED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(code) = map.as_ref().and_then(|m| m.get(&pid)) {
            return Ok(Some(*code));
        }
    }
    Ok(Some(win32_exit_code(exited, signal)))
}

/// Whether thread `tid` (of any process) still runs.
pub(crate) fn thread_alive(tid: u32) -> bool {
    match open_thread(tid) {
        Ok(fd) => !wait(fd.as_fd(), Some(Duration::ZERO)).unwrap_or(true),
        Err(_) => false,
    }
}

/// Reaps the process if it is an ended child of ours; does nothing otherwise.
pub(crate) fn reap_if_ended(fd: BorrowedFd<'_>) {
    let _ = rustix::process::waitid(
        WaitId::PidFd(fd),
        WaitIdOptions::EXITED | WaitIdOptions::NOHANG,
    );
}

/// Copies descriptor `target` out of the process behind `pidfd` into this one
/// (`DuplicateHandle` from another process). Needs the same user (ptrace access).
pub(crate) fn take_fd(pidfd: BorrowedFd<'_>, target: RawFd) -> io::Result<OwnedFd> {
    rustix::process::pidfd_getfd(pidfd, target, PidfdGetfdFlags::empty()).map_err(|e| match e {
        Errno::BADF => win32(ERROR_INVALID_HANDLE),
        Errno::PERM | Errno::ACCESS => win32(ERROR_ACCESS_DENIED),
        e => from_os(e),
    })
}

/// Marks every descriptor from 3 up close-on-exec. Async-signal-safe: for use between `fork`
/// and `exec` of a child that must inherit no handles.
pub(crate) fn cloexec_all_from_3() -> io::Result<()> {
    const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only changes descriptor flags.
    let r = unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, CLOSE_RANGE_CLOEXEC) };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Clears close-on-exec on one descriptor. Async-signal-safe, for use between `fork` and
/// `exec`.
pub(crate) fn inherit_in_child(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl(F_SETFD) on a number only changes that descriptor's flags, if it is open.
    let r = unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The id of the calling thread (`GetCurrentThreadId`).
///
/// Cached per thread: the mutex fast paths ask for it on every acquire and release, and
/// `gettid` is a system call. A child made by `fork` forgets the cache (a `pthread_atfork`
/// handler); one made by a raw `clone` that bypasses the C library would keep a stale id.
pub(crate) fn current_thread_id() -> u32 {
    let cached = TID.with(std::cell::Cell::get);
    if cached != 0 {
        return cached;
    }
    forget_thread_id_after_fork();
    let tid = rustix::thread::gettid().as_raw_nonzero().get() as u32;
    TID.with(|t| t.set(tid));
    tid
}

/// The calling process's id (`GetCurrentProcessId`), cached: the message paths compare owners
/// with it on every send, and `getpid` is a system call. A `fork` child forgets the cache.
pub(crate) fn current_pid() -> u32 {
    let cached = PID.load(std::sync::atomic::Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    forget_thread_id_after_fork();
    let pid = std::process::id();
    PID.store(pid, std::sync::atomic::Ordering::Relaxed);
    pid
}

static PID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

thread_local! {
    /// This thread's id, once asked for (0: not yet).
    static TID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Registers, once, a handler that makes a `fork` child ask the kernel for its id again.
fn forget_thread_id_after_fork() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        extern "C" fn child() {
            // The forking thread is the child's only thread, with the parent's id cached. The
            // cell is const-initialised and has no destructor: nothing here allocates.
            TID.with(|t| t.set(0));
            PID.store(0, std::sync::atomic::Ordering::Relaxed);
        }
        // SAFETY: registers a handler that only clears a thread-local cell in the child.
        unsafe {
            libc::pthread_atfork(None, None, Some(child));
        }
    });
}

/// Suppresses `SIGPIPE` for the process: Win32 programs get `ERROR_NO_DATA` from a write to a
/// pipe without readers, never a signal.
pub(crate) fn ignore_sigpipe() {
    // SAFETY: setting SIGPIPE to SIG_IGN installs no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// The CPU the calling thread runs on now.
pub(crate) fn current_cpu() -> u32 {
    rustix::thread::sched_getcpu() as u32
}

/// Whether more than one CPU is online (spinning for another thread can pay off only then).
pub(crate) fn many_cpus() -> bool {
    static MANY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *MANY.get_or_init(|| super::mapping::processor_count() > 1)
}
