//! The JSON API under `/api/v1`, described by `openapi.json`.

use crate::auth::{self, Access, Caller};
use crate::error::{ApiError, AppError, RequestProblem};
use crate::{AppState, Route};
use kechuang_service::progress::{self as service, Loaded};

mod account;
mod imports;
mod programmes;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use kechuang_domain::evaluate::Evaluation;
use kechuang_domain::indicator::IndicatorKind;
use kechuang_domain::registry::{CertificateKind, Level};
use kechuang_store::{EnterpriseFilter, EnterpriseItem, Page, PlatformFilter, PlatformItem};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(crate) fn routes() -> Vec<Route> {
    use Access::{Account, Public, Roles, Signed};
    vec![
        Route::get("/healthz", Public, healthz),
        Route::get("/api/v1/openapi.json", Public, openapi),
        Route::get("/api/v1/regions", Public, regions),
        Route::get("/api/v1/plans", Public, plans),
        Route::get("/api/v1/plans/{id}", Public, plan),
        Route::get("/api/v1/plans/{id}/targets", Public, targets),
        Route::get(
            "/api/v1/plans/{id}/targets/{code}/records",
            Roles(auth::STAFF),
            target_records,
        ),
        Route::get("/api/v1/indicators", Public, indicators),
        Route::get(
            "/api/v1/indicators/{code}/observations",
            Roles(auth::STAFF),
            observations,
        ),
        Route::get("/api/v1/enterprises", Roles(auth::STAFF), enterprises),
        Route::get(
            "/api/v1/enterprises/{uscc}",
            Roles(auth::ENTERPRISE_READERS),
            enterprise,
        ),
        Route::get("/api/v1/platforms", Roles(auth::STAFF), platforms),
        Route::post(
            "/api/v1/imports/{kind}",
            Roles(auth::BUREAU),
            imports::import,
        ),
        Route::get(
            "/api/v1/programmes",
            Roles(auth::AUDITORS),
            programmes::list,
        ),
        Route::get(
            "/api/v1/programmes/{code}/preview",
            Roles(auth::AUDITORS),
            programmes::preview,
        ),
        Route::put(
            "/api/v1/programmes/{code}/budgets/{year}",
            Roles(auth::BUREAU),
            programmes::set_budget,
        ),
        Route::post(
            "/api/v1/programmes/{code}/batches",
            Roles(auth::BUREAU),
            programmes::commit,
        ),
        Route::get(
            "/api/v1/batches/{id}",
            Roles(auth::AUDITORS),
            programmes::batch,
        ),
        Route::post(
            "/api/v1/batches/{id}/steps",
            Roles(auth::BUREAU),
            programmes::step,
        ),
        Route::get("/api/v1/notices", Public, programmes::notices),
        Route::get("/api/v1/grants", Public, programmes::grants),
        Route::post("/api/v1/session", Public, account::login),
        Route::delete("/api/v1/session", Account, account::logout),
        Route::get("/api/v1/me", Account, account::me),
        Route::put("/api/v1/me/password", Account, account::change_password),
        Route::get("/api/v1/tokens", Signed, account::tokens),
        Route::post("/api/v1/tokens", Signed, account::create_token),
        Route::delete("/api/v1/tokens/{id}", Signed, account::revoke_token),
    ]
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI)
}

#[derive(Serialize)]
struct RegionOut {
    code: String,
    name: String,
    name_en: String,
    parent: Option<String>,
    kind: &'static str,
}

async fn regions(State(st): State<AppState>) -> Result<Json<Vec<RegionOut>>, ApiError> {
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

async fn plans(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(st.store.plans().await?)))
}

async fn plan(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    let plan = st.store.plan(id).await?;
    let items = st.store.plan_items(id).await?;
    Ok(Json(json!({
        "id": plan.id, "code": plan.code, "name": plan.name, "name_en": plan.name_en,
        "region_code": plan.region_code, "start_year": plan.start_year, "end_year": plan.end_year,
        "preamble": plan.preamble, "items": items,
    })))
}

#[derive(Deserialize)]
pub struct AtQuery {
    pub region: Option<String>,
    pub as_of: Option<String>,
}

async fn targets(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<AtQuery>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let as_of = service::parse_as_of(q.as_of.as_deref())?;
    let loaded = Loaded::load(&st.store, &st.counts, id, as_of).await?;
    let region = loaded.region(q.region.as_deref())?;
    Ok(Json(
        loaded
            .evaluate_all(&region.code, as_of)
            .iter()
            .map(target_json)
            .collect(),
    ))
}

/// The records behind a target's figure for a region at a date: the registry records a count
/// includes, or the observations a value is computed from.
async fn target_records(
    State(st): State<AppState>,
    who: Caller,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<AtQuery>,
) -> Result<Json<Value>, ApiError> {
    let as_of = service::parse_as_of(q.as_of.as_deref())?;
    let loaded = Loaded::load(&st.store, &st.counts, id, as_of).await?;
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
    Ok(Json(json!({
        "target": code,
        "indicator": target.indicator,
        "region": region.code.to_string(),
        "as_of": as_of.format("%Y-%m-%d").to_string(),
        "count": counted.len(),
        "records": counted,
        "observations": observations,
    })))
}

fn target_json(e: &Evaluation) -> Value {
    let t = &e.target;
    let p = &e.progress;
    let period = e
        .current_period()
        .map(|(per, v)| (per.to_string(), v.basis));
    json!({
        "code": t.code,
        "name": t.name,
        "name_en": t.name_en,
        "measure": t.measure,
        "kind": t.kind.as_str(),
        "indicator": t.indicator,
        "unit": e.indicator.unit,
        "comparator": t.comparator.as_str(),
        "baseline": t.baseline.map(|b| json!({"value": b.value, "date": b.date.format("%Y-%m-%d").to_string()})),
        "target": e.applicable,
        "target_scope": e.scope,
        "stretch": t.stretch,
        "deadline": t.deadline.format("%Y-%m-%d").to_string(),
        "annual": t.annual,
        "current": p.current.map(|c| json!({
            "value": c.value,
            "period": period.as_ref().map(|x| x.0.clone()),
            "basis": period.as_ref().map(|x| json!(x.1)),
        })),
        "completion": p.completion,
        "time_elapsed": p.time_elapsed,
        "status": p.status.as_str(),
        "cagr_status": p.cagr_status.as_str(),
        "projection": p.projection,
    })
}

async fn indicators(State(st): State<AppState>) -> Result<Json<Vec<Value>>, ApiError> {
    let out = st
        .store
        .indicators()
        .await?
        .into_iter()
        .map(|i| {
            let (formula, count) = match &i.kind {
                IndicatorKind::Formula(f) => (Some(f.text().to_owned()), None),
                IndicatorKind::RegistryCount(c) => (None, Some(json!(c))),
                IndicatorKind::Ledger(l) => (None, Some(json!(l))),
                IndicatorKind::Manual { .. } => (None, None),
            };
            json!({
                "code": i.code, "name": i.name, "name_en": i.name_en, "unit": i.unit,
                "description": i.description, "kind": i.kind.as_str(),
                "aggregation": i.aggregation().as_str(), "formula": formula, "count": count,
            })
        })
        .collect();
    Ok(Json(out))
}

#[derive(Deserialize)]
struct RegionQuery {
    region: Option<String>,
}

async fn observations(
    State(st): State<AppState>,
    who: Caller,
    Path(code): Path<String>,
    Query(q): Query<RegionQuery>,
) -> Result<Json<Value>, ApiError> {
    let region =
        kechuang_service::registries::scoped_region(&st.store, &who, q.region.as_deref()).await?;
    let s = service::indicator_series(&st.store, &code, Some(region.as_str())).await?;
    let series: Vec<Value> = s
        .series
        .iter()
        .map(|(p, v)| {
            json!({
                "period": p.to_string(),
                "period_end": p.end_date().format("%Y-%m-%d").to_string(),
                "value": v.value,
                "basis": json!(v.basis),
            })
        })
        .collect();
    Ok(Json(json!({
        "indicator": s.indicator.code,
        "unit": s.indicator.unit,
        "region": s.region.code.to_string(),
        "series": series,
        "observations": s.records,
    })))
}

#[derive(Deserialize)]
pub struct EnterpriseQuery {
    pub region: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub field: Option<String>,
    pub sort: Option<String>,
    pub as_of: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl EnterpriseQuery {
    pub async fn filter(&self, st: &AppState, who: &Caller) -> Result<EnterpriseFilter, AppError> {
        if let Some(s) = self.status.as_deref().filter(|s| !s.is_empty()) {
            if s != "none" && CertificateKind::parse(s).is_none() {
                return Err(AppError::invalid(RequestProblem::CertificateKind {
                    field: "status",
                    raw: s.to_owned(),
                }));
            }
        }
        Ok(EnterpriseFilter {
            regions: Some(
                kechuang_service::registries::scoped_subtree(
                    &st.store,
                    who,
                    self.region.as_deref(),
                )
                .await?,
            ),
            q: self.q.clone(),
            status: self.status.clone(),
            field: self.field.clone(),
            sort: self.sort.clone(),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        })
    }
}

async fn enterprises(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Json<Page<EnterpriseItem>>, ApiError> {
    let as_of = service::parse_as_of(q.as_of.as_deref())?;
    let filter = q.filter(&st, &who).await?;
    Ok(Json(st.store.enterprises_page(&filter, as_of).await?))
}

async fn enterprise(
    State(st): State<AppState>,
    who: Caller,
    Path(uscc): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let d = kechuang_service::registries::enterprise_detail(&st.store, &who, &uscc).await?;
    Ok(Json(json!({
        "enterprise": d.enterprise,
        "certificates": d.certificates,
        "platforms": d.platforms,
        "facts": d.facts,
    })))
}

#[derive(Deserialize)]
pub struct PlatformQuery {
    pub region: Option<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PlatformQuery {
    pub async fn filter(&self, st: &AppState, who: &Caller) -> Result<PlatformFilter, AppError> {
        let level = match self.level.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(l) => Some(
                Level::parse(l)
                    .ok_or_else(|| {
                        AppError::invalid(RequestProblem::PlatformLevel { raw: l.to_owned() })
                    })?
                    .code()
                    .to_owned(),
            ),
        };
        Ok(PlatformFilter {
            regions: Some(
                kechuang_service::registries::scoped_subtree(
                    &st.store,
                    who,
                    self.region.as_deref(),
                )
                .await?,
            ),
            kind: self.kind.clone().filter(|s| !s.is_empty()),
            level,
            q: self.q.clone(),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        })
    }
}

async fn platforms(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<PlatformQuery>,
) -> Result<Json<Page<PlatformItem>>, ApiError> {
    let filter = q.filter(&st, &who).await?;
    Ok(Json(st.store.platforms_page(&filter).await?))
}
