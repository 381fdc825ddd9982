//! Calls for applications (申报指南): the list, publishing a call, one call with its
//! applications, applying, and proposing the scored ones for funding.

use super::applications::{overdue, status_class};
use super::{county_name, render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::format::today_in_china;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use kechuang_domain::application::AppStatus;
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::region::RegionTree;
use kechuang_service::applications as svc;
use kechuang_store::{ApplicationFilter, ApplicationRecord};
use serde::Deserialize;

// ---- calls --------------------------------------------------------------------------------

struct CallRow {
    id: i64,
    title: String,
    programme: String,
    year: i32,
    period: String,
    state: &'static str,
    state_class: &'static str,
    open: bool,
    applications: i64,
}

struct AppRow {
    id: i64,
    title: String,
    enterprise: String,
    county: String,
    requested: String,
    status: &'static str,
    status_class: &'static str,
    overdue: String,
    score: String,
    selectable: bool,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsPage {
    chrome: Chrome,
    csrf: String,
    bureau: bool,
    enterprise: bool,
    staff: bool,
    calls: Vec<CallRow>,
    mine: Vec<AppRow>,
    programmes: Vec<(String, String)>,
    error: String,
    this_year: i32,
}

fn app_rows(apps: &[ApplicationRecord], tree: &RegionTree, lang: crate::i18n::Lang) -> Vec<AppRow> {
    let today = today_in_china();
    apps.iter()
        .map(|a| AppRow {
            id: a.id,
            title: if a.title.is_empty() {
                format!("{} {}", lang.tr().application, a.id)
            } else {
                a.title.clone()
            },
            enterprise: a.name.clone(),
            county: county_name(tree, &a.region_code),
            requested: a.requested.wan_text(),
            status: lang.pick(a.status.name(), a.status.name_en()),
            status_class: status_class(a.status),
            overdue: overdue(a, today, lang),
            score: a.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
            selectable: a.status == AppStatus::Scored,
        })
        .collect()
}

async fn calls_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let tr = lang.tr();
    let today = today_in_china();
    let tree = st.store.region_tree().await.page(lang)?;
    let calls = st.store.calls().await.page(lang)?;
    let programmes = st.store.programmes().await.page(lang)?;
    let mine = match (who.role(), who.scope()) {
        (Role::Enterprise, DataScope::Enterprise(u)) => st
            .store
            .applications(&ApplicationFilter {
                uscc: Some(u.clone()),
                ..Default::default()
            })
            .await
            .page(lang)?,
        (Role::Expert, _) => st
            .store
            .applications(&ApplicationFilter {
                expert: Some(who.username().to_owned()),
                ..Default::default()
            })
            .await
            .page(lang)?,
        _ => Vec::new(),
    };
    let page = CallsPage {
        chrome: Chrome::new(v, "calls", tr.calls_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        bureau: who.role() == Role::Bureau,
        enterprise: who.role() == Role::Enterprise,
        staff: matches!(who.role(), Role::Bureau | Role::County),
        calls: calls
            .iter()
            .map(|c| {
                let opens = NaiveDate::parse_from_str(&c.opens_on, "%Y-%m-%d").unwrap_or(today);
                let closes = NaiveDate::parse_from_str(&c.closes_on, "%Y-%m-%d").unwrap_or(today);
                let (state, class, open) = if today < opens {
                    (tr.call_upcoming, "no_data", false)
                } else if today > closes {
                    (tr.call_closed, "plain", false)
                } else {
                    (tr.call_open, "on_track", true)
                };
                CallRow {
                    id: c.id,
                    title: c.title.clone(),
                    programme: c.programme_name.clone(),
                    year: c.year,
                    period: format!(
                        "{} — {}",
                        crate::format::day_text(&c.opens_on, lang),
                        crate::format::day_text(&c.closes_on, lang)
                    ),
                    state,
                    state_class: class,
                    open,
                    applications: c.applications,
                }
            })
            .collect(),
        mine: app_rows(&mine, &tree, lang),
        programmes: programmes
            .iter()
            // A reward programme's form is a competition's entry form, not a call's.
            .filter(|p| {
                p.form.is_some() && p.kind != kechuang_domain::programme::ProgrammeKind::Reward
            })
            .map(|p| (p.code.clone(), lang.pick(&p.name, &p.name_en).to_owned()))
            .collect(),
        error,
        this_year: today.year(),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn calls(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    calls_page(&st, &v, &who, &uri, None).await
}

#[derive(Deserialize)]
pub struct CallForm {
    programme: String,
    year: String,
    title: String,
    opens_on: String,
    closes_on: String,
    /// The checkbox: present when ticked.
    offsite_open: Option<String>,
}

pub async fn create_call(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<CallForm>,
) -> Result<Response, PageError> {
    let call = svc::CallInput {
        programme: &f.programme,
        year: &f.year,
        title: &f.title,
        opens_on: &f.opens_on,
        closes_on: &f.closes_on,
        offsite_open: f.offsite_open.is_some(),
    };
    match svc::create_call(&st.store, who.as_bureau().page(v.lang)?, &call).await {
        Ok(id) => Ok(Redirect::to(&format!("/calls/{id}")).into_response()),
        Err(e) => calls_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

struct GuideFile {
    id: i64,
    name: String,
    size: String,
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    chrome: Chrome,
    csrf: String,
    bureau: bool,
    enterprise: bool,
    id: i64,
    title: String,
    programme: String,
    period: String,
    /// Open for applications today.
    open: bool,
    guide: String,
    files: Vec<GuideFile>,
    /// The portal's published guides and notices about this call: (id, title).
    articles: Vec<(i64, String)>,
    rows: Vec<AppRow>,
    error: String,
    offsite_open: bool,
    /// For an off-site enterprise: its sites with evidence, (id, county), to apply through.
    sites: Vec<(i64, String)>,
    /// The caller is an off-site enterprise.
    offsite: bool,
}

async fn call_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    id: i64,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let (c, apps) = svc::call_with_applications(&st.store, who, id)
        .await
        .page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let files = svc::guide_files(&st.store, id).await.page(lang)?;
    let today = today_in_china();
    let day = |s: &str| crate::format::day_text(s, lang);
    let (offsite, sites) = match who.scope() {
        DataScope::Enterprise(u) => {
            let offsite = st.store.offsite_standing(u).await.page(lang)? == Some(true);
            let sites = kechuang_service::offsite::visible_sites(&st.store, who)
                .await
                .page(lang)?
                .into_iter()
                .filter(|s| s.files > 0)
                .map(|s| {
                    let county = super::region_name(&tree, lang, &s.region_code);
                    (s.id, format!("{county} · {}", s.address))
                })
                .collect();
            (offsite, sites)
        }
        _ => (false, Vec::new()),
    };
    let page = CallPage {
        offsite_open: c.offsite_open,
        sites,
        offsite,
        chrome: Chrome::new(v, "calls", c.title.clone(), uri, None),
        csrf: who.csrf().to_owned(),
        bureau: who.role() == Role::Bureau,
        enterprise: who.role() == Role::Enterprise,
        id,
        title: c.title.clone(),
        programme: c.programme_name.clone(),
        period: format!("{} — {}", day(&c.opens_on), day(&c.closes_on)),
        open: NaiveDate::parse_from_str(&c.opens_on, "%Y-%m-%d").is_ok_and(|d| d <= today)
            && NaiveDate::parse_from_str(&c.closes_on, "%Y-%m-%d").is_ok_and(|d| today <= d),
        guide: c.guide.clone(),
        files: files
            .iter()
            .map(|f| GuideFile {
                id: f.id,
                name: f.file_name.clone(),
                size: if f.size >= 1024 * 1024 {
                    format!("{:.1} MB", f.size as f64 / 1_048_576.0)
                } else {
                    format!("{} KB", (f.size + 1023) / 1024)
                },
            })
            .collect(),
        articles: kechuang_service::portal::linked(
            &st.store,
            ("call", &id.to_string()),
            chrono::Utc::now(),
        )
        .await
        .page(lang)?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect(),
        rows: app_rows(&apps, &tree, lang),
        error,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn call(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    call_page(&st, &v, &who, &uri, id, None).await
}

#[derive(Deserialize)]
pub struct GuideForm {
    guide: String,
}

/// The calls for applications as a spreadsheet, with how many applications each received.
pub async fn calls_export(
    State(st): State<AppState>,
    v: Viewer,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = super::SheetFormat::of(&file, "calls", lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "申报指南",
        headers: &[
            "编号",
            "标题",
            "资金项目",
            "年度",
            "开始日期",
            "截止日期",
            "已提交申报数",
        ],
        rows: st
            .store
            .calls()
            .await
            .page(lang)?
            .into_iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.title,
                    c.programme_name,
                    c.year.to_string(),
                    c.opens_on,
                    c.closes_on,
                    c.applications.to_string(),
                ]
            })
            .collect(),
        numeric: &[0, 3, 6],
    };
    super::sheet_download(&table, format, &file, lang)
}

/// A call's applications as the caller sees them, as a spreadsheet.
pub async fn applications_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = super::SheetFormat::of(&file, "applications", lang)?;
    let (c, apps) = svc::call_with_applications(&st.store, &who, id)
        .await
        .page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "申报",
        headers: &[
            "申报编号",
            "项目名称",
            "企业名称",
            "统一社会信用代码",
            "县（市、区）",
            "申请金额(万元)",
            "状态",
            "专家评分",
            "提交时间",
        ],
        rows: apps
            .iter()
            .map(|a| {
                vec![
                    a.id.to_string(),
                    a.title.clone(),
                    a.name.clone(),
                    a.uscc.clone(),
                    county_name(&tree, &a.region_code),
                    a.requested.wan_text(),
                    a.status.name().to_owned(),
                    a.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    a.submitted_at.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        numeric: &[0, 5, 7],
    };
    super::sheet_download(
        &table,
        format,
        &format!("applications-{}.{}", c.id, format.ext()),
        lang,
    )
}

/// The bureau writes the call's guide.
pub async fn set_guide(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<GuideForm>,
) -> Result<Response, PageError> {
    let bureau = who.as_bureau().page(v.lang)?;
    match svc::set_guide(&st.store, bureau, id, &f.guide).await {
        Ok(()) => Ok(Redirect::to(&format!("/calls/{id}#guide")).into_response()),
        Err(e) => call_page(&st, &v, &who, &uri, id, Some(e)).await,
    }
}

/// The bureau attaches files to the call's guide.
pub async fn add_guide_file(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bad = super::frame::unreadable_form(lang);
    let bureau = who.as_bureau().page(lang)?;
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let ctype = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field.bytes().await.map_err(bad)?;
        if name.is_empty() {
            continue;
        }
        if let Err(e) = svc::put_guide_file(&st.store, bureau, id, &name, &ctype, &bytes).await {
            return call_page(&st, &v, &who, &uri, id, Some(e)).await;
        }
    }
    Ok(Redirect::to(&format!("/calls/{id}#guide")).into_response())
}

/// A file of the call's guide, as a download.
pub async fn guide_file(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (name, ctype, data) = svc::guide_file(&st.store, id, file).await.page(v.lang)?;
    Ok(crate::format::file_download(&name, ctype, data))
}

#[derive(Deserialize)]
pub struct ApplyForm {
    /// An off-site enterprise's site to apply through.
    site: Option<String>,
}

/// An enterprise starts an application to an open call, or opens the one it has.
pub async fn apply(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ApplyForm>,
) -> Result<Response, PageError> {
    let site = f.site.and_then(|s| s.trim().parse().ok());
    match svc::apply(&st.store, &who, id, site).await {
        Ok((app, _)) => Ok(Redirect::to(&format!("/applications/{app}")).into_response()),
        // Only an enterprise applies: anyone else is refused outright, not shown the list.
        Err(e @ AppError::Forbidden(_)) => Err(PageError(e, v.lang)),
        Err(e) => calls_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

/// The bureau proposes the selected scored applications for funding.
pub async fn proposal(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let ids: Vec<i64> = f
        .iter()
        .filter(|(k, _)| k == "app")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    match svc::propose(&st.store, &who, id, &ids).await {
        Ok(batch) => Ok(Redirect::to(&format!("/batches/{batch}")).into_response()),
        Err(e) => call_page(&st, &v, &who, &uri, id, Some(e)).await,
    }
}
