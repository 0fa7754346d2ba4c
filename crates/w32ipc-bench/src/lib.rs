//! # w32ipc-bench — w32ipc against the raw Linux mechanisms, in the same run
//!
//! Each scenario has a baseline (the raw mechanism: `pipe2`, `std::process::Command`, a futex
//! on a shared `memfd` word, a Unix stream socket) and one or more subjects measured against it
//! (w32ipc; for named pipes also the `interprocess` and `tokio` crates, for messages
//! `ipc-channel`, for shared-memory setup `shared_memory`, for event and message latency
//! `iceoryx2` (feature `iceoryx2`, busy-polling), as peers that the target does not bind). Trials of all subjects of a scenario are interleaved, so drift on a
//! noisy machine hits them alike; each figure is a median over the trials, shown with its
//! min–max spread, and each subject's ratio to the baseline is printed next to its target.
//!
//! The same code runs as the `ipc` bench (`cargo bench -p w32ipc-bench`) and as the
//! `w32ipc-bench` binary. Child processes are this executable run again with
//! [`child::CHILD_ARG`] as its first argument (see [`child`]). Named objects get names unique
//! to the run ([`session::unique_name`]) under a private session root (`W32IPC_ROOT`, made
//! fresh for the run unless it is set).

pub mod capi;
pub mod child;
pub mod event_pingpong;
pub mod harness;
#[cfg(feature = "iceoryx2")]
pub mod iox;
#[cfg(feature = "iceoryx2")]
pub mod iox_pingpong;
#[cfg(feature = "iceoryx2")]
pub mod iox_request;
pub mod mapping_cost;
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
pub mod pipe_throughput;
pub mod placement;
pub mod report;
pub mod semaphore_pingpong;
pub mod session;
pub mod shared_region;
pub mod shared_word;
pub mod spawn_cost;
pub mod stats;

use std::io;
use std::process::ExitCode;

use crate::harness::{Comparison, MECHANISMS};
use crate::options::Options;
use crate::report::{Machine, Report};

/// The entry point of the bench and of the binary: a child role when the first argument says
/// so, otherwise the benchmark run that the flags describe.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(child::CHILD_ARG) {
        return child::run(&args[1..]);
    }
    let options = match Options::parse(&args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", options::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("w32ipc-bench: {message}\n\n{}", options::USAGE);
            return ExitCode::from(2);
        }
    };
    // SAFETY: nothing has started a thread yet (the bench runs without libtest's harness).
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

/// Runs every scenario the options select and prints the report.
pub fn run(options: &Options) -> io::Result<()> {
    let machine = Machine::describe();
    eprintln!("w32ipc-bench: {}", machine.summary());
    eprintln!("w32ipc-bench: {}", options.summary());
    let mut report = Report::new(machine, options);
    let [anonymous, shared, named, messages] = MECHANISMS;
    let mut add = |mechanism: &'static str, found: Vec<Comparison>| {
        report.comparisons.extend(found.into_iter().map(|mut c| {
            c.mechanism = mechanism;
            c
        }));
    };
    if options.run_pipes {
        add(anonymous, pipe_throughput::run_all(options)?);
    }
    if options.run_spawns {
        add(anonymous, spawn_cost::run_all(options)?);
    }
    if options.run_events {
        add(shared, event_pingpong::run_all(options)?);
    }
    if options.run_semaphores {
        add(shared, semaphore_pingpong::run_all(options)?);
    }
    if options.run_mutex {
        add(shared, mutex_uncontended::run_all(options)?);
    }
    if options.run_mappings {
        add(shared, mapping_cost::run_all(options)?);
    }
    if options.npipe.any() {
        add(named, npipe::run_all(options)?);
    }
    if options.msg.any() {
        add(messages, msg::run_all(options)?);
    }
    if options.json {
        eprint!("{}", report.table());
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    Ok(())
}
