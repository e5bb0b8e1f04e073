//! The feature registry as `GET /api/features` lists it.

use std::collections::BTreeMap;

use gatehouse_api::admin::{FeatureCategory, FeatureInfo, FeaturePrivilegeInfo, SavedObjectTypes};

use crate::authz::{self};

// ---------------------------------------------------------------------------------------------
// Feature registry listing
// ---------------------------------------------------------------------------------------------

/// `GET /api/features`: the registry, in the shape the role editor reads.
pub fn features() -> Vec<FeatureInfo> {
    authz::FEATURES
        .iter()
        .map(|f| {
            let (category_id, category_label) = authz::feature_category(f.id);
            let info = |p: &authz::FeaturePrivilege| FeaturePrivilegeInfo {
                api: p.api.iter().map(|s| s.to_string()).collect(),
                app: f.app.iter().map(|s| s.to_string()).collect(),
                catalogue: f.catalogue.iter().map(|s| s.to_string()).collect(),
                ui: p.ui.iter().map(|s| s.to_string()).collect(),
                saved_object: SavedObjectTypes {
                    all: p.saved_object_all.iter().map(|s| s.to_string()).collect(),
                    read: p.saved_object_read.iter().map(|s| s.to_string()).collect(),
                },
            };
            FeatureInfo {
                id: f.id.to_string(),
                name: f.name.to_string(),
                category: FeatureCategory {
                    id: category_id.into(),
                    label: category_label.into(),
                },
                app: f.app.iter().map(|s| s.to_string()).collect(),
                catalogue: f.catalogue.iter().map(|s| s.to_string()).collect(),
                privileges: BTreeMap::from([
                    ("all".to_string(), info(&f.all)),
                    ("read".to_string(), info(&f.read)),
                ]),
            }
        })
        .collect()
}
