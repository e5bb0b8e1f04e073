//! Who owns an imported (or bulk-created) object, and whether it may be written at all
//! (docs/saved-objects.md, "Owner and mode of imported objects"). One pure function, the server's
//! import, `_resolve_import_errors` and `_bulk_create` ask it per object.
//!
//! Kibana's rules (9.4): a new object and a new copy belong to the importer with mode `default`;
//! overwriting an existing object needs the right to write it (another owner's `write_restricted`
//! object only for holders of `manage_access_control`) and keeps its owner and mode. Beyond Kibana:
//! a holder of `manage_access_control` may keep the file's owner and mode (`keepAccessControl`);
//! an owner no user here has is then an error for that object, never a silent reassignment. Every
//! object whose owner or mode ends up other than the file's is reported with a [`ResetReason`].

use crate::dashboards::{access_permissions, AccessControl, DashboardAccessMode};

use super::ResetReason;

/// Who imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Importer<'a> {
    pub profile_uid: &'a str,
    /// Holds `manage_access_control` in the space (`all` on it).
    pub manages_access_control: bool,
}

/// Where the object would land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement<'a> {
    /// Its id is free here.
    NewId,
    /// Written under a new id (`createNewCopies`, or a retry's new `destinationId`).
    NewCopy,
    /// Its id is taken here by an object with this access control.
    Existing {
        access: Option<&'a AccessControl>,
        /// The import asked to overwrite it.
        overwrite: bool,
    },
}

/// One object's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportAccessCase<'a> {
    pub importer: Importer<'a>,
    /// `keepAccessControl=true` was asked.
    pub keep_requested: bool,
    /// `accessControl` as the file has it.
    pub exported: Option<&'a AccessControl>,
    pub placement: Placement<'a>,
}

/// What to do with the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportAccessOutcome {
    /// Write it with this access control (`None`: it replaces an object that has none, and keeps
    /// having none). `reset` says why it is not the file's.
    Write {
        access: Option<AccessControl>,
        replaces: bool,
        reset: Option<ResetReason>,
    },
    /// The id is taken and the import did not ask to overwrite (`conflict`).
    Conflict,
    /// It would overwrite another owner's `write_restricted` object, which needs
    /// `manage_access_control`.
    Restricted,
    /// `keepAccessControl` would keep an owner no user here has.
    UnknownOwner { owner: String },
}

impl ImportAccessOutcome {
    pub fn is_write(&self) -> bool {
        matches!(self, ImportAccessOutcome::Write { .. })
    }
}

/// `keepAccessControl` is honoured for holders of `manage_access_control` only.
pub fn keeps_access_control(importer: Importer<'_>, keep_requested: bool) -> bool {
    keep_requested && importer.manages_access_control
}

/// The decision for one object. `owner_exists` is asked only when the file's owner would be kept.
pub fn decide(
    case: ImportAccessCase<'_>,
    owner_exists: impl FnOnce(&str) -> bool,
) -> ImportAccessOutcome {
    let keep = keeps_access_control(case.importer, case.keep_requested);
    let (replaces, destination) = match case.placement {
        Placement::Existing {
            overwrite: false, ..
        } => return ImportAccessOutcome::Conflict,
        Placement::Existing {
            access,
            overwrite: true,
        } => {
            let permissions = access_permissions(
                Some(case.importer.profile_uid),
                case.importer.manages_access_control,
                access.map(|a| a.owner.as_str()),
                access.map(|a| a.access_mode).unwrap_or_default(),
            );
            if !permissions.can_edit {
                return ImportAccessOutcome::Restricted;
            }
            (true, access.cloned())
        }
        Placement::NewId | Placement::NewCopy => (
            false,
            Some(AccessControl {
                owner: case.importer.profile_uid.to_string(),
                access_mode: DashboardAccessMode::Default,
            }),
        ),
    };
    if let (true, Some(exported)) = (keep, case.exported) {
        if !owner_exists(&exported.owner) {
            return ImportAccessOutcome::UnknownOwner {
                owner: exported.owner.clone(),
            };
        }
        return ImportAccessOutcome::Write {
            access: Some(exported.clone()),
            replaces,
            reset: None,
        };
    }
    let reset = case
        .exported
        .filter(|exported| destination.as_ref() != Some(*exported))
        .map(|_| {
            if case.keep_requested && !case.importer.manages_access_control {
                ResetReason::KeepNotPermitted
            } else {
                match case.placement {
                    Placement::NewId => ResetReason::ImporterOwnsImports,
                    Placement::NewCopy => ResetReason::NewCopy,
                    Placement::Existing { .. } => ResetReason::DestinationKept,
                }
            }
        });
    ImportAccessOutcome::Write {
        access: destination,
        replaces,
        reset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOB: &str = "u_bob_0";
    const ALICE: &str = "u_alice_0";

    fn access(owner: &str, access_mode: DashboardAccessMode) -> AccessControl {
        AccessControl {
            owner: owner.into(),
            access_mode,
        }
    }

    fn restricted(owner: &str) -> AccessControl {
        access(owner, DashboardAccessMode::WriteRestricted)
    }

    fn importer(manages_access_control: bool) -> Importer<'static> {
        Importer {
            profile_uid: BOB,
            manages_access_control,
        }
    }

    fn case<'a>(
        admin: bool,
        keep: bool,
        exported: Option<&'a AccessControl>,
        placement: Placement<'a>,
    ) -> ImportAccessCase<'a> {
        ImportAccessCase {
            importer: importer(admin),
            keep_requested: keep,
            exported,
            placement,
        }
    }

    fn everyone_exists(_: &str) -> bool {
        true
    }

    fn write(
        access: Option<AccessControl>,
        replaces: bool,
        reset: Option<ResetReason>,
    ) -> ImportAccessOutcome {
        ImportAccessOutcome::Write {
            access,
            replaces,
            reset,
        }
    }

    fn bobs_default() -> Option<AccessControl> {
        Some(access(BOB, DashboardAccessMode::Default))
    }

    #[test]
    fn a_new_id_belongs_to_the_importer_and_loses_its_protection_visibly() {
        let alices = restricted(ALICE);
        for admin in [false, true] {
            assert_eq!(
                decide(
                    case(admin, false, Some(&alices), Placement::NewId),
                    everyone_exists
                ),
                write(
                    bobs_default(),
                    false,
                    Some(ResetReason::ImporterOwnsImports)
                )
            );
        }
        // Nothing to lose: no reset reported.
        let own_default = access(BOB, DashboardAccessMode::Default);
        assert_eq!(
            decide(
                case(false, false, Some(&own_default), Placement::NewId),
                everyone_exists
            ),
            write(bobs_default(), false, None)
        );
        assert_eq!(
            decide(case(false, false, None, Placement::NewId), everyone_exists),
            write(bobs_default(), false, None)
        );
    }

    #[test]
    fn new_copies_belong_to_the_importer() {
        let own = restricted(BOB);
        assert_eq!(
            decide(
                case(false, false, Some(&own), Placement::NewCopy),
                everyone_exists
            ),
            write(bobs_default(), false, Some(ResetReason::NewCopy))
        );
    }

    #[test]
    fn an_existing_id_is_a_conflict_unless_overwritten() {
        let alices = restricted(ALICE);
        let existing = Placement::Existing {
            access: Some(&alices),
            overwrite: false,
        };
        assert_eq!(
            decide(case(true, true, Some(&alices), existing), everyone_exists),
            ImportAccessOutcome::Conflict
        );
    }

    #[test]
    fn overwriting_ones_own_object_keeps_it_as_it_is_here() {
        let own = restricted(BOB);
        let placement = Placement::Existing {
            access: Some(&own),
            overwrite: true,
        };
        assert_eq!(
            decide(case(false, false, Some(&own), placement), everyone_exists),
            write(Some(own.clone()), true, None)
        );
        let exported = access(ALICE, DashboardAccessMode::Default);
        assert_eq!(
            decide(
                case(false, false, Some(&exported), placement),
                everyone_exists
            ),
            write(Some(own.clone()), true, Some(ResetReason::DestinationKept))
        );
    }

    #[test]
    fn another_owners_write_restricted_object_is_overwritten_by_admins_only() {
        let alices = restricted(ALICE);
        let placement = Placement::Existing {
            access: Some(&alices),
            overwrite: true,
        };
        assert_eq!(
            decide(
                case(false, false, Some(&alices), placement),
                everyone_exists
            ),
            ImportAccessOutcome::Restricted
        );
        assert_eq!(
            decide(case(false, true, Some(&alices), placement), everyone_exists),
            ImportAccessOutcome::Restricted
        );
        assert_eq!(
            decide(case(true, false, Some(&alices), placement), everyone_exists),
            write(Some(alices.clone()), true, None)
        );
        // Another owner's `default` object is anyone's to overwrite; ownerless ones too.
        let alices_default = access(ALICE, DashboardAccessMode::Default);
        let open = Placement::Existing {
            access: Some(&alices_default),
            overwrite: true,
        };
        assert!(decide(case(false, false, None, open), everyone_exists).is_write());
        let ownerless = Placement::Existing {
            access: None,
            overwrite: true,
        };
        assert_eq!(
            decide(case(false, false, None, ownerless), everyone_exists),
            write(None, true, None)
        );
    }

    #[test]
    fn admins_keep_the_file_s_owner_and_mode_when_asked() {
        let alices = restricted(ALICE);
        for placement in [
            Placement::NewId,
            Placement::NewCopy,
            Placement::Existing {
                access: None,
                overwrite: true,
            },
        ] {
            let outcome = decide(case(true, true, Some(&alices), placement), everyone_exists);
            assert_eq!(
                outcome,
                write(
                    Some(alices.clone()),
                    matches!(placement, Placement::Existing { .. }),
                    None
                )
            );
        }
    }

    #[test]
    fn keeping_an_owner_nobody_here_has_is_that_object_s_error() {
        let stranger = restricted("u_stranger_0");
        let mut asked = Vec::new();
        let outcome = decide(case(true, true, Some(&stranger), Placement::NewId), |uid| {
            asked.push(uid.to_string());
            false
        });
        assert_eq!(
            outcome,
            ImportAccessOutcome::UnknownOwner {
                owner: "u_stranger_0".into()
            }
        );
        assert_eq!(asked, vec!["u_stranger_0".to_string()]);
        // Without keep, nobody asks: the importer owns it.
        let outcome = decide(case(true, false, Some(&stranger), Placement::NewId), |_| {
            panic!("the owner is not looked up")
        });
        assert!(outcome.is_write());
    }

    #[test]
    fn keep_without_the_privilege_is_ignored_and_said_so() {
        let alices = restricted(ALICE);
        assert_eq!(
            decide(case(false, true, Some(&alices), Placement::NewId), |_| {
                panic!("the owner is not looked up")
            }),
            write(bobs_default(), false, Some(ResetReason::KeepNotPermitted))
        );
        assert!(!keeps_access_control(importer(false), true));
        assert!(keeps_access_control(importer(true), true));
    }
}
