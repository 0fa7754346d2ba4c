//! Readings of the memory a process tree costs the whole system — user pages and kernel memory
//! — for the idle-memory scenarios ([`crate::idle_memory`]).
//!
//! The most precise source available wins ([`Meter::detect`]):
//!
//! 1. **cgroup v1 memory controller** of this process's own cgroup (the child inherits it):
//!    kernel = `memory.kmem.usage_in_bytes` (a page counter of every accounted kernel
//!    allocation: slab objects such as sockets, inodes, dentries, files, file locks and VMAs,
//!    page tables, descriptor tables, kernel stacks), user = `rss` + `cache` of `memory.stat`
//!    (anonymous pages, and page-cache pages including tmpfs/shm ones, each counted once
//!    whoever maps it, mapped or not).
//! 2. **cgroup v2** (`memory.stat` of the own cgroup): kernel = `kernel` (or, on kernels
//!    before 5.18, `slab + kernel_stack + pagetables + percpu + vmalloc`) + `sock`, user =
//!    `anon + file`.
//! 3. **`/proc/meminfo`** (system-wide, so every other process's activity is noise): kernel =
//!    `Slab + KernelStack + PageTables`, user = the child's `Anonymous` from its
//!    `/proc/<pid>/smaps_rollup` (exact) + `Shmem` (system-wide).
//!
//! The cgroup sources count everything else that runs in the same cgroup too; the benchmark
//! does not make a cgroup of its own (see the README for running it in a private one).

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a reading first waits for the kernel's deferred frees: objects freed after an RCU
/// grace period (dentries, inodes, page tables of an unmapped range) leave the counters some
/// 10–20 ms after the system call that dropped them, on an idle machine.
pub const SETTLE: Duration = Duration::from_millis(20);

/// The interval between the readings that must agree before a cgroup reading counts as
/// settled.
pub const POLL: Duration = Duration::from_millis(10);

/// The longest a cgroup reading waits for the counters to settle.
pub const SETTLE_MAX: Duration = Duration::from_secs(1);

/// What [`stir`] maps and unmaps: 256 pages, more changes than the kernel lets pile up before a
/// read of `memory.stat` brings the statistics up to date.
const STIR_BYTES: usize = 1 << 20;

/// How long a `/proc/meminfo` reading waits (it never settles: the whole system moves it).
pub const MEMINFO_SETTLE: Duration = Duration::from_millis(50);

/// Memory in use at one moment, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
    /// User pages: anonymous memory and page cache (tmpfs included).
    pub user: f64,
    /// Kernel memory.
    pub kernel: f64,
}

impl Reading {
    /// User and kernel memory together.
    pub fn total(&self) -> f64 {
        self.user + self.kernel
    }

    /// What grew from `before` to `self`.
    pub fn since(&self, before: &Reading) -> Reading {
        Reading {
            user: self.user - before.user,
            kernel: self.kernel - before.kernel,
        }
    }
}

/// Where readings come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meter {
    /// The cgroup v1 memory controller directory of this process.
    CgroupV1(PathBuf),
    /// The cgroup v2 directory of this process.
    CgroupV2(PathBuf),
    /// `/proc/meminfo` and the child's `smaps_rollup`.
    Meminfo,
}

impl Meter {
    /// The most precise source this machine offers to this process.
    pub fn detect() -> Meter {
        let (Ok(cgroups), Ok(mounts)) = (
            std::fs::read_to_string("/proc/self/cgroup"),
            std::fs::read_to_string("/proc/self/mountinfo"),
        ) else {
            return Meter::Meminfo;
        };
        let v1 = cgroup_dir(&cgroups, &mounts, false).filter(|d| {
            d.join("memory.kmem.usage_in_bytes").is_file() && Meter::CgroupV1(d.clone()).works()
        });
        if let Some(dir) = v1 {
            return Meter::CgroupV1(dir);
        }
        let v2 = cgroup_dir(&cgroups, &mounts, true)
            .filter(|d| d.join("memory.stat").is_file() && Meter::CgroupV2(d.clone()).works());
        v2.map_or(Meter::Meminfo, Meter::CgroupV2)
    }

    fn works(&self) -> bool {
        self.read(std::process::id()).is_ok()
    }

    /// A short name for the scenario names.
    pub fn label(&self) -> &'static str {
        match self {
            Meter::CgroupV1(_) => "cgroup v1 kmem + memory.stat",
            Meter::CgroupV2(_) => "cgroup v2 memory.stat",
            Meter::Meminfo => "/proc/meminfo, system-wide: noisy",
        }
    }

    /// Reads the memory in use once it has settled: after [`SETTLE`], the first of three
    /// readings [`POLL`] apart that agree (a cgroup source; at most [`SETTLE_MAX`]), or one
    /// reading after [`MEMINFO_SETTLE`] (`/proc/meminfo`). `pid` as in [`read`](Self::read).
    pub fn read_settled(&self, pid: u32) -> io::Result<Reading> {
        if *self == Meter::Meminfo {
            std::thread::sleep(MEMINFO_SETTLE);
            return self.read(pid);
        }
        std::thread::sleep(SETTLE);
        let deadline = Instant::now() + SETTLE_MAX;
        let mut last = self.read(pid)?;
        let mut agreeing = 0;
        while agreeing < 2 && Instant::now() < deadline {
            std::thread::sleep(POLL);
            let now = self.read(pid)?;
            agreeing = if now == last { agreeing + 1 } else { 0 };
            last = now;
        }
        Ok(last)
    }

    /// Reads the memory in use now; `pid` is the child that makes the objects (only the
    /// `/proc/meminfo` source reads it).
    pub fn read(&self, pid: u32) -> io::Result<Reading> {
        match self {
            Meter::CgroupV1(dir) => {
                stir()?;
                let kernel = std::fs::read_to_string(dir.join("memory.kmem.usage_in_bytes"))?;
                let kernel: f64 = kernel.trim().parse().map_err(io::Error::other)?;
                let stat = Fields::read(&dir.join("memory.stat"))?;
                Ok(Reading {
                    user: stat.get("rss")? + stat.get("cache")?,
                    kernel,
                })
            }
            Meter::CgroupV2(dir) => {
                stir()?;
                let stat = Fields::read(&dir.join("memory.stat"))?;
                let kernel = match stat.get("kernel") {
                    Ok(k) => k,
                    Err(_) => ["slab", "kernel_stack", "pagetables", "percpu", "vmalloc"]
                        .iter()
                        .map(|f| stat.get(f))
                        .sum::<io::Result<f64>>()?,
                };
                Ok(Reading {
                    user: stat.get("anon")? + stat.get("file")?,
                    kernel: kernel + stat.get("sock").unwrap_or(0.0),
                })
            }
            Meter::Meminfo => {
                let info = Fields::read(Path::new("/proc/meminfo"))?;
                let rollup = Fields::read(&PathBuf::from(format!("/proc/{pid}/smaps_rollup")))?;
                let kib = |f: &Fields, name: &str| f.get(name).map(|v| v * 1024.0);
                Ok(Reading {
                    user: kib(&rollup, "Anonymous")? + kib(&info, "Shmem")?,
                    kernel: kib(&info, "Slab")?
                        + kib(&info, "KernelStack")?
                        + kib(&info, "PageTables")?,
                })
            }
        }
    }
}

/// Makes the next read of `memory.stat` exact. The kernel folds the per-CPU changes of a
/// cgroup's statistics into the figures it shows only once enough of them have piled up (64
/// per CPU, a batch of which counts per cgroup); below that, a read shows figures some pages
/// old. Faulting in and freeing [`STIR_BYTES`] of anonymous memory in this process (which is
/// in the same cgroup) makes that many changes, which net to nothing.
fn stir() -> io::Result<()> {
    use rustix::mm::{MapFlags, ProtFlags};
    // SAFETY: a fresh private anonymous mapping where the kernel chooses; nothing else uses it.
    let p = unsafe {
        rustix::mm::mmap_anonymous(
            std::ptr::null_mut(),
            STIR_BYTES,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::PRIVATE | MapFlags::POPULATE,
        )
    }?;
    // SAFETY: the mapping just made, which nothing refers to.
    unsafe { rustix::mm::munmap(p, STIR_BYTES) }?;
    Ok(())
}

/// The directory of this process's cgroup: in the v1 hierarchy that has the memory
/// controller, or (`v2`) in the unified hierarchy. `cgroups` is `/proc/self/cgroup`,
/// `mounts` `/proc/self/mountinfo`.
pub fn cgroup_dir(cgroups: &str, mounts: &str, v2: bool) -> Option<PathBuf> {
    let path = cgroups.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let wanted = if v2 {
            controllers.is_empty()
        } else {
            controllers.split(',').any(|c| c == "memory")
        };
        wanted.then_some(path)
    })?;
    mounts.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        let left: Vec<&str> = left.split(' ').collect();
        let right: Vec<&str> = right.split(' ').collect();
        let (root, point) = (*left.get(3)?, *left.get(4)?);
        let fits = match (v2, right.first()?, right.get(2)) {
            (true, &"cgroup2", _) => true,
            (false, &"cgroup", Some(options)) => options.split(',').any(|o| o == "memory"),
            _ => false,
        };
        if !fits {
            return None;
        }
        let inside = path.strip_prefix(root)?.trim_start_matches('/');
        Some(Path::new(point).join(inside))
    })
}

/// `name value` lines (`memory.stat`), or `Name: value kB` lines (`/proc/meminfo`,
/// `smaps_rollup`).
struct Fields(Vec<(String, f64)>);

impl Fields {
    fn read(path: &Path) -> io::Result<Fields> {
        Ok(Fields::parse(&std::fs::read_to_string(path)?))
    }

    fn parse(text: &str) -> Fields {
        Fields(
            text.lines()
                .filter_map(|line| {
                    let mut words = line.split_whitespace();
                    let name = words.next()?.trim_end_matches(':');
                    let value = words.next()?.parse().ok()?;
                    Some((name.to_string(), value))
                })
                .collect(),
        )
    }

    fn get(&self, name: &str) -> io::Result<f64> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, v)| v)
            .ok_or_else(|| io::Error::other(format!("no {name} field")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn finds_the_cgroup_directories() {
        let cgroups = "5:devices:/\n4:memory:/api/abc\n1:cpu:/\n0::/user.slice/x.scope\n";
        assert_eq!(
            cgroup_dir(cgroups, MOUNTS, false),
            Some(PathBuf::from("/sys/fs/cgroup/memory/api/abc"))
        );
        assert_eq!(
            cgroup_dir(cgroups, MOUNTS, true),
            Some(PathBuf::from("/sys/fs/cgroup/unified/user.slice/x.scope"))
        );
        assert_eq!(cgroup_dir("0::/\n", "", true), None);
        let pure_v2 = "24 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(
            cgroup_dir("0::/\n", pure_v2, true),
            Some(PathBuf::from("/sys/fs/cgroup"))
        );
        assert_eq!(cgroup_dir("0::/\n", pure_v2, false), None);
    }

    #[test]
    fn parses_both_field_styles() {
        let stat = Fields::parse("cache 4206592\nrss 1675264\nrss_huge 0\n");
        assert_eq!(stat.get("rss").unwrap(), 1675264.0);
        assert!(stat.get("kernel").is_err());
        let info = Fields::parse("MemTotal:       24684092 kB\nSlab:  1047560 kB\n");
        assert_eq!(info.get("Slab").unwrap(), 1047560.0);
    }

    #[test]
    fn readings_subtract() {
        let a = Reading {
            user: 10.0,
            kernel: 5.0,
        };
        let b = Reading {
            user: 14.0,
            kernel: 6.0,
        };
        assert_eq!(b.since(&a).total(), 5.0);
    }
}
