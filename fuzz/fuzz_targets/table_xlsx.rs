//! Any bytes as a spreadsheet (.xlsx, then .xls): refused or read within limits, never a
//! panic, an abort or an allocation the size the file declares.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    for ext in ["xlsx", "xls"] {
        let Ok(mut f) = tempfile::Builder::new().suffix(&format!(".{ext}")).tempfile() else {
            return;
        };
        if f.write_all(data).is_err() {
            return;
        }
        if let Ok(rows) = kechuang_ingest::table::read_table(f.path()) {
            for r in &rows {
                assert!(r.cells.len() <= kechuang_ingest::limits::MAX_COLUMNS);
            }
        }
    }
});
