//! Message scenarios (`--only msg`): `SendMessage(WM_COPYDATA)` between two processes against
//! the raw mechanisms and `ipc-channel`, and posted thread messages between two threads against
//! `std::sync::mpsc`. This module holds what the two-process ones share — the arms, the child
//! that plays the receiver, the raw signals and the values the receivers compute — and runs
//! them all.
//!
//! Two-process scenarios run between this process (the sender) and a child (the receiver),
//! this executable run again as `<exe> __bench-child msg <scenario> <arm> <end> <count> <cpu|->`
//! (see [`serve_child`]); a fresh child per trial. The child says `ready` on its standard
//! output once it can receive and `done` after the last message, so start-up and exit stay
//! outside the clock. The arms ([`Arm`]):
//!
//! * `raw futex`: the baseline — the payload goes through a `memfd` page mapped `MAP_SHARED`
//!   by both ([`SharedRegion`]), handed over with two auto-reset futex flags
//!   ([`FutexFlag`]: no spinning, a `FUTEX_WAIT` as soon as the flag is found clear);
//! * `raw futex, spin then sleep` (diagnostic; not run when both processes share one CPU):
//!   the same flags, but a waiter first spins on the flag for up to [`SPIN`](crate::pingpong::SPIN) (w32ipc's
//!   message waits spin up to that long, adaptively, when the peer runs on another CPU);
//! * `raw eventfd`: the same shared page, handed over with two blocking eventfds (inherited by
//!   the child): a `write(2)` of 1 and a `read(2)` for each hand-off;
//! * `w32ipc`: the child creates a message-only window (`Window::builder(class)
//!   .message_only(true)`), says `ready` and runs its message loop; the parent finds it with
//!   `find_window_ex(Parent::Message, …)` and calls `Hwnd::send_copy_data` — `SendMessage`
//!   with `WM_COPYDATA` — whose result is the handler's value; a last `WM_COPYDATA` with
//!   action [`ACTION_QUIT`] makes the handler call `post_quit_message`;
//! * `ipc-channel`: two `IpcBytesSender`/`IpcBytesReceiver` pairs (`ipc::bytes_channel`, Unix
//!   `SOCK_SEQPACKET` sockets on Linux) that the child makes and hands to the parent through an
//!   `IpcOneShotServer`; request and reply are byte messages (each `recv` returns a fresh
//!   `Vec<u8>`; a message over the socket's send buffer goes in fragments over a dedicated
//!   channel made for it);
//! * `iceoryx2` (feature `iceoryx2`; round trips only): request/response over shared memory,
//!   both sides busy-polling (see `crate::iox_request`).
//!
//! Scenarios: [`crate::msg_roundtrip`] (64 bytes), [`crate::msg_throughput`] (64 KiB and 1 MiB
//! blocks),
//! and the in-process [`crate::msg_thread`].

use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::Ordering;

use ipc_channel::ipc::{self, IpcBytesReceiver, IpcBytesSender, IpcOneShotServer, IpcSender};
use rustix::event::{EventfdFlags, eventfd};
use rustix::io::Errno;
use w32ipc::msg::{self, Hwnd, Message, Parent, Window};

use crate::child::CHILD_ARG;
use crate::harness::Comparison;
use crate::options::Options;
use crate::peer::Peer;
use crate::pingpong::{FutexFlag, Signal, SpinFutexFlag};
use crate::placement;
use crate::shared_region::{self, SharedRegion};
use crate::{msg_roundtrip, msg_thread, msg_throughput};

/// The child role name on the command line (after [`CHILD_ARG`]).
pub const ROLE: &str = "msg";

/// `dwData` of a `WM_COPYDATA` that carries a block to answer.
pub const ACTION_DATA: usize = 1;

/// `dwData` of the `WM_COPYDATA` that ends the child's message loop.
pub const ACTION_QUIT: usize = 2;

/// The title of the child's window (the class name is unique to the trial).
pub const TITLE: &str = "w32ipc-bench receiver";

/// One way of moving the scenario's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// Shared `memfd` page + futex flags (the baseline).
    Futex,
    /// The same, spinning up to [`SPIN`](crate::pingpong::SPIN) before sleeping.
    FutexSpin,
    /// Shared `memfd` page + two eventfds.
    Eventfd,
    /// `SendMessage(WM_COPYDATA)` to a message-only window.
    W32ipc,
    /// `ipc-channel` byte channels.
    IpcChannel,
    /// iceoryx2 request/response, busy-polling (round trips only).
    #[cfg(feature = "iceoryx2")]
    Iceoryx2,
}

impl Arm {
    /// The arm's name on the child's command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Futex => "futex",
            Arm::FutexSpin => "futex-spin",
            Arm::Eventfd => "eventfd",
            Arm::W32ipc => "w32ipc",
            Arm::IpcChannel => "ipc-channel",
            #[cfg(feature = "iceoryx2")]
            Arm::Iceoryx2 => "iceoryx2",
        }
    }

    /// Every arm.
    const ALL: &[Arm] = &[
        Arm::Futex,
        Arm::FutexSpin,
        Arm::Eventfd,
        Arm::W32ipc,
        Arm::IpcChannel,
        #[cfg(feature = "iceoryx2")]
        Arm::Iceoryx2,
    ];

    fn parse(s: &str) -> Option<Arm> {
        Arm::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

/// The two-process scenarios, as the child knows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// 64-byte requests, each answered with [`derive()`] of it.
    RoundTrip,
    /// 64 KiB blocks, each answered with its [`checksum`].
    Throughput64K,
    /// 1 MiB blocks, the same.
    Throughput1M,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::RoundTrip => "roundtrip",
            Kind::Throughput64K => "throughput-64k",
            Kind::Throughput1M => "throughput-1m",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [Kind::RoundTrip, Kind::Throughput64K, Kind::Throughput1M]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// What the receiver answers for a block.
    fn answer(self) -> fn(&[u8]) -> u64 {
        match self {
            Kind::RoundTrip => derive,
            Kind::Throughput64K | Kind::Throughput1M => checksum,
        }
    }
}

/// The 64-bit value a round-trip receiver answers for a request: every 8-byte word of it
/// (little-endian; a short tail is padded with zeros), folded with a rotate and an xor.
pub fn derive(block: &[u8]) -> u64 {
    block.chunks(8).fold(block.len() as u64, |acc, w| {
        let mut b = [0u8; 8];
        b[..w.len()].copy_from_slice(w);
        acc.rotate_left(7) ^ u64::from_le_bytes(b)
    })
}

/// The wrapping sum of a block's 8-byte little-endian words (a tail shorter than 8 bytes is
/// added byte by byte): reads every byte, at memory speed.
pub fn checksum(block: &[u8]) -> u64 {
    let words = block.chunks_exact(8);
    let tail = words
        .remainder()
        .iter()
        .fold(0u64, |acc, &b| acc.wrapping_add(u64::from(b)));
    words
        .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
        .fold(tail, u64::wrapping_add)
}

/// A blocking eventfd as one direction of a hand-off: `set` writes 1, `wait` reads (and so
/// clears) the count.
pub struct EventfdSignal(pub OwnedFd);

impl EventfdSignal {
    /// A fresh eventfd (close-on-exec; blocking).
    pub fn create() -> io::Result<EventfdSignal> {
        Ok(EventfdSignal(eventfd(0, EventfdFlags::CLOEXEC)?))
    }
}

impl Signal for EventfdSignal {
    fn set(&self) -> io::Result<()> {
        loop {
            match rustix::io::write(&self.0, &1u64.to_ne_bytes()) {
                Ok(_) => return Ok(()),
                Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn wait(&self) -> io::Result<()> {
        let mut buf = [0u8; 8];
        loop {
            match rustix::io::read(&self.0, &mut buf) {
                Ok(_) => return Ok(()),
                Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Offsets in a raw arm's region: the request flag, the reply flag, the reply word (64-bit),
/// and the payload area (a page in, so that the flags' line is not the payload's).
pub const PING_AT: usize = 0;
/// See [`PING_AT`].
pub const PONG_AT: usize = 64;
/// See [`PING_AT`].
pub const ANSWER_AT: usize = 128;
/// See [`PING_AT`].
pub const DATA_AT: usize = 4096;

/// The raw arms' descriptors as the child is told them: `region[,ping,pong]`.
fn raw_end(region: RawFd, eventfds: Option<(RawFd, RawFd)>) -> String {
    match eventfds {
        Some((p, q)) => format!("{region},{p},{q}"),
        None => region.to_string(),
    }
}

/// What the message scenarios of one run share.
pub struct Context<'a> {
    /// The settings.
    pub options: &'a Options,
    /// This executable, run again as the child.
    pub exe: PathBuf,
    /// The CPU the child pins itself to, if pinned.
    pub child_cpu: Option<usize>,
    /// For the table.
    pub placement: String,
    /// Whether the two processes may run on two CPUs at once (not both pinned to one), so
    /// that spinning can pay: the spinning raw arm runs only then.
    pub spin_pays: bool,
    /// Whether both processes can busy-poll at once (see `crate::iox::polling_pays`): the
    /// iceoryx2 arm runs only then.
    #[cfg(feature = "iceoryx2")]
    pub polling_pays: bool,
}

impl Context<'_> {
    /// Starts the child for `kind` and `arm`, finding its end through `end`, with `count`.
    pub fn spawn(&self, kind: Kind, arm: Arm, end: &str, count: u64) -> io::Result<Peer> {
        let mut cmd = Command::new(&self.exe);
        cmd.args([
            CHILD_ARG,
            ROLE,
            kind.as_str(),
            arm.as_str(),
            end,
            &count.to_string(),
            &self
                .child_cpu
                .map_or_else(|| "-".to_string(), |c| c.to_string()),
        ]);
        Peer::spawn(&mut cmd, "message")
    }

    /// Starts a raw arm's child with `region` (and, for [`Arm::Eventfd`], the two eventfds)
    /// inherited; their close-on-exec flags are set again once it runs.
    pub fn spawn_raw(
        &self,
        kind: Kind,
        arm: Arm,
        region: &SharedRegion,
        eventfds: Option<(&EventfdSignal, &EventfdSignal)>,
        count: u64,
    ) -> io::Result<Peer> {
        let mut fds = vec![region.fd()];
        if let Some((p, q)) = eventfds {
            fds.push(p.0.as_fd());
            fds.push(q.0.as_fd());
        }
        let numbers = fds
            .iter()
            .map(|&fd| shared_region::inheritable(fd))
            .collect::<io::Result<Vec<RawFd>>>();
        let spawned = numbers.and_then(|n| {
            let end = raw_end(n[0], n.get(1).copied().zip(n.get(2).copied()));
            self.spawn(kind, arm, &end, count)
        });
        for fd in fds {
            shared_region::close_on_exec(fd)?;
        }
        spawned
    }
}

/// A raw arm's sending side: the shared region and the two signals.
pub struct RawSender<'a, S: Signal> {
    /// The region.
    pub region: &'a SharedRegion,
    /// Set by the sender: a request is in the region.
    pub ping: &'a S,
    /// Set by the receiver: the answer is in the region.
    pub pong: &'a S,
}

impl<S: Signal> RawSender<'_, S> {
    /// Copies `data` into the region, hands it over, waits for the answer and returns the
    /// answer word; when `reply` is given, also copies `reply.len()` bytes of the receiver's
    /// reply out of the region (they follow the request).
    pub fn call(&self, data: &[u8], reply: Option<&mut [u8]>) -> io::Result<u64> {
        // SAFETY: the receiver touches the payload only between our ping and its pong.
        unsafe { self.region.write(DATA_AT, data) };
        self.ping.set()?;
        self.pong.wait()?;
        if let Some(reply) = reply {
            // SAFETY: as above: the receiver is done with the region until the next ping.
            reply.copy_from_slice(unsafe { self.region.bytes(DATA_AT + data.len(), reply.len()) });
        }
        Ok(self.region.word64(ANSWER_AT).load(Ordering::Relaxed))
    }
}

/// The raw futex flags of a region.
pub fn futex_flags(region: &SharedRegion) -> (FutexFlag<'_>, FutexFlag<'_>) {
    (
        FutexFlag::new(region.word(PING_AT)),
        FutexFlag::new(region.word(PONG_AT)),
    )
}

/// The spinning futex flags of a region.
pub fn spin_flags(region: &SharedRegion) -> (SpinFutexFlag<'_>, SpinFutexFlag<'_>) {
    (
        SpinFutexFlag::new(region.word(PING_AT)),
        SpinFutexFlag::new(region.word(PONG_AT)),
    )
}

/// The region size of a raw arm whose messages are `len` bytes (request and reply).
pub fn region_len(len: usize) -> usize {
    DATA_AT + (2 * len).next_multiple_of(4096)
}

/// The ipc-channel ends the child hands to the parent: where requests go, where replies come.
pub type IpcEnds = (IpcBytesSender, IpcBytesReceiver);

/// The parent's side of the ipc-channel arm: a one-shot server the child connects to; its
/// name is the child's `end`.
pub fn ipc_server() -> io::Result<(IpcOneShotServer<IpcEnds>, String)> {
    IpcOneShotServer::new()
}

/// Accepts the child's ends.
pub fn ipc_accept(server: IpcOneShotServer<IpcEnds>) -> io::Result<IpcEnds> {
    let (_bootstrap, ends) = server.accept().map_err(io::Error::other)?;
    Ok(ends)
}

/// Runs the message scenarios the options select, pinned if they say so.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let pinned = placement::pin_parent(options.pin)?;
    let pinning = pinned.as_ref().map(|(p, _guard)| *p);
    let cx = Context {
        options,
        exe: std::env::current_exe()?,
        child_cpu: pinning.map(|p| p.child),
        placement: placement::describe(pinning),
        spin_pays: pinning.is_none_or(|p| p.parent != p.child),
        #[cfg(feature = "iceoryx2")]
        polling_pays: crate::iox::polling_pays(pinning),
    };
    let mut out = Vec::new();
    if options.msg.round_trip {
        out.extend(msg_roundtrip::run(&cx)?);
    }
    if options.msg.throughput {
        out.extend(msg_throughput::run(&cx)?);
    }
    if options.msg.thread {
        out.push(msg_thread::run(options, pinning)?);
    }
    Ok(out)
}

/// The child's side: `args` are what follows `__bench-child msg`. Dies with the parent, pins
/// itself, and receives.
pub fn serve_child(args: &[String]) -> io::Result<()> {
    let bad = || io::Error::other(format!("bad message child arguments {args:?}"));
    let [kind, arm, end, count, cpu] = args else {
        return Err(bad());
    };
    let kind = Kind::parse(kind).ok_or_else(bad)?;
    let arm = Arm::parse(arm).ok_or_else(bad)?;
    let count: u64 = count.parse().map_err(|_| bad())?;
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
    if cpu != "-" {
        placement::pin_self(cpu.parse().map_err(|_| bad())?)?;
    }
    let message_len = match kind {
        Kind::RoundTrip => msg_roundtrip::MESSAGE,
        Kind::Throughput64K | Kind::Throughput1M => msg_throughput::block_len(kind),
    };
    match arm {
        Arm::Futex | Arm::FutexSpin | Arm::Eventfd => {
            let fds = end
                .split(',')
                .map(|f| f.parse::<RawFd>().map_err(|_| bad()))
                .collect::<io::Result<Vec<_>>>()?;
            // SAFETY: the parent made these descriptors inheritable for this child alone and
            // told us their numbers; nothing else in this process owns them.
            let region = unsafe { SharedRegion::from_inherited(fds[0])? };
            match (arm, &fds[1..]) {
                (Arm::Futex, []) => {
                    let (ping, pong) = futex_flags(&region);
                    serve_raw(kind, &region, &ping, &pong, message_len, count)
                }
                (Arm::FutexSpin, []) => {
                    let (ping, pong) = spin_flags(&region);
                    serve_raw(kind, &region, &ping, &pong, message_len, count)
                }
                (Arm::Eventfd, &[p, q]) => {
                    use std::os::fd::FromRawFd;
                    // SAFETY: as above.
                    let (ping, pong) = unsafe {
                        (
                            EventfdSignal(OwnedFd::from_raw_fd(p)),
                            EventfdSignal(OwnedFd::from_raw_fd(q)),
                        )
                    };
                    serve_raw(kind, &region, &ping, &pong, message_len, count)
                }
                _ => Err(bad()),
            }
        }
        Arm::W32ipc => serve_window(end, kind.answer()),
        Arm::IpcChannel => serve_ipc(end, kind, count),
        #[cfg(feature = "iceoryx2")]
        Arm::Iceoryx2 if kind == Kind::RoundTrip => crate::iox_request::serve_child(end, count),
        #[cfg(feature = "iceoryx2")]
        Arm::Iceoryx2 => Err(bad()),
    }
}

/// A raw arm's receiver: `count` times, waits for `ping`, answers the `len`-byte request in
/// the region (for a round trip, also writes a `len`-byte reply after it: the answer word
/// followed by the request's other bytes), sets `pong`.
fn serve_raw<S: Signal>(
    kind: Kind,
    region: &SharedRegion,
    ping: &S,
    pong: &S,
    len: usize,
    count: u64,
) -> io::Result<()> {
    let answer = kind.answer();
    let mut request = vec![0u8; if kind == Kind::RoundTrip { len } else { 0 }];
    say("ready")?;
    for _ in 0..count {
        ping.wait()?;
        let value = if kind == Kind::RoundTrip {
            // The payload is copied out, and a reply copied back in: 64 bytes each way.
            // SAFETY: the sender leaves the region alone between its ping and our pong.
            request.copy_from_slice(unsafe { region.bytes(DATA_AT, len) });
            let value = answer(&request);
            request[..8].copy_from_slice(&value.to_le_bytes());
            // SAFETY: as above.
            unsafe { region.write(DATA_AT + len, &request) };
            value
        } else {
            // Read in place, as a WM_COPYDATA handler reads its block.
            // SAFETY: as above.
            answer(unsafe { region.bytes(DATA_AT, len) })
        };
        region.word64(ANSWER_AT).store(value, Ordering::Relaxed);
        pong.set()?;
    }
    say("done")
}

/// The w32ipc receiver: a message-only window of class `class` whose handler answers each
/// `WM_COPYDATA` block with `answer(block)` (read in place) and ends the loop on
/// [`ACTION_QUIT`].
fn serve_window(class: &str, answer: fn(&[u8]) -> u64) -> io::Result<()> {
    let window = Window::builder(class)
        .title(TITLE)
        .message_only(true)
        .create(move |_hwnd, m: Message<'_>| match m {
            Message::CopyData(cd) if cd.action == ACTION_DATA => answer(cd.data) as isize,
            Message::CopyData(cd) if cd.action == ACTION_QUIT => {
                msg::post_quit_message(0);
                0
            }
            _ => 0,
        })?;
    say("ready")?;
    let code = msg::run_message_loop()?;
    drop(window);
    if code != 0 {
        return Err(io::Error::other(format!("message loop ended with {code}")));
    }
    say("done")
}

/// The parent's view of the child's window, once the child said `ready`.
pub fn find_receiver(class: &str) -> io::Result<Hwnd> {
    msg::find_window_ex(Parent::Message, None, Some(class), Some(TITLE))
        .ok_or_else(|| io::Error::other(format!("no message-only window of class {class}")))
}

/// The ipc-channel receiver: connects to the parent's one-shot server `name`, hands it a
/// request sender and a reply receiver, and answers `count` requests with the 8-byte answer
/// (round trip: a 64-byte reply, the answer followed by the request's other bytes).
fn serve_ipc(name: &str, kind: Kind, count: u64) -> io::Result<()> {
    let bootstrap: IpcSender<IpcEnds> = IpcSender::connect(name.to_string())?;
    let (req_tx, req_rx) = ipc::bytes_channel()?;
    let (resp_tx, resp_rx) = ipc::bytes_channel()?;
    bootstrap
        .send((req_tx, resp_rx))
        .map_err(io::Error::other)?;
    let answer = kind.answer();
    say("ready")?;
    for _ in 0..count {
        let mut request = req_rx.recv().map_err(io::Error::other)?;
        let value = answer(&request);
        if kind == Kind::RoundTrip {
            request[..8].copy_from_slice(&value.to_le_bytes());
            resp_tx.send(&request)?;
        } else {
            resp_tx.send(&value.to_le_bytes())?;
        }
    }
    say("done")
}

/// Writes one line to the parent.
pub fn say(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_depend_on_every_word() {
        let mut a = [0x5au8; 64];
        let d = derive(&a);
        let c = checksum(&a);
        a[63] ^= 1;
        assert_ne!(derive(&a), d);
        assert_ne!(checksum(&a), c);
        assert_eq!(checksum(&[1, 0, 0, 0, 0, 0, 0, 0, 2, 3]), 6);
    }

    #[test]
    fn names_round_trip() {
        for &arm in Arm::ALL {
            assert_eq!(Arm::parse(arm.as_str()), Some(arm));
        }
        assert_eq!(Kind::parse("throughput-1m"), Some(Kind::Throughput1M));
        for (len, kind) in msg_throughput::BLOCKS {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert_eq!(msg_throughput::block_len(kind), len);
        }
        assert_eq!(raw_end(3, Some((4, 5))), "3,4,5");
    }

    #[test]
    fn eventfd_signals_hand_over() {
        let s = EventfdSignal::create().unwrap();
        s.set().unwrap();
        s.set().unwrap();
        s.wait().unwrap(); // takes both
        let flags = rustix::fs::fcntl_getfl(&s.0).unwrap();
        assert!(!flags.contains(rustix::fs::OFlags::NONBLOCK));
    }
}
