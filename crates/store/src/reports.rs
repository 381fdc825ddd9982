//! Validation reports of uploaded files, so a report can be downloaded after the page that
//! showed it (and by another server instance than the one that checked the file).

use crate::Absent;
use crate::{now_utc, Result, Store, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// One problem of a report, as the ingest layer found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportProblem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub id: i64,
    pub created_by: String,
    pub created_at: String,
    pub kind: String,
    pub file_name: String,
    pub rows: i64,
    pub dry_run: bool,
    pub written: bool,
    pub problems: Vec<ReportProblem>,
}

pub struct NewReport<'a> {
    pub created_by: &'a str,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub rows: usize,
    pub dry_run: bool,
    pub written: bool,
    pub problems: &'a [ReportProblem],
}

impl Store {
    pub async fn save_report(&self, r: &NewReport<'_>) -> Result<i64> {
        let problems =
            serde_json::to_string(r.problems).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO import_reports (created_by, created_at, kind, file_name, row_count, \
             dry_run, written, problems) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(r.created_by)
        .bind(now_utc())
        .bind(r.kind)
        .bind(r.file_name)
        .bind(r.rows as i64)
        .bind(i64::from(r.dry_run))
        .bind(i64::from(r.written))
        .bind(problems)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A report of `created_by`; anyone else's is not found.
    pub async fn report(&self, id: i64, created_by: &str) -> Result<ImportReport> {
        let r = sqlx::query("SELECT * FROM import_reports WHERE id = $1 AND created_by = $2")
            .bind(id)
            .bind(created_by)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Report { id }))?;
        report_row(&r)
    }

    /// A sender's latest imports, newest first: their history on the upload page.
    pub async fn recent_reports(&self, created_by: &str, limit: i64) -> Result<Vec<ImportReport>> {
        sqlx::query("SELECT * FROM import_reports WHERE created_by = $1 ORDER BY id DESC LIMIT $2")
            .bind(created_by)
            .bind(limit)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(report_row)
            .collect()
    }
}

fn report_row(r: &sqlx::any::AnyRow) -> Result<ImportReport> {
    {
        let problems: String = r.try_get("problems")?;
        Ok(ImportReport {
            id: r.try_get("id")?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            kind: r.try_get("kind")?,
            file_name: r.try_get("file_name")?,
            rows: r.try_get("row_count")?,
            dry_run: r.try_get::<i64, _>("dry_run")? != 0,
            written: r.try_get::<i64, _>("written")? != 0,
            problems: serde_json::from_str(&problems)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}
