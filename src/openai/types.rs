//! Typed serde models for the parts of the OpenAI API that Fanout uses:
//! chat completions (request, response, stream chunk, usage), the error
//! envelope, and `GET /models`.
//!
//! Response types are lenient on purpose: OpenAI-compatible servers (llama.cpp,
//! vLLM, Ollama, LM Studio) omit fields that OpenAI always sends, so everything
//! not needed to show an answer is optional.

use serde::{Deserialize, Serialize};

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The message text.
    pub content: String,
}

impl ChatMessage {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: "system".into(),
            content: content.into(),
        }
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// `stream_options` of a streaming request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamOptions {
    /// Ask for a final chunk that carries token usage.
    pub include_usage: bool,
}

/// Body of `POST /chat/completions`. Built by [`crate::openai::request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Model id.
    pub model: String,
    /// The conversation.
    pub messages: Vec<ChatMessage>,
    /// Stream the answer as server-sent events.
    pub stream: bool,
    /// Only sent with `stream: true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// Token limit for classic chat models and most compatible servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Token limit for reasoning models (gpt-5 family, o-series).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    /// Sampling temperature; reasoning models reject it, so it is left out for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Structured output (`{"type": "json_schema", ...}`), where asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<serde_json::Value>,
}

/// Token usage of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens in the prompt.
    #[serde(default)]
    pub prompt_tokens: u64,
    /// Tokens generated.
    #[serde(default)]
    pub completion_tokens: u64,
    /// Sum of both.
    #[serde(default)]
    pub total_tokens: u64,
    /// What the completion tokens were, where the server says (reasoning
    /// models report their thinking tokens here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
}

/// The parts of a completion's tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionTokensDetails {
    /// Tokens spent thinking (included in the completion tokens).
    #[serde(default)]
    pub reasoning_tokens: u64,
}

/// The assistant message of a non-streamed answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseMessage {
    /// Text of the answer; null when the model refused or only called tools.
    #[serde(default)]
    pub content: Option<String>,
    /// A refusal message, when the model refused.
    #[serde(default)]
    pub refusal: Option<String>,
    /// The thinking, as vLLM, llama.cpp and DeepSeek name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// The thinking, as OpenRouter and Ollama name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
}

/// One choice of a non-streamed answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Index among the choices.
    #[serde(default)]
    pub index: u32,
    /// The answer.
    pub message: ResponseMessage,
    /// Why generation stopped (`stop`, `length`, ...).
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// Response of a non-streamed `POST /chat/completions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletion {
    /// Completion id.
    #[serde(default)]
    pub id: String,
    /// Model that answered.
    #[serde(default)]
    pub model: String,
    /// The choices (Fanout asks for one).
    pub choices: Vec<Choice>,
    /// Usage, absent on some compatible servers.
    #[serde(default)]
    pub usage: Option<Usage>,
    /// llama.cpp's timings of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<ServerTimings>,
}

/// The incremental part of a streamed choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    /// New text, if any.
    #[serde(default)]
    pub content: Option<String>,
    /// New refusal text, if any.
    #[serde(default)]
    pub refusal: Option<String>,
    /// New thinking, as vLLM, llama.cpp and DeepSeek name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// New thinking, as OpenRouter and Ollama name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
}

/// One choice inside a stream chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkChoice {
    /// Index among the choices.
    #[serde(default)]
    pub index: u32,
    /// What this chunk adds.
    #[serde(default)]
    pub delta: Delta,
    /// Set on the last content chunk.
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// llama.cpp's own timings of a request (its server's `timings` object,
/// on a whole answer or the last stream chunk): measured on the server, so
/// beside the page's figures they tell compute from queueing and network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerTimings {
    /// Prompt tokens processed.
    #[serde(default)]
    pub prompt_n: Option<f64>,
    /// Time to process the prompt, ms.
    #[serde(default)]
    pub prompt_ms: Option<f64>,
    /// Prompt tokens per second.
    #[serde(default)]
    pub prompt_per_second: Option<f64>,
    /// Tokens generated.
    #[serde(default)]
    pub predicted_n: Option<f64>,
    /// Time to generate them, ms.
    #[serde(default)]
    pub predicted_ms: Option<f64>,
    /// Tokens generated per second.
    #[serde(default)]
    pub predicted_per_second: Option<f64>,
}

/// One `data:` payload of a streamed answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatChunk {
    /// Completion id (same on every chunk).
    #[serde(default)]
    pub id: String,
    /// Empty on the final usage chunk.
    #[serde(default)]
    pub choices: Vec<ChunkChoice>,
    /// Only on the final chunk, with `include_usage`.
    #[serde(default)]
    pub usage: Option<Usage>,
    /// llama.cpp's timings, on its last chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<ServerTimings>,
}

/// The `error` object of an error response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Error type, e.g. `invalid_request_error`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The offending parameter, if any.
    #[serde(default)]
    pub param: Option<String>,
    /// A code such as `model_not_found`; some servers send numbers.
    #[serde(default)]
    pub code: Option<serde_json::Value>,
}

/// `{"error": {...}}`, the body of every OpenAI error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// One entry of `GET /models`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// Model id to put in requests.
    pub id: String,
    /// Owner, where the server says.
    #[serde(default)]
    pub owned_by: Option<String>,
    /// Creation time (Unix seconds), where the server says.
    #[serde(default)]
    pub created: Option<i64>,
}

/// Response of `GET /models`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelList {
    /// The models.
    pub data: Vec<Model>,
}
