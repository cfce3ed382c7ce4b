//! A kept run as files: an HTML report, timings as CSV, a Markdown summary
//! (JSON is the record itself, `RunRecord::to_json`).

pub mod csv;
pub mod html;
pub mod markdown;
pub mod vllm;

use crate::history::record::RunRecord;

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
    use super::csv::csv;
    use super::html::html;
    use super::markdown::markdown;
    use super::*;
    use crate::history::figures::*;
    use crate::history::record::fixtures::compare;

    const EVIL: &str = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"q\"";

    #[test]
    fn the_report_keeps_model_output_as_text() {
        let mut r = compare("gpt-4o-mini", 1.7e12, 500.0, 3, EVIL);
        r.tasks[0] = "<b>Summary</b>".into();
        r.runs[1].tasks[0].label = "<b>Summary</b>".into();
        r.runs[1].tasks[1].error = Some("<i>boom</i>".into());
        r.input.name = "<svg onload=alert(1)>".into();
        let h = html(&r, &crate::capacity::Targets::default());
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
    fn thinking_is_its_own_field_in_the_report_and_the_csv() {
        let mut r = compare("qwen3", 1.7e12, 500.0, 3, "the answer");
        let t = &mut r.runs[1].tasks[0];
        t.reasoning = "<think>weighing it</think>".into();
        t.timing.first_any_ms = Some(t.timing.sent_ms + 100.0);
        t.timing.first_token_ms = Some(t.timing.sent_ms + 300.0);
        t.timing.reasoning_tokens = Some(20);
        t.timing.usage = Some(crate::openai::Usage {
            prompt_tokens: 10,
            completion_tokens: 50,
            total_tokens: 60,
            completion_tokens_details: None,
        });
        let h = html(&r, &crate::capacity::Targets::default());
        // Folded, escaped, before the answer and apart from it.
        let at = h
            .find("<summary>Thinking (20 tokens)</summary><pre>&lt;think&gt;weighing it")
            .unwrap();
        let answer = h[at..].find("<pre>the answer</pre>").unwrap();
        assert!(answer > 0);
        let c = csv(&r);
        let mut rows = ::csv::Reader::from_reader(c.as_bytes());
        let head = rows.headers().unwrap().clone();
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let row = rows
            .records()
            .map(Result::unwrap)
            .find(|row| row[col("mode")] == *"parallel" && row[col("reasoning_tokens")] != *"")
            .unwrap();
        assert_eq!(&row[col("reasoning_tokens")], "20");
        assert_eq!(&row[col("answer_tokens")], "30");
        let first_any: f64 = row[col("first_any_token_ms")].parse().unwrap();
        let first_answer: f64 = row[col("first_token_ms")].parse().unwrap();
        assert!(
            (first_answer - first_any - 200.0).abs() < 0.2,
            "{first_any} {first_answer}"
        );
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
        // A slower parallel run at K = 3 against a faster one at K = 2: B's
        // speedup is lower, its efficiency higher; efficiency must not read
        // "better" beside a worse headline.
        let mut k3 = compare("m", 1.7e12, 1000.0, 3, "A");
        k3.runs[1].metrics.wall_ms = 1500.0;
        let k2 = compare("m", 1.7e12, 1000.0, 2, "B");
        let d = differences(&k3, &k2);
        let speedup = d.iter().find(|x| x.key == "speedup").unwrap();
        let eff = d.iter().find(|x| x.key == "efficiency").unwrap();
        assert_eq!(speedup.b_better, Some(false));
        assert_eq!(eff.b_better, None);
        assert!(
            eff.change.ends_with("(per slot; K differs)"),
            "{}",
            eff.change
        );
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
        let h = html(&b, &crate::capacity::Targets::default());
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
