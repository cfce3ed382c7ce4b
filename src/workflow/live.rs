//! The live picture of a run for the timeline: one row per task, updated
//! from the engine's events while requests are in flight.

use crate::charts::timeline::TimelineRow;
use crate::workflow::engine::{TaskEvent, TaskStatus};
use crate::workflow::metrics::{Comparison, RunMetrics, compare_medians, median, spread};
use crate::workflow::runner::Mode;

/// Results of the runs of one Run click, per mode, for the headline figures
/// and the per-task charts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunResults {
    /// Figures of each sequential run.
    pub sequential: Vec<RunMetrics>,
    /// Figures of each parallel run.
    pub parallel: Vec<RunMetrics>,
    /// Per task: (label, last sequential ms, last parallel ms).
    pub per_task: Vec<(String, Option<f64>, Option<f64>)>,
    /// Tasks in flight at once in the parallel runs.
    pub concurrency: usize,
    /// The model the runs used (prices are looked up for it).
    pub model: String,
    /// Answered by the demo provider: times and texts are simulated.
    pub simulated: bool,
}

/// Token counts over all runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenTotals {
    /// Prompt tokens.
    pub input: u64,
    /// Completion tokens.
    pub output: u64,
    /// Tasks without usage.
    pub unknown: usize,
    /// Tasks that failed.
    pub errors: usize,
    /// Runs counted.
    pub runs: usize,
}

impl RunResults {
    /// Empty results for tasks with these labels.
    pub fn new(labels: &[String], concurrency: usize, model: &str) -> Self {
        Self {
            per_task: labels.iter().map(|l| (l.clone(), None, None)).collect(),
            concurrency,
            model: model.to_string(),
            ..Self::default()
        }
    }

    /// Records task `i`'s duration in its latest run in `mode`.
    pub fn record_task(&mut self, mode: Mode, i: usize, total_ms: f64) {
        if let Some(row) = self.per_task.get_mut(i) {
            match mode {
                Mode::Sequential => row.1 = Some(total_ms),
                Mode::Parallel => row.2 = Some(total_ms),
            }
        }
    }

    /// Records a finished run.
    pub fn record_run(&mut self, mode: Mode, metrics: RunMetrics) {
        match mode {
            Mode::Sequential => self.sequential.push(metrics),
            Mode::Parallel => self.parallel.push(metrics),
        }
    }

    /// The runs made in `mode`.
    pub fn runs(&self, mode: Mode) -> &[RunMetrics] {
        match mode {
            Mode::Sequential => &self.sequential,
            Mode::Parallel => &self.parallel,
        }
    }

    /// Wall times of the runs in `mode`.
    pub fn walls(&self, mode: Mode) -> Vec<f64> {
        self.runs(mode).iter().map(|m| m.wall_ms).collect()
    }

    /// Median wall time in `mode`.
    pub fn median_wall(&self, mode: Mode) -> Option<f64> {
        median(&self.walls(mode))
    }

    /// Min–max of wall times in `mode`, when there was more than one run.
    pub fn wall_spread(&self, mode: Mode) -> Option<(usize, f64, f64)> {
        let walls = self.walls(mode);
        spread(&walls)
            .filter(|_| walls.len() > 1)
            .map(|(lo, hi)| (walls.len(), lo, hi))
    }

    /// Median overhead of the parallel runs.
    pub fn median_overhead(&self) -> Option<f64> {
        median(&self.parallel.iter().map(|m| m.overhead).collect::<Vec<_>>())
    }

    /// Median sequential against median parallel wall time.
    pub fn comparison(&self) -> Option<Comparison> {
        compare_medians(
            &self.walls(Mode::Sequential),
            &self.walls(Mode::Parallel),
            self.concurrency,
        )
    }

    /// Tokens over all runs.
    pub fn tokens(&self) -> TokenTotals {
        self.sequential
            .iter()
            .chain(&self.parallel)
            .fold(TokenTotals::default(), |t, m| TokenTotals {
                input: t.input + m.tokens_in,
                output: t.output + m.tokens_out,
                unknown: t.unknown + m.usage_unknown,
                errors: t.errors + m.errors,
                runs: t.runs + 1,
            })
    }
}

/// A timeline row while it is drawn (end unknown while running); times in
/// ms since its run started.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRow {
    /// Task label.
    pub label: String,
    /// Current state.
    pub status: TaskStatus,
    /// Sent.
    pub start: f64,
    /// First token.
    pub first: Option<f64>,
    /// Finished.
    pub end: Option<f64>,
    /// Waits before retries, (start, end); an open wait has end = start.
    pub waits: Vec<(f64, f64)>,
    /// How long it was expected to take, ms.
    pub expected: Option<f64>,
}

impl LiveRow {
    /// A row for a task not yet sent, expected to take `expected` ms.
    pub fn pending(label: &str, expected: Option<f64>) -> Self {
        Self {
            label: label.to_string(),
            status: TaskStatus::Pending,
            start: 0.0,
            first: None,
            end: None,
            waits: Vec::new(),
            expected,
        }
    }

    /// Folds one event into the row; `run_start` turns the finished task's
    /// page-clock times into run-relative ones. Returns whether the row
    /// changed (streamed text after the first token does not change it).
    pub fn apply(&mut self, event: &TaskEvent, run_start: f64) -> bool {
        if matches!(event, TaskEvent::Text { .. }) && self.first.is_some() {
            return false;
        }
        let before = self.clone();
        match event {
            TaskEvent::Sent { at } => {
                self.status = TaskStatus::Running;
                self.start = *at;
            }
            TaskEvent::Attempt { at, restart, .. } => {
                if *restart && let Some(w) = self.waits.last_mut().filter(|w| w.1 == w.0) {
                    w.1 = *at;
                }
            }
            TaskEvent::Text { at, .. } => self.first = Some(*at),
            TaskEvent::Waiting { at } => self.waits.push((*at, *at)),
            TaskEvent::Finished(r) => {
                self.status = r.status;
                self.end = Some(r.timing.done_ms - run_start);
                self.first = r.timing.first_token_ms.map(|f| f - run_start);
            }
        }
        *self != before
    }

    /// The row to draw; a running bar extends to `now` (ms since the run started).
    pub fn to_timeline(&self, mode: Mode, now: Option<f64>) -> TimelineRow {
        TimelineRow {
            label: format!(
                "{} · {}",
                self.label,
                if mode == Mode::Sequential {
                    "seq"
                } else {
                    "par"
                }
            ),
            group: mode.name().into(),
            status: self.status.name().into(),
            start_ms: self.start,
            first_token_ms: self.first,
            end_ms: self
                .end
                .unwrap_or_else(|| now.unwrap_or(self.start).max(self.start)),
            waits: self.waits.clone(),
            expected_ms: self.expected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::{ChatOutput, Timing};
    use crate::workflow::engine::{Structured, TaskResult};
    use crate::workflow::metrics::TaskTiming;

    fn metrics(wall: f64, overhead: f64, out: u64, unknown: usize) -> RunMetrics {
        RunMetrics {
            wall_ms: wall,
            sum_task_ms: wall,
            slowest_task_ms: wall / overhead,
            overhead,
            tokens_in: 100,
            tokens_out: out,
            usage_unknown: unknown,
            errors: unknown,
            tasks: 6,
        }
    }

    #[test]
    fn results_collect_runs_and_tasks() {
        let labels = vec!["Summary".to_string(), "Keywords".to_string()];
        let mut r = RunResults::new(&labels, 2, "gpt-4o");
        assert_eq!(r.comparison(), None);
        r.record_run(Mode::Sequential, metrics(6000.0, 1.0, 10, 0));
        r.record_run(Mode::Parallel, metrics(1100.0, 1.1, 20, 1));
        r.record_run(Mode::Parallel, metrics(900.0, 1.3, 30, 0));
        r.record_task(Mode::Parallel, 1, 800.0);
        r.record_task(Mode::Sequential, 9, 1.0); // out of range: ignored
        assert_eq!(r.per_task[1], ("Keywords".into(), None, Some(800.0)));
        assert_eq!(r.median_wall(Mode::Parallel), Some(1000.0));
        assert_eq!(r.wall_spread(Mode::Parallel), Some((2, 900.0, 1100.0)));
        assert_eq!(r.wall_spread(Mode::Sequential), None);
        assert!((r.median_overhead().unwrap() - 1.2).abs() < 1e-9);
        let c = r.comparison().unwrap();
        assert_eq!(c.speedup, 6.0);
        assert_eq!(c.efficiency, 3.0);
        assert_eq!(
            r.tokens(),
            TokenTotals {
                input: 300,
                output: 60,
                unknown: 1,
                errors: 1,
                runs: 3
            }
        );
    }

    #[test]
    fn events_build_the_bar() {
        let mut r = LiveRow::pending("Summary", Some(900.0));
        r.apply(&TaskEvent::Sent { at: 5.0 }, 1000.0);
        r.apply(
            &TaskEvent::Attempt {
                number: 1,
                at: 5.0,
                restart: false,
            },
            1000.0,
        );
        r.apply(&TaskEvent::Waiting { at: 40.0 }, 1000.0);
        let row = r.to_timeline(Mode::Parallel, Some(60.0));
        assert_eq!(row.status, "running");
        assert_eq!(row.expected_ms, Some(900.0));
        assert_eq!((row.start_ms, row.end_ms), (5.0, 60.0));
        assert_eq!(row.waits, vec![(40.0, 40.0)]);
        r.apply(
            &TaskEvent::Attempt {
                number: 2,
                at: 90.0,
                restart: true,
            },
            1000.0,
        );
        assert_eq!(r.waits, vec![(40.0, 90.0)]);
        r.apply(
            &TaskEvent::Text {
                delta: "Hi".into(),
                at: 120.0,
            },
            1000.0,
        );
        r.apply(
            &TaskEvent::Text {
                delta: "!".into(),
                at: 130.0,
            },
            1000.0,
        );
        assert_eq!(r.first, Some(120.0));
        let done = TaskResult {
            status: TaskStatus::Done,
            output: ChatOutput {
                text: "Hi!".into(),
                usage: None,
                finish_reason: None,
                timing: Timing::default(),
                attempts: vec![],
                error: None,
            },
            timing: TaskTiming {
                id: "summary".into(),
                queued_ms: 1000.0,
                sent_ms: 1005.0,
                first_token_ms: Some(1121.0),
                done_ms: 1200.0,
                usage: None,
                ok: true,
                retry_waits: vec![],
            },
            structured: Structured::NotAsked,
        };
        r.apply(&TaskEvent::Finished(Box::new(done)), 1000.0);
        let row = r.to_timeline(Mode::Sequential, Some(999.0));
        assert_eq!(row.label, "Summary · seq");
        assert_eq!(row.group, "sequential");
        assert_eq!(row.status, "done");
        assert_eq!((row.first_token_ms, row.end_ms), (Some(121.0), 200.0));
    }
}
