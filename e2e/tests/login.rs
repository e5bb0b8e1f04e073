//! Sign-in, sign-out and session-cookie behaviour in a real browser against the real server.
//! Needs the built SPA: run with `cargo xtask test`.

use std::time::Duration;

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, PASSWORD, TIMEOUT};

/// The session cookie the browser holds after signing in.
async fn sid_cookie(b: &Browser) -> Result<Cookie> {
    b.driver
        .get_named_cookie("sid")
        .await
        .context("no `sid` cookie after signing in")
}

async fn sign_out(b: &Browser) -> Result<()> {
    click_testid(b, "sign-out").await?;
    b.wait_for_path("/login", TIMEOUT).await?;
    b.wait_for("#login-username", TIMEOUT).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_password_lands_in_the_app_with_the_users_name_in_the_header() -> Result<()> {
    run(|b| async move {
        b.goto("/login").await?;
        let menu = b.sign_in("alice").await?;
        let name = menu.text().await?;
        ensure!(
            name.contains("Alice Analyst"),
            "user-menu shows {name:?}, expected Alice's full name"
        );
        let path = b.path().await?;
        ensure!(path.starts_with("/app/"), "signed in but at {path}");
        ensure!(
            !b.is_shown("#login-username").await?,
            "login form still shown"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_password_shows_an_alert_and_stays_on_login() -> Result<()> {
    run(|b| async move {
        b.goto("/login").await?;
        b.login("elastic", "not-the-password").await?;
        let alert = b.wait_for_testid("login-error", TIMEOUT).await?;
        ensure!(
            alert.attr("role").await?.as_deref() == Some("alert"),
            "login-error is not role=alert"
        );
        ensure!(
            !alert.text().await?.trim().is_empty(),
            "login-error has no text"
        );
        let path = b.path().await?;
        ensure!(path == "/login", "a bad password navigated to {path}");
        ensure!(
            !b.is_shown(&testid("user-menu")).await?,
            "user-menu shown after a bad password"
        );
        ensure!(
            b.driver.get_named_cookie("sid").await.is_err(),
            "a bad password set a session cookie"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_httponly_and_samesite_strict() -> Result<()> {
    run(|b| async move {
        sign_in_at(&b, "/login", "elastic").await?;
        let sid = sid_cookie(&b).await?;
        ensure!(sid.http_only == Some(true), "sid is not HttpOnly: {sid:?}");
        ensure!(
            sid.same_site == Some(SameSite::Strict),
            "sid is not SameSite=Strict: {sid:?}"
        );
        ensure!(!sid.value.is_empty(), "sid is empty");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_returns_to_login_and_ends_the_session() -> Result<()> {
    run(|b| async move {
        sign_in_at(&b, "/login", "elastic").await?;
        let old = sid_cookie(&b).await?;

        sign_out(&b).await?;

        // The app is closed to the signed-out browser…
        b.goto("/app/dashboards").await?;
        b.wait_for_path("/login", TIMEOUT)
            .await
            .context("signed out, /app/dashboards did not redirect to /login")?;

        // …and the old session id no longer works either (revoked on the server, not just
        // forgotten by the browser).
        let mut replay = Cookie::new("sid", old.value.clone());
        replay.set_path("/");
        replay.set_http_only(true);
        replay.set_same_site(SameSite::Strict);
        b.driver.add_cookie(replay).await?;
        b.goto("/app/dashboards").await?;
        b.wait_for_path("/login", TIMEOUT)
            .await
            .context("the signed-out session id still opened /app/dashboards")?;
        b.wait_for("#login-username", TIMEOUT).await?;
        ensure!(
            !b.is_shown(&testid("user-menu")).await?,
            "user-menu shown with a revoked session"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_link_while_signed_out_returns_there_after_login() -> Result<()> {
    run(|b| async move {
        b.goto("/app/dashboards").await?;
        let at = b.wait_for_path("/login", TIMEOUT).await?;
        ensure!(
            at.contains("next="),
            "redirected to {at}, expected a `next` parameter"
        );
        b.sign_in("elastic").await?;
        b.wait_for_path("/app/dashboards", TIMEOUT)
            .await
            .context("after login the app did not return to /app/dashboards")?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_shell_screenshots() -> Result<()> {
    run(|b| async move {
        for user in [
            "elastic",
            "leads_full_user",
            "leads_read_user",
            "leads_no_access_user",
        ] {
            b.driver.delete_all_cookies().await?;
            b.goto("/login").await?;
            b.login(user, PASSWORD).await?;
            let menu = b
                .wait_for_testid("user-menu", TIMEOUT)
                .await
                .with_context(|| format!("signing in as {user}"))?;
            ensure!(
                !menu.text().await?.trim().is_empty(),
                "{user}: empty user-menu"
            );
            // Let capability-driven nav and the landing page's first fetch settle.
            tokio::time::sleep(Duration::from_millis(750)).await;
            b.screenshot(&format!("shell-{user}")).await?;
        }
        Ok(())
    })
    .await
}
