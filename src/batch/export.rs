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

/// Which job is each (document, task): `index[doc * tasks + task]`, made
/// once so a lookup is constant time (a search per cell made a 10,000-row
/// export take seconds).
pub fn job_index(jobs: &[Job], docs: usize, tasks: usize) -> Vec<Option<usize>> {
    let mut index = vec![None; docs * tasks];
    for (i, j) in jobs.iter().enumerate() {
        if let Some(slot) = index.get_mut(j.doc * tasks + j.task) {
            *slot = Some(i);
        }
    }
    index
}

/// Rows written per chunk of an export, so the page can yield between them.
pub const CHUNK_ROWS: usize = 500;

impl Table<'_> {
    /// Whether a pool answered (then the CSV says which member gave each
    /// cell).
    fn pooled(&self) -> bool {
        self.cells.iter().flatten().any(|c| c.served_by.is_some())
    }

    /// Whether a model thought (then the CSV has its thinking per task).
    fn thought(&self) -> bool {
        self.cells.iter().flatten().any(|c| !c.reasoning.is_empty())
    }

    /// The CSV's header line.
    pub fn csv_header(&self) -> String {
        let mut header = vec!["document".to_string(), "error".to_string()];
        header.extend(self.tasks.iter().map(|t| t.id.clone()));
        header.extend(self.tasks.iter().map(|t| format!("{}_ms", t.id)));
        if self.pooled() {
            header.extend(self.tasks.iter().map(|t| format!("{}_served_by", t.id)));
        }
        if self.thought() {
            header.extend(self.tasks.iter().map(|t| format!("{}_thinking", t.id)));
        }
        header.push("simulated".into());
        write_rows(std::iter::once(header))
    }

    /// The CSV lines of documents `docs` (a range of the document list),
    /// with `index` from [`job_index`].
    pub fn csv_rows(&self, docs: std::ops::Range<usize>, index: &[Option<usize>]) -> String {
        let n = self.tasks.len();
        let cell = |d: usize, t: usize| {
            index
                .get(d * n + t)
                .copied()
                .flatten()
                .and_then(|i| self.cells.get(i))
                .and_then(Option::as_ref)
        };
        // Once per chunk, not per row: each looks at every cell.
        let (pooled, thought) = (self.pooled(), self.thought());
        let rows = docs
            .filter_map(|d| self.docs.get(d).map(|doc| (d, doc)))
            .map(|(d, doc)| {
                let mut row = vec![doc.name.clone(), doc.error.clone().unwrap_or_default()];
                for t in 0..n {
                    row.push(match cell(d, t) {
                        Some(c) if c.status == TaskStatus::Done => c.text.clone(),
                        Some(c) => format!(
                            "[{}] {}",
                            c.status.name(),
                            c.error.clone().unwrap_or_default()
                        ),
                        None => String::new(),
                    });
                }
                for t in 0..n {
                    row.push(
                        cell(d, t)
                            .map(|c| format!("{:.0}", c.total_ms))
                            .unwrap_or_default(),
                    );
                }
                if pooled {
                    for t in 0..n {
                        row.push(
                            cell(d, t)
                                .and_then(|c| c.served_by.clone())
                                .unwrap_or_default(),
                        );
                    }
                }
                if thought {
                    for t in 0..n {
                        row.push(cell(d, t).map(|c| c.reasoning.clone()).unwrap_or_default());
                    }
                }
                row.push(if self.simulated { "yes" } else { "no" }.into());
                row
            });
        write_rows(rows)
    }

    /// One row per document, one column per task, then one timing column
    /// per task.
    pub fn to_csv(&self) -> String {
        let index = job_index(self.jobs, self.docs.len(), self.tasks.len());
        self.csv_header() + &self.csv_rows(0..self.docs.len(), &index)
    }

    /// The JSONL lines of jobs `jobs` (a range of the job list).
    pub fn jsonl_lines(&self, jobs: std::ops::Range<usize>) -> String {
        jobs.filter_map(|i| Some((self.jobs.get(i)?, self.cells.get(i)?)))
            .map(|(j, c)| self.record(j, c).to_string() + "\n")
            .collect()
    }

    fn record(&self, j: &Job, c: &Option<Cell>) -> serde_json::Value {
        serde_json::json!({
            "document": self.docs[j.doc].name,
            "task": self.tasks[j.task].id,
            "result": c,
            "simulated": self.simulated,
        })
    }

    fn records(&self) -> Vec<serde_json::Value> {
        self.jobs
            .iter()
            .zip(self.cells)
            .map(|(j, c)| self.record(j, c))
            .collect()
    }

    /// One JSON object per line: document, task and result.
    pub fn to_jsonl(&self) -> String {
        self.jsonl_lines(0..self.jobs.len())
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

/// CSV lines of `rows`, quoted as needed.
fn write_rows(rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
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
                    served_by: None,
                    reasoning: String::new(),
                    dropped: false,
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
        // Written in chunks, the files are the same byte for byte.
        let index = job_index(&j, d.len(), tasks.len());
        let chunked: String = table.csv_header()
            + &(0..d.len())
                .step_by(2)
                .map(|a| table.csv_rows(a..(a + 2).min(d.len()), &index))
                .collect::<String>();
        assert_eq!(chunked, csv);
        let lines: String = (0..j.len())
            .step_by(4)
            .map(|a| table.jsonl_lines(a..(a + 4).min(j.len())))
            .collect();
        assert_eq!(lines, jsonl);
        let via_reader = from_jsonl("e.jsonl", &jsonl, "task");
        assert_eq!(via_reader[1].text, "sentiment");
        // JSON: everything, labelled.
        let json: serde_json::Value = serde_json::from_str(&table.to_json("gpt-4o")).unwrap();
        assert_eq!(json["format"], "fanout-batch");
        assert_eq!(json["simulated"], true);
        assert_eq!(json["documents"][3]["error"], "not supported");
        assert_eq!(json["results"].as_array().unwrap().len(), 6);
    }

    /// Job `i`'s answer, done in 10 ms.
    fn answer(i: usize) -> Cell {
        Cell {
            status: TaskStatus::Done,
            text: format!("answer {i}"),
            error: None,
            total_ms: 10.0,
            ttft_ms: None,
            tokens_in: None,
            tokens_out: None,
            attempts: 1,
            served_by: None,
            reasoning: String::new(),
            dropped: false,
        }
    }

    /// `n` answered cells made by `cell`.
    fn answered(n: usize, cell: impl Fn(usize) -> Cell) -> Vec<Option<Cell>> {
        (0..n).map(|i| Some(cell(i))).collect()
    }

    #[test]
    fn a_pooled_batch_says_which_member_answered_each_cell() {
        let d = docs();
        let tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(1).collect();
        let j = jobs(&d, 1);
        let cells = answered(j.len(), |i| Cell {
            served_by: Some(format!("member {}", i % 2 + 1)),
            ..answer(i)
        });
        let table = Table {
            docs: &d,
            tasks: &tasks,
            jobs: &j,
            cells: &cells,
            simulated: false,
        };
        let by = from_csv("e.csv", &table.to_csv(), "summary_served_by").unwrap();
        assert_eq!(by[0].text, "member 1");
        assert_eq!(by[1].text, "member 2");
        let first: serde_json::Value =
            serde_json::from_str(table.to_jsonl().lines().next().unwrap()).unwrap();
        assert_eq!(first["result"]["served_by"], "member 1");
        // Without a pool, neither the column nor the field appears.
        let plain: Vec<Option<Cell>> = cells
            .iter()
            .map(|c| {
                c.clone().map(|c| Cell {
                    served_by: None,
                    ..c
                })
            })
            .collect();
        let table = Table {
            cells: &plain,
            ..table
        };
        assert!(!table.csv_header().contains("served_by"));
        assert!(!table.to_jsonl().contains("served_by"));
    }

    #[test]
    fn a_models_thinking_has_its_own_columns_and_field() {
        let d = docs();
        let tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(1).collect();
        let j = jobs(&d, 1);
        let cells = answered(j.len(), |i| Cell {
            reasoning: format!("<b>thought {i}</b>"),
            ..answer(i)
        });
        let table = Table {
            docs: &d,
            tasks: &tasks,
            jobs: &j,
            cells: &cells,
            simulated: false,
        };
        let csv = table.to_csv();
        let thinking = from_csv("e.csv", &csv, "summary_thinking").unwrap();
        assert_eq!(thinking[1].text, "<b>thought 1</b>");
        // The answer column holds the answer alone.
        let answers = from_csv("e.csv", &csv, "summary").unwrap();
        assert_eq!(answers[1].text, "answer 1");
        let first: serde_json::Value =
            serde_json::from_str(table.to_jsonl().lines().next().unwrap()).unwrap();
        assert_eq!(first["result"]["reasoning"], "<b>thought 0</b>");
        assert_eq!(first["result"]["text"], "answer 0");
    }
}
