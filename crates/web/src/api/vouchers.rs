//! Innovation vouchers over JSON: the list, issuing a year's vouchers, service providers, and
//! redemption.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kechuang_domain::voucher::VoucherStatus;
use kechuang_service::vouchers;
use kechuang_store::VoucherRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Voucher {
    id: i64,
    code: String,
    programme_code: String,
    year: i32,
    uscc: String,
    name: String,
    region_code: String,
    /// In fen.
    face: i64,
    issued_on: String,
    expires_on: String,
    /// issued, redeemed or cancelled.
    #[schema(value_type = String)]
    status: VoucherStatus,
    provider: Option<String>,
    contract_no: String,
    invoice_no: String,
    /// In fen.
    invoice: Option<i64>,
    /// What the programme paid, in fen: the face value or the invoice, whichever is smaller.
    subsidy: Option<i64>,
    redeemed_on: Option<String>,
}

impl From<VoucherRecord> for Voucher {
    fn from(v: VoucherRecord) -> Self {
        Self {
            id: v.id,
            code: v.code,
            programme_code: v.programme_code,
            year: v.year,
            uscc: v.uscc,
            name: v.name,
            region_code: v.region_code,
            face: v.face.0,
            issued_on: v.issued_on,
            expires_on: v.expires_on,
            status: v.status,
            provider: v.provider,
            contract_no: v.contract_no,
            invoice_no: v.invoice_no,
            invoice: v.invoice.map(|f| f.0),
            subsidy: v.subsidy.map(|f| f.0),
            redeemed_on: v.redeemed_on,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VoucherList {
    items: Vec<Voucher>,
}

/// The vouchers the caller may see.
#[utoipa::path(get, path = "/api/v1/vouchers", tag = "vouchers",
    responses((status = 200, description = "The vouchers the caller may see: an enterprise its own", body = VoucherList)))]
pub async fn list(State(st): State<AppState>, who: Caller) -> Result<Json<VoucherList>, ApiError> {
    let items = vouchers::list(&st.store, &who)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(VoucherList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct Issue {
    /// The year whose registrations the programme's rule finds vouchers for.
    #[schema(minimum = 1949, maximum = 2200)]
    year: i32,
    /// The last day the vouchers may be redeemed.
    #[schema(format = Date)]
    expires_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct Issued {
    /// How many vouchers were issued now (those issued before are not issued again).
    issued: usize,
}

/// Issues a year's vouchers by the programme's rule.
#[utoipa::path(post, path = "/api/v1/vouchers/issue", tag = "vouchers",
    request_body = Issue,
    responses((status = 200, description = "Issued", body = Issued)))]
pub async fn issue(
    State(st): State<AppState>,
    who: Caller,
    Json(b): Json<Issue>,
) -> Result<Json<Issued>, ApiError> {
    let issued = vouchers::issue(
        &st.store,
        who.as_bureau()?,
        &b.year.to_string(),
        &b.expires_on,
    )
    .await?;
    Ok(Json(Issued { issued }))
}

#[derive(Serialize, ToSchema)]
pub struct Provider {
    id: i64,
    name: String,
    uscc: String,
    services: String,
    active: bool,
    /// tax, finance, ip, testing, transfer, rnd or other.
    kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProviderList {
    items: Vec<Provider>,
}

/// The registered service providers.
#[utoipa::path(get, path = "/api/v1/providers", tag = "vouchers",
    responses((status = 200, description = "The registered service providers", body = ProviderList)))]
pub async fn providers(State(st): State<AppState>) -> Result<Json<ProviderList>, ApiError> {
    let items = st
        .store
        .providers()
        .await?
        .into_iter()
        .map(|p| Provider {
            id: p.id,
            name: p.name,
            uscc: p.uscc,
            services: p.services,
            active: p.active,
            kind: p.kind,
        })
        .collect();
    Ok(Json(ProviderList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewProvider {
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    /// The provider's unified social credit code.
    #[schema(min_length = 18, max_length = 18)]
    uscc: String,
    /// What it offers (testing, design, …).
    #[schema(max_length = 5000)]
    services: String,
    /// tax, finance, ip, testing, transfer, rnd or other (or the Chinese name: 知识产权 …);
    /// other when left out.
    #[serde(default)]
    kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedProvider {
    id: i64,
}

/// Registers a service provider.
#[utoipa::path(post, path = "/api/v1/providers", tag = "vouchers",
    request_body = NewProvider,
    responses((status = 201, description = "Registered", body = CreatedProvider)))]
pub async fn add_provider(
    State(st): State<AppState>,
    who: Caller,
    Json(p): Json<NewProvider>,
) -> Result<(StatusCode, Json<CreatedProvider>), ApiError> {
    let id = vouchers::add_provider(
        &st.store,
        who.as_bureau()?,
        &p.name,
        &p.uscc,
        (&p.services, &p.kind),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedProvider { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct Redemption {
    provider_id: i64,
    #[schema(min_length = 1, max_length = 200)]
    contract_no: String,
    #[schema(min_length = 1, max_length = 200)]
    invoice_no: String,
    /// As an invoice states it: 元 by default, or with a unit, e.g. "38000" or "3.8万元".
    #[schema(pattern = "^[0-9]{1,12}([.][0-9]{1,2})?(元|万元)?$")]
    invoice_amount: String,
}

#[derive(Serialize, ToSchema)]
pub struct Redeemed {
    /// The subsidy, in fen: the face value or the invoice, whichever is smaller.
    subsidy: i64,
    voucher: Voucher,
}

/// Redeems a voucher once, before it expires, with a registered provider: the enterprise its
/// own, or the bureau for it.
#[utoipa::path(post, path = "/api/v1/vouchers/{id}/redemption", tag = "vouchers",
    params(("id" = i64, Path, description = "The voucher's id")),
    request_body = Redemption,
    responses((status = 200, description = "Redeemed", body = Redeemed)))]
pub async fn redeem(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(r): Json<Redemption>,
) -> Result<Json<Redeemed>, ApiError> {
    let input = vouchers::RedeemInput {
        provider_id: r.provider_id,
        contract_no: &r.contract_no,
        invoice_no: &r.invoice_no,
        invoice_amount: &r.invoice_amount,
        service_request: None,
    };
    let subsidy = vouchers::redeem(&st.store, &who, id, &input).await?;
    Ok(Json(Redeemed {
        subsidy: subsidy.0,
        voucher: st.store.voucher(id).await?.into(),
    }))
}
