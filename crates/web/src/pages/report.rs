//! The annual progress report as an A4 page the browser prints (or saves as PDF), and as the
//! workbook download; both from `kechuang_service::report`, so they hold the same figures.

use super::{render, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::format;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::Datelike;
use kechuang_service::report as service;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    year: String,
}

struct Row {
    code: String,
    name: String,
    unit: String,
    baseline: String,
    target: String,
    stretch: String,
    value: String,
    period: String,
    completion: String,
    elapsed: String,
    status: &'static str,
    status_class: &'static str,
    cagr: &'static str,
}

fn n(v: Option<f64>) -> String {
    v.map(format::number).unwrap_or_else(|| "—".into())
}

fn row(t: &service::TargetLine, first: String) -> Row {
    Row {
        code: first,
        name: t.name.clone(),
        unit: t.unit.clone(),
        baseline: n(t.baseline),
        target: n(t.target),
        stretch: n(t.stretch),
        value: n(t.value),
        period: t.period.clone().unwrap_or_default(),
        completion: t
            .completion
            .map(|c| format!("{:.1}%", c * 100.0))
            .unwrap_or_else(|| "—".into()),
        elapsed: format!("{:.0}%", t.time_elapsed * 100.0),
        status: t.status_zh,
        status_class: t.status,
        cagr: t.cagr_zh,
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    plan_id: i64,
    plan_name: String,
    year: i32,
    years: Vec<i32>,
    as_of: String,
    city: Vec<Row>,
    counties: Vec<(String, String, Vec<Row>)>,
    tasks: Vec<service::TaskLine>,
    funds: Vec<(String, String, String, String, String, String)>,
}

fn year_of(raw: &str, plan: &kechuang_store::PlanSummary) -> i32 {
    raw.trim().parse::<i32>().unwrap_or_else(|_| {
        // The last full year by default, within the plan.
        (format::today_in_china().year() - 1).clamp(plan.start_year, plan.end_year)
    })
}

pub async fn page(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(plan_id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let plan = st.store.plan(plan_id).await.page(lang)?;
    let year = year_of(&q.year, &plan);
    let r = service::annual(&st.store, &st.progress, Some(&who), plan_id, year)
        .await
        .page(lang)?;
    let page = ReportPage {
        chrome: Chrome::new(
            &v,
            "plan",
            format!("{}年度进展报告", r.year),
            &uri,
            Some(plan_id),
        ),
        plan_id,
        plan_name: r.plan.name.clone(),
        year: r.year,
        years: (plan.start_year..=plan.end_year).collect(),
        as_of: format::date(r.as_of, lang),
        city: r.city.iter().map(|t| row(t, t.code.clone())).collect(),
        counties: r
            .counties
            .iter()
            .map(|(code, name, lines)| {
                (
                    code.clone(),
                    name.clone(),
                    lines.iter().map(|t| row(t, t.region.clone())).collect(),
                )
            })
            .collect(),
        funds: r
            .funds
            .iter()
            .map(|f| {
                (
                    f.code.clone(),
                    f.name.clone(),
                    format::number(f.budget),
                    format::number(f.committed),
                    format::number(f.paid),
                    if f.budget > 0.0 {
                        format!("{:.1}%", f.paid / f.budget * 100.0)
                    } else {
                        "—".into()
                    },
                )
            })
            .collect(),
        tasks: r.tasks,
    };
    render(&page, lang)
}

/// The report as a workbook: `/plans/{id}/report/{year}.xlsx`.
pub async fn workbook(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((plan_id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let year = file
        .strip_suffix(".xlsx")
        .and_then(|y| y.parse::<i32>().ok())
        .ok_or_else(|| {
            crate::error::AppError::not_found(kechuang_service::Missing::Page {
                path: file.chars().take(40).collect(),
            })
        })
        .page(lang)?;
    let r = service::annual(&st.store, &st.progress, Some(&who), plan_id, year)
        .await
        .page(lang)?;
    let bytes = service::annual_xlsx(&r, lang.tr().bureau).page(lang)?;
    Ok(format::file_download(
        &format!("{}年度进展报告.xlsx", r.year),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
