//! HTTP handlers, one module per area.

pub mod leads;
pub mod security;
pub mod spa;
