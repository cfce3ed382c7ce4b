//! The simulated provider as a [`Transport`]: plans each attempt with the
//! [`Simulator`], waits on real timers, and streams the reply token by token
//! through the same collector, retry loop and timing as the HTTP client.

use futures::future::LocalBoxFuture;
use std::cell::RefCell;
use web_sys::AbortSignal;

use super::answers::reply_for;
use super::sim::{AttemptPlan, DemoSettings, Simulator};
use crate::openai::transport::duration;
use crate::openai::{ApiError, ChatOutput, ChatRequest, Progress, RetryPolicy, Transport};
use crate::openai::{Collector, now_ms, sleep_or_abort};
use crate::schedule::permits::Permits;

/// The demo provider for one run (its draws start from the seed).
pub struct DemoTransport {
    sim: RefCell<Simulator>,
    /// The server's slots, when it has a capacity: a request waits for one
    /// before its first token is drawn.
    slots: Option<Permits>,
    rpm_limit: u32,
    /// Thinking tokens before each answer (0: it does not think).
    thinking: u32,
    retry: RetryPolicy,
    signal: AbortSignal,
}

/// A simulated model's thinking: `n` word-sized tokens.
fn thinking_tokens(n: u32) -> Vec<String> {
    const WORDS: [&str; 8] = [
        "Reading", "the", "text", "again;", "weighing", "what", "it", "says.",
    ];
    (0..n as usize)
        .map(|i| format!("{} ", WORDS[i % WORDS.len()]))
        .collect()
}

impl DemoTransport {
    /// A simulated server with `settings`, retrying by `retry`, cancelled by `signal`.
    pub fn new(settings: DemoSettings, retry: RetryPolicy, signal: AbortSignal) -> Self {
        Self {
            sim: RefCell::new(Simulator::new(settings)),
            slots: (settings.slots > 0).then(|| Permits::new(settings.slots as usize)),
            rpm_limit: settings.rpm_limit,
            thinking: settings.thinking_tokens,
            retry,
            signal,
        }
    }

    /// One attempt: refused, or answered after the drawn delays.
    async fn attempt(&self, req: &ChatRequest, sink: &Collector<'_>) -> Result<(), ApiError> {
        // Queued on the server until a slot frees (a cancel still ends the
        // wait: the permit future is dropped with the request).
        let _served = match &self.slots {
            Some(p) => Some(p.acquire().await),
            None => None,
        };
        let plan = self.sim.borrow_mut().plan(now_ms());
        let (ttft_ms, ms_per_token) = match plan {
            AttemptPlan::RateLimited { retry_after_ms } => {
                sink.headers();
                return Err(ApiError::Http {
                    status: 429,
                    message: format!(
                        "Simulated rate limit of {} requests per minute (demo settings).",
                        self.rpm_limit
                    ),
                    retry_after: Some(duration(retry_after_ms)),
                });
            }
            AttemptPlan::Answer {
                ttft_ms,
                ms_per_token,
            } => (ttft_ms, ms_per_token),
        };
        // The slot is freed however the attempt ends (done, cancelled, dropped).
        let _slot = Slot(&self.sim);
        let mut reply = reply_for(req);
        // A simulated reasoning model thinks first, at the same speed.
        let thinking = thinking_tokens(self.thinking);
        if !thinking.is_empty() {
            let n = thinking.len() as u64;
            reply.usage.completion_tokens += n;
            reply.usage.total_tokens += n;
            reply.usage.completion_tokens_details =
                Some(crate::openai::types::CompletionTokensDetails {
                    reasoning_tokens: n,
                });
        }
        sleep_or_abort(duration(ttft_ms), &self.signal).await?;
        sink.headers();
        let finish = Some(reply.finish_reason.clone());
        if !req.stream {
            let total = ms_per_token * (thinking.len() + reply.tokens.len()) as f64;
            sleep_or_abort(duration(total), &self.signal).await?;
            sink.whole_with(thinking.concat(), reply.text(), finish, Some(reply.usage));
            return Ok(());
        }
        self.stream(&thinking, ms_per_token, &|t| sink.reasoning(t))
            .await?;
        self.stream(&reply.tokens, ms_per_token, &|t| sink.text(t))
            .await?;
        sink.complete(finish, Some(reply.usage));
        Ok(())
    }

    /// Streams `tokens`, one every `ms_per_token` from the first: each
    /// wake-up sends every token that is due, so slow timers never slow
    /// the rate.
    async fn stream(
        &self,
        tokens: &[String],
        ms_per_token: f64,
        send: &dyn Fn(String),
    ) -> Result<(), ApiError> {
        let start = now_ms();
        let mut sent = 0;
        while sent < tokens.len() {
            let due = (((now_ms() - start) / ms_per_token).floor() as usize + 1)
                .clamp(sent + 1, tokens.len());
            send(tokens[sent..due].concat());
            sent = due;
            if sent < tokens.len() {
                let next = start + sent as f64 * ms_per_token;
                sleep_or_abort(duration(next - now_ms()), &self.signal).await?;
            }
        }
        Ok(())
    }
}

/// Marks an accepted attempt finished when dropped.
struct Slot<'a>(&'a RefCell<Simulator>);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.borrow_mut().finished();
    }
}

impl Transport for DemoTransport {
    fn chat<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_progress: &'a mut dyn FnMut(Progress),
    ) -> LocalBoxFuture<'a, ChatOutput> {
        Box::pin(async move {
            let sink = Collector::new(on_progress);
            sink.run(&self.retry, &self.signal, |_| self.attempt(req, &sink))
                .await
        })
    }

    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn cancelled(&self) -> bool {
        self.signal.aborted()
    }

    fn sleep(&self, ms: f64) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = sleep_or_abort(duration(ms), &self.signal).await;
        })
    }
}
