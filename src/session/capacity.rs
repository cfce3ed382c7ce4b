//! A capacity Run click as a session: the input checked like a workflow's,
//! the search run through [`run_capacity`], and the result kept as one
//! history record. Nothing is learned for expected durations: times under
//! load are not what one request takes.

use crate::capacity::{Cap, Capacity, CapacityEvent, Targets, run_capacity};
use crate::history::RunRecord;
use crate::openai::Transport;
use crate::session::finish::{RunContext, RunSink, finish_run};
use crate::session::workflow::InputError;
use crate::workflow::engine::{FormatMemory, RunSpec};
use crate::workflow::input::looks_binary;

/// One capacity search, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySession {
    spec: RunSpec,
    targets: Targets,
    max: usize,
    context: RunContext,
}

impl CapacitySession {
    /// Checks the input: `spec` carries the text and the ticked tasks;
    /// `max` bounds K (the concurrency field, or [`crate::capacity::MAX_K`]).
    pub fn new(
        spec: RunSpec,
        targets: Targets,
        max: usize,
        context: RunContext,
    ) -> Result<Self, InputError> {
        if spec.text.trim().is_empty() {
            return Err(InputError::Empty);
        }
        if looks_binary(&spec.text) {
            return Err(InputError::Binary);
        }
        if spec.tasks.is_empty() {
            return Err(InputError::NoTasks);
        }
        Ok(Self {
            spec,
            targets,
            max,
            context,
        })
    }

    /// Runs the search, reporting through `on`, and keeps its record in `sink`.
    pub async fn run(
        &self,
        transport: &dyn Transport,
        cap: &dyn Fn() -> Option<Cap>,
        sink: &dyn RunSink,
        on: &dyn Fn(CapacityEvent),
    ) -> (Capacity, RunRecord) {
        let memory = FormatMemory::default();
        let (result, tokens) = run_capacity(
            transport,
            &self.spec,
            self.targets,
            self.max,
            cap,
            &memory,
            on,
        )
        .await;
        let kept = result.clone();
        let record = finish_run(
            sink,
            &self.context,
            &self.spec.model,
            tokens,
            result.cancelled,
            |meta| RunRecord::capacity(meta, &self.spec, kept),
            Vec::new(),
        );
        (result, record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::run::tests::SlotServer;
    use crate::session::finish::Kept;
    use crate::workflow::runner::RunKind;
    use crate::workflow::tasks::builtin_tasks;
    use std::rc::Rc;

    #[test]
    fn the_search_is_kept_as_one_record_that_imports_again() {
        let spec = RunSpec {
            text: "A text.".into(),
            tasks: builtin_tasks().into_iter().take(2).collect(),
            ..RunSpec::new("m")
        };
        let targets = Targets {
            ttft_p90_ms: 450.0,
            tokens_per_s_p90: 20.0,
            ..Targets::default()
        };
        let session = CapacitySession::new(spec, targets, 64, RunContext::default()).unwrap();
        let server = Rc::new(SlotServer::new(3, 300.0, 200.0));
        let s = server.clone();
        let kept = Rc::new(Kept::default());
        let k2 = kept.clone();
        let (result, record) =
            server.drive(async move { session.run(&*s, &|| None, &*k2, &|_| {}).await });
        assert_eq!(result.k, 3);
        assert_eq!(record.kind.run_kind(), RunKind::Capacity);
        assert_eq!(kept.records.borrow().len(), 1);
        assert!(kept.learned.borrow().is_empty());
        let again = RunRecord::import(&record.to_json()).unwrap();
        assert_eq!(again.kind, record.kind);
        // A capacity plan without its steps is refused.
        let mut broken: serde_json::Value = serde_json::from_str(&record.to_json()).unwrap();
        broken.as_object_mut().unwrap().remove("capacity");
        assert!(RunRecord::import(&broken.to_string()).is_err());
    }

    #[test]
    fn bad_input_is_refused_before_anything_is_sent() {
        let spec = RunSpec::new("m");
        let err = CapacitySession::new(spec, Targets::default(), 64, RunContext::default());
        assert_eq!(err.unwrap_err(), InputError::Empty);
    }
}
