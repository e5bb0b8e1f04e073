//! Spaces: their registry and storage, their routes, and who may reach each space.

pub(crate) mod access;
pub(crate) mod routes;
pub(crate) mod store;
