//! Building chat-completion requests and endpoint URLs.
//!
//! Reasoning models (gpt-5 family, o-series) take `max_completion_tokens` and
//! reject `temperature`; classic models and most OpenAI-compatible servers only
//! know `max_tokens`. [`TokenParam::Auto`] picks by model name, and the user can
//! force either.

use serde::{Deserialize, Serialize};

use super::types::{ChatMessage, ChatRequest, StreamOptions};

/// The OpenAI API's base URL, the default.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// Which token-limit field to send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenParam {
    /// `max_completion_tokens` for reasoning models, `max_tokens` otherwise.
    #[default]
    Auto,
    /// Always `max_tokens` (older servers).
    MaxTokens,
    /// Always `max_completion_tokens`.
    MaxCompletionTokens,
}

/// True for model ids of OpenAI's reasoning families, which reject
/// `temperature` and `max_tokens`. Matches the id's last path segment so that
/// prefixed ids (`openai/o3-mini` on routers) are recognised too.
pub fn is_reasoning_model(model: &str) -> bool {
    let id = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    let o_series =
        id.len() >= 2 && id.starts_with('o') && id[1..].starts_with(|c: char| c.is_ascii_digit());
    // gpt-5-chat-* is the non-reasoning chat variant and takes temperature.
    let gpt5 = id.starts_with("gpt-5") && !id.starts_with("gpt-5-chat");
    o_series || gpt5
}

/// What one request asks for, apart from model and messages.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestOptions {
    /// Upper bound on generated tokens.
    pub max_tokens: Option<u32>,
    /// Sampling temperature (dropped for reasoning models).
    pub temperature: Option<f32>,
    /// Stream the answer.
    pub stream: bool,
    /// Which token-limit field to use.
    pub token_param: TokenParam,
    /// Structured-output request, passed through as is.
    pub response_format: Option<serde_json::Value>,
}

impl Default for RequestOptions {
    fn default() -> Self {
        Self {
            max_tokens: None,
            temperature: None,
            stream: true,
            token_param: TokenParam::Auto,
            response_format: None,
        }
    }
}

/// Builds the body of `POST /chat/completions`.
pub fn build_chat_request(
    model: &str,
    messages: Vec<ChatMessage>,
    opts: &RequestOptions,
) -> ChatRequest {
    let reasoning = is_reasoning_model(model);
    let use_completion_tokens = match opts.token_param {
        TokenParam::Auto => reasoning,
        TokenParam::MaxTokens => false,
        TokenParam::MaxCompletionTokens => true,
    };
    let (max_tokens, max_completion_tokens) = if use_completion_tokens {
        (None, opts.max_tokens)
    } else {
        (opts.max_tokens, None)
    };
    ChatRequest {
        model: model.to_string(),
        messages,
        stream: opts.stream,
        stream_options: opts.stream.then_some(StreamOptions {
            include_usage: true,
        }),
        max_tokens,
        max_completion_tokens,
        temperature: if reasoning { None } else { opts.temperature },
        response_format: opts.response_format.clone(),
    }
}

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    /// Nothing entered.
    #[error("Enter a base URL, e.g. https://api.openai.com/v1")]
    Empty,
    /// Not http(s).
    #[error("The base URL must start with http:// or https://")]
    Scheme,
    /// Has a query or fragment, or credentials, that would leak or break paths.
    #[error("The base URL must not contain '?', '#' or '@'")]
    Extra,
    /// Spaces inside.
    #[error("The base URL must not contain spaces")]
    Spaces,
}

/// Checks and normalises a base URL: trimmed, no trailing slash.
pub fn normalize_base_url(input: &str) -> Result<String, BaseUrlError> {
    let url = input.trim();
    if url.is_empty() {
        return Err(BaseUrlError::Empty);
    }
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return Err(BaseUrlError::Scheme);
    };
    if rest.trim_matches('/').is_empty() {
        return Err(BaseUrlError::Empty);
    }
    if url.contains(['?', '#', '@']) {
        return Err(BaseUrlError::Extra);
    }
    if url.contains(char::is_whitespace) {
        return Err(BaseUrlError::Spaces);
    }
    let mut url = url.trim_end_matches('/');
    // A full endpoint pasted instead of the base: keep the base.
    for endpoint in ["/chat/completions", "/completions", "/models"] {
        if url.len() > endpoint.len() && url.to_ascii_lowercase().ends_with(endpoint) {
            url = url[..url.len() - endpoint.len()].trim_end_matches('/');
        }
    }
    Ok(url.to_string())
}

/// `{base}/chat/completions`.
pub fn chat_completions_url(base: &str) -> String {
    format!("{}/chat/completions", base.trim_end_matches('/'))
}

/// `{base}/models`.
pub fn models_url(base: &str) -> String {
    format!("{}/models", base.trim_end_matches('/'))
}

/// The host part of a base URL, for messages ("could not reach api.openai.com").
pub fn host_of(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// Whether a base URL is plain `http://` to another machine, where a key
/// would cross the network unencrypted (loopback addresses are fine).
pub fn plain_http_to_remote(base: &str) -> bool {
    let base = base.trim().to_ascii_lowercase();
    if !base.starts_with("http://") {
        return false;
    }
    let host = host_of(&base);
    // Strip the port (after the last ':' unless inside an IPv6 bracket).
    let name = match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => &host[..i],
        _ => host,
    };
    let loopback_v4 = name
        .parse::<std::net::Ipv4Addr>()
        .is_ok_and(|ip| ip.is_loopback());
    !(name == "localhost" || name.ends_with(".localhost") || name == "[::1]" || loopback_v4)
}

/// The `connect-src` sources of a Content-Security-Policy, if it has them.
pub fn connect_src_of(policy: &str) -> Option<&str> {
    policy.split(';').find_map(|d| {
        let d = d.trim();
        d.strip_prefix("connect-src")
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            .map(str::trim)
    })
}

/// How a server wants the key: `Authorization: Bearer <key>` (OpenAI and
/// most others) or `api-key: <key>` (Azure OpenAI).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeyHeader {
    /// `Authorization: Bearer <key>`.
    #[default]
    Bearer,
    /// `api-key: <key>`.
    ApiKey,
}

impl KeyHeader {
    /// The header that carries `key`; none for an empty key (local servers).
    pub fn header(self, key: &str) -> Option<(&'static str, String)> {
        if key.is_empty() {
            return None;
        }
        Some(match self {
            KeyHeader::Bearer => ("Authorization", format!("Bearer {key}")),
            KeyHeader::ApiKey => ("api-key", key.to_string()),
        })
    }
}

/// (scheme, host, port) of a URL, the port filled in from the scheme.
fn origin_parts(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let host = host_of(rest).to_ascii_lowercase();
    let (name, port) = match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => (host[..i].to_string(), host[i + 1..].parse().ok()?),
        _ => (host.clone(), if scheme == "https" { 443 } else { 80 }),
    };
    Some((scheme, name, port))
}

/// Whether a CSP `connect-src` source list lets a page at `page_origin`
/// call `base`. Covers the source forms a policy for this page uses:
/// `'self'`, `*`, a scheme (`https:`), and `scheme://host[:port|:*]` with an
/// optional `*.` host prefix; an `http` source also admits `https` (CSP 3).
pub fn connect_src_allows(sources: &str, page_origin: &str, base: &str) -> bool {
    let Some((scheme, host, port)) = origin_parts(base) else {
        return false;
    };
    let upgraded =
        |src_scheme: &str| src_scheme == scheme || (src_scheme == "http" && scheme == "https");
    sources.split_whitespace().any(|src| {
        let src = src.to_ascii_lowercase();
        match src.as_str() {
            "'self'" => origin_parts(page_origin) == Some((scheme.clone(), host.clone(), port)),
            "*" => scheme == "http" || scheme == "https",
            s if s.ends_with(':') && !s.contains('/') => upgraded(&s[..s.len() - 1]),
            s => {
                let Some((src_scheme, rest)) = s.split_once("://") else {
                    return false;
                };
                let rest = host_of(rest);
                let (src_host, src_port) = match rest.rfind(':') {
                    Some(i) if !rest[i..].contains(']') => (&rest[..i], Some(&rest[i + 1..])),
                    _ => (rest, None),
                };
                let host_ok = match src_host.strip_prefix("*.") {
                    Some(suffix) => host.ends_with(&format!(".{suffix}")),
                    None => src_host == host,
                };
                let port_ok = match src_port {
                    Some("*") => true,
                    Some(p) => p.parse::<u16>().ok() == Some(port),
                    // The default port of the source's scheme (or of https
                    // for an upgraded http source).
                    None => port == if scheme == "https" { 443 } else { 80 },
                };
                upgraded(src_scheme) && host_ok && port_ok
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_goes_in_the_header_the_server_wants_and_never_empty() {
        assert_eq!(
            KeyHeader::Bearer.header("sk-1"),
            Some(("Authorization", "Bearer sk-1".to_string()))
        );
        assert_eq!(
            KeyHeader::ApiKey.header("az-1"),
            Some(("api-key", "az-1".to_string()))
        );
        assert_eq!(KeyHeader::ApiKey.header(""), None);
        assert_eq!(KeyHeader::Bearer.header(""), None);
    }

    #[test]
    fn the_default_policy_admits_any_https_provider_and_this_machine_only_over_http() {
        // What scripts/csp.py writes by default.
        let src = "'self' https: http://localhost:* http://127.0.0.1:*";
        let page = "https://someone.github.io";
        for ok in [
            "https://api.openai.com/v1",
            "https://openrouter.ai/api/v1",
            "https://my-resource.openai.azure.com/openai/v1",
            "http://127.0.0.1:11434/v1",
            "http://localhost:8080/v1",
        ] {
            assert!(connect_src_allows(src, page, ok), "{ok}");
        }
        for refused in [
            "http://192.168.1.5:8000/v1",
            "http://api.example.com/v1",
            "ftp://x/v1",
        ] {
            assert!(!connect_src_allows(src, page, refused), "{refused}");
        }
    }

    #[test]
    fn connect_src_matching_follows_the_csp_rules_the_page_uses() {
        let policy = "default-src 'none'; connect-src 'self' https://api.openai.com http://127.0.0.1:* http://localhost:* https://*.example.org; worker-src 'self'";
        let src = connect_src_of(policy).unwrap();
        assert!(src.starts_with("'self' https://api.openai.com"));
        assert_eq!(connect_src_of("default-src 'none'"), None);
        let page = "http://127.0.0.1:8080";
        for ok in [
            "https://api.openai.com/v1",
            "http://127.0.0.1:8190/v1",
            "https://127.0.0.1:8443/v1",
            "http://localhost:11434/v1",
            "https://llm.example.org/v1",
        ] {
            assert!(connect_src_allows(src, page, ok), "{ok}");
        }
        for refused in [
            "http://api.openai.com/v1",
            "https://api.openai.com:8443/v1",
            "http://192.168.1.5:8000/v1",
            "https://example.org/v1",
            "https://evil-example.org/v1",
            "not a url",
        ] {
            assert!(!connect_src_allows(src, page, refused), "{refused}");
        }
        // 'self' is the page's own origin; schemes and * admit much more.
        assert!(connect_src_allows(
            "'self'",
            "https://fanout.example",
            "https://fanout.example/v1"
        ));
        assert!(!connect_src_allows(
            "'self'",
            "https://fanout.example",
            "https://other.example/v1"
        ));
        assert!(connect_src_allows("https:", page, "https://any.example/v1"));
        assert!(!connect_src_allows("https:", page, "http://any.example/v1"));
        assert!(connect_src_allows("*", page, "http://any.example/v1"));
    }

    #[test]
    fn plain_http_is_flagged_only_off_this_machine() {
        for local in [
            "http://localhost:8080/v1",
            "http://127.0.0.1:11434/v1",
            "HTTP://127.0.0.5/v1",
            "http://[::1]:8000/v1",
            "http://app.localhost/v1",
            "https://192.168.1.5/v1",
            "https://api.openai.com/v1",
        ] {
            assert!(!plain_http_to_remote(local), "{local}");
        }
        for remote in [
            "http://192.168.1.5:8000/v1",
            "http://example.com/v1",
            "http://localhost.example.com/v1",
            "http://[2001:db8::1]:8000/v1",
            "http://127.example.com",
        ] {
            assert!(plain_http_to_remote(remote), "{remote}");
        }
    }

    fn opts(max: u32) -> RequestOptions {
        RequestOptions {
            max_tokens: Some(max),
            temperature: Some(0.3),
            ..RequestOptions::default()
        }
    }

    #[test]
    fn classic_models_get_max_tokens_and_temperature() {
        let req = build_chat_request("gpt-4o-mini", vec![ChatMessage::user("hi")], &opts(100));
        assert_eq!(req.max_tokens, Some(100));
        assert_eq!(req.max_completion_tokens, None);
        assert_eq!(req.temperature, Some(0.3));
        let json = serde_json::to_value(&req).unwrap();
        assert!(json.get("max_completion_tokens").is_none());
        assert_eq!(json["stream_options"]["include_usage"], true);
    }

    #[test]
    fn reasoning_models_get_max_completion_tokens_and_no_temperature() {
        for model in [
            "gpt-5",
            "gpt-5-mini",
            "o3",
            "o4-mini",
            "o1-preview",
            "openai/o3-mini",
        ] {
            let req = build_chat_request(model, vec![ChatMessage::user("hi")], &opts(64));
            assert_eq!(req.max_completion_tokens, Some(64), "{model}");
            assert_eq!(req.max_tokens, None, "{model}");
            assert_eq!(req.temperature, None, "{model}");
            let json = serde_json::to_value(&req).unwrap();
            assert!(json.get("temperature").is_none(), "{model}");
            assert!(json.get("max_tokens").is_none(), "{model}");
        }
    }

    #[test]
    fn non_reasoning_lookalikes_are_classic() {
        for model in [
            "gpt-5-chat-latest",
            "gpt-4o",
            "omni-moderation",
            "llama3",
            "ollama",
        ] {
            assert!(!is_reasoning_model(model), "{model}");
        }
    }

    #[test]
    fn token_param_can_be_forced() {
        let mut o = opts(10);
        o.token_param = TokenParam::MaxTokens;
        let req = build_chat_request("o3", vec![], &o);
        assert_eq!(
            (req.max_tokens, req.max_completion_tokens),
            (Some(10), None)
        );
        o.token_param = TokenParam::MaxCompletionTokens;
        let req = build_chat_request("llama3", vec![], &o);
        assert_eq!(
            (req.max_tokens, req.max_completion_tokens),
            (None, Some(10))
        );
    }

    #[test]
    fn non_streaming_sends_no_stream_options() {
        let mut o = opts(10);
        o.stream = false;
        let json = serde_json::to_value(build_chat_request("gpt-4o", vec![], &o)).unwrap();
        assert_eq!(json["stream"], false);
        assert!(json.get("stream_options").is_none());
    }

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(
            normalize_base_url(" http://127.0.0.1:8080/v1/ "),
            Ok("http://127.0.0.1:8080/v1".into())
        );
        assert_eq!(normalize_base_url(""), Err(BaseUrlError::Empty));
        assert_eq!(
            normalize_base_url("api.openai.com"),
            Err(BaseUrlError::Scheme)
        );
        assert_eq!(normalize_base_url("https://"), Err(BaseUrlError::Empty));
        assert_eq!(
            normalize_base_url("https://u:p@host/v1"),
            Err(BaseUrlError::Extra)
        );
        // A pasted endpoint keeps only the base; a path is kept.
        assert_eq!(
            normalize_base_url("https://api.openai.com/v1/chat/completions/"),
            Ok("https://api.openai.com/v1".into())
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/v1/models"),
            Ok("http://127.0.0.1:8080/v1".into())
        );
        assert_eq!(
            normalize_base_url("https://gateway.example/openai/v1"),
            Ok("https://gateway.example/openai/v1".into())
        );
        assert_eq!(
            normalize_base_url("https://api.openai.com/ v1"),
            Err(BaseUrlError::Spaces)
        );
        assert_eq!(
            chat_completions_url("http://h/v1/"),
            "http://h/v1/chat/completions"
        );
        assert_eq!(models_url("http://h/v1"), "http://h/v1/models");
        assert_eq!(host_of("https://api.openai.com/v1"), "api.openai.com");
        assert_eq!(host_of("http://127.0.0.1:11434/v1"), "127.0.0.1:11434");
    }
}
