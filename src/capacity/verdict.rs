//! Whether a step met the targets, the sentence that answers "how many at
//! once?", and why the next K broke: queueing on the server (time to first
//! token rising by whole requests' durations while each request keeps its
//! speed) or shared compute (each request slower).

use serde::{Deserialize, Serialize};

use super::figures::{RequestStats, Targets};
use crate::format::duration_ms;

/// One measured K.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Requests in flight.
    pub k: usize,
    /// Its measured requests' figures (the warm-up wave left out).
    pub stats: RequestStats,
    /// Every target met.
    pub held: bool,
    /// Times it was measured again because its verdict was too close to
    /// call (see [`too_close`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub again: usize,
    /// Still too close to call after being measured again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub close: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The share of requests meeting every target that a p90 rule asks for.
pub const REQUIRED_SHARE: f64 = 0.9;

/// The most times a step too close to call is measured again.
pub const MAX_AGAIN: usize = 2;

/// Whether a step's verdict is too close to call at its size: some of its
/// requests missed a target, and the 95 % Wilson interval of the share
/// that met every target (SLO attainment) holds the 90 % a p90 asks for,
/// so a few requests more or less could turn the verdict. A step where
/// every request met is not one: nothing was seen to miss.
pub fn too_close(stats: &RequestStats) -> bool {
    stats
        .attainment()
        .is_some_and(|(share, (lo, hi))| share < 1.0 && lo < REQUIRED_SHARE && REQUIRED_SHARE <= hi)
}

/// A target a step missed.
#[derive(Debug, Clone, PartialEq)]
pub enum Missed {
    /// First token p90 above the target.
    FirstToken {
        /// Measured p90, ms.
        p90: f64,
        /// The target, ms.
        target: f64,
    },
    /// Per-request speed p90 below the target.
    Speed {
        /// Measured p90 (from the slow end), tokens/s.
        p90: f64,
        /// The target, tokens/s.
        target: f64,
    },
    /// Time per output token p90 above the `tpot` target.
    Tpot {
        /// Measured p90, ms.
        p90: f64,
        /// The target, ms.
        target: f64,
    },
    /// End to end p90 above the `e2el` target.
    E2el {
        /// Measured p90, ms.
        p90: f64,
        /// The target, ms.
        target: f64,
    },
    /// Requests failed.
    Errors(usize),
    /// Nothing answered, or no first token seen (the server did not stream).
    NoFigures,
}

impl Missed {
    /// In words.
    pub fn describe(&self) -> String {
        match self {
            Missed::FirstToken { p90, target } => format!(
                "first token p90 {} is over the {} target",
                duration_ms(*p90),
                duration_ms(*target)
            ),
            Missed::Speed { p90, target } => format!(
                "per-request speed p90 {p90:.0} tokens/s is under the {target:.0} tokens/s target"
            ),
            Missed::Tpot { p90, target } => {
                format!("TPOT p90 {p90:.1} ms is over the {target} ms target")
            }
            Missed::E2el { p90, target } => format!(
                "end to end p90 {} is over the {} target",
                duration_ms(*p90),
                duration_ms(*target)
            ),
            Missed::Errors(n) => format!("{n} request{} failed", if *n == 1 { "" } else { "s" }),
            Missed::NoFigures => {
                "no request gave a first token (is streaming off on the server?)".into()
            }
        }
    }
}

/// The targets `stats` missed (empty: it held).
pub fn missed(stats: &RequestStats, targets: &Targets) -> Vec<Missed> {
    let mut out = Vec::new();
    if stats.errors > 0 {
        out.push(Missed::Errors(stats.errors));
    }
    match stats.ttft.p90 {
        None => out.push(Missed::NoFigures),
        Some(p90) if p90 > targets.ttft_p90_ms => out.push(Missed::FirstToken {
            p90,
            target: targets.ttft_p90_ms,
        }),
        Some(_) => {}
    }
    // Answers of one token have no speed: only a measured speed can miss.
    if let Some(p90) = stats.speed.p90.filter(|s| *s < targets.tokens_per_s_p90) {
        out.push(Missed::Speed {
            p90,
            target: targets.tokens_per_s_p90,
        });
    }
    if let (Some(target), Some(p90)) = (targets.tpot_ms, stats.tpot.p90)
        && p90 > target
    {
        out.push(Missed::Tpot { p90, target });
    }
    if let (Some(target), Some(p90)) = (targets.e2el_ms, stats.e2e.p90)
        && p90 > target
    {
        out.push(Missed::E2el { p90, target });
    }
    out
}

/// A measured step.
pub fn step(k: usize, stats: RequestStats, targets: &Targets) -> Step {
    let held = missed(&stats, targets).is_empty();
    let close = too_close(&stats);
    Step {
        k,
        stats,
        held,
        again: 0,
        close,
    }
}

/// What the steps still too close to call say, for the answer: `None`
/// when every verdict is clear.
pub fn close_note(steps: &[Step]) -> Option<String> {
    let close: Vec<String> = steps
        .iter()
        .filter(|s| s.close)
        .filter_map(|s| {
            let (share, (lo, hi)) = s.stats.attainment()?;
            Some(format!(
                "K = {} ({} requests: {:.1} % met every target, 95 % interval {:.1}–{:.1} %)",
                s.k,
                s.stats.requests,
                share * 100.0,
                lo * 100.0,
                hi * 100.0
            ))
        })
        .collect();
    (!close.is_empty()).then(|| {
        format!(
            "Too close to call, even measured again: {}. Each interval holds the 90 % a p90 asks for, so the verdict there follows the p90 rule; more requests would settle it.",
            close.join("; ")
        )
    })
}

/// The sentence for the answer `k` (its step `at`), e.g. "Holds 3 at once:
/// first token p90 640 ms, 48 tokens/s each (p90)." When the search stopped
/// at its ceiling with nothing broken (`ceiling`), K is a lower bound: "Holds
/// at least 64 at once (the most this search tries): …".
pub fn sentence(k: usize, at: Option<&Step>, ceiling: bool) -> String {
    match at {
        Some(s) if k > 0 => {
            let mut parts = Vec::new();
            if let Some(t) = s.stats.ttft.p90 {
                parts.push(format!("first token p90 {}", duration_ms(t)));
            }
            if let Some(v) = s.stats.speed.p90 {
                parts.push(format!("{v:.0} tokens/s each (p90)"));
            }
            let figures = parts.join(", ");
            if ceiling {
                format!(
                    "Holds at least {k} at once ({k} is the most this search tries): {figures}."
                )
            } else {
                format!("Holds {k} at once: {figures}.")
            }
        }
        _ => "Holds none at once: even one request at a time misses a target.".into(),
    }
}

/// Why the step `broke` missed, against the step below it (`below`, the
/// answer's step), in words: which targets, and whether requests queued on
/// the server (first token later by a good part of one request's duration,
/// speed kept) or shared its compute (each request slower).
pub fn reason(below: Option<&Step>, broke: &Step, targets: &Targets) -> String {
    let what: Vec<String> = missed(&broke.stats, targets)
        .iter()
        .map(Missed::describe)
        .collect();
    let mut out = format!("At K = {}: {}.", broke.k, what.join("; "));
    let Some(below) = below else {
        return out;
    };
    let (b, a) = (&below.stats, &broke.stats);
    let rise = match (a.ttft.p90, b.ttft.p50) {
        (Some(x), Some(y)) => x - y,
        _ => 0.0,
    };
    let one = b.e2e.p50.unwrap_or(0.0);
    let slower = match (a.speed.p50, b.speed.p50) {
        (Some(x), Some(y)) if y > 0.0 => Some((y, x)),
        _ => None,
    };
    let shared = slower.is_some_and(|(y, x)| x < 0.8 * y);
    let queued = one > 0.0 && rise >= 0.25 * one;
    if queued {
        out.push_str(&format!(
            " Requests queued on the server: first token p90 rose {} above K = {}'s median, {:.1}× one request's duration ({})",
            duration_ms(rise),
            below.k,
            rise / one,
            duration_ms(one)
        ));
        out.push_str(if shared {
            "."
        } else {
            ", while each request kept its speed."
        });
    }
    if let Some((y, x)) = slower.filter(|_| shared) {
        out.push_str(&format!(
            " Shared compute: each request's speed fell from {y:.0} to {x:.0} tokens/s (median)."
        ));
    }
    if !queued && !shared && rise > 0.0 {
        out.push_str(&format!(
            " First token p90 rose {} above K = {}'s median: the server starts each request later under load.",
            duration_ms(rise),
            below.k
        ));
    }
    out
}

/// Whether the figures name queueing (for tests and hooks).
pub fn is_queueing(text: &str) -> bool {
    text.contains("queued on the server")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::figures::Spread;

    fn stats(ttft: (f64, f64), speed: f64, e2e: f64, errors: usize) -> RequestStats {
        RequestStats {
            requests: 12,
            errors,
            ttft: Spread {
                p50: Some(ttft.0),
                p90: Some(ttft.1),
                p99: Some(ttft.1),
                n: 12,
                mean: None,
            },
            speed: Spread {
                p50: Some(speed),
                p90: Some(speed * 0.9),
                p99: Some(speed * 0.8),
                n: 12,
                mean: None,
            },
            e2e: Spread {
                p50: Some(e2e),
                ..Spread::default()
            },
            ..RequestStats::default()
        }
    }

    #[test]
    fn a_step_holds_only_when_every_target_is_met() {
        let t = Targets::default();
        assert!(step(2, stats((400.0, 600.0), 50.0, 900.0, 0), &t).held);
        let late = step(3, stats((400.0, 1200.0), 50.0, 900.0, 0), &t);
        assert!(!late.held);
        let slow = missed(&stats((400.0, 600.0), 15.0, 900.0, 0), &t);
        assert!(matches!(slow[0], Missed::Speed { .. }), "{slow:?}");
        let failing = missed(&stats((400.0, 600.0), 50.0, 900.0, 1), &t);
        assert_eq!(failing, vec![Missed::Errors(1)]);
        let mut silent = stats((0.0, 0.0), 50.0, 900.0, 0);
        silent.ttft = Spread::default();
        assert_eq!(missed(&silent, &t), vec![Missed::NoFigures]);
    }

    #[test]
    fn queueing_is_a_first_token_rise_of_whole_requests_with_speed_kept() {
        let t = Targets {
            ttft_p90_ms: 700.0,
            tokens_per_s_p90: 20.0,
            ..Targets::default()
        };
        let below = step(2, stats((410.0, 430.0), 100.0, 520.0, 0), &t);
        let broke = step(3, stats((420.0, 930.0), 98.0, 540.0, 0), &t);
        let why = reason(Some(&below), &broke, &t);
        assert!(is_queueing(&why), "{why}");
        assert!(
            why.contains("first token p90 930 ms is over the 700 ms target"),
            "{why}"
        );
        assert!(why.contains("kept its speed"), "{why}");
        assert!(!why.contains("Shared compute"), "{why}");
        assert_eq!(
            sentence(2, Some(&below), false),
            "Holds 2 at once: first token p90 430 ms, 90 tokens/s each (p90)."
        );
        // Stopped at the search's ceiling, nothing broken: a lower bound.
        assert_eq!(
            sentence(2, Some(&below), true),
            "Holds at least 2 at once (2 is the most this search tries): first token p90 430 ms, 90 tokens/s each (p90)."
        );
    }

    #[test]
    fn shared_compute_is_each_request_slower() {
        let t = Targets::default();
        let below = step(4, stats((300.0, 350.0), 60.0, 2000.0, 0), &t);
        let broke = step(8, stats((320.0, 380.0), 18.0, 6000.0, 0), &t);
        let why = reason(Some(&below), &broke, &t);
        assert!(!is_queueing(&why), "{why}");
        assert!(why.contains("fell from 60 to 18 tokens/s"), "{why}");
        assert!(why.contains("per-request speed p90 16 tokens/s"), "{why}");
    }

    #[test]
    fn nothing_held() {
        let t = Targets::default();
        let broke = step(1, stats((1500.0, 1600.0), 60.0, 2000.0, 0), &t);
        assert!(sentence(0, None, false).starts_with("Holds none"));
        assert_eq!(
            reason(None, &broke, &t),
            "At K = 1: first token p90 1.60 s is over the 1.00 s target."
        );
    }
}
