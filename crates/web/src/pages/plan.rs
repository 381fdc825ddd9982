//! The plan page: the plan's text with its measures and the targets under each.

use super::*;
use crate::charts::status_class;
use crate::format::{self};
use crate::i18n::status_label;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use kechuang_service::progress::Loaded;

// ---- plan page ------------------------------------------------------------------------

pub(super) struct Chip {
    code: String,
    name: String,
    href: String,
    status: &'static str,
    status_class: &'static str,
}

pub(super) struct ItemView {
    level: String,
    code: String,
    title: String,
    body: String,
    chips: Vec<Chip>,
    /// The measure's tasks: code, title, lead units, deadline.
    tasks: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "plan.html")]
pub(super) struct PlanPage {
    chrome: Chrome,
    plan_id: i64,
    code: String,
    name: String,
    period: String,
    preamble: String,
    items: Vec<ItemView>,
    /// Every plan, for the selector: (id, name, period, this one).
    plans: Vec<(i64, String, String, bool)>,
    staff: bool,
    bureau: bool,
    csrf: String,
    /// (revision, who, when), newest first.
    revisions: Vec<(i64, String, String)>,
    /// Open drafts: (id, code, updated by, when).
    drafts: Vec<(i64, String, String, String)>,
    next_code: String,
    next_start: i32,
    next_end: i32,
}

/// The plan the deployment runs now: the menu's 行动计划 on pages that show no plan of their
/// own.
pub(super) async fn current_plan(
    State(st): State<AppState>,
    v: Viewer,
) -> Result<Response, PageError> {
    let id = kechuang_service::progress::default_plan_id(&st.store)
        .await
        .page(v.lang)?;
    Ok(axum::response::IntoResponse::into_response(
        axum::response::Redirect::to(&format!("/plans/{id}")),
    ))
}

pub(super) async fn plan_page(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(plan_id): Path<i64>,
) -> Result<Response, PageError> {
    use kechuang_domain::auth::Role;
    let lang = v.lang;
    let as_of = format::today_in_china();
    let role = v.who.as_ref().map(|w| w.role());
    let staff = matches!(role, Some(Role::Bureau | Role::County));
    let bureau = role == Some(Role::Bureau);
    let tasks = st.store.plan_tasks(plan_id).await.page(lang)?;
    let units = st.store.units().await.page(lang)?;
    let lead_of = |t: &kechuang_domain::supervision::Task| {
        kechuang_service::supervision::units_label(&units, &t.lead)
    };
    let loaded = Loaded::load(&st.store, &st.progress, plan_id, as_of)
        .await
        .page(lang)?;
    let evals = loaded.evaluate_all(&loaded.plan_region);
    let items = st.store.plan_items(plan_id).await.page(lang)?;
    let items = items
        .into_iter()
        .map(|i| {
            let chips = evals
                .iter()
                .filter(|e| {
                    i.level == "measure" && e.target.measure.as_deref() == Some(i.code.as_str())
                })
                .map(|e| Chip {
                    code: e.target.code.clone(),
                    name: lang.pick(&e.target.name, &e.target.name_en).to_owned(),
                    href: format!("/plans/{plan_id}/targets/{}", e.target.code),
                    status: status_label(e.progress.status, lang),
                    status_class: status_class(e.progress.status),
                })
                .collect();
            let measure_tasks = tasks
                .iter()
                .filter(|t| i.level == "measure" && t.measure == i.code)
                .map(|t| {
                    (
                        t.code.clone(),
                        t.title.clone(),
                        lead_of(t),
                        format::date(t.deadline, lang),
                    )
                })
                .collect();
            ItemView {
                tasks: measure_tasks,
                title: if i.level == "measure" {
                    i.title.clone()
                } else {
                    lang.pick(&i.title, &i.title_en).to_owned()
                },
                level: i.level,
                code: i.code,
                body: i.body,
                chips,
            }
        })
        .collect();
    let name = lang
        .pick(&loaded.plan.name, &loaded.plan.name_en)
        .to_owned();
    let plans = st
        .store
        .plans()
        .await
        .page(lang)?
        .into_iter()
        .map(|p| {
            (
                p.id,
                lang.pick(&p.name, &p.name_en).to_owned(),
                format!("{}—{}", p.start_year, p.end_year),
                p.id == plan_id,
            )
        })
        .collect();
    // Another city's officers see the plan (it is public) but not its revisions.
    let revisions = match v.who.as_ref().filter(|_| staff) {
        Some(w) => kechuang_service::plans::revisions(&st.store, w, plan_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                (
                    r.revision,
                    r.published_by,
                    format::day_text(&r.published_at, lang),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let drafts = match v.who.as_ref().and_then(|w| w.as_bureau().ok()) {
        Some(b) => kechuang_service::plans::drafts(&st.store, b)
            .await
            .page(lang)?
            .into_iter()
            .map(|d| {
                (
                    d.id,
                    d.code,
                    d.updated_by,
                    format::day_text(&d.updated_at, lang),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let span = loaded.plan.end_year - loaded.plan.start_year;
    let next_start = loaded.plan.end_year + 1;
    let page = PlanPage {
        chrome: Chrome::new(&v, "plan", name.clone(), &uri, Some(plan_id)),
        plan_id,
        code: loaded.plan.code.clone(),
        name,
        period: format!("{}—{}", loaded.plan.start_year, loaded.plan.end_year),
        preamble: loaded.plan.preamble.clone(),
        items,
        plans,
        staff,
        bureau,
        csrf: v
            .who
            .as_ref()
            .map(|w| w.csrf().to_owned())
            .unwrap_or_default(),
        revisions,
        drafts,
        next_code: format!(
            "{}-{next_start}-{}",
            loaded.plan.code.split('-').next().unwrap_or("plan"),
            next_start + span
        ),
        next_start,
        next_end: next_start + span,
    };
    render(&page, lang)
}

// ---- successive plans: copy, edit, drafts, the plan file -------------------------------

#[derive(serde::Deserialize)]
pub(super) struct CopyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    start_year: String,
    #[serde(default)]
    end_year: String,
}

/// The bureau begins a new plan from this one, as a draft.
pub(super) async fn copy(
    State(st): State<AppState>,
    v: Viewer,
    who: crate::auth::Caller,
    Path(plan_id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<CopyForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let input = kechuang_service::plans::CopyInput {
        code: f.code,
        name: f.name,
        start_year: f.start_year,
        end_year: f.end_year,
    };
    let id = kechuang_service::plans::copy(&st.store, who.as_bureau().page(lang)?, plan_id, &input)
        .await
        .page(lang)?;
    Ok(axum::response::IntoResponse::into_response(
        axum::response::Redirect::to(&format!("/plans/drafts/{id}")),
    ))
}

/// The bureau opens a draft to change this plan.
pub(super) async fn edit(
    State(st): State<AppState>,
    v: Viewer,
    who: crate::auth::Caller,
    Path(plan_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let id = kechuang_service::plans::edit(&st.store, who.as_bureau().page(lang)?, plan_id)
        .await
        .page(lang)?;
    Ok(axum::response::IntoResponse::into_response(
        axum::response::Redirect::to(&format!("/plans/drafts/{id}")),
    ))
}

#[derive(serde::Deserialize, Default)]
pub(super) struct SourceQuery {
    revision: Option<i64>,
}

/// The plan's file as published (or as of a revision), to download and edit offline.
pub(super) async fn source(
    State(st): State<AppState>,
    v: Viewer,
    who: crate::auth::Caller,
    Path(plan_id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<SourceQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let plan = st.store.plan(plan_id).await.page(lang)?;
    let text = kechuang_service::plans::source(&st.store, &who, plan_id, q.revision)
        .await
        .page(lang)?;
    Ok(format::file_download(
        &format!("{}.toml", plan.code),
        "application/toml",
        text.into_bytes(),
    ))
}

#[derive(Template)]
#[template(path = "plan_draft.html")]
struct DraftPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    code: String,
    based_on: Option<(i64, String)>,
    source: String,
    problems: Vec<(usize, String)>,
    updated: String,
    done: String,
    error: String,
}

async fn draft_page(
    st: &AppState,
    v: &Viewer,
    who: &crate::auth::Caller,
    uri: &Uri,
    id: i64,
    (typed, problems, done, error): (
        Option<String>,
        Option<Vec<kechuang_domain::plan::PlanError>>,
        &str,
        String,
    ),
) -> Result<Response, PageError> {
    let lang = v.lang;
    let (d, found) = kechuang_service::plans::draft(&st.store, who.as_bureau().page(lang)?, id)
        .await
        .page(lang)?;
    let based_on = match d.based_on {
        Some(p) => st.store.plan(p).await.ok().map(|p| (p.id, p.name)),
        None => None,
    };
    let page = DraftPage {
        chrome: Chrome::new(v, "plan", format!("计划草稿 {}", d.code), uri, d.based_on),
        csrf: who.csrf().to_owned(),
        id,
        code: d.code.clone(),
        based_on,
        source: typed.unwrap_or(d.source),
        problems: problems
            .unwrap_or(found)
            .into_iter()
            .map(|e| (e.line, e.message))
            .collect(),
        updated: format!(
            "{} · {}",
            d.updated_by,
            format::day_text(&d.updated_at, lang)
        ),
        done: done.to_owned(),
        error,
    };
    let mut res = render(&page, lang)?;
    if !page_ok(&page) {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn page_ok(p: &DraftPage) -> bool {
    p.error.is_empty()
}

pub(super) async fn draft(
    State(st): State<AppState>,
    v: Viewer,
    who: crate::auth::Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    who.as_bureau().page(v.lang)?;
    draft_page(&st, &v, &who, &uri, id, (None, None, "", String::new())).await
}

#[derive(serde::Deserialize)]
pub(super) struct DraftForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    action: String,
}

/// Saves the draft's file; with `publish`, publishes it when it passes every check.
pub(super) async fn save_draft(
    State(st): State<AppState>,
    v: Viewer,
    who: crate::auth::Caller,
    uri: Uri,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<DraftForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    // Browsers send a textarea's line ends as CRLF.
    let source = f.source.replace("\r\n", "\n");
    let problems = match kechuang_service::plans::save(&st.store, bureau, id, &source).await {
        Ok(p) => p,
        Err(e) => {
            let (msg, _) = shown(Some(e), lang);
            return draft_page(&st, &v, &who, &uri, id, (Some(source), None, "", msg)).await;
        }
    };
    if f.action != "publish" {
        let done = if problems.is_empty() {
            "已保存，校验通过。"
        } else {
            "已保存；以下问题须在发布前改正。"
        };
        return draft_page(
            &st,
            &v,
            &who,
            &uri,
            id,
            (None, Some(problems), done, String::new()),
        )
        .await;
    }
    match kechuang_service::plans::publish(&st.store, bureau, id).await {
        Ok(Ok(plan)) => Ok(axum::response::IntoResponse::into_response(
            axum::response::Redirect::to(&format!("/plans/{plan}")),
        )),
        Ok(Err(problems)) => {
            let msg = format!("计划文件有 {} 处问题，未发布", problems.len());
            draft_page(&st, &v, &who, &uri, id, (None, Some(problems), "", msg)).await
        }
        Err(e) => {
            let (msg, _) = shown(Some(e), lang);
            draft_page(&st, &v, &who, &uri, id, (None, None, "", msg)).await
        }
    }
}
