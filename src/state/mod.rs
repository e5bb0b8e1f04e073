pub mod profiles;
pub mod session;
pub mod toasts;

pub use profiles::{expect_profiles, Profiles};
pub use session::{expect_session, Session, SessionStatus};
pub use toasts::{expect_toasts, Toasts};
