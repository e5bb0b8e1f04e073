//! The page's one privileges callout: every privilege the leads page lacks, one line each with its
//! "Why?" (`gatehouse_api::leads_page::missing_privileges`, docs/leads.md "The leads page"). It
//! stands where a hidden part would be, so "hidden for privileges" never looks like "no data".

use gatehouse_api::access::Requirement;
use gatehouse_api::leads::texts;
use gatehouse_api::leads_page::{callout_intro, MissingPrivilege, PagePart};
use leptos::prelude::*;

/// The callout, while `lines` has any; a "Why?" sets `why` (and `why_part`, for its title). The
/// server's first paint draws the same (`server/src/leads/first_paint.rs`).
#[component]
pub(super) fn PrivilegesCallout(
    lines: Memo<Vec<MissingPrivilege>>,
    why: RwSignal<Option<Requirement>>,
    why_part: RwSignal<Option<PagePart>>,
) -> impl IntoView {
    move || {
        (!lines.with(Vec::is_empty)).then(|| {
            view! {
                <div class="callout callout-warning privileges-callout" role="region" aria-label="Missing privileges" data-testid="leads-privileges-callout">
                    <p class="callout-title">{texts::INSUFFICIENT_PRIVILEGES}</p>
                    <p class="small">{move || lines.with(|lines| callout_intro(lines))}</p>
                    <ul class="privilege-lines">
                        {move || lines.get().into_iter().map(|line| {
                            let key = line.part.key();
                            let requirement = line.requirement.clone();
                            let part = line.part;
                            view! {
                                <li data-testid=format!("leads-missing-{key}")>
                                    <strong>{line.part.consequence()}</strong>" "
                                    <span>{line.missing_text()}</span>" "
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid=format!("leads-why-{key}")
                                        on:click=move |_| {
                                            why_part.set(Some(part));
                                            why.set(Some(requirement.clone()));
                                        }
                                    >"Why?"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// The "Why?" dialog's title for the line that opened it.
pub(super) fn why_title(part: Option<PagePart>) -> String {
    part.unwrap_or(PagePart::ReadLeads).why_title().to_string()
}
