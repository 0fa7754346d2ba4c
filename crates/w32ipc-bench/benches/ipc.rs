//! `cargo bench -p w32ipc-bench`: w32ipc against the raw Linux mechanisms (see the crate's
//! README). Flags go after `--`: `cargo bench -p w32ipc-bench -- --quick`.

fn main() -> std::process::ExitCode {
    w32ipc_bench::main()
}
