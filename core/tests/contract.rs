//! The contract between the widget and a collector, as a property: any config the validator
//! accepts, with any query string, driven through any sequence of flow events, produces
//! bodies that `Response::parse` accepts as they are (strictly parsed JSON, the same response
//! back), that fit in the outbox, in a request the browser can send (header names are
//! tokens, values Latin-1, one content type). A limit that drifts between `config` and
//! `payload` (as the context count once did), or a header that makes `fetch` throw, fails here.
#![cfg(not(target_arch = "wasm32"))]

use nps_core::config::{Config, DEFAULT_CONTEXT_PARAMS};
use nps_core::contract::payload::Response;
use nps_core::contract::rules;
use nps_core::outbox::{Post, Target, MAX_ENTRY_BYTES};
use nps_core::scoring::score::Score;
use nps_core::survey::flow::{Event, Meta, Survey, Terms};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Up to `max` characters drawn from a regex character class.
fn chars(class: &str, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[{class}]{{0,{max}}}")).expect("a regex")
}

/// Text that is a valid context value, at every length up to the limit.
fn fitting_text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        chars("a-zA-Z0-9 _.-", max),
        chars("门店王师傅保养😀\"\\\\", max),
        Just("字".repeat(max)),
        Just("😀".repeat(max)),
    ]
}

/// Text a person or a page might give: the above, and control characters, quotes, markup.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => fitting_text(max),
        1 => chars("😀🚗\\x00-\\x1f\"\\\\<>a", max),
        1 => Just("x".repeat(max)),
    ]
}

/// A valid id, of every length.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z_]{1,12}",
        1 => Just("k".repeat(rules::MAX_ID)),
        2 => prop::sample::select(DEFAULT_CONTEXT_PARAMS).prop_map(str::to_owned),
    ]
}

/// Keys a config might name: mostly ids, a few that are not.
fn key() -> BoxedStrategy<String> {
    prop_oneof![
        8 => id(),
        1 => Just("k".repeat(rules::MAX_ID + 1)),
        1 => "[a-z -]{1,6}",
    ]
    .boxed()
}

/// A fixed context of every size around the limit: all valid, or with some bad entries.
fn context(valid: bool) -> BoxedStrategy<Value> {
    let (key, value) = if valid {
        (id().boxed(), fitting_text(rules::MAX_CONTEXT_VALUE).boxed())
    } else {
        (key(), text(rules::MAX_CONTEXT_VALUE + 20).boxed())
    };
    prop::collection::btree_map(key, value, 0..rules::MAX_CONTEXT + 4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
        .boxed()
}

fn reasons(valid: bool) -> BoxedStrategy<Value> {
    let list = prop::collection::vec(
        (id(), fitting_text(30))
            .prop_map(|(id, label)| json!({"id": id, "label": format!("{label}.")})),
        0..rules::MAX_REASONS + 3,
    )
    .prop_map(Value::Array);
    if valid {
        prop_oneof![Just(Value::Null), Just(json!("after-sales")), list].boxed()
    } else {
        prop_oneof![Just(json!("generic")), Just(json!("cars")), list].boxed()
    }
}

/// A config object: mostly one a page would give, sometimes one with mistakes.
fn config() -> impl Strategy<Value = Map<String, Value>> {
    prop_oneof![4 => Just(true), 1 => Just(false)].prop_flat_map(|valid| {
        let keys = if valid { id().boxed() } else { key() };
        let params = prop_oneof![
            Just(Value::Null),
            prop::collection::vec(
                keys.clone().prop_map(Value::String),
                0..rules::MAX_CONTEXT + 4
            )
            .prop_map(Value::Array),
        ];
        let survey = prop_oneof![Just(Value::Null), keys.prop_map(Value::String)];
        // Headers have their own odds, so a bad one also meets an otherwise good config.
        let headers = prop_oneof![
            2 => Just(Value::Null),
            2 => ("[A-Za-z][A-Za-z0-9-]{0,20}", "[ -~\u{a0}-\u{ff}]{0,40}")
                .prop_map(|(k, v)| json!({ format!("X-{k}"): v })),
            1 => prop_oneof![
                Just(json!({"X-Store": "深圳"})),
                Just(json!({"Cookie": "a=1"})),
                Just(json!({"X-Key": "a\nb"})),
                ("[ -~]{1,10}", ".{0,10}").prop_map(|(k, v)| json!({ k: v })),
            ],
        ];
        let locale = prop::sample::select(vec!["zh-CN", "zh-TW", "en", "EN", "fr"]);
        (
            survey,
            context(valid),
            params,
            reasons(valid),
            locale,
            any::<bool>(),
            headers,
        )
            .prop_map(
                |(survey, context, params, reasons, locale, callback, headers)| {
                    let mut m = Map::new();
                    m.insert("endpoint".into(), json!("/api/responses"));
                    m.insert("survey".into(), survey);
                    m.insert("context".into(), context);
                    m.insert("context_params".into(), params);
                    m.insert("reasons".into(), reasons);
                    m.insert("locale".into(), json!(locale));
                    m.insert("callback".into(), json!(callback));
                    m.insert("headers".into(), headers);
                    m
                },
            )
    })
}

/// A query string: keys the config may copy (and others), values of any text.
fn query() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (key(), text(rules::MAX_CONTEXT_VALUE + 50)),
        0..rules::MAX_CONTEXT + 10,
    )
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let event = prop_oneof![
        3 => (0u8..=10).prop_map(|s| Event::Choose(Score::new(s).expect("on the scale"))),
        2 => (0usize..30).prop_map(|i| Event::ToggleReason(format!("#{i}"))),
        2 => text(rules::MAX_COMMENT + 200).prop_map(Event::Comment),
        1 => prop_oneof![
            Just("13812345678".to_owned()),
            Just("+852 9123 4567".to_owned()),
            text(40),
        ].prop_map(Event::Phone),
        1 => any::<bool>().prop_map(Event::Consent),
        1 => Just(Event::Submit),
        1 => Just(Event::Skip),
        1 => Just(Event::Dismiss),
    ];
    prop::collection::vec(event, 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn every_body_the_widget_builds_is_one_the_collector_accepts(
        obj in config(),
        query in query(),
        events in events(),
        path in "[a-z0-9/?=&%.-]{0,3000}",
        seed in any::<[u8; 16]>(),
    ) {
        let Ok(cfg) = Config::from_object(&obj, Some("zh-CN")) else {
            return Ok(());
        };
        let context = cfg.context_with_query(&query);
        let href = format!("https://brand.example/{path}#top");
        let meta = Meta {
            id: uuid::Builder::from_random_bytes(seed).into_uuid().to_string(),
            survey: cfg.survey.clone(),
            page: Some(rules::page_url(&href, |k| context.contains_key(k))),
            context,
            locale: cfg.locale.tag().to_owned(),
            created_at: "2026-11-23T08:30:00.000Z".into(),
            terms: Terms::of(&cfg.consent_text(), cfg.locale.tag(), cfg.retention_days),
            write_key: uuid::Builder::from_random_bytes(seed).into_uuid().simple().to_string(),
        };
        let mut survey = Survey::new(false);
        for event in events {
            // The UI toggles only the configured reasons: `#i` picks one of them.
            let event = match event {
                Event::ToggleReason(i) => match cfg.reasons.get(i[1..].parse::<usize>().unwrap()) {
                    Some(r) => Event::ToggleReason(r.id.clone()),
                    None => continue,
                },
                other => other,
            };
            let Some(stage) = survey.apply(event) else { continue };
            let response = survey.response(stage, &meta, "2026-11-23T08:31:00.000Z");
            let body = response.to_json();
            prop_assert!(body.len() <= MAX_ENTRY_BYTES, "{} bytes: {}", body.len(), &body[..200]);
            prop_assert!(MAX_ENTRY_BYTES <= rules::MAX_BODY_BYTES);
            let post = Post {
                id: response.id.clone(),
                target: Target { endpoint: cfg.endpoint.clone(), headers: cfg.headers.clone(), update: cfg.update },
                version: 1,
                body: body.clone(),
                method: nps_core::outbox::Method::Post,
            };
            for cross_origin in [false, true] {
                sendable(&post.request(cross_origin).headers)?;
            }
            let parsed = nps_core::contract::json::parse_strict(&body, "body")
                .and_then(|v| Response::parse(&v));
            prop_assert_eq!(parsed, Ok(response), "{}", body);
        }
    }
}

/// What `Headers.set` accepts (checked here by the rules of the Fetch standard, not by the
/// code under test): token names, Latin-1 values without line breaks, one content type.
fn sendable(headers: &[(&str, &str)]) -> Result<(), TestCaseError> {
    for (name, value) in headers {
        prop_assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)),
            "header name {:?}",
            name
        );
        prop_assert!(
            value.chars().all(|c| c == '\t'
                || (' '..='~').contains(&c)
                || ('\u{80}'..='\u{ff}').contains(&c)),
            "header {}: {:?} is not Latin-1",
            name,
            value
        );
    }
    let content_types = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .count();
    prop_assert_eq!(content_types, 1);
    Ok(())
}

/// The widest response a config allows, built by hand: every limit at once fits the outbox.
#[test]
fn the_largest_body_fits_the_outbox() {
    let context: Map<String, Value> = (0..rules::MAX_CONTEXT)
        .map(|i| {
            (
                format!("{i:0>64}"),
                json!("😀".repeat(rules::MAX_CONTEXT_VALUE)),
            )
        })
        .collect();
    let reasons: Vec<Value> = (0..rules::MAX_REASONS)
        .map(|i| json!({"id": format!("{i:0>64}"), "label": "x"}))
        .collect();
    let cfg = Config::from_object(
        json!({"endpoint": "/x", "context": context, "context_params": [], "reasons": reasons})
            .as_object()
            .unwrap(),
        None,
    )
    .unwrap();
    let meta = Meta {
        id: "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a".into(),
        survey: "s".repeat(rules::MAX_ID),
        context: cfg.context_with_query(&[]),
        locale: "zh-CN".into(),
        page: Some("p".repeat(rules::MAX_PAGE)),
        created_at: "2026-11-23T08:30:00.000Z".into(),
        terms: Terms::of(&cfg.consent_text(), "zh-CN", rules::MAX_RETENTION_DAYS),
        write_key: "k".repeat(rules::MAX_WRITE_KEY),
    };
    let mut s = Survey::new(false);
    s.apply(Event::Choose(Score::new(2).expect("on the scale")));
    for r in &cfg.reasons {
        s.apply(Event::ToggleReason(r.id.clone()));
    }
    s.apply(Event::Comment("\u{1}".repeat(rules::MAX_COMMENT)));
    s.apply(Event::Phone("+86 138 1234 5678".into()));
    s.apply(Event::Consent(true));
    let stage = s.apply(Event::Submit).unwrap();
    let body = s
        .response(stage, &meta, "2026-11-23T08:31:00.000Z")
        .to_json();
    assert!(body.len() <= MAX_ENTRY_BYTES, "{} bytes", body.len());
    assert!(Response::parse(&serde_json::from_str(&body).unwrap()).is_ok());
}
