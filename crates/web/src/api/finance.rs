//! Tech finance over JSON: partner banks and agreements, the reserve, pool entry, loans,
//! compensation claims and recoveries, the seed fund and the report by bank and county.
//! Money is in fen; a bank's account sees its own bank's records only.

use crate::auth::Caller;
use crate::error::{api_lang, ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use kechuang_service::finance::{self as service, AgreementInput, Officer};
use kechuang_store::{
    AgreementRecord, ClaimRecord, LoanRecord, MemberRecord, PoolApplicationRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Agreement {
    id: i64,
    starts_on: String,
    ends_on: String,
    /// Basis points of the lost principal (3000 = 30%).
    share_bp: i64,
    bonus_share_bp: Option<i64>,
    /// Fen.
    cap_per_loan: Option<i64>,
    cap_per_enterprise: Option<i64>,
    cap_per_bank_year: Option<i64>,
    total_multiple: Option<f64>,
    max_loan: Option<i64>,
    rate_ceiling_bp: Option<i64>,
    eligible_kinds: Vec<String>,
    overdue_days: Option<i64>,
}

impl From<AgreementRecord> for Agreement {
    fn from(a: AgreementRecord) -> Self {
        Self {
            id: a.id,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            share_bp: a.share_bp,
            bonus_share_bp: a.bonus_share_bp,
            cap_per_loan: a.cap_per_loan.map(|f| f.0),
            cap_per_enterprise: a.cap_per_enterprise.map(|f| f.0),
            cap_per_bank_year: a.cap_per_bank_year.map(|f| f.0),
            total_multiple: a.total_multiple,
            max_loan: a.max_loan.map(|f| f.0),
            rate_ceiling_bp: a.rate_ceiling_bp,
            eligible_kinds: a.eligible_kinds,
            overdue_days: a.overdue_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Bank {
    id: i64,
    uscc: String,
    name: String,
    /// The agreement in force today, if any.
    current: Option<Agreement>,
    agreements: Vec<Agreement>,
}

#[derive(Serialize, ToSchema)]
pub struct BankList {
    items: Vec<Bank>,
}

/// Partner banks with their agreements: all of them, or a bank's own for its staff.
#[utoipa::path(get, path = "/api/v1/finance/banks", tag = "finance",
    responses((status = 200, description = "Partner banks", body = BankList)))]
pub async fn banks(State(st): State<AppState>, who: Caller) -> Result<Json<BankList>, ApiError> {
    let items = service::banks(&st.store, &who)
        .await?
        .into_iter()
        .map(|b| Bank {
            id: b.bank.id,
            uscc: b.bank.uscc,
            name: b.bank.name,
            current: b.current.map(Into::into),
            agreements: b.agreements.into_iter().map(Into::into).collect(),
        })
        .collect();
    Ok(Json(BankList { items }))
}

/// An agreement's terms as typed: percents, amounts in 万元 (or with a unit), dates as written.
#[derive(Deserialize, ToSchema, Default)]
pub struct Terms {
    #[serde(default)]
    #[schema(format = Date)]
    starts_on: Option<String>,
    #[serde(default)]
    #[schema(format = Date)]
    ends_on: Option<String>,
    /// Percent of the lost principal, e.g. "30".
    #[schema(max_length = 20)]
    share: String,
    #[serde(default)]
    #[schema(max_length = 20)]
    bonus_share: Option<String>,
    #[serde(default)]
    #[schema(max_length = 30)]
    cap_per_loan: Option<String>,
    #[serde(default)]
    #[schema(max_length = 30)]
    cap_per_enterprise: Option<String>,
    #[serde(default)]
    #[schema(max_length = 30)]
    cap_per_bank_year: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    total_multiple: Option<String>,
    #[serde(default)]
    #[schema(max_length = 30)]
    max_loan: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    rate_ceiling: Option<String>,
    /// Certificate kinds, comma-separated.
    #[serde(default)]
    #[schema(max_length = 200)]
    eligible_kinds: Option<String>,
    #[serde(default)]
    #[schema(max_length = 10)]
    overdue_days: Option<String>,
}

impl TryFrom<Terms> for AgreementInput {
    type Error = AppError;
    fn try_from(t: Terms) -> Result<Self, AppError> {
        let s = |o: Option<String>| o.unwrap_or_default();
        Ok(AgreementInput {
            starts_on: super::sent_day("starts_on", t.starts_on)?,
            ends_on: super::sent_day("ends_on", t.ends_on)?,
            share: t.share,
            bonus_share: s(t.bonus_share),
            cap_per_loan: s(t.cap_per_loan),
            cap_per_enterprise: s(t.cap_per_enterprise),
            cap_per_bank_year: s(t.cap_per_bank_year),
            total_multiple: s(t.total_multiple),
            max_loan: s(t.max_loan),
            rate_ceiling: s(t.rate_ceiling),
            eligible_kinds: s(t.eligible_kinds),
            overdue_days: s(t.overdue_days),
        })
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewBank {
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[schema(min_length = 18, max_length = 18)]
    uscc: String,
    terms: Terms,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    id: i64,
}

/// Registers a partner bank with its first agreement.
#[utoipa::path(post, path = "/api/v1/finance/banks", tag = "finance",
    request_body = NewBank,
    responses((status = 201, description = "Registered", body = Created)))]
pub async fn add_bank(
    State(st): State<AppState>,
    who: Caller,
    Json(b): Json<NewBank>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let officer = Officer::Bureau(who.as_bureau()?);
    let id = service::add_bank(&st.store, &officer, &b.name, &b.uscc, &b.terms.try_into()?).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Adds an agreement to a bank (a renewal, or new terms from a date).
#[utoipa::path(post, path = "/api/v1/finance/banks/{id}/agreements", tag = "finance",
    params(("id" = i64, Path, description = "The bank's id")),
    request_body = Terms,
    responses((status = 201, description = "Added", body = Created)))]
pub async fn add_agreement(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(t): Json<Terms>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let officer = Officer::Bureau(who.as_bureau()?);
    let id = service::add_agreement(&st.store, &officer, id, &t.try_into()?).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct ReserveEntry {
    id: i64,
    /// contribution, compensation or recovery.
    entry: String,
    /// For contributions: province, city or county.
    source: String,
    region_code: Option<String>,
    /// Fen.
    amount: i64,
    occurred_on: String,
    claim_id: Option<i64>,
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Reserve {
    on: String,
    /// Fen, up to and including `on`.
    contributions: i64,
    compensation: i64,
    recoveries: i64,
    balance: i64,
    entries: Vec<ReserveEntry>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// The date [default: today].
    #[param(format = Date)]
    on: Option<String>,
}

/// The credit risk reserve at a date: contributions, compensation paid, recoveries, balance.
#[utoipa::path(get, path = "/api/v1/finance/reserve", tag = "finance", params(OnQuery),
    responses((status = 200, description = "The reserve", body = Reserve)))]
pub async fn reserve(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<OnQuery>,
) -> Result<Json<Reserve>, ApiError> {
    // Sent empty is refused rather than read as today, as with every other date parameter.
    let on = super::as_of(q.on.as_deref())?.to_string();
    let r = service::reserve(&st.store, &who, Some(&on)).await?;
    Ok(Json(Reserve {
        on: r.on.to_string(),
        contributions: r.balance.contributions.0,
        compensation: r.balance.compensation.0,
        recoveries: r.balance.recoveries.0,
        balance: r.balance.balance().0,
        entries: r
            .entries
            .into_iter()
            .map(|e| ReserveEntry {
                id: e.id,
                entry: e.entry,
                source: e.source,
                region_code: e.region_code,
                amount: e.amount.0,
                occurred_on: e.occurred_on,
                claim_id: e.claim_id,
                note: e.note,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct Contribution {
    /// province, city or county.
    #[schema(max_length = 20)]
    source: String,
    /// The county, for a county's contribution.
    #[serde(default)]
    #[schema(max_length = 12)]
    region: Option<String>,
    /// 万元, or with a unit.
    #[schema(max_length = 30)]
    amount: String,
    #[schema(format = Date)]
    occurred_on: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    note: Option<String>,
}

/// Records a contribution to the reserve.
#[utoipa::path(post, path = "/api/v1/finance/reserve/contributions", tag = "finance",
    request_body = Contribution,
    responses((status = 201, description = "Recorded", body = Created)))]
pub async fn contribute(
    State(st): State<AppState>,
    who: Caller,
    Json(c): Json<Contribution>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let officer = Officer::Bureau(who.as_bureau()?);
    let id = service::contribute(
        &st.store,
        &officer,
        &c.source,
        c.region.as_deref().unwrap_or_default(),
        &c.amount,
        &c.occurred_on,
        c.note.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct PoolApplication {
    id: i64,
    uscc: String,
    name: String,
    region_code: String,
    /// submitted, recommended, admitted or declined.
    status: String,
    /// Fen.
    requested: i64,
    purpose: String,
    /// The banks chosen, by name.
    banks: Vec<String>,
    submitted_at: String,
    recommended_at: Option<String>,
    decided_at: Option<String>,
    comment: String,
}

impl From<PoolApplicationRecord> for PoolApplication {
    fn from(a: PoolApplicationRecord) -> Self {
        Self {
            id: a.id,
            uscc: a.uscc,
            name: a.name,
            region_code: a.region_code,
            status: a.status.code().to_owned(),
            requested: a.requested.0,
            purpose: a.purpose,
            banks: a.banks.into_iter().map(|(_, n)| n).collect(),
            submitted_at: a.submitted_at,
            recommended_at: a.recommended_at,
            decided_at: a.decided_at,
            comment: a.comment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Member {
    id: i64,
    uscc: String,
    name: String,
    region_code: String,
    admitted_on: String,
    left_on: Option<String>,
    valid_until: Option<String>,
    bank: Option<String>,
    application_id: Option<i64>,
}

impl From<MemberRecord> for Member {
    fn from(m: MemberRecord) -> Self {
        Self {
            id: m.id,
            uscc: m.uscc,
            name: m.name,
            region_code: m.region_code,
            admitted_on: m.admitted_on,
            left_on: m.left_on,
            valid_until: m.valid_until,
            bank: m.bank,
            application_id: m.application_id,
        }
    }
}

/// Days at a stage: median and slowest.
#[derive(Serialize, ToSchema)]
pub struct Days {
    median: f64,
    slowest: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StageTimes {
    /// The county; empty for all together.
    region_code: String,
    county: Option<Days>,
    bureau: Option<Days>,
    total: Option<Days>,
    admitted: usize,
}

impl From<service::StageTimes> for StageTimes {
    fn from(t: service::StageTimes) -> Self {
        let d = |x: Option<(f64, i64)>| x.map(|(median, slowest)| Days { median, slowest });
        Self {
            region_code: t.region_code,
            county: d(t.county),
            bureau: d(t.bureau),
            total: d(t.total),
            admitted: t.admitted,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Pool {
    applications: Vec<PoolApplication>,
    members: Vec<Member>,
    /// Days from application to admission, per county and stage.
    times: Vec<StageTimes>,
    overall: StageTimes,
    /// The entry rule (CEL).
    rule: String,
    validity_months: i64,
}

/// The pool as the caller sees it: applications, members, and how long admission takes.
#[utoipa::path(get, path = "/api/v1/finance/pool", tag = "finance",
    responses((status = 200, description = "The pool", body = Pool)))]
pub async fn pool(State(st): State<AppState>, who: Caller) -> Result<Json<Pool>, ApiError> {
    let p = service::pool(&st.store, &who).await?;
    Ok(Json(Pool {
        applications: p.applications.into_iter().map(Into::into).collect(),
        members: p.members.into_iter().map(Into::into).collect(),
        times: p.times.into_iter().map(Into::into).collect(),
        overall: p.overall.into(),
        rule: p.rule,
        validity_months: p.validity_months,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PoolApply {
    /// The loan sought, 万元.
    #[schema(max_length = 30)]
    requested: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    purpose: Option<String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    contact: Option<String>,
    /// Partner banks chosen, by id.
    #[schema(min_items = 1, max_items = 50)]
    banks: Vec<i64>,
}

/// An enterprise applies to the pool; the rule decides whether it may.
#[utoipa::path(post, path = "/api/v1/finance/pool/applications", tag = "finance",
    request_body = PoolApply,
    responses((status = 201, description = "Submitted", body = PoolApplication)))]
pub async fn apply(
    State(st): State<AppState>,
    who: Caller,
    Json(a): Json<PoolApply>,
) -> Result<(StatusCode, Json<PoolApplication>), ApiError> {
    let input = service::PoolInput {
        requested: a.requested,
        purpose: a.purpose.unwrap_or_default(),
        contact: a.contact.unwrap_or_default(),
        banks: a.banks.into_iter().take(50).collect(),
    };
    let id = service::apply_to_pool(&st.store, who.as_applicant()?, &input).await?;
    let app = service::pool_application(&st.store, &who, id).await?;
    Ok((StatusCode::CREATED, Json(app.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct Step {
    /// recommend (county), admit or decline (bureau, county).
    #[schema(max_length = 20)]
    action: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    comment: Option<String>,
}

/// The county recommends or declines an application; the bureau admits or declines it.
#[utoipa::path(post, path = "/api/v1/finance/pool/applications/{id}/steps", tag = "finance",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = Step,
    responses((status = 200, description = "The application after the step", body = PoolApplication)))]
pub async fn pool_step(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(s): Json<Step>,
) -> Result<Json<PoolApplication>, ApiError> {
    service::act_on_pool_application(
        &st.store,
        &who,
        id,
        &s.action,
        s.comment.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(
        service::pool_application(&st.store, &who, id).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Loan {
    contract_no: String,
    bank_id: i64,
    bank: String,
    uscc: String,
    name: String,
    region_code: String,
    issued_on: String,
    due_on: String,
    /// Fen.
    amount: i64,
    balance: i64,
    /// normal, special_mention, substandard, doubtful or loss.
    classification: String,
    guarantee: String,
    revision: i64,
    /// Lent while the enterprise was a pool member.
    in_pool: bool,
}

impl From<LoanRecord> for Loan {
    fn from(l: LoanRecord) -> Self {
        Self {
            contract_no: l.contract_no,
            bank_id: l.bank_id,
            bank: l.bank,
            uscc: l.uscc,
            name: l.name,
            region_code: l.region_code,
            issued_on: l.issued_on,
            due_on: l.due_on,
            amount: l.amount.0,
            balance: l.balance.0,
            classification: l.classification.code().to_owned(),
            guarantee: l.guarantee,
            revision: l.revision,
            in_pool: l.in_pool,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoanList {
    total: usize,
    items: Vec<Loan>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoanParams {
    /// A partner bank's id.
    bank: Option<String>,
    /// A county's code: its enterprises' loans.
    region: Option<String>,
    /// normal, special_mention, substandard, doubtful or loss.
    classification: Option<String>,
}

/// The loans in the caller's scope: a bank's own, the officers' region's.
#[utoipa::path(get, path = "/api/v1/finance/loans", tag = "finance", params(LoanParams),
    responses((status = 200, description = "Loans, newest first", body = LoanList)))]
pub async fn loans(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<LoanParams>,
) -> Result<Json<LoanList>, ApiError> {
    let items: Vec<Loan> = service::loans(
        &st.store,
        &who,
        &service::LoanQuery {
            bank: q.bank.as_deref(),
            region: q.region.as_deref(),
            classification: q.classification.as_deref(),
        },
    )
    .await?
    .into_iter()
    .map(Into::into)
    .collect();
    Ok(Json(LoanList {
        total: items.len(),
        items,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct LoanRevision {
    revision: i64,
    balance: i64,
    classification: String,
    file_name: String,
    recorded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimQuote {
    /// Fen.
    amount: i64,
    share_bp: u32,
    /// The rule applied, as a sentence.
    rule: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoanDetail {
    loan: Loan,
    history: Vec<LoanRevision>,
    claim: Option<Claim>,
    /// What a claim would bring today, when one can be made.
    quote: Option<ClaimQuote>,
    /// Why no claim can be made, when none can.
    not_claimable: Option<String>,
}

/// One loan with its monthly history, its claim, and what a claim would bring.
#[utoipa::path(get, path = "/api/v1/finance/loans/{contract_no}", tag = "finance",
    params(("contract_no" = String, Path, description = "The loan contract's number")),
    responses((status = 200, description = "The loan", body = LoanDetail)))]
pub async fn loan(
    State(st): State<AppState>,
    who: Caller,
    headers: axum::http::HeaderMap,
    Path(contract_no): Path<String>,
) -> Result<Json<LoanDetail>, ApiError> {
    let v = service::loan(&st.store, &who, &contract_no).await?;
    let problem_lang = api_lang(&headers);
    let (quote, not_claimable) = match &v.claimable {
        Ok((c, _)) => (
            Some(ClaimQuote {
                amount: c.amount.0,
                share_bp: c.share_bp,
                rule: c.explain(v.loan.balance, problem_lang),
            }),
            None,
        ),
        Err(e) => (None, Some(e.message(problem_lang))),
    };
    Ok(Json(LoanDetail {
        history: v
            .history
            .into_iter()
            .map(|h| LoanRevision {
                revision: h.revision,
                balance: h.balance.0,
                classification: h.classification.code().to_owned(),
                file_name: h.file_name,
                recorded_at: h.recorded_at,
            })
            .collect(),
        claim: v.claim.map(|c| claim_out(c, problem_lang)),
        loan: v.loan.into(),
        quote,
        not_claimable,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Claim {
    id: i64,
    contract_no: String,
    bank: String,
    uscc: String,
    name: String,
    region_code: String,
    /// claimed, reviewed, approved, paid or refused.
    status: String,
    /// Fen: the principal outstanding when claimed, the compensation, what recoveries returned.
    principal: i64,
    amount: i64,
    returned: i64,
    share_bp: i64,
    rule: String,
    claimed_by: String,
    claimed_at: String,
    reviewed_by: Option<String>,
    approved_by: Option<String>,
    paid_on: Option<String>,
    refused_reason: String,
}

fn claim_out(c: ClaimRecord, lang: kechuang_domain::problem::Lang) -> Claim {
    Claim {
        id: c.id,
        contract_no: c.contract_no,
        bank: c.bank,
        uscc: c.uscc,
        name: c.name,
        region_code: c.region_code,
        status: c.status.code().to_owned(),
        principal: c.principal.0,
        amount: c.amount.0,
        returned: c.returned.0,
        share_bp: c.share_bp,
        rule: if lang == kechuang_domain::problem::Lang::En {
            c.rule_en
        } else {
            c.rule_zh
        },
        claimed_by: c.claimed_by,
        claimed_at: c.claimed_at,
        reviewed_by: c.reviewed_by,
        approved_by: c.approved_by,
        paid_on: c.paid_on,
        refused_reason: c.refused_reason,
    }
}

/// A bank claims compensation for its non-performing loan; the amount follows its agreement.
#[utoipa::path(post, path = "/api/v1/finance/loans/{contract_no}/claims", tag = "finance",
    params(("contract_no" = String, Path, description = "The loan contract's number")),
    responses((status = 201, description = "Claimed", body = Claim)))]
pub async fn claim(
    State(st): State<AppState>,
    who: Caller,
    headers: axum::http::HeaderMap,
    Path(contract_no): Path<String>,
) -> Result<(StatusCode, Json<Claim>), ApiError> {
    let id = service::claim(&st.store, &who, &contract_no).await?;
    let c = service::claim_record(&st.store, &who, id).await?;
    Ok((StatusCode::CREATED, Json(claim_out(c, api_lang(&headers)))))
}

#[derive(Serialize, ToSchema)]
pub struct ClaimList {
    items: Vec<Claim>,
}

/// Compensation claims in the caller's scope.
#[utoipa::path(get, path = "/api/v1/finance/claims", tag = "finance",
    responses((status = 200, description = "Claims, newest first", body = ClaimList)))]
pub async fn claims(
    State(st): State<AppState>,
    who: Caller,
    headers: axum::http::HeaderMap,
) -> Result<Json<ClaimList>, ApiError> {
    let items = service::claims(&st.store, &who)
        .await?
        .into_iter()
        .map(|c| claim_out(c, api_lang(&headers)))
        .collect();
    Ok(Json(ClaimList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct ClaimStep {
    /// review, approve (by another officer than the reviewer), pay, refuse (with a reason).
    #[schema(max_length = 20)]
    action: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    reason: Option<String>,
}

/// The bureau reviews, approves (a second officer), pays from the reserve, or refuses.
#[utoipa::path(post, path = "/api/v1/finance/claims/{id}/steps", tag = "finance",
    params(("id" = i64, Path, description = "The claim's id")),
    request_body = ClaimStep,
    responses((status = 200, description = "The claim after the step", body = Claim)))]
pub async fn claim_step(
    State(st): State<AppState>,
    who: Caller,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Json(s): Json<ClaimStep>,
) -> Result<Json<Claim>, ApiError> {
    service::act_on_claim(
        &st.store,
        who.as_bureau()?,
        id,
        &s.action,
        s.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    let c = service::claim_record(&st.store, &who, id).await?;
    Ok(Json(claim_out(c, api_lang(&headers))))
}

#[derive(Deserialize, ToSchema)]
pub struct Recovery {
    /// What the bank recovered of the principal, 万元 (or with a unit).
    #[schema(max_length = 30)]
    amount: String,
    #[schema(format = Date)]
    occurred_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct Returned {
    /// Fen: the reserve's share of the recovery, returned to it.
    returned: i64,
}

/// A recovery on a paid claim: the reserve's share of it returns to the reserve.
#[utoipa::path(post, path = "/api/v1/finance/claims/{id}/recoveries", tag = "finance",
    params(("id" = i64, Path, description = "The claim's id")),
    request_body = Recovery,
    responses((status = 201, description = "Recorded", body = Returned)))]
pub async fn recover(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(r): Json<Recovery>,
) -> Result<(StatusCode, Json<Returned>), ApiError> {
    let share = service::recover(&st.store, &who, id, &r.amount, &r.occurred_on).await?;
    Ok((StatusCode::CREATED, Json(Returned { returned: share.0 })))
}

#[derive(Serialize, ToSchema)]
pub struct ReportLine {
    key: String,
    name: String,
    members: usize,
    loans: usize,
    /// Fen.
    lent: i64,
    balance: i64,
    npl_balance: i64,
    /// Percent.
    npl_ratio: Option<f64>,
    compensation_paid: i64,
    /// Pool loan balance ÷ reserve balance.
    leverage: Option<f64>,
    /// A bank's ceiling (fen): its agreement's multiple of the reserve.
    limit: Option<i64>,
    over_limit: bool,
}

impl From<service::ReportLine> for ReportLine {
    fn from(l: service::ReportLine) -> Self {
        let over_limit = l.over_limit();
        Self {
            key: l.key,
            name: l.name,
            members: l.members,
            loans: l.loans,
            lent: l.lent.0,
            balance: l.balance.0,
            npl_balance: l.npl_balance.0,
            npl_ratio: l.npl_ratio,
            compensation_paid: l.compensation_paid.0,
            leverage: l.leverage,
            over_limit,
            limit: l.limit.map(|f| f.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Report {
    on: String,
    /// Fen.
    reserve_balance: i64,
    by_bank: Vec<ReportLine>,
    by_county: Vec<ReportLine>,
    total: ReportLine,
}

/// Members, pool loans, balance, NPL ratio, compensation paid and leverage per bank and county.
#[utoipa::path(get, path = "/api/v1/finance/report", tag = "finance",
    responses((status = 200, description = "The report", body = Report)))]
pub async fn report(State(st): State<AppState>, who: Caller) -> Result<Json<Report>, ApiError> {
    let r = service::report(&st.store, &who).await?;
    Ok(Json(Report {
        on: r.on.to_string(),
        reserve_balance: r.reserve.balance().0,
        by_bank: r.by_bank.into_iter().map(Into::into).collect(),
        by_county: r.by_county.into_iter().map(Into::into).collect(),
        total: r.total.into(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SeedFund {
    id: i64,
    name: String,
    /// Fen.
    committed: i64,
    paid_in: i64,
    established_on: String,
    max_age_years: i64,
    manager: String,
}

#[derive(Serialize, ToSchema)]
pub struct Investment {
    id: i64,
    fund: String,
    uscc: String,
    name: String,
    region_code: String,
    /// initial or follow_on.
    round: String,
    invested_on: String,
    /// Fen.
    amount: i64,
    age_years: i64,
    /// Fen put in by co-investors.
    private: i64,
    co_investors: Vec<String>,
    exited_on: Option<String>,
    proceeds: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Seed {
    funds: Vec<SeedFund>,
    investments: Vec<Investment>,
    /// Fen.
    public: i64,
    private: i64,
    /// Private ÷ public capital.
    leverage: f64,
    returns: i64,
}

/// The seed funds, their investments, and the private capital they drew.
#[utoipa::path(get, path = "/api/v1/finance/seed", tag = "finance",
    responses((status = 200, description = "The seed fund", body = Seed)))]
pub async fn seed(State(st): State<AppState>, who: Caller) -> Result<Json<Seed>, ApiError> {
    let s = service::seed(&st.store, &who).await?;
    Ok(Json(Seed {
        funds: s
            .funds
            .into_iter()
            .map(|f| SeedFund {
                id: f.id,
                name: f.name,
                committed: f.committed.0,
                paid_in: f.paid_in.0,
                established_on: f.established_on,
                max_age_years: f.max_age_years,
                manager: f.manager,
            })
            .collect(),
        investments: s
            .investments
            .into_iter()
            .map(|i| Investment {
                id: i.id,
                fund: i.fund,
                uscc: i.uscc,
                name: i.name,
                region_code: i.region_code,
                round: i.round,
                invested_on: i.invested_on,
                amount: i.amount.0,
                age_years: i.age_years,
                private: i.private.0,
                co_investors: i.co_investors.into_iter().map(|c| c.name).collect(),
                exited_on: i.exited_on,
                proceeds: i.proceeds.map(|p| p.0),
            })
            .collect(),
        public: s.public.0,
        private: s.private.0,
        leverage: s.leverage,
        returns: s.returns.0,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewFund {
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    /// 万元.
    #[schema(max_length = 30)]
    committed: String,
    #[serde(default)]
    #[schema(max_length = 30)]
    paid_in: Option<String>,
    #[schema(format = Date)]
    established_on: String,
    #[serde(default)]
    #[schema(max_length = 5)]
    max_age_years: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    manager: Option<String>,
}

/// Registers a seed fund; its committed size feeds target 3.20.
#[utoipa::path(post, path = "/api/v1/finance/seed/funds", tag = "finance",
    request_body = NewFund,
    responses((status = 201, description = "Registered", body = Created)))]
pub async fn add_fund(
    State(st): State<AppState>,
    who: Caller,
    Json(f): Json<NewFund>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let officer = Officer::Bureau(who.as_bureau()?);
    let fund = service::FundInput {
        name: &f.name,
        committed: &f.committed,
        paid_in: f.paid_in.as_deref().unwrap_or_default(),
        established_on: &f.established_on,
        max_age_years: f.max_age_years.as_deref().unwrap_or_default(),
        manager: f.manager.as_deref().unwrap_or_default(),
    };
    let id = service::add_seed_fund(&st.store, &officer, &fund).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct NewInvestment {
    fund_id: i64,
    #[schema(min_length = 18, max_length = 18)]
    uscc: String,
    /// 万元.
    #[schema(max_length = 30)]
    amount: String,
    #[schema(format = Date)]
    invested_on: String,
    #[serde(default)]
    follow_on: bool,
    /// `名称:金额;名称:金额`, amounts in 万元.
    #[serde(default)]
    #[schema(max_length = 5000)]
    co_investors: Option<String>,
}

/// Records an investment; the enterprise's stage is checked from its founding date.
#[utoipa::path(post, path = "/api/v1/finance/seed/investments", tag = "finance",
    request_body = NewInvestment,
    responses((status = 201, description = "Recorded", body = Created)))]
pub async fn invest(
    State(st): State<AppState>,
    who: Caller,
    Json(i): Json<NewInvestment>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let officer = Officer::Bureau(who.as_bureau()?);
    let id = service::invest(
        &st.store,
        &officer,
        &service::InvestmentInput {
            fund_id: i.fund_id,
            uscc: &i.uscc,
            amount: &i.amount,
            invested_on: &i.invested_on,
            follow_on: i.follow_on,
            co_investors: i.co_investors.as_deref().unwrap_or_default(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct Leave {
    #[schema(format = Date)]
    left_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    done: bool,
}

/// Ends a pool membership on a date; the enterprise stays counted in 3.18a.
#[utoipa::path(post, path = "/api/v1/finance/pool/members/{id}/end", tag = "finance",
    params(("id" = i64, Path, description = "The membership's id")),
    request_body = Leave,
    responses((status = 200, description = "Ended", body = Done)))]
pub async fn end_membership(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(l): Json<Leave>,
) -> Result<Json<Done>, ApiError> {
    let officer = Officer::Bureau(who.as_bureau()?);
    service::end_membership(&st.store, &officer, id, &l.left_on).await?;
    Ok(Json(Done { done: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct Exit {
    #[schema(format = Date)]
    exited_on: String,
    /// What the exit returned, 万元.
    #[serde(default)]
    #[schema(max_length = 30)]
    proceeds: Option<String>,
}

/// Records an exit from a seed-fund investment.
#[utoipa::path(post, path = "/api/v1/finance/seed/investments/{id}/exit", tag = "finance",
    params(("id" = i64, Path, description = "The investment's id")),
    request_body = Exit,
    responses((status = 200, description = "Recorded", body = Done)))]
pub async fn exit(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(e): Json<Exit>,
) -> Result<Json<Done>, ApiError> {
    let officer = Officer::Bureau(who.as_bureau()?);
    service::record_exit(
        &st.store,
        &officer,
        id,
        &e.exited_on,
        e.proceeds.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(Done { done: true }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoanFileQuery {
    /// The file's name, whose extension (.xlsx, .xls, .csv) says how to read it.
    file_name: String,
    /// Validate only (the default); `false` imports a valid file.
    dry_run: Option<bool>,
}

/// A loan file as the request body: a bank sends its own loans only (a row of another bank is
/// refused), the bureau any bank's. All rows or none, answered with the validation report.
#[utoipa::path(post, path = "/api/v1/finance/loans/files", tag = "finance",
    params(LoanFileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file: XLSX, XLS or CSV (UTF-8 or GBK)"),
    responses(
        (status = 200, description = "Every row is valid (and was imported unless a dry run)", body = crate::api::imports::ImportResult),
        (status = 422, description = "Some rows are refused; nothing was written", body = crate::api::imports::ImportResult),
    ))]
pub async fn loan_file(
    State(st): State<AppState>,
    who: Caller,
    Query(q): Query<LoanFileQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<crate::api::imports::ImportResult>), ApiError> {
    use kechuang_service::imports::{self, FileKind, Upload};
    let bank = match service::scope(&st.store, &who).await? {
        service::Scope::Bank(b) => Some(b.unwrap_or(-1)),
        _ => None,
    };
    let dry_run = q.dry_run.unwrap_or(true);
    let r = imports::import_bytes(
        &st.store,
        &Upload {
            kind: FileKind::Loans,
            file_name: &q.file_name,
            bytes: &body,
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
    .await?;
    Ok(crate::api::imports::answer(
        FileKind::Loans.as_str(),
        dry_run,
        r,
    ))
}
