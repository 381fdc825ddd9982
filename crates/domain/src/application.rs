//! Applications to competitive programmes (申报): the form a programme defines, the states an
//! application goes through and who moves it, expert assignment without conflicts of interest,
//! score aggregation, and payment in instalments.

use crate::money::{Fen, MoneyUnit};
use crate::problem::FieldProblem;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

// ---- the form ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    /// Several lines of text.
    Long,
    Number,
    /// An amount, written as officers write it (`50万元`).
    Money,
    Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSpec {
    pub key: String,
    pub label: String,
    /// File extensions accepted, lower case without the dot.
    pub types: Vec<String>,
    pub max_mb: u32,
    #[serde(default)]
    pub required: bool,
}

/// One criterion of the expert scoring rubric, scored 0..=max.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub key: String,
    pub label: String,
    pub max: u32,
}

/// What a competitive programme asks of applicants and experts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    #[serde(default)]
    pub attachments: Vec<AttachmentSpec>,
    #[serde(default)]
    pub rubric: Vec<Criterion>,
    /// Shares of the award paid in turn, in percent: the first on approval, the last after
    /// acceptance (验收).
    #[serde(default = "default_instalments")]
    pub instalments: Vec<u32>,
    /// Experts scoring each application.
    #[serde(default = "default_experts")]
    pub experts: u32,
    /// Drop the highest and the lowest score when there are at least three.
    #[serde(default = "default_true")]
    pub drop_extremes: bool,
}

fn default_instalments() -> Vec<u32> {
    vec![100]
}
fn default_experts() -> u32 {
    3
}
fn default_true() -> bool {
    true
}

impl Default for FormSpec {
    fn default() -> Self {
        Self {
            fields: Vec::new(),
            attachments: Vec::new(),
            rubric: Vec::new(),
            instalments: default_instalments(),
            experts: default_experts(),
            drop_extremes: true,
        }
    }
}

/// Answers checked one by one.
#[derive(Debug)]
pub struct Checked {
    pub values: HashMap<String, String>,
    pub invalid: Vec<FieldProblem>,
    pub missing: Vec<FieldProblem>,
}

crate::problems! {
    /// What can be wrong with an answer, an attachment or a score.
    pub enum FormProblem {
        Required = "required" { zh: "为必填项", en: "is required" },
        TooLong { max: usize } = "too_long" {
            zh: "不超过 {max} 字", en: "is at most {max} characters",
        },
        NotANumber { raw: String } = "not_a_number" {
            zh: "'{raw}' 不是数值", en: "'{raw}' is not a number",
        },
        NotADate { raw: String } = "not_a_date" {
            zh: "'{raw}' 不是日期，应如 2019-06-30", en: "'{raw}' is not a date such as 2019-06-30",
        },
        UnknownAttachment { slot: String } = "unknown_attachment" {
            zh: "未知的附件类型 '{slot}'", en: "there is no attachment slot '{slot}'",
        },
        WrongType { file: String, types: String } = "attachment_type" {
            zh: "只接受 {types} 文件，'{file}' 不符", en: "accepts {types} files, not '{file}'",
        },
        EmptyFile { file: String } = "attachment_empty" {
            zh: "'{file}' 是空文件", en: "'{file}' is empty",
        },
        TooLarge { file: String, max_mb: u32, mb: String } = "attachment_too_large" {
            zh: "不超过 {max_mb} MB，'{file}' 有 {mb} MB",
            en: "is at most {max_mb} MB; '{file}' has {mb} MB",
        },
        Score { max: u32 } = "score_out_of_range" {
            zh: "应为 0—{max} 分", en: "is scored from 0 to {max}",
        },
    }
}

crate::problems! {
    /// Why experts cannot be assigned.
    pub enum AssignRefused {
        TooFewExperts { fit: usize, needed: usize } = "too_few_experts" {
            zh: "可回避后的专家只有 {fit} 人，需要 {needed} 人",
            en: "only {fit} experts have no conflict; {needed} are needed",
        },
    }
}

/// The slot of the acceptance report (验收报告), sent while the project runs.
pub const REPORT: &str = "acceptance_report";

fn report_slot() -> AttachmentSpec {
    AttachmentSpec {
        key: REPORT.into(),
        label: "验收报告".into(),
        types: vec!["pdf".into(), "doc".into(), "docx".into()],
        max_mb: 20,
        required: true,
    }
}

/// The field every application form has: the amount asked for.
pub const REQUESTED: &str = "requested";
/// The field naming the project.
pub const TITLE: &str = "title";

impl FormSpec {
    /// Problems of the definition itself, for the plan file's checks. A form that takes
    /// applications names the project and the amount asked; a competition's entry form (of a
    /// reward programme) has its own project name and no amount.
    pub fn problems(&self, applications: bool) -> Vec<String> {
        let mut out = Vec::new();
        let mut keys = std::collections::HashSet::new();
        for f in &self.fields {
            if !keys.insert(f.key.as_str()) {
                out.push(format!("表单字段 '{}' 重复 (duplicate field)", f.key));
            }
        }
        for k in [TITLE, REQUESTED].into_iter().filter(|_| applications) {
            if !self.fields.iter().any(|f| f.key == k && f.required) {
                out.push(format!(
                    "表单须有必填字段 '{k}' (the form needs a required '{k}' field)"
                ));
            }
        }
        if self
            .fields
            .iter()
            .any(|f| f.key == REQUESTED && f.kind != FieldKind::Money)
        {
            out.push("字段 'requested' 应为 money (the requested amount is money)".into());
        }
        for a in &self.attachments {
            if !keys.insert(a.key.as_str()) {
                out.push(format!("附件 '{}' 与其他字段重名 (duplicate key)", a.key));
            }
            if a.types.is_empty() || a.max_mb == 0 || a.max_mb > 64 {
                out.push(format!(
                    "附件 '{}' 须列出文件类型，大小上限 1—64 MB (types and a size limit of 1–64 MB)",
                    a.key
                ));
            }
        }
        if self.rubric.is_empty() || self.rubric.iter().any(|c| c.max == 0) {
            out.push(
                "评分表须有至少一项、每项满分大于 0 (the rubric needs criteria with a maximum)"
                    .into(),
            );
        }
        if self.instalments.is_empty()
            || self.instalments.iter().sum::<u32>() != 100
            || self.instalments.contains(&0)
        {
            out.push("分期拨付比例之和应为 100 (instalments must add up to 100 percent)".into());
        }
        if !(1..=15).contains(&self.experts) {
            out.push("每项申报的评审专家应为 1—15 人 (1 to 15 experts an application)".into());
        }
        out
    }

    /// Checks an applicant's answers. Returns the values as stored (amounts in fen, trimmed
    /// text) or every problem with the field it concerns.
    pub fn check(
        &self,
        answers: &HashMap<String, String>,
    ) -> Result<HashMap<String, String>, Vec<FieldProblem>> {
        let c = self.check_each(answers);
        let mut problems = c.missing;
        problems.extend(c.invalid);
        if problems.is_empty() {
            Ok(c.values)
        } else {
            Err(problems)
        }
    }

    /// Checks each answer on its own, so a draft can keep what is valid while it is being
    /// filled in: the valid values, the answers that are wrong, and the required ones missing.
    pub fn check_each(&self, answers: &HashMap<String, String>) -> Checked {
        let mut out = HashMap::new();
        let mut problems = Vec::new();
        let mut missing = Vec::new();
        for f in &self.fields {
            let raw = answers.get(&f.key).map(|s| s.trim()).unwrap_or_default();
            if raw.is_empty() {
                if f.required {
                    missing.push(FieldProblem::labelled(
                        &f.key,
                        &f.label,
                        FormProblem::Required,
                    ));
                }
                continue;
            }
            let wrong = |p: FormProblem| FieldProblem::labelled(&f.key, &f.label, p);
            let value = match f.kind {
                FieldKind::Text if raw.chars().count() > 200 => {
                    Err(wrong(FormProblem::TooLong { max: 200 }))
                }
                FieldKind::Long if raw.chars().count() > 5000 => {
                    Err(wrong(FormProblem::TooLong { max: 5000 }))
                }
                FieldKind::Text | FieldKind::Long => Ok(raw.to_owned()),
                FieldKind::Number => raw
                    .replace(',', "")
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(|x| x.to_string())
                    .ok_or_else(|| {
                        wrong(FormProblem::NotANumber {
                            raw: raw.to_owned(),
                        })
                    }),
                FieldKind::Money => Fen::parse_in(raw, MoneyUnit::from_label(&f.label))
                    .map(|f| f.0.to_string())
                    .map_err(|e| FieldProblem::labelled(&f.key, &f.label, e)),
                FieldKind::Date => crate::text::written_date(raw)
                    .map(|d| d.to_string())
                    .ok_or_else(|| {
                        wrong(FormProblem::NotADate {
                            raw: raw.to_owned(),
                        })
                    }),
            };
            match value {
                Ok(v) => {
                    out.insert(f.key.clone(), v);
                }
                Err(e) => problems.push(e),
            }
        }
        // In the form's order, missing and wrong answers together.
        Checked {
            values: out,
            invalid: problems,
            missing,
        }
    }

    /// Checks an attachment against its slot: known slot, accepted type, size. The
    /// acceptance report has a slot of its own, the same for every programme.
    pub fn check_attachment(
        &self,
        key: &str,
        file_name: &str,
        size: usize,
    ) -> Result<(), FieldProblem> {
        let report = report_slot();
        let slot = if key == REPORT {
            &report
        } else {
            match self.attachments.iter().find(|a| a.key == key) {
                Some(s) => s,
                None => {
                    return Err(FieldProblem::new(
                        key,
                        FormProblem::UnknownAttachment {
                            slot: key.to_owned(),
                        },
                    ))
                }
            }
        };
        let wrong = |p: FormProblem| FieldProblem::labelled(key, &slot.label, p);
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default();
        if !slot.types.contains(&ext) {
            return Err(wrong(FormProblem::WrongType {
                file: file_name.to_owned(),
                types: slot.types.join(", "),
            }));
        }
        if size == 0 {
            return Err(wrong(FormProblem::EmptyFile {
                file: file_name.to_owned(),
            }));
        }
        if size > slot.max_mb as usize * 1024 * 1024 {
            return Err(wrong(FormProblem::TooLarge {
                file: file_name.to_owned(),
                max_mb: slot.max_mb,
                mb: format!("{:.1}", size as f64 / 1024.0 / 1024.0),
            }));
        }
        Ok(())
    }

    /// Required attachments not yet given.
    pub fn missing_attachments<'a>(&'a self, given: &[String]) -> Vec<&'a AttachmentSpec> {
        self.attachments
            .iter()
            .filter(|a| a.required && !given.contains(&a.key))
            .collect()
    }

    /// Checks an expert's scores: one per criterion, within 0..=max. Returns the total.
    pub fn check_scores(&self, scores: &HashMap<String, String>) -> Result<f64, Vec<FieldProblem>> {
        let mut total = 0.0;
        let mut problems = Vec::new();
        for c in &self.rubric {
            match scores
                .get(&c.key)
                .map(|s| s.trim())
                .and_then(|s| s.parse::<f64>().ok())
            {
                Some(x) if (0.0..=f64::from(c.max)).contains(&x) => total += x,
                _ => problems.push(FieldProblem::labelled(
                    &c.key,
                    &c.label,
                    FormProblem::Score { max: c.max },
                )),
            }
        }
        if problems.is_empty() {
            Ok(total)
        } else {
            Err(problems)
        }
    }

    pub fn max_total(&self) -> u32 {
        self.rubric.iter().map(|c| c.max).sum()
    }
}

/// Splits an amount into instalments by percent shares, exactly: the last instalment takes
/// what rounding left, so the parts always add up to the whole.
pub fn instalments(amount: Fen, shares: &[u32]) -> Vec<Fen> {
    let mut out = Vec::with_capacity(shares.len());
    let mut left = amount.0;
    for (i, s) in shares.iter().enumerate() {
        if i + 1 == shares.len() {
            out.push(Fen(left));
        } else {
            let part = amount.0 * i64::from(*s) / 100;
            left -= part;
            out.push(Fen(part));
        }
    }
    out
}

// ---- the workflow -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppStatus {
    Draft,
    /// Sent; awaits the county's preliminary review (初审).
    Submitted,
    /// Passed by the county; awaits the bureau (复审).
    CountyPassed,
    /// Passed by the bureau; experts are to be assigned.
    BureauPassed,
    /// Experts assigned and scoring.
    ExpertReview,
    /// Every assigned expert has scored.
    Scored,
    /// In a funding batch (public notice, approval).
    Proposed,
    /// Approved and funded (立项); the first instalment follows the batch's payment.
    Funded,
    /// The enterprise sent its acceptance report.
    Reporting,
    /// Accepted (验收通过); the last instalment is paid.
    Accepted,
    /// Sent back for revision: earlier approvals no longer stand.
    Returned,
    Rejected,
}

impl AppStatus {
    pub const ALL: [Self; 12] = [
        Self::Draft,
        Self::Submitted,
        Self::CountyPassed,
        Self::BureauPassed,
        Self::ExpertReview,
        Self::Scored,
        Self::Proposed,
        Self::Funded,
        Self::Reporting,
        Self::Accepted,
        Self::Returned,
        Self::Rejected,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::CountyPassed => "county_passed",
            Self::BureauPassed => "bureau_passed",
            Self::ExpertReview => "expert_review",
            Self::Scored => "scored",
            Self::Proposed => "proposed",
            Self::Funded => "funded",
            Self::Reporting => "reporting",
            Self::Accepted => "accepted",
            Self::Returned => "returned",
            Self::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "待县区初审",
            Self::CountyPassed => "待市局复审",
            Self::BureauPassed => "待分配专家",
            Self::ExpertReview => "专家评审中",
            Self::Scored => "评审完成",
            Self::Proposed => "拟立项公示",
            Self::Funded => "已立项",
            Self::Reporting => "待验收",
            Self::Accepted => "已验收",
            Self::Returned => "退回修改",
            Self::Rejected => "未通过",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Awaiting county review",
            Self::CountyPassed => "Awaiting bureau review",
            Self::BureauPassed => "Awaiting experts",
            Self::ExpertReview => "Under expert review",
            Self::Scored => "Scored",
            Self::Proposed => "Proposed (public notice)",
            Self::Funded => "Funded",
            Self::Reporting => "Awaiting acceptance",
            Self::Accepted => "Accepted",
            Self::Returned => "Returned for revision",
            Self::Rejected => "Rejected",
        }
    }
    /// The enterprise may still change its answers and files.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

/// Who takes a step: the rule the web layer enforces with the caller's role and scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Enterprise,
    County,
    Bureau,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppAction {
    Submit,
    CountyPass,
    BureauPass,
    /// Send back for revision (county or bureau).
    Return,
    Reject,
    AssignExperts,
    /// The last expert's score arrived.
    Scored,
    Propose,
    /// The batch was approved.
    Fund,
    /// The batch was voided: back to ranking.
    Withdraw,
    /// The applicant takes a submission back before the county has acted on it.
    Recall,
    Report,
    Accept,
    /// The acceptance report falls short: back to the enterprise.
    RejectReport,
}

impl AppAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::CountyPass => "county_pass",
            Self::BureauPass => "bureau_pass",
            Self::Return => "return",
            Self::Reject => "reject",
            Self::AssignExperts => "assign",
            Self::Scored => "scored",
            Self::Propose => "propose",
            Self::Fund => "fund",
            Self::Withdraw => "withdraw",
            Self::Recall => "recall",
            Self::Report => "report",
            Self::Accept => "accept",
            Self::RejectReport => "reject_report",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Submit,
            Self::CountyPass,
            Self::BureauPass,
            Self::Return,
            Self::Reject,
            Self::AssignExperts,
            Self::Scored,
            Self::Propose,
            Self::Fund,
            Self::Withdraw,
            Self::Recall,
            Self::Report,
            Self::Accept,
            Self::RejectReport,
        ]
        .into_iter()
        .find(|a| a.code() == s)
    }
}

crate::problems! {
    /// Why an application cannot take a step.
    pub enum StepRefused {
        NotFrom { status: &'static str, status_en: String } = "step_not_allowed" {
            zh: "申报处于「{status}」，不能进行此操作",
            en: "an application that is {status_en} cannot take this step",
        },
        ForRole { role: &'static str, role_en: &'static str } = "step_for_another_role" {
            zh: "此步骤由{role}办理", en: "this step is for the {role_en}",
        },
        BySystem = "step_taken_by_system" {
            zh: "此步骤由系统自动完成", en: "this step is taken by the system",
        },
    }
}

/// The state an action leads to, when `who` may take it from `from`.
pub fn transition(
    from: AppStatus,
    action: AppAction,
    who: Option<Actor>,
) -> Result<AppStatus, StepRefused> {
    use AppAction as A;
    use AppStatus as S;
    let (to, by) = match (from, action) {
        (S::Draft | S::Returned, A::Submit) => (S::Submitted, Some(Actor::Enterprise)),
        (S::Submitted, A::CountyPass) => (S::CountyPassed, Some(Actor::County)),
        (S::Submitted, A::Recall) => (S::Draft, Some(Actor::Enterprise)),
        (S::Submitted, A::Return) => (S::Returned, Some(Actor::County)),
        (S::CountyPassed, A::BureauPass) => (S::BureauPassed, Some(Actor::Bureau)),
        (S::CountyPassed | S::BureauPassed | S::ExpertReview | S::Scored, A::Return) => {
            (S::Returned, Some(Actor::Bureau))
        }
        (S::CountyPassed | S::BureauPassed | S::Scored, A::Reject) => {
            (S::Rejected, Some(Actor::Bureau))
        }
        (S::BureauPassed, A::AssignExperts) => (S::ExpertReview, Some(Actor::Bureau)),
        (S::ExpertReview, A::Scored) => (S::Scored, None),
        (S::Scored, A::Propose) => (S::Proposed, Some(Actor::Bureau)),
        (S::Proposed, A::Fund) => (S::Funded, None),
        (S::Proposed, A::Withdraw) => (S::Scored, None),
        (S::Funded, A::Report) => (S::Reporting, Some(Actor::Enterprise)),
        (S::Reporting, A::Accept) => (S::Accepted, Some(Actor::Bureau)),
        (S::Reporting, A::RejectReport) => (S::Funded, Some(Actor::Bureau)),
        _ => {
            return Err(StepRefused::NotFrom {
                status: from.name(),
                status_en: from.name_en().to_lowercase(),
            })
        }
    };
    match (by, who) {
        // Steps the system takes (scores complete, a batch approved) have no person.
        (None, None) => Ok(to),
        (Some(b), Some(w)) if b == w => Ok(to),
        (Some(b), _) => Err(match b {
            Actor::Enterprise => StepRefused::ForRole {
                role: "申报企业",
                role_en: "applicant",
            },
            Actor::County => StepRefused::ForRole {
                role: "县（市、区）科技部门",
                role_en: "county officer",
            },
            Actor::Bureau => StepRefused::ForRole {
                role: "市科技局",
                role_en: "bureau",
            },
        }),
        (None, Some(_)) => Err(StepRefused::BySystem),
    }
}

/// The steps `who` can take from `from`, for the buttons a page shows.
pub fn actions_for(from: AppStatus, who: Actor) -> Vec<AppAction> {
    [
        AppAction::Submit,
        AppAction::Recall,
        AppAction::CountyPass,
        AppAction::BureauPass,
        AppAction::AssignExperts,
        AppAction::Accept,
        AppAction::Report,
        AppAction::RejectReport,
        AppAction::Return,
        AppAction::Reject,
    ]
    .into_iter()
    .filter(|a| transition(from, *a, Some(who)).is_ok())
    .collect()
}

/// When the current stage is due, counted from the call's closing date: county review one
/// week after, bureau review two, expert scoring four. Later stages have their own dates.
pub fn stage_due(status: AppStatus, closes_on: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
    let days = match status {
        AppStatus::Submitted => 7,
        AppStatus::CountyPassed => 14,
        AppStatus::BureauPassed | AppStatus::ExpertReview => 28,
        _ => return None,
    };
    closes_on.checked_add_days(chrono::Days::new(days))
}

// ---- experts --------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expert {
    pub username: String,
    pub name: String,
    pub fields: Vec<String>,
    pub affiliation: String,
    pub affiliation_uscc: Option<String>,
    /// USCCs the expert declared a conflict of interest with.
    pub conflicts: Vec<String>,
}

/// Why an expert may not score an applicant, if they may not.
/// An applicant without a credit code (a competition's team) is matched by name only.
pub fn conflict(e: &Expert, applicant_uscc: &str, applicant_name: &str) -> Option<String> {
    let coded = !applicant_uscc.is_empty();
    if (coded && e.affiliation_uscc.as_deref() == Some(applicant_uscc))
        || (!e.affiliation.is_empty() && e.affiliation == applicant_name)
    {
        return Some("与申报单位为同一单位 (same organisation as the applicant)".into());
    }
    if coded && e.conflicts.iter().any(|c| c == applicant_uscc) {
        return Some("本人已申报回避 (declared conflict)".into());
    }
    None
}

/// Chooses `n` experts for an application: none with a conflict; those of the application's
/// field first, then the least loaded, then by name, so assignment is fair and repeatable.
pub fn assign<'a>(
    experts: &'a [Expert],
    applicant_uscc: &str,
    applicant_name: &str,
    field: &str,
    n: usize,
    load: &HashMap<String, usize>,
) -> Result<Vec<&'a Expert>, AssignRefused> {
    let mut fit: Vec<&Expert> = experts
        .iter()
        .filter(|e| conflict(e, applicant_uscc, applicant_name).is_none())
        .collect();
    if fit.len() < n {
        return Err(AssignRefused::TooFewExperts {
            fit: fit.len(),
            needed: n,
        });
    }
    fit.sort_by(|a, b| {
        let fa = !a.fields.iter().any(|f| f == field);
        let fb = !b.fields.iter().any(|f| f == field);
        fa.cmp(&fb)
            .then_with(|| {
                load.get(&a.username)
                    .unwrap_or(&0)
                    .cmp(load.get(&b.username).unwrap_or(&0))
            })
            .then_with(|| a.username.cmp(&b.username))
    });
    fit.truncate(n);
    Ok(fit)
}

/// The application's score from its experts' totals: the mean, without the highest and the
/// lowest when asked and there are at least three.
pub fn aggregate(totals: &[f64], drop_extremes: bool) -> Option<f64> {
    if totals.is_empty() {
        return None;
    }
    let mut v = totals.to_vec();
    v.sort_by(f64::total_cmp);
    let kept = if drop_extremes && v.len() >= 3 {
        &v[1..v.len() - 1]
    } else {
        &v[..]
    };
    Some(kept.iter().sum::<f64>() / kept.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec() -> FormSpec {
        FormSpec {
            fields: vec![
                FieldSpec {
                    key: "title".into(),
                    label: "项目名称".into(),
                    kind: FieldKind::Text,
                    required: true,
                },
                FieldSpec {
                    key: "requested".into(),
                    label: "申请金额".into(),
                    kind: FieldKind::Money,
                    required: true,
                },
                FieldSpec {
                    key: "ends_on".into(),
                    label: "完成日期".into(),
                    kind: FieldKind::Date,
                    required: false,
                },
            ],
            attachments: vec![AttachmentSpec {
                key: "proposal".into(),
                label: "申报书".into(),
                types: vec!["pdf".into(), "docx".into()],
                max_mb: 1,
                required: true,
            }],
            rubric: vec![
                Criterion {
                    key: "innovation".into(),
                    label: "创新性".into(),
                    max: 40,
                },
                Criterion {
                    key: "feasibility".into(),
                    label: "可行性".into(),
                    max: 60,
                },
            ],
            ..FormSpec::default()
        }
    }

    #[test]
    fn answers_are_checked_field_by_field() {
        let s = spec();
        assert!(s.problems(true).is_empty(), "{:?}", s.problems(true));
        // A competition's entry form names neither; one that takes applications must.
        let entry_form = FormSpec {
            fields: Vec::new(),
            ..s.clone()
        };
        assert!(entry_form.problems(false).is_empty());
        assert_eq!(entry_form.problems(true).len(), 2);
        let a: HashMap<String, String> = [
            ("title", " 新材料中试线 "),
            ("requested", "50万元"),
            ("ends_on", "2020-12-31"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let v = s.check(&a).expect("valid");
        assert_eq!(v["title"], "新材料中试线");
        assert_eq!(v["requested"], "50000000");
        let bad: HashMap<String, String> = [
            ("requested".to_owned(), "五十万".to_owned()),
            ("ends_on".into(), "2020-13-31".into()),
        ]
        .into_iter()
        .collect();
        let p = s.check(&bad).expect_err("invalid");
        let keys: Vec<(&str, &str)> = p.iter().map(|p| (p.field.as_str(), p.code())).collect();
        assert_eq!(
            keys,
            [
                ("title", "required"),
                ("requested", "invalid_amount"),
                ("ends_on", "not_a_date")
            ]
        );
        use crate::problem::Lang;
        assert_eq!(p[0].message(Lang::Zh), "「项目名称」为必填项");
        assert_eq!(p[0].message(Lang::En), "项目名称: is required");
    }

    #[test]
    fn attachments_keep_to_their_type_and_size() {
        let s = spec();
        assert!(s.check_attachment("proposal", "申报书.PDF", 1000).is_ok());
        assert!(s
            .check_attachment("proposal", "申报书.exe", 1000)
            .is_err_and(|e| e.code() == "attachment_type"
                && e.message(crate::problem::Lang::En).contains("pdf")));
        assert!(s
            .check_attachment("proposal", "a.pdf", 2 * 1024 * 1024)
            .is_err_and(|e| e.code() == "attachment_too_large"
                && e.message(crate::problem::Lang::Zh).contains("1 MB")));
        assert!(s.check_attachment("budget", "a.pdf", 10).is_err());
        assert!(s.check_attachment(REPORT, "验收报告.docx", 10).is_ok());
        assert!(s.check_attachment(REPORT, "验收报告.zip", 10).is_err());
        assert_eq!(s.missing_attachments(&[]).len(), 1);
        assert!(s.missing_attachments(&["proposal".into()]).is_empty());
    }

    #[test]
    fn each_step_belongs_to_one_role() {
        use AppAction as A;
        use AppStatus as S;
        assert_eq!(
            transition(S::Draft, A::Submit, Some(Actor::Enterprise)),
            Ok(S::Submitted)
        );
        assert!(transition(S::Submitted, A::CountyPass, Some(Actor::Bureau)).is_err());
        assert!(transition(S::Submitted, A::BureauPass, Some(Actor::Bureau)).is_err());
        assert_eq!(
            transition(S::Submitted, A::Return, Some(Actor::County)),
            Ok(S::Returned)
        );
        // A return voids what was approved: the application starts again at the county.
        assert_eq!(
            transition(S::Returned, A::Submit, Some(Actor::Enterprise)),
            Ok(S::Submitted)
        );
        assert!(transition(S::ExpertReview, A::Scored, Some(Actor::Bureau)).is_err());
        assert_eq!(transition(S::ExpertReview, A::Scored, None), Ok(S::Scored));
        assert_eq!(
            actions_for(S::Reporting, Actor::Bureau),
            vec![A::Accept, A::RejectReport]
        );
        assert!(actions_for(S::Funded, Actor::Bureau).is_empty());
        // The applicant may take a submission back until the county acts on it.
        assert_eq!(
            transition(S::Submitted, A::Recall, Some(Actor::Enterprise)),
            Ok(S::Draft)
        );
        assert_eq!(
            actions_for(S::Submitted, Actor::Enterprise),
            vec![A::Recall]
        );
        assert!(transition(S::CountyPassed, A::Recall, Some(Actor::Enterprise)).is_err());
        assert!(transition(S::Submitted, A::Recall, Some(Actor::County)).is_err());
    }

    fn expert(u: &str, field: &str, org: &str) -> Expert {
        Expert {
            username: u.into(),
            name: u.into(),
            fields: vec![field.into()],
            affiliation: org.into(),
            affiliation_uscc: None,
            conflicts: Vec::new(),
        }
    }

    #[test]
    fn assignment_avoids_conflicts_and_prefers_the_field() {
        let mut es = vec![
            expert("a", "新材料", "韶关学院"),
            expert("b", "电子信息", "韶关学院"),
            expert("c", "新材料", "甲公司"),
            expert("d", "新材料", "韶关学院"),
        ];
        es[3].conflicts.push("U1".into());
        let chosen = assign(&es, "U1", "甲公司", "新材料", 2, &HashMap::new()).expect("two");
        let names: Vec<&str> = chosen.iter().map(|e| e.username.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(assign(&es, "U1", "甲公司", "新材料", 3, &HashMap::new()).is_err());
        let load = HashMap::from([("a".to_owned(), 5)]);
        let chosen = assign(&es, "U2", "乙公司", "新材料", 2, &load).expect("two");
        let names: Vec<&str> = chosen.iter().map(|e| e.username.as_str()).collect();
        assert_eq!(names, ["c", "d"]);
        // A team without a credit code: an expert with a blank code is no conflict of it.
        let mut blank = expert("e", "新材料", "韶关学院");
        blank.affiliation_uscc = Some(String::new());
        blank.conflicts.push(String::new());
        assert_eq!(conflict(&blank, "", "创客团队"), None);
        assert!(
            conflict(&blank, "", "韶关学院").is_some(),
            "matched by name"
        );
    }

    #[test]
    fn scores_drop_the_extremes_when_asked() {
        assert_eq!(aggregate(&[80.0, 90.0, 10.0], true), Some(80.0));
        assert_eq!(aggregate(&[80.0, 90.0, 10.0], false), Some(60.0));
        assert_eq!(aggregate(&[80.0, 90.0], true), Some(85.0));
        assert_eq!(aggregate(&[], true), None);
        let s = spec();
        let ok: HashMap<String, String> = [("innovation", "35"), ("feasibility", "50.5")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(s.check_scores(&ok).ok(), Some(85.5));
        let over: HashMap<String, String> = [("innovation", "41")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(s.check_scores(&over).map_err(|p| p.len()), Err(2));
    }

    proptest! {
        #[test]
        fn instalments_add_up_to_the_award(amount in 0i64..10_000_000_000, first in 1u32..100) {
            let parts = instalments(Fen(amount), &[first, 100 - first]);
            prop_assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), amount);
            prop_assert!(parts.iter().all(|p| p.0 >= 0));
        }
    }
}
