//! Many short-lived readers of one long-lived signal.
//!
//! Leptos 0.8 leaves a disposed effect in the subscriber set of every signal it read, as a weak
//! reference that keeps the effect's allocation alive, until that subscriber set is cleared. A
//! page of 100 lead cards that each read the section's access signal left about 300 dead effects
//! (32 KB of wasm memory) behind on every page switch, found by `cargo xtask bench` (BENCHMARKS.md).
//! A scoped mirror is one memo that the readers subscribe to instead; it takes itself out of the
//! source's subscribers when its owner is cleaned up, so the readers' leftovers go with it.

use leptos::prelude::*;
use leptos::reactive::graph::{Source, ToAnySubscriber};

/// `source`, read through a memo that lives as long as the current owner (a list, a page of
/// cards) and leaves nothing subscribed to `source` when that owner goes.
pub fn scoped_mirror<T>(source: RwSignal<T>) -> Signal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let mirror = ArcMemo::new(move |_| source.get());
    let subscriber = mirror.to_any_subscriber();
    on_cleanup(move || source.remove_subscriber(&subscriber));
    Signal::from(mirror)
}
