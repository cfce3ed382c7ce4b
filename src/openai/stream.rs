//! Turning a streamed chat completion into text, usage and a verdict.
//!
//! SSE framing (lines split anywhere, multi-byte characters split across
//! chunks, comments and keep-alives) is [`SseParser`]'s; the rest of this
//! module interprets the `data:` payloads of OpenAI's chat stream: content
//! deltas, the usage-only final chunk, `[DONE]`, and error objects sent
//! mid-stream.

use futures::{Stream, StreamExt};

use super::error::ApiError;
use super::types::{ChatChunk, ErrorEnvelope, Usage};

/// What one SSE payload meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStep {
    /// New answer text.
    Text(String),
    /// New thinking (reasoning) text, and any answer text after it in the
    /// same payload.
    Reasoning(String, String),
    /// Nothing visible (role-only chunk, usage chunk, finish reason).
    Nothing,
    /// `[DONE]`: the stream is complete.
    Done,
}

/// Accumulates a streamed answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamAccumulator {
    /// The text so far.
    pub text: String,
    /// Usage, if the server sent it.
    pub usage: Option<Usage>,
    /// The finish reason, if the server sent it.
    pub finish_reason: Option<String>,
    /// Whether `[DONE]` arrived.
    pub done: bool,
    /// Number of payloads that carried answer text.
    pub text_chunks: usize,
    /// The thinking so far: `reasoning_content` or `reasoning` deltas, or
    /// a `<think>…</think>` block at the start of the content.
    pub reasoning: String,
    /// llama.cpp's own timings, when its last chunk carries them.
    pub server: Option<super::types::ServerTimings>,
    /// Where the content stands against a leading `<think>` block.
    think: ThinkSplit,
}

/// Splits content that may open with a `<think>…</think>` block (some
/// servers send a reasoning model's thinking that way) into thinking and
/// answer, chunk by chunk: a tag may be cut anywhere between chunks.
/// Hand-written: a three-state scan, no crate does this.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ThinkSplit {
    /// Nothing but whitespace (and perhaps the start of `<think>`) yet.
    Undecided(String),
    /// Inside the block; holds what may be the start of `</think>`.
    Inside(String),
    /// The answer; `true` while whitespace after `</think>` is dropped.
    Answer(bool),
}

impl Default for ThinkSplit {
    fn default() -> Self {
        Self::Undecided(String::new())
    }
}

const THINK_OPEN: &str = "<think>";
const THINK_CLOSE: &str = "</think>";

impl ThinkSplit {
    /// Takes content; returns (thinking, answer) it makes known now.
    fn push(&mut self, s: &str) -> (String, String) {
        let mut thinking = String::new();
        let mut answer = String::new();
        let mut input = s.to_string();
        loop {
            match self {
                Self::Undecided(buf) => {
                    buf.push_str(&input);
                    let t = buf.trim_start();
                    if let Some(rest) = t.strip_prefix(THINK_OPEN) {
                        input = rest.to_string();
                        *self = Self::Inside(String::new());
                        continue;
                    }
                    if !THINK_OPEN.starts_with(t) {
                        answer.push_str(buf);
                        *self = Self::Answer(false);
                    }
                }
                Self::Inside(pending) => {
                    pending.push_str(&input);
                    if let Some(i) = pending.find(THINK_CLOSE) {
                        thinking.push_str(&pending[..i]);
                        input = pending[i + THINK_CLOSE.len()..].to_string();
                        *self = Self::Answer(true);
                        continue;
                    }
                    // Keep back what could be the start of the closing tag.
                    let keep = (1..THINK_CLOSE.len())
                        .rev()
                        .find(|&n| pending.ends_with(&THINK_CLOSE[..n]))
                        .unwrap_or(0);
                    let cut = pending.len() - keep;
                    thinking.push_str(&pending[..cut]);
                    pending.drain(..cut);
                }
                Self::Answer(trimming) => {
                    let text = if *trimming {
                        input.trim_start()
                    } else {
                        input.as_str()
                    };
                    if !text.is_empty() {
                        *trimming = false;
                    }
                    answer.push_str(text);
                }
            }
            return (thinking, answer);
        }
    }

    /// The content ended: what was held back, as (thinking, answer).
    fn flush(&mut self) -> (String, String) {
        match std::mem::replace(self, Self::Answer(false)) {
            Self::Undecided(buf) => (String::new(), buf),
            Self::Inside(pending) => (pending, String::new()),
            Self::Answer(_) => (String::new(), String::new()),
        }
    }
}

/// A whole answer split into (thinking, answer) by a leading
/// `<think>…</think>` block, if it has one.
pub fn split_think(content: &str) -> (String, String) {
    let mut split = ThinkSplit::default();
    let (mut thinking, mut answer) = split.push(content);
    let (t, a) = split.flush();
    thinking.push_str(&t);
    answer.push_str(&a);
    (thinking, answer)
}

impl StreamAccumulator {
    /// Takes one `data:` payload.
    pub fn push(&mut self, data: &str) -> Result<StreamStep, ApiError> {
        let data = data.trim();
        if data == "[DONE]" {
            self.done = true;
            return Ok(StreamStep::Done);
        }
        if data.is_empty() {
            return Ok(StreamStep::Nothing);
        }
        // Some servers report failures inside the stream as an error object.
        if data.starts_with("{\"error\"")
            && let Ok(env) = serde_json::from_str::<ErrorEnvelope>(data)
        {
            return Err(ApiError::Http {
                status: 500,
                message: env.error.message,
                retry_after: None,
            });
        }
        let chunk: ChatChunk = serde_json::from_str(data)
            .map_err(|e| ApiError::Malformed(format!("a stream chunk was not valid JSON ({e})")))?;
        if let Some(u) = chunk.usage {
            self.usage = Some(u);
        }
        if chunk.timings.is_some() {
            self.server = chunk.timings;
        }
        let mut added = String::new();
        let mut thought = String::new();
        for choice in chunk.choices.iter().filter(|c| c.index == 0) {
            let d = &choice.delta;
            // vLLM, llama.cpp and DeepSeek say `reasoning_content`;
            // OpenRouter and Ollama say `reasoning`.
            for t in [&d.reasoning_content, &d.reasoning].into_iter().flatten() {
                thought.push_str(t);
            }
            if let Some(t) = &d.content {
                let (th, an) = self.think.push(t);
                thought.push_str(&th);
                added.push_str(&an);
            }
            if let Some(t) = &d.refusal {
                added.push_str(t);
            }
            if choice.finish_reason.is_some() {
                self.finish_reason.clone_from(&choice.finish_reason);
            }
        }
        Ok(self.took(thought, added))
    }

    /// Records what a payload (or the end) made known.
    fn took(&mut self, thought: String, added: String) -> StreamStep {
        self.reasoning.push_str(&thought);
        if !added.is_empty() {
            self.text.push_str(&added);
            self.text_chunks += 1;
        }
        match (thought.is_empty(), added.is_empty()) {
            (true, true) => StreamStep::Nothing,
            (true, false) => StreamStep::Text(added),
            (false, _) => StreamStep::Reasoning(thought, added),
        }
    }

    /// The content ended: text held back while a `<think>` tag could not
    /// be told yet (a very short answer, or thinking never closed).
    pub fn flush(&mut self) -> StreamStep {
        let (thought, added) = self.think.flush();
        self.took(thought, added)
    }

    /// The verdict once the body has ended: complete only with `[DONE]`.
    pub fn finish(&self) -> Result<(), ApiError> {
        if self.done {
            Ok(())
        } else {
            Err(ApiError::StreamCut(
                "the server closed the stream without [DONE]".into(),
            ))
        }
    }
}

/// The part of the event-stream format a chat stream uses: lines end at
/// LF, CRLF or CR; `data:` lines (one space after the colon dropped) are
/// joined by LF into an event's data; a blank line ends the event; comments
/// (`:`) and other fields are skipped. Bytes wait for their line's end, so
/// lines and multi-byte characters split across chunks arrive whole.
/// Hand-written: these few rules replace the `eventsource-stream` crate,
/// whose parser pulled `nom` 7 into the page for them.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    data: Option<String>,
    /// The last byte was CR: a LF right after it ends no second line.
    after_cr: bool,
}

impl SseParser {
    /// Reads `bytes`, adding each finished event's data (or a framing
    /// error) to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Result<String, ApiError>>) {
        for &b in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
            match b {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    let line = std::mem::take(&mut self.line);
                    if let Some(r) = self.line_ended(&line) {
                        out.push(r);
                    }
                }
                _ => self.line.push(b),
            }
        }
    }

    fn line_ended(&mut self, line: &[u8]) -> Option<Result<String, ApiError>> {
        if line.is_empty() {
            return self.data.take().map(Ok);
        }
        let (field, value) = match line.iter().position(|&c| c == b':') {
            Some(0) => return None,
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &line[..0]),
        };
        if field != b"data" {
            return None;
        }
        let value = value.strip_prefix(b" ").unwrap_or(value);
        match std::str::from_utf8(value) {
            Ok(v) => {
                match &mut self.data {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(v);
                    }
                    None => self.data = Some(v.to_string()),
                }
                None
            }
            Err(e) => Some(Err(ApiError::Malformed(format!(
                "invalid UTF-8 in the stream ({e})"
            )))),
        }
    }
}

/// Reads SSE `data:` payloads from a stream of byte chunks. A transport error
/// becomes `Err` of whatever `on_error` makes of it.
pub fn sse_payloads<S, B, E>(
    bytes: S,
    on_error: impl Fn(String) -> ApiError + 'static,
) -> impl Stream<Item = Result<String, ApiError>>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let mut parser = SseParser::default();
    bytes.flat_map(move |chunk| {
        let mut out = Vec::new();
        match chunk {
            Ok(b) => parser.push(b.as_ref(), &mut out),
            Err(e) => out.push(Err(on_error(e.to_string()))),
        }
        futures::stream::iter(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::stream;

    /// A realistic OpenAI stream: role chunk, content with multi-byte text,
    /// a keep-alive comment, finish chunk, usage chunk, [DONE]. CRLF and LF
    /// line ends mixed on purpose.
    fn body() -> Vec<u8> {
        let mut s = String::new();
        s.push_str(": keep-alive\n\n");
        s.push_str("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
        s.push_str("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hola, \"},\"finish_reason\":null}]}\r\n\r\n");
        s.push_str("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"señor ☕ 🚀\"},\"finish_reason\":null}]}\n\n");
        s.push_str(": ping\n\n");
        s.push_str("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        s.push_str("data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}\n\n");
        s.push_str("data: [DONE]\n\n");
        s.into_bytes()
    }

    fn run(chunks: Vec<Vec<u8>>) -> (StreamAccumulator, Result<(), ApiError>) {
        let s = stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>));
        let mut payloads = Box::pin(sse_payloads(s, ApiError::StreamCut));
        let mut acc = StreamAccumulator::default();
        let res = block_on(async {
            while let Some(p) = payloads.next().await {
                acc.push(&p?)?;
            }
            acc.finish()
        });
        (acc, res)
    }

    #[test]
    fn whole_body_in_one_chunk() {
        let (acc, res) = run(vec![body()]);
        assert_eq!(res, Ok(()));
        assert_eq!(acc.text, "Hola, señor ☕ 🚀");
        assert_eq!(
            acc.usage,
            Some(Usage {
                prompt_tokens: 12,
                completion_tokens: 5,
                total_tokens: 17,
                completion_tokens_details: None,
            })
        );
        assert_eq!(acc.finish_reason.as_deref(), Some("stop"));
        assert_eq!(acc.text_chunks, 2);
    }

    #[test]
    fn split_in_two_at_every_byte_offset() {
        let b = body();
        for cut in 0..=b.len() {
            let (acc, res) = run(vec![b[..cut].to_vec(), b[cut..].to_vec()]);
            assert_eq!(res, Ok(()), "cut at {cut}");
            assert_eq!(acc.text, "Hola, señor ☕ 🚀", "cut at {cut}");
            assert_eq!(acc.usage.map(|u| u.total_tokens), Some(17), "cut at {cut}");
        }
    }

    #[test]
    fn framing_rules() {
        let events = |text: &[u8]| {
            let mut p = SseParser::default();
            let mut out = Vec::new();
            p.push(text, &mut out);
            out
        };
        // Several data lines join with LF; CR alone ends a line too; other
        // fields and comments are skipped; no space after the colon is fine.
        assert_eq!(
            events(b"event: x\ndata: a\rdata:b\r\nid: 7\n: note\n\n"),
            vec![Ok("a\nb".to_string())]
        );
        // An event not ended by a blank line is not dispatched; a blank
        // line with no data dispatches nothing.
        assert_eq!(events(b"\n\ndata: half"), vec![]);
        // Bytes that are not UTF-8 are a framing error.
        assert!(matches!(
            events(b"data: \xff\n\n").as_slice(),
            [Err(ApiError::Malformed(_))]
        ));
    }

    #[test]
    fn one_byte_per_chunk() {
        let (acc, res) = run(body().into_iter().map(|b| vec![b]).collect());
        assert_eq!(res, Ok(()));
        assert_eq!(acc.text, "Hola, señor ☕ 🚀");
    }

    #[test]
    fn no_usage_means_unknown_not_zero() {
        let text = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n";
        let (acc, res) = run(vec![text.as_bytes().to_vec()]);
        assert_eq!(res, Ok(()));
        assert_eq!(acc.usage, None);
    }

    #[test]
    fn end_without_done_is_a_cut_that_keeps_the_text() {
        let text = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial \"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"answer\"}}]}\n\n";
        let (acc, res) = run(vec![text.as_bytes().to_vec()]);
        assert!(matches!(res, Err(ApiError::StreamCut(_))), "{res:?}");
        assert_eq!(acc.text, "partial answer");
    }

    #[test]
    fn malformed_chunk_is_an_error_with_the_text_so_far() {
        let text = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\ndata: {\"llmock\": \"malformed\n\n";
        let (acc, res) = run(vec![text.as_bytes().to_vec()]);
        assert!(matches!(res, Err(ApiError::Malformed(_))), "{res:?}");
        assert_eq!(acc.text, "ok");
    }

    #[test]
    fn error_object_mid_stream_is_reported() {
        let text = "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n";
        let (_, res) = run(vec![text.as_bytes().to_vec()]);
        let err = res.unwrap_err();
        assert!(err.to_string().contains("overloaded"), "{err}");
    }

    #[test]
    fn transport_errors_pass_through() {
        let s = stream::iter(vec![
            Ok(b"data: {\"choices\":[]}\n\n".to_vec()),
            Err("connection reset"),
        ]);
        let mut payloads = Box::pin(sse_payloads(s, ApiError::StreamCut));
        let items: Vec<_> = block_on(async {
            let mut v = vec![];
            while let Some(p) = payloads.next().await {
                v.push(p);
            }
            v
        });
        assert!(
            matches!(items.last(), Some(Err(ApiError::StreamCut(m))) if m.contains("connection reset")),
            "{items:?}"
        );
    }

    /// A chunk whose delta is `delta` (a JSON object's fields).
    fn chunk(delta: &str) -> String {
        format!(
            r#"{{"id":"r","choices":[{{"index":0,"delta":{{{delta}}},"finish_reason":null}}]}}"#
        )
    }

    #[test]
    fn reasoning_deltas_go_apart_from_the_answer_under_either_name() {
        for field in ["reasoning_content", "reasoning"] {
            let mut acc = StreamAccumulator::default();
            // A role-only frame with empty content: nothing at all.
            assert_eq!(
                acc.push(&chunk(r#""role":"assistant","content":"""#)),
                Ok(StreamStep::Nothing)
            );
            assert_eq!(
                acc.push(&chunk(&format!(r#""{field}":"Let me think. ""#))),
                Ok(StreamStep::Reasoning(
                    "Let me think. ".into(),
                    String::new()
                ))
            );
            acc.push(&chunk(&format!(r#""{field}":"Positive.""#)))
                .unwrap();
            // Servers send `"reasoning_content": null` beside the answer.
            assert_eq!(
                acc.push(&chunk(&format!(
                    r#""content":"{{\"sentiment\"","{field}":null"#
                ))),
                Ok(StreamStep::Text("{\"sentiment\"".into()))
            );
            acc.push(&chunk(r#""content":": \"positive\"}""#)).unwrap();
            acc.push(r#"{"id":"r","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":8,"total_tokens":17,"completion_tokens_details":{"reasoning_tokens":5}}}"#).unwrap();
            acc.push("[DONE]").unwrap();
            assert_eq!(acc.reasoning, "Let me think. Positive.", "{field}");
            assert_eq!(acc.text, r#"{"sentiment": "positive"}"#, "{field}");
            assert_eq!(acc.text_chunks, 2);
            assert_eq!(
                acc.usage
                    .unwrap()
                    .completion_tokens_details
                    .unwrap()
                    .reasoning_tokens,
                5
            );
            assert_eq!(acc.flush(), StreamStep::Nothing);
        }
    }

    #[test]
    fn a_think_block_in_the_content_is_thinking_wherever_the_chunks_cut_it() {
        let content = "  <think>Weigh it: good.\nYes.</think>\n\nThe answer.";
        for cut in 0..=content.len() {
            if !content.is_char_boundary(cut) {
                continue;
            }
            for second in cut..=content.len() {
                let mut split = ThinkSplit::default();
                let (mut thinking, mut answer) = (String::new(), String::new());
                for part in [&content[..cut], &content[cut..second], &content[second..]] {
                    let (t, a) = split.push(part);
                    thinking.push_str(&t);
                    answer.push_str(&a);
                }
                let (t, a) = split.flush();
                thinking.push_str(&t);
                answer.push_str(&a);
                assert_eq!(thinking, "Weigh it: good.\nYes.", "cut at {cut}, {second}");
                assert_eq!(answer, "The answer.", "cut at {cut}, {second}");
            }
        }
    }

    #[test]
    fn content_that_only_looks_like_a_think_tag_is_the_answer() {
        assert_eq!(
            split_think("<thinking> is a word"),
            (String::new(), "<thinking> is a word".into())
        );
        assert_eq!(
            split_think("Plain answer <think>x</think>"),
            (String::new(), "Plain answer <think>x</think>".into())
        );
        // A short answer held back while it could still be a tag comes out at the end.
        let mut acc = StreamAccumulator::default();
        assert_eq!(
            acc.push(&chunk(r#""content":"<th""#)),
            Ok(StreamStep::Nothing)
        );
        assert_eq!(acc.flush(), StreamStep::Text("<th".into()));
        // Thinking never closed is thinking; no answer.
        assert_eq!(
            split_think("<think>still going"),
            ("still going".into(), String::new())
        );
    }

    #[test]
    fn llama_cpps_own_timings_on_the_last_chunk_are_kept() {
        let mut acc = StreamAccumulator::default();
        acc.push(&chunk(r#""content":"Hi""#)).unwrap();
        acc.push(r#"{"id":"r","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"timings":{"prompt_n":12,"prompt_ms":30.5,"prompt_per_second":393.4,"predicted_n":2,"predicted_ms":40.0,"predicted_per_second":50.0,"cache_n":0}}"#).unwrap();
        let t = acc.server.unwrap();
        assert_eq!(
            (t.prompt_ms, t.predicted_per_second),
            (Some(30.5), Some(50.0))
        );
        assert_eq!(acc.text, "Hi");
    }
}
