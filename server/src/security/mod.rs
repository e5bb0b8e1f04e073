//! Signing in and out, the current user, their profile and their UI capabilities.

pub(crate) mod audit_log;
pub(crate) mod routes;
pub(crate) mod run_as;
