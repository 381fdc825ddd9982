//! R&D statistics over JSON: the 应统尽统 coverage check.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use kechuang_service::rd as service;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct CoverageQuery {
    /// The survey year.
    year: String,
    /// A region within the caller's (a county); the caller's own by default.
    region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MissingReport {
    uscc: String,
    name: String,
    region: String,
    /// super_deduction, hte, rd_institution.
    reasons: Vec<&'static str>,
    /// It attended an R&D statistics training session for the year (January of the year to
    /// June of the next).
    trained: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CountyCoverage {
    region: String,
    should: usize,
    reported: usize,
    rate: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Coverage {
    year: i32,
    region: String,
    /// Enterprises that should report R&D.
    should: usize,
    /// Of them, those whose survey shows R&D.
    reported: usize,
    /// reported ÷ should × 100.
    rate: Option<f64>,
    missing: Vec<MissingReport>,
    by_county: Vec<CountyCoverage>,
}

/// 应统尽统: the enterprises that should report R&D for a year (on the super-deduction list,
/// holding a valid high-tech certificate, or above scale with an R&D institution) against those
/// whose survey shows R&D, with the missing ones and why each should report.
#[utoipa::path(get, path = "/api/v1/rd/coverage", tag = "rd", params(CoverageQuery),
    responses((status = 200, description = "The coverage check", body = Coverage)))]
pub async fn coverage(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<CoverageQuery>,
) -> Result<Json<Coverage>, ApiError> {
    let c = service::coverage(&st.store, &who, &q.year, q.region.as_deref()).await?;
    Ok(Json(Coverage {
        year: c.year,
        region: c.region,
        should: c.should,
        reported: c.reported,
        rate: c.rate,
        missing: c
            .missing
            .into_iter()
            .map(|m| MissingReport {
                uscc: m.uscc,
                name: m.name,
                region: m.region,
                reasons: m.reasons.iter().map(|r| r.code()).collect(),
                trained: m.trained,
            })
            .collect(),
        by_county: c
            .by_county
            .into_iter()
            .map(|b| CountyCoverage {
                region: b.region,
                should: b.should,
                reported: b.reported,
                rate: b.rate,
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct TrainingQuery {
    /// The survey year the sessions prepare (held from its January to the next June).
    year: i32,
    /// A region within the caller's; the caller's own by default. Sessions held above it (the
    /// city's) are included.
    region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Training {
    id: i64,
    #[schema(format = Date)]
    held_on: String,
    title: String,
    /// Where it was held.
    region: String,
    /// Enterprises that attended.
    attendees: i64,
}

/// The R&D statistics training sessions for a year's survey, from their sign-in sheets
/// (`POST /api/v1/imports/rd-training`).
#[utoipa::path(get, path = "/api/v1/rd/trainings", tag = "rd", params(TrainingQuery),
    responses((status = 200, description = "The sessions, newest first", body = [Training])))]
pub async fn trainings(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<TrainingQuery>,
) -> Result<Json<Vec<Training>>, ApiError> {
    let list = service::trainings(&st.store, &who, q.year, q.region.as_deref()).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| Training {
                id: t.id,
                held_on: t.held_on,
                title: t.title,
                region: t.region_code,
                attendees: t.attendees,
            })
            .collect(),
    ))
}
