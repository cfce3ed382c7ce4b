//! The self-contained HTML report: figures, the timeline and bars as inline
//! SVG drawn from the same layout functions as the page's charts, answers.
//! Model output is untrusted: every piece of text goes through [`escape`],
//! and the report carries a policy that forbids scripts outright.

use super::escape;

use crate::capacity::{COLUMNS, Targets};
use crate::charts::bars::{BAR_HEIGHT, layout_bars};
use crate::charts::timeline::{TimelineFrame, layout_timeline};
use crate::format::duration_ms;
use crate::history::figures::*;
use crate::history::record::RunRecord;
use crate::workflow::runner::RunKind;

/// The run's waterfall timeline as an SVG element.
pub fn timeline_svg(r: &RunRecord) -> Option<String> {
    let rows: Vec<_> = match r.race_drawn() {
        Some(race) => race.timeline(None),
        None => r
            .rows()
            .iter()
            .flat_map(|(m, rs)| rs.iter().map(|row| row.to_timeline(*m, None)))
            .collect(),
    };
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
    if r.runs.is_empty() || matches!(r.kind.run_kind(), RunKind::Sweep | RunKind::Race) {
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

/// A race's endpoints side by side (best per figure marked) and every
/// task's answers aligned across them, with the agreement where there is one.
fn race_html(s: &mut String, race: &crate::race::live::Race) {
    s.push_str("<h2>Endpoints</h2>\n<table><thead><tr><th>Figure</th>");
    for (n, l) in race.lanes.iter().enumerate() {
        s.push_str(&format!(
            "<th>{}: {} <small>({}, K = {})</small></th>",
            n + 1,
            escape(&l.name),
            escape(&l.model),
            l.k
        ));
    }
    s.push_str("</tr></thead><tbody>\n");
    for row in crate::race::figure_rows(&race.figures()) {
        s.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(row.label)));
        for (cell, best) in row.cells.iter().zip(&row.best) {
            let mark = if *best { " (best)" } else { "" };
            s.push_str(&format!("<td>{}{mark}</td>", escape(cell)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n<h2>Answers by task</h2>\n");
    for (i, (label, agreed)) in race.labels.iter().zip(race.agreements()).enumerate() {
        s.push_str(&format!("<h3>{}</h3>\n", escape(label)));
        if let Some(a) = agreed {
            s.push_str(&format!("<p>Agreement: {}</p>\n", escape(&a.describe())));
        }
        for (n, l) in race.lanes.iter().enumerate() {
            s.push_str(&format!(
                "<h4>{}: {} <small>({})</small></h4>\n<pre>{}</pre>\n",
                n + 1,
                escape(&l.name),
                l.rows[i].status.name(),
                escape(&l.texts[i])
            ));
        }
    }
}

/// A table of per-request figures: one row per group (K of a capacity
/// step, a mode, an endpoint), the [`COLUMNS`] after it.
fn figures_table(s: &mut String, head: &[&str], rows: Vec<(Vec<String>, [String; 9])>) {
    s.push_str("<table><thead><tr>");
    for h in head.iter().chain(COLUMNS.iter()) {
        s.push_str(&format!("<th>{}</th>", escape(h)));
    }
    s.push_str("</tr></thead><tbody>\n");
    for (first, cells) in rows {
        s.push_str("<tr>");
        for c in first.iter().chain(cells.iter()) {
            s.push_str(&format!("<td>{}</td>", escape(c)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

/// A model's thinking, folded, apart from its answer (nothing without).
fn thinking_html(s: &mut String, reasoning: &str, tokens: Option<u64>) {
    if reasoning.is_empty() {
        return;
    }
    s.push_str(&format!(
        "<details class=\"thinking\"><summary>Thinking{}</summary><pre>{}</pre></details>\n",
        tokens.map_or(String::new(), |n| format!(" ({n} tokens)")),
        escape(reasoning)
    ));
}

/// Per-request figures, and a capacity search's answer and steps.
fn requests_html(s: &mut String, r: &RunRecord, targets: &Targets) {
    let groups = r.request_stats(targets);
    if !groups.is_empty() {
        s.push_str("<h2>Per request</h2>\n");
        let limits: Vec<String> = groups
            .iter()
            .filter_map(|g| {
                g.rate_limit
                    .as_ref()
                    .map(|l| format!("{}: {}", g.name, l.describe()))
            })
            .collect();
        figures_table(
            s,
            &[""],
            groups
                .into_iter()
                .map(|g| (vec![g.name], g.stats.cells()))
                .collect(),
        );
        if !limits.is_empty() {
            s.push_str(&format!(
                "<p>Rate limits left: {}.</p>\n",
                escape(&limits.join("; "))
            ));
        }
    }
    if let Some(i) = r.kind.imported() {
        s.push_str(&format!(
            "<h2>Imported from {}</h2>\n<p>File \"{}\": figures in ms and per second, mean / p50 / p90 / p99; – where the file has none.</p>\n<table><thead><tr><th>Benchmark</th><th>Answered / failed</th><th>First token</th><th>TPOT</th><th>ITL</th><th>End to end</th><th>Requests/s</th><th>Output tokens/s</th><th>Goodput</th></tr></thead><tbody>\n",
            escape(i.source.label()),
            escape(&i.file)
        ));
        let v = |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{x:.1}"));
        let d = |d: &crate::history::foreign::Dist| {
            format!(
                "{} / {} / {} / {}",
                v(d.mean),
                v(d.median),
                v(d.p90),
                v(d.p99)
            )
        };
        let n = |x: Option<u64>| x.map_or("–".to_string(), |x| x.to_string());
        for p in &i.points {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&p.label),
                n(p.completed),
                n(p.failed),
                d(&p.ttft),
                d(&p.tpot),
                d(&p.itl),
                d(&p.e2el),
                v(p.request_throughput),
                v(p.output_throughput),
                v(p.goodput)
            ));
        }
        s.push_str("</tbody></table>\n");
    }
    if let Some(c) = r.kind.capacity() {
        s.push_str(&format!(
            "<h2>Capacity</h2>\n<p><strong>{}</strong></p>\n",
            escape(&c.sentence)
        ));
        let close = crate::capacity::close_note(&c.steps);
        for p in [&c.reason, &c.capped, &close].into_iter().flatten() {
            s.push_str(&format!("<p>{}</p>\n", escape(p)));
        }
        s.push_str(&format!(
            "<p>Targets, each as a p90: {} (as vLLM's --goodput: {}). The search sent {} requests.</p>\n",
            escape(&c.targets.describe()),
            escape(&c.targets.goodput_arg()),
            c.requests
        ));
        figures_table(
            s,
            &["K", "Held", "Met every target"],
            c.steps
                .iter()
                .map(|st| {
                    (
                        vec![
                            if st.again > 0 {
                                format!("{} (×{})", st.k, st.again + 1)
                            } else {
                                st.k.to_string()
                            },
                            if st.held { "yes" } else { "no" }.into(),
                            st.stats.attainment().map_or("–".into(), |(a, (lo, hi))| {
                                format!(
                                    "{:.0} % ({:.0}–{:.0} %)",
                                    a * 100.0,
                                    lo * 100.0,
                                    hi * 100.0
                                )
                            }),
                        ],
                        st.stats.cells(),
                    )
                })
                .collect(),
        );
    }
}

/// A self-contained HTML report: figures, charts as inline SVG, answers. No
/// scripts (its policy forbids them), no key (a record never has one), no
/// outside resources, so it opens anywhere.
pub fn html(r: &RunRecord, targets: &Targets) -> String {
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
        ("Mode", r.kind.run_kind().name().to_string()),
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
    if let Some(race) = r.race_drawn() {
        race_html(&mut s, &race);
    }
    requests_html(&mut s, r, targets);
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
                "<h3>{} <small>({}, {})</small></h3>\n",
                escape(&t.label),
                t.status.name(),
                duration_ms(t.timing.total_ms()),
            ));
            thinking_html(&mut s, &t.reasoning, t.timing.reasoning_tokens);
            s.push_str(&format!("<pre>{}</pre>\n", escape(&t.text)));
            if let Some(a) = &t.agreement {
                s.push_str(&format!("<p>{}</p>\n", escape(a)));
            }
            if !t.requests.is_empty() {
                s.push_str(&format!(
                    "<p>{} requests{}:</p>\n<ol>\n",
                    t.requests.len(),
                    extra_tokens(t.extra_prompt_tokens)
                ));
                for q in &t.requests {
                    s.push_str(&format!(
                        "<li>{} ({}{})<pre>{}</pre></li>\n",
                        q.kind.describe(),
                        duration_ms(q.end_ms - q.sent_ms),
                        if q.ok { "" } else { ", failed" },
                        escape(&q.text)
                    ));
                }
                s.push_str("</ol>\n");
            }
            if let Some(e) = &t.error {
                s.push_str(&format!("<p class=\"error\">{}</p>\n", escape(e)));
            }
        }
    }
    if let Some(b) = r.kind.batch() {
        s.push_str("<h2>Results</h2>\n");
        let n = r.tasks.len();
        for (d, doc) in b.docs.iter().enumerate() {
            s.push_str(&format!("<h3>{}</h3>\n", escape(doc)));
            for (t, label) in r.tasks.iter().enumerate() {
                match b.cells.get(d * n + t).and_then(Option::as_ref) {
                    Some(c) => {
                        s.push_str(&format!(
                            "<h4>{} <small>({}, {})</small></h4>\n",
                            escape(label),
                            c.status.name(),
                            duration_ms(c.total_ms),
                        ));
                        thinking_html(&mut s, &c.reasoning, None);
                        s.push_str(&format!("<pre>{}</pre>\n", escape(&c.text)));
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

/// ", about N more prompt tokens than one request" for a split task.
pub fn extra_tokens(extra: Option<u64>) -> String {
    extra
        .map(|x| format!(", about {x} more prompt tokens than one request"))
        .unwrap_or_default()
}
