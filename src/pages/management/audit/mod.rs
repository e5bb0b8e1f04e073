//! Stack Management → Security → Audit log: the events the server recorded (docs/audit-log.md),
//! filtered by a bar whose values live in the URL (so a link or a reload shows the same events),
//! a page at a time, newest first; each row opens to the full event as JSON, and "Download as
//! ndjson" saves every event of the filter. What the filters ask the API, the line a row shows and
//! where its links go are `gatehouse_api::audit_page`, tested natively.

mod detail;
mod filters;
mod list;

pub use detail::*;
pub use filters::*;
pub use list::*;

use gatehouse_api::audit::may_read_audit_log;
use gatehouse_api::audit_page::texts;
use leptos::prelude::*;

use crate::components::{ManagementPage, NoPermission};
use crate::state::expect_session;

/// `/app/management/security/audit`: Stack Management's guard, then the log for those whose roles
/// grant `read_security` (the capability `management.security.audit_log`) and the reason for
/// everyone else, as the Users page gives it.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let session = expect_session();
    let allowed = move || may_read_audit_log(&session.capabilities());
    view! {
        <ManagementPage>
            <Show when=allowed fallback=|| view! { <NotGranted /> }>
                <AuditLogList />
            </Show>
        </ManagementPage>
    }
}

#[component]
fn NotGranted() -> impl IntoView {
    view! {
        <header class="page-header">
            <h1>{texts::TITLE}</h1>
            <p class="muted">{texts::SUBTITLE}</p>
        </header>
        <section class="panel">
            <NoPermission what="the audit log" verb="read" />
        </section>
    }
}
