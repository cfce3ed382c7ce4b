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

/// What the counts need of a finished cell (not its answer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ended {
    /// It answered.
    pub ok: bool,
    /// Completion tokens, 0 if unknown.
    pub tokens_out: u64,
    /// Sent to done, ms.
    pub total_ms: f64,
}

impl From<&Cell> for Ended {
    fn from(c: &Cell) -> Self {
        Self {
            ok: c.status == TaskStatus::Done,
            tokens_out: c.tokens_out.unwrap_or(0),
            total_ms: c.total_ms,
        }
    }
}

impl Tally {
    /// This tally with one more cell (`None` = not finished).
    pub fn with(self, c: Option<&Cell>) -> Self {
        self.with_ended(c.map(Ended::from))
    }

    /// This tally with one more job that ended so (`None` = not finished).
    pub fn with_ended(mut self, e: Option<Ended>) -> Self {
        match e {
            None => self.remaining += 1,
            Some(e) => {
                if e.ok {
                    self.done += 1;
                } else {
                    self.failed += 1;
                }
                self.tokens_out += e.tokens_out;
            }
        }
        self
    }

    /// This tally after one job's cell went from `old` to `new` (a job run
    /// again goes back to `None`, then to its new cell): the figures follow
    /// each event in constant time, however large the batch.
    pub fn swap(&mut self, old: Option<&Cell>, new: Option<&Cell>) {
        self.swap_ended(old.map(Ended::from), new.map(Ended::from));
    }

    /// [`Tally::swap`] from what the counts keep of each cell.
    pub fn swap_ended(&mut self, old: Option<Ended>, new: Option<Ended>) {
        match old {
            None => self.remaining = self.remaining.saturating_sub(1),
            Some(e) => {
                if e.ok {
                    self.done = self.done.saturating_sub(1);
                } else {
                    self.failed = self.failed.saturating_sub(1);
                }
                self.tokens_out = self.tokens_out.saturating_sub(e.tokens_out);
            }
        }
        *self = self.with_ended(new);
    }

    /// Counts `cells` (one per job, `None` = not finished).
    pub fn of<'a>(cells: impl IntoIterator<Item = Option<&'a Cell>>) -> Self {
        cells.into_iter().fold(Tally::default(), Tally::with)
    }
}

/// The time-weighted mean of requests in flight, kept as samples arrive
/// (constant work per sample, where [`mean_in_flight`] walks them all).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct InFlight {
    area: f64,
    at: f64,
    level: usize,
    /// The most in flight so far.
    pub peak: usize,
}

impl InFlight {
    /// `n` in flight from `at` ms on.
    pub fn sample(&mut self, at: f64, n: usize) {
        self.area += (at - self.at).max(0.0) * self.level as f64;
        self.at = self.at.max(at);
        self.level = n;
        self.peak = self.peak.max(n);
    }

    /// The mean up to `end_ms`.
    pub fn mean(&self, end_ms: f64) -> f64 {
        if end_ms <= 0.0 {
            return 0.0;
        }
        (self.area + (end_ms - self.at).max(0.0) * self.level as f64) / end_ms
    }
}

/// Adds a sample of (ms since start, in flight) to a step series kept at
/// most `cap` long: past it, neighbouring samples merge in pairs (the
/// later time, the higher level), so a chart of 10,000 requests draws a
/// bounded line that still shows every peak.
pub fn push_bounded(samples: &mut Vec<(f64, usize)>, sample: (f64, usize), cap: usize) {
    samples.push(sample);
    if samples.len() > cap.max(2) {
        let merged: Vec<(f64, usize)> = samples
            .chunks(2)
            .map(|p| (p[0].0, p.iter().map(|s| s.1).max().unwrap_or(0)))
            .collect();
        *samples = merged;
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

    /// A finished cell: done or failed, with `tokens` output tokens.
    fn cell_of(ok: bool, tokens: Option<u64>) -> Cell {
        Cell {
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
            tokens_out: tokens,
            attempts: 1,
            served_by: None,
            reasoning: String::new(),
            dropped: false,
        }
    }

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
    fn kept_figures_equal_a_full_recount_after_any_events() {
        // Random events over 40 jobs: finish (done or failed, some tokens),
        // or run again (back to not finished); after each, the tally kept
        // by swaps equals one recounted from every cell.
        let mut rng = fastrand::Rng::with_seed(11);
        let mut cells: Vec<Option<Cell>> = vec![None; 40];
        let mut kept = Tally::of(cells.iter().map(Option::as_ref));
        let mut flight = InFlight::default();
        let mut samples = Vec::new();
        let mut t = 0.0;
        for _ in 0..5000 {
            let i = rng.usize(..cells.len());
            let new = rng
                .bool()
                .then(|| cell_of(rng.bool(), rng.bool().then(|| rng.u64(..50))));
            kept.swap(cells[i].as_ref(), new.as_ref());
            cells[i] = new;
            assert_eq!(kept, Tally::of(cells.iter().map(Option::as_ref)));
            t += rng.f64() * 10.0;
            let n = rng.usize(..7);
            flight.sample(t, n);
            samples.push((t, n));
        }
        let end = t + 5.0;
        assert!((flight.mean(end) - mean_in_flight(&samples, end)).abs() < 1e-9);
        assert_eq!(flight.peak, samples.iter().map(|s| s.1).max().unwrap());
    }

    #[test]
    fn a_bounded_series_keeps_its_peaks() {
        let mut v = Vec::new();
        for i in 0..10_000 {
            let level = if i == 7_777 { 50 } else { i % 7 };
            push_bounded(&mut v, (i as f64, level), 1000);
            assert!(v.len() <= 1000);
        }
        assert_eq!(v.iter().map(|s| s.1).max(), Some(50));
        assert_eq!(v[0].0, 0.0);
        assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn progress_estimates_the_rest() {
        let cell = |ok: bool| Some(cell_of(ok, Some(10)));
        let cells = vec![cell(true), cell(false), None, None];
        let p = progress(&cells, 4000.0);
        assert_eq!((p.done, p.failed, p.remaining), (1, 1, 2));
        assert_eq!(p.eta_ms, Some(4000.0));
        assert_eq!(progress(&[None], 0.0).eta_ms, None);
    }
}
