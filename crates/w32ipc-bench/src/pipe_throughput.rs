//! Anonymous-pipe throughput between two processes: the parent writes the volume, a child
//! (this executable, see [`crate::child`]) reads it all with a buffer as large as the writes.
//! Two scenarios: 64 KiB writes into a pipe of the default size, and 1 MiB writes into a
//! 1 MiB pipe (`--write-bytes` sets the write size of both).
//!
//! Baseline: a raw `pipe2` pipe, `write(2)`/`read(2)`, the child started by
//! `std::process::Command` with the read end made inheritable. Subject: w32ipc's
//! `create_pipe`, `WriteFile`/`ReadFile` (`write_file`/`read_file`), the child started by
//! `CommandExt::inherit_handle` + `spawn_process`. Peers: `os_pipe::pipe()` (the read end is
//! the child's standard input) and `interprocess::unnamed_pipe::pipe()` (the child rebuilds its
//! `Recver` from the inherited descriptor), `Write::write_all` / `Read::read`. Neither crate
//! takes a pipe size; both give the descriptor, so for the 1 MiB pipe their pipes are grown
//! with `fcntl(F_SETPIPE_SZ)` as the raw one is (and their names say so).
//!
//! The clock runs from the child's `ready` (it holds its end; start-up is excluded) to its
//! report of the byte count (it has read everything; exit is excluded).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::Instant;

use rustix::io::FdFlags;
use rustix::pipe::{PipeFlags, fcntl_getpipe_size, fcntl_setpipe_size};
use w32ipc::object::AsHandleValue;
use w32ipc::pipe::{PipeWriter, create_pipe};
use w32ipc::process::CommandExt;

use crate::child::{self, Role};
use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::options::Options;
use crate::placement::{self, Pinning};

/// The ratio w32ipc should reach against the raw pipe.
pub const TARGET: f64 = 0.95;

/// The scenarios: (pipe size hint, write size) — 64 KiB writes into a pipe of the system
/// default size (hint 0), 1 MiB writes into a 1 MiB pipe.
pub const SCENARIOS: [(usize, usize); 2] = [(0, 64 << 10), (1 << 20, 1 << 20)];

/// Runs the pipe scenarios, pinned if the options say so.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let pinned = placement::pin_parent(options.pin)?;
    let pinning = pinned.as_ref().map(|(p, _guard)| *p);
    let exe = std::env::current_exe()?;
    SCENARIOS
        .iter()
        .map(|&(size, write)| {
            let chunk = vec![0x5a; options.pipe_write_size.unwrap_or(write)];
            let scenario = scenario(&exe, &chunk, options, size, pinning)?;
            harness::run(scenario, options.trials)
        })
        .collect()
}

fn scenario<'a>(
    exe: &'a Path,
    chunk: &'a [u8],
    options: &Options,
    size: usize,
    pinning: Option<Pinning>,
) -> io::Result<Scenario<'a>> {
    let bytes = options.pipe_bytes;
    let cpu = pinning.map(|p| p.child);
    // The peer crates cannot size a pipe: the 1 MiB one is grown through its descriptor.
    let grown = if size > 0 { " + F_SETPIPE_SZ" } else { "" };
    Ok(Scenario {
        name: format!(
            "pipe {} MiB in {} writes, {}",
            bytes >> 20,
            human(chunk.len()),
            capacities(size)?
        ),
        unit: "GiB/s",
        better: Better::Higher,
        target: Some(TARGET),
        placement: placement::describe(pinning),
        baseline: Subject::new("raw pipe2", move || raw_trial(exe, size, bytes, cpu, chunk)),
        subjects: vec![
            Subject::new("w32ipc Read/WriteFile", move || {
                w32ipc_trial(exe, size, bytes, cpu, chunk)
            }),
            Subject::new(format!("os_pipe{grown}"), move || {
                os_pipe_trial(exe, size, bytes, cpu, chunk)
            })
            .peer(),
            Subject::new(format!("interprocess unnamed pipe{grown}"), move || {
                interprocess_trial(exe, size, bytes, cpu, chunk)
            })
            .peer(),
        ],
    })
}

/// `bytes` in MiB, KiB or bytes, whichever is whole.
pub fn human(bytes: usize) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

/// Names the size asked for and the capacity each kind of pipe gets with it.
fn capacities(size: usize) -> io::Result<String> {
    let (_r, w) = raw_pipe(size)?;
    let raw = fcntl_getpipe_size(&w)?;
    let (w32, _w) = create_pipe(size, false)?;
    let w32 = w32.capacity()?;
    let (_r, w) = os_pipe::pipe()?;
    grow(&w, size)?;
    let os = fcntl_getpipe_size(&w)?;
    let (w, _r) = interprocess::unnamed_pipe::pipe()?;
    grow(&w, size)?;
    let ip = fcntl_getpipe_size(&w)?;
    let asked = if size == 0 {
        "default size".to_string()
    } else {
        format!("size {}", human(size))
    };
    if [w32, os, ip].iter().all(|&c| c == raw) {
        Ok(format!("{asked} (all {})", human(raw)))
    } else {
        Ok(format!(
            "{asked} (raw {}, w32ipc {}, os_pipe {}, interprocess {})",
            human(raw),
            human(w32),
            human(os),
            human(ip)
        ))
    }
}

/// Sets a pipe's capacity to `size` (`F_SETPIPE_SZ`) unless it is 0 (the default size).
fn grow(fd: impl AsFd, size: usize) -> io::Result<()> {
    if size > 0 {
        fcntl_setpipe_size(fd, size)?;
    }
    Ok(())
}

fn raw_pipe(size: usize) -> io::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC)?;
    grow(&w, size)?;
    Ok((r, w))
}

fn raw_trial(
    exe: &Path,
    size: usize,
    bytes: u64,
    cpu: Option<usize>,
    chunk: &[u8],
) -> io::Result<f64> {
    let (r, w) = raw_pipe(size)?;
    // Only the read end may survive exec: a child holding the write end would never see end
    // of file. This process starts children from one thread only, so no other spawn can
    // inherit it meanwhile.
    rustix::io::fcntl_setfd(&r, FdFlags::empty())?;
    let (mut control, child_out) = Control::new()?;
    let mut child = Command::new(exe)
        .args(child::args(
            Role::RawRead,
            &r.as_raw_fd().to_string(),
            chunk.len(),
            cpu,
        ))
        .stdout(child_out)
        .spawn()?;
    drop(r);
    let gibs = control.time_transfer(bytes, || send_raw(w, bytes, chunk));
    reaped(gibs, child.wait()?, "raw")
}

fn w32ipc_trial(
    exe: &Path,
    size: usize,
    bytes: u64,
    cpu: Option<usize>,
    chunk: &[u8],
) -> io::Result<f64> {
    let (r, w) = create_pipe(size, false)?;
    let (mut control, child_out) = Control::new()?;
    let process = Command::new(exe)
        .args(child::args(
            Role::W32ipcRead,
            &r.handle_value().to_string(),
            chunk.len(),
            cpu,
        ))
        .stdout(child_out)
        .inherit_handle(&r)
        .spawn_process()?;
    drop(r);
    let gibs = control.time_transfer(bytes, || send_w32ipc(w, bytes, chunk));
    let code = process.wait()?;
    let gibs = gibs?;
    if code != 0 {
        return Err(io::Error::other(format!(
            "w32ipc reader child: exit {code}"
        )));
    }
    Ok(gibs)
}

fn os_pipe_trial(
    exe: &Path,
    size: usize,
    bytes: u64,
    cpu: Option<usize>,
    chunk: &[u8],
) -> io::Result<f64> {
    let (r, w) = os_pipe::pipe()?;
    grow(&w, size)?;
    let (mut control, child_out) = Control::new()?;
    let mut cmd = Command::new(exe);
    cmd.args(child::args(Role::OsPipeRead, "-", chunk.len(), cpu))
        .stdin(r)
        .stdout(child_out);
    let mut child = cmd.spawn()?;
    // The Command holds on to the read end it was given: the child would never see end of
    // file while it lives (os_pipe's documented pitfall).
    drop(cmd);
    let gibs = control.time_transfer(bytes, || send_all(w, bytes, chunk));
    reaped(gibs, child.wait()?, "os_pipe")
}

fn interprocess_trial(
    exe: &Path,
    size: usize,
    bytes: u64,
    cpu: Option<usize>,
    chunk: &[u8],
) -> io::Result<f64> {
    let (w, r) = interprocess::unnamed_pipe::pipe()?;
    // interprocess makes both ends inheritable; the child must not get the write end, or it
    // would never see end of file.
    rustix::io::fcntl_setfd(&w, FdFlags::CLOEXEC)?;
    grow(&w, size)?;
    let (mut control, child_out) = Control::new()?;
    let mut child = Command::new(exe)
        .args(child::args(
            Role::InterprocessRead,
            &r.as_raw_fd().to_string(),
            chunk.len(),
            cpu,
        ))
        .stdout(child_out)
        .spawn()?;
    drop(r);
    let gibs = control.time_transfer(bytes, || send_all(w, bytes, chunk));
    reaped(gibs, child.wait()?, "interprocess")
}

/// A trial's figure once its reader child `who` has ended with `status`: the figure, unless the
/// transfer or the child failed.
fn reaped(gibs: io::Result<f64>, status: ExitStatus, who: &str) -> io::Result<f64> {
    let gibs = gibs?;
    if !status.success() {
        return Err(io::Error::other(format!("{who} reader child: {status}")));
    }
    Ok(gibs)
}

/// Writes `bytes` in `chunk`-sized `Write::write_all` calls (a peer crate's writer), then
/// closes the pipe.
fn send_all(mut w: impl Write, bytes: u64, chunk: &[u8]) -> io::Result<()> {
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// Writes `bytes` in `chunk`-sized `write(2)` calls, then closes the pipe.
fn send_raw(w: OwnedFd, bytes: u64, chunk: &[u8]) -> io::Result<()> {
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        let mut done = 0;
        while done < n {
            match rustix::io::write(w.as_fd(), &chunk[done..n]) {
                Ok(k) => done += k,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        left -= n as u64;
    }
    Ok(())
}

/// Writes `bytes` in `chunk`-sized `WriteFile` calls, then closes the pipe.
fn send_w32ipc(w: PipeWriter, bytes: u64, chunk: &[u8]) -> io::Result<()> {
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_file(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// The parent's end of the child's standard output.
struct Control {
    lines: BufReader<File>,
}

impl Control {
    /// A control pipe: this side, and the child's standard output.
    fn new() -> io::Result<(Control, OwnedFd)> {
        let (r, w) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC)?;
        let lines = BufReader::new(File::from(r));
        Ok((Control { lines }, w))
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        if self.lines.read_line(&mut line)? == 0 {
            return Err(io::Error::other("the child ended without reporting"));
        }
        Ok(line.trim_end().to_string())
    }

    /// Waits for the child's `ready`, runs `send`, waits for the child's byte count and
    /// returns the throughput in GiB/s.
    fn time_transfer(
        &mut self,
        bytes: u64,
        send: impl FnOnce() -> io::Result<()>,
    ) -> io::Result<f64> {
        let ready = self.line()?;
        if ready != "ready" {
            return Err(io::Error::other(format!("child said {ready:?}")));
        }
        let start = Instant::now();
        send()?;
        let got = self.line()?;
        let secs = start.elapsed().as_secs_f64();
        if got != bytes.to_string() {
            return Err(io::Error::other(format!(
                "child read {got} bytes, {bytes} were sent"
            )));
        }
        Ok(bytes as f64 / (1u64 << 30) as f64 / secs)
    }
}
