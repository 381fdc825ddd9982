//! R&D statistics (plan §三(二)4): the enterprise R&D survey (统计报表 107-2,
//! 企业研究开发活动及相关情况) with the checks a statistics office applies before accepting it, and
//! 应统尽统 — which enterprises should report R&D and why. Pure rules.

use crate::money::{Fen, FEN_PER_WAN};
use serde::Serialize;

/// The eight parts of R&D expenditure, in the form's order: (key, Chinese, English).
pub const PARTS: [(&str, &str, &str); 8] = [
    ("labour", "人员人工费用", "Staff costs"),
    ("materials", "直接投入费用", "Direct inputs"),
    (
        "depreciation",
        "折旧费用与长期待摊费用",
        "Depreciation and long-term deferred costs",
    ),
    (
        "amortisation",
        "无形资产摊销费用",
        "Amortisation of intangibles",
    ),
    ("design", "设计费用", "Design"),
    (
        "trials",
        "装备调试费用与试验费用",
        "Equipment commissioning and trials",
    ),
    ("outsourced", "委托外部研究开发费用", "Outsourced R&D"),
    ("other", "其他费用", "Other"),
];

/// One enterprise's survey for a year; money in fen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub year: i32,
    pub staff: i64,
    pub total: Fen,
    /// In the order of [`PARTS`].
    pub parts: [Fen; 8],
    /// The base of the R&D super deduction claimed (研发费用加计扣除基数), when reported.
    pub super_deduction_base: Option<Fen>,
    /// The enterprise's explanation of an unusual figure.
    pub note: String,
    /// The form's other sections, each optional.
    pub details: SurveyDetails,
}

/// The survey's sections beside the expenditure: where the money came from, the R&D
/// institutions, and what came out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SurveyDetails {
    /// 研究开发费用中的政府资金.
    pub gov_funds: Option<Fen>,
    /// 期末研究开发机构数.
    pub institutions: Option<i64>,
    /// 当年专利申请数.
    pub patent_applications: Option<i64>,
    /// 新产品销售收入.
    pub new_product_sales: Option<Fen>,
}

/// A line of the tax authority's list of enterprises that claimed the R&D super deduction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub year: i32,
    pub amount: Fen,
}

crate::problems! {
    /// Why a survey is refused, each on its field.
    pub enum SurveyProblem {
        PartsDoNotAdd { total: String, sum: String, difference: String } = "rd_parts_do_not_add" {
            zh: "研究开发费用合计 {total} 万元与各项之和 {sum} 万元相差 {difference} 万元（允许 0.1 万元）",
            en: "the R&D total, {total} 10k yuan, differs from the sum of its parts, {sum}, by {difference} (0.1 allowed)",
        },
        StaffWithoutLabour = "rd_staff_without_labour" {
            zh: "有研究开发人员，人员人工费用应大于 0", en: "R&D staff are reported, so staff costs must be above 0",
        },
        LabourWithoutStaff = "rd_labour_without_staff" {
            zh: "有人员人工费用，研究开发人员应大于 0", en: "staff costs are reported, so R&D staff must be above 0",
        },
        LabourPerPerson { per_person: String, low: String, high: String } = "rd_labour_per_person" {
            zh: "人均人员人工费用 {per_person} 万元不在合理范围 {low}–{high} 万元之间，请核实",
            en: "staff costs per person, {per_person} 10k yuan, lie outside the plausible {low}–{high}: check them",
        },
        AboveRevenue { total: String, revenue: String } = "rd_above_revenue" {
            zh: "研究开发费用 {total} 万元高于营业收入 {revenue} 万元，须在“说明”中解释",
            en: "R&D expenditure, {total} 10k yuan, exceeds revenue, {revenue}: explain it in the note",
        },
        SharpChange { percent: String, last: String } = "rd_sharp_change" {
            zh: "研究开发费用较上年 {last} 万元变动 {percent}%（超过 50%），须在“说明”中解释",
            en: "R&D expenditure changed {percent}% on last year's {last} 10k yuan (over 50%): explain it in the note",
        },
        FundsAboveTotal { funds: String, total: String } = "rd_funds_above_total" {
            zh: "政府资金 {funds} 万元不能高于研究开发费用合计 {total} 万元",
            en: "government funds, {funds} 10k yuan, cannot exceed the R&D total, {total}",
        },
        DeductionAboveTotal { base: String, total: String } = "rd_deduction_above_total" {
            zh: "加计扣除基数 {base} 万元不能高于研究开发费用合计 {total} 万元",
            en: "the super deduction base, {base} 10k yuan, cannot exceed the R&D total, {total}",
        },
    }
}

/// What a survey is checked against besides itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The enterprise's revenue of the same year, from its annual facts.
    pub revenue: Option<Fen>,
    /// Its surveyed R&D total of the year before.
    pub last_year: Option<Fen>,
}

/// The tolerance between the total and the sum of the parts: 0.1 万元.
const TOLERANCE: Fen = Fen(FEN_PER_WAN / 10);
/// A plausible yearly staff cost per R&D person (万元): below it a head count was entered as
/// staff costs, above it costs were entered in 元.
pub const LABOUR_PER_PERSON_WAN: (f64, f64) = (1.0, 150.0);

fn wan(f: Fen) -> String {
    f.wan_text()
}

/// Every problem of a survey, each with the field it belongs to (a column of the file, a field
/// of the form); none means it can be accepted.
pub fn check(s: &Survey, ctx: &Context) -> Vec<(&'static str, SurveyProblem)> {
    let mut out = Vec::new();
    let sum = Fen(s.parts.iter().map(|p| p.0).sum());
    let diff = Fen((s.total.0 - sum.0).abs());
    if diff > TOLERANCE {
        out.push((
            "rd_total_wan",
            SurveyProblem::PartsDoNotAdd {
                total: wan(s.total),
                sum: wan(sum),
                difference: wan(diff),
            },
        ));
    }
    let labour = s.parts[0];
    if s.staff > 0 && labour.0 <= 0 {
        out.push(("labour", SurveyProblem::StaffWithoutLabour));
    } else if s.staff <= 0 && labour.0 > 0 {
        out.push(("rd_staff", SurveyProblem::LabourWithoutStaff));
    } else if s.staff > 0 {
        let per = labour.0 as f64 / FEN_PER_WAN as f64 / s.staff as f64;
        let (low, high) = LABOUR_PER_PERSON_WAN;
        if !(low..=high).contains(&per) {
            out.push((
                "labour",
                SurveyProblem::LabourPerPerson {
                    per_person: crate::money::Fen((per * FEN_PER_WAN as f64).round() as i64)
                        .wan_text(),
                    low: low.to_string(),
                    high: high.to_string(),
                },
            ));
        }
    }
    let explained = !s.note.trim().is_empty();
    if let Some(revenue) = ctx.revenue {
        if s.total > revenue && !explained {
            out.push((
                "note",
                SurveyProblem::AboveRevenue {
                    total: wan(s.total),
                    revenue: wan(revenue),
                },
            ));
        }
    }
    if let Some(last) = ctx.last_year.filter(|l| l.0 > 0) {
        let change = (s.total.0 - last.0) as f64 * 100.0 / last.0 as f64;
        if change.abs() > 50.0 && !explained {
            out.push((
                "note",
                SurveyProblem::SharpChange {
                    percent: format!("{change:.0}"),
                    last: wan(last),
                },
            ));
        }
    }
    if let Some(base) = s.super_deduction_base {
        if base > s.total {
            out.push((
                "super_deduction_base_wan",
                SurveyProblem::DeductionAboveTotal {
                    base: wan(base),
                    total: wan(s.total),
                },
            ));
        }
    }
    if let Some(funds) = s.details.gov_funds {
        if funds > s.total {
            out.push((
                "gov_funds_wan",
                SurveyProblem::FundsAboveTotal {
                    funds: wan(funds),
                    total: wan(s.total),
                },
            ));
        }
    }
    out
}

/// Why an enterprise should report R&D (应统尽统).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// It claimed the R&D super deduction with the tax authority.
    SuperDeduction,
    /// It holds a valid high-tech enterprise certificate.
    Hte,
    /// It is above scale and has an R&D institution.
    RdInstitution,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Self::SuperDeduction => "super_deduction",
            Self::Hte => "hte",
            Self::RdInstitution => "rd_institution",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::SuperDeduction => "享受研发费用加计扣除",
            Self::Hte => "有效期内高新技术企业",
            Self::RdInstitution => "规上企业且设有研发机构",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::SuperDeduction => "claimed the R&D super deduction",
            Self::Hte => "holds a valid HTE certificate",
            Self::RdInstitution => "above scale with an R&D institution",
        }
    }
}

/// Where an enterprise's own survey stands. A survey imported from the statistics office's
/// file is accepted as it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    /// Saved by the enterprise, not yet sent.
    Draft,
    /// Sent by the enterprise; its county checks it.
    Submitted,
    /// Checked and sent on by the county; the bureau accepts it.
    Checked,
    /// Accepted: it counts in coverage, the roll-up and the post-subsidy.
    Accepted,
    /// Sent back to the enterprise with a comment.
    Returned,
}

impl SurveyStatus {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Submitted,
        Self::Checked,
        Self::Accepted,
        Self::Returned,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Checked => "checked",
            Self::Accepted => "accepted",
            Self::Returned => "returned",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "待县区审核",
            Self::Checked => "待市局接收",
            Self::Accepted => "已接收",
            Self::Returned => "已退回",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Awaiting the county",
            Self::Checked => "Awaiting the bureau",
            Self::Accepted => "Accepted",
            Self::Returned => "Returned",
        }
    }
    /// The enterprise may still change it.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

/// A step on an enterprise's survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyAction {
    /// The enterprise sends it to its county.
    Submit,
    /// The county has checked it and sends it on.
    Check,
    /// The bureau accepts it.
    Accept,
    /// The county or the bureau sends it back, with a comment.
    Return,
}

impl SurveyAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "submit" => Some(Self::Submit),
            "check" => Some(Self::Check),
            "accept" => Some(Self::Accept),
            "return" => Some(Self::Return),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Check => "check",
            Self::Accept => "accept",
            Self::Return => "return",
        }
    }
}

/// Who acts on a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyActor {
    Enterprise,
    County,
    Bureau,
}

crate::problems! {
    /// Why a step cannot be taken.
    pub enum StepProblem {
        NotNow { status: String, action: String } = "rd_survey_step_not_allowed" {
            zh: "填报状态为“{status}”，不能执行“{action}”",
            en: "the survey is '{status}': '{action}' cannot be taken now",
        },
        CommentRequired = "rd_survey_comment_required" {
            zh: "退回须写明原因", en: "say why it is returned",
        },
        Locked { status: String } = "rd_survey_locked" {
            zh: "填报状态为“{status}”，不能再修改", en: "the survey is '{status}' and can no longer be changed",
        },
    }
}

/// The status a step leads to, when the actor may take it from `from`: the enterprise submits
/// its draft (or a returned survey); its county checks or returns what was submitted; the
/// bureau accepts or returns what the county checked.
pub fn step(
    from: SurveyStatus,
    action: SurveyAction,
    who: SurveyActor,
    comment: &str,
) -> Result<SurveyStatus, StepProblem> {
    use SurveyAction as A;
    use SurveyActor as W;
    use SurveyStatus as S;
    let to = match (who, action, from) {
        (W::Enterprise, A::Submit, S::Draft | S::Returned) => S::Submitted,
        (W::County, A::Check, S::Submitted) => S::Checked,
        (W::County, A::Return, S::Submitted) => S::Returned,
        (W::Bureau, A::Accept, S::Checked) => S::Accepted,
        (W::Bureau, A::Return, S::Checked) => S::Returned,
        _ => {
            return Err(StepProblem::NotNow {
                status: from.name().to_owned(),
                action: action.code().to_owned(),
            })
        }
    };
    if action == A::Return && comment.trim().is_empty() {
        return Err(StepProblem::CommentRequired);
    }
    Ok(to)
}

/// An enterprise's attendance at an R&D statistics training session (plan §三(二)6,
/// 举办研发经费业务知识培训班), as a sign-in sheet lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendance {
    pub held_on: chrono::NaiveDate,
    pub title: String,
    /// Where the session was held (its county, or the city).
    pub region_code: String,
    pub uscc: String,
}

/// The sessions that prepare the survey of `year`: from its start until the end of June of the
/// next year, when the statistics office closes the annual report.
pub fn training_window(year: i32) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    // Saturating: a year past chrono's range must give an empty window, not overflow.
    let to = chrono::NaiveDate::from_ymd_opt(year.saturating_add(1), 6, 30).unwrap_or_default();
    (from, to)
}

/// The coverage rate, percent: reported ÷ should; `None` when none should.
pub fn rate(should: usize, reported: usize) -> Option<f64> {
    (should > 0).then(|| reported as f64 * 100.0 / should as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_survey_goes_from_the_enterprise_through_its_county_to_the_bureau() {
        use SurveyAction as A;
        use SurveyActor as W;
        use SurveyStatus as S;
        assert_eq!(
            step(S::Draft, A::Submit, W::Enterprise, ""),
            Ok(S::Submitted)
        );
        assert_eq!(step(S::Submitted, A::Check, W::County, ""), Ok(S::Checked));
        assert_eq!(step(S::Checked, A::Accept, W::Bureau, ""), Ok(S::Accepted));
        assert_eq!(
            step(S::Checked, A::Return, W::Bureau, "补充说明"),
            Ok(S::Returned)
        );
        assert_eq!(
            step(S::Returned, A::Submit, W::Enterprise, ""),
            Ok(S::Submitted)
        );
        assert_eq!(
            step(S::Submitted, A::Return, W::County, " "),
            Err(StepProblem::CommentRequired)
        );
        // Nobody skips the county, and nothing moves an accepted survey.
        assert!(step(S::Submitted, A::Accept, W::Bureau, "").is_err());
        assert!(step(S::Draft, A::Check, W::County, "").is_err());
        for a in [A::Submit, A::Check, A::Accept, A::Return] {
            for w in [W::Enterprise, W::County, W::Bureau] {
                assert!(step(S::Accepted, a, w, "x").is_err());
            }
        }
        assert!(S::Returned.editable() && !S::Submitted.editable());
    }

    fn w(x: f64) -> Fen {
        Fen((x * FEN_PER_WAN as f64).round() as i64)
    }

    fn survey(total: f64, parts: [f64; 8], staff: i64) -> Survey {
        Survey {
            uscc: "x".into(),
            name: "x".into(),
            region_code: "440203".into(),
            year: 2019,
            staff,
            total: w(total),
            parts: parts.map(w),
            super_deduction_base: None,
            note: String::new(),
            details: SurveyDetails::default(),
        }
    }

    fn codes(s: &Survey, ctx: &Context) -> Vec<&'static str> {
        use crate::problem::Problem;
        check(s, ctx).iter().map(|(_, p)| p.code()).collect()
    }

    #[test]
    fn the_total_must_equal_the_parts_within_a_tenth() {
        let ok = survey(100.05, [60.0, 20.0, 10.0, 0.0, 5.0, 5.0, 0.0, 0.0], 10);
        assert!(check(&ok, &Context::default()).is_empty());
        let bad = survey(120.0, [60.0, 20.0, 10.0, 0.0, 5.0, 5.0, 0.0, 0.0], 10);
        let found = check(&bad, &Context::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "rd_total_wan");
        assert!(
            found[0].1.to_string().contains("相差 20 万元"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn staff_and_their_costs_go_together_at_a_plausible_rate() {
        let no_cost = survey(10.0, [0.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 3);
        assert_eq!(
            codes(&no_cost, &Context::default()),
            ["rd_staff_without_labour"]
        );
        let no_staff = survey(10.0, [10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 0);
        assert_eq!(
            codes(&no_staff, &Context::default()),
            ["rd_labour_without_staff"]
        );
        // 3 people costing 0.3 万元 in all: a head count typed as money.
        let odd = survey(0.3, [0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 3);
        assert_eq!(codes(&odd, &Context::default()), ["rd_labour_per_person"]);
    }

    #[test]
    fn unusual_figures_need_a_note() {
        let s = survey(500.0, [300.0, 200.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 20);
        let ctx = Context {
            revenue: Some(w(400.0)),
            last_year: Some(w(200.0)),
        };
        assert_eq!(codes(&s, &ctx), ["rd_above_revenue", "rd_sharp_change"]);
        let explained = Survey {
            note: "新建研发中心".into(),
            ..s
        };
        assert!(check(&explained, &ctx).is_empty());
    }

    #[test]
    fn the_deduction_base_is_within_the_total() {
        let s = Survey {
            super_deduction_base: Some(w(150.0)),
            ..survey(100.0, [60.0, 40.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 10)
        };
        assert_eq!(codes(&s, &Context::default()), ["rd_deduction_above_total"]);
        let s = Survey {
            details: SurveyDetails {
                gov_funds: Some(w(120.0)),
                ..SurveyDetails::default()
            },
            ..survey(100.0, [60.0, 40.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 10)
        };
        assert_eq!(codes(&s, &Context::default()), ["rd_funds_above_total"]);
    }

    proptest! {
        #[test]
        fn parts_that_add_up_always_pass_the_sum_check(parts in proptest::array::uniform8(0i64..100_000_000)) {
            let total: i64 = parts.iter().sum();
            let s = Survey { total: Fen(total), parts: parts.map(Fen), staff: 0, ..survey(0.0, [0.0; 8], 0) };
            let found = check(&s, &Context::default());
            prop_assert!(!found.iter().any(|(f, _)| *f == "rd_total_wan"));
        }
    }
}
