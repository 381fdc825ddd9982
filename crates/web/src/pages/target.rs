//! One target: its series and progress, each county beside it, and the records behind the
//! figure.

use super::dashboard::{value_text, DashQuery};
use super::*;
use crate::charts::{self, status_class};
use crate::error::{Absent, AppError};
use crate::format::{self, with_unit};
use crate::i18n::{cagr_label, status_label, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::NaiveDate;
use kechuang_domain::evaluate::{Evaluation, TargetScope};
use kechuang_domain::indicator::IndicatorKind;
use kechuang_service::progress::{self as service, Loaded};
use std::collections::HashMap;

// ---- target page ----------------------------------------------------------------------

#[derive(Clone)]
pub(super) struct Fact {
    label: &'static str,
    value: String,
}

#[derive(Clone)]
pub(super) struct CountyRow {
    name: String,
    href: String,
    value: String,
    period: String,
    target: String,
    status: &'static str,
    status_class: &'static str,
}

pub(super) struct RecordRow {
    indicator: String,
    region: String,
    period: String,
    value: String,
    source: String,
    note: String,
    file: String,
    entered_by: String,
    entered_at: String,
    revision: i64,
}

pub(super) struct CountedRow {
    name: String,
    enterprise: String,
    kind: String,
    level: String,
    number: String,
    region: String,
    from: String,
    until: String,
}

pub(super) struct RevisionRow {
    region: String,
    period: String,
    value: String,
    source: String,
    file: String,
    entered_at: String,
    superseded_at: String,
}

#[derive(Template)]
#[template(path = "target.html")]
pub(super) struct TargetPage {
    chrome: Chrome,
    code: String,
    name: String,
    region_name: String,
    dashboard_href: String,
    status: &'static str,
    status_class: &'static str,
    cagr: &'static str,
    facts: Vec<Fact>,
    note: String,
    measure_text: String,
    chart: String,
    formula: String,
    inputs: Vec<(String, String, String)>,
    county_chart: String,
    /// The counties as a choropleth; empty without outlines for the city or without figures.
    county_map: String,
    counties: Vec<CountyRow>,
    show_records: bool,
    records: Vec<RecordRow>,
    counted: Vec<CountedRow>,
    revisions: Vec<RevisionRow>,
    scope_note: String,
    /// The date and region controls, as on the dashboard.
    regions: Vec<super::dashboard::RegionOption>,
    as_of: String,
    final_assessment: bool,
}

pub(super) async fn target_page(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((plan_id, code)): Path<(i64, String)>,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let now = st.progress.current(&st.store).await.page(lang)?;
    let at = now.as_of(plan_id, q.as_of.as_deref()).page(lang)?;
    let as_of = at.date;
    let loaded = now
        .load(&st.store, &st.progress, plan_id, as_of)
        .await
        .page(lang)?;
    let region = loaded.region(q.region.as_deref()).page(lang)?;
    let target = loaded.target(&code).page(lang)?;
    // Borrowed from the evaluations kept for the region: a request copies none of them.
    let evals = loaded.evaluate_all(&region.code);
    let e = evals
        .iter()
        .find(|e| e.target.code == target.code)
        .ok_or_else(|| {
            AppError::not_found(Absent::Indicator {
                code: target.indicator.clone(),
            })
        })
        .page(lang)?;
    let p = &e.progress;
    // The figures, charts and map are made once per target, region and language while the
    // records stay as they are.
    let key = format!("target {} {} {}", target.code, region.code, lang.code());
    let view = match loaded.view::<TargetView>(&key) {
        Some(view) => view,
        None => {
            let made = target_view(&st, &loaded, target, e, plan_id, lang)
                .await
                .page(lang)?;
            loaded.keep_view(key, made)
        }
    };
    let region_names: HashMap<String, String> = loaded
        .tree
        .all()
        .iter()
        .map(|r| {
            (
                r.code.to_string(),
                lang.pick(&r.name, &r.name_en).to_owned(),
            )
        })
        .collect();
    let rname = |c: &str| region_names.get(c).cloned().unwrap_or_else(|| c.to_owned());
    // Records name enterprises and the officers who entered figures: only staff whose scope
    // covers the region see them.
    let show_records = v.who.as_ref().is_some_and(|p| {
        crate::auth::STAFF.contains(&p.role())
            && p.scope().covers_region(&loaded.tree, &region.code)
    });
    let behind = if show_records {
        service::records_behind(&st.store, &loaded, &target.indicator, &region.code)
            .await
            .page(lang)?
    } else {
        Vec::new()
    };
    let records = behind
        .into_iter()
        .map(|r| RecordRow {
            indicator: r.indicator,
            region: rname(&r.region),
            period: r.period,
            value: format::number(r.value),
            source: r.source,
            note: r.note,
            file: r.file_name.unwrap_or_default(),
            entered_by: r.entered_by,
            entered_at: format::timestamp(&r.entered_at),
            revision: r.revision,
        })
        .collect();
    // Platform kinds, and certificate kinds, by code: the counted records name either.
    // Platform kinds are read only for those who see the records.
    let mut kind_names = if show_records {
        registries::kind_names(&st, lang).await?
    } else {
        HashMap::new()
    };
    kind_names.extend(
        kechuang_domain::registry::CertificateKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code().to_owned(),
                    lang.pick(k.name(), k.name_en()).to_owned(),
                )
            }),
    );
    // Tech finance's records behind 3.18–3.20 name their kind too.
    kind_names.extend(
        [
            ("pool_member", "入池企业", "Pool member"),
            ("pool_loan", "入池贷款", "Pool loan"),
            (
                "contribution_province",
                "省级注资",
                "Province's contribution",
            ),
            ("contribution_city", "市级注资", "City's contribution"),
            ("contribution_county", "县级注资", "County's contribution"),
            ("seed_fund", "种子基金", "Seed fund"),
        ]
        .map(|(code, zh, en)| (code.to_owned(), lang.pick(zh, en).to_owned())),
    );
    let counted_behind = if show_records {
        service::counted_records(&st.store, &loaded, &target.indicator, &region.code, as_of)
            .await
            .page(lang)?
    } else {
        Vec::new()
    };
    let counted = counted_behind
        .into_iter()
        .map(|r| CountedRow {
            enterprise: r.enterprise.unwrap_or_default(),
            kind: kind_names.get(&r.kind).cloned().unwrap_or(r.kind),
            level: r
                .level
                .as_deref()
                .and_then(kechuang_domain::registry::Level::parse)
                .map(|l| lang.pick(l.name(), l.name_en()).to_owned())
                .unwrap_or_default(),
            number: r.number.or(r.document_no).unwrap_or_default(),
            region: rname(&r.region_code),
            from: r.from,
            until: r.until.unwrap_or_default(),
            name: r.name,
        })
        .collect();
    let mut revisions = Vec::new();
    let revision_sources = if show_records {
        loaded.record_indicators(&target.indicator)
    } else {
        Vec::new()
    };
    for code in revision_sources {
        for r in st.store.revisions(&code).await.page(lang)? {
            revisions.push(RevisionRow {
                region: rname(&r.region),
                period: format!("{code} · {}", r.period),
                value: format::number(r.value),
                source: r.source,
                file: r.file_name.unwrap_or_default(),
                entered_at: format::timestamp(&r.entered_at),
                superseded_at: format::timestamp(&r.superseded_at),
            });
        }
    }
    let name = lang.pick(&target.name, &target.name_en).to_owned();
    let page = TargetPage {
        chrome: Chrome::new(
            &v,
            "dashboard",
            format!("{} {}", target.code, name),
            &uri,
            Some(plan_id),
        ),
        code: target.code.clone(),
        name,
        region_name: lang.pick(&region.name, &region.name_en).to_owned(),
        dashboard_href: format!(
            "/?plan={plan_id}&region={}&as_of={}",
            region.code,
            as_of.format("%Y-%m-%d")
        ),
        status: status_label(p.status, lang),
        status_class: status_class(p.status),
        cagr: cagr_label(p.cagr_status, lang),
        facts: view.facts.clone(),
        note: target.note.clone(),
        measure_text: view.measure_text.clone(),
        chart: view.chart.clone(),
        formula: view.formula.clone(),
        inputs: view.inputs.clone(),
        county_chart: view.county_chart.clone(),
        county_map: view.county_map.clone(),
        counties: view.counties.clone(),
        show_records,
        records,
        counted,
        revisions,
        scope_note: if e.scope == TargetScope::None {
            tr.no_target_note.into()
        } else {
            String::new()
        },
        regions: super::dashboard::region_options(&loaded, &region.code, lang),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        final_assessment: at.final_assessment,
    };
    render(&page, lang)
}

/// What a target's page shows of its evaluations for one region and language.
struct TargetView {
    facts: Vec<Fact>,
    measure_text: String,
    chart: String,
    formula: String,
    inputs: Vec<(String, String, String)>,
    county_chart: String,
    county_map: String,
    counties: Vec<CountyRow>,
}

async fn target_view(
    st: &AppState,
    loaded: &Loaded,
    target: &kechuang_domain::plan::Target,
    e: &Evaluation,
    plan_id: i64,
    lang: Lang,
) -> Result<TargetView, AppError> {
    let tr = lang.tr();
    let as_of = loaded.as_of;
    let p = &e.progress;
    let unit = crate::format::unit(&e.indicator.unit, lang);
    let unit = unit.as_str();
    let fmt = |v: f64| value_text(e, v, lang);
    let mut facts = vec![
        Fact {
            label: tr.current,
            value: p
                .current
                .map(|c| fmt(c.value))
                .unwrap_or_else(|| tr.no_value.into()),
        },
        Fact {
            label: tr.target_value,
            value: e
                .applicable
                .map(|t| format!("{}{}", target.comparator.symbol(), fmt(t)))
                .unwrap_or_else(|| "—".into()),
        },
    ];
    if let (Some(s), TargetScope::Plan) = (target.stretch, e.scope) {
        facts.push(Fact {
            label: tr.stretch,
            value: with_unit(s, unit),
        });
    }
    facts.push(Fact {
        label: tr.baseline,
        value: p
            .baseline
            .map(|b| format!("{}（{}）", fmt(b.value), format::date(b.date, lang)))
            .unwrap_or_else(|| "—".into()),
    });
    facts.push(Fact {
        label: tr.deadline,
        value: format::date(target.deadline, lang),
    });
    for m in &target.milestones {
        facts.push(Fact {
            label: tr.interim,
            value: format!(
                "{} {}",
                format::date(m.date, lang),
                with_unit(m.value, unit)
            ),
        });
    }
    facts.push(Fact {
        label: tr.completion,
        value: p
            .completion
            .map(format::percent)
            .unwrap_or_else(|| "—".into()),
    });
    facts.push(Fact {
        label: tr.time_elapsed,
        value: format::percent(p.time_elapsed),
    });
    facts.push(Fact {
        label: tr.projection,
        value: p
            .projection
            .map(|v| with_unit(v, unit))
            .unwrap_or_else(|| "—".into()),
    });

    let points: Vec<(NaiveDate, String, f64)> = e
        .series
        .iter()
        .filter(|(per, _)| per.end_date() <= as_of)
        .map(|(per, v)| (per.end_date(), per.to_string(), v.value))
        .collect();
    let chart_title = format!(
        "{}{}",
        lang.pick(&target.name, &target.name_en),
        lang.pick("：历年数值与目标", ": figures by period and the target")
    );
    // The target this one carries forward, in the earlier plan it belongs to.
    let mut earlier = None;
    if let Some((code, t)) = target.continues.as_deref().and_then(|c| c.split_once('/')) {
        let plans = st.store.plans().await?;
        if let Some(p) = plans.iter().find(|p| p.code == code) {
            let targets = st.store.targets(p.id).await?;
            if let Some(prev) = targets.iter().find(|x| x.code == t) {
                earlier = Some((
                    p.start_date(),
                    prev.deadline,
                    prev.target,
                    format!(
                        "{} {}—{}",
                        lang.pick("原计划目标", "earlier plan's target"),
                        p.start_year,
                        p.end_year
                    ),
                ));
            }
        }
    }
    let chart = charts::line_chart(&charts::LineChart {
        earlier,
        points,
        baseline: p.baseline.map(|b| (b.date, b.value)),
        target: e.applicable.map(|t| (t, tr.target_value)),
        stretch: target
            .stretch
            .filter(|_| e.scope == TargetScope::Plan)
            .map(|s| (s, tr.stretch)),
        projection: p.projection.map(|v| (target.deadline, v, tr.projection)),
        milestones: target
            .milestones
            .iter()
            .map(|m| (m.date, m.value))
            .collect(),
        milestone_label: tr.interim,
        start: loaded.plan.start_date(),
        deadline: target.deadline,
        unit,
        title: &chart_title,
    });

    let (formula, inputs) = match &e.indicator.kind {
        IndicatorKind::Formula(f) => (
            format!("{} = {}", e.indicator.code, f.text()),
            f.inputs()
                .into_iter()
                .map(|i| {
                    let ind = loaded.indicators.get(&i);
                    (
                        i.clone(),
                        ind.map(|x| lang.pick(&x.name, &x.name_en).to_owned())
                            .unwrap_or_default(),
                        ind.map(|x| x.unit.clone()).unwrap_or_default(),
                    )
                })
                .collect(),
        ),
        _ => (String::new(), Vec::new()),
    };

    let mut counties = Vec::new();
    let mut bars = Vec::new();
    let mut shades = Vec::new();
    for c in loaded.counties() {
        let evals = loaded.evaluate_all(&c.code);
        let Some(ce) = evals.iter().find(|e| e.target.code == target.code) else {
            continue;
        };
        let name = lang.pick(&c.name, &c.name_en).to_owned();
        let period = ce.current_period().map(|(per, _)| per.to_string());
        bars.push((
            name.clone(),
            ce.progress.current.map(|c| c.value),
            ce.progress.status,
        ));
        let href = format!(
            "/plans/{plan_id}/targets/{}?region={}&as_of={}",
            target.code,
            c.code,
            as_of.format("%Y-%m-%d")
        );
        shades.push(crate::map::Shade {
            code: c.code.to_string(),
            name: name.clone(),
            value: ce.progress.current.map(|c| c.value),
            text: ce
                .progress
                .current
                .map(|c| value_text(ce, c.value, lang))
                .unwrap_or_else(|| lang.tr().no_value.into()),
            href: href.clone(),
        });
        counties.push(CountyRow {
            href,
            name,
            value: ce
                .progress
                .current
                .map(|c| value_text(ce, c.value, lang))
                .unwrap_or_else(|| "—".into()),
            period: period.unwrap_or_default(),
            target: ce
                .applicable
                .map(|t| with_unit(t, unit))
                .unwrap_or_else(|| "—".into()),
            status: status_label(ce.progress.status, lang),
            status_class: status_class(ce.progress.status),
        });
    }
    let uniform = e.scope == TargetScope::Uniform
        || (e.scope == TargetScope::Plan && matches!(e.indicator.kind, IndicatorKind::Formula(_)));
    let any_county_value = bars.iter().any(|b| b.1.is_some());
    let county_map = match st.maps.get(loaded.plan_region.as_str()) {
        Some(m) if any_county_value => crate::map::choropleth(
            m,
            &shades,
            "county-map",
            &format!(
                "{}{}",
                lang.pick(&target.name, &target.name_en),
                lang.pick("：各县（市、区）", ": by county")
            ),
            lang.tr().no_value,
        ),
        _ => String::new(),
    };
    let county_chart = if !any_county_value {
        String::new()
    } else {
        charts::county_bars(
            &bars,
            if uniform { Some(target.target) } else { None },
            unit,
            &format!(
                "{}{}",
                lang.pick(&target.name, &target.name_en),
                lang.pick("：各县（市、区）", ": by county")
            ),
        )
    };

    let measure_text = match &target.measure {
        Some(m) => st
            .store
            .plan_items(plan_id)
            .await?
            .into_iter()
            .find(|i| i.level == "measure" && &i.code == m)
            .map(|i| {
                if i.title.is_empty() {
                    i.body
                } else {
                    format!("{}。{}", i.title, i.body)
                }
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(TargetView {
        facts,
        measure_text,
        chart,
        formula,
        inputs,
        county_chart,
        county_map,
        counties,
    })
}
