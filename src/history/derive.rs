//! What the page draws from a kept run: the headline figures, timeline
//! rows, the sweep, answers and the figures the history list sorts by.

use crate::history::record::{PlanKind, RunEntry, RunRecord, TaskEntry};
use crate::workflow::engine::{SubKind, TaskStatus};
use crate::workflow::live::{LiveRow, RunResults, TaskOutcome};
use crate::workflow::metrics::median;
use crate::workflow::runner::Mode;

impl RunRecord {
    /// The runs that make the headline figures (a sweep's runs are its
    /// points instead; a race's are its endpoints, shown side by side).
    fn figure_runs(&self) -> impl Iterator<Item = &RunEntry> {
        self.runs
            .iter()
            .filter(move |_| !matches!(self.plan, PlanKind::Sweep | PlanKind::Race))
    }

    /// The figures as the page's headline and per-task charts show them.
    pub fn results(&self) -> RunResults {
        let k = self
            .runs
            .iter()
            .rfind(|r| r.mode == Mode::Parallel)
            .map(|r| r.k)
            .unwrap_or(self.tasks.len());
        let mut r = RunResults {
            simulated: self.simulated,
            ..RunResults::new(&self.tasks, k, &self.model)
        };
        for run in self.figure_runs() {
            r.begin_run(run.mode);
            for (i, t) in run.tasks.iter().enumerate() {
                let ok = t.status == TaskStatus::Done;
                r.record_task(run.mode, i, TaskOutcome::of(&t.timing, ok));
            }
            r.record_run(run.mode, run.metrics);
        }
        r
    }

    /// The timeline's rows: the last run of each mode, sequential first.
    pub fn rows(&self) -> Vec<(Mode, Vec<LiveRow>)> {
        let mut rows = Vec::new();
        for mode in [Mode::Sequential, Mode::Parallel] {
            let Some(run) = self.figure_runs().filter(|r| r.mode == mode).last() else {
                continue;
            };
            let list = run
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| t.live_row(self.expected.get(i).copied().flatten()))
                .collect();
            rows.push((mode, list));
        }
        rows
    }

    /// A sweep's points: (K, wall ms).
    pub fn sweep(&self) -> Vec<(usize, f64)> {
        if self.plan != PlanKind::Sweep {
            return Vec::new();
        }
        self.runs.iter().map(|r| (r.k, r.metrics.wall_ms)).collect()
    }

    /// The answers to show: the last run's of each task (a race shows
    /// every endpoint's in its own table).
    pub fn answers(&self) -> Vec<&TaskEntry> {
        self.runs
            .last()
            .filter(|_| self.race.is_none())
            .map(|r| r.tasks.iter().collect())
            .unwrap_or_default()
    }

    /// Median duration (sent to done) of the tasks that finished, over every
    /// run (or batch cell): the "latency" of the trend chart.
    pub fn median_latency_ms(&self) -> Option<f64> {
        let mut v: Vec<f64> = self
            .runs
            .iter()
            .flat_map(|r| &r.tasks)
            .filter(|t| t.status == TaskStatus::Done)
            .map(|t| t.timing.total_ms())
            .collect();
        if let Some(b) = &self.batch {
            v.extend(
                b.cells
                    .iter()
                    .flatten()
                    .filter(|c| c.status == TaskStatus::Done)
                    .map(|c| c.total_ms),
            );
        }
        median(&v)
    }

    /// Tasks (or batch requests) that failed.
    pub fn errors(&self) -> usize {
        let runs: usize = self.runs.iter().map(|r| r.metrics.errors).sum();
        let batch = self.batch.as_ref().map_or(0, |b| {
            b.cells
                .iter()
                .flatten()
                .filter(|c| c.status == TaskStatus::Error)
                .count()
        });
        runs + batch
    }
}

impl TaskEntry {
    /// The timeline row of a kept task (times relative to its run's start).
    pub fn live_row(&self, expected: Option<f64>) -> LiveRow {
        let t0 = self.timing.queued_ms;
        LiveRow {
            label: self.label.clone(),
            status: self.status,
            start: self.timing.sent_ms - t0,
            first: self.timing.first_token_ms.map(|f| f - t0),
            end: Some(self.timing.done_ms - t0),
            waits: self
                .timing
                .retry_waits
                .iter()
                .map(|(a, b)| (a - t0, b - t0))
                .collect(),
            expected,
            parts: self
                .requests
                .iter()
                .map(|q| (q.sent_ms, q.end_ms, q.kind == SubKind::Combine))
                .collect(),
        }
    }
}
