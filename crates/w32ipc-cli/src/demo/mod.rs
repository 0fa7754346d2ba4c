//! `w32ipc demo`: the seed's scenarios, each between real processes, each with a plain account
//! of what happened and how long it took.

mod anonymous_pipe;
mod shared_memory;

use std::io;
use std::time::Duration;

/// Options of `w32ipc demo`.
#[derive(clap::Args, Default)]
pub struct Args {
    /// Run only this scenario.
    #[arg(value_enum)]
    scenario: Option<Scenario>,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// A parent and a child that inherits one end of an anonymous pipe.
    AnonymousPipe,
    /// A server's thread id in a named mapping, read by a client process.
    SharedMemory,
}

pub fn run(args: &Args) -> io::Result<()> {
    let all = [Scenario::AnonymousPipe, Scenario::SharedMemory];
    for s in all {
        if args.scenario.is_some_and(|only| only != s) {
            continue;
        }
        match s {
            Scenario::AnonymousPipe => anonymous_pipe::run()?,
            Scenario::SharedMemory => shared_memory::run()?,
        }
    }
    Ok(())
}

/// The child side of a scenario (`w32ipc __child ROLE ARGS…`).
pub fn child(role: &str, args: &[String]) -> io::Result<()> {
    match role {
        "anonymous-pipe" => anonymous_pipe::child(args),
        "shared-memory" => shared_memory::child(args),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unknown role {other}"),
        )),
    }
}

/// `1.8 ms`, `240 µs`.
pub fn took(d: Duration) -> String {
    if d >= Duration::from_millis(10) {
        format!("{} ms", d.as_millis())
    } else if d >= Duration::from_millis(1) {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{} µs", d.as_micros())
    }
}
