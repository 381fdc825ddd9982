//! County data entry: a return per county and period, its figures, and every transition.
//! Approval writes the figures as the county's observations in the same transaction, so the
//! dashboard shows them the moment the return is approved, and the period locks.

use crate::audit::{append, Actor, AuditEntry};
use crate::observations::{write_observations_in, NewObservation, Provenance};
use crate::{now_utc, Result, Store, StoreError};
use crate::{Absent, Refusal};
use kechuang_domain::entry::{transition, EntryAction, EntryStatus};
use kechuang_domain::{Period, RegionCode};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryValue {
    pub indicator: String,
    pub value: f64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionRecord {
    pub actor: String,
    pub from: String,
    pub to: String,
    pub comment: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryReturn {
    pub id: i64,
    pub region_code: String,
    pub period: String,
    #[serde(serialize_with = "status_str")]
    pub status: EntryStatus,
    pub comment: String,
    pub updated_by: String,
    pub updated_at: String,
    pub values: Vec<EntryValue>,
    pub transitions: Vec<TransitionRecord>,
}

fn status_str<S: serde::Serializer>(s: &EntryStatus, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

fn header(r: &AnyRow) -> Result<EntryReturn> {
    let status: String = r.try_get("status")?;
    Ok(EntryReturn {
        id: r.try_get("id")?,
        region_code: r.try_get("region_code")?,
        period: r.try_get("period")?,
        status: EntryStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("entry status {status}")))?,
        comment: r.try_get("comment")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        values: Vec::new(),
        transitions: Vec::new(),
    })
}

/// A return's header row, from the pool or inside a transaction.
async fn load<'e, E: sqlx::Executor<'e, Database = Any>>(
    e: E,
    region: &RegionCode,
    period: &Period,
) -> Result<Option<EntryReturn>> {
    let row = sqlx::query("SELECT * FROM entry_returns WHERE region_code = $1 AND period = $2")
        .bind(region.as_str())
        .bind(period.to_string())
        .fetch_optional(e)
        .await?;
    row.as_ref().map(header).transpose()
}

/// A return's figures, by indicator.
async fn values_of<'e, E: sqlx::Executor<'e, Database = Any>>(
    e: E,
    return_id: i64,
) -> Result<Vec<EntryValue>> {
    sqlx::query(
        "SELECT indicator_code, value, note FROM entry_values WHERE return_id = $1 ORDER BY indicator_code",
    )
    .bind(return_id)
    .fetch_all(e)
    .await?
    .iter()
    .map(|v| {
        Ok(EntryValue {
            indicator: v.try_get("indicator_code")?,
            value: v.try_get("value")?,
            note: v.try_get("note")?,
        })
    })
    .collect()
}

/// The history of a record kept in a transitions table (`table`, keyed by `key`), oldest
/// first. Both names are this crate's own constants, never input.
pub(crate) async fn transitions(
    pool: &sqlx::AnyPool,
    table: &'static str,
    key: &'static str,
    id: i64,
) -> Result<Vec<TransitionRecord>> {
    sqlx::query(&format!(
        "SELECT actor, from_status, to_status, comment, at FROM {table} WHERE {key} = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|t| {
        Ok(TransitionRecord {
            actor: t.try_get("actor")?,
            from: t.try_get("from_status")?,
            to: t.try_get("to_status")?,
            comment: t.try_get("comment")?,
            at: t.try_get("at")?,
        })
    })
    .collect()
}

fn json_values(values: &[EntryValue]) -> String {
    serde_json::to_string(values).unwrap_or_default()
}

impl Store {
    /// A county's return for a period, with its figures and history.
    pub async fn entry_return(
        &self,
        region: &RegionCode,
        period: &Period,
    ) -> Result<Option<EntryReturn>> {
        let Some(mut r) = load(&self.read, region, period).await? else {
            return Ok(None);
        };
        r.values = values_of(&self.read, r.id).await?;
        r.transitions = transitions(&self.read, "entry_transitions", "return_id", r.id).await?;
        Ok(Some(r))
    }

    /// Returns in the given regions (all when `None`), newest period first.
    pub async fn entry_returns(&self, regions: Option<&[RegionCode]>) -> Result<Vec<EntryReturn>> {
        let rows = sqlx::query("SELECT * FROM entry_returns ORDER BY period DESC, region_code")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(header)
            .filter(|r| match (r, regions) {
                (Ok(r), Some(set)) => set.iter().any(|c| c.as_str() == r.region_code),
                _ => true,
            })
            .collect()
    }

    /// Saves (and with `Submit`, submits) a county's figures. Refused when the return is not
    /// editable — submitted, or approved and locked — checked under the write lock, so two
    /// officers cannot race a bureau approval.
    pub async fn save_return(
        &self,
        region: &RegionCode,
        period: &Period,
        values: &[EntryValue],
        action: EntryAction,
        by: &Actor,
    ) -> Result<EntryStatus> {
        if !matches!(action, EntryAction::Save | EntryAction::Submit) {
            return Err(StoreError::Refused(Refusal::ReviewAction {
                action: action.as_str().to_owned(),
            }));
        }
        let mut tx = self.begin_write().await?;
        let existing = load(&mut *tx, region, period).await?;
        let from = existing.as_ref().map_or(EntryStatus::Draft, |r| r.status);
        let to = transition(from, action).map_err(StoreError::rule)?;
        let now = now_utc();
        let id = match &existing {
            Some(r) => {
                sqlx::query("UPDATE entry_returns SET status = $1, updated_by = $2, updated_at = $3 WHERE id = $4")
                    .bind(to.as_str())
                    .bind(&by.name)
                    .bind(&now)
                    .bind(r.id)
                    .execute(&mut *tx)
                    .await?;
                r.id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO entry_returns (region_code, period, status, comment, updated_by, updated_at) \
                     VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
                )
                .bind(region.as_str())
                .bind(period.to_string())
                .bind(to.as_str())
                .bind(&by.name)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let before = values_of(&mut *tx, id).await?;
        sqlx::query("DELETE FROM entry_values WHERE return_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for v in values {
            sqlx::query("INSERT INTO entry_values (return_id, indicator_code, value, note) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(&v.indicator)
                .bind(v.value)
                .bind(&v.note)
                .execute(&mut *tx)
                .await?;
        }
        record_transition(&mut tx, id, by, from, to, "").await?;
        let entity_id = format!("{region}/{period}");
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: if to == EntryStatus::Submitted {
                    "entry.submit"
                } else {
                    "entry.save"
                },
                entity: "entry_return",
                entity_id: &entity_id,
                before: json_values(&before),
                after: json_values(values),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// The bureau's decision on a submitted return: approve (the figures become the county's
    /// observations and the period locks), return with a comment, or unlock an approved one.
    pub async fn review_return(
        &self,
        region: &RegionCode,
        period: &Period,
        action: EntryAction,
        comment: &str,
        by: &Actor,
    ) -> Result<EntryStatus> {
        if !matches!(
            action,
            EntryAction::Approve | EntryAction::Return | EntryAction::Unlock
        ) {
            return Err(StoreError::Refused(Refusal::CountyAction {
                action: action.as_str().to_owned(),
            }));
        }
        let mut tx = self.begin_write().await?;
        let existing = load(&mut *tx, region, period).await?.ok_or_else(|| {
            StoreError::NotFound(Absent::Return {
                region: region.to_string(),
                period: period.to_string(),
            })
        })?;
        let to = transition(existing.status, action).map_err(StoreError::rule)?;
        sqlx::query(
            "UPDATE entry_returns SET status = $1, comment = $2, updated_by = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(to.as_str())
        .bind(comment)
        .bind(&by.name)
        .bind(now_utc())
        .bind(existing.id)
        .execute(&mut *tx)
        .await?;
        if action == EntryAction::Approve {
            let rows: Vec<NewObservation> = values_of(&mut *tx, existing.id)
                .await?
                .into_iter()
                .map(|v| NewObservation {
                    indicator: v.indicator,
                    region: region.clone(),
                    period: *period,
                    value: v.value,
                    source: "数据填报 (data entry)".into(),
                    note: v.note,
                })
                .collect();
            write_observations_in(
                &mut tx,
                &rows,
                &Provenance {
                    actor: by.name.clone(),
                    client: by.client.clone(),
                    file_name: format!("数据填报 {region} {period}"),
                    kind: "entry".into(),
                },
            )
            .await?;
        }
        record_transition(&mut tx, existing.id, by, existing.status, to, comment).await?;
        let entity_id = format!("{region}/{period}");
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: match action {
                    EntryAction::Approve => "entry.approve",
                    EntryAction::Return => "entry.return",
                    _ => "entry.unlock",
                },
                entity: "entry_return",
                entity_id: &entity_id,
                before: serde_json::json!({ "status": existing.status.as_str() }).to_string(),
                after: serde_json::json!({ "status": to.as_str(), "comment": comment }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }
}

async fn record_transition(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    by: &Actor,
    from: EntryStatus,
    to: EntryStatus,
    comment: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO entry_transitions (return_id, actor, from_status, to_status, comment, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(&by.name)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(comment)
    .bind(now_utc())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
