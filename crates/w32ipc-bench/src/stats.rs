//! Medians and spreads of trial values.

/// Median, minimum and maximum of a set of trial values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// The middle value (the mean of the two middle ones for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Summary {
    /// Summarises `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        if values.is_empty() {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Summary {
            median,
            min: sorted[0],
            max: sorted[n - 1],
        })
    }

    /// (max − min) / median: the spread relative to the figure.
    pub fn relative_spread(&self) -> f64 {
        (self.max - self.min) / self.median
    }
}

/// CPU time counters of the whole machine, from the first line of `/proc/stat`.
#[derive(Clone, Copy, Debug)]
pub struct CpuTimes {
    steal: u64,
    total: u64,
}

impl CpuTimes {
    /// The counters now; `None` where `/proc/stat` cannot be read.
    pub fn now() -> Option<CpuTimes> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        CpuTimes::parse(stat.lines().next()?)
    }

    /// Parses `cpu  user nice system idle iowait irq softirq steal …`.
    fn parse(line: &str) -> Option<CpuTimes> {
        let mut fields = line.split_whitespace();
        if fields.next()? != "cpu" {
            return None;
        }
        let v: Vec<u64> = fields
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        (v.len() == 8).then(|| CpuTimes {
            steal: v[7],
            total: v.iter().sum(),
        })
    }

    /// The share of CPU time stolen by the hypervisor between `self` and `later` (0–1): time
    /// the virtual CPUs wanted to run but the host ran something else.
    pub fn steal_since(&self, later: &CpuTimes) -> Option<f64> {
        let total = later.total.checked_sub(self.total)?;
        let steal = later.steal.checked_sub(self.steal)?;
        (total > 0).then(|| steal as f64 / total as f64)
    }
}

/// The ratio of each trial of `subject` to the trial of `baseline` run in the same round.
/// Rounds are interleaved, so these ratios cancel slow drift of the machine.
pub fn paired_ratios(subject: &[f64], baseline: &[f64]) -> Vec<f64> {
    subject.iter().zip(baseline).map(|(s, b)| s / b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_and_even_medians() {
        let s = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        let s = Summary::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert!(Summary::of(&[]).is_none());
    }

    #[test]
    fn steal_share() {
        let a = CpuTimes::parse("cpu  100 0 50 800 0 0 0 50 0 0").unwrap();
        let b = CpuTimes::parse("cpu  200 0 100 1500 0 0 0 200 0 0").unwrap();
        assert_eq!(a.steal_since(&b), Some(150.0 / 1000.0));
        assert!(CpuTimes::parse("cpu0 1 2 3").is_none());
    }

    #[test]
    fn ratios_pair_rounds() {
        assert_eq!(paired_ratios(&[2.0, 3.0], &[1.0, 2.0]), vec![2.0, 1.5]);
    }
}
