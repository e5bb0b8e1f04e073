//! Stack Management: users, roles, spaces, and the effective access of a user. Each page sits in
//! `components::management`'s shell.

pub mod access;
pub mod roles;
pub mod spaces;
pub mod users;
