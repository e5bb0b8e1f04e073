//! The space form as plain data: what it holds, the identifier derived from the name, its checks
//! (the server's `validate_space`, in Kibana's form texts), where a server refusal belongs, and
//! the list's features summary.

use super::non_empty;
use crate::admin::FeatureInfo;
use crate::spaces::{validate_space, Space, MAX_SPACE_ID_LENGTH};
use crate::ApiError;

/// Kibana's texts (spaces management and its `SpaceValidator`).
pub mod texts {
    pub const TITLE: &str = "Spaces";
    pub const SUBTITLE: &str =
        "Organize your dashboards and other saved objects into meaningful categories.";
    pub const CREATE: &str = "Create space";
    pub const UPDATE: &str = "Update space";
    pub const NO_PERMISSION: &str = "You need permission to manage spaces";
    pub const NO_PERMISSION_HELP: &str = "Contact your system administrator. Creating, editing and deleting spaces needs the Kibana privilege All in every space (*), as the kibana_admin role grants.";
    pub const ENTER_NAME: &str = "Enter a name.";
    pub const NAME_TOO_LONG: &str = "Name must not exceed 1024 characters.";
    pub const DESCRIPTION_TOO_LONG: &str = "Description must not exceed 2000 characters.";
    pub const ID_TOO_LONG: &str = "URL identifier must not exceed 1024 characters.";
    pub const ENTER_ID: &str = "Enter a URL identifier.";
    pub const ID_CHARACTERS: &str =
        "URL identifier can only contain a-z, 0-9, and the characters \"_\" and \"-\".";
    pub const INITIALS_TOO_LONG: &str = "Enter no more than 2 characters.";
    pub const INVALID_COLOR: &str = "Enter a valid HEX color code.";
    pub const DESCRIPTION_HELP: &str = "The description appears on the space selection screen.";
    pub const FEATURES_HELP: &str = "Hidden features are removed from the user interface in this space, even for users whose roles grant them, and their routes answer 404 here. To secure access to features, manage security roles.";
    pub const DELETE_BODY: &str = "will be permanently deleted.";
    pub const DELETE_CONFIRM: &str = "Delete space and all contents";
    pub const DELETE_CURRENT: &str =
        "You will be redirected to choose a different space if you continue.";
    pub const DEFAULT_RESERVED: &str =
        "The default space cannot be deleted because it is reserved.";
    pub const ACCESS_TITLE: &str = "Who can enter this space";
    pub const ACCESS_DENIED: &str = "Listing roles and users needs the read_security cluster privilege (manage_security and all include it).";

    pub fn saved(name: &str) -> String {
        format!("Space '{name}' was saved.")
    }

    pub fn deleted(name: &str) -> String {
        format!("Deleted space '{name}'")
    }

    pub fn delete_title(name: &str) -> String {
        format!("Delete space '{name}'?")
    }

    pub fn delete_current(name: &str) -> String {
        format!("You are about to delete your current space ({name}).")
    }
}

// ---------------------------------------------------------------------------------------------
// The form, as plain data and functions
// ---------------------------------------------------------------------------------------------

/// Kibana's identifier from a name: lower case, every character but `a-z`, `0-9` and `_`
/// becomes `-`.
pub fn derive_space_id(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// What the space form holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceForm {
    pub id: String,
    pub name: String,
    pub description: String,
    pub initials: String,
    pub color: String,
    pub disabled_features: Vec<String>,
    /// Kept as it is (the form does not edit images).
    pub image_url: Option<String>,
    /// The user typed the identifier: it no longer follows the name.
    pub id_edited: bool,
}

impl SpaceForm {
    pub fn from_space(space: &Space) -> Self {
        SpaceForm {
            id: space.id.clone(),
            name: space.name.clone(),
            description: space.description.clone().unwrap_or_default(),
            initials: space.initials.clone().unwrap_or_default(),
            color: space.color.clone().unwrap_or_default(),
            disabled_features: space.disabled_features.clone(),
            image_url: space.image_url.clone(),
            id_edited: true,
        }
    }

    /// The body sent to the spaces API; empty optional fields are left out.
    pub fn to_space(&self) -> Space {
        Space {
            id: self.id.trim().to_string(),
            name: self.name.trim().to_string(),
            description: non_empty(&self.description),
            color: non_empty(&self.color),
            initials: non_empty(&self.initials),
            image_url: self.image_url.clone().filter(|i| !i.is_empty()),
            disabled_features: self.disabled_features.clone(),
            reserved: None,
        }
    }

    /// A new name; while creating, the identifier follows it until the user types one.
    pub fn set_name(&mut self, name: String, creating: bool) {
        if creating && !self.id_edited {
            self.id = derive_space_id(&name);
        }
        self.name = name;
    }

    pub fn set_id(&mut self, id: String) {
        self.id_edited = true;
        self.id = id;
    }

    pub fn is_visible(&self, feature: &str) -> bool {
        !self.disabled_features.iter().any(|f| f == feature)
    }

    /// Unchecking a feature puts its id into `disabledFeatures`.
    pub fn set_visible(&mut self, feature: &str, visible: bool) {
        self.disabled_features.retain(|f| f != feature);
        if !visible {
            self.disabled_features.push(feature.to_string());
        }
    }
}

/// One message per field, `None` when the field is fine; `other` for what has no field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceFormErrors {
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub initials: Option<String>,
    pub color: Option<String>,
    pub other: Option<String>,
}

impl SpaceFormErrors {
    pub fn is_empty(&self) -> bool {
        *self == SpaceFormErrors::default()
    }

    fn slot(&mut self, field: &str) -> &mut Option<String> {
        match field {
            "id" => &mut self.id,
            "name" => &mut self.name,
            "description" => &mut self.description,
            "initials" => &mut self.initials,
            "color" => &mut self.color,
            _ => &mut self.other,
        }
    }

    /// The server's word wins for the field it names.
    pub fn merged(&self, server: &SpaceFormErrors) -> SpaceFormErrors {
        SpaceFormErrors {
            id: server.id.clone().or_else(|| self.id.clone()),
            name: server.name.clone().or_else(|| self.name.clone()),
            description: server
                .description
                .clone()
                .or_else(|| self.description.clone()),
            initials: server.initials.clone().or_else(|| self.initials.clone()),
            color: server.color.clone().or_else(|| self.color.clone()),
            other: server.other.clone().or_else(|| self.other.clone()),
        }
    }
}

/// Every problem of the form, each under its field: the rules are the server's
/// ([`validate_space`], asked again after each problem so all fields are checked), the texts
/// Kibana's form shows.
pub fn validate_space_form(form: &SpaceForm) -> SpaceFormErrors {
    let mut errors = SpaceFormErrors::default();
    let mut space = form.to_space();
    // One round per field at most.
    for _ in 0..8 {
        let Err((field, message)) = validate_space(&space) else {
            break;
        };
        match field {
            "id" => {
                errors.id = Some(if space.id.is_empty() {
                    texts::ENTER_ID.to_string()
                } else if space.id.chars().count() > MAX_SPACE_ID_LENGTH {
                    texts::ID_TOO_LONG.to_string()
                } else {
                    texts::ID_CHARACTERS.to_string()
                });
                space.id = "valid".into();
            }
            "name" => {
                errors.name = Some(if space.name.trim().is_empty() {
                    texts::ENTER_NAME.to_string()
                } else {
                    texts::NAME_TOO_LONG.to_string()
                });
                space.name = "valid".into();
            }
            "description" => {
                errors.description = Some(texts::DESCRIPTION_TOO_LONG.to_string());
                space.description = None;
            }
            "initials" => {
                errors.initials = Some(texts::INITIALS_TOO_LONG.to_string());
                space.initials = None;
            }
            "color" => {
                errors.color = Some(texts::INVALID_COLOR.to_string());
                space.color = None;
            }
            "imageUrl" => {
                errors.other = Some(format!("Avatar image: {message}"));
                space.image_url = None;
            }
            "disabledFeatures" => {
                errors.other = Some(format!("Features: {message}"));
                space.disabled_features.clear();
            }
            _ => {
                errors.other = Some(message);
                break;
            }
        }
    }
    errors
}

/// Where the server's refusal belongs: a 409 is about the identifier, a 400
/// `[request body.<field>]: <text>` under that field (with the server's text), anything else
/// above the form.
pub fn server_errors(error: &ApiError) -> SpaceFormErrors {
    let mut errors = SpaceFormErrors::default();
    if error.status == 409 {
        errors.id = Some(error.message.clone());
        return errors;
    }
    if error.status == 400 {
        if let Some((field, text)) = error
            .message
            .strip_prefix("[request body.")
            .and_then(|rest| rest.split_once("]: "))
        {
            let field = field.split('.').next().unwrap_or(field);
            let slot = errors.slot(field);
            *slot = Some(text.to_string());
            if errors.other.is_some() {
                errors.other = Some(error.message.clone());
            }
            return errors;
        }
    }
    errors.other = Some(error.toast_text());
    errors
}

/// `4 / 5 features visible`; without the registry, the count of hidden ones.
pub fn features_summary(space: &Space, features: Option<&[FeatureInfo]>) -> String {
    match features {
        Some(features) if !features.is_empty() => {
            let visible = features
                .iter()
                .filter(|f| !space.is_feature_disabled(&f.id))
                .count();
            format!("{visible} / {} features visible", features.len())
        }
        _ => match space.disabled_features.len() {
            0 => "All features visible".to_string(),
            1 => "1 feature hidden".to_string(),
            n => format!("{n} features hidden"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURES: &str = r#"[{"id":"securitySolution","name":"Security","category":{"id":"securitySolution","label":"Security"}},{"id":"dashboard","name":"Dashboard","category":{"id":"kibana","label":"Analytics"}},{"id":"dev_tools","name":"Dev Tools","category":{"id":"management","label":"Management"}},{"id":"management","name":"Stack Management","category":{"id":"management","label":"Management"}}]"#;

    /// A space with only an id and a name, as the server would read `{"id", "name"}`.
    fn space(id: &str, name: &str) -> Space {
        serde_json::from_value(serde_json::json!({ "id": id, "name": name })).expect("a space")
    }

    /// SOC EMEA with its colour, initials, description and Dev Tools hidden.
    fn emea() -> Space {
        let mut emea = space("soc-emea", "SOC EMEA");
        emea.color = Some("#6092c0".into());
        emea.initials = Some("EM".into());
        emea.description = Some("The EMEA team".into());
        emea.disabled_features = vec!["dev_tools".into()];
        emea
    }

    #[test]
    fn the_identifier_follows_the_name_until_typed() {
        assert_eq!(derive_space_id("SOC EMEA"), "soc-emea");
        assert_eq!(derive_space_id("  Red Team_2! "), "red-team_2-");
        let mut form = SpaceForm::default();
        form.set_name("Blue Team".into(), true);
        assert_eq!(form.id, "blue-team");
        form.set_id("blue".into());
        form.set_name("Blue Team EU".into(), true);
        assert_eq!(form.id, "blue", "typed ids stay");
        let mut editing = SpaceForm::from_space(&emea());
        editing.set_name("Renamed".into(), false);
        assert_eq!(editing.id, "soc-emea", "never changes while editing");
    }

    #[test]
    fn every_invalid_field_gets_kibanas_text() {
        let form = SpaceForm {
            id: "Bad Id".into(),
            name: "  ".into(),
            initials: "ABC".into(),
            color: "red".into(),
            description: "x".repeat(2001),
            ..Default::default()
        };
        let errors = validate_space_form(&form);
        assert_eq!(errors.id.as_deref(), Some(texts::ID_CHARACTERS));
        assert_eq!(errors.name.as_deref(), Some(texts::ENTER_NAME));
        assert_eq!(errors.initials.as_deref(), Some(texts::INITIALS_TOO_LONG));
        assert_eq!(errors.color.as_deref(), Some(texts::INVALID_COLOR));
        assert_eq!(
            errors.description.as_deref(),
            Some(texts::DESCRIPTION_TOO_LONG)
        );
        assert_eq!(
            validate_space_form(&SpaceForm::default()).id.as_deref(),
            Some(texts::ENTER_ID)
        );
        // The server's length limits, in the form's words.
        let long = validate_space_form(&SpaceForm {
            id: "a".repeat(crate::spaces::MAX_SPACE_ID_LENGTH + 1),
            name: "n".repeat(crate::spaces::MAX_SPACE_NAME_LENGTH + 1),
            ..Default::default()
        });
        assert_eq!(long.id.as_deref(), Some(texts::ID_TOO_LONG));
        assert_eq!(long.name.as_deref(), Some(texts::NAME_TOO_LONG));
        assert!(texts::NAME_TOO_LONG.contains(&crate::spaces::MAX_SPACE_NAME_LENGTH.to_string()));
        assert!(texts::DESCRIPTION_TOO_LONG
            .contains(&crate::spaces::MAX_SPACE_DESCRIPTION_LENGTH.to_string()));
        assert!(texts::ID_TOO_LONG.contains(&crate::spaces::MAX_SPACE_ID_LENGTH.to_string()));
        let fine = SpaceForm {
            id: "blue".into(),
            name: "Blue".into(),
            color: "#AABBCC".into(),
            initials: "Bl".into(),
            ..Default::default()
        };
        assert!(validate_space_form(&fine).is_empty());

        let mut visible = SpaceForm::from_space(&emea());
        assert!(!visible.is_visible("dev_tools"));
        visible.set_visible("dashboard", false);
        visible.set_visible("dev_tools", true);
        assert_eq!(visible.to_space().disabled_features, vec!["dashboard"]);
        assert_eq!(
            SpaceForm {
                id: "a".into(),
                name: " A ".into(),
                description: " ".into(),
                ..Default::default()
            }
            .to_space(),
            Space {
                name: "A".into(),
                ..space("a", "A")
            },
            "trimmed, empty optional fields left out"
        );
    }

    #[test]
    fn server_refusals_land_under_their_field() {
        let error = |status: u16, message: &str| {
            ApiError::from_response(
                status,
                Some("application/json"),
                &format!(r#"{{"statusCode":{status},"error":"x","message":"{message}"}}"#),
            )
        };
        let conflict = server_errors(&error(
            409,
            "A space with the identifier soc-emea already exists.",
        ));
        assert_eq!(
            conflict.id.as_deref(),
            Some("A space with the identifier soc-emea already exists.")
        );
        let color = server_errors(&error(
            400,
            "[request body.color]: must be a 6 digit hex color, starting with a #",
        ));
        assert_eq!(
            color.color.as_deref(),
            Some("must be a 6 digit hex color, starting with a #")
        );
        let unknown = server_errors(&error(400, "[request body.solution]: nope"));
        assert_eq!(
            unknown.other.as_deref(),
            Some("[request body.solution]: nope")
        );
        let denied = server_errors(&error(403, "Unauthorized to create spaces"));
        assert_eq!(
            denied.other.as_deref(),
            Some("Unauthorized to create spaces (403)")
        );

        let features: Vec<crate::admin::FeatureInfo> =
            serde_json::from_str(FEATURES).expect("features");
        assert_eq!(
            features_summary(&emea(), Some(&features)),
            "3 / 4 features visible"
        );
        assert_eq!(features_summary(&emea(), None), "1 feature hidden");
        assert_eq!(
            features_summary(&Space::default_space(), None),
            "All features visible"
        );
    }
}
