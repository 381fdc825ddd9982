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
}

#[derive(Template)]
#[template(path = "plan.html")]
pub(super) struct PlanPage {
    chrome: Chrome,
    name: String,
    period: String,
    preamble: String,
    items: Vec<ItemView>,
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
    let lang = v.lang;
    let as_of = format::today_in_china();
    let loaded = Loaded::load(&st.store, &st.counts, plan_id, as_of)
        .await
        .page(lang)?;
    let evals = loaded.evaluate_all(&loaded.plan_region, as_of);
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
            ItemView {
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
    let page = PlanPage {
        chrome: Chrome::new(&v, "plan", name.clone(), &uri, Some(plan_id)),
        name,
        period: format!("{}—{}", loaded.plan.start_year, loaded.plan.end_year),
        preamble: loaded.plan.preamble.clone(),
        items,
    };
    render(&page, lang)
}
