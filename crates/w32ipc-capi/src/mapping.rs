//! File mappings: `CreateFileMapping`, `OpenFileMapping`, `MapViewOfFile(Ex)`,
//! `UnmapViewOfFile`, `FlushViewOfFile`, and `GetSystemInfo`.
//!
//! Views made here are kept in a per-process table by base address, so `UnmapViewOfFile` and
//! `FlushViewOfFile` can take any address inside a view, as `NtUnmapViewOfSection` does.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_void};
use std::sync::Mutex;

use w32ipc::error::{
    ERROR_ALREADY_EXISTS, ERROR_BAD_EXE_FORMAT, ERROR_INVALID_ADDRESS, ERROR_INVALID_PARAMETER,
    ERROR_SUCCESS,
};
use w32ipc::mapping::{FileMapping, MapAccess, MappingOptions, PageProtection, View};

use crate::handles::{borrow, give};
use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::strings::{from_a, from_w};
use crate::types::*;

const PAGE_READONLY: DWORD = 0x02;
const PAGE_READWRITE: DWORD = 0x04;
const PAGE_WRITECOPY: DWORD = 0x08;
const PAGE_EXECUTE_READ: DWORD = 0x20;
const PAGE_EXECUTE_READWRITE: DWORD = 0x40;
const PAGE_EXECUTE_WRITECOPY: DWORD = 0x80;
const SEC_IMAGE: DWORD = 0x0100_0000;
const SEC_RESERVE: DWORD = 0x0400_0000;
const SEC_COMMIT: DWORD = 0x0800_0000;

/// `flProtect` as protection, executability and `SEC_RESERVE`; what Windows refuses fails as
/// there: `ERROR_INVALID_PARAMETER`, or `ERROR_BAD_EXE_FORMAT` for `SEC_IMAGE`.
fn parse_protect(fl: DWORD) -> Result<(PageProtection, bool, bool), DWORD> {
    let (protection, exec) = match fl & 0xFF {
        PAGE_READONLY => (PageProtection::ReadOnly, false),
        PAGE_READWRITE => (PageProtection::ReadWrite, false),
        PAGE_WRITECOPY => (PageProtection::WriteCopy, false),
        PAGE_EXECUTE_READ => (PageProtection::ReadOnly, true),
        PAGE_EXECUTE_READWRITE => (PageProtection::ReadWrite, true),
        PAGE_EXECUTE_WRITECOPY => (PageProtection::WriteCopy, true),
        _ => return Err(ERROR_INVALID_PARAMETER),
    };
    let sec = fl & !0xFF;
    if sec & !(SEC_COMMIT | SEC_RESERVE | SEC_IMAGE) != 0
        || sec & (SEC_COMMIT | SEC_RESERVE) == SEC_COMMIT | SEC_RESERVE
    {
        return Err(ERROR_INVALID_PARAMETER);
    }
    if sec & SEC_IMAGE != 0 {
        return Err(ERROR_BAD_EXE_FORMAT);
    }
    Ok((protection, exec, sec & SEC_RESERVE != 0))
}

fn create_mapping(
    hFile: HANDLE,
    attributes: *const SECURITY_ATTRIBUTES,
    flProtect: DWORD,
    high: DWORD,
    low: DWORD,
    name: Option<String>,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        let (protection, exec, reserve) = match parse_protect(flProtect) {
            Ok(p) => p,
            Err(code) => {
                SetLastError(code);
                return std::ptr::null_mut();
            }
        };
        // SAFETY: a non-null SECURITY_ATTRIBUTES from the caller.
        let inherit = !attributes.is_null() && unsafe { (*attributes).bInheritHandle } != 0;
        let options = MappingOptions::new()
            .name(name.as_deref())
            .protection(protection)
            .executable(exec)
            .reserve(reserve)
            .inheritable(inherit)
            .size(u64::from(high) << 32 | u64::from(low));
        // NULL is the paging file too, as on Windows.
        let result = if hFile == INVALID_HANDLE_VALUE || hFile.is_null() {
            options.create()
        } else {
            borrow(hFile).and_then(|file| options.create_for_file(&file))
        };
        match result {
            Ok(mapping) => {
                SetLastError(if mapping.already_existed() {
                    ERROR_ALREADY_EXISTS
                } else {
                    ERROR_SUCCESS
                });
                give(mapping.into_handle())
            }
            Err(e) => {
                set_from(&e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `CreateFileMappingA`: a mapping of the paging file (`hFile` `INVALID_HANDLE_VALUE`) or of a
/// disk file. Returns the existing object with `ERROR_ALREADY_EXISTS` when the name is taken
/// by a mapping, and sets the last error to 0 otherwise.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateFileMappingA(
    hFile: HANDLE,
    lpFileMappingAttributes: *const SECURITY_ATTRIBUTES,
    flProtect: DWORD,
    dwMaximumSizeHigh: DWORD,
    dwMaximumSizeLow: DWORD,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = guard(None, || unsafe { from_a(lpName) });
    create_mapping(
        hFile,
        lpFileMappingAttributes,
        flProtect,
        dwMaximumSizeHigh,
        dwMaximumSizeLow,
        name,
    )
}

/// `CreateFileMappingW`: as [`CreateFileMappingA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateFileMappingW(
    hFile: HANDLE,
    lpFileMappingAttributes: *const SECURITY_ATTRIBUTES,
    flProtect: DWORD,
    dwMaximumSizeHigh: DWORD,
    dwMaximumSizeLow: DWORD,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated UTF-16 string, per the caller.
    let name = guard(None, || unsafe { from_w(lpName) });
    create_mapping(
        hFile,
        lpFileMappingAttributes,
        flProtect,
        dwMaximumSizeHigh,
        dwMaximumSizeLow,
        name,
    )
}

fn open_mapping(access: DWORD, inherit: BOOL, name: Option<String>) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        let Some(name) = name else {
            SetLastError(ERROR_INVALID_PARAMETER);
            return std::ptr::null_mut();
        };
        match FileMapping::open_with(&name, MapAccess::from_bits(access), inherit != 0) {
            Ok(m) => give(m.into_handle()),
            Err(e) => {
                set_from(&e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `OpenFileMappingA`: the mapping called `lpName`, with the access asked (`FILE_MAP_*`); a
/// handle without a right fails later, at `MapViewOfFile`, with `ERROR_ACCESS_DENIED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenFileMappingA(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const c_char,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated string, per the caller.
    let name = guard(None, || unsafe { from_a(lpName) });
    open_mapping(dwDesiredAccess, bInheritHandle, name)
}

/// `OpenFileMappingW`: as [`OpenFileMappingA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn OpenFileMappingW(
    dwDesiredAccess: DWORD,
    bInheritHandle: BOOL,
    lpName: *const WCHAR,
) -> HANDLE {
    // SAFETY: NULL or a NUL-terminated UTF-16 string, per the caller.
    let name = guard(None, || unsafe { from_w(lpName) });
    open_mapping(dwDesiredAccess, bInheritHandle, name)
}

/// The views mapped through the C ABI, by base address.
static VIEWS: Mutex<BTreeMap<usize, View>> = Mutex::new(BTreeMap::new());

fn views() -> std::sync::MutexGuard<'static, BTreeMap<usize, View>> {
    VIEWS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The base address of the view holding `addr`, if any.
fn view_containing(table: &BTreeMap<usize, View>, addr: usize) -> Option<usize> {
    static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let page = *PAGE.get_or_init(|| w32ipc::mapping::system_info().page_size as usize);
    let (&base, view) = table.range(..=addr).next_back()?;
    (addr < base + view.len().next_multiple_of(page)).then_some(base)
}

fn map_view(
    h: HANDLE,
    access: DWORD,
    high: DWORD,
    low: DWORD,
    len: usize,
    at: *mut c_void,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let result = borrow(h).and_then(|handle| {
            w32ipc::mapping::map_view_of_handle(
                &handle,
                MapAccess::from_bits(access),
                u64::from(high) << 32 | u64::from(low),
                len,
                (!at.is_null()).then_some(at as usize),
            )
        });
        match result {
            Ok(view) => {
                let p = view.as_ptr();
                views().insert(p as usize, view);
                p.cast()
            }
            Err(e) => {
                set_from(&e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `MapViewOfFile`: maps `dwNumberOfBytesToMap` bytes (0 = to the end) from a 64 KiB-aligned
/// offset. Errors: `ERROR_INVALID_HANDLE` (not a mapping), `ERROR_MAPPED_ALIGNMENT`,
/// `ERROR_INVALID_PARAMETER` (offset at or past the end), `ERROR_ACCESS_DENIED` (too long, or
/// more access than the handle or the protection allows).
#[unsafe(no_mangle)]
pub extern "C" fn MapViewOfFile(
    hFileMappingObject: HANDLE,
    dwDesiredAccess: DWORD,
    dwFileOffsetHigh: DWORD,
    dwFileOffsetLow: DWORD,
    dwNumberOfBytesToMap: usize,
) -> *mut c_void {
    map_view(
        hFileMappingObject,
        dwDesiredAccess,
        dwFileOffsetHigh,
        dwFileOffsetLow,
        dwNumberOfBytesToMap,
        std::ptr::null_mut(),
    )
}

/// `MapViewOfFileEx`: as [`MapViewOfFile`], at `lpBaseAddress` when not `NULL` — a 64 KiB
/// multiple (`ERROR_MAPPED_ALIGNMENT`) where nothing is mapped (`ERROR_INVALID_ADDRESS`).
#[unsafe(no_mangle)]
pub extern "C" fn MapViewOfFileEx(
    hFileMappingObject: HANDLE,
    dwDesiredAccess: DWORD,
    dwFileOffsetHigh: DWORD,
    dwFileOffsetLow: DWORD,
    dwNumberOfBytesToMap: usize,
    lpBaseAddress: *mut c_void,
) -> *mut c_void {
    map_view(
        hFileMappingObject,
        dwDesiredAccess,
        dwFileOffsetHigh,
        dwFileOffsetLow,
        dwNumberOfBytesToMap,
        lpBaseAddress,
    )
}

/// `UnmapViewOfFile`: unmaps the view that holds `lpBaseAddress` (any address inside it, as on
/// Windows); `ERROR_INVALID_ADDRESS` when no view does.
#[unsafe(no_mangle)]
pub extern "C" fn UnmapViewOfFile(lpBaseAddress: *const c_void) -> BOOL {
    boolean(|| {
        let view = {
            let mut table = views();
            match view_containing(&table, lpBaseAddress as usize) {
                Some(base) => table.remove(&base),
                None => None,
            }
        };
        match view {
            Some(view) => {
                drop(view);
                Ok(())
            }
            None => fail(ERROR_INVALID_ADDRESS),
        }
    })
}

/// `FlushViewOfFile`: writes the modified pages of `dwNumberOfBytesToFlush` bytes (0 = to the
/// end of the view) back to the mapped file. Memory that is not a view has nothing to write
/// (TRUE); `NULL`, unmapped memory and a range past the view's end fail with
/// `ERROR_INVALID_PARAMETER`.
#[unsafe(no_mangle)]
pub extern "C" fn FlushViewOfFile(
    lpBaseAddress: *const c_void,
    dwNumberOfBytesToFlush: usize,
) -> BOOL {
    boolean(|| {
        let addr = lpBaseAddress as usize;
        if addr == 0 {
            return fail(ERROR_INVALID_PARAMETER);
        }
        let table = views();
        match view_containing(&table, addr) {
            Some(base) => table[&base].flush_range(addr - base, dwNumberOfBytesToFlush),
            None if w32ipc::mapping::is_mapped(addr) => Ok(()),
            None => fail(ERROR_INVALID_PARAMETER),
        }
    })
}

/// `SYSTEM_INFO`, with the Windows x64 layout.
#[repr(C)]
pub struct SYSTEM_INFO {
    /// `wProcessorArchitecture` (low half) and `wReserved`.
    pub wProcessorArchitecture: u16,
    /// Reserved.
    pub wReserved: u16,
    /// The page size.
    pub dwPageSize: DWORD,
    /// The lowest application address.
    pub lpMinimumApplicationAddress: *mut c_void,
    /// The highest application address.
    pub lpMaximumApplicationAddress: *mut c_void,
    /// One bit per processor.
    pub dwActiveProcessorMask: ULONG_PTR,
    /// The number of processors.
    pub dwNumberOfProcessors: DWORD,
    /// `PROCESSOR_AMD_X8664`.
    pub dwProcessorType: DWORD,
    /// 65536.
    pub dwAllocationGranularity: DWORD,
    /// The processor family.
    pub wProcessorLevel: u16,
    /// The processor model and stepping.
    pub wProcessorRevision: u16,
}

const _: () = assert!(std::mem::size_of::<SYSTEM_INFO>() == 48);

fn fill_system_info(out: *mut SYSTEM_INFO) {
    guard((), || {
        if out.is_null() {
            return;
        }
        let i = w32ipc::mapping::system_info();
        // SAFETY: a non-null SYSTEM_INFO from the caller.
        unsafe {
            out.write(SYSTEM_INFO {
                wProcessorArchitecture: i.processor_architecture,
                wReserved: 0,
                dwPageSize: i.page_size,
                lpMinimumApplicationAddress: i.minimum_application_address as *mut c_void,
                lpMaximumApplicationAddress: i.maximum_application_address as *mut c_void,
                dwActiveProcessorMask: i.active_processor_mask,
                dwNumberOfProcessors: i.number_of_processors,
                dwProcessorType: i.processor_type,
                dwAllocationGranularity: i.allocation_granularity,
                wProcessorLevel: i.processor_level,
                wProcessorRevision: i.processor_revision,
            })
        };
    })
}

/// `GetSystemInfo`: page size 4096, allocation granularity 65536, the processors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetSystemInfo(lpSystemInfo: *mut SYSTEM_INFO) {
    fill_system_info(lpSystemInfo)
}

/// `GetNativeSystemInfo`: the same as [`GetSystemInfo`] (no 32-bit emulation here).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetNativeSystemInfo(lpSystemInfo: *mut SYSTEM_INFO) {
    fill_system_info(lpSystemInfo)
}
