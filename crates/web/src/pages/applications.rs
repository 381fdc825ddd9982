//! One application from draft to acceptance: what each role sees and may do on it, the
//! answers and attachments, expert scoring and the history of its steps.

use super::{county_name, render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::format::{self, today_in_china};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use kechuang_domain::application::{actions_for, stage_due, AppAction, AppStatus, FieldKind};
use kechuang_domain::auth::Role;
use kechuang_domain::money::Fen;
use kechuang_domain::problem::FieldProblem;
use kechuang_service::applications as svc;
use kechuang_store::ApplicationRecord;
use serde::Deserialize;
use std::collections::HashMap;

pub(super) fn status_class(s: AppStatus) -> &'static str {
    match s {
        AppStatus::Draft | AppStatus::Returned => "no_data",
        AppStatus::Rejected => "behind",
        AppStatus::Funded | AppStatus::Reporting | AppStatus::Accepted => "achieved",
        _ => "on_track",
    }
}

pub(super) use kechuang_service::clock::parse_day;

/// Whether the current stage is past its due date, as a label.
pub(super) fn overdue(a: &ApplicationRecord, today: NaiveDate, lang: crate::i18n::Lang) -> String {
    NaiveDate::parse_from_str(&a.closes_on, "%Y-%m-%d")
        .ok()
        .and_then(|c| stage_due(a.status, c))
        .filter(|due| today > *due)
        .map(|due| format!("{} ({due})", lang.tr().overdue))
        .unwrap_or_default()
}

// ---- one application --------------------------------------------------------------------

struct FieldView {
    key: String,
    label: String,
    value: String,
    shown: String,
    long: bool,
    date: bool,
    required: bool,
}

struct SlotView {
    key: String,
    label: String,
    accept: String,
    hint: String,
    file: String,
    required: bool,
}

struct StepView {
    code: &'static str,
    label: &'static str,
    class: &'static str,
}

struct ScoreView {
    expert: String,
    total: String,
    comment: String,
}

struct HistoryRow {
    at: String,
    actor: String,
    change: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    chrome: Chrome,
    csrf: String,
    id: i64,
    title: String,
    enterprise: String,
    uscc: String,
    county: String,
    call_title: String,
    status: &'static str,
    status_class: &'static str,
    overdue: String,
    score: String,
    editable: bool,
    /// The applicant's own draft, which it may delete.
    can_delete: bool,
    fields: Vec<FieldView>,
    slots: Vec<SlotView>,
    report_file: String,
    can_report: bool,
    steps: Vec<StepView>,
    accepting: bool,
    can_score: bool,
    rubric: Vec<(String, String, u32)>,
    scores: Vec<ScoreView>,
    payments: Vec<(i64, String, String)>,
    history: Vec<HistoryRow>,
    error: String,
    problems: Vec<(String, String)>,
    today: String,
    /// An off-site application's operating site, for its owner and the reviewing officers.
    site: Option<SiteView>,
}

struct SiteView {
    registered_in: String,
    address: String,
    activity: String,
    files: Vec<(i64, String)>,
}

fn step_label(a: AppAction, lang: crate::i18n::Lang) -> (&'static str, &'static str) {
    let tr = lang.tr();
    match a {
        AppAction::CountyPass | AppAction::BureauPass => (tr.pass, ""),
        AppAction::Return => (tr.send_back, "secondary"),
        AppAction::Reject => (tr.reject, "danger"),
        AppAction::AssignExperts => (tr.assign_experts, ""),
        AppAction::Accept => (tr.accept, ""),
        AppAction::RejectReport => (tr.reject_report, "danger"),
        AppAction::Recall => (tr.recall, "secondary"),
        _ => ("", ""),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is redrawn with what was typed and what was wrong"
)]
async fn application_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    id: i64,
    typed: Option<&HashMap<String, String>>,
    problems: Vec<(String, String)>,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, mut status) = shown(refused, v.lang);
    if !problems.is_empty() && status == StatusCode::OK {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let lang = v.lang;
    let tr = lang.tr();
    let a = svc::visible(&st.store, who, id).await.page(lang)?;
    let (_, form) = svc::programme_form(&st.store, &a.programme_code)
        .await
        .page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let files = st.store.files(id).await.page(lang)?;
    let scores = st.store.scores(id).await.page(lang)?;
    let history = st.store.application_history(id).await.page(lang)?;
    let payments = st.store.award_payments(id).await.page(lang)?;
    let me = svc::who(who);
    let is_owner = me == Some(kechuang_domain::application::Actor::Enterprise);
    let file_of = |slot: &str| {
        files
            .iter()
            .find(|f| f.slot == slot)
            .map(|f| f.file_name.clone())
            .unwrap_or_default()
    };
    let expert_here = who.role() == Role::Expert;
    // Experts score the project, not the site: they are not shown it.
    let site = match a.site_id {
        Some(site) => kechuang_service::offsite::site(&st.store, who, site)
            .await
            .ok()
            .map(|(s, files)| SiteView {
                registered_in: kechuang_domain::offsite::registered_in(&s.uscc, lang.is_en()),
                address: s.address,
                activity: s.activity,
                files: files.into_iter().map(|f| (f.id, f.file_name)).collect(),
            }),
        None => None,
    };
    let page = ApplicationPage {
        site,
        chrome: Chrome::new(v, "calls", format!("{} {}", tr.application, id), uri, None),
        csrf: who.csrf().to_owned(),
        id,
        title: if a.title.is_empty() {
            format!("{} {id}", tr.application)
        } else {
            a.title.clone()
        },
        enterprise: a.name.clone(),
        uscc: a.uscc.clone(),
        county: county_name(&tree, &a.region_code),
        call_title: a.call_title.clone(),
        status: lang.pick(a.status.name(), a.status.name_en()),
        status_class: status_class(a.status),
        overdue: overdue(&a, today_in_china(), lang),
        score: a
            .score
            .map(|s| format!("{s:.1} / {}", form.max_total()))
            .unwrap_or_default(),
        editable: is_owner && a.status.editable(),
        can_delete: is_owner && a.status == AppStatus::Draft,
        fields: form
            .fields
            .iter()
            .map(|f| {
                let stored = a.answers.get(&f.key).cloned().unwrap_or_default();
                let shown = match f.kind {
                    FieldKind::Money => stored
                        .parse::<i64>()
                        .map(|x| format!("{} 万元", Fen(x).wan_text()))
                        .unwrap_or_default(),
                    _ => stored.clone(),
                };
                let value = match typed {
                    Some(t) => t.get(&f.key).cloned().unwrap_or_default(),
                    None if f.kind == FieldKind::Money => stored
                        .parse::<i64>()
                        .map(|x| format!("{}万元", Fen(x).wan_text()))
                        .unwrap_or_default(),
                    None => stored,
                };
                FieldView {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    value,
                    shown,
                    long: f.kind == FieldKind::Long,
                    date: f.kind == FieldKind::Date,
                    required: f.required,
                }
            })
            .collect(),
        slots: form
            .attachments
            .iter()
            .map(|s| SlotView {
                key: s.key.clone(),
                label: s.label.clone(),
                accept: s
                    .types
                    .iter()
                    .map(|t| format!(".{t}"))
                    .collect::<Vec<_>>()
                    .join(","),
                hint: format!("{}，≤ {} MB", s.types.join("/"), s.max_mb),
                file: file_of(&s.key),
                required: s.required,
            })
            .collect(),
        report_file: file_of(kechuang_domain::application::REPORT),
        can_report: is_owner && a.status == AppStatus::Funded,
        steps: me
            .map(|m| actions_for(a.status, m))
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !matches!(s, AppAction::Submit | AppAction::Report))
            .map(|s| {
                let (label, class) = step_label(s, lang);
                StepView {
                    code: s.code(),
                    label,
                    class,
                }
            })
            .collect(),
        accepting: a.status == AppStatus::Reporting && who.role() == Role::Bureau,
        can_score: expert_here && a.status == AppStatus::ExpertReview,
        rubric: form
            .rubric
            .iter()
            .map(|c| (c.key.clone(), c.label.clone(), c.max))
            .collect(),
        // Experts see their own score only; the bureau sees all.
        scores: scores
            .iter()
            .filter(|s| !expert_here || s.expert == who.username())
            .filter(|_| expert_here || who.role() == Role::Bureau)
            .map(|s| ScoreView {
                expert: s.expert_name.clone(),
                total: s
                    .total
                    .map(|t| format!("{t:.1}"))
                    .unwrap_or_else(|| "—".into()),
                comment: s.comment.clone(),
            })
            .collect(),
        payments: payments
            .iter()
            .map(|(n, f, d)| (*n, f.yuan_text(), d.clone()))
            .collect(),
        history: history
            .iter()
            .rev()
            .map(|t| HistoryRow {
                at: format::timestamp(&t.at),
                actor: t.actor.clone(),
                change: match (AppStatus::parse(&t.from), AppStatus::parse(&t.to)) {
                    (Some(x), Some(y)) => format!(
                        "{} → {}",
                        lang.pick(x.name(), x.name_en()),
                        lang.pick(y.name(), y.name_en())
                    ),
                    (_, Some(y)) => lang.pick(y.name(), y.name_en()).to_owned(),
                    _ => t.to.clone(),
                },
                comment: t.comment.clone(),
            })
            .collect(),
        error,
        problems,
        today: today_in_china().to_string(),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn application(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    application_page(&st, &v, &who, &uri, id, None, Vec::new(), None).await
}

/// The enterprise saves its answers and files; with `action=submit` it submits, with
/// `action=report` it asks for acceptance. Every answer and file is checked first; with any
/// problem the page comes back with what was typed and nothing is saved.
pub async fn save(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bad = super::frame::unreadable_form(lang);
    let mut typed: HashMap<String, String> = HashMap::new();
    let mut uploads: Vec<svc::Attachment> = Vec::new();
    let mut action = svc::SaveAction::Save;
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(slot) = name.strip_prefix("file_") {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field.bytes().await.map_err(bad)?.to_vec();
            if !file_name.is_empty() {
                uploads.push(svc::Attachment {
                    slot: slot.to_owned(),
                    file_name,
                    content_type,
                    bytes,
                });
            }
        } else if name == "action" {
            action = match field.text().await.map_err(bad)?.as_str() {
                "submit" => svc::SaveAction::Submit,
                "report" => svc::SaveAction::Report,
                _ => svc::SaveAction::Save,
            };
        } else {
            typed.insert(name, field.text().await.map_err(bad)?);
        }
    }
    let applicant = who.as_applicant().page(lang)?;
    match svc::save(&st.store, applicant, id, Some(&typed), &uploads, action).await {
        Ok(kechuang_service::Saved::Done) => {
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Ok(kechuang_service::Saved::Refused(problems)) => {
            let problems = FieldProblem::worded(&problems, lang.into());
            application_page(&st, &v, &who, &uri, id, Some(&typed), problems, None).await
        }
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => Err(PageError(e, lang)),
        Err(e) => {
            application_page(&st, &v, &who, &uri, id, Some(&typed), Vec::new(), Some(e)).await
        }
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    action: String,
    comment: Option<String>,
    paid_on: Option<String>,
    payment_ref: Option<String>,
}

/// A review step by a county or bureau officer.
/// The applicant deletes its draft; the call's page is where it returns.
pub async fn delete_draft(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let applicant = who.as_applicant().page(v.lang)?;
    let call = svc::visible(&st.store, &who, id)
        .await
        .page(v.lang)?
        .call_id;
    match svc::delete_draft(&st.store, applicant, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/calls/{call}")).into_response()),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => Err(PageError(e, v.lang)),
        Err(e) => application_page(&st, &v, &who, &uri, id, None, Vec::new(), Some(e)).await,
    }
}

pub async fn step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    let done = async {
        let payment = match f
            .paid_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(d) => Some((
                parse_day("paid_on", d)?,
                f.payment_ref.clone().unwrap_or_default(),
            )),
            None => None,
        };
        svc::take_step(
            &st.store,
            &who,
            id,
            &f.action,
            f.comment.as_deref().unwrap_or_default(),
            payment,
        )
        .await
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        // A step for another role is not this caller's page to redraw.
        Err(e @ AppError::Forbidden(_)) => Err(PageError(e, v.lang)),
        Err(e) => application_page(&st, &v, &who, &uri, id, None, Vec::new(), Some(e)).await,
    }
}

/// An assigned expert's scores.
pub async fn score(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    match svc::score(&st.store, &who, id, &f).await {
        Ok(kechuang_service::Saved::Done) => {
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Ok(kechuang_service::Saved::Refused(problems)) => {
            let problems = FieldProblem::worded(&problems, v.lang.into());
            application_page(&st, &v, &who, &uri, id, None, problems, None).await
        }
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => Err(PageError(e, v.lang)),
        Err(e) => application_page(&st, &v, &who, &uri, id, None, Vec::new(), Some(e)).await,
    }
}

/// An attachment, to whoever may see the application.
pub async fn file(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((id, slot)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let (name, ctype, data) = svc::attachment(&st.store, &who, id, &slot)
        .await
        .page(v.lang)?;
    Ok(crate::format::file_download(&name, ctype, data))
}
