//! Task supervision: responsible units, the tasks of a plan's measures, the units' progress
//! reports with their evidence files, the bureau's 督办 reminders; and the drafts and
//! revisions of successive plans. Transactional primitives only: which step is allowed is the
//! domain's (`kechuang_domain::supervision`) and the service's.

use crate::audit::{append, Actor, AuditEntry};
use crate::{date_str, now_utc, parse_date, Absent, Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::period::Period;
use kechuang_domain::supervision::{Cadence, ReportStatus, Task, TaskMilestone, Unit, UnitKind};
use kechuang_domain::RegionCode;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// A unit's report for one period of a task, without its files' bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub plan_id: i64,
    pub task_code: String,
    pub unit_code: String,
    pub period: Period,
    pub status: ReportStatus,
    pub progress: String,
    pub percent: u8,
    pub problems: String,
    /// The bureau's comment on a return or acceptance.
    pub comment: String,
    pub updated_by: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

/// What a unit writes into a report.
#[derive(Debug, Clone)]
pub struct ReportWrite<'a> {
    pub plan_id: i64,
    pub task_code: &'a str,
    pub unit_code: &'a str,
    pub period: Period,
    pub progress: &'a str,
    pub percent: u8,
    pub problems: &'a str,
    /// Draft, or submitted when the unit sends it.
    pub status: ReportStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFile {
    pub id: i64,
    pub report_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A 督办 notice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReminderRecord {
    pub id: i64,
    pub plan_id: i64,
    pub task_code: String,
    pub unit_code: String,
    pub period: Period,
    /// The notice's number: 督办〔year〕seq号.
    pub year: i32,
    pub seq: i64,
    pub text: String,
    pub respond_by: NaiveDate,
    pub issued_by: String,
    pub issued_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevisionRecord {
    pub revision: i64,
    pub published_by: String,
    pub published_at: String,
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftRecord {
    pub id: i64,
    pub code: String,
    pub based_on: Option<i64>,
    #[serde(skip)]
    pub source: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
}

fn unit_row(r: &AnyRow) -> Result<Unit> {
    let kind: String = r.try_get("kind")?;
    let region: Option<String> = r.try_get("region_code")?;
    Ok(Unit {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        kind: UnitKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unit kind '{kind}'")))?,
        region: region
            .map(|c| RegionCode::parse(&c).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?,
    })
}

fn report_row(r: &AnyRow) -> Result<ReportRecord> {
    let status: String = r.try_get("status")?;
    let period: String = r.try_get("period")?;
    Ok(ReportRecord {
        id: r.try_get("id")?,
        plan_id: r.try_get("plan_id")?,
        task_code: r.try_get("task_code")?,
        unit_code: r.try_get("unit_code")?,
        period: Period::parse(&period).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        status: ReportStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("report status '{status}'")))?,
        progress: r.try_get("progress")?,
        percent: u8::try_from(r.try_get::<i64, _>("percent")?).unwrap_or(0),
        problems: r.try_get("problems")?,
        comment: r.try_get("comment")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        submitted_at: r.try_get("submitted_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
    })
}

fn reminder_row(r: &AnyRow) -> Result<ReminderRecord> {
    let period: String = r.try_get("period")?;
    Ok(ReminderRecord {
        id: r.try_get("id")?,
        plan_id: r.try_get("plan_id")?,
        task_code: r.try_get("task_code")?,
        unit_code: r.try_get("unit_code")?,
        period: Period::parse(&period).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        year: r.try_get::<i64, _>("year")? as i32,
        seq: r.try_get("seq")?,
        text: r.try_get("text")?,
        respond_by: parse_date(&r.try_get::<String, _>("respond_by")?)?,
        issued_by: r.try_get("issued_by")?,
        issued_at: r.try_get("issued_at")?,
    })
}

const REPORT_COLUMNS: &str =
    "id, plan_id, task_code, unit_code, period, status, progress, percent, \
     problems, comment, updated_by, updated_at, submitted_at, reviewed_by, reviewed_at";

/// Writes a plan's units (inserted or updated, never removed: accounts and reports name them)
/// and replaces its tasks. Called inside the plan's load.
pub(crate) async fn replace_tasks(
    tx: &mut Transaction<'static, Any>,
    plan_id: i64,
    plan: &kechuang_domain::plan::Plan,
) -> Result<()> {
    for (pos, u) in plan.units.iter().enumerate() {
        sqlx::query(
            "INSERT INTO units (code, name, name_en, kind, region_code, position) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
             name_en = excluded.name_en, kind = excluded.kind, region_code = excluded.region_code, \
             position = excluded.position",
        )
        .bind(&u.code)
        .bind(&u.name)
        .bind(&u.name_en)
        .bind(u.kind.as_str())
        .bind(u.region.as_ref().map(|r| r.to_string()))
        .bind(pos as i64)
        .execute(&mut **tx)
        .await?;
    }
    for sql in [
        "DELETE FROM plan_task_milestones WHERE plan_id = $1",
        "DELETE FROM plan_task_units WHERE plan_id = $1",
        "DELETE FROM plan_tasks WHERE plan_id = $1",
    ] {
        sqlx::query(sql).bind(plan_id).execute(&mut **tx).await?;
    }
    for (pos, t) in plan.tasks().enumerate() {
        sqlx::query(
            "INSERT INTO plan_tasks (plan_id, code, measure_code, position, title, start_date, \
             deadline, cadence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(plan_id)
        .bind(&t.code)
        .bind(&t.measure)
        .bind(pos as i64)
        .bind(&t.title)
        .bind(date_str(t.start))
        .bind(date_str(t.deadline))
        .bind(t.cadence.as_str())
        .execute(&mut **tx)
        .await?;
        let units = t
            .lead
            .iter()
            .map(|u| (u, 1i64))
            .chain(t.support.iter().map(|u| (u, 0)));
        for (i, (unit, lead)) in units.enumerate() {
            sqlx::query(
                "INSERT INTO plan_task_units (plan_id, task_code, unit_code, lead, position) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(plan_id)
            .bind(&t.code)
            .bind(unit)
            .bind(lead)
            .bind(i as i64)
            .execute(&mut **tx)
            .await?;
        }
        for m in &t.milestones {
            sqlx::query(
                "INSERT INTO plan_task_milestones (plan_id, task_code, date, text) VALUES ($1, $2, $3, $4)",
            )
            .bind(plan_id)
            .bind(&t.code)
            .bind(date_str(m.date))
            .bind(&m.text)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Keeps the file a plan was loaded or published from as its next revision.
pub(crate) async fn add_revision(
    tx: &mut Transaction<'static, Any>,
    plan_id: i64,
    source: &str,
    actor: &str,
) -> Result<i64> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(revision) FROM plan_revisions WHERE plan_id = $1")
            .bind(plan_id)
            .fetch_one(&mut **tx)
            .await?;
    let revision = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO plan_revisions (plan_id, revision, source, published_by, published_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(plan_id)
    .bind(revision)
    .bind(source)
    .bind(actor)
    .bind(now_utc())
    .execute(&mut **tx)
    .await?;
    Ok(revision)
}

impl Store {
    /// Every responsible unit, in the order their plan lists them.
    pub async fn units(&self) -> Result<Vec<Unit>> {
        sqlx::query("SELECT * FROM units ORDER BY position, code")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(unit_row)
            .collect()
    }

    /// The unit with this code, or else with exactly this name.
    pub async fn unit_named(&self, code_or_name: &str) -> Result<Option<Unit>> {
        let key = code_or_name.trim();
        sqlx::query("SELECT * FROM units WHERE code = $1 OR name = $1 ORDER BY code = $1 DESC")
            .bind(key)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(unit_row)
            .transpose()
    }

    /// A plan's tasks in the plan's order, with their units and milestones.
    pub async fn plan_tasks(&self, plan_id: i64) -> Result<Vec<Task>> {
        let rows = sqlx::query("SELECT * FROM plan_tasks WHERE plan_id = $1 ORDER BY position")
            .bind(plan_id)
            .fetch_all(&self.read)
            .await?;
        let units = sqlx::query(
            "SELECT task_code, unit_code, lead FROM plan_task_units WHERE plan_id = $1 ORDER BY position",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        let milestones = sqlx::query(
            "SELECT task_code, date, text FROM plan_task_milestones WHERE plan_id = $1 ORDER BY date",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let code: String = r.try_get("code")?;
            let cadence: String = r.try_get("cadence")?;
            let mut task = Task {
                measure: r.try_get("measure_code")?,
                title: r.try_get("title")?,
                lead: Vec::new(),
                support: Vec::new(),
                start: parse_date(&r.try_get::<String, _>("start_date")?)?,
                deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
                cadence: Cadence::parse(&cadence)
                    .ok_or_else(|| StoreError::Corrupt(format!("cadence '{cadence}'")))?,
                milestones: Vec::new(),
                code,
            };
            for u in &units {
                if u.try_get::<String, _>("task_code")? == task.code {
                    let unit: String = u.try_get("unit_code")?;
                    if u.try_get::<i64, _>("lead")? != 0 {
                        task.lead.push(unit);
                    } else {
                        task.support.push(unit);
                    }
                }
            }
            for m in &milestones {
                if m.try_get::<String, _>("task_code")? == task.code {
                    task.milestones.push(TaskMilestone {
                        date: parse_date(&m.try_get::<String, _>("date")?)?,
                        text: m.try_get("text")?,
                    });
                }
            }
            out.push(task);
        }
        Ok(out)
    }

    /// Every report of a plan's tasks.
    pub async fn task_reports(&self, plan_id: i64) -> Result<Vec<ReportRecord>> {
        sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM task_reports WHERE plan_id = $1 ORDER BY task_code, unit_code, period"
        ))
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(report_row)
        .collect()
    }

    pub async fn task_report(
        &self,
        plan_id: i64,
        task: &str,
        unit: &str,
        period: Period,
    ) -> Result<Option<ReportRecord>> {
        sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM task_reports WHERE plan_id = $1 AND task_code = $2 \
             AND unit_code = $3 AND period = $4"
        ))
        .bind(plan_id)
        .bind(task)
        .bind(unit)
        .bind(period.to_string())
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(report_row)
        .transpose()
    }

    /// Saves a unit's report as written, if the report is new or still the unit's to change
    /// (a draft or returned); `None` when it is not, with nothing written.
    pub async fn save_task_report(
        &self,
        w: &ReportWrite<'_>,
        actor: &Actor,
    ) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let before: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, status FROM task_reports WHERE plan_id = $1 AND task_code = $2 \
             AND unit_code = $3 AND period = $4",
        )
        .bind(w.plan_id)
        .bind(w.task_code)
        .bind(w.unit_code)
        .bind(w.period.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let now = now_utc();
        let submitted_at = (w.status == ReportStatus::Submitted).then(|| now.clone());
        let id = match &before {
            Some((id, status)) => {
                if !ReportStatus::parse(status).is_some_and(ReportStatus::editable) {
                    return Ok(None);
                }
                sqlx::query(
                    "UPDATE task_reports SET status = $1, progress = $2, percent = $3, problems = $4, \
                     updated_by = $5, updated_at = $6, submitted_at = $7 WHERE id = $8",
                )
                .bind(w.status.as_str())
                .bind(w.progress)
                .bind(i64::from(w.percent))
                .bind(w.problems)
                .bind(&actor.name)
                .bind(&now)
                .bind(submitted_at)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
                *id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO task_reports (plan_id, task_code, unit_code, period, status, progress, \
                     percent, problems, updated_by, updated_at, submitted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(w.plan_id)
                .bind(w.task_code)
                .bind(w.unit_code)
                .bind(w.period.to_string())
                .bind(w.status.as_str())
                .bind(w.progress)
                .bind(i64::from(w.percent))
                .bind(w.problems)
                .bind(&actor.name)
                .bind(&now)
                .bind(submitted_at)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: if w.status == ReportStatus::Submitted {
                    "task_report.submit"
                } else {
                    "task_report.save"
                },
                entity: "task_report",
                entity_id: &id.to_string(),
                before: before
                    .map(|(_, s)| serde_json::json!({ "status": s }).to_string())
                    .unwrap_or_default(),
                after: serde_json::json!({
                    "task": w.task_code,
                    "unit": w.unit_code,
                    "period": w.period.to_string(),
                    "status": w.status.as_str(),
                    "percent": w.percent,
                    "progress": w.progress,
                    "problems": w.problems,
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Moves a report from `from` to `to` with the bureau's comment; false when it was no
    /// longer in `from` (someone acted first), with nothing written.
    pub async fn review_task_report(
        &self,
        id: i64,
        (from, to): (ReportStatus, ReportStatus),
        comment: &str,
        actor: &Actor,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let n = sqlx::query(
            "UPDATE task_reports SET status = $1, comment = $2, reviewed_by = $3, reviewed_at = $4 \
             WHERE id = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(comment)
        .bind(&actor.name)
        .bind(&now)
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "task_report.review",
                entity: "task_report",
                entity_id: &id.to_string(),
                before: serde_json::json!({ "status": from.as_str() }).to_string(),
                after: serde_json::json!({ "status": to.as_str(), "comment": comment }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn put_report_file(
        &self,
        report_id: i64,
        (file_name, content_type, data): (&str, &str, &[u8]),
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let digest = kechuang_domain::auth::sha256_hex(data);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO task_report_files (report_id, file_name, content_type, size_bytes, sha256, \
             data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(report_id)
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
                action: "task_report.file",
                entity: "task_report",
                entity_id: &report_id.to_string(),
                before: String::new(),
                after:
                    serde_json::json!({ "file": file_name, "sha256": digest, "bytes": data.len() })
                        .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The files of the given reports.
    pub async fn report_files(&self, plan_id: i64) -> Result<Vec<ReportFile>> {
        let rows = sqlx::query(
            "SELECT f.id, f.report_id, f.file_name, f.content_type, f.size_bytes, f.uploaded_by, \
             f.uploaded_at FROM task_report_files f JOIN task_reports r ON r.id = f.report_id \
             WHERE r.plan_id = $1 ORDER BY f.id",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportFile {
                    id: r.try_get("id")?,
                    report_id: r.try_get("report_id")?,
                    file_name: r.try_get("file_name")?,
                    content_type: r.try_get("content_type")?,
                    size_bytes: r.try_get("size_bytes")?,
                    uploaded_by: r.try_get("uploaded_by")?,
                    uploaded_at: r.try_get("uploaded_at")?,
                })
            })
            .collect()
    }

    /// An evidence file with the report it belongs to: (report, name, type, bytes).
    pub async fn report_file(&self, id: i64) -> Result<(ReportRecord, String, String, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT report_id, file_name, content_type, data FROM task_report_files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound(Absent::TaskFile { id }))?;
        let report_id: i64 = row.try_get("report_id")?;
        let report = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM task_reports WHERE id = $1"
        ))
        .bind(report_id)
        .fetch_one(&self.read)
        .await?;
        Ok((
            report_row(&report)?,
            row.try_get("file_name")?,
            row.try_get("content_type")?,
            row.try_get("data")?,
        ))
    }

    /// Records a 督办 notice, numbered next in its year.
    pub async fn issue_reminder(
        &self,
        r: &ReminderRecord,
        actor: &Actor,
    ) -> Result<ReminderRecord> {
        let mut tx = self.begin_write().await?;
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM task_reminders WHERE year = $1")
                .bind(i64::from(r.year))
                .fetch_one(&mut *tx)
                .await?;
        let seq = last.unwrap_or(0) + 1;
        let now = now_utc();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO task_reminders (plan_id, task_code, unit_code, period, year, seq, text, \
             respond_by, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(r.plan_id)
        .bind(&r.task_code)
        .bind(&r.unit_code)
        .bind(r.period.to_string())
        .bind(i64::from(r.year))
        .bind(seq)
        .bind(&r.text)
        .bind(date_str(r.respond_by))
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "task.remind",
                entity: "task_reminder",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({
                    "task": r.task_code, "unit": r.unit_code, "period": r.period.to_string(),
                    "number": format!("{}-{seq}", r.year), "respond_by": date_str(r.respond_by),
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ReminderRecord {
            id,
            seq,
            issued_by: actor.name.clone(),
            issued_at: now,
            ..r.clone()
        })
    }

    pub async fn reminders(&self, plan_id: i64) -> Result<Vec<ReminderRecord>> {
        sqlx::query("SELECT * FROM task_reminders WHERE plan_id = $1 ORDER BY id")
            .bind(plan_id)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(reminder_row)
            .collect()
    }

    pub async fn reminder(&self, id: i64) -> Result<ReminderRecord> {
        sqlx::query("SELECT * FROM task_reminders WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(reminder_row)
            .transpose()?
            .ok_or(StoreError::NotFound(Absent::Reminder { id }))
    }

    // ---- successive plans ----------------------------------------------------------------

    pub async fn plan_revisions(&self, plan_id: i64) -> Result<Vec<RevisionRecord>> {
        let rows = sqlx::query(
            "SELECT revision, source, published_by, published_at FROM plan_revisions \
             WHERE plan_id = $1 ORDER BY revision DESC",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RevisionRecord {
                    revision: r.try_get("revision")?,
                    source: r.try_get("source")?,
                    published_by: r.try_get("published_by")?,
                    published_at: r.try_get("published_at")?,
                })
            })
            .collect()
    }

    /// The file a plan was last loaded or published from.
    pub async fn plan_source(&self, plan_id: i64) -> Result<String> {
        sqlx::query_scalar("SELECT source FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Plan { id: plan_id }))
    }

    pub async fn drafts(&self) -> Result<Vec<DraftRecord>> {
        sqlx::query("SELECT * FROM plan_drafts ORDER BY id")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(draft_row)
            .collect()
    }

    pub async fn draft(&self, id: i64) -> Result<DraftRecord> {
        sqlx::query("SELECT * FROM plan_drafts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(draft_row)
            .transpose()?
            .ok_or(StoreError::NotFound(Absent::Draft { id }))
    }

    /// Creates a draft, or (with `id`) replaces a draft's file; refused as a conflict when
    /// another draft holds the code.
    pub async fn save_draft(
        &self,
        id: Option<i64>,
        (code, based_on, source): (&str, Option<i64>, &str),
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM plan_drafts WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some_and(|t| Some(t) != id) {
            return Err(StoreError::Refused(crate::Refusal::DraftExists {
                code: code.to_owned(),
            }));
        }
        let now = now_utc();
        let id = match id {
            Some(id) => {
                let n = sqlx::query(
                    "UPDATE plan_drafts SET code = $1, source = $2, updated_by = $3, updated_at = $4 WHERE id = $5",
                )
                .bind(code)
                .bind(source)
                .bind(&actor.name)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::NotFound(Absent::Draft { id }));
                }
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO plan_drafts (code, based_on, source, created_by, created_at, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $4, $5) RETURNING id",
                )
                .bind(code)
                .bind(based_on)
                .bind(source)
                .bind(&actor.name)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "plan_draft.save",
                entity: "plan_draft",
                entity_id: &id.to_string(),
                before: String::new(),
                after:
                    serde_json::json!({ "code": code, "based_on": based_on, "bytes": source.len() })
                        .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes a draft once published.
    pub async fn drop_draft(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM plan_drafts WHERE id = $1")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

fn draft_row(r: &AnyRow) -> Result<DraftRecord> {
    Ok(DraftRecord {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        based_on: r.try_get("based_on")?,
        source: r.try_get("source")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}
