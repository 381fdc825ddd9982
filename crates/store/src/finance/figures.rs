//! What tech finance's targets read: the dated items each measure adds up, and the records
//! behind a figure for its drill-down.

use super::*;
use crate::{CountedRecord, Result, Store};
use chrono::NaiveDate;
use kechuang_domain::indicator::RecordMeasure;
use sqlx::Row;

impl Store {
    /// The dated amounts a records measure adds up (R&D surveys: see `rd_items`): (region, date, key, value). Pool members
    /// give their earliest admission per enterprise (value 1, key the USCC, so an enterprise
    /// admitted twice counts once); pool loans their amount in fen, dated by issue; the
    /// reserve its contributions; the seed fund the committed size of each fund.
    pub async fn record_items(
        &self,
        measure: RecordMeasure,
    ) -> Result<Vec<(String, String, String, i64)>> {
        let sql = match measure {
            // The surveys are R&D statistics' records, read there.
            RecordMeasure::RdSurveyTotal => return self.rd_items().await,
            RecordMeasure::PoolEnterprises => {
                "SELECT region_code AS r, MIN(admitted_on) AS d, uscc AS k, 1 AS v FROM pool_members GROUP BY uscc, region_code"
                    .to_owned()
            }
            RecordMeasure::PoolLoans => format!(
                "SELECT l.region_code AS r, l.issued_on AS d, l.contract_no AS k, l.amount_fen AS v FROM loans l WHERE {IN_POOL}"
            ),
            RecordMeasure::ReserveContributions => {
                "SELECT COALESCE(region_code, '') AS r, occurred_on AS d, CAST(id AS TEXT) AS k, amount_fen AS v \
                 FROM reserve_entries WHERE entry = 'contribution'"
                    .to_owned()
            }
            RecordMeasure::SeedFundCommitted => {
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
    pub async fn measure_records(
        &self,
        measure: RecordMeasure,
        as_of: NaiveDate,
        regions: &[kechuang_domain::RegionCode],
    ) -> Result<Vec<CountedRecord>> {
        let as_of = as_of.to_string();
        // The reserve and the seed fund are the city's; pool members and loans are counted
        // by the enterprise's county.
        let inside = |r: &str| !measure.by_county() || regions.iter().any(|c| c.as_str() == r);
        let mut out = Vec::new();
        match measure {
            RecordMeasure::RdSurveyTotal => {
                let year = as_of.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
                return self.rd_records(year, regions).await;
            }
            RecordMeasure::PoolEnterprises => {
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
            RecordMeasure::PoolLoans => {
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
            RecordMeasure::ReserveContributions => {
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
            RecordMeasure::SeedFundCommitted => {
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
