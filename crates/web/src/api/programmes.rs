//! Programmes in the API: budgets, batch previews and commits, batch steps, public notices,
//! and the grants made as open data in the style of the 360Giving standard.

use crate::auth::Caller;
use crate::error::{ApiError, AppError, RequestProblem};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use kechuang_domain::application::FormSpec;
use kechuang_domain::programme::{
    AwardStatus, BatchStatus, LineStatus, ObjectionStatus, OncePer, Programme, ProgrammeKind,
};
use kechuang_service::programmes::{self as svc, BatchPreview};
use kechuang_store::{AwardRecord, BatchRecord, BudgetLine, ObjectionRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// A programme's budget for a year, in fen.
#[derive(Serialize, ToSchema)]
pub struct Budget {
    programme_code: String,
    year: i32,
    amount: i64,
    /// Committed by approved awards.
    committed: i64,
    paid: i64,
    /// Proposed in batches not yet approved.
    proposed: i64,
}

impl From<BudgetLine> for Budget {
    fn from(b: BudgetLine) -> Self {
        Self {
            programme_code: b.programme_code,
            year: b.year,
            amount: b.amount.0,
            committed: b.committed.0,
            paid: b.paid.0,
            proposed: b.proposed.0,
        }
    }
}

/// A funding programme as the plan file defines it.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeOut {
    code: String,
    name: String,
    name_en: String,
    /// reward, post_subsidy, voucher, project_call or patent_subsidy.
    #[schema(value_type = String)]
    kind: ProgrammeKind,
    /// The legal basis (文号).
    basis: String,
    measure: Option<String>,
    from_year: i32,
    to_year: Option<i32>,
    /// For batch rewards: the records whose events are rewarded — a certificate kind (hte,
    /// hte_pool, …), a patent type (invention_patent, …) or rd_survey.
    event: Option<String>,
    #[schema(value_type = String)]
    once_per: OncePer,
    /// The eligibility rule (CEL).
    eligibility: String,
    /// The amount rule (CEL).
    amount: String,
    priority: Option<String>,
    notice_days: u32,
    /// Whether the officer who generated a batch may not approve it (separation of duties).
    separate_duties: bool,
    description: String,
    /// For programmes that take applications: fields, attachments, rubric, instalments.
    #[schema(value_type = Option<Object>)]
    form: Option<FormSpec>,
}

impl From<Programme> for ProgrammeOut {
    fn from(p: Programme) -> Self {
        Self {
            code: p.code,
            name: p.name,
            name_en: p.name_en,
            kind: p.kind,
            basis: p.basis,
            measure: p.measure,
            from_year: p.from_year,
            to_year: p.to_year,
            event: p.event.map(|e| e.code()),
            once_per: p.once_per,
            eligibility: p.eligibility,
            amount: p.amount,
            priority: p.priority,
            notice_days: p.notice_days,
            separate_duties: p.separate_duties,
            description: p.description,
            form: p.form,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeBudgets {
    programme: ProgrammeOut,
    budgets: Vec<Budget>,
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeList {
    items: Vec<ProgrammeBudgets>,
}

/// Funding programmes with their budgets.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes",
    responses((status = 200, description = "Every programme with its budgets", body = ProgrammeList)))]
pub async fn list(
    State(st): State<AppState>,
    who: Caller,
) -> Result<Json<ProgrammeList>, ApiError> {
    let scope = svc::funds_scope(&st.store, &who).await?;
    let budgets = st.store.budget_lines(None).await?;
    let items = st
        .store
        .programmes()
        .await?
        .into_iter()
        .filter(|p| scope.covers(&p.code))
        .map(|p| ProgrammeBudgets {
            budgets: budgets
                .iter()
                .filter(|b| b.programme_code == p.code)
                .cloned()
                .map(Into::into)
                .collect(),
            programme: p.into(),
        })
        .collect();
    Ok(Json(ProgrammeList { items }))
}

/// One enterprise's entitlement in a preview.
#[derive(Serialize, ToSchema)]
pub struct PreviewLineOut {
    uscc: String,
    name: String,
    region: String,
    /// Why, in words: the certificate, its date, first or not.
    basis: String,
    /// What is paid once at most.
    basis_key: String,
    amount_fen: i64,
    /// due, already_awarded or over_budget.
    status: &'static str,
    /// The batch that already awarded it.
    batch: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewOut {
    programme: String,
    year: i32,
    budget: Option<Budget>,
    due_total_fen: i64,
    /// Candidates the rules turned down.
    not_eligible: usize,
    lines: Vec<PreviewLineOut>,
    /// The batch just committed (answers to a commit only).
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<Batch>,
}

impl From<BatchPreview> for PreviewOut {
    fn from(p: BatchPreview) -> Self {
        Self {
            programme: p.programme.code,
            year: p.year,
            budget: p.budget.map(Into::into),
            due_total_fen: p.preview.due_total.0,
            not_eligible: p.preview.not_eligible,
            lines: p
                .preview
                .lines
                .into_iter()
                .map(|l| PreviewLineOut {
                    status: l.status.code(),
                    batch: match l.status {
                        LineStatus::AlreadyAwarded { batch } => Some(batch),
                        _ => None,
                    },
                    uscc: l.entitlement.uscc,
                    name: l.entitlement.name,
                    region: l.entitlement.region_code,
                    basis: l.entitlement.basis,
                    basis_key: l.entitlement.basis_key,
                    amount_fen: l.entitlement.amount.0,
                })
                .collect(),
            batch: None,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year whose events the rules are applied to.
    #[param(value_type = i32, minimum = 1949, maximum = 2200)]
    year: String,
}

/// What the programme's rules find due for a year, without writing anything.
#[utoipa::path(get, path = "/api/v1/programmes/{code}/preview", tag = "programmes",
    params(("code" = String, Path, description = "The programme's code"), YearQuery),
    responses(
        (status = 200, description = "Who qualifies, why and how much", body = PreviewOut),
        (status = 409, description = "The programme does not run that year, or runs on applications rather than batches", body = crate::error::ErrorBody),
    ))]
pub async fn preview(
    State(st): State<AppState>,
    who: Caller,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<PreviewOut>, ApiError> {
    let year = svc::parse_year(&q.year)?;
    let scope = svc::funds_scope(&st.store, &who).await?;
    let p = svc::preview_batch(&st.store, &scope, &code, year).await?;
    Ok(Json(p.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct BudgetBody {
    /// Fen as a whole number; text such as "1500万元" is read too.
    #[schema(value_type = i64, minimum = 0)]
    amount: Value,
}

/// Sets a programme's budget for a year.
#[utoipa::path(put, path = "/api/v1/programmes/{code}/budgets/{year}", tag = "programmes",
    params(("code" = String, Path, description = "The programme's code"),
           ("year" = i32, Path, description = "The budget's year", minimum = 1949, maximum = 2200)),
    request_body = BudgetBody,
    responses((status = 200, description = "The budget as set", body = Budget)))]
pub async fn set_budget(
    State(st): State<AppState>,
    who: Caller,
    Path((code, year)): Path<(String, String)>,
    Json(b): Json<BudgetBody>,
) -> Result<Json<Budget>, ApiError> {
    let year = svc::parse_year(&year)?;
    let amount = match &b.amount {
        Value::Number(n) => n
            .as_i64()
            .filter(|f| *f >= 0)
            .map(kechuang_domain::money::Fen)
            .ok_or_else(|| AppError::invalid(RequestProblem::AmountType))?,
        Value::String(s) => svc::parse_amount(s)?,
        _ => return Err(AppError::invalid(RequestProblem::AmountType).into()),
    };
    let scope = svc::funds_scope(&st.store, &who).await?;
    let line = svc::set_budget(&st.store, &scope, &code, year, amount, &who.actor()).await?;
    Ok(Json(line.into()))
}

/// A programme's new name, basis and rules.
#[derive(Deserialize, ToSchema)]
pub struct RulesBody {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    basis: String,
    /// The eligibility rule (CEL), for example `in_region && certificate.first`.
    #[schema(max_length = 20000)]
    eligibility: String,
    /// The amount rule (CEL), giving fen: `wan(30)` or `yuan(300000)`.
    #[schema(max_length = 20000)]
    amount: String,
    /// The priority rule (CEL) when a short budget must choose; absent: all equal.
    #[serde(default)]
    #[schema(max_length = 20000)]
    priority: Option<String>,
    #[schema(minimum = 1, maximum = 60)]
    notice_days: u32,
    #[serde(default)]
    #[schema(max_length = 5000)]
    description: String,
    /// Whether the officer who generated a batch may not approve it; absent: unchanged.
    #[serde(default)]
    separate_duties: Option<bool>,
}

/// Changes a programme's rules. They are compiled and tried on a sample first; a rule that
/// does not run is refused with its reason (`rule_does_not_parse`, `rule_unknown_variable`,
/// `rule_failed`, …) and nothing is saved.
#[utoipa::path(put, path = "/api/v1/programmes/{code}/rules", tag = "programmes",
    params(("code" = String, Path, description = "The programme's code")),
    request_body = RulesBody,
    responses((status = 200, description = "The programme as now defined", body = ProgrammeOut)))]
pub async fn set_rules(
    State(st): State<AppState>,
    who: Caller,
    Path(code): Path<String>,
    Json(b): Json<RulesBody>,
) -> Result<Json<ProgrammeOut>, ApiError> {
    let change = svc::RulesChange {
        name: b.name,
        basis: b.basis,
        eligibility: b.eligibility,
        amount: b.amount,
        priority: b.priority.unwrap_or_default(),
        notice_days: b.notice_days.to_string(),
        description: b.description,
        separate_duties: b.separate_duties,
    };
    let scope = svc::funds_scope(&st.store, &who).await?;
    let p = svc::update_rules(&st.store, &scope, &code, change, &who.actor()).await?;
    Ok(Json(p.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct CommitBody {
    /// The year; text such as "2018" is read too.
    #[schema(value_type = i32, minimum = 1949, maximum = 2200)]
    year: Value,
}

/// Commits what a fresh preview finds due as a batch awaiting review.
#[utoipa::path(post, path = "/api/v1/programmes/{code}/batches", tag = "programmes",
    params(("code" = String, Path, description = "The programme's code")),
    request_body = CommitBody,
    responses((status = 201, description = "The batch, with the preview it was made from", body = PreviewOut)))]
pub async fn commit(
    State(st): State<AppState>,
    who: Caller,
    Path(code): Path<String>,
    Json(b): Json<CommitBody>,
) -> Result<(StatusCode, Json<PreviewOut>), ApiError> {
    let year = match &b.year {
        Value::Number(n) => svc::parse_year(&n.to_string())?,
        Value::String(s) => svc::parse_year(s)?,
        _ => return Err(AppError::invalid(RequestProblem::YearType).into()),
    };
    let scope = svc::funds_scope(&st.store, &who).await?;
    let (id, p) = svc::commit_batch(&st.store, &scope, &code, year, &who.actor()).await?;
    let mut body = PreviewOut::from(p);
    body.batch = Some(st.store.batch(id).await?.into());
    Ok((StatusCode::CREATED, Json(body)))
}

/// A batch of awards with its totals.
#[derive(Serialize, ToSchema)]
pub struct Batch {
    id: i64,
    programme_code: String,
    programme_name: String,
    year: i32,
    /// submitted, reviewed, notice, approved, paid or void.
    #[schema(value_type = String)]
    status: BatchStatus,
    /// Where it stands today, splitting notice into notice_upcoming, notice_running and
    /// notice_ended (awaiting approval): the same wording every page uses.
    stage: &'static str,
    notice_start: Option<String>,
    notice_end: Option<String>,
    paid_on: Option<String>,
    payment_ref: String,
    created_by: String,
    created_at: String,
    award_count: i64,
    /// The standing awards' total, in fen.
    total: i64,
    open_objections: i64,
}

impl From<BatchRecord> for Batch {
    fn from(b: BatchRecord) -> Self {
        let stage = b.stage(kechuang_service::clock::today_in_china()).code();
        Self {
            id: b.id,
            programme_code: b.programme_code,
            programme_name: b.programme_name,
            year: b.year,
            status: b.status,
            stage,
            notice_start: b.notice_start,
            notice_end: b.notice_end,
            paid_on: b.paid_on,
            payment_ref: b.payment_ref,
            created_by: b.created_by,
            created_at: b.created_at,
            award_count: b.award_count,
            total: b.total.0,
            open_objections: b.open_objections,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Award {
    id: i64,
    batch_id: i64,
    programme_code: String,
    year: i32,
    basis_key: String,
    uscc: String,
    name: String,
    region_code: String,
    basis: String,
    event_on: String,
    /// In fen.
    amount: i64,
    /// proposed, approved, paid, withdrawn or void.
    status: String,
    application_id: Option<i64>,
}

impl From<AwardRecord> for Award {
    fn from(a: AwardRecord) -> Self {
        Self {
            id: a.id,
            batch_id: a.batch_id,
            programme_code: a.programme_code,
            year: a.year,
            basis_key: a.basis_key,
            uscc: a.uscc,
            name: a.name,
            region_code: a.region_code,
            basis: a.basis,
            event_on: a.event_on,
            amount: a.amount.0,
            status: a.status.code().to_owned(),
            application_id: a.application_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Objection {
    id: i64,
    batch_id: i64,
    award_id: Option<i64>,
    name: String,
    contact: String,
    text: String,
    /// open, upheld or dismissed.
    #[schema(value_type = String)]
    status: ObjectionStatus,
    resolution: String,
    resolved_by: Option<String>,
    resolved_at: Option<String>,
    submitted_at: String,
}

impl From<ObjectionRecord> for Objection {
    fn from(o: ObjectionRecord) -> Self {
        Self {
            id: o.id,
            batch_id: o.batch_id,
            award_id: o.award_id,
            name: o.name,
            contact: o.contact,
            text: o.text,
            status: o.status,
            resolution: o.resolution,
            resolved_by: o.resolved_by,
            resolved_at: o.resolved_at,
            submitted_at: o.submitted_at,
        }
    }
}

/// One step a record took: who, from which state to which, why and when.
#[derive(Serialize, ToSchema)]
pub struct Transition {
    actor: String,
    from: String,
    to: String,
    comment: String,
    at: String,
}

impl From<kechuang_store::TransitionRecord> for Transition {
    fn from(t: kechuang_store::TransitionRecord) -> Self {
        Self {
            actor: t.actor,
            from: t.from,
            to: t.to,
            comment: t.comment,
            at: t.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BatchDetail {
    batch: Batch,
    awards: Vec<Award>,
    objections: Vec<Objection>,
    transitions: Vec<Transition>,
}

/// A batch of awards with its awards, objections and history.
#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "programmes",
    params(("id" = i64, Path, description = "The batch's id")),
    responses((status = 200, description = "The batch with its awards, objections and history", body = BatchDetail)))]
pub async fn batch(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<BatchDetail>, ApiError> {
    let scope = svc::funds_scope(&st.store, &who).await?;
    Ok(Json(BatchDetail {
        batch: svc::batch(&st.store, &scope, id).await?.into(),
        awards: conv(st.store.batch_awards(id).await?),
        objections: conv(st.store.objections(id).await?),
        transitions: conv(st.store.batch_transitions(id).await?),
    }))
}

fn conv<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(Into::into).collect()
}

#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    /// review, publish, approve, pay or void.
    action: String,
    #[schema(max_length = 5000)]
    comment: Option<String>,
    /// For publish: the notice's first day, YYYY-MM-DD (today by default).
    notice_start: Option<String>,
    /// For pay: the payment's date, YYYY-MM-DD.
    paid_on: Option<String>,
    /// For pay: the payment's reference.
    #[schema(max_length = 200)]
    payment_ref: Option<String>,
}

/// Takes a step on a batch: review, publish (public notice), approve, pay or void.
#[utoipa::path(post, path = "/api/v1/batches/{id}/steps", tag = "programmes",
    params(("id" = i64, Path, description = "The batch's id")),
    request_body = StepBody,
    responses((status = 200, description = "The batch after the step", body = Batch)))]
pub async fn step(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<StepBody>,
) -> Result<Json<Batch>, ApiError> {
    let s = svc::step(
        &b.action,
        b.comment.as_deref(),
        b.notice_start.as_deref(),
        b.paid_on.as_deref(),
        b.payment_ref.as_deref(),
    )?;
    let scope = svc::funds_scope(&st.store, &who).await?;
    svc::take_step(&st.store, &scope, id, &s, &who.actor()).await?;
    Ok(Json(st.store.batch(id).await?.into()))
}

/// An award as its public notice lists it.
#[derive(Serialize, ToSchema)]
pub struct NoticeAward {
    name: String,
    uscc: String,
    region: String,
    basis: String,
    amount_fen: i64,
    /// Withdrawn after an objection was upheld.
    withdrawn: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Notice {
    id: i64,
    programme: String,
    programme_name: String,
    year: i32,
    notice_start: Option<String>,
    notice_end: Option<String>,
    /// Whether objections are taken now.
    running: bool,
    total_fen: i64,
    awards: Vec<NoticeAward>,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeList {
    items: Vec<Notice>,
}

/// Published notices with their lists; only what the public page shows.
#[utoipa::path(get, path = "/api/v1/notices", tag = "programmes",
    responses((status = 200, description = "Notices that have started, newest first", body = NoticeList)))]
pub async fn notices(State(st): State<AppState>) -> Result<Json<NoticeList>, ApiError> {
    let today_day = crate::format::today_in_china();
    let today = today_day.to_string();
    let mut items = Vec::new();
    for b in st.store.notices().await? {
        if b.notice_start.as_deref().is_none_or(|s| s > today.as_str()) {
            continue;
        }
        let awards = st
            .store
            .batch_awards(b.id)
            .await?
            .into_iter()
            .filter(|a| a.status != AwardStatus::Void)
            .map(|a| NoticeAward {
                withdrawn: a.status == AwardStatus::Withdrawn,
                name: a.name,
                uscc: a.uscc,
                region: a.region_code,
                basis: a.basis,
                amount_fen: a.amount.0,
            })
            .collect();
        let running = b.stage(today_day).taking_objections();
        items.push(Notice {
            id: b.id,
            programme: b.programme_code,
            programme_name: b.programme_name,
            year: b.year,
            notice_start: b.notice_start,
            notice_end: b.notice_end,
            running,
            total_fen: b.total.0,
            awards,
        });
    }
    Ok(Json(NoticeList { items }))
}

/// An identified party in the 360Giving shape.
#[derive(Serialize, ToSchema)]
pub struct Party {
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlannedDates {
    #[serde(rename = "startDate")]
    start_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct GrantProgramme {
    code: String,
    title: String,
}

#[derive(Serialize, ToSchema)]
pub struct Location {
    #[serde(rename = "geoCode")]
    geo_code: String,
    name: String,
}

/// A grant in the shape of the 360Giving standard.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    id: String,
    title: String,
    description: String,
    currency: &'static str,
    /// In yuan.
    amount_awarded: f64,
    /// The date of approval.
    award_date: String,
    planned_dates: Option<Vec<PlannedDates>>,
    recipient_organization: Vec<Party>,
    funding_organization: Vec<Party>,
    grant_programme: Vec<GrantProgramme>,
    beneficiary_location: Vec<Location>,
}

#[derive(Serialize, ToSchema)]
pub struct GrantList {
    grants: Vec<Grant>,
}

/// Grants made, as open data in the shape of the 360Giving standard: amounts in yuan, the
/// recipient identified by its USCC, the award date being the date of approval.
#[utoipa::path(get, path = "/api/v1/grants", tag = "programmes",
    responses((status = 200, description = "Grants approved or paid, oldest first", body = GrantList)))]
pub async fn grants(State(st): State<AppState>) -> Result<Json<GrantList>, ApiError> {
    // One source with the grants open data set.
    let grants = kechuang_service::open_data::grants(&st.store)
        .await?
        .into_iter()
        .map(|g| Grant {
            id: g.id,
            title: g.title,
            description: g.description,
            currency: "CNY",
            amount_awarded: g.amount_yuan,
            award_date: g.award_date,
            planned_dates: g.paid_on.map(|d| vec![PlannedDates { start_date: d }]),
            recipient_organization: vec![Party {
                id: g.recipient_id,
                name: g.recipient_name,
            }],
            funding_organization: vec![Party {
                id: g.funder_id,
                name: g.funder_name,
            }],
            grant_programme: vec![GrantProgramme {
                code: g.programme_code,
                title: g.programme_title,
            }],
            beneficiary_location: vec![Location {
                geo_code: g.location_code,
                name: g.location_name,
            }],
        })
        .collect();
    Ok(Json(GrantList { grants }))
}

/// An objection to a batch on public notice.
#[derive(Deserialize, ToSchema)]
pub struct ObjectionBody {
    /// The award objected to; absent: the whole list.
    #[schema(value_type = Option<i64>)]
    award: Option<Value>,
    /// A real name, or the organisation's.
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    name: String,
    /// How the bureau reaches the objector.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    contact: String,
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct Raised {
    id: i64,
}

/// Raises an objection while a notice runs. Anyone may; a name and a contact are required,
/// and an address or a notice past its day's limit is refused (`objections_rate_limited`,
/// `notice_flooded`).
#[utoipa::path(post, path = "/api/v1/notices/{id}/objections", tag = "programmes",
    params(("id" = i64, Path, description = "The batch on notice")),
    request_body = ObjectionBody,
    responses((status = 201, description = "Recorded", body = Raised)))]
pub async fn object(
    State(st): State<AppState>,
    axum::Extension(crate::auth::Client(client)): axum::Extension<crate::auth::Client>,
    Path(id): Path<i64>,
    Json(b): Json<ObjectionBody>,
) -> Result<(StatusCode, Json<Raised>), ApiError> {
    // Any whole number JSON can write (`7`, `7.0`); anything else is not an award.
    let award_id = match b.award {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .or_else(|| {
                    v.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| {
                    AppError::invalid(RequestProblem::NotAnAward {
                        raw: super::as_typed(v),
                    })
                })?,
        ),
    };
    let o = kechuang_store::NewObjection {
        batch_id: id,
        award_id,
        name: b.name,
        contact: b.contact,
        text: b.text,
        client,
    };
    let id = svc::object(&st.store, &o).await?;
    Ok((StatusCode::CREATED, Json(Raised { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct SettleBody {
    /// uphold (the award is withdrawn) or dismiss.
    #[schema(pattern = "^(uphold|dismiss)$")]
    decision: String,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    resolution: String,
}

/// Settles one objection: upheld (its award is withdrawn) or dismissed, with the reason.
#[utoipa::path(post, path = "/api/v1/batches/{id}/objections/{objection}", tag = "programmes",
    params(("id" = i64, Path, description = "The batch"),
           ("objection" = i64, Path, description = "The objection")),
    request_body = SettleBody,
    responses((status = 200, description = "The batch's objections after it", body = [Objection])))]
pub async fn settle(
    State(st): State<AppState>,
    who: Caller,
    Path((id, objection)): Path<(i64, i64)>,
    Json(b): Json<SettleBody>,
) -> Result<Json<Vec<Objection>>, ApiError> {
    let upheld = match b.decision.as_str() {
        "uphold" => true,
        "dismiss" => false,
        other => {
            return Err(AppError::invalid(kechuang_service::Missing::Action {
                action: other.to_owned(),
            })
            .into())
        }
    };
    let scope = svc::funds_scope(&st.store, &who).await?;
    svc::resolve_objection(
        &st.store,
        &scope,
        id,
        objection,
        upheld,
        &b.resolution,
        &who.actor(),
    )
    .await?;
    Ok(Json(conv(st.store.objections(id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct DismissBody {
    /// Only the open objections from this address; absent: every open objection.
    from: Option<String>,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    resolution: String,
}

#[derive(Serialize, ToSchema)]
pub struct Dismissed {
    dismissed: u64,
}

/// Dismisses a batch's open objections at once, all or one address's, with one resolution.
#[utoipa::path(post, path = "/api/v1/batches/{id}/objections/dismissals", tag = "programmes",
    params(("id" = i64, Path, description = "The batch")),
    request_body = DismissBody,
    responses((status = 200, description = "How many were dismissed", body = Dismissed)))]
pub async fn dismiss(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<DismissBody>,
) -> Result<Json<Dismissed>, ApiError> {
    let scope = svc::funds_scope(&st.store, &who).await?;
    let dismissed = svc::dismiss_objections(
        &st.store,
        &scope,
        id,
        b.from.as_deref(),
        &b.resolution,
        &who.actor(),
    )
    .await?;
    Ok(Json(Dismissed { dismissed }))
}
