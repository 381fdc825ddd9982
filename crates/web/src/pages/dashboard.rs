//! The dashboard: every target of a plan for the city or a county at a date, grouped by the
//! plan's measures.

use super::*;
use crate::charts::{self, status_class};
use crate::error::AppError;
use crate::format::{self, with_unit};
use crate::i18n::{cagr_label, status_label, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::NaiveDate;
use kechuang_domain::evaluate::{Evaluation, TargetScope};
use kechuang_domain::plan::TargetKind;
use kechuang_domain::progress::Status;
use kechuang_domain::series::Basis;
use kechuang_service::progress::Loaded;
use serde::Deserialize;
use std::collections::HashMap;

// ---- dashboard ------------------------------------------------------------------------

#[derive(Deserialize)]
pub(super) struct DashQuery {
    pub(super) plan: Option<i64>,
    pub(super) region: Option<String>,
    pub(super) as_of: Option<String>,
    /// The target the county map shows.
    pub(super) map: Option<String>,
}

pub(super) struct RegionOption {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) selected: bool,
}

/// The regions a plan's figures can be shown for, the current one selected.
pub(super) fn region_options(
    loaded: &Loaded,
    current: &kechuang_domain::RegionCode,
    lang: Lang,
) -> Vec<RegionOption> {
    loaded
        .selectable_regions()
        .into_iter()
        .map(|r| RegionOption {
            selected: r.code == *current,
            code: r.code.to_string(),
            name: lang.pick(&r.name, &r.name_en).to_owned(),
        })
        .collect()
}

pub(super) struct DashRow {
    code: String,
    name: String,
    href: String,
    current: String,
    period: String,
    target: String,
    stretch: String,
    bar: String,
    status: &'static str,
    status_class: &'static str,
    spark: String,
    cagr: &'static str,
    completion: String,
    note: String,
}

pub(super) struct RowGroup {
    title: String,
    rows: Vec<DashRow>,
}

pub(super) struct SummaryItem {
    label: &'static str,
    count: usize,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(super) struct DashboardPage {
    chrome: Chrome,
    plan_name: String,
    plan_id: i64,
    /// Every plan, for the selector: (id, name, this one).
    plans: Vec<(i64, String, bool)>,
    regions: Vec<RegionOption>,
    region_name: String,
    as_of: String,
    as_of_display: String,
    /// The plan has ended: this is its final assessment, at its last day.
    final_assessment: bool,
    elapsed: String,
    view: std::sync::Arc<DashView>,
    is_county: bool,
    /// 应统尽统 for staff: the latest surveyed year's coverage by county.
    rd: Option<RdPanel>,
}

struct RdPanel {
    year: i32,
    region: String,
    rate: String,
    lines: Vec<RdLine>,
}

struct RdLine {
    code: String,
    name: String,
    should: usize,
    reported: usize,
    rate: String,
    /// The rate as a bar, 0–100.
    bar: String,
}

pub(super) async fn dashboard(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let st = st.public_reads(v.who.is_none()).await;
    let lang = v.lang;
    // While nothing changed, this is the one query an anonymous dashboard costs.
    let now = st.progress.current(&st.store).await.page(lang)?;
    let plan_id = match q.plan {
        Some(id) => id,
        None => now.default_plan_id().page(lang)?,
    };
    let at = now.as_of(plan_id, q.as_of.as_deref()).page(lang)?;
    let as_of = at.date;
    let loaded = now
        .load(&st.store, &st.progress, plan_id, as_of)
        .await
        .page(lang)?;
    let region = loaded.region(q.region.as_deref()).page(lang)?;
    let tr = lang.tr();
    // The rows, summary and map are made once per region, language and map choice while the
    // records stay as they are; only a real target code is part of the key.
    let map = q
        .map
        .as_deref()
        .filter(|m| loaded.targets.iter().any(|t| t.code == *m));
    let key = format!(
        "dashboard {} {} {}",
        region.code,
        lang.code(),
        map.unwrap_or("")
    );
    let view = match loaded.view::<DashView>(&key) {
        Some(view) => view,
        None => {
            let made = dash_view(&st, &loaded, &region, plan_id, map, lang)
                .await
                .page(lang)?;
            loaded.keep_view(key, made)
        }
    };
    let elapsed = kechuang_domain::progress::time_elapsed(
        loaded.plan.start_date(),
        NaiveDate::from_ymd_opt(loaded.plan.end_year, 12, 31).unwrap_or(as_of),
        as_of,
    );
    let percent = |r: Option<f64>| r.map_or("—".into(), |r| format!("{}%", format::number(r)));
    let rd = match &v.who {
        Some(who) => {
            use chrono::Datelike;
            kechuang_service::rd::dashboard_coverage(&st.store, who, &region.code, as_of.year())
                .await
                .page(lang)?
        }
        None => None,
    }
    .map(|c| RdPanel {
        year: c.year,
        region: c.region.clone(),
        rate: percent(c.rate),
        lines: c
            .by_county
            .iter()
            .map(|b| RdLine {
                name: loaded
                    .tree
                    .get(
                        &kechuang_domain::RegionCode::parse(&b.region)
                            .unwrap_or_else(|_| region.code.clone()),
                    )
                    .map(|r| lang.pick(&r.name, &r.name_en).to_owned())
                    .unwrap_or_else(|| b.region.clone()),
                code: b.region.clone(),
                should: b.should,
                reported: b.reported,
                bar: crate::charts::share_bar(
                    b.rate.unwrap_or(0.0) / 100.0,
                    &format!("{} {}", tr.rd_rate, percent(b.rate)),
                ),
                rate: percent(b.rate),
            })
            .collect(),
    });
    let page = DashboardPage {
        rd,
        chrome: Chrome::new(
            &v,
            "dashboard",
            tr.nav_dashboard.into(),
            &uri,
            Some(plan_id),
        ),
        plan_name: lang
            .pick(&loaded.plan.name, &loaded.plan.name_en)
            .to_owned(),
        plans: now
            .plans
            .iter()
            .map(|p| {
                (
                    p.id,
                    format!(
                        "{}（{}—{}）",
                        lang.pick(&p.name, &p.name_en),
                        p.start_year,
                        p.end_year
                    ),
                    p.id == plan_id,
                )
            })
            .collect(),
        plan_id,
        regions: region_options(&loaded, &region.code, lang),
        region_name: lang.pick(&region.name, &region.name_en).to_owned(),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        as_of_display: format::date(as_of, lang),
        final_assessment: at.final_assessment,
        elapsed: format::percent(elapsed),
        view,
        is_county: region.code != loaded.plan_region,
    };
    render(&page, lang)
}

/// What the dashboard shows of the evaluations for one region, language and map choice.
pub(super) struct DashView {
    summary: Vec<SummaryItem>,
    groups: Vec<RowGroup>,
    /// The counties shaded by one target, and the targets it can show.
    county_map: String,
    map_options: Vec<RegionOption>,
    /// The SME service platform by county: (county, services delivered, instrument hours);
    /// empty until something was delivered. Deliveries move the data generation on, so
    /// they are as fresh here as the targets.
    services: Vec<(String, i64, String)>,
}

async fn dash_view(
    st: &AppState,
    loaded: &Loaded,
    region: &kechuang_domain::region::Region,
    plan_id: i64,
    map: Option<&str>,
    lang: Lang,
) -> Result<DashView, AppError> {
    let tr = lang.tr();
    let as_of = loaded.as_of;
    let evals = loaded.evaluate_all(&region.code);
    let group_of = measure_groups(st, plan_id, lang).await?;
    let mut groups: Vec<RowGroup> = Vec::new();
    for e in evals.iter() {
        let title = e
            .target
            .measure
            .as_ref()
            .and_then(|m| group_of.get(m))
            .cloned()
            .unwrap_or_default();
        let row = dash_row(e, &region.code.to_string(), as_of, plan_id, lang);
        match groups.last_mut() {
            Some(g) if g.title == title => g.rows.push(row),
            _ => groups.push(RowGroup {
                title,
                rows: vec![row],
            }),
        }
    }
    let count = |s: Status| evals.iter().filter(|e| e.progress.status == s).count();
    let mut summary = vec![
        SummaryItem {
            label: status_label(Status::Achieved, lang),
            count: count(Status::Achieved),
            class: "achieved",
        },
        SummaryItem {
            label: status_label(Status::OnTrack, lang),
            count: count(Status::OnTrack),
            class: "on_track",
        },
        SummaryItem {
            label: status_label(Status::Behind, lang),
            count: count(Status::Behind),
            class: "behind",
        },
        SummaryItem {
            label: status_label(Status::NoData, lang),
            count: count(Status::NoData),
            class: "no_data",
        },
    ];
    let no_target = count(Status::NoTarget);
    if no_target > 0 {
        summary.push(SummaryItem {
            label: status_label(Status::NoTarget, lang),
            count: no_target,
            class: "no_target",
        });
    }
    // The county map shows the target asked for, or the first with county figures.
    let counties = loaded.counties();
    let shades_of = |t: &kechuang_domain::plan::Target| -> Vec<crate::map::Shade> {
        counties
            .iter()
            .filter_map(|c| {
                let evals = loaded.evaluate_all(&c.code);
                let ce = evals.iter().find(|e| e.target.code == t.code)?;
                let value = ce.progress.current.map(|x| x.value);
                Some(crate::map::Shade {
                    code: c.code.to_string(),
                    name: lang.pick(&c.name, &c.name_en).to_owned(),
                    value,
                    text: value
                        .map(|v| value_text(ce, v, lang))
                        .unwrap_or_else(|| tr.no_value.into()),
                    href: format!(
                        "/plans/{plan_id}/targets/{}?region={}&as_of={}",
                        t.code,
                        c.code,
                        as_of.format("%Y-%m-%d")
                    ),
                })
            })
            .collect()
    };
    // Which targets have a county's figure: found by evaluating until the first county with
    // one, so only the target shown has its whole shading built.
    let has_county_figures = |t: &kechuang_domain::plan::Target| {
        counties.iter().any(|c| {
            loaded
                .evaluate_all(&c.code)
                .iter()
                .any(|ce| ce.target.code == t.code && ce.progress.current.is_some())
        })
    };
    let mapped: Vec<&kechuang_domain::plan::Target> = loaded
        .targets
        .iter()
        .filter(|t| has_county_figures(t))
        .collect();
    let shown = mapped
        .iter()
        .find(|t| map == Some(t.code.as_str()))
        .or(mapped.first())
        .copied();
    let map_options: Vec<RegionOption> = mapped
        .iter()
        .map(|t| RegionOption {
            code: t.code.clone(),
            name: format!("{} {}", t.code, lang.pick(&t.name, &t.name_en)),
            selected: shown.is_some_and(|s| s.code == t.code),
        })
        .collect();
    let chosen = shown.map(|t| (t, shades_of(t)));
    let county_map = match (&chosen, st.maps.get(loaded.plan_region.as_str())) {
        (Some((t, shades)), Some(m)) => crate::map::choropleth(
            m,
            shades,
            "dashboard-map",
            &format!(
                "{}{}",
                lang.pick(&t.name, &t.name_en),
                lang.pick("：各县（市、区）", ": by county")
            ),
            tr.no_value,
        ),
        _ => String::new(),
    };
    let delivered: HashMap<String, kechuang_store::ServiceCounts> =
        kechuang_service::services::counts(&st.store)
            .await?
            .into_iter()
            .collect();
    let services = if delivered.is_empty() {
        Vec::new()
    } else {
        loaded
            .tree
            .subtree(&region.code)
            .iter()
            .filter_map(|c| loaded.tree.get(c))
            .filter(|r| r.kind == kechuang_domain::region::RegionKind::County)
            .map(|r| {
                let c = delivered.get(r.code.as_str()).cloned().unwrap_or_default();
                (
                    lang.pick(&r.name, &r.name_en).to_owned(),
                    c.services,
                    format::number(c.hours),
                )
            })
            .collect()
    };
    Ok(DashView {
        summary,
        groups,
        county_map,
        map_options,
        services,
    })
}

/// Maps each measure code to the title of the group (or section) it sits in.
pub(super) async fn measure_groups(
    st: &AppState,
    plan_id: i64,
    lang: Lang,
) -> Result<HashMap<String, String>, AppError> {
    let mut out = HashMap::new();
    let mut section = String::new();
    let mut current = String::new();
    for item in st.store.plan_items(plan_id).await? {
        let title = lang.pick(&item.title, &item.title_en).to_owned();
        match item.level.as_str() {
            "section" => {
                section = title.clone();
                current = title;
            }
            // Group numbering restarts in every section, so a group is named with its section.
            "group" => current = format!("{section} › {title}"),
            _ => {
                out.insert(item.code, current.clone());
            }
        }
    }
    Ok(out)
}

pub(super) fn value_text(e: &Evaluation, v: f64, lang: Lang) -> String {
    if e.target.kind == TargetKind::Milestone {
        let tr = lang.tr();
        return if v >= 1.0 {
            tr.milestone_done.into()
        } else {
            tr.milestone_open.into()
        };
    }
    with_unit(v, &crate::format::unit(&e.indicator.unit, lang))
}

pub(super) fn dash_row(
    e: &Evaluation,
    region: &str,
    as_of: NaiveDate,
    plan_id: i64,
    lang: Lang,
) -> DashRow {
    let tr = lang.tr();
    let p = &e.progress;
    let current_period = e
        .current_period()
        .map(|(per, v)| (per.to_string(), v.basis));
    let note = match current_period.as_ref().map(|x| x.1) {
        Some(Basis::Rollup { reported, expected }) if reported < expected => {
            format!("{} {reported}/{expected}", tr.reported_of)
        }
        _ if e.target.annual => tr.annual_note.into(),
        _ => String::new(),
    };
    let values: Vec<f64> = e
        .series
        .iter()
        .filter(|(per, _)| per.end_date() <= as_of)
        .map(|(_, v)| v.value)
        .collect();
    let bar_title = format!(
        "{} {} · {} {}",
        tr.completion,
        p.completion
            .map(format::percent)
            .unwrap_or_else(|| "—".into()),
        tr.time_elapsed,
        format::percent(p.time_elapsed)
    );
    DashRow {
        code: e.target.code.clone(),
        name: lang.pick(&e.target.name, &e.target.name_en).to_owned(),
        href: format!(
            "/plans/{plan_id}/targets/{}?region={region}&as_of={}",
            e.target.code,
            as_of.format("%Y-%m-%d")
        ),
        current: p
            .current
            .map(|c| value_text(e, c.value, lang))
            .unwrap_or_else(|| "—".into()),
        period: current_period.map(|x| x.0).unwrap_or_default(),
        target: match (e.applicable, e.target.kind) {
            (_, TargetKind::Milestone) => tr.milestone_target.into(),
            (Some(t), _) => format!(
                "{}{}",
                e.target.comparator.symbol(),
                with_unit(t, &crate::format::unit(&e.indicator.unit, lang))
            ),
            (None, _) => "—".into(),
        },
        stretch: match (e.target.stretch, e.scope) {
            (Some(s), TargetScope::Plan) => {
                format!(
                    "{} {}",
                    tr.stretch,
                    with_unit(s, &crate::format::unit(&e.indicator.unit, lang))
                )
            }
            _ => String::new(),
        },
        bar: charts::progress_bar(p.completion, p.time_elapsed, p.status, &bar_title),
        status: status_label(p.status, lang),
        status_class: status_class(p.status),
        spark: charts::sparkline(
            &values,
            e.applicable
                .filter(|_| e.target.kind == TargetKind::Quantity),
            p.status,
        ),
        cagr: cagr_label(p.cagr_status, lang),
        completion: p
            .completion
            .map(format::percent)
            .unwrap_or_else(|| "—".into()),
        note,
    }
}
