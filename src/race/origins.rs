//! Where a race's endpoints share one origin, and with it the browser's
//! HTTP/1.1 connections.

use crate::openai::http1::{HTTP1_PER_ORIGIN, origin_of};
use crate::settings::{Provider, Settings};

/// Where endpoints share the browser's HTTP/1.1 cap of 6 connections per
/// origin: for each origin (scheme, host and port) used by two or more
/// endpoints whose requests in flight add up to more than 6, a sentence.
/// `endpoints` are (number, settings) of API endpoints (simulated ones use
/// no connection); K = 0 means every one of the `tasks` at once.
pub fn shared_origin_notes(endpoints: &[(usize, &Settings, usize)], tasks: usize) -> Vec<String> {
    let mut origins: Vec<(String, Vec<usize>, usize)> = Vec::new();
    for (n, s, limit) in endpoints {
        if s.provider != Provider::Api {
            continue;
        }
        let origin = origin_of(&s.base_url);
        let k = if *limit == 0 {
            tasks
        } else {
            (*limit).min(tasks)
        };
        match origins.iter_mut().find(|o| o.0 == origin) {
            Some(o) => {
                o.1.push(*n);
                o.2 += k;
            }
            None => origins.push((origin, vec![*n], k)),
        }
    }
    origins
        .into_iter()
        .filter(|(_, ns, k)| ns.len() > 1 && *k > HTTP1_PER_ORIGIN)
        .map(|(origin, ns, k)| {
            let list: Vec<String> = ns.iter().map(ToString::to_string).collect();
            format!(
                "Endpoints {} share {origin}: together up to {k} requests at once, but over HTTP/1.1 a browser opens at most {HTTP1_PER_ORIGIN} connections to one origin, so they wait for each other there (an HTTP/2 server carries them all on one connection). Endpoints on different origins do not share this cap: give each endpoint another name of the server (127.0.0.1, localhost, 127.0.0.2…), or lanes of its own.",
                list.join(" and ")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_on_one_origin_are_told_they_share_six_connections() {
        let at = |url: &str| Settings {
            provider: Provider::Api,
            base_url: url.into(),
            ..Settings::default()
        };
        let (a, b, c) = (
            at("http://127.0.0.1:8080/v1"),
            at("HTTP://127.0.0.1:8080/other/v1"),
            at("http://127.0.0.1:9000/v1"),
        );
        // Six tasks each on one origin: 12 > 6.
        let notes = shared_origin_notes(&[(1, &a, 0), (2, &b, 0), (3, &c, 0)], 6);
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0]
                .starts_with("Endpoints 1 and 2 share http://127.0.0.1:8080: together up to 12"),
            "{}",
            notes[0]
        );
        // K = 3 each fits in six; other origins and simulated ones never share.
        assert!(shared_origin_notes(&[(1, &a, 3), (2, &b, 3)], 6).is_empty());
        assert!(shared_origin_notes(&[(1, &a, 0), (3, &c, 0)], 6).is_empty());
        let demo = Settings::default();
        assert!(shared_origin_notes(&[(1, &demo, 0), (2, &demo, 0)], 6).is_empty());
    }
}
