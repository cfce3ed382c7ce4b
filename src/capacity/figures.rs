//! Per-request figures (time to first token, time per output token, speed,
//! end to end) and their spread over many requests (p50, p90, p99), with
//! goodput: the requests per second that met the latency targets.

use serde::{Deserialize, Serialize};

use crate::stats::percentile;
use crate::workflow::metrics::TaskTiming;

/// The fewest answered requests a p90 is read from: with fewer, one slow
/// request is already more than a tenth of them.
pub const MIN_FOR_P90: usize = 10;

/// One request's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestFigures {
    /// Sent to first token, when streamed.
    pub ttft_ms: Option<f64>,
    /// Time per output token after the first: generation time ÷ (tokens − 1).
    pub tpot_ms: Option<f64>,
    /// Output tokens per second of generation.
    pub tokens_per_s: Option<f64>,
    /// Sent to done.
    pub e2e_ms: f64,
    /// Output tokens, when reported.
    pub tokens_out: Option<u64>,
    /// The longest gap between its streamed chunks.
    pub gap_max_ms: Option<f64>,
    /// It answered.
    pub ok: bool,
}

impl RequestFigures {
    /// The figures of one finished request.
    pub fn of(t: &TaskTiming) -> Self {
        let tokens = t.usage.map(|u| u.completion_tokens);
        Self {
            ttft_ms: t.ttft_ms(),
            tpot_ms: t.tpot_ms(),
            tokens_per_s: t.tokens_per_s(),
            e2e_ms: t.total_ms(),
            tokens_out: tokens,
            gap_max_ms: t.gaps.map(|g| g.max_ms),
            ok: t.ok,
        }
    }
}

/// How a figure spreads over requests: the value half, nine in ten and 99
/// in 100 of them are no worse than (by nearest rank: values that occurred).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile from the bad end.
    pub p90: Option<f64>,
    /// 99th percentile from the bad end.
    pub p99: Option<f64>,
    /// Values it was read from.
    pub n: usize,
    /// Their mean (absent in records kept before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

impl Spread {
    /// Of times, where higher is worse (p90: 9 in 10 took at most this).
    pub fn of_times(values: &[f64]) -> Self {
        Self {
            p50: percentile(values, 0.5),
            p90: percentile(values, 0.9),
            p99: percentile(values, 0.99),
            n: values.len(),
            mean: mean(values),
        }
    }

    /// Of speeds, where lower is worse (p90: 9 in 10 were at least this fast).
    pub fn of_rates(values: &[f64]) -> Self {
        Self {
            p50: percentile(values, 0.5),
            p90: percentile(values, 0.1),
            p99: percentile(values, 0.01),
            n: values.len(),
            mean: mean(values),
        }
    }
}

/// What every request should get, for capacity and goodput. The times are
/// the ones vLLM's `bench serve --goodput` and GuideLLM name `ttft`,
/// `tpot` and `e2el` (ms), so targets carry between the tools
/// ([`Targets::goodput_arg`], [`Targets::parse_goodput`]); a capacity step
/// holds when the p90 of each is within its target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// `ttft`: time to first (answer) token, p90 at most this, ms.
    pub ttft_p90_ms: f64,
    /// Each request's answer speed, p90 (from the slow end) at least this,
    /// tokens/s; 0 sets none. vLLM's goodput has no such target.
    pub tokens_per_s_p90: f64,
    /// `tpot`: time per output token (vLLM's definition), p90 at most
    /// this, ms; `None` sets none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpot_ms: Option<f64>,
    /// `e2el`: sent to done, p90 at most this, ms; `None` sets none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2el_ms: Option<f64>,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            ttft_p90_ms: 1000.0,
            tokens_per_s_p90: 20.0,
            tpot_ms: None,
            e2el_ms: None,
        }
    }
}

/// The longest target a goodput text may set, ms (ten minutes).
const MAX_TARGET_MS: f64 = 600_000.0;

impl Targets {
    /// Whether one answered request met every target on its own (what
    /// goodput and SLO attainment count). A request of one token has no
    /// time per token and meets a `tpot` target, as in vLLM.
    pub fn met_by(&self, r: &RequestFigures) -> bool {
        r.ok && r.ttft_ms.is_some_and(|t| t <= self.ttft_p90_ms)
            && r.tokens_per_s.is_none_or(|s| s >= self.tokens_per_s_p90)
            && self
                .tpot_ms
                .is_none_or(|max| r.tpot_ms.is_none_or(|t| t <= max))
            && self.e2el_ms.is_none_or(|max| r.e2e_ms <= max)
    }

    /// The time targets as vLLM's `--goodput` takes them, e.g. `ttft:1000
    /// tpot:50 e2el:5000` (ms; GuideLLM's constraints use the same names).
    pub fn goodput_arg(&self) -> String {
        let mut out = vec![format!("ttft:{}", short(self.ttft_p90_ms))];
        if let Some(t) = self.tpot_ms {
            out.push(format!("tpot:{}", short(t)));
        }
        if let Some(t) = self.e2el_ms {
            out.push(format!("e2el:{}", short(t)));
        }
        out.join(" ")
    }

    /// These targets with the times of a `--goodput` text (`ttft:500
    /// tpot:50 e2el:1000`, pairs split by spaces or commas, ms): named
    /// times are set, unnamed `tpot` and `e2el` cleared, `ttft` and the
    /// speed kept when not named. An error names the pair at fault.
    pub fn parse_goodput(&self, text: &str) -> Result<Targets, String> {
        let mut out = Targets {
            tpot_ms: None,
            e2el_ms: None,
            ..*self
        };
        let pairs: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|p| !p.is_empty())
            .collect();
        if pairs.is_empty() {
            return Err("Write targets as name:ms pairs, e.g. ttft:1000 tpot:50 e2el:5000.".into());
        }
        for pair in pairs {
            let Some((name, value)) = pair.split_once(':') else {
                return Err(format!("“{pair}” is not name:ms (e.g. ttft:1000)."));
            };
            let ms: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v > 0.0 && *v <= MAX_TARGET_MS)
                .ok_or_else(|| {
                    format!("“{pair}”: the time must be a number of ms above 0 and at most 600000.")
                })?;
            match name.trim().to_ascii_lowercase().as_str() {
                "ttft" => out.ttft_p90_ms = ms,
                "tpot" => out.tpot_ms = Some(ms),
                "e2el" => out.e2el_ms = Some(ms),
                other => {
                    return Err(format!(
                        "“{other}” is no target here: ttft, tpot and e2el are (ms)."
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The targets in words, for captions: "first token within 1.00 s,
    /// at least 20 tokens/s, …".
    pub fn describe(&self) -> String {
        let mut out = vec![format!(
            "a first token within {}",
            crate::format::duration_ms(self.ttft_p90_ms)
        )];
        if self.tokens_per_s_p90 > 0.0 {
            out.push(format!("at least {:.0} tokens/s", self.tokens_per_s_p90));
        }
        if let Some(t) = self.tpot_ms {
            out.push(format!("at most {} ms per token", short(t)));
        }
        if let Some(t) = self.e2el_ms {
            out.push(format!("done within {}", crate::format::duration_ms(t)));
        }
        out.join(", ")
    }
}

/// A number of ms without a needless fraction: 1000, 12.5.
fn short(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn is_empty(s: &Spread) -> bool {
    s.n == 0
}

/// The figures of many requests over one span of time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestStats {
    /// Requests counted.
    pub requests: usize,
    /// Of them, failed.
    pub errors: usize,
    /// Time to first token, ms.
    pub ttft: Spread,
    /// Time per output token, ms.
    pub tpot: Spread,
    /// Each request's output tokens per second.
    pub speed: Spread,
    /// Sent to done, ms.
    pub e2e: Spread,
    /// Each request's longest gap between streamed chunks, ms.
    #[serde(default)]
    pub gap_max: Spread,
    /// Inter-token latency as vLLM defines it: every gap before an output
    /// chunk after a request's first, pooled over the requests, ms (empty
    /// where the requests kept no gaps).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub itl: Spread,
    /// First send to last end of the requests counted, ms.
    pub span_ms: f64,
    /// Output tokens per second over the span, all requests together.
    pub throughput_tps: f64,
    /// Requests per second that met the targets on their own.
    pub goodput_rps: f64,
    /// Requests that met every target on their own (absent in records
    /// kept before it was counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<usize>,
}

impl RequestStats {
    /// The stats of `timings` (answered or not) against `targets`.
    pub fn of(timings: &[TaskTiming], targets: &Targets) -> Self {
        let figs: Vec<RequestFigures> = timings.iter().map(RequestFigures::of).collect();
        let ok: Vec<&RequestFigures> = figs.iter().filter(|f| f.ok).collect();
        let pick = |f: &dyn Fn(&RequestFigures) -> Option<f64>| -> Vec<f64> {
            ok.iter().filter_map(|r| f(r)).collect()
        };
        let first = timings
            .iter()
            .map(|t| t.sent_ms)
            .fold(f64::INFINITY, f64::min);
        let last = timings
            .iter()
            .map(|t| t.done_ms)
            .fold(f64::NEG_INFINITY, f64::max);
        let span_ms = if timings.is_empty() {
            0.0
        } else {
            (last - first).max(0.0)
        };
        let per_s = |x: f64| {
            if span_ms > 0.0 {
                x / (span_ms / 1000.0)
            } else {
                0.0
            }
        };
        let tokens: u64 = ok.iter().filter_map(|r| r.tokens_out).sum();
        let good = ok.iter().filter(|r| targets.met_by(r)).count();
        Self {
            requests: timings.len(),
            errors: figs.len() - ok.len(),
            ttft: Spread::of_times(&pick(&|r| r.ttft_ms)),
            tpot: Spread::of_times(&pick(&|r| r.tpot_ms)),
            speed: Spread::of_rates(&pick(&|r| r.tokens_per_s)),
            e2e: Spread::of_times(&pick(&|r| Some(r.e2e_ms))),
            gap_max: Spread::of_times(&pick(&|r| r.gap_max_ms)),
            itl: Spread::of_times(
                &timings
                    .iter()
                    .filter(|t| t.ok)
                    .flat_map(|t| t.itl_ms.iter().copied())
                    .collect::<Vec<_>>(),
            ),
            span_ms,
            throughput_tps: per_s(tokens as f64),
            goodput_rps: per_s(good as f64),
            met: Some(good),
        }
    }

    /// The same figures over another span (rounds run one after another,
    /// or a batch's wall time): throughput and goodput per second of it.
    pub fn over(mut self, span_ms: f64) -> Self {
        if span_ms > 0.0 {
            let scale = self.span_ms / span_ms;
            self.throughput_tps *= scale;
            self.goodput_rps *= scale;
            self.span_ms = span_ms;
        }
        self
    }

    /// SLO attainment: the share of requests (failed ones included) that
    /// met every target, with its 95 % Wilson interval.
    pub fn attainment(&self) -> Option<(f64, (f64, f64))> {
        let met = self.met?;
        let interval = crate::stats::wilson(met, self.requests)?;
        Some((met as f64 / self.requests as f64, interval))
    }

    /// Enough answered requests for a p90 to mean what it says.
    pub fn enough_for_p90(&self) -> bool {
        self.requests - self.errors >= MIN_FOR_P90
    }
}

/// The columns of a per-request figures table, beside [`RequestStats::cells`].
pub const COLUMNS: [&str; 9] = [
    "Requests",
    "First token p50 / p90 / p99",
    "Per token (TPOT) p50 / p90 / p99",
    "ITL mean / p50 / p99",
    "Tokens/s each p50 / p90",
    "End to end p50 / p90 / p99",
    "Longest gap p50 / p90",
    "All, tokens/s",
    "Goodput, req/s",
];

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), crate::format::duration_ms)
}

fn times(s: &Spread) -> String {
    format!("{} / {} / {}", ms(s.p50), ms(s.p90), ms(s.p99))
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.0}"))
}

impl RequestStats {
    /// The figures as table cells, in [`COLUMNS`] order.
    pub fn cells(&self) -> [String; 9] {
        [
            if self.errors > 0 {
                format!("{} ({} failed)", self.requests, self.errors)
            } else {
                self.requests.to_string()
            },
            times(&self.ttft),
            format!(
                "{} / {} / {}",
                self.tpot.p50.map_or("–".into(), |v| format!("{v:.1} ms")),
                self.tpot.p90.map_or("–".into(), |v| format!("{v:.1} ms")),
                self.tpot.p99.map_or("–".into(), |v| format!("{v:.1} ms"))
            ),
            {
                let one = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.1} ms"));
                format!(
                    "{} / {} / {}",
                    one(self.itl.mean),
                    one(self.itl.p50),
                    one(self.itl.p99)
                )
            },
            format!("{} / {}", rate(self.speed.p50), rate(self.speed.p90)),
            times(&self.e2e),
            format!("{} / {}", ms(self.gap_max.p50), ms(self.gap_max.p90)),
            format!("{:.0}", self.throughput_tps),
            format!("{:.2}", self.goodput_rps),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::Usage;

    /// A request sent at `sent`, first token `ttft` later, `tokens` tokens
    /// over `generation` ms.
    pub(crate) fn timing(
        sent: f64,
        ttft: f64,
        generation: f64,
        tokens: u64,
        ok: bool,
    ) -> TaskTiming {
        TaskTiming {
            itl_ms: Vec::new(),
            gaps: None,
            id: "t".into(),
            queued_ms: sent,
            sent_ms: sent,
            first_token_ms: Some(sent + ttft),
            first_any_ms: None,
            reasoning_tokens: None,
            server: None,
            done_ms: sent + ttft + generation,
            usage: Some(Usage {
                prompt_tokens: 10,
                completion_tokens: tokens,
                total_tokens: 10 + tokens,
                completion_tokens_details: None,
            }),
            ok,
            retry_waits: Vec::new(),
        }
    }

    #[test]
    fn one_request_figures() {
        let f = RequestFigures::of(&timing(100.0, 200.0, 900.0, 10, true));
        assert_eq!(f.ttft_ms, Some(200.0));
        // 9 gaps between 10 tokens over 900 ms.
        assert_eq!(f.tpot_ms, Some(100.0));
        assert_eq!(f.e2e_ms, 1100.0);
        assert!((f.tokens_per_s.unwrap() - 10.0 / 0.9).abs() < 1e-9);
        // One token has no time per token.
        assert_eq!(
            RequestFigures::of(&timing(0.0, 1.0, 5.0, 1, true)).tpot_ms,
            None
        );
    }

    #[test]
    fn spreads_read_the_bad_end() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let t = Spread::of_times(&v);
        assert_eq!(
            (t.p50, t.p90, t.p99, t.n),
            (Some(50.0), Some(90.0), Some(99.0), 100)
        );
        let r = Spread::of_rates(&v);
        assert_eq!((r.p50, r.p90, r.p99), (Some(50.0), Some(10.0), Some(1.0)));
        assert_eq!(Spread::of_times(&[]), Spread::default());
    }

    #[test]
    fn goodput_counts_requests_meeting_both_targets_per_second() {
        let targets = Targets {
            ttft_p90_ms: 500.0,
            tokens_per_s_p90: 20.0,
            ..Targets::default()
        };
        // Over 2 s: a good one, one late to start, one too slow, one failed.
        let timings = [
            timing(0.0, 100.0, 1000.0, 50, true),
            timing(0.0, 800.0, 500.0, 50, true),
            timing(0.0, 100.0, 1900.0, 10, true),
            timing(0.0, 100.0, 100.0, 5, false),
        ];
        let s = RequestStats::of(&timings, &targets);
        assert_eq!(s.span_ms, 2000.0);
        assert_eq!(s.requests, 4);
        assert_eq!(s.errors, 1);
        assert!((s.goodput_rps - 0.5).abs() < 1e-9, "{}", s.goodput_rps);
        // 110 tokens answered over 2 s; the failed request's do not count.
        assert!((s.throughput_tps - 55.0).abs() < 1e-9);
        assert_eq!(s.ttft.p90, Some(800.0));
        assert!(!s.enough_for_p90());
        // Over twice the span: half as many per second.
        let twice = s.clone().over(4000.0);
        assert!((twice.goodput_rps - 0.25).abs() < 1e-9);
        assert!((twice.throughput_tps - 27.5).abs() < 1e-9);
        let cells = s.cells();
        assert_eq!(cells[0], "4 (1 failed)");
        assert_eq!(cells[1], "100 ms / 800 ms / 800 ms");
        // No request kept its chunk gaps: no ITL, no longest gap.
        assert_eq!(cells[3], "– / – / –");
        assert_eq!(cells[6], "– / –");
        assert_eq!(cells[8], "0.50");
    }

    #[test]
    fn goodput_counts_requests_meeting_every_named_target_as_vllm_does() {
        // vLLM's goodput: a request is good when its TTFT, TPOT and E2EL
        // are each within their targets; good requests ÷ duration.
        let targets = Targets {
            ttft_p90_ms: 500.0,
            tokens_per_s_p90: 0.0,
            tpot_ms: Some(30.0),
            e2el_ms: Some(2000.0),
        };
        // Over 4 s: TPOT (e2e − ttft) ÷ (tokens − 1).
        let timings = [
            // 100 + 49 × 20 = 1080 ms, TPOT 20: good.
            timing(0.0, 100.0, 980.0, 50, true),
            // TPOT 40: misses tpot only.
            timing(0.0, 100.0, 1960.0, 50, true),
            // TPOT 20 but 100 + 99 × 20 = 2080 ms end to end: misses e2el only.
            timing(0.0, 100.0, 1980.0, 100, true),
            // One token: no TPOT, which meets a tpot target in vLLM.
            timing(3000.0, 200.0, 800.0, 1, true),
        ];
        let s = RequestStats::of(&timings, &targets);
        assert_eq!(s.span_ms, 4000.0);
        assert_eq!(s.met, Some(2));
        assert!((s.goodput_rps - 0.5).abs() < 1e-9, "{}", s.goodput_rps);
        // Without the time targets all four are good.
        let loose = Targets {
            tpot_ms: None,
            e2el_ms: None,
            ..targets
        };
        assert_eq!(RequestStats::of(&timings, &loose).met, Some(4));
        // The step's verdict: p90 of each named time against its target.
        let missed = crate::capacity::verdict::missed(&s, &targets);
        assert!(
            missed
                .iter()
                .any(|m| m.describe().contains("TPOT p90 40.0 ms")),
            "{missed:?}"
        );
        assert!(
            missed
                .iter()
                .any(|m| m.describe().contains("end to end p90 2.08 s")),
            "{missed:?}"
        );
    }

    #[test]
    fn targets_carry_as_vllms_goodput_text() {
        let t = Targets::default();
        assert_eq!(t.goodput_arg(), "ttft:1000");
        let set = t.parse_goodput("ttft:250 tpot:12.5,e2el:4000").unwrap();
        assert_eq!(
            (
                set.ttft_p90_ms,
                set.tpot_ms,
                set.e2el_ms,
                set.tokens_per_s_p90
            ),
            (250.0, Some(12.5), Some(4000.0), 20.0)
        );
        assert_eq!(set.goodput_arg(), "ttft:250 tpot:12.5 e2el:4000");
        // What is not named is cleared, except the first token and the speed.
        let only = set.parse_goodput("TPOT:50").unwrap();
        assert_eq!(
            (only.ttft_p90_ms, only.tpot_ms, only.e2el_ms),
            (250.0, Some(50.0), None)
        );
        for (bad, says) in [
            ("", "name:ms pairs"),
            ("ttft=100", "is not name:ms"),
            ("itl:20", "“itl” is no target here"),
            ("ttft:-3", "above 0"),
            ("e2el:abc", "a number of ms"),
        ] {
            let e = t.parse_goodput(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn itl_pools_every_gap_of_every_request_as_vllm_does() {
        // Request A: 4 chunks 10 ms apart; B: 2 chunks 100 ms apart.
        let mut a = timing(0.0, 50.0, 30.0, 4, true);
        a.itl_ms = vec![10.0, 10.0, 10.0];
        let mut b = timing(0.0, 50.0, 100.0, 2, true);
        b.itl_ms = vec![100.0];
        // A failed request's gaps are not counted.
        let mut failed = timing(0.0, 50.0, 100.0, 2, false);
        failed.itl_ms = vec![999.0];
        let s = RequestStats::of(&[a, b, failed], &Targets::default());
        // Pooled: (10 + 10 + 10 + 100) ÷ 4, not the mean of the two
        // requests' means (55).
        assert_eq!(s.itl.mean, Some(32.5));
        assert_eq!(s.itl.n, 4);
        assert_eq!((s.itl.p50, s.itl.p99), (Some(10.0), Some(100.0)));
        assert_eq!(s.cells()[3], "32.5 ms / 10.0 ms / 100.0 ms");
    }

    #[test]
    fn attainment_is_the_share_meeting_every_target_with_its_wilson_interval() {
        let targets = Targets {
            ttft_p90_ms: 500.0,
            tokens_per_s_p90: 10.0,
            ..Targets::default()
        };
        // 8 fast, 1 queued (first token late), 1 failed: 8 of 10 met.
        let mut all: Vec<TaskTiming> = (0..8)
            .map(|i| timing(i as f64, 100.0, 1000.0, 50, true))
            .collect();
        all.push(timing(0.0, 900.0, 1000.0, 50, true));
        all.push(timing(0.0, 100.0, 1000.0, 50, false));
        let s = RequestStats::of(&all, &targets);
        let (share, (lo, hi)) = s.attainment().unwrap();
        assert_eq!(share, 0.8);
        assert!((lo - 0.4902).abs() < 1e-4 && (hi - 0.9433).abs() < 1e-4);
        // A record kept before attainment was counted has none.
        let old: RequestStats = serde_json::from_str(r#"{"requests":10,"errors":0,"ttft":{"n":0},"tpot":{"n":0},"speed":{"n":0},"e2e":{"n":0},"span_ms":1,"throughput_tps":1,"goodput_rps":1}"#).unwrap();
        assert_eq!(old.attainment(), None);
    }
}
