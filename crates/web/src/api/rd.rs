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
