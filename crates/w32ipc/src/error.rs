//! Win32 error codes and their mapping to and from [`std::io::Error`].
//!
//! Every failure in w32ipc is an [`io::Error`] that carries the Win32 error code Windows gives in
//! the same situation. Read it back with [`Win32ErrorExt::win32_code`]:
//!
//! ```
//! use w32ipc::error::{Win32ErrorExt, ERROR_BROKEN_PIPE};
//!
//! let (reader, writer) = w32ipc::pipe::pipe()?;
//! drop(writer);
//! let mut buf = [0u8; 8];
//! let err = reader.read_file(&mut buf).unwrap_err();
//! assert_eq!(err.win32_code(), ERROR_BROKEN_PIPE);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fmt;
use std::io;

macro_rules! win32_errors {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $kind:ident, $msg:literal; )*) => {
        $( $(#[$doc])* pub const $name: u32 = $code; )*

        /// The symbolic name (`"ERROR_BROKEN_PIPE"`), if w32ipc knows the code.
        pub fn error_name(code: u32) -> Option<&'static str> {
            match code { $( $code => Some(stringify!($name)), )* _ => None }
        }

        /// The system message text, as `FormatMessage` gives it, if w32ipc knows the code.
        #[doc(alias = "FormatMessageW")]
        pub fn error_message(code: u32) -> Option<&'static str> {
            match code { $( $code => Some($msg), )* _ => None }
        }

        fn error_kind(code: u32) -> io::ErrorKind {
            match code { $( $code => io::ErrorKind::$kind, )* _ => io::ErrorKind::Other }
        }
    };
}

win32_errors! {
    /// The operation completed successfully.
    ERROR_SUCCESS = 0, Other, "The operation completed successfully.";
    /// Incorrect function.
    ERROR_INVALID_FUNCTION = 1, Unsupported, "Incorrect function.";
    /// The system cannot find the file specified.
    ERROR_FILE_NOT_FOUND = 2, NotFound, "The system cannot find the file specified.";
    /// The system cannot find the path specified.
    ERROR_PATH_NOT_FOUND = 3, NotFound, "The system cannot find the path specified.";
    /// The system cannot open the file.
    ERROR_TOO_MANY_OPEN_FILES = 4, QuotaExceeded, "The system cannot open the file.";
    /// Access is denied.
    ERROR_ACCESS_DENIED = 5, PermissionDenied, "Access is denied.";
    /// The handle is invalid.
    ERROR_INVALID_HANDLE = 6, InvalidInput, "The handle is invalid.";
    /// Not enough memory resources are available to process this command.
    ERROR_NOT_ENOUGH_MEMORY = 8, OutOfMemory, "Not enough memory resources are available to process this command.";
    /// The environment is incorrect.
    ERROR_BAD_ENVIRONMENT = 10, InvalidInput, "The environment is incorrect.";
    /// An attempt was made to load a program with an incorrect format.
    ERROR_BAD_FORMAT = 11, InvalidData, "An attempt was made to load a program with an incorrect format.";
    /// The access code is invalid.
    ERROR_INVALID_ACCESS = 12, InvalidInput, "The access code is invalid.";
    /// The data is invalid.
    ERROR_INVALID_DATA = 13, InvalidData, "The data is invalid.";
    /// Not enough memory resources are available to complete this operation.
    ERROR_OUTOFMEMORY = 14, OutOfMemory, "Not enough memory resources are available to complete this operation.";
    /// The process cannot access the file because it is being used by another process.
    ERROR_SHARING_VIOLATION = 32, ResourceBusy, "The process cannot access the file because it is being used by another process.";
    /// Reached the end of the file.
    ERROR_HANDLE_EOF = 38, UnexpectedEof, "Reached the end of the file.";
    /// The request is not supported.
    ERROR_NOT_SUPPORTED = 50, Unsupported, "The request is not supported.";
    /// The file exists.
    ERROR_FILE_EXISTS = 80, AlreadyExists, "The file exists.";
    /// The parameter is incorrect.
    ERROR_INVALID_PARAMETER = 87, InvalidInput, "The parameter is incorrect.";
    /// Cannot create another system semaphore.
    ERROR_TOO_MANY_SEMAPHORES = 100, QuotaExceeded, "Cannot create another system semaphore.";
    /// The semaphore cannot be set again.
    ERROR_TOO_MANY_POSTS = 298, QuotaExceeded, "Too many posts were made to a semaphore.";
    /// The pipe has been ended.
    ERROR_BROKEN_PIPE = 109, BrokenPipe, "The pipe has been ended.";
    /// There is not enough space on the disk.
    ERROR_DISK_FULL = 112, StorageFull, "There is not enough space on the disk.";
    /// The filename or extension is too long.
    ERROR_BUFFER_OVERFLOW = 111, InvalidFilename, "The file name is too long.";
    /// The data area passed to a system call is too small.
    ERROR_INSUFFICIENT_BUFFER = 122, InvalidInput, "The data area passed to a system call is too small.";
    /// The filename, directory name, or volume label syntax is incorrect.
    ERROR_INVALID_NAME = 123, InvalidFilename, "The filename, directory name, or volume label syntax is incorrect.";
    /// The semaphore timeout period has expired.
    ERROR_SEM_TIMEOUT = 121, TimedOut, "The semaphore timeout period has expired.";
    /// The operation is not valid for this type of object or the flags are invalid.
    ERROR_INVALID_FLAGS = 1004, InvalidInput, "Invalid flags.";
    /// Cannot create a file when that file already exists.
    ERROR_ALREADY_EXISTS = 183, AlreadyExists, "Cannot create a file when that file already exists.";
    /// The filename or extension is too long.
    ERROR_FILENAME_EXCED_RANGE = 206, InvalidFilename, "The filename or extension is too long.";
    /// The pipe state is invalid.
    ERROR_BAD_PIPE = 230, InvalidInput, "The pipe state is invalid.";
    /// All pipe instances are busy.
    ERROR_PIPE_BUSY = 231, ResourceBusy, "All pipe instances are busy.";
    /// The pipe is being closed.
    ERROR_NO_DATA = 232, BrokenPipe, "The pipe is being closed.";
    /// No process is on the other end of the pipe.
    ERROR_PIPE_NOT_CONNECTED = 233, NotConnected, "No process is on the other end of the pipe.";
    /// More data is available.
    ERROR_MORE_DATA = 234, Other, "More data is available.";
    /// The wait operation timed out.
    WAIT_TIMEOUT = 258, TimedOut, "The wait operation timed out.";
    /// No more data is available.
    ERROR_NO_MORE_ITEMS = 259, Other, "No more data is available.";
    /// Attempt to release mutex not owned by caller.
    ERROR_NOT_OWNER = 288, PermissionDenied, "Attempt to release mutex not owned by caller.";
    /// Element not found.
    ERROR_NOT_FOUND = 1168, NotFound, "Element not found.";
    /// Attempt to access invalid address.
    ERROR_INVALID_ADDRESS = 487, InvalidInput, "Attempt to access invalid address.";
    /// There is a process on other end of the pipe.
    ERROR_PIPE_CONNECTED = 535, AlreadyExists, "There is a process on other end of the pipe.";
    /// Waiting for a process to open the other end of the pipe.
    ERROR_PIPE_LISTENING = 536, WouldBlock, "Waiting for a process to open the other end of the pipe.";
    /// The I/O operation has been aborted because of either a thread exit or an application request.
    ERROR_OPERATION_ABORTED = 995, Interrupted, "The I/O operation has been aborted because of either a thread exit or an application request.";
    /// Overlapped I/O event is not in a signaled state.
    ERROR_IO_INCOMPLETE = 996, WouldBlock, "Overlapped I/O event is not in a signaled state.";
    /// Overlapped I/O operation is in progress.
    ERROR_IO_PENDING = 997, WouldBlock, "Overlapped I/O operation is in progress.";
    /// Invalid access to memory location.
    ERROR_NOACCESS = 998, InvalidInput, "Invalid access to memory location.";
    /// The supplied user buffer is not valid for the requested operation.
    ERROR_INVALID_USER_BUFFER = 1784, InvalidInput, "The supplied user buffer is not valid for the requested operation.";
    /// A thread id was invalid.
    ERROR_INVALID_THREAD_ID = 1444, NotFound, "Invalid thread identifier.";
    /// The message can be used only with synchronous operations.
    ERROR_MESSAGE_SYNC_ONLY = 1159, InvalidInput, "The message can be used only with synchronous operations.";
    /// This operation returned because the timeout period expired.
    ERROR_TIMEOUT = 1460, TimedOut, "This operation returned because the timeout period expired.";
    /// The request could not be performed because of an I/O device error.
    ERROR_IO_DEVICE = 1117, Other, "The request could not be performed because of an I/O device error.";
    /// Cannot find window class.
    ERROR_CANNOT_FIND_WND_CLASS = 1407, NotFound, "Cannot find window class.";
    /// Class already exists.
    ERROR_CLASS_ALREADY_EXISTS = 1410, AlreadyExists, "Class already exists.";
    /// Class does not exist.
    ERROR_CLASS_DOES_NOT_EXIST = 1411, NotFound, "Class does not exist.";
    /// Class still has open windows.
    ERROR_CLASS_HAS_WINDOWS = 1412, ResourceBusy, "Class still has open windows.";
    /// Invalid index.
    ERROR_INVALID_INDEX = 1413, InvalidInput, "Invalid index.";
    /// Invalid window handle.
    ERROR_INVALID_WINDOW_HANDLE = 1400, InvalidInput, "Invalid window handle.";
    /// The specified image file did not have the correct format.
    ERROR_BAD_EXE_FORMAT = 193, InvalidData, "The specified program is not a valid application.";
    /// Not enough quota is available to process this command.
    ERROR_NOT_ENOUGH_QUOTA = 1816, QuotaExceeded, "Not enough quota is available to process this command.";
    /// The specified module could not be found.
    ERROR_MOD_NOT_FOUND = 126, NotFound, "The specified module could not be found.";
    /// The specified procedure could not be found.
    ERROR_PROC_NOT_FOUND = 127, NotFound, "The specified procedure could not be found.";
    /// The network path was not found.
    ERROR_BAD_NETPATH = 53, NotFound, "The network path was not found.";
    /// The directory name is invalid.
    ERROR_DIRECTORY = 267, NotADirectory, "The directory name is invalid.";
    /// An attempt was made to move the file pointer before the beginning of the file.
    ERROR_NEGATIVE_SEEK = 131, InvalidInput, "An attempt was made to move the file pointer before the beginning of the file.";
    /// The volume for a file has been externally altered so that the opened file is no longer valid.
    ERROR_FILE_INVALID = 1006, InvalidInput, "The volume for a file has been externally altered so that the opened file is no longer valid.";
    /// The base address or the file offset specified does not have the proper alignment.
    ERROR_MAPPED_ALIGNMENT = 1132, InvalidInput, "The base address or the file offset specified does not have the proper alignment.";
    /// The requested operation cannot be performed on a file with a user-mapped section open.
    ERROR_USER_MAPPED_FILE = 1224, ResourceBusy, "The requested operation cannot be performed on a file with a user-mapped section open.";
    /// The paging file is too small for this operation to complete.
    ERROR_COMMITMENT_LIMIT = 1455, OutOfMemory, "The paging file is too small for this operation to complete.";
}

/// The Win32 error code a Linux `errno` stands for, in the general case.
///
/// Calls whose meaning depends on the object (a write to a pipe whose reader is gone is
/// `ERROR_NO_DATA`, not a generic error) map errors themselves; this is the fallback.
pub fn from_errno(errno: i32) -> u32 {
    use rustix::io::Errno;
    match Errno::from_raw_os_error(errno) {
        Errno::BADF => ERROR_INVALID_HANDLE,
        Errno::NOENT => ERROR_FILE_NOT_FOUND,
        Errno::NOTDIR => ERROR_PATH_NOT_FOUND,
        Errno::ACCESS | Errno::PERM | Errno::ROFS => ERROR_ACCESS_DENIED,
        Errno::NOMEM => ERROR_NOT_ENOUGH_MEMORY,
        Errno::MFILE | Errno::NFILE => ERROR_TOO_MANY_OPEN_FILES,
        Errno::INVAL => ERROR_INVALID_PARAMETER,
        Errno::EXIST => ERROR_ALREADY_EXISTS,
        Errno::PIPE => ERROR_NO_DATA,
        Errno::NAMETOOLONG => ERROR_FILENAME_EXCED_RANGE,
        Errno::NOSPC => ERROR_DISK_FULL,
        Errno::FAULT => ERROR_NOACCESS,
        Errno::TIMEDOUT => ERROR_TIMEOUT,
        Errno::NOEXEC => ERROR_BAD_EXE_FORMAT,
        Errno::NOTCONN => ERROR_PIPE_NOT_CONNECTED,
        Errno::CONNREFUSED => ERROR_FILE_NOT_FOUND,
        Errno::NOTSUP | Errno::NOSYS => ERROR_NOT_SUPPORTED,
        Errno::ISDIR => ERROR_ACCESS_DENIED,
        Errno::SRCH | Errno::CHILD => ERROR_INVALID_HANDLE,
        Errno::AGAIN => ERROR_NO_DATA,
        Errno::BUSY => ERROR_SHARING_VIOLATION,
        Errno::DQUOT => ERROR_NOT_ENOUGH_QUOTA,
        _ => ERROR_IO_DEVICE,
    }
}

/// A Win32 error code, as `GetLastError` returns it.
///
/// Converts into an [`io::Error`] whose [`kind`](io::Error::kind) fits the code and from which
/// [`Win32ErrorExt::win32_code`] reads the code back.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Win32Error(pub u32);

impl Win32Error {
    /// The numeric Win32 code.
    pub const fn code(self) -> u32 {
        self.0
    }

    /// The `io::ErrorKind` that best fits the code.
    pub fn kind(self) -> io::ErrorKind {
        error_kind(self.0)
    }
}

impl fmt::Debug for Win32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match error_name(self.0) {
            Some(name) => write!(f, "{name}"),
            None => write!(f, "Win32Error({})", self.0),
        }
    }
}

impl fmt::Display for Win32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = error_message(self.0).unwrap_or("Unknown error.");
        let msg = msg.trim_end_matches('.');
        let first_lower = msg
            .chars()
            .next()
            .map(|c| c.to_lowercase().collect::<String>());
        let rest = msg
            .get(msg.chars().next().map_or(0, char::len_utf8)..)
            .unwrap_or("");
        match error_name(self.0) {
            Some(name) => write!(
                f,
                "{}{rest} ({name}, {})",
                first_lower.unwrap_or_default(),
                self.0
            ),
            None => write!(
                f,
                "{}{rest} (Win32 error {})",
                first_lower.unwrap_or_default(),
                self.0
            ),
        }
    }
}

impl std::error::Error for Win32Error {}

impl From<Win32Error> for io::Error {
    fn from(e: Win32Error) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

/// An `io::Error` carrying the Win32 code `code`.
pub fn win32(code: u32) -> io::Error {
    Win32Error(code).into()
}

/// An `io::Error` for a failed Linux call, carrying the Win32 code the `errno` maps to.
pub(crate) fn from_os(err: rustix::io::Errno) -> io::Error {
    win32(from_errno(err.raw_os_error()))
}

/// Reads the Win32 error code out of an [`io::Error`].
pub trait Win32ErrorExt {
    /// The Win32 error code this error stands for (`ERROR_BROKEN_PIPE`, …).
    ///
    /// Errors made by w32ipc carry their code; other `io::Error`s are mapped from their OS error
    /// number or kind.
    #[doc(alias = "GetLastError")]
    fn win32_code(&self) -> u32;
}

impl Win32ErrorExt for io::Error {
    fn win32_code(&self) -> u32 {
        if let Some(e) = self.get_ref().and_then(|e| e.downcast_ref::<Win32Error>()) {
            return e.0;
        }
        if let Some(errno) = self.raw_os_error() {
            return from_errno(errno);
        }
        match self.kind() {
            io::ErrorKind::NotFound => ERROR_FILE_NOT_FOUND,
            io::ErrorKind::PermissionDenied => ERROR_ACCESS_DENIED,
            io::ErrorKind::BrokenPipe => ERROR_BROKEN_PIPE,
            io::ErrorKind::InvalidInput => ERROR_INVALID_PARAMETER,
            io::ErrorKind::TimedOut => ERROR_TIMEOUT,
            io::ErrorKind::AlreadyExists => ERROR_ALREADY_EXISTS,
            io::ErrorKind::OutOfMemory => ERROR_NOT_ENOUGH_MEMORY,
            io::ErrorKind::UnexpectedEof => ERROR_HANDLE_EOF,
            _ => ERROR_IO_DEVICE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_survives_io_error() {
        let e = win32(ERROR_PIPE_BUSY);
        assert_eq!(e.win32_code(), 231);
        assert_eq!(e.kind(), io::ErrorKind::ResourceBusy);
        assert_eq!(
            e.to_string(),
            "all pipe instances are busy (ERROR_PIPE_BUSY, 231)"
        );
    }

    #[test]
    fn errno_fallback() {
        let e = io::Error::from_raw_os_error(rustix::io::Errno::BADF.raw_os_error());
        assert_eq!(e.win32_code(), ERROR_INVALID_HANDLE);
    }
}
