//! Idle memory (`--only idle-memory`): what one idle object — a named pipe instance, a window,
//! a 64 KiB mapping with one page written — costs the whole system, in KiB per object: user
//! pages plus kernel memory, read from the most precise source this machine offers (see
//! [`crate::memory_meter`]).
//!
//! Each trial starts a fresh child (`<exe> __bench-child idle-memory <arm> <count> <name>`,
//! see [`serve_child`]) with a fresh w32ipc session root of its own (so the session's shared
//! tables start empty, as in a fresh session, and what one trial touched is not free for the
//! next). The child prepares (descriptor limit, its holding vector), reads `prime` from its
//! standard input and says `ready`; then, at each `go` from the parent, it makes first one
//! object (and says `first`), then `count` more (and says `done`), and holds them until its
//! standard input closes. The parent reads the memory in use before, between and after:
//!
//! * the figure — (after − between) / count — is the **marginal** cost of an idle object; the
//!   fixed costs of the first one (w32ipc's session directories, the window table, the
//!   thread's message queue; a library's lazy statics) are left out of it;
//! * a second table shows its kernel part alone, and a third the first object's cost (fixed
//!   costs included, from one object: read it to a few KiB).
//!
//! `prime` makes each of the two pipes between parent and child carry a line before the first
//! reading, so that their buffer pages are there in all three readings.

use std::io::{self, BufRead, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::process::{ChildStdin, Command, Stdio};

use rustix::process::{Resource, Rlimit};

use crate::child::CHILD_ARG;
use crate::harness::{self, Better, Comparison, Scenario, SideFigure, Subject, side_comparison};
use crate::idle_objects::{self, Arm, Held};
use crate::memory_meter::Meter;
use crate::options::Options;
use crate::peer::Peer;
use crate::session::{ROOT_VAR, unique_name};

/// The child role name on the command line (after [`CHILD_ARG`]).
pub const ROLE: &str = "idle-memory";

/// The most instances one pipe name can have in w32ipc (`UNLIMITED_INSTANCES` is this many).
const PIPE_INSTANCES_MAX: u64 = 4096;

/// What the scenarios share.
struct Context {
    exe: PathBuf,
    count: u64,
    meter: Meter,
}

/// The side figures of one subject: its kernel part per object and its first object's cost.
#[derive(Clone, Default)]
struct Sides {
    kernel: SideFigure,
    first: SideFigure,
}

/// One arm as a subject of a scenario.
struct Entry {
    name: &'static str,
    arm: Arm,
    peer: bool,
    diagnostic: bool,
}

const fn entry(name: &'static str, arm: Arm) -> Entry {
    Entry {
        name,
        arm,
        peer: false,
        diagnostic: false,
    }
}

const fn peer(name: &'static str, arm: Arm) -> Entry {
    Entry {
        peer: true,
        ..entry(name, arm)
    }
}

const fn diagnostic(name: &'static str, arm: Arm) -> Entry {
    Entry {
        diagnostic: true,
        ..entry(name, arm)
    }
}

/// Runs the three idle-memory scenarios; each comparison carries its mechanism.
pub fn run_all(options: &Options) -> io::Result<Vec<Comparison>> {
    let cx = Context {
        exe: std::env::current_exe()?,
        count: options.idle_objects,
        meter: Meter::detect(),
    };
    crate::progress::log(&format!(
        "w32ipc-bench: idle memory read from {}",
        match &cx.meter {
            Meter::CgroupV1(d) | Meter::CgroupV2(d) => d.display().to_string(),
            Meter::Meminfo => "/proc/meminfo (no readable memory cgroup)".to_string(),
        }
    ));
    let mut pipe = vec![
        entry("w32ipc CreateNamedPipe, one name each", Arm::W32ipcPipe),
        peer("interprocess local socket listener", Arm::Interprocess),
        diagnostic("nothing (the method's noise floor)", Arm::Nothing),
    ];
    if cx.count < PIPE_INSTANCES_MAX {
        pipe.insert(
            1,
            diagnostic(
                "w32ipc CreateNamedPipe, all of one name",
                Arm::W32ipcPipeOneName,
            ),
        );
    } else {
        eprintln!(
            "w32ipc-bench: no one-name pipe row: a name holds at most {PIPE_INSTANCES_MAX} instances"
        );
    }
    let mut out = scenario(
        &cx,
        options,
        "idle named pipe instance (listening, no client)",
        "named pipes",
        entry("raw abstract Unix stream listener", Arm::RawListener),
        pipe,
    )?;
    out.extend(scenario(
        &cx,
        options,
        "idle message endpoint",
        "messages",
        entry("raw abstract Unix datagram socket", Arm::RawDatagram),
        vec![
            entry("w32ipc message-only window", Arm::W32ipcWindow),
            peer("ipc-channel bytes_channel (both ends)", Arm::IpcChannel),
        ],
    )?);
    out.extend(scenario(
        &cx,
        options,
        "idle 64 KiB named mapping, 1 page written",
        "shared memory & sync",
        entry("raw shm_open + mmap", Arm::RawShm),
        vec![
            entry(
                "w32ipc CreateFileMapping + MapViewOfFile",
                Arm::W32ipcMapping,
            ),
            peer("shared_memory ShmemConf::create", Arm::SharedMemory),
        ],
    )?);
    Ok(out)
}

/// One scenario: the per-object figure, its kernel part and the first object's cost.
fn scenario(
    cx: &Context,
    options: &Options,
    what: &str,
    mechanism: &'static str,
    baseline: Entry,
    subjects: Vec<Entry>,
) -> io::Result<Vec<Comparison>> {
    let sides: Vec<Sides> = std::iter::once(&baseline)
        .chain(&subjects)
        .map(|_| Sides::default())
        .collect();
    let subject = |e: &Entry, sides: &Sides| {
        let sides = sides.clone();
        let arm = e.arm;
        let mut s = Subject::new(e.name, move || trial(cx, arm, &sides));
        s.peer = e.peer;
        s.diagnostic = e.diagnostic;
        s
    };
    let name = format!(
        "memory per {what}, {} per trial [{}]",
        cx.count,
        cx.meter.label()
    );
    let main = Scenario {
        name: name.clone(),
        unit: "KiB/object",
        better: Better::Lower,
        target: None,
        placement: "unpinned".to_string(),
        baseline: subject(&baseline, &sides[0]),
        subjects: subjects
            .iter()
            .zip(&sides[1..])
            .map(|(e, s)| subject(e, s))
            .collect(),
    };
    let mut main = harness::run(main, options.trials)?;
    main.mechanism = mechanism;
    let kernel: Vec<SideFigure> = sides.iter().map(|s| s.kernel.clone()).collect();
    let first: Vec<SideFigure> = sides.iter().map(|s| s.first.clone()).collect();
    let mut kernel = side_comparison(&main, format!("{name}: kernel part"), &kernel);
    // Near zero for a window: a ratio to it would dwarf every bar of the chart.
    kernel.charted = false;
    let mut first = side_comparison(
        &main,
        format!(
            "{what}: the first one, fixed costs included [{}]",
            cx.meter.label()
        ),
        &first,
    );
    first.unit = "KiB";
    // One object read to a page per CPU: for the full table, not the headline.
    first.headline = false;
    Ok(vec![main, kernel, first])
}

/// One trial: a fresh child makes one object, then `count` more; the figure is the memory the
/// `count` cost, per object, in KiB.
fn trial(cx: &Context, arm: Arm, sides: &Sides) -> io::Result<f64> {
    let root = TrialRoot::make()?;
    let base = unique_name("idle");
    let _leftovers = ShmLeftovers(&base);
    let mut cmd = Command::new(&cx.exe);
    cmd.args([CHILD_ARG, ROLE, arm.as_str(), &cx.count.to_string(), &base])
        .stdin(Stdio::piped());
    if let Some(dir) = &root.0 {
        cmd.env(ROOT_VAR, dir);
    }
    let mut child = Peer::spawn(&mut cmd, "idle-memory")?;
    let mut input = child.take_stdin().expect("the child's input is piped");
    let pid = child.id();
    let mut steps = || -> io::Result<_> {
        say(&mut input, "prime")?;
        child.expect("ready")?;
        let before = cx.meter.read_settled(pid)?;
        say(&mut input, "go")?;
        child.expect("first")?;
        let between = cx.meter.read_settled(pid)?;
        say(&mut input, "go")?;
        child.expect("done")?;
        let after = cx.meter.read_settled(pid)?;
        Ok((between.since(&before), after.since(&between)))
    };
    let steps = steps();
    drop(input);
    // A child that failed says why on its standard error; its exit status beats the broken
    // pipe the parent may have met.
    let (first, rest) = match (steps, child.finish()) {
        (Ok(figures), Ok(())) => figures,
        (Err(e), Err(status)) => return Err(io::Error::other(format!("{status} ({e})"))),
        (Err(e), Ok(())) | (Ok(_), Err(e)) => return Err(e),
    };
    let n = cx.count as f64;
    sides.kernel.record(rest.kernel / n / 1024.0);
    sides.first.record(first.total() / 1024.0);
    Ok(rest.total() / n / 1024.0)
}

fn say(input: &mut ChildStdin, word: &str) -> io::Result<()> {
    writeln!(input, "{word}")?;
    input.flush()
}

/// A fresh w32ipc session root for one trial, inside the run's (`None` when the run has
/// none: the child then uses w32ipc's default); removed with everything in it on drop.
struct TrialRoot(Option<PathBuf>);

impl TrialRoot {
    fn make() -> io::Result<TrialRoot> {
        let Some(run_root) = std::env::var_os(ROOT_VAR).filter(|v| !v.is_empty()) else {
            return Ok(TrialRoot(None));
        };
        let dir = PathBuf::from(run_root).join(unique_name("idle-root"));
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(TrialRoot(Some(dir)))
    }
}

impl Drop for TrialRoot {
    fn drop(&mut self) {
        if let Some(dir) = &self.0
            && let Err(e) = std::fs::remove_dir_all(dir)
        {
            eprintln!("w32ipc-bench: could not remove {}: {e}", dir.display());
        }
    }
}

/// Removes the POSIX shared memory objects of a trial (`/dev/shm/<base>-*`) that a killed
/// child left behind; a child that ends normally unlinks its own.
struct ShmLeftovers<'a>(&'a str);

impl Drop for ShmLeftovers<'_> {
    fn drop(&mut self) {
        let prefix = format!("{}-", self.0);
        let Ok(entries) = std::fs::read_dir("/dev/shm") else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The child's side: `args` are what follows `__bench-child idle-memory` — the arm, the
/// object count and the trial's base name.
pub fn serve_child(args: &[String]) -> io::Result<()> {
    let bad = || io::Error::other(format!("bad idle-memory child arguments {args:?}"));
    let [arm, count, base] = args else {
        return Err(bad());
    };
    let arm = Arm::parse(arm).ok_or_else(bad)?;
    let count: u64 = count.parse().map_err(|_| bad())?;
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
    // Room for every descriptor, and the descriptor table grown to hold them now, so that
    // neither happens between the readings.
    prepare_descriptors(arm.descriptors_per_object() * (count + 1) + 64)?;
    // Every slot written now: the vector's pages are not the objects' cost.
    let mut held: Vec<Option<Held>> = Vec::new();
    held.resize_with(count as usize + 1, || None);
    let mut input = io::stdin().lock();
    let mut out = io::stdout().lock();
    let mut make = |i: u64| -> io::Result<()> {
        held[i as usize] = idle_objects::make(arm, base, i).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("making idle object {i} of {}: {e}", arm.as_str()),
            )
        })?;
        Ok(())
    };
    expect(&mut input, "prime")?;
    tell(&mut out, "ready")?;
    expect(&mut input, "go")?;
    make(0)?;
    tell(&mut out, "first")?;
    expect(&mut input, "go")?;
    for i in 1..=count {
        make(i)?;
    }
    tell(&mut out, "done")?;
    // Hold everything until the parent closes our input.
    let mut rest = String::new();
    while input.read_line(&mut rest)? > 0 {}
    drop(held);
    Ok(())
}

/// Reads the parent's next line and checks that it says `word`.
fn expect(input: &mut impl BufRead, word: &str) -> io::Result<()> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    if line.trim_end() != word {
        return Err(io::Error::other(format!(
            "expected {word:?} from the parent, got {line:?}"
        )));
    }
    Ok(())
}

/// Tells the parent `word`, on a line of its own.
fn tell(out: &mut impl Write, word: &str) -> io::Result<()> {
    writeln!(out, "{word}")?;
    out.flush()
}

/// Raises the soft `RLIMIT_NOFILE` to the hard one if `need` descriptors do not fit under it
/// (fails if they do not fit under the hard one either), then grows the descriptor table to
/// `need` entries.
fn prepare_descriptors(need: u64) -> io::Result<()> {
    let limit = rustix::process::getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|soft| soft < need) {
        if limit.maximum.is_some_and(|hard| hard < need) {
            return Err(io::Error::other(format!(
                "the idle objects need about {need} descriptors, but RLIMIT_NOFILE's hard \
                 limit is {}: use a smaller --idle-objects or raise the limit (ulimit -Hn)",
                limit.maximum.unwrap_or(0)
            )));
        }
        rustix::process::setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        )?;
    }
    // A descriptor numbered `need - 1` makes the kernel size the table for it.
    let high = rustix::io::fcntl_dupfd_cloexec(io::stdout(), (need - 1) as i32)?;
    drop(high);
    Ok(())
}
