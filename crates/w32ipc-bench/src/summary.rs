//! The headline view of a run: for every scenario, w32ipc's figure against the raw mechanism
//! and against the best peer crate, grouped by mechanism. The full table (every subject,
//! spreads, paired ratios) is [`crate::report::Report::table`]; this is what a reader looks at
//! first, and what the chart ([`crate::chart`]) draws.

use crate::harness::{Better, Comparison, MECHANISMS, Series};
use crate::stats::Summary;

/// Within this share of each other two figures are "on par".
pub const PAR: f64 = 0.05;

/// One w32ipc figure of one scenario, with what it is compared against.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    /// The scenario.
    pub comparison: &'a Comparison,
    /// The w32ipc subject.
    pub w32ipc: &'a Series,
    /// The fastest peer crate of the scenario, if it has any.
    pub best_peer: Option<&'a Series>,
}

impl<'a> Line<'a> {
    /// One line per w32ipc subject (neither a peer nor a diagnostic) of each comparison, in
    /// mechanism order, then run order.
    pub fn all(comparisons: &'a [Comparison]) -> Vec<Line<'a>> {
        let mut lines = Vec::new();
        let order = |c: &Comparison| {
            MECHANISMS
                .iter()
                .position(|&m| m == c.mechanism)
                .unwrap_or(MECHANISMS.len())
        };
        // Mechanism order; within it, run order, with a scenario's second placement
        // (`--pin-both`) next to its first.
        let first = |c: &Comparison| {
            comparisons
                .iter()
                .position(|d| d.name == c.name)
                .unwrap_or(0)
        };
        let mut sorted: Vec<&Comparison> = comparisons.iter().collect();
        sorted.sort_by_key(|c| (order(c), first(c)));
        for c in sorted.into_iter().filter(|c| c.headline) {
            let best_peer = best_peer(c);
            for s in c.subjects.iter().filter(|s| !s.peer && !s.diagnostic) {
                lines.push(Line {
                    comparison: c,
                    w32ipc: s,
                    best_peer,
                });
            }
        }
        lines
    }

    /// w32ipc's median over the raw mechanism's, in the scenario's unit (for a cost, below 1 is
    /// faster; for a throughput, above 1).
    pub fn vs_raw(&self) -> f64 {
        self.comparison.ratio(self.w32ipc)
    }

    /// w32ipc's median over the best peer's, read the same way.
    pub fn vs_peer(&self) -> Option<f64> {
        self.best_peer
            .map(|p| self.w32ipc.summary().median / p.summary().median)
    }

    /// How many times as fast as the raw mechanism w32ipc is (above 1: faster), whatever the
    /// unit: what the chart draws.
    pub fn speed_vs_raw(&self) -> f64 {
        speed(self.comparison.better, self.vs_raw())
    }

    /// The same against the best peer.
    pub fn peer_speed_vs_raw(&self) -> Option<f64> {
        self.best_peer
            .map(|p| speed(self.comparison.better, self.comparison.ratio(p)))
    }
}

/// A ratio of figures as a ratio of speeds (above 1: faster).
fn speed(better: Better, ratio: f64) -> f64 {
    match better {
        Better::Higher => ratio,
        Better::Lower => 1.0 / ratio,
    }
}

/// The peer with the best median, if any.
fn best_peer(c: &Comparison) -> Option<&Series> {
    let median = |s: &&Series| s.summary().median;
    let peers = c.subjects.iter().filter(|s| s.peer);
    match c.better {
        Better::Higher => peers.max_by(|a, b| median(a).total_cmp(&median(b))),
        Better::Lower => peers.min_by(|a, b| median(a).total_cmp(&median(b))),
    }
}

/// "faster", "slower" or "on par" for a ratio of figures ("less", "more" for memory).
pub fn verdict(better: Better, unit: &str, ratio: f64) -> &'static str {
    let speed = speed(better, ratio);
    let memory = unit.starts_with("KiB") || unit.starts_with("MiB");
    match (memory, speed) {
        (_, s) if (s - 1.0).abs() <= PAR => "on par",
        (false, s) if s > 1.0 => "faster",
        (false, _) => "slower",
        (true, s) if s > 1.0 => "less",
        (true, _) => "more",
    }
}

/// The scenario's name without its counts ("5000 per trial"), parentheses and brackets:
/// short enough for a table cell or a chart label.
pub fn short_name(name: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for ch in name.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out.split(',')
        .map(|part| match part.find("per trial") {
            Some(at) => &part[at + "per trial".len()..],
            None => part,
        })
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
        .replace(", :", ":")
        .replace(" :", ":")
}

/// The placement in a few words (`2 CPUs`, `1 CPU`, `unpinned`).
pub fn short_placement(placement: &str) -> String {
    if placement.contains("one thread") {
        "1 thread".to_string()
    } else if placement.starts_with("pinned: both") {
        "1 CPU".to_string()
    } else if placement.starts_with("pinned") {
        "2 CPUs".to_string()
    } else {
        "unpinned".to_string()
    }
}

/// A figure with its unit, three significant digits or so.
pub fn figure(v: f64, unit: &str) -> String {
    format!("{} {unit}", number(v))
}

/// A number with three significant digits or so.
pub fn number(v: f64) -> String {
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else if v.abs() >= 1.0 {
        2
    } else {
        3
    };
    format!("{v:.digits$}")
}

/// The summary table: one row per w32ipc figure.
pub fn table(comparisons: &[Comparison]) -> String {
    let header = [
        "scenario",
        "placement",
        "raw",
        "w32ipc (min–max)",
        "×raw",
        "best peer",
        "×peer",
    ];
    let lines = Line::all(comparisons);
    let mut out = String::new();
    for mechanism in MECHANISMS.iter().chain(&[""]) {
        let rows: Vec<Vec<String>> = lines
            .iter()
            .filter(|l| l.comparison.mechanism == *mechanism)
            .map(row)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let title = if mechanism.is_empty() {
            "other"
        } else {
            mechanism
        };
        out.push_str(&format!("\n### {title}\n\n"));
        out.push_str(&crate::report::markdown(&header, &rows));
    }
    out.push_str(
        "\n×raw, ×peer: w32ipc's median over the raw mechanism's / the best peer's, in the \
         scenario's unit; the word says which is faster, or uses less memory (within 5%: on par). Peers marked \
         busy-polling spin instead of sleeping.\n",
    );
    out
}

/// One row of the summary table.
fn row(line: &Line<'_>) -> Vec<String> {
    let c = line.comparison;
    let w: Summary = line.w32ipc.summary();
    let raw = c.baseline.summary();
    let peer = match line.best_peer {
        Some(p) => format!("{}: {}", p.name, figure(p.summary().median, c.unit)),
        None => "-".to_string(),
    };
    // A ratio to a figure of 0 (a page-granular memory reading) says nothing.
    let ratio = |r: f64| {
        if r.is_finite() && r > 0.0 {
            format!("{r:.2}× {}", verdict(c.better, c.unit, r))
        } else {
            "-".to_string()
        }
    };
    let vs_peer = line.vs_peer().map_or_else(|| "-".to_string(), ratio);
    let several = c
        .subjects
        .iter()
        .filter(|s| !s.peer && !s.diagnostic)
        .count()
        > 1;
    let w32ipc_name = if several {
        format!("{}: ", line.w32ipc.name)
    } else {
        String::new()
    };
    vec![
        short_name(&c.name),
        short_placement(&c.placement),
        format!("{}: {}", c.baseline.name, figure(raw.median, c.unit)),
        format!(
            "{w32ipc_name}{} ({}–{})",
            figure(w.median, c.unit),
            number(w.min),
            number(w.max)
        ),
        ratio(line.vs_raw()),
        peer,
        vs_peer,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_counts() {
        assert_eq!(
            short_name(
                "named pipe, 64 B message round trip, 5000 per trial (500 untimed first), median"
            ),
            "named pipe, 64 B message round trip, median"
        );
        assert_eq!(
            short_name("spawn + wait /bin/true, 200 per trial"),
            "spawn + wait /bin/true"
        );
        assert_eq!(
            short_name("memory per idle endpoint, 200 per trial [cgroup v1]: kernel part"),
            "memory per idle endpoint: kernel part"
        );
        assert_eq!(
            short_name("idle endpoint (listening): the first one, fixed costs included [x]"),
            "idle endpoint: the first one, fixed costs included"
        );
    }

    #[test]
    fn placements_in_a_few_words() {
        assert_eq!(short_placement("pinned: both on cpu0"), "1 CPU");
        assert_eq!(short_placement("pinned: parent cpu0, child cpu1"), "2 CPUs");
        assert_eq!(short_placement("pinned: one thread on cpu0"), "1 thread");
        assert_eq!(short_placement("pinned: both threads on cpu0"), "1 CPU");
        assert_eq!(short_placement("unpinned"), "unpinned");
    }

    #[test]
    fn verdicts_follow_the_direction() {
        assert_eq!(verdict(Better::Lower, "µs", 0.5), "faster");
        assert_eq!(verdict(Better::Lower, "µs", 1.5), "slower");
        assert_eq!(verdict(Better::Higher, "GiB/s", 1.5), "faster");
        assert_eq!(verdict(Better::Higher, "GiB/s", 1.02), "on par");
        assert_eq!(verdict(Better::Lower, "KiB/object", 2.0), "more");
    }

    #[test]
    fn best_peer_and_ratios() {
        let series = |name: &str, v: f64, peer: bool| Series {
            name: name.into(),
            values: vec![v],
            diagnostic: false,
            peer,
        };
        let c = Comparison {
            name: "x, 10 per trial".into(),
            unit: "µs",
            better: Better::Lower,
            target: None,
            placement: "unpinned".into(),
            limit: None,
            baseline: series("raw", 2.0, false),
            subjects: vec![
                series("w32ipc", 3.0, false),
                series("slow peer", 9.0, true),
                series("fast peer", 6.0, true),
            ],
            steal: None,
            headline: true,
            charted: true,
            mechanism: MECHANISMS[2],
        };
        let cs = [c];
        let lines = Line::all(&cs);
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        assert_eq!(l.best_peer.unwrap().name, "fast peer");
        assert_eq!(l.vs_raw(), 1.5);
        assert_eq!(l.vs_peer(), Some(0.5));
        assert_eq!(l.peer_speed_vs_raw(), Some(1.0 / 3.0));
        assert!(table(&cs).contains("fast peer: 6.00 µs"));
    }
}
