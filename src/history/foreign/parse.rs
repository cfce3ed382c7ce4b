//! Reading each tool's file: which tool wrote it (from its keys), then its
//! figures in our units and names. A file of no known kind is refused with
//! what it looked like.

use serde_json::Value;

use super::{Dist, Imported, Point, Request, Source};

/// What a result file holds besides its benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The results.
    pub imported: Imported,
    /// The model, when the file names it.
    pub model: Option<String>,
    /// The server, when the file names it.
    pub server: Option<String>,
    /// When it ran, ms since the Unix epoch, when the file says.
    pub at: Option<f64>,
}

/// Reads `text` (the file `file`) as one of the known tools' results.
pub fn parse(file: &str, text: &str) -> Result<Parsed, String> {
    let trimmed = text.trim_start();
    let values: Vec<Value> = match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => vec![v],
        // JSON Lines: vLLM's --append-result, AIPerf's per-request export.
        Err(whole) => {
            let lines: Result<Vec<Value>, _> = trimmed
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(serde_json::from_str::<Value>)
                .collect();
            match lines {
                Ok(v) if v.len() > 1 => v,
                _ => return Err(format!("it is not JSON ({whole})")),
            }
        }
    };
    let first = &values[0];
    let (source, mut parsed) = if values.iter().all(is_vllm) {
        (Source::Vllm, vllm(&values)?)
    } else if values.len() > 1 && values.iter().all(is_aiperf) {
        (Source::Aiperf, aiperf(&values)?)
    } else if values.len() > 1 {
        return Err(format!(
            "it has {} JSON lines, but they are neither vLLM results nor AIPerf records",
            values.len()
        ));
    } else if first.get("benchmarks").is_some_and(Value::is_array) {
        (Source::Guidellm, guidellm(first)?)
    } else if first
        .get("time_to_first_token")
        .is_some_and(Value::is_object)
        || first
            .get("request_latency")
            .and_then(|v| v.get("unit"))
            .is_some()
    {
        if is_aiperf_summary(first) {
            (Source::Aiperf, aiperf_summary(first)?)
        } else {
            (Source::GenaiPerf, genai_perf(first)?)
        }
    } else if first.get("results_num_completed_requests").is_some()
        || first.get("results_ttft_s_mean").is_some()
    {
        (Source::Llmperf, llmperf_summary(first)?)
    } else if first
        .as_array()
        .and_then(|a| a.first())
        .is_some_and(|r| r.get("end_to_end_latency_s").is_some())
    {
        (Source::Llmperf, llmperf_individual(first)?)
    } else if first
        .get("results")
        .and_then(|r| r.get("results"))
        .is_some_and(Value::is_array)
    {
        (Source::Promptfoo, promptfoo(first)?)
    } else {
        return Err(format!(
            "it is JSON, but no result file this page knows ({})",
            looks_like(first)
        ));
    };
    parsed.imported.source = source;
    parsed.imported.file = file.to_string();
    parsed.imported.check()?;
    Ok(parsed)
}

/// What a JSON value looked like, for a refusal: its top-level keys.
fn looks_like(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let keys: Vec<&str> = o.keys().take(6).map(String::as_str).collect();
            format!(
                "an object with {}{}",
                keys.join(", "),
                if o.len() > 6 { ", …" } else { "" }
            )
        }
        Value::Array(a) => format!("an array of {} items", a.len()),
        _ => "a single value".into(),
    }
}

fn num(o: &Value, key: &str) -> Option<f64> {
    match o.get(key)? {
        Value::Number(n) => n.as_f64(),
        // llmperf writes some counts as strings.
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|v: &f64| v.is_finite())
}

fn text(o: &Value, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn count(o: &Value, key: &str) -> Option<u64> {
    num(o, key).filter(|v| *v >= 0.0).map(|v| v as u64)
}

/// A label for a benchmark at `concurrency` or `rate`.
fn label(concurrency: Option<f64>, rate: Option<f64>) -> String {
    match (concurrency, rate) {
        (Some(c), _) => format!("concurrency {c}"),
        (None, Some(r)) => format!("rate {r}/s"),
        (None, None) => "as fast as possible".into(),
    }
}

/// The figures of `requests` where the file gave none of its own: spreads
/// of first token, TPOT (vLLM's), pooled ITL and end to end.
fn fill_from_requests(p: &mut Point) {
    let pick = |f: &dyn Fn(&Request) -> Option<f64>| -> Vec<f64> {
        p.requests.iter().filter(|r| r.ok).filter_map(f).collect()
    };
    if p.ttft.is_empty() {
        p.ttft = Dist::of(&pick(&|r| r.ttft_ms));
    }
    if p.e2el.is_empty() {
        p.e2el = Dist::of(&pick(&|r| r.e2e_ms));
    }
    if p.tpot.is_empty() {
        p.tpot = Dist::of(&pick(&|r| match (r.e2e_ms, r.ttft_ms, r.output_tokens) {
            (Some(e), Some(t), Some(n)) if n > 1 => Some((e - t) / (n - 1) as f64),
            _ => None,
        }));
    }
    if p.itl.is_empty() {
        let gaps: Vec<f64> = p
            .requests
            .iter()
            .filter(|r| r.ok)
            .flat_map(|r| r.itl_ms.iter().copied())
            .collect();
        p.itl = Dist::of(&gaps);
    }
    if p.completed.is_none() && !p.requests.is_empty() {
        p.completed = Some(p.requests.iter().filter(|r| r.ok).count() as u64);
        p.failed = Some(p.requests.iter().filter(|r| !r.ok).count() as u64);
    }
}

fn is_vllm(v: &Value) -> bool {
    v.get("request_throughput").is_some()
        && (v.get("model_id").is_some() || v.get("mean_ttft_ms").is_some())
        && v.get("results").is_none()
}

/// vLLM `bench serve --save-result`: ms statistics, per-request lists in
/// seconds (`--save-detailed`; `latencies` always).
fn vllm(values: &[Value]) -> Result<Parsed, String> {
    let first = &values[0];
    let points = values
        .iter()
        .map(|o| {
            let concurrency = num(o, "max_concurrency");
            let rate = num(o, "request_rate");
            let dist = |m: &str| Dist {
                mean: num(o, &format!("mean_{m}_ms")),
                median: num(o, &format!("median_{m}_ms")),
                p90: num(o, &format!("p90_{m}_ms")),
                p99: num(o, &format!("p99_{m}_ms")),
            };
            let list = |k: &str| {
                o.get(k)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let (ttfts, latencies, outs, ins, itls, errors, starts) = (
                list("ttfts"),
                list("latencies"),
                list("output_lens"),
                list("input_lens"),
                list("itls"),
                list("errors"),
                list("start_times"),
            );
            let n = ttfts.len().max(latencies.len());
            let t0 = starts
                .iter()
                .filter_map(Value::as_f64)
                .fold(f64::INFINITY, f64::min);
            let ms = |v: Option<&Value>| v.and_then(Value::as_f64).map(|s| s * 1000.0);
            let requests = (0..n)
                .map(|i| Request {
                    ok: errors
                        .get(i)
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty),
                    ttft_ms: ms(ttfts.get(i)),
                    e2e_ms: ms(latencies.get(i)),
                    output_tokens: outs.get(i).and_then(Value::as_u64),
                    input_tokens: ins.get(i).and_then(Value::as_u64),
                    itl_ms: itls
                        .get(i)
                        .and_then(Value::as_array)
                        .map(|g| {
                            g.iter()
                                .filter_map(Value::as_f64)
                                .map(|s| s * 1000.0)
                                .collect()
                        })
                        .unwrap_or_default(),
                    start_ms: starts
                        .get(i)
                        .and_then(Value::as_f64)
                        .map(|s| (s - t0) * 1000.0),
                })
                .collect();
            let mut p = Point {
                label: text(o, "label").unwrap_or_else(|| label(concurrency, rate)),
                concurrency,
                request_rate: rate,
                completed: count(o, "completed"),
                failed: count(o, "failed"),
                duration_s: num(o, "duration"),
                ttft: dist("ttft"),
                tpot: dist("tpot"),
                itl: dist("itl"),
                e2el: dist("e2el"),
                request_throughput: num(o, "request_throughput"),
                output_throughput: num(o, "output_throughput"),
                goodput: num(o, "request_goodput"),
                requests,
            };
            fill_from_requests(&mut p);
            p
        })
        .collect();
    Ok(Parsed {
        imported: imported(points),
        model: text(first, "model_id"),
        server: None,
        at: text(first, "date").and_then(|d| compact_date_ms(&d)),
    })
}

fn imported(points: Vec<Point>) -> Imported {
    Imported {
        source: Source::Vllm,
        file: String::new(),
        points,
    }
}

/// A GuideLLM DistributionSummary (its `successful` part when a status
/// summary), × `k` to ms.
fn guidellm_dist(metric: Option<&Value>, k: f64) -> Dist {
    let Some(m) = metric else {
        return Dist::default();
    };
    let d = m.get("successful").unwrap_or(m);
    let pct = |p: &str| d.get("percentiles").and_then(|x| num(x, p));
    Dist {
        mean: num(d, "mean"),
        median: num(d, "median").or_else(|| pct("p50")),
        p90: pct("p90"),
        p99: pct("p99"),
    }
    .scaled(k)
}

/// GuideLLM `benchmarks.json`: one benchmark per strategy; latency in
/// seconds, token times in ms; its inter-token latency ((last − first) ÷
/// (n − 1)) is vLLM's TPOT; it has no pooled ITL.
fn guidellm(o: &Value) -> Result<Parsed, String> {
    let args = o.get("args").cloned().unwrap_or(Value::Null);
    let benchmarks = o["benchmarks"].as_array().cloned().unwrap_or_default();
    if benchmarks.is_empty() {
        return Err("it is a GuideLLM file with no benchmarks".into());
    }
    let mut at = None;
    let points = benchmarks
        .iter()
        .map(|b| {
            let m = b.get("metrics").cloned().unwrap_or(Value::Null);
            let strategy = b
                .get("config")
                .and_then(|c| c.get("strategy"))
                .cloned()
                .unwrap_or(Value::Null);
            let concurrency = num(&strategy, "streams");
            let rate = num(&strategy, "rate");
            at = at.or(num(b, "start_time").map(|s| s * 1000.0));
            let totals = m.get("request_totals").cloned().unwrap_or(Value::Null);
            let mean = |k: &str| {
                m.get(k)
                    .map(|x| x.get("successful").unwrap_or(x))
                    .and_then(|x| num(x, "mean"))
            };
            let reqs = |status: &str, ok: bool| -> Vec<Request> {
                b.get("requests")
                    .and_then(|r| r.get(status))
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .map(|r| Request {
                                ok,
                                ttft_ms: num(r, "time_to_first_token_ms"),
                                e2e_ms: num(r, "request_latency").map(|s| s * 1000.0),
                                output_tokens: count(r, "output_tokens"),
                                input_tokens: count(r, "prompt_tokens"),
                                itl_ms: Vec::new(),
                                // Unix seconds, from the benchmark's start.
                                start_ms: num(r, "request_start_time")
                                    .zip(num(b, "start_time"))
                                    .map(|(r, b)| (r - b) * 1000.0),
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let mut requests = reqs("successful", true);
            requests.extend(reqs("errored", false));
            let mut p = Point {
                label: text(&strategy, "type_")
                    .map(|t| match (concurrency, rate) {
                        (Some(c), _) => format!("{t}, {c} streams"),
                        (None, Some(r)) => format!("{t}, {r}/s"),
                        _ => t,
                    })
                    .unwrap_or_else(|| label(concurrency, rate)),
                concurrency,
                request_rate: rate,
                completed: count(&totals, "successful"),
                failed: count(&totals, "errored"),
                duration_s: num(b, "duration"),
                ttft: guidellm_dist(m.get("time_to_first_token_ms"), 1.0),
                tpot: guidellm_dist(m.get("inter_token_latency_ms"), 1.0),
                itl: Dist::default(),
                e2el: guidellm_dist(m.get("request_latency"), 1000.0),
                request_throughput: mean("requests_per_second"),
                output_throughput: mean("output_tokens_per_second"),
                goodput: mean("request_goodput"),
                requests,
            };
            // Per-request data gives no pooled ITL here: keep it absent.
            let itl = p.itl;
            fill_from_requests(&mut p);
            p.itl = itl;
            p
        })
        .collect();
    Ok(Parsed {
        imported: imported(points),
        model: text(&args, "model"),
        server: text(&args, "target"),
        at,
    })
}

/// ms per unit a genai-perf or AIPerf metric names.
fn unit_ms(unit: Option<&str>) -> f64 {
    match unit.unwrap_or("ms") {
        "s" | "sec" => 1000.0,
        "us" => 1e-3,
        "ns" => 1e-6,
        _ => 1.0,
    }
}

/// The figures of a genai-perf or AIPerf statistics file: each metric with
/// its unit, `avg` and percentiles; their inter-token latency is per request
/// ((end − first token) ÷ (tokens − 1)): vLLM's TPOT.
fn stats_point(o: &Value, concurrency: Option<f64>, rate: Option<f64>) -> Point {
    let dist = |k: &str| {
        o.get(k).map_or(Dist::default(), |m| {
            Dist {
                mean: num(m, "avg"),
                median: num(m, "p50"),
                p90: num(m, "p90"),
                p99: num(m, "p99"),
            }
            .scaled(unit_ms(m.get("unit").and_then(Value::as_str)))
        })
    };
    let avg = |k: &str| o.get(k).and_then(|m| num(m, "avg"));
    Point {
        label: label(concurrency, rate),
        concurrency,
        request_rate: rate,
        ttft: dist("time_to_first_token"),
        tpot: dist("inter_token_latency"),
        e2el: dist("request_latency"),
        request_throughput: avg("request_throughput"),
        output_throughput: avg("output_token_throughput"),
        goodput: avg("request_goodput"),
        ..Point::default()
    }
}

/// genai-perf `profile_export_genai_perf.json` (see [`stats_point`]).
fn genai_perf(o: &Value) -> Result<Parsed, String> {
    let config = o.get("input_config").cloned().unwrap_or(Value::Null);
    let model = match config.get("model") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_string),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let point = stats_point(o, num(&config, "concurrency"), num(&config, "request_rate"));
    Ok(Parsed {
        imported: imported(vec![point]),
        model,
        server: text(&config, "url"),
        at: None,
    })
}

/// Whether a statistics file is AIPerf's (`profile_export_aiperf.json`)
/// rather than genai-perf's: its own summary fields, or its configuration
/// nested by section.
fn is_aiperf_summary(o: &Value) -> bool {
    ["benchmark_duration", "request_count", "error_summary"]
        .iter()
        .any(|k| o.get(k).is_some())
        || o.get("input_config")
            .and_then(|c| c.get("endpoint"))
            .is_some_and(Value::is_object)
}

/// AIPerf `profile_export_aiperf.json`: genai-perf's statistics (see
/// [`stats_point`]) with the run's duration, request and error counts and
/// start time; the configuration nested by section. Its `goodput` is read
/// only as a rate (`{unit: "requests/sec", avg}`, good requests per
/// second): one of AIPerf's pages calls it a percentage, so a bare number
/// could be either. Its start time has no zone: read as UTC.
fn aiperf_summary(o: &Value) -> Result<Parsed, String> {
    let config = o.get("input_config").cloned().unwrap_or(Value::Null);
    let section = |k: &str| config.get(k).cloned().unwrap_or(Value::Null);
    let (endpoint, loadgen) = (section("endpoint"), section("loadgen"));
    // A summary figure: a number, or `{unit, avg}`.
    let figure = |k: &str| match o.get(k) {
        Some(Value::Number(n)) => n.as_f64(),
        Some(m @ Value::Object(_)) => num(m, "avg"),
        _ => None,
    };
    let mut point = stats_point(
        o,
        num(&loadgen, "concurrency"),
        num(&loadgen, "request_rate"),
    );
    point.duration_s = o.get("benchmark_duration").and_then(|m| {
        let v = num(m, "avg")?;
        Some(v * unit_ms(m.get("unit").and_then(Value::as_str)) / 1000.0)
    });
    // `request_count` counts the valid requests, `error_request_count` the
    // failed ones apart; AIPerf writes the latter only when there were any.
    point.completed = figure("request_count").map(|v| v as u64);
    point.failed = figure("error_request_count")
        .map(|v| v as u64)
        .or(point.completed.map(|_| 0));
    point.goodput = o
        .get("goodput")
        .filter(|m| m.get("unit").and_then(Value::as_str) == Some("requests/sec"))
        .and_then(|m| num(m, "avg"))
        .or(point.goodput);
    let model = endpoint
        .get("model_names")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Parsed {
        imported: imported(vec![point]),
        model,
        server: text(&endpoint, "url"),
        at: o
            .get("start_time")
            .and_then(Value::as_str)
            .and_then(iso_date_ms),
    })
}

fn is_aiperf(v: &Value) -> bool {
    v.get("metrics").is_some_and(Value::is_object)
        && v.get("metadata").is_some_and(Value::is_object)
}

/// AIPerf `profile_export.jsonl`: one record per request, each metric a
/// `{value, unit}`; `inter_chunk_latency` lists its chunk gaps (pooled,
/// they are vLLM's ITL).
fn aiperf(values: &[Value]) -> Result<Parsed, String> {
    let metric = |r: &Value, k: &str| -> Option<f64> {
        let m = r.get("metrics")?.get(k)?;
        let v = num(m, "value")?;
        Some(v * unit_ms(m.get("unit").and_then(Value::as_str)))
    };
    let ns = |r: &Value, k: &str| r.get("metadata").and_then(|m| num(m, k));
    let t0 = values
        .iter()
        .filter_map(|r| ns(r, "request_start_ns"))
        .fold(f64::INFINITY, f64::min);
    let t1 = values
        .iter()
        .filter_map(|r| ns(r, "request_end_ns"))
        .fold(f64::NEG_INFINITY, f64::max);
    let requests: Vec<Request> = values
        .iter()
        .map(|r| Request {
            ok: r.get("error").is_none_or(Value::is_null),
            ttft_ms: metric(r, "time_to_first_token"),
            e2e_ms: metric(r, "request_latency"),
            output_tokens: r
                .get("metrics")
                .and_then(|m| m.get("output_sequence_length"))
                .and_then(|m| count(m, "value")),
            input_tokens: r
                .get("metrics")
                .and_then(|m| m.get("input_sequence_length"))
                .and_then(|m| count(m, "value")),
            itl_ms: r
                .get("metrics")
                .and_then(|m| m.get("inter_chunk_latency"))
                .map(|m| {
                    let k = unit_ms(m.get("unit").and_then(Value::as_str));
                    m.get("value")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_f64).map(|g| g * k).collect())
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
            start_ms: ns(r, "request_start_ns").map(|s| (s - t0) / 1e6),
        })
        .collect();
    let duration_s = (t1 > t0).then(|| (t1 - t0) / 1e9);
    let ok: Vec<&Request> = requests.iter().filter(|r| r.ok).collect();
    let tokens: u64 = ok.iter().filter_map(|r| r.output_tokens).sum();
    Ok(listed(Point {
        label: "per-request records".into(),
        duration_s,
        request_throughput: duration_s.map(|d| ok.len() as f64 / d),
        output_throughput: duration_s.filter(|_| tokens > 0).map(|d| tokens as f64 / d),
        requests,
        ..Point::default()
    }))
}

/// A file of one benchmark whose figures come from its requests, naming no
/// model, server or date.
fn listed(mut point: Point) -> Parsed {
    fill_from_requests(&mut point);
    Parsed {
        imported: imported(vec![point]),
        model: None,
        server: None,
        at: None,
    }
}

/// llmperf `*_summary.json`: flat, times in seconds, request throughput
/// per minute; its inter-token latency is per request: vLLM's TPOT.
fn llmperf_summary(o: &Value) -> Result<Parsed, String> {
    let dist = |m: &str| {
        Dist {
            mean: num(o, &format!("results_{m}_mean")),
            median: num(o, &format!("results_{m}_quantiles_p50")),
            p90: num(o, &format!("results_{m}_quantiles_p90")),
            p99: num(o, &format!("results_{m}_quantiles_p99")),
        }
        .scaled(1000.0)
    };
    let concurrency = num(o, "num_concurrent_requests");
    let point = Point {
        label: label(concurrency, None),
        concurrency,
        completed: count(o, "results_num_completed_requests"),
        failed: count(o, "results_number_errors"),
        ttft: dist("ttft_s"),
        tpot: dist("inter_token_latency_s"),
        e2el: dist("end_to_end_latency_s"),
        request_throughput: num(o, "results_num_completed_requests_per_min").map(|m| m / 60.0),
        output_throughput: num(o, "results_mean_output_throughput_token_per_s"),
        ..Point::default()
    };
    Ok(Parsed {
        imported: imported(vec![point]),
        model: text(o, "model"),
        server: None,
        at: num(o, "timestamp").map(|s| s * 1000.0),
    })
}

/// llmperf `*_individual_responses.json`: one object per request, seconds.
fn llmperf_individual(v: &Value) -> Result<Parsed, String> {
    let requests = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| Request {
                    ok: r.get("error_code").is_none_or(Value::is_null),
                    ttft_ms: num(r, "ttft_s").map(|s| s * 1000.0),
                    e2e_ms: num(r, "end_to_end_latency_s").map(|s| s * 1000.0),
                    output_tokens: count(r, "number_output_tokens"),
                    input_tokens: count(r, "number_input_tokens"),
                    itl_ms: Vec::new(),
                    start_ms: None,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(listed(Point {
        label: "individual responses".into(),
        requests,
        ..Point::default()
    }))
}

/// promptfoo `-o results.json`: each result's latency (ms) and tokens; no
/// first token, no concurrency. An assertion that failed is an answer; an
/// error (`failureReason` 2) is a failed request.
fn promptfoo(o: &Value) -> Result<Parsed, String> {
    let results = &o["results"];
    let list = results["results"].as_array().cloned().unwrap_or_default();
    let requests: Vec<Request> = list
        .iter()
        .map(|r| {
            let usage = r
                .get("response")
                .and_then(|x| x.get("tokenUsage"))
                .or_else(|| r.get("tokenUsage"))
                .cloned()
                .unwrap_or(Value::Null);
            Request {
                ok: num(r, "failureReason") != Some(2.0)
                    && r.get("error").is_none_or(Value::is_null),
                ttft_ms: None,
                e2e_ms: num(r, "latencyMs"),
                output_tokens: count(&usage, "completion"),
                input_tokens: count(&usage, "prompt"),
                itl_ms: Vec::new(),
                start_ms: None,
            }
        })
        .collect();
    let model = list
        .first()
        .and_then(|r| r.get("provider"))
        .and_then(|p| text(p, "label").or_else(|| text(p, "id")));
    let mut point = Point {
        label: "evaluation".into(),
        duration_s: results
            .get("stats")
            .and_then(|s| num(s, "durationMs"))
            .map(|ms| ms / 1000.0),
        requests,
        ..Point::default()
    };
    fill_from_requests(&mut point);
    Ok(Parsed {
        imported: imported(vec![point]),
        model,
        server: None,
        at: text(results, "timestamp").and_then(|t| iso_date_ms(&t)),
    })
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: f64) -> Option<f64> {
    let ok = (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 61.0;
    ok.then(|| {
        (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60) as f64 * 1000.0 + s * 1000.0
    })
}

/// vLLM's `date` ("%Y%m%d-%H%M%S", local time without a zone: read as UTC).
fn compact_date_ms(d: &str) -> Option<f64> {
    let (day, time) = d.split_once('-')?;
    // Digits only, so the slices below fall on character boundaries.
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(day, 8) || !digits(time, 6) {
        return None;
    }
    let n = |s: &str| s.parse::<i64>().ok();
    civil_ms(
        n(&day[..4])?,
        n(&day[4..6])?,
        n(&day[6..])?,
        n(&time[..2])?,
        n(&time[2..4])?,
        n(&time[4..])? as f64,
    )
}

/// An ISO 8601 time such as `2024-05-01T12:34:56.789Z` (or with an offset).
fn iso_date_ms(t: &str) -> Option<f64> {
    let (date, time) = t.split_once(['T', ' '])?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, mo, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset_min) = if let Some(c) = time.strip_suffix('Z') {
        (c, 0)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (c, z) = time.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        // `get`, not slicing: the text may hold any character.
        let rest = z.get(1..)?;
        let (hh, mm) = rest.split_once(':').unwrap_or((rest.get(..2)?, "0"));
        (
            c,
            sign * (hh.parse::<i64>().ok()? * 60 + mm.parse::<i64>().ok()?),
        )
    } else {
        (time, 0)
    };
    let mut c = clock.split(':');
    let (h, mi) = (c.next()?.parse().ok()?, c.next()?.parse().ok()?);
    let s: f64 = c.next().unwrap_or("0").parse().ok()?;
    Some(civil_ms(y, mo, day, h, mi, s)? - offset_min as f64 * 60_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_utc() {
        assert_eq!(
            compact_date_ms("20240501-123456"),
            Some(1_714_566_896_000.0)
        );
        assert_eq!(
            iso_date_ms("2024-05-01T12:34:56.500Z"),
            Some(1_714_566_896_500.0)
        );
        assert_eq!(
            iso_date_ms("2024-05-01T14:34:56+02:00"),
            Some(1_714_566_896_000.0)
        );
        assert_eq!(compact_date_ms("2024-05-01"), None);
        // Text that is not a date is no date, never a panic.
        assert_eq!(compact_date_ms("2024050é-12345"), None);
        assert_eq!(iso_date_ms("2024-05-01T12:00:00+é"), None);
        assert_eq!(iso_date_ms("2024-05-01T12:00:00+"), None);
    }
}
