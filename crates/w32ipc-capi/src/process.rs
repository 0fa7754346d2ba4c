//! Processes: `CreateProcessA/W`, `OpenProcess`, `TerminateProcess`, `GetExitCodeProcess`,
//! `ExitProcess`, ids, `GetModuleFileName`, `GetCommandLine`, `Sleep`.

use std::ffi::{c_char, c_void};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use w32ipc::Handle;
use w32ipc::error::{
    ERROR_FILE_NOT_FOUND, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, win32,
};
use w32ipc::process::{
    Process, ProcessBuilder, STILL_ACTIVE, join_command_line, split_command_line,
};

use crate::handles::{borrow, borrow_process, give, is_current_process, std_handle};
use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::strings::{from_a, from_w, to_a, to_w, wide_units};
use crate::types::*;

/// `STARTF_USESTDHANDLES`.
pub const STARTF_USESTDHANDLES: DWORD = 0x100;
/// `CREATE_UNICODE_ENVIRONMENT`.
pub const CREATE_UNICODE_ENVIRONMENT: DWORD = 0x400;
/// `CREATE_NEW_PROCESS_GROUP`.
pub const CREATE_NEW_PROCESS_GROUP: DWORD = 0x200;

/// Creation flags that need nothing on Linux (consoles, windows, priority classes, error
/// modes, jobs) and are accepted as they are.
const HARMLESS_FLAGS: DWORD = 0x0000_0008 // DETACHED_PROCESS
    | 0x0000_0010 // CREATE_NEW_CONSOLE
    | 0x0000_0020 // NORMAL_PRIORITY_CLASS
    | 0x0000_0040 // IDLE_PRIORITY_CLASS
    | 0x0000_0080 // HIGH_PRIORITY_CLASS
    | 0x0000_0100 // REALTIME_PRIORITY_CLASS
    | 0x0000_4000 // BELOW_NORMAL_PRIORITY_CLASS
    | 0x0000_8000 // ABOVE_NORMAL_PRIORITY_CLASS
    | 0x0001_0000 // INHERIT_PARENT_AFFINITY
    | 0x0100_0000 // CREATE_BREAKAWAY_FROM_JOB
    | 0x0400_0000 // CREATE_DEFAULT_ERROR_MODE
    | 0x0800_0000; // CREATE_NO_WINDOW

/// What `CreateProcess` was asked, with the strings decoded.
struct Request {
    application: Option<String>,
    command_line: Option<String>,
    inherit_handles: bool,
    flags: DWORD,
    environment: Option<Vec<(String, String)>>,
    directory: Option<String>,
    std_handles: Option<[HANDLE; 3]>,
}

/// Finds the program a Windows command names: a path is taken as it is (with `\` as `/`); a
/// bare name is looked for in the directory of this program, the current directory and `PATH`.
/// A trailing `.exe` may be left off on disk, as Linux programs have none.
fn resolve_program(name: &str) -> io::Result<PathBuf> {
    let candidates = |p: &Path| -> Option<PathBuf> {
        if p.is_file() {
            return Some(p.to_path_buf());
        }
        let s = p.to_str()?;
        let stem = s.strip_suffix(".exe").or_else(|| s.strip_suffix(".EXE"))?;
        Path::new(stem).is_file().then(|| PathBuf::from(stem))
    };
    let name = name.replace('\\', "/");
    if name.contains('/') {
        return candidates(Path::new(&name)).ok_or_else(|| win32(ERROR_FILE_NOT_FOUND));
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(dir);
    }
    dirs.push(PathBuf::from("."));
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.iter()
        .find_map(|d| candidates(&d.join(&name)))
        .ok_or_else(|| win32(ERROR_FILE_NOT_FOUND))
}

/// A child's standard handle: `h` if it is an open handle, else `/dev/null` (the child of a
/// Windows process gets a dead handle value then; a closed descriptor 0–2 would be reused by
/// the child's first open).
fn std_for(h: HANDLE) -> io::Result<Handle> {
    match borrow(h) {
        Ok(h) => h.try_clone(false),
        Err(_) => Ok(Handle::from(std::os::fd::OwnedFd::from(
            std::fs::File::open("/dev/null")?,
        ))),
    }
}

/// The environment variable that carries the exact command line to a child, so that its
/// `GetCommandLine` returns what the parent passed, spaces and quotes as they were.
const COMMAND_LINE_VAR: &str = "W32IPC_COMMAND_LINE";

/// The command line this process was started with, when its parent passed one that splits
/// into our arguments (so an inherited, stale value is never used).
static GIVEN_COMMAND_LINE: OnceLock<Option<String>> = OnceLock::new();

/// Takes the command line a w32ipc parent passed, and removes it from the environment so that
/// it does not leak into our own children. Runs from the library's constructor.
pub fn capture_command_line() {
    let given = std::env::var(COMMAND_LINE_VAR).ok();
    if given.is_some() {
        // SAFETY: runs in the library constructor, before `main` and before this library has
        // started any thread; nothing reads the environment concurrently.
        unsafe { std::env::remove_var(COMMAND_LINE_VAR) };
    }
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let given = given.filter(|line| split_command_line(line) == args);
    let _ = GIVEN_COMMAND_LINE.set(given);
}

fn create_process(req: Request) -> io::Result<(Process, Handle)> {
    let unsupported =
        req.flags & !(HARMLESS_FLAGS | CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP);
    if unsupported != 0 {
        // CREATE_SUSPENDED, DEBUG_PROCESS, EXTENDED_STARTUPINFO_PRESENT, … are not provided.
        return fail(ERROR_INVALID_PARAMETER);
    }
    let line = match (&req.command_line, &req.application) {
        (Some(line), _) if !line.trim().is_empty() => line.clone(),
        (_, Some(app)) => join_command_line([app.as_str()]),
        _ => return fail(ERROR_INVALID_PARAMETER),
    };
    let args = split_command_line(&line);
    let program = match &req.application {
        Some(app) => resolve_program(app)?,
        None => resolve_program(&args[0])?,
    };
    let std_values = req
        .std_handles
        .unwrap_or_else(|| [std_handle(0), std_handle(1), std_handle(2)]);
    let redirect = req.std_handles.is_some()
        || std_values
            .iter()
            .enumerate()
            .any(|(i, h)| *h as usize != (i + 1) * 4);
    let std: Vec<Handle> = if redirect {
        std_values
            .iter()
            .map(|h| std_for(*h))
            .collect::<io::Result<_>>()?
    } else {
        Vec::new()
    };
    let mut builder = ProcessBuilder::new(&program)
        .args(args)
        .inherit_handles(req.inherit_handles)
        .new_process_group(req.flags & CREATE_NEW_PROCESS_GROUP != 0);
    if let Some(env) = &req.environment {
        builder = builder.env_clear_and_set(env.iter().cloned());
    }
    builder = builder.env(COMMAND_LINE_VAR, &line);
    if let Some(dir) = &req.directory {
        builder = builder.current_dir(dir.replace('\\', "/"));
    }
    if let [i, o, e] = &std[..] {
        builder = builder.stdin(i).stdout(o).stderr(e);
    }
    let process = builder.spawn()?;
    let thread = process.open_main_thread()?;
    Ok((process, thread))
}

/// Decodes an environment block: `NAME=value` strings, each NUL-terminated, then an empty one.
///
/// # Safety
/// `block` points to a well-formed block of narrow (`wide == false`) or UTF-16 strings.
unsafe fn environment(block: *const c_void, wide: bool) -> Vec<(String, String)> {
    let mut vars = Vec::new();
    let mut offset = 0usize;
    loop {
        let entry = if wide {
            // SAFETY: within the block, per the caller.
            let units = unsafe { wide_units(block.cast::<u16>().add(offset)) };
            offset += units.len() + 1;
            String::from_utf16_lossy(units)
        } else {
            // SAFETY: within the block, per the caller.
            let s = unsafe { from_a(block.cast::<c_char>().add(offset)) }.unwrap_or_default();
            offset += s.len() + 1;
            s
        };
        if entry.is_empty() {
            break;
        }
        // Windows keeps per-drive "=C:=C:\\" entries: they start with '='.
        if let Some((k, v)) = entry[1..]
            .split_once('=')
            .map(|(k, v)| (&entry[..k.len() + 1], v))
        {
            vars.push((k.to_owned(), v.to_owned()));
        }
    }
    vars
}

/// The part of `CreateProcessA/W` after the strings are decoded.
///
/// # Safety
/// The pointers are as `CreateProcess` documents them.
unsafe fn finish_create<C>(
    mut req: Request,
    lpEnvironment: *const c_void,
    lpStartupInfo: *const STARTUPINFO<C>,
    lpProcessInformation: *mut PROCESS_INFORMATION,
) -> io::Result<()> {
    if lpStartupInfo.is_null() || lpProcessInformation.is_null() {
        return fail(ERROR_NOACCESS);
    }
    // SAFETY: non-null STARTUPINFO from the caller.
    let si = unsafe { &*lpStartupInfo };
    if si.dwFlags & STARTF_USESTDHANDLES != 0 {
        req.std_handles = Some([si.hStdInput, si.hStdOutput, si.hStdError]);
    }
    if !lpEnvironment.is_null() {
        // SAFETY: a well-formed environment block, per the caller.
        req.environment = Some(unsafe {
            environment(lpEnvironment, req.flags & CREATE_UNICODE_ENVIRONMENT != 0)
        });
    }
    let (process, thread) = create_process(req)?;
    let pid = process.id();
    // SAFETY: non-null out-pointer from the caller.
    unsafe {
        *lpProcessInformation = PROCESS_INFORMATION {
            hProcess: give(process.into_handle()),
            hThread: give(thread),
            dwProcessId: pid,
            dwThreadId: pid,
        };
    }
    Ok(())
}

/// `CreateProcessA`: starts a program. The command line is split by the Windows rules into the
/// child's `argv`; the program is `lpApplicationName` or the first word, found as
/// `resolve_program` says. With `bInheritHandles` the child gets every inheritable handle, at
/// the same value; `STARTF_USESTDHANDLES` sets its standard handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateProcessA(
    lpApplicationName: *const c_char,
    lpCommandLine: *mut c_char,
    _lpProcessAttributes: *const SECURITY_ATTRIBUTES,
    _lpThreadAttributes: *const SECURITY_ATTRIBUTES,
    bInheritHandles: BOOL,
    dwCreationFlags: DWORD,
    lpEnvironment: *const c_void,
    lpCurrentDirectory: *const c_char,
    lpStartupInfo: *const STARTUPINFO<c_char>,
    lpProcessInformation: *mut PROCESS_INFORMATION,
) -> BOOL {
    boolean(|| {
        // SAFETY: NULL or NUL-terminated strings, per the caller.
        let req = unsafe {
            Request {
                application: from_a(lpApplicationName),
                command_line: from_a(lpCommandLine),
                inherit_handles: bInheritHandles != 0,
                flags: dwCreationFlags,
                environment: None,
                directory: from_a(lpCurrentDirectory),
                std_handles: None,
            }
        };
        // SAFETY: per the caller.
        unsafe { finish_create(req, lpEnvironment, lpStartupInfo, lpProcessInformation) }
    })
}

/// `CreateProcessW`: as [`CreateProcessA`], with UTF-16 strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateProcessW(
    lpApplicationName: *const WCHAR,
    lpCommandLine: *mut WCHAR,
    _lpProcessAttributes: *const SECURITY_ATTRIBUTES,
    _lpThreadAttributes: *const SECURITY_ATTRIBUTES,
    bInheritHandles: BOOL,
    dwCreationFlags: DWORD,
    lpEnvironment: *const c_void,
    lpCurrentDirectory: *const WCHAR,
    lpStartupInfo: *const STARTUPINFO<WCHAR>,
    lpProcessInformation: *mut PROCESS_INFORMATION,
) -> BOOL {
    boolean(|| {
        // SAFETY: NULL or NUL-terminated strings, per the caller.
        let req = unsafe {
            Request {
                application: from_w(lpApplicationName),
                command_line: from_w(lpCommandLine),
                inherit_handles: bInheritHandles != 0,
                flags: dwCreationFlags,
                environment: None,
                directory: from_w(lpCurrentDirectory),
                std_handles: None,
            }
        };
        // SAFETY: per the caller.
        unsafe { finish_create(req, lpEnvironment, lpStartupInfo, lpProcessInformation) }
    })
}

/// `OpenProcess`: a handle to the process `dwProcessId` (access rights are not enforced
/// beyond the same-user rule).
#[unsafe(no_mangle)]
pub extern "C" fn OpenProcess(
    _dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    dwProcessId: DWORD,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        let opened = Process::open(dwProcessId).and_then(|p| {
            let h = p.into_handle();
            h.set_inheritable(bInheritHandle != 0)?;
            Ok(h)
        });
        match opened {
            Ok(h) => give(h),
            Err(e) => {
                set_from(&e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `TerminateProcess`: ends the process at once; this process then reads `uExitCode` as its
/// exit code.
#[unsafe(no_mangle)]
pub extern "C" fn TerminateProcess(hProcess: HANDLE, uExitCode: UINT) -> BOOL {
    boolean(|| {
        if is_current_process(hProcess) {
            std::process::exit(uExitCode as i32);
        }
        borrow_process(hProcess)?.terminate(uExitCode)
    })
}

/// `GetExitCodeProcess`: the exit code, or `STILL_ACTIVE` (259) while the process runs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetExitCodeProcess(hProcess: HANDLE, lpExitCode: *mut DWORD) -> BOOL {
    boolean(|| {
        let code = if is_current_process(hProcess) {
            STILL_ACTIVE
        } else {
            borrow_process(hProcess)?
                .exit_code()?
                .unwrap_or(STILL_ACTIVE)
        };
        if lpExitCode.is_null() {
            return fail(ERROR_NOACCESS);
        }
        // SAFETY: non-null out-pointer from the caller.
        unsafe { *lpExitCode = code };
        Ok(())
    })
}

/// `GetProcessId`: the id of the process behind a handle (0 and `ERROR_INVALID_HANDLE` if none).
#[unsafe(no_mangle)]
pub extern "C" fn GetProcessId(Process: HANDLE) -> DWORD {
    guard(0, || {
        if is_current_process(Process) {
            return std::process::id();
        }
        match borrow_process(Process) {
            Ok(p) => p.id(),
            Err(e) => {
                set_from(&e);
                0
            }
        }
    })
}

/// `GetCurrentProcessId`.
#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentProcessId() -> DWORD {
    std::process::id()
}

/// `GetCurrentThreadId`: the kernel's thread id (the main thread's is the process id).
#[unsafe(no_mangle)]
pub extern "C" fn GetCurrentThreadId() -> DWORD {
    w32ipc::process::current_thread_id()
}

/// `ExitProcess`: ends the process with `uExitCode` (Linux keeps its low 8 bits).
#[unsafe(no_mangle)]
pub extern "C" fn ExitProcess(uExitCode: UINT) -> ! {
    std::process::exit(uExitCode as i32)
}

/// `Sleep`.
#[unsafe(no_mangle)]
pub extern "C" fn Sleep(dwMilliseconds: DWORD) {
    guard((), || match crate::wait::timeout(dwMilliseconds) {
        Some(t) => std::thread::sleep(t),
        None => loop {
            std::thread::park();
        },
    })
}

/// `SleepEx`: as `Sleep`; alertable, it returns `WAIT_IO_COMPLETION` as soon as it has run
/// queued I/O completion routines (those queued before the call run at once).
#[unsafe(no_mangle)]
pub extern "C" fn SleepEx(dwMilliseconds: DWORD, bAlertable: BOOL) -> DWORD {
    if bAlertable == 0 {
        Sleep(dwMilliseconds);
        return 0;
    }
    guard(0, || {
        if crate::apc::run_pending() {
            return crate::apc::WAIT_IO_COMPLETION;
        }
        let Ok(q) = crate::apc::own_queue() else {
            Sleep(dwMilliseconds);
            return 0;
        };
        let deadline = crate::wait::timeout(dwMilliseconds).map(|d| std::time::Instant::now() + d);
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(std::time::Instant::now()));
            let _ = q.event.wait(left);
            if crate::apc::run_pending() {
                return crate::apc::WAIT_IO_COMPLETION;
            }
            if left.is_some_and(|l| l.is_zero()) {
                return 0;
            }
        }
    })
}

fn module_file_name(hModule: *mut c_void) -> io::Result<String> {
    if !hModule.is_null() && hModule != crate::loader::own_module() {
        return fail(w32ipc::error::ERROR_INVALID_HANDLE);
    }
    let exe = if hModule.is_null() {
        std::env::current_exe()?
    } else {
        crate::loader::own_path()?
    };
    Ok(exe.to_string_lossy().into_owned())
}

/// Finishes `GetModuleFileName`: the copied length, or `nSize` with
/// `ERROR_INSUFFICIENT_BUFFER` when the name was cut short.
fn copied(n: usize, cut: bool, size: DWORD) -> DWORD {
    if cut {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        size
    } else {
        SetLastError(0);
        n as DWORD
    }
}

/// `GetModuleFileNameA`: the path of the program (`hModule == NULL`) or of this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleFileNameA(
    hModule: *mut c_void,
    lpFilename: *mut c_char,
    nSize: DWORD,
) -> DWORD {
    guard(0, || match module_file_name(hModule) {
        Ok(path) => {
            // SAFETY: the buffer holds nSize chars, per the caller.
            let (n, cut) = unsafe { to_a(&path, lpFilename, nSize as usize) };
            copied(n, cut, nSize)
        }
        Err(e) => {
            set_from(&e);
            0
        }
    })
}

/// `GetModuleFileNameW`: as [`GetModuleFileNameA`], in UTF-16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetModuleFileNameW(
    hModule: *mut c_void,
    lpFilename: *mut WCHAR,
    nSize: DWORD,
) -> DWORD {
    guard(0, || match module_file_name(hModule) {
        Ok(path) => {
            // SAFETY: the buffer holds nSize units, per the caller.
            let (n, cut) = unsafe { to_w(&path, lpFilename, nSize as usize) };
            copied(n, cut, nSize)
        }
        Err(e) => {
            set_from(&e);
            0
        }
    })
}

/// This process's command line: as the parent passed it, or joined from the arguments by the
/// Windows quoting rules.
fn command_line() -> String {
    if let Some(Some(line)) = GIVEN_COMMAND_LINE.get() {
        return line.clone();
    }
    join_command_line(std::env::args_os().map(|a| a.to_string_lossy().into_owned()))
}

/// `GetCommandLineA`: the command line, valid for the life of the process.
#[unsafe(no_mangle)]
pub extern "C" fn GetCommandLineA() -> *const c_char {
    static LINE: OnceLock<std::ffi::CString> = OnceLock::new();
    guard(std::ptr::null(), || {
        LINE.get_or_init(|| {
            std::ffi::CString::new(command_line().replace('\0', " ")).unwrap_or_default()
        })
        .as_ptr()
    })
}

/// `GetCommandLineW`: as [`GetCommandLineA`], in UTF-16.
#[unsafe(no_mangle)]
pub extern "C" fn GetCommandLineW() -> *const WCHAR {
    static LINE: OnceLock<Vec<u16>> = OnceLock::new();
    guard(std::ptr::null(), || {
        LINE.get_or_init(|| command_line().encode_utf16().chain([0]).collect())
            .as_ptr()
    })
}
