//! Counts and rates of a batch as it runs: done, failed, remaining, ETA,
//! requests and tokens per second, and the mean load.

use crate::batch::saved::Cell;
use crate::workflow::engine::TaskStatus;

/// Counts and rates of a batch so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchProgress {
    /// Finished successfully.
    pub done: usize,
    /// Failed (or cancelled).
    pub failed: usize,
    /// Not finished yet.
    pub remaining: usize,
    /// Since the batch started, ms.
    pub elapsed_ms: f64,
    /// Estimated time to the end at the rate so far, ms.
    pub eta_ms: Option<f64>,
    /// Finished requests per second.
    pub requests_per_s: f64,
    /// Completion tokens per second.
    pub tokens_per_s: f64,
}

/// The time-weighted mean of requests in flight from `samples` of
/// (ms since start, in flight), up to `end_ms`.
pub fn mean_in_flight(samples: &[(f64, usize)], end_ms: f64) -> f64 {
    if end_ms <= 0.0 {
        return 0.0;
    }
    let mut area = 0.0;
    let (mut t, mut level) = (0.0, 0usize);
    for (at, n) in samples {
        area += (at.min(end_ms) - t).max(0.0) * level as f64;
        t = at.min(end_ms);
        level = *n;
    }
    area += (end_ms - t).max(0.0) * level as f64;
    area / end_ms
}

/// What progress needs of a batch's cells: counts and tokens, cheap to
/// keep (no texts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Finished successfully.
    pub done: usize,
    /// Failed or cancelled.
    pub failed: usize,
    /// Not finished.
    pub remaining: usize,
    /// Completion tokens of the finished.
    pub tokens_out: u64,
}

impl Tally {
    /// This tally with one more cell (`None` = not finished).
    pub fn with(mut self, c: Option<&Cell>) -> Self {
        match c {
            None => self.remaining += 1,
            Some(c) => {
                if c.status == TaskStatus::Done {
                    self.done += 1;
                } else {
                    self.failed += 1;
                }
                self.tokens_out += c.tokens_out.unwrap_or(0);
            }
        }
        self
    }

    /// Counts `cells` (one per job, `None` = not finished).
    pub fn of<'a>(cells: impl IntoIterator<Item = Option<&'a Cell>>) -> Self {
        cells.into_iter().fold(Tally::default(), Tally::with)
    }
}

/// Progress of `cells` (one per job, `None` = not finished) after `elapsed_ms`.
pub fn progress(cells: &[Option<Cell>], elapsed_ms: f64) -> BatchProgress {
    progress_of(Tally::of(cells.iter().map(Option::as_ref)), elapsed_ms)
}

/// Progress from a tally after `elapsed_ms`.
pub fn progress_of(t: Tally, elapsed_ms: f64) -> BatchProgress {
    let Tally {
        done,
        failed,
        remaining,
        tokens_out: tokens,
    } = t;
    let finished = done + failed;
    let secs = elapsed_ms / 1000.0;
    let rate = if secs > 0.0 {
        finished as f64 / secs
    } else {
        0.0
    };
    BatchProgress {
        done,
        failed,
        remaining,
        elapsed_ms,
        eta_ms: (rate > 0.0).then(|| remaining as f64 / rate * 1000.0),
        requests_per_s: rate,
        tokens_per_s: if secs > 0.0 {
            tokens as f64 / secs
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_in_flight_weighs_by_time() {
        // 2 in flight for 1 s, then 4 for 1 s, then 0 for 2 s: mean 1.5.
        assert_eq!(
            mean_in_flight(&[(0.0, 2), (1000.0, 4), (2000.0, 0)], 4000.0),
            1.5
        );
        assert_eq!(mean_in_flight(&[], 1000.0), 0.0);
        assert_eq!(mean_in_flight(&[(0.0, 3)], 0.0), 0.0);
    }

    #[test]
    fn progress_estimates_the_rest() {
        let cell = |ok: bool| {
            Some(Cell {
                status: if ok {
                    TaskStatus::Done
                } else {
                    TaskStatus::Error
                },
                text: String::new(),
                error: None,
                total_ms: 1.0,
                ttft_ms: None,
                tokens_in: None,
                tokens_out: Some(10),
                attempts: 1,
            })
        };
        let cells = vec![cell(true), cell(false), None, None];
        let p = progress(&cells, 4000.0);
        assert_eq!((p.done, p.failed, p.remaining), (1, 1, 2));
        assert_eq!(p.eta_ms, Some(4000.0));
        assert_eq!(progress(&[None], 0.0).eta_ms, None);
    }
}
