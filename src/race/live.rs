//! A race as the page shows it, live or reopened from history: per
//! endpoint its rows on the shared timeline, its answers, its figures; per
//! task how far the endpoints agree.

use crate::charts::timeline::TimelineRow;
use crate::race::EndpointFigures;
use crate::workflow::agreement::{Agreement, agreement};
use crate::workflow::cost::{Price, estimate_usd};
use crate::workflow::engine::{TaskEvent, TaskStatus};
use crate::workflow::live::LiveRow;
use crate::workflow::metrics::TaskTiming;
use crate::workflow::structured::{Field, parse_fields, schema_for};

/// One endpoint's lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// Its name.
    pub name: String,
    /// Its model.
    pub model: String,
    /// Its prices (its own first), for the cost so far.
    pub prices: Vec<Price>,
    /// Tasks in flight at most.
    pub k: usize,
    /// When its run started after the race's start, ms (the page clock).
    pub offset: f64,
    /// Its run started.
    pub started: bool,
    /// Per task: the timeline row (times since its run started).
    pub rows: Vec<LiveRow>,
    /// Per task: the answer so far.
    pub texts: Vec<String>,
    /// Per task, once finished: its timing.
    pub timings: Vec<Option<TaskTiming>>,
    /// Its wall time (its run's start to its last task), once finished.
    pub wall_ms: Option<f64>,
    /// Its cost as kept, for a reopened race (a live one prices its tokens).
    pub cost_usd: Option<f64>,
}

impl Lane {
    /// A lane about to start on `labels`.
    pub fn new(name: &str, model: &str, prices: Vec<Price>, labels: &[String]) -> Self {
        Self {
            name: name.to_string(),
            model: model.to_string(),
            prices,
            k: labels.len(),
            offset: 0.0,
            started: false,
            rows: labels.iter().map(|l| LiveRow::pending(l, None)).collect(),
            texts: vec![String::new(); labels.len()],
            timings: vec![None; labels.len()],
            wall_ms: None,
            cost_usd: None,
        }
    }

    /// `done` when every task answered, `error` once one failed or was
    /// cancelled, `running` before (the `data-status` of `race-<n>`).
    pub fn status(&self) -> &'static str {
        if self
            .rows
            .iter()
            .any(|r| matches!(r.status, TaskStatus::Error | TaskStatus::Cancelled))
        {
            "error"
        } else if self.rows.iter().all(|r| r.status == TaskStatus::Done) {
            "done"
        } else {
            "running"
        }
    }

    /// Tasks answered.
    pub fn done(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == TaskStatus::Done)
            .count()
    }

    /// Folds one event of task `i` in; `run_start` is the lane's run start
    /// on the page clock. Returns whether anything the page shows changed.
    pub fn apply(&mut self, i: usize, event: &TaskEvent, run_start: f64) -> bool {
        let (Some(row), Some(text)) = (self.rows.get_mut(i), self.texts.get_mut(i)) else {
            return false;
        };
        match event {
            TaskEvent::Text { delta, .. } => text.push_str(delta),
            TaskEvent::Attempt { restart: true, .. } => text.clear(),
            TaskEvent::Finished(r) => {
                *text = r.output.text.clone();
                self.timings[i] = Some(r.timing.clone());
            }
            _ => {}
        }
        row.apply(event, run_start);
        true
    }

    /// Its figures so far.
    pub fn figures(&self) -> EndpointFigures {
        let finished: Vec<(&TaskTiming, bool)> = self
            .timings
            .iter()
            .zip(&self.rows)
            .filter_map(|(t, r)| Some((t.as_ref()?, r.status == TaskStatus::Done)))
            .collect();
        let tokens = finished
            .iter()
            .filter_map(|f| f.0.usage)
            .fold((0, 0), |(i, o), u| {
                (i + u.prompt_tokens, o + u.completion_tokens)
            });
        let cost = self
            .cost_usd
            .or_else(|| estimate_usd(&self.prices, &self.model, tokens.0, tokens.1));
        EndpointFigures::of(&finished, self.rows.len(), self.wall_ms, cost)
    }
}

/// A race: its lanes and its tasks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Race {
    /// Task ids, in card order.
    pub task_ids: Vec<String>,
    /// Task labels.
    pub labels: Vec<String>,
    /// One per endpoint.
    pub lanes: Vec<Lane>,
    /// Race start to the last answer, once over.
    pub wall_ms: Option<f64>,
}

impl Race {
    /// Lane `n`'s answer to task `t` as fields, as its card shows them: once
    /// the task is done, for a task with a schema whose answer parses.
    pub fn fields(&self, n: usize, t: usize) -> Option<Vec<Field>> {
        let lane = self.lanes.get(n)?;
        if lane.rows.get(t)?.status != TaskStatus::Done {
            return None;
        }
        parse_fields(&schema_for(self.task_ids.get(t)?)?, lane.texts.get(t)?)
    }

    /// Every lane's figures.
    pub fn figures(&self) -> Vec<EndpointFigures> {
        self.lanes.iter().map(Lane::figures).collect()
    }

    /// Per task, how far the endpoints agree (structured tasks with two or
    /// more readable answers).
    pub fn agreements(&self) -> Vec<Option<Agreement>> {
        self.task_ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let answers: Vec<Option<&str>> = self
                    .lanes
                    .iter()
                    .map(|l| (l.rows[i].status == TaskStatus::Done).then_some(l.texts[i].as_str()))
                    .collect();
                agreement(id, &answers)
            })
            .collect()
    }

    /// The timeline's rows on one time axis (the race's start), one group
    /// per endpoint; running bars reach `now` (ms since the race started).
    pub fn timeline(&self, now: Option<f64>) -> Vec<TimelineRow> {
        self.lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| l.started)
            .flat_map(|(n, l)| {
                let lane_now = now.map(|t| t - l.offset);
                l.rows.iter().map(move |r| {
                    let row = r.to_timeline(crate::workflow::runner::Mode::Parallel, lane_now);
                    TimelineRow {
                        label: format!("{} · {}", r.label, n + 1),
                        group: format!("endpoint-{}", n + 1),
                        start_ms: row.start_ms + l.offset,
                        first_token_ms: row.first_token_ms.map(|f| f + l.offset),
                        end_ms: row.end_ms + l.offset,
                        waits: row
                            .waits
                            .iter()
                            .map(|(a, b)| (a + l.offset, b + l.offset))
                            .collect(),
                        parts: row
                            .parts
                            .iter()
                            .map(|(a, b, c)| (a + l.offset, b + l.offset, *c))
                            .collect(),
                        ..row
                    }
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_done_structured_answer_reads_as_the_cards_fields() {
        let labels = vec!["Sentiment".to_string(), "Summary".to_string()];
        let mut lane = Lane::new("A", "m", Vec::new(), &labels);
        lane.texts[0] = r#"{"sentiment":"positive","reason":"Liked it."}"#.into();
        lane.texts[1] = "A short summary.".into();
        let mut race = Race {
            task_ids: vec!["sentiment".into(), "summary".into()],
            labels,
            lanes: vec![lane],
            wall_ms: None,
        };
        // Still streaming: no fields yet.
        assert_eq!(race.fields(0, 0), None);
        race.lanes[0].rows[0].status = TaskStatus::Done;
        race.lanes[0].rows[1].status = TaskStatus::Done;
        let fields = race.fields(0, 0).unwrap();
        let read: Vec<(&str, &str)> = fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(read, [("sentiment", "positive"), ("reason", "Liked it.")]);
        // A task without a schema, an unreadable answer, a lane or task
        // that does not exist: shown as text.
        assert_eq!(race.fields(0, 1), None);
        race.lanes[0].texts[0] = "{not json".into();
        assert_eq!(race.fields(0, 0), None);
        assert_eq!(race.fields(1, 0), None);
        assert_eq!(race.fields(0, 2), None);
    }
}
