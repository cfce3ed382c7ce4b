//! OpenAI's Batch API, for jobs too large or too slow for a browser tab:
//! the input file (one JSONL line per document × task)
//! and reading the output file back
//! into the same results table.

use serde_json::{Value, json};

use crate::batch::jobs::Job;
use crate::batch::saved::Cell;
use crate::openai::batches::ENDPOINT;
use crate::openai::{ChatCompletion, ChatRequest};
use crate::workflow::engine::TaskStatus;
use crate::workflow::tasks::TaskDef;

/// The `custom_id` of a job: document index and task id, e.g. `3:summary`.
pub fn custom_id(job: Job, tasks: &[TaskDef]) -> String {
    format!("{}:{}", job.doc, tasks[job.task].id)
}

/// The job a `custom_id` names, if it is one of `jobs`.
pub fn job_of(id: &str, jobs: &[Job], tasks: &[TaskDef]) -> Option<usize> {
    let (doc, task) = id.split_once(':')?;
    let doc: usize = doc.parse().ok()?;
    let task = tasks.iter().position(|t| t.id == task)?;
    jobs.iter().position(|j| j.doc == doc && j.task == task)
}

/// The input file: one request per line, not streamed (the Batch API
/// answers whole).
pub fn input_file(requests: &[(String, ChatRequest)]) -> String {
    requests
        .iter()
        .map(|(id, req)| {
            let mut body = req.clone();
            body.stream = false;
            body.stream_options = None;
            json!({"custom_id": id, "method": "POST", "url": ENDPOINT, "body": body}).to_string()
                + "\n"
        })
        .collect()
}

/// What an output file held.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// (job, cell) for each line that named a job of this batch.
    pub cells: Vec<(usize, Cell)>,
    /// Lines that could not be used, with the reason.
    pub problems: Vec<String>,
}

/// Reads an output (or error) file of the Batch API into cells.
pub fn read_output(content: &str, jobs: &[Job], tasks: &[TaskDef]) -> Output {
    let mut out = Output {
        cells: Vec::new(),
        problems: Vec::new(),
    };
    for (n, line) in content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line_no = n + 1;
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                out.problems
                    .push(format!("line {line_no}: not valid JSON ({e})"));
                continue;
            }
        };
        let id = v["custom_id"].as_str().unwrap_or_default();
        let Some(job) = job_of(id, jobs, tasks) else {
            out.problems.push(format!(
                "line {line_no}: \"{id}\" is not a request of this batch"
            ));
            continue;
        };
        let failed = |message: String| Cell {
            status: TaskStatus::Error,
            text: String::new(),
            error: Some(message),
            total_ms: 0.0,
            ttft_ms: None,
            tokens_in: None,
            tokens_out: None,
            attempts: 1,
            served_by: None,
            reasoning: String::new(),
            dropped: false,
        };
        let status = v["response"]["status_code"].as_u64().unwrap_or(0);
        let cell = if let Some(msg) = v["error"]["message"].as_str() {
            failed(msg.to_string())
        } else if status != 200 {
            let msg = v["response"]["body"]["error"]["message"]
                .as_str()
                .unwrap_or("no message");
            failed(format!("The Batch API answered {status}: {msg}"))
        } else {
            match serde_json::from_value::<ChatCompletion>(v["response"]["body"].clone()) {
                Ok(c) => Cell {
                    status: TaskStatus::Done,
                    text: c
                        .choices
                        .first()
                        .and_then(|ch| ch.message.content.clone())
                        .unwrap_or_default(),
                    error: None,
                    total_ms: 0.0,
                    ttft_ms: None,
                    tokens_in: c.usage.map(|u| u.prompt_tokens),
                    tokens_out: c.usage.map(|u| u.completion_tokens),
                    attempts: 1,
                    served_by: None,
                    reasoning: String::new(),
                    dropped: false,
                },
                Err(e) => failed(format!("unreadable answer ({e})")),
            }
        };
        out.cells.push((job, cell));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::{ChatMessage, RequestOptions, build_chat_request};
    use crate::workflow::tasks::builtin_tasks;

    fn jobs() -> Vec<Job> {
        (0..2)
            .flat_map(|doc| (0..2).map(move |task| Job { doc, task }))
            .collect()
    }

    #[test]
    fn ids_name_document_and_task() {
        let tasks = builtin_tasks();
        let j = jobs();
        assert_eq!(custom_id(j[3], &tasks), "1:sentiment");
        assert_eq!(job_of("1:sentiment", &j, &tasks), Some(3));
        for bad in ["1-sentiment", "x:summary", "1:translation", "7:summary"] {
            assert_eq!(job_of(bad, &j, &tasks), None, "{bad}");
        }
    }

    #[test]
    fn input_lines_are_whole_requests() {
        let req = build_chat_request(
            "gpt-4o-mini",
            vec![ChatMessage::user("Hi")],
            &RequestOptions {
                max_tokens: Some(50),
                ..RequestOptions::default()
            },
        );
        let file = input_file(&[("0:summary".into(), req.clone()), ("1:summary".into(), req)]);
        let lines: Vec<Value> = file
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["custom_id"], "1:summary");
        assert_eq!(lines[0]["method"], "POST");
        assert_eq!(lines[0]["url"], "/v1/chat/completions");
        assert_eq!(lines[0]["body"]["stream"], false);
        assert!(lines[0]["body"].get("stream_options").is_none());
        assert_eq!(lines[0]["body"]["max_tokens"], 50);
    }

    #[test]
    fn output_lines_become_cells() {
        let tasks = builtin_tasks();
        let ok = r#"{"id":"r1","custom_id":"1:summary","response":{"status_code":200,"request_id":"q","body":{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Short."},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}},"error":null}"#;
        let http = r#"{"id":"r2","custom_id":"0:sentiment","response":{"status_code":400,"body":{"error":{"message":"bad request"}}},"error":null}"#;
        let err = r#"{"id":"r3","custom_id":"0:summary","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}"#;
        let content = format!("{ok}\n\n{http}\nnot json\n{err}\n{{\"custom_id\":\"9:summary\"}}\n");
        let out = read_output(&content, &jobs(), &tasks);
        assert_eq!(out.cells.len(), 3);
        let (job, c) = &out.cells[0];
        assert_eq!(
            (*job, c.status, c.text.as_str()),
            (2, TaskStatus::Done, "Short.")
        );
        assert_eq!((c.tokens_in, c.tokens_out), (Some(7), Some(2)));
        assert_eq!(out.cells[1].0, 1);
        assert_eq!(
            out.cells[1].1.error.as_deref(),
            Some("The Batch API answered 400: bad request")
        );
        assert!(
            out.cells[2]
                .1
                .error
                .as_deref()
                .unwrap()
                .contains("completion window expired")
        );
        assert_eq!(out.problems.len(), 2);
        assert!(out.problems[0].starts_with("line 4: not valid JSON"));
        assert_eq!(
            out.problems[1],
            "line 6: \"9:summary\" is not a request of this batch"
        );
    }
}
