//! The SPA runs under the server's Content-Security-Policy (every test fails on a violation, see
//! `gatehouse_e2e::run`); this test shows the policy is enforced and that a violation is seen:
//! a script injected into the page does not run, and the console reports it.

use anyhow::{ensure, Result};
use gatehouse_e2e::{run, TIMEOUT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_inline_script_is_refused_and_the_refusal_is_seen() -> Result<()> {
    run(|b| async move {
        b.goto("/login").await?;
        b.wait_for("#login-username", TIMEOUT).await?;
        ensure!(
            b.take_csp_violations().await?.is_empty(),
            "the sign-in page itself broke the policy"
        );
        // What an HTML injection would add: an inline script (the driver's own script is not
        // the page's, so it is not subject to the policy).
        let ran = b
            .driver
            .execute(
                "const s = document.createElement('script');
                 s.textContent = 'window.injected = true';
                 document.head.appendChild(s);
                 return window.injected === true;",
                vec![],
            )
            .await?
            .convert::<bool>()?;
        ensure!(!ran, "an injected inline script ran");
        let mut seen = Vec::new();
        for _ in 0..20 {
            seen = b.take_csp_violations().await?;
            if !seen.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        ensure!(
            seen.iter().any(|e| e.message.contains("inline script")),
            "the console reports the refused script: {seen:?}"
        );
        Ok(())
    })
    .await
}
