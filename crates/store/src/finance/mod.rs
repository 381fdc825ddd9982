//! Tech finance's records: partner banks and agreements, the reserve's ledger, the pool (rule,
//! online applications, members), the banks' loans with their history, compensation claims
//! and recoveries, and the seed fund. Keys the money depends on are the database's: a loan is
//! claimed once (`compensation_claims_once`), a claim paid from the reserve once
//! (`reserve_entries_paid_once`), an enterprise has one application under review.

use crate::audit::{append_new, Actor};
use crate::{now_utc, Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::finance::{ClaimStatus, FinanceProblem, LoanClass, PoolStatus};
use kechuang_domain::money::Fen;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

mod figures;
mod loans;
mod pool;
mod seed;

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
        .map_err(|e| {
            unique_as(
                e,
                FinanceProblem::BankExists {
                    bank: format!("{} {uscc}", name.trim()),
                },
            )
        })?;
        append_new(
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
        append_new(
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
        append_new(
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
}
