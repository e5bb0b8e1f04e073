//! The badge of an access level (All, Read, Customize, None), coloured by level.

use leptos::prelude::*;

/// `label` (a level's name: `All`, `Read`, `Customize`, `None`) in a badge of class
/// `level-{name in lower case}`.
pub fn level_badge(label: &'static str, testid: &'static str) -> impl IntoView {
    let class = format!("badge level level-{}", label.to_ascii_lowercase());
    view! { <span class=class data-testid=testid>{label}</span> }
}
