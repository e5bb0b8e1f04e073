//! The HTTP side of `bench` and `soak`: which headers a request carries (the SPA's), the signed-in
//! reqwest client both use for their set-up and their soak load, and the bench's raw keep-alive
//! load generator ([`load`]), which sends those same headers.

#[cfg(feature = "bench")]
mod client;
pub mod load;

#[cfg(feature = "bench")]
pub use client::{spa_headers, Client, PASSWORD};
