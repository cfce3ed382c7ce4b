//! Everything that talks to an OpenAI-compatible API: typed models, request
//! building, stream parsing, retries, errors, and the browser client.

pub mod batches;
pub mod client;
pub mod error;
pub mod http1;
pub mod lanes;
pub mod ratelimit;
pub mod request;
pub mod retry;
pub mod stream;
pub mod transport;
pub mod types;

pub use client::{
    ChatOutput, ClientConfig, Collector, Progress, Timing, answers_at_all, chat, list_models,
    now_ms, sleep_or_abort,
};
pub use error::ApiError;
pub use request::{RequestOptions, TokenParam, build_chat_request};
pub use retry::{AttemptRecord, RetryPolicy};
pub use transport::{HttpTransport, Transport};
pub use types::{ChatCompletion, ChatMessage, ChatRequest, Model, Usage};
