//! Threads: `CreateThread`, `ExitThread`, `GetExitCodeThread`, `ResumeThread`, and thread
//! handles that waits see signalled when the thread ends.
//!
//! A thread runs on a plain pthread whose start routine is ours: it opens a handle to itself
//! (a thread pidfd), hands it to the creator, waits while suspended, then calls the program's
//! routine with nothing of Rust's left on its stack, so `ExitThread` (`pthread_exit`) may end
//! it from anywhere.

use std::ffi::c_void;
use std::io;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

use w32ipc::Handle;
use w32ipc::error::{ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, ERROR_NOT_SUPPORTED};
use w32ipc::process::STILL_ACTIVE;

use crate::handles::{borrow, give, is_current_thread};
use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::types::*;

/// `LPTHREAD_START_ROUTINE`.
pub type ThreadStart = unsafe extern "C-unwind" fn(*mut c_void) -> DWORD;

/// `CREATE_SUSPENDED`.
const CREATE_SUSPENDED: DWORD = 0x4;
/// `STACK_SIZE_PARAM_IS_A_RESERVATION`.
const STACK_SIZE_PARAM_IS_A_RESERVATION: DWORD = 0x0001_0000;

/// A suspended thread's gate: its suspend count, and the condition it waits on.
type Gate = Arc<(Mutex<u32>, Condvar)>;

/// The gates of threads started suspended, by thread id.
static GATES: Mutex<Vec<(u32, Gate)>> = Mutex::new(Vec::new());

struct Start {
    routine: ThreadStart,
    parameter: *mut c_void,
    gate: Option<Gate>,
    report: mpsc::Sender<io::Result<(Handle, u32)>>,
}

/// The thread's start routine. `C-unwind`: `ExitThread` ends a thread with `pthread_exit`,
/// whose forced unwind passes through this frame (which holds nothing to drop by then).
extern "C-unwind" fn trampoline(p: *mut c_void) -> *mut c_void {
    let (routine, parameter) = {
        // SAFETY: `p` is the Box<Start> that CreateThread leaked for this thread alone.
        let start = unsafe { Box::from_raw(p.cast::<Start>()) };
        let me = w32ipc::thread::current().map(|h| (h, w32ipc::process::current_thread_id()));
        let ok = me.is_ok();
        let _ = start.report.send(me);
        if !ok {
            return std::ptr::null_mut();
        }
        if let Some(gate) = &start.gate {
            let (count, cv) = &**gate;
            let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
            while *n > 0 {
                n = cv.wait(n).unwrap_or_else(|e| e.into_inner());
            }
        }
        (start.routine, start.parameter)
        // Everything of Rust's is dropped here, before the program's code runs.
    };
    // SAFETY: the program's thread routine, called as CreateThread was told to.
    let code = unsafe { routine(parameter) };
    let _ = w32ipc::thread::set_exit_code(code);
    std::ptr::null_mut()
}

/// `CreateThread`: starts `lpStartAddress(lpParameter)` on a new thread; returns its handle
/// and (through `lpThreadId`) its id. `CREATE_SUSPENDED` holds it until `ResumeThread`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateThread(
    lpThreadAttributes: *const SECURITY_ATTRIBUTES,
    dwStackSize: usize,
    lpStartAddress: Option<ThreadStart>,
    lpParameter: *mut c_void,
    dwCreationFlags: DWORD,
    lpThreadId: *mut DWORD,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        let r = create_thread(
            lpThreadAttributes,
            dwStackSize,
            lpStartAddress,
            lpParameter,
            dwCreationFlags,
        );
        match r {
            Ok((h, tid)) => {
                if !lpThreadId.is_null() {
                    // SAFETY: non-null out-pointer from the caller.
                    unsafe { *lpThreadId = tid };
                }
                give(h)
            }
            Err(e) => {
                set_from(&e);
                std::ptr::null_mut()
            }
        }
    })
}

fn create_thread(
    sa: *const SECURITY_ATTRIBUTES,
    stack: usize,
    start: Option<ThreadStart>,
    parameter: *mut c_void,
    flags: DWORD,
) -> io::Result<(Handle, u32)> {
    let Some(routine) = start else {
        return fail(ERROR_INVALID_PARAMETER);
    };
    if flags & !(CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION) != 0 {
        return fail(ERROR_INVALID_PARAMETER);
    }
    let gate: Option<Gate> =
        (flags & CREATE_SUSPENDED != 0).then(|| Arc::new((Mutex::new(1), Condvar::new())));
    let (tx, rx) = mpsc::channel();
    let start = Box::into_raw(Box::new(Start {
        routine,
        parameter,
        gate: gate.clone(),
        report: tx,
    }));
    // SAFETY: plain pthread calls on values we own; the attribute is destroyed after use.
    let rc = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        if stack > 0 {
            libc::pthread_attr_setstacksize(&mut attr, stack.max(libc::PTHREAD_STACK_MIN));
        }
        libc::pthread_attr_setdetachstate(&mut attr, libc::PTHREAD_CREATE_DETACHED);
        let mut thread: libc::pthread_t = 0;
        // The same calling convention; `C-unwind` only allows unwinding through it.
        let start_routine = std::mem::transmute::<
            extern "C-unwind" fn(*mut c_void) -> *mut c_void,
            extern "C" fn(*mut c_void) -> *mut c_void,
        >(trampoline);
        let rc = libc::pthread_create(&mut thread, &attr, start_routine, start.cast());
        libc::pthread_attr_destroy(&mut attr);
        rc
    };
    if rc != 0 {
        // SAFETY: the thread never started, so the Box is still ours.
        drop(unsafe { Box::from_raw(start) });
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
    let (handle, tid) = rx
        .recv()
        .map_err(|_| w32ipc::error::win32(ERROR_NOT_ENOUGH_MEMORY))??;
    if let Some(gate) = gate {
        GATES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((tid, gate));
    }
    // SAFETY: NULL or a SECURITY_ATTRIBUTES from the caller.
    if !sa.is_null() && unsafe { (*sa).bInheritHandle } != 0 {
        handle.set_inheritable(true)?;
    }
    Ok((handle, tid))
}

/// `ExitThread`: ends the calling thread with `dwExitCode` (`C-unwind`: `pthread_exit`
/// unwinds out of it).
#[unsafe(no_mangle)]
pub extern "C-unwind" fn ExitThread(dwExitCode: DWORD) -> ! {
    let _ = w32ipc::thread::set_exit_code(dwExitCode);
    // SAFETY: ends this thread; nothing of Rust's with a destructor is live in this frame.
    unsafe { libc::pthread_exit(std::ptr::null_mut()) }
}

/// `GetExitCodeThread`: the exit code, or `STILL_ACTIVE` while the thread runs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetExitCodeThread(hThread: HANDLE, lpExitCode: *mut DWORD) -> BOOL {
    boolean(|| {
        let code = if is_current_thread(hThread) {
            STILL_ACTIVE
        } else {
            w32ipc::thread::exit_code(&*borrow(hThread)?)?.unwrap_or(STILL_ACTIVE)
        };
        if lpExitCode.is_null() {
            return fail(w32ipc::error::ERROR_NOACCESS);
        }
        // SAFETY: non-null out-pointer from the caller.
        unsafe { *lpExitCode = code };
        Ok(())
    })
}

/// The suspend-count gate of a thread started with `CREATE_SUSPENDED`, by its handle.
fn gate_of(h: HANDLE) -> io::Result<Option<Gate>> {
    let handle = borrow(h)?;
    let tid = w32ipc::thread::id_of(&handle)?;
    Ok(GATES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(t, _)| *t == tid)
        .map(|(_, g)| g.clone()))
}

/// `ResumeThread`: lowers the suspend count of a thread started with `CREATE_SUSPENDED`,
/// letting it run at 0; returns the count before. A running thread reports 0.
#[unsafe(no_mangle)]
pub extern "C" fn ResumeThread(hThread: HANDLE) -> DWORD {
    guard(u32::MAX, || match gate_of(hThread) {
        Ok(Some(gate)) => {
            let (count, cv) = &*gate;
            let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
            let before = *n;
            if *n > 0 {
                *n -= 1;
                cv.notify_all();
            }
            before
        }
        Ok(None) => 0,
        Err(e) => {
            set_from(&e);
            u32::MAX
        }
    })
}

/// `SuspendThread`: raises the suspend count of a thread started with `CREATE_SUSPENDED` that
/// has not run yet; suspending a running thread is not provided (`ERROR_NOT_SUPPORTED`).
#[unsafe(no_mangle)]
pub extern "C" fn SuspendThread(hThread: HANDLE) -> DWORD {
    guard(u32::MAX, || match gate_of(hThread) {
        Ok(Some(gate)) => {
            let (count, _) = &*gate;
            let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
            if *n == 0 {
                SetLastError(ERROR_NOT_SUPPORTED);
                return u32::MAX;
            }
            *n += 1;
            *n - 1
        }
        Ok(None) => {
            SetLastError(ERROR_NOT_SUPPORTED);
            u32::MAX
        }
        Err(e) => {
            set_from(&e);
            u32::MAX
        }
    })
}

/// `GetThreadId`: the id of the thread behind a handle.
#[unsafe(no_mangle)]
pub extern "C" fn GetThreadId(Thread: HANDLE) -> DWORD {
    guard(0, || {
        if is_current_thread(Thread) {
            return w32ipc::process::current_thread_id();
        }
        match borrow(Thread).and_then(|h| w32ipc::thread::id_of(&h)) {
            Ok(id) => id,
            Err(e) => {
                set_from(&e);
                0
            }
        }
    })
}
