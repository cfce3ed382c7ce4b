//! A run's timings as CSV.

use crate::history::record::RunRecord;

/// The run's timings as CSV: one row per task and run (a batch: per
/// document and task); times in ms from the run's start.
pub fn csv(r: &RunRecord) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let num = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_default();
    let int = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    if let Some(c) = r.kind.capacity() {
        let _ = w.write_record([
            "k",
            "held",
            "requests",
            "errors",
            "ttft_p50_ms",
            "ttft_p90_ms",
            "ttft_p99_ms",
            "tpot_p50_ms",
            "tokens_per_s_p50",
            "tokens_per_s_p90",
            "e2e_p50_ms",
            "e2e_p90_ms",
            "throughput_tps",
            "goodput_rps",
        ]);
        for st in &c.steps {
            let x = &st.stats;
            let _ = w.write_record([
                st.k.to_string(),
                st.held.to_string(),
                x.requests.to_string(),
                x.errors.to_string(),
                num(x.ttft.p50),
                num(x.ttft.p90),
                num(x.ttft.p99),
                num(x.tpot.p50),
                num(x.speed.p50),
                num(x.speed.p90),
                num(x.e2e.p50),
                num(x.e2e.p90),
                num(Some(x.throughput_tps)),
                format!("{:.3}", x.goodput_rps),
            ]);
        }
    } else if let Some(i) = r.kind.imported() {
        let mut head = vec![
            "benchmark".to_string(),
            "concurrency".into(),
            "request_rate".into(),
            "completed".into(),
            "failed".into(),
            "duration_s".into(),
        ];
        for m in ["ttft", "tpot", "itl", "e2el"] {
            for s in ["mean", "p50", "p90", "p99"] {
                head.push(format!("{m}_{s}_ms"));
            }
        }
        head.extend(["request_throughput", "output_throughput", "goodput"].map(String::from));
        let _ = w.write_record(&head);
        for p in &i.points {
            let mut row = vec![
                p.label.clone(),
                num(p.concurrency),
                num(p.request_rate),
                int(p.completed),
                int(p.failed),
                num(p.duration_s),
            ];
            for d in [p.ttft, p.tpot, p.itl, p.e2el] {
                row.extend([num(d.mean), num(d.median), num(d.p90), num(d.p99)]);
            }
            row.extend([
                num(p.request_throughput),
                num(p.output_throughput),
                num(p.goodput),
            ]);
            let _ = w.write_record(&row);
        }
    } else if let Some(b) = r.kind.batch() {
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
            // A race's runs are its endpoints.
            if r.kind.race().is_some() {
                "endpoint"
            } else {
                "run"
            },
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
            "requests",
            "agreement",
            "tpot_ms",
            "tokens_per_s",
            "gap_max_ms",
            "first_any_token_ms",
            "reasoning_tokens",
            "answer_tokens",
            "output_tokens_per_s",
        ]);
        for (i, run) in r.runs.iter().enumerate() {
            for t in &run.tasks {
                let tm = &t.timing;
                let run_name = match r.kind.race() {
                    Some(race) => race
                        .endpoints
                        .get(i)
                        .map_or(String::new(), |e| format!("{}: {}", i + 1, e.name)),
                    None => (i + 1).to_string(),
                };
                let _ = w.write_record([
                    run_name,
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
                    t.requests.len().max(1).to_string(),
                    t.agreement.clone().unwrap_or_default(),
                    num(tm.tpot_ms()),
                    num(tm.tokens_per_s()),
                    num(tm.gaps.map(|g| g.max_ms)),
                    num(tm.ttft_any_ms().map(|f| f + tm.sent_ms - tm.queued_ms)),
                    int(tm.reasoning_tokens),
                    int(tm.answer_tokens()),
                    num(tm.output_tokens_per_s()),
                ]);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
