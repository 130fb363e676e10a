//! JSON text: the checks a parser leaves out (a key given twice in one object), strict parsing
//! for the collector and for config text, and `obj!` to build objects without fallible calls.
//!
//! JSON parsers keep the last of two equal keys and say nothing; a component that reads the
//! first one and another that reads the last would disagree about one body. So a body or a
//! config with a repeated key is refused, naming the key (`score`, `contact.phone`).
//! `duplicate_key` is a scanner, not a parser: the browser build checks config text with it
//! after the browser's own `JSON.parse`, so the wasm carries no JSON parser.

use serde_json::Value;

use crate::contract::error::{ErrorKind, FieldError};

/// A JSON object from `"key" => value` pairs, each value through `serde_json::Value::from`.
/// Unlike `json!`, nothing is serialised fallibly, so there is nothing to unwrap (and the
/// wasm carries no error formatting for it).
#[macro_export]
macro_rules! obj {
    ($($k:literal => $v:expr),* $(,)?) => {
        $crate::contract::json::object_from(vec![$(($k, serde_json::Value::from($v))),*])
    };
}

/// The object `obj!` builds; one shared body keeps every call site small.
#[inline(never)]
pub fn object_from(pairs: Vec<(&'static str, Value)>) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        m.insert(k.to_owned(), v);
    }
    Value::Object(m)
}

/// Parses JSON text, refusing a key given twice in one object. `field` names the text in
/// errors (`body`, `config`, `headers`).
pub fn parse_strict(text: &str, field: &str) -> Result<Value, FieldError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        FieldError::new(
            field,
            ErrorKind::Syntax {
                reason: e.to_string(),
            },
        )
    })?;
    check_duplicates(text, field)?;
    Ok(value)
}

/// Refuses JSON text (already known to parse) that gives a key twice in one object.
pub fn check_duplicates(text: &str, field: &str) -> Result<(), FieldError> {
    match duplicate_key(text) {
        // Found by fuzzing: an empty key given twice has no path to name; the text does.
        Some(path) if path.is_empty() => Err(FieldError::new(field, ErrorKind::Duplicate)),
        Some(path) if field == "body" || field == "config" => {
            Err(FieldError::new(path, ErrorKind::Duplicate))
        }
        Some(path) => Err(FieldError::new(
            format!("{field}.{path}"),
            ErrorKind::Duplicate,
        )),
        None => Ok(()),
    }
}

/// How a value is reached from the one that holds it. A frame keeps only this step, never
/// its whole path, so a deep body costs time in proportion to its length; the path is put
/// together only for a duplicate found (`path_of`).
enum Step {
    Root,
    Key(String),
    Index(usize),
}

enum Frame {
    /// An object: how it is reached, and the keys seen so far (with the latest).
    Object { step: Step, keys: Keys },
    /// An array: how it is reached, and the index of the current item.
    Array { step: Step, index: usize },
}

/// The path of the innermost frame: `contact`, `reasons[1]`, or "" at the top.
fn path_of(stack: &[Frame]) -> String {
    let mut out = String::new();
    for f in stack {
        match f {
            Frame::Object { step, .. } | Frame::Array { step, .. } => match step {
                Step::Root => {}
                Step::Key(k) => out = join(&out, k),
                Step::Index(n) => out = format!("{out}[{n}]"),
            },
        }
    }
    out
}

/// The keys of one object seen so far, and the latest. Natively (the collector, which reads
/// what anyone posts) a hash set with the standard library's keyed hasher, so a body of
/// thousands of keys costs time in proportion to its length and no choice of keys makes it
/// slower. In the browser (a page's own config text, a few dozen keys) a list, which keeps a
/// hasher out of the widget's wasm.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Default)]
struct Keys {
    set: std::collections::HashSet<String>,
    last: String,
}

#[cfg(not(target_arch = "wasm32"))]
impl Keys {
    fn contains(&self, key: &str) -> bool {
        self.set.contains(key)
    }

    fn push(&mut self, key: String) {
        self.set.insert(key.clone());
        self.last = key;
    }

    fn last(&self) -> Option<&String> {
        Some(&self.last)
    }
}

#[cfg(target_arch = "wasm32")]
type Keys = Vec<String>;

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The path of the first key given twice in one object (`score`, `contact.phone`,
/// `reasons[1].id`), or `None`. Text that is not JSON gives `None` or a harmless path; it
/// never panics.
pub fn duplicate_key(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    // Within an object, the next string is a key.
    let mut key_next = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let (s, end) = read_string(text, i)?;
                i = end;
                if key_next {
                    if let Some(Frame::Object { keys, .. }) = stack.last() {
                        if keys.contains(&s) {
                            return Some(join(&path_of(&stack), &s));
                        }
                    }
                    if let Some(Frame::Object { keys, .. }) = stack.last_mut() {
                        keys.push(s);
                    }
                    key_next = false;
                }
                continue;
            }
            b'{' | b'[' => {
                let step = match stack.last() {
                    None => Step::Root,
                    Some(Frame::Object { keys, .. }) => {
                        Step::Key(keys.last().cloned().unwrap_or_default())
                    }
                    Some(Frame::Array { index, .. }) => Step::Index(*index),
                };
                if b[i] == b'{' {
                    stack.push(Frame::Object {
                        step,
                        keys: Keys::default(),
                    });
                    key_next = true;
                } else {
                    stack.push(Frame::Array { step, index: 0 });
                }
            }
            b'}' | b']' => {
                stack.pop();
                key_next = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { .. }) => key_next = true,
                Some(Frame::Array { index, .. }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    None
}

/// The string starting at the quote at `start`, unescaped, and the index after its closing
/// quote; `None` if it is not closed.
fn read_string(text: &str, start: usize) -> Option<(String, usize)> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = start + 1;
    let mut run = i;
    while i < b.len() {
        match b[i] {
            b'"' => {
                out.push_str(text.get(run..i)?);
                return Some((out, i + 1));
            }
            b'\\' => {
                out.push_str(text.get(run..i)?);
                let esc = *b.get(i + 1)?;
                i += 2;
                match esc {
                    b'u' => {
                        let unit = hex4(text, i)?;
                        i += 4;
                        let c = if (0xD800..0xDC00).contains(&unit)
                            && text.get(i..i + 2) == Some("\\u")
                        {
                            match hex4(text, i + 2) {
                                Some(low @ 0xDC00..=0xDFFF) => {
                                    i += 6;
                                    char::from_u32(
                                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00),
                                    )
                                }
                                _ => None,
                            }
                        } else {
                            char::from_u32(unit)
                        };
                        out.push(c.unwrap_or('\u{FFFD}'));
                    }
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    other => out.push(other as char),
                }
                run = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn hex4(text: &str, at: usize) -> Option<u32> {
    u32::from_str_radix(text.get(at..at + 4)?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_with_their_path() {
        let check = |text: &str, want: Option<&str>| {
            assert_eq!(duplicate_key(text).as_deref(), want, "{text}")
        };
        check(r#"{"score": 3, "score": 9}"#, Some("score"));
        check(r#"{"score": 3, "comment": "score", "x": 1}"#, None);
        check(
            r#"{"contact": {"phone": "1", "phone": "2"}}"#,
            Some("contact.phone"),
        );
        check(r#"{"a": {"b": 1}, "c": {"b": 2}}"#, None);
        check(
            r#"{"reasons": [{"id": "a"}, {"id": "b", "id": "c"}]}"#,
            Some("reasons[1].id"),
        );
        check(r#"{"a\u0062": 1, "ab": 2}"#, Some("ab"));
        check(r#"{"\"": 1, "\u0022": 2}"#, Some("\""));
        check(r#"{"😀": 1, "\ud83d\ude00": 2}"#, Some("😀"));
        check(r#"{"k": "{\"k\": 1, \"k\": 2}"}"#, None);
        check(r#"[{"a": 1}, {"a": 1}]"#, None);
        check(r#"{"a": [1, {"a": 2}], "b": 3}"#, None);
        check(r#"{"a": 1, "b": {}, "a": 2}"#, Some("a"));
        check("[]", None);
    }

    /// Regression: the check compared each key with every earlier one, so one 64 KiB body of
    /// 6,553 keys cost 33 ms of CPU. The figures before and after are in
    /// docs/PERFORMANCE.md (`cargo bench -p nps-core --bench json_keys`); here, that a
    /// body of that many keys is still read exactly: a repeat anywhere is found and named.
    #[test]
    fn a_deep_body_under_a_long_key_is_checked_exactly() {
        let long = "k".repeat(20_000);
        let arrays = vec!["[]"; 5_000].join(",");
        let fine = format!("{{\"{long}\":[{arrays},{{\"a\":1}}]}}");
        assert_eq!(duplicate_key(&fine), None);
        let twice =
            format!("{{\"{long}\":[{arrays},{{\"a\":1,\"b\":[{{\"c\":1,\"c\":2}}],\"a\":3}}]}}");
        assert_eq!(
            duplicate_key(&twice),
            Some(format!("{long}[5000].b[0].c")),
            "the first duplicate, with its whole path"
        );
    }

    #[test]
    fn thousands_of_keys_are_checked_exactly() {
        let keys: Vec<String> = (0..6_552).map(|i| format!("\"k{i:04}\":0")).collect();
        let object = |extra: &str| format!("{{{}{extra}}}", keys.join(","));
        assert_eq!(duplicate_key(&object("")), None);
        assert_eq!(
            duplicate_key(&object(",\"k6551\":1")).as_deref(),
            Some("k6551")
        );
        assert_eq!(
            duplicate_key(&object(",\"k0000\":1")).as_deref(),
            Some("k0000")
        );
        let nested = format!(
            "{{\"a\": {}, \"b\": {}}}",
            object(""),
            object(",\"k3000\":2")
        );
        assert_eq!(duplicate_key(&nested).as_deref(), Some("b.k3000"));
        assert!(parse_strict(&object(""), "body").is_ok());
        // The first repeat in the text is the one named, as before.
        assert_eq!(
            duplicate_key(r#"{"a": 1, "b": {"c": 1, "c": 2}, "a": 2}"#).as_deref(),
            Some("b.c")
        );
    }

    #[test]
    fn text_that_is_not_json_never_panics() {
        for junk in [
            "",
            "\"",
            "{\"",
            "{\"a\\",
            "{\"a\\u12",
            "}}]]",
            "{\"\\ud800\":1}",
            "é\"é",
        ] {
            let _ = duplicate_key(junk);
        }
    }

    #[test]
    fn strict_parsing_names_the_key() {
        let e = parse_strict(r#"{"score": 3, "score": 9}"#, "body").unwrap_err();
        assert_eq!(
            (e.field.as_str(), &e.kind),
            ("score", &ErrorKind::Duplicate)
        );
        let e = parse_strict(r#"{"X-A": "1", "X-A": "2"}"#, "headers").unwrap_err();
        assert_eq!(e.field, "headers.X-A");
        let e = parse_strict(r#"{"": 1, "": 2}"#, "body").unwrap_err();
        assert_eq!(e.field, "body", "an empty key has no name to give");
        let e = parse_strict("{", "config").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Syntax { .. }), "{e:?}");
        assert!(parse_strict(r#"{"a": 1}"#, "body").is_ok());
    }
}
