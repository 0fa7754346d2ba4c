//! `w32ipc`: the demo of the Win32 IPC mechanisms between real processes, and everyday tools.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod ls;
mod pipe;
mod window;

/// Win32 interprocess communication, natively on Linux.
///
/// Examples:
///   w32ipc demo                         run the seed's scenarios between real processes
///   w32ipc demo named-pipe              only the seed's named pipe
///   w32ipc ls                           list the session's named objects
///   w32ipc pipe serve demo --echo       a named-pipe echo server
///   echo hi | w32ipc pipe connect demo  talk to it
///   w32ipc window listen                a window that prints the messages it gets
///   w32ipc window send --data hi        WM_COPYDATA to it
#[derive(Parser)]
#[command(name = "w32ipc", version, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the seed's IPC scenarios between real processes and say what happened.
    Demo(demo::Args),
    /// List the named objects of the session (kind, name, size, holders).
    Ls(ls::Args),
    /// Measure every mechanism against the raw Linux mechanism and peer crates (`bench --help`).
    ///
    /// Runs each scenario between real processes, interleaving w32ipc, the raw mechanism and
    /// the peer crates trial by trial; prints a summary table with the ratios against raw and
    /// against the best peer, and writes report.md, chart.svg and report.json into
    /// ./w32ipc-bench-results. `w32ipc bench --help` lists the flags.
    #[command(disable_help_flag = true)]
    Bench {
        /// Flags of the benchmark (see `w32ipc bench --help`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Named-pipe tools: serve, connect to, or call a named pipe.
    ///
    /// A pipe NAME is given bare (`demo`) or in full (`\\.\pipe\demo`); names are
    /// case-insensitive. Pipes live in the session root ($W32IPC_ROOT, else
    /// $XDG_RUNTIME_DIR/w32ipc): a client finds only the servers of its own root.
    #[command(verbatim_doc_comment)]
    Pipe(pipe::Args),
    /// Window tools: a window that prints its messages, WM_COPYDATA to a window, the list.
    ///
    /// Windows are found by class (without case) and title across the processes of the
    /// session root ($W32IPC_ROOT, else $XDG_RUNTIME_DIR/w32ipc); a window handle means the
    /// same window in every process.
    #[command(verbatim_doc_comment)]
    Window(window::Args),
    /// Child roles the demo starts (not for direct use).
    #[command(name = "__child", hide = true)]
    Child {
        /// The role.
        role: String,
        /// Its arguments.
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some(w32ipc_bench::child::CHILD_ARG) {
        return w32ipc_bench::child::run(&raw[1..]);
    }
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Demo(demo::Args::default())) {
        Command::Demo(args) => demo::run(&args),
        Command::Ls(args) => ls::run(&args),
        Command::Pipe(args) => return pipe::run(&args),
        Command::Window(args) => return window::run(&args),
        // SAFETY: only argument parsing has run: no thread has been started.
        Command::Bench { args } => return unsafe { w32ipc_bench::main_with(&args) },
        Command::Child { role, args } => demo::child(&role, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
