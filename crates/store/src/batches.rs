//! Award batches: the entitlements a programme's rules find, committed as a batch, and the
//! batch's steps through review, public notice, approval and payment, with its awards.
//!
//! Two database rules carry the money's safety, so no code path can get around them: an event
//! is awarded once per programme (`awards_once`, a unique index), and a budget's commitments
//! never exceed it (a CHECK, reached through a conditional update that concurrent approvals
//! queue on). The ledger is append-only and holds one commitment and one payment per award.

use crate::audit::{append, Actor, AuditEntry};
use crate::entry::TransitionRecord;
use crate::money_error;
use crate::programmes::programme_row;
use crate::{now_utc, Result, Store, StoreError};
use crate::{Absent, Refusal};
use chrono::NaiveDate;
use kechuang_domain::application::{instalments, AppStatus};
use kechuang_domain::money::Fen;
use kechuang_domain::programme::{
    check_approval, notice_end, transition, year_of, AwardStatus, BatchAction, BatchStatus,
    Candidate, EnterpriseFacts, Entitlement, EventFacts, Programme,
};
use kechuang_domain::registry::CertificateKind;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRecord {
    pub id: i64,
    pub programme_code: String,
    pub programme_name: String,
    pub year: i32,
    pub status: BatchStatus,
    pub notice_start: Option<String>,
    pub notice_end: Option<String>,
    pub paid_on: Option<String>,
    pub payment_ref: String,
    pub created_by: String,
    pub created_at: String,
    /// Awards still standing (not withdrawn or void), and their total.
    pub award_count: i64,
    pub total: Fen,
    pub open_objections: i64,
}

impl BatchRecord {
    /// The notice's first and last days, once published.
    pub fn notice_window(&self) -> Option<(NaiveDate, NaiveDate)> {
        let day = |s: &Option<String>| NaiveDate::parse_from_str(s.as_deref()?, "%Y-%m-%d").ok();
        day(&self.notice_start).zip(day(&self.notice_end))
    }

    /// Where the batch stands on `today`.
    pub fn stage(&self, today: NaiveDate) -> kechuang_domain::programme::BatchStage {
        kechuang_domain::programme::BatchStage::of(self.status, self.notice_window(), today)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwardRecord {
    pub id: i64,
    pub batch_id: i64,
    pub programme_code: String,
    pub year: i32,
    pub basis_key: String,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub basis: String,
    pub event_on: String,
    pub amount: Fen,
    pub status: AwardStatus,
    pub application_id: Option<i64>,
}

/// What an action on a batch needs besides the batch: the notice's first day (publish), the
/// payment's date and reference (pay), and today, which approval compares with the notice.
#[derive(Debug, Clone)]
pub struct BatchStep {
    pub action: BatchAction,
    pub comment: String,
    pub today: NaiveDate,
    pub notice_start: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub payment_ref: String,
}

pub(crate) fn batch_row(r: &AnyRow) -> Result<BatchRecord> {
    let status: String = r.try_get("status")?;
    Ok(BatchRecord {
        id: r.try_get("id")?,
        programme_code: r.try_get("programme_code")?,
        programme_name: r.try_get("programme_name")?,
        year: r.try_get::<i64, _>("year")? as i32,
        status: BatchStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("batch status {status}")))?,
        notice_start: r.try_get("notice_start")?,
        notice_end: r.try_get("notice_end")?,
        paid_on: r.try_get("paid_on")?,
        payment_ref: r.try_get("payment_ref")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        award_count: r.try_get("award_count")?,
        total: Fen(r.try_get("total_fen")?),
        open_objections: r.try_get("open_objections")?,
    })
}

pub(crate) fn award_row(r: &AnyRow) -> Result<AwardRecord> {
    Ok(AwardRecord {
        id: r.try_get("id")?,
        batch_id: r.try_get("batch_id")?,
        programme_code: r.try_get("programme_code")?,
        year: r.try_get::<i64, _>("year")? as i32,
        basis_key: r.try_get("basis_key")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        basis: r.try_get("basis")?,
        event_on: r.try_get("event_on")?,
        amount: Fen(r.try_get("amount_fen")?),
        status: {
            let code: String = r.try_get("status")?;
            AwardStatus::parse(&code)
                .ok_or_else(|| StoreError::Corrupt(format!("award status '{code}'")))?
        },
        application_id: r.try_get("application_id")?,
    })
}

/// A batch with its standing awards' count and total and its open objections.
pub(crate) const BATCH_SELECT: &str = "SELECT b.*, p.name AS programme_name, \
     (SELECT COUNT(*) FROM awards a WHERE a.batch_id = b.id AND a.status NOT IN ('withdrawn', 'void')) AS award_count, \
     (SELECT CAST(COALESCE(SUM(a.amount_fen), 0) AS BIGINT) FROM awards a WHERE a.batch_id = b.id AND a.status NOT IN ('withdrawn', 'void')) AS total_fen, \
     (SELECT COUNT(*) FROM objections o WHERE o.batch_id = b.id AND o.status = 'open') AS open_objections \
     FROM award_batches b JOIN programmes p ON p.code = b.programme_code";

/// A new batch awaiting review, with the first line of its history.
pub(crate) async fn open_batch(
    tx: &mut Transaction<'static, Any>,
    programme: &str,
    year: i32,
    actor: &Actor,
    comment: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO award_batches (programme_code, year, status, created_by, created_at) \
         VALUES ($1, $2, 'submitted', $3, $4) RETURNING id",
    )
    .bind(programme)
    .bind(i64::from(year))
    .bind(&actor.name)
    .bind(now_utc())
    .fetch_one(&mut **tx)
    .await?;
    transition_row(tx, id, "", BatchStatus::Submitted, actor, comment).await?;
    Ok(id)
}

async fn transition_row(
    tx: &mut Transaction<'static, Any>,
    batch: i64,
    from: &str,
    to: BatchStatus,
    actor: &Actor,
    comment: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO batch_transitions (batch_id, from_status, to_status, actor, comment, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(batch)
    .bind(from)
    .bind(to.code())
    .bind(&actor.name)
    .bind(comment)
    .bind(now_utc())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
/// The enterprise as a rule sees it, from a row carrying the enterprise's columns (`name`,
/// `region_code`, `registered_on`, `size`, `above_scale`, `hitech_field`, `industry`).
pub(crate) fn enterprise_facts(r: &sqlx::any::AnyRow, uscc: String) -> Result<EnterpriseFacts> {
    let registered: Option<String> = r.try_get("registered_on")?;
    Ok(EnterpriseFacts {
        name: r.try_get("name")?,
        region: r.try_get("region_code")?,
        registered_year: registered.as_deref().map(year_of).unwrap_or(0),
        size: r.try_get("size")?,
        above_scale: r.try_get::<i64, _>("above_scale")? != 0,
        hitech_field: r.try_get("hitech_field")?,
        industry: r.try_get("industry")?,
        uscc,
    })
}

/// The enterprise columns [`enterprise_facts`] reads, from `enterprises e`.
pub(crate) const ENTERPRISE_FACT_COLUMNS: &str =
    "e.uscc, e.name, e.region_code, e.registered_on, e.size, e.above_scale, e.hitech_field, e.industry";

/// Events (kind, number, title, issued_on, batch, revoked_on) with their enterprise's columns,
/// ordered by enterprise then date, as rule candidates: an enterprise's first row is its first
/// event of the kind; the facts are the year's.
fn candidates(
    rows: &[AnyRow],
    facts: &HashMap<String, HashMap<String, f64>>,
) -> Result<Vec<Candidate>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut previous: Option<String> = None;
    for r in rows {
        let uscc: String = r.try_get("uscc")?;
        let first = previous.as_deref() != Some(uscc.as_str());
        previous = Some(uscc.clone());
        let issued_on: String = r.try_get("issued_on")?;
        let revoked: Option<String> = r.try_get("revoked_on")?;
        out.push(Candidate {
            facts: facts.get(&uscc).cloned().unwrap_or_default(),
            enterprise: enterprise_facts(r, uscc)?,
            event: EventFacts {
                kind: r.try_get("kind")?,
                number: r.try_get("number")?,
                title: r.try_get("title")?,
                issued_year: year_of(&issued_on),
                issued_on,
                batch: r.try_get("batch")?,
                first,
                revoked: revoked.is_some(),
            },
            in_region: false,
            application: HashMap::new(),
        });
    }
    Ok(out)
}

impl Store {
    /// Every record of a certificate kind with its enterprise, as rule candidates, with the
    /// enterprise's facts for `year`. `first` is decided over all of the enterprise's records
    /// of the kind, so a later import of an older certificate is seen. `in_region` is left
    /// for the caller, who knows the region tree.
    pub async fn award_candidates(
        &self,
        kind: CertificateKind,
        year: i32,
    ) -> Result<Vec<Candidate>> {
        let rows = sqlx::query(&format!(
            "SELECT c.kind, c.number, c.title, c.issued_on, c.batch, c.revoked_on, {ENTERPRISE_FACT_COLUMNS} \
             FROM certificates c JOIN enterprises e ON e.uscc = c.uscc WHERE c.kind = $1 \
             ORDER BY e.uscc, c.issued_on, c.number"
        ))
        .bind(kind.code())
        .fetch_all(&self.read)
        .await?;
        candidates(&rows, &self.facts_of_year(year).await?)
    }

    /// Patents of a type granted to registered enterprises up to the end of `year`, as rule
    /// candidates (read as `patent`): `issued_on` is the grant, `first` whether it is the
    /// enterprise's first patent of the type, `revoked` whether it has lapsed. Once per patent
    /// is the programme's `once_per = "event"`.
    pub async fn patent_candidates(
        &self,
        kind: kechuang_domain::patent::PatentType,
        year: i32,
    ) -> Result<Vec<Candidate>> {
        let rows = sqlx::query(&format!(
            "SELECT p.kind, p.application_no AS number, p.title, p.granted_on AS issued_on, \
             '' AS batch, p.lapsed_on AS revoked_on, {ENTERPRISE_FACT_COLUMNS} \
             FROM patents p JOIN enterprises e ON e.uscc = p.uscc \
             WHERE p.kind = $1 AND p.granted_on IS NOT NULL AND p.granted_on <= $2 \
             ORDER BY e.uscc, p.granted_on, p.application_no"
        ))
        .bind(kind.code())
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.read)
        .await?;
        candidates(&rows, &self.facts_of_year(year).await?)
    }

    pub(crate) async fn facts_of_year(
        &self,
        year: i32,
    ) -> Result<HashMap<String, HashMap<String, f64>>> {
        let rows = sqlx::query("SELECT * FROM enterprise_facts WHERE year = $1")
            .bind(i64::from(year))
            .fetch_all(&self.read)
            .await?;
        let mut out = HashMap::new();
        for r in &rows {
            let f = crate::registries::fact_row(r)?;
            let mut m = HashMap::new();
            let mut put = |k: &str, v: Option<f64>| {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            };
            put("revenue", f.revenue);
            put("rd_expenditure", f.rd_expenditure);
            put("employees", f.employees.map(|x| x as f64));
            put("st_staff", f.st_staff.map(|x| x as f64));
            put("invention_patents", f.invention_patents.map(|x| x as f64));
            put("hitech_product_revenue", f.hitech_product_revenue);
            put(
                "has_rd_institution",
                f.has_rd_institution.map(|b| if b { 1.0 } else { 0.0 }),
            );
            out.insert(f.uscc, m);
        }
        Ok(out)
    }

    /// Keys already awarded under a programme (not in a voided batch), with their batch.
    pub async fn awarded_keys(&self, code: &str) -> Result<HashMap<String, i64>> {
        let rows = sqlx::query(
            "SELECT basis_key, batch_id FROM awards WHERE programme_code = $1 AND status <> 'void'",
        )
        .bind(code)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("basis_key")?, r.try_get("batch_id")?)))
            .collect()
    }

    /// Commits the due entitlements of a preview as a batch awaiting review. If any of them
    /// was awarded meanwhile (another batch, another instance), nothing is written.
    pub async fn commit_batch(
        &self,
        programme: &Programme,
        year: i32,
        due: &[Entitlement],
        actor: &Actor,
    ) -> Result<i64> {
        if due.is_empty() {
            return Err(StoreError::Refused(Refusal::NothingDue));
        }
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let id = open_batch(&mut tx, &programme.code, year, actor, "").await?;
        for e in due {
            sqlx::query(
                "INSERT INTO awards (programme_code, year, batch_id, basis_key, uscc, name, region_code, \
                 basis, event_on, amount_fen, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed', $11)",
            )
            .bind(&programme.code)
            .bind(i64::from(year))
            .bind(id)
            .bind(&e.basis_key)
            .bind(&e.uscc)
            .bind(&e.name)
            .bind(&e.region_code)
            .bind(&e.basis)
            .bind(&e.event_on)
            .bind(e.amount.0)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(|err| {
                money_error(err, || Refusal::AlreadyAwarded {
                    name: e.name.clone(),
                    key: e.basis_key.clone(),
                })
            })?;
        }
        let total: i64 = due.iter().map(|e| e.amount.0).sum();
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "batch.commit",
                entity: "award_batch",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({
                    "programme": programme.code, "year": year,
                    "awards": due.len(), "total_fen": total,
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn batches(&self, programme: Option<&str>) -> Result<Vec<BatchRecord>> {
        sqlx::query(&format!(
            "{BATCH_SELECT} WHERE ($1 = '' OR b.programme_code = $1) ORDER BY b.id DESC"
        ))
        .bind(programme.unwrap_or(""))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(batch_row)
        .collect()
    }

    pub async fn batch(&self, id: i64) -> Result<BatchRecord> {
        let row = sqlx::query(&format!("{BATCH_SELECT} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Batch { id }))?;
        batch_row(&row)
    }

    /// Batches whose public notice has started, newest first.
    pub async fn notices(&self) -> Result<Vec<BatchRecord>> {
        sqlx::query(&format!(
            "{BATCH_SELECT} WHERE b.notice_start IS NOT NULL AND b.status <> 'void' \
             ORDER BY b.notice_start DESC, b.id DESC"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(batch_row)
        .collect()
    }

    pub async fn batch_awards(&self, batch: i64) -> Result<Vec<AwardRecord>> {
        sqlx::query("SELECT * FROM awards WHERE batch_id = $1 ORDER BY region_code, event_on, uscc")
            .bind(batch)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(award_row)
            .collect()
    }

    /// Awards to one enterprise, newest first (for its page).
    pub async fn enterprise_awards(&self, uscc: &str) -> Result<Vec<AwardRecord>> {
        sqlx::query(
            "SELECT * FROM awards WHERE uscc = $1 AND status <> 'void' ORDER BY year DESC, id DESC",
        )
        .bind(uscc)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(award_row)
        .collect()
    }

    pub async fn batch_transitions(&self, batch: i64) -> Result<Vec<TransitionRecord>> {
        crate::entry::transitions(&self.read, "batch_transitions", "batch_id", batch).await
    }

    /// Moves a batch one step. The state is re-read and changed under the write lock, so two
    /// officers acting at once cannot both succeed. Approval commits the money: the budget is
    /// raised by a conditional update that fails rather than overspend, concurrent approvals
    /// included, and one ledger commitment per award is written. Payment writes one ledger
    /// payment per award; the ledger's unique key makes a second one impossible.
    pub async fn act_on_batch(
        &self,
        id: i64,
        step: &BatchStep,
        actor: &Actor,
    ) -> Result<BatchStatus> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("{BATCH_SELECT} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Batch { id }))?;
        let batch = batch_row(&row)?;
        let to = transition(batch.status, step.action).map_err(StoreError::rule)?;
        let programme: Programme = {
            let r = sqlx::query("SELECT * FROM programmes WHERE code = $1")
                .bind(&batch.programme_code)
                .fetch_one(&mut *tx)
                .await?;
            programme_row(&r)?
        };
        let now = now_utc();
        let year = i64::from(batch.year);
        match step.action {
            BatchAction::Review => {}
            BatchAction::Publish => {
                let start = step.notice_start.unwrap_or(step.today);
                let end = notice_end(start, programme.notice_days);
                sqlx::query(
                    "UPDATE award_batches SET notice_start = $1, notice_end = $2 WHERE id = $3",
                )
                .bind(start.to_string())
                .bind(end.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            BatchAction::Approve => {
                let end = batch.notice_window().map(|(_, end)| end);
                // The command line is the installation's operator, who holds the database
                // itself; separation of duties is between officers.
                let duties = (programme.separate_duties && actor.client != "cli").then_some(
                    kechuang_domain::programme::Duties {
                        generated_by: &batch.created_by,
                        approver: &actor.name,
                    },
                );
                check_approval(end, step.today, batch.open_objections as usize, duties)
                    .map_err(StoreError::rule)?;
                let total = batch.total.0;
                let done = sqlx::query(
                    "UPDATE budgets SET committed_fen = committed_fen + $1 \
                     WHERE programme_code = $2 AND year = $3 AND committed_fen + $1 <= amount_fen",
                )
                .bind(total)
                .bind(&batch.programme_code)
                .bind(year)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    let line: Option<(i64, i64)> = sqlx::query_as(
                        "SELECT amount_fen, committed_fen FROM budgets WHERE programme_code = $1 AND year = $2",
                    )
                    .bind(&batch.programme_code)
                    .bind(year)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Err(StoreError::Refused(match line {
                        None => Refusal::NoBudget {
                            programme: batch.programme_code.clone(),
                            year: batch.year,
                        },
                        Some((amount, committed)) => Refusal::BudgetShort {
                            year: batch.year,
                            budget: Fen(amount).yuan_text(),
                            committed: Fen(committed).yuan_text(),
                            asked: Fen(total).yuan_text(),
                        },
                    }));
                }
                commitments(&mut tx, batch.id, step.today, actor).await?;
                sqlx::query("UPDATE awards SET status = 'approved' WHERE batch_id = $1 AND status = 'proposed'")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // Applications in the batch are funded (立项).
                crate::applications::follow_batch(
                    &mut tx,
                    id,
                    "approved",
                    AppStatus::Funded,
                    actor,
                )
                .await?;
            }
            BatchAction::Pay => {
                let paid_on = step.paid_on.unwrap_or(step.today);
                // The first instalment of each award: all of it, unless the programme pays
                // in instalments (the rest follows acceptance).
                let shares = programme
                    .form
                    .as_ref()
                    .map_or_else(|| vec![100], |f| f.instalments.clone());
                let awards =
                    sqlx::query("SELECT * FROM awards WHERE batch_id = $1 AND status = 'approved'")
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?
                        .iter()
                        .map(award_row)
                        .collect::<Result<Vec<_>>>()?;
                for a in &awards {
                    let first = instalments(a.amount, &shares)
                        .first()
                        .copied()
                        .unwrap_or(a.amount);
                    pay_instalment(&mut tx, a, 1, first, paid_on, &step.payment_ref, actor).await?;
                    if shares.len() == 1 {
                        sqlx::query("UPDATE awards SET status = 'paid' WHERE id = $1")
                            .bind(a.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                sqlx::query(
                    "UPDATE award_batches SET paid_on = $1, payment_ref = $2 WHERE id = $3",
                )
                .bind(paid_on.to_string())
                .bind(&step.payment_ref)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            BatchAction::Void => {
                // Applications go back to their ranking.
                crate::applications::follow_batch(
                    &mut tx,
                    id,
                    "proposed",
                    AppStatus::Scored,
                    actor,
                )
                .await?;
                sqlx::query("UPDATE awards SET status = 'void' WHERE batch_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let changed =
            sqlx::query("UPDATE award_batches SET status = $1 WHERE id = $2 AND status = $3")
                .bind(to.code())
                .bind(id)
                .bind(batch.status.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed != 1 {
            return Err(StoreError::Refused(Refusal::ChangedMeanwhile));
        }
        transition_row(&mut tx, id, batch.status.code(), to, actor, &step.comment).await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: &format!("batch.{}", step.action.code()),
                entity: "award_batch",
                entity_id: &id.to_string(),
                before: batch.status.code().to_owned(),
                after: serde_json::json!({"status": to.code(), "total_fen": batch.total.0, "comment": step.comment, "at": now}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }
}

/// One ledger commitment for each proposed award of a batch, at approval.
async fn commitments(
    tx: &mut Transaction<'static, Any>,
    batch: i64,
    on: NaiveDate,
    actor: &Actor,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ledger_entries (programme_code, year, entry, award_id, uscc, region_code, \
         amount_fen, occurred_on, reference, recorded_by, recorded_at) \
         SELECT programme_code, year, 'commitment', id, uscc, region_code, amount_fen, $1, '', $2, $3 \
         FROM awards WHERE batch_id = $4 AND status = 'proposed'",
    )
    .bind(on.to_string())
    .bind(&actor.name)
    .bind(now_utc())
    .bind(batch)
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        money_error(e, || Refusal::InLedger)
    })?;
    Ok(())
}

/// Pays one instalment of an award: a ledger payment (unique per award and instalment, so it
/// cannot be paid twice) and the budget's paid amount, which its CHECK keeps within what was
/// committed.
pub(crate) async fn pay_instalment(
    tx: &mut Transaction<'static, Any>,
    award: &AwardRecord,
    instalment: i64,
    amount: Fen,
    on: NaiveDate,
    reference: &str,
    actor: &Actor,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ledger_entries (programme_code, year, entry, award_id, uscc, region_code, \
         amount_fen, instalment, occurred_on, reference, recorded_by, recorded_at) \
         VALUES ($1, $2, 'payment', $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&award.programme_code)
    .bind(i64::from(award.year))
    .bind(award.id)
    .bind(&award.uscc)
    .bind(&award.region_code)
    .bind(amount.0)
    .bind(instalment)
    .bind(on.to_string())
    .bind(reference)
    .bind(&actor.name)
    .bind(now_utc())
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        money_error(e, || Refusal::PaidAlready {
            name: award.name.clone(),
            instalment,
        })
    })?;
    sqlx::query(
        "UPDATE budgets SET paid_fen = paid_fen + $1 WHERE programme_code = $2 AND year = $3",
    )
    .bind(amount.0)
    .bind(&award.programme_code)
    .bind(i64::from(award.year))
    .execute(&mut **tx)
    .await
    .map_err(|e| money_error(e, || Refusal::OverCommitted))?;
    Ok(())
}
