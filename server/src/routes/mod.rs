//! HTTP handlers, one module per area.

pub mod admin;
pub mod console;
pub mod dashboards;
pub mod leads;
pub mod profiles;
pub mod search;
pub mod security;
pub mod spa;
pub mod space_access;
pub mod spaces;
