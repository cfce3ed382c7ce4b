//! Fanout: run LLM tasks in parallel from the browser and see what
//! parallelism buys. The app is client-side Leptos; the API client and all
//! logic live in plain modules with native tests.

pub mod app;
pub mod batch;
pub mod capacity;
pub mod charts;
pub mod components;
pub mod connect;
pub mod demo;
pub mod extract;
pub mod format;
pub mod history;
pub mod openai;
pub mod pool;
pub mod providers;
pub mod race;
pub mod samples;
pub mod schedule;
pub mod session;
pub mod settings;
pub mod share;
pub mod state;
pub mod stats;
#[cfg(test)]
pub(crate) mod testing;
pub mod workflow;
