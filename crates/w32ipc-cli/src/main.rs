//! `w32ipc`: the demo of the Win32 IPC mechanisms between real processes, and everyday tools.

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

// First: its `exit_codes!` is used by the help texts of the others.
#[macro_use]
mod report;

mod completions;
mod demo;
mod ls;
mod pipe;
mod window;

/// Win32 interprocess communication, natively on Linux
///
/// Named pipes, windows that take WM_COPYDATA, and the session's named objects, from
/// the shell; and a demo of the seed's IPC scenarios between real processes. Without
/// a command, w32ipc runs the demo.
///
/// Processes meet in their session root: $W32IPC_ROOT, else $XDG_RUNTIME_DIR/w32ipc.
/// A pipe, window or object is found only by processes of the same root.
#[derive(Parser)]
#[command(name = "w32ipc", version, verbatim_doc_comment, after_help = HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

const HELP: &str = concat!(
    r#"Examples:
  w32ipc                                 the demo: every scenario, between processes
  w32ipc demo named-pipe                 one scenario of the demo
  w32ipc ls                              the session's named objects and pipes
  w32ipc pipe serve demo --echo &        a named-pipe echo server ...
  echo hi | w32ipc pipe connect demo     ... and a client of it: prints "hi"
  w32ipc window listen &                 a window that prints the messages it gets ...
  w32ipc window send --data hi           ... and WM_COPYDATA to it: prints 2 (its answer)
  w32ipc completions bash > ~/.local/share/bash-completion/completions/w32ipc

Every command has a help of its own, with examples: `w32ipc help pipe`,
`w32ipc pipe serve --help`.

"#,
    exit_codes!()
);

#[derive(Subcommand)]
enum Command {
    /// Run the classic Win32 IPC scenarios between real processes and say what happened
    ///
    /// Each scenario starts processes of its own (this program, run again), passes data
    /// through one mechanism — WM_COPYDATA between windows, thread message queues, an
    /// anonymous pipe, named pipes, shared memory with an event — checks what arrived,
    /// and prints what happened: who did what, the Win32 errors met on the way (as
    /// ERROR_PIPE_BUSY when a pipe's only instance is taken), and how long it took.
    /// They are the scenarios of the text w32ipc grew from (the seed).
    #[command(verbatim_doc_comment)]
    Demo(demo::Args),
    /// List the session's named objects and pipes, and the processes that hold them
    ///
    /// Named events, mutexes, semaphores and file mappings (`Local\NAME`), then named
    /// pipes with their servers. An object lives while some process has a handle to
    /// it: a killed process's objects go with it.
    #[command(verbatim_doc_comment)]
    Ls(ls::Args),
    /// Measure every mechanism against the raw Linux mechanism and peer crates
    ///
    /// Runs each scenario between real processes, interleaving w32ipc, the raw mechanism
    /// and the peer crates trial by trial; prints a summary table with the ratios against
    /// raw and against the best peer, and writes report.md, chart.svg and report.json into
    /// ./w32ipc-bench-results. `w32ipc bench --help` lists its flags and examples.
    #[command(disable_help_flag = true)]
    Bench {
        /// Flags of the benchmark (see `w32ipc bench --help`)
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Named pipes from the shell: serve one, connect to one, call one
    ///
    /// A pipe NAME is given bare (`demo`) or in full (`\\.\pipe\demo`); names are
    /// case-insensitive. Pipes live in the session root ($W32IPC_ROOT, else
    /// $XDG_RUNTIME_DIR/w32ipc): a client finds only the servers of its own root.
    #[command(verbatim_doc_comment)]
    Pipe(pipe::Args),
    /// Windows from the shell: listen for messages, send WM_COPYDATA, list them
    ///
    /// Windows are found by class (without case) and title across the processes of the
    /// session root ($W32IPC_ROOT, else $XDG_RUNTIME_DIR/w32ipc); a window handle means the
    /// same window in every process.
    #[command(verbatim_doc_comment)]
    Window(window::Args),
    Completions(completions::Args),
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
        // SAFETY: only argument parsing has run: no thread has been started.
        Command::Bench { args } => return unsafe { w32ipc_bench::main_with(&args) },
        Command::Pipe(args) => pipe::run(&args),
        Command::Window(args) => window::run(&args),
        Command::Completions(args) => completions::run(&args, &Cli::command()),
        Command::Child { role, args } => demo::child(&role, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `error: …` (and `hint: …`) on stderr; the exit code from the one table.
        Err(f) => f.report(),
    }
}
