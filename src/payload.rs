//! The response payload, schema 1: what the widget posts and what a collector accepts.
//!
//! The widget builds a `Response` and serialises it; a collector calls `Response::parse`,
//! which checks every field and names the first bad one. `id` is the idempotency key:
//! every post of one response carries the same id, and `Stage::rank` orders the posts
//! so a late-arriving earlier stage never overwrites a later one.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::score::{self, Category};

/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 1000;
/// Most reasons one response may carry.
pub const MAX_REASONS: usize = 20;
/// Most context keys.
pub const MAX_CONTEXT: usize = 20;
/// Longest id-like string (survey, reason ids, context keys).
pub const MAX_ID: usize = 64;
/// Longest context value.
pub const MAX_CONTEXT_VALUE: usize = 200;
/// Longest page URL.
pub const MAX_PAGE: usize = 2048;

/// How far a response has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// A score was chosen; posted at once.
    Scored,
    /// Closed before finishing (with or without a score).
    Dismissed,
    /// Reasons, comment and contact given, or skipped.
    Completed,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Scored => "scored",
            Stage::Dismissed => "dismissed",
            Stage::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        match s {
            "scored" => Some(Stage::Scored),
            "dismissed" => Some(Stage::Dismissed),
            "completed" => Some(Stage::Completed),
            _ => None,
        }
    }

    /// Order of precedence: a post of a lower rank never replaces a higher one.
    pub fn rank(self) -> u8 {
        match self {
            Stage::Scored => 0,
            Stage::Dismissed => 1,
            Stage::Completed => 2,
        }
    }
}

/// A phone number left for a call-back, with the customer's consent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// E.164.
    pub phone: String,
    /// Always true: a phone is never sent without consent.
    pub consent: bool,
}

/// One response, schema 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub schema: u32,
    pub id: String,
    pub survey: String,
    pub stage: Stage,
    pub score: Option<u8>,
    pub category: Option<&'static str>,
    pub reasons: Vec<String>,
    pub comment: Option<String>,
    pub contact: Option<Contact>,
    pub context: BTreeMap<String, String>,
    pub locale: String,
    pub page: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The first thing wrong with a posted body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadError {
    /// The field, e.g. `score` or `contact.phone`; `body` for the whole body.
    pub field: String,
    pub message: String,
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PayloadError {}

/// The fields of schema 1, in the order the payload lists them.
pub const FIELDS: &[&str] = &[
    "schema",
    "id",
    "survey",
    "stage",
    "score",
    "category",
    "reasons",
    "comment",
    "contact",
    "context",
    "locale",
    "page",
    "created_at",
    "updated_at",
];

fn bad(field: &str, message: impl Into<String>) -> PayloadError {
    PayloadError {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// A lowercase or uppercase hyphenated UUID of version 4 (RFC 4122 variant).
pub fn is_uuid_v4(s: &str) -> bool {
    uuid::Uuid::try_parse(s)
        .is_ok_and(|u| u.get_version_num() == 4 && u.get_variant() == uuid::Variant::RFC4122)
        && s.len() == 36
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with fields in range.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    let (Some(_), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => {
            matches!((num(s.len() - 5..s.len() - 3), num(s.len() - 2..s.len())), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

impl Response {
    /// Checks a posted body and returns the response, or the first bad field.
    pub fn parse(value: &Value) -> Result<Response, PayloadError> {
        let obj = value.as_object().ok_or_else(|| {
            bad(
                "body",
                format!("body is {}: expected a JSON object", shown(value)),
            )
        })?;
        if let Some(k) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            // An empty key has no name to give: the body is what is wrong.
            return Err(bad(
                if k.is_empty() { "body" } else { k },
                format!("unknown field {k:?}: schema 1 has {}", FIELDS.join(", ")),
            ));
        }
        let get = |k: &str| obj.get(k).unwrap_or(&Value::Null);
        let req_str = |k: &str, max: usize| -> Result<String, PayloadError> {
            match get(k) {
                Value::String(s) if !s.is_empty() && s.chars().count() <= max => Ok(s.clone()),
                Value::Null => Err(bad(k, format!("{k} is missing"))),
                v => Err(bad(
                    k,
                    format!(
                        "{k} is {}: expected a string of 1–{max} characters",
                        shown(v)
                    ),
                )),
            }
        };
        let opt_str = |k: &str, max: usize| -> Result<Option<String>, PayloadError> {
            match get(k) {
                Value::Null => Ok(None),
                Value::String(s) if s.chars().count() <= max => {
                    Ok(Some(s.clone())).map(|o| o.filter(|s| !s.is_empty()))
                }
                v => Err(bad(
                    k,
                    format!(
                        "{k} is {}: expected null or a string of at most {max} characters",
                        shown(v)
                    ),
                )),
            }
        };

        match get("schema") {
            Value::Number(n) if n.as_u64() == Some(1) => {}
            v => return Err(bad("schema", format!("schema is {}: expected 1", shown(v)))),
        }
        let id = req_str("id", 36)?;
        if !is_uuid_v4(&id) {
            return Err(bad(
                "id",
                format!("id is {id:?}: expected a version 4 UUID like \"3f2b8c1e-…-4…\""),
            ));
        }
        let survey = req_str("survey", MAX_ID)?;
        if !is_id(&survey) {
            return Err(bad(
                "survey",
                format!("survey is {survey:?}: expected 1–64 letters, digits, '-', '_' or '.'"),
            ));
        }
        let stage = match get("stage") {
            Value::String(s) => Stage::parse(s),
            _ => None,
        }
        .ok_or_else(|| {
            bad(
                "stage",
                format!(
                    "stage is {}: expected \"scored\", \"completed\" or \"dismissed\"",
                    shown(get("stage"))
                ),
            )
        })?;

        let score = match get("score") {
            Value::Null => None,
            Value::Number(n) => match n.as_f64().map(|f| score::score_from_f64(f, None)) {
                Some(Ok(s)) if n.is_u64() => Some(s),
                _ => {
                    return Err(bad(
                        "score",
                        format!("score is {n}: expected an integer from 0 to 10"),
                    ))
                }
            },
            v => {
                return Err(bad(
                    "score",
                    format!("score is {}: expected an integer from 0 to 10", shown(v)),
                ))
            }
        };
        let category = match (score, get("category")) {
            (None, Value::Null) => None,
            (None, v) => {
                return Err(bad(
                    "category",
                    format!("category is {}: expected null when score is null", shown(v)),
                ))
            }
            (Some(s), v) => {
                let want = score::category(s as i64).map_err(|e| bad("score", e.to_string()))?;
                if v.as_str() != Some(want.as_str()) {
                    return Err(bad(
                        "category",
                        format!("category is {}: score {s} is a {want}", shown(v)),
                    ));
                }
                Some(want.as_str())
            }
        };
        if score.is_none() && stage != Stage::Dismissed {
            return Err(bad(
                "score",
                format!(
                    "score is null: a {} response needs a score from 0 to 10",
                    stage.as_str()
                ),
            ));
        }

        let reasons = match get("reasons") {
            Value::Null => Vec::new(),
            Value::Array(items) if items.len() <= MAX_REASONS => {
                let mut out: Vec<String> = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().filter(|s| is_id(s)) {
                        Some(s) if !out.iter().any(|o| o == s) => out.push(s.to_owned()),
                        _ => {
                            return Err(bad(
                                "reasons",
                                format!("reasons[{i}] is {}: expected a unique id of 1–64 letters, digits, '-', '_' or '.'", shown(item)),
                            ))
                        }
                    }
                }
                out
            }
            v => {
                return Err(bad(
                    "reasons",
                    format!(
                        "reasons is {}: expected a list of at most {MAX_REASONS} reason ids",
                        shown(v)
                    ),
                ))
            }
        };
        let comment = opt_str("comment", MAX_COMMENT)?;

        let contact = match get("contact") {
            Value::Null => None,
            Value::Object(c) => {
                if let Some(k) = c.keys().find(|k| *k != "phone" && *k != "consent") {
                    return Err(bad(
                        &format!("contact.{k}"),
                        format!("unknown field contact.{k}: contact has phone and consent"),
                    ));
                }
                let phone_raw = c.get("phone").and_then(Value::as_str).unwrap_or("");
                if c.get("consent") != Some(&Value::Bool(true)) {
                    return Err(bad(
                        "contact.consent",
                        format!(
                            "contact.consent is {}: a phone is accepted only with consent: true",
                            shown(c.get("consent").unwrap_or(&Value::Null))
                        ),
                    ));
                }
                let phone = crate::phone::normalize(phone_raw).ok_or_else(|| {
                    bad("contact.phone", format!("contact.phone is {phone_raw:?}: expected a mainland mobile number or an international number like +85291234567"))
                })?;
                Some(Contact {
                    phone,
                    consent: true,
                })
            }
            v => {
                return Err(bad(
                    "contact",
                    format!(
                        "contact is {}: expected null or {{\"phone\": …, \"consent\": true}}",
                        shown(v)
                    ),
                ))
            }
        };

        let context = match get("context") {
            Value::Null => BTreeMap::new(),
            Value::Object(m) if m.len() <= MAX_CONTEXT => {
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    match v.as_str() {
                        Some(s) if is_id(k) && s.chars().count() <= MAX_CONTEXT_VALUE => {
                            out.insert(k.clone(), s.to_owned());
                        }
                        _ => {
                            return Err(bad(
                                &format!("context.{k}"),
                                format!("context.{k} is {}: expected an id-like key and a string of at most {MAX_CONTEXT_VALUE} characters", shown(v)),
                            ))
                        }
                    }
                }
                out
            }
            v => {
                return Err(bad(
                    "context",
                    format!(
                        "context is {}: expected an object of at most {MAX_CONTEXT} strings",
                        shown(v)
                    ),
                ))
            }
        };
        let locale = req_str("locale", 35)?;
        let page = opt_str("page", MAX_PAGE)?;
        let created_at = req_str("created_at", 40)?;
        let updated_at = req_str("updated_at", 40)?;
        for (k, v) in [("created_at", &created_at), ("updated_at", &updated_at)] {
            if !is_rfc3339(v) {
                return Err(bad(
                    k,
                    format!(
                        "{k} is {v:?}: expected an RFC 3339 time like \"2026-11-23T08:30:00.000Z\""
                    ),
                ));
            }
        }
        Ok(Response {
            schema: 1,
            id,
            survey,
            stage,
            score,
            category,
            reasons,
            comment,
            contact,
            context,
            locale,
            page,
            created_at,
            updated_at,
        })
    }

    /// The category as a value, when there is a score.
    pub fn category(&self) -> Option<Category> {
        self.category.and_then(Category::parse)
    }

    /// The canonical JSON text (keys in a fixed order: the same response gives the same text).
    pub fn to_json(&self) -> String {
        Value::Object(self.to_value()).to_string()
    }

    /// The canonical JSON object.
    pub fn to_value(&self) -> Map<String, Value> {
        let contact = self
            .contact
            .as_ref()
            .map(|c| crate::obj! {"phone" => c.phone.clone(), "consent" => c.consent});
        let mut context = Map::new();
        for (k, v) in &self.context {
            context.insert(k.clone(), Value::from(v.as_str()));
        }
        let v = crate::obj! {
            "schema" => self.schema,
            "id" => self.id.clone(),
            "survey" => self.survey.clone(),
            "stage" => self.stage.as_str(),
            "score" => self.score,
            "category" => self.category,
            "reasons" => self.reasons.clone(),
            "comment" => self.comment.clone(),
            "contact" => contact,
            "context" => Value::Object(context),
            "locale" => self.locale.clone(),
            "page" => self.page.clone(),
            "created_at" => self.created_at.clone(),
            "updated_at" => self.updated_at.clone(),
        };
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        json!({"schema":1,"id":"0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a","survey":"after-sales","stage":"completed",
               "score":9,"category":"promoter","reasons":["advisor_attitude","repair_quality"],
               "comment":"很好","contact":null,"context":{"store":"SZ-FT","advisor":"wang","visit":"RO-88231"},
               "locale":"zh-CN","page":"https://example.com/qr","created_at":"2026-11-23T08:30:00.000Z",
               "updated_at":"2026-11-23T08:31:10+08:00"})
    }

    fn with(k: &str, v: Value) -> Value {
        let mut g = good();
        g[k] = v;
        g
    }

    fn field_of(v: Value) -> String {
        Response::parse(&v)
            .map(|_| "ok".to_owned())
            .unwrap_or_else(|e| e.field)
    }

    #[test]
    fn a_good_body_round_trips() {
        let r = Response::parse(&good()).unwrap();
        assert_eq!(r.category(), Some(Category::Promoter));
        let again = Response::parse(&Value::Object(r.to_value())).unwrap();
        assert_eq!(r, again);
    }

    #[test]
    fn bad_bodies_name_their_field() {
        let table: Vec<(Value, &str)> = vec![
            (json!([1]), "body"),
            (with("schema", json!(2)), "schema"),
            (with("id", json!("not-a-uuid")), "id"),
            (
                with("id", json!("0b6c2a8e-5d1f-1c3b-9a7e-2f4d6b8c0e1a")),
                "id",
            ), // version 1
            (with("id", Value::Null), "id"),
            (with("stage", json!("done")), "stage"),
            (with("score", json!(11)), "score"),
            (with("score", json!(-1)), "score"),
            (with("score", json!(9.5)), "score"),
            (with("score", json!("9")), "score"),
            (with("score", json!(10.0)), "score"),
            (with("category", json!("passive")), "category"),
            (with("reasons", json!(["a", "a"])), "reasons"),
            (with("reasons", json!(["<b>"])), "reasons"),
            (
                with("reasons", Value::Array(vec![json!("x"); 21])),
                "reasons",
            ),
            (with("comment", json!("x".repeat(1001))), "comment"),
            (
                with("contact", json!({"phone": "13812345678", "consent": false})),
                "contact.consent",
            ),
            (
                with("contact", json!({"phone": "13812345678"})),
                "contact.consent",
            ),
            (
                with("contact", json!({"phone": "12345", "consent": true})),
                "contact.phone",
            ),
            (
                with(
                    "contact",
                    json!({"phone": "13812345678", "consent": true, "name": "x"}),
                ),
                "contact.name",
            ),
            (with("context", json!({"store": 5})), "context.store"),
            (with("created_at", json!("yesterday")), "created_at"),
            (
                with("updated_at", json!("2026-13-01T00:00:00Z")),
                "updated_at",
            ),
            (with("extra", json!(1)), "extra"),
            (with("survey", json!("")), "survey"),
        ];
        for (body, want) in table {
            assert_eq!(field_of(body.clone()), want, "{body}");
        }
    }

    #[test]
    fn score_and_stage_rules() {
        let mut d = with("stage", json!("dismissed"));
        d["score"] = Value::Null;
        d["category"] = Value::Null;
        assert_eq!(field_of(d.clone()), "ok");
        d["stage"] = json!("scored");
        assert_eq!(field_of(d), "score");
        assert_eq!(field_of(with("category", Value::Null)), "category");
        let mut no_score_but_category = with("stage", json!("dismissed"));
        no_score_but_category["score"] = Value::Null;
        assert_eq!(field_of(no_score_but_category), "category");
    }

    #[test]
    fn phones_are_normalised_and_messages_read_well() {
        let r = Response::parse(&with(
            "contact",
            json!({"phone": "138 1234 5678", "consent": true}),
        ))
        .unwrap();
        assert_eq!(r.contact.unwrap().phone, "+8613812345678");
        let e = Response::parse(&with("score", json!(9.5))).unwrap_err();
        assert_eq!(e.message, "score is 9.5: expected an integer from 0 to 10");
        let e = Response::parse(&with("extra", json!(1))).unwrap_err();
        assert!(e
            .message
            .starts_with("unknown field \"extra\": schema 1 has schema, id"));
    }

    #[test]
    fn rfc3339_table() {
        for ok in [
            "2026-11-23T08:30:00Z",
            "2026-11-23T08:30:00.123Z",
            "2026-11-23t08:30:00+08:00",
            "2026-02-28T23:59:60-05:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for no in [
            "2026-11-23",
            "2026-11-23 08:30:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T08:30:00",
            "2026-11-23T08:30:00.Z",
            "2026-11-23T08:30:00+0800",
            "２０２６-11-23T08:30:00Z",
        ] {
            assert!(!is_rfc3339(no), "{no}");
        }
    }

    #[test]
    fn stage_ranks() {
        assert!(Stage::Scored.rank() < Stage::Dismissed.rank());
        assert!(Stage::Dismissed.rank() < Stage::Completed.rank());
    }
}
