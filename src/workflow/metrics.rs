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
    /// First answer token, if streamed and any arrived.
    pub first_token_ms: Option<f64>,
    /// First token of any kind (thinking or answer), when it came before
    /// the answer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_any_ms: Option<f64>,
    /// Thinking tokens: from the usage details, else the thinking chunks
    /// counted; `None` with no thinking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
    /// The server's own timings (llama.cpp's `timings`), when it sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<crate::openai::types::ServerTimings>,
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
    /// Every gap before an output chunk after the first (thinking or
    /// answer), ms: the request's share of the pooled inter-token latency
    /// (vLLM's ITL). Empty when not streamed or kept before it was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub itl_ms: Vec<f64>,
}

/// A request's thinking tokens: the usage details' count, else the
/// thinking chunks it streamed; `None` when it did not think.
fn reasoning_tokens(out: &ChatOutput) -> Option<u64> {
    let reported = out
        .usage
        .and_then(|u| u.completion_tokens_details)
        .map(|d| d.reasoning_tokens)
        .filter(|n| *n > 0);
    let thought = !out.reasoning.is_empty() || out.timing.reasoning_chunks > 0;
    reported.or_else(|| thought.then_some(u64::from(out.timing.reasoning_chunks)))
}

impl TaskTiming {
    /// The timing of a finished request that was queued at `queued_ms`.
    pub fn from_output(id: &str, queued_ms: f64, out: &ChatOutput) -> Self {
        Self {
            id: id.to_string(),
            queued_ms,
            sent_ms: out.timing.sent_ms,
            first_token_ms: out.timing.first_token_ms,
            first_any_ms: out
                .timing
                .first_any_ms
                .filter(|a| out.timing.first_token_ms.is_none_or(|f| *a < f)),
            reasoning_tokens: reasoning_tokens(out),
            server: out.timing.server,
            done_ms: out.timing.end_ms,
            usage: out.usage,
            ok: out.error.is_none(),
            retry_waits: out
                .attempts
                .iter()
                .filter_map(|a| a.wait_ms.map(|w| (a.ended_ms, a.ended_ms + w)))
                .collect(),
            gaps: out.timing.gaps,
            itl_ms: out.itl_ms.clone(),
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
    /// Sent to the first answer token (the "first token" shown; for a
    /// reasoning model, GuideLLM's time to first output token).
    pub fn ttft_ms(&self) -> Option<f64> {
        self.first_token_ms.map(|t| t - self.sent_ms)
    }
    /// Sent to the first token of any kind, thinking included (vLLM's
    /// TTFT); the same as [`Self::ttft_ms`] without thinking.
    pub fn ttft_any_ms(&self) -> Option<f64> {
        self.first_any_ms
            .or(self.first_token_ms)
            .map(|t| t - self.sent_ms)
    }
    /// First token of any kind to first answer token: the thinking time.
    pub fn thinking_ms(&self) -> Option<f64> {
        Some(self.first_token_ms? - self.first_any_ms?)
    }
    /// First answer token to done: the answer's generation.
    pub fn generation_ms(&self) -> Option<f64> {
        self.first_token_ms.map(|t| self.done_ms - t)
    }
    /// Answer tokens: the completion's tokens less its thinking tokens.
    pub fn answer_tokens(&self) -> Option<u64> {
        let u = self.usage?;
        Some(
            u.completion_tokens
                .saturating_sub(self.reasoning_tokens.unwrap_or(0)),
        )
    }
    /// Time per output token after the first, as vLLM defines TPOT: (end −
    /// first token of any kind) ÷ (output tokens − 1), thinking included.
    pub fn tpot_ms(&self) -> Option<f64> {
        let n = self.usage?.completion_tokens;
        let first = self.first_any_ms.or(self.first_token_ms)?;
        (n > 1).then(|| (self.done_ms - first) / (n - 1) as f64)
    }

    /// Answer tokens per second of the answer's generation (thinking
    /// neither in the tokens nor in the time), where usage and a first
    /// answer token are known.
    pub fn tokens_per_s(&self) -> Option<f64> {
        let gen_ms = self.generation_ms().filter(|g| *g > 0.0)?;
        Some(self.answer_tokens()? as f64 / (gen_ms / 1000.0))
    }

    /// All output tokens (thinking and answer) per second from the first
    /// token of any kind to the end.
    pub fn output_tokens_per_s(&self) -> Option<f64> {
        let first = self.first_any_ms.or(self.first_token_ms)?;
        let ms = (self.done_ms - first).max(0.0);
        (ms > 0.0).then(|| self.usage.map(|u| u.completion_tokens as f64 * 1000.0 / ms))?
    }

    /// The server's own speeds beside the page's: prompt and generation
    /// tokens/s as the server measured them, and the first token's wait
    /// beyond the server's prompt time (queueing and network).
    pub fn server_line(&self) -> Option<String> {
        let s = self.server?;
        let mut parts = Vec::new();
        if let Some(p) = s.prompt_per_second {
            parts.push(format!("prompt {p:.0} tokens/s"));
        }
        if let Some(g) = s.predicted_per_second {
            parts.push(format!("generation {g:.0} tokens/s"));
        }
        if let (Some(ttft), Some(prompt)) = (self.ttft_any_ms(), s.prompt_ms) {
            parts.push(format!(
                "{} of the first token's wait outside the server's prompt time (queueing, network)",
                duration_ms((ttft - prompt).max(0.0))
            ));
        }
        (!parts.is_empty()).then(|| format!("server's own timings: {}", parts.join(", ")))
    }

    /// The queue / first-token / generation breakdown, tokens and rate, as
    /// one line for the task's card.
    pub fn breakdown(&self) -> String {
        let mut parts = vec![format!("queued {}", duration_ms(self.wait_ms()))];
        if let Some(thinking) = self.thinking_ms() {
            parts.push(format!(
                "first token {} (thinking)",
                duration_ms(self.ttft_any_ms().unwrap_or(0.0))
            ));
            parts.push(format!("thinking {}", duration_ms(thinking)));
            if let Some(ttft) = self.ttft_ms() {
                parts.push(format!("first answer token {}", duration_ms(ttft)));
            }
        } else if let Some(ttft) = self.ttft_ms() {
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
        if let (Some(r), Some(a)) = (self.reasoning_tokens, self.answer_tokens()) {
            parts.push(format!("{r} thinking + {a} answer"));
        }
        if let Some(rate) = self.tokens_per_s() {
            let what = if self.reasoning_tokens.is_some() {
                "answer tokens/s"
            } else {
                "tokens/s"
            };
            parts.push(format!("{rate:.0} {what}"));
        }
        if self.reasoning_tokens.is_some()
            && let Some(all) = self.output_tokens_per_s()
        {
            parts.push(format!("{all:.0} output tokens/s in all"));
        }
        if let Some(tpot) = self.tpot_ms() {
            parts.push(format!("{tpot:.1} ms per token"));
        }
        if let Some(g) = self.gaps {
            parts.push(format!("longest gap {}", duration_ms(g.max_ms)));
        }
        if let Some(server) = self.server_line() {
            parts.push(server);
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
            itl_ms: Vec::new(),
            gaps: None,
            id: id.into(),
            queued_ms: 0.0,
            sent_ms: sent,
            first_token_ms: first,
            first_any_ms: None,
            reasoning_tokens: None,
            server: None,
            done_ms: done,
            usage: out.map(|o| Usage {
                prompt_tokens: 10,
                completion_tokens: o,
                total_tokens: 10 + o,
                completion_tokens_details: None,
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
            itl_ms: Vec::new(),
            rate_limit: None,
            served_by: None,
            reasoning: String::new(),
            text: "hi".into(),
            usage: None,
            finish_reason: None,
            timing: Timing {
                gaps: None,
                sent_ms: 10.0,
                headers_ms: Some(20.0),
                first_token_ms: Some(1530.0),
                first_any_ms: Some(1530.0),
                reasoning_chunks: 0,
                server: None,
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

    /// A hand-made timeline of a reasoning model (the example): sent
    /// at 0, thinking from 100 ms, first answer token at 3,100 ms, done at
    /// 4,290 ms; 100 completion tokens, 60 of them thinking.
    fn thinker() -> TaskTiming {
        TaskTiming {
            itl_ms: Vec::new(),
            id: "t".into(),
            queued_ms: 0.0,
            sent_ms: 0.0,
            first_token_ms: Some(3100.0),
            first_any_ms: Some(100.0),
            reasoning_tokens: Some(60),
            server: None,
            done_ms: 4290.0,
            usage: Some(Usage {
                prompt_tokens: 400,
                completion_tokens: 100,
                total_tokens: 500,
                completion_tokens_details: None,
            }),
            ok: true,
            retry_waits: Vec::new(),
            gaps: None,
        }
    }

    #[test]
    fn a_reasoning_models_figures_follow_the_fields_definitions() {
        let t = thinker();
        // vLLM's TTFT: the first token of any kind.
        assert_eq!(t.ttft_any_ms(), Some(100.0));
        // GuideLLM's time to first output token: the answer's.
        assert_eq!(t.ttft_ms(), Some(3100.0));
        assert_eq!(t.thinking_ms(), Some(3000.0));
        assert_eq!(t.answer_tokens(), Some(40));
        // 40 answer tokens over the answer's 1.19 s, not 100 over it (84/s).
        let answer = t.tokens_per_s().unwrap();
        assert!((answer - 40.0 / 1.19).abs() < 1e-9, "{answer}");
        let all = t.output_tokens_per_s().unwrap();
        assert!((all - 100.0 / 4.19).abs() < 1e-9, "{all}");
        // vLLM's TPOT: (latency − TTFT) ÷ (output tokens − 1).
        assert_eq!(t.tpot_ms(), Some((4290.0 - 100.0) / 99.0));
        let line = t.breakdown();
        assert!(line.contains("first token 100 ms (thinking)"), "{line}");
        assert!(line.contains("first answer token 3.10 s"), "{line}");
        assert!(line.contains("60 thinking + 40 answer"), "{line}");
        assert!(line.contains("34 answer tokens/s"), "{line}");
        // Without thinking the two first tokens are one, and TPOT is as before.
        let plain = TaskTiming {
            first_any_ms: None,
            reasoning_tokens: None,
            server: None,
            ..thinker()
        };
        assert_eq!(plain.ttft_any_ms(), plain.ttft_ms());
        assert_eq!(plain.thinking_ms(), None);
        assert_eq!(plain.answer_tokens(), Some(100));
        assert_eq!(plain.tpot_ms(), Some((4290.0 - 3100.0) / 99.0));
        assert!(
            plain
                .breakdown()
                .contains("first token 3.10 s · generation")
        );
    }

    #[test]
    fn thinking_tokens_come_from_usage_details_else_from_counted_chunks() {
        let mut out = ChatOutput {
            itl_ms: Vec::new(),
            text: "ok".into(),
            usage: Some(Usage {
                prompt_tokens: 1,
                completion_tokens: 10,
                total_tokens: 11,
                completion_tokens_details: Some(crate::openai::types::CompletionTokensDetails {
                    reasoning_tokens: 7,
                }),
            }),
            finish_reason: None,
            timing: crate::openai::Timing {
                sent_ms: 0.0,
                first_any_ms: Some(5.0),
                first_token_ms: Some(50.0),
                reasoning_chunks: 4,
                end_ms: 60.0,
                ..crate::openai::Timing::default()
            },
            attempts: Vec::new(),
            error: None,
            rate_limit: None,
            served_by: None,
            reasoning: "hmm".into(),
        };
        let t = TaskTiming::from_output("t", 0.0, &out);
        assert_eq!(t.reasoning_tokens, Some(7));
        assert_eq!(t.first_any_ms, Some(5.0));
        out.usage = out.usage.map(|u| Usage {
            completion_tokens_details: None,
            ..u
        });
        assert_eq!(
            TaskTiming::from_output("t", 0.0, &out).reasoning_tokens,
            Some(4)
        );
        // No thinking at all: none, and the first token of any kind is the answer's.
        out.reasoning.clear();
        out.timing.reasoning_chunks = 0;
        out.timing.first_any_ms = Some(50.0);
        let t = TaskTiming::from_output("t", 0.0, &out);
        assert_eq!((t.reasoning_tokens, t.first_any_ms), (None, None));
    }

    #[test]
    fn the_servers_own_timings_stand_beside_the_pages() {
        let t = TaskTiming {
            server: Some(crate::openai::types::ServerTimings {
                prompt_n: Some(400.0),
                prompt_ms: Some(80.0),
                prompt_per_second: Some(5000.0),
                predicted_n: Some(100.0),
                predicted_ms: Some(4000.0),
                predicted_per_second: Some(25.0),
            }),
            ..thinker()
        };
        let line = t.server_line().unwrap();
        assert!(line.contains("prompt 5000 tokens/s"), "{line}");
        assert!(line.contains("generation 25 tokens/s"), "{line}");
        // First token of any kind at 100 ms, 80 of them the server's prompt.
        assert!(
            line.contains("20 ms of the first token's wait outside"),
            "{line}"
        );
        assert!(t.breakdown().ends_with(&line));
        assert_eq!(thinker().server_line(), None);
    }
}
