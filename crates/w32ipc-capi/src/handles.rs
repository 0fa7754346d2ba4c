//! Handles: `CloseHandle`, `DuplicateHandle`, `Get/SetHandleInformation`, `GetStdHandle`,
//! `SetStdHandle` and the pseudo-handles.

use std::collections::HashSet;
use std::mem::ManuallyDrop;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use w32ipc::error::{ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER};
use w32ipc::process::Process;
use w32ipc::{Handle, HandleValue};

use crate::last_error::{boolean, fail, guard};
use crate::types::*;

/// `HANDLE_FLAG_INHERIT`.
pub const HANDLE_FLAG_INHERIT: DWORD = 1;
/// `HANDLE_FLAG_PROTECT_FROM_CLOSE`.
pub const HANDLE_FLAG_PROTECT_FROM_CLOSE: DWORD = 2;
/// `DUPLICATE_CLOSE_SOURCE`.
pub const DUPLICATE_CLOSE_SOURCE: DWORD = 1;
/// `DUPLICATE_SAME_ACCESS`.
pub const DUPLICATE_SAME_ACCESS: DWORD = 2;

/// Whether `h` is `GetCurrentProcess()`.
pub fn is_current_process(h: HANDLE) -> bool {
    h == INVALID_HANDLE_VALUE
}

/// Whether `h` is `GetCurrentThread()`.
pub fn is_current_thread(h: HANDLE) -> bool {
    h == CURRENT_THREAD
}

/// The handle value of `h` (the pointer as an integer).
pub fn value(h: HANDLE) -> HandleValue {
    HandleValue::from_raw(h as usize)
}

/// The C handle for a value.
pub fn to_handle(v: HandleValue) -> HANDLE {
    v.get() as HANDLE
}

/// Borrows the object behind a C handle (`ERROR_INVALID_HANDLE` if none).
pub fn borrow(h: HANDLE) -> std::io::Result<ManuallyDrop<Handle>> {
    // SAFETY: the Win32 program keeps its handle open while it passes it to us; closing a
    // handle that another thread is still using is a bug on Windows too.
    unsafe { Handle::borrow_value(value(h)) }
}

/// Gives a Rust-owned handle to C.
pub fn give(h: Handle) -> HANDLE {
    to_handle(h.into_value())
}

/// Handles with `HANDLE_FLAG_PROTECT_FROM_CLOSE`, by value. A flag of the handle, not of the
/// object: duplicates and children do not get it.
static PROTECTED: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

fn protected() -> std::sync::MutexGuard<'static, Option<HashSet<usize>>> {
    PROTECTED.lock().unwrap_or_else(|e| e.into_inner())
}

fn is_protected(h: HANDLE) -> bool {
    protected()
        .as_ref()
        .is_some_and(|set| set.contains(&(h as usize)))
}

/// Closes an open object handle (`CloseHandle`). Closing a pseudo-handle does nothing and
/// succeeds, as on Windows; a handle protected from close fails with `ERROR_INVALID_HANDLE`
/// and stays open.
#[unsafe(no_mangle)]
pub extern "C" fn CloseHandle(hObject: HANDLE) -> BOOL {
    boolean(|| {
        if is_current_process(hObject) || is_current_thread(hObject) {
            return Ok(());
        }
        borrow(hObject)?;
        if is_protected(hObject) {
            return fail(ERROR_INVALID_HANDLE);
        }
        // Closing a handle ends the overlapped operations pending on it (ERROR_OPERATION_ABORTED),
        // as on Windows; they also hold the pipe end, which would otherwise outlive the handle.
        crate::overlapped::cancel_all(hObject);
        // SAFETY: the program gives up this handle; it owns it.
        let h = unsafe { Handle::from_inherited(value(hObject))? };
        drop(h);
        Ok(())
    })
}

/// `GetHandleInformation`: `HANDLE_FLAG_INHERIT` when inheritable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetHandleInformation(hObject: HANDLE, lpdwFlags: *mut DWORD) -> BOOL {
    boolean(|| {
        let h = borrow(hObject)?;
        let mut flags = if h.is_inheritable()? {
            HANDLE_FLAG_INHERIT
        } else {
            0
        };
        if is_protected(hObject) {
            flags |= HANDLE_FLAG_PROTECT_FROM_CLOSE;
        }
        if lpdwFlags.is_null() {
            return Ok(());
        }
        // SAFETY: non-null out-pointer from the caller.
        unsafe { *lpdwFlags = flags };
        Ok(())
    })
}

/// `SetHandleInformation`: sets or clears `HANDLE_FLAG_INHERIT` and
/// `HANDLE_FLAG_PROTECT_FROM_CLOSE` where `dwMask` says so; other bits are ignored, as on
/// Windows.
#[unsafe(no_mangle)]
pub extern "C" fn SetHandleInformation(hObject: HANDLE, dwMask: DWORD, dwFlags: DWORD) -> BOOL {
    boolean(|| {
        let h = borrow(hObject)?;
        if dwMask & HANDLE_FLAG_PROTECT_FROM_CLOSE != 0 {
            let mut set = protected();
            let set = set.get_or_insert_with(HashSet::new);
            if dwFlags & HANDLE_FLAG_PROTECT_FROM_CLOSE != 0 {
                set.insert(hObject as usize);
            } else {
                set.remove(&(hObject as usize));
            }
        }
        if dwMask & HANDLE_FLAG_INHERIT != 0 {
            h.set_inheritable(dwFlags & HANDLE_FLAG_INHERIT != 0)?;
        }
        Ok(())
    })
}

/// `DuplicateHandle`: within this process, from another process into this one, from this one
/// into another, or between two others — all processes of the same user. A process receives
/// handles through the server every program using this library runs (see
/// `w32ipc::process::accept_duplicated_handles`); `DUPLICATE_CLOSE_SOURCE` closes the source
/// handle in its own process, wherever that is.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn DuplicateHandle(
    hSourceProcessHandle: HANDLE,
    hSourceHandle: HANDLE,
    hTargetProcessHandle: HANDLE,
    lpTargetHandle: *mut HANDLE,
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    dwOptions: DWORD,
) -> BOOL {
    boolean(|| {
        if dwOptions & !(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS) != 0 {
            return fail(ERROR_INVALID_PARAMETER);
        }
        if !lpTargetHandle.is_null() {
            // SAFETY: non-null out-pointer from the caller.
            unsafe { *lpTargetHandle = std::ptr::null_mut() };
        }
        let inherit = bInheritHandle != 0;
        let source = (!is_current_process(hSourceProcessHandle))
            .then(|| borrow_process(hSourceProcessHandle))
            .transpose()?
            .filter(|p| p.id() != std::process::id());
        let target = (!is_current_process(hTargetProcessHandle))
            .then(|| borrow_process(hTargetProcessHandle))
            .transpose()?
            .filter(|p| p.id() != std::process::id());
        // A handle to the source object in this process (owned when it had to be made).
        let here: Handle = match &source {
            None if is_current_thread(hSourceHandle) => w32ipc::thread::current()?,
            None if is_current_process(hSourceHandle) => {
                Process::open(std::process::id())?.into_handle()
            }
            None if dwOptions & DUPLICATE_SAME_ACCESS == 0 => w32ipc::sync::duplicate_with_access(
                &*borrow(hSourceHandle)?,
                dwDesiredAccess,
                inherit,
            )?,
            None => borrow(hSourceHandle)?.try_clone(inherit)?,
            Some(p) => p.duplicate_handle_from(value(hSourceHandle), inherit)?,
        };
        let result = match &target {
            None => give(here),
            Some(p) => to_handle(p.duplicate_handle_into(&here, inherit)?),
        };
        if dwOptions & DUPLICATE_CLOSE_SOURCE != 0 {
            match &source {
                // A protected source stays open (and the call still succeeds), as on Windows.
                None if !is_protected(hSourceHandle) => {
                    CloseHandle(hSourceHandle);
                }
                None => {}
                Some(p) => p.close_handle_in(value(hSourceHandle))?,
            }
        }
        if lpTargetHandle.is_null() {
            if target.is_none() {
                CloseHandle(result);
            }
        } else {
            // SAFETY: non-null out-pointer from the caller.
            unsafe { *lpTargetHandle = result };
        }
        Ok(())
    })
}

/// Borrows a process handle (`ERROR_INVALID_HANDLE` unless `h` is one).
pub fn borrow_process(h: HANDLE) -> std::io::Result<ManuallyDrop<Process>> {
    // SAFETY: as for `borrow`.
    unsafe { Process::borrow_value(value(h)) }
}

/// `GetCurrentProcess`: the pseudo-handle `(HANDLE)-1`.
#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentProcess() -> HANDLE {
    INVALID_HANDLE_VALUE
}

/// `GetCurrentThread`: the pseudo-handle `(HANDLE)-2`.
#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentThread() -> HANDLE {
    CURRENT_THREAD
}

/// `STD_INPUT_HANDLE`.
pub const STD_INPUT_HANDLE: DWORD = -10i32 as DWORD;
/// `STD_OUTPUT_HANDLE`.
pub const STD_OUTPUT_HANDLE: DWORD = -11i32 as DWORD;
/// `STD_ERROR_HANDLE`.
pub const STD_ERROR_HANDLE: DWORD = -12i32 as DWORD;

/// The standard handles as `SetStdHandle` left them; 0 means "descriptor 0/1/2".
static STD_HANDLES: [AtomicUsize; 3] = [
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
];

fn std_slot(n: DWORD) -> Option<usize> {
    match n {
        STD_INPUT_HANDLE => Some(0),
        STD_OUTPUT_HANDLE => Some(1),
        STD_ERROR_HANDLE => Some(2),
        _ => None,
    }
}

/// The current standard handle `slot` (0 = input, 1 = output, 2 = error).
pub fn std_handle(slot: usize) -> HANDLE {
    match STD_HANDLES[slot].load(Ordering::Acquire) {
        0 => ((slot + 1) * 4) as HANDLE,
        v => v as HANDLE,
    }
}

/// `GetStdHandle`: the process's standard input, output or error handle.
#[unsafe(no_mangle)]
pub extern "C" fn GetStdHandle(nStdHandle: DWORD) -> HANDLE {
    guard(INVALID_HANDLE_VALUE, || match std_slot(nStdHandle) {
        Some(slot) => std_handle(slot),
        None => {
            crate::last_error::SetLastError(ERROR_INVALID_HANDLE);
            INVALID_HANDLE_VALUE
        }
    })
}

/// `SetStdHandle`: what `GetStdHandle` returns from now on, and what children started without
/// `STARTF_USESTDHANDLES` get as their standard handles.
#[unsafe(no_mangle)]
pub extern "C" fn SetStdHandle(nStdHandle: DWORD, hHandle: HANDLE) -> BOOL {
    boolean(|| {
        let slot =
            std_slot(nStdHandle).ok_or_else(|| w32ipc::error::win32(ERROR_INVALID_HANDLE))?;
        STD_HANDLES[slot].store(hHandle as usize, Ordering::Release);
        Ok(())
    })
}
