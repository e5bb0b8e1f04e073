use leptos::prelude::*;

#[component]
pub fn DashboardsPage() -> impl IntoView {
    view! {
        <div class="page">
            <header class="page-header">
                <h1>"Dashboards"</h1>
                <p class="muted">"Shared views of your security data."</p>
            </header>
            <section class="panel empty-state" data-testid="dashboards-unavailable">
                <h2>"Dashboards are not available yet"</h2>
                <p class="muted">"This Gatehouse server does not serve dashboards yet."</p>
            </section>
        </div>
    }
}
