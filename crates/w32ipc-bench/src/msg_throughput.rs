//! `WM_COPYDATA` with 64 KiB and with 1 MiB blocks between two processes, GiB/s.
//!
//! Two scenarios ([`BLOCKS`]), each moving `--msg-mib` MiB per trial: in 64 KiB blocks and in
//! 1 MiB blocks. The parent sends the blocks one after the other, each a synchronous request:
//! it waits for the receiver's answer, the [`checksum`] of the block (the receiver reads every
//! byte), and checks it. The first 8 bytes of each block are its number, so no two blocks are
//! alike. Each trial starts a fresh child and first sends [`WARMUP_BYTES`] worth of blocks
//! untimed (page faults of fresh mappings); the clock covers the timed blocks.
//!
//! Arms (see [`crate::msg`]): baseline `raw memcpy + futex` — the parent copies the block into
//! a shared `memfd` mapping, hands it over with a futex flag, the child sums it in place and
//! hands the sum back; `raw memcpy + futex, spin then sleep` (diagnostic, not run with both
//! processes on one CPU) — the same with waiters that spin up to 200 µs first; `w32ipc` — `Hwnd::send_copy_data` (the block is copied once into the
//! sender's outbox, and the receiver's handler sums it in place); `ipc-channel` (peer) —
//! `IpcBytesSender::send` of the block, `IpcBytesReceiver::recv` in the child, an 8-byte reply.

use std::io;
use std::time::Instant;

use crate::harness::{self, Better, Comparison, Scenario, Subject};
use crate::msg::{self, ACTION_DATA, ACTION_QUIT, Arm, Context, Kind, RawSender, checksum};
use crate::pipe_throughput::human;
use crate::session::unique_name;
use crate::shared_region::SharedRegion;

/// The scenarios' block sizes, and the child's name for each.
pub const BLOCKS: [(usize, Kind); 2] = [
    (64 << 10, Kind::Throughput64K),
    (1 << 20, Kind::Throughput1M),
];

/// What each trial sends untimed first, in bytes (8 MiB: 8 blocks of 1 MiB, 128 of 64 KiB).
pub const WARMUP_BYTES: u64 = 8 << 20;

/// The block size of a throughput scenario.
pub fn block_len(kind: Kind) -> usize {
    BLOCKS
        .iter()
        .find(|&&(_, k)| k == kind)
        .map_or(0, |&(len, _)| len)
}

/// Runs the throughput scenarios.
pub fn run(cx: &Context<'_>) -> io::Result<Vec<Comparison>> {
    BLOCKS
        .iter()
        .map(|&(len, kind)| run_one(cx, len, kind))
        .collect()
}

/// Runs the scenario of `len`-byte blocks.
fn run_one(cx: &Context<'_>, len: usize, kind: Kind) -> io::Result<Comparison> {
    let source = Source::new(len, kind, cx.options.msg_blocks);
    let source = &source;
    let mut subjects = vec![
        Subject::new("w32ipc SendMessage(WM_COPYDATA)", move || {
            trial(cx, Arm::W32ipc, source)
        }),
        Subject::new("ipc-channel bytes request/reply", move || {
            trial(cx, Arm::IpcChannel, source)
        })
        .peer(),
    ];
    if cx.spin_pays {
        subjects.push(
            Subject::new(
                "raw memcpy + futex, spin ≤ 200 µs then sleep",
                move || trial(cx, Arm::FutexSpin, source),
            )
            .diagnostic(),
        );
    }
    let scenario = Scenario {
        name: format!(
            "message, WM_COPYDATA {} blocks, 2 processes, {} MiB = {} blocks per trial ({} untimed first), receiver sums every byte",
            human(len),
            cx.options.msg_blocks,
            source.blocks,
            source.warmup
        ),
        unit: "GiB/s",
        better: Better::Higher,
        target: None,
        placement: cx.placement.clone(),
        baseline: Subject::new("raw memcpy + futex (shared memfd)", move || {
            trial(cx, Arm::Futex, source)
        }),
        subjects,
    };
    harness::run(scenario, cx.options.trials)
}

/// What a scenario sends: the block, its checksum without the first word, and how many
/// blocks go per trial.
struct Source {
    block: std::cell::RefCell<Vec<u8>>,
    rest: u64,
    /// The child's name for the scenario.
    kind: Kind,
    /// Untimed blocks first.
    warmup: u64,
    /// Timed blocks.
    blocks: u64,
}

impl Source {
    /// `len`-byte blocks, `mib` MiB of them per trial.
    fn new(len: usize, kind: Kind, mib: u64) -> Source {
        let block: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add((i >> 12) as u8))
            .collect();
        let rest = checksum(&block[8..]);
        Source {
            block: std::cell::RefCell::new(block),
            rest,
            kind,
            warmup: (WARMUP_BYTES / len as u64).max(1),
            blocks: ((mib << 20) / len as u64).max(1),
        }
    }

    fn len(&self) -> usize {
        self.block.borrow().len()
    }
}

/// Sends the untimed then the timed blocks through `one` (which returns the receiver's answer)
/// and checks each answer; returns GiB/s over the timed ones.
fn time_blocks(source: &Source, mut one: impl FnMut(&[u8]) -> io::Result<u64>) -> io::Result<f64> {
    let mut block = source.block.borrow_mut();
    let (warmup, blocks) = (source.warmup, source.blocks);
    let mut start = Instant::now();
    for i in 0..warmup + blocks {
        if i == warmup {
            start = Instant::now();
        }
        block[..8].copy_from_slice(&i.to_le_bytes());
        let answer = one(&block)?;
        let expected = source.rest.wrapping_add(i);
        if answer != expected {
            return Err(io::Error::other(format!(
                "block {i}: answer {answer:#x}, expected {expected:#x}"
            )));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((blocks * block.len() as u64) as f64 / (1u64 << 30) as f64 / secs)
}

/// One trial of `arm`, with a fresh child.
fn trial(cx: &Context<'_>, arm: Arm, source: &Source) -> io::Result<f64> {
    let total = source.warmup + source.blocks;
    let kind = source.kind;
    let mut child;
    let figure = match arm {
        Arm::Futex | Arm::Eventfd => {
            let region = SharedRegion::create(msg::region_len(source.len()))?;
            let (ping, pong) = msg::futex_flags(&region);
            child = cx.spawn_raw(kind, Arm::Futex, &region, None, total)?;
            child.expect("ready")?;
            let sender = RawSender {
                region: &region,
                ping: &ping,
                pong: &pong,
            };
            time_blocks(source, |block| sender.call(block, None))?
        }
        Arm::FutexSpin => {
            let region = SharedRegion::create(msg::region_len(source.len()))?;
            let (ping, pong) = msg::spin_flags(&region);
            child = cx.spawn_raw(kind, arm, &region, None, total)?;
            child.expect("ready")?;
            let sender = RawSender {
                region: &region,
                ping: &ping,
                pong: &pong,
            };
            time_blocks(source, |block| sender.call(block, None))?
        }
        Arm::W32ipc => {
            let class = unique_name("msg-tput");
            child = cx.spawn(kind, arm, &class, total)?;
            child.expect("ready")?;
            let hwnd = msg::find_receiver(&class)?;
            let figure = time_blocks(source, |block| {
                Ok(hwnd.send_copy_data(None, ACTION_DATA, block)? as u64)
            })?;
            hwnd.send_copy_data(None, ACTION_QUIT, &[])?;
            figure
        }
        Arm::IpcChannel => {
            let (server, name) = msg::ipc_server()?;
            child = cx.spawn(kind, arm, &name, total)?;
            let (requests, replies) = msg::ipc_accept(server)?;
            child.expect("ready")?;
            time_blocks(source, |block| {
                requests.send(block)?;
                let reply = replies.recv().map_err(io::Error::other)?;
                let reply: [u8; 8] = reply
                    .try_into()
                    .map_err(|r: Vec<u8>| io::Error::other(format!("a {}-byte reply", r.len())))?;
                Ok(u64::from_le_bytes(reply))
            })?
        }
        #[cfg(feature = "iceoryx2")]
        Arm::Iceoryx2 => return Err(io::Error::other("no iceoryx2 throughput arm")),
    };
    child.expect("done")?;
    child.finish()?;
    Ok(figure)
}
