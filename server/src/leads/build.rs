//! Building leads from entities: score, priority, texts and observations.

use gatehouse_api::leads::{priority_of_score, EntityRef, Lead, LeadLevel, Observation};
use serde_json::json;

use crate::platform::db::{self};

use super::*;

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

/// How much an entity deserves a hunt, 0–100: its risk, alerts and asset criticality combined,
/// and never below the entity's own risk score, so a lead's level is never lower than its
/// entity's risk (docs/leads.md "What a card says").
pub fn lead_score(e: &Entity) -> f64 {
    let risk = if e.risk_score.is_nan() {
        0.0
    } else {
        e.risk_score.clamp(0.0, 100.0)
    };
    let combined = risk * 0.6 + alert_component(e) + criticality_bonus(e.criticality.as_deref());
    combined.max(risk).min(100.0)
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

pub(crate) fn build_lead(e: &Entity, rank: usize, now_ms: i64, execution_uuid: &str) -> Lead {
    // Whole numbers, as the card shows them: the priority and both levels follow from exactly
    // the scores the byline prints.
    let score = lead_score(e).round();
    let priority = priority_of_score(score);
    let level = LeadLevel::of_priority(priority).label();
    // Rounded half away from zero, as `round` does (`{:.0}` would round 56.5 to even, 56).
    let entity_risk = e.risk_score.round();
    let entity_level = LeadLevel::of_score(entity_risk);
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
    } else if entity_level >= LeadLevel::Moderate {
        format!("with entity risk {entity_risk}")
    } else {
        "with no open alerts".to_string()
    };
    let title = format!("{level} risk {kind} {} {detail}", e.name);
    // Two scores stand on a card: each is named, so "lead score 98" beside "entity risk 35" reads
    // as what raised the lead, not as a contradiction.
    let byline = format!(
        "Lead score {score} · entity risk {entity_risk} · {} · {} asset",
        plural(e.total_alerts(), "open alert", "open alerts"),
        criticality_text(e.criticality.as_deref())
    );
    let description = format!(
        "The {kind} {} has a risk score of {:.1} ({}), {} in the last 7 days ({} critical, {} high, {} medium, {} low), \
         and its asset criticality is {}. Review its recent activity for signs of compromise.",
        e.name,
        e.risk_score,
        entity_level.severity(),
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
        severity: entity_level.severity().into(),
        confidence: 0.9,
        description: format!("Entity risk score is {:.1}", e.risk_score),
        metadata: json!({ "calculated_level": entity_level.label() }),
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
        first_seen: None,
        priority_history: Vec::new(),
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
