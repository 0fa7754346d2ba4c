//! Where the parent and the child of a scenario run: unpinned, on two different CPUs, or on
//! one CPU.

use std::io;

use rustix::thread::{CpuSet, sched_getaffinity, sched_setaffinity};

use crate::options::PinMode;

/// The CPUs of a pinned scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pinning {
    /// The CPU the parent (the benchmark process) runs on.
    pub parent: usize,
    /// The CPU the child pins itself to.
    pub child: usize,
}

/// The parent's CPU set as it was before pinning; restores it on drop.
pub struct PinGuard {
    saved: CpuSet,
}

impl Drop for PinGuard {
    fn drop(&mut self) {
        if let Err(e) = sched_setaffinity(None, &self.saved) {
            eprintln!("w32ipc-bench: could not restore the CPU affinity: {e}");
        }
    }
}

/// Pins the calling thread to the first CPU this process may run on, and picks the CPU the
/// child is told to pin itself to ([`pin_self`]): the second allowed CPU for
/// [`PinMode::TwoCpus`] (fails when there is only one), the same for [`PinMode::OneCpu`].
/// `None` for [`PinMode::None`].
pub fn pin_parent(mode: PinMode) -> io::Result<Option<(Pinning, PinGuard)>> {
    if mode == PinMode::None {
        return Ok(None);
    }
    let saved = sched_getaffinity(None)?;
    let mut cpus = (0..CpuSet::MAX_CPU).filter(|&c| saved.is_set(c));
    let parent = cpus
        .next()
        .ok_or_else(|| io::Error::other("no CPU allowed"))?;
    let child = match mode {
        PinMode::OneCpu => parent,
        _ => cpus
            .next()
            .ok_or_else(|| io::Error::other("--pin needs at least two CPUs"))?,
    };
    pin_self(parent)?;
    Ok(Some((Pinning { parent, child }, PinGuard { saved })))
}

/// Pins the calling thread to `cpu`.
pub fn pin_self(cpu: usize) -> io::Result<()> {
    let mut set = CpuSet::new();
    set.set(cpu);
    sched_setaffinity(None, &set)?;
    Ok(())
}

/// How a scenario's processes were placed, for the table.
pub fn describe(pinning: Option<Pinning>) -> String {
    match pinning {
        Some(p) if p.parent == p.child => format!("pinned: both on cpu{}", p.parent),
        Some(p) => format!("pinned: parent cpu{}, child cpu{}", p.parent, p.child),
        None => "unpinned".to_string(),
    }
}
