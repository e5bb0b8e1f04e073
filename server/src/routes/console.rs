//! Dev Tools console proxy (contract §7.3): placeholder, filled in below.
