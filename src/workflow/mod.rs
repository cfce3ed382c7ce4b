//! The six-task workflow: task definitions, scheduling and metrics.

pub mod batch;
pub mod batch_api;
pub mod catalog;
pub mod cost;
pub mod documents;
pub mod engine;
pub mod extract;
pub mod input;
pub mod live;
pub mod metrics;
pub mod order;
pub mod runner;
pub mod scheduler;
pub mod structured;
pub mod tasks;
