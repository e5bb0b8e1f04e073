//! The Dashboards app: the list (search, create, delete) and one dashboard's view and editor.

mod list;
mod view;

pub use list::*;
pub use view::*;
