//! What a lead's card says agrees with itself (docs/leads.md "What a card says"): the level word in
//! the title, the badge's priority, the two named scores and the risk tag follow one rule
//! (`gatehouse_api::leads::LeadLevel`), for generated and seeded leads alike. Read from the wire
//! fields a user sees, not from the builder's inputs.

use gatehouse_api::leads::{priority_of_score, Lead, LeadLevel};
use proptest::prelude::*;

use super::*;
use crate::seed::entities::*;

/// The number after `label` in the byline (`Lead score 58 · entity risk 35 · …`).
fn byline_number(byline: &str, label: &str) -> Option<f64> {
    let rest = byline
        .split(" · ")
        .find_map(|part| part.strip_prefix(label))?;
    rest.trim().parse().ok()
}

/// Every way the card contradicts itself; empty when it does not.
fn contradictions(lead: &Lead) -> Vec<String> {
    let mut found = Vec::new();
    let level = LeadLevel::of_priority(lead.priority);
    let word = level.label();
    if !lead.title.starts_with(&format!("{word} risk ")) {
        found.push(format!(
            "P{} is {word}, the title says {:?}",
            lead.priority, lead.title
        ));
    }
    let risk_tags: Vec<&String> = lead.tags.iter().filter(|t| t.ends_with("-risk")).collect();
    if risk_tags != [&format!("{}-risk", word.to_ascii_lowercase())] {
        found.push(format!(
            "P{} is {word}, the tags say {risk_tags:?}",
            lead.priority
        ));
    }
    let (Some(score), Some(risk)) = (
        byline_number(&lead.byline, "Lead score "),
        byline_number(&lead.byline, "entity risk "),
    ) else {
        found.push(format!(
            "the byline names no lead score or entity risk: {:?}",
            lead.byline
        ));
        return found;
    };
    if priority_of_score(score) != lead.priority {
        found.push(format!(
            "lead score {score} gives P{}, the badge says P{}",
            priority_of_score(score),
            lead.priority
        ));
    }
    let entity_level = LeadLevel::of_score(risk);
    if entity_level > level {
        found.push(format!(
            "entity risk {risk} is {}, above the lead's {word}",
            entity_level.label()
        ));
    }
    match lead
        .observations
        .iter()
        .find(|o| o.observation_type == "risk_score")
    {
        Some(o) if o.score.round() != risk || o.severity != entity_level.severity() => {
            found.push(format!(
                "the risk observation ({} {}) disagrees with entity risk {risk}",
                o.score, o.severity
            ))
        }
        Some(_) => {}
        None => found.push("no risk observation".into()),
    }
    if !lead
        .description
        .contains(&format!("({})", entity_level.severity()))
    {
        found.push(format!(
            "the description's severity is not {}: {:?}",
            entity_level.severity(),
            lead.description
        ));
    }
    if let Some(said) = lead.title.split("with entity risk ").nth(1) {
        if said.parse::<f64>().ok() != Some(risk) || entity_level < LeadLevel::Moderate {
            found.push(format!(
                "the title's entity risk {said} against the byline's {risk}"
            ));
        }
    }
    if lead.title.contains("no open alerts") && !lead.byline.contains(" 0 open alerts ") {
        found.push(format!("\"no open alerts\" but {:?}", lead.byline));
    }
    found
}

fn assert_coherent<'a>(leads: impl IntoIterator<Item = &'a Lead>) -> usize {
    let mut checked = 0;
    for lead in leads {
        let found = contradictions(lead);
        assert!(found.is_empty(), "{}: {found:#?}", lead.title);
        checked += 1;
    }
    checked
}

#[test]
fn every_generated_lead_agrees_with_itself() {
    for seed in [ENTITY_SEED, 1, 2, 3, 0xDEAD_BEEF] {
        let leads = build_leads(&demo_entities(seed, ENTITY_COUNT), ENTITY_COUNT, 0, "e");
        assert_eq!(assert_coherent(&leads), ENTITY_COUNT);
    }
}

#[test]
fn every_seeded_lead_agrees_with_itself() {
    // The SOC EMEA space's leads (seed/mod.rs) and the load tests' synthetic leads, as stored.
    let mut conn = crate::platform::db::migrated_in_memory();
    for (space, count, seed) in [(crate::seed::EMEA_SPACE, 40, 7), ("load", 2_000, 11)] {
        insert_synthetic_leads(&mut conn, space, count, seed).expect("seeded");
        let index = gatehouse_api::leads::leads_index(space);
        let every_lead = gatehouse_api::leads::FindLeadsQuery {
            per_page: count as u32,
            ..unfiltered_find()
        };
        let (leads, total) = find_leads(&conn, &index, &every_lead).expect("read back");
        assert_eq!(total, count as u64);
        assert_eq!(assert_coherent(&leads), count, "{space}");
    }
}

#[test]
fn a_card_that_contradicts_itself_is_caught() {
    let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
    let honest = build_lead(&entities[0], 0, 0, "e");
    let mut wrong_priority = honest.clone();
    wrong_priority.priority = if honest.priority == 10 { 1 } else { 10 };
    assert!(!contradictions(&wrong_priority).is_empty());
    let mut wrong_byline = honest.clone();
    wrong_byline.byline = "Risk score 0 · 0 open alerts · unclassified asset".into();
    assert!(!contradictions(&wrong_byline).is_empty());
}

fn entity() -> impl Strategy<Value = Entity> {
    let criticality = prop::sample::select(vec![
        None,
        Some("low_impact"),
        Some("medium_impact"),
        Some("high_impact"),
        Some("extreme_impact"),
    ]);
    (
        prop::sample::select(vec!["host", "user", "service"]),
        0.0f64..=100.0,
        (0u32..6, 0u32..10, 0u32..20, 0u32..30),
        criticality,
    )
        .prop_map(|(kind, risk_score, (c, h, m, l), criticality)| Entity {
            id: format!("{kind}:x"),
            entity_type: kind.to_string(),
            name: "x".into(),
            risk_score,
            alerts_critical: c,
            alerts_high: h,
            alerts_medium: m,
            alerts_low: l,
            criticality: criticality.map(str::to_string),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn any_entity_makes_a_lead_that_agrees_with_itself(e in entity()) {
        let lead = build_lead(&e, 0, 0, "e");
        let found = contradictions(&lead);
        prop_assert!(found.is_empty(), "{:?}: {:#?}", lead.title, found);
    }
}
