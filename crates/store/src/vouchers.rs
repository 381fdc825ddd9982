//! Innovation vouchers: registered service providers, vouchers issued from a programme's
//! entitlements, and their redemption, which becomes an award in the programme's open batch
//! and is paid through the usual review, notice, approval and payment.

use crate::audit::{append, Actor, AuditEntry};
use crate::{now_utc, Result, Store, StoreError};
use crate::{Absent, Refusal};
use chrono::NaiveDate;
use kechuang_domain::money::Fen;
use kechuang_domain::programme::{Entitlement, Programme};
use kechuang_domain::voucher::{check_redeem, Redemption, VoucherStatus};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderRecord {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub services: String,
    pub active: bool,
    /// What it offers (`tax`, `finance`, `ip`, `testing`, `transfer`, `rnd`, `other`).
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoucherRecord {
    pub id: i64,
    pub code: String,
    pub programme_code: String,
    pub year: i32,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub face: Fen,
    pub issued_on: String,
    pub expires_on: String,
    pub status: VoucherStatus,
    pub provider: Option<String>,
    pub contract_no: String,
    pub invoice_no: String,
    pub invoice: Option<Fen>,
    pub subsidy: Option<Fen>,
    pub redeemed_on: Option<String>,
}

/// A redemption as the enterprise or the bureau enters it.
#[derive(Debug, Clone)]
pub struct NewRedemption {
    pub provider_id: i64,
    pub contract_no: String,
    pub invoice_no: String,
    pub invoice_amount: Fen,
    /// The completed catalogue service it pays for, when redeemed against one.
    pub service_request: Option<i64>,
}

fn voucher_row(r: &AnyRow) -> Result<VoucherRecord> {
    let status: String = r.try_get("status")?;
    Ok(VoucherRecord {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        programme_code: r.try_get("programme_code")?,
        year: r.try_get::<i64, _>("year")? as i32,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        face: Fen(r.try_get("face_fen")?),
        issued_on: r.try_get("issued_on")?,
        expires_on: r.try_get("expires_on")?,
        status: VoucherStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("voucher status {status}")))?,
        provider: r.try_get("provider_name")?,
        contract_no: r.try_get("contract_no")?,
        invoice_no: r.try_get("invoice_no")?,
        invoice: r.try_get::<Option<i64>, _>("invoice_fen")?.map(Fen),
        subsidy: r.try_get::<Option<i64>, _>("subsidy_fen")?.map(Fen),
        redeemed_on: r.try_get("redeemed_on")?,
    })
}

const VOUCHER_SELECT: &str = "SELECT v.*, p.name AS provider_name FROM vouchers v \
     LEFT JOIN voucher_providers p ON p.id = v.provider_id";

impl Store {
    pub async fn add_provider(
        &self,
        name: &str,
        uscc: &str,
        (services, kind): (&str, &str),
        actor: &Actor,
    ) -> Result<i64> {
        if name.trim().is_empty() {
            return Err(StoreError::Refused(Refusal::ProviderName));
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO voucher_providers (name, uscc, services, registered_by, registered_at, kind) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(name.trim())
        .bind(uscc)
        .bind(services.trim())
        .bind(&actor.name)
        .bind(now_utc())
        .bind(kind)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Refused(Refusal::ProviderExists {
                    uscc: uscc.to_owned(),
                })
            }
            _ => StoreError::Database(e),
        })?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "provider.add",
                entity: "voucher_provider",
                entity_id: uscc,
                before: String::new(),
                after: serde_json::json!({"name": name, "services": services}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn providers(&self) -> Result<Vec<ProviderRecord>> {
        sqlx::query("SELECT * FROM voucher_providers ORDER BY name")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok(ProviderRecord {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    uscc: r.try_get("uscc")?,
                    services: r.try_get("services")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                    kind: r.try_get("kind")?,
                })
            })
            .collect()
    }

    /// Issues a voucher for each entitlement; an entitlement that has one already is skipped
    /// by the unique key (programme, basis). Returns how many were issued.
    pub async fn issue_vouchers(
        &self,
        programme: &Programme,
        year: i32,
        due: &[Entitlement],
        issued_on: NaiveDate,
        expires_on: NaiveDate,
        actor: &Actor,
    ) -> Result<usize> {
        if expires_on < issued_on {
            return Err(StoreError::Refused(Refusal::ExpiryBeforeIssue));
        }
        let mut tx = self.begin_write().await?;
        // Vouchers of a year are numbered in order; entitlements that have one already are
        // left out before numbering, so numbers never repeat (the unique key on programme
        // and entitlement would refuse a second voucher anyway).
        let issued: std::collections::HashSet<String> =
            sqlx::query_scalar("SELECT basis_key FROM vouchers WHERE programme_code = $1")
                .bind(&programme.code)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vouchers WHERE year = $1")
            .bind(i64::from(year))
            .fetch_one(&mut *tx)
            .await?;
        let new: Vec<&Entitlement> = due
            .iter()
            .filter(|e| !issued.contains(&e.basis_key))
            .collect();
        let mut n = 0;
        for (i, e) in new.iter().enumerate() {
            let done = sqlx::query(
                "INSERT INTO vouchers (code, programme_code, year, basis_key, uscc, name, region_code, \
                 face_fen, issued_on, expires_on, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'issued')",
            )
            .bind(format!("CXQ{year}{:05}", existing + i as i64 + 1))
            .bind(&programme.code)
            .bind(i64::from(year))
            .bind(&e.basis_key)
            .bind(&e.uscc)
            .bind(&e.name)
            .bind(&e.region_code)
            .bind(e.amount.0)
            .bind(issued_on.to_string())
            .bind(expires_on.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            n += done as usize;
        }
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "voucher.issue",
                entity: "voucher",
                entity_id: &format!("{}:{year}", programme.code),
                before: String::new(),
                after: serde_json::json!({"issued": n, "expires_on": expires_on}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn vouchers(&self, uscc: Option<&str>) -> Result<Vec<VoucherRecord>> {
        sqlx::query(&format!(
            "{VOUCHER_SELECT} WHERE ($1 = '' OR v.uscc = $1) ORDER BY v.year DESC, v.code"
        ))
        .bind(uscc.unwrap_or(""))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(voucher_row)
        .collect()
    }

    pub async fn voucher(&self, id: i64) -> Result<VoucherRecord> {
        let row = sqlx::query(&format!("{VOUCHER_SELECT} WHERE v.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Voucher { id }))?;
        voucher_row(&row)
    }

    /// Redeems a voucher: once, before it expires, with a registered provider. The status
    /// changes by compare-and-set, so two redemptions at once cannot both pass, and the
    /// subsidy becomes an award (keyed by the voucher, unique) in the programme's open batch.
    pub async fn redeem(
        &self,
        id: i64,
        r: &NewRedemption,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<Fen> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("{VOUCHER_SELECT} WHERE v.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(Absent::Voucher { id }))?;
        let v = voucher_row(&row)?;
        let provider: Option<(String, i64)> =
            sqlx::query_as("SELECT name, active FROM voucher_providers WHERE id = $1")
                .bind(r.provider_id)
                .fetch_optional(&mut *tx)
                .await?;
        let expires = NaiveDate::parse_from_str(&v.expires_on, "%Y-%m-%d")
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let subsidy = check_redeem(
            v.status,
            expires,
            v.face,
            today,
            &Redemption {
                provider_active: provider.as_ref().is_some_and(|p| p.1 != 0),
                contract_no: r.contract_no.clone(),
                invoice_no: r.invoice_no.clone(),
                invoice_amount: r.invoice_amount,
            },
        )
        .map_err(StoreError::rule)?;
        let provider_name = provider.map(|p| p.0).unwrap_or_default();
        let changed = sqlx::query(
            "UPDATE vouchers SET status = 'redeemed', provider_id = $1, contract_no = $2, invoice_no = $3, \
             invoice_fen = $4, subsidy_fen = $5, redeemed_on = $6, redeemed_by = $7 \
             WHERE id = $8 AND status = 'issued'",
        )
        .bind(r.provider_id)
        .bind(r.contract_no.trim())
        .bind(r.invoice_no.trim())
        .bind(r.invoice_amount.0)
        .bind(subsidy.0)
        .bind(today.to_string())
        .bind(&actor.name)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Refused(Refusal::VoucherRedeemed));
        }
        if let Some(request) = r.service_request {
            // The service must be the holder's, completed, by this provider, and not yet paid
            // by a voucher: checked and marked in the same transaction as the redemption.
            let marked = sqlx::query(
                "UPDATE service_requests SET voucher_id = $1 WHERE id = $2 AND uscc = $3 \
                 AND status = 'completed' AND voucher_id IS NULL AND offering_id IN \
                 (SELECT id FROM service_offerings WHERE provider_id = $4 AND voucher = 1)",
            )
            .bind(id)
            .bind(request)
            .bind(&v.uscc)
            .bind(r.provider_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if marked != 1 {
                return Err(StoreError::rule(
                    kechuang_domain::services::ServiceProblem::VoucherNotForService,
                ));
            }
        }
        // The programme's batch still open for the year, or a new one.
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM award_batches WHERE programme_code = $1 AND year = $2 AND status = 'submitted' \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(&v.programme_code)
        .bind(i64::from(v.year))
        .fetch_optional(&mut *tx)
        .await?;
        let now = now_utc();
        let batch = match open {
            Some(b) => b,
            None => {
                crate::batches::open_batch(
                    &mut tx,
                    &v.programme_code,
                    v.year,
                    actor,
                    "创新券兑付 (voucher redemptions)",
                )
                .await?
            }
        };
        sqlx::query(
            "INSERT INTO awards (programme_code, year, batch_id, basis_key, uscc, name, region_code, \
             basis, event_on, amount_fen, status, voucher_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed', $11, $12)",
        )
        .bind(&v.programme_code)
        .bind(i64::from(v.year))
        .bind(batch)
        .bind(format!("voucher:{id}"))
        .bind(&v.uscc)
        .bind(&v.name)
        .bind(&v.region_code)
        .bind(format!(
            "创新券 {}，{provider_name}，合同 {}，发票 {}",
            v.code,
            r.contract_no.trim(),
            r.invoice_no.trim()
        ))
        .bind(today.to_string())
        .bind(subsidy.0)
        .bind(id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor,
                action: "voucher.redeem",
                entity: "voucher",
                entity_id: &v.code,
                before: "issued".into(),
                after: serde_json::json!({"provider": r.provider_id, "contract": r.contract_no, "invoice": r.invoice_no, "invoice_fen": r.invoice_amount.0, "subsidy_fen": subsidy.0, "batch": batch}).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(subsidy)
    }
}
