//! What events, mutexes and semaphores share: a handle, its mapped state, and how they are
//! created, opened and taken apart.

use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::BorrowedFd;
use std::sync::Arc;

use super::access::SyncAccess;
use super::state::SyncState;
use crate::error::{ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, win32};
use crate::object::name::ObjectName;
use crate::object::{Handle, HandleValue, ObjectKind, named};
use crate::sys;
use crate::sys::page::Page;

/// A handle to an event, mutex or semaphore with its state mapped.
#[derive(Clone)]
pub(crate) struct SyncObject {
    pub(crate) page: Arc<Page>,
    pub(crate) kind: ObjectKind,
    /// What the handle it came from may do.
    pub(crate) access: SyncAccess,
}

impl SyncObject {
    /// The object's shared state.
    pub(crate) fn state(&self) -> &SyncState {
        // SAFETY: the page maps the object file's first page, which holds the state at
        // STATE_OFFSET, and lives as long as `self.page`.
        unsafe { SyncState::at(self.page.at(sys::named::STATE_OFFSET as usize)) }
    }

    /// Maps the state of the object behind `handle`, which must be of `kind`.
    pub(crate) fn of(handle: &Handle, kind: ObjectKind) -> io::Result<SyncObject> {
        if handle.kind()? != kind {
            return Err(win32(ERROR_INVALID_HANDLE));
        }
        Self::of_kind(handle.fd(), kind)
    }

    pub(crate) fn of_kind(fd: BorrowedFd<'_>, kind: ObjectKind) -> io::Result<SyncObject> {
        Ok(SyncObject {
            page: sys::page::get(fd, kind)?,
            kind,
            access: super::access::of(fd)?,
        })
    }

    /// Fails with `ERROR_ACCESS_DENIED` unless the handle may change the state.
    pub(crate) fn check_modify(&self) -> io::Result<()> {
        if self.access.modify {
            Ok(())
        } else {
            Err(win32(ERROR_ACCESS_DENIED))
        }
    }

    /// Fails with `ERROR_ACCESS_DENIED` unless the handle may wait.
    pub(crate) fn check_synchronize(&self) -> io::Result<()> {
        if self.access.synchronize {
            Ok(())
        } else {
            Err(win32(ERROR_ACCESS_DENIED))
        }
    }
}

/// Parses an optional name for a create: `None` and `""` make an unnamed object.
pub(crate) fn parse_for_create(name: Option<&str>) -> io::Result<Option<ObjectName>> {
    match name {
        None => Ok(None),
        Some(n) => ObjectName::parse(n),
    }
}

/// Parses a name for an open: the empty name is `ERROR_INVALID_HANDLE`, as on Windows.
pub(crate) fn parse_for_open(name: &str) -> io::Result<ObjectName> {
    ObjectName::parse(name)?.ok_or_else(|| win32(ERROR_INVALID_HANDLE))
}

/// Creates (or opens, if the name is taken by one of the same kind) a sync object whose state
/// starts as (`word`, `aux`). Returns the handle, its mapped state, and whether it existed.
pub(crate) fn create(
    kind: ObjectKind,
    name: Option<&str>,
    word: u32,
    aux: u32,
) -> io::Result<(Handle, SyncObject, bool)> {
    let name = parse_for_create(name)?;
    let mut init = |fd: BorrowedFd<'_>| -> io::Result<()> {
        let mut state = [0u8; 16];
        state[..4].copy_from_slice(&word.to_ne_bytes());
        state[8..12].copy_from_slice(&aux.to_ne_bytes());
        let n = rustix::io::pwrite(fd, &state, sys::named::STATE_OFFSET)
            .map_err(|_| win32(ERROR_INVALID_PARAMETER))?;
        if n != state.len() {
            return Err(win32(ERROR_INVALID_PARAMETER));
        }
        Ok(())
    };
    let (handle, existed) = named::create(kind, name.as_ref(), &mut init)?;
    let obj = SyncObject::of_kind(handle.fd(), kind)?;
    Ok((handle, obj, existed))
}

/// Opens the live sync object of `kind` called `name`, with the rights `access`.
pub(crate) fn open(
    kind: ObjectKind,
    name: &str,
    access: SyncAccess,
) -> io::Result<(Handle, SyncObject)> {
    let name = parse_for_open(name)?;
    let handle = named::open(kind, &name, true)?;
    if access != SyncAccess::ALL {
        super::access::restrict(handle.fd(), access)?;
    }
    let obj = SyncObject::of_kind(handle.fd(), kind)?;
    Ok((handle, obj))
}

/// An owned handle to an event, mutex or semaphore with its state mapped: what `Event`,
/// `Mutex` and `Semaphore` are made of.
pub(crate) struct SyncHandle {
    pub(crate) handle: Handle,
    pub(crate) obj: SyncObject,
    /// Whether the create found the object already there (`ERROR_ALREADY_EXISTS`).
    pub(crate) existed: bool,
}

impl SyncHandle {
    pub(crate) fn create(
        kind: ObjectKind,
        name: Option<&str>,
        word: u32,
        aux: u32,
    ) -> io::Result<SyncHandle> {
        let (handle, obj, existed) = create(kind, name, word, aux)?;
        Ok(SyncHandle {
            handle,
            obj,
            existed,
        })
    }

    pub(crate) fn open(kind: ObjectKind, name: &str, access: SyncAccess) -> io::Result<SyncHandle> {
        let (handle, obj) = open(kind, name, access)?;
        Ok(SyncHandle {
            handle,
            obj,
            existed: true,
        })
    }

    pub(crate) fn from_handle(handle: Handle, kind: ObjectKind) -> io::Result<SyncHandle> {
        let obj = SyncObject::of(&handle, kind)?;
        Ok(SyncHandle {
            handle,
            obj,
            existed: true,
        })
    }

    /// # Safety
    /// The handle must stay open while the returned value is in use.
    pub(crate) unsafe fn borrow_value(
        value: HandleValue,
        kind: ObjectKind,
    ) -> io::Result<ManuallyDrop<SyncHandle>> {
        // SAFETY: forwarded to the caller; the handle only ever lives in ManuallyDrop.
        let handle = unsafe { Handle::borrow_value(value)? };
        let obj = SyncObject::of(&handle, kind)?;
        Ok(ManuallyDrop::new(SyncHandle {
            handle: ManuallyDrop::into_inner(handle),
            obj,
            existed: true,
        }))
    }

    pub(crate) fn wait_target(&self) -> io::Result<super::WaitTarget<'_>> {
        self.obj.check_synchronize()?;
        Ok(super::WaitTarget(super::wait::Target::Object(
            self.obj.clone(),
        )))
    }
}
