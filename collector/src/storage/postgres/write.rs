//! The PostgreSQL engine's write: one transaction of posts, each row read `FOR UPDATE`,
//! decided by `decision::decide`, and inserted or updated; a lost race is `Failed::Race`, and
//! the caller runs the transaction again.

use std::sync::LazyLock;

use tokio_postgres::types::ToSql;

use super::{run_all, Failed};
use crate::storage::cases::hook;
use crate::storage::decision::{decide, Decision, Incoming, Stored, Write, ANSWERS};
use crate::storage::facts;
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
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let (names, marks) = facts::insert_list("$", 17);
        format!(
            "INSERT INTO responses (id, survey, stage, stage_rank, score, category, updated_ns,
               body, received_at, received_ns, changed_at, flag, purge_after_ns, visit, key_hash,
               device, net, {names})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $11, $12, $13, $14, $15, $16,
               {marks})
             ON CONFLICT DO NOTHING"
        )
    });
    let r = &i.response;
    let (stage, rank) = (r.stage.as_str(), i.rank as i32);
    let score = r.score.map(|s| i32::from(s.get()));
    let category = r.category().map(|c| c.as_str());
    let mut values: Vec<&(dyn ToSql + Sync)> = vec![
        &r.id,
        &r.survey,
        &stage,
        &rank,
        &score,
        &category,
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
    ];
    values.extend(i.facts.postgres_values());
    tx.execute(SQL.as_str(), &values).await
}

async fn update(
    tx: &deadpool_postgres::Transaction<'_>,
    i: &Incoming,
    now: &Now,
    w: &Write,
) -> Result<(), tokio_postgres::Error> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "UPDATE responses SET stage = $2, stage_rank = $3, score = $4, category = $5,
               updated_ns = $6, body = $7, changed_at = $8, flag = $9, purge_after_ns = $10,
               key_hash = $11, device = COALESCE(device, $12), net = COALESCE(net, $13), {}
             WHERE id = $1",
            facts::update_list("$", 14)
        )
    });
    let r = &i.response;
    let (stage, rank) = (r.stage.as_str(), i.rank as i32);
    let score = r.score.map(|s| i32::from(s.get()));
    let category = r.category().map(|c| c.as_str());
    let mut values: Vec<&(dyn ToSql + Sync)> = vec![
        &r.id,
        &stage,
        &rank,
        &score,
        &category,
        &i.updated_ns,
        &i.body,
        &now.at,
        &w.flag,
        &w.purge_after_ns,
        &w.key_hash,
        &i.marks.0,
        &i.marks.1,
    ];
    values.extend(i.facts.postgres_values());
    tx.execute(SQL.as_str(), &values).await.map(drop)
}
