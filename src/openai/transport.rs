//! The seam between what runs requests (the workflow engine) and what sends
//! them: the browser HTTP client here, a fake in tests, a simulated provider
//! later. The engine only ever sees [`Transport`].

use futures::future::LocalBoxFuture;
use web_sys::AbortSignal;

use super::client::{ChatOutput, ClientConfig, Progress, chat, now_ms, sleep_or_abort};
use super::lanes::{LaneBook, lane_bases};
use super::types::ChatRequest;

/// Sends chat requests and tells the time; single-threaded (browser futures
/// are not `Send`).
pub trait Transport {
    /// Sends one request with retries and reports progress as it goes.
    fn chat<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_progress: &'a mut dyn FnMut(Progress),
    ) -> LocalBoxFuture<'a, ChatOutput>;

    /// The clock all timings use, in ms.
    fn now_ms(&self) -> f64;

    /// True once the user cancelled: nothing new should start.
    fn cancelled(&self) -> bool;

    /// Waits `ms` on the same clock (ends early if the user cancels).
    fn sleep(&self, ms: f64) -> LocalBoxFuture<'_, ()>;
}

/// The real thing: `fetch` to an OpenAI-compatible server, cancelled by an
/// `AbortSignal`, each request sent down the lane with the fewest in flight.
pub struct HttpTransport {
    cfg: ClientConfig,
    signal: AbortSignal,
    lanes: LaneBook,
}

impl HttpTransport {
    /// Requests as `cfg` says, over its base URL and lanes, cancelled by
    /// `signal`.
    pub fn new(cfg: ClientConfig, signal: AbortSignal) -> Self {
        let mut bases = lane_bases(&cfg.base_url, &cfg.lanes);
        if bases.is_empty() {
            bases.push(cfg.base_url.clone());
        }
        Self {
            lanes: LaneBook::new(bases),
            cfg,
            signal,
        }
    }
}

impl Transport for HttpTransport {
    fn chat<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_progress: &'a mut dyn FnMut(Progress),
    ) -> LocalBoxFuture<'a, ChatOutput> {
        Box::pin(async move {
            if self.lanes.len() < 2 {
                return chat(&self.cfg, req, &self.signal, on_progress).await;
            }
            // The lane is held until the answer has streamed in: the
            // browser's connection is busy until then.
            let lane = self.lanes.take();
            let cfg = ClientConfig {
                base_url: lane.base().to_string(),
                ..self.cfg.clone()
            };
            chat(&cfg, req, &self.signal, on_progress).await
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

/// A non-negative duration from milliseconds.
pub fn duration(ms: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64(ms.max(0.0) / 1000.0)
}
