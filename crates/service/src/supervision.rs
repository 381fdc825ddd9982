//! Task supervision (督查督办): the board of a plan's tasks with their lights, a unit's own
//! tasks, progress reports with evidence, the bureau's review, and 督办 reminders.
//!
//! Who sees what: the bureau every task; a county's S&T office the tasks its county
//! government leads or supports; a unit's staff the tasks of their unit. Only a task's lead
//! units report; only the bureau reviews and reminds. Lights and states are the domain's
//! (`kechuang_domain::supervision`), always computed for the day asked.

use crate::auth::{AsBureau, Principal};
use crate::{Error, Missing, Saved};
use chrono::NaiveDate;
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::period::Period;
use kechuang_domain::problem::FieldProblem;
use kechuang_domain::supervision::{
    parse_percent, period_start, period_state, report_due, report_periods, review, task_light,
    unit_light, Light, PeriodState, ReportProblem, ReportStatus, Review, Task, Unit,
};
use kechuang_store::{
    Absent, PlanSummary, ReminderRecord, ReportFile, ReportRecord, ReportWrite, Store, StoreError,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One period of one lead unit's reporting.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodLine {
    pub period: Period,
    pub due: NaiveDate,
    pub state: PeriodState,
    pub report: Option<ReportRecord>,
}

/// A lead unit's progress on a task.
#[derive(Debug, Clone, Serialize)]
pub struct UnitProgress {
    pub unit: String,
    pub unit_name: String,
    pub light: Light,
    /// The percent done of its latest accepted report.
    pub accepted_percent: Option<u8>,
    /// Its latest submitted or accepted report.
    pub latest: Option<ReportRecord>,
    /// Periods begun by the day asked, oldest first.
    pub periods: Vec<PeriodLine>,
    /// The first period still waiting on the unit (open, returned or overdue).
    pub next: Option<PeriodLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub plan_id: i64,
    pub task: Task,
    pub measure_title: String,
    pub light: Light,
    pub units: Vec<UnitProgress>,
    pub support_names: Vec<String>,
    /// The lead and supporting units as a person reads them: every county government as
    /// 各县（市、区）政府 rather than ten names.
    pub lead_label: String,
    pub support_label: String,
    /// Codes of the plan's targets the task's measure feeds.
    pub targets: Vec<String>,
    pub reminders: Vec<ReminderRecord>,
}

/// Light counts, in the order of [`Light::ALL`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Lights {
    pub done: usize,
    pub on_time: usize,
    pub at_risk: usize,
    pub overdue: usize,
}

impl Lights {
    fn add(&mut self, l: Light) {
        match l {
            Light::Done => self.done += 1,
            Light::OnTime => self.on_time += 1,
            Light::AtRisk => self.at_risk += 1,
            Light::Overdue => self.overdue += 1,
        }
    }
    pub fn total(&self) -> usize {
        self.done + self.on_time + self.at_risk + self.overdue
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitLine {
    pub unit: Unit,
    /// Its own light on each task it leads.
    pub lights: Lights,
    pub reminders: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeasureLine {
    pub code: String,
    pub title: String,
    pub lights: Lights,
    pub targets: Vec<String>,
}

/// The supervision board of a plan on a day, as the caller may see it.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub plan: PlanSummary,
    pub as_of: NaiveDate,
    pub lights: Lights,
    pub by_unit: Vec<UnitLine>,
    pub by_measure: Vec<MeasureLine>,
    pub tasks: Vec<TaskView>,
    /// Reports the bureau has still to review.
    pub to_review: usize,
}

kechuang_domain::problems! {
    pub enum SupervisionProblem {
        NotYours = "task_not_yours" {
            zh: "只有任务的牵头单位可以报送", en: "only a lead unit of the task may report on it",
        },
        NoUnit { unit: String } = "unit_not_found" {
            zh: "未找到责任单位 '{unit}'", en: "no responsible unit '{unit}'",
        },
        FileType { name: String } = "evidence_file_type" {
            zh: "佐证材料 {name} 的格式不支持：请上传 PDF、Word、WPS、Excel、OFD、图片（JPG、PNG）或 ZIP",
            en: "{name}: upload PDF, Word, WPS, Excel, OFD, an image (JPG, PNG) or ZIP",
        },
        FileTooLarge { name: String } = "evidence_file_too_large" {
            zh: "佐证材料 {name} 超过 20 MB", en: "{name} is larger than 20 MB",
        },
        TooManyFiles = "evidence_too_many_files" {
            zh: "每期报告最多 10 个佐证材料", en: "a report holds at most 10 evidence files",
        },
        RespondBy { raw: String } = "reminder_respond_by" {
            zh: "办结时限 '{raw}' 应为今天之后的日期", en: "respond-by '{raw}' must be a date after today",
        },
        ReminderText = "reminder_text_required" {
            zh: "请填写督办事项", en: "write what the reminder asks",
        },
    }
}

/// Units as a person reads them: every county government as 各县（市、区）政府 rather than
/// ten names, the others by name.
pub fn units_label(units: &[Unit], codes: &[String]) -> String {
    use kechuang_domain::supervision::UnitKind;
    let counties: Vec<&str> = units
        .iter()
        .filter(|u| u.kind == UnitKind::County)
        .map(|u| u.code.as_str())
        .collect();
    let all_counties =
        !counties.is_empty() && counties.iter().all(|c| codes.iter().any(|x| x == c));
    let mut names: Vec<String> = Vec::new();
    if all_counties {
        names.push("各县（市、区）政府".to_owned());
    }
    for c in codes {
        if !(all_counties && counties.contains(&c.as_str())) {
            names.push(
                units
                    .iter()
                    .find(|u| u.code == *c)
                    .map(|u| u.name.clone())
                    .unwrap_or_else(|| c.clone()),
            );
        }
    }
    names.join("、")
}

/// The units a caller acts for or oversees: `None` for the bureau (all of them).
async fn own_units(store: &Store, who: &Principal) -> Result<Option<HashSet<String>>, Error> {
    Ok(match (who.role(), who.scope()) {
        (Role::Bureau, _) => None,
        (_, DataScope::Unit(code)) => Some(HashSet::from([code.clone()])),
        (Role::County, DataScope::Region(region)) => {
            let tree = store.region_tree().await?;
            Some(
                store
                    .units()
                    .await?
                    .into_iter()
                    .filter(|u| {
                        u.region
                            .as_ref()
                            .is_some_and(|r| r == region || tree.subtree(region).contains(r))
                    })
                    .map(|u| u.code)
                    .collect(),
            )
        }
        _ => return Err(Error::not_found(Missing::OutOfScope)),
    })
}

/// A task of a plan by its code; not found otherwise.
async fn task_of(store: &Store, plan_id: i64, code: &str) -> Result<Task, Error> {
    store
        .plan_tasks(plan_id)
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .ok_or_else(|| {
            StoreError::NotFound(Absent::Task {
                code: code.to_owned(),
            })
            .into()
        })
}

/// A plan's tasks are the business of the bureau whose region the plan is for: another city's
/// bureau in a province's deployment finds none of them.
async fn bureau_sees(store: &Store, who: &Principal, plan: &PlanSummary) -> Result<(), Error> {
    if who.role() != Role::Bureau {
        return Ok(());
    }
    crate::plans::within_scope(store, who, plan).await
}

/// A unit sees its own progress on a task it leads with others (one county of ten), not the
/// others': the view keeps its own lead units and takes its light from them.
fn narrowed(mut view: TaskView, own: &Option<HashSet<String>>) -> TaskView {
    if let Some(own) = own {
        if view.units.iter().any(|u| own.contains(&u.unit)) {
            view.units.retain(|u| own.contains(&u.unit));
            let lights: Vec<Light> = view.units.iter().map(|u| u.light).collect();
            view.light = task_light(&lights);
        }
    }
    view
}

fn concerns(task: &Task, units: &Option<HashSet<String>>) -> bool {
    units.as_ref().is_none_or(|own| {
        task.lead
            .iter()
            .chain(task.support.iter())
            .any(|u| own.contains(u))
    })
}

struct Gathered {
    plan: PlanSummary,
    tasks: Vec<Task>,
    units: HashMap<String, Unit>,
    unit_order: Vec<Unit>,
    reports: HashMap<(String, String, Period), ReportRecord>,
    reminders: Vec<ReminderRecord>,
    measures: HashMap<String, String>,
    measure_order: Vec<String>,
    targets: HashMap<String, Vec<String>>,
}

async fn gather(store: &Store, who: &Principal, plan_id: i64) -> Result<Gathered, Error> {
    let plan = store.plan(plan_id).await?;
    bureau_sees(store, who, &plan).await?;
    gather_unchecked(store, plan).await
}

async fn gather_unchecked(store: &Store, plan: PlanSummary) -> Result<Gathered, Error> {
    let plan_id = plan.id;
    let tasks = store.plan_tasks(plan_id).await?;
    let unit_order = store.units().await?;
    let units = unit_order
        .iter()
        .map(|u| (u.code.clone(), u.clone()))
        .collect();
    let reports = store
        .task_reports(plan_id)
        .await?
        .into_iter()
        .map(|r| ((r.task_code.clone(), r.unit_code.clone(), r.period), r))
        .collect();
    let mut measures = HashMap::new();
    let mut measure_order = Vec::new();
    for item in store.plan_items(plan_id).await? {
        if item.level == "measure" {
            measure_order.push(item.code.clone());
            // The main tasks (2.x) have no title of their own: their text is short and says it.
            let title = if item.title.is_empty() {
                let text: String = item.body.chars().take(40).collect();
                if item.body.chars().count() > 40 {
                    format!("{text}…")
                } else {
                    text
                }
            } else {
                item.title
            };
            measures.insert(item.code, title);
        }
    }
    let mut targets: HashMap<String, Vec<String>> = HashMap::new();
    for t in store.targets(plan_id).await? {
        if let Some(m) = t.measure {
            targets.entry(m).or_default().push(t.code);
        }
    }
    Ok(Gathered {
        plan,
        tasks,
        units,
        unit_order,
        reports,
        reminders: store.reminders(plan_id).await?,
        measures,
        measure_order,
        targets,
    })
}

impl Gathered {
    fn unit_name(&self, code: &str) -> String {
        self.units
            .get(code)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| code.to_owned())
    }

    fn label(&self, codes: &[String]) -> String {
        units_label(&self.unit_order, codes)
    }

    fn view(&self, task: &Task, today: NaiveDate) -> TaskView {
        let periods: Vec<Period> = report_periods(task)
            .into_iter()
            .filter(|p| period_start(*p) <= today)
            .collect();
        let units: Vec<UnitProgress> = task
            .lead
            .iter()
            .map(|unit| {
                let lines: Vec<PeriodLine> = periods
                    .iter()
                    .map(|p| {
                        let report = self
                            .reports
                            .get(&(task.code.clone(), unit.clone(), *p))
                            .cloned();
                        PeriodLine {
                            period: *p,
                            due: report_due(*p),
                            state: period_state(*p, report.as_ref().map(|r| r.status), today),
                            report,
                        }
                    })
                    .collect();
                let accepted = lines
                    .iter()
                    .rev()
                    .filter_map(|l| l.report.as_ref())
                    .find(|r| r.status == ReportStatus::Accepted);
                let accepted_percent = accepted.map(|r| r.percent);
                let states: Vec<(Period, PeriodState)> =
                    lines.iter().map(|l| (l.period, l.state)).collect();
                let light = unit_light(task, &states, accepted_percent, today);
                let latest = lines
                    .iter()
                    .rev()
                    .filter_map(|l| l.report.clone())
                    .find(|r| matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted));
                // A finished unit owes no more reports.
                let next = (light != Light::Done)
                    .then(|| {
                        lines
                            .iter()
                            .find(|l| {
                                matches!(
                                    l.state,
                                    PeriodState::Open
                                        | PeriodState::Returned
                                        | PeriodState::Overdue
                                )
                            })
                            .cloned()
                    })
                    .flatten();
                UnitProgress {
                    unit: unit.clone(),
                    unit_name: self.unit_name(unit),
                    light,
                    accepted_percent,
                    latest,
                    periods: lines,
                    next,
                }
            })
            .collect();
        let lights: Vec<Light> = units.iter().map(|u| u.light).collect();
        TaskView {
            lead_label: self.label(&task.lead),
            support_label: self.label(&task.support),
            plan_id: self.plan.id,
            measure_title: self
                .measures
                .get(&task.measure)
                .cloned()
                .unwrap_or_default(),
            light: task_light(&lights),
            support_names: task.support.iter().map(|u| self.unit_name(u)).collect(),
            targets: self.targets.get(&task.measure).cloned().unwrap_or_default(),
            reminders: self
                .reminders
                .iter()
                .filter(|r| r.task_code == task.code)
                .cloned()
                .collect(),
            units,
            task: task.clone(),
        }
    }
}

/// The board of a plan on `as_of`: every task the caller may see with its light, counts per
/// unit and per measure.
pub async fn board(
    store: &Store,
    who: &Principal,
    plan_id: i64,
    as_of: NaiveDate,
) -> Result<Board, Error> {
    let own = own_units(store, who).await?;
    let g = gather(store, who, plan_id).await?;
    Ok(board_of(g, &own, as_of))
}

/// Every task of a plan, for the annual report: the operator's (no caller), or a caller's
/// within a bureau's region.
pub async fn board_for_report(
    store: &Store,
    who: Option<&Principal>,
    plan_id: i64,
    as_of: NaiveDate,
) -> Result<Board, Error> {
    let plan = store.plan(plan_id).await?;
    if let Some(who) = who {
        bureau_sees(store, who, &plan).await?;
    }
    let g = gather_unchecked(store, plan).await?;
    Ok(board_of(g, &None, as_of))
}

fn board_of(g: Gathered, own: &Option<HashSet<String>>, as_of: NaiveDate) -> Board {
    let tasks: Vec<TaskView> = g
        .tasks
        .iter()
        .filter(|t| concerns(t, own))
        .map(|t| narrowed(g.view(t, as_of), own))
        .collect();
    let mut lights = Lights::default();
    let mut per_unit: HashMap<&str, Lights> = HashMap::new();
    let mut per_measure: HashMap<&str, Lights> = HashMap::new();
    let mut to_review = 0;
    for t in &tasks {
        lights.add(t.light);
        per_measure
            .entry(t.task.measure.as_str())
            .or_default()
            .add(t.light);
        for u in &t.units {
            per_unit.entry(u.unit.as_str()).or_default().add(u.light);
            to_review += u
                .periods
                .iter()
                .filter(|p| p.state == PeriodState::Submitted)
                .count();
        }
    }
    let by_unit = g
        .unit_order
        .iter()
        .filter_map(|u| {
            per_unit.get(u.code.as_str()).map(|l| UnitLine {
                unit: u.clone(),
                lights: l.clone(),
                reminders: g.reminders.iter().filter(|r| r.unit_code == u.code).count(),
            })
        })
        .collect();
    let by_measure = g
        .measure_order
        .iter()
        .filter_map(|m| {
            per_measure.get(m.as_str()).map(|l| MeasureLine {
                code: m.clone(),
                title: g.measures.get(m).cloned().unwrap_or_default(),
                lights: l.clone(),
                targets: g.targets.get(m).cloned().unwrap_or_default(),
            })
        })
        .collect();
    Board {
        plan: g.plan,
        as_of,
        lights,
        by_unit,
        by_measure,
        tasks,
        to_review,
    }
}

/// One task with its reports and their evidence files, for the caller.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub plan: PlanSummary,
    pub view: TaskView,
    pub files: Vec<ReportFile>,
    /// The lead units the caller reports for on this task.
    pub reports_for: Vec<String>,
}

pub async fn task(
    store: &Store,
    who: &Principal,
    plan_id: i64,
    code: &str,
    as_of: NaiveDate,
) -> Result<TaskDetail, Error> {
    let own = own_units(store, who).await?;
    let g = gather(store, who, plan_id).await?;
    let hidden = || {
        Error::from(StoreError::NotFound(Absent::Task {
            code: code.to_owned(),
        }))
    };
    let task = g.tasks.iter().find(|t| t.code == code).ok_or_else(hidden)?;
    if !concerns(task, &own) {
        return Err(hidden());
    }
    let view = narrowed(g.view(task, as_of), &own);
    let ids: HashSet<i64> = view
        .units
        .iter()
        .flat_map(|u| u.periods.iter())
        .filter_map(|p| p.report.as_ref().map(|r| r.id))
        .collect();
    let files = store
        .report_files(plan_id)
        .await?
        .into_iter()
        .filter(|f| ids.contains(&f.report_id))
        .collect();
    let reports_for = match who.scope() {
        DataScope::Unit(u) if task.lead.contains(u) => vec![u.clone()],
        _ => Vec::new(),
    };
    Ok(TaskDetail {
        plan: g.plan,
        view,
        files,
        reports_for,
    })
}

/// A report as the unit types it.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub progress: String,
    pub percent: String,
    pub problems: String,
}

/// The unit's own task and period, checked: the caller is a unit account leading the task,
/// and the period is one of the task's, already begun.
async fn reporting(
    store: &Store,
    who: &Principal,
    plan_id: i64,
    code: &str,
    period: &str,
    today: NaiveDate,
) -> Result<(Task, String, Period), Error> {
    let DataScope::Unit(unit) = who.scope() else {
        return Err(Error::forbidden(SupervisionProblem::NotYours));
    };
    let task = task_of(store, plan_id, code).await?;
    if !task.lead.contains(unit) {
        if task.support.contains(unit) {
            return Err(Error::forbidden(ReportProblem::NotLead));
        }
        return Err(StoreError::NotFound(Absent::Task {
            code: code.to_owned(),
        })
        .into());
    }
    let p = Period::parse(period).map_err(Error::invalid)?;
    if !report_periods(&task).contains(&p) {
        return Err(Error::invalid(ReportProblem::NotAPeriod {
            period: p.to_string(),
        }));
    }
    if period_start(p) > today {
        return Err(Error::conflict(ReportProblem::NotYet {
            period: p.to_string(),
        }));
    }
    Ok((task, unit.clone(), p))
}

/// A unit saves its report for a period as a draft, or (with `submit`) sends it to the bureau.
/// Every field is checked first; nothing is saved while a problem remains.
pub async fn save_report(
    store: &Store,
    who: &Principal,
    (plan_id, code, period): (i64, &str, &str),
    input: &ReportInput,
    submit: bool,
    today: NaiveDate,
) -> Result<(Saved, Option<i64>), Error> {
    use kechuang_domain::text::fields;
    let (_, unit, p) = reporting(store, who, plan_id, code, period, today).await?;
    crate::within_limits(&[
        (&fields::DESCRIPTION, input.progress.as_str()),
        (&fields::DESCRIPTION, input.problems.as_str()),
    ])?;
    let mut problems = Vec::new();
    let percent = match parse_percent(&input.percent) {
        Ok(n) => n,
        Err(e) => {
            problems.push(FieldProblem::new("percent", e));
            0
        }
    };
    if input.progress.trim().is_empty() {
        problems.push(FieldProblem::new(
            "progress",
            ReportProblem::ProgressRequired,
        ));
    }
    if !problems.is_empty() {
        return Ok((Saved::Refused(problems), None));
    }
    let write = ReportWrite {
        plan_id,
        task_code: code,
        unit_code: &unit,
        period: p,
        progress: input.progress.trim(),
        percent,
        problems: input.problems.trim(),
        status: if submit {
            ReportStatus::Submitted
        } else {
            ReportStatus::Draft
        },
    };
    match store.save_task_report(&write, &who.actor()).await? {
        Some(id) => Ok((Saved::Done, Some(id))),
        None => {
            let status = store
                .task_report(plan_id, code, &unit, p)
                .await?
                .map(|r| r.status)
                .unwrap_or(ReportStatus::Accepted);
            Err(Error::conflict(ReportProblem::NotEditable {
                status: status.name_zh().to_owned(),
            }))
        }
    }
}

const EVIDENCE_TYPES: [&str; 12] = [
    "pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip", "jpg", "jpeg", "png",
];
const EVIDENCE_MAX_BYTES: usize = 20 * 1024 * 1024;
const EVIDENCE_MAX_FILES: usize = 10;

/// Types an evidence file is served as: documents and images; anything else as bytes, so no
/// upload can be shown as a page of this site.
const SERVED_TYPES: [&str; 7] = [
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/png",
    "image/jpeg",
];

/// A lead unit attaches an evidence file to its report of a period, while the report is its
/// to change (a draft, or returned); the report must be saved first.
pub async fn add_evidence(
    store: &Store,
    who: &Principal,
    (plan_id, code, period): (i64, &str, &str),
    (file_name, content_type, bytes): (&str, &str, &[u8]),
    today: NaiveDate,
) -> Result<i64, Error> {
    let (_, unit, p) = reporting(store, who, plan_id, code, period, today).await?;
    let name = file_name.trim();
    kechuang_domain::text::fields::FILE_NAME
        .check(name)
        .map_err(Error::invalid)?;
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !ext.as_deref().is_some_and(|e| EVIDENCE_TYPES.contains(&e)) {
        return Err(Error::invalid(SupervisionProblem::FileType {
            name: name.to_owned(),
        }));
    }
    if bytes.len() > EVIDENCE_MAX_BYTES {
        return Err(Error::invalid(SupervisionProblem::FileTooLarge {
            name: name.to_owned(),
        }));
    }
    let report = store
        .task_report(plan_id, code, &unit, p)
        .await?
        .ok_or_else(|| {
            Error::conflict(ReportProblem::NotEditable {
                status: "尚未保存".to_owned(),
            })
        })?;
    if !report.status.editable() {
        return Err(Error::conflict(ReportProblem::NotEditable {
            status: report.status.name_zh().to_owned(),
        }));
    }
    let existing = store
        .report_files(plan_id)
        .await?
        .iter()
        .filter(|f| f.report_id == report.id)
        .count();
    if existing >= EVIDENCE_MAX_FILES {
        return Err(Error::invalid(SupervisionProblem::TooManyFiles));
    }
    Ok(store
        .put_report_file(report.id, (name, content_type, bytes), &who.actor())
        .await?)
}

/// An evidence file, to the bureau, to the unit whose report it is, or to a county office
/// over that unit: (name, type to serve it as, bytes).
pub async fn evidence(
    store: &Store,
    who: &Principal,
    file: i64,
) -> Result<(String, &'static str, Vec<u8>), Error> {
    let (report, name, ctype, data) = store.report_file(file).await?;
    bureau_sees(store, who, &store.plan(report.plan_id).await?).await?;
    let own = own_units(store, who).await?;
    if own.is_some_and(|u| !u.contains(&report.unit_code)) {
        return Err(StoreError::NotFound(Absent::TaskFile { id: file }).into());
    }
    let served = SERVED_TYPES
        .into_iter()
        .find(|t| *t == ctype)
        .unwrap_or("application/octet-stream");
    Ok((name, served, data))
}

/// The bureau accepts a submitted report, or returns it with the reason.
pub async fn review_report(
    store: &Store,
    who: AsBureau<'_>,
    (plan_id, code, unit, period): (i64, &str, &str, &str),
    how: Review,
    comment: &str,
) -> Result<ReportStatus, Error> {
    crate::within_limits(&[(&kechuang_domain::text::fields::COMMENT, comment)])?;
    bureau_sees(store, &who, &store.plan(plan_id).await?).await?;
    let p = Period::parse(period).map_err(Error::invalid)?;
    let report = store
        .task_report(plan_id, code, unit, p)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(Absent::Task {
                code: format!("{code} {unit} {p}"),
            })
        })?;
    let to = review(report.status, how, comment).map_err(Error::conflict)?;
    if !store
        .review_task_report(report.id, (report.status, to), comment.trim(), &who.actor())
        .await?
    {
        return Err(Error::conflict(ReportProblem::NotSubmitted {
            status: "已被他人处理".to_owned(),
        }));
    }
    Ok(to)
}

/// What the bureau writes on a 督办 notice.
#[derive(Debug, Clone, Default)]
pub struct ReminderInput {
    pub text: String,
    pub respond_by: String,
}

/// The bureau issues a 督办 notice to a lead unit whose report of a period is overdue.
pub async fn remind(
    store: &Store,
    who: AsBureau<'_>,
    (plan_id, code, unit, period): (i64, &str, &str, &str),
    input: &ReminderInput,
    today: NaiveDate,
) -> Result<ReminderRecord, Error> {
    use chrono::Datelike;
    crate::within_limits(&[(&kechuang_domain::text::fields::COMMENT, input.text.as_str())])?;
    if input.text.trim().is_empty() {
        return Err(Error::invalid(SupervisionProblem::ReminderText));
    }
    bureau_sees(store, &who, &store.plan(plan_id).await?).await?;
    let respond_by = crate::clock::parse_day("respond_by", &input.respond_by)?;
    if respond_by <= today {
        return Err(Error::invalid(SupervisionProblem::RespondBy {
            raw: input.respond_by.chars().take(40).collect(),
        }));
    }
    let p = Period::parse(period).map_err(Error::invalid)?;
    let task = task_of(store, plan_id, code).await?;
    if !task.lead.iter().any(|u| u == unit) {
        return Err(StoreError::NotFound(Absent::Task {
            code: code.to_owned(),
        })
        .into());
    }
    if !report_periods(&task).contains(&p) {
        return Err(Error::invalid(ReportProblem::NotAPeriod {
            period: p.to_string(),
        }));
    }
    let report = store.task_report(plan_id, code, unit, p).await?;
    if period_state(p, report.map(|r| r.status), today) != PeriodState::Overdue {
        return Err(Error::conflict(ReportProblem::NotOverdue));
    }
    let draft = ReminderRecord {
        id: 0,
        plan_id,
        task_code: code.to_owned(),
        unit_code: unit.to_owned(),
        period: p,
        year: today.year(),
        seq: 0,
        text: input.text.trim().to_owned(),
        respond_by,
        issued_by: String::new(),
        issued_at: String::new(),
    };
    Ok(store.issue_reminder(&draft, &who.actor()).await?)
}

/// A 督办 notice with its task and unit, for printing: to the bureau, or the unit it is to.
pub async fn reminder(
    store: &Store,
    who: &Principal,
    id: i64,
) -> Result<(ReminderRecord, Task, Unit, PlanSummary), Error> {
    let r = store.reminder(id).await?;
    let plan = store.plan(r.plan_id).await?;
    bureau_sees(store, who, &plan).await?;
    let own = own_units(store, who).await?;
    if own.is_some_and(|u| !u.contains(&r.unit_code)) {
        return Err(StoreError::NotFound(Absent::Reminder { id }).into());
    }
    let task = task_of(store, r.plan_id, &r.task_code).await?;
    let unit = store.unit_named(&r.unit_code).await?.ok_or_else(|| {
        Error::not_found(SupervisionProblem::NoUnit {
            unit: r.unit_code.clone(),
        })
    })?;
    Ok((r, task, unit, plan))
}

/// What waits on the caller in the current plan: for a unit, each task's next period to
/// report (or correct); for the bureau, the reports submitted for review. Ordered by due day.
pub async fn todos(
    store: &Store,
    who: &Principal,
    today: NaiveDate,
) -> Result<Vec<(TaskView, String, PeriodLine)>, Error> {
    let wanted = matches!(who.role(), Role::Unit | Role::Bureau);
    if !wanted {
        return Ok(Vec::new());
    }
    let Some(plan_id) = crate::progress::current_plan_id(store).await? else {
        return Ok(Vec::new());
    };
    let b = board(store, who, plan_id, today).await?;
    let mut out = Vec::new();
    for t in &b.tasks {
        for u in &t.units {
            if who.role() == Role::Unit {
                if matches!(who.scope(), DataScope::Unit(own) if *own == u.unit) {
                    if let Some(next) = &u.next {
                        out.push((t.clone(), u.unit_name.clone(), next.clone()));
                    }
                }
            } else {
                for p in u
                    .periods
                    .iter()
                    .filter(|p| p.state == PeriodState::Submitted)
                {
                    out.push((t.clone(), u.unit_name.clone(), p.clone()));
                }
            }
        }
    }
    out.sort_by_key(|(_, _, p)| p.due);
    Ok(out)
}

/// Resolves a unit by code or name, for creating a unit's account.
pub async fn unit_named(store: &Store, code_or_name: &str) -> Result<Unit, Error> {
    store.unit_named(code_or_name).await?.ok_or_else(|| {
        Error::invalid(SupervisionProblem::NoUnit {
            unit: code_or_name.chars().take(60).collect(),
        })
    })
}
