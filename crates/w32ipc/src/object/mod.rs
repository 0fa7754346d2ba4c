//! Handles, names and the lifetime of kernel objects.
//!
//! Every kernel object is reached through a handle. In Rust a handle is an owned value that
//! closes on drop ([`Handle`] for any object, or a typed owner such as
//! [`PipeReader`](crate::pipe::PipeReader)); its numeric [`HandleValue`] is what a Win32 program
//! sees, and is the same in a child process that inherits it.

pub mod name;
pub(crate) mod named;

pub use named::{NamedObjectInfo, list_named};

use std::fmt;
use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, BorrowedFd, IntoRawFd, OwnedFd};
use std::str::FromStr;

use crate::error::{ERROR_INVALID_HANDLE, win32};
use crate::sys;

/// The numeric value of a handle, as a Win32 program sees it (`HANDLE` cast to an integer).
///
/// An inheritable handle has the same value in a child process, so passing the value (on the
/// command line, say) is how a child learns which handle to use; [`Handle::from_inherited`]
/// rebuilds the handle there. Never 0 (`NULL`) and never negative (`INVALID_HANDLE_VALUE`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HandleValue(usize);

impl HandleValue {
    /// The value as an integer.
    pub const fn get(self) -> usize {
        self.0
    }

    /// A handle value from an integer (no check is made that a handle with that value exists).
    pub const fn from_raw(value: usize) -> HandleValue {
        HandleValue(value)
    }
}

impl fmt::Debug for HandleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HandleValue({:#x})", self.0)
    }
}

impl fmt::Display for HandleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for HandleValue {
    type Err = io::Error;
    /// Parses decimal or `0x` hexadecimal.
    fn from_str(s: &str) -> io::Result<HandleValue> {
        let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(hex) => usize::from_str_radix(hex, 16),
            None => s.parse(),
        };
        v.map(HandleValue).map_err(|_| win32(ERROR_INVALID_HANDLE))
    }
}

/// Gives the value of a handle without giving up ownership.
pub trait AsHandleValue {
    /// The handle's value in this process.
    fn handle_value(&self) -> HandleValue;
}

/// What kind of kernel object a handle refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    /// The read end of an anonymous pipe.
    PipeRead,
    /// The write end of an anonymous pipe.
    PipeWrite,
    /// A process.
    Process,
    /// A thread.
    Thread,
    /// An event.
    Event,
    /// A mutex.
    Mutex,
    /// A semaphore.
    Semaphore,
    /// A file mapping.
    Mapping,
    /// A disk file, a device or a terminal.
    File,
    /// An end of a named pipe (and, in `w32ipc ls`, a pipe name).
    NamedPipe,
    /// An object used by w32ipc's own tests of the name machinery.
    #[doc(hidden)]
    Test,
    /// Something w32ipc does not know.
    Other,
}

impl ObjectKind {
    /// Whether objects of this kind can have names in the kernel-object namespace.
    pub fn is_named_kind(self) -> bool {
        matches!(
            self,
            ObjectKind::Event
                | ObjectKind::Mutex
                | ObjectKind::Semaphore
                | ObjectKind::Mapping
                | ObjectKind::Test
        )
    }
}

/// An owned handle to a kernel object of any kind; closes on drop (`CloseHandle`).
///
/// Closing the last handle to a named object, in any process, removes its name.
#[derive(Debug)]
pub struct Handle {
    fd: ManuallyDrop<OwnedFd>,
}

impl Handle {
    /// Takes ownership of a handle this process inherited from its parent (or otherwise
    /// received), by value, and checks that it refers to an open object.
    ///
    /// ```no_run
    /// // In a child started with an inherited handle whose value came as the first argument:
    /// let value: w32ipc::HandleValue = std::env::args().nth(1).unwrap().parse()?;
    /// // SAFETY: the parent passed us this handle for our sole use.
    /// let handle = unsafe { w32ipc::Handle::from_inherited(value)? };
    /// println!("got a {:?}", handle.kind()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// `ERROR_INVALID_HANDLE` when no object with that value is open in this process — as for a
    /// handle the parent did not make inheritable.
    ///
    /// # Safety
    /// Nothing else in this process may own or close the handle: the returned `Handle` closes
    /// it on drop.
    pub unsafe fn from_inherited(value: HandleValue) -> io::Result<Handle> {
        let fd = sys::handle::borrow_value(value.0)?;
        // SAFETY: the descriptor is open (checked above) and the caller gives us ownership.
        let fd = unsafe { sys::handle::own(sys::handle::raw(fd)) };
        Ok(Handle::from_fd(fd))
    }

    /// Borrows the handle with value `value` without taking ownership: dropping the result does
    /// not close it. This is how a Win32-style API that receives handle values works on them.
    ///
    /// # Errors
    /// `ERROR_INVALID_HANDLE` when no object with that value is open in this process.
    ///
    /// # Safety
    /// The handle must stay open while the returned value is in use.
    pub unsafe fn borrow_value(value: HandleValue) -> io::Result<ManuallyDrop<Handle>> {
        let fd = sys::handle::fd_of(value.0).ok_or_else(|| win32(ERROR_INVALID_HANDLE))?;
        // SAFETY: wrapped in ManuallyDrop, the descriptor is never closed through this value;
        // the caller keeps it open while the value lives.
        Ok(ManuallyDrop::new(Handle::from_fd(unsafe {
            sys::handle::own(fd)
        })))
    }

    /// Gives up ownership and returns the value (the handle stays open).
    pub fn into_value(self) -> HandleValue {
        let fd = self.into_fd();
        HandleValue(sys::handle::value_of(fd.into_raw_fd()))
    }

    /// What kind of object this is, found from the handle alone.
    pub fn kind(&self) -> io::Result<ObjectKind> {
        sys::handle::kind_of(self.fd.as_fd())
    }

    /// Whether a child process started with inheritance gets this handle
    /// (`HANDLE_FLAG_INHERIT`).
    #[doc(alias = "GetHandleInformation")]
    pub fn is_inheritable(&self) -> io::Result<bool> {
        sys::handle::is_inheritable(self.fd.as_fd())
    }

    /// Makes the handle inheritable or not (`SetHandleInformation(h, HANDLE_FLAG_INHERIT, …)`).
    #[doc(alias = "SetHandleInformation")]
    pub fn set_inheritable(&self, inherit: bool) -> io::Result<()> {
        sys::handle::set_inheritable(self.fd.as_fd(), inherit)
    }

    /// Another handle to the same object, inheritable or not (`DuplicateHandle` within the
    /// process). Each handle closes independently.
    #[doc(alias = "DuplicateHandle")]
    pub fn try_clone(&self, inheritable: bool) -> io::Result<Handle> {
        Ok(Handle::from_fd(sys::handle::duplicate(
            self.fd.as_fd(),
            inheritable,
        )?))
    }

    pub(crate) fn from_fd(fd: OwnedFd) -> Handle {
        Handle {
            fd: ManuallyDrop::new(fd),
        }
    }

    pub(crate) fn into_fd(self) -> OwnedFd {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so the descriptor moves out exactly once.
        unsafe { ManuallyDrop::take(&mut this.fd) }
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsHandleValue for Handle {
    fn handle_value(&self) -> HandleValue {
        HandleValue(sys::handle::value_of(sys::handle::raw(self.fd.as_fd())))
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the descriptor is taken exactly once, here, and never used again.
        let fd = unsafe { ManuallyDrop::take(&mut self.fd) };
        crate::npipe::registry::forget(sys::handle::raw(fd.as_fd()));
        sys::handle::close(fd);
    }
}

impl From<OwnedFd> for Handle {
    /// Any descriptor is a handle (a disk file, a device, a socket, …).
    fn from(fd: OwnedFd) -> Handle {
        Handle::from_fd(fd)
    }
}

impl From<Handle> for OwnedFd {
    fn from(h: Handle) -> OwnedFd {
        h.into_fd()
    }
}
