//! Stack Management: users, roles, the audit log, spaces, saved objects, and the effective access of a user. Each page sits in
//! `components::management`'s shell.

pub mod access;
pub mod audit;
pub mod roles;
pub mod saved_objects;
pub mod spaces;
pub mod users;
