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
#[into_params(parameter_in = Query)]
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
#[into_params(parameter_in = Query)]
pub struct TrainingQuery {
    /// The survey year the sessions prepare (held from its January to the next June).
    #[param(minimum = 1949, maximum = 2200)]
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
    let list =
        service::trainings(&st.store, &who, super::year(q.year)?, q.region.as_deref()).await?;
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The survey's year.
    #[param(minimum = 1949, maximum = 2200)]
    year: i32,
}

/// An enterprise's R&D survey of a year (万元 as text, as a form shows it).
#[derive(Serialize, ToSchema)]
pub struct SurveyOut {
    uscc: String,
    name: String,
    year: i32,
    /// none (nothing saved), draft, submitted, checked, accepted or returned.
    status: &'static str,
    /// Why it was returned, when it was.
    comment: String,
    rd_staff: i64,
    rd_total_wan: String,
    /// labour, materials, depreciation, amortisation, design, trials, outsourced, other (万元).
    parts: std::collections::BTreeMap<&'static str, String>,
    super_deduction_base_wan: Option<String>,
    note: String,
    gov_funds_wan: Option<String>,
    institutions: Option<i64>,
    patent_applications: Option<i64>,
    new_product_sales_wan: Option<String>,
}

fn survey_out(s: &kechuang_domain::rd::Survey, status: &'static str, comment: String) -> SurveyOut {
    SurveyOut {
        uscc: s.uscc.clone(),
        name: s.name.clone(),
        year: s.year,
        status,
        comment,
        rd_staff: s.staff,
        rd_total_wan: s.total.wan_text(),
        parts: kechuang_domain::rd::PARTS
            .iter()
            .zip(s.parts)
            .map(|((k, _, _), f)| (*k, f.wan_text()))
            .collect(),
        super_deduction_base_wan: s.super_deduction_base.map(|f| f.wan_text()),
        note: s.note.clone(),
        gov_funds_wan: s.details.gov_funds.map(|f| f.wan_text()),
        institutions: s.details.institutions,
        patent_applications: s.details.patent_applications,
        new_product_sales_wan: s.details.new_product_sales.map(|f| f.wan_text()),
    }
}

/// The caller's own R&D survey of a year (an enterprise account); `status` none before it is
/// first saved.
#[utoipa::path(get, path = "/api/v1/rd/survey", tag = "rd", params(YearQuery),
    responses((status = 200, description = "The survey", body = SurveyOut)))]
pub async fn own_survey(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<YearQuery>,
) -> Result<Json<SurveyOut>, ApiError> {
    let year = super::year(q.year)?;
    let own = service::own_survey(&st.store, &who, year).await?;
    Ok(Json(match own.survey {
        Some((s, status, comment)) => survey_out(&s, status.code(), comment),
        None => SurveyOut {
            uscc: own.enterprise.uscc,
            name: own.enterprise.name,
            year,
            status: "none",
            comment: String::new(),
            rd_staff: 0,
            rd_total_wan: String::new(),
            parts: Default::default(),
            super_deduction_base_wan: None,
            note: String::new(),
            gov_funds_wan: None,
            institutions: None,
            patent_applications: None,
            new_product_sales_wan: None,
        },
    }))
}

/// A figure as a client sends it: a JSON number or text (such as "12.5" or "12.5万元").
#[derive(Deserialize, Default, Clone)]
#[serde(untagged)]
pub enum Figure {
    #[default]
    None,
    Number(serde_json::Number),
    Text(String),
}

impl Figure {
    fn text(&self) -> String {
        match self {
            Self::None => String::new(),
            Self::Number(n) => n.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

/// The survey as an enterprise sends it: figures in 万元, as numbers or text.
#[derive(Deserialize, ToSchema)]
pub struct SurveyIn {
    #[schema(minimum = 1949, maximum = 2200)]
    year: i32,
    #[schema(value_type = String)]
    rd_staff: Figure,
    #[schema(value_type = String)]
    rd_total_wan: Figure,
    /// By part: labour, materials, depreciation, amortisation, design, trials, outsourced,
    /// other; a part left out is 0.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, String>)]
    parts: std::collections::HashMap<String, Figure>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    super_deduction_base_wan: Figure,
    #[serde(default)]
    note: String,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    gov_funds_wan: Figure,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    institutions: Figure,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    patent_applications: Figure,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    new_product_sales_wan: Figure,
    /// Also send it to the county (otherwise it is saved as a draft).
    #[serde(default)]
    submit: bool,
}

/// Saves the caller's own survey, checked as the statistics office checks it, and with
/// `submit` sends it to the county. Problems come back by field, nothing saved.
#[utoipa::path(put, path = "/api/v1/rd/survey", tag = "rd", request_body = SurveyIn,
    responses(
        (status = 200, description = "Saved", body = SurveyOut),
        (status = 422, description = "Some figures are not valid (`invalid_fields`; `details` by field); nothing was saved", body = crate::error::ErrorBody),
        (status = 409, description = "Already submitted: it can no longer be changed", body = crate::error::ErrorBody),
    ))]
pub async fn save_own_survey(
    State(st): State<AppState>,
    who: Caller,
    headers: axum::http::HeaderMap,
    Json(b): Json<SurveyIn>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let mut input = service::SurveyInput {
        staff: b.rd_staff.text(),
        total: b.rd_total_wan.text(),
        super_deduction_base: b.super_deduction_base_wan.text(),
        note: b.note,
        gov_funds: b.gov_funds_wan.text(),
        institutions: b.institutions.text(),
        patent_applications: b.patent_applications.text(),
        new_product_sales: b.new_product_sales_wan.text(),
        ..Default::default()
    };
    for (i, (key, _, _)) in kechuang_domain::rd::PARTS.iter().enumerate() {
        input.parts[i] = b.parts.get(*key).map(Figure::text).unwrap_or_default();
    }
    let year = super::year(b.year)?;
    match service::save_own(&st.store, &who, &who.actor(), year, &input, b.submit).await? {
        kechuang_service::Saved::Done => {
            let own = service::own_survey(&st.store, &who, year).await?;
            let (s, status, comment) = own
                .survey
                .ok_or_else(|| crate::error::AppError::internal("the saved survey is gone"))?;
            Ok(Json(survey_out(&s, status.code(), comment)).into_response())
        }
        kechuang_service::Saved::Refused(problems) => {
            Ok(crate::error::refused_fields(&headers, problems))
        }
    }
}

/// An enterprise's survey for its county or the bureau (an enterprise reads its own).
#[utoipa::path(get, path = "/api/v1/rd/surveys/{uscc}/{year}", tag = "rd",
    params(("uscc" = String, Path, description = "The enterprise's credit code"),
           ("year" = i32, Path, description = "The survey's year")),
    responses((status = 200, description = "The survey", body = SurveyOut)))]
pub async fn survey(
    State(st): State<AppState>,
    who: Caller,
    axum::extract::Path((uscc, year)): axum::extract::Path<(String, i32)>,
) -> Result<Json<SurveyOut>, ApiError> {
    let (s, status, comment) = service::survey_for_review(&st.store, &who, &uscc, year).await?;
    Ok(Json(survey_out(&s, status.code(), comment)))
}

#[derive(Deserialize, ToSchema)]
pub struct StepIn {
    /// Why, required to return it.
    #[serde(default)]
    comment: String,
}

/// A step on an enterprise's survey: `check` (its county sends it on) or `accept` (the
/// bureau); `return` (either, with a comment) sends it back to the enterprise.
#[utoipa::path(post, path = "/api/v1/rd/surveys/{uscc}/{year}/{action}", tag = "rd",
    params(("uscc" = String, Path, description = "The enterprise's credit code"),
           ("year" = i32, Path, description = "The survey's year"),
           ("action" = String, Path, description = "check, accept or return")),
    request_body = StepIn,
    responses((status = 200, description = "The survey after the step", body = SurveyOut),
              (status = 409, description = "Not a step the caller can take now", body = crate::error::ErrorBody)))]
pub async fn step(
    State(st): State<AppState>,
    who: Caller,
    axum::extract::Path((uscc, year, action)): axum::extract::Path<(String, i32, String)>,
    Json(b): Json<StepIn>,
) -> Result<Json<SurveyOut>, ApiError> {
    let action = kechuang_domain::rd::SurveyAction::parse(&action)
        .filter(|a| *a != kechuang_domain::rd::SurveyAction::Submit)
        .ok_or_else(|| {
            crate::error::AppError::not_found(kechuang_service::Missing::Action {
                action: action.clone(),
            })
        })?;
    service::act_on_survey(
        &st.store,
        &who,
        &who.actor(),
        &uscc,
        year,
        action,
        &b.comment,
    )
    .await?;
    let (s, status, comment) = service::survey_for_review(&st.store, &who, &uscc, year).await?;
    Ok(Json(survey_out(&s, status.code(), comment)))
}
