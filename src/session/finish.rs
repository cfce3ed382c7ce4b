//! The one way a run ends: its meta (date, server, cost), its record kept
//! in the history, and what it measured learned for the next runs.

use crate::history::RunRecord;
use crate::history::record::Meta;
use crate::workflow::cost::{Price, estimate_usd};
use crate::workflow::order::Observation;

/// The world a session reports to: the page keeps records in its history
/// and durations in its log; tests keep them in vectors.
pub trait RunSink {
    /// The date now, ms since the Unix epoch (records are dated by it).
    fn date_ms(&self) -> f64;
    /// Keeps a finished run (replacing one with the same id).
    fn keep(&self, record: RunRecord);
    /// Learns what finished requests took, for expected durations.
    fn learn(&self, observations: Vec<Observation>);
}

/// What a run needs to know of the settings and the input besides its spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunContext {
    /// The server's host ("demo" for the demo provider).
    pub host: String,
    /// Answered by the demo provider.
    pub simulated: bool,
    /// The input's name in the history (a sample, a file, "Your own text").
    pub input_name: String,
    /// The price table, for the cost estimate.
    pub prices: Vec<Price>,
}

/// Ends a run: dates it, prices its tokens (in, out) for `model`, builds
/// its record with `make`, keeps it and learns `observations`.
pub fn finish_run(
    sink: &dyn RunSink,
    ctx: &RunContext,
    model: &str,
    tokens: (u64, u64),
    cancelled: bool,
    make: impl FnOnce(Meta) -> RunRecord,
    observations: Vec<Observation>,
) -> RunRecord {
    let meta = Meta {
        at: sink.date_ms(),
        host: ctx.host.clone(),
        simulated: ctx.simulated,
        input_name: ctx.input_name.clone(),
        cost_usd: estimate_usd(&ctx.prices, model, tokens.0, tokens.1),
        cancelled,
    };
    let record = make(meta);
    sink.keep(record.clone());
    if !observations.is_empty() {
        sink.learn(observations);
    }
    record
}

/// A sink that keeps everything in memory, for tests.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct Kept {
    pub records: std::cell::RefCell<Vec<RunRecord>>,
    pub learned: std::cell::RefCell<Vec<Observation>>,
    /// Jobs whose cells a batch saved, in order.
    pub saved: std::cell::RefCell<Vec<usize>>,
}

#[cfg(test)]
impl RunSink for Kept {
    fn date_ms(&self) -> f64 {
        1_700_000_000_000.0
    }
    fn keep(&self, record: RunRecord) {
        let mut all = self.records.borrow_mut();
        all.retain(|r| r.id != record.id);
        all.push(record);
    }
    fn learn(&self, observations: Vec<Observation>) {
        self.learned.borrow_mut().extend(observations);
    }
}
