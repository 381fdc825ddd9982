//! Calls for applications, applications with their files and history, the expert pool,
//! assignments and scores, and the proposal of scored applications as an award batch.
//!
//! Every step re-reads the application under the write lock and changes its status with a
//! compare-and-set, so two officers acting at once cannot both move it; each step is kept
//! with who, when and a comment, and audited.

use crate::audit::{append, Actor, AuditEntry};
use crate::batches::{pay_instalment, AwardRecord};
use crate::entry::TransitionRecord;
use crate::{now_utc, Result, Store, StoreError};
use crate::{Absent, Refusal};
use chrono::NaiveDate;
use kechuang_domain::application::{aggregate, instalments, AppStatus, Expert};
use kechuang_domain::money::Fen;
use kechuang_domain::programme::Programme;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRecord {
    pub id: i64,
    pub programme_code: String,
    pub programme_name: String,
    pub year: i32,
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    pub applications: i64,
    /// The guide (申报指南) as the bureau wrote it.
    pub guide: String,
    /// Whether enterprises registered outside the city with a site in it may apply.
    pub offsite_open: bool,
}

/// A file attached to a call's guide, without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallFile {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationRecord {
    pub id: i64,
    pub call_id: i64,
    pub programme_code: String,
    pub call_title: String,
    pub year: i32,
    pub closes_on: String,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub title: String,
    pub requested: Fen,
    pub answers: HashMap<String, String>,
    pub status: AppStatus,
    pub score: Option<f64>,
    pub submitted_at: Option<String>,
    pub updated_at: String,
    /// The operating site an off-site enterprise applied through.
    pub site_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileRecord {
    pub slot: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: String,
}

/// An attachment's description as stored (application and competition entry files alike).
pub(crate) fn file_row(r: &AnyRow) -> Result<FileRecord> {
    Ok(FileRecord {
        slot: r.try_get("slot")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size_bytes")?,
        sha256: r.try_get("sha256")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRecord {
    pub expert: String,
    pub expert_name: String,
    /// Scores by criterion; empty until the expert has scored.
    pub criteria: HashMap<String, f64>,
    pub total: Option<f64>,
    pub comment: String,
    pub scored_at: Option<String>,
}

/// Which applications a list shows: the caller's scope narrows it.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub call: Option<i64>,
    pub uscc: Option<String>,
    pub regions: Option<Vec<String>>,
    pub expert: Option<String>,
}

/// A call with its programme's name and how many applications were sent to it.
const CALL_SELECT: &str = "SELECT c.*, p.name AS programme_name, \
     (SELECT COUNT(*) FROM applications a WHERE a.call_id = c.id AND a.status <> 'draft') AS applications \
     FROM calls c JOIN programmes p ON p.code = c.programme_code";

const APP_SELECT: &str =
    "SELECT a.*, c.programme_code, c.title AS call_title, c.year, c.closes_on \
     FROM applications a JOIN calls c ON c.id = a.call_id";

fn call_row(r: &AnyRow) -> Result<CallRecord> {
    Ok(CallRecord {
        id: r.try_get("id")?,
        programme_code: r.try_get("programme_code")?,
        programme_name: r.try_get("programme_name")?,
        year: r.try_get::<i64, _>("year")? as i32,
        title: r.try_get("title")?,
        opens_on: r.try_get("opens_on")?,
        closes_on: r.try_get("closes_on")?,
        applications: r.try_get("applications")?,
        guide: r.try_get("guide")?,
        offsite_open: r.try_get::<i64, _>("offsite_open")? != 0,
    })
}

fn app_row(r: &AnyRow) -> Result<ApplicationRecord> {
    let status: String = r.try_get("status")?;
    let answers: String = r.try_get("answers")?;
    Ok(ApplicationRecord {
        id: r.try_get("id")?,
        call_id: r.try_get("call_id")?,
        programme_code: r.try_get("programme_code")?,
        call_title: r.try_get("call_title")?,
        year: r.try_get::<i64, _>("year")? as i32,
        closes_on: r.try_get("closes_on")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        title: r.try_get("title")?,
        requested: Fen(r.try_get("requested_fen")?),
        answers: serde_json::from_str(&answers)
            .map_err(|e| StoreError::Corrupt(format!("application answers: {e}")))?,
        status: AppStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("application status {status}")))?,
        score: r.try_get("score")?,
        submitted_at: r.try_get("submitted_at")?,
        updated_at: r.try_get("updated_at")?,
        site_id: r.try_get("site_id")?,
    })
}

fn expert_row(r: &AnyRow) -> Result<Expert> {
    let list = |s: String| -> Vec<String> {
        s.split([',', '，', '、'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    Ok(Expert {
        username: r.try_get("username")?,
        name: r.try_get("name")?,
        fields: list(r.try_get("fields")?),
        affiliation: r.try_get("affiliation")?,
        affiliation_uscc: r.try_get("affiliation_uscc")?,
        conflicts: list(r.try_get("conflicts")?),
    })
}

async fn load(tx: &mut Transaction<'static, Any>, id: i64) -> Result<ApplicationRecord> {
    let row = sqlx::query(&format!("{APP_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(Absent::Application { id }))?;
    app_row(&row)
}

/// Moves an application from `from` to `to` with a compare-and-set, and records the step.
async fn step(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    from: AppStatus,
    to: AppStatus,
    actor: &Actor,
    comment: &str,
) -> Result<()> {
    let now = now_utc();
    let submitted = (to == AppStatus::Submitted).then(|| now.clone());
    let changed = sqlx::query(
        "UPDATE applications SET status = $1, updated_at = $2, \
         submitted_at = COALESCE($3, submitted_at) WHERE id = $4 AND status = $5",
    )
    .persistent(false)
    .bind(to.code())
    .bind(&now)
    .bind(submitted)
    .bind(id)
    .bind(from.code())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Refused(Refusal::ChangedMeanwhile));
    }
    sqlx::query(
        "INSERT INTO application_transitions (application_id, from_status, to_status, actor, comment, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(from.code())
    .bind(to.code())
    .bind(&actor.name)
    .bind(comment)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    append(
        tx,
        &AuditEntry {
            actor,
            action: "application.step",
            entity: "application",
            entity_id: &id.to_string(),
            before: from.code().to_owned(),
            after: serde_json::json!({"status": to.code(), "comment": comment}).to_string(),
        },
    )
    .await
}

/// Applications whose awards in a batch have `award_status` follow the batch: funded when it
/// is approved, back to their ranking when it is voided.
pub(crate) async fn follow_batch(
    tx: &mut Transaction<'static, Any>,
    batch: i64,
    award_status: &str,
    to: AppStatus,
    actor: &Actor,
) -> Result<()> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT application_id FROM awards WHERE batch_id = $1 AND status = $2 AND application_id IS NOT NULL",
    )
    .bind(batch)
    .bind(award_status)
    .fetch_all(&mut **tx)
    .await?;
    for id in ids {
        step(
            tx,
            id,
            AppStatus::Proposed,
            to,
            actor,
            &format!("批次 {batch}"),
        )
        .await?;
    }
    Ok(())
}

/// The application of an award, when the award is withdrawn after an objection.
pub(crate) async fn follow_award(
    tx: &mut Transaction<'static, Any>,
    award: i64,
    to: AppStatus,
    actor: &Actor,
    comment: &str,
) -> Result<()> {
    let app: Option<Option<i64>> =
        sqlx::query_scalar("SELECT application_id FROM awards WHERE id = $1")
            .bind(award)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(Some(id)) = app {
        step(tx, id, AppStatus::Proposed, to, actor, comment).await?;
    }
    Ok(())
}

impl Store {
    pub async fn create_call(
        &self,
        programme: &Programme,
        year: i32,
        title: &str,
        (opens_on, closes_on): (NaiveDate, NaiveDate),
        offsite_open: bool,
        actor: &Actor,
    ) -> Result<i64> {
        if programme.form.is_none() {
            return Err(StoreError::Refused(Refusal::TakesNoApplications {
                programme: programme.code.clone(),
            }));
        }
        if closes_on < opens_on || title.trim().is_empty() {
            return Err(StoreError::Refused(Refusal::CallIncomplete));
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO calls (programme_code, year, title, opens_on, closes_on, created_by, created_at, offsite_open) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&programme.code)
        .bind(i64::from(year))
        .bind(title.trim())
        .bind(opens_on.to_string())
        .bind(closes_on.to_string())
        .bind(&actor.name)
        .bind(now_utc())
        .bind(i64::from(offsite_open))
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "call.create",
                entity: "call",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({"programme": programme.code, "year": year, "title": title, "opens_on": opens_on, "closes_on": closes_on, "offsite_open": offsite_open}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn calls(&self) -> Result<Vec<CallRecord>> {
        sqlx::query(&format!(
            "{CALL_SELECT} ORDER BY c.closes_on DESC, c.id DESC"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(call_row)
        .collect()
    }

    pub async fn call(&self, id: i64) -> Result<CallRecord> {
        let row = sqlx::query(&format!("{CALL_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Call { id }))?;
        call_row(&row)
    }

    /// Replaces a call's guide text.
    pub async fn set_call_guide(&self, call: i64, guide: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT guide FROM calls WHERE id = $1")
            .bind(call)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(before) = before else {
            return Err(StoreError::NotFound(Absent::Call { id: call }));
        };
        sqlx::query("UPDATE calls SET guide = $1 WHERE id = $2")
            .bind(guide)
            .bind(call)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "call.guide",
                entity: "call",
                entity_id: &call.to_string(),
                before: serde_json::json!({ "guide": before }).to_string(),
                after: serde_json::json!({ "guide": guide }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches a file to a call's guide; a file of the same name is replaced.
    pub async fn put_call_file(
        &self,
        call: i64,
        file_name: &str,
        content_type: &str,
        data: &[u8],
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM calls WHERE id = $1")
            .bind(call)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(Absent::Call { id: call }));
        }
        let digest = kechuang_domain::auth::sha256_hex(data);
        sqlx::query("DELETE FROM call_files WHERE call_id = $1 AND file_name = $2")
            .bind(call)
            .bind(file_name)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO call_files (call_id, file_name, content_type, size_bytes, sha256, data, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(call)
        .bind(file_name)
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(&digest)
        .bind(data.to_vec())
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "call.file",
                entity: "call",
                entity_id: &call.to_string(),
                before: String::new(),
                after:
                    serde_json::json!({"file": file_name, "bytes": data.len(), "sha256": digest})
                        .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn call_files(&self, call: i64) -> Result<Vec<CallFile>> {
        sqlx::query(
            "SELECT id, file_name, content_type, size_bytes, uploaded_at FROM call_files \
             WHERE call_id = $1 ORDER BY file_name",
        )
        .bind(call)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(CallFile {
                id: r.try_get("id")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size_bytes")?,
                uploaded_at: r.try_get("uploaded_at")?,
            })
        })
        .collect()
    }

    /// A guide file: its name, stored type and bytes.
    pub async fn call_file(&self, call: i64, file: i64) -> Result<(String, String, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT file_name, content_type, data FROM call_files WHERE call_id = $1 AND id = $2",
        )
        .bind(call)
        .bind(file)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| StoreError::NotFound(Absent::Call { id: call }))?;
        Ok((
            row.try_get("file_name")?,
            row.try_get("content_type")?,
            row.try_get("data")?,
        ))
    }

    /// Starts an application of an enterprise to a call, as a draft — or, when the enterprise
    /// has one for the call already, gives that one: one application per enterprise and call,
    /// so "我要申报" never leaves a trail of drafts. `true` when it is new.
    /// An off-site enterprise applies through one of its sites, `(site, county)`: the
    /// application lies in that county, whose officer reviews it.
    pub async fn create_application(
        &self,
        call: i64,
        uscc: &str,
        site: Option<(i64, &str)>,
        actor: &Actor,
    ) -> Result<(i64, bool)> {
        let mut tx = self.begin_write().await?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM applications WHERE call_id = $1 AND uscc = $2 ORDER BY id LIMIT 1",
        )
        .bind(call)
        .bind(uscc)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
        let e: Option<(String, String)> =
            sqlx::query_as("SELECT name, region_code FROM enterprises WHERE uscc = $1")
                .bind(uscc)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name, region)) = e else {
            return Err(StoreError::Refused(Refusal::NotRegistered {
                uscc: uscc.to_owned(),
            }));
        };
        let region = site.map_or(region, |(_, county)| county.to_owned());
        let now = now_utc();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (call_id, uscc, name, region_code, status, updated_at, site_id) \
             VALUES ($1, $2, $3, $4, 'draft', $5, $6) RETURNING id",
        )
        .bind(call)
        .bind(uscc)
        .bind(&name)
        .bind(&region)
        .bind(&now)
        .bind(site.map(|(id, _)| id))
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "application.create",
                entity: "application",
                entity_id: &id.to_string(),
                before: String::new(),
                after:
                    serde_json::json!({"call": call, "uscc": uscc, "site": site.map(|(id, _)| id)})
                        .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, true))
    }

    /// Deletes a draft with its files and history; anything past a draft stays.
    pub async fn delete_draft(&self, id: i64, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let a = load(&mut tx, id).await?;
        if a.status != AppStatus::Draft {
            return Err(StoreError::Refused(Refusal::ApplicationLocked {
                status: a.status.name().to_owned(),
            }));
        }
        for table in ["application_files", "application_transitions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE application_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM applications WHERE id = $1 AND status = 'draft'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "application.delete",
                entity: "application",
                entity_id: &id.to_string(),
                before: serde_json::json!({"call": a.call_id, "uscc": a.uscc, "status": "draft"})
                    .to_string(),
                after: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn application(&self, id: i64) -> Result<ApplicationRecord> {
        let row = sqlx::query(&format!("{APP_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Application { id }))?;
        app_row(&row)
    }

    pub async fn applications(&self, f: &ApplicationFilter) -> Result<Vec<ApplicationRecord>> {
        let rows = sqlx::query(&format!(
            "{APP_SELECT} WHERE ($1 = 0 OR a.call_id = $1) AND ($2 = '' OR a.uscc = $2) \
             AND ($3 = '' OR EXISTS (SELECT 1 FROM assignments s WHERE s.application_id = a.id AND s.expert = $3)) \
             ORDER BY a.score DESC, a.id"
        ))
        .bind(f.call.unwrap_or(0))
        .bind(f.uscc.clone().unwrap_or_default())
        .bind(f.expert.clone().unwrap_or_default())
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let a = app_row(r)?;
            let in_scope = f
                .regions
                .as_ref()
                .is_none_or(|rs| rs.contains(&a.region_code));
            // Counties and the bureau see what was sent, not an enterprise's drafts.
            let visible = f.uscc.is_some() || a.status != AppStatus::Draft;
            if in_scope && visible {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Saves a draft's answers. Refused once the application has left the enterprise.
    pub async fn save_answers(
        &self,
        id: i64,
        answers: &HashMap<String, String>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let a = load(&mut tx, id).await?;
        if !a.status.editable() {
            return Err(StoreError::Refused(Refusal::ApplicationLocked {
                status: a.status.name().to_owned(),
            }));
        }
        let title = answers.get("title").cloned().unwrap_or_default();
        let requested: i64 = answers
            .get("requested")
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        sqlx::query(
            "UPDATE applications SET answers = $1, title = $2, requested_fen = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(serde_json::to_string(answers).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(title)
        .bind(requested)
        .bind(now_utc())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "application.save",
                entity: "application",
                entity_id: &id.to_string(),
                before: serde_json::to_string(&a.answers).unwrap_or_default(),
                after: serde_json::to_string(answers).unwrap_or_default(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores an attachment in a slot, replacing an earlier one. `report` files (the
    /// acceptance report) may be added while the project runs; others only to a draft.
    pub async fn put_file(
        &self,
        id: i64,
        slot: &str,
        file_name: &str,
        content_type: &str,
        data: &[u8],
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let a = load(&mut tx, id).await?;
        let open = if slot == kechuang_domain::application::REPORT {
            a.status == AppStatus::Funded
        } else {
            a.status.editable()
        };
        if !open {
            return Err(StoreError::Refused(Refusal::NoUploadNow {
                status: a.status.name().to_owned(),
            }));
        }
        let digest = kechuang_domain::auth::sha256_hex(data);
        sqlx::query("DELETE FROM application_files WHERE application_id = $1 AND slot = $2")
            .bind(id)
            .bind(slot)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO application_files (application_id, slot, file_name, content_type, size_bytes, sha256, data, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(slot)
        .bind(file_name)
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(&digest)
        .bind(data.to_vec())
        .bind(&actor.name)
        .bind(now_utc())
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "application.file",
                entity: "application",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({"slot": slot, "file": file_name, "sha256": digest, "bytes": data.len()}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn files(&self, id: i64) -> Result<Vec<FileRecord>> {
        sqlx::query(
            "SELECT slot, file_name, content_type, size_bytes, sha256, uploaded_at FROM application_files \
             WHERE application_id = $1 ORDER BY slot",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(file_row)
        .collect()
    }

    /// An attachment's name, type and bytes.
    pub async fn file(&self, id: i64, slot: &str) -> Result<(String, String, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT file_name, content_type, data FROM application_files WHERE application_id = $1 AND slot = $2",
        )
        .bind(id)
        .bind(slot)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| StoreError::NotFound(Absent::File {
            slot: slot.to_owned(),
        }))?;
        Ok((
            r.try_get("file_name")?,
            r.try_get("content_type")?,
            r.try_get("data")?,
        ))
    }

    pub async fn application_history(&self, id: i64) -> Result<Vec<TransitionRecord>> {
        crate::entry::transitions(&self.read, "application_transitions", "application_id", id).await
    }

    /// A review step (submit, pass, return, reject, report) decided by the caller's role in
    /// the web layer. A return voids what was decided before it: assignments and scores go,
    /// and the application starts again at the county when it is resubmitted.
    pub async fn move_application(
        &self,
        id: i64,
        from: AppStatus,
        to: AppStatus,
        actor: &Actor,
        comment: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if to == AppStatus::Returned {
            for sql in [
                "DELETE FROM scores WHERE application_id = $1",
                "DELETE FROM assignments WHERE application_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE applications SET score = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        step(&mut tx, id, from, to, actor, comment).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- experts ----------------------------------------------------------------------

    pub async fn save_expert(&self, e: &Expert, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE username = $1")
            .bind(&e.username)
            .fetch_optional(&mut *tx)
            .await?;
        if role.as_deref() != Some("expert") {
            return Err(StoreError::Refused(Refusal::NotAnExpert {
                username: e.username.clone(),
            }));
        }
        sqlx::query(
            "INSERT INTO experts (username, name, fields, affiliation, affiliation_uscc, conflicts, active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT (username) DO UPDATE SET name = excluded.name, \
             fields = excluded.fields, affiliation = excluded.affiliation, affiliation_uscc = excluded.affiliation_uscc, \
             conflicts = excluded.conflicts, updated_at = excluded.updated_at",
        )
        .persistent(false)
        .bind(&e.username)
        .bind(&e.name)
        .bind(e.fields.join(","))
        .bind(&e.affiliation)
        .bind(e.affiliation_uscc.clone())
        .bind(e.conflicts.join(","))
        .bind(now_utc())
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "expert.save",
                entity: "expert",
                entity_id: &e.username,
                before: String::new(),
                after: serde_json::to_string(e).unwrap_or_default(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn experts(&self) -> Result<Vec<Expert>> {
        sqlx::query("SELECT * FROM experts WHERE active = 1 ORDER BY username")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(expert_row)
            .collect()
    }

    /// Open assignments per expert: those of applications still being scored.
    pub async fn expert_load(&self) -> Result<HashMap<String, usize>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.expert, COUNT(*) FROM assignments s JOIN applications a ON a.id = s.application_id \
             WHERE a.status = 'expert_review' GROUP BY s.expert",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|(e, n)| (e, n as usize)).collect())
    }

    /// Assigns experts and moves the application to expert review, in one transaction.
    pub async fn assign_experts(&self, id: i64, experts: &[String], actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        for e in experts {
            sqlx::query(
                "INSERT INTO assignments (application_id, expert, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(e)
            .bind(&actor.name)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        // Applicants read the history: it says how many experts, and only the audit trail
        // says who, so nobody can approach them.
        step(
            &mut tx,
            id,
            AppStatus::BureauPassed,
            AppStatus::ExpertReview,
            actor,
            &format!(
                "分配评审专家 {} 人 ({} experts assigned)",
                experts.len(),
                experts.len()
            ),
        )
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "application.assign",
                entity: "application",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({ "experts": experts }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Each assigned expert with their score, if given.
    pub async fn scores(&self, id: i64) -> Result<Vec<ScoreRecord>> {
        let rows = sqlx::query(
            "SELECT s.expert, e.name, c.criteria, c.total, c.comment, c.scored_at FROM assignments s \
             JOIN experts e ON e.username = s.expert \
             LEFT JOIN scores c ON c.application_id = s.application_id AND c.expert = s.expert \
             WHERE s.application_id = $1 ORDER BY s.expert",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let criteria: Option<String> = r.try_get("criteria")?;
                Ok(ScoreRecord {
                    expert: r.try_get("expert")?,
                    expert_name: r.try_get("name")?,
                    criteria: criteria
                        .map(|c| serde_json::from_str(&c))
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?
                        .unwrap_or_default(),
                    total: r.try_get("total")?,
                    comment: r
                        .try_get::<Option<String>, _>("comment")?
                        .unwrap_or_default(),
                    scored_at: r.try_get("scored_at")?,
                })
            })
            .collect()
    }

    /// An assigned expert's score. When the last one arrives, the application's score is
    /// aggregated and it is ready for ranking.
    pub async fn submit_score(
        &self,
        id: i64,
        expert: &Actor,
        criteria: &HashMap<String, f64>,
        total: f64,
        comment: &str,
        drop_extremes: bool,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let a = load(&mut tx, id).await?;
        if a.status != AppStatus::ExpertReview {
            return Err(StoreError::Refused(Refusal::NotUnderReview {
                status: a.status.name().to_owned(),
            }));
        }
        let assigned: Option<String> = sqlx::query_scalar(
            "SELECT expert FROM assignments WHERE application_id = $1 AND expert = $2",
        )
        .bind(id)
        .bind(&expert.name)
        .fetch_optional(&mut *tx)
        .await?;
        if assigned.is_none() {
            return Err(StoreError::NotFound(Absent::Application { id }));
        }
        sqlx::query("DELETE FROM scores WHERE application_id = $1 AND expert = $2")
            .bind(id)
            .bind(&expert.name)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO scores (application_id, expert, criteria, total, comment, scored_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&expert.name)
        .bind(serde_json::to_string(criteria).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(total)
        .bind(comment)
        .bind(now_utc())
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: expert,
                action: "application.score",
                entity: "application",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({"total": total}).to_string(),
            },
        )
        .await?;
        let assigned: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE application_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let totals: Vec<f64> =
            sqlx::query_scalar("SELECT total FROM scores WHERE application_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        if totals.len() as i64 == assigned {
            let score = aggregate(&totals, drop_extremes);
            sqlx::query("UPDATE applications SET score = $1 WHERE id = $2")
                .persistent(false)
                .bind(score)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            step(
                &mut tx,
                id,
                AppStatus::ExpertReview,
                AppStatus::Scored,
                &Actor::new("system", "kechuang"),
                "专家评审完成 (all experts scored)",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Proposes scored applications for funding as an award batch awaiting review; the batch
    /// then goes through notice, approval and payment like any other.
    pub async fn propose(
        &self,
        programme: &Programme,
        year: i32,
        awards: &[(i64, Fen, String)],
        actor: &Actor,
    ) -> Result<i64> {
        if awards.is_empty() {
            return Err(StoreError::Refused(Refusal::NoneChosen));
        }
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let batch = crate::batches::open_batch(&mut tx, &programme.code, year, actor, "").await?;
        for (id, amount, basis) in awards {
            let a = load(&mut tx, *id).await?;
            sqlx::query(
                "INSERT INTO awards (programme_code, year, batch_id, basis_key, uscc, name, region_code, \
                 basis, event_on, amount_fen, status, application_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed', $11, $12)",
            )
            .bind(&programme.code)
            .bind(i64::from(year))
            .bind(batch)
            .bind(format!("application:{id}"))
            .bind(&a.uscc)
            .bind(&a.name)
            .bind(&a.region_code)
            .bind(basis)
            .bind(a.submitted_at.as_deref().and_then(|s| s.get(..10)).unwrap_or(""))
            .bind(amount.0)
            .bind(id)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Refused(Refusal::ProposedElsewhere { id: *id })
                }
                _ => StoreError::Database(e),
            })?;
            step(
                &mut tx,
                *id,
                AppStatus::Scored,
                AppStatus::Proposed,
                actor,
                &format!("批次 {batch}"),
            )
            .await?;
        }
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "batch.commit",
                entity: "award_batch",
                entity_id: &batch.to_string(),
                before: String::new(),
                after: serde_json::json!({"programme": programme.code, "year": year, "applications": awards.len()}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(batch)
    }

    /// Acceptance (验收): the application is accepted and the award's remaining instalments
    /// are paid, in one transaction.
    pub async fn accept(
        &self,
        id: i64,
        shares: &[u32],
        paid_on: NaiveDate,
        reference: &str,
        actor: &Actor,
        comment: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT * FROM awards WHERE application_id = $1 AND status IN ('approved', 'paid')",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Refused(Refusal::NoApprovedAward))?;
        let award: AwardRecord = crate::batches::award_row(&row)?;
        let paid: Vec<i64> = sqlx::query_scalar(
            "SELECT instalment FROM ledger_entries WHERE award_id = $1 AND entry = 'payment'",
        )
        .bind(award.id)
        .fetch_all(&mut *tx)
        .await?;
        if paid.is_empty() {
            return Err(StoreError::Refused(Refusal::FirstInstalmentUnpaid));
        }
        for (i, part) in instalments(award.amount, shares).iter().enumerate() {
            let n = i as i64 + 1;
            if !paid.contains(&n) {
                pay_instalment(&mut tx, &award, n, *part, paid_on, reference, actor).await?;
            }
        }
        sqlx::query("UPDATE awards SET status = 'paid' WHERE id = $1")
            .bind(award.id)
            .execute(&mut *tx)
            .await?;
        step(
            &mut tx,
            id,
            AppStatus::Reporting,
            AppStatus::Accepted,
            actor,
            comment,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What an application's award has had paid, by instalment.
    pub async fn award_payments(&self, application: i64) -> Result<Vec<(i64, Fen, String)>> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT l.instalment, l.amount_fen, l.occurred_on FROM ledger_entries l JOIN awards a ON a.id = l.award_id \
             WHERE a.application_id = $1 AND l.entry = 'payment' ORDER BY l.instalment",
        )
        .bind(application)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|(n, f, d)| (n, Fen(f), d)).collect())
    }
}
