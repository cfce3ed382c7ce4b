//! Other tools' result files as kept runs of their own kind: vLLM's `bench
//! serve --save-result` JSON (one object, or one per line with
//! `--append-result`), GuideLLM's `benchmarks.json`, genai-perf's
//! `profile_export_genai_perf.json`, AIPerf's per-request
//! `profile_export.jsonl`, llmperf's `*_summary.json` and
//! `*_individual_responses.json`, and promptfoo's `-o results.json`.
//!
//! Every figure is read in the unit the file has and kept in ours (ms for
//! times, per second for rates), under our name for the same definition
//! (`docs/timings.md` maps each); a figure the file lacks stays absent,
//! never 0. `parse` reads, [`to_vllm`] writes vLLM's format back.

pub mod parse;

use serde::{Deserialize, Serialize};

pub use parse::parse;

/// The tool a result file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// vLLM `bench serve`.
    Vllm,
    /// GuideLLM.
    Guidellm,
    /// NVIDIA genai-perf.
    GenaiPerf,
    /// AIPerf (genai-perf's successor).
    Aiperf,
    /// ray-project's llmperf.
    Llmperf,
    /// promptfoo.
    Promptfoo,
}

impl Source {
    /// Stable name, as rows (`data-source`) and files write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vllm => "vllm",
            Self::Guidellm => "guidellm",
            Self::GenaiPerf => "genai-perf",
            Self::Aiperf => "aiperf",
            Self::Llmperf => "llmperf",
            Self::Promptfoo => "promptfoo",
        }
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Vllm => "vLLM bench serve",
            Self::Guidellm => "GuideLLM",
            Self::GenaiPerf => "genai-perf",
            Self::Aiperf => "AIPerf",
            Self::Llmperf => "llmperf",
            Self::Promptfoo => "promptfoo",
        }
    }
}

/// How a figure spread, as the file gives it (ms for times); each
/// statistic absent where the file has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Dist {
    /// Mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Median (p50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// 90th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<f64>,
    /// 99th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<f64>,
}

impl Dist {
    /// Every statistic × `k` (seconds to ms: 1000).
    pub fn scaled(self, k: f64) -> Self {
        let s = |v: Option<f64>| v.map(|v| v * k);
        Self {
            mean: s(self.mean),
            median: s(self.median),
            p90: s(self.p90),
            p99: s(self.p99),
        }
    }

    /// Of values (nearest rank, as our own spreads); all absent for none.
    pub fn of(values: &[f64]) -> Self {
        Self::from(&crate::capacity::Spread::of_times(values))
    }

    /// Whether the file gave any statistic.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl From<&crate::capacity::Spread> for Dist {
    /// Our spread of a figure, in a file's terms (its p50 is the median).
    fn from(s: &crate::capacity::Spread) -> Self {
        Self {
            mean: s.mean,
            median: s.p50,
            p90: s.p90,
            p99: s.p99,
        }
    }
}

/// One request of a file that lists them, in our units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// It answered.
    pub ok: bool,
    /// Sent to first token, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    /// Sent to done, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2e_ms: Option<f64>,
    /// Output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Gaps between its output chunks after the first, ms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub itl_ms: Vec<f64>,
    /// Sent, ms after the first request of its benchmark, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ms: Option<f64>,
}

impl Request {
    /// As one of our requests' timings (sent at its start, or 0), so the
    /// same per-request figures are drawn from it.
    pub fn timing(&self) -> crate::workflow::metrics::TaskTiming {
        let sent = self.start_ms.unwrap_or(0.0);
        crate::workflow::metrics::TaskTiming {
            id: "request".into(),
            queued_ms: sent,
            sent_ms: sent,
            first_token_ms: self.ttft_ms.map(|t| sent + t),
            done_ms: sent + self.e2e_ms.or(self.ttft_ms).unwrap_or(0.0),
            usage: self.output_tokens.map(|o| crate::openai::Usage {
                prompt_tokens: self.input_tokens.unwrap_or(0),
                completion_tokens: o,
                total_tokens: self.input_tokens.unwrap_or(0) + o,
                completion_tokens_details: None,
            }),
            ok: self.ok,
            itl_ms: self.itl_ms.clone(),
            ..Default::default()
        }
    }
}

/// One benchmark of a file: one concurrency or request rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// What it was, in words ("concurrency 8", "rate 4/s", "synchronous").
    pub label: String,
    /// Requests in flight at most, when the tool set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<f64>,
    /// Requests sent per second, when the tool paced them (`None` with
    /// none or "inf").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<f64>,
    /// Requests answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<u64>,
    /// Requests failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<u64>,
    /// Its duration, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    /// Time to first token (of any kind), ms.
    #[serde(default, skip_serializing_if = "Dist::is_empty")]
    pub ttft: Dist,
    /// Time per output token as vLLM defines it, ms.
    #[serde(default, skip_serializing_if = "Dist::is_empty")]
    pub tpot: Dist,
    /// Inter-token latency pooled over requests (vLLM's ITL), ms.
    #[serde(default, skip_serializing_if = "Dist::is_empty")]
    pub itl: Dist,
    /// End to end, ms.
    #[serde(default, skip_serializing_if = "Dist::is_empty")]
    pub e2el: Dist,
    /// Requests answered per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_throughput: Option<f64>,
    /// Output tokens per second, all requests together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_throughput: Option<f64>,
    /// Requests meeting every target per second, when the tool counted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goodput: Option<f64>,
    /// Each request, when the file lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<Request>,
}

/// Another tool's results, as a record keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    /// The tool.
    pub source: Source,
    /// The file's name.
    pub file: String,
    /// Its benchmarks, in the file's order.
    pub points: Vec<Point>,
}

/// The most requests of one benchmark the timeline draws.
pub const TIMELINE_REQUESTS: usize = 60;

impl Point {
    /// Its requests as timeline bars, the first `limit` by start, each from
    /// sent to done with its wait for the first token, grouped under the
    /// benchmark's label; none when any request lacks a start time (the
    /// file gives no order to draw them in).
    pub fn timeline(&self, limit: usize) -> Vec<crate::charts::timeline::TimelineRow> {
        if self.requests.iter().any(|r| r.start_ms.is_none()) {
            return Vec::new();
        }
        let mut order: Vec<&Request> = self.requests.iter().collect();
        order.sort_by(|a, b| {
            a.start_ms
                .unwrap_or(0.0)
                .total_cmp(&b.start_ms.unwrap_or(0.0))
        });
        order
            .into_iter()
            .take(limit)
            .enumerate()
            .map(|(i, r)| {
                let t = r.timing();
                crate::charts::timeline::TimelineRow {
                    label: format!("#{}", i + 1),
                    group: self.label.clone(),
                    status: if r.ok { "done" } else { "error" }.into(),
                    start_ms: t.sent_ms,
                    first_token_ms: t.first_token_ms,
                    end_ms: t.done_ms,
                    waits: Vec::new(),
                    expected_ms: None,
                    parts: Vec::new(),
                }
            })
            .collect()
    }
}

impl Imported {
    /// The benchmark a record's headline shows: the one with the most
    /// requests in flight (or the highest rate), else the last.
    pub fn headline(&self) -> Option<&Point> {
        let key = |p: &Point| p.concurrency.or(p.request_rate).unwrap_or(0.0);
        self.points
            .iter()
            .rev()
            .max_by(|a, b| key(a).total_cmp(&key(b)))
    }

    /// Every invariant the views rely on.
    pub fn check(&self) -> Result<(), String> {
        if self.points.is_empty() || self.points.len() > 1000 {
            return Err("an imported result has 1–1000 benchmarks".into());
        }
        if self.file.len() > 500 {
            return Err("a file name is longer than a record keeps".into());
        }
        let finite = |v: Option<f64>| v.is_none_or(|v| v.is_finite() && v >= 0.0);
        for p in &self.points {
            let dists = [p.ttft, p.tpot, p.itl, p.e2el];
            let ok = p.label.len() <= 200
                && [
                    p.concurrency,
                    p.request_rate,
                    p.duration_s,
                    p.request_throughput,
                    p.output_throughput,
                    p.goodput,
                ]
                .into_iter()
                .all(finite)
                && dists
                    .iter()
                    .all(|d| [d.mean, d.median, d.p90, d.p99].into_iter().all(finite))
                && p.requests.iter().all(|r| {
                    finite(r.ttft_ms)
                        && finite(r.e2e_ms)
                        && finite(r.start_ms)
                        && r.itl_ms.iter().all(|g| g.is_finite() && *g >= 0.0)
                });
            if !ok {
                return Err(format!(
                    "benchmark \"{}\" has a figure that is not a time or a rate",
                    p.label
                ));
            }
        }
        Ok(())
    }
}

/// vLLM's `bench serve --save-result` file for `points` (one JSON object per
/// benchmark, one per line as `--append-result` writes them), with the
/// figures in vLLM's units (seconds for per-request lists, ms for the
/// statistics); what we do not know is left out, not written as 0.
pub fn to_vllm(model: &str, date: &str, points: &[Point]) -> String {
    use serde_json::{Map, Value, json};
    points
        .iter()
        .map(|p| {
            let mut o = Map::new();
            o.insert("date".into(), json!(date));
            o.insert("backend".into(), json!("fanout"));
            o.insert("endpoint_type".into(), json!("fanout"));
            o.insert("label".into(), json!(p.label));
            o.insert("model_id".into(), json!(model));
            o.insert(
                "request_rate".into(),
                p.request_rate.map_or(json!("inf"), |r| json!(r)),
            );
            o.insert(
                "max_concurrency".into(),
                p.concurrency
                    .map_or(Value::Null, |c| json!(c.round() as u64)),
            );
            let mut put = |k: &str, v: Option<f64>| {
                if let Some(v) = v {
                    o.insert(k.into(), json!(v));
                }
            };
            put("duration", p.duration_s);
            put("completed", p.completed.map(|v| v as f64));
            put("failed", p.failed.map(|v| v as f64));
            put("request_throughput", p.request_throughput);
            put("output_throughput", p.output_throughput);
            put("request_goodput", p.goodput);
            for (m, d) in [
                ("ttft", p.ttft),
                ("tpot", p.tpot),
                ("itl", p.itl),
                ("e2el", p.e2el),
            ] {
                put(&format!("mean_{m}_ms"), d.mean);
                put(&format!("median_{m}_ms"), d.median);
                put(&format!("p90_{m}_ms"), d.p90);
                put(&format!("p99_{m}_ms"), d.p99);
            }
            if !p.requests.is_empty() {
                let s = |v: Option<f64>| v.map_or(Value::Null, |v| json!(v / 1000.0));
                let list = |f: &dyn Fn(&Request) -> Value| -> Value {
                    Value::Array(p.requests.iter().map(f).collect())
                };
                o.insert("ttfts".into(), list(&|r| s(r.ttft_ms)));
                o.insert("latencies".into(), list(&|r| s(r.e2e_ms)));
                o.insert(
                    "output_lens".into(),
                    list(&|r| r.output_tokens.map_or(Value::Null, |v| json!(v))),
                );
                o.insert(
                    "input_lens".into(),
                    list(&|r| r.input_tokens.map_or(Value::Null, |v| json!(v))),
                );
                o.insert(
                    "itls".into(),
                    list(&|r| json!(r.itl_ms.iter().map(|g| g / 1000.0).collect::<Vec<_>>())),
                );
                o.insert(
                    "errors".into(),
                    list(&|r| json!(if r.ok { "" } else { "failed" })),
                );
            }
            Value::Object(o).to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::RunRecord;

    macro_rules! fixture {
        ($name:literal) => {
            (
                $name,
                include_str!(concat!("../../../tests/fixtures/foreign/", $name)),
            )
        };
    }

    fn import(f: (&str, &str)) -> RunRecord {
        RunRecord::import_any(f.0, f.1, 1.0).unwrap_or_else(|e| panic!("{}: {e}", f.0))
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-6)
    }

    #[test]
    fn vllm_results_keep_their_ms_and_seconds_apart() {
        let r = import(fixture!("vllm_bench_serve.json"));
        let i = r.kind.imported().unwrap();
        assert_eq!(i.source, Source::Vllm);
        assert_eq!(r.model, "Qwen/Qwen3-8B");
        // "20261201-101500", read as UTC.
        assert_eq!(r.at, 1_796_120_100_000.0);
        let p = &i.points[0];
        assert_eq!(
            (p.label.as_str(), p.concurrency, p.request_rate),
            ("concurrency 8", Some(8.0), None)
        );
        assert_eq!(
            (p.completed, p.failed, p.duration_s),
            (Some(4), Some(0), Some(2.0))
        );
        assert_eq!(
            p.ttft,
            Dist {
                mean: Some(120.5),
                median: Some(110.0),
                p90: None,
                p99: Some(300.0)
            }
        );
        assert_eq!(p.itl.median, Some(18.0));
        // No e2el statistics in the file: drawn from `latencies` (seconds).
        assert_eq!(p.e2el.median, Some(1200.0));
        // Goodput null: absent, not 0.
        assert_eq!(p.goodput, None);
        assert_eq!(
            (p.request_throughput, p.output_throughput),
            (Some(2.0), Some(100.0))
        );
        assert!(p.requests.iter().all(|q| q.ttft_ms.is_none()));
        // Its requests have no start times: nothing to draw them by.
        assert!(!p.requests.is_empty() && p.timeline(TIMELINE_REQUESTS).is_empty());
    }

    #[test]
    fn vllm_detailed_results_give_each_request() {
        let r = import(fixture!("vllm_bench_serve_detailed.json"));
        let p = &r.kind.imported().unwrap().points[0];
        assert_eq!(
            (p.label.as_str(), p.request_rate, p.concurrency),
            ("detailed", Some(2.0), None)
        );
        assert_eq!(p.requests.len(), 3);
        let q = &p.requests[1];
        assert!(q.ok && !p.requests[2].ok);
        assert!(close(q.ttft_ms, 200.0) && close(q.e2e_ms, 300.0) && close(q.start_ms, 500.0));
        assert_eq!(q.itl_ms.len(), 2);
        assert!((q.itl_ms[0] - 50.0).abs() < 1e-9);
        assert_eq!(p.goodput, Some(0.6667));
        // The same per-request figures as our runs: first token p50 of the
        // two answered requests, and ITL pooled over their 6 gaps.
        let groups = r.request_stats(&crate::capacity::Targets::default());
        assert_eq!(groups.len(), 1);
        let st = &groups[0].stats;
        assert_eq!((st.requests, st.errors), (3, 1));
        assert!(close(st.ttft.p50, 100.0), "{:?}", st.ttft);
        assert_eq!(st.itl.n, 6);
        assert!(close(st.itl.mean, 30.0), "{:?}", st.itl);
    }

    #[test]
    fn guidellm_benchmarks_each_become_a_point_with_seconds_as_ms() {
        let r = import(fixture!("guidellm_benchmarks.json"));
        let i = r.kind.imported().unwrap();
        assert_eq!(i.source, Source::Guidellm);
        assert_eq!(
            (r.model.as_str(), r.host.as_str()),
            ("Qwen/Qwen3-8B", "127.0.0.1:8000")
        );
        assert_eq!(r.at, 1_764_583_200_000.0);
        assert_eq!(i.points.len(), 2);
        let (one, four) = (&i.points[0], &i.points[1]);
        assert_eq!(one.label, "concurrent, 1 streams");
        assert_eq!(four.concurrency, Some(4.0));
        // request_latency is in seconds; the token times in ms.
        assert!(close(four.e2el.median, 1050.0) && close(four.e2el.p99, 1900.0));
        assert_eq!(four.ttft.p90, Some(220.0));
        // Its inter-token latency (first token excluded) is vLLM's TPOT.
        assert_eq!(four.tpot.median, Some(9.4));
        // No pooled ITL in GuideLLM: absent, even with per-request data.
        assert!(four.itl.is_empty());
        assert_eq!((four.completed, four.failed), (Some(38), Some(2)));
        assert_eq!((four.goodput, one.goodput), (Some(3.5), None));
        assert_eq!(four.requests.len(), 3);
        // Each request's start (unix seconds) from its benchmark's.
        let starts: Vec<_> = four.requests.iter().map(|q| q.start_ms).collect();
        assert_eq!(starts, [Some(0.0), Some(250.0), Some(500.0)]);
        // Drawn on the timeline as our requests are: sent, first token
        // (ms), done (latency in seconds), failed ones marked.
        let bars = four.timeline(TIMELINE_REQUESTS);
        let drawn: Vec<_> = bars
            .iter()
            .map(|b| (b.start_ms, b.first_token_ms, b.end_ms, b.status.as_str()))
            .collect();
        assert_eq!(drawn[0], (0.0, Some(130.0), 1000.0, "done"));
        assert_eq!(drawn[1].2, 1350.0);
        assert_eq!(drawn[2], (500.0, None, 700.0, "error"));
        assert!(bars.iter().all(|b| b.group == four.label));
        assert_eq!(four.timeline(2).len(), 2);
        // The headline benchmark is the one with the most streams.
        assert_eq!(i.headline().unwrap().concurrency, Some(4.0));
    }

    #[test]
    fn genai_perf_and_aiperf_files_read_with_their_units() {
        let r = import(fixture!("profile_export_genai_perf.json"));
        let i = r.kind.imported().unwrap();
        assert_eq!(i.source, Source::GenaiPerf);
        assert_eq!(r.model, "mistralai/Mistral-7B-Instruct-v0.3");
        assert_eq!(r.host, "localhost:8000");
        let p = &i.points[0];
        assert_eq!(
            p.ttft,
            Dist {
                mean: Some(95.0),
                median: Some(90.0),
                p90: Some(120.0),
                p99: Some(160.0)
            }
        );
        assert_eq!(p.tpot.median, Some(9.1));
        assert_eq!(
            (p.request_throughput, p.output_throughput, p.goodput),
            (Some(7.5), Some(750.0), None)
        );
        assert_eq!(p.concurrency, Some(8.0));
        // No counts in the file: absent.
        assert_eq!(p.completed, None);

        let r = import(fixture!("profile_export.jsonl"));
        let p = &r.kind.imported().unwrap().points[0];
        assert_eq!(r.kind.imported().unwrap().source, Source::Aiperf);
        assert_eq!((p.completed, p.failed), (Some(2), Some(1)));
        // 1.0 s to 2.0 s: two answered in one second.
        assert_eq!((p.duration_s, p.request_throughput), (Some(1.0), Some(2.0)));
        // Inter-chunk gaps pooled: 10, 10, 10, 30.
        assert_eq!(p.itl.mean, Some(15.0));
        assert_eq!(p.ttft.median, Some(100.0));
        // TPOT from each request: (500 − 100) ÷ 40 and (900 − 200) ÷ 40.
        assert_eq!(p.tpot.mean, Some((10.0 + 17.5) / 2.0));
    }

    #[test]
    fn aiperf_statistics_file_reads_as_aiperf_with_its_counts_and_start() {
        let r = import(fixture!("profile_export_aiperf.json"));
        let i = r.kind.imported().unwrap();
        // Its metrics are genai-perf's, its summary fields AIPerf's own.
        assert_eq!(i.source, Source::Aiperf);
        assert_eq!(
            (r.model.as_str(), r.host.as_str()),
            ("openai/gpt-oss-20b", "localhost:9000")
        );
        // "2025-10-17T20:22:08.939332", no zone: UTC.
        assert!((r.at - 1_760_732_528_939.332).abs() < 1e-3, "{}", r.at);
        let p = &i.points[0];
        assert_eq!(
            (p.label.as_str(), p.concurrency, p.request_rate),
            ("concurrency 32", Some(32.0), None)
        );
        // Valid requests and failed ones are counted apart.
        assert_eq!((p.completed, p.failed), (Some(200), Some(4)));
        assert_eq!(p.duration_s, Some(16.0));
        assert_eq!(
            p.e2el,
            Dist {
                mean: Some(2400.0),
                median: Some(2300.0),
                p90: Some(3100.0),
                p99: Some(3900.0)
            }
        );
        // Its inter-token latency excludes the first token: vLLM's TPOT.
        assert_eq!((p.tpot.median, p.itl.median), (Some(21.0), None));
        assert_eq!(p.ttft.p99, Some(410.0));
        assert_eq!(
            (p.request_throughput, p.output_throughput, p.goodput),
            (Some(12.5), Some(1250.0), Some(10.0))
        );
        // A goodput given as a bare number (a rate or a percentage?) is
        // not read; without error_request_count, no request failed.
        let bare = fixture!("profile_export_aiperf.json")
            .1
            .replace(
                r#""goodput": {"unit": "requests/sec", "avg": 10.0}"#,
                r#""goodput": 80.0"#,
            )
            .replace(
                r#""error_request_count": {"unit": "requests", "avg": 4.0},"#,
                "",
            );
        let r = import(("profile_export_aiperf.json", &bare));
        let p = &r.kind.imported().unwrap().points[0];
        assert_eq!((p.goodput, p.failed), (None, Some(0)));
    }

    #[test]
    fn llmperf_seconds_and_per_minute_become_ms_and_per_second() {
        let r = import(fixture!("llmperf_summary.json"));
        let p = &r.kind.imported().unwrap().points[0];
        assert!(close(p.ttft.median, 250.0) && close(p.ttft.p99, 600.0));
        assert!(close(p.e2el.mean, 3300.0));
        assert!(close(p.tpot.median, 20.0));
        // 150 a minute is 2.5 a second.
        assert_eq!(p.request_throughput, Some(2.5));
        assert_eq!(
            (p.completed, p.failed, p.concurrency),
            (Some(98), Some(2), Some(8.0))
        );
        assert_eq!(r.at, 1_764_583_200_000.0);

        let r = import(fixture!("llmperf_individual_responses.json"));
        let p = &r.kind.imported().unwrap().points[0];
        assert_eq!((p.completed, p.failed), (Some(2), Some(1)));
        assert!(close(p.ttft.median, 250.0) && close(p.e2el.p99, 3400.0));
    }

    #[test]
    fn promptfoo_latencies_without_first_tokens() {
        let r = import(fixture!("promptfoo_results.json"));
        let i = r.kind.imported().unwrap();
        assert_eq!(i.source, Source::Promptfoo);
        assert_eq!(r.model, "openai:gpt-4o-mini");
        let p = &i.points[0];
        // An assertion that failed still answered; the error did not.
        assert_eq!((p.completed, p.failed), (Some(2), Some(1)));
        assert!(p.ttft.is_empty() && p.tpot.is_empty());
        assert_eq!(p.e2el.median, Some(1000.0));
        assert_eq!(p.duration_s, Some(2.5));
        // "2026-12-01T10:00:00.000Z".
        assert_eq!(r.at, 1_796_119_200_000.0);
    }

    #[test]
    fn a_file_of_another_kind_or_a_broken_one_is_refused_saying_what_it_looked_like() {
        for (text, says) in [
            (
                "{\"hello\": \"world\", \"n\": 1}",
                "an object with hello, n",
            ),
            ("[1, 2, 3]", "an array of 3 items"),
            ("not json", "it is not JSON"),
            (
                "{\"a\": 1}\n{\"b\": 2}",
                "neither vLLM results nor AIPerf records",
            ),
            ("{\"benchmarks\": []}", "GuideLLM file with no benchmarks"),
        ] {
            let e = RunRecord::import_any("x.json", text, 1.0)
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{text}: {e}");
            assert!(
                e.contains("not a Fanout run") || e.contains("not JSON"),
                "{e}"
            );
        }
        // A figure that is no number is refused whole.
        let bad = include_str!("../../../tests/fixtures/foreign/vllm_bench_serve.json")
            .replace("\"latencies\": [1.0", "\"latencies\": [-1.0");
        let e = RunRecord::import_any("x.json", &bad, 1.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a time or a rate"), "{e}");
    }

    #[test]
    fn the_trend_draws_an_imported_runs_median_end_to_end_beside_ours() {
        let vllm = import(fixture!("vllm_bench_serve.json"));
        let ours =
            crate::history::record::fixtures::compare("Qwen/Qwen3-8B", 1.8e12, 500.0, 3, "A");
        let series = crate::history::query::trend(&[vllm.clone(), ours.clone()]);
        assert_eq!(series.len(), 1);
        assert_eq!(
            series[0].latency,
            vec![
                (vllm.at, 1200.0),
                (ours.at, ours.median_latency_ms().unwrap())
            ]
        );
    }

    #[test]
    fn reports_list_each_benchmark_as_text() {
        let mut r = import(fixture!("guidellm_benchmarks.json"));
        if let crate::history::record::Kind::Imported(i) = &mut r.kind {
            i.file = "<b>bench</b>.json".into();
        }
        let h = crate::history::export::html::html(&r, &crate::capacity::Targets::default());
        assert!(h.contains("<h2>Imported from GuideLLM</h2>"), "{h}");
        assert!(h.contains("&lt;b&gt;bench&lt;/b&gt;.json") && !h.contains("<b>bench"));
        assert!(
            h.contains("<td>concurrent, 4 streams</td><td>38 / 2</td>"),
            "{h}"
        );
        let c = crate::history::export::csv::csv(&r);
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("benchmark,concurrency,request_rate,completed,failed"));
        // Absent figures stay empty, not 0: no rate, no ITL in GuideLLM.
        assert!(
            lines[2].starts_with("\"concurrent, 4 streams\",4.0,,38,2,10.0,150.0"),
            "{}",
            lines[2]
        );
        assert!(lines[2].contains(",14.0,,,,,1100.0,"), "{}", lines[2]);
    }

    #[test]
    fn any_cut_of_any_file_is_read_or_refused_never_a_panic() {
        for (name, text) in [
            fixture!("vllm_bench_serve.json"),
            fixture!("vllm_bench_serve_detailed.json"),
            fixture!("guidellm_benchmarks.json"),
            fixture!("profile_export_genai_perf.json"),
            fixture!("profile_export.jsonl"),
            fixture!("llmperf_summary.json"),
            fixture!("llmperf_individual_responses.json"),
            fixture!("promptfoo_results.json"),
        ] {
            for cut in (0..text.len())
                .step_by(3)
                .filter(|c| text.is_char_boundary(*c))
            {
                let _ = RunRecord::import_any(name, &text[..cut], 1.0);
            }
        }
    }

    #[test]
    fn an_imported_record_is_kept_and_read_back_whole() {
        for f in [
            fixture!("vllm_bench_serve_detailed.json"),
            fixture!("guidellm_benchmarks.json"),
            fixture!("profile_export.jsonl"),
        ] {
            let r = import(f);
            let again = RunRecord::import(&r.to_json()).unwrap();
            assert_eq!(again, r);
        }
    }

    #[test]
    fn a_vllm_file_written_from_points_reads_back_as_the_same_points() {
        let r = import(fixture!("vllm_bench_serve_detailed.json"));
        let points = &r.kind.imported().unwrap().points;
        let text = to_vllm("m", "20261201-111500", points);
        let back = import(("again.json", &text));
        let p = &back.kind.imported().unwrap().points[0];
        assert_eq!(p.ttft, points[0].ttft);
        assert_eq!(p.itl, points[0].itl);
        assert_eq!(p.requests.len(), 3);
        for (a, b) in p.requests.iter().zip(&points[0].requests) {
            assert!(close(a.ttft_ms, b.ttft_ms.unwrap_or(f64::NAN)) || a.ttft_ms == b.ttft_ms);
            assert_eq!(a.ok, b.ok);
            assert_eq!(a.itl_ms.len(), b.itl_ms.len());
        }
    }
}
