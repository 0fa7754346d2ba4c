//! Scenarios, subjects and interleaved trials.
//!
//! A scenario compares subjects (w32ipc, peer crates) with a baseline (the raw mechanism). Every
//! subject runs one untimed warm-up trial, then the timed trials go in rounds: each round runs
//! every subject once, starting with a different one each round, so neither drift of a noisy
//! machine nor a fixed position in the round favours one subject.

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use crate::progress;
use crate::stats::{CpuTimes, Summary, paired_ratios};

/// How a scenario's figure reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Throughput: more is better; a subject meets its target when ratio ≥ target.
    Higher,
    /// Cost: less is better; a subject meets its target when ratio ≤ target.
    Lower,
}

/// One way of doing the scenario's work. `trial` runs one trial and returns its figure in the
/// scenario's unit.
pub struct Subject<'a> {
    /// Short name for the table.
    pub name: String,
    /// Runs one trial.
    pub trial: Box<dyn FnMut() -> io::Result<f64> + 'a>,
    /// Shown to explain another figure; the scenario's target does not apply to it.
    pub diagnostic: bool,
    /// Another implementation (a peer crate) shown for comparison; the scenario's target is
    /// w32ipc's and does not apply to it.
    pub peer: bool,
}

impl<'a> Subject<'a> {
    /// A subject named `name` whose trials `trial` runs.
    pub fn new(name: impl Into<String>, trial: impl FnMut() -> io::Result<f64> + 'a) -> Self {
        Subject {
            name: name.into(),
            trial: Box::new(trial),
            diagnostic: false,
            peer: false,
        }
    }

    /// Marks the subject as a diagnostic: reported, but not held to the target.
    pub fn diagnostic(mut self) -> Self {
        self.diagnostic = true;
        self
    }

    /// Marks the subject as a peer: reported with its ratio, but not held to the target.
    pub fn peer(mut self) -> Self {
        self.peer = true;
        self
    }
}

/// What a scenario is, before it runs.
pub struct Scenario<'a> {
    /// What is measured, for the table.
    pub name: String,
    /// Unit of the figures (`GiB/s`, `µs/spawn`).
    pub unit: &'static str,
    /// Which direction is better.
    pub better: Better,
    /// The ratio each subject should reach against the baseline, if there is one.
    pub target: Option<f64>,
    /// Where the processes ran (`unpinned`, `parent cpu0, child cpu1`).
    pub placement: String,
    /// The raw mechanism.
    pub baseline: Subject<'a>,
    /// What is compared with it.
    pub subjects: Vec<Subject<'a>>,
}

/// The trial values of one subject.
#[derive(Clone, Debug)]
pub struct Series {
    /// The subject's name.
    pub name: String,
    /// One value per timed trial, in round order.
    pub values: Vec<f64>,
    /// As in [`Subject`].
    pub diagnostic: bool,
    /// As in [`Subject`].
    pub peer: bool,
}

impl Series {
    /// Median and spread of the values.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.values).expect("a series has at least one trial")
    }
}

/// A finished scenario: the baseline's and each subject's trial values.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// As in [`Scenario`].
    pub name: String,
    /// As in [`Scenario`].
    pub unit: &'static str,
    /// As in [`Scenario`].
    pub better: Better,
    /// As in [`Scenario`].
    pub target: Option<f64>,
    /// As in [`Scenario`].
    pub placement: String,
    /// A bound on each subject's median itself, in the scenario's unit (an upper bound for
    /// [`Better::Lower`], a lower one for [`Better::Higher`]), for targets that are absolute
    /// rather than ratios. Set by the scenario after [`run`].
    pub limit: Option<f64>,
    /// The baseline's values.
    pub baseline: Series,
    /// Each subject's values.
    pub subjects: Vec<Series>,
    /// Share of CPU time the hypervisor stole while the timed trials ran (0–1), if known.
    pub steal: Option<f64>,
    /// Whether the summary table and the chart show it (the full table always does).
    pub headline: bool,
    /// Whether the chart shows it (a side table whose ratios mean little drawn as bars — a
    /// kernel-memory part near zero — stays in the tables).
    pub charted: bool,
    /// The mechanism the scenario measures (one of [`MECHANISMS`]); set by the run that
    /// collects the scenarios ([`crate::run`]).
    pub mechanism: &'static str,
}

/// The mechanisms, in the order the report shows them.
pub const MECHANISMS: [&str; 4] = [
    "anonymous pipes",
    "shared memory & sync",
    "named pipes",
    "messages",
];

impl Comparison {
    /// Another table of the same scenario and run (a side figure, another baseline): its
    /// unit, direction, placement and marks, no target.
    fn derived(&self, name: String, baseline: Series, subjects: Vec<Series>) -> Comparison {
        Comparison {
            name,
            unit: self.unit,
            better: self.better,
            target: None,
            placement: self.placement.clone(),
            limit: None,
            baseline,
            subjects,
            steal: self.steal,
            headline: self.headline,
            charted: self.charted,
            mechanism: self.mechanism,
        }
    }

    /// median(subject) / median(baseline).
    pub fn ratio(&self, subject: &Series) -> f64 {
        subject.summary().median / self.baseline.summary().median
    }

    /// Median and spread of the per-round ratios subject/baseline.
    pub fn paired(&self, subject: &Series) -> Summary {
        Summary::of(&paired_ratios(&subject.values, &self.baseline.values))
            .expect("a series has at least one trial")
    }

    /// Whether the subject meets the target ratio and the [`limit`](Self::limit) (`None`
    /// without either, and for a diagnostic or a peer).
    pub fn meets_target(&self, subject: &Series) -> Option<bool> {
        if subject.diagnostic || subject.peer || (self.target.is_none() && self.limit.is_none()) {
            return None;
        }
        let within = |value: f64, bound: Option<f64>| {
            bound.is_none_or(|bound| match self.better {
                Better::Higher => value >= bound,
                Better::Lower => value <= bound,
            })
        };
        Some(
            within(self.ratio(subject), self.target)
                && within(subject.summary().median, self.limit),
        )
    }
}

/// Runs a scenario: one warm-up trial per subject, then `trials` interleaved rounds.
pub fn run(mut scenario: Scenario<'_>, trials: usize) -> io::Result<Comparison> {
    progress::log(&format!(
        "w32ipc-bench: {} [{}] ({} trials)",
        scenario.name, scenario.placement, trials
    ));
    let mut all: Vec<&mut Subject<'_>> = std::iter::once(&mut scenario.baseline)
        .chain(scenario.subjects.iter_mut())
        .collect();
    let n = all.len();
    progress::scenario(&scenario.name, n * (trials + 1));
    for subject in all.iter_mut() {
        (subject.trial)()?;
        progress::step();
    }
    let mut values = vec![Vec::with_capacity(trials); n];
    let before = CpuTimes::now();
    for round in 0..trials {
        for i in 0..n {
            let k = (round + i) % n;
            values[k].push((all[k].trial)()?);
            progress::step();
        }
    }
    let after = CpuTimes::now();
    let steal = before.zip(after).and_then(|(b, a)| b.steal_since(&a));
    let mut series = all.iter().zip(values).map(|(s, values)| Series {
        name: s.name.clone(),
        values,
        diagnostic: s.diagnostic,
        peer: s.peer,
    });
    let baseline = series.next().expect("the baseline is first");
    Ok(Comparison {
        name: scenario.name,
        unit: scenario.unit,
        better: scenario.better,
        target: scenario.target,
        placement: scenario.placement,
        limit: None,
        baseline,
        subjects: series.collect(),
        steal,
        headline: true,
        charted: true,
        mechanism: "",
    })
}

/// A second figure that each trial of a subject records beside the one it returns (the p99
/// beside the median): the harness keeps one value per trial, this keeps the other.
#[derive(Clone, Default)]
pub struct SideFigure(Rc<RefCell<Vec<f64>>>);

impl SideFigure {
    /// Records one trial's value (the warm-up trial's too: `SideFigure::series` drops it).
    pub fn record(&self, value: f64) {
        self.0.borrow_mut().push(value);
    }

    /// The timed trials' values, in the order the harness ran them (it runs the warm-up first).
    fn series(&self, like: &Series) -> Series {
        Series {
            values: self.0.borrow().iter().skip(1).copied().collect(),
            ..like.clone()
        }
    }
}

/// A comparison of the side figures of `from`'s baseline and subjects (in that order in
/// `sides`), named `name`, with no target.
pub fn side_comparison(from: &Comparison, name: String, sides: &[SideFigure]) -> Comparison {
    let mut series = std::iter::once(&from.baseline)
        .chain(&from.subjects)
        .zip(sides)
        .map(|(s, side)| side.series(s));
    let baseline = series.next().expect("the baseline has a side figure");
    from.derived(name, baseline, series.collect())
}

/// The same trials as `from`, re-based: `baseline` (a subject's name) as the baseline and only
/// the subjects named in `subjects`, under `name`, with no target. So that a table row shows
/// w32ipc's ratio to a second raw mechanism of the same run.
pub fn rebase(from: &Comparison, name: String, baseline: &str, subjects: &[&str]) -> Comparison {
    let find = |n: &str| -> Series {
        std::iter::once(&from.baseline)
            .chain(&from.subjects)
            .find(|s| s.name == n)
            .unwrap_or_else(|| panic!("no subject {n:?}"))
            .clone()
    };
    from.derived(
        name,
        find(baseline),
        subjects.iter().map(|&n| find(n)).collect(),
    )
}

/// The value at quantile `q` (0–1) of `sorted` (nearest rank).
pub fn quantile(sorted: &[u64], q: f64) -> u64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&v, 0.5), 50);
        assert_eq!(quantile(&v, 0.99), 99);
        assert_eq!(quantile(&v, 1.0), 100);
        assert_eq!(quantile(&[7], 0.99), 7);
    }

    #[test]
    fn rounds_interleave_and_pair() {
        let order = std::cell::RefCell::new(Vec::new());
        let scenario = Scenario {
            name: "t".into(),
            unit: "x",
            better: Better::Lower,
            target: Some(1.2),
            placement: "unpinned".into(),
            baseline: Subject::new("base", || {
                order.borrow_mut().push('b');
                Ok(2.0)
            }),
            subjects: vec![Subject::new("sub", || {
                order.borrow_mut().push('s');
                Ok(2.2)
            })],
        };
        let c = run(scenario, 3).unwrap();
        assert_eq!(order.borrow().iter().collect::<String>(), "bsbssbbs");
        assert_eq!(c.baseline.values.len(), 3);
        let sub = &c.subjects[0];
        assert!((c.ratio(sub) - 1.1).abs() < 1e-9);
        assert_eq!(c.meets_target(sub), Some(true));
    }
}
