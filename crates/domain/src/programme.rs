//! Funding programmes (资金项目): what a programme is, its rules written as CEL expressions over
//! registry facts, who a batch reward entitles and why, how a short budget is shared out by
//! priority, and the states a batch goes through from commitment to payment.
//!
//! Rules are data: a plan file (or an administrator) writes them as text, they are compiled and
//! tried on a sample when the file is loaded, and evaluated here without any I/O. CEL is
//! non-Turing-complete and has no side effects, so a rule can neither loop nor reach outside the
//! facts it is given.

use crate::money::{Fen, FEN_PER_WAN, FEN_PER_YUAN};
use crate::problem::Problem;
use crate::registry::CertificateKind;
use cel::extractors::Arguments;
use cel::{Context, ExecutionError, Program, Value};
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// 奖补: a fixed reward for an event (a certificate, a pool entry).
    Reward,
    /// 后补助: a share of what an enterprise spent.
    PostSubsidy,
    /// 创新券
    Voucher,
    /// 科技计划项目: a competitive call with applications and expert review.
    ProjectCall,
    /// 专利资助
    PatentSubsidy,
}

impl ProgrammeKind {
    pub const ALL: [Self; 5] = [
        Self::Reward,
        Self::PostSubsidy,
        Self::Voucher,
        Self::ProjectCall,
        Self::PatentSubsidy,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Reward => "reward",
            Self::PostSubsidy => "post_subsidy",
            Self::Voucher => "voucher",
            Self::ProjectCall => "project_call",
            Self::PatentSubsidy => "patent_subsidy",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Reward => "奖补",
            Self::PostSubsidy => "后补助",
            Self::Voucher => "创新券",
            Self::ProjectCall => "科技计划项目",
            Self::PatentSubsidy => "专利资助",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Reward => "Reward",
            Self::PostSubsidy => "Post-subsidy",
            Self::Voucher => "Innovation voucher",
            Self::ProjectCall => "Project call",
            Self::PatentSubsidy => "Patent subsidy",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s || k.name() == s)
    }
}

/// The records whose events a batch programme rewards: certificates of a kind, patents of a
/// type granted, or the year's R&D surveys. Written in a plan file as `event = "hte"`,
/// `event = "invention_patent"` or `event = "rd_survey"`; a rule reads the event as
/// `certificate`, `patent` or `survey` (the same fields under each name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum EventSource {
    Certificate(CertificateKind),
    /// A patent of the type, at its grant.
    Patent(crate::patent::PatentType),
    /// An enterprise's R&D survey of the year, with the previous year's beside it.
    RdSurvey,
}

impl From<EventSource> for String {
    fn from(e: EventSource) -> Self {
        e.code()
    }
}

impl EventSource {
    pub fn code(self) -> String {
        match self {
            Self::Certificate(k) => k.code().to_owned(),
            Self::Patent(t) => format!("{}_patent", t.code()),
            Self::RdSurvey => "rd_survey".to_owned(),
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s == "rd_survey" {
            return Some(Self::RdSurvey);
        }
        if let Some(t) = s.strip_suffix("_patent") {
            return crate::patent::PatentType::parse(t).map(Self::Patent);
        }
        CertificateKind::parse(s).map(Self::Certificate)
    }
    /// Every code a plan file may give.
    pub fn codes() -> Vec<String> {
        CertificateKind::ALL
            .into_iter()
            .map(Self::Certificate)
            .chain(crate::patent::PatentType::ALL.into_iter().map(Self::Patent))
            .chain([Self::RdSurvey])
            .map(Self::code)
            .collect()
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Certificate(k) => k.name(),
            Self::Patent(crate::patent::PatentType::Invention) => "发明专利",
            Self::Patent(crate::patent::PatentType::UtilityModel) => "实用新型专利",
            Self::Patent(crate::patent::PatentType::Design) => "外观设计专利",
            Self::RdSurvey => "年度研发调查",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Certificate(k) => k.name_en(),
            Self::Patent(crate::patent::PatentType::Invention) => "invention patent",
            Self::Patent(crate::patent::PatentType::UtilityModel) => "utility model patent",
            Self::Patent(crate::patent::PatentType::Design) => "design patent",
            Self::RdSurvey => "year's R&D survey",
        }
    }
    /// The certificate kind, for programmes whose events are certificates.
    pub fn certificate(self) -> Option<CertificateKind> {
        match self {
            Self::Certificate(k) => Some(k),
            _ => None,
        }
    }
}

/// What may be paid only once: the enterprise (a first certification happens once), or each
/// event (every pool entry, every product).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OncePer {
    Enterprise,
    Event,
}

impl OncePer {
    pub fn code(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::Event => "event",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Enterprise, Self::Event]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// A programme as the plan file defines it. Rules are kept as their source text; [`Rules`]
/// holds them compiled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Programme {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: ProgrammeKind,
    /// The legal basis: the document and article that create the money (文号).
    pub basis: String,
    /// The plan measure it implements.
    pub measure: Option<String>,
    pub from_year: i32,
    pub to_year: Option<i32>,
    /// For batch rewards: the records whose events are rewarded.
    pub event: Option<EventSource>,
    pub once_per: OncePer,
    pub eligibility: String,
    pub amount: String,
    /// Higher first when the budget runs short; by default the earliest event first.
    pub priority: Option<String>,
    /// Days of public notice (公示) before approval.
    pub notice_days: u32,
    /// Separation of duties: the officer who generated a batch may not approve it.
    pub separate_duties: bool,
    pub description: String,
    /// For programmes that take applications: the form, the rubric and the instalments.
    pub form: Option<crate::application::FormSpec>,
}

crate::problems! {
    pub enum YearOutside {
        NotInYears { programme: String, from: i32, until: String, year: i32 } = "programme_not_in_year" {
            zh: "{programme} 实施年度为 {from}—{until}，不含 {year} 年",
            en: "{programme} runs from {from} to {until}, not in {year}",
        },
    }
}

impl Programme {
    /// Whether the programme runs in `year`, with the reason when not.
    pub fn check_year(&self, year: i32) -> Result<(), YearOutside> {
        if year < self.from_year || self.to_year.is_some_and(|t| year > t) {
            return Err(YearOutside::NotInYears {
                programme: self.code.clone(),
                from: self.from_year,
                until: self.to_year.map(|t| t.to_string()).unwrap_or_default(),
                year,
            });
        }
        Ok(())
    }

    /// The key under which an award is paid once at most.
    pub fn basis_key(&self, uscc: &str, event: &EventFacts) -> String {
        match self.once_per {
            OncePer::Enterprise => uscc.to_owned(),
            OncePer::Event => format!("{}:{}", event.kind, event.number),
        }
    }
}

// ---- facts a rule sees ------------------------------------------------------------------

/// The enterprise, as a rule sees it (`enterprise.region`, `enterprise.above_scale`, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnterpriseFacts {
    pub uscc: String,
    pub name: String,
    pub region: String,
    pub registered_year: i64,
    pub size: String,
    pub above_scale: bool,
    pub hitech_field: String,
    pub industry: String,
}

/// The registry event (`certificate.issued_year`, `certificate.first`, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventFacts {
    pub kind: String,
    pub number: String,
    pub title: String,
    pub issued_on: String,
    pub issued_year: i64,
    pub batch: String,
    /// No certificate of the same kind was issued to the enterprise before this one.
    pub first: bool,
    pub revoked: bool,
}

/// One enterprise's event, with what else a rule may read.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub enterprise: EnterpriseFacts,
    pub event: EventFacts,
    /// The enterprise's annual facts for the batch year (money in 万元), by field name.
    pub facts: HashMap<String, f64>,
    /// The enterprise is registered in the plan's region.
    pub in_region: bool,
    /// For applications: `requested` (万元) and, once scored, `score`.
    pub application: HashMap<String, f64>,
}

/// Variables a rule may use; anything else is refused when the plan is loaded.
pub const RULE_VARIABLES: [&str; 8] = [
    "year",
    "enterprise",
    "certificate",
    "patent",
    "survey",
    "facts",
    "in_region",
    "application",
];

// ---- rules ---------------------------------------------------------------------------

/// A programme's rules, compiled.
pub struct Rules {
    eligibility: Program,
    amount: Program,
    priority: Option<Program>,
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rules")
    }
}

/// What the rules say of one candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Eligible { amount: Fen, priority: f64 },
    NotEligible,
}

fn number_arg(name: &str, args: &[Value]) -> Result<f64, ExecutionError> {
    match args {
        [Value::Int(i)] => Ok(*i as f64),
        [Value::UInt(u)] => Ok(*u as f64),
        [Value::Float(f)] => Ok(*f),
        _ => Err(ExecutionError::function_error(
            name,
            "expects one number (需要一个数值)",
        )),
    }
}

fn to_fen(name: &str, x: f64, per: i64) -> Result<Value, ExecutionError> {
    let fen = (x * per as f64).round();
    if !fen.is_finite() || fen.abs() > 9.0e15 {
        return Err(ExecutionError::function_error(name, "amount out of range"));
    }
    Ok(Value::Int(fen as i64))
}

/// `wan(30)`: 30 万元 in fen.
fn wan(Arguments(args): Arguments) -> Result<Value, ExecutionError> {
    to_fen("wan", number_arg("wan", &args)?, FEN_PER_WAN)
}

/// `yuan(300000)`: 300,000 元 in fen.
fn yuan(Arguments(args): Arguments) -> Result<Value, ExecutionError> {
    to_fen("yuan", number_arg("yuan", &args)?, FEN_PER_YUAN)
}

crate::problems! {
    /// Why a programme's rules cannot be compiled or run. `rule` names which of them
    /// (eligibility, amount, priority); `detail` is the rule engine's own technical text.
    pub enum RuleError {
        DoesNotParse { rule: &'static str, detail: String } = "rule_does_not_parse" {
            zh: "{rule} 规则无法解析：{detail}",
            en: "the {rule} rule does not parse: {detail}",
        },
        UnknownVariable { rule: &'static str, variable: String, known: String } = "rule_unknown_variable" {
            zh: "{rule} 规则使用了未知的变量 '{variable}'，可用：{known}",
            en: "the {rule} rule uses the unknown variable '{variable}'; known: {known}",
        },
        Failed { rule: &'static str, detail: String } = "rule_failed" {
            zh: "{rule} 规则执行出错：{detail}",
            en: "the {rule} rule failed: {detail}",
        },
        NotBoolean { got: String } = "rule_not_boolean" {
            zh: "eligibility 规则应得出 true 或 false，得到 {got}",
            en: "the eligibility rule must give true or false, not {got}",
        },
        NotFen { got: String } = "rule_not_fen" {
            zh: "amount 规则应得出以分计的非负整数（可用 wan(30) 或 yuan(300000)），得到 {got}",
            en: "the amount rule must give a whole, non-negative number of fen (write wan(30) or yuan(300000)), not {got}",
        },
        NotNumber { got: String } = "rule_not_number" {
            zh: "priority 规则应得出数值，得到 {got}",
            en: "the priority rule must give a number, not {got}",
        },
        Facts { name: String, detail: String } = "rule_facts" {
            zh: "无法向规则提供 {name}：{detail}",
            en: "{name} cannot be given to the rules: {detail}",
        },
    }
}

impl RuleError {
    /// Which rule the problem is in, so a plan file can point at its line.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::DoesNotParse { rule, .. }
            | Self::UnknownVariable { rule, .. }
            | Self::Failed { rule, .. } => rule,
            Self::NotBoolean { .. } | Self::Facts { .. } => "eligibility",
            Self::NotFen { .. } => "amount",
            Self::NotNumber { .. } => "priority",
        }
    }
}

/// Why a batch cannot be previewed: the year, or a rule that fails on one candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewError {
    Year(YearOutside),
    Rule {
        uscc: String,
        number: String,
        error: RuleError,
    },
}

impl Problem for PreviewError {
    fn code(&self) -> &'static str {
        match self {
            Self::Year(e) => e.code(),
            Self::Rule { error, .. } => error.code(),
        }
    }

    fn message(&self, lang: crate::problem::Lang) -> String {
        match self {
            Self::Year(e) => e.message(lang),
            Self::Rule {
                uscc,
                number,
                error,
            } => format!("{uscc} {number}: {}", error.message(lang)),
        }
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Year(e) => e.details(),
            Self::Rule {
                uscc,
                number,
                error,
            } => {
                let mut d = vec![("uscc", uscc.clone()), ("number", number.clone())];
                d.extend(error.details());
                d
            }
        }
    }
}

impl fmt::Display for PreviewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(crate::problem::Lang::Zh))
    }
}

impl std::error::Error for PreviewError {}

fn context<'a>(year: i32, c: &Candidate) -> Result<Context<'a, 'a>, RuleError> {
    fn add<T: Serialize>(ctx: &mut Context, name: &str, value: T) -> Result<(), RuleError> {
        let value = cel::to_value(value).map_err(|e| RuleError::Facts {
            name: name.to_owned(),
            detail: e.to_string(),
        })?;
        ctx.add_variable_from_value(name, value);
        Ok(())
    }
    let mut ctx = Context::default();
    add(&mut ctx, "year", i64::from(year))?;
    add(&mut ctx, "enterprise", &c.enterprise)?;
    // The event under each of its names, so a rule reads as what its programme rewards.
    for name in ["certificate", "patent", "survey"] {
        add(&mut ctx, name, &c.event)?;
    }
    add(&mut ctx, "facts", &c.facts)?;
    add(&mut ctx, "in_region", c.in_region)?;
    add(&mut ctx, "application", &c.application)?;
    for (name, f) in [
        ("wan", wan as fn(Arguments) -> Result<Value, ExecutionError>),
        ("yuan", yuan),
        ("min", cel::functions::min),
        ("max", cel::functions::max),
    ] {
        ctx.add_function(name, f).map_err(|e| RuleError::Facts {
            name: name.to_owned(),
            detail: format!("{e:?}"),
        })?;
    }
    Ok(ctx)
}

fn compile(rule: &'static str, src: &str) -> Result<Program, RuleError> {
    let program = Program::compile(src).map_err(|e| RuleError::DoesNotParse {
        rule,
        detail: e.to_string().lines().next().unwrap_or_default().to_owned(),
    })?;
    let refs = program.references();
    if let Some(v) = refs
        .variables()
        .into_iter()
        .find(|v| !RULE_VARIABLES.contains(v))
    {
        return Err(RuleError::UnknownVariable {
            rule,
            variable: v.to_owned(),
            known: RULE_VARIABLES.join(", "),
        });
    }
    Ok(program)
}

impl Rules {
    /// Compiles a programme's rules and tries them on a sample candidate, so a rule that
    /// cannot run (a misspelt field, a string compared with a number) is refused when the
    /// plan is loaded rather than when money is due.
    pub fn compile(p: &Programme) -> Result<Rules, Vec<RuleError>> {
        let mut errors = Vec::new();
        let eligibility = compile("eligibility", &p.eligibility).map_err(|e| errors.push(e));
        let amount = compile("amount", &p.amount).map_err(|e| errors.push(e));
        let priority = p
            .priority
            .as_deref()
            .map(|s| compile("priority", s))
            .transpose()
            .map_err(|e| errors.push(e));
        let (Ok(eligibility), Ok(amount), Ok(priority)) = (eligibility, amount, priority) else {
            return Err(errors);
        };
        let rules = Rules {
            eligibility,
            amount,
            priority,
        };
        if let Err(e) = rules.judge(p.from_year, &sample(p)) {
            return Err(vec![e]);
        }
        Ok(rules)
    }

    /// Applies the rules to one candidate.
    pub fn judge(&self, year: i32, c: &Candidate) -> Result<Verdict, RuleError> {
        let ctx = context(year, c)?;
        let run = |rule: &'static str, p: &Program| {
            p.execute(&ctx).map_err(|e| RuleError::Failed {
                rule,
                detail: e.to_string(),
            })
        };
        match run("eligibility", &self.eligibility)? {
            Value::Bool(true) => {}
            Value::Bool(false) => return Ok(Verdict::NotEligible),
            other => {
                return Err(RuleError::NotBoolean {
                    got: format!("{other:?}"),
                })
            }
        }
        let amount = match run("amount", &self.amount)? {
            Value::Int(i) if i >= 0 => Fen(i),
            Value::UInt(u) => {
                Fen(i64::try_from(u).map_err(|_| RuleError::NotFen { got: u.to_string() })?)
            }
            other => {
                return Err(RuleError::NotFen {
                    got: format!("{other:?}"),
                })
            }
        };
        let priority = match &self.priority {
            None => 0.0,
            Some(p) => match run("priority", p)? {
                Value::Int(i) => i as f64,
                Value::UInt(u) => u as f64,
                Value::Float(f) => f,
                other => {
                    return Err(RuleError::NotNumber {
                        got: format!("{other:?}"),
                    })
                }
            },
        };
        Ok(Verdict::Eligible { amount, priority })
    }
}

/// A candidate with every field filled, for trying rules when they are loaded.
fn sample(p: &Programme) -> Candidate {
    let kind = p
        .event
        .unwrap_or(EventSource::Certificate(CertificateKind::Hte));
    Candidate {
        enterprise: EnterpriseFacts {
            uscc: "9144020071526726XG".into(),
            name: "样例企业".into(),
            region: "440203".into(),
            registered_year: 2010,
            size: "小型".into(),
            above_scale: true,
            hitech_field: "新材料".into(),
            industry: "3985".into(),
        },
        event: EventFacts {
            kind: kind.code(),
            number: "GR201844000001".into(),
            title: String::new(),
            issued_on: format!("{}-11-28", p.from_year),
            issued_year: i64::from(p.from_year),
            batch: String::new(),
            first: true,
            revoked: false,
        },
        facts: FACT_FIELDS
            .iter()
            .chain(&SURVEY_FACT_FIELDS)
            .map(|f| ((*f).to_owned(), 1.0))
            .collect(),
        in_region: true,
        application: HashMap::from([("requested".to_owned(), 1.0), ("score".to_owned(), 1.0)]),
    }
}

/// Annual facts a rule can read as `facts.<field>` (money in 万元); a field the enterprise
/// did not report is absent, which `has(facts.revenue)` tests.
pub const FACT_FIELDS: [&str; 7] = [
    "revenue",
    "rd_expenditure",
    "employees",
    "st_staff",
    "invention_patents",
    "hitech_product_revenue",
    "has_rd_institution",
];

/// What an R&D survey event adds to `facts` (万元): the year's surveyed R&D expenditure and
/// the previous year's (0 when the enterprise was not surveyed then).
pub const SURVEY_FACT_FIELDS: [&str; 2] = ["rd_survey_total", "rd_survey_previous"];

// ---- batch rewards --------------------------------------------------------------------

/// Who a batch would reward, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entitlement {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub basis_key: String,
    /// Why, in words: the certificate, its date, first or not.
    pub basis: String,
    pub event_on: String,
    pub amount: Fen,
    #[serde(skip)]
    pub priority: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LineStatus {
    /// Will be committed.
    Due,
    /// Already awarded under this programme (in the batch given).
    AlreadyAwarded { batch: i64 },
    /// Eligible, but the year's budget does not stretch to it.
    OverBudget,
}

impl LineStatus {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Due => "due",
            Self::AlreadyAwarded { .. } => "already_awarded",
            Self::OverBudget => "over_budget",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewLine {
    #[serde(flatten)]
    pub entitlement: Entitlement,
    #[serde(flatten)]
    pub status: LineStatus,
}

/// The result of applying a programme to a year's events.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Preview {
    pub lines: Vec<PreviewLine>,
    /// Candidates the rules turned down.
    pub not_eligible: usize,
    pub due_total: Fen,
}

impl Preview {
    pub fn due(&self) -> impl Iterator<Item = &Entitlement> {
        self.lines
            .iter()
            .filter(|l| l.status == LineStatus::Due)
            .map(|l| &l.entitlement)
    }
}

fn basis_text(c: &Candidate) -> String {
    if c.event.kind == "rd_survey" {
        let wan = |k: &str| c.facts.get(k).copied().unwrap_or(0.0);
        let (now, before) = (wan("rd_survey_total"), wan("rd_survey_previous"));
        let text = |x: f64| Fen((x * FEN_PER_WAN as f64).round() as i64).wan_text();
        return format!(
            "{}年研发调查：研究开发费用 {} 万元，上年 {} 万元，增加 {} 万元",
            c.event.issued_year,
            text(now),
            text(before),
            text(now - before)
        );
    }
    if let Some(t) = crate::patent::PatentType::parse(&c.event.kind) {
        let number = crate::patent::ApplicationNo::parse(&c.event.number)
            .map(|n| n.display())
            .unwrap_or_else(|_| c.event.number.clone());
        return format!(
            "{}专利 {number}（授权公告日 {}）「{}」",
            t.name(),
            c.event.issued_on,
            c.event.title
        );
    }
    let kind = CertificateKind::parse(&c.event.kind)
        .map(|k| k.name())
        .unwrap_or(c.event.kind.as_str());
    let mut s = format!("{kind} {}（{}）", c.event.number, c.event.issued_on);
    if !c.event.title.is_empty() {
        s.push_str(&format!("「{}」", c.event.title));
    }
    if c.event.first && c.event.kind == CertificateKind::Hte.code() {
        s.push_str(" 首次认定");
    }
    s
}

/// Applies a programme to the candidates of a year. `awarded` maps the basis keys already
/// awarded under the programme to their batch; `remaining`, the year's budget not yet
/// committed (`None`: no budget set, nothing is held back). When the budget runs short the
/// highest priority goes first, then the earliest event, then the USCC; once one award does
/// not fit, none after it is paid, so a lower priority never overtakes a higher one.
pub fn preview(
    programme: &Programme,
    rules: &Rules,
    year: i32,
    candidates: &[Candidate],
    awarded: &HashMap<String, i64>,
    remaining: Option<Fen>,
) -> Result<Preview, PreviewError> {
    programme.check_year(year).map_err(PreviewError::Year)?;
    let mut out = Preview::default();
    let mut due: Vec<Entitlement> = Vec::new();
    let mut seen: HashMap<String, ()> = HashMap::new();
    for c in candidates {
        match rules.judge(year, c).map_err(|error| PreviewError::Rule {
            uscc: c.enterprise.uscc.clone(),
            number: c.event.number.clone(),
            error,
        })? {
            Verdict::NotEligible => out.not_eligible += 1,
            Verdict::Eligible { amount, priority } => {
                let key = programme.basis_key(&c.enterprise.uscc, &c.event);
                let e = Entitlement {
                    uscc: c.enterprise.uscc.clone(),
                    name: c.enterprise.name.clone(),
                    region_code: c.enterprise.region.clone(),
                    basis: basis_text(c),
                    event_on: c.event.issued_on.clone(),
                    basis_key: key.clone(),
                    amount,
                    priority,
                };
                if let Some(batch) = awarded.get(&key) {
                    out.lines.push(PreviewLine {
                        entitlement: e,
                        status: LineStatus::AlreadyAwarded { batch: *batch },
                    });
                } else if seen.insert(key, ()).is_none() {
                    due.push(e);
                }
            }
        }
    }
    due.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.event_on.cmp(&b.event_on))
            .then_with(|| a.uscc.cmp(&b.uscc))
    });
    let mut left = remaining;
    let mut short = false;
    for e in due {
        let fits = match left {
            None => true,
            Some(l) => !short && e.amount <= l,
        };
        let status = if fits {
            left = left.map(|l| Fen(l.0 - e.amount.0));
            out.due_total = Fen(out.due_total.0 + e.amount.0);
            LineStatus::Due
        } else {
            short = true;
            LineStatus::OverBudget
        };
        out.lines.push(PreviewLine {
            entitlement: e,
            status,
        });
    }
    Ok(out)
}

// ---- the batch workflow -----------------------------------------------------------------

/// Where one award of a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardStatus {
    /// In a batch not yet approved.
    Proposed,
    /// Taken out after an upheld objection; its event may be awarded again.
    Withdrawn,
    /// Approved: committed against the budget.
    Approved,
    Paid,
    /// Its batch was voided.
    Void,
}

impl AwardStatus {
    pub const ALL: [Self; 5] = [
        Self::Proposed,
        Self::Withdrawn,
        Self::Approved,
        Self::Paid,
        Self::Void,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Withdrawn => "withdrawn",
            Self::Approved => "approved",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    /// Whether the award still counts: not withdrawn and not in a voided batch.
    pub fn standing(self) -> bool {
        !matches!(self, Self::Withdrawn | Self::Void)
    }
}

/// Where a committed batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Committed from a preview; awaits the bureau's review.
    Submitted,
    /// Reviewed; ready for public notice.
    Reviewed,
    /// On public notice (公示); objections may be raised.
    Notice,
    /// Approved after the notice: the money is committed against the budget.
    Approved,
    /// Paid out.
    Paid,
    /// Withdrawn before approval; its events may be batched again.
    Void,
}

impl BatchStatus {
    pub const ALL: [Self; 6] = [
        Self::Submitted,
        Self::Reviewed,
        Self::Notice,
        Self::Approved,
        Self::Paid,
        Self::Void,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Reviewed => "reviewed",
            Self::Notice => "notice",
            Self::Approved => "approved",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Submitted => "待审核",
            Self::Reviewed => "已审核",
            Self::Notice => "公示中",
            Self::Approved => "已批准",
            Self::Paid => "已拨付",
            Self::Void => "已作废",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Submitted => "Awaiting review",
            Self::Reviewed => "Reviewed",
            Self::Notice => "On public notice",
            Self::Approved => "Approved",
            Self::Paid => "Paid",
            Self::Void => "Void",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchAction {
    Review,
    Publish,
    Approve,
    Pay,
    Void,
}

impl BatchAction {
    pub const ALL: [Self; 5] = [
        Self::Review,
        Self::Publish,
        Self::Approve,
        Self::Pay,
        Self::Void,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Publish => "publish",
            Self::Approve => "approve",
            Self::Pay => "pay",
            Self::Void => "void",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Review => "审核通过",
            Self::Publish => "发布公示",
            Self::Approve => "批准",
            Self::Pay => "登记拨付",
            Self::Void => "作废",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Review => "Pass review",
            Self::Publish => "Publish notice",
            Self::Approve => "Approve",
            Self::Pay => "Record payment",
            Self::Void => "Void",
        }
    }
}

/// The state an action leads to, or why it cannot be taken from `from`.
pub fn transition(from: BatchStatus, action: BatchAction) -> Result<BatchStatus, BatchRefused> {
    use BatchAction as A;
    use BatchStatus as S;
    match (from, action) {
        (S::Submitted, A::Review) => Ok(S::Reviewed),
        (S::Reviewed, A::Publish) => Ok(S::Notice),
        (S::Notice, A::Approve) => Ok(S::Approved),
        (S::Approved, A::Pay) => Ok(S::Paid),
        (S::Submitted | S::Reviewed | S::Notice, A::Void) => Ok(S::Void),
        _ => Err(BatchRefused::NotFrom {
            status: from.name(),
            status_en: from.name_en().to_lowercase(),
            action: action.name(),
            action_en: action.name_en().to_lowercase(),
        }),
    }
}

/// The actions open from a state, for the buttons a page shows.
pub fn actions(from: BatchStatus) -> Vec<BatchAction> {
    BatchAction::ALL
        .into_iter()
        .filter(|a| transition(from, *a).is_ok())
        .collect()
}

/// A public notice's last day: `days` calendar days counted from the first.
pub fn notice_end(start: NaiveDate, days: u32) -> NaiveDate {
    start
        .checked_add_days(Days::new(u64::from(days.max(1)) - 1))
        .unwrap_or(NaiveDate::MAX)
}

crate::problems! {
    /// Why a batch cannot take a step.
    pub enum BatchRefused {
        NotFrom { status: &'static str, status_en: String, action: &'static str, action_en: String } = "batch_step_not_allowed" {
            zh: "批次处于「{status}」，不能{action}",
            en: "a batch that is {status_en} cannot take the step: {action_en}",
        },
        NotOnNotice = "not_on_notice" {
            zh: "批次尚未公示", en: "the batch has not been on public notice",
        },
        NoticeRunning { end: NaiveDate } = "notice_running" {
            zh: "公示期至 {end} 结束，之后才能批准", en: "the notice runs until {end}: approve after it",
        },
        ObjectionsOpen { open: usize } = "objections_open" {
            zh: "尚有 {open} 条异议未处理", en: "{open} objection(s) still open",
        },
        SameOfficer { officer: String } = "same_officer" {
            zh: "批次由 {officer} 生成，须由另一名工作人员审批（职责分离）",
            en: "{officer} generated this batch: another officer approves it (separation of duties)",
        },
    }
}

/// Who generated a batch and who would approve it, where the programme separates the duties.
#[derive(Debug, Clone, Copy)]
pub struct Duties<'a> {
    pub generated_by: &'a str,
    pub approver: &'a str,
}

/// Approval waits for the notice to end and every objection to be settled, and, where the
/// programme separates duties, for an officer other than the one who generated the batch.
pub fn check_approval(
    notice_end: Option<NaiveDate>,
    today: NaiveDate,
    open_objections: usize,
    duties: Option<Duties<'_>>,
) -> Result<(), BatchRefused> {
    if let Some(d) = duties {
        if d.generated_by == d.approver {
            return Err(BatchRefused::SameOfficer {
                officer: d.generated_by.to_owned(),
            });
        }
    }
    match notice_end {
        None => return Err(BatchRefused::NotOnNotice),
        Some(end) if today <= end => return Err(BatchRefused::NoticeRunning { end }),
        Some(_) => {}
    }
    if open_objections > 0 {
        return Err(BatchRefused::ObjectionsOpen {
            open: open_objections,
        });
    }
    Ok(())
}

// ---- objections from the public ------------------------------------------------------------

/// Objections one address may raise in a day, over all notices: enough for a person with a
/// real complaint about several awards, too few to bury a notice.
pub const OBJECTIONS_PER_ADDRESS_PER_DAY: i64 = 5;
/// Objections a notice takes in a day from everyone: past this, a flood from many addresses
/// is cut off, and the bureau hears of it on the batch page.
pub const OBJECTIONS_PER_NOTICE_PER_DAY: i64 = 100;
pub const OBJECTION_TEXT_CHARS: usize = 2000;
pub const OBJECTION_NAME_CHARS: usize = 50;
pub const OBJECTION_CONTACT_CHARS: usize = 100;

crate::problems! {
    /// What an objection needs: who raises it, how to reach them, and what it is about —
    /// as 公示 notices ask, so the bureau can verify and answer it.
    pub enum ObjectionProblem {
        NameRequired = "objection_name_required" {
            zh: "请填写真实姓名或单位名称", en: "give your name or your organisation's",
        },
        ContactRequired = "objection_contact_required" {
            zh: "请填写联系方式，以便核实和答复", en: "give a contact, so the bureau can verify and answer",
        },
        TextRequired = "objection_empty" {
            zh: "请填写异议内容", en: "the objection is empty",
        },
        TooLong { field: &'static str, max: usize } = "objection_too_long" {
            zh: "{field} 不超过 {max} 字", en: "{field} has at most {max} characters",
        },
    }
}

/// Checks an objection before it is recorded.
pub fn check_objection(name: &str, contact: &str, text: &str) -> Result<(), ObjectionProblem> {
    for (field, value, max) in [
        ("name", name, OBJECTION_NAME_CHARS),
        ("contact", contact, OBJECTION_CONTACT_CHARS),
        ("text", text, OBJECTION_TEXT_CHARS),
    ] {
        if value.chars().count() > max {
            return Err(ObjectionProblem::TooLong { field, max });
        }
    }
    if name.trim().is_empty() {
        return Err(ObjectionProblem::NameRequired);
    }
    if contact.trim().is_empty() {
        return Err(ObjectionProblem::ContactRequired);
    }
    if text.trim().is_empty() {
        return Err(ObjectionProblem::TextRequired);
    }
    Ok(())
}

/// Where an objection raised during a public notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    Open,
    /// Found justified: the award it concerns is withdrawn.
    Upheld,
    Dismissed,
}

impl ObjectionStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Upheld => "upheld",
            Self::Dismissed => "dismissed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Upheld, Self::Dismissed]
            .into_iter()
            .find(|k| k.code() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Open => "待处理",
            Self::Upheld => "异议成立",
            Self::Dismissed => "异议不成立",
        }
    }
}

/// Where a batch stands on a given day, as every page and the API say it: a batch on notice
/// is waiting for its notice to start, on notice, or past its notice and waiting for approval
/// — one wording for each, so no page says 公示中 of a notice another lists as ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStage {
    Submitted,
    Reviewed,
    NoticeUpcoming,
    NoticeRunning,
    NoticeEnded,
    Approved,
    Paid,
    Void,
}

impl BatchStage {
    pub fn of(
        status: BatchStatus,
        notice: Option<(NaiveDate, NaiveDate)>,
        today: NaiveDate,
    ) -> Self {
        match status {
            BatchStatus::Submitted => Self::Submitted,
            BatchStatus::Reviewed => Self::Reviewed,
            BatchStatus::Notice => match notice {
                Some((start, end)) if notice_running(start, end, today) => Self::NoticeRunning,
                Some((_, end)) if today > end => Self::NoticeEnded,
                // Not begun, or (in data edited by hand) without its window: takes nothing yet.
                _ => Self::NoticeUpcoming,
            },
            BatchStatus::Approved => Self::Approved,
            BatchStatus::Paid => Self::Paid,
            BatchStatus::Void => Self::Void,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Reviewed => "reviewed",
            Self::NoticeUpcoming => "notice_upcoming",
            Self::NoticeRunning => "notice_running",
            Self::NoticeEnded => "notice_ended",
            Self::Approved => "approved",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Submitted => "待审核",
            Self::Reviewed => "已审核",
            Self::NoticeUpcoming => "待公示",
            Self::NoticeRunning => "公示中",
            Self::NoticeEnded => "公示期满待审批",
            Self::Approved => "已批准",
            Self::Paid => "已拨付",
            Self::Void => "已撤销",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Submitted => "awaiting review",
            Self::Reviewed => "reviewed",
            Self::NoticeUpcoming => "notice not yet started",
            Self::NoticeRunning => "on public notice",
            Self::NoticeEnded => "notice ended, awaiting approval",
            Self::Approved => "approved",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    /// Objections are taken.
    pub fn taking_objections(self) -> bool {
        self == Self::NoticeRunning
    }
}

/// Whether a date falls in a notice's window.
pub fn notice_running(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> bool {
    start <= today && today <= end
}

/// The year of an ISO date text, for rules (`certificate.issued_year`).
pub fn year_of(iso: &str) -> i64 {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| i64::from(d.year()))
        .unwrap_or(0)
}

#[cfg(test)]
mod stage_tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, m, day).expect("date")
    }

    #[test]
    fn a_batch_on_notice_reads_by_the_day() {
        let (s, e) = (d(3, 1), d(3, 10));
        let w = Some((s, e));
        let at = |day| BatchStage::of(BatchStatus::Notice, w, day);
        assert_eq!(at(d(2, 28)), BatchStage::NoticeUpcoming);
        assert_eq!(at(d(3, 1)), BatchStage::NoticeRunning);
        assert_eq!(at(d(3, 10)), BatchStage::NoticeRunning);
        assert_eq!(at(d(3, 11)), BatchStage::NoticeEnded);
        assert_eq!(at(d(3, 11)).name(), "公示期满待审批");
        // Only a running notice takes objections, the same test the notices page uses.
        for day in [d(2, 28), d(3, 1), d(3, 10), d(3, 11)] {
            assert_eq!(at(day).taking_objections(), notice_running(s, e, day));
        }
        assert_eq!(
            BatchStage::of(BatchStatus::Approved, w, d(3, 5)),
            BatchStage::Approved
        );
        // A notice without its window (data edited by hand) takes no objection.
        assert!(!BatchStage::of(BatchStatus::Notice, None, d(3, 5)).taking_objections());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hte_certified() -> Programme {
        Programme {
            code: "hte-certified".into(),
            name: "高新技术企业认定奖补".into(),
            name_en: String::new(),
            kind: ProgrammeKind::Reward,
            basis: String::new(),
            measure: None,
            from_year: 2017,
            to_year: None,
            event: Some(EventSource::Certificate(CertificateKind::Hte)),
            once_per: OncePer::Enterprise,
            eligibility: "in_region && certificate.issued_year == year && certificate.first".into(),
            amount: "wan(30)".into(),
            priority: None,
            notice_days: 7,
            separate_duties: true,
            description: String::new(),
            form: None,
        }
    }

    fn cand(uscc: &str, issued: &str, first: bool, in_region: bool) -> Candidate {
        Candidate {
            enterprise: EnterpriseFacts {
                uscc: uscc.into(),
                name: format!("企业{uscc}"),
                region: "440203".into(),
                registered_year: 2010,
                size: String::new(),
                above_scale: false,
                hitech_field: String::new(),
                industry: String::new(),
            },
            event: EventFacts {
                kind: "hte".into(),
                number: format!("GR{}44{}", &issued[..4], &uscc[..6]),
                title: String::new(),
                issued_on: issued.into(),
                issued_year: year_of(issued),
                batch: String::new(),
                first,
                revoked: false,
            },
            facts: HashMap::new(),
            in_region,
            application: HashMap::new(),
        }
    }

    #[test]
    fn first_certificates_of_the_year_in_the_region_are_rewarded() {
        let p = hte_certified();
        let rules = Rules::compile(&p).expect("rules");
        let cs = vec![
            cand("000001", "2018-11-28", true, true),
            cand("000002", "2018-11-28", false, true), // a renewal
            cand("000003", "2017-12-01", true, true),  // another year
            cand("000004", "2018-10-09", true, false), // outside the region
        ];
        let out = preview(&p, &rules, 2018, &cs, &HashMap::new(), None).expect("preview");
        let due: Vec<&str> = out.due().map(|e| e.uscc.as_str()).collect();
        assert_eq!(due, ["000001"]);
        assert_eq!(out.due_total, Fen(30_000_000));
        assert_eq!(out.not_eligible, 3);
        assert!(out.lines[0].entitlement.basis.contains("首次认定"));
    }

    #[test]
    fn an_awarded_key_is_not_due_again() {
        let p = hte_certified();
        let rules = Rules::compile(&p).expect("rules");
        let cs = vec![cand("000001", "2018-11-28", true, true)];
        let awarded = HashMap::from([("000001".to_owned(), 7)]);
        let out = preview(&p, &rules, 2018, &cs, &awarded, None).expect("preview");
        assert_eq!(out.due().count(), 0);
        assert_eq!(out.lines[0].status, LineStatus::AlreadyAwarded { batch: 7 });
    }

    #[test]
    fn a_short_budget_pays_by_priority_and_never_lets_a_lower_one_overtake() {
        let mut p = hte_certified();
        p.amount = "certificate.issued_on == '2018-01-01' ? wan(30) : wan(10)".into();
        let rules = Rules::compile(&p).expect("rules");
        let cs = vec![
            cand("000003", "2018-03-01", true, true),
            cand("000001", "2018-01-01", true, true),
            cand("000002", "2018-02-01", true, true),
        ];
        // 35 万: the earliest (30) fits, the next (10) does not, so the third waits too.
        let out = preview(
            &p,
            &rules,
            2018,
            &cs,
            &HashMap::new(),
            Some(Fen(35_000_000)),
        )
        .expect("preview");
        let status: Vec<(&str, &LineStatus)> = out
            .lines
            .iter()
            .map(|l| (l.entitlement.uscc.as_str(), &l.status))
            .collect();
        assert_eq!(
            status,
            [
                ("000001", &LineStatus::Due),
                ("000002", &LineStatus::OverBudget),
                ("000003", &LineStatus::OverBudget)
            ]
        );
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let mut p = hte_certified();
        p.eligibility = "certificate.first &&".into();
        let e = Rules::compile(&p).expect_err("does not parse");
        assert_eq!(e[0].code(), "rule_does_not_parse");
        assert_eq!(e[0].rule(), "eligibility");
        p.eligibility = "nosuch > 1".into();
        let e = Rules::compile(&p).expect_err("unknown variable");
        assert_eq!(e[0].code(), "rule_unknown_variable");
        assert!(e[0].message(crate::problem::Lang::En).contains("'nosuch'"));
        p.eligibility = "certificate.frist".into();
        let e = Rules::compile(&p).expect_err("unknown field");
        assert_eq!(e[0].code(), "rule_failed");
        assert!(e[0].message(crate::problem::Lang::Zh).contains("frist"));
        p.eligibility = "true".into();
        p.amount = "'thirty'".into();
        let e = Rules::compile(&p).expect_err("not fen");
        assert_eq!((e[0].code(), e[0].rule()), ("rule_not_fen", "amount"));
        p.amount = "-5".into();
        assert!(Rules::compile(&p).is_err());
    }

    #[test]
    fn amounts_may_be_a_capped_share_of_a_fact() {
        let mut p = hte_certified();
        p.kind = ProgrammeKind::PostSubsidy;
        p.eligibility = "has(facts.rd_expenditure)".into();
        // 10% of R&D expenditure (万元), at most 50 万元.
        p.amount = "min(wan(facts.rd_expenditure * 0.1), wan(50))".into();
        let rules = Rules::compile(&p).expect("rules");
        let mut c = cand("000001", "2018-11-28", true, true);
        c.facts.insert("rd_expenditure".into(), 120.0);
        assert_eq!(
            rules.judge(2018, &c),
            Ok(Verdict::Eligible {
                amount: Fen(12_000_000),
                priority: 0.0
            })
        );
        c.facts.insert("rd_expenditure".into(), 9000.0);
        assert_eq!(
            rules.judge(2018, &c),
            Ok(Verdict::Eligible {
                amount: Fen(50_000_000),
                priority: 0.0
            })
        );
        c.facts.clear();
        assert_eq!(rules.judge(2018, &c), Ok(Verdict::NotEligible));
    }

    #[test]
    fn batches_move_only_forward_and_void_only_before_approval() {
        use BatchAction as A;
        use BatchStatus as S;
        let mut s = S::Submitted;
        for a in [A::Review, A::Publish, A::Approve, A::Pay] {
            s = transition(s, a).expect("forward");
        }
        assert_eq!(s, S::Paid);
        assert!(transition(S::Submitted, A::Approve).is_err());
        assert!(transition(S::Approved, A::Void).is_err());
        assert!(transition(S::Paid, A::Pay).is_err());
        assert_eq!(actions(S::Notice), vec![A::Approve, A::Void]);
    }

    #[test]
    fn approval_waits_for_the_notice_and_open_objections() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let end = notice_end(d("2018-12-01"), 7);
        assert_eq!(end, d("2018-12-07"));
        assert!(check_approval(None, d("2019-01-01"), 0, None).is_err());
        assert!(check_approval(Some(end), d("2018-12-07"), 0, None).is_err());
        assert!(check_approval(Some(end), d("2018-12-08"), 1, None).is_err());
        assert!(check_approval(Some(end), d("2018-12-08"), 0, None).is_ok());
    }

    #[test]
    fn the_officer_who_generated_a_batch_does_not_approve_it() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let end = Some(d("2018-12-07"));
        let duties = |approver| {
            Some(Duties {
                generated_by: "gaoke",
                approver,
            })
        };
        assert_eq!(
            check_approval(end, d("2018-12-08"), 0, duties("gaoke")),
            Err(BatchRefused::SameOfficer {
                officer: "gaoke".into()
            })
        );
        assert!(check_approval(end, d("2018-12-08"), 0, duties("lichu")).is_ok());
        // Where the programme does not separate them, one officer does both.
        assert!(check_approval(end, d("2018-12-08"), 0, None).is_ok());
    }

    proptest! {
        /// Whatever the budget, what is due never exceeds it, and never drops an award of
        /// higher rank while paying one of lower rank.
        #[test]
        fn what_is_due_fits_the_budget(
            amounts in proptest::collection::vec(1i64..50, 1..30),
            budget in 0i64..600,
        ) {
            let mut p = hte_certified();
            p.eligibility = "in_region".into();
            p.amount = "wan(facts.rd_expenditure)".into();
            p.priority = Some("facts.rd_expenditure".into());
            let rules = Rules::compile(&p).expect("rules");
            let cs: Vec<Candidate> = amounts.iter().enumerate().map(|(i, a)| {
                let mut c = cand(&format!("{i:06}"), "2018-06-01", true, true);
                c.facts.insert("rd_expenditure".into(), *a as f64);
                c
            }).collect();
            let out = preview(&p, &rules, 2018, &cs, &HashMap::new(), Some(Fen(budget * FEN_PER_WAN)))
                .expect("preview");
            prop_assert!(out.due_total.0 <= budget * FEN_PER_WAN);
            let ranks: Vec<bool> = out.lines.iter().map(|l| l.status == LineStatus::Due).collect();
            // Due lines come first: no over-budget line precedes a due one.
            prop_assert!(ranks.windows(2).all(|w| w[0] || !w[1]));
        }
    }
}
