//! Any text as a plan file: loaded or refused with its line numbers, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static TREE: OnceLock<kechuang_domain::region::RegionTree> = OnceLock::new();
    let tree = TREE.get_or_init(|| {
        kechuang_domain::region::RegionTree::new(kechuang_domain::region::guangdong_regions())
    });
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = kechuang_domain::plan::parse_plan(s, tree);
    }
});
