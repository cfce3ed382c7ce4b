//! When to retry a failed request and how long to wait first, plus the retry
//! loop itself, kept free of browser APIs so it runs under native tests with a
//! fake clock and a fake sleep.
//!
//! The rules follow OpenAI's official SDKs: retry connection errors, timeouts,
//! 408, 409, 429 and 5xx; back off exponentially from 0.5 s, doubling, capped at
//! 8 s, minus up to 25 % jitter; honour the server's `retry-after-ms` /
//! `retry-after` when it asks for at most 60 s. OpenAI also writes the wait
//! into 429 messages ("Please try again in 1.234s"), which browsers can read
//! when CORS hides the headers.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::ApiError;

/// How many times to retry and how long to back off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First back-off.
    pub initial_delay: Duration,
    /// Back-off cap.
    pub max_delay: Duration,
    /// Longest server-requested wait that is honoured as is.
    pub max_server_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_server_wait: Duration::from_secs(60),
        }
    }
}

/// Whether an error is worth another attempt.
pub fn is_retryable(err: &ApiError) -> bool {
    match err {
        ApiError::Network { .. } | ApiError::Timeout(_) => true,
        ApiError::Http { status, .. } => matches!(status, 408 | 409 | 429 | 500..=599),
        // A cut stream already showed text; a silent re-run would replace it
        // and cost again, so it is reported instead.
        ApiError::StreamCut(_) | ApiError::Malformed(_) | ApiError::Aborted => false,
    }
}

impl RetryPolicy {
    /// Exponential back-off before retry number `retry` (0 for the first
    /// retry); `jitter` in [0, 1) takes off up to 25 %.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let base = self.initial_delay.as_secs_f64() * 2f64.powi(retry.min(30) as i32);
        let capped = base.min(self.max_delay.as_secs_f64());
        Duration::from_secs_f64(capped * (1.0 - 0.25 * jitter.clamp(0.0, 1.0)))
    }

    /// The wait before the next attempt, or `None` to give up. `retries_done`
    /// counts retries already made.
    pub fn next_wait(&self, err: &ApiError, retries_done: u32, jitter: f64) -> Option<Duration> {
        if retries_done >= self.max_retries || !is_retryable(err) {
            return None;
        }
        let server = match err {
            ApiError::Http { retry_after, .. } => *retry_after,
            _ => None,
        };
        Some(match server {
            Some(w) if w <= self.max_server_wait => w,
            _ => self.backoff(retries_done, jitter),
        })
    }
}

/// Reads `retry-after-ms` (milliseconds, may be fractional) or `retry-after`
/// (seconds, or an HTTP date compared with `now_unix_ms`).
pub fn retry_after_from_headers(
    retry_after_ms: Option<&str>,
    retry_after: Option<&str>,
    now_unix_ms: f64,
) -> Option<Duration> {
    if let Some(ms) = retry_after_ms.and_then(|v| v.trim().parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = retry_after?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at_ms = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs_f64() * 1000.0;
    Some(Duration::from_secs_f64(
        ((at_ms - now_unix_ms) / 1000.0).max(0.0),
    ))
}

/// One attempt of a request, as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it started (ms on the page clock).
    pub started_ms: f64,
    /// When it ended.
    pub ended_ms: f64,
    /// Short outcome: "ok", "HTTP 429", "timeout", ...
    pub outcome: String,
    /// The wait before the next attempt, if one followed.
    pub wait_ms: Option<f64>,
}

impl AttemptRecord {
    /// One line for the attempt list: "Attempt 1: HTTP 500 after 120 ms, then waited 500 ms".
    pub fn describe(&self) -> String {
        let wait = self
            .wait_ms
            .map(|w| format!(", then waited {}", crate::format::duration_ms(w)))
            .unwrap_or_default();
        format!(
            "Attempt {}: {} after {}{}",
            self.number,
            self.outcome,
            crate::format::duration_ms(self.ended_ms - self.started_ms),
            wait
        )
    }
}

/// What the retry loop reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryEvent {
    /// Attempt `n` starts.
    AttemptStarted(u32),
    /// Waiting before the next attempt, because of `error`.
    Waiting {
        /// The attempt that failed.
        attempt: u32,
        /// How long the wait is.
        wait: Duration,
        /// Why.
        error: ApiError,
    },
}

/// Runs `attempt` until it succeeds, fails for good, or retries run out.
///
/// `now_ms` reads the clock, `sleep` waits (and returns `Err(Aborted)` if the
/// user cancels meanwhile), `jitter` yields numbers in [0, 1). Returns the
/// outcome and every attempt made.
pub async fn run_with_retries<T, A, AF, S, SF>(
    policy: &RetryPolicy,
    now_ms: &dyn Fn() -> f64,
    mut attempt: A,
    mut sleep: S,
    jitter: &mut dyn FnMut() -> f64,
    on_event: &mut dyn FnMut(RetryEvent),
) -> (Result<T, ApiError>, Vec<AttemptRecord>)
where
    A: FnMut(u32) -> AF,
    AF: Future<Output = Result<T, ApiError>>,
    S: FnMut(Duration) -> SF,
    SF: Future<Output = Result<(), ApiError>>,
{
    let mut records = Vec::new();
    let mut number = 1;
    loop {
        on_event(RetryEvent::AttemptStarted(number));
        let started_ms = now_ms();
        let result = attempt(number).await;
        let ended_ms = now_ms();
        let err = match result {
            Ok(v) => {
                records.push(AttemptRecord {
                    number,
                    started_ms,
                    ended_ms,
                    outcome: "ok".into(),
                    wait_ms: None,
                });
                return (Ok(v), records);
            }
            Err(e) => e,
        };
        let wait = policy.next_wait(&err, number - 1, jitter());
        records.push(AttemptRecord {
            number,
            started_ms,
            ended_ms,
            outcome: err.short(),
            wait_ms: wait.map(|w| w.as_secs_f64() * 1000.0),
        });
        let Some(wait) = wait else {
            return (Err(err), records);
        };
        on_event(RetryEvent::Waiting {
            attempt: number,
            wait,
            error: err,
        });
        if let Err(e) = sleep(wait).await {
            return (Err(e), records);
        }
        number += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_describe_outcome_duration_and_wait() {
        let a = AttemptRecord {
            number: 1,
            started_ms: 100.0,
            ended_ms: 220.0,
            outcome: "HTTP 500".into(),
            wait_ms: Some(500.0),
        };
        assert_eq!(
            a.describe(),
            "Attempt 1: HTTP 500 after 120 ms, then waited 500 ms"
        );
        let b = AttemptRecord {
            number: 2,
            wait_ms: None,
            outcome: "ok".into(),
            ..a
        };
        assert_eq!(b.describe(), "Attempt 2: ok after 120 ms");
    }
    use std::cell::{Cell, RefCell};

    fn http(status: u16, retry_after: Option<Duration>) -> ApiError {
        ApiError::Http {
            status,
            message: String::new(),
            retry_after,
        }
    }

    #[test]
    fn retryable_errors_follow_the_sdk_rules() {
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert!(is_retryable(&http(s, None)), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!is_retryable(&http(s, None)), "{s}");
        }
        assert!(is_retryable(&ApiError::Network { host: "h".into() }));
        assert!(is_retryable(&ApiError::Timeout(Duration::from_secs(1))));
        assert!(!is_retryable(&ApiError::Aborted));
        assert!(!is_retryable(&ApiError::StreamCut("x".into())));
    }

    #[test]
    fn backoff_doubles_from_half_a_second_and_caps_at_eight() {
        let p = RetryPolicy::default();
        let secs: Vec<f64> = (0..6).map(|r| p.backoff(r, 0.0).as_secs_f64()).collect();
        assert_eq!(secs, vec![0.5, 1.0, 2.0, 4.0, 8.0, 8.0]);
        // Full jitter takes off a quarter, never more.
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(375));
        assert_eq!(p.backoff(3, 0.5).as_secs_f64(), 4.0 * 0.875);
    }

    #[test]
    fn next_wait_honours_server_then_falls_back() {
        let p = RetryPolicy::default();
        let w = p.next_wait(&http(429, Some(Duration::from_millis(1500))), 0, 0.0);
        assert_eq!(w, Some(Duration::from_millis(1500)));
        // An unreasonable server wait is replaced by the back-off.
        let w = p.next_wait(&http(429, Some(Duration::from_secs(600))), 1, 0.0);
        assert_eq!(w, Some(Duration::from_secs(1)));
        assert_eq!(
            p.next_wait(&http(500, None), 2, 0.0),
            None,
            "retries used up"
        );
        assert_eq!(p.next_wait(&http(401, None), 0, 0.0), None, "never retried");
        let none = RetryPolicy {
            max_retries: 0,
            ..p
        };
        assert_eq!(none.next_wait(&http(503, None), 0, 0.0), None);
    }

    #[test]
    fn retry_after_headers() {
        let now = 1_700_000_000_000.0;
        assert_eq!(
            retry_after_from_headers(Some("1500"), Some("9"), now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after_from_headers(Some("12.5"), None, now),
            Some(Duration::from_micros(12_500))
        );
        assert_eq!(
            retry_after_from_headers(Some("junk"), Some("2"), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after_from_headers(None, Some("1.5"), now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(retry_after_from_headers(None, Some("-1"), now), None);
        assert_eq!(retry_after_from_headers(None, None, now), None);
        // 2023-11-14T22:13:20Z is 1_700_000_000 s; an HTTP date 5 s later.
        assert_eq!(
            retry_after_from_headers(None, Some("Tue, 14 Nov 2023 22:13:25 GMT"), now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after_from_headers(None, Some("Tue, 14 Nov 2023 22:13:00 GMT"), now),
            Some(Duration::ZERO),
            "a date in the past means retry now"
        );
    }

    #[test]
    fn retry_after_messages() {
        let m = |s: &str| crate::openai::error::retry_after_from_message(s);
        assert_eq!(
            m("Rate limit reached for gpt-4o. Please try again in 1.234s. Visit ..."),
            Some(Duration::from_millis(1234))
        );
        assert_eq!(
            m("Please try again in 599ms."),
            Some(Duration::from_millis(599))
        );
        assert_eq!(
            m("Please try again in 1m30s."),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            m("Please try again in 2h0m5.5s."),
            Some(Duration::from_millis(7_205_500))
        );
        assert_eq!(m("Please try again later."), None);
        assert_eq!(m("You exceeded your current quota"), None);
    }

    /// Runs the loop with scripted attempt results, a fake clock advanced by
    /// the sleeps, and records the waits.
    fn drive(
        policy: RetryPolicy,
        script: Vec<Result<&'static str, ApiError>>,
        abort_on_sleep: bool,
    ) -> (
        Result<&'static str, ApiError>,
        Vec<AttemptRecord>,
        Vec<Duration>,
    ) {
        let clock = Cell::new(0.0);
        let script = RefCell::new(script.into_iter());
        let waits = RefCell::new(Vec::new());
        let (res, recs) = futures::executor::block_on(run_with_retries(
            &policy,
            &|| clock.get(),
            |_n| {
                clock.set(clock.get() + 100.0);
                let r = script
                    .borrow_mut()
                    .next()
                    .expect("more attempts than scripted");
                async move { r }
            },
            |d| {
                waits.borrow_mut().push(d);
                clock.set(clock.get() + d.as_secs_f64() * 1000.0);
                async move {
                    if abort_on_sleep {
                        Err(ApiError::Aborted)
                    } else {
                        Ok(())
                    }
                }
            },
            &mut || 0.0,
            &mut |_| {},
        ));
        (res, recs, waits.into_inner())
    }

    #[test]
    fn loop_retries_then_succeeds_and_records_attempts() {
        let (res, recs, waits) = drive(
            RetryPolicy::default(),
            vec![
                Err(http(429, Some(Duration::from_millis(1500)))),
                Err(http(503, None)),
                Ok("answer"),
            ],
            false,
        );
        assert_eq!(res, Ok("answer"));
        assert_eq!(
            waits,
            vec![Duration::from_millis(1500), Duration::from_secs(1)]
        );
        let outcomes: Vec<_> = recs.iter().map(|r| r.outcome.as_str()).collect();
        assert_eq!(outcomes, ["HTTP 429", "HTTP 503", "ok"]);
        assert_eq!(recs[0].wait_ms, Some(1500.0));
        // Attempt 2 starts after attempt 1 ended plus the wait.
        assert_eq!(recs[1].started_ms, recs[0].ended_ms + 1500.0);
    }

    #[test]
    fn loop_gives_up_after_max_retries() {
        let (res, recs, waits) = drive(
            RetryPolicy::default(),
            vec![
                Err(http(500, None)),
                Err(http(500, None)),
                Err(http(500, None)),
            ],
            false,
        );
        assert_eq!(res.unwrap_err().status(), Some(500));
        assert_eq!(recs.len(), 3);
        assert_eq!(waits.len(), 2);
        assert_eq!(recs[2].wait_ms, None);
    }

    #[test]
    fn loop_never_retries_401_and_stops_when_cancelled_while_waiting() {
        let (res, recs, _) = drive(RetryPolicy::default(), vec![Err(http(401, None))], false);
        assert_eq!(res.unwrap_err().status(), Some(401));
        assert_eq!(recs.len(), 1);
        let (res, recs, waits) = drive(RetryPolicy::default(), vec![Err(http(429, None))], true);
        assert_eq!(res, Err(ApiError::Aborted));
        assert_eq!((recs.len(), waits.len()), (1, 1));
    }
}
