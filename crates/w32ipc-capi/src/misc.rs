//! What Win32 programs call around their IPC: `MessageBox` (to standard error: there is no
//! desktop), `FormatMessage`, tick counts, and `Local*`/`Global*`/`Heap*` memory.

use std::ffi::{c_char, c_void};
use std::io::Write;

use w32ipc::error::{ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, error_message};

use crate::last_error::{SetLastError, guard};
use crate::strings::{from_a, from_w};
use crate::types::*;

/// `IDOK`.
pub const IDOK: i32 = 1;

fn message_box(text: Option<String>, caption: Option<String>) -> i32 {
    let caption = caption.unwrap_or_else(|| "Error".to_owned());
    let text = text.unwrap_or_default();
    let _ = writeln!(std::io::stderr(), "[{caption}] {text}");
    IDOK
}

/// `MessageBoxA`: writes `[caption] text` to standard error and returns `IDOK`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn MessageBoxA(
    _hWnd: HANDLE,
    lpText: *const c_char,
    lpCaption: *const c_char,
    _uType: UINT,
) -> i32 {
    guard(0, || {
        // SAFETY: NULL or NUL-terminated strings, per the caller.
        let (text, caption) = unsafe { (from_a(lpText), from_a(lpCaption)) };
        message_box(text, caption)
    })
}

/// `MessageBoxW`: as [`MessageBoxA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn MessageBoxW(
    _hWnd: HANDLE,
    lpText: *const WCHAR,
    lpCaption: *const WCHAR,
    _uType: UINT,
) -> i32 {
    guard(0, || {
        // SAFETY: NULL or NUL-terminated strings, per the caller.
        let (text, caption) = unsafe { (from_w(lpText), from_w(lpCaption)) };
        message_box(text, caption)
    })
}

/// `GetTickCount`: milliseconds since the system started, wrapping at 2^32 (the clock of
/// `MSG.time`).
#[unsafe(no_mangle)]
pub extern "C" fn GetTickCount() -> DWORD {
    w32ipc::msg::tick_count() as DWORD
}

/// `GetTickCount64`: milliseconds since the system started.
#[unsafe(no_mangle)]
pub extern "C" fn GetTickCount64() -> u64 {
    w32ipc::msg::tick_count()
}

/// `FORMAT_MESSAGE_ALLOCATE_BUFFER`.
const ALLOCATE_BUFFER: DWORD = 0x100;
/// `FORMAT_MESSAGE_IGNORE_INSERTS`.
const IGNORE_INSERTS: DWORD = 0x200;
/// `FORMAT_MESSAGE_FROM_SYSTEM`.
const FROM_SYSTEM: DWORD = 0x1000;
/// `FORMAT_MESSAGE_MAX_WIDTH_MASK`.
const MAX_WIDTH_MASK: DWORD = 0xFF;
/// `ERROR_MR_MID_NOT_FOUND`: no message for that code.
const ERROR_MR_MID_NOT_FOUND: DWORD = 317;

/// The text `FormatMessage(FORMAT_MESSAGE_FROM_SYSTEM, …)` gives for `code`, with its CRLF.
fn system_message(flags: DWORD, code: DWORD) -> Result<String, DWORD> {
    if flags & FROM_SYSTEM == 0 {
        return Err(ERROR_INVALID_PARAMETER);
    }
    let text = error_message(code).ok_or(ERROR_MR_MID_NOT_FOUND)?;
    Ok(if flags & MAX_WIDTH_MASK == 0 {
        format!("{text}\r\n")
    } else {
        text.to_owned()
    })
}

/// Copies `units` (with a NUL) to the caller's buffer or a `LocalAlloc`ed one, as
/// `FormatMessage` does; returns the length without the NUL.
///
/// # Safety
/// As `FormatMessage`'s `lpBuffer`/`nSize`.
unsafe fn deliver<T: Copy + Default>(
    units: &[T],
    flags: DWORD,
    lpBuffer: *mut c_void,
    nSize: DWORD,
) -> DWORD {
    let n = units.len();
    let dst: *mut T = if flags & ALLOCATE_BUFFER != 0 {
        if lpBuffer.is_null() {
            SetLastError(ERROR_INVALID_PARAMETER);
            return 0;
        }
        let size = ((n + 1).max(nSize as usize)) * std::mem::size_of::<T>();
        let p = LocalAlloc(0, size).cast::<T>();
        if p.is_null() {
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
        // SAFETY: with ALLOCATE_BUFFER, lpBuffer points to a pointer-sized slot.
        unsafe { *lpBuffer.cast::<*mut T>() = p };
        p
    } else {
        if lpBuffer.is_null() || (nSize as usize) < n + 1 {
            SetLastError(w32ipc::error::ERROR_INSUFFICIENT_BUFFER);
            return 0;
        }
        lpBuffer.cast::<T>()
    };
    // SAFETY: `dst` holds at least n + 1 units (allocated or checked above).
    unsafe {
        std::ptr::copy_nonoverlapping(units.as_ptr(), dst, n);
        *dst.add(n) = T::default();
    }
    n as DWORD
}

/// `FormatMessageA`: system messages (`FORMAT_MESSAGE_FROM_SYSTEM`, with or without
/// `ALLOCATE_BUFFER`/`IGNORE_INSERTS`). Other sources fail with `ERROR_INVALID_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FormatMessageA(
    dwFlags: DWORD,
    _lpSource: *const c_void,
    dwMessageId: DWORD,
    _dwLanguageId: DWORD,
    lpBuffer: *mut c_char,
    nSize: DWORD,
    _Arguments: *mut c_void,
) -> DWORD {
    guard(0, || {
        match system_message(dwFlags & !IGNORE_INSERTS, dwMessageId) {
            // SAFETY: per the caller.
            Ok(text) => unsafe { deliver(text.as_bytes(), dwFlags, lpBuffer.cast(), nSize) },
            Err(code) => {
                SetLastError(code);
                0
            }
        }
    })
}

/// `FormatMessageW`: as [`FormatMessageA`], in UTF-16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FormatMessageW(
    dwFlags: DWORD,
    _lpSource: *const c_void,
    dwMessageId: DWORD,
    _dwLanguageId: DWORD,
    lpBuffer: *mut WCHAR,
    nSize: DWORD,
    _Arguments: *mut c_void,
) -> DWORD {
    guard(0, || {
        match system_message(dwFlags & !IGNORE_INSERTS, dwMessageId) {
            Ok(text) => {
                let units: Vec<u16> = text.encode_utf16().collect();
                // SAFETY: per the caller.
                unsafe { deliver(&units, dwFlags, lpBuffer.cast(), nSize) }
            }
            Err(code) => {
                SetLastError(code);
                0
            }
        }
    })
}

/// `LMEM_ZEROINIT` / `GMEM_ZEROINIT`.
const ZEROINIT: UINT = 0x40;
/// `HEAP_ZERO_MEMORY`.
const HEAP_ZERO_MEMORY: DWORD = 0x8;

fn alloc(zero: bool, size: usize) -> *mut c_void {
    // SAFETY: plain C allocation; a size of 0 still returns a unique pointer (size 1).
    let p = unsafe {
        if zero {
            libc::calloc(1, size.max(1))
        } else {
            libc::malloc(size.max(1))
        }
    };
    if p.is_null() {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    }
    p
}

/// `LocalAlloc` (fixed memory: the handle is the pointer).
#[unsafe(no_mangle)]
pub extern "C" fn LocalAlloc(uFlags: UINT, uBytes: usize) -> *mut c_void {
    alloc(uFlags & ZEROINIT != 0, uBytes)
}

/// `LocalFree`: returns `NULL` on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn LocalFree(hMem: *mut c_void) -> *mut c_void {
    // SAFETY: memory from LocalAlloc/GlobalAlloc/HeapAlloc (all malloc) or NULL.
    unsafe { libc::free(hMem) };
    std::ptr::null_mut()
}

/// `GlobalAlloc` (fixed memory: the handle is the pointer).
#[unsafe(no_mangle)]
pub extern "C" fn GlobalAlloc(uFlags: UINT, dwBytes: usize) -> *mut c_void {
    alloc(uFlags & ZEROINIT != 0, dwBytes)
}

/// `GlobalFree`: returns `NULL` on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GlobalFree(hMem: *mut c_void) -> *mut c_void {
    // SAFETY: as LocalFree.
    unsafe { LocalFree(hMem) }
}

/// `GetProcessHeap`: the one heap (a non-null token).
#[unsafe(no_mangle)]
pub extern "C" fn GetProcessHeap() -> HANDLE {
    static HEAP: u8 = 0;
    (&HEAP as *const u8).cast_mut().cast()
}

/// `HeapAlloc`.
#[unsafe(no_mangle)]
pub extern "C" fn HeapAlloc(_hHeap: HANDLE, dwFlags: DWORD, dwBytes: usize) -> *mut c_void {
    alloc(dwFlags & HEAP_ZERO_MEMORY != 0, dwBytes)
}

/// `HeapReAlloc` (`HEAP_ZERO_MEMORY` is not honoured for the grown part).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapReAlloc(
    _hHeap: HANDLE,
    _dwFlags: DWORD,
    lpMem: *mut c_void,
    dwBytes: usize,
) -> *mut c_void {
    // SAFETY: memory from HeapAlloc (malloc) or NULL.
    let p = unsafe { libc::realloc(lpMem, dwBytes.max(1)) };
    if p.is_null() {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    }
    p
}

/// `HeapFree`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn HeapFree(_hHeap: HANDLE, _dwFlags: DWORD, lpMem: *mut c_void) -> BOOL {
    // SAFETY: memory from HeapAlloc (malloc) or NULL.
    unsafe { libc::free(lpMem) };
    TRUE
}
