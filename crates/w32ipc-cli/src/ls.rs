//! `w32ipc ls`: the session's named objects and named pipes.

use w32ipc::object::list_named;
use w32ipc::object::name::Namespace;

use crate::report::{Context, Failure};

/// Options of `w32ipc ls` (its help text is the doc comment of `Command::Ls`).
#[derive(clap::Args, Default)]
#[command(after_help = HELP)]
pub struct Args {
    /// List the machine-wide `Global\` namespace instead of the session's (`Local\`)
    #[arg(long)]
    global: bool,
}

const HELP: &str = r"Examples:
  w32ipc ls                 the session's objects and pipes
  w32ipc ls --global        objects named `Global\…`

Output (one line per object; HOLDERS are process ids):
  KIND               SIZE  HOLDERS              NAME
  Mapping            4096  4242,4250            Local\Server Thread ID
  NamedPipe             -  4242                 \\.\pipe\demo (2 instances of unlimited, 1 listening)

Exit codes: 0 success; otherwise as the table in `w32ipc --help` says.";

pub fn run(args: &Args) -> Result<(), Failure> {
    let ns = if args.global {
        Namespace::Global
    } else {
        Namespace::Local
    };
    let objects = list_named(ns).context(|| "cannot list the named objects".to_owned())?;
    let pipes = if args.global {
        Vec::new()
    } else {
        w32ipc::npipe::list_pipes().context(|| "cannot list the named pipes".to_owned())?
    };
    if objects.is_empty() && pipes.is_empty() {
        println!("no named objects");
        return Ok(());
    }
    println!("{:<10} {:>12}  {:<20} NAME", "KIND", "SIZE", "HOLDERS");
    for o in objects {
        let holders: Vec<String> = o.holders.iter().map(u32::to_string).collect();
        println!(
            "{:<10} {:>12}  {:<20} {}",
            format!("{:?}", o.kind),
            o.size,
            holders.join(","),
            o.name
        );
    }
    for p in pipes {
        let servers: Vec<String> = p.servers.iter().map(u32::to_string).collect();
        let max = if p.max_instances == w32ipc::npipe::UNLIMITED_INSTANCES {
            "unlimited".to_owned()
        } else {
            p.max_instances.to_string()
        };
        println!(
            "{:<10} {:>12}  {:<20} {} ({} instance{} of {max}, {} listening)",
            "NamedPipe",
            "-",
            servers.join(","),
            p.name,
            p.instances,
            if p.instances == 1 { "" } else { "s" },
            p.listening
        );
    }
    Ok(())
}
