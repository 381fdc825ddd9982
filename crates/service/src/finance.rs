//! Tech finance (plan §三(六)): partner banks and their agreements, the credit risk reserve,
//! online pool entry through county and bureau, the banks' loan files, compensation of bad
//! loans and recoveries, the seed fund, and the reports by bank and county.
//!
//! Who sees what: the bureau and county officers the records of their region's enterprises; a
//! bank's staff their own bank's loans, claims and the members who chose it (another bank's
//! record is "not found"); an enterprise its own pool application.

use crate::auth::{AsApplicant, AsBureau, Principal};
use crate::clock::{parse_day, parse_optional_day, today_in_china};
use crate::imports::{ImportOutcome, ImportRequest};
use crate::{Error, Missing};
use chrono::{Datelike, NaiveDate};
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::finance::{
    self as rules, ClaimAction, ClaimBasis, ClaimStatus, Compensation, FinanceProblem, LoanClass,
    PoolAction, PoolCandidate, PoolRule, PoolStage, PoolStatus,
};
use kechuang_domain::money::{Fen, MoneyUnit, FEN_PER_WAN};
use kechuang_domain::problem::{FieldProblem, Lang};
use kechuang_domain::programme::EnterpriseFacts;
use kechuang_domain::RegionCode;
use kechuang_store::{
    Actor, AgreementRecord, BankRecord, ClaimRecord, CoInvestor, InvestmentRecord, LoanFilter,
    LoanRecord, LoanRevision, MemberRecord, NewClaim, NewInvestment, NewPoolApplication,
    PoolApplicationRecord, ReserveBalance, ReserveEntryRecord, SeedFundRecord, Store,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

kechuang_domain::problems! {
    /// A typed value that is not what its field takes.
    pub enum FinanceInput {
        NotANumber { raw: String } = "not_a_number" {
            zh: "'{raw}' 不是数值", en: "'{raw}' is not a number",
        },
        Required = "required" { zh: "必填", en: "required" },
        UnknownSource { raw: String } = "unknown_source" {
            zh: "资金来源 '{raw}' 无效，应为 省级、市级 或 县级", en: "source '{raw}' must be province, city or county",
        },
        CountyNeeded = "county_required" {
            zh: "县级出资须选择县（市、区）", en: "a county's contribution names the county",
        },
        NotPositive = "not_positive" { zh: "金额应大于 0", en: "the amount must be positive" },
        PaidInAboveCommitted = "paid_in_above_committed" {
            zh: "实缴金额不能超过认缴规模", en: "paid-in capital cannot exceed the committed size",
        },
        UnknownBank { id: i64 } = "bank_not_found" {
            zh: "没有合作银行 {id}", en: "there is no partner bank {id}",
        },
        UnknownFund { id: i64 } = "fund_not_found" {
            zh: "没有种子基金 {id}", en: "there is no seed fund {id}",
        },
        CoInvestors { raw: String } = "co_investors_unreadable" {
            zh: "跟投方 '{raw}' 应写成 名称:金额（万元），多个用 ; 分隔", en: "co-investors '{raw}' should read name:amount (10k yuan), separated by ;",
        },
    }
}

fn field(name: &'static str, p: impl kechuang_domain::problem::Problem) -> Error {
    Error::invalid(FieldProblem::new(name, p))
}

fn opt(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|s| !s.is_empty())
}

fn number(name: &'static str, raw: &str) -> Result<Option<f64>, Error> {
    opt(raw)
        .map(|s| {
            let folded: String = s.chars().map(kechuang_domain::text::fold_width).collect();
            folded
                .trim_end_matches('%')
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| field(name, FinanceInput::NotANumber { raw: s.to_owned() }))
        })
        .transpose()
}

/// Money as typed in a field labelled 万元: `200`, `200万`, `2000000元`.
fn wan(name: &'static str, raw: &str) -> Result<Option<Fen>, Error> {
    opt(raw)
        .map(|s| Fen::parse_in(s, MoneyUnit::Wan).map_err(|e| field(name, e)))
        .transpose()
}

fn positive_wan(name: &'static str, raw: &str) -> Result<Fen, Error> {
    match wan(name, raw)? {
        None => Err(field(name, FinanceInput::Required)),
        Some(f) if f.0 <= 0 => Err(field(name, FinanceInput::NotPositive)),
        Some(f) => Ok(f),
    }
}

fn percent_bp(name: &'static str, raw: &str) -> Result<Option<u32>, Error> {
    number(name, raw)?
        .map(|p| rules::share_bp(p).map_err(|e| field(name, e)))
        .transpose()
}

// ---- who sees what ----------------------------------------------------------------------

/// Who takes a bureau-side step (registering a bank, a contribution, the seed fund): a bureau
/// officer, checked by the route's guard, or the installation's operator at the command line,
/// who holds the database itself (as `FundsScope::operator`).
pub enum Officer<'a> {
    Bureau(AsBureau<'a>),
    Operator(Actor),
}

impl Officer<'_> {
    fn actor(&self) -> Actor {
        match self {
            Self::Bureau(b) => b.actor(),
            Self::Operator(a) => a.clone(),
        }
    }
    /// Whether a region's records are the officer's: within the bureau's region, or any for
    /// the operator.
    fn covers(&self, tree: &kechuang_domain::region::RegionTree, region: &RegionCode) -> bool {
        match self {
            Self::Bureau(b) => b.scope().covers_region(tree, region),
            Self::Operator(_) => tree.get(region).is_some(),
        }
    }
}

/// The part of tech finance's records a caller sees.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// The bureau's or a county's officers: their region's enterprises.
    Regions(Vec<String>),
    /// A bank's staff: their bank's records; `None` when the bank is not registered yet.
    Bank(Option<i64>),
    /// An enterprise: its own.
    Enterprise(String),
}

impl Scope {
    pub fn bank_id(&self) -> Option<i64> {
        match self {
            Self::Bank(b) => *b,
            _ => None,
        }
    }
    fn sees_region(&self, region: &str) -> bool {
        matches!(self, Self::Regions(r) if r.iter().any(|c| c == region))
    }
    fn sees_loan(&self, l: &LoanRecord) -> bool {
        match self {
            Self::Regions(_) => self.sees_region(&l.region_code),
            Self::Bank(b) => *b == Some(l.bank_id),
            Self::Enterprise(u) => *u == l.uscc,
        }
    }
}

pub async fn scope(store: &Store, who: &Principal) -> Result<Scope, Error> {
    Ok(match who.scope() {
        DataScope::Region(_) => {
            let tree = store.region_tree().await?;
            Scope::Regions(
                who.regions(&tree)?
                    .into_iter()
                    .map(|r| r.to_string())
                    .collect(),
            )
        }
        DataScope::Bank(org) => Scope::Bank(store.bank_by_org(org).await?.map(|b| b.id)),
        DataScope::Enterprise(u) => Scope::Enterprise(u.clone()),
        DataScope::System | DataScope::Assigned => {
            return Err(Error::not_found(Missing::OutOfScope))
        }
    })
}

// ---- banks and agreements ----------------------------------------------------------------

/// An agreement's terms as typed on the form, the command line or the API: percents, amounts
/// in 万元, dates as written; blank means "not set".
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AgreementInput {
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    /// Percent of the lost principal, e.g. `30` or `50`.
    #[serde(default)]
    pub share: String,
    /// Percent for a first or unsecured loan, when higher.
    #[serde(default)]
    pub bonus_share: String,
    /// 万元.
    #[serde(default)]
    pub cap_per_loan: String,
    #[serde(default)]
    pub cap_per_enterprise: String,
    #[serde(default)]
    pub cap_per_bank_year: String,
    /// Pool loans may reach this multiple of the reserve.
    #[serde(default)]
    pub total_multiple: String,
    #[serde(default)]
    pub max_loan: String,
    /// Percent a year.
    #[serde(default)]
    pub rate_ceiling: String,
    /// Certificate kinds, comma-separated (hte, tech_sme, …).
    #[serde(default)]
    pub eligible_kinds: String,
    #[serde(default)]
    pub overdue_days: String,
}

fn agreement(bank_id: i64, a: &AgreementInput) -> Result<AgreementRecord, Error> {
    let today = today_in_china();
    let starts = parse_optional_day("starts_on", Some(&a.starts_on))?.unwrap_or(today);
    let ends = parse_optional_day("ends_on", Some(&a.ends_on))?
        .unwrap_or_else(|| starts + chrono::Months::new(36));
    if ends < starts {
        return Err(field("ends_on", FinanceProblem::PeriodReversed));
    }
    let share =
        percent_bp("share", &a.share)?.ok_or_else(|| field("share", FinanceInput::Required))?;
    let kinds: Vec<String> = a
        .eligible_kinds
        .split([',', '，', ' ', '、'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    for k in &kinds {
        if kechuang_domain::registry::CertificateKind::parse(k).is_none() {
            return Err(field(
                "eligible_kinds",
                FinanceInput::NotANumber { raw: k.clone() },
            ));
        }
    }
    Ok(AgreementRecord {
        id: 0,
        bank_id,
        starts_on: starts.to_string(),
        ends_on: ends.to_string(),
        share_bp: i64::from(share),
        bonus_share_bp: percent_bp("bonus_share", &a.bonus_share)?.map(i64::from),
        cap_per_loan: wan("cap_per_loan", &a.cap_per_loan)?,
        cap_per_enterprise: wan("cap_per_enterprise", &a.cap_per_enterprise)?,
        cap_per_bank_year: wan("cap_per_bank_year", &a.cap_per_bank_year)?,
        total_multiple: number("total_multiple", &a.total_multiple)?.filter(|m| *m > 0.0),
        max_loan: wan("max_loan", &a.max_loan)?,
        rate_ceiling_bp: percent_bp("rate_ceiling", &a.rate_ceiling)?.map(i64::from),
        eligible_kinds: kinds,
        overdue_days: number("overdue_days", &a.overdue_days)?.map(|d| d.round() as i64),
    })
}

/// Registers a partner bank with its first agreement.
pub async fn add_bank(
    store: &Store,
    who: &Officer<'_>,
    name: &str,
    uscc: &str,
    terms: &AgreementInput,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::PROVIDER_NAME, name)])?;
    if name.trim().is_empty() {
        return Err(field("name", FinanceInput::Required));
    }
    let uscc = kechuang_domain::uscc::Uscc::parse(uscc).map_err(|e| field("uscc", e))?;
    // The terms are checked before anything is written.
    let a = agreement(0, terms)?;
    let id = store.add_bank(uscc.as_str(), name, &who.actor()).await?;
    store
        .add_agreement(&AgreementRecord { bank_id: id, ..a }, &who.actor())
        .await?;
    Ok(id)
}

pub async fn add_agreement(
    store: &Store,
    who: &Officer<'_>,
    bank_id: i64,
    terms: &AgreementInput,
) -> Result<i64, Error> {
    if !store.banks().await?.iter().any(|b| b.id == bank_id) {
        return Err(Error::not_found(FinanceInput::UnknownBank { id: bank_id }));
    }
    let a = agreement(bank_id, terms)?;
    Ok(store.add_agreement(&a, &who.actor()).await?)
}

/// A bank with its agreements, newest first; the one in force today, if any, first.
#[derive(Debug, Clone, Serialize)]
pub struct BankView {
    pub bank: BankRecord,
    pub agreements: Vec<AgreementRecord>,
    pub current: Option<AgreementRecord>,
}

/// The banks a caller sees: all for officers and enterprises (who choose among them), its
/// own for a bank.
pub async fn banks(store: &Store, who: &Principal) -> Result<Vec<BankView>, Error> {
    let scope = scope(store, who).await?;
    let today = today_in_china().to_string();
    let mut agreements = store.agreements(None).await?;
    let mut out = Vec::new();
    for bank in store.banks().await? {
        if let Scope::Bank(own) = scope {
            if own != Some(bank.id) {
                continue;
            }
        }
        let mine: Vec<AgreementRecord> = agreements
            .iter()
            .filter(|a| a.bank_id == bank.id)
            .cloned()
            .collect();
        agreements.retain(|a| a.bank_id != bank.id);
        let current = mine
            .iter()
            .find(|a| a.starts_on <= today && today <= a.ends_on)
            .cloned();
        out.push(BankView {
            bank,
            agreements: mine,
            current,
        });
    }
    Ok(out)
}

// ---- the reserve ------------------------------------------------------------------------

/// Records a contribution to the reserve: `province`, `city` or `county` (with the county).
pub async fn contribute(
    store: &Store,
    who: &Officer<'_>,
    source: &str,
    region: &str,
    amount: &str,
    on: &str,
    note: &str,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::NOTE, note)])?;
    let source = match source.trim() {
        "province" | "省级" | "省" => "province",
        "city" | "市级" | "市" => "city",
        "county" | "县级" | "县" => "county",
        other => {
            return Err(field(
                "source",
                FinanceInput::UnknownSource {
                    raw: other.to_owned(),
                },
            ))
        }
    };
    let region = match (source, opt(region)) {
        ("county", None) => return Err(field("region", FinanceInput::CountyNeeded)),
        ("county", Some(r)) => {
            let tree = store.region_tree().await?;
            let code = RegionCode::parse(r)
                .ok()
                .filter(|c| who.covers(&tree, c))
                .ok_or_else(|| Error::not_found(Missing::Region { code: r.to_owned() }))?;
            Some(code.to_string())
        }
        _ => None,
    };
    let amount = positive_wan("amount", amount)?;
    let on = parse_day("occurred_on", on)?;
    Ok(store
        .add_contribution(source, region.as_deref(), amount, on, note, &who.actor())
        .await?)
}

/// The reserve at a date, with every entry up to it.
#[derive(Debug, Clone, Serialize)]
pub struct ReserveView {
    pub on: NaiveDate,
    pub balance: ReserveBalance,
    pub entries: Vec<ReserveEntryRecord>,
}

pub async fn reserve(
    store: &Store,
    who: &Principal,
    on: Option<&str>,
) -> Result<ReserveView, Error> {
    if !matches!(scope(store, who).await?, Scope::Regions(_)) {
        return Err(Error::not_found(Missing::OutOfScope));
    }
    let on = parse_optional_day("on", on)?.unwrap_or_else(today_in_china);
    let day = on.to_string();
    let mut entries = store.reserve_entries().await?;
    entries.retain(|e| e.occurred_on <= day);
    Ok(ReserveView {
        on,
        balance: store.reserve_balance(on).await?,
        entries,
    })
}

// ---- pool entry --------------------------------------------------------------------------

/// The latest year's annual facts the form shows (money in 万元).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LatestFacts {
    pub year: i32,
    pub revenue: Option<f64>,
    pub rd_expenditure: Option<f64>,
    pub employees: Option<i64>,
}

/// What the pool form shows an enterprise: what the registries hold of it, whether the rule
/// admits it, the banks to choose from, and its latest application.
#[derive(Debug, Clone, Serialize)]
pub struct PoolForm {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub registered_on: Option<String>,
    /// Valid certificates: (kind, number, valid until).
    pub certificates: Vec<(String, String, Option<String>)>,
    pub facts: Option<LatestFacts>,
    pub rule: String,
    pub eligible: bool,
    pub banks: Vec<BankRecord>,
    pub applications: Vec<PoolApplicationRecord>,
    pub member: Option<MemberRecord>,
}

async fn candidate(
    store: &Store,
    uscc: &str,
    requested: Fen,
) -> Result<(PoolCandidate, PoolForm), Error> {
    let e = store.enterprise(uscc).await.map_err(|e| match e {
        kechuang_store::StoreError::NotFound(_) => Error::not_found(Missing::Enterprise {
            uscc: uscc.to_owned(),
        }),
        other => other.into(),
    })?;
    let today = today_in_china().to_string();
    let certificates: Vec<(String, String, Option<String>)> = store
        .certificates_of(uscc)
        .await?
        .into_iter()
        .map(|c| c.certificate)
        .filter(|c| {
            c.issued_on <= today
                && c.expires_on.as_deref().is_none_or(|x| x >= today.as_str())
                && c.revoked_on.as_deref().is_none_or(|x| x > today.as_str())
        })
        .map(|c| (c.kind, c.number, c.expires_on))
        .collect();
    let facts = store
        .facts_of(uscc)
        .await?
        .into_iter()
        .max_by_key(|f| f.year);
    let tree = store.region_tree().await?;
    let home = tree
        .root()
        .map(|r| r.code.clone())
        .ok_or_else(|| Error::internal("no regions are loaded"))?;
    let in_region = RegionCode::parse(&e.region_code).is_ok_and(|r| tree.is_within(&r, &home));
    let mut fact_map = HashMap::new();
    if let Some(f) = &facts {
        for (k, v) in [
            ("revenue", f.revenue),
            ("rd_expenditure", f.rd_expenditure),
            ("hitech_product_revenue", f.hitech_product_revenue),
            ("employees", f.employees.map(|x| x as f64)),
            ("st_staff", f.st_staff.map(|x| x as f64)),
            ("invention_patents", f.invention_patents.map(|x| x as f64)),
        ] {
            if let Some(v) = v {
                fact_map.insert(k.to_owned(), v);
            }
        }
    }
    let c = PoolCandidate {
        enterprise: EnterpriseFacts {
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            region: e.region_code.clone(),
            registered_year: e
                .registered_on
                .as_deref()
                .map(kechuang_domain::programme::year_of)
                .unwrap_or(0),
            size: e.size.clone(),
            above_scale: e.above_scale,
            hitech_field: e.hitech_field.clone(),
            industry: e.industry.clone(),
        },
        certificates: certificates.iter().map(|(k, ..)| k.clone()).collect(),
        facts: fact_map,
        in_region,
        requested_wan: requested.0 as f64 / FEN_PER_WAN as f64,
    };
    let (rule, _) = store.pool_rule().await?;
    let form = PoolForm {
        uscc: e.uscc,
        name: e.name,
        region_code: e.region_code,
        registered_on: e.registered_on,
        certificates,
        facts: facts.map(|f| LatestFacts {
            year: f.year,
            revenue: f.revenue,
            rd_expenditure: f.rd_expenditure,
            employees: f.employees,
        }),
        rule,
        eligible: false,
        banks: store.banks().await?,
        applications: store.pool_applications(None, Some(uscc), None).await?,
        member: store
            .pool_members(None, None)
            .await?
            .into_iter()
            .find(|m| m.uscc == uscc && m.left_on.is_none()),
    };
    Ok((c, form))
}

/// The rule's verdict, a rule that fails on this enterprise being the bureau's problem to fix,
/// not the applicant's: it is logged and the enterprise is told it does not qualify.
fn judge(rule: &str, c: &PoolCandidate) -> Result<bool, Error> {
    let compiled = PoolRule::compile(rule).map_err(Error::internal)?;
    compiled.eligible(c).map_err(Error::internal)
}

pub async fn pool_form(store: &Store, who: AsApplicant<'_>) -> Result<PoolForm, Error> {
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::not_found(Missing::OutOfScope));
    };
    // Eligibility before a sum is named: the rule sees the smallest loan.
    let (c, mut form) = candidate(store, uscc, Fen(1)).await?;
    form.eligible = judge(&form.rule, &c)?;
    Ok(form)
}

/// A pool application as the enterprise fills it in.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PoolInput {
    /// The loan sought, 万元.
    pub requested: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub contact: String,
    /// Partner banks chosen, by id.
    #[serde(default)]
    pub banks: Vec<i64>,
}

pub async fn apply_to_pool(
    store: &Store,
    who: AsApplicant<'_>,
    input: &PoolInput,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::not_found(Missing::OutOfScope));
    };
    crate::within_limits(&[
        (&fields::NOTE, &input.purpose),
        (&fields::NOTE, &input.contact),
    ])?;
    let requested = positive_wan("requested", &input.requested)?;
    if input.banks.is_empty() {
        return Err(field("banks", FinanceProblem::NoBankChosen));
    }
    let (c, form) = candidate(store, uscc, requested).await?;
    if !judge(&form.rule, &c)? {
        return Err(Error::conflict(FinanceProblem::NotEligible));
    }
    let prefill = serde_json::json!({
        "certificates": form.certificates,
        "facts": form.facts,
        "registered_on": form.registered_on,
    })
    .to_string();
    let mut banks = input.banks.clone();
    banks.sort_unstable();
    banks.dedup();
    Ok(store
        .submit_pool_application(
            &NewPoolApplication {
                uscc,
                name: &form.name,
                region_code: &form.region_code,
                requested,
                purpose: &input.purpose,
                contact: &input.contact,
                prefill: &prefill,
                banks: &banks,
            },
            &who.actor(),
        )
        .await?)
}

/// The county recommends or declines; the bureau admits or declines. Admission makes the
/// enterprise a member from today for the rule's months.
pub async fn act_on_pool_application(
    store: &Store,
    who: &Principal,
    id: i64,
    action: &str,
    comment: &str,
) -> Result<PoolStatus, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::NOTE, comment)])?;
    let action = PoolAction::parse(action).ok_or_else(|| {
        Error::not_found(Missing::Action {
            action: action.to_owned(),
        })
    })?;
    let app = store.pool_application(id).await?;
    let scope = scope(store, who).await?;
    if !scope.sees_region(&app.region_code) {
        return Err(Error::not_found(Missing::OutOfScope));
    }
    let stage = match who.role() {
        Role::County => PoolStage::County,
        Role::Bureau => PoolStage::Bureau,
        _ => return Err(Error::not_found(Missing::OutOfScope)),
    };
    let to = rules::pool_step(app.status, action, stage).map_err(Error::conflict)?;
    let (_, months) = store.pool_rule().await?;
    let today = today_in_china();
    let until = today + chrono::Months::new(u32::try_from(months).unwrap_or(24));
    store
        .act_on_pool_application(id, app.status, to, comment, today, until, &who.actor())
        .await?;
    Ok(to)
}

pub async fn set_pool_rule(
    store: &Store,
    who: &Officer<'_>,
    rule: &str,
    months: &str,
) -> Result<(), Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::RULE, rule)])?;
    PoolRule::compile(rule).map_err(|e| field("rule", e))?;
    let months = number("validity_months", months)?
        .filter(|m| *m >= 1.0)
        .ok_or_else(|| field("validity_months", FinanceInput::NotPositive))?;
    Ok(store
        .set_pool_rule(rule, months.round() as i64, &who.actor())
        .await?)
}

/// Days an application spent at each stage, per county: median and slowest.
#[derive(Debug, Clone, Serialize)]
pub struct StageTimes {
    pub region_code: String,
    /// Applied → recommended by the county.
    pub county: Option<(f64, i64)>,
    /// Recommended → admitted by the bureau.
    pub bureau: Option<(f64, i64)>,
    /// Applied → admitted.
    pub total: Option<(f64, i64)>,
    pub admitted: usize,
}

/// What the pool page shows a caller.
#[derive(Debug, Clone, Serialize)]
pub struct PoolView {
    pub applications: Vec<PoolApplicationRecord>,
    pub members: Vec<MemberRecord>,
    pub times: Vec<StageTimes>,
    /// All counties together.
    pub overall: StageTimes,
    pub rule: String,
    pub validity_months: i64,
}

fn days_between(a: &str, b: &str) -> Option<i64> {
    let d = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&crate::clock::china()).date_naive())
    };
    Some((d(b)? - d(a)?).num_days())
}

fn stage_times(region: &str, apps: &[&PoolApplicationRecord]) -> StageTimes {
    let (mut county, mut bureau, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut admitted = 0;
    for a in apps {
        if let Some(r) = &a.recommended_at {
            county.extend(days_between(&a.submitted_at, r));
            if a.status == PoolStatus::Admitted {
                bureau.extend(a.decided_at.as_deref().and_then(|d| days_between(r, d)));
            }
        }
        if a.status == PoolStatus::Admitted {
            admitted += 1;
            total.extend(
                a.decided_at
                    .as_deref()
                    .and_then(|d| days_between(&a.submitted_at, d)),
            );
        }
    }
    StageTimes {
        region_code: region.to_owned(),
        county: rules::median_and_max(&county),
        bureau: rules::median_and_max(&bureau),
        total: rules::median_and_max(&total),
        admitted,
    }
}

pub async fn pool(store: &Store, who: &Principal) -> Result<PoolView, Error> {
    let scope = scope(store, who).await?;
    let (applications, members) = match &scope {
        Scope::Regions(r) => (
            store.pool_applications(Some(r), None, None).await?,
            store.pool_members(Some(r), None).await?,
        ),
        Scope::Bank(Some(b)) => (
            store.pool_applications(None, None, Some(*b)).await?,
            store.pool_members(None, Some(*b)).await?,
        ),
        Scope::Bank(None) => (Vec::new(), Vec::new()),
        Scope::Enterprise(u) => {
            let mut m = store.pool_members(None, None).await?;
            m.retain(|x| x.uscc == *u);
            (store.pool_applications(None, Some(u), None).await?, m)
        }
    };
    let mut by_region: BTreeMap<&str, Vec<&PoolApplicationRecord>> = BTreeMap::new();
    for a in &applications {
        by_region.entry(&a.region_code).or_default().push(a);
    }
    let times = by_region
        .iter()
        .map(|(r, apps)| stage_times(r, apps))
        .collect();
    let all: Vec<&PoolApplicationRecord> = applications.iter().collect();
    let overall = stage_times("", &all);
    let (rule, validity_months) = store.pool_rule().await?;
    Ok(PoolView {
        times,
        overall,
        applications,
        members,
        rule,
        validity_months,
    })
}

/// One pool application, if the caller sees it.
pub async fn pool_application(
    store: &Store,
    who: &Principal,
    id: i64,
) -> Result<PoolApplicationRecord, Error> {
    let app = store.pool_application(id).await.map_err(|e| match e {
        kechuang_store::StoreError::NotFound(_) => Error::not_found(Missing::OutOfScope),
        other => other.into(),
    })?;
    let visible = match scope(store, who).await? {
        s @ Scope::Regions(_) => s.sees_region(&app.region_code),
        Scope::Bank(b) => b.is_some_and(|b| app.banks.iter().any(|(id, _)| *id == b)),
        Scope::Enterprise(u) => u == app.uscc,
    };
    if visible {
        Ok(app)
    } else {
        Err(Error::not_found(Missing::OutOfScope))
    }
}

// ---- loans and claims ---------------------------------------------------------------------

/// The loan list's filters as a request gives them.
#[derive(Debug, Clone, Default)]
pub struct LoanQuery<'a> {
    pub bank: Option<&'a str>,
    pub region: Option<&'a str>,
    pub classification: Option<&'a str>,
}

kechuang_domain::problems! {
    pub enum LoanQueryProblem {
        Classification { raw: String } = "invalid_classification" {
            zh: "五级分类 '{raw}' 无效，应为 normal、special_mention、substandard、doubtful 或 loss",
            en: "classification '{raw}' must be normal, special_mention, substandard, doubtful or loss",
        },
        Bank { raw: String } = "invalid_bank" {
            zh: "银行 '{raw}' 应为合作银行的编号", en: "bank '{raw}' must be a partner bank's id",
        },
    }
}

pub async fn loans(
    store: &Store,
    who: &Principal,
    q: &LoanQuery<'_>,
) -> Result<Vec<LoanRecord>, Error> {
    let scope = scope(store, who).await?;
    let mut f = LoanFilter::default();
    if let Some(raw) = q.classification.and_then(opt) {
        f.classification = Some(LoanClass::parse(raw).ok_or_else(|| {
            Error::invalid(LoanQueryProblem::Classification {
                raw: raw.to_owned(),
            })
        })?);
    }
    if let Some(raw) = q.bank.and_then(opt) {
        f.bank_id = Some(raw.parse::<i64>().map_err(|_| {
            Error::invalid(LoanQueryProblem::Bank {
                raw: raw.to_owned(),
            })
        })?);
    }
    match &scope {
        Scope::Regions(r) => {
            f.regions = Some(match q.region.and_then(opt) {
                None => r.clone(),
                Some(one) => {
                    let tree = store.region_tree().await?;
                    let code = who.region_within(&tree, Some(one))?;
                    tree.subtree(&code).iter().map(|c| c.to_string()).collect()
                }
            });
        }
        Scope::Bank(b) => {
            // A bank asking for another bank's loans sees none of them.
            if f.bank_id.is_some_and(|asked| Some(asked) != *b) {
                return Ok(Vec::new());
            }
            f.bank_id = Some(b.unwrap_or(-1));
            if let Some(one) = q.region.and_then(opt) {
                let tree = store.region_tree().await?;
                let code = RegionCode::parse(one).map_err(Error::invalid)?;
                f.regions = Some(tree.subtree(&code).iter().map(|c| c.to_string()).collect());
            }
        }
        Scope::Enterprise(u) => f.uscc = Some(u.clone()),
    }
    Ok(store.loans(&f).await?)
}

/// A loan with its history, its claim if any, and what a claim would bring now.
#[derive(Debug)]
pub struct LoanView {
    pub loan: LoanRecord,
    pub history: Vec<LoanRevision>,
    pub claim: Option<ClaimRecord>,
    /// What claiming it today would bring, or why it cannot be claimed.
    pub claimable: Result<(Compensation, AgreementRecord), Error>,
}

pub async fn loan(store: &Store, who: &Principal, contract_no: &str) -> Result<LoanView, Error> {
    let scope = scope(store, who).await?;
    let loan = store
        .loan(contract_no.trim())
        .await?
        .filter(|l| scope.sees_loan(l))
        .ok_or_else(|| Error::not_found(Missing::OutOfScope))?;
    let claim = store
        .claims(Some(loan.bank_id))
        .await?
        .into_iter()
        .find(|c| c.loan_id == loan.id && c.status != ClaimStatus::Refused);
    let claimable = if claim.is_some() {
        Err(Error::conflict(FinanceProblem::ClaimStep {
            status: "已申请".into(),
            action: "重复申请".into(),
        }))
    } else {
        compute_claim(store, &loan).await
    };
    Ok(LoanView {
        history: store.loan_history(loan.id).await?,
        loan,
        claim,
        claimable,
    })
}

/// The compensation a claim on this loan brings today, by the agreement in force when it was
/// issued.
async fn compute_claim(
    store: &Store,
    loan: &LoanRecord,
) -> Result<(Compensation, AgreementRecord), Error> {
    let today = today_in_china();
    let issued = loan.issued_on.clone();
    let agreement = store
        .agreements(Some(loan.bank_id))
        .await?
        .into_iter()
        .find(|a| a.starts_on <= issued && issued <= a.ends_on)
        .ok_or_else(|| Error::conflict(FinanceProblem::NoAgreement { issued_on: issued }))?;
    let due = NaiveDate::parse_from_str(&loan.due_on, "%Y-%m-%d").map_err(Error::internal)?;
    rules::check_claimable(
        loan.classification,
        due,
        loan.balance,
        agreement.overdue_days.map(|d| d as u32),
        loan.in_pool,
        today,
    )
    .map_err(Error::conflict)?;
    let h = store.claim_history(loan, today.year()).await?;
    let c = rules::compensation(
        &agreement.terms(),
        &ClaimBasis {
            outstanding: loan.balance,
            first_loan: h.first_loan,
            unsecured: rules::unsecured(&loan.guarantee),
            granted_to_enterprise: h.granted_to_enterprise,
            granted_to_bank_this_year: h.granted_to_bank_this_year,
        },
    )
    .map_err(Error::conflict)?;
    Ok((c, agreement))
}

/// A bank claims compensation for one of its bad loans; the amount follows its agreement.
pub async fn claim(store: &Store, who: &Principal, contract_no: &str) -> Result<i64, Error> {
    if who.role() != Role::Bank {
        return Err(Error::forbidden(ClaimProblem::BankOnly));
    }
    let view = loan(store, who, contract_no).await?;
    let (c, agreement) = view.claimable?;
    let loan = view.loan;
    Ok(store
        .create_claim(
            &NewClaim {
                loan_id: loan.id,
                bank_id: loan.bank_id,
                agreement_id: agreement.id,
                principal: loan.balance,
                share_bp: c.share_bp,
                amount: c.amount,
                rule_zh: &c.explain(loan.balance, Lang::Zh),
                rule_en: &c.explain(loan.balance, Lang::En),
            },
            &who.actor(),
        )
        .await?)
}

kechuang_domain::problems! {
    pub enum ClaimProblem {
        BankOnly = "bank_only" { zh: "风险补偿由合作银行申请", en: "only a partner bank claims compensation" },
    }
}

pub async fn claims(store: &Store, who: &Principal) -> Result<Vec<ClaimRecord>, Error> {
    let scope = scope(store, who).await?;
    let mut all = match &scope {
        Scope::Bank(b) => store.claims(Some(b.unwrap_or(-1))).await?,
        _ => store.claims(None).await?,
    };
    all.retain(|c| match &scope {
        Scope::Regions(_) => scope.sees_region(&c.region_code),
        Scope::Bank(_) => true,
        Scope::Enterprise(u) => *u == c.uscc,
    });
    Ok(all)
}

pub async fn claim_record(store: &Store, who: &Principal, id: i64) -> Result<ClaimRecord, Error> {
    claims(store, who)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::not_found(Missing::OutOfScope))
}

/// The bureau reviews, a second officer approves, then pays (from the reserve), or refuses.
pub async fn act_on_claim(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    action: &str,
    reason: &str,
) -> Result<ClaimStatus, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::NOTE, reason)])?;
    let action = ClaimAction::parse(action).ok_or_else(|| {
        Error::not_found(Missing::Action {
            action: action.to_owned(),
        })
    })?;
    let c = claim_record(store, &who, id).await?;
    if action == ClaimAction::Refuse && reason.trim().is_empty() {
        return Err(field("reason", FinanceInput::Required));
    }
    let to = rules::claim_step(c.status, action, c.reviewed_by.as_deref(), who.username())
        .map_err(Error::conflict)?;
    store
        .act_on_claim(id, c.status, to, reason, today_in_china(), &who.actor())
        .await?;
    Ok(to)
}

/// A recovery on a paid claim, reported by its bank or the bureau: the reserve's share of it
/// returns to the reserve.
pub async fn recover(
    store: &Store,
    who: &Principal,
    id: i64,
    amount: &str,
    on: &str,
) -> Result<Fen, Error> {
    if !matches!(who.role(), Role::Bank | Role::Bureau) {
        return Err(Error::not_found(Missing::OutOfScope));
    }
    let c = claim_record(store, who, id).await?;
    if c.status != ClaimStatus::Paid {
        return Err(Error::conflict(FinanceProblem::NotPaid));
    }
    let recovered = positive_wan("amount", amount)?;
    let on = parse_day("occurred_on", on)?;
    let (before_recovered, before_returned) = store.recovered(id).await?;
    let left = Fen(c.principal.0 - before_recovered.0);
    if recovered > left {
        return Err(field(
            "amount",
            FinanceProblem::RecoveryTooLarge {
                most: left.yuan_text(),
            },
        ));
    }
    let share = rules::reserve_share(recovered, c.amount, c.principal, before_returned)
        .map_err(|e| field("amount", e))?;
    store
        .add_recovery(id, recovered, share, on, &who.actor())
        .await?;
    Ok(share)
}

// ---- reports ---------------------------------------------------------------------------------

/// One line of the finance report: a bank's or a county's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportLine {
    pub key: String,
    pub name: String,
    pub members: usize,
    pub loans: usize,
    pub lent: Fen,
    pub balance: Fen,
    pub npl_balance: Fen,
    /// Non-performing balance ÷ balance, percent.
    pub npl_ratio: Option<f64>,
    pub compensation_paid: Fen,
    /// Pool loan balance ÷ reserve balance.
    pub leverage: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub on: NaiveDate,
    pub reserve: ReserveBalance,
    pub by_bank: Vec<ReportLine>,
    pub by_county: Vec<ReportLine>,
    pub total: ReportLine,
}

fn finish(mut l: ReportLine, reserve: Fen) -> ReportLine {
    l.npl_ratio = (l.balance.0 > 0).then(|| l.npl_balance.0 as f64 * 100.0 / l.balance.0 as f64);
    l.leverage = (reserve.0 > 0).then(|| l.balance.0 as f64 / reserve.0 as f64);
    l
}

pub async fn report(store: &Store, who: &Principal) -> Result<Report, Error> {
    let on = today_in_china();
    let loans = loans(store, who, &LoanQuery::default()).await?;
    let claims = claims(store, who).await?;
    let view = pool(store, who).await?;
    let reserve = store.reserve_balance(on).await?;
    let tree = store.region_tree().await?;
    let banks = store.banks().await?;
    // Figures by county: an enterprise filed under a zone or a town counts in its county.
    let county_of = |region: &str| -> String {
        let mut cur = RegionCode::parse(region).ok().and_then(|r| tree.get(&r));
        while let Some(r) = cur {
            if r.kind == kechuang_domain::region::RegionKind::County {
                return r.code.to_string();
            }
            cur = r.parent.as_ref().and_then(|p| tree.get(p));
        }
        region.to_owned()
    };
    let mut by_bank: BTreeMap<String, ReportLine> = BTreeMap::new();
    let mut by_county: BTreeMap<String, ReportLine> = BTreeMap::new();
    let mut total = ReportLine::default();
    let add_loan = |l: &mut ReportLine, loan: &LoanRecord| {
        l.loans += 1;
        l.lent = Fen(l.lent.0 + loan.amount.0);
        l.balance = Fen(l.balance.0 + loan.balance.0);
        if loan.classification.non_performing() {
            l.npl_balance = Fen(l.npl_balance.0 + loan.balance.0);
        }
    };
    for loan in loans.iter().filter(|l| l.in_pool) {
        add_loan(by_bank.entry(loan.bank.clone()).or_default(), loan);
        add_loan(
            by_county.entry(county_of(&loan.region_code)).or_default(),
            loan,
        );
        add_loan(&mut total, loan);
    }
    for c in claims.iter().filter(|c| c.status == ClaimStatus::Paid) {
        for l in [
            by_bank.entry(c.bank.clone()).or_default(),
            by_county.entry(county_of(&c.region_code)).or_default(),
            &mut total,
        ] {
            l.compensation_paid = Fen(l.compensation_paid.0 + c.amount.0);
        }
    }
    for m in view.members.iter().filter(|m| m.left_on.is_none()) {
        by_county
            .entry(county_of(&m.region_code))
            .or_default()
            .members += 1;
        if let Some(b) = &m.bank {
            by_bank.entry(b.clone()).or_default().members += 1;
        }
        total.members += 1;
    }
    let balance = reserve.balance();
    let name_of_region = |code: &str| {
        RegionCode::parse(code)
            .ok()
            .and_then(|c| tree.get(&c).map(|r| r.name.clone()))
            .unwrap_or_else(|| code.to_owned())
    };
    Ok(Report {
        on,
        reserve,
        by_bank: by_bank
            .into_iter()
            .map(|(k, l)| {
                let uscc = banks.iter().find(|b| b.name == k).map(|b| b.uscc.clone());
                finish(
                    ReportLine {
                        key: uscc.unwrap_or_else(|| k.clone()),
                        name: k,
                        ..l
                    },
                    balance,
                )
            })
            .collect(),
        by_county: by_county
            .into_iter()
            .map(|(k, l)| {
                finish(
                    ReportLine {
                        name: name_of_region(&k),
                        key: k,
                        ..l
                    },
                    balance,
                )
            })
            .collect(),
        total: finish(
            ReportLine {
                key: String::new(),
                name: "合计".into(),
                ..total
            },
            balance,
        ),
    })
}

// ---- the seed fund ---------------------------------------------------------------------------

/// A seed fund as typed: amounts in 万元, the date as written.
pub struct FundInput<'a> {
    pub name: &'a str,
    pub committed: &'a str,
    pub paid_in: &'a str,
    pub established_on: &'a str,
    /// The oldest (whole years since founding) an enterprise may be; blank means 5.
    pub max_age_years: &'a str,
    pub manager: &'a str,
}

pub async fn add_seed_fund(
    store: &Store,
    who: &Officer<'_>,
    f: &FundInput<'_>,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[
        (&fields::PROVIDER_NAME, f.name),
        (&fields::PROVIDER_NAME, f.manager),
    ])?;
    if f.name.trim().is_empty() {
        return Err(field("name", FinanceInput::Required));
    }
    let committed = positive_wan("committed", f.committed)?;
    let paid_in = wan("paid_in", f.paid_in)?.unwrap_or(Fen::ZERO);
    if paid_in > committed {
        return Err(field("paid_in", FinanceInput::PaidInAboveCommitted));
    }
    let established = parse_day("established_on", f.established_on)?;
    let max_age = number("max_age_years", f.max_age_years)?
        .unwrap_or(5.0)
        .round() as i64;
    Ok(store
        .add_seed_fund(
            &SeedFundRecord {
                id: 0,
                name: f.name.trim().to_owned(),
                committed,
                paid_in,
                established_on: established.to_string(),
                max_age_years: max_age.max(1),
                manager: f.manager.trim().to_owned(),
            },
            &who.actor(),
        )
        .await?)
}

/// An investment as typed: co-investors as `名称:金额;名称:金额` (万元).
pub struct InvestmentInput<'a> {
    pub fund_id: i64,
    pub uscc: &'a str,
    pub amount: &'a str,
    pub invested_on: &'a str,
    pub follow_on: bool,
    pub co_investors: &'a str,
}

fn co_investors(raw: &str) -> Result<Vec<CoInvestor>, Error> {
    let bad = || {
        field(
            "co_investors",
            FinanceInput::CoInvestors {
                raw: raw.to_owned(),
            },
        )
    };
    raw.split([';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| {
            let (name, amount) = part.rsplit_once([':', '：']).ok_or_else(bad)?;
            let amount = Fen::parse_in(amount.trim(), MoneyUnit::Wan).map_err(|_| bad())?;
            if name.trim().is_empty() || amount.0 <= 0 {
                return Err(bad());
            }
            Ok(CoInvestor {
                name: name.trim().to_owned(),
                amount_fen: amount.0,
            })
        })
        .collect()
}

/// Records an investment, checking the enterprise's stage from its founding date.
pub async fn invest(
    store: &Store,
    who: &Officer<'_>,
    i: &InvestmentInput<'_>,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::NOTE, i.co_investors)])?;
    let fund = store
        .seed_funds()
        .await?
        .into_iter()
        .find(|f| f.id == i.fund_id)
        .ok_or_else(|| Error::not_found(FinanceInput::UnknownFund { id: i.fund_id }))?;
    let uscc = kechuang_domain::uscc::normalise(i.uscc);
    let e = store.enterprise(&uscc).await.map_err(|e| match e {
        kechuang_store::StoreError::NotFound(_) => {
            field("uscc", Missing::Enterprise { uscc: uscc.clone() })
        }
        other => other.into(),
    })?;
    let tree = store.region_tree().await?;
    let region = RegionCode::parse(&e.region_code).map_err(Error::internal)?;
    if !who.covers(&tree, &region) {
        return Err(field("uscc", Missing::Enterprise { uscc }));
    }
    let amount = positive_wan("amount", i.amount)?;
    let on = parse_day("invested_on", i.invested_on)?;
    let founded = e
        .registered_on
        .as_deref()
        .and_then(kechuang_domain::text::written_date)
        .ok_or_else(|| field("uscc", FinanceProblem::NoFounding { uscc: uscc.clone() }))?;
    let age =
        rules::check_stage(founded, on, fund.max_age_years).map_err(|p| field("invested_on", p))?;
    let co = co_investors(i.co_investors)?;
    Ok(store
        .add_investment(
            &NewInvestment {
                fund_id: fund.id,
                uscc: &uscc,
                name: &e.name,
                region_code: &e.region_code,
                round: if i.follow_on { "follow_on" } else { "initial" },
                invested_on: on,
                amount,
                age_years: age,
                co_investors: &co,
            },
            &who.actor(),
        )
        .await?)
}

pub async fn record_exit(
    store: &Store,
    who: &Officer<'_>,
    id: i64,
    on: &str,
    proceeds: &str,
) -> Result<(), Error> {
    let on = parse_day("exited_on", on)?;
    let proceeds = wan("proceeds", proceeds)?.unwrap_or(Fen::ZERO);
    Ok(store.record_exit(id, on, proceeds, &who.actor()).await?)
}

/// The seed funds with their investments and leverage (private ÷ public capital).
#[derive(Debug, Clone, Serialize)]
pub struct SeedView {
    pub funds: Vec<SeedFundRecord>,
    pub investments: Vec<InvestmentRecord>,
    pub public: Fen,
    pub private: Fen,
    pub leverage: f64,
    pub returns: Fen,
}

pub async fn seed(store: &Store, who: &Principal) -> Result<SeedView, Error> {
    let Scope::Regions(regions) = scope(store, who).await? else {
        return Err(Error::not_found(Missing::OutOfScope));
    };
    let mut investments = store.investments().await?;
    investments.retain(|i| regions.contains(&i.region_code));
    let public = Fen(investments.iter().map(|i| i.amount.0).sum());
    let private = Fen(investments.iter().map(|i| i.private.0).sum());
    let returns = Fen(investments
        .iter()
        .filter_map(|i| i.proceeds)
        .map(|p| p.0)
        .sum());
    Ok(SeedView {
        funds: store.seed_funds().await?,
        leverage: rules::leverage(private, public),
        investments,
        public,
        private,
        returns,
    })
}

// ---- imports ------------------------------------------------------------------------------------

/// Imports a pool-members or a loans file: every row checked (a bank's upload only its own
/// bank's loans, a contract another bank holds refused), then all written in one transaction
/// or none.
pub(crate) async fn import_file(
    store: &Store,
    req: &ImportRequest<'_>,
) -> Result<ImportOutcome, Error> {
    use kechuang_ingest::finance as ingest;
    let path = req.path.to_owned();
    let table = tokio::task::spawn_blocking(move || kechuang_ingest::table::read_table(&path))
        .await
        .map_err(|e| Error::internal(format!("the import's reader stopped: {e}")))?
        .map_err(Error::invalid)?;
    if let Some(p) = req.progress {
        p.set_total(table.len());
    }
    let wanted = ingest::usccs(&table);
    let known = if wanted.is_empty() {
        HashMap::new()
    } else {
        store.enterprise_regions(&wanted).await?
    };
    let tree = store.region_tree().await?;
    let home = tree
        .root()
        .map(|r| r.code.clone())
        .ok_or_else(|| Error::internal("no regions are loaded"))?;
    let banks: Vec<ingest::BankName> = store
        .banks()
        .await?
        .into_iter()
        .map(|b| ingest::BankName {
            id: b.id,
            uscc: b.uscc,
            name: b.name,
        })
        .collect();
    let ctx = ingest::Context {
        tree: &tree,
        home: &home,
        known: &known,
        banks: &banks,
        only_bank: req.bank,
    };
    let mut out = ImportOutcome::default();
    let actor: &Actor = req.actor;
    match req.kind {
        crate::imports::FileKind::PoolMembers => {
            let parsed = ingest::parse_members(&table, &ctx);
            out.rows = parsed.count;
            out.problems = parsed.problems;
            if let Some(p) = req.progress {
                p.add_read(table.len());
            }
            if out.problems.is_empty() && !req.dry_run {
                let (added, updated) = store
                    .write_members(&parsed.rows, req.file_name, actor)
                    .await?;
                out.summary = Some(kechuang_store::WriteSummary {
                    inserted: added,
                    updated,
                    unchanged: parsed.rows.len() - added - updated,
                    batch_id: None,
                });
            }
        }
        _ => {
            let parsed = ingest::parse_loans(&table, &ctx);
            out.rows = parsed.count;
            out.problems = parsed.problems;
            if let Some(p) = req.progress {
                p.add_read(table.len());
            }
            // A contract another bank registered is refused on its row, not overwritten.
            let contracts: Vec<String> =
                parsed.rows.iter().map(|l| l.contract_no.clone()).collect();
            let holders = store.loan_banks(&contracts).await?;
            for (i, l) in parsed.rows.iter().enumerate() {
                if holders.get(&l.contract_no).is_some_and(|b| *b != l.bank_id) {
                    let row = table
                        .iter()
                        .find(|r| {
                            r.cells
                                .iter()
                                .any(|c| kechuang_ingest::table::normalise(c) == l.contract_no)
                        })
                        .map_or(i + 2, |r| r.number);
                    out.problems.push(kechuang_ingest::RowProblem {
                        row,
                        column: "贷款合同编号".into(),
                        value: l.contract_no.clone(),
                        problem: kechuang_domain::problem::bilingual(
                            &FinanceProblem::ContractTaken {
                                contract_no: l.contract_no.clone(),
                            },
                        ),
                    });
                }
            }
            out.problems.sort_by_key(|p| p.row);
            if out.problems.is_empty() && !req.dry_run {
                let w = store
                    .write_loans(&parsed.rows, req.file_name, actor)
                    .await?;
                out.summary = Some(kechuang_store::WriteSummary {
                    inserted: w.added,
                    updated: w.updated,
                    unchanged: w.unchanged,
                    batch_id: None,
                });
            }
        }
    }
    if let (Some(p), Some(s)) = (req.progress, &out.summary) {
        p.add_written(s.inserted + s.updated + s.unchanged);
    }
    Ok(out)
}
