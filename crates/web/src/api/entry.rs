//! A county's data entry over JSON: the year's form with the previous figures and the plan's
//! targets beside each field, saving and submitting it, and the bureau's review.

use crate::auth::Caller;
use crate::error::{refused_fields, ApiError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_service::entry::{self, EntrySheet, LineTarget};
use kechuang_service::Saved;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// The plan's target beside a field.
#[derive(Serialize, ToSchema)]
pub struct LineTargetOut {
    /// county (the county's own share), city (the city's target, with no county share) or
    /// via (the figure feeds a computed target, named by `target`).
    kind: &'static str,
    value: f64,
    target: Option<String>,
    unit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryLineOut {
    indicator: String,
    name: String,
    name_en: String,
    unit: String,
    /// The previous year's figure, for comparison.
    previous: Option<f64>,
    value: Option<f64>,
    note: String,
    target: Option<LineTargetOut>,
}

#[derive(Serialize, ToSchema)]
pub struct EntrySheetOut {
    region: String,
    region_name: String,
    period: String,
    /// draft, submitted, returned or approved; none before anything was saved.
    status: Option<&'static str>,
    /// The bureau's comment when it returned the figures.
    comment: String,
    lines: Vec<EntryLineOut>,
    history: Vec<super::programmes::Transition>,
}

impl From<EntrySheet> for EntrySheetOut {
    fn from(s: EntrySheet) -> Self {
        let (status, comment, history) = match s.ret {
            Some(r) => (
                Some(r.status.as_str()),
                r.comment,
                r.transitions.into_iter().map(Into::into).collect(),
            ),
            None => (None, String::new(), Vec::new()),
        };
        Self {
            region: s.region.code.to_string(),
            region_name: s.region.name,
            period: s.period.to_string(),
            status,
            comment,
            lines: s
                .lines
                .into_iter()
                .map(|l| EntryLineOut {
                    target: l.target.map(|t| match t {
                        LineTarget::County(v) => LineTargetOut {
                            kind: "county",
                            value: v,
                            target: None,
                            unit: None,
                        },
                        LineTarget::City(v) => LineTargetOut {
                            kind: "city",
                            value: v,
                            target: None,
                            unit: None,
                        },
                        LineTarget::Via { code, value, unit } => LineTargetOut {
                            kind: "via",
                            value,
                            target: Some(code),
                            unit: Some(unit),
                        },
                    }),
                    indicator: l.indicator.code,
                    name: l.indicator.name,
                    name_en: l.indicator.name_en,
                    unit: l.indicator.unit,
                    previous: l.previous,
                    value: l.value,
                    note: l.note,
                })
                .collect(),
            history,
        }
    }
}

/// A county's form of figures for a year.
#[utoipa::path(get, path = "/api/v1/entry/{region}/{period}", tag = "entry",
    params(("region" = String, Path, description = "A county's code, e.g. 440203"),
           ("period" = String, Path, description = "The year, e.g. 2019")),
    responses((status = 200, description = "The county's form for the year", body = EntrySheetOut)))]
pub async fn sheet(
    State(st): State<AppState>,
    who: Caller,
    Path((region, period)): Path<(String, String)>,
) -> Result<Json<EntrySheetOut>, ApiError> {
    Ok(Json(
        entry::entry_sheet(&st.store, &who, &region, &period)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct EntryBody {
    /// Figures by indicator code; blank ones are not reported.
    #[schema(value_type = HashMap<String, f64>)]
    values: HashMap<String, serde_json::Value>,
    /// Notes by indicator code: needed where a figure moves more than 50 % from last year's.
    #[serde(default)]
    notes: HashMap<String, String>,
    /// Send the figures to the bureau, rather than keep them as a draft.
    #[serde(default)]
    submit: bool,
}

/// The county saves its figures, or submits them; every figure is checked first.
#[utoipa::path(put, path = "/api/v1/entry/{region}/{period}", tag = "entry",
    params(("region" = String, Path, description = "The county's code"),
           ("period" = String, Path, description = "The year")),
    request_body = EntryBody,
    responses(
        (status = 200, description = "Saved (and submitted when asked)", body = EntrySheetOut),
        (status = 422, description = "Some figures are not valid (`invalid_fields`, by indicator in `details`); nothing was saved", body = crate::error::ErrorBody),
    ))]
pub async fn save(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path((region, period)): Path<(String, String)>,
    Json(b): Json<EntryBody>,
) -> Result<Response, ApiError> {
    // The form's own field names: v_{indicator} for a figure, n_{indicator} for its note.
    let mut fields: HashMap<String, String> = HashMap::new();
    for (code, v) in b.values {
        fields.insert(format!("v_{code}"), super::as_typed(v));
    }
    for (code, note) in b.notes {
        fields.insert(format!("n_{code}"), note);
    }
    match entry::save(
        &st.store,
        who.as_county()?,
        &region,
        &period,
        &fields,
        b.submit,
    )
    .await?
    {
        Saved::Done => {
            let sheet = entry::entry_sheet(&st.store, &who, &region, &period).await?;
            Ok(Json(EntrySheetOut::from(sheet)).into_response())
        }
        Saved::Refused(problems) => Ok(refused_fields(&headers, problems)),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    /// approve, return (with a comment) or unlock.
    action: String,
    #[schema(max_length = 5000)]
    comment: Option<String>,
}

/// The bureau approves a county's return (its figures become the county's observations and
/// the year is locked), returns it with a comment, or unlocks an approved one.
#[utoipa::path(post, path = "/api/v1/entry/{region}/{period}/review", tag = "entry",
    params(("region" = String, Path, description = "The county's code"),
           ("period" = String, Path, description = "The year")),
    request_body = ReviewBody,
    responses((status = 200, description = "The return after the review", body = EntrySheetOut)))]
pub async fn review(
    State(st): State<AppState>,
    who: Caller,
    Path((region, period)): Path<(String, String)>,
    Json(b): Json<ReviewBody>,
) -> Result<Json<EntrySheetOut>, ApiError> {
    entry::review(
        &st.store,
        who.as_bureau()?,
        &region,
        &period,
        &b.action,
        b.comment.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(
        entry::entry_sheet(&st.store, &who, &region, &period)
            .await?
            .into(),
    ))
}
