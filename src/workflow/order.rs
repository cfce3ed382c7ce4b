//! In which order requests start when there are fewer slots than requests.
//!
//! With K slots, the order decides when the last request ends: a long task
//! started last stretches the whole run. "Longest expected first" (LPT, a
//! classic list-scheduling rule) starts the longest ones first and is within
//! 4/3 − 1/(3K) of the best possible order (Graham, 1969). A user priority
//! overrides any estimate. Expected durations come from the durations this
//! browser measured before (same task, model and server), else from a model
//! of the request the user can see and edit.
//!
//! After a run, [`replay`] puts the measured durations through both orders
//! to say how much the chosen one saved (or cost) against "as listed".

use serde::{Deserialize, Serialize};

/// How requests are ordered when they cannot all start at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// In the order the tasks (and documents) are listed.
    AsListed,
    /// Longest expected duration first.
    #[default]
    LongestFirst,
}

impl Order {
    /// Label in the page.
    pub fn label(self) -> &'static str {
        match self {
            Order::AsListed => "as listed",
            Order::LongestFirst => "longest expected first",
        }
    }
}

/// Default figures for a request's expected duration when nothing was
/// measured: time to first token, reading the prompt, and writing the
/// answer at a steady rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpeedModel {
    /// Time to first token for a short prompt, ms.
    pub ttft_ms: f64,
    /// Prompt tokens read per second (adds to the time to first token).
    pub prompt_tokens_per_s: f64,
    /// Answer tokens written per second.
    pub tokens_per_s: f64,
    /// Share of its token limit an answer uses, 0 to 1.
    pub fill: f64,
}

impl Default for SpeedModel {
    fn default() -> Self {
        Self {
            ttft_ms: 500.0,
            prompt_tokens_per_s: 2000.0,
            tokens_per_s: 50.0,
            fill: 0.6,
        }
    }
}

impl SpeedModel {
    /// Expected duration of a request, ms.
    pub fn expected_ms(&self, prompt_tokens: usize, max_tokens: u32) -> f64 {
        self.ttft_ms
            + prompt_tokens as f64 / self.prompt_tokens_per_s * 1000.0
            + f64::from(max_tokens) * self.fill / self.tokens_per_s * 1000.0
    }

    /// Why these figures cannot be used, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        if !(self.ttft_ms.is_finite() && self.ttft_ms >= 0.0) {
            return Err("time to first token must be 0 ms or more".into());
        }
        if !(self.prompt_tokens_per_s.is_finite() && self.prompt_tokens_per_s > 0.0) {
            return Err("prompt reading speed must be above 0 tokens/s".into());
        }
        if !(self.tokens_per_s.is_finite() && self.tokens_per_s > 0.0) {
            return Err("answer speed must be above 0 tokens/s".into());
        }
        if !(self.fill > 0.0 && self.fill <= 1.0) {
            return Err("the share of the token limit used must be above 0 and at most 1".into());
        }
        Ok(())
    }
}

/// One measured request, kept to estimate the next ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Task id.
    pub task: String,
    /// Model id.
    pub model: String,
    /// Host of the base URL ("demo" for the demo provider).
    pub host: String,
    /// Estimated tokens of the input text.
    pub input_tokens: usize,
    /// Sent to first token, ms (the whole duration if not streamed).
    pub first_token_ms: f64,
    /// Sent to done, ms.
    pub total_ms: f64,
}

/// The durations this browser measured, oldest first, capped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DurationLog {
    /// Oldest first.
    pub entries: Vec<Observation>,
}

/// Where the log lives in localStorage.
pub const DURATIONS_KEY: &str = "fanout.durations.v1";

/// Observations kept (older ones are dropped first).
pub const LOG_CAP: usize = 500;

/// Recent matching observations an estimate uses.
const RECENT: usize = 5;

impl DurationLog {
    /// Adds measurements, dropping the oldest beyond [`LOG_CAP`].
    pub fn extend(&mut self, new: impl IntoIterator<Item = Observation>) {
        self.entries.extend(new);
        let over = self.entries.len().saturating_sub(LOG_CAP);
        self.entries.drain(..over);
    }

    /// The median duration of the last few runs of `task` with this model
    /// and host, for an input of `input_tokens`: the time to first token
    /// scales with the input (the prompt is read first), the writing does not.
    pub fn estimate(
        &self,
        task: &str,
        model: &str,
        host: &str,
        input_tokens: usize,
    ) -> Option<f64> {
        let mut recent: Vec<f64> = self
            .entries
            .iter()
            .rev()
            .filter(|o| o.task == task && o.model == model && o.host == host)
            .take(RECENT)
            .map(|o| {
                let ratio =
                    (input_tokens.max(1) as f64 / o.input_tokens.max(1) as f64).clamp(0.1, 10.0);
                let first = o.first_token_ms.min(o.total_ms);
                first * ratio + (o.total_ms - first)
            })
            .collect();
        if recent.is_empty() {
            return None;
        }
        recent.sort_by(f64::total_cmp);
        let m = recent.len() / 2;
        Some(if recent.len() % 2 == 1 {
            recent[m]
        } else {
            (recent[m - 1] + recent[m]) / 2.0
        })
    }
}

/// Where an expected duration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Measured before in this browser.
    History,
    /// The request model ([`SpeedModel`]).
    Model,
}

/// An expected duration and its source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    /// Milliseconds.
    pub ms: f64,
    /// Where it came from.
    pub source: Source,
}

/// What is known of one request to estimate it.
#[derive(Debug, Clone, Copy)]
pub struct RequestShape<'a> {
    /// Task id.
    pub task: &'a str,
    /// Estimated tokens of the input text.
    pub input_tokens: usize,
    /// Estimated tokens of the whole prompt.
    pub prompt_tokens: usize,
    /// The task's token limit.
    pub max_tokens: u32,
}

/// The expected duration of a request: from history when there is some,
/// else from the request model.
pub fn expected(
    log: &DurationLog,
    speed: &SpeedModel,
    model: &str,
    host: &str,
    shape: RequestShape<'_>,
) -> Expected {
    match log.estimate(shape.task, model, host, shape.input_tokens) {
        Some(ms) => Expected {
            ms,
            source: Source::History,
        },
        None => Expected {
            ms: speed.expected_ms(shape.prompt_tokens, shape.max_tokens),
            source: Source::Model,
        },
    }
}

/// The order requests start in: higher priority first whatever the order;
/// then as listed, or longest expected first (ties keep the listing order).
pub fn start_order(expected_ms: &[f64], priorities: &[u8], order: Order) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..expected_ms.len()).collect();
    let priority = |i: usize| priorities.get(i).copied().unwrap_or(0);
    // A stable sort keeps the listing order among equals.
    idx.sort_by(|&a, &b| {
        priority(b).cmp(&priority(a)).then_with(|| match order {
            Order::AsListed => std::cmp::Ordering::Equal,
            Order::LongestFirst => expected_ms[b].total_cmp(&expected_ms[a]),
        })
    });
    idx
}

/// When the last request would end if requests with these `durations`
/// started in `order` on `k` slots, each as soon as a slot is free (list
/// scheduling, as the runner does).
pub fn replay(durations: &[f64], order: &[usize], k: usize) -> f64 {
    let mut free = vec![0.0f64; k.max(1)];
    let mut end = 0.0f64;
    for &i in order {
        let (slot, at) = free
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("at least one slot");
        let done = at + durations[i];
        free[slot] = done;
        end = end.max(done);
    }
    end
}

/// What the chosen order did against "as listed", replayed from the
/// measured durations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Saving {
    /// Replayed end with the chosen order, ms.
    pub chosen_ms: f64,
    /// Replayed end as listed, ms.
    pub as_listed_ms: f64,
}

impl Saving {
    /// Replays `durations` through `chosen` and through the listing order on
    /// `k` slots; `None` when every request had a slot (order cannot matter).
    pub fn of(durations: &[f64], chosen: &[usize], k: usize) -> Option<Self> {
        if k == 0 || k >= durations.len() {
            return None;
        }
        let listed: Vec<usize> = (0..durations.len()).collect();
        Some(Self {
            chosen_ms: replay(durations, chosen, k),
            as_listed_ms: replay(durations, &listed, k),
        })
    }

    /// Milliseconds saved (negative: lost) against as listed.
    pub fn saved_ms(&self) -> f64 {
        self.as_listed_ms - self.chosen_ms
    }

    /// A sentence for the page.
    pub fn describe(&self, order: Order, k: usize) -> String {
        let saved = self.saved_ms();
        let pct = if self.as_listed_ms > 0.0 {
            saved.abs() / self.as_listed_ms * 100.0
        } else {
            0.0
        };
        let secs = saved.abs() / 1000.0;
        if saved.abs() < 1.0 {
            format!(
                "Order: {} ended as soon as \"as listed\" would have (measured durations replayed at K = {k}).",
                order.label()
            )
        } else if saved > 0.0 {
            format!(
                "Order: {} saved {secs:.2} s ({pct:.0} %) against \"as listed\" (measured durations replayed at K = {k}).",
                order.label()
            )
        } else {
            format!(
                "Order: {} cost {secs:.2} s ({pct:.0} %) against \"as listed\" (measured durations replayed at K = {k}).",
                order.label()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_list_schedules_on_k_slots() {
        // K = 2: 3 and 1 start at 0; the 1 frees its slot at 1 for the 2,
        // which ends at 3 with the first.
        assert_eq!(replay(&[3.0, 1.0, 2.0], &[0, 1, 2], 2), 3.0);
        // One slot: the sum.
        assert_eq!(replay(&[3.0, 1.0, 2.0], &[2, 0, 1], 1), 6.0);
        // As many slots as requests: the longest.
        assert_eq!(replay(&[3.0, 1.0, 2.0], &[0, 1, 2], 5), 3.0);
        assert_eq!(replay(&[], &[], 2), 0.0);
        // Order matters: 1, 1, 2 on two slots ends at 3; 2 first ends at 2.
        assert_eq!(replay(&[1.0, 1.0, 2.0], &[0, 1, 2], 2), 3.0);
        assert_eq!(replay(&[1.0, 1.0, 2.0], &[2, 0, 1], 2), 2.0);
    }

    #[test]
    fn a_long_task_listed_last_ends_sooner_when_started_first() {
        let d = [1.0, 1.0, 1.0, 1.0, 10.0];
        let listed = start_order(&d, &[], Order::AsListed);
        let lpt = start_order(&d, &[], Order::LongestFirst);
        assert_eq!(listed, [0, 1, 2, 3, 4]);
        assert_eq!(lpt, [4, 0, 1, 2, 3]);
        assert_eq!(replay(&d, &listed, 2), 12.0);
        assert_eq!(replay(&d, &lpt, 2), 10.0);
        let s = Saving::of(&d, &lpt, 2).unwrap();
        assert_eq!(s.saved_ms(), 2.0);
        assert!(
            s.describe(Order::LongestFirst, 2)
                .contains("saved 0.00 s (17 %)")
        );
        let ms = [1000.0, 1000.0, 1000.0, 1000.0, 10_000.0];
        let s = Saving::of(&ms, &lpt, 2).unwrap();
        assert!(
            s.describe(Order::LongestFirst, 2)
                .contains("saved 2.00 s (17 %)"),
            "{}",
            s.describe(Order::LongestFirst, 2)
        );
        // Slots for all: order cannot matter.
        assert_eq!(Saving::of(&d, &lpt, 5), None);
    }

    #[test]
    fn priorities_override_the_estimate_in_both_orders() {
        let d = [5.0, 1.0, 9.0, 3.0];
        assert_eq!(
            start_order(&d, &[0, 0, 0, 0], Order::LongestFirst),
            [2, 0, 3, 1]
        );
        // Task 1 (the shortest) marked most important starts first.
        assert_eq!(
            start_order(&d, &[0, 2, 0, 1], Order::LongestFirst),
            [1, 3, 2, 0]
        );
        assert_eq!(
            start_order(&d, &[0, 2, 0, 1], Order::AsListed),
            [1, 3, 0, 2]
        );
        // Equal estimates keep the listing order.
        assert_eq!(
            start_order(&[2.0, 2.0, 2.0], &[], Order::LongestFirst),
            [0, 1, 2]
        );
    }

    /// The best makespan of `d` on `k` slots, by branch and bound (longest
    /// first, no two empty slots tried for the same job).
    fn optimal(d: &[f64], k: usize) -> f64 {
        fn go(d: &[f64], i: usize, loads: &mut Vec<f64>, best: &mut f64) {
            let cur = loads.iter().copied().fold(0.0, f64::max);
            if cur >= *best {
                return;
            }
            if i == d.len() {
                *best = cur;
                return;
            }
            let mut tried_empty = false;
            for s in 0..loads.len() {
                if loads[s] == 0.0 {
                    if tried_empty {
                        continue;
                    }
                    tried_empty = true;
                }
                loads[s] += d[i];
                go(d, i + 1, loads, best);
                loads[s] -= d[i];
            }
        }
        let mut sorted = d.to_vec();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let mut best = f64::INFINITY;
        go(&sorted, 0, &mut vec![0.0; k], &mut best);
        best
    }

    #[test]
    fn optimal_is_right_on_hand_made_cases() {
        assert_eq!(optimal(&[3.0, 3.0, 2.0, 2.0, 2.0], 2), 6.0);
        assert_eq!(optimal(&[1.0, 1.0, 1.0, 1.0, 10.0], 2), 10.0);
        assert_eq!(optimal(&[4.0, 4.0, 4.0], 3), 4.0);
    }

    #[test]
    fn longest_first_stays_within_grahams_bound() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut worse_than_optimal = 0;
        for k in [2usize, 3] {
            for n in 6..=12 {
                for _ in 0..15 {
                    let d: Vec<f64> = (0..n).map(|_| f64::from(rng.u32(1..=100))).collect();
                    let lpt = replay(&d, &start_order(&d, &[], Order::LongestFirst), k);
                    let opt = optimal(&d, k);
                    let bound = (4.0 / 3.0 - 1.0 / (3.0 * k as f64)) * opt;
                    assert!(lpt >= opt - 1e-9, "nothing beats the optimum: {d:?}");
                    assert!(lpt <= bound + 1e-9, "K={k} {d:?}: {lpt} > {bound}");
                    if lpt > opt {
                        worse_than_optimal += 1;
                    }
                }
            }
        }
        // The bound is not vacuous here: LPT is not always optimal.
        assert!(worse_than_optimal > 0);
    }

    #[test]
    fn estimates_come_from_history_when_present_else_from_the_model() {
        let speed = SpeedModel::default();
        let shape = RequestShape {
            task: "summary",
            input_tokens: 1000,
            prompt_tokens: 1030,
            max_tokens: 200,
        };
        let mut log = DurationLog::default();
        let e = expected(&log, &speed, "gpt-4o-mini", "api.openai.com", shape);
        assert_eq!(e.source, Source::Model);
        // 500 + 1030 / 2000 s + 200 × 0.6 / 50 s.
        assert!((e.ms - (500.0 + 515.0 + 2400.0)).abs() < 1e-6, "{}", e.ms);

        let obs = |task: &str, model: &str, input: usize, first: f64, total: f64| Observation {
            task: task.into(),
            model: model.into(),
            host: "api.openai.com".into(),
            input_tokens: input,
            first_token_ms: first,
            total_ms: total,
        };
        log.extend([
            obs("summary", "gpt-4o-mini", 500, 400.0, 2400.0),
            obs("summary", "other-model", 1000, 100.0, 100.0),
            obs("keywords", "gpt-4o-mini", 1000, 100.0, 100.0),
            obs("summary", "gpt-4o-mini", 500, 200.0, 1200.0),
            obs("summary", "gpt-4o-mini", 500, 300.0, 1800.0),
        ]);
        let e = expected(&log, &speed, "gpt-4o-mini", "api.openai.com", shape);
        assert_eq!(e.source, Source::History);
        // Twice the input: first token doubles, writing stays: 800+2000,
        // 400+1000, 600+1500 → median 2100.
        assert!((e.ms - 2100.0).abs() < 1e-6, "{}", e.ms);
        // Another host has no history.
        let e = expected(&log, &speed, "gpt-4o-mini", "127.0.0.1", shape);
        assert_eq!(e.source, Source::Model);
    }

    #[test]
    fn the_log_keeps_the_newest_and_uses_the_recent_ones() {
        let mut log = DurationLog::default();
        log.extend((0..LOG_CAP + 10).map(|i| Observation {
            task: "t".into(),
            model: "m".into(),
            host: "h".into(),
            input_tokens: 10,
            first_token_ms: 0.0,
            total_ms: i as f64,
        }));
        assert_eq!(log.entries.len(), LOG_CAP);
        assert_eq!(log.entries[0].total_ms, 10.0);
        // The last five: 505..=509, median 507.
        assert_eq!(log.estimate("t", "m", "h", 10), Some(507.0));
    }

    #[test]
    fn speed_model_figures_are_checked() {
        assert!(SpeedModel::default().check().is_ok());
        for bad in [
            SpeedModel {
                tokens_per_s: 0.0,
                ..SpeedModel::default()
            },
            SpeedModel {
                fill: 1.5,
                ..SpeedModel::default()
            },
            SpeedModel {
                ttft_ms: -1.0,
                ..SpeedModel::default()
            },
            SpeedModel {
                prompt_tokens_per_s: f64::NAN,
                ..SpeedModel::default()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
