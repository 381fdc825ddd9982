//! Patent lists as the intellectual-property office and patent agencies send them: one row a
//! patent, its holders as written, a county, a legal status. Parsed as the registries are
//! (part by part, duplicates across the whole file), so a province's list streams.

use crate::registries::{date_opt, region, start, uscc, Context, Parsed, REGION, USCC};
use crate::table::{locate_header, parse_date, Aliases, Header, Row};
use kechuang_domain::patent::{ApplicationNo, LegalStatus, PatentRow, PatentType};
use std::collections::{BTreeSet, HashMap};

pub const PATENT_ALIASES: &Aliases = &[
    (
        "application_no",
        &["申请号", "专利申请号", "专利号", "application_no"],
    ),
    ("title", &["专利名称", "发明名称", "发明创造名称", "title"]),
    ("type", &["专利类型", "专利类别", "类型", "type"]),
    ("filed_on", &["申请日", "申请日期", "filed_on"]),
    (
        "granted_on",
        &[
            "授权公告日",
            "授权日",
            "授权日期",
            "授权公告日期",
            "granted_on",
        ],
    ),
    (
        "holder",
        &[
            "专利权人",
            "专利权人（申请人）",
            "申请（专利权）人",
            "申请人",
            "权利人",
            "holder",
        ],
    ),
    ("uscc", USCC),
    ("region", REGION),
    ("status", &["法律状态", "专利状态", "状态", "status"]),
    (
        "lapsed_on",
        &["失效日期", "失效日", "终止日期", "lapsed_on"],
    ),
];

/// Export headers, in import order, so an export re-imports.
pub const PATENT_HEADERS: [&str; 10] = [
    "申请号",
    "专利名称",
    "专利类型",
    "申请日",
    "授权公告日",
    "专利权人",
    "统一社会信用代码",
    "所属县区",
    "法律状态",
    "失效日期",
];

/// An exported line; `region_name` gives the county's name for its code.
pub fn patent_line(p: &PatentRow, region_name: &dyn Fn(&str) -> String) -> Vec<String> {
    let status = if p.lapsed_on.is_some() {
        "失效"
    } else if p.granted_on.is_some() {
        "有效"
    } else {
        "审中"
    };
    let number = ApplicationNo::parse(&p.application_no)
        .map(|n| n.display())
        .unwrap_or_else(|_| p.application_no.clone());
    vec![
        number,
        p.title.clone(),
        PatentType::parse(&p.kind)
            .map(|t| t.name().to_owned())
            .unwrap_or_else(|| p.kind.clone()),
        p.filed_on.clone(),
        p.granted_on.clone().unwrap_or_default(),
        p.holder.clone(),
        p.uscc.clone().unwrap_or_default(),
        region_name(&p.region_code),
        status.to_owned(),
        p.lapsed_on.clone().unwrap_or_default(),
    ]
}

/// A holder's name as it is matched against the enterprise register: width folded (so
/// `（` and `(` agree), spaces dropped. Matching is otherwise exact.
pub fn name_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => kechuang_domain::text::fold_width(c),
        })
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

/// Registered enterprises by the names files give them (`name_key`), as a patent list or an
/// R&D sign-in sheet import holds them for its whole run: up to a million names. Each name is
/// kept as a fingerprint (`crate::fingerprint`) and each code inline: 40 bytes an entry
/// instead of two heap strings of about 130.
#[derive(Default)]
pub struct UsccByName {
    prints: crate::fingerprint::Fingerprinter,
    codes: HashMap<[u64; 2], Code>,
}

enum Code {
    Inline([u8; 18]),
    /// A code of another length, which no valid register holds: kept rather than lost.
    Other(Box<str>),
    /// Two enterprises bear the name: a holder of that name links to neither, since a guess
    /// would credit the wrong one.
    Ambiguous,
}

impl UsccByName {
    /// Notes a registered enterprise under a name key; a second code under the same name
    /// makes the name ambiguous for good.
    pub fn insert(&mut self, key: &str, uscc: &str) {
        let fp = self.prints.of(key);
        let code = match <[u8; 18]>::try_from(uscc.as_bytes()) {
            Ok(b) => Code::Inline(b),
            Err(_) => Code::Other(uscc.into()),
        };
        self.codes
            .entry(fp)
            .and_modify(|c| {
                if c.as_str() != Some(uscc) {
                    *c = Code::Ambiguous;
                }
            })
            .or_insert(code);
    }

    /// The one registered enterprise a name key belongs to.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.codes.get(&self.prints.of(key)).and_then(Code::as_str)
    }

    /// Names that link to one enterprise.
    pub fn len(&self) -> usize {
        self.codes.values().filter(|c| c.as_str().is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Code {
    fn as_str(&self) -> Option<&str> {
        match self {
            // Always UTF-8: the bytes were a whole `&str` when inserted.
            Self::Inline(b) => std::str::from_utf8(b).ok(),
            Self::Other(s) => Some(s),
            Self::Ambiguous => None,
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for UsccByName {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = Self::default();
        for (k, v) in iter {
            out.insert(k.as_ref(), v.as_ref());
        }
        out
    }
}

/// The holders a cell names: lists join co-holders with `;`, `；` or `、`.
pub fn holders(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', '；', '、'])
        .map(str::trim)
        .filter(|h| !h.is_empty())
}

/// Gathers the holder names some rows give (a part of a file, led by its header row), so the
/// importer looks up only those enterprises by name.
#[derive(Default)]
pub struct HolderNames {
    header: Option<Header>,
    pub names: BTreeSet<String>,
}

impl HolderNames {
    pub fn push(&mut self, row: &Row) {
        match &self.header {
            None => {
                if let Ok(h) =
                    locate_header(std::slice::from_ref(row), PATENT_ALIASES, "holder", &[])
                {
                    self.header = Some(h);
                }
            }
            Some(h) => {
                for name in holders(&h.text(row, "holder")) {
                    self.names.insert(name_key(name));
                }
            }
        }
    }
}

pub fn parse_patents(table: &[Row], ctx: &Context<'_>) -> Parsed {
    let mut out = Parsed::default();
    let mut rows = match start(
        table,
        PATENT_ALIASES,
        "application_no",
        &["application_no", "title", "filed_on", "holder"],
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
        let raw_no = rows.header.get(row, "application_no");
        let number = ApplicationNo::parse(&raw_no)
            .map_err(|e| {
                rows.problem(
                    row,
                    "application_no",
                    &raw_no,
                    kechuang_domain::problem::bilingual(&e),
                )
            })
            .ok();
        let title = rows.header.text(row, "title");
        if title.is_empty() {
            rows.problem(row, "title", "", "专利名称为空 (title is empty)");
        }
        let raw_type = rows.header.get(row, "type");
        let stated = number.as_ref().and_then(PatentType::of_number);
        let kind = if raw_type.is_empty() {
            stated
        } else {
            PatentType::parse(&raw_type)
        };
        match (kind, stated) {
            (None, _) => rows.problem(
                row,
                "type",
                &raw_type,
                "专利类型应为 发明、实用新型 或 外观设计 (type must be invention, utility model or design)",
            ),
            (Some(k), Some(s)) if k != s => rows.problem(
                row,
                "type",
                &raw_type,
                format!(
                    "申请号表明为{}专利，与专利类型不符 (the application number says {})",
                    s.name(),
                    s.name_en().to_lowercase()
                ),
            ),
            _ => {}
        }
        let raw_filed = rows.header.get(row, "filed_on");
        let filed = parse_date(&raw_filed);
        if filed.is_none() {
            rows.problem(
                row,
                "filed_on",
                &raw_filed,
                "无法识别的日期 (unrecognised date)",
            );
        }
        let granted = date_opt(&mut rows, row, "granted_on");
        let lapsed = date_opt(&mut rows, row, "lapsed_on");
        let raw_status = rows.header.get(row, "status");
        let status = if raw_status.is_empty() {
            None
        } else {
            let s = LegalStatus::parse(&raw_status);
            if s.is_none() {
                rows.problem(
                    row,
                    "status",
                    &raw_status,
                    "法律状态应为 有效、失效 或 审中 (status must be valid, lapsed or pending)",
                );
            }
            s
        };
        // The holder: the first of its holders registered as an enterprise, by the row's
        // code or else by exact name; one not registered stays unlinked and still counts in
        // its county.
        let holder = rows.header.text(row, "holder");
        if holder.is_empty() {
            rows.problem(row, "holder", "", "专利权人为空 (holder is empty)");
        }
        let raw_uscc = rows.header.get(row, "uscc");
        let by_code = if raw_uscc.is_empty() {
            None
        } else {
            match uscc(ctx, &raw_uscc) {
                Ok((u, _)) => Some(u.to_string()),
                Err(e) => {
                    rows.problem(row, "uscc", &raw_uscc, e);
                    None
                }
            }
        };
        let linked = by_code.filter(|u| ctx.known.contains_key(u)).or_else(|| {
            holders(&holder).find_map(|h| ctx.names.get(&name_key(h)).map(str::to_owned))
        });
        let raw_region = rows.header.get(row, "region");
        let region = if raw_region.is_empty() {
            let home = linked
                .as_ref()
                .and_then(|u| ctx.known.get(u))
                .map(str::to_owned);
            if home.is_none() {
                rows.problem(
                    row,
                    "region",
                    "",
                    "所属县区为空，且专利权人不是已登记企业 (no county, and the holder is no registered enterprise)",
                );
            }
            home
        } else {
            region(ctx, &raw_region)
                .map(|r| r.to_string())
                .map_err(|e| rows.problem(row, "region", &raw_region, e))
                .ok()
        };
        let (Some(number), Some(kind), Some(filed), Some(granted), Some(lapsed), Some(region)) =
            (number, kind, filed, granted, lapsed, region)
        else {
            continue;
        };
        // The dates must tell one story: filed, then granted, then lapsed; and the status,
        // where given, must agree with them.
        if let Some(g) = &granted {
            if g.as_str() < filed.to_string().as_str() {
                rows.problem(
                    row,
                    "granted_on",
                    g,
                    format!("授权公告日早于申请日 {filed} (granted before it was filed)"),
                );
            }
        }
        if let Some(l) = &lapsed {
            let from = granted.clone().unwrap_or_else(|| filed.to_string());
            if *l < from {
                rows.problem(
                    row,
                    "lapsed_on",
                    l,
                    format!("失效日期早于 {from} (lapsed before it was granted or filed)"),
                );
            }
        }
        match status {
            Some(LegalStatus::Lapsed) if lapsed.is_none() => rows.problem(
                row,
                "lapsed_on",
                "",
                "法律状态为失效，须填写失效日期，否则无法判断某日是否有效 (a lapsed patent needs its lapse date)",
            ),
            Some(LegalStatus::Valid) if lapsed.is_some() => rows.problem(
                row,
                "status",
                &raw_status,
                "法律状态为有效，但填写了失效日期 (valid, yet a lapse date is given)",
            ),
            Some(LegalStatus::Valid) if granted.is_none() => rows.problem(
                row,
                "granted_on",
                "",
                "法律状态为有效，须填写授权公告日 (a valid patent needs its grant date)",
            ),
            Some(LegalStatus::Pending) if granted.is_some() => rows.problem(
                row,
                "status",
                &raw_status,
                "法律状态为审中，但填写了授权公告日 (pending, yet a grant date is given)",
            ),
            _ => {}
        }
        if rows.problems.len() > before {
            continue;
        }
        if let Some(first) = ctx.state.first_seen(number.as_str(), row.number) {
            rows.problem(
                row,
                "application_no",
                &raw_no,
                format!("与第{first}行重复 (duplicates row {first})"),
            );
            continue;
        }
        out.batch.patents.push(PatentRow {
            application_no: number.as_str().to_owned(),
            title,
            kind: kind.code().to_owned(),
            filed_on: filed.to_string(),
            granted_on: granted,
            holder,
            uscc: linked,
            region_code: region,
            lapsed_on: lapsed,
        });
    }
    out.problems = rows.problems;
    out.header = table.get(rows.header.index).cloned();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registries::FileState;
    use kechuang_domain::patent::check_char;
    use kechuang_domain::region::{shipped_regions, RegionTree};
    use kechuang_domain::RegionCode;
    use std::collections::HashMap;

    fn table(csv: &str) -> Vec<Row> {
        crate::table::read_csv_bytes(csv.as_bytes()).expect("csv")
    }

    fn no(digits: &str) -> String {
        format!("{digits}.{}", check_char(digits))
    }

    fn parse(
        csv: &str,
        known: &HashMap<String, String>,
        names: &HashMap<String, String>,
    ) -> Parsed {
        let tree = RegionTree::new(shipped_regions());
        let home = RegionCode::parse("440200").expect("code");
        let state = FileState::default();
        let known = known.iter().collect();
        let names = names.iter().collect();
        let ctx = Context {
            tree: &tree,
            home: &home,
            known: &known,
            platform_kinds: &[],
            accept_legacy_as: None,
            default_kind: None,
            state: &state,
            names: &names,
        };
        parse_patents(&table(csv), &ctx)
    }

    #[test]
    fn a_name_two_enterprises_bear_links_to_neither() {
        let mut names: UsccByName = [
            (name_key("韶关市甲科技有限公司"), "914402040000000190"),
            (name_key("韶关市乙（集团）有限公司"), "91440204000000027T"),
            (name_key("韶关市甲科技有限公司"), "914402040000000190"),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            names.get(&name_key("韶关市甲科技有限公司")),
            Some("914402040000000190")
        );
        assert_eq!(
            names.get(&name_key("韶关市乙(集团)有限公司")),
            Some("91440204000000027T")
        );
        assert_eq!(names.get(&name_key("韶关市丙科技有限公司")), None);
        assert_eq!(names.len(), 2);
        names.insert(&name_key("韶关市甲科技有限公司"), "91440203MA4UJ0XJ0D");
        assert_eq!(names.get(&name_key("韶关市甲科技有限公司")), None);
        names.insert(&name_key("韶关市甲科技有限公司"), "914402040000000190");
        assert_eq!(
            names.get(&name_key("韶关市甲科技有限公司")),
            None,
            "ambiguous for good"
        );
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn holders_link_by_code_else_by_name_and_the_rest_stay_in_their_county() {
        let uscc = "914402040000000190";
        let known = HashMap::from([(uscc.to_owned(), "440204".to_owned())]);
        let names = HashMap::from([(name_key("韶关市甲科技有限公司"), uscc.to_owned())]);
        let csv = format!(
            "广东省韶关市专利授权清单（2019年）\n\
             申请号,专利名称,专利类型,申请日,授权公告日,专利权人,统一社会信用代码,所属县区,法律状态,失效日期\n\
             ZL{},一种钨合金,发明,2017-03-01,2019/5/10,韶关市甲科技有限公司,,,有效,\n\
             {},一种刀具,发明专利,2017年3月1日,2019-06-01,韶关学院；韶关市甲科技有限公司,,浈江区,有效,\n\
             {},一种夹具,实用新型,20180101,20180801,张三,,乐昌市,失效,2020-01-01\n",
            no("201710000001"),
            no("201710000002"),
            no("201820000003"),
        );
        let p = parse(&csv, &known, &names);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let got = &p.batch.patents;
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].uscc.as_deref(), Some(uscc), "by name");
        assert_eq!(got[0].region_code, "440204", "the enterprise's county");
        assert_eq!(got[0].granted_on.as_deref(), Some("2019-05-10"));
        assert_eq!(
            got[1].uscc.as_deref(),
            Some(uscc),
            "the co-holder that is registered"
        );
        assert_eq!(got[1].region_code, "440204");
        assert_eq!(got[2].uscc, None);
        assert_eq!(got[2].kind, "utility_model");
        assert_eq!(got[2].region_code, "440281");
        assert_eq!(got[2].lapsed_on.as_deref(), Some("2020-01-01"));
    }

    #[test]
    fn a_bad_row_is_refused_with_its_column_and_why() {
        let csv = format!(
            "申请号,专利名称,专利类型,申请日,授权公告日,专利权人,所属县区,法律状态,失效日期\n\
             201710000001.0,一种钨合金,发明,2017-03-01,2019-05-10,某大学,武江区,有效,\n\
             {},一种刀具,实用新型,2017-03-01,2019-05-10,某大学,武江区,有效,\n\
             {},一种夹具,发明,2018-01-01,2017-08-01,某大学,武江区,有效,\n\
             {},一种钻头,发明,2018-01-01,2018-08-01,某大学,武江区,失效,\n\
             {},一种钻头,发明,2018-01-01,2018-08-01,某大学,,有效,\n\
             {},一种钻头,发明,2018-01-01,2018-08-01,某大学,武江区,有效,\n\
             {},一种钻头,发明,2018-01-01,2018-08-01,某大学,武江区,有效,\n",
            no("201710000002"),
            no("201710000003"),
            no("201710000004"),
            no("201710000005"),
            no("201710000006"),
            no("201710000006"),
        );
        let p = parse(&csv, &HashMap::new(), &HashMap::new());
        let at = |row: usize| {
            p.problems
                .iter()
                .find(|x| x.row == row)
                .map(|x| (x.column.clone(), x.problem.clone()))
                .unwrap_or_default()
        };
        assert_eq!(at(2).0, "申请号");
        assert!(at(2).1.contains("校验位应为"), "{}", at(2).1);
        assert_eq!(at(3).0, "专利类型", "the number says invention");
        assert_eq!(at(4).0, "授权公告日");
        assert_eq!(at(5).0, "失效日期");
        assert_eq!(at(6).0, "所属县区");
        assert!(at(7).1.is_empty(), "a good row");
        assert!(at(8).1.contains("第7行"), "{}", at(8).1);
        assert_eq!(p.batch.patents.len(), 1);
    }

    #[test]
    fn holder_names_are_gathered_below_the_header() {
        let rows = table(
            "专利清单\n申请号,专利名称,专利权人\n1,甲,韶关市甲有限公司（分厂）;张三\n2,乙, 韶关市乙有限公司 \n",
        );
        let mut names = HolderNames::default();
        for r in &rows {
            names.push(r);
        }
        let got: Vec<&str> = names.names.iter().map(String::as_str).collect();
        assert_eq!(got, ["张三", "韶关市乙有限公司", "韶关市甲有限公司(分厂)"]);
    }
}
