//! The iceoryx2 peer of the event ping-pong (feature `iceoryx2`): publish/subscribe over
//! shared memory, both processes busy-polling, µs per round trip (median and p99 of a trial).
//!
//! Two `u64` services per trial, `<base>/ping` and `<base>/pong`, which the parent creates
//! before it starts the child. The parent publishes round trip `i` on ping and polls pong for
//! it; the child (`<exe> __bench-child iox-pong <base> <round trips> <cpu|->`) polls ping and
//! publishes what it got on pong. The parent checks every echo, and that every sample reached
//! one subscriber. Warm-up and timing (each round trip on its own clock) as in
//! [`crate::pingpong`].

use std::io;
use std::path::Path;
use std::time::Instant;

use iceoryx2::port::publisher::Publisher;
use iceoryx2::port::subscriber::Subscriber;
use iceoryx2::prelude::*;

use crate::child::Role;
use crate::iox::{self, Ipc};
use crate::peer::Peer;
use crate::pingpong::{self, Rounds};
use crate::session::unique_name;

/// The subject's name in the table.
pub const NAME: &str = "iceoryx2 publish/subscribe ping-pong (busy-polling)";

/// One side's ports: where it publishes and where it polls.
struct Ends {
    publisher: Publisher<Ipc, u64, ()>,
    subscriber: Subscriber<Ipc, u64, ()>,
}

impl Ends {
    /// Publishes `value`; fails unless exactly one subscriber got it.
    fn send(&self, value: u64) -> io::Result<()> {
        match self.publisher.send_copy(value).map_err(iox::fail("send"))? {
            1 => Ok(()),
            n => Err(io::Error::other(format!(
                "iceoryx2: a sample reached {n} subscribers, not 1"
            ))),
        }
    }

    /// Polls until a sample comes, and returns it.
    fn receive(&self) -> io::Result<u64> {
        iox::spin(|| {
            let sample = self.subscriber.receive().map_err(iox::fail("receive"))?;
            Ok(sample.map(|s| *s))
        })
    }
}

/// One trial: fresh services, a child, `rounds` round trips. (median, p99) µs per timed round
/// trip.
pub fn trial(exe: &Path, rounds: Rounds, cpu: Option<usize>) -> io::Result<(f64, f64)> {
    let base = unique_name("iox-pingpong");
    let node = iox::node()?;
    let ping = node
        .service_builder(&iox::service_name(&base, "ping")?)
        .publish_subscribe::<u64>()
        .create()
        .map_err(iox::fail("ping service"))?;
    let pong = node
        .service_builder(&iox::service_name(&base, "pong")?)
        .publish_subscribe::<u64>()
        .create()
        .map_err(iox::fail("pong service"))?;
    let ends = Ends {
        publisher: ping
            .publisher_builder()
            .create()
            .map_err(iox::fail("publisher"))?,
        subscriber: pong
            .subscriber_builder()
            .create()
            .map_err(iox::fail("subscriber"))?,
    };
    let mut cmd = pingpong::child_command(exe, Role::IceoryxPong, &base, rounds, cpu);
    let mut child = Peer::spawn(&mut cmd, "iceoryx2 ping-pong")?;
    child.expect("ready")?;
    iox::await_port("subscriber on ping", || {
        ping.dynamic_config().number_of_subscribers()
    })?;
    iox::await_port("publisher on pong", || {
        pong.dynamic_config().number_of_publishers()
    })?;
    for i in 0..rounds.warmup {
        round_trip(&ends, i)?;
    }
    let mut nanos = Vec::with_capacity(rounds.timed as usize);
    for i in rounds.warmup..rounds.total() {
        let start = Instant::now();
        round_trip(&ends, i)?;
        nanos.push(start.elapsed().as_nanos() as u64);
    }
    child.expect("done")?;
    child.finish()?;
    Ok(pingpong::median_and_p99(nanos))
}

/// The parent's side of round trip `i`: publishes `i`, polls for the echo and checks it.
fn round_trip(ends: &Ends, i: u64) -> io::Result<()> {
    ends.send(i)?;
    let echo = ends.receive()?;
    if echo != i {
        return Err(io::Error::other(format!(
            "iceoryx2 ping-pong: sent {i}, the echo was {echo}"
        )));
    }
    Ok(())
}

/// The child's side: opens the two services, waits for the parent's ports, says `ready`,
/// echoes `rounds` samples and says `done`.
pub fn serve_child(base: &str, rounds: u64) -> io::Result<()> {
    let node = iox::node()?;
    let ping = node
        .service_builder(&iox::service_name(base, "ping")?)
        .publish_subscribe::<u64>()
        .open()
        .map_err(iox::fail("ping service"))?;
    let pong = node
        .service_builder(&iox::service_name(base, "pong")?)
        .publish_subscribe::<u64>()
        .open()
        .map_err(iox::fail("pong service"))?;
    let ends = Ends {
        publisher: pong
            .publisher_builder()
            .create()
            .map_err(iox::fail("publisher"))?,
        subscriber: ping
            .subscriber_builder()
            .create()
            .map_err(iox::fail("subscriber"))?,
    };
    iox::await_port("publisher on ping", || {
        ping.dynamic_config().number_of_publishers()
    })?;
    iox::await_port("subscriber on pong", || {
        pong.dynamic_config().number_of_subscribers()
    })?;
    crate::msg::say("ready")?;
    for _ in 0..rounds {
        let value = ends.receive()?;
        ends.send(value)?;
    }
    crate::msg::say("done")
}
