//! The one authorization module. Every route guard, capability and index check asks it.
//!
//! It models the two privilege systems Kibana sits on (docs/privileges.md):
//! - Elasticsearch index privileges: role patterns granted on requested patterns
//!   ([`pattern_covers`]), privilege implication ([`index_privilege_implies`]) and
//!   `_has_privileges` ([`has_privileges`]).
//! - Kibana application privileges (`kibana-.kibana`): base (`all`, `read`), space
//!   (`space_all`, `space_read`) and feature (`feature_<id>.<all|read>`) privileges expand into
//!   actions (`login:`, `api:<tag>`, `app:<id>`, `ui:<feature>/<cap>`, `saved_object:<type>/<op>`),
//!   checked by [`check_kibana_actions`]. UI capabilities ([`capabilities`]) are computed with the
//!   same function, so a capability and a route guard can never disagree.
//!
//! Everything here is pure: no I/O, no clock. The one exception is the route guard's extractor
//! ([`Guarded`]), which loads the caller's session before asking the pure checks.

mod documents;
mod elasticsearch;
#[cfg(test)]
mod guard_tests;
mod guards;
mod kibana;
mod patterns;
mod run_as;
mod subjects;
#[cfg(test)]
mod tests;

pub(crate) use documents::*;
pub(crate) use elasticsearch::*;
pub(crate) use guards::*;
pub(crate) use kibana::*;
pub(crate) use patterns::*;
pub(crate) use run_as::*;
pub(crate) use subjects::*;

/// The pattern functions the property tests exercise.
pub use patterns::{pattern_covers, wildcard_match};
