//! What each fuzz target checks, as plain functions: the targets in `fuzz_targets/` call
//! them under libFuzzer, and the tests below replay every input kept in `regressions/` (each
//! crash a run has found) and `seeds/`, so a fixed crash stays fixed in `cargo xtask test`.

use nps_core::config::{object_from_attributes, Config};
use nps_core::contract::error::FieldError;
use nps_core::contract::json::{duplicate_key, parse_strict};
use nps_core::contract::payload::Response;
use serde_json::Value;

fn named(e: &FieldError) {
    assert!(!e.field.is_empty(), "an error without a field: {e:?}");
    assert!(!e.to_string().is_empty());
}

/// A posted body: parsing never panics, every error names a field, an accepted body reads
/// back as itself and has no repeated key.
pub fn payload(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_strict(text, "body") {
        Ok(v) => match Response::parse(&v) {
            Ok(r) => {
                let again = Response::parse(&Value::Object(r.to_value()));
                assert_eq!(again.as_ref(), Ok(&r), "the canonical form reads back");
                assert_eq!(duplicate_key(&r.to_json()), None);
            }
            Err(e) => named(&e),
        },
        Err(e) => named(&e),
    }
}

/// Config text and `data-*` attributes (one `name=value` a line): validation never panics,
/// every error names a field, and an accepted config builds a context within the limits.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::from_json(text, Some("zh-CN")) {
        Ok(c) => {
            let query = [("store".to_owned(), text.to_owned())];
            assert!(c.context_with_query(&query).len() <= nps_core::contract::rules::MAX_CONTEXT);
        }
        Err(errors) => errors.iter().for_each(named),
    }
    let attrs: Vec<(&str, &str)> = text
        .lines()
        .map(|l| l.split_once('=').unwrap_or((l, "")))
        .collect();
    match object_from_attributes(attrs) {
        Ok(obj) => {
            if let Err(errors) = Config::from_object(&obj, None) {
                errors.iter().for_each(named);
            }
        }
        Err(errors) => errors.iter().for_each(named),
    }
}

/// The duplicate-key scanner on any text: never panics, and finds nothing in JSON that a
/// serializer wrote (it cannot repeat a key).
pub fn json_keys(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = duplicate_key(text);
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        assert_eq!(duplicate_key(&v.to_string()), None, "{v}");
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every file under `dir/<target>` through `check`.
    fn replay(target: &str, check: fn(&[u8])) -> usize {
        let mut n = 0;
        for dir in ["regressions", "seeds"] {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(target);
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for e in entries.flatten() {
                check(&std::fs::read(e.path()).unwrap());
                n += 1;
            }
        }
        n
    }

    #[test]
    fn kept_inputs_still_pass() {
        assert!(replay("payload", super::payload) > 0);
        assert!(replay("config", super::config) > 0);
        assert!(replay("json_keys", super::json_keys) > 0);
    }
}
