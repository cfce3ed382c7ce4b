//! One text × the chosen tasks: task definitions and their catalogue,
//! the engine that runs them, start order, metrics, costs and live rows.

pub mod agreement;
pub mod catalog;
pub mod cost;
pub mod engine;
pub mod input;
pub mod live;
pub mod metrics;
pub mod order;
pub mod runner;
pub mod split;
pub mod structured;
pub mod tasks;
