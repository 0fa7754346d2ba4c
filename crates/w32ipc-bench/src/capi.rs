//! The C ABI (`libw32ipc.so` from the `w32ipc-capi` crate), loaded at run time.
//!
//! The C ABI crate builds only a `cdylib` and a `staticlib`, so it cannot be a Rust
//! dependency; the benchmark loads the shared library with `dlopen` when it has been built
//! (`cargo build --release -p w32ipc-capi`) and skips its figures otherwise.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::io;
use std::path::{Path, PathBuf};
use std::ptr;

type Bool = c_int;
type Dword = u32;
type Handle = *mut c_void;

/// `STARTUPINFOA`, laid out as on 64-bit Windows (104 bytes).
#[repr(C)]
struct StartupInfoA {
    cb: Dword,
    reserved: *mut c_char,
    desktop: *mut c_char,
    title: *mut c_char,
    x: Dword,
    y: Dword,
    x_size: Dword,
    y_size: Dword,
    x_count_chars: Dword,
    y_count_chars: Dword,
    fill_attribute: Dword,
    flags: Dword,
    show_window: u16,
    cb_reserved2: u16,
    reserved2: *mut u8,
    std_input: Handle,
    std_output: Handle,
    std_error: Handle,
}

/// `PROCESS_INFORMATION`.
#[repr(C)]
struct ProcessInformation {
    process: Handle,
    thread: Handle,
    process_id: Dword,
    thread_id: Dword,
}

const _: () = assert!(size_of::<StartupInfoA>() == 104);
const _: () = assert!(size_of::<ProcessInformation>() == 24);

const INFINITE: Dword = 0xFFFF_FFFF;
const WAIT_OBJECT_0: Dword = 0;

type CreateProcessA = unsafe extern "C" fn(
    *const c_char,
    *mut c_char,
    *const c_void,
    *const c_void,
    Bool,
    Dword,
    *const c_void,
    *const c_char,
    *const StartupInfoA,
    *mut ProcessInformation,
) -> Bool;
type WaitForSingleObject = unsafe extern "C" fn(Handle, Dword) -> Dword;
type GetExitCodeProcess = unsafe extern "C" fn(Handle, *mut Dword) -> Bool;
type CloseHandle = unsafe extern "C" fn(Handle) -> Bool;
type GetLastError = unsafe extern "C" fn() -> Dword;

/// The loaded C ABI: the functions the spawn figures call.
pub struct CApi {
    path: PathBuf,
    create_process: CreateProcessA,
    wait: WaitForSingleObject,
    exit_code: GetExitCodeProcess,
    close: CloseHandle,
    last_error: GetLastError,
}

impl CApi {
    /// Loads `explicit`, or else `libw32ipc.so` from beside this executable or its parent
    /// directory (`target/release/` holds it; benches run from `target/release/deps/`).
    pub fn find(explicit: Option<&Path>) -> io::Result<CApi> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let exe = std::env::current_exe()?;
                exe.ancestors()
                    .skip(1)
                    .take(2)
                    .map(|dir| dir.join("libw32ipc.so"))
                    .find(|p| p.is_file())
                    .ok_or_else(|| {
                        io::Error::other(
                            "libw32ipc.so not built (cargo build --release -p w32ipc-capi)",
                        )
                    })?
            }
        };
        CApi::load(path)
    }

    /// The library's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load(path: PathBuf) -> io::Result<CApi> {
        let cpath = CString::new(path.as_os_str().as_encoded_bytes()).map_err(io::Error::other)?;
        // SAFETY: a NUL-terminated path. The library's initialiser only sets SIGPIPE to
        // SIG_IGN, which Rust programs already do. The library is never unloaded, so the
        // function pointers taken below stay valid for the life of the process.
        let lib = unsafe { libc::dlopen(cpath.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if lib.is_null() {
            return Err(io::Error::other(format!(
                "dlopen {}: {}",
                path.display(),
                dl_error()
            )));
        }
        let sym = |name: &CStr| -> io::Result<*mut c_void> {
            // SAFETY: `lib` is a live handle from dlopen and `name` is NUL-terminated.
            let p = unsafe { libc::dlsym(lib, name.as_ptr()) };
            if p.is_null() {
                Err(io::Error::other(format!("dlsym {name:?}: {}", dl_error())))
            } else {
                Ok(p)
            }
        };
        // SAFETY: each symbol is the `extern "C"` function of that Win32 name exported by the
        // C ABI crate, with the signature the type alias spells out (checked against
        // crates/w32ipc-capi/src/{process,wait,handles,last_error}.rs).
        unsafe {
            Ok(CApi {
                create_process: std::mem::transmute::<*mut c_void, CreateProcessA>(sym(
                    c"CreateProcessA",
                )?),
                wait: std::mem::transmute::<*mut c_void, WaitForSingleObject>(sym(
                    c"WaitForSingleObject",
                )?),
                exit_code: std::mem::transmute::<*mut c_void, GetExitCodeProcess>(sym(
                    c"GetExitCodeProcess",
                )?),
                close: std::mem::transmute::<*mut c_void, CloseHandle>(sym(c"CloseHandle")?),
                last_error: std::mem::transmute::<*mut c_void, GetLastError>(sym(c"GetLastError")?),
                path,
            })
        }
    }

    /// `CreateProcessA(NULL, program, …, bInheritHandles, 0, …)`, then
    /// `WaitForSingleObject(INFINITE)`, `GetExitCodeProcess` (which must be 0) and
    /// `CloseHandle` on the process and thread handles.
    pub fn spawn_and_wait(&self, program: &str, inherit: bool) -> io::Result<()> {
        let mut line: Vec<u8> = program.bytes().chain([0]).collect();
        let si = StartupInfoA {
            cb: size_of::<StartupInfoA>() as Dword,
            reserved: ptr::null_mut(),
            desktop: ptr::null_mut(),
            title: ptr::null_mut(),
            x: 0,
            y: 0,
            x_size: 0,
            y_size: 0,
            x_count_chars: 0,
            y_count_chars: 0,
            fill_attribute: 0,
            flags: 0,
            show_window: 0,
            cb_reserved2: 0,
            reserved2: ptr::null_mut(),
            std_input: ptr::null_mut(),
            std_output: ptr::null_mut(),
            std_error: ptr::null_mut(),
        };
        let mut pi = ProcessInformation {
            process: ptr::null_mut(),
            thread: ptr::null_mut(),
            process_id: 0,
            thread_id: 0,
        };
        // SAFETY: the command line is a writable NUL-terminated buffer, the structures are
        // laid out as the C ABI expects and outlive the call, and the other pointers are NULL,
        // which CreateProcessA accepts.
        let ok = unsafe {
            (self.create_process)(
                ptr::null(),
                line.as_mut_ptr().cast(),
                ptr::null(),
                ptr::null(),
                Bool::from(inherit),
                0,
                ptr::null(),
                ptr::null(),
                &si,
                &mut pi,
            )
        };
        if ok == 0 {
            return Err(self.error("CreateProcessA"));
        }
        let mut code: Dword = 0;
        // SAFETY: the handles were just returned by CreateProcessA and are closed only here;
        // `code` is a valid out-pointer.
        let (waited, got) = unsafe {
            let waited = (self.wait)(pi.process, INFINITE);
            let got = (self.exit_code)(pi.process, &mut code);
            (self.close)(pi.thread);
            (self.close)(pi.process);
            (waited, got)
        };
        if waited != WAIT_OBJECT_0 || got == 0 {
            return Err(self.error("WaitForSingleObject/GetExitCodeProcess"));
        }
        if code != 0 {
            return Err(io::Error::other(format!("{program} exited with {code}")));
        }
        Ok(())
    }

    fn error(&self, call: &str) -> io::Error {
        // SAFETY: GetLastError takes no arguments and reads a thread-local.
        let code = unsafe { (self.last_error)() };
        io::Error::other(format!("{call} failed, GetLastError() = {code}"))
    }
}

fn dl_error() -> String {
    // SAFETY: dlerror returns NULL or a NUL-terminated message valid until the next dl call
    // on this thread; it is copied at once.
    unsafe {
        let msg = libc::dlerror();
        if msg.is_null() {
            "unknown error".to_string()
        } else {
            CStr::from_ptr(msg).to_string_lossy().into_owned()
        }
    }
}
