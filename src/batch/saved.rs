//! What a batch keeps: each finished job's cell, and the batch itself as
//! saved on the device so a reload or a crash loses nothing.

use serde::{Deserialize, Serialize};

use crate::batch::documents::Document;
use crate::batch::jobs::Job;
use crate::openai::{ApiError, ChatOutput};
use crate::workflow::engine::TaskStatus;
use crate::workflow::tasks::TaskDef;

/// A finished job's cell in the results table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Done, error or cancelled.
    pub status: TaskStatus,
    /// The answer (or what arrived before a failure).
    pub text: String,
    /// A readable error.
    pub error: Option<String>,
    /// Sent to done, ms.
    pub total_ms: f64,
    /// Sent to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Prompt tokens, if reported.
    pub tokens_in: Option<u64>,
    /// Completion tokens, if reported.
    pub tokens_out: Option<u64>,
    /// Attempts made.
    pub attempts: usize,
    /// The pool member that answered, by name (pooled batches only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by: Option<String>,
    /// A reasoning model's thinking, apart from the answer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    /// The answer and thinking were dropped from this device after an
    /// export held them (to free space): `text` and `reasoning` are empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dropped: bool,
}

/// A cell's answer and thinking, stored apart from the rest of the cell
/// so that they can be dropped alone: a deletion, which a full storage
/// still allows, where rewriting the cell is refused.
///
/// Stored as a pair of strings rather than through serde: a derive of its
/// own would add to the page's wasm for two fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The answer.
    pub text: String,
    /// The thinking, if any.
    pub reasoning: String,
}

impl Cell {
    /// The cell as stored: the cell without its answer, marked dropped
    /// until [`Cell::joined`] finds the answer beside it, and the answer
    /// (none when it is empty: the cell is stored whole).
    pub fn split(&self) -> (Cell, Option<Answer>) {
        if self.text.is_empty() && self.reasoning.is_empty() {
            return (self.clone(), None);
        }
        let rest = Cell {
            text: String::new(),
            reasoning: String::new(),
            dropped: true,
            ..self.clone()
        };
        let answer = Answer {
            text: self.text.clone(),
            reasoning: self.reasoning.clone(),
        };
        (rest, Some(answer))
    }

    /// A stored cell with the answer found beside it: a cell stored apart
    /// whose answer is gone stays marked dropped; a cell stored whole
    /// (also by older versions) ignores any answer.
    pub fn joined(self, answer: Option<Answer>) -> Cell {
        match answer {
            Some(a) if self.dropped => Cell {
                text: a.text,
                reasoning: a.reasoning,
                dropped: false,
                ..self
            },
            _ => self,
        }
    }

    /// Whether it holds an answer or thinking to drop.
    pub fn has_answer(&self) -> bool {
        !self.text.is_empty() || !self.reasoning.is_empty()
    }

    /// Drops the answer and thinking (an export holds them).
    pub fn drop_answer(&mut self) {
        if self.has_answer() {
            self.text.clear();
            self.reasoning.clear();
            self.dropped = true;
        }
    }

    /// The cell of a finished request.
    pub fn from_output(out: &ChatOutput) -> Self {
        Self {
            status: match &out.error {
                None => TaskStatus::Done,
                Some(ApiError::Aborted) => TaskStatus::Cancelled,
                Some(_) => TaskStatus::Error,
            },
            text: out.text.clone(),
            error: out
                .error
                .as_ref()
                .filter(|e| **e != ApiError::Aborted)
                .map(ToString::to_string),
            total_ms: out.timing.total_ms(),
            ttft_ms: out.timing.ttft_ms(),
            tokens_in: out.usage.map(|u| u.prompt_tokens),
            tokens_out: out.usage.map(|u| u.completion_tokens),
            attempts: out.attempts.len(),
            served_by: None,
            reasoning: out.reasoning.clone(),
            dropped: false,
        }
    }
}

/// Jobs whose cells hold an answer or thinking: what an export of `cells`
/// holds, and what dropping them afterwards frees.
pub fn answered(cells: &[Option<Cell>]) -> Vec<usize> {
    cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_ref().is_some_and(Cell::has_answer))
        .map(|(i, _)| i)
        .collect()
}

/// A batch as kept on the device while it runs, so that a reload loses
/// nothing: what it was asked to do; results are saved one by one beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedBatch {
    /// The documents.
    pub docs: Vec<Document>,
    /// The tasks as they were when it started.
    pub tasks: Vec<TaskDef>,
    /// The jobs, in input order.
    pub jobs: Vec<Job>,
    /// The model.
    pub model: String,
    /// Run by the demo provider.
    pub simulated: bool,
    /// Translation target language.
    pub language: String,
}

impl SavedBatch {
    /// The cells of the table from saved results (`(job, cell)` pairs).
    pub fn cells(&self, saved: &[(usize, Cell)]) -> Vec<Option<Cell>> {
        let mut cells = vec![None; self.jobs.len()];
        for (job, cell) in saved {
            if let Some(slot) = cells.get_mut(*job) {
                *slot = Some(cell.clone());
            }
        }
        cells
    }

    /// Jobs with no saved result, or one cut off before its answer (the
    /// user's Stop, a pause when storage filled up, a closed tab): what a
    /// resume still has to run.
    pub fn unfinished(&self, saved: &[(usize, Cell)]) -> Vec<usize> {
        self.cells(saved)
            .iter()
            .enumerate()
            .filter(|(_, c)| c.as_ref().is_none_or(|c| c.status == TaskStatus::Cancelled))
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::jobs::jobs;
    use crate::batch::jobs::tests::docs;
    use crate::workflow::tasks::builtin_tasks;

    #[test]
    fn a_saved_batch_knows_what_is_left() {
        let d = docs();
        let saved = SavedBatch {
            jobs: jobs(&d, 2),
            docs: d,
            tasks: builtin_tasks().into_iter().take(2).collect(),
            model: "m".into(),
            simulated: false,
            language: "Spanish".into(),
        };
        let cell = Cell {
            status: TaskStatus::Error,
            text: String::new(),
            error: Some("x".into()),
            total_ms: 1.0,
            ttft_ms: None,
            tokens_in: None,
            tokens_out: None,
            attempts: 1,
            served_by: None,
            reasoning: String::new(),
            dropped: false,
        };
        let cut = Cell {
            status: TaskStatus::Cancelled,
            error: None,
            ..cell.clone()
        };
        let results = vec![(0, cell.clone()), (4, cell.clone()), (2, cut), (99, cell)];
        // A failed result is finished (Retry failed re-runs it, not a
        // resume); one cut off (cancelled) is not: a resume runs it.
        assert_eq!(saved.unfinished(&results), [1, 2, 3, 5]);
        assert_eq!(saved.cells(&results).iter().flatten().count(), 3);
        // It survives JSON, as it is stored.
        let json = serde_json::to_string(&saved).unwrap();
        assert_eq!(serde_json::from_str::<SavedBatch>(&json).unwrap(), saved);
        let c: Cell = serde_json::from_str(&serde_json::to_string(&results[0].1).unwrap()).unwrap();
        assert_eq!(c.status, TaskStatus::Error);
    }

    fn answered() -> Cell {
        Cell {
            status: TaskStatus::Done,
            text: "the answer".into(),
            error: None,
            total_ms: 12.0,
            ttft_ms: Some(3.0),
            tokens_in: Some(5),
            tokens_out: Some(7),
            attempts: 1,
            served_by: None,
            reasoning: "thought".into(),
            dropped: false,
        }
    }

    #[test]
    fn a_cell_is_stored_apart_from_its_answer_and_joined_back() {
        let cell = answered();
        let (rest, answer) = cell.split();
        let answer = answer.expect("an answer to store apart");
        assert_eq!(
            (answer.text.as_str(), answer.reasoning.as_str()),
            ("the answer", "thought")
        );
        assert!(rest.text.is_empty() && rest.reasoning.is_empty());
        assert_eq!(rest.tokens_out, Some(7));
        // The cell goes through JSON, as stored.
        let rest: Cell = serde_json::from_str(&serde_json::to_string(&rest).unwrap()).unwrap();
        assert_eq!(rest.clone().joined(Some(answer)), cell);
        // Its answer deleted: what is left says so, with its figures.
        let left = rest.joined(None);
        assert!(left.dropped && left.text.is_empty());
        assert_eq!((left.status, left.total_ms), (TaskStatus::Done, 12.0));
    }

    #[test]
    fn a_cell_without_answer_or_from_an_older_version_is_stored_whole() {
        let empty = Cell {
            text: String::new(),
            reasoning: String::new(),
            status: TaskStatus::Error,
            ..answered()
        };
        assert_eq!(empty.split(), (empty.clone(), None));
        // A whole cell ignores a stale answer found beside it.
        let stale = Answer {
            text: "old".into(),
            reasoning: String::new(),
        };
        assert_eq!(empty.clone().joined(Some(stale.clone())), empty);
        // An older version's row: the answer inline, no mark.
        let old: Cell = serde_json::from_str(
            r#"{"status":"done","text":"inline","error":null,"total_ms":1.0,"ttft_ms":null,"tokens_in":null,"tokens_out":null,"attempts":1}"#,
        )
        .unwrap();
        assert_eq!(old.clone().joined(Some(stale)).text, "inline");
        assert!(!old.dropped);
    }

    #[test]
    fn dropping_an_answer_keeps_the_cells_figures() {
        let mut cell = answered();
        cell.drop_answer();
        assert!(cell.dropped && !cell.has_answer());
        assert_eq!(cell.tokens_out, Some(7));
        // Nothing to drop: not marked.
        let mut empty = Cell {
            text: String::new(),
            reasoning: String::new(),
            ..answered()
        };
        empty.drop_answer();
        assert!(!empty.dropped);
    }
}
