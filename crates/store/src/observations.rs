//! Observations: indicator × region × period × value, with provenance and revision history.

use crate::Refusal;
use crate::{now_utc, Result, Store, StoreError};
use kechuang_domain::{Period, RegionCode};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub indicator: String,
    pub region: RegionCode,
    pub period: Period,
    pub value: f64,
    pub source: String,
    pub note: String,
}

/// Who writes, and from which file or form.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub actor: String,
    /// Where the write came from: a client address, or `cli`.
    pub client: String,
    pub file_name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WriteSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub batch_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationRecord {
    pub indicator: String,
    pub region: String,
    pub period: String,
    pub period_end: String,
    pub value: f64,
    pub source: String,
    pub note: String,
    pub entered_by: String,
    pub entered_at: String,
    pub file_name: Option<String>,
    pub revision: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevisionRecord {
    pub region: String,
    pub period: String,
    pub value: f64,
    pub source: String,
    pub entered_by: String,
    pub entered_at: String,
    pub file_name: Option<String>,
    pub revision: i64,
    pub superseded_at: String,
}

impl Store {
    /// Writes observations in one transaction. Identical rows change nothing (so importing a
    /// file twice is a no-op and leaves no empty batch behind); a changed value keeps the old
    /// one in `observation_revisions`.
    ///
    /// Figures of a county and period whose data-entry return is approved are locked: such a
    /// file is refused whole, naming the first locked pair.
    pub async fn write_observations(
        &self,
        rows: &[NewObservation],
        prov: &Provenance,
    ) -> Result<WriteSummary> {
        let mut tx = self.begin_write().await?;
        for o in rows {
            let locked: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM entry_returns WHERE region_code = $1 AND period = $2 AND status = 'approved'",
            )
            .bind(o.region.as_str())
            .bind(o.period.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            if locked.is_some() {
                return Err(StoreError::Refused(Refusal::PeriodLocked {
                    region: o.region.to_string(),
                    period: o.period.to_string(),
                }));
            }
        }
        let summary = write_observations_in(&mut tx, rows, prov).await?;
        crate::audit::append_import(&mut tx, prov, &summary).await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// Writes observations inside a transaction the caller commits (an import, or the approval
/// of a county's return).
pub(crate) async fn write_observations_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    rows: &[NewObservation],
    prov: &Provenance,
) -> Result<WriteSummary> {
    {
        let mut summary = WriteSummary::default();
        let mut batch: Option<i64> = None;
        let now = now_utc();
        for o in rows {
            let period = o.period.to_string();
            let current = sqlx::query(
                "SELECT value, source, note FROM observations \
                 WHERE indicator_code = $1 AND region_code = $2 AND period = $3",
            )
            .bind(&o.indicator)
            .bind(o.region.as_str())
            .bind(&period)
            .fetch_optional(&mut **tx)
            .await?;
            let unchanged = match &current {
                Some(r) => {
                    let v: f64 = r.try_get("value")?;
                    let s: String = r.try_get("source")?;
                    let n: String = r.try_get("note")?;
                    v == o.value && s == o.source && n == o.note
                }
                None => false,
            };
            if unchanged {
                summary.unchanged += 1;
                continue;
            }
            let batch_id = match batch {
                Some(b) => b,
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO import_batches (kind, file_name, row_count, imported_by, imported_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(&prov.kind)
                    .bind(&prov.file_name)
                    .bind(rows.len() as i64)
                    .bind(&prov.actor)
                    .bind(&now)
                    .fetch_one(&mut **tx)
                    .await?;
                    batch = Some(id);
                    id
                }
            };
            if current.is_some() {
                sqlx::query(
                    "INSERT INTO observation_revisions (indicator_code, region_code, period, value, \
                     source, note, entered_by, entered_at, batch_id, revision, superseded_at) \
                     SELECT indicator_code, region_code, period, value, source, note, entered_by, \
                     entered_at, batch_id, revision, $4 FROM observations \
                     WHERE indicator_code = $1 AND region_code = $2 AND period = $3",
                )
                .bind(&o.indicator)
                .bind(o.region.as_str())
                .bind(&period)
                .bind(&now)
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    "UPDATE observations SET value = $4, source = $5, note = $6, entered_by = $7, \
                     entered_at = $8, batch_id = $9, revision = revision + 1 \
                     WHERE indicator_code = $1 AND region_code = $2 AND period = $3",
                )
                .bind(&o.indicator)
                .bind(o.region.as_str())
                .bind(&period)
                .bind(o.value)
                .bind(&o.source)
                .bind(&o.note)
                .bind(&prov.actor)
                .bind(&now)
                .bind(batch_id)
                .execute(&mut **tx)
                .await?;
                summary.updated += 1;
            } else {
                sqlx::query(
                    "INSERT INTO observations (indicator_code, region_code, period, period_end, value, \
                     source, note, entered_by, entered_at, batch_id, revision) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
                )
                .bind(&o.indicator)
                .bind(o.region.as_str())
                .bind(&period)
                .bind(o.period.end_date().format("%Y-%m-%d").to_string())
                .bind(o.value)
                .bind(&o.source)
                .bind(&o.note)
                .bind(&prov.actor)
                .bind(&now)
                .bind(batch_id)
                .execute(&mut **tx)
                .await?;
                summary.inserted += 1;
            }
        }
        summary.batch_id = batch;
        Ok(summary)
    }
}

impl Store {
    /// Current observations, optionally of one indicator and/or a set of regions, with the
    /// file each came from.
    pub async fn observations(
        &self,
        indicator: Option<&str>,
        regions: Option<&[RegionCode]>,
    ) -> Result<Vec<ObservationRecord>> {
        let rows = sqlx::query(
            "SELECT o.indicator_code, o.region_code, o.period, o.period_end, o.value, o.source, \
             o.note, o.entered_by, o.entered_at, b.file_name, o.revision \
             FROM observations o LEFT JOIN import_batches b ON b.id = o.batch_id \
             WHERE ($1 IS NULL OR o.indicator_code = $1) \
             ORDER BY o.indicator_code, o.region_code, o.period_end, o.period",
        )
        .bind(indicator.map(str::to_owned))
        .fetch_all(&self.read)
        .await?;
        let keep = |r: &str| regions.is_none_or(|rs| rs.iter().any(|c| c.as_str() == r));
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let rec = observation_record(r)?;
            if keep(&rec.region) {
                out.push(rec);
            }
        }
        Ok(out)
    }

    /// Figures for computing progress: (indicator, region, period, value).
    pub async fn figures(&self) -> Result<Vec<(String, RegionCode, Period, f64)>> {
        let rows =
            sqlx::query("SELECT indicator_code, region_code, period, value FROM observations")
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                let region: String = r.try_get("region_code")?;
                let period: String = r.try_get("period")?;
                Ok((
                    r.try_get("indicator_code")?,
                    RegionCode::parse(&region).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    Period::parse(&period).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    r.try_get("value")?,
                ))
            })
            .collect()
    }

    /// Earlier values of an indicator's observations, newest first.
    pub async fn revisions(&self, indicator: &str) -> Result<Vec<RevisionRecord>> {
        let rows = sqlx::query(
            "SELECT r.region_code, r.period, r.value, r.source, r.entered_by, r.entered_at, \
             b.file_name, r.revision, r.superseded_at \
             FROM observation_revisions r LEFT JOIN import_batches b ON b.id = r.batch_id \
             WHERE r.indicator_code = $1 ORDER BY r.id DESC",
        )
        .bind(indicator)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RevisionRecord {
                    region: r.try_get("region_code")?,
                    period: r.try_get("period")?,
                    value: r.try_get("value")?,
                    source: r.try_get("source")?,
                    entered_by: r.try_get("entered_by")?,
                    entered_at: r.try_get("entered_at")?,
                    file_name: r.try_get("file_name")?,
                    revision: r.try_get("revision")?,
                    superseded_at: r.try_get("superseded_at")?,
                })
            })
            .collect()
    }
}

fn observation_record(r: &AnyRow) -> Result<ObservationRecord> {
    Ok(ObservationRecord {
        indicator: r.try_get("indicator_code")?,
        region: r.try_get("region_code")?,
        period: r.try_get("period")?,
        period_end: r.try_get("period_end")?,
        value: r.try_get("value")?,
        source: r.try_get("source")?,
        note: r.try_get("note")?,
        entered_by: r.try_get("entered_by")?,
        entered_at: r.try_get("entered_at")?,
        file_name: r.try_get("file_name")?,
        revision: r.try_get("revision")?,
    })
}
