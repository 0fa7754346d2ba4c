//! `GetModuleHandle` and `GetProcAddress` over this library's own exports, so Win32 programs
//! that look functions up at run time (`GetProcAddress(GetModuleHandle("kernel32"),
//! "CancelIoEx")`) find them.

use std::ffi::{CStr, CString, c_char, c_void};
use std::io;
use std::path::PathBuf;
use std::sync::OnceLock;

use w32ipc::error::{ERROR_MOD_NOT_FOUND, ERROR_PROC_NOT_FOUND};

use crate::last_error::{SetLastError, guard};
use crate::strings::{from_a, from_w};
use crate::types::*;

/// The system modules whose functions this library provides.
const PROVIDED: &[&str] = &[
    "kernel32",
    "kernelbase",
    "user32",
    "advapi32",
    "ntdll",
    "w32ipc",
    "libw32ipc",
];

/// The `dlopen` handle of the object that holds this library's code (the shared library, or
/// the program it was linked into statically).
fn own() -> &'static (usize, PathBuf) {
    static OWN: OnceLock<(usize, PathBuf)> = OnceLock::new();
    OWN.get_or_init(|| {
        // SAFETY: dladdr only reads loader tables about an address of our own code.
        let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
        let addr = GetProcAddress as *const c_void;
        // SAFETY: `info` is a valid out-parameter.
        let found = unsafe { libc::dladdr(addr, &mut info) } != 0 && !info.dli_fname.is_null();
        let path = if found {
            // SAFETY: dladdr returned a NUL-terminated file name.
            PathBuf::from(
                unsafe { CStr::from_ptr(info.dli_fname) }
                    .to_string_lossy()
                    .into_owned(),
            )
        } else {
            std::env::current_exe().unwrap_or_default()
        };
        let c = CString::new(path.to_string_lossy().as_bytes()).unwrap_or_default();
        // SAFETY: the object is loaded already (it holds this code); RTLD_NOLOAD only finds it.
        let mut handle = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_LAZY | libc::RTLD_NOLOAD) };
        if handle.is_null() {
            // SAFETY: dlopen(NULL) returns the main program's handle.
            handle = unsafe { libc::dlopen(std::ptr::null(), libc::RTLD_LAZY) };
        }
        (handle as usize, path)
    })
}

/// The module handle standing for this library.
pub fn own_module() -> *mut c_void {
    own().0 as *mut c_void
}

/// The file this library's code lives in.
pub fn own_path() -> io::Result<PathBuf> {
    Ok(own().1.clone())
}

fn module_handle(name: Option<String>) -> HANDLE {
    let Some(name) = name else {
        return own_module();
    };
    let base = name
        .rsplit(['\\', '/'])
        .next()
        .unwrap_or(&name)
        .to_ascii_lowercase();
    let base = base
        .strip_suffix(".dll")
        .or_else(|| base.strip_suffix(".so"))
        .unwrap_or(&base);
    if PROVIDED.contains(&base) {
        own_module()
    } else {
        SetLastError(ERROR_MOD_NOT_FOUND);
        std::ptr::null_mut()
    }
}

/// `GetModuleHandleA`: `NULL` or a system module name (`"kernel32"`, `"kernel32.dll"`,
/// `"user32"`, …) gives the module that provides them here.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleHandleA(lpModuleName: *const c_char) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: NULL or a NUL-terminated string, per the caller.
        let name = unsafe { from_a(lpModuleName) };
        module_handle(name)
    })
}

/// `GetModuleHandleW`: as [`GetModuleHandleA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleHandleW(lpModuleName: *const WCHAR) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: NULL or a NUL-terminated string, per the caller.
        let name = unsafe { from_w(lpModuleName) };
        module_handle(name)
    })
}

/// `GetProcAddress`: the address of an exported function by name. Ordinals are not supported
/// (`ERROR_PROC_NOT_FOUND`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetProcAddress(hModule: HANDLE, lpProcName: *const c_char) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        if hModule.is_null() || (lpProcName as usize) < 0x10000 {
            SetLastError(ERROR_PROC_NOT_FOUND);
            return std::ptr::null_mut();
        }
        // SAFETY: a module handle from GetModuleHandle and a NUL-terminated name.
        let sym = unsafe { libc::dlsym(hModule, lpProcName) };
        if sym.is_null() {
            SetLastError(ERROR_PROC_NOT_FOUND);
        }
        sym
    })
}
