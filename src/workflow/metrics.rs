//! Timing figures of a run and of a sequential-vs-parallel comparison.
//!
//! All times are milliseconds on one clock (the page's `performance.now()`).

use serde::{Deserialize, Serialize};

use crate::format::duration_ms;
use crate::openai::{ChatOutput, Usage};
use crate::stats::median;

/// When one task's request went through its stages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskTiming {
    /// Task id.
    pub id: String,
    /// The run was ready to send it (start of the run).
    pub queued_ms: f64,
    /// Its first attempt was sent.
    pub sent_ms: f64,
    /// First content token, if streamed and any arrived.
    pub first_token_ms: Option<f64>,
    /// It finished (done, failed or cancelled).
    pub done_ms: f64,
    /// Token usage, if reported.
    pub usage: Option<Usage>,
    /// Whether it succeeded.
    pub ok: bool,
    /// Waits before retries: (start, end).
    pub retry_waits: Vec<(f64, f64)>,
    /// Gaps between its streamed chunks (median, longest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gaps: Option<crate::openai::client::Gaps>,
}

impl TaskTiming {
    /// The timing of a finished request that was queued at `queued_ms`.
    pub fn from_output(id: &str, queued_ms: f64, out: &ChatOutput) -> Self {
        Self {
            id: id.to_string(),
            queued_ms,
            sent_ms: out.timing.sent_ms,
            first_token_ms: out.timing.first_token_ms,
            done_ms: out.timing.end_ms,
            usage: out.usage,
            ok: out.error.is_none(),
            retry_waits: out
                .attempts
                .iter()
                .filter_map(|a| a.wait_ms.map(|w| (a.ended_ms, a.ended_ms + w)))
                .collect(),
            gaps: out.timing.gaps,
        }
    }

    /// Time spent queued before sending.
    pub fn wait_ms(&self) -> f64 {
        self.sent_ms - self.queued_ms
    }
    /// Sent to done.
    pub fn total_ms(&self) -> f64 {
        self.done_ms - self.sent_ms
    }
    /// Sent to first token.
    pub fn ttft_ms(&self) -> Option<f64> {
        self.first_token_ms.map(|t| t - self.sent_ms)
    }
    /// First token to done.
    pub fn generation_ms(&self) -> Option<f64> {
        self.first_token_ms.map(|t| self.done_ms - t)
    }
    /// Time per output token after the first: generation ÷ (tokens − 1).
    pub fn tpot_ms(&self) -> Option<f64> {
        let n = self.usage?.completion_tokens;
        (n > 1).then(|| self.generation_ms().map(|g| g / (n - 1) as f64))?
    }

    /// Output tokens per second of generation, where usage and a first token are known.
    pub fn tokens_per_s(&self) -> Option<f64> {
        let gen_ms = self.generation_ms().filter(|g| *g > 0.0)?;
        Some(self.usage?.completion_tokens as f64 / (gen_ms / 1000.0))
    }

    /// The queue / first-token / generation breakdown, tokens and rate, as
    /// one line for the task's card.
    pub fn breakdown(&self) -> String {
        let mut parts = vec![format!("queued {}", duration_ms(self.wait_ms()))];
        if let Some(ttft) = self.ttft_ms() {
            parts.push(format!("first token {}", duration_ms(ttft)));
        }
        if let Some(generation) = self.generation_ms() {
            parts.push(format!("generation {}", duration_ms(generation)));
        }
        if let Some(u) = self.usage {
            parts.push(format!(
                "{} in / {} out tokens",
                u.prompt_tokens, u.completion_tokens
            ));
        }
        if let Some(rate) = self.tokens_per_s() {
            parts.push(format!("{rate:.0} tokens/s"));
        }
        if let Some(tpot) = self.tpot_ms() {
            parts.push(format!("{tpot:.1} ms per token"));
        }
        if let Some(g) = self.gaps {
            parts.push(format!("longest gap {}", duration_ms(g.max_ms)));
        }
        parts.join(" · ")
    }
}

/// Figures of one run (one mode, one round).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// First send to last finish.
    pub wall_ms: f64,
    /// Sum of the task durations.
    pub sum_task_ms: f64,
    /// The longest task: the least any parallel run of these tasks can take.
    pub slowest_task_ms: f64,
    /// wall / slowest task; 1.0 means no time lost beyond the slowest task.
    pub overhead: f64,
    /// Prompt tokens, over tasks that reported usage.
    pub tokens_in: u64,
    /// Completion tokens, over tasks that reported usage.
    pub tokens_out: u64,
    /// Tasks without usage (their tokens are unknown, not zero).
    pub usage_unknown: usize,
    /// Tasks that failed.
    pub errors: usize,
    /// Tasks in the run.
    pub tasks: usize,
}

/// Computes a run's figures from its tasks' timings; `start_ms` is when the
/// run began.
pub fn run_metrics(start_ms: f64, tasks: &[TaskTiming]) -> RunMetrics {
    let end = tasks.iter().map(|t| t.done_ms).fold(start_ms, f64::max);
    let wall_ms = end - start_ms;
    let sum_task_ms = tasks.iter().map(TaskTiming::total_ms).sum();
    let slowest_task_ms = tasks.iter().map(TaskTiming::total_ms).fold(0.0, f64::max);
    let usage: Vec<Usage> = tasks.iter().filter_map(|t| t.usage).collect();
    RunMetrics {
        wall_ms,
        sum_task_ms,
        slowest_task_ms,
        overhead: if slowest_task_ms > 0.0 {
            wall_ms / slowest_task_ms
        } else {
            0.0
        },
        tokens_in: usage.iter().map(|u| u.prompt_tokens).sum(),
        tokens_out: usage.iter().map(|u| u.completion_tokens).sum(),
        usage_unknown: tasks.len() - usage.len(),
        errors: tasks.iter().filter(|t| !t.ok).count(),
        tasks: tasks.len(),
    }
}

/// Sequential against parallel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Sequential wall time.
    pub sequential_ms: f64,
    /// Parallel wall time.
    pub parallel_ms: f64,
    /// sequential / parallel.
    pub speedup: f64,
    /// speedup / tasks run at once: 1.0 means every extra slot paid off fully.
    pub efficiency: f64,
    /// sequential - parallel.
    pub time_saved_ms: f64,
    /// time saved as a share of the sequential time, in percent.
    pub time_saved_pct: f64,
}

/// Compares two wall times; `concurrency` is how many tasks ran at once in
/// the parallel run.
pub fn compare(sequential_ms: f64, parallel_ms: f64, concurrency: usize) -> Comparison {
    let speedup = if parallel_ms > 0.0 {
        sequential_ms / parallel_ms
    } else {
        0.0
    };
    let saved = sequential_ms - parallel_ms;
    Comparison {
        sequential_ms,
        parallel_ms,
        speedup,
        efficiency: if concurrency > 0 {
            speedup / concurrency as f64
        } else {
            0.0
        },
        time_saved_ms: saved,
        time_saved_pct: if sequential_ms > 0.0 {
            100.0 * saved / sequential_ms
        } else {
            0.0
        },
    }
}

/// Compares the medians of several sequential and parallel wall times.
pub fn compare_medians(
    sequential: &[f64],
    parallel: &[f64],
    concurrency: usize,
) -> Option<Comparison> {
    Some(compare(median(sequential)?, median(parallel)?, concurrency))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str, sent: f64, first: Option<f64>, done: f64, out: Option<u64>) -> TaskTiming {
        TaskTiming {
            gaps: None,
            id: id.into(),
            queued_ms: 0.0,
            sent_ms: sent,
            first_token_ms: first,
            done_ms: done,
            usage: out.map(|o| Usage {
                prompt_tokens: 10,
                completion_tokens: o,
                total_tokens: 10 + o,
            }),
            ok: true,
            retry_waits: vec![],
        }
    }

    #[test]
    fn breakdown_names_each_stage() {
        let full = t("a", 200.0, Some(700.0), 1700.0, Some(50));
        assert_eq!(
            full.breakdown(),
            "queued 200 ms · first token 500 ms · generation 1.00 s · 10 in / 50 out tokens · 50 tokens/s · 20.4 ms per token"
        );
        // With its stream's gaps.
        let even = TaskTiming {
            gaps: crate::openai::client::Gaps::of(&[20.0, 30.0, 250.0]),
            ..full
        };
        assert!(
            even.breakdown()
                .ends_with("ms per token · longest gap 250 ms"),
            "{}",
            even.breakdown()
        );
        // Nothing streamed, no usage: only what is known.
        assert_eq!(t("b", 0.0, None, 900.0, None).breakdown(), "queued 0 ms");
    }

    #[test]
    fn sequential_run_figures() {
        // Three tasks back to back, 1 s each, 5 ms gaps.
        let tasks = [
            t("a", 0.0, Some(200.0), 1000.0, Some(40)),
            t("b", 1005.0, Some(1205.0), 2005.0, Some(80)),
            t("c", 2010.0, None, 3010.0, None),
        ];
        let m = run_metrics(0.0, &tasks);
        assert_eq!(m.wall_ms, 3010.0);
        assert_eq!(m.sum_task_ms, 3000.0);
        assert_eq!(m.slowest_task_ms, 1000.0);
        assert!((m.overhead - 3.01).abs() < 1e-9);
        assert_eq!((m.tokens_in, m.tokens_out, m.usage_unknown), (20, 120, 1));
        assert_eq!(tasks[1].wait_ms(), 1005.0);
        assert_eq!(tasks[0].ttft_ms(), Some(200.0));
        assert_eq!(tasks[0].generation_ms(), Some(800.0));
        assert_eq!(tasks[0].tokens_per_s(), Some(50.0));
        assert_eq!(tasks[2].tokens_per_s(), None);
    }

    #[test]
    fn parallel_run_overhead_is_wall_over_slowest() {
        let tasks = [
            t("a", 2.0, None, 1002.0, None),
            t("b", 3.0, None, 1503.0, None),
            t("c", 4.0, None, 604.0, None),
        ];
        let m = run_metrics(0.0, &tasks);
        assert_eq!(m.wall_ms, 1503.0);
        assert_eq!(m.slowest_task_ms, 1500.0);
        assert!((m.overhead - 1.002).abs() < 1e-9);
        assert_eq!(m.errors, 0);
    }

    #[test]
    fn comparison_figures_and_their_formulas() {
        let c = compare(6000.0, 1050.0, 6);
        assert!((c.speedup - 5.714_285_714).abs() < 1e-6);
        assert!((c.efficiency - c.speedup / 6.0).abs() < 1e-12);
        assert_eq!(c.time_saved_ms, 4950.0);
        assert!((c.time_saved_pct - 82.5).abs() < 1e-9);
        // A parallel run slower than sequential saves negative time.
        let worse = compare(1000.0, 1250.0, 2);
        assert_eq!(worse.time_saved_ms, -250.0);
        assert_eq!(worse.speedup, 0.8);
        assert_eq!(compare(1000.0, 0.0, 6).speedup, 0.0);
    }

    #[test]
    fn empty_and_failed_runs() {
        let m = run_metrics(100.0, &[]);
        assert_eq!((m.wall_ms, m.overhead, m.tasks), (0.0, 0.0, 0));
        let mut bad = t("x", 0.0, None, 50.0, None);
        bad.ok = false;
        assert_eq!(run_metrics(0.0, &[bad]).errors, 1);
    }

    #[test]
    fn timing_from_an_output_lists_retry_waits() {
        use crate::openai::{AttemptRecord, Timing};
        let attempt = |n, start, end, wait| AttemptRecord {
            number: n,
            started_ms: start,
            ended_ms: end,
            outcome: String::new(),
            wait_ms: wait,
        };
        let out = ChatOutput {
            rate_limit: None,
            served_by: None,
            text: "hi".into(),
            usage: None,
            finish_reason: None,
            timing: Timing {
                gaps: None,
                sent_ms: 10.0,
                headers_ms: Some(20.0),
                first_token_ms: Some(1530.0),
                last_token_ms: Some(1600.0),
                end_ms: 1610.0,
            },
            attempts: vec![
                attempt(1, 10.0, 30.0, Some(1000.0)),
                attempt(2, 1030.0, 1610.0, None),
            ],
            error: None,
        };
        let t = TaskTiming::from_output("summary", 5.0, &out);
        assert_eq!(t.retry_waits, vec![(30.0, 1030.0)]);
        assert_eq!(
            (t.wait_ms(), t.total_ms(), t.ttft_ms()),
            (5.0, 1600.0, Some(1520.0))
        );
        assert!(t.ok);
    }

    #[test]
    fn comparison_of_medians() {
        let c = compare_medians(&[6000.0, 6200.0, 5900.0], &[1000.0, 1100.0, 1050.0], 6).unwrap();
        assert_eq!((c.sequential_ms, c.parallel_ms), (6000.0, 1050.0));
        assert_eq!(compare_medians(&[], &[1.0], 6), None);
    }
}
