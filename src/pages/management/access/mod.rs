//! Effective access: for one user, every feature per space with `All` / `Read` / `None`, every
//! index pattern with its privileges, the data the app reads, and for each the role that grants
//! it. Anyone may see their own (`/app/access`); administrators with `read_security` pick any
//! user (`/app/access?user=<name>`). "Why?" explains only for yourself: the server answers it
//! for the signed-in user.

use gatehouse_api::access::{
    combination_note, AccessLevel, DataCheck, EffectiveAccess, FeatureAccess, GrantedBy,
    IndexAccess, Requirement, SpaceAccess,
};
use gatehouse_api::admin::User;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::expect_api;
use crate::components::{
    level_badge, run_as_roles, CoverageCells, DataTable, LoadError, ManagementShell, ViewAsButton,
    WhyDialog,
};
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
                    users.await.map(|list| view! {
                        <div class="access-user-actions">
                            <ViewAsSelected list=list.clone() selected />
                            <UserPicker list selected />
                        </div>
                    })
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

/// "View as" the user whose access is shown, when the caller may (never for themselves).
#[component]
fn ViewAsSelected(list: Vec<User>, selected: Memo<String>) -> impl IntoView {
    let roles = run_as_roles();
    move || {
        let name = selected.get();
        list.iter()
            .find(|user| user.username == name && user.enabled)
            .map(|user| {
                view! { <ViewAsButton username=user.username.clone() full_name=user.full_name.clone() roles /> }
            })
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
    // "All, without: Manage sources and document permissions": the badge says the level, the
    // note the sub-feature privileges that differ from what it includes.
    let level_text = feature.level_text();
    let note = level_text
        .strip_prefix(feature.level.label())
        .map(|rest| rest.trim_start_matches(", ").to_string())
        .filter(|rest| !rest.is_empty());
    view! {
        <tr data-testid="access-feature" data-feature=feature.id.clone()>
            <td>{feature.name.clone()}</td>
            <td class="muted">{feature.category.clone()}</td>
            <td>
                {level_badge(feature.level.label(), "access-level")}
                {note.map(|note| view! { " " <span class="access-sub-note" data-testid="access-sub-features">{note}</span> })}
            </td>
            <td>{granted_by}</td>
        </tr>
    }
}

/// One report of the page: its title, `children`, then the note on how the grants combine when
/// one applies (`note_testid`).
#[component]
fn ReportSection(
    title: &'static str,
    testid: &'static str,
    #[prop(optional_no_strip)] note: Option<&'static str>,
    #[prop(optional)] note_testid: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel access-section" data-testid=testid>
            <h2>{title}</h2>
            {children()}
            {note.map(|note| view! { <p class="muted small coverage-note" data-testid=note_testid>{note}</p> })}
        </section>
    }
}

/// One `<tbody>` per check, one row per granting role with what it covers: the "Data" cells
/// span the role rows.
#[component]
fn DataReport(
    data: Vec<DataCheck>,
    is_self: bool,
    why: RwSignal<Option<Requirement>>,
) -> impl IntoView {
    let note = data
        .iter()
        .find_map(|check| combination_note(check.coverage.iter().map(|g| &g.coverage)));
    view! {
        <ReportSection title="Data" testid="access-data" note note_testid="access-data-note">
            <DataTable class="data-table access-table coverage-table" headers=&["Data", "Index pattern", "Privilege", "Granted by", "Documents", "Fields"] scroll=false row_groups=true>
                {data.into_iter().map(|check| view! { <DataCheckRows check is_self why /> }).collect_view()}
            </DataTable>
        </ReportSection>
    }
}

#[component]
fn DataCheckRows(
    check: DataCheck,
    is_self: bool,
    why: RwSignal<Option<Requirement>>,
) -> impl IntoView {
    let requirement = gatehouse_api::leads::leads_requirement(if check.privilege == "read" {
        gatehouse_api::leads::Privilege::Read
    } else {
        gatehouse_api::leads::Privilege::Write
    });
    let verdict = if check.granted {
        view! { <span class="granted">{format!("✓ {}", check.privilege)}</span> }.into_any()
    } else {
        view! { <span class="missing">{format!("✕ {}", check.privilege)}</span> }.into_any()
    };
    let span = check.coverage.len().max(1);
    let heading = view! {
        <td rowspan=span>{check.label.clone()}</td>
        <td rowspan=span><code>{check.index.clone()}</code></td>
        <td rowspan=span>{verdict}</td>
    };
    let rows = if check.granted && !check.coverage.is_empty() {
        let mut heading = Some(heading);
        check
            .coverage
            .into_iter()
            .map(|grant| {
                view! {
                    <tr data-testid="access-data-grant" data-role=grant.role.clone()>
                        {heading.take()}
                        <td>{role_badges(std::slice::from_ref(&grant.role))}</td>
                        <CoverageCells coverage=grant.coverage />
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    } else {
        view! {
            <tr>
                {heading}
                <td colspan="3"><NotGranted requirement is_self why /></td>
            </tr>
        }
        .into_any()
    };
    view! {
        <tbody data-testid="access-data-row" data-privilege=check.privilege.clone()>{rows}</tbody>
    }
}

/// One `<tbody>` per pattern, one row per role entry naming it: its privileges and what it
/// covers.
#[component]
fn IndexReport(indices: Vec<IndexAccess>) -> impl IntoView {
    let empty = indices.is_empty();
    let note = indices
        .iter()
        .find_map(|index| combination_note(index.grants.iter().map(|g| &g.coverage)));
    // `Show` may draw the table more than once, so its rows read the list in place.
    let indices = StoredValue::new(indices);
    view! {
        <ReportSection title="Index privileges" testid="access-indices" note note_testid="access-index-note">
            <Show when=move || !empty fallback=|| view! { <p class="muted">"No role grants index privileges."</p> }>
                <DataTable class="data-table access-table coverage-table" headers=&["Index pattern", "Role", "Privileges", "Documents", "Fields"] scroll=false row_groups=true>
                    {indices.with_value(|indices| indices.iter().map(|index| {
                        let span = index.grants.len().max(1);
                        let mut pattern = Some(view! { <td rowspan=span><code>{index.pattern.clone()}</code></td> });
                        view! {
                            <tbody data-testid="access-index" data-pattern=index.pattern.clone()>
                                {index.grants.iter().map(|grant| view! {
                                    <tr data-testid="access-index-grant" data-role=grant.role.clone()>
                                        {pattern.take()}
                                        <td>{role_badges(std::slice::from_ref(&grant.role))}</td>
                                        <td>{grant.privileges.join(", ")}</td>
                                        <CoverageCells coverage=grant.coverage.clone() />
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        }
                    }).collect_view())}
                </DataTable>
            </Show>
        </ReportSection>
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
        <ReportSection title="Cluster privileges" testid="access-cluster">
            <Show when=move || !empty fallback=|| view! { <p class="muted">"None: cannot manage users, roles or the cluster."</p> }>
                {granted_list(&cluster)}
            </Show>
        </ReportSection>
    }
}
