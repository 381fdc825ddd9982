//! The SME service platform over JSON: the catalogue, requests and their steps (answer,
//! completion, withdrawal, rating, voucher payment), shared instruments, bookings and their
//! steps, and the counts by county.

use crate::auth::Caller;
use crate::error::{refused_fields, ApiError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_service::services::{
    self as service, BookingInput, InstrumentInput, OfferingInput, StepInput,
};
use kechuang_service::Saved;
use kechuang_store::{BookingRecord, InstrumentRecord, OfferingRecord, RequestRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct OfferingOut {
    id: i64,
    provider_id: i64,
    provider: String,
    /// tax, finance, ip, testing, transfer, rnd or other.
    provider_kind: String,
    title: String,
    description: String,
    /// In fen.
    price: i64,
    price_unit: String,
    conditions: String,
    /// Whether an innovation voucher may pay for it.
    voucher: bool,
    /// Requests completed.
    completed: i64,
    /// Mean rating (1–5) of those rated.
    rating: Option<f64>,
}

impl From<OfferingRecord> for OfferingOut {
    fn from(o: OfferingRecord) -> Self {
        Self {
            id: o.id,
            provider_id: o.provider_id,
            provider: o.provider,
            provider_kind: o.provider_kind,
            title: o.title,
            description: o.description,
            price: o.price.0,
            price_unit: o.price_unit,
            conditions: o.conditions,
            voucher: o.voucher,
            completed: o.completed,
            rating: o.rating,
        }
    }
}

/// The catalogue: active services of active providers.
#[utoipa::path(get, path = "/api/v1/services", tag = "services",
    responses((status = 200, description = "Services by provider kind", body = [OfferingOut])))]
pub async fn catalogue(State(st): State<AppState>) -> Result<Json<Vec<OfferingOut>>, ApiError> {
    let items = service::catalogue(&st.store).await?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OfferingIn {
    /// The provider's id (the bureau's choice; a provider's own account adds to its own).
    provider: Option<i64>,
    #[schema(max_length = 200)]
    title: String,
    description: String,
    /// As written: 3000, 3000元, 0.3万元.
    price: String,
    /// 项, 次, 小时 … (项 when left out).
    price_unit: String,
    conditions: String,
    voucher: bool,
}

/// Adds a service to the catalogue.
#[utoipa::path(post, path = "/api/v1/services", tag = "services", request_body = OfferingIn,
    responses((status = 201, description = "The service", body = OfferingOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn add_offering(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Json(b): Json<OfferingIn>,
) -> Result<Response, ApiError> {
    let input = OfferingInput {
        provider: b.provider.map(|p| p.to_string()).unwrap_or_default(),
        title: b.title,
        description: b.description,
        price: b.price,
        price_unit: b.price_unit,
        conditions: b.conditions,
        voucher: b.voucher,
    };
    match service::add_offering(&st.store, &who, &input).await? {
        (Saved::Done, Some(id)) => {
            let o: OfferingOut = st.store.offering(id).await?.into();
            Ok((StatusCode::CREATED, Json(o)).into_response())
        }
        (Saved::Refused(p), _) => Ok(refused_fields(&headers, p)),
        (Saved::Done, None) => Err(crate::error::AppError::internal("saved without an id").into()),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RequestIn {
    /// What the enterprise needs.
    note: String,
}

/// An enterprise requests a service.
#[utoipa::path(post, path = "/api/v1/services/{id}/requests", tag = "services",
    params(("id" = i64, Path, description = "The service's id")), request_body = RequestIn,
    responses((status = 201, description = "The request", body = RequestOut)))]
pub async fn request(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<RequestIn>,
) -> Result<(StatusCode, Json<RequestOut>), ApiError> {
    let r = service::request(&st.store, who.as_applicant()?, id, &b.note).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.service_request(r).await?.into()),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RequestOut {
    id: i64,
    offering_id: i64,
    offering: String,
    provider: String,
    uscc: String,
    name: String,
    /// The requesting enterprise's county.
    region: String,
    note: String,
    /// requested, accepted, declined, completed or cancelled.
    status: &'static str,
    response: String,
    /// In fen, once completed.
    amount: Option<i64>,
    requested_at: String,
    completed_at: Option<String>,
    rating: Option<i64>,
    rating_note: String,
    /// The voucher that paid for it.
    voucher_id: Option<i64>,
}

impl From<RequestRecord> for RequestOut {
    fn from(r: RequestRecord) -> Self {
        Self {
            id: r.id,
            offering_id: r.offering_id,
            offering: r.offering,
            provider: r.provider,
            uscc: r.uscc,
            name: r.name,
            region: r.region_code,
            note: r.note,
            status: r.status.code(),
            response: r.response,
            amount: r.amount.map(|a| a.0),
            requested_at: r.requested_at,
            completed_at: r.completed_at,
            rating: r.rating,
            rating_note: r.rating_note,
            voucher_id: r.voucher_id,
        }
    }
}

/// Requests the caller may see: an enterprise those it sent and those sent to it as a
/// provider; officers those from their region.
#[utoipa::path(get, path = "/api/v1/service-requests", tag = "services",
    responses((status = 200, description = "Requests, newest first", body = [RequestOut])))]
pub async fn requests(
    State(st): State<AppState>,
    who: Caller,
) -> Result<Json<Vec<RequestOut>>, ApiError> {
    let all = service::requests(&st.store, &who).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct StepIn {
    /// The provider's answer (accept, decline) or the owner's (approve, decline).
    response: String,
    /// complete: the amount charged (the catalogue price when left out).
    amount: String,
    /// rate: 1 to 5.
    rating: String,
    /// rate: a remark.
    note: String,
    /// redeem: the voucher's id.
    voucher: Option<i64>,
    /// redeem: the invoice number.
    invoice_no: String,
    /// record_use: hours used (those booked when left out).
    hours: String,
}

/// A step on a request: `accept`, `decline`, `complete` (the provider); `cancel`, `rate`,
/// `redeem` (the enterprise).
#[utoipa::path(post, path = "/api/v1/service-requests/{id}/{action}", tag = "services",
    params(("id" = i64, Path, description = "The request's id"),
           ("action" = String, Path, description = "accept, decline, complete, cancel, rate or redeem")),
    request_body = StepIn,
    responses((status = 200, description = "The request", body = RequestOut)))]
pub async fn request_step(
    State(st): State<AppState>,
    who: Caller,
    Path((id, action)): Path<(i64, String)>,
    Json(b): Json<StepIn>,
) -> Result<Json<RequestOut>, ApiError> {
    match action.as_str() {
        "rate" => service::rate(&st.store, who.as_applicant()?, id, &b.rating, &b.note).await?,
        "redeem" => {
            service::redeem(
                &st.store,
                who.as_applicant()?,
                id,
                b.voucher.unwrap_or(0),
                &b.invoice_no,
            )
            .await?;
        }
        _ => {
            let input = StepInput {
                response: b.response,
                amount: b.amount,
                hours: String::new(),
            };
            service::step_request(&st.store, &who, id, &action, &input).await?;
        }
    }
    Ok(Json(st.store.service_request(id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentOut {
    id: i64,
    name: String,
    model: String,
    specs: String,
    owner: String,
    location: String,
    region: String,
    /// Per hour, in fen.
    fee: i64,
    hours_used: f64,
}

impl From<InstrumentRecord> for InstrumentOut {
    fn from(i: InstrumentRecord) -> Self {
        Self {
            id: i.id,
            name: i.name,
            model: i.model,
            specs: i.specs,
            owner: i.owner,
            location: i.location,
            region: i.region_code,
            fee: i.fee.0,
            hours_used: i.hours_used,
        }
    }
}

/// Shared instruments with the hours used.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "services",
    responses((status = 200, description = "Instruments", body = [InstrumentOut])))]
pub async fn instruments(State(st): State<AppState>) -> Result<Json<Vec<InstrumentOut>>, ApiError> {
    let all = service::instruments(&st.store).await?;
    Ok(Json(
        all.into_iter()
            .filter(|i| i.active)
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct InstrumentIn {
    name: String,
    model: String,
    specs: String,
    owner: String,
    /// The owner's credit code: its enterprise account approves bookings.
    owner_uscc: String,
    location: String,
    /// A county's code.
    region: String,
    /// Per hour, as written: 200, 200元.
    fee: String,
}

/// The bureau registers a shared instrument.
#[utoipa::path(post, path = "/api/v1/instruments", tag = "services", request_body = InstrumentIn,
    responses((status = 201, description = "The instrument", body = InstrumentOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn add_instrument(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Json(b): Json<InstrumentIn>,
) -> Result<Response, ApiError> {
    let input = InstrumentInput {
        name: b.name,
        model: b.model,
        specs: b.specs,
        owner: b.owner,
        owner_uscc: b.owner_uscc,
        location: b.location,
        region: b.region,
        fee: b.fee,
    };
    match service::add_instrument(&st.store, who.as_bureau()?, &input).await? {
        (Saved::Done, Some(id)) => {
            let i: InstrumentOut = st.store.instrument(id).await?.into();
            Ok((StatusCode::CREATED, Json(i)).into_response())
        }
        (Saved::Refused(p), _) => Ok(refused_fields(&headers, p)),
        (Saved::Done, None) => Err(crate::error::AppError::internal("saved without an id").into()),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct BookingIn {
    /// The day, as written (2026-12-10, 2026年12月10日); today or later.
    day: String,
    /// 0–23.
    start_hour: String,
    /// 1–24, within the day.
    hours: String,
    purpose: String,
}

#[derive(Serialize, ToSchema)]
pub struct BookingOut {
    id: i64,
    instrument_id: i64,
    instrument: String,
    uscc: String,
    name: String,
    region: String,
    day: String,
    start_hour: i64,
    hours: i64,
    purpose: String,
    /// requested, approved, declined, used or cancelled.
    status: &'static str,
    response: String,
    used_hours: Option<f64>,
}

impl From<BookingRecord> for BookingOut {
    fn from(b: BookingRecord) -> Self {
        Self {
            id: b.id,
            instrument_id: b.instrument_id,
            instrument: b.instrument,
            uscc: b.uscc,
            name: b.name,
            region: b.region_code,
            day: b.day,
            start_hour: b.start_hour,
            hours: b.hours,
            purpose: b.purpose,
            status: b.status.code(),
            response: b.response,
            used_hours: b.used_hours,
        }
    }
}

/// An enterprise books hours on an instrument.
#[utoipa::path(post, path = "/api/v1/instruments/{id}/bookings", tag = "services",
    params(("id" = i64, Path, description = "The instrument's id")), request_body = BookingIn,
    responses((status = 201, description = "The booking", body = BookingOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn book(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<BookingIn>,
) -> Result<Response, ApiError> {
    let input = BookingInput {
        day: b.day,
        start_hour: b.start_hour,
        hours: b.hours,
        purpose: b.purpose,
    };
    match service::book(&st.store, who.as_applicant()?, id, &input).await? {
        (Saved::Done, Some(id)) => {
            let out: BookingOut = st.store.booking(id).await?.into();
            Ok((StatusCode::CREATED, Json(out)).into_response())
        }
        (Saved::Refused(p), _) => Ok(refused_fields(&headers, p)),
        (Saved::Done, None) => Err(crate::error::AppError::internal("saved without an id").into()),
    }
}

/// Bookings the caller may see: an enterprise its own and those of instruments it owns;
/// officers those from their region.
#[utoipa::path(get, path = "/api/v1/instrument-bookings", tag = "services",
    responses((status = 200, description = "Bookings", body = [BookingOut])))]
pub async fn bookings(
    State(st): State<AppState>,
    who: Caller,
) -> Result<Json<Vec<BookingOut>>, ApiError> {
    let all = service::bookings(&st.store, &who).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// A step on a booking: `approve`, `decline`, `record_use` (the owner, with `hours`);
/// `cancel` (the enterprise).
#[utoipa::path(post, path = "/api/v1/instrument-bookings/{id}/{action}", tag = "services",
    params(("id" = i64, Path, description = "The booking's id"),
           ("action" = String, Path, description = "approve, decline, record_use or cancel")),
    request_body = StepIn,
    responses((status = 200, description = "The booking", body = BookingOut)))]
pub async fn booking_step(
    State(st): State<AppState>,
    who: Caller,
    Path((id, action)): Path<(i64, String)>,
    Json(b): Json<StepIn>,
) -> Result<Json<BookingOut>, ApiError> {
    let input = StepInput {
        response: b.response,
        amount: String::new(),
        hours: b.hours,
    };
    service::step_booking(&st.store, &who, id, &action, &input).await?;
    Ok(Json(st.store.booking(id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct CountOut {
    /// The served enterprise's county.
    region: String,
    /// Services completed.
    services: i64,
    /// Instrument hours used.
    hours: f64,
}

/// Services delivered and instrument hours used, by county.
#[utoipa::path(get, path = "/api/v1/service-counts", tag = "services",
    responses((status = 200, description = "By county", body = [CountOut])))]
pub async fn counts(State(st): State<AppState>) -> Result<Json<Vec<CountOut>>, ApiError> {
    let all = service::counts(&st.store).await?;
    Ok(Json(
        all.into_iter()
            .map(|(region, c)| CountOut {
                region,
                services: c.services,
                hours: c.hours,
            })
            .collect(),
    ))
}
