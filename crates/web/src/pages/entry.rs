//! County data entry (数据填报): the overview of returns, a county's form for a year, and the
//! bureau's review.

use super::{render, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::format;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::entry::EntryStatus;
use kechuang_domain::region::RegionKind;
use kechuang_service::entry::{self, EntrySheet, LineTarget};
use kechuang_service::progress as service;
use kechuang_service::Saved;
use std::collections::HashMap;

struct Cell {
    href: String,
    label: String,
    class: &'static str,
}

struct OverviewRow {
    county: String,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "entry_overview.html")]
struct OverviewPage {
    chrome: Chrome,
    years: Vec<i32>,
    rows: Vec<OverviewRow>,
    pending: usize,
}

fn status_class(s: Option<EntryStatus>) -> &'static str {
    match s {
        None => "plain",
        Some(EntryStatus::Draft) => "no_data",
        Some(EntryStatus::Submitted) => "on_track",
        Some(EntryStatus::Returned) => "behind",
        Some(EntryStatus::Approved) => "achieved",
    }
}

fn status_label(s: Option<EntryStatus>, v: &Viewer) -> String {
    match (s, v.lang.is_en()) {
        (None, _) => v.lang.tr().entry_status_new.into(),
        (Some(s), true) => s.name_en().into(),
        (Some(s), false) => s.name_zh().into(),
    }
}

/// Every county in the caller's scope against every year of the plan, with each return's state.
pub async fn overview(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tree = st.store.region_tree().await.page(lang)?;
    let scope = who.regions(&tree).page(lang)?;
    let plan_id = service::default_plan_id(&st.store).await.page(lang)?;
    let plan = st.store.plan(plan_id).await.page(lang)?;
    let returns = st.store.entry_returns(Some(&scope)).await.page(lang)?;
    let years: Vec<i32> = (plan.start_year..=plan.end_year).collect();
    let rows = tree
        .all()
        .iter()
        .filter(|r| r.kind == RegionKind::County && scope.contains(&r.code))
        .map(|r| OverviewRow {
            county: r.name.clone(),
            cells: years
                .iter()
                .map(|y| {
                    let s = returns
                        .iter()
                        .find(|x| x.region_code == r.code.as_str() && x.period == y.to_string())
                        .map(|x| x.status);
                    Cell {
                        href: format!("/entry/{}/{y}", r.code),
                        label: status_label(s, &v),
                        class: status_class(s),
                    }
                })
                .collect(),
        })
        .collect();
    let page = OverviewPage {
        chrome: Chrome::new(&v, "entry", lang.tr().entry_title.into(), &uri, None),
        years,
        rows,
        pending: returns
            .iter()
            .filter(|r| r.status == EntryStatus::Submitted)
            .count(),
    };
    render(&page, lang)
}

struct FormLine {
    code: String,
    name: String,
    unit: String,
    previous: String,
    target: String,
    value: String,
    shown: String,
    note: String,
    problem: String,
}

struct HistoryLine {
    at: String,
    actor: String,
    change: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "entry_form.html")]
struct FormPage {
    chrome: Chrome,
    county: String,
    period: String,
    action: String,
    csrf: String,
    status: String,
    status_class: &'static str,
    comment: String,
    editable: bool,
    reviewable: bool,
    approved: bool,
    submitted: bool,
    lines: Vec<FormLine>,
    problems: bool,
    history: Vec<HistoryLine>,
}

fn number(v: Option<f64>) -> String {
    v.map(format::number).unwrap_or_default()
}

fn form_page(
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    sheet: &EntrySheet,
    submitted: Option<&HashMap<String, String>>,
    problems: &[(String, String)],
) -> Result<Response, PageError> {
    let lang = v.lang;
    let status = sheet.ret.as_ref().map(|r| r.status);
    let is_county = who.role() == kechuang_domain::auth::Role::County;
    let lines = sheet
        .lines
        .iter()
        .map(|l| {
            let code = l.indicator.code.clone();
            let problem = problems
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            let (value, note) = match submitted {
                Some(s) => (
                    s.get(&format!("v_{code}")).cloned().unwrap_or_default(),
                    s.get(&format!("n_{code}")).cloned().unwrap_or_default(),
                ),
                // Plain digits in the input, as the officer would type them.
                None => (
                    l.value.map(|v| v.to_string()).unwrap_or_default(),
                    l.note.clone(),
                ),
            };
            let shown = value
                .replace(',', "")
                .parse::<f64>()
                .map_or_else(|_| value.clone(), format::number);
            FormLine {
                name: if lang.is_en() && !l.indicator.name_en.is_empty() {
                    l.indicator.name_en.clone()
                } else {
                    l.indicator.name.clone()
                },
                unit: l.indicator.unit.clone(),
                previous: number(l.previous),
                target: match &l.target {
                    Some(LineTarget::County(t)) => format::number(*t),
                    Some(LineTarget::City(t)) => format!(
                        "{} {}",
                        if lang.is_en() { "city" } else { "全市" },
                        format::number(*t)
                    ),
                    Some(LineTarget::Via { code, value, unit }) => format!(
                        "{} {code}: {}{unit}",
                        if lang.is_en() { "feeds" } else { "计入" },
                        format::number(*value)
                    ),
                    None => "—".into(),
                },
                value,
                shown,
                note,
                problem,
                code,
            }
        })
        .collect();
    let page = FormPage {
        chrome: Chrome::new(
            v,
            "entry",
            format!(
                "{} {} {}",
                lang.tr().entry_title,
                sheet.region.name,
                sheet.period
            ),
            uri,
            None,
        ),
        county: sheet.region.name.clone(),
        period: sheet.period.to_string(),
        action: format!("/entry/{}/{}", sheet.region.code, sheet.period),
        csrf: who.csrf().to_owned(),
        status: status_label(status, v),
        status_class: status_class(status),
        comment: sheet
            .ret
            .as_ref()
            .map(|r| r.comment.clone())
            .unwrap_or_default(),
        editable: is_county && status.is_none_or(EntryStatus::editable),
        reviewable: who.role() == kechuang_domain::auth::Role::Bureau,
        approved: status == Some(EntryStatus::Approved),
        submitted: status == Some(EntryStatus::Submitted),
        lines,
        problems: !problems.is_empty(),
        history: sheet
            .ret
            .as_ref()
            .map(|r| {
                r.transitions
                    .iter()
                    .rev()
                    .map(|t| HistoryLine {
                        at: format::timestamp(&t.at),
                        actor: t.actor.clone(),
                        change: match (EntryStatus::parse(&t.from), EntryStatus::parse(&t.to)) {
                            (Some(a), Some(b)) if a != b => {
                                format!(
                                    "{} → {}",
                                    status_label(Some(a), v),
                                    status_label(Some(b), v)
                                )
                            }
                            (_, b) => status_label(b, v),
                        },
                        comment: t.comment.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut res = render(&page, lang)?;
    if !problems.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn form(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((region, period)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let sheet = entry::entry_sheet(&st.store, &who, &region, &period)
        .await
        .page(v.lang)?;
    form_page(&v, &who, &uri, &sheet, None, &[])
}

/// A county saves or submits its figures. Every figure is checked first; with any problem,
/// the form comes back with the figures as typed and each problem beside its field, and
/// nothing is saved.
pub async fn save(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((region, period)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let submit = f.get("action").map(String::as_str) == Some("submit");
    let county = who.as_county().page(lang)?;
    match entry::save(&st.store, county, &region, &period, &f, submit)
        .await
        .page(lang)?
    {
        Saved::Done => {
            let (county, year) = entry::entry_place(&st.store, &who, &region, &period)
                .await
                .page(lang)?;
            Ok(Redirect::to(&format!("/entry/{}/{year}", county.code)).into_response())
        }
        Saved::Refused(problems) => {
            let sheet = entry::entry_sheet(&st.store, &who, &region, &period)
                .await
                .page(lang)?;
            let problems = kechuang_domain::problem::FieldProblem::worded(&problems, v.lang.into());
            form_page(&v, &who, &uri, &sheet, Some(&f), &problems)
        }
    }
}

/// The bureau approves, returns (a comment is required) or unlocks a county's return.
pub async fn review(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((region, period)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let action = f.get("action").map(String::as_str).unwrap_or_default();
    let comment = f.get("comment").map(String::as_str).unwrap_or_default();
    let bureau = who.as_bureau().page(lang)?;
    entry::review(&st.store, bureau, &region, &period, action, comment)
        .await
        .page(lang)?;
    let (county, year) = entry::entry_place(&st.store, &who, &region, &period)
        .await
        .page(lang)?;
    Ok(Redirect::to(&format!("/entry/{}/{year}", county.code)).into_response())
}
