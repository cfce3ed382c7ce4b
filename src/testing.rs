//! Test support shared by the native tests: a fake OpenAI-compatible
//! server behind the [`Transport`] seam, with a clock that moves 10 ms per
//! request, answering by a rule and counting what it was sent.

use std::cell::{Cell, RefCell};

use futures::future::LocalBoxFuture;

use crate::openai::{
    ApiError, AttemptRecord, ChatOutput, ChatRequest, Progress, Timing, Transport, Usage,
};

/// How the fake answers: the answer text, or the error it fails with.
pub(crate) type Rule = Box<dyn Fn(&ChatRequest) -> Result<String, ApiError>>;

/// A transport whose requests finish at once, in call order.
pub(crate) struct FakeServer {
    /// The clock, ms.
    pub clock: Cell<f64>,
    /// Every request received, oldest first.
    pub sent: RefCell<Vec<ChatRequest>>,
    /// Set to make the transport report a user's cancel.
    pub cancelled: Cell<bool>,
    rule: Rule,
}

impl FakeServer {
    /// A server answering by `rule`.
    pub(crate) fn new(rule: impl Fn(&ChatRequest) -> Result<String, ApiError> + 'static) -> Self {
        Self {
            clock: Cell::new(0.0),
            sent: RefCell::new(Vec::new()),
            cancelled: Cell::new(false),
            rule: Box::new(rule),
        }
    }

    /// An HTTP error with this status.
    pub(crate) fn http(status: u16) -> ApiError {
        ApiError::Http {
            status,
            message: "boom".into(),
            retry_after: None,
        }
    }
}

impl Transport for FakeServer {
    fn chat<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_progress: &'a mut dyn FnMut(Progress),
    ) -> LocalBoxFuture<'a, ChatOutput> {
        Box::pin(async move {
            self.sent.borrow_mut().push(req.clone());
            let sent = self.clock.get();
            on_progress(Progress::Attempt(1));
            self.clock.set(sent + 10.0);
            let end = sent + 10.0;
            let answer = (self.rule)(req);
            if let Ok(text) = &answer {
                on_progress(Progress::Text(text.clone()));
            }
            let ok = answer.is_ok();
            ChatOutput {
                itl_ms: Vec::new(),
                rate_limit: None,
                served_by: None,
                reasoning: String::new(),
                usage: ok.then_some(Usage {
                    prompt_tokens: 5,
                    completion_tokens: 7,
                    total_tokens: 12,
                    completion_tokens_details: None,
                }),
                finish_reason: None,
                timing: Timing {
                    gaps: None,
                    sent_ms: sent,
                    headers_ms: Some(end),
                    first_token_ms: ok.then_some(end),
                    first_any_ms: ok.then_some(end),
                    reasoning_chunks: 0,
                    server: None,
                    last_token_ms: ok.then_some(end),
                    end_ms: end,
                },
                attempts: vec![AttemptRecord {
                    number: 1,
                    started_ms: sent,
                    ended_ms: end,
                    outcome: if ok { "ok" } else { "failed" }.into(),
                    wait_ms: None,
                }],
                text: answer.as_ref().cloned().unwrap_or_default(),
                error: answer.err(),
            }
        })
    }
    fn now_ms(&self) -> f64 {
        self.clock.get()
    }
    fn cancelled(&self) -> bool {
        self.cancelled.get()
    }
    fn sleep(&self, ms: f64) -> LocalBoxFuture<'_, ()> {
        self.clock.set(self.clock.get() + ms.max(0.0));
        Box::pin(async {})
    }
}
