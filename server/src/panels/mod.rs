//! Dashboard panels that read real data (docs/panels.md): `POST /internal/gatehouse/panels/_query`
//! answers a panel query with the caller's own privileges. The rules a query follows are shared
//! with the SPA in `gatehouse_api::panels`.

mod logic;
pub(crate) mod routes;
