//! `Response::parse`: every field of a posted body checked against `rules`, one function per
//! field, stopping at the first bad one with a `FieldError` that names it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{contact, Response, Stage, FIELDS};
use crate::contract::error::{quoted, shown, unknown, ErrorKind, FieldError};
use crate::contract::rules::{self, MAX_COMMENT, MAX_CONTEXT, MAX_LOCALE, MAX_PAGE, MAX_REASONS};
use crate::scoring::score::Score;

type Checked<T> = Result<T, FieldError>;

/// The fields of one body, each read as `null` when absent.
struct Body<'a>(&'a Map<String, Value>);

impl Body<'_> {
    fn get(&self, k: &str) -> &Value {
        self.0.get(k).unwrap_or(&Value::Null)
    }

    /// A required string of 1–`max` characters.
    fn required(&self, k: &str, max: usize) -> Checked<String> {
        match self.get(k) {
            Value::String(s) if !s.is_empty() && s.chars().count() <= max => Ok(s.clone()),
            Value::Null => Err(FieldError::new(
                k,
                ErrorKind::Missing {
                    hint: String::new(),
                },
            )),
            v => Err(FieldError::invalid(
                k,
                shown(v),
                format!("a string of 1–{max} characters"),
            )),
        }
    }

    /// `null`, or a string of at most `max` characters (empty reads as `null`).
    fn optional(&self, k: &str, max: usize) -> Checked<Option<String>> {
        match self.get(k) {
            Value::Null => Ok(None),
            Value::String(s) if s.chars().count() <= max => {
                Ok(Some(s.clone()).filter(|s| !s.is_empty()))
            }
            v @ Value::String(_) => Err(FieldError::too_long(k, v, max, "characters")),
            v => Err(FieldError::invalid(
                k,
                shown(v),
                format!("null or a string of at most {max} characters"),
            )),
        }
    }
}

impl Response {
    /// Checks a posted body and returns the response, or the first bad field.
    pub fn parse(value: &Value) -> Checked<Response> {
        let obj = value
            .as_object()
            .ok_or_else(|| FieldError::invalid("body", shown(value), "a JSON object"))?;
        if let Some(k) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            // An empty key has no name to give: the body is what is wrong.
            return Err(unknown(if k.is_empty() { "body" } else { k }, k, FIELDS));
        }
        let b = Body(obj);
        schema(&b)?;
        let id = id(&b)?;
        let survey = b.required("survey", rules::MAX_ID)?;
        if !rules::is_id(&survey) {
            return Err(FieldError::invalid(
                "survey",
                quoted(&survey),
                rules::id_shape(),
            ));
        }
        let stage = stage(&b)?;
        let score = score(&b, stage)?;
        let reasons = reasons(&b)?;
        let comment = b.optional("comment", MAX_COMMENT)?;
        let contact = contact::contact(b.get("contact"))?;
        let context = context(&b)?;
        if contact.as_ref().is_some_and(|c| c.on_file) {
            contact::on_file_tail(&context)?;
        }
        let locale = b.required("locale", MAX_LOCALE)?;
        // Only the query keys the response carries as context are kept (`rules::page_url`).
        let page = b
            .optional("page", MAX_PAGE)?
            .map(|p| rules::page_url(&p, |k| context.contains_key(k)))
            .filter(|p| !p.is_empty());
        let created_at = time(&b, "created_at")?;
        let updated_at = time(&b, "updated_at")?;
        let write_key = write_key(&b)?;
        Ok(Response {
            id,
            survey,
            stage,
            score,
            reasons,
            comment,
            contact,
            context,
            locale,
            page,
            created_at,
            updated_at,
            write_key,
        })
    }
}

/// The write key, when the body carries one (a collector decides whether it must).
fn write_key(b: &Body) -> Checked<Option<String>> {
    match b.get(rules::WRITE_KEY) {
        Value::Null => Ok(None),
        Value::String(k) if rules::is_write_key(k) => Ok(Some(k.clone())),
        v => Err(FieldError::invalid(
            rules::WRITE_KEY,
            shown(v),
            rules::write_key_shape(),
        )),
    }
}

fn schema(b: &Body) -> Checked<()> {
    match b.get("schema") {
        Value::Number(n) if n.as_u64() == Some(rules::SCHEMA as u64) => Ok(()),
        v => Err(FieldError::invalid(
            "schema",
            shown(v),
            rules::SCHEMA.to_string(),
        )),
    }
}

/// The id, lowercased: the upper- and lower-case forms of one UUID are one response.
fn id(b: &Body) -> Checked<String> {
    let id = b.required("id", rules::ID_LEN)?;
    if rules::is_uuid_v4(&id) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(FieldError::invalid(
            "id",
            quoted(&id),
            "a version 4 UUID like \"3f2b8c1e-…-4…\"",
        ))
    }
}

fn stage(b: &Body) -> Checked<Stage> {
    let v = b.get("stage");
    v.as_str()
        .and_then(Stage::parse)
        .ok_or_else(|| FieldError::not_one_of("stage", v, Stage::NAMES))
}

/// The score (a whole number 0–10, or `null` only when dismissed) and its category, which
/// must be the score's.
fn score(b: &Body, stage: Stage) -> Checked<Option<Score>> {
    let score = match b.get("score") {
        Value::Null => None,
        v => Some(
            v.as_u64()
                .and_then(|s| u8::try_from(s).ok())
                .and_then(Score::new)
                .ok_or_else(|| FieldError::out_of_range("score", v, 0, Score::MAX.get() as u64))?,
        ),
    };
    let given = b.get("category");
    match score.map(Score::category) {
        None if given.is_null() => {}
        None => {
            return Err(FieldError::invalid(
                "category",
                shown(given),
                "null when score is null",
            ))
        }
        Some(want) if given.as_str() == Some(want.as_str()) => {}
        Some(want) => {
            return Err(FieldError::invalid(
                "category",
                shown(given),
                format!(
                    "{} for score {}",
                    quoted(want.as_str()),
                    score.map_or(0, Score::get)
                ),
            ))
        }
    }
    if score.is_none() && stage != Stage::Dismissed {
        return Err(FieldError::new(
            "score",
            ErrorKind::Missing {
                hint: format!(
                    "a {} response needs a score from 0 to {}",
                    stage.as_str(),
                    Score::MAX
                ),
            },
        ));
    }
    Ok(score)
}

fn reasons(b: &Body) -> Checked<Vec<String>> {
    match b.get("reasons") {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) if items.len() <= MAX_REASONS => {
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.as_str().filter(|s| rules::is_id(s)) {
                    Some(s) if !out.iter().any(|o| o == s) => out.push(s.to_owned()),
                    _ => {
                        return Err(FieldError::invalid(
                            format!("reasons[{i}]"),
                            shown(item),
                            format!("a reason id not given before, of {}", rules::id_shape()),
                        ))
                    }
                }
            }
            Ok(out)
        }
        v @ Value::Array(_) => Err(FieldError::too_long("reasons", v, MAX_REASONS, "items")),
        v => Err(FieldError::invalid(
            "reasons",
            shown(v),
            format!("a list of at most {MAX_REASONS} reason ids"),
        )),
    }
}

fn context(b: &Body) -> Checked<BTreeMap<String, String>> {
    match b.get("context") {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(m) if m.len() <= MAX_CONTEXT => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                match v.as_str() {
                    Some(s) if rules::is_id(k) && rules::is_context_value(s) => {
                        out.insert(k.clone(), s.to_owned());
                    }
                    _ => {
                        return Err(FieldError::invalid(
                            format!("context.{k}"),
                            shown(v),
                            format!(
                                "a key of {} and a string of at most {} characters without control characters",
                                rules::id_shape(),
                                rules::MAX_CONTEXT_VALUE
                            ),
                        ))
                    }
                }
            }
            Ok(out)
        }
        v @ Value::Object(_) => Err(FieldError::too_long("context", v, MAX_CONTEXT, "keys")),
        v => Err(FieldError::invalid(
            "context",
            shown(v),
            format!("an object of at most {MAX_CONTEXT} strings"),
        )),
    }
}

fn time(b: &Body, k: &str) -> Checked<String> {
    let t = b.required(k, rules::MAX_TIME)?;
    if rules::is_rfc3339(&t) {
        Ok(t)
    } else {
        Err(FieldError::invalid(
            k,
            quoted(&t),
            "an RFC 3339 time like \"2026-11-23T08:30:00.000Z\"",
        ))
    }
}
