//! The annual progress report (年度进展报告) the bureau sends the city government and the
//! provincial S&T department: every target of the plan at a year's end for the city and by
//! county, the measures' tasks with their units and latest progress, and the programmes'
//! budgets and spending for the year. Its figures are the API's for that date: they come from
//! the same evaluation (`progress::Loaded`) and the same board (`supervision`).

use crate::auth::Principal;
use crate::progress::{Loaded, ProgressCache};
use crate::Error;
use chrono::NaiveDate;
use kechuang_domain::evaluate::Evaluation;
use kechuang_ingest::export::{ReportCell, ReportSheet};
use kechuang_store::{PlanSummary, Store};
use serde::Serialize;

/// One target's line: the figures of `GET /api/v1/plans/{id}/targets?as_of=…` for a region.
#[derive(Debug, Clone, Serialize)]
pub struct TargetLine {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub region_code: String,
    pub region: String,
    pub baseline: Option<f64>,
    /// The target that applies to the region.
    pub target: Option<f64>,
    pub stretch: Option<f64>,
    pub value: Option<f64>,
    pub period: Option<String>,
    /// 0–1, as the API gives it.
    pub completion: Option<f64>,
    pub time_elapsed: f64,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub cagr: &'static str,
    pub cagr_zh: &'static str,
    pub projection: Option<f64>,
    pub deadline: NaiveDate,
}

fn line(e: &Evaluation, region_code: &str, region: &str) -> TargetLine {
    let t = &e.target;
    let p = &e.progress;
    TargetLine {
        code: t.code.clone(),
        name: t.name.clone(),
        unit: e.indicator.unit.clone(),
        region_code: region_code.to_owned(),
        region: region.to_owned(),
        baseline: t.baseline.map(|b| b.value),
        target: e.applicable,
        stretch: t.stretch,
        value: p.current.map(|c| c.value),
        period: e.current_period().map(|(per, _)| per.to_string()),
        completion: p.completion,
        time_elapsed: p.time_elapsed,
        status: p.status.as_str(),
        status_zh: p.status.name_zh(),
        cagr: p.cagr_status.as_str(),
        cagr_zh: p.cagr_status.name_zh(),
        projection: p.projection,
        deadline: t.deadline,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskLine {
    pub measure: String,
    pub measure_title: String,
    pub code: String,
    pub title: String,
    pub lead: String,
    pub support: String,
    pub deadline: NaiveDate,
    pub light_zh: &'static str,
    pub light: &'static str,
    /// The latest submitted or accepted report by the year's end, per lead unit.
    pub progress: Vec<(String, String, u8, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FundLine {
    pub code: String,
    pub name: String,
    /// 万元
    pub budget: f64,
    pub committed: f64,
    pub paid: f64,
    pub proposed: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnnualReport {
    pub plan: PlanSummary,
    pub year: i32,
    pub as_of: NaiveDate,
    pub city: Vec<TargetLine>,
    /// Per target, its line for each county of the plan's region.
    pub counties: Vec<(String, String, Vec<TargetLine>)>,
    pub tasks: Vec<TaskLine>,
    pub funds: Vec<FundLine>,
}

kechuang_domain::problems! {
    pub enum ReportProblem {
        YearOutsidePlan { year: i32, from: i32, to: i32 } = "report_year_outside_plan" {
            zh: "{year} 年不在计划期 {from}—{to} 年内", en: "{year} is outside the plan's years {from}–{to}",
        },
    }
}

/// The report of a plan for a year, as of 31 December of that year. With a caller, the plan
/// must be within a bureau caller's region (as for the task board).
pub async fn annual(
    store: &Store,
    counts: &ProgressCache,
    who: Option<&Principal>,
    plan_id: i64,
    year: i32,
) -> Result<AnnualReport, Error> {
    let plan = store.plan(plan_id).await?;
    if !(plan.start_year..=plan.end_year).contains(&year) {
        return Err(Error::invalid(ReportProblem::YearOutsidePlan {
            year,
            from: plan.start_year,
            to: plan.end_year,
        }));
    }
    let as_of = NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| Error::internal(format!("year {year}")))?;
    let loaded = Loaded::load(store, counts, plan_id, as_of).await?;
    let region_name = |code: &str| loaded.tree.name_of(code).unwrap_or(code).to_owned();
    let city_code = loaded.plan_region.to_string();
    let city: Vec<TargetLine> = loaded
        .evaluate_all(&loaded.plan_region)
        .iter()
        .map(|e| line(e, &city_code, &region_name(&city_code)))
        .collect();
    let counties_of: Vec<(String, String)> = loaded
        .tree
        .children(&loaded.plan_region)
        .map(|r| (r.code.to_string(), r.name.clone()))
        .collect();
    let mut by_county: Vec<Vec<TargetLine>> = vec![Vec::new(); city.len()];
    for (code, name) in &counties_of {
        let rc = kechuang_domain::RegionCode::parse(code).map_err(Error::invalid)?;
        for (i, e) in loaded.evaluate_all(&rc).iter().enumerate() {
            if let Some(v) = by_county.get_mut(i) {
                v.push(line(e, code, name));
            }
        }
    }
    let counties = city
        .iter()
        .zip(by_county)
        .map(|(t, lines)| (t.code.clone(), t.name.clone(), lines))
        .collect();
    let board = crate::supervision::board_for_report(store, who, plan_id, as_of).await?;
    let tasks = board
        .tasks
        .iter()
        .map(|t| TaskLine {
            measure: t.task.measure.clone(),
            measure_title: t.measure_title.clone(),
            code: t.task.code.clone(),
            title: t.task.title.clone(),
            lead: t.lead_label.clone(),
            support: t.support_label.clone(),
            deadline: t.task.deadline,
            light: t.light.as_str(),
            light_zh: t.light.name_zh(),
            progress: t
                .units
                .iter()
                .filter_map(|u| {
                    u.latest.as_ref().map(|r| {
                        (
                            u.unit_name.clone(),
                            r.period.to_string(),
                            r.percent,
                            r.progress.clone(),
                        )
                    })
                })
                .collect(),
        })
        .collect();
    let wan = |f: kechuang_domain::money::Fen| f.0 as f64 / 1_000_000.0;
    let programmes = store.programmes().await?;
    let funds = store
        .budget_lines(None)
        .await?
        .into_iter()
        .filter(|b| b.year == year)
        .filter_map(|b| {
            let p = programmes.iter().find(|p| p.code == b.programme_code)?;
            Some(FundLine {
                code: b.programme_code.clone(),
                name: p.name.clone(),
                budget: wan(b.amount),
                committed: wan(b.committed),
                paid: wan(b.paid),
                proposed: wan(b.proposed),
            })
        })
        .collect();
    Ok(AnnualReport {
        plan,
        year,
        as_of,
        city,
        counties,
        tasks,
        funds,
    })
}

fn num(v: Option<f64>, d: u8) -> ReportCell {
    v.map_or(ReportCell::Empty, |v| ReportCell::Number(v, d))
}

fn text(s: impl Into<String>) -> ReportCell {
    ReportCell::Text(s.into())
}

/// A sheet's name: at most 31 characters, none of `[]:*?/\`, as spreadsheets require.
fn sheet_name(raw: &str) -> String {
    raw.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

fn target_headers(first: &str) -> Vec<String> {
    [
        first,
        "指标名称",
        "单位",
        "基期值",
        "目标值",
        "力争值",
        "年末值",
        "数据期",
        "完成率（%）",
        "时间进度（%）",
        "状态",
        "年均增速评价",
        "预计期末值",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn target_row(first: ReportCell, t: &TargetLine) -> Vec<ReportCell> {
    vec![
        first,
        text(&t.name),
        text(&t.unit),
        num(t.baseline, 2),
        num(t.target, 2),
        num(t.stretch, 2),
        num(t.value, 4),
        text(t.period.clone().unwrap_or_default()),
        num(t.completion.map(|c| c * 100.0), 1),
        num(Some(t.time_elapsed * 100.0), 1),
        text(t.status_zh),
        text(t.cagr_zh),
        num(t.projection, 2),
    ]
}

/// The report as a workbook: 附表1 targets for the city, 附表2 measures and tasks, 附表3
/// programme funds, then a sheet per target by county.
pub fn annual_xlsx(r: &AnnualReport, bureau: &str) -> Result<Vec<u8>, Error> {
    let y = r.year;
    let widths_targets = vec![
        8.0, 34.0, 8.0, 10.0, 10.0, 10.0, 12.0, 9.0, 10.0, 10.0, 10.0, 12.0, 12.0,
    ];
    let mut sheets = vec![ReportSheet {
        name: "附表1 主要指标".into(),
        title: format!(
            "附表1  {}主要指标完成情况（截至{y}年12月31日）",
            r.plan.name
        ),
        headers: target_headers("序号"),
        rows: r
            .city
            .iter()
            .map(|t| target_row(text(&t.code), t))
            .collect(),
        widths: widths_targets.clone(),
    }];
    sheets.push(ReportSheet {
        name: "附表2 措施任务".into(),
        title: format!("附表2  {}重点任务推进情况（{y}年）", r.plan.name),
        headers: [
            "措施",
            "任务",
            "牵头单位",
            "配合单位",
            "完成时限",
            "状态",
            "最新进展（报告期·进度·内容）",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows: r
            .tasks
            .iter()
            .map(|t| {
                vec![
                    text(format!("{} {}", t.measure, t.measure_title)),
                    text(format!("{} {}", t.code, t.title)),
                    text(&t.lead),
                    text(&t.support),
                    text(t.deadline.to_string()),
                    text(t.light_zh),
                    text(
                        t.progress
                            .iter()
                            .map(|(u, p, pct, s)| format!("{u}（{p}，{pct}%）：{s}"))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                ]
            })
            .collect(),
        widths: vec![22.0, 30.0, 18.0, 18.0, 11.0, 9.0, 60.0],
    });
    sheets.push(ReportSheet {
        name: "附表3 资金".into(),
        title: format!("附表3  {y}年科技资金项目预算及支出情况（万元）"),
        headers: [
            "项目代码",
            "项目名称",
            "年度预算",
            "已批准",
            "已拨付",
            "拟资助（待批准）",
            "拨付率（%）",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows: r
            .funds
            .iter()
            .map(|f| {
                vec![
                    text(&f.code),
                    text(&f.name),
                    num(Some(f.budget), 2),
                    num(Some(f.committed), 2),
                    num(Some(f.paid), 2),
                    num(Some(f.proposed), 2),
                    num((f.budget > 0.0).then(|| f.paid / f.budget * 100.0), 1),
                ]
            })
            .collect(),
        widths: vec![18.0, 30.0, 12.0, 12.0, 12.0, 14.0, 12.0],
    });
    let mut used = std::collections::HashSet::new();
    for (code, name, lines) in &r.counties {
        let mut sheet = sheet_name(&format!("{code} {name}"));
        while !used.insert(sheet.clone()) {
            sheet = sheet_name(&format!("{}~", sheet.chars().take(29).collect::<String>()));
        }
        let mut headers = target_headers("县（市、区）");
        headers[1] = "区划代码".into();
        sheets.push(ReportSheet {
            name: sheet,
            title: format!("{code} {name}：分县（市、区）完成情况（截至{y}年12月31日）"),
            rows: lines
                .iter()
                .map(|t| {
                    let mut row = target_row(text(&t.region), t);
                    row[1] = text(&t.region_code);
                    row
                })
                .collect(),
            headers,
            widths: widths_targets.clone(),
        });
    }
    kechuang_ingest::export::report_xlsx(&sheets, bureau).map_err(Error::internal)
}
