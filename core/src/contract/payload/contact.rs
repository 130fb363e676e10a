//! The payload's `contact`, checked for `Response::parse`: a phone with consent and its terms,
//! or the number on the visit's order (`on_file`), which needs the order's phone tail in the
//! response's context.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Contact;
use crate::config::keys::CALLBACK_HOURS;
use crate::contract::error::{quoted, shown, unknown, ErrorKind, FieldError};
use crate::contract::rules;

type Checked<T> = Result<T, FieldError>;

/// A phone, only with consent, normalised to E.164; or, with `on_file: true`, no phone at all
/// (the number on the visit's order; `parse` checks the context names its tail).
pub(super) fn contact(v: &Value) -> Checked<Option<Contact>> {
    let c =
        match v {
            Value::Null => return Ok(None),
            Value::Object(c) => c,
            v => return Err(FieldError::invalid(
                "contact",
                shown(v),
                "null, {\"phone\": …, \"consent\": true} or {\"on_file\": true, \"consent\": true}",
            )),
        };
    const KNOWN: &[&str] = &[
        "phone",
        "on_file",
        "consent",
        "retention_days",
        "consent_version",
        "callback_hours",
    ];
    if let Some(k) = c.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(unknown(format!("contact.{k}"), k, KNOWN));
    }
    let consent = c.get("consent").unwrap_or(&Value::Null);
    if consent != &Value::Bool(true) {
        return Err(FieldError::invalid(
            "contact.consent",
            shown(consent),
            "true: a phone is accepted only with consent",
        ));
    }
    let on_file = match c.get("on_file").unwrap_or(&Value::Null) {
        Value::Null | Value::Bool(false) => false,
        Value::Bool(true) => true,
        v => {
            return Err(FieldError::invalid(
                "contact.on_file",
                shown(v),
                "true or false",
            ))
        }
    };
    let phone = match (on_file, c.get("phone").unwrap_or(&Value::Null)) {
        (true, Value::Null) => None,
        (true, v) => {
            return Err(FieldError::invalid(
                "contact.phone",
                shown(v),
                "no phone with on_file: true (the call goes to the number on the order)",
            ))
        }
        (false, v) => {
            let raw = v.as_str().unwrap_or("");
            Some(crate::contract::phone::normalize(raw).ok_or_else(|| {
                FieldError::invalid(
                    "contact.phone",
                    quoted(raw),
                    "a mainland mobile number or an international number like +85291234567 (or on_file: true)",
                )
            })?)
        }
    };
    let retention_days = match c.get("retention_days").unwrap_or(&Value::Null) {
        Value::Null => None,
        v => match v
            .as_u64()
            .filter(|d| (1..=rules::MAX_RETENTION_DAYS as u64).contains(d))
        {
            Some(d) => Some(d as u32),
            None => {
                return Err(FieldError::out_of_range(
                    "contact.retention_days",
                    v,
                    1,
                    rules::MAX_RETENTION_DAYS as u64,
                ))
            }
        },
    };
    let consent_version = match c.get("consent_version").unwrap_or(&Value::Null) {
        Value::Null => None,
        Value::String(s) if rules::is_id(s) => Some(s.clone()),
        v => {
            return Err(FieldError::invalid(
                "contact.consent_version",
                shown(v),
                format!("null or {}", rules::id_shape()),
            ))
        }
    };
    // Bounded as the config key that sets it.
    let callback_hours = match c.get("callback_hours").unwrap_or(&Value::Null) {
        Value::Null => None,
        v => Some(
            v.as_u64()
                .and_then(|h| CALLBACK_HOURS.accepts_int(h))
                .ok_or_else(|| {
                    let (min, max) = CALLBACK_HOURS.int_bounds();
                    FieldError::out_of_range("contact.callback_hours", v, min as u64, max as u64)
                })?,
        ),
    };
    Ok(Some(Contact {
        phone,
        on_file,
        consent: true,
        retention_days,
        consent_version,
        callback_hours,
    }))
}

/// The order's phone tail a call at the number on the order needs (`contact.on_file`): only a
/// signed visit link carrying it names the order.
pub(super) fn on_file_tail(context: &BTreeMap<String, String>) -> Checked<()> {
    let field = format!("context.{}", rules::PHONE_TAIL);
    match context.get(rules::PHONE_TAIL) {
        Some(t) if rules::is_phone_tail(t) => Ok(()),
        Some(t) => Err(FieldError::invalid(field, quoted(t), rules::phone_tail_shape())),
        None => Err(FieldError::new(
            field,
            ErrorKind::Missing {
                hint: "contact.on_file asks for a call at the number on the visit's order, which only a signed visit link carrying phone_tail names".into(),
            },
        )),
    }
}
