//! The payment ledger: commitments and payments by award, as open data (grants) and as the
//! figures of ledger indicators.

use crate::batches::{award_row, AwardRecord};
use crate::{Result, Store, StoreError};
use kechuang_domain::indicator::{LedgerEntry, LedgerSpec};
use kechuang_domain::money::Fen;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRecord {
    pub id: i64,
    pub programme_code: String,
    pub year: i32,
    pub entry: String,
    pub award_id: i64,
    pub uscc: String,
    pub region_code: String,
    pub amount: Fen,
    pub occurred_on: String,
    pub reference: String,
    pub recorded_by: String,
    /// The recipient's name as awarded.
    pub recipient: String,
}

/// An award that has been made (approved, possibly paid), as open data publishes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grant {
    pub award: AwardRecord,
    pub programme_name: String,
    /// The date of approval (the ledger's commitment).
    pub awarded_on: String,
    pub paid_on: Option<String>,
}

/// Leaves out entries of off-site enterprises (on `ledger_entries l`).
const NOT_OFFSITE: &str = " AND l.uscc NOT IN (SELECT uscc FROM enterprises WHERE offsite = 1)";

impl Store {
    /// Awards made: approved or paid, with their approval and payment dates, oldest first.
    pub async fn grants(&self) -> Result<Vec<Grant>> {
        let rows = sqlx::query(
            "SELECT a.*, p.name AS programme_name, c.occurred_on AS awarded_on, \
             (SELECT l.occurred_on FROM ledger_entries l WHERE l.award_id = a.id AND l.entry = 'payment') AS paid_on \
             FROM awards a JOIN programmes p ON p.code = a.programme_code \
             JOIN ledger_entries c ON c.award_id = a.id AND c.entry = 'commitment' \
             WHERE a.status IN ('approved', 'paid') ORDER BY c.occurred_on, a.id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Grant {
                    award: award_row(r)?,
                    programme_name: r.try_get("programme_name")?,
                    awarded_on: r.try_get("awarded_on")?,
                    paid_on: r.try_get("paid_on")?,
                })
            })
            .collect()
    }

    /// Ledger sums by programme, recipient's region and year of the entry's date; money paid
    /// to off-site enterprises only when `offsite` (a rule takes them in).
    pub async fn ledger_totals(
        &self,
        entry: LedgerEntry,
        offsite: bool,
    ) -> Result<Vec<(String, String, i32, Fen)>> {
        let rows = sqlx::query(&format!(
            "SELECT programme_code, region_code, SUBSTR(occurred_on, 1, 4) AS y, CAST(SUM(amount_fen) AS BIGINT) AS fen \
             FROM ledger_entries l WHERE entry = $1{} \
             GROUP BY programme_code, region_code, SUBSTR(occurred_on, 1, 4)",
            if offsite { "" } else { NOT_OFFSITE }
        ))
        .bind(entry.code())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let y: String = r.try_get("y")?;
                Ok((
                    r.try_get("programme_code")?,
                    r.try_get("region_code")?,
                    y.parse()
                        .map_err(|_| StoreError::Corrupt(format!("ledger date {y}")))?,
                    Fen(r.try_get("fen")?),
                ))
            })
            .collect()
    }

    /// The ledger entries behind a ledger indicator's figure: those of a year for recipients
    /// in the given regions, as the records a figure opens onto.
    pub async fn ledger_records(
        &self,
        spec: &LedgerSpec,
        year: i32,
        regions: &[kechuang_domain::RegionCode],
    ) -> Result<Vec<crate::CountedRecord>> {
        let programmes = &spec.programmes;
        let rows = sqlx::query(&format!(
            "SELECT l.*, a.name AS recipient, p.name AS programme_name FROM ledger_entries l \
             JOIN awards a ON a.id = l.award_id JOIN programmes p ON p.code = l.programme_code \
             WHERE l.entry = $1 AND SUBSTR(l.occurred_on, 1, 4) = $2{} ORDER BY l.occurred_on, l.id",
            if spec.offsite { "" } else { NOT_OFFSITE }
        ))
        .bind(spec.entry.code())
        .bind(year.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let region: String = r.try_get("region_code")?;
            let programme: String = r.try_get("programme_code")?;
            if !regions.iter().any(|c| c.as_str() == region)
                || !(programmes.is_empty() || programmes.contains(&programme))
            {
                continue;
            }
            let amount = Fen(r.try_get("amount_fen")?);
            let reference: String = r.try_get("reference")?;
            out.push(crate::CountedRecord {
                registry: "ledger",
                kind: programme,
                level: None,
                number: Some(format!("{} 元", amount.yuan_text())),
                name: r.try_get("programme_name")?,
                uscc: Some(r.try_get("uscc")?),
                enterprise: Some(r.try_get("recipient")?),
                region_code: region,
                from: r.try_get("occurred_on")?,
                until: None,
                document_no: (!reference.is_empty()).then_some(reference),
            });
        }
        Ok(out)
    }

    /// Ledger entries, newest first, for a programme or all.
    /// One page of a programme's ledger (all programmes without one), newest first, and how
    /// many entries there are in all.
    pub async fn ledger(
        &self,
        programme: Option<&str>,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<LedgerRecord>, i64)> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ledger_entries WHERE ($1 = '' OR programme_code = $1)",
        )
        .bind(programme.unwrap_or(""))
        .fetch_one(&self.read)
        .await?;
        let per_page = per_page.clamp(1, 1000);
        let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
        let rows = sqlx::query(
            "SELECT l.*, a.name AS recipient FROM ledger_entries l JOIN awards a ON a.id = l.award_id \
             WHERE ($1 = '' OR l.programme_code = $1) ORDER BY l.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(programme.unwrap_or(""))
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(LedgerRecord {
                    id: r.try_get("id")?,
                    programme_code: r.try_get("programme_code")?,
                    year: r.try_get::<i64, _>("year")? as i32,
                    entry: r.try_get("entry")?,
                    award_id: r.try_get("award_id")?,
                    uscc: r.try_get("uscc")?,
                    region_code: r.try_get("region_code")?,
                    amount: Fen(r.try_get("amount_fen")?),
                    occurred_on: r.try_get("occurred_on")?,
                    reference: r.try_get("reference")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recipient: r.try_get("recipient")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }

    /// The latest year with an event of the kind (a certificate issued, a patent of a
    /// registered enterprise granted, a survey): where a batch preview starts when the officer
    /// has not chosen a year.
    pub async fn latest_issue_year(
        &self,
        event: kechuang_domain::programme::EventSource,
    ) -> Result<Option<i32>> {
        use kechuang_domain::programme::EventSource;
        let d: Option<String> = match event {
            EventSource::Certificate(k) => {
                sqlx::query_scalar("SELECT MAX(issued_on) FROM certificates WHERE kind = $1")
                    .bind(k.code())
                    .fetch_one(&self.read)
                    .await?
            }
            EventSource::Patent(t) => {
                sqlx::query_scalar(
                    "SELECT MAX(granted_on) FROM patents WHERE kind = $1 AND uscc IS NOT NULL",
                )
                .bind(t.code())
                .fetch_one(&self.read)
                .await?
            }
            EventSource::RdSurvey => {
                sqlx::query_scalar(
                    "SELECT CAST(MAX(year) AS TEXT) FROM rd_surveys WHERE status = 'accepted'",
                )
                .fetch_one(&self.read)
                .await?
            }
        };
        Ok(d.and_then(|d| d.get(..4).and_then(|y| y.parse().ok())))
    }
}
