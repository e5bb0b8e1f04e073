//! Administration in a real browser against the real server: an administrator creates a role
//! and a user in the UI, the user signs in and sees read-only leads, the effective-access view
//! names the role behind each grant, a denial explains itself ("Why?"), and taking the role
//! away closes the user's open page within seconds, without a reload.

use std::time::Duration;

mod common;

use anyhow::{ensure, Context, Result};
use common::*;

use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const ROLE: &str = "hunt_reader";
const USER: &str = "hana";
const USER_PASSWORD: &str = "hunter-2-pass";
const LEADS_PAGE: &str = "/app/security/entity_analytics";
/// The SPA rechecks privileges every 5 s while the tab is visible.
const LIVE_DOWNGRADE: Duration = Duration::from_secs(5);

async fn type_into(b: &Browser, selector: &str, text: &str) -> Result<()> {
    let field = b.wait_for(selector, TIMEOUT).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

async fn sign_out(b: &Browser) -> Result<()> {
    click_testid(b, "sign-out").await?;
    b.wait_for("#login-username", TIMEOUT).await?;
    Ok(())
}

/// elastic builds `hunt_reader` (read on the leads index, Kibana `Read` in every space) in the
/// role editor, then creates `hana` with it in the user form.
async fn admin_creates_role_and_user(b: &Browser) -> Result<()> {
    sign_in_at(b, "/app/management/security/roles", "elastic").await?;
    click_testid(b, "role-create").await?;
    type_into(b, &testid("role-name"), ROLE).await?;
    // A new role starts with one empty index row.
    type_into(
        b,
        &testid("role-index-names"),
        ".entity_analytics.entity-leads-*",
    )
    .await?;
    click(
        b,
        &format!("{} input[value=read]", testid("role-index-privileges")),
    )
    .await?;
    click_testid(b, "role-add-space").await?;
    // The radios are styled as a segmented control: click the `Read` segment (All, Read, Customize).
    click(
        b,
        &format!("{} label.segment:nth-child(2)", testid("role-space-row")),
    )
    .await?;
    b.screenshot("admin-role-editor").await?;
    click_testid(b, "role-save").await?;
    b.wait_for(
        &format!("{}[data-role={ROLE}]", testid("role-row")),
        TIMEOUT,
    )
    .await
    .context("the roles list shows the new role after saving")?;

    b.goto("/app/management/security/users").await?;
    click_testid(b, "user-create").await?;
    type_into(b, &testid("user-username"), USER).await?;
    type_into(b, &testid("user-full-name"), "Hana Hunter").await?;
    type_into(b, &testid("user-password"), USER_PASSWORD).await?;
    type_into(b, &testid("user-confirm-password"), USER_PASSWORD).await?;
    b.wait_for(&format!("{}[value={ROLE}]", testid("user-role")), TIMEOUT)
        .await
        .context("the new role is offered in the user form")?
        .click()
        .await?;
    click_testid(b, "user-form-submit").await?;
    b.wait_for(
        &format!("{}[data-username={USER}]", testid("user-row")),
        TIMEOUT,
    )
    .await
    .context("the new user is listed")?;

    // The administrator's effective-access view names the role behind hana's leads read.
    b.goto(&format!("/app/access?user={USER}")).await?;
    let read_row = b
        .wait_for(
            &format!("{}[data-privilege=read]", testid("access-data-row")),
            TIMEOUT,
        )
        .await?;
    let text = read_row.text().await?;
    ensure!(
        text.contains('✓') && text.contains(ROLE),
        "read on leads comes from {ROLE}: {text:?}"
    );
    let write_row = b
        .wait_for(
            &format!("{}[data-privilege=write]", testid("access-data-row")),
            TIMEOUT,
        )
        .await?;
    ensure!(write_row.text().await?.contains('✕'), "no write on leads");
    let security = b
        .wait_for(
            &format!(
                "{}[data-feature=securitySolution]",
                testid("access-feature")
            ),
            TIMEOUT,
        )
        .await?;
    let text = security.text().await?;
    ensure!(
        text.contains("Read") && text.contains(ROLE),
        "Security is Read via {ROLE}: {text:?}"
    );
    b.screenshot("admin-effective-access").await?;
    sign_out(b).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_grants_read_in_the_ui_and_a_removed_role_closes_the_open_page() -> Result<()> {
    run(|b| async move {
        admin_creates_role_and_user(&b).await?;

        // hana signs in with the password the admin set and sees leads, read-only.
        b.goto(LEADS_PAGE).await?;
        b.login(USER, USER_PASSWORD).await?;
        b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        let generate = b.wait_for_testid("leads-generate", TIMEOUT).await?;
        ensure!(
            generate.attr("aria-disabled").await?.as_deref() == Some("true"),
            "Generate is closed to a read-only user"
        );
        b.wait_for_testid("leads-missing-write", TIMEOUT).await?;

        // "Why?" names her role as checked and the role that would grant write.
        click_testid(&b, "leads-why-write").await?;
        let roles = b.wait_for_testid("why-roles", TIMEOUT).await?;
        let text = roles.text().await?;
        ensure!(text.contains(ROLE) && text.contains("no"), "her role is listed as not granting write: {text:?}");
        // She may not read roles, so other roles are not named: only what to ask an administrator for.
        let ask = text_of(&b, "why-ask").await?;
        ensure!(ask.contains("administrator"), "what to ask for: {ask:?}");
        ensure!(count(&b, &testid("why-granting")).await? == 0, "no other roles named to her");
        let snippet = text_of(&b, "why-snippet").await?;
        ensure!(snippet.contains("leads_full_access"), "the role body to ask for: {snippet:?}");
        b.screenshot("admin-user-why").await?;
        b.press_escape().await?;

        // The admin takes the role away elsewhere; her open page hides the section by itself.
        let admin = api_session(&b, "elastic").await?;
        api_write(
            admin.post(b.url(&format!("/internal/security/users/{USER}"))),
            &serde_json::json!({ "username": USER, "roles": [], "full_name": "Hana Hunter", "enabled": true }),
            "admin removes the role",
        )
        .await?;
        let took = wait_until("the leads section to close", LIVE_DOWNGRADE + Duration::from_secs(5), || async {
            Ok(count(&b, &testid("leads-section")).await? == 0)
        })
        .await?;
        println!("leads section closed {took:?} after the role was removed");
        ensure!(
            b.path().await? != "/login",
            "the page reacted without sending her back to the login page"
        );
        b.screenshot("admin-user-after-removal").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_management_is_told_why_and_sees_their_own_access() -> Result<()> {
    run(|b| async move {
        sign_in_at(&b, "/app/management/security/users", "alice").await?;
        b.wait_for_testid("app-forbidden", TIMEOUT).await?;
        click_testid(&b, "app-forbidden-why").await?;
        let needed = text_of(&b, "why-needed").await?;
        ensure!(
            needed.contains("management"),
            "names the feature: {needed:?}"
        );
        let roles = text_of(&b, "why-roles").await?;
        ensure!(
            roles.contains("dashboard_editor"),
            "her role was checked: {roles:?}"
        );
        let snippet = text_of(&b, "why-snippet").await?;
        ensure!(
            snippet.starts_with("PUT kbn:/api/security/role/"),
            "a Kibana role fix: {snippet:?}"
        );
        b.press_escape().await?;

        // Her own effective access, from the user menu: Dashboard All via dashboard_editor.
        click_testid(&b, "user-menu").await?;
        let dashboard = b
            .wait_for(
                &format!("{}[data-feature=dashboard]", testid("access-feature")),
                TIMEOUT,
            )
            .await?;
        let text = dashboard.text().await?;
        ensure!(
            text.contains("All") && text.contains("dashboard_editor"),
            "{text:?}"
        );
        ensure!(
            count(&b, &testid("access-user")).await? == 0,
            "no user picker without read_security"
        );
        Ok(())
    })
    .await
}
