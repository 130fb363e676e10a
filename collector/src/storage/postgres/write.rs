//! The PostgreSQL engine's write: one transaction of posts, each row read `FOR UPDATE`,
//! decided by `decision::decide`, and inserted or updated; a lost race is `Failed::Race`, and
//! the caller runs the transaction again.

use super::{run_all, Failed};
use crate::storage::cases::hook;
use crate::storage::decision::{decide, Decision, Incoming, Stored, Write, ANSWERS};
use crate::storage::Admission;
use crate::storage::{Posts, Upsert};
use crate::Now;

/// Another response than `id` that answered this visit.
pub(super) async fn answered_by_other(
    client: &impl deadpool_postgres::GenericClient,
    survey: &str,
    visit: &str,
    id: &str,
) -> Result<bool, tokio_postgres::Error> {
    let sql = format!(
        "SELECT 1 FROM responses WHERE survey = $1 AND visit = $2 AND id <> $3 AND {ANSWERS}
         LIMIT 1"
    );
    Ok(client
        .query_opt(&sql, &[&survey, &visit, &id])
        .await?
        .is_some())
}

/// One transaction of posts: each read, decided, applied.
pub(super) async fn try_upsert(
    client: &mut deadpool_postgres::Client,
    posts: &Posts,
) -> Result<Vec<Upsert>, Failed> {
    let tx = client.transaction().await?;
    let mut done = Vec::with_capacity(posts.len());
    for (r, now, flag, admission) in posts {
        let incoming = Incoming::new(r, now, *flag).marked(admission.marks);
        let r = &incoming.response;
        let existing = tx
            .query_opt(
                "SELECT survey, stage_rank, updated_ns, body, received_ns, flag, visit, key_hash
                 FROM responses WHERE id = $1 FOR UPDATE",
                &[&r.id],
            )
            .await?
            .map(|row| Stored {
                survey: row.get(0),
                rank: row.get::<_, i32>(1) as i64,
                updated_ns: row.get(2),
                body: row.get(3),
                received_ns: row.get(4),
                flag: row.get(5),
                visit: row.get(6),
                key_hash: row.get(7),
            });
        let answered = match incoming.answered_visit() {
            Some(v) => answered_by_other(&tx, &r.survey, v, &r.id).await?,
            None => false,
        };
        let decision = decide(existing.as_ref(), &incoming, answered, *admission, now);
        match &decision {
            // Another transaction stored this id or answered this visit first.
            Decision::Insert(w) if insert(&tx, &incoming, now, w).await? == 0 => {
                return Err(Failed::Race)
            }
            Decision::Insert(w) => case_hook(&tx, &incoming, w, admission, now.ns, now).await?,
            Decision::Update(w) => {
                update(&tx, &incoming, now, w).await?;
                let received_ns = existing.as_ref().map_or(now.ns, |e| e.received_ns);
                case_hook(&tx, &incoming, w, admission, received_ns, now).await?;
            }
            _ => {}
        }
        done.push(decision.outcome());
    }
    tx.commit().await?;
    Ok(done)
}

/// The case the stored answer opens or updates, with its alerts, in the same transaction.
async fn case_hook(
    tx: &deadpool_postgres::Transaction<'_>,
    i: &Incoming,
    w: &Write,
    admission: &Admission,
    received_ns: i64,
    now: &Now,
) -> Result<(), Failed> {
    let r = &i.response;
    let mut done = Vec::new();
    run_all(tx, &hook::reads(r, admission), &mut done).await?;
    let writes = hook::writes(&done, r, w.flag.as_deref(), admission, received_ns, now)
        .map_err(Failed::Store)?;
    run_all(tx, &writes, &mut done).await?;
    Ok(())
}

/// Inserts the row unless another transaction stored its id or answered its visit first
/// (then 0 rows).
async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    i: &Incoming,
    now: &Now,
    w: &Write,
) -> Result<u64, tokio_postgres::Error> {
    let (r, f) = (&i.response, &i.facts.dims);
    tx.execute(
        "INSERT INTO responses (id, survey, stage, stage_rank, score, category, updated_ns,
           body, received_at, received_ns, changed_at, flag, purge_after_ns, visit, key_hash,
           device, net, cx_store, cx_advisor, cx_model, cx_service_type, cx_touchpoint,
           reason_list, created_min, body_marks)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $11, $12, $13, $14, $15, $16,
           $17, $18, $19, $20, $21, $22, $23, $24)
         ON CONFLICT DO NOTHING",
        &[
            &r.id,
            &r.survey,
            &r.stage.as_str(),
            &(i.rank as i32),
            &r.score.map(|s| i32::from(s.get())),
            &r.category().map(|c| c.as_str()),
            &i.updated_ns,
            &i.body,
            &now.at,
            &now.ns,
            &w.flag,
            &w.purge_after_ns,
            &i.visit,
            &w.key_hash,
            &i.marks.0,
            &i.marks.1,
            &f[0],
            &f[1],
            &f[2],
            &f[3],
            &f[4],
            &i.facts.reasons,
            &i.facts.created_min,
            &i.facts.marks,
        ],
    )
    .await
}

async fn update(
    tx: &deadpool_postgres::Transaction<'_>,
    i: &Incoming,
    now: &Now,
    w: &Write,
) -> Result<(), tokio_postgres::Error> {
    let (r, f) = (&i.response, &i.facts.dims);
    tx.execute(
        "UPDATE responses SET stage = $2, stage_rank = $3, score = $4, category = $5,
           updated_ns = $6, body = $7, changed_at = $8, flag = $9, purge_after_ns = $10,
           key_hash = $11, device = COALESCE(device, $12), net = COALESCE(net, $13),
           cx_store = $14, cx_advisor = $15, cx_model = $16, cx_service_type = $17,
           cx_touchpoint = $18, reason_list = $19, created_min = $20, body_marks = $21
         WHERE id = $1",
        &[
            &r.id,
            &r.stage.as_str(),
            &(i.rank as i32),
            &r.score.map(|s| i32::from(s.get())),
            &r.category().map(|c| c.as_str()),
            &i.updated_ns,
            &i.body,
            &now.at,
            &w.flag,
            &w.purge_after_ns,
            &w.key_hash,
            &i.marks.0,
            &i.marks.1,
            &f[0],
            &f[1],
            &f[2],
            &f[3],
            &f[4],
            &i.facts.reasons,
            &i.facts.created_min,
            &i.facts.marks,
        ],
    )
    .await
    .map(drop)
}
