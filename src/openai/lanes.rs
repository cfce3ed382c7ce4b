//! Lanes: one server reached under several origins. Over HTTP/1.1 a browser
//! opens at most [`HTTP1_PER_ORIGIN`](super::http1::HTTP1_PER_ORIGIN)
//! connections per host name (not per address), so the same server under
//! `127.0.0.1`, `localhost` and `127.0.0.2` takes three times as many
//! requests at once, with no proxy. A connection lists its lanes as more
//! base URLs; [`LaneBook`] sends each request down the lane with the fewest
//! in flight, so that no origin carries more than its share.

use std::cell::RefCell;
use std::time::Duration;

use futures::future::join_all;
use web_sys::AbortSignal;

use super::client::{ClientConfig, list_models};
use super::error::ApiError;
use super::http1::HTTP1_PER_ORIGIN;
use super::request::{host_of, normalize_base_url};

/// How long a lane may take to list its models: a server on this machine
/// answers in milliseconds, and an address nobody listens on is refused.
const PROBE_TIMEOUT: Duration = Duration::from_millis(2500);

/// The IPv4 loopback addresses the page tries as lanes: `127.0.0.1` to
/// `127.0.0.<LOOPBACK_V4_LANES>` (the page's own policy admits these).
pub const LOOPBACK_V4_LANES: u8 = 8;

/// `(scheme, host, port, path)` of a base URL; the host keeps IPv6 brackets.
fn parts(base: &str) -> Option<(&str, &str, Option<&str>, &str)> {
    let (scheme, rest) = base.split_once("://")?;
    let host_port = host_of(base);
    let path = &rest[host_port.len()..];
    let (host, port) = match host_port.rfind(':') {
        Some(i) if !host_port[i..].contains(']') => (&host_port[..i], Some(&host_port[i + 1..])),
        _ => (host_port, None),
    };
    Some((scheme, host, port, path))
}

/// Whether a host name (no port) is this machine: `localhost`, an address
/// in 127.0.0.0/8, or `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The base URLs under which a plain-http server on this machine may also
/// answer: `127.0.0.1`, `localhost`, `127.0.0.2`…`127.0.0.8` and `[::1]`
/// with the same port and path, its own host left out. Empty for any other
/// server (another machine's names are the user's to list).
pub fn loopback_candidates(base: &str) -> Vec<String> {
    let Ok(base) = normalize_base_url(base) else {
        return Vec::new();
    };
    let Some((scheme, host, port, path)) = parts(&base) else {
        return Vec::new();
    };
    if !scheme.eq_ignore_ascii_case("http") || !is_loopback_host(host) {
        return Vec::new();
    }
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    let mut hosts = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    hosts.extend((2..=LOOPBACK_V4_LANES).map(|i| format!("127.0.0.{i}")));
    hosts.push("[::1]".into());
    hosts
        .into_iter()
        .filter(|h| !h.eq_ignore_ascii_case(host))
        .map(|h| format!("http://{h}{port}{path}"))
        .collect()
}

/// The base URLs a connection sends to: its own first, then each lane that
/// reads as a base URL, one per origin (a lane on an origin already listed
/// adds nothing). `lanes` are the extra ones, as the user or detection
/// left them.
pub fn lane_bases(base: &str, lanes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut origins: Vec<String> = Vec::new();
    for b in std::iter::once(base).chain(lanes.iter().map(String::as_str)) {
        let Ok(b) = normalize_base_url(b) else {
            continue;
        };
        let origin = super::http1::origin_of(&b);
        if !origins.contains(&origin) {
            origins.push(origin);
            out.push(b);
        }
    }
    out
}

/// Whether two model lists name the same models (order aside): the test
/// that a lane reaches the same server.
pub fn same_models(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    !a.is_empty() && a == b
}

/// Which of `candidates` reach the server at `cfg.base_url`: those that
/// list the same models, probed all at once with the connection's key
/// (they are this machine's names for the same server). Fails when the
/// base URL itself does not list its models.
pub async fn detect(
    cfg: &ClientConfig,
    candidates: &[String],
    signal: &AbortSignal,
) -> Result<Vec<String>, ApiError> {
    let ids = |m: Vec<super::types::Model>| m.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let own = ids(list_models(cfg, signal).await?);
    let probes = candidates.iter().map(|base| {
        let probe = ClientConfig {
            base_url: base.clone(),
            timeout: cfg.timeout.min(PROBE_TIMEOUT),
            lanes: Vec::new(),
            ..cfg.clone()
        };
        async move { list_models(&probe, signal).await.map(ids) }
    });
    let answers = join_all(probes).await;
    Ok(candidates
        .iter()
        .zip(answers)
        .filter(|(_, a)| a.as_ref().is_ok_and(|m| same_models(&own, m)))
        .map(|(c, _)| c.clone())
        .collect())
}

/// Requests in flight per lane, and which lane the next one takes.
#[derive(Debug)]
pub struct LaneBook {
    bases: Vec<String>,
    in_flight: RefCell<Vec<usize>>,
}

impl LaneBook {
    /// Lanes to these base URLs (at least one).
    pub fn new(bases: Vec<String>) -> Self {
        let n = bases.len();
        Self {
            bases,
            in_flight: RefCell::new(vec![0; n]),
        }
    }

    /// How many lanes.
    pub fn len(&self) -> usize {
        self.bases.len()
    }

    /// True with no lane at all.
    pub fn is_empty(&self) -> bool {
        self.bases.is_empty()
    }

    /// The lane for the next request: the one with the fewest in flight
    /// (the first on ties). With at most 6 × lanes in flight, no lane then
    /// goes above 6: before a request, fewer than 6 × lanes run, so the
    /// least loaded lane has at most 5.
    pub fn take(&self) -> Lane<'_> {
        let mut f = self.in_flight.borrow_mut();
        let i = (0..f.len()).min_by_key(|&i| (f[i], i)).unwrap_or(0);
        if let Some(c) = f.get_mut(i) {
            *c += 1;
        }
        Lane { book: self, i }
    }

    /// In flight on each lane now.
    pub fn loads(&self) -> Vec<usize> {
        self.in_flight.borrow().clone()
    }
}

/// One request's lane, given back when dropped.
#[derive(Debug)]
pub struct Lane<'a> {
    book: &'a LaneBook,
    i: usize,
}

impl Lane<'_> {
    /// The lane's base URL.
    pub fn base(&self) -> &str {
        self.book.bases.get(self.i).map_or("", String::as_str)
    }
}

impl Drop for Lane<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.book.in_flight.borrow_mut().get_mut(self.i) {
            *c = c.saturating_sub(1);
        }
    }
}

/// What "Find lanes" says, with `lanes` found (the base URL's own
/// included) under `names`, for a server at host `own`: the names found and, when few, how to get more
/// without opening the server to the network.
pub fn found_note(lanes: usize, names: &[&str], own: &str) -> String {
    let port = own.rsplit_once(':').map_or("PORT", |(_, p)| p);
    let found = format!(
        "{lanes} lane{} found ({}): up to {} requests at once.",
        if lanes == 1 { "" } else { "s" },
        names.join(", "),
        HTTP1_PER_ORIGIN * lanes,
    );
    if lanes >= 4 {
        return found;
    }
    format!(
        "{found} More lanes need the server to listen on more loopback addresses (127.0.0.2 to 127.0.0.{LOOPBACK_V4_LANES}). Listening on 0.0.0.0 would also open it to your network; to stay on this machine, forward each extra address to it instead, e.g. `socat TCP-LISTEN:{port},bind=127.0.0.2,reuseaddr,fork TCP:127.0.0.1:{port}` (Linux answers all of 127.0.0.0/8; on macOS add the address first: `sudo ifconfig lo0 alias 127.0.0.2`). `make local-model` listens on four loopback addresses itself."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_servers_get_candidates_on_every_loopback_name() {
        let c = loopback_candidates("http://127.0.0.1:8081/v1/");
        assert_eq!(c[0], "http://localhost:8081/v1");
        assert_eq!(c[1], "http://127.0.0.2:8081/v1");
        assert_eq!(c.last().unwrap(), "http://[::1]:8081/v1");
        assert_eq!(c.len(), 1 + (LOOPBACK_V4_LANES as usize - 1) + 1);
        assert!(!c.iter().any(|u| u.contains("127.0.0.1")));
        let from_name = loopback_candidates("http://LOCALHOST:11434/v1");
        assert_eq!(from_name[0], "http://127.0.0.1:11434/v1");
        assert!(!from_name.iter().any(|u| u.contains("localhost")));
        let v6 = loopback_candidates("http://[::1]:8000/v1");
        assert!(!v6.iter().any(|u| u.contains("[::1]")));
        // No port written: none added.
        assert_eq!(
            loopback_candidates("http://localhost/v1")[0],
            "http://127.0.0.1/v1"
        );
        // Other machines, https and bad URLs: nothing to guess.
        assert!(loopback_candidates("http://192.168.1.5:8000/v1").is_empty());
        assert!(loopback_candidates("https://127.0.0.1:8443/v1").is_empty());
        assert!(loopback_candidates("https://api.openai.com/v1").is_empty());
        assert!(loopback_candidates("nonsense").is_empty());
        assert!(is_loopback_host("127.9.9.9") && !is_loopback_host("128.0.0.1"));
    }

    #[test]
    fn lane_bases_keep_one_base_per_origin_own_first() {
        let bases = lane_bases(
            "http://127.0.0.1:8081/v1",
            &[
                "http://localhost:8081/v1/".into(),
                "not a url".into(),
                "http://127.0.0.1:8081/other".into(),
                "http://127.0.0.2:8081/v1".into(),
            ],
        );
        assert_eq!(
            bases,
            [
                "http://127.0.0.1:8081/v1",
                "http://localhost:8081/v1",
                "http://127.0.0.2:8081/v1"
            ]
        );
        assert_eq!(lane_bases("https://api.openai.com/v1", &[]).len(), 1);
        assert!(lane_bases("", &[]).is_empty());
    }

    #[test]
    fn the_same_server_is_the_same_model_list() {
        let a = vec!["m1".to_string(), "m2".to_string()];
        let b = vec!["m2".to_string(), "m1".to_string()];
        assert!(same_models(&a, &b));
        assert!(!same_models(&a, &a[..1]));
        assert!(!same_models(&[], &[]));
    }

    #[test]
    fn requests_spread_so_no_lane_carries_more_than_six() {
        let book = LaneBook::new(vec!["a".into(), "b".into(), "c".into()]);
        // 18 at once over 3 lanes: 6 each.
        let mut held: Vec<Lane<'_>> = (0..18).map(|_| book.take()).collect();
        assert_eq!(book.loads(), [6, 6, 6]);
        // Lane a's requests end unevenly; new ones fill it back, never
        // pushing another lane past 6.
        let a: Vec<usize> = (0..held.len()).filter(|&i| held[i].base() == "a").collect();
        for &i in a.iter().rev().take(4) {
            held.remove(i);
        }
        assert_eq!(book.loads(), [2, 6, 6]);
        for _ in 0..4 {
            let l = book.take();
            assert_eq!(l.base(), "a");
            held.push(l);
        }
        assert!(book.loads().iter().all(|&n| n <= 6));
        drop(held);
        assert_eq!(book.loads(), [0, 0, 0]);
        assert_eq!(book.len(), 3);
    }

    #[test]
    fn the_note_after_finding_lanes_says_how_to_get_more_without_the_network() {
        let few = found_note(2, &["127.0.0.1:8081", "localhost:8081"], "127.0.0.1:8081");
        assert!(
            few.starts_with(
                "2 lanes found (127.0.0.1:8081, localhost:8081): up to 12 requests at once."
            ),
            "{few}"
        );
        assert!(
            few.contains("0.0.0.0 would also open it to your network"),
            "{few}"
        );
        assert!(
            few.contains("bind=127.0.0.2") && few.contains("TCP:127.0.0.1:8081"),
            "{few}"
        );
        let many = found_note(5, &["a", "b", "c", "d", "e"], "127.0.0.1:8081");
        assert_eq!(
            many,
            "5 lanes found (a, b, c, d, e): up to 30 requests at once."
        );
    }
}
