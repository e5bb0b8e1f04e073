//! The Dashboards app: the list (search, create, delete) and one dashboard's view and editor.

mod editor;
mod list;
mod panel_form;
mod panels;
mod view;

pub use list::*;
pub use panels::{PanelCard, PanelData, PanelKind};
pub use view::*;
