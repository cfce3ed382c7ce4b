//! Each endpoint's figures in a race (wall time, time to first token and
//! tokens/s as median and p90 over its tasks, tokens, cost, errors) and
//! which endpoint is best at each.

use crate::stats::Better;
use crate::stats::{median, percentile};
use crate::workflow::metrics::TaskTiming;

/// One endpoint's figures over its tasks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EndpointFigures {
    /// Its run's start to its last task's end, once every task finished.
    pub wall_ms: Option<f64>,
    /// Time to first token over its answered tasks: median.
    pub ttft_p50: Option<f64>,
    /// Time to first token: 90th percentile.
    pub ttft_p90: Option<f64>,
    /// Output tokens per second of generation: median.
    pub tps_p50: Option<f64>,
    /// Output tokens per second: the 90th percentile from the slow end (9
    /// in 10 tasks were at least this fast), so higher is better for both.
    pub tps_p90: Option<f64>,
    /// Prompt tokens reported.
    pub tokens_in: u64,
    /// Completion tokens reported.
    pub tokens_out: u64,
    /// Estimated cost, if its model has a price.
    pub cost_usd: Option<f64>,
    /// Tasks answered.
    pub done: usize,
    /// Tasks that failed.
    pub errors: usize,
    /// Tasks in the race.
    pub tasks: usize,
}

impl EndpointFigures {
    /// The figures of `finished` tasks (timing, answered?) out of `tasks`;
    /// `wall_ms` once all finished; `cost_usd` priced by the caller.
    pub fn of(
        finished: &[(&TaskTiming, bool)],
        tasks: usize,
        wall_ms: Option<f64>,
        cost_usd: Option<f64>,
    ) -> Self {
        let ok: Vec<&TaskTiming> = finished.iter().filter(|f| f.1).map(|f| f.0).collect();
        let ttft: Vec<f64> = ok.iter().filter_map(|t| t.ttft_ms()).collect();
        let tps: Vec<f64> = ok.iter().filter_map(|t| t.tokens_per_s()).collect();
        let usage = finished.iter().filter_map(|f| f.0.usage);
        let (tokens_in, tokens_out) = usage.fold((0, 0), |(i, o), u| {
            (i + u.prompt_tokens, o + u.completion_tokens)
        });
        Self {
            wall_ms,
            ttft_p50: median(&ttft),
            ttft_p90: percentile(&ttft, 0.9),
            tps_p50: median(&tps),
            tps_p90: percentile(&tps, 0.1),
            tokens_in,
            tokens_out,
            cost_usd,
            done: ok.len(),
            errors: finished.len() - ok.len(),
            tasks,
        }
    }

    /// Every task answered.
    pub fn complete(&self) -> bool {
        self.tasks > 0 && self.done == self.tasks
    }
}

/// Which endpoints are best at one figure: those with the best value (ties
/// all marked). Only endpoints whose every task was answered compete, since
/// an endpoint that failed fast is not the fastest; nothing is marked with
/// fewer than two contenders.
pub fn best_of(
    figures: &[EndpointFigures],
    value: impl Fn(&EndpointFigures) -> Option<f64>,
    better: Better,
) -> Vec<bool> {
    let values: Vec<Option<f64>> = figures
        .iter()
        .map(|f| if f.complete() { value(f) } else { None })
        .collect();
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.len() < 2 {
        return vec![false; figures.len()];
    }
    let best = match better {
        Better::Lower => present.iter().copied().fold(f64::INFINITY, f64::min),
        Better::Higher => present.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    };
    values.iter().map(|v| *v == Some(best)).collect()
}

/// One figure across the endpoints, as the race table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    /// Stable key (the test hook `race-fig-<key>`).
    pub key: &'static str,
    /// What it is.
    pub label: &'static str,
    /// Per endpoint, as people read it ("–" where unknown).
    pub cells: Vec<String>,
    /// Per endpoint, whether it is the best.
    pub best: Vec<bool>,
}

/// The race table: each figure across the endpoints, the best marked.
pub fn figure_rows(figs: &[EndpointFigures]) -> Vec<FigureRow> {
    use crate::format::duration_ms;
    use Better::{Higher, Lower};
    type Get = fn(&EndpointFigures) -> Option<f64>;
    type Show<'a> = &'a dyn Fn(f64) -> String;
    let dur = |v: f64| duration_ms(v);
    let rate = |v: f64| format!("{v:.0} tokens/s");
    let usd = |v: f64| format!("${v:.4}");
    let timed: [(&str, &str, Get, Better, Show); 6] = [
        ("wall", "Wall time", |f| f.wall_ms, Lower, &dur),
        (
            "ttft-p50",
            "First token, median",
            |f| f.ttft_p50,
            Lower,
            &dur,
        ),
        ("ttft-p90", "First token, p90", |f| f.ttft_p90, Lower, &dur),
        ("tps-p50", "Tokens/s, median", |f| f.tps_p50, Higher, &rate),
        (
            "tps-p90",
            "Tokens/s, p90 (9 in 10 at least)",
            |f| f.tps_p90,
            Higher,
            &rate,
        ),
        ("cost", "Cost (estimated)", |f| f.cost_usd, Lower, &usd),
    ];
    let mut rows: Vec<FigureRow> = timed
        .iter()
        .map(|(key, label, get, better, show)| FigureRow {
            key,
            label,
            cells: figs
                .iter()
                .map(|f| get(f).map_or("–".into(), show))
                .collect(),
            best: best_of(figs, *get, *better),
        })
        .collect();
    rows.insert(
        rows.len() - 1,
        FigureRow {
            key: "tokens",
            label: "Tokens in / out",
            cells: figs
                .iter()
                .map(|f| format!("{} / {}", f.tokens_in, f.tokens_out))
                .collect(),
            best: vec![false; figs.len()],
        },
    );
    rows.push(FigureRow {
        key: "done",
        label: "Answered / failed",
        cells: figs
            .iter()
            .map(|f| format!("{} / {}", f.done, f.errors))
            .collect(),
        best: vec![false; figs.len()],
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::Usage;

    fn timing(sent: f64, first: f64, done: f64, out: u64) -> TaskTiming {
        TaskTiming {
            itl_ms: Vec::new(),
            gaps: None,
            id: "t".into(),
            queued_ms: 0.0,
            sent_ms: sent,
            first_token_ms: Some(first),
            first_any_ms: None,
            reasoning_tokens: None,
            server: None,
            done_ms: done,
            usage: Some(Usage {
                prompt_tokens: 100,
                completion_tokens: out,
                ..Default::default()
            }),
            ok: true,
            retry_waits: Vec::new(),
        }
    }

    #[test]
    fn figures_count_answered_tasks_and_every_token() {
        // Three answered: first tokens at 100, 200, 400 ms; 10 tokens over
        // 1 s, 0.5 s and 0.25 s of generation. One failed after 50 ms.
        let a = timing(0.0, 100.0, 1100.0, 10);
        let b = timing(0.0, 200.0, 700.0, 10);
        let c = timing(0.0, 400.0, 650.0, 10);
        let mut failed = timing(0.0, 50.0, 50.0, 0);
        failed.usage = None;
        failed.ok = false;
        let f = EndpointFigures::of(
            &[(&a, true), (&b, true), (&c, true), (&failed, false)],
            4,
            Some(1100.0),
            Some(0.5),
        );
        assert_eq!((f.ttft_p50, f.ttft_p90), (Some(200.0), Some(400.0)));
        assert_eq!(f.tps_p50, Some(20.0));
        // 9 in 10 at least this fast: the slowest of three.
        assert_eq!(f.tps_p90, Some(10.0));
        assert_eq!((f.tokens_in, f.tokens_out), (300, 30));
        assert_eq!((f.done, f.errors, f.tasks), (3, 1, 4));
        assert!(!f.complete());
    }

    #[test]
    fn the_best_is_marked_among_endpoints_that_answered_everything() {
        let t = timing(0.0, 100.0, 600.0, 10);
        let done = |wall: f64| EndpointFigures::of(&[(&t, true)], 1, Some(wall), None);
        let failed_fast = EndpointFigures {
            wall_ms: Some(10.0),
            errors: 1,
            tasks: 1,
            ..EndpointFigures::default()
        };
        let all = [done(900.0), failed_fast.clone(), done(300.0), done(300.0)];
        assert_eq!(
            best_of(&all, |f| f.wall_ms, Better::Lower),
            [false, false, true, true]
        );
        assert_eq!(
            best_of(&all[..2], |f| f.wall_ms, Better::Lower),
            [false, false],
            "one contender: nothing to beat"
        );
        let slow = EndpointFigures {
            tps_p50: Some(5.0),
            ..done(1.0)
        };
        let fast = EndpointFigures {
            tps_p50: Some(50.0),
            ..done(1.0)
        };
        assert_eq!(
            best_of(&[slow, fast], |f| f.tps_p50, Better::Higher),
            [false, true]
        );
    }
}
