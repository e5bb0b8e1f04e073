//! Section 2's saved-objects row: one `_import` of an export file of 1,000 dashboards
//! (docs/saved-objects.md), as `elastic`, into the seeded space `soc-emea`: each
//! object checked, placed by the shared access-control decision, written with its references and
//! its audit row, all in one transaction. Timed send → answer read, three imports under new ids
//! (`createNewCopies`, so the space grows by 1,000 each time), the median reported.

#![cfg(feature = "bench")]

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use gatehouse_api::saved_objects::{
    multipart_body, multipart_content_type, ndjson::write_export, DashboardAttributes,
    ImportResponse, SavedObject, IMPORT_PATH,
};
use reqwest::Method;

use super::measure::{ms, verdict, Report};
use crate::http::Client;

pub const DASHBOARDS: usize = 1_000;
const RUNS: usize = 3;
const TARGET_MS: f64 = 2_000.0;
const BOUNDARY: &str = "gatehouse-bench-boundary";
/// The seeded second space: the imports leave the default space, which the browser figures
/// read, as it was.
const SPACE: &str = "soc-emea";

/// An export file of `count` write-restricted dashboards owned by `owner`, each with one panel
/// and (but the first) a reference to the previous one.
pub fn export_file(count: usize, owner: &str) -> Vec<u8> {
    let panel = gatehouse_api::dashboards::Panel {
        id: "notes".into(),
        title: "Notes".into(),
        panel_type: "markdown".into(),
        description: Some("Imported by the bench.".into()),
        query: None,
    };
    let objects: Vec<SavedObject> = (0..count)
        .map(|i| SavedObject {
            references: (i > 0)
                .then(|| gatehouse_api::saved_objects::Reference {
                    name: "previous".into(),
                    object_type: "dashboard".into(),
                    id: format!("bench-import-{}", i - 1),
                })
                .into_iter()
                .collect(),
            access_control: Some(gatehouse_api::dashboards::AccessControl {
                owner: owner.into(),
                access_mode: gatehouse_api::dashboards::DashboardAccessMode::WriteRestricted,
            }),
            ..SavedObject::new(
                format!("bench-import-{i}"),
                "dashboard",
                DashboardAttributes::new(
                    &format!("Imported dashboard {i}"),
                    "One of the bench's 1,000.",
                    std::slice::from_ref(&panel),
                ),
            )
        })
        .collect();
    write_export(&objects, None).into_bytes()
}

/// One import of `file`, timed; fails unless every object was written.
async fn import_once(elastic: &Client, file: &[u8]) -> Result<Duration> {
    let body = multipart_body(BOUNDARY, file, None);
    let started = Instant::now();
    let answer = elastic
        .request(
            Method::POST,
            &format!("/s/{SPACE}{IMPORT_PATH}?createNewCopies=true"),
        )
        .header("content-type", multipart_content_type(BOUNDARY))
        .body(body)
        .send()
        .await
        .context("POST _import")?;
    let status = answer.status();
    let text = answer.text().await.context("reading the import answer")?;
    let elapsed = started.elapsed();
    if !status.is_success() {
        bail!("_import: {status}: {text}");
    }
    let response: ImportResponse = serde_json::from_str(&text).context("an import answer")?;
    if response.success_count != DASHBOARDS as u64 {
        bail!(
            "_import wrote {} of {DASHBOARDS}: {:?}",
            response.success_count,
            response.errors.first()
        );
    }
    Ok(elapsed)
}

/// Measures the row and adds it to the report.
pub async fn import_row(elastic: &Client, report: &mut Report) -> Result<()> {
    let file = export_file(DASHBOARDS, "u_alice_0");
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        times.push(import_once(elastic, &file).await?);
    }
    times.sort();
    let median = times[RUNS / 2];
    let section = format!(
        "### Saved objects import\n\n\
         `POST /s/{SPACE}{IMPORT_PATH}?createNewCopies=true` as `elastic`: one ndjson file of {DASHBOARDS} \
         dashboards ({} bytes, each with a panel, a reference and `accessControl`), {RUNS} \
         imports, send → answer read; each writes {DASHBOARDS} dashboards, their references and \
         {DASHBOARDS} audit rows in one transaction.\n\n\
         | import | runs | median | fastest | slowest |\n|---|---:|---:|---:|---:|\n\
         | {DASHBOARDS} dashboards | {RUNS} | {:.0} ms | {:.0} ms | {:.0} ms |\n",
        file.len(),
        ms(median),
        ms(times[0]),
        ms(times[RUNS - 1]),
    );
    report.sections.push(section);
    report.line(format!(
        "saved objects import {DASHBOARDS}: median {:.0} ms of {RUNS}; target < {TARGET_MS:.0} ms: {}",
        ms(median),
        verdict(ms(median) < TARGET_MS)
    ));
    Ok(())
}
