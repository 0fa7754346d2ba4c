//! Process spawn cost: start a trivial child (`/bin/true`) and wait for it, many times.
//!
//! Baseline: `std::process::Command::spawn` + `Child::wait`. Subjects: w32ipc's
//! `spawn_process` + `Process::wait`, with one inherited pipe end (`inherit_handle`) and with
//! `inherit_no_handles`; the C ABI's `CreateProcessA` + `WaitForSingleObject` when its library
//! is built. A diagnostic row runs std's `Command` with a no-op `pre_exec` closure, which
//! makes std use `fork` + `exec` instead of `posix_spawn` — the path every `pre_exec`-based
//! inheritance takes.

use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitStatus};
use std::time::Instant;

use w32ipc::process::{CommandExt, Process, ProcessBuilder};

use crate::capi::CApi;
use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::options::Options;

/// The ratio (w32ipc time / std time) w32ipc should stay under.
pub const TARGET: f64 = 1.2;

/// The trivial child.
pub const TRUE: &str = "/bin/true";

/// Runs the spawn scenario (unpinned: children go where the scheduler puts them).
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    // Resident memory the children's `fork` has to map (copy-on-write) and `exec` to tear down.
    let ballast = vec![1u8; options.ballast_mib << 20];
    let (inherited, _writer) = w32ipc::pipe::pipe()?;
    // ProcessBuilder inherits what is marked inheritable, as CreateProcess does.
    let (marked, _marked_writer) = w32ipc::pipe::create_pipe(0, true)?;
    let capi = match CApi::find(options.capi.as_deref()) {
        Ok(capi) => {
            crate::progress::log(&format!(
                "w32ipc-bench: C ABI from {}",
                capi.path().display()
            ));
            Some(capi)
        }
        Err(e) => {
            crate::progress::log(&format!("w32ipc-bench: C ABI figures skipped: {e}"));
            None
        }
    };
    let n = options.spawns;
    let mut subjects = vec![
        Subject::new("w32ipc inherit_handle", || {
            per_spawn(n, || {
                exit_code(
                    Command::new(TRUE)
                        .inherit_handle(&inherited)
                        .spawn_process()?,
                )
            })
        }),
        Subject::new("w32ipc inherit_no_handles", || {
            per_spawn(n, || {
                exit_code(Command::new(TRUE).inherit_no_handles().spawn_process()?)
            })
        }),
        Subject::new("w32ipc ProcessBuilder, inheritable handle", || {
            per_spawn(n, || {
                let _ = &marked;
                exit_code(ProcessBuilder::new(TRUE).spawn()?)
            })
        }),
        Subject::new("w32ipc ProcessBuilder, no handles", || {
            per_spawn(n, || {
                exit_code(ProcessBuilder::new(TRUE).inherit_handles(false).spawn()?)
            })
        }),
    ];
    if let Some(capi) = &capi {
        for inherit in [true, false] {
            let name = format!(
                "C ABI CreateProcessA(inherit={})",
                if inherit { "TRUE" } else { "FALSE" }
            );
            subjects.push(Subject::new(name, move || {
                per_spawn(n, || capi.spawn_and_wait(TRUE, inherit))
            }));
        }
    }
    subjects.push(
        Subject::new("std + no-op pre_exec (fork path)", || {
            per_spawn(n, || {
                let mut cmd = Command::new(TRUE);
                // SAFETY: the closure does nothing, which is async-signal-safe.
                unsafe { cmd.pre_exec(|| Ok(())) };
                std_status(cmd.spawn()?.wait()?)
            })
        })
        .diagnostic(),
    );
    let parent = if ballast.is_empty() {
        String::new()
    } else {
        format!(", parent holds {} MiB", ballast.len() >> 20)
    };
    let scenario = Scenario {
        name: format!("spawn + wait {TRUE}, {n} per trial{parent}"),
        unit: "µs/spawn",
        better: Better::Lower,
        target: Some(TARGET),
        placement: "unpinned".to_string(),
        baseline: Subject::new("std Command", || {
            per_spawn(n, || std_status(Command::new(TRUE).spawn()?.wait()?))
        }),
        subjects,
    };
    let result = harness::run(scenario, options.trials)?;
    std::hint::black_box(&ballast);
    Ok(vec![result])
}

/// Runs `spawn` `n` times and returns the mean time of one, in µs.
fn per_spawn(n: usize, mut spawn: impl FnMut() -> io::Result<()>) -> io::Result<f64> {
    let start = Instant::now();
    for _ in 0..n {
        spawn()?;
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / n as f64)
}

fn exit_code(process: Process) -> io::Result<()> {
    match process.wait()? {
        0 => Ok(()),
        code => Err(io::Error::other(format!("{TRUE} exited with {code}"))),
    }
}

fn std_status(status: ExitStatus) -> io::Result<()> {
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{TRUE}: {status}")))
    }
}
