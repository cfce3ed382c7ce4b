//! The six-task workflow: task definitions, scheduling and metrics.

pub mod cost;
pub mod input;
pub mod metrics;
pub mod runner;
pub mod tasks;
