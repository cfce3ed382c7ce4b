//! The browser's HTTP/1.1 rule, in one place: over HTTP/1.1 a page opens at
//! most [`HTTP1_PER_ORIGIN`] connections to one origin (scheme, host, port),
//! so requests beyond that wait inside the browser. Browsers speak HTTP/2
//! only over TLS, so a plain `http://` server is always HTTP/1.1.

use super::request::host_of;

/// Connections a browser opens to one origin over HTTP/1.1.
pub const HTTP1_PER_ORIGIN: usize = 6;

/// How the page knows a server is reached over HTTP/1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Http1 {
    /// Resource timing reported `http/1.x` for a request to it.
    Measured,
    /// Its base URL is plain `http://`.
    PlainHttp,
}

/// Whether requests to `base_url` share the browser's HTTP/1.1 cap. The
/// `protocol` resource timing reported for a request to it wins (`h2`/`h3`:
/// no cap); without one, plain `http://` means HTTP/1.1 and `https://` is
/// taken as HTTP/2 (what hosted APIs speak).
pub fn http1(base_url: &str, protocol: Option<&str>) -> Option<Http1> {
    let protocol = protocol.unwrap_or("").trim().to_ascii_lowercase();
    match protocol.as_str() {
        "h2" | "h3" => None,
        p if p.starts_with("http/1") => Some(Http1::Measured),
        _ if base_url.trim().to_ascii_lowercase().starts_with("http://") => Some(Http1::PlainHttp),
        _ => None,
    }
}

/// The most requests to `base_url` that can be in flight at once from this
/// page when nothing was measured, reaching it through `lanes` origins:
/// [`HTTP1_PER_ORIGIN`] × lanes for plain `http://`, else no bound the
/// browser sets.
pub fn browser_slots(base_url: &str, lanes: usize) -> Option<usize> {
    http1(base_url, None).map(|_| HTTP1_PER_ORIGIN * lanes.max(1))
}

/// How to lift the browser's cap, in words (where the cap is shown).
pub const LIFT_CAP: &str = "To go past it, reach the same server under more names (lanes: Settings › Find lanes, 6 more per name), or serve it over HTTP/2 behind a TLS proxy (one connection carries every request).";

/// The origin of a base URL, lowercased: `scheme://host[:port]` (https when
/// no scheme is written).
pub fn origin_of(base_url: &str) -> String {
    let base = base_url.trim().to_ascii_lowercase();
    let scheme = base
        .split_once("://")
        .map_or("https", |(s, _)| s)
        .to_string();
    format!("{scheme}://{}", host_of(&base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_http1_and_measured_protocol_wins() {
        assert_eq!(
            http1("http://127.0.0.1:8080/v1", None),
            Some(Http1::PlainHttp)
        );
        assert_eq!(
            http1(" HTTP://localhost/v1", Some("")),
            Some(Http1::PlainHttp)
        );
        assert_eq!(http1("https://api.openai.com/v1", None), None);
        assert_eq!(
            http1("https://proxy/v1", Some("http/1.1")),
            Some(Http1::Measured)
        );
        assert_eq!(http1("http://127.0.0.1:8443/v1", Some("h2")), None);
        assert_eq!(browser_slots("http://127.0.0.1:8080/v1", 1), Some(6));
        assert_eq!(browser_slots("http://127.0.0.1:8080/v1", 4), Some(24));
        assert_eq!(browser_slots("http://127.0.0.1:8080/v1", 0), Some(6));
        assert_eq!(browser_slots("https://api.openai.com/v1", 3), None);
    }

    #[test]
    fn origins_keep_scheme_host_and_port() {
        assert_eq!(
            origin_of("HTTP://127.0.0.1:8080/other/v1"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("api.example.com/v1"), "https://api.example.com");
    }
}
