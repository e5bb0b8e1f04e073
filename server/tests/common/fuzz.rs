//! What the property tests share: the runner configuration and the shape of arbitrary JSON.

use proptest::prelude::*;
use proptest::strategy::Union;
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

/// Any JSON scalar, each kind as likely: null, booleans, integers (and finite floats when
/// `floats`), `u64::MAX`, any short text, and the `words` the routes give meaning to.
pub fn json_leaf(words: &'static [&'static str], floats: bool) -> impl Strategy<Value = Value> {
    let mut kinds = vec![
        Just(Value::Null).boxed(),
        any::<bool>().prop_map(Value::Bool).boxed(),
        any::<i64>().prop_map(Value::from).boxed(),
    ];
    if floats {
        let finite = any::<f64>().prop_filter("finite", |f| f.is_finite());
        kinds.push(finite.prop_map(Value::from).boxed());
    }
    kinds.push(Just(Value::from(u64::MAX)).boxed());
    kinds.push("\\PC{0,12}".prop_map(Value::String).boxed());
    kinds.push(
        proptest::sample::select(words)
            .prop_map(Value::from)
            .boxed(),
    );
    Union::new(kinds)
}
