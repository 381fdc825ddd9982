//! The loans: the list and its filters, a bank's (or the bureau's) upload of a loan file, one
//! loan with its history and what a claim on it would bring; the compensation claims with the
//! bureau's steps and recoveries.

use super::super::{render, shown, Chrome, OrPage, PageError, Viewer};
use super::{class_name, class_style, counties, one_page, region_name, wan};
use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::Role;
use kechuang_domain::finance::{claim_actions, LoanClass};
use kechuang_service::finance::{self as service};
use kechuang_service::imports::{self, FileKind, Upload};
use serde::Deserialize;

/// The blank loan file a bank fills in: the importer's headers and an example row.
pub async fn loan_template(v: Viewer, _: Caller) -> Result<Response, PageError> {
    let table = imports::template(FileKind::Loans).page(v.lang)?;
    crate::pages::sheet_download(
        &table,
        crate::pages::SheetFormat::Xlsx,
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

/// A loan as the list and its page show it.
fn loan_row(
    l: &kechuang_store::LoanRecord,
    tree: &kechuang_domain::region::RegionTree,
    lang: crate::i18n::Lang,
) -> LoanRow {
    LoanRow {
        contract_no: l.contract_no.clone(),
        bank: l.bank.clone(),
        name: l.name.clone(),
        county: region_name(tree, lang, &l.region_code),
        issued: crate::format::day_text(&l.issued_on, lang),
        due: crate::format::day_text(&l.due_on, lang),
        amount: wan(l.amount),
        balance: wan(l.balance),
        class: class_name(l.classification, lang.is_en()),
        class_style: class_style(l.classification),
        in_pool: l.in_pool,
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
    pager: crate::pages::Pager,
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
    let pager = crate::pages::pager(
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
        loans: loans.iter().map(|l| loan_row(l, &tree, lang)).collect(),
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
        counties: counties(&tree, lang),
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

/// The loans the caller sees, with the list's filters, in the bank files' own format: the
/// export of a bank's loans is a loan file it can send again unchanged.
pub async fn export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(file): Path<String>,
    Query(q): Query<LoanFilter>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let format = crate::pages::SheetFormat::of(&file, "loans", lang)?;
    let loans = service::loans(
        &st.store,
        &who,
        &service::LoanQuery {
            bank: Some(&q.bank),
            region: Some(&q.region),
            classification: Some(&q.classification),
        },
    )
    .await
    .page(lang)?;
    let table = kechuang_ingest::export::Table {
        sheet: "贷款台账",
        headers: &kechuang_ingest::finance::LOAN_HEADERS,
        rows: loans
            .iter()
            .map(|l| {
                vec![
                    l.contract_no.clone(),
                    l.uscc.clone(),
                    l.name.clone(),
                    l.bank.clone(),
                    l.issued_on.clone(),
                    l.due_on.clone(),
                    l.amount.wan_text(),
                    l.balance.wan_text(),
                    l.classification.name().to_owned(),
                    l.guarantee.clone(),
                ]
            })
            .collect(),
        numeric: &[6, 7],
    };
    crate::pages::sheet_download(&table, format, &file, lang)
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
    let bad = crate::pages::unreadable_form(lang);
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
            year: None,
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
        loan: loan_row(l, &tree, lang),
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
    /// Who reviewed and approved, and when it was paid, as the row's footnote.
    trail: String,
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
                county: region_name(&tree, lang, &c.region_code),
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
                trail: [
                    c.reviewed_by
                        .as_ref()
                        .map(|r| format!("{} {r}", tr.fin_review)),
                    c.approved_by
                        .as_ref()
                        .map(|r| format!("{} {r}", tr.fin_approve)),
                    c.paid_on
                        .as_ref()
                        .map(|d| format!("{} {}", tr.fin_pay, crate::format::day_text(d, lang))),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
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
