//! The pool: its entry rule, online applications with the banks they name, the members
//! (admitted online or listed), and leaving.

use super::*;
use crate::audit::{append, Actor, AuditEntry};
use crate::sql::Sql;
use crate::{now_utc, Refusal, Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::finance::{FinanceProblem, MemberRow, PoolStatus};
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// The pool's entry rule and how many months an online admission lasts.
    pub async fn pool_rule(&self) -> Result<(String, i64)> {
        let r = sqlx::query("SELECT rule, validity_months FROM pool_rule WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok((r.try_get("rule")?, r.try_get("validity_months")?))
    }

    pub async fn set_pool_rule(&self, rule: &str, months: i64, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = sqlx::query("SELECT rule, validity_months FROM pool_rule WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let (old_rule, old_months): (String, i64) =
            (before.try_get("rule")?, before.try_get("validity_months")?);
        sqlx::query("UPDATE pool_rule SET rule = $1, validity_months = $2, updated_by = $3, updated_at = $4 WHERE id = 1")
            .bind(rule.trim())
            .bind(months)
            .bind(&actor.name)
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "pool.rule",
                entity: "pool_rule",
                entity_id: "1",
                before: serde_json::json!({"rule": old_rule, "validity_months": old_months})
                    .to_string(),
                after: serde_json::json!({"rule": rule.trim(), "validity_months": months})
                    .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn submit_pool_application(
        &self,
        a: &NewPoolApplication<'_>,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let member: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM pool_members WHERE uscc = $1 AND left_on IS NULL \
             AND (valid_until IS NULL OR valid_until >= $2)",
        )
        .bind(a.uscc)
        .bind(chrono::Utc::now().date_naive().to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if member.is_some() {
            return Err(StoreError::rule(FinanceProblem::MemberAlready));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pool_applications (uscc, name, region_code, status, requested_fen, purpose, contact, prefill, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(a.uscc)
        .bind(a.name)
        .bind(a.region_code)
        .bind(a.requested.0)
        .bind(a.purpose.trim())
        .bind(a.contact.trim())
        .bind(a.prefill)
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| unique_as(e, FinanceProblem::PendingAlready))?;
        for bank in a.banks {
            sqlx::query(
                "INSERT INTO pool_application_banks (application_id, bank_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*bank)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    StoreError::rule(FinanceProblem::NoBankChosen)
                }
                _ => StoreError::Database(e),
            })?;
        }
        append_new(
            &mut tx,
            actor,
            "pool.apply",
            "pool_application",
            &id.to_string(),
            serde_json::json!({"uscc": a.uscc, "requested_fen": a.requested.0, "banks": a.banks, "purpose": a.purpose}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn with_banks(
        &self,
        mut apps: Vec<PoolApplicationRecord>,
    ) -> Result<Vec<PoolApplicationRecord>> {
        let rows = sqlx::query(
            "SELECT ab.application_id, b.id, b.name FROM pool_application_banks ab \
             JOIN partner_banks b ON b.id = ab.bank_id ORDER BY b.name",
        )
        .fetch_all(&self.read)
        .await?;
        let mut by_app: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for r in &rows {
            by_app
                .entry(r.try_get("application_id")?)
                .or_default()
                .push((r.try_get("id")?, r.try_get("name")?));
        }
        for a in &mut apps {
            a.banks = by_app.remove(&a.id).unwrap_or_default();
        }
        Ok(apps)
    }

    /// Pool applications, newest first: those of some regions, of one enterprise, or naming
    /// one bank.
    pub async fn pool_applications(
        &self,
        regions: Option<&[String]>,
        uscc: Option<&str>,
        bank_id: Option<i64>,
    ) -> Result<Vec<PoolApplicationRecord>> {
        let mut sql = Sql::new("SELECT a.* FROM pool_applications a WHERE 1 = 1");
        if let Some(r) = regions {
            if r.is_empty() {
                return Ok(Vec::new());
            }
            sql.in_list("a.region_code", r);
        }
        if let Some(u) = uscc {
            let p = sql.arg(u);
            sql.push(&format!(" AND a.uscc = {p}"));
        }
        if let Some(b) = bank_id {
            let p = sql.arg(b.to_string());
            sql.push(&format!(
                " AND EXISTS (SELECT 1 FROM pool_application_banks ab WHERE ab.application_id = a.id AND ab.bank_id = CAST({p} AS BIGINT))"
            ));
        }
        sql.push(" ORDER BY a.submitted_at DESC, a.id DESC");
        let apps = sql
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(pool_application_row)
            .collect::<Result<Vec<_>>>()?;
        self.with_banks(apps).await
    }

    pub async fn pool_application(&self, id: i64) -> Result<PoolApplicationRecord> {
        let row = sqlx::query("SELECT * FROM pool_applications WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(crate::Absent::Application { id }))?;
        let app = pool_application_row(&row)?;
        self.with_banks(vec![app])
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound(crate::Absent::Application { id }))
    }

    /// Moves a pool application from `from` to `to`; admitting it makes the enterprise a
    /// member from `admitted_on` until `valid_until`, with its first chosen bank.
    #[expect(clippy::too_many_arguments, reason = "one step's inputs, each needed")]
    pub async fn act_on_pool_application(
        &self,
        id: i64,
        from: PoolStatus,
        to: PoolStatus,
        comment: &str,
        admitted_on: NaiveDate,
        valid_until: NaiveDate,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let set = match to {
            PoolStatus::Recommended => "recommended_by = $1, recommended_at = $2",
            _ => "decided_by = $1, decided_at = $2",
        };
        let done = sqlx::query(&format!(
            "UPDATE pool_applications SET status = $3, comment = $4, {set} WHERE id = $5 AND status = $6"
        ))
        .bind(&actor.name)
        .bind(&now)
        .bind(to.code())
        .bind(comment.trim())
        .bind(id)
        .bind(from.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::Refused(Refusal::ChangedMeanwhile));
        }
        if to == PoolStatus::Admitted {
            sqlx::query(
                "INSERT INTO pool_members (uscc, name, region_code, admitted_on, valid_until, bank_id, application_id, recorded_by, recorded_at) \
                 SELECT a.uscc, a.name, a.region_code, $1, $2, \
                 (SELECT MIN(ab.bank_id) FROM pool_application_banks ab WHERE ab.application_id = a.id), a.id, $3, $4 \
                 FROM pool_applications a WHERE a.id = $5",
            )
            .bind(admitted_on.to_string())
            .bind(valid_until.to_string())
            .bind(&actor.name)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| unique_as(e, FinanceProblem::MemberAlready))?;
        }
        append_new(
            &mut tx,
            actor,
            &format!("pool.{}", to.code()),
            "pool_application",
            &id.to_string(),
            serde_json::json!({"status": to.code(), "comment": comment.trim()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the existing members of a file: new (enterprise, admission date) pairs are
    /// added, known ones take the file's exit date and bank. Answers (added, updated).
    pub async fn write_members(
        &self,
        rows: &[MemberRow],
        file_name: &str,
        actor: &Actor,
    ) -> Result<(usize, usize)> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let (mut added, mut updated) = (0, 0);
        for m in rows {
            let existing = sqlx::query(
                "SELECT id, left_on, bank_id FROM pool_members WHERE uscc = $1 AND admitted_on = $2",
            )
            .bind(&m.uscc)
            .bind(m.admitted_on.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let left = m.left_on.map(|d| d.to_string());
            match existing {
                None => {
                    sqlx::query(
                        "INSERT INTO pool_members (uscc, name, region_code, admitted_on, left_on, bank_id, file_name, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&m.uscc)
                    .bind(&m.name)
                    .bind(&m.region_code)
                    .bind(m.admitted_on.to_string())
                    .bind(&left)
                    .bind(m.bank_id)
                    .bind(file_name)
                    .bind(&actor.name)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                    added += 1;
                }
                Some(r) => {
                    let id: i64 = r.try_get("id")?;
                    let old_left: Option<String> = r.try_get("left_on")?;
                    let old_bank: Option<i64> = r.try_get("bank_id")?;
                    if old_left != left || (m.bank_id.is_some() && old_bank != m.bank_id) {
                        sqlx::query("UPDATE pool_members SET left_on = $1, bank_id = COALESCE($2, bank_id), file_name = $3 WHERE id = $4")
                            .bind(&left)
                            .bind(m.bank_id)
                            .bind(file_name)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        updated += 1;
                    }
                }
            }
        }
        append_new(
            &mut tx,
            actor,
            "pool.import",
            "pool_members",
            file_name,
            serde_json::json!({"rows": rows.len(), "added": added, "updated": updated}),
        )
        .await?;
        tx.commit().await?;
        Ok((added, updated))
    }

    /// Pool members, newest admission first: of some regions, or those whose application
    /// chose a bank (or who were listed with it).
    pub async fn pool_members(
        &self,
        regions: Option<&[String]>,
        bank_id: Option<i64>,
    ) -> Result<Vec<MemberRecord>> {
        let mut sql = Sql::new(
            "SELECT m.*, b.name AS bank_name FROM pool_members m \
             LEFT JOIN partner_banks b ON b.id = m.bank_id WHERE 1 = 1",
        );
        if let Some(r) = regions {
            if r.is_empty() {
                return Ok(Vec::new());
            }
            sql.in_list("m.region_code", r);
        }
        if let Some(b) = bank_id {
            let p = sql.arg(b.to_string());
            sql.push(&format!(
                " AND (m.bank_id = CAST({p} AS BIGINT) OR EXISTS (SELECT 1 FROM pool_application_banks ab \
                 WHERE ab.application_id = m.application_id AND ab.bank_id = CAST({p} AS BIGINT)))"
            ));
        }
        sql.push(" ORDER BY m.admitted_on DESC, m.id DESC");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(member_row)
            .collect()
    }

    /// Ends a membership on a date.
    pub async fn end_membership(&self, id: i64, on: NaiveDate, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE pool_members SET left_on = $1 WHERE id = $2 AND left_on IS NULL AND admitted_on <= $1",
        )
        .bind(on.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::Refused(Refusal::ChangedMeanwhile));
        }
        append_new(
            &mut tx,
            actor,
            "pool.leave",
            "pool_member",
            &id.to_string(),
            serde_json::json!({"left_on": on.to_string()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
