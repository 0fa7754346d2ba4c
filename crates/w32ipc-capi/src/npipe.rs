//! Named pipes: `CreateNamedPipeA/W`, `ConnectNamedPipe`, `DisconnectNamedPipe`,
//! `WaitNamedPipeA/W`, `TransactNamedPipe`, `CallNamedPipeA/W`, `SetNamedPipeHandleState`,
//! `GetNamedPipeHandleStateA/W`, `GetNamedPipeInfo`, `GetNamedPipeClient/ServerProcessId`,
//! and the client side of `CreateFileA/W` on `\\.\pipe\` names.

use std::ffi::{c_char, c_void};
use std::time::Duration;

use w32ipc::ObjectKind;
use w32ipc::error::{
    ERROR_ACCESS_DENIED, ERROR_INVALID_FUNCTION, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER,
    ERROR_MORE_DATA, ERROR_NOACCESS, ERROR_PATH_NOT_FOUND, ERROR_PIPE_CONNECTED, ERROR_SUCCESS,
};
use w32ipc::npipe::{
    PipeAccess, PipeClient, PipeHandle, PipeMode, ServerOptions, WaitTimeout, call_named_pipe,
    wait_named_pipe,
};

use crate::handles::{borrow, give};
use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::overlapped::{OVERLAPPED, Work};
use crate::strings::{from_a, from_w};
use crate::types::*;

const PIPE_ACCESS_MASK: DWORD = 3;
const FILE_FLAG_OVERLAPPED: DWORD = 0x4000_0000;
const FILE_FLAG_WRITE_THROUGH: DWORD = 0x8000_0000;
const FILE_FLAG_FIRST_PIPE_INSTANCE: DWORD = 0x0008_0000;
const WRITE_DAC: DWORD = 0x0004_0000;
const ACCESS_SYSTEM_SECURITY: DWORD = 0x0100_0000;
const PIPE_NOWAIT: DWORD = 1;
const PIPE_READMODE_MESSAGE: DWORD = 2;
const PIPE_TYPE_MESSAGE: DWORD = 4;
const PIPE_REJECT_REMOTE_CLIENTS: DWORD = 8;
const PIPE_SERVER_END: DWORD = 1;
const NMPWAIT_USE_DEFAULT_WAIT: DWORD = 0;
const NMPWAIT_WAIT_FOREVER: DWORD = 0xFFFF_FFFF;

/// Stores `n` through an optional out-pointer.
///
/// # Safety
/// `p` is `NULL` or valid for a write.
unsafe fn put(p: *mut DWORD, n: DWORD) {
    if !p.is_null() {
        // SAFETY: non-null, per the caller.
        unsafe { *p = n };
    }
}

/// A missing or empty name is `ERROR_PATH_NOT_FOUND`, as Windows has it.
fn name_or_error(name: Option<String>) -> std::io::Result<String> {
    name.filter(|n| !n.is_empty())
        .ok_or_else(|| w32ipc::error::win32(ERROR_PATH_NOT_FOUND))
}

fn wait_timeout(ms: DWORD) -> WaitTimeout {
    match ms {
        NMPWAIT_USE_DEFAULT_WAIT => WaitTimeout::Default,
        NMPWAIT_WAIT_FOREVER => WaitTimeout::Forever,
        ms => WaitTimeout::After(Duration::from_millis(u64::from(ms))),
    }
}

#[allow(clippy::too_many_arguments)]
fn create_named_pipe(
    name: Option<String>,
    open_mode: DWORD,
    pipe_mode: DWORD,
    max_instances: DWORD,
    out_size: DWORD,
    in_size: DWORD,
    timeout_ms: DWORD,
    sa: *const SECURITY_ATTRIBUTES,
) -> HANDLE {
    guard(INVALID_HANDLE_VALUE, || {
        let r = (|| {
            let name = name_or_error(name)?;
            let allowed = PIPE_ACCESS_MASK
                | FILE_FLAG_OVERLAPPED
                | FILE_FLAG_WRITE_THROUGH
                | FILE_FLAG_FIRST_PIPE_INSTANCE
                | WRITE_DAC
                | ACCESS_SYSTEM_SECURITY;
            let access = PipeAccess::from_bits(open_mode & PIPE_ACCESS_MASK);
            let modes = PIPE_NOWAIT
                | PIPE_READMODE_MESSAGE
                | PIPE_TYPE_MESSAGE
                | PIPE_REJECT_REMOTE_CLIENTS;
            let (Some(access), 0, 0) = (access, open_mode & !allowed, pipe_mode & !modes) else {
                return fail(ERROR_INVALID_PARAMETER);
            };
            let mode = |bit| {
                if pipe_mode & bit != 0 {
                    PipeMode::Message
                } else {
                    PipeMode::Byte
                }
            };
            // SAFETY: a non-null SECURITY_ATTRIBUTES from the caller.
            let inherit = !sa.is_null() && unsafe { (*sa).bInheritHandle } != 0;
            let server = ServerOptions::new(&name)
                .access(access)
                .pipe_type(mode(PIPE_TYPE_MESSAGE))
                .read_mode(mode(PIPE_READMODE_MESSAGE))
                .nowait(pipe_mode & PIPE_NOWAIT != 0)
                .max_instances(max_instances)
                .buffer_sizes(out_size, in_size)
                .default_timeout(Duration::from_millis(u64::from(timeout_ms)))
                .first_instance(open_mode & FILE_FLAG_FIRST_PIPE_INSTANCE != 0)
                .inheritable(inherit)
                .create()?;
            let handle = server.into_handle();
            if open_mode & FILE_FLAG_OVERLAPPED != 0
                && let Some(p) = PipeHandle::of(&handle)
            {
                p.set_overlapped(true);
            }
            Ok(handle)
        })();
        match r {
            Ok(h) => {
                SetLastError(ERROR_SUCCESS);
                give(h)
            }
            Err(e) => {
                set_from(&e);
                INVALID_HANDLE_VALUE
            }
        }
    })
}

/// `CreateNamedPipeA`: one more instance of a pipe. `PIPE_ACCESS_*`, `FILE_FLAG_OVERLAPPED`,
/// `FILE_FLAG_FIRST_PIPE_INSTANCE`; `PIPE_TYPE_*`, `PIPE_READMODE_*`, `PIPE_WAIT`/`NOWAIT`,
/// `PIPE_*_REMOTE_CLIENTS` (there are no remote clients). Unknown bits fail with
/// `ERROR_INVALID_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateNamedPipeA(
    lpName: *const c_char,
    dwOpenMode: DWORD,
    dwPipeMode: DWORD,
    nMaxInstances: DWORD,
    nOutBufferSize: DWORD,
    nInBufferSize: DWORD,
    nDefaultTimeOut: DWORD,
    lpSecurityAttributes: *const SECURITY_ATTRIBUTES,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = guard(None, || unsafe { from_a(lpName) });
    create_named_pipe(
        name,
        dwOpenMode,
        dwPipeMode,
        nMaxInstances,
        nOutBufferSize,
        nInBufferSize,
        nDefaultTimeOut,
        lpSecurityAttributes,
    )
}

/// `CreateNamedPipeW`: as [`CreateNamedPipeA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateNamedPipeW(
    lpName: *const WCHAR,
    dwOpenMode: DWORD,
    dwPipeMode: DWORD,
    nMaxInstances: DWORD,
    nOutBufferSize: DWORD,
    nInBufferSize: DWORD,
    nDefaultTimeOut: DWORD,
    lpSecurityAttributes: *const SECURITY_ATTRIBUTES,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated UTF-16 string, per the caller.
    let name = guard(None, || unsafe { from_w(lpName) });
    create_named_pipe(
        name,
        dwOpenMode,
        dwPipeMode,
        nMaxInstances,
        nOutBufferSize,
        nInBufferSize,
        nDefaultTimeOut,
        lpSecurityAttributes,
    )
}

/// Whether a `CreateFile` path names a pipe (`\\.\pipe\…`, any case, any server).
pub fn is_pipe_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("\\\\") else {
        return false;
    };
    let mut parts = rest.splitn(3, '\\');
    parts.next();
    parts.next().is_some_and(|k| k.eq_ignore_ascii_case("pipe"))
}

/// The client side of `CreateFileA/W` on a pipe name.
pub fn open_client(path: &str, read: bool, write: bool, flags: DWORD, inherit: bool) -> HANDLE {
    match PipeClient::open_with(path, read, write) {
        Ok(client) => {
            let h = client.into_handle();
            if let Some(p) = PipeHandle::of(&h) {
                p.set_overlapped(flags & FILE_FLAG_OVERLAPPED != 0);
            }
            if inherit && let Err(e) = h.set_inheritable(true) {
                set_from(&e);
                return INVALID_HANDLE_VALUE;
            }
            SetLastError(ERROR_SUCCESS);
            give(h)
        }
        Err(e) => {
            set_from(&e);
            INVALID_HANDLE_VALUE
        }
    }
}

/// The named-pipe end behind a handle, or the error Windows gives for other objects.
fn pipe_of(h: HANDLE) -> std::io::Result<PipeHandle> {
    let handle = borrow(h)?;
    if let Some(p) = PipeHandle::of(&handle) {
        return Ok(p);
    }
    match handle.kind()? {
        ObjectKind::PipeRead | ObjectKind::PipeWrite | ObjectKind::File => {
            fail(ERROR_INVALID_FUNCTION)
        }
        _ => fail(ERROR_INVALID_HANDLE),
    }
}

/// `ConnectNamedPipe`: waits for a client. `ERROR_PIPE_CONNECTED` when one came before the
/// call (a good connection), `ERROR_NO_DATA` when it came and already closed,
/// `ERROR_PIPE_LISTENING` in no-wait mode. On an overlapped handle with an `OVERLAPPED`, returns
/// `ERROR_IO_PENDING` and completes when a client connects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ConnectNamedPipe(
    hNamedPipe: HANDLE,
    lpOverlapped: *mut OVERLAPPED,
) -> BOOL {
    guard(0, || {
        let pipe = match borrow(hNamedPipe) {
            Ok(h) => match PipeHandle::of(&h) {
                Some(p) => p,
                None => {
                    // An anonymous pipe's read end is a connected server end.
                    let code = match h.kind() {
                        Ok(ObjectKind::PipeRead) => ERROR_PIPE_CONNECTED,
                        Ok(ObjectKind::PipeWrite | ObjectKind::File) => ERROR_INVALID_FUNCTION,
                        _ => ERROR_INVALID_HANDLE,
                    };
                    SetLastError(code);
                    return 0;
                }
            },
            Err(e) => {
                set_from(&e);
                return 0;
            }
        };
        if !pipe.is_server() {
            SetLastError(ERROR_INVALID_FUNCTION);
            return 0;
        }
        if pipe.is_overlapped() && !lpOverlapped.is_null() {
            // SAFETY: the caller's OVERLAPPED, valid for a write.
            unsafe {
                (*lpOverlapped).Internal = crate::overlapped::STATUS_PENDING;
            }
            match pipe.connect_now() {
                Ok(false) => {}
                Ok(true) => return 1,
                Err(e) => {
                    set_from(&e);
                    return 0;
                }
            }
            // SAFETY: the caller keeps the OVERLAPPED valid until completion.
            return unsafe {
                crate::overlapped::start(
                    pipe,
                    hNamedPipe,
                    lpOverlapped,
                    Work::Connect,
                    None,
                    std::ptr::null_mut(),
                )
            };
        }
        boolean(|| pipe.connect())
    })
}

/// `DisconnectNamedPipe`: drops the client (its unread data with it); the instance takes a
/// new client only after the next `ConnectNamedPipe`.
#[unsafe(no_mangle)]
pub extern "C" fn DisconnectNamedPipe(hNamedPipe: HANDLE) -> BOOL {
    boolean(|| {
        let pipe = pipe_of(hNamedPipe)?;
        if !pipe.is_server() {
            return fail(ERROR_INVALID_FUNCTION);
        }
        pipe.disconnect()
    })
}

fn wait_named(name: Option<String>, ms: DWORD) -> BOOL {
    boolean(|| wait_named_pipe(&name_or_error(name)?, wait_timeout(ms)))
}

/// `WaitNamedPipeA`: waits until an instance listens (`ERROR_SEM_TIMEOUT` after `nTimeOut` ms;
/// `NMPWAIT_USE_DEFAULT_WAIT` uses the pipe's default). A missing name fails at once with
/// `ERROR_FILE_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitNamedPipeA(lpNamedPipeName: *const c_char, nTimeOut: DWORD) -> BOOL {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = guard(None, || unsafe { from_a(lpNamedPipeName) });
    wait_named(name, nTimeOut)
}

/// `WaitNamedPipeW`: as [`WaitNamedPipeA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn WaitNamedPipeW(lpNamedPipeName: *const WCHAR, nTimeOut: DWORD) -> BOOL {
    // SAFETY: NULL or a NUL-terminated UTF-16 string, per the caller.
    let name = guard(None, || unsafe { from_w(lpNamedPipeName) });
    wait_named(name, nTimeOut)
}

/// # Safety
/// `p` is valid for `len` bytes, or NULL with `len` 0.
unsafe fn bytes<'a>(p: *const c_void, len: DWORD) -> std::io::Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return fail(ERROR_NOACCESS);
    }
    // SAFETY: per the caller.
    Ok(unsafe { std::slice::from_raw_parts(p.cast(), len as usize) })
}

/// # Safety
/// `p` is valid for writes of `len` bytes, or NULL with `len` 0.
unsafe fn bytes_mut<'a>(p: *mut c_void, len: DWORD) -> std::io::Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return fail(ERROR_NOACCESS);
    }
    // SAFETY: per the caller.
    Ok(unsafe { std::slice::from_raw_parts_mut(p.cast(), len as usize) })
}

/// Reports a read's outcome: the count, and `ERROR_MORE_DATA` when a message did not fit.
///
/// # Safety
/// `out` is NULL or valid for a write.
unsafe fn finish_read(r: std::io::Result<w32ipc::npipe::ReadOutcome>, out: *mut DWORD) -> BOOL {
    match r {
        Ok(o) => {
            // SAFETY: per the caller.
            unsafe { put(out, o.len as DWORD) };
            if o.more {
                SetLastError(ERROR_MORE_DATA);
                0
            } else {
                SetLastError(ERROR_SUCCESS);
                1
            }
        }
        Err(e) => {
            set_from(&e);
            0
        }
    }
}

/// `TransactNamedPipe`: writes a message and reads the reply, on a message pipe in message
/// read mode (`ERROR_BAD_PIPE` otherwise); `ERROR_PIPE_BUSY` (and nothing written) while
/// unread data waits. Overlapped handles with an `OVERLAPPED` may return `ERROR_IO_PENDING`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TransactNamedPipe(
    hNamedPipe: HANDLE,
    lpInBuffer: *mut c_void,
    nInBufferSize: DWORD,
    lpOutBuffer: *mut c_void,
    nOutBufferSize: DWORD,
    lpBytesRead: *mut DWORD,
    lpOverlapped: *mut OVERLAPPED,
) -> BOOL {
    // SAFETY: the out-pointer is NULL or valid, per Win32's contract.
    unsafe { put(lpBytesRead, 0) };
    guard(0, || {
        let r = (|| {
            let pipe = pipe_of(hNamedPipe)?;
            // SAFETY: the caller's buffers hold the sizes given.
            let (req, reply) = unsafe {
                (
                    bytes(lpInBuffer, nInBufferSize)?,
                    bytes_mut(lpOutBuffer, nOutBufferSize)?,
                )
            };
            Ok((pipe, req, reply))
        })();
        let (pipe, req, reply) = match r {
            Ok(x) => x,
            Err(e) => {
                set_from(&e);
                return 0;
            }
        };
        if pipe.is_overlapped() && !lpOverlapped.is_null() {
            if let Err(e) = pipe.check_transact() {
                set_from(&e);
                return 0;
            }
            let work = Work::Transact {
                req: req.as_ptr(),
                req_len: req.len(),
                sent: 0,
                reply: reply.as_mut_ptr(),
                reply_len: reply.len(),
                got: 0,
                reading: false,
            };
            // SAFETY: the caller keeps the buffers and OVERLAPPED valid until completion.
            return unsafe {
                crate::overlapped::start(pipe, hNamedPipe, lpOverlapped, work, None, lpBytesRead)
            };
        }
        // SAFETY: the out-pointer is NULL or valid.
        unsafe { finish_read(pipe.transact(req, reply), lpBytesRead) }
    })
}

#[allow(clippy::too_many_arguments)]
fn call_named(
    name: Option<String>,
    in_buf: *mut c_void,
    in_size: DWORD,
    out_buf: *mut c_void,
    out_size: DWORD,
    read: *mut DWORD,
    ms: DWORD,
) -> BOOL {
    // SAFETY: the out-pointer is NULL or valid, per Win32's contract.
    unsafe { put(read, 0) };
    guard(0, || {
        let r = (|| {
            let name = name_or_error(name)?;
            // SAFETY: the caller's buffers hold the sizes given.
            let (req, reply) = unsafe { (bytes(in_buf, in_size)?, bytes_mut(out_buf, out_size)?) };
            call_named_pipe(&name, req, reply, wait_timeout(ms))
        })();
        // SAFETY: the out-pointer is NULL or valid.
        unsafe { finish_read(r, read) }
    })
}

/// `CallNamedPipeA`: connect, transact, close. Waits up to `nTimeOut` ms for an instance when
/// all are busy.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CallNamedPipeA(
    lpNamedPipeName: *const c_char,
    lpInBuffer: *mut c_void,
    nInBufferSize: DWORD,
    lpOutBuffer: *mut c_void,
    nOutBufferSize: DWORD,
    lpBytesRead: *mut DWORD,
    nTimeOut: DWORD,
) -> BOOL {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = guard(None, || unsafe { from_a(lpNamedPipeName) });
    call_named(
        name,
        lpInBuffer,
        nInBufferSize,
        lpOutBuffer,
        nOutBufferSize,
        lpBytesRead,
        nTimeOut,
    )
}

/// `CallNamedPipeW`: as [`CallNamedPipeA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CallNamedPipeW(
    lpNamedPipeName: *const WCHAR,
    lpInBuffer: *mut c_void,
    nInBufferSize: DWORD,
    lpOutBuffer: *mut c_void,
    nOutBufferSize: DWORD,
    lpBytesRead: *mut DWORD,
    nTimeOut: DWORD,
) -> BOOL {
    // SAFETY: NULL or a NUL-terminated UTF-16 string, per the caller.
    let name = guard(None, || unsafe { from_w(lpNamedPipeName) });
    call_named(
        name,
        lpInBuffer,
        nInBufferSize,
        lpOutBuffer,
        nOutBufferSize,
        lpBytesRead,
        nTimeOut,
    )
}

/// `SetNamedPipeHandleState`: read mode (`PIPE_READMODE_MESSAGE` needs a message pipe) and
/// wait mode. The collection arguments concern remote pipes and are ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SetNamedPipeHandleState(
    hNamedPipe: HANDLE,
    lpMode: *mut DWORD,
    _lpMaxCollectionCount: *mut DWORD,
    _lpCollectDataTimeout: *mut DWORD,
) -> BOOL {
    boolean(|| {
        let pipe = pipe_of(hNamedPipe)?;
        if lpMode.is_null() {
            return Ok(());
        }
        // SAFETY: a non-null pointer from the caller.
        let mode = unsafe { *lpMode };
        if mode & !(PIPE_NOWAIT | PIPE_READMODE_MESSAGE) != 0 {
            return fail(ERROR_INVALID_PARAMETER);
        }
        pipe.set_read_mode(if mode & PIPE_READMODE_MESSAGE != 0 {
            PipeMode::Message
        } else {
            PipeMode::Byte
        })?;
        pipe.set_nowait(mode & PIPE_NOWAIT != 0);
        Ok(())
    })
}

fn handle_state(
    h: HANDLE,
    state: *mut DWORD,
    instances: *mut DWORD,
    max_collection: *mut DWORD,
    collect_timeout: *mut DWORD,
) -> std::io::Result<()> {
    let pipe = pipe_of(h)?;
    if !pipe.can_query() {
        // A write-only server end lacks FILE_READ_ATTRIBUTES.
        return fail(ERROR_ACCESS_DENIED);
    }
    let s = pipe.state();
    let bits = (DWORD::from(s.nowait) * PIPE_NOWAIT)
        | (DWORD::from(s.read_message) * PIPE_READMODE_MESSAGE);
    // SAFETY: each out-pointer is NULL or valid, per Win32's contract.
    unsafe {
        put(state, bits);
        put(instances, s.instances);
        put(max_collection, 0);
        put(collect_timeout, 0);
    }
    Ok(())
}

/// `GetNamedPipeHandleState` for both character sizes: the state, then an empty user name
/// (a zero unit) in `name` when it has room for one.
///
/// # Safety
/// `name` is NULL or valid for `size` units.
unsafe fn handle_state_named<T: Default>(
    h: HANDLE,
    state: *mut DWORD,
    instances: *mut DWORD,
    max_collection: *mut DWORD,
    collect_timeout: *mut DWORD,
    name: *mut T,
    size: DWORD,
) -> BOOL {
    boolean(|| {
        handle_state(h, state, instances, max_collection, collect_timeout)?;
        if !name.is_null() && size > 0 {
            // SAFETY: a non-null buffer of at least one unit, per the caller.
            unsafe { name.write(T::default()) };
        }
        Ok(())
    })
}

/// `GetNamedPipeHandleStateA`: wait and read mode, and the name's instance count. The user
/// name (`lpUserName`) is returned empty.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetNamedPipeHandleStateA(
    hNamedPipe: HANDLE,
    lpState: *mut DWORD,
    lpCurInstances: *mut DWORD,
    lpMaxCollectionCount: *mut DWORD,
    lpCollectDataTimeout: *mut DWORD,
    lpUserName: *mut c_char,
    nMaxUserNameSize: DWORD,
) -> BOOL {
    // SAFETY: the caller's buffer holds nMaxUserNameSize units.
    unsafe {
        handle_state_named(
            hNamedPipe,
            lpState,
            lpCurInstances,
            lpMaxCollectionCount,
            lpCollectDataTimeout,
            lpUserName,
            nMaxUserNameSize,
        )
    }
}

/// `GetNamedPipeHandleStateW`: as [`GetNamedPipeHandleStateA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetNamedPipeHandleStateW(
    hNamedPipe: HANDLE,
    lpState: *mut DWORD,
    lpCurInstances: *mut DWORD,
    lpMaxCollectionCount: *mut DWORD,
    lpCollectDataTimeout: *mut DWORD,
    lpUserName: *mut WCHAR,
    nMaxUserNameSize: DWORD,
) -> BOOL {
    // SAFETY: the caller's buffer holds nMaxUserNameSize units.
    unsafe {
        handle_state_named(
            hNamedPipe,
            lpState,
            lpCurInstances,
            lpMaxCollectionCount,
            lpCollectDataTimeout,
            lpUserName,
            nMaxUserNameSize,
        )
    }
}

/// `GetNamedPipeInfo`: `PIPE_SERVER_END`/`PIPE_CLIENT_END` with `PIPE_TYPE_MESSAGE`, the
/// buffer sizes and the maximum instances. An anonymous pipe's read end is a server end of a
/// byte pipe, its write end a client end, as on Windows.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetNamedPipeInfo(
    hNamedPipe: HANDLE,
    lpFlags: *mut DWORD,
    lpOutBufferSize: *mut DWORD,
    lpInBufferSize: *mut DWORD,
    lpMaxInstances: *mut DWORD,
) -> BOOL {
    boolean(|| {
        let handle = borrow(hNamedPipe)?;
        let (flags, out, inn, max) = match PipeHandle::of(&handle) {
            Some(p) if !p.can_query() => return fail(ERROR_ACCESS_DENIED),
            Some(p) => {
                let i = p.info();
                (
                    (DWORD::from(i.server_end) * PIPE_SERVER_END)
                        | (DWORD::from(i.message_type) * PIPE_TYPE_MESSAGE),
                    i.out_buffer,
                    i.in_buffer,
                    i.max_instances,
                )
            }
            None => match handle.kind()? {
                ObjectKind::PipeRead => (PIPE_SERVER_END, 4096, 4096, 1),
                ObjectKind::PipeWrite => (0, 4096, 4096, 1),
                ObjectKind::File => return fail(ERROR_INVALID_FUNCTION),
                _ => return fail(ERROR_INVALID_HANDLE),
            },
        };
        // SAFETY: each out-pointer is NULL or valid, per Win32's contract.
        unsafe {
            put(lpFlags, flags);
            put(lpOutBufferSize, out);
            put(lpInBufferSize, inn);
            put(lpMaxInstances, max);
        }
        Ok(())
    })
}

fn process_id(h: HANDLE, out: *mut ULONG, client: bool) -> BOOL {
    boolean(|| {
        if out.is_null() {
            return fail(ERROR_NOACCESS);
        }
        let pipe = pipe_of(h)?;
        let pid = if pipe.is_server() == client {
            pipe.peer()?.0
        } else {
            std::process::id()
        };
        // SAFETY: a non-null out-pointer from the caller.
        unsafe { *out = pid as ULONG };
        Ok(())
    })
}

/// `GetNamedPipeClientProcessId`: on the server end, the connected client's process id (on a
/// client end, the caller's own).
#[unsafe(no_mangle)]
pub extern "C" fn GetNamedPipeClientProcessId(Pipe: HANDLE, ClientProcessId: *mut ULONG) -> BOOL {
    process_id(Pipe, ClientProcessId, true)
}

/// `GetNamedPipeServerProcessId`: on a client end, the server's process id (on the server
/// end, the caller's own).
#[unsafe(no_mangle)]
pub extern "C" fn GetNamedPipeServerProcessId(Pipe: HANDLE, ServerProcessId: *mut ULONG) -> BOOL {
    process_id(Pipe, ServerProcessId, false)
}
