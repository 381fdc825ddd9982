//! Writing registry rows in chunks: the current rows of a chunk are read with one query, and
//! new and changed rows written with one upsert, so an import costs a few statements per
//! thousand rows rather than two per row. Each chunk travels as one JSON parameter that the
//! database unpacks itself (`json_each` in SQLite, `json_populate_recordset` in PostgreSQL):
//! binding thousands of separate parameters costs more than the rows themselves. Identical rows
//! are left alone; a changed row's earlier version is kept in `registry_revisions`.

use crate::observations::{Provenance, WriteSummary};
use crate::{Result, StoreError};
use kechuang_domain::registry::{CertificateRow, EnterpriseRow, FactRow, PlatformRow};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Rows per statement. With the rows in one JSON parameter, a statement's cost grows with its
/// rows only, so larger chunks just mean fewer round trips.
const CHUNK_ROWS: usize = 2000;

/// A value to bind, typed so NULLs reach the database with their column's type.
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

/// A registry table as the writer sees it. Key columns come first in `COLUMNS`.
pub(crate) trait Record: Serialize + PartialEq + Sized {
    const ENTITY: &'static str;
    const TABLE: &'static str;
    const KEY: usize;
    const COLUMNS: &'static [&'static str];
    /// Tables whose rows count their revisions.
    const REVISED: bool = true;
    /// Tables that note when a row last changed.
    const STAMPED: bool = false;
    fn values(&self) -> Vec<Val>;
    fn from_row(r: &AnyRow) -> Result<Self>;
}

fn text(s: &str) -> Val {
    Val::Text(Some(s.to_owned()))
}

impl Record for EnterpriseRow {
    const ENTITY: &'static str = "enterprise";
    const TABLE: &'static str = "enterprises";
    const KEY: usize = 1;
    const COLUMNS: &'static [&'static str] = &[
        "uscc",
        "name",
        "region_code",
        "address",
        "industry",
        "registered_on",
        "size",
        "above_scale",
        "hitech_field",
        "contact",
        "uscc_confirmed_by",
    ];
    const STAMPED: bool = true;
    fn values(&self) -> Vec<Val> {
        vec![
            text(&self.uscc),
            text(&self.name),
            text(&self.region_code),
            text(&self.address),
            text(&self.industry),
            Val::Text(self.registered_on.clone()),
            text(&self.size),
            Val::Int(Some(i64::from(self.above_scale))),
            text(&self.hitech_field),
            text(&self.contact),
            Val::Text(self.uscc_confirmed_by.clone()),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::enterprise_row(r)
    }
}

impl Record for CertificateRow {
    const ENTITY: &'static str = "certificate";
    const TABLE: &'static str = "certificates";
    const KEY: usize = 2;
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "number",
        "uscc",
        "title",
        "issued_on",
        "expires_on",
        "batch",
        "revoked_on",
    ];
    fn values(&self) -> Vec<Val> {
        vec![
            text(&self.kind),
            text(&self.number),
            text(&self.uscc),
            text(&self.title),
            text(&self.issued_on),
            Val::Text(self.expires_on.clone()),
            text(&self.batch),
            Val::Text(self.revoked_on.clone()),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::certificate_row(r)
    }
}

impl Record for PlatformRow {
    const ENTITY: &'static str = "platform";
    const TABLE: &'static str = "platforms";
    const KEY: usize = 3;
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "name",
        "level",
        "host_uscc",
        "host_name",
        "region_code",
        "recognised_on",
        "document_no",
        "revoked_on",
    ];
    fn values(&self) -> Vec<Val> {
        vec![
            text(&self.kind),
            text(&self.name),
            text(&self.level),
            Val::Text(self.host_uscc.clone()),
            text(&self.host_name),
            text(&self.region_code),
            text(&self.recognised_on),
            text(&self.document_no),
            Val::Text(self.revoked_on.clone()),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::platform_row(r)
    }
}

impl Record for FactRow {
    const ENTITY: &'static str = "fact";
    const TABLE: &'static str = "enterprise_facts";
    const KEY: usize = 2;
    const COLUMNS: &'static [&'static str] = &[
        "uscc",
        "year",
        "revenue",
        "rd_expenditure",
        "employees",
        "st_staff",
        "invention_patents",
        "hitech_product_revenue",
        "has_rd_institution",
    ];
    const REVISED: bool = false;
    fn values(&self) -> Vec<Val> {
        vec![
            text(&self.uscc),
            Val::Int(Some(i64::from(self.year))),
            Val::Real(self.revenue),
            Val::Real(self.rd_expenditure),
            Val::Int(self.employees),
            Val::Int(self.st_staff),
            Val::Int(self.invention_patents),
            Val::Real(self.hitech_product_revenue),
            Val::Int(self.has_rd_institution.map(i64::from)),
        ]
    }
    fn from_row(r: &AnyRow) -> Result<Self> {
        crate::registries::fact_row(r)
    }
}

/// The key of a row as text, for lookups and revision records.
fn key_text(values: &[Val], n: usize) -> String {
    values[..n]
        .iter()
        .map(|v| match v {
            Val::Text(s) => s.clone().unwrap_or_default(),
            Val::Int(i) => i.map(|x| x.to_string()).unwrap_or_default(),
            Val::Real(f) => f.map(|x| x.to_string()).unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join(":")
}

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
fn unpacked<R: Record>(sqlite: bool, cols: &[&str]) -> String {
    if sqlite {
        let exprs: Vec<String> = cols.iter().map(|c| format!("j.value ->> '{c}'")).collect();
        format!(
            "SELECT {} FROM json_each(?1) j WHERE true",
            exprs.join(", ")
        )
    } else {
        let exprs: Vec<String> = cols.iter().map(|c| format!("r.{c}")).collect();
        format!(
            "SELECT {} FROM json_populate_recordset(NULL::{}, $1::json) r",
            exprs.join(", "),
            R::TABLE
        )
    }
}

/// The n-th parameter (1-based). SQLite looks a named `$N` up against every earlier name
/// while parsing, which is quadratic in a statement of thousands; it numbers `?N` directly.
fn param(sqlite: bool, n: usize) -> String {
    if sqlite {
        format!("?{n}")
    } else {
        format!("${n}")
    }
}

fn placeholders(sqlite: bool, rows: usize, cols: usize, from: usize) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (0..cols)
                .map(|c| param(sqlite, from + r * cols + c + 1))
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A registry import being written: one transaction from the first chunk to [`finish`];
/// dropped without finishing, it rolls back and nothing of the import remains.
///
/// [`finish`]: RegistryWrite::finish
pub struct RegistryWrite {
    tx: Transaction<'static, Any>,
    prov: Provenance,
    now: String,
    batch: Option<i64>,
    summary: WriteSummary,
    sqlite: bool,
}

impl RegistryWrite {
    pub(crate) fn new(tx: Transaction<'static, Any>, prov: Provenance, sqlite: bool) -> Self {
        Self {
            tx,
            prov,
            now: crate::now_utc(),
            batch: None,
            summary: WriteSummary::default(),
            sqlite,
        }
    }

    /// Writes a chunk of parsed rows; enterprises first, as the others refer to them.
    pub async fn write_batch(
        &mut self,
        batch: &kechuang_domain::registry::RegistryBatch,
    ) -> Result<()> {
        self.write(&batch.enterprises).await?;
        self.write(&batch.certificates).await?;
        self.write(&batch.platforms).await?;
        self.write(&batch.facts).await?;
        Ok(())
    }

    /// Commits: when anything changed, the registry generation moves on (so cached counts
    /// are read again) and the import is audited, in the same transaction.
    /// `rows`: how many rows the file had, known once it has all been read.
    pub async fn finish(mut self, rows: usize) -> Result<WriteSummary> {
        let mut summary = std::mem::take(&mut self.summary);
        summary.batch_id = self.batch;
        if let Some(batch) = summary.batch_id {
            sqlx::query("UPDATE import_batches SET row_count = $1 WHERE id = $2")
                .bind(rows as i64)
                .bind(batch)
                .execute(&mut *self.tx)
                .await?;
            sqlx::query("UPDATE registry_state SET generation = generation + 1 WHERE id = 1")
                .execute(&mut *self.tx)
                .await?;
            crate::audit::append_import(&mut self.tx, &self.prov, &summary).await?;
        }
        self.tx.commit().await?;
        Ok(summary)
    }

    async fn batch_id(&mut self) -> Result<i64> {
        if let Some(b) = self.batch {
            return Ok(b);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO import_batches (kind, file_name, row_count, imported_by, imported_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
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
        // The rows already there, by key.
        let lookup = format!(
            "SELECT {} FROM {} WHERE ({key_cols}) IN ({})",
            cols.join(", "),
            R::TABLE,
            unpacked::<R>(self.sqlite, &cols[..R::KEY])
        );
        let all: Vec<&R> = chunk.iter().collect();
        let q = sqlx::query(&lookup).bind(json_rows(&all, R::KEY));
        let mut current: HashMap<String, R> = HashMap::new();
        for row in q.fetch_all(&mut *self.tx).await? {
            let old = R::from_row(&row)?;
            current.insert(key_text(&old.values(), R::KEY), old);
        }
        let mut changed: Vec<(String, &R)> = Vec::new();
        let mut write: Vec<&R> = Vec::new();
        for r in chunk {
            let key = key_text(&r.values(), R::KEY);
            match current.get(&key) {
                Some(old) if old == r => self.summary.unchanged += 1,
                Some(old) => {
                    self.summary.updated += 1;
                    changed.push((key, old));
                    write.push(r);
                }
                None => {
                    self.summary.inserted += 1;
                    write.push(r);
                }
            }
        }
        if write.is_empty() {
            return Ok(());
        }
        let batch = self.batch_id().await?;
        if !changed.is_empty() {
            let sql = format!(
                "INSERT INTO registry_revisions (entity, entity_key, data, batch_id, superseded_at) VALUES {}",
                placeholders(self.sqlite, changed.len(), 5, 0)
            );
            let mut q = sqlx::query(&sql).persistent(false);
            for (key, old) in &changed {
                let data =
                    serde_json::to_string(old).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                q = q
                    .bind(R::ENTITY)
                    .bind(key.clone())
                    .bind(data)
                    .bind(batch)
                    .bind(self.now.clone());
            }
            q.execute(&mut *self.tx).await?;
        }
        let extra: Vec<&str> = std::iter::once("batch_id")
            .chain(R::STAMPED.then_some("updated_at"))
            .collect();
        let mut sets: Vec<String> = cols[R::KEY..]
            .iter()
            .chain(extra.iter())
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        if R::REVISED {
            sets.push(format!("revision = {}.revision + 1", R::TABLE));
        }
        // Batch and timestamp follow the JSON as parameters 2 and 3.
        let mut select = unpacked::<R>(self.sqlite, cols);
        let extra_params: Vec<String> = (2..2 + extra.len())
            .map(|n| param(self.sqlite, n))
            .collect();
        select = select.replacen(" FROM ", &format!(", {} FROM ", extra_params.join(", ")), 1);
        let sql = format!(
            "INSERT INTO {} ({}, {}) {select} ON CONFLICT ({key_cols}) DO UPDATE SET {}",
            R::TABLE,
            cols.join(", "),
            extra.join(", "),
            sets.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(json_rows(&write, cols.len()))
            .bind(batch);
        if R::STAMPED {
            q = q.bind(self.now.clone());
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }
}
