//! The PostgreSQL writer: rows in chunks of a few thousand, so an import costs a few statements
//! per thousand rows rather than two per row. A chunk's new rows go in with one
//! `INSERT … ON CONFLICT DO NOTHING`; only when it skipped some, whose key exists, is the chunk
//! read back, the skipped rows compared, and those that changed written with one upsert. Each
//! chunk travels as one JSON parameter that the server unpacks itself
//! (`json_populate_recordset`): binding thousands of separate parameters costs more than the
//! rows themselves.

use super::{key_text, revision_json, sql, Record, Val};
use crate::observations::{Provenance, WriteSummary};
use crate::{Result, StoreError};
use kechuang_domain::registry::RegistryBatch;
use sqlx::Row as _;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Rows per statement. With the rows in one JSON parameter, a statement's cost grows with its
/// rows only, so larger chunks just mean fewer round trips.
const CHUNK_ROWS: usize = 2000;

/// Rows as a JSON array of objects keyed by column name (the first `n` columns of each),
/// written straight into one string: a chunk is thousands of rows, and building `Value`s
/// for them costs more than the database's work.
fn json_rows<R: Record>(rows: &[&R], n: usize) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(rows.len() * 64 * n.min(8));
    out.push('[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        for (j, (c, v)) in R::COLUMNS.iter().zip(r.values()).take(n).enumerate() {
            if j > 0 {
                out.push(',');
            }
            // Column names are plain identifiers; values are escaped by serde_json.
            let _ = write!(out, "\"{c}\":");
            match v {
                Val::Text(Some(s)) => {
                    out.push_str(&serde_json::to_string(&s).unwrap_or_else(|_| "null".into()))
                }
                Val::Int(Some(i)) => {
                    let _ = write!(out, "{i}");
                }
                Val::Real(Some(f)) if f.is_finite() => {
                    let _ = write!(out, "{f}");
                }
                _ => out.push_str("null"),
            }
        }
        out.push('}');
    }
    out.push(']');
    out
}

/// `SELECT` of the given columns from the rows in JSON parameter 1, typed as the table's.
fn unpacked<R: Record>(cols: &[&str]) -> String {
    let exprs: Vec<String> = cols.iter().map(|c| format!("r.{c}")).collect();
    format!(
        "SELECT {} FROM json_populate_recordset(NULL::{}, $1::json) r",
        exprs.join(", "),
        R::TABLE
    )
}

/// `sql` with the rows as JSON parameter 1, then the batch and, for stamped tables, the time.
fn rows_query<'q, R: Record>(
    sql: &'q str,
    rows: &[&R],
    batch: i64,
    now: &str,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql)
        .bind(json_rows(rows, R::COLUMNS.len()))
        .bind(batch);
    if R::STAMPED {
        q = q.bind(now.to_owned());
    }
    q
}

/// Placeholders for the revisions of a chunk: `($1, …, $5), ($6, …)`.
fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (0..cols)
                .map(|c| format!("${}", r * cols + c + 1))
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) struct Write {
    tx: Transaction<'static, Any>,
    /// For the upkeep after the commit, which runs outside the import's transaction.
    pool: sqlx::AnyPool,
    background: crate::db::Background,
    prov: Provenance,
    now: String,
    batch: Option<i64>,
    summary: WriteSummary,
}

impl Write {
    pub(super) fn new(
        tx: Transaction<'static, Any>,
        pool: sqlx::AnyPool,
        background: crate::db::Background,
        prov: Provenance,
    ) -> Self {
        Self {
            tx,
            pool,
            background,
            prov,
            now: crate::now_utc(),
            batch: None,
            summary: WriteSummary::default(),
        }
    }

    pub(super) async fn write_batch(&mut self, batch: &RegistryBatch) -> Result<()> {
        self.write(&batch.enterprises).await?;
        self.write(&batch.certificates).await?;
        self.write(&batch.platforms).await?;
        self.write(&batch.facts).await?;
        self.write(&batch.patents).await?;
        Ok(())
    }

    /// Commits what changed; an import that changed nothing is rolled back, leaving neither a
    /// batch nor an audit entry, and the registry generation where it was.
    pub(super) async fn finish(mut self, rows: usize) -> Result<WriteSummary> {
        let mut summary = std::mem::take(&mut self.summary);
        if summary.inserted + summary.updated == 0 {
            self.tx.rollback().await?;
            return Ok(summary);
        }
        summary.batch_id = self.batch;
        if let Some(batch) = summary.batch_id {
            sqlx::query(sql::BATCH_ROWS)
                .bind(rows as i64)
                .bind(batch)
                .execute(&mut *self.tx)
                .await?;
            sqlx::query(sql::NEXT_GENERATION)
                .execute(&mut *self.tx)
                .await?;
            sqlx::query(sql::MERGE_POSTGRES)
                .execute(&mut *self.tx)
                .await?;
            crate::audit::append_import(&mut self.tx, &self.prov, &summary).await?;
        }
        self.tx.commit().await?;
        // Pruning the count log is upkeep, run after the import has answered in a statement
        // of its own: finding old entries scans the log (0.1–0.2 s at province scale), which
        // a small import should not wait for. A failure loses nothing: old entries wait for
        // the next prune.
        let (cutoff, at_most) = sql::prune_bounds(rows);
        let pool = self.pool.clone();
        self.background.add_task(tokio::spawn(async move {
            let pruned = sqlx::query(sql::PRUNE_POSTGRES)
                .bind(cutoff)
                .bind(at_most)
                .execute(&pool)
                .await;
            if let Err(e) = pruned {
                tracing::warn!(error = %e, "count log not pruned");
            }
        }));
        Ok(summary)
    }

    async fn batch_id(&mut self) -> Result<i64> {
        if let Some(b) = self.batch {
            return Ok(b);
        }
        let id: i64 = sqlx::query_scalar(sql::NEW_BATCH)
            .bind(&self.prov.kind)
            .bind(&self.prov.file_name)
            // The file's row count is set at `finish`, when the whole file has been read.
            .bind(0_i64)
            .bind(&self.prov.actor)
            .bind(&self.now)
            .fetch_one(&mut *self.tx)
            .await?;
        self.batch = Some(id);
        Ok(id)
    }

    async fn write<R: Record>(&mut self, rows: &[R]) -> Result<()> {
        for chunk in rows.chunks(CHUNK_ROWS) {
            self.write_chunk(chunk).await?;
        }
        Ok(())
    }

    async fn write_chunk<R: Record>(&mut self, chunk: &[R]) -> Result<()> {
        let cols = R::COLUMNS;
        let key_cols = cols[..R::KEY].join(", ");
        let batch = self.batch_id().await?;
        let extra: Vec<&str> = std::iter::once("batch_id")
            .chain(R::STAMPED.then_some("updated_at"))
            .collect();
        // Batch and timestamp follow the JSON as parameters 2 and 3.
        let extra_params: Vec<String> = (2..2 + extra.len()).map(|n| format!("${n}")).collect();
        let select = unpacked::<R>(cols).replacen(
            " FROM ",
            &format!(", {} FROM ", extra_params.join(", ")),
            1,
        );
        let insert = format!(
            "INSERT INTO {} ({}, {}) {select} ON CONFLICT ({key_cols})",
            R::TABLE,
            cols.join(", "),
            extra.join(", "),
        );
        // New rows go in at once. Usually all are new, which the count of rows written says
        // without sending any key back.
        let all: Vec<&R> = chunk.iter().collect();
        let inserted = rows_query(&format!("{insert} DO NOTHING"), &all, batch, &self.now)
            .execute(&mut *self.tx)
            .await?
            .rows_affected() as usize;
        self.summary.inserted += inserted;
        if inserted == chunk.len() {
            return Ok(());
        }

        // Otherwise the chunk's rows are read back: one index probe per key. Those the
        // statement above inserted carry this import's batch (a file names each key once, and
        // this import wrote no other row of these keys); the others are compared with what
        // is stored. `LIMIT 1` keeps the planner from turning the probes into a join over the
        // whole table, which it may prefer for a table without statistics yet.
        let matches: Vec<String> = cols[..R::KEY]
            .iter()
            .map(|c| format!("t.{c} = k.{c}"))
            .collect();
        let lookup = format!(
            "SELECT e.* FROM json_populate_recordset(NULL::{table}, $1::json) k \
             CROSS JOIN LATERAL (SELECT {}, t.batch_id AS written_in_batch \
             FROM {table} t WHERE {} LIMIT 1) e",
            cols.iter()
                .map(|c| format!("t.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            matches.join(" AND "),
            table = R::TABLE,
        );
        let mut current: HashMap<String, Option<Vec<Val<'static>>>> = HashMap::new();
        for row in sqlx::query(&lookup)
            .bind(json_rows(&all, R::KEY))
            .fetch_all(&mut *self.tx)
            .await?
        {
            let old: Vec<Val<'static>> = R::from_row(&row)?
                .values()
                .into_iter()
                .map(Val::into_owned)
                .collect();
            let new_here = row.try_get::<Option<i64>, _>("written_in_batch")? == Some(batch);
            current.insert(key_text(&old, R::KEY), (!new_here).then_some(old));
        }
        let mut changed: Vec<(String, &[Val<'static>])> = Vec::new();
        let mut write: Vec<&R> = Vec::new();
        for r in chunk {
            let new = r.values();
            let key = key_text(&new, R::KEY);
            match current.get(&key) {
                // Inserted just now.
                Some(None) => {}
                Some(Some(old)) if *old == new => self.summary.unchanged += 1,
                Some(Some(old)) => {
                    changed.push((key, old));
                    write.push(r);
                }
                // Neither inserted nor there: another unique key than the natural one
                // refused it, which no registry table has.
                None => {
                    return Err(StoreError::Corrupt(format!(
                        "{} {key} 无法写入 (could not be written)",
                        R::ENTITY
                    )))
                }
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        self.summary.updated += changed.len();
        let sql = sql::REVISION.replace("($1, $2, $3, $4, $5)", &placeholders(changed.len(), 5));
        let mut q = sqlx::query(&sql).persistent(false);
        for (key, old) in &changed {
            q = q
                .bind(R::ENTITY)
                .bind(key.clone())
                .bind(revision_json::<R>(old))
                .bind(batch)
                .bind(self.now.clone());
        }
        q.execute(&mut *self.tx).await?;
        let mut sets: Vec<String> = cols[R::KEY..]
            .iter()
            .chain(extra.iter())
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        if R::REVISED {
            sets.push(format!("revision = {}.revision + 1", R::TABLE));
        }
        let update = format!("{insert} DO UPDATE SET {}", sets.join(", "));
        rows_query(&update, &write, batch, &self.now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
