//! The live picture of a run for the timeline: one row per task, updated
//! from the engine's events while requests are in flight.

use crate::charts::timeline::TimelineRow;
use crate::stats::{median, spread};
use crate::workflow::engine::{SubKind, TaskEvent, TaskStatus};
use crate::workflow::metrics::{Comparison, RunMetrics, TaskTiming, compare_medians};
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
    /// Per run, in the order they started: its mode and how each task
    /// ended (`None`: it never finished). The figures count only the tasks
    /// that succeeded in every run.
    pub outcomes: Vec<(Mode, Vec<Option<TaskOutcome>>)>,
}

/// How one task ended in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskOutcome {
    /// It answered.
    pub ok: bool,
    /// Sent to done, ms.
    pub total_ms: f64,
    /// Done, ms since its run started.
    pub end_ms: f64,
    /// Sent to first token, when one came.
    pub first_token_ms: Option<f64>,
}

impl TaskOutcome {
    /// The outcome of a finished task with this timing.
    pub fn of(timing: &TaskTiming, ok: bool) -> Self {
        Self {
            ok,
            total_ms: timing.total_ms(),
            end_ms: timing.done_ms - timing.queued_ms,
            first_token_ms: timing.ttft_ms(),
        }
    }
}

/// The comparison of the two modes over the tasks that succeeded in every
/// run of both, so failed requests never make a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct FairComparison {
    /// The figures; `None` when no task succeeded in both modes.
    pub comparison: Option<Comparison>,
    /// Median parallel overhead over the same tasks.
    pub overhead: Option<f64>,
    /// Tasks counted.
    pub counted: usize,
    /// Tasks in the runs.
    pub tasks: usize,
    /// Labels of the tasks left out (failed or unfinished in some run).
    pub left_out: Vec<String>,
}

impl FairComparison {
    /// Every task counted: the figures are the runs' own wall times.
    pub fn complete(&self) -> bool {
        self.counted == self.tasks
    }

    /// What the figures cover, when that is not every task: "over 4 of 6
    /// tasks (Keywords, Category failed)", or why there is no figure.
    pub fn note(&self) -> Option<String> {
        if self.complete() {
            return None;
        }
        let names = self.left_out.join(", ");
        Some(if self.counted == 0 {
            format!("No task finished in both modes ({names} failed), so there is no speedup.")
        } else {
            format!(
                "Over the {} of {} tasks that finished in both modes ({names} left out).",
                self.counted, self.tasks
            )
        })
    }
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

    /// A run in `mode` starts: its tasks' outcomes are recorded from now on.
    pub fn begin_run(&mut self, mode: Mode) {
        self.outcomes.push((mode, vec![None; self.per_task.len()]));
    }

    /// Records how task `i` ended in its latest run in `mode`.
    pub fn record_task(&mut self, mode: Mode, i: usize, outcome: TaskOutcome) {
        if let Some(row) = self.per_task.get_mut(i) {
            match mode {
                Mode::Sequential => row.1 = Some(outcome.total_ms),
                Mode::Parallel => row.2 = Some(outcome.total_ms),
            }
        }
        if let Some(slot) = self
            .outcomes
            .iter_mut()
            .rfind(|(m, _)| *m == mode)
            .and_then(|(_, o)| o.get_mut(i))
        {
            *slot = Some(outcome);
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

    /// Median overhead of the parallel runs, over the tasks that succeeded
    /// in both modes (see [`RunResults::fair`]).
    pub fn median_overhead(&self) -> Option<f64> {
        self.fair().and_then(|f| f.overhead)
    }

    /// Median sequential against median parallel wall time, over the tasks
    /// that succeeded in both modes; `None` without both or with no such task.
    pub fn comparison(&self) -> Option<Comparison> {
        self.fair().and_then(|f| f.comparison)
    }

    /// The task that set the last parallel run's wall time (the one that
    /// finished last): its label, its own duration and the run's wall, ms.
    /// It bounds the speedup: no parallel run of these tasks is shorter.
    pub fn critical_path(&self) -> Option<(String, f64, f64)> {
        let wall = self.parallel.last()?.wall_ms;
        let (_, last) = self.outcomes.iter().rfind(|(m, _)| *m == Mode::Parallel)?;
        let (i, t) = last
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.map(|o| (i, o)))
            .max_by(|a, b| a.1.end_ms.total_cmp(&b.1.end_ms))?;
        Some((self.per_task.get(i)?.0.clone(), t.total_ms, wall))
    }

    /// After a parallel run: the task to split, when splitting it is
    /// expected to shorten the wall time by a fifth or more
    /// ([`crate::workflow::split::advice`]), from this run's measured times; its
    /// label and the advice. `stitches` per task, `max_parts` from the text.
    pub fn split_advice(
        &self,
        stitches: &[crate::workflow::split::Stitch],
        max_parts: usize,
    ) -> Option<(String, crate::workflow::split::Advice)> {
        let wall = self.parallel.last()?.wall_ms;
        let (_, last) = self.outcomes.iter().rfind(|(m, _)| *m == Mode::Parallel)?;
        let timings: Vec<Option<crate::workflow::split::Timing>> = last
            .iter()
            .map(|o| {
                o.filter(|o| o.ok).map(|o| {
                    let first = o.first_token_ms.unwrap_or(o.total_ms).min(o.total_ms);
                    crate::workflow::split::Timing {
                        first_token_ms: first,
                        generation_ms: o.total_ms - first,
                    }
                })
            })
            .collect();
        let a = crate::workflow::split::advice(&timings, stitches, wall, max_parts)?;
        Some((self.per_task.get(a.task)?.0.clone(), a))
    }

    /// The finished runs of `mode` with their tasks' outcomes.
    fn finished(&self, mode: Mode) -> Vec<(&RunMetrics, Option<&[Option<TaskOutcome>]>)> {
        let outcomes: Vec<&[Option<TaskOutcome>]> = self
            .outcomes
            .iter()
            .filter(|(m, _)| *m == mode)
            .map(|(_, o)| o.as_slice())
            .collect();
        self.runs(mode)
            .iter()
            .enumerate()
            .map(|(j, m)| (m, outcomes.get(j).copied()))
            .collect()
    }

    /// The two modes compared over the tasks that succeeded in every run of
    /// both. With every task counted the figures use the runs' wall times;
    /// otherwise a sequential run counts the durations of the tasks kept
    /// (what it would have taken without the others) and a parallel run
    /// the time until the last of them finished. `None` until both modes
    /// have a finished run.
    pub fn fair(&self) -> Option<FairComparison> {
        let seq = self.finished(Mode::Sequential);
        let par = self.finished(Mode::Parallel);
        if seq.is_empty() || par.is_empty() {
            return None;
        }
        let n = self.per_task.len();
        // Runs recorded without outcomes (figures only) count every task.
        let kept = |i: usize| {
            seq.iter()
                .chain(&par)
                .all(|(_, o)| o.is_none_or(|o| o.get(i).copied().flatten().is_some_and(|t| t.ok)))
        };
        let counted: Vec<usize> = (0..n).filter(|&i| kept(i)).collect();
        let left_out = (0..n)
            .filter(|i| !counted.contains(i))
            .map(|i| self.per_task[i].0.clone())
            .collect();
        let over = |i: &usize, o: &[Option<TaskOutcome>]| o.get(*i).copied().flatten();
        let (seq_walls, par_walls, overheads): (Vec<f64>, Vec<f64>, Vec<f64>) =
            if counted.len() == n {
                (
                    self.walls(Mode::Sequential),
                    self.walls(Mode::Parallel),
                    self.parallel.iter().map(|m| m.overhead).collect(),
                )
            } else {
                let sum = |o: &[Option<TaskOutcome>]| {
                    counted
                        .iter()
                        .filter_map(|i| over(i, o))
                        .map(|t| t.total_ms)
                        .sum()
                };
                let last = |o: &[Option<TaskOutcome>]| {
                    counted
                        .iter()
                        .filter_map(|i| over(i, o))
                        .map(|t| t.end_ms)
                        .fold(0.0, f64::max)
                };
                let slowest = |o: &[Option<TaskOutcome>]| {
                    counted
                        .iter()
                        .filter_map(|i| over(i, o))
                        .map(|t| t.total_ms)
                        .fold(0.0, f64::max)
                };
                let par_o: Vec<&[Option<TaskOutcome>]> = par.iter().filter_map(|r| r.1).collect();
                (
                    seq.iter().filter_map(|r| r.1).map(sum).collect(),
                    par_o.iter().map(|o| last(o)).collect(),
                    par_o
                        .iter()
                        .filter(|o| slowest(o) > 0.0)
                        .map(|o| last(o) / slowest(o))
                        .collect(),
                )
            };
        let comparison = if counted.is_empty() {
            None
        } else {
            compare_medians(&seq_walls, &par_walls, self.concurrency)
        };
        Some(FairComparison {
            comparison,
            overhead: if counted.is_empty() {
                None
            } else {
                median(&overheads)
            },
            counted: counted.len(),
            tasks: n,
            left_out,
        })
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
    /// The task's requests when it made several: (sent, done, combine).
    pub parts: Vec<(f64, f64, bool)>,
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
            parts: Vec::new(),
        }
    }

    /// Folds one event into the row; `run_start` turns the finished task's
    /// page-clock times into run-relative ones. Returns whether the row
    /// changed (streamed text after the first token does not change it).
    pub fn apply(&mut self, event: &TaskEvent, run_start: f64) -> bool {
        if matches!(event, TaskEvent::Text { .. }) && self.first.is_some()
            || matches!(event, TaskEvent::Reasoning { .. })
        {
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
            TaskEvent::Reasoning { .. } => {}
            TaskEvent::Waiting { at } => self.waits.push((*at, *at)),
            TaskEvent::Finished(r) => {
                self.status = r.status;
                self.end = Some(r.timing.done_ms - run_start);
                self.first = r.timing.first_token_ms.map(|f| f - run_start);
                self.parts = r
                    .requests
                    .iter()
                    .map(|q| (q.sent_ms, q.end_ms, q.kind == SubKind::Combine))
                    .collect();
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
            parts: self.parts.clone(),
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

    fn done(total_ms: f64, end_ms: f64) -> TaskOutcome {
        TaskOutcome {
            ok: true,
            total_ms,
            end_ms,
            first_token_ms: Some(total_ms / 10.0),
        }
    }

    fn failed(total_ms: f64, end_ms: f64) -> TaskOutcome {
        TaskOutcome {
            ok: false,
            ..done(total_ms, end_ms)
        }
    }

    #[test]
    fn split_advice_names_the_task_that_sets_the_wall_time() {
        use crate::workflow::split::Stitch;
        let r = compare_run(
            [
                done(1000.0, 1000.0),
                done(900.0, 1900.0),
                done(6000.0, 7900.0),
            ],
            [
                done(1000.0, 1000.0),
                done(900.0, 900.0),
                done(6000.0, 6010.0),
            ],
        );
        let stitches = [Stitch::Combine, Stitch::Merge, Stitch::Concat];
        let (label, a) = r.split_advice(&stitches, 16).expect("advice");
        assert_eq!(label, "Translation");
        // First token 600 ms, 5400 of generation: 600 + 5400/n <= 1000 at 14.
        assert_eq!((a.task, a.parts), (2, 14));
        assert_eq!(a.wall_ms, 1000.0, "the summary then sets it");
        // Translation combined: no gain, no advice; none before a parallel run.
        assert_eq!(r.split_advice(&[Stitch::Combine; 3], 16), None);
        assert_eq!(
            RunResults::new(&["A".into()], 1, "m").split_advice(&stitches, 16),
            None
        );
    }

    /// Three tasks, one sequential and one parallel run with these outcomes.
    fn compare_run(seq: [TaskOutcome; 3], par: [TaskOutcome; 3]) -> RunResults {
        let labels = ["Summary", "Keywords", "Translation"].map(String::from);
        let mut r = RunResults::new(&labels, 3, "m");
        for (mode, outcomes) in [(Mode::Sequential, seq), (Mode::Parallel, par)] {
            r.begin_run(mode);
            let timings: Vec<TaskTiming> = outcomes
                .iter()
                .map(|o| TaskTiming {
                    itl_ms: Vec::new(),
                    gaps: None,
                    id: "t".into(),
                    queued_ms: 0.0,
                    sent_ms: o.end_ms - o.total_ms,
                    first_token_ms: None,
                    first_any_ms: None,
                    reasoning_tokens: None,
                    server: None,
                    done_ms: o.end_ms,
                    usage: None,
                    ok: o.ok,
                    retry_waits: vec![],
                })
                .collect();
            for (i, o) in outcomes.into_iter().enumerate() {
                r.record_task(mode, i, o);
            }
            r.record_run(mode, crate::workflow::metrics::run_metrics(0.0, &timings));
        }
        r
    }

    #[test]
    fn every_task_answered_compares_the_wall_times() {
        let r = compare_run(
            [
                done(1000.0, 1000.0),
                done(500.0, 1505.0),
                done(2000.0, 3510.0),
            ],
            [
                done(1000.0, 1002.0),
                done(500.0, 503.0),
                done(2000.0, 2004.0),
            ],
        );
        let f = r.fair().unwrap();
        assert!(f.complete() && f.note().is_none());
        let c = f.comparison.unwrap();
        assert_eq!((c.sequential_ms, c.parallel_ms), (3510.0, 2004.0));
        assert!((f.overhead.unwrap() - 1.002).abs() < 1e-9);
        assert_eq!(
            r.critical_path(),
            Some(("Translation".to_string(), 2000.0, 2004.0))
        );
    }

    #[test]
    fn failed_tasks_are_left_out_of_every_figure() {
        // Translation fails fast in parallel only: sequentially it took 2 s,
        // so counting it would credit parallelism with time it never saved.
        let r = compare_run(
            [
                done(1000.0, 1000.0),
                done(500.0, 1505.0),
                done(2000.0, 3510.0),
            ],
            [done(1000.0, 1002.0), done(500.0, 503.0), failed(20.0, 21.0)],
        );
        let f = r.fair().unwrap();
        assert_eq!((f.counted, f.tasks), (2, 3));
        assert_eq!(f.left_out, vec!["Translation".to_string()]);
        let c = f.comparison.unwrap();
        assert_eq!((c.sequential_ms, c.parallel_ms), (1500.0, 1002.0));
        assert_eq!(r.comparison(), Some(c));
        assert!((f.overhead.unwrap() - 1.002).abs() < 1e-9);
        assert_eq!(
            f.note().unwrap(),
            "Over the 2 of 3 tasks that finished in both modes (Translation left out)."
        );
    }

    #[test]
    fn a_run_where_everything_failed_has_no_figures() {
        let r = compare_run(
            [
                failed(300.0, 300.0),
                failed(300.0, 605.0),
                failed(300.0, 910.0),
            ],
            [failed(50.0, 51.0), failed(50.0, 52.0), failed(50.0, 53.0)],
        );
        let f = r.fair().unwrap();
        assert_eq!((f.comparison, f.overhead, f.counted), (None, None, 0));
        assert_eq!(r.comparison(), None);
        assert_eq!(r.median_overhead(), None);
        assert!(
            f.note()
                .unwrap()
                .starts_with("No task finished in both modes")
        );
        // The walls stay what they were: only the derived figures go.
        assert_eq!(r.median_wall(Mode::Sequential), Some(910.0));
    }

    #[test]
    fn results_collect_runs_and_tasks() {
        let labels = vec!["Summary".to_string(), "Keywords".to_string()];
        let mut r = RunResults::new(&labels, 2, "gpt-4o");
        assert_eq!(r.comparison(), None);
        r.record_run(Mode::Sequential, metrics(6000.0, 1.0, 10, 0));
        r.record_run(Mode::Parallel, metrics(1100.0, 1.1, 20, 1));
        r.record_run(Mode::Parallel, metrics(900.0, 1.3, 30, 0));
        r.record_task(Mode::Parallel, 1, done(800.0, 800.0));
        r.record_task(Mode::Sequential, 9, done(1.0, 1.0)); // out of range: ignored
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
                itl_ms: Vec::new(),
                rate_limit: None,
                served_by: None,
                reasoning: String::new(),
                text: "Hi!".into(),
                usage: None,
                finish_reason: None,
                timing: Timing::default(),
                attempts: vec![],
                error: None,
            },
            timing: TaskTiming {
                itl_ms: Vec::new(),
                gaps: None,
                id: "summary".into(),
                queued_ms: 1000.0,
                sent_ms: 1005.0,
                first_token_ms: Some(1121.0),
                first_any_ms: None,
                reasoning_tokens: None,
                server: None,
                done_ms: 1200.0,
                usage: None,
                ok: true,
                retry_waits: vec![],
            },
            structured: Structured::NotAsked,
            requests: Vec::new(),
            agreement: None,
            extra_prompt_tokens: None,
        };
        r.apply(&TaskEvent::Finished(Box::new(done)), 1000.0);
        let row = r.to_timeline(Mode::Sequential, Some(999.0));
        assert_eq!(row.label, "Summary · seq");
        assert_eq!(row.group, "sequential");
        assert_eq!(row.status, "done");
        assert_eq!((row.first_token_ms, row.end_ms), (Some(121.0), 200.0));
    }
}
