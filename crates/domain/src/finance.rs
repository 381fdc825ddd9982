//! Tech finance (plan §三(六)): the credit risk reserve partner banks lend against, the pool of
//! enterprises they lend to, what a bad loan's compensation is under a bank's agreement, what a
//! later recovery returns, and the seed fund's stage rule. Pure rules: every share, cap and
//! condition comes from an agreement's data, none is written here.

use crate::money::Fen;
use crate::programme::EnterpriseFacts;
use cel::{Context, Program, Value};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

crate::problems! {
    /// Why a finance step is refused.
    pub enum FinanceProblem {
        ShareOutOfRange { share: String } = "share_out_of_range" {
            zh: "补偿比例 {share}% 应在 0 到 100 之间", en: "the compensation share {share}% must lie between 0 and 100",
        },
        PeriodReversed = "agreement_period_reversed" {
            zh: "协议结束日期不能早于开始日期", en: "an agreement cannot end before it starts",
        },
        NotPerforming { class: String } = "loan_performing" {
            zh: "贷款五级分类为「{class}」且未逾期，不能申请风险补偿（次级、可疑、损失或逾期超过协议天数方可申请）",
            en: "the loan is classified '{class}' and not overdue: only substandard, doubtful or loss loans, or loans overdue past the agreement's days, can be claimed",
        },
        NotPoolLoan = "loan_not_in_pool" {
            zh: "放款时该企业不在风险准备金池内，不能申请补偿", en: "the enterprise was not a pool member when the loan was issued",
        },
        NoAgreement { issued_on: String } = "no_agreement" {
            zh: "放款日 {issued_on} 不在该银行任何合作协议期内", en: "no agreement of the bank covers the issue date {issued_on}",
        },
        NothingOutstanding = "nothing_outstanding" {
            zh: "贷款余额为 0，没有可补偿的本金", en: "the loan has no outstanding principal to compensate",
        },
        CapsExhausted = "caps_exhausted" {
            zh: "按协议的补偿上限，本笔贷款已无可补偿金额", en: "the agreement's caps leave nothing to compensate for this loan",
        },
        ClaimStep { status: String, action: String } = "claim_step_not_allowed" {
            zh: "补偿申请处于「{status}」，不能{action}", en: "a claim that is {status} cannot be {action}",
        },
        PoolStep { status: String, action: String } = "pool_step_not_allowed" {
            zh: "入池申请处于「{status}」，不能{action}", en: "a pool application that is {status} cannot be {action}",
        },
        SameOfficer = "same_officer" {
            zh: "审核与批准须由不同的工作人员办理", en: "the review and the approval must be made by different officers",
        },
        RecoveryTooLarge { most: String } = "recovery_too_large" {
            zh: "追回金额超过补偿时的贷款本金余额 {most} 元", en: "the recovery exceeds the principal outstanding at the claim, {most} yuan",
        },
        NotPaid = "claim_not_paid" {
            zh: "补偿尚未拨付，不能登记追回", en: "the claim is not paid yet, so nothing can be recovered on it",
        },
        GrowthStage { years: i64, most: i64 } = "not_seed_stage" {
            zh: "企业成立已 {years} 年，超过种子基金投资的种子期、初创期上限 {most} 年",
            en: "the enterprise was founded {years} years before; the seed fund invests in firms up to {most} years old",
        },
        NoFounding { uscc: String } = "founding_date_unknown" {
            zh: "企业 {uscc} 的成立日期未登记，无法判断投资阶段", en: "enterprise {uscc} has no founding date registered, so its stage cannot be checked",
        },
        NotEligible = "pool_not_eligible" {
            zh: "不符合入池条件（见入池规则）", en: "the enterprise does not meet the pool's rule",
        },
        MemberAlready = "pool_member_already" {
            zh: "该企业已在池内", en: "the enterprise is a pool member already",
        },
        PendingAlready = "pool_application_pending" {
            zh: "该企业已有待审核的入池申请", en: "the enterprise has a pool application under review already",
        },
        NoBankChosen = "no_bank_chosen" {
            zh: "请至少选择一家合作银行", en: "choose at least one partner bank",
        },
        OtherBank { bank: String } = "other_bank" {
            zh: "合作银行「{bank}」不是本账号所属银行，只能上传本行的贷款", en: "'{bank}' is not this account's bank: a bank uploads only its own loans",
        },
        ContractTaken { contract_no: String } = "contract_no_taken" {
            zh: "贷款合同编号 {contract_no} 已由其他银行登记", en: "loan contract {contract_no} is registered by another bank",
        },
        BalanceAboveAmount = "balance_above_amount" {
            zh: "贷款余额不能大于贷款金额", en: "the balance cannot exceed the amount lent",
        },
        AboveMaxLoan { most: String } = "loan_above_agreement" {
            zh: "贷款金额超过合作协议的单笔额度 {most} 万元，不在风险补偿范围内", en: "the loan exceeds the agreement's largest loan, {most} 10k yuan, so it is not covered",
        },
        KindMissing { kinds: String } = "enterprise_kind_not_covered" {
            zh: "放款时企业未持有协议要求的证书（{kinds}），不在风险补偿范围内", en: "when the loan was issued the enterprise held none of the certificates the agreement asks for ({kinds})",
        },
        LeaveBeforeAdmission { admitted_on: String } = "membership_cannot_end" {
            zh: "该企业已退出，或退出日期早于入池日期 {admitted_on}", en: "the membership has ended already, or the date is before its admission on {admitted_on}",
        },
        BankExists { bank: String } = "bank_exists" {
            zh: "合作银行 {bank} 已登记（名称或统一社会信用代码重复）", en: "partner bank {bank} is registered already (same name or credit code)",
        },
        FundExists { fund: String } = "fund_exists" {
            zh: "种子基金 {fund} 已登记", en: "seed fund {fund} is registered already",
        },
        DueBeforeIssue = "due_before_issue" {
            zh: "到期日期不能早于放款日期", en: "a loan cannot fall due before it is issued",
        },
    }
}

// ---- loans ----------------------------------------------------------------------------

/// The five-grade loan classification (五级分类); substandard and worse are non-performing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanClass {
    Normal,
    SpecialMention,
    Substandard,
    Doubtful,
    Loss,
}

impl LoanClass {
    pub const ALL: [LoanClass; 5] = [
        Self::Normal,
        Self::SpecialMention,
        Self::Substandard,
        Self::Doubtful,
        Self::Loss,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::SpecialMention => "special_mention",
            Self::Substandard => "substandard",
            Self::Doubtful => "doubtful",
            Self::Loss => "loss",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Normal => "正常",
            Self::SpecialMention => "关注",
            Self::Substandard => "次级",
            Self::Doubtful => "可疑",
            Self::Loss => "损失",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Normal => "Normal",
            Self::SpecialMention => "Special mention",
            Self::Substandard => "Substandard",
            Self::Doubtful => "Doubtful",
            Self::Loss => "Loss",
        }
    }
    /// As a bank's file writes it: 次级, 次级类, substandard, Substandard.
    pub fn parse(raw: &str) -> Option<Self> {
        let s = raw
            .trim()
            .trim_end_matches('类')
            .to_lowercase()
            .replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|c| {
            c.code() == s || c.name() == s || c.name_en().to_lowercase().replace(' ', "_") == s
        })
    }
    pub fn non_performing(self) -> bool {
        self >= Self::Substandard
    }
}

/// A loan without collateral or a guarantor — a credit loan, or one pledged only by patents or
/// trademarks — which agreements often compensate at a higher share.
pub fn unsecured(guarantee: &str) -> bool {
    let g = guarantee.trim().to_lowercase();
    [
        "信用",
        "无担保",
        "知识产权",
        "专利",
        "商标",
        "unsecured",
        "credit",
        "ip",
    ]
    .iter()
    .any(|k| g.contains(k))
}

/// Whether a loan may be claimed: non-performing, or overdue past the agreement's days with
/// principal left, and lent while the enterprise was in the pool.
pub fn check_claimable(
    class: LoanClass,
    due_on: NaiveDate,
    outstanding: Fen,
    overdue_days: Option<u32>,
    in_pool: bool,
    today: NaiveDate,
) -> Result<(), FinanceProblem> {
    if !in_pool {
        return Err(FinanceProblem::NotPoolLoan);
    }
    if outstanding.0 <= 0 {
        return Err(FinanceProblem::NothingOutstanding);
    }
    let overdue = overdue_days.is_some_and(|d| (today - due_on).num_days() > i64::from(d));
    if class.non_performing() || overdue {
        Ok(())
    } else {
        Err(FinanceProblem::NotPerforming {
            class: class.name().to_owned(),
        })
    }
}

/// A pool member as a bureau's list of existing members gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub admitted_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub bank_id: Option<i64>,
}

/// A loan as a bank's monthly file reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanRow {
    pub contract_no: String,
    pub bank_id: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub amount: Fen,
    pub balance: Fen,
    pub class: LoanClass,
    pub guarantee: String,
}

/// Whether an agreement covers a loan: within its largest loan, and to an enterprise that held
/// one of the certificate kinds it asks for (if it asks) when the loan was issued.
pub fn check_covered(
    amount: Fen,
    max_loan: Option<Fen>,
    kinds_required: &[String],
    kinds_held: &[String],
) -> Result<(), FinanceProblem> {
    if let Some(most) = max_loan {
        if amount > most {
            return Err(FinanceProblem::AboveMaxLoan {
                most: most.wan_text(),
            });
        }
    }
    if !kinds_required.is_empty() && !kinds_required.iter().any(|k| kinds_held.contains(k)) {
        return Err(FinanceProblem::KindMissing {
            kinds: kinds_required.join("、"),
        });
    }
    Ok(())
}

// ---- agreements and compensation --------------------------------------------------------

/// What a partner bank's agreement says about compensation. Shares are in basis points of the
/// lost principal (3000 = 30%).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Terms {
    pub share_bp: u32,
    /// The share for a first loan or an unsecured one, when the agreement gives more.
    pub bonus_share_bp: Option<u32>,
    pub cap_per_loan: Option<Fen>,
    pub cap_per_enterprise: Option<Fen>,
    pub cap_per_bank_year: Option<Fen>,
}

/// What a claim is computed from, as the records stand when it is made.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimBasis {
    pub outstanding: Fen,
    /// The enterprise's first loan from any bank in the records.
    pub first_loan: bool,
    pub unsecured: bool,
    /// Compensation already granted on this enterprise's other loans.
    pub granted_to_enterprise: Fen,
    /// Compensation already granted to this bank this year.
    pub granted_to_bank_this_year: Fen,
}

/// Which limit a step of the computation applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    PerLoan,
    PerEnterprise,
    PerBankYear,
}

/// A claim's amount and how it came about, so the officer sees the rule, not only a figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compensation {
    pub share_bp: u32,
    /// Why the bonus share applied: first loan, unsecured, or neither.
    pub bonus: Option<&'static str>,
    /// Share × outstanding principal, before caps.
    pub base: Fen,
    /// Caps that cut the amount, in order: (limit, room left under it).
    pub capped_by: Vec<(Limit, Fen)>,
    pub amount: Fen,
}

fn share_of(amount: Fen, bp: u32) -> Fen {
    // In i128 so no principal overflows; rounded down to the fen, as payments are.
    Fen((i128::from(amount.0) * i128::from(bp) / 10_000) as i64)
}

/// Checks an agreement's share as typed (a percent with up to two decimals).
pub fn share_bp(percent: f64) -> Result<u32, FinanceProblem> {
    if !(0.0..=100.0).contains(&percent) || !percent.is_finite() {
        return Err(FinanceProblem::ShareOutOfRange {
            share: percent.to_string(),
        });
    }
    Ok((percent * 100.0).round() as u32)
}

/// The compensation a non-performing loan's claim brings under the agreement's terms.
pub fn compensation(t: &Terms, b: &ClaimBasis) -> Result<Compensation, FinanceProblem> {
    if b.outstanding.0 <= 0 {
        return Err(FinanceProblem::NothingOutstanding);
    }
    let bonus = match t.bonus_share_bp {
        Some(_) if b.first_loan => Some("first_loan"),
        Some(_) if b.unsecured => Some("unsecured"),
        _ => None,
    };
    let share_bp = match (bonus, t.bonus_share_bp) {
        (Some(_), Some(bp)) => bp.max(t.share_bp),
        _ => t.share_bp,
    };
    let base = share_of(b.outstanding, share_bp);
    let mut amount = base;
    let mut capped_by = Vec::new();
    let rooms = [
        (Limit::PerLoan, t.cap_per_loan.map(|c| c.0)),
        (
            Limit::PerEnterprise,
            t.cap_per_enterprise
                .map(|c| c.0 - b.granted_to_enterprise.0),
        ),
        (
            Limit::PerBankYear,
            t.cap_per_bank_year
                .map(|c| c.0 - b.granted_to_bank_this_year.0),
        ),
    ];
    for (limit, room) in rooms {
        if let Some(room) = room {
            let room = room.max(0);
            if amount.0 > room {
                amount = Fen(room);
                capped_by.push((limit, Fen(room)));
            }
        }
    }
    if amount.0 <= 0 {
        return Err(FinanceProblem::CapsExhausted);
    }
    Ok(Compensation {
        share_bp,
        bonus,
        base,
        capped_by,
        amount,
    })
}

impl Compensation {
    /// The rule as a sentence, e.g. 本金余额 100.00 万元 × 35%（首贷）= 35.00 万元，受单笔上限 20.00 万元限制，补偿 20.00 万元.
    pub fn explain(&self, outstanding: Fen, lang: crate::problem::Lang) -> String {
        use crate::problem::Lang;
        let pct = format!("{}%", f64::from(self.share_bp) / 100.0);
        let bonus = match (self.bonus, lang) {
            (Some("first_loan"), Lang::Zh) => "（首贷）",
            (Some(_), Lang::Zh) => "（信用或知识产权质押贷款）",
            (Some("first_loan"), Lang::En) => " (first loan)",
            (Some(_), Lang::En) => " (unsecured)",
            (None, _) => "",
        };
        let mut s = match lang {
            Lang::Zh => format!(
                "本金余额 {} 万元 × {pct}{bonus} = {} 万元",
                outstanding.wan_text(),
                self.base.wan_text()
            ),
            Lang::En => format!(
                "outstanding principal {} 10k yuan × {pct}{bonus} = {} 10k yuan",
                outstanding.wan_text(),
                self.base.wan_text()
            ),
        };
        for (limit, room) in &self.capped_by {
            let (zh, en) = match limit {
                Limit::PerLoan => ("单笔贷款补偿上限", "the per-loan cap"),
                Limit::PerEnterprise => (
                    "单户企业补偿上限余额",
                    "what is left of the per-enterprise cap",
                ),
                Limit::PerBankYear => (
                    "该行本年度补偿上限余额",
                    "what is left of the bank's yearly cap",
                ),
            };
            s.push_str(&match lang {
                Lang::Zh => format!("，受{zh} {} 万元限制", room.wan_text()),
                Lang::En => format!(", limited by {en}, {} 10k yuan", room.wan_text()),
            });
        }
        s.push_str(&match lang {
            Lang::Zh => format!("，补偿 {} 万元", self.amount.wan_text()),
            Lang::En => format!("; compensation {} 10k yuan", self.amount.wan_text()),
        });
        s
    }
}

/// What a recovery on a compensated loan returns to the reserve: the reserve's share of the
/// loss (compensation ÷ principal claimed on) of what was recovered, never more than the
/// compensation not yet returned.
pub fn reserve_share(
    recovered: Fen,
    compensation: Fen,
    principal: Fen,
    returned_before: Fen,
) -> Result<Fen, FinanceProblem> {
    if recovered.0 <= 0 || principal.0 <= 0 {
        return Ok(Fen::ZERO);
    }
    if recovered.0 > principal.0 {
        return Err(FinanceProblem::RecoveryTooLarge {
            most: principal.yuan_text(),
        });
    }
    let share =
        (i128::from(recovered.0) * i128::from(compensation.0) / i128::from(principal.0)) as i64;
    Ok(Fen(share.min(compensation.0 - returned_before.0).max(0)))
}

// ---- claims -------------------------------------------------------------------------------

/// A compensation claim's states: the bank claims, the bureau reviews, a second officer
/// approves, the payment leaves the reserve; or it is refused with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Claimed,
    Reviewed,
    Approved,
    Paid,
    Refused,
}

/// What an officer does to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimAction {
    Review,
    Approve,
    Pay,
    Refuse,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 5] = [
        Self::Claimed,
        Self::Reviewed,
        Self::Approved,
        Self::Paid,
        Self::Refused,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Reviewed => "reviewed",
            Self::Approved => "approved",
            Self::Paid => "paid",
            Self::Refused => "refused",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Claimed => "待审核",
            Self::Reviewed => "待批准",
            Self::Approved => "待拨付",
            Self::Paid => "已补偿",
            Self::Refused => "不予补偿",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Claimed => "Awaiting review",
            Self::Reviewed => "Awaiting approval",
            Self::Approved => "Awaiting payment",
            Self::Paid => "Paid",
            Self::Refused => "Refused",
        }
    }
}

impl ClaimAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Approve => "approve",
            Self::Pay => "pay",
            Self::Refuse => "refuse",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Review, Self::Approve, Self::Pay, Self::Refuse]
            .into_iter()
            .find(|a| a.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Review => "审核通过",
            Self::Approve => "批准",
            Self::Pay => "拨付",
            Self::Refuse => "不予补偿",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Review => "reviewed",
            Self::Approve => "approved",
            Self::Pay => "paid",
            Self::Refuse => "refused",
        }
    }
}

/// The state a claim moves to; `reviewer` is who reviewed it, so the approval is someone else's.
pub fn claim_step(
    from: ClaimStatus,
    action: ClaimAction,
    reviewer: Option<&str>,
    actor: &str,
) -> Result<ClaimStatus, FinanceProblem> {
    use ClaimAction as A;
    use ClaimStatus as S;
    let to = match (from, action) {
        (S::Claimed, A::Review) => S::Reviewed,
        (S::Reviewed, A::Approve) => {
            if reviewer == Some(actor) {
                return Err(FinanceProblem::SameOfficer);
            }
            S::Approved
        }
        (S::Approved, A::Pay) => S::Paid,
        (S::Claimed | S::Reviewed, A::Refuse) => S::Refused,
        _ => {
            return Err(FinanceProblem::ClaimStep {
                status: from.name().to_owned(),
                action: action.name().to_owned(),
            })
        }
    };
    Ok(to)
}

/// The actions open on a claim in a state.
pub fn claim_actions(from: ClaimStatus) -> Vec<ClaimAction> {
    match from {
        ClaimStatus::Claimed => vec![ClaimAction::Review, ClaimAction::Refuse],
        ClaimStatus::Reviewed => vec![ClaimAction::Approve, ClaimAction::Refuse],
        ClaimStatus::Approved => vec![ClaimAction::Pay],
        ClaimStatus::Paid | ClaimStatus::Refused => Vec::new(),
    }
}

// ---- pool entry -------------------------------------------------------------------------

/// An online pool application: the enterprise applies, its county recommends, the bureau
/// admits; either may decline with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolStatus {
    Submitted,
    Recommended,
    Admitted,
    Declined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolAction {
    Recommend,
    Admit,
    Decline,
}

impl PoolStatus {
    pub const ALL: [PoolStatus; 4] = [
        Self::Submitted,
        Self::Recommended,
        Self::Admitted,
        Self::Declined,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Recommended => "recommended",
            Self::Admitted => "admitted",
            Self::Declined => "declined",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Submitted => "待县区推荐",
            Self::Recommended => "待市局审核",
            Self::Admitted => "已入池",
            Self::Declined => "未通过",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Submitted => "Awaiting the county",
            Self::Recommended => "Awaiting the bureau",
            Self::Admitted => "Admitted",
            Self::Declined => "Declined",
        }
    }
}

impl PoolAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Recommend => "recommend",
            Self::Admit => "admit",
            Self::Decline => "decline",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Recommend, Self::Admit, Self::Decline]
            .into_iter()
            .find(|a| a.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Recommend => "推荐",
            Self::Admit => "准予入池",
            Self::Decline => "不予通过",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Recommend => "recommended",
            Self::Admit => "admitted",
            Self::Decline => "declined",
        }
    }
}

/// Who acts on a pool application at each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolStage {
    County,
    Bureau,
}

/// The state a pool application moves to when `stage` acts.
pub fn pool_step(
    from: PoolStatus,
    action: PoolAction,
    stage: PoolStage,
) -> Result<PoolStatus, FinanceProblem> {
    use PoolAction as A;
    use PoolStatus as S;
    let to = match (from, action, stage) {
        (S::Submitted, A::Recommend, PoolStage::County) => S::Recommended,
        (S::Submitted, A::Decline, PoolStage::County) => S::Declined,
        (S::Recommended, A::Admit | A::Decline, PoolStage::Bureau) => {
            if action == A::Admit {
                S::Admitted
            } else {
                S::Declined
            }
        }
        _ => {
            return Err(FinanceProblem::PoolStep {
                status: from.name().to_owned(),
                action: action.name().to_owned(),
            })
        }
    };
    Ok(to)
}

/// The median and the slowest of some durations in days; `None` for none.
pub fn median_and_max(days: &[i64]) -> Option<(f64, i64)> {
    let mut d = days.to_vec();
    d.sort_unstable();
    let n = d.len();
    let max = *d.last()?;
    let median = if n % 2 == 1 {
        d[n / 2] as f64
    } else {
        (d[n / 2 - 1] + d[n / 2]) as f64 / 2.0
    };
    Some((median, max))
}

/// What the pool's entry rule sees of an applicant.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolCandidate {
    pub enterprise: EnterpriseFacts,
    /// Kinds of the certificates valid today (`hte`, `tech_sme`, …).
    pub certificates: Vec<String>,
    /// The latest year's facts (money in 万元), by field.
    pub facts: HashMap<String, f64>,
    pub in_region: bool,
    /// The loan asked for, in 万元.
    pub requested_wan: f64,
}

/// Variables the pool rule may use.
pub const POOL_RULE_VARIABLES: [&str; 5] = [
    "enterprise",
    "certificates",
    "facts",
    "in_region",
    "requested",
];

/// The pool's entry rule (CEL), compiled and tried on a sample applicant, so a rule that
/// cannot run is refused when it is set, not when an enterprise applies.
pub struct PoolRule(Program);

impl std::fmt::Debug for PoolRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoolRule")
    }
}

impl PoolRule {
    pub fn compile(src: &str) -> Result<Self, crate::programme::RuleError> {
        use crate::programme::RuleError;
        let program = Program::compile(src).map_err(|e| RuleError::DoesNotParse {
            rule: "eligibility",
            detail: e.to_string().lines().next().unwrap_or_default().to_owned(),
        })?;
        if let Some(v) = program
            .references()
            .variables()
            .into_iter()
            .find(|v| !POOL_RULE_VARIABLES.contains(v))
        {
            return Err(RuleError::UnknownVariable {
                rule: "eligibility",
                variable: v.to_owned(),
                known: POOL_RULE_VARIABLES.join(", "),
            });
        }
        let rule = Self(program);
        rule.eligible(&PoolCandidate {
            enterprise: EnterpriseFacts {
                uscc: "9144020071526726XG".into(),
                name: "样例企业".into(),
                region: "440203".into(),
                registered_year: 2012,
                size: "小型".into(),
                above_scale: false,
                hitech_field: "新材料".into(),
                industry: "3985".into(),
            },
            certificates: vec!["hte".into()],
            facts: crate::programme::FACT_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), 1.0))
                .collect(),
            in_region: true,
            requested_wan: 100.0,
        })?;
        Ok(rule)
    }

    pub fn eligible(&self, c: &PoolCandidate) -> Result<bool, crate::programme::RuleError> {
        use crate::programme::RuleError;
        let mut ctx = Context::default();
        let facts = |name: &str, detail: String| RuleError::Facts {
            name: name.to_owned(),
            detail,
        };
        ctx.add_variable_from_value(
            "enterprise",
            cel::to_value(&c.enterprise).map_err(|e| facts("enterprise", e.to_string()))?,
        );
        ctx.add_variable_from_value(
            "certificates",
            cel::to_value(&c.certificates).map_err(|e| facts("certificates", e.to_string()))?,
        );
        ctx.add_variable_from_value(
            "facts",
            cel::to_value(&c.facts).map_err(|e| facts("facts", e.to_string()))?,
        );
        ctx.add_variable_from_value("in_region", Value::Bool(c.in_region));
        ctx.add_variable_from_value("requested", Value::Float(c.requested_wan));
        match self.0.execute(&ctx).map_err(|e| RuleError::Failed {
            rule: "eligibility",
            detail: e.to_string(),
        })? {
            Value::Bool(b) => Ok(b),
            other => Err(RuleError::NotBoolean {
                got: format!("{other:?}"),
            }),
        }
    }
}

// ---- seed fund ----------------------------------------------------------------------------

/// Checks an investment's stage from the enterprise's founding date: the seed fund invests in
/// seed- and start-up-stage firms, up to the fund's age limit. Answers the age in whole years.
pub fn check_stage(
    founded: NaiveDate,
    invested_on: NaiveDate,
    max_years: i64,
) -> Result<i64, FinanceProblem> {
    let years = invested_on.years_since(founded).map_or(0, i64::from);
    if years >= max_years {
        return Err(FinanceProblem::GrowthStage {
            years,
            most: max_years,
        });
    }
    Ok(years)
}

/// Private capital drawn per yuan of public capital, 0 when nothing public was put in.
pub fn leverage(private: Fen, public: Fen) -> f64 {
    if public.0 <= 0 {
        0.0
    } else {
        private.0 as f64 / public.0 as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wan(x: i64) -> Fen {
        Fen(x * crate::money::FEN_PER_WAN)
    }

    fn province() -> Terms {
        Terms {
            share_bp: 3000,
            bonus_share_bp: Some(3500),
            cap_per_loan: None,
            cap_per_enterprise: None,
            cap_per_bank_year: None,
        }
    }

    fn basis(outstanding: Fen) -> ClaimBasis {
        ClaimBasis {
            outstanding,
            first_loan: false,
            unsecured: false,
            granted_to_enterprise: Fen::ZERO,
            granted_to_bank_this_year: Fen::ZERO,
        }
    }

    #[test]
    fn classes_parse_as_banks_write_them() {
        assert_eq!(LoanClass::parse("次级"), Some(LoanClass::Substandard));
        assert_eq!(LoanClass::parse(" 次级类 "), Some(LoanClass::Substandard));
        assert_eq!(
            LoanClass::parse("Special mention"),
            Some(LoanClass::SpecialMention)
        );
        assert_eq!(LoanClass::parse("loss"), Some(LoanClass::Loss));
        assert_eq!(LoanClass::parse("坏账"), None);
        assert!(!LoanClass::SpecialMention.non_performing());
        assert!(LoanClass::Substandard.non_performing());
    }

    #[test]
    fn a_bad_loan_is_compensated_at_the_agreements_share() {
        let c = compensation(&province(), &basis(wan(100))).expect("due");
        assert_eq!((c.share_bp, c.amount), (3000, wan(30)));
        let first = ClaimBasis {
            first_loan: true,
            ..basis(wan(100))
        };
        let c = compensation(&province(), &first).expect("due");
        assert_eq!(
            (c.share_bp, c.bonus, c.amount),
            (3500, Some("first_loan"), wan(35))
        );
        let unsecured = ClaimBasis {
            unsecured: true,
            ..basis(wan(100))
        };
        assert_eq!(
            compensation(&province(), &unsecured).map(|c| c.amount),
            Ok(wan(35))
        );
        // A city sharing half, with no bonus: a first loan is shared as any other.
        let city = Terms {
            share_bp: 5000,
            bonus_share_bp: None,
            ..province()
        };
        assert_eq!(compensation(&city, &first).map(|c| c.amount), Ok(wan(50)));
    }

    #[test]
    fn caps_cut_the_amount_in_order_and_say_so() {
        let t = Terms {
            cap_per_loan: Some(wan(25)),
            cap_per_enterprise: Some(wan(40)),
            cap_per_bank_year: Some(wan(100)),
            ..province()
        };
        let b = ClaimBasis {
            granted_to_enterprise: wan(20),
            ..basis(wan(100))
        };
        let c = compensation(&t, &b).expect("due");
        assert_eq!(c.amount, wan(20));
        assert_eq!(
            c.capped_by,
            vec![(Limit::PerLoan, wan(25)), (Limit::PerEnterprise, wan(20))]
        );
        let text = c.explain(wan(100), crate::problem::Lang::Zh);
        assert!(text.contains("× 30%"), "{text}");
        assert!(text.contains("单笔贷款补偿上限 25 万元"), "{text}");
        assert!(text.ends_with("补偿 20 万元"), "{text}");
        let spent = ClaimBasis {
            granted_to_bank_this_year: wan(100),
            ..basis(wan(100))
        };
        assert_eq!(compensation(&t, &spent), Err(FinanceProblem::CapsExhausted));
    }

    #[test]
    fn only_bad_or_long_overdue_pool_loans_are_claimable() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let due = d("2019-06-30");
        let ok = |c, od, pool, today| check_claimable(c, due, wan(10), od, pool, d(today));
        assert!(ok(LoanClass::Substandard, None, true, "2019-01-01").is_ok());
        assert!(ok(LoanClass::SpecialMention, None, true, "2020-01-01").is_err());
        assert!(ok(LoanClass::SpecialMention, Some(90), true, "2019-10-01").is_ok());
        assert!(ok(LoanClass::SpecialMention, Some(90), true, "2019-09-01").is_err());
        assert_eq!(
            ok(LoanClass::Loss, None, false, "2019-01-01"),
            Err(FinanceProblem::NotPoolLoan)
        );
    }

    #[test]
    fn an_agreement_covers_loans_within_its_conditions() {
        let kinds = |k: &[&str]| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(check_covered(wan(500), None, &[], &[]).is_ok());
        assert_eq!(
            check_covered(wan(600), Some(wan(500)), &[], &[]),
            Err(FinanceProblem::AboveMaxLoan { most: "500".into() })
        );
        assert!(check_covered(
            wan(100),
            Some(wan(500)),
            &kinds(&["hte", "tech_sme"]),
            &kinds(&["tech_sme"])
        )
        .is_ok());
        assert!(check_covered(
            wan(100),
            None,
            &kinds(&["hte"]),
            &kinds(&["hitech_product"])
        )
        .is_err());
    }

    #[test]
    fn recoveries_return_the_reserves_share_once() {
        // 30 of 100 was compensated; 50 recovered returns 15, and never more than 30 in all.
        assert_eq!(
            reserve_share(wan(50), wan(30), wan(100), Fen::ZERO),
            Ok(wan(15))
        );
        assert_eq!(
            reserve_share(wan(100), wan(30), wan(100), wan(25)),
            Ok(wan(5))
        );
        assert!(reserve_share(wan(101), wan(30), wan(100), Fen::ZERO).is_err());
    }

    #[test]
    fn claims_move_through_review_and_a_second_officers_approval() {
        use ClaimAction as A;
        use ClaimStatus as S;
        assert_eq!(
            claim_step(S::Claimed, A::Review, None, "a"),
            Ok(S::Reviewed)
        );
        assert_eq!(
            claim_step(S::Reviewed, A::Approve, Some("a"), "a"),
            Err(FinanceProblem::SameOfficer)
        );
        assert_eq!(
            claim_step(S::Reviewed, A::Approve, Some("a"), "b"),
            Ok(S::Approved)
        );
        assert_eq!(claim_step(S::Approved, A::Pay, Some("a"), "a"), Ok(S::Paid));
        assert!(claim_step(S::Paid, A::Pay, Some("a"), "b").is_err());
        assert!(claim_step(S::Approved, A::Refuse, Some("a"), "b").is_err());
    }

    #[test]
    fn pool_applications_pass_the_county_then_the_bureau() {
        use PoolAction as A;
        use PoolStatus as S;
        assert_eq!(
            pool_step(S::Submitted, A::Recommend, PoolStage::County),
            Ok(S::Recommended)
        );
        assert!(pool_step(S::Submitted, A::Admit, PoolStage::Bureau).is_err());
        assert_eq!(
            pool_step(S::Recommended, A::Admit, PoolStage::Bureau),
            Ok(S::Admitted)
        );
        assert!(pool_step(S::Recommended, A::Admit, PoolStage::County).is_err());
        assert!(pool_step(S::Admitted, A::Decline, PoolStage::Bureau).is_err());
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median_and_max(&[]), None);
        assert_eq!(median_and_max(&[5, 1, 9]), Some((5.0, 9)));
        assert_eq!(median_and_max(&[4, 1, 9, 2]), Some((3.0, 9)));
    }

    #[test]
    fn the_pool_rule_reads_certificates_and_refuses_unknown_names() {
        let rule = PoolRule::compile(
            r#"in_region && ("hte" in certificates || "tech_sme" in certificates) && requested <= 1000.0"#,
        )
        .expect("compiles");
        let mut c = PoolCandidate {
            enterprise: EnterpriseFacts {
                uscc: "x".into(),
                name: "x".into(),
                region: "440203".into(),
                registered_year: 2015,
                size: String::new(),
                above_scale: false,
                hitech_field: String::new(),
                industry: String::new(),
            },
            certificates: vec!["tech_sme".into()],
            facts: HashMap::new(),
            in_region: true,
            requested_wan: 300.0,
        };
        assert_eq!(rule.eligible(&c), Ok(true));
        c.certificates.clear();
        assert_eq!(rule.eligible(&c), Ok(false));
        // The shipped default (migration 0012) compiles and reads the registry's field.
        let default = PoolRule::compile(
            r#"in_region && (size(certificates) > 0 || enterprise.hitech_field != "")"#,
        )
        .expect("the default compiles");
        assert_eq!(default.eligible(&c), Ok(false));
        c.enterprise.hitech_field = "新材料".into();
        assert_eq!(default.eligible(&c), Ok(true));
        c.in_region = false;
        assert_eq!(default.eligible(&c), Ok(false));
        assert!(PoolRule::compile("bank.name == 'x'").is_err());
        assert!(PoolRule::compile("in_region &&").is_err());
    }

    #[test]
    fn seed_stage_follows_the_founding_date() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(check_stage(d("2016-05-01"), d("2018-04-30"), 5), Ok(1));
        assert_eq!(
            check_stage(d("2012-05-01"), d("2018-05-01"), 5),
            Err(FinanceProblem::GrowthStage { years: 6, most: 5 })
        );
        assert!((leverage(wan(3), wan(1)) - 3.0).abs() < 1e-9);
        assert_eq!(leverage(wan(3), Fen::ZERO), 0.0);
    }

    proptest! {
        #[test]
        fn compensation_never_exceeds_the_share_or_a_cap(
            outstanding in 1i64..10_000_000_000,
            share in 0u32..=10_000,
            bonus in proptest::option::of(0u32..=10_000),
            per_loan in proptest::option::of(0i64..5_000_000_000),
            per_ent in proptest::option::of(0i64..5_000_000_000),
            granted in 0i64..5_000_000_000,
            first in any::<bool>(),
        ) {
            let t = Terms { share_bp: share, bonus_share_bp: bonus, cap_per_loan: per_loan.map(Fen), cap_per_enterprise: per_ent.map(Fen), cap_per_bank_year: None };
            let b = ClaimBasis { outstanding: Fen(outstanding), first_loan: first, unsecured: false, granted_to_enterprise: Fen(granted), granted_to_bank_this_year: Fen::ZERO };
            if let Ok(c) = compensation(&t, &b) {
                let most = share.max(bonus.unwrap_or(0));
                prop_assert!(c.amount.0 > 0);
                prop_assert!(i128::from(c.amount.0) * 10_000 <= i128::from(outstanding) * i128::from(most));
                prop_assert!(c.amount.0 <= outstanding);
                if let Some(cap) = per_loan { prop_assert!(c.amount.0 <= cap); }
                if let Some(cap) = per_ent { prop_assert!(c.amount.0 <= cap - granted); }
            }
        }

        #[test]
        fn returned_shares_never_exceed_the_compensation(
            principal in 1i64..1_000_000_000,
            comp_share in 0u32..=10_000,
            parts in proptest::collection::vec(0i64..1_000_000_000, 0..5),
        ) {
            let compensation = share_of(Fen(principal), comp_share);
            let mut returned = Fen::ZERO;
            let mut recovered = 0i64;
            for p in parts {
                let p = p.min(principal - recovered);
                if let Ok(r) = reserve_share(Fen(p), compensation, Fen(principal), returned) {
                    returned = Fen(returned.0 + r.0);
                    recovered += p;
                }
            }
            prop_assert!(returned.0 <= compensation.0);
        }
    }
}
