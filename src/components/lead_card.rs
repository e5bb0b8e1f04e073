//! The lead cards' insides, drawn by `lead_card.js` (list rendering: BENCHMARKS.md section 5).
//!
//! A card's `<li>` is `view!`'s, keyed by lead in the leads page's list; its inside is cloned from
//! one prepared card and filled in with one call, where `view!` made some 80 wasm→JS calls per
//! card. A card holds no reactive state: its Dismiss is closed with a reason when it is drawn and
//! by the list's one effect after (`lead_list`), as `GuardedButton` closes its own. The clicks
//! on a card reach the list's one listener (`src/pages/leads/`).

use std::sync::Arc;

use gatehouse_api::leads::{
    entity_icon_class, priority_badge_class, priority_badge_text, staleness_class, title_text, Lead,
};
use leptos::prelude::*;
use leptos::reactive::effect::RenderEffect;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::format::{local_time, relative_time};

#[wasm_bindgen(module = "/src/components/lead_card.js")]
extern "C" {
    #[wasm_bindgen(js_name = fillLeadCard)]
    fn fill_lead_card(
        card: &web_sys::Element,
        badge_class: &str,
        priority: &str,
        staleness_class: &str,
        staleness: &str,
        title: &str,
        byline: &str,
        entity_icon_class: &str,
        entity_type: Option<&str>,
        entity_name: &str,
        tags: Vec<String>,
        date_time: &str,
        local_time: &str,
        relative_time: &str,
        dismissible: bool,
        dismiss_block: Option<&str>,
    );

    #[wasm_bindgen(js_name = closeDismissals)]
    fn close_dismissals(list: &web_sys::Element, reason: Option<&str>);

    #[wasm_bindgen(js_name = listenForTooltips)]
    fn listen_for_tooltips(list: &web_sys::Element);
}

/// `use:lead_card=(lead, dismiss_block)` on a card's `<li>`: draws the lead into it. Only an
/// active lead has a Dismiss button, closed while `dismiss_block` holds a reason.
pub fn lead_card(
    card: web_sys::Element,
    (lead, dismiss_block): (Arc<Lead>, Signal<Option<String>>),
) {
    let entity = lead.entity.as_ref();
    dismiss_block.with_untracked(|reason| {
        fill_lead_card(
            &card,
            priority_badge_class(lead.priority),
            &priority_badge_text(lead.priority),
            &staleness_class(&lead.staleness),
            &lead.staleness,
            title_text(&lead.title),
            &lead.byline,
            entity.map_or("", |e| entity_icon_class(&e.entity_type)),
            entity.map(|e| e.entity_type.as_str()),
            entity.map_or("", |e| e.name.as_str()),
            lead.tags.clone(),
            &lead.timestamp,
            &local_time(&lead.timestamp),
            &relative_time(&lead.timestamp),
            lead.status == "active",
            reason.as_deref(),
        );
    });
}

/// `use:lead_list=dismiss_block` on the cards' list: every Dismiss in it closes and opens with
/// `dismiss_block`, and the reasons' tooltips open on hover and focus and close on Escape.
pub fn lead_list(list: web_sys::Element, dismiss_block: Signal<Option<String>>) {
    listen_for_tooltips(&list);
    let effect = RenderEffect::new(move |_| {
        dismiss_block.with(|reason| close_dismissals(&list, reason.as_deref()));
    });
    // Kept, and dropped, by the list's owner.
    StoredValue::new_local(effect);
}
