//! Stack Management → Security → Roles: the list (with `Reserved` badges) and the role editor
//! (cluster privileges, index privilege rows with field and document security, Kibana
//! privileges per space), with Kibana's texts. The form's checks and body are
//! `gatehouse_api::rules::role_form`, tested natively.

mod check;
mod editor;
mod list;
mod rows;
mod sub_features;

use check::{check_rows, row_element_id, show_row, RowCheck, RowCheckResult, RowChecks};
pub use editor::*;
pub use list::*;
pub use rows::*;
use sub_features::FeaturePrivilegeRows;

use gatehouse_api::admin::{FeatureInfo, KibanaRole};
use gatehouse_api::rules::role_form::*;
use gatehouse_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::expect_api;
use crate::components::spaces::SpaceAvatar;
use crate::components::{
    confirm_action, errors_once_submitted, reloadable, table_rows, unique_id, ConfirmDialog,
    DataTable, FieldError, GuardedButton, LoadError, ManagementPage, NoPermission, NotThere,
    PageHeader, SearchInput, TableSkeleton, TextField,
};
use crate::routes::{role_edit_href, ROLES_PATH, ROLE_CREATE_PATH};
use crate::state::{expect_toasts, space_path};
