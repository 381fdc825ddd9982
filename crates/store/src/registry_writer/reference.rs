//! The database's own bulk load of what an import wrote, for `kechuang bench` to print beside
//! the import (docs/performance.md): is kechuang's import as fast as the database can take the
//! same rows into the same tables?
//!
//! It is run right after the import it measures: rows written since that refer to the
//! import's (a certificate of an imported enterprise) would stop their deletion, and the load
//! fails on their foreign key, changing nothing.
//!
//! The rows are those the import's batch wrote, copied aside first. In one
//! transaction they are deleted (untimed), so each table stands as before the import, then
//! loaded again by the database's own bulk path (timed), and the transaction is rolled back:
//! the database ends as it was. SQLite's bulk path is a plain prepared `INSERT` of each row on
//! a native connection, as its shell's `.import` runs, reading the rows from a temporary table
//! instead of parsing a file; PostgreSQL's is `COPY … FROM STDIN` in text format from a file,
//! as `psql`'s `\copy`. Both write into the real tables, with their keys, indexes, foreign keys
//! and triggers, and neither checks what it loads, so the reference is if anything faster than
//! a real bulk load: the ratio errs against kechuang. On SQLite the reference's inserts fire
//! the tables' triggers row by row, as any load into them would; kechuang's import runs
//! without them and logs what it inserted by statement (registry_writer/sqlite.rs), which is
//! most of why it is faster. (Platforms and patents that carry an import batch are not logged
//! by their insert trigger at all, migration 0029: for them the reference logs nothing.)

use crate::{Result, Store, StoreError};
use std::time::{Duration, Instant};

/// Tables an import writes, parents first: loaded in this order, deleted in the reverse.
const TABLES: [&str; 5] = [
    "enterprises",
    "certificates",
    "platforms",
    "enterprise_facts",
    "patents",
];

/// What loading an import's rows again by the database's own path took.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceLoad {
    pub rows: u64,
    pub took: Duration,
}

impl Store {
    /// Loads the rows of import batch `batch` again by the database's own bulk path into the
    /// tables as they stood before it, and rolls that back; see the module's comment.
    pub async fn reference_load(&self, batch: i64) -> Result<ReferenceLoad> {
        let load = match (&self.sqlite_path, &self.postgres_url) {
            (Some(path), _) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || sqlite(&path, batch))
                    .await
                    .map_err(|e| StoreError::Config(format!("reference load thread: {e}")))??
            }
            (None, Some(url)) => postgres(url, batch).await?,
            (None, None) => {
                return Err(StoreError::Config(
                    "reference load: the store knows no database to connect to".into(),
                ))
            }
        };
        Ok(load)
    }
}

fn sqlite(path: &std::path::Path, batch: i64) -> Result<ReferenceLoad> {
    use rusqlite::types::ToSqlOutput;
    // The import's own connection (sqlite.rs), so the two differ only in what they do. The
    // rows wait in temporary tables on disk, as a file to load would, rather than in memory,
    // which would stay with the process and inflate the next import's peak.
    let conn = super::sqlite::open_bulk(path, "PRAGMA temp_store = FILE;")?;
    for table in TABLES {
        conn.execute(
            &format!(
                "CREATE TEMP TABLE reference_{table} AS \
                 SELECT * FROM main.{table} WHERE batch_id = ?1"
            ),
            [batch],
        )?;
    }
    for table in TABLES.iter().rev() {
        conn.execute(
            &format!("DELETE FROM main.{table} WHERE batch_id = ?1"),
            [batch],
        )?;
    }
    let t = Instant::now();
    let mut loaded = 0u64;
    for table in TABLES {
        let mut select = conn.prepare(&format!("SELECT * FROM temp.reference_{table}"))?;
        let n = select.column_count();
        let marks = vec!["?"; n].join(", ");
        let mut insert = conn.prepare(&format!("INSERT INTO main.{table} VALUES ({marks})"))?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..n {
                insert.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(row.get_ref(i)?))?;
            }
            insert.raw_execute()?;
            loaded += 1;
        }
    }
    // A real load ends by committing, which writes every page it changed to the WAL; the
    // import's time includes its commit. Rolled back, those still in the cache would never be
    // written, so they are written here, inside the timed part (`sqlite3_db_cacheflush`).
    conn.cache_flush()?;
    let took = t.elapsed();
    conn.execute_batch("ROLLBACK")?;
    Ok(ReferenceLoad { rows: loaded, took })
}

async fn postgres(url: &str, batch: i64) -> Result<ReferenceLoad> {
    use futures_util::TryStreamExt as _;
    use sqlx::{Connection as _, Executor as _};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let io = |e: std::io::Error| StoreError::Config(format!("reference load file: {e}"));
    let mut conn = sqlx::postgres::PgConnection::connect(url).await?;
    // Each table's rows go to a file first, as `psql`'s `\copy` would load them: held in
    // memory they would stay with the process and inflate the next import's peak.
    let mut files = Vec::new();
    for table in TABLES {
        let file = std::env::temp_dir().join(format!(
            "kechuang-reference-{}-{table}.copy",
            std::process::id()
        ));
        let mut out_file = tokio::fs::File::create(&file).await.map_err(io)?;
        // COPY takes no parameters; the batch is an integer and the table a constant above.
        let mut out = conn
            .copy_out_raw(&format!(
                "COPY (SELECT * FROM {table} WHERE batch_id = {batch}) TO STDOUT"
            ))
            .await?;
        while let Some(chunk) = out.try_next().await? {
            out_file.write_all(&chunk).await.map_err(io)?;
        }
        drop(out);
        out_file.flush().await.map_err(io)?;
        files.push((table, file));
    }
    let loaded = async {
        conn.execute("BEGIN").await?;
        for (table, _) in files.iter().rev() {
            sqlx::query(&format!("DELETE FROM {table} WHERE batch_id = $1"))
                .bind(batch)
                .execute(&mut conn)
                .await?;
        }
        let t = Instant::now();
        let mut loaded = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        for (table, file) in &files {
            let mut copy = conn
                .copy_in_raw(&format!("COPY {table} FROM STDIN"))
                .await?;
            let mut input = tokio::fs::File::open(file).await.map_err(io)?;
            // A megabyte a message, as `\copy` sends a file.
            loop {
                let n = input.read(&mut buf).await.map_err(io)?;
                if n == 0 {
                    break;
                }
                copy.send(&buf[..n]).await?;
            }
            loaded += copy.finish().await?;
        }
        let took = t.elapsed();
        conn.execute("ROLLBACK").await?;
        // The rolled-back rows are dead versions until vacuumed; the next import should not
        // step over them, as it would not have without this measurement.
        for (table, _) in &files {
            conn.execute(format!("VACUUM {table}").as_str()).await?;
        }
        Ok::<_, StoreError>(ReferenceLoad { rows: loaded, took })
    }
    .await;
    for (_, file) in &files {
        let _ = tokio::fs::remove_file(file).await;
    }
    let load = loaded?;
    conn.close().await?;
    Ok(load)
}
