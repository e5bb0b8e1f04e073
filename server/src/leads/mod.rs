//! Threat-hunting leads: deterministic entity data, the lead builder, and their SQLite storage.
//!
//! Leads live in a table keyed by the index name Kibana would use
//! (`.entity_analytics.entity-leads-<space>`); an index "exists" once a row in `lead_indices`
//! names it (created by enable or by the first successful generate, as the internal user).

pub(crate) mod find_cache;
pub(crate) mod first_paint;
pub(crate) mod routes;

use gatehouse_api::leads::{
    EntityRef, Lead, LeadsStatus, Observation, SortField, SortOrder, DEFAULT_PER_PAGE,
};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use crate::platform::db::{self, Db};

/// SplitMix64: a tiny deterministic PRNG, so seeded data is the same on every machine.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

pub const ENTITY_SEED: u64 = 0x6A7E_4005_2026_0001;
pub const ENTITY_COUNT: usize = 300;

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

const HOST_PREFIXES: &[&str] = &[
    "web", "db", "app", "dc", "mail", "vpn", "build", "k8s-node", "laptop", "fs", "proxy", "jump",
];
const USER_NAMES: &[&str] = &[
    "jsmith",
    "mgarcia",
    "akhan",
    "lchen",
    "rpatel",
    "skim",
    "dnguyen",
    "ewilson",
    "tbrown",
    "ojohnson",
    "nlopez",
    "hmuller",
    "ysato",
    "kowalski",
    "fdubois",
    "irossi",
    "pnovak",
    "gsilva",
    "vpetrov",
    "cmurphy",
    "admin",
    "svc_backup",
    "root",
    "helpdesk",
];
const SERVICES: &[&str] = &[
    "payments-api",
    "auth-service",
    "billing-worker",
    "search-indexer",
    "notification-hub",
    "inventory-db",
    "report-builder",
    "sso-gateway",
    "file-sync",
    "ci-runner",
];
const CRITICALITIES: &[Option<&str>] = &[
    None,
    None,
    None,
    None,
    Some("low_impact"),
    Some("medium_impact"),
    Some("high_impact"),
    Some("extreme_impact"),
];

/// The entity data generate reads: hosts, users and services with risk scores, alert counts
/// and asset criticality. The same for a given seed, everywhere.
pub fn demo_entities(seed: u64, count: usize) -> Vec<Entity> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (entity_type, name) = match i % 10 {
            0..=4 => {
                let n = i / 10 * 5 + i % 10;
                let prefix = HOST_PREFIXES[n % HOST_PREFIXES.len()];
                (
                    "host",
                    format!("{prefix}-{:02}", n / HOST_PREFIXES.len() + 1),
                )
            }
            5..=8 => {
                let n = i / 10 * 4 + (i % 10 - 5);
                let base = USER_NAMES[n % USER_NAMES.len()];
                let round = n / USER_NAMES.len();
                (
                    "user",
                    if round == 0 {
                        base.to_string()
                    } else {
                        format!("{base}{round}")
                    },
                )
            }
            _ => {
                let n = i / 10;
                let base = SERVICES[n % SERVICES.len()];
                let round = n / SERVICES.len();
                (
                    "service",
                    if round == 0 {
                        base.to_string()
                    } else {
                        format!("{base}-{}", round + 1)
                    },
                )
            }
        };
        // Most entities are quiet; a few are loud.
        let risk = (rng.unit().powf(2.2) * 100.0 * 100.0).round() / 100.0;
        let mut count_if = |p: f64, max: u64| {
            if rng.unit() < p {
                1 + rng.below(max) as u32
            } else {
                0
            }
        };
        let alerts_critical = count_if(0.07, 4);
        let alerts_high = count_if(0.18, 6);
        let alerts_medium = count_if(0.35, 10);
        let alerts_low = count_if(0.5, 15);
        let criticality =
            CRITICALITIES[rng.below(CRITICALITIES.len() as u64) as usize].map(str::to_string);
        out.push(Entity {
            id: format!("{entity_type}:{name}"),
            entity_type: entity_type.to_string(),
            name,
            risk_score: risk,
            alerts_critical,
            alerts_high,
            alerts_medium,
            alerts_low,
            criticality,
        });
    }
    out
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

/// Seeds the demo entities when the table is empty. Returns whether it seeded.
pub fn seed_entities(db: &Db) -> anyhow::Result<bool> {
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        let existing: i64 = tx.query_row("SELECT COUNT(*) FROM entities", [], |r| r.get(0))?;
        if existing > 0 {
            return Ok(false);
        }
        insert_entities(&tx, &demo_entities(ENTITY_SEED, ENTITY_COUNT))?;
        tx.commit()?;
        tracing::info!(
            count = ENTITY_COUNT,
            "seeded demo entities for lead generation"
        );
        Ok(true)
    })
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

// ---------------------------------------------------------------------------------------------
// Building leads
// ---------------------------------------------------------------------------------------------

fn criticality_bonus(criticality: Option<&str>) -> f64 {
    match criticality {
        Some("extreme_impact") => 15.0,
        Some("high_impact") => 10.0,
        Some("medium_impact") => 5.0,
        Some("low_impact") => 2.0,
        _ => 0.0,
    }
}

fn alert_component(e: &Entity) -> f64 {
    let raw = f64::from(e.alerts_critical) * 8.0
        + f64::from(e.alerts_high) * 4.0
        + f64::from(e.alerts_medium) * 1.5
        + f64::from(e.alerts_low) * 0.5;
    raw.min(30.0)
}

/// How much an entity deserves a hunt: risk, alerts and asset criticality combined (0..~105).
pub fn lead_score(e: &Entity) -> f64 {
    e.risk_score * 0.6 + alert_component(e) + criticality_bonus(e.criticality.as_deref())
}

/// Priority 1..10 from the score.
pub fn priority_of(score: f64) -> u8 {
    (score / 10.0).ceil().clamp(1.0, 10.0) as u8
}

fn severity_of(score: f64) -> &'static str {
    match score {
        s if s >= 90.0 => "critical",
        s if s >= 70.0 => "high",
        s if s >= 40.0 => "medium",
        _ => "low",
    }
}

fn risk_label(score: f64) -> &'static str {
    match score {
        s if s >= 90.0 => "Critical",
        s if s >= 70.0 => "High",
        s if s >= 40.0 => "Moderate",
        _ => "Low",
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn criticality_text(c: Option<&str>) -> &'static str {
    match c {
        Some("extreme_impact") => "extreme-impact",
        Some("high_impact") => "high-impact",
        Some("medium_impact") => "medium-impact",
        Some("low_impact") => "low-impact",
        _ => "unclassified",
    }
}

fn build_lead(e: &Entity, rank: usize, now_ms: i64, execution_uuid: &str) -> Lead {
    let score = lead_score(e);
    let priority = priority_of(score);
    let level = risk_label(score);
    let kind = e.entity_type.as_str();
    let detail = if e.alerts_critical > 0 {
        format!(
            "with {}",
            plural(e.alerts_critical, "critical alert", "critical alerts")
        )
    } else if e.alerts_high > 0 {
        format!(
            "with {}",
            plural(e.alerts_high, "high-severity alert", "high-severity alerts")
        )
    } else if matches!(
        e.criticality.as_deref(),
        Some("extreme_impact" | "high_impact")
    ) {
        let text = criticality_text(e.criticality.as_deref());
        let article = if text.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("on {article} {text} asset")
    } else if e.total_alerts() > 0 {
        format!(
            "with {}",
            plural(e.total_alerts(), "open alert", "open alerts")
        )
    } else {
        "with an elevated risk score".to_string()
    };
    let title = format!("{level} risk {kind} {} {detail}", e.name);
    let byline = format!(
        "Risk score {:.0} · {} · {} asset",
        e.risk_score,
        plural(e.total_alerts(), "open alert", "open alerts"),
        criticality_text(e.criticality.as_deref())
    );
    let description = format!(
        "The {kind} {} has a risk score of {:.1} ({}), {} in the last 7 days ({} critical, {} high, {} medium, {} low), \
         and its asset criticality is {}. Review its recent activity for signs of compromise.",
        e.name,
        e.risk_score,
        severity_of(e.risk_score),
        plural(e.total_alerts(), "alert", "alerts"),
        e.alerts_critical,
        e.alerts_high,
        e.alerts_medium,
        e.alerts_low,
        criticality_text(e.criticality.as_deref())
    );
    let mut tags = vec![
        kind.to_string(),
        format!("{}-risk", level.to_ascii_lowercase()),
    ];
    if e.total_alerts() > 0 {
        tags.push("alerts".into());
    }
    if let Some(c) = &e.criticality {
        tags.push(c.clone());
    }
    let mut observations = vec![Observation {
        entity_id: e.id.clone(),
        module_id: "risk_analysis".into(),
        observation_type: "risk_score".into(),
        score: e.risk_score,
        severity: severity_of(e.risk_score).into(),
        confidence: 0.9,
        description: format!("Entity risk score is {:.1}", e.risk_score),
        metadata: json!({ "calculated_level": risk_label(e.risk_score) }),
    }];
    if e.total_alerts() > 0 {
        let severity = if e.alerts_critical > 0 {
            "critical"
        } else if e.alerts_high > 0 {
            "high"
        } else if e.alerts_medium > 0 {
            "medium"
        } else {
            "low"
        };
        observations.push(Observation {
            entity_id: e.id.clone(),
            module_id: "alerts".into(),
            observation_type: "alert_volume".into(),
            score: (alert_component(e) * 100.0 / 30.0).round(),
            severity: severity.into(),
            confidence: 0.8,
            description: format!(
                "{} in the last 7 days",
                plural(e.total_alerts(), "alert", "alerts")
            ),
            metadata: json!({
                "critical": e.alerts_critical, "high": e.alerts_high,
                "medium": e.alerts_medium, "low": e.alerts_low
            }),
        });
    }
    if let Some(c) = &e.criticality {
        let bonus = criticality_bonus(Some(c));
        observations.push(Observation {
            entity_id: e.id.clone(),
            module_id: "asset_criticality".into(),
            observation_type: "asset_criticality".into(),
            score: bonus * 100.0 / 15.0,
            severity: match c.as_str() {
                "extreme_impact" => "critical",
                "high_impact" => "high",
                "medium_impact" => "medium",
                _ => "low",
            }
            .into(),
            confidence: 1.0,
            description: format!("Asset criticality is {}", criticality_text(Some(c))),
            metadata: json!({ "criticality_level": c }),
        });
    }
    Lead {
        id: uuid::Uuid::new_v4().to_string(),
        title,
        byline,
        description,
        entity: Some(EntityRef {
            entity_type: kind.to_string(),
            name: e.name.clone(),
            id: Some(e.id.clone()),
        }),
        tags,
        priority,
        chat_recommendations: vec![
            format!(
                "Summarize the alerts for {kind} {} from the last 7 days",
                e.name
            ),
            format!("What contributed most to the risk score of {}?", e.name),
            format!("Which other entities interacted with {} recently?", e.name),
        ],
        timestamp: db::iso_millis(now_ms - rank as i64),
        staleness: "fresh".into(),
        status: "active".into(),
        observations,
        execution_uuid: execution_uuid.to_string(),
        source_type: "adhoc".into(),
    }
}

/// Ranks entities and builds the top `max` leads, best first. Deterministic except for lead ids
/// and timestamps (`now_ms - rank` milliseconds, so newer means higher ranked).
pub fn build_leads(
    entities: &[Entity],
    max: usize,
    now_ms: i64,
    execution_uuid: &str,
) -> Vec<Lead> {
    let mut ranked: Vec<(f64, &Entity)> = entities.iter().map(|e| (lead_score(e), e)).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    ranked
        .into_iter()
        .take(max)
        .enumerate()
        .map(|(rank, (_, e))| build_lead(e, rank, now_ms, execution_uuid))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

pub fn index_exists(conn: &Connection, index: &str) -> rusqlite::Result<bool> {
    let mut stmt =
        conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM lead_indices WHERE index_name = ?1)")?;
    stmt.query_row([index], |r| r.get(0))
}

/// Creates the index (as the internal user) when it does not exist yet.
pub fn ensure_index(conn: &Connection, index: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO lead_indices (index_name, created_at) VALUES (?1, ?2)",
        params![index, db::now_secs()],
    )?;
    Ok(())
}

fn timestamp_millis(iso: &str) -> i64 {
    time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or(0)
}

pub fn insert_leads(conn: &Connection, index: &str, leads: &[Lead]) -> anyhow::Result<()> {
    // An upsert rather than INSERT OR REPLACE: REPLACE deletes the old row without firing the
    // delete trigger that keeps `lead_counts` (migration 6); an upsert's update fires it.
    let mut stmt = conn.prepare_cached(
        "INSERT INTO leads (id, index_name, priority, ts_ms, status, execution_uuid, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET index_name = excluded.index_name,
             priority = excluded.priority, ts_ms = excluded.ts_ms, status = excluded.status,
             execution_uuid = excluded.execution_uuid, body = excluded.body",
    )?;
    for lead in leads {
        stmt.execute(params![
            lead.id,
            index,
            lead.priority,
            timestamp_millis(&lead.timestamp),
            lead.status,
            lead.execution_uuid,
            serde_json::to_string(lead)?
        ])?;
    }
    Ok(())
}

/// Replaces the active leads of `index` with `leads` in one transaction (dismissed and expired
/// leads stay), creating the index if needed.
pub fn replace_active_leads(
    conn: &mut Connection,
    index: &str,
    leads: &[Lead],
) -> anyhow::Result<()> {
    let tx = conn.transaction()?;
    ensure_index(&tx, index)?;
    tx.execute(
        "DELETE FROM leads WHERE index_name = ?1 AND status = 'active'",
        [index],
    )?;
    insert_leads(&tx, index, leads)?;
    tx.commit()?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FindQuery {
    pub page: u32,
    pub per_page: u32,
    pub sort_field: SortField,
    pub sort_order: SortOrder,
    pub status: Option<String>,
}

impl Default for FindQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            sort_field: SortField::Priority,
            sort_order: SortOrder::Desc,
            status: None,
        }
    }
}

/// One SQL text per (filter, field, order), so each is a cached prepared statement that walks
/// one of the `leads_*` indexes.
fn find_sql(filtered: bool, field: SortField, order: SortOrder) -> &'static str {
    use SortField::*;
    use SortOrder::*;
    match (filtered, field, order) {
        (true, Priority, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY priority DESC, ts_ms DESC, id DESC LIMIT ?3 OFFSET ?4",
        (true, Priority, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY priority ASC, ts_ms ASC, id ASC LIMIT ?3 OFFSET ?4",
        (true, Timestamp, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY ts_ms DESC, id DESC LIMIT ?3 OFFSET ?4",
        (true, Timestamp, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY ts_ms ASC, id ASC LIMIT ?3 OFFSET ?4",
        (false, Priority, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY priority DESC, ts_ms DESC, id DESC LIMIT ?2 OFFSET ?3",
        (false, Priority, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY priority ASC, ts_ms ASC, id ASC LIMIT ?2 OFFSET ?3",
        (false, Timestamp, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY ts_ms DESC, id DESC LIMIT ?2 OFFSET ?3",
        (false, Timestamp, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY ts_ms ASC, id ASC LIMIT ?2 OFFSET ?3",
    }
}

/// Staleness from age: fresh for a day, stale for a week, expired after.
pub fn staleness_at(ts_iso: &str, now_ms: i64) -> &'static str {
    staleness_and_next_change(ts_iso, now_ms).0
}

/// The staleness at `now_ms` and the first millisecond at which it is another one (`i64::MAX`
/// once expired, which it stays).
fn staleness_and_next_change(ts_iso: &str, now_ms: i64) -> (&'static str, i64) {
    const DAY: i64 = 24 * 60 * 60 * 1000;
    let born = timestamp_millis(ts_iso);
    let age = now_ms - born;
    if age < DAY {
        ("fresh", born.saturating_add(DAY))
    } else if age < 7 * DAY {
        ("stale", born.saturating_add(7 * DAY))
    } else {
        ("expired", i64::MAX)
    }
}

fn lead_from_row(body: &str, status: String, now_ms: i64) -> anyhow::Result<Lead> {
    let mut lead: Lead = serde_json::from_str(body)?;
    lead.status = status;
    lead.staleness = staleness_at(&lead.timestamp, now_ms).to_string();
    Ok(lead)
}

/// Leads in `index` (only those with `status` when given), from the `lead_counts` table the
/// triggers of migration 6 keep: one row lookup, where `COUNT(*)` walked the whole index.
pub fn count_leads(conn: &Connection, index: &str, status: Option<&str>) -> rusqlite::Result<u64> {
    let n: i64 = match status {
        Some(status) => conn
            .prepare_cached(
                "SELECT COALESCE(SUM(n), 0) FROM lead_counts WHERE index_name = ?1 AND status = ?2",
            )?
            .query_row(params![index, status], |r| r.get(0))?,
        None => conn
            .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM lead_counts WHERE index_name = ?1")?
            .query_row([index], |r| r.get(0))?,
    };
    Ok(n.max(0) as u64)
}

/// Runs the page query of `query` and hands each row's stored body and status to `row`.
fn for_each_row(
    conn: &Connection,
    index: &str,
    query: &FindQuery,
    mut row: impl FnMut(&str, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let limit = i64::from(query.per_page);
    let offset = i64::from(query.page.saturating_sub(1)).saturating_mul(limit);
    let sql = find_sql(query.status.is_some(), query.sort_field, query.sort_order);
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = match &query.status {
        Some(status) => stmt.query(params![index, status, limit, offset])?,
        None => stmt.query(params![index, limit, offset])?,
    };
    while let Some(r) = rows.next()? {
        row(r.get_ref(0)?.as_str()?, r.get_ref(1)?.as_str()?)?;
    }
    Ok(())
}

/// A page of leads and the total matching the filter.
pub fn find_leads(
    conn: &Connection,
    index: &str,
    query: &FindQuery,
) -> anyhow::Result<(Vec<Lead>, u64)> {
    let now = db::now_millis();
    let mut leads = Vec::with_capacity(query.per_page as usize);
    for_each_row(conn, index, query, |body, status| {
        leads.push(lead_from_row(body, status.to_string(), now)?);
        Ok(())
    })?;
    Ok((leads, count_leads(conn, index, query.status.as_deref())?))
}

/// Where the stored body of a lead keeps the fields a read rewrites: the byte ranges of the
/// `timestamp` string's contents and of the `staleness` and `status` values (quotes included).
struct Splice {
    timestamp: std::ops::Range<usize>,
    staleness_and_status: std::ops::Range<usize>,
}

/// The index of the `"` closing the JSON string whose contents start at `from`.
fn string_end(s: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Finds `,"timestamp":"…","staleness":"…","status":"…","observations":` in a stored body.
///
/// A stored body is `serde_json::to_string(&Lead)` (see [`insert_leads`]): the fields in
/// declaration order, the timestamp, staleness and status strings adjacent in that order. A `"`
/// inside a JSON string is always escaped, so `,"timestamp":"` can only be a key, and the first
/// one is the lead's own (only `observations[].metadata`, after it, holds free-form objects).
/// `None` for any other shape, which the caller answers through the typed path.
fn locate(body: &str) -> Option<Splice> {
    const TS: &str = ",\"timestamp\":\"";
    const STALENESS: &[u8] = b",\"staleness\":\"";
    const STATUS: &[u8] = b",\"status\":\"";
    const NEXT: &[u8] = b",\"observations\":";
    let b = body.as_bytes();
    if !body.starts_with("{\"id\":\"") || !body.ends_with('}') {
        return None;
    }
    let ts_start = body.find(TS)? + TS.len();
    let ts_end = string_end(b, ts_start)?;
    let staleness_key = ts_end + 1;
    b.get(staleness_key..)?
        .starts_with(STALENESS)
        .then_some(())?;
    let staleness_end = string_end(b, staleness_key + STALENESS.len())?;
    let status_start = staleness_end + 1;
    b.get(status_start..)?.starts_with(STATUS).then_some(())?;
    let status_end = string_end(b, status_start + STATUS.len())?;
    b.get(status_end + 1..)?.starts_with(NEXT).then_some(())?;
    let timestamp = ts_start..ts_end;
    // An escaped timestamp would need unescaping before it is parsed: leave it to serde.
    if body[timestamp.clone()].contains('\\') {
        return None;
    }
    Some(Splice {
        timestamp,
        staleness_and_status: staleness_key + STALENESS.len() - 1..status_end + 1,
    })
}

fn push_json_string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::Value::from(s).to_string());
    }
}

/// Appends the wire form of one stored lead to `out`: byte for byte what serializing
/// [`lead_from_row`]'s `Lead` gives, without parsing and re-serializing the body. The stored
/// text already is that serialization except for `staleness` (from the timestamp and now) and
/// `status` (the column, which dismissals change), so those two values are spliced in.
///
/// Returns the first millisecond at which this lead's staleness, and so its wire form, changes.
pub fn push_wire_lead(
    out: &mut String,
    body: &str,
    status: &str,
    now_ms: i64,
) -> anyhow::Result<i64> {
    match locate(body) {
        Some(at) => {
            let (staleness, changes_at) = staleness_and_next_change(&body[at.timestamp], now_ms);
            out.push_str(&body[..at.staleness_and_status.start]);
            push_json_string(out, staleness);
            out.push_str(",\"status\":");
            push_json_string(out, status);
            out.push_str(&body[at.staleness_and_status.end..]);
            Ok(changes_at)
        }
        None => {
            let lead = lead_from_row(body, status.to_string(), now_ms)?;
            out.push_str(&serde_json::to_string(&lead)?);
            Ok(staleness_and_next_change(&lead.timestamp, now_ms).1)
        }
    }
}

/// A find answer as the route sends it, and how long it stays exact.
pub struct WirePage {
    /// `LeadsPage` as JSON.
    pub body: String,
    /// The first millisecond at which a lead on the page has another staleness (`i64::MAX` when
    /// none will): until then, and until the next write, the same query gives the same bytes.
    pub valid_until_ms: i64,
}

/// The find route's whole response body, `LeadsPage` as JSON (`{"leads":[…],"total":…,"page":…,
/// "perPage":…}`), built from the stored lead texts (see [`push_wire_lead`]).
pub fn find_leads_json(
    conn: &Connection,
    index: &str,
    query: &FindQuery,
) -> anyhow::Result<WirePage> {
    let now = db::now_millis();
    let mut out = String::with_capacity(64 + query.per_page as usize * 1536);
    out.push_str("{\"leads\":[");
    let mut first = true;
    let mut valid_until_ms = i64::MAX;
    for_each_row(conn, index, query, |body, status| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        valid_until_ms = valid_until_ms.min(push_wire_lead(&mut out, body, status, now)?);
        Ok(())
    })?;
    let total = count_leads(conn, index, query.status.as_deref())?;
    page_json_tail(&mut out, total, query.page, query.per_page);
    Ok(WirePage {
        body: out,
        valid_until_ms,
    })
}

/// An empty page, as the find route answers before the index exists.
pub fn empty_page_json(page: u32, per_page: u32) -> String {
    let mut out = String::from("{\"leads\":[");
    page_json_tail(&mut out, 0, page, per_page);
    out
}

fn page_json_tail(out: &mut String, total: u64, page: u32, per_page: u32) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "],\"total\":{total},\"page\":{page},\"perPage\":{per_page}}}"
    );
}

pub fn get_status(conn: &Connection, space: &str, index: &str) -> anyhow::Result<LeadsStatus> {
    let exists = index_exists(conn, index)?;
    let total = count_leads(conn, index, Some("active"))?;
    let row = conn
        .prepare_cached(
            "SELECT is_enabled, connector_id, last_run, last_execution_uuid, last_error FROM lead_status WHERE space = ?1",
        )?
        .query_row([space], |r| {
            Ok((
                r.get::<_, bool>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    let (is_enabled, connector_id, last_run, last_execution_uuid, last_error) =
        row.unwrap_or((false, None, None, None, None));
    Ok(LeadsStatus {
        is_enabled,
        index_exists: exists,
        total_leads: total,
        last_run,
        connector_id,
        last_execution_uuid,
        last_error,
    })
}

fn ensure_status_row(conn: &Connection, space: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO lead_status (space) VALUES (?1)",
        [space],
    )?;
    Ok(())
}

/// Records the end of a generate run: success sets `lastRun` and clears `lastError`; failure
/// keeps `lastRun` and sets `lastError`. Both set `lastExecutionUuid`.
pub fn record_run(
    conn: &Connection,
    space: &str,
    connector_id: &str,
    execution_uuid: &str,
    outcome: Result<i64, &str>,
) -> rusqlite::Result<()> {
    ensure_status_row(conn, space)?;
    match outcome {
        Ok(finished_ms) => conn.execute(
            "UPDATE lead_status SET last_run = ?2, last_execution_uuid = ?3, last_error = NULL,
             connector_id = ?4 WHERE space = ?1",
            params![
                space,
                db::iso_millis(finished_ms),
                execution_uuid,
                connector_id
            ],
        )?,
        Err(message) => conn.execute(
            "UPDATE lead_status SET last_execution_uuid = ?2, last_error = ?3 WHERE space = ?1",
            params![space, execution_uuid, message],
        )?,
    };
    Ok(())
}

pub fn set_enabled(
    conn: &Connection,
    space: &str,
    enabled: bool,
    connector_id: Option<&str>,
) -> rusqlite::Result<()> {
    ensure_status_row(conn, space)?;
    conn.execute(
        "UPDATE lead_status SET is_enabled = ?2, connector_id = COALESCE(?3, connector_id) WHERE space = ?1",
        params![space, enabled, connector_id],
    )?;
    Ok(())
}

/// Sets the status of the given leads of `index`; returns how many exist (duplicates once).
pub fn set_status(
    conn: &mut Connection,
    index: &str,
    ids: &[String],
    status: &str,
) -> rusqlite::Result<u64> {
    let tx = conn.transaction()?;
    let mut updated = 0u64;
    {
        let mut stmt =
            tx.prepare_cached("UPDATE leads SET status = ?1 WHERE index_name = ?2 AND id = ?3")?;
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            if seen.insert(id.as_str()) {
                updated += stmt.execute(params![status, index, id])? as u64;
            }
        }
    }
    tx.commit()?;
    Ok(updated)
}

/// Synthetic leads for load tests: `count` leads in `space`, deterministic from `seed`, spread
/// over priorities, statuses and the last 30 days. Inserted in one transaction.
pub fn insert_synthetic_leads(
    conn: &mut Connection,
    space: &str,
    count: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let index = gatehouse_api::leads::leads_index(space);
    let entities = demo_entities(seed, ENTITY_COUNT);
    let mut rng = SplitMix64::new(seed ^ 0x5EED);
    let now = db::now_millis();
    let execution = uuid::Uuid::new_v4().to_string();
    let tx = conn.transaction()?;
    ensure_index(&tx, &index)?;
    for chunk_start in (0..count).step_by(1000) {
        let chunk: Vec<Lead> = (chunk_start..count.min(chunk_start + 1000))
            .map(|i| {
                let e = &entities[i % entities.len()];
                let age = rng.below(30 * 24 * 60 * 60 * 1000) as i64;
                let mut lead = build_lead(e, 0, now - age, &execution);
                lead.priority = 1 + rng.below(10) as u8;
                lead.status = match rng.below(10) {
                    0 => "dismissed",
                    1 => "expired",
                    _ => "active",
                }
                .into();
                lead.source_type = "scheduled".into();
                lead
            })
            .collect();
        insert_leads(&tx, &index, &chunk)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prng_and_entities_are_deterministic() {
        let mut a = SplitMix64::new(1);
        let mut b = SplitMix64::new(1);
        assert_eq!(
            (0..5).map(|_| a.next_u64()).collect::<Vec<_>>(),
            (0..5).map(|_| b.next_u64()).collect::<Vec<_>>()
        );
        let one = demo_entities(ENTITY_SEED, ENTITY_COUNT);
        assert_eq!(one, demo_entities(ENTITY_SEED, ENTITY_COUNT));
        assert_eq!(one.len(), ENTITY_COUNT);
        let mut ids: Vec<&str> = one.iter().map(|e| e.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ENTITY_COUNT, "entity ids are unique");
        for kind in ["host", "user", "service"] {
            assert!(one.iter().any(|e| e.entity_type == kind));
        }
        assert!(one.iter().all(|e| (0.0..=100.0).contains(&e.risk_score)));
    }

    #[test]
    fn leads_are_ranked_and_well_formed() {
        let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
        let leads = build_leads(&entities, 10, 1_700_000_000_000, "exec-1");
        assert_eq!(leads.len(), 10);
        assert!(leads.windows(2).all(|w| w[0].priority >= w[1].priority));
        for lead in &leads {
            assert!((1..=10).contains(&lead.priority));
            assert_eq!(lead.status, "active");
            assert_eq!(lead.staleness, "fresh");
            assert_eq!(lead.source_type, "adhoc");
            assert_eq!(lead.execution_uuid, "exec-1");
            assert!(lead
                .observations
                .iter()
                .any(|o| o.module_id == "risk_analysis"));
            assert!(!lead.chat_recommendations.is_empty());
            assert!(lead.entity.is_some());
        }
        let titles = |l: &[Lead]| l.iter().map(|l| l.title.clone()).collect::<Vec<_>>();
        assert_eq!(
            titles(&leads),
            titles(&build_leads(&entities, 10, 0, "other")),
            "titles are deterministic"
        );
        assert_eq!(build_leads(&entities, 50, 0, "x").len(), 50);
        assert_eq!(
            titles(&leads)[..3],
            [
                "Critical risk user dnguyen4 with 5 high-severity alerts",
                "High risk host proxy-02 with 2 critical alerts",
                "High risk host app-08 with 4 high-severity alerts",
            ]
        );
    }

    fn migrated() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for (_, sql) in crate::platform::db::MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        conn
    }

    /// `lead_counts` against a real COUNT, for every (index, status) and per index.
    fn assert_counts_exact(conn: &Connection) {
        let mut stmt = conn
            .prepare(
                "SELECT i.index_name, s.status FROM (SELECT 'a' AS index_name UNION SELECT 'b') i,
                 (SELECT 'active' AS status UNION SELECT 'dismissed' UNION SELECT 'expired') s",
            )
            .unwrap();
        let pairs: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for (index, status) in pairs {
            let real: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM leads WHERE index_name = ?1 AND status = ?2",
                    params![index, status],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(
                count_leads(conn, &index, Some(&status)).unwrap(),
                real as u64,
                "{index} {status}"
            );
            let all: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM leads WHERE index_name = ?1",
                    [&index],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(count_leads(conn, &index, None).unwrap(), all as u64);
        }
    }

    #[test]
    fn lead_counts_follow_every_write() {
        let mut conn = migrated();
        let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
        let leads = build_leads(&entities, 30, 1_700_000_000_000, "e1");
        replace_active_leads(&mut conn, "a", &leads).unwrap();
        assert_counts_exact(&conn);
        assert_eq!(count_leads(&conn, "a", None).unwrap(), 30);
        let ids: Vec<String> = leads.iter().take(5).map(|l| l.id.clone()).collect();
        assert_eq!(set_status(&mut conn, "a", &ids, "dismissed").unwrap(), 5);
        assert_eq!(
            set_status(&mut conn, "a", &ids[..2], "dismissed").unwrap(),
            2
        );
        assert_counts_exact(&conn);
        assert_eq!(count_leads(&conn, "a", Some("dismissed")).unwrap(), 5);
        // Regenerating keeps dismissed leads and replaces the active ones.
        replace_active_leads(&mut conn, "a", &build_leads(&entities, 10, 0, "e2")).unwrap();
        assert_counts_exact(&conn);
        assert_eq!(count_leads(&conn, "a", None).unwrap(), 15);
        // Writing a lead whose id exists (same index, then another index) replaces it.
        ensure_index(&conn, "b").unwrap();
        let mut again = leads[0].clone();
        again.status = "expired".into();
        insert_leads(&conn, "a", std::slice::from_ref(&again)).unwrap();
        assert_counts_exact(&conn);
        insert_leads(&conn, "b", std::slice::from_ref(&again)).unwrap();
        assert_counts_exact(&conn);
        assert_eq!(count_leads(&conn, "b", None).unwrap(), 1);
        insert_synthetic_leads(&mut conn, "x", 500, 3).unwrap();
        let x = gatehouse_api::leads::leads_index("x");
        assert_eq!(count_leads(&conn, &x, None).unwrap(), 500);
        // Deleting an index cascades to its leads, as deleting a space does.
        conn.execute("DELETE FROM lead_indices WHERE index_name = ?1", [&x])
            .unwrap();
        assert_eq!(count_leads(&conn, &x, None).unwrap(), 0);
        conn.execute("DELETE FROM leads WHERE index_name = 'a'", [])
            .unwrap();
        assert_counts_exact(&conn);
        assert_eq!(count_leads(&conn, "a", None).unwrap(), 0);
        assert_eq!(count_leads(&conn, "nowhere", Some("active")).unwrap(), 0);
    }

    #[test]
    fn migration_6_counts_the_leads_already_stored() {
        let conn = Connection::open_in_memory().unwrap();
        for (version, sql) in crate::platform::db::MIGRATIONS {
            if *version == 6 {
                ensure_index(&conn, "a").unwrap();
                let leads = build_leads(&demo_entities(ENTITY_SEED, ENTITY_COUNT), 12, 0, "e");
                insert_leads(&conn, "a", &leads).unwrap();
                conn.execute(
                    "UPDATE leads SET status = 'dismissed' WHERE rowid % 3 = 0",
                    [],
                )
                .unwrap();
            }
            conn.execute_batch(sql).unwrap();
        }
        assert_counts_exact(&conn);
        assert_eq!(count_leads(&conn, "a", None).unwrap(), 12);
    }

    /// What the find route answered before it spliced stored texts: parse, override, serialize.
    fn typed_wire(body: &str, status: &str, now: i64) -> String {
        serde_json::to_string(&lead_from_row(body, status.to_string(), now).unwrap()).unwrap()
    }

    fn spliced(body: &str, status: &str, now: i64) -> String {
        let mut out = String::new();
        push_wire_lead(&mut out, body, status, now).unwrap();
        out
    }

    #[test]
    fn spliced_leads_are_byte_for_byte_the_typed_serialization() {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        let now = 1_700_000_000_000;
        let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
        let mut leads = build_leads(&entities, 50, now, "e");
        let mut rng = SplitMix64::new(9);
        for (i, e) in entities.iter().enumerate() {
            let mut lead = build_lead(e, i, now - rng.below(30 * DAY as u64) as i64, "x\"y");
            lead.status = ["active", "dismissed", "expired"][i % 3].into();
            lead.staleness = ["fresh", "stale", "expired", "whatever"][i % 4].into();
            leads.push(lead);
        }
        // Strings that look like the spliced keys, escapes, unicode, no entity, odd metadata.
        let mut odd = leads[0].clone();
        odd.title = r#"x","timestamp":"1970-01-01T00:00:00.000Z","staleness":"fresh" \" \\"#.into();
        odd.description = "ünïcødé \u{1F600} \n\t \u{0001} </script>".into();
        odd.entity = None;
        odd.tags = vec![r#"","status":"active"#.into()];
        odd.observations[0].metadata = serde_json::json!({
            "timestamp": "2000-01-01T00:00:00.000Z", "staleness": "x", "status": "y",
            "nested": { "a": [1, 2.5, -3e-7, null, true] }
        });
        leads.push(odd);
        let mut no_observations = leads[1].clone();
        no_observations.observations.clear();
        leads.push(no_observations);
        for (i, lead) in leads.iter().enumerate() {
            let body = serde_json::to_string(lead).unwrap();
            assert!(locate(&body).is_some(), "a stored lead is spliced: {body}");
            for status in ["active", "dismissed", "expired", "we\"ird\\"] {
                for at in [now, now + DAY / 2, now + 3 * DAY, now + 40 * DAY] {
                    assert_eq!(
                        spliced(&body, status, at),
                        typed_wire(&body, status, at),
                        "lead {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn bodies_of_another_shape_take_the_typed_path() {
        let now = 1_700_000_000_000;
        for body in [
            // Older Kibana's `entities`, fields in another order, missing fields, escapes in the
            // timestamp, no observations key.
            r#"{"id":"a","title":"T","entities":[{"type":"host","name":"w"}],"priority":3,"timestamp":"2023-11-14T22:13:20.000Z"}"#,
            r#"{"title":"T","id":"a","priority":3,"timestamp":"2023-11-14T22:13:20.000Z","staleness":"fresh","status":"active","observations":[]}"#,
            r#"{"id":"a","title":"T","entity":null,"priority":3,"timestamp":"2023-11-14T22:13:20\u002e000Z","staleness":"fresh","status":"active","observations":[]}"#,
            r#"{"id":"a","title":"T","entity":null,"priority":3,"timestamp":"2023-11-14T22:13:20.000Z","staleness":"fresh","status":"active"}"#,
        ] {
            assert_eq!(
                spliced(body, "dismissed", now),
                typed_wire(body, "dismissed", now)
            );
        }
        let mut out = String::new();
        assert!(push_wire_lead(&mut out, "{\"id\":\"a\"", "active", now).is_err());
    }

    #[test]
    fn the_find_body_is_the_serialized_page() {
        let mut conn = migrated();
        insert_synthetic_leads(&mut conn, "s", 700, 5).unwrap();
        let index = gatehouse_api::leads::leads_index("s");
        for status in [None, Some("active"), Some("dismissed")] {
            for (page, per_page) in [(1, 100), (2, 100), (7, 100), (8, 100), (3, 20), (99, 10)] {
                for field in [SortField::Priority, SortField::Timestamp] {
                    let query = FindQuery {
                        page,
                        per_page,
                        sort_field: field,
                        sort_order: SortOrder::Desc,
                        status: status.map(str::to_string),
                    };
                    let body = find_leads_json(&conn, &index, &query).unwrap().body;
                    let (leads, total) = find_leads(&conn, &index, &query).unwrap();
                    let typed = serde_json::to_string(&gatehouse_api::leads::LeadsPage {
                        leads: gatehouse_api::leads::LeadList(leads),
                        total,
                        page,
                        per_page,
                    })
                    .unwrap();
                    assert_eq!(body, typed, "{query:?}");
                }
            }
        }
        let empty = serde_json::to_string(&gatehouse_api::leads::LeadsPage {
            leads: gatehouse_api::leads::LeadList(Vec::new()),
            total: 0,
            page: 4,
            per_page: 20,
        })
        .unwrap();
        assert_eq!(empty_page_json(4, 20), empty);
    }

    #[test]
    fn every_find_query_walks_an_index_without_sorting() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            crate::platform::db::MIGRATIONS
                .iter()
                .map(|(_, sql)| *sql)
                .collect::<Vec<_>>()
                .join("\n")
                .as_str(),
        )
        .unwrap();
        for filtered in [true, false] {
            for field in [SortField::Priority, SortField::Timestamp] {
                for order in [SortOrder::Asc, SortOrder::Desc] {
                    let sql = find_sql(filtered, field, order);
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
                    let plan: Vec<String> = stmt
                        .query_map(
                            params!["i", "active", 20, 0][..if filtered { 4 } else { 3 }].as_ref(),
                            |r| r.get(3),
                        )
                        .unwrap()
                        .collect::<rusqlite::Result<_>>()
                        .unwrap();
                    let plan = plan.join(" / ");
                    assert!(
                        plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"),
                        "{sql}: {plan}"
                    );
                    assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
                }
            }
        }
    }

    #[test]
    fn priorities_and_staleness() {
        assert_eq!(priority_of(0.0), 1);
        assert_eq!(priority_of(10.0), 1);
        assert_eq!(priority_of(10.1), 2);
        assert_eq!(priority_of(150.0), 10);
        let now = 10 * 24 * 60 * 60 * 1000;
        assert_eq!(staleness_at(&db::iso_millis(now - 1000), now), "fresh");
        assert_eq!(
            staleness_at(&db::iso_millis(now - 2 * 24 * 60 * 60 * 1000), now),
            "stale"
        );
        assert_eq!(staleness_at(&db::iso_millis(0), now), "expired");
    }

    #[test]
    fn a_find_answer_holds_until_a_lead_on_it_changes_staleness() {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        let conn = migrated();
        let now = db::now_millis();
        let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
        // Fresh for another hour, stale for another day, long expired.
        let born = [now - DAY + 3_600_000, now - 6 * DAY, now - 30 * DAY];
        let leads: Vec<Lead> = born
            .iter()
            .enumerate()
            .map(|(i, &ts)| build_lead(&entities[i], i, ts, "e"))
            .collect();
        ensure_index(&conn, "a").unwrap();
        insert_leads(&conn, "a", &leads).unwrap();
        let all = FindQuery::default();
        let page = find_leads_json(&conn, "a", &all).unwrap();
        assert_eq!(page.valid_until_ms, born[0] + DAY);
        let expired_only = FindQuery {
            page: 3,
            per_page: 1,
            sort_field: SortField::Timestamp,
            sort_order: SortOrder::Desc,
            status: None,
        };
        let page = find_leads_json(&conn, "a", &expired_only).unwrap();
        assert!(
            page.body.contains("\"staleness\":\"expired\""),
            "{}",
            page.body
        );
        assert_eq!(page.valid_until_ms, i64::MAX);
    }
}
