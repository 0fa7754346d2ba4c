//! Ping-pong between two processes over a pair of auto-reset signals — what the event and
//! semaphore scenarios share — and its raw baseline, a futex flag on a shared memory word.
//!
//! The parent sets `ping` and waits for `pong`; the child (this executable, see
//! [`crate::child`]) waits for `ping` and sets `pong`. One round trip is one of each, so it
//! costs two wake-ups of a sleeping process. Each trial starts a child, which opens its side,
//! says `ready` on its standard output, serves `warm-up + timed` round trips and says `done`.
//! The parent runs the warm-up round trips untimed (page faults, first wake-ups), then times
//! each of the rest on a clock of its own (from setting `ping` to having taken `pong`). Each
//! trial gives two figures, µs per round trip: the median round trip and the 99th percentile
//! (a scenario's two tables, [`Tails::run`]; the harness's interleaving and warm-up trial apply
//! to both).

use std::io::{self, Write};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::thread::futex;

use crate::child::{self, Role};
use crate::harness::{self, Comparison, Scenario, SideFigure, Subject, quantile};
use crate::peer::Peer;
use crate::placement::Pinning;
use crate::shared_word::SharedWords;

/// Untimed round trips at the start of each trial.
pub const WARMUP: u64 = 1000;

/// One direction of a ping-pong: an auto-reset signal with a single waiter.
pub trait Signal {
    /// Signals; wakes the waiter if it sleeps.
    fn set(&self) -> io::Result<()>;
    /// Waits until signalled (forever), and takes the signal.
    fn wait(&self) -> io::Result<()>;
}

/// The raw baseline: an auto-reset flag in a shared word, sleeping on it with a non-private
/// futex. 0: clear; 1: set; 2: clear, and the waiter sleeps (or is about to), so a set must
/// wake it. A set with nobody asleep makes no system call, and neither does a wait for a flag
/// that is already set.
pub struct FutexFlag<'a> {
    word: &'a AtomicU32,
}

const CLEAR: u32 = 0;
const SET: u32 = 1;
const SLEEPER: u32 = 2;

impl<'a> FutexFlag<'a> {
    /// A flag on any shared word (clear when 0).
    pub fn new(word: &'a AtomicU32) -> FutexFlag<'a> {
        FutexFlag { word }
    }

    /// The ping (word 0) and pong (word 1) flags of a page.
    pub fn pair(words: &'a SharedWords) -> (FutexFlag<'a>, FutexFlag<'a>) {
        (
            FutexFlag {
                word: words.word(0),
            },
            FutexFlag {
                word: words.word(1),
            },
        )
    }
}

impl Signal for FutexFlag<'_> {
    fn set(&self) -> io::Result<()> {
        if self.word.swap(SET, Ordering::Release) == SLEEPER {
            futex::wake(self.word, futex::Flags::empty(), 1)?;
        }
        Ok(())
    }

    fn wait(&self) -> io::Result<()> {
        loop {
            match self
                .word
                .compare_exchange(SET, CLEAR, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Ok(()),
                Err(CLEAR) => {
                    if self
                        .word
                        .compare_exchange(CLEAR, SLEEPER, Ordering::Relaxed, Ordering::Relaxed)
                        .is_err()
                    {
                        continue; // set meanwhile
                    }
                }
                Err(_) => {} // SLEEPER: a spurious wake-up; sleep again
            }
            match futex::wait(self.word, futex::Flags::empty(), SLEEPER, None) {
                Ok(()) | Err(Errno::AGAIN) | Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Round trip counts of one trial.
#[derive(Clone, Copy, Debug)]
pub struct Rounds {
    /// Untimed, first.
    pub warmup: u64,
    /// Timed.
    pub timed: u64,
}

impl Rounds {
    /// [`WARMUP`] untimed round trips, then `timed` timed ones.
    pub fn new(timed: u64) -> Rounds {
        Rounds {
            warmup: WARMUP,
            timed,
        }
    }

    /// Everything the child serves.
    pub fn total(self) -> u64 {
        self.warmup + self.timed
    }
}

/// The command that starts a ping-pong child in `role`, which finds its side through `end`
/// (a descriptor number or a name), serves `rounds` and pins itself to `cpu` if given.
pub fn child_command(
    exe: &Path,
    role: Role,
    end: &str,
    rounds: Rounds,
    cpu: Option<usize>,
) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args([
        child::CHILD_ARG,
        role.as_str(),
        end,
        &rounds.total().to_string(),
        &cpu.map_or_else(|| "-".to_string(), |c| c.to_string()),
    ]);
    cmd
}

/// Starts the child with `cmd`, waits for its `ready`, plays the warm-up round trips, times
/// the others one by one, checks its `done` and exit. Returns (median, p99) µs per round trip.
pub fn time_round_trips<S: Signal>(
    mut cmd: Command,
    rounds: Rounds,
    ping: &S,
    pong: &S,
) -> io::Result<(f64, f64)> {
    let mut child = Peer::spawn(&mut cmd, "ping-pong")?;
    child.expect("ready")?;
    play(ping, pong, rounds.warmup)?;
    let mut nanos = Vec::with_capacity(rounds.timed as usize);
    for _ in 0..rounds.timed {
        let start = Instant::now();
        ping.set()?;
        pong.wait()?;
        nanos.push(start.elapsed().as_nanos() as u64);
    }
    child.expect("done")?;
    child.finish()?;
    Ok(median_and_p99(nanos))
}

/// (median, p99) of round trips timed in ns, in µs.
pub fn median_and_p99(mut nanos: Vec<u64>) -> (f64, f64) {
    nanos.sort_unstable();
    let us = |q| quantile(&nanos, q) as f64 / 1e3;
    (us(0.5), us(0.99))
}

/// The p99s of a ping-pong scenario's trials, one [`SideFigure`] per subject in the order
/// [`Tails::subject`] made them: the baseline first, then the others in the scenario's order.
#[derive(Default)]
pub struct Tails(Vec<SideFigure>);

impl Tails {
    /// A subject named `name` whose trials give (median, p99) µs per round trip: the median is
    /// its figure, the p99 is kept here.
    pub fn subject<'a>(
        &mut self,
        name: &str,
        mut trial: impl FnMut() -> io::Result<(f64, f64)> + 'a,
    ) -> Subject<'a> {
        let p99 = SideFigure::default();
        self.0.push(p99.clone());
        Subject::new(name, move || {
            let (median, tail) = trial()?;
            p99.record(tail);
            Ok(median)
        })
    }

    /// Runs `scenario` (its name without "median" or "p99"), whose baseline and subjects
    /// [`Tails::subject`] made in that order: the medians' comparison, then the p99s' of the
    /// same trials.
    pub fn run(self, mut scenario: Scenario<'_>, trials: usize) -> io::Result<Vec<Comparison>> {
        assert_eq!(
            self.0.len(),
            1 + scenario.subjects.len(),
            "one p99 per subject, the baseline's first"
        );
        let name = std::mem::take(&mut scenario.name);
        scenario.name = format!("{name}, median");
        let medians = harness::run(scenario, trials)?;
        let tails = harness::side_comparison(&medians, format!("{name}, p99"), &self.0);
        Ok(vec![medians, tails])
    }
}

/// The longest a [`SpinFutexFlag`] spins before it sleeps (w32ipc's longest spin, see `w32ipc`'s wait docs).
pub const SPIN: Duration = Duration::from_micros(200);

/// A [`FutexFlag`] whose waiter first spins on the word for up to [`SPIN`] (reading it only,
/// with a pause between reads), then takes it or sleeps as a `FutexFlag` does.
pub struct SpinFutexFlag<'a> {
    word: &'a AtomicU32,
    flag: FutexFlag<'a>,
}

impl<'a> SpinFutexFlag<'a> {
    /// A spinning flag on `word`.
    pub fn new(word: &'a AtomicU32) -> SpinFutexFlag<'a> {
        SpinFutexFlag {
            word,
            flag: FutexFlag::new(word),
        }
    }

    /// The ping (word 0) and pong (word 1) flags of a page.
    pub fn pair(words: &'a SharedWords) -> (SpinFutexFlag<'a>, SpinFutexFlag<'a>) {
        (
            SpinFutexFlag::new(words.word(0)),
            SpinFutexFlag::new(words.word(1)),
        )
    }
}

impl Signal for SpinFutexFlag<'_> {
    fn set(&self) -> io::Result<()> {
        self.flag.set()
    }

    fn wait(&self) -> io::Result<()> {
        let start = Instant::now();
        'spin: loop {
            for _ in 0..64 {
                // 1: set (see `FutexFlag`).
                if self.word.load(Ordering::Relaxed) == 1 {
                    break 'spin;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= SPIN {
                break;
            }
        }
        self.flag.wait()
    }
}

/// The parent's side: `n` times, set `ping` and wait for `pong`.
fn play<S: Signal>(ping: &S, pong: &S, n: u64) -> io::Result<()> {
    for _ in 0..n {
        ping.set()?;
        pong.wait()?;
    }
    Ok(())
}

/// The child's side: says `ready`, then `rounds` times waits for `ping` and sets `pong`, then
/// says `done`.
pub fn serve<S: Signal>(ping: &S, pong: &S, rounds: u64) -> io::Result<()> {
    say("ready")?;
    for _ in 0..rounds {
        ping.wait()?;
        pong.set()?;
    }
    say("done")
}

/// The child side of the raw baseline: maps the page behind descriptor `end`.
pub fn serve_futex(end: &str, rounds: u64, spin: bool) -> io::Result<()> {
    let fd = end.parse().map_err(io::Error::other)?;
    // SAFETY: the parent made this descriptor inheritable for this child alone and told us
    // its number; nothing else in this process owns it.
    let words = unsafe { SharedWords::from_inherited(fd)? };
    if spin {
        let (ping, pong) = SpinFutexFlag::pair(&words);
        serve(&ping, &pong, rounds)
    } else {
        let (ping, pong) = FutexFlag::pair(&words);
        serve(&ping, &pong, rounds)
    }
}

/// One raw-baseline trial: a fresh page, its descriptor inherited by the child. (median, p99)
/// µs per round trip. `spin`: both sides' waits spin first ([`SpinFutexFlag`]).
pub fn futex_trial(
    exe: &Path,
    rounds: Rounds,
    cpu: Option<usize>,
    spin: bool,
) -> io::Result<(f64, f64)> {
    let words = SharedWords::create()?;
    // Inheritable for this spawn only: the page (and its descriptor) is dropped at the end
    // of the trial, and this process starts children from one thread only.
    let fd = words.inheritable_fd()?;
    let role = if spin {
        Role::FutexSpinPong
    } else {
        Role::FutexPong
    };
    let cmd = child_command(exe, role, &fd.to_string(), rounds, cpu);
    if spin {
        let (ping, pong) = SpinFutexFlag::pair(&words);
        time_round_trips(cmd, rounds, &ping, &pong)
    } else {
        let (ping, pong) = FutexFlag::pair(&words);
        time_round_trips(cmd, rounds, &ping, &pong)
    }
}

/// The spinning raw arm of the event and semaphore ping-pongs (a diagnostic).
pub const FUTEX_SPIN: &str = "raw futex, spin ≤ 200 µs then sleep";

/// The spinning raw arm as a diagnostic subject of `tails`.
pub fn spinning_raw<'a>(
    tails: &mut Tails,
    exe: &'a Path,
    rounds: Rounds,
    cpu: Option<usize>,
) -> Subject<'a> {
    tails
        .subject(FUTEX_SPIN, move || futex_trial(exe, rounds, cpu, true))
        .diagnostic()
}

/// Whether spinning can pay with this placement: not with both processes on one CPU.
pub fn spin_pays(pinning: Option<Pinning>) -> bool {
    pinning.is_none_or(|p| p.parent != p.child)
}

/// Adds to the comparisons of a ping-pong (medians first) the medians re-based on the
/// spinning raw arm, for `spinners` (w32ipc's subject and spinning peers): the like-for-like
/// raw figure for waits that spin before they sleep.
pub fn against_spinning(out: &mut Vec<Comparison>, spinners: &[&str]) {
    let name = format!("{}, against spin-then-futex", out[0].name);
    out.push(harness::rebase(&out[0], name, FUTEX_SPIN, spinners));
}

fn say(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn futex_flags_ping_pong_between_threads() {
        let words = SharedWords::create().unwrap();
        let (ping, pong) = FutexFlag::pair(&words);
        std::thread::scope(|s| {
            s.spawn(|| {
                for _ in 0..10_000 {
                    ping.wait().unwrap();
                    pong.set().unwrap();
                }
            });
            play(&ping, &pong, 10_000).unwrap();
        });
        // Every signal was taken: both flags are clear (no sleeper left behind).
        assert_eq!(words.word(0).load(Ordering::SeqCst), CLEAR);
        assert_eq!(words.word(1).load(Ordering::SeqCst), CLEAR);
    }

    #[test]
    fn median_and_p99_of_round_trips() {
        let nanos: Vec<u64> = (1..=200).rev().map(|k| k * 1000).collect();
        assert_eq!(median_and_p99(nanos), (100.0, 198.0));
    }

    #[test]
    fn a_set_before_the_wait_is_not_lost() {
        let words = SharedWords::create().unwrap();
        let (flag, _) = FutexFlag::pair(&words);
        flag.set().unwrap();
        flag.set().unwrap(); // auto-reset: still one signal
        flag.wait().unwrap();
        assert_eq!(words.word(0).load(Ordering::SeqCst), CLEAR);
    }
}
