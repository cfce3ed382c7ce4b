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
}

impl Cell {
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
        }
    }
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
}
