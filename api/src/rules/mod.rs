//! The rules a value must meet before the server takes it, written once: the SPA's forms show
//! their reasons beside the field, the server answers 400 on the same values. Each rule is a pure
//! function returning the reason a value is refused; the forms built on them are the submodules.

pub mod role_form;
pub mod space_form;
pub mod user_form;

use crate::admin::{MAX_ROLE_NAME_LENGTH, MAX_USERNAME_LENGTH, MIN_PASSWORD_LENGTH};

/// Why a username or a role name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    /// Longer than `max` characters.
    TooLong {
        max: usize,
    },
    /// Starts or ends with white space.
    Untrimmed,
    /// Holds a character the rule does not take (a control character, or for usernames anything
    /// outside printable ASCII).
    NotPrintable,
}

/// A username: 1 to 507 characters of printable ASCII (space to `~`), without leading or trailing
/// space (Elasticsearch's rule; `validate_username` in `server/src/admin/users.rs` answers with it): `josé` is
/// refused for its `é`, as the server refuses it.
pub fn username(name: &str) -> Result<(), NameProblem> {
    name_rule(name, MAX_USERNAME_LENGTH, |name| {
        name.bytes().all(|b| (b' '..=b'~').contains(&b))
    })
}

/// A role name as the role form takes it: [`role_name_length`], then no leading or trailing space
/// and no control characters. The server checks only the length (as Kibana's route does); the
/// form also refuses what Elasticsearch itself would refuse.
pub fn role_name(name: &str) -> Result<(), NameProblem> {
    name_rule(name, MAX_ROLE_NAME_LENGTH, |name| {
        !name.chars().any(char::is_control)
    })
}

/// The part of a role name's rule the server enforces (`validate_role_name` in
/// `server/src/admin/role_shape.rs`): 1 to 1,024 characters.
pub fn role_name_length(name: &str) -> Result<(), NameProblem> {
    length_rule(name, MAX_ROLE_NAME_LENGTH)
}

fn length_rule(name: &str, max: usize) -> Result<(), NameProblem> {
    match name.chars().count() {
        0 => Err(NameProblem::Empty),
        length if length > max => Err(NameProblem::TooLong { max }),
        _ => Ok(()),
    }
}

/// The checks usernames and role names share, in the order the server reports them: present, not
/// longer than `max` characters, no outer white space, then every character `printable`.
fn name_rule(name: &str, max: usize, printable: fn(&str) -> bool) -> Result<(), NameProblem> {
    length_rule(name, max)?;
    if name.trim() != name {
        Err(NameProblem::Untrimmed)
    } else if !printable(name) {
        Err(NameProblem::NotPrintable)
    } else {
        Ok(())
    }
}

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    Empty,
    /// Fewer than `min` characters.
    TooShort {
        min: usize,
    },
}

/// A new password: at least 6 characters (`validate_password` in `server/src/admin/users.rs` answers
/// with it, and says "too short" for an empty one as well; the form asks for one).
pub fn password(password: &str) -> Result<(), PasswordProblem> {
    if password.is_empty() {
        Err(PasswordProblem::Empty)
    } else if password.chars().count() < MIN_PASSWORD_LENGTH {
        Err(PasswordProblem::TooShort {
            min: MIN_PASSWORD_LENGTH,
        })
    } else {
        Ok(())
    }
}

/// Why a space id is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceIdProblem {
    Empty,
    /// A character other than `a-z`, `0-9`, `_` and `-`.
    Characters,
}

/// A space id: lower case `a-z`, `0-9`, `_` and `-`, at least one. Mirrors
/// `gatehouse_api::spaces::is_valid_space_id`, which the server's `validate_space` and its
/// space-prefix parsing call.
pub fn space_id(id: &str) -> Result<(), SpaceIdProblem> {
    if id.is_empty() {
        Err(SpaceIdProblem::Empty)
    } else if crate::spaces::is_valid_space_id(id) {
        Ok(())
    } else {
        Err(SpaceIdProblem::Characters)
    }
}

/// Why a profile uid is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileUidProblem {
    /// Not `u_<principal>_<version>` with both parts present.
    Shape,
    /// The version holds something other than ASCII letters and digits.
    Version,
    /// A line break, which would let a uid forge a line of a log or header.
    LineBreak,
    /// Longer than [`MAX_PROFILE_UID_LENGTH`] characters: no user's uid is.
    TooLong,
}

/// The longest profile uid: `u_`, the principal (at most `x` and the hex of a longest username),
/// `_` and a version of up to 64 characters. Checked first, so an oversized uid costs nothing.
pub const MAX_PROFILE_UID_LENGTH: usize = 2 + 1 + 2 * MAX_USERNAME_LENGTH + 1 + 64;

/// A user profile uid: `u_<principal>_<version>`, the version ASCII letters and digits, no line
/// break anywhere. `security::is_valid_profile_uid`, which the server's profile routes and
/// dashboard sharing call, is this rule.
pub fn profile_uid(uid: &str) -> Result<(), ProfileUidProblem> {
    if uid.len() > MAX_PROFILE_UID_LENGTH {
        return Err(ProfileUidProblem::TooLong);
    }
    if uid.contains(['\n', '\r']) {
        return Err(ProfileUidProblem::LineBreak);
    }
    let (principal, version) = uid
        .strip_prefix("u_")
        .and_then(|rest| rest.rsplit_once('_'))
        .ok_or(ProfileUidProblem::Shape)?;
    if principal.is_empty() || version.is_empty() {
        Err(ProfileUidProblem::Shape)
    } else if !version.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Err(ProfileUidProblem::Version)
    } else {
        Ok(())
    }
}

/// Longest dashboard or panel title, once trimmed.
pub const MAX_TITLE_LENGTH: usize = 256;

/// Why a dashboard title is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleProblem {
    /// Nothing but white space.
    Empty,
    /// Longer than [`MAX_TITLE_LENGTH`] characters once trimmed.
    TooLong { max: usize },
}

/// A dashboard's title: something besides white space, at most [`MAX_TITLE_LENGTH`] characters
/// once trimmed (`validate_content` in `server/src/dashboards/store.rs` answers with it). A
/// panel's title may be empty, and has the same length limit ([`title_length`]).
pub fn dashboard_title(title: &str) -> Result<(), TitleProblem> {
    if title.trim().is_empty() {
        return Err(TitleProblem::Empty);
    }
    title_length(title)
}

/// The length part of [`dashboard_title`], for titles that may be empty.
pub fn title_length(title: &str) -> Result<(), TitleProblem> {
    if title.trim().chars().count() > MAX_TITLE_LENGTH {
        Err(TitleProblem::TooLong {
            max: MAX_TITLE_LENGTH,
        })
    } else {
        Ok(())
    }
}

/// `text` trimmed, or `None` when nothing is left: how a form sends an optional field.
pub fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_printable_ascii_as_the_server_wants() {
        assert_eq!(username("alice"), Ok(()));
        assert_eq!(username("bob smith"), Ok(()));
        assert_eq!(username("a.b-c_d@e!~"), Ok(()));
        assert_eq!(username(""), Err(NameProblem::Empty));
        assert_eq!(username(" bob"), Err(NameProblem::Untrimmed));
        assert_eq!(username("bob\t"), Err(NameProblem::Untrimmed));
        assert_eq!(username("josé"), Err(NameProblem::NotPrintable));
        assert_eq!(username("bo\u{7}b"), Err(NameProblem::NotPrintable));
        assert_eq!(username(&"x".repeat(507)), Ok(()));
        assert_eq!(
            username(&"x".repeat(508)),
            Err(NameProblem::TooLong { max: 507 })
        );
    }

    #[test]
    fn role_names_are_one_to_1024_characters_without_outer_spaces() {
        assert_eq!(role_name("leads read-only (EMEA)"), Ok(()));
        assert_eq!(role_name("analyste-é"), Ok(()));
        assert_eq!(role_name(""), Err(NameProblem::Empty));
        assert_eq!(role_name(&"r".repeat(1024)), Ok(()));
        assert_eq!(
            role_name(&"r".repeat(1025)),
            Err(NameProblem::TooLong { max: 1024 })
        );
        assert_eq!(role_name(" analyst"), Err(NameProblem::Untrimmed));
        assert_eq!(role_name("ana\u{0}lyst"), Err(NameProblem::NotPrintable));
    }

    #[test]
    fn the_server_checks_only_a_role_names_length() {
        assert_eq!(role_name_length(" analyst"), Ok(()));
        assert_eq!(role_name_length(""), Err(NameProblem::Empty));
        assert_eq!(
            role_name_length(&"r".repeat(1025)),
            Err(NameProblem::TooLong { max: 1024 })
        );
    }

    #[test]
    fn passwords_need_six_characters() {
        assert_eq!(password(""), Err(PasswordProblem::Empty));
        assert_eq!(password("abc"), Err(PasswordProblem::TooShort { min: 6 }));
        assert_eq!(password("ééééé"), Err(PasswordProblem::TooShort { min: 6 }));
        assert_eq!(password("abcdef"), Ok(()));
    }

    #[test]
    fn space_ids_are_lower_case_letters_digits_underscore_and_dash() {
        assert_eq!(space_id("soc-emea_2"), Ok(()));
        assert_eq!(space_id(""), Err(SpaceIdProblem::Empty));
        assert_eq!(space_id("SOC"), Err(SpaceIdProblem::Characters));
        assert_eq!(space_id("a b"), Err(SpaceIdProblem::Characters));
        assert_eq!(space_id("*"), Err(SpaceIdProblem::Characters));
    }

    #[test]
    fn dashboard_titles_are_present_and_of_a_size() {
        assert_eq!(dashboard_title("SOC overview"), Ok(()));
        assert_eq!(dashboard_title(" \t "), Err(TitleProblem::Empty));
        let longest = "é".repeat(MAX_TITLE_LENGTH);
        assert_eq!(dashboard_title(&format!("  {longest}  ")), Ok(()));
        assert_eq!(
            dashboard_title(&format!("{longest}x")),
            Err(TitleProblem::TooLong { max: 256 })
        );
        assert_eq!(title_length(""), Ok(()));
        assert!(title_length(&"x".repeat(1_000_000)).is_err());
    }

    #[test]
    fn profile_uids_agree_with_the_servers_check() {
        let longest = format!("u_x{}_{}", "ab".repeat(MAX_USERNAME_LENGTH), "9".repeat(64));
        let too_long = format!("u_{}_0", "a".repeat(MAX_PROFILE_UID_LENGTH));
        for uid in ["u_alice_0", "u_mGBxmhKIgGD5SuXn_0", "u_a_b_c1", &longest] {
            assert_eq!(profile_uid(uid), Ok(()), "{uid}");
            assert!(crate::security::is_valid_profile_uid(uid), "{uid}");
        }
        for (uid, problem) in [
            ("alice", ProfileUidProblem::Shape),
            ("u_alice", ProfileUidProblem::Shape),
            ("u__0", ProfileUidProblem::Shape),
            ("u_alice_", ProfileUidProblem::Shape),
            (too_long.as_str(), ProfileUidProblem::TooLong),
            ("u_alice_0\n", ProfileUidProblem::LineBreak),
            ("u_alice_0-1", ProfileUidProblem::Version),
        ] {
            assert_eq!(profile_uid(uid), Err(problem), "{uid}");
            assert!(!crate::security::is_valid_profile_uid(uid), "{uid}");
        }
    }

    #[test]
    fn non_empty_trims_and_drops_blank_text() {
        assert_eq!(non_empty("  a b "), Some("a b".to_string()));
        assert_eq!(non_empty("   "), None);
    }
}
