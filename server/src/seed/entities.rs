//! The demo entities leads are built from: deterministic, so seeded data is the same on every
//! machine; and synthetic leads in bulk for load tests.

use gatehouse_api::leads::Lead;
use rusqlite::Connection;

use crate::platform::db::{self, Db};

use crate::leads::*;

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

/// The `n`th name going round `names`; from the second round on, with `suffix(round)` appended so
/// every name stays distinct.
fn cycled_name(names: &[&str], n: usize, suffix: impl Fn(usize) -> String) -> String {
    let base = names[n % names.len()];
    match n / names.len() {
        0 => base.to_string(),
        round => format!("{base}{}", suffix(round)),
    }
}

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
                (
                    "user",
                    cycled_name(USER_NAMES, n, |round| round.to_string()),
                )
            }
            _ => (
                "service",
                cycled_name(SERVICES, i / 10, |round| format!("-{}", round + 1)),
            ),
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

/// Seeds the demo entities when the table is empty. Returns whether it seeded.
pub fn seed_entities(db: &Db) -> anyhow::Result<bool> {
    let seeded = super::seed_empty_table(db, "entities", |tx| {
        Ok(insert_entities(
            tx,
            &demo_entities(ENTITY_SEED, ENTITY_COUNT),
        )?)
    })?;
    if seeded {
        tracing::info!(
            count = ENTITY_COUNT,
            "seeded demo entities for lead generation"
        );
    }
    Ok(seeded)
}

/// Synthetic leads for load tests: `count` leads in `space`, deterministic from `seed`, spread
/// over statuses and the last 30 days, each with the priority its entity's scores give.
/// Inserted in one transaction.
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
                // The priority stays the one the lead's own scores give: a random one made cards
                // that contradicted themselves ("Low risk" at P10).
                let mut lead = build_lead(e, 0, now - age, &execution);
                // The first lead of each entity has the id a generate run gives that entity's
                // lead, so a run in a seeded space updates it instead of adding a second card
                // about the same entity (docs/leads.md "Kept leads and ageing"). Load tests ask
                // for more leads than entities: the extra ones keep random ids.
                if i < entities.len() {
                    lead.id = crate::leads::stable_lead_id(
                        &index,
                        &e.id,
                        crate::leads::ENTITY_RISK_REASON,
                    );
                }
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
