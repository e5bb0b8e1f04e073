//! Dialog contents whose code is not in the first download (transfer size: BENCHMARKS.md section 1).
//!
//! The leads page opens three dialogs, but only on a click: a lead's detail, whose related
//! runbooks bring the search client and its types, "Why?", which brings the access explainer, and
//! the list of what changed since the last visit. The release build (`cargo xtask dist|test|bench`,
//! feature `split`) cuts the runbooks, the explainer and the list out of the main wasm module into
//! one module, fetched the first time one of them is shown. A lead's detail itself is in the main
//! module: it opens with its text at once, as the first paint's detail does (ARCHITECTURE.md,
//! "The leads page has a first paint"), and its runbooks follow. "Why?" and the list open at once
//! and say "Loading…" meanwhile. Builds without the feature take the same async path.

use std::sync::Arc;

use gatehouse_api::access::Requirement;
use gatehouse_api::leads_page::what_changed::WhatChanged;
use leptos::prelude::*;

/// What an open dialog shows.
pub enum DialogBody {
    /// A lead's related runbooks: its tags and entity type.
    RelatedRunbooks(Vec<String>, Option<String>),
    Why(Requirement),
    /// The leads that changed since the user's last visit.
    WhatChanged(Arc<WhatChanged>),
}

fn render(body: DialogBody) -> AnyView {
    match body {
        DialogBody::RelatedRunbooks(tags, entity_type) => {
            view! { <crate::pages::search::RelatedRunbooks tags entity_type /> }.into_any()
        }
        DialogBody::Why(requirement) => {
            view! { <crate::components::why::WhyExplanation requirement /> }.into_any()
        }
        DialogBody::WhatChanged(seen) => {
            view! { <crate::pages::leads::WhatChangedList seen /> }.into_any()
        }
    }
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(dialog_bodies, wasm_split_path = ::leptos::wasm_split, fallible)]
fn dialog_bodies(body: DialogBody) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(render(body))
}

#[cfg(not(feature = "split"))]
async fn dialog_bodies(body: DialogBody) -> Result<AnyView, std::convert::Infallible> {
    Ok(render(body))
}

/// `body`, once its module is there. A failed fetch (offline, a proxy's error page) is said in
/// the dialog; it is not remembered, so opening the dialog again fetches anew.
#[component]
pub fn LazyDialogBody(body: DialogBody) -> impl IntoView {
    // A detail's runbooks come without a word: the detail above them is already there.
    let quiet = matches!(body, DialogBody::RelatedRunbooks(..));
    view! {
        <Suspense fallback=move || (!quiet).then(|| view! { <p class="muted" data-testid="dialog-loading">"Loading…"</p> })>
            {Suspend::new(async move {
                dialog_bodies(body).await.unwrap_or_else(|_| view! { <DialogLoadFailed /> }.into_any())
            })}
        </Suspense>
    }
}

#[component]
fn DialogLoadFailed() -> impl IntoView {
    view! {
        <div class="callout callout-danger" role="alert" data-testid="dialog-load-failed">
            <p class="callout-title">"This could not be loaded"</p>
            <p>"Gatehouse could not download the code for this dialog. Check your connection, then close it and open it again."</p>
        </div>
    }
}
