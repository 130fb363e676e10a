//! The SQLite engine's reading connections: each read takes an idle one (or opens one) and
//! gives it back when done, so a long read (a year's funnel) never holds up a short one (a
//! session's lookup) as one shared connection did; at most `IDLE` stay open between reads.
//! The people's small transactions take turns (`turn`) rather than wait on SQLite's busy
//! timeout for each other.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use crate::storage::StoreError;

/// Connections kept open between reads.
const IDLE: usize = 4;
/// How much of the file a reading connection maps into memory (SQLite's `mmap_size`; its own
/// ceiling, 2 GB by default, applies): a long read (a year's funnel, every case's figures)
/// reads its pages in place rather than copying each one in through a system call.
const MAP_BYTES: i64 = 1 << 31;

pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    turn: Mutex<()>,
}

impl Readers {
    pub fn new(path: &Path) -> Readers {
        Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
            turn: Mutex::new(()),
        }
    }

    /// `f` on a connection no other read is using, in the calling (blocking) thread.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let conn = super::open(&self.path)?;
                conn.pragma_update(None, "mmap_size", MAP_BYTES)?;
                conn
            }
        };
        let result = f(&conn);
        // A failed read may leave the connection unusable (or in a transaction): not kept.
        if result.is_ok() && conn.is_autocommit() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < IDLE {
                idle.push(conn);
            }
        }
        result
    }

    /// The people's transactions' turn, held for the transaction.
    pub fn turn(&self) -> MutexGuard<'_, ()> {
        self.turn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_read_does_not_hold_up_a_short_one() {
        let dir = std::env::temp_dir().join(format!("nps-readers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let r = std::sync::Arc::new(Readers::new(&dir.join("r.db")));
        let (started, go) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
        let (tell, wait) = (started.0, go.1);
        let long = {
            let r = r.clone();
            std::thread::spawn(move || {
                r.read(|c| {
                    c.query_row("SELECT 1", [], |_| Ok(()))?;
                    tell.send(()).unwrap();
                    wait.recv_timeout(std::time::Duration::from_secs(10))
                        .unwrap();
                    Ok(())
                })
            })
        };
        started
            .1
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        // While the long read holds its connection, a short one runs on another.
        let n: i64 = r
            .read(|c| Ok(c.query_row("SELECT 2", [], |row| row.get(0))?))
            .unwrap();
        assert_eq!(n, 2);
        go.0.send(()).unwrap();
        long.join().unwrap().unwrap();
        assert_eq!(
            r.idle.lock().unwrap().len(),
            2,
            "both kept for the next reads"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
