//! Access rights of sync-object handles: whether a handle may wait (`SYNCHRONIZE`) and change
//! the state (`EVENT_MODIFY_STATE`, `SEMAPHORE_MODIFY_STATE`).
//!
//! A right a handle lacks is stored on its descriptor's file status flags, so it travels with
//! the handle into children and duplicates: `O_NONBLOCK` marks "no `SYNCHRONIZE`", `O_APPEND`
//! "no modify". (Neither changes anything else: the state is reached through a separate
//! mapping.)

use std::io;
use std::os::fd::BorrowedFd;

use rustix::fs::OFlags;

use crate::error::from_os;
use crate::object::ObjectKind;

/// `SYNCHRONIZE`.
const SYNCHRONIZE: u32 = 0x0010_0000;
/// `EVENT_MODIFY_STATE` and `SEMAPHORE_MODIFY_STATE`; `MUTEX_MODIFY_STATE` is bit 0.
const MODIFY_STATE: u32 = 0x0002;
const MUTEX_MODIFY_STATE: u32 = 0x0001;
const GENERIC_ALL: u32 = 0x1000_0000;
const GENERIC_EXECUTE: u32 = 0x2000_0000;
const GENERIC_WRITE: u32 = 0x4000_0000;
const MAXIMUM_ALLOWED: u32 = 0x0200_0000;

/// What a handle to an event, mutex or semaphore may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncAccess {
    /// Wait on the object (`SYNCHRONIZE`).
    pub synchronize: bool,
    /// Change its state: `SetEvent`/`ResetEvent`/`PulseEvent`, `ReleaseSemaphore`
    /// (`EVENT_MODIFY_STATE`, `SEMAPHORE_MODIFY_STATE`, `MUTEX_MODIFY_STATE`).
    pub modify: bool,
}

impl SyncAccess {
    /// Every right (`EVENT_ALL_ACCESS`, …): what a create gives.
    pub const ALL: SyncAccess = SyncAccess {
        synchronize: true,
        modify: true,
    };

    /// The rights a Win32 access mask asks for (`dwDesiredAccess` of `OpenEvent` and the
    /// like), generic rights mapped as Windows maps them for sync objects.
    pub fn from_mask(kind: ObjectKind, mask: u32) -> SyncAccess {
        if mask & (GENERIC_ALL | MAXIMUM_ALLOWED) != 0 {
            return SyncAccess::ALL;
        }
        let modify_bit = if kind == ObjectKind::Mutex {
            MUTEX_MODIFY_STATE
        } else {
            MODIFY_STATE
        };
        SyncAccess {
            synchronize: mask & (SYNCHRONIZE | GENERIC_EXECUTE) != 0,
            modify: mask & (modify_bit | GENERIC_WRITE) != 0,
        }
    }
}

/// The rights of the handle `fd`.
pub(crate) fn of(fd: BorrowedFd<'_>) -> io::Result<SyncAccess> {
    let fl = rustix::fs::fcntl_getfl(fd).map_err(from_os)?;
    Ok(SyncAccess {
        synchronize: !fl.contains(OFlags::NONBLOCK),
        modify: !fl.contains(OFlags::APPEND),
    })
}

/// Takes away the rights `access` lacks from the handle `fd` (its own open file description).
pub(crate) fn restrict(fd: BorrowedFd<'_>, access: SyncAccess) -> io::Result<()> {
    let mut fl = rustix::fs::fcntl_getfl(fd).map_err(from_os)?;
    fl.set(OFlags::NONBLOCK, !access.synchronize);
    fl.set(OFlags::APPEND, !access.modify);
    rustix::fs::fcntl_setfl(fd, fl).map_err(from_os)
}
