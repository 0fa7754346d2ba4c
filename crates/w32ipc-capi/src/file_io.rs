//! `CreatePipe`, `ReadFile`, `WriteFile`, `ReadFileEx`, `WriteFileEx`, `PeekNamedPipe` — on
//! anonymous pipes, named pipes (overlapped or not) and files.

use std::ffi::c_void;

use w32ipc::error::{
    ERROR_INVALID_PARAMETER, ERROR_INVALID_USER_BUFFER, ERROR_MORE_DATA, ERROR_NOACCESS,
};
use w32ipc::npipe::PipeHandle;

use crate::apc::CompletionRoutine;
use crate::overlapped::{OVERLAPPED, Work};

use crate::handles::{borrow, give};
use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
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
/// pipe is drained. `lpOverlapped` is ignored for anonymous pipes, as on Windows. On a named
/// pipe, a message that does not fit fails with `ERROR_MORE_DATA` (the count says what was
/// read; the rest stays); an overlapped named-pipe handle with an `OVERLAPPED` may return
/// `ERROR_IO_PENDING`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReadFile(
    hFile: HANDLE,
    lpBuffer: *mut c_void,
    nNumberOfBytesToRead: DWORD,
    lpNumberOfBytesRead: *mut DWORD,
    lpOverlapped: *mut OVERLAPPED,
) -> BOOL {
    // SAFETY: the out-pointer is NULL or valid, per Win32's contract.
    unsafe { put(lpNumberOfBytesRead, 0) };
    let borrowed = borrow(hFile);
    if let Some(pipe) = named_pipe(&borrowed) {
        if lpBuffer.is_null() && nNumberOfBytesToRead > 0 {
            SetLastError(ERROR_NOACCESS);
            return 0;
        }
        if pipe.is_overlapped() && !lpOverlapped.is_null() {
            let work = Work::Read {
                buf: lpBuffer.cast(),
                len: nNumberOfBytesToRead as usize,
                done: 0,
            };
            // SAFETY: the caller keeps the buffer and OVERLAPPED valid until completion.
            return unsafe {
                crate::overlapped::start(pipe, hFile, lpOverlapped, work, None, lpNumberOfBytesRead)
            };
        }
        return guard(0, || {
            // SAFETY: the caller's buffer holds nNumberOfBytesToRead bytes.
            let buf = unsafe { buf_mut(lpBuffer, nNumberOfBytesToRead) };
            match pipe.read(buf) {
                Ok(r) => {
                    // SAFETY: as above.
                    unsafe { put(lpNumberOfBytesRead, r.len) };
                    if r.more {
                        SetLastError(ERROR_MORE_DATA);
                        0
                    } else {
                        SetLastError(0);
                        1
                    }
                }
                Err(e) => {
                    set_from(&e);
                    0
                }
            }
        });
    }
    boolean(|| {
        let h = borrowed?;
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
/// with `ERROR_NO_DATA` when a pipe has no reader left. On a message pipe each write is one
/// message; an overlapped named-pipe handle with an `OVERLAPPED` may return `ERROR_IO_PENDING`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WriteFile(
    hFile: HANDLE,
    lpBuffer: *const c_void,
    nNumberOfBytesToWrite: DWORD,
    lpNumberOfBytesWritten: *mut DWORD,
    lpOverlapped: *mut OVERLAPPED,
) -> BOOL {
    // SAFETY: the out-pointer is NULL or valid, per Win32's contract.
    unsafe { put(lpNumberOfBytesWritten, 0) };
    let borrowed = borrow(hFile);
    if let Some(pipe) = named_pipe(&borrowed)
        && pipe.is_overlapped()
        && !lpOverlapped.is_null()
    {
        if lpBuffer.is_null() && nNumberOfBytesToWrite > 0 {
            SetLastError(ERROR_INVALID_USER_BUFFER);
            return 0;
        }
        let work = Work::Write {
            buf: lpBuffer.cast(),
            len: nNumberOfBytesToWrite as usize,
            done: 0,
        };
        // SAFETY: the caller keeps the buffer and OVERLAPPED valid until completion.
        return unsafe {
            crate::overlapped::start(
                pipe,
                hFile,
                lpOverlapped,
                work,
                None,
                lpNumberOfBytesWritten,
            )
        };
    }
    boolean(|| {
        let h = borrowed?;
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

/// The named-pipe end behind a borrowed handle, if it is one.
fn named_pipe(h: &std::io::Result<std::mem::ManuallyDrop<w32ipc::Handle>>) -> Option<PipeHandle> {
    PipeHandle::of(h.as_ref().ok()?)
}

/// # Safety
/// `p` is valid for writes of `len` bytes, or `len` is 0.
unsafe fn buf_mut<'a>(p: *mut c_void, len: DWORD) -> &'a mut [u8] {
    if len == 0 || p.is_null() {
        &mut []
    } else {
        // SAFETY: per the caller.
        unsafe { std::slice::from_raw_parts_mut(p.cast(), len as usize) }
    }
}

/// Starts a `ReadFileEx`/`WriteFileEx`.
///
/// # Safety
/// As for those functions: the buffer and `OVERLAPPED` stay valid until the routine runs.
unsafe fn start_ex(h: HANDLE, ov: *mut OVERLAPPED, work: Work, routine: CompletionRoutine) -> BOOL {
    let Some(routine) = routine else {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    };
    if ov.is_null() {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    let Some(pipe) = named_pipe(&borrow(h)) else {
        // Anonymous pipes and files cannot do asynchronous I/O here.
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    };
    // SAFETY: per the caller.
    unsafe { crate::overlapped::start(pipe, h, ov, work, Some(routine), std::ptr::null_mut()) }
}

/// `ReadFileEx`: an asynchronous read on an overlapped named pipe; `lpCompletionRoutine` runs
/// on this thread in a later alertable wait (`SleepEx`, `WaitFor…Ex` with `bAlertable`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ReadFileEx(
    hFile: HANDLE,
    lpBuffer: *mut c_void,
    nNumberOfBytesToRead: DWORD,
    lpOverlapped: *mut OVERLAPPED,
    lpCompletionRoutine: CompletionRoutine,
) -> BOOL {
    if lpBuffer.is_null() && nNumberOfBytesToRead > 0 {
        SetLastError(ERROR_NOACCESS);
        return 0;
    }
    let work = Work::Read {
        buf: lpBuffer.cast(),
        len: nNumberOfBytesToRead as usize,
        done: 0,
    };
    // SAFETY: the caller keeps the buffer and OVERLAPPED valid until the routine runs.
    unsafe { start_ex(hFile, lpOverlapped, work, lpCompletionRoutine) }
}

/// `WriteFileEx`: as [`ReadFileEx`], writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WriteFileEx(
    hFile: HANDLE,
    lpBuffer: *const c_void,
    nNumberOfBytesToWrite: DWORD,
    lpOverlapped: *mut OVERLAPPED,
    lpCompletionRoutine: CompletionRoutine,
) -> BOOL {
    if lpBuffer.is_null() && nNumberOfBytesToWrite > 0 {
        SetLastError(ERROR_INVALID_USER_BUFFER);
        return 0;
    }
    let work = Work::Write {
        buf: lpBuffer.cast(),
        len: nNumberOfBytesToWrite as usize,
        done: 0,
    };
    // SAFETY: the caller keeps the buffer and OVERLAPPED valid until the routine runs.
    unsafe { start_ex(hFile, lpOverlapped, work, lpCompletionRoutine) }
}
