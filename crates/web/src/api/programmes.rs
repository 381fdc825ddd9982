//! Programmes in the API: budgets, batch previews and commits, batch steps, public notices,
//! and the grants made as open data in the style of the 360Giving standard.

use crate::auth::Caller;
use crate::error::{ApiError, AppError, RequestProblem};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use kechuang_domain::programme::{BatchStatus, LineStatus};
use kechuang_service::programmes::{self as svc, BatchPreview};
use serde::Deserialize;
use serde_json::{json, Value};

fn preview_json(p: &BatchPreview) -> Value {
    json!({
        "programme": p.programme.code,
        "year": p.year,
        "budget": p.budget,
        "due_total_fen": p.preview.due_total.0,
        "not_eligible": p.preview.not_eligible,
        "lines": p.preview.lines.iter().map(|l| json!({
            "uscc": l.entitlement.uscc,
            "name": l.entitlement.name,
            "region": l.entitlement.region_code,
            "basis": l.entitlement.basis,
            "basis_key": l.entitlement.basis_key,
            "amount_fen": l.entitlement.amount.0,
            "status": l.status.code(),
            "batch": match l.status {
                LineStatus::AlreadyAwarded { batch } => Some(batch),
                _ => None,
            },
        })).collect::<Vec<_>>(),
    })
}

pub async fn list(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let budgets = st.store.budget_lines(None).await?;
    let items: Vec<Value> = st
        .store
        .programmes()
        .await?
        .into_iter()
        .map(|p| {
            let mine: Vec<_> = budgets
                .iter()
                .filter(|b| b.programme_code == p.code)
                .collect();
            json!({ "programme": p, "budgets": mine })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: String,
}

pub async fn preview(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, ApiError> {
    let year = svc::parse_year(&q.year)?;
    let p = svc::preview_batch(&st.store, &code, year).await?;
    Ok(Json(preview_json(&p)))
}

#[derive(Deserialize)]
pub struct BudgetBody {
    /// Fen as an integer, or text such as "1500万元".
    amount: Value,
}

pub async fn set_budget(
    State(st): State<AppState>,
    who: Caller,
    Path((code, year)): Path<(String, String)>,
    Json(b): Json<BudgetBody>,
) -> Result<Json<Value>, ApiError> {
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
    st.store
        .set_budget(&code, year, amount, &who.actor())
        .await?;
    Ok(Json(json!(st.store.budget_line(&code, year).await?)))
}

#[derive(Deserialize)]
pub struct CommitBody {
    year: Value,
}

pub async fn commit(
    State(st): State<AppState>,
    who: Caller,
    Path(code): Path<String>,
    Json(b): Json<CommitBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let year = match &b.year {
        Value::Number(n) => svc::parse_year(&n.to_string())?,
        Value::String(s) => svc::parse_year(s)?,
        _ => return Err(AppError::invalid(RequestProblem::YearType).into()),
    };
    let (id, p) = svc::commit_batch(&st.store, &code, year, &who.actor()).await?;
    let mut body = preview_json(&p);
    body["batch"] = json!(st.store.batch(id).await?);
    Ok((StatusCode::CREATED, Json(body)))
}

pub async fn batch(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({
        "batch": st.store.batch(id).await?,
        "awards": st.store.batch_awards(id).await?,
        "objections": st.store.objections(id).await?,
        "transitions": st.store.batch_transitions(id).await?,
    })))
}

#[derive(Deserialize)]
pub struct StepBody {
    action: String,
    comment: Option<String>,
    notice_start: Option<String>,
    paid_on: Option<String>,
    payment_ref: Option<String>,
}

pub async fn step(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<StepBody>,
) -> Result<Json<Value>, ApiError> {
    let s = svc::step(
        &b.action,
        b.comment.as_deref(),
        b.notice_start.as_deref(),
        b.paid_on.as_deref(),
        b.payment_ref.as_deref(),
    )?;
    st.store.act_on_batch(id, &s, &who.actor()).await?;
    Ok(Json(json!(st.store.batch(id).await?)))
}

/// Published notices with their lists; only what the public page shows.
pub async fn notices(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let today = crate::format::today_in_china().to_string();
    let mut items = Vec::new();
    for b in st.store.notices().await? {
        if b.notice_start.as_deref().is_none_or(|s| s > today.as_str()) {
            continue;
        }
        let awards: Vec<Value> = st
            .store
            .batch_awards(b.id)
            .await?
            .into_iter()
            .filter(|a| a.status != "void")
            .map(|a| {
                json!({
                    "name": a.name, "uscc": a.uscc, "region": a.region_code,
                    "basis": a.basis, "amount_fen": a.amount.0,
                    "withdrawn": a.status == "withdrawn",
                })
            })
            .collect();
        let running = b.status == BatchStatus::Notice
            && b.notice_end.as_deref().is_some_and(|e| e >= today.as_str());
        items.push(json!({
            "id": b.id, "programme": b.programme_code, "programme_name": b.programme_name,
            "year": b.year, "notice_start": b.notice_start, "notice_end": b.notice_end,
            "running": running, "total_fen": b.total.0, "awards": awards,
        }));
    }
    Ok(Json(json!({ "items": items })))
}

/// Grants made, as open data in the shape of the 360Giving standard: amounts in yuan, the
/// recipient identified by its USCC, the award date being the date of approval.
pub async fn grants(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let plan = st.store.plans().await?.into_iter().next();
    let funder_region = plan
        .as_ref()
        .map(|p| p.region_code.clone())
        .unwrap_or_default();
    let tree = st.store.region_tree().await?;
    let name_of = |code: &str| tree.name_of(code).unwrap_or_default().to_owned();
    let funder = format!("{}科学技术局", name_of(&funder_region));
    let grants: Vec<Value> = st
        .store
        .grants()
        .await?
        .into_iter()
        .map(|g| {
            let a = &g.award;
            json!({
                "id": format!("360G-kechuang-{funder_region}-{}", a.id),
                "title": format!("{} {}", g.programme_name, a.year),
                "description": a.basis,
                "currency": "CNY",
                "amountAwarded": a.amount.0 as f64 / 100.0,
                "awardDate": g.awarded_on,
                "plannedDates": g.paid_on.as_ref().map(|d| json!([{ "startDate": d }])),
                "recipientOrganization": [{ "id": format!("CN-USCC-{}", a.uscc), "name": a.name }],
                "fundingOrganization": [{ "id": format!("CN-GB2260-{funder_region}-KJJ"), "name": funder }],
                "grantProgramme": [{ "code": a.programme_code, "title": g.programme_name }],
                "beneficiaryLocation": [{ "geoCode": a.region_code, "name": name_of(&a.region_code) }],
            })
        })
        .collect();
    Ok(Json(json!({ "grants": grants })))
}
