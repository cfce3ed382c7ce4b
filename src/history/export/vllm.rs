//! A kept run as vLLM's `bench serve --save-result` file, so the tools that
//! read vLLM's results (plots, dashboards, GuideLLM's comparisons) take
//! ours: a capacity search gives one benchmark per K (one JSON object per
//! line, as `--append-result` writes them), a run one per mode (or race
//! endpoint), with each request's times where the record keeps them.

use crate::capacity::{RequestStats, Targets};
use crate::history::foreign::{Dist, Point, Request, to_vllm};
use crate::history::record::RunRecord;
use crate::workflow::metrics::TaskTiming;
use crate::workflow::runner::Mode;

/// A benchmark of `stats` at `concurrency`, with `requests` when kept.
fn point(label: String, concurrency: usize, st: &RequestStats, requests: Vec<Request>) -> Point {
    let answered = (st.requests - st.errors) as f64;
    let span_s = st.span_ms / 1000.0;
    Point {
        label,
        concurrency: Some(concurrency as f64),
        request_rate: None,
        completed: Some(answered as u64),
        failed: Some(st.errors as u64),
        duration_s: Some(span_s),
        ttft: Dist::from(&st.ttft),
        tpot: Dist::from(&st.tpot),
        itl: Dist::from(&st.itl),
        e2el: Dist::from(&st.e2e),
        request_throughput: (span_s > 0.0).then(|| answered / span_s),
        output_throughput: Some(st.throughput_tps),
        goodput: Some(st.goodput_rps),
        requests,
    }
}

/// One of our requests as a listed one: times from its run's first send.
fn request(t: &TaskTiming, t0: f64) -> Request {
    Request {
        ok: t.ok,
        ttft_ms: t.ttft_any_ms(),
        e2e_ms: Some(t.total_ms()),
        output_tokens: t.usage.map(|u| u.completion_tokens),
        input_tokens: t.usage.map(|u| u.prompt_tokens),
        itl_ms: t.itl_ms.clone(),
        start_ms: Some(t.sent_ms - t0),
    }
}

/// The benchmarks of `r` in vLLM's terms, counted against `targets`.
pub fn points(r: &RunRecord, targets: &Targets) -> Vec<Point> {
    if let Some(i) = r.kind.imported() {
        return i.points.clone();
    }
    if let Some(c) = r.kind.capacity() {
        return c
            .steps
            .iter()
            .map(|s| point(format!("capacity K = {}", s.k), s.k, &s.stats, Vec::new()))
            .collect();
    }
    let group = |label: String, runs: Vec<&crate::history::record::RunEntry>| {
        let timings = RunRecord::timings_of(&runs);
        let k = runs.iter().map(|run| run.k).max().unwrap_or(1);
        let span: f64 = runs.iter().map(|run| run.metrics.wall_ms).sum();
        let t0 = timings
            .iter()
            .map(|t| t.sent_ms)
            .fold(f64::INFINITY, f64::min);
        let stats = RequestStats::of(&timings, targets).over(span);
        (!timings.is_empty()).then(|| {
            point(
                label,
                k,
                &stats,
                timings.iter().map(|t| request(t, t0)).collect(),
            )
        })
    };
    if let Some(race) = r.kind.race() {
        return r
            .runs
            .iter()
            .zip(&race.endpoints)
            .filter_map(|(run, e)| group(format!("race: {}", e.name), vec![run]))
            .collect();
    }
    [Mode::Sequential, Mode::Parallel]
        .into_iter()
        .filter_map(|m| {
            let runs: Vec<_> = r.runs.iter().filter(|run| run.mode == m).collect();
            group(m.name().to_string(), runs)
        })
        .collect()
}

/// vLLM's `date`: "%Y%m%d-%H%M%S" of `at` (ms since the Unix epoch), UTC.
fn compact_date(at_ms: f64) -> String {
    let secs = (at_ms / 1000.0).floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The record as vLLM result lines; `None` for a batch (no benchmark of
/// one concurrency to give).
pub fn vllm(r: &RunRecord, targets: &Targets) -> Option<String> {
    if r.kind.batch().is_some() {
        return None;
    }
    let points = points(r, targets);
    (!points.is_empty()).then(|| to_vllm(&r.model, &compact_date(r.at), &points))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::fixtures::compare;

    #[test]
    fn dates_are_vllms() {
        assert_eq!(compact_date(1_796_120_100_000.0), "20261201-101500");
        assert_eq!(compact_date(951_782_400_000.0), "20000229-000000");
    }

    #[test]
    fn a_compare_run_round_trips_through_vllms_format() {
        let r = compare("gpt-4o-mini", 1.796e12, 500.0, 3, "A");
        let targets = Targets::default();
        let text = vllm(&r, &targets).unwrap();
        let back = RunRecord::import_any("fanout.json", &text, 1.0).unwrap();
        let i = back.kind.imported().unwrap();
        assert_eq!(i.source, crate::history::foreign::Source::Vllm);
        assert_eq!(back.model, "gpt-4o-mini");
        let ours = points(&r, &targets);
        assert_eq!(i.points.len(), ours.len());
        for (a, b) in i.points.iter().zip(&ours) {
            assert_eq!(a.label, b.label);
            assert_eq!((a.ttft, a.tpot, a.e2el), (b.ttft, b.tpot, b.e2el));
            assert_eq!((a.completed, a.concurrency), (b.completed, b.concurrency));
            assert_eq!(a.requests.len(), b.requests.len());
            for (x, y) in a.requests.iter().zip(&b.requests) {
                let near = |p: Option<f64>, q: Option<f64>| match (p, q) {
                    (Some(p), Some(q)) => (p - q).abs() < 1e-6,
                    (p, q) => p == q,
                };
                assert!(near(x.ttft_ms, y.ttft_ms) && near(x.e2e_ms, y.e2e_ms));
                assert_eq!(x.output_tokens, y.output_tokens);
            }
        }
        // The headline figures read the same on both sides where both have them.
        let fa = crate::history::figures::figures(&back);
        let e2e = fa.iter().find(|f| f.key == "e2el-p50").unwrap();
        assert!(e2e.value.is_some());
    }
}
