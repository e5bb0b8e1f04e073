//! The SPA unchanged over HTTPS: the server with a certificate of its own (generated for the test),
//! a sign-in and the leads page, and the session cookie marked `Secure`.
//! Needs the built SPA: run with `cargo xtask test`.

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_e2e::{run_with, Options, TIMEOUT};

const LEADS_PAGE: &str = "/app/security/entity_analytics";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_and_opens_the_leads_page_over_https() -> Result<()> {
    let options = Options {
        tls: true,
        ..Options::default()
    };
    run_with(options, |b| async move {
        ensure!(b.base_url.starts_with("https://"), "{}", b.base_url);
        sign_in_at(&b, LEADS_PAGE, "leads_full_user").await?;
        b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
        b.wait_for_testid("leads-section", TIMEOUT)
            .await
            .context("the leads page over HTTPS")?;
        let sid = b
            .driver
            .get_named_cookie("sid")
            .await
            .context("no `sid` cookie after signing in")?;
        ensure!(sid.secure == Some(true), "sid is not Secure: {sid:?}");
        b.assert_no_crash().await?;
        Ok(())
    })
    .await
}
