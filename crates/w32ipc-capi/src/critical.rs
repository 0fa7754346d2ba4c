//! Critical sections (`InitializeCriticalSection`, `EnterCriticalSection`, …): recursive locks
//! owned by a thread, within one process. The `CRITICAL_SECTION` keeps its Windows layout; its
//! `DebugInfo` field points at the lock that threads sleep on.

use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use crate::last_error::guard;
use crate::types::*;

/// `CRITICAL_SECTION` (`RTL_CRITICAL_SECTION`), 40 bytes on x64.
#[repr(C)]
pub struct CRITICAL_SECTION {
    pub DebugInfo: *mut c_void,
    pub LockCount: i32,
    pub RecursionCount: i32,
    pub OwningThread: HANDLE,
    pub LockSemaphore: HANDLE,
    pub SpinCount: ULONG_PTR,
}

struct Lock {
    held: Mutex<bool>,
    freed: Condvar,
}

/// The lock behind `cs`, made on first use if the section was never initialised.
///
/// # Safety
/// `cs` points at a live `CRITICAL_SECTION`.
unsafe fn lock_of<'a>(cs: *mut CRITICAL_SECTION) -> &'a Lock {
    // SAFETY: DebugInfo is a pointer-sized, pointer-aligned field of the caller's section.
    let slot = unsafe { &*(&raw mut (*cs).DebugInfo).cast::<AtomicPtr<Lock>>() };
    let p = slot.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: made below by Box::into_raw and freed only by DeleteCriticalSection.
        return unsafe { &*p };
    }
    let fresh = Box::into_raw(Box::new(Lock {
        held: Mutex::new(false),
        freed: Condvar::new(),
    }));
    match slot.compare_exchange(
        std::ptr::null_mut(),
        fresh,
        Ordering::AcqRel,
        Ordering::Acquire,
    ) {
        // SAFETY: just published; lives until DeleteCriticalSection.
        Ok(_) => unsafe { &*fresh },
        Err(other) => {
            // SAFETY: ours, never shared.
            drop(unsafe { Box::from_raw(fresh) });
            // SAFETY: as for `p` above.
            unsafe { &*other }
        }
    }
}

/// # Safety
/// `cs` points at a live `CRITICAL_SECTION`.
unsafe fn owner<'a>(cs: *mut CRITICAL_SECTION) -> &'a AtomicUsize {
    // SAFETY: OwningThread is a pointer-sized, pointer-aligned field of the caller's section.
    unsafe { &*(&raw mut (*cs).OwningThread).cast::<AtomicUsize>() }
}

fn me() -> usize {
    w32ipc::process::current_thread_id() as usize
}

/// `InitializeCriticalSection`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeCriticalSection(lpCriticalSection: *mut CRITICAL_SECTION) {
    if lpCriticalSection.is_null() {
        return;
    }
    // SAFETY: the caller's section, which it is initialising.
    unsafe {
        lpCriticalSection.write(CRITICAL_SECTION {
            DebugInfo: std::ptr::null_mut(),
            LockCount: -1,
            RecursionCount: 0,
            OwningThread: std::ptr::null_mut(),
            LockSemaphore: std::ptr::null_mut(),
            SpinCount: 0,
        });
        lock_of(lpCriticalSection);
    }
}

/// `InitializeCriticalSectionAndSpinCount`: the spin count is recorded, not used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn InitializeCriticalSectionAndSpinCount(
    lpCriticalSection: *mut CRITICAL_SECTION,
    dwSpinCount: DWORD,
) -> BOOL {
    // SAFETY: forwarded.
    unsafe { InitializeCriticalSection(lpCriticalSection) };
    if !lpCriticalSection.is_null() {
        // SAFETY: just initialised.
        unsafe { (*lpCriticalSection).SpinCount = dwSpinCount as ULONG_PTR };
    }
    1
}

/// `EnterCriticalSection`: waits for the section; re-entering from the owning thread nests.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn EnterCriticalSection(lpCriticalSection: *mut CRITICAL_SECTION) {
    guard((), || {
        let cs = lpCriticalSection;
        // SAFETY: the caller's initialised section.
        unsafe {
            if owner(cs).load(Ordering::Acquire) == me() {
                (*cs).RecursionCount += 1;
                return;
            }
            let l = lock_of(cs);
            let mut held = l.held.lock().unwrap_or_else(|e| e.into_inner());
            while *held {
                held = l.freed.wait(held).unwrap_or_else(|e| e.into_inner());
            }
            *held = true;
            drop(held);
            owner(cs).store(me(), Ordering::Release);
            (*cs).RecursionCount = 1;
        }
    })
}

/// `TryEnterCriticalSection`: enters if free (or already ours); never waits.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TryEnterCriticalSection(lpCriticalSection: *mut CRITICAL_SECTION) -> BOOL {
    guard(0, || {
        let cs = lpCriticalSection;
        // SAFETY: the caller's initialised section.
        unsafe {
            if owner(cs).load(Ordering::Acquire) == me() {
                (*cs).RecursionCount += 1;
                return 1;
            }
            let l = lock_of(cs);
            let mut held = l.held.lock().unwrap_or_else(|e| e.into_inner());
            if *held {
                return 0;
            }
            *held = true;
            drop(held);
            owner(cs).store(me(), Ordering::Release);
            (*cs).RecursionCount = 1;
            1
        }
    })
}

/// `LeaveCriticalSection`: undoes one enter; the last one frees the section.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LeaveCriticalSection(lpCriticalSection: *mut CRITICAL_SECTION) {
    guard((), || {
        let cs = lpCriticalSection;
        // SAFETY: the caller's initialised section, entered by this thread.
        unsafe {
            if owner(cs).load(Ordering::Acquire) != me() {
                return;
            }
            (*cs).RecursionCount -= 1;
            if (*cs).RecursionCount > 0 {
                return;
            }
            owner(cs).store(0, Ordering::Release);
            let l = lock_of(cs);
            *l.held.lock().unwrap_or_else(|e| e.into_inner()) = false;
            l.freed.notify_one();
        }
    })
}

/// `DeleteCriticalSection`: frees what the section holds (it must not be in use).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn DeleteCriticalSection(lpCriticalSection: *mut CRITICAL_SECTION) {
    if lpCriticalSection.is_null() {
        return;
    }
    // SAFETY: the caller's section; DebugInfo is pointer-sized and aligned.
    let slot = unsafe { &*(&raw mut (*lpCriticalSection).DebugInfo).cast::<AtomicPtr<Lock>>() };
    let p = slot.swap(std::ptr::null_mut(), Ordering::AcqRel);
    if !p.is_null() {
        // SAFETY: made by Box::into_raw in lock_of; nobody uses a deleted section.
        drop(unsafe { Box::from_raw(p) });
    }
}
