//! What every feature stands on: the database, sessions, the audit log (and its counts of
//! refusals in bulk), the Kibana request rules, the login rate limit, the one response error,
//! password hashing, precompressed static files, the SPA's files, HTTPS and the test-only fault
//! injection.

pub(crate) mod audit;
pub(crate) mod audit_refusals;
pub(crate) mod browser_headers;
pub(crate) mod connections;
pub(crate) mod db;
pub(crate) mod error;
pub(crate) mod faults;
pub(crate) mod kibana;
pub(crate) mod password;
pub(crate) mod precompress;
pub(crate) mod ratelimit;
pub(crate) mod session;
pub(crate) mod spa;
pub(crate) mod tls;
