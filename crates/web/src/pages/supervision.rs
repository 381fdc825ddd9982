//! Task supervision pages: the board of a plan's tasks with their lights, a task with its
//! units' reports (the unit's report form, the bureau's review and 督办), and the printable
//! reminder notice.

use super::{render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::format;
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kechuang_domain::auth::Role;
use kechuang_domain::supervision::{reminder_number, Light, PeriodState, ReportStatus, Review};
use kechuang_service::supervision as service;
use serde::Deserialize;

fn light_text(l: Light, lang: Lang) -> &'static str {
    if lang.is_en() {
        l.name_en()
    } else {
        l.name_zh()
    }
}

fn state_text(s: PeriodState, lang: Lang) -> &'static str {
    if lang.is_en() {
        s.name_en()
    } else {
        s.name_zh()
    }
}

fn state_class(s: PeriodState) -> &'static str {
    match s {
        PeriodState::Accepted => "done",
        PeriodState::Submitted => "on_time",
        PeriodState::Open => "plain",
        PeriodState::Returned => "at_risk",
        PeriodState::Overdue => "overdue",
    }
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    /// Another plan chosen in the selector (the form works without script).
    plan: Option<i64>,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    unit: String,
}

/// The as-of day asked for, or today in China.
fn as_of(raw: &str) -> Result<NaiveDate, AppError> {
    if raw.trim().is_empty() {
        Ok(format::today_in_china())
    } else {
        kechuang_service::clock::parse_day("as_of", raw)
    }
}

struct LightCell {
    count: usize,
    zero: bool,
    class: &'static str,
    label: &'static str,
}

struct UnitRow {
    code: String,
    name: String,
    kind: &'static str,
    cells: Vec<LightCell>,
    reminders: usize,
    overdue: bool,
}

struct MeasureRow {
    code: String,
    title: String,
    cells: Vec<LightCell>,
    targets: Vec<String>,
}

struct TaskRow {
    code: String,
    title: String,
    lead: String,
    support: String,
    deadline: String,
    light: &'static str,
    light_class: &'static str,
    percent: String,
    next: String,
    next_overdue: bool,
}

fn cells(l: &service::Lights, lang: Lang) -> Vec<LightCell> {
    [
        (l.done, Light::Done),
        (l.on_time, Light::OnTime),
        (l.at_risk, Light::AtRisk),
        (l.overdue, Light::Overdue),
    ]
    .into_iter()
    .map(|(count, light)| LightCell {
        count,
        zero: count == 0,
        class: light.as_str(),
        label: light_text(light, lang),
    })
    .collect()
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct BoardPage {
    chrome: Chrome,
    plan_id: i64,
    plan_name: String,
    plans: Vec<(i64, String, bool)>,
    as_of: String,
    unit: String,
    summary: Vec<LightCell>,
    total: usize,
    to_review: usize,
    staff: bool,
    units: Vec<UnitRow>,
    measures: Vec<MeasureRow>,
    tasks: Vec<TaskRow>,
    error: String,
}

/// `/supervision`: the current plan's board.
pub async fn current(State(st): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let id = kechuang_service::progress::default_plan_id(&st.store)
        .await
        .page(v.lang)?;
    Ok(Redirect::to(&format!("/supervision/{id}")).into_response())
}

pub async fn board(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(plan_id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    if let Some(other) = q.plan.filter(|p| *p != plan_id) {
        return Ok(Redirect::to(&format!("/supervision/{other}")).into_response());
    }
    let (day, error) = match as_of(&q.as_of) {
        Ok(d) => (d, None),
        Err(e) => (format::today_in_china(), Some(e)),
    };
    let b = service::board(&st.store, &who, plan_id, day)
        .await
        .page(lang)?;
    let plans = st
        .store
        .plans()
        .await
        .page(lang)?
        .into_iter()
        .map(|p| (p.id, p.name, p.id == plan_id))
        .collect();
    let unit_filter = q.unit.trim();
    let tasks = b
        .tasks
        .iter()
        .filter(|t| {
            unit_filter.is_empty()
                || t.task
                    .lead
                    .iter()
                    .chain(t.task.support.iter())
                    .any(|u| u == unit_filter)
        })
        .map(|t| {
            let next = t
                .units
                .iter()
                .filter_map(|u| u.next.as_ref())
                .min_by_key(|p| p.due);
            TaskRow {
                code: t.task.code.clone(),
                title: t.task.title.clone(),
                lead: t.lead_label.clone(),
                support: t.support_label.clone(),
                deadline: format::date(t.task.deadline, lang),
                light: light_text(t.light, lang),
                light_class: t.light.as_str(),
                percent: {
                    let ps: Vec<u8> = t.units.iter().filter_map(|u| u.accepted_percent).collect();
                    if ps.is_empty() {
                        "—".into()
                    } else {
                        format!(
                            "{}%",
                            ps.iter().map(|p| u32::from(*p)).sum::<u32>() / ps.len() as u32
                        )
                    }
                },
                next: next
                    .map(|p| format!("{} · {}", p.period, format::date(p.due, lang)))
                    .unwrap_or_default(),
                next_overdue: next.is_some_and(|p| p.state == PeriodState::Overdue),
            }
        })
        .collect();
    let (error, status) = shown(error, lang);
    let page = BoardPage {
        chrome: Chrome::new(&v, "supervision", tr.sv_title.into(), &uri, Some(plan_id)),
        plan_id,
        plan_name: b.plan.name.clone(),
        plans,
        as_of: day.format("%Y-%m-%d").to_string(),
        unit: unit_filter.to_owned(),
        summary: cells(&b.lights, lang),
        total: b.lights.total(),
        to_review: b.to_review,
        staff: who.role() != Role::Unit,
        units: b
            .by_unit
            .iter()
            .map(|u| UnitRow {
                code: u.unit.code.clone(),
                name: u.unit.name.clone(),
                kind: u.unit.kind.name_zh(),
                cells: cells(&u.lights, lang),
                reminders: u.reminders,
                overdue: u.lights.overdue > 0,
            })
            .collect(),
        measures: b
            .by_measure
            .iter()
            .map(|m| MeasureRow {
                code: m.code.clone(),
                title: m.title.clone(),
                cells: cells(&m.lights, lang),
                targets: m.targets.clone(),
            })
            .collect(),
        tasks,
        error,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

struct PeriodRow {
    period: String,
    due: String,
    state: &'static str,
    state_class: &'static str,
    percent: String,
    progress: String,
    problems: String,
    comment: String,
    files: Vec<(i64, String)>,
    reviewable: bool,
    overdue: bool,
}

struct UnitSection {
    code: String,
    name: String,
    light: &'static str,
    light_class: &'static str,
    percent: String,
    periods: Vec<PeriodRow>,
}

struct ReminderRow {
    id: i64,
    number: String,
    unit: String,
    period: String,
    issued: String,
    respond_by: String,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    chrome: Chrome,
    csrf: String,
    plan_id: i64,
    plan_name: String,
    code: String,
    title: String,
    measure: String,
    measure_title: String,
    lead: String,
    support: String,
    deadline: String,
    cadence: &'static str,
    light: &'static str,
    light_class: &'static str,
    targets: Vec<String>,
    milestones: Vec<(String, String)>,
    units: Vec<UnitSection>,
    reminders: Vec<ReminderRow>,
    bureau: bool,
    /// The unit's form: periods it may write, and the one chosen with its text.
    form: Option<ReportForm>,
    remind_default: String,
    remind_by: String,
    error: String,
    done: String,
}

struct ReportForm {
    periods: Vec<(String, bool)>,
    progress: String,
    percent: String,
    problems: String,
    returned_because: String,
}

#[derive(Deserialize, Default)]
pub struct TaskQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    as_of: String,
}

struct Typed<'a> {
    period: &'a str,
    input: Option<&'a service::ReportInput>,
}

#[allow(clippy::too_many_arguments)]
async fn task_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    (plan_id, code): (i64, &str),
    typed: Typed<'_>,
    error: Option<AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let today = format::today_in_china();
    let d = service::task(&st.store, who, plan_id, code, today)
        .await
        .page(lang)?;
    let t = &d.view;
    let files_of = |id: i64| -> Vec<(i64, String)> {
        d.files
            .iter()
            .filter(|f| f.report_id == id)
            .map(|f| (f.id, f.file_name.clone()))
            .collect()
    };
    let bureau = who.role() == Role::Bureau;
    let units: Vec<UnitSection> = t
        .units
        .iter()
        .map(|u| UnitSection {
            code: u.unit.clone(),
            name: u.unit_name.clone(),
            light: light_text(u.light, lang),
            light_class: u.light.as_str(),
            percent: u
                .accepted_percent
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "—".into()),
            periods: u
                .periods
                .iter()
                .rev()
                .map(|p| {
                    let r = p.report.as_ref();
                    PeriodRow {
                        period: p.period.to_string(),
                        due: format::date(p.due, lang),
                        state: state_text(p.state, lang),
                        state_class: state_class(p.state),
                        percent: r
                            .filter(|r| r.status != ReportStatus::Draft)
                            .map(|r| format!("{}%", r.percent))
                            .unwrap_or_default(),
                        progress: r
                            .filter(|r| r.status != ReportStatus::Draft || !bureau)
                            .map(|r| r.progress.clone())
                            .unwrap_or_default(),
                        problems: r
                            .filter(|r| r.status != ReportStatus::Draft || !bureau)
                            .map(|r| r.problems.clone())
                            .unwrap_or_default(),
                        comment: r.map(|r| r.comment.clone()).unwrap_or_default(),
                        files: r.map(|r| files_of(r.id)).unwrap_or_default(),
                        reviewable: bureau && p.state == PeriodState::Submitted,
                        overdue: bureau && p.state == PeriodState::Overdue,
                    }
                })
                .collect(),
        })
        .collect();
    let form = d.reports_for.first().and_then(|unit| {
        let u = t.units.iter().find(|u| &u.unit == unit)?;
        let writable: Vec<&service::PeriodLine> = u
            .periods
            .iter()
            .filter(|p| p.report.as_ref().is_none_or(|r| r.status.editable()))
            .collect();
        if writable.is_empty() {
            return None;
        }
        let chosen = writable
            .iter()
            .find(|p| p.period.to_string() == typed.period)
            .or_else(|| {
                u.next
                    .as_ref()
                    .and_then(|n| writable.iter().find(|p| p.period == n.period))
            })
            .or(writable.first())
            .copied()?;
        let saved = chosen.report.as_ref();
        Some(ReportForm {
            periods: writable
                .iter()
                .map(|p| (p.period.to_string(), p.period == chosen.period))
                .collect(),
            progress: typed
                .input
                .map(|i| i.progress.clone())
                .or_else(|| saved.map(|r| r.progress.clone()))
                .unwrap_or_default(),
            percent: typed
                .input
                .map(|i| i.percent.clone())
                .or_else(|| saved.map(|r| r.percent.to_string()))
                .unwrap_or_default(),
            problems: typed
                .input
                .map(|i| i.problems.clone())
                .or_else(|| saved.map(|r| r.problems.clone()))
                .unwrap_or_default(),
            returned_because: saved
                .filter(|r| r.status == ReportStatus::Returned)
                .map(|r| r.comment.clone())
                .unwrap_or_default(),
        })
    });
    let unit_name = |code: &str| {
        t.units
            .iter()
            .find(|u| u.unit == code)
            .map(|u| u.unit_name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let (error, status) = shown(error, lang);
    let page = TaskPage {
        chrome: Chrome::new(
            v,
            "supervision",
            format!("{} {}", t.task.code, t.task.title),
            uri,
            Some(plan_id),
        ),
        csrf: who.csrf().to_owned(),
        plan_id,
        plan_name: d.plan.name.clone(),
        code: t.task.code.clone(),
        title: t.task.title.clone(),
        measure: t.task.measure.clone(),
        measure_title: t.measure_title.clone(),
        lead: t.lead_label.clone(),
        support: t.support_label.clone(),
        deadline: format::date(t.task.deadline, lang),
        cadence: if lang.is_en() {
            t.task.cadence.as_str()
        } else {
            t.task.cadence.name_zh()
        },
        light: light_text(t.light, lang),
        light_class: t.light.as_str(),
        targets: t.targets.clone(),
        milestones: t
            .task
            .milestones
            .iter()
            .map(|m| (format::date(m.date, lang), m.text.clone()))
            .collect(),
        units,
        reminders: t
            .reminders
            .iter()
            .map(|r| ReminderRow {
                id: r.id,
                number: reminder_number(r.year, r.seq),
                unit: unit_name(&r.unit_code),
                period: r.period.to_string(),
                issued: format::day_text(&r.issued_at, lang),
                respond_by: format::date(r.respond_by, lang),
            })
            .collect(),
        bureau,
        form,
        remind_default: tr.sv_remind_default.to_owned(),
        remind_by: (today + chrono::Duration::days(7))
            .format("%Y-%m-%d")
            .to_string(),
        error,
        done: match done {
            "saved" => tr.sv_saved.to_owned(),
            "submitted" => tr.sv_submitted.to_owned(),
            "reviewed" => tr.sv_reviewed.to_owned(),
            _ => String::new(),
        },
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn task(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((plan_id, code)): Path<(i64, String)>,
    Query(q): Query<TaskQuery>,
) -> Result<Response, PageError> {
    let _ = &q.as_of;
    let typed = Typed {
        period: &q.period,
        input: None,
    };
    task_page(&st, &v, &who, &uri, (plan_id, &code), typed, None, &q.done).await
}

/// A unit saves or sends its report of a period, with any evidence files, in one form.
pub async fn report(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((plan_id, code)): Path<(i64, String)>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bad = super::frame::unreadable_form(lang);
    let mut input = service::ReportInput::default();
    let (mut period, mut action) = (String::new(), String::new());
    let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let ctype = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            if !file_name.is_empty() {
                files.push((file_name, ctype, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "period" => period = text,
            "progress" => input.progress = text,
            "percent" => input.percent = text,
            "problems" => input.problems = text,
            "action" => action = text,
            _ => {}
        }
    }
    let today = format::today_in_china();
    let submit = action == "submit";
    let again = |e: AppError| {
        let input = input.clone();
        let period = period.clone();
        let (st, v, who, uri, code) = (&st, &v, &who, &uri, code.clone());
        async move {
            let typed = Typed {
                period: &period,
                input: Some(&input),
            };
            task_page(st, v, who, uri, (plan_id, &code), typed, Some(e), "").await
        }
    };
    // Files first checked and kept with a draft, so a refused file never leaves a report
    // sent without the evidence its unit meant to attach.
    match service::save_report(
        &st.store,
        &who,
        (plan_id, &code, &period),
        &input,
        false,
        today,
    )
    .await
    {
        Ok((kechuang_service::Saved::Done, _)) => {}
        Ok((kechuang_service::Saved::Refused(mut problems), _)) => {
            if problems.is_empty() {
                return Err(PageError(
                    AppError::internal("refused without a problem"),
                    lang,
                ));
            }
            return again(AppError::Invalid(problems.swap_remove(0).problem)).await;
        }
        Err(e @ AppError::NotFound(_)) => return Err(PageError(e, lang)),
        Err(e) => return again(e).await,
    }
    for (name, ctype, bytes) in &files {
        if let Err(e) = service::add_evidence(
            &st.store,
            &who,
            (plan_id, &code, &period),
            (name, ctype, bytes),
            today,
        )
        .await
        {
            return again(e).await;
        }
    }
    if submit {
        if let Err(e) = service::save_report(
            &st.store,
            &who,
            (plan_id, &code, &period),
            &input,
            true,
            today,
        )
        .await
        {
            return again(e).await;
        }
    }
    let done = if submit { "submitted" } else { "saved" };
    Ok(Redirect::to(&format!(
        "/supervision/{plan_id}/tasks/{code}?period={period}&done={done}#report"
    ))
    .into_response())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    unit: String,
    period: String,
    decision: String,
    #[serde(default)]
    comment: String,
}

/// The bureau accepts or returns a unit's submitted report.
pub async fn review(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((plan_id, code)): Path<(i64, String)>,
    axum::extract::Form(f): axum::extract::Form<ReviewForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let how = if f.decision == "accept" {
        Review::Accept
    } else {
        Review::Return
    };
    let typed = Typed {
        period: "",
        input: None,
    };
    match service::review_report(
        &st.store,
        bureau,
        (plan_id, &code, &f.unit, &f.period),
        how,
        &f.comment,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/supervision/{plan_id}/tasks/{code}?done=reviewed"
        ))
        .into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => task_page(&st, &v, &who, &uri, (plan_id, &code), typed, Some(e), "").await,
    }
}

#[derive(Deserialize)]
pub struct RemindForm {
    unit: String,
    period: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    respond_by: String,
}

/// The bureau issues a 督办 notice for an overdue report, then shows it for printing.
pub async fn remind(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((plan_id, code)): Path<(i64, String)>,
    axum::extract::Form(f): axum::extract::Form<RemindForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let input = service::ReminderInput {
        text: f.text.clone(),
        respond_by: f.respond_by.clone(),
    };
    let typed = Typed {
        period: "",
        input: None,
    };
    match service::remind(
        &st.store,
        bureau,
        (plan_id, &code, &f.unit, &f.period),
        &input,
        format::today_in_china(),
    )
    .await
    {
        Ok(r) => Ok(Redirect::to(&format!("/supervision/reminders/{}", r.id)).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => task_page(&st, &v, &who, &uri, (plan_id, &code), typed, Some(e), "").await,
    }
}

#[derive(Template)]
#[template(path = "reminder.html")]
struct ReminderPage {
    chrome: Chrome,
    number: String,
    unit: String,
    task_code: String,
    task_title: String,
    plan_id: i64,
    plan_name: String,
    period: String,
    due: String,
    text: String,
    respond_by: String,
    issued: String,
}

/// A 督办 notice as printed: to the bureau, or the unit it is addressed to.
pub async fn reminder(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let (r, task, unit, plan) = service::reminder(&st.store, &who, id).await.page(lang)?;
    let issued = chrono::DateTime::parse_from_rfc3339(&r.issued_at)
        .map(|t| {
            t.with_timezone(&kechuang_service::clock::china())
                .date_naive()
        })
        .unwrap_or_else(|_| format::today_in_china());
    let page = ReminderPage {
        chrome: Chrome::new(
            &v,
            "supervision",
            tr.sv_notice_title.into(),
            &uri,
            Some(plan.id),
        ),
        number: reminder_number(r.year, r.seq),
        unit: unit.name,
        task_code: task.code.clone(),
        task_title: task.title.clone(),
        plan_id: plan.id,
        plan_name: plan.name,
        period: r.period.to_string(),
        due: format::date(kechuang_domain::supervision::report_due(r.period), lang),
        text: r.text,
        respond_by: format::date(r.respond_by, lang),
        issued: format::date(issued, lang),
    };
    render(&page, lang)
}

/// An evidence file, as a download.
pub async fn evidence(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (name, ctype, data) = service::evidence(&st.store, &who, id).await.page(v.lang)?;
    Ok(format::file_download(&name, ctype, data))
}
