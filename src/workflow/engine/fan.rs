//! Tasks sent as more than one request: cut into parts that run side by
//! side and are stitched together (`crate::workflow::split`), or asked several times
//! with the answers compared (votes).

use std::cell::Cell;

use super::events::{Structured, SubKind, SubRequest, TaskEvent, TaskResult};
use super::spec::{Fan, MAX_PARTS, MAX_VOTES, RunSpec};
use super::task::{FormatMemory, finish};
use crate::openai::{
    ApiError, AttemptRecord, ChatMessage, ChatOutput, ChatRequest, Progress, RequestOptions,
    Timing, Transport, Usage, build_chat_request,
};
use crate::schedule::permits::Permits;
use crate::workflow::agreement::{Agreement, agreement};
use crate::workflow::split::stitch::{combine_prompt, concat, merge_answers};
use crate::workflow::split::{Stitch, cut};
use crate::workflow::structured::{
    is_format_refusal, parse_fields, response_format, schema_for, supports_json_schema,
};
use crate::workflow::tasks::{TaskDef, estimate_tokens, render_prompt, task_messages};
use futures::future::join_all;

/// The first-token part of an expected duration when choosing parts
/// "auto": expected durations are totals, and the first token does not
/// shrink with a part (about half a second on hosted APIs).
const AUTO_FIRST_TOKEN_MS: f64 = 500.0;

/// Chooses the parts of tasks set to "auto" (`parts` = 0) from the tasks'
/// expected durations (ms, in task order) and the text's size: the fewest
/// that stop the task setting the wall time ([`crate::workflow::split::auto_parts`]).
/// `slots`, when known, is how many requests can be in flight at once (K,
/// or the browser's 6 connections to a plain-http server): parts beyond the
/// slots the other tasks leave would only queue.
pub fn resolve_auto(fans: &mut [Fan], expected_ms: &[f64], text: &str, slots: Option<usize>) {
    let by_text = crate::workflow::split::max_parts(crate::workflow::tasks::estimate_tokens(text));
    let others = fans.len().saturating_sub(1);
    let max = slots.map_or(by_text, |s| by_text.min(s.saturating_sub(others).max(1)));
    for (i, fan) in fans.iter_mut().enumerate() {
        if fan.parts != 0 {
            continue;
        }
        let ms = expected_ms.get(i).copied().unwrap_or(0.0);
        let others = expected_ms
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, m)| *m)
            .fold(0.0, f64::max);
        let first = ms.min(AUTO_FIRST_TOKEN_MS);
        let timing = crate::workflow::split::Timing {
            first_token_ms: first,
            generation_ms: ms - first,
        };
        fan.parts = crate::workflow::split::auto_parts(&timing, fan.stitch, others, max);
    }
}

/// The task's request with `text` as its input and `temperature`.
fn request_on(
    spec: &RunSpec,
    task: &TaskDef,
    text: &str,
    format: Option<serde_json::Value>,
    temperature: Option<f32>,
) -> ChatRequest {
    let opts = RequestOptions {
        max_tokens: Some(task.max_tokens),
        stream: spec.stream,
        token_param: spec.token_param,
        response_format: format,
        temperature,
    };
    build_chat_request(
        &spec.model,
        task_messages(task, text, &spec.language),
        &opts,
    )
}

/// Sends `req`; when the server refuses its structured output, remembers
/// it and sends `plain` instead. `on_text` sees the answer's text.
async fn ask(
    transport: &dyn Transport,
    req: &ChatRequest,
    plain: impl FnOnce() -> ChatRequest,
    memory: &FormatMemory,
    permits: Option<&Permits>,
    on_text: &dyn Fn(&str),
) -> (ChatOutput, bool) {
    let _permit = match permits {
        Some(p) => Some(p.acquire().await),
        None => None,
    };
    let mut progress = |p: Progress| {
        if let Progress::Text(delta) = p {
            on_text(&delta)
        }
    };
    let first = transport.chat(req, &mut progress).await;
    let asked = req.response_format.is_some();
    if !(asked && first.error.as_ref().is_some_and(is_format_refusal)) {
        return (first, false);
    }
    memory.refused();
    let mut second = transport.chat(&plain(), &mut progress).await;
    second.timing.sent_ms = first.timing.sent_ms;
    (second, true)
}

/// Runs task `task` as its [`Fan`] says when that makes more than one
/// request; `None` when it is sent once (the caller sends it as usual).
#[allow(clippy::too_many_arguments)]
pub async fn run_fanned(
    transport: &dyn Transport,
    spec: &RunSpec,
    task: &TaskDef,
    fan: &Fan,
    start: f64,
    memory: &FormatMemory,
    permits: Option<&Permits>,
    on: &dyn Fn(TaskEvent),
) -> Option<TaskResult> {
    let pieces = if fan.parts > 1 {
        cut(&spec.text, fan.parts.min(MAX_PARTS))
    } else {
        Vec::new()
    };
    let votes = fan.votes.clamp(1, MAX_VOTES);
    if pieces.len() < 2 && votes < 2 {
        return None;
    }
    on(TaskEvent::Sent {
        at: transport.now_ms() - start,
    });
    let schema = (task.structured && memory.allowed() && supports_json_schema(&spec.model))
        .then(|| schema_for(&task.id))
        .flatten();
    let format = schema.clone().map(|s| response_format(&task.id, s));
    // The first token of any request marks the task's first token.
    let seen = Cell::new(false);
    let first_token = |_: &str| {
        if !seen.replace(true) {
            on(TaskEvent::Text {
                delta: String::new(),
                at: transport.now_ms() - start,
            });
        }
    };
    // Every request is built before the first is sent, then all go at once.
    let (inputs, temperature): (Vec<&str>, Option<f32>) = if pieces.len() >= 2 {
        (pieces.iter().map(String::as_str).collect(), None)
    } else {
        (vec![spec.text.as_str(); votes], fan.temperature)
    };
    let requests: Vec<(ChatRequest, &str)> = inputs
        .iter()
        .map(|t| (request_on(spec, task, t, format.clone(), temperature), *t))
        .collect();
    let outs = join_all(requests.iter().map(|(req, text)| {
        ask(
            transport,
            req,
            || request_on(spec, task, text, None, temperature),
            memory,
            permits,
            &first_token,
        )
    }))
    .await;
    let refused = outs.iter().any(|(_, r)| *r);
    let outs: Vec<ChatOutput> = outs.into_iter().map(|(o, _)| o).collect();
    let result = if pieces.len() >= 2 {
        let ctx = Ctx {
            transport,
            spec,
            task,
            start,
            memory,
            permits,
            on,
        };
        stitch(&ctx, fan, &schema, &pieces, outs).await
    } else {
        tally(task, start, &schema, outs)
    };
    Some(TaskResult {
        structured: if refused {
            Structured::Refused
        } else {
            result.structured
        },
        ..result
    })
}

/// What sending one more request of a task needs.
struct Ctx<'a> {
    transport: &'a dyn Transport,
    spec: &'a RunSpec,
    task: &'a TaskDef,
    start: f64,
    memory: &'a FormatMemory,
    permits: Option<&'a Permits>,
    on: &'a dyn Fn(TaskEvent),
}

/// The parts' answers made into the task's answer.
async fn stitch(
    ctx: &Ctx<'_>,
    fan: &Fan,
    schema: &Option<serde_json::Value>,
    pieces: &[String],
    parts: Vec<ChatOutput>,
) -> TaskResult {
    let Ctx {
        transport,
        spec,
        task,
        start,
        memory,
        permits,
        on,
    } = *ctx;
    let mut requests: Vec<SubRequest> = parts
        .iter()
        .enumerate()
        .map(|(j, o)| SubRequest::of(SubKind::Part(j), start, o))
        .collect();
    let answers: Vec<&str> = parts.iter().map(|o| o.text.as_str()).collect();
    if let Some(failed) = parts.iter().find(|o| o.error.is_some()) {
        // A part that failed fails the task; what came is kept.
        let error = failed.error.clone();
        let out = merged(concat(&answers), &parts, error);
        return result(task, start, out, Structured::NotAsked, requests, None, None);
    }
    // Prompt tokens of every request against one over the whole text.
    let prompt_tokens =
        |m: &[ChatMessage]| -> u64 { m.iter().map(|m| estimate_tokens(&m.content) as u64).sum() };
    let one = prompt_tokens(&task_messages(task, &spec.text, &spec.language));
    let mut sent: u64 = pieces
        .iter()
        .map(|p| prompt_tokens(&task_messages(task, p, &spec.language)))
        .sum();
    let (text, extra) = match fan.stitch {
        Stitch::Concat => (concat(&answers), None),
        Stitch::Merge => (
            merge_answers(&task.id, &task.prompt, &answers).unwrap_or_else(|| concat(&answers)),
            None,
        ),
        Stitch::Combine => {
            let prompt = combine_prompt(
                &fan.combine_prompt,
                &render_prompt(&task.prompt, "", &spec.language),
                &answers,
            );
            let mut messages = Vec::new();
            if !task.system.trim().is_empty() {
                messages.push(ChatMessage::system(task.system.clone()));
            }
            messages.push(ChatMessage::user(prompt));
            let build = |format: Option<serde_json::Value>| {
                let opts = RequestOptions {
                    max_tokens: Some(task.max_tokens),
                    stream: spec.stream,
                    token_param: spec.token_param,
                    response_format: format,
                    temperature: None,
                };
                build_chat_request(&spec.model, messages.clone(), &opts)
            };
            let format = schema
                .clone()
                .filter(|_| memory.allowed())
                .map(|s| response_format(&task.id, s));
            let req = build(format);
            sent += prompt_tokens(&req.messages);
            // The combine step's answer is the task's: it streams to the card.
            let on_text = |delta: &str| {
                on(TaskEvent::Text {
                    delta: delta.to_string(),
                    at: transport.now_ms() - start,
                })
            };
            let (out, _) = ask(transport, &req, || build(None), memory, permits, &on_text).await;
            requests.push(SubRequest::of(SubKind::Combine, start, &out));
            (out.text.clone(), Some(out))
        }
    };
    let mut all = parts;
    let error = extra.as_ref().and_then(|o| o.error.clone());
    all.extend(extra);
    let out = merged(text, &all, error);
    let structured = structured_of(schema, &out);
    let extra_tokens = Some(sent.saturating_sub(one));
    result(task, start, out, structured, requests, None, extra_tokens)
}

/// The votes' answers: for a structured task the majority value's first
/// answer and the agreement, else the first answer; done when any vote
/// answered.
fn tally(
    task: &TaskDef,
    start: f64,
    schema: &Option<serde_json::Value>,
    votes: Vec<ChatOutput>,
) -> TaskResult {
    let requests: Vec<SubRequest> = votes
        .iter()
        .enumerate()
        .map(|(j, o)| SubRequest::of(SubKind::Vote(j), start, o))
        .collect();
    let answers: Vec<Option<&str>> = votes
        .iter()
        .map(|o| o.error.is_none().then_some(o.text.as_str()))
        .collect();
    let agreed = agreement(&task.id, &answers);
    let chosen = match &agreed {
        Some(Agreement::Value { values, top, .. }) => {
            values.iter().position(|v| v.as_ref() == Some(top))
        }
        _ => answers.iter().position(Option::is_some),
    };
    let (text, error) = match chosen {
        Some(i) => (votes[i].text.clone(), None),
        None => (String::new(), votes.iter().find_map(|o| o.error.clone())),
    };
    let out = merged(text, &votes, error);
    let structured = structured_of(schema, &out);
    result(task, start, out, structured, requests, agreed, None)
}

fn structured_of(schema: &Option<serde_json::Value>, out: &ChatOutput) -> Structured {
    match (schema, &out.error) {
        (Some(s), None) => parse_fields(s, &out.text)
            .map(Structured::Parsed)
            .unwrap_or(Structured::Unreadable),
        _ => Structured::NotAsked,
    }
}

/// Several requests as one output: the given text, usage summed (unknown
/// when any request did not report it), from the first send to the last
/// end, every attempt numbered in turn.
fn merged(text: String, outs: &[ChatOutput], error: Option<ApiError>) -> ChatOutput {
    let usage = outs
        .iter()
        .map(|o| o.usage)
        .try_fold(Usage::default(), |acc, u| {
            u.map(|u| Usage {
                prompt_tokens: acc.prompt_tokens + u.prompt_tokens,
                completion_tokens: acc.completion_tokens + u.completion_tokens,
                total_tokens: acc.total_tokens + u.total_tokens,
                completion_tokens_details: None,
            })
        });
    let min =
        |f: fn(&Timing) -> Option<f64>| outs.iter().filter_map(|o| f(&o.timing)).reduce(f64::min);
    let max =
        |f: fn(&Timing) -> Option<f64>| outs.iter().filter_map(|o| f(&o.timing)).reduce(f64::max);
    let timing = Timing {
        gaps: None,
        sent_ms: min(|t| Some(t.sent_ms)).unwrap_or_default(),
        headers_ms: min(|t| t.headers_ms),
        first_token_ms: min(|t| t.first_token_ms),
        first_any_ms: min(|t| t.first_token_ms),
        reasoning_chunks: 0,
        server: None,
        last_token_ms: max(|t| t.last_token_ms),
        end_ms: max(|t| Some(t.end_ms)).unwrap_or_default(),
    };
    let attempts: Vec<AttemptRecord> = outs
        .iter()
        .flat_map(|o| o.attempts.iter().cloned())
        .enumerate()
        .map(|(i, mut a)| {
            a.number = i as u32 + 1;
            a
        })
        .collect();
    ChatOutput {
        rate_limit: outs.iter().rev().find_map(|o| o.rate_limit.clone()),
        served_by: None,
        reasoning: String::new(),
        // Each part's gaps: ITL pools them across requests anyway.
        itl_ms: outs.iter().flat_map(|o| o.itl_ms.iter().copied()).collect(),
        text,
        usage,
        finish_reason: outs.last().and_then(|o| o.finish_reason.clone()),
        timing,
        attempts,
        error,
    }
}

fn result(
    task: &TaskDef,
    start: f64,
    output: ChatOutput,
    structured: Structured,
    requests: Vec<SubRequest>,
    agreement: Option<Agreement>,
    extra_prompt_tokens: Option<u64>,
) -> TaskResult {
    TaskResult {
        requests,
        agreement,
        extra_prompt_tokens,
        ..finish(task, start, output, structured)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeServer;
    use crate::workflow::engine::run_tasks;
    use crate::workflow::engine::{RunOutcome, TaskStatus};
    use crate::workflow::runner::Mode;
    use crate::workflow::tasks::builtin_tasks;
    use futures::executor::block_on;
    use std::cell::RefCell;

    const TEXT: &str = "Alpha one.\n\nBravo two.\n\nCharlie three.";

    fn task(id: &str) -> TaskDef {
        builtin_tasks()
            .into_iter()
            .find(|t| t.id == id)
            .expect("a built-in task")
    }

    fn spec(tasks: Vec<TaskDef>, fans: Vec<Fan>) -> RunSpec {
        RunSpec {
            text: TEXT.into(),
            tasks,
            fans,
            ..RunSpec::new("gpt-4o-mini")
        }
    }

    fn user(req: &ChatRequest) -> String {
        req.messages.last().expect("a message").content.clone()
    }

    /// Which of the text's paragraphs a request holds.
    fn names(req: &ChatRequest) -> Vec<&'static str> {
        let u = user(req);
        ["Alpha", "Bravo", "Charlie"]
            .into_iter()
            .filter(|w| u.contains(w))
            .collect()
    }

    fn run_one(server: &FakeServer, spec: &RunSpec) -> (TaskResult, Vec<TaskEvent>) {
        let events = RefCell::new(Vec::new());
        let memory = FormatMemory::default();
        let out = block_on(run_tasks(server, spec, Mode::Parallel, &memory, &|_, e| {
            events.borrow_mut().push(e)
        }));
        (out.results[0].clone(), events.into_inner())
    }

    /// Translation cut into 3 parts beside `others`, run in `mode` at K =
    /// `limit` (0 = all at once): the spec and the outcome.
    fn translation_in_3(
        server: &dyn Transport,
        others: &[&str],
        limit: usize,
        mode: Mode,
    ) -> (RunSpec, RunOutcome) {
        let tasks = std::iter::once("translation")
            .chain(others.iter().copied())
            .map(task)
            .collect();
        let fans = vec![Fan {
            parts: 3,
            ..Fan::once("translation")
        }];
        let spec = RunSpec {
            limit,
            ..spec(tasks, fans)
        };
        let memory = FormatMemory::default();
        let out = block_on(run_tasks(server, &spec, mode, &memory, &|_, _| {}));
        (spec, out)
    }

    #[test]
    fn a_split_translation_sends_each_part_and_joins_the_answers_in_order() {
        let server = FakeServer::new(|req| Ok(format!("T:{}", names(req).join("+"))));
        let spec = spec(
            vec![task("translation")],
            vec![Fan {
                parts: 3,
                ..Fan::once("translation")
            }],
        );
        let (r, events) = run_one(&server, &spec);
        assert_eq!(r.status, TaskStatus::Done);
        let sent = server.sent.borrow();
        assert_eq!(sent.len(), 3);
        assert_eq!(
            sent.iter().map(names).collect::<Vec<_>>(),
            vec![vec!["Alpha"], vec!["Bravo"], vec!["Charlie"]]
        );
        assert_eq!(r.output.text, "T:Alpha\n\nT:Bravo\n\nT:Charlie");
        assert_eq!(r.requests.len(), 3);
        assert_eq!(r.requests[2].kind, SubKind::Part(2));
        let usage = r.output.usage.expect("usage summed");
        assert_eq!((usage.prompt_tokens, usage.completion_tokens), (15, 21));
        assert_eq!(r.output.attempts.len(), 3);
        // The task's instruction went three times instead of once.
        let extra = r.extra_prompt_tokens.expect("estimated");
        let instruction = estimate_tokens(&task("translation").prompt.replace("{text}", ""));
        assert!(extra > 0 && extra <= 3 * instruction as u64, "{extra}");
        // One Sent, one first-token mark (no part's text streamed), Finished.
        assert!(matches!(events[0], TaskEvent::Sent { .. }));
        let texts: Vec<&TaskEvent> = events
            .iter()
            .filter(|e| matches!(e, TaskEvent::Text { .. }))
            .collect();
        assert_eq!(texts.len(), 1);
        assert!(matches!(texts[0], TaskEvent::Text { delta, .. } if delta.is_empty()));
    }

    #[test]
    fn a_combined_summary_sends_the_parts_then_one_request_with_their_answers() {
        let server = FakeServer::new(|req| {
            let u = user(req);
            Ok(if u.contains("Part 1 of 2") {
                "Whole summary.".into()
            } else {
                format!("S:{}", names(req).join("+"))
            })
        });
        let spec = spec(
            vec![task("summary")],
            vec![Fan {
                parts: 2,
                ..Fan::once("summary")
            }],
        );
        let (r, events) = run_one(&server, &spec);
        let sent = server.sent.borrow();
        assert_eq!(sent.len(), 3);
        let combine = user(&sent[2]);
        assert!(
            combine.contains("Part 1 of 2:\nS:Alpha+Bravo")
                && combine.contains("Part 2 of 2:\nS:Charlie"),
            "{combine}"
        );
        assert!(!combine.contains("{text}"));
        assert_eq!(r.output.text, "Whole summary.");
        assert_eq!(
            r.requests.iter().map(|q| q.kind).collect::<Vec<_>>(),
            vec![SubKind::Part(0), SubKind::Part(1), SubKind::Combine]
        );
        // The combine step's text streams to the card.
        assert!(
            events
                .iter()
                .any(|e| matches!(e, TaskEvent::Text { delta, .. } if delta == "Whole summary."))
        );
    }

    #[test]
    fn split_keywords_are_merged_into_one_json_list() {
        let server = FakeServer::new(|req| {
            Ok(match names(req).as_slice() {
                ["Alpha", ..] => r#"{"keywords":["alpha","shared"]}"#.into(),
                _ => r#"{"keywords":["Shared","charlie"]}"#.into(),
            })
        });
        let mut keywords = task("keywords");
        keywords.structured = true;
        let spec = spec(
            vec![keywords],
            vec![Fan {
                parts: 2,
                ..Fan::once("keywords")
            }],
        );
        let (r, _) = run_one(&server, &spec);
        assert!(server.sent.borrow()[0].response_format.is_some());
        let v: serde_json::Value = serde_json::from_str(&r.output.text).unwrap();
        assert_eq!(
            v["keywords"],
            serde_json::json!(["shared", "alpha", "charlie"])
        );
        assert!(matches!(r.structured, Structured::Parsed(_)));
    }

    #[test]
    fn votes_take_the_majority_value_and_report_the_agreement() {
        let n = Cell::new(0);
        let server = FakeServer::new(move |_| {
            n.set(n.get() + 1);
            let s = if n.get() == 2 { "negative" } else { "positive" };
            Ok(format!(
                r#"{{"sentiment":"{s}","reason":"vote {}"}}"#,
                n.get()
            ))
        });
        let mut sentiment = task("sentiment");
        sentiment.structured = true;
        let spec = spec(
            vec![sentiment],
            vec![Fan {
                votes: 3,
                temperature: Some(0.7),
                ..Fan::once("sentiment")
            }],
        );
        let (r, _) = run_one(&server, &spec);
        let sent = server.sent.borrow();
        assert_eq!(sent.len(), 3);
        assert!(
            sent.iter()
                .all(|q| q.temperature == Some(0.7) && user(q).contains("Charlie"))
        );
        assert!(r.output.text.contains("positive") && r.output.text.contains("vote 1"));
        match r.agreement.expect("agreement") {
            Agreement::Value {
                top,
                count,
                answered,
                tie,
                ..
            } => assert_eq!(
                (top.as_str(), count, answered, tie),
                ("positive", 2, 3, false)
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(r.requests.len(), 3);
    }

    #[test]
    fn a_failed_part_fails_its_task_only() {
        let server = FakeServer::new(|req| {
            if user(req).contains("Bravo") && !user(req).contains("Alpha") {
                Err(FakeServer::http(500))
            } else {
                Ok("fine".into())
            }
        });
        let (_, out) = translation_in_3(&server, &["summary"], 0, Mode::Parallel);
        assert_eq!(out.results[0].status, TaskStatus::Error);
        assert_eq!(out.results[0].requests.iter().filter(|q| !q.ok).count(), 1);
        assert_eq!(out.results[1].status, TaskStatus::Done, "the other task");
        assert_eq!(server.sent.borrow().len(), 4);
    }

    #[test]
    fn auto_parts_are_chosen_from_the_expected_durations() {
        let long_text = "word ".repeat(2000);
        let mut fans = vec![
            Fan::once("summary"),
            Fan {
                parts: 0,
                ..Fan::once("translation")
            },
            Fan {
                parts: 0,
                ..Fan::once("summary")
            },
        ];
        resolve_auto(&mut fans, &[1500.0, 6800.0, 1000.0], &long_text, None);
        // 500 + 6300/n <= 1500 first at n = 7; the summary combines: 1.
        assert_eq!(
            fans.iter().map(|f| f.parts).collect::<Vec<_>>(),
            vec![1, 7, 1]
        );
        // A short text caps the parts.
        let mut short = vec![
            Fan {
                parts: 0,
                ..Fan::once("translation")
            },
            Fan::once("summary"),
        ];
        // 400 characters: about 100 tokens, 2 parts at most.
        resolve_auto(&mut short, &[6800.0, 1500.0], &"word ".repeat(80), None);
        assert_eq!(short[0].parts, 2);
        // Six connections and five other tasks leave one slot: not split.
        let mut capped = vec![
            Fan {
                parts: 0,
                ..Fan::once("translation")
            };
            6
        ];
        resolve_auto(
            &mut capped,
            &[6800.0, 900.0, 900.0, 900.0, 900.0, 900.0],
            &long_text,
            Some(6),
        );
        assert_eq!(capped[0].parts, 1);
        // At K = 8, three slots are free: 3 parts, the rest not split.
        capped.iter_mut().for_each(|f| f.parts = 0);
        resolve_auto(
            &mut capped,
            &[6800.0, 900.0, 900.0, 900.0, 900.0, 900.0],
            &long_text,
            Some(8),
        );
        assert_eq!(
            capped.iter().map(|f| f.parts).collect::<Vec<_>>(),
            [3, 1, 1, 1, 1, 1]
        );
    }

    #[test]
    fn a_split_tasks_time_is_not_learned_as_one_requests() {
        let server = FakeServer::new(|_| Ok("ok".into()));
        let (spec, out) = translation_in_3(&server, &["summary"], 0, Mode::Parallel);
        let learned = crate::workflow::engine::observations(&spec, "h", &out);
        assert_eq!(
            learned.iter().map(|o| o.task.as_str()).collect::<Vec<_>>(),
            ["summary"]
        );
    }

    /// A server that keeps each request open over a few polls and counts
    /// how many were open at once.
    struct Slow {
        inner: FakeServer,
        open: Cell<usize>,
        most: Cell<usize>,
    }

    impl Transport for Slow {
        fn chat<'a>(
            &'a self,
            req: &'a ChatRequest,
            on: &'a mut dyn FnMut(Progress),
        ) -> futures::future::LocalBoxFuture<'a, ChatOutput> {
            Box::pin(async move {
                self.open.set(self.open.get() + 1);
                self.most.set(self.most.get().max(self.open.get()));
                for _ in 0..3 {
                    let mut yielded = false;
                    futures::future::poll_fn(|cx| {
                        if yielded {
                            std::task::Poll::Ready(())
                        } else {
                            yielded = true;
                            cx.waker().wake_by_ref();
                            std::task::Poll::Pending
                        }
                    })
                    .await;
                }
                let out = self.inner.chat(req, on).await;
                self.open.set(self.open.get() - 1);
                out
            })
        }
        fn now_ms(&self) -> f64 {
            self.inner.now_ms()
        }
        fn cancelled(&self) -> bool {
            false
        }
        fn sleep(&self, ms: f64) -> futures::future::LocalBoxFuture<'_, ()> {
            self.inner.sleep(ms)
        }
    }

    #[test]
    fn k_bounds_every_request_in_flight_parts_included() {
        let most_open = |limit: usize, mode: Mode| {
            let server = Slow {
                inner: FakeServer::new(|_| Ok("ok".into())),
                open: Cell::new(0),
                most: Cell::new(0),
            };
            let (_, out) = translation_in_3(&server, &["summary", "keywords"], limit, mode);
            assert!(out.results.iter().all(|r| r.status == TaskStatus::Done));
            assert_eq!(server.inner.sent.borrow().len(), 5);
            server.most.get()
        };
        // No limit: the three parts and the two other tasks all at once.
        assert_eq!(most_open(0, Mode::Parallel), 5);
        // K = 2: two requests at most, parts counted one by one.
        assert_eq!(most_open(2, Mode::Parallel), 2);
        // Sequential: one at a time, parts too.
        assert_eq!(most_open(0, Mode::Sequential), 1);
    }

    #[test]
    fn a_text_too_short_to_split_is_sent_once() {
        let server = FakeServer::new(|_| Ok("ok".into()));
        let spec = RunSpec {
            text: "Word".into(),
            ..spec(
                vec![task("translation")],
                vec![Fan {
                    parts: 4,
                    ..Fan::once("translation")
                }],
            )
        };
        let (r, _) = run_one(&server, &spec);
        assert_eq!(server.sent.borrow().len(), 1);
        assert!(r.requests.is_empty());
        assert_eq!(r.output.text, "ok");
    }
}
