//! Tech finance pages: the overview (reserve, banks, the report by bank and county), the pool
//! (online entry and its timing), the banks' loans and their upload, one loan with its claim,
//! the compensation claims, and the seed fund.

use super::{county_name, render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::Role;
use kechuang_domain::finance::{claim_actions, LoanClass, PoolStatus};
use kechuang_domain::money::Fen;
use kechuang_domain::region::RegionTree;
use kechuang_service::finance::{self as service, AgreementInput, Officer};
use kechuang_service::imports::{self, FileKind, Upload};
use serde::Deserialize;

fn wan(f: Fen) -> String {
    f.wan_text()
}

fn pct(bp: i64) -> String {
    format!("{}%", bp as f64 / 100.0)
}

fn days(d: Option<(f64, i64)>) -> (String, String) {
    d.map_or(("—".into(), "—".into()), |(m, s)| {
        (crate::format::number(m), s.to_string())
    })
}

/// A bank's agreement in words: share, bonus, caps.
fn terms_text(a: &kechuang_store::AgreementRecord, en: bool) -> String {
    let mut parts = vec![if en {
        format!("share {}", pct(a.share_bp))
    } else {
        format!("补偿 {}", pct(a.share_bp))
    }];
    if let Some(b) = a.bonus_share_bp {
        parts.push(if en {
            format!("first or unsecured loans {}", pct(b))
        } else {
            format!("首贷、信用贷款 {}", pct(b))
        });
    }
    for (cap, zh, e) in [
        (a.cap_per_loan, "单笔上限", "per loan ≤"),
        (a.cap_per_enterprise, "单户上限", "per enterprise ≤"),
        (a.cap_per_bank_year, "年度上限", "per year ≤"),
        (a.max_loan, "贷款额度 ≤", "loans ≤"),
    ] {
        if let Some(c) = cap {
            parts.push(format!(
                "{} {} {}",
                if en { e } else { zh },
                wan(c),
                if en { "10k yuan" } else { "万元" }
            ));
        }
    }
    if let Some(m) = a.total_multiple {
        parts.push(if en {
            format!("pool loans ≤ {m}× the reserve")
        } else {
            format!("放大倍数 {m} 倍")
        });
    }
    if let Some(d) = a.overdue_days {
        parts.push(if en {
            format!("claimable {d} days overdue")
        } else {
            format!("逾期 {d} 天可申请")
        });
    }
    if !a.eligible_kinds.is_empty() {
        parts.push(a.eligible_kinds.join("/"));
    }
    parts.join(if en { "; " } else { "；" })
}

// ---- overview ---------------------------------------------------------------------------

struct BankRow {
    id: i64,
    name: String,
    uscc: String,
    period: String,
    terms: String,
}

struct ReportRow {
    name: String,
    members: usize,
    loans: usize,
    lent: String,
    balance: String,
    npl: String,
    npl_ratio: String,
    paid: String,
    leverage: String,
}

fn report_row(l: &service::ReportLine) -> ReportRow {
    ReportRow {
        name: l.name.clone(),
        members: l.members,
        loans: l.loans,
        lent: wan(l.lent),
        balance: wan(l.balance),
        npl: wan(l.npl_balance),
        npl_ratio: l
            .npl_ratio
            .map_or("—".into(), |r| format!("{}%", crate::format::number(r))),
        paid: wan(l.compensation_paid),
        leverage: l
            .leverage
            .map_or("—".into(), |r| format!("{}×", crate::format::number(r))),
    }
}

struct EntryRow {
    on: String,
    kind: &'static str,
    source: String,
    amount: String,
    note: String,
}

#[derive(Template)]
#[template(path = "finance.html")]
struct OverviewPage {
    chrome: Chrome,
    csrf: String,
    bureau: bool,
    staff: bool,
    error: String,
    reserve: String,
    contributions: String,
    compensation: String,
    recoveries: String,
    banks: Vec<BankRow>,
    by_bank: Vec<ReportRow>,
    by_county: Vec<ReportRow>,
    total: ReportRow,
    entries: Vec<EntryRow>,
    counties: Vec<(String, String)>,
    today: String,
}

async fn overview_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let en = lang.is_en();
    let tr = lang.tr();
    let staff = matches!(who.role(), Role::Bureau | Role::County);
    let report = service::report(&st.store, who).await.page(lang)?;
    let banks = service::banks(&st.store, who).await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let entries = if staff {
        service::reserve(&st.store, who, None)
            .await
            .page(lang)?
            .entries
    } else {
        Vec::new()
    };
    let page = OverviewPage {
        chrome: Chrome::new(v, "finance", tr.fin_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        bureau: who.role() == Role::Bureau,
        staff,
        error,
        reserve: wan(report.reserve.balance()),
        contributions: wan(report.reserve.contributions),
        compensation: wan(report.reserve.compensation),
        recoveries: wan(report.reserve.recoveries),
        banks: banks
            .iter()
            .map(|b| BankRow {
                id: b.bank.id,
                name: b.bank.name.clone(),
                uscc: b.bank.uscc.clone(),
                period: b
                    .current
                    .as_ref()
                    .or(b.agreements.first())
                    .map(|a| {
                        format!(
                            "{} — {}",
                            crate::format::day_text(&a.starts_on, lang),
                            crate::format::day_text(&a.ends_on, lang)
                        )
                    })
                    .unwrap_or_default(),
                terms: b
                    .current
                    .as_ref()
                    .or(b.agreements.first())
                    .map(|a| terms_text(a, en))
                    .unwrap_or_default(),
            })
            .collect(),
        by_bank: report.by_bank.iter().map(report_row).collect(),
        by_county: report.by_county.iter().map(report_row).collect(),
        total: report_row(&report.total),
        entries: entries
            .iter()
            .rev()
            .map(|e| EntryRow {
                on: e.occurred_on.clone(),
                kind: match e.entry.as_str() {
                    "contribution" => tr.fin_contribution,
                    "compensation" => tr.fin_compensation,
                    _ => tr.fin_recovery,
                },
                source: match e.source.as_str() {
                    "province" => tr.fin_source_province.to_owned(),
                    "city" => tr.fin_source_city.to_owned(),
                    "county" => e
                        .region_code
                        .as_deref()
                        .map_or(tr.fin_source_county.to_owned(), |r| county_name(&tree, r)),
                    _ => String::new(),
                },
                amount: wan(e.amount),
                note: e.note.clone(),
            })
            .collect(),
        counties: counties(&tree),
        today: crate::format::date(crate::format::today_in_china(), lang),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The counties of the deployment's city: (code, name).
fn counties(tree: &RegionTree) -> Vec<(String, String)> {
    tree.all()
        .iter()
        .filter(|r| r.kind == kechuang_domain::region::RegionKind::County)
        .map(|r| (r.code.to_string(), r.name.clone()))
        .collect()
}

pub async fn overview(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    overview_page(&st, &v, &who, &uri, None).await
}

#[derive(Deserialize, Default)]
pub struct BankForm {
    #[serde(default)]
    bank_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    share: String,
    #[serde(default)]
    bonus_share: String,
    #[serde(default)]
    cap_per_loan: String,
    #[serde(default)]
    cap_per_enterprise: String,
    #[serde(default)]
    cap_per_bank_year: String,
    #[serde(default)]
    total_multiple: String,
    #[serde(default)]
    max_loan: String,
    #[serde(default)]
    rate_ceiling: String,
    #[serde(default)]
    eligible_kinds: String,
    #[serde(default)]
    overdue_days: String,
}

impl BankForm {
    fn terms(&self) -> AgreementInput {
        AgreementInput {
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            share: self.share.clone(),
            bonus_share: self.bonus_share.clone(),
            cap_per_loan: self.cap_per_loan.clone(),
            cap_per_enterprise: self.cap_per_enterprise.clone(),
            cap_per_bank_year: self.cap_per_bank_year.clone(),
            total_multiple: self.total_multiple.clone(),
            max_loan: self.max_loan.clone(),
            rate_ceiling: self.rate_ceiling.clone(),
            eligible_kinds: self.eligible_kinds.clone(),
            overdue_days: self.overdue_days.clone(),
        }
    }
}

/// Registers a bank with its agreement, or (with `bank_id`) adds an agreement to one.
pub async fn add_bank(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<BankForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    let done = match f.bank_id.trim().parse::<i64>() {
        Ok(id) => service::add_agreement(&st.store, &officer, id, &f.terms()).await,
        Err(_) => service::add_bank(&st.store, &officer, &f.name, &f.uscc, &f.terms()).await,
    };
    match done {
        Ok(_) => Ok(Redirect::to("/finance#banks").into_response()),
        Err(e) => overview_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct ContributionForm {
    source: String,
    #[serde(default)]
    region: String,
    amount: String,
    occurred_on: String,
    #[serde(default)]
    note: String,
}

pub async fn contribute(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<ContributionForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    let done = service::contribute(
        &st.store,
        &officer,
        &f.source,
        &f.region,
        &f.amount,
        &f.occurred_on,
        &f.note,
    )
    .await;
    match done {
        Ok(_) => Ok(Redirect::to("/finance#reserve").into_response()),
        Err(e) => overview_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

// ---- the pool ---------------------------------------------------------------------------

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
    pager: super::Pager,
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
    let pager =
        super::pager("/finance/pool", &[], total, page_no, 50).with_key("members_page", "#members");
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
            .map(|f| county_name(&tree, &f.region_code))
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
                    county: county_name(&tree, &a.region_code),
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
                name: m.name.clone(),
                uscc: m.uscc.clone(),
                county: county_name(&tree, &m.region_code),
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
            .map(|t| times_row(t, county_name(&tree, &t.region_code)))
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

// ---- loans --------------------------------------------------------------------------------

/// The blank loan file a bank fills in: the importer's headers and an example row.
pub async fn loan_template(v: Viewer, _: Caller) -> Result<Response, PageError> {
    let table = imports::template(FileKind::Loans).page(v.lang)?;
    super::sheet_download(
        &table,
        super::SheetFormat::Xlsx,
        "导入模板-合作银行贷款台账.xlsx",
        v.lang,
    )
}

struct LoanRow {
    contract_no: String,
    bank: String,
    name: String,
    county: String,
    issued: String,
    due: String,
    amount: String,
    balance: String,
    class: &'static str,
    class_style: &'static str,
    in_pool: bool,
}

fn class_name(c: LoanClass, en: bool) -> &'static str {
    if en {
        c.name_en()
    } else {
        c.name()
    }
}

fn class_style(c: LoanClass) -> &'static str {
    match c {
        LoanClass::Normal => "on_track",
        LoanClass::SpecialMention => "plain",
        _ => "behind",
    }
}

#[derive(Template)]
#[template(path = "finance_loans.html")]
struct LoansPage {
    chrome: Chrome,
    csrf: String,
    error: String,
    staff: bool,
    can_upload: bool,
    loans: Vec<LoanRow>,
    banks: Vec<(String, String)>,
    counties: Vec<(String, String)>,
    classes: Vec<(&'static str, &'static str)>,
    bank: String,
    region: String,
    classification: String,
    pager: super::Pager,
    /// The last upload: (file, rows, added, updated, unchanged, dry run).
    outcome: Option<(String, usize, usize, usize, usize, bool)>,
    problems: Vec<kechuang_ingest::RowProblem>,
}

#[derive(Deserialize, Default)]
pub struct LoanFilter {
    #[serde(default)]
    bank: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    per_page: Option<u32>,
}

/// One page of a list gathered whole (a city's loans or members number in the hundreds).
fn one_page<T>(all: Vec<T>, page: Option<u32>, per_page: u32) -> (Vec<T>, i64, u32) {
    let total = all.len() as i64;
    let pages = (all.len() as u32).div_ceil(per_page).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let items = all
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .collect();
    (items, total, page)
}

async fn loans_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    q: &LoanFilter,
    refused: Option<AppError>,
    upload: Option<(String, imports::ImportOutcome, bool)>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let en = lang.is_en();
    let tr = lang.tr();
    let tree = st.store.region_tree().await.page(lang)?;
    let loans = service::loans(
        &st.store,
        who,
        &service::LoanQuery {
            bank: Some(&q.bank),
            region: Some(&q.region),
            classification: Some(&q.classification),
        },
    )
    .await
    .page(lang)?;
    let staff = matches!(who.role(), Role::Bureau | Role::County);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let (loans, total, page) = one_page(loans, q.page, per_page);
    let pager = super::pager(
        "/finance/loans",
        &[
            ("bank", q.bank.clone()),
            ("region", q.region.clone()),
            ("classification", q.classification.clone()),
        ],
        total,
        page,
        per_page,
    )
    .sizable();
    let (outcome, problems) = match upload {
        Some((file, o, dry)) => {
            let s = o.summary.as_ref();
            (
                Some((
                    file,
                    o.rows,
                    s.map_or(0, |s| s.inserted),
                    s.map_or(0, |s| s.updated),
                    s.map_or(0, |s| s.unchanged),
                    dry,
                )),
                o.problems,
            )
        }
        None => (None, Vec::new()),
    };
    let page = LoansPage {
        chrome: Chrome::new(v, "finance_loans", tr.fin_loans_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        error,
        staff,
        can_upload: matches!(who.role(), Role::Bureau | Role::Bank),
        loans: loans
            .iter()
            .map(|l| LoanRow {
                contract_no: l.contract_no.clone(),
                bank: l.bank.clone(),
                name: l.name.clone(),
                county: county_name(&tree, &l.region_code),
                issued: crate::format::day_text(&l.issued_on, lang),
                due: crate::format::day_text(&l.due_on, lang),
                amount: wan(l.amount),
                balance: wan(l.balance),
                class: class_name(l.classification, en),
                class_style: class_style(l.classification),
                in_pool: l.in_pool,
            })
            .collect(),
        banks: if staff {
            st.store
                .banks()
                .await
                .page(lang)?
                .into_iter()
                .map(|b| (b.id.to_string(), b.name))
                .collect()
        } else {
            Vec::new()
        },
        counties: counties(&tree),
        classes: LoanClass::ALL
            .iter()
            .map(|c| (c.code(), class_name(*c, en)))
            .collect(),
        bank: q.bank.clone(),
        region: q.region.clone(),
        classification: q.classification.clone(),
        pager,
        outcome,
        problems,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn loans(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<LoanFilter>,
) -> Result<Response, PageError> {
    loans_page(&st, &v, &who, &uri, &q, None, None).await
}

/// A loan file sent by a bank (its own loans only) or by the bureau: checked whole, written
/// all or nothing, the outcome shown above the list.
pub async fn upload(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bank = match service::scope(&st.store, &who).await.page(lang)? {
        service::Scope::Bank(b) => Some(b.unwrap_or(-1)),
        _ => None,
    };
    let mut dry_run = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    let bad = super::frame::unreadable_form(lang);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "dry_run" => dry_run = true,
            "file" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    let q = LoanFilter::default();
    let Some((file_name, bytes)) = file.filter(|(n, _)| !n.is_empty()) else {
        let e = AppError::invalid(crate::error::RequestProblem::Upload {
            reason: lang.tr().import_choose_file.to_owned(),
        });
        return loans_page(&st, &v, &who, &uri, &q, Some(e), None).await;
    };
    let received = imports::import_bytes(
        &st.store,
        &Upload {
            kind: FileKind::Loans,
            file_name: &file_name,
            bytes: &bytes,
            dry_run,
            accept_legacy_uscc: false,
            default_kind: None,
            progress: None,
            bank,
        },
        &who.actor(),
        &st.spool,
    )
    .await;
    match received {
        Ok(r) => {
            loans_page(
                &st,
                &v,
                &who,
                &uri,
                &q,
                None,
                Some((file_name, r.outcome, dry_run)),
            )
            .await
        }
        Err(e) => loans_page(&st, &v, &who, &uri, &q, Some(e), None).await,
    }
}

struct HistoryRow {
    revision: i64,
    balance: String,
    class: &'static str,
    file: String,
    at: String,
}

#[derive(Template)]
#[template(path = "finance_loan.html")]
struct LoanPage {
    chrome: Chrome,
    csrf: String,
    error: String,
    loan: LoanRow,
    uscc: String,
    guarantee: String,
    history: Vec<HistoryRow>,
    /// The claim made, if any: (id, status, amount, rule).
    claim: Option<(i64, &'static str, String, String)>,
    /// What a claim would bring now, or why none can be made.
    quote: Option<(String, String)>,
    not_claimable: String,
    can_claim: bool,
}

async fn loan_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    contract_no: &str,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let en = lang.is_en();
    let tree = st.store.region_tree().await.page(lang)?;
    let view = service::loan(&st.store, who, contract_no)
        .await
        .page(lang)?;
    let l = &view.loan;
    let (quote, not_claimable) = match &view.claimable {
        Ok((c, _)) => (
            Some((wan(c.amount), c.explain(l.balance, lang.into()))),
            String::new(),
        ),
        Err(e) => (None, e.message(lang.into())),
    };
    let page = LoanPage {
        chrome: Chrome::new(
            v,
            "finance_loans",
            format!("{} {}", lang.tr().fin_loan, l.contract_no),
            uri,
            None,
        ),
        csrf: who.csrf().to_owned(),
        error,
        uscc: l.uscc.clone(),
        guarantee: l.guarantee.clone(),
        loan: LoanRow {
            contract_no: l.contract_no.clone(),
            bank: l.bank.clone(),
            name: l.name.clone(),
            county: county_name(&tree, &l.region_code),
            issued: crate::format::day_text(&l.issued_on, lang),
            due: crate::format::day_text(&l.due_on, lang),
            amount: wan(l.amount),
            balance: wan(l.balance),
            class: class_name(l.classification, en),
            class_style: class_style(l.classification),
            in_pool: l.in_pool,
        },
        history: view
            .history
            .iter()
            .map(|h| HistoryRow {
                revision: h.revision,
                balance: wan(h.balance),
                class: class_name(h.classification, en),
                file: h.file_name.clone(),
                at: crate::format::day_text(&h.recorded_at, lang),
            })
            .collect(),
        claim: view.claim.as_ref().map(|c| {
            (
                c.id,
                if en {
                    c.status.name_en()
                } else {
                    c.status.name()
                },
                wan(c.amount),
                if en {
                    c.rule_en.clone()
                } else {
                    c.rule_zh.clone()
                },
            )
        }),
        can_claim: who.role() == Role::Bank && quote.is_some(),
        quote,
        not_claimable,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn loan(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(contract_no): Path<String>,
) -> Result<Response, PageError> {
    loan_page(&st, &v, &who, &uri, &contract_no, None).await
}

pub async fn claim(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(contract_no): Path<String>,
) -> Result<Response, PageError> {
    match service::claim(&st.store, &who, &contract_no).await {
        Ok(_) => Ok(Redirect::to("/finance/claims").into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => loan_page(&st, &v, &who, &uri, &contract_no, Some(e)).await,
    }
}

// ---- claims -------------------------------------------------------------------------------

struct ClaimRow {
    id: i64,
    contract_no: String,
    bank: String,
    name: String,
    county: String,
    principal: String,
    amount: String,
    returned: String,
    rule: String,
    status: &'static str,
    status_class: &'static str,
    claimed: String,
    reason: String,
    actions: Vec<(&'static str, &'static str)>,
    recoverable: bool,
}

#[derive(Template)]
#[template(path = "finance_claims.html")]
struct ClaimsPage {
    chrome: Chrome,
    csrf: String,
    error: String,
    claims: Vec<ClaimRow>,
    today: String,
}

async fn claims_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    use kechuang_domain::finance::{ClaimAction, ClaimStatus};
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let en = lang.is_en();
    let tr = lang.tr();
    let tree = st.store.region_tree().await.page(lang)?;
    let claims = service::claims(&st.store, who).await.page(lang)?;
    let role = who.role();
    let page = ClaimsPage {
        chrome: Chrome::new(v, "finance_claims", tr.fin_claims_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        error,
        claims: claims
            .iter()
            .map(|c| ClaimRow {
                id: c.id,
                contract_no: c.contract_no.clone(),
                bank: c.bank.clone(),
                name: c.name.clone(),
                county: county_name(&tree, &c.region_code),
                principal: wan(c.principal),
                amount: wan(c.amount),
                returned: wan(c.returned),
                rule: if en {
                    c.rule_en.clone()
                } else {
                    c.rule_zh.clone()
                },
                status: if en {
                    c.status.name_en()
                } else {
                    c.status.name()
                },
                status_class: match c.status {
                    ClaimStatus::Paid => "on_track",
                    ClaimStatus::Refused => "behind",
                    _ => "plain",
                },
                claimed: crate::format::day_text(&c.claimed_at, lang),
                reason: c.refused_reason.clone(),
                actions: if role == Role::Bureau {
                    claim_actions(c.status)
                        .into_iter()
                        .map(|a| {
                            (
                                a.code(),
                                match a {
                                    ClaimAction::Review => tr.fin_review,
                                    ClaimAction::Approve => tr.fin_approve,
                                    ClaimAction::Pay => tr.fin_pay,
                                    ClaimAction::Refuse => tr.fin_refuse,
                                },
                            )
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                recoverable: c.status == ClaimStatus::Paid
                    && matches!(role, Role::Bureau | Role::Bank),
            })
            .collect(),
        today: crate::format::date(crate::format::today_in_china(), lang),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn claims(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    claims_page(&st, &v, &who, &uri, None).await
}

#[derive(Deserialize)]
pub struct ClaimStepForm {
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn claim_step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ClaimStepForm>,
) -> Result<Response, PageError> {
    let bureau = who.as_bureau().page(v.lang)?;
    match service::act_on_claim(&st.store, bureau, id, &f.action, &f.reason).await {
        Ok(_) => Ok(Redirect::to("/finance/claims").into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => claims_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct RecoveryForm {
    amount: String,
    occurred_on: String,
}

pub async fn recover(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<RecoveryForm>,
) -> Result<Response, PageError> {
    match service::recover(&st.store, &who, id, &f.amount, &f.occurred_on).await {
        Ok(_) => Ok(Redirect::to("/finance/claims").into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => claims_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

// ---- the seed fund --------------------------------------------------------------------------

struct FundRow {
    id: i64,
    name: String,
    committed: String,
    paid_in: String,
    established: String,
    max_age: i64,
    manager: String,
}

struct InvestmentRow {
    fund: String,
    name: String,
    county: String,
    round: &'static str,
    on: String,
    amount: String,
    age: i64,
    private: String,
    co: String,
    exit: String,
}

#[derive(Template)]
#[template(path = "finance_seed.html")]
struct SeedPage {
    chrome: Chrome,
    csrf: String,
    error: String,
    bureau: bool,
    funds: Vec<FundRow>,
    investments: Vec<InvestmentRow>,
    public: String,
    private: String,
    leverage: String,
    returns: String,
    today: String,
}

async fn seed_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let tr = lang.tr();
    let tree = st.store.region_tree().await.page(lang)?;
    let s = service::seed(&st.store, who).await.page(lang)?;
    let page = SeedPage {
        chrome: Chrome::new(v, "finance_seed", tr.fin_seed_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        error,
        bureau: who.role() == Role::Bureau,
        funds: s
            .funds
            .iter()
            .map(|f| FundRow {
                id: f.id,
                name: f.name.clone(),
                committed: wan(f.committed),
                paid_in: wan(f.paid_in),
                established: crate::format::day_text(&f.established_on, lang),
                max_age: f.max_age_years,
                manager: f.manager.clone(),
            })
            .collect(),
        investments: s
            .investments
            .iter()
            .map(|i| InvestmentRow {
                fund: i.fund.clone(),
                name: i.name.clone(),
                county: county_name(&tree, &i.region_code),
                round: if i.round == "follow_on" {
                    tr.fin_follow_on
                } else {
                    tr.fin_initial
                },
                on: crate::format::day_text(&i.invested_on, lang),
                amount: wan(i.amount),
                age: i.age_years,
                private: wan(i.private),
                co: i
                    .co_investors
                    .iter()
                    .map(|c| format!("{} {}", c.name, wan(Fen(c.amount_fen))))
                    .collect::<Vec<_>>()
                    .join("；"),
                exit: match (&i.exited_on, i.proceeds) {
                    (Some(d), Some(p)) => {
                        format!("{} · {}", crate::format::day_text(d, lang), wan(p))
                    }
                    _ => String::new(),
                },
            })
            .collect(),
        public: wan(s.public),
        private: wan(s.private),
        leverage: crate::format::number(s.leverage),
        returns: wan(s.returns),
        today: crate::format::date(crate::format::today_in_china(), lang),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn seed(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    seed_page(&st, &v, &who, &uri, None).await
}

#[derive(Deserialize)]
pub struct FundForm {
    name: String,
    committed: String,
    #[serde(default)]
    paid_in: String,
    established_on: String,
    #[serde(default)]
    max_age_years: String,
    #[serde(default)]
    manager: String,
}

pub async fn add_fund(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<FundForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    let fund = service::FundInput {
        name: &f.name,
        committed: &f.committed,
        paid_in: &f.paid_in,
        established_on: &f.established_on,
        max_age_years: &f.max_age_years,
        manager: &f.manager,
    };
    match service::add_seed_fund(&st.store, &officer, &fund).await {
        Ok(_) => Ok(Redirect::to("/finance/seed").into_response()),
        Err(e) => seed_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct InvestForm {
    fund_id: String,
    uscc: String,
    amount: String,
    invested_on: String,
    #[serde(default)]
    follow_on: Option<String>,
    #[serde(default)]
    co_investors: String,
}

pub async fn invest(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<InvestForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    let input = service::InvestmentInput {
        fund_id: f.fund_id.trim().parse().unwrap_or(-1),
        uscc: &f.uscc,
        amount: &f.amount,
        invested_on: &f.invested_on,
        follow_on: f.follow_on.is_some(),
        co_investors: &f.co_investors,
    };
    match service::invest(&st.store, &officer, &input).await {
        Ok(_) => Ok(Redirect::to("/finance/seed").into_response()),
        Err(e) => seed_page(&st, &v, &who, &uri, Some(e)).await,
    }
}
