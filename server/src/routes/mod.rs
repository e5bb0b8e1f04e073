//! HTTP handlers, one module per area.

pub mod dashboards;
pub mod leads;
pub mod profiles;
pub mod security;
pub mod spa;
