//! Named kernel objects: create-or-open and open by name in the session namespace, and the
//! listing behind `w32ipc ls`. Events, mutexes, semaphores and mappings are built on this.
//!
//! Lifetime follows NT: a name lives while any handle to its object is open, in any process,
//! and is gone at once after the last close — also when every holder was killed with SIGKILL.

use std::io;

use crate::error::{ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, win32};
use crate::object::name::{Namespace, ObjectName, file_name_for};
use crate::object::{Handle, ObjectKind};
use crate::sys;

/// Creates an object of `kind` with `name`, or opens the live one that has it.
///
/// `init` writes the new object's state after its header before the name is visible. Returns
/// the handle and whether the object already existed (`ERROR_ALREADY_EXISTS`). A name held by
/// an object of another kind fails with `ERROR_INVALID_HANDLE`. `None` makes an unnamed object.
pub(crate) fn create(
    kind: ObjectKind,
    name: Option<&ObjectName>,
    init: &mut dyn FnMut(std::os::fd::BorrowedFd<'_>) -> io::Result<()>,
) -> io::Result<(Handle, bool)> {
    let Some(name) = name else {
        let dir = sys::named::namespace_dir(Some(Namespace::Local))?;
        let fd = sys::named::create_unnamed(std::os::fd::AsFd::as_fd(dir), kind, "")?;
        init(std::os::fd::AsFd::as_fd(&fd))?;
        return Ok((Handle::from_fd(fd), false));
    };
    let dir = sys::named::namespace_dir(Some(name.namespace()))?;
    let full = full_name(name);
    let (fd, created) = sys::named::create_or_open(
        std::os::fd::AsFd::as_fd(dir),
        &file_name_for(name.name()),
        kind,
        &full,
        init,
    )?;
    let handle = Handle::from_fd(fd);
    if !created && handle.kind()? != kind {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    Ok((handle, !created))
}

/// Opens the live object of `kind` called `name`.
///
/// # Errors
/// `ERROR_FILE_NOT_FOUND` when no live object has the name; `ERROR_INVALID_HANDLE` when an
/// object of another kind has it.
pub(crate) fn open(kind: ObjectKind, name: &ObjectName, writable: bool) -> io::Result<Handle> {
    let dir = sys::named::namespace_dir(Some(name.namespace()))?;
    let fd = sys::named::open(
        std::os::fd::AsFd::as_fd(dir),
        &file_name_for(name.name()),
        writable,
    )?
    .ok_or_else(|| win32(ERROR_FILE_NOT_FOUND))?;
    let handle = Handle::from_fd(fd);
    if handle.kind()? != kind {
        return Err(win32(ERROR_INVALID_HANDLE));
    }
    Ok(handle)
}

/// A live named object of the session, as `w32ipc ls` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedObjectInfo {
    /// Its kind.
    pub kind: ObjectKind,
    /// Its full name (`Local\X` or `Global\X`).
    pub name: String,
    /// Its size in bytes beyond the object's header (a mapping's size; 0 for sync objects).
    pub size: u64,
    /// The ids of the processes holding handles to it (those whose handles came from an
    /// open or create; inheritors share their parent's entry).
    pub holders: Vec<u32>,
}

/// Lists the live named objects of a namespace (`Local` is this session's).
///
/// ```
/// use w32ipc::object::name::Namespace;
/// for o in w32ipc::object::list_named(Namespace::Local)? {
///     println!("{:?} {} held by {:?}", o.kind, o.name, o.holders);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn list_named(namespace: Namespace) -> io::Result<Vec<NamedObjectInfo>> {
    Ok(sys::named::list(Some(namespace))?
        .into_iter()
        .map(|l| NamedObjectInfo {
            kind: l.kind,
            name: l.name,
            size: l.size,
            holders: l.holders,
        })
        .collect())
}

fn full_name(name: &ObjectName) -> String {
    match name.namespace() {
        Namespace::Local => format!("Local\\{}", name.name()),
        Namespace::Global => format!("Global\\{}", name.name()),
    }
}

#[cfg(test)]
mod tests;
