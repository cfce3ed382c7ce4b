//! The modes of a run (one after another, or all at once / at most K at a
//! time), how many tasks each runs at once, and the order of runs in a fair
//! comparison or a sweep of K.

use serde::{Deserialize, Serialize};

/// How the tasks of a run are scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// One after another, each awaited before the next starts.
    Sequential,
    /// All at once (or at most K at a time with a concurrency limit).
    Parallel,
}

impl Mode {
    /// Lowercase name, as used in labels and test hooks.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Parallel => "parallel",
        }
    }
}

/// What kind of run a Run click (or a batch) makes: the one vocabulary the
/// Run view, sessions, kept records, history rows, reports and imports
/// share (serialized lowercase, as record files have it as `plan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// Each task awaited before the next.
    Sequential,
    /// All at once, or at most K at a time.
    Parallel,
    /// A warm-up, then both modes over R rounds, alternating.
    Compare,
    /// A warm-up, then parallel at K = 1, 2, 4, ….
    Sweep,
    /// The same tasks on 2–4 endpoints at once.
    Race,
    /// The most requests at once meeting latency targets.
    Capacity,
    /// Many documents × the tasks.
    Batch,
    /// Another tool's results (vLLM bench, GuideLLM, …), imported.
    Imported,
}

impl RunKind {
    /// Lowercase name, as records, rows and reports write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sequential => "sequential",
            Self::Parallel => "parallel",
            Self::Compare => "compare",
            Self::Sweep => "sweep",
            Self::Race => "race",
            Self::Capacity => "capacity",
            Self::Batch => "batch",
            Self::Imported => "imported",
        }
    }
}

/// The runs of a comparison over `rounds` rounds: modes alternate which goes
/// first, so neither always runs on a warmer (or more loaded) server.
pub fn comparison_order(rounds: usize) -> Vec<Mode> {
    (0..rounds)
        .flat_map(|r| {
            if r % 2 == 0 {
                [Mode::Sequential, Mode::Parallel]
            } else {
                [Mode::Parallel, Mode::Sequential]
            }
        })
        .collect()
}

/// How many tasks run at once: 1 for sequential, else the limit (0 = no
/// limit), never more than there are tasks.
pub fn concurrency(mode: Mode, limit: usize, tasks: usize) -> usize {
    match mode {
        Mode::Sequential => 1.min(tasks),
        Mode::Parallel if limit == 0 => tasks,
        Mode::Parallel => limit.min(tasks),
    }
}

/// The limits a concurrency sweep tries for `n` tasks: 1, 2, 4, … and `n`
/// itself (or `max`, if lower).
pub fn sweep_limits(n: usize, max: usize) -> Vec<usize> {
    let top = n.min(max).max(1);
    let mut ks: Vec<usize> = std::iter::successors(Some(1usize), |k| k.checked_mul(2))
        .take_while(|k| *k < top)
        .collect();
    ks.push(top);
    ks
}

/// The best speedup K slots can give `n` equal tasks: n / ceil(n / K).
pub fn ideal_speedup(n: usize, k: usize) -> f64 {
    if n == 0 || k == 0 {
        return 0.0;
    }
    n as f64 / n.div_ceil(k) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_double_up_to_the_task_count() {
        assert_eq!(sweep_limits(6, 64), [1, 2, 4, 6]);
        assert_eq!(sweep_limits(8, 64), [1, 2, 4, 8]);
        assert_eq!(sweep_limits(12, 5), [1, 2, 4, 5]);
        assert_eq!(sweep_limits(1, 64), [1]);
        assert_eq!(ideal_speedup(6, 4), 3.0);
        assert_eq!(ideal_speedup(6, 6), 6.0);
        assert_eq!(ideal_speedup(6, 1), 1.0);
        assert_eq!(ideal_speedup(0, 3), 0.0);
    }
    #[test]
    fn comparison_alternates_which_mode_goes_first() {
        use Mode::*;
        assert_eq!(comparison_order(1), vec![Sequential, Parallel]);
        assert_eq!(
            comparison_order(3),
            vec![
                Sequential, Parallel, Parallel, Sequential, Sequential, Parallel
            ]
        );
        assert!(comparison_order(0).is_empty());
    }

    #[test]
    fn concurrency_per_mode() {
        assert_eq!(concurrency(Mode::Sequential, 0, 6), 1);
        assert_eq!(concurrency(Mode::Parallel, 0, 6), 6);
        assert_eq!(concurrency(Mode::Parallel, 2, 6), 2);
        assert_eq!(concurrency(Mode::Parallel, 10, 6), 6);
        assert_eq!(concurrency(Mode::Sequential, 0, 0), 0);
    }
}
