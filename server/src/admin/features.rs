//! The feature registry as `GET /api/features` lists it.

use std::collections::BTreeMap;

use gatehouse_api::admin::{
    FeatureCategory, FeatureInfo, FeaturePrivilegeInfo, PrivilegeGroupInfo, SavedObjectTypes,
    SubFeatureInfo, SubFeaturePrivilegeInfo,
};

use crate::authz::{self};

// ---------------------------------------------------------------------------------------------
// Feature registry listing
// ---------------------------------------------------------------------------------------------

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// What one privilege grants. Primary privileges list the feature's apps and catalogue entries;
/// sub-feature privileges grant none of their own, as in Kibana's listing.
fn privilege_info(
    p: &authz::FeaturePrivilege,
    app: &[&str],
    catalogue: &[&str],
) -> FeaturePrivilegeInfo {
    FeaturePrivilegeInfo {
        api: owned(p.api),
        app: owned(app),
        catalogue: owned(catalogue),
        ui: owned(p.ui),
        saved_object: SavedObjectTypes {
            all: owned(p.saved_object_all),
            read: owned(p.saved_object_read),
        },
    }
}

fn sub_feature_info(sub: &authz::SubFeature) -> SubFeatureInfo {
    SubFeatureInfo {
        name: sub.name.to_string(),
        privilege_groups: sub
            .privilege_groups
            .iter()
            .map(|group| PrivilegeGroupInfo {
                group_type: group.group_type,
                privileges: group
                    .privileges
                    .iter()
                    .map(|p| SubFeaturePrivilegeInfo {
                        id: p.id.to_string(),
                        name: p.name.to_string(),
                        include_in: p.include_in,
                        grants: privilege_info(&p.grants, &[], &[]),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// `GET /api/features`: the registry, in the shape the role editor reads.
pub fn features() -> Vec<FeatureInfo> {
    authz::FEATURES
        .iter()
        .map(|f| {
            let (category_id, category_label) = authz::feature_category(f.id);
            FeatureInfo {
                id: f.id.to_string(),
                name: f.name.to_string(),
                category: FeatureCategory {
                    id: category_id.into(),
                    label: category_label.into(),
                },
                app: owned(f.app),
                catalogue: owned(f.catalogue),
                privileges: BTreeMap::from([
                    (
                        "all".to_string(),
                        privilege_info(&f.all, f.app, f.catalogue),
                    ),
                    (
                        "read".to_string(),
                        privilege_info(&f.read, f.app, f.catalogue),
                    ),
                ]),
                sub_features: f.sub_features.iter().map(sub_feature_info).collect(),
            }
        })
        .collect()
}
