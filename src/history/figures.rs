//! A kept run's headline figures, what each means, the differences between
//! two runs, and dates as the page writes them.

use crate::format::duration_ms;
use crate::history::record::RunRecord;
use crate::stats::Better;
use crate::workflow::runner::Mode;

/// One headline figure of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Stable key (also the test hook).
    pub key: &'static str,
    /// What it is.
    pub label: &'static str,
    /// Its value, if the run has it.
    pub value: Option<f64>,
    /// The value as people read it.
    pub text: String,
    /// Which way is better.
    pub better: Better,
}

fn fig(
    key: &'static str,
    label: &'static str,
    value: Option<f64>,
    better: Better,
    show: impl Fn(f64) -> String,
) -> Figure {
    Figure {
        key,
        label,
        value,
        text: value.map(show).unwrap_or_else(|| "–".into()),
        better,
    }
}

fn ratio(v: f64) -> String {
    format!("{v:.2}")
}

fn usd(v: f64) -> String {
    format!("${v:.4}")
}

/// A serving benchmark's headline figures, whichever tool measured them:
/// another tool's headline benchmark, or a capacity search's answer (its
/// step at K), so the two compare side by side.
fn serving(r: &RunRecord) -> Option<crate::history::foreign::Point> {
    use crate::history::foreign::{Dist, Point};
    if let Some(i) = r.kind.imported() {
        return i.headline().cloned();
    }
    let c = r.kind.capacity()?;
    let step = c.steps.iter().find(|s| s.k == c.k)?;
    let st = &step.stats;
    let answered = (st.requests - st.errors) as f64;
    Some(Point {
        label: format!("K = {}", c.k),
        concurrency: Some(c.k as f64),
        completed: Some(answered as u64),
        failed: Some(st.errors as u64),
        duration_s: Some(st.span_ms / 1000.0),
        ttft: Dist::from(&st.ttft),
        tpot: Dist::from(&st.tpot),
        itl: Dist::from(&st.itl),
        e2el: Dist::from(&st.e2e),
        request_throughput: (st.span_ms > 0.0).then(|| answered / (st.span_ms / 1000.0)),
        output_throughput: Some(st.throughput_tps),
        goodput: Some(st.goodput_rps),
        ..Point::default()
    })
}

fn serving_figures(out: &mut Vec<Figure>, p: &crate::history::foreign::Point) {
    use Better::{Higher, Lower};
    let ms = |v: f64| format!("{v:.1} ms");
    out.push(fig(
        "concurrency",
        "Requests at once",
        p.concurrency,
        Higher,
        |v| format!("{v:.0}"),
    ));
    out.push(fig(
        "req-rate",
        "Requests per second",
        p.request_throughput,
        Higher,
        |v| format!("{v:.2}"),
    ));
    out.push(fig(
        "output-tps",
        "Output tokens per second",
        p.output_throughput,
        Higher,
        |v| format!("{v:.0}"),
    ));
    out.push(fig(
        "ttft-p50",
        "First token p50",
        p.ttft.median,
        Lower,
        duration_ms,
    ));
    out.push(fig(
        "ttft-p99",
        "First token p99",
        p.ttft.p99,
        Lower,
        duration_ms,
    ));
    out.push(fig("tpot-p50", "TPOT p50", p.tpot.median, Lower, ms));
    out.push(fig("itl-p50", "ITL p50", p.itl.median, Lower, ms));
    out.push(fig(
        "e2el-p50",
        "End to end p50",
        p.e2el.median,
        Lower,
        duration_ms,
    ));
    out.push(fig("goodput", "Goodput, req/s", p.goodput, Higher, |v| {
        format!("{v:.2}")
    }));
}

/// The headline figures of a run, in the order the page shows them.
pub fn figures(r: &RunRecord) -> Vec<Figure> {
    use Better::{Higher, Lower};
    let res = r.results();
    let cmp = res.comparison();
    let tokens = res.tokens();
    let mut out = Vec::new();
    if let Some(b) = r.kind.batch() {
        let finished = b.cells.iter().flatten().count();
        let tokens_out: u64 = b.cells.iter().flatten().filter_map(|c| c.tokens_out).sum();
        out.push(fig(
            "requests",
            "Requests finished",
            Some(finished as f64),
            Higher,
            |v| format!("{v:.0} of {}", b.cells.len()),
        ));
        out.push(fig(
            "batch-wall",
            "Wall time",
            Some(b.wall_ms),
            Lower,
            duration_ms,
        ));
        out.push(fig(
            "throughput",
            "Requests per second",
            (b.wall_ms > 0.0).then(|| finished as f64 / (b.wall_ms / 1000.0)),
            Higher,
            |v| format!("{v:.2}"),
        ));
        out.push(fig(
            "in-flight",
            "Mean in flight",
            Some(b.mean_in_flight),
            Higher,
            |v| format!("{v:.1}"),
        ));
        out.push(fig(
            "tokens-out",
            "Output tokens",
            Some(tokens_out as f64),
            Lower,
            |v| format!("{v:.0}"),
        ));
    } else if let Some(point) = serving(r) {
        serving_figures(&mut out, &point);
    } else if let Some(race) = r.kind.race() {
        let (tokens_in, tokens_out) = r.runs.iter().fold((0, 0), |(i, o), run| {
            (i + run.metrics.tokens_in, o + run.metrics.tokens_out)
        });
        out.push(fig(
            "race-wall",
            "Race wall time",
            Some(race.wall_ms),
            Lower,
            duration_ms,
        ));
        out.push(fig(
            "tokens",
            "Tokens",
            Some((tokens_in + tokens_out) as f64),
            Lower,
            move |_| format!("{tokens_in} in / {tokens_out} out"),
        ));
    } else {
        out.push(fig(
            "sequential",
            "Sequential",
            res.median_wall(Mode::Sequential),
            Lower,
            duration_ms,
        ));
        out.push(fig(
            "parallel",
            "Parallel",
            res.median_wall(Mode::Parallel),
            Lower,
            duration_ms,
        ));
        out.push(fig(
            "speedup",
            "Speedup",
            cmp.map(|c| c.speedup),
            Higher,
            ratio,
        ));
        out.push(fig(
            "saved",
            "Time saved",
            cmp.map(|c| c.time_saved_ms),
            Higher,
            // Parallel can lose time; say how much rather than "–".
            |v| {
                if v < 0.0 {
                    format!("-{}", duration_ms(-v))
                } else {
                    duration_ms(v)
                }
            },
        ));
        out.push(fig(
            "efficiency",
            "Efficiency",
            cmp.map(|c| c.efficiency),
            Higher,
            ratio,
        ));
        out.push(fig(
            "overhead",
            "Overhead",
            res.median_overhead(),
            Lower,
            ratio,
        ));
        out.push(fig(
            "tokens",
            "Tokens",
            (tokens.runs > 0).then_some((tokens.input + tokens.output) as f64),
            Lower,
            |_| {
                let mut s = format!("{} in / {} out", tokens.input, tokens.output);
                if tokens.unknown > 0 {
                    s.push_str(&format!(", {} unknown", tokens.unknown));
                }
                s
            },
        ));
    }
    out.push(fig(
        "latency",
        "Median task latency",
        r.median_latency_ms(),
        Lower,
        duration_ms,
    ));
    out.push(fig(
        "errors",
        "Failed",
        Some(r.errors() as f64),
        Lower,
        |v| format!("{v:.0}"),
    ));
    out.push(Figure {
        text: r
            .cost_usd
            .map(usd)
            .unwrap_or_else(|| "unknown (no price)".into()),
        ..fig("cost", "Cost (estimated)", r.cost_usd, Lower, usd)
    });
    out
}

/// What a figure means, for its explanation on hover and focus.
pub fn explain(key: &str) -> &'static str {
    match key {
        "sequential" => {
            "Wall time of the sequential run: first request sent to last answer finished (median over rounds)."
        }
        "parallel" => "Wall time of the parallel run (median over rounds).",
        "speedup" => "Speedup = sequential wall time / parallel wall time.",
        "saved" => "Time saved = sequential - parallel wall time (and as % of sequential).",
        "efficiency" => {
            "Parallel efficiency = speedup / number of tasks run at once (1.00 = every extra slot paid off fully)."
        }
        "overhead" => {
            "Overhead = parallel wall time / slowest task in that run (1.00 = nothing lost beyond the slowest task)."
        }
        "tokens" => {
            "Tokens reported by the server over all runs; tasks without usage are counted as unknown."
        }
        "latency" => "Median time from request sent to answer done, over the tasks that finished.",
        "errors" => "Tasks (or batch requests) that failed after any retries.",
        "cost" => "Estimated from the tokens reported and the price table when the run finished.",
        "requests" => "Batch requests that finished (done or failed) of all requests.",
        "batch-wall" => "First request sent to last answer finished.",
        "race-wall" => {
            "Race start to the last endpoint's last answer: with every endpoint running at once, the slowest endpoint's time, not the sum."
        }
        "throughput" => "Finished requests per second of wall time.",
        "in-flight" => "Mean number of requests in flight over the batch.",
        "tokens-out" => "Completion tokens reported over the batch.",
        "concurrency" => {
            "Requests in flight at most: the tool's concurrency, or the K a capacity search answered."
        }
        "req-rate" => {
            "Requests answered per second over the benchmark (or the capacity step at K)."
        }
        "output-tps" => "Output tokens per second, all requests together.",
        "ttft-p50" => {
            "Median time to first token (of any kind for other tools; the answer's for Fanout)."
        }
        "ttft-p99" => "99th percentile of the time to first token.",
        "tpot-p50" => {
            "Median time per output token as vLLM defines it: (end − first token) ÷ (tokens − 1)."
        }
        "itl-p50" => "Median gap between output chunks, pooled over every request (vLLM's ITL).",
        "e2el-p50" => "Median time from request sent to answer done.",
        "goodput" => {
            "Requests meeting every target per second, as the tool counted them (absent where it set no targets)."
        }
        _ => "",
    }
}

/// One row of a comparison of two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The figure.
    pub label: &'static str,
    /// Stable key.
    pub key: &'static str,
    /// In the first run.
    pub a: String,
    /// In the second run.
    pub b: String,
    /// B against A: "+12.0 %" with which way it went, or "–".
    pub change: String,
    /// Whether B is better, worse or the same (None where not comparable).
    pub b_better: Option<bool>,
}

/// The headline figures of two runs side by side, with B's change.
pub fn differences(a: &RunRecord, b: &RunRecord) -> Vec<Difference> {
    let fb = figures(b);
    let mut out: Vec<Difference> = figures(a)
        .into_iter()
        .filter_map(|x| {
            let y = fb.iter().find(|f| f.key == x.key)?;
            let (change, b_better) = match (x.value, y.value) {
                (Some(va), Some(vb)) if va != 0.0 => {
                    let pct = 100.0 * (vb - va) / va.abs();
                    let better = match x.better {
                        Better::Lower => vb < va,
                        Better::Higher => vb > va,
                    };
                    // A change too small to show is no change.
                    if (pct * 10.0).round() == 0.0 {
                        ("0.0 %".into(), None)
                    } else {
                        (format!("{pct:+.1} %"), Some(better))
                    }
                }
                (Some(va), Some(vb)) => (
                    format!("{:+}", vb - va),
                    (vb != va).then_some(match x.better {
                        Better::Lower => vb < va,
                        Better::Higher => vb > va,
                    }),
                ),
                _ => ("–".into(), None),
            };
            Some(Difference {
                label: x.label,
                key: x.key,
                a: x.text,
                b: y.text.clone(),
                change,
                b_better,
            })
        })
        .collect();
    // Efficiency is speedup per slot, so with different K it can rise while
    // the speedup falls; marked "better" there it would contradict the
    // headline, so it then shows its change without a direction.
    let speedup = out
        .iter()
        .find(|d| d.key == "speedup")
        .and_then(|d| d.b_better);
    if let (Some(s), Some(e)) = (speedup, out.iter_mut().find(|d| d.key == "efficiency"))
        && e.b_better.is_some_and(|b| b != s)
    {
        e.b_better = None;
        e.change.push_str(" (per slot; K differs)");
    }
    out
}

/// `ms` since the Unix epoch as local date and time, written the way the
/// reader's browser writes them (Intl: "2 Dec 2026, 17:20" in en-GB).
#[cfg(target_arch = "wasm32")]
pub fn date_of(ms: f64) -> String {
    use wasm_bindgen::JsValue;
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into());
    let _ = set("dateStyle", "medium");
    let _ = set("timeStyle", "short");
    // "default": the browser's own locale and time zone.
    js_sys::Date::new(&JsValue::from_f64(ms))
        .to_locale_string("default", &options)
        .into()
}

/// `ms` since the Unix epoch as an HTTP date ("Mon, 30 Nov 2026 21:09:40
/// GMT"): natively (tests, tools) there is no reader's locale to follow.
#[cfg(not(target_arch = "wasm32"))]
pub fn date_of(ms: f64) -> String {
    use std::time::{Duration, UNIX_EPOCH};
    let d = Duration::from_millis(ms.max(0.0) as u64);
    httpdate::fmt_http_date(UNIX_EPOCH + d)
}
