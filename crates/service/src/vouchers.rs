//! Innovation vouchers: issuing a year's vouchers by the programme's rule, the service
//! providers they are redeemed with, and redemption — once, before expiry, with a registered
//! provider — by the enterprise that holds the voucher or by the bureau for it.

use crate::auth::{AsBureau, Principal};
use crate::clock::today_in_china;
use crate::programmes::funds_scope;
use crate::{Error, Missing};
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::money::Fen;
use kechuang_domain::text::fields;
use kechuang_store::{NewRedemption, Store, VoucherRecord};

/// The vouchers a caller may see: an enterprise its own, the bureau those of its programmes.
pub async fn list(store: &Store, who: &Principal) -> Result<Vec<VoucherRecord>, Error> {
    if let DataScope::Enterprise(u) = who.scope() {
        return Ok(store.vouchers(Some(u.as_str())).await?);
    }
    let scope = funds_scope(store, who).await?;
    let mut all = store.vouchers(None).await?;
    all.retain(|v| scope.covers(&v.programme_code));
    Ok(all)
}

/// The programme vouchers are issued under.
const VOUCHER_PROGRAMME: &str = "innovation-voucher";

/// Issues the year's vouchers to the enterprises the programme's rule finds; those already
/// issued are skipped by their unique key. Answers how many were issued.
pub async fn issue(
    store: &Store,
    who: AsBureau<'_>,
    year: &str,
    expires_on: &str,
) -> Result<usize, Error> {
    let year = crate::programmes::parse_year(year)?;
    let expires = crate::clock::parse_day("expires_on", expires_on)?;
    let scope = funds_scope(store, &who).await?;
    let p = crate::programmes::preview_batch(store, &scope, VOUCHER_PROGRAMME, year).await?;
    let due: Vec<_> = p.preview.due().cloned().collect();
    Ok(store
        .issue_vouchers(
            &p.programme,
            year,
            &due,
            today_in_china(),
            expires,
            &who.actor(),
        )
        .await?)
}

/// Registers a service provider vouchers may be redeemed with.
pub async fn add_provider(
    store: &Store,
    who: AsBureau<'_>,
    name: &str,
    uscc: &str,
    (services, kind): (&str, &str),
) -> Result<i64, Error> {
    crate::within_limits(&[
        (&fields::PROVIDER_NAME, name),
        (&fields::SERVICES, services),
    ])?;
    let kind = provider_kind(kind)?;
    let uscc = kechuang_domain::uscc::Uscc::parse(uscc)
        .map_err(|e| Error::invalid(kechuang_domain::problem::FieldProblem::new("uscc", e)))?;
    Ok(store
        .add_provider(name, uscc.as_str(), (services, kind), &who.actor())
        .await?)
}

/// A redemption as the enterprise or the bureau enters it.
pub struct RedeemInput<'a> {
    pub provider_id: i64,
    pub contract_no: &'a str,
    pub invoice_no: &'a str,
    /// As typed: 元 by default, or with a unit (万元).
    pub invoice_amount: &'a str,
    /// The completed catalogue service the voucher pays for.
    pub service_request: Option<i64>,
}

/// Redeems a voucher: the enterprise its own, the bureau any. Answers the subsidy paid: the
/// face value or the invoice, whichever is smaller.
pub async fn redeem(
    store: &Store,
    who: &Principal,
    id: i64,
    r: &RedeemInput<'_>,
) -> Result<Fen, Error> {
    crate::within_limits(&[
        (&fields::CONTRACT_NO, r.contract_no),
        (&fields::INVOICE_NO, r.invoice_no),
    ])?;
    let voucher = store.voucher(id).await?;
    let theirs = match who.scope() {
        DataScope::Enterprise(u) => *u == voucher.uscc,
        _ if who.role() == Role::Bureau => funds_scope(store, who)
            .await?
            .covers(&voucher.programme_code),
        _ => false,
    };
    if !theirs {
        return Err(Error::not_found(Missing::OutOfScope));
    }
    let redemption = NewRedemption {
        provider_id: r.provider_id,
        contract_no: r.contract_no.to_owned(),
        invoice_no: r.invoice_no.to_owned(),
        invoice_amount: Fen::parse(r.invoice_amount).map_err(Error::invalid)?,
        service_request: r.service_request,
    };
    Ok(store
        .redeem(id, &redemption, today_in_china(), &who.actor())
        .await?)
}

/// A provider's kind as typed (code or Chinese name; blank: other).
pub fn provider_kind(raw: &str) -> Result<&'static str, Error> {
    if raw.trim().is_empty() {
        return Ok("other");
    }
    kechuang_domain::services::ProviderKind::parse(raw)
        .map(|k| k.code())
        .ok_or_else(|| {
            Error::invalid(kechuang_domain::problem::FieldProblem::new(
                "kind",
                kechuang_domain::services::ServiceProblem::Kind {
                    raw: raw.to_owned(),
                },
            ))
        })
}
