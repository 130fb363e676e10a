//! What a case's alert says: the case as the store keeps it (its answer's reasons and comment,
//! the store's and advisor's names in force, the deadline and the hours left now, the link to
//! the case) as `alerts::Alert`, which has no phone field; and a referral's thank-you
//! (`thanks`), from the body frozen with its event (`thanks_body`).

use nps_core::cases::hours_left;
use nps_core::cases::opening::AlertKind;
use nps_core::contract::payload::Response;
use nps_core::growth::referral::EventKind;
use nps_core::scoring::analysis::Names;
use nps_core::scoring::score::Category;
use serde_json::Value;

use crate::alerts::{Alert, Named, Thanks};
use crate::storage::{CaseRow, Now};

/// The alert of `kind` about case `c` at `now`, its link under `base`.
pub fn case_alert(
    kind: AlertKind,
    c: &CaseRow,
    names: &Names,
    base: &str,
    now: &Now,
    utc_offset_minutes: i32,
) -> Alert {
    let answer = c
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| Response::parse(&v).ok());
    let (reasons, comment) = match &answer {
        Some(r) => (r.reasons.clone(), r.comment.clone()),
        None => (Vec::new(), None),
    };
    let store = c.store.as_ref().map(|id| Named {
        id: id.clone(),
        name: names.get("store", id).unwrap_or(id).to_owned(),
    });
    let advisor = c
        .advisor
        .as_ref()
        .map(|a| names.get("advisor", a).unwrap_or(a).to_owned());
    Alert {
        kind,
        case_id: c.id.clone(),
        survey: c.survey.clone(),
        score: c.score.clamp(0, 10) as u8,
        category: Category::parse(&c.category).unwrap_or(Category::Detractor),
        reasons,
        comment,
        store,
        advisor,
        visit: c.visit.clone(),
        callback: c.callback,
        deadline_ns: c.deadline_ns,
        utc_offset_minutes,
        hours_left: hours_left(c.deadline_ns, now.ns),
        link: format!("{base}/dashboard.html#case={}", c.id),
    }
}

/// A thank-you alert's frozen body: what the referral was when its event `e` came, with the
/// friend's name (称呼) and preferred date from the booking form (never a phone). `thanks`
/// reads it back.
pub fn thanks_body(
    r: &crate::storage::Referral,
    e: &crate::storage::NewEvent,
    booking: &crate::landing::BookingLabel,
) -> String {
    serde_json::json!({
        "booking": booking_json(booking),
        "code": r.code,
        "kind": e.kind.name(),
        "survey": r.survey,
        "store": r.store,
        "advisor": r.advisor,
        "visit": r.visit,
        "name": r.name,
        "friend": e.friend_name,
        "date": e.preferred_date,
    })
    .to_string()
}

/// What was booked, by language tag (the languages without a label left out).
fn booking_json(booking: &crate::landing::BookingLabel) -> Value {
    let tags = nps_core::words::Locale::TAGS.iter();
    tags.zip(booking)
        .filter(|(_, l)| !l.is_empty())
        .map(|(t, l)| ((*t).to_owned(), Value::String(l.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The body of a store's one note for the rest of a day past its thank-yous: the store and
/// the survey (its routing) and what was booked, no names.
pub fn held_body(r: &crate::storage::Referral, booking: &crate::landing::BookingLabel) -> String {
    serde_json::json!({
        "kind": "booked",
        "held": true,
        "survey": r.survey,
        "store": r.store,
        "booking": booking_json(booking),
    })
    .to_string()
}

/// The store a thank-you alert's body names, and its survey (its routing).
pub fn thanks_place(body: &str) -> (String, Option<String>) {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    (s("survey").unwrap_or_default(), s("store"))
}

/// The dashboard at the referrals of `store` (the dashboard's `show=referrals`).
fn thanks_link(base: &str, store: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(store) = store {
        q.append_pair("store", store);
    }
    q.append_pair("show", "referrals");
    format!("{base}/dashboard.html#{}", q.finish())
}

/// The thank-you a body says, with the names in force and the funnel's link under `base`.
pub fn thanks(body: &str, names: &Names, base: &str) -> Option<Thanks> {
    let v: Value = serde_json::from_str(body).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let event = EventKind::parse(v.get("kind")?).ok()?;
    let store = s("store").map(|id| Named {
        name: names.get("store", &id).unwrap_or(&id).to_owned(),
        id,
    });
    let advisor = s("advisor").map(|a| names.get("advisor", &a).unwrap_or(&a).to_owned());
    let link = thanks_link(base, store.as_ref().map(|s| s.id.as_str()));
    Some(Thanks {
        event,
        promoter: s("name"),
        friend: s("friend"),
        date: s("date"),
        store,
        advisor,
        visit: s("visit"),
        survey: s("survey").unwrap_or_default(),
        booking: nps_core::words::Locale::TAGS.map(|tag| {
            let label = v.get("booking").and_then(|b| b.get(tag));
            label.and_then(Value::as_str).unwrap_or_default().to_owned()
        }),
        held: v.get("held") == Some(&Value::Bool(true)),
        link,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thank_you_links_to_its_stores_referrals() {
        let body = r#"{"kind":"booked","store":"SZ-FT","survey":"after-sales","name":"王先生"}"#;
        let t = thanks(body, &Names::default(), "https://nps.brand.example").unwrap();
        assert_eq!(
            t.link,
            "https://nps.brand.example/dashboard.html#store=SZ-FT&show=referrals"
        );
        let t = thanks(r#"{"kind":"booked"}"#, &Names::default(), "").unwrap();
        assert_eq!(t.link, "/dashboard.html#show=referrals");
        assert_eq!(
            thanks_link("", Some("A&B")),
            "/dashboard.html#store=A%26B&show=referrals"
        );
    }
}
