//! Funding programme pages: the list with budgets, a programme (rules, budgets, batch preview),
//! a batch (awards, workflow, objections, exports), and the public notices.

use super::{
    county_name, render, sheet_download, shown, Chrome, OrPage, PageError, SheetFormat, Viewer,
};
use crate::auth::{Caller, Client};
use crate::error::{Absent, AppError, RequestProblem};
use crate::format;
use crate::i18n::{Lang, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{Datelike, NaiveDate};
use kechuang_domain::money::Fen;
use kechuang_domain::programme::{
    actions, AwardStatus, BatchAction, BatchStatus, LineStatus, ObjectionStatus, OncePer,
};
use kechuang_domain::region::RegionTree;
use kechuang_service::programmes::{self as svc, BatchPreview};
use kechuang_store::{AwardRecord, BatchRecord, BudgetLine, NewObjection};
use serde::Deserialize;
use std::collections::HashMap;

fn yuan(f: Fen) -> String {
    f.yuan_text()
}

fn status_class(s: BatchStatus) -> &'static str {
    match s {
        BatchStatus::Submitted | BatchStatus::Reviewed => "no_data",
        BatchStatus::Notice => "on_track",
        BatchStatus::Approved | BatchStatus::Paid => "achieved",
        BatchStatus::Void => "plain",
    }
}

fn status_name(s: BatchStatus, lang: Lang) -> &'static str {
    lang.pick(s.name(), s.name_en())
}

/// Where a batch stands today, worded as everywhere else (see `BatchStage`).
fn stage_name(b: &BatchRecord, lang: Lang) -> &'static str {
    let stage = b.stage(format::today_in_china());
    lang.pick(stage.name(), stage.name_en())
}

pub(super) fn award_status(s: AwardStatus, tr: &Tr) -> &'static str {
    match s {
        AwardStatus::Proposed => tr.award_status_proposed,
        AwardStatus::Withdrawn => tr.award_status_withdrawn,
        AwardStatus::Approved => tr.award_status_approved,
        AwardStatus::Paid => tr.award_status_paid,
        AwardStatus::Void => tr.award_status_void,
    }
}

fn notice_text(b: &BatchRecord, lang: Lang) -> String {
    let d = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| format::date(d, lang))
            .unwrap_or_else(|_| s.to_owned())
    };
    match (&b.notice_start, &b.notice_end) {
        (Some(s), Some(e)) => format!("{} — {}", d(s), d(e)),
        _ => String::new(),
    }
}

// ---- the list ------------------------------------------------------------------------------

struct ProgrammeRow {
    code: String,
    name: String,
    kind: &'static str,
    basis: String,
    years: String,
    budget_year: i32,
    budget: String,
    committed: String,
    paid: String,
    available: String,
    batches: usize,
    open_batches: usize,
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<ProgrammeRow>,
}

pub async fn list(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let scope = svc::funds_scope(&st.store, &who).await.page(lang)?;
    let mut programmes = st.store.programmes().await.page(lang)?;
    programmes.retain(|p| scope.covers(&p.code));
    let budgets = st.store.budget_lines(None).await.page(lang)?;
    let batches = st.store.batches(None).await.page(lang)?;
    let this_year = format::today_in_china().year();
    let rows = programmes
        .iter()
        .map(|p| {
            // The current year's budget, or the latest one set.
            let mine: Vec<&BudgetLine> = budgets
                .iter()
                .filter(|b| b.programme_code == p.code)
                .collect();
            let line = mine
                .iter()
                .find(|b| b.year == this_year)
                .or_else(|| mine.last())
                .copied();
            let theirs = batches.iter().filter(|b| b.programme_code == p.code);
            ProgrammeRow {
                code: p.code.clone(),
                name: lang.pick(&p.name, &p.name_en).to_owned(),
                kind: lang.pick(p.kind.name(), p.kind.name_en()),
                basis: p.basis.clone(),
                years: format!(
                    "{}—{}",
                    p.from_year,
                    p.to_year.map(|y| y.to_string()).unwrap_or_default()
                ),
                budget_year: line.map_or(this_year, |b| b.year),
                budget: line.map(|b| yuan(b.amount)).unwrap_or_else(|| "—".into()),
                committed: line.map(|b| yuan(b.committed)).unwrap_or_default(),
                paid: line.map(|b| yuan(b.paid)).unwrap_or_default(),
                available: line.map(|b| yuan(b.available())).unwrap_or_default(),
                batches: theirs.clone().count(),
                open_batches: theirs
                    .filter(|b| {
                        matches!(
                            b.status,
                            BatchStatus::Submitted | BatchStatus::Reviewed | BatchStatus::Notice
                        )
                    })
                    .count(),
            }
        })
        .collect();
    let page = ListPage {
        chrome: Chrome::new(
            &v,
            "programmes",
            lang.tr().programmes_title.into(),
            &uri,
            None,
        ),
        rows,
    };
    render(&page, lang)
}

// ---- one programme -----------------------------------------------------------------------

struct BudgetRow {
    year: i32,
    amount: String,
    proposed: String,
    committed: String,
    paid: String,
    available: String,
    /// Share committed, for the bar.
    pct: u32,
}

struct PreviewRow {
    uscc: String,
    name: String,
    county: String,
    basis: String,
    amount: String,
    status: String,
    status_class: &'static str,
}

struct PreviewView {
    year: i32,
    /// The lines the filter lets through, due first.
    rows: Vec<PreviewRow>,
    due: usize,
    due_total: String,
    already: usize,
    over: usize,
    not_eligible: usize,
    no_budget: bool,
    /// Which lines are shown: `due`, `already`, `over` or `all`.
    show: &'static str,
    /// The budget's available amount now and after the batch, for the confirmation.
    available: String,
    available_after: String,
}

struct BatchRow {
    id: i64,
    year: i32,
    status: &'static str,
    status_class: &'static str,
    awards: i64,
    total: String,
    notice: String,
    open_objections: i64,
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    chrome: Chrome,
    csrf: String,
    can_act: bool,
    code: String,
    name: String,
    kind: &'static str,
    basis: String,
    description: String,
    years: String,
    event: String,
    once: &'static str,
    eligibility: String,
    amount: String,
    priority: String,
    /// The priority rule as written, empty when there is none (for the edit form).
    priority_rule: String,
    /// The Chinese name, which the edit form keeps whatever the page's language.
    name_zh: String,
    notice_days: u32,
    separate_duties: bool,
    budgets: Vec<BudgetRow>,
    year: i32,
    preview: Option<PreviewView>,
    batches: Vec<BatchRow>,
    error: String,
    budget_amount: String,
    ledger: Vec<LedgerRow>,
    ledger_pager: super::Pager,
    /// The rules as a sentence in the page's language.
    rule_sentence: String,
    /// The officer asked to generate the batch and is asked to confirm it.
    confirm: bool,
}

struct LedgerRow {
    on: String,
    entry: &'static str,
    name: String,
    uscc: String,
    county: String,
    year: i32,
    amount: String,
    reference: String,
}

#[derive(Deserialize)]
pub struct ProgrammeQuery {
    year: Option<String>,
    show: Option<String>,
    confirm: Option<String>,
    ledger_page: Option<u32>,
}

/// What the programme page is asked to show besides the programme itself.
struct Ask {
    year: Option<i32>,
    show: &'static str,
    confirm: bool,
    ledger_page: u32,
}

impl Default for Ask {
    fn default() -> Self {
        Self {
            year: None,
            show: "due",
            confirm: false,
            ledger_page: 1,
        }
    }
}

impl Ask {
    fn year(year: i32) -> Self {
        Self {
            year: Some(year),
            ..Self::default()
        }
    }
}

const LEDGER_PAGE: u32 = 50;

fn batch_rows(batches: &[BatchRecord], lang: Lang) -> Vec<BatchRow> {
    batches
        .iter()
        .map(|b| BatchRow {
            id: b.id,
            year: b.year,
            status: stage_name(b, lang),
            status_class: status_class(b.status),
            awards: b.award_count,
            total: yuan(b.total),
            notice: notice_text(b, lang),
            open_objections: b.open_objections,
        })
        .collect()
}

fn preview_view(p: &BatchPreview, tree: &RegionTree, tr: &Tr, show: &'static str) -> PreviewView {
    let count =
        |s: fn(&LineStatus) -> bool| p.preview.lines.iter().filter(|l| s(&l.status)).count();
    let rank = |s: &LineStatus| match s {
        LineStatus::Due => 0,
        LineStatus::OverBudget => 1,
        LineStatus::AlreadyAwarded { .. } => 2,
    };
    let mut lines: Vec<_> = p
        .preview
        .lines
        .iter()
        .filter(|l| match show {
            "due" => l.status == LineStatus::Due,
            "already" => matches!(l.status, LineStatus::AlreadyAwarded { .. }),
            "over" => l.status == LineStatus::OverBudget,
            _ => true,
        })
        .collect();
    // Stable: within a status the preview's own order (priority, then the earliest event).
    lines.sort_by_key(|l| rank(&l.status));
    let available = p.budget.as_ref().map(|b| b.available());
    PreviewView {
        year: p.year,
        show,
        available: available.map(yuan).unwrap_or_default(),
        available_after: available
            .map(|a| yuan(Fen(a.0 - p.preview.due_total.0)))
            .unwrap_or_default(),
        rows: lines
            .into_iter()
            .map(|l| {
                let e = &l.entitlement;
                let (status, class) = match &l.status {
                    LineStatus::Due => (tr.preview_due.to_owned(), "on_track"),
                    LineStatus::AlreadyAwarded { batch } => (
                        format!("{} · {} {batch}", tr.preview_already, tr.batch),
                        "plain",
                    ),
                    LineStatus::OverBudget => (tr.preview_over.to_owned(), "behind"),
                };
                PreviewRow {
                    uscc: e.uscc.clone(),
                    name: e.name.clone(),
                    county: county_name(tree, &e.region_code),
                    basis: e.basis.clone(),
                    amount: yuan(e.amount),
                    status,
                    status_class: class,
                }
            })
            .collect(),
        due: count(|s| *s == LineStatus::Due),
        due_total: yuan(p.preview.due_total),
        already: count(|s| matches!(s, LineStatus::AlreadyAwarded { .. })),
        over: count(|s| *s == LineStatus::OverBudget),
        not_eligible: p.preview.not_eligible,
        no_budget: p.budget.is_none(),
    }
}

/// The programme page; `refused` is an action's refusal, shown on it with its status.
async fn programme_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    code: &str,
    ask: Ask,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let tr = lang.tr();
    let scope = svc::funds_scope(&st.store, who).await.page(lang)?;
    let p = svc::programme(&st.store, &scope, code).await.page(lang)?;
    let budgets = st.store.budget_lines(Some(code)).await.page(lang)?;
    let batches = st.store.batches(Some(code)).await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let (ledger, ledger_total) = st
        .store
        .ledger(Some(code), ask.ledger_page, LEDGER_PAGE)
        .await
        .page(lang)?;
    let year = match ask.year {
        Some(y) => y,
        None => svc::default_preview_year(&st.store, &p).await.page(lang)?,
    };
    // A programme without events has no preview; one that does not run that year shows why
    // above an empty preview rather than failing the whole page.
    let preview = match p.event {
        Some(_) if p.check_year(year).is_ok() => Some(preview_view(
            &svc::preview_batch(&st.store, &scope, code, year)
                .await
                .page(lang)?,
            &tree,
            tr,
            ask.show,
        )),
        _ => None,
    };
    let rule_sentence = kechuang_domain::rule_text::describe(&p)
        .map(|s| lang.pick(&s.zh, &s.en).to_owned())
        .unwrap_or_default();
    let page = ProgrammePage {
        chrome: Chrome::new(
            v,
            "programmes",
            lang.pick(&p.name, &p.name_en).to_owned(),
            uri,
            None,
        ),
        csrf: who.csrf().to_owned(),
        can_act: who.role() == kechuang_domain::auth::Role::Bureau,
        code: p.code.clone(),
        name: lang.pick(&p.name, &p.name_en).to_owned(),
        kind: lang.pick(p.kind.name(), p.kind.name_en()),
        basis: p.basis.clone(),
        description: p.description.clone(),
        years: format!(
            "{}—{}",
            p.from_year,
            p.to_year.map(|y| y.to_string()).unwrap_or_default()
        ),
        event: p
            .event
            .map(|k| lang.pick(k.name(), k.name_en()).to_owned())
            .unwrap_or_else(|| "—".into()),
        once: match p.once_per {
            OncePer::Enterprise => tr.once_enterprise,
            OncePer::Event => tr.once_event,
        },
        eligibility: p.eligibility.clone(),
        amount: p.amount.clone(),
        priority: p
            .priority
            .clone()
            .unwrap_or_else(|| tr.rule_priority_default.into()),
        priority_rule: p.priority.clone().unwrap_or_default(),
        name_zh: p.name.clone(),
        notice_days: p.notice_days,
        separate_duties: p.separate_duties,
        budgets: budgets
            .iter()
            .map(|b| BudgetRow {
                year: b.year,
                amount: yuan(b.amount),
                proposed: yuan(b.proposed),
                committed: yuan(b.committed),
                paid: yuan(b.paid),
                available: yuan(b.available()),
                pct: if b.amount.0 > 0 {
                    ((b.committed.0 as f64 / b.amount.0 as f64) * 100.0).round() as u32
                } else {
                    0
                },
            })
            .collect(),
        year,
        confirm: ask.confirm
            && who.role() == kechuang_domain::auth::Role::Bureau
            && preview.as_ref().is_some_and(|p| p.due > 0 && !p.no_budget),
        preview,
        batches: batch_rows(&batches, lang),
        error,
        budget_amount: String::new(),
        rule_sentence,
        ledger_pager: super::pager(
            &format!("/programmes/{code}"),
            &[("year", year.to_string())],
            ledger_total,
            ask.ledger_page.max(1),
            LEDGER_PAGE,
        )
        .with_key("ledger_page", "#ledger"),
        ledger: ledger
            .iter()
            .map(|l| LedgerRow {
                on: l.occurred_on.clone(),
                entry: if l.entry == "payment" {
                    tr.paid
                } else {
                    tr.committed
                },
                name: l.recipient.clone(),
                uscc: l.uscc.clone(),
                county: county_name(&tree, &l.region_code),
                year: l.year,
                amount: yuan(l.amount),
                reference: l.reference.clone(),
            })
            .collect(),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn programme(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<ProgrammeQuery>,
) -> Result<Response, PageError> {
    let year = q
        .year
        .as_deref()
        .filter(|y| !y.trim().is_empty())
        .map(svc::parse_year)
        .transpose()
        .page(v.lang)?;
    let ask = Ask {
        year,
        show: match q.show.as_deref() {
            Some("already") => "already",
            Some("over") => "over",
            Some("all") => "all",
            _ => "due",
        },
        confirm: q.confirm.is_some(),
        ledger_page: q.ledger_page.unwrap_or(1).max(1),
    };
    programme_page(&st, &v, &who, &uri, &code, ask, None).await
}

#[derive(Deserialize)]
pub struct BudgetForm {
    year: String,
    amount: String,
}

/// Sets a year's budget; a refusal comes back on the programme page with its reason.
pub async fn set_budget(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(code): Path<String>,
    Form(f): Form<BudgetForm>,
) -> Result<Response, PageError> {
    let done = async {
        let year = svc::parse_year(&f.year)?;
        let amount = svc::parse_amount(&f.amount)?;
        let scope = svc::funds_scope(&st.store, &who).await?;
        svc::set_budget(&st.store, &scope, &code, year, amount, &who.actor())
            .await
            .map(drop)
    }
    .await;
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/programmes/{code}")).into_response()),
        Err(e) => programme_page(&st, &v, &who, &uri, &code, Ask::default(), Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct RulesForm {
    name: String,
    basis: String,
    eligibility: String,
    amount: String,
    priority: String,
    notice_days: String,
    description: String,
    /// `on` or `off`.
    #[serde(default)]
    separate_duties: String,
}

/// Edits a programme's rules on its page. They are compiled and tried on a sample before
/// anything is saved; a rule that does not run comes back with its reason.
pub async fn update_rules(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(code): Path<String>,
    Form(f): Form<RulesForm>,
) -> Result<Response, PageError> {
    let change = svc::RulesChange {
        name: f.name,
        basis: f.basis,
        eligibility: f.eligibility,
        amount: f.amount,
        priority: f.priority,
        notice_days: f.notice_days,
        description: f.description,
        separate_duties: match f.separate_duties.as_str() {
            "on" => Some(true),
            "off" => Some(false),
            _ => None,
        },
    };
    let scope = svc::funds_scope(&st.store, &who).await.page(v.lang)?;
    match svc::update_rules(&st.store, &scope, &code, change, &who.actor()).await {
        Ok(_) => Ok(Redirect::to(&format!("/programmes/{code}")).into_response()),
        Err(e) => programme_page(&st, &v, &who, &uri, &code, Ask::default(), Some(e)).await,
    }
}

/// Spending against budgets, every programme and year, for the finance department.
pub async fn budgets_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = SheetFormat::of(&file, "budgets", lang)?;
    let scope = svc::funds_scope(&st.store, &who).await.page(lang)?;
    let names: HashMap<String, String> = st
        .store
        .programmes()
        .await
        .page(lang)?
        .into_iter()
        .map(|p| (p.code, p.name))
        .collect();
    let mut lines = st.store.budget_lines(None).await.page(lang)?;
    lines.retain(|b| scope.covers(&b.programme_code));
    let table = kechuang_ingest::export::Table {
        sheet: "预算执行",
        headers: &[
            "资金项目",
            "项目代码",
            "年度",
            "预算(元)",
            "待批(元)",
            "已批准(元)",
            "已拨付(元)",
            "可用余额(元)",
            "拨付率(%)",
        ],
        rows: lines
            .iter()
            .map(|b| {
                vec![
                    names.get(&b.programme_code).cloned().unwrap_or_default(),
                    b.programme_code.clone(),
                    b.year.to_string(),
                    b.amount.plain_text(),
                    b.proposed.plain_text(),
                    b.committed.plain_text(),
                    b.paid.plain_text(),
                    b.available().plain_text(),
                    if b.amount.0 > 0 {
                        format!("{:.1}", b.paid.0 as f64 * 100.0 / b.amount.0 as f64)
                    } else {
                        String::new()
                    },
                ]
            })
            .collect(),
        numeric: &[3, 4, 5, 6, 7, 8],
    };
    sheet_download(&table, format, &format!("budgets.{}", format.ext()), lang)
}

/// A programme's ledger (commitments and payments) as a spreadsheet, newest first.
pub async fn ledger_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = SheetFormat::of(&file, "ledger", lang)?;
    let scope = svc::funds_scope(&st.store, &who).await.page(lang)?;
    svc::programme(&st.store, &scope, &code).await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let mut rows = Vec::new();
    for page in 1.. {
        let (items, total) = st.store.ledger(Some(&code), page, 1000).await.page(lang)?;
        rows.extend(items.iter().map(|l| {
            vec![
                l.occurred_on.clone(),
                if l.entry == "payment" {
                    "拨付"
                } else {
                    "批准"
                }
                .to_owned(),
                l.recipient.clone(),
                l.uscc.clone(),
                county_name(&tree, &l.region_code),
                l.year.to_string(),
                l.amount.plain_text(),
                l.reference.clone(),
            ]
        }));
        if i64::from(page) * 1000 >= total {
            break;
        }
    }
    let table = kechuang_ingest::export::Table {
        sheet: "资金台账",
        headers: &[
            "日期",
            "类别",
            "企业名称",
            "统一社会信用代码",
            "县（市、区）",
            "年度",
            "金额(元)",
            "支付凭证号",
        ],
        rows,
        numeric: &[6],
    };
    sheet_download(
        &table,
        format,
        &format!("ledger-{code}.{}", format.ext()),
        lang,
    )
}

/// A batch preview as a spreadsheet (`preview-2019.xlsx`): every line with its status, for
/// checking against the certificate lists before a batch is generated.
pub async fn preview_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let year_text = file
        .strip_prefix("preview-")
        .and_then(|r| r.split('.').next())
        .unwrap_or_default();
    let format = SheetFormat::of(&file, &format!("preview-{year_text}"), lang)?;
    let year = svc::parse_year(year_text).page(lang)?;
    let scope = svc::funds_scope(&st.store, &who).await.page(lang)?;
    let p = svc::preview_batch(&st.store, &scope, &code, year)
        .await
        .page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "批次预览",
        headers: &[
            "企业名称",
            "统一社会信用代码",
            "县（市、区）",
            "依据",
            "金额(元)",
            "状态",
        ],
        rows: p
            .preview
            .lines
            .iter()
            .map(|l| {
                let e = &l.entitlement;
                vec![
                    e.name.clone(),
                    e.uscc.clone(),
                    county_name(&tree, &e.region_code),
                    e.basis.clone(),
                    e.amount.plain_text(),
                    match &l.status {
                        LineStatus::Due => tr.preview_due.to_owned(),
                        LineStatus::AlreadyAwarded { batch } => {
                            format!("{} · {} {batch}", tr.preview_already, tr.batch)
                        }
                        LineStatus::OverBudget => tr.preview_over.to_owned(),
                    },
                ]
            })
            .collect(),
        numeric: &[4],
    };
    sheet_download(&table, format, &file, lang)
}

#[derive(Deserialize)]
pub struct CommitForm {
    year: String,
}

/// Creates a batch from a fresh preview, then shows it.
pub async fn commit(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(code): Path<String>,
    Form(f): Form<CommitForm>,
) -> Result<Response, PageError> {
    let year = svc::parse_year(&f.year).page(v.lang)?;
    let scope = svc::funds_scope(&st.store, &who).await.page(v.lang)?;
    match svc::commit_batch(&st.store, &scope, &code, year, &who.actor()).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/batches/{id}")).into_response()),
        Err(e) => programme_page(&st, &v, &who, &uri, &code, Ask::year(year), Some(e)).await,
    }
}

// ---- one batch ---------------------------------------------------------------------------

struct AwardRow {
    uscc: String,
    name: String,
    county: String,
    basis: String,
    amount: String,
    status: &'static str,
    standing: bool,
}

struct ObjectionRow {
    id: i64,
    about: String,
    text: String,
    from: String,
    at: String,
    open: bool,
    status: &'static str,
    resolution: String,
}

struct ActionView {
    code: &'static str,
    label: &'static str,
    class: &'static str,
}

struct HistoryRow {
    at: String,
    actor: String,
    change: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    chrome: Chrome,
    csrf: String,
    can_act: bool,
    id: i64,
    programme_code: String,
    programme_name: String,
    year: i32,
    status: &'static str,
    status_class: &'static str,
    total: String,
    awards_count: i64,
    notice: String,
    paid: String,
    created: String,
    actions: Vec<ActionView>,
    /// The viewer generated the batch and so may not approve it.
    duties_note: bool,
    publish: bool,
    pay: bool,
    today: String,
    awards: Vec<AwardRow>,
    objections: Vec<ObjectionRow>,
    open_objections: i64,
    /// Addresses with more than one open objection, and how many: a flood to dismiss at once.
    floods: Vec<(String, usize)>,
    history: Vec<HistoryRow>,
    error: String,
    exportable: bool,
}

fn action_label(a: BatchAction, lang: Lang) -> &'static str {
    lang.pick(a.name(), a.name_en())
}

async fn batch_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    id: i64,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let tr = lang.tr();
    let scope = svc::funds_scope(&st.store, who).await.page(lang)?;
    let b = svc::batch(&st.store, &scope, id).await.page(lang)?;
    let awards = st.store.batch_awards(id).await.page(lang)?;
    let objections = st.store.objections(id).await.page(lang)?;
    let transitions = st.store.batch_transitions(id).await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let names: HashMap<i64, String> = awards.iter().map(|a| (a.id, a.name.clone())).collect();
    let separate = svc::programme(&st.store, &scope, &b.programme_code)
        .await
        .page(lang)?
        .separate_duties;
    // Separation of duties: the officer who generated the batch is not offered its approval.
    let own_batch = separate && b.created_by == who.username();
    let open: Vec<BatchAction> = actions(b.status)
        .into_iter()
        .filter(|a| !(own_batch && *a == BatchAction::Approve))
        .collect();
    let duties_note = own_batch && actions(b.status).contains(&BatchAction::Approve);
    let page = BatchPage {
        duties_note,
        chrome: Chrome::new(
            v,
            "programmes",
            format!("{} {} · {} {}", b.programme_name, b.year, tr.batch, b.id),
            uri,
            None,
        ),
        csrf: who.csrf().to_owned(),
        can_act: who.role() == kechuang_domain::auth::Role::Bureau,
        id: b.id,
        programme_code: b.programme_code.clone(),
        programme_name: b.programme_name.clone(),
        year: b.year,
        status: stage_name(&b, lang),
        status_class: status_class(b.status),
        total: yuan(b.total),
        awards_count: b.award_count,
        notice: notice_text(&b, lang),
        paid: match &b.paid_on {
            Some(d) => format!("{d} {}", b.payment_ref),
            None => String::new(),
        },
        created: format!("{} · {}", b.created_by, format::timestamp(&b.created_at)),
        publish: open.contains(&BatchAction::Publish),
        pay: open.contains(&BatchAction::Pay),
        actions: open
            .iter()
            .filter(|a| !matches!(a, BatchAction::Publish | BatchAction::Pay))
            .map(|a| ActionView {
                code: a.code(),
                label: action_label(*a, lang),
                class: if *a == BatchAction::Void {
                    "danger"
                } else {
                    ""
                },
            })
            .collect(),
        today: format::today_in_china().to_string(),
        awards: awards
            .iter()
            .map(|a| AwardRow {
                uscc: a.uscc.clone(),
                name: a.name.clone(),
                county: county_name(&tree, &a.region_code),
                basis: a.basis.clone(),
                amount: yuan(a.amount),
                status: award_status(a.status, tr),
                standing: a.status.standing(),
            })
            .collect(),
        floods: {
            let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
            for o in objections
                .iter()
                .filter(|o| o.status == ObjectionStatus::Open)
            {
                *by.entry(o.client.as_str()).or_default() += 1;
            }
            by.into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(c, n)| (c.to_owned(), n))
                .collect()
        },
        objections: objections
            .iter()
            .map(|o| ObjectionRow {
                id: o.id,
                about: o
                    .award_id
                    .and_then(|a| names.get(&a).cloned())
                    .unwrap_or_else(|| tr.objection_whole.into()),
                text: o.text.clone(),
                from: [o.name.as_str(), o.contact.as_str(), o.client.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" · "),
                at: format::timestamp(&o.submitted_at),
                open: o.status == ObjectionStatus::Open,
                status: match o.status {
                    ObjectionStatus::Open => lang.pick("待处理", "Open"),
                    ObjectionStatus::Upheld => lang.pick("异议成立", "Upheld"),
                    ObjectionStatus::Dismissed => lang.pick("异议不成立", "Dismissed"),
                },
                resolution: o.resolution.clone(),
            })
            .collect(),
        open_objections: b.open_objections,
        history: transitions
            .iter()
            .rev()
            .map(|t| HistoryRow {
                at: format::timestamp(&t.at),
                actor: t.actor.clone(),
                change: match (BatchStatus::parse(&t.from), BatchStatus::parse(&t.to)) {
                    (Some(a), Some(b)) => {
                        format!("{} → {}", status_name(a, lang), status_name(b, lang))
                    }
                    (_, Some(b)) => status_name(b, lang).to_owned(),
                    _ => t.to.clone(),
                },
                comment: t.comment.clone(),
            })
            .collect(),
        error,
        exportable: b.status != BatchStatus::Void,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn batch(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    batch_page(&st, &v, &who, &uri, id, None).await
}

#[derive(Deserialize)]
pub struct StepForm {
    action: String,
    comment: Option<String>,
    notice_start: Option<String>,
    paid_on: Option<String>,
    payment_ref: Option<String>,
}

/// Takes a workflow step; a refusal (out of order, notice running, budget short) comes back
/// on the batch page with its reason.
pub async fn step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    let done = async {
        let s = svc::step(
            &f.action,
            f.comment.as_deref(),
            f.notice_start.as_deref(),
            f.paid_on.as_deref(),
            f.payment_ref.as_deref(),
        )?;
        let scope = svc::funds_scope(&st.store, &who).await?;
        svc::take_step(&st.store, &scope, id, &s, &who.actor()).await
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/batches/{id}")).into_response()),
        Err(e) => batch_page(&st, &v, &who, &uri, id, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct ResolveForm {
    decision: String,
    resolution: String,
}

pub async fn resolve_objection(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((id, objection)): Path<(i64, i64)>,
    Form(f): Form<ResolveForm>,
) -> Result<Response, PageError> {
    let scope = svc::funds_scope(&st.store, &who).await.page(v.lang)?;
    let upheld = f.decision == "uphold";
    let done = svc::resolve_objection(
        &st.store,
        &scope,
        id,
        objection,
        upheld,
        &f.resolution,
        &who.actor(),
    )
    .await;
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/batches/{id}")).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => batch_page(&st, &v, &who, &uri, id, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct DismissForm {
    /// An address to dismiss the open objections of; empty: every open objection.
    #[serde(default)]
    from: String,
    resolution: String,
}

/// Dismisses a batch's open objections at once, all or one address's: a flood is answered in
/// one step, with one resolution, all of it audited.
pub async fn dismiss_objections(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<DismissForm>,
) -> Result<Response, PageError> {
    let scope = svc::funds_scope(&st.store, &who).await.page(v.lang)?;
    let done = svc::dismiss_objections(
        &st.store,
        &scope,
        id,
        Some(f.from.as_str()),
        &f.resolution,
        &who.actor(),
    )
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/batches/{id}#objections")).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => batch_page(&st, &v, &who, &uri, id, Some(e)).await,
    }
}

/// The notice list (for publication) or the payment list (for the finance department).
pub async fn export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let (payment, format) = match SheetFormat::of(&file, "payment", lang) {
        Ok(f) => (true, f),
        Err(_) => (false, SheetFormat::of(&file, "notice", lang)?),
    };
    let scope = svc::funds_scope(&st.store, &who).await.page(lang)?;
    let b = svc::batch(&st.store, &scope, id).await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let awards: Vec<AwardRecord> = st
        .store
        .batch_awards(id)
        .await
        .page(lang)?
        .into_iter()
        .filter(|a| a.status.standing())
        .collect();
    let table = if payment {
        kechuang_ingest::export::Table {
            sheet: "拨付清单",
            headers: &[
                "序号",
                "收款单位",
                "统一社会信用代码",
                "所属县区",
                "资金项目",
                "年度",
                "金额(元)",
                "拨付日期",
                "拨付凭证号",
            ],
            rows: awards
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        (i + 1).to_string(),
                        a.name.clone(),
                        a.uscc.clone(),
                        county_name(&tree, &a.region_code),
                        b.programme_name.clone(),
                        b.year.to_string(),
                        a.amount.plain_text(),
                        b.paid_on.clone().unwrap_or_default(),
                        b.payment_ref.clone(),
                    ]
                })
                .collect(),
            numeric: &[6],
        }
    } else {
        kechuang_ingest::export::Table {
            sheet: "公示名单",
            headers: &[
                "序号",
                "企业名称",
                "统一社会信用代码",
                "所属县区",
                "奖补依据",
                "金额(元)",
            ],
            rows: awards
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        (i + 1).to_string(),
                        a.name.clone(),
                        a.uscc.clone(),
                        county_name(&tree, &a.region_code),
                        a.basis.clone(),
                        a.amount.plain_text(),
                    ]
                })
                .collect(),
            numeric: &[5],
        }
    };
    let name = format!(
        "{}-{}-{id}-{}.{}",
        b.programme_code,
        b.year,
        if payment { "payment" } else { "notice" },
        format.ext()
    );
    sheet_download(&table, format, &name, lang)
}

// ---- public notices ------------------------------------------------------------------------

struct NoticeRow {
    id: i64,
    title: String,
    period: String,
    count: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    chrome: Chrome,
    running: Vec<NoticeRow>,
    ended: Vec<NoticeRow>,
}

fn is_running(b: &BatchRecord, today: NaiveDate) -> bool {
    b.stage(today).taking_objections()
}

pub async fn notices(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let today = format::today_in_china();
    let all = st.store.notices().await.page(lang)?;
    let row = |b: &BatchRecord| NoticeRow {
        id: b.id,
        title: format!("{}年度{}名单", b.year, b.programme_name),
        period: notice_text(b, lang),
        count: b.award_count,
        total: yuan(b.total),
    };
    let page = NoticesPage {
        chrome: Chrome::new(&v, "notices", lang.tr().notices_title.into(), &uri, None),
        running: all
            .iter()
            .filter(|b| is_running(b, today))
            .map(row)
            .collect(),
        ended: all
            .iter()
            .filter(|b| !is_running(b, today) && b.notice_window().is_some_and(|(s, _)| s <= today))
            .map(row)
            .collect(),
    };
    render(&page, lang)
}

struct PublicAward {
    id: i64,
    name: String,
    county: String,
    basis: String,
    amount: String,
    withdrawn: bool,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    chrome: Chrome,
    id: i64,
    title: String,
    basis: String,
    period: String,
    running: bool,
    awards: Vec<PublicAward>,
    total: String,
    thanks: bool,
    error: String,
    /// What was typed, when an objection comes back refused.
    typed: ObjectionForm,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    sent: Option<String>,
}

/// The public notice; `refused` is an objection's refusal, shown with the text as typed.
async fn notice_page(
    st: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    thanks: bool,
    refused: Option<(AppError, ObjectionForm)>,
) -> Result<Response, PageError> {
    let (typed, refused) = match refused {
        Some((e, typed)) => (typed, Some(e)),
        None => (ObjectionForm::default(), None),
    };
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let today = format::today_in_china();
    let b = st.store.batch(id).await.page(lang)?;
    // Only published notices are public; anything else is as if it did not exist.
    if b.notice_window().is_none_or(|(s, _)| s > today) || b.status == BatchStatus::Void {
        return Err(PageError(AppError::not_found(Absent::Notice { id }), lang));
    }
    let p = st.store.programme(&b.programme_code).await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let awards = st.store.batch_awards(id).await.page(lang)?;
    let title = format!("{}年度{}名单公示", b.year, b.programme_name);
    let page = NoticePage {
        chrome: Chrome::new(v, "notices", title.clone(), uri, None),
        id,
        title,
        basis: p.basis,
        period: notice_text(&b, lang),
        running: is_running(&b, today),
        awards: awards
            .iter()
            .filter(|a| a.status != AwardStatus::Void)
            .map(|a| PublicAward {
                id: a.id,
                name: a.name.clone(),
                county: county_name(&tree, &a.region_code),
                basis: a.basis.clone(),
                amount: yuan(a.amount),
                withdrawn: a.status == AwardStatus::Withdrawn,
            })
            .collect(),
        total: yuan(b.total),
        thanks,
        error,
        typed,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn notice(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    notice_page(&st, &v, &uri, id, q.sent.is_some(), None).await
}

#[derive(Deserialize, Default)]
pub struct ObjectionForm {
    award: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    text: String,
}

/// Anyone may object while a notice runs. No session is involved, so there is nothing for a
/// forged request to borrow; lengths are bounded so the form cannot be used to store bulk.
pub async fn object(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Extension(Client(client)): Extension<Client>,
    Path(id): Path<i64>,
    Form(f): Form<ObjectionForm>,
) -> Result<Response, PageError> {
    let award = match f.award.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(a) => a
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::invalid(RequestProblem::NotAnAward { raw: a.to_owned() })),
    };
    let done = async {
        let o = NewObjection {
            batch_id: id,
            award_id: award?,
            name: f.name.clone(),
            contact: f.contact.clone(),
            text: f.text.clone(),
            client: client.clone(),
        };
        svc::object(&st.store, &o).await
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/notices/{id}?sent=1#objection")).into_response()),
        Err(e) => notice_page(&st, &v, &uri, id, false, Some((e, f))).await,
    }
}
