//! "Why?" for every denial: what is missing, which of your roles were checked, the roles that
//! would grant it, and the role to add (with a copy button). The server explains it for the
//! signed-in user; when it cannot (a real Kibana has no explain route, or the network failed),
//! the dialog still shows the requirement and the role fix computed here.

use gatehouse_api::access::{combination_note, role_fix, Explanation, Requirement, RoleFix};
use gatehouse_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{copy_text, open_while_some, CoverageCells, Modal};
use crate::api::expect_api;
use crate::lazy_dialogs::{DialogBody, LazyDialogBody};
use crate::state::expect_toasts;

/// A modal explaining `requirement` while it holds one; closing it clears it.
#[component]
pub fn WhyDialog(
    requirement: RwSignal<Option<Requirement>>,
    #[prop(into)] title: Signal<String>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let open = open_while_some(requirement);
    let testid = if testid.is_empty() {
        "why-dialog"
    } else {
        testid
    };
    view! {
        <Modal open title testid class="modal-wide">
            {move || requirement.get().map(|requirement| view! { <LazyDialogBody body=DialogBody::Why(requirement) /> })}
        </Modal>
    }
}

/// Opened through [`LazyDialogBody`]: its code is fetched the first time a "Why?" is opened.
#[component]
pub(crate) fn WhyExplanation(requirement: Requirement) -> impl IntoView {
    let api = expect_api();
    let asked = StoredValue::new(requirement);
    let explanation =
        LocalResource::new(move || async move { api.explain(&asked.get_value()).await });
    view! {
        <Suspense fallback=|| view! { <p class="muted" data-testid="why-loading">"Checking your roles…"</p> }>
            {move || Suspend::new(async move {
                match explanation.await {
                    Ok(explanation) => view! { <Explained explanation /> }.into_any(),
                    Err(error) => view! { <Unexplained requirement=asked.get_value() error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Explained(explanation: Explanation) -> impl IntoView {
    let granted = explanation.granted;
    let has_roles = !explanation.your_roles.is_empty();
    // `None`: the caller may not read roles, so the server named none (docs/effective-access.md).
    let roles_hidden = explanation.granting_roles.is_none();
    let granting = explanation.granting_roles.clone().unwrap_or_default();
    let has_granting = !granting.is_empty();
    // Granted only with restrictions (a role query or field security): say what the caller's own
    // granting roles cover; theirs to see, unlike other roles' names.
    let restricted = explanation.granted
        && explanation
            .your_roles
            .iter()
            .filter_map(|v| v.covers.as_ref())
            .all(|c| !c.is_unrestricted())
        && explanation.your_roles.iter().any(|v| v.covers.is_some());
    let note = restricted
        .then(|| {
            combination_note(
                explanation
                    .your_roles
                    .iter()
                    .filter_map(|v| v.covers.as_ref()),
            )
        })
        .flatten();
    view! {
        <p data-testid="why-needed"><strong>"Needed: "</strong>{explanation.description.clone()}</p>
        <Show when=move || granted>
            <p class="callout callout-info" data-testid="why-granted">
                "You hold this now: your roles changed since it was refused. Try again."
            </p>
        </Show>
        <Show
            when=move || has_roles
            fallback=|| view! { <p data-testid="why-no-roles">"You have no roles, so Gatehouse grants you nothing."</p> }
        >
            <Show when=move || restricted>
                <p class="callout callout-info" data-testid="why-restricted">
                    "You hold it only for some documents or fields: each role below says which."
                </p>
            </Show>
            <table class="privilege-table coverage-table" data-testid="why-roles">
                <thead><tr>
                    <th scope="col">"Your role"</th>
                    <th scope="col">"Grants it?"</th>
                    {restricted.then(|| view! { <th scope="col">"Documents"</th><th scope="col">"Fields"</th> })}
                </tr></thead>
                <tbody>
                    {explanation.your_roles.iter().map(|verdict| {
                        let (class, text) = if verdict.missing {
                            ("missing", "✕ no such role")
                        } else if verdict.grants {
                            ("granted", "✓ yes")
                        } else {
                            ("missing", "✕ no")
                        };
                        let coverage = restricted.then(|| match verdict.covers.clone() {
                            Some(coverage) => view! { <CoverageCells coverage /> }.into_any(),
                            None => view! { <td></td><td></td> }.into_any(),
                        });
                        view! {
                            <tr data-testid="why-role" data-role=verdict.role.clone()>
                                <td><code>{verdict.role.clone()}</code></td>
                                <td class=class>{text}</td>
                                {coverage}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {note.map(|note| view! { <p class="muted small coverage-note" data-testid="why-combined">{note}</p> })}
        </Show>
        <Show when=move || has_granting>
            <p data-testid="why-granting">
                "Roles that grant it: "
                {granting.iter().enumerate().map(|(i, role)| view! {
                    {(i > 0).then_some(", ")}<code>{role.clone()}</code>
                }).collect_view()}
                ". An administrator can assign one of them to you, or add this role:"
            </p>
        </Show>
        <Show when=move || roles_hidden>
            <p data-testid="why-ask">"An administrator can assign you a role that grants it, or add this role in Dev Tools and assign it to you:"</p>
        </Show>
        <Show when=move || !has_granting && !roles_hidden>
            <p>"No existing role grants it. An administrator can add this role in Dev Tools and assign it to you:"</p>
        </Show>
        <FixSnippet fix=explanation.fix />
    }
}

#[component]
fn Unexplained(requirement: Requirement, error: ApiError) -> impl IntoView {
    let fix = role_fix(&requirement);
    view! {
        <p data-testid="why-needed"><strong>"Needed: "</strong>{requirement.describe()}</p>
        <p class="muted small" data-testid="why-unchecked">
            "Gatehouse could not check your roles ("{error.toast_text()}"). An administrator can grant it with this role:"
        </p>
        <FixSnippet fix />
    }
}

#[component]
fn FixSnippet(fix: RoleFix) -> impl IntoView {
    let toasts = expect_toasts();
    let snippet = StoredValue::new(fix.console_request);
    let copied = RwSignal::new(false);
    let copy = move |_| {
        spawn_local(async move {
            if copy_text(snippet.get_value()).await {
                copied.set(true);
            } else {
                toasts.error("Could not copy", "Select the text and copy it by hand.");
            }
        });
    };
    view! {
        <pre class="code-block" data-testid="why-snippet">{snippet.get_value()}</pre>
        <div class="modal-actions">
            <button type="button" class="btn" data-testid="why-copy" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}
