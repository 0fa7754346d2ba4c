//! File mappings (`CreateFileMapping`, `OpenFileMapping`, `MapViewOfFile`): named shared memory
//! backed by the paging file, and views of disk files.
//!
//! ```
//! use w32ipc::mapping::{FileMapping, MapAccess};
//!
//! // One process creates a named mapping and writes to it…
//! let name = format!("demo-{}", std::process::id());
//! let mapping = FileMapping::create(Some(&name), 65536)?;
//! let view = mapping.map_view(MapAccess::WRITE, 0, 0)?;
//! view.write_from(0, b"shared");
//!
//! // …another opens it by name and reads.
//! let other = FileMapping::open(&name, MapAccess::READ)?;
//! let mut buf = [0u8; 6];
//! other.map_view(MapAccess::READ, 0, 6)?.read_into(0, &mut buf);
//! assert_eq!(&buf, b"shared");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The rules, as Windows keeps them (each checked against Wine, the project's oracle):
//!
//! * A paging-file mapping needs a size (0 fails with `ERROR_INVALID_PARAMETER`); a file
//!   mapping of size 0 takes the file's size (an empty file fails with `ERROR_FILE_INVALID`); a
//!   read-write file mapping larger than its file extends the file, a read-only or write-copy
//!   one fails with `ERROR_NOT_ENOUGH_MEMORY`.
//! * Sizes: a paging-file mapping is *committed* on Windows, so one larger than the machine can
//!   commit fails with `ERROR_COMMITMENT_LIMIT`. Here the limit is the memory plus swap, or the
//!   free space of the filesystem that holds the session's objects (tmpfs, normally), whichever
//!   is less — nothing is allocated before it is touched. Sizes of 64 TiB and more fail with
//!   `ERROR_NOT_ENOUGH_MEMORY`, as under Wine. [`MappingOptions::reserve`] (`SEC_RESERVE`)
//!   skips the commit check.
//! * Creating a name that exists returns the existing object ([`FileMapping::already_existed`],
//!   `ERROR_ALREADY_EXISTS` in C) whatever size and protection were asked; a name held by
//!   another kind of object fails with `ERROR_INVALID_HANDLE`; opening a missing name fails with
//!   `ERROR_FILE_NOT_FOUND`.
//! * Views start at multiples of [`ALLOCATION_GRANULARITY`] (64 KiB) or fail with
//!   `ERROR_MAPPED_ALIGNMENT`; an offset at or past the end fails with
//!   `ERROR_INVALID_PARAMETER`; a length past the end, or more access than the handle or the
//!   mapping's protection allows, with `ERROR_ACCESS_DENIED`. Length 0 maps to the end.
//! * The name lives while a handle is open in any process and goes with the last one — views
//!   keep the memory, not the name.
//!
//! Where this differs from Windows: views are page-aligned, not 64 KiB-aligned; a mapped disk
//! file can still be truncated or deleted by other means (Windows refuses with
//! `ERROR_USER_MAPPED_FILE` / `ERROR_SHARING_VIOLATION`), after which touching the pages past its
//! new end raises `SIGBUS`; see `sys/linux/mapping.rs` for how file-backed mappings are shared.

mod system;
mod view;

pub use system::{SystemInfo, system_info};
pub use view::{Shareable, View};

use std::io;
use std::ops::BitOr;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_COMMITMENT_LIMIT, ERROR_FILE_INVALID, ERROR_INVALID_HANDLE,
    ERROR_INVALID_PARAMETER, ERROR_MAPPED_ALIGNMENT, ERROR_NOT_ENOUGH_MEMORY, win32,
};
use crate::object::name::ObjectName;
use crate::object::{AsHandleValue, Handle, HandleValue, ObjectKind, named};
use crate::sys;
use crate::sys::mapping::{Meta, ViewMode};

/// Views start at multiples of this (`SYSTEM_INFO.dwAllocationGranularity`): 64 KiB, as on
/// Windows.
pub const ALLOCATION_GRANULARITY: u64 = 65536;

/// Paging-file mappings up to this size are not checked against the commit limit.
const SMALL_ENOUGH: u64 = 16 << 20;

/// Paging-file mappings of this size or more fail with `ERROR_NOT_ENOUGH_MEMORY`.
pub const MAX_PAGING_FILE_SIZE: u64 = 1 << 46;

/// The protection of a mapping's pages (`flProtect`), which bounds what views may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PageProtection {
    /// `PAGE_READONLY`: read views and copy-on-write views.
    #[doc(alias = "PAGE_READONLY")]
    ReadOnly,
    /// `PAGE_READWRITE`: every kind of view.
    #[doc(alias = "PAGE_READWRITE")]
    ReadWrite,
    /// `PAGE_WRITECOPY`: read views and copy-on-write views.
    #[doc(alias = "PAGE_WRITECOPY")]
    WriteCopy,
}

impl PageProtection {
    fn code(self) -> u32 {
        match self {
            PageProtection::ReadOnly => 1,
            PageProtection::ReadWrite => 2,
            PageProtection::WriteCopy => 3,
        }
    }

    fn from_code(code: u32) -> PageProtection {
        match code {
            2 => PageProtection::ReadWrite,
            3 => PageProtection::WriteCopy,
            _ => PageProtection::ReadOnly,
        }
    }
}

/// Access to a mapping or a view: the `FILE_MAP_*` bits (any others are carried along, as
/// Windows does: they neither grant nor deny anything here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MapAccess(u32);

impl MapAccess {
    /// `FILE_MAP_READ`: a read-only view.
    pub const READ: MapAccess = MapAccess(0x0004);
    /// `FILE_MAP_WRITE`: a read-write view (the mapping must be `PAGE_READWRITE`).
    pub const WRITE: MapAccess = MapAccess(0x0002);
    /// `FILE_MAP_COPY`: a private copy-on-write view; writes stay in this process.
    pub const COPY: MapAccess = MapAccess(0x0001);
    /// `FILE_MAP_EXECUTE`: executable pages (the mapping must be a `PAGE_EXECUTE_*` one).
    pub const EXECUTE: MapAccess = MapAccess(0x0020);
    /// `FILE_MAP_ALL_ACCESS`: read and write.
    pub const ALL_ACCESS: MapAccess = MapAccess(0x000F_001F);

    const GENERIC_READ: u32 = 0x8000_0000;
    const GENERIC_WRITE: u32 = 0x4000_0000;
    const GENERIC_ALL: u32 = 0x1000_0000;
    const MAXIMUM_ALLOWED: u32 = 0x0200_0000;

    /// The access of a raw `dwDesiredAccess`.
    pub const fn from_bits(bits: u32) -> MapAccess {
        MapAccess(bits)
    }

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    fn has(self, other: MapAccess) -> bool {
        self.0 & other.0 != 0
    }

    /// The rights a handle opened with this access holds: (map for reading, map for writing).
    /// `FILE_MAP_COPY` asks for reading, as `OpenFileMapping` documents.
    fn handle_rights(self) -> (bool, bool) {
        let b = self.0;
        let all = b & (Self::GENERIC_ALL | Self::MAXIMUM_ALLOWED) != 0;
        let read = all || b & (Self::READ.0 | Self::COPY.0 | Self::GENERIC_READ) != 0;
        let write = all || b & (Self::WRITE.0 | Self::GENERIC_WRITE) != 0;
        (read, write)
    }
}

impl BitOr for MapAccess {
    type Output = MapAccess;
    fn bitor(self, rhs: MapAccess) -> MapAccess {
        MapAccess(self.0 | rhs.0)
    }
}

/// How to create a mapping: name, protection, size, inheritance.
///
/// ```
/// use w32ipc::mapping::{MappingOptions, PageProtection};
/// let m = MappingOptions::new()
///     .protection(PageProtection::ReadWrite)
///     .size(1 << 20)
///     .create()?;
/// assert_eq!(m.size()?, 1 << 20);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct MappingOptions<'a> {
    name: Option<&'a str>,
    protection: PageProtection,
    executable: bool,
    size: u64,
    inheritable: bool,
    reserve: bool,
}

impl Default for MappingOptions<'_> {
    fn default() -> Self {
        MappingOptions::new()
    }
}

impl<'a> MappingOptions<'a> {
    /// Unnamed, `PAGE_READWRITE`, size 0 (the file's size, for a file mapping), not
    /// inheritable.
    pub fn new() -> MappingOptions<'a> {
        MappingOptions {
            name: None,
            protection: PageProtection::ReadWrite,
            executable: false,
            size: 0,
            inheritable: false,
            reserve: false,
        }
    }

    /// The object name (`Local\X`, `Global\X` or `X`); `None` or `""` makes an unnamed mapping.
    pub fn name(mut self, name: Option<&'a str>) -> Self {
        self.name = name;
        self
    }

    /// The page protection.
    pub fn protection(mut self, protection: PageProtection) -> Self {
        self.protection = protection;
        self
    }

    /// Whether views may be executable (`PAGE_EXECUTE_READ`, `…_READWRITE`, `…_WRITECOPY`).
    pub fn executable(mut self, executable: bool) -> Self {
        self.executable = executable;
        self
    }

    /// The maximum size in bytes (`dwMaximumSizeHigh`/`Low`).
    pub fn size(mut self, size: u64) -> Self {
        self.size = size;
        self
    }

    /// Whether child processes inherit the handle (`SECURITY_ATTRIBUTES.bInheritHandle`).
    pub fn inheritable(mut self, inheritable: bool) -> Self {
        self.inheritable = inheritable;
        self
    }

    /// `SEC_RESERVE`: do not check that the size can be committed.
    pub fn reserve(mut self, reserve: bool) -> Self {
        self.reserve = reserve;
        self
    }

    /// Creates (or opens, if the name exists) a mapping backed by the paging file
    /// (`CreateFileMapping(INVALID_HANDLE_VALUE, …)`).
    ///
    /// # Errors
    /// `ERROR_INVALID_PARAMETER` for size 0; `ERROR_COMMITMENT_LIMIT` or
    /// `ERROR_NOT_ENOUGH_MEMORY` for sizes that cannot be had (see the module docs); the name
    /// errors of [`ObjectName::parse`]; `ERROR_INVALID_HANDLE` when another kind of object
    /// has the name.
    #[doc(alias = "CreateFileMappingW")]
    #[doc(alias = "CreateFileMappingA")]
    pub fn create(&self) -> io::Result<FileMapping> {
        if self.size == 0 {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        if self.size >= MAX_PAGING_FILE_SIZE {
            return Err(win32(ERROR_NOT_ENOUGH_MEMORY));
        }
        // Small mappings skip the (two-syscall) look at the machine: they always fit.
        if !self.reserve
            && self.size > SMALL_ENOUGH
            && self.size > sys::mapping::commit_limit(sys::mapping::namespace_dir_fd()?)
        {
            return Err(win32(ERROR_COMMITMENT_LIMIT));
        }
        let meta = Meta {
            protection: self.protection.code(),
            executable: self.executable,
            size: self.size,
            file: None,
        };
        self.create_object(&meta, None)
    }

    /// Creates (or opens, if the name exists) a mapping of the disk file behind `file`
    /// (`CreateFileMapping(hFile, …)`). The mapping keeps the file open; `file` may be closed.
    ///
    /// # Errors
    /// `ERROR_INVALID_HANDLE` when `file` is not a disk file; `ERROR_ACCESS_DENIED` when its
    /// handle cannot read, or cannot write for `PAGE_READWRITE`; `ERROR_FILE_INVALID` for size 0
    /// on an empty file; `ERROR_NOT_ENOUGH_MEMORY` when a read-only or write-copy mapping is
    /// larger than the file.
    #[doc(alias = "CreateFileMappingW")]
    #[doc(alias = "CreateFileMappingA")]
    pub fn create_for_file(&self, file: &Handle) -> io::Result<FileMapping> {
        if file.kind()? != ObjectKind::File {
            return Err(win32(ERROR_INVALID_HANDLE));
        }
        let size_now = sys::file::size(file.fd()).map_err(|_| win32(ERROR_INVALID_HANDLE))?;
        let (read, write) = sys::file::access(file.fd())?;
        if !read || (self.protection == PageProtection::ReadWrite && !write) {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        let size = if self.size == 0 { size_now } else { self.size };
        if size == 0 {
            return Err(win32(ERROR_FILE_INVALID));
        }
        if size > size_now {
            if self.protection != PageProtection::ReadWrite {
                return Err(win32(ERROR_NOT_ENOUGH_MEMORY));
            }
            sys::file::set_len(file.fd(), size)?;
        }
        let (dev, ino) = sys::file::identity(file.fd())?;
        let path = sys::file::path_of(file.fd()).unwrap_or_default();
        let meta = Meta {
            protection: self.protection.code(),
            executable: self.executable,
            size,
            file: Some((path, dev, ino)),
        };
        let backing =
            rustix::io::fcntl_dupfd_cloexec(file.fd(), 0).map_err(crate::error::from_os)?;
        self.create_object(&meta, Some(Arc::new(backing)))
    }

    fn create_object(&self, meta: &Meta, backing: Option<Arc<OwnedFd>>) -> io::Result<FileMapping> {
        let name = ObjectName::parse(self.name.unwrap_or(""))?;
        let (handle, existed) = named::create(ObjectKind::Mapping, name.as_ref(), &mut |fd| {
            sys::mapping::init_object(fd, meta)
        })?;
        if self.protection != PageProtection::ReadWrite {
            // As on Windows, the handle gets the rights the protection asked for.
            sys::mapping::deny_write(handle.fd())?;
        }
        if self.inheritable {
            handle.set_inheritable(true)?;
        }
        // An existing object keeps its own backing, whatever this call offered.
        let backing = if existed { None } else { backing };
        Ok(FileMapping {
            handle,
            existed,
            backing,
        })
    }
}

/// A file mapping object (a "section"): memory that views show in every process that maps it.
/// Closing the handle (drop) does not unmap views; the name goes with the last handle.
#[derive(Debug)]
pub struct FileMapping {
    handle: Handle,
    existed: bool,
    /// The disk file, for a file mapping made in this process (others reopen it by path).
    backing: Option<Arc<OwnedFd>>,
}

impl FileMapping {
    /// Creates (or opens) a read-write paging-file mapping of `size` bytes: the common case of
    /// [`MappingOptions::create`].
    #[doc(alias = "CreateFileMappingW")]
    #[doc(alias = "CreateFileMappingA")]
    pub fn create(name: Option<&str>, size: u64) -> io::Result<FileMapping> {
        MappingOptions::new().name(name).size(size).create()
    }

    /// Options for creating a mapping.
    pub fn options<'a>() -> MappingOptions<'a> {
        MappingOptions::new()
    }

    /// Opens the mapping called `name` (`OpenFileMapping`), not inheritable.
    ///
    /// # Errors
    /// `ERROR_FILE_NOT_FOUND` when no live mapping has the name; `ERROR_INVALID_HANDLE` for an
    /// empty name or a name held by another kind of object; the name errors of
    /// [`ObjectName::parse`].
    #[doc(alias = "OpenFileMappingW")]
    #[doc(alias = "OpenFileMappingA")]
    pub fn open(name: &str, access: MapAccess) -> io::Result<FileMapping> {
        FileMapping::open_with(name, access, false)
    }

    /// Opens the mapping called `name`, inheritable or not (`bInheritHandle`).
    ///
    /// The handle's rights follow `access`: `FILE_MAP_READ` or `FILE_MAP_COPY` allow read and
    /// copy-on-write views, `FILE_MAP_WRITE` write views; any mask is accepted, as on Windows,
    /// and a handle without the right fails at [`map_view`](FileMapping::map_view) with
    /// `ERROR_ACCESS_DENIED`.
    #[doc(alias = "OpenFileMappingW")]
    #[doc(alias = "OpenFileMappingA")]
    pub fn open_with(name: &str, access: MapAccess, inheritable: bool) -> io::Result<FileMapping> {
        let name = ObjectName::parse(name)?.ok_or_else(|| win32(ERROR_INVALID_HANDLE))?;
        let (read, write) = access.handle_rights();
        let handle = named::open(ObjectKind::Mapping, &name, write)?;
        if !read {
            sys::mapping::deny_read(handle.fd())?;
        }
        if inheritable {
            handle.set_inheritable(true)?;
        }
        Ok(FileMapping {
            handle,
            existed: true,
            backing: None,
        })
    }

    /// Whether the create call found the name taken and opened that object instead
    /// (`GetLastError() == ERROR_ALREADY_EXISTS` after `CreateFileMapping`).
    pub fn already_existed(&self) -> bool {
        self.existed
    }

    /// The mapping's size in bytes.
    pub fn size(&self) -> io::Result<u64> {
        Ok(sys::mapping::read_meta(self.handle.fd())?.size)
    }

    /// The mapping's page protection.
    pub fn protection(&self) -> io::Result<PageProtection> {
        Ok(PageProtection::from_code(
            sys::mapping::read_meta(self.handle.fd())?.protection,
        ))
    }

    /// Whether the mapping shows a disk file (rather than the paging file).
    pub fn is_file_backed(&self) -> io::Result<bool> {
        Ok(sys::mapping::read_meta(self.handle.fd())?.file.is_some())
    }

    /// Maps a view of `len` bytes from `offset` (`MapViewOfFile`); `len` 0 maps to the end.
    ///
    /// # Errors
    /// See the [module docs](self): `ERROR_MAPPED_ALIGNMENT`, `ERROR_INVALID_PARAMETER`,
    /// `ERROR_ACCESS_DENIED`, `ERROR_NOT_ENOUGH_MEMORY`.
    #[doc(alias = "MapViewOfFile")]
    pub fn map_view(&self, access: MapAccess, offset: u64, len: usize) -> io::Result<View> {
        map_view(
            &self.handle,
            self.backing.as_deref(),
            access,
            offset,
            len,
            None,
        )
    }

    /// Maps a view at `address` (`MapViewOfFileEx`), which must be a multiple of
    /// [`ALLOCATION_GRANULARITY`] (`ERROR_MAPPED_ALIGNMENT`) and free (`ERROR_INVALID_ADDRESS`
    /// otherwise: nothing already mapped is ever replaced).
    #[doc(alias = "MapViewOfFileEx")]
    pub fn map_view_at(
        &self,
        access: MapAccess,
        offset: u64,
        len: usize,
        address: usize,
    ) -> io::Result<View> {
        map_view(
            &self.handle,
            self.backing.as_deref(),
            access,
            offset,
            len,
            Some(address),
        )
    }

    /// Takes a handle known to be a file mapping (`ERROR_INVALID_HANDLE` otherwise).
    pub fn from_handle(handle: Handle) -> io::Result<FileMapping> {
        if handle.kind()? != ObjectKind::Mapping {
            return Err(win32(ERROR_INVALID_HANDLE));
        }
        Ok(FileMapping {
            handle,
            existed: false,
            backing: None,
        })
    }

    /// Takes ownership of an inherited handle by value (see [`Handle::from_inherited`]).
    ///
    /// # Safety
    /// Nothing else in this process may own or close the handle.
    pub unsafe fn from_inherited(value: HandleValue) -> io::Result<FileMapping> {
        // SAFETY: forwarded to the caller.
        FileMapping::from_handle(unsafe { Handle::from_inherited(value)? })
    }

    /// The generic handle.
    pub fn into_handle(self) -> Handle {
        self.handle
    }

    /// The generic handle, borrowed.
    pub fn as_handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes the handle inheritable or not (`SetHandleInformation`).
    #[doc(alias = "SetHandleInformation")]
    pub fn set_inheritable(&self, inherit: bool) -> io::Result<()> {
        self.handle.set_inheritable(inherit)
    }
}

impl AsHandleValue for FileMapping {
    fn handle_value(&self) -> HandleValue {
        self.handle.handle_value()
    }
}

/// Whether anything at all is mapped at `address` in this process (a view, the heap, a
/// stack…) — how `FlushViewOfFile` tells memory it has nothing to write for from a bad address.
pub fn is_mapped(address: usize) -> bool {
    sys::mapping::is_mapped(address)
}

/// Maps a view of the mapping behind any handle (`MapViewOfFile(Ex)` as the C ABI calls it);
/// `address` asks for a fixed place.
///
/// # Errors
/// `ERROR_INVALID_HANDLE` when `handle` is not a file mapping; otherwise as
/// [`FileMapping::map_view`] and [`FileMapping::map_view_at`].
#[doc(alias = "MapViewOfFileEx")]
pub fn map_view_of_handle(
    handle: &Handle,
    access: MapAccess,
    offset: u64,
    len: usize,
    address: Option<usize>,
) -> io::Result<View> {
    map_view(handle, None, access, offset, len, address)
}

fn map_view(
    handle: &Handle,
    backing: Option<&OwnedFd>,
    access: MapAccess,
    offset: u64,
    len: usize,
    address: Option<usize>,
) -> io::Result<View> {
    if handle.kind()? != ObjectKind::Mapping {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    if !offset.is_multiple_of(ALLOCATION_GRANULARITY)
        || address.is_some_and(|a| !(a as u64).is_multiple_of(ALLOCATION_GRANULARITY))
    {
        return Err(win32(ERROR_MAPPED_ALIGNMENT));
    }
    let meta = sys::mapping::read_meta(handle.fd())?;
    let (may_read, may_write) = sys::mapping::rights(handle.fd())?;
    let protection = PageProtection::from_code(meta.protection);
    let mode = if access.has(MapAccess::WRITE) {
        if !may_write || protection != PageProtection::ReadWrite {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        ViewMode::Write
    } else if access.has(MapAccess::COPY) {
        if !may_read {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        ViewMode::Copy
    } else {
        if !may_read {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        ViewMode::Read
    };
    let exec = access.has(MapAccess::EXECUTE);
    if exec && !meta.executable {
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    // A paging-file mapping is made of whole pages; a file mapping ends where the file does.
    let size = match meta.file {
        None => meta.size.next_multiple_of(sys::mapping::page_size() as u64),
        Some(_) => meta.size,
    };
    if offset >= size {
        return Err(win32(ERROR_INVALID_PARAMETER));
    }
    let available = size - offset;
    let len = if len == 0 {
        usize::try_from(available).map_err(|_| win32(ERROR_NOT_ENOUGH_MEMORY))?
    } else if len as u64 > available {
        return Err(win32(ERROR_ACCESS_DENIED));
    } else {
        len
    };
    let write = mode == ViewMode::Write;
    let ptr = match (&meta.file, backing) {
        (None, _) => {
            let fd = sys::mapping::reopen_object(handle.fd(), write)?;
            sys::mapping::map(
                fd.as_fd(),
                sys::named::HEADER_LEN + offset,
                len,
                mode,
                exec,
                address,
            )?
        }
        (Some(_), Some(file)) => sys::mapping::map(file.as_fd(), offset, len, mode, exec, address)?,
        (Some((path, dev, ino)), None) => {
            let fd = sys::mapping::reopen_file(path, *dev, *ino, write)?;
            sys::mapping::map(fd.as_fd(), offset, len, mode, exec, address)?
        }
    };
    Ok(View::new(ptr, len, mode != ViewMode::Read))
}
