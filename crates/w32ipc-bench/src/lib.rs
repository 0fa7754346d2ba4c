//! # w32ipc-bench — w32ipc against the raw Linux mechanisms, in the same run
//!
//! Each scenario has a baseline (the raw mechanism: `pipe2`, `std::process::Command`, a futex
//! on a shared `memfd` word, a Unix stream socket) and one or more subjects measured against it
//! (w32ipc; for anonymous pipes also the `os_pipe` and `interprocess` crates, for named pipes
//! `interprocess` and `tokio`, for messages `ipc-channel`, for shared-memory setup
//! `shared_memory`, for event and message latency `iceoryx2` (feature `iceoryx2`,
//! busy-polling), as peers that the target does not bind). Trials of all subjects of a
//! scenario are interleaved, so drift on a
//! noisy machine hits them alike; each figure is a median over the trials, shown with its
//! min–max spread, and each subject's ratio to the baseline is printed next to its target.
//!
//! The idle-memory scenarios ([`idle_memory`]) count KiB per idle object (user pages plus
//! kernel memory) instead of time.
//!
//! The same code runs as the `ipc` bench (`cargo bench -p w32ipc-bench`) and as the
//! `w32ipc-bench` binary. Child processes are this executable run again with
//! [`child::CHILD_ARG`] as its first argument (see [`child`]). Named objects get names unique
//! to the run ([`session::unique_name`]) under a private session root (`W32IPC_ROOT`, made
//! fresh for the run unless it is set).

pub mod capi;
pub mod chart;
pub mod child;
pub mod event_pingpong;
pub mod harness;
pub mod idle_memory;
pub mod idle_objects;
#[cfg(feature = "iceoryx2")]
pub mod iox;
#[cfg(feature = "iceoryx2")]
pub mod iox_pingpong;
#[cfg(feature = "iceoryx2")]
pub mod iox_request;
pub mod mapping_cost;
pub mod memory_meter;
pub mod msg;
pub mod msg_roundtrip;
pub mod msg_thread;
pub mod msg_throughput;
pub mod mutex_uncontended;
pub mod npipe;
pub mod npipe_async;
pub mod npipe_connect;
pub mod npipe_endpoints;
pub mod npipe_roundtrip;
pub mod npipe_throughput;
pub mod options;
pub mod peer;
pub mod pingpong;
pub mod pipe_roundtrip;
pub mod pipe_throughput;
pub mod placement;
pub mod progress;
pub mod report;
pub mod semaphore_pingpong;
pub mod session;
pub mod shared_region;
pub mod shared_word;
pub mod spawn_cost;
pub mod stats;
pub mod summary;

use std::io;
use std::process::ExitCode;

use crate::harness::{Comparison, MECHANISMS};
use crate::options::{Options, PinMode};
use crate::report::{Machine, Report};

/// The entry point of the bench and of the binary: a child role when the first argument says
/// so, otherwise the benchmark run that the flags describe.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(child::CHILD_ARG) {
        return child::run(&args[1..]);
    }
    // SAFETY: nothing has started a thread yet (the bench runs without libtest's harness).
    unsafe { main_with(&args) }
}

/// The benchmark run that `args` (the flags, without the program name) describe: what `main`
/// does for anything but a child, and what `w32ipc bench` runs. Exit codes: 0 done, 1 a
/// scenario failed, 2 bad flags.
///
/// # Safety
///
/// No other thread may be running: the run sets its private session root in the
/// environment (`W32IPC_ROOT`) before it starts any.
pub unsafe fn main_with(args: &[String]) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", options::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message} (--help lists the flags)");
            return ExitCode::from(2);
        }
    };
    // SAFETY: the caller promises that no other thread runs.
    let root = match unsafe { session::use_private_root() } {
        Ok(root) => root,
        Err(e) => {
            eprintln!("w32ipc-bench: cannot make a private session root: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&options);
    drop(root);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("w32ipc-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A group of scenarios: the mechanism it measures, whether the options select it, whether the
/// placement of its processes matters (`--pin-both` runs it twice), and its run.
struct Group {
    mechanism: &'static str,
    selected: bool,
    placed: bool,
    run: fn(&Options) -> io::Result<Vec<Comparison>>,
}

/// Runs every scenario the options select and prints the report.
pub fn run(options: &Options) -> io::Result<()> {
    let machine = Machine::describe();
    eprintln!("w32ipc-bench: {}", machine.summary());
    eprintln!("w32ipc-bench: {}", options.summary());
    let mut report = Report::new(machine, options);
    let [anonymous, shared, named, messages] = MECHANISMS;
    let group = |mechanism, selected, placed, run| Group {
        mechanism,
        selected,
        placed,
        run,
    };
    let groups = [
        group(anonymous, options.run_pipes, true, pipe_throughput::run_all),
        group(
            anonymous,
            options.run_pipe_round_trip,
            true,
            pipe_roundtrip::run_all,
        ),
        group(anonymous, options.run_spawns, false, spawn_cost::run_all),
        group(shared, options.run_events, true, event_pingpong::run_all),
        group(
            shared,
            options.run_semaphores,
            true,
            semaphore_pingpong::run_all,
        ),
        group(shared, options.run_mutex, false, mutex_uncontended::run_all),
        group(shared, options.run_mappings, false, mapping_cost::run_all),
        group(named, options.npipe.any(), true, npipe::run_all),
        group(messages, options.msg.any(), true, msg::run_all),
        // Each idle-memory comparison names its own mechanism.
        group(
            "memory per idle object",
            options.run_idle_memory,
            false,
            idle_memory::run_all,
        ),
    ];
    let one_cpu = Options {
        pin: PinMode::OneCpu,
        ..options.clone()
    };
    // Every selected group, then (--pin-both) those whose placement matters, on one CPU.
    let selected = groups.iter().filter(|g| g.selected);
    let again = selected
        .clone()
        .filter(|g| options.then_one_cpu && g.placed);
    let passes: Vec<(&Options, &Group)> = selected
        .map(|g| (options, g))
        .chain(again.map(|g| (&one_cpu, g)))
        .collect();
    let bar = progress::start(options.progress);
    for (k, (pass_options, g)) in passes.iter().enumerate() {
        progress::mechanism(&format!("{}/{} {}", k + 1, passes.len(), g.mechanism));
        let found = (g.run)(pass_options)?;
        report.comparisons.extend(found.into_iter().map(|mut c| {
            if c.mechanism.is_empty() {
                c.mechanism = g.mechanism;
            }
            c
        }));
    }
    drop(bar);
    let summary = summary::table(&report.comparisons);
    let text = if options.details {
        format!("{}\n{}", summary, report.table())
    } else {
        format!(
            "\n{}\n{}\n{}",
            report.machine.summary(),
            options.summary(),
            summary
        )
    };
    if options.json {
        eprint!("{text}");
        println!("{}", report.json());
    } else {
        print!("{text}");
    }
    if let Some(dir) = &options.out {
        let written = report.write_files(dir, &summary)?;
        eprintln!("w32ipc-bench: wrote {written}");
    }
    Ok(())
}
