//! Wire types of the Kibana contract (the HTTP contract in `docs/`, docs/README.md) and the pure decisions built on
//! them. Both the wasm SPA and the native server depend on this crate, so nothing here touches I/O.

pub mod access;
pub mod admin;
pub mod announce;
pub mod apps;
pub mod audit;
pub mod audit_page;
pub mod dashboards;
pub mod doc_query;
pub mod error;
pub mod headers;
pub mod instant;
pub mod last_space;
pub mod leads;
pub mod leads_page;
pub mod panels;
pub mod query_string;
pub mod role_check;
pub mod rules;
pub mod run_as;
pub mod saved_objects;
pub mod saved_objects_page;
pub mod search;
pub mod security;
pub mod space_access;
pub mod spaces;
pub mod text;
pub mod toasts;
pub mod view_as;

pub use error::{ApiError, ErrorKind};
