//! The simulated server's behaviour, as pure logic: seeded draws of time to
//! first token and token rate, a slowdown above a concurrency, and a
//! requests-per-minute limit that answers 429 with a wait.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// How the simulated server behaves; all of it is editable in the settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DemoSettings {
    /// Seed of the draws: the same seed gives the same timeline.
    pub seed: u64,
    /// Median time to first token (log-normal), in ms.
    pub ttft_median_ms: f64,
    /// Spread of the time to first token: sigma of its logarithm.
    pub ttft_sigma: f64,
    /// Mean generation speed, tokens per second (normal).
    pub tokens_per_s: f64,
    /// Standard deviation of the speed, as a share of the mean.
    pub rate_jitter: f64,
    /// Requests in flight above which the server slows down (0 = never).
    pub slowdown_above: u32,
    /// Requests accepted per minute; more get a 429 (0 = no limit).
    pub rpm_limit: u32,
    /// Requests the server works on at once; more wait in its queue, first
    /// come, first served (0 = no limit): the capacity the capacity mode
    /// finds.
    pub slots: u32,
    /// Thinking tokens before each answer, as a reasoning model sends them
    /// (0 = a model that does not think).
    pub thinking_tokens: u32,
}

impl Default for DemoSettings {
    fn default() -> Self {
        // Near what small hosted models show: a few hundred ms to the first
        // token, tens of tokens per second, some jitter.
        Self {
            seed: 42,
            ttft_median_ms: 400.0,
            ttft_sigma: 0.35,
            tokens_per_s: 60.0,
            rate_jitter: 0.2,
            slowdown_above: 0,
            rpm_limit: 0,
            slots: 0,
            thinking_tokens: 0,
        }
    }
}

/// Slowest speed ever drawn, so a run always ends.
pub const MIN_TOKENS_PER_S: f64 = 5.0;

/// What the simulated server does with one attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttemptPlan {
    /// Refuse with 429; the client may retry after this many ms.
    RateLimited {
        /// Until a slot in the minute window frees.
        retry_after_ms: f64,
    },
    /// Answer: first token after `ttft_ms`, then one token every `ms_per_token`.
    Answer {
        /// Time to first token.
        ttft_ms: f64,
        /// Gap between tokens.
        ms_per_token: f64,
    },
}

/// The simulated server's state over one run.
#[derive(Debug)]
pub struct Simulator {
    settings: DemoSettings,
    rng: fastrand::Rng,
    in_flight: u32,
    /// Start times of the requests accepted in the last minute.
    accepted: VecDeque<f64>,
}

impl Simulator {
    /// A server with these settings, its draws seeded by `settings.seed`.
    pub fn new(settings: DemoSettings) -> Self {
        Self {
            settings,
            rng: fastrand::Rng::with_seed(settings.seed),
            in_flight: 0,
            accepted: VecDeque::new(),
        }
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.rng.f64().max(f64::MIN_POSITIVE);
        let u2 = self.rng.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Decides an attempt arriving at `now_ms`. An accepted attempt counts
    /// as in flight until [`Simulator::finished`] is called.
    pub fn plan(&mut self, now_ms: f64) -> AttemptPlan {
        let s = self.settings;
        if s.rpm_limit > 0 {
            while self
                .accepted
                .front()
                .is_some_and(|t| now_ms - t >= 60_000.0)
            {
                self.accepted.pop_front();
            }
            if self.accepted.len() >= s.rpm_limit as usize {
                let oldest = self.accepted.front().copied().unwrap_or(now_ms);
                return AttemptPlan::RateLimited {
                    retry_after_ms: (oldest + 60_000.0 - now_ms).max(1.0),
                };
            }
            self.accepted.push_back(now_ms);
        }
        self.in_flight += 1;
        let mut ttft = s.ttft_median_ms * (s.ttft_sigma * self.normal()).exp();
        let mut rate =
            (s.tokens_per_s * (1.0 + s.rate_jitter * self.normal())).max(MIN_TOKENS_PER_S);
        if s.slowdown_above > 0 && self.in_flight > s.slowdown_above {
            // Past its capacity the server shares its speed among requests.
            let load = f64::from(self.in_flight) / f64::from(s.slowdown_above);
            ttft *= load;
            rate = (rate / load).max(MIN_TOKENS_PER_S);
        }
        AttemptPlan::Answer {
            ttft_ms: ttft,
            ms_per_token: 1000.0 / rate,
        }
    }

    /// An accepted attempt ended (answered, cut or cancelled).
    pub fn finished(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Requests in flight now.
    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(sim: &mut Simulator, n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|_| {
                let p = sim.plan(0.0);
                sim.finished();
                match p {
                    AttemptPlan::Answer {
                        ttft_ms,
                        ms_per_token,
                    } => (ttft_ms, 1000.0 / ms_per_token),
                    other => panic!("unexpected {other:?}"),
                }
            })
            .collect()
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    #[test]
    fn draws_follow_the_configured_distributions() {
        let s = DemoSettings {
            ttft_median_ms: 300.0,
            ttft_sigma: 0.3,
            tokens_per_s: 50.0,
            rate_jitter: 0.1,
            ..DemoSettings::default()
        };
        let draws = answers(&mut Simulator::new(s), 4000);
        let ttft: Vec<f64> = draws.iter().map(|d| d.0).collect();
        let rate: Vec<f64> = draws.iter().map(|d| d.1).collect();
        let m = median(ttft.clone());
        assert!((m - 300.0).abs() < 15.0, "median ttft {m}");
        // sigma of ln(ttft) ≈ 0.3
        let logs: Vec<f64> = ttft.iter().map(|t| t.ln()).collect();
        let mean_log = logs.iter().sum::<f64>() / logs.len() as f64;
        let sd_log =
            (logs.iter().map(|l| (l - mean_log).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
        assert!((sd_log - 0.3).abs() < 0.02, "sigma {sd_log}");
        let mean_rate = rate.iter().sum::<f64>() / rate.len() as f64;
        assert!((mean_rate - 50.0).abs() < 1.0, "rate {mean_rate}");
        let sd_rate =
            (rate.iter().map(|r| (r - mean_rate).powi(2)).sum::<f64>() / rate.len() as f64).sqrt();
        assert!((sd_rate - 5.0).abs() < 0.5, "rate sd {sd_rate}");
        assert!(rate.iter().all(|r| *r >= MIN_TOKENS_PER_S));
    }

    #[test]
    fn same_seed_same_timeline() {
        let s = DemoSettings::default();
        let a = answers(&mut Simulator::new(s), 50);
        let b = answers(&mut Simulator::new(s), 50);
        assert_eq!(a, b);
        let c = answers(&mut Simulator::new(DemoSettings { seed: 7, ..s }), 50);
        assert_ne!(a, c);
    }

    #[test]
    fn the_rate_limit_answers_429_past_the_budget() {
        let mut sim = Simulator::new(DemoSettings {
            rpm_limit: 3,
            ..DemoSettings::default()
        });
        let at = |sim: &mut Simulator, t: f64| sim.plan(t);
        for t in [0.0, 10_000.0, 20_000.0] {
            assert!(matches!(at(&mut sim, t), AttemptPlan::Answer { .. }));
        }
        // The fourth within the minute waits until the first leaves the window.
        assert_eq!(
            at(&mut sim, 30_000.0),
            AttemptPlan::RateLimited {
                retry_after_ms: 30_000.0
            }
        );
        assert!(matches!(at(&mut sim, 60_000.0), AttemptPlan::Answer { .. }));
        assert!(matches!(
            at(&mut sim, 60_001.0),
            AttemptPlan::RateLimited { .. }
        ));
        // Over ten minutes at one request a second, 3 per minute get through.
        let mut sim = Simulator::new(DemoSettings {
            rpm_limit: 3,
            ..DemoSettings::default()
        });
        let ok = (0..600)
            .filter(|i| matches!(sim.plan(*i as f64 * 1000.0), AttemptPlan::Answer { .. }))
            .count();
        assert_eq!(ok, 30);
    }

    #[test]
    fn the_server_slows_down_above_its_concurrency() {
        let s = DemoSettings {
            slowdown_above: 2,
            ttft_sigma: 0.0,
            rate_jitter: 0.0,
            tokens_per_s: 40.0,
            ttft_median_ms: 200.0,
            ..DemoSettings::default()
        };
        let mut sim = Simulator::new(s);
        let plans: Vec<AttemptPlan> = (0..4).map(|_| sim.plan(0.0)).collect();
        assert_eq!(sim.in_flight(), 4);
        let expect = |ttft: f64, rate: f64| AttemptPlan::Answer {
            ttft_ms: ttft,
            ms_per_token: 1000.0 / rate,
        };
        assert_eq!(plans[0], expect(200.0, 40.0));
        assert_eq!(plans[1], expect(200.0, 40.0));
        assert_eq!(plans[2], expect(300.0, 40.0 / 1.5));
        assert_eq!(plans[3], expect(400.0, 20.0));
        // Once requests finish, speed is back.
        (0..4).for_each(|_| sim.finished());
        assert_eq!(sim.plan(0.0), expect(200.0, 40.0));
    }
}
