//! The seed's shared memory: a server stores its thread id in a named file mapping and sets a
//! "ready" event; a client process opens both by name, waits for the event and reads the id.

use std::io;
use std::process::Command;
use std::time::{Duration, Instant};

use w32ipc::mapping::{FileMapping, MapAccess};
use w32ipc::process::{CommandExt, Process, current_thread_id};
use w32ipc::sync::{Event, WaitOutcome};

fn names(server_pid: u32) -> (String, String) {
    (
        format!("w32ipc-demo-{server_pid}-Server Thread ID"),
        format!("w32ipc-demo-{server_pid}-ready"),
    )
}

pub fn run() -> io::Result<()> {
    let start = Instant::now();
    let (map_name, ready_name) = names(Process::current_id());
    // The server: a DWORD-sized mapping backed by the paging file, and an event.
    let mapping = FileMapping::create(Some(&map_name), 4)?;
    let view = mapping.map_view(MapAccess::ALL_ACCESS, 0, 0)?;
    let ready = Event::create(Some(&ready_name), true, false)?;
    let tid = current_thread_id();
    // The client is told the id to expect, to check what it reads.
    let client = Command::new(std::env::current_exe()?)
        .args([
            "__child",
            "shared-memory",
            &Process::current_id().to_string(),
            &tid.to_string(),
        ])
        .spawn_process()?;
    view.write::<u32>(0, tid);
    ready.set()?;
    let code = client.wait()?;
    println!(
        "shared memory: server {} stored its thread id {} in the mapping \"{}\" and set the event \"{}\"; client {} opened both by name and {} — {}",
        Process::current_id(),
        tid,
        map_name,
        ready_name,
        client.id(),
        if code == 0 {
            "read the same id"
        } else {
            "did NOT read the same id"
        },
        super::took(start.elapsed()),
    );
    if code != 0 {
        return Err(io::Error::other("the shared-memory scenario went wrong"));
    }
    Ok(())
}

pub fn child(args: &[String]) -> io::Result<()> {
    let number = |i: usize| -> io::Result<u32> {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "usage: SERVER-PID TID"))
    };
    let (server, expected) = (number(0)?, number(1)?);
    let (map_name, ready_name) = names(server);
    let ready = Event::open(&ready_name)?;
    if ready.wait(Some(Duration::from_secs(10)))? != WaitOutcome::Signaled {
        return Err(io::Error::other("the server never said it was ready"));
    }
    let mapping = FileMapping::open(&map_name, MapAccess::READ)?;
    let view = mapping.map_view(MapAccess::READ, 0, 0)?;
    let tid = view.read::<u32>(0);
    println!("  client read the server's thread id: {tid}");
    if tid != expected {
        std::process::exit(1);
    }
    Ok(())
}
