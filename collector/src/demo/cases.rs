//! The demo's case queue as a service team leaves it: every detractor of the demo set opened a
//! case; the older ones were since reached (most within the promise, some late), most of
//! those resolved with a root cause from the default list and a note, some re-surveyed, and
//! some of those answered (most 7 or more); the newest wait, and a few forgotten ones are
//! overdue. Each case's story (`plan`) is drawn from its answer's id and the seed, so a seed
//! tells the same stories; it is written through the store's own operations at past times
//! (`case_apply`, `case_recovery_sent`, a re-survey answer admitted as the case's), so the
//! figures the dashboard shows are the collector's.

use futures_util::future::join_all;
use nps_core::cases::State;
use nps_core::org::Org;
use serde_json::json;

use crate::alerts::config::DEFAULT_ROOT_CAUSES;
use crate::storage::{Admission, CaseFilter, CaseRow, Edits, Now, Store, StoreError};

const HOUR_NS: i64 = 3_600 * 1_000_000_000;

/// A note per root cause (`DEFAULT_ROOT_CAUSES`' order), as a store manager writes one.
const NOTES: [&str; 6] = [
    "已安排免费返修，技师复检确认。",
    "已致电致歉，说明延误原因，下次保养预约优先。",
    "已解释费用明细，退还多收的工时费。",
    "已与顾问面谈，客户接受道歉。",
    "已说明维修进度，今后每两小时短信告知。",
    "客户只需登记，已记录。",
];

/// How likely each root cause is (waiting and communication first, as complaints go).
const CAUSE_WEIGHTS: [u32; 6] = [3, 6, 2, 2, 4, 1];

/// What happens to one case: each step at its time (ns), left out when not yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub contacted_ns: Option<i64>,
    /// When, and the root cause's index in `DEFAULT_ROOT_CAUSES`.
    pub resolved: Option<(i64, usize)>,
    pub resurvey_ns: Option<i64>,
    /// When the customer answered the re-survey, and the score.
    pub answer: Option<(i64, u8)>,
}

/// The story of `case` up to `now_ns`: contacted after a delay drawn within or past its
/// promise, resolved hours later, re-surveyed and answered days later; a step that would fall
/// after `now_ns` has not happened yet (nor any after it).
pub fn plan(case: &CaseRow, now_ns: i64, seed: u64) -> Plan {
    let mut rng = fastrand::Rng::with_seed(seed ^ fnv(&case.response_id));
    let promise_h = ((case.deadline_ns - case.received_ns) / HOUR_NS).max(1);
    let hours = |rng: &mut fastrand::Rng, lo: f64, hi: f64| {
        ((lo + rng.f64() * (hi - lo)) * HOUR_NS as f64) as i64
    };
    let age_h = (now_ns - case.received_ns) / HOUR_NS;
    // A few recent ones are forgotten: overdue in the queue.
    if age_h < 10 * 24 && rng.f64() < 0.12 {
        return Plan::default();
    }
    let delay = if rng.f64() < 0.78 {
        hours(&mut rng, 0.3, promise_h as f64 * 0.8)
    } else {
        hours(&mut rng, promise_h as f64 + 1.0, promise_h as f64 + 40.0)
    };
    let mut p = Plan::default();
    let Some(contacted) = Some(case.received_ns + delay).filter(|t| *t <= now_ns) else {
        return p;
    };
    p.contacted_ns = Some(contacted);
    // Some reached this week are still being put right.
    if now_ns - contacted < 7 * 24 * HOUR_NS && rng.f64() < 0.4 {
        return p;
    }
    let resolved = contacted + hours(&mut rng, 0.5, 30.0);
    if resolved > now_ns {
        return p;
    }
    // Mostly what the customer complained of first; now and then something else.
    let said = first_cause(case.body.as_deref()).filter(|_| rng.f64() < 0.8);
    let cause = said.unwrap_or_else(|| weighted(&mut rng, &CAUSE_WEIGHTS));
    p.resolved = Some((resolved, cause));
    if rng.f64() >= 0.5 {
        return p;
    }
    let sent = resolved + hours(&mut rng, 1.0, 20.0);
    if sent > now_ns {
        return p;
    }
    p.resurvey_ns = Some(sent);
    let answered = sent + hours(&mut rng, 2.0, 72.0);
    if rng.f64() < 0.55 && answered <= now_ns {
        let score = if rng.f64() < 0.65 {
            7 + rng.u8(..4)
        } else {
            3 + rng.u8(..4)
        };
        p.answer = Some((answered, score));
    }
    p
}

/// Works the demo's cases as `plan` says, at the planned times; each store's owner in `org`
/// acts (`demo` where a store has none). A case already worked refuses a step again, so a
/// second seed changes nothing.
pub async fn work(store: &Store, org: &Org, now_ns: i64, seed: u64) -> Result<(), StoreError> {
    let cases = store.case_list(&CaseFilter::default()).await?;
    let steps = cases.iter().map(|c| async move {
        let p = plan(c, now_ns, seed);
        let who = c
            .store
            .as_deref()
            .and_then(|s| org.store(s))
            .and_then(|s| s.owner.clone())
            .unwrap_or_else(|| "demo".into());
        let at = |ns: i64| {
            Now::from_time(time::OffsetDateTime::UNIX_EPOCH + time::Duration::nanoseconds(ns))
        };
        if let Some(t) = p.contacted_ns {
            let edits = Edits {
                status: Some(State::Contacted),
                ..Edits::default()
            };
            let _ = store.case_apply(&c.id, &who, &edits, &at(t)).await?;
        }
        if let Some((t, cause)) = p.resolved {
            let edits = Edits {
                status: Some(State::Resolved),
                root_cause: Some(DEFAULT_ROOT_CAUSES[cause].into()),
                note: Some(NOTES[cause].into()),
                ..Edits::default()
            };
            let _ = store.case_apply(&c.id, &who, &edits, &at(t)).await?;
        }
        if let Some(t) = p.resurvey_ns {
            store.case_recovery_sent(&c.id, &who, &at(t)).await?;
        }
        Ok::<_, StoreError>(p.answer.map(|(t, score)| (c, t, score)))
    });
    let mut answers = Vec::new();
    for done in join_all(steps).await {
        answers.extend(done?);
    }
    let posts = answers
        .into_iter()
        .filter_map(|(c, t, score)| {
            let at =
                Now::from_time(time::OffsetDateTime::UNIX_EPOCH + time::Duration::nanoseconds(t));
            let r = resurvey(c, score, &at, seed)?;
            let admission = Admission {
                recovery_of: uuid::Uuid::parse_str(&c.id).ok(),
                ..Admission::operator()
            };
            Some((r, at, Some(crate::intake::RECOVERY), admission))
        })
        .collect();
    store.upsert_batch(posts).await?;
    Ok(())
}

/// The re-survey answer of case `c`: its score, as the signed link's page stores it.
fn resurvey(
    c: &CaseRow,
    score: u8,
    at: &Now,
    seed: u64,
) -> Option<nps_core::contract::payload::Response> {
    let mut rng = fastrand::Rng::with_seed(seed ^ fnv(&c.id) ^ 0x5eed);
    let mut id = [0u8; 16];
    rng.fill(&mut id);
    let case = uuid::Uuid::parse_str(&c.id).ok()?;
    let category = nps_core::scoring::score::category(score as i64).ok()?;
    let mut context = json!({"visit": crate::recovery::visit_of(case), "recovery": c.id});
    for (k, v) in [("store", &c.store), ("advisor", &c.advisor)] {
        if let Some(v) = v {
            context[k] = json!(v);
        }
    }
    let body = json!({
        "schema": nps_core::contract::rules::SCHEMA,
        "id": uuid::Builder::from_random_bytes(id).into_uuid().to_string(),
        "survey": c.survey, "stage": "completed", "score": score, "category": category.as_str(),
        "reasons": [], "context": context, "locale": "zh-CN", "page": null,
        "created_at": at.at, "updated_at": at.at,
    });
    nps_core::contract::payload::Response::parse(&body).ok()
}

/// The root cause (its index in `DEFAULT_ROOT_CAUSES`) of the answer's first reason that
/// names one, read from its stored body.
fn first_cause(body: Option<&str>) -> Option<usize> {
    let v: serde_json::Value = serde_json::from_str(body?).ok()?;
    v["reasons"].as_array()?.iter().find_map(|r| {
        Some(match r.as_str()? {
            "repair_quality" => 0,
            "wait_time" => 1,
            "price_transparency" => 2,
            "advisor_attitude" | "handover" => 3,
            "progress_updates" | "booking" => 4,
            _ => return None,
        })
    })
}

/// An index drawn with these weights.
fn weighted(rng: &mut fastrand::Rng, weights: &[u32]) -> usize {
    let mut w = rng.u32(..weights.iter().sum::<u32>());
    weights
        .iter()
        .position(|x| {
            let hit = w < *x;
            w = w.saturating_sub(*x);
            hit
        })
        .unwrap_or(0)
}

/// FNV-1a of a string: a stable seed per case.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's queue reads like a team's: the older cases worked (most in time, some
    /// late), resolved with a listed cause, some re-surveys answered; the open ones recent;
    /// nothing after now; a second seed changes nothing.
    #[tokio::test]
    async fn the_demo_queue_is_worked_as_a_team_would() {
        let dir =
            std::env::temp_dir().join(format!("nps-demo-cases-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(dir.join("nps.db")).unwrap();
        super::super::seed_store(&store, 3000, 6, 7).await.unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64;
        let cases = store.case_list(&CaseFilter::default()).await.unwrap();
        let n = cases.len();
        let count = |f: &dyn Fn(&CaseRow) -> bool| cases.iter().filter(|c| f(c)).count();
        let open = count(&|c| c.state == State::Open);
        let resolved = count(&|c| c.state == State::Resolved);
        assert!(n > 300 && open > 0 && open * 10 < n, "{open} open of {n}");
        assert!(resolved * 10 > n * 6, "{resolved} resolved of {n}");
        assert!(count(&|c| c.state == State::Contacted) > 0);
        for c in cases.iter().filter(|c| c.state == State::Open) {
            assert!(
                now - c.received_ns < 11 * 24 * HOUR_NS,
                "an old case left open: {c:?}"
            );
        }
        let reached: Vec<&CaseRow> = cases
            .iter()
            .filter(|c| c.first_contact_ns.is_some())
            .collect();
        let in_time = reached
            .iter()
            .filter(|c| c.first_contact_ns <= Some(c.deadline_ns))
            .count();
        assert!(
            in_time * 10 > reached.len() * 6 && in_time * 20 < reached.len() * 19,
            "{in_time} in time of {}",
            reached.len()
        );
        for c in &cases {
            let steps = [
                Some(c.received_ns),
                c.first_contact_ns,
                c.resolved_ns,
                c.recovery_ns,
            ];
            let known: Vec<i64> = steps.into_iter().flatten().collect();
            assert!(
                known.windows(2).all(|w| w[0] <= w[1]) && known.iter().all(|t| *t <= now),
                "{c:?}"
            );
            if c.state == State::Resolved {
                let cause = c.root_cause.as_deref().unwrap_or_default();
                assert!(DEFAULT_ROOT_CAUSES.contains(&cause), "{c:?}");
            }
        }
        // Nothing reached long ago is left half done; the cause is mostly what was said.
        for c in cases.iter().filter(|c| c.state == State::Contacted) {
            let reached = c.first_contact_ns.unwrap();
            assert!(
                now - reached < 7 * 24 * HOUR_NS,
                "contacted long ago: {c:?}"
            );
        }
        let said: Vec<(usize, &str)> = cases
            .iter()
            .filter_map(|c| Some((first_cause(c.body.as_deref())?, c.root_cause.as_deref()?)))
            .collect();
        let matching = said
            .iter()
            .filter(|(i, cause)| DEFAULT_ROOT_CAUSES[*i] == *cause)
            .count();
        assert!(
            matching * 10 > said.len() * 7,
            "{matching} of {}",
            said.len()
        );
        let answered: Vec<i64> = cases.iter().filter_map(|c| c.recovery_score).collect();
        let recovered = answered.iter().filter(|s| **s >= 7).count();
        assert!(
            answered.len() >= 20,
            "{} re-surveys answered",
            answered.len()
        );
        assert!(
            recovered * 10 > answered.len() * 4 && recovered * 10 < answered.len() * 9,
            "{recovered} of {} recovered",
            answered.len()
        );
        assert!(count(&|c| c.recovery_sent) > answered.len());
        super::super::seed_store(&store, 3000, 6, 7).await.unwrap();
        let again = store.case_list(&CaseFilter::default()).await.unwrap();
        let story = |c: &CaseRow| {
            (
                c.id.clone(),
                c.state,
                c.first_contact_ns,
                c.resolved_ns,
                c.recovery_score,
            )
        };
        assert_eq!(
            again.iter().map(story).collect::<Vec<_>>(),
            cases.iter().map(story).collect::<Vec<_>>()
        );
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
