//! Writing observations in the import format, so an export re-imports unchanged.

use crate::observations::HEADERS;
use crate::IngestError;
use rust_xlsxwriter::Workbook;
use std::path::Path;

/// One exported line: indicator, region, period, value, source, note.
pub type Line = [String; 6];

pub fn write_csv(out: &mut dyn std::io::Write, lines: &[Line]) -> Result<(), IngestError> {
    let err = |e: &dyn std::fmt::Display| IngestError::Write {
        path: "-".into(),
        reason: e.to_string(),
    };
    // A BOM makes Excel in China open the UTF-8 file with the right encoding.
    out.write_all(b"\xEF\xBB\xBF").map_err(|e| err(&e))?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADERS).map_err(|e| err(&e))?;
    for l in lines {
        w.write_record(l).map_err(|e| err(&e))?;
    }
    w.flush().map_err(|e| err(&e))?;
    Ok(())
}

pub fn write_xlsx(path: &Path, lines: &[Line]) -> Result<(), IngestError> {
    let err = |e: &dyn std::fmt::Display| IngestError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("观测值").map_err(|e| err(&e))?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).map_err(|e| err(&e))?;
    }
    for (r, l) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, cell) in l.iter().enumerate() {
            // Values as numbers so Excel can sum them; codes and periods stay text so
            // "440203" and "2018" are not reformatted.
            match (c, cell.parse::<f64>()) {
                (3, Ok(v)) => ws.write_number(row, c as u16, v),
                _ => ws.write_string(row, c as u16, cell),
            }
            .map_err(|e| err(&e))?;
        }
    }
    ws.set_column_width(0, 24).map_err(|e| err(&e))?;
    ws.set_column_width(4, 24).map_err(|e| err(&e))?;
    wb.save(path).map_err(|e| err(&e))?;
    Ok(())
}
