//! Threat-hunting leads (contract §3).

use axum::Router;

use crate::db::Db;
use crate::AppState;

pub fn router(_state: AppState) -> Router<AppState> {
    Router::new()
}

pub fn seed_entities(_db: &Db) -> anyhow::Result<bool> {
    Ok(false)
}
