//! A run file from an unknown source, checked field by field before
//! anything is stored: a bad file is refused whole, with the reason.

use crate::history::record::{FORMAT, HEAD_CHARS, Kind, MAX_IMPORT_BYTES, RunRecord, VERSION};

impl RunRecord {
    /// Reads a run file from an unknown source, checking every field a view
    /// or chart relies on; nothing partial is ever returned.
    pub fn import(text: &str) -> Result<Self, ImportError> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(ImportError::TooBig(text.len()));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ImportError::NotARun);
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(ImportError::Version(v)),
            None => return Err(ImportError::Invalid("\"version\" is missing".into())),
        }
        // Read again from the text, not from `value`: kept runs are read
        // from text too, so the page compiles one reader of records.
        let record: RunRecord =
            serde_json::from_str(text).map_err(|e| ImportError::Invalid(e.to_string()))?;
        record.check().map_err(ImportError::Invalid)?;
        Ok(record)
    }

    /// Reads a file from an unknown source: a Fanout run, or another tool's
    /// results (vLLM bench, GuideLLM, genai-perf, AIPerf, llmperf,
    /// promptfoo) kept as a run of their own kind, named `file`; `now_ms`
    /// dates it when the file does not say when it ran.
    pub fn import_any(file: &str, text: &str, now_ms: f64) -> Result<Self, ImportError> {
        match Self::import(text) {
            Err(ImportError::NotARun | ImportError::NotJson(_)) => {}
            other => return other,
        }
        let parsed = crate::history::foreign::parse(file, text).map_err(ImportError::Unknown)?;
        let record = Self::of_foreign(file, text, parsed, now_ms);
        record.check().map_err(ImportError::Invalid)?;
        Ok(record)
    }

    /// The record of another tool's results read from `text`.
    fn of_foreign(
        file: &str,
        text: &str,
        parsed: crate::history::foreign::parse::Parsed,
        now_ms: f64,
    ) -> Self {
        use crate::history::record::{InputInfo, fnv1a_hex};
        let hash = fnv1a_hex(text);
        let source = parsed.imported.source;
        // The server's host, without scheme, credentials or path.
        let host = parsed
            .server
            .as_deref()
            .map(|u| {
                let rest = u.split_once("://").map_or(u, |(_, r)| r);
                let rest = rest.split(['/', '?', '#']).next().unwrap_or_default();
                rest.rsplit_once('@').map_or(rest, |(_, h)| h).to_string()
            })
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown server".into());
        Self {
            format: FORMAT.into(),
            version: VERSION,
            id: format!("{}-{}", source.name(), &hash[..hash.len().min(12)]),
            at: parsed.at.filter(|t| *t > 0.0).unwrap_or(now_ms),
            kind: Kind::Imported(Box::new(parsed.imported)),
            model: parsed
                .model
                .map(|m| m.chars().take(200).collect())
                .unwrap_or_else(|| "unknown model".into()),
            host: host.chars().take(300).collect(),
            simulated: false,
            input: InputInfo {
                name: file.chars().take(500).collect(),
                chars: text.chars().count(),
                hash,
                head: String::new(),
            },
            tasks: vec![source.label().into()],
            runs: Vec::new(),
            expected: Vec::new(),
            cost_usd: None,
            cancelled: false,
        }
    }

    /// Every invariant the views rely on.
    fn check(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 80
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err("\"id\" must be 1–80 letters, digits, - or _".into());
        }
        if !(self.at.is_finite() && self.at > 0.0) {
            return Err("\"at\" is not a time".into());
        }
        if self.model.trim().is_empty() || self.model.len() > 200 {
            return Err("\"model\" must be 1–200 characters".into());
        }
        if self.host.len() > 300 || self.tasks.iter().any(|t| t.len() > 200) {
            return Err("a host or task label is too long".into());
        }
        if self.tasks.is_empty() || self.tasks.len() > 64 {
            return Err("a run has 1–64 tasks".into());
        }
        if self.input.head.chars().count() > HEAD_CHARS || self.input.name.len() > 500 {
            return Err("\"input\" is longer than a record keeps".into());
        }
        if !self.expected.is_empty() && self.expected.len() != self.tasks.len() {
            return Err("\"expected\" does not have one entry per task".into());
        }
        let times_ok = |v: f64| v.is_finite() && v >= 0.0;
        if !self.expected.iter().flatten().all(|v| times_ok(*v))
            || !self.cost_usd.is_none_or(times_ok)
        {
            return Err("a duration or cost is negative or not a number".into());
        }
        for (i, run) in self.runs.iter().enumerate() {
            let m = &run.metrics;
            if run.tasks.len() != self.tasks.len() {
                return Err(format!("run {} does not have one entry per task", i + 1));
            }
            if ![m.wall_ms, m.sum_task_ms, m.slowest_task_ms, m.overhead]
                .into_iter()
                .all(times_ok)
                || run.k == 0
            {
                return Err(format!("run {} has a figure that is not a number", i + 1));
            }
            for t in &run.tasks {
                let tm = &t.timing;
                let ordered = [tm.queued_ms, tm.sent_ms, tm.done_ms]
                    .into_iter()
                    .all(times_ok)
                    && tm.queued_ms <= tm.sent_ms
                    && tm.sent_ms <= tm.done_ms
                    && tm
                        .first_token_ms
                        .is_none_or(|f| f.is_finite() && f >= tm.sent_ms && f <= tm.done_ms)
                    && tm
                        .retry_waits
                        .iter()
                        .all(|(a, b)| a.is_finite() && b.is_finite() && a <= b);
                if !ordered {
                    return Err(format!(
                        "run {}, task \"{}\": its times are out of order",
                        i + 1,
                        t.label
                    ));
                }
            }
        }
        // The kind and its payload agree by construction (`RecordFile`
        // refuses a file where they do not); what each payload holds is
        // checked here.
        match &self.kind {
            Kind::Race(r) => {
                if r.endpoints.len() != self.runs.len() || r.task_ids.len() != self.tasks.len() {
                    return Err("the race does not have one run per endpoint".into());
                }
                if !times_ok(r.wall_ms) {
                    return Err("the race has a figure that is not a number".into());
                }
            }
            Kind::Capacity(c)
                if c.steps
                    .iter()
                    .any(|s| s.k == 0 || !times_ok(s.stats.span_ms)) =>
            {
                return Err("a capacity step with no K or a figure that is not a number".into());
            }
            // A capacity search keeps steps, not runs.
            Kind::Capacity(_) => {}
            // Another tool's results keep benchmarks, not runs.
            Kind::Imported(i) => i.check()?,
            Kind::Batch(b) => {
                if b.cells.len() != b.docs.len() * self.tasks.len() {
                    return Err("the batch does not have one result per document and task".into());
                }
                if !times_ok(b.wall_ms) || !times_ok(b.mean_in_flight) {
                    return Err("the batch has a figure that is not a number".into());
                }
                if b.cells.iter().flatten().any(|c| !times_ok(c.total_ms)) {
                    return Err("a batch result has a duration that is not a number".into());
                }
            }
            _ if self.runs.is_empty() && !self.cancelled => {
                return Err("a run without any results".into());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// Over [`MAX_IMPORT_BYTES`].
    #[error("the file is {0} bytes; a run file is at most 20 MB")]
    TooBig(usize),
    /// Not JSON at all.
    #[error("the file is not JSON ({0})")]
    NotJson(String),
    /// JSON, but not a Fanout run.
    #[error("the file is JSON but not a Fanout run (no \"format\": \"fanout.run\")")]
    NotARun,
    /// Another layout version.
    #[error("the file is a Fanout run of format version {0}; this page reads version 1")]
    Version(u64),
    /// A field is missing or wrong.
    #[error("the run file is damaged: {0}")]
    Invalid(String),
    /// Neither a Fanout run nor another tool's results this page reads.
    #[error(
        "the file is not a Fanout run, nor a result file this page reads (vLLM bench, GuideLLM, genai-perf, AIPerf, llmperf, promptfoo): {0}"
    )]
    Unknown(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::fixtures::compare;

    #[test]
    fn an_exported_run_imports_as_the_same_run() {
        let r = compare("gpt-4o-mini", 1.7e12, 500.0, 6, "Ça <b>va</b>, \"quoted\"");
        let back = RunRecord::import(&r.to_json()).unwrap();
        assert_eq!(back, r);
    }

    fn edited(f: impl FnOnce(&mut serde_json::Value)) -> Result<RunRecord, ImportError> {
        let r = compare("gpt-4o-mini", 1.7e12, 500.0, 2, "ok");
        let mut v = serde_json::to_value(&r).unwrap();
        f(&mut v);
        RunRecord::import(&v.to_string())
    }

    #[test]
    fn a_bad_file_is_refused_with_the_reason() {
        assert!(matches!(
            RunRecord::import("not json"),
            Err(ImportError::NotJson(_))
        ));
        assert_eq!(
            RunRecord::import(r#"{"hello": 1}"#),
            Err(ImportError::NotARun)
        );
        assert_eq!(
            edited(|v| v["version"] = 2.into()),
            Err(ImportError::Version(2))
        );
        type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|v| v["id"] = "../etc".into()), "\"id\""),
            (Box::new(|v| v["at"] = (-5).into()), "\"at\""),
            (Box::new(|v| v["model"] = "".into()), "\"model\""),
            (
                Box::new(|v| v["tasks"] = serde_json::json!([])),
                "1–64 tasks",
            ),
            (
                Box::new(|v| {
                    v["runs"][0]["tasks"]
                        .as_array_mut()
                        .unwrap()
                        .pop()
                        .map(|_| ())
                        .unwrap()
                }),
                "one entry per task",
            ),
            (
                Box::new(|v| v["runs"][1]["metrics"]["wall_ms"] = (-1.0).into()),
                "not a number",
            ),
            (
                Box::new(|v| v["runs"][0]["tasks"][0]["timing"]["done_ms"] = 0.into()),
                "out of order",
            ),
            (
                Box::new(|v| v["runs"][0]["mode"] = "Diagonal".into()),
                "Diagonal",
            ),
            (
                Box::new(|v| v["plan"] = "batch".into()),
                "without its results",
            ),
            (Box::new(|v| v["cost_usd"] = (-0.5).into()), "negative"),
            (
                Box::new(|v| v["input"]["head"] = "x".repeat(201).into()),
                "longer",
            ),
        ];
        for (edit, reason) in cases {
            match edited(edit) {
                Err(ImportError::Invalid(msg)) => assert!(msg.contains(reason), "{msg} / {reason}"),
                other => panic!("{reason}: {other:?}"),
            }
        }
        let big = " ".repeat(MAX_IMPORT_BYTES + 1);
        assert!(matches!(
            RunRecord::import(&big),
            Err(ImportError::TooBig(_))
        ));
    }

    #[test]
    fn a_batch_record_checks_its_cells() {
        let r = crate::history::record::batch_fixture::batch();
        assert_eq!(r.input.name, "2 documents");
        assert_eq!(r.input.chars, 9);
        assert_eq!(r.errors(), 1);
        assert_eq!(r.median_latency_ms(), Some(800.0));
        assert_eq!(RunRecord::import(&r.to_json()).unwrap(), r);
        let mut v = serde_json::to_value(&r).unwrap();
        v["batch"]["cells"].as_array_mut().unwrap().pop();
        assert!(
            matches!(RunRecord::import(&v.to_string()), Err(ImportError::Invalid(m)) if m.contains("one result per"))
        );
    }
}
