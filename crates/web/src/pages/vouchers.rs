//! Innovation vouchers: issuing them, their service providers, and redemption.

use super::{county_name, render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::{AppError, RequestProblem};
use crate::format::today_in_china;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use kechuang_domain::auth::Role;
use kechuang_service::vouchers;
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
    /// Provider kinds for the form: (code, name).
    kinds: Vec<(&'static str, &'static str)>,
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
    let vouchers = vouchers::list(&st.store, who).await.page(lang)?;
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
        kinds: kechuang_domain::services::ProviderKind::ALL
            .iter()
            .map(|k| (k.code(), lang.pick(k.name_zh(), k.name_en())))
            .collect(),
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

/// The vouchers the caller may see, as a spreadsheet.
pub async fn export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = super::SheetFormat::of(&file, "vouchers", lang)?;
    let today = today_in_china();
    let tree = st.store.region_tree().await.page(lang)?;
    let vouchers = vouchers::list(&st.store, &who).await.page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "创新券",
        headers: &[
            "券号",
            "企业名称",
            "统一社会信用代码",
            "县（市、区）",
            "面额(元)",
            "有效期至",
            "状态",
            "服务机构",
            "补助金额(元)",
        ],
        rows: vouchers
            .iter()
            .map(|x| {
                let exp = NaiveDate::parse_from_str(&x.expires_on, "%Y-%m-%d").unwrap_or(today);
                vec![
                    x.code.clone(),
                    x.name.clone(),
                    x.uscc.clone(),
                    county_name(&tree, &x.region_code),
                    x.face.plain_text(),
                    x.expires_on.clone(),
                    x.status.name(exp, today).to_owned(),
                    x.provider.clone().unwrap_or_default(),
                    x.subsidy.map(|s| s.plain_text()).unwrap_or_default(),
                ]
            })
            .collect(),
        numeric: &[4, 8],
    };
    super::sheet_download(&table, format, &file, lang)
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
    let bureau = who.as_bureau().page(v.lang)?;
    let done = vouchers::issue(&st.store, bureau, &f.year, &f.expires_on).await;
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
    #[serde(default)]
    kind: String,
}

pub async fn add_provider(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<ProviderForm>,
) -> Result<Response, PageError> {
    let bureau = who.as_bureau().page(v.lang)?;
    let done =
        vouchers::add_provider(&st.store, bureau, &f.name, &f.uscc, (&f.services, &f.kind)).await;
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
    let Ok(provider_id) = f.provider.parse() else {
        let e = AppError::invalid(RequestProblem::ChooseProvider);
        return vouchers_page(&st, &v, &who, &uri, Some(e)).await;
    };
    let r = vouchers::RedeemInput {
        provider_id,
        contract_no: &f.contract_no,
        invoice_no: &f.invoice_no,
        invoice_amount: &f.invoice_amount,
        service_request: None,
    };
    let done = vouchers::redeem(&st.store, &who, id, &r).await;
    if let Err(e @ AppError::NotFound(_)) = done {
        return Err(PageError(e, v.lang));
    }
    match done {
        Ok(_) => Ok(Redirect::to("/vouchers").into_response()),
        Err(e) => vouchers_page(&st, &v, &who, &uri, Some(e)).await,
    }
}
