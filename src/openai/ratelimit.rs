//! The `x-ratelimit-*` response headers (OpenAI's names, which most
//! compatible providers copy), read where the server lets the page see
//! them. OpenAI's API does not list them in Access-Control-Expose-Headers,
//! so a browser hides them from the page there.

use serde::{Deserialize, Serialize};

/// What a response said of the rate limits left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit_requests: Option<u64>,
    /// Requests left in this window.
    pub remaining_requests: Option<u64>,
    /// Until the request window resets, as the server wrote it ("6ms", "1s").
    pub reset_requests: Option<String>,
    /// Tokens allowed per window.
    pub limit_tokens: Option<u64>,
    /// Tokens left in this window.
    pub remaining_tokens: Option<u64>,
    /// Until the token window resets, as the server wrote it.
    pub reset_tokens: Option<String>,
}

impl RateLimit {
    /// Reads the headers through `get` (a header's value by name); `None`
    /// when none of them is there (or the page may not read them).
    pub fn from_headers(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let num = |name: &str| get(name).and_then(|v| v.trim().parse::<u64>().ok());
        let text = |name: &str| {
            get(name)
                .map(|v| v.trim().chars().take(32).collect::<String>())
                .filter(|v| !v.is_empty())
        };
        let r = Self {
            limit_requests: num("x-ratelimit-limit-requests"),
            remaining_requests: num("x-ratelimit-remaining-requests"),
            reset_requests: text("x-ratelimit-reset-requests"),
            limit_tokens: num("x-ratelimit-limit-tokens"),
            remaining_tokens: num("x-ratelimit-remaining-tokens"),
            reset_tokens: text("x-ratelimit-reset-tokens"),
        };
        (r != Self::default()).then_some(r)
    }

    /// In words: "9,990 of 10,000 requests left (resets in 6ms); …".
    pub fn describe(&self) -> String {
        let part = |left: Option<u64>, limit: Option<u64>, reset: &Option<String>, what: &str| {
            let mut s = match (left, limit) {
                (Some(l), Some(m)) => format!("{} of {} {what} left", group(l), group(m)),
                (Some(l), None) => format!("{} {what} left", group(l)),
                (None, Some(m)) => format!("{} {what} per window", group(m)),
                (None, None) => return None,
            };
            if let Some(r) = reset {
                s.push_str(&format!(" (resets in {r})"));
            }
            Some(s)
        };
        [
            part(
                self.remaining_requests,
                self.limit_requests,
                &self.reset_requests,
                "requests",
            ),
            part(
                self.remaining_tokens,
                self.limit_tokens,
                &self.reset_tokens,
                "tokens",
            ),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
    }
}

/// What to say when no response showed the headers.
pub const NOT_EXPOSED: &str = "Rate-limit headers (x-ratelimit-*): this server does not let the page read them (OpenAI's API does not expose them to browsers), or sends none.";

/// 10000 as "10,000".
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_headers_present_and_says_them() {
        let headers = [
            ("x-ratelimit-limit-requests", "10000"),
            ("x-ratelimit-remaining-requests", "9990"),
            ("x-ratelimit-reset-requests", "6ms"),
            ("x-ratelimit-remaining-tokens", " 1999000 "),
        ];
        let get = |n: &str| headers.iter().find(|h| h.0 == n).map(|h| h.1.to_string());
        let r = RateLimit::from_headers(get).unwrap();
        assert_eq!(r.remaining_requests, Some(9990));
        assert_eq!(r.limit_tokens, None);
        assert_eq!(
            r.describe(),
            "9,990 of 10,000 requests left (resets in 6ms); 1,999,000 tokens left"
        );
    }

    #[test]
    fn none_when_hidden_or_unreadable() {
        assert_eq!(RateLimit::from_headers(|_| None), None);
        assert_eq!(
            RateLimit::from_headers(|n| (n == "x-ratelimit-limit-requests").then(|| "lots".into())),
            None
        );
    }
}
