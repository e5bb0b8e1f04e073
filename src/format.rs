//! Small display helpers that need the browser clock.

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
