//! Who can enter a space, and at what level: the roles that grant it and their members.

use super::*;

/// The roles that let their holders into the space and the users who can enter, with levels.
#[component]
pub fn SpaceAccessPanel(id: String) -> impl IntoView {
    let api = expect_api();
    let id = StoredValue::new(id);
    let (report, reload) =
        reloadable(move || async move { api.space_access(&id.get_value()).await });
    view! {
        <section class="panel access-section" data-testid="space-access" id="who-can-enter">
            <h2>{texts::ACCESS_TITLE}</h2>
            <p class="muted small">"Each role that lets its holders in on its own, with the level it grants here, and each user who can enter, with what all their roles add up to. Changes to roles apply on the user's next request."</p>
            <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span></div> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <AccessReport report /> }.into_any(),
                        Err(error) if error.status == 403 => view! {
                            <div class="callout callout-info" role="status" data-testid="space-access-denied">
                                <p class="callout-title">"You can't see who can enter this space"</p>
                                <p>{texts::ACCESS_DENIED}</p>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=reload /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The level, and for `Customize` the features it grants (hidden ones marked).
pub(super) fn privilege_cell(level: SpaceLevel, features: &[FeatureLevel]) -> impl IntoView {
    let granted: Vec<FeatureLevel> = features
        .iter()
        .filter(|f| f.level != AccessLevel::None)
        .cloned()
        .collect();
    let details = (level == SpaceLevel::Customize).then(|| {
        if granted.is_empty() {
            view! { <span class="muted small">"Enter only: no feature"</span> }.into_any()
        } else {
            view! {
                <span class="space-feature-chips">
                    {granted.into_iter().map(|f| {
                        let title = f.hidden.then_some("Hidden in this space: nobody sees it here");
                        let class = if f.hidden { "role-chip space-chip-hidden" } else { "role-chip" };
                        view! { <span class=class title=title data-testid="space-feature-level">{format!("{} · {}", f.name, f.level.label())}</span> }
                    }).collect_view()}
                </span>
            }
            .into_any()
        }
    });
    view! { <div class="space-privilege">{level_badge(level.label(), "space-level")}{details}</div> }
}

pub(super) fn role_link(role: &str) -> impl IntoView {
    view! { <a class="role-chip" href=space_path(&role_edit_href(role))>{role.to_string()}</a> }
}

#[component]
pub(super) fn AccessReport(report: SpaceAccessReport) -> impl IntoView {
    let hidden: Vec<String> = report
        .roles
        .first()
        .map(|r| {
            r.features
                .iter()
                .filter(|f| f.hidden)
                .map(|f| f.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let summary = format!(
        "{} {} can enter through {} {}.",
        report.users.len(),
        if report.users.len() == 1 {
            "user"
        } else {
            "users"
        },
        report.roles.len(),
        if report.roles.len() == 1 {
            "role"
        } else {
            "roles"
        }
    );
    view! {
        <p class="space-access-summary" data-testid="space-access-summary">{summary}</p>
        {(!hidden.is_empty()).then(|| view! {
            <p class="callout callout-info" data-testid="space-access-hidden">
                {format!("Hidden in this space: {}. Nobody sees them here, whatever their roles grant.", hidden.join(", "))}
            </p>
        })}
        <h3 class="space-access-heading">"Roles"</h3>
        <DataTable class="data-table access-table space-access-table" testid="space-access-roles" headers=&["Role", "Privilege here", "Granted for", "Users"]>
            {report.roles.into_iter().map(|role| view! { <RoleRow role /> }).collect_view()}
        </DataTable>
        <h3 class="space-access-heading">"Users"</h3>
        {if report.users.is_empty() {
            view! { <p class="muted" data-testid="space-access-no-users">"No user can enter this space."</p> }.into_any()
        } else {
            view! {
                <DataTable class="data-table access-table space-access-table" testid="space-access-users" headers=&["User", "Privilege here", "Through roles"]>
                    {report.users.into_iter().map(|user| view! { <MemberRow user /> }).collect_view()}
                </DataTable>
            }.into_any()
        }}
    }
}

#[component]
pub(super) fn RoleRow(role: RoleEntry) -> impl IntoView {
    let scope = match (role.all_spaces, role.this_space) {
        (true, true) => "All spaces, and this space by name",
        (true, false) => "All spaces (*)",
        _ => "This space",
    };
    let users = if role.users.is_empty() {
        view! { <span class="muted small">"No users"</span> }.into_any()
    } else {
        view! {
            <span class="badge-list">
                {role.users.iter().map(|u| view! {
                    <a class="role-chip" href=space_path(&access_path_for(u))>{u.clone()}</a>
                }).collect_view()}
            </span>
        }
        .into_any()
    };
    view! {
        <tr data-testid="space-access-role" data-role=role.role.clone()>
            <td>
                {role_link(&role.role)}
                {role.reserved.then(|| view! { <span class="badge badge-reserved">"Reserved"</span> })}
            </td>
            <td>
                {privilege_cell(role.level, &role.features)}
                {role.manages_spaces.then(|| view! { <span class="muted small">"Also manages spaces"</span> })}
            </td>
            <td class="muted small">{scope}</td>
            <td>{users}</td>
        </tr>
    }
}

#[component]
pub(super) fn MemberRow(user: MemberEntry) -> impl IntoView {
    view! {
        <tr data-testid="space-access-user" data-username=user.username.clone() class:row-disabled=!user.enabled>
            <td>
                <a class="row-title" href=space_path(&access_path_for(&user.username))>{user.username.clone()}</a>
                {user.full_name.clone().map(|n| view! { <span class="muted small space-full-name">{n}</span> })}
                {(!user.enabled).then(|| view! { <span class="badge badge-deactivated">"Deactivated"</span> })}
            </td>
            <td>{privilege_cell(user.level, &user.features)}</td>
            <td>
                <span class="badge-list">
                    {user.roles.iter().map(|r| role_link(r)).collect_view()}
                </span>
            </td>
        </tr>
    }
}
