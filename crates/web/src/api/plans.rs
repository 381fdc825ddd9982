//! Plans, targets with their progress, indicators and regions over JSON: the public figures,
//! and the records behind them for staff.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use kechuang_domain::evaluate::{Evaluation, TargetScope};
use kechuang_domain::indicator::IndicatorKind;
use kechuang_domain::series::Basis;
use kechuang_service::progress as service;
use kechuang_store::{CountedRecord, ObservationRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `{"status": "ok"}` while the server answers.
#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Whether the server answers.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The server answers", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub struct RegionOut {
    /// GB/T 2260 code, e.g. 440203.
    code: String,
    name: String,
    name_en: String,
    parent: Option<String>,
    /// province, city, county or zone.
    kind: &'static str,
}

/// The regions the deployment knows.
#[utoipa::path(get, path = "/api/v1/regions", tag = "plans",
    responses((status = 200, description = "Every region the deployment knows", body = [RegionOut])))]
pub async fn regions(State(st): State<AppState>) -> Result<Json<Vec<RegionOut>>, ApiError> {
    let out = st
        .store
        .regions()
        .await?
        .into_iter()
        .map(|r| RegionOut {
            code: r.code.to_string(),
            name: r.name,
            name_en: r.name_en,
            parent: r.parent.map(|p| p.to_string()),
            kind: r.kind.as_str(),
        })
        .collect();
    Ok(Json(out))
}

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    id: i64,
    code: String,
    name: String,
    name_en: String,
    region_code: String,
    start_year: i32,
    end_year: i32,
}

impl From<kechuang_store::PlanSummary> for PlanOut {
    fn from(p: kechuang_store::PlanSummary) -> Self {
        Self {
            id: p.id,
            code: p.code,
            name: p.name,
            name_en: p.name_en,
            region_code: p.region_code,
            start_year: p.start_year,
            end_year: p.end_year,
        }
    }
}

/// The plans loaded.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans",
    responses((status = 200, description = "The plans loaded", body = [PlanOut])))]
pub async fn plans(State(st): State<AppState>) -> Result<Json<Vec<PlanOut>>, ApiError> {
    Ok(Json(
        st.store
            .plans()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A part of the plan's text: a chapter, a section or a measure.
#[derive(Serialize, ToSchema)]
pub struct PlanItemOut {
    level: String,
    code: String,
    title: String,
    title_en: String,
    body: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    plan: PlanOut,
    preamble: String,
    items: Vec<PlanItemOut>,
}

/// A plan with its text.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 200, description = "The plan with its text", body = PlanDetail)))]
pub async fn plan(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PlanDetail>, ApiError> {
    let plan = st.store.plan(id).await?;
    let items = st.store.plan_items(id).await?;
    let preamble = plan.preamble.clone();
    Ok(Json(PlanDetail {
        plan: plan.into(),
        preamble,
        items: items
            .into_iter()
            .map(|i| PlanItemOut {
                level: i.level,
                code: i.code,
                title: i.title,
                title_en: i.title_en,
                body: i.body,
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// A region code within the plan's region; the plan's own by default.
    #[param(pattern = "^([0-9]{6})?$")]
    pub region: Option<String>,
    /// The date to evaluate at, YYYY-MM-DD; today (in China) by default.
    #[param(format = Date)]
    pub as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Baseline {
    value: f64,
    #[schema(format = Date)]
    date: String,
}

/// Where a value comes from: the region's own figure, a sum of its parts (with how many
/// reported), or a formula.
#[derive(Serialize, ToSchema)]
pub struct BasisOut {
    /// observed, rollup or formula.
    basis: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reported: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<usize>,
}

impl From<Basis> for BasisOut {
    fn from(b: Basis) -> Self {
        let (basis, reported, expected) = match b {
            Basis::Observed => ("observed", None, None),
            Basis::Rollup { reported, expected } => ("rollup", Some(reported), Some(expected)),
            Basis::Formula => ("formula", None, None),
        };
        Self {
            basis,
            reported,
            expected,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Current {
    value: f64,
    /// The period the value is of: 2018, 2018Q3, 2018-07 or a date.
    period: Option<String>,
    basis: Option<BasisOut>,
}

/// A target with its progress for a region at a date.
#[derive(Serialize, ToSchema)]
pub struct TargetProgress {
    code: String,
    name: String,
    name_en: String,
    measure: Option<String>,
    /// quantity or milestone.
    kind: &'static str,
    indicator: String,
    unit: String,
    /// `>=` or `<=`.
    comparator: &'static str,
    baseline: Option<Baseline>,
    /// The target that applies to the region; null for a county view of a city-wide total.
    target: Option<f64>,
    /// plan, county, uniform or none.
    #[schema(value_type = String)]
    target_scope: TargetScope,
    stretch: Option<f64>,
    #[schema(format = Date)]
    deadline: String,
    annual: bool,
    current: Option<Current>,
    /// (current − baseline) ÷ (target − baseline).
    completion: Option<f64>,
    /// (as_of − plan start) ÷ (deadline − plan start), 0–1.
    time_elapsed: f64,
    /// achieved, on_track, behind, no_data or no_target.
    status: &'static str,
    cagr_status: &'static str,
    /// The value the observed trend reaches by the deadline.
    projection: Option<f64>,
}

impl From<&Evaluation> for TargetProgress {
    fn from(e: &Evaluation) -> Self {
        let t = &e.target;
        let p = &e.progress;
        let period = e.current_period();
        Self {
            code: t.code.clone(),
            name: t.name.clone(),
            name_en: t.name_en.clone(),
            measure: t.measure.clone(),
            kind: t.kind.as_str(),
            indicator: t.indicator.clone(),
            unit: e.indicator.unit.clone(),
            comparator: t.comparator.as_str(),
            baseline: t.baseline.map(|b| Baseline {
                value: b.value,
                date: b.date.format("%Y-%m-%d").to_string(),
            }),
            target: e.applicable,
            target_scope: e.scope,
            stretch: t.stretch,
            deadline: t.deadline.format("%Y-%m-%d").to_string(),
            annual: t.annual,
            current: p.current.map(|c| Current {
                value: c.value,
                period: period.map(|(per, _)| per.to_string()),
                basis: period.map(|(_, v)| v.basis.into()),
            }),
            completion: p.completion,
            time_elapsed: p.time_elapsed,
            status: p.status.as_str(),
            cagr_status: p.cagr_status.as_str(),
            projection: p.projection,
        }
    }
}

/// Every target of a plan with its progress for a region at a date.
#[utoipa::path(get, path = "/api/v1/plans/{id}/targets", tag = "plans",
    params(("id" = i64, Path, description = "The plan's id"), AtQuery),
    responses((status = 200, description = "Every target with its progress", body = [TargetProgress])))]
pub async fn targets(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<AtQuery>,
) -> Result<Json<Vec<TargetProgress>>, ApiError> {
    // A public answer: a current standby may serve it.
    let st = st.public_reads(true).await;
    let (now, as_of) = super::plan_at(&st, id, q.as_of.as_deref()).await?;
    let loaded = now.load(&st.store, &st.progress, id, as_of).await?;
    let region = loaded.region(q.region.as_deref())?;
    Ok(Json(
        loaded
            .evaluate_all(&region.code)
            .iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A registry record a count includes.
#[derive(Serialize, ToSchema)]
pub struct Counted {
    /// enterprises, certificates or platforms.
    registry: &'static str,
    kind: String,
    level: Option<String>,
    number: Option<String>,
    name: String,
    uscc: Option<String>,
    enterprise: Option<String>,
    region_code: String,
    /// Valid from (issue or recognition date).
    from: String,
    until: Option<String>,
    document_no: Option<String>,
}

impl From<CountedRecord> for Counted {
    fn from(r: CountedRecord) -> Self {
        Self {
            registry: r.registry,
            kind: r.kind,
            level: r.level,
            number: r.number,
            name: r.name,
            uscc: r.uscc,
            enterprise: r.enterprise,
            region_code: r.region_code,
            from: r.from,
            until: r.until,
            document_no: r.document_no,
        }
    }
}

/// A figure as entered or imported, with who entered it, when and from which file.
#[derive(Serialize, ToSchema)]
pub struct Observation {
    indicator: String,
    region: String,
    period: String,
    #[schema(format = Date)]
    period_end: String,
    value: f64,
    source: String,
    note: String,
    entered_by: String,
    entered_at: String,
    file_name: Option<String>,
    revision: i64,
}

impl From<ObservationRecord> for Observation {
    fn from(o: ObservationRecord) -> Self {
        Self {
            indicator: o.indicator,
            region: o.region,
            period: o.period,
            period_end: o.period_end,
            value: o.value,
            source: o.source,
            note: o.note,
            entered_by: o.entered_by,
            entered_at: o.entered_at,
            file_name: o.file_name,
            revision: o.revision,
        }
    }
}

/// The records behind a target's figure.
#[derive(Serialize, ToSchema)]
pub struct TargetRecords {
    target: String,
    indicator: String,
    region: String,
    #[schema(format = Date)]
    as_of: String,
    /// How many registry records the count includes.
    count: usize,
    records: Vec<Counted>,
    observations: Vec<Observation>,
}

/// The records behind a target's figure for a region at a date: the registry records a count
/// includes, or the observations a value is computed from.
#[utoipa::path(get, path = "/api/v1/plans/{id}/targets/{code}/records", tag = "plans",
    params(("id" = i64, Path, description = "The plan's id"),
           ("code" = String, Path, description = "The target's code, e.g. 2.9a"), AtQuery),
    responses((status = 200, description = "The records behind the figure", body = TargetRecords)))]
pub async fn target_records(
    State(st): State<AppState>,
    who: Caller,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<AtQuery>,
) -> Result<Json<TargetRecords>, ApiError> {
    let (now, as_of) = super::plan_at(&st, id, q.as_of.as_deref()).await?;
    let loaded = now.load(&st.store, &st.progress, id, as_of).await?;
    let requested =
        kechuang_service::registries::scoped_region(&st.store, &who, q.region.as_deref()).await?;
    let region = loaded.region(Some(requested.as_str()))?;
    let target = loaded.target(&code)?;
    let counted =
        service::counted_records(&st.store, &loaded, &target.indicator, &region.code, as_of)
            .await?;
    let observations = match loaded.indicators.get(&target.indicator).map(|i| &i.kind) {
        Some(IndicatorKind::RegistryCount(_)) => Vec::new(),
        _ => service::records_behind(&st.store, &loaded, &target.indicator, &region.code).await?,
    };
    Ok(Json(TargetRecords {
        target: code,
        indicator: target.indicator.clone(),
        region: region.code.to_string(),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        count: counted.len(),
        records: counted.into_iter().map(Into::into).collect(),
        observations: observations.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    code: String,
    name: String,
    name_en: String,
    unit: String,
    description: String,
    /// manual, formula, registry_count or ledger.
    kind: &'static str,
    /// How county figures make the city's: sum or none.
    aggregation: &'static str,
    formula: Option<String>,
    /// What a registry count or a ledger sum counts.
    #[schema(value_type = Option<Object>)]
    count: Option<serde_json::Value>,
}

/// Every indicator with its definition.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "plans",
    responses((status = 200, description = "Every indicator with its definition", body = [IndicatorOut])))]
pub async fn indicators(State(st): State<AppState>) -> Result<Json<Vec<IndicatorOut>>, ApiError> {
    let out = st
        .store
        .indicators()
        .await?
        .into_iter()
        .map(|i| {
            let (formula, count) = match &i.kind {
                IndicatorKind::Formula(f) => (Some(f.text().to_owned()), None),
                IndicatorKind::RegistryCount(c) => (None, serde_json::to_value(c).ok()),
                IndicatorKind::Ledger(l) => (None, serde_json::to_value(l).ok()),
                IndicatorKind::Records(m) => {
                    (None, Some(serde_json::json!({ "finance": m.code() })))
                }
                IndicatorKind::Manual { .. } => (None, None),
            };
            IndicatorOut {
                kind: i.kind.as_str(),
                aggregation: i.aggregation().as_str(),
                code: i.code,
                name: i.name,
                name_en: i.name_en,
                unit: i.unit,
                description: i.description,
                formula,
                count,
            }
        })
        .collect();
    Ok(Json(out))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// A region code within the caller's scope; their own region by default.
    #[param(pattern = "^([0-9]{6})?$")]
    region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesPoint {
    period: String,
    #[schema(format = Date)]
    period_end: String,
    value: f64,
    basis: BasisOut,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorSeries {
    indicator: String,
    unit: String,
    region: String,
    series: Vec<SeriesPoint>,
    observations: Vec<Observation>,
}

/// An indicator's series for a region, with the records behind it.
#[utoipa::path(get, path = "/api/v1/indicators/{code}/observations", tag = "plans",
    params(("code" = String, Path, description = "The indicator's code, e.g. gdp"), RegionQuery),
    responses((status = 200, description = "The indicator's series for a region with the records behind it", body = IndicatorSeries)))]
pub async fn observations(
    State(st): State<AppState>,
    who: Caller,
    Path(code): Path<String>,
    Query(q): Query<RegionQuery>,
) -> Result<Json<IndicatorSeries>, ApiError> {
    let region =
        kechuang_service::registries::scoped_region(&st.store, &who, q.region.as_deref()).await?;
    let s =
        service::indicator_series(&st.store, &st.progress, &code, Some(region.as_str())).await?;
    Ok(Json(IndicatorSeries {
        indicator: s.indicator.code,
        unit: s.indicator.unit,
        region: s.region.code.to_string(),
        series: s
            .series
            .iter()
            .map(|(p, v)| SeriesPoint {
                period: p.to_string(),
                period_end: p.end_date().format("%Y-%m-%d").to_string(),
                value: v.value,
                basis: v.basis.into(),
            })
            .collect(),
        observations: s.records.into_iter().map(Into::into).collect(),
    }))
}

// ---- successive plans: revisions, the plan file, drafts ------------------------------------

#[derive(Serialize, ToSchema)]
pub struct RevisionOut {
    revision: i64,
    published_by: String,
    published_at: String,
}

/// Every published revision of a plan, newest first, with who published it and when.
#[utoipa::path(get, path = "/api/v1/plans/{id}/revisions", tag = "plans",
    params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 200, description = "The revisions", body = [RevisionOut])))]
pub async fn revisions(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RevisionOut>>, ApiError> {
    Ok(Json(
        kechuang_service::plans::revisions(&st.store, &who, id)
            .await?
            .into_iter()
            .map(|r| RevisionOut {
                revision: r.revision,
                published_by: r.published_by,
                published_at: r.published_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceQuery {
    /// A revision; the latest by default.
    revision: Option<i64>,
}

/// The plan's file (TOML, docs/plan-format.md) as published, or as of a revision.
#[utoipa::path(get, path = "/api/v1/plans/{id}/source", tag = "plans",
    params(("id" = i64, Path, description = "The plan's id"), SourceQuery),
    responses((status = 200, description = "The plan file", content_type = "application/toml", body = String)))]
pub async fn source(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Query(q): Query<SourceQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let text = kechuang_service::plans::source(&st.store, &who, id, q.revision).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/toml; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

#[derive(Deserialize, ToSchema, Default)]
pub struct DraftIn {
    /// The new plan's code; without it the draft edits this plan itself.
    code: Option<String>,
    name: Option<String>,
    start_year: Option<serde_json::Value>,
    end_year: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct DraftCreated {
    id: i64,
}

/// Begins a draft: a new plan copied from this one (with `code`, `name`, `start_year`,
/// `end_year`: dates moved on, targets continuing this plan's), or a revision of this plan.
#[utoipa::path(post, path = "/api/v1/plans/{id}/drafts", tag = "plans",
    params(("id" = i64, Path, description = "The plan's id")),
    request_body = DraftIn,
    responses((status = 201, description = "The draft", body = DraftCreated),
              (status = 409, description = "Another plan has the code (`plan_code_taken`)", body = crate::error::ErrorBody)))]
pub async fn start_draft(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<DraftIn>,
) -> Result<(axum::http::StatusCode, Json<DraftCreated>), ApiError> {
    let bureau = who.as_bureau()?;
    let draft = match b.code {
        Some(code) => {
            let input = kechuang_service::plans::CopyInput {
                code,
                name: b.name.unwrap_or_default(),
                start_year: b.start_year.map(super::as_typed).unwrap_or_default(),
                end_year: b.end_year.map(super::as_typed).unwrap_or_default(),
            };
            kechuang_service::plans::copy(&st.store, bureau, id, &input).await?
        }
        None => kechuang_service::plans::edit(&st.store, bureau, id).await?,
    };
    Ok((
        axum::http::StatusCode::CREATED,
        Json(DraftCreated { id: draft }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PlanProblemOut {
    line: usize,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct DraftOut {
    id: i64,
    code: String,
    /// The plan it was begun from.
    based_on: Option<i64>,
    source: String,
    updated_by: String,
    updated_at: String,
    /// What must be fixed before it publishes; empty when it would.
    problems: Vec<PlanProblemOut>,
}

fn problems_out(p: Vec<kechuang_domain::plan::PlanError>) -> Vec<PlanProblemOut> {
    p.into_iter()
        .map(|e| PlanProblemOut {
            line: e.line,
            message: e.message,
        })
        .collect()
}

/// A plan draft with its problems.
#[utoipa::path(get, path = "/api/v1/plan-drafts/{id}", tag = "plans",
    params(("id" = i64, Path, description = "The draft's id")),
    responses((status = 200, description = "The draft", body = DraftOut)))]
pub async fn draft(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<DraftOut>, ApiError> {
    let (d, problems) = kechuang_service::plans::draft(&st.store, who.as_bureau()?, id).await?;
    Ok(Json(DraftOut {
        id: d.id,
        code: d.code,
        based_on: d.based_on,
        source: d.source,
        updated_by: d.updated_by,
        updated_at: d.updated_at,
        problems: problems_out(problems),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DraftSourceIn {
    /// The whole plan file.
    source: String,
}

/// Replaces a draft's file; saved even with problems (answered), as work in progress.
#[utoipa::path(put, path = "/api/v1/plan-drafts/{id}", tag = "plans",
    params(("id" = i64, Path, description = "The draft's id")),
    request_body = DraftSourceIn,
    responses((status = 200, description = "Saved, with its problems", body = DraftOut)))]
pub async fn save_draft(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<DraftSourceIn>,
) -> Result<Json<DraftOut>, ApiError> {
    kechuang_service::plans::save(&st.store, who.as_bureau()?, id, &b.source).await?;
    draft(State(st), who, Path(id)).await
}

#[derive(Serialize, ToSchema)]
pub struct Published {
    /// The plan's id.
    plan: i64,
}

/// Publishes a draft as a new plan or a new revision of the plan it edits; refused (422,
/// `plan_invalid`, the problems in `details`) while any problem remains.
#[utoipa::path(post, path = "/api/v1/plan-drafts/{id}/publish", tag = "plans",
    params(("id" = i64, Path, description = "The draft's id")),
    responses((status = 200, description = "Published", body = Published),
              (status = 422, description = "The file has problems (`plan_invalid`)", body = crate::error::ErrorBody)))]
pub async fn publish(
    State(st): State<AppState>,
    who: Caller,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    match kechuang_service::plans::publish(&st.store, who.as_bureau()?, id).await? {
        Ok(plan) => Ok(Json(Published { plan }).into_response()),
        Err(problems) => {
            let fields = problems
                .into_iter()
                .map(|e| {
                    kechuang_domain::problem::FieldProblem::new(
                        format!("line {}", e.line),
                        kechuang_service::plans::PlanProblem::Line { message: e.message },
                    )
                })
                .collect();
            Ok(crate::error::refused_fields(&headers, fields))
        }
    }
}
