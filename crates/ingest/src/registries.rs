//! Enterprise, certificate and platform lists as the province and counties send them.

use crate::table::{column_name, locate_header, parse_date, Aliases, Header, Row};
use crate::RowProblem;
use kechuang_domain::region::RegionTree;
use kechuang_domain::registry::{
    CertificateKind, CertificateRow, EnterpriseRow, FactRow, Level, PlatformRow, RegistryBatch,
};
use kechuang_domain::uscc::Uscc;
use kechuang_domain::RegionCode;
use std::collections::{HashMap, HashSet};

pub(crate) const REGION: &[&str] = &[
    "所属县区",
    "所属县（市、区）",
    "县（市、区）",
    "县(市、区)",
    "县区",
    "所在县区",
    "所属地区",
    "区划代码",
    "region",
];
pub(crate) const USCC: &[&str] = &["统一社会信用代码", "社会信用代码", "信用代码", "uscc"];
const ENTERPRISE: &[&str] = &["企业名称", "单位名称", "企业", "name", "enterprise"];

pub const ENTERPRISE_ALIASES: &Aliases = &[
    ("uscc", USCC),
    ("name", ENTERPRISE),
    ("region", REGION),
    ("address", &["地址", "通讯地址", "注册地址", "address"]),
    (
        "industry",
        &["行业代码", "国民经济行业代码", "所属行业", "industry"],
    ),
    (
        "registered_on",
        &["成立日期", "注册日期", "成立时间", "registered_on"],
    ),
    ("size", &["企业规模", "规模", "size"]),
    (
        "above_scale",
        &["规上企业", "是否规上", "规模以上工业企业", "above_scale"],
    ),
    (
        "hitech_field",
        &["技术领域", "高新技术领域", "所属技术领域", "hitech_field"],
    ),
    ("contact", &["联系人", "联系电话", "contact"]),
];

pub const CERTIFICATE_ALIASES: &Aliases = &[
    (
        "number",
        &[
            "证书编号",
            "编号",
            "入库编号",
            "登记编号",
            "产品编号",
            "number",
        ],
    ),
    ("kind", &["证书类型", "类型", "kind"]),
    ("uscc", USCC),
    ("name", ENTERPRISE),
    ("region", REGION),
    ("title", &["产品名称", "title"]),
    (
        "issued_on",
        &[
            "发证日期",
            "发证时间",
            "认定日期",
            "认定时间",
            "入库日期",
            "入库时间",
            "issued_on",
        ],
    ),
    ("batch", &["批次", "batch"]),
    ("revoked_on", &["撤销日期", "取消日期", "revoked_on"]),
];

pub const PLATFORM_ALIASES: &Aliases = &[
    ("name", &["平台名称", "名称", "name"]),
    ("kind", &["平台类型", "类型", "类别", "kind"]),
    ("level", &["级别", "level"]),
    (
        "host_name",
        &["依托单位", "依托单位名称", "承建单位", "host_name"],
    ),
    (
        "host_uscc",
        &["依托单位统一社会信用代码", "统一社会信用代码", "host_uscc"],
    ),
    ("region", REGION),
    (
        "recognised_on",
        &[
            "认定时间",
            "认定日期",
            "批准时间",
            "批准日期",
            "recognised_on",
        ],
    ),
    (
        "document_no",
        &["批准文号", "认定文号", "文号", "document_no"],
    ),
    ("revoked_on", &["撤销日期", "revoked_on"]),
];

pub const FACT_ALIASES: &Aliases = &[
    ("uscc", USCC),
    ("year", &["年度", "年份", "year"]),
    ("revenue", &["营业收入", "营业收入（万元）", "revenue"]),
    (
        "rd_expenditure",
        &[
            "研发费用",
            "研发经费支出",
            "研发费用（万元）",
            "rd_expenditure",
        ],
    ),
    ("employees", &["从业人员", "从业人员数", "employees"]),
    ("st_staff", &["科技人员", "科技活动人员", "st_staff"]),
    (
        "invention_patents",
        &["有效发明专利", "有效发明专利数", "invention_patents"],
    ),
    (
        "hitech_product_revenue",
        &[
            "高新技术产品收入",
            "高新技术产品收入（万元）",
            "hitech_product_revenue",
        ],
    ),
    (
        "has_rd_institution",
        &["是否有研发机构", "有研发机构", "has_rd_institution"],
    ),
];

/// What the importer checks rows against.
pub struct Context<'a> {
    pub tree: &'a RegionTree,
    /// The region whose registries these are; rows elsewhere are refused.
    pub home: &'a RegionCode,
    /// Enterprises already registered: USCC → region code.
    pub known: &'a kechuang_domain::registry::RegionsByUscc,
    /// (code, name) of every platform kind.
    pub platform_kinds: &'a [(String, String, String)],
    /// Who accepts legacy codes that fail only their check characters; `None` refuses them.
    pub accept_legacy_as: Option<&'a str>,
    /// The certificate kind of a file without a kind column.
    pub default_kind: Option<CertificateKind>,
    /// What earlier parts of the same file held, when a file is parsed in parts.
    pub state: &'a FileState,
    /// Registered enterprises by the names a patent list gives its holders
    /// (`patents::name_key` → USCC), for holders without a code.
    pub names: &'a crate::patents::UsccByName,
}

/// Checks that span a whole file parsed part by part: natural keys seen (for duplicate rows)
/// and enterprises registered by earlier rows. Behind mutexes so a parse can be carried
/// across an `await` between parts.
///
/// A million-row file keeps a key for every row until its end, so keys are kept as
/// fingerprints (`crate::fingerprint`): 24 bytes an entry instead of a heap string of about 70.
#[derive(Debug, Default)]
pub struct FileState {
    prints: crate::fingerprint::Fingerprinter,
    seen: std::sync::Mutex<HashMap<[u64; 2], usize, foldhash::fast::RandomState>>,
    new_enterprises: std::sync::Mutex<HashSet<[u64; 2], foldhash::fast::RandomState>>,
    /// Region names already looked up: a file names its ten counties a million times.
    regions:
        std::sync::Mutex<HashMap<String, Result<RegionCode, String>, foldhash::fast::RandomState>>,
}

impl FileState {
    /// The row where `key` was first seen, or `None` (and notes this row) if it is new.
    pub(crate) fn first_seen(&self, key: &str, row: usize) -> Option<usize> {
        let fp = self.prints.of(key);
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        match seen.entry(fp) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(row);
                None
            }
        }
    }
    fn registers(&self, uscc: &str) -> bool {
        let fp = self.prints.of(uscc);
        self.new_enterprises
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&fp)
    }
    fn register(&self, uscc: &str) {
        let fp = self.prints.of(uscc);
        self.new_enterprises
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(fp);
    }
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub batch: RegistryBatch,
    pub rows: usize,
    pub problems: Vec<RowProblem>,
    /// The header row found, for parsing the rest of the file in parts.
    pub header: Option<Row>,
}

pub(crate) struct Rows {
    aliases: &'static Aliases,
    pub(crate) header: Header,
    pub(crate) problems: Vec<RowProblem>,
}

impl Rows {
    pub(crate) fn problem(&mut self, row: &Row, key: &str, value: &str, p: impl Into<String>) {
        self.problems.push(RowProblem {
            row: row.number,
            column: column_name(self.aliases, key).into(),
            value: value.into(),
            problem: p.into(),
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Enterprises,
    Certificates,
    Platforms,
    Facts,
    Patents,
}

/// Every cell of a row that could be a USCC, normalised: the enterprises a file can refer to,
/// so the importer looks up only those instead of every registered enterprise (a million in a
/// province).
pub fn uscc_candidates(row: &Row) -> impl Iterator<Item = String> + '_ {
    row.cells
        .iter()
        .filter(|c| (18..=40).contains(&c.chars().count()))
        .map(|c| kechuang_domain::uscc::normalise(c))
        .filter(|c| c.len() == 18 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub(crate) fn start(
    table: &[Row],
    aliases: &'static Aliases,
    anchor: &str,
    required: &[&str],
) -> Result<Rows, Vec<RowProblem>> {
    let header = locate_header(table, aliases, anchor, required)?;
    Ok(Rows {
        aliases,
        header,
        problems: Vec::new(),
    })
}

/// A county by code or by name as offices write it (乐昌市, 乐昌, 乳源县, 韶关市武江区,
/// 广东省韶关市武江区), inside the home region; see `RegionTree::find_by_name`.
pub(crate) fn region(ctx: &Context<'_>, raw: &str) -> Result<RegionCode, String> {
    let mut known = ctx.state.regions.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = known.get(raw) {
        return r.clone();
    }
    let r = region_uncached(ctx, raw);
    known.insert(raw.to_owned(), r.clone());
    r
}

fn region_uncached(ctx: &Context<'_>, raw: &str) -> Result<RegionCode, String> {
    if let Ok(code) = RegionCode::parse(raw) {
        return if ctx.tree.is_within(&code, ctx.home) {
            Ok(code)
        } else {
            Err(format!("区划 {code} 不在本市范围内 (outside the region)"))
        };
    }
    ctx.tree
        .find_by_name(raw, ctx.home)
        .map_err(|e| kechuang_domain::problem::bilingual(&e))
}

pub(crate) fn uscc(ctx: &Context<'_>, raw: &str) -> Result<(Uscc, Option<String>), String> {
    match Uscc::parse(raw) {
        Ok(u) => Ok((u, None)),
        Err(e) if e.is_check_failure() => match (ctx.accept_legacy_as, Uscc::parse_legacy(raw)) {
            (Some(who), Ok(u)) => Ok((u, Some(who.to_owned()))),
            _ => Err(format!(
                "{}；如为早期试点代码，可由工作人员确认后导入 (--accept-legacy-uscc)",
                kechuang_domain::problem::bilingual(&e)
            )),
        },
        Err(e) => Err(kechuang_domain::problem::bilingual(&e)),
    }
}

pub(crate) fn date_opt(rows: &mut Rows, row: &Row, key: &str) -> Option<Option<String>> {
    let raw = rows.header.get(row, key);
    if raw.is_empty() {
        return Some(None);
    }
    match parse_date(&raw) {
        Some(d) => Some(Some(d.to_string())),
        None => {
            rows.problem(row, key, &raw, "无法识别的日期 (unrecognised date)");
            None
        }
    }
}

pub fn parse_enterprises(table: &[Row], ctx: &Context<'_>) -> Parsed {
    let mut out = Parsed::default();
    let mut rows = match start(
        table,
        ENTERPRISE_ALIASES,
        "uscc",
        &["uscc", "name", "region"],
    ) {
        Ok(r) => r,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    for row in &table[rows.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.rows += 1;
        let before = rows.problems.len();
        let raw = rows.header.get(row, "uscc");
        let code = uscc(ctx, &raw)
            .map_err(|e| rows.problem(row, "uscc", &raw, e))
            .ok();
        let name = rows.header.text(row, "name");
        if name.is_empty() {
            rows.problem(row, "name", "", "企业名称为空 (name is empty)");
        }
        let raw_region = rows.header.get(row, "region");
        let region = region(ctx, &raw_region)
            .map_err(|e| rows.problem(row, "region", &raw_region, e))
            .ok();
        let registered_on = date_opt(&mut rows, row, "registered_on");
        let above = rows.header.get(row, "above_scale");
        let above_scale = match above.as_str() {
            "" | "否" | "0" | "no" | "false" | "N" => false,
            "是" | "1" | "yes" | "true" | "Y" | "规上" => true,
            other => {
                rows.problem(
                    row,
                    "above_scale",
                    other,
                    "应填 是 或 否 (expected yes or no)",
                );
                false
            }
        };
        let field = rows.header.get(row, "hitech_field");
        if !field.is_empty() && !kechuang_domain::registry::HITECH_FIELDS.contains(&field.as_str())
        {
            rows.problem(
                row,
                "hitech_field",
                &field,
                format!(
                    "技术领域应为八大领域之一：{} (one of the eight fields)",
                    kechuang_domain::registry::HITECH_FIELDS.join("、")
                ),
            );
        }
        let (Some((code, confirmed)), Some(region), Some(registered_on)) =
            (code, region, registered_on)
        else {
            continue;
        };
        if rows.problems.len() > before {
            continue;
        }
        if let Some(first) = ctx.state.first_seen(code.as_str(), row.number) {
            rows.problem(
                row,
                "uscc",
                code.as_str(),
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.batch.enterprises.push(EnterpriseRow {
            uscc: code.to_string(),
            name,
            region_code: region.to_string(),
            address: rows.header.text(row, "address"),
            industry: rows.header.text(row, "industry"),
            registered_on,
            size: rows.header.text(row, "size"),
            above_scale,
            hitech_field: field,
            contact: rows.header.text(row, "contact"),
            uscc_confirmed_by: confirmed,
        });
    }
    out.problems = rows.problems;
    out.header = table.get(rows.header.index).cloned();
    out
}

pub fn parse_certificates(table: &[Row], ctx: &Context<'_>) -> Parsed {
    let mut out = Parsed::default();
    let mut rows = match start(
        table,
        CERTIFICATE_ALIASES,
        "number",
        &["number", "uscc", "issued_on"],
    ) {
        Ok(r) => r,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    if !rows.header.has("kind") && ctx.default_kind.is_none() {
        out.problems.push(RowProblem {
            row: table.get(rows.header.index).map(|r| r.number).unwrap_or(1),
            column: "证书类型".into(),
            value: String::new(),
            problem: "文件没有证书类型列，请用 --kind 指定 (no kind column; give --kind)".into(),
        });
        return out;
    }
    for row in &table[rows.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.rows += 1;
        let before = rows.problems.len();
        let raw_kind = rows.header.get(row, "kind");
        let kind = if raw_kind.is_empty() {
            ctx.default_kind
        } else {
            CertificateKind::parse(&raw_kind)
        };
        let Some(kind) = kind else {
            rows.problem(row, "kind", &raw_kind, "未知的证书类型 (unknown kind)");
            continue;
        };
        let number = rows.header.get(row, "number").to_uppercase();
        let raw = rows.header.get(row, "uscc");
        let code = uscc(ctx, &raw)
            .map_err(|e| rows.problem(row, "uscc", &raw, e))
            .ok();
        let raw_date = rows.header.get(row, "issued_on");
        let issued = parse_date(&raw_date);
        if issued.is_none() {
            rows.problem(
                row,
                "issued_on",
                &raw_date,
                "无法识别的日期 (unrecognised date)",
            );
        }
        if let Some(d) = issued {
            if let Err(e) = kind.check_number(&number, d) {
                rows.problem(
                    row,
                    "number",
                    &number,
                    kechuang_domain::problem::bilingual(&e),
                );
            }
        }
        let revoked_on = date_opt(&mut rows, row, "revoked_on");
        let (Some((code, confirmed)), Some(issued), Some(revoked_on)) = (code, issued, revoked_on)
        else {
            continue;
        };
        // The enterprise must be registered, or be registrable from this row.
        if !ctx.known.contains_key(code.as_str()) && !ctx.state.registers(code.as_str()) {
            let name = rows.header.text(row, "name");
            let raw_region = rows.header.get(row, "region");
            let region = if raw_region.is_empty() {
                region(ctx, code.region_part())
            } else {
                region(ctx, &raw_region)
            };
            match (name.is_empty(), region) {
                (false, Ok(region)) => {
                    ctx.state.register(code.as_str());
                    out.batch.enterprises.push(EnterpriseRow {
                        uscc: code.to_string(),
                        name,
                        region_code: region.to_string(),
                        address: String::new(),
                        industry: String::new(),
                        registered_on: None,
                        size: String::new(),
                        above_scale: false,
                        hitech_field: String::new(),
                        contact: String::new(),
                        uscc_confirmed_by: confirmed,
                    });
                }
                (true, _) => rows.problem(row, "uscc", code.as_str(), "企业不在登记库中，且未填写企业名称 (enterprise not registered and no name given)"),
                (false, Err(e)) => rows.problem(row, "region", &raw_region, format!("企业不在登记库中，无法确定所属县区：{e} (enterprise not registered; county unknown)")),
            }
        }
        if rows.problems.len() > before {
            continue;
        }
        if let Some(first) = ctx
            .state
            .first_seen(&format!("{}\u{1f}{number}", kind.code()), row.number)
        {
            rows.problem(
                row,
                "number",
                &number,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.batch.certificates.push(CertificateRow {
            kind: kind.code().to_owned(),
            number,
            uscc: code.to_string(),
            title: rows.header.text(row, "title"),
            issued_on: issued.to_string(),
            expires_on: kind.expiry(issued).map(|d| d.to_string()),
            batch: rows.header.text(row, "batch"),
            revoked_on,
        });
    }
    out.problems = rows.problems;
    out.header = table.get(rows.header.index).cloned();
    out
}

fn yes_no(raw: &str) -> Result<Option<bool>, String> {
    match raw {
        "" => Ok(None),
        "是" | "有" | "1" | "yes" | "true" | "Y" => Ok(Some(true)),
        "否" | "无" | "0" | "no" | "false" | "N" => Ok(Some(false)),
        _ => Err("应填 是 或 否 (expected yes or no)".into()),
    }
}

pub fn parse_facts(table: &[Row], ctx: &Context<'_>) -> Parsed {
    let mut out = Parsed::default();
    let mut rows = match start(table, FACT_ALIASES, "year", &["uscc", "year"]) {
        Ok(r) => r,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    for row in &table[rows.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.rows += 1;
        let before = rows.problems.len();
        let raw = rows.header.get(row, "uscc");
        let code = kechuang_domain::uscc::normalise(&raw);
        if !ctx.known.contains_key(&code) {
            rows.problem(
                row,
                "uscc",
                &raw,
                "企业不在登记库中，请先导入企业名单 (enterprise not registered)",
            );
        }
        let raw_year = rows
            .header
            .get(row, "year")
            .trim_end_matches('年')
            .to_owned();
        let year = match raw_year.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            _ => {
                rows.problem(
                    row,
                    "year",
                    &raw_year,
                    "年度应为四位年份 (year must be four digits)",
                );
                None
            }
        };
        let mut money = |key: &str| -> Option<f64> {
            let v = rows.header.get(row, key).replace(',', "");
            if v.is_empty() {
                return None;
            }
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
                _ => {
                    rows.problem(row, key, &v, "应为非负数 (must be a non-negative number)");
                    None
                }
            }
        };
        let revenue = money("revenue");
        let rd = money("rd_expenditure");
        let hitech = money("hitech_product_revenue");
        let mut count = |key: &str| -> Option<i64> {
            let v = rows.header.get(row, key).replace(',', "");
            if v.is_empty() {
                return None;
            }
            match v.trim_end_matches(".0").parse::<i64>() {
                Ok(x) if x >= 0 => Some(x),
                _ => {
                    rows.problem(
                        row,
                        key,
                        &v,
                        "应为非负整数 (must be a whole number, not negative)",
                    );
                    None
                }
            }
        };
        let employees = count("employees");
        let st_staff = count("st_staff");
        let patents = count("invention_patents");
        let raw_rd = rows.header.get(row, "has_rd_institution");
        let has_rd = yes_no(&raw_rd)
            .map_err(|e| rows.problem(row, "has_rd_institution", &raw_rd, e))
            .ok()
            .flatten();
        if let (Some(e), Some(s)) = (employees, st_staff) {
            if s > e {
                rows.problem(
                    row,
                    "st_staff",
                    &s.to_string(),
                    "科技人员多于从业人员 (more S&T staff than employees)",
                );
            }
        }
        let Some(year) = year else { continue };
        if rows.problems.len() > before {
            continue;
        }
        if let Some(first) = ctx
            .state
            .first_seen(&format!("{code}\u{1f}{year}"), row.number)
        {
            rows.problem(
                row,
                "year",
                &year.to_string(),
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.batch.facts.push(FactRow {
            uscc: code,
            year,
            revenue,
            rd_expenditure: rd,
            employees,
            st_staff,
            invention_patents: patents,
            hitech_product_revenue: hitech,
            has_rd_institution: has_rd,
        });
    }
    out.problems = rows.problems;
    out.header = table.get(rows.header.index).cloned();
    out
}

pub fn parse_platforms(table: &[Row], ctx: &Context<'_>) -> Parsed {
    let mut out = Parsed::default();
    let mut rows = match start(
        table,
        PLATFORM_ALIASES,
        "name",
        &["name", "kind", "level", "region", "recognised_on"],
    ) {
        Ok(r) => r,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    for row in &table[rows.header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        out.rows += 1;
        let before = rows.problems.len();
        let name = rows.header.text(row, "name");
        if name.is_empty() {
            rows.problem(row, "name", "", "平台名称为空 (name is empty)");
        }
        let raw_kind = rows.header.get(row, "kind");
        let kind = ctx
            .platform_kinds
            .iter()
            .find(|(code, zh, _)| {
                *code == raw_kind || *zh == raw_kind || raw_kind.ends_with(zh.as_str())
            })
            .map(|(code, _, _)| code.clone());
        if kind.is_none() {
            rows.problem(
                row,
                "kind",
                &raw_kind,
                "未知的平台类型 (unknown platform kind)",
            );
        }
        let raw_level = rows.header.get(row, "level");
        let level = Level::parse(&raw_level);
        if level.is_none() {
            rows.problem(
                row,
                "level",
                &raw_level,
                "级别应为 市级、省级 或 国家级 (level must be city, provincial or national)",
            );
        }
        let raw_region = rows.header.get(row, "region");
        let region = region(ctx, &raw_region)
            .map_err(|e| rows.problem(row, "region", &raw_region, e))
            .ok();
        let raw_date = rows.header.get(row, "recognised_on");
        let recognised = parse_date(&raw_date);
        if recognised.is_none() {
            rows.problem(
                row,
                "recognised_on",
                &raw_date,
                "无法识别的日期 (unrecognised date)",
            );
        }
        let raw_host = rows.header.get(row, "host_uscc");
        let host_uscc = if raw_host.is_empty() {
            None
        } else {
            match uscc(ctx, &raw_host) {
                Ok((u, _)) => Some(u.to_string()),
                Err(e) => {
                    rows.problem(row, "host_uscc", &raw_host, e);
                    None
                }
            }
        };
        // A host that is an enterprise must be registered (universities and institutes need not be).
        let host_uscc = host_uscc.filter(|u| ctx.known.contains_key(u));
        let revoked_on = date_opt(&mut rows, row, "revoked_on");
        let (Some(kind), Some(level), Some(region), Some(recognised), Some(revoked_on)) =
            (kind, level, region, recognised, revoked_on)
        else {
            continue;
        };
        if rows.problems.len() > before {
            continue;
        }
        let key = format!("{kind}\u{1f}{}\u{1f}{name}", level.code());
        if let Some(first) = ctx.state.first_seen(&key, row.number) {
            rows.problem(
                row,
                "name",
                &name,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.batch.platforms.push(PlatformRow {
            kind,
            level: level.code().to_owned(),
            name,
            host_uscc,
            host_name: rows.header.text(row, "host_name"),
            region_code: region.to_string(),
            recognised_on: recognised.to_string(),
            document_no: rows.header.text(row, "document_no"),
            revoked_on,
        });
    }
    out.problems = rows.problems;
    out.header = table.get(rows.header.index).cloned();
    out
}

/// Export headers: the first alias of each column, in import order, so exports re-import.
pub const ENTERPRISE_HEADERS: [&str; 10] = [
    "统一社会信用代码",
    "企业名称",
    "所属县区",
    "地址",
    "行业代码",
    "成立日期",
    "企业规模",
    "规上企业",
    "技术领域",
    "联系人",
];
pub const CERTIFICATE_HEADERS: [&str; 7] = [
    "证书类型",
    "证书编号",
    "统一社会信用代码",
    "产品名称",
    "发证日期",
    "批次",
    "撤销日期",
];
pub const PLATFORM_HEADERS: [&str; 9] = [
    "平台名称",
    "平台类型",
    "级别",
    "所属县区",
    "认定时间",
    "批准文号",
    "依托单位",
    "依托单位统一社会信用代码",
    "撤销日期",
];

pub fn enterprise_line(e: &EnterpriseRow) -> Vec<String> {
    vec![
        e.uscc.clone(),
        e.name.clone(),
        e.region_code.clone(),
        e.address.clone(),
        e.industry.clone(),
        e.registered_on.clone().unwrap_or_default(),
        e.size.clone(),
        if e.above_scale { "是" } else { "否" }.into(),
        e.hitech_field.clone(),
        e.contact.clone(),
    ]
}

pub fn certificate_line(c: &CertificateRow) -> Vec<String> {
    vec![
        CertificateKind::parse(&c.kind)
            .map(|k| k.name().to_owned())
            .unwrap_or_else(|| c.kind.clone()),
        c.number.clone(),
        c.uscc.clone(),
        c.title.clone(),
        c.issued_on.clone(),
        c.batch.clone(),
        c.revoked_on.clone().unwrap_or_default(),
    ]
}

/// `kind_name` gives a platform kind's Chinese name, which imports recognise.
pub fn platform_line(p: &PlatformRow, kind_name: &dyn Fn(&str) -> String) -> Vec<String> {
    vec![
        p.name.clone(),
        kind_name(&p.kind),
        Level::parse(&p.level)
            .map(|l| l.name().to_owned())
            .unwrap_or_else(|| p.level.clone()),
        p.region_code.clone(),
        p.recognised_on.clone(),
        p.document_no.clone(),
        p.host_name.clone(),
        p.host_uscc.clone().unwrap_or_default(),
        p.revoked_on.clone().unwrap_or_default(),
    ]
}

pub const FACT_HEADERS: [&str; 9] = [
    "统一社会信用代码",
    "年度",
    "营业收入",
    "研发费用",
    "从业人员",
    "科技人员",
    "有效发明专利",
    "高新技术产品收入",
    "是否有研发机构",
];

pub fn fact_line(f: &FactRow) -> Vec<String> {
    let n = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let i = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    vec![
        f.uscc.clone(),
        f.year.to_string(),
        n(f.revenue),
        n(f.rd_expenditure),
        i(f.employees),
        i(f.st_staff),
        i(f.invention_patents),
        n(f.hitech_product_revenue),
        f.has_rd_institution
            .map(|b| if b { "是" } else { "否" }.to_owned())
            .unwrap_or_default(),
    ]
}
