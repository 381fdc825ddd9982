//! Objections raised while a batch is on public notice, and how the bureau settles them.

use crate::audit::{append, Actor, AuditEntry};
use crate::batches::{batch_row, BATCH_SELECT};
use crate::{now_utc, Result, Store, StoreError};
use crate::{Absent, Refusal};
use chrono::NaiveDate;
use kechuang_domain::application::AppStatus;
use kechuang_domain::programme::{
    ObjectionStatus, OBJECTIONS_PER_ADDRESS_PER_DAY, OBJECTIONS_PER_NOTICE_PER_DAY,
};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectionRecord {
    pub id: i64,
    pub batch_id: i64,
    pub award_id: Option<i64>,
    pub name: String,
    pub contact: String,
    pub text: String,
    pub status: ObjectionStatus,
    pub resolution: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub submitted_at: String,
    /// The address it came from, for the bureau to see a flood for what it is.
    pub client: String,
}

/// An objection as raised on the public notice page.
#[derive(Debug, Clone)]
pub struct NewObjection {
    pub batch_id: i64,
    pub award_id: Option<i64>,
    pub name: String,
    pub contact: String,
    pub text: String,
    pub client: String,
}

fn objection_row(r: &AnyRow) -> Result<ObjectionRecord> {
    let status: String = r.try_get("status")?;
    Ok(ObjectionRecord {
        id: r.try_get("id")?,
        batch_id: r.try_get("batch_id")?,
        award_id: r.try_get("award_id")?,
        name: r.try_get("name")?,
        contact: r.try_get("contact")?,
        text: r.try_get("text")?,
        status: ObjectionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("objection status {status}")))?,
        resolution: r.try_get("resolution")?,
        resolved_by: r.try_get("resolved_by")?,
        resolved_at: r.try_get("resolved_at")?,
        submitted_at: r.try_get("submitted_at")?,
        client: r.try_get("client")?,
    })
}

impl Store {
    /// Records an objection; only while the batch's notice runs, and within the day's limits
    /// per address and per notice (counted in the same transaction as the write).
    pub async fn add_objection(&self, o: &NewObjection, today: NaiveDate) -> Result<i64> {
        let text = o.text.trim();
        if text.is_empty() {
            return Err(StoreError::Refused(Refusal::ObjectionEmpty));
        }
        let mut tx = self.begin_write().await?;
        let since = (chrono::Utc::now() - chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string();
        let from_address: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM objections WHERE client = $1 AND submitted_at >= $2",
        )
        .bind(&o.client)
        .bind(&since)
        .fetch_one(&mut *tx)
        .await?;
        if from_address >= OBJECTIONS_PER_ADDRESS_PER_DAY {
            return Err(StoreError::Refused(Refusal::ObjectionsFromAddress {
                limit: OBJECTIONS_PER_ADDRESS_PER_DAY,
            }));
        }
        let on_notice: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM objections WHERE batch_id = $1 AND submitted_at >= $2",
        )
        .bind(o.batch_id)
        .bind(&since)
        .fetch_one(&mut *tx)
        .await?;
        if on_notice >= OBJECTIONS_PER_NOTICE_PER_DAY {
            return Err(StoreError::Refused(Refusal::ObjectionsOnNotice {
                limit: OBJECTIONS_PER_NOTICE_PER_DAY,
            }));
        }
        let row = sqlx::query(&format!("{BATCH_SELECT} WHERE b.id = $1"))
            .bind(o.batch_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Notice { batch: o.batch_id }))?;
        let batch = batch_row(&row)?;
        if !batch.stage(today).taking_objections() {
            return Err(StoreError::Refused(Refusal::NoticeNotRunning));
        }
        if let Some(award) = o.award_id {
            let in_batch: Option<i64> =
                sqlx::query_scalar("SELECT id FROM awards WHERE id = $1 AND batch_id = $2")
                    .bind(award)
                    .bind(o.batch_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if in_batch.is_none() {
                return Err(StoreError::NotFound(Absent::Award { id: award }));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO objections (batch_id, award_id, name, contact, text, status, submitted_at, client) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
        )
        .persistent(false)
        .bind(o.batch_id)
        .bind(o.award_id)
        .bind(o.name.trim())
        .bind(o.contact.trim())
        .bind(text)
        .bind(now_utc())
        .bind(&o.client)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: &Actor::new("public", &o.client),
                action: "objection.add",
                entity: "objection",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({"batch": o.batch_id, "award": o.award_id}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn objections(&self, batch: i64) -> Result<Vec<ObjectionRecord>> {
        sqlx::query("SELECT * FROM objections WHERE batch_id = $1 ORDER BY id")
            .bind(batch)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(objection_row)
            .collect()
    }

    /// Settles an objection. Upheld against an award, the award is withdrawn from its batch
    /// (before approval only), and stays on record so the event is not batched again.
    pub async fn resolve_objection(
        &self,
        id: i64,
        upheld: bool,
        resolution: &str,
        actor: &Actor,
    ) -> Result<()> {
        let resolution = resolution.trim();
        if resolution.is_empty() {
            return Err(StoreError::Refused(Refusal::SettlementEmpty));
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT * FROM objections WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Objection { id }))?;
        let o = objection_row(&row)?;
        if o.status != ObjectionStatus::Open {
            return Err(StoreError::Refused(Refusal::ObjectionSettled));
        }
        let status = if upheld {
            ObjectionStatus::Upheld
        } else {
            ObjectionStatus::Dismissed
        };
        if upheld {
            if let Some(award) = o.award_id {
                let n = sqlx::query(
                    "UPDATE awards SET status = 'withdrawn' WHERE id = $1 AND status = 'proposed'",
                )
                .bind(award)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::Refused(Refusal::AwardClosed));
                }
                // An application whose award is withdrawn after an upheld objection is not
                // funded.
                crate::applications::follow_award(
                    &mut tx,
                    award,
                    AppStatus::Rejected,
                    actor,
                    resolution,
                )
                .await?;
            }
        }
        sqlx::query(
            "UPDATE objections SET status = $1, resolution = $2, resolved_by = $3, resolved_at = $4 WHERE id = $5",
        )
        .bind(status.code())
        .bind(resolution)
        .bind(&actor.name)
        .bind(now_utc())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "objection.resolve",
                entity: "objection",
                entity_id: &id.to_string(),
                before: "open".into(),
                after: serde_json::json!({"status": status.code(), "resolution": resolution})
                    .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Dismisses a batch's open objections in one step — all of them, or those from one
    /// address — with one resolution: how the bureau answers a flood. Answers how many.
    pub async fn dismiss_objections(
        &self,
        batch_id: i64,
        from_client: Option<&str>,
        resolution: &str,
        actor: &Actor,
    ) -> Result<u64> {
        let resolution = resolution.trim();
        if resolution.is_empty() {
            return Err(StoreError::Refused(Refusal::SettlementEmpty));
        }
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM objections WHERE batch_id = $1 AND status = 'open' \
             AND ($2 = '' OR client = $2) ORDER BY id",
        )
        .bind(batch_id)
        .bind(from_client.unwrap_or_default())
        .fetch_all(&mut *tx)
        .await?;
        let n = sqlx::query(
            "UPDATE objections SET status = 'dismissed', resolution = $1, resolved_by = $2, \
             resolved_at = $3 WHERE batch_id = $4 AND status = 'open' AND ($5 = '' OR client = $5)",
        )
        .bind(resolution)
        .bind(&actor.name)
        .bind(now_utc())
        .bind(batch_id)
        .bind(from_client.unwrap_or_default())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            append(
                &mut tx,
                &AuditEntry {
                    actor,
                    action: "objection.dismiss_many",
                    entity: "batch",
                    entity_id: &batch_id.to_string(),
                    before: String::new(),
                    after: serde_json::json!({
                        "dismissed": ids,
                        "from": from_client.unwrap_or_default(),
                        "resolution": resolution,
                    })
                    .to_string(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}
