//! WCAG 2.2 AA, as axe-core checks it, on every page every demo user reaches (server/src/seed/):
//! each row of [`PAGES`] signs in as its user, opens its page, takes its steps (a dialog opened,
//! a toast shown, a tooltip hovered) and runs axe-core 4.14 on the whole document. Any violation of
//! any impact fails the test, with its rule, impact and elements, the page and the user. Then a
//! handful of pages again in the dark colour scheme, and at 200 % zoom with screenshots and a
//! check that nothing is cut off. ARCHITECTURE.md "Accessibility" says what is checked and how.

#[path = "common/axe.rs"]
mod axe;
mod common;

use anyhow::{bail, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

use Step::*;

const LEADS: &str = "/app/security/entity_analytics";
const EMEA_LEADS: &str = "/s/soc-emea/app/security/entity_analytics";
const DASHBOARDS: &str = "/app/dashboards";
/// alice's, shared read-only with everyone in the space (server/src/seed/dashboards.rs).
const SOC_OVERVIEW: &str = "/app/dashboards/view/soc-overview";
const PHISHING_TRIAGE: &str = "/app/dashboards/view/phishing-triage";
const DEV_TOOLS: &str = "/app/dev_tools";
const USERS: &str = "/app/management/security/users";
const ROLES: &str = "/app/management/security/roles";
const NEW_ROLE: &str = "/app/management/security/roles/edit";
const EMEA_ROLE: &str = "/app/management/security/roles/edit/soc_emea_analyst";
const ACCESS_OF_EMEA: &str = "/app/access?user=emea_analyst";
const SPACES: &str = "/app/management/kibana/spaces";
const NEW_SPACE: &str = "/app/management/kibana/spaces/create";
const EMEA_SPACE: &str = "/app/management/kibana/spaces/edit/soc-emea";
const SEARCH: &str = "/app/search?q=ransomware";
const SAVED_OBJECTS: &str = "/app/management/kibana/objects";
/// elastic's own sign-in is an event there.
const AUDIT_LOG: &str = "/app/management/security/audit";
const SPACE_SELECTOR: &str = "/spaces/space_selector";
const LOGIN: &str = "/login";

/// Who a row is for when nobody is signed in.
const SIGNED_OUT: &str = "(signed out)";

/// One step of setting a page up, as a user does it.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Open this path (a full page load).
    Open(&'static str),
    /// Wait until the element with this test id shows.
    See(&'static str),
    /// Wait until an element matching this CSS selector shows.
    SeeCss(&'static str),
    /// Click the element with this test id.
    Click(&'static str),
    /// Click the element matching this CSS selector.
    ClickCss(&'static str),
    /// Rest the pointer on the element with this test id (its tooltip opens).
    Hover(&'static str),
    /// Type into the field with this test id.
    Type(&'static str, &'static str),
    /// Type into the field matching this CSS selector.
    TypeCss(&'static str, &'static str),
    /// Pick the option with this value in the select with this test id.
    Choose(&'static str, &'static str),
    /// Wait until a toast says this.
    Toast(&'static str),
}

/// A page as one user sees it after some steps.
struct Page {
    user: &'static str,
    name: &'static str,
    steps: &'static [Step],
}

const fn page(user: &'static str, name: &'static str, steps: &'static [Step]) -> Page {
    Page { user, name, steps }
}

/// Every page of every demo user, grouped by user (one sign-in each). A new page is one line.
#[rustfmt::skip]
const PAGES: &[Page] = &[
    page(SIGNED_OUT, "sign-in", &[Open(LOGIN), SeeCss("#login-username")]),
    page(SIGNED_OUT, "sign-in, wrong password", &[Open(LOGIN), TypeCss("#login-username", "elastic"), TypeCss("#login-password", "not the password"), ClickCss("#login-submit"), See("login-error")]),
    page("leads_no_access_user", "leads, no access", &[Open(LEADS), See("leads-privileges-callout")]),
    page("leads_no_access_user", "leads, no access, Why?", &[Open(LEADS), Click("leads-why-read"), See("why-needed")]),
    page("leads_no_access_user", "users, not granted", &[Open(USERS), See("management-no-permission")]),
    page("leads_no_access_user", "users, not granted, Why?", &[Open(USERS), Click("management-why"), See("why-needed")]),
    page("leads_read_user", "leads, read only", &[Open(LEADS), See("lead-card"), See("leads-privileges-callout")]),
    page("leads_read_user", "leads, read only, Generate's tooltip", &[Open(LEADS), See("lead-card"), Hover("leads-generate")]),
    page("leads_read_user", "leads, read only, a lead open", &[Open(LEADS), ClickCss(".lead-title .link-button"), See("lead-detail")]),
    page("leads_read_user", "leads, read only, Why?", &[Open(LEADS), Click("leads-why-write"), See("why-needed")]),
    page("leads_full_user", "leads, full access", &[Open(LEADS), See("lead-card"), See("leads-connector")]),
    page("leads_full_user", "leads, a lead dismissed, then What changed", &[Open(LEADS), See("lead-card"), Click("lead-dismiss"), Toast("Lead dismissed"), Open(LEADS), See("leads-what-changed-summary"), Click("leads-what-changed-open"), See("leads-what-changed-dialog"), See("changed-lead")]),
    page("leads_full_user", "leads, generation started (success toast)", &[Open(LEADS), Click("leads-generate"), See("toast")]),
    page("leads_full_user", "effective access, own", &[Open("/app/access"), See("access-roles")]),
    page("emea_analyst", "leads in SOC EMEA, DLS-limited", &[Open(EMEA_LEADS), See("lead-card")]),
    page("emea_analyst", "leads in Default, read only", &[Open(LEADS), See("leads-section")]),
    page("emea_analyst", "space selector", &[Open(SPACE_SELECTOR), See("space-card")]),
    page("emea_analyst", "spaces popover", &[Open(EMEA_LEADS), Click("spaces-nav"), See("spaces-popover")]),
    page("emea_analyst", "dashboards in SOC EMEA", &[Open("/s/soc-emea/app/dashboards"), See("dashboard-table")]),
    page("alice", "dashboards list", &[Open(DASHBOARDS), See("dashboard-row")]),
    page("alice", "dashboards, create dialog", &[Open(DASHBOARDS), Click("dashboard-create"), See("dashboard-create-dialog")]),
    page("alice", "dashboards, delete dialog", &[Open(DASHBOARDS), Click("dashboard-delete"), See("dashboard-delete-dialog")]),
    page("alice", "dashboard view", &[Open(SOC_OVERVIEW), See("dashboard-panel"), See("panel-metric")]),
    page("alice", "dashboard view, a panel's query", &[Open(SOC_OVERVIEW), Click("panel-show-query"), See("panel-query")]),
    page("alice", "dashboard, share dialog", &[Open(SOC_OVERVIEW), Click("dashboard-share"), See("share-dialog")]),
    page("alice", "dashboard, share dialog, new owner", &[Open(SOC_OVERVIEW), Click("dashboard-share"), Type("share-owner-search", "bob"), Click("share-owner-option"), See("share-transfer-confirm")]),
    page("alice", "dashboard editor", &[Open(SOC_OVERVIEW), Click("dashboard-edit"), See("dashboard-editor")]),
    page("alice", "dev tools, not granted", &[Open(DEV_TOOLS), See("app-forbidden")]),
    page("alice", "dev tools, not granted, Why?", &[Open(DEV_TOOLS), Click("app-forbidden-why"), See("why-needed")]),
    page("alice", "saved objects, not granted", &[Open(SAVED_OBJECTS), SeeCss("[data-testid=saved-objects-no-permission], [data-testid=management-no-permission], [data-testid=app-forbidden]")]),
    page("bob", "dashboard view, another's", &[Open(SOC_OVERVIEW), See("dashboard-panel")]),
    page("bob", "dashboard view, own", &[Open(PHISHING_TRIAGE), See("dashboard-panel")]),
    page("victor", "dashboards list, read only", &[Open(DASHBOARDS), See("dashboard-row")]),
    page("victor", "dashboards, closed Create's tooltip", &[Open(DASHBOARDS), See("dashboard-row"), Hover("dashboard-create"), SeeCss(".tooltip-open")]),
    page("victor", "effective access, own, Why?", &[Open("/app/access"), Click("access-why"), See("why-needed")]),
    page("elastic", "dev tools", &[Open(DEV_TOOLS), See("console-editor")]),
    page("elastic", "dev tools, a response", &[Open(DEV_TOOLS), Click("console-send"), See("console-status")]),
    page("elastic", "users", &[Open(USERS), See("users-table")]),
    page("elastic", "users, create dialog", &[Open(USERS), Click("user-create"), See("user-form-dialog")]),
    page("elastic", "users, password dialog", &[Open(USERS), Click("user-edit"), Click("user-change-password"), See("user-password-dialog")]),
    page("elastic", "users, confirm dialog", &[Open(USERS), Click("user-delete"), See("user-confirm-dialog")]),
    page("elastic", "roles", &[Open(ROLES), See("roles-table")]),
    page("elastic", "roles, delete dialog", &[Open(ROLES), Click("role-delete"), See("role-delete-dialog")]),
    page("elastic", "role editor, new", &[Open(NEW_ROLE), See("role-editor")]),
    page("elastic", "role editor, a role", &[Open(EMEA_ROLE), See("role-index-row")]),
    page("elastic", "effective access of another user", &[Open(ACCESS_OF_EMEA), See("access-roles")]),
    page("elastic", "saved objects", &[Open(SAVED_OBJECTS), See("saved-object-row")]),
    page("elastic", "saved objects, Export closed", &[Open(SAVED_OBJECTS), See("saved-object-row"), Hover("saved-objects-export")]),
    page("elastic", "saved objects, import dialog", &[Open(SAVED_OBJECTS), See("saved-object-row"), Click("saved-objects-import"), See("saved-objects-import-dialog")]),
    page("elastic", "audit log", &[Open(AUDIT_LOG), See("audit-event")]),
    page("elastic", "audit log, an event open", &[Open(AUDIT_LOG), See("audit-event"), Click("audit-expand"), See("audit-json")]),
    page("elastic", "spaces", &[Open(SPACES), See("spaces-table")]),
    page("elastic", "spaces, delete dialog", &[Open(SPACES), ClickCss("tr[data-space=soc-emea] [data-testid=space-delete]"), See("space-delete-dialog")]),
    page("elastic", "space editor, new", &[Open(NEW_SPACE), See("space-form")]),
    page("elastic", "space editor, a space", &[Open(EMEA_SPACE), See("space-form")]),
    page("elastic", "space editor, refused save (error toast)", &[Open(NEW_SPACE), Type("space-name", "Default"), Click("space-save"), Toast("Could not save space")]),
    page("elastic", "search", &[Open(SEARCH), See("search-result")]),
    page("elastic", "search, preview as", &[Open(SEARCH), Choose("search-preview-as", "victor"), See("search-preview-callout")]),
    page("elastic", "search, a document", &[Open(SEARCH), Click("search-result-open"), See("search-document")]),
    page("elastic", "search, sources", &[Open(SEARCH), Click("search-manage-toggle"), See("sources-manager")]),
    page("elastic", "search, a source", &[Open(SEARCH), Click("search-manage-toggle"), Click("source-open"), See("source-detail")]),
    page("elastic", "search, some documents refused (warning toast)", &[Open(SEARCH), Click("search-manage-toggle"), Click("source-open"), Type("bulk-json", r#"[{"id":"a11y-1","title":"Kept","body":"kept"},{"title":""}]"#), Click("bulk-upload"), Toast("Some documents were not stored")]),
    // Last: the view stays in the tab's storage for every later row of the same browser.
    page("elastic", "viewing as victor, the banner on dashboards", &[Open(USERS), ClickCss("tr[data-username=victor] [data-testid=view-as]"), See("view-as-banner"), Open(DASHBOARDS), See("dashboard-row"), Hover("dashboard-create"), SeeCss(".tooltip-open")]),
];

/// The pages seen again in the dark colour scheme.
const DARK_PAGES: &[&str] = &[
    "sign-in",
    "leads, read only, Generate's tooltip",
    "leads, generation started (success toast)",
    "dashboard view",
    "dashboard, share dialog",
    "users",
    "role editor, a role",
    "space editor, refused save (error toast)",
    "search, preview as",
    "saved objects, import dialog",
    "audit log, an event open",
    // Last: the view stays in the tab's storage.
    "viewing as victor, the banner on dashboards",
];

/// The pages seen at 200 % zoom.
const ZOOMED_PAGES: &[&str] = &[
    "leads, read only",
    "dashboard view",
    "dashboard, share dialog",
    "users",
    "role editor, a role",
    "search, preview as",
    "audit log, an event open",
    // Last: the view stays in the tab's storage.
    "viewing as victor, the banner on dashboards",
];

fn pages_named(names: &[&str]) -> Vec<&'static Page> {
    names
        .iter()
        .map(|name| {
            PAGES
                .iter()
                .find(|p| p.name == *name)
                .unwrap_or_else(|| panic!("no page named {name:?} in PAGES"))
        })
        .collect()
}

/// Signs out whoever is signed in, then in as `user` (nobody for [`SIGNED_OUT`]).
/// Forgetting the session cookie is signing out as far as the next page is concerned, and works
/// whatever the last page left open (a dialog over the header's Sign out).
async fn become_user(b: &Browser, user: &str) -> Result<()> {
    b.driver.delete_all_cookies().await?;
    if user != SIGNED_OUT {
        sign_in_at(b, LOGIN, user).await?;
    }
    Ok(())
}

async fn type_into(b: &Browser, selector: &str, text: &str) -> Result<()> {
    let field = b.wait_for(selector, TIMEOUT).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

async fn take(b: &Browser, step: Step) -> Result<()> {
    match step {
        Open(path) => {
            b.goto(path).await?;
            // The server's first paint hands over to the app before anything is clicked.
            axe::settle(b).await?;
        }
        See(id) => {
            b.wait_for_testid(id, TIMEOUT).await?;
        }
        SeeCss(selector) => {
            b.wait_for(selector, TIMEOUT).await?;
        }
        Click(id) => click_testid(b, id).await?,
        ClickCss(selector) => click(b, selector).await?,
        Hover(id) => {
            let el = b.wait_for_testid(id, TIMEOUT).await?;
            b.driver
                .action_chain()
                .move_to_element_center(&el)
                .perform()
                .await?;
        }
        Type(id, text) => type_into(b, &testid(id), text).await?,
        TypeCss(selector, text) => type_into(b, selector, text).await?,
        Choose(id, value) => {
            let select = b.wait_for_testid(id, TIMEOUT).await?;
            let started = std::time::Instant::now();
            while !select.is_enabled().await? {
                if started.elapsed() > TIMEOUT {
                    bail!("the select {id} never opened");
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            select
                .find(By::Css(format!("option[value=\"{value}\"]")))
                .await
                .with_context(|| format!("{id} offers {value}"))?
                .click()
                .await?;
        }
        Toast(text) => {
            wait_for_text(b, &testid("toast"), text, TIMEOUT).await?;
        }
    }
    Ok(())
}

/// Sets `page` up and returns what is wrong with it, each line naming the page and user.
async fn check(b: &Browser, axe_source: &str, page: &Page, scheme: &str) -> Result<Vec<String>> {
    for step in page.steps {
        take(b, *step)
            .await
            .with_context(|| format!("{} as {}: {step:?}", page.name, page.user))?;
    }
    axe::settle(b).await?;
    let found = axe::violations(b, axe_source).await?;
    // The dark scheme is looked at as well as checked (ARCHITECTURE.md "Accessibility").
    if !found.is_empty() || scheme == "dark" {
        let shot = format!("axe-{scheme}-{}", page.name);
        let _ = b.screenshot(&shot).await;
    }
    let at = b.location().await.unwrap_or_default();
    Ok(found
        .into_iter()
        .map(|v| format!("{} as {} ({scheme}, {at}): {v}", page.name, page.user))
        .collect())
}

/// Every page in `pages`, each user signed in once; fails listing every violation found.
async fn gate(b: &Browser, pages: &[&Page], scheme: &str) -> Result<()> {
    let axe_source = axe::axe_source()?;
    generate_leads(b).await?;
    let mut signed_in: Option<&str> = None;
    let mut failures = Vec::new();
    for page in pages {
        if signed_in != Some(page.user) {
            become_user(b, page.user).await?;
            signed_in = Some(page.user);
        }
        match check(b, &axe_source, page, scheme).await {
            Ok(found) => failures.extend(found),
            Err(error) => {
                let _ = b
                    .screenshot(&format!("axe-{scheme}-setup-{}", page.name))
                    .await;
                failures.push(format!(
                    "{} as {}: the page could not be set up: {error:#}",
                    page.name, page.user
                ));
            }
        }
    }
    println!(
        "# axe ({scheme}): {} pages, {} violations",
        pages.len(),
        failures.len()
    );
    if !failures.is_empty() {
        bail!(
            "{} accessibility violation(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_user_passes_axe() -> Result<()> {
    run(|b| async move {
        let pages: Vec<&Page> = PAGES.iter().collect();
        gate(&b, &pages, "light").await
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dark_theme_passes_axe_with_reduced_motion() -> Result<()> {
    run(|b| async move {
        axe::emulate_media(&b, true, true).await?;
        gate(&b, &pages_named(DARK_PAGES), "dark").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_200_percent_zoom_nothing_is_cut_off() -> Result<()> {
    run(|b| async move {
        generate_leads(&b).await?;
        axe::zoom_200(&b).await?;
        let mut signed_in: Option<&str> = None;
        let mut problems = Vec::new();
        for page in pages_named(ZOOMED_PAGES) {
            if signed_in != Some(page.user) {
                become_user(&b, page.user).await?;
                signed_in = Some(page.user);
            }
            for step in page.steps {
                take(&b, *step).await?;
            }
            axe::settle(&b).await?;
            b.screenshot(&format!("zoom-200-{}", page.name)).await?;
            for problem in axe::clipped(&b).await? {
                problems.push(format!("{} as {}: {problem}", page.name, page.user));
            }
        }
        println!(
            "# zoom 200 %: {} pages, {} cut off",
            ZOOMED_PAGES.len(),
            problems.len()
        );
        if !problems.is_empty() {
            bail!("at 200 % zoom:\n  {}", problems.join("\n  "));
        }
        Ok(())
    })
    .await
}
