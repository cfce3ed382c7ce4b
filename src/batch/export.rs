//! A batch's results as files: CSV (a row per document), JSONL (a line per
//! document × task) and JSON (everything), in input order.

use crate::batch::documents::Document;
use crate::batch::jobs::Job;
use crate::batch::saved::Cell;
use crate::workflow::engine::TaskStatus;
use crate::workflow::tasks::TaskDef;

/// The finished table: documents × tasks, `None` where a job has no result.
pub struct Table<'a> {
    /// The documents (unusable ones included, with their reason).
    pub docs: &'a [Document],
    /// The tasks, in column order.
    pub tasks: &'a [TaskDef],
    /// The jobs, in input order.
    pub jobs: &'a [Job],
    /// One cell per job.
    pub cells: &'a [Option<Cell>],
    /// Answered by the demo provider: every export says so.
    pub simulated: bool,
}

impl Table<'_> {
    fn cell(&self, doc: usize, task: usize) -> Option<&Cell> {
        self.jobs
            .iter()
            .position(|j| j.doc == doc && j.task == task)
            .and_then(|i| self.cells[i].as_ref())
    }

    /// One row per document, one column per task, then one timing column
    /// per task.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["document".to_string(), "error".to_string()];
        header.extend(self.tasks.iter().map(|t| t.id.clone()));
        header.extend(self.tasks.iter().map(|t| format!("{}_ms", t.id)));
        header.push("simulated".into());
        let _ = w.write_record(&header);
        for (d, doc) in self.docs.iter().enumerate() {
            let mut row = vec![doc.name.clone(), doc.error.clone().unwrap_or_default()];
            for t in 0..self.tasks.len() {
                row.push(match self.cell(d, t) {
                    Some(c) if c.status == TaskStatus::Done => c.text.clone(),
                    Some(c) => format!(
                        "[{}] {}",
                        c.status.name(),
                        c.error.clone().unwrap_or_default()
                    ),
                    None => String::new(),
                });
            }
            for t in 0..self.tasks.len() {
                row.push(
                    self.cell(d, t)
                        .map(|c| format!("{:.0}", c.total_ms))
                        .unwrap_or_default(),
                );
            }
            row.push(if self.simulated { "yes" } else { "no" }.into());
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    fn records(&self) -> Vec<serde_json::Value> {
        self.jobs
            .iter()
            .zip(self.cells)
            .map(|(j, c)| {
                serde_json::json!({
                    "document": self.docs[j.doc].name,
                    "task": self.tasks[j.task].id,
                    "result": c,
                    "simulated": self.simulated,
                })
            })
            .collect()
    }

    /// One JSON object per line: document, task and result.
    pub fn to_jsonl(&self) -> String {
        self.records()
            .iter()
            .map(|r| r.to_string() + "\n")
            .collect()
    }

    /// Everything, as one JSON document (never the key: it is not here).
    pub fn to_json(&self, model: &str) -> String {
        let docs: Vec<serde_json::Value> = self
            .docs
            .iter()
            .map(|d| serde_json::json!({"name": d.name, "chars": d.chars(), "error": d.error}))
            .collect();
        serde_json::to_string_pretty(&serde_json::json!({
            "format": "fanout-batch",
            "version": 1,
            "model": model,
            "simulated": self.simulated,
            "tasks": self.tasks,
            "documents": docs,
            "results": self.records(),
        }))
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::documents::{from_csv, from_jsonl};
    use crate::batch::jobs::jobs;
    use crate::batch::jobs::tests::docs;
    use crate::workflow::tasks::builtin_tasks;

    #[test]
    fn exports_round_trip_quotes_commas_newlines_and_utf8() {
        let d = docs();
        let tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(2).collect();
        let j = jobs(&d, 2);
        let texts = ["a, \"b\"", "line\nbreak", "ünï ☕", "", "x", "y"];
        let cells: Vec<Option<Cell>> = texts
            .iter()
            .map(|t| {
                Some(Cell {
                    status: TaskStatus::Done,
                    text: t.to_string(),
                    error: None,
                    total_ms: 12.4,
                    ttft_ms: Some(3.0),
                    tokens_in: Some(1),
                    tokens_out: Some(2),
                    attempts: 1,
                })
            })
            .collect();
        let table = Table {
            docs: &d,
            tasks: &tasks,
            jobs: &j,
            cells: &cells,
            simulated: true,
        };
        // CSV: read back the summary column.
        let csv = table.to_csv();
        let back = from_csv("e.csv", &csv, "summary").unwrap();
        assert_eq!(back[0].text, "a, \"b\"");
        assert_eq!(back[1].text, "ünï ☕");
        assert_eq!(back[3].error.as_deref(), Some("it is empty")); // the unusable pdf row
        let sentiments = from_csv("e.csv", &csv, "sentiment").unwrap();
        assert_eq!(sentiments[0].text, "line\nbreak");
        let ms = from_csv("e.csv", &csv, "summary_ms").unwrap();
        assert_eq!(ms[0].text, "12");
        let errors = from_csv("e.csv", &csv, "error").unwrap();
        assert_eq!(errors[3].text, "not supported");
        // JSONL: one line per job, read back through the document reader.
        let jsonl = table.to_jsonl();
        assert_eq!(jsonl.lines().count(), 6);
        let lines: Vec<serde_json::Value> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[1]["result"]["text"], "line\nbreak");
        assert_eq!(lines[1]["result"]["status"], "done");
        assert_eq!(lines[2]["document"], "Pasted text 2");
        assert_eq!(lines[2]["simulated"], true);
        let flags = from_csv("e.csv", &csv, "simulated").unwrap();
        assert_eq!(flags[0].text, "yes");
        let via_reader = from_jsonl("e.jsonl", &jsonl, "task");
        assert_eq!(via_reader[1].text, "sentiment");
        // JSON: everything, labelled.
        let json: serde_json::Value = serde_json::from_str(&table.to_json("gpt-4o")).unwrap();
        assert_eq!(json["format"], "fanout-batch");
        assert_eq!(json["simulated"], true);
        assert_eq!(json["documents"][3]["error"], "not supported");
        assert_eq!(json["results"].as_array().unwrap().len(), 6);
    }
}
