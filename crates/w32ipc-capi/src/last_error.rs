//! The thread's last error (`GetLastError`/`SetLastError`) and the panic boundary every export
//! runs in.

use std::cell::Cell;
use std::io;

use w32ipc::error::{ERROR_IO_DEVICE, Win32ErrorExt};

use crate::types::DWORD;

thread_local! {
    static LAST_ERROR: Cell<DWORD> = const { Cell::new(0) };
}

/// The calling thread's last error code.
#[unsafe(no_mangle)]
pub extern "C" fn GetLastError() -> DWORD {
    LAST_ERROR.with(Cell::get)
}

/// Sets the calling thread's last error code.
#[unsafe(no_mangle)]
pub extern "C" fn SetLastError(code: DWORD) {
    LAST_ERROR.with(|c| c.set(code));
}

/// Sets the last error from an `io::Error`.
pub fn set_from(err: &io::Error) {
    SetLastError(err.win32_code());
}

/// Runs an export's body: a panic becomes `fallback` with `ERROR_IO_DEVICE` instead of
/// unwinding into C.
pub fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(_) => {
            SetLastError(ERROR_IO_DEVICE);
            fallback
        }
    }
}

/// Runs a `BOOL` export: `Ok` is `TRUE`, `Err` sets the last error and is `FALSE`.
pub fn boolean(body: impl FnOnce() -> io::Result<()>) -> crate::types::BOOL {
    guard(crate::types::FALSE, || match body() {
        Ok(()) => crate::types::TRUE,
        Err(e) => {
            set_from(&e);
            crate::types::FALSE
        }
    })
}

/// Fails with the Win32 `code`.
pub fn fail<T>(code: DWORD) -> io::Result<T> {
    Err(w32ipc::error::win32(code))
}
