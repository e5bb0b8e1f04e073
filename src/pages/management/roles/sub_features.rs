//! One feature of a role's Kibana privileges in some spaces: `All` / `Read` / `None`, and under it
//! "Customize sub-feature privileges" as Kibana draws it (a switch, then per privilege group
//! radio buttons or checkboxes). What each click stores is `FeatureSelection` in
//! `gatehouse_api::admin`, tested natively (docs/privileges.md#sub-feature-privileges).

use gatehouse_api::admin::{FeatureSelection, PrivilegeGroupType};

use super::*;

#[component]
pub(super) fn FeaturePrivilegeRows(
    i: usize,
    form: RwSignal<RoleForm>,
    feature: FeatureInfo,
) -> impl IntoView {
    let feature = StoredValue::new(feature);
    let selection = Memo::new(move |_| {
        form.with(|f| {
            feature.with_value(|feature| {
                f.kibana
                    .get(i)
                    .map(|row| row.feature_selection(feature))
                    .unwrap_or_default()
            })
        })
    });
    let edit = move |change: &dyn Fn(&FeatureInfo, &mut FeatureSelection)| {
        form.update(|f| {
            if let Some(row) = f.kibana.get_mut(i) {
                feature.with_value(|feature| row.edit_feature(feature, |s| change(feature, s)));
            }
        })
    };
    let (name, id, category, has_sub_features) = feature.with_value(|f| {
        (
            f.name.clone(),
            f.id.clone(),
            f.category.label.clone(),
            !f.sub_features.is_empty(),
        )
    });
    let group = unique_id("feature");
    let levels = [(Some(true), "All"), (Some(false), "Read"), (None, "None")]
        .into_iter()
        .map(|(primary, label)| {
            let on = move || selection.with(|s| s.primary == primary);
            view! {
                <label class="segment segment-small" class:segment-on=on>
                    <input type="radio" name=group.clone() value=label.to_ascii_lowercase() prop:checked=on
                        on:change=move |_| edit(&|f, s| s.set_primary(f, primary)) />
                    {label}
                </label>
            }
        })
        .collect_view();
    let sub_features = move || {
        feature.with_value(|f| {
            f.sub_features
                .iter()
                .map(|sub| {
                    let groups = sub
                        .privilege_groups
                        .iter()
                        .map(|g| privilege_group(g, selection, edit))
                        .collect_view();
                    view! {
                        <div class="sub-feature" data-testid="role-sub-feature">
                            <span class="field-label">{sub.name.clone()}</span>
                            {groups}
                        </div>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <tr data-testid="role-feature-row" data-feature=id.clone()>
            <td>
                <span class="feature-name">{name.clone()}</span>
                <span class="muted small feature-category">{category}</span>
            </td>
            <td><div class="segmented" role="radiogroup" aria-label=format!("{name} privilege")>{levels}</div></td>
        </tr>
        <Show when=move || has_sub_features>
            <tr class="sub-feature-row" data-testid="role-sub-features" data-feature=id.clone()>
                <td colspan="2">
                    <label class="inline-field switch-field">
                        <input type="checkbox" role="switch" data-testid="role-customize-sub-features"
                            prop:disabled=move || selection.with(|s| s.primary.is_none())
                            prop:checked=move || selection.with(|s| s.customized)
                            on:change:target=move |ev| {
                                let on = ev.target().checked();
                                edit(&|f, s| s.set_customized(f, on));
                            } />
                        "Customize sub-feature privileges"
                    </label>
                    <Show when=move || selection.with(|s| s.customized)>
                        {sub_features}
                    </Show>
                </td>
            </tr>
        </Show>
    }
}

/// One privilege group: radio buttons (with `None`) when its privileges exclude each other,
/// checkboxes when they combine.
fn privilege_group(
    group: &gatehouse_api::admin::PrivilegeGroupInfo,
    selection: Memo<FeatureSelection>,
    edit: impl Fn(&dyn Fn(&FeatureInfo, &mut FeatureSelection)) + Copy + 'static,
) -> impl IntoView {
    let exclusive = group.group_type == PrivilegeGroupType::MutuallyExclusive;
    let name = unique_id("sub-feature");
    let ids: Vec<String> = group.privileges.iter().map(|p| p.id.clone()).collect();
    let options = group
        .privileges
        .iter()
        .map(|privilege| {
            let id = StoredValue::new(privilege.id.clone());
            let on = move || selection.with(|s| id.with_value(|id| s.sub_privileges.contains(id)));
            let kind = if exclusive { "radio" } else { "checkbox" };
            view! {
                <label class="chip-option">
                    <input type=kind name=name.clone() value=privilege.id.clone() data-testid="role-sub-feature-privilege"
                        prop:checked=on
                        on:change:target=move |ev| {
                            let checked = ev.target().checked();
                            id.with_value(|id| edit(&|f, s| s.toggle_sub_privilege(f, id, checked)));
                        } />
                    <span>{privilege.name.clone()}</span>
                </label>
            }
        })
        .collect_view();
    // Exclusive groups offer `None` too, as Kibana's button group does.
    let none = exclusive.then(|| {
        let ids = StoredValue::new(ids);
        let on = move || {
            selection
                .with(|s| ids.with_value(|ids| !ids.iter().any(|id| s.sub_privileges.contains(id))))
        };
        view! {
            <label class="chip-option">
                <input type="radio" name=name.clone() value="none" prop:checked=on
                    on:change=move |_| ids.with_value(|ids| edit(&|f, s| {
                        for id in ids {
                            s.toggle_sub_privilege(f, id, false);
                        }
                    })) />
                <span>"None"</span>
            </label>
        }
    });
    view! { <div class="chip-options" role=if exclusive { "radiogroup" } else { "group" }>{options}{none}</div> }
}
