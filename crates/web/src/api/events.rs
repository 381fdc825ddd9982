//! Events over JSON: the list with the yearly record, one event, the bureau's announcement,
//! registrations (an enterprise's own, the bureau's list), cancellation, check-in, outcome.

use crate::auth::{Caller, Client, Identity};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use kechuang_domain::auth::Role;
use kechuang_service::events::{self as service, EventInput, Registrant};
use kechuang_store::{EventRecord, RegistrationRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    id: i64,
    /// competition, forum, training, outreach or matchmaking.
    kind: &'static str,
    title: String,
    summary: String,
    /// Markdown.
    agenda: String,
    speakers: String,
    place: String,
    region: Option<String>,
    starts_on: String,
    ends_on: String,
    registration_closes: Option<String>,
    /// 0: no limit.
    capacity: u32,
    /// planned, held or cancelled.
    status: &'static str,
    organisers: Vec<String>,
    registered: i64,
    waitlisted: i64,
    checked_in: i64,
    projects_matched: i64,
    agreements_signed: i64,
    outcome: String,
}

fn event_out(e: EventRecord) -> EventOut {
    EventOut {
        id: e.id,
        kind: e.kind.as_str(),
        title: e.title,
        summary: e.summary,
        agenda: e.agenda,
        speakers: e.speakers,
        place: e.place,
        region: e.region_code,
        starts_on: e.starts_on,
        ends_on: e.ends_on,
        registration_closes: e.registration_closes,
        capacity: e.capacity,
        status: e.status.as_str(),
        organisers: e.organisers,
        registered: e.registered,
        waitlisted: e.waitlisted,
        checked_in: e.checked_in,
        projects_matched: e.projects_matched,
        agreements_signed: e.agreements_signed,
        outcome: e.outcome,
    }
}

#[derive(Serialize, ToSchema)]
pub struct YearOut {
    year: i32,
    kind: &'static str,
    held: usize,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    /// The latest first.
    items: Vec<EventOut>,
    /// Events held per kind and year (by their first day).
    held: Vec<YearOut>,
}

/// Every event with the yearly record of events held.
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    responses((status = 200, description = "Events", body = EventList)))]
pub async fn list(State(st): State<AppState>) -> Result<Json<EventList>, ApiError> {
    let items = service::list(&st.store).await?;
    let held = service::yearly(&st.store, (1900, 2999))
        .await?
        .into_iter()
        .map(|((kind, year), held)| YearOut {
            year,
            kind: kind.as_str(),
            held,
        })
        .collect();
    Ok(Json(EventList {
        items: items.into_iter().map(event_out).collect(),
        held,
    }))
}

/// One event (who registered is the bureau's: `/registrations`).
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    params(("id" = i64, Path, description = "The event's id")),
    responses((status = 200, description = "The event", body = EventOut)))]
pub async fn event(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<EventOut>, ApiError> {
    Ok(Json(event_out(service::event(&st.store, id).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EventIn {
    kind: String,
    title: String,
    summary: String,
    agenda: String,
    speakers: String,
    place: String,
    /// A county's code; blank for the city.
    region: String,
    /// YYYY-MM-DD (or 2019年11月8日…).
    starts_on: String,
    /// Blank: one day.
    ends_on: String,
    /// Blank: the day before it starts.
    registration_closes: String,
    /// 0 or blank: no limit.
    capacity: String,
    /// Units by code or name.
    organisers: Vec<String>,
}

impl From<EventIn> for EventInput {
    fn from(b: EventIn) -> Self {
        Self {
            kind: b.kind,
            title: b.title,
            summary: b.summary,
            agenda: b.agenda,
            speakers: b.speakers,
            place: b.place,
            region: b.region,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            registration_closes: b.registration_closes,
            capacity: b.capacity,
            organisers: b.organisers.join("\n"),
        }
    }
}

async fn put(
    st: &AppState,
    who: &Caller,
    headers: &HeaderMap,
    created: Option<i64>,
    b: EventIn,
) -> Result<Response, ApiError> {
    match service::put(&st.store, who.as_bureau()?, created, &b.into()).await? {
        (kechuang_service::Saved::Done, Some(id)) => {
            let e = event_out(service::event(&st.store, id).await?);
            let code = if created.is_none() {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((code, Json(e)).into_response())
        }
        (kechuang_service::Saved::Refused(p), _) => Ok(crate::error::refused_fields(headers, p)),
        (kechuang_service::Saved::Done, None) => {
            Err(crate::error::AppError::internal("saved without an id").into())
        }
    }
}

/// The bureau announces an event; problems come back by field.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = EventIn,
    responses((status = 201, description = "The event", body = EventOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Json(b): Json<EventIn>,
) -> Result<Response, ApiError> {
    put(&st, &who, &headers, None, b).await
}

/// The bureau corrects an event.
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events",
    params(("id" = i64, Path, description = "The event's id")), request_body = EventIn,
    responses((status = 200, description = "The event", body = EventOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<EventIn>,
) -> Result<Response, ApiError> {
    put(&st, &who, &headers, Some(id), b).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RegisterIn {
    attendee: String,
    /// An individual's organisation; an enterprise's account registers its enterprise.
    organisation: String,
    phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    id: i64,
    /// registered or waitlisted.
    seat: &'static str,
}

/// Registers for an event: an enterprise's account for its enterprise (once), anyone else as a
/// person. A full event puts the registration on the waiting list.
#[utoipa::path(post, path = "/api/v1/events/{id}/registrations", tag = "events",
    params(("id" = i64, Path, description = "The event's id")), request_body = RegisterIn,
    responses((status = 201, description = "The registration and its seat", body = Registered),
              (status = 409, description = "Closed, or registered already (`event_registration_closed`, `event_already_registered`)", body = crate::error::ErrorBody)))]
pub async fn register(
    State(st): State<AppState>,
    Extension(identity): Extension<Identity>,
    Extension(Client(client)): Extension<Client>,
    Path(id): Path<i64>,
    Json(b): Json<RegisterIn>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let caller = identity.caller();
    let who = match caller.as_deref() {
        Some(w) if w.role() == Role::Enterprise => Registrant::Enterprise(w.as_applicant()?),
        _ => Registrant::Person { client: &client },
    };
    let (rid, seat) = service::register(
        &st.store,
        who,
        id,
        (&b.attendee, &b.organisation, &b.phone),
        crate::format::today_in_china(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            id: rid,
            seat: seat.as_str(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationOut {
    id: i64,
    uscc: Option<String>,
    attendee: String,
    organisation: String,
    phone: String,
    /// registered, waitlisted or cancelled.
    seat: &'static str,
    registered_at: String,
    checked_in_at: Option<String>,
}

fn registration_out(r: RegistrationRecord) -> RegistrationOut {
    RegistrationOut {
        id: r.id,
        uscc: r.uscc,
        attendee: r.attendee,
        organisation: r.organisation,
        phone: r.phone,
        seat: r.seat.as_str(),
        registered_at: r.registered_at,
        checked_in_at: r.checked_in_at,
    }
}

/// Who registered, in the order they came: the bureau's list for check-in.
#[utoipa::path(get, path = "/api/v1/events/{id}/registrations", tag = "events",
    params(("id" = i64, Path, description = "The event's id")),
    responses((status = 200, description = "Registrations", body = [RegistrationOut])))]
pub async fn registrations(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RegistrationOut>>, ApiError> {
    let list = service::registrations(&st.store, who.as_bureau()?, id).await?;
    Ok(Json(list.into_iter().map(registration_out).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct MovedUp {
    /// Registrations moved up from the waiting list.
    moved_up: Vec<i64>,
}

/// Gives a seat back (the bureau any, an enterprise its own); the first waiting moves up.
#[utoipa::path(post, path = "/api/v1/event-registrations/{id}/cancel", tag = "events",
    params(("id" = i64, Path, description = "The registration's id")),
    responses((status = 200, description = "Cancelled", body = MovedUp)))]
pub async fn cancel(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<MovedUp>, ApiError> {
    Ok(Json(MovedUp {
        moved_up: service::cancel(&st.store, &who, id).await?,
    }))
}

/// Marks a registered attendee present, while the event runs.
#[utoipa::path(post, path = "/api/v1/event-registrations/{id}/check-in", tag = "events",
    params(("id" = i64, Path, description = "The registration's id")),
    responses((status = 200, description = "Checked in", body = RegistrationOut),
              (status = 409, description = "Not a seat, or not an event day (`event_check_in_seat`, `event_check_in_day`)", body = crate::error::ErrorBody)))]
pub async fn check_in(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<RegistrationOut>, ApiError> {
    service::attend(
        &st.store,
        who.as_bureau()?,
        id,
        crate::format::today_in_china(),
    )
    .await?;
    Ok(Json(registration_out(st.store.registration(id).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OutcomeIn {
    /// true: held; false: cancelled.
    held: bool,
    projects_matched: String,
    agreements_signed: String,
    outcome: String,
}

/// Records the event held (with projects matched and agreements signed) or cancelled.
#[utoipa::path(post, path = "/api/v1/events/{id}/outcome", tag = "events",
    params(("id" = i64, Path, description = "The event's id")), request_body = OutcomeIn,
    responses((status = 200, description = "The event", body = EventOut)))]
pub async fn outcome(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<OutcomeIn>,
) -> Result<Json<EventOut>, ApiError> {
    let e = service::close(
        &st.store,
        who.as_bureau()?,
        id,
        b.held,
        (&b.projects_matched, &b.agreements_signed, &b.outcome),
        crate::format::today_in_china(),
    )
    .await?;
    Ok(Json(event_out(e)))
}
