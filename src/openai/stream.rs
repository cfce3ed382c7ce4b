//! Turning a streamed chat completion into text, usage and a verdict.
//!
//! SSE framing (lines split anywhere, multi-byte characters split across
//! chunks, comments and keep-alives) is done by the `eventsource-stream`
//! crate; this module interprets the `data:` payloads of OpenAI's chat
//! stream: content deltas, the usage-only final chunk, `[DONE]`, and error
//! objects sent mid-stream.

use futures::{Stream, StreamExt};

use super::error::ApiError;
use super::types::{ChatChunk, ErrorEnvelope, Usage};

/// What one SSE payload meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStep {
    /// New text.
    Text(String),
    /// Nothing visible (role-only chunk, usage chunk, finish reason).
    Nothing,
    /// `[DONE]`: the stream is complete.
    Done,
}

/// Accumulates a streamed answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamAccumulator {
    /// The text so far.
    pub text: String,
    /// Usage, if the server sent it.
    pub usage: Option<Usage>,
    /// The finish reason, if the server sent it.
    pub finish_reason: Option<String>,
    /// Whether `[DONE]` arrived.
    pub done: bool,
    /// Number of payloads that carried text.
    pub text_chunks: usize,
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
        let mut added = String::new();
        for choice in chunk.choices.iter().filter(|c| c.index == 0) {
            if let Some(t) = &choice.delta.content {
                added.push_str(t);
            }
            if let Some(t) = &choice.delta.refusal {
                added.push_str(t);
            }
            if choice.finish_reason.is_some() {
                self.finish_reason.clone_from(&choice.finish_reason);
            }
        }
        if added.is_empty() {
            return Ok(StreamStep::Nothing);
        }
        self.text.push_str(&added);
        self.text_chunks += 1;
        Ok(StreamStep::Text(added))
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
    use eventsource_stream::{EventStreamError, Eventsource};
    bytes.eventsource().map(move |item| match item {
        Ok(ev) => Ok(ev.data),
        Err(EventStreamError::Transport(e)) => Err(on_error(e.to_string())),
        Err(EventStreamError::Utf8(e)) => Err(ApiError::Malformed(format!(
            "invalid UTF-8 in the stream ({e})"
        ))),
        Err(EventStreamError::Parser(e)) => {
            Err(ApiError::Malformed(format!("bad SSE framing ({e})")))
        }
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
                total_tokens: 17
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
}
