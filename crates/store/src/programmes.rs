//! Funding programmes as stored: their definitions (written by a plan load, edited on the
//! programme page) and their budgets by year.

use crate::audit::{append, Actor, AuditEntry};
use crate::money_error;
use crate::{now_utc, Result, Store, StoreError};
use crate::{Absent, Refusal};
use kechuang_domain::money::Fen;
use kechuang_domain::programme::EventSource;
use kechuang_domain::programme::{OncePer, Programme, ProgrammeKind};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetLine {
    pub programme_code: String,
    pub year: i32,
    pub amount: Fen,
    /// Approved awards.
    pub committed: Fen,
    pub paid: Fen,
    /// Awards in batches not yet approved.
    pub proposed: Fen,
}

impl BudgetLine {
    /// What new batches may still take: neither committed nor proposed.
    pub fn available(&self) -> Fen {
        Fen(self.amount.0 - self.committed.0 - self.proposed.0)
    }
}

pub(crate) fn programme_row(r: &AnyRow) -> Result<Programme> {
    let code: String = r.try_get("code")?;
    let bad = |what: &str| StoreError::Corrupt(format!("programme {code}: {what}"));
    let kind: String = r.try_get("kind")?;
    let once: String = r.try_get("once_per")?;
    let event: Option<String> = r.try_get("event")?;
    let to_year: Option<i64> = r.try_get("to_year")?;
    Ok(Programme {
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        kind: ProgrammeKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        basis: r.try_get("basis")?,
        measure: r.try_get("measure")?,
        from_year: r.try_get::<i64, _>("from_year")? as i32,
        to_year: to_year.map(|y| y as i32),
        event: match event {
            None => None,
            Some(e) => Some(EventSource::parse(&e).ok_or_else(|| bad("event"))?),
        },
        once_per: OncePer::parse(&once).ok_or_else(|| bad("once_per"))?,
        eligibility: r.try_get("eligibility")?,
        amount: r.try_get("amount")?,
        priority: r.try_get("priority")?,
        notice_days: r.try_get::<i64, _>("notice_days")? as u32,
        separate_duties: r.try_get::<i64, _>("separate_duties")? != 0,
        description: r.try_get("description")?,
        form: match r.try_get::<Option<String>, _>("form")? {
            None => None,
            Some(f) => Some(serde_json::from_str(&f).map_err(|e| bad(&e.to_string()))?),
        },
        code,
    })
}

/// Writes a plan's programmes, replacing earlier definitions of the same codes. Budgets,
/// batches and the ledger are kept: they belong to the programme code, not to the text.
pub(crate) async fn upsert_programmes(
    tx: &mut Transaction<'static, Any>,
    plan_id: i64,
    programmes: &[Programme],
) -> Result<()> {
    let now = now_utc();
    for p in programmes {
        sqlx::query(
            "INSERT INTO programmes (code, plan_id, name, name_en, kind, basis, measure, from_year, \
             to_year, event, once_per, eligibility, amount, priority, notice_days, description, updated_at, form, \
             separate_duties) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
             ON CONFLICT (code) DO UPDATE SET plan_id = excluded.plan_id, name = excluded.name, \
             name_en = excluded.name_en, kind = excluded.kind, basis = excluded.basis, \
             measure = excluded.measure, from_year = excluded.from_year, to_year = excluded.to_year, \
             event = excluded.event, once_per = excluded.once_per, eligibility = excluded.eligibility, \
             amount = excluded.amount, priority = excluded.priority, notice_days = excluded.notice_days, \
             description = excluded.description, updated_at = excluded.updated_at, form = excluded.form, \
             separate_duties = excluded.separate_duties",
        )
        // NULLs of optional columns are bound as text or integers; statements are not cached
        // because the Any driver types a NULL by its first binding (see observations.rs).
        .persistent(false)
        .bind(&p.code)
        .bind(plan_id)
        .bind(&p.name)
        .bind(&p.name_en)
        .bind(p.kind.code())
        .bind(&p.basis)
        .bind(p.measure.clone())
        .bind(i64::from(p.from_year))
        .bind(p.to_year.map(i64::from))
        .bind(p.event.map(EventSource::code))
        .bind(p.once_per.code())
        .bind(&p.eligibility)
        .bind(&p.amount)
        .bind(p.priority.clone())
        .bind(i64::from(p.notice_days))
        .bind(&p.description)
        .bind(&now)
        .bind(
            p.form
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )
        .bind(i64::from(p.separate_duties))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    pub async fn programmes(&self) -> Result<Vec<Programme>> {
        sqlx::query("SELECT * FROM programmes ORDER BY code")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(programme_row)
            .collect()
    }

    pub async fn programme(&self, code: &str) -> Result<Programme> {
        let row = sqlx::query("SELECT * FROM programmes WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(Absent::Programme {
                    code: code.to_owned(),
                })
            })?;
        programme_row(&row)
    }

    /// Replaces a programme's rules and wording, as edited on its page. Its code, kind,
    /// event and form stay; the change is audited with the rules before and after.
    pub async fn update_programme(&self, p: &Programme, actor: &Actor) -> Result<()> {
        let before = self.programme(&p.code).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE programmes SET name = $1, basis = $2, eligibility = $3, amount = $4, priority = $5, \
             notice_days = $6, description = $7, updated_at = $8, separate_duties = $10 WHERE code = $9",
        )
        .persistent(false)
        .bind(&p.name)
        .bind(&p.basis)
        .bind(&p.eligibility)
        .bind(&p.amount)
        .bind(p.priority.clone())
        .bind(i64::from(p.notice_days))
        .bind(&p.description)
        .bind(now_utc())
        .bind(&p.code)
        .bind(i64::from(p.separate_duties))
        .execute(&mut *tx)
        .await?;
        let rules = |x: &Programme| {
            serde_json::json!({
                "name": x.name, "basis": x.basis, "eligibility": x.eligibility, "amount": x.amount,
                "priority": x.priority, "notice_days": x.notice_days, "description": x.description,
                "separate_duties": x.separate_duties,
            })
            .to_string()
        };
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "programme.update",
                entity: "programme",
                entity_id: &p.code,
                before: rules(&before),
                after: rules(p),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The region of the plan a programme belongs to: whose enterprises it funds.
    /// Every programme's code with the region of its plan.
    pub async fn programme_regions(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT g.code, p.region_code FROM programmes g JOIN plans p ON p.id = g.plan_id",
        )
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn programme_region(&self, code: &str) -> Result<kechuang_domain::RegionCode> {
        let region: Option<String> = sqlx::query_scalar(
            "SELECT p.region_code FROM programmes g JOIN plans p ON p.id = g.plan_id WHERE g.code = $1",
        )
        .bind(code)
        .fetch_optional(&self.read)
        .await?;
        let region = region.ok_or_else(|| {
            StoreError::NotFound(Absent::Programme {
                code: code.to_owned(),
            })
        })?;
        kechuang_domain::RegionCode::parse(&region).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Sets a programme's budget for a year. It cannot go below what is already committed.
    pub async fn set_budget(
        &self,
        code: &str,
        year: i32,
        amount: Fen,
        actor: &Actor,
    ) -> Result<()> {
        if amount.0 < 0 {
            return Err(StoreError::Refused(Refusal::NegativeBudget));
        }
        self.programme(code).await?;
        let mut tx = self.begin_write().await?;
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT amount_fen FROM budgets WHERE programme_code = $1 AND year = $2",
        )
        .bind(code)
        .bind(i64::from(year))
        .fetch_optional(&mut *tx)
        .await?;
        let now = now_utc();
        sqlx::query(
            "INSERT INTO budgets (programme_code, year, amount_fen, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (programme_code, year) DO UPDATE SET \
             amount_fen = excluded.amount_fen, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(code)
        .bind(i64::from(year))
        .bind(amount.0)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            money_error(e, || Refusal::BudgetBelowCommitted {
                programme: code.to_owned(),
                year,
            })
        })?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "budget.set",
                entity: "budget",
                entity_id: &format!("{code}:{year}"),
                before: before.map(|b| b.to_string()).unwrap_or_default(),
                after: amount.0.to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Budgets with what is committed, paid and proposed, for one programme or all.
    pub async fn budget_lines(&self, code: Option<&str>) -> Result<Vec<BudgetLine>> {
        let rows = sqlx::query(
            "SELECT g.programme_code, g.year, g.amount_fen, g.committed_fen, g.paid_fen, \
             (SELECT CAST(COALESCE(SUM(a.amount_fen), 0) AS BIGINT) FROM awards a \
              WHERE a.programme_code = g.programme_code AND a.year = g.year AND a.status = 'proposed') AS proposed_fen \
             FROM budgets g WHERE ($1 = '' OR g.programme_code = $1) ORDER BY g.programme_code, g.year",
        )
        .bind(code.unwrap_or(""))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BudgetLine {
                    programme_code: r.try_get("programme_code")?,
                    year: r.try_get::<i64, _>("year")? as i32,
                    amount: Fen(r.try_get("amount_fen")?),
                    committed: Fen(r.try_get("committed_fen")?),
                    paid: Fen(r.try_get("paid_fen")?),
                    proposed: Fen(r.try_get("proposed_fen")?),
                })
            })
            .collect()
    }

    pub async fn budget_line(&self, code: &str, year: i32) -> Result<Option<BudgetLine>> {
        Ok(self
            .budget_lines(Some(code))
            .await?
            .into_iter()
            .find(|b| b.year == year))
    }
}
