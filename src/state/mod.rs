pub mod console_storage;
pub mod mirror;
pub mod profiles;
pub mod session;
pub mod space;
pub mod toasts;
pub mod view_as;
pub mod web_storage;

pub use mirror::scoped_mirror;
pub use profiles::{expect_profiles, Profiles};
pub use session::{expect_session, Session, SessionStatus};
pub use space::{current_space, space_path};
pub use toasts::{expect_toasts, Toasts};
