//! Any text as an amount of money: parsed exactly or refused; what parses prints back to the
//! same amount.
#![no_main]
use kechuang_domain::money::{Fen, MoneyUnit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        for unit in [MoneyUnit::Yuan, MoneyUnit::Wan, MoneyUnit::Yi] {
            if let Ok(f) = Fen::parse_in(s, unit) {
                if f.0 >= 0 {
                    assert_eq!(Fen::parse(&format!("{}元", f.plain_text())), Ok(f));
                }
            }
        }
    }
});
