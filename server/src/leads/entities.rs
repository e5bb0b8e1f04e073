//! The entities leads are built from, in SQLite.

use rusqlite::{params, Connection};

#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub id: String,
    pub entity_type: String,
    pub name: String,
    pub risk_score: f64,
    pub alerts_critical: u32,
    pub alerts_high: u32,
    pub alerts_medium: u32,
    pub alerts_low: u32,
    pub criticality: Option<String>,
}

impl Entity {
    pub fn total_alerts(&self) -> u32 {
        self.alerts_critical + self.alerts_high + self.alerts_medium + self.alerts_low
    }
}

pub fn insert_entities(conn: &Connection, entities: &[Entity]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO entities (id, entity_type, name, risk_score, alerts_critical, alerts_high,
         alerts_medium, alerts_low, criticality) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for e in entities {
        stmt.execute(params![
            e.id,
            e.entity_type,
            e.name,
            e.risk_score,
            e.alerts_critical,
            e.alerts_high,
            e.alerts_medium,
            e.alerts_low,
            e.criticality
        ])?;
    }
    Ok(())
}

pub fn load_entities(conn: &Connection) -> rusqlite::Result<Vec<Entity>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, entity_type, name, risk_score, alerts_critical, alerts_high, alerts_medium, alerts_low,
         criticality FROM entities ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Entity {
            id: r.get(0)?,
            entity_type: r.get(1)?,
            name: r.get(2)?,
            risk_score: r.get(3)?,
            alerts_critical: r.get(4)?,
            alerts_high: r.get(5)?,
            alerts_medium: r.get(6)?,
            alerts_low: r.get(7)?,
            criticality: r.get(8)?,
        })
    })?;
    rows.collect()
}
