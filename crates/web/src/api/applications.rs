//! Calls, applications, expert review and the expert pool over JSON: everything the pages
//! offer, so a script can take an application from submission to acceptance.

use crate::auth::Caller;
use crate::error::{refused_fields, refused_fields_kept, ApiError};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_domain::application::AppStatus;
use kechuang_domain::auth::Role;
use kechuang_service::applications as svc;
use kechuang_service::Saved;
use kechuang_store::{ApplicationRecord, CallRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

/// A call for applications (申报指南).
#[derive(Serialize, ToSchema)]
pub struct Call {
    id: i64,
    programme_code: String,
    programme_name: String,
    year: i32,
    title: String,
    opens_on: String,
    closes_on: String,
    /// How many applications were sent to it.
    applications: i64,
    /// The guide's text, as the bureau wrote it (plain text).
    guide: String,
    /// Whether enterprises registered outside the city with an operating site in it may apply
    /// (异地申报).
    offsite_open: bool,
}

impl From<CallRecord> for Call {
    fn from(c: CallRecord) -> Self {
        Self {
            id: c.id,
            programme_code: c.programme_code,
            programme_name: c.programme_name,
            year: c.year,
            title: c.title,
            opens_on: c.opens_on,
            closes_on: c.closes_on,
            applications: c.applications,
            guide: c.guide,
            offsite_open: c.offsite_open,
        }
    }
}

/// A file of a call's guide.
#[derive(Serialize, ToSchema)]
pub struct GuideFileOut {
    id: i64,
    file_name: String,
    content_type: String,
    size: i64,
    uploaded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct CallList {
    items: Vec<Call>,
}

/// Calls for applications.
#[utoipa::path(get, path = "/api/v1/calls", tag = "applications",
    responses((status = 200, description = "Every call, newest first", body = CallList)))]
pub async fn calls(State(st): State<AppState>) -> Result<Json<CallList>, ApiError> {
    let items = st
        .store
        .calls()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(CallList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCall {
    /// A programme that takes applications, e.g. key-projects.
    programme: String,
    #[schema(value_type = i32, minimum = 1949, maximum = 2200)]
    year: serde_json::Value,
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    #[schema(format = Date)]
    opens_on: String,
    #[schema(format = Date)]
    closes_on: String,
    /// Open to off-site applicants (registered outside the city, with a site in it).
    #[serde(default)]
    offsite_open: bool,
}

/// The bureau publishes a call.
#[utoipa::path(post, path = "/api/v1/calls", tag = "applications",
    request_body = NewCall,
    responses((status = 201, description = "The call", body = Call)))]
pub async fn create_call(
    State(st): State<AppState>,
    who: Caller,
    Json(c): Json<NewCall>,
) -> Result<(StatusCode, Json<Call>), ApiError> {
    let year = super::as_typed(c.year);
    let input = svc::CallInput {
        programme: &c.programme,
        year: &year,
        title: &c.title,
        opens_on: &c.opens_on,
        closes_on: &c.closes_on,
        offsite_open: c.offsite_open,
    };
    let id = svc::create_call(&st.store, who.as_bureau()?, &input).await?;
    Ok((StatusCode::CREATED, Json(st.store.call(id).await?.into())))
}

/// An application as a list shows it.
#[derive(Serialize, ToSchema)]
pub struct ApplicationItem {
    id: i64,
    call_id: i64,
    programme_code: String,
    year: i32,
    uscc: String,
    name: String,
    region_code: String,
    title: String,
    /// In fen.
    requested: i64,
    /// draft, submitted, county_passed, bureau_passed, expert_review, scored, proposed,
    /// funded, reporting, accepted, returned or rejected.
    #[schema(value_type = String)]
    status: AppStatus,
    /// The trimmed mean of the experts' totals, once all have scored.
    score: Option<f64>,
    submitted_at: Option<String>,
    updated_at: String,
}

impl From<&ApplicationRecord> for ApplicationItem {
    fn from(a: &ApplicationRecord) -> Self {
        Self {
            id: a.id,
            call_id: a.call_id,
            programme_code: a.programme_code.clone(),
            year: a.year,
            uscc: a.uscc.clone(),
            name: a.name.clone(),
            region_code: a.region_code.clone(),
            title: a.title.clone(),
            requested: a.requested.0,
            status: a.status,
            score: a.score,
            submitted_at: a.submitted_at.clone(),
            updated_at: a.updated_at.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CallDetail {
    call: Call,
    /// The guide's files, to download from `/api/v1/calls/{id}/files/{file}`.
    files: Vec<GuideFileOut>,
    /// The applications the caller may see.
    applications: Vec<ApplicationItem>,
}

/// A call with the applications the caller may see.
#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "applications",
    params(("id" = i64, Path, description = "The call's id")),
    responses((status = 200, description = "The call with the applications the caller may see", body = CallDetail)))]
pub async fn call(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<CallDetail>, ApiError> {
    let (c, apps) = svc::call_with_applications(&st.store, &who, id).await?;
    let files = svc::guide_files(&st.store, id).await?;
    Ok(Json(CallDetail {
        call: c.into(),
        files: files
            .into_iter()
            .map(|f| GuideFileOut {
                id: f.id,
                file_name: f.file_name,
                content_type: f.content_type,
                size: f.size,
                uploaded_at: f.uploaded_at,
            })
            .collect(),
        applications: apps.iter().map(Into::into).collect(),
    }))
}

/// The id of what was created (an application, a file).
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub(crate) id: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplyQuery {
    /// For an off-site enterprise: the operating site it applies through (its first site in
    /// the programme's region when left out). The site's county reviews the application.
    site: Option<i64>,
}

/// An enterprise starts an application (a draft) to a call that is open today; an enterprise
/// that has one for the call gets that one (200), never a second.
#[utoipa::path(post, path = "/api/v1/calls/{id}/applications", tag = "applications",
    params(("id" = i64, Path, description = "The call's id"), ApplyQuery),
    responses((status = 201, description = "The new application's id", body = Created),
              (status = 200, description = "The enterprise's application to this call, made before", body = Created)))]
pub async fn apply(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ApplyQuery>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (id, new) = svc::apply(&st.store, &who, id, q.site).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct GuideBody {
    /// The guide's text (plain text; line breaks are kept).
    #[schema(max_length = 20000)]
    guide: String,
}

/// The bureau writes a call's guide (申报指南).
#[utoipa::path(put, path = "/api/v1/calls/{id}/guide", tag = "applications",
    params(("id" = i64, Path, description = "The call's id")),
    request_body = GuideBody,
    responses((status = 204, description = "Saved")))]
pub async fn put_guide(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(body): Json<GuideBody>,
) -> Result<StatusCode, ApiError> {
    svc::set_guide(&st.store, who.as_bureau()?, id, &body.guide).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The bureau attaches a file to a call's guide, as the request body; a file of the same name
/// is replaced.
#[utoipa::path(put, path = "/api/v1/calls/{id}/files", tag = "applications",
    params(("id" = i64, Path, description = "The call's id"), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 201, description = "Stored; the file's id", body = Created)))]
pub async fn put_guide_file(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<FileQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let file =
        svc::put_guide_file(&st.store, who.as_bureau()?, id, &q.file_name, ctype, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id: file })))
}

/// A file of a call's guide, as a download.
#[utoipa::path(get, path = "/api/v1/calls/{id}/files/{file}", tag = "applications",
    params(("id" = i64, Path, description = "The call's id"),
           ("file" = i64, Path, description = "The file's id")),
    responses((status = 200, description = "The file, as a download", content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn get_guide_file(
    State(st): State<AppState>,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (name, ctype, data) = svc::guide_file(&st.store, id, file).await?;
    Ok(crate::format::file_download(&name, ctype, data))
}

/// The applicant deletes its draft, with its files.
#[utoipa::path(delete, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    responses((status = 204, description = "Deleted"),
              (status = 409, description = "Not a draft (`application_locked`)", body = crate::error::ErrorBody)))]
pub async fn delete_draft(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    svc::delete_draft(&st.store, who.as_applicant()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct FileOut {
    slot: String,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Score {
    /// Shown to the bureau, and to each expert for their own line only.
    expert: Option<String>,
    criteria: BTreeMap<String, f64>,
    total: Option<f64>,
    comment: String,
    scored_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Payment {
    instalment: i64,
    /// In fen.
    amount: i64,
    paid_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct Application {
    #[serde(flatten)]
    item: ApplicationItem,
    answers: BTreeMap<String, String>,
    files: Vec<FileOut>,
    /// How many experts were assigned (who they are is not shown to the applicant).
    experts_assigned: usize,
    scores: Vec<Score>,
    payments: Vec<Payment>,
    history: Vec<super::programmes::Transition>,
    /// The operating site an off-site enterprise applied through (`GET /api/v1/sites/{id}`).
    site_id: Option<i64>,
}

async fn application_out(st: &AppState, who: &Caller, id: i64) -> Result<Application, ApiError> {
    let a = svc::visible(&st.store, who, id).await?;
    let files = st.store.files(id).await?;
    let scores = st.store.scores(id).await?;
    let experts_assigned = scores.len();
    let scores = scores
        .into_iter()
        .filter_map(|s| {
            let own = s.expert == who.username();
            let shown = who.role() == Role::Bureau || own;
            shown.then(|| Score {
                expert: Some(s.expert_name),
                criteria: s.criteria.into_iter().collect(),
                total: s.total,
                comment: s.comment,
                scored_at: s.scored_at,
            })
        })
        .collect();
    let payments = st
        .store
        .award_payments(id)
        .await?
        .into_iter()
        .map(|(instalment, amount, paid_on)| Payment {
            instalment,
            amount: amount.0,
            paid_on,
        })
        .collect();
    let history = st
        .store
        .application_history(id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Application {
        site_id: a.site_id,
        item: (&a).into(),
        answers: a.answers.into_iter().collect(),
        files: files
            .into_iter()
            .map(|f| FileOut {
                slot: f.slot,
                file_name: f.file_name,
                content_type: f.content_type,
                size: f.size,
                sha256: f.sha256,
                uploaded_at: f.uploaded_at,
            })
            .collect(),
        experts_assigned,
        scores,
        payments,
        history,
    })
}

/// An application as the caller may see it.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    responses((status = 200, description = "The application as the caller may see it", body = Application)))]
pub async fn application(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(application_out(&st, &who, id).await?))
}

/// The applicant's answers, by the form's field keys; a draft keeps what is valid.
#[utoipa::path(put, path = "/api/v1/applications/{id}/answers", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    request_body(content = HashMap<String, String>, description = "Answers by field key, as typed (amounts as 50万元, dates as 2027-12-31)"),
    responses(
        (status = 200, description = "Saved", body = Application),
        (status = 422, description = "Some answers are not valid (`invalid_fields`; `details` by field); the valid ones are kept in the draft", body = crate::error::ErrorBody),
    ))]
pub async fn answers(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(answers): Json<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    match svc::save(
        &st.store,
        who.as_applicant()?,
        id,
        Some(&answers),
        &[],
        svc::SaveAction::Save,
    )
    .await?
    {
        Saved::Done => Ok(Json(application_out(&st, &who, id).await?).into_response()),
        Saved::Refused(problems) => Ok(refused_fields_kept(&headers, problems)),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The file's name, whose extension the slot's accepted types are checked against.
    #[param(min_length = 1)]
    file_name: String,
}

/// An attachment for one of the form's slots (or `acceptance_report`), as the request body.
#[utoipa::path(put, path = "/api/v1/applications/{id}/files/{slot}", tag = "applications",
    params(("id" = i64, Path, description = "The application's id"),
           ("slot" = String, Path, description = "The attachment slot, e.g. proposal"), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 204, description = "Stored"),
        (status = 422, description = "The slot does not take this file (`invalid_fields`)", body = crate::error::ErrorBody),
    ))]
pub async fn put_file(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path((id, slot)): Path<(i64, String)>,
    Query(q): Query<FileQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let upload = svc::Attachment {
        slot,
        file_name: q.file_name,
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned(),
        bytes: body.to_vec(),
    };
    // A file alone changes no answer.
    match svc::save(
        &st.store,
        who.as_applicant()?,
        id,
        None,
        &[upload],
        svc::SaveAction::Save,
    )
    .await?
    {
        Saved::Done => Ok(StatusCode::NO_CONTENT.into_response()),
        Saved::Refused(problems) => Ok(refused_fields(&headers, problems)),
    }
}

/// An attachment, as a download.
#[utoipa::path(get, path = "/api/v1/applications/{id}/files/{slot}", tag = "applications",
    params(("id" = i64, Path, description = "The application's id"),
           ("slot" = String, Path, description = "The attachment slot")),
    responses((status = 200, description = "The file, as a download", content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn get_file(
    State(st): State<AppState>,
    who: Caller,
    Path((id, slot)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let (name, ctype, data) = svc::attachment(&st.store, &who, id, &slot).await?;
    Ok(crate::format::file_download(&name, ctype, data))
}

#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    /// submit, recall (a submission the county has not acted on) and report (the applicant); county_pass (the county); bureau_pass, assign
    /// (experts), accept, reject_report, return and reject (the bureau; return and reject by
    /// the county too while it reviews).
    action: String,
    /// Required to return or reject.
    #[schema(max_length = 5000)]
    comment: Option<String>,
    /// For accept: the date the balance was paid, YYYY-MM-DD (today by default).
    #[schema(format = Date)]
    paid_on: Option<String>,
    #[schema(max_length = 200)]
    payment_ref: Option<String>,
}

/// Takes a step on an application; the role that may take it is the step's.
#[utoipa::path(post, path = "/api/v1/applications/{id}/steps", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = StepBody,
    responses((status = 200, description = "The application after the step", body = Application)))]
pub async fn step(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<StepBody>,
) -> Result<Json<Application>, ApiError> {
    let payment = match b
        .paid_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Some((
            kechuang_service::clock::parse_day("paid_on", d)?,
            b.payment_ref.clone().unwrap_or_default(),
        )),
        None => None,
    };
    svc::take_step(
        &st.store,
        &who,
        id,
        &b.action,
        b.comment.as_deref().unwrap_or_default(),
        payment,
    )
    .await?;
    Ok(Json(application_out(&st, &who, id).await?))
}

/// An assigned expert's scores, by rubric criterion, with an optional `comment`.
#[utoipa::path(put, path = "/api/v1/applications/{id}/scores", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    request_body(content = HashMap<String, String>, description = "Scores by criterion key (numbers as text or numbers), and `comment`"),
    responses(
        (status = 200, description = "Scored", body = Application),
        (status = 422, description = "A score is missing or out of its range (`invalid_fields`)", body = crate::error::ErrorBody),
    ))]
pub async fn score(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(raw): Json<HashMap<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let raw: HashMap<String, String> = raw
        .into_iter()
        .map(|(k, v)| (k, super::as_typed(v)))
        .collect();
    match svc::score(&st.store, &who, id, &raw).await? {
        Saved::Done => Ok(Json(application_out(&st, &who, id).await?).into_response()),
        Saved::Refused(problems) => Ok(refused_fields(&headers, problems)),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct Proposal {
    /// Scored applications of the call to fund.
    #[schema(min_items = 1)]
    applications: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProposedBatch {
    /// The award batch, which then goes through review, notice, approval and payment
    /// (`/api/v1/batches/{id}`).
    batch: i64,
}

/// The bureau proposes scored applications for funding, as an award batch.
#[utoipa::path(post, path = "/api/v1/calls/{id}/proposal", tag = "applications",
    params(("id" = i64, Path, description = "The call's id")),
    request_body = Proposal,
    responses((status = 201, description = "The batch", body = ProposedBatch)))]
pub async fn propose(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(p): Json<Proposal>,
) -> Result<(StatusCode, Json<ProposedBatch>), ApiError> {
    let batch = svc::propose(&st.store, &who, id, &p.applications).await?;
    Ok((StatusCode::CREATED, Json(ProposedBatch { batch })))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ExpertOut {
    username: String,
    #[schema(max_length = 200)]
    name: String,
    fields: Vec<String>,
    #[schema(max_length = 200)]
    affiliation: String,
    affiliation_uscc: Option<String>,
    /// USCCs of enterprises the expert declared a conflict with.
    conflicts: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ExpertList {
    items: Vec<ExpertOut>,
}

/// The expert pool.
#[utoipa::path(get, path = "/api/v1/experts", tag = "applications",
    responses((status = 200, description = "The expert pool", body = ExpertList)))]
pub async fn experts(State(st): State<AppState>) -> Result<Json<ExpertList>, ApiError> {
    let items = st
        .store
        .experts()
        .await?
        .into_iter()
        .map(|e| ExpertOut {
            username: e.username,
            name: e.name,
            fields: e.fields,
            affiliation: e.affiliation,
            affiliation_uscc: e.affiliation_uscc,
            conflicts: e.conflicts,
        })
        .collect();
    Ok(Json(ExpertList { items }))
}

/// Adds an expert to the pool (an account of the expert role with that username), or
/// updates one.
#[utoipa::path(put, path = "/api/v1/experts", tag = "applications",
    request_body = ExpertOut,
    responses((status = 204, description = "Saved")))]
pub async fn save_expert(
    State(st): State<AppState>,
    who: Caller,
    Json(e): Json<ExpertOut>,
) -> Result<StatusCode, ApiError> {
    let fields = e.fields.join(",");
    let conflicts = e.conflicts.join(",");
    let input = svc::ExpertInput {
        username: &e.username,
        name: &e.name,
        fields: &fields,
        affiliation: &e.affiliation,
        affiliation_uscc: e.affiliation_uscc.as_deref(),
        conflicts: Some(&conflicts),
    };
    svc::save_expert(&st.store, who.as_bureau()?, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
