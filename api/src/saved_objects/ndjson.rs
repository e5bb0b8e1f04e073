//! Reading an export file (docs/saved-objects.md, "Import files"): one JSON object a line, the
//! last one possibly the export summary. The SPA reads a file with it before sending it (to show
//! what it holds), the server before importing it; both give the same reasons.
//!
//! A problem with the file as a whole (not ndjson, a truncated or broken line, a line that is not
//! a saved object, the same object twice, too many objects) refuses the whole import: nothing is
//! written, and the answer lists the problems by line. An object of a type this server does not
//! keep is not a problem of the file: the import reports it for that object (Kibana's
//! `unsupported_type`) and imports the others.

use std::collections::HashMap;

use serde_json::Value;

use super::{ExportSummary, SavedObject, DASHBOARD_TYPE};

/// Problems listed in one answer; a file with more says how many were left out.
pub const MAX_LISTED_PROBLEMS: usize = 10;

/// One object of the file and the line it was on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLine {
    pub line: usize,
    pub object: SavedObject<Value>,
}

impl ImportLine {
    /// A type this server keeps.
    pub fn is_supported(&self) -> bool {
        self.object.object_type == DASHBOARD_TYPE
    }

    /// `attributes.title` when there is one (what result lists show).
    pub fn title(&self) -> String {
        self.object.attributes["title"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Why a file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Nothing but blank lines (or only a summary).
    Empty,
    /// Not text (an image, an archive, …).
    NotText,
    /// No line of the file reads as JSON: not an export at all.
    NotNdjson,
    /// A line ends before its JSON does (a cut download, a file edited by hand).
    Truncated { line: usize },
    /// A line that is not JSON.
    NotJson { line: usize, detail: String },
    /// JSON, but not a saved object: `missing` names what it lacks.
    NotASavedObject { line: usize, missing: String },
    /// The same object on more than one line.
    Duplicate {
        object_type: String,
        id: String,
        lines: Vec<usize>,
    },
    /// More objects than one import takes.
    TooManyObjects { max: usize },
}

impl FileProblem {
    /// What a person reads about it.
    pub fn message(&self) -> String {
        match self {
            FileProblem::Empty => super::messages::EMPTY_FILE.into(),
            FileProblem::NotText | FileProblem::NotNdjson => super::messages::NOT_NDJSON.into(),
            FileProblem::Truncated { line } => format!(
                "Line {line} ends before its object does: the file looks truncated. Export the objects again."
            ),
            FileProblem::NotJson { line, detail } => {
                format!("Line {line} is not a JSON object ({detail}).")
            }
            FileProblem::NotASavedObject { line, missing } => {
                format!("Line {line} is not a saved object: it has no {missing}.")
            }
            FileProblem::Duplicate {
                object_type,
                id,
                lines,
            } => {
                let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
                format!(
                    "Non-unique import objects detected: [{object_type}:{id}] is on lines {}.",
                    lines.join(", ")
                )
            }
            FileProblem::TooManyObjects { max } => {
                format!("Can't import more than {max} objects at once.")
            }
        }
    }
}

/// The whole answer's message for a file's problems: the first [`MAX_LISTED_PROBLEMS`], then
/// how many more.
pub fn problems_message(problems: &[FileProblem]) -> String {
    let mut parts: Vec<String> = problems
        .iter()
        .take(MAX_LISTED_PROBLEMS)
        .map(FileProblem::message)
        .collect();
    if problems.len() > MAX_LISTED_PROBLEMS {
        parts.push(format!(
            "({} more problems not listed.)",
            problems.len() - MAX_LISTED_PROBLEMS
        ));
    }
    parts.join(" ")
}

/// A file read: its objects in order, and its summary line if it had one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportFile {
    pub objects: Vec<ImportLine>,
    pub summary: Option<ExportSummary>,
}

/// Reads a file of at most `max_objects` objects, or says every problem it has.
pub fn parse_import_file(bytes: &[u8], max_objects: usize) -> Result<ImportFile, Vec<FileProblem>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![FileProblem::NotText]);
    };
    let mut file = ImportFile::default();
    let mut problems = Vec::new();
    let mut json_lines = 0usize;
    let mut seen: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(trimmed) {
            Ok(value) => value,
            Err(error) if error.is_eof() => {
                problems.push(FileProblem::Truncated { line });
                continue;
            }
            Err(error) => {
                problems.push(FileProblem::NotJson {
                    line,
                    detail: error.to_string(),
                });
                continue;
            }
        };
        json_lines += 1;
        if !value.is_object() {
            problems.push(FileProblem::NotJson {
                line,
                detail: "a JSON value, but not an object".into(),
            });
            continue;
        }
        if value.get("exportedCount").is_some() && value.get("type").is_none() {
            file.summary = serde_json::from_value(value).ok();
            continue;
        }
        let missing = ["type", "id"]
            .into_iter()
            .find(|field| value[*field].as_str().is_none_or(str::is_empty))
            .or_else(|| (!value["attributes"].is_object()).then_some("attributes"));
        if let Some(missing) = missing {
            problems.push(FileProblem::NotASavedObject {
                line,
                missing: missing.into(),
            });
            continue;
        }
        match serde_json::from_value::<SavedObject<Value>>(value) {
            Ok(object) => {
                seen.entry((object.object_type.clone(), object.id.clone()))
                    .or_default()
                    .push(line);
                file.objects.push(ImportLine { line, object });
            }
            Err(error) => problems.push(FileProblem::NotASavedObject {
                line,
                missing: format!("valid fields ({error})"),
            }),
        }
    }
    if json_lines == 0 && !problems.is_empty() {
        return Err(vec![FileProblem::NotNdjson]);
    }
    let mut duplicates: Vec<FileProblem> = seen
        .into_iter()
        .filter(|(_, lines)| lines.len() > 1)
        .map(|((object_type, id), lines)| FileProblem::Duplicate {
            object_type,
            id,
            lines,
        })
        .collect();
    duplicates.sort_by_key(|p| match p {
        FileProblem::Duplicate { lines, .. } => lines.first().copied().unwrap_or(0),
        _ => 0,
    });
    problems.extend(duplicates);
    if file.objects.len() > max_objects {
        problems.push(FileProblem::TooManyObjects { max: max_objects });
    }
    if problems.is_empty() && file.objects.is_empty() {
        problems.push(FileProblem::Empty);
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

/// Writes objects and the summary as an export file.
pub fn write_export<A: serde::Serialize>(
    objects: &[SavedObject<A>],
    summary: Option<&ExportSummary>,
) -> String {
    let mut out = String::new();
    for object in objects {
        if let Ok(line) = serde_json::to_string(object) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    if let Some(line) = summary.and_then(|s| serde_json::to_string(s).ok()) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(id: &str, object_type: &str) -> String {
        json!({"id": id, "type": object_type, "attributes": {"title": format!("T {id}")}, "references": []})
            .to_string()
    }

    fn file(lines: &[String]) -> Vec<u8> {
        lines.join("\n").into_bytes()
    }

    #[test]
    fn an_export_reads_back_with_its_summary() {
        let summary = json!({"exportedCount": 2, "missingRefCount": 0, "missingReferences": [],
                             "excludedObjects": [], "excludedObjectsCount": 0});
        let bytes = file(&[
            line("a", "dashboard"),
            String::new(),
            line("b", "map"),
            summary.to_string(),
        ]);
        let read = parse_import_file(&bytes, 10).expect("reads");
        assert_eq!(read.objects.len(), 2);
        assert_eq!(read.objects[1].line, 3);
        assert!(read.objects[0].is_supported() && !read.objects[1].is_supported());
        assert_eq!(read.objects[0].title(), "T a");
        assert_eq!(read.summary.map(|s| s.exported_count), Some(2));
    }

    #[test]
    fn a_file_that_is_not_ndjson_is_said_to_be_so() {
        assert_eq!(
            parse_import_file(b"<html><body>oops</body></html>", 10),
            Err(vec![FileProblem::NotNdjson])
        );
        assert_eq!(
            parse_import_file(&[0xff, 0xfe, 0x00], 10),
            Err(vec![FileProblem::NotText])
        );
        assert_eq!(
            parse_import_file(b"\n\n", 10),
            Err(vec![FileProblem::Empty])
        );
        let message = problems_message(&[FileProblem::NotNdjson]);
        assert!(message.contains("ndjson"), "{message}");
    }

    #[test]
    fn a_truncated_last_line_is_named() {
        let mut cut = line("b", "dashboard");
        cut.truncate(cut.len() / 2);
        let problems =
            parse_import_file(&file(&[line("a", "dashboard"), cut]), 10).expect_err("refused");
        assert_eq!(problems, vec![FileProblem::Truncated { line: 2 }]);
        assert!(problems[0].message().contains("truncated"));
    }

    #[test]
    fn broken_lines_and_non_objects_are_listed_by_line() {
        let problems = parse_import_file(
            &file(&[
                line("a", "dashboard"),
                "not json".into(),
                "[1,2]".into(),
                json!({"type": "dashboard", "attributes": {}}).to_string(),
                json!({"type": "dashboard", "id": "x"}).to_string(),
            ]),
            10,
        )
        .expect_err("refused");
        assert!(matches!(problems[0], FileProblem::NotJson { line: 2, .. }));
        assert!(matches!(problems[1], FileProblem::NotJson { line: 3, .. }));
        assert_eq!(
            problems[2],
            FileProblem::NotASavedObject {
                line: 4,
                missing: "id".into()
            }
        );
        assert_eq!(
            problems[3],
            FileProblem::NotASavedObject {
                line: 5,
                missing: "attributes".into()
            }
        );
        assert!(problems_message(&problems).starts_with("Line 2 is not a JSON object"));
    }

    #[test]
    fn the_same_object_twice_refuses_the_file() {
        let problems = parse_import_file(
            &file(&[
                line("a", "dashboard"),
                line("b", "dashboard"),
                line("a", "dashboard"),
                line("a", "map"),
            ]),
            10,
        )
        .expect_err("refused");
        assert_eq!(
            problems,
            vec![FileProblem::Duplicate {
                object_type: "dashboard".into(),
                id: "a".into(),
                lines: vec![1, 3]
            }]
        );
        assert_eq!(
            problems[0].message(),
            "Non-unique import objects detected: [dashboard:a] is on lines 1, 3."
        );
    }

    #[test]
    fn too_many_objects_and_long_lists_of_problems() {
        let lines: Vec<String> = (0..3)
            .map(|i| line(&format!("d{i}"), "dashboard"))
            .collect();
        assert_eq!(
            parse_import_file(&file(&lines), 2),
            Err(vec![FileProblem::TooManyObjects { max: 2 }])
        );
        let many: Vec<FileProblem> = (1..=12)
            .map(|line| FileProblem::Truncated { line })
            .collect();
        assert!(problems_message(&many).ends_with("(2 more problems not listed.)"));
    }

    #[test]
    fn what_export_writes_import_reads() {
        let objects = vec![SavedObject::new(
            "a",
            DASHBOARD_TYPE,
            super::super::DashboardAttributes::new("A", "", &[]),
        )];
        let summary = ExportSummary {
            exported_count: 1,
            ..ExportSummary::default()
        };
        let text = write_export(&objects, Some(&summary));
        assert_eq!(text.lines().count(), 2);
        let read = parse_import_file(text.as_bytes(), 10).expect("reads");
        assert_eq!(read.objects[0].object.id, "a");
        assert_eq!(read.summary, Some(summary));
    }
}
