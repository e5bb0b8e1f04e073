pub mod admin_roles;
pub mod admin_users;
pub mod dashboard;
pub mod dashboards;
pub mod dev_tools;
pub mod effective_access;
pub mod entity_analytics;
pub mod login;
pub mod not_found;

pub use admin_roles::{RoleEditPage, RolesPage};
pub use admin_users::UsersPage;
pub use dashboard::DashboardPage;
pub use dashboards::DashboardsPage;
pub use dev_tools::DevToolsPage;
pub use effective_access::EffectiveAccessPage;
pub use entity_analytics::EntityAnalyticsPage;
pub use login::LoginPage;
pub use not_found::NotFound;
