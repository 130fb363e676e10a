//! The QR landing pages as a customer without JavaScript uses them: plain GETs and form
//! posts, the rows they store, one answer per visit, and signed visit links.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::*;
use nps_collector::landing::Landing;
use nps_collector::links::Carried;
use nps_collector::visit::{signed_context, VisitKey};
use nps_collector::Settings;
use serde_json::{json, Value};

const SECRET: &str = "a landing secret of some length";
const LANDING: &str = r#"{"after-sales": {"brand": "星辰汽车", "locale": "zh-CN", "review_url": "https://brand.example/review"}}"#;

fn landing_app(secret: Option<&str>) -> Router {
    router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        admin_token: "secret".into(),
        rate_limit: 0,
        min_fill_ms: Some(0),
        visit_key: secret.map(|s| VisitKey::new(s).unwrap()),
        landing: Landing::from_json(LANDING).unwrap(),
        ..Settings::default()
    })
}

async fn get(app: &Router, uri: &str) -> Reply {
    get_with(app, uri, "").await
}

/// A GET with the browser's cookies (`name=value; …`, or "").
async fn get_with(app: &Router, uri: &str, cookies: &str) -> Reply {
    let mut req = Request::get(uri);
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies);
    }
    send(app, req.body(Body::empty()).unwrap()).await
}

async fn post_form(app: &Router, uri: &str, form: &str) -> Reply {
    post_form_with(app, uri, form, "").await
}

async fn post_form_with(app: &Router, uri: &str, form: &str, cookies: &str) -> Reply {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies);
    }
    send(app, req.body(Body::from(form.to_owned())).unwrap()).await
}

/// The write key's cookie a landing post set (`nps_wk=…`), checked for its attributes, as a
/// browser sends it back.
fn key_cookie(r: &Reply, path: &str) -> String {
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains(&format!("; Path={path};"))
            && set.contains("; HttpOnly")
            && set.contains("; SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

/// Context keys and values.
fn carried(pairs: &[(&str, &str)]) -> Carried {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn location(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    r.headers[header::LOCATION].to_str().unwrap().to_owned()
}

/// The value of `name="…" value="…"` in a page.
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in the page"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_customer_without_javascript_answers_from_the_question_to_the_outcome() {
    let app = landing_app(None);
    let q = "/s/after-sales?store=SZ-FT&advisor=wang&visit=RO-1";
    let page = get(&app, q).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // The question from the core's words, eleven real buttons in a form posting back here.
    assert!(page.text.contains("<html lang=\"zh-CN\">"));
    assert!(page
        .text
        .contains("基于本次售后服务体验，您向亲友推荐<span class=\"nps-brand\">星辰汽车</span>的可能性有多大？"));
    assert_eq!(
        page.text
            .matches("<button type=\"submit\" name=\"score\"")
            .count(),
        11
    );
    assert!(page.text.contains("<form method=\"post\" action=\"/s/after-sales?store=SZ-FT&amp;advisor=wang&amp;visit=RO-1\">"));
    assert!(!page.text.contains("maximum-scale"), "zoom stays allowed");
    assert!(
        !page.text.contains("<script"),
        "no widget script without a static folder"
    );
    let id = hidden(&page.text, "id");

    // A tap: the score is stored at once, and the follow-up is a plain page.
    let r = post_form(
        &app,
        q,
        &format!("score=3&id={id}&created_at=2026-11-24T08%3A00%3A00.000Z"),
    )
    .await;
    let follow = location(&r);
    assert_eq!(follow, format!("/s/after-sales/{id}"));
    let jar = key_cookie(&r, &follow);
    assert!(
        !follow.contains(&jar[7..]),
        "the write key is never in a URL"
    );
    let rows = stored(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0]["id"], &rows[0]["stage"], &rows[0]["score"]),
        (&json!(id), &json!("scored"), &json!(3))
    );
    assert_eq!(
        rows[0]["context"],
        json!({"store": "SZ-FT", "advisor": "wang", "visit": "RO-1"})
    );
    let page = get_with(&app, &follow, &jar).await;
    assert!(page.text.contains("非常抱歉没能让您满意。主要是哪些方面？"));
    assert!(
        page.text.contains("name=\"reason\" value=\"wait_time\""),
        "after-sales reasons"
    );
    assert!(
        page.text.contains("name=\"phone\""),
        "a detractor is offered a call-back"
    );

    // A phone without consent: the same page, saying what to fix, nothing stored with it.
    let r = post_form_with(
        &app,
        &follow,
        "reason=wait_time&comment=%E5%A4%AA%E6%85%A2&phone=13812345678&action=submit",
        &jar,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("如需回电，请勾选同意。"));
    assert!(r.text.contains("太慢"), "what was typed is kept");
    assert_eq!(stored(&app).await[0]["contact"], Value::Null);

    let r = post_form_with(&app, &follow, "reason=wait_time&reason=unknown&comment=%E5%A4%AA%E6%85%A2&phone=13812345678&consent=1&action=submit", &jar).await;
    assert_eq!(location(&r), follow);
    let rows = stored(&app).await;
    assert_eq!(
        rows.len(),
        1,
        "the same response moved on, not a second one"
    );
    assert_eq!(rows[0]["stage"], "completed");
    assert_eq!(rows[0]["reasons"], json!(["wait_time"]));
    assert_eq!(rows[0]["comment"], "太慢");
    // Stored in full; the export shows it masked.
    assert_eq!(rows[0]["contact"]["phone"], "138****5678");
    let done = get_with(&app, &follow, &jar).await;
    assert!(
        done.text.contains("服务经理会给您回电"),
        "the call-back wording"
    );
    assert!(!done.text.contains("<form"), "the outcome is final");

    // The same visit again: already answered, nothing new.
    let again = get(&app, q).await;
    assert!(again.text.contains("您已完成本次评价"), "{}", again.text);
    let r = post_form(&app, q, "score=9").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("您已完成本次评价"));
    assert_eq!(stored(&app).await.len(), 1);
}

#[tokio::test]
async fn the_widget_posting_a_second_response_for_a_visit_gets_a_final_410() {
    let app = landing_app(None);
    let mut first = body("scored", Some(9), "2026-11-23T08:30:01.000Z");
    first["context"] = json!({"visit": "RO-2"});
    assert_eq!(post(&app, &first).await.status, StatusCode::CREATED);
    // The same id moving on is not a second response.
    let mut done = first.clone();
    done["stage"] = json!("completed");
    done["updated_at"] = json!("2026-11-23T08:30:09.000Z");
    assert_eq!(post(&app, &done).await.status, StatusCode::OK);
    let mut second = first.clone();
    second["id"] = json!("7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6");
    let r = post(&app, &second).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json()["field"], "context.visit");
    // A dismissal does not use up the visit.
    let mut other = body("dismissed", None, "2026-11-23T08:30:01.000Z");
    other["id"] = json!("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
    other["category"] = Value::Null;
    other["context"] = json!({"visit": "RO-3"});
    assert_eq!(post(&app, &other).await.status, StatusCode::CREATED);
    let mut answer = first.clone();
    answer["id"] = json!("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e");
    answer["context"] = json!({"visit": "RO-3"});
    assert_eq!(post(&app, &answer).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn signed_visit_links_refuse_tampered_missing_and_expired_tokens() {
    let app = landing_app(Some(SECRET));
    let key = VisitKey::new(SECRET).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let good = key.sign("after-sales", &carried(&[("visit", "RO-9")]), now + 3600);
    let url = |visit: &str, t: &str| format!("/s/after-sales?visit={visit}&t={t}");

    let page = get(&app, &url("RO-9", &good)).await;
    assert_eq!(page.status, StatusCode::OK);
    // Tampered: another visit with this visit's token, a changed signature, none at all.
    for bad in [
        url("RO-10", &good),
        url("RO-9", &good.replace('.', ".x")),
        "/s/after-sales?visit=RO-9".to_owned(),
    ] {
        let r = get(&app, &bad).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}");
        assert!(r.text.contains("链接无效"), "{bad}: {}", r.text);
    }
    let expired = key.sign("after-sales", &carried(&[("visit", "RO-9")]), now - 60);
    let r = get(&app, &url("RO-9", &expired)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("链接已过期"), "{}", r.text);

    // The API checks the same token: the widget's post carries it in its context.
    let mut b = body("scored", Some(8), "2026-11-23T08:30:01.000Z");
    b["context"] = json!({"visit": "RO-9", "t": "1.AAAA"});
    let r = post(&app, &b).await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::FORBIDDEN, json!("context.t"))
    );
    b["context"] = json!({"visit": "RO-9", "t": good});
    assert_eq!(post(&app, &b).await.status, StatusCode::CREATED);
    // A form post with the good link is stored with its token.
    let r = post_form(&app, &url("RO-9", &good), "score=10").await;
    assert_eq!(r.status, StatusCode::OK, "already answered through the API");
    assert!(r.text.contains("您已完成本次评价"));
    // A response without a visit needs no token.
    let mut plain = body("scored", Some(8), "2026-11-23T08:30:01.000Z");
    plain["id"] = json!("3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f");
    plain["context"] = json!({"store": "SZ-FT"});
    assert_eq!(post(&app, &plain).await.status, StatusCode::CREATED);
}

/// A survey with a fixed context, and one that takes only signed visits.
const SIGNED_LANDING: &str = r#"{
  "after-sales": {"brand": "星辰汽车", "locale": "zh-CN", "context": {"channel": "qr"}},
  "warranty": {"locale": "zh-CN", "require_visit": true}
}"#;

fn signed_app() -> Router {
    router_with(Settings {
        allow_origins: vec!["https://brand.example".into()],
        admin_token: "secret".into(),
        rate_limit: 0,
        min_fill_ms: Some(0),
        visit_key: Some(VisitKey::new(SECRET).unwrap()),
        landing: Landing::from_json(SIGNED_LANDING).unwrap(),
        ..Settings::default()
    })
}

/// A link's query string for `pairs`, signed for `survey` for an hour.
fn signed_query(survey: &str, pairs: &[(&str, &str)]) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let t = VisitKey::new(SECRET)
        .unwrap()
        .sign(survey, &carried(pairs), now + 3600);
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.extend_pairs(pairs.iter().copied()).append_pair("t", &t);
    q.finish()
}

/// A widget's post for `survey` with `context`, under a fresh id.
fn json_post(survey: &str, context: Value) -> Value {
    let mut b = body("scored", Some(9), "2026-11-23T08:30:01.000Z");
    b["id"] = json!(uuid::Uuid::new_v4().to_string());
    b["survey"] = json!(survey);
    b["context"] = context;
    b
}

/// The no-script form's post for `survey` with `context`.
fn form_post(survey: &str, context: &Carried) -> String {
    let mut f = form_urlencoded::Serializer::new(String::new());
    f.append_pair("survey", survey).append_pair("score", "9");
    for (k, v) in context {
        f.append_pair(&format!("context.{k}"), v);
    }
    f.finish()
}

#[tokio::test]
async fn a_token_covers_every_value_its_link_carries() {
    let app = signed_app();
    let link = [
        ("store", "SZ-FT"),
        ("advisor", "wang"),
        ("model", "X5"),
        ("touchpoint", "after_service"),
        ("visit", "RO-20"),
    ];
    let q = signed_query("after-sales", &link);
    let good: Carried = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
    let page = get(&app, &format!("/s/after-sales?{q}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    // Each value edited (advisor=wang → zhang …), and a key the link did not carry added.
    let mut tampered: Vec<Carried> = link
        .iter()
        .filter(|(k, _)| *k != "visit")
        .map(|(k, _)| {
            let mut c = good.clone();
            c.insert(k.to_string(), "zhang".into());
            c
        })
        .collect();
    let mut added = good.clone();
    added.insert("service_type".into(), "repair".into());
    tampered.push(added);
    for c in &tampered {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(c.iter())
            .finish();
        let r = get(&app, &format!("/s/after-sales?{query}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{query}");
        assert!(r.text.contains("链接无效"), "{query}: {}", r.text);
        let r = post_form(&app, &format!("/s/after-sales?{query}"), "score=9").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "the page's form: {query}");
        let r = post(&app, &json_post("after-sales", json!(c))).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::FORBIDDEN, json!("context.t")),
            "JSON: {query}"
        );
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("altered or added"));
        let r = post_form(&app, "/api/responses", &form_post("after-sales", c)).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "the no-script form: {query}"
        );
        assert!(r.text.contains("链接无效"), "{}", r.text);
    }
    assert!(stored(&app).await.is_empty(), "nothing tampered is stored");
    // The survey's fixed context is not part of the link: the page adds it, and a widget on
    // a page with the same fixed context posts it; another value of it is refused.
    let mut with_fixed = good.clone();
    with_fixed.insert("channel".into(), "wechat".into());
    let r = post(&app, &json_post("after-sales", json!(with_fixed))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    with_fixed.insert("channel".into(), "qr".into());
    let r = post(&app, &json_post("after-sales", json!(with_fixed))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let rows = stored(&app).await;
    assert_eq!(rows[0]["context"]["advisor"], "wang");
    // The page's own form with the good link: the same visit, answered already.
    let r = post_form(&app, &format!("/s/after-sales?{q}"), "score=9").await;
    assert!(r.text.contains("您已完成本次评价"), "{}", r.text);
    // A signed link without a visit: its values are checked all the same.
    let store_only = signed_query("after-sales", &[("store", "SZ-FT")]);
    let r = get(&app, &format!("/s/after-sales?{store_only}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let edited = store_only.replace("SZ-FT", "SZ-LH");
    let r = get(&app, &format!("/s/after-sales?{edited}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_survey_that_requires_a_signed_visit_refuses_unsigned_answers_saying_why() {
    let app = signed_app();
    let why = "此问卷需通过服务后收到的专属链接作答。";
    for q in [
        "",
        "?store=SZ-FT",
        &format!("?{}", signed_query("warranty", &[("store", "SZ-FT")])),
    ] {
        let r = get(&app, &format!("/s/warranty{q}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{q}");
        assert!(r.text.contains(why), "{q}: {}", r.text);
        assert!(!r.text.contains("<form"), "{q}");
    }
    let r = post_form(&app, "/s/warranty?store=SZ-FT", "score=9").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&app, &json_post("warranty", json!({"store": "SZ-FT"}))).await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::FORBIDDEN, json!("context.t"))
    );
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("require_visit"));
    let r = post_form(
        &app,
        "/api/responses",
        &form_post("warranty", &carried(&[("store", "SZ-FT")])),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.text.contains("此问卷需通过服务后收到的专属链接作答"),
        "{}",
        r.text
    );
    assert!(stored(&app).await.is_empty());
    // A signed visit is answered, on the page and through the API.
    let q = signed_query("warranty", &[("visit", "W-1")]);
    assert_eq!(
        get(&app, &format!("/s/warranty?{q}")).await.status,
        StatusCode::OK
    );
    let r = post_form(&app, &format!("/s/warranty?{q}"), "score=9").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let signed: Carried =
        form_urlencoded::parse(signed_query("warranty", &[("visit", "W-2")]).as_bytes())
            .into_owned()
            .collect();
    let r = post(&app, &json_post("warranty", json!(signed))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Other surveys still take answers without a visit.
    let r = post(&app, &json_post("after-sales", json!({"store": "SZ-FT"}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // The setting is read, and a bad value named.
    let err = Landing::from_json(r#"{"warranty": {"require_visit": "yes"}}"#).unwrap_err();
    assert!(
        err.contains("warranty.require_visit") && err.contains("true or false"),
        "{err}"
    );
    for typo in ["require_visits", "requireVisit", "require-visit"] {
        let err =
            Landing::from_json(&format!(r#"{{"warranty": {{"{typo}": true}}}}"#)).unwrap_err();
        assert!(
            err.contains(&format!(
                "warranty.{typo} is not a key: did you mean require_visit"
            )),
            "{err}"
        );
    }
}

#[test]
fn require_visit_without_the_visit_secret_is_an_error_at_start() {
    let file = db_path().with_extension("landing.json");
    std::fs::write(&file, SIGNED_LANDING).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(["--landing", file.to_str().unwrap(), "--port", "0"])
        .arg("--db")
        .arg(db_path())
        .env_remove("NPS_VISIT_SECRET")
        .env_remove("NPS_LANDING")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the collector started with require_visit and no visit secret");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("warranty") && err.contains("require_visit") && err.contains("--visit-secret"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_surveys_and_responses_get_a_page_in_the_customers_language() {
    let app = landing_app(None);
    let r = get(&app, "/s/other").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text.contains("链接无效"));
    let req = Request::get("/s/other")
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.8")
        .body(Body::empty())
        .unwrap();
    let r = send(&app, req).await;
    assert!(r.text.contains("<html lang=\"en\">"), "{}", r.text);
    let r = get(&app, "/s/after-sales/0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A score that is not one names nothing internal and stores nothing.
    let r = post_form(&app, "/s/after-sales", "score=11").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(&app, "/s/after-sales?locale=en", "score=<b>").await;
    assert!(!r.text.contains("<b>"));
    assert!(stored(&app).await.is_empty());
    // The page's words follow ?locale=.
    let r = get(&app, "/s/after-sales?locale=zh-TW").await;
    assert!(r.text.contains("基於本次售後服務體驗"), "{}", r.text);
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nps-collector"))
        .args(args)
        .env_remove("NPS_VISIT_SECRET")
        .env_remove("NPS_LANDING")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_line_signs_links_and_writes_codes_sheets_and_static_pages() {
    let dir = db_path().parent().unwrap().to_path_buf();
    let link = [
        "--base",
        "https://nps.example.com",
        "--survey",
        "after-sales",
        "--store",
        "SZ-FT",
    ];
    // sign-visit: a URL whose token verifies for its survey and visit.
    let mut args = vec!["--visit-secret", SECRET, "sign-visit"];
    args.extend(link);
    args.extend(["--visit", "RO-88231", "--ttl", "2d"]);
    let (ok, url, err) = cli(&args);
    assert!(ok, "{err}");
    let url = url::Url::parse(url.trim()).unwrap();
    assert_eq!(url.path(), "/s/after-sales");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(
        (q["store"].as_str(), q["visit"].as_str()),
        ("SZ-FT", "RO-88231")
    );
    let signed = carried(&[("store", "SZ-FT"), ("visit", "RO-88231")]);
    let expires = VisitKey::new(SECRET)
        .unwrap()
        .verify(
            "after-sales",
            &signed_context(&signed, &Carried::new()),
            Some(&q["t"]),
        )
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((expires - now - 2 * 86_400).abs() < 60);
    // Without a secret: a clear error, not an unsigned link.
    let mut args = vec!["sign-visit"];
    args.extend(link);
    args.extend(["--visit", "RO-1"]);
    let (ok, _, err) = cli(&args);
    assert!(!ok && err.contains("--visit-secret"), "{err}");

    // qr: one SVG, one PNG, and a sheet from a CSV.
    for file in ["code.svg", "code.png"] {
        let out = dir.join(file);
        let mut args = vec!["qr", "--visit", "RO-1", "--out", out.to_str().unwrap()];
        args.extend(link);
        let (ok, _, err) = cli(&args);
        assert!(ok, "{err}");
        let bytes = std::fs::read(&out).unwrap();
        if file.ends_with(".svg") {
            assert!(String::from_utf8_lossy(&bytes).contains("<svg"));
        } else {
            assert_eq!(&bytes[1..4], b"PNG");
        }
    }
    let csv = dir.join("visits.csv");
    std::fs::write(&csv, "visit,advisor\nRO-1,wang\nRO-2,li\n").unwrap();
    let sheet = dir.join("sheet");
    let mut args = vec!["--visit-secret", SECRET, "qr", "--sign", "--csv"];
    args.extend([csv.to_str().unwrap(), "--out", sheet.to_str().unwrap()]);
    args.extend(link);
    let (ok, out, err) = cli(&args);
    assert!(ok, "{err}");
    assert!(out.contains("2 codes"), "{out}");
    let index = std::fs::read_to_string(sheet.join("index.html")).unwrap();
    assert!(
        index.contains("RO-1.svg") && index.contains("RO-2.svg"),
        "{index}"
    );
    // A CSV without a visit column says what it needs.
    std::fs::write(&csv, "order\nRO-1\n").unwrap();
    let (ok, _, err) = cli(&args);
    assert!(!ok && err.contains("visit column"), "{err}");

    // landing: a static page whose form posts to the collector.
    let page = dir.join("after-sales.html");
    let (ok, _, err) = cli(&[
        "landing",
        "--base",
        "https://nps.example.com",
        "--survey",
        "after-sales",
        "--out",
        page.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("action=\"https://nps.example.com/s/after-sales\""));
    assert!(html.contains("src=\"https://nps.example.com/nps-widget.js\""));
    assert_eq!(html.matches("name=\"score\"").count(), 11);
}

#[tokio::test]
async fn the_commands_sign_every_value_they_put_in_a_link() {
    let app = signed_app();
    let landing = db_path().with_extension("landing.json");
    std::fs::write(&landing, SIGNED_LANDING).unwrap();
    let landing = landing.to_str().unwrap();
    let dir = db_path().parent().unwrap().to_path_buf();
    let code = dir.join("signed.svg");
    let link = [
        "--base",
        "https://nps.example.com",
        "--survey",
        "after-sales",
        "--store",
        "SZ-FT",
        "--advisor",
        "wang",
        "--context",
        "model=X5",
        "--context",
        "touchpoint=after_service",
    ];
    let sign_visit = ["sign-visit", "--visit", "RO-30"];
    let qr = [
        "qr",
        "--sign",
        "--visit",
        "RO-31",
        "--out",
        code.to_str().unwrap(),
    ];
    for command in [&sign_visit[..], &qr[..]] {
        let mut args = vec!["--visit-secret", SECRET, "--landing", landing];
        args.extend(command);
        args.extend(link);
        let (ok, out, err) = cli(&args);
        assert!(ok, "{err}");
        let url = url::Url::parse(out.trim().rsplit(' ').next().unwrap()).unwrap();
        let q = url.query().unwrap();
        for key in [
            "store=SZ-FT",
            "advisor=wang",
            "model=X5",
            "touchpoint=after_service",
            "t=",
        ] {
            assert!(q.contains(key), "{key} in {q}");
        }
        let r = get(&app, &format!("{}?{q}", url.path())).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text);
        let edited = q.replace("advisor=wang", "advisor=zhang");
        let r = get(&app, &format!("{}?{edited}", url.path())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{edited}");
    }
    // A value the survey's page would not take from the link (its config fixes channel).
    let mut args = vec!["--visit-secret", SECRET, "--landing", landing];
    args.extend(sign_visit);
    args.extend(link);
    args.extend(["--context", "channel=wechat"]);
    let (ok, _, err) = cli(&args);
    assert!(!ok && err.contains("does not take channel"), "{err}");
}

/// A survey with a referral, one with only a review page, one with neither.
const INVITE_LANDING: &str = r#"{
  "after-sales": {"brand": "星辰汽车", "locale": "zh-CN", "referral_url": "https://brand.example/refer?from=nps", "review_url": "https://brand.example/review"},
  "plain": {"brand": "Acme", "locale": "en", "review_url": "https://brand.example/review"},
  "bare": {"locale": "zh-CN"}
}"#;

fn invite_app() -> Router {
    router_with(Settings {
        admin_token: "secret".into(),
        rate_limit: 0,
        min_fill_ms: Some(0),
        landing: Landing::from_json(INVITE_LANDING).unwrap(),
        ..Settings::default()
    })
}

#[tokio::test]
async fn the_invite_page_sends_a_friend_to_the_configured_referral_and_nowhere_else() {
    let app = invite_app();
    for q in [
        "",
        "?to=https://evil.example",
        "?to=//evil.example",
        "?referral_url=https%3A%2F%2Fevil.example&next=%2F%2Fevil.example",
        "?locale=en&url=//evil.example/x",
    ] {
        let r = get(&app, &format!("/s/after-sales/invite{q}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{q}");
        assert_eq!(
            r.headers[header::LOCATION],
            "https://brand.example/refer?from=nps",
            "{q}"
        );
    }
    // Without a referral: a small page of its own, in the survey's language.
    let r = get(&app, "/s/plain/invite?to=https://evil.example").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.headers.contains_key(header::LOCATION));
    assert!(r.text.contains("<html lang=\"en\">"), "{}", r.text);
    assert!(r.text.contains("A friend recommends Acme"), "{}", r.text);
    assert!(r
        .text
        .contains("href=\"https://brand.example/review\" rel=\"noopener noreferrer\">See what customers say</a>"));
    assert!(!r.text.contains("evil"));
    let r = get(&app, "/s/bare/invite").await;
    assert!(r.text.contains("您的朋友向您推荐我们"), "{}", r.text);
    assert!(!r.text.contains("<a "), "no link to offer");
    let r = get(&app, "/s/unknown/invite").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_promoters_outcome_links_their_referral_page_and_shares_the_invite_page() {
    let app = invite_app();
    let q = "/s/after-sales?store=SZ-FT&visit=RO-40";
    let page = get(&app, q).await;
    let id = hidden(&page.text, "id");
    let tapped = post_form(&app, q, &format!("score=10&id={id}")).await;
    let follow = location(&tapped);
    assert_eq!(follow, format!("/s/after-sales/{id}"));
    let jar = key_cookie(&tapped, &follow);
    let r = post_form_with(&app, &follow, "reason=repair_quality&action=submit", &jar).await;
    assert_eq!(location(&r), follow);
    let done = get_with(&app, &follow, &jar).await;
    // The one primary action: the promoter's own referral page (core `referral_page`), a plain
    // link that works before any script, in WeChat too.
    assert!(
        done.text.contains(&format!(
            "<a class=\"nps-primary\" href=\"/s/after-sales/{id}/refer\" rel=\"noopener noreferrer\">邀请好友试驾</a>"
        )),
        "{}",
        done.text
    );
    assert!(
        !done.text.contains("data-share data-title"),
        "no share link"
    );
    // What WeChat's ··· shares is the invite page: the response's id is in no share target.
    assert!(done
        .text
        .contains("<meta name=\"nps-share\" content=\"/s/after-sales/invite\">"));
    // Inside WeChat the page's address becomes the invite page's at once (www/share.js).
    assert!(done.text.contains(
        "if(m&&/MicroMessenger/i.test(navigator.userAgent))try{history.replaceState(null,'',m.content);}catch(e){}"
    ));
    // Pages that carry a visit or a response are not indexed.
    for p in [&page, &done] {
        assert!(p
            .text
            .contains("<meta name=\"robots\" content=\"noindex\">"));
    }
    // The review stays a plain link to the review page.
    assert!(done
        .text
        .contains("<a class=\"nps-link\" href=\"https://brand.example/review\""));
}

/// Any outcome is served at its response's address, so whatever the score and whether or not
/// the survey has a referral, WeChat's ··· shares the survey's invite page instead.
#[tokio::test]
async fn every_outcome_names_the_invite_page_as_what_wechat_shares() {
    let app = invite_app();
    for (n, (survey, score)) in [("plain", 10), ("plain", 3), ("bare", 8), ("after-sales", 0)]
        .into_iter()
        .enumerate()
    {
        let q = format!("/s/{survey}?store=SZ-FT&visit=RO-4{n}{n}");
        let page = get(&app, &q).await;
        let id = hidden(&page.text, "id");
        let tapped = post_form(&app, &q, &format!("score={score}&id={id}")).await;
        let follow = location(&tapped);
        let jar = key_cookie(&tapped, &follow);
        post_form_with(&app, &follow, "action=submit", &jar).await;
        let done = get_with(&app, &follow, &jar).await;
        assert!(
            done.text.contains(&format!(
                "<meta name=\"nps-share\" content=\"/s/{survey}/invite\">"
            )),
            "{survey} {score}: {}",
            done.text
        );
        assert!(
            done.text
                .contains("history.replaceState(null,'',m.content)"),
            "{survey} {score}"
        );
        assert!(done.text.contains("nps-outcome"), "{survey} {score}");
    }
}

/// "Call me at the number on my order": a signed link carrying the order's phone tail offers
/// the tick on the no-script follow-up; ticked, the answer asks for a call-back with no phone
/// stored at all. An unsigned tail, or the tick without one, is refused naming the field.
#[tokio::test]
async fn a_detractor_asks_for_a_call_at_the_number_on_the_order() {
    let app = signed_app();
    let link = [("visit", "RO-40"), ("phone_tail", "3788")];
    let q = format!("/s/after-sales?{}", signed_query("after-sales", &link));
    let page = get(&app, &q).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let id = hidden(&page.text, "id");
    let r = post_form(&app, &q, &format!("score=2&id={id}")).await;
    let follow = location(&r);
    let jar = key_cookie(&r, &follow);
    let page = get_with(&app, &follow, &jar).await;
    assert!(
        page.text.contains(
            "name=\"on_file\" value=\"1\"><span>请按工单预留号码（尾号 3788）联系我</span>"
        ),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("name=\"phone\""),
        "typing a number stays possible"
    );
    // Ticked (a half-typed phone beside it is not sent): a call-back, and no phone anywhere.
    let r = post_form_with(&app, &follow, "phone=1381&on_file=1&action=submit", &jar).await;
    assert_eq!(location(&r), follow);
    let rows = stored(&app).await;
    assert_eq!(
        rows[0]["contact"],
        json!({"on_file": true, "consent": true, "callback_hours": 24})
    );
    assert_eq!(rows[0]["context"]["phone_tail"], "3788");
    let done = get_with(&app, &follow, &jar).await;
    assert!(done.text.contains("服务经理会给您回电"), "{}", done.text);
    let csv = list(&app, "?format=csv", Some("secret")).await.text;
    assert!(!csv.contains("1381"), "{csv}");

    // A link without the tail offers no tick.
    let q = format!(
        "/s/after-sales?{}",
        signed_query("after-sales", &[("visit", "RO-41")])
    );
    let r = post_form(&app, &q, "score=2").await;
    let follow = location(&r);
    let page = get_with(&app, &follow, &key_cookie(&r, &follow)).await;
    assert!(page.text.contains("name=\"phone\"") && !page.text.contains("on_file"));

    // The widget's JSON: a tail the link did not sign, the tick without a tail.
    let on_file = json!({"on_file": true, "consent": true, "callback_hours": 24});
    let mut unsigned = json_post(
        "after-sales",
        json!({"store": "SZ-FT", "phone_tail": "3788"}),
    );
    unsigned["stage"] = json!("completed");
    unsigned["score"] = json!(2);
    unsigned["category"] = json!("detractor");
    unsigned["contact"] = on_file;
    let r = post(&app, &unsigned).await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::FORBIDDEN, json!("context.phone_tail"))
    );
    unsigned["context"] = json!({"store": "SZ-FT"});
    let r = post(&app, &unsigned).await;
    assert_eq!(r.json()["field"], "context.phone_tail", "{}", r.text);
    assert_eq!(stored(&app).await.len(), 2);
}

/// The re-survey of a resolved case: its signed link asks the same question under a line of
/// its own; the answer is kept flagged `recovery` (never counted). An edited or unsigned
/// link is refused, on the page and through the API.
#[tokio::test]
async fn a_re_survey_link_asks_again_and_an_edited_or_unsigned_one_is_refused() {
    use nps_collector::recovery::{recovery_url, Resolved};
    let app = signed_app();
    let case = uuid::Uuid::new_v4();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let resolved = Resolved {
        case,
        survey: "after-sales",
        store: Some("SZ-FT"),
        advisor: Some("wang"),
    };
    let key = VisitKey::new(SECRET).unwrap();
    let landing = Landing::from_json(SIGNED_LANDING).unwrap();
    let url = recovery_url(&key, &landing, "https://nps.example.com", &resolved, now).unwrap();
    let url = url::Url::parse(&url).unwrap();
    let q = format!("{}?{}", url.path(), url.query().unwrap());
    let page = get(&app, &q).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains(
        "<p class=\"nps-prompt nps-recovery\">上次的问题处理得怎么样？</p><h1 id=\"nps-q\""
    ));
    assert_eq!(
        page.text
            .matches("<button type=\"submit\" name=\"score\"")
            .count(),
        11
    );
    let r = post_form(&app, &q, "score=9").await;
    location(&r);
    let rows = stored(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["flag"], "recovery");
    assert_eq!(rows[0]["context"]["recovery"], json!(case.to_string()));

    let other = uuid::Uuid::new_v4().to_string();
    let edited = q.replace(&case.to_string(), &other);
    let unsigned = format!("/s/after-sales?recovery={case}&store=SZ-FT");
    for bad in [&edited, &unsigned] {
        let r = get(&app, bad).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}");
        assert!(r.text.contains("链接无效"), "{bad}: {}", r.text);
        let r = post_form(&app, bad, "score=10").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}");
    }
    let r = post(
        &app,
        &json_post("after-sales", json!({"recovery": case.to_string()})),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::FORBIDDEN, json!("context.recovery"))
    );
    assert_eq!(stored(&app).await.len(), 1, "nothing refused was stored");
}

#[test]
fn sign_visit_puts_the_orders_phone_tail_in_the_signed_link_and_nothing_but_4_digits() {
    let base = [
        "--visit-secret",
        SECRET,
        "sign-visit",
        "--base",
        "https://nps.example.com",
        "--survey",
        "after-sales",
        "--visit",
        "RO-50",
    ];
    let (ok, out, err) = cli(&[&base[..], &["--phone-tail", "3788"]].concat());
    assert!(ok, "{err}");
    let url = url::Url::parse(out.trim()).unwrap();
    let read: Carried = url.query_pairs().into_owned().collect();
    assert_eq!(read["phone_tail"], "3788");
    let t = read.get("t").map(String::as_str);
    let signed = signed_context(&read, &Carried::new());
    assert!(VisitKey::new(SECRET)
        .unwrap()
        .verify("after-sales", &signed, t)
        .is_ok());
    for bad in ["378", "13812343788", "37a8"] {
        let (ok, _, err) = cli(&[&base[..], &["--phone-tail", bad]].concat());
        assert!(
            !ok && err.contains("phone_tail=") && err.contains("exactly 4 digits"),
            "{bad}: {err}"
        );
    }
}

/// The page looks like the brand's: its logo (served by the collector, cached for long, never
/// from elsewhere), the visit's store, advisor and date in words (never a code), and a link to
/// its privacy notice; all before any script.
#[tokio::test]
async fn a_landing_page_shows_the_brands_logo_the_visit_and_the_privacy_link() {
    let dir = db_path().parent().unwrap().to_owned();
    let logo = dir.join("logo.png");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-the-rest".to_vec();
    std::fs::write(&logo, &png).unwrap();
    let landing = json!({"after-sales": {"brand": "星辰汽车", "locale": "zh-CN",
        "logo": logo.to_str().unwrap(), "privacy_url": "https://brand.example/privacy"}});
    let path = db_path();
    let app = nps_collector::app(
        nps_collector::Store::open(&path).unwrap(),
        Settings {
            rate_limit: 0,
            landing: Landing::from_json(&landing.to_string()).unwrap(),
            names: nps_core::scoring::analysis::Names::from_json(
                r#"{"store": {"SZ-FT": "深圳福田店"}, "advisor": {"wang": "王磊"}}"#,
            )
            .unwrap(),
            ..Settings::default()
        },
    );
    // A visit issued 2026-11-27 20:00 UTC: 11 月 28 日 in China (the default offset).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO visits (survey, visit, store, advisor, issued_ns, source, recorded_ns)
             VALUES ('after-sales', 'RO-7', 'SZ-FT', 'wang', 1795809600000000000, 'api', 0)",
            [],
        )
        .unwrap();
    let page = get(&app, "/s/after-sales?store=SZ-FT&advisor=wang&visit=RO-7").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("<p class=\"nps-page-visit\">深圳福田店 · 顾问 王磊 · 11\u{a0}月\u{a0}28\u{a0}日到店</p>"),
        "{}",
        page.text
    );
    assert!(page.text.contains(
        "<p class=\"nps-page-foot\"><a href=\"https://brand.example/privacy\" rel=\"noopener noreferrer\">隐私政策</a></p>"
    ));
    let src = page
        .text
        .split("<img class=\"nps-page-logo\" src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the logo")
        .to_owned();
    assert!(src.starts_with("/s/after-sales/logo?v="), "{src}");
    // The logo is the tab's icon too.
    assert!(page
        .text
        .contains(&format!("<link rel=\"icon\" href=\"{src}\">")));
    let served = get(&app, &src).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/png");
    assert!(served.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age=31536000"));
    // Unknown codes and an unrecorded visit: nothing shown, never the code.
    let page = get(&app, "/s/after-sales?store=XX-9&advisor=li&visit=RO-8").await;
    assert!(!page.text.contains("<p class=\"nps-page-visit\">"));
    let around = page.text.split("<div id=\"nps\"").next().unwrap();
    assert!(!around.contains("XX-9"), "{around}");
    // A survey without a logo has none to serve, and its page asks for no icon.
    let page = get(&app, "/s/other").await;
    assert!(
        page.text.contains("<link rel=\"icon\" href=\"data:,\">"),
        "{}",
        page.text
    );
    assert_eq!(
        get(&app, "/s/other/logo").await.status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn a_logo_that_is_not_an_image_or_too_large_refuses_the_landing_file() {
    let dir = db_path().parent().unwrap().to_owned();
    let big = dir.join("big.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(100_001, 0);
    std::fs::write(&big, &bytes).unwrap();
    let text = dir.join("logo.txt");
    std::fs::write(&text, "hello").unwrap();
    for (file, want) in [
        (&big, "is 100001 bytes: a logo is at most 100000 bytes"),
        (&text, "is not a PNG, JPEG or SVG file"),
    ] {
        let landing = json!({"after-sales": {"logo": file.to_str().unwrap()}});
        let e = Landing::from_json(&landing.to_string()).unwrap_err();
        assert!(
            e.contains(&format!(
                "after-sales.logo {:?}: {want}",
                file.to_str().unwrap()
            )),
            "{e}"
        );
    }
}
