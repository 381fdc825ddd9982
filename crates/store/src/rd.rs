//! R&D statistics' records: the enterprise R&D surveys, one per enterprise and year, and the
//! tax authority's super-deduction lists; and what 应统尽统 reads — who should report R&D.

use crate::audit::{append, append_new, Actor};
use crate::sql::Sql;
use crate::{now_utc, Result, Store};
use kechuang_domain::money::{Fen, FEN_PER_WAN};
use kechuang_domain::rd::{Deduction, Reason, Survey, SurveyDetails, SurveyStatus};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// A training session as lists show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrainingItem {
    pub id: i64,
    pub held_on: String,
    pub title: String,
    pub region_code: String,
    /// Enterprises that attended.
    pub attendees: i64,
}

const PART_COLUMNS: [&str; 8] = [
    "labour_fen",
    "materials_fen",
    "depreciation_fen",
    "amortisation_fen",
    "design_fen",
    "trials_fen",
    "outsourced_fen",
    "other_fen",
];

fn survey_row(r: &AnyRow) -> Result<Survey> {
    let mut parts = [Fen::ZERO; 8];
    for (i, c) in PART_COLUMNS.iter().enumerate() {
        parts[i] = Fen(r.try_get(*c)?);
    }
    Ok(Survey {
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        year: r.try_get::<i64, _>("year")? as i32,
        staff: r.try_get("staff")?,
        total: Fen(r.try_get("total_fen")?),
        parts,
        super_deduction_base: r
            .try_get::<Option<i64>, _>("super_deduction_base_fen")?
            .map(Fen),
        note: r.try_get("note")?,
        details: SurveyDetails {
            gov_funds: r.try_get::<Option<i64>, _>("gov_funds_fen")?.map(Fen),
            institutions: r.try_get("institutions")?,
            patent_applications: r.try_get("patent_applications")?,
            new_product_sales: r
                .try_get::<Option<i64>, _>("new_product_sales_fen")?
                .map(Fen),
        },
    })
}

/// Who wrote a survey, when, from which file, as which revision and in which status.
struct Written<'a> {
    file_name: &'a str,
    actor: &'a Actor,
    now: &'a str,
    revision: i64,
    status: SurveyStatus,
}

/// Replaces an enterprise's survey of a year (there is one at most) inside a transaction.
async fn replace_survey(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    s: &Survey,
    at: &Written<'_>,
) -> Result<()> {
    sqlx::query("DELETE FROM rd_surveys WHERE uscc = $1 AND year = $2")
        .bind(&s.uscc)
        .bind(i64::from(s.year))
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO rd_surveys (uscc, name, region_code, year, staff, total_fen, labour_fen, materials_fen, \
         depreciation_fen, amortisation_fen, design_fen, trials_fen, outsourced_fen, other_fen, \
         super_deduction_base_fen, note, file_name, recorded_by, recorded_at, revision, status, \
         gov_funds_fen, institutions, patent_applications, new_product_sales_fen) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
         $22, $23, $24, $25)",
    )
    .bind(&s.uscc)
    .bind(&s.name)
    .bind(&s.region_code)
    .bind(i64::from(s.year))
    .bind(s.staff)
    .bind(s.total.0)
    .bind(s.parts[0].0)
    .bind(s.parts[1].0)
    .bind(s.parts[2].0)
    .bind(s.parts[3].0)
    .bind(s.parts[4].0)
    .bind(s.parts[5].0)
    .bind(s.parts[6].0)
    .bind(s.parts[7].0)
    .bind(s.super_deduction_base.map(|f| f.0))
    .bind(&s.note)
    .bind(at.file_name)
    .bind(&at.actor.name)
    .bind(at.now)
    .bind(at.revision)
    .bind(at.status.code())
    .bind(s.details.gov_funds.map(|f| f.0))
    .bind(s.details.institutions)
    .bind(s.details.patent_applications)
    .bind(s.details.new_product_sales.map(|f| f.0))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Writes surveys: a new (enterprise, year) is added, a known one whose figures changed is
    /// replaced as its next revision, an unchanged one is left. Answers (added, updated,
    /// unchanged).
    pub async fn write_surveys(
        &self,
        rows: &[Survey],
        file_name: &str,
        actor: &Actor,
    ) -> Result<(usize, usize, usize)> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let (mut added, mut updated, mut unchanged) = (0, 0, 0);
        for s in rows {
            let existing = sqlx::query("SELECT * FROM rd_surveys WHERE uscc = $1 AND year = $2")
                .bind(&s.uscc)
                .bind(i64::from(s.year))
                .fetch_optional(&mut *tx)
                .await?;
            let revision = match existing {
                Some(r) => {
                    let old = survey_row(&r)?;
                    let status: String = r.try_get("status")?;
                    // The statistics office's figures are the accepted ones: an enterprise's
                    // own survey of the same figures is accepted by them.
                    if status == SurveyStatus::Accepted.code()
                        && old.staff == s.staff
                        && old.total == s.total
                        && old.parts == s.parts
                        && old.super_deduction_base == s.super_deduction_base
                        && old.note == s.note
                        && old.details == s.details
                    {
                        unchanged += 1;
                        continue;
                    }
                    updated += 1;
                    r.try_get::<i64, _>("revision")? + 1
                }
                None => {
                    added += 1;
                    1
                }
            };
            let at = Written {
                file_name,
                actor,
                now: &now,
                revision,
                status: SurveyStatus::Accepted,
            };
            replace_survey(&mut tx, s, &at).await?;
        }
        append_new(
            &mut tx,
            actor,
            "rd_survey.import",
            "rd_surveys",
            file_name,
            serde_json::json!({"rows": rows.len(), "added": added, "updated": updated, "unchanged": unchanged}),
        )
        .await?;
        tx.commit().await?;
        Ok((added, updated, unchanged))
    }

    /// Writes a super-deduction list: (added, updated, unchanged) by (enterprise, year).
    pub async fn write_deductions(
        &self,
        rows: &[Deduction],
        file_name: &str,
        actor: &Actor,
    ) -> Result<(usize, usize, usize)> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let (mut added, mut updated, mut unchanged) = (0, 0, 0);
        for d in rows {
            let old: Option<i64> = sqlx::query_scalar(
                "SELECT deduction_fen FROM super_deductions WHERE uscc = $1 AND year = $2",
            )
            .bind(&d.uscc)
            .bind(i64::from(d.year))
            .fetch_optional(&mut *tx)
            .await?;
            match old {
                Some(o) if o == d.amount.0 => {
                    unchanged += 1;
                    continue;
                }
                Some(_) => {
                    updated += 1;
                    sqlx::query("UPDATE super_deductions SET deduction_fen = $1, file_name = $2, recorded_by = $3, recorded_at = $4 WHERE uscc = $5 AND year = $6")
                        .bind(d.amount.0)
                        .bind(file_name)
                        .bind(&actor.name)
                        .bind(&now)
                        .bind(&d.uscc)
                        .bind(i64::from(d.year))
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    added += 1;
                    sqlx::query(
                        "INSERT INTO super_deductions (uscc, name, region_code, year, deduction_fen, file_name, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&d.uscc)
                    .bind(&d.name)
                    .bind(&d.region_code)
                    .bind(i64::from(d.year))
                    .bind(d.amount.0)
                    .bind(file_name)
                    .bind(&actor.name)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        append_new(
            &mut tx,
            actor,
            "super_deduction.import",
            "super_deductions",
            file_name,
            serde_json::json!({"rows": rows.len(), "added": added, "updated": updated, "unchanged": unchanged}),
        )
        .await?;
        tx.commit().await?;
        Ok((added, updated, unchanged))
    }

    /// The year's R&D surveys of registered enterprises as rule candidates (read as `survey`),
    /// with `facts.rd_survey_total` and `facts.rd_survey_previous` (万元; the previous year's
    /// 0 when it was not surveyed) beside the year's annual facts. `first`: no survey of an
    /// earlier year.
    pub async fn survey_candidates(
        &self,
        year: i32,
    ) -> Result<Vec<kechuang_domain::programme::Candidate>> {
        use crate::batches::{enterprise_facts, ENTERPRISE_FACT_COLUMNS};
        use kechuang_domain::programme::{Candidate, EventFacts};
        let rows = sqlx::query(&format!(
            "SELECT s.total_fen, s.name AS surveyed_name, \
             (SELECT p.total_fen FROM rd_surveys p WHERE p.uscc = s.uscc AND p.year = s.year - 1 AND p.status = 'accepted') AS previous_fen, \
             (SELECT COUNT(*) FROM rd_surveys p WHERE p.uscc = s.uscc AND p.year < s.year AND p.status = 'accepted') AS earlier, \
             {ENTERPRISE_FACT_COLUMNS} \
             FROM rd_surveys s JOIN enterprises e ON e.uscc = s.uscc \
             WHERE s.year = CAST($1 AS BIGINT) AND s.status = 'accepted' ORDER BY e.uscc"
        ))
        .bind(i64::from(year))
        .fetch_all(&self.read)
        .await?;
        let facts = self.facts_of_year(year).await?;
        let wan = |fen: i64| fen as f64 / FEN_PER_WAN as f64;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let uscc: String = r.try_get("uscc")?;
            let mut f = facts.get(&uscc).cloned().unwrap_or_default();
            f.insert("rd_survey_total".into(), wan(r.try_get("total_fen")?));
            let previous: Option<i64> = r.try_get("previous_fen")?;
            f.insert("rd_survey_previous".into(), wan(previous.unwrap_or(0)));
            out.push(Candidate {
                facts: f,
                event: EventFacts {
                    kind: "rd_survey".into(),
                    // Once per event is once per enterprise and year.
                    number: format!("{uscc}:{year}"),
                    title: r.try_get("surveyed_name")?,
                    issued_on: format!("{year:04}-12-31"),
                    issued_year: i64::from(year),
                    batch: String::new(),
                    first: r.try_get::<i64, _>("earlier")? == 0,
                    revoked: false,
                },
                enterprise: enterprise_facts(r, uscc)?,
                in_region: false,
                application: HashMap::new(),
            });
        }
        Ok(out)
    }

    /// An enterprise's survey of a year in whatever state it is, with its status and the
    /// comment it was last returned with.
    pub async fn survey_of(
        &self,
        uscc: &str,
        year: i32,
    ) -> Result<Option<(Survey, SurveyStatus, String)>> {
        let Some(r) = sqlx::query("SELECT * FROM rd_surveys WHERE uscc = $1 AND year = $2")
            .bind(uscc)
            .bind(i64::from(year))
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let status: String = r.try_get("status")?;
        let status = SurveyStatus::parse(&status)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("survey status {status}")))?;
        Ok(Some((survey_row(&r)?, status, r.try_get("comment")?)))
    }

    /// Saves an enterprise's own survey as a draft: new, or over its draft or returned survey.
    /// `false`, and nothing written, when the survey already moved on (submitted, checked,
    /// accepted) — a late save never overwrites what the county or the bureau holds.
    pub async fn save_survey_draft(&self, s: &Survey, actor: &Actor) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let current: Option<(String, i64)> =
            sqlx::query_as("SELECT status, revision FROM rd_surveys WHERE uscc = $1 AND year = $2")
                .bind(&s.uscc)
                .bind(i64::from(s.year))
                .fetch_optional(&mut *tx)
                .await?;
        let revision = match &current {
            Some((status, _))
                if !SurveyStatus::parse(status).is_some_and(SurveyStatus::editable) =>
            {
                return Ok(false);
            }
            Some((_, rev)) => rev + 1,
            None => 1,
        };
        let at = Written {
            file_name: "",
            actor,
            now: &now,
            revision,
            status: SurveyStatus::Draft,
        };
        replace_survey(&mut tx, s, &at).await?;
        append_new(
            &mut tx,
            actor,
            "rd_survey.save",
            "rd_survey",
            &format!("{}:{}", s.uscc, s.year),
            serde_json::json!({"staff": s.staff, "total_fen": s.total.0, "revision": revision}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a survey from one status to the next, with the comment (kept until the next
    /// step). `false`, and nothing written, when it was no longer in `from` — someone acted
    /// first.
    pub async fn step_survey(
        &self,
        uscc: &str,
        year: i32,
        from: SurveyStatus,
        to: SurveyStatus,
        comment: &str,
        actor: &Actor,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE rd_surveys SET status = $1, comment = $2 WHERE uscc = $3 AND year = $4 AND status = $5",
        )
        .bind(to.code())
        .bind(comment)
        .bind(uscc)
        .bind(i64::from(year))
        .bind(from.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        append(
            &mut tx,
            &crate::AuditEntry {
                actor,
                action: "rd_survey.step",
                entity: "rd_survey",
                entity_id: &format!("{uscc}:{year}"),
                before: serde_json::json!({"status": from.code()}).to_string(),
                after: serde_json::json!({"status": to.code(), "comment": comment}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Enterprises' own surveys in a status, in the given regions, oldest year first: what a
    /// county or the bureau has to act on.
    pub async fn surveys_in(
        &self,
        status: SurveyStatus,
        regions: &[String],
    ) -> Result<Vec<Survey>> {
        if regions.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT * FROM rd_surveys WHERE status = $1");
        sql.args.push(status.code().to_owned());
        sql.in_list("region_code", regions);
        sql.push(" ORDER BY year, region_code, name");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(survey_row)
            .collect()
    }

    /// Writes a training sign-in sheet: each session (date, title, where) once, and each
    /// enterprise once a session. (attendances added, 0, already recorded).
    pub async fn write_trainings(
        &self,
        rows: &[kechuang_domain::rd::Attendance],
        file_name: &str,
        actor: &Actor,
    ) -> Result<(usize, usize, usize)> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let (mut added, mut unchanged) = (0, 0);
        let mut sessions: HashMap<(String, String, String), i64> = HashMap::new();
        for a in rows {
            let key = (
                a.held_on.to_string(),
                a.title.clone(),
                a.region_code.clone(),
            );
            let id = match sessions.get(&key) {
                Some(id) => *id,
                None => {
                    sqlx::query(
                        "INSERT INTO rd_trainings (held_on, title, region_code, file_name, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (held_on, title, region_code) DO NOTHING",
                    )
                    .bind(&key.0)
                    .bind(&key.1)
                    .bind(&key.2)
                    .bind(file_name)
                    .bind(&actor.name)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                    let id: i64 = sqlx::query_scalar(
                        "SELECT id FROM rd_trainings WHERE held_on = $1 AND title = $2 AND region_code = $3",
                    )
                    .bind(&key.0)
                    .bind(&key.1)
                    .bind(&key.2)
                    .fetch_one(&mut *tx)
                    .await?;
                    sessions.insert(key, id);
                    id
                }
            };
            let n = sqlx::query(
                "INSERT INTO rd_training_attendees (training_id, uscc) VALUES ($1, $2) \
                 ON CONFLICT (training_id, uscc) DO NOTHING",
            )
            .bind(id)
            .bind(&a.uscc)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                added += 1;
            } else {
                unchanged += 1;
            }
        }
        if added == 0 {
            // Nothing new: no audit entry for a sheet sent twice.
            return Ok((0, 0, unchanged));
        }
        append_new(
            &mut tx,
            actor,
            "rd_training.import",
            "rd_trainings",
            file_name,
            serde_json::json!({"sessions": sessions.len(), "attendances": rows.len(), "added": added}),
        )
        .await?;
        tx.commit().await?;
        Ok((added, 0, unchanged))
    }

    /// The latest year surveyed, up to `up_to`.
    pub async fn latest_survey_year(&self, up_to: i32) -> Result<Option<i32>> {
        let y: Option<i64> =
            sqlx::query_scalar("SELECT MAX(year) FROM rd_surveys WHERE year <= CAST($1 AS BIGINT) AND status = 'accepted'")
                .bind(i64::from(up_to))
                .fetch_one(&self.read)
                .await?;
        Ok(y.map(|y| y as i32))
    }

    /// Training sessions held between two dates in the given regions, with how many
    /// enterprises attended, newest first.
    pub async fn trainings(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        regions: &[String],
    ) -> Result<Vec<TrainingItem>> {
        let mut sql = Sql::new(
            "SELECT t.id, t.held_on, t.title, t.region_code, \
             (SELECT COUNT(*) FROM rd_training_attendees a WHERE a.training_id = t.id) AS attendees \
             FROM rd_trainings t WHERE t.held_on >= $1 AND t.held_on <= $2",
        );
        sql.args.push(from.to_string());
        sql.args.push(to.to_string());
        sql.in_list("t.region_code", regions);
        sql.push(" ORDER BY t.held_on DESC, t.id DESC");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok(TrainingItem {
                    id: r.try_get("id")?,
                    held_on: r.try_get("held_on")?,
                    title: r.try_get("title")?,
                    region_code: r.try_get("region_code")?,
                    attendees: r.try_get("attendees")?,
                })
            })
            .collect()
    }

    /// Enterprises that attended any session held between two dates, wherever it was held.
    pub async fn trained(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<std::collections::HashSet<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT a.uscc FROM rd_training_attendees a \
             JOIN rd_trainings t ON t.id = a.training_id WHERE t.held_on >= $1 AND t.held_on <= $2",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("uscc")?)).collect()
    }

    /// What a survey file's checks read for these enterprises: their revenue by year (from
    /// their annual facts, 万元) and their surveyed R&D totals by year.
    pub async fn rd_check_context(
        &self,
        usccs: &[String],
    ) -> Result<(HashMap<(String, i32), Fen>, HashMap<(String, i32), Fen>)> {
        let mut revenue = HashMap::new();
        let mut surveyed = HashMap::new();
        for chunk in usccs.chunks(500) {
            let mut sql = Sql::new(
                "SELECT uscc, year, revenue FROM enterprise_facts WHERE revenue IS NOT NULL",
            );
            sql.in_list("uscc", chunk);
            for r in sql.fetch_all(&self.read).await? {
                let wan: f64 = r.try_get("revenue")?;
                revenue.insert(
                    (r.try_get("uscc")?, r.try_get::<i64, _>("year")? as i32),
                    Fen((wan * FEN_PER_WAN as f64).round() as i64),
                );
            }
            let mut sql =
                Sql::new("SELECT uscc, year, total_fen FROM rd_surveys WHERE status = 'accepted'");
            sql.in_list("uscc", chunk);
            for r in sql.fetch_all(&self.read).await? {
                surveyed.insert(
                    (r.try_get("uscc")?, r.try_get::<i64, _>("year")? as i32),
                    Fen(r.try_get("total_fen")?),
                );
            }
        }
        Ok((revenue, surveyed))
    }

    /// The accepted surveys of a year, of some regions or all, by enterprise name.
    pub async fn surveys(&self, year: i32, regions: Option<&[String]>) -> Result<Vec<Survey>> {
        let mut sql = Sql::new(
            "SELECT * FROM rd_surveys WHERE year = CAST($1 AS BIGINT) AND status = 'accepted'",
        );
        sql.args.push(year.to_string());
        if let Some(r) = regions {
            if r.is_empty() {
                return Ok(Vec::new());
            }
            sql.in_list("region_code", r);
        }
        sql.push(" ORDER BY region_code, name");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(survey_row)
            .collect()
    }

    /// Who should report R&D for a year (应统尽统), each with one reason: (USCC, name, region,
    /// reason). An enterprise has a line per reason.
    pub async fn rd_should_report(
        &self,
        year: i32,
    ) -> Result<Vec<(String, String, String, Reason)>> {
        let year_end = format!("{year}-12-31");
        let mut out = Vec::new();
        let rows = sqlx::query(
            "SELECT uscc, name, region_code FROM super_deductions WHERE year = $1 AND deduction_fen > 0",
        )
        .bind(i64::from(year))
        .fetch_all(&self.read)
        .await?;
        for r in &rows {
            out.push((
                r.try_get("uscc")?,
                r.try_get("name")?,
                r.try_get("region_code")?,
                Reason::SuperDeduction,
            ));
        }
        let rows = sqlx::query(
            "SELECT DISTINCT e.uscc, e.name, e.region_code FROM certificates c JOIN enterprises e ON e.uscc = c.uscc \
             WHERE c.kind = 'hte' AND c.issued_on <= $1 AND (c.expires_on IS NULL OR c.expires_on >= $1) \
             AND (c.revoked_on IS NULL OR c.revoked_on > $1)",
        )
        .bind(&year_end)
        .fetch_all(&self.read)
        .await?;
        for r in &rows {
            out.push((
                r.try_get("uscc")?,
                r.try_get("name")?,
                r.try_get("region_code")?,
                Reason::Hte,
            ));
        }
        let rows = sqlx::query(
            "SELECT e.uscc, e.name, e.region_code FROM enterprise_facts f JOIN enterprises e ON e.uscc = f.uscc \
             WHERE f.year = $1 AND f.has_rd_institution = 1 AND e.above_scale = 1",
        )
        .bind(i64::from(year))
        .fetch_all(&self.read)
        .await?;
        for r in &rows {
            out.push((
                r.try_get("uscc")?,
                r.try_get("name")?,
                r.try_get("region_code")?,
                Reason::RdInstitution,
            ));
        }
        Ok(out)
    }

    /// The surveys as a records indicator adds them up: (region, year end, USCC, total fen).
    pub async fn rd_items(&self) -> Result<Vec<(String, String, String, i64)>> {
        sqlx::query("SELECT region_code, CAST(year AS TEXT) AS y, uscc, total_fen FROM rd_surveys WHERE status = 'accepted'")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                let year: String = r.try_get("y")?;
                Ok((
                    r.try_get("region_code")?,
                    format!("{year}-12-31"),
                    r.try_get("uscc")?,
                    r.try_get::<i64, _>("total_fen")?,
                ))
            })
            .collect()
    }

    /// The surveys behind a year's figure within some regions, for the drill-down.
    pub async fn rd_records(
        &self,
        year: i32,
        regions: &[kechuang_domain::RegionCode],
    ) -> Result<Vec<crate::CountedRecord>> {
        let codes: Vec<String> = regions.iter().map(|c| c.to_string()).collect();
        Ok(self
            .surveys(year, Some(&codes))
            .await?
            .into_iter()
            .map(|s| crate::CountedRecord {
                registry: "rd_survey",
                kind: "rd_survey".into(),
                level: None,
                number: Some(format!("{} 万元", s.total.wan_text())),
                name: s.name.clone(),
                uscc: Some(s.uscc),
                enterprise: Some(s.name),
                region_code: s.region_code,
                from: format!("{year}-12-31"),
                until: None,
                document_no: None,
            })
            .collect())
    }
}
