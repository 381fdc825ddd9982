//! Backups: a consistent copy of the whole database as one SQLite file, whichever backend
//! holds it, and the restore of such a file into an empty database of either backend — so a
//! city that outgrows SQLite moves to PostgreSQL with two commands, and either backend's
//! backup reads back into the other.
//!
//! The file is a kechuang SQLite database at the same schema version: from SQLite it is
//! SQLite's own online backup (consistent while the server writes); from PostgreSQL every
//! table is read in one repeatable-read transaction and written into a freshly migrated file.

use crate::db::Backend;
use crate::{Result, Store, StoreError};
use futures_util::TryStreamExt;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OpenFlags};
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};
use std::path::{Path, PathBuf};

/// What a backup or a restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    /// (table, rows), in the order they were copied.
    pub tables: Vec<(String, u64)>,
}

impl CopySummary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Tables a freshly migrated database must have empty before a restore: anything in them
/// would be lost or mixed with the backup's.
const MUST_BE_EMPTY: [&str; 5] = ["plans", "users", "enterprises", "audit_log", "regions"];

/// Rows read from PostgreSQL and written to the file at a time.
const CHUNK: usize = 2000;

fn sqlite_err(e: rusqlite::Error) -> StoreError {
    StoreError::Sqlite(e)
}

/// Creates kechuang's SQLite schema in an empty file, recording each migration as sqlx does,
/// so the file reads back as a database of this schema version.
fn migrate_file(file: &Connection) -> Result<()> {
    file.execute_batch(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
         checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
    )
    .map_err(sqlite_err)?;
    for m in crate::db::SQLITE_MIGRATIONS.iter() {
        file.execute_batch(&m.sql).map_err(sqlite_err)?;
        file.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (?1, ?2, 1, ?3, 0)",
            rusqlite::params![m.version, m.description.as_ref(), m.checksum.as_ref()],
        )
        .map_err(sqlite_err)?;
    }
    Ok(())
}

/// Opens an SQLite file, waiting (as the server's pools do) while another connection holds
/// a lock — a pool just closed, a checkpoint — rather than failing at once.
fn open_waiting(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags).map_err(sqlite_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(15))
        .map_err(sqlite_err)?;
    Ok(conn)
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Config(format!("{what} {}: {e}", path.display()))
}

/// The file's tables other than SQLite's, the migrations' own and the count change log,
/// parents before the tables that refer to them. The log is not data: a server reading it
/// after a restore sees the restored rows logged by the registries' triggers as they arrive.
fn tables_in_order(conn: &Connection) -> Result<Vec<String>> {
    let mut names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' \
             AND name NOT IN ('count_changes', 'count_log') ORDER BY name",
        )
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(sqlite_err)?;
    let mut parents: std::collections::HashMap<String, Vec<String>> = Default::default();
    for t in &names {
        let refs: Vec<String> = conn
            .prepare(&format!("PRAGMA foreign_key_list(\"{t}\")"))
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(2))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sqlite_err)?;
        parents.insert(t.clone(), refs.into_iter().filter(|p| p != t).collect());
    }
    let mut ordered: Vec<String> = Vec::new();
    while !names.is_empty() {
        let before = names.len();
        names.retain(|t| {
            let ready = parents
                .get(t)
                .is_none_or(|ps| ps.iter().all(|p| ordered.contains(p)));
            if ready {
                ordered.push(t.clone());
            }
            !ready
        });
        if names.len() == before {
            return Err(StoreError::Corrupt(format!(
                "foreign keys form a cycle among {names:?}"
            )));
        }
    }
    // The data generation last: the triggers of the tables copied before it move it on, and
    // a copy must hold the value of its source.
    if let Some(i) = ordered.iter().position(|t| t == "data_state") {
        let t = ordered.remove(i);
        ordered.push(t);
    }
    Ok(ordered)
}

/// Column names of a table, in order, and those of its primary key.
fn columns(conn: &Connection, table: &str) -> Result<(Vec<String>, Vec<String>)> {
    let mut all = Vec::new();
    let mut key: Vec<(i64, String)> = Vec::new();
    let mut s = conn
        .prepare(&format!("PRAGMA table_info(\"{table}\")"))
        .map_err(sqlite_err)?;
    let rows = s
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))
        .map_err(sqlite_err)?;
    for row in rows {
        let (name, pk) = row.map_err(sqlite_err)?;
        if pk > 0 {
            key.push((pk, name.clone()));
        }
        all.push(name);
    }
    key.sort();
    Ok((all, key.into_iter().map(|(_, n)| n).collect()))
}

/// The schema versions a database has applied, to refuse a backup of another version.
fn versions(conn: &Connection) -> Result<Vec<i64>> {
    conn.prepare("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(sqlite_err)
}

fn quoted(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A temporary file beside `file`, renamed over it when complete, so a backup interrupted
/// half-way never looks like a whole one.
fn partial(file: &Path) -> PathBuf {
    let mut p = file.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

impl Store {
    /// Writes a consistent copy of the whole database to `file`, which must not exist yet.
    pub async fn backup_to(&self, file: &Path) -> Result<CopySummary> {
        if file.exists() {
            return Err(StoreError::Config(format!(
                "备份文件 {} 已存在，不会覆盖 (the backup file exists; it is not overwritten)",
                file.display()
            )));
        }
        let tmp = partial(file);
        let _ = std::fs::remove_file(&tmp);
        let done = match self.backend() {
            Backend::Sqlite => self.backup_sqlite(&tmp).await,
            Backend::Postgres => self.backup_postgres(&tmp).await,
        };
        match done {
            Ok(summary) => {
                // Accounts and objectors' contacts are in it: the operator's eyes only.
                crate::db::private(&tmp, 0o600)?;
                std::fs::rename(&tmp, file).map_err(|e| io_err("rename", file, e))?;
                Ok(summary)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    async fn backup_sqlite(&self, tmp: &Path) -> Result<CopySummary> {
        let source = self
            .sqlite_path
            .clone()
            .ok_or_else(|| StoreError::Config("no SQLite file".into()))?;
        let tmp = tmp.to_owned();
        tokio::task::spawn_blocking(move || -> Result<CopySummary> {
            let src = open_waiting(&source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let mut dst = open_waiting(&tmp, OpenFlags::default())?;
            {
                // SQLite's online backup: pages copied while writers go on; a page changed
                // meanwhile restarts the copy, so the result is one consistent moment.
                let b = rusqlite::backup::Backup::new(&src, &mut dst).map_err(sqlite_err)?;
                b.run_to_completion(1024, std::time::Duration::ZERO, None)
                    .map_err(sqlite_err)?;
            }
            // A self-contained file: no journal beside it.
            dst.pragma_update(None, "journal_mode", "DELETE")
                .map_err(sqlite_err)?;
            summarise(&dst)
        })
        .await
        .map_err(|e| StoreError::Config(format!("backup stopped: {e}")))?
    }

    async fn backup_postgres(&self, tmp: &Path) -> Result<CopySummary> {
        // The SQLite schema gives the tables, built on this one connection (no pool whose
        // closing could still hold the file); the rows come from PostgreSQL.
        let file = open_waiting(tmp, OpenFlags::default())?;
        file.pragma_update(None, "foreign_keys", "OFF")
            .map_err(sqlite_err)?;
        migrate_file(&file)?;
        let tables = tables_in_order(&file)?;
        // Rows the migrations seed are replaced by the database's own.
        for t in tables.iter().rev() {
            file.execute(&format!("DELETE FROM \"{t}\""), [])
                .map_err(sqlite_err)?;
        }
        let mut conn = self.read.acquire().await?;
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let copied = copy_tables(&mut conn, &file, &tables).await;
        // Read only: nothing to keep; the connection goes back to the pool clean.
        conn.execute("ROLLBACK").await?;
        copied
    }

    /// Loads a backup file into this database, which must hold no data yet (freshly
    /// created; what its migrations seed is replaced). All or nothing.
    pub async fn restore_from(&self, file: &Path) -> Result<CopySummary> {
        let backup = open_waiting(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| StoreError::Config(format!("{}: {e}", file.display())))?;
        let theirs = versions(&backup).map_err(|_| {
            StoreError::Config(format!(
                "{} 不是 kechuang 的备份文件 (not a kechuang backup)",
                file.display()
            ))
        })?;
        let ours: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&self.read)
        .await?;
        if theirs != ours {
            return Err(StoreError::Config(format!(
                "备份的数据库版本 {theirs:?} 与本程序的 {ours:?} 不同 (the backup is of another schema version)"
            )));
        }
        for t in MUST_BE_EMPTY {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{t}\""))
                .fetch_one(&self.read)
                .await?;
            // Regions come with a new database; everything else must be empty.
            if n > 0 && t != "regions" {
                return Err(StoreError::Config(format!(
                    "目标数据库已有数据（{t} 表有 {n} 行），只能恢复到空数据库 (the target holds data; restore into an empty database)"
                )));
            }
        }
        let tables = tables_in_order(&backup)?;
        match self.backend() {
            Backend::Sqlite => self.restore_sqlite(file, &tables).await,
            Backend::Postgres => self.restore_postgres(&backup, &tables).await,
        }
    }

    async fn restore_sqlite(&self, file: &Path, tables: &[String]) -> Result<CopySummary> {
        let mut conn = self.write.acquire().await?;
        // Foreign keys are checked once at the end, as after a migration: SQLite cannot
        // switch them inside a transaction.
        conn.execute("PRAGMA foreign_keys = OFF").await?;
        let attach = format!(
            "ATTACH DATABASE '{}' AS backup",
            file.display().to_string().replace('\'', "''")
        );
        conn.execute(attach.as_str()).await?;
        let copied = async {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let mut summary = CopySummary { tables: Vec::new() };
            for t in tables.iter().rev() {
                tx.execute(format!("DELETE FROM main.\"{t}\"").as_str())
                    .await?;
            }
            for t in tables {
                let n = tx
                    .execute(
                        format!("INSERT INTO main.\"{t}\" SELECT * FROM backup.\"{t}\"").as_str(),
                    )
                    .await?
                    .rows_affected();
                summary.tables.push((t.clone(), n));
            }
            let broken: Vec<AnyRow> = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(&mut *tx)
                .await?;
            if !broken.is_empty() {
                return Err(StoreError::Corrupt(format!(
                    "{} rows of the backup refer to rows it lacks",
                    broken.len()
                )));
            }
            tx.commit().await?;
            Ok(summary)
        }
        .await;
        let _ = conn.execute("DETACH DATABASE backup").await;
        conn.execute("PRAGMA foreign_keys = ON").await?;
        copied
    }

    async fn restore_postgres(
        &self,
        backup: &Connection,
        tables: &[String],
    ) -> Result<CopySummary> {
        let mut tx = self.write.begin().await?;
        for t in tables.iter().rev() {
            tx.execute(format!("DELETE FROM \"{t}\"").as_str()).await?;
        }
        let mut summary = CopySummary { tables: Vec::new() };
        for t in tables {
            let (cols, key) = columns(backup, t)?;
            let kinds = pg_kinds(&mut *tx, t).await?;
            let casts: Vec<&str> = cols
                .iter()
                .map(|c| kinds.get(c).map_or("text", String::as_str))
                .collect();
            // As many rows a statement as PostgreSQL's 65,535 parameters allow.
            let per = (60_000 / cols.len().max(1)).clamp(1, 1000);
            let order = if key.is_empty() {
                "rowid".to_owned()
            } else {
                quoted(&key)
            };
            let mut s = backup
                .prepare(&format!(
                    "SELECT {} FROM \"{t}\" ORDER BY {order}",
                    quoted(&cols)
                ))
                .map_err(sqlite_err)?;
            let mut rows = s.query([]).map_err(sqlite_err)?;
            let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per);
            let mut n = 0u64;
            while let Some(r) = rows.next().map_err(sqlite_err)? {
                let vals = (0..cols.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(sqlite_err)?;
                batch.push(vals);
                if batch.len() == per {
                    n += insert_pg(&mut tx, t, &cols, &casts, &batch).await?;
                    batch.clear();
                }
            }
            if !batch.is_empty() {
                n += insert_pg(&mut tx, t, &cols, &casts, &batch).await?;
            }
            summary.tables.push((t.clone(), n));
            // Identity columns go on from the largest id restored.
            if cols.iter().any(|c| c == "id") && kinds.get("id").is_some_and(|k| k == "bigint") {
                tx.execute(
                    format!(
                        "SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), \
                         COALESCE((SELECT MAX(id) FROM \"{t}\"), 1), \
                         (SELECT MAX(id) FROM \"{t}\") IS NOT NULL) \
                         WHERE pg_get_serial_sequence('\"{t}\"', 'id') IS NOT NULL"
                    )
                    .as_str(),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}

/// Copies every table from PostgreSQL (inside the caller's snapshot) into the file.
async fn copy_tables(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    file: &Connection,
    tables: &[String],
) -> Result<CopySummary> {
    let mut summary = CopySummary { tables: Vec::new() };
    for t in tables {
        let (cols, key) = columns(file, t)?;
        let kinds = pg_kinds(&mut **conn, t).await?;
        let select: Vec<String> = cols
            .iter()
            .map(|c| {
                let cast = match kinds.get(c).map(String::as_str) {
                    Some("bigint" | "integer" | "smallint") => "bigint",
                    Some("double precision" | "real" | "numeric") => "double precision",
                    Some("bytea") => "bytea",
                    _ => "text",
                };
                format!("\"{c}\"::{cast} AS \"{c}\"")
            })
            .collect();
        let order = if key.is_empty() {
            String::new()
        } else {
            format!(" ORDER BY {}", quoted(&key))
        };
        let sql = format!("SELECT {} FROM \"{t}\"{order}", select.join(", "));
        let insert = format!(
            "INSERT INTO \"{t}\" ({}) VALUES ({})",
            quoted(&cols),
            vec!["?"; cols.len()].join(", ")
        );
        let mut rows = sqlx::query(&sql).fetch(&mut **conn);
        let mut chunk: Vec<Vec<Value>> = Vec::with_capacity(CHUNK);
        let mut n = 0u64;
        while let Some(row) = rows.try_next().await? {
            chunk.push(values(&row, &cols, &kinds)?);
            if chunk.len() == CHUNK {
                n += write_rows(file, &insert, &mut chunk)?;
            }
        }
        n += write_rows(file, &insert, &mut chunk)?;
        summary.tables.push((t.clone(), n));
    }
    Ok(summary)
}

/// The PostgreSQL type of each column of a table.
async fn pg_kinds<'c, E>(conn: E, table: &str) -> Result<std::collections::HashMap<String, String>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// A PostgreSQL row as SQLite values, each column read as the type it was cast to.
fn values(
    row: &AnyRow,
    cols: &[String],
    kinds: &std::collections::HashMap<String, String>,
) -> Result<Vec<Value>> {
    cols.iter()
        .map(|c| {
            Ok(match kinds.get(c).map(String::as_str) {
                Some("bigint" | "integer" | "smallint") => row
                    .try_get::<Option<i64>, _>(c.as_str())?
                    .map_or(Value::Null, Value::Integer),
                Some("double precision" | "real" | "numeric") => row
                    .try_get::<Option<f64>, _>(c.as_str())?
                    .map_or(Value::Null, Value::Real),
                Some("bytea") => row
                    .try_get::<Option<Vec<u8>>, _>(c.as_str())?
                    .map_or(Value::Null, Value::Blob),
                _ => row
                    .try_get::<Option<String>, _>(c.as_str())?
                    .map_or(Value::Null, Value::Text),
            })
        })
        .collect()
}

/// Writes and empties a chunk of rows; answers how many.
fn write_rows(file: &Connection, insert: &str, chunk: &mut Vec<Vec<Value>>) -> Result<u64> {
    let n = chunk.len() as u64;
    if n == 0 {
        return Ok(0);
    }
    let tx = file.unchecked_transaction().map_err(sqlite_err)?;
    {
        let mut s = tx.prepare_cached(insert).map_err(sqlite_err)?;
        for row in chunk.drain(..) {
            s.execute(params_from_iter(row)).map_err(sqlite_err)?;
        }
    }
    tx.commit().map_err(sqlite_err)?;
    Ok(n)
}

/// Inserts rows of a backup into a PostgreSQL table, each value cast to its column's type
/// (a NULL, a number or a text alike).
async fn insert_pg(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    cols: &[String],
    casts: &[&str],
    rows: &[Vec<Value>],
) -> Result<u64> {
    let mut sql = format!("INSERT INTO \"{table}\" ({}) VALUES ", quoted(cols));
    let mut p = 0usize;
    for (i, _) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (j, cast) in casts.iter().enumerate() {
            if j > 0 {
                sql.push_str(", ");
            }
            p += 1;
            sql.push_str(&format!("${p}::{cast}"));
        }
        sql.push(')');
    }
    let mut q = sqlx::query(&sql);
    for row in rows {
        for v in row {
            q = match v {
                Value::Null => q.bind(None::<String>),
                Value::Integer(i) => q.bind(*i),
                Value::Real(f) => q.bind(*f),
                Value::Text(t) => q.bind(t.clone()),
                Value::Blob(b) => q.bind(b.clone()),
            };
        }
    }
    Ok(q.execute(&mut **tx).await?.rows_affected())
}

/// Rows in each table of a finished backup file.
fn summarise(file: &Connection) -> Result<CopySummary> {
    let mut tables = Vec::new();
    for t in tables_in_order(file)? {
        let n: i64 = file
            .query_row(&format!("SELECT COUNT(*) FROM \"{t}\""), [], |r| r.get(0))
            .map_err(sqlite_err)?;
        tables.push((t, n as u64));
    }
    Ok(CopySummary { tables })
}
