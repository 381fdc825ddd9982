//! Innovation vouchers: issuing them, their service providers, and redemption.

use super::applications::parse_day;
use super::{county_name, render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::{Absent, AppError, RequestProblem};
use crate::format::today_in_china;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use kechuang_domain::auth::{DataScope, Role};
use kechuang_service::applications as svc;
use kechuang_store::NewRedemption;
use serde::Deserialize;

// ---- vouchers -------------------------------------------------------------------------------

struct VoucherRow {
    id: i64,
    code: String,
    enterprise: String,
    county: String,
    face: String,
    expires_on: String,
    status: &'static str,
    usable: bool,
    provider: String,
    subsidy: String,
}

#[derive(Template)]
#[template(path = "vouchers.html")]
struct VouchersPage {
    chrome: Chrome,
    csrf: String,
    bureau: bool,
    vouchers: Vec<VoucherRow>,
    providers: Vec<(i64, String, String, String)>,
    error: String,
    this_year: i32,
    year_end: String,
}

async fn vouchers_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let today = today_in_china();
    let tree = st.store.region_tree().await.page(lang)?;
    let own = match who.scope() {
        DataScope::Enterprise(u) => Some(u.clone()),
        _ => None,
    };
    let vouchers = st.store.vouchers(own.as_deref()).await.page(lang)?;
    let providers = st.store.providers().await.page(lang)?;
    let year = today.year();
    let page = VouchersPage {
        chrome: Chrome::new(v, "vouchers", lang.tr().vouchers_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        bureau: who.role() == Role::Bureau,
        vouchers: vouchers
            .iter()
            .map(|x| {
                let exp = NaiveDate::parse_from_str(&x.expires_on, "%Y-%m-%d").unwrap_or(today);
                VoucherRow {
                    id: x.id,
                    code: x.code.clone(),
                    enterprise: x.name.clone(),
                    county: county_name(&tree, &x.region_code),
                    face: x.face.yuan_text(),
                    expires_on: x.expires_on.clone(),
                    status: x.status.name(exp, today),
                    usable: x.status == kechuang_domain::voucher::VoucherStatus::Issued
                        && today <= exp,
                    provider: x.provider.clone().unwrap_or_default(),
                    subsidy: x.subsidy.map(|s| s.yuan_text()).unwrap_or_default(),
                }
            })
            .collect(),
        providers: providers
            .iter()
            .filter(|p| p.active)
            .map(|p| (p.id, p.name.clone(), p.uscc.clone(), p.services.clone()))
            .collect(),
        error,
        this_year: year,
        year_end: format!("{}-12-31", year + 1),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn vouchers(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    vouchers_page(&st, &v, &who, &uri, None).await
}

#[derive(Deserialize)]
pub struct IssueForm {
    year: String,
    expires_on: String,
}

/// Issues vouchers to the year's entitled enterprises, by the programme's rule.
pub async fn issue(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<IssueForm>,
) -> Result<Response, PageError> {
    let done = async {
        let year = kechuang_service::programmes::parse_year(&f.year)?;
        let expires = parse_day("expires_on", &f.expires_on)?;
        let p = kechuang_service::programmes::preview_batch(&st.store, "innovation-voucher", year)
            .await?;
        let due: Vec<_> = p.preview.due().cloned().collect();
        // Vouchers already issued are skipped by their unique key; the preview's own check
        // only knows awards.
        Ok::<_, AppError>(
            st.store
                .issue_vouchers(
                    &p.programme,
                    year,
                    &due,
                    today_in_china(),
                    expires,
                    &who.actor(),
                )
                .await?,
        )
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to("/vouchers").into_response()),
        Err(e) => vouchers_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct ProviderForm {
    name: String,
    uscc: String,
    services: String,
}

pub async fn add_provider(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<ProviderForm>,
) -> Result<Response, PageError> {
    let done = async {
        let uscc = kechuang_domain::uscc::Uscc::parse(&f.uscc).map_err(|e| {
            AppError::invalid(kechuang_service::error::Worded {
                code: "invalid_uscc",
                message: e.to_string(),
            })
        })?;
        Ok::<_, AppError>(
            st.store
                .add_provider(&f.name, uscc.as_str(), &f.services, &who.actor())
                .await?,
        )
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to("/vouchers").into_response()),
        Err(e) => vouchers_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct RedeemForm {
    provider: String,
    contract_no: String,
    invoice_no: String,
    invoice_amount: String,
}

/// Redeems a voucher: the enterprise its own, or the bureau for it.
pub async fn redeem(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<RedeemForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let voucher = st.store.voucher(id).await.page(lang)?;
    if let DataScope::Enterprise(u) = who.scope() {
        if *u != voucher.uscc {
            return Err(PageError(AppError::not_found(Absent::Voucher { id }), lang));
        }
    }
    let done = async {
        let r = NewRedemption {
            provider_id: f
                .provider
                .parse()
                .map_err(|_| AppError::invalid(RequestProblem::ChooseProvider))?,
            contract_no: f.contract_no.clone(),
            invoice_no: f.invoice_no.clone(),
            invoice_amount: svc::money(&f.invoice_amount)?,
        };
        Ok::<_, AppError>(
            st.store
                .redeem(id, &r, today_in_china(), &who.actor())
                .await?,
        )
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to("/vouchers").into_response()),
        Err(e) => vouchers_page(&st, &v, &who, &uri, Some(e)).await,
    }
}
