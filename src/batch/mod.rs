//! Batches: many documents × the chosen tasks. Documents in (files, CSV,
//! JSONL, PDF/Word), jobs and their order, the driver, saved state, progress,
//! exports, and the OpenAI Batch API file format.

pub mod batch_api;
pub mod documents;
pub mod driver;
pub mod export;
pub mod jobs;
pub mod progress;
pub mod saved;
