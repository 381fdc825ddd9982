//! Tech finance (plan §三(六)): partner banks and their agreements, the credit risk reserve,
//! online pool entry through county and bureau, the banks' loan files, compensation of bad
//! loans and recoveries, the seed fund, and the reports by bank and county.
//!
//! Who sees what: the bureau and county officers the records of their region's enterprises; a
//! bank's staff their own bank's loans, claims and the members who chose it (another bank's
//! record is "not found"); an enterprise its own pool application.

use crate::auth::{AsBureau, Principal};
use crate::clock::{parse_day, parse_optional_day, today_in_china};
use crate::{Error, Missing};
use chrono::NaiveDate;
use kechuang_domain::auth::DataScope;
use kechuang_domain::finance::{self as rules, ClaimStatus, FinanceProblem};
use kechuang_domain::money::{Fen, MoneyUnit};
use kechuang_domain::problem::FieldProblem;
use kechuang_domain::RegionCode;
use kechuang_store::{
    Actor, AgreementRecord, BankRecord, LoanRecord, ReserveBalance, ReserveEntryRecord, Store,
};
use serde::Serialize;
use std::collections::BTreeMap;

mod loans;
mod pool;
mod seed;
pub use loans::*;
pub use pool::*;
pub use seed::*;

kechuang_domain::problems! {
    /// A typed value that is not what its field takes.
    pub enum FinanceInput {
        NotANumber { raw: String } = "not_a_number" {
            zh: "'{raw}' 不是数值", en: "'{raw}' is not a number",
        },
        Required = "required" { zh: "必填", en: "required" },
        UnknownKind { raw: String } = "unknown_certificate_kind" {
            zh: "证书类型 '{raw}' 无效，应为 hte、hte_pool、tech_sme 或 hitech_product",
            en: "certificate kind '{raw}' must be hte, hte_pool, tech_sme or hitech_product",
        },
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

pub(super) fn field(name: &'static str, p: impl kechuang_domain::problem::Problem) -> Error {
    Error::invalid(FieldProblem::new(name, p))
}

pub(super) fn opt(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|s| !s.is_empty())
}

pub(super) fn number(name: &'static str, raw: &str) -> Result<Option<f64>, Error> {
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
pub(super) fn wan(name: &'static str, raw: &str) -> Result<Option<Fen>, Error> {
    opt(raw)
        .map(|s| Fen::parse_in(s, MoneyUnit::Wan).map_err(|e| field(name, e)))
        .transpose()
}

pub(super) fn positive_wan(name: &'static str, raw: &str) -> Result<Fen, Error> {
    match wan(name, raw)? {
        None => Err(field(name, FinanceInput::Required)),
        Some(f) if f.0 <= 0 => Err(field(name, FinanceInput::NotPositive)),
        Some(f) => Ok(f),
    }
}

pub(super) fn percent_bp(name: &'static str, raw: &str) -> Result<Option<u32>, Error> {
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
    pub(super) fn actor(&self) -> Actor {
        match self {
            Self::Bureau(b) => b.actor(),
            Self::Operator(a) => a.clone(),
        }
    }
    /// Whether a region's records are the officer's: within the bureau's region, or any for
    /// the operator.
    pub(super) fn covers(
        &self,
        tree: &kechuang_domain::region::RegionTree,
        region: &RegionCode,
    ) -> bool {
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
        DataScope::System | DataScope::Assigned | DataScope::Unit(_) => {
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

/// The longest each term may be as typed, in characters (the API document states the same):
/// a number, a date or a short list, so anything longer is a mistake or an attack, refused
/// before it is parsed.
mod term_lens {
    use kechuang_domain::text::TextField as F;
    pub const STARTS_ON: F = F::new("starts_on", "起始日期", "start date", 20);
    pub const ENDS_ON: F = F::new("ends_on", "终止日期", "end date", 20);
    pub const SHARE: F = F::new("share", "分担比例", "share", 20);
    pub const BONUS_SHARE: F = F::new("bonus_share", "首贷分担比例", "first-loan share", 20);
    pub const CAP_PER_LOAN: F = F::new("cap_per_loan", "单笔补偿上限", "cap per loan", 30);
    pub const CAP_PER_ENTERPRISE: F = F::new(
        "cap_per_enterprise",
        "单户补偿上限",
        "cap per enterprise",
        30,
    );
    pub const CAP_PER_BANK_YEAR: F = F::new(
        "cap_per_bank_year",
        "年度补偿上限",
        "cap per bank and year",
        30,
    );
    pub const TOTAL_MULTIPLE: F = F::new("total_multiple", "放大倍数", "multiple", 20);
    pub const MAX_LOAN: F = F::new("max_loan", "单笔贷款上限", "largest loan", 30);
    pub const RATE_CEILING: F = F::new("rate_ceiling", "利率上限", "rate ceiling", 20);
    pub const ELIGIBLE_KINDS: F = F::new("eligible_kinds", "适用资质", "eligible kinds", 200);
    pub const OVERDUE_DAYS: F = F::new("overdue_days", "逾期天数", "days overdue", 10);
}

fn agreement(bank_id: i64, a: &AgreementInput) -> Result<AgreementRecord, Error> {
    use term_lens as t;
    crate::within_limits(&[
        (&t::STARTS_ON, &a.starts_on),
        (&t::ENDS_ON, &a.ends_on),
        (&t::SHARE, &a.share),
        (&t::BONUS_SHARE, &a.bonus_share),
        (&t::CAP_PER_LOAN, &a.cap_per_loan),
        (&t::CAP_PER_ENTERPRISE, &a.cap_per_enterprise),
        (&t::CAP_PER_BANK_YEAR, &a.cap_per_bank_year),
        (&t::TOTAL_MULTIPLE, &a.total_multiple),
        (&t::MAX_LOAN, &a.max_loan),
        (&t::RATE_CEILING, &a.rate_ceiling),
        (&t::ELIGIBLE_KINDS, &a.eligible_kinds),
        (&t::OVERDUE_DAYS, &a.overdue_days),
    ])?;
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
                FinanceInput::UnknownKind { raw: k.clone() },
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
    /// A bank's: the most its pool loans may reach, its agreement's multiple of the reserve.
    pub limit: Option<Fen>,
}

impl ReportLine {
    /// The bank lends more in the pool than its agreement's multiple of the reserve allows.
    pub fn over_limit(&self) -> bool {
        self.limit.is_some_and(|l| self.balance > l)
    }
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
    let agreements = store.agreements(None).await?;
    let today = on.to_string();
    let county_of = |code: &str| tree.county_of(code);
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
                let bank = banks.iter().find(|b| b.name == k);
                // The agreement in force today sets the bank's ceiling.
                let multiple = bank.and_then(|b| {
                    agreements
                        .iter()
                        .find(|a| a.bank_id == b.id && a.starts_on <= today && today <= a.ends_on)
                        .and_then(|a| a.total_multiple)
                });
                finish(
                    ReportLine {
                        key: bank.map_or_else(|| k.clone(), |b| b.uscc.clone()),
                        name: k,
                        limit: multiple.map(|m| Fen((balance.0 as f64 * m).round() as i64)),
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
                // The page names the line in its language.
                name: String::new(),
                ..total
            },
            balance,
        ),
    })
}
