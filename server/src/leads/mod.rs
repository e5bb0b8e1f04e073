//! Threat-hunting leads: deterministic entity data, the lead builder, and their SQLite storage.
//!
//! Leads live in a table keyed by the index name Kibana would use
//! (`.entity_analytics.entity-leads-<space>`); an index "exists" once a row in `lead_indices`
//! names it (created by enable or by the first successful generate, as the internal user).

mod build;
#[cfg(test)]
mod card_rule_tests;
mod changes;
mod connector;
mod entities;
pub(crate) mod find_cache;
pub(crate) mod first_paint;
mod kept;
pub(crate) mod routes;
#[cfg(test)]
mod runs_tests;
mod store;
#[cfg(test)]
mod tests;
mod visible;

pub(crate) use build::*;
pub(crate) use entities::*;
pub(crate) use kept::*;
pub(crate) use store::*;
pub(crate) use visible::*;

/// Bulk synthetic leads, for the load tests and the bench.
pub use crate::seed::entities::insert_synthetic_leads;
