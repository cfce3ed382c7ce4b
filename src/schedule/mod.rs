//! "At most K in flight": the scheduler's pure state machine (K, request and
//! token budgets, back-off on 429) and the one async executor that drives it.

pub mod executor;
pub mod permits;
pub mod scheduler;
