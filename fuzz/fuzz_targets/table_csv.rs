//! Any bytes as a CSV file a county sends: read within limits, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = kechuang_ingest::table::read_csv_bytes(data) {
        for r in &rows {
            assert!(r.cells.len() <= kechuang_ingest::limits::MAX_COLUMNS);
        }
    }
});
