//! The import's result screen: created, overwritten, protection reset (and why), failed (with the
//! server's message), and the conflicts, each with its own choice and one retry for them all.

use gatehouse_api::saved_objects_page::{retries, summarize, texts, ConflictAnswer, ResultRow};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::ImportDone;
use crate::api::expect_api;
use crate::components::FormError;
use crate::format::plural;
use crate::routes::dashboard_href;
use crate::state::space_path;

#[component]
pub fn ImportResult(
    result: ImportDone,
    open: RwSignal<bool>,
    on_imported: Callback<()>,
) -> impl IntoView {
    let api = expect_api();
    let ImportDone {
        summary,
        file,
        keep_access_control,
    } = result;
    let summary = RwSignal::new(summary);
    let file = StoredValue::new(file);
    let answers = RwSignal::new(
        summary
            .get_untracked()
            .conflicts
            .into_iter()
            .map(|row| (row, ConflictAnswer::default()))
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let retry = move |_| {
        let chosen = answers.get_untracked();
        let retries = retries(&chosen, new_object_id);
        if retries.is_empty() {
            error.set(Some(texts::NOTHING_TO_RETRY.into()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let sent = api
                .resolve_import_errors(&file.get_value(), &retries, keep_access_control)
                .await;
            match sent {
                Ok(response) => {
                    if response.success_count > 0 {
                        on_imported.run(());
                    }
                    let retried = summarize(&response);
                    let next = summary.get_untracked().after_retry(&chosen, retried);
                    let _ = answers.try_set(
                        next.conflicts
                            .iter()
                            .cloned()
                            .map(|row| (row, ConflictAnswer::default()))
                            .collect(),
                    );
                    let _ = summary.try_set(next);
                }
                Err(err) => {
                    let _ = error.try_set(Some(err.toast_text()));
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let headline = move || {
        summary.with(|s| {
            let imported = (s.created.len() + s.overwritten.len()) as u64;
            let mut parts = vec![format!(
                "{} imported",
                plural(imported, "object", "objects")
            )];
            if !s.failed.is_empty() {
                parts.push(format!("{} failed", s.failed.len()));
            }
            if !s.conflicts.is_empty() {
                parts.push(format!("{} to decide", s.conflicts.len()));
            }
            parts.join(", ")
        })
    };

    view! {
        <div class="saved-objects-result" data-testid="import-result">
            <p class="saved-objects-headline" role="status" data-testid="import-headline">{headline}</p>
            {move || {
                let s = summary.get();
                view! {
                    <ResultGroup rows=s.created title="Created" testid="import-created" tone="success" linked=true />
                    <ResultGroup rows=s.overwritten title="Overwritten" testid="import-overwritten" tone="success" linked=true />
                    <ResultGroup rows=s.protection_reset title="Protection reset" testid="import-protection-reset" tone="warning" linked=true />
                    <ResultGroup rows=s.failed title="Failed" testid="import-failed" tone="danger" linked=false />
                    <ResultGroup rows=s.kept_here title="Left as they were here" testid="import-kept" tone="" linked=true />
                }
            }}
            <Show when=move || answers.with(|a| !a.is_empty())>
                <ConflictChoices answers />
                <FormError error testid="import-retry-error" />
            </Show>
            <div class="modal-actions">
                <button type="button" class="btn" data-testid="import-done" on:click=move |_| open.set(false)>"Done"</button>
                <Show when=move || answers.with(|a| !a.is_empty())>
                    <button type="button" class="btn btn-primary" data-testid="import-retry" disabled=move || busy.get() on:click=retry>"Import the chosen"</button>
                </Show>
            </div>
        </div>
    }
}

/// One group of the result: its title and count, then each object (linked to where it is now
/// when it is here) with the reason, when there is one, as text.
#[component]
fn ResultGroup(
    rows: Vec<ResultRow>,
    title: &'static str,
    testid: &'static str,
    tone: &'static str,
    linked: bool,
) -> impl IntoView {
    if rows.is_empty() {
        return ().into_any();
    }
    let count = rows.len();
    let items = rows
        .into_iter()
        .map(|row| {
            let here = row.id_here.clone().or_else(|| linked.then(|| row.id.clone()));
            let name = match here.filter(|_| linked) {
                Some(id) => view! { <a href=space_path(&dashboard_href(&id))>{row.title.clone()}</a> }.into_any(),
                None => view! { <span>{row.title.clone()}</span> }.into_any(),
            };
            view! {
                <li data-testid="import-row" data-id=row.id.clone()>
                    {name}
                    {row.detail.map(|why| view! { <p class="small saved-objects-reason" data-testid="import-reason">{why}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class=format!("saved-objects-group saved-objects-group-{tone}") data-testid=testid>
            <h3>{format!("{title} ({count})")}</h3>
            <ul class="plain-list">{items}</ul>
        </section>
    }
    .into_any()
}

/// A choice per conflict: keep the one here, overwrite it, or import a new copy.
#[component]
fn ConflictChoices(answers: RwSignal<Vec<(ResultRow, ConflictAnswer)>>) -> impl IntoView {
    // Redrawn when the conflicts change (after a retry), not at each answer: a select redrawn
    // under the user would lose their focus.
    let conflicts = Memo::new(move |_| {
        answers.with(|all| all.iter().map(|(row, _)| row.clone()).collect::<Vec<_>>())
    });
    let rows = move || {
        conflicts
            .get()
            .into_iter()
            .enumerate()
            .map(|(at, row)| {
                let answer = answers
                    .with_untracked(|all| all.get(at).map(|(_, answer)| *answer))
                    .unwrap_or_default();
                let options = ConflictAnswer::ALL
                    .into_iter()
                    .map(|option| view! { <option value=option.value() selected=option == answer>{option.label()}</option> })
                    .collect_view();
                view! {
                    <li data-testid="import-conflict" data-id=row.id.clone()>
                        <label class="saved-objects-conflict">
                            <span>{row.title.clone()}" "<code class="small">{row.id.clone()}</code></span>
                            <select data-testid="import-conflict-choice" on:change:target=move |ev| {
                                let chosen = ConflictAnswer::parse(&ev.target().value()).unwrap_or_default();
                                answers.update(|all| {
                                    if let Some(entry) = all.get_mut(at) {
                                        entry.1 = chosen;
                                    }
                                });
                            }>{options}</select>
                        </label>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="saved-objects-group saved-objects-group-warning" data-testid="import-conflicts">
            <h3>"Already in this space"</h3>
            <p class="muted small">"An object with the same id is already here. Choose for each, then import the chosen ones."</p>
            <ul class="plain-list">{rows}</ul>
        </section>
    }
}

/// A fresh id for a new copy: random, like Kibana's.
fn new_object_id() -> String {
    let random = || (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:08x}{:04x}",
        random(),
        random() & 0xffff,
        random() & 0xfff,
        (random() & 0x3fff) | 0x8000,
        random(),
        random() & 0xffff
    )
}
