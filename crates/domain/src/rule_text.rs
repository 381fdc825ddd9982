//! A programme's rules read aloud: the CEL expressions of `eligibility` and `amount` turned
//! into a sentence an officer or an enterprise reads beside the code ("2017年起，首次取得高新技术
//! 企业证书、证书未被撤销的本地区企业，每家30万元"). Pure: it walks the parsed expression and
//! names the facts `docs/programmes.md` lists; a part it cannot name is quoted as written, so the
//! sentence never says less than the rule.

use crate::money::Fen;
use crate::programme::{EventSource, OncePer, Programme};
use crate::registry::CertificateKind;
use cel::common::ast::{Expr, LiteralValue};
use cel::parser::Parser;

/// The same sentence in both languages of the interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub zh: String,
    pub en: String,
}

/// The programme's rules as one sentence, or `None` when its rules do not parse (a stored
/// rule always does: it is compiled before it is saved).
pub fn describe(p: &Programme) -> Option<Sentence> {
    let words = p.event.map(Words::of);
    let clauses = conjuncts(&parse(&p.eligibility)?)
        .into_iter()
        .map(|c| clause(c, words))
        .collect::<Vec<_>>();
    let amount = money(&parse(&p.amount)?);
    let (each_zh, each_en) = match (p.once_per, words) {
        (OncePer::Enterprise, _) | (_, None) => ("每家", "per enterprise"),
        (OncePer::Event, Some(w)) => (w.each_zh, w.each_en),
    };
    let zh_conditions = clauses
        .iter()
        .map(|c| c.zh.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let en_conditions = clauses
        .iter()
        .map(|c| c.en.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let (zh_subject, en_subject) = match words {
        Some(w) if p.once_per == OncePer::Event => (w.subject_zh, w.subject_en),
        _ => ("的企业", "an enterprise"),
    };
    let zh = format!(
        "{}年起，{zh_conditions}{zh_subject}，{each_zh}{}。",
        p.from_year, amount.zh
    );
    let en = format!(
        "From {}: {en_subject} where {en_conditions} receives {} {each_en}.",
        p.from_year, amount.en
    );
    Some(Sentence { zh, en })
}

/// How a sentence speaks of a programme's events: a certificate is 取得 and 撤销, a patent
/// 授权 and 失效, a survey is the year's.
#[derive(Debug, Clone, Copy)]
struct Words {
    name_zh: &'static str,
    name_en: &'static str,
    issued_zh: &'static str,
    issued_en: &'static str,
    ended_zh: &'static str,
    ended_en: &'static str,
    subject_zh: &'static str,
    subject_en: &'static str,
    each_zh: &'static str,
    each_en: &'static str,
    /// The whole "issued in the year" clause, where the event's name does not start it.
    issued_clause: Option<(&'static str, &'static str)>,
}

impl Words {
    fn of(e: EventSource) -> Self {
        let (name_zh, name_en) = (e.name(), e.name_en());
        match e {
            EventSource::Certificate(_) => Self {
                name_zh,
                name_en,
                issued_zh: "于该年度取得",
                issued_en: "was issued in the year",
                ended_zh: "未被撤销",
                ended_en: "is not revoked",
                subject_zh: "的每项认定",
                subject_en: "each record",
                each_zh: "每项",
                each_en: "for each",
                issued_clause: None,
            },
            EventSource::Patent(_) => Self {
                name_zh,
                name_en,
                issued_zh: "于该年度授权",
                issued_en: "was granted in the year",
                ended_zh: "未失效",
                ended_en: "has not lapsed",
                subject_zh: "的每件专利",
                subject_en: "each patent",
                each_zh: "每件",
                each_en: "for each",
                issued_clause: None,
            },
            EventSource::RdSurvey => Self {
                name_zh,
                name_en,
                issued_zh: "为该年度的调查",
                issued_en: "is the year's",
                ended_zh: "有效",
                ended_en: "stands",
                subject_zh: "的企业",
                subject_en: "an enterprise",
                each_zh: "每家每年",
                each_en: "per enterprise and year",
                issued_clause: Some((
                    "报送了该年度研发调查",
                    "it reported in the year's R&D survey",
                )),
            },
        }
    }
}

fn parse(src: &str) -> Option<Expr> {
    Parser::new().parse(src).ok().map(|e| e.expr)
}

/// `a && b && c` as [a, b, c].
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Call(c) if c.func_name == "_&&_" && c.args.len() == 2 => {
            let mut out = conjuncts(&c.args[0].expr);
            out.extend(conjuncts(&c.args[1].expr));
            out
        }
        other => vec![other],
    }
}

fn both(zh: impl Into<String>, en: impl Into<String>) -> Sentence {
    Sentence {
        zh: zh.into(),
        en: en.into(),
    }
}

/// One condition of eligibility.
fn clause(e: &Expr, words: Option<Words>) -> Sentence {
    let w = words.unwrap_or_else(|| Words::of(EventSource::Certificate(CertificateKind::Hte)));
    let (kind_zh, kind_en) = match words {
        Some(w) => (w.name_zh, w.name_en),
        None => ("证书", "certificate"),
    };
    match e {
        Expr::Ident(n) if n == "in_region" => {
            both("在本地区注册", "it is registered in the region")
        }
        Expr::Select(s) if path(e).as_deref() == Some("certificate.first") && !s.test => both(
            format!("首次取得{kind_zh}"),
            format!("it is the first {kind_en} the enterprise holds"),
        ),
        Expr::Call(c) if c.func_name == "!_" && c.args.len() == 1 => {
            match path(&c.args[0].expr).as_deref() {
                Some("certificate.revoked") => both(
                    format!("{kind_zh}{}", w.ended_zh),
                    format!("the {kind_en} {}", w.ended_en),
                ),
                Some("enterprise.above_scale") => both("非规模以上企业", "it is not above scale"),
                Some("facts.has_rd_institution") => {
                    both("未设研发机构", "it has no R&D institution")
                }
                _ => {
                    let inner = clause(&c.args[0].expr, words);
                    both(
                        format!("不满足“{}”", inner.zh),
                        format!("not ({})", inner.en),
                    )
                }
            }
        }
        Expr::Call(c) if c.func_name == "_||_" && c.args.len() == 2 => {
            let a = clause(&c.args[0].expr, words);
            let b = clause(&c.args[1].expr, words);
            both(
                format!("{}或{}", a.zh, b.zh),
                format!("{} or {}", a.en, b.en),
            )
        }
        Expr::Call(c) if c.func_name == "_==_" && c.args.len() == 2 => {
            let lhs = path(&c.args[0].expr);
            let rhs = path(&c.args[1].expr);
            if lhs.as_deref() == Some("certificate.issued_year") && rhs.as_deref() == Some("year") {
                return match w.issued_clause {
                    Some((zh, en)) => both(zh, en),
                    None => both(
                        format!("{kind_zh}{}", w.issued_zh),
                        format!("the {kind_en} {}", w.issued_en),
                    ),
                };
            }
            compare(c.args[0].expr.clone(), "等于", "is", &c.args[1].expr)
        }
        Expr::Call(c) if c.args.len() == 2 => match c.func_name.as_str() {
            "_!=_" => compare(c.args[0].expr.clone(), "不等于", "is not", &c.args[1].expr),
            "_>=_" => compare(
                c.args[0].expr.clone(),
                "不低于",
                "is at least",
                &c.args[1].expr,
            ),
            "_>_" => compare(c.args[0].expr.clone(), "高于", "is above", &c.args[1].expr),
            "_<=_" => compare(
                c.args[0].expr.clone(),
                "不高于",
                "is at most",
                &c.args[1].expr,
            ),
            "_<_" => compare(c.args[0].expr.clone(), "低于", "is below", &c.args[1].expr),
            _ => literal_clause(e),
        },
        Expr::Call(c) if c.func_name == "has" && c.args.len() == 1 => {
            let f = value(&c.args[0].expr);
            both(format!("已报送{}", f.zh), format!("{} is reported", f.en))
        }
        Expr::Select(_) | Expr::Ident(_) => {
            let f = value(e);
            both(format!("{}为是", f.zh), format!("{} holds", f.en))
        }
        _ => literal_clause(e),
    }
}

fn literal_clause(e: &Expr) -> Sentence {
    let code = code(e);
    both(format!("满足 {code}"), format!("{code} holds"))
}

fn compare(lhs: Expr, op_zh: &str, op_en: &str, rhs: &Expr) -> Sentence {
    let a = value(&lhs);
    let b = value(rhs);
    both(
        format!("{}{op_zh}{}", a.zh, b.zh),
        format!("{} {op_en} {}", a.en, b.en),
    )
}

/// `certificate.issued_year` for a chain of field selections on a name. The event's other
/// names (`patent`, `survey`) read as `certificate`: the same fields, named by the event kind.
fn path(e: &Expr) -> Option<String> {
    match e {
        Expr::Ident(n) if n == "patent" || n == "survey" => Some("certificate".to_owned()),
        Expr::Ident(n) => Some(n.clone()),
        Expr::Select(s) if !s.test => Some(format!("{}.{}", path(&s.operand.expr)?, s.field)),
        _ => None,
    }
}

/// A fact, a number or a sum, named for a reader.
fn value(e: &Expr) -> Sentence {
    if let Some(p) = path(e) {
        let (zh, en) = match p.as_str() {
            "year" => ("申报年度", "the year"),
            "enterprise.registered_year" => ("企业注册年份", "the year of registration"),
            "enterprise.size" => ("企业规模", "the enterprise's size"),
            "enterprise.above_scale" => ("规模以上企业", "above scale"),
            "enterprise.region" => ("所在区县", "its county"),
            "enterprise.industry" => ("所属行业", "its industry"),
            "enterprise.hitech_field" => ("高新技术领域", "its high-tech field"),
            "certificate.issued_year" => ("证书年份", "the certificate's year"),
            "certificate.kind" => ("证书类别", "the certificate's kind"),
            "facts.revenue" => ("当年营业收入（万元）", "the year's revenue (10,000 yuan)"),
            "facts.rd_expenditure" => (
                "当年研发费用（万元）",
                "the year's R&D expenditure (10,000 yuan)",
            ),
            "facts.employees" => ("职工人数", "employees"),
            "facts.st_staff" => ("科技人员数", "S&T staff"),
            "facts.invention_patents" => ("有效发明专利数", "valid invention patents"),
            "facts.hitech_product_revenue" => (
                "高新技术产品收入（万元）",
                "high-tech product revenue (10,000 yuan)",
            ),
            "facts.has_rd_institution" => ("设有研发机构", "has an R&D institution"),
            "facts.rd_survey_total" => (
                "当年研发调查的研究开发费用（万元）",
                "the year's surveyed R&D expenditure (10,000 yuan)",
            ),
            "facts.rd_survey_previous" => (
                "上年研发调查的研究开发费用（万元）",
                "the previous year's surveyed R&D expenditure (10,000 yuan)",
            ),
            "application.requested" => ("申请金额（万元）", "the amount requested (10,000 yuan)"),
            "application.score" => ("专家评分", "the experts' score"),
            _ => return both(p.clone(), p),
        };
        return both(zh, en);
    }
    match e {
        Expr::Literal(l) => {
            let s = literal(l);
            both(s.clone(), s)
        }
        Expr::Call(c) if c.args.len() == 2 => {
            let (op_zh, op_en) = match c.func_name.as_str() {
                "_*_" => ("×", "×"),
                "_+_" => ("+", "+"),
                "_-_" => ("−", "−"),
                "_/_" => ("÷", "÷"),
                _ => return both(code(e), code(e)),
            };
            // A sum inside a product keeps its brackets: (a − b) × 0.1, not a − b × 0.1.
            let operand = |e: &Expr| {
                let v = value(e);
                let sum =
                    matches!(e, Expr::Call(c) if c.func_name == "_+_" || c.func_name == "_-_");
                if sum && (op_zh == "×" || op_zh == "÷") {
                    both(format!("（{}）", v.zh), format!("({})", v.en))
                } else {
                    v
                }
            };
            let a = operand(&c.args[0].expr);
            let b = operand(&c.args[1].expr);
            both(
                format!("{} {op_zh} {}", a.zh, b.zh),
                format!("{} {op_en} {}", a.en, b.en),
            )
        }
        _ => both(code(e), code(e)),
    }
}

/// An amount rule: `wan(30)` is 30万元, `min(a, b)` is a capped at b.
fn money(e: &Expr) -> Sentence {
    match e {
        Expr::Call(c) if (c.func_name == "wan" || c.func_name == "yuan") && c.args.len() == 1 => {
            let unit = if c.func_name == "wan" {
                "万元"
            } else {
                "元"
            };
            let unit_en = if c.func_name == "wan" {
                "× 10,000 yuan"
            } else {
                "yuan"
            };
            if let Expr::Literal(l) = &c.args[0].expr {
                let n = literal(l);
                return both(format!("{n}{unit}"), format!("{n} {unit_en}"));
            }
            let v = value(&c.args[0].expr);
            // A fact already in 万元 reads as itself: 申请金额, not 申请金额（万元）万元.
            match (
                v.zh.strip_suffix("（万元）"),
                v.en.strip_suffix(" (10,000 yuan)"),
            ) {
                (Some(zh), Some(en)) if c.func_name == "wan" => both(zh, en),
                _ => both(format!("{}{unit}", v.zh), format!("{} {unit_en}", v.en)),
            }
        }
        Expr::Call(c) if (c.func_name == "min" || c.func_name == "max") && c.args.len() >= 2 => {
            let parts: Vec<Sentence> = c.args.iter().map(|a| money(&a.expr)).collect();
            let Some((first, rest)) = parts.split_first() else {
                return value(e);
            };
            let (word_zh, word_en) = if c.func_name == "min" {
                ("最高", "at most")
            } else {
                ("至少", "at least")
            };
            both(
                format!(
                    "{}，{word_zh}{}",
                    first.zh,
                    rest.iter()
                        .map(|s| s.zh.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                format!(
                    "{}, {word_en} {}",
                    first.en,
                    rest.iter()
                        .map(|s| s.en.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        }
        Expr::Literal(LiteralValue::Int(i)) => {
            let y = Fen(*i.inner()).yuan_text();
            both(format!("{y}元"), format!("{y} yuan"))
        }
        _ => value(e),
    }
}

fn literal(l: &LiteralValue) -> String {
    match l {
        LiteralValue::Int(i) => i.inner().to_string(),
        LiteralValue::UInt(u) => u.inner().to_string(),
        LiteralValue::Double(d) => d.inner().to_string(),
        LiteralValue::String(s) => format!("“{}”", s.inner()),
        LiteralValue::Boolean(b) => b.inner().to_string(),
        _ => "null".into(),
    }
}

/// A part the sentence cannot name, written back as CEL.
fn code(e: &Expr) -> String {
    match e {
        Expr::Ident(n) => n.clone(),
        Expr::Literal(l) => literal(l),
        Expr::Select(s) => format!("{}.{}", code(&s.operand.expr), s.field),
        Expr::Call(c) => {
            let args: Vec<String> = c.args.iter().map(|a| code(&a.expr)).collect();
            let op = c
                .func_name
                .strip_prefix('_')
                .and_then(|f| f.strip_suffix('_'))
                .filter(|_| args.len() == 2);
            match (op, c.func_name.as_str()) {
                (Some(op), _) => format!("{} {op} {}", args[0], args[1]),
                (None, "!_") if args.len() == 1 => format!("!{}", args[0]),
                _ => format!("{}({})", c.func_name, args.join(", ")),
            }
        }
        _ => "…".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programme::ProgrammeKind;
    use crate::registry::CertificateKind;
    use proptest::prelude::*;

    fn programme(eligibility: &str, amount: &str, once_per: OncePer) -> Programme {
        Programme {
            code: "p".into(),
            name: "奖补".into(),
            name_en: "Reward".into(),
            kind: ProgrammeKind::Reward,
            basis: String::new(),
            measure: None,
            from_year: 2017,
            to_year: None,
            event: Some(crate::programme::EventSource::Certificate(
                CertificateKind::Hte,
            )),
            once_per,
            eligibility: eligibility.into(),
            amount: amount.into(),
            priority: None,
            notice_days: 7,
            separate_duties: true,
            description: String::new(),
            form: None,
        }
    }

    #[test]
    fn the_first_certificate_reward_reads_as_the_plan_writes_it() {
        let s = describe(&programme(
            "in_region && certificate.issued_year == year && certificate.first && !certificate.revoked",
            "wan(30)",
            OncePer::Enterprise,
        ))
        .expect("sentence");
        assert_eq!(
            s.zh,
            "2017年起，在本地区注册、高新技术企业证书于该年度取得、首次取得高新技术企业证书、\
             高新技术企业证书未被撤销的企业，每家30万元。"
        );
        assert!(s
            .en
            .starts_with("From 2017: an enterprise where it is registered in the region;"));
        assert!(
            s.en.ends_with("receives 30 × 10,000 yuan per enterprise."),
            "{}",
            s.en
        );
    }

    #[test]
    fn patents_are_granted_and_surveys_are_the_years() {
        let mut p = programme(
            "in_region && patent.issued_year == year && !patent.revoked",
            "wan(1)",
            OncePer::Event,
        );
        p.event = Some(EventSource::Patent(crate::patent::PatentType::Invention));
        let s = describe(&p).expect("sentence");
        assert_eq!(
            s.zh,
            "2017年起，在本地区注册、发明专利于该年度授权、发明专利未失效的每件专利，每件1万元。"
        );
        let mut p = programme(
            "in_region && survey.issued_year == year && facts.rd_survey_total > facts.rd_survey_previous",
            "min(wan((facts.rd_survey_total - facts.rd_survey_previous) * 0.1), wan(50))",
            OncePer::Event,
        );
        p.event = Some(EventSource::RdSurvey);
        let s = describe(&p).expect("sentence");
        assert!(
            s.zh.contains(
                "当年研发调查的研究开发费用（万元）高于上年研发调查的研究开发费用（万元）"
            ),
            "{}",
            s.zh
        );
        assert!(s.zh.contains("报送了该年度研发调查"), "{}", s.zh);
        assert!(s.zh.contains("每家每年（当年研发调查"), "{}", s.zh);
        assert!(s.zh.contains("） × 0.1万元"), "{}", s.zh);
        assert!(s.zh.contains("最高50万元"), "{}", s.zh);
    }

    #[test]
    fn a_capped_amount_reads_as_a_ceiling() {
        let s = describe(&programme(
            "in_region && facts.rd_expenditure >= 100",
            "min(wan(application.requested), wan(100))",
            OncePer::Enterprise,
        ))
        .expect("sentence");
        assert!(s.zh.contains("当年研发费用（万元）不低于100"), "{}", s.zh);
        assert!(s.zh.contains("每家申请金额，最高100万元"), "{}", s.zh);
    }

    #[test]
    fn an_unknown_part_is_quoted_not_dropped() {
        let s = describe(&programme(
            "in_region && size(enterprise.name) > 3",
            "wan(1)",
            OncePer::Event,
        ))
        .expect("sentence");
        assert!(s.zh.contains("size(enterprise.name)"), "{}", s.zh);
    }

    proptest! {
        // Every number in a rule survives into the sentence: the reader never sees less than
        // the code says.
        #[test]
        fn every_amount_reaches_the_sentence(n in 1u32..100_000, cap in 1u32..100_000) {
            let s = describe(&programme(
                "in_region",
                &format!("min(wan({n}), wan({cap}))"),
                OncePer::Enterprise,
            )).expect("sentence");
            let (amount, ceiling) = (format!("{n}万元"), format!("最高{cap}万元"));
            prop_assert!(s.zh.contains(&amount) && s.zh.contains(&ceiling), "{}", s.zh);
            prop_assert!(s.en.contains(&n.to_string()) && s.en.contains(&cap.to_string()));
        }
    }
}
