//! Any text as a region code or a county's name in a file: found inside Guangdong, or refused.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static TREE: OnceLock<kechuang_domain::region::RegionTree> = OnceLock::new();
    let tree = TREE.get_or_init(|| {
        kechuang_domain::region::RegionTree::new(kechuang_domain::region::guangdong_regions())
    });
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = kechuang_domain::RegionCode::parse(s);
        if let Some(root) = tree.root() {
            if let Ok(found) = tree.find_by_name(s, &root.code) {
                assert!(tree.get(&found).is_some());
            }
        }
    }
});
