//! Events, mutexes and semaphores: `CreateEvent`, `OpenEvent`, `SetEvent`, `ResetEvent`,
//! `PulseEvent`, `CreateMutex`, `OpenMutex`, `ReleaseMutex`, `CreateSemaphore`,
//! `OpenSemaphore`, `ReleaseSemaphore`, `SignalObjectAndWait`.

use std::ffi::c_char;
use std::io;

use w32ipc::Handle;
use w32ipc::ObjectKind;
use w32ipc::error::{ERROR_ALREADY_EXISTS, ERROR_INVALID_PARAMETER};
use w32ipc::sync::{Event, Mutex, Semaphore, WaitOutcome, Waitable, signal_and_wait};

use crate::handles::{borrow, give, value};
use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::strings::{from_a, from_w};
use crate::types::*;
use crate::wait::{WAIT_ABANDONED, WAIT_FAILED, WAIT_OBJECT_0, WAIT_TIMEOUT, timeout};

fn inherit(sa: *const SECURITY_ATTRIBUTES) -> bool {
    // SAFETY: NULL or a SECURITY_ATTRIBUTES from the caller.
    !sa.is_null() && unsafe { (*sa).bInheritHandle } != 0
}

/// Finishes a create: the handle, with the last error `ERROR_ALREADY_EXISTS` when the name was
/// taken and 0 otherwise (as Windows sets it), or `NULL` with the error.
fn created(r: io::Result<(Handle, bool)>, inheritable: bool) -> HANDLE {
    match r.and_then(|(h, existed)| {
        h.set_inheritable(inheritable)?;
        Ok((h, existed))
    }) {
        Ok((h, existed)) => {
            SetLastError(if existed { ERROR_ALREADY_EXISTS } else { 0 });
            give(h)
        }
        Err(e) => {
            set_from(&e);
            std::ptr::null_mut()
        }
    }
}

/// Finishes an open: `NULL` name is `ERROR_INVALID_PARAMETER`.
fn opened(
    name: Option<String>,
    inheritable: bool,
    open: impl FnOnce(&str) -> io::Result<Handle>,
) -> HANDLE {
    let r = match name {
        None => fail(ERROR_INVALID_PARAMETER),
        Some(n) => open(&n).and_then(|h| {
            h.set_inheritable(inheritable)?;
            Ok(h)
        }),
    };
    match r {
        Ok(h) => give(h),
        Err(e) => {
            set_from(&e);
            std::ptr::null_mut()
        }
    }
}

/// `Open{Event,Mutex,Semaphore}{A,W}`: the named object with the rights `mask` asks for.
fn open_sync(kind: ObjectKind, mask: DWORD, inherit: BOOL, name: Option<String>) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        opened(name, inherit != 0, |n| {
            w32ipc::sync::open_with_mask(kind, n, mask)
        })
    })
}

fn create_event(
    sa: *const SECURITY_ATTRIBUTES,
    manual: BOOL,
    initial: BOOL,
    name: Option<String>,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        let r = Event::create(name.as_deref(), manual != 0, initial != 0)
            .map(|e| (e.existed(), e.into_handle()))
            .map(|(x, h)| (h, x));
        created(r, inherit(sa))
    })
}

/// `CreateEventA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateEventA(
    lpEventAttributes: *const SECURITY_ATTRIBUTES,
    bManualReset: BOOL,
    bInitialState: BOOL,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_a(lpName) };
    create_event(lpEventAttributes, bManualReset, bInitialState, name)
}

/// `CreateEventW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateEventW(
    lpEventAttributes: *const SECURITY_ATTRIBUTES,
    bManualReset: BOOL,
    bInitialState: BOOL,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_w(lpName) };
    create_event(lpEventAttributes, bManualReset, bInitialState, name)
}

/// `OpenEventA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenEventA(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_a(lpName) };
    open_sync(ObjectKind::Event, dwDesiredAccess, bInheritHandle, name)
}

/// `OpenEventW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenEventW(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_w(lpName) };
    open_sync(ObjectKind::Event, dwDesiredAccess, bInheritHandle, name)
}

fn with_event(h: HANDLE, f: impl FnOnce(&Event) -> io::Result<()>) -> BOOL {
    boolean(|| {
        // SAFETY: the program keeps its handle open during the call.
        let e = unsafe { Event::borrow_value(value(h))? };
        f(&e)
    })
}

/// `SetEvent`.
#[unsafe(no_mangle)]
pub extern "C" fn SetEvent(hEvent: HANDLE) -> BOOL {
    with_event(hEvent, Event::set)
}

/// `ResetEvent`.
#[unsafe(no_mangle)]
pub extern "C" fn ResetEvent(hEvent: HANDLE) -> BOOL {
    with_event(hEvent, Event::reset)
}

/// `PulseEvent`.
#[unsafe(no_mangle)]
pub extern "C" fn PulseEvent(hEvent: HANDLE) -> BOOL {
    with_event(hEvent, Event::pulse)
}

fn create_mutex(sa: *const SECURITY_ATTRIBUTES, owned: BOOL, name: Option<String>) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        let r = Mutex::create(name.as_deref(), owned != 0).map(|m| {
            let existed = m.existed();
            (m.into_handle(), existed)
        });
        created(r, inherit(sa))
    })
}

/// `CreateMutexA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateMutexA(
    lpMutexAttributes: *const SECURITY_ATTRIBUTES,
    bInitialOwner: BOOL,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_a(lpName) };
    create_mutex(lpMutexAttributes, bInitialOwner, name)
}

/// `CreateMutexW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateMutexW(
    lpMutexAttributes: *const SECURITY_ATTRIBUTES,
    bInitialOwner: BOOL,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_w(lpName) };
    create_mutex(lpMutexAttributes, bInitialOwner, name)
}

/// `OpenMutexA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenMutexA(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_a(lpName) };
    open_sync(ObjectKind::Mutex, dwDesiredAccess, bInheritHandle, name)
}

/// `OpenMutexW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenMutexW(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_w(lpName) };
    open_sync(ObjectKind::Mutex, dwDesiredAccess, bInheritHandle, name)
}

/// `ReleaseMutex`: `ERROR_NOT_OWNER` unless the calling thread owns it.
#[unsafe(no_mangle)]
pub extern "C" fn ReleaseMutex(hMutex: HANDLE) -> BOOL {
    boolean(|| {
        // SAFETY: the program keeps its handle open during the call.
        let m = unsafe { Mutex::borrow_value(value(hMutex))? };
        m.release()
    })
}

fn create_semaphore(
    sa: *const SECURITY_ATTRIBUTES,
    initial: i32,
    max: i32,
    name: Option<String>,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        let r = Semaphore::create(name.as_deref(), initial, max).map(|s| {
            let existed = s.existed();
            (s.into_handle(), existed)
        });
        created(r, inherit(sa))
    })
}

/// `CreateSemaphoreA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateSemaphoreA(
    lpSemaphoreAttributes: *const SECURITY_ATTRIBUTES,
    lInitialCount: i32,
    lMaximumCount: i32,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_a(lpName) };
    create_semaphore(lpSemaphoreAttributes, lInitialCount, lMaximumCount, name)
}

/// `CreateSemaphoreW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateSemaphoreW(
    lpSemaphoreAttributes: *const SECURITY_ATTRIBUTES,
    lInitialCount: i32,
    lMaximumCount: i32,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_w(lpName) };
    create_semaphore(lpSemaphoreAttributes, lInitialCount, lMaximumCount, name)
}

/// `OpenSemaphoreA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenSemaphoreA(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_a(lpName) };
    open_sync(ObjectKind::Semaphore, dwDesiredAccess, bInheritHandle, name)
}

/// `OpenSemaphoreW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenSemaphoreW(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = unsafe { from_w(lpName) };
    open_sync(ObjectKind::Semaphore, dwDesiredAccess, bInheritHandle, name)
}

/// `ReleaseSemaphore`: `ERROR_TOO_MANY_POSTS` past the maximum, `ERROR_INVALID_PARAMETER` for
/// a count that is not positive;
/// `lpPreviousCount` is written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReleaseSemaphore(
    hSemaphore: HANDLE,
    lReleaseCount: i32,
    lpPreviousCount: *mut i32,
) -> BOOL {
    boolean(|| {
        // SAFETY: the program keeps its handle open during the call.
        let s = unsafe { Semaphore::borrow_value(value(hSemaphore))? };
        if lReleaseCount <= 0 {
            // The count must be greater than zero (NtReleaseSemaphore:
            // STATUS_INVALID_PARAMETER).
            return fail(ERROR_INVALID_PARAMETER);
        }
        let prev = s.release(lReleaseCount as u32)?;
        if !lpPreviousCount.is_null() {
            // SAFETY: non-null out-pointer from the caller.
            unsafe { *lpPreviousCount = prev as i32 };
        }
        Ok(())
    })
}

/// `SignalObjectAndWait`: signals one object (event, mutex or semaphore) and waits on another.
#[unsafe(no_mangle)]
pub extern "C" fn SignalObjectAndWait(
    hObjectToSignal: HANDLE,
    hObjectToWaitOn: HANDLE,
    dwMilliseconds: DWORD,
    _bAlertable: BOOL,
) -> DWORD {
    guard(WAIT_FAILED, || {
        let r = borrow(hObjectToSignal).and_then(|s| {
            let w = borrow(hObjectToWaitOn)?;
            signal_and_wait(&s, &*w as &dyn Waitable, timeout(dwMilliseconds))
        });
        match r {
            Ok(WaitOutcome::Signaled) => WAIT_OBJECT_0,
            Ok(WaitOutcome::Abandoned) => WAIT_ABANDONED,
            Ok(WaitOutcome::TimedOut) => WAIT_TIMEOUT,
            Err(e) => {
                set_from(&e);
                WAIT_FAILED
            }
        }
    })
}
