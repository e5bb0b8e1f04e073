//! Dashboards as Kibana saved objects with access control, and the user profiles their owners
//! are shown by: storage, routes, and the profile routes.

mod access_control;
pub(crate) mod profiles;
pub(crate) mod routes;
pub(crate) mod store;
