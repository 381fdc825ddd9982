//! Loans from the banks' files with their history, compensation claims (once per loan) and
//! their steps, payment out of the reserve, and recoveries.

use super::*;
use crate::audit::Actor;
use crate::sql::Sql;
use crate::{now_utc, Refusal, Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::finance::{ClaimStatus, FinanceProblem, LoanRow};
use kechuang_domain::money::Fen;
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// The bank each of these contracts is registered with already.
    pub async fn loan_banks(&self, contracts: &[String]) -> Result<HashMap<String, i64>> {
        let mut out = HashMap::new();
        for chunk in contracts.chunks(500) {
            let mut sql = Sql::new("SELECT contract_no, bank_id FROM loans WHERE 1 = 1");
            sql.in_list("contract_no", chunk);
            for r in sql.fetch_all(&self.read).await? {
                out.insert(r.try_get("contract_no")?, r.try_get("bank_id")?);
            }
        }
        Ok(out)
    }

    /// Writes a loan file: new contracts are added; a known one whose figures changed takes
    /// them as its next revision, kept in its history; an unchanged one is left alone.
    pub async fn write_loans(
        &self,
        rows: &[LoanRow],
        file_name: &str,
        actor: &Actor,
    ) -> Result<LoanWrite> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let mut w = LoanWrite::default();
        for l in rows {
            let existing = sqlx::query(
                "SELECT id, bank_id, due_on, amount_fen, balance_fen, classification, guarantee, revision \
                 FROM loans WHERE contract_no = $1",
            )
            .bind(&l.contract_no)
            .fetch_optional(&mut *tx)
            .await?;
            let (id, revision) = match existing {
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO loans (contract_no, bank_id, uscc, name, region_code, issued_on, due_on, amount_fen, balance_fen, \
                         classification, guarantee, file_name, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                    )
                    .bind(&l.contract_no)
                    .bind(l.bank_id)
                    .bind(&l.uscc)
                    .bind(&l.name)
                    .bind(&l.region_code)
                    .bind(l.issued_on.to_string())
                    .bind(l.due_on.to_string())
                    .bind(l.amount.0)
                    .bind(l.balance.0)
                    .bind(l.class.code())
                    .bind(&l.guarantee)
                    .bind(file_name)
                    .bind(&actor.name)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
                    w.added += 1;
                    (id, 1)
                }
                Some(r) => {
                    let bank: i64 = r.try_get("bank_id")?;
                    if bank != l.bank_id {
                        return Err(StoreError::rule(FinanceProblem::ContractTaken {
                            contract_no: l.contract_no.clone(),
                        }));
                    }
                    let same = r.try_get::<String, _>("due_on")? == l.due_on.to_string()
                        && r.try_get::<i64, _>("amount_fen")? == l.amount.0
                        && r.try_get::<i64, _>("balance_fen")? == l.balance.0
                        && r.try_get::<String, _>("classification")? == l.class.code()
                        && r.try_get::<String, _>("guarantee")? == l.guarantee;
                    if same {
                        w.unchanged += 1;
                        continue;
                    }
                    let id: i64 = r.try_get("id")?;
                    let revision = r.try_get::<i64, _>("revision")? + 1;
                    sqlx::query(
                        "UPDATE loans SET due_on = $1, amount_fen = $2, balance_fen = $3, classification = $4, guarantee = $5, \
                         file_name = $6, recorded_by = $7, recorded_at = $8, revision = $9 WHERE id = $10",
                    )
                    .bind(l.due_on.to_string())
                    .bind(l.amount.0)
                    .bind(l.balance.0)
                    .bind(l.class.code())
                    .bind(&l.guarantee)
                    .bind(file_name)
                    .bind(&actor.name)
                    .bind(&now)
                    .bind(revision)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    w.updated += 1;
                    (id, revision)
                }
            };
            sqlx::query(
                "INSERT INTO loan_history (loan_id, revision, balance_fen, classification, file_name, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(revision)
            .bind(l.balance.0)
            .bind(l.class.code())
            .bind(file_name)
            .bind(&actor.name)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        append_new(
            &mut tx,
            actor,
            "loans.import",
            "loans",
            file_name,
            serde_json::json!({"rows": rows.len(), "added": w.added, "updated": w.updated, "unchanged": w.unchanged}),
        )
        .await?;
        tx.commit().await?;
        Ok(w)
    }

    /// Loans matching a filter, newest first.
    pub async fn loans(&self, f: &LoanFilter) -> Result<Vec<LoanRecord>> {
        let mut sql = Sql::new(&format!("{} WHERE 1 = 1", loan_select()));
        if let Some(b) = f.bank_id {
            let p = sql.arg(b.to_string());
            sql.push(&format!(" AND l.bank_id = CAST({p} AS BIGINT)"));
        }
        if let Some(r) = &f.regions {
            if r.is_empty() {
                return Ok(Vec::new());
            }
            sql.in_list("l.region_code", r);
        }
        if let Some(c) = f.classification {
            let p = sql.arg(c.code());
            sql.push(&format!(" AND l.classification = {p}"));
        }
        if let Some(u) = &f.uscc {
            let p = sql.arg(u.clone());
            sql.push(&format!(" AND l.uscc = {p}"));
        }
        sql.push(" ORDER BY l.issued_on DESC, l.id DESC");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(loan_row)
            .collect()
    }

    pub async fn loan(&self, contract_no: &str) -> Result<Option<LoanRecord>> {
        sqlx::query(&format!("{} WHERE l.contract_no = $1", loan_select()))
            .bind(contract_no)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(loan_row)
            .transpose()
    }

    pub async fn loan_history(&self, loan_id: i64) -> Result<Vec<LoanRevision>> {
        sqlx::query("SELECT * FROM loan_history WHERE loan_id = $1 ORDER BY revision DESC")
            .bind(loan_id)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                let class: String = r.try_get("classification")?;
                Ok(LoanRevision {
                    revision: r.try_get("revision")?,
                    balance: Fen(r.try_get("balance_fen")?),
                    classification: class_of(&class)?,
                    file_name: r.try_get("file_name")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    // ---- claims ------------------------------------------------------------------------------

    /// What a claim on `loan` is computed from: whether it is the enterprise's first loan,
    /// and what was granted (claims not refused) to the enterprise and to the bank this year.
    pub async fn claim_history(&self, loan: &LoanRecord, year: i32) -> Result<ClaimHistory> {
        let earlier: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM loans WHERE uscc = $1 AND (issued_on < $2 OR (issued_on = $2 AND id < $3))",
        )
        .bind(&loan.uscc)
        .bind(&loan.issued_on)
        .bind(loan.id)
        .fetch_one(&self.read)
        .await?;
        let to_enterprise: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(c.amount_fen), 0) AS BIGINT) FROM compensation_claims c \
             JOIN loans l ON l.id = c.loan_id WHERE l.uscc = $1 AND c.status <> 'refused'",
        )
        .bind(&loan.uscc)
        .fetch_one(&self.read)
        .await?;
        let to_bank: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM compensation_claims \
             WHERE bank_id = $1 AND status <> 'refused' AND SUBSTR(claimed_at, 1, 4) = $2",
        )
        .bind(loan.bank_id)
        .bind(year.to_string())
        .fetch_one(&self.read)
        .await?;
        Ok(ClaimHistory {
            first_loan: earlier == 0,
            granted_to_enterprise: Fen(to_enterprise),
            granted_to_bank_this_year: Fen(to_bank),
        })
    }

    pub async fn create_claim(&self, c: &NewClaim<'_>, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO compensation_claims (loan_id, bank_id, agreement_id, status, principal_fen, share_bp, amount_fen, \
             rule_zh, rule_en, claimed_by, claimed_at) VALUES ($1, $2, $3, 'claimed', $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(c.loan_id)
        .bind(c.bank_id)
        .bind(c.agreement_id)
        .bind(c.principal.0)
        .bind(i64::from(c.share_bp))
        .bind(c.amount.0)
        .bind(c.rule_zh)
        .bind(c.rule_en)
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            unique_as(
                e,
                FinanceProblem::ClaimStep {
                    status: "已申请".into(),
                    action: "重复申请".into(),
                },
            )
        })?;
        append_new(
            &mut tx,
            actor,
            "claim.create",
            "compensation_claim",
            &id.to_string(),
            serde_json::json!({"loan_id": c.loan_id, "principal_fen": c.principal.0, "amount_fen": c.amount.0, "rule": c.rule_zh}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims, newest first, of one bank or all.
    pub async fn claims(&self, bank_id: Option<i64>) -> Result<Vec<ClaimRecord>> {
        let rows = match bank_id {
            Some(b) => {
                sqlx::query(&format!(
                    "{CLAIM_SELECT} WHERE c.bank_id = $1 ORDER BY c.claimed_at DESC, c.id DESC"
                ))
                .bind(b)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "{CLAIM_SELECT} ORDER BY c.claimed_at DESC, c.id DESC"
                ))
                .fetch_all(&self.read)
                .await?
            }
        };
        rows.iter().map(claim_row).collect()
    }

    pub async fn claim(&self, id: i64) -> Result<Option<ClaimRecord>> {
        sqlx::query(&format!("{CLAIM_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(claim_row)
            .transpose()
    }

    /// Moves a claim from `from` to `to`. Paying it takes its amount out of the reserve, once.
    pub async fn act_on_claim(
        &self,
        id: i64,
        from: ClaimStatus,
        to: ClaimStatus,
        reason: &str,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        // Each step records its own columns: who and when, the payment's date, the reason.
        let (set, a, b) = match to {
            ClaimStatus::Reviewed => (
                "reviewed_by = $1, reviewed_at = $2",
                actor.name.clone(),
                now.clone(),
            ),
            ClaimStatus::Approved => (
                "approved_by = $1, approved_at = $2",
                actor.name.clone(),
                now.clone(),
            ),
            ClaimStatus::Paid => (
                "paid_on = $1, approved_by = COALESCE(approved_by, $2)",
                today.to_string(),
                actor.name.clone(),
            ),
            _ => (
                "refused_reason = $1, reviewed_by = COALESCE(reviewed_by, $2)",
                reason.trim().to_owned(),
                actor.name.clone(),
            ),
        };
        let done = sqlx::query(&format!(
            "UPDATE compensation_claims SET status = $3, {set} WHERE id = $4 AND status = $5"
        ))
        .bind(a)
        .bind(b)
        .bind(to.code())
        .bind(id)
        .bind(from.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::Refused(Refusal::ChangedMeanwhile));
        }
        if to == ClaimStatus::Paid {
            sqlx::query(
                "INSERT INTO reserve_entries (entry, amount_fen, occurred_on, claim_id, note, recorded_by, recorded_at) \
                 SELECT 'compensation', c.amount_fen, $1, c.id, l.contract_no, $2, $3 \
                 FROM compensation_claims c JOIN loans l ON l.id = c.loan_id WHERE c.id = $4",
            )
            .bind(today.to_string())
            .bind(&actor.name)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                unique_as(
                    e,
                    FinanceProblem::ClaimStep {
                        status: ClaimStatus::Paid.name().into(),
                        action: "重复拨付".into(),
                    },
                )
            })?;
        }
        append_new(
            &mut tx,
            actor,
            &format!("claim.{}", to.code()),
            "compensation_claim",
            &id.to_string(),
            serde_json::json!({"status": to.code(), "reason": reason.trim()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a recovery on a paid claim and returns the reserve's share to it.
    pub async fn add_recovery(
        &self,
        claim_id: i64,
        recovered: Fen,
        returned: Fen,
        on: NaiveDate,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO recoveries (claim_id, recovered_fen, returned_fen, occurred_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(claim_id)
        .bind(recovered.0)
        .bind(returned.0)
        .bind(on.to_string())
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        if returned.0 > 0 {
            sqlx::query(
                "INSERT INTO reserve_entries (entry, amount_fen, occurred_on, claim_id, recovery_id, note, recorded_by, recorded_at) \
                 VALUES ('recovery', $1, $2, $3, $4, '', $5, $6)",
            )
            .bind(returned.0)
            .bind(on.to_string())
            .bind(claim_id)
            .bind(id)
            .bind(&actor.name)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        append_new(
            &mut tx,
            actor,
            "claim.recovery",
            "compensation_claim",
            &claim_id.to_string(),
            serde_json::json!({"recovered_fen": recovered.0, "returned_fen": returned.0, "on": on.to_string()}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// What recoveries returned on a claim so far, and what they recovered.
    pub async fn recovered(&self, claim_id: i64) -> Result<(Fen, Fen)> {
        let r = sqlx::query(
            "SELECT CAST(COALESCE(SUM(recovered_fen), 0) AS BIGINT) AS rec, \
             CAST(COALESCE(SUM(returned_fen), 0) AS BIGINT) AS ret FROM recoveries WHERE claim_id = $1",
        )
        .bind(claim_id)
        .fetch_one(&self.read)
        .await?;
        Ok((Fen(r.try_get("rec")?), Fen(r.try_get("ret")?)))
    }
}
