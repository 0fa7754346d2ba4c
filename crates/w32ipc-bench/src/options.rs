//! Command-line flags.

use std::path::PathBuf;

/// What `--help` prints.
pub const USAGE: &str = "\
usage: cargo bench -p w32ipc-bench -- [FLAGS]
       w32ipc-bench [FLAGS]

  --quick            smoke test: 64 MiB per pipe trial, 3 trials, 50 spawns per trial
  --json             print a JSON summary on stdout (the table goes to stderr)
  --pin              pipe scenarios: parent and child pinned to two different CPUs
                     (default: no pinning; the scheduler places both)
  --pin-same         pipe scenarios: parent and child pinned to one and the same CPU
  --trials N         trials per subject (default 9; each figure is their median)
  --mib N            MiB the parent writes per pipe trial (default 1024)
  --write-bytes N    size of each of the parent's writes (default 65536); the child always
                     reads with a 64 KiB buffer
  --spawns N         spawns per spawn trial (default 200)
  --only pipe|spawn  run only one group of scenarios
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
    /// Timed trials per subject (after one untimed warm-up trial each).
    pub trials: usize,
    /// Bytes the parent writes per pipe trial.
    pub pipe_bytes: u64,
    /// Bytes per write in the pipe scenarios.
    pub write_size: usize,
    /// Spawns per spawn trial.
    pub spawns: usize,
    /// Run the pipe scenarios.
    pub run_pipes: bool,
    /// Run the spawn scenarios.
    pub run_spawns: bool,
    /// Explicit path of the C ABI library.
    pub capi: Option<PathBuf>,
    /// MiB of memory the parent holds during the spawn scenario.
    pub ballast_mib: usize,
}

/// Where the pipe scenarios put their two processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinMode {
    /// Wherever the scheduler puts them.
    None,
    /// Parent and child on two different CPUs.
    TwoCpus,
    /// Parent and child on the same CPU.
    OneCpu,
}

/// Size of the child's reads in the pipe scenarios, and of the parent's writes by default.
pub const CHUNK: usize = 64 * 1024;

impl Options {
    /// Parses the flags; `Ok(None)` for `--help`. `--bench` (which `cargo bench` passes) and
    /// `--nocapture`-style harness flags are ignored.
    pub fn parse(args: &[String]) -> Result<Option<Options>, String> {
        let mut o = Options {
            quick: false,
            json: false,
            pin: PinMode::None,
            trials: 0,
            pipe_bytes: 0,
            write_size: CHUNK,
            spawns: 0,
            run_pipes: true,
            run_spawns: true,
            capi: None,
            ballast_mib: 0,
        };
        let (mut trials, mut mib, mut spawns) = (None, None, None);
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
                "--pin" => o.pin = PinMode::TwoCpus,
                "--pin-same" => o.pin = PinMode::OneCpu,
                "--trials" => trials = Some(number(&value("--trials")?, "--trials")?),
                "--mib" => mib = Some(number(&value("--mib")?, "--mib")?),
                "--write-bytes" => {
                    o.write_size = number(&value("--write-bytes")?, "--write-bytes")?
                }
                "--spawns" => spawns = Some(number(&value("--spawns")?, "--spawns")?),
                "--only" => match value("--only")?.as_str() {
                    "pipe" => o.run_spawns = false,
                    "spawn" => o.run_pipes = false,
                    other => return Err(format!("--only takes pipe or spawn, not {other:?}")),
                },
                "--ballast-mib" => {
                    o.ballast_mib = number(&value("--ballast-mib")?, "--ballast-mib")?
                }
                "--capi" => o.capi = Some(PathBuf::from(value("--capi")?)),
                "-h" | "--help" => return Ok(None),
                "--bench" => {}
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        o.trials = trials.unwrap_or(if o.quick { 3 } else { 9 });
        o.pipe_bytes = mib.unwrap_or(if o.quick { 64 } else { 1024 }) as u64 * 1024 * 1024;
        o.spawns = spawns.unwrap_or(if o.quick { 50 } else { 200 });
        Ok(Some(o))
    }

    /// One line saying what this run does.
    pub fn summary(&self) -> String {
        format!(
            "{} trials per subject (+1 warm-up), {} MiB per pipe trial in {}-byte writes, {} spawns per trial{}",
            self.trials,
            self.pipe_bytes / (1024 * 1024),
            self.write_size,
            self.spawns,
            if self.quick { " [--quick]" } else { "" }
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
            (9, 1 << 30, 200)
        );
        let quick = parse(&["--quick", "--trials", "5"]).unwrap().unwrap();
        assert_eq!(
            (quick.trials, quick.pipe_bytes, quick.spawns),
            (5, 64 << 20, 50)
        );
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse(&["--trials", "0"]).is_err());
        assert!(parse(&["--only", "both"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
    }
}
