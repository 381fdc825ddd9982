//! A spreadsheet or CSV file as rows of text cells, whatever it was saved as.

use crate::IngestError;
use calamine::{open_workbook_auto, Data, Reader};
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
            read_csv_bytes(&bytes).map_err(read_err)
        }
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            let mut wb = open_workbook_auto(path).map_err(|e| read_err(e.to_string()))?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| read_err("工作簿没有工作表 (no worksheet)".into()))?
                .map_err(|e| read_err(e.to_string()))?;
            // Leading empty rows are not part of the range; keep Excel's numbering anyway.
            let first = range.start().map(|(r, _)| r as usize).unwrap_or(0);
            Ok(range
                .rows()
                .enumerate()
                .map(|(i, cells)| Row {
                    number: first + i + 1,
                    cells: cells.iter().map(cell_text).collect(),
                })
                .collect())
        }
        other => Err(IngestError::UnsupportedType(other.to_owned())),
    }
}

/// CSV as saved by Excel in China is often GBK (GB18030) rather than UTF-8.
pub fn read_csv_bytes(bytes: &[u8]) -> Result<Vec<Row>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err("文件既不是 UTF-8 也不是 GBK 编码 (neither UTF-8 nor GBK)".into());
            }
            decoded
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let number = rec
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(rows.len() + 1);
        rows.push(Row {
            number,
            cells: rec.iter().map(str::to_owned).collect(),
        });
    }
    Ok(rows)
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
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| dt.as_f64().to_string()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Folds what Excel users type into what the parsers expect: full-width digits and letters,
/// ideographic spaces, stray whitespace.
pub fn normalise(s: &str) -> String {
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
    fn gbk_csv_is_decoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode("指标代码,数值\ngdp,1\n");
        let rows = read_csv_bytes(&bytes).expect("decodes");
        assert_eq!(rows[0].cells, vec!["指标代码", "数值"]);
        assert_eq!(rows[1].number, 2);
    }

    #[test]
    fn bom_is_dropped_and_full_width_folded() {
        let rows = read_csv_bytes("\u{FEFF}a,b\n".as_bytes()).expect("decodes");
        assert_eq!(rows[0].cells[0], "a");
        assert_eq!(normalise("　４４０２０３ "), "440203");
    }
}
