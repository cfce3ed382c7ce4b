//! The race's views: the endpoints to race (endpoint 1 is the connection
//! in the settings; 2–4 are added here) and a race's results.

mod endpoints;
mod results;

pub use endpoints::EndpointList;
pub use results::RaceResults;
