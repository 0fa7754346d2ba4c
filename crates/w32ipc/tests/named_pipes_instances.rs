//! Named-pipe instances between real processes: the first instance's `nMaxInstances` caps the
//! name across server processes, `FILE_FLAG_FIRST_PIPE_INSTANCE` and the access direction,
//! names nobody serves, and 255 connected instances of one name. (Connecting, waiting and
//! disconnecting are in `named_pipes_connect.rs`.)
//!
//! Expected results follow Windows as recorded under Wine (`tests/c/README.md`).
//! Every test runs under a watchdog, with unique names, one at a time.

mod npipe_common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use npipe_common::{
    Kid, code, hear, hear_expect, options, outcome, pipe_name, say, serial, until_released,
};
use w32ipc::error::{ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_PIPE_BUSY};
use w32ipc::npipe::{
    PipeClient, ServerOptions, UNLIMITED_INSTANCES, WaitTimeout, call_named_pipe, wait_named_pipe,
};
use w32ipc_test_support::{isolate, role, watchdog};

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        // Create one instance per `;`-separated spec, report each, hold them until released.
        "create" => {
            let mut held = Vec::new();
            for (i, spec) in args[2].split(';').enumerate() {
                let r = options(args[1], spec).create();
                say(&format!("create {i} {}", outcome(&r)));
                held.extend(r.ok());
            }
            say("ready");
            until_released();
        }
        // What a client sees of a name nobody serves.
        "probe-missing" => {
            let name = args[1];
            say(&format!("open {}", outcome(&PipeClient::open(name))));
            let w = wait_named_pipe(name, WaitTimeout::After(Duration::from_secs(10)));
            say(&format!("wait {}", outcome(&w)));
            let mut reply = [0u8; 8];
            let c = call_named_pipe(name, b"q", &mut reply, WaitTimeout::Default);
            say(&format!("call {}", outcome(&c)));
        }
        // Open N clients, each writing its index; after "go" check each one's answer.
        "many-clients" => {
            let n: u32 = args[2].parse().unwrap();
            let clients: Vec<PipeClient> = (0..n)
                .map(|i| {
                    let c = PipeClient::open(args[1]).unwrap();
                    (&c).write_all(&i.to_le_bytes()).unwrap();
                    c
                })
                .collect();
            say(&format!("opened {n}"));
            hear_expect("go");
            for (i, c) in clients.iter().enumerate() {
                let mut buf = [0u8; 4];
                (&*c).read_exact(&mut buf).unwrap();
                assert_eq!(u32::from_le_bytes(buf), i as u32 + 1000);
            }
            say("acks ok");
            until_released();
        }
        other => panic!("unknown role {other}"),
    }
    // Anything else the parent sends is ignored.
    while hear().is_some() {}
}

#[test]
fn first_instance_caps_the_name_across_server_processes() {
    let _turn = serial();
    let _wd = watchdog("nMaxInstances across processes", 60);
    isolate();
    let name = pipe_name("cap");
    let first = options(&name, "max=3").create().unwrap();
    assert_eq!(first.info().unwrap().max_instances, 3);
    // A second server process takes two more instances, asking for more than the cap.
    let mut kid = Kid::spawn(&format!("create|{name}|max=10;max=255"));
    kid.expect("create 0 ok");
    kid.expect("create 1 ok");
    kid.expect("ready");
    assert_eq!(first.state().unwrap().instances, 3);
    // The name is full, whatever a later instance asks for.
    assert_eq!(code(options(&name, "").create()), ERROR_PIPE_BUSY);
    assert_eq!(code(options(&name, "max=1").create()), ERROR_PIPE_BUSY);
    assert_eq!(
        code(options(&name, &format!("max={UNLIMITED_INSTANCES}")).create()),
        ERROR_PIPE_BUSY
    );
    // ... and from a third process too.
    let mut third = Kid::spawn(&format!("create|{name}|max=3"));
    third.expect(&format!("create 0 err {ERROR_PIPE_BUSY}"));
    third.expect("ready");
    third.finish();
    // The killed process's instances are gone: their slots are free again, up to the cap.
    kid.kill();
    let second = options(&name, "").create().unwrap();
    let third_inst = options(&name, "").create().unwrap();
    assert_eq!(code(options(&name, "").create()), ERROR_PIPE_BUSY);
    assert_eq!(first.state().unwrap().instances, 3);
    drop((second, third_inst));
    assert_eq!(first.state().unwrap().instances, 1);
}

#[test]
fn first_instance_flag_and_access_direction_across_processes() {
    let _turn = serial();
    let _wd = watchdog("first instance and access", 60);
    isolate();
    // An inbound pipe made by another process.
    let name = pipe_name("dir");
    let mut kid = Kid::spawn(&format!("create|{name}|in,max=4,first"));
    kid.expect("create 0 ok");
    kid.expect("ready");
    assert_eq!(
        code(options(&name, "in,first").create()),
        ERROR_ACCESS_DENIED,
        "FILE_FLAG_FIRST_PIPE_INSTANCE on a name that exists"
    );
    assert_eq!(code(options(&name, "out").create()), ERROR_ACCESS_DENIED);
    assert_eq!(code(options(&name, "dup").create()), ERROR_ACCESS_DENIED);
    // The same direction with another type, read mode and wait mode is accepted.
    let same = options(&name, "in").create().unwrap();
    let msg = options(&name, "in,msg").create().unwrap();
    let nowait = options(&name, "in,nowait").create().unwrap();
    assert!(msg.info().unwrap().message_type);
    assert!(!same.info().unwrap().message_type);
    assert_eq!(same.state().unwrap().instances, 4);
    // A client of an inbound pipe may only write.
    assert_eq!(
        code(PipeClient::open_with(&name, true, true)),
        ERROR_ACCESS_DENIED
    );
    assert_eq!(
        code(PipeClient::open_with(&name, true, false)),
        ERROR_ACCESS_DENIED
    );
    let writer = PipeClient::open_with(&name, false, true).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(code(writer.read_msg(&mut buf)), ERROR_ACCESS_DENIED);
    kid.finish();
    drop((same, msg, nowait, writer));

    // A duplex name whose first instance is ours: another process is refused the flag and
    // the other directions, and gets a plain instance.
    let name = pipe_name("dir2");
    let _mine = options(&name, "dup,first,max=3").create().unwrap();
    let kid = Kid::spawn(&format!("create|{name}|dup,first;in;out;dup;msg"));
    let lines = kid.finish();
    assert_eq!(
        lines,
        [
            format!("create 0 err {ERROR_ACCESS_DENIED}"),
            format!("create 1 err {ERROR_ACCESS_DENIED}"),
            format!("create 2 err {ERROR_ACCESS_DENIED}"),
            "create 3 ok".to_owned(),
            "create 4 ok".to_owned(),
            "ready".to_owned(),
        ]
    );
}

#[test]
fn missing_names_are_not_found() {
    let _turn = serial();
    let _wd = watchdog("missing name", 60);
    isolate();
    let name = pipe_name("missing");
    let started = Instant::now();
    assert_eq!(code(PipeClient::open(&name)), ERROR_FILE_NOT_FOUND);
    assert_eq!(
        code(wait_named_pipe(
            &name,
            WaitTimeout::After(Duration::from_secs(10))
        )),
        ERROR_FILE_NOT_FOUND
    );
    assert!(started.elapsed() < Duration::from_secs(5), "no waiting");
    let kid = Kid::spawn(&format!("probe-missing|{name}"));
    assert_eq!(
        kid.finish(),
        [
            format!("open err {ERROR_FILE_NOT_FOUND}"),
            format!("wait err {ERROR_FILE_NOT_FOUND}"),
            format!("call err {ERROR_FILE_NOT_FOUND}"),
        ]
    );
    // A name whose only instance is closed is missing again.
    drop(options(&name, "").create().unwrap());
    assert_eq!(code(PipeClient::open(&name)), ERROR_FILE_NOT_FOUND);
}

#[test]
fn unlimited_instances_255_each_with_a_client() {
    let _turn = serial();
    let _wd = watchdog("255 instances", 120);
    isolate();
    let name = pipe_name("many");
    let servers: Vec<_> = (0..255)
        .map(|_| ServerOptions::new(&name).create().unwrap())
        .collect();
    assert_eq!(servers[0].state().unwrap().instances, 255);
    assert_eq!(
        servers[254].info().unwrap().max_instances,
        UNLIMITED_INSTANCES
    );
    let mut kid = Kid::spawn(&format!("many-clients|{name}|255"));
    kid.expect("opened 255");
    // Every instance is taken: one more client is refused.
    assert_eq!(code(PipeClient::open(&name)), ERROR_PIPE_BUSY);
    let mut seen = vec![false; 255];
    for s in &servers {
        s.connect().unwrap();
        assert_eq!(s.client_process_id().unwrap(), kid.pid());
        let mut buf = [0u8; 4];
        (&*s).read_exact(&mut buf).unwrap();
        let i = u32::from_le_bytes(buf) as usize;
        assert!(!seen[i], "client {i} reached two instances");
        seen[i] = true;
        s.write_msg(&(i as u32 + 1000).to_le_bytes()).unwrap();
    }
    assert!(seen.iter().all(|&s| s));
    kid.send("go");
    kid.expect("acks ok");
    kid.finish();
}
