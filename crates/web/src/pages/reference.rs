//! Reference pages: the indicators with their definitions, and the API.

use super::*;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use kechuang_domain::indicator::IndicatorKind;
use kechuang_service::progress::{self as service};

// ---- indicators and API pages ---------------------------------------------------------

pub(super) struct IndicatorRow {
    code: String,
    name: String,
    unit: String,
    kind: &'static str,
    aggregation: &'static str,
    formula: String,
    href: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
pub(super) struct IndicatorsPage {
    chrome: Chrome,
    rows: Vec<IndicatorRow>,
}

pub(super) async fn indicators_page(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let plan_id = service::default_plan_id(&st.store).await.ok();
    let rows = st
        .store
        .indicators()
        .await
        .page(lang)?
        .into_iter()
        .map(|i| IndicatorRow {
            href: format!("/api/v1/indicators/{}/observations", i.code),
            name: lang.pick(&i.name, &i.name_en).to_owned(),
            unit: i.unit.clone(),
            kind: match &i.kind {
                IndicatorKind::Manual { .. } => tr.kind_manual,
                IndicatorKind::Formula(_) => tr.kind_formula,
                IndicatorKind::RegistryCount(_) => tr.kind_registry,
                IndicatorKind::Ledger(_) => tr.kind_ledger,
                IndicatorKind::Records(_) => tr.kind_records,
            },
            aggregation: match (&i.kind, i.aggregation()) {
                (IndicatorKind::Formula(_), _) => "—",
                (_, kechuang_domain::indicator::Aggregation::Sum) => tr.agg_sum,
                (_, kechuang_domain::indicator::Aggregation::None) => tr.agg_none,
            },
            formula: match &i.kind {
                IndicatorKind::Formula(f) => f.text().to_owned(),
                _ => String::new(),
            },
            code: i.code,
        })
        .collect();
    let page = IndicatorsPage {
        chrome: Chrome::new(&v, "indicators", tr.nav_indicators.into(), &uri, plan_id),
        rows,
    };
    render(&page, lang)
}

#[derive(Template)]
#[template(path = "api.html")]
pub(super) struct ApiPage {
    chrome: Chrome,
    endpoints: Vec<(String, String)>,
}

pub(super) async fn api_page(v: Viewer, uri: Uri) -> Result<Response, PageError> {
    let lang = v.lang;
    let doc: serde_json::Value = serde_json::from_str(crate::openapi::document())
        .map_err(|e| AppError::internal(e.to_string()))
        .page(lang)?;
    let endpoints = doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .flat_map(|(path, ops)| {
                    ops.as_object()
                        .into_iter()
                        .flatten()
                        .map(move |(method, op)| {
                            (
                                format!("{} {path}", method.to_uppercase()),
                                op["summary"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    let page = ApiPage {
        chrome: Chrome::new(&v, "api", lang.tr().nav_api.into(), &uri, None),
        endpoints,
    };
    render(&page, lang)
}
