//! Names for the sync-object scenarios: a private session root for the whole benchmark process
//! tree, and object names no other run (or earlier trial) uses.

use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that sets w32ipc's session root (see the library's `object` docs).
pub const ROOT_VAR: &str = "W32IPC_ROOT";

/// The session root this run made for itself; removed again on drop.
pub struct PrivateRoot {
    dir: PathBuf,
}

impl Drop for PrivateRoot {
    fn drop(&mut self) {
        // Every object of the run is closed by now, so only the namespace directories remain.
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!(
                "w32ipc-bench: could not remove the session root {}: {e}",
                self.dir.display()
            );
        }
    }
}

/// Points `W32IPC_ROOT` at a fresh directory for this process and every child it starts,
/// unless it is set already (then `None`: that root is used and left alone).
///
/// The directory goes where w32ipc's own default root lives — on tmpfs: under
/// `$XDG_RUNTIME_DIR`, else `/dev/shm` — so that the objects' shared pages are the kind users
/// get (on a disk file system they would be page cache with writeback); the temporary
/// directory is the last resort.
///
/// # Safety
/// No other thread of this process may exist yet: `set_var` races with any concurrent read
/// of the environment.
pub unsafe fn use_private_root() -> io::Result<Option<PrivateRoot>> {
    if std::env::var_os(ROOT_VAR).is_some_and(|v| !v.is_empty()) {
        return Ok(None);
    }
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/dev/shm")).filter(|d| d.is_dir()))
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(unique_name("root"));
    // Private, as w32ipc makes its default root; fails rather than reuse an existing one.
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    // SAFETY: per the caller, this process is still single-threaded.
    unsafe { std::env::set_var(ROOT_VAR, &dir) };
    Ok(Some(PrivateRoot { dir }))
}

/// A name unique to this call in this run: the tag, this process's id and a counter (and the
/// time, so that a reused process id of an earlier run cannot meet a leftover either).
pub fn unique_name(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("w32ipc-bench-{tag}-{}-{n}-{t:x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differ_and_name_this_process() {
        let (a, b) = (unique_name("t"), unique_name("t"));
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("w32ipc-bench-t-{}-", std::process::id())));
    }
}
