//! A capacity search started from the Run view: the session run on the
//! settings' transport, its events into the capacity view's signal.

use leptos::prelude::*;
use std::future::Future;

use super::live::{Form, Live};
use crate::capacity::{CapacityEvent, MAX_K, Targets, browser_cap};
use crate::components::browser::next_hop_protocol;
use crate::components::capacity::CapacityLive;
use crate::components::job::begin;
use crate::openai::request::chat_completions_url;
use crate::session::RunContext;
use crate::session::capacity::CapacitySession;
use crate::settings::Provider;
use crate::workflow::engine::RunSpec;
use crate::workflow::live::RunResults;

impl Live {
    /// Finds the most requests at once the server holds for the chosen
    /// tasks within `targets`, up to the form's K when set.
    pub fn capacity(self, form: Form, targets: Targets) {
        self.job
            .start(|signal| self.prepare_capacity(form, targets, signal));
    }

    /// A capacity search's work, or why it cannot start.
    fn prepare_capacity(
        self,
        form: Form,
        targets: Targets,
        signal: web_sys::AbortSignal,
    ) -> Result<impl Future<Output = ()> + 'static, String> {
        let state = self.state;
        let (settings, transport) = begin(&state, signal)?;
        let tasks = state
            .tasks
            .with_untracked(|c| c.chosen(&state.selected.get_untracked()));
        let spec = RunSpec {
            text: form.text,
            tasks,
            ..settings.run_spec(&form.language)
        };
        let demo = settings.provider == Provider::Demo;
        let context = RunContext {
            host: settings.server_host(),
            simulated: demo,
            input_name: form.source,
            prices: settings.prices.clone(),
        };
        let max = if form.limit > 0 { form.limit } else { MAX_K };
        let session =
            CapacitySession::new(spec, targets, max, context).map_err(|e| e.to_string())?;
        let base = settings.base_url.trim().to_string();
        let lanes = settings.lane_count();
        let shown = self.capacity;
        shown.set(Some(CapacityLive {
            targets,
            simulated: demo,
            ..CapacityLive::default()
        }));
        self.race.set(None);
        self.results.set(RunResults::default());
        self.go_live();
        let phase = self.phase;
        Ok(async move {
            // Read after the warm-up, once the browser has reached the server.
            let cap = || {
                if demo {
                    return None;
                }
                let protocol = next_hop_protocol(&chat_completions_url(&base));
                browser_cap(&base, protocol.as_deref(), lanes)
            };
            let on = |e: CapacityEvent| match e {
                CapacityEvent::Phase(p) => phase.set(p),
                CapacityEvent::Progress { k, done, total } => shown.update(|c| {
                    if let Some(c) = c {
                        c.progress = Some((k, done, total));
                    }
                }),
                CapacityEvent::Step(s) => shown.update(|c| {
                    if let Some(c) = c {
                        c.steps.push(*s);
                    }
                }),
            };
            let (result, record) = session.run(&*transport, &cap, &self.sink(), &on).await;
            shown.update(|c| {
                if let Some(c) = c {
                    c.result = Some(result);
                }
            });
            self.latest.set(Some(record));
            self.end_live();
        })
    }
}
