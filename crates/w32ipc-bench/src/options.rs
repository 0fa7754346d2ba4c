//! Command-line flags.

use std::path::PathBuf;

/// What `--help` prints.
pub const USAGE: &str = "\
Measure every w32ipc mechanism against the raw Linux mechanism and peer crates

Usage: w32ipc bench [FLAGS]
       cargo bench -p w32ipc-bench -- [FLAGS]
       w32ipc-bench [FLAGS]

Every scenario runs between real processes (this program, run again), interleaving w32ipc,
the raw mechanism and the peer crates trial by trial. Prints a summary table per mechanism
(w32ipc against raw and against the best peer; --details: every subject) and writes
report.md, chart.svg and report.json (--out).

Examples:
  w32ipc bench                       everything, default sizes (three to four minutes)
  w32ipc bench --quick               a smoke run (under a minute)
  w32ipc bench --pin-both            every figure on two CPUs, then on one (as in the README)
  w32ipc bench --only npipe --pin    named pipes only, the two processes on two CPUs
  w32ipc bench --json > bench.json   for scripts (the tables go to stderr)

Exit codes:
  0  done
  1  a scenario failed (the error says which)
  2  bad flags

Flags:
  --quick            smoke test: 64 MiB per pipe trial, 3 trials, 50 spawns per trial,
                     2000 round trips per ping-pong trial, 200000 mutex pairs per trial,
                     1000 round trips per anonymous-pipe round-trip trial;
                     named pipes: 64 MiB, 1000 round trips, 100 connections, 50 requests
                     per client per trial; messages: 1000 round trips, 64 MiB per trial
  --json             print a JSON summary on stdout (the tables go to stderr)
  --out DIR          write report.md (both tables), chart.svg and report.json into DIR
                     (default: w32ipc-bench-results in the current directory)
  --no-files         write no files
  --details          print the full table (every subject, spreads, paired ratios) after the
                     summary (report.md always has it)
  --no-progress      no progress bar (it is drawn only when standard error is a terminal)
  --pin              two-process scenarios (pipe, event, semaphore): parent and child
                     pinned to two different CPUs (default: no pinning; the scheduler
                     places both); the mutex scenario's one thread is pinned too;
                     msg-thread: its two threads on two CPUs
  --pin-same         two-process scenarios: parent and child pinned to one and the same CPU
                     (msg-thread: both threads)
  --pin-both         the two-process scenarios twice: --pin, then --pin-same (the scenarios
                     whose placement does not matter run once, with --pin)
  --trials N         trials per subject (default 9; each figure is their median)
  --mib N            MiB the parent writes per pipe trial (default 512)
  --write-bytes N    size of each of the parent's writes in the two anonymous-pipe and the two
                     named-pipe throughput scenarios (default: 64 KiB in the first of each,
                     1 MiB in the second; the child reads with a buffer as large as the
                     writes; pipe and buffer sizes stay as they are)
  --spawns N         spawns per spawn trial (default 200)
  --round-trips N    timed round trips per event/semaphore ping-pong trial and per
                     msg-thread trial (default 5000; each trial first plays 1000 untimed
                     ones)
  --pairs N          mutex acquire + release pairs per trial (default 1000000)
  --only GROUP       run only this group of scenarios: pipe (pipe-throughput and
                     pipe-roundtrip), spawn, event, mutex, semaphore, mapping,
                     sync (event + mutex + semaphore), npipe (the four named-pipe groups:
                     npipe-throughput, npipe-roundtrip, npipe-connect, npipe-async), msg
                     (the three message groups: msg-roundtrip, msg-throughput, msg-thread),
                     idle-memory; may be given more than once
  --pipe-round-trips N
                     timed 64-byte round trips per anonymous-pipe round-trip trial (default
                     5000; each trial first plays 500 untimed ones)
  --npipe-mib N      MiB the parent sends per named-pipe throughput trial (default 512)
  --npipe-round-trips N
                     timed 64-byte round trips per named-pipe round-trip trial (default 5000;
                     each trial first plays 500 untimed ones)
  --connects N       timed connections per named-pipe connect trial (default 1000; 30 untimed
                     ones go first)
  --clients N        concurrent clients of the async-server scenario (default 100)
  --requests N       requests each client makes per async-server trial (default 200)
  --msg-round-trips N
                     timed 64-byte WM_COPYDATA round trips per msg-roundtrip trial (default
                     5000; each trial first plays 500 untimed ones)
  --msg-mib N        MiB per msg-throughput trial, in 64 KiB and in 1 MiB WM_COPYDATA blocks
                     (default 512; 8 MiB of untimed blocks go first)
  --idle-objects N   idle objects each idle-memory trial makes (default 1000; --quick 200)
  --ballast-mib N    spawn scenario: the parent first allocates and touches N MiB, to show
                     how spawn cost grows with the parent's size (fork copies page tables,
                     posix_spawn does not); default 0
  --capi PATH        the C ABI library (libw32ipc.so) for the C ABI spawn figures
                     (default: looked for beside this executable; skipped when absent)
  -h, --help         this text
";

/// The benchmark settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// Smaller volumes and fewer trials.
    pub quick: bool,
    /// JSON summary on stdout.
    pub json: bool,
    /// Where to pin the parent and child of the pipe scenarios.
    pub pin: PinMode,
    /// Run the two-process scenarios a second time with [`PinMode::OneCpu`] (`--pin-both`).
    pub then_one_cpu: bool,
    /// Timed trials per subject (after one untimed warm-up trial each).
    pub trials: usize,
    /// Bytes the parent writes per pipe trial.
    pub pipe_bytes: u64,
    /// `--write-bytes` when given: the write size of the anonymous-pipe and named-pipe
    /// throughput scenarios (each has its own default otherwise).
    pub pipe_write_size: Option<usize>,
    /// Spawns per spawn trial.
    pub spawns: usize,
    /// Timed round trips per ping-pong trial (event, semaphore).
    pub round_trips: u64,
    /// Acquire + release pairs per mutex trial.
    pub mutex_pairs: u64,
    /// Run the anonymous-pipe throughput scenarios.
    pub run_pipes: bool,
    /// Run the anonymous-pipe round-trip scenario.
    pub run_pipe_round_trip: bool,
    /// Timed round trips per anonymous-pipe round-trip trial.
    pub pipe_round_trips: u64,
    /// Run the spawn scenarios.
    pub run_spawns: bool,
    /// Run the event ping-pong scenario.
    pub run_events: bool,
    /// Run the uncontended mutex scenario.
    pub run_mutex: bool,
    /// Run the semaphore ping-pong scenario.
    pub run_semaphores: bool,
    /// Run the file-mapping scenarios.
    pub run_mappings: bool,
    /// Which named-pipe scenarios to run.
    pub npipe: NpipeGroups,
    /// Bytes the parent sends per named-pipe throughput trial.
    pub npipe_bytes: u64,
    /// Timed round trips per named-pipe round-trip trial.
    pub npipe_round_trips: u64,
    /// Timed connections per named-pipe connect trial.
    pub npipe_connects: u64,
    /// Concurrent clients of the async-server scenario.
    pub npipe_clients: usize,
    /// Requests per client per async-server trial.
    pub npipe_requests: u64,
    /// Which message scenarios to run.
    pub msg: MsgGroups,
    /// Timed round trips per message round-trip trial.
    pub msg_round_trips: u64,
    /// MiB per message throughput trial (that many 1 MiB blocks, or 16 times as many 64 KiB
    /// ones).
    pub msg_blocks: u64,
    /// Explicit path of the C ABI library.
    pub capi: Option<PathBuf>,
    /// MiB of memory the parent holds during the spawn scenario.
    pub ballast_mib: usize,
    /// Where the report files go (`None`: no files).
    pub out: Option<PathBuf>,
    /// Print the full table too.
    pub details: bool,
    /// Draw the progress bar (on a terminal).
    pub progress: bool,
    /// Run the idle-memory scenarios.
    pub run_idle_memory: bool,
    /// Idle objects per idle-memory trial.
    pub idle_objects: u64,
}

/// The default of `--out`.
pub const DEFAULT_OUT: &str = "w32ipc-bench-results";

/// The named-pipe scenarios a run selects (`--only npipe` selects all four).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NpipeGroups {
    /// Byte-mode throughput (`npipe-throughput`).
    pub throughput: bool,
    /// 64-byte message round trip (`npipe-roundtrip`).
    pub round_trip: bool,
    /// Connect + first message (`npipe-connect`).
    pub connect: bool,
    /// Requests per second against one async server (`npipe-async`).
    pub async_server: bool,
}

impl NpipeGroups {
    /// All four.
    pub const ALL: NpipeGroups = NpipeGroups {
        throughput: true,
        round_trip: true,
        connect: true,
        async_server: true,
    };

    /// Whether any is selected.
    pub fn any(self) -> bool {
        self.throughput || self.round_trip || self.connect || self.async_server
    }
}

/// The message scenarios a run selects (`--only msg` selects all three).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsgGroups {
    /// 64-byte `WM_COPYDATA` round trip between two processes (`msg-roundtrip`).
    pub round_trip: bool,
    /// 64 KiB and 1 MiB `WM_COPYDATA` blocks between two processes (`msg-throughput`).
    pub throughput: bool,
    /// Posted thread messages between two threads (`msg-thread`).
    pub thread: bool,
}

impl MsgGroups {
    /// All three.
    pub const ALL: MsgGroups = MsgGroups {
        round_trip: true,
        throughput: true,
        thread: true,
    };

    /// Whether any is selected.
    pub fn any(self) -> bool {
        self.round_trip || self.throughput || self.thread
    }
}

/// Where the two-process scenarios put their two processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinMode {
    /// Wherever the scheduler puts them.
    None,
    /// Parent and child on two different CPUs.
    TwoCpus,
    /// Parent and child on the same CPU.
    OneCpu,
}

impl Options {
    /// Parses the flags; `Ok(None)` for `--help`. `--bench` (which `cargo bench` passes) and
    /// `--nocapture`-style harness flags are ignored.
    pub fn parse(args: &[String]) -> Result<Option<Options>, String> {
        let mut o = Options {
            quick: false,
            json: false,
            pin: PinMode::None,
            then_one_cpu: false,
            trials: 0,
            pipe_bytes: 0,
            pipe_write_size: None,
            spawns: 0,
            round_trips: 0,
            mutex_pairs: 0,
            run_pipes: true,
            run_pipe_round_trip: true,
            pipe_round_trips: 0,
            run_spawns: true,
            run_events: true,
            run_mutex: true,
            run_semaphores: true,
            run_mappings: true,
            npipe: NpipeGroups::ALL,
            npipe_bytes: 0,
            npipe_round_trips: 0,
            npipe_connects: 0,
            npipe_clients: 100,
            npipe_requests: 0,
            msg: MsgGroups::ALL,
            msg_round_trips: 0,
            msg_blocks: 0,
            capi: None,
            ballast_mib: 0,
            out: Some(PathBuf::from(DEFAULT_OUT)),
            details: false,
            progress: true,
            run_idle_memory: true,
            idle_objects: 0,
        };
        let (mut trials, mut mib, mut spawns) = (None, None, None);
        let (mut round_trips, mut pairs) = (None, None);
        let (mut npipe_mib, mut npipe_round_trips) = (None, None);
        let (mut connects, mut requests) = (None, None);
        let (mut msg_round_trips, mut msg_mib) = (None, None);
        let mut pipe_round_trips = None;
        let mut idle_objects = None;
        let mut only: Option<Vec<String>> = None;
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match arg.as_str() {
                "--quick" => o.quick = true,
                "--json" => o.json = true,
                "--pin" => (o.pin, o.then_one_cpu) = (PinMode::TwoCpus, false),
                "--pin-same" => (o.pin, o.then_one_cpu) = (PinMode::OneCpu, false),
                "--pin-both" => (o.pin, o.then_one_cpu) = (PinMode::TwoCpus, true),
                "--trials" => trials = Some(number(&value("--trials")?, "--trials")?),
                "--mib" => mib = Some(number(&value("--mib")?, "--mib")?),
                "--write-bytes" => o.pipe_write_size = Some(number(&value(arg)?, arg)?),
                "--spawns" => spawns = Some(number(&value("--spawns")?, "--spawns")?),
                "--round-trips" => {
                    round_trips = Some(number(&value("--round-trips")?, "--round-trips")?)
                }
                "--pairs" => pairs = Some(number(&value("--pairs")?, "--pairs")?),
                "--only" => only.get_or_insert_with(Vec::new).push(value("--only")?),
                "--ballast-mib" => {
                    o.ballast_mib = number(&value("--ballast-mib")?, "--ballast-mib")?
                }
                "--pipe-round-trips" => pipe_round_trips = Some(number(&value(arg)?, arg)?),
                "--npipe-mib" => npipe_mib = Some(number(&value(arg)?, arg)?),
                "--npipe-round-trips" => npipe_round_trips = Some(number(&value(arg)?, arg)?),
                "--connects" => connects = Some(number(&value(arg)?, arg)?),
                "--clients" => o.npipe_clients = number(&value(arg)?, arg)?,
                "--requests" => requests = Some(number(&value(arg)?, arg)?),
                "--msg-round-trips" => msg_round_trips = Some(number(&value(arg)?, arg)?),
                "--msg-mib" => msg_mib = Some(number(&value(arg)?, arg)?),
                "--idle-objects" => idle_objects = Some(number(&value(arg)?, arg)?),
                "--capi" => o.capi = Some(PathBuf::from(value("--capi")?)),
                "--out" => o.out = Some(PathBuf::from(value("--out")?)),
                "--no-files" => o.out = None,
                "--details" => o.details = true,
                "--no-progress" => o.progress = false,
                "-h" | "--help" => return Ok(None),
                "--bench" => {}
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        o.trials = trials.unwrap_or(if o.quick { 3 } else { 9 });
        o.pipe_bytes = mib.unwrap_or(if o.quick { 64 } else { 512 }) as u64 * 1024 * 1024;
        o.spawns = spawns.unwrap_or(if o.quick { 50 } else { 200 });
        o.round_trips = round_trips.unwrap_or(if o.quick { 2_000 } else { 5_000 }) as u64;
        o.mutex_pairs = pairs.unwrap_or(if o.quick { 200_000 } else { 1_000_000 }) as u64;
        o.pipe_round_trips = pipe_round_trips.unwrap_or(if o.quick { 1_000 } else { 5_000 }) as u64;
        o.npipe_bytes = npipe_mib.unwrap_or(if o.quick { 64 } else { 512 }) as u64 * 1024 * 1024;
        o.npipe_round_trips =
            npipe_round_trips.unwrap_or(if o.quick { 1_000 } else { 5_000 }) as u64;
        o.npipe_connects = connects.unwrap_or(if o.quick { 100 } else { 1_000 }) as u64;
        o.npipe_requests = requests.unwrap_or(if o.quick { 50 } else { 200 }) as u64;
        o.msg_round_trips = msg_round_trips.unwrap_or(if o.quick { 1_000 } else { 5_000 }) as u64;
        o.msg_blocks = msg_mib.unwrap_or(if o.quick { 64 } else { 512 }) as u64;
        o.idle_objects = idle_objects.unwrap_or(if o.quick { 200 } else { 1_000 }) as u64;
        if let Some(groups) = only {
            o.run_pipes = false;
            o.run_pipe_round_trip = false;
            o.npipe = NpipeGroups::default();
            o.msg = MsgGroups::default();
            o.run_spawns = false;
            o.run_events = false;
            o.run_mutex = false;
            o.run_semaphores = false;
            o.run_mappings = false;
            o.run_idle_memory = false;
            for group in groups {
                match group.as_str() {
                    "pipe" => (o.run_pipes, o.run_pipe_round_trip) = (true, true),
                    "pipe-throughput" => o.run_pipes = true,
                    "pipe-roundtrip" => o.run_pipe_round_trip = true,
                    "spawn" => o.run_spawns = true,
                    "event" => o.run_events = true,
                    "mutex" => o.run_mutex = true,
                    "semaphore" => o.run_semaphores = true,
                    "mapping" => o.run_mappings = true,
                    "npipe" => o.npipe = NpipeGroups::ALL,
                    "npipe-throughput" => o.npipe.throughput = true,
                    "npipe-roundtrip" => o.npipe.round_trip = true,
                    "npipe-connect" => o.npipe.connect = true,
                    "npipe-async" => o.npipe.async_server = true,
                    "msg" => o.msg = MsgGroups::ALL,
                    "msg-roundtrip" => o.msg.round_trip = true,
                    "msg-throughput" => o.msg.throughput = true,
                    "msg-thread" => o.msg.thread = true,
                    "idle-memory" => o.run_idle_memory = true,
                    "sync" => {
                        o.run_events = true;
                        o.run_mutex = true;
                        o.run_semaphores = true;
                    }
                    other => {
                        return Err(format!(
                            "--only takes pipe, pipe-throughput, pipe-roundtrip, spawn, event, mutex, semaphore, mapping, sync, \
                             npipe, npipe-throughput, npipe-roundtrip, npipe-connect, \
                             npipe-async, msg, msg-roundtrip, msg-throughput, msg-thread or \
                             idle-memory, not {other:?}"
                        ));
                    }
                }
            }
        }
        Ok(Some(o))
    }

    /// One line saying what this run does.
    pub fn summary(&self) -> String {
        format!(
            "{} trials per subject (+1 warm-up), {} MiB per pipe trial in {} writes, {} round trips per pipe round-trip trial, {} spawns per trial, {} round trips per ping-pong trial, {} mutex pairs per trial{}",
            self.trials,
            self.pipe_bytes / (1024 * 1024),
            self.pipe_write_size
                .map_or_else(|| "64 KiB / 1 MiB".to_string(), |n| format!("{n}-byte")),
            self.pipe_round_trips,
            self.spawns,
            self.round_trips,
            self.mutex_pairs,
            if self.quick { " [--quick]" } else { "" }
        ) + &self.npipe_summary()
            + &self.msg_summary()
            + &self.idle_summary()
    }

    /// The message settings, when a message scenario runs.
    fn msg_summary(&self) -> String {
        if !self.msg.any() {
            return String::new();
        }
        format!(
            "; messages: {} round trips per round-trip trial, {} MiB per throughput trial, {} \
             round trips per thread trial",
            self.msg_round_trips, self.msg_blocks, self.round_trips
        )
    }

    /// The idle-memory settings, when its scenarios run.
    fn idle_summary(&self) -> String {
        if !self.run_idle_memory {
            return String::new();
        }
        format!("; idle memory: {} objects per trial", self.idle_objects)
    }

    /// The named-pipe settings, when a named-pipe scenario runs.
    fn npipe_summary(&self) -> String {
        if !self.npipe.any() {
            return String::new();
        }
        format!(
            "; named pipes: {} MiB per throughput trial in {} writes, {} round trips per round-trip trial, \
             {} connections per connect trial, {} clients × {} requests per async-server trial",
            self.npipe_bytes >> 20,
            self.pipe_write_size
                .map_or_else(|| "64 KiB / 1 MiB".to_string(), |n| format!("{n}-byte")),
            self.npipe_round_trips,
            self.npipe_connects,
            self.npipe_clients,
            self.npipe_requests
        )
    }
}

fn number(text: &str, flag: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{flag} takes a positive whole number, not {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        Options::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_and_quick() {
        let full = parse(&["--bench"]).unwrap().unwrap();
        assert_eq!(
            (full.trials, full.pipe_bytes, full.spawns),
            (9, 512 << 20, 200)
        );
        let quick = parse(&["--quick", "--trials", "5"]).unwrap().unwrap();
        assert_eq!(
            (quick.trials, quick.pipe_bytes, quick.spawns),
            (5, 64 << 20, 50)
        );
    }

    #[test]
    fn only_selects_groups() {
        let o = parse(&["--only", "sync", "--only", "pipe"])
            .unwrap()
            .unwrap();
        assert!(o.run_events && o.run_mutex && o.run_semaphores && o.run_pipes);
        assert!(!o.run_spawns);
        let o = parse(&["--only", "mutex"]).unwrap().unwrap();
        assert!(o.run_mutex && !o.run_events && !o.run_semaphores && !o.run_pipes);
        let all = parse(&[]).unwrap().unwrap();
        assert!(all.run_pipes && all.run_spawns && all.run_events && all.run_mutex);
        assert_eq!((all.round_trips, all.mutex_pairs), (5_000, 1_000_000));
    }

    #[test]
    fn npipe_groups_and_counts() {
        let all = parse(&[]).unwrap().unwrap();
        assert_eq!(all.npipe, NpipeGroups::ALL);
        assert_eq!(
            (all.npipe_bytes, all.npipe_round_trips, all.npipe_connects),
            (512 << 20, 5_000, 1_000)
        );
        let o = parse(&["--only", "npipe-connect", "--only", "npipe-async"])
            .unwrap()
            .unwrap();
        assert!(o.npipe.connect && o.npipe.async_server);
        assert!(!o.npipe.throughput && !o.npipe.round_trip && !o.run_pipes);
        let o = parse(&["--only", "pipe"]).unwrap().unwrap();
        assert!(!o.npipe.any());
        assert!(!o.msg.any());
        let o = parse(&["--only", "npipe", "--quick", "--clients", "10"])
            .unwrap()
            .unwrap();
        assert_eq!(o.npipe, NpipeGroups::ALL);
        assert_eq!((o.npipe_bytes, o.npipe_clients), (64 << 20, 10));
    }

    #[test]
    fn msg_groups_and_counts() {
        let all = parse(&[]).unwrap().unwrap();
        assert_eq!(all.msg, MsgGroups::ALL);
        assert_eq!((all.msg_round_trips, all.msg_blocks), (5_000, 512));
        let o = parse(&["--only", "msg-thread", "--quick"])
            .unwrap()
            .unwrap();
        assert!(o.msg.thread && !o.msg.round_trip && !o.msg.throughput);
        assert!(!o.npipe.any() && !o.run_events);
        assert_eq!((o.msg_round_trips, o.msg_blocks), (1_000, 64));
        let o = parse(&["--only", "msg", "--msg-mib", "32"])
            .unwrap()
            .unwrap();
        assert_eq!((o.msg, o.msg_blocks), (MsgGroups::ALL, 32));
    }

    #[test]
    fn pipe_groups_and_counts() {
        let all = parse(&[]).unwrap().unwrap();
        assert!(all.run_pipes && all.run_pipe_round_trip);
        assert_eq!((all.pipe_round_trips, all.pipe_write_size), (5_000, None));
        let o = parse(&["--only", "pipe", "--quick"]).unwrap().unwrap();
        assert!(o.run_pipes && o.run_pipe_round_trip && !o.run_spawns);
        assert_eq!(o.pipe_round_trips, 1_000);
        let o = parse(&["--only", "pipe-roundtrip", "--pipe-round-trips", "300"])
            .unwrap()
            .unwrap();
        assert!(o.run_pipe_round_trip && !o.run_pipes && !o.npipe.any());
        assert_eq!(o.pipe_round_trips, 300);
        let o = parse(&["--only", "pipe-throughput", "--write-bytes", "4096"])
            .unwrap()
            .unwrap();
        assert!(o.run_pipes && !o.run_pipe_round_trip);
        assert_eq!(o.pipe_write_size, Some(4096));
    }

    #[test]
    fn idle_memory_group_and_count() {
        let all = parse(&[]).unwrap().unwrap();
        assert!(all.run_idle_memory);
        assert_eq!(all.idle_objects, 1_000);
        let o = parse(&["--only", "idle-memory", "--quick"])
            .unwrap()
            .unwrap();
        assert!(o.run_idle_memory && !o.run_mappings && !o.npipe.any() && !o.msg.any());
        assert_eq!(o.idle_objects, 200);
        let o = parse(&["--only", "pipe", "--idle-objects", "50"])
            .unwrap()
            .unwrap();
        assert!(!o.run_idle_memory);
        assert_eq!(o.idle_objects, 50);
        assert!(parse(&["--idle-objects", "0"]).is_err());
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse(&["--trials", "0"]).is_err());
        assert!(parse(&["--only", "both"]).is_err());
        assert!(parse(&["--pairs", "0"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(parse(&["--out"]).is_err());
    }

    #[test]
    fn output_flags() {
        let o = parse(&[]).unwrap().unwrap();
        assert_eq!(o.out, Some(PathBuf::from(DEFAULT_OUT)));
        assert!(o.progress && !o.details);
        let o = parse(&["--no-files", "--details", "--no-progress"])
            .unwrap()
            .unwrap();
        assert!(o.out.is_none() && o.details && !o.progress);
        let o = parse(&["--pin-both"]).unwrap().unwrap();
        assert_eq!((o.pin, o.then_one_cpu), (PinMode::TwoCpus, true));
        let o = parse(&["--pin-both", "--pin-same"]).unwrap().unwrap();
        assert_eq!((o.pin, o.then_one_cpu), (PinMode::OneCpu, false));
        let o = parse(&["--out", "x/y"]).unwrap().unwrap();
        assert_eq!(o.out, Some(PathBuf::from("x/y")));
    }
}
