//! Queries over the history: the filtered, sorted list, and the trend of
//! speedup and latency per model over time.

use crate::format::duration_ms;
use crate::history::record::{Kind, RunRecord};
use crate::race::{EndpointFigures, best_of};
use crate::stats::Better;
use crate::workflow::engine::TaskStatus;
use crate::workflow::metrics::TaskTiming;
use crate::workflow::runner::Mode;
use crate::workflow::runner::RunKind;

/// What the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// When it finished.
    Date,
    /// Model id.
    Model,
    /// Speedup (runs without one last).
    Speedup,
    /// Median parallel wall time (runs without one last).
    Parallel,
}

impl SortKey {
    /// Every key, with its name (the select's value) and label.
    pub const ALL: [(SortKey, &'static str, &'static str); 4] = [
        (SortKey::Date, "date", "Date"),
        (SortKey::Model, "model", "Model"),
        (SortKey::Speedup, "speedup", "Speedup"),
        (SortKey::Parallel, "parallel", "Parallel wall time"),
    ];

    /// The key named `name` (Date if unknown).
    pub fn named(name: &str) -> Self {
        Self::ALL
            .iter()
            .find(|k| k.1 == name)
            .map_or(SortKey::Date, |k| k.0)
    }
}

/// The list's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Words that must all appear in the model, host, mode, input name or
    /// task labels (case-insensitive).
    pub filter: String,
    /// Sort key.
    pub sort: SortKey,
    /// Largest (or newest) first.
    pub descending: bool,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            filter: String::new(),
            sort: SortKey::Date,
            descending: true,
        }
    }
}

fn haystack(r: &RunRecord) -> String {
    let mut s = format!(
        "{} {} {} {} {}",
        r.model,
        r.host,
        r.kind.run_kind().name(),
        r.input.name,
        r.tasks.join(" ")
    );
    if r.simulated {
        s.push_str(" simulated demo");
    }
    s.to_lowercase()
}

/// Median parallel wall time of a run, if it had parallel runs.
pub fn parallel_ms(r: &RunRecord) -> Option<f64> {
    r.results().median_wall(Mode::Parallel)
}

/// Speedup of a run, if it ran both modes.
pub fn speedup(r: &RunRecord) -> Option<f64> {
    r.results().comparison().map(|c| c.speedup)
}

/// The headline of a run whose kind has no speedup or parallel wall time:
/// a race's wall time and its fastest endpoint (the one the race table
/// marks best, among those that answered every task), a capacity search's
/// K ("at least" when nothing broke up to the most it tried). `None` for
/// the other kinds, whose list columns are the speedup and the parallel
/// wall time.
pub fn headline(r: &RunRecord) -> Option<String> {
    match &r.kind {
        Kind::Race(race) => {
            // Each endpoint's figures straight from its run (drawing the race
            // again would copy every answer, at every change of the list).
            let figures: Vec<EndpointFigures> = r
                .runs
                .iter()
                .map(|run| {
                    let finished: Vec<(&TaskTiming, bool)> = run
                        .tasks
                        .iter()
                        .map(|t| (&t.timing, t.status == TaskStatus::Done))
                        .collect();
                    EndpointFigures::of(&finished, r.tasks.len(), Some(run.metrics.wall_ms), None)
                })
                .collect();
            let best = best_of(&figures, |f| f.wall_ms, Better::Lower);
            let fastest: Vec<&str> = race
                .endpoints
                .iter()
                .zip(&best)
                .filter(|(_, b)| **b)
                .map(|(e, _)| e.name.as_str())
                .collect();
            let wall = format!("{} wall", duration_ms(race.wall_ms));
            Some(if fastest.is_empty() {
                wall
            } else {
                format!("{wall} · fastest: {}", fastest.join(", "))
            })
        }
        Kind::Imported(i) => i.headline().map(|p| {
            let mut parts = vec![i.source.label().to_string(), p.label.clone()];
            if let Some(r) = p.request_throughput {
                parts.push(format!("{r:.2} req/s"));
            }
            if let Some(t) = p.ttft.median {
                parts.push(format!("first token p50 {}", duration_ms(t)));
            }
            parts.join(" · ")
        }),
        Kind::Capacity(c) => {
            let nothing_broke = c.steps.iter().all(|s| s.held);
            Some(match c.k {
                0 => "holds none at once".to_string(),
                k if nothing_broke => format!("holds at least {k} at once"),
                k => format!("holds {k} at once"),
            })
        }
        _ => None,
    }
}

/// What the history list shows of a run: a few fields, so the list does
/// not copy whole records (answers, batch cells) when it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The run's id.
    pub id: String,
    /// When it finished, ms since the Unix epoch.
    pub at: f64,
    /// Model.
    pub model: String,
    /// Demo provider.
    pub simulated: bool,
    /// Server host.
    pub host: String,
    /// Kind of run.
    pub plan: RunKind,
    /// The input's name.
    pub input: String,
    /// Sequential ÷ parallel, if it ran both.
    pub speedup: Option<f64>,
    /// Median parallel wall time, ms.
    pub parallel_ms: Option<f64>,
    /// Failed tasks or requests.
    pub errors: usize,
    /// The kind's own headline where it has no speedup ([`headline`]).
    pub headline: Option<String>,
    /// The tool that measured it, for another tool's results.
    pub source: Option<&'static str>,
}

/// The rows the query keeps, in its order.
pub fn rows(records: &[RunRecord], q: &Query) -> Vec<Row> {
    list(records, q)
        .into_iter()
        .map(|i| {
            let r = &records[i];
            Row {
                id: r.id.clone(),
                at: r.at,
                model: r.model.clone(),
                simulated: r.simulated,
                host: r.host.clone(),
                plan: r.kind.run_kind(),
                source: r.kind.imported().map(|i| i.source.name()),
                input: r.input.name.clone(),
                speedup: speedup(r),
                parallel_ms: parallel_ms(r),
                errors: r.errors(),
                headline: headline(r),
            }
        })
        .collect()
}

/// Indices of the records the query keeps, in its order (ties keep the
/// stored order; missing values sort last either way).
pub fn list(records: &[RunRecord], q: &Query) -> Vec<usize> {
    let words: Vec<String> = q.filter.split_whitespace().map(str::to_lowercase).collect();
    let mut idx: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let h = haystack(r);
            words.iter().all(|w| h.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
    // Each record's key once, not once per comparison.
    let keys: Vec<Option<f64>> = records
        .iter()
        .map(|r| match q.sort {
            SortKey::Date => Some(r.at),
            SortKey::Speedup => speedup(r),
            SortKey::Parallel => parallel_ms(r),
            SortKey::Model => None,
        })
        .collect();
    let num = |i: usize| keys[i];
    idx.sort_by(|&a, &b| {
        use std::cmp::Ordering;
        let ord = if q.sort == SortKey::Model {
            records[a]
                .model
                .to_lowercase()
                .cmp(&records[b].model.to_lowercase())
        } else {
            match (num(a), num(b)) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                // Missing values last whichever the direction.
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        };
        if q.descending { ord.reverse() } else { ord }
    });
    idx
}

/// One model's points over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Model id.
    pub model: String,
    /// (finished at, speedup) of its runs that have one, oldest first.
    pub speedup: Vec<(f64, f64)>,
    /// (finished at, median task latency ms), oldest first.
    pub latency: Vec<(f64, f64)>,
}

/// Speedup and median latency per model over time. Simulated runs are left
/// out: their times say nothing about a model.
pub fn trend(records: &[RunRecord]) -> Vec<Series> {
    let mut by_time: Vec<&RunRecord> = records.iter().filter(|r| !r.simulated).collect();
    by_time.sort_by(|a, b| a.at.total_cmp(&b.at));
    let mut out: Vec<Series> = Vec::new();
    for r in by_time {
        let i = match out.iter().position(|s| s.model == r.model) {
            Some(i) => i,
            None => {
                out.push(Series {
                    model: r.model.clone(),
                    speedup: Vec::new(),
                    latency: Vec::new(),
                });
                out.len() - 1
            }
        };
        if let Some(s) = speedup(r) {
            out[i].speedup.push((r.at, s));
        }
        if let Some(l) = r.median_latency_ms() {
            out[i].latency.push((r.at, l));
        }
    }
    out.retain(|s| !s.speedup.is_empty() || !s.latency.is_empty());
    out.sort_by(|a, b| a.model.cmp(&b.model));
    out
}

/// A size as people read it: "820 B", "14.2 KB", "3.1 MB".
pub fn size_text(bytes: usize) -> String {
    let b = bytes as f64;
    if b < 1000.0 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{:.1} MB", b / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::Kind;
    use crate::history::record::fixtures::compare;

    fn history() -> Vec<RunRecord> {
        let mut only_par = compare("gpt-4o", 3e12, 400.0, 2, "x");
        only_par.runs.remove(0);
        only_par.kind = Kind::Parallel;
        vec![
            compare("gpt-4o-mini", 1e12, 1000.0, 3, "x"), // speedup 2.99
            compare("gpt-4o", 2e12, 500.0, 6, "x"),       // speedup 5.96
            only_par,                                     // no speedup
            compare("Llama-3", 4e12, 100.0, 2, "x"),      // speedup 1.98
        ]
    }

    #[test]
    fn the_list_sorts_each_way_with_missing_values_last() {
        let h = history();
        let q = |sort, descending| Query {
            sort,
            descending,
            ..Query::default()
        };
        assert_eq!(list(&h, &Query::default()), vec![3, 2, 1, 0]);
        assert_eq!(list(&h, &q(SortKey::Date, false)), vec![0, 1, 2, 3]);
        assert_eq!(list(&h, &q(SortKey::Speedup, true)), vec![1, 0, 3, 2]);
        assert_eq!(list(&h, &q(SortKey::Speedup, false)), vec![3, 0, 1, 2]);
        assert_eq!(list(&h, &q(SortKey::Parallel, false)), vec![3, 2, 1, 0]);
        // Case-insensitive by model; equal models keep stored order.
        assert_eq!(list(&h, &q(SortKey::Model, false)), vec![1, 2, 0, 3]);
        // The list's rows follow the same order, with the figures it shows.
        let shown = rows(&h, &q(SortKey::Speedup, true));
        let ids: Vec<&str> = shown.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [&h[1].id, &h[0].id, &h[3].id, &h[2].id]);
        assert_eq!(shown[0].speedup, speedup(&h[1]));
        assert_eq!(shown[2].parallel_ms, parallel_ms(&h[3]));
        assert_eq!(shown[3].speedup, None);
        assert_eq!(SortKey::named("speedup"), SortKey::Speedup);
        assert_eq!(SortKey::named("nonsense"), SortKey::Date);
    }

    #[test]
    fn the_filter_needs_every_word_anywhere() {
        let h = history();
        let f = |text: &str| {
            list(
                &h,
                &Query {
                    filter: text.into(),
                    ..Query::default()
                },
            )
        };
        assert_eq!(f("GPT-4O"), vec![2, 1, 0]);
        assert_eq!(f("4o mini"), vec![0]);
        assert_eq!(f("parallel"), vec![2]);
        assert_eq!(f("llama compare sentiment"), vec![3]);
        assert_eq!(f("product review"), vec![3, 2, 1, 0]);
        assert!(f("claude").is_empty());
        assert_eq!(f("   "), vec![3, 2, 1, 0]);
    }

    #[test]
    fn the_trend_follows_each_model_over_time() {
        let mut h = history();
        let mut sim = compare("gpt-4o", 5e12, 100.0, 2, "x");
        sim.simulated = true;
        h.push(sim);
        let t = trend(&h);
        assert_eq!(
            t.iter().map(|s| s.model.as_str()).collect::<Vec<_>>(),
            vec!["Llama-3", "gpt-4o", "gpt-4o-mini"]
        );
        let g = &t[1];
        // The parallel-only run has a latency but no speedup; the simulated
        // run is not there.
        assert_eq!(g.speedup.len(), 1);
        assert_eq!(g.speedup[0].0, 2e12);
        assert!((g.speedup[0].1 - 3000.0 / 505.0).abs() < 1e-9);
        assert_eq!(
            g.latency.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![2e12, 3e12]
        );
        assert_eq!(g.latency[0].1, 500.0);
    }

    #[test]
    fn races_and_capacity_searches_have_their_own_headline() {
        use crate::capacity::{Capacity, RequestStats, Step, Targets};
        use crate::history::record::{RaceEndpoint, RaceEntry};
        // A race of two endpoints: the sequential run (3 × 1 s) and the
        // parallel one (about 1 s) as their lanes; the second is faster.
        let mut race = compare("m", 1e12, 1000.0, 3, "x");
        let lane = |name: &str| RaceEndpoint {
            name: name.into(),
            host: "demo".into(),
            model: "m".into(),
            simulated: true,
            cost_usd: None,
            offset_ms: 0.0,
        };
        race.kind = Kind::Race(RaceEntry {
            endpoints: vec![lane("Slow one"), lane("Quick one")],
            task_ids: vec!["summary".into(), "sentiment".into(), "keywords".into()],
            wall_ms: 3100.0,
        });
        assert_eq!(
            headline(&race).as_deref(),
            Some("3.10 s wall · fastest: Quick one")
        );
        assert_eq!(
            rows(&[race.clone()], &Query::default())[0].headline,
            headline(&race)
        );
        // One endpoint that answered everything: no contest, wall alone.
        race.runs[1].tasks[0].status = crate::workflow::engine::TaskStatus::Error;
        assert_eq!(headline(&race).as_deref(), Some("3.10 s wall"));

        let step = |k: usize, held: bool| Step {
            k,
            stats: RequestStats::default(),
            held,
            again: 0,
            close: false,
        };
        let capacity = |steps: Vec<Step>, k: usize| Capacity {
            targets: Targets::default(),
            steps,
            k,
            sentence: String::new(),
            reason: None,
            capped: None,
            too_few: Vec::new(),
            requests: 0,
            cancelled: false,
            rate_limit: None,
        };
        let mut search = compare("m", 1e12, 1000.0, 1, "x");
        search.kind = Kind::Capacity(Box::new(capacity(
            vec![step(1, true), step(2, true), step(4, false), step(3, true)],
            3,
        )));
        assert_eq!(headline(&search).as_deref(), Some("holds 3 at once"));
        search.kind = Kind::Capacity(Box::new(capacity(vec![step(1, true), step(2, true)], 2)));
        assert_eq!(
            headline(&search).as_deref(),
            Some("holds at least 2 at once")
        );
        search.kind = Kind::Capacity(Box::new(capacity(vec![step(1, false)], 0)));
        assert_eq!(headline(&search).as_deref(), Some("holds none at once"));
        // Runs with a speedup keep their columns.
        assert_eq!(headline(&compare("m", 1e12, 1000.0, 2, "x")), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(size_text(820), "820 B");
        assert_eq!(size_text(14_200), "14.2 KB");
        assert_eq!(size_text(3_100_000), "3.1 MB");
    }
}
