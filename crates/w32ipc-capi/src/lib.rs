//! The C ABI of w32ipc: the Win32 functions, by their Win32 names, over the `w32ipc` library.
//!
//! Build with `cargo build --release`; link a Win32 C program with
//! `gcc prog.c -I crates/w32ipc-capi/include -L target/release -lw32ipc -lpthread` and run it
//! with `LD_LIBRARY_PATH=target/release`.
//!
//! Conventions every export keeps:
//! * Types are Windows' (LLP64): `DWORD`/`BOOL` are 32-bit, `HANDLE` is pointer-sized, `WCHAR`
//!   is UTF-16. `A` functions take UTF-8 (the "ANSI" code page here), `W` functions UTF-16.
//! * Failures return what Win32 returns (`FALSE`, `NULL`, `INVALID_HANDLE_VALUE`, …) and set
//!   the thread's last error ([`GetLastError`](last_error::GetLastError)).
//! * Every export is a panic boundary: a Rust panic never unwinds into C; it fails the call
//!   with `ERROR_INTERNAL_ERROR`-like `ERROR_IO_DEVICE` instead.
//! * Pointers come from C and are checked for `NULL`; beyond that, like Win32, a function
//!   trusts the lengths it is given (a bad pointer is the caller's fault, as on Windows).

#![allow(non_snake_case, non_camel_case_types, clippy::missing_safety_doc)]

pub mod apc;
pub mod critical;
pub mod file;
pub mod file_io;
pub mod handles;
pub mod last_error;
pub mod loader;
pub mod lstr;
pub mod mapping;
pub mod message;
pub mod misc;
pub mod msg_wait;
pub mod npipe;
pub mod overlapped;
pub mod process;
pub mod strings;
pub mod sync;
pub mod thread;
pub mod types;
pub mod wait;
pub mod window;
pub mod window_class;
pub mod window_long;

/// Runs when the library is loaded: Win32 programs expect `ERROR_NO_DATA` from a write to a
/// pipe with no reader, never a `SIGPIPE`.
#[used]
#[unsafe(link_section = ".init_array")]
static INIT: extern "C" fn() = init;

extern "C" fn init() {
    w32ipc::process::init_win32_process();
    process::capture_command_line();
    // Other processes may give us handles (DuplicateHandle); without the server they fail
    // with ERROR_ACCESS_DENIED, which is all a failure here means.
    let _ = w32ipc::process::accept_duplicated_handles();
}
