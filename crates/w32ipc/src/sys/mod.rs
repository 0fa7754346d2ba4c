//! The platform backend: the only code that talks to the kernel.
//!
//! Each backend provides the same `pub(crate)` surface: descriptors-as-handles ([`handle`]),
//! pipes, processes and the crash-safe named-object files. The rest of the crate never names a
//! syscall.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub(crate) use linux::*;
