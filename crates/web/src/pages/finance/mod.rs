//! Tech finance pages: the overview (reserve, banks, the report by bank and county), the pool
//! (online entry and its timing), the banks' loans and their upload, one loan with its claim,
//! the compensation claims, and the seed fund.

use super::{counties, region_name, render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::Role;
use kechuang_domain::finance::LoanClass;
use kechuang_domain::money::Fen;
use kechuang_service::finance::{self as service, AgreementInput, Officer};
use serde::Deserialize;

mod loans;
mod pool;
mod seed;
pub use loans::*;
pub use pool::*;
pub use seed::*;

pub(super) fn wan(f: Fen) -> String {
    f.wan_text()
}

pub(super) fn pct(bp: i64) -> String {
    format!("{}%", bp as f64 / 100.0)
}

pub(super) fn days(d: Option<(f64, i64)>) -> (String, String) {
    d.map_or(("—".into(), "—".into()), |(m, s)| {
        (crate::format::number(m), s.to_string())
    })
}

/// A bank's agreement in words: share, bonus, caps.
pub(super) fn terms_text(a: &kechuang_store::AgreementRecord, en: bool) -> String {
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

/// One page of a list gathered whole (a city's loans or members number in the hundreds).
pub(super) fn one_page<T>(all: Vec<T>, page: Option<u32>, per_page: u32) -> (Vec<T>, i64, u32) {
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

pub(super) fn class_name(c: LoanClass, en: bool) -> &'static str {
    if en {
        c.name_en()
    } else {
        c.name()
    }
}

pub(super) fn class_style(c: LoanClass) -> &'static str {
    match c {
        LoanClass::Normal => "on_track",
        LoanClass::SpecialMention => "plain",
        _ => "behind",
    }
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
    limit: String,
    over_limit: bool,
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
        limit: l.limit.map_or("—".into(), wan),
        over_limit: l.over_limit(),
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
        by_county: report
            .by_county
            .iter()
            .map(|l| ReportRow {
                name: region_name(&tree, lang, &l.key),
                ..report_row(l)
            })
            .collect(),
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
                        .map_or(tr.fin_source_county.to_owned(), |r| {
                            region_name(&tree, lang, r)
                        }),
                    _ => String::new(),
                },
                amount: wan(e.amount),
                note: e.note.clone(),
            })
            .collect(),
        counties: counties(&tree, lang),
        today: crate::format::date(crate::format::today_in_china(), lang),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
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
