//! The case queue's pure part against the spec's JSON: reading, ordering, the hours left in
//! words, the PATCH body and its validation, refusals, and the rows per store.

use super::edit::{self, Act, Form, Invalid};
use super::stats::{self, Stat};
use super::*;

/// The case of the spec, as `GET /api/cases` lists it.
const SPEC_CASE: &str = r#"{"id": "c-1", "response_id": "r-1", "survey": "after-sales", "store": "SZ-FT",
 "store_name": "深圳福田店", "advisor": "wang", "advisor_name": "王磊", "region": "south",
 "visit": "RO-88231", "status": "open", "category": "detractor", "score": 3,
 "reasons": ["wait_time"], "comment": "等了三个多小时", "callback": true,
 "phone": "138****3788", "phone_on_file": "3788", "opened_at": "2026-12-03T01:30:00Z",
 "deadline": "2026-12-04T01:30:00Z", "hours_left": -5, "overdue": true,
 "owner": "li@brand.example", "root_cause": null, "reopens": 0,
 "first_contact_at": null, "resolved_at": null, "recovery_score": null}"#;

fn case(id: &str, status: &str, hours_left: i64, resolved_at: Option<&str>) -> Case {
    Case {
        id: id.into(),
        status: status.into(),
        hours_left,
        overdue: hours_left < 0,
        resolved_at: resolved_at.map(str::to_owned),
        ..Case::default()
    }
}

#[test]
fn the_spec_case_reads_whole() {
    let c = Case::from_json(SPEC_CASE).unwrap();
    assert_eq!(c.state(), State::Open);
    assert_eq!(c.response_id, "r-1");
    assert_eq!(c.score, Some(3));
    assert_eq!(c.phone.as_deref(), Some("138****3788"));
    assert_eq!(c.hours_left, -5);
    assert!(c.overdue && c.callback);
    assert_eq!(c.history, vec![]);
    assert_eq!(c.recovery_url, None);
    // A case with its history and link (GET /api/cases/{id}, and a PATCH's answer).
    let one = SPEC_CASE.trim_end_matches('}').to_owned()
        + r#", "history": [{"at": "2026-12-03T01:30:00Z", "who": "collector", "what": "opened",
        "note": null, "root_cause": null, "owner": null, "score": null}],
        "recovery_url": "https://nps.example/r/abc"}"#;
    let c = Case::from_json(&one).unwrap();
    assert_eq!(c.history.len(), 1);
    assert_eq!(c.history[0].what, "opened");
    assert_eq!(c.recovery_url.as_deref(), Some("https://nps.example/r/abc"));
    let list = Case::list_from_json(&format!("[{SPEC_CASE}]")).unwrap();
    assert_eq!(list, vec![Case::from_json(SPEC_CASE).unwrap()]);
    assert!(Case::list_from_json("{\"error\": \"x\"}").is_err());
}

#[test]
fn open_cases_by_hours_left_then_contacted_then_resolved_latest_first() {
    let mut cases = vec![
        case("r-old", "resolved", 30, Some("2026-12-01T08:00:00Z")),
        case("c-late", "contacted", -2, None),
        case("o-20", "open", 20, None),
        case("r-new", "resolved", -9, Some("2026-12-03T08:00:00Z")),
        case("o-5over", "open", -5, None),
        case("o-1", "open", 1, None),
        case("o-1b", "open", 1, None),
        case("c-10", "contacted", 10, None),
    ];
    sort(&mut cases);
    let order: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        order,
        ["o-5over", "o-1", "o-1b", "o-20", "c-late", "c-10", "r-new", "r-old"]
    );
}

#[test]
fn hours_left_in_words_overdue_in_red_only_while_waiting() {
    for (left, overdue, locale, want) in [
        (22, false, Locale::ZhCn, ("due", "还剩 22 小时")),
        (0, false, Locale::ZhCn, ("due", "还剩 0 小时")),
        (-5, true, Locale::ZhCn, ("due overdue", "已超时 5 小时")),
        (-5, true, Locale::ZhTw, ("due overdue", "已逾時 5 小時")),
        (-1, true, Locale::En, ("due overdue", "1 h overdue")),
        (3, false, Locale::En, ("due", "3 h left")),
    ] {
        let mut c = case("x", "open", left, None);
        c.overdue = overdue;
        assert_eq!(
            due(&c, locale),
            Some((want.0, want.1.to_owned())),
            "{left} {locale}"
        );
    }
    assert_eq!(due(&case("x", "contacted", -5, None), Locale::ZhCn), None);
    assert_eq!(due(&case("x", "resolved", 5, None), Locale::ZhCn), None);
}

#[test]
fn each_tab_asks_for_its_cases() {
    let queries: Vec<String> = Show::ALL.iter().map(|s| s.query()).collect();
    assert_eq!(
        queries,
        [
            "state=open&limit=200",
            "state=open&overdue=true&limit=200",
            "state=contacted&limit=200",
            "state=resolved&limit=200",
        ]
    );
    assert_eq!(Show::default(), Show::Open);
    assert_eq!(Show::Overdue.word().in_(Locale::ZhCn), "已超时");
}

#[test]
fn the_number_on_the_order_says_which_order() {
    let c = Case::from_json(SPEC_CASE).unwrap();
    assert_eq!(
        on_file(&c, Locale::ZhCn).as_deref(),
        Some("按工单 RO-88231 预留号码（尾号 3788）回电")
    );
    assert_eq!(
        on_file(&c, Locale::En).as_deref(),
        Some("Call the number on order RO-88231 (ending 3788)")
    );
    let no_visit = Case {
        visit: None,
        ..c.clone()
    };
    assert_eq!(
        on_file(&no_visit, Locale::ZhTw).as_deref(),
        Some("依工單預留號碼（尾號 3788）回電")
    );
    let none = Case {
        phone_on_file: None,
        ..c
    };
    assert_eq!(on_file(&none, Locale::ZhCn), None);
}

#[test]
fn history_lines_in_words() {
    let e = |what: &str| Event {
        what: what.into(),
        ..Event::default()
    };
    assert_eq!(event_text(&e("opened"), Locale::ZhCn), "创建回访");
    // Regression: the answer's score on `opened` read as the re-survey's.
    let opened = Event {
        score: Some(2),
        who: "collector".into(),
        ..e("opened")
    };
    assert_eq!(event_text(&opened, Locale::ZhCn), "创建回访：客户打 2 分");
    assert_eq!(who_text(&opened.who, Locale::ZhCn), "系统");
    assert_eq!(who_text("li@brand.example", Locale::En), "li@brand.example");
    let resolved = Event {
        root_cause: Some("等待时间".into()),
        note: Some("  已道歉，送保养券  ".into()),
        ..e("resolved")
    };
    assert_eq!(
        event_text(&resolved, Locale::ZhCn),
        "已解决：根本原因：等待时间 · 已道歉，送保养券"
    );
    let answer = Event {
        score: Some(8),
        ..e("recovery_answer")
    };
    assert_eq!(
        event_text(&answer, Locale::En),
        "Follow-up answered · Follow-up score 8"
    );
    let assigned = Event {
        owner: Some("zhao@brand.example".into()),
        ..e("assigned")
    };
    assert_eq!(
        event_text(&assigned, Locale::ZhTw),
        "轉交：zhao@brand.example"
    );
    // A kind this page does not know is shown by its key.
    assert_eq!(event_text(&e("merged"), Locale::En), "merged");
    assert_eq!(event_word("recovery_link"), Some(Word::EvRecoveryLink));
}

#[test]
fn the_patch_body_from_the_form_and_a_root_cause_to_resolve() {
    let form = |act, note: &str, cause: &str| Form {
        act,
        note: note.into(),
        root_cause: cause.into(),
        owner: String::new(),
    };
    let body =
        |f: Form| edit::body(&f).map(|b| serde_json::from_str::<serde_json::Value>(&b).unwrap());
    assert_eq!(
        body(form(Act::Contact, "  已致电  ", "")),
        Ok(serde_json::json!({"status": "contacted", "note": "已致电"}))
    );
    assert_eq!(
        body(form(Act::Contact, "", "")),
        Ok(serde_json::json!({"status": "contacted"}))
    );
    assert_eq!(
        body(form(Act::Resolve, "", "等待时间")),
        Ok(serde_json::json!({"status": "resolved", "root_cause": "等待时间"}))
    );
    assert_eq!(
        body(form(Act::Resolve, "x", "  ")),
        Err(Invalid::RootCauseNeeded)
    );
    // Handing over sends the colleague, and needs one.
    let hand = |owner: &str| Form {
        owner: owner.into(),
        ..form(Act::Assign, "", "")
    };
    assert_eq!(
        body(hand(" zhao@brand.example ")),
        Ok(serde_json::json!({"owner": "zhao@brand.example"}))
    );
    assert_eq!(body(hand("  ")), Err(Invalid::OwnerNeeded));
    // Reopening sends no root cause, whatever the select still shows.
    assert_eq!(
        body(form(Act::Reopen, "客户又来电", "等待时间")),
        Ok(serde_json::json!({"status": "open", "note": "客户又来电"}))
    );
    assert_eq!(
        Invalid::RootCauseNeeded.word().in_(Locale::ZhCn),
        "请选择根本原因。"
    );
    assert_eq!(Invalid::RootCauseNeeded.field(), "root_cause");
    assert_eq!(
        edit::root_causes(r#"["维修质量", "等待时间"]"#),
        Ok(vec!["维修质量".to_owned(), "等待时间".to_owned()])
    );
}

#[test]
fn a_refusal_in_words() {
    let bad = r#"{"error": "root_cause: \"x\" is not one of the brand's root causes", "field": "root_cause"}"#;
    for (status, body, locale, want) in [
        (
            400,
            bad,
            Locale::ZhCn,
            "未能保存：root_cause: \"x\" is not one of the brand's root causes",
        ),
        (
            409,
            "{\"error\": \"not now\"}",
            Locale::ZhCn,
            "这条回访刚被更新过，请刷新后再试。",
        ),
        (
            404,
            "",
            Locale::En,
            "This case is not found, or not in your stores.",
        ),
        (403, "", Locale::ZhTw, "您的角色只能查看回訪，不能處理。"),
        (
            401,
            "",
            Locale::ZhCn,
            "您尚未登录或登录已过期，请重新登录。",
        ),
        (
            502,
            "<html>",
            Locale::En,
            "Not saved: the collector answered 502",
        ),
    ] {
        assert_eq!(edit::refusal(status, body, locale), want, "{status}");
    }
    // A re-survey link the collector cannot sign is its setup's matter, not the case's.
    let no_link = edit::refusal(
        409,
        r#"{"error":"a re-survey link is signed with the visit secret","field":"recovery"}"#,
        Locale::ZhCn,
    );
    assert!(no_link.contains("请联系系统管理员"), "{no_link}");
}

#[test]
fn rows_per_store_with_the_recovery_rate_and_its_n() {
    let json = r#"[{"key": "SZ-FT", "name": "深圳福田店", "cases": 12, "open": 3, "overdue": 1,
        "contacted_in_time": 7, "in_time_share": 0.7777, "median_hours_to_contact": 2.46,
        "recovery_sent": 5, "recovery_answered": 3, "recovered": 2, "recovery_rate": 0.6667},
        {"key": "BJ-CY", "name": null, "cases": 1, "open": 1, "overdue": 0,
        "contacted_in_time": 0, "in_time_share": null, "median_hours_to_contact": null,
        "recovery_sent": 0, "recovery_answered": 0, "recovered": 0, "recovery_rate": null}]"#;
    let rows = stats::from_json(json).unwrap();
    let zh: Vec<stats::Row> = rows.iter().map(|s| stats::row(s, Locale::ZhCn)).collect();
    assert_eq!(zh[0].name, "深圳福田店");
    assert_eq!(
        zh[0].cells,
        ["12", "3", "1", "78%", "2.5 小时", "67%（2/3）"].map(String::from)
    );
    assert!(zh[0].overdue);
    assert_eq!(zh[1].name, "BJ-CY", "the code where the org names none");
    assert_eq!(
        zh[1].cells,
        ["1", "1", "0", "—", "—", "—"].map(String::from)
    );
    assert!(!zh[1].overdue);
    let en = stats::row(&rows[0], Locale::En);
    assert_eq!(en.cells[4], "2.5 h");
    assert_eq!(en.cells[5], "67% (2/3)");
    // Answered but no rate given: the same division.
    let s = Stat {
        recovery_answered: 4,
        recovered: 1,
        ..Stat::default()
    };
    assert_eq!(stats::row(&s, Locale::En).cells[5], "25% (1/4)");
    assert_eq!(stats::row(&s, Locale::ZhCn).name, "（未填写）");
    for (h, want) in [
        (0.0, "0"),
        (2.0, "2"),
        (2.46, "2.5"),
        (9.96, "10"),
        (31.4, "31"),
        (-1.0, "0"),
    ] {
        assert_eq!(stats::hours(h), want, "{h}");
    }
}
