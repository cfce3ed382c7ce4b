//! What the page draws from a kept run: the headline figures, timeline
//! rows, the sweep, answers and the figures the history list sorts by.

use crate::capacity::{RequestStats, Targets};
use crate::history::record::{RunEntry, RunRecord, TaskEntry};
use crate::openai::ratelimit::RateLimit;
use crate::stats::median;
use crate::workflow::engine::{SubKind, TaskStatus};
use crate::workflow::live::{LiveRow, RunResults, TaskOutcome};
use crate::workflow::metrics::TaskTiming;
use crate::workflow::runner::Mode;
use crate::workflow::runner::RunKind;

/// Per-request figures of one part of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestGroup {
    /// "sequential", "parallel", an endpoint's name, "Batch".
    pub name: String,
    /// Its requests' figures.
    pub stats: RequestStats,
    /// The last rate-limit headers its responses let the page read.
    pub rate_limit: Option<RateLimit>,
}

impl RunRecord {
    /// The runs that make the headline figures (a sweep's runs are its
    /// points instead; a race's are its endpoints, shown side by side).
    fn figure_runs(&self) -> impl Iterator<Item = &RunEntry> {
        self.runs
            .iter()
            .filter(move |_| !matches!(self.kind.run_kind(), RunKind::Sweep | RunKind::Race))
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

    /// The timings of `runs`' requests that were sent (cancelled ones
    /// measured nothing), for per-request figures and exports.
    pub fn timings_of(runs: &[&RunEntry]) -> Vec<TaskTiming> {
        runs.iter()
            .flat_map(|r| &r.tasks)
            .filter(|t| t.status != TaskStatus::Cancelled)
            .map(|t| t.timing.clone())
            .collect()
    }

    /// Per-request figures by group (each mode of a run, pooled over its
    /// rounds; each endpoint of a race; a batch's cells), against the
    /// `targets` (goodput and attainment count them), with the last
    /// rate-limit headers the group's responses let the page read. A
    /// capacity run has its own steps.
    pub fn request_stats(&self, targets: &Targets) -> Vec<RequestGroup> {
        let targets = *targets;
        let last_limit = |tasks: &mut dyn Iterator<Item = &TaskEntry>| {
            tasks.filter_map(|t| t.rate_limit.clone()).last()
        };
        if let Some(i) = self.kind.imported() {
            return i
                .points
                .iter()
                .filter(|p| !p.requests.is_empty())
                .map(|p| {
                    let timings: Vec<TaskTiming> = p.requests.iter().map(|r| r.timing()).collect();
                    let span = p.duration_s.map_or(0.0, |d| d * 1000.0);
                    RequestGroup {
                        name: p.label.clone(),
                        stats: RequestStats::of(&timings, &targets).over(span),
                        rate_limit: None,
                    }
                })
                .collect();
        }
        if let Some(b) = self.kind.batch() {
            let timings: Vec<TaskTiming> = b
                .cells
                .iter()
                .flatten()
                .filter(|c| c.status != TaskStatus::Cancelled)
                .map(|c| TaskTiming {
                    ok: c.status == TaskStatus::Done,
                    first_token_ms: c.ttft_ms,
                    done_ms: c.total_ms,
                    usage: c.tokens_out.map(|o| crate::openai::Usage {
                        prompt_tokens: c.tokens_in.unwrap_or(0),
                        completion_tokens: o,
                        total_tokens: c.tokens_in.unwrap_or(0) + o,
                        completion_tokens_details: None,
                    }),
                    ..TaskTiming::default()
                })
                .collect();
            if timings.is_empty() {
                return Vec::new();
            }
            let stats = RequestStats::of(&timings, &targets).over(b.wall_ms);
            return vec![RequestGroup {
                name: "Batch".into(),
                stats,
                rate_limit: None,
            }];
        }
        let group = |name: String, runs: &[&RunEntry]| {
            let timings = Self::timings_of(runs);
            let span: f64 = runs.iter().map(|r| r.metrics.wall_ms).sum();
            (!timings.is_empty()).then(|| RequestGroup {
                name,
                stats: RequestStats::of(&timings, &targets).over(span),
                rate_limit: last_limit(&mut runs.iter().flat_map(|r| &r.tasks)),
            })
        };
        if let Some(race) = self.kind.race() {
            return self
                .runs
                .iter()
                .zip(&race.endpoints)
                .filter_map(|(r, e)| group(e.name.clone(), &[r]))
                .collect();
        }
        [Mode::Sequential, Mode::Parallel]
            .into_iter()
            .filter_map(|m| {
                let runs: Vec<&RunEntry> = self.runs.iter().filter(|r| r.mode == m).collect();
                let name = match self.kind.run_kind() {
                    RunKind::Sweep => "Parallel, every K".to_string(),
                    _ => m.name().to_string(),
                };
                group(name, &runs)
            })
            .collect()
    }

    /// A sweep's points: (K, wall ms).
    pub fn sweep(&self) -> Vec<(usize, f64)> {
        if self.kind.run_kind() != RunKind::Sweep {
            return Vec::new();
        }
        self.runs.iter().map(|r| (r.k, r.metrics.wall_ms)).collect()
    }

    /// The answers to show: the last run's of each task (a race shows
    /// every endpoint's in its own table).
    pub fn answers(&self) -> Vec<&TaskEntry> {
        self.runs
            .last()
            .filter(|_| self.kind.race().is_none())
            .map(|r| r.tasks.iter().collect())
            .unwrap_or_default()
    }

    /// Median duration (sent to done) of the tasks that finished, over every
    /// run (or batch cell): the "latency" of the trend chart.
    pub fn median_latency_ms(&self) -> Option<f64> {
        // Another tool's results: the median end to end it gives.
        if let Some(i) = self.kind.imported() {
            return i.headline().and_then(|p| p.e2el.median);
        }
        let mut v: Vec<f64> = self
            .runs
            .iter()
            .flat_map(|r| &r.tasks)
            .filter(|t| t.status == TaskStatus::Done)
            .map(|t| t.timing.total_ms())
            .collect();
        if let Some(b) = self.kind.batch() {
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
        let batch = self.kind.batch().map_or(0, |b| {
            b.cells
                .iter()
                .flatten()
                .filter(|c| c.status == TaskStatus::Error)
                .count()
        });
        let imported = self.kind.imported().map_or(0, |i| {
            i.points.iter().filter_map(|p| p.failed).sum::<u64>() as usize
        });
        runs + batch + imported
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::fixtures::compare;

    #[test]
    fn request_figures_by_mode_over_each_mode_s_own_time() {
        // Three tasks: one after another 1 s each, then all at once; each
        // 20 tokens, first token a quarter of the way in.
        let mut r = compare("m", 1.7e12, 1000.0, 3, "An answer.");
        let groups = r.request_stats(&Targets::default());
        let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, vec!["sequential", "parallel"]);
        let seq = &groups[0].stats;
        assert_eq!(seq.requests, 3);
        assert_eq!(seq.ttft.p50, Some(250.0));
        assert_eq!(seq.e2e.p90, Some(1000.0));
        // 60 tokens over the sequential run's 3 s; all three met the
        // default targets (250 ms to a first token, 26.7 tokens/s each).
        assert!(
            (seq.throughput_tps - 20.0).abs() < 1e-6,
            "{}",
            seq.throughput_tps
        );
        assert!((seq.goodput_rps - 1.0).abs() < 1e-6, "{}", seq.goodput_rps);
        assert_eq!(groups[1].stats.requests, 3);
        assert!(groups.iter().all(|g| g.rate_limit.is_none()));
        // The last rate-limit headers read are the group's.
        let limit = RateLimit {
            remaining_requests: Some(41),
            ..RateLimit::default()
        };
        r.runs[1].tasks[2].rate_limit = Some(limit.clone());
        assert_eq!(
            r.request_stats(&Targets::default())[1].rate_limit,
            Some(limit)
        );
    }
}
