//! "Share dashboard": who may edit, who owns it, and a link. Owner and admins change the mode
//! and transfer ownership; everyone else reads the mode with the reason they cannot change it.

use gatehouse_api::dashboards::{texts, Dashboard, DashboardAccessMode, SharePermissions};
use gatehouse_api::security::UserProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{copy_text, Modal, TextTooltip};
use crate::api::expect_api;
use crate::format::upper_cased;
use crate::state::{expect_profiles, expect_toasts, Toasts};
use gatehouse_api::ApiError;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Updated,
    Failed(String),
}

/// Where a change of permissions is told: inline in the dialog, as a toast, and to the page
/// (`on_changed`, so it reloads the dashboard) after a success.
#[derive(Clone, Copy)]
struct Report {
    outcome: RwSignal<Option<Outcome>>,
    on_changed: Callback<()>,
    toasts: Toasts,
}

impl Report {
    /// Tells how a change went; `detail` is the success toast's text.
    fn change(self, result: Result<(), ApiError>, detail: &str) {
        match result {
            Ok(()) => {
                self.outcome.set(Some(Outcome::Updated));
                self.toasts.success(texts::PERMISSIONS_UPDATED, detail);
                self.on_changed.run(());
            }
            Err(error) => {
                self.outcome.set(Some(Outcome::Failed(error.toast_text())));
                self.toasts.api_error(texts::PERMISSIONS_FAILED, &error);
            }
        }
    }
}

#[component]
pub fn ShareDialog(
    open: RwSignal<bool>,
    #[prop(into)] dashboard: Signal<Option<Dashboard>>,
    #[prop(into)] permissions: Signal<SharePermissions>,
    /// Called after a successful change, so the page reloads the dashboard.
    on_changed: Callback<()>,
) -> impl IntoView {
    let outcome = RwSignal::new(None::<Outcome>);
    let report = Report {
        outcome,
        on_changed,
        toasts: expect_toasts(),
    };
    Effect::new(move |_| {
        if open.get() {
            outcome.set(None);
        }
    });
    // Drawn again only for another dashboard or owner: the page reads the dashboard again after
    // every change, and drawing the body anew then would take the focus from the control the
    // user just changed (the mode is kept in the body itself).
    let shown = Memo::new(move |_| {
        dashboard.with(|dashboard| {
            dashboard
                .as_ref()
                .map(|d| (d.id.clone(), d.owner().map(str::to_string)))
        })
    });
    view! {
        <Modal open title=texts::SHARE_TITLE.to_string() testid="share-dialog">
            {move || shown.get().and(dashboard.get_untracked()).map(|dashboard| view! {
                <ShareBody dashboard permissions report />
            })}
        </Modal>
    }
}

#[component]
fn ShareBody(
    dashboard: Dashboard,
    permissions: Signal<SharePermissions>,
    report: Report,
) -> impl IntoView {
    let api = expect_api();
    let profiles = expect_profiles();
    // Viewing as another user: the viewed user's mode and owner are shown, never changed, and
    // the plain text says why (their own reason first, as every closed control does).
    let own_permissions = permissions;
    let viewing_as = crate::state::view_as::viewing_as();
    let permissions = Signal::derive(move || {
        let mut permissions = own_permissions.get();
        if viewing_as.with(Option::is_some) {
            permissions.can_change_mode = false;
            permissions.can_change_owner = false;
        }
        permissions
    });
    let mode_tip = move || {
        let own = own_permissions
            .get_untracked()
            .permissions_reason()
            .map(str::to_string);
        viewing_as
            .with_untracked(|view| gatehouse_api::view_as::closed_reason(own, view.as_ref()))
            .unwrap_or_default()
    };
    let id = StoredValue::new(dashboard.id.clone());
    let mode = RwSignal::new(dashboard.access_mode());
    let saving = RwSignal::new(false);
    let owner_uid = dashboard.owner().map(str::to_string);
    profiles.ensure(api, owner_uid.clone());
    let owner_name = {
        let owner_uid = owner_uid.clone();
        move || {
            owner_uid
                .as_deref()
                .map(|uid| profiles.name_of(uid))
                .unwrap_or_else(|| "No owner".into())
        }
    };

    let change_mode = move |value: String| {
        let Some(next) = DashboardAccessMode::parse(&value) else {
            return;
        };
        let before = mode.get_untracked();
        if next == before {
            return;
        }
        mode.set(next);
        saving.set(true);
        spawn_local(async move {
            let result = api.change_access_mode(&id.get_value(), next).await;
            if result.is_err() {
                mode.set(before);
            }
            report.change(result, "");
            saving.set(false);
        });
    };

    let link = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|origin| format!("{origin}/app/dashboards/view/{}", dashboard.id))
        .unwrap_or_default();
    let link_copied = RwSignal::new(false);
    let copy_link = {
        let link = link.clone();
        move |_| {
            let link = link.clone();
            spawn_local(async move {
                if copy_text(link).await {
                    link_copied.set(true);
                } else {
                    report.toasts.error(
                        "Could not copy the link",
                        "Select the link and copy it by hand.",
                    );
                }
            });
        }
    };

    view! {
        <section class="share-section" aria-labelledby="share-permissions">
            <h3 id="share-permissions">{texts::PERMISSIONS}</h3>
            <div class="share-row">
                <span class="share-who">
                    <span class="avatar avatar-space" aria-hidden="true">"✦"</span>
                    {texts::EVERYBODY_IN_SPACE}
                </span>
                <Show
                    when=move || permissions.get().can_change_mode
                    fallback=move || view! {
                        <TextTooltip
                            text=Signal::derive(move || mode.get().plain_label().to_string())
                            tip=mode_tip()
                            testid="share-mode-text"
                        />
                    }
                >
                    <select
                        aria-label="Access for everybody in the space"
                        data-testid="share-mode-select"
                        // Not `disabled` while saving: that would drop a keyboard user's focus to the
                        // page. A change meanwhile is put back instead.
                        aria-busy=move || saving.get().then_some("true")
                        prop:value=move || mode.get().as_str()
                        on:change:target=move |ev| {
                            if saving.get_untracked() {
                                ev.target().set_value(mode.get_untracked().as_str());
                            } else {
                                change_mode(ev.target().value());
                            }
                        }
                    >
                        <option value="default">{texts::CAN_EDIT}</option>
                        <option value="write_restricted">{texts::CAN_VIEW}</option>
                    </select>
                </Show>
            </div>
            <p class="muted small">
                {move || match mode.get() {
                    DashboardAccessMode::Default => "Everybody who can edit dashboards in this space can change it.",
                    DashboardAccessMode::WriteRestricted => "Only the owner and administrators can change it; everybody else can view it.",
                }}
            </p>
            {move || report.outcome.get().map(|outcome| match outcome {
                Outcome::Updated => view! {
                    <p class="inline-result inline-success" role="status" data-testid="share-result">{texts::PERMISSIONS_UPDATED}</p>
                }.into_any(),
                Outcome::Failed(message) => view! {
                    <div class="inline-result inline-danger" role="alert" data-testid="share-result">
                        <p>{texts::PERMISSIONS_FAILED}</p>
                        <p class="small">{message}</p>
                    </div>
                }.into_any(),
            })}
        </section>
        <section class="share-section" aria-labelledby="share-owner">
            <h3 id="share-owner">"Owner"</h3>
            <div class="share-row">
                <span class="share-who" data-testid="share-owner">
                    <span class="avatar" aria-hidden="true">{{
                        let owner_name = owner_name.clone();
                        move || gatehouse_api::security::initials_of(&owner_name(), upper_cased)
                    }}</span>
                    {owner_name.clone()}
                </span>
            </div>
            <Show when=move || permissions.get().can_change_owner>
                <TransferOwnership
                    dashboard_id=id.get_value()
                    dashboard_title=dashboard.data.title.clone()
                    current_owner=owner_uid.clone()
                    report
                />
            </Show>
        </section>
        <section class="share-section" aria-labelledby="share-link">
            <h3 id="share-link">"Link"</h3>
            <div class="share-row">
                <input type="text" class="link-input" readonly value=link aria-label="Dashboard link" />
                <button type="button" class="btn" data-testid="share-copy-link" on:click=copy_link>
                    {move || if link_copied.get() { "Copied" } else { "Copy link" }}
                </button>
            </div>
        </section>
    }
}

#[component]
fn TransferOwnership(
    dashboard_id: String,
    dashboard_title: String,
    current_owner: Option<String>,
    report: Report,
) -> impl IntoView {
    let api = expect_api();
    let profiles = expect_profiles();
    let query = RwSignal::new(String::new());
    let choice = RwSignal::new(None::<UserProfile>);
    let saving = RwSignal::new(false);
    let dashboard_id = StoredValue::new(dashboard_id);
    let current_owner = StoredValue::new(current_owner);
    let suggestions = LocalResource::new(move || {
        let name = query.get();
        async move {
            if name.trim().is_empty() {
                return Ok(Vec::new());
            }
            api.suggest_profiles(name.trim()).await
        }
    });

    let transfer = move |_| {
        let Some(profile) = choice.get_untracked() else {
            return;
        };
        saving.set(true);
        spawn_local(async move {
            let result = api
                .change_owner(&dashboard_id.get_value(), &profile.uid)
                .await;
            if result.is_ok() {
                profiles.remember(profile);
                choice.set(None);
                query.set(String::new());
            }
            report.change(result, "Ownership transferred.");
            saving.set(false);
        });
    };

    view! {
        <Show
            when=move || choice.with(Option::is_some)
            fallback=move || view! {
                <label class="field">
                    <span class="field-label">"Transfer ownership"</span>
                    <input
                        type="search"
                        placeholder="Find a user by name"
                        data-testid="share-owner-search"
                        autocomplete="off"
                        aria-controls="owner-suggestions"
                        prop:value=move || query.get()
                        on:input:target=move |ev| query.set(ev.target().value())
                    />
                </label>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match suggestions.await {
                            Ok(found) => {
                                let found: Vec<UserProfile> = found
                                    .into_iter()
                                    .filter(|p| current_owner.with_value(|owner| owner.as_deref() != Some(p.uid.as_str())))
                                    .collect();
                                let empty = found.is_empty() && !query.get_untracked().trim().is_empty();
                                view! {
                                    <ul class="suggestions" id="owner-suggestions" role="listbox" aria-label="Users">
                                        {found.into_iter().map(|profile| {
                                            let name = profile.user.full_name.clone().unwrap_or_else(|| profile.user.username.clone());
                                            let username = profile.user.username.clone();
                                            view! {
                                                <li role="option">
                                                    <button type="button" class="suggestion" data-testid="share-owner-option" on:click=move |_| choice.set(Some(profile.clone()))>
                                                        <span class="avatar" aria-hidden="true">{gatehouse_api::security::initials_of(&name, upper_cased)}</span>
                                                        <span>{name.clone()}</span>
                                                        <span class="muted small">{username}</span>
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    <Show when=move || empty><p class="muted small">"No matching users."</p></Show>
                                }.into_any()
                            }
                            Err(error) => view! { <p class="inline-result inline-danger" role="alert">{error.toast_text()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            }
        >
            <div class="callout callout-warning confirm-transfer" role="alertdialog" aria-labelledby="transfer-title" data-testid="share-transfer-confirm">
                <p class="callout-title" id="transfer-title">{
                    let title = dashboard_title.clone();
                    move || format!(
                        "Transfer “{}” to {}?",
                        title,
                        choice.get().map(|p| p.user.full_name.unwrap_or(p.user.username)).unwrap_or_default()
                    )
                }</p>
                <p>"The new owner decides who can edit it. You may lose the ability to change its permissions back."</p>
                <div class="modal-actions">
                    <button type="button" class="btn" on:click=move |_| choice.set(None)>"Cancel"</button>
                    <button type="button" class="btn btn-danger" data-testid="share-transfer-confirm-button" disabled=move || saving.get() on:click=transfer>
                        "Transfer ownership"
                    </button>
                </div>
            </div>
        </Show>
    }
}
