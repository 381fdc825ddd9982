//! Task supervision over JSON: responsible units, a plan's tasks with their lights and
//! reports, a unit's report and evidence, the bureau's review and 督办 reminders.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_domain::supervision::Review;
use kechuang_service::supervision as service;
use kechuang_store::{ReminderRecord, ReportRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    code: String,
    name: String,
    name_en: String,
    /// department, county, section or other.
    kind: &'static str,
    /// The county a county government answers for.
    region: Option<String>,
}

/// The responsible units (责任单位) the plans' tasks name.
#[utoipa::path(get, path = "/api/v1/units", tag = "supervision",
    responses((status = 200, description = "Every responsible unit", body = [UnitOut])))]
pub async fn units(State(st): State<AppState>) -> Result<Json<Vec<UnitOut>>, ApiError> {
    Ok(Json(
        st.store
            .units()
            .await?
            .into_iter()
            .map(|u| UnitOut {
                kind: u.kind.as_str(),
                region: u.region.map(|r| r.to_string()),
                code: u.code,
                name: u.name,
                name_en: u.name_en,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The day the lights are for (YYYY-MM-DD); today in China by default.
    as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LightsOut {
    done: usize,
    on_time: usize,
    at_risk: usize,
    overdue: usize,
}

impl From<&service::Lights> for LightsOut {
    fn from(l: &service::Lights) -> Self {
        Self {
            done: l.done,
            on_time: l.on_time,
            at_risk: l.at_risk,
            overdue: l.overdue,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FileOut {
    id: i64,
    name: String,
    size_bytes: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    /// draft, submitted, accepted or returned.
    status: &'static str,
    progress: String,
    percent: u8,
    problems: String,
    /// The bureau's comment on review.
    comment: String,
    updated_by: String,
    updated_at: String,
    submitted_at: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<String>,
    files: Vec<FileOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PeriodOut {
    /// 2019Q3, 2019-07 or 2019.
    period: String,
    /// The day the report is due.
    due: String,
    /// open, submitted, accepted, overdue or returned.
    state: &'static str,
    report: Option<ReportOut>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitProgressOut {
    unit: String,
    name: String,
    /// done, on_time, at_risk or overdue.
    light: &'static str,
    accepted_percent: Option<u8>,
    periods: Vec<PeriodOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ReminderOut {
    id: i64,
    /// 韶科督〔2026〕3号
    number: String,
    task: String,
    unit: String,
    period: String,
    text: String,
    respond_by: String,
    issued_by: String,
    issued_at: String,
}

impl From<&ReminderRecord> for ReminderOut {
    fn from(r: &ReminderRecord) -> Self {
        Self {
            id: r.id,
            number: kechuang_domain::supervision::reminder_number(r.year, r.seq),
            task: r.task_code.clone(),
            unit: r.unit_code.clone(),
            period: r.period.to_string(),
            text: r.text.clone(),
            respond_by: r.respond_by.to_string(),
            issued_by: r.issued_by.clone(),
            issued_at: r.issued_at.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TaskOut {
    code: String,
    measure: String,
    title: String,
    lead: Vec<String>,
    support: Vec<String>,
    start: String,
    deadline: String,
    /// month, quarter or year.
    cadence: &'static str,
    /// The worst of its lead units' lights.
    light: &'static str,
    /// The plan's targets its measure feeds.
    targets: Vec<String>,
    units: Vec<UnitProgressOut>,
    reminders: Vec<ReminderOut>,
}

fn report_out(r: &ReportRecord, files: &[kechuang_store::ReportFile]) -> ReportOut {
    ReportOut {
        status: r.status.as_str(),
        progress: r.progress.clone(),
        percent: r.percent,
        problems: r.problems.clone(),
        comment: r.comment.clone(),
        updated_by: r.updated_by.clone(),
        updated_at: r.updated_at.clone(),
        submitted_at: r.submitted_at.clone(),
        reviewed_by: r.reviewed_by.clone(),
        reviewed_at: r.reviewed_at.clone(),
        files: files
            .iter()
            .filter(|f| f.report_id == r.id)
            .map(|f| FileOut {
                id: f.id,
                name: f.file_name.clone(),
                size_bytes: f.size_bytes,
            })
            .collect(),
    }
}

fn task_out(t: &service::TaskView, files: &[kechuang_store::ReportFile]) -> TaskOut {
    TaskOut {
        code: t.task.code.clone(),
        measure: t.task.measure.clone(),
        title: t.task.title.clone(),
        lead: t.task.lead.clone(),
        support: t.task.support.clone(),
        start: t.task.start.to_string(),
        deadline: t.task.deadline.to_string(),
        cadence: t.task.cadence.as_str(),
        light: t.light.as_str(),
        targets: t.targets.clone(),
        units: t
            .units
            .iter()
            .map(|u| UnitProgressOut {
                unit: u.unit.clone(),
                name: u.unit_name.clone(),
                light: u.light.as_str(),
                accepted_percent: u.accepted_percent,
                periods: u
                    .periods
                    .iter()
                    .map(|p| PeriodOut {
                        period: p.period.to_string(),
                        due: p.due.to_string(),
                        state: p.state.as_str(),
                        report: p.report.as_ref().map(|r| report_out(r, files)),
                    })
                    .collect(),
            })
            .collect(),
        reminders: t.reminders.iter().map(Into::into).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitLineOut {
    unit: String,
    name: String,
    lights: LightsOut,
    reminders: usize,
}

#[derive(Serialize, ToSchema)]
pub struct MeasureLineOut {
    measure: String,
    title: String,
    lights: LightsOut,
    targets: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BoardOut {
    plan: i64,
    as_of: String,
    /// Tasks by light.
    lights: LightsOut,
    by_unit: Vec<UnitLineOut>,
    by_measure: Vec<MeasureLineOut>,
    /// Submitted reports waiting for the bureau.
    to_review: usize,
    tasks: Vec<TaskOut>,
}

/// The supervision board: every task of the plan the caller may see (the bureau all, a
/// county its county government's, a unit its own) with its light on the day asked, and the
/// counts per unit and per measure.
#[utoipa::path(get, path = "/api/v1/plans/{id}/tasks", tag = "supervision",
    params(("id" = i64, Path, description = "The plan's id"), AsOfQuery),
    responses((status = 200, description = "The board", body = BoardOut)))]
pub async fn board(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<BoardOut>, ApiError> {
    let as_of = super::as_of(q.as_of.as_deref())?;
    let b = service::board(&st.store, &who, id, as_of).await?;
    Ok(Json(BoardOut {
        plan: b.plan.id,
        as_of: b.as_of.to_string(),
        lights: (&b.lights).into(),
        by_unit: b
            .by_unit
            .iter()
            .map(|u| UnitLineOut {
                unit: u.unit.code.clone(),
                name: u.unit.name.clone(),
                lights: (&u.lights).into(),
                reminders: u.reminders,
            })
            .collect(),
        by_measure: b
            .by_measure
            .iter()
            .map(|m| MeasureLineOut {
                measure: m.code.clone(),
                title: m.title.clone(),
                lights: (&m.lights).into(),
                targets: m.targets.clone(),
            })
            .collect(),
        to_review: b.to_review,
        tasks: b.tasks.iter().map(|t| task_out(t, &[])).collect(),
    }))
}

/// One task with every lead unit's reports and their evidence files.
#[utoipa::path(get, path = "/api/v1/plans/{id}/tasks/{code}", tag = "supervision",
    params(("id" = i64, Path, description = "The plan's id"),
           ("code" = String, Path, description = "The task's code, e.g. 3.10-1"), AsOfQuery),
    responses((status = 200, description = "The task", body = TaskOut)))]
pub async fn task(
    State(st): State<AppState>,
    who: Caller,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<TaskOut>, ApiError> {
    let as_of = super::as_of(q.as_of.as_deref())?;
    let d = service::task(&st.store, &who, id, &code, as_of).await?;
    Ok(Json(task_out(&d.view, &d.files)))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportIn {
    progress: String,
    /// 0–100 (a number, or text such as "80%").
    #[schema(value_type = Object)]
    percent: serde_json::Value,
    #[serde(default)]
    problems: String,
    /// Send it to the bureau; otherwise kept as a draft.
    #[serde(default)]
    submit: bool,
}

/// A lead unit writes its report of a period (a draft, or sent with `submit`). Problems come
/// back by field with nothing saved.
#[utoipa::path(put, path = "/api/v1/plans/{id}/tasks/{code}/reports/{period}", tag = "supervision",
    params(("id" = i64, Path, description = "The plan's id"),
           ("code" = String, Path, description = "The task's code"),
           ("period" = String, Path, description = "The reporting period, e.g. 2019Q3")),
    request_body = ReportIn,
    responses((status = 200, description = "Saved", body = TaskOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody),
              (status = 409, description = "Already submitted or accepted (`task_report_locked`)", body = crate::error::ErrorBody)))]
pub async fn save_report(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path((id, code, period)): Path<(i64, String, String)>,
    Json(b): Json<ReportIn>,
) -> Result<Response, ApiError> {
    let input = service::ReportInput {
        progress: b.progress,
        percent: super::as_typed(b.percent),
        problems: b.problems,
    };
    let today = crate::format::today_in_china();
    match service::save_report(
        &st.store,
        &who,
        (id, &code, &period),
        &input,
        b.submit,
        today,
    )
    .await?
    {
        (kechuang_service::Saved::Done, _) => {
            let d = service::task(&st.store, &who, id, &code, today).await?;
            Ok(Json(task_out(&d.view, &d.files)).into_response())
        }
        (kechuang_service::Saved::Refused(problems), _) => {
            Ok(crate::error::refused_fields(&headers, problems))
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The file's name; its extension says its type (PDF, Word, WPS, Excel, OFD, JPG, PNG, ZIP).
    #[param(min_length = 1)]
    file_name: String,
}

/// A lead unit attaches an evidence file, as the request body, to its saved report of a
/// period while the report is still its to change.
#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks/{code}/reports/{period}/files", tag = "supervision",
    params(("id" = i64, Path, description = "The plan's id"),
           ("code" = String, Path, description = "The task's code"),
           ("period" = String, Path, description = "The reporting period"), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 201, description = "Stored; the file's id", body = super::applications::Created)))]
pub async fn add_file(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path((id, code, period)): Path<(i64, String, String)>,
    Query(q): Query<FileQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<super::applications::Created>), ApiError> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let today = crate::format::today_in_china();
    let file = service::add_evidence(
        &st.store,
        &who,
        (id, &code, &period),
        (&q.file_name, ctype, &body),
        today,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(super::applications::Created { id: file }),
    ))
}

/// An evidence file, as a download.
#[utoipa::path(get, path = "/api/v1/task-files/{id}", tag = "supervision",
    params(("id" = i64, Path, description = "The file's id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn file(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (name, ctype, data) = service::evidence(&st.store, &who, id).await?;
    Ok(crate::format::file_download(&name, ctype, data))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewIn {
    /// accept or return.
    decision: String,
    /// Required to return.
    #[serde(default)]
    comment: String,
}

kechuang_domain::problems! {
    enum DecisionProblem {
        Unknown { raw: String } = "invalid_decision" {
            zh: "decision '{raw}' 应为 accept 或 return", en: "decision '{raw}' is accept or return",
        },
    }
}

/// The bureau accepts a unit's submitted report, or returns it with the reason.
#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks/{code}/units/{unit}/reports/{period}/review", tag = "supervision",
    params(("id" = i64, Path, description = "The plan's id"),
           ("code" = String, Path, description = "The task's code"),
           ("unit" = String, Path, description = "The lead unit's code"),
           ("period" = String, Path, description = "The reporting period")),
    request_body = ReviewIn,
    responses((status = 204, description = "Reviewed"),
              (status = 409, description = "Not submitted, or a return without a comment", body = crate::error::ErrorBody)))]
pub async fn review(
    State(st): State<AppState>,
    who: Caller,
    Path((id, code, unit, period)): Path<(i64, String, String, String)>,
    Json(b): Json<ReviewIn>,
) -> Result<StatusCode, ApiError> {
    let how = match b.decision.trim() {
        "accept" => Review::Accept,
        "return" => Review::Return,
        other => {
            return Err(crate::error::AppError::invalid(DecisionProblem::Unknown {
                raw: other.chars().take(40).collect(),
            })
            .into())
        }
    };
    service::review_report(
        &st.store,
        who.as_bureau()?,
        (id, &code, &unit, &period),
        how,
        &b.comment,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReminderIn {
    text: String,
    /// The day the unit is to answer by (after today).
    respond_by: String,
}

/// The bureau issues a 督办 notice to a lead unit whose report of a period is overdue.
#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks/{code}/units/{unit}/reports/{period}/reminders", tag = "supervision",
    params(("id" = i64, Path, description = "The plan's id"),
           ("code" = String, Path, description = "The task's code"),
           ("unit" = String, Path, description = "The lead unit's code"),
           ("period" = String, Path, description = "The overdue period")),
    request_body = ReminderIn,
    responses((status = 201, description = "Issued", body = ReminderOut),
              (status = 409, description = "The report is not overdue (`task_not_overdue`)", body = crate::error::ErrorBody)))]
pub async fn remind(
    State(st): State<AppState>,
    who: Caller,
    Path((id, code, unit, period)): Path<(i64, String, String, String)>,
    Json(b): Json<ReminderIn>,
) -> Result<(StatusCode, Json<ReminderOut>), ApiError> {
    let input = service::ReminderInput {
        text: b.text,
        respond_by: b.respond_by,
    };
    let r = service::remind(
        &st.store,
        who.as_bureau()?,
        (id, &code, &unit, &period),
        &input,
        crate::format::today_in_china(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json((&r).into())))
}

/// A 督办 notice: to the bureau, or the unit it is addressed to.
#[utoipa::path(get, path = "/api/v1/reminders/{id}", tag = "supervision",
    params(("id" = i64, Path, description = "The reminder's id")),
    responses((status = 200, description = "The reminder", body = ReminderOut)))]
pub async fn reminder(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ReminderOut>, ApiError> {
    let (r, _, _, _) = service::reminder(&st.store, &who, id).await?;
    Ok(Json((&r).into()))
}
