//! `CreatePipe`, `ReadFile`, `WriteFile`, `PeekNamedPipe`.

use std::ffi::c_void;

use w32ipc::error::{ERROR_INVALID_USER_BUFFER, ERROR_NOACCESS};

use crate::handles::{borrow, give};
use crate::last_error::{boolean, fail};
use crate::types::*;

/// `CreatePipe`: an anonymous pipe; `nSize` is the buffer size wanted (0: default).
/// `lpPipeAttributes->bInheritHandle` makes both ends inheritable.
///
/// A `NULL` out-pointer fails with `ERROR_NOACCESS` (Windows faults there).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreatePipe(
    hReadPipe: *mut HANDLE,
    hWritePipe: *mut HANDLE,
    lpPipeAttributes: *const SECURITY_ATTRIBUTES,
    nSize: DWORD,
) -> BOOL {
    boolean(|| {
        if hReadPipe.is_null() || hWritePipe.is_null() {
            return fail(ERROR_NOACCESS);
        }
        // SAFETY: a non-null SECURITY_ATTRIBUTES from the caller.
        let inherit =
            !lpPipeAttributes.is_null() && unsafe { (*lpPipeAttributes).bInheritHandle } != 0;
        let (r, w) = w32ipc::pipe::create_pipe(nSize as usize, inherit)?;
        // SAFETY: both out-pointers are non-null (checked above).
        unsafe {
            *hReadPipe = give(r.into_handle());
            *hWritePipe = give(w.into_handle());
        }
        Ok(())
    })
}

/// Stores `n` through an optional out-pointer.
///
/// # Safety
/// `p` is `NULL` or valid for a write.
unsafe fn put(p: *mut DWORD, n: usize) {
    if !p.is_null() {
        // SAFETY: non-null, per the caller.
        unsafe { *p = n as DWORD };
    }
}

/// `ReadFile`: reads up to `nNumberOfBytesToRead` bytes. On an anonymous pipe it returns as soon
/// as some data is there and fails with `ERROR_BROKEN_PIPE` once the writers are gone and the
/// pipe is drained. `lpOverlapped` is ignored for anonymous pipes, as on Windows.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReadFile(
    hFile: HANDLE,
    lpBuffer: *mut c_void,
    nNumberOfBytesToRead: DWORD,
    lpNumberOfBytesRead: *mut DWORD,
    _lpOverlapped: *mut c_void,
) -> BOOL {
    // SAFETY: the out-pointer is NULL or valid, per Win32's contract.
    unsafe { put(lpNumberOfBytesRead, 0) };
    boolean(|| {
        let h = borrow(hFile)?;
        if lpBuffer.is_null() && nNumberOfBytesToRead > 0 {
            return fail(ERROR_NOACCESS);
        }
        let buf: &mut [u8] = if nNumberOfBytesToRead == 0 {
            &mut []
        } else {
            // SAFETY: the caller's buffer holds nNumberOfBytesToRead bytes.
            unsafe {
                std::slice::from_raw_parts_mut(lpBuffer.cast(), nNumberOfBytesToRead as usize)
            }
        };
        let n = w32ipc::io::read_file(&h, buf)?;
        // SAFETY: as above.
        unsafe { put(lpNumberOfBytesRead, n) };
        Ok(())
    })
}

/// `WriteFile`: writes all `nNumberOfBytesToWrite` bytes, blocking while a pipe is full; fails
/// with `ERROR_NO_DATA` when a pipe has no reader left.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WriteFile(
    hFile: HANDLE,
    lpBuffer: *const c_void,
    nNumberOfBytesToWrite: DWORD,
    lpNumberOfBytesWritten: *mut DWORD,
    _lpOverlapped: *mut c_void,
) -> BOOL {
    // SAFETY: the out-pointer is NULL or valid, per Win32's contract.
    unsafe { put(lpNumberOfBytesWritten, 0) };
    boolean(|| {
        let h = borrow(hFile)?;
        if lpBuffer.is_null() && nNumberOfBytesToWrite > 0 {
            return fail(ERROR_INVALID_USER_BUFFER);
        }
        let buf: &[u8] = if nNumberOfBytesToWrite == 0 {
            &[]
        } else {
            // SAFETY: the caller's buffer holds nNumberOfBytesToWrite bytes.
            unsafe { std::slice::from_raw_parts(lpBuffer.cast(), nNumberOfBytesToWrite as usize) }
        };
        let n = w32ipc::io::write_file(&h, buf)?;
        // SAFETY: as above.
        unsafe { put(lpNumberOfBytesWritten, n) };
        Ok(())
    })
}

/// `PeekNamedPipe`: copies waiting bytes without removing them and reports how many are
/// waiting; works on anonymous pipes. Never blocks.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeekNamedPipe(
    hNamedPipe: HANDLE,
    lpBuffer: *mut c_void,
    nBufferSize: DWORD,
    lpBytesRead: *mut DWORD,
    lpTotalBytesAvail: *mut DWORD,
    lpBytesLeftThisMessage: *mut DWORD,
) -> BOOL {
    boolean(|| {
        let h = borrow(hNamedPipe)?;
        let buf: &mut [u8] = if lpBuffer.is_null() || nBufferSize == 0 {
            &mut []
        } else {
            // SAFETY: the caller's buffer holds nBufferSize bytes.
            unsafe { std::slice::from_raw_parts_mut(lpBuffer.cast(), nBufferSize as usize) }
        };
        let info = w32ipc::io::peek_pipe(&h, buf)?;
        // SAFETY: each out-pointer is NULL or valid, per Win32's contract.
        unsafe {
            put(lpBytesRead, info.read);
            put(lpTotalBytesAvail, info.available);
            put(lpBytesLeftThisMessage, info.left_in_message);
        }
        Ok(())
    })
}
