//! The jobs of a batch: every usable document × every ticked task, the
//! request each one sends, and the order they start in.

use serde::{Deserialize, Serialize};

use crate::batch::documents::Document;
use crate::openai::ChatRequest;
use crate::workflow::engine::{RunSpec, task_request};
use crate::workflow::order::{DurationLog, Order, RequestShape, SpeedModel, expected, start_order};
use crate::workflow::tasks::{TaskDef, estimate_tokens};

/// One request of a batch: document `doc` × task `task`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Index in the document list.
    pub doc: usize,
    /// Index in the task list.
    pub task: usize,
}

/// Every usable document × every task, document by document.
pub fn jobs(docs: &[Document], tasks: usize) -> Vec<Job> {
    docs.iter()
        .enumerate()
        .filter(|(_, d)| d.error.is_none())
        .flat_map(|(doc, _)| (0..tasks).map(move |task| Job { doc, task }))
        .collect()
}

/// The request of a job (plain text: a batch keeps answers as text).
pub fn job_request(base: &RunSpec, docs: &[Document], tasks: &[TaskDef], job: Job) -> ChatRequest {
    let spec = RunSpec {
        text: docs[job.doc].text.clone(),
        tasks: Vec::new(),
        ..base.clone()
    };
    task_request(&spec, &tasks[job.task], None)
}

/// How the requests of a batch are ordered: the user's order, with what
/// durations were measured in this browser and the request model.
pub struct Ordering<'a> {
    /// As listed or longest expected first.
    pub order: Order,
    /// Measured durations.
    pub log: &'a DurationLog,
    /// Figures for requests never measured.
    pub speed: &'a SpeedModel,
    /// The server's host ("demo" for the demo provider).
    pub host: &'a str,
}

/// The order `jobs` start in (positions in `jobs`): task priorities first,
/// then as listed or longest expected first, across documents × tasks.
pub fn job_order(
    base: &RunSpec,
    docs: &[Document],
    tasks: &[TaskDef],
    jobs: &[Job],
    how: &Ordering<'_>,
) -> Vec<usize> {
    let ms: Vec<f64> = jobs
        .iter()
        .map(|&j| {
            let task = &tasks[j.task];
            let shape = RequestShape {
                task: &task.id,
                input_tokens: estimate_tokens(&docs[j.doc].text),
                prompt_tokens: job_request(base, docs, tasks, j)
                    .messages
                    .iter()
                    .map(|m| estimate_tokens(&m.content))
                    .sum(),
                max_tokens: task.max_tokens,
            };
            expected(how.log, how.speed, &base.model, how.host, shape).ms
        })
        .collect();
    let priorities: Vec<u8> = jobs.iter().map(|j| tasks[j.task].priority).collect();
    start_order(&ms, &priorities, how.order)
}

/// Estimated tokens of a request: its prompt plus its answer limit.
pub fn estimate(req: &ChatRequest) -> f64 {
    let prompt: usize = req
        .messages
        .iter()
        .map(|m| estimate_tokens(&m.content))
        .sum();
    let limit = req.max_tokens.or(req.max_completion_tokens).unwrap_or(0);
    (prompt + limit as usize) as f64
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::batch::documents::split_pasted;
    use crate::workflow::tasks::builtin_tasks;

    /// Three pasted documents and an unusable PDF.
    pub(crate) fn docs() -> Vec<Document> {
        let mut d = split_pasted("Alpha, \"one\"\n---\nBeta\nline ☕\n---\nGamma");
        d.push(crate::batch::documents::unreadable(
            "x.pdf",
            "not supported",
        ));
        d
    }

    pub(crate) fn base() -> RunSpec {
        RunSpec::new("m")
    }

    #[test]
    fn jobs_skip_unusable_documents_and_keep_order() {
        let d = docs();
        let j = jobs(&d, 2);
        assert_eq!(j.len(), 6);
        assert_eq!(j[0], Job { doc: 0, task: 0 });
        assert_eq!(j[5], Job { doc: 2, task: 1 });
        let tasks = builtin_tasks();
        let req = job_request(&base(), &d, &tasks, j[3]);
        assert!(req.messages[1].content.ends_with("Beta\nline ☕"));
        assert!(req.response_format.is_none());
        let prompt =
            estimate_tokens(&req.messages[0].content) + estimate_tokens(&req.messages[1].content);
        // Sentiment's limit is 120 tokens.
        assert_eq!(estimate(&req), (prompt + 120) as f64);
    }

    #[test]
    fn batches_order_documents_times_tasks_longest_first_with_priorities() {
        let mut d = split_pasted("short\n---\nshort too");
        d.push(Document {
            name: "long".into(),
            text: "word ".repeat(4000),
            error: None,
        });
        let mut tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(2).collect();
        let j = jobs(&d, tasks.len());
        let log = DurationLog::default();
        let speed = SpeedModel::default();
        let how = |order| Ordering {
            order,
            log: &log,
            speed: &speed,
            host: "h",
        };
        let listed = job_order(&base(), &d, &tasks, &j, &how(Order::AsListed));
        assert_eq!(listed, (0..6).collect::<Vec<_>>());
        // The long document's summary (200 tokens) first, then its
        // sentiment (120), then the short ones' summaries, the longer text first.
        let lpt = job_order(&base(), &d, &tasks, &j, &how(Order::LongestFirst));
        assert_eq!(&lpt[..4], [4, 5, 2, 0]);
        // Sentiment marked important starts first across every document
        // (longest first among them).
        tasks[1].priority = 5;
        let prio = job_order(&base(), &d, &tasks, &j, &how(Order::LongestFirst));
        assert_eq!(&prio[..3], [5, 3, 1]);
    }
}
