//! `_export` and `_find` (docs/saved-objects.md, "Export", "Find"): reads of a space's
//! dashboards as saved objects, with their access control as stored.

use std::collections::{HashSet, VecDeque};

use gatehouse_api::dashboards::SavedObjectRef;
use gatehouse_api::saved_objects::{
    ExportRequest, ExportSummary, FindResponse, FindSort, SavedObject, DASHBOARD_TYPE,
    DEFAULT_FIND_PER_PAGE, MAX_FIND_PER_PAGE, MAX_IMPORT_EXPORT_OBJECTS,
};
use rusqlite::Connection;

use super::objects::{bad_request, load_object, to_saved_object};
use crate::dashboards::store::{self, Order, OrderBy};
use crate::platform::error::{AppResult, ErrorShape};
use crate::platform::kibana::{parse_query_number, unique_query_pairs};

/// Kibana's refusal of a type it cannot export.
fn not_exportable(types: &[&str]) -> String {
    format!(
        "Trying to export non-exportable type(s): {}",
        types.join(", ")
    )
}

/// Too many objects for one export (Kibana's `savedObjects.maxImportExportSize`).
fn too_many() -> String {
    format!("Can't export more than {MAX_IMPORT_EXPORT_OBJECTS} objects")
}

/// The objects an export writes, in order, and its summary line.
pub fn export(
    conn: &Connection,
    space: &str,
    request: &ExportRequest,
) -> AppResult<(Vec<SavedObject>, ExportSummary)> {
    let mut objects = match (&request.types, &request.objects) {
        (Some(_), Some(_)) => {
            return Err(bad_request(
                "[request body]: Can't specify both \"types\" and \"objects\" properties when exporting",
            ))
        }
        (None, None) => {
            return Err(bad_request(
                "[request body]: Either `type` or `objects` are required.",
            ))
        }
        (Some(types), None) => by_type(conn, space, types, request.search.as_deref())?,
        (None, Some(refs)) => by_reference(conn, space, refs)?,
    };
    let mut missing = Vec::new();
    if request.include_references_deep {
        follow_references(conn, space, &mut objects, &mut missing)?;
    }
    let summary = ExportSummary {
        exported_count: objects.len() as u64,
        missing_ref_count: missing.len() as u64,
        missing_references: missing,
        excluded_objects: Vec::new(),
        excluded_objects_count: 0,
    };
    Ok((objects, summary))
}

fn by_type(
    conn: &Connection,
    space: &str,
    types: &[String],
    search: Option<&str>,
) -> AppResult<Vec<SavedObject>> {
    let others: Vec<&str> = types
        .iter()
        .map(String::as_str)
        .filter(|t| *t != DASHBOARD_TYPE)
        .collect();
    if !others.is_empty() {
        return Err(bad_request(not_exportable(&others)));
    }
    if types.is_empty() {
        return Err(bad_request(
            "[request body]: Either `type` or `objects` are required.",
        ));
    }
    let search = search.map(search_text).unwrap_or_default();
    let limit = u32::try_from(MAX_IMPORT_EXPORT_OBJECTS).unwrap_or(u32::MAX);
    let (rows, total) = store::find_ordered(conn, space, &search, Order::default(), 1, limit)?;
    if total > rows.len() as u64 {
        return Err(bad_request(too_many()));
    }
    rows.iter()
        .map(|d| Ok(to_saved_object(d, store::references(conn, space, &d.id)?)))
        .collect()
}

fn by_reference(
    conn: &Connection,
    space: &str,
    refs: &[SavedObjectRef],
) -> AppResult<Vec<SavedObject>> {
    if refs.len() > MAX_IMPORT_EXPORT_OBJECTS {
        return Err(bad_request(too_many()));
    }
    let others: Vec<&str> = refs
        .iter()
        .map(|r| r.object_type.as_str())
        .filter(|t| *t != DASHBOARD_TYPE)
        .collect();
    if !others.is_empty() {
        return Err(bad_request(not_exportable(&others)));
    }
    let mut seen = HashSet::new();
    let mut objects = Vec::with_capacity(refs.len());
    let mut missing = Vec::new();
    for reference in refs {
        if !seen.insert(reference.id.as_str()) {
            continue;
        }
        match load_object(conn, space, &reference.id)? {
            Some(object) => objects.push(object),
            None => missing.push(format!("{DASHBOARD_TYPE}:{}", reference.id)),
        }
    }
    if !missing.is_empty() {
        return Err(bad_request(format!(
            "Error fetching objects to export: not found in this space: {}",
            missing.join(", ")
        )));
    }
    Ok(objects)
}

/// Adds what the objects reference, transitively (dashboards of the space); references to
/// anything else, or to dashboards that are not here, are listed as missing.
fn follow_references(
    conn: &Connection,
    space: &str,
    objects: &mut Vec<SavedObject>,
    missing: &mut Vec<SavedObjectRef>,
) -> AppResult<()> {
    let mut seen: HashSet<(String, String)> = objects
        .iter()
        .map(|o| (o.object_type.clone(), o.id.clone()))
        .collect();
    let mut queue: VecDeque<SavedObjectRef> = objects
        .iter()
        .flat_map(|o| o.references.iter())
        .map(|r| SavedObjectRef {
            object_type: r.object_type.clone(),
            id: r.id.clone(),
        })
        .collect();
    while let Some(reference) = queue.pop_front() {
        if !seen.insert((reference.object_type.clone(), reference.id.clone())) {
            continue;
        }
        let found = if reference.object_type == DASHBOARD_TYPE {
            load_object(conn, space, &reference.id)?
        } else {
            None
        };
        match found {
            Some(object) => {
                if objects.len() >= MAX_IMPORT_EXPORT_OBJECTS {
                    return Err(bad_request(too_many()));
                }
                queue.extend(object.references.iter().map(|r| SavedObjectRef {
                    object_type: r.object_type.clone(),
                    id: r.id.clone(),
                }));
                objects.push(object);
            }
            None => missing.push(reference),
        }
    }
    Ok(())
}

/// Kibana's `search` is a simple query string; ours is a title substring, so a trailing `*`
/// (the prefix search every Kibana client sends) is dropped.
fn search_text(search: &str) -> String {
    search.trim().trim_end_matches('*').to_string()
}

/// `GET _find`'s query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindQuery {
    pub search: String,
    pub page: u32,
    pub per_page: u32,
    pub order: Order,
}

/// `type=dashboard` (required), `search`, `page`, `perPage` (1..1000), `sortField`
/// (`title`, `updated_at`, `created_at`), `sortOrder` (`asc`, `desc`); `fields`,
/// `searchFields`, `defaultSearchOperator` and the rest are accepted and ignored.
pub fn parse_find_query(raw: Option<&str>) -> AppResult<FindQuery> {
    let mut query = FindQuery {
        search: String::new(),
        page: 1,
        per_page: DEFAULT_FIND_PER_PAGE,
        order: Order::default(),
    };
    let mut object_type = None;
    let mut sort = FindSort::default();
    let mut descending = None;
    for (key, value) in unique_query_pairs(raw, ErrorShape::Boom)? {
        match key.as_str() {
            "type" => object_type = Some(value),
            "search" => {
                if value.chars().count() > store::MAX_SEARCH_CHARS {
                    return Err(bad_request(format!(
                        "[request query.search]: must be at most {} characters",
                        store::MAX_SEARCH_CHARS
                    )));
                }
                query.search = search_text(&value);
            }
            "page" => {
                query.page = parse_query_number(ErrorShape::Boom, "page", &value, 1, 10_000_000)?
            }
            "perPage" | "per_page" => {
                query.per_page =
                    parse_query_number(ErrorShape::Boom, "perPage", &value, 1, MAX_FIND_PER_PAGE)?
            }
            "sortField" => {
                sort = FindSort::parse(&value).ok_or_else(|| {
                    bad_request(format!(
                        "[request query.sortField]: expected one of [title, updated_at, created_at], received [{value}]"
                    ))
                })?
            }
            "sortOrder" => {
                descending = Some(match value.as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => {
                        return Err(bad_request(format!(
                            "[request query.sortOrder]: expected one of [asc, desc], received [{value}]"
                        )))
                    }
                })
            }
            _ => {}
        }
    }
    match object_type.as_deref() {
        Some(DASHBOARD_TYPE) => {}
        None => {
            return Err(bad_request(
                "[request query.type]: expected value of type [string] but got [undefined]",
            ))
        }
        Some(other) => {
            return Err(bad_request(crate::dashboards::routes::unsupported_type(
                other,
            )))
        }
    }
    query.order = Order {
        by: match sort {
            FindSort::Title => OrderBy::Title,
            FindSort::UpdatedAt => OrderBy::UpdatedAt,
            FindSort::CreatedAt => OrderBy::CreatedAt,
        },
        // Dates read newest first unless asked otherwise, titles A to Z.
        descending: descending.unwrap_or(sort != FindSort::Title),
    };
    Ok(query)
}

pub fn find(conn: &Connection, space: &str, query: &FindQuery) -> anyhow::Result<FindResponse> {
    let (rows, total) = store::find_ordered(
        conn,
        space,
        &query.search,
        query.order,
        query.page,
        query.per_page,
    )?;
    let saved_objects = rows
        .iter()
        .map(|d| Ok(to_saved_object(d, store::references(conn, space, &d.id)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(FindResponse {
        saved_objects,
        total,
        page: query.page,
        per_page: query.per_page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_queries() {
        let query = parse_find_query(Some(
            "type=dashboard&search=soc*&page=2&perPage=50&sortField=updated_at&fields=title",
        ))
        .expect("parses");
        assert_eq!(query.search, "soc");
        assert_eq!((query.page, query.per_page), (2, 50));
        assert_eq!(
            query.order,
            Order {
                by: OrderBy::UpdatedAt,
                descending: true
            }
        );
        let titles = parse_find_query(Some("type=dashboard&sortOrder=desc")).expect("parses");
        assert!(titles.order.descending && titles.order.by == OrderBy::Title);
        assert!(parse_find_query(None).is_err());
        assert!(parse_find_query(Some("type=map")).is_err());
        assert!(parse_find_query(Some("type=dashboard&perPage=1001")).is_err());
        assert!(parse_find_query(Some("type=dashboard&sortField=owner")).is_err());
        assert!(parse_find_query(Some("type=dashboard&type=map")).is_err());
    }
}
