//! A spreadsheet or CSV file as rows of text cells, whatever it was saved as.

use crate::{IngestError, RowError};
use calamine::{open_workbook_auto, Data, Dimensions, Reader, Sheets};
use kechuang_domain::problem::Problem;
use std::path::Path;

/// A row of cells with the row number the officer sees in the original file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

pub fn read_table(path: &Path) -> Result<Vec<Row>, IngestError> {
    let source = RowSource::open(path)?;
    source
        .rows()
        .collect::<Result<Vec<Row>, RowError>>()
        .map_err(|e| IngestError::Read {
            path: path.display().to_string(),
            reason: e.message(kechuang_domain::problem::Lang::Zh),
        })
}

/// A file's rows, produced as they are asked for where the format allows: CSV text is decoded
/// once and split into rows lazily, so a million-row list never exists as a million rows of
/// strings at once; a spreadsheet's sheet is read whole (the reader holds it anyway).
pub enum RowSource {
    Csv(String),
    Sheet(Vec<Row>),
}

impl RowSource {
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let read_err = |reason: String| IngestError::Read {
            path: path.display().to_string(),
            reason,
        };
        match ext.as_str() {
            "csv" | "txt" => {
                let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
                Ok(Self::Csv(decode_csv(bytes).map_err(read_err)?))
            }
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
                let mut wb = open_workbook_auto(path).map_err(|e| read_err(e.to_string()))?;
                let range = wb
                    .worksheet_range_at(0)
                    .ok_or_else(|| read_err("工作簿没有工作表 (no worksheet)".into()))?
                    .map_err(|e| read_err(e.to_string()))?;
                let merged = merged_regions(&mut wb).map_err(read_err)?;
                Ok(Self::Sheet(sheet_rows(&range, &merged)))
            }
            other => Err(IngestError::UnsupportedType {
                name: other.to_owned(),
            }),
        }
    }

    pub fn rows(&self) -> Box<dyn Iterator<Item = Result<Row, RowError>> + Send + '_> {
        match self {
            Self::Sheet(rows) => Box::new(rows.iter().cloned().map(Ok)),
            Self::Csv(text) => Box::new(csv_rows(text)),
        }
    }
}

/// CSV as saved by Excel in China is often GBK (GB18030) rather than UTF-8.
fn decode_csv(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // UTF-8 is taken as it is, without a copy: a province's list is over 100 MB.
    String::from_utf8(bytes).or_else(|e| {
        let (decoded, _, had_errors) = encoding_rs::GB18030.decode(e.as_bytes());
        if had_errors {
            return Err("文件既不是 UTF-8 也不是 GBK 编码 (neither UTF-8 nor GBK)".into());
        }
        Ok(decoded.into_owned())
    })
}

fn csv_rows(text: &str) -> impl Iterator<Item = Result<Row, RowError>> + Send + '_ {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.map_err(|e| RowError::Malformed {
                row: e.position().map_or(i + 1, |p| p.line() as usize),
                reason: e.to_string(),
            })?;
            let number = rec.position().map(|p| p.line() as usize).unwrap_or(i + 1);
            Ok(Row {
                number,
                cells: rec.iter().map(str::to_owned).collect(),
            })
        })
}

/// The merged areas of the first sheet. Only XLSX and XLS record them in a way calamine reads.
fn merged_regions<RS: std::io::Read + std::io::Seek>(
    wb: &mut Sheets<RS>,
) -> Result<Vec<Dimensions>, String> {
    match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_id(0).map_err(|e| e.to_string()),
        Sheets::Xls(x) => x.merge_cells_by_sheet_id(0).map_err(|e| e.to_string()),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Ok(Vec::new()),
    }
}

/// Rows of a sheet as text, numbered as Excel numbers them. A merged area holds its value only
/// in its top-left cell; county lists merge 所属县区 over all of a county's rows, so every cell
/// of the area gets that value, as the officer reading the sheet sees it.
fn sheet_rows(range: &calamine::Range<Data>, merged: &[Dimensions]) -> Vec<Row> {
    // Leading empty rows are not part of the range; keep Excel's numbering anyway.
    let (first_row, first_col) = range
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap_or((0, 0));
    let mut rows: Vec<Row> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| Row {
            number: first_row + i + 1,
            cells: cells.iter().map(cell_text).collect(),
        })
        .collect();
    for area in merged {
        let (top, left) = (area.start.0 as usize, area.start.1 as usize);
        let (bottom, right) = (area.end.0 as usize, area.end.1 as usize);
        let Some(value) = top
            .checked_sub(first_row)
            .zip(left.checked_sub(first_col))
            .and_then(|(r, c)| rows.get(r)?.cells.get(c).cloned())
        else {
            continue;
        };
        for r in top..=bottom {
            let Some(row) = r.checked_sub(first_row).and_then(|r| rows.get_mut(r)) else {
                continue;
            };
            for c in left..=right {
                if let Some(cell) = c.checked_sub(first_col).and_then(|c| row.cells.get_mut(c)) {
                    cell.clone_from(&value);
                }
            }
        }
    }
    rows
}

/// A CSV file's bytes as rows (UTF-8 with or without BOM, or GBK).
pub fn read_csv_bytes(bytes: &[u8]) -> Result<Vec<Row>, IngestError> {
    let unreadable = |reason| IngestError::Read {
        path: String::new(),
        reason,
    };
    let text = decode_csv(bytes.to_vec()).map_err(unreadable)?;
    csv_rows(&text)
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(e.message(kechuang_domain::problem::Lang::Zh)))
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Integral floats are how Excel stores "2018" or a count: print them without ".0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_else(|| dt.as_f64().to_string()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Folds what Excel users type into what the parsers expect: full-width digits and letters,
/// ideographic spaces, stray whitespace.
pub fn normalise(s: &str) -> String {
    // Most cells are plain ASCII, which has nothing to fold.
    if s.is_ascii() {
        return s.trim().to_owned();
    }
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_cell_reads_as_its_date() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        // 43432 is Excel's serial for 28 November 2018.
        let cell = Data::DateTime(ExcelDateTime::new(
            43432.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(cell_text(&cell), "2018-11-28");
    }

    #[test]
    fn gbk_csv_is_decoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode("指标代码,数值\ngdp,1\n");
        let rows = read_csv_bytes(&bytes).expect("decodes");
        assert_eq!(rows[0].cells, vec!["指标代码", "数值"]);
        assert_eq!(rows[1].number, 2);
    }

    #[test]
    fn merged_cells_are_filled_across_their_area() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("merged.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let plain = rust_xlsxwriter::Format::new();
        // A title merged over the columns, then 所属县区 merged down a county's rows.
        sheet
            .merge_range(0, 0, 0, 2, "韶关市高新技术企业名单", &plain)
            .expect("title");
        for (c, h) in ["所属县区", "企业名称", "证书编号"].iter().enumerate() {
            sheet.write(1, c as u16, *h).expect("header");
        }
        sheet
            .merge_range(2, 0, 4, 0, "武江区", &plain)
            .expect("merge");
        for r in 2..5u32 {
            sheet.write(r, 1, format!("企业{r}")).expect("name");
        }
        sheet.write(5, 0, "浈江区").expect("county");
        book.save(&path).expect("save");

        let rows = read_table(&path).expect("reads");
        let county: Vec<&str> = rows.iter().map(|r| r.cells[0].as_str()).collect();
        assert_eq!(
            county,
            [
                "韶关市高新技术企业名单",
                "所属县区",
                "武江区",
                "武江区",
                "武江区",
                "浈江区"
            ]
        );
        assert_eq!(rows[0].cells[2], "韶关市高新技术企业名单");
        assert_eq!(rows[4].number, 5);
        assert_eq!(rows[4].cells[1], "企业4");
    }

    #[test]
    fn bom_is_dropped_and_full_width_folded() {
        let rows = read_csv_bytes("\u{FEFF}a,b\n".as_bytes()).expect("decodes");
        assert_eq!(rows[0].cells[0], "a");
        assert_eq!(normalise("　４４０２０３ "), "440203");
    }
}

/// Column aliases: a key and the headers (Chinese first) that name it.
pub type Aliases = [(&'static str, &'static [&'static str])];

/// Where the header row is and which column holds each key.
#[derive(Debug)]
pub struct Header {
    /// Index in the table of the header row; data starts below it.
    pub index: usize,
    /// (key, column index) of each column found: a handful, so a scan beats hashing the key
    /// for every cell of a million-row list.
    columns: Vec<(&'static str, usize)>,
}

impl Header {
    fn cell<'r>(&self, row: &'r Row, key: &str) -> &'r str {
        self.columns
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, i)| row.cells.get(*i))
            .map_or("", String::as_str)
    }

    /// A row's cell for a key, folded for parsing: full-width forms to ASCII, trimmed
    /// ('' when the column is absent or the cell empty). For codes, numbers, dates, kinds.
    pub fn get(&self, row: &Row, key: &str) -> String {
        normalise(self.cell(row, key))
    }

    /// A row's cell as text people wrote it, only trimmed: names keep their （） and ，.
    pub fn text(&self, row: &Row, key: &str) -> String {
        let cell = self.cell(row, key);
        if cell.contains('\u{3000}') {
            cell.replace('\u{3000}', " ").trim().to_owned()
        } else {
            cell.trim().to_owned()
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.columns.iter().any(|(k, _)| *k == key)
    }
}

/// The display name of a key: its first (Chinese) alias.
pub fn column_name(aliases: &Aliases, key: &str) -> &'static str {
    aliases
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n[0])
        .unwrap_or("")
}

fn header_key(aliases: &Aliases, cell: &str) -> Option<&'static str> {
    let c = normalise(cell).to_lowercase().replace([' ', '\n', '*'], "");
    aliases
        .iter()
        .find(|(_, names)| names.iter().any(|n| n.to_lowercase() == c))
        .map(|(key, _)| *key)
}

/// Finds the header row — the first row naming the `anchor` column, so title rows above it
/// are skipped — and checks the required columns are there.
pub fn locate_header(
    table: &[Row],
    aliases: &Aliases,
    anchor: &str,
    required: &[&str],
) -> Result<Header, Vec<crate::RowProblem>> {
    let Some(index) = table.iter().position(|r| {
        r.cells
            .iter()
            .any(|c| header_key(aliases, c) == Some(anchor))
    }) else {
        let names: Vec<&str> = required.iter().map(|k| column_name(aliases, k)).collect();
        return Err(vec![crate::RowProblem {
            row: table.first().map(|r| r.number).unwrap_or(1),
            column: String::new(),
            value: String::new(),
            problem: format!(
                "找不到表头：需要 {} 列 (no header row with the required columns)",
                names.join("、")
            ),
        }]);
    };
    let row = &table[index];
    let mut header = Header {
        index,
        columns: Vec::new(),
    };
    let mut problems = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if let Some(k) = header_key(aliases, cell) {
            if header.has(k) {
                problems.push(crate::RowProblem {
                    row: row.number,
                    column: cell.clone(),
                    value: cell.clone(),
                    problem: "列名重复 (duplicate column)".into(),
                });
            } else {
                header.columns.push((k, i));
            }
        }
    }
    for key in required {
        if !header.has(key) {
            let name = column_name(aliases, key);
            problems.push(crate::RowProblem {
                row: row.number,
                column: name.into(),
                value: String::new(),
                problem: format!("缺少必需的列 {name} (missing required column {key})"),
            });
        }
    }
    if problems.is_empty() {
        Ok(header)
    } else {
        Err(problems)
    }
}

/// `YYYY-MM-DD`, the form exports and most lists use, read without the general parser.
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)
}

/// Dates as they appear in lists: 2018-11-28, 2018/11/28, 2018.11.28, 2018年11月28日,
/// 20181128, or an Excel serial number (a date cell stored as a number).
pub fn parse_date(raw: &str) -> Option<chrono::NaiveDate> {
    use chrono::NaiveDate;
    if let Some(d) = iso_date(raw.trim()) {
        return Some(d);
    }
    let s = normalise(raw);
    if s.is_empty() {
        return None;
    }
    let unified: String = s
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    if let Ok(d) = NaiveDate::parse_from_str(&unified, "%Y-%m-%d") {
        return Some(d);
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&s, "%Y%m%d").ok();
    }
    // Excel's day count from 1899-12-30, for dates from about 1955 to 2118.
    match s.parse::<f64>() {
        Ok(n) if (20_000.0..80_000.0).contains(&n) => NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(n.trunc() as u64))),
        _ => None,
    }
}

#[cfg(test)]
mod date_tests {
    use super::parse_date;
    use chrono::{Datelike, NaiveDate};

    #[test]
    fn every_date_form_of_the_lists() {
        let d = NaiveDate::from_ymd_opt(2018, 11, 28);
        for s in [
            "2018-11-28",
            "2018/11/28",
            "2018.11.28",
            "2018年11月28日",
            "20181128",
            "43432",
            "２０１８.１１.２８",
            "2018-11-28 00:00:00",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("2018.2.3"), NaiveDate::from_ymd_opt(2018, 2, 3));
        for bad in [
            "",
            "2018-02-30",
            "明年",
            "12345",
            "2018-13-01",
            "20a8-11-28",
            "2018-1x-28",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    /// The shortcut for `YYYY-MM-DD` reads every day as the general parser does.
    #[test]
    fn iso_dates_read_as_the_general_parser_reads_them() {
        let mut d = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date");
        while d.year() < 2031 {
            let s = d.format("%Y-%m-%d").to_string();
            assert_eq!(super::iso_date(&s), Some(d), "{s}");
            assert_eq!(
                NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok(),
                super::iso_date(&s)
            );
            d = d.succ_opt().expect("next day");
        }
    }
}
