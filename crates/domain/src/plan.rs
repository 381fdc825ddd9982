//! The plan as data: the plan file format (TOML, documented in docs/plan-format.md), its
//! parsing, and every check a file must pass before anything of it is written.
//!
//! Validation collects all problems, each with the line it is on, so an officer fixing a file
//! sees the whole list at once instead of one error per attempt.

use crate::formula::Formula;
use crate::indicator::{
    Aggregation, CountSpec, Indicator, IndicatorKind, LedgerSpec, RecordMeasure,
};
use crate::programme::{OncePer, Programme, ProgrammeKind, Rules};
use crate::progress::{Comparator, Point};
use crate::region::{RegionCode, RegionTree};
use crate::supervision::{Cadence, Task, TaskMilestone, Unit, UnitKind};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use toml::Spanned;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub region: RegionCode,
    pub start_year: i32,
    pub end_year: i32,
    pub preamble: String,
    pub indicators: Vec<Indicator>,
    pub sections: Vec<Section>,
    pub targets: Vec<Target>,
    pub programmes: Vec<Programme>,
    /// The responsible units the plan's tasks name.
    pub units: Vec<Unit>,
}

impl Plan {
    /// Every task of every measure, in the plan's order.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.sections
            .iter()
            .flat_map(|s| s.groups.iter())
            .flat_map(|g| g.measures.iter())
            .flat_map(|m| m.tasks.iter())
    }

    pub fn start_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year, 1, 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn end_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.end_year, 12, 31).unwrap_or(NaiveDate::MAX)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub code: String,
    pub title: String,
    pub title_en: String,
    pub text: String,
    pub groups: Vec<Group>,
}

/// A numbered subsection such as “（一）全力争取相关考核指标完成”; measures placed directly
/// under a section sit in a group without a title.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub title: String,
    pub title_en: String,
    pub text: String,
    pub measures: Vec<Measure>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub code: String,
    pub title: String,
    pub text: String,
    /// The measure split into tasks for responsible units (督查督办).
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A number to reach.
    Quantity,
    /// Done or not, with evidence (e.g. 申报国家高新区): observed as 1 when done.
    Milestone,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Quantity => "quantity",
            Self::Milestone => "milestone",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "quantity" => Some(Self::Quantity),
            "milestone" => Some(Self::Milestone),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub code: String,
    /// The measure of the plan text this target belongs to.
    pub measure: Option<String>,
    pub name: String,
    pub name_en: String,
    pub indicator: String,
    pub kind: TargetKind,
    pub comparator: Comparator,
    pub baseline: Option<Point>,
    pub target: f64,
    /// 力争: the higher ambition beyond the target.
    pub stretch: Option<f64>,
    pub deadline: NaiveDate,
    /// The target applies to each year's figure (e.g. annual project funds), not a final one.
    pub annual: bool,
    pub milestones: Vec<Point>,
    pub county_targets: Vec<(RegionCode, f64)>,
    pub note: String,
    /// The target of an earlier plan this one carries forward, as `PLAN-CODE/TARGET-CODE`:
    /// its chart shows one series across both plans.
    pub continues: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "第{}行 (line {}): {}",
            self.line, self.line, self.message
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PlanErrors(pub Vec<PlanError>);

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "计划文件有 {} 处错误 (plan file has {} error(s)):",
            self.0.len(),
            self.0.len()
        )?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

// ---- the file as written -------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    plan: Spanned<Header>,
    #[serde(default)]
    indicators: Vec<Spanned<IndicatorDef>>,
    #[serde(default)]
    sections: Vec<Spanned<SectionDef>>,
    #[serde(default)]
    targets: Vec<Spanned<TargetDef>>,
    #[serde(default)]
    programmes: Vec<Spanned<ProgrammeDef>>,
    #[serde(default)]
    units: Vec<Spanned<UnitDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitDef {
    code: Spanned<String>,
    name: String,
    #[serde(default)]
    name_en: String,
    kind: Spanned<String>,
    #[serde(default)]
    region: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskDef {
    #[serde(default)]
    code: Option<Spanned<String>>,
    title: Spanned<String>,
    lead: Spanned<Vec<String>>,
    #[serde(default)]
    support: Vec<String>,
    #[serde(default)]
    start: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    deadline: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    cadence: Option<Spanned<String>>,
    #[serde(default)]
    milestones: Vec<Spanned<TaskMilestoneDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskMilestoneDef {
    date: toml::value::Datetime,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgrammeDef {
    code: Spanned<String>,
    name: String,
    #[serde(default)]
    name_en: String,
    kind: Spanned<String>,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    measure: Option<Spanned<String>>,
    from_year: Spanned<i32>,
    #[serde(default)]
    to_year: Option<Spanned<i32>>,
    #[serde(default)]
    event: Option<Spanned<String>>,
    #[serde(default)]
    once_per: Option<Spanned<String>>,
    eligibility: Spanned<String>,
    amount: Spanned<String>,
    #[serde(default)]
    priority: Option<Spanned<String>>,
    #[serde(default)]
    notice_days: Option<Spanned<u32>>,
    /// Whether the officer who generated a batch may not approve it (default: may not).
    #[serde(default)]
    separate_duties: Option<bool>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    form: Option<Spanned<crate::application::FormSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    code: Spanned<String>,
    name: String,
    #[serde(default)]
    name_en: String,
    region: Spanned<String>,
    start_year: Spanned<i32>,
    end_year: Spanned<i32>,
    #[serde(default)]
    preamble: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorDef {
    code: Spanned<String>,
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    description: String,
    kind: Spanned<String>,
    #[serde(default)]
    aggregation: Option<Spanned<String>>,
    #[serde(default)]
    formula: Option<Spanned<String>>,
    #[serde(default)]
    count: Option<Spanned<CountSpec>>,
    #[serde(default)]
    ledger: Option<Spanned<LedgerSpec>>,
    #[serde(default)]
    records: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionDef {
    code: Spanned<String>,
    title: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    groups: Vec<GroupDef>,
    #[serde(default)]
    measures: Vec<Spanned<MeasureDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDef {
    title: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    measures: Vec<Spanned<MeasureDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureDef {
    code: Spanned<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    tasks: Vec<Spanned<TaskDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetDef {
    code: Spanned<String>,
    #[serde(default)]
    measure: Option<Spanned<String>>,
    name: String,
    #[serde(default)]
    name_en: String,
    indicator: Spanned<String>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    comparator: Option<Spanned<String>>,
    #[serde(default)]
    baseline: Option<Spanned<BaselineDef>>,
    #[serde(default)]
    target: Option<Spanned<f64>>,
    #[serde(default)]
    stretch: Option<Spanned<f64>>,
    #[serde(default)]
    deadline: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    annual: bool,
    #[serde(default)]
    milestones: Vec<Spanned<PointDef>>,
    #[serde(default)]
    county_targets: BTreeMap<String, f64>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    continues: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineDef {
    value: f64,
    date: toml::value::Datetime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PointDef {
    date: toml::value::Datetime,
    value: f64,
}

// ---- parsing and validation ----------------------------------------------------------

struct Checker<'a> {
    src: &'a str,
    errors: Vec<PlanError>,
}

impl Checker<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.src.len());
        self.src.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }
    fn err<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        let line = self.line_of(at.span().start);
        self.errors.push(PlanError {
            line,
            message: message.into(),
        });
    }
    fn date(
        &mut self,
        at_span: std::ops::Range<usize>,
        dt: &toml::value::Datetime,
    ) -> Option<NaiveDate> {
        let parsed = match (dt.date, dt.time) {
            (Some(d), None) => NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()),
            _ => None,
        };
        if parsed.is_none() {
            let line = self.line_of(at_span.start);
            self.errors.push(PlanError {
                line,
                message: format!(
                    "'{dt}' 不是日期，应写作 2020-12-31 (expected a date such as 2020-12-31)"
                ),
            });
        }
        parsed
    }
}

/// Parses and validates a plan file. `regions` are the known regions the plan may refer to.
pub fn parse_plan(src: &str, regions: &RegionTree) -> Result<Plan, PlanErrors> {
    let mut ck = Checker {
        src,
        errors: Vec::new(),
    };
    let file: PlanFile = match toml::from_str(src) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| ck.line_of(s.start)).unwrap_or(1);
            return Err(PlanErrors(vec![PlanError {
                line,
                message: e.message().to_owned(),
            }]));
        }
    };

    let header = file.plan.get_ref();
    let region = match RegionCode::parse(header.region.get_ref()) {
        Ok(r) if regions.get(&r).is_some() => Some(r),
        Ok(r) => {
            ck.err(
                &header.region,
                format!("未知的区划代码 '{r}' (unknown region)"),
            );
            None
        }
        Err(e) => {
            ck.err(&header.region, e.to_string());
            None
        }
    };
    let (start_year, end_year) = (*header.start_year.get_ref(), *header.end_year.get_ref());
    if end_year < start_year || !(1949..=2200).contains(&start_year) {
        ck.err(
            &header.end_year,
            format!("计划期 {start_year}–{end_year} 无效 (invalid plan period)"),
        );
    }
    let plan_start = NaiveDate::from_ymd_opt(start_year, 1, 1).unwrap_or(NaiveDate::MIN);
    let plan_end = NaiveDate::from_ymd_opt(end_year, 12, 31).unwrap_or(NaiveDate::MAX);

    let indicators = check_indicators(&mut ck, &file.indicators);
    let units = check_units(&mut ck, &file.units, regions);
    let period = (plan_start, plan_end);
    let sections = check_sections(&mut ck, &file.sections, &units, period);
    let measure_codes: HashSet<&str> = sections
        .iter()
        .flat_map(|s| s.groups.iter())
        .flat_map(|g| g.measures.iter())
        .map(|m| m.code.as_str())
        .collect();

    let known_indicators: HashMap<&str, &Indicator> =
        indicators.iter().map(|i| (i.code.as_str(), i)).collect();
    let mut targets = Vec::new();
    let mut seen = HashSet::new();
    for t in &file.targets {
        let def = t.get_ref();
        let code = def.code.get_ref().trim().to_owned();
        if code.is_empty() {
            ck.err(&def.code, "目标代码不能为空 (target code is empty)");
        } else if !seen.insert(code.clone()) {
            ck.err(
                &def.code,
                format!("目标代码 '{code}' 重复 (duplicate target code)"),
            );
        }
        if let Some(m) = &def.measure {
            if !measure_codes.contains(m.get_ref().as_str()) {
                ck.err(m, format!("未知的措施 '{}' (unknown measure)", m.get_ref()));
            }
        }
        if !known_indicators.contains_key(def.indicator.get_ref().as_str()) {
            ck.err(
                &def.indicator,
                format!(
                    "未知的指标 '{}' (unknown indicator)",
                    def.indicator.get_ref()
                ),
            );
        }
        let kind = match &def.kind {
            None => TargetKind::Quantity,
            Some(k) => TargetKind::parse(k.get_ref()).unwrap_or_else(|| {
                ck.err(
                    k,
                    format!(
                        "目标类型 '{}' 无效，应为 quantity 或 milestone (invalid kind)",
                        k.get_ref()
                    ),
                );
                TargetKind::Quantity
            }),
        };
        let (comparator, target_value) = match kind {
            TargetKind::Milestone => (Comparator::AtLeast, 1.0),
            TargetKind::Quantity => {
                let cmp = match &def.comparator {
                    Some(c) => Comparator::parse(c.get_ref()).unwrap_or_else(|| {
                        ck.err(c, format!("比较方向 '{}' 无效，应为 \">=\" 或 \"<=\" (comparator must be \">=\" or \"<=\")", c.get_ref()));
                        Comparator::AtLeast
                    }),
                    None => {
                        ck.err(t, format!("目标 '{code}' 缺少比较方向 comparator（\">=\" 或 \"<=\"）(missing comparator)"));
                        Comparator::AtLeast
                    }
                };
                let value = match &def.target {
                    Some(v) => *v.get_ref(),
                    None => {
                        ck.err(
                            t,
                            format!("目标 '{code}' 缺少目标值 target (missing target value)"),
                        );
                        0.0
                    }
                };
                (cmp, value)
            }
        };
        if let Some(s) = &def.stretch {
            let beyond = match comparator {
                Comparator::AtLeast => *s.get_ref() >= target_value,
                Comparator::AtMost => *s.get_ref() <= target_value,
            };
            if !beyond {
                ck.err(
                    s,
                    "力争值应比目标值更进一步 (stretch must lie beyond the target)",
                );
            }
        }
        let deadline = match &def.deadline {
            None => plan_end,
            Some(d) => {
                let parsed = ck.date(d.span(), d.get_ref()).unwrap_or(plan_end);
                if parsed < plan_start || parsed > plan_end {
                    ck.err(d, format!("期限 {parsed} 不在计划期 {start_year}–{end_year} 内 (deadline outside the plan period)"));
                }
                parsed
            }
        };
        let baseline = def.baseline.as_ref().and_then(|b| {
            let inner = b.get_ref();
            ck.date(b.span(), &inner.date).map(|date| Point {
                date,
                value: inner.value,
            })
        });
        let mut milestones = Vec::new();
        for m in &def.milestones {
            if let Some(date) = ck.date(m.span(), &m.get_ref().date) {
                if date > deadline {
                    ck.err(m, "阶段目标日期晚于期限 (milestone after the deadline)");
                }
                milestones.push(Point {
                    date,
                    value: m.get_ref().value,
                });
            }
        }
        let mut county_targets = Vec::new();
        for (rc, v) in &def.county_targets {
            match RegionCode::parse(rc) {
                Ok(c) if regions.get(&c).is_some() => county_targets.push((c, *v)),
                _ => ck.err(
                    t,
                    format!("分县目标中的区划代码 '{rc}' 未知 (unknown region in county_targets)"),
                ),
            }
        }
        targets.push(Target {
            code,
            measure: def.measure.as_ref().map(|m| m.get_ref().clone()),
            name: def.name.clone(),
            name_en: def.name_en.clone(),
            indicator: def.indicator.get_ref().clone(),
            kind,
            comparator,
            baseline,
            target: target_value,
            stretch: def.stretch.as_ref().map(|s| *s.get_ref()),
            deadline,
            annual: def.annual,
            milestones,
            county_targets,
            note: def.note.clone(),
            continues: def.continues.as_ref().and_then(|c| {
                let raw = c.get_ref().trim();
                match raw.split_once('/') {
                    Some((p, t)) if !p.trim().is_empty() && !t.trim().is_empty() => {
                        if p.trim() == header.code.get_ref().trim() {
                            ck.err(c, "continues 应指向更早计划的目标 (continues names a target of an earlier plan)");
                        }
                        Some(format!("{}/{}", p.trim(), t.trim()))
                    }
                    _ => {
                        ck.err(c, format!("continues '{raw}' 应写作 计划代码/目标代码，如 shaoguan-2017-2020/2.3 (write PLAN-CODE/TARGET-CODE)"));
                        None
                    }
                }
            }),
        });
    }

    let programmes = check_programmes(&mut ck, &file.programmes, &measure_codes);

    match (ck.errors.is_empty(), region) {
        (true, Some(region)) => Ok(Plan {
            code: header.code.get_ref().trim().to_owned(),
            name: header.name.clone(),
            name_en: header.name_en.clone(),
            region,
            start_year,
            end_year,
            preamble: header.preamble.clone(),
            indicators,
            sections,
            targets,
            programmes,
            units,
        }),
        _ => {
            ck.errors.sort_by_key(|e| e.line);
            Err(PlanErrors(ck.errors))
        }
    }
}

/// Programmes: codes, kinds, years, and rules that compile and run on a sample.
fn check_programmes(
    ck: &mut Checker<'_>,
    defs: &[Spanned<ProgrammeDef>],
    measures: &HashSet<&str>,
) -> Vec<Programme> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for d in defs {
        let def = d.get_ref();
        let code = def.code.get_ref().trim().to_owned();
        let valid_code = !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid_code {
            ck.err(&def.code, format!("资金项目代码 '{code}' 无效：应为小写字母、数字、- 和 _ (programme codes are lowercase letters, digits, '-' and '_')"));
        } else if !seen.insert(code.clone()) {
            ck.err(
                &def.code,
                format!("资金项目代码 '{code}' 重复 (duplicate programme code)"),
            );
        }
        let kind = ProgrammeKind::parse(def.kind.get_ref()).unwrap_or_else(|| {
            let all: Vec<&str> = ProgrammeKind::ALL.iter().map(|k| k.code()).collect();
            ck.err(
                &def.kind,
                format!(
                    "资金项目类型 '{}' 无效，应为 {} (invalid kind)",
                    def.kind.get_ref(),
                    all.join("、")
                ),
            );
            ProgrammeKind::Reward
        });
        if let Some(m) = &def.measure {
            if !measures.contains(m.get_ref().as_str()) {
                ck.err(m, format!("未知的措施 '{}' (unknown measure)", m.get_ref()));
            }
        }
        let event = def.event.as_ref().and_then(|e| {
            let k = crate::programme::EventSource::parse(e.get_ref());
            if k.is_none() {
                ck.err(
                    e,
                    format!(
                        "事件 '{}' 无效，应为 {} 之一 (event must be a certificate kind, a patent type or rd_survey)",
                        e.get_ref(),
                        crate::programme::EventSource::codes().join("、")
                    ),
                );
            }
            k
        });
        let once_per = match &def.once_per {
            None => OncePer::Event,
            Some(o) => OncePer::parse(o.get_ref()).unwrap_or_else(|| {
                ck.err(
                    o,
                    format!(
                        "once_per '{}' 无效，应为 enterprise 或 event (invalid once_per)",
                        o.get_ref()
                    ),
                );
                OncePer::Event
            }),
        };
        let from_year = *def.from_year.get_ref();
        let to_year = def.to_year.as_ref().map(|t| *t.get_ref());
        if !(1949..=2200).contains(&from_year) || to_year.is_some_and(|t| t < from_year) {
            ck.err(&def.from_year, "实施年度无效 (invalid programme years)");
        }
        let notice_days = def.notice_days.as_ref().map(|n| *n.get_ref()).unwrap_or(7);
        if !(1..=60).contains(&notice_days) {
            if let Some(n) = &def.notice_days {
                ck.err(n, "公示期应为 1—60 天 (notice_days must be 1 to 60)");
            }
        }
        let programme = Programme {
            code,
            name: def.name.clone(),
            name_en: def.name_en.clone(),
            kind,
            basis: def.basis.clone(),
            measure: def.measure.as_ref().map(|m| m.get_ref().clone()),
            from_year,
            to_year,
            event,
            once_per,
            eligibility: def.eligibility.get_ref().clone(),
            amount: def.amount.get_ref().clone(),
            priority: def.priority.as_ref().map(|p| p.get_ref().clone()),
            notice_days,
            separate_duties: def.separate_duties.unwrap_or(true),
            description: def.description.clone(),
            form: def.form.as_ref().map(|f| f.get_ref().clone()),
        };
        if let Some(f) = &def.form {
            for problem in f.get_ref().problems(kind != ProgrammeKind::Reward) {
                ck.err(f, problem);
            }
        }
        if def.event.is_none() && def.form.is_none() {
            ck.err(d, format!("资金项目 '{}' 须有 event（按登记库事件批量奖补）或 form（受理申报） (a programme needs an event or a form)", programme.code));
        }
        if let Err(errors) = Rules::compile(&programme) {
            for e in errors {
                let at = if e.rule() == "amount" {
                    def.amount.span()
                } else if e.rule() == "priority" {
                    def.priority.as_ref().map(|p| p.span()).unwrap_or(d.span())
                } else {
                    def.eligibility.span()
                };
                let line = ck.line_of(at.start);
                ck.errors.push(PlanError {
                    line,
                    message: crate::problem::bilingual(&e),
                });
            }
        }
        out.push(programme);
    }
    out
}

fn check_indicators(ck: &mut Checker<'_>, defs: &[Spanned<IndicatorDef>]) -> Vec<Indicator> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for d in defs {
        let def = d.get_ref();
        let code = def.code.get_ref().trim().to_owned();
        let valid_code = !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && code.starts_with(|c: char| c.is_ascii_lowercase());
        if !valid_code {
            ck.err(&def.code, format!("指标代码 '{code}' 无效：应为小写字母、数字和下划线 (indicator codes are lowercase letters, digits and '_')"));
        } else if !seen.insert(code.clone()) {
            ck.err(
                &def.code,
                format!("指标代码 '{code}' 重复 (duplicate indicator code)"),
            );
        }
        let kind = match def.kind.get_ref().as_str() {
            "manual" => {
                let aggregation = match &def.aggregation {
                    None => Aggregation::Sum,
                    Some(a) => Aggregation::parse(a.get_ref()).unwrap_or_else(|| {
                        ck.err(a, format!("汇总方式 '{}' 无效，应为 sum 或 none (aggregation must be sum or none)", a.get_ref()));
                        Aggregation::Sum
                    }),
                };
                IndicatorKind::Manual { aggregation }
            }
            "formula" => match &def.formula {
                None => {
                    ck.err(
                        d,
                        format!("公式指标 '{code}' 缺少 formula (formula missing)"),
                    );
                    continue;
                }
                Some(f) => match Formula::parse(f.get_ref()) {
                    Ok(parsed) => IndicatorKind::Formula(parsed),
                    Err(e) => {
                        ck.err(f, e.to_string());
                        continue;
                    }
                },
            },
            "registry_count" => match &def.count {
                None => {
                    ck.err(
                        d,
                        format!("计数指标 '{code}' 缺少 count (count filter missing)"),
                    );
                    continue;
                }
                Some(c) => IndicatorKind::RegistryCount(c.get_ref().clone()),
            },
            "ledger" => match &def.ledger {
                None => {
                    ck.err(
                        d,
                        format!("资金指标 '{code}' 缺少 ledger (ledger filter missing)"),
                    );
                    continue;
                }
                Some(l) => {
                    if crate::money::unit_fen(&def.unit).is_none() {
                        ck.err(
                            d,
                            format!("资金指标 '{code}' 的单位应为 元、万元 或 亿元，而不是 '{}' (a ledger indicator is money)", def.unit),
                        );
                    }
                    IndicatorKind::Ledger(l.get_ref().clone())
                }
            },
            "records" => {
                let measure = def
                    .records
                    .as_ref()
                    .map(|f| (f, RecordMeasure::parse(f.get_ref())));
                match measure {
                    None => {
                        ck.err(d, format!("记录指标 '{code}' 缺少 records (records measure missing: pool_enterprises, pool_loans, reserve_contributions, seed_fund_committed or rd_survey_total)"));
                        continue;
                    }
                    Some((f, None)) => {
                        ck.err(f, format!("记录指标 '{}' 无效，应为 pool_enterprises、pool_loans、reserve_contributions、seed_fund_committed 或 rd_survey_total (unknown records measure)", f.get_ref()));
                        continue;
                    }
                    Some((_, Some(m))) => {
                        if m.is_money() && crate::money::unit_fen(&def.unit).is_none() {
                            ck.err(d, format!("记录指标 '{code}' 的单位应为 元、万元 或 亿元，而不是 '{}' (this indicator is money)", def.unit));
                        }
                        IndicatorKind::Records(m)
                    }
                }
            }
            other => {
                ck.err(&def.kind, format!("指标类型 '{other}' 无效，应为 manual、formula、registry_count、ledger 或 records (invalid kind)"));
                continue;
            }
        };
        out.push(Indicator {
            code,
            name: def.name.clone(),
            name_en: def.name_en.clone(),
            unit: def.unit.clone(),
            description: def.description.clone(),
            kind,
        });
    }
    // Formulas may only read indicators defined in the file, and may not depend on themselves.
    let codes: HashSet<String> = out.iter().map(|i| i.code.clone()).collect();
    for d in defs {
        let def = d.get_ref();
        let Some(f) = def
            .formula
            .as_ref()
            .and_then(|f| Formula::parse(f.get_ref()).ok().map(|p| (f, p)))
        else {
            continue;
        };
        for input in f.1.inputs() {
            if !codes.contains(&input) {
                ck.err(
                    f.0,
                    format!("公式引用了未知的指标 '{input}' (formula reads an unknown indicator)"),
                );
            }
        }
        if reaches(&out, def.code.get_ref(), def.code.get_ref(), 0) {
            ck.err(
                f.0,
                format!(
                    "公式循环引用了 '{}' 自身 (formula depends on itself)",
                    def.code.get_ref()
                ),
            );
        }
    }
    out
}

/// Whether `from`'s formula depends, directly or not, on `goal`.
fn reaches(all: &[Indicator], from: &str, goal: &str, depth: usize) -> bool {
    if depth > all.len() {
        return true;
    }
    let Some(IndicatorKind::Formula(f)) = all.iter().find(|i| i.code == from).map(|i| &i.kind)
    else {
        return false;
    };
    f.inputs()
        .iter()
        .any(|i| i == goal || reaches(all, i, goal, depth + 1))
}

fn check_sections(
    ck: &mut Checker<'_>,
    defs: &[Spanned<SectionDef>],
    units: &[Unit],
    period: (NaiveDate, NaiveDate),
) -> Vec<Section> {
    let mut seen_sections = HashSet::new();
    let mut seen_measures = HashSet::new();
    let mut seen_tasks = HashSet::new();
    let mut measure = |ck: &mut Checker<'_>, m: &Spanned<MeasureDef>| {
        let def = m.get_ref();
        let code = def.code.get_ref().trim().to_owned();
        if code.is_empty() || !seen_measures.insert(code.clone()) {
            ck.err(
                &def.code,
                format!("措施代码 '{code}' 为空或重复 (empty or duplicate measure code)"),
            );
        }
        let tasks = def
            .tasks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| check_task(ck, t, (&code, i), units, period, &mut seen_tasks))
            .collect();
        Measure {
            code,
            title: def.title.clone(),
            text: def.text.trim().to_owned(),
            tasks,
        }
    };
    let mut out = Vec::new();
    for s in defs {
        let def = s.get_ref();
        let code = def.code.get_ref().trim().to_owned();
        if !seen_sections.insert(code.clone()) {
            ck.err(
                &def.code,
                format!("章节代码 '{code}' 重复 (duplicate section code)"),
            );
        }
        let mut groups = Vec::new();
        if !def.measures.is_empty() {
            groups.push(Group {
                title: String::new(),
                title_en: String::new(),
                text: String::new(),
                measures: def.measures.iter().map(|m| measure(ck, m)).collect(),
            });
        }
        for g in &def.groups {
            groups.push(Group {
                title: g.title.clone(),
                title_en: g.title_en.clone(),
                text: g.text.trim().to_owned(),
                measures: g.measures.iter().map(|m| measure(ck, m)).collect(),
            });
        }
        out.push(Section {
            code,
            title: def.title.clone(),
            title_en: def.title_en.clone(),
            text: def.text.trim().to_owned(),
            groups,
        });
    }
    out
}

/// Which of several plans `(id, start_year, end_year)` is current in `year`: the one whose
/// period covers it (the latest begun, if several do), else the most recent; `None` when there
/// is no plan.
pub fn current_plan(plans: &[(i64, i32, i32)], year: i32) -> Option<i64> {
    let covering = plans
        .iter()
        .filter(|(_, from, to)| (*from..=*to).contains(&year))
        .max_by_key(|(id, from, _)| (*from, *id));
    covering
        .or_else(|| plans.iter().max_by_key(|(id, from, to)| (*to, *from, *id)))
        .map(|(id, _, _)| *id)
}

/// The lead value that stands for every county government of the plan's units.
pub const EVERY_COUNTY: &str = "counties";

/// Responsible units: unique codes, a known kind, and a known region for a county government.
fn check_units(ck: &mut Checker<'_>, defs: &[Spanned<UnitDef>], regions: &RegionTree) -> Vec<Unit> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for d in defs {
        let def = d.get_ref();
        let code = def.code.get_ref().trim().to_owned();
        let valid = !code.is_empty()
            && code != EVERY_COUNTY
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            ck.err(&def.code, format!("单位代码 '{code}' 无效：应为字母、数字、- 和 _ (unit codes are letters, digits, '-' and '_')"));
        } else if !seen.insert(code.clone()) {
            ck.err(
                &def.code,
                format!("单位代码 '{code}' 重复 (duplicate unit code)"),
            );
        }
        if def.name.trim().is_empty() {
            ck.err(d, format!("单位 '{code}' 缺少名称 (unit without a name)"));
        }
        let kind = UnitKind::parse(def.kind.get_ref()).unwrap_or_else(|| {
            ck.err(&def.kind, format!("单位类别 '{}' 无效，应为 department、county、section 或 other (invalid unit kind)", def.kind.get_ref()));
            UnitKind::Other
        });
        let region = match &def.region {
            Some(r) => match RegionCode::parse(r.get_ref()) {
                Ok(c) if regions.get(&c).is_some() => Some(c),
                _ => {
                    ck.err(
                        r,
                        format!("未知的区划代码 '{}' (unknown region)", r.get_ref()),
                    );
                    None
                }
            },
            None if kind == UnitKind::County => {
                ck.err(d, format!("县（市、区）政府 '{code}' 须写明 region (a county government needs its region)"));
                None
            }
            None => None,
        };
        out.push(Unit {
            code,
            name: def.name.trim().to_owned(),
            name_en: def.name_en.trim().to_owned(),
            kind,
            region,
        });
    }
    out
}

/// A task of a measure: known units, dates inside the plan period, milestones inside the task.
fn check_task(
    ck: &mut Checker<'_>,
    t: &Spanned<TaskDef>,
    (measure, index): (&str, usize),
    units: &[Unit],
    (plan_start, plan_end): (NaiveDate, NaiveDate),
    seen: &mut HashSet<String>,
) -> Option<Task> {
    let def = t.get_ref();
    let code = match &def.code {
        Some(c) => c.get_ref().trim().to_owned(),
        None => format!("{measure}-{}", index + 1),
    };
    if code.is_empty() || !seen.insert(code.clone()) {
        ck.err(
            t,
            format!("任务代码 '{code}' 为空或重复 (empty or duplicate task code)"),
        );
    }
    if def.title.get_ref().trim().is_empty() {
        ck.err(&def.title, "任务内容不能为空 (a task needs a title)");
    }
    let counties: Vec<String> = units
        .iter()
        .filter(|u| u.kind == UnitKind::County)
        .map(|u| u.code.clone())
        .collect();
    let expand = |ck: &mut Checker<'_>, names: &[String], what: &str| {
        let mut out: Vec<String> = Vec::new();
        for l in names.iter().map(|l| l.trim()) {
            let found: Vec<String> = if l == EVERY_COUNTY {
                if counties.is_empty() {
                    ck.err(&def.lead, "counties 表示各县（市、区）政府，但 [[units]] 中没有县（市、区）政府 (no county units)");
                }
                counties.clone()
            } else if units.iter().any(|u| u.code == l) {
                vec![l.to_owned()]
            } else {
                ck.err(
                    &def.lead,
                    format!("未知的{what} '{l}'，请先在 [[units]] 中列出 (unknown unit)"),
                );
                Vec::new()
            };
            for f in found {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    };
    let lead = expand(ck, def.lead.get_ref(), "牵头单位");
    if def.lead.get_ref().is_empty() {
        ck.err(
            &def.lead,
            format!("任务 '{code}' 须有牵头单位 (a task needs a lead unit)"),
        );
    }
    let support: Vec<String> = expand(ck, &def.support, "配合单位")
        .into_iter()
        .filter(|s| !lead.contains(s))
        .collect();
    let date = |ck: &mut Checker<'_>, d: &Option<Spanned<toml::value::Datetime>>, default| match d {
        None => default,
        Some(d) => {
            let parsed = ck.date(d.span(), d.get_ref()).unwrap_or(default);
            if parsed < plan_start || parsed > plan_end {
                ck.err(
                    d,
                    format!("日期 {parsed} 不在计划期内 (date outside the plan period)"),
                );
            }
            parsed
        }
    };
    let start = date(ck, &def.start, plan_start);
    let deadline = date(ck, &def.deadline, plan_end);
    if deadline < start {
        ck.err(
            t,
            format!("任务 '{code}' 的期限早于开始日期 (deadline before start)"),
        );
    }
    let cadence = match &def.cadence {
        None => Cadence::Quarter,
        Some(c) => Cadence::parse(c.get_ref()).unwrap_or_else(|| {
            ck.err(
                c,
                format!(
                    "报告周期 '{}' 无效，应为 month、quarter 或 year (invalid cadence)",
                    c.get_ref()
                ),
            );
            Cadence::Quarter
        }),
    };
    let mut milestones = Vec::new();
    for m in &def.milestones {
        if let Some(d) = ck.date(m.span(), &m.get_ref().date) {
            if d < start || d > deadline {
                ck.err(
                    m,
                    "任务节点日期不在任务期内 (task milestone outside the task's dates)",
                );
            }
            milestones.push(TaskMilestone {
                date: d,
                text: m.get_ref().text.trim().to_owned(),
            });
        }
    }
    Some(Task {
        code,
        measure: measure.to_owned(),
        title: def.title.get_ref().trim().to_owned(),
        lead,
        support,
        start,
        deadline,
        cadence,
        milestones,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::shipped_regions;

    const GOOD: &str = r#"
[plan]
code = "t"
name = "测试计划"
region = "440200"
start_year = 2017
end_year = 2020

[[indicators]]
code = "rd_expenditure"
name = "研发经费"
unit = "万元"
kind = "manual"

[[indicators]]
code = "gdp"
name = "GDP"
unit = "亿元"
kind = "manual"

[[indicators]]
code = "rd_intensity"
name = "研发强度"
unit = "%"
kind = "formula"
formula = "rd_expenditure / (gdp * 10000) * 100"

[[sections]]
code = "2"
title = "主要任务"

[[sections.groups]]
title = "（一）考核指标"

[[sections.groups.measures]]
code = "2.1"
text = "研发经费支出占比达到2%。"

[[targets]]
code = "2.1"
measure = "2.1"
name = "研发强度"
indicator = "rd_intensity"
comparator = ">="
target = 2
deadline = 2020-12-31
"#;

    fn tree() -> RegionTree {
        RegionTree::new(shipped_regions())
    }

    #[test]
    fn a_good_file_parses() {
        let plan = parse_plan(GOOD, &tree()).expect("valid plan");
        assert_eq!(plan.targets.len(), 1);
        assert_eq!(plan.targets[0].comparator, Comparator::AtLeast);
        assert_eq!(plan.sections[0].groups[0].measures[0].code, "2.1");
    }

    fn errors_of(src: &str) -> Vec<PlanError> {
        parse_plan(src, &tree()).expect_err("must be refused").0
    }

    fn line_of(src: &str, needle: &str) -> usize {
        src.lines()
            .position(|l| l.contains(needle))
            .expect("needle present")
            + 1
    }

    #[test]
    fn unknown_indicator_names_its_line() {
        let src = GOOD.replace(
            "indicator = \"rd_intensity\"",
            "indicator = \"rd_intensty\"",
        );
        let errs = errors_of(&src);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, line_of(&src, "rd_intensty"));
        assert!(errs[0].message.contains("rd_intensty"));
    }

    #[test]
    fn the_shipped_plan_assigns_tasks_to_the_units_it_names() {
        let src = include_str!("../../../plans/shaoguan-2017-2020.toml");
        let plan = parse_plan(src, &tree()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            plan.units
                .iter()
                .filter(|u| u.kind == UnitKind::County)
                .count(),
            10
        );
        let tasks: Vec<&Task> = plan.tasks().collect();
        assert!(tasks.len() >= 25, "{}", tasks.len());
        // 孵化器全覆盖 by 2018, led by every county government.
        let cover = tasks.iter().find(|t| t.code == "3.10-1").expect("3.10-1");
        assert_eq!(
            cover.deadline,
            NaiveDate::from_ymd_opt(2018, 12, 31).expect("date")
        );
        assert_eq!(cover.lead.len(), 10);
        // The forum every year.
        let forum = tasks.iter().find(|t| t.measure == "4.5.4").expect("forum");
        assert_eq!(forum.cadence, Cadence::Year);
        assert_eq!(forum.milestones.len(), 4);
        // The units the plan names lead where it names them.
        assert!(tasks.iter().any(|t| t.lead == ["guanshao"]));
        assert!(tasks
            .iter()
            .any(|t| t.measure == "3.19" && t.lead == ["czj"]));
        for t in &tasks {
            assert!(!t.lead.is_empty(), "{}", t.code);
            assert!(
                t.start <= t.deadline && t.deadline <= plan.end_date(),
                "{}",
                t.code
            );
        }
    }

    #[test]
    fn a_task_naming_an_unknown_unit_or_leaving_the_plan_is_refused_on_its_line() {
        let src = format!(
            "{GOOD}\n[[units]]\ncode = \"kjj\"\nname = \"市科技局\"\nkind = \"department\"\n"
        )
        .replace(
            "[[targets]]",
            "[[sections.groups.measures.tasks]]\ntitle = \"任务\"\nlead = [\"kjjj\"]\ndeadline = 2031-12-31\n\n[[targets]]",
        );
        let errs = errors_of(&src);
        assert!(
            errs.iter()
                .any(|e| e.message.contains("kjjj") && e.line == line_of(&src, "kjjj")),
            "{errs:?}"
        );
        assert!(
            errs.iter().any(|e| e.message.contains("计划期")),
            "{errs:?}"
        );
    }

    #[test]
    fn the_current_plan_covers_today_else_is_the_most_recent() {
        let plans = [(1, 2017, 2020), (2, 2021, 2025)];
        assert_eq!(current_plan(&plans, 2019), Some(1));
        assert_eq!(current_plan(&plans, 2023), Some(2));
        assert_eq!(current_plan(&plans, 2026), Some(2));
        assert_eq!(current_plan(&plans, 2010), Some(2));
        assert_eq!(
            current_plan(&[(1, 2017, 2020), (3, 2019, 2023)], 2019),
            Some(3)
        );
        assert_eq!(current_plan(&[], 2019), None);
    }

    const PROGRAMME: &str = r#"
[[programmes]]
code = "hte-certified"
name = "高企认定奖补"
kind = "reward"
measure = "2.1"
from_year = 2017
event = "hte"
once_per = "enterprise"
eligibility = "in_region && certificate.issued_year == year && certificate.first"
amount = "wan(30)"
"#;

    #[test]
    fn programmes_parse_with_their_rules() {
        let plan = parse_plan(&format!("{GOOD}{PROGRAMME}"), &tree()).expect("valid plan");
        let p = &plan.programmes[0];
        assert_eq!(
            p.event,
            Some(crate::programme::EventSource::Certificate(
                crate::registry::CertificateKind::Hte
            ))
        );
        assert_eq!(p.once_per, OncePer::Enterprise);
        assert_eq!(p.notice_days, 7);
    }

    #[test]
    fn a_broken_rule_names_its_line() {
        let src = format!("{GOOD}{PROGRAMME}").replace("certificate.first", "certificate.frist");
        let errs = errors_of(&src);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, line_of(&src, "frist"));
        assert!(errs[0].message.contains("frist"));
        let src = format!("{GOOD}{PROGRAMME}")
            .replace("wan(30)", "'30万'")
            .replace("event = \"hte\"", "event = \"hte_cert\"");
        let errs = errors_of(&src);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].line, line_of(&src, "hte_cert"));
        assert_eq!(errs[1].line, line_of(&src, "'30万'"));
    }

    #[test]
    fn the_shipped_plan_defines_its_programmes() {
        let src = include_str!("../../../plans/shaoguan-2017-2020.toml");
        let plan = parse_plan(src, &tree()).expect("shipped plan");
        let codes: Vec<&str> = plan.programmes.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "hte-certified",
                "hte-pool",
                "hte-product",
                "patent-invention",
                "rd-post-subsidy",
                "key-projects",
                "innovation-voucher",
                "innovation-competition"
            ]
        );
        // The competition's prizes: a reward programme whose form is the entry form.
        let prizes = &plan.programmes[7];
        assert_eq!(prizes.kind, crate::programme::ProgrammeKind::Reward);
        assert!(prizes.form.as_ref().is_some_and(|f| !f.rubric.is_empty()));
        let calls = &plan.programmes[5];
        assert_eq!(
            calls.form.as_ref().map(|f| f.instalments.clone()),
            Some(vec![70, 30])
        );
        let funds = plan
            .indicators
            .iter()
            .find(|i| i.code == "city_project_funds");
        assert!(matches!(
            funds.map(|i| &i.kind),
            Some(IndicatorKind::Ledger(_))
        ));
    }

    #[test]
    fn duplicate_target_code_is_refused() {
        let extra = "\n[[targets]]\ncode = \"2.1\"\nname = \"x\"\nindicator = \"gdp\"\ncomparator = \">=\"\ntarget = 1\n";
        let src = format!("{GOOD}{extra}");
        let errs = errors_of(&src);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("重复"));
        assert_eq!(errs[0].line, src.lines().count() - 4);
    }

    #[test]
    fn deadline_outside_the_period_is_refused() {
        let src = GOOD.replace("deadline = 2020-12-31", "deadline = 2021-06-30");
        let errs = errors_of(&src);
        assert_eq!(errs[0].line, line_of(&src, "deadline = 2021"));
        assert!(errs[0].message.contains("计划期"));
    }

    #[test]
    fn missing_comparator_is_refused() {
        let src = GOOD.replace("comparator = \">=\"\n", "");
        let errs = errors_of(&src);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("comparator"));
        // Reported at the target's table, which starts at its header or first key.
        let header = line_of(&src, "[[targets]]");
        assert!(
            (header..=header + 1).contains(&errs[0].line),
            "line {}",
            errs[0].line
        );
    }

    #[test]
    fn formula_problems_are_refused() {
        let src = GOOD.replace("rd_expenditure / (gdp", "rd_spending / (gdp");
        let errs = errors_of(&src);
        assert!(errs[0].message.contains("rd_spending"));
        let src = GOOD.replace("(gdp * 10000) * 100\"", "(gdp * 10000) * rd_intensity\"");
        assert!(errors_of(&src).iter().any(|e| e.message.contains("循环")));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let src = GOOD.replace("target = 2\n", "target = = 2\n");
        let errs = errors_of(&src);
        assert_eq!(errs[0].line, line_of(&src, "target = = 2"));
        let src = GOOD.replace("region = \"440200\"", "region = \"449999\"");
        assert_eq!(errors_of(&src)[0].line, line_of(&src, "449999"));
    }

    #[test]
    fn shipped_plan_is_valid_and_complete() {
        let src = include_str!("../../../plans/shaoguan-2017-2020.toml");
        let plan = parse_plan(src, &tree()).unwrap_or_else(|e| panic!("{e}"));
        let codes: Vec<&str> = plan.targets.iter().map(|t| t.code.as_str()).collect();
        let expected = [
            "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8a", "2.8b", "2.9a", "2.9b",
            "2.10", "2.11", "2.12", "2.13", "3.2", "3.3", "3.5a", "3.5b", "3.10", "3.18a", "3.18b",
            "3.19", "3.20", "3.21", "4.2.1",
        ];
        assert_eq!(codes, expected);
        let measures: usize = plan
            .sections
            .iter()
            .flat_map(|s| &s.groups)
            .map(|g| g.measures.len())
            .sum();
        assert_eq!(measures, 47, "13 main tasks, 25 measures, 9 safeguards");
        let t = |c: &str| {
            plan.targets
                .iter()
                .find(|t| t.code == c)
                .expect("target present")
        };
        assert_eq!(t("2.3").stretch, Some(130.0));
        assert_eq!(t("2.9a").baseline.map(|b| b.value), Some(24.0));
        assert_eq!(
            t("3.5b").deadline,
            NaiveDate::from_ymd_opt(2018, 12, 31).expect("date")
        );
        assert_eq!(t("2.6").kind, TargetKind::Milestone);
        for code in ["rd_expenditure", "gdp", "invention_patents", "population"] {
            assert!(plan.indicators.iter().any(|i| i.code == code), "{code}");
        }
    }
}
