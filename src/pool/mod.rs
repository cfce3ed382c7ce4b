//! Pools: one batch spread over several servers (the connection and the
//! endpoints added on the Run view), each with its own key, model, K,
//! budgets and lanes; a member that fails cools down and its jobs go to
//! the others.

pub mod router;
pub mod transport;

pub use router::{MemberFigures, MemberLimits, MemberState, Outcome, Policy, Router};
pub use transport::{Member, PoolTransport, outcome_of};
