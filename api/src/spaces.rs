//! Spaces (docs/spaces.md): the wire type, Kibana's validation texts, URL prefixes and the avatar.

use serde::{Deserialize, Serialize};

use crate::security::UpperCase;

pub const SPACES_PATH: &str = "/api/spaces/space";
pub const ACTIVE_SPACE_PATH: &str = "/internal/spaces/_active_space";
pub const SPACES_API_VERSION: &str = "2023-10-31";
pub const DEFAULT_SPACE_ID: &str = "default";
pub const MAX_DISABLED_FEATURES: usize = 100;
/// Longest space name, as Kibana's space form says.
pub const MAX_SPACE_NAME_LENGTH: usize = 1024;
/// Longest space description, as Kibana's space form says.
pub const MAX_SPACE_DESCRIPTION_LENGTH: usize = 2000;
/// Longest space id: what the form derives from a longest name.
pub const MAX_SPACE_ID_LENGTH: usize = 1024;
/// Longest name of a disabled feature: feature ids are short words.
pub const MAX_FEATURE_ID_LENGTH: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Space {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default)]
    pub disabled_features: Vec<String>,
    #[serde(default, rename = "_reserved", skip_serializing_if = "Option::is_none")]
    pub reserved: Option<bool>,
}

impl Space {
    /// A space with only its id and name, as the create form makes it when nothing else is
    /// filled in.
    pub fn named(id: &str, name: &str) -> Self {
        Space {
            id: id.into(),
            name: name.into(),
            description: None,
            color: None,
            initials: None,
            image_url: None,
            disabled_features: Vec::new(),
            reserved: None,
        }
    }

    pub fn default_space() -> Self {
        Space {
            id: DEFAULT_SPACE_ID.into(),
            name: "Default".into(),
            description: Some("This is your default space!".into()),
            color: Some("#00bfb3".into()),
            initials: None,
            image_url: None,
            disabled_features: Vec::new(),
            reserved: Some(true),
        }
    }

    pub fn is_reserved(&self) -> bool {
        self.reserved.unwrap_or(false)
    }

    /// The accessible name of the header's space button, which shows only the avatar: it starts
    /// with the letters the button shows, so a voice user can say what they see (WCAG 2.5.3,
    /// label in name), then names the space and the button's purpose.
    pub fn switcher_label(&self, upper: UpperCase) -> String {
        format!(
            "{} ({}): Spaces navigation",
            self.avatar_initials(upper),
            self.name
        )
    }

    /// The avatar's letters: the given initials, else the first letters of the first two words.
    pub fn avatar_initials(&self, upper: UpperCase) -> String {
        match self.initials.as_deref().map(str::trim) {
            Some(given) if !given.is_empty() => given.chars().take(2).collect(),
            _ => {
                let letters: String = self
                    .name
                    .split_whitespace()
                    .filter_map(|word| word.chars().next())
                    .take(2)
                    .collect();
                upper(&letters)
            }
        }
    }

    /// The avatar's colour: the given one, else one derived from the name so it stays stable.
    pub fn avatar_color(&self) -> String {
        if let Some(color) = self.color.as_deref().filter(|c| is_valid_color(c)) {
            return color.to_string();
        }
        const PALETTE: &[&str] = &[
            "#54b399", "#6092c0", "#d36086", "#9170b8", "#ca8eae", "#d6bf57", "#b9a888", "#da8b45",
            "#aa6556", "#e7664c",
        ];
        let hash = self
            .name
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        PALETTE[hash % PALETTE.len()].to_string()
    }

    /// The avatar's inline style: the space's colour, and letters that keep their contrast on it.
    pub fn avatar_style(&self) -> String {
        let background = self.avatar_color();
        let text = avatar_text_color(&background);
        format!("background:{background};color:{text}")
    }

    pub fn is_feature_disabled(&self, feature: &str) -> bool {
        self.disabled_features.iter().any(|f| f == feature)
    }
}

pub mod texts {
    pub const ID_INVALID: &str = "must be lower case, a-z, 0-9, '_', and '-' are allowed";
    pub const COLOR_INVALID: &str = "must be a 6 digit hex color, starting with a #";
    pub const IMAGE_INVALID: &str = "must start with 'data:image'";
    pub const SELECT_TITLE: &str = "Select your space";
    pub const SELECT_SUBTITLE: &str = "You can change your space at anytime.";
}

pub fn is_valid_space_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// The colour of an avatar's letters on `background` (`#rrggbb`): black or white, whichever
/// contrasts more by WCAG's relative luminance, so the letters keep at least 4.58:1 on any colour
/// a space is given (WCAG 2.2 AA asks 4.5:1). White when the colour cannot be read.
pub fn avatar_text_color(background: &str) -> &'static str {
    let channel = |at: usize| {
        background
            .get(at..at + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .map(|byte| {
                let c = f64::from(byte) / 255.0;
                if c <= 0.04045 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            })
    };
    let (Some(r), Some(g), Some(b)) = (channel(1), channel(3), channel(5)) else {
        return "#ffffff";
    };
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at L ≈ 0.179.
    if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) {
        "#000000"
    } else {
        "#ffffff"
    }
}

pub fn is_valid_color(color: &str) -> bool {
    color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_alphanumeric())
}

/// Kibana's validation of a space body: `Err((field, message))` for the first problem.
pub fn validate_space(space: &Space) -> Result<(), (&'static str, String)> {
    let too_long = |field: &'static str, text: &str, max: usize| {
        let count = text.chars().count();
        (count > max).then(|| {
            (
                field,
                format!("value has length [{count}] but it must have a maximum length of [{max}]."),
            )
        })
    };
    if let Some(problem) = too_long("id", &space.id, MAX_SPACE_ID_LENGTH) {
        return Err(problem);
    }
    if !is_valid_space_id(&space.id) {
        return Err(("id", texts::ID_INVALID.to_string()));
    }
    if space.name.trim().is_empty() {
        return Err((
            "name",
            "value has length [0] but it must have a minimum length of [1].".to_string(),
        ));
    }
    if let Some(problem) = too_long("name", &space.name, MAX_SPACE_NAME_LENGTH) {
        return Err(problem);
    }
    let description = space.description.as_deref().unwrap_or("");
    if let Some(problem) = too_long("description", description, MAX_SPACE_DESCRIPTION_LENGTH) {
        return Err(problem);
    }
    if let Some(initials) = &space.initials {
        let count = initials.chars().count();
        if count > 2 {
            return Err((
                "initials",
                format!("value has length [{count}] but it must have a maximum length of [2]."),
            ));
        }
    }
    if let Some(color) = &space.color {
        if !is_valid_color(color) {
            return Err(("color", texts::COLOR_INVALID.to_string()));
        }
    }
    if let Some(image) = &space.image_url {
        if !image.is_empty() && !image.starts_with("data:image") {
            return Err(("imageUrl", texts::IMAGE_INVALID.to_string()));
        }
    }
    if space.disabled_features.len() > MAX_DISABLED_FEATURES {
        return Err((
            "disabledFeatures",
            format!(
                "array size is [{}], but cannot be greater than [{MAX_DISABLED_FEATURES}]",
                space.disabled_features.len()
            ),
        ));
    }
    for feature in &space.disabled_features {
        if let Some(problem) = too_long("disabledFeatures", feature, MAX_FEATURE_ID_LENGTH) {
            return Err(problem);
        }
    }
    Ok(())
}

/// `/s/{id}` for a space, nothing for `default`.
pub fn space_prefix(space: &str) -> String {
    if space == DEFAULT_SPACE_ID || space.is_empty() {
        String::new()
    } else {
        format!("/s/{space}")
    }
}

/// Splits `/s/{id}/rest` into (`id`, `/rest`); any other path is in `default`.
pub fn split_space_path(path: &str) -> (&str, &str) {
    if let Some(rest) = path.strip_prefix("/s/") {
        let (id, tail) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if is_valid_space_id(id) {
            return (id, if tail.is_empty() { "/" } else { tail });
        }
    }
    (DEFAULT_SPACE_ID, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(id: &str, name: &str) -> Space {
        Space {
            id: id.into(),
            name: name.into(),
            ..Space::default_space()
        }
    }

    #[test]
    fn avatars_use_given_initials_or_the_first_two_words() {
        let mut s = space("soc-emea", "SOC EMEA team");
        assert_eq!(s.avatar_initials(str::to_uppercase), "SE");
        s.initials = Some("Ez".into());
        assert_eq!(s.avatar_initials(str::to_uppercase), "Ez");
        assert_eq!(
            space("x", "default").avatar_initials(str::to_uppercase),
            "D"
        );
        let mut uncoloured = space("x", "Marketing");
        uncoloured.color = None;
        assert_eq!(uncoloured.avatar_color(), uncoloured.clone().avatar_color());
        assert!(is_valid_color(&uncoloured.avatar_color()));
    }

    #[test]
    fn avatar_letters_keep_aa_contrast_on_every_palette_colour() {
        fn luminance(hex: &str) -> f64 {
            let c = |at: usize| {
                let v = f64::from(u8::from_str_radix(&hex[at..at + 2], 16).unwrap()) / 255.0;
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
        }
        for background in [
            "#54b399", "#6092c0", "#d36086", "#9170b8", "#ca8eae", "#d6bf57", "#b9a888", "#da8b45",
            "#aa6556", "#e7664c", "#00bfb3", "#000000", "#ffffff", "#1d2a3e",
        ] {
            let text = avatar_text_color(background);
            let (a, b) = (luminance(background), luminance(text));
            let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(ratio >= 4.5, "{text} on {background}: {ratio:.2}");
        }
        assert_eq!(avatar_text_color("#1d2a3e"), "#ffffff");
        assert_eq!(avatar_text_color("#d6bf57"), "#000000");
        assert_eq!(avatar_text_color("not a colour"), "#ffffff");
    }

    #[test]
    fn the_switcher_is_named_first_by_the_letters_it_shows() {
        let mut s = space("soc-emea", "SOC EMEA");
        s.initials = Some("Ez".into());
        assert_eq!(
            s.switcher_label(str::to_uppercase),
            "Ez (SOC EMEA): Spaces navigation"
        );
        assert_eq!(
            space("default", "Default").switcher_label(str::to_uppercase),
            "D (Default): Spaces navigation"
        );
    }

    #[test]
    fn every_field_has_a_size() {
        let at = |n: usize| "a".repeat(n);
        assert_eq!(
            validate_space(&space(&at(MAX_SPACE_ID_LENGTH), &at(MAX_SPACE_NAME_LENGTH))),
            Ok(())
        );
        assert_eq!(
            validate_space(&space(&at(MAX_SPACE_ID_LENGTH + 1), "n")),
            Err((
                "id",
                "value has length [1025] but it must have a maximum length of [1024].".into()
            ))
        );
        assert_eq!(
            validate_space(&space("s", &at(1_000_000))).map_err(|e| e.0),
            Err("name")
        );
        let mut described = space("s", "S");
        described.description = Some(at(MAX_SPACE_DESCRIPTION_LENGTH + 1));
        assert_eq!(
            validate_space(&described).map_err(|e| e.0),
            Err("description")
        );
        described.description = Some(at(MAX_SPACE_DESCRIPTION_LENGTH));
        assert_eq!(validate_space(&described), Ok(()));
        let mut features = space("s", "S");
        features.disabled_features = vec![at(MAX_FEATURE_ID_LENGTH + 1)];
        assert_eq!(
            validate_space(&features).map_err(|e| e.0),
            Err("disabledFeatures")
        );
    }

    #[test]
    fn validation_uses_kibanas_texts() {
        assert_eq!(validate_space(&space("soc-emea", "SOC")), Ok(()));
        assert_eq!(
            validate_space(&space("SOC", "SOC")),
            Err(("id", texts::ID_INVALID.to_string()))
        );
        let mut s = space("a", "A");
        s.color = Some("red".into());
        assert_eq!(
            validate_space(&s),
            Err(("color", texts::COLOR_INVALID.into()))
        );
        let mut s = space("a", "A");
        s.initials = Some("ABC".into());
        assert!(validate_space(&s).is_err());
        let mut s = space("a", "A");
        s.image_url = Some("http://x/y.png".into());
        assert_eq!(
            validate_space(&s),
            Err(("imageUrl", texts::IMAGE_INVALID.into()))
        );
        assert!(validate_space(&space("a", "  ")).is_err());
    }

    #[test]
    fn space_paths_round_trip() {
        assert_eq!(space_prefix("default"), "");
        assert_eq!(space_prefix("soc-emea"), "/s/soc-emea");
        assert_eq!(
            split_space_path("/s/soc-emea/app/dashboards"),
            ("soc-emea", "/app/dashboards")
        );
        assert_eq!(split_space_path("/s/soc-emea"), ("soc-emea", "/"));
        assert_eq!(
            split_space_path("/app/dashboards"),
            ("default", "/app/dashboards")
        );
        assert_eq!(split_space_path("/s/BAD/app"), ("default", "/s/BAD/app"));
    }
}
