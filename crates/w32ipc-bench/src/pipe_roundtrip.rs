//! Anonymous-pipe 64-byte round trip between two processes, µs: the median and the p99 of each
//! trial's round trips.
//!
//! Two pipes per trial: the parent writes 64 bytes into pipe A; the child (this executable run
//! again as `<exe> __bench-child pipe-echo <arm> <A read end> <B write end> <count> <cpu|->`)
//! reads exactly 64 and writes them back into pipe B; the parent reads 64 and checks them. Every
//! round trip carries different bytes (its number, then a pattern derived from it). [`WARMUP`]
//! round trips untimed, then `--pipe-round-trips` timed, each on its own clock. The child says
//! `ready` once it holds both ends and `done` after the last echo, so start-up and exit stay
//! outside the clock; it dies with the parent and is watched ([`Peer`]).
//!
//! Arms: baseline raw `pipe2` pipes, `read(2)`/`write(2)` (the child's ends made inheritable);
//! subject w32ipc — two `create_pipe`s, the child's ends handed over with
//! `CommandExt::inherit_handle`, `write_file` / `read_file`; peers `os_pipe` (pipe A's read end
//! is the child's standard input, pipe B's write end an inherited descriptor) and `interprocess`
//! unnamed pipes (its ends are inheritable from birth: the parent marks its own close-on-exec),
//! both with `Write::write_all` / `Read::read_exact`.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use rustix::io::{Errno, FdFlags};
use rustix::pipe::PipeFlags;
use w32ipc::HandleValue;
use w32ipc::object::AsHandleValue;
use w32ipc::pipe::{PipeReader, PipeWriter, create_pipe};
use w32ipc::process::CommandExt;

use crate::child::CHILD_ARG;
use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::harness::{SideFigure, quantile, side_comparison};
use crate::npipe::say;
use crate::options::Options;
use crate::peer::Peer;
use crate::placement;

/// The child role name on the command line (after [`CHILD_ARG`]).
pub const ROLE: &str = "pipe-echo";

/// The ratio (w32ipc / raw median round trip) w32ipc should stay under.
pub const TARGET: f64 = 1.2;

/// Untimed round trips at the start of each trial.
pub const WARMUP: u64 = 500;

/// The message size.
pub const MESSAGE: usize = 64;

/// What the child is, for messages.
const WHAT: &str = "pipe round-trip";

/// One way of doing the round trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// The baseline: two `pipe2` pipes, `read(2)` / `write(2)`.
    Raw,
    /// Two `w32ipc::pipe::create_pipe` pipes, `write_file` / `read_file`.
    W32ipc,
    /// Two `os_pipe::pipe()` pipes.
    OsPipe,
    /// Two `interprocess::unnamed_pipe::pipe()` pipes.
    Interprocess,
}

impl Arm {
    /// All arms, the baseline first.
    pub const ALL: [Arm; 4] = [Arm::Raw, Arm::W32ipc, Arm::OsPipe, Arm::Interprocess];

    /// The arm's name on the child's command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Raw => "raw",
            Arm::W32ipc => "w32ipc",
            Arm::OsPipe => "os_pipe",
            Arm::Interprocess => "interprocess",
        }
    }

    fn parse(s: &str) -> Option<Arm> {
        Arm::ALL.into_iter().find(|a| a.as_str() == s)
    }

    fn label(self) -> &'static str {
        match self {
            Arm::Raw => "raw pipe2 read/write",
            Arm::W32ipc => "w32ipc Read/WriteFile",
            Arm::OsPipe => "os_pipe",
            Arm::Interprocess => "interprocess unnamed pipe",
        }
    }
}

/// What the trials share.
struct Context {
    exe: PathBuf,
    child_cpu: Option<usize>,
    timed: u64,
}

impl Context {
    /// A command that starts the echoing child for `arm` with ends `a` (pipe A's read end; `-`
    /// for standard input) and `b` (pipe B's write end).
    fn command(&self, arm: Arm, a: &str, b: &str) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.args([
            CHILD_ARG,
            ROLE,
            arm.as_str(),
            a,
            b,
            &(WARMUP + self.timed).to_string(),
            &self
                .child_cpu
                .map_or_else(|| "-".to_string(), |c| c.to_string()),
        ]);
        cmd
    }
}

/// Runs the round-trip scenario, pinned if the options say so: the medians, then the p99s of
/// the same trials.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let pinned = placement::pin_parent(options.pin)?;
    let pinning = pinned.as_ref().map(|(p, _guard)| *p);
    let cx = Context {
        exe: std::env::current_exe()?,
        child_cpu: pinning.map(|p| p.child),
        timed: options.pipe_round_trips,
    };
    let cx = &cx;
    let p99s: Vec<SideFigure> = Arm::ALL.iter().map(|_| SideFigure::default()).collect();
    let mut subjects = Arm::ALL.iter().zip(&p99s).map(|(&arm, p99)| {
        let subject = Subject::new(arm.label(), move || {
            let (median, p99_us) = trial(cx, arm)?;
            p99.record(p99_us);
            Ok(median)
        });
        match arm {
            Arm::OsPipe | Arm::Interprocess => subject.peer(),
            Arm::Raw | Arm::W32ipc => subject,
        }
    });
    let name = format!(
        "anonymous pipe, 64 B round trip, 2 processes, {} per trial ({WARMUP} untimed first)",
        cx.timed
    );
    let scenario = Scenario {
        name: format!("{name}, median"),
        unit: "µs/round trip",
        better: Better::Lower,
        target: Some(TARGET),
        placement: placement::describe(pinning),
        baseline: subjects.next().expect("the raw arm is first"),
        subjects: subjects.collect(),
    };
    let medians = harness::run(scenario, options.trials)?;
    let tails = side_comparison(&medians, format!("{name}, p99"), &p99s);
    Ok(vec![medians, tails])
}

/// One trial: (median, p99) of the timed round trips, in µs.
fn trial(cx: &Context, arm: Arm) -> io::Result<(f64, f64)> {
    let nanos = match arm {
        Arm::Raw => {
            let (a_read, a_write) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC)?;
            let (b_read, b_write) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC)?;
            // Only the child's ends may survive exec. This process starts children from one
            // thread only, so no other child can inherit them meanwhile.
            rustix::io::fcntl_setfd(&a_read, FdFlags::empty())?;
            rustix::io::fcntl_setfd(&b_write, FdFlags::empty())?;
            let mut cmd = cx.command(arm, &fd_arg(&a_read), &fd_arg(&b_write));
            let mut child = Peer::spawn(&mut cmd, WHAT)?;
            drop((cmd, a_read, b_write));
            let nanos = exchange(
                &mut child,
                cx.timed,
                |m| write_all_raw(&a_write, m),
                |m| read_exact_raw(&b_read, m),
            )?;
            drop((a_write, b_read));
            child.finish()?;
            nanos
        }
        Arm::W32ipc => {
            let (a_read, a_write) = create_pipe(0, false)?;
            let (b_read, b_write) = create_pipe(0, false)?;
            let mut cmd = cx.command(
                arm,
                &a_read.handle_value().to_string(),
                &b_write.handle_value().to_string(),
            );
            cmd.inherit_handle(&a_read).inherit_handle(&b_write);
            let mut child = Peer::spawn(&mut cmd, WHAT)?;
            drop((cmd, a_read, b_write));
            let nanos = exchange(
                &mut child,
                cx.timed,
                |m| a_write.write_file(m).map(drop),
                |m| read_exact_w32ipc(&b_read, m),
            )?;
            drop((a_write, b_read));
            child.finish()?;
            nanos
        }
        Arm::OsPipe => {
            let (a_read, mut a_write) = os_pipe::pipe()?;
            let (mut b_read, b_write) = os_pipe::pipe()?;
            // os_pipe's ends are close-on-exec: pipe A's read end goes as the child's standard
            // input, pipe B's write end by number (the child's standard output is the control
            // channel).
            rustix::io::fcntl_setfd(&b_write, FdFlags::empty())?;
            let mut cmd = cx.command(arm, "-", &fd_arg(&b_write));
            cmd.stdin(a_read);
            let mut child = Peer::spawn(&mut cmd, WHAT)?;
            // The Command holds on to the read end it was given until it is dropped.
            drop((cmd, b_write));
            let nanos = exchange(
                &mut child,
                cx.timed,
                |m| a_write.write_all(m),
                |m| b_read.read_exact(m),
            )?;
            drop((a_write, b_read));
            child.finish()?;
            nanos
        }
        Arm::Interprocess => {
            let (mut a_write, a_read) = interprocess::unnamed_pipe::pipe()?;
            let (b_write, mut b_read) = interprocess::unnamed_pipe::pipe()?;
            // interprocess makes every end inheritable: keep the parent's own ends from the
            // child.
            rustix::io::fcntl_setfd(&a_write, FdFlags::CLOEXEC)?;
            rustix::io::fcntl_setfd(&b_read, FdFlags::CLOEXEC)?;
            let mut cmd = cx.command(arm, &fd_arg(&a_read), &fd_arg(&b_write));
            let mut child = Peer::spawn(&mut cmd, WHAT)?;
            drop((cmd, a_read, b_write));
            let nanos = exchange(
                &mut child,
                cx.timed,
                |m| a_write.write_all(m),
                |m| b_read.read_exact(m),
            )?;
            drop((a_write, b_read));
            child.finish()?;
            nanos
        }
    };
    let us = |q| quantile(&nanos, q) as f64 / 1e3;
    Ok((us(0.5), us(0.99)))
}

fn fd_arg(fd: &impl AsRawFd) -> String {
    fd.as_raw_fd().to_string()
}

/// The message of round trip `i`: its number, then bytes derived from it.
fn message(i: u64, m: &mut [u8; MESSAGE]) {
    m[..8].copy_from_slice(&i.to_le_bytes());
    for (j, b) in m[8..].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31).wrapping_add(j as u8);
    }
}

/// Waits for the child's `ready`, plays `WARMUP + timed` round trips (`send` writes the 64
/// bytes into pipe A, `recv` reads 64 from pipe B), checks every echo, waits for `done`.
/// Returns the timed round trips' durations, sorted, in ns.
fn exchange(
    child: &mut Peer,
    timed: u64,
    mut send: impl FnMut(&[u8]) -> io::Result<()>,
    mut recv: impl FnMut(&mut [u8]) -> io::Result<()>,
) -> io::Result<Vec<u64>> {
    child.expect("ready")?;
    let mut nanos = Vec::with_capacity(timed as usize);
    let mut ping = [0u8; MESSAGE];
    let mut pong = [0u8; MESSAGE];
    for i in 0..WARMUP + timed {
        message(i, &mut ping);
        let start = Instant::now();
        send(&ping)?;
        recv(&mut pong)?;
        let took = start.elapsed();
        if pong != ping {
            return Err(io::Error::other(format!(
                "round trip {i}: the child echoed other bytes"
            )));
        }
        if i >= WARMUP {
            nanos.push(took.as_nanos() as u64);
        }
    }
    child.expect("done")?;
    nanos.sort_unstable();
    Ok(nanos)
}

/// `write(2)` until all of `buf` is written.
fn write_all_raw(fd: impl AsFd, buf: &[u8]) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match rustix::io::write(fd.as_fd(), &buf[done..]) {
            Ok(n) => done += n,
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `read(2)` until `buf` is full.
fn read_exact_raw(fd: impl AsFd, buf: &mut [u8]) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match rustix::io::read(fd.as_fd(), &mut buf[done..]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => done += n,
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `ReadFile` until `buf` is full.
fn read_exact_w32ipc(reader: &PipeReader, buf: &mut [u8]) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        done += reader.read_file(&mut buf[done..])?;
    }
    Ok(())
}

/// The child's side: `args` are what follows `__bench-child pipe-echo`. Dies with the parent,
/// pins itself, rebuilds its two ends, says `ready`, echoes `count` messages, says `done`.
pub fn serve_child(args: &[String]) -> io::Result<()> {
    let bad = || io::Error::other(format!("bad pipe round-trip child arguments {args:?}"));
    let [arm, a, b, count, cpu] = args else {
        return Err(bad());
    };
    let arm = Arm::parse(arm).ok_or_else(bad)?;
    let count: u64 = count.parse().map_err(|_| bad())?;
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
    if cpu != "-" {
        placement::pin_self(cpu.parse().map_err(|_| bad())?)?;
    }
    let fd = |end: &str| -> io::Result<OwnedFd> {
        let raw: RawFd = end.parse().map_err(|_| bad())?;
        // SAFETY: the parent made this descriptor inheritable for this child alone and told it
        // its number; nothing else in this process owns it, and each number is taken once.
        Ok(unsafe { OwnedFd::from_raw_fd(raw) })
    };
    match arm {
        Arm::Raw => {
            let (a, b) = (fd(a)?, fd(b)?);
            echo(count, |m| read_exact_raw(&a, m), |m| write_all_raw(&b, m))?;
        }
        Arm::W32ipc => {
            let a: HandleValue = a.parse()?;
            let b: HandleValue = b.parse()?;
            // SAFETY: the parent passed these inherited handles for our sole use.
            let (a, b) = unsafe {
                (
                    PipeReader::from_inherited(a)?,
                    PipeWriter::from_inherited(b)?,
                )
            };
            echo(
                count,
                |m| read_exact_w32ipc(&a, m),
                |m| b.write_file(m).map(drop),
            )?;
        }
        Arm::OsPipe => {
            let mut a = os_pipe::dup_stdin()?;
            let mut b = os_pipe::PipeWriter::from(fd(b)?);
            echo(count, |m| a.read_exact(m), |m| b.write_all(m))?;
        }
        Arm::Interprocess => {
            let mut a = interprocess::unnamed_pipe::Recver::from(fd(a)?);
            let mut b = interprocess::unnamed_pipe::Sender::from(fd(b)?);
            echo(count, |m| a.read_exact(m), |m| b.write_all(m))?;
        }
    }
    say("done")
}

/// Says `ready`, then reads 64 bytes and writes them back, `count` times.
fn echo(
    count: u64,
    mut recv: impl FnMut(&mut [u8]) -> io::Result<()>,
    mut send: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    say("ready")?;
    let mut buf = [0u8; MESSAGE];
    for _ in 0..count {
        recv(&mut buf)?;
        send(&buf)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_names_round_trip() {
        for arm in Arm::ALL {
            assert_eq!(Arm::parse(arm.as_str()), Some(arm));
        }
    }

    #[test]
    fn messages_differ() {
        let (mut x, mut y) = ([0u8; MESSAGE], [0u8; MESSAGE]);
        message(1, &mut x);
        message(2, &mut y);
        assert_ne!(x, y);
        message(257, &mut y);
        assert_ne!(x, y);
    }
}
