//! `w32ipc-bench`: the benchmark as a plain binary (`w32ipc-bench --help`).

fn main() -> std::process::ExitCode {
    w32ipc_bench::main()
}
