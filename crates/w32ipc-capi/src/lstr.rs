//! The `lstr*` string functions of kernel32 (`lstrlen`, `lstrcpy`, `lstrcpyn`, `lstrcat`,
//! `lstrcmp`, `lstrcmpi`), narrow and wide. Win32 sample programs use them.
//!
//! `lstrcmp` compares as Windows' default word sort does for plain letters and digits: by
//! letter first, ignoring case, then lowercase before uppercase at the first difference.
//! (Punctuation weights of the real word sort are not reproduced.)

use std::cmp::Ordering;
use std::ffi::c_char;

use crate::types::WCHAR;

/// A character unit of a NUL-terminated string.
trait Unit: Copy + PartialEq {
    const NUL: Self;
    fn code(self) -> u32;
}

impl Unit for u8 {
    const NUL: u8 = 0;
    fn code(self) -> u32 {
        self as u32
    }
}

impl Unit for u16 {
    const NUL: u16 = 0;
    fn code(self) -> u32 {
        self as u32
    }
}

/// # Safety
/// `p` is NULL or NUL-terminated.
unsafe fn len<T: Unit>(p: *const T) -> usize {
    if p.is_null() {
        return 0;
    }
    let mut n = 0;
    // SAFETY: NUL-terminated, per the caller.
    while unsafe { *p.add(n) } != T::NUL {
        n += 1;
    }
    n
}

/// # Safety
/// `src` is NUL-terminated; `dst` holds `len(src) + 1` units (more for `at > 0`).
unsafe fn copy<T: Unit>(dst: *mut T, at: usize, src: *const T, max: Option<usize>) -> *mut T {
    if dst.is_null() || src.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: per the caller.
    let mut n = unsafe { len(src) };
    if let Some(max) = max {
        if max == 0 {
            return dst;
        }
        n = n.min(max - 1);
    }
    // SAFETY: the caller's buffer holds at + n + 1 units.
    unsafe {
        std::ptr::copy(src, dst.add(at), n);
        *dst.add(at + n) = T::NUL;
    }
    dst
}

fn fold(c: u32) -> u32 {
    char::from_u32(c)
        .and_then(|ch| ch.to_lowercase().next())
        .map_or(c, |l| l as u32)
}

/// # Safety
/// Both are NULL or NUL-terminated.
unsafe fn compare<T: Unit>(a: *const T, b: *const T, ignore_case: bool) -> i32 {
    // SAFETY: per the caller.
    let (la, lb) = unsafe { (len(a), len(b)) };
    let units = |p: *const T, n: usize| -> Vec<u32> {
        // SAFETY: `n` units of a NUL-terminated string (none for NULL).
        (0..n).map(|i| unsafe { *p.add(i) }.code()).collect()
    };
    let (a, b) = (units(a, la), units(b, lb));
    let primary = a.iter().map(|&c| fold(c)).cmp(b.iter().map(|&c| fold(c)));
    let order = match primary {
        Ordering::Equal if !ignore_case => a
            .iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            // Lowercase sorts first.
            .map_or(Ordering::Equal, |(x, y)| y.cmp(x)),
        o => o,
    };
    match order {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// `lstrlenA`: the length in chars; 0 for `NULL`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrlenA(lpString: *const c_char) -> i32 {
    // SAFETY: NULL or NUL-terminated, per the caller.
    unsafe { len(lpString.cast::<u8>()) as i32 }
}

/// `lstrlenW`: the length in UTF-16 units; 0 for `NULL`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrlenW(lpString: *const WCHAR) -> i32 {
    // SAFETY: NULL or NUL-terminated, per the caller.
    unsafe { len(lpString) as i32 }
}

/// `lstrcpyA`: copies `lpString2` into `lpString1`; returns `lpString1` (`NULL` for `NULL`s).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpyA(lpString1: *mut c_char, lpString2: *const c_char) -> *mut c_char {
    // SAFETY: per the caller: the destination holds the source.
    unsafe { copy(lpString1.cast::<u8>(), 0, lpString2.cast(), None).cast() }
}

/// `lstrcpyW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpyW(lpString1: *mut WCHAR, lpString2: *const WCHAR) -> *mut WCHAR {
    // SAFETY: per the caller: the destination holds the source.
    unsafe { copy(lpString1, 0, lpString2, None) }
}

/// `lstrcpynA`: copies at most `iMaxLength - 1` chars and a NUL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpynA(
    lpString1: *mut c_char,
    lpString2: *const c_char,
    iMaxLength: i32,
) -> *mut c_char {
    // SAFETY: per the caller: the destination holds iMaxLength chars.
    unsafe {
        copy(
            lpString1.cast::<u8>(),
            0,
            lpString2.cast(),
            Some(iMaxLength.max(0) as usize),
        )
        .cast()
    }
}

/// `lstrcpynW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcpynW(
    lpString1: *mut WCHAR,
    lpString2: *const WCHAR,
    iMaxLength: i32,
) -> *mut WCHAR {
    // SAFETY: per the caller: the destination holds iMaxLength units.
    unsafe { copy(lpString1, 0, lpString2, Some(iMaxLength.max(0) as usize)) }
}

/// `lstrcatA`: appends `lpString2` to `lpString1`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcatA(lpString1: *mut c_char, lpString2: *const c_char) -> *mut c_char {
    // SAFETY: per the caller: the destination holds both strings.
    unsafe {
        let at = len(lpString1.cast::<u8>());
        copy(lpString1.cast::<u8>(), at, lpString2.cast(), None).cast()
    }
}

/// `lstrcatW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcatW(lpString1: *mut WCHAR, lpString2: *const WCHAR) -> *mut WCHAR {
    // SAFETY: per the caller: the destination holds both strings.
    unsafe {
        let at = len(lpString1);
        copy(lpString1, at, lpString2, None)
    }
}

/// `lstrcmpA`: -1, 0 or 1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpA(lpString1: *const c_char, lpString2: *const c_char) -> i32 {
    // SAFETY: NULL or NUL-terminated, per the caller.
    unsafe { compare(lpString1.cast::<u8>(), lpString2.cast::<u8>(), false) }
}

/// `lstrcmpW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpW(lpString1: *const WCHAR, lpString2: *const WCHAR) -> i32 {
    // SAFETY: NULL or NUL-terminated, per the caller.
    unsafe { compare(lpString1, lpString2, false) }
}

/// `lstrcmpiA`: as `lstrcmpA`, ignoring case.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpiA(lpString1: *const c_char, lpString2: *const c_char) -> i32 {
    // SAFETY: NULL or NUL-terminated, per the caller.
    unsafe { compare(lpString1.cast::<u8>(), lpString2.cast::<u8>(), true) }
}

/// `lstrcmpiW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstrcmpiW(lpString1: *const WCHAR, lpString2: *const WCHAR) -> i32 {
    // SAFETY: NULL or NUL-terminated, per the caller.
    unsafe { compare(lpString1, lpString2, true) }
}
