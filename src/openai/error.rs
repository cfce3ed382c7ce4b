//! One error type for everything a request can run into, each with a message
//! a person can act on.

use std::time::Duration;

use super::types::ErrorEnvelope;

/// What went wrong with a request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an HTTP answer: server down, wrong URL, or a
    /// CORS refusal (browsers report all three the same way).
    #[error(
        "Could not reach {host}. Check the base URL and that the server is running. \
         If it is running, it may not allow calls from a browser (CORS): \
         start llama.cpp with --cors or behind a proxy, vLLM with --allowed-origins '[\"*\"]', \
         Ollama with OLLAMA_ORIGINS=*."
    )]
    Network {
        /// Host of the base URL.
        host: String,
    },
    /// The server answered with an HTTP error status.
    #[error("{}", status_message(*status, message))]
    Http {
        /// HTTP status.
        status: u16,
        /// The API's own message (or a description of the body).
        message: String,
        /// The wait the server asked for, from headers or its message.
        retry_after: Option<Duration>,
    },
    /// No answer (or no new data) within the configured limit.
    #[error("No answer within {} s (the request timeout). The server may be overloaded; try again or raise the timeout in the settings.", .0.as_secs_f64())]
    Timeout(Duration),
    /// The body was not what the API promises.
    #[error("The server sent a reply Fanout could not read: {0}")]
    Malformed(String),
    /// The stream ended before `[DONE]`.
    #[error("The answer stream broke off before the end ({0}); the text so far is kept.")]
    StreamCut(String),
    /// The user cancelled.
    #[error("Cancelled.")]
    Aborted,
}

fn status_message(status: u16, message: &str) -> String {
    let api = if message.is_empty() {
        String::new()
    } else {
        format!(" The server said: {message}")
    };
    match status {
        400 => format!("The request was refused (400).{api}"),
        401 => format!("The API key was rejected (401). Check the key in the settings.{api}"),
        403 => format!(
            "Access denied (403): the key may lack access to this model or project, or your region is not supported.{api}"
        ),
        404 => format!(
            "Not found (404): the model does not exist for this key, or the base URL is wrong. Use Test connection to list the models.{api}"
        ),
        408 => format!("The server timed out the request (408).{api}"),
        409 => format!("The server reported a conflict (409).{api}"),
        429 => format!(
            "Rate limited (429): too many requests or tokens per minute, or the quota is used up. Wait, lower the concurrency, or check your plan's limits.{api}"
        ),
        500..=599 => format!("The server failed ({status}). This is usually temporary.{api}"),
        _ => format!("The server answered with status {status}.{api}"),
    }
}

impl ApiError {
    /// Builds the error for an HTTP error response from its status, body and
    /// the wait read from its headers.
    pub fn from_response(status: u16, body: &str, header_wait: Option<Duration>) -> Self {
        let message = match serde_json::from_str::<ErrorEnvelope>(body) {
            Ok(env) => env.error.message,
            Err(_) => describe_body(body),
        };
        let retry_after = header_wait.or_else(|| retry_after_from_message(&message));
        ApiError::Http {
            status,
            message,
            retry_after,
        }
    }

    /// The HTTP status, where there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short label for lists of attempts ("429", "timeout", ...).
    pub fn short(&self) -> String {
        match self {
            ApiError::Network { .. } => "network error".into(),
            ApiError::Http { status, .. } => format!("HTTP {status}"),
            ApiError::Timeout(_) => "timeout".into(),
            ApiError::Malformed(_) => "malformed reply".into(),
            ApiError::StreamCut(_) => "stream cut".into(),
            ApiError::Aborted => "cancelled".into(),
        }
    }
}

/// Describes a body that is not an OpenAI error object (an HTML page from a
/// proxy, an empty body) without dumping it whole.
fn describe_body(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("<!doctype") || lower.starts_with("<html") {
        return "an HTML page instead of a JSON error (a proxy or gateway in the way?)".into();
    }
    let mut short: String = trimmed.chars().take(200).collect();
    if short.len() < trimmed.len() {
        short.push('…');
    }
    short
}

/// Removes the API key, and anything shaped like an OpenAI key, from a text
/// before it is shown or stored. OpenAI echoes a masked key in 401 messages;
/// other servers may echo it whole.
pub fn redact_key(text: &str, key: &str) -> String {
    let mut out = if key.len() >= 4 {
        text.replace(key, "[API key]")
    } else {
        text.to_string()
    };
    while let Some(start) = out.find("sk-") {
        let end = out[start..]
            .find(|c: char| c.is_whitespace() || c == '.' || c == ',' || c == '"')
            .map_or(out.len(), |e| start + e);
        out.replace_range(start..end, "[API key]");
    }
    out
}

/// Reads the wait from an OpenAI rate-limit message: "try again in 1.234s",
/// "in 599ms", "in 1m30s", "in 2h0m5.5s".
pub fn retry_after_from_message(message: &str) -> Option<Duration> {
    let lower = message.to_ascii_lowercase();
    let idx = lower.find("try again in ")?;
    let mut rest = &lower[idx + "try again in ".len()..];
    let mut total = 0.0;
    let mut any = false;
    loop {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            break;
        }
        let Ok(n) = rest[..num_len].parse::<f64>() else {
            break;
        };
        let unit_part = &rest[num_len..];
        let (factor, unit_len) = if unit_part.starts_with("ms") {
            (0.001, 2)
        } else if unit_part.starts_with('s') {
            (1.0, 1)
        } else if unit_part.starts_with('m') {
            (60.0, 1)
        } else if unit_part.starts_with('h') {
            (3600.0, 1)
        } else {
            break;
        };
        total += n * factor;
        any = true;
        rest = &unit_part[unit_len..];
    }
    any.then(|| Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_message_and_advice_are_both_shown() {
        let body = r#"{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#;
        let err = ApiError::from_response(400, body, None);
        let text = err.to_string();
        assert!(text.contains("(400)"), "{text}");
        assert!(text.contains("maximum context length is 8192"), "{text}");
        assert_eq!(err.status(), Some(400));
    }

    #[test]
    fn each_status_says_what_to_do() {
        assert!(
            ApiError::from_response(401, "", None)
                .to_string()
                .contains("key was rejected")
        );
        assert!(
            ApiError::from_response(404, "", None)
                .to_string()
                .contains("Test connection")
        );
        assert!(
            ApiError::from_response(429, "", None)
                .to_string()
                .contains("concurrency")
        );
        assert!(
            ApiError::from_response(503, "", None)
                .to_string()
                .contains("temporary")
        );
        let net = ApiError::Network {
            host: "127.0.0.1:9".into(),
        }
        .to_string();
        assert!(net.contains("127.0.0.1:9") && net.contains("CORS"), "{net}");
    }

    #[test]
    fn html_bodies_are_described_not_dumped() {
        let err = ApiError::from_response(
            502,
            "<!DOCTYPE html><html><body>Bad gateway</body></html>",
            None,
        );
        let ApiError::Http { message, .. } = &err else {
            panic!()
        };
        assert!(message.contains("HTML page"), "{message}");
    }

    #[test]
    fn wait_comes_from_header_else_message() {
        let body = r#"{"error":{"message":"Rate limit reached. Please try again in 1.5s.","type":"requests"}}"#;
        let err = ApiError::from_response(429, body, None);
        assert_eq!(
            err,
            ApiError::Http {
                status: 429,
                message: "Rate limit reached. Please try again in 1.5s.".into(),
                retry_after: Some(Duration::from_millis(1500))
            }
        );
        let err = ApiError::from_response(429, body, Some(Duration::from_secs(3)));
        let ApiError::Http { retry_after, .. } = err else {
            panic!()
        };
        assert_eq!(retry_after, Some(Duration::from_secs(3)));
    }

    #[test]
    fn keys_are_redacted() {
        let key = "sk-proj-abcdefghijklmnop";
        let msg = format!("Incorrect API key provided: {key}. You can find your key at ...");
        let red = redact_key(&msg, key);
        assert!(!red.contains("abcdefgh"), "{red}");
        let masked = "Incorrect API key provided: sk-abc***********xyz. See docs.";
        let red = redact_key(masked, "other");
        assert!(!red.contains("sk-abc"), "{red}");
        assert!(red.contains("[API key]. See docs."), "{red}");
        assert_eq!(
            redact_key("a custom key mykey123 here", "mykey123"),
            "a custom key [API key] here"
        );
    }
}
