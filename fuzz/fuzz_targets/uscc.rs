//! Any text as a unified social credit code: parsed or refused, and what parses is 18
//! characters whose check character holds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(u) = kechuang_domain::uscc::Uscc::parse(s) {
            assert_eq!(u.as_str().len(), 18);
            assert_eq!(kechuang_domain::uscc::Uscc::parse(u.as_str()).ok(), Some(u));
        }
    }
});
