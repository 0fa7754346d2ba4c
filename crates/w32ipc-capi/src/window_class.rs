//! Window classes: `RegisterClassA/W`, `RegisterClassExA/W`, `UnregisterClassA/W`.
//!
//! Classes belong to the process, as application classes do on Windows, and live here in the C
//! layer: a class is a name, the window procedure new windows start with, and how many extra
//! bytes (`cbWndExtra`) each window gets. Names compare without case, and a class registered
//! with `…A` is the same class for `…W`. A class's atom is the session's atom for its name —
//! the value `RegisterWindowMessage` gives the same string, from 0xC000 up, as on Windows,
//! where both come from one atom table — so a program may name the class by
//! `MAKEINTATOM(atom)` wherever it takes a class name.
//!
//! `hInstance` is kept but not part of a class's identity: every module of the process shares
//! one set of classes (as if each were registered with `CS_GLOBALCLASS`).

use std::ffi::{c_char, c_void};
use std::io;
use std::sync::Mutex;

use w32ipc::error::{
    ERROR_CLASS_ALREADY_EXISTS, ERROR_CLASS_DOES_NOT_EXIST, ERROR_CLASS_HAS_WINDOWS,
    ERROR_INVALID_PARAMETER, ERROR_NOACCESS,
};

use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::types::*;

/// `WNDCLASSA` (`C` = `c_char`) / `WNDCLASSW` (`C` = `WCHAR`).
#[repr(C)]
pub struct WNDCLASS<C> {
    /// `CS_*` class styles (kept, otherwise unused: nothing is drawn).
    pub style: UINT,
    /// The procedure windows of the class start with.
    pub lpfnWndProc: WNDPROC,
    /// Extra bytes per class (accepted, not kept).
    pub cbClsExtra: i32,
    /// Extra bytes per window, read with `GetWindowLongPtr(hwnd, offset)`.
    pub cbWndExtra: i32,
    /// The registering module.
    pub hInstance: HINSTANCE,
    /// Unused (no drawing).
    pub hIcon: *mut c_void,
    /// Unused (no drawing).
    pub hCursor: *mut c_void,
    /// Unused (no drawing).
    pub hbrBackground: *mut c_void,
    /// Unused (no menus).
    pub lpszMenuName: *const C,
    /// The class name, or an atom (`MAKEINTATOM`).
    pub lpszClassName: *const C,
}

/// `WNDCLASSEXA` / `WNDCLASSEXW`: [`WNDCLASS`] with its size first and a small icon last.
#[repr(C)]
pub struct WNDCLASSEX<C> {
    /// `sizeof(WNDCLASSEX)`; anything else fails with `ERROR_INVALID_PARAMETER`.
    pub cbSize: UINT,
    /// As in [`WNDCLASS`].
    pub style: UINT,
    /// As in [`WNDCLASS`].
    pub lpfnWndProc: WNDPROC,
    /// As in [`WNDCLASS`].
    pub cbClsExtra: i32,
    /// As in [`WNDCLASS`].
    pub cbWndExtra: i32,
    /// As in [`WNDCLASS`].
    pub hInstance: HINSTANCE,
    /// Unused.
    pub hIcon: *mut c_void,
    /// Unused.
    pub hCursor: *mut c_void,
    /// Unused.
    pub hbrBackground: *mut c_void,
    /// Unused.
    pub lpszMenuName: *const C,
    /// As in [`WNDCLASS`].
    pub lpszClassName: *const C,
    /// Unused.
    pub hIconSm: *mut c_void,
}

const _: () = assert!(std::mem::size_of::<WNDCLASS<u8>>() == 72);
const _: () = assert!(std::mem::size_of::<WNDCLASSEX<u16>>() == 80);

/// The most extra bytes a class may ask for (class or window), as Wine allows.
const MAX_EXTRA: i32 = 40_000;

/// A class name as Win32 functions take it: a string, or an atom (a pointer value below
/// 0x10000, `MAKEINTATOM`).
#[derive(Clone, Debug)]
pub(crate) enum ClassArg {
    /// `MAKEINTATOM(atom)`.
    Atom(ATOM),
    /// A name, as UTF-16.
    Name(Vec<u16>),
}

impl ClassArg {
    /// A narrow class-name argument; `None` for `NULL`.
    ///
    /// # Safety
    /// `p` is `NULL`, an atom, or a NUL-terminated string.
    pub(crate) unsafe fn from_a(p: *const c_char) -> Option<ClassArg> {
        match p as usize {
            0 => None,
            // MAKEINTATOM: the value is the atom, not an address.
            a @ 1..=0xFFFF => Some(ClassArg::Atom(a as ATOM)),
            _ => {
                // SAFETY: a NUL-terminated string, per the caller.
                let s = unsafe { crate::strings::from_a(p) }.unwrap_or_default();
                Some(ClassArg::Name(s.encode_utf16().collect()))
            }
        }
    }

    /// A wide class-name argument; `None` for `NULL`.
    ///
    /// # Safety
    /// `p` is `NULL`, an atom, or a NUL-terminated UTF-16 string.
    pub(crate) unsafe fn from_w(p: *const WCHAR) -> Option<ClassArg> {
        match p as usize {
            0 => None,
            a @ 1..=0xFFFF => Some(ClassArg::Atom(a as ATOM)),
            // SAFETY: a NUL-terminated string, per the caller.
            _ => Some(ClassArg::Name(
                unsafe { crate::strings::wide_units(p) }.to_vec(),
            )),
        }
    }
}

/// A registered class.
#[derive(Clone)]
pub(crate) struct Class {
    /// The name as registered (its case is what `GetClassName` gives back).
    pub(crate) name: Vec<u16>,
    /// The session's atom for the name.
    pub(crate) atom: ATOM,
    /// The procedure new windows start with.
    pub(crate) proc_: WNDPROC,
    /// Registered with `…W`: the procedure takes UTF-16 strings.
    pub(crate) unicode: bool,
    /// `cbWndExtra`.
    pub(crate) wnd_extra: usize,
}

impl Class {
    fn matches(&self, arg: &ClassArg) -> bool {
        match arg {
            ClassArg::Atom(a) => *a == self.atom,
            ClassArg::Name(n) => same_name(&self.name, n),
        }
    }
}

static CLASSES: Mutex<Vec<Class>> = Mutex::new(Vec::new());

fn classes() -> std::sync::MutexGuard<'static, Vec<Class>> {
    CLASSES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Folds one UTF-16 unit for a comparison without case (upper case, when that is one unit).
fn fold(c: u16) -> u16 {
    if c < 0x80 {
        return (c as u8).to_ascii_uppercase().into();
    }
    match char::from_u32(c.into()) {
        Some(ch) => {
            let mut up = ch.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) if (u as u32) < 0x1_0000 => u as u32 as u16,
                _ => c,
            }
        }
        None => c,
    }
}

/// Whether two class names are the same, ignoring case.
pub(crate) fn same_name(a: &[u16], b: &[u16]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || fold(*x) == fold(*y))
}

/// The class `arg` names, if it is registered.
pub(crate) fn find(arg: &ClassArg) -> Option<Class> {
    classes().iter().find(|c| c.matches(arg)).cloned()
}

/// What a registration asks for, from either structure.
struct Registration {
    name: Option<ClassArg>,
    proc_: WNDPROC,
    unicode: bool,
    cls_extra: i32,
    wnd_extra: i32,
}

fn register(r: Registration) -> io::Result<ATOM> {
    let name = match r.name {
        Some(ClassArg::Name(n)) if !n.is_empty() => n,
        // Registering under a bare atom (from GlobalAddAtom) is not supported.
        _ => return fail(ERROR_INVALID_PARAMETER),
    };
    if !(0..=MAX_EXTRA).contains(&r.cls_extra) || !(0..=MAX_EXTRA).contains(&r.wnd_extra) {
        return fail(ERROR_INVALID_PARAMETER);
    }
    let mut all = classes();
    if all.iter().any(|c| same_name(&c.name, &name)) {
        return fail(ERROR_CLASS_ALREADY_EXISTS);
    }
    let atom = w32ipc::msg::register_window_message_w(&name)? as ATOM;
    all.push(Class {
        name,
        atom,
        proc_: r.proc_,
        unicode: r.unicode,
        wnd_extra: r.wnd_extra as usize,
    });
    Ok(atom)
}

fn atom_result(r: io::Result<ATOM>) -> ATOM {
    match r {
        Ok(a) => a,
        Err(e) => {
            set_from(&e);
            0
        }
    }
}

/// `RegisterClassA`: registers a window class for this process; returns its atom, or 0 with
/// `ERROR_CLASS_ALREADY_EXISTS` (1410) when a class of that name (in any case, registered with
/// `…A` or `…W`) exists, `ERROR_INVALID_PARAMETER` for a NULL or empty name or negative or
/// too large extra-byte counts, `ERROR_NOACCESS` for a NULL structure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn RegisterClassA(lpWndClass: *const WNDCLASS<c_char>) -> ATOM {
    guard(0, || {
        if lpWndClass.is_null() {
            SetLastError(ERROR_NOACCESS);
            return 0;
        }
        // SAFETY: a valid WNDCLASSA, per the caller.
        let wc = unsafe { &*lpWndClass };
        atom_result(register(Registration {
            // SAFETY: NULL, an atom or a string, per the caller.
            name: unsafe { ClassArg::from_a(wc.lpszClassName) },
            proc_: wc.lpfnWndProc,
            unicode: false,
            cls_extra: wc.cbClsExtra,
            wnd_extra: wc.cbWndExtra,
        }))
    })
}

/// `RegisterClassW`: as [`RegisterClassA`]; the class's procedure gets UTF-16 strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn RegisterClassW(lpWndClass: *const WNDCLASS<WCHAR>) -> ATOM {
    guard(0, || {
        if lpWndClass.is_null() {
            SetLastError(ERROR_NOACCESS);
            return 0;
        }
        // SAFETY: a valid WNDCLASSW, per the caller.
        let wc = unsafe { &*lpWndClass };
        atom_result(register(Registration {
            // SAFETY: NULL, an atom or a string, per the caller.
            name: unsafe { ClassArg::from_w(wc.lpszClassName) },
            proc_: wc.lpfnWndProc,
            unicode: true,
            cls_extra: wc.cbClsExtra,
            wnd_extra: wc.cbWndExtra,
        }))
    })
}

/// `RegisterClassExA`: as [`RegisterClassA`]; a `cbSize` other than
/// `sizeof(WNDCLASSEXA)` fails with `ERROR_INVALID_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn RegisterClassExA(lpwcx: *const WNDCLASSEX<c_char>) -> ATOM {
    guard(0, || {
        if lpwcx.is_null() {
            SetLastError(ERROR_NOACCESS);
            return 0;
        }
        // SAFETY: a valid WNDCLASSEXA, per the caller.
        let wc = unsafe { &*lpwcx };
        if wc.cbSize as usize != std::mem::size_of::<WNDCLASSEX<c_char>>() {
            SetLastError(ERROR_INVALID_PARAMETER);
            return 0;
        }
        atom_result(register(Registration {
            // SAFETY: NULL, an atom or a string, per the caller.
            name: unsafe { ClassArg::from_a(wc.lpszClassName) },
            proc_: wc.lpfnWndProc,
            unicode: false,
            cls_extra: wc.cbClsExtra,
            wnd_extra: wc.cbWndExtra,
        }))
    })
}

/// `RegisterClassExW`: as [`RegisterClassExA`], with UTF-16 names.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn RegisterClassExW(lpwcx: *const WNDCLASSEX<WCHAR>) -> ATOM {
    guard(0, || {
        if lpwcx.is_null() {
            SetLastError(ERROR_NOACCESS);
            return 0;
        }
        // SAFETY: a valid WNDCLASSEXW, per the caller.
        let wc = unsafe { &*lpwcx };
        if wc.cbSize as usize != std::mem::size_of::<WNDCLASSEX<WCHAR>>() {
            SetLastError(ERROR_INVALID_PARAMETER);
            return 0;
        }
        atom_result(register(Registration {
            // SAFETY: NULL, an atom or a string, per the caller.
            name: unsafe { ClassArg::from_w(wc.lpszClassName) },
            proc_: wc.lpfnWndProc,
            unicode: true,
            cls_extra: wc.cbClsExtra,
            wnd_extra: wc.cbWndExtra,
        }))
    })
}

fn unregister(arg: Option<ClassArg>) -> io::Result<()> {
    let Some(arg) = arg else {
        return fail(ERROR_CLASS_DOES_NOT_EXIST);
    };
    let mut all = classes();
    let Some(i) = all.iter().position(|c| c.matches(&arg)) else {
        return fail(ERROR_CLASS_DOES_NOT_EXIST);
    };
    if crate::window::class_has_windows(all[i].atom) {
        return fail(ERROR_CLASS_HAS_WINDOWS);
    }
    all.remove(i);
    Ok(())
}

/// `UnregisterClassA`: removes a class (by name in any case, or atom) once none of its windows
/// is left: `ERROR_CLASS_HAS_WINDOWS` (1412) while one is, `ERROR_CLASS_DOES_NOT_EXIST` (1411)
/// for a name not registered. `hInstance` is not compared.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn UnregisterClassA(
    lpClassName: *const c_char,
    _hInstance: HINSTANCE,
) -> BOOL {
    // SAFETY: NULL, an atom or a string, per the caller.
    boolean(|| unregister(unsafe { ClassArg::from_a(lpClassName) }))
}

/// `UnregisterClassW`: as [`UnregisterClassA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn UnregisterClassW(
    lpClassName: *const WCHAR,
    _hInstance: HINSTANCE,
) -> BOOL {
    // SAFETY: NULL, an atom or a string, per the caller.
    boolean(|| unregister(unsafe { ClassArg::from_w(lpClassName) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case() {
        let a: Vec<u16> = "w32ipc-Class-é".encode_utf16().collect();
        let b: Vec<u16> = "W32IPC-CLASS-É".encode_utf16().collect();
        let c: Vec<u16> = "w32ipc-class-e".encode_utf16().collect();
        assert!(same_name(&a, &b));
        assert!(!same_name(&a, &c));
    }
}
