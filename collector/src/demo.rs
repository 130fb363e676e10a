//! A demo set that reads like a car brand's after-sales NPS: six stores over several months,
//! three advisors each, models and service types, reasons that go with the score, comments,
//! and detractors who left a phone for a call-back in the last days. Drawn from a seed, so the
//! same command writes the same answers. `nps-collector seed` writes it (and its names file);
//! `cargo xtask demo` loads it, and the dashboard's tests and benchmark use it at scale.
//!
//! Built in: one store is clearly worst (北京朝阳, with one advisor far below the others), one
//! is small (its numbers are "not enough data"), wait time costs the most, and the score
//! rises a little month by month. Its cases are worked as a service team would have (`cases`).

pub mod brand;
mod cases;
mod catalogue;
mod growth;

use nps_core::contract::payload::Response;
use serde_json::json;

pub use catalogue::names;
use catalogue::{
    COMMENTS_DETRACTOR, COMMENTS_PASSIVE, COMMENTS_PROMOTER, COMPLAINTS, MODELS, PRAISE, SERVICES,
};

use crate::storage::{Admission, Flag, Now, Store as Db, StoreError, Target, Upsert};

/// A store: code, name, promoter and detractor shares, and its weight in the visits.
struct Store {
    code: &'static str,
    name: &'static str,
    promoters: f64,
    detractors: f64,
    weight: u32,
    advisors: [(&'static str, &'static str, f64); 3],
}

/// (code, name, shift of the promoter and detractor shares, in points: + is worse).
const STORES: &[Store] = &[
    Store {
        code: "SZ-FT",
        name: "深圳福田店",
        promoters: 0.60,
        detractors: 0.11,
        weight: 24,
        advisors: [
            ("wang", "王磊", 0.0),
            ("chen", "陈静", -0.03),
            ("liu", "刘洋", 0.02),
        ],
    },
    Store {
        code: "GZ-TH",
        name: "广州天河店",
        promoters: 0.52,
        detractors: 0.17,
        weight: 22,
        advisors: [
            ("huang", "黄伟", 0.0),
            ("zhou", "周敏", 0.03),
            ("wu", "吴强", -0.02),
        ],
    },
    Store {
        code: "SH-PD",
        name: "上海浦东店",
        promoters: 0.66,
        detractors: 0.08,
        weight: 24,
        advisors: [
            ("xu", "徐丽", 0.0),
            ("sun", "孙涛", -0.02),
            ("zhu", "朱婷", 0.02),
        ],
    },
    Store {
        code: "BJ-CY",
        name: "北京朝阳店",
        promoters: 0.42,
        detractors: 0.27,
        weight: 18,
        advisors: [
            ("ma", "马超", 0.14),
            ("hu", "胡军", -0.04),
            ("guo", "郭芳", 0.0),
        ],
    },
    Store {
        code: "HZ-XH",
        name: "杭州西湖店",
        promoters: 0.55,
        detractors: 0.13,
        weight: 11,
        advisors: [
            ("he", "何勇", 0.0),
            ("lin", "林娜", 0.01),
            ("luo", "罗杰", -0.01),
        ],
    },
    Store {
        code: "CD-GX",
        name: "成都高新店",
        promoters: 0.50,
        detractors: 0.15,
        weight: 1,
        advisors: [
            ("tang", "唐波", 0.0),
            ("deng", "邓雪", 0.0),
            ("cao", "曹阳", 0.0),
        ],
    },
];

/// A store as the generator draws from it, its texts owned: one of the demo's six
/// (`STORES`) or a generated brand's (`brand::large`).
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub code: String,
    pub name: String,
    pub promoters: f64,
    pub detractors: f64,
    pub weight: u32,
    /// (code, name, shift of the promoter and detractor shares).
    pub advisors: Vec<(String, String, f64)>,
}

impl From<&Store> for Spec {
    fn from(s: &Store) -> Spec {
        Spec {
            code: s.code.into(),
            name: s.name.into(),
            promoters: s.promoters,
            detractors: s.detractors,
            weight: s.weight,
            advisors: s
                .advisors
                .iter()
                .map(|(c, n, x)| ((*c).into(), (*n).into(), *x))
                .collect(),
        }
    }
}

/// The demo's six stores.
pub fn six() -> Vec<Spec> {
    STORES.iter().map(Spec::from).collect()
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// A score for a visit whose promoter and detractor shares are `p` and `d`.
fn draw_score(rng: &mut fastrand::Rng, p: f64, d: f64) -> u8 {
    let x = rng.f64();
    if x < p {
        if rng.f64() < 0.62 {
            10
        } else {
            9
        }
    } else if x < p + d {
        // Detractors mostly give 4 to 6; a few give 0.
        *pick(rng, &[0, 2, 3, 4, 5, 5, 6, 6, 6])
    } else if rng.f64() < 0.55 {
        8
    } else {
        7
    }
}

/// `n` responses spread over the `months` before `now` (one per visit, business hours in
/// China), each with the time it was stored.
pub fn responses(
    n: usize,
    months: u32,
    now: time::OffsetDateTime,
    seed: u64,
) -> Vec<(Response, Now, Flag)> {
    responses_of(&six(), n, months, now, seed)
}

/// `responses` of the stores `stores` (the demo's six, or a `brand::large` brand's).
pub fn responses_of(
    stores: &[Spec],
    n: usize,
    months: u32,
    now: time::OffsetDateTime,
    seed: u64,
) -> Vec<(Response, Now, Flag)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let span_s = months as i64 * 30 * 86_400;
    let total_weight: u32 = stores.iter().map(|s| s.weight).sum();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut w = rng.u32(..total_weight);
        let store = stores
            .iter()
            .find(|s| {
                let hit = w < s.weight;
                if !hit {
                    w -= s.weight;
                }
                hit
            })
            .expect("weights cover the draw");
        let (advisor, _, shift) = pick(&mut rng, &store.advisors);
        let (advisor, shift) = (advisor.as_str(), *shift);
        // The last few visits are recent, so the call-back list has people waiting.
        let ago_s = if i % 96 == 0 {
            rng.i64(0..86_400)
        } else if i % 32 == 0 {
            rng.i64(0..3 * 86_400)
        } else {
            rng.i64(0..span_s)
        };
        // Month by month, a little better: up to 6 points of promoters over the span.
        let progress = 1.0 - ago_s as f64 / span_s as f64;
        let p = (store.promoters - shift + 0.06 * progress).clamp(0.05, 0.95);
        let d = (store.detractors + shift - 0.03 * progress).clamp(0.02, 0.9);
        let (service, _, touchpoint) = *pick(&mut rng, SERVICES);
        let (model, _) = *pick(&mut rng, MODELS);
        let at = now - time::Duration::seconds(ago_s);
        // Business hours in China (UTC+8): 01:00 to 12:00 UTC.
        let at = at.replace_hour(1 + rng.u8(..11)).unwrap_or(at);
        // Written, then stored, within three minutes: the newest answers end before now. An
        // hour drawn later today is the day before's (piled up at one instant, they would
        // look like a burst of answers).
        let at = if at > now - time::Duration::minutes(3) {
            at - time::Duration::days(1)
        } else {
            at
        };
        let dismissed = rng.f64() < 0.03;
        let score = (!dismissed).then(|| draw_score(&mut rng, p, d));
        let category = score.map(|s| nps_core::scoring::score::category(s as i64).expect("0-10"));
        let completed = score.is_some() && rng.f64() < 0.85;
        let (reasons, comments): (&[&str], &[&str]) = match score {
            Some(9..=10) => (PRAISE, COMMENTS_PROMOTER),
            Some(7..=8) => (COMPLAINTS, COMMENTS_PASSIVE),
            _ => (COMPLAINTS, COMMENTS_DETRACTOR),
        };
        let mut chosen: Vec<&str> = Vec::new();
        if completed {
            // The first reasons are the likeliest (wait time for complaints).
            for _ in 0..1 + rng.usize(..2) {
                let r = reasons[(rng.f64() * rng.f64() * reasons.len() as f64) as usize];
                if !chosen.contains(&r) {
                    chosen.push(r);
                }
            }
        }
        let comment = (completed && rng.f64() < 0.45).then(|| *pick(&mut rng, comments));
        let callback = completed && score.is_some_and(|s| s <= 6) && rng.f64() < 0.45;
        let contact = callback.then(|| {
            json!({"phone": format!("+86138{:08}", rng.u32(..100_000_000)), "consent": true,
                   "retention_days": 30, "consent_version": "zh-CN-demo"})
        });
        let mut id = [0u8; 16];
        rng.fill(&mut id);
        let created = Now::from_time(at);
        let updated = Now::from_time(at + time::Duration::seconds(20 + rng.i64(0..90)));
        let body = json!({
            "schema": nps_core::contract::rules::SCHEMA,
            "id": uuid::Builder::from_random_bytes(id).into_uuid().to_string(),
            "survey": "after-sales",
            "stage": if dismissed { "dismissed" } else if completed { "completed" } else { "scored" },
            "score": score, "category": category.map(|c| c.as_str()),
            "reasons": chosen, "comment": comment, "contact": contact,
            "context": {"store": &store.code, "advisor": advisor, "model": model, "service_type": service,
                        "touchpoint": touchpoint, "channel": *pick(&mut rng, &["qr", "qr", "wechat", "web"]),
                        "visit": format!("RO-{}", 100_000 + i)},
            "locale": "zh-CN", "page": null,
            "created_at": created.at, "updated_at": updated.at,
        });
        let r = Response::parse(&body).expect("the demo's answers are valid");
        let stored = Now::from_time(at + time::Duration::seconds(111 + rng.i64(0..60)));
        // One in a hundred answered faster than a person can: kept, flagged, not counted.
        let flag = (rng.f64() < 0.01).then_some("too_fast");
        out.push((r, stored, flag));
    }
    out
}

/// The demo sets that get invitations, referrals and the counter tablet's answers (`growth`):
/// smaller sets (as some tests use) and the benchmarks' million are the customers' answers
/// alone.
const COACHING_FROM: usize = 1_000;
const GROWTH_UP_TO: usize = 50_000;

/// Writes the demo set into `db` (a SQLite file, created if missing, or a PostgreSQL URL)
/// through the store, in one transaction; how many responses are new. The same seed writes
/// the same ids, so a second run adds nothing. Callable from a command and from inside a
/// test's runtime alike: the store runs on a thread and runtime of its own.
pub fn seed(db: impl Into<Target>, n: usize, months: u32, seed: u64) -> Result<usize, StoreError> {
    seed_brand(db, &brand::Brand::demo(), n, months, seed)
}

/// `seed` for the stores of `brand` (the demo's, or a generated one: `brand::Brand::large`).
pub fn seed_brand(
    db: impl Into<Target>,
    brand: &brand::Brand,
    n: usize,
    months: u32,
    seed: u64,
) -> Result<usize, StoreError> {
    let target = db.into();
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::Start {
                    message: e.to_string(),
                })?;
            rt.block_on(async {
                let store = Db::connect(&target).await?;
                seed_store_of(&store, brand, n, months, seed).await
            })
        })
        .join()
        .unwrap_or(Err(StoreError::WriterStopped))
    })
}

/// `seed` into an open store: one batch upsert of the operator's own writes (the demo's
/// answers carry no write key).
pub async fn seed_store(store: &Db, n: usize, months: u32, seed: u64) -> Result<usize, StoreError> {
    seed_store_of(store, &brand::Brand::demo(), n, months, seed).await
}

/// `seed_store` for the stores of `brand`; the invitations, referrals and counter tablet are
/// the demo brand's only.
pub async fn seed_store_of(
    store: &Db,
    brand: &brand::Brand,
    n: usize,
    months: u32,
    seed: u64,
) -> Result<usize, StoreError> {
    let now = time::OffsetDateTime::now_utc();
    let now_ns = Now::from_time(now).ns;
    let mut answers = Vec::with_capacity(n);
    let mut posts: Vec<_> = responses_of(&brand.stores, n, months, now, seed)
        .into_iter()
        .map(|(r, at, flag)| {
            answers.push((r.clone(), at.ns, None));
            (r, at, flag, Admission::operator())
        })
        .collect();
    let growth = brand.is_demo() && (COACHING_FROM..=GROWTH_UP_TO).contains(&n);
    if growth {
        for (r, at, flag, admission, issued) in growth::coached(now_ns, seed) {
            answers.push((r.clone(), at.ns, Some(issued)));
            posts.push((r, at, flag, admission));
        }
    }
    let done = store.upsert_batch(posts).await?;
    let org = crate::org_file::read(&brand.org).map_err(|message| StoreError::Start { message })?;
    cases::work(store, &org, now_ns, seed).await?;
    if growth {
        growth::work(store, &answers, now_ns, seed).await?;
    }
    Ok(done.iter().filter(|u| **u == Upsert::Created).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_set_is_the_same_for_a_seed_and_reads_like_a_brand() {
        let now = time::macros::datetime!(2026-11-24 12:00 UTC);
        let a = responses(3000, 6, now, 7);
        let b = responses(3000, 6, now, 7);
        assert_eq!(
            a.iter().map(|(r, _, _)| r.to_json()).collect::<Vec<_>>(),
            b.iter().map(|(r, _, _)| r.to_json()).collect::<Vec<_>>()
        );
        let nps_of = |store: &str| {
            let scores = a
                .iter()
                .filter(|(r, _, _)| r.context["store"] == store)
                .filter_map(|(r, _, _)| r.score);
            nps_core::scoring::score::Tally::of(scores)
                .nps()
                .unwrap()
                .score
        };
        let worst = STORES
            .iter()
            .map(|s| (nps_of(s.code), s.code))
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .unwrap();
        assert_eq!(worst.1, "BJ-CY");
        let callbacks = a
            .iter()
            .filter(|(r, stored, _)| {
                r.contact.is_some()
                    && now.unix_timestamp_nanos() as i64 - stored.ns < 2 * 86_400 * 1_000_000_000
            })
            .count();
        assert!(callbacks >= 2, "{callbacks} recent call-backs");
        assert!(a.iter().all(|(r, s, _)| r.updated_at <= s.at));
        let names = names();
        assert_eq!(names.get("store", "BJ-CY"), Some("北京朝阳店"));
        assert_eq!(names.get("advisor", "ma"), Some("马超"));
    }

    /// Seeded in the middle of China's business hours (the demo's newest answers are drawn
    /// then), nothing is written or stored after now.
    #[test]
    fn nothing_in_the_demo_set_is_after_now() {
        for now in [
            time::macros::datetime!(2026-12-04 02:40:30 UTC),
            time::macros::datetime!(2026-12-04 05:00 UTC),
            time::macros::datetime!(2026-12-04 11:59 UTC),
        ] {
            let now_ns = Now::from_time(now).ns;
            let mut at_once: std::collections::HashMap<String, usize> = Default::default();
            for (r, stored, _) in responses(3000, 1, now, 7) {
                assert!(stored.ns <= now_ns, "{} stored at {}", r.id, stored.at);
                assert!(r.updated_at <= stored.at);
                *at_once.entry(r.created_at.clone()).or_default() += 1;
            }
            // Spread out: never a pile of answers at one instant (a burst to the flags).
            assert!(at_once.values().all(|n| *n <= 2), "{now}");
        }
    }

    /// Whatever the hour the demo is seeded, its customers' own answers (the counter tablet
    /// is `growth`'s, added apart) never look like coaching: the recent days, drawn denser for
    /// the call-back list, are not so dense that chance makes a burst of 10s.
    #[test]
    fn no_honest_store_is_flagged_whatever_the_hour() {
        use nps_core::growth::flags::{flag, Answer};
        let day = time::macros::datetime!(2026-12-04 00:00 UTC);
        for (n, seed) in [(3000, 7), (4000, 7), (3000, 11)] {
            for q in 0..24 {
                let now = day + time::Duration::minutes(60 * q + 11 * (q % 5));
                let mut answers: Vec<Answer> = responses(n, 6, now, seed)
                    .into_iter()
                    .filter(|(_, _, f)| f.is_none())
                    .filter_map(|(r, at, _)| {
                        Some(Answer {
                            store: Some(r.context.get("store")?.as_str().to_string()),
                            at_ns: at.ns,
                            score: r.score?.get(),
                            ..Default::default()
                        })
                    })
                    .collect();
                answers.sort_by_key(|a| a.at_ns);
                let flagged = flag(&answers).iter().filter(|r| !r.is_empty()).count();
                assert_eq!(flagged, 0, "{n} answers, seed {seed}, seeded at {now}");
            }
        }
    }

    #[test]
    fn the_demo_org_places_every_store_and_advisor() {
        let org = crate::org_file::read(include_str!("../../www/demo-org.toml"))
            .expect("www/demo-org.toml is a valid org file");
        for s in STORES {
            let placed = org.store(s.code).expect("every demo store in the org");
            assert_eq!(placed.name, s.name);
            assert!(
                org.region_of_store(s.code).is_some(),
                "{} has a region",
                s.code
            );
            for (code, name, _) in s.advisors {
                let a = org.advisor(code).expect("every demo advisor in the org");
                assert_eq!((a.name.as_str(), a.store.as_deref()), (name, Some(s.code)));
            }
        }
        assert_eq!(org.stores().len(), STORES.len());
    }
}
