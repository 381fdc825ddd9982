//! The observations file: indicator code, region code, period, value, source (and note), with
//! English or Chinese headers.

use crate::table::{column_name, locate_header, read_table, Row};
use crate::{IngestError, RowProblem};
use kechuang_domain::indicator::{Indicator, IndicatorKind};
use kechuang_domain::problem::bilingual;
use kechuang_domain::region::RegionTree;
use kechuang_domain::{Period, RegionCode};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Column headers as written on export; the first alias of each column.
pub const HEADERS: [&str; 6] = ["指标代码", "区划代码", "期间", "数值", "来源", "备注"];

const ALIASES: [(&str, &[&str]); 6] = [
    (
        "indicator",
        &["指标代码", "indicator", "indicator_code", "指标"],
    ),
    (
        "region",
        &["区划代码", "region", "region_code", "行政区划代码"],
    ),
    ("period", &["期间", "period", "统计期间", "年份"]),
    ("value", &["数值", "value", "值"]),
    ("source", &["来源", "source", "数据来源"]),
    ("note", &["备注", "note", "说明"]),
];

#[derive(Debug, Clone, PartialEq)]
pub struct ObservationRow {
    pub row: usize,
    pub indicator: String,
    pub region: RegionCode,
    pub period: Period,
    pub value: f64,
    pub source: String,
    pub note: String,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<ObservationRow>,
    pub problems: Vec<RowProblem>,
}

pub fn read_observations(path: &Path) -> Result<Parsed, IngestError> {
    Ok(parse_observations(&read_table(path)?))
}

/// Maps the header row (the first row naming the indicator column, so title rows above it are
/// skipped) and parses every row below it.
pub fn parse_observations(table: &[Row]) -> Parsed {
    let mut out = Parsed::default();
    let header = match locate_header(table, &ALIASES, "indicator", &["region", "period", "value"]) {
        Ok(h) => h,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    let col_name = |k: &str| column_name(&ALIASES, k);
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    for row in &table[header.index + 1..] {
        if row.is_blank() {
            continue;
        }
        let get = |k: &str| header.get(row, k);
        let mut problem = |k: &str, value: String, p: String| {
            out.problems.push(RowProblem {
                row: row.number,
                column: col_name(k).into(),
                value,
                problem: p,
            });
        };
        let indicator = get("indicator");
        if indicator.is_empty() {
            problem(
                "indicator",
                indicator.clone(),
                "指标代码为空 (indicator code is empty)".into(),
            );
        }
        let region = RegionCode::parse(&get("region"))
            .map_err(|e| problem("region", get("region"), bilingual(&e)))
            .ok();
        let period = Period::parse(&get("period"))
            .map_err(|e| problem("period", get("period"), bilingual(&e)))
            .ok();
        let raw_value = get("value");
        let value = match raw_value.replace([',', '，'], "").parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ if raw_value.is_empty() => {
                problem(
                    "value",
                    raw_value.clone(),
                    "数值为空 (value is empty)".into(),
                );
                None
            }
            _ => {
                problem("value", raw_value.clone(), "不是数字 (not a number)".into());
                None
            }
        };
        let (Some(region), Some(period), Some(value)) = (region, period, value) else {
            continue;
        };
        if indicator.is_empty() {
            continue;
        }
        let key = (indicator.clone(), region.to_string(), period.to_string());
        if let Some(first) = seen.insert(key, row.number) {
            problem(
                "period",
                period.to_string(),
                format!("与第{first}行重复：同一指标、区划和期间只能有一个数值 (duplicates row {first})"),
            );
            continue;
        }
        out.rows.push(ObservationRow {
            row: row.number,
            indicator,
            region,
            period,
            value,
            source: header.text(row, "source"),
            note: header.text(row, "note"),
        });
    }
    out
}

/// Checks rows against what exists: a known indicator that takes observations, a known
/// region. Derived indicators (formulas) are computed, never imported.
pub fn check_references(
    rows: &[ObservationRow],
    indicators: &HashMap<String, Indicator>,
    regions: &RegionTree,
) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    let mut reported: HashSet<(usize, &str)> = HashSet::new();
    for r in rows {
        match indicators.get(&r.indicator).map(|i| &i.kind) {
            None => problems.push(RowProblem {
                row: r.row,
                column: HEADERS[0].into(),
                value: r.indicator.clone(),
                problem: "未知的指标代码 (unknown indicator code)".into(),
            }),
            Some(IndicatorKind::Formula(f)) => problems.push(RowProblem {
                row: r.row,
                column: HEADERS[0].into(),
                value: r.indicator.clone(),
                problem: format!(
                    "该指标由公式 {f} 计算，请导入其组成指标 (computed by formula; import its inputs instead)"
                ),
            }),
            Some(IndicatorKind::RegistryCount(_)) => problems.push(RowProblem {
                row: r.row,
                column: HEADERS[0].into(),
                value: r.indicator.clone(),
                problem: "该指标由登记库自动计数，不能导入 (counted from registries; cannot be imported)".into(),
            }),
            Some(IndicatorKind::Ledger(_)) => problems.push(RowProblem {
                row: r.row,
                column: HEADERS[0].into(),
                value: r.indicator.clone(),
                problem: "该指标由资金台账计算，不能导入 (summed from the funding ledger; cannot be imported)".into(),
            }),
            // Finance figures come from their records once those begin; observations keep the
            // years before (the plan's baseline), so they may be imported.
            Some(IndicatorKind::Manual { .. } | IndicatorKind::Records(_)) => {}
        }
        if regions.get(&r.region).is_none() && reported.insert((r.row, "region")) {
            problems.push(RowProblem {
                row: r.row,
                column: HEADERS[1].into(),
                value: r.region.to_string(),
                problem: "未知的区划代码 (unknown region code)".into(),
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv_bytes;

    fn parse(csv: &str) -> Parsed {
        parse_observations(&read_csv_bytes(csv.as_bytes()).expect("csv"))
    }

    #[test]
    fn chinese_headers_under_a_title_row() {
        let p = parse("韶关市2018年统计数据,,,\n指标代码,区划代码,期间,数值,来源\ngdp,440203,2018,\"1,234.5\",统计年鉴\n,,,,\n");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].row, 3);
        assert_eq!(p.rows[0].value, 1234.5);
        assert_eq!(p.rows[0].source, "统计年鉴");
    }

    #[test]
    fn every_bad_cell_is_reported_with_row_and_column() {
        let p = parse("indicator,region,period,value,source\ngdp,44020,2018,1,x\ngdp,440203,2018Q5,abc,x\ngdp,440203,2018,,x\n");
        let found: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|x| (x.row, x.column.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![(2, "区划代码"), (3, "期间"), (3, "数值"), (4, "数值")]
        );
        assert!(p.rows.is_empty());
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let p = parse("indicator,region,period,value\ngdp,440203,2018,1\ngdp,440203,2018,2\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].row, 3);
    }

    #[test]
    fn missing_columns_are_named() {
        let p = parse("indicator,region,value\ngdp,440203,1\n");
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].problem.contains("期间"));
    }
}
