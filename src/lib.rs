//! Gatehouse SPA: a privilege-aware security console. See ARCHITECTURE.md.

pub mod api;
pub mod app;
pub mod components;
pub mod first_paint;
pub mod format;
pub mod lazy_dialogs;
pub mod lazy_routes;
pub mod pages;
pub mod routes;
pub mod state;

pub use app::App;
#[cfg(all(target_arch = "wasm32", feature = "heap-meter"))]
pub use heap_meter::heap_live_bytes;

/// Entry point of the browser build.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| {
        leptos::view! { <App transport=api::browser_transport() /> }
    });
    first_paint::release_at_the_latest();
}

/// Bytes the wasm heap has handed out and not had back: the allocator's own count, read by
/// `cargo xtask bench` (memory: BENCHMARKS.md section 6). Wasm memory itself never shrinks, so it shows the
/// allocator's peak and the spread of its free blocks; this shows what the app still holds.
/// Only in builds with the feature `heap-meter` (the bench's): every other build keeps the plain
/// allocator, without the bookkeeping on each allocation or the export.
#[cfg(all(target_arch = "wasm32", feature = "heap-meter"))]
mod heap_meter {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct CountingAllocator;

    static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

    // SAFETY: every call goes to `System` with the caller's own arguments; the count is only
    // bookkeeping beside it.
    unsafe impl GlobalAlloc for CountingAllocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if !ptr.is_null() {
                LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let moved = unsafe { System.realloc(ptr, layout, new_size) };
            if !moved.is_null() {
                LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
                LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
            }
            moved
        }
    }

    #[global_allocator]
    static ALLOCATOR: CountingAllocator = CountingAllocator;

    /// See the module: exported to the page as `heap_live_bytes` on the wasm exports.
    #[wasm_bindgen::prelude::wasm_bindgen]
    pub fn heap_live_bytes() -> usize {
        LIVE_BYTES.load(Ordering::Relaxed)
    }
}
