//! Bulk look-ups an import makes before it writes, on a native SQLite connection of their
//! own (rusqlite on sqlx's bundled SQLite, as the registry writer). Through sqlx's `Any`
//! driver every row returned costs about 20 µs of conversion; an import that names 300,000
//! enterprises spent 7 s there before writing a row. Natively a keyed look-up costs a few
//! microseconds. PostgreSQL keeps the pooled path (`registries.rs`, `patents.rs`).

use crate::patents::NamedEnterprise;
use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(15))?;
    Ok(conn)
}

/// Runs `read` on a blocking thread with a connection of its own, in one read transaction so
/// that every look-up sees the same registry.
async fn on_thread<T: Send + 'static>(
    path: PathBuf,
    read: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(move || {
        let conn = open(&path)?;
        conn.execute_batch("BEGIN")?;
        let out = read(&conn);
        // A read transaction has nothing to keep; ending it releases the snapshot.
        conn.execute_batch("ROLLBACK")?;
        out
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("look-up thread: {e}")))?
}

/// USCC → region of those of `usccs` that are registered.
pub(crate) async fn enterprise_regions(
    path: PathBuf,
    usccs: Vec<String>,
) -> Result<HashMap<String, String>> {
    if usccs.is_empty() {
        return Ok(HashMap::new());
    }
    on_thread(path, move |conn| {
        let mut find = conn.prepare("SELECT region_code FROM enterprises WHERE uscc = ?1")?;
        let mut out = HashMap::with_capacity(usccs.len());
        for uscc in usccs {
            let mut rows = find.query([&uscc])?;
            if let Some(row) = rows.next()? {
                let region: String = row.get(0)?;
                out.insert(uscc, region);
            }
        }
        Ok(out)
    })
    .await
}

/// Registered enterprises bearing any of `names` exactly: one pass over the register (names
/// have no index, which would slow every enterprise import), each name checked in memory.
pub(crate) async fn enterprises_named(
    path: PathBuf,
    names: Vec<String>,
) -> Result<Vec<NamedEnterprise>> {
    // No names, no pass: a one-row certificate file must not read a province's register.
    if names.is_empty() {
        return Ok(Vec::new());
    }
    on_thread(path, move |conn| {
        let wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut scan = conn.prepare("SELECT uscc, name, region_code FROM enterprises")?;
        let mut rows = scan.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            // Compared borrowed: a million names are read, few are kept.
            let name = row
                .get_ref(1)?
                .as_str()
                .map_err(|e| StoreError::Corrupt(format!("enterprise name: {e}")))?;
            if wanted.contains(name) {
                out.push(NamedEnterprise {
                    uscc: row.get(0)?,
                    name: name.to_owned(),
                    region_code: row.get(2)?,
                });
            }
        }
        Ok(out)
    })
    .await
}
