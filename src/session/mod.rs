//! Runs as plain Rust, from what the user asked for to the record kept:
//! a workflow Run click, a batch, and the one path that ends every run.
//! No web_sys or Leptos here: the page implements [`RunSink`] over its state.

pub mod batch;
pub mod capacity;
pub mod finish;
pub mod race;
pub mod workflow;

pub use finish::{RunContext, RunSink, finish_run};
