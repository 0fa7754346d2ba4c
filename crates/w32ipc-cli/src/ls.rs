//! `w32ipc ls`: the session's named objects and named pipes.

use std::io;

use w32ipc::object::list_named;
use w32ipc::object::name::Namespace;

/// Options of `w32ipc ls`.
#[derive(clap::Args, Default)]
pub struct Args {
    /// List the machine-wide `Global\` namespace instead of the session's.
    #[arg(long)]
    global: bool,
}

pub fn run(args: &Args) -> io::Result<()> {
    let ns = if args.global {
        Namespace::Global
    } else {
        Namespace::Local
    };
    let objects = list_named(ns)?;
    let pipes = if args.global {
        Vec::new()
    } else {
        w32ipc::npipe::list_pipes()?
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
            "{:<10} {:>12}  {:<20} {} ({} instances of {max}, {} listening)",
            "NamedPipe",
            "-",
            servers.join(","),
            p.name,
            p.instances,
            p.listening
        );
    }
    Ok(())
}
