//! Tech finance's records: partner banks and agreements, the reserve's ledger, the pool (rule,
//! online applications, members), the banks' loans with their history, compensation claims
//! and recoveries, and the seed fund. Keys the money depends on are the database's: a loan is
//! claimed once (`compensation_claims_once`), a claim paid from the reserve once
//! (`reserve_entries_paid_once`), an enterprise has one application under review.

use crate::audit::{append, Actor, AuditEntry};
use crate::sql::Sql;
use crate::{now_utc, CountedRecord, Refusal, Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::finance::{
    ClaimStatus, FinanceProblem, LoanClass, LoanRow, MemberRow, PoolStatus,
};
use kechuang_domain::indicator::FinanceMeasure;
use kechuang_domain::money::Fen;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankRecord {
    pub id: i64,
    pub uscc: String,
    pub name: String,
}

/// A bank agreement's terms as stored; money in fen, shares in basis points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementRecord {
    pub id: i64,
    pub bank_id: i64,
    pub starts_on: String,
    pub ends_on: String,
    pub share_bp: i64,
    pub bonus_share_bp: Option<i64>,
    pub cap_per_loan: Option<Fen>,
    pub cap_per_enterprise: Option<Fen>,
    pub cap_per_bank_year: Option<Fen>,
    pub total_multiple: Option<f64>,
    pub max_loan: Option<Fen>,
    pub rate_ceiling_bp: Option<i64>,
    pub eligible_kinds: Vec<String>,
    pub overdue_days: Option<i64>,
}

impl AgreementRecord {
    pub fn terms(&self) -> kechuang_domain::finance::Terms {
        kechuang_domain::finance::Terms {
            share_bp: self.share_bp as u32,
            bonus_share_bp: self.bonus_share_bp.map(|b| b as u32),
            cap_per_loan: self.cap_per_loan,
            cap_per_enterprise: self.cap_per_enterprise,
            cap_per_bank_year: self.cap_per_bank_year,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReserveEntryRecord {
    pub id: i64,
    /// `contribution`, `compensation` or `recovery`.
    pub entry: String,
    /// For contributions: `province`, `city` or `county`.
    pub source: String,
    pub region_code: Option<String>,
    pub amount: Fen,
    pub occurred_on: String,
    pub claim_id: Option<i64>,
    pub note: String,
    pub recorded_by: String,
}

/// The reserve at a date: what came in, went out and came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReserveBalance {
    pub contributions: Fen,
    pub compensation: Fen,
    pub recoveries: Fen,
}

impl ReserveBalance {
    pub fn balance(&self) -> Fen {
        Fen(self.contributions.0 - self.compensation.0 + self.recoveries.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolApplicationRecord {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub status: PoolStatus,
    pub requested: Fen,
    pub purpose: String,
    pub contact: String,
    pub prefill: String,
    /// The banks chosen: (id, name).
    pub banks: Vec<(i64, String)>,
    pub submitted_by: String,
    pub submitted_at: String,
    pub recommended_by: Option<String>,
    pub recommended_at: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub comment: String,
}

pub struct NewPoolApplication<'a> {
    pub uscc: &'a str,
    pub name: &'a str,
    pub region_code: &'a str,
    pub requested: Fen,
    pub purpose: &'a str,
    pub contact: &'a str,
    pub prefill: &'a str,
    pub banks: &'a [i64],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberRecord {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub admitted_on: String,
    pub left_on: Option<String>,
    pub valid_until: Option<String>,
    pub bank: Option<String>,
    pub application_id: Option<i64>,
    pub file_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanRecord {
    pub id: i64,
    pub contract_no: String,
    pub bank_id: i64,
    pub bank: String,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub issued_on: String,
    pub due_on: String,
    pub amount: Fen,
    pub balance: Fen,
    pub classification: LoanClass,
    pub guarantee: String,
    pub revision: i64,
    pub file_name: String,
    pub recorded_at: String,
    /// Lent while the enterprise was a pool member.
    pub in_pool: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanRevision {
    pub revision: i64,
    pub balance: Fen,
    pub classification: LoanClass,
    pub file_name: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// What a loan file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LoanWrite {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Default)]
pub struct LoanFilter {
    pub bank_id: Option<i64>,
    /// Only loans to enterprises of these regions; `None`: every region.
    pub regions: Option<Vec<String>>,
    pub classification: Option<LoanClass>,
    pub uscc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimRecord {
    pub id: i64,
    pub loan_id: i64,
    pub contract_no: String,
    pub bank_id: i64,
    pub bank: String,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub status: ClaimStatus,
    pub principal: Fen,
    pub share_bp: i64,
    pub amount: Fen,
    pub rule_zh: String,
    pub rule_en: String,
    pub claimed_by: String,
    pub claimed_at: String,
    pub reviewed_by: Option<String>,
    pub approved_by: Option<String>,
    pub paid_on: Option<String>,
    pub refused_reason: String,
    /// What recoveries have returned to the reserve so far.
    pub returned: Fen,
}

pub struct NewClaim<'a> {
    pub loan_id: i64,
    pub bank_id: i64,
    pub agreement_id: i64,
    pub principal: Fen,
    pub share_bp: u32,
    pub amount: Fen,
    pub rule_zh: &'a str,
    pub rule_en: &'a str,
}

/// What a compensation claim is computed from, read in one go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimHistory {
    pub first_loan: bool,
    pub granted_to_enterprise: Fen,
    pub granted_to_bank_this_year: Fen,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedFundRecord {
    pub id: i64,
    pub name: String,
    pub committed: Fen,
    pub paid_in: Fen,
    pub established_on: String,
    pub max_age_years: i64,
    pub manager: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvestmentRecord {
    pub id: i64,
    pub fund_id: i64,
    pub fund: String,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    /// `initial` or `follow_on`.
    pub round: String,
    pub invested_on: String,
    pub amount: Fen,
    pub age_years: i64,
    pub co_investors: Vec<CoInvestor>,
    pub private: Fen,
    pub exited_on: Option<String>,
    pub proceeds: Option<Fen>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CoInvestor {
    pub name: String,
    pub amount_fen: i64,
}

pub struct NewInvestment<'a> {
    pub fund_id: i64,
    pub uscc: &'a str,
    pub name: &'a str,
    pub region_code: &'a str,
    pub round: &'a str,
    pub invested_on: NaiveDate,
    pub amount: Fen,
    pub age_years: i64,
    pub co_investors: &'a [CoInvestor],
}

fn fen_opt(r: &AnyRow, col: &str) -> Result<Option<Fen>> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(Fen))
}

fn agreement_row(r: &AnyRow) -> Result<AgreementRecord> {
    let kinds: String = r.try_get("eligible_kinds")?;
    Ok(AgreementRecord {
        id: r.try_get("id")?,
        bank_id: r.try_get("bank_id")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        share_bp: r.try_get("share_bp")?,
        bonus_share_bp: r.try_get("bonus_share_bp")?,
        cap_per_loan: fen_opt(r, "cap_per_loan_fen")?,
        cap_per_enterprise: fen_opt(r, "cap_per_enterprise_fen")?,
        cap_per_bank_year: fen_opt(r, "cap_per_bank_year_fen")?,
        total_multiple: r.try_get("total_multiple")?,
        max_loan: fen_opt(r, "max_loan_fen")?,
        rate_ceiling_bp: r.try_get("rate_ceiling_bp")?,
        eligible_kinds: kinds
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        overdue_days: r.try_get("overdue_days")?,
    })
}

fn class_of(raw: &str) -> Result<LoanClass> {
    LoanClass::parse(raw).ok_or_else(|| StoreError::Corrupt(format!("loan classification {raw}")))
}

/// A loan lent while its enterprise was a pool member (admitted, not yet left or lapsed).
const IN_POOL: &str = "EXISTS (SELECT 1 FROM pool_members m WHERE m.uscc = l.uscc \
     AND m.admitted_on <= l.issued_on AND (m.left_on IS NULL OR m.left_on > l.issued_on) \
     AND (m.valid_until IS NULL OR m.valid_until >= l.issued_on))";

fn loan_select() -> String {
    format!(
        "SELECT l.*, b.name AS bank_name, CASE WHEN {IN_POOL} THEN 1 ELSE 0 END AS in_pool \
         FROM loans l JOIN partner_banks b ON b.id = l.bank_id"
    )
}

fn loan_row(r: &AnyRow) -> Result<LoanRecord> {
    let class: String = r.try_get("classification")?;
    Ok(LoanRecord {
        id: r.try_get("id")?,
        contract_no: r.try_get("contract_no")?,
        bank_id: r.try_get("bank_id")?,
        bank: r.try_get("bank_name")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        issued_on: r.try_get("issued_on")?,
        due_on: r.try_get("due_on")?,
        amount: Fen(r.try_get("amount_fen")?),
        balance: Fen(r.try_get("balance_fen")?),
        classification: class_of(&class)?,
        guarantee: r.try_get("guarantee")?,
        revision: r.try_get("revision")?,
        file_name: r.try_get("file_name")?,
        recorded_at: r.try_get("recorded_at")?,
        in_pool: r.try_get::<i64, _>("in_pool")? != 0,
    })
}

const CLAIM_SELECT: &str = "SELECT c.*, l.contract_no, l.uscc, l.name, l.region_code, \
     b.name AS bank_name, \
     (SELECT CAST(COALESCE(SUM(r.returned_fen), 0) AS BIGINT) FROM recoveries r WHERE r.claim_id = c.id) AS returned_fen \
     FROM compensation_claims c JOIN loans l ON l.id = c.loan_id JOIN partner_banks b ON b.id = c.bank_id";

fn claim_row(r: &AnyRow) -> Result<ClaimRecord> {
    let status: String = r.try_get("status")?;
    Ok(ClaimRecord {
        id: r.try_get("id")?,
        loan_id: r.try_get("loan_id")?,
        contract_no: r.try_get("contract_no")?,
        bank_id: r.try_get("bank_id")?,
        bank: r.try_get("bank_name")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        status: ClaimStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("claim status {status}")))?,
        principal: Fen(r.try_get("principal_fen")?),
        share_bp: r.try_get("share_bp")?,
        amount: Fen(r.try_get("amount_fen")?),
        rule_zh: r.try_get("rule_zh")?,
        rule_en: r.try_get("rule_en")?,
        claimed_by: r.try_get("claimed_by")?,
        claimed_at: r.try_get("claimed_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        approved_by: r.try_get("approved_by")?,
        paid_on: r.try_get("paid_on")?,
        refused_reason: r.try_get("refused_reason")?,
        returned: Fen(r.try_get("returned_fen")?),
    })
}

fn pool_application_row(r: &AnyRow) -> Result<PoolApplicationRecord> {
    let status: String = r.try_get("status")?;
    Ok(PoolApplicationRecord {
        id: r.try_get("id")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        status: PoolStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("pool status {status}")))?,
        requested: Fen(r.try_get("requested_fen")?),
        purpose: r.try_get("purpose")?,
        contact: r.try_get("contact")?,
        prefill: r.try_get("prefill")?,
        banks: Vec::new(),
        submitted_by: r.try_get("submitted_by")?,
        submitted_at: r.try_get("submitted_at")?,
        recommended_by: r.try_get("recommended_by")?,
        recommended_at: r.try_get("recommended_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        comment: r.try_get("comment")?,
    })
}

fn member_row(r: &AnyRow) -> Result<MemberRecord> {
    Ok(MemberRecord {
        id: r.try_get("id")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        admitted_on: r.try_get("admitted_on")?,
        left_on: r.try_get("left_on")?,
        valid_until: r.try_get("valid_until")?,
        bank: r.try_get("bank_name")?,
        application_id: r.try_get("application_id")?,
        file_name: r.try_get("file_name")?,
    })
}

fn unique_as(e: sqlx::Error, p: FinanceProblem) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::rule(p),
        _ => StoreError::Database(e),
    }
}

async fn audit(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: &str,
    after: serde_json::Value,
) -> Result<()> {
    append(
        tx,
        &AuditEntry {
            actor,
            action,
            entity,
            entity_id: id,
            before: String::new(),
            after: after.to_string(),
        },
    )
    .await
}

impl Store {
    // ---- banks and agreements ----------------------------------------------------------

    pub async fn add_bank(&self, uscc: &str, name: &str, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO partner_banks (uscc, name, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(uscc)
        .bind(name.trim())
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Refused(Refusal::ProviderExists {
                    uscc: format!("{uscc} {name}"),
                })
            }
            _ => StoreError::Database(e),
        })?;
        audit(
            &mut tx,
            actor,
            "bank.add",
            "partner_bank",
            uscc,
            serde_json::json!({"name": name.trim(), "uscc": uscc}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn banks(&self) -> Result<Vec<BankRecord>> {
        sqlx::query("SELECT id, uscc, name FROM partner_banks ORDER BY name")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok(BankRecord {
                    id: r.try_get("id")?,
                    uscc: r.try_get("uscc")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// A bank as an account's organisation names it: its USCC or its name.
    pub async fn bank_by_org(&self, org: &str) -> Result<Option<BankRecord>> {
        let org = org.trim();
        Ok(self
            .banks()
            .await?
            .into_iter()
            .find(|b| b.uscc.eq_ignore_ascii_case(org) || b.name == org))
    }

    pub async fn add_agreement(&self, a: &AgreementRecord, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bank_agreements (bank_id, starts_on, ends_on, share_bp, bonus_share_bp, \
             cap_per_loan_fen, cap_per_enterprise_fen, cap_per_bank_year_fen, total_multiple, \
             max_loan_fen, rate_ceiling_bp, eligible_kinds, overdue_days, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(a.bank_id)
        .bind(&a.starts_on)
        .bind(&a.ends_on)
        .bind(a.share_bp)
        .bind(a.bonus_share_bp)
        .bind(a.cap_per_loan.map(|f| f.0))
        .bind(a.cap_per_enterprise.map(|f| f.0))
        .bind(a.cap_per_bank_year.map(|f| f.0))
        .bind(a.total_multiple)
        .bind(a.max_loan.map(|f| f.0))
        .bind(a.rate_ceiling_bp)
        .bind(a.eligible_kinds.join(","))
        .bind(a.overdue_days)
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "agreement.add",
            "bank_agreement",
            &id.to_string(),
            serde_json::to_value(a).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Agreements, a bank's or all, newest first.
    pub async fn agreements(&self, bank_id: Option<i64>) -> Result<Vec<AgreementRecord>> {
        let rows = match bank_id {
            Some(b) => sqlx::query(
                "SELECT * FROM bank_agreements WHERE bank_id = $1 ORDER BY starts_on DESC, id DESC",
            )
            .bind(b)
            .fetch_all(&self.read)
            .await?,
            None => {
                sqlx::query(
                    "SELECT * FROM bank_agreements ORDER BY bank_id, starts_on DESC, id DESC",
                )
                .fetch_all(&self.read)
                .await?
            }
        };
        rows.iter().map(agreement_row).collect()
    }

    // ---- the reserve -----------------------------------------------------------------------

    pub async fn add_contribution(
        &self,
        source: &str,
        region_code: Option<&str>,
        amount: Fen,
        on: NaiveDate,
        note: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reserve_entries (entry, source, region_code, amount_fen, occurred_on, note, recorded_by, recorded_at) \
             VALUES ('contribution', $1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(source)
        .bind(region_code)
        .bind(amount.0)
        .bind(on.to_string())
        .bind(note.trim())
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "reserve.contribute",
            "reserve_entry",
            &id.to_string(),
            serde_json::json!({"source": source, "region": region_code, "amount_fen": amount.0, "on": on.to_string(), "note": note}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The reserve's entries, oldest first.
    pub async fn reserve_entries(&self) -> Result<Vec<ReserveEntryRecord>> {
        sqlx::query("SELECT * FROM reserve_entries ORDER BY occurred_on, id")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok(ReserveEntryRecord {
                    id: r.try_get("id")?,
                    entry: r.try_get("entry")?,
                    source: r.try_get("source")?,
                    region_code: r.try_get("region_code")?,
                    amount: Fen(r.try_get("amount_fen")?),
                    occurred_on: r.try_get("occurred_on")?,
                    claim_id: r.try_get("claim_id")?,
                    note: r.try_get("note")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            })
            .collect()
    }

    /// The reserve as it stood at the end of a day.
    pub async fn reserve_balance(&self, on: NaiveDate) -> Result<ReserveBalance> {
        let rows = sqlx::query(
            "SELECT entry, CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS fen FROM reserve_entries \
             WHERE occurred_on <= $1 GROUP BY entry",
        )
        .bind(on.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut b = ReserveBalance::default();
        for r in &rows {
            let entry: String = r.try_get("entry")?;
            let fen = Fen(r.try_get("fen")?);
            match entry.as_str() {
                "contribution" => b.contributions = fen,
                "compensation" => b.compensation = fen,
                "recovery" => b.recoveries = fen,
                other => return Err(StoreError::Corrupt(format!("reserve entry {other}"))),
            }
        }
        Ok(b)
    }

    // ---- the pool --------------------------------------------------------------------------

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
        audit(
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
        audit(
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
        audit(
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
        audit(
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

    // ---- loans ------------------------------------------------------------------------------

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
        audit(
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
        audit(
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
        audit(
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
        audit(
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

    // ---- the seed fund -------------------------------------------------------------------------

    pub async fn add_seed_fund(&self, f: &SeedFundRecord, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO seed_funds (name, committed_fen, paid_in_fen, established_on, max_age_years, manager, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(f.name.trim())
        .bind(f.committed.0)
        .bind(f.paid_in.0)
        .bind(&f.established_on)
        .bind(f.max_age_years)
        .bind(f.manager.trim())
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| crate::money_error(e, || Refusal::ProviderExists { uscc: f.name.clone() }))?;
        audit(
            &mut tx,
            actor,
            "seed_fund.add",
            "seed_fund",
            &id.to_string(),
            serde_json::to_value(f).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn seed_funds(&self) -> Result<Vec<SeedFundRecord>> {
        sqlx::query("SELECT * FROM seed_funds ORDER BY established_on, id")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok(SeedFundRecord {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    committed: Fen(r.try_get("committed_fen")?),
                    paid_in: Fen(r.try_get("paid_in_fen")?),
                    established_on: r.try_get("established_on")?,
                    max_age_years: r.try_get("max_age_years")?,
                    manager: r.try_get("manager")?,
                })
            })
            .collect()
    }

    pub async fn add_investment(&self, i: &NewInvestment<'_>, actor: &Actor) -> Result<i64> {
        let private: i64 = i.co_investors.iter().map(|c| c.amount_fen).sum();
        let co = serde_json::to_string(i.co_investors)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO seed_investments (fund_id, uscc, name, region_code, round, invested_on, amount_fen, age_years, \
             co_investors, private_fen, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(i.fund_id)
        .bind(i.uscc)
        .bind(i.name)
        .bind(i.region_code)
        .bind(i.round)
        .bind(i.invested_on.to_string())
        .bind(i.amount.0)
        .bind(i.age_years)
        .bind(co)
        .bind(private)
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "seed_fund.invest",
            "seed_investment",
            &id.to_string(),
            serde_json::json!({"fund_id": i.fund_id, "uscc": i.uscc, "round": i.round, "amount_fen": i.amount.0, "private_fen": private}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn record_exit(
        &self,
        id: i64,
        on: NaiveDate,
        proceeds: Fen,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE seed_investments SET exited_on = $1, proceeds_fen = $2 WHERE id = $3 AND exited_on IS NULL AND invested_on <= $1",
        )
        .bind(on.to_string())
        .bind(proceeds.0)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::Refused(Refusal::ChangedMeanwhile));
        }
        audit(
            &mut tx,
            actor,
            "seed_fund.exit",
            "seed_investment",
            &id.to_string(),
            serde_json::json!({"exited_on": on.to_string(), "proceeds_fen": proceeds.0}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn investments(&self) -> Result<Vec<InvestmentRecord>> {
        sqlx::query(
            "SELECT i.*, f.name AS fund_name FROM seed_investments i JOIN seed_funds f ON f.id = i.fund_id \
             ORDER BY i.invested_on DESC, i.id DESC",
        )
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            let co: String = r.try_get("co_investors")?;
            Ok(InvestmentRecord {
                id: r.try_get("id")?,
                fund_id: r.try_get("fund_id")?,
                fund: r.try_get("fund_name")?,
                uscc: r.try_get("uscc")?,
                name: r.try_get("name")?,
                region_code: r.try_get("region_code")?,
                round: r.try_get("round")?,
                invested_on: r.try_get("invested_on")?,
                amount: Fen(r.try_get("amount_fen")?),
                age_years: r.try_get("age_years")?,
                co_investors: serde_json::from_str(&co)
                    .map_err(|e| StoreError::Corrupt(format!("co-investors: {e}")))?,
                private: Fen(r.try_get("private_fen")?),
                exited_on: r.try_get("exited_on")?,
                proceeds: fen_opt(r, "proceeds_fen")?,
            })
        })
        .collect()
    }

    // ---- figures for targets -------------------------------------------------------------------

    /// The dated amounts a finance measure adds up: (region, date, key, value). Pool members
    /// give their earliest admission per enterprise (value 1, key the USCC, so an enterprise
    /// admitted twice counts once); pool loans their amount in fen, dated by issue; the
    /// reserve its contributions; the seed fund the committed size of each fund.
    pub async fn finance_items(
        &self,
        measure: FinanceMeasure,
    ) -> Result<Vec<(String, String, String, i64)>> {
        let sql = match measure {
            FinanceMeasure::PoolEnterprises => {
                "SELECT region_code AS r, MIN(admitted_on) AS d, uscc AS k, 1 AS v FROM pool_members GROUP BY uscc, region_code"
                    .to_owned()
            }
            FinanceMeasure::PoolLoans => format!(
                "SELECT l.region_code AS r, l.issued_on AS d, l.contract_no AS k, l.amount_fen AS v FROM loans l WHERE {IN_POOL}"
            ),
            FinanceMeasure::ReserveContributions => {
                "SELECT COALESCE(region_code, '') AS r, occurred_on AS d, CAST(id AS TEXT) AS k, amount_fen AS v \
                 FROM reserve_entries WHERE entry = 'contribution'"
                    .to_owned()
            }
            FinanceMeasure::SeedFundCommitted => {
                "SELECT '' AS r, established_on AS d, name AS k, committed_fen AS v FROM seed_funds".to_owned()
            }
        };
        sqlx::query(&sql)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("r")?,
                    r.try_get("d")?,
                    r.try_get("k")?,
                    r.try_get::<i64, _>("v")?,
                ))
            })
            .collect()
    }

    /// The records behind a finance figure at a date, within some regions (`None` for the
    /// city-wide measures), for the target page's drill-down.
    pub async fn finance_records(
        &self,
        measure: FinanceMeasure,
        as_of: NaiveDate,
        regions: &[kechuang_domain::RegionCode],
    ) -> Result<Vec<CountedRecord>> {
        let as_of = as_of.to_string();
        // The reserve and the seed fund are the city's; pool members and loans are counted
        // by the enterprise's county.
        let inside = |r: &str| !measure.by_county() || regions.iter().any(|c| c.as_str() == r);
        let mut out = Vec::new();
        match measure {
            FinanceMeasure::PoolEnterprises => {
                let rows = sqlx::query(
                    "SELECT m.*, b.name AS bank_name FROM pool_members m LEFT JOIN partner_banks b ON b.id = m.bank_id \
                     WHERE m.admitted_on <= $1 ORDER BY m.admitted_on, m.id",
                )
                .bind(&as_of)
                .fetch_all(&self.read)
                .await?;
                let mut seen = std::collections::HashSet::new();
                for r in &rows {
                    let m = member_row(r)?;
                    if !inside(&m.region_code) || !seen.insert(m.uscc.clone()) {
                        continue;
                    }
                    out.push(CountedRecord {
                        registry: "pool",
                        kind: "pool_member".into(),
                        level: None,
                        number: m.bank.clone(),
                        name: m.name.clone(),
                        uscc: Some(m.uscc),
                        enterprise: Some(m.name),
                        region_code: m.region_code,
                        from: m.admitted_on,
                        until: m.left_on,
                        document_no: None,
                    });
                }
            }
            FinanceMeasure::PoolLoans => {
                let rows = sqlx::query(&format!(
                    "{} WHERE {IN_POOL} AND l.issued_on <= $1 ORDER BY l.issued_on, l.id",
                    loan_select()
                ))
                .bind(&as_of)
                .fetch_all(&self.read)
                .await?;
                for r in &rows {
                    let l = loan_row(r)?;
                    if !inside(&l.region_code) {
                        continue;
                    }
                    out.push(CountedRecord {
                        registry: "loans",
                        kind: "pool_loan".into(),
                        level: None,
                        number: Some(format!("{} 万元", l.amount.wan_text())),
                        name: format!("{} · {}", l.bank, l.contract_no),
                        uscc: Some(l.uscc),
                        enterprise: Some(l.name),
                        region_code: l.region_code,
                        from: l.issued_on,
                        until: Some(l.due_on),
                        document_no: Some(l.contract_no),
                    });
                }
            }
            FinanceMeasure::ReserveContributions => {
                for e in self.reserve_entries().await? {
                    if e.entry != "contribution" || e.occurred_on > as_of {
                        continue;
                    }
                    out.push(CountedRecord {
                        registry: "reserve",
                        kind: format!("contribution_{}", e.source),
                        level: None,
                        number: Some(format!("{} 万元", e.amount.wan_text())),
                        name: e.note.clone(),
                        uscc: None,
                        enterprise: None,
                        region_code: e.region_code.unwrap_or_default(),
                        from: e.occurred_on,
                        until: None,
                        document_no: None,
                    });
                }
            }
            FinanceMeasure::SeedFundCommitted => {
                for f in self.seed_funds().await? {
                    if f.established_on > as_of {
                        continue;
                    }
                    out.push(CountedRecord {
                        registry: "seed_fund",
                        kind: "seed_fund".into(),
                        level: None,
                        number: Some(format!("{} 万元", f.committed.wan_text())),
                        name: f.name,
                        uscc: None,
                        enterprise: Some(f.manager),
                        region_code: String::new(),
                        from: f.established_on,
                        until: None,
                        document_no: None,
                    });
                }
            }
        }
        Ok(out)
    }
}
