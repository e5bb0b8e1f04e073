//! Kibana's saved-objects API for dashboards (docs/saved-objects.md): export, import and its
//! retries, the bulk routes, find and upsert, in every space. Storage is the dashboards' own
//! (`crate::dashboards::store`), and so are the access-control checks of updates and deletes;
//! who owns an imported or created object is the shared decision of
//! `gatehouse_api::saved_objects::import_access`.

mod bulk;
mod export;
mod import;
mod objects;
pub(crate) mod routes;
mod upload;
