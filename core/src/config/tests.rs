//! Config validation as a page's developer meets it: defaults, errors, attributes, context.

use super::*;
use crate::contract::error::{shown, ErrorKind};
use serde_json::json;

fn cfg(v: Value) -> Result<Config, Vec<FieldError>> {
    Config::from_object(v.as_object().unwrap(), Some("en-US"))
}

fn messages(v: Value) -> Vec<String> {
    cfg(v)
        .unwrap_err()
        .into_iter()
        .map(|e| format!("{}: {}", e.field, e))
        .collect()
}

#[test]
fn endpoint_alone_gives_sensible_defaults() {
    let c = cfg(json!({"endpoint": "/api/responses"})).unwrap();
    assert_eq!(c.endpoint, "/api/responses");
    assert_eq!(c.survey, "nps");
    assert_eq!(c.locale, Locale::En);
    assert_eq!(c.mode, Mode::Inline);
    assert_eq!(c.callback_hours, 24);
    assert_eq!(c.radius, 12);
    assert!(c.callback && c.once);
    assert_eq!(c.reasons[0].id, "product_quality");
    assert_eq!(c.brand_in_sentence(), "us");
}

#[test]
fn locale_falls_back_to_zh_cn() {
    let obj = json!({"endpoint": "/x"});
    let c = Config::from_object(obj.as_object().unwrap(), Some("fr-FR")).unwrap();
    assert_eq!(c.locale, Locale::ZhCn);
    let c = Config::from_object(obj.as_object().unwrap(), None).unwrap();
    assert_eq!(c.locale, Locale::ZhCn);
    let c = Config::from_object(obj.as_object().unwrap(), Some("zh-HK")).unwrap();
    assert_eq!(c.locale, Locale::ZhTw);
}

#[test]
fn update_is_post_unless_patch_is_asked_for() {
    use crate::config::Update;
    for (given, want) in [
        (json!({"endpoint": "/x"}), Update::Post),
        (json!({"endpoint": "/x", "update": "post"}), Update::Post),
        (
            json!({"endpoint": "/x", "update": " patch "}),
            Update::Patch,
        ),
    ] {
        assert_eq!(cfg(given.clone()).unwrap().update, want, "{given}");
    }
    // As an attribute too.
    let obj = object_from_attributes([("endpoint", "/x"), ("update", "patch")]).unwrap();
    assert_eq!(cfg(Value::Object(obj)).unwrap().update, Update::Patch);
}

#[test]
fn after_sales_survey_gets_the_after_sales_reasons() {
    let c = cfg(json!({"endpoint": "/x", "survey": "after-sales", "locale": "zh-CN"})).unwrap();
    let ids: Vec<_> = c.reasons.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids[..3],
        ["advisor_attitude", "repair_quality", "wait_time"]
    );
    assert_eq!(c.reasons[0].label, "服务态度");
}

#[test]
fn errors_name_the_field_the_value_and_what_is_accepted() {
    let check = |v: Value, want: &str| {
        let got = messages(v);
        assert!(got.iter().any(|m| m == want), "want {want:?}, got {got:?}");
    };
    check(json!({}), "endpoint: endpoint is missing: set data-endpoint (or the endpoint key) to the URL that receives responses, e.g. \"/api/responses\"");
    check(
        json!({"endpoint": "ftp://x"}),
        "endpoint: endpoint is \"ftp://x\": expected an http(s) URL or a path starting with /",
    );
    check(
        json!({"endpoint": "/x", "locale": "fr"}),
        "locale: locale is \"fr\": expected one of \"zh-CN\", \"zh-TW\", \"en\"",
    );
    check(
        json!({"endpoint": "/x", "mode": "popup"}),
        "mode: mode is \"popup\": expected one of \"inline\", \"modal\", \"slide-in\"",
    );
    check(
        json!({"endpoint": "/x", "update": "put"}),
        "update: update is \"put\": expected one of \"post\", \"patch\"",
    );
    check(
        json!({"endpoint": "/x", "callback_hours": 0}),
        "callback_hours: callback_hours is 0: expected a whole number from 1 to 720",
    );
    check(
        json!({"endpoint": "/x", "callback_hours": "24"}),
        "callback_hours: callback_hours is \"24\": expected a whole number from 1 to 720",
    );
    check(
        json!({"endpoint": "/x", "accent": "blue"}),
        "accent: accent is \"blue\": expected a colour like \"#1A73E8\" or \"#17e\"",
    );
    check(
        json!({"endpoint": "/x", "referral_url": "javascript:alert(1)"}),
        "referral_url: referral_url is \"javascript:alert(1)\": expected an http(s) URL",
    );
    check(
        json!({"endpoint": "/x", "survey": "a b"}),
        "survey: survey is \"a b\": expected an id of 1–64 letters, digits, '-', '_' or '.'",
    );
    check(
        json!({"endpoint": "/x", "once": "yes"}),
        "once: once is \"yes\": expected true or false",
    );
    check(
        json!({"endpoint": "/x", "headers": {"X-Token": "a\r\nb"}}),
        &format!(
            "headers: headers is {{\"X-Token\":\"a\\r\\nb\"}}: expected {}",
            keys::HEADERS.kind.expected()
        ),
    );
}

#[test]
fn unknown_keys_suggest_the_closest_known_key() {
    assert_eq!(
        messages(json!({"endpont": "/x"}))[0],
        "endpont: unknown key \"endpont\": did you mean \"endpoint\"?"
    );
    assert!(messages(json!({"endpoint": "/x", "callback_hour": 2}))[0]
        .contains("did you mean \"callback_hours\"?"));
    assert!(messages(json!({"endpoint": "/x", "zzz": 1}))[0]
        .contains("known keys are endpoint, survey"));
}

#[test]
fn all_errors_are_reported_at_once() {
    assert_eq!(messages(json!({"locale": "xx", "mode": "y"})).len(), 3);
}

#[test]
fn custom_reasons_with_labels_per_locale() {
    let c = cfg(json!({"endpoint": "/x", "locale": "zh-CN", "reasons": [
        {"id": "parking", "label": {"zh-CN": "停车", "en": "Parking"}},
        {"id": "coffee", "label": "Coffee"}
    ]}))
    .unwrap();
    assert_eq!(
        c.reasons,
        vec![
            Reason {
                id: "parking".into(),
                label: "停车".into()
            },
            Reason {
                id: "coffee".into(),
                label: "Coffee".into()
            },
        ]
    );
    let e = messages(
        json!({"endpoint": "/x", "reasons": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}),
    );
    assert!(e[0].starts_with("reasons[1]: reasons[1] is"), "{e:?}");
}

#[test]
fn attributes_map_kebab_to_snake_and_parse_by_key() {
    let obj = object_from_attributes([
        ("nps-survey", ""),
        ("nps-mounted", ""),
        ("nps-id", "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a"),
        ("endpoint", "/api/responses"),
        ("survey", "after-sales"),
        ("callback-hours", "48"),
        ("once", "false"),
        ("context", "store=SZ-FT&advisor=wang"),
        ("context-params", "visit, model"),
        ("brand", "星辰汽车"),
    ])
    .unwrap();
    let c = Config::from_object(&obj, Some("zh-CN")).unwrap();
    assert_eq!(c.callback_hours, 48);
    assert!(!c.once);
    assert_eq!(c.context.get("store").map(String::as_str), Some("SZ-FT"));
    assert_eq!(c.context_params, vec!["visit", "model"]);
    assert_eq!(c.brand_in_sentence(), "星辰汽车");
}

#[test]
fn attribute_errors_name_the_field() {
    let e = object_from_attributes([("callback-hours", "soon"), ("headers", "{bad")]).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "callback_hours is \"soon\": expected a whole number from 1 to 720"
    );
    assert!(e[1].to_string().starts_with("headers is not valid JSON"));
}

#[test]
fn context_from_the_query_string() {
    let c = cfg(
        json!({"endpoint": "/x", "context": {"touchpoint": "after_service", "store": "FIXED"}}),
    )
    .unwrap();
    let q = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let ctx = c.context_with_query(&[
        q("store", "SZ-FT"),
        q("advisor", "wang"),
        q("visit", "RO-88231"),
        q("utm_source", "x"),
        q("model", " "),
    ]);
    let got: Vec<_> = ctx.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(
        got,
        [
            "advisor=wang",
            "store=FIXED",
            "touchpoint=after_service",
            "visit=RO-88231"
        ]
    );
}

#[test]
fn text_overrides() {
    let c = cfg(json!({"endpoint": "/x", "brand": "Acme", "text": {"submit": "Send"}})).unwrap();
    assert_eq!(c.text(Text::Submit), "Send");
    assert_eq!(c.text(Text::Skip), "Skip");
}

#[test]
fn from_json_rejects_non_objects() {
    assert_eq!(
        Config::from_json("[1]", None).unwrap_err()[0].to_string(),
        "config is [1]: expected an object like {\"endpoint\": \"/api/responses\"}"
    );
    assert!(Config::from_json("{", None).unwrap_err()[0]
        .to_string()
        .starts_with("config is not valid JSON"));
}

/// The kinds of the errors a config gives, by field.
fn kinds(v: Value) -> Vec<(String, ErrorKind)> {
    cfg(v)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.kind))
        .collect()
}

#[test]
fn error_kinds_by_field() {
    let presets = || {
        crate::words::PRESETS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
    };
    let check = |v: Value, field: &str, want: ErrorKind| {
        let got = kinds(v);
        assert!(
            got.iter().any(|(f, k)| f == field && *k == want),
            "want {field}: {want:?}, got {got:?}"
        );
    };
    check(
        json!({"endpoint": "/x", "reasons": "cars"}),
        "reasons",
        ErrorKind::Invalid {
            value: "\"cars\"".into(),
            expected: keys::REASONS.kind.expected(),
        },
    );
    assert!(keys::REASONS
        .kind
        .expected()
        .contains(&format!("{:?}", presets()[0])));
    check(
        json!({"endpoint": "/x", "text": {"sumbit": "Go"}}),
        "text.sumbit",
        ErrorKind::Unknown {
            suggestion: Some("submit"),
            known: Text::ALL.iter().map(|t| t.key()).collect(),
        },
    );
    check(
        json!({"endpoint": "/x", "radius": 33}),
        "radius",
        ErrorKind::OutOfRange {
            value: "33".into(),
            min: 0,
            max: 32,
        },
    );
    check(
        json!({"endpoint": "/x", "theme": "blue"}),
        "theme",
        ErrorKind::NotOneOf {
            value: "\"blue\"".into(),
            accepted: vec!["auto", "light", "dark"],
        },
    );
    check(
        json!({"endpoint": "/x", "reasons": vec![json!({"id": "a", "label": "A"}); 21]}),
        "reasons",
        ErrorKind::TooLong {
            value: shown(&json!(vec![json!({"id": "a", "label": "A"}); 21])),
            max: crate::contract::rules::MAX_REASONS,
            unit: "items",
        },
    );
    check(
        json!({}),
        "endpoint",
        ErrorKind::Missing {
            hint: "set data-endpoint (or the endpoint key) to the URL that receives responses, e.g. \"/api/responses\"".into(),
        },
    );
}

/// Regression: `context` took any number of keys, the payload at most 20, so a page whose
/// fixed context plus query-string keys passed 20 had every answer refused by the collector.
#[test]
fn context_and_its_query_keys_fit_in_one_response() {
    let many = |n: usize| -> Value {
        Value::Object(
            (0..n)
                .map(|i| (format!("k{i}"), Value::from("v")))
                .collect(),
        )
    };
    // 21 fixed keys: refused, naming the limit.
    let got = kinds(json!({"endpoint": "/x", "context": many(21)}));
    assert!(
        matches!(&got[0], (f, ErrorKind::TooLong { max: 20, unit: "keys", .. }) if f == "context"),
        "{got:?}"
    );
    // Fixed keys plus the default query-string keys one over the limit: refused on context.
    let room = crate::contract::rules::MAX_CONTEXT - DEFAULT_CONTEXT_PARAMS.len();
    let got = kinds(json!({"endpoint": "/x", "context": many(room + 1)}));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "context");
    // Naming fewer query-string keys makes it fit; an overlapping key counts once.
    let c = cfg(
        json!({"endpoint": "/x", "context": many(14), "context_params": ["store", "visit", "k0"]}),
    )
    .unwrap();
    let q = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let ctx = c.context_with_query(&[q("store", "A"), q("visit", "B"), q("k0", "C")]);
    assert_eq!(ctx.len(), 16);
    assert_eq!(ctx["k0"], "v");
    // Too many named on top of a fixed context: refused on context_params.
    let got =
        kinds(json!({"endpoint": "/x", "context": many(19), "context_params": ["store", "visit"]}));
    assert_eq!(got[0].0, "context_params", "{got:?}");
    // The widest config that is accepted gives a context the payload accepts.
    let c = cfg(json!({"endpoint": "/x", "context": many(room)})).unwrap();
    let query: Vec<(String, String)> = DEFAULT_CONTEXT_PARAMS.iter().map(|k| q(k, "x")).collect();
    assert_eq!(
        c.context_with_query(&query).len(),
        crate::contract::rules::MAX_CONTEXT
    );
}

#[test]
fn context_values_from_the_query_string_are_cleaned() {
    let c = cfg(json!({"endpoint": "/x"})).unwrap();
    let q = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let long = "字".repeat(300);
    let ctx = c.context_with_query(&[q("store", "a\u{0}b\n"), q("visit", &long)]);
    assert_eq!(ctx["store"], "ab");
    assert_eq!(
        ctx["visit"].chars().count(),
        crate::contract::rules::MAX_CONTEXT_VALUE
    );
    let got = kinds(json!({"endpoint": "/x", "context": {"store": "a\u{0}b"}}));
    assert_eq!(got[0].0, "context.store", "{got:?}");
}

/// Regression: `{"a": 1, "a": 2}` was read as `{"a": 2}`.
#[test]
fn a_key_given_twice_is_refused() {
    let e = Config::from_json(
        r#"{"endpoint": "/x", "mode": "modal", "mode": "inline"}"#,
        None,
    )
    .unwrap_err();
    assert_eq!(
        (e[0].field.as_str(), &e[0].kind),
        ("mode", &ErrorKind::Duplicate)
    );
    let e = object_from_attributes([("context", r#"{"store": "A", "store": "B"}"#)]).unwrap_err();
    assert_eq!(
        (e[0].field.as_str(), &e[0].kind),
        ("context.store", &ErrorKind::Duplicate)
    );
    assert!(Config::from_json(
        r#"{"endpoint": "/x", "context": {"a": "1", "b": "1"}}"#,
        None
    )
    .is_ok());
}

#[test]
fn the_reference_lists_every_key() {
    let doc = keys::reference();
    for k in keys::KEYS {
        assert!(
            doc.contains(&format!("| `{}` | `{}` |", k.name, k.attribute())),
            "{}",
            k.name
        );
    }
    assert!(doc.contains("| context keys per response (fixed plus query string) | 20 |"));
}

/// Regression: a header value the browser cannot send made every post throw (and retry for
/// a week); a framework's own `data-*` attribute refused the mount.
#[test]
fn config_that_would_lose_every_answer_is_refused_and_framework_attributes_are_ignored() {
    for headers in [
        json!({"X-Store": "深圳"}),
        json!({"Cookie": "a=1"}),
        json!({"Content-Type": "text/plain"}),
        json!({"X-Emoji": "😀"}),
    ] {
        let got = kinds(json!({"endpoint": "/x", "headers": headers}));
        assert_eq!(got[0].0, "headers", "{headers}");
    }
    assert!(cfg(json!({"endpoint": "/x", "headers": {"X-Key": "caf\u{e9} 1"}})).is_ok());
    let obj = object_from_attributes([
        ("endpoint", "/x"),
        ("v-7ba5bd90", ""),
        ("testid", "survey"),
        ("reactid", ".0"),
    ])
    .unwrap();
    assert!(Config::from_object(&obj, None).is_ok(), "{obj:?}");
    let obj = object_from_attributes([("endpoint", "/x"), ("endpont", "/y")]).unwrap();
    let e = Config::from_object(&obj, None).unwrap_err();
    assert_eq!(e[0].field, "endpont", "a typo is still reported");
}

/// Found by fuzzing: an empty key gave an error that named no field.
#[test]
fn an_empty_key_is_named_as_the_config() {
    let got = kinds(json!({"endpoint": "/x", "": "after-sales"}));
    assert_eq!(got[0].0, "config", "{got:?}");
}

#[test]
fn accent_text_reads_on_the_accent() {
    for (accent, want) in [
        ("#1a73e8", "#ffffff"),
        ("#000", "#ffffff"),
        ("#d93025", "#ffffff"),
        ("#ffd400", "#1f1f1f"),
        ("#fff", "#1f1f1f"),
        ("#07c160", "#1f1f1f"),
    ] {
        assert_eq!(super::text_on(accent), want, "{accent}");
    }
    let c = Config::from_json(
        r##"{"endpoint": "/x", "accent": "#ffd400", "radius": 4}"##,
        None,
    )
    .unwrap();
    assert_eq!(
        c.card_style(),
        "--nps-brand-radius:4px;--nps-brand-accent:#ffd400;--nps-brand-accent-fg:#1f1f1f;"
    );
    let plain = Config::from_json(r#"{"endpoint": "/x"}"#, None).unwrap();
    assert_eq!(
        plain.card_style(),
        "--nps-brand-radius:12px;--nps-brand-accent:initial;--nps-brand-accent-fg:initial;"
    );
}

#[test]
fn broken_embeds_show_details_to_developers_only() {
    for host in [
        "localhost",
        "127.0.0.1",
        "[::1]",
        "shop.localhost",
        "LOCALHOST.",
    ] {
        assert!(super::shows_details(false, host), "{host}");
    }
    for host in ["brand.example", "localhost.brand.example", "10.0.0.1", ""] {
        assert!(!super::shows_details(false, host), "{host}");
    }
    assert!(super::shows_details(true, "brand.example"));
}

#[test]
fn the_question_fits_the_touchpoint_and_keeps_the_brand_whole() {
    let c = Config::from_json(
        r#"{"endpoint": "/x", "survey": "after-sales", "brand": "星辰汽车", "locale": "zh-CN"}"#,
        None,
    )
    .unwrap();
    let ctx = |t: &str| {
        [("touchpoint".to_owned(), t.to_owned())]
            .into_iter()
            .collect()
    };
    let q = c.question(&ctx("maintenance"));
    assert_eq!(
        (q.before.as_str(), q.brand.as_str(), q.after.as_str()),
        (
            "基于本次保养体验，您向亲友推荐",
            "星辰汽车",
            "的可能性有多大？"
        )
    );
    assert_eq!(
        c.question(&ctx("repair")).sentence(),
        "基于本次维修体验，您向亲友推荐星辰汽车的可能性有多大？"
    );
    assert_eq!(
        c.question(&ctx("other")).sentence(),
        "基于本次售后服务体验，您向亲友推荐星辰汽车的可能性有多大？"
    );
    let generic = Config::from_json(r#"{"endpoint": "/x", "locale": "en", "text": {"question": "Would you recommend {brand}?"}}"#, None).unwrap();
    assert_eq!(
        generic
            .question(&std::collections::BTreeMap::new())
            .sentence(),
        "Would you recommend us?"
    );
    let plain = Config::from_json(
        r#"{"endpoint": "/x", "locale": "en", "text": {"question": "Rate us"}}"#,
        None,
    )
    .unwrap();
    assert_eq!(plain.question(&std::collections::BTreeMap::new()).brand, "");
}

#[test]
fn triggers_and_throttles() {
    let c = Config::from_json(r#"{"endpoint": "/x"}"#, None).unwrap();
    assert_eq!(
        (
            c.trigger,
            c.throttle_answered_days,
            c.throttle_dismissed_days,
            c.sample_rate,
            c.force,
            c.kiosk_reset_s,
            c.debug
        ),
        (super::Trigger::Load, 90, 30, 1.0, false, 0, false)
    );
    let delayed = Config::from_json(r#"{"endpoint": "/x", "delay_ms": 5000}"#, None).unwrap();
    assert_eq!(delayed.trigger, super::Trigger::Delay);
    let errors = Config::from_json(
        r#"{"endpoint": "/x", "trigger": "click", "sample_rate": 1.5, "scroll_percent": 0}"#,
        None,
    )
    .unwrap_err();
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("click_selector") && e.contains("trigger \"click\" needs")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|e| e.contains("sample_rate is 1.5: expected a number from 0 to 1")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|e| e.contains("scroll_percent")),
        "{text:?}"
    );
    let wrong = Config::from_json(r#"{"endpoint": "/x", "trigger": "hover"}"#, None).unwrap_err();
    assert!(
        wrong[0]
            .to_string()
            .contains("\"load\", \"delay\", \"scroll\", \"exit\", \"click\", \"manual\""),
        "{}",
        wrong[0]
    );
}
