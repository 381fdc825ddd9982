//! The tech-finance files: the bureau's list of existing pool members, and a partner bank's
//! monthly loan file. Each row is checked like a registry row — every problem with its row,
//! column and value — and nothing is written unless all rows pass.

use crate::table::{column_name, locate_header, parse_date, Aliases, Header, Row};
use crate::RowProblem;
use kechuang_domain::finance::{LoanClass, LoanRow, MemberRow};
use kechuang_domain::money::{Fen, MoneyUnit};
use kechuang_domain::region::RegionTree;
use kechuang_domain::uscc::Uscc;
use kechuang_domain::RegionCode;
use std::collections::HashMap;

const USCC: &[&str] = &["统一社会信用代码", "社会信用代码", "信用代码", "uscc"];
const NAME: &[&str] = &["企业名称", "借款人名称", "借款企业", "单位名称", "name"];
const BANK: &[&str] = &["合作银行", "贷款银行", "银行", "bank"];
const REGION: &[&str] = &[
    "所属县区",
    "所属县（市、区）",
    "县（市、区）",
    "县区",
    "region",
];

pub const MEMBER_ALIASES: &Aliases = &[
    ("uscc", USCC),
    ("name", NAME),
    ("admitted_on", &["入池日期", "入池时间", "admitted_on"]),
    ("left_on", &["退出日期", "出池日期", "退出时间", "left_on"]),
    ("bank", BANK),
    ("region", REGION),
];

pub const LOAN_ALIASES: &Aliases = &[
    (
        "contract_no",
        &["贷款合同编号", "合同编号", "借款合同编号", "contract_no"],
    ),
    ("uscc", USCC),
    ("name", NAME),
    ("bank", BANK),
    ("issued_on", &["放款日期", "发放日期", "issued_on"]),
    ("due_on", &["到期日期", "到期日", "due_on"]),
    (
        "amount_wan",
        &["贷款金额（万元）", "贷款金额", "amount_wan"],
    ),
    (
        "balance_wan",
        &["贷款余额（万元）", "贷款余额", "balance_wan"],
    ),
    (
        "classification",
        &["五级分类", "风险分类", "classification"],
    ),
    ("guarantee", &["担保方式", "guarantee"]),
    ("region", REGION),
];

/// The columns a members file is written with (templates, exports).
pub const MEMBER_HEADERS: [&str; 5] = [
    "统一社会信用代码",
    "企业名称",
    "入池日期",
    "退出日期",
    "合作银行",
];

/// The columns a loan file is written with (templates, exports).
pub const LOAN_HEADERS: [&str; 10] = [
    "贷款合同编号",
    "统一社会信用代码",
    "企业名称",
    "合作银行",
    "放款日期",
    "到期日期",
    "贷款金额（万元）",
    "贷款余额（万元）",
    "五级分类",
    "担保方式",
];

/// A partner bank as files name it.
#[derive(Debug, Clone)]
pub struct BankName {
    pub id: i64,
    pub uscc: String,
    pub name: String,
}

/// What finance rows are checked against.
pub struct Context<'a> {
    pub tree: &'a RegionTree,
    pub home: &'a RegionCode,
    /// Registered enterprises named by the file: USCC → region code.
    pub known: &'a kechuang_domain::registry::RegionsByUscc,
    pub banks: &'a [BankName],
    /// A bank's own upload: every row must be this bank's.
    pub only_bank: Option<i64>,
}

#[derive(Debug)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub count: usize,
    pub problems: Vec<RowProblem>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            count: 0,
            problems: Vec::new(),
        }
    }
}

struct Cells<'a> {
    aliases: &'static Aliases,
    header: Header,
    problems: Vec<RowProblem>,
    ctx: &'a Context<'a>,
}

impl Cells<'_> {
    fn problem(&mut self, row: &Row, key: &str, value: &str, p: impl Into<String>) {
        self.problems.push(RowProblem {
            row: row.number,
            column: column_name(self.aliases, key).into(),
            value: value.into(),
            problem: p.into(),
        });
    }

    fn date(&mut self, row: &Row, key: &str, required: bool) -> Option<Option<chrono::NaiveDate>> {
        let raw = self.header.get(row, key);
        if raw.is_empty() {
            if required {
                self.problem(row, key, "", "必填 (required)");
                return None;
            }
            return Some(None);
        }
        match parse_date(&raw) {
            Some(d) => Some(Some(d)),
            None => {
                self.problem(row, key, &raw, "无法识别的日期 (unrecognised date)");
                None
            }
        }
    }

    fn uscc(&mut self, row: &Row) -> Option<String> {
        let raw = self.header.get(row, "uscc");
        match Uscc::parse(&raw) {
            Ok(u) => Some(u.as_str().to_owned()),
            Err(e) => {
                self.problem(row, "uscc", &raw, kechuang_domain::problem::bilingual(&e));
                None
            }
        }
    }

    /// The enterprise's county: the registry's, or the file's own column for an enterprise
    /// not yet registered.
    fn region(&mut self, row: &Row, uscc: &str) -> Option<String> {
        if let Some(r) = self.ctx.known.get(uscc) {
            return Some(r.to_owned());
        }
        let raw = self.header.text(row, "region");
        if raw.is_empty() {
            self.problem(
                row,
                "uscc",
                uscc,
                "企业不在登记库中：请先导入企业名录，或在“所属县区”列填写所在县区 (enterprise not registered: import it first or give its county)",
            );
            return None;
        }
        let found = match RegionCode::parse(&raw) {
            Ok(c) if self.ctx.tree.is_within(&c, self.ctx.home) => Ok(c),
            Ok(c) => Err(format!("区划 {c} 不在本市范围内 (outside the region)")),
            Err(_) => self
                .ctx
                .tree
                .find_by_name(&raw, self.ctx.home)
                .map_err(|e| kechuang_domain::problem::bilingual(&e)),
        };
        match found {
            Ok(c) => Some(c.to_string()),
            Err(e) => {
                self.problem(row, "region", &raw, e);
                None
            }
        }
    }

    /// A bank by its name or USCC, as the bureau registered it.
    fn bank(&mut self, row: &Row, required: bool) -> Option<Option<i64>> {
        let raw = self.header.text(row, "bank");
        if raw.is_empty() {
            if required {
                self.problem(row, "bank", "", "必填 (required)");
                return None;
            }
            return Some(None);
        }
        let folded = crate::table::normalise(&raw);
        let code = kechuang_domain::uscc::normalise(&raw);
        let found = self
            .ctx
            .banks
            .iter()
            .find(|b| b.uscc == code || crate::table::normalise(&b.name) == folded);
        match (found, self.ctx.only_bank) {
            (None, _) => {
                self.problem(
                    row,
                    "bank",
                    &raw,
                    "不是已登记的合作银行（按名称或统一社会信用代码） (not a registered partner bank)",
                );
                None
            }
            (Some(b), Some(only)) if b.id != only => {
                self.problem(
                    row,
                    "bank",
                    &raw,
                    kechuang_domain::problem::bilingual(
                        &kechuang_domain::finance::FinanceProblem::OtherBank {
                            bank: b.name.clone(),
                        },
                    ),
                );
                None
            }
            (Some(b), _) => Some(Some(b.id)),
        }
    }

    fn money(&mut self, row: &Row, key: &str) -> Option<Fen> {
        let raw = self.header.get(row, key);
        if raw.is_empty() {
            self.problem(row, key, "", "必填 (required)");
            return None;
        }
        match Fen::parse_in(&raw, MoneyUnit::Wan) {
            Ok(f) => Some(f),
            Err(e) => {
                self.problem(row, key, &raw, kechuang_domain::problem::bilingual(&e));
                None
            }
        }
    }
}

fn start<'a>(
    table: &[Row],
    aliases: &'static Aliases,
    anchor: &str,
    required: &[&str],
    ctx: &'a Context<'a>,
) -> Result<Cells<'a>, Vec<RowProblem>> {
    Ok(Cells {
        aliases,
        header: locate_header(table, aliases, anchor, required)?,
        problems: Vec::new(),
        ctx,
    })
}

/// The existing pool members: 统一社会信用代码, 企业名称, 入池日期, 退出日期, 合作银行.
pub fn parse_members(table: &[Row], ctx: &Context<'_>) -> Parsed<MemberRow> {
    let mut out = Parsed::default();
    let mut c = match start(
        table,
        MEMBER_ALIASES,
        "uscc",
        &["uscc", "name", "admitted_on"],
        ctx,
    ) {
        Ok(c) => c,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    let mut seen: HashMap<(String, chrono::NaiveDate), usize> = HashMap::new();
    for row in &table[c.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.count += 1;
        let before = c.problems.len();
        let uscc = c.uscc(row);
        let name = c.header.text(row, "name");
        if name.is_empty() {
            c.problem(row, "name", "", "必填 (required)");
        }
        let region = uscc.as_deref().and_then(|u| c.region(row, u));
        let admitted = c.date(row, "admitted_on", true).flatten();
        let left = c.date(row, "left_on", false);
        let bank = c.bank(row, false);
        if let (Some(a), Some(Some(l))) = (admitted, left) {
            if l < a {
                c.problem(
                    row,
                    "left_on",
                    &l.to_string(),
                    "退出日期早于入池日期 (leaves before admission)",
                );
            }
        }
        if c.problems.len() > before {
            continue;
        }
        let (Some(uscc), Some(region), Some(admitted), Some(left), Some(bank)) =
            (uscc, region, admitted, left, bank)
        else {
            continue;
        };
        if let Some(first) = seen.insert((uscc.clone(), admitted), row.number) {
            c.problem(
                row,
                "uscc",
                &uscc,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.rows.push(MemberRow {
            uscc,
            name,
            region_code: region,
            admitted_on: admitted,
            left_on: left,
            bank_id: bank,
        });
    }
    out.problems = c.problems;
    out
}

/// A bank's loan file: 贷款合同编号, 统一社会信用代码, 企业名称, 合作银行, 放款日期, 到期日期,
/// 贷款金额（万元）, 贷款余额（万元）, 五级分类, 担保方式.
pub fn parse_loans(table: &[Row], ctx: &Context<'_>) -> Parsed<LoanRow> {
    let mut out = Parsed::default();
    let required = [
        "contract_no",
        "uscc",
        "name",
        "bank",
        "issued_on",
        "due_on",
        "amount_wan",
        "balance_wan",
        "classification",
    ];
    let mut c = match start(table, LOAN_ALIASES, "contract_no", &required, ctx) {
        Ok(c) => c,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table[c.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.count += 1;
        let before = c.problems.len();
        let contract = c.header.get(row, "contract_no");
        if contract.is_empty() {
            c.problem(row, "contract_no", "", "必填 (required)");
        } else if contract.chars().count() > 64 || contract.chars().any(char::is_control) {
            c.problem(
                row,
                "contract_no",
                &contract,
                "合同编号过长或含控制字符 (contract number too long or with control characters)",
            );
        }
        let uscc = c.uscc(row);
        let name = c.header.text(row, "name");
        if name.is_empty() {
            c.problem(row, "name", "", "必填 (required)");
        }
        let region = uscc.as_deref().and_then(|u| c.region(row, u));
        let bank = c.bank(row, true).flatten();
        let issued = c.date(row, "issued_on", true).flatten();
        let due = c.date(row, "due_on", true).flatten();
        let amount = c.money(row, "amount_wan");
        let balance = c.money(row, "balance_wan");
        let raw_class = c.header.text(row, "classification");
        let class = LoanClass::parse(&raw_class);
        if class.is_none() {
            c.problem(row, "classification", &raw_class, "五级分类应为 正常、关注、次级、可疑 或 损失 (classification must be one of the five grades)");
        }
        if let (Some(a), Some(b)) = (amount, balance) {
            if a.0 <= 0 {
                c.problem(
                    row,
                    "amount_wan",
                    &a.wan_text(),
                    "贷款金额应大于 0 (the amount must be positive)",
                );
            } else if b > a {
                c.problem(
                    row,
                    "balance_wan",
                    &b.wan_text(),
                    kechuang_domain::problem::bilingual(
                        &kechuang_domain::finance::FinanceProblem::BalanceAboveAmount,
                    ),
                );
            }
        }
        if let (Some(i), Some(d)) = (issued, due) {
            if d < i {
                c.problem(
                    row,
                    "due_on",
                    &d.to_string(),
                    kechuang_domain::problem::bilingual(
                        &kechuang_domain::finance::FinanceProblem::DueBeforeIssue,
                    ),
                );
            }
        }
        if c.problems.len() > before {
            continue;
        }
        let (
            Some(uscc),
            Some(region),
            Some(bank),
            Some(issued),
            Some(due),
            Some(amount),
            Some(balance),
            Some(class),
        ) = (uscc, region, bank, issued, due, amount, balance, class)
        else {
            continue;
        };
        if let Some(first) = seen.insert(contract.clone(), row.number) {
            c.problem(
                row,
                "contract_no",
                &contract,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.rows.push(LoanRow {
            contract_no: contract,
            bank_id: bank,
            uscc,
            name,
            region_code: region,
            issued_on: issued,
            due_on: due,
            amount,
            balance,
            class,
            guarantee: c.header.text(row, "guarantee"),
        });
    }
    out.problems = c.problems;
    out
}

/// Every cell of a file that could be a USCC: the enterprises it names, looked up before
/// parsing (see `registries::uscc_candidates`).
pub fn usccs(table: &[Row]) -> Vec<String> {
    let mut out: Vec<String> = table
        .iter()
        .flat_map(crate::registries::uscc_candidates)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kechuang_domain::region::shipped_regions;

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

    fn with_ctx<T>(only_bank: Option<i64>, f: impl FnOnce(&Context<'_>) -> T) -> T {
        let tree = kechuang_domain::region::RegionTree::new(shipped_regions());
        let home = RegionCode::parse("440200").expect("code");
        let known: kechuang_domain::registry::RegionsByUscc =
            [("914402040000000190", "440203")].into_iter().collect();
        let banks = vec![
            BankName {
                id: 1,
                uscc: "91440200MA4UJ0XJ0D".into(),
                name: "韶关农商银行".into(),
            },
            BankName {
                id: 2,
                uscc: "91440200MA4UJ0XK9A".into(),
                name: "中国银行韶关分行".into(),
            },
        ];
        f(&Context {
            tree: &tree,
            home: &home,
            known: &known,
            banks: &banks,
            only_bank,
        })
    }

    #[test]
    fn a_banks_file_with_a_title_row_and_full_width_headers_reads() {
        let table = rows(&[
            &["广东省韶关市科技信贷风险准备金贷款台账（2019年6月）"],
            &[
                "贷款合同编号",
                "统一社会信用代码",
                "企业名称",
                "合作银行",
                "放款日期",
                "到期日期",
                "贷款金额（万元）",
                "贷款余额（万元）",
                "五级分类",
                "担保方式",
            ],
            &[
                "HT-2019-001",
                "914402040000000190",
                "韶关甲公司",
                "韶关农商银行",
                "2019年3月5日",
                "2020/3/4",
                "１００",
                "80.5",
                "次级",
                "信用",
            ],
        ]);
        let p = with_ctx(None, |ctx| parse_loans(&table, ctx));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let l = &p.rows[0];
        assert_eq!(
            (l.bank_id, l.class, l.region_code.as_str()),
            (1, LoanClass::Substandard, "440203")
        );
        assert_eq!(
            (l.amount.wan_text(), l.balance.wan_text()),
            ("100".to_owned(), "80.5".to_owned())
        );
    }

    #[test]
    fn a_bank_cannot_send_another_banks_loans_and_each_bad_cell_is_named() {
        let table = rows(&[
            &[
                "contract_no",
                "uscc",
                "name",
                "bank",
                "issued_on",
                "due_on",
                "amount_wan",
                "balance_wan",
                "classification",
            ],
            &[
                "A1",
                "914402040000000190",
                "甲",
                "中国银行韶关分行",
                "2019-01-01",
                "2019-12-31",
                "10",
                "5",
                "正常",
            ],
            &[
                "A2",
                "914402040000000190",
                "甲",
                "韶关农商银行",
                "2019-01-01",
                "2018-12-31",
                "10",
                "11",
                "坏账",
            ],
            &[
                "A2",
                "91440204000000027T",
                "乙",
                "韶关农商银行",
                "2019-01-01",
                "2019-12-31",
                "10",
                "5",
                "正常",
            ],
        ]);
        let p = with_ctx(Some(1), |ctx| parse_loans(&table, ctx));
        let cols: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|x| (x.row, x.column.as_str()))
            .collect();
        assert_eq!(
            cols,
            vec![
                (2, "合作银行"),
                (3, "五级分类"),
                (3, "贷款余额（万元）"),
                (3, "到期日期"),
                (4, "统一社会信用代码")
            ]
        );
        assert!(p.problems[0].problem.contains("只能上传本行"));
        assert!(
            p.problems[4].problem.contains("所属县区"),
            "unregistered without a county"
        );
    }

    #[test]
    fn members_read_with_optional_exit_and_bank() {
        let table = rows(&[
            &[
                "统一社会信用代码",
                "企业名称",
                "入池日期",
                "退出日期",
                "合作银行",
            ],
            &["914402040000000190", "韶关甲公司", "2016.5.3", "", ""],
            &[
                "914402040000000190",
                "韶关甲公司",
                "2018-01-01",
                "2017-01-01",
                "不存在银行",
            ],
        ]);
        let p = with_ctx(None, |ctx| parse_members(&table, ctx));
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].left_on, None);
        assert_eq!(p.problems.len(), 2, "{:?}", p.problems);
    }
}
