//! The Users form as plain data: what it holds, its checks in Kibana's words (the shared rules
//! of [`super`] plus the form's own: a taken name, the confirmation, the email), and the request
//! it sends.

use super::{non_empty, NameProblem, PasswordProblem};
use crate::admin::{PutUserRequest, User};

pub mod texts {
    pub const ENTER_USERNAME: &str = "Enter a username.";
    pub const USERNAME_SPACES: &str = "Username must not contain leading or trailing spaces.";
    pub const USERNAME_PRINTABLE: &str =
        "Username must contain only letters, numbers, spaces, punctuation and printable symbols.";
    pub const ENTER_PASSWORD: &str = "Enter a password.";
    pub const PASSWORD_TOO_SHORT: &str = "Password must be at least 6 characters.";
    pub const PASSWORDS_DIFFER: &str = "Passwords do not match.";
    pub const INVALID_EMAIL: &str = "Enter a valid email address.";
    pub const USERNAME_FIXED: &str = "User name cannot be changed after account creation.";
    pub const INVALID_PASSWORD: &str = "Invalid password.";
    pub const PASSWORD_CHANGED: &str = "Password successfully changed";
    pub const DEACTIVATED: &str = "This user has been deactivated and can't access Gatehouse.";
    pub const ENTER_CURRENT_PASSWORD: &str = "Enter your current password.";

    pub fn username_too_long(max: usize) -> String {
        format!("Username must not exceed {max} characters.")
    }

    pub fn user_exists(username: &str) -> String {
        format!("User '{username}' already exists.")
    }
}

/// What the user form holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserForm {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub confirm_password: String,
    pub roles: Vec<String>,
}

/// One message per field, `None` when the field is fine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserFormErrors {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub confirm_password: Option<String>,
}

impl UserFormErrors {
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.email.is_none()
            && self.password.is_none()
            && self.confirm_password.is_none()
    }
}

/// The username field: the shared rule ([`super::username`]) in the form's words, then whether
/// the name is taken (`existing`).
pub fn validate_username(username: &str, existing: &[String]) -> Option<String> {
    if let Err(problem) = super::username(username) {
        return Some(match problem {
            NameProblem::Empty => texts::ENTER_USERNAME.into(),
            NameProblem::TooLong { max } => texts::username_too_long(max),
            NameProblem::Untrimmed => texts::USERNAME_SPACES.into(),
            NameProblem::NotPrintable => texts::USERNAME_PRINTABLE.into(),
        });
    }
    existing
        .iter()
        .any(|u| u == username)
        .then(|| texts::user_exists(username))
}

/// A new password and its confirmation: `(password error, confirmation error)`.
pub fn validate_new_password(password: &str, confirm: &str) -> (Option<String>, Option<String>) {
    let password_error = super::password(password)
        .err()
        .map(|problem| match problem {
            PasswordProblem::Empty => texts::ENTER_PASSWORD.to_string(),
            PasswordProblem::TooShort { .. } => texts::PASSWORD_TOO_SHORT.to_string(),
        });
    let confirm_error = (password_error.is_none() && password != confirm)
        .then(|| texts::PASSWORDS_DIFFER.to_string());
    (password_error, confirm_error)
}

pub fn validate_email(email: &str) -> Option<String> {
    let email = email.trim();
    if email.is_empty() {
        return None;
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    (!valid).then(|| texts::INVALID_EMAIL.to_string())
}

/// Validates the form; `existing` are the usernames already taken (only checked on create).
pub fn validate_user_form(form: &UserForm, creating: bool, existing: &[String]) -> UserFormErrors {
    let mut errors = UserFormErrors {
        email: validate_email(&form.email),
        ..Default::default()
    };
    if creating {
        errors.username = validate_username(&form.username, existing);
        let (password, confirm) = validate_new_password(&form.password, &form.confirm_password);
        errors.password = password;
        errors.confirm_password = confirm;
    }
    errors
}

/// The request the form sends; an edit keeps the user's metadata and enabled flag.
pub fn put_user_request(form: &UserForm, existing: Option<&User>) -> PutUserRequest {
    PutUserRequest {
        username: form.username.clone(),
        password: existing.is_none().then(|| form.password.clone()),
        roles: form.roles.clone(),
        full_name: non_empty(&form.full_name),
        email: non_empty(&form.email),
        metadata: existing
            .map(|u| u.metadata.clone())
            .filter(|m| m.as_object().is_some_and(|o| !o.is_empty())),
        enabled: Some(existing.map(|u| u.enabled).unwrap_or(true)),
    }
}

/// A built-in user (`metadata._reserved`), marked in the list.
pub fn is_reserved_user(user: &User) -> bool {
    user.metadata
        .get("_reserved")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_kibana_rules() {
        let taken = vec!["alice".to_string()];
        assert_eq!(
            validate_username("", &taken).as_deref(),
            Some("Enter a username.")
        );
        assert_eq!(
            validate_username(" bob", &taken).as_deref(),
            Some("Username must not contain leading or trailing spaces.")
        );
        assert_eq!(
            validate_username(&"x".repeat(508), &taken).as_deref(),
            Some("Username must not exceed 507 characters.")
        );
        assert_eq!(validate_username(&"x".repeat(507), &taken), None);
        assert_eq!(
            validate_username("alice", &taken).as_deref(),
            Some("User 'alice' already exists.")
        );
        assert_eq!(validate_username("bob smith", &taken), None);
        // The server takes printable ASCII only: the form refuses what it would refuse.
        assert_eq!(
            validate_username("josé", &taken).as_deref(),
            Some(texts::USERNAME_PRINTABLE)
        );
    }

    #[test]
    fn passwords_need_six_characters_and_a_matching_confirmation() {
        assert_eq!(
            validate_new_password("", ""),
            (Some("Enter a password.".into()), None)
        );
        assert_eq!(
            validate_new_password("abc", "abc"),
            (Some("Password must be at least 6 characters.".into()), None)
        );
        assert_eq!(
            validate_new_password("abcdef", "abcdeg"),
            (None, Some("Passwords do not match.".into()))
        );
        assert_eq!(validate_new_password("abcdef", "abcdef"), (None, None));
        assert_eq!(validate_email(""), None);
        assert_eq!(validate_email("a@b.example"), None);
        assert_eq!(
            validate_email("nope").as_deref(),
            Some(texts::INVALID_EMAIL)
        );
    }

    #[test]
    fn an_edit_checks_neither_username_nor_password_and_keeps_metadata() {
        let form = UserForm {
            username: "alice".into(),
            roles: vec!["viewer".into()],
            ..Default::default()
        };
        assert!(validate_user_form(&form, false, &["alice".into()]).is_empty());
        let create = validate_user_form(&form, true, &["alice".into()]);
        assert_eq!(
            create.username.as_deref(),
            Some("User 'alice' already exists.")
        );
        assert_eq!(create.password.as_deref(), Some("Enter a password."));
        let existing = crate::admin::User {
            username: "alice".into(),
            roles: vec![],
            full_name: None,
            email: None,
            metadata: serde_json::json!({"team": "soc"}),
            enabled: false,
        };
        let request = put_user_request(&form, Some(&existing));
        assert_eq!(request.password, None);
        assert_eq!(request.enabled, Some(false));
        assert_eq!(request.metadata, Some(serde_json::json!({"team": "soc"})));
        let created = put_user_request(
            &UserForm {
                username: "carol".into(),
                password: "secret1".into(),
                full_name: "  ".into(),
                ..Default::default()
            },
            None,
        );
        assert_eq!(created.password.as_deref(), Some("secret1"));
        assert_eq!(created.full_name, None);
        assert_eq!(created.enabled, Some(true));
    }
}
