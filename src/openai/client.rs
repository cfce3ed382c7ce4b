//! The browser HTTP client: chat completions (streamed or not) and the model
//! list, with per-request timeout, retries and cancellation.
//!
//! Only the key's header (`Authorization`, or `api-key` for Azure OpenAI)
//! and `Content-Type` are sent: any other header could be one a server's
//! CORS preflight refuses.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use gloo_net::http::{Request, Response};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

use super::error::{ApiError, redact_key};
use super::request::{KeyHeader, chat_completions_url, host_of, models_url};
use super::retry::{
    AttemptRecord, RetryEvent, RetryPolicy, retry_after_from_headers, run_with_retries,
};
use super::stream::{StreamAccumulator, sse_payloads};
use super::types::{ChatCompletion, ChatRequest, Model, ModelList, Usage};

/// Where and how to call the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// Normalised base URL, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// The user's key; may be empty for local servers that need none.
    pub api_key: String,
    /// The header that carries it.
    pub key_header: KeyHeader,
    /// Longest wait for the response headers, or between two stream chunks.
    pub timeout: Duration,
    /// Retry rules.
    pub retry: RetryPolicy,
    /// More base URLs reaching the same server under other origins
    /// (lanes), normalised; requests spread over them and `base_url`.
    pub lanes: Vec<String>,
}

/// Timestamps of a request, in ms on the page clock (`performance.now()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// The first attempt was sent.
    pub sent_ms: f64,
    /// Response headers of the last attempt arrived.
    pub headers_ms: Option<f64>,
    /// The first answer token arrived (streaming only): the "first token"
    /// the page shows; thinking before it is timed by `first_any_ms`.
    pub first_token_ms: Option<f64>,
    /// The last content token arrived.
    pub last_token_ms: Option<f64>,
    /// The request finished, successfully or not.
    pub end_ms: f64,
    /// The first token of any kind (thinking or answer) arrived; with no
    /// thinking, the same as `first_token_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_any_ms: Option<f64>,
    /// Streamed chunks of thinking (the count of its tokens where a server
    /// sends one token per chunk and reports no reasoning tokens).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reasoning_chunks: u32,
    /// The server's own timings (llama.cpp), when it sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<super::types::ServerTimings>,
    /// Gaps between streamed chunks of the answer (its last attempt):
    /// median and longest, ms; `None` with fewer than two chunks.
    #[serde(default)]
    pub gaps: Option<Gaps>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// How evenly an answer streamed: the gaps between its chunks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Gaps {
    /// Median gap, ms.
    pub p50_ms: f64,
    /// Longest gap, ms.
    pub max_ms: f64,
}

impl Gaps {
    /// The gaps' median and longest; `None` for none.
    pub fn of(gaps: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = gaps.iter().copied().filter(|g| g.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(Self {
            p50_ms: v[(v.len() - 1) / 2],
            max_ms: v[v.len() - 1],
        })
    }
}

impl Timing {
    /// Time to first token, from the first send.
    pub fn ttft_ms(&self) -> Option<f64> {
        self.first_token_ms.map(|t| t - self.sent_ms)
    }

    /// Whole duration, retries and waits included.
    pub fn total_ms(&self) -> f64 {
        self.end_ms - self.sent_ms
    }
}

/// Everything known about a finished request; `error` is set if it failed,
/// and `text` then keeps whatever arrived before the failure.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatOutput {
    /// The answer (or the part received).
    pub text: String,
    /// Token usage, when the server reported it.
    pub usage: Option<Usage>,
    /// Why generation stopped, when reported.
    pub finish_reason: Option<String>,
    /// Timestamps.
    pub timing: Timing,
    /// Every attempt, with waits between them.
    pub attempts: Vec<AttemptRecord>,
    /// The final error, if the request failed.
    pub error: Option<ApiError>,
    /// The last response's rate-limit headers, when the server lets the
    /// page read them.
    pub rate_limit: Option<super::ratelimit::RateLimit>,
    /// The pool member that answered (its place in the pool), when the
    /// request went through a pool.
    pub served_by: Option<usize>,
    /// The model's thinking, apart from the answer (empty when none).
    pub reasoning: String,
    /// Inter-token latency as vLLM defines it: the gap before each output
    /// chunk (thinking or answer) after the first, ms, of the last attempt.
    pub itl_ms: Vec<f64>,
}

/// Live updates while a request runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Attempt `n` was sent.
    Attempt(u32),
    /// Response headers arrived.
    Headers,
    /// New answer text (the delta).
    Text(String),
    /// New thinking text (the delta), apart from the answer.
    Reasoning(String),
    /// Waiting before a retry.
    Waiting {
        /// The attempt that failed.
        attempt: u32,
        /// How long until the next one.
        wait: Duration,
        /// Why it failed.
        error: ApiError,
    },
}

/// The page clock in milliseconds (`performance.now()`), which all timings use.
pub fn now_ms() -> f64 {
    thread_local! {
        // Looked up once: it is read for every streamed chunk.
        static PERFORMANCE: Option<web_sys::Performance> =
            web_sys::window().and_then(|w| w.performance());
    }
    PERFORMANCE.with(|p| p.as_ref().map_or_else(js_sys::Date::now, |p| p.now()))
}

/// Resolves when `signal` aborts (at once if it already has).
async fn aborted(signal: AbortSignal) {
    if signal.aborted() {
        return;
    }
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let tx = Cell::new(Some(tx));
    let _listener = gloo_events::EventListener::once(&signal, "abort", move |_| {
        if let Some(tx) = tx.take() {
            let _ = tx.send(());
        }
    });
    let _ = rx.await;
}

/// Sleeps for `d` unless `signal` aborts first.
pub async fn sleep_or_abort(d: Duration, signal: &AbortSignal) -> Result<(), ApiError> {
    let sleep = gloo_timers::future::sleep(d).fuse();
    let abort = aborted(signal.clone()).fuse();
    futures::pin_mut!(sleep, abort);
    futures::select! {
        () = sleep => Ok(()),
        () = abort => Err(ApiError::Aborted),
    }
}

/// One attempt's own abort controller, aborted by the user's signal or by
/// an idle timer that is re-armed whenever data arrives.
struct AttemptGuard {
    controller: AbortController,
    user: AbortSignal,
    timed_out: Rc<Cell<bool>>,
    timeout: Duration,
    timer: RefCell<Option<gloo_timers::callback::Timeout>>,
    /// When the timer was last armed (page clock).
    armed_ms: Cell<f64>,
    _link: gloo_events::EventListener,
    host: String,
}

impl AttemptGuard {
    fn new(user: &AbortSignal, timeout: Duration, host: String) -> Result<Self, ApiError> {
        let controller = AbortController::new()
            .map_err(|_| ApiError::Malformed("the browser has no AbortController".into()))?;
        let c = controller.clone();
        let link = gloo_events::EventListener::once(user, "abort", move |_| c.abort());
        if user.aborted() {
            controller.abort();
        }
        let guard = Self {
            controller,
            user: user.clone(),
            timed_out: Rc::new(Cell::new(false)),
            timeout,
            timer: RefCell::new(None),
            armed_ms: Cell::new(f64::NEG_INFINITY),
            _link: link,
            host,
        };
        guard.arm();
        Ok(guard)
    }

    /// (Re)starts the idle timer, at most once per [`rearm_slack_ms`]: a
    /// stream's chunks come every few ms, and a timer cancelled and set per
    /// chunk cost the page more than the parsing. The timer runs for the
    /// timeout plus that slack, so an attempt is never cut before it has
    /// been idle for the whole timeout (and at most the slack after).
    fn arm(&self) {
        let now = now_ms();
        let timeout_ms = self.timeout.as_secs_f64() * 1000.0;
        let slack = rearm_slack_ms(timeout_ms);
        if now - self.armed_ms.get() < slack {
            return;
        }
        self.armed_ms.set(now);
        let c = self.controller.clone();
        let flag = self.timed_out.clone();
        let ms = (timeout_ms + slack).min(u32::MAX as f64) as u32;
        let timer = gloo_timers::callback::Timeout::new(ms, move || {
            flag.set(true);
            c.abort();
        });
        // Dropping the previous timer cancels it.
        *self.timer.borrow_mut() = Some(timer);
    }

    fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Turns a fetch or read failure into the error it really is.
    fn classify(&self) -> ApiError {
        classify(&self.user, &self.timed_out, self.timeout, &self.host)
    }
}

/// How long a re-arm of the idle timer may be skipped: a twentieth of the
/// timeout, at most half a second.
fn rearm_slack_ms(timeout_ms: f64) -> f64 {
    (timeout_ms / 20.0).min(500.0)
}

fn classify(user: &AbortSignal, timed_out: &Cell<bool>, timeout: Duration, host: &str) -> ApiError {
    if user.aborted() {
        ApiError::Aborted
    } else if timed_out.get() {
        ApiError::Timeout(timeout)
    } else {
        ApiError::Network {
            host: host.to_string(),
        }
    }
}

impl Drop for AttemptGuard {
    fn drop(&mut self) {
        // Stop the timer and release the connection if the attempt is dropped early.
        self.timer.borrow_mut().take();
        self.controller.abort();
    }
}

fn post(
    url: &str,
    cfg: &ClientConfig,
    body: &str,
    signal: &AbortSignal,
) -> Result<Request, ApiError> {
    let mut b = Request::post(url).header("Content-Type", "application/json");
    if let Some((name, value)) = cfg.key_header.header(&cfg.api_key) {
        b = b.header(name, &value);
    }
    b.abort_signal(Some(signal))
        .body(body.to_string())
        .map_err(|e| ApiError::Malformed(e.to_string()))
}

/// Reads an error response into an [`ApiError`], with the key redacted.
pub(crate) async fn error_from(resp: &Response, key: &str) -> ApiError {
    let h = resp.headers();
    let wait = retry_after_from_headers(
        h.get("retry-after-ms").as_deref(),
        h.get("retry-after").as_deref(),
        js_sys::Date::now(),
    );
    let body = resp.text().await.unwrap_or_default();
    let body = redact_key(&body, key);
    ApiError::from_response(resp.status(), &body, wait)
}

/// Lists the models the server offers (`GET /models`).
pub async fn list_models(cfg: &ClientConfig, user: &AbortSignal) -> Result<Vec<Model>, ApiError> {
    let guard = AttemptGuard::new(user, cfg.timeout, host_of(&cfg.base_url).to_string())?;
    let mut b = Request::get(&models_url(&cfg.base_url));
    if let Some((name, value)) = cfg.key_header.header(&cfg.api_key) {
        b = b.header(name, &value);
    }
    let resp = b
        .abort_signal(Some(&guard.signal()))
        .send()
        .await
        .map_err(|_| guard.classify())?;
    if !resp.ok() {
        return Err(error_from(&resp, &cfg.api_key).await);
    }
    let text = resp.text().await.map_err(|_| guard.classify())?;
    let list: ModelList = serde_json::from_str(&text).map_err(|e| {
        ApiError::Malformed(format!("the model list was not the expected JSON ({e})"))
    })?;
    let mut models = list.data;
    models.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(models)
}

/// Whether anything answers at `url` at all, CORS aside: an opaque
/// (`no-cors`) request succeeds when a server answers, whatever its
/// headers, and fails when nothing listens or the browser blocks it. Tells
/// "refused by CORS" from "nobody there" after a normal request failed.
pub async fn answers_at_all(url: &str, timeout: Duration, user: &AbortSignal) -> bool {
    let Ok(guard) = AttemptGuard::new(user, timeout, host_of(url).to_string()) else {
        return false;
    };
    Request::get(url)
        .mode(web_sys::RequestMode::NoCors)
        .abort_signal(Some(&guard.signal()))
        .send()
        .await
        .is_ok()
}

/// Collects what the attempts of one request report: the text (each retry
/// starts it afresh), usage, timestamps, and progress for the caller. Shared
/// by the HTTP client and the simulated provider, so both time and report
/// answers the same way.
pub struct Collector<'p> {
    acc: RefCell<StreamAccumulator>,
    timing: RefCell<Timing>,
    /// Gaps between the current attempt's chunks, and its last chunk's time.
    gaps: RefCell<(Vec<f64>, Option<f64>)>,
    /// Gaps between the current attempt's output chunks of any kind.
    itl: RefCell<(Vec<f64>, Option<f64>)>,
    rate_limit: RefCell<Option<super::ratelimit::RateLimit>>,
    /// When the current attempt's body last gave bytes: the request's end
    /// if it succeeds, stamped as the bytes are read rather than when the
    /// code after the read (rendering other tasks included) runs.
    last_byte_ms: Cell<Option<f64>>,
    progress: RefCell<&'p mut dyn FnMut(Progress)>,
}

impl<'p> Collector<'p> {
    /// Starts collecting; the request counts as sent now.
    pub fn new(on_progress: &'p mut dyn FnMut(Progress)) -> Self {
        Self {
            acc: RefCell::new(StreamAccumulator::default()),
            timing: RefCell::new(Timing {
                sent_ms: now_ms(),
                ..Timing::default()
            }),
            progress: RefCell::new(on_progress),
            gaps: RefCell::new((Vec::new(), None)),
            itl: RefCell::new((Vec::new(), None)),
            rate_limit: RefCell::new(None),
            last_byte_ms: Cell::new(None),
        }
    }

    /// Bytes of the body were read just now.
    pub fn bytes_read(&self) {
        self.last_byte_ms.set(Some(now_ms()));
    }

    /// The rate-limit headers of a response, where the page may read them.
    pub fn rate_limit(&self, r: Option<super::ratelimit::RateLimit>) {
        *self.rate_limit.borrow_mut() = r;
    }

    fn report(&self, p: Progress) {
        (self.progress.borrow_mut())(p);
    }

    /// Attempt `n` starts: its text replaces any failed attempt's.
    pub fn attempt(&self, n: u32) {
        *self.acc.borrow_mut() = StreamAccumulator::default();
        *self.gaps.borrow_mut() = (Vec::new(), None);
        *self.itl.borrow_mut() = (Vec::new(), None);
        self.last_byte_ms.set(None);
        self.report(Progress::Attempt(n));
    }

    /// Response headers arrived.
    pub fn headers(&self) {
        self.timing.borrow_mut().headers_ms = Some(now_ms());
        self.report(Progress::Headers);
    }

    /// An output chunk of any kind arrived at `now`.
    fn output_at(&self, now: f64) {
        let mut g = self.itl.borrow_mut();
        if let Some(last) = g.1 {
            // Hundredths of a ms: the clock's own grain in most browsers.
            g.0.push(((now - last) * 100.0).round() / 100.0);
        }
        g.1 = Some(now);
    }

    /// Answer text arrived; `new_chunk` is false when it came in the same
    /// chunk as thinking (one chunk is one inter-token gap).
    fn shown(&self, delta: String, new_chunk: bool) {
        let now = now_ms();
        if new_chunk {
            self.output_at(now);
        }
        let mut t = self.timing.borrow_mut();
        t.first_any_ms.get_or_insert(now);
        t.first_token_ms.get_or_insert(now);
        t.last_token_ms = Some(now);
        drop(t);
        let mut g = self.gaps.borrow_mut();
        if let Some(last) = g.1 {
            g.0.push(now - last);
        }
        g.1 = Some(now);
        drop(g);
        self.report(Progress::Text(delta));
    }

    /// Thinking arrived: it starts the clock of the first token of any
    /// kind, not the answer's.
    fn thought(&self, delta: String) {
        let now = now_ms();
        self.output_at(now);
        let mut t = self.timing.borrow_mut();
        t.first_any_ms.get_or_insert(now);
        t.reasoning_chunks += 1;
        drop(t);
        self.report(Progress::Reasoning(delta));
    }

    fn step(&self, step: super::stream::StreamStep) {
        use super::stream::StreamStep;
        match step {
            StreamStep::Text(delta) => self.shown(delta, true),
            StreamStep::Reasoning(thought, answer) => {
                self.thought(thought);
                if !answer.is_empty() {
                    self.shown(answer, false);
                }
            }
            StreamStep::Nothing | StreamStep::Done => {}
        }
    }

    /// One SSE `data:` payload.
    pub fn payload(&self, data: &str) -> Result<(), ApiError> {
        let step = self.acc.borrow_mut().push(data)?;
        self.step(step);
        Ok(())
    }

    /// Text produced directly (the simulated provider streams this way).
    pub fn text(&self, delta: String) {
        let mut a = self.acc.borrow_mut();
        a.text.push_str(&delta);
        a.text_chunks += 1;
        drop(a);
        self.shown(delta, true);
    }

    /// Thinking produced directly (the simulated provider's reasoning
    /// model streams it this way).
    pub fn reasoning(&self, delta: String) {
        self.acc.borrow_mut().reasoning.push_str(&delta);
        self.thought(delta);
    }

    /// The answer is complete, with its usage if known.
    pub fn complete(&self, finish_reason: Option<String>, usage: Option<Usage>) {
        let mut a = self.acc.borrow_mut();
        a.finish_reason = finish_reason;
        a.usage = usage;
        a.done = true;
    }

    /// The server's own timings of a whole answer, if it sent them.
    pub fn server_timings(&self, t: Option<super::types::ServerTimings>) {
        self.acc.borrow_mut().server = t;
    }

    /// A whole, non-streamed answer (its thinking, if any, apart).
    pub fn whole(&self, text: String, finish_reason: Option<String>, usage: Option<Usage>) {
        self.whole_with(String::new(), text, finish_reason, usage);
    }

    /// A whole answer with the thinking the server sent beside it; a
    /// leading `<think>` block in the text is thinking too.
    pub fn whole_with(
        &self,
        reasoning: String,
        text: String,
        finish_reason: Option<String>,
        usage: Option<Usage>,
    ) {
        let (thought, text) = super::stream::split_think(&text);
        let reasoning = reasoning + &thought;
        if !reasoning.is_empty() {
            self.report(Progress::Reasoning(reasoning.clone()));
        }
        self.acc.borrow_mut().reasoning = reasoning;
        self.acc.borrow_mut().text = text.clone();
        self.complete(finish_reason, usage);
        self.timing.borrow_mut().last_token_ms = Some(now_ms());
        self.report(Progress::Text(text));
    }

    /// The stream ended: an error unless it was complete. Text held back
    /// while a `<think>` tag could not be told is given out first.
    pub fn end(&self) -> Result<(), ApiError> {
        let step = self.acc.borrow_mut().flush();
        self.step(step);
        self.acc.borrow().finish()
    }

    /// Runs `attempt` under the retry policy, sleeping between attempts
    /// unless `user` aborts, and returns everything collected.
    pub(crate) async fn run<F, Fut>(
        &self,
        retry: &RetryPolicy,
        user: &AbortSignal,
        mut attempt: F,
    ) -> ChatOutput
    where
        F: FnMut(u32) -> Fut,
        Fut: std::future::Future<Output = Result<(), ApiError>>,
    {
        let mut jitter = js_sys::Math::random;
        let (result, attempts) = run_with_retries(
            retry,
            &now_ms,
            |n| {
                self.attempt(n);
                attempt(n)
            },
            |d| sleep_or_abort(d, user),
            &mut jitter,
            &mut |ev| {
                if let RetryEvent::Waiting {
                    attempt,
                    wait,
                    error,
                } = ev
                {
                    self.report(Progress::Waiting {
                        attempt,
                        wait,
                        error,
                    });
                }
            },
        )
        .await;
        let acc = self.acc.take();
        let mut timing = self.timing.take();
        timing.end_ms = match (&result, self.last_byte_ms.get()) {
            (Ok(()), Some(t)) => t,
            _ => now_ms(),
        };
        timing.gaps = Gaps::of(&self.gaps.borrow().0);
        timing.server = acc.server;
        ChatOutput {
            text: acc.text,
            usage: acc.usage,
            finish_reason: acc.finish_reason,
            timing,
            attempts,
            error: result.err(),
            rate_limit: self.rate_limit.take(),
            served_by: None,
            reasoning: acc.reasoning,
            itl_ms: self.itl.take().0,
        }
    }
}

/// Sends one chat request with retries; never panics, always returns what
/// it got. `on_progress` sees attempts, waits and text as they happen.
pub async fn chat(
    cfg: &ClientConfig,
    req: &ChatRequest,
    user: &AbortSignal,
    on_progress: &mut dyn FnMut(Progress),
) -> ChatOutput {
    let url = chat_completions_url(&cfg.base_url);
    let host = host_of(&cfg.base_url).to_string();
    let body = serde_json::to_string(req).unwrap_or_default();
    let sink = Collector::new(on_progress);
    sink.run(&cfg.retry, user, |_| {
        let (url, host, body, sink) = (&url, host.clone(), &body, &sink);
        async move {
            let guard = AttemptGuard::new(user, cfg.timeout, host)?;
            let resp = post(url, cfg, body, &guard.signal())?
                .send()
                .await
                .map_err(|_| guard.classify())?;
            sink.headers();
            sink.rate_limit(super::ratelimit::RateLimit::from_headers(|name| {
                resp.headers().get(name)
            }));
            if !resp.ok() {
                return Err(error_from(&resp, &cfg.api_key).await);
            }
            guard.arm();
            let content_type = resp.headers().get("content-type").unwrap_or_default();
            if !req.stream || content_type.contains("application/json") {
                read_whole(&resp, &guard, sink).await
            } else if content_type.contains("text/html") {
                Err(ApiError::Malformed(
                    "an HTML page instead of an event stream (a proxy or login page in the way?)"
                        .into(),
                ))
            } else {
                read_stream(&resp, &guard, sink).await
            }
        }
    })
    .await
}

/// A whole (non-streamed) answer's body.
fn parse_completion(body: &str) -> Result<ChatCompletion, ApiError> {
    if body.trim().is_empty() {
        return Err(ApiError::Malformed(
            "the server sent an empty body where the answer should be".into(),
        ));
    }
    serde_json::from_str(body)
        .map_err(|e| ApiError::Malformed(format!("the answer was not the expected JSON ({e})")))
}

/// A non-streamed answer (or a server that ignored `stream: true`).
async fn read_whole(
    resp: &Response,
    guard: &AttemptGuard,
    sink: &Collector<'_>,
) -> Result<(), ApiError> {
    let text = resp.text().await.map_err(|_| guard.classify())?;
    sink.bytes_read();
    let completion = parse_completion(&text)?;
    let choice = completion.choices.into_iter().next();
    let text = choice
        .as_ref()
        .and_then(|c| {
            c.message
                .content
                .clone()
                .or_else(|| c.message.refusal.clone())
        })
        .unwrap_or_default();
    let thinking = choice
        .as_ref()
        .and_then(|c| {
            c.message
                .reasoning_content
                .clone()
                .or_else(|| c.message.reasoning.clone())
        })
        .unwrap_or_default();
    sink.server_timings(completion.timings);
    sink.whole_with(
        thinking,
        text,
        choice.and_then(|c| c.finish_reason),
        completion.usage,
    );
    Ok(())
}

/// Reads the SSE body incrementally; every chunk re-arms the idle timeout.
async fn read_stream(
    resp: &Response,
    guard: &AttemptGuard,
    sink: &Collector<'_>,
) -> Result<(), ApiError> {
    let Some(raw) = resp.body() else {
        return Err(ApiError::StreamCut("the server sent an empty body".into()));
    };
    let bytes = wasm_streams::ReadableStream::from_raw(raw.unchecked_into())
        .into_stream()
        .map(|chunk| {
            sink.bytes_read();
            chunk
                .map(|v| js_sys::Uint8Array::new(&v).to_vec())
                .map_err(|_| "read failed")
        });
    let (user, flag, timeout, host) = (
        guard.user.clone(),
        guard.timed_out.clone(),
        guard.timeout,
        guard.host.clone(),
    );
    let mut payloads = Box::pin(sse_payloads(bytes, move |_| {
        match classify(&user, &flag, timeout, &host) {
            // The connection dropped mid-answer: say so, the text is kept.
            ApiError::Network { .. } => {
                ApiError::StreamCut("the connection was lost mid-answer".into())
            }
            other => other,
        }
    }));
    while let Some(payload) = payloads.next().await {
        guard.arm();
        sink.payload(&payload?)?;
    }
    sink.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_answers_say_what_was_wrong_with_the_body() {
        let empty = parse_completion(" \n").unwrap_err();
        assert!(empty.to_string().contains("an empty body"), "{empty}");
        let junk = parse_completion("{\"nope\": 1").unwrap_err();
        assert!(junk.to_string().contains("not the expected JSON"), "{junk}");
        let ok = parse_completion(
            r#"{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}"#,
        )
        .unwrap();
        assert_eq!(ok.choices.len(), 1);
    }
}
