//! The pool page: an enterprise's application from the registries, the county's and the
//! bureau's steps, the members, the entry rule and the days admission takes.

use super::super::{render, shown, Chrome, OrPage, PageError, Viewer};
use super::{days, one_page, region_name, wan};
use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::Role;
use kechuang_domain::finance::PoolStatus;
use kechuang_service::finance::{self as service, Officer};
use serde::Deserialize;

struct ApplicationRow {
    id: i64,
    name: String,
    county: String,
    requested: String,
    banks: String,
    status: &'static str,
    status_class: &'static str,
    submitted: String,
    decided: String,
    comment: String,
    /// (action code, label) the caller may take.
    actions: Vec<(&'static str, &'static str)>,
}

struct MemberRow {
    id: i64,
    name: String,
    uscc: String,
    county: String,
    admitted: String,
    until: String,
    left: String,
    bank: String,
    online: bool,
}

struct TimesRow {
    county: String,
    admitted: usize,
    county_median: String,
    county_max: String,
    bureau_median: String,
    bureau_max: String,
    total_median: String,
    total_max: String,
}

#[derive(Template)]
#[template(path = "finance_pool.html")]
struct PoolPage {
    chrome: Chrome,
    csrf: String,
    error: String,
    notice: String,
    bureau: bool,
    enterprise: bool,
    form: Option<service::PoolForm>,
    form_certificates: Vec<(String, String, String)>,
    form_facts: String,
    form_county: String,
    applications: Vec<ApplicationRow>,
    members: Vec<MemberRow>,
    pager: crate::pages::Pager,
    times: Vec<TimesRow>,
    overall: TimesRow,
    rule: String,
    validity_months: i64,
}

fn times_row(t: &service::StageTimes, county: String) -> TimesRow {
    let (county_median, county_max) = days(t.county);
    let (bureau_median, bureau_max) = days(t.bureau);
    let (total_median, total_max) = days(t.total);
    TimesRow {
        county,
        admitted: t.admitted,
        county_median,
        county_max,
        bureau_median,
        bureau_max,
        total_median,
        total_max,
    }
}

async fn pool_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
    notice: String,
    members_page: Option<u32>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let en = lang.is_en();
    let tr = lang.tr();
    let tree = st.store.region_tree().await.page(lang)?;
    let view = service::pool(&st.store, who).await.page(lang)?;
    let enterprise = who.role() == Role::Enterprise;
    let form = match who.as_applicant() {
        Ok(a) => Some(service::pool_form(&st.store, a).await.page(lang)?),
        Err(_) => None,
    };
    let kinds: std::collections::HashMap<&str, &str> =
        kechuang_domain::registry::CertificateKind::ALL
            .iter()
            .map(|k| (k.code(), if en { k.name_en() } else { k.name() }))
            .collect();
    let role = who.role();
    let (members, total, page_no) = one_page(view.members, members_page, 50);
    let pager = crate::pages::pager("/finance/pool", &[], total, page_no, 50)
        .with_key("members_page", "#members");
    let page = PoolPage {
        pager,
        chrome: Chrome::new(v, "finance_pool", tr.fin_pool_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        error,
        notice,
        bureau: role == Role::Bureau,
        enterprise,
        form_certificates: form
            .as_ref()
            .map(|f| {
                f.certificates
                    .iter()
                    .map(|(k, n, until)| {
                        (
                            kinds.get(k.as_str()).map_or(k.clone(), |s| (*s).to_owned()),
                            n.clone(),
                            until
                                .as_deref()
                                .map(|u| crate::format::day_text(u, lang))
                                .unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        form_facts: form
            .as_ref()
            .and_then(|f| f.facts)
            .map(|f| {
                let (y, rev, rd, emp) = (f.year, f.revenue, f.rd_expenditure, f.employees);
                let n = |x: Option<f64>| x.map_or("—".into(), crate::format::number);
                if en {
                    format!(
                        "{y}: revenue {} 10k yuan, R&D {} 10k yuan, {} employees",
                        n(rev),
                        n(rd),
                        emp.map_or("—".into(), |e| e.to_string())
                    )
                } else {
                    format!(
                        "{y} 年：营业收入 {} 万元，研发费用 {} 万元，从业人员 {} 人",
                        n(rev),
                        n(rd),
                        emp.map_or("—".into(), |e| e.to_string())
                    )
                }
            })
            .unwrap_or_default(),
        form_county: form
            .as_ref()
            .map(|f| region_name(&tree, lang, &f.region_code))
            .unwrap_or_default(),
        form,
        applications: view
            .applications
            .iter()
            .map(|a| {
                let actions: Vec<(&'static str, &'static str)> = match (role, a.status) {
                    (Role::County, PoolStatus::Submitted) => {
                        vec![("recommend", tr.fin_recommend), ("decline", tr.fin_decline)]
                    }
                    (Role::Bureau, PoolStatus::Recommended) => {
                        vec![("admit", tr.fin_admit), ("decline", tr.fin_decline)]
                    }
                    _ => Vec::new(),
                };
                ApplicationRow {
                    id: a.id,
                    name: a.name.clone(),
                    county: region_name(&tree, lang, &a.region_code),
                    requested: wan(a.requested),
                    banks: a
                        .banks
                        .iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                    status: if en {
                        a.status.name_en()
                    } else {
                        a.status.name()
                    },
                    status_class: match a.status {
                        PoolStatus::Admitted => "on_track",
                        PoolStatus::Declined => "behind",
                        _ => "plain",
                    },
                    submitted: crate::format::day_text(&a.submitted_at, lang),
                    decided: a
                        .decided_at
                        .as_deref()
                        .map(|d| crate::format::day_text(d, lang))
                        .unwrap_or_default(),
                    comment: a.comment.clone(),
                    actions,
                }
            })
            .collect(),
        members: members
            .iter()
            .map(|m| MemberRow {
                id: m.id,
                name: m.name.clone(),
                uscc: m.uscc.clone(),
                county: region_name(&tree, lang, &m.region_code),
                admitted: crate::format::day_text(&m.admitted_on, lang),
                until: m
                    .valid_until
                    .as_deref()
                    .map(|d| crate::format::day_text(d, lang))
                    .unwrap_or_default(),
                left: m
                    .left_on
                    .as_deref()
                    .map(|d| crate::format::day_text(d, lang))
                    .unwrap_or_default(),
                bank: m.bank.clone().unwrap_or_default(),
                online: m.application_id.is_some(),
            })
            .collect(),
        times: view
            .times
            .iter()
            .map(|t| times_row(t, region_name(&tree, lang, &t.region_code)))
            .collect(),
        overall: times_row(&view.overall, tr.fin_all_counties.into()),
        rule: view.rule,
        validity_months: view.validity_months,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    members_page: Option<u32>,
}

pub async fn pool(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let tr = v.lang.tr();
    let notice = match q.done.as_str() {
        "applied" => tr.fin_applied,
        "recommended" => tr.fin_done_recommended,
        "admitted" => tr.fin_done_admitted,
        "declined" => tr.fin_done_declined,
        _ => "",
    };
    pool_page(&st, &v, &who, &uri, None, notice.to_owned(), q.members_page).await
}

/// The pool form as sent: checkboxes for the banks arrive as repeated `bank` fields.
pub async fn apply(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let applicant = who.as_applicant().page(lang)?;
    let mut input = service::PoolInput::default();
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| {
            AppError::invalid(crate::error::RequestProblem::Upload {
                reason: e.to_string(),
            })
        })
        .page(lang)?;
    for (k, val) in fields {
        match k.as_str() {
            "requested" => input.requested = val,
            "purpose" => input.purpose = val,
            "contact" => input.contact = val,
            "bank" => input.banks.extend(val.parse::<i64>().ok()),
            _ => {}
        }
    }
    match service::apply_to_pool(&st.store, applicant, &input).await {
        Ok(_) => Ok(Redirect::to("/finance/pool?done=applied").into_response()),
        Err(e) => pool_page(&st, &v, &who, &uri, Some(e), String::new(), None).await,
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    action: String,
    #[serde(default)]
    comment: String,
}

pub async fn pool_step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    match service::act_on_pool_application(&st.store, &who, id, &f.action, &f.comment).await {
        Ok(to) => Ok(Redirect::to(&format!("/finance/pool?done={}", to.code())).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => pool_page(&st, &v, &who, &uri, Some(e), String::new(), None).await,
    }
}

#[derive(Deserialize)]
pub struct LeaveForm {
    left_on: String,
}

pub async fn end_membership(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<LeaveForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    match service::end_membership(&st.store, &officer, id, &f.left_on).await {
        Ok(()) => Ok(Redirect::to("/finance/pool#members").into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => pool_page(&st, &v, &who, &uri, Some(e), String::new(), None).await,
    }
}

#[derive(Deserialize)]
pub struct RuleForm {
    rule: String,
    validity_months: String,
}

pub async fn set_rule(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<RuleForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    match service::set_pool_rule(&st.store, &officer, &f.rule, &f.validity_months).await {
        Ok(()) => Ok(Redirect::to("/finance/pool#rule").into_response()),
        Err(e) => pool_page(&st, &v, &who, &uri, Some(e), String::new(), None).await,
    }
}
