//! Bulk look-ups an import makes, on a native connection of their own. On SQLite they run on
//! rusqlite, on sqlx's bundled SQLite as the registry writer does: through sqlx's `Any` driver
//! every row returned cost about 20 µs of conversion (an import that names 300,000
//! enterprises spent 7 s there before writing a row), natively a keyed look-up costs a few
//! microseconds. On PostgreSQL the time is the server's index probes; a native connection
//! takes a list as one array parameter, and, unlike a pooled one, can be held by the thread
//! that reads a file for the whole import ([`EnterpriseLookup`]).

use crate::patents::NamedEnterprise;
use crate::{Result, StoreError};
use kechuang_domain::registry::RegionsByUscc;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(15))?;
    Ok(conn)
}

fn regions_sqlite(conn: &Connection, usccs: &[String], into: &mut RegionsByUscc) -> Result<()> {
    let mut find = conn.prepare_cached("SELECT region_code FROM enterprises WHERE uscc = ?1")?;
    for uscc in usccs {
        let mut rows = find.query([uscc])?;
        if let Some(row) = rows.next()? {
            // Borrowed: the map keeps its own compact copy.
            into.insert(uscc, text(row, 0, "region")?);
        }
    }
    Ok(())
}

/// The enterprises a file names, looked up part by part as the file is read, on one
/// connection held for the whole file and in one read transaction, so every part sees the
/// same registry. The parts' look-ups then overlap the writing of the parts before them,
/// instead of all coming first (a province's 300,000 certificates: 0.8 s of 5.5 before the
/// first row was written).
///
/// Its calls block: it is used from the thread that reads the file.
pub struct EnterpriseLookup(Session);

enum Session {
    Sqlite(Connection),
    Postgres {
        /// Taken by `drop`, which closes it.
        conn: Option<sqlx::PgConnection>,
        runtime: tokio::runtime::Handle,
        background: crate::db::Background,
    },
}

impl Drop for EnterpriseLookup {
    /// A PostgreSQL connection dropped with its transaction open is logged by the server as
    /// an unexpected end of file, once per import: it is closed properly instead, in the
    /// background ([`crate::Store::settle`] waits for it). A SQLite one rolls back as it closes.
    fn drop(&mut self) {
        if let Session::Postgres {
            conn,
            runtime,
            background,
        } = &mut self.0
        {
            if let Some(conn) = conn.take() {
                background.add_task(runtime.spawn(async move {
                    let _ = sqlx::Connection::close(conn).await;
                }));
            }
        }
    }
}

/// The connection of a session, which only `drop` takes.
fn live(conn: &mut Option<sqlx::PgConnection>) -> Result<&mut sqlx::PgConnection> {
    conn.as_mut()
        .ok_or_else(|| StoreError::Corrupt("look-up: the connection is closed".into()))
}

impl crate::Store {
    /// A look-up session for one import; see [`EnterpriseLookup`].
    pub async fn enterprise_lookup(&self) -> Result<EnterpriseLookup> {
        if let Some(path) = &self.sqlite_path {
            let path = path.clone();
            let conn = tokio::task::spawn_blocking(move || -> Result<Connection> {
                let conn = open(&path)?;
                // Ended when the connection closes; a read transaction has nothing to keep.
                conn.execute_batch("BEGIN")?;
                Ok(conn)
            })
            .await
            .map_err(|e| StoreError::Corrupt(format!("look-up thread: {e}")))??;
            return Ok(EnterpriseLookup(Session::Sqlite(conn)));
        }
        Ok(EnterpriseLookup(Session::Postgres {
            conn: Some(postgres(self).await?),
            runtime: tokio::runtime::Handle::current(),
            background: self.background.clone(),
        }))
    }

    /// Runs `read` with a look-up session of its own on a blocking thread: the look-ups of a
    /// whole list at once, for the files that are not read part by part.
    pub(crate) async fn with_lookup<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut EnterpriseLookup) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let mut lookup = self.enterprise_lookup().await?;
        tokio::task::spawn_blocking(move || read(&mut lookup))
            .await
            .map_err(|e| StoreError::Corrupt(format!("look-up thread: {e}")))?
    }
}

impl EnterpriseLookup {
    /// Adds to `into` the region of each of `usccs` that is registered. Blocking: call it
    /// from a blocking thread, never from an async task.
    pub fn regions_into(&mut self, usccs: &[String], into: &mut RegionsByUscc) -> Result<()> {
        if usccs.is_empty() {
            return Ok(());
        }
        match &mut self.0 {
            Session::Sqlite(conn) => regions_sqlite(conn, usccs, into),
            Session::Postgres { conn, runtime, .. } => {
                runtime.block_on(regions_postgres(live(conn)?, usccs, into))
            }
        }
    }

    /// Hands `each` every registered enterprise bearing one of `names` exactly. Blocking, as
    /// [`Self::regions_into`].
    pub fn named(
        &mut self,
        names: &[String],
        mut each: impl FnMut(NamedEnterprise<'_>) + Send,
    ) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        match &mut self.0 {
            Session::Sqlite(conn) => named_sqlite(conn, names, &mut each),
            Session::Postgres { conn, runtime, .. } => {
                runtime.block_on(named_postgres(live(conn)?, names, &mut each))
            }
        }
    }
}

/// A text column of the row being read, borrowed.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize, what: &str) -> Result<&'r str> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| StoreError::Corrupt(format!("enterprise {what}: {e}")))
}

/// Registered enterprises bearing any of `names` exactly, each handed to `each` as it is read:
/// a probe of the name index (migration 0028) per name.
fn named_sqlite(
    conn: &Connection,
    names: &[String],
    each: &mut dyn FnMut(NamedEnterprise<'_>),
) -> Result<()> {
    let mut find =
        conn.prepare_cached("SELECT uscc, name, region_code FROM enterprises WHERE name = ?1")?;
    for name in names {
        let mut rows = find.query([name])?;
        // Two enterprises may share a name: every one is handed over, and the caller decides.
        while let Some(row) = rows.next()? {
            each(NamedEnterprise {
                uscc: text(row, 0, "code")?,
                name: text(row, 1, "name")?,
                region_code: text(row, 2, "region")?,
            });
        }
    }
    Ok(())
}

/// A native PostgreSQL connection for one import's look-ups, in one read-only transaction so
/// that every chunk sees the same registry. Connecting costs a few milliseconds, once per
/// import.
async fn postgres(store: &crate::Store) -> Result<sqlx::PgConnection> {
    use sqlx::{Connection as _, Executor as _};
    let url = store.postgres_url.as_deref().ok_or_else(|| {
        StoreError::Config("look-up: the store knows no database to connect to".into())
    })?;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    Ok(conn)
}

async fn regions_postgres(
    conn: &mut sqlx::PgConnection,
    usccs: &[String],
    into: &mut RegionsByUscc,
) -> Result<()> {
    use futures_util::TryStreamExt as _;
    use sqlx::Row as _;
    // One index probe per code. Chunks keep each array parameter a few megabytes.
    for chunk in usccs.chunks(50_000) {
        let mut rows = sqlx::query(
            "SELECT e.uscc, e.region_code FROM UNNEST($1::text[]) AS c(uscc) \
             JOIN enterprises e ON e.uscc = c.uscc",
        )
        .bind(chunk)
        .fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            into.insert(r.try_get::<&str, _>(0)?, r.try_get::<&str, _>(1)?);
        }
    }
    Ok(())
}

/// Registered enterprises bearing any of `names` exactly, on PostgreSQL.
async fn named_postgres(
    conn: &mut sqlx::PgConnection,
    names: &[String],
    each: &mut (dyn FnMut(NamedEnterprise<'_>) + Send),
) -> Result<()> {
    use futures_util::TryStreamExt as _;
    use sqlx::Row as _;
    // One probe of the name index per name; the index is in byte order, hence `COLLATE "C"`
    // (migration 0028). Rows are handed over as they arrive.
    for chunk in names.chunks(50_000) {
        let mut rows = sqlx::query(
            "SELECT e.uscc, e.name, e.region_code FROM UNNEST($1::text[]) AS c(name) \
             JOIN enterprises e ON e.name COLLATE \"C\" = c.name",
        )
        .bind(chunk)
        .fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            each(NamedEnterprise {
                uscc: r.try_get(0)?,
                name: r.try_get(1)?,
                region_code: r.try_get(2)?,
            });
        }
    }
    Ok(())
}
