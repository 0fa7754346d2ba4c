//! The named-pipe ends behind handle values, for code that works on [`Handle`](crate::Handle)s
//! (the C ABI, [`crate::io`]): what the handle's descriptor alone cannot say — which instance
//! it is, its read mode, where its reader is in a message — lives here.

use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Arc, RwLock};

use super::end::{PipeEnd, Role};
use crate::sys::{npipe_table, socket};

type Ends = HashMap<RawFd, Arc<PipeEnd>>;
static ENDS: RwLock<Option<Ends>> = RwLock::new(None);

/// Registers an end whose descriptor a `Handle` now owns.
pub(crate) fn insert(end: Arc<PipeEnd>) {
    let mut map = ENDS.write().unwrap_or_else(|e| e.into_inner());
    map.get_or_insert_with(HashMap::new)
        .insert(end.raw_fd(), end);
}

/// Forgets the end behind a descriptor that is being closed (dropping an instance frees its
/// slot).
pub(crate) fn forget(fd: RawFd) {
    let removed = {
        let mut map = ENDS.write().unwrap_or_else(|e| e.into_inner());
        map.as_mut().and_then(|m| m.remove(&fd))
    };
    drop(removed);
}

/// The end behind `fd`, if it is a named pipe. A pipe end this process inherited or duplicated
/// is recognised by its socket's name and registered on first use.
pub(crate) fn lookup(fd: BorrowedFd<'_>) -> Option<Arc<PipeEnd>> {
    let raw = socket::raw(fd);
    let found = {
        let map = ENDS.read().unwrap_or_else(|e| e.into_inner());
        map.as_ref().and_then(|m| m.get(&raw).cloned())
    };
    if let Some(end) = found {
        match end.role {
            // A descriptor number can be reused after a close we did not see.
            Role::Bare { inode, .. } if inode_of(fd) != Some(inode) => forget(raw),
            _ => return Some(end),
        }
    }
    let inode = inode_of(fd)?;
    let (server, message) = if let Some((_, _, m)) =
        socket::local_name(fd).and_then(|n| npipe_table::parse_socket_name(&n))
    {
        (true, m)
    } else {
        let (_, _, m) = npipe_table::parse_socket_name(&socket::peer_name(fd)?)?;
        (false, m)
    };
    // SAFETY: the descriptor is open (we just inspected it) and stays owned by its handle:
    // the end is marked unowned and never closes it.
    let owned = unsafe { OwnedFd::from_raw_fd(raw) };
    let end = Arc::new(
        PipeEnd::new(
            owned,
            Role::Bare { server, inode },
            message,
            server && message,
            false,
            true,
            true,
        )
        .unowned(),
    );
    insert(end.clone());
    Some(end)
}

/// The inode of `fd` if it is a socket (one `fstat`).
fn inode_of(fd: BorrowedFd<'_>) -> Option<u64> {
    socket::socket_inode(fd.as_fd())
}
