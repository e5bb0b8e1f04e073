//! The app's pages, one folder per feature: each holds its list, editor and form in files of
//! their own.

pub mod dashboards;
pub mod dev_tools;
pub mod leads;
pub mod login;
pub mod management;
pub mod not_found;
pub mod search;
pub mod space_selector;

pub use dashboards::{DashboardPage, DashboardsPage};
pub use dev_tools::DevToolsPage;
pub use leads::EntityAnalyticsPage;
pub use login::LoginPage;
pub use management::access::EffectiveAccessPage;
pub use management::audit::AuditLogPage;
pub use management::roles::{RoleEditPage, RolesPage};
pub use management::saved_objects::SavedObjectsPage;
pub use management::spaces::{SpaceCreatePage, SpaceEditPage, SpacesManagementPage};
pub use management::users::UsersPage;
pub use not_found::NotFound;
pub use search::SearchPage;
pub use space_selector::SpaceSelectorPage;
