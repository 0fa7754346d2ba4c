//! Processes: handles to them, waiting for them, and starting children that inherit handles.
//!
//! Win32 children inherit exactly the handles marked inheritable, and only when the parent asks
//! for inheritance (`CreateProcess(…, bInheritHandles, …)`); an inherited handle has the same
//! value in the child. On `std::process::Command` the same is done with [`CommandExt`]:
//!
//! ```
//! use std::process::Command;
//! use w32ipc::object::AsHandleValue;
//! use w32ipc::process::CommandExt;
//!
//! let (reader, writer) = w32ipc::pipe::pipe()?;
//! // The child learns the value from its command line and can use the handle.
//! let child = Command::new("true")
//!     .arg(writer.handle_value().to_string())
//!     .inherit_handle(&writer)
//!     .spawn_process()?;
//! assert_eq!(child.wait()?, 0);
//! # drop(reader);
//! # Ok::<(), std::io::Error>(())
//! ```

mod builder;
mod cmdline;

pub use builder::ProcessBuilder;
pub use cmdline::{join_command_line, split_command_line};

use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::process::CommandExt as _;
use std::process::Command;
use std::time::Duration;

use crate::error::{ERROR_INVALID_HANDLE, win32};
use crate::object::{AsHandleValue, Handle, HandleValue, ObjectKind};
use crate::sys;

/// `STILL_ACTIVE`: what `GetExitCodeProcess` reports for a running process.
pub const STILL_ACTIVE: u32 = 259;

/// A handle to a process; closing it does not affect the process.
#[derive(Debug)]
pub struct Process {
    handle: Handle,
    pid: u32,
}

impl Process {
    /// Opens a handle to the process with id `pid` (`OpenProcess`).
    ///
    /// # Errors
    /// `ERROR_INVALID_PARAMETER` when no such process exists.
    #[doc(alias = "OpenProcess")]
    pub fn open(pid: u32) -> io::Result<Process> {
        Ok(Process {
            handle: Handle::from_fd(sys::process::open(pid)?),
            pid,
        })
    }

    /// Takes a handle known to be a process; fails with `ERROR_INVALID_HANDLE` otherwise.
    pub fn from_handle(handle: Handle) -> io::Result<Process> {
        if handle.kind()? != ObjectKind::Process {
            return Err(win32(ERROR_INVALID_HANDLE));
        }
        let pid = sys::process::pid_of(handle.fd()).unwrap_or(0);
        Ok(Process { handle, pid })
    }

    /// Borrows the process handle with value `value` without taking ownership; fails with
    /// `ERROR_INVALID_HANDLE` unless it is an open process handle.
    ///
    /// # Safety
    /// The handle must stay open while the returned value is in use.
    pub unsafe fn borrow_value(value: HandleValue) -> io::Result<ManuallyDrop<Process>> {
        // SAFETY: forwarded to the caller; the handle is only ever wrapped in ManuallyDrop.
        let handle = unsafe { Handle::borrow_value(value)? };
        if handle.kind()? != ObjectKind::Process {
            return Err(win32(ERROR_INVALID_HANDLE));
        }
        let pid = sys::process::pid_of(handle.fd()).unwrap_or(0);
        Ok(ManuallyDrop::new(Process {
            handle: ManuallyDrop::into_inner(handle),
            pid,
        }))
    }

    /// The generic handle.
    pub fn into_handle(self) -> Handle {
        self.handle
    }

    /// The process id (`GetProcessId`).
    #[doc(alias = "GetProcessId")]
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// The id of the calling process (`GetCurrentProcessId`).
    #[doc(alias = "GetCurrentProcessId")]
    pub fn current_id() -> u32 {
        std::process::id()
    }

    /// Waits for the process to end and returns its exit code
    /// (`WaitForSingleObject(h, INFINITE)` then `GetExitCodeProcess`).
    #[doc(alias = "WaitForSingleObject")]
    pub fn wait(&self) -> io::Result<u32> {
        sys::process::wait(self.handle.fd(), None)?;
        self.wait_for_code()
    }

    /// Waits at most `timeout`; `Ok(None)` if the process still runs then.
    pub fn wait_timeout(&self, timeout: Duration) -> io::Result<Option<u32>> {
        if !sys::process::wait(self.handle.fd(), Some(timeout))? {
            return Ok(None);
        }
        self.wait_for_code().map(Some)
    }

    fn wait_for_code(&self) -> io::Result<u32> {
        // The pidfd is readable as soon as the process exits; its status is there once it is
        // reaped, which for a child of ours `exit_code` does itself.
        loop {
            if let Some(code) = sys::process::exit_code(self.handle.fd())? {
                return Ok(code);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// The exit code, or `None` while the process runs (`GetExitCodeProcess`, which reports
    /// [`STILL_ACTIVE`] then).
    ///
    /// A process that called `exit(n)` reports `n` (Linux keeps 8 bits of it); one that
    /// [`terminate`](Self::terminate) ended reports the code given there, in the process that
    /// ended it; one killed by a signal reports the NTSTATUS Windows would
    /// (`0xC0000005` for `SIGSEGV`, …), or `128 + signal`.
    #[doc(alias = "GetExitCodeProcess")]
    pub fn exit_code(&self) -> io::Result<Option<u32>> {
        sys::process::exit_code(self.handle.fd())
    }

    /// Ends the process at once with `exit_code` (`TerminateProcess`).
    #[doc(alias = "TerminateProcess")]
    pub fn terminate(&self, exit_code: u32) -> io::Result<()> {
        sys::process::terminate(self.handle.fd(), exit_code)
    }

    /// Gives a duplicate of `handle` to this process and returns its value there
    /// (`DuplicateHandle` with this process as the target). The value is the process's to use;
    /// tell it the value (on a pipe, say), as a Win32 program would.
    ///
    /// The target must accept handles: every program using the C ABI does, and a Rust program
    /// does after [`accept_duplicated_handles`]. Both must belong to the same user.
    ///
    /// # Errors
    /// `ERROR_ACCESS_DENIED` when the process does not accept handles.
    #[doc(alias = "DuplicateHandle")]
    pub fn duplicate_handle_into(
        &self,
        handle: &Handle,
        inheritable: bool,
    ) -> io::Result<HandleValue> {
        if self.pid == std::process::id() {
            return Ok(handle.try_clone(inheritable)?.into_value());
        }
        sys::broker::send(self.pid, handle.fd(), inheritable).map(HandleValue::from_raw)
    }

    /// Closes this process's handle `value` (`DuplicateHandle` with `DUPLICATE_CLOSE_SOURCE`
    /// and this process as the source). The process must accept handles, as for
    /// [`duplicate_handle_into`](Self::duplicate_handle_into).
    pub fn close_handle_in(&self, value: HandleValue) -> io::Result<()> {
        sys::broker::close_in(self.pid, value.get())
    }

    /// A handle to the process's main thread (`PROCESS_INFORMATION.hThread`), which is
    /// signalled when that thread ends. Its id is the process id.
    pub fn open_main_thread(&self) -> io::Result<Handle> {
        crate::thread::open(self.pid)
    }

    /// Copies a handle out of this process into the calling one (`DuplicateHandle` with this
    /// process as the source). Both processes must belong to the same user.
    #[doc(alias = "DuplicateHandle")]
    pub fn duplicate_handle_from(
        &self,
        value: HandleValue,
        inheritable: bool,
    ) -> io::Result<Handle> {
        let fd = sys::handle::fd_of(value.get()).ok_or_else(|| win32(ERROR_INVALID_HANDLE))?;
        let h = Handle::from_fd(sys::process::take_fd(self.handle.fd(), fd)?);
        if inheritable {
            h.set_inheritable(true)?;
        }
        Ok(h)
    }
}

impl AsHandleValue for Process {
    fn handle_value(&self) -> HandleValue {
        self.handle.handle_value()
    }
}

impl AsFd for Process {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.handle.fd()
    }
}

/// Win32 handle inheritance for [`std::process::Command`].
///
/// Choosing handles for a `Command` takes a `pre_exec` hook, which makes the standard library
/// start the child with `fork` (its cost grows with the parent's memory) instead of
/// `posix_spawn`. [`ProcessBuilder`] has no such cost.
pub trait CommandExt {
    /// Lets the child inherit this handle, with the same value, whether or not the handle is
    /// marked inheritable. The handle must stay open until the child is spawned.
    fn inherit_handle<H: AsHandleValue + ?Sized>(&mut self, handle: &H) -> &mut Self;

    /// Starts the child with no handles but its standard input, output and error — also none
    /// that are marked inheritable (`CreateProcess` with `bInheritHandles = FALSE`). Handles
    /// named with [`inherit_handle`](Self::inherit_handle) still go.
    fn inherit_no_handles(&mut self) -> &mut Self;

    /// Spawns the child and returns a handle to it (`CreateProcess`'s `hProcess`).
    #[doc(alias = "CreateProcessW")]
    fn spawn_process(&mut self) -> io::Result<Process>;
}

impl CommandExt for Command {
    fn inherit_handle<H: AsHandleValue + ?Sized>(&mut self, handle: &H) -> &mut Self {
        let fd = sys::handle::fd_of(handle.handle_value().get());
        // SAFETY: the closure runs between fork and exec and only calls fcntl, which is
        // async-signal-safe; it allocates nothing.
        unsafe {
            self.pre_exec(move || match fd {
                Some(fd) => sys::process::inherit_in_child(fd),
                None => Ok(()),
            })
        }
    }

    fn inherit_no_handles(&mut self) -> &mut Self {
        // Registered before any `inherit_handle` closure that follows, which then re-enables
        // its own handle: pre_exec closures run in the order they were added.
        // SAFETY: the closure only makes the close_range syscall, which is async-signal-safe.
        unsafe { self.pre_exec(sys::process::cloexec_all_from_3) }
    }

    fn spawn_process(&mut self) -> io::Result<Process> {
        let child = self.spawn()?;
        let pid = child.id();
        // The child is not reaped until we say so, so its pid cannot be reused before the
        // pidfd holds it.
        let handle = Handle::from_fd(sys::process::open(pid)?);
        drop(child);
        Ok(Process { handle, pid })
    }
}

/// Lets other processes of the same user give this process handles
/// ([`Process::duplicate_handle_into`], `DuplicateHandle` in C): starts a small server thread,
/// once. Programs using the C ABI do this when the library loads.
pub fn accept_duplicated_handles() -> io::Result<()> {
    sys::broker::serve()
}

/// The id of the calling thread (`GetCurrentThreadId`); a process's main thread has the
/// process's id.
#[doc(alias = "GetCurrentThreadId")]
pub fn current_thread_id() -> u32 {
    sys::process::current_thread_id()
}

/// Prepares the process for Win32 programs: a write to a pipe whose readers are gone fails
/// with `ERROR_NO_DATA` instead of raising `SIGPIPE` (Rust programs already ignore it; the C
/// ABI calls this when it is loaded).
pub fn init_win32_process() {
    sys::process::ignore_sigpipe();
}
