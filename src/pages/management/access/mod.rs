//! Effective access: for one user, every feature per space with `All` / `Read` / `None`, every
//! index pattern with its privileges, the data the app reads, and for each the role that grants
//! it. Anyone may see their own (`/app/access`); administrators with `read_security` pick any
//! user (`/app/access?user=<name>`). "Why?" explains only for yourself: the server answers it
//! for the signed-in user.

use gatehouse_api::access::{
    AccessLevel, DataCheck, EffectiveAccess, FeatureAccess, GrantedBy, IndexAccess, Requirement,
    SpaceAccess,
};
use gatehouse_api::admin::User;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::expect_api;
use crate::components::{level_badge, DataTable, LoadError, ManagementShell, WhyDialog};
use crate::routes::access_path_for;
use crate::state::expect_session;

#[component]
pub fn EffectiveAccessPage() -> impl IntoView {
    let session = expect_session();
    let in_management = move || session.capabilities().nav_link("management");
    view! {
        <Show
            when=in_management
            fallback=|| view! { <div class="page"><AccessView /></div> }
        >
            <ManagementShell><AccessView /></ManagementShell>
        </Show>
    }
}

#[component]
fn AccessView() -> impl IntoView {
    let api = expect_api();
    let session = expect_session();
    let query = use_query_map();
    let me = move || session.user().map(|u| u.username).unwrap_or_default();
    let selected = Memo::new(move |_| {
        query
            .with(|q| q.get("user"))
            .filter(|u| !u.is_empty())
            .unwrap_or_else(me)
    });
    let is_self = Memo::new(move |_| selected.get() == me());
    let reload = RwSignal::new(0u32);
    let access = LocalResource::new(move || {
        reload.track();
        let username = selected.get();
        async move { api.effective_access(&username).await }
    });
    // Only administrators get the list; for everyone else it is a 403 and no picker is shown.
    let users = LocalResource::new(move || async move { api.list_users().await.ok() });
    let why = RwSignal::new(None::<Requirement>);

    view! {
        <header class="page-header page-header-row">
            <div>
            <h1>"Effective access"</h1>
            <p class="muted">
                {move || if is_self.get() {
                    "What your roles let you do, and the role behind each grant.".to_string()
                } else {
                    format!("What {} may do, and the role behind each grant.", selected.get())
                }}
            </p>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    users.await.map(|list| view! { <UserPicker list selected /> })
                })}
            </Transition>
        </header>
        <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span><span></span></div> }>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(access) => view! { <AccessReport access is_self=is_self.get_untracked() why /> }.into_any(),
                    Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                }
            })}
        </Transition>
        <WhyDialog requirement=why title="Why don't I have this?" />
    }
}

#[component]
fn UserPicker(list: Vec<User>, selected: Memo<String>) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <label class="field inline-field">
            <span class="field-label">"User"</span>
            <select
                data-testid="access-user"
                on:change:target=move |ev| navigate(&access_path_for(&ev.target().value()), Default::default())
            >
                {list.into_iter().map(|user| {
                    let name = user.username.clone();
                    let is_selected = move || selected.get() == name;
                    let label = match user.full_name.as_deref() {
                        Some(full) if !full.is_empty() => format!("{} ({full})", user.username),
                        _ => user.username.clone(),
                    };
                    view! { <option value=user.username.clone() selected=is_selected>{label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn AccessReport(
    access: EffectiveAccess,
    is_self: bool,
    why: RwSignal<Option<Requirement>>,
) -> impl IntoView {
    let has_roles = !access.roles.is_empty();
    view! {
        <section class="panel access-section" data-testid="access-roles">
            <h2>"Roles"</h2>
            <Show when=move || has_roles fallback=|| view! { <p class="muted">"No roles: nothing is granted."</p> }>
                <div class="badge-list">
                    {access.roles.iter().map(|role| {
                        let class = if role.missing { "badge badge-missing" } else { "badge" };
                        let title = role.missing.then_some("No role with this name exists: it grants nothing.");
                        view! { <span class=class title=title>{role.role.clone()}{role.missing.then_some(" (missing)")}</span> }
                    }).collect_view()}
                </div>
            </Show>
        </section>
        {access.spaces.into_iter().map(|space| view! { <SpaceReport space is_self why /> }).collect_view()}
        <DataReport data=access.data is_self why />
        <IndexReport indices=access.indices />
        <ClusterReport cluster=access.cluster />
    }
}

fn role_badges(roles: &[String]) -> impl IntoView {
    let roles = roles.to_vec();
    view! {
        <span class="badge-list">
            {roles.into_iter().map(|r| view! { <code class="role-chip">{r}</code> }).collect_view()}
        </span>
    }
}

#[component]
fn SpaceReport(
    space: SpaceAccess,
    is_self: bool,
    why: RwSignal<Option<Requirement>>,
) -> impl IntoView {
    let space_id = space.space.clone();
    view! {
        <section class="panel access-section" data-testid="access-space" data-space=space.space.clone()>
            <div class="section-title-row">
                <h2>{format!("Kibana features in the {} space", space.name)}</h2>
                {if space.can_enter {
                    view! { <span class="badge level-all">"Can enter"</span> }.into_any()
                } else {
                    view! { <span class="badge level-none" data-testid="access-no-entry">"Cannot enter"</span> }.into_any()
                }}
            </div>
            <DataTable class="data-table access-table" headers=&["Feature", "Category", "Privilege", "Granted by"] scroll=false>
                {space.features.into_iter().map(|feature| view! { <FeatureRow feature space=space_id.clone() is_self why /> }).collect_view()}
            </DataTable>
        </section>
    }
}

/// "No role grants it", with a Why? when the report is about yourself (the server explains for
/// the signed-in user only).
#[component]
fn NotGranted(
    requirement: Requirement,
    is_self: bool,
    why: RwSignal<Option<Requirement>>,
) -> impl IntoView {
    let requirement = StoredValue::new(requirement);
    view! {
        <span class="muted">"No role grants it"</span>
        {is_self.then(|| view! {
            " " <button type="button" class="link-button" data-testid="access-why" on:click=move |_| why.set(Some(requirement.get_value()))>"Why?"</button>
        })}
    }
}

#[component]
fn FeatureRow(
    feature: FeatureAccess,
    space: String,
    is_self: bool,
    why: RwSignal<Option<Requirement>>,
) -> impl IntoView {
    let granted_by = if feature.level == AccessLevel::None {
        let requirement = Requirement::Feature {
            feature: feature.id.clone(),
            level: AccessLevel::Read,
            space,
        };
        view! { <NotGranted requirement is_self why /> }.into_any()
    } else {
        role_badges(&feature.roles).into_any()
    };
    view! {
        <tr data-testid="access-feature" data-feature=feature.id.clone()>
            <td>{feature.name.clone()}</td>
            <td class="muted">{feature.category.clone()}</td>
            <td>{level_badge(feature.level.label(), "access-level")}</td>
            <td>{granted_by}</td>
        </tr>
    }
}

#[component]
fn DataReport(
    data: Vec<DataCheck>,
    is_self: bool,
    why: RwSignal<Option<Requirement>>,
) -> impl IntoView {
    view! {
        <section class="panel access-section" data-testid="access-data">
            <h2>"Data"</h2>
            <DataTable class="data-table access-table" headers=&["Data", "Index pattern", "Privilege", "Granted by"] scroll=false>
                    {data.into_iter().map(|check| {
                        let requirement = gatehouse_api::leads::leads_requirement(
                            if check.privilege == "read" { gatehouse_api::leads::Privilege::Read } else { gatehouse_api::leads::Privilege::Write },
                        );
                        let verdict = if check.granted {
                            view! { <span class="granted">{format!("✓ {}", check.privilege)}</span> }.into_any()
                        } else {
                            view! { <span class="missing">{format!("✕ {}", check.privilege)}</span> }.into_any()
                        };
                        let granted_by = if check.granted {
                            role_badges(&check.roles).into_any()
                        } else {
                            view! { <NotGranted requirement is_self why /> }.into_any()
                        };
                        view! {
                            <tr data-testid="access-data-row" data-privilege=check.privilege.clone()>
                                <td>{check.label.clone()}</td>
                                <td><code>{check.index.clone()}</code></td>
                                <td>{verdict}</td>
                                <td>{granted_by}</td>
                            </tr>
                        }
                    }).collect_view()}
            </DataTable>
        </section>
    }
}

#[component]
fn IndexReport(indices: Vec<IndexAccess>) -> impl IntoView {
    let empty = indices.is_empty();
    view! {
        <section class="panel access-section" data-testid="access-indices">
            <h2>"Index privileges"</h2>
            <Show when=move || !empty fallback=|| view! { <p class="muted">"No role grants index privileges."</p> }>
                <table class="data-table access-table">
                    <thead><tr>
                        <th scope="col">"Index pattern"</th>
                        <th scope="col">"Privileges and the roles that grant them"</th>
                        <th scope="col">"Restrictions"</th>
                    </tr></thead>
                    <tbody>
                        {indices.iter().map(|index| view! {
                            <tr data-testid="access-index" data-pattern=index.pattern.clone()>
                                <td><code>{index.pattern.clone()}</code></td>
                                <td>{granted_list(&index.privileges)}</td>
                                <td>
                                    {if index.restrictions.is_empty() {
                                        view! { <span class="muted">"None"</span> }.into_any()
                                    } else {
                                        view! { <ul class="plain-list">{index.restrictions.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul> }.into_any()
                                    }}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

fn granted_list(granted: &[GrantedBy]) -> impl IntoView {
    view! {
        <ul class="plain-list">
            {granted.iter().map(|g| view! {
                <li><strong>{g.privilege.clone()}</strong>" ← "{role_badges(&g.roles)}</li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn ClusterReport(cluster: Vec<GrantedBy>) -> impl IntoView {
    let empty = cluster.is_empty();
    view! {
        <section class="panel access-section" data-testid="access-cluster">
            <h2>"Cluster privileges"</h2>
            <Show when=move || !empty fallback=|| view! { <p class="muted">"None: cannot manage users, roles or the cluster."</p> }>
                {granted_list(&cluster)}
            </Show>
        </section>
    }
}
