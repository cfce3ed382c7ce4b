//! What a run record becomes outside the page: its headline figures (also
//! used by the comparison), a self-contained HTML report with the charts as
//! inline SVG, a CSV of timings, and a Markdown summary for chat and tickets.
//!
//! Model output is untrusted: every piece of text goes through [`escape`],
//! and the report carries a policy that forbids scripts outright.

use std::time::{Duration, UNIX_EPOCH};

use crate::charts::bars::{BAR_HEIGHT, layout_bars};
use crate::charts::timeline::{TimelineFrame, layout_timeline};
use crate::format::duration_ms;
use crate::history::record::{PlanKind, RunRecord};
use crate::workflow::runner::Mode;

/// Which way a figure is better, for the comparison's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Smaller is better (times, cost, errors).
    Lower,
    /// Larger is better (speedup, efficiency).
    Higher,
}

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

/// The headline figures of a run, in the order the page shows them.
pub fn figures(r: &RunRecord) -> Vec<Figure> {
    use Better::{Higher, Lower};
    let res = r.results();
    let cmp = res.comparison();
    let tokens = res.tokens();
    let mut out = Vec::new();
    if let Some(b) = &r.batch {
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
        "throughput" => "Finished requests per second of wall time.",
        "in-flight" => "Mean number of requests in flight over the batch.",
        "tokens-out" => "Completion tokens reported over the batch.",
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
    figures(a)
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
        .collect()
}

/// `ms` since the Unix epoch as an HTTP date ("Mon, 30 Nov 2026 21:09:40 GMT").
pub fn date_of(ms: f64) -> String {
    let d = Duration::from_millis(ms.max(0.0) as u64);
    httpdate::fmt_http_date(UNIX_EPOCH + d)
}

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The run's waterfall timeline as an SVG element.
pub fn timeline_svg(r: &RunRecord) -> Option<String> {
    let rows: Vec<_> = r
        .rows()
        .iter()
        .flat_map(|(m, rs)| rs.iter().map(|row| row.to_timeline(*m, None)))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let l = layout_timeline(&rows, 0.0, None, TimelineFrame::default());
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-label="Timeline">"#,
        l.width, l.height
    );
    push_ticks(&mut s, &l.ticks, l.axis_y);
    for b in &l.bars {
        s.push_str(&format!(
            r#"<g class="bar {} {}"><text class="label" x="4" y="{}">{}</text>"#,
            escape(&b.status),
            escape(&b.group),
            b.y + 15.0,
            escape(&b.label)
        ));
        if let Some(w) = b.expected_width {
            s.push_str(&format!(
                r#"<rect class="expected" x="{}" y="{}" width="{}" height="20" rx="2"/>"#,
                b.x,
                b.y + 1.0,
                w.max(1.0)
            ));
        }
        s.push_str(&format!(
            r#"<rect class="total" x="{x}" y="{y}" width="{}" height="16" rx="2"/><rect class="ttft" x="{x}" y="{y}" width="{}" height="16" rx="2"/>"#,
            b.width,
            b.ttft_width,
            x = b.x,
            y = b.y + 3.0
        ));
        for (x, w) in &b.waits {
            s.push_str(&format!(
                r#"<rect class="retry-wait" x="{x}" y="{}" width="{w}" height="20"/>"#,
                b.y + 1.0
            ));
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    Some(s)
}

fn push_ticks(s: &mut String, ticks: &[(f64, f64)], axis_y: f64) {
    for (x, t) in ticks {
        s.push_str(&format!(
            r#"<g class="tick"><line x1="{x}" x2="{x}" y1="0" y2="{axis_y}"/><text x="{x}" y="{}" text-anchor="middle">{}</text></g>"#,
            axis_y + 16.0,
            escape(&duration_ms(*t))
        ));
    }
}

/// The per-task duration bars as an SVG element.
pub fn bars_svg(r: &RunRecord) -> Option<String> {
    let res = r.results();
    if r.runs.is_empty() || r.plan == PlanKind::Sweep {
        return None;
    }
    let l = layout_bars(&res.per_task, 720.0, 150.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-label="Per-task duration">"#,
        l.width, l.height
    );
    push_ticks(&mut s, &l.ticks, l.axis_y);
    for p in &l.pairs {
        s.push_str(&format!(
            r#"<g><text class="label" x="4" y="{}">{}</text>"#,
            p.y + BAR_HEIGHT + 3.0,
            escape(&p.label)
        ));
        if let Some(w) = p.sequential {
            s.push_str(&format!(
                r#"<rect class="seq" x="{}" y="{}" width="{w}" height="{BAR_HEIGHT}"/>"#,
                l.x0, p.y
            ));
        }
        if let Some(w) = p.parallel {
            s.push_str(&format!(
                r#"<rect class="par" x="{}" y="{}" width="{w}" height="{BAR_HEIGHT}"/>"#,
                l.x0,
                p.y + BAR_HEIGHT
            ));
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    Some(s)
}

const REPORT_STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem;color:#1b1b1f;background:#fff}\
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d9d9de;padding:.25rem .6rem;text-align:left;vertical-align:top}\
pre{white-space:pre-wrap;background:#f7f7f8;border:1px solid #d9d9de;padding:.6rem;border-radius:4px}\
svg{width:100%;height:auto}svg text{font-size:11px;fill:#1b1b1f}.tick line{stroke:#d9d9de}\
.total{fill:#3557d6}.ttft{fill:#9fb0ee}.expected{fill:none;stroke:#5d5d66;stroke-dasharray:3 2}\
.retry-wait{fill:#b3261e;opacity:.4}.bar.error .total{fill:#b3261e}.bar.cancelled .total{fill:#8a8a94}\
.seq{fill:#8a5a00}.par{fill:#3557d6}.error{color:#b3261e}.simulated{border-left:4px solid #8a5a00;padding-left:.6rem}";

/// A self-contained HTML report: figures, charts as inline SVG, answers. No
/// scripts (its policy forbids them), no key (a record never has one), no
/// outside resources, so it opens anywhere.
pub fn html(r: &RunRecord) -> String {
    let mut s = String::new();
    let title = format!("Fanout run: {} · {}", r.model, date_of(r.at));
    s.push_str(&format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{REPORT_STYLE}</style></head><body>\n",
        escape(&title)
    ));
    s.push_str(&format!("<h1>{}</h1>\n", escape(&title)));
    if r.simulated {
        s.push_str("<p class=\"simulated\">Simulated run (demo provider): the times and answers come from Fanout's built-in simulation, not from a model.</p>\n");
    }
    if r.cancelled {
        s.push_str("<p class=\"error\">Stopped by the user before the end.</p>\n");
    }
    s.push_str("<table><tbody>\n");
    let input = format!(
        "{} ({} characters, hash {})",
        r.input.name, r.input.chars, r.input.hash
    );
    for (k, v) in [
        ("Finished", date_of(r.at)),
        ("Model", r.model.clone()),
        ("Server", r.host.clone()),
        ("Mode", r.plan.name().to_string()),
        ("Input", input),
        ("Tasks", r.tasks.join(", ")),
    ] {
        s.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
            k,
            escape(&v)
        ));
    }
    s.push_str("</tbody></table>\n<h2>Headline figures</h2>\n<table><tbody>\n");
    for f in figures(r) {
        s.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
            escape(f.label),
            escape(&f.text)
        ));
    }
    s.push_str("</tbody></table>\n");
    if let Some(svg) = timeline_svg(r) {
        s.push_str("<h2>Timeline</h2>\n<p>Each bar runs from request sent to answer done; the lighter start is the wait for the first token; the dashed outline is the expected duration.</p>\n");
        s.push_str(&svg);
        s.push('\n');
    }
    if let Some(svg) = bars_svg(r) {
        s.push_str("<h2>Per-task duration</h2>\n<p>Upper bar sequential, lower bar parallel (last run of each mode).</p>\n");
        s.push_str(&svg);
        s.push_str("\n<table><thead><tr><th>Task</th><th>Sequential</th><th>Parallel</th></tr></thead><tbody>\n");
        for (label, a, b) in r.results().per_task {
            let ms = |v: Option<f64>| v.map(duration_ms).unwrap_or_else(|| "–".into());
            s.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>\n",
                escape(&label),
                ms(a),
                ms(b)
            ));
        }
        s.push_str("</tbody></table>\n");
    }
    let sweep = r.sweep();
    if !sweep.is_empty() {
        s.push_str("<h2>Concurrency sweep</h2>\n<table><thead><tr><th>K</th><th>Wall</th><th>Speedup over K = 1</th></tr></thead><tbody>\n");
        let base = sweep[0].1;
        for (k, wall) in &sweep {
            s.push_str(&format!(
                "<tr><td>{k}</td><td>{}</td><td>{:.2}</td></tr>\n",
                duration_ms(*wall),
                if *wall > 0.0 { base / wall } else { 0.0 }
            ));
        }
        s.push_str("</tbody></table>\n");
    }
    if !r.runs.is_empty() {
        s.push_str("<h2>Answers</h2>\n");
        for t in r.answers() {
            s.push_str(&format!(
                "<h3>{} <small>({}, {})</small></h3>\n<pre>{}</pre>\n",
                escape(&t.label),
                t.status.name(),
                duration_ms(t.timing.total_ms()),
                escape(&t.text)
            ));
            if let Some(e) = &t.error {
                s.push_str(&format!("<p class=\"error\">{}</p>\n", escape(e)));
            }
        }
    }
    if let Some(b) = &r.batch {
        s.push_str("<h2>Results</h2>\n");
        let n = r.tasks.len();
        for (d, doc) in b.docs.iter().enumerate() {
            s.push_str(&format!("<h3>{}</h3>\n", escape(doc)));
            for (t, label) in r.tasks.iter().enumerate() {
                match b.cells.get(d * n + t).and_then(Option::as_ref) {
                    Some(c) => {
                        s.push_str(&format!(
                            "<h4>{} <small>({}, {})</small></h4>\n<pre>{}</pre>\n",
                            escape(label),
                            c.status.name(),
                            duration_ms(c.total_ms),
                            escape(&c.text)
                        ));
                        if let Some(e) = &c.error {
                            s.push_str(&format!("<p class=\"error\">{}</p>\n", escape(e)));
                        }
                    }
                    None => s.push_str(&format!(
                        "<h4>{} <small>(not finished)</small></h4>\n",
                        escape(label)
                    )),
                }
            }
        }
    }
    s.push_str("<footer><p>Report made by Fanout from the run kept in the browser's history. It holds no API key.</p></footer>\n</body></html>\n");
    s
}

/// The run's timings as CSV: one row per task and run (a batch: per
/// document and task); times in ms from the run's start.
pub fn csv(r: &RunRecord) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let num = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_default();
    let int = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    if let Some(b) = &r.batch {
        let _ = w.write_record([
            "document",
            "task",
            "status",
            "total_ms",
            "ttft_ms",
            "tokens_in",
            "tokens_out",
            "attempts",
            "error",
        ]);
        let n = r.tasks.len();
        for (i, c) in b.cells.iter().enumerate() {
            let doc = b.docs.get(i / n.max(1)).cloned().unwrap_or_default();
            let task = r.tasks.get(i % n.max(1)).cloned().unwrap_or_default();
            let row = match c {
                Some(c) => vec![
                    doc,
                    task,
                    c.status.name().into(),
                    num(Some(c.total_ms)),
                    num(c.ttft_ms),
                    int(c.tokens_in),
                    int(c.tokens_out),
                    c.attempts.to_string(),
                    c.error.clone().unwrap_or_default(),
                ],
                None => vec![doc, task, "not finished".into()]
                    .into_iter()
                    .chain(std::iter::repeat_n(String::new(), 6))
                    .collect(),
            };
            let _ = w.write_record(&row);
        }
    } else {
        let _ = w.write_record([
            "run",
            "mode",
            "k",
            "task",
            "status",
            "sent_ms",
            "first_token_ms",
            "done_ms",
            "total_ms",
            "tokens_in",
            "tokens_out",
            "attempts",
            "error",
        ]);
        for (i, run) in r.runs.iter().enumerate() {
            for t in &run.tasks {
                let tm = &t.timing;
                let _ = w.write_record([
                    (i + 1).to_string(),
                    run.mode.name().into(),
                    run.k.to_string(),
                    t.label.clone(),
                    t.status.name().into(),
                    num(Some(tm.sent_ms - tm.queued_ms)),
                    num(tm.first_token_ms.map(|f| f - tm.queued_ms)),
                    num(Some(tm.done_ms - tm.queued_ms)),
                    num(Some(tm.total_ms())),
                    int(tm.usage.map(|u| u.prompt_tokens)),
                    int(tm.usage.map(|u| u.completion_tokens)),
                    t.attempts.to_string(),
                    t.error.clone().unwrap_or_default(),
                ]);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// The headline figures as a Markdown table, for chat and tickets.
pub fn markdown(r: &RunRecord) -> String {
    let mut s = format!(
        "**Fanout run** · `{}` on {} · {} · {} tasks · {}\n\n| Figure | Value |\n|---|---|\n",
        md_cell(&r.model).replace('`', "'"),
        md_cell(&r.host),
        r.plan.name(),
        r.tasks.len(),
        date_of(r.at)
    );
    for f in figures(r) {
        s.push_str(&format!("| {} | {} |\n", f.label, md_cell(&f.text)));
    }
    if r.simulated {
        s.push_str("\n_Simulated run (demo provider): not a model's timings._\n");
    }
    s
}

/// File name stem for a run's exports: `fanout-<model>-<id>`.
pub fn file_stem(r: &RunRecord) -> String {
    let model: String = r
        .model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("fanout-{model}-{}", r.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::fixtures::compare;

    const EVIL: &str = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"q\"";

    #[test]
    fn the_report_keeps_model_output_as_text() {
        let mut r = compare("gpt-4o-mini", 1.7e12, 500.0, 3, EVIL);
        r.tasks[0] = "<b>Summary</b>".into();
        r.runs[1].tasks[0].label = "<b>Summary</b>".into();
        r.runs[1].tasks[1].error = Some("<i>boom</i>".into());
        r.input.name = "<svg onload=alert(1)>".into();
        let h = html(&r);
        assert!(!h.to_lowercase().contains("<script"), "{h}");
        assert!(!h.contains("<img"));
        assert!(!h.contains("<b>"));
        assert!(!h.contains("<i>boom"));
        assert!(!h.contains("<svg onload"));
        assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(h.contains("&amp; &quot;q&quot;"));
        assert!(h.contains("&lt;i&gt;boom&lt;/i&gt;"));
        // The policy forbids scripts even if something slipped through.
        assert!(h.contains("default-src 'none'"));
        // Charts are inline SVG, with the escaped label.
        assert_eq!(h.matches("<svg xmlns").count(), 2);
        assert!(h.contains("&lt;b&gt;Summary&lt;/b&gt; · par"));
    }

    #[test]
    fn figures_and_differences_say_which_run_did_better() {
        let a = compare("gpt-4o-mini", 1.7e12, 1000.0, 3, "A");
        let b = compare("gpt-4o", 1.7e12, 500.0, 3, "B");
        let fa = figures(&a);
        let speedup = fa.iter().find(|f| f.key == "speedup").unwrap();
        assert_eq!(speedup.text, format!("{:.2}", 3000.0 / 1002.0));
        let d = differences(&a, &b);
        let par = d.iter().find(|x| x.key == "parallel").unwrap();
        assert_eq!((par.a.as_str(), par.b.as_str()), ("1.00 s", "502 ms"));
        assert_eq!(
            par.change,
            format!("{:+.1} %", 100.0 * (502.0 - 1002.0) / 1002.0)
        );
        assert_eq!(par.b_better, Some(true));
        let errors = d.iter().find(|x| x.key == "errors").unwrap();
        assert_eq!((errors.change.as_str(), errors.b_better), ("+0", None));
        let mut slower = a.clone();
        slower.runs[1].metrics.wall_ms = 4000.0;
        let saved = figures(&slower)
            .into_iter()
            .find(|f| f.key == "saved")
            .unwrap();
        assert_eq!(saved.text, "-1.00 s");
        let same = differences(&a, &a);
        assert!(same.iter().all(|x| x.b_better.is_none()));
        // Under 0.05 % is no change, not "-0.0 % (better)".
        let mut c = a.clone();
        c.runs[1].metrics.wall_ms += 0.1;
        let tiny = differences(&a, &c);
        let par = tiny.iter().find(|x| x.key == "parallel").unwrap();
        assert_eq!((par.change.as_str(), par.b_better), ("0.0 %", None));
    }

    #[test]
    fn csv_has_one_row_per_task_and_run() {
        let r = compare("m", 1.7e12, 100.0, 2, "Hello, \"world\"\nline");
        let text = csv(&r);
        let mut rd = ::csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<::csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(&rows[1][1], "sequential");
        assert_eq!(&rows[1][5], "100.0");
        assert_eq!(&rows[1][7], "200.0");
        assert_eq!(&rows[3][2], "2");
        assert_eq!(&rows[3][8], "100.0");
    }

    #[test]
    fn the_markdown_summary_is_a_table_that_cannot_be_broken() {
        let mut r = compare("gpt|4o", 1.7e12, 1000.0, 3, "A");
        r.host = "evil|host\nnext".into();
        let md = markdown(&r);
        let lines: Vec<&str> = md.lines().collect();
        assert!(lines[0].contains("gpt\\|4o"));
        assert!(lines[0].contains("evil\\|host next"));
        let table: Vec<&&str> = lines.iter().filter(|l| l.starts_with('|')).collect();
        assert_eq!(table.len(), 2 + figures(&r).len());
        assert!(md.contains("| Speedup | 2.99 |"));
        assert!(md.contains("| Cost (estimated) | $0.0012 |"));
    }

    #[test]
    fn every_figure_is_explained() {
        let a = compare("m", 1.7e12, 10.0, 2, "A");
        let b = crate::history::record::batch_fixture::batch();
        for f in figures(&a).into_iter().chain(figures(&b)) {
            assert!(!explain(f.key).is_empty(), "{}", f.key);
        }
    }

    #[test]
    fn a_batch_reports_its_requests_and_results() {
        let b = crate::history::record::batch_fixture::batch();
        let f = figures(&b);
        let text = |k: &str| f.iter().find(|x| x.key == k).unwrap().text.clone();
        assert_eq!(text("requests"), "3 of 4");
        assert_eq!(text("throughput"), "1.50");
        assert_eq!(text("errors"), "1");
        let h = html(&b);
        assert!(h.contains("(not finished)"));
        assert_eq!(h.matches("<h3>").count(), 2);
        let rows: Vec<String> = csv(&b).lines().map(String::from).collect();
        assert_eq!(rows.len(), 5);
        assert!(rows[3].starts_with("b.txt,Summary,not finished"));
    }

    #[test]
    fn dates_and_names() {
        assert_eq!(date_of(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            date_of(1_796_072_980_000.0),
            "Mon, 30 Nov 2026 21:09:40 GMT"
        );
        let mut r = compare("org/model:7b", 1.7e12, 10.0, 1, "A");
        r.id = "run-1".into();
        assert_eq!(file_stem(&r), "fanout-org_model_7b-run-1");
    }
}
