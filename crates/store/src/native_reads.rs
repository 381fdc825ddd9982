//! Bulk look-ups an import makes before it writes, on a native SQLite connection of their
//! own (rusqlite on sqlx's bundled SQLite, as the registry writer). Through sqlx's `Any`
//! driver every row returned costs about 20 µs of conversion; an import that names 300,000
//! enterprises spent 7 s there before writing a row. Natively a keyed look-up costs a few
//! microseconds. PostgreSQL keeps the pooled path (`registries.rs`, `patents.rs`).

use crate::patents::NamedEnterprise;
use crate::{Result, StoreError};
use kechuang_domain::registry::RegionsByUscc;
use rusqlite::{Connection, OpenFlags};
use std::collections::HashSet;
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
pub(crate) async fn enterprise_regions(path: PathBuf, usccs: Vec<String>) -> Result<RegionsByUscc> {
    if usccs.is_empty() {
        return Ok(RegionsByUscc::default());
    }
    on_thread(path, move |conn| {
        let mut find = conn.prepare("SELECT region_code FROM enterprises WHERE uscc = ?1")?;
        let mut out = RegionsByUscc::with_capacity(usccs.len());
        for uscc in usccs {
            let mut rows = find.query([&uscc])?;
            if let Some(row) = rows.next()? {
                // Borrowed: the map keeps its own compact copy.
                out.insert(&uscc, text(row, 0, "region")?);
            }
        }
        Ok(out)
    })
    .await
}

/// A text column of the row being read, borrowed.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize, what: &str) -> Result<&'r str> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| StoreError::Corrupt(format!("enterprise {what}: {e}")))
}

/// Registered enterprises bearing any of `names` exactly: one pass over the register (names
/// have no index, which would slow every enterprise import), each name checked in memory.
pub(crate) async fn enterprises_named<T: Send + 'static>(
    path: PathBuf,
    names: Vec<String>,
    mut acc: T,
    each: fn(&mut T, NamedEnterprise<'_>),
) -> Result<T> {
    // No names, no pass: a one-row certificate file must not read a province's register.
    if names.is_empty() {
        return Ok(acc);
    }
    on_thread(path, move |conn| {
        let wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut scan = conn.prepare("SELECT uscc, name, region_code FROM enterprises")?;
        let mut rows = scan.query([])?;
        while let Some(row) = rows.next()? {
            // Compared borrowed: a million names are read, few are kept.
            let name = text(row, 1, "name")?;
            if wanted.contains(name) {
                each(
                    &mut acc,
                    NamedEnterprise {
                        uscc: text(row, 0, "code")?,
                        name,
                        region_code: text(row, 2, "region")?,
                    },
                );
            }
        }
        Ok(acc)
    })
    .await
}
