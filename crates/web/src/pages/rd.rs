//! R&D statistics pages: 应统尽统 — the coverage by county for a year and, for a county, the
//! enterprises that should report R&D and did not, with why, as a list to follow up and export.

use super::{render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::Datelike;
use kechuang_service::rd as service;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct CoverageQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    region: String,
}

struct CountyRow {
    code: String,
    name: String,
    should: usize,
    reported: usize,
    rate: String,
}

struct RollupRow {
    code: String,
    name: String,
    enterprises: usize,
    surveyed: String,
    official: String,
    share: String,
}

struct SurveyRow {
    uscc: String,
    name: String,
    county: String,
    staff: i64,
    total: String,
    labour: String,
}

struct MissingRow {
    uscc: String,
    name: String,
    county: String,
    reasons: String,
    trained: bool,
}

struct TrainingRow {
    held_on: String,
    title: String,
    place: String,
    attendees: i64,
}

#[derive(Template)]
#[template(path = "rd.html")]
struct CoveragePage {
    chrome: Chrome,
    error: String,
    year: String,
    region: String,
    region_name: String,
    should: usize,
    reported: usize,
    rate: String,
    counties: Vec<CountyRow>,
    missing: Vec<MissingRow>,
    regions: Vec<(String, String)>,
    rollup: Vec<RollupRow>,
    surveys: Vec<SurveyRow>,
    /// Missing enterprises that attended no training session for the year.
    untrained: usize,
    trainings: Vec<TrainingRow>,
}

/// 万元 as reports write them: grouped, at most two decimals.
fn wan(f: kechuang_domain::money::Fen) -> String {
    crate::format::number(f.0 as f64 / kechuang_domain::money::FEN_PER_WAN as f64)
}

fn percent(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{}%", crate::format::number(r)))
}

/// The year shown without one asked for: the last full year, the one surveyed this year.
fn default_year() -> String {
    (crate::format::today_in_china().year() - 1).to_string()
}

pub async fn coverage(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let year = if q.year.trim().is_empty() {
        default_year()
    } else {
        q.year.trim().to_owned()
    };
    let region = Some(q.region.as_str()).filter(|r| !r.trim().is_empty());
    let (names, _) = super::region_names(&st, lang).await?;
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let tree = st.store.region_tree().await.page(lang)?;
    let regions: Vec<(String, String)> = match who.scope() {
        kechuang_domain::auth::DataScope::Region(own) => std::iter::once(own.clone())
            .chain(
                tree.rollup_children(own)
                    .into_iter()
                    .map(|r| r.code.clone()),
            )
            .map(|c| (c.to_string(), name(c.as_str())))
            .collect(),
        _ => Vec::new(),
    };
    let (c, refused) = match service::coverage(&st.store, &who, &year, region).await {
        Ok(c) => (Some(c), None),
        Err(e @ crate::error::AppError::NotFound(_)) => return Err(PageError(e, lang)),
        Err(e) => (None, Some(e)),
    };
    let (error, status) = shown(refused, lang);
    let year_no: Option<i32> = c.as_ref().map(|c| c.year);
    let rollup = match year_no {
        Some(y) => service::rollup(&st.store, &who, y, region)
            .await
            .page(lang)?,
        None => Vec::new(),
    };
    // The surveys behind the figures: a county's in full, the city's once it is chosen.
    let surveys = match (year_no, region) {
        (Some(y), Some(_)) => service::surveys(&st.store, &who, y)
            .await
            .page(lang)?
            .into_iter()
            .filter(|s| {
                c.as_ref().is_some_and(|c| {
                    kechuang_domain::RegionCode::parse(&s.region_code)
                        .ok()
                        .zip(kechuang_domain::RegionCode::parse(&c.region).ok())
                        .is_some_and(|(r, top)| tree.is_within(&r, &top))
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let trainings = match year_no {
        Some(y) => service::trainings(&st.store, &who, y, region)
            .await
            .page(lang)?,
        None => Vec::new(),
    };
    let page = CoveragePage {
        untrained: c
            .as_ref()
            .map_or(0, |c| c.missing.iter().filter(|m| !m.trained).count()),
        trainings: trainings
            .iter()
            .map(|t| TrainingRow {
                held_on: t.held_on.clone(),
                title: t.title.clone(),
                place: name(&t.region_code),
                attendees: t.attendees,
            })
            .collect(),
        rollup: rollup
            .iter()
            .map(|l| RollupRow {
                code: l.region.clone(),
                name: name(&l.region),
                enterprises: l.enterprises,
                surveyed: wan(l.surveyed),
                official: l.official_wan.map_or("—".into(), crate::format::number),
                share: percent(l.share),
            })
            .collect(),
        surveys: surveys
            .iter()
            .map(|s| SurveyRow {
                uscc: s.uscc.clone(),
                name: s.name.clone(),
                county: name(&s.region_code),
                staff: s.staff,
                total: wan(s.total),
                labour: wan(s.parts[0]),
            })
            .collect(),
        chrome: Chrome::new(&v, "rd", tr.rd_title.into(), &uri, None),
        error,
        region: c.as_ref().map(|c| c.region.clone()).unwrap_or_default(),
        region_name: c.as_ref().map(|c| name(&c.region)).unwrap_or_default(),
        should: c.as_ref().map_or(0, |c| c.should),
        reported: c.as_ref().map_or(0, |c| c.reported),
        rate: percent(c.as_ref().and_then(|c| c.rate)),
        counties: c
            .as_ref()
            .map(|c| {
                c.by_county
                    .iter()
                    .map(|b| CountyRow {
                        code: b.region.clone(),
                        name: name(&b.region),
                        should: b.should,
                        reported: b.reported,
                        rate: percent(b.rate),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        missing: c
            .as_ref()
            .map(|c| {
                c.missing
                    .iter()
                    .map(|m| MissingRow {
                        uscc: m.uscc.clone(),
                        name: m.name.clone(),
                        county: name(&m.region),
                        reasons: m
                            .reasons
                            .iter()
                            .map(|r| lang.pick(r.name(), r.name_en()))
                            .collect::<Vec<_>>()
                            .join(if lang.is_en() { "; " } else { "；" }),
                        trained: m.trained,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        year,
        regions,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The enterprises to follow up, as a spreadsheet for the county officer.
pub async fn export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(file): Path<String>,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = super::SheetFormat::of(&file, "missing", lang)?;
    let year = if q.year.trim().is_empty() {
        default_year()
    } else {
        q.year.trim().to_owned()
    };
    let region = Some(q.region.as_str()).filter(|r| !r.trim().is_empty());
    let c = service::coverage(&st.store, &who, &year, region)
        .await
        .page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "应报未报企业",
        headers: &[
            "统一社会信用代码",
            "企业名称",
            "县（市、区）",
            "应报原因",
            "是否参加研发统计培训",
            "年度",
        ],
        rows: c
            .missing
            .iter()
            .map(|m| {
                vec![
                    m.uscc.clone(),
                    m.name.clone(),
                    super::county_name(&tree, &m.region),
                    m.reasons
                        .iter()
                        .map(|r| r.name())
                        .collect::<Vec<_>>()
                        .join("；"),
                    if m.trained { "是" } else { "否" }.to_owned(),
                    c.year.to_string(),
                ]
            })
            .collect(),
        numeric: &[],
    };
    super::sheet_download(&table, format, &file, lang)
}
