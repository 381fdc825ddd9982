//! The expert pool the bureau keeps for reviews.

use super::{render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::application::Expert;
use kechuang_service::applications as svc;
use serde::Deserialize;

// ---- experts ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "experts.html")]
struct ExpertsPage {
    chrome: Chrome,
    csrf: String,
    experts: Vec<(Expert, usize)>,
    error: String,
}

async fn experts_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let load = st.store.expert_load().await.page(lang)?;
    let experts = st
        .store
        .experts()
        .await
        .page(lang)?
        .into_iter()
        .map(|e| {
            let n = load.get(&e.username).copied().unwrap_or(0);
            (e, n)
        })
        .collect();
    let page = ExpertsPage {
        chrome: Chrome::new(v, "experts", lang.tr().experts_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        experts,
        error,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The expert pool as a spreadsheet, with each expert's current load.
pub async fn export(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = super::SheetFormat::of(&file, "experts", lang)?;
    let load = st.store.expert_load().await.page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "评审专家",
        headers: &[
            "账号",
            "姓名",
            "专业领域",
            "工作单位",
            "单位统一社会信用代码",
            "回避单位",
            "在评项目数",
        ],
        rows: st
            .store
            .experts()
            .await
            .page(lang)?
            .into_iter()
            .map(|e| {
                let n = load.get(&e.username).copied().unwrap_or(0);
                vec![
                    e.username,
                    e.name,
                    e.fields.join("、"),
                    e.affiliation,
                    e.affiliation_uscc.unwrap_or_default(),
                    e.conflicts.join("、"),
                    n.to_string(),
                ]
            })
            .collect(),
        numeric: &[6],
    };
    super::sheet_download(&table, format, &file, lang)
}

pub async fn experts(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    experts_page(&st, &v, &who, &uri, None).await
}

#[derive(Deserialize)]
pub struct ExpertForm {
    username: String,
    name: String,
    fields: String,
    affiliation: String,
    affiliation_uscc: Option<String>,
    conflicts: Option<String>,
}

pub async fn save_expert(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<ExpertForm>,
) -> Result<Response, PageError> {
    let e = svc::ExpertInput {
        username: &f.username,
        name: &f.name,
        fields: &f.fields,
        affiliation: &f.affiliation,
        affiliation_uscc: f.affiliation_uscc.as_deref(),
        conflicts: f.conflicts.as_deref(),
    };
    match svc::save_expert(&st.store, who.as_bureau().page(v.lang)?, &e).await {
        Ok(()) => Ok(Redirect::to("/experts").into_response()),
        Err(err) => experts_page(&st, &v, &who, &uri, Some(err)).await,
    }
}
