//! File-mapping costs, µs per operation, in this process.
//!
//! * `create + map + unmap + close, 4 KiB named mapping`: subject
//!   `FileMapping::create(Some(name), 4096)` + `map_view(WRITE)` + a one-byte write + drop of
//!   the view and of the mapping (which removes the name); baseline `memfd_create` +
//!   `ftruncate` + `mmap` + the same write + `munmap` + `close`. Target ≤ 1.5×.
//! * `open by name + map, existing 64 MiB mapping` (no target): `FileMapping::open` +
//!   `map_view` of all 64 MiB + drop, against `open` of the same object file by path +
//!   `mmap` of 64 MiB + `munmap` + `close` (the raw cost of reaching a named tmpfs file).

use std::io;
use std::os::fd::AsFd;
use std::time::Instant;

use rustix::fs::{MemfdFlags, Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};
use w32ipc::mapping::{FileMapping, MapAccess};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::options::Options;
use crate::session::unique_name;

/// The ratio (w32ipc time / raw time) create + map + unmap + close should stay under.
pub const TARGET: f64 = 1.5;

const SMALL: usize = 4096;
const BIG: usize = 64 << 20;

/// Runs both mapping scenarios.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let n = if options.quick { 200 } else { 2000 };
    let create = Scenario {
        name: format!("create + map + unmap + close, 4 KiB named mapping, {n} per trial"),
        unit: "µs/op",
        better: Better::Lower,
        target: Some(TARGET),
        placement: "unpinned".to_string(),
        baseline: Subject::new("raw memfd_create + mmap", move || per_op(n, raw_cycle)),
        subjects: vec![Subject::new(
            "w32ipc CreateFileMapping + MapViewOfFile",
            move || {
                let base = unique_name("map");
                let mut i = 0u64;
                per_op(n, || {
                    i += 1;
                    w32ipc_cycle(&format!("{base}-{i}"))
                })
            },
        )],
    };
    let mut out = vec![harness::run(create, options.trials)?];

    let name = unique_name("big");
    let big = FileMapping::create(Some(&name), BIG as u64)?;
    // Touch every page once, so both sides map resident memory.
    big.map_view(MapAccess::WRITE, 0, 0)?
        .write_from(0, &vec![1u8; BIG]);
    let path = object_path(&name);
    let m = if options.quick { 50 } else { 500 };
    let open = Scenario {
        name: format!("open by name + map 64 MiB + unmap + close, existing mapping, {m} per trial"),
        unit: "µs/op",
        better: Better::Lower,
        target: None,
        placement: "unpinned".to_string(),
        baseline: Subject::new("raw open(path) + mmap", || {
            per_op(m, || raw_open_map(&path))
        }),
        subjects: vec![Subject::new(
            "w32ipc OpenFileMapping + MapViewOfFile",
            || {
                per_op(m, || {
                    let mapping = FileMapping::open(&name, MapAccess::READ)?;
                    let view = mapping.map_view(MapAccess::READ, 0, 0)?;
                    std::hint::black_box(view.read::<u8>(BIG - 1));
                    Ok(())
                })
            },
        )],
    };
    out.push(harness::run(open, options.trials)?);
    drop(big);
    Ok(out)
}

/// Runs `op` `n` times; the mean time of one, in µs.
fn per_op(n: u64, mut op: impl FnMut() -> io::Result<()>) -> io::Result<f64> {
    let start = Instant::now();
    for _ in 0..n {
        op()?;
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / n as f64)
}

fn w32ipc_cycle(name: &str) -> io::Result<()> {
    let mapping = FileMapping::create(Some(name), SMALL as u64)?;
    let view = mapping.map_view(MapAccess::WRITE, 0, 0)?;
    view.write(0, 1u8);
    drop(view);
    drop(mapping);
    Ok(())
}

fn raw_cycle() -> io::Result<()> {
    let fd = rustix::fs::memfd_create("bench", MemfdFlags::CLOEXEC)?;
    rustix::fs::ftruncate(&fd, SMALL as u64)?;
    // SAFETY: a fresh shared mapping of our own memfd, where the kernel chooses.
    let p = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            SMALL,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            fd.as_fd(),
            0,
        )
    }?;
    // SAFETY: the page was just mapped writable.
    unsafe { p.cast::<u8>().write_volatile(1) };
    // SAFETY: our mapping, no longer used.
    unsafe { rustix::mm::munmap(p, SMALL) }?;
    drop(fd);
    Ok(())
}

fn raw_open_map(path: &std::path::Path) -> io::Result<()> {
    let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
    // SAFETY: a fresh shared read-only mapping where the kernel chooses.
    let p = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            BIG,
            ProtFlags::READ,
            MapFlags::SHARED,
            fd.as_fd(),
            4096,
        )
    }?;
    // SAFETY: the last byte of the mapping just made.
    std::hint::black_box(unsafe { p.cast::<u8>().add(BIG - 1).read_volatile() });
    // SAFETY: our mapping, no longer used.
    unsafe { rustix::mm::munmap(p, BIG) }?;
    Ok(())
}

/// Where the session keeps a Local object's file (the layout of `sys/linux/named.rs`).
fn object_path(name: &str) -> std::path::PathBuf {
    let root = std::env::var_os("W32IPC_ROOT").map(std::path::PathBuf::from);
    root.unwrap_or_else(std::env::temp_dir)
        .join("local")
        .join(name)
}
