//! Disk files with Win32 semantics (`CreateFile`, `GetFileSizeEx`, `SetFilePointerEx`,
//! `SetEndOfFile`, `FlushFileBuffers`, `DeleteFile`, `GetTempPath`, `GetTempFileName`) — what
//! file-backed mappings are made from, and what Win32 programs read and write.
//!
//! ```
//! use std::io::SeekFrom;
//! use w32ipc::file::{CreationDisposition, DiskFile, delete_file, temp_file_name, temp_path};
//!
//! let (path, _) = temp_file_name(&temp_path(), "w3", 0)?; // creates an empty file
//! let file = DiskFile::options()
//!     .read(true)
//!     .write(true)
//!     .disposition(CreationDisposition::OpenAlways)
//!     .open(&path)?;
//! assert!(file.already_existed());
//! file.write_file(b"hello")?;
//! file.set_file_pointer(SeekFrom::Start(1))?;
//! let mut buf = [0u8; 16];
//! assert_eq!(file.read_file(&mut buf)?, 4);
//! assert_eq!(file.read_file(&mut buf)?, 0); // at the end: success with 0 bytes
//! assert_eq!(file.size()?, 5);
//! drop(file);
//! delete_file(&path)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Paths
//!
//! Paths are Windows paths or Linux paths, converted by [`to_linux_path`]: `\` is a separator
//! like `/`; the drive `Z:` is the root `/` (as under Wine, so a test can use the same paths on
//! both sides); other drive letters do not exist (`ERROR_PATH_NOT_FOUND`); `\\?\` is dropped;
//! device and pipe names (`\\.\…`) are not disk files (`ERROR_FILE_NOT_FOUND` — named pipes are
//! opened elsewhere) and UNC paths (`\\server\share`) fail with `ERROR_BAD_NETPATH`.
//!
//! # Not enforced
//!
//! Share modes are accepted and not enforced (Linux has no mandatory locks): a second open
//! that Windows would refuse with `ERROR_SHARING_VIOLATION` succeeds here, and so does deleting,
//! or shortening, a file that is open or mapped.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use crate::error::{
    ERROR_BAD_NETPATH, ERROR_DIRECTORY, ERROR_FILE_EXISTS, ERROR_FILE_NOT_FOUND,
    ERROR_PATH_NOT_FOUND, Win32ErrorExt, win32,
};
use crate::object::{AsHandleValue, Handle, HandleValue, ObjectKind};
use crate::sys;
use crate::sys::file::Disposition;

/// What `CreateFile` does when the file exists or not (`dwCreationDisposition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CreationDisposition {
    /// `CREATE_NEW`: create; fail with `ERROR_FILE_EXISTS` if it exists.
    #[doc(alias = "CREATE_NEW")]
    CreateNew,
    /// `CREATE_ALWAYS`: create, or truncate an existing file (then
    /// [`DiskFile::already_existed`]).
    #[doc(alias = "CREATE_ALWAYS")]
    CreateAlways,
    /// `OPEN_EXISTING`: open; fail with `ERROR_FILE_NOT_FOUND` if missing.
    #[doc(alias = "OPEN_EXISTING")]
    OpenExisting,
    /// `OPEN_ALWAYS`: open, or create a missing file (an existing one sets
    /// [`DiskFile::already_existed`]).
    #[doc(alias = "OPEN_ALWAYS")]
    OpenAlways,
    /// `TRUNCATE_EXISTING`: open and truncate to 0; fail if missing.
    #[doc(alias = "TRUNCATE_EXISTING")]
    TruncateExisting,
}

impl CreationDisposition {
    /// The disposition of a raw `dwCreationDisposition` (1–5).
    pub fn from_win32(code: u32) -> Option<CreationDisposition> {
        Some(match code {
            1 => CreationDisposition::CreateNew,
            2 => CreationDisposition::CreateAlways,
            3 => CreationDisposition::OpenExisting,
            4 => CreationDisposition::OpenAlways,
            5 => CreationDisposition::TruncateExisting,
            _ => return None,
        })
    }
}

/// How to open a disk file: access, disposition, inheritance (the arguments of `CreateFile`).
#[derive(Clone, Copy, Debug)]
pub struct FileOptions {
    read: bool,
    write: bool,
    disposition: CreationDisposition,
    inheritable: bool,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            read: false,
            write: false,
            disposition: CreationDisposition::OpenExisting,
            inheritable: false,
        }
    }
}

impl FileOptions {
    /// `GENERIC_READ`.
    pub fn read(mut self, read: bool) -> Self {
        self.read = read;
        self
    }

    /// `GENERIC_WRITE`.
    pub fn write(mut self, write: bool) -> Self {
        self.write = write;
        self
    }

    /// `dwCreationDisposition` (default `OPEN_EXISTING`).
    pub fn disposition(mut self, disposition: CreationDisposition) -> Self {
        self.disposition = disposition;
        self
    }

    /// `SECURITY_ATTRIBUTES.bInheritHandle`.
    pub fn inheritable(mut self, inheritable: bool) -> Self {
        self.inheritable = inheritable;
        self
    }

    /// Opens or creates the file at `path` (a Windows or Linux path: see the
    /// [module docs](self)).
    ///
    /// # Errors
    /// `ERROR_FILE_NOT_FOUND`, `ERROR_PATH_NOT_FOUND`, `ERROR_FILE_EXISTS` (`CREATE_NEW`),
    /// `ERROR_ACCESS_DENIED` (permissions, or a directory), and the path errors of
    /// [`to_linux_path`].
    #[doc(alias = "CreateFileW")]
    #[doc(alias = "CreateFileA")]
    pub fn open(&self, path: &str) -> io::Result<DiskFile> {
        let path = to_linux_path(path)?;
        let disposition = match self.disposition {
            CreationDisposition::CreateNew => Disposition::CreateNew,
            CreationDisposition::CreateAlways => Disposition::CreateAlways,
            CreationDisposition::OpenExisting => Disposition::OpenExisting,
            CreationDisposition::OpenAlways => Disposition::OpenAlways,
            CreationDisposition::TruncateExisting => Disposition::TruncateExisting,
        };
        let (fd, existed) = sys::file::open(&path, self.read, self.write, disposition)?;
        let handle = Handle::from_fd(fd);
        if self.inheritable {
            handle.set_inheritable(true)?;
        }
        let reports_existing = matches!(
            self.disposition,
            CreationDisposition::CreateAlways | CreationDisposition::OpenAlways
        );
        Ok(DiskFile {
            handle,
            existed: existed && reports_existing,
        })
    }
}

/// An open disk file (`CreateFile` on a path). Reads and writes go through the file pointer; a
/// read at or past the end succeeds with 0 bytes, as `ReadFile` does on a disk file.
#[derive(Debug)]
pub struct DiskFile {
    handle: Handle,
    existed: bool,
}

impl DiskFile {
    /// Options for opening or creating a file.
    pub fn options() -> FileOptions {
        FileOptions::default()
    }

    /// Opens an existing file for reading.
    #[doc(alias = "CreateFileW")]
    pub fn open(path: &str) -> io::Result<DiskFile> {
        DiskFile::options().read(true).open(path)
    }

    /// Creates a file for reading and writing, truncating an existing one (`CREATE_ALWAYS`).
    #[doc(alias = "CreateFileW")]
    pub fn create(path: &str) -> io::Result<DiskFile> {
        DiskFile::options()
            .read(true)
            .write(true)
            .disposition(CreationDisposition::CreateAlways)
            .open(path)
    }

    /// Whether `CREATE_ALWAYS` or `OPEN_ALWAYS` found the file there already
    /// (`GetLastError() == ERROR_ALREADY_EXISTS` after `CreateFile`).
    pub fn already_existed(&self) -> bool {
        self.existed
    }

    /// Reads at the file pointer (`ReadFile`); `Ok(0)` at the end.
    ///
    /// # Errors
    /// `ERROR_ACCESS_DENIED` on a handle opened without `GENERIC_READ`.
    #[doc(alias = "ReadFile")]
    pub fn read_file(&self, buf: &mut [u8]) -> io::Result<usize> {
        sys::file::read(self.handle.fd(), buf)
    }

    /// Writes all of `data` at the file pointer (`WriteFile`).
    ///
    /// # Errors
    /// `ERROR_ACCESS_DENIED` on a handle opened without `GENERIC_WRITE`; `ERROR_DISK_FULL`.
    #[doc(alias = "WriteFile")]
    pub fn write_file(&self, data: &[u8]) -> io::Result<usize> {
        sys::file::write(self.handle.fd(), data)
    }

    /// The file's size (`GetFileSizeEx`).
    #[doc(alias = "GetFileSizeEx")]
    #[doc(alias = "GetFileSize")]
    pub fn size(&self) -> io::Result<u64> {
        sys::file::size(self.handle.fd())
    }

    /// Moves the file pointer and returns the new position (`SetFilePointerEx`); a position
    /// past the end is allowed, one before the start fails with `ERROR_NEGATIVE_SEEK`.
    #[doc(alias = "SetFilePointerEx")]
    #[doc(alias = "SetFilePointer")]
    pub fn set_file_pointer(&self, pos: SeekFrom) -> io::Result<u64> {
        set_file_pointer(&self.handle, pos)
    }

    /// Sets the end of the file at the file pointer, cutting or extending it (`SetEndOfFile`).
    #[doc(alias = "SetEndOfFile")]
    pub fn set_end_of_file(&self) -> io::Result<()> {
        sys::file::set_end(self.handle.fd())
    }

    /// Writes the file's data to the device (`FlushFileBuffers`); needs `GENERIC_WRITE`.
    #[doc(alias = "FlushFileBuffers")]
    pub fn flush_file_buffers(&self) -> io::Result<()> {
        sys::file::flush(self.handle.fd())
    }

    /// Takes a handle known to be a disk file (`ERROR_INVALID_HANDLE` otherwise).
    pub fn from_handle(handle: Handle) -> io::Result<DiskFile> {
        if handle.kind()? != ObjectKind::File || sys::file::check_regular(handle.fd()).is_err() {
            return Err(win32(crate::error::ERROR_INVALID_HANDLE));
        }
        Ok(DiskFile {
            handle,
            existed: false,
        })
    }

    /// The generic handle.
    pub fn into_handle(self) -> Handle {
        self.handle
    }

    /// The generic handle, borrowed (what [`MappingOptions::create_for_file`] takes).
    ///
    /// [`MappingOptions::create_for_file`]: crate::mapping::MappingOptions::create_for_file
    pub fn as_handle(&self) -> &Handle {
        &self.handle
    }
}

impl From<std::fs::File> for DiskFile {
    fn from(file: std::fs::File) -> DiskFile {
        DiskFile {
            handle: Handle::from_fd(file.into()),
            existed: false,
        }
    }
}

impl AsHandleValue for DiskFile {
    fn handle_value(&self) -> HandleValue {
        self.handle.handle_value()
    }
}

impl Read for &DiskFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_file(buf)
    }
}

impl Read for DiskFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_file(buf)
    }
}

impl Write for &DiskFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_file(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for DiskFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_file(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for &DiskFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.set_file_pointer(pos)
    }
}

impl Seek for DiskFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.set_file_pointer(pos)
    }
}

/// `SetFilePointerEx` on any handle: `ERROR_INVALID_FUNCTION` for pipes and other non-files.
#[doc(alias = "SetFilePointerEx")]
pub fn set_file_pointer(handle: &Handle, pos: SeekFrom) -> io::Result<u64> {
    check_file(handle)?;
    let (distance, whence) = match pos {
        SeekFrom::Start(n) => (i64::try_from(n).unwrap_or(i64::MAX), 0),
        SeekFrom::Current(n) => (n, 1),
        SeekFrom::End(n) => (n, 2),
    };
    sys::file::seek(handle.fd(), distance, whence)
}

/// `GetFileSizeEx` on any handle: `ERROR_INVALID_FUNCTION` for pipes and other non-files.
#[doc(alias = "GetFileSizeEx")]
pub fn file_size(handle: &Handle) -> io::Result<u64> {
    check_file(handle)?;
    sys::file::size(handle.fd())
}

/// `SetEndOfFile` on any handle.
#[doc(alias = "SetEndOfFile")]
pub fn set_end_of_file(handle: &Handle) -> io::Result<()> {
    check_file(handle)?;
    sys::file::set_end(handle.fd())
}

/// `FlushFileBuffers` on a disk-file handle.
#[doc(alias = "FlushFileBuffers")]
pub fn flush_file_buffers(handle: &Handle) -> io::Result<()> {
    check_file(handle)?;
    sys::file::flush(handle.fd())
}

/// Pipes and other non-files answer `ERROR_INVALID_FUNCTION`; named objects (mappings, sync
/// objects) are not files at all: `ERROR_INVALID_HANDLE`.
fn check_file(handle: &Handle) -> io::Result<()> {
    match handle.kind()? {
        ObjectKind::File => Ok(()),
        k if k.is_named_kind() => Err(win32(crate::error::ERROR_INVALID_HANDLE)),
        ObjectKind::Process | ObjectKind::Thread => Err(win32(crate::error::ERROR_INVALID_HANDLE)),
        _ => Err(win32(crate::error::ERROR_INVALID_FUNCTION)),
    }
}

/// Deletes a file (`DeleteFile`).
///
/// # Errors
/// `ERROR_FILE_NOT_FOUND`, `ERROR_PATH_NOT_FOUND`, `ERROR_ACCESS_DENIED` (a directory or no
/// permission).
#[doc(alias = "DeleteFileW")]
#[doc(alias = "DeleteFileA")]
pub fn delete_file(path: &str) -> io::Result<()> {
    sys::file::delete(&to_linux_path(path)?)
}

/// The Linux path a Windows path stands for; see the [module docs](self).
///
/// ```
/// use w32ipc::file::to_linux_path;
/// assert_eq!(to_linux_path(r"Z:\tmp\a.txt")?, std::path::Path::new("/tmp/a.txt"));
/// assert_eq!(to_linux_path("dir\\b")?, std::path::Path::new("dir/b"));
/// assert_eq!(to_linux_path("/tmp/c")?, std::path::Path::new("/tmp/c"));
/// assert!(to_linux_path(r"C:\Windows").is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// `ERROR_PATH_NOT_FOUND` for an empty path or a drive other than `Z:`;
/// `ERROR_FILE_NOT_FOUND` for device and pipe names; `ERROR_BAD_NETPATH` for UNC paths.
pub fn to_linux_path(path: &str) -> io::Result<PathBuf> {
    let path = path
        .strip_prefix(r"\\?\")
        .or_else(|| path.strip_prefix("//?/"))
        .unwrap_or(path);
    if path.is_empty() {
        return Err(win32(ERROR_PATH_NOT_FOUND));
    }
    if path.starts_with(r"\\.\") || path.starts_with("//./") {
        return Err(win32(ERROR_FILE_NOT_FOUND));
    }
    if path.starts_with(r"\\") {
        return Err(win32(ERROR_BAD_NETPATH));
    }
    let converted = path.replace('\\', "/");
    let bytes = converted.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        if !bytes[0].eq_ignore_ascii_case(&b'z') {
            return Err(win32(ERROR_PATH_NOT_FOUND));
        }
        let rest = &converted[2..];
        return Ok(PathBuf::from(if rest.starts_with('/') {
            rest.to_owned()
        } else {
            format!("/{rest}")
        }));
    }
    Ok(PathBuf::from(converted))
}

/// The directory for temporary files, with a trailing `/` (`GetTempPath`): `$TMPDIR`, else
/// `/tmp/`. A Linux path, so that the C library's `fopen` takes it as well as `CreateFile`.
#[doc(alias = "GetTempPathW")]
#[doc(alias = "GetTempPathA")]
pub fn temp_path() -> String {
    let mut dir = std::env::temp_dir().to_string_lossy().into_owned();
    if !dir.ends_with('/') {
        dir.push('/');
    }
    dir
}

/// A temporary file name in `dir`: `<dir>/<up to 3 chars of prefix><hex>.tmp`
/// (`GetTempFileName`). With `unique` 0 a free number is found and the file is created empty;
/// otherwise that number is used and nothing is created. Returns the name and the number.
///
/// # Errors
/// `ERROR_DIRECTORY` when `dir` is not a directory; `ERROR_FILE_EXISTS` when every number is
/// taken.
#[doc(alias = "GetTempFileNameW")]
#[doc(alias = "GetTempFileNameA")]
pub fn temp_file_name(dir: &str, prefix: &str, unique: u32) -> io::Result<(String, u32)> {
    let dir_linux = to_linux_path(dir).map_err(|_| win32(ERROR_DIRECTORY))?;
    if !dir_linux.is_dir() {
        return Err(win32(ERROR_DIRECTORY));
    }
    let mut base = dir.to_owned();
    if !base.ends_with('/') && !base.ends_with('\\') {
        base.push(if dir.contains('\\') { '\\' } else { '/' });
    }
    let prefix: String = prefix.chars().take(3).collect();
    let name = |n: u32| format!("{base}{prefix}{n:X}.tmp");
    if unique != 0 {
        let n = unique & 0xFFFF;
        return Ok((name(n), n));
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ std::process::id().rotate_left(16))
        .unwrap_or(1);
    for i in 0..0xFFFFu32 {
        let n = (seed.wrapping_add(i) % 0xFFFF) + 1;
        let candidate = name(n);
        match FileOptions::default()
            .write(true)
            .disposition(CreationDisposition::CreateNew)
            .open(&candidate)
        {
            Ok(_) => return Ok((candidate, n)),
            Err(e) if e.win32_code() == ERROR_FILE_EXISTS => continue,
            Err(e) => return Err(e),
        }
    }
    Err(win32(ERROR_FILE_EXISTS))
}
