//! Disk files: `CreateFile`, `DeleteFile`, `GetFileSize(Ex)`, `SetFilePointer(Ex)`,
//! `SetEndOfFile`, `FlushFileBuffers`, `GetFileType`, `GetTempPath`, `GetTempFileName`.
//!
//! Paths may be Windows paths (`\` separators, drive `Z:` = `/`) or Linux paths; see
//! `w32ipc::file`. Share modes are accepted and not enforced. `\\.\pipe\` names open the
//! client end of a named pipe (see `npipe.rs`).

use std::ffi::c_char;
use std::io::SeekFrom;

use w32ipc::ObjectKind;
use w32ipc::error::{
    ERROR_ALREADY_EXISTS, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_PATH_NOT_FOUND,
    ERROR_SUCCESS,
};
use w32ipc::file::{CreationDisposition, DiskFile};

use crate::handles::{borrow, give};
use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::strings::{from_a, from_w, to_a, to_w};
use crate::types::*;

const GENERIC_READ: DWORD = 0x8000_0000;
const GENERIC_WRITE: DWORD = 0x4000_0000;
const GENERIC_ALL: DWORD = 0x1000_0000;
const MAXIMUM_ALLOWED: DWORD = 0x0200_0000;
const FILE_READ_DATA: DWORD = 0x0001;
const FILE_WRITE_DATA: DWORD = 0x0002;
const FILE_APPEND_DATA: DWORD = 0x0004;
/// `INVALID_FILE_SIZE`, `INVALID_SET_FILE_POINTER`.
const INVALID_DWORD: DWORD = 0xFFFF_FFFF;
const FILE_TYPE_UNKNOWN: DWORD = 0;
const FILE_TYPE_DISK: DWORD = 1;
const FILE_TYPE_CHAR: DWORD = 2;
const FILE_TYPE_PIPE: DWORD = 3;
const MAX_PATH: usize = 260;

fn create_file(
    path: Option<String>,
    access: DWORD,
    attributes: *const SECURITY_ATTRIBUTES,
    disposition: DWORD,
    flags: DWORD,
) -> HANDLE {
    guard(INVALID_HANDLE_VALUE, || {
        if let Some(p) = path.as_deref()
            && crate::npipe::is_pipe_path(p)
        {
            let all = access & (GENERIC_ALL | MAXIMUM_ALLOWED) != 0;
            let read = all || access & (GENERIC_READ | FILE_READ_DATA) != 0;
            let write = all || access & (GENERIC_WRITE | FILE_WRITE_DATA | FILE_APPEND_DATA) != 0;
            // SAFETY: a non-null SECURITY_ATTRIBUTES from the caller.
            let inherit = !attributes.is_null() && unsafe { (*attributes).bInheritHandle } != 0;
            return crate::npipe::open_client(p, read, write, flags, inherit);
        }
        let Some(disposition) = CreationDisposition::from_win32(disposition) else {
            SetLastError(ERROR_INVALID_PARAMETER);
            return INVALID_HANDLE_VALUE;
        };
        let Some(path) = path else {
            SetLastError(ERROR_PATH_NOT_FOUND);
            return INVALID_HANDLE_VALUE;
        };
        let all = access & (GENERIC_ALL | MAXIMUM_ALLOWED) != 0;
        let read = all || access & (GENERIC_READ | FILE_READ_DATA) != 0;
        let write = all || access & (GENERIC_WRITE | FILE_WRITE_DATA | FILE_APPEND_DATA) != 0;
        // SAFETY: a non-null SECURITY_ATTRIBUTES from the caller.
        let inherit = !attributes.is_null() && unsafe { (*attributes).bInheritHandle } != 0;
        match DiskFile::options()
            .read(read)
            .write(write)
            .disposition(disposition)
            .inheritable(inherit)
            .open(&path)
        {
            Ok(file) => {
                SetLastError(if file.already_existed() {
                    ERROR_ALREADY_EXISTS
                } else {
                    ERROR_SUCCESS
                });
                give(file.into_handle())
            }
            Err(e) => {
                set_from(&e);
                INVALID_HANDLE_VALUE
            }
        }
    })
}

/// `CreateFileA` for disk files: `CREATE_NEW`, `CREATE_ALWAYS`, `OPEN_EXISTING`,
/// `OPEN_ALWAYS`, `TRUNCATE_EXISTING`; `GENERIC_READ`/`GENERIC_WRITE`. An existing file under
/// `CREATE_ALWAYS`/`OPEN_ALWAYS` sets `ERROR_ALREADY_EXISTS`, other successes 0. Flags and
/// attributes, share modes and the template are accepted and ignored (I/O is synchronous).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateFileA(
    lpFileName: *const c_char,
    dwDesiredAccess: DWORD,
    _dwShareMode: DWORD,
    lpSecurityAttributes: *const SECURITY_ATTRIBUTES,
    dwCreationDisposition: DWORD,
    dwFlagsAndAttributes: DWORD,
    _hTemplateFile: HANDLE,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let path = guard(None, || unsafe { from_a(lpFileName) });
    create_file(
        path,
        dwDesiredAccess,
        lpSecurityAttributes,
        dwCreationDisposition,
        dwFlagsAndAttributes,
    )
}

/// `CreateFileW`: as [`CreateFileA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateFileW(
    lpFileName: *const WCHAR,
    dwDesiredAccess: DWORD,
    _dwShareMode: DWORD,
    lpSecurityAttributes: *const SECURITY_ATTRIBUTES,
    dwCreationDisposition: DWORD,
    dwFlagsAndAttributes: DWORD,
    _hTemplateFile: HANDLE,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated UTF-16 string, per the caller.
    let path = guard(None, || unsafe { from_w(lpFileName) });
    create_file(
        path,
        dwDesiredAccess,
        lpSecurityAttributes,
        dwCreationDisposition,
        dwFlagsAndAttributes,
    )
}

fn delete(path: Option<String>) -> BOOL {
    boolean(|| match path {
        Some(p) => w32ipc::file::delete_file(&p),
        None => fail(ERROR_PATH_NOT_FOUND),
    })
}

/// `DeleteFileA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn DeleteFileA(lpFileName: *const c_char) -> BOOL {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    delete(guard(None, || unsafe { from_a(lpFileName) }))
}

/// `DeleteFileW`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn DeleteFileW(lpFileName: *const WCHAR) -> BOOL {
    // SAFETY: NULL or a NUL-terminated UTF-16 string, per the caller.
    delete(guard(None, || unsafe { from_w(lpFileName) }))
}

/// `GetFileSize`: the low 32 bits, the high ones through `lpFileSizeHigh`. Fails with
/// `INVALID_FILE_SIZE` and the error (`ERROR_INVALID_FUNCTION` for a pipe); a size whose low
/// half is `0xFFFFFFFF` sets the last error to 0, so callers can tell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetFileSize(hFile: HANDLE, lpFileSizeHigh: *mut DWORD) -> DWORD {
    guard(INVALID_DWORD, || {
        match borrow(hFile).and_then(|h| w32ipc::file::file_size(&h)) {
            Ok(size) => {
                if !lpFileSizeHigh.is_null() {
                    // SAFETY: a non-null out-pointer from the caller.
                    unsafe { *lpFileSizeHigh = (size >> 32) as DWORD };
                }
                if size as DWORD == INVALID_DWORD {
                    SetLastError(ERROR_SUCCESS);
                }
                size as DWORD
            }
            Err(e) => {
                set_from(&e);
                INVALID_DWORD
            }
        }
    })
}

/// `GetFileSizeEx`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetFileSizeEx(hFile: HANDLE, lpFileSize: *mut i64) -> BOOL {
    boolean(|| {
        let size = w32ipc::file::file_size(&*borrow(hFile)?)?;
        if lpFileSize.is_null() {
            return fail(w32ipc::error::ERROR_NOACCESS);
        }
        // SAFETY: a non-null out-pointer from the caller.
        unsafe { *lpFileSize = size as i64 };
        Ok(())
    })
}

fn seek_from(distance: i64, method: DWORD) -> Option<SeekFrom> {
    Some(match method {
        0 if distance < 0 => SeekFrom::Current(i64::MIN), // fails with ERROR_NEGATIVE_SEEK
        0 => SeekFrom::Start(distance as u64),
        1 => SeekFrom::Current(distance),
        2 => SeekFrom::End(distance),
        _ => return None,
    })
}

/// `SetFilePointer`: moves by `lDistanceToMove` (with `*lpDistanceToMoveHigh` as the high half
/// when given) from `FILE_BEGIN`, `FILE_CURRENT` or `FILE_END`; returns the low half of the new
/// position and stores the high half. Fails with `INVALID_SET_FILE_POINTER` and
/// `ERROR_NEGATIVE_SEEK` before the start, `ERROR_INVALID_PARAMETER` for a bad method.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SetFilePointer(
    hFile: HANDLE,
    lDistanceToMove: i32,
    lpDistanceToMoveHigh: *mut i32,
    dwMoveMethod: DWORD,
) -> DWORD {
    guard(INVALID_DWORD, || {
        let distance = if lpDistanceToMoveHigh.is_null() {
            i64::from(lDistanceToMove)
        } else {
            // SAFETY: a non-null in/out pointer from the caller.
            let high = unsafe { *lpDistanceToMoveHigh };
            (i64::from(high) << 32) | i64::from(lDistanceToMove as u32)
        };
        let result = borrow(hFile).and_then(|h| {
            let kind = h.kind()?;
            let pos = seek_from(distance, dwMoveMethod)
                .ok_or_else(|| w32ipc::error::win32(ERROR_INVALID_PARAMETER));
            match kind {
                ObjectKind::File => w32ipc::file::set_file_pointer(&h, pos?),
                _ => w32ipc::file::set_file_pointer(&h, SeekFrom::Current(0)),
            }
        });
        match result {
            Ok(pos) => {
                if !lpDistanceToMoveHigh.is_null() {
                    // SAFETY: as above.
                    unsafe { *lpDistanceToMoveHigh = (pos >> 32) as i32 };
                }
                if pos as DWORD == INVALID_DWORD {
                    SetLastError(ERROR_SUCCESS);
                }
                pos as DWORD
            }
            Err(e) => {
                set_from(&e);
                INVALID_DWORD
            }
        }
    })
}

/// `SetFilePointerEx`: `liDistanceToMove` (a `LARGE_INTEGER`, passed as a 64-bit integer) from
/// `dwMoveMethod`; the new position through `lpNewFilePointer` when not `NULL`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn SetFilePointerEx(
    hFile: HANDLE,
    liDistanceToMove: i64,
    lpNewFilePointer: *mut i64,
    dwMoveMethod: DWORD,
) -> BOOL {
    boolean(|| {
        let h = borrow(hFile)?;
        let pos = match h.kind()? {
            ObjectKind::File => seek_from(liDistanceToMove, dwMoveMethod)
                .ok_or_else(|| w32ipc::error::win32(ERROR_INVALID_PARAMETER))?,
            _ => SeekFrom::Current(0),
        };
        let new = w32ipc::file::set_file_pointer(&h, pos)?;
        if !lpNewFilePointer.is_null() {
            // SAFETY: a non-null out-pointer from the caller.
            unsafe { *lpNewFilePointer = new as i64 };
        }
        Ok(())
    })
}

/// `SetEndOfFile`: cuts or extends the file at its file pointer.
#[unsafe(no_mangle)]
pub extern "C" fn SetEndOfFile(hFile: HANDLE) -> BOOL {
    boolean(|| w32ipc::file::set_end_of_file(&*borrow(hFile)?))
}

/// `FlushFileBuffers`: `fsync` for a disk file (which needs `GENERIC_WRITE`); nothing to do
/// for an anonymous pipe or a console; for a named pipe, waits until the peer read everything; `ERROR_INVALID_HANDLE` for other objects.
#[unsafe(no_mangle)]
pub extern "C" fn FlushFileBuffers(hFile: HANDLE) -> BOOL {
    boolean(|| {
        let h = borrow(hFile)?;
        match h.kind()? {
            ObjectKind::File => match w32ipc::file::flush_file_buffers(&h) {
                // A console or another device: nothing buffered.
                Err(e)
                    if w32ipc::error::Win32ErrorExt::win32_code(&e)
                        == w32ipc::error::ERROR_INVALID_FUNCTION =>
                {
                    Ok(())
                }
                other => other,
            },
            ObjectKind::PipeRead | ObjectKind::PipeWrite => Ok(()),
            // Returns once the peer has read everything written.
            ObjectKind::NamedPipe => match w32ipc::npipe::PipeHandle::of(&h) {
                Some(p) => p.flush(),
                None => fail(ERROR_INVALID_HANDLE),
            },
            _ => fail(ERROR_INVALID_HANDLE),
        }
    })
}

/// `GetFileType`: `FILE_TYPE_DISK`, `FILE_TYPE_CHAR` (terminals, `/dev/null`),
/// `FILE_TYPE_PIPE` (pipes and sockets), or `FILE_TYPE_UNKNOWN` with `ERROR_INVALID_HANDLE`.
#[unsafe(no_mangle)]
pub extern "C" fn GetFileType(hFile: HANDLE) -> DWORD {
    guard(FILE_TYPE_UNKNOWN, || {
        let kind = borrow(hFile).and_then(|h| {
            let kind = h.kind()?;
            Ok((kind, w32ipc::file::file_size(&h).is_ok()))
        });
        match kind {
            Ok((ObjectKind::File, true)) => FILE_TYPE_DISK,
            Ok((ObjectKind::File, false)) => FILE_TYPE_CHAR,
            Ok((
                ObjectKind::PipeRead
                | ObjectKind::PipeWrite
                | ObjectKind::NamedPipe
                | ObjectKind::Other,
                _,
            )) => FILE_TYPE_PIPE,
            Ok(_) => {
                SetLastError(ERROR_INVALID_HANDLE);
                FILE_TYPE_UNKNOWN
            }
            Err(e) => {
                set_from(&e);
                FILE_TYPE_UNKNOWN
            }
        }
    })
}

/// `GetTempPathA`: `$TMPDIR` or `/tmp/`, with a trailing `/`. Returns the length copied
/// (without the NUL), or the size needed (with it) when the buffer is too small.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetTempPathA(nBufferLength: DWORD, lpBuffer: *mut c_char) -> DWORD {
    guard(0, || {
        let path = w32ipc::file::temp_path();
        if (nBufferLength as usize) <= path.len() || lpBuffer.is_null() {
            return path.len() as DWORD + 1;
        }
        // SAFETY: the caller's buffer holds nBufferLength chars.
        unsafe { to_a(&path, lpBuffer, nBufferLength as usize) }.0 as DWORD
    })
}

/// `GetTempPathW`: as [`GetTempPathA`], in UTF-16 units.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetTempPathW(nBufferLength: DWORD, lpBuffer: *mut WCHAR) -> DWORD {
    guard(0, || {
        let path = w32ipc::file::temp_path();
        let units = path.encode_utf16().count();
        if (nBufferLength as usize) <= units || lpBuffer.is_null() {
            return units as DWORD + 1;
        }
        // SAFETY: the caller's buffer holds nBufferLength units.
        unsafe { to_w(&path, lpBuffer, nBufferLength as usize) }.0 as DWORD
    })
}

fn temp_file_name(
    dir: Option<String>,
    prefix: Option<String>,
    unique: UINT,
) -> Result<(String, UINT), ()> {
    let Some(dir) = dir else {
        SetLastError(ERROR_INVALID_PARAMETER);
        return Err(());
    };
    match w32ipc::file::temp_file_name(&dir, prefix.as_deref().unwrap_or(""), unique) {
        Ok(r) => Ok(r),
        Err(e) => {
            set_from(&e);
            Err(())
        }
    }
}

/// `GetTempFileNameA`: `<path><prefix (3 chars)><hex>.tmp` into a `MAX_PATH` buffer. With
/// `uUnique` 0 the file is created (empty) under a free number; returns the number, or 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetTempFileNameA(
    lpPathName: *const c_char,
    lpPrefixString: *const c_char,
    uUnique: UINT,
    lpTempFileName: *mut c_char,
) -> UINT {
    guard(0, || {
        // SAFETY: NULL or NUL-terminated strings, per the caller.
        let (dir, prefix) = unsafe { (from_a(lpPathName), from_a(lpPrefixString)) };
        match temp_file_name(dir, prefix, uUnique) {
            Ok((name, n)) => {
                // SAFETY: the caller's buffer holds MAX_PATH chars.
                unsafe { to_a(&name, lpTempFileName, MAX_PATH) };
                n
            }
            Err(()) => 0,
        }
    })
}

/// `GetTempFileNameW`: as [`GetTempFileNameA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetTempFileNameW(
    lpPathName: *const WCHAR,
    lpPrefixString: *const WCHAR,
    uUnique: UINT,
    lpTempFileName: *mut WCHAR,
) -> UINT {
    guard(0, || {
        // SAFETY: NULL or NUL-terminated strings, per the caller.
        let (dir, prefix) = unsafe { (from_w(lpPathName), from_w(lpPrefixString)) };
        match temp_file_name(dir, prefix, uUnique) {
            Ok((name, n)) => {
                // SAFETY: the caller's buffer holds MAX_PATH units.
                unsafe { to_w(&name, lpTempFileName, MAX_PATH) };
                n
            }
            Err(()) => 0,
        }
    })
}
