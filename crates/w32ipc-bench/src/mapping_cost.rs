//! Named shared-memory setup and file-mapping costs, µs per operation, in this process.
//!
//! * `named segment setup` (4 KiB and 1 MiB; target ≤ 1.5× for w32ipc): what two parties do
//!   to share a segment by name — create it by name, map it, write one byte (its last); open it
//!   by name through a second handle, map that, read the byte back (checked); then unmap and
//!   close both, after which the name is gone (checked once per trial, outside the clock).
//!   Baseline: POSIX shared memory (`shm_open(O_CREAT | O_EXCL)` + `ftruncate` + `mmap`, a
//!   second `shm_open` + `fstat` + `mmap`, `munmap` ×2, `close` ×2, `shm_unlink`); subject:
//!   `FileMapping::create(Some(name))` + `map_view(WRITE)`, `FileMapping::open(READ)` +
//!   `map_view(READ)`; peer: the `shared_memory` crate (`ShmemConf::create`, then `open`);
//!   diagnostic: an unnamed `memfd` mapped twice (what a name costs).
//! * `open by name + map, existing 64 MiB mapping` (no target): `FileMapping::open` +
//!   `map_view` of all 64 MiB + drop, against `open` of the same object file by path +
//!   `mmap` of 64 MiB + `munmap` + `close` (the raw cost of reaching a named tmpfs file).

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Instant;

use rustix::fs::{MemfdFlags, Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};
use shared_memory::ShmemConf;
use w32ipc::mapping::{FileMapping, MapAccess};

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::options::Options;
use crate::session::unique_name;

/// The ratio (w32ipc time / raw time) the named setup should stay under.
pub const TARGET: f64 = 1.5;

/// The segment sizes of the setup scenario.
const SETUP_SIZES: [usize; 2] = [4096, 1 << 20];
const BIG: usize = 64 << 20;

/// Runs the mapping scenarios.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let n = if options.quick { 200 } else { 2000 };
    let mut out = Vec::new();
    for size in SETUP_SIZES {
        out.push(harness::run(setup_scenario(size, n), options.trials)?);
    }

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
            per_op(m, |_| raw_open_map(&path))
        }),
        subjects: vec![Subject::new(
            "w32ipc OpenFileMapping + MapViewOfFile",
            || {
                per_op(m, |_| {
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

/// The named-setup scenario for segments of `size` bytes, `n` setups per trial.
fn setup_scenario(size: usize, n: u64) -> Scenario<'static> {
    let label = if size >= 1 << 20 {
        format!("{} MiB", size >> 20)
    } else {
        format!("{} KiB", size >> 10)
    };
    Scenario {
        name: format!(
            "named segment setup: create + map + write, open + map + read, unmap + close both, \
             {label}, {n} per trial"
        ),
        unit: "µs/op",
        better: Better::Lower,
        target: Some(TARGET),
        placement: "unpinned".to_string(),
        baseline: Subject::new("raw shm_open + mmap (POSIX shm)", move || {
            named_trial("shm", n, size, RAW_SHM)
        }),
        subjects: vec![
            Subject::new(
                "w32ipc CreateFileMapping + OpenFileMapping + MapViewOfFile",
                move || named_trial("map", n, size, W32IPC),
            ),
            Subject::new("shared_memory ShmemConf create + open", move || {
                named_trial("shmem", n, size, SHARED_MEMORY)
            })
            .peer(),
            Subject::new(
                "raw memfd_create, no name (2nd mmap of the fd)",
                move || per_op(n, |i| memfd_setup(size, marker(i))),
            )
            .diagnostic(),
        ],
    }
}

/// A named arm: `setup(name, size, byte)` does one whole setup; `still_there(name)` says
/// whether the name can still be opened.
#[derive(Clone, Copy)]
struct NamedArm {
    setup: fn(&str, usize, u8) -> io::Result<()>,
    still_there: fn(&str) -> bool,
}

const RAW_SHM: NamedArm = NamedArm {
    setup: raw_shm_setup,
    still_there: |name| rustix::shm::open(name, rustix::shm::OFlags::RDONLY, Mode::empty()).is_ok(),
};

const W32IPC: NamedArm = NamedArm {
    setup: w32ipc_setup,
    still_there: |name| FileMapping::open(name, MapAccess::READ).is_ok(),
};

const SHARED_MEMORY: NamedArm = NamedArm {
    setup: shared_memory_setup,
    still_there: |name| ShmemConf::new().os_id(name).open().is_ok(),
};

/// One trial of a named arm: `n` setups of `size` bytes under fresh names (made before the
/// clock starts); then checks that the last name is gone. The mean time of one setup, in µs.
fn named_trial(tag: &str, n: u64, size: usize, arm: NamedArm) -> io::Result<f64> {
    let names: Vec<String> = (0..n).map(|_| unique_name(tag)).collect();
    let us = per_op(n, |i| (arm.setup)(&names[i as usize], size, marker(i)))?;
    if let Some(last) = names.last()
        && (arm.still_there)(last)
    {
        return Err(io::Error::other(format!(
            "{last}: the name outlived both handles"
        )));
    }
    Ok(us)
}

/// Runs `op(i)` for `i` in `0..n`; the mean time of one, in µs.
fn per_op(n: u64, mut op: impl FnMut(u64) -> io::Result<()>) -> io::Result<f64> {
    let start = Instant::now();
    for i in 0..n {
        op(i)?;
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / n as f64)
}

/// The byte the `i`th setup writes: never 0, so a fresh page cannot pass for it.
fn marker(i: u64) -> u8 {
    (i as u8) | 1
}

fn check_read_back(read: u8, written: u8) -> io::Result<()> {
    if read != written {
        return Err(io::Error::other(format!(
            "the second mapping read {read:#x}, the first wrote {written:#x}"
        )));
    }
    Ok(())
}

fn w32ipc_setup(name: &str, size: usize, byte: u8) -> io::Result<()> {
    let created = FileMapping::create(Some(name), size as u64)?;
    if created.already_existed() {
        return Err(io::Error::other(format!("{name}: already existed")));
    }
    let writer = created.map_view(MapAccess::WRITE, 0, 0)?;
    writer.write(size - 1, byte);
    let opened = FileMapping::open(name, MapAccess::READ)?;
    let reader = opened.map_view(MapAccess::READ, 0, 0)?;
    check_read_back(reader.read::<u8>(size - 1), byte)?;
    drop((reader, writer, opened, created));
    Ok(())
}

fn shared_memory_setup(name: &str, size: usize, byte: u8) -> io::Result<()> {
    let created = ShmemConf::new()
        .size(size)
        .os_id(name)
        .create()
        .map_err(io::Error::other)?;
    // SAFETY: the creator mapped `size` bytes read-write; nothing else uses them yet.
    unsafe { created.as_ptr().add(size - 1).write_volatile(byte) };
    let opened = ShmemConf::new()
        .os_id(name)
        .open()
        .map_err(io::Error::other)?;
    if opened.len() != size {
        return Err(io::Error::other(format!(
            "{name}: opened {} bytes",
            opened.len()
        )));
    }
    // SAFETY: the opener mapped all `size` bytes (checked just above); the byte was written
    // before, in this thread.
    let read = unsafe { opened.as_ptr().add(size - 1).read_volatile() };
    check_read_back(read, byte)?;
    // The opener first; the creator's drop unlinks the name.
    drop(opened);
    drop(created);
    Ok(())
}

/// A shared mapping of `len` bytes of `fd`, `writable` or read-only, where the kernel chooses.
fn map_shared(fd: &OwnedFd, len: usize, writable: bool) -> io::Result<*mut u8> {
    let prot = if writable {
        ProtFlags::READ | ProtFlags::WRITE
    } else {
        ProtFlags::READ
    };
    // SAFETY: a fresh shared mapping of our own descriptor where the kernel chooses: it
    // replaces nothing.
    let p = unsafe { rustix::mm::mmap(std::ptr::null_mut(), len, prot, MapFlags::SHARED, fd, 0) }?;
    Ok(p.cast())
}

/// # Safety
/// `p..p + len` is a mapping made by [`map_shared`] that nothing uses any more.
unsafe fn unmap(p: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: per the caller.
    Ok(unsafe { rustix::mm::munmap(p.cast(), len) }?)
}

/// Writes `byte` at the end of the writable mapping `w`, reads it through the read-only `r`
/// (both `size` bytes, of the same memory), unmaps both.
fn write_read_unmap(w: *mut u8, r: *mut u8, size: usize, byte: u8) -> io::Result<()> {
    // SAFETY: `w` maps `size` bytes read-write (map_shared), used by nobody else.
    unsafe { w.add(size - 1).write_volatile(byte) };
    // SAFETY: `r` maps the same `size` bytes readable.
    let read = unsafe { r.add(size - 1).read_volatile() };
    // SAFETY: both mappings are ours and no longer used.
    unsafe {
        unmap(r, size)?;
        unmap(w, size)?;
    }
    check_read_back(read, byte)
}

fn raw_shm_setup(name: &str, size: usize, byte: u8) -> io::Result<()> {
    use rustix::shm;
    let created = shm::open(
        name,
        shm::OFlags::CREATE | shm::OFlags::EXCL | shm::OFlags::RDWR,
        Mode::RUSR | Mode::WUSR,
    )?;
    rustix::fs::ftruncate(&created, size as u64)?;
    let w = map_shared(&created, size, true)?;
    let opened = shm::open(name, shm::OFlags::RDONLY, Mode::empty())?;
    // The opener learns the size from the object, as the other arms' openers do.
    let len = rustix::fs::fstat(&opened)?.st_size as usize;
    let r = map_shared(&opened, len, false)?;
    let done = write_read_unmap(w, r, size.min(len), byte);
    drop(opened);
    drop(created);
    shm::unlink(name)?;
    done
}

fn memfd_setup(size: usize, byte: u8) -> io::Result<()> {
    let fd = rustix::fs::memfd_create("bench", MemfdFlags::CLOEXEC)?;
    rustix::fs::ftruncate(&fd, size as u64)?;
    let w = map_shared(&fd, size, true)?;
    let len = rustix::fs::fstat(&fd)?.st_size as usize;
    let r = map_shared(&fd, len, false)?;
    write_read_unmap(w, r, size.min(len), byte)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setup_reads_back_and_leaves_no_name() {
        for size in SETUP_SIZES {
            for arm in [RAW_SHM, W32IPC, SHARED_MEMORY] {
                named_trial("test", 3, size, arm).unwrap();
            }
            per_op(3, |i| memfd_setup(size, marker(i))).unwrap();
        }
    }

    #[test]
    fn a_name_that_stays_is_caught() {
        let name = unique_name("test-stays");
        let kept = FileMapping::create(Some(&name), 4096).unwrap();
        assert!((W32IPC.still_there)(&name));
        drop(kept);
        assert!(!(W32IPC.still_there)(&name));
    }
}
