//! The Windows (LLP64) types of the C ABI.

use std::ffi::c_void;

/// 32-bit unsigned.
pub type DWORD = u32;
/// 32-bit Boolean: 0 is `FALSE`.
pub type BOOL = i32;
/// A 16-bit UTF-16 code unit.
pub type WCHAR = u16;
/// An opaque handle.
pub type HANDLE = *mut c_void;
/// Pointer-sized unsigned.
pub type ULONG_PTR = usize;
/// `ULONG`.
pub type ULONG = u32;
/// Pointer-sized signed.
pub type LONG_PTR = isize;
/// 32-bit unsigned.
pub type UINT = u32;
/// A window handle: the same value names the same window in every process of the session.
pub type HWND = *mut c_void;
/// A message's first parameter (pointer-sized unsigned).
pub type WPARAM = usize;
/// A message's second parameter (pointer-sized signed).
pub type LPARAM = isize;
/// A window procedure's result (pointer-sized signed).
pub type LRESULT = isize;
/// An atom (16 bits): a class name or a registered message number.
pub type ATOM = u16;
/// A module handle (`HINSTANCE`/`HMODULE`), opaque here.
pub type HINSTANCE = *mut c_void;
/// `WNDPROC`: a window procedure; `None` is a NULL pointer.
pub type WNDPROC = Option<unsafe extern "C" fn(HWND, UINT, WPARAM, LPARAM) -> LRESULT>;

/// `TRUE`.
pub const TRUE: BOOL = 1;
/// `FALSE`.
pub const FALSE: BOOL = 0;
/// `INVALID_HANDLE_VALUE`, which is also `GetCurrentProcess()`.
pub const INVALID_HANDLE_VALUE: HANDLE = -1isize as HANDLE;
/// `GetCurrentThread()`.
pub const CURRENT_THREAD: HANDLE = -2isize as HANDLE;
/// `INFINITE`.
pub const INFINITE: DWORD = 0xFFFF_FFFF;

/// `SECURITY_ATTRIBUTES`.
#[repr(C)]
pub struct SECURITY_ATTRIBUTES {
    /// Size of the structure.
    pub nLength: DWORD,
    /// The security descriptor (any; only `NULL` DACLs are meaningful here).
    pub lpSecurityDescriptor: *mut c_void,
    /// Whether the new handle is inheritable.
    pub bInheritHandle: BOOL,
}

/// `STARTUPINFOA` / `STARTUPINFOW` (the string pointers differ only in type).
#[repr(C)]
pub struct STARTUPINFO<C> {
    /// Size of the structure.
    pub cb: DWORD,
    /// Reserved.
    pub lpReserved: *mut C,
    /// Desktop name.
    pub lpDesktop: *mut C,
    /// Console title.
    pub lpTitle: *mut C,
    /// Window position.
    pub dwX: DWORD,
    /// Window position.
    pub dwY: DWORD,
    /// Window size.
    pub dwXSize: DWORD,
    /// Window size.
    pub dwYSize: DWORD,
    /// Console size.
    pub dwXCountChars: DWORD,
    /// Console size.
    pub dwYCountChars: DWORD,
    /// Console colours.
    pub dwFillAttribute: DWORD,
    /// `STARTF_*` flags.
    pub dwFlags: DWORD,
    /// Show command.
    pub wShowWindow: u16,
    /// Reserved.
    pub cbReserved2: u16,
    /// Reserved.
    pub lpReserved2: *mut u8,
    /// Standard input, with `STARTF_USESTDHANDLES`.
    pub hStdInput: HANDLE,
    /// Standard output, with `STARTF_USESTDHANDLES`.
    pub hStdOutput: HANDLE,
    /// Standard error, with `STARTF_USESTDHANDLES`.
    pub hStdError: HANDLE,
}

/// `PROCESS_INFORMATION`.
#[repr(C)]
pub struct PROCESS_INFORMATION {
    /// The new process.
    pub hProcess: HANDLE,
    /// Its main thread.
    pub hThread: HANDLE,
    /// Its id.
    pub dwProcessId: DWORD,
    /// Its main thread's id.
    pub dwThreadId: DWORD,
}

const _: () = assert!(std::mem::size_of::<SECURITY_ATTRIBUTES>() == 24);
const _: () = assert!(std::mem::size_of::<STARTUPINFO<u8>>() == 104);
const _: () = assert!(std::mem::size_of::<PROCESS_INFORMATION>() == 24);
