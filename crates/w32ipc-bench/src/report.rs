//! The results: a table for people and a JSON summary for scripts.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::harness::{Better, Comparison, Series};
use crate::options::{Options, PinMode};
use crate::stats::Summary;
use crate::summary::Line;

/// What the figures were measured on.
#[derive(Clone, Debug)]
pub struct Machine {
    /// CPUs this process may use.
    pub cpus: usize,
    /// `uname -r`.
    pub kernel: String,
    /// The CPU model, from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// `/proc/sys/fs/pipe-max-size`.
    pub pipe_max_size: Option<usize>,
}

impl Machine {
    /// Describes this machine.
    pub fn describe() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, m)| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            kernel: rustix::system::uname()
                .release()
                .to_string_lossy()
                .into_owned(),
            cpu_model,
            pipe_max_size: std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
                .ok()
                .and_then(|s| s.trim().parse().ok()),
        }
    }

    /// One line.
    pub fn summary(&self) -> String {
        format!(
            "{} CPUs ({}), Linux {}, pipe-max-size {}",
            self.cpus,
            self.cpu_model,
            self.kernel,
            self.pipe_max_size
                .map_or_else(|| "?".to_string(), |n| n.to_string())
        )
    }
}

/// Everything one run measured.
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// The settings.
    pub options: Options,
    /// Each scenario's results, in the order they ran.
    pub comparisons: Vec<Comparison>,
}

impl Report {
    /// An empty report.
    pub fn new(machine: Machine, options: &Options) -> Report {
        Report {
            machine,
            options: options.clone(),
            comparisons: Vec::new(),
        }
    }

    /// The table: one row per subject, with the baseline's median, the ratio and the spreads.
    pub fn table(&self) -> String {
        let header = [
            "scenario",
            "placement",
            "steal",
            "subject",
            "median",
            "baseline",
            "ratio",
            "target",
            "subject min–max",
            "baseline min–max",
            "paired ratio median (min–max)",
        ];
        let mut rows: Vec<Vec<String>> = Vec::new();
        for c in &self.comparisons {
            let base = c.baseline.summary();
            for s in &c.subjects {
                let sum = s.summary();
                let paired = c.paired(s);
                rows.push(vec![
                    c.name.clone(),
                    c.placement.clone(),
                    c.steal
                        .map_or_else(|| "?".to_string(), |f| format!("{:.0}%", f * 100.0)),
                    s.name.clone(),
                    format!("{} {}", value(sum.median), c.unit),
                    format!("{}: {} {}", c.baseline.name, value(base.median), c.unit),
                    format!("{:.3}×", c.ratio(s)),
                    verdict(c, s),
                    spread(&sum),
                    spread(&base),
                    format!("{:.3} ({:.3}–{:.3})", paired.median, paired.min, paired.max),
                ]);
            }
        }
        let mut out = format!(
            "\n{}\n{}\n\n",
            self.machine.summary(),
            self.options.summary()
        );
        out.push_str(&markdown(&header, &rows));
        out.push_str(
            "\nratio = median(subject) / median(baseline): for GiB/s higher is better, for \
             µs/spawn, µs/round trip and ns/pair lower is better. target: a bound on the ratio, \
             or (\"median ≤ …\") on the subject's median itself. min–max: over the trials, ±: half of (max − min) / \
             median. paired ratio: subject/baseline within each interleaved round. steal: share of \
             the machine's CPU time the hypervisor took while the scenario ran.\n",
        );
        out
    }

    /// Writes `report.md` (the summary table, then the full one), `chart.svg` and
    /// `report.json` into `dir` (made if missing); says what it wrote.
    pub fn write_files(&self, dir: &Path, summary: &str) -> io::Result<String> {
        std::fs::create_dir_all(dir)?;
        let md = dir.join("report.md");
        let svg = dir.join("chart.svg");
        let json = dir.join("report.json");
        std::fs::write(
            &md,
            format!(
                "# w32ipc benchmark\n\n{}\n\n{}\n\n## Summary\n\n{}\n![chart](chart.svg)\n\n## All subjects\n{}",
                self.machine.summary(),
                self.options.summary(),
                summary,
                self.table()
            ),
        )?;
        crate::chart::write(&svg, &Line::all(&self.comparisons), &self.machine)?;
        std::fs::write(&json, self.json() + "\n")?;
        Ok(format!(
            "{}, {} and {}",
            md.display(),
            svg.display(),
            json.display()
        ))
    }

    /// The JSON summary.
    pub fn json(&self) -> String {
        let m = &self.machine;
        let o = &self.options;
        let mut out = String::new();
        let _ = write!(
            out,
            "{{\"machine\":{{\"cpus\":{},\"cpu_model\":{},\"kernel\":{},\"pipe_max_size\":{}}},",
            m.cpus,
            string(&m.cpu_model),
            string(&m.kernel),
            m.pipe_max_size
                .map_or_else(|| "null".to_string(), |n| n.to_string())
        );
        let _ = write!(
            out,
            "\"config\":{{\"quick\":{},\"pin\":{},\"trials\":{},\"pipe_bytes\":{},\"write_bytes\":{},\"spawns_per_trial\":{},\"round_trips_per_trial\":{},\"mutex_pairs_per_trial\":{}}},\"scenarios\":[",
            o.quick,
            string(match o.pin {
                PinMode::None => "none",
                PinMode::TwoCpus if o.then_one_cpu => "two-cpus-then-one-cpu",
                PinMode::TwoCpus => "two-cpus",
                PinMode::OneCpu => "one-cpu",
            }),
            o.trials,
            o.pipe_bytes,
            o.pipe_write_size
                .map_or_else(|| "null".to_string(), |n| n.to_string()),
            o.spawns,
            o.round_trips,
            o.mutex_pairs
        );
        for (i, c) in self.comparisons.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(
                out,
                "{{\"name\":{},\"mechanism\":{},\"placement\":{},\"steal\":{},\"unit\":{},\"higher_is_better\":{},\"target_ratio\":{},\"limit\":{},\"baseline\":{},\"subjects\":[",
                string(&c.name),
                string(c.mechanism),
                string(&c.placement),
                c.steal.map_or_else(|| "null".to_string(), number),
                string(c.unit),
                c.better == Better::Higher,
                c.target.map_or_else(|| "null".to_string(), number),
                c.limit.map_or_else(|| "null".to_string(), number),
                series(&c.baseline, None)
            );
            for (j, s) in c.subjects.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(&series(s, Some(c)));
            }
            out.push_str("]}");
        }
        out.push_str("]}");
        out
    }
}

fn series(s: &Series, against: Option<&Comparison>) -> String {
    let sum = s.summary();
    let values: Vec<String> = s.values.iter().map(|&v| number(v)).collect();
    let mut out = format!(
        "{{\"name\":{},\"peer\":{},\"median\":{},\"min\":{},\"max\":{},\"values\":[{}]",
        string(&s.name),
        s.peer,
        number(sum.median),
        number(sum.min),
        number(sum.max),
        values.join(",")
    );
    if let Some(c) = against {
        let p = c.paired(s);
        let _ = write!(
            out,
            ",\"diagnostic\":{},\"ratio\":{},\"paired_ratio\":{{\"median\":{},\"min\":{},\"max\":{}}},\"meets_target\":{}",
            s.diagnostic,
            number(c.ratio(s)),
            number(p.median),
            number(p.min),
            number(p.max),
            c.meets_target(s)
                .map_or_else(|| "null".to_string(), |b| b.to_string())
        );
        if !s.peer && !s.diagnostic {
            let line = Line::all(std::slice::from_ref(c))
                .into_iter()
                .find(|l| l.w32ipc.name == s.name);
            let (peer, ratio) = match line
                .as_ref()
                .and_then(|l| Some((l.best_peer?, l.vs_peer()?)))
            {
                Some((p, r)) => (string(&p.name), number(r)),
                None => ("null".to_string(), "null".to_string()),
            };
            let _ = write!(out, ",\"best_peer\":{peer},\"ratio_to_best_peer\":{ratio}");
        }
    }
    out.push('}');
    out
}

fn verdict(c: &Comparison, s: &Series) -> String {
    let op = match c.better {
        Better::Higher => "≥",
        Better::Lower => "≤",
    };
    let mut bounds = Vec::new();
    if let Some(target) = c.target {
        bounds.push(format!("{op} {target}"));
    }
    if let Some(limit) = c.limit {
        bounds.push(format!("median {op} {} {}", value(limit), c.unit));
    }
    if bounds.is_empty() {
        return "-".to_string();
    }
    match c.meets_target(s) {
        Some(true) => format!("{} ok", bounds.join(", ")),
        Some(false) => format!("{} MISSED", bounds.join(", ")),
        None if s.peer => "peer (target is w32ipc's)".to_string(),
        None => "diagnostic".to_string(),
    }
}

fn value(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn spread(s: &Summary) -> String {
    format!(
        "{}–{} ±{:.0}%",
        value(s.min),
        value(s.max),
        s.relative_spread() * 50.0
    )
}

/// A Markdown table with padded columns.
pub(crate) fn markdown(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(&widths)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(&mut header.iter().copied());
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    out.push_str(&format!("|-{}-|\n", rule.join("-|-")));
    for r in rows {
        out.push_str(&line(&mut r.iter().map(String::as_str)));
    }
    out
}

/// A JSON string literal.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number (`null` for what JSON cannot hold).
fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_and_numbers() {
        assert_eq!(string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        assert_eq!(number(f64::NAN), "null");
        assert_eq!(number(1.5), "1.5");
    }

    #[test]
    fn table_pads_columns() {
        let t = markdown(&["a", "bb"], &[vec!["xyz".into(), "1".into()]]);
        assert_eq!(t, "| a   | bb |\n|-----|----|\n| xyz | 1  |\n");
    }
}
