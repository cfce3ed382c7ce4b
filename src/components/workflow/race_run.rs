//! A race started from the Run view: every endpoint's settings and
//! transport, one lane each, the session's events into the race's signals.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;

use super::live::{Form, Live};
use crate::components::job::{RaceStart, begin_race};
use crate::openai::{Transport, now_ms};
use crate::race::live::{Lane, Race};
use crate::session::RunContext;
use crate::session::race::{RaceLane, RaceSession};
use crate::settings::Provider;
use crate::workflow::engine::{FormatMemory, RunSpec, WorkflowEvent};
use crate::workflow::live::RunResults;
use crate::workflow::runner::{Mode, concurrency};

impl Live {
    /// A race: the chosen tasks on every endpoint at once, each under its
    /// own K, each failing on its own.
    pub fn race(self, form: Form) {
        self.job.start(|signal| self.prepare_race(form, signal));
    }

    /// A race's work, or why it cannot start.
    fn prepare_race(
        self,
        form: Form,
        signal: web_sys::AbortSignal,
    ) -> Result<impl Future<Output = ()> + 'static, String> {
        let RaceStart {
            main,
            settings: lane_settings,
            transports,
        } = begin_race(&self.state, signal)?;
        if lane_settings.len() < 2 {
            return Err(
                "A race needs a second endpoint: press \"Add an endpoint to race\" and set its server and model.".into(),
            );
        }
        let (tasks, fans) = self.chosen(&form, &main);
        let n_tasks = tasks.len();
        let lanes: Vec<RaceLane> = lane_settings
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let added = i.checked_sub(1).and_then(|j| main.endpoints.get(j));
                RaceLane {
                    name: match added {
                        Some(e) => e.label(i + 1),
                        None => crate::settings::main_label(&main),
                    },
                    host: s.server_host(),
                    simulated: s.provider == Provider::Demo,
                    spec: RunSpec {
                        limit: added.map_or(form.limit, |e| e.limit),
                        rpm: added.and_then(|e| e.rpm_budget()),
                        fans: fans.clone(),
                        ..s.run_spec(&form.language)
                    },
                    prices: s.prices.clone(),
                }
            })
            .collect();
        let context = RunContext {
            host: main.server_host(),
            simulated: main.provider == Provider::Demo,
            input_name: form.source,
            prices: main.prices.clone(),
        };
        let session =
            RaceSession::new(&form.text, tasks, lanes, context).map_err(|e| e.to_string())?;
        let memories: Vec<Rc<FormatMemory>> = lane_settings
            .iter()
            .map(|s| self.format_memory(s))
            .collect();
        let first = &session.lanes()[0].spec;
        let labels: Vec<String> = first.tasks.iter().map(|t| t.label.clone()).collect();
        self.race.set(Some(Race {
            task_ids: first.tasks.iter().map(|t| t.id.clone()).collect(),
            labels: labels.clone(),
            lanes: session
                .lanes()
                .iter()
                .map(|l| Lane {
                    k: concurrency(Mode::Parallel, l.spec.limit, n_tasks),
                    ..Lane::new(&l.name, &l.spec.model, l.prices.clone(), &labels)
                })
                .collect(),
            wall_ms: None,
        }));
        self.results.set(RunResults::default());
        self.capacity.set(None);
        let race_start = self.go_live();
        let lanes_n = session.lanes().len();
        self.phase.set(format!(
            "Racing {lanes_n} endpoints: the same {n_tasks} tasks on each, all at once…"
        ));
        let race = self.race;
        // One lane of the race, if it is still the one shown.
        let lane = move |n: usize, f: &mut dyn FnMut(&mut Lane)| {
            race.update(|r| {
                if let Some(l) = r.as_mut().and_then(|r| r.lanes.get_mut(n)) {
                    f(l)
                }
            })
        };
        Ok(async move {
            // Page-clock start of each endpoint's run.
            let starts = RefCell::new(vec![race_start; lanes_n]);
            let on_event = |n: usize, e: WorkflowEvent| match e {
                WorkflowEvent::RunStarted { k, .. } => {
                    let at = now_ms();
                    starts.borrow_mut()[n] = at;
                    lane(n, &mut |l| {
                        l.started = true;
                        l.offset = at - race_start;
                        l.k = k;
                    });
                }
                WorkflowEvent::Task(_, i, ev) => {
                    let start = starts.borrow()[n];
                    lane(n, &mut |l| {
                        l.apply(i, &ev, start);
                    });
                }
                WorkflowEvent::RunFinished(_, metrics) => {
                    lane(n, &mut |l| l.wall_ms = Some(metrics.wall_ms))
                }
                WorkflowEvent::Phase(_) => {}
            };
            let refs: Vec<&dyn Transport> = transports.iter().map(|t| &**t).collect();
            let mems: Vec<&FormatMemory> = memories.iter().map(|m| &**m).collect();
            let record = session.run(&refs, &mems, &self.sink(), &on_event).await;
            let wall = record
                .as_ref()
                .and_then(|r| r.kind.race())
                .map(|r| r.wall_ms);
            race.update(|r| {
                if let Some(r) = r.as_mut() {
                    r.wall_ms = wall;
                }
            });
            self.phase.set(match wall {
                Some(w) => format!("Race over in {}.", crate::format::duration_ms(w)),
                None => "Cancelled.".into(),
            });
            self.latest.set(record);
            self.end_live();
        })
    }
}
