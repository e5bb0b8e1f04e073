//! The Saved objects page's decisions (Stack Management → Saved objects; the routes and what an
//! import does with owners and modes are docs/saved-objects.md): which of its actions are open to
//! the user and why not, how the import's conflict choice becomes the import's query, what the
//! user's per-object answers to conflicts retry, and how an import's answer is grouped on the
//! result screen. Pure, so native tests reach every branch; the SPA only draws them.

use crate::saved_objects::{
    ImportErrorKind, ImportOptions, ImportResponse, ImportRetry, ImportSuccess,
};

/// The texts the page shows, once.
pub mod texts {
    pub const TITLE: &str = "Saved objects";
    pub const SUBTITLE: &str = "Export the dashboards of this space to a file, or import a file of them here, keeping who owns them and who may change them.";
    pub const SELECT_TO_EXPORT: &str = "Select the objects to export.";
    pub const READ_ONLY: &str = "Importing creates and overwrites dashboards: your roles grant read-only access to dashboards in this space.";
    pub const NO_DASHBOARDS: &str = "Your roles do not grant the Dashboard feature privilege in this space, so there are no saved objects here for you to see.";
    pub const KEEP_PROTECTION: &str = "Keep owner and protection";
    pub const KEEP_PROTECTION_HELP: &str = "Each dashboard keeps the owner and the “Everybody in the space” setting it was exported with. An owner who has no profile here fails that dashboard rather than changing its owner.";
    pub const KEEP_PROTECTION_CLOSED: &str = "Only administrators of dashboards in this space (the manage_access_control privilege) can keep the exported owners and protection. Without it, you own each dashboard you import and everybody in the space can edit it.";
    pub const NOT_NDJSON: &str = "Choose an export file (.ndjson): one saved object per line.";
    pub const CHOOSE_FILE: &str = "Choose a file to import.";
    pub const NOTHING_TO_RETRY: &str = "Choose what to do with at least one conflict, or close.";
}

/// What the import does when an object's id is already taken in this space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictChoice {
    /// Replace the existing object (`?overwrite=true`); refused per object for another owner's
    /// write-restricted dashboard unless the importer manages access control.
    Overwrite,
    /// Give every imported object a new id (`?createNewCopies=true`): nothing is replaced.
    #[default]
    CreateNewCopies,
    /// Import without either: each conflict comes back for the user to decide, then
    /// `_resolve_import_errors` retries the ones they chose.
    AskForEach,
}

impl ConflictChoice {
    pub const ALL: [ConflictChoice; 3] = [
        ConflictChoice::CreateNewCopies,
        ConflictChoice::Overwrite,
        ConflictChoice::AskForEach,
    ];

    /// The radio button's value.
    pub fn value(self) -> &'static str {
        match self {
            ConflictChoice::Overwrite => "overwrite",
            ConflictChoice::CreateNewCopies => "createNewCopies",
            ConflictChoice::AskForEach => "ask",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|choice| choice.value() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ConflictChoice::Overwrite => "Overwrite",
            ConflictChoice::CreateNewCopies => "Create new copies",
            ConflictChoice::AskForEach => "Ask for each",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            ConflictChoice::Overwrite => "An object whose id is already here replaces it.",
            ConflictChoice::CreateNewCopies => {
                "Every object is imported under a new id: nothing here is replaced."
            }
            ConflictChoice::AskForEach => {
                "Objects whose id is already here are listed after the import for you to decide."
            }
        }
    }
}

/// The query of `POST /api/saved_objects/_import` for `choice` (with its `?`, or empty);
/// `keep_access_control` only when the importer may keep the exported owners and modes.
pub fn import_query(choice: ConflictChoice, keep_access_control: bool) -> String {
    let options = ImportOptions {
        overwrite: choice == ConflictChoice::Overwrite,
        create_new_copies: choice == ConflictChoice::CreateNewCopies,
        keep_access_control,
    };
    with_question_mark(options.to_query())
}

/// The query of `_resolve_import_errors`: each retry says what to do with its object, so only
/// whether owners and modes are kept.
pub fn retry_query(keep_access_control: bool) -> String {
    with_question_mark(
        ImportOptions {
            keep_access_control,
            ..ImportOptions::default()
        }
        .to_query(),
    )
}

fn with_question_mark(query: String) -> String {
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

/// What the user's roles grant, as the page reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SavedObjectsRights {
    /// Dashboards may be read in this space (`dashboard.show`).
    pub can_read: bool,
    /// Dashboards may be written (`dashboard.showWriteControls`): import.
    pub can_write: bool,
    /// `manage_access_control` (`isGloballyAuthorized`): keep the exported owners and modes.
    pub manages_access_control: bool,
}

/// The page's actions: `None` open, `Some(reason)` closed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageActions {
    pub export: Option<&'static str>,
    pub import: Option<&'static str>,
    pub keep_protection: Option<&'static str>,
}

/// Which actions are open to a user with `rights` and `selected` objects ticked.
pub fn page_actions(rights: SavedObjectsRights, selected: usize) -> PageActions {
    let export = if !rights.can_read {
        Some(texts::NO_DASHBOARDS)
    } else if selected == 0 {
        Some(texts::SELECT_TO_EXPORT)
    } else {
        None
    };
    let import = (!rights.can_write).then_some(texts::READ_ONLY);
    let keep_protection = if !rights.can_write {
        Some(texts::READ_ONLY)
    } else if !rights.manages_access_control {
        Some(texts::KEEP_PROTECTION_CLOSED)
    } else {
        None
    };
    PageActions {
        export,
        import,
        keep_protection,
    }
}

/// Whether a chosen file looks like an export before it is read: its name ends in `.ndjson`
/// (or `.json`, as some tools save it) and it is no larger than `max_bytes`. The server checks
/// again; this only spares the upload of what it would refuse.
pub fn check_import_file(name: &str, size_bytes: f64, max_bytes: usize) -> Result<(), String> {
    let lower = name.to_ascii_lowercase();
    if !(lower.ends_with(".ndjson") || lower.ends_with(".json")) {
        return Err(texts::NOT_NDJSON.to_string());
    }
    if size_bytes > max_bytes as f64 {
        return Err(format!(
            "“{name}” is {}; an import file is at most {}.",
            human_size(size_bytes),
            human_size(max_bytes as f64)
        ));
    }
    Ok(())
}

/// A byte count as people read it: `512 bytes`, `12.5 KB`, `50.0 MB`.
pub fn human_size(bytes: f64) -> String {
    const KB: f64 = 1024.0;
    const MB: f64 = KB * 1024.0;
    if bytes >= MB {
        format!("{:.1} MB", bytes / MB)
    } else if bytes >= KB {
        format!("{:.1} KB", bytes / KB)
    } else {
        format!("{bytes:.0} bytes")
    }
}

/// One object on the result screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    pub object_type: String,
    /// The id in the file.
    pub id: String,
    /// The id it has in this space now (a new copy's differs), when it was imported.
    pub id_here: Option<String>,
    pub title: String,
    /// Why it failed, or why its protection was reset.
    pub detail: Option<String>,
}

/// An import's answer, grouped as the result screen lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: Vec<ResultRow>,
    pub overwritten: Vec<ResultRow>,
    /// Imported, but owned by the importer and editable by everybody, not as exported.
    pub protection_reset: Vec<ResultRow>,
    /// Ids already taken here: the user may retry each (overwrite or copy).
    pub conflicts: Vec<ResultRow>,
    pub failed: Vec<ResultRow>,
    /// Conflicts the user chose to leave as they are here.
    pub kept_here: Vec<ResultRow>,
}

impl ImportSummary {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.overwritten.is_empty()
            && self.conflicts.is_empty()
            && self.failed.is_empty()
    }
}

impl ImportSummary {
    /// The screen after a retry of the conflicts: what the retry imported or refused joins the
    /// groups, the conflicts the user skipped are kept here as they were, and only the retry's
    /// own conflicts (an id taken meanwhile) are left to decide.
    pub fn after_retry(
        mut self,
        answers: &[(ResultRow, ConflictAnswer)],
        retried: ImportSummary,
    ) -> Self {
        self.kept_here.extend(
            answers
                .iter()
                .filter(|(_, answer)| *answer == ConflictAnswer::Skip)
                .map(|(row, _)| row.clone()),
        );
        self.created.extend(retried.created);
        self.overwritten.extend(retried.overwritten);
        self.protection_reset.extend(retried.protection_reset);
        self.failed.extend(retried.failed);
        self.kept_here.extend(retried.kept_here);
        self.conflicts = retried.conflicts;
        self
    }
}

/// Groups `response`: each success is created or overwritten; each object the server says it
/// did not keep the exported owner and mode of is also listed as protection reset, with the
/// server's reason; each error is a conflict the user may retry, or a failure with the server's
/// message.
pub fn summarize(response: &ImportResponse) -> ImportSummary {
    let mut summary = ImportSummary::default();
    for success in &response.success_results {
        let row = success_row(success);
        if success.overwrite == Some(true) {
            summary.overwritten.push(row);
        } else {
            summary.created.push(row);
        }
    }
    for reset in &response.access_control_reset {
        // The reset may name the object by its id in the file or by the one it was written
        // under (a new copy's); its success says both.
        let success = response
            .success_results
            .iter()
            .find(|s| s.id == reset.id || s.destination_id.as_deref() == Some(reset.id.as_str()));
        let (id, id_here) = match success {
            Some(success) => (success.id.clone(), success.written_id().to_string()),
            None => (reset.id.clone(), reset.id.clone()),
        };
        summary.protection_reset.push(ResultRow {
            object_type: reset.object_type.clone(),
            id,
            id_here: Some(id_here),
            title: title_or_id(&reset.title, &reset.id),
            detail: Some(reset.message.clone()),
        });
    }
    for error in &response.errors {
        let title = error.title.as_deref().unwrap_or(&error.meta.title);
        let row = ResultRow {
            object_type: error.object_type.clone(),
            id: error.id.clone(),
            id_here: None,
            title: title_or_id(title, &error.id),
            detail: None,
        };
        if error.error.is_conflict() {
            summary.conflicts.push(row);
        } else {
            summary.failed.push(ResultRow {
                detail: Some(failure_text(&error.error)),
                ..row
            });
        }
    }
    summary
}

fn success_row(success: &ImportSuccess) -> ResultRow {
    ResultRow {
        object_type: success.object_type.clone(),
        id: success.id.clone(),
        id_here: Some(success.written_id().to_string()),
        title: title_or_id(&success.meta.title, &success.id),
        detail: None,
    }
}

fn title_or_id(title: &str, id: &str) -> String {
    match title.trim() {
        "" => id.to_string(),
        title => title.to_string(),
    }
}

/// The server's own message when it gave one; otherwise what the error's type means
/// (`ImportErrorKind::describe`, the one wording of it).
fn failure_text(error: &ImportErrorKind) -> String {
    error.describe()
}

/// The user's answer to one conflict of an "Ask for each" import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictAnswer {
    /// Leave the object here as it is.
    #[default]
    Skip,
    Overwrite,
    /// Import it under a new id.
    NewCopy,
}

impl ConflictAnswer {
    pub const ALL: [ConflictAnswer; 3] = [
        ConflictAnswer::Skip,
        ConflictAnswer::Overwrite,
        ConflictAnswer::NewCopy,
    ];

    pub fn value(self) -> &'static str {
        match self {
            ConflictAnswer::Skip => "skip",
            ConflictAnswer::Overwrite => "overwrite",
            ConflictAnswer::NewCopy => "copy",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|answer| answer.value() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ConflictAnswer::Skip => "Keep the one here",
            ConflictAnswer::Overwrite => "Overwrite",
            ConflictAnswer::NewCopy => "Import as a new copy",
        }
    }
}

/// The `retries` of `_resolve_import_errors` for the user's answers: skipped objects are left
/// out (the server imports only what is retried), a new copy gets the id `new_id` makes.
pub fn retries(
    answers: &[(ResultRow, ConflictAnswer)],
    mut new_id: impl FnMut() -> String,
) -> Vec<ImportRetry> {
    answers
        .iter()
        .filter_map(|(row, answer)| {
            let overwrite = ImportRetry::overwrite(&row.object_type, &row.id);
            match answer {
                ConflictAnswer::Skip => None,
                ConflictAnswer::Overwrite => Some(overwrite),
                ConflictAnswer::NewCopy => Some(ImportRetry {
                    overwrite: false,
                    destination_id: Some(new_id()),
                    create_new_copy: Some(true),
                    ..overwrite
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITER: SavedObjectsRights = SavedObjectsRights {
        can_read: true,
        can_write: true,
        manages_access_control: false,
    };

    #[test]
    fn each_conflict_choice_sends_its_own_query() {
        assert_eq!(
            import_query(ConflictChoice::Overwrite, false),
            "?overwrite=true"
        );
        assert_eq!(
            import_query(ConflictChoice::CreateNewCopies, false),
            "?createNewCopies=true"
        );
        assert_eq!(import_query(ConflictChoice::AskForEach, false), "");
        assert_eq!(
            import_query(ConflictChoice::AskForEach, true),
            "?keepAccessControl=true"
        );
        assert_eq!(
            import_query(ConflictChoice::Overwrite, true),
            "?overwrite=true&keepAccessControl=true"
        );
    }

    #[test]
    fn a_conflict_choice_reads_back_from_its_radio_value() {
        for choice in ConflictChoice::ALL {
            assert_eq!(ConflictChoice::parse(choice.value()), Some(choice));
        }
        assert_eq!(ConflictChoice::parse("replace"), None);
    }

    #[test]
    fn export_needs_a_selection_and_import_needs_write() {
        let none = page_actions(WRITER, 0);
        assert_eq!(none.export, Some(texts::SELECT_TO_EXPORT));
        assert_eq!(none.import, None);
        assert_eq!(page_actions(WRITER, 2).export, None);

        let reader = SavedObjectsRights {
            can_write: false,
            ..WRITER
        };
        let actions = page_actions(reader, 1);
        assert_eq!(actions.export, None, "a reader may export what they read");
        assert_eq!(actions.import, Some(texts::READ_ONLY));
        assert_eq!(actions.keep_protection, Some(texts::READ_ONLY));

        let nobody = page_actions(SavedObjectsRights::default(), 3);
        assert_eq!(nobody.export, Some(texts::NO_DASHBOARDS));
    }

    #[test]
    fn only_an_access_control_manager_may_keep_owner_and_protection() {
        assert_eq!(
            page_actions(WRITER, 0).keep_protection,
            Some(texts::KEEP_PROTECTION_CLOSED)
        );
        let admin = SavedObjectsRights {
            manages_access_control: true,
            ..WRITER
        };
        assert_eq!(page_actions(admin, 0).keep_protection, None);
    }

    #[test]
    fn a_file_that_is_not_an_export_or_too_large_is_refused_before_upload() {
        assert_eq!(check_import_file("export.ndjson", 1_000.0, 1 << 20), Ok(()));
        assert_eq!(
            retry_query(true),
            "?keepAccessControl=true",
            "a retry keeps owners only when asked"
        );
        assert_eq!(retry_query(false), "");
        assert_eq!(check_import_file("EXPORT.NDJSON", 1_000.0, 1 << 20), Ok(()));
        assert_eq!(
            check_import_file("photo.png", 1_000.0, 1 << 20),
            Err(texts::NOT_NDJSON.to_string())
        );
        assert_eq!(
            check_import_file("big.ndjson", 50.0 * 1024.0 * 1024.0, 10 << 20),
            Err("“big.ndjson” is 50.0 MB; an import file is at most 10.0 MB.".to_string())
        );
    }

    #[test]
    fn an_import_answer_is_grouped_as_the_result_screen_lists_it() {
        let response: ImportResponse = serde_json::from_value(serde_json::json!({
            "success": false, "successCount": 3,
            "successResults": [
                {"type": "dashboard", "id": "soc-overview", "destinationId": "new-1", "createNewCopy": true, "meta": {"title": "SOC overview"}},
                {"type": "dashboard", "id": "phishing", "overwrite": true, "meta": {"title": "Phishing triage"}},
                {"type": "dashboard", "id": "exec", "meta": {"title": "Executive"}}
            ],
            "errors": [
                {"type": "dashboard", "id": "endpoint", "meta": {"title": ""}, "error": {"type": "conflict"}},
                {"type": "dashboard", "id": "legacy", "meta": {"title": "Legacy"}, "error": {"type": "unknown", "statusCode": 403, "message": "Unable to create dashboard"}},
                {"type": "lens", "id": "lens-1", "meta": {"title": "Lens"}, "error": {"type": "unsupported_type"}}
            ],
            "accessControlReset": [
                {"type": "dashboard", "id": "new-1", "title": "SOC overview", "previousOwner": "u_alice_0", "previousAccessMode": "write_restricted", "owner": "u_bob_0", "accessMode": "default", "reason": "new_copy", "message": "It was imported as a new copy."}
            ]
        }))
        .expect("the server's import answer");
        let summary = summarize(&response);
        let ids = |rows: &[ResultRow]| rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&summary.created), ["soc-overview", "exec"]);
        assert_eq!(summary.created[0].id_here.as_deref(), Some("new-1"));
        assert_eq!(ids(&summary.overwritten), ["phishing"]);
        assert_eq!(
            ids(&summary.protection_reset),
            ["soc-overview"],
            "named by its id in the file, though the server named the copy"
        );
        assert_eq!(
            summary.protection_reset[0].id_here.as_deref(),
            Some("new-1"),
            "the reset links to the copy"
        );
        assert_eq!(
            summary.protection_reset[0].detail.as_deref(),
            Some("It was imported as a new copy.")
        );
        assert_eq!(ids(&summary.conflicts), ["endpoint"]);
        assert_eq!(summary.conflicts[0].title, "endpoint", "no title: the id");
        assert_eq!(ids(&summary.failed), ["legacy", "lens-1"]);
        assert_eq!(
            summary.failed[0].detail.as_deref(),
            Some("Unable to create dashboard"),
            "the server's own message, as text"
        );
        assert_eq!(
            summary.failed[1].detail,
            Some(ImportErrorKind::UnsupportedType.describe())
        );
        assert!(!summary.is_empty());
        assert!(summarize(&ImportResponse::default()).is_empty());
    }

    #[test]
    fn conflict_answers_retry_only_what_the_user_chose() {
        let row = |id: &str| ResultRow {
            object_type: "dashboard".into(),
            id: id.into(),
            id_here: None,
            title: id.into(),
            detail: None,
        };
        let answers = [
            (row("a"), ConflictAnswer::Skip),
            (row("b"), ConflictAnswer::Overwrite),
            (row("c"), ConflictAnswer::NewCopy),
        ];
        let mut next = 0;
        let retries = retries(&answers, || {
            next += 1;
            format!("copy-{next}")
        });
        assert_eq!(retries.len(), 2, "the skipped object is not retried");
        let first = ImportSummary {
            conflicts: answers.iter().map(|(row, _)| row.clone()).collect(),
            created: vec![row("x")],
            ..ImportSummary::default()
        };
        let retried = ImportSummary {
            overwritten: vec![row("b")],
            created: vec![row("c")],
            ..ImportSummary::default()
        };
        let after = first.after_retry(&answers, retried);
        assert!(after.conflicts.is_empty(), "every conflict was answered");
        assert_eq!(after.kept_here, [row("a")]);
        assert_eq!(after.overwritten, [row("b")]);
        assert_eq!(after.created, [row("x"), row("c")]);
        assert_eq!((retries[0].id.as_str(), retries[0].overwrite), ("b", true));
        assert_eq!(retries[0].destination_id, None);
        assert_eq!(retries[1].id, "c");
        assert!(!retries[1].overwrite);
        assert_eq!(retries[1].create_new_copy, Some(true));
        assert_eq!(retries[1].destination_id.as_deref(), Some("copy-1"));
        for answer in ConflictAnswer::ALL {
            assert_eq!(ConflictAnswer::parse(answer.value()), Some(answer));
        }
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(512.0), "512 bytes");
        assert_eq!(human_size(12_800.0), "12.5 KB");
        assert_eq!(human_size(50.0 * 1024.0 * 1024.0), "50.0 MB");
    }
}
