//! The patent registry page: counts at a date (target 2.2's numerator first), a filter bar and
//! the list — including the holders no registered enterprise matched — with an export that
//! re-imports.

use super::{
    pager, region_names, render, sheet_download, Chrome, OrPage, PageError, Pager, SheetFormat,
    Viewer,
};
use crate::api::patents::PatentQuery;
use crate::auth::Caller;
use crate::format::{self, urlencode};
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use kechuang_domain::patent::{ApplicationNo, PatentType};
use kechuang_service::patents as service;
use kechuang_store::{PatentItem, PatentState};
use std::collections::HashMap;

use super::Choice;

pub struct PatentLine {
    pub number: String,
    pub title: String,
    pub kind: &'static str,
    pub filed_on: String,
    pub granted_on: String,
    pub holder: String,
    pub enterprise_href: Option<String>,
    pub region: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub lapsed_on: String,
}

pub(super) fn line(
    i: PatentItem,
    lang: Lang,
    regions: &HashMap<String, String>,
    as_of: chrono::NaiveDate,
) -> PatentLine {
    let tr = lang.tr();
    let (state, state_class) = match PatentState::of(&i.patent, as_of) {
        PatentState::Valid => (tr.patent_valid, "achieved"),
        PatentState::Lapsed => (tr.patent_lapsed, "behind"),
        PatentState::Pending => (tr.patent_pending, "plain"),
    };
    let p = i.patent;
    PatentLine {
        number: ApplicationNo::parse(&p.application_no)
            .map(|n| n.display())
            .unwrap_or_else(|_| p.application_no.clone()),
        title: p.title,
        kind: PatentType::parse(&p.kind).map_or("", |t| lang.pick(t.name(), t.name_en())),
        filed_on: p.filed_on,
        granted_on: p.granted_on.unwrap_or_default(),
        holder: p.holder,
        enterprise_href: p.uscc.map(|u| format!("/enterprises/{u}")),
        region: regions
            .get(&p.region_code)
            .cloned()
            .unwrap_or(p.region_code),
        state,
        state_class,
        lapsed_on: p.lapsed_on.unwrap_or_default(),
    }
}

/// The registry's counts as the page's cards show them.
pub struct Cards {
    pub valid_inventions: String,
    pub valid: String,
    pub lapsed: String,
    pub pending: String,
    pub unlinked: String,
}

#[derive(Template)]
#[template(path = "patents.html")]
pub struct PatentsPage {
    pub chrome: Chrome,
    pub regions: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub states: Vec<Choice>,
    pub links: Vec<Choice>,
    pub granted_in: String,
    pub q: String,
    pub as_of: String,
    pub cards: Cards,
    /// The query of the card that lists the unlinked holders.
    pub unlinked_query: String,
    pub rows: Vec<PatentLine>,
    pub pager: Pager,
    pub filters: String,
}

fn options(pairs: &[(&str, &str)], current: Option<&str>) -> Vec<Choice> {
    pairs
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: current == Some(*value),
        })
        .collect()
}

pub async fn patents(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<PatentQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let listing = q.listing().page(lang)?;
    let page = service::page(&st.store, &who, &listing).await.page(lang)?;
    let counts = service::counts(&st.store, &who, q.region.as_deref(), listing.as_of)
        .await
        .page(lang)?;
    let (regions, region_options) = region_names(&st, lang).await?;
    let scope = kechuang_service::registries::scoped_subtree(&st.store, &who, None)
        .await
        .page(lang)?;
    let region_options: Vec<(String, String)> = region_options
        .into_iter()
        .filter(|(code, _)| scope.iter().any(|s| s.as_str() == code))
        .collect();
    let params = vec![
        ("region", q.region.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("state", q.state.clone().unwrap_or_default()),
        ("linked", q.linked.clone().unwrap_or_default()),
        ("granted_in", q.granted_in.clone().unwrap_or_default()),
        ("q", q.q.clone().unwrap_or_default()),
        ("as_of", q.as_of.clone().unwrap_or_default()),
    ];
    let query = |ps: &[(&str, String)]| {
        ps.iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let unlinked_query = query(&[
        ("region", q.region.clone().unwrap_or_default()),
        ("linked", "no".into()),
        ("as_of", q.as_of.clone().unwrap_or_default()),
    ]);
    let n = |x: i64| format::number(x as f64);
    let kinds: Vec<(&str, &str)> = PatentType::ALL
        .iter()
        .map(|t| (t.code(), lang.pick(t.name(), t.name_en())))
        .collect();
    let view = PatentsPage {
        chrome: Chrome::new(&v, "patents", tr.nav_patents.into(), &uri, None),
        regions: super::choices(region_options, q.region.as_deref()),
        kinds: options(&kinds, q.kind.as_deref()),
        states: options(
            &[
                ("valid", tr.patent_valid),
                ("lapsed", tr.patent_lapsed),
                ("pending", tr.patent_pending),
            ],
            q.state.as_deref(),
        ),
        links: options(
            &[("yes", tr.patent_linked), ("no", tr.patent_unlinked)],
            q.linked.as_deref(),
        ),
        granted_in: q.granted_in.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        as_of: listing.as_of.to_string(),
        cards: Cards {
            valid_inventions: n(counts.valid_inventions),
            valid: n(counts.valid),
            lapsed: n(counts.lapsed),
            pending: n(counts.pending),
            unlinked: n(counts.unlinked),
        },
        unlinked_query,
        pager: pager("/patents", &params, page.total, page.page, page.per_page).sizable(),
        filters: query(&params),
        rows: page
            .items
            .into_iter()
            .map(|i| line(i, lang, &regions, listing.as_of))
            .collect(),
    };
    render(&view, lang)
}

/// The filtered list as XLSX or CSV, in the columns `kechuang import patents` reads.
pub async fn export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(format): Path<String>,
    Query(q): Query<PatentQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let sheet = SheetFormat::of(&format, "patents", lang)?;
    let listing = q.listing().page(lang)?;
    let items = service::all(&st.store, &who, &listing).await.page(lang)?;
    let (regions, _) = region_names(&st, Lang::Zh).await?;
    let name = |code: &str| {
        regions
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    };
    let table = kechuang_ingest::export::Table {
        sheet: "专利",
        headers: &kechuang_ingest::patents::PATENT_HEADERS,
        rows: items
            .iter()
            .map(|i| kechuang_ingest::patents::patent_line(&i.patent, &name))
            .collect(),
        numeric: &[],
    };
    sheet_download(&table, sheet, &format!("patents.{}", sheet.ext()), lang)
}
