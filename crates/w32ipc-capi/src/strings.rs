//! Strings across the boundary: `A` functions take UTF-8 (this platform's "ANSI" code page),
//! `W` functions UTF-16. Invalid sequences are replaced, as Windows' conversions do.

use std::ffi::{CStr, c_char};

use crate::types::WCHAR;

/// A NUL-terminated narrow string, or `None` for `NULL`.
///
/// # Safety
/// `p` is `NULL` or points to a NUL-terminated string.
pub unsafe fn from_a(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated, per the caller.
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// The UTF-16 units of a NUL-terminated wide string (without the NUL).
///
/// # Safety
/// `p` is non-null and points to a NUL-terminated UTF-16 string.
pub unsafe fn wide_units<'a>(p: *const WCHAR) -> &'a [WCHAR] {
    let mut n = 0;
    // SAFETY: the string is NUL-terminated, so every unit up to the NUL is readable.
    while unsafe { *p.add(n) } != 0 {
        n += 1;
    }
    // SAFETY: `n` units were just read from `p`.
    unsafe { std::slice::from_raw_parts(p, n) }
}

/// A NUL-terminated wide string, or `None` for `NULL`.
///
/// # Safety
/// `p` is `NULL` or points to a NUL-terminated UTF-16 string.
pub unsafe fn from_w(p: *const WCHAR) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: per the caller.
    Some(String::from_utf16_lossy(unsafe { wide_units(p) }))
}

/// Copies `s` and a NUL into a narrow buffer of `size` chars. Returns the length copied
/// (without the NUL) and whether it was cut short.
///
/// # Safety
/// `buf` is valid for `size` bytes.
pub unsafe fn to_a(s: &str, buf: *mut c_char, size: usize) -> (usize, bool) {
    if buf.is_null() || size == 0 {
        return (0, !s.is_empty());
    }
    let bytes = s.as_bytes();
    let n = bytes.len().min(size - 1);
    // SAFETY: `n + 1 <= size` bytes are written into a buffer of `size` bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
    }
    (n, n < bytes.len())
}

/// Copies `s` as UTF-16 and a NUL into a wide buffer of `size` units. Returns the length
/// copied (without the NUL) and whether it was cut short.
///
/// # Safety
/// `buf` is valid for `size` units.
pub unsafe fn to_w(s: &str, buf: *mut WCHAR, size: usize) -> (usize, bool) {
    let units: Vec<u16> = s.encode_utf16().collect();
    if buf.is_null() || size == 0 {
        return (0, !units.is_empty());
    }
    let n = units.len().min(size - 1);
    // SAFETY: `n + 1 <= size` units are written into a buffer of `size` units.
    unsafe {
        std::ptr::copy_nonoverlapping(units.as_ptr(), buf, n);
        *buf.add(n) = 0;
    }
    (n, n < units.len())
}
