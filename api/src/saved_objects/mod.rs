//! Kibana's saved-objects API for dashboards (docs/saved-objects.md): export, import, the retries
//! of an import, the bulk routes, find and upsert. Wire types, route paths and the pure logic both
//! the SPA and the server use: reading an export file ([`ndjson`]) and deciding who owns an
//! imported object ([`import_access`]).
//!
//! Shapes, as our server sends them (Kibana's where Kibana has one):
//!
//! - A saved object ([`SavedObject`]): `{"id","type","attributes":{"title","description","panelsJSON"},
//!   "references":[{"name","type","id"}],"accessControl"?:{"owner","accessMode"},"namespaces"?,
//!   "created_at"?,"updated_at"?,"created_by"?,"updated_by"?,"version"?}`.
//! - Export `POST /api/saved_objects/_export` [`ExportRequest`] → `application/x-ndjson`: one
//!   [`SavedObject`] a line, then the [`ExportSummary`] line.
//! - Import `POST /api/saved_objects/_import[?overwrite=true|?createNewCopies=true][&keepAccessControl=true]`
//!   (multipart, field `file`) → [`ImportResponse`]; `_resolve_import_errors` takes the same file
//!   plus the field `retries` ([`ImportRetry`] list) and answers the same shape.
//! - `_bulk_create[?overwrite=true]` `[BulkCreateObject]`, `_bulk_get` `[SavedObjectRef]`,
//!   `_bulk_update` `[BulkUpdateObject]` → [`BulkObjects`]; `_bulk_delete` `[SavedObjectRef]` →
//!   [`BulkDeleteResponse`].
//! - `GET /api/saved_objects/_find?type=dashboard&search=&page=&perPage=&sortField=` → [`FindResponse`].
//! - `PUT /api/saved_objects/dashboard/{id}` [`UpdateObjectBody`] (with `upsert`) → [`SavedObject`].

pub mod import_access;
pub mod ndjson;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::dashboards::{AccessControl, DashboardAccessMode, ObjectError, Panel, SavedObjectRef};

pub use crate::dashboards::DASHBOARD_TYPE;

pub const SAVED_OBJECTS_BASE: &str = "/api/saved_objects";
pub const EXPORT_PATH: &str = "/api/saved_objects/_export";
pub const IMPORT_PATH: &str = "/api/saved_objects/_import";
pub const RESOLVE_IMPORT_ERRORS_PATH: &str = "/api/saved_objects/_resolve_import_errors";
pub const BULK_CREATE_PATH: &str = "/api/saved_objects/_bulk_create";
pub const BULK_GET_PATH: &str = "/api/saved_objects/_bulk_get";
pub const BULK_UPDATE_PATH: &str = "/api/saved_objects/_bulk_update";
pub const BULK_DELETE_PATH: &str = "/api/saved_objects/_bulk_delete";
pub const FIND_PATH: &str = "/api/saved_objects/_find";
/// `PUT|GET /api/saved_objects/{type}/{id}`: the router's pattern.
pub const OBJECT_ROUTE: &str = "/api/saved_objects/{type}/{id}";

/// `/api/saved_objects/dashboard/<id>` (the id percent-encoded where it must be).
pub fn object_path(object_type: &str, id: &str) -> String {
    let mut encoded = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~' | b':') {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{SAVED_OBJECTS_BASE}/{object_type}/{encoded}")
}

/// Content type of an export, and of the file an import reads.
pub const NDJSON_CONTENT_TYPE: &str = "application/x-ndjson";
/// The multipart field holding the ndjson file.
pub const IMPORT_FILE_FIELD: &str = "file";
/// The multipart field of `_resolve_import_errors` holding the retries (JSON).
pub const RETRIES_FIELD: &str = "retries";
/// Name of the downloaded export file (Kibana's).
pub const EXPORT_FILE_NAME: &str = "export.ndjson";
/// Largest import request: Kibana's `savedObjects.maxImportPayloadBytes` default (26,214,400).
pub const MAX_IMPORT_BYTES: usize = 26_214_400;
/// Most objects one export or import holds: Kibana's `savedObjects.maxImportExportSize` default.
pub const MAX_IMPORT_EXPORT_OBJECTS: usize = 10_000;
/// Most objects one `_bulk_*` request names.
pub const MAX_BULK_OBJECTS: usize = 100;
pub const DEFAULT_FIND_PER_PAGE: u32 = 20;
pub const MAX_FIND_PER_PAGE: u32 = 1_000;

/// Query parameters of `_import` (and, but `overwrite`, of `_resolve_import_errors`).
pub mod query {
    pub const OVERWRITE: &str = "overwrite";
    pub const CREATE_NEW_COPIES: &str = "createNewCopies";
    /// **ext**: keep the exported owner and mode (holders of `manage_access_control` only).
    pub const KEEP_ACCESS_CONTROL: &str = "keepAccessControl";
}

/// The `Content-Type` of [`multipart_body`].
pub fn multipart_content_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

/// A `multipart/form-data` body holding the export file in the field `file` (and, for
/// `_resolve_import_errors`, the retries in `retries`): what a browser's `FormData` sends. Clients
/// without one (the bench, tests) build theirs with it.
pub fn multipart_body(boundary: &str, file: &[u8], retries: Option<&str>) -> Vec<u8> {
    let mut body = Vec::with_capacity(file.len() + 512);
    if let Some(retries) = retries {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{RETRIES_FIELD}\"\r\n\r\n{retries}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{IMPORT_FILE_FIELD}\"; filename=\"{EXPORT_FILE_NAME}\"\r\nContent-Type: {NDJSON_CONTENT_TYPE}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

/// Texts of the saved-objects routes (Kibana's where Kibana has one; docs/saved-objects.md).
pub mod messages {
    /// The 4.1 requirement sentence every access-control denial ends with.
    pub const MANAGE_ACCESS_CONTROL_REQUIRED: &str = "The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user.";
    /// Per-object denial of an update in a bulk answer (some objects went through).
    pub const UPDATING_OBJECTS_FORBIDDEN: &str = "Updating objects in \"write_restricted\" mode that are owned by another user requires the \"manage_access_control\" privilege.";
    /// Per-object denial of a delete in a bulk answer.
    pub const DELETING_OBJECTS_FORBIDDEN: &str = "Deleting objects in \"write_restricted\" mode that are owned by another user requires the \"manage_access_control\" privilege.";
    /// Per-object denial of a create/overwrite in a bulk or import answer.
    pub const CREATING_OBJECTS_FORBIDDEN: &str = "Overwriting objects in \"write_restricted\" mode that are owned by another user requires the \"manage_access_control\" privilege.";
    pub const NOT_NDJSON: &str = "The file is not a saved-objects export: expected one JSON object per line (ndjson), as Export writes it.";
    pub const EMPTY_FILE: &str = "The file holds no saved objects.";
    pub const NEW_COPIES_AND_OVERWRITE: &str =
        "[request query]: cannot use [overwrite] with [createNewCopies]";
    pub const MISSING_FILE: &str =
        "[request body.file]: expected a file in the multipart field [file]";
}

/// `Unable to create dashboard, access control restrictions for dashboard:<id>. …`: a single
/// create or overwrite of another owner's write-restricted object by a non-admin (4.1).
pub fn single_denial(op: &str, object_type: &str, id: &str) -> String {
    format!(
        "Unable to {op} {object_type}, access control restrictions for {object_type}:{id}. {}",
        messages::MANAGE_ACCESS_CONTROL_REQUIRED
    )
}

/// `Unable to bulk_<op> dashboard. Access control restrictions for objects: dashboard:a,
/// dashboard:b. …`: a bulk request (or an import) whose every object was blocked.
pub fn all_blocked_denial<'a>(
    op: &str,
    object_type: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> String {
    let listed: Vec<String> = ids
        .into_iter()
        .map(|id| format!("{object_type}:{id}"))
        .collect();
    format!(
        "Unable to bulk_{op} {object_type}. Access control restrictions for objects: {}. {}",
        listed.join(", "),
        messages::MANAGE_ACCESS_CONTROL_REQUIRED
    )
}

/// `{"name","type","id"}`: what an object points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
}

/// A dashboard's `attributes`. `panelsJSON` is a JSON array of panels in a string, as Kibana
/// exports it; Kibana's other attributes (`optionsJSON`, `timeRestore`, …) are read and dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardAttributes {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "panelsJSON", default = "empty_panels")]
    pub panels_json: String,
}

fn empty_panels() -> String {
    "[]".into()
}

impl DashboardAttributes {
    pub fn new(title: &str, description: &str, panels: &[Panel]) -> Self {
        Self {
            title: title.into(),
            description: description.into(),
            panels_json: serde_json::to_string(panels).unwrap_or_else(|_| empty_panels()),
        }
    }

    /// The panels, or why `panelsJSON` does not hold any.
    pub fn panels(&self) -> Result<Vec<Panel>, String> {
        if self.panels_json.trim().is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(&self.panels_json)
            .map_err(|e| format!("attributes.panelsJSON: not a list of panels ({e})"))
    }
}

/// Partial attributes of an update: what is absent stays as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardAttributesUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(
        rename = "panelsJSON",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub panels_json: Option<String>,
}

impl DashboardAttributesUpdate {
    /// The stored attributes with this update applied.
    pub fn applied_to(&self, current: &DashboardAttributes) -> DashboardAttributes {
        DashboardAttributes {
            title: self.title.clone().unwrap_or_else(|| current.title.clone()),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| current.description.clone()),
            panels_json: self
                .panels_json
                .clone()
                .unwrap_or_else(|| current.panels_json.clone()),
        }
    }
}

/// One saved object. `A` is [`DashboardAttributes`] in everything our server sends; an import
/// file's lines are read with `A = Value`, since their type is only known once read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedObject<A = DashboardAttributes> {
    pub id: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub attributes: A,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_control: Option<AccessControl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
    #[serde(
        rename = "created_at",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    #[serde(
        rename = "updated_at",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<String>,
    #[serde(
        rename = "created_by",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub created_by: Option<String>,
    #[serde(
        rename = "updated_by",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_by: Option<String>,
    /// Opaque; send it back with the next update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl<A> SavedObject<A> {
    /// An object with no references, access control, spaces, times or version yet.
    pub fn new(id: impl Into<String>, object_type: impl Into<String>, attributes: A) -> Self {
        Self {
            id: id.into(),
            object_type: object_type.into(),
            attributes,
            references: Vec::new(),
            access_control: None,
            namespaces: None,
            created_at: None,
            updated_at: None,
            created_by: None,
            updated_by: None,
            version: None,
        }
    }
}

impl<A> SavedObject<A> {
    pub fn owner(&self) -> Option<&str> {
        self.access_control.as_ref().map(|a| a.owner.as_str())
    }

    pub fn access_mode(&self) -> DashboardAccessMode {
        self.access_control
            .as_ref()
            .map(|a| a.access_mode)
            .unwrap_or_default()
    }

    pub fn reference(&self) -> SavedObjectRef {
        SavedObjectRef {
            object_type: self.object_type.clone(),
            id: self.id.clone(),
        }
    }
}

/// `"dashboard"` or `["dashboard", …]`: Kibana accepts both for `type`.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => None,
        Some(OneOrMany::One(one)) => Some(vec![one]),
        Some(OneOrMany::Many(many)) => Some(many),
    })
}

/// `POST /api/saved_objects/_export`: either `type` or `objects`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    #[serde(
        rename = "type",
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<SavedObjectRef>>,
    /// Also export what the objects reference, transitively.
    #[serde(default)]
    pub include_references_deep: bool,
    /// Leave the summary line out.
    #[serde(default)]
    pub exclude_export_details: bool,
    /// With `type`: only objects whose title contains this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
}

impl ExportRequest {
    pub fn objects(objects: Vec<SavedObjectRef>) -> Self {
        Self {
            objects: Some(objects),
            ..Self::default()
        }
    }

    pub fn of_type(object_type: &str) -> Self {
        Self {
            types: Some(vec![object_type.into()]),
            ..Self::default()
        }
    }
}

/// The last line of an export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub exported_count: u64,
    pub missing_ref_count: u64,
    #[serde(default)]
    pub missing_references: Vec<SavedObjectRef>,
    #[serde(default)]
    pub excluded_objects: Vec<SavedObjectRef>,
    #[serde(default)]
    pub excluded_objects_count: u64,
}

/// What `_import` is asked to do with ids that already exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    pub overwrite: bool,
    pub create_new_copies: bool,
    /// **ext**: keep the exported owner and mode.
    pub keep_access_control: bool,
}

impl ImportOptions {
    /// The query string (without `?`), empty when every flag is off.
    pub fn to_query(self) -> String {
        let mut pairs = Vec::new();
        if self.overwrite {
            pairs.push(format!("{}=true", query::OVERWRITE));
        }
        if self.create_new_copies {
            pairs.push(format!("{}=true", query::CREATE_NEW_COPIES));
        }
        if self.keep_access_control {
            pairs.push(format!("{}=true", query::KEEP_ACCESS_CONTROL));
        }
        pairs.join("&")
    }
}

/// `meta` of an import result: what a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportMeta {
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// One object an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSuccess {
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
    /// The id it has here when that is not `id` (a new copy, a retry's `destinationId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_id: Option<String>,
    /// It replaced an existing object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overwrite: Option<bool>,
    /// It was written as a new copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_new_copy: Option<bool>,
    pub meta: ImportMeta,
}

impl ImportSuccess {
    /// The id the object has in this space.
    pub fn written_id(&self) -> &str {
        self.destination_id.as_deref().unwrap_or(&self.id)
    }
}

/// Why one object of an import was not written (`error.type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ImportErrorKind {
    /// The id exists here and the import did not ask to overwrite: retry with `overwrite`.
    #[serde(rename_all = "camelCase")]
    Conflict {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        destination_id: Option<String>,
    },
    /// It references objects that are neither in the file nor in this space.
    MissingReferences { references: Vec<SavedObjectRef> },
    /// Not a type this server keeps (only dashboards).
    UnsupportedType,
    /// `accessControl` on a type that does not support access control.
    UnexpectedAccessControlMetadata,
    /// **ext**: `keepAccessControl` asked to keep an owner no user here has.
    #[serde(rename_all = "camelCase")]
    UnknownOwner { owner: String, message: String },
    /// Anything else, with the status a single request would have answered: 403 for an
    /// access-control refusal, 400 for content that is not a valid dashboard.
    #[serde(rename_all = "camelCase")]
    Unknown { message: String, status_code: u16 },
}

impl ImportErrorKind {
    /// What a person reads about it.
    pub fn describe(&self) -> String {
        match self {
            ImportErrorKind::Conflict { .. } => {
                "An object with this id already exists here.".into()
            }
            ImportErrorKind::MissingReferences { references } => {
                let listed: Vec<String> = references
                    .iter()
                    .map(|r| format!("{}:{}", r.object_type, r.id))
                    .collect();
                format!(
                    "It references objects that are neither in the file nor in this space: {}.",
                    listed.join(", ")
                )
            }
            ImportErrorKind::UnsupportedType => {
                format!("Only saved objects of type [{DASHBOARD_TYPE}] can be imported here.")
            }
            ImportErrorKind::UnexpectedAccessControlMetadata => {
                "This type of object does not support access control.".into()
            }
            ImportErrorKind::UnknownOwner { message, .. }
            | ImportErrorKind::Unknown { message, .. } => message.clone(),
        }
    }

    /// A conflict: the one error a retry with `overwrite` resolves.
    pub fn is_conflict(&self) -> bool {
        matches!(self, ImportErrorKind::Conflict { .. })
    }

    /// An access-control refusal of an overwrite.
    pub fn is_access_control_denial(&self) -> bool {
        matches!(
            self,
            ImportErrorKind::Unknown {
                status_code: 403,
                ..
            }
        )
    }
}

/// One object an import did not write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportError {
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub meta: ImportMeta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overwrite: Option<bool>,
    pub error: ImportErrorKind,
}

/// Why an imported object does not carry the owner and mode its file gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetReason {
    /// Written as a new copy: copies belong to the importer, mode `default` (Kibana's rule).
    NewCopy,
    /// A new object here: imports belong to the importer, mode `default` (Kibana's rule).
    ImporterOwnsImports,
    /// `keepAccessControl` was asked by someone without `manage_access_control`: ignored.
    KeepNotPermitted,
    /// It replaced an existing object, whose owner and mode stay as they were here.
    DestinationKept,
}

impl ResetReason {
    /// The sentence an import summary shows.
    pub fn sentence(self) -> &'static str {
        match self {
            ResetReason::NewCopy => "It was imported as a new copy: copies belong to the person who imports them, and everybody in the space can edit them.",
            ResetReason::ImporterOwnsImports => "Imported objects belong to the person who imports them, and everybody in the space can edit them. Someone with the \"manage_access_control\" privilege can import with \"Keep owner and protection\".",
            ResetReason::KeepNotPermitted => "\"Keep owner and protection\" needs the \"manage_access_control\" privilege, which you do not have here, so it was ignored: you own the object and everybody in the space can edit it.",
            ResetReason::DestinationKept => "It replaced an existing object here, which keeps its own owner and permissions.",
        }
    }
}

/// **ext** One object whose owner or mode is not the one in the file, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessControlReset {
    #[serde(rename = "type")]
    pub object_type: String,
    /// The id it has here.
    pub id: String,
    pub title: String,
    pub previous_owner: String,
    pub previous_access_mode: DashboardAccessMode,
    /// What it has now (`None`: no access control, as the object it replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub access_mode: DashboardAccessMode,
    pub reason: ResetReason,
    /// [`ResetReason::sentence`], sent so any client can show it.
    pub message: String,
}

impl AccessControlReset {
    /// Whether the object lost its write restriction (not only changed owner).
    pub fn lost_protection(&self) -> bool {
        self.previous_access_mode == DashboardAccessMode::WriteRestricted
            && self.access_mode != DashboardAccessMode::WriteRestricted
    }
}

/// Answer of `_import` and `_resolve_import_errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResponse {
    pub success: bool,
    pub success_count: u64,
    #[serde(default)]
    pub success_results: Vec<ImportSuccess>,
    #[serde(default)]
    pub errors: Vec<ImportError>,
    #[serde(default)]
    pub warnings: Vec<Value>,
    /// **ext** Every written object whose owner or mode is not the one its file gave it.
    #[serde(default)]
    pub access_control_reset: Vec<AccessControlReset>,
}

/// `{"type","from","to"}` of a retry: point references at another object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaceReference {
    #[serde(rename = "type")]
    pub object_type: String,
    pub from: String,
    pub to: String,
}

/// One retry of `_resolve_import_errors`: which object of the file to import again, and how.
/// Objects of the file without a retry are left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRetry {
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
    #[serde(default)]
    pub overwrite: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace_references: Vec<ReplaceReference>,
    #[serde(default)]
    pub ignore_missing_references: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_new_copy: Option<bool>,
}

impl ImportRetry {
    /// The retry that overwrites a conflict.
    pub fn overwrite(object_type: &str, id: &str) -> Self {
        Self {
            object_type: object_type.into(),
            id: id.into(),
            overwrite: true,
            destination_id: None,
            replace_references: Vec::new(),
            ignore_missing_references: false,
            create_new_copy: None,
        }
    }
}

/// One object of `_bulk_create`. Without `id` the server picks one. `accessControl.accessMode`
/// is the initial mode of a new object; its `owner` is honoured only as `keepAccessControl` is
/// (docs/saved-objects.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkCreateObject {
    #[serde(rename = "type")]
    pub object_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub attributes: DashboardAttributes,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_control: Option<BulkCreateAccessControl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `accessControl` of a create: the mode (owner optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkCreateAccessControl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_mode: Option<DashboardAccessMode>,
}

/// One object of `_bulk_update`: partial attributes, optionally at a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkUpdateObject {
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
    pub attributes: DashboardAttributesUpdate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<Reference>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// An object a bulk route could not give or write: `{"id","type","error":{statusCode,error,message}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectFailure {
    pub id: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub error: ObjectError,
}

/// One entry of a bulk answer, in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BulkObject {
    Object(Box<SavedObject>),
    Failure(ObjectFailure),
}

impl BulkObject {
    pub fn id(&self) -> &str {
        match self {
            BulkObject::Object(o) => &o.id,
            BulkObject::Failure(f) => &f.id,
        }
    }

    pub fn error(&self) -> Option<&ObjectError> {
        match self {
            BulkObject::Object(_) => None,
            BulkObject::Failure(f) => Some(&f.error),
        }
    }
}

/// Answer of `_bulk_create`, `_bulk_get`, `_bulk_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkObjects {
    pub saved_objects: Vec<BulkObject>,
}

/// One entry of a `_bulk_delete` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteStatus {
    pub id: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ObjectError>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDeleteResponse {
    pub statuses: Vec<DeleteStatus>,
}

/// `GET /api/saved_objects/_find`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FindResponse {
    pub saved_objects: Vec<SavedObject>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// `sortField` of `_find`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FindSort {
    #[default]
    Title,
    UpdatedAt,
    CreatedAt,
}

impl FindSort {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "title" | "title.keyword" => Some(FindSort::Title),
            "updated_at" => Some(FindSort::UpdatedAt),
            "created_at" => Some(FindSort::CreatedAt),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FindSort::Title => "title",
            FindSort::UpdatedAt => "updated_at",
            FindSort::CreatedAt => "created_at",
        }
    }
}

/// `PUT /api/saved_objects/dashboard/{id}`: partial attributes; with `upsert`, a missing object is
/// created from it (owned by the caller, mode `default`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateObjectBody {
    pub attributes: DashboardAttributesUpdate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<Reference>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upsert: Option<DashboardAttributes>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_exported_line_round_trips_with_kibana_field_names() {
        let line = json!({
            "id": "soc", "type": "dashboard",
            "attributes": {"title": "SOC", "description": "", "panelsJSON": "[]", "timeRestore": false},
            "references": [{"name": "panel_0", "type": "dashboard", "id": "other"}],
            "accessControl": {"owner": "u_alice_0", "accessMode": "write_restricted"},
            "updated_at": "2026-01-01T00:00:00.000Z", "version": "3",
            "coreMigrationVersion": "8.8.0"
        });
        let object: SavedObject = serde_json::from_value(line).expect("parses");
        assert_eq!(object.owner(), Some("u_alice_0"));
        assert_eq!(object.access_mode(), DashboardAccessMode::WriteRestricted);
        assert_eq!(object.references[0].id, "other");
        let back = serde_json::to_value(&object).expect("serializes");
        assert_eq!(back["accessControl"]["accessMode"], "write_restricted");
        assert_eq!(back["attributes"]["panelsJSON"], "[]");
        assert_eq!(back["updated_at"], "2026-01-01T00:00:00.000Z");
        assert!(back.get("timeRestore").is_none());
    }

    #[test]
    fn panels_json_holds_the_panels() {
        let panel = Panel {
            id: "p".into(),
            title: "Alerts".into(),
            panel_type: "markdown".into(),
            description: None,
            query: None,
        };
        let attributes = DashboardAttributes::new("T", "", std::slice::from_ref(&panel));
        assert_eq!(attributes.panels(), Ok(vec![panel]));
        let broken = DashboardAttributes {
            panels_json: "{".into(),
            ..attributes
        };
        assert!(broken
            .panels()
            .unwrap_err()
            .starts_with("attributes.panelsJSON"));
    }

    #[test]
    fn export_requests_take_a_type_or_a_list_of_types() {
        let one: ExportRequest =
            serde_json::from_value(json!({"type": "dashboard"})).expect("one type");
        let many: ExportRequest =
            serde_json::from_value(json!({"type": ["dashboard"], "includeReferencesDeep": true}))
                .expect("many types");
        assert_eq!(one.types, Some(vec!["dashboard".to_string()]));
        assert_eq!(many.types, one.types);
        assert!(many.include_references_deep);
        let objects =
            serde_json::to_value(ExportRequest::objects(vec![SavedObjectRef::dashboard("a")]))
                .expect("serializes");
        assert_eq!(
            objects,
            json!({"objects": [{"type": "dashboard", "id": "a"}], "includeReferencesDeep": false, "excludeExportDetails": false})
        );
    }

    #[test]
    fn import_answers_use_kibana_names_and_name_the_reset_objects() {
        let answer = json!({
            "success": false, "successCount": 1,
            "successResults": [{"type": "dashboard", "id": "a", "destinationId": "b", "createNewCopy": true, "meta": {"title": "A"}}],
            "errors": [
                {"type": "dashboard", "id": "c", "meta": {"title": "C"}, "error": {"type": "conflict"}},
                {"type": "dashboard", "id": "d", "meta": {"title": "D"}, "error": {"type": "missing_references", "references": [{"type": "dashboard", "id": "x"}]}},
                {"type": "map", "id": "e", "meta": {"title": "E"}, "error": {"type": "unsupported_type"}},
                {"type": "dashboard", "id": "f", "meta": {"title": "F"}, "error": {"type": "unknown", "message": "no", "statusCode": 403}}
            ],
            "accessControlReset": [{"type": "dashboard", "id": "b", "title": "A", "previousOwner": "u_alice_0",
                "previousAccessMode": "write_restricted", "owner": "u_bob_0", "accessMode": "default",
                "reason": "new_copy", "message": ResetReason::NewCopy.sentence()}]
        });
        let response: ImportResponse = serde_json::from_value(answer.clone()).expect("parses");
        assert_eq!(response.success_results[0].written_id(), "b");
        assert!(response.errors[0].error.is_conflict());
        assert!(response.errors[3].error.is_access_control_denial());
        assert!(response.errors[1].error.describe().contains("dashboard:x"));
        assert!(response.access_control_reset[0].lost_protection());
        let mut back = serde_json::to_value(&response).expect("serializes");
        back.as_object_mut().map(|o| o.remove("warnings"));
        assert_eq!(back, answer);
    }

    #[test]
    fn denials_list_the_objects() {
        assert_eq!(
            all_blocked_denial("delete", DASHBOARD_TYPE, ["a", "b"]),
            "Unable to bulk_delete dashboard. Access control restrictions for objects: dashboard:a, dashboard:b. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user."
        );
        let single = single_denial("create", DASHBOARD_TYPE, "soc");
        assert!(single.contains("Unable to create dashboard") && single.contains("dashboard:soc"));
        assert!(single.ends_with(messages::MANAGE_ACCESS_CONTROL_REQUIRED));
    }

    #[test]
    fn options_paths_and_sorts() {
        let options = ImportOptions {
            overwrite: true,
            keep_access_control: true,
            ..ImportOptions::default()
        };
        assert_eq!(options.to_query(), "overwrite=true&keepAccessControl=true");
        assert_eq!(ImportOptions::default().to_query(), "");
        assert_eq!(
            object_path(DASHBOARD_TYPE, "a b/c"),
            "/api/saved_objects/dashboard/a%20b%2Fc"
        );
        assert_eq!(FindSort::parse("updated_at"), Some(FindSort::UpdatedAt));
        assert_eq!(FindSort::parse("owner"), None);
        let update = DashboardAttributesUpdate {
            title: Some("New".into()),
            ..DashboardAttributesUpdate::default()
        };
        let current = DashboardAttributes::new("Old", "kept", &[]);
        let next = update.applied_to(&current);
        assert_eq!(
            (next.title.as_str(), next.description.as_str()),
            ("New", "kept")
        );
    }

    #[test]
    fn bulk_answers_mix_objects_and_failures() {
        let answer: BulkObjects = serde_json::from_value(json!({"saved_objects": [
            {"id": "a", "type": "dashboard", "attributes": {"title": "A"}, "references": []},
            {"id": "b", "type": "dashboard", "error": {"statusCode": 404, "error": "Not Found", "message": "Saved object [dashboard/b] not found"}}
        ]}))
        .expect("parses");
        assert!(answer.saved_objects[0].error().is_none());
        assert_eq!(
            answer.saved_objects[1].error().map(|e| e.status_code),
            Some(404)
        );
        assert_eq!(answer.saved_objects[1].id(), "b");
    }
}
