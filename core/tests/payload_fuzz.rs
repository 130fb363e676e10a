//! No input makes the payload check panic: random bytes, random JSON, and valid bodies with
//! one field replaced by a random value all end in `Ok` or a named-field error.
#![cfg(not(target_arch = "wasm32"))]

use nps_core::contract::payload::{Response, FIELDS};
use proptest::prelude::*;
use serde_json::{json, Value};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_.]{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn valid() -> Value {
    json!({"schema":1,"id":"0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a","survey":"after-sales","stage":"completed",
           "score":2,"category":"detractor","reasons":["wait_time"],"comment":"慢","contact":{"phone":"13812345678","consent":true},
           "context":{"store":"SZ-FT"},"locale":"zh-CN","page":null,"created_at":"2026-11-23T08:30:00.000Z",
           "updated_at":"2026-11-23T08:31:00.000Z"})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            let _ = Response::parse(&v);
        }
    }

    #[test]
    fn random_json(v in any_json()) {
        if let Err(e) = Response::parse(&v) {
            prop_assert!(!e.field.is_empty() && !e.to_string().is_empty());
        }
    }

    #[test]
    fn one_field_replaced(field in prop::sample::select(FIELDS), v in any_json()) {
        let mut body = valid();
        body[field] = v;
        match Response::parse(&body) {
            Ok(r) => prop_assert_eq!(Response::parse(&Value::Object(r.to_value())), Ok(r)),
            Err(e) => prop_assert!(e.field.starts_with(field) || e.field == "score" || e.field == "category", "{} named {}", field, e.field),
        }
    }
}
