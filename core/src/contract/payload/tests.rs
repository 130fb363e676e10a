//! The payload check as a collector meets it: good bodies round-trip, bad ones name their field.

use super::*;
use crate::contract::error::ErrorKind;
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
        (with("reasons", json!(["a", "a"])), "reasons[1]"),
        (with("reasons", json!(["<b>"])), "reasons[0]"),
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
    assert_eq!(r.contact.unwrap().phone.as_deref(), Some("+8613812345678"));
    let e = Response::parse(&with("score", json!(9.5))).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::OutOfRange {
            value: "9.5".into(),
            min: 0,
            max: 10
        }
    );
    assert_eq!(
        e.to_string(),
        "score is 9.5: expected a whole number from 0 to 10"
    );
    let e = Response::parse(&with("coment", json!(1))).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Unknown {
            suggestion: Some("comment"),
            known: FIELDS.to_vec()
        }
    );
}

#[test]
fn stage_ranks() {
    assert!(Stage::Scored.rank() < Stage::Dismissed.rank());
    assert!(Stage::Dismissed.rank() < Stage::Completed.rank());
}

#[test]
fn context_limits_are_the_rules() {
    let many: serde_json::Map<String, Value> = (0..crate::contract::rules::MAX_CONTEXT)
        .map(|i| (format!("k{i}"), json!("v")))
        .collect();
    assert_eq!(field_of(with("context", Value::Object(many.clone()))), "ok");
    let mut over = many;
    over.insert("one_more".into(), json!("v"));
    assert_eq!(field_of(with("context", Value::Object(over))), "context");
    assert_eq!(
        field_of(with("context", json!({"store": "a\u{0}b"}))),
        "context.store"
    );
    assert_eq!(
        field_of(with("context", json!({"store": "字".repeat(200)}))),
        "ok"
    );
}

/// Regression: the upper- and lower-case forms of one UUID were two responses.
#[test]
fn ids_are_lowercased() {
    let r = Response::parse(&with("id", json!("0B6C2A8E-5D1F-4C3B-9A7E-2F4D6B8C0E1A"))).unwrap();
    assert_eq!(r.id, "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a");
}

/// A page's URL keeps only the query keys the response carries as context: a WeChat OAuth
/// `code` or `openid` is never stored.
#[test]
fn the_page_keeps_only_context_keys() {
    let r = Response::parse(&with(
        "page",
        json!("https://brand.example/h5?code=061abc&store=SZ-FT&openid=oX1&visit=RO-88231#x"),
    ))
    .unwrap();
    assert_eq!(
        r.page.as_deref(),
        Some("https://brand.example/h5?store=SZ-FT&visit=RO-88231")
    );
    // Found by the payload fuzz: a page that is only a query reads back as no page.
    let r = Response::parse(&with("page", json!("?code=x"))).unwrap();
    assert_eq!(r.page, None);
    assert_eq!(Response::parse(&Value::Object(r.to_value())), Ok(r));
}

#[test]
fn a_phone_carries_its_terms() {
    let c = |v: Value| with("contact", v);
    let r = Response::parse(&c(json!({"phone": "13812345678", "consent": true,
        "retention_days": 30, "consent_version": "zh-CN-3f2a9c1b"})))
    .unwrap();
    let contact = r.contact.clone().unwrap();
    assert_eq!(
        (contact.retention_days, contact.consent_version.as_deref()),
        (Some(30), Some("zh-CN-3f2a9c1b"))
    );
    assert_eq!(Response::parse(&Value::Object(r.to_value())), Ok(r));
    for (bad, field) in [
        (
            json!({"phone": "13812345678", "consent": true, "retention_days": 0}),
            "contact.retention_days",
        ),
        (
            json!({"phone": "13812345678", "consent": true, "retention_days": 366}),
            "contact.retention_days",
        ),
        (
            json!({"phone": "13812345678", "consent": true, "consent_version": "<b>"}),
            "contact.consent_version",
        ),
    ] {
        assert_eq!(field_of(c(bad)), field);
    }
}

#[test]
fn the_callback_promise_travels_with_the_phone_bounded_as_its_config_key() {
    let c = |hours: Value| {
        with(
            "contact",
            json!({"phone": "13812345678", "consent": true, "callback_hours": hours}),
        )
    };
    for hours in [1, 48, 720] {
        let r = Response::parse(&c(json!(hours))).unwrap();
        let contact = r.contact.clone().unwrap();
        assert_eq!(
            (contact.callback_hours, contact.promised_hours()),
            (Some(hours), hours)
        );
        assert_eq!(Response::parse(&Value::Object(r.to_value())), Ok(r));
    }
    // An older widget's phone, without the hours: the config key's default, read in one place.
    let old = Response::parse(&with(
        "contact",
        json!({"phone": "13812345678", "consent": true}),
    ))
    .unwrap()
    .contact
    .unwrap();
    assert_eq!((old.callback_hours, old.promised_hours()), (None, 24));
    for bad in [
        json!(0),
        json!(721),
        json!(24.5),
        json!("24"),
        json!(-1),
        json!(u64::MAX),
    ] {
        let e = Response::parse(&c(bad.clone())).unwrap_err();
        assert_eq!(e.field, "contact.callback_hours", "{bad}");
        assert!(e.to_string().contains("from 1 to 720"), "{bad}: {e}");
    }
}

/// "Call me at the number on my order": no phone at all, only where the signed link carried
/// the order's phone tail; anything else names its field.
#[test]
fn a_call_at_the_number_on_the_order_carries_no_phone() {
    let on_file = |contact: Value, tail: Option<&str>| {
        let mut b = with("contact", contact);
        if let Some(t) = tail {
            b["context"]["phone_tail"] = json!(t);
        }
        b
    };
    let body = on_file(
        json!({"on_file": true, "consent": true, "callback_hours": 24}),
        Some("3788"),
    );
    let r = Response::parse(&body).unwrap();
    let c = r.contact.clone().unwrap();
    assert_eq!(
        (c.phone, c.on_file, c.callback_hours),
        (None, true, Some(24))
    );
    assert_eq!(
        r.to_value()["contact"],
        json!({"on_file": true, "consent": true, "callback_hours": 24}),
        "the canonical JSON has no phone key"
    );
    assert_eq!(Response::parse(&Value::Object(r.to_value())), Ok(r));
    // `on_file: false` is a typed phone as before.
    let typed = Response::parse(&on_file(
        json!({"phone": "13812345678", "on_file": false, "consent": true}),
        None,
    ))
    .unwrap();
    assert_eq!(
        typed.contact.unwrap().phone.as_deref(),
        Some("+8613812345678")
    );
    for (body, field) in [
        (
            on_file(json!({"on_file": true, "consent": true}), None),
            "context.phone_tail",
        ),
        (
            on_file(
                json!({"on_file": true, "consent": true, "phone": "13812345678"}),
                Some("3788"),
            ),
            "contact.phone",
        ),
        (
            on_file(json!({"on_file": true, "consent": false}), Some("3788")),
            "contact.consent",
        ),
        (
            on_file(json!({"on_file": "yes", "consent": true}), Some("3788")),
            "contact.on_file",
        ),
        (
            on_file(json!({"on_file": false, "consent": true}), Some("3788")),
            "contact.phone",
        ),
        (
            on_file(json!({"on_file": true, "consent": true}), Some("378")),
            "context.phone_tail",
        ),
        (
            on_file(
                json!({"on_file": true, "consent": true}),
                Some("13812345678"),
            ),
            "context.phone_tail",
        ),
        // Without a call at the order's number the tail is a context value like any other
        // (a collector takes it only signed: a link maker refuses anything but 4 digits).
        (on_file(Value::Null, Some("37a8")), "ok"),
    ] {
        assert_eq!(field_of(body.clone()), field, "{body}");
    }
    let e = Response::parse(&on_file(json!({"on_file": true, "consent": true}), None)).unwrap_err();
    assert!(e.to_string().contains("signed visit link"), "{e}");
    let e = Response::parse(&on_file(
        json!({"on_file": true, "consent": true}),
        Some("37a8"),
    ))
    .unwrap_err();
    assert!(e.to_string().contains("exactly 4 digits"), "{e}");
}

#[test]
fn the_write_key_travels_with_every_post_and_is_checked_for_shape() {
    let mut b = good();
    b["write_key"] = json!("5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19");
    let r = Response::parse(&b).unwrap();
    assert_eq!(
        r.write_key.as_deref(),
        Some("5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19")
    );
    assert_eq!(Response::parse(&Value::Object(r.to_value())).unwrap(), r);
    for bad in [
        json!("short"),
        json!(7),
        json!("k".repeat(65)),
        json!("has space in it!!"),
    ] {
        b["write_key"] = bad.clone();
        let e = Response::parse(&b).unwrap_err();
        assert_eq!(e.field, "write_key", "{bad}");
        assert!(e.to_string().contains("16–64"), "{e}");
    }
}
