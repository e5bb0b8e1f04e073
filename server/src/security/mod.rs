//! Signing in and out, the current user, their profile and their UI capabilities.

pub(crate) mod routes;
