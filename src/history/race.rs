//! A kept race drawn again: the live race's lanes rebuilt from its record
//! (the history sits above the race, so the record knows how to draw it).

use crate::history::RunRecord;
use crate::race::live::{Lane, Race};

impl RunRecord {
    /// The race as its record keeps it, drawn again.
    pub fn race_drawn(&self) -> Option<Race> {
        let r = self;
        let race = r.kind.race()?;
        let lanes = race
            .endpoints
            .iter()
            .zip(&r.runs)
            .map(|(e, run)| {
                let mut lane = Lane::new(&e.name, &e.model, Vec::new(), &r.tasks);
                lane.k = run.k;
                lane.offset = e.offset_ms;
                lane.started = true;
                lane.cost_usd = e.cost_usd;
                lane.wall_ms = Some(run.metrics.wall_ms);
                for (i, t) in run.tasks.iter().enumerate() {
                    lane.rows[i] = t.live_row(None);
                    lane.texts[i] = t.text.clone();
                    lane.timings[i] = Some(t.timing.clone());
                }
                lane
            })
            .collect();
        Some(Race {
            task_ids: race.task_ids.clone(),
            labels: r.tasks.clone(),
            lanes,
            wall_ms: Some(race.wall_ms),
        })
    }
}
