//! Task supervision (督查督办): the plan's measures split into tasks for responsible units,
//! their periodic progress reports, and the traffic light each task shows the bureau.
//!
//! Pure rules: which periods a task reports for and when each report is due, how a report moves
//! between unit and bureau, and what a task's light is on a given day. The store keeps the
//! reports; the service asks these rules.

use crate::period::Period;
use crate::region::RegionCode;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A responsible unit (责任单位): a department of the city government, a county government or
/// one of the bureau's own sections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: UnitKind,
    /// The county a county government answers for.
    pub region: Option<RegionCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 市直部门
    Department,
    /// 县（市、区）政府
    County,
    /// 局内科室
    Section,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [Self::Department, Self::County, Self::Section, Self::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::County => "county",
            Self::Section => "section",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Department => "市直部门",
            Self::County => "县（市、区）政府",
            Self::Section => "局内科室",
            Self::Other => "其他单位",
        }
    }
}

/// How often a task's units report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Month,
    Quarter,
    Year,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Month, Self::Quarter, Self::Year]
            .into_iter()
            .find(|c| c.as_str() == s.trim())
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Month => "每月",
            Self::Quarter => "每季度",
            Self::Year => "每年",
        }
    }
}

/// A dated step of a task (e.g. "2018 年底前实现孵化器县域全覆盖").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskMilestone {
    pub date: NaiveDate,
    pub text: String,
}

/// One task of a measure: what is to be done, by whom, by when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub code: String,
    pub measure: String,
    pub title: String,
    /// The units that lead; each reports on its own (a task for 各县（市、区） has ten).
    pub lead: Vec<String>,
    /// Units that support the leads; they see the task but do not report.
    pub support: Vec<String>,
    /// From when the task runs: its first report is for the period holding this day.
    pub start: NaiveDate,
    pub deadline: NaiveDate,
    pub cadence: Cadence,
    pub milestones: Vec<TaskMilestone>,
}

/// Days after a period's end by which its report is due (the bureau's usual "次月10日前").
pub const REPORT_GRACE_DAYS: i64 = 10;

/// Days before a deadline from which an unfinished task is at risk.
pub const AT_RISK_DAYS: i64 = 30;

/// Points of percent done a task may lag the time elapsed before it is at risk.
pub const AT_RISK_LAG: f64 = 25.0;

fn period_of(cadence: Cadence, d: NaiveDate) -> Period {
    match cadence {
        Cadence::Month => Period::Month(d.year(), d.month()),
        Cadence::Quarter => Period::Quarter(d.year(), (d.month() - 1) / 3 + 1),
        Cadence::Year => Period::Year(d.year()),
    }
}

/// The first day of a period.
pub fn period_start(p: Period) -> NaiveDate {
    let ymd = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN);
    match p {
        Period::Year(y) => ymd(y, 1),
        Period::Quarter(y, q) => ymd(y, (q - 1) * 3 + 1),
        Period::Month(y, m) => ymd(y, m),
        Period::Day(d) => d,
    }
}

/// The periods a task reports for: from the one holding its start to the one holding its
/// deadline, each once, in order.
pub fn report_periods(task: &Task) -> Vec<Period> {
    let last = period_of(task.cadence, task.deadline);
    let mut out = Vec::new();
    let mut p = period_of(task.cadence, task.start);
    while p <= last && out.len() < 1200 {
        out.push(p);
        match p.end_date().succ_opt() {
            Some(next) => p = period_of(task.cadence, next),
            None => break,
        }
    }
    out
}

/// The day by which a period's report is due.
pub fn report_due(p: Period) -> NaiveDate {
    p.end_date() + chrono::Duration::days(REPORT_GRACE_DAYS)
}

/// Where a unit's report for a period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    Accepted,
    Returned,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Returned => "returned",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Submitted, Self::Accepted, Self::Returned]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已报送",
            Self::Accepted => "已采纳",
            Self::Returned => "已退回",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::Accepted => "Accepted",
            Self::Returned => "Returned",
        }
    }
    /// Whether the unit may still change the report.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

/// What the bureau does with a submitted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Accept,
    Return,
}

crate::problems! {
    pub enum ReportProblem {
        Percent { raw: String } = "task_percent_invalid" {
            zh: "完成进度应为 0 到 100 的整数，而不是 '{raw}'",
            en: "percent done is a whole number from 0 to 100, not '{raw}'",
        },
        ProgressRequired = "task_progress_required" {
            zh: "请填写工作进展", en: "describe the progress made",
        },
        NotEditable { status: String } = "task_report_locked" {
            zh: "报告{status}，不能再修改", en: "the report is {status} and can no longer be changed",
        },
        NotSubmitted { status: String } = "task_report_not_submitted" {
            zh: "报告{status}，只有已报送的报告可以采纳或退回",
            en: "the report is {status}: only a submitted report can be accepted or returned",
        },
        CommentRequired = "task_return_comment_required" {
            zh: "退回须写明原因", en: "say why the report is returned",
        },
        NotAPeriod { period: String } = "task_period_unknown" {
            zh: "期间 {period} 不是本任务的报告期", en: "{period} is not one of this task's reporting periods",
        },
        NotYet { period: String } = "task_period_not_begun" {
            zh: "{period} 尚未开始，不能报送", en: "{period} has not begun yet",
        },
        NotLead = "task_not_lead_unit" {
            zh: "只有本任务的牵头单位报送进展", en: "only a lead unit of the task reports its progress",
        },
        NotOverdue = "task_not_overdue" {
            zh: "该期报告未逾期，无需督办", en: "this report is not overdue",
        },
    }
}

/// Parses a percent as typed: a whole number 0–100, with or without a % sign.
pub fn parse_percent(raw: &str) -> Result<u8, ReportProblem> {
    let s = raw.trim().trim_end_matches(['%', '％']).trim();
    match s.parse::<u8>() {
        Ok(n) if n <= 100 => Ok(n),
        _ => Err(ReportProblem::Percent {
            raw: raw.chars().take(40).collect(),
        }),
    }
}

/// The status a review moves a report to.
pub fn review(
    from: ReportStatus,
    how: Review,
    comment: &str,
) -> Result<ReportStatus, ReportProblem> {
    if from != ReportStatus::Submitted {
        return Err(ReportProblem::NotSubmitted {
            status: from.name_zh().to_owned(),
        });
    }
    match how {
        Review::Accept => Ok(ReportStatus::Accepted),
        Review::Return if comment.trim().is_empty() => Err(ReportProblem::CommentRequired),
        Review::Return => Ok(ReportStatus::Returned),
    }
}

/// A unit's period as the board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodState {
    /// Not yet due, nothing submitted.
    Open,
    Submitted,
    Accepted,
    /// Past its due day with nothing the bureau could act on (none, a draft, or returned).
    Overdue,
    /// Returned, and still before its due day.
    Returned,
}

impl PeriodState {
    /// Stable, for the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Overdue => "overdue",
            Self::Returned => "returned",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Open => "待报送",
            Self::Submitted => "待审核",
            Self::Accepted => "已采纳",
            Self::Overdue => "逾期未报",
            Self::Returned => "已退回",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Open => "Due",
            Self::Submitted => "To review",
            Self::Accepted => "Accepted",
            Self::Overdue => "Overdue",
            Self::Returned => "Returned",
        }
    }
}

/// The state of one period's report on `today`.
pub fn period_state(p: Period, report: Option<ReportStatus>, today: NaiveDate) -> PeriodState {
    match report {
        Some(ReportStatus::Accepted) => PeriodState::Accepted,
        Some(ReportStatus::Submitted) => PeriodState::Submitted,
        _ if today > report_due(p) => PeriodState::Overdue,
        Some(ReportStatus::Returned) => PeriodState::Returned,
        _ => PeriodState::Open,
    }
}

/// A 督办 notice's number as the bureau writes it: 韶科督〔2026〕3号.
pub fn reminder_number(year: i32, seq: i64) -> String {
    format!("韶科督〔{year}〕{seq}号")
}

/// The board's traffic light, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Done,
    OnTime,
    AtRisk,
    Overdue,
}

impl Light {
    pub const ALL: [Light; 4] = [Self::Done, Self::OnTime, Self::AtRisk, Self::Overdue];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::OnTime => "on_time",
            Self::AtRisk => "at_risk",
            Self::Overdue => "overdue",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Done => "已完成",
            Self::OnTime => "按期推进",
            Self::AtRisk => "进度滞后",
            Self::Overdue => "逾期",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Done => "Done",
            Self::OnTime => "On time",
            Self::AtRisk => "At risk",
            Self::Overdue => "Overdue",
        }
    }
}

/// The share of a task's time gone by `today`, 0–100.
pub fn elapsed_percent(task: &Task, today: NaiveDate) -> f64 {
    let total = (task.deadline - task.start).num_days().max(1) as f64;
    let gone = (today - task.start).num_days() as f64;
    (gone / total * 100.0).clamp(0.0, 100.0)
}

/// One lead unit's light on a task: done when its latest accepted report says 100%; overdue
/// when a report is overdue or the deadline has passed; at risk when its accepted progress lags
/// the time elapsed by more than [`AT_RISK_LAG`] points, a report was returned, or the deadline
/// is under [`AT_RISK_DAYS`] away; on time otherwise.
pub fn unit_light(
    task: &Task,
    periods: &[(Period, PeriodState)],
    accepted_percent: Option<u8>,
    today: NaiveDate,
) -> Light {
    if accepted_percent == Some(100) {
        return Light::Done;
    }
    if today > task.deadline || periods.iter().any(|(_, s)| *s == PeriodState::Overdue) {
        return Light::Overdue;
    }
    let lag = elapsed_percent(task, today) - f64::from(accepted_percent.unwrap_or(0));
    let close = (task.deadline - today).num_days() < AT_RISK_DAYS;
    if lag > AT_RISK_LAG || close || periods.iter().any(|(_, s)| *s == PeriodState::Returned) {
        return Light::AtRisk;
    }
    Light::OnTime
}

/// A task's light: its worst unit's (a task of ten counties is done when all ten are).
pub fn task_light(units: &[Light]) -> Light {
    units.iter().copied().max().unwrap_or(Light::OnTime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn task(start: NaiveDate, deadline: NaiveDate) -> Task {
        Task {
            code: "3.10-1".into(),
            measure: "3.10".into(),
            title: "孵化器全覆盖".into(),
            lead: vec!["county-wj".into()],
            support: vec![],
            start,
            deadline,
            cadence: Cadence::Quarter,
            milestones: vec![],
        }
    }

    fn states(
        t: &Task,
        accepted_until: Option<Period>,
        today: NaiveDate,
    ) -> Vec<(Period, PeriodState)> {
        report_periods(t)
            .into_iter()
            .map(|p| {
                let r = accepted_until
                    .filter(|u| p <= *u)
                    .map(|_| ReportStatus::Accepted);
                (p, period_state(p, r, today))
            })
            .collect()
    }

    #[test]
    fn a_two_year_task_reports_eight_quarters_each_due_ten_days_after() {
        let t = task(d(2017, 1, 1), d(2018, 12, 31));
        let ps = report_periods(&t);
        assert_eq!(ps.len(), 8);
        assert_eq!(ps[0], Period::Quarter(2017, 1));
        assert_eq!(ps[7], Period::Quarter(2018, 4));
        assert_eq!(report_due(ps[0]), d(2017, 4, 10));
        let yearly = Task {
            cadence: Cadence::Year,
            ..t.clone()
        };
        assert_eq!(
            report_periods(&yearly),
            vec![Period::Year(2017), Period::Year(2018)]
        );
        // A task starting mid-quarter reports for that quarter.
        let mid = task(d(2019, 5, 20), d(2019, 12, 31));
        assert_eq!(
            report_periods(&mid),
            vec![
                Period::Quarter(2019, 2),
                Period::Quarter(2019, 3),
                Period::Quarter(2019, 4)
            ]
        );
    }

    #[test]
    fn an_unreported_period_turns_overdue_the_day_after_it_is_due() {
        let q = Period::Quarter(2019, 1);
        assert_eq!(period_state(q, None, d(2019, 4, 10)), PeriodState::Open);
        assert_eq!(period_state(q, None, d(2019, 4, 11)), PeriodState::Overdue);
        assert_eq!(
            period_state(q, Some(ReportStatus::Draft), d(2019, 4, 11)),
            PeriodState::Overdue
        );
        assert_eq!(
            period_state(q, Some(ReportStatus::Returned), d(2019, 4, 5)),
            PeriodState::Returned
        );
        assert_eq!(
            period_state(q, Some(ReportStatus::Submitted), d(2019, 9, 1)),
            PeriodState::Submitted
        );
    }

    #[test]
    fn lights_follow_reports_and_time() {
        let t = task(d(2017, 1, 1), d(2018, 12, 31));
        let today = d(2017, 11, 1);
        let all_in = states(&t, Some(Period::Quarter(2017, 3)), today);
        assert_eq!(unit_light(&t, &all_in, Some(50), today), Light::OnTime);
        // 41% of the time gone, 10% done: behind by more than 25 points.
        assert_eq!(unit_light(&t, &all_in, Some(10), today), Light::AtRisk);
        assert_eq!(unit_light(&t, &all_in, Some(100), today), Light::Done);
        let missing = states(&t, Some(Period::Quarter(2017, 2)), today);
        assert_eq!(unit_light(&t, &missing, Some(50), today), Light::Overdue);
        assert_eq!(
            task_light(&[Light::Done, Light::AtRisk, Light::OnTime]),
            Light::AtRisk
        );
        assert_eq!(task_light(&[Light::Done, Light::Done]), Light::Done);
    }

    #[test]
    fn a_percent_is_read_as_typed() {
        assert_eq!(parse_percent("80"), Ok(80));
        assert_eq!(parse_percent(" 100% "), Ok(100));
        assert_eq!(parse_percent("60％"), Ok(60));
        assert!(parse_percent("101").is_err());
        assert!(parse_percent("-1").is_err());
        assert!(parse_percent("八十").is_err());
    }

    #[test]
    fn only_a_submitted_report_is_reviewed_and_a_return_says_why() {
        assert_eq!(
            review(ReportStatus::Submitted, Review::Accept, ""),
            Ok(ReportStatus::Accepted)
        );
        assert_eq!(
            review(ReportStatus::Submitted, Review::Return, " "),
            Err(ReportProblem::CommentRequired)
        );
        assert!(review(ReportStatus::Draft, Review::Accept, "").is_err());
        assert!(review(ReportStatus::Accepted, Review::Return, "again").is_err());
    }

    proptest! {
        /// With no new report, time passing never makes a task's light better.
        #[test]
        fn waiting_never_improves_a_light(
            span in 30i64..2000,
            until in 0usize..30,
            pct in 0u8..=100,
            a in 0i64..2500,
            b in 0i64..2500,
        ) {
            let start = d(2017, 1, 1);
            let t = task(start, start + chrono::Duration::days(span));
            let until = report_periods(&t).get(until).copied();
            let (early, late) = (start + chrono::Duration::days(a.min(b)), start + chrono::Duration::days(a.max(b)));
            let l1 = unit_light(&t, &states(&t, until, early), Some(pct), early);
            let l2 = unit_light(&t, &states(&t, until, late), Some(pct), late);
            prop_assert!(l1 <= l2, "{l1:?} on {early} then {l2:?} on {late}");
        }

        /// Every day from a task's start to its deadline lies in exactly one reporting period.
        #[test]
        fn periods_cover_the_task_once(span in 0i64..1500, offset in 0i64..365, c in 0usize..3) {
            let start = d(2017, 1, 1) + chrono::Duration::days(offset);
            let mut t = task(start, start + chrono::Duration::days(span));
            t.cadence = [Cadence::Month, Cadence::Quarter, Cadence::Year][c];
            let ps = report_periods(&t);
            for day in [t.start, t.deadline, start + chrono::Duration::days(span / 2)] {
                let n = ps.iter().filter(|p| period_start(**p) <= day && day <= p.end_date()).count();
                prop_assert_eq!(n, 1);
            }
            prop_assert!(ps.windows(2).all(|w| w[0].end_date().succ_opt() == Some(period_start(w[1]))));
        }
    }
}
