//! Small display helpers that need the browser: its clock, its date formatting, its case mapping.

/// "just now", "5 minutes ago", "3 days ago"; the raw text when it is not a date.
pub fn relative_time(iso: &str) -> String {
    let then = js_sys::Date::parse(iso);
    if then.is_nan() {
        return iso.to_string();
    }
    let seconds = ((js_sys::Date::now() - then) / 1000.0).max(0.0) as u64;
    gatehouse_api::apps::relative_time_text(seconds)
}

/// The local date and time, for a `title` next to a relative time.
pub fn local_time(iso: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return iso.to_string();
    }
    // One formatter for all: `toLocaleString` builds a new one on every call, which was a tenth
    // of a page of lead cards' rendering time.
    thread_local! {
        static FORMAT: js_sys::Function = js_sys::Intl::DateTimeFormat::new(
            &js_sys::Array::of1(&"en-GB".into()),
            &date_time_options(),
        )
        .format();
    }
    FORMAT
        .with(|format| format.call1(&wasm_bindgen::JsValue::UNDEFINED, &date))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| iso.to_string())
}

/// `toLocaleString`'s defaults: numeric date and time with seconds.
fn date_time_options() -> js_sys::Object {
    let options = js_sys::Object::new();
    for key in ["year", "month", "day", "hour", "minute", "second"] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &"numeric".into());
    }
    options
}

/// `1 result`, `2 results`: `n` and the word for that many.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The value an `<input type="datetime-local">` shows for the instant `iso`, in the browser's time
/// zone (`2026-12-06T12:30`); empty when `iso` is not an instant.
pub fn local_input_value(iso: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if iso.is_empty() || date.get_time().is_nan() {
        return String::new();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// The instant (ISO-8601, UTC) of a `datetime-local` value, which is the browser's local time: a
/// date and time without a zone are read as local time by `Date`. `None` for an empty or
/// unreadable value.
pub fn instant_of_local_input(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
    if date.get_time().is_nan() {
        return None;
    }
    date.to_iso_string().as_string()
}

/// Text upper-cased by the browser's `toUpperCase`, for the avatars' letters
/// (`gatehouse_api::security::UpperCase`): the same Unicode mapping as `str::to_uppercase`,
/// without Rust's copy of its table in the first download.
pub fn upper_cased(text: &str) -> String {
    String::from(js_sys::JsString::from(text).to_upper_case())
}

/// Text lower-cased for a case-blind search (`name.contains(needle)` with both folded), by the
/// browser's `toLowerCase`: the same Unicode case mapping as `str::to_lowercase`, without Rust's
/// copy of it and its table in the wasm (7.7 KB gzip of the first download: docs/start-set.md).
pub trait SearchFolded {
    fn search_folded(&self) -> String;
}

impl SearchFolded for str {
    fn search_folded(&self) -> String {
        String::from(js_sys::JsString::from(self).to_lower_case())
    }
}
