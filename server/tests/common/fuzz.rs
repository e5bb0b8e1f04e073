//! What the property tests share: the runner configuration and the shape of arbitrary JSON.

use proptest::prelude::*;
use proptest::test_runner::Config as PropConfig;
use serde_json::Value;

/// `cases` runs, and no failure files written into the source tree.
pub fn config(cases: u32) -> PropConfig {
    PropConfig {
        cases,
        failure_persistence: None,
        ..PropConfig::default()
    }
}

/// Arbitrary JSON built from `leaf` values: arrays, and objects whose keys are mostly `keys` (the
/// field names the routes read, so generated objects reach past the first type error).
pub fn json_tree(
    leaf: impl Strategy<Value = Value> + 'static,
    keys: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        3 => proptest::sample::select(keys).prop_map(str::to_string),
                        1 => "\\PC{0,6}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}
