//! The facts' scan on PostgreSQL: the selected rows in pieces of `STREAM_AHEAD` through a
//! portal (one scan at a time per `SCANS` turn, as the export's), each piece handed to a
//! blocking thread that calls `each` with every row's `Fact` borrowed from it.

use tokio::sync::mpsc;

use super::{sql, Postgres, STREAM_AHEAD};
use crate::storage::facts::{self, Fact};
use crate::storage::types::commented_sql;
use crate::storage::{Body, Selection, StoreError};

/// Pieces read ahead of the consumer.
const PIECES_AHEAD: usize = 4;

async fn read(
    store: &Postgres,
    sel: &Selection,
    out: &mpsc::Sender<Vec<tokio_postgres::Row>>,
) -> Result<(), StoreError> {
    let _turn = tokio::select! {
        turn = store.scans.acquire() => turn.map_err(|_| StoreError::WriterStopped)?,
        _ = out.closed() => return Ok(()),
    };
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(sql)?;
    let portal = tx
        .bind(
            &format!(
                "SELECT {}, CASE WHEN created_min IS NULL THEN body END FROM responses
                 WHERE ($1::TEXT IS NULL OR survey = $1)
                   AND ($2::BIGINT IS NULL OR received_ns >= $2)
                   AND ($3::BIGINT IS NULL OR received_ns < $3) AND {}
                 ORDER BY received_ns, id",
                facts::select_list(),
                commented_sql("$4::BIGINT")
            ),
            &[
                &sel.survey,
                &sel.since_ns,
                &sel.until_ns,
                &i64::from(sel.commented),
            ],
        )
        .await
        .map_err(sql)?;
    loop {
        let rows = tx
            .query_portal(&portal, STREAM_AHEAD as i32)
            .await
            .map_err(sql)?;
        let last = rows.len() < STREAM_AHEAD;
        if out.send(rows).await.is_err() || last {
            return Ok(());
        }
    }
}

fn fact(r: &tokio_postgres::Row) -> Result<Fact<'_>, tokio_postgres::Error> {
    let mut dims = [""; 5];
    for (i, d) in dims.iter_mut().enumerate() {
        *d = r.try_get::<_, Option<&str>>(3 + i)?.unwrap_or("");
    }
    Ok(Fact {
        id: r.try_get(0)?,
        survey: r.try_get(1)?,
        score: r.try_get::<_, Option<i32>>(2)?.map(i64::from),
        dims,
        reasons: r.try_get::<_, Option<&str>>(8)?.unwrap_or(""),
        created_min: r.try_get(9)?,
        received_ns: r.try_get(10)?,
        flag: r.try_get(11)?,
        marks: r.try_get::<_, Option<i64>>(12)?.unwrap_or(0),
        body: r.try_get(13)?,
    })
}

impl Postgres {
    /// The bodies and flags of these ids (those stored), in no order.
    pub async fn bodies(&self, ids: Vec<String>) -> Result<Vec<Body>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, body, flag FROM responses WHERE id = ANY($1)",
                &[&ids],
            )
            .await
            .map_err(sql)?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// `each` with every selected answer's facts, oldest first, on a blocking thread while
    /// the next pieces are read; `acc` back at the end.
    pub async fn facts<T: Send + 'static>(
        &self,
        sel: Selection,
        mut acc: T,
        mut each: impl FnMut(&mut T, &Fact) + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, mut rx) = mpsc::channel(PIECES_AHEAD);
        let consumer = tokio::task::spawn_blocking(move || {
            while let Some(rows) = rx.blocking_recv() {
                for r in &rows {
                    each(&mut acc, &fact(r).map_err(sql)?);
                }
            }
            Ok::<T, StoreError>(acc)
        });
        // The consumer stops reading on a bad row: the reader then stops at its next piece.
        let read = read(self, &sel, &tx).await;
        drop(tx);
        let acc = consumer.await.map_err(|e| StoreError::Sql {
            message: e.to_string(),
        })?;
        read?;
        acc
    }
}
