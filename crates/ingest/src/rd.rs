//! The R&D statistics files: the statistics office's survey file (统计报表 107-2) and the tax
//! authority's list of enterprises that claimed the R&D super deduction. Each row is checked —
//! the survey by the statistics office's own checks (`kechuang_domain::rd::check`) — and every
//! problem is reported with its row, column and value.

use crate::table::{column_name, locate_header, Aliases, Header, Row};
use crate::RowProblem;
use kechuang_domain::money::{Fen, MoneyUnit};
use kechuang_domain::rd::{check, Context as CheckContext, Deduction, Survey, PARTS};
use kechuang_domain::uscc::Uscc;
use std::collections::HashMap;

const USCC: &[&str] = &["统一社会信用代码", "社会信用代码", "信用代码", "uscc"];
const NAME: &[&str] = &["企业名称", "单位名称", "单位详细名称", "纳税人名称", "name"];
const YEAR: &[&str] = &["年度", "报告期", "统计年度", "year"];

pub const SURVEY_ALIASES: &Aliases = &[
    ("uscc", USCC),
    ("name", NAME),
    ("year", YEAR),
    (
        "rd_staff",
        &[
            "研究开发人员合计",
            "研究开发人员",
            "研发人员合计",
            "rd_staff",
        ],
    ),
    (
        "rd_total_wan",
        &[
            "研究开发费用合计（万元）",
            "研究开发费用合计",
            "研发费用合计（万元）",
            "rd_total_wan",
        ],
    ),
    (
        "labour",
        &["人员人工费用（万元）", "人员人工费用", "labour"],
    ),
    (
        "materials",
        &["直接投入费用（万元）", "直接投入费用", "materials"],
    ),
    (
        "depreciation",
        &[
            "折旧费用与长期待摊费用（万元）",
            "折旧费用与长期待摊费用",
            "depreciation",
        ],
    ),
    (
        "amortisation",
        &[
            "无形资产摊销费用（万元）",
            "无形资产摊销费用",
            "amortisation",
        ],
    ),
    ("design", &["设计费用（万元）", "设计费用", "design"]),
    (
        "trials",
        &[
            "装备调试费用与试验费用（万元）",
            "装备调试费用与试验费用",
            "trials",
        ],
    ),
    (
        "outsourced",
        &[
            "委托外部研究开发费用（万元）",
            "委托外部研究开发费用",
            "outsourced",
        ],
    ),
    ("other", &["其他费用（万元）", "其他费用", "other"]),
    (
        "super_deduction_base_wan",
        &[
            "加计扣除基数（万元）",
            "研发费用加计扣除基数（万元）",
            "super_deduction_base_wan",
        ],
    ),
    ("note", &["说明", "备注", "note"]),
    (
        "gov_funds_wan",
        &[
            "政府资金（万元）",
            "其中：政府资金（万元）",
            "研究开发费用中的政府资金（万元）",
            "政府资金",
            "gov_funds_wan",
        ],
    ),
    (
        "institutions",
        &[
            "期末研究开发机构数",
            "研究开发机构数",
            "研发机构数",
            "institutions",
        ],
    ),
    (
        "patent_applications",
        &["专利申请数", "当年专利申请数", "patent_applications"],
    ),
    (
        "new_product_sales_wan",
        &[
            "新产品销售收入（万元）",
            "新产品销售收入",
            "new_product_sales_wan",
        ],
    ),
];

pub const DEDUCTION_ALIASES: &Aliases = &[
    ("uscc", USCC),
    ("name", NAME),
    ("year", YEAR),
    (
        "deduction_wan",
        &[
            "加计扣除金额（万元）",
            "加计扣除金额",
            "研发费用加计扣除金额（万元）",
            "deduction_wan",
        ],
    ),
];

/// The columns a survey file is written with (templates, exports).
pub const SURVEY_HEADERS: [&str; 13] = [
    "统一社会信用代码",
    "企业名称",
    "研究开发人员合计",
    "研究开发费用合计（万元）",
    "人员人工费用（万元）",
    "直接投入费用（万元）",
    "折旧费用与长期待摊费用（万元）",
    "无形资产摊销费用（万元）",
    "设计费用（万元）",
    "装备调试费用与试验费用（万元）",
    "委托外部研究开发费用（万元）",
    "其他费用（万元）",
    "说明",
];

/// A survey template's columns: the year first, so a file sent through a page needs no option.
pub const SURVEY_TEMPLATE_HEADERS: [&str; 14] = [
    "年度",
    "统一社会信用代码",
    "企业名称",
    "研究开发人员合计",
    "研究开发费用合计（万元）",
    "人员人工费用（万元）",
    "直接投入费用（万元）",
    "折旧费用与长期待摊费用（万元）",
    "无形资产摊销费用（万元）",
    "设计费用（万元）",
    "装备调试费用与试验费用（万元）",
    "委托外部研究开发费用（万元）",
    "其他费用（万元）",
    "说明",
];

/// A super-deduction template's columns.
pub const DEDUCTION_TEMPLATE_HEADERS: [&str; 4] = [
    "年度",
    "统一社会信用代码",
    "企业名称",
    "加计扣除金额（万元）",
];

/// The columns of a super-deduction list.
pub const DEDUCTION_HEADERS: [&str; 3] = ["统一社会信用代码", "企业名称", "加计扣除金额（万元）"];

/// What the rows are checked against.
pub struct Context<'a> {
    /// The year of a file without a 年度 column.
    pub year: Option<i32>,
    /// Registered enterprises named by the file: USCC → region code.
    pub known: &'a kechuang_domain::registry::RegionsByUscc,
    /// (USCC, year) → the enterprise's revenue that year, from its annual facts.
    pub revenue: &'a HashMap<(String, i32), Fen>,
    /// (USCC, year) → its surveyed R&D total that year, from earlier imports.
    pub surveyed: &'a HashMap<(String, i32), Fen>,
}

#[derive(Debug)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub count: usize,
    pub problems: Vec<RowProblem>,
}

struct Cells {
    aliases: &'static Aliases,
    header: Header,
    problems: Vec<RowProblem>,
}

impl Cells {
    fn problem(&mut self, row: &Row, key: &str, value: &str, p: impl Into<String>) {
        self.problems.push(RowProblem {
            row: row.number,
            column: column_name(self.aliases, key).into(),
            value: value.into(),
            problem: p.into(),
        });
    }

    fn enterprise(&mut self, row: &Row, ctx: &Context<'_>) -> Option<(String, String)> {
        let raw = self.header.get(row, "uscc");
        match Uscc::parse(&raw) {
            Err(e) => {
                self.problem(row, "uscc", &raw, kechuang_domain::problem::bilingual(&e));
                None
            }
            Ok(u) => match ctx.known.get(u.as_str()) {
                Some(region) => Some((u.as_str().to_owned(), region.to_owned())),
                None => {
                    self.problem(
                        row,
                        "uscc",
                        &raw,
                        "企业不在登记库中，请先导入企业名录 (enterprise not registered)",
                    );
                    None
                }
            },
        }
    }

    fn year(&mut self, row: &Row, ctx: &Context<'_>) -> Option<i32> {
        let raw = self.header.get(row, "year");
        let raw = raw.trim_end_matches('年');
        if raw.is_empty() {
            if ctx.year.is_none() {
                self.problem(row, "year", "", "缺少年度：请在文件中给出“年度”列，或导入时指定年度 (no year: give a year column or --year)");
            }
            return ctx.year;
        }
        match raw.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            _ => {
                self.problem(
                    row,
                    "year",
                    raw,
                    "年度应为四位年份 (year must be four digits)",
                );
                None
            }
        }
    }

    /// An optional count (机构数, 申请数): empty is none; anything but a whole number ≥ 0 is a
    /// problem on its cell.
    fn count(&mut self, row: &Row, key: &str) -> Option<i64> {
        let raw = self.header.get(row, key);
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                self.problem(
                    row,
                    key,
                    &raw,
                    "应为非负整数 (must be a whole number, not negative)",
                );
                None
            }
        }
    }

    fn money(&mut self, row: &Row, key: &str, required: bool) -> Option<Option<Fen>> {
        let raw = self.header.get(row, key);
        if raw.is_empty() {
            if required {
                self.problem(
                    row,
                    key,
                    "",
                    "必填，没有请填 0 (required; write 0 for none)",
                );
                return None;
            }
            return Some(None);
        }
        match Fen::parse_in(&raw, MoneyUnit::Wan) {
            Ok(f) => Some(Some(f)),
            Err(e) => {
                self.problem(row, key, &raw, kechuang_domain::problem::bilingual(&e));
                None
            }
        }
    }
}

fn start(
    table: &[Row],
    aliases: &'static Aliases,
    required: &[&str],
) -> Result<Cells, Vec<RowProblem>> {
    Ok(Cells {
        aliases,
        header: locate_header(table, aliases, "uscc", required)?,
        problems: Vec::new(),
    })
}

/// A survey file: each row read, then held to the statistics office's checks.
pub fn parse_surveys(table: &[Row], ctx: &Context<'_>) -> Parsed<Survey> {
    let mut out = Parsed {
        rows: Vec::new(),
        count: 0,
        problems: Vec::new(),
    };
    let mut required = vec!["uscc", "rd_staff", "rd_total_wan"];
    required.extend(PARTS.iter().map(|(k, ..)| *k));
    let mut c = match start(table, SURVEY_ALIASES, &required) {
        Ok(c) => c,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    for row in &table[c.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.count += 1;
        let before = c.problems.len();
        let enterprise = c.enterprise(row, ctx);
        let year = c.year(row, ctx);
        let raw_staff = c.header.get(row, "rd_staff");
        let staff = match raw_staff.trim_end_matches(".0").parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                c.problem(
                    row,
                    "rd_staff",
                    &raw_staff,
                    "应为非负整数 (must be a whole number, not negative)",
                );
                None
            }
        };
        let total = c.money(row, "rd_total_wan", true).flatten();
        let mut parts = [Fen::ZERO; 8];
        let mut parts_ok = true;
        for (i, (key, ..)) in PARTS.iter().enumerate() {
            match c.money(row, key, true).flatten() {
                Some(f) => parts[i] = f,
                None => parts_ok = false,
            }
        }
        let base = c.money(row, "super_deduction_base_wan", false);
        let details = kechuang_domain::rd::SurveyDetails {
            gov_funds: c.money(row, "gov_funds_wan", false).flatten(),
            institutions: c.count(row, "institutions"),
            patent_applications: c.count(row, "patent_applications"),
            new_product_sales: c.money(row, "new_product_sales_wan", false).flatten(),
        };
        if c.problems.len() > before || !parts_ok {
            continue;
        }
        let (Some((uscc, region)), Some(year), Some(staff), Some(total), Some(base)) =
            (enterprise, year, staff, total, base)
        else {
            continue;
        };
        if let Some(first) = seen.insert((uscc.clone(), year), row.number) {
            c.problem(
                row,
                "uscc",
                &uscc,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        let name = c.header.text(row, "name");
        let s = Survey {
            name: if name.is_empty() { uscc.clone() } else { name },
            uscc,
            region_code: region,
            year,
            staff,
            total,
            parts,
            super_deduction_base: base,
            note: c.header.text(row, "note"),
            details,
        };
        let checks = CheckContext {
            revenue: ctx.revenue.get(&(s.uscc.clone(), year)).copied(),
            last_year: ctx.surveyed.get(&(s.uscc.clone(), year - 1)).copied(),
        };
        let found = check(&s, &checks);
        for (field, p) in &found {
            let value = match *field {
                "rd_total_wan" => s.total.wan_text(),
                "labour" => s.parts[0].wan_text(),
                "rd_staff" => s.staff.to_string(),
                "super_deduction_base_wan" => s
                    .super_deduction_base
                    .map(Fen::wan_text)
                    .unwrap_or_default(),
                "gov_funds_wan" => s.details.gov_funds.map(Fen::wan_text).unwrap_or_default(),
                _ => s.note.clone(),
            };
            c.problem(row, field, &value, kechuang_domain::problem::bilingual(p));
        }
        if found.is_empty() {
            out.rows.push(s);
        }
    }
    out.problems = c.problems;
    out
}

/// The tax authority's super-deduction list.
pub fn parse_deductions(table: &[Row], ctx: &Context<'_>) -> Parsed<Deduction> {
    let mut out = Parsed {
        rows: Vec::new(),
        count: 0,
        problems: Vec::new(),
    };
    let mut c = match start(table, DEDUCTION_ALIASES, &["uscc", "deduction_wan"]) {
        Ok(c) => c,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    for row in &table[c.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.count += 1;
        let before = c.problems.len();
        let enterprise = c.enterprise(row, ctx);
        let year = c.year(row, ctx);
        let amount = c.money(row, "deduction_wan", true).flatten();
        if c.problems.len() > before {
            continue;
        }
        let (Some((uscc, region)), Some(year), Some(amount)) = (enterprise, year, amount) else {
            continue;
        };
        if let Some(first) = seen.insert((uscc.clone(), year), row.number) {
            c.problem(
                row,
                "uscc",
                &uscc,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        let name = c.header.text(row, "name");
        out.rows.push(Deduction {
            name: if name.is_empty() { uscc.clone() } else { name },
            uscc,
            region_code: region,
            year,
            amount,
        });
    }
    out.problems = c.problems;
    out
}

/// The columns of a training sign-in sheet: the session (date, title, where) on every row,
/// and the enterprise that attended, by code or by its registered name.
pub const TRAINING_ALIASES: &Aliases = &[
    ("held_on", &["培训日期", "日期", "举办日期", "held_on"]),
    ("title", &["培训名称", "培训主题", "培训班名称", "title"]),
    (
        "region",
        &["举办县区", "所属县区", "县（市、区）", "区划代码", "region"],
    ),
    ("uscc", USCC),
    ("name", NAME),
];

/// Export and template headers of a sign-in sheet.
pub const TRAINING_HEADERS: [&str; 5] = [
    "培训日期",
    "培训名称",
    "举办县区",
    "统一社会信用代码",
    "企业名称",
];

/// What a sign-in sheet's rows are checked against.
pub struct TrainingContext<'a> {
    pub tree: &'a kechuang_domain::region::RegionTree,
    /// Where sessions are held when a row names no county: the deployment's own region.
    pub home: &'a kechuang_domain::RegionCode,
    /// Registered enterprises the sheet names by code: USCC → region.
    pub known: &'a kechuang_domain::registry::RegionsByUscc,
    /// Registered enterprises by name ([`crate::patents::name_key`] → USCC).
    pub names: &'a crate::patents::UsccByName,
}

/// A training sign-in sheet: one row an attending enterprise. An enterprise is known by its
/// code or its exact registered name; one the registry does not hold is refused by row, so
/// a misspelt name is corrected rather than lost.
pub fn parse_trainings(
    table: &[Row],
    ctx: &TrainingContext<'_>,
) -> Parsed<kechuang_domain::rd::Attendance> {
    let mut out = Parsed {
        rows: Vec::new(),
        count: 0,
        problems: Vec::new(),
    };
    let header = match locate_header(table, TRAINING_ALIASES, "held_on", &["held_on", "name"]) {
        Ok(h) => h,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    let mut c = Cells {
        aliases: TRAINING_ALIASES,
        header,
        problems: Vec::new(),
    };
    let mut seen: HashMap<(String, String, String, String), usize> = HashMap::new();
    for row in &table[c.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.count += 1;
        let before = c.problems.len();
        let raw_date = c.header.get(row, "held_on");
        let held_on = crate::table::parse_date(&raw_date);
        if held_on.is_none() {
            c.problem(
                row,
                "held_on",
                &raw_date,
                "无法识别的日期 (unrecognised date)",
            );
        }
        let title = match c.header.text(row, "title") {
            t if t.is_empty() => "研发统计业务培训".to_owned(),
            t => t,
        };
        let raw_region = c.header.get(row, "region");
        let region = if raw_region.is_empty() {
            Some(ctx.home.to_string())
        } else {
            let found = match kechuang_domain::RegionCode::parse(&raw_region) {
                Ok(code) if ctx.tree.is_within(&code, ctx.home) => Ok(code),
                Ok(code) => Err(format!("区划 {code} 不在本市范围内 (outside the region)")),
                Err(_) => ctx
                    .tree
                    .find_by_name(&raw_region, ctx.home)
                    .map_err(|e| kechuang_domain::problem::bilingual(&e)),
            };
            match found {
                Ok(code) => Some(code.to_string()),
                Err(e) => {
                    c.problem(row, "region", &raw_region, e);
                    None
                }
            }
        };
        let raw_uscc = c.header.get(row, "uscc");
        let name = c.header.text(row, "name");
        let uscc = if raw_uscc.is_empty() {
            let found = ctx
                .names
                .get(&crate::patents::name_key(&name))
                .map(str::to_owned);
            if found.is_none() {
                c.problem(
                    row,
                    "name",
                    &name,
                    "企业名称不在登记库中：请核对全称或填写统一社会信用代码 (no registered enterprise of this name: check it or give the credit code)",
                );
            }
            found
        } else {
            match Uscc::parse(&raw_uscc) {
                Ok(u) if ctx.known.contains_key(u.as_str()) => Some(u.as_str().to_owned()),
                Ok(_) => {
                    c.problem(
                        row,
                        "uscc",
                        &raw_uscc,
                        "企业不在登记库中，请先导入企业名录 (enterprise not registered)",
                    );
                    None
                }
                Err(e) => {
                    c.problem(
                        row,
                        "uscc",
                        &raw_uscc,
                        kechuang_domain::problem::bilingual(&e),
                    );
                    None
                }
            }
        };
        if c.problems.len() > before {
            continue;
        }
        let (Some(held_on), Some(region), Some(uscc)) = (held_on, region, uscc) else {
            continue;
        };
        let key = (
            held_on.to_string(),
            title.clone(),
            region.clone(),
            uscc.clone(),
        );
        if let Some(first) = seen.insert(key, row.number) {
            c.problem(
                row,
                "name",
                &name,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.rows.push(kechuang_domain::rd::Attendance {
            held_on,
            title,
            region_code: region,
            uscc,
        });
    }
    out.problems = c.problems;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&[&str]]) -> Vec<Row> {
        lines
            .iter()
            .enumerate()
            .map(|(i, cells)| Row {
                number: i + 1,
                cells: cells.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect()
    }

    #[test]
    fn a_sign_in_sheet_names_enterprises_by_code_or_registered_name() {
        let tree =
            kechuang_domain::region::RegionTree::new(kechuang_domain::region::shipped_regions());
        let home = kechuang_domain::RegionCode::parse("440200").expect("code");
        let known: kechuang_domain::registry::RegionsByUscc =
            [("914402040000000190", "440204")].into_iter().collect();
        let names: crate::patents::UsccByName = [(
            crate::patents::name_key("韶关市乙科技有限公司"),
            "91440204000000027T",
        )]
        .into_iter()
        .collect();
        let ctx = TrainingContext {
            tree: &tree,
            home: &home,
            known: &known,
            names: &names,
        };
        let table = rows(&[
            &["2019年研发统计培训班签到表"],
            &[
                "序号",
                "培训日期",
                "举办县区",
                "统一社会信用代码",
                "企业名称",
                "参训人员",
                "联系电话",
            ],
            &[
                "1",
                "2019年11月5日",
                "浈江区",
                "914402040000000190",
                "甲",
                "张三",
                "138",
            ],
            &[
                "2",
                "2019.11.05",
                "浈江区",
                "",
                "韶关市乙科技有限公司",
                "李四",
                "139",
            ],
            &[
                "3",
                "2019-11-05",
                "浈江区",
                "",
                "韶关市丙科技公司",
                "王五",
                "",
            ],
            &[
                "4",
                "2019-11-05",
                "浈江区",
                "",
                "韶关市乙科技有限公司",
                "赵六",
                "",
            ],
        ]);
        let p = parse_trainings(&table, &ctx);
        assert_eq!(p.count, 4);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[1].uscc, "91440204000000027T");
        assert_eq!(p.rows[0].region_code, "440204");
        assert_eq!(p.rows[0].title, "研发统计业务培训");
        let at: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|x| (x.row, x.column.as_str()))
            .collect();
        assert_eq!(at, [(5, "企业名称"), (6, "企业名称")], "{:?}", p.problems);
        assert!(p.problems[1].problem.contains("第4行"));
    }

    #[test]
    fn the_surveys_other_sections_are_read_when_the_file_has_them() {
        let known: kechuang_domain::registry::RegionsByUscc =
            [("914402040000000190", "440204")].into_iter().collect();
        let (revenue, surveyed) = (HashMap::new(), HashMap::new());
        let ctx = Context {
            year: Some(2019),
            known: &known,
            revenue: &revenue,
            surveyed: &surveyed,
        };
        let mut header: Vec<&str> = vec![
            "统一社会信用代码",
            "研究开发人员合计",
            "研究开发费用合计（万元）",
        ];
        header.extend(PARTS.iter().map(|(_, zh, _)| *zh));
        header.extend([
            "其中：政府资金（万元）",
            "期末研究开发机构数",
            "专利申请数",
            "新产品销售收入（万元）",
        ]);
        let good: Vec<&str> = [
            &["914402040000000190", "5", "100", "60", "40"][..],
            &["0"; 6],
            &["20", "1", "3", "5,000"],
        ]
        .concat();
        let table = rows(&[&header, &good]);
        let p = parse_surveys(&table, &ctx);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let d = p.rows[0].details;
        assert_eq!(
            d.gov_funds,
            Some(Fen(20 * kechuang_domain::money::FEN_PER_WAN))
        );
        assert_eq!((d.institutions, d.patent_applications), (Some(1), Some(3)));
        assert_eq!(
            d.new_product_sales,
            Some(Fen(5000 * kechuang_domain::money::FEN_PER_WAN))
        );
        let bad: Vec<&str> = [
            &["914402040000000190", "5", "100", "60", "40"][..],
            &["0"; 6],
            &["120", "一个", "", ""],
        ]
        .concat();
        let p = parse_surveys(&rows(&[&header, &bad]), &ctx);
        let columns: Vec<&str> = p.problems.iter().map(|x| x.column.as_str()).collect();
        assert_eq!(columns, ["期末研究开发机构数"], "{:?}", p.problems);
        let bad: Vec<&str> = [
            &["914402040000000190", "5", "100", "60", "40"][..],
            &["0"; 6],
            &["120", "", "", ""],
        ]
        .concat();
        let p = parse_surveys(&rows(&[&header, &bad]), &ctx);
        let columns: Vec<&str> = p.problems.iter().map(|x| x.column.as_str()).collect();
        assert_eq!(columns, ["政府资金（万元）"], "{:?}", p.problems);
    }

    #[test]
    fn a_survey_whose_parts_do_not_add_up_is_refused_with_the_row_and_difference() {
        let known: kechuang_domain::registry::RegionsByUscc = [
            ("914402040000000190", "440204"),
            ("91440204000000027T", "440204"),
        ]
        .into_iter()
        .collect();
        let (revenue, surveyed) = (HashMap::new(), HashMap::new());
        let ctx = Context {
            year: Some(2019),
            known: &known,
            revenue: &revenue,
            surveyed: &surveyed,
        };
        let mut header: Vec<&str> = vec![
            "统一社会信用代码",
            "企业名称",
            "研究开发人员合计",
            "研究开发费用合计（万元）",
        ];
        header.extend(PARTS.iter().map(|(_, zh, _)| *zh));
        let table = rows(&[
            &["韶关市企业研究开发活动情况（2019年）"],
            &header,
            &[
                "914402040000000190",
                "甲",
                "10",
                "100",
                "60",
                "20",
                "10",
                "0",
                "5",
                "5",
                "0",
                "0",
            ],
            &[
                "91440204000000027T",
                "乙",
                "10",
                "130",
                "60",
                "20",
                "10",
                "0",
                "5",
                "5",
                "0",
                "0",
            ],
        ]);
        let p = parse_surveys(&table, &ctx);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(
            (p.problems[0].row, p.problems[0].column.as_str()),
            (4, "研究开发费用合计（万元）")
        );
        assert!(
            p.problems[0].problem.contains("相差 30 万元"),
            "{}",
            p.problems[0].problem
        );
    }
}
