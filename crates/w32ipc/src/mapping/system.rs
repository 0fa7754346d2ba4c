//! `GetSystemInfo`: page size, allocation granularity, processors.

use crate::sys;

/// What `GetSystemInfo` / `GetNativeSystemInfo` report (`SYSTEM_INFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SystemInfo {
    /// `PROCESSOR_ARCHITECTURE_AMD64` (9), `…_ARM64` (12), or `…_UNKNOWN` (0xFFFF).
    pub processor_architecture: u16,
    /// The page size (4096 on x86-64).
    pub page_size: u32,
    /// The lowest address a view or allocation can have (64 KiB, as on Windows).
    pub minimum_application_address: usize,
    /// The highest address a view or allocation can have.
    pub maximum_application_address: usize,
    /// One bit per processor.
    pub active_processor_mask: usize,
    /// The number of processors online.
    pub number_of_processors: u32,
    /// `PROCESSOR_AMD_X8664` (8664) on x86-64, 0 elsewhere.
    pub processor_type: u32,
    /// Where views may start: [`ALLOCATION_GRANULARITY`](super::ALLOCATION_GRANULARITY), 64 KiB.
    pub allocation_granularity: u32,
    /// The processor family (x86).
    pub processor_level: u16,
    /// `model << 8 | stepping` (x86).
    pub processor_revision: u16,
}

const ARCHITECTURE: u16 = if cfg!(target_arch = "x86_64") {
    9
} else if cfg!(target_arch = "aarch64") {
    12
} else {
    0xFFFF
};

const PROCESSOR_TYPE: u32 = if cfg!(target_arch = "x86_64") {
    8664
} else {
    0
};

/// The system's memory and processor facts (`GetSystemInfo`; `GetNativeSystemInfo` is the same
/// here: there is no 32-bit emulation layer).
///
/// ```
/// let info = w32ipc::mapping::system_info();
/// assert_eq!(info.allocation_granularity, 65536);
/// assert!(info.number_of_processors >= 1);
/// ```
#[doc(alias = "GetSystemInfo")]
#[doc(alias = "GetNativeSystemInfo")]
pub fn system_info() -> SystemInfo {
    let n = sys::mapping::processor_count();
    let (level, revision) = sys::mapping::processor_level_revision();
    let mask = if n as usize >= usize::BITS as usize {
        usize::MAX
    } else {
        (1usize << n) - 1
    };
    SystemInfo {
        processor_architecture: ARCHITECTURE,
        page_size: sys::mapping::page_size() as u32,
        minimum_application_address: 0x1_0000,
        maximum_application_address: 0x7FFF_FFFE_FFFF,
        active_processor_mask: mask,
        number_of_processors: n,
        processor_type: PROCESSOR_TYPE,
        allocation_granularity: super::ALLOCATION_GRANULARITY as u32,
        processor_level: level,
        processor_revision: revision,
    }
}
