//! Any text as a programme's eligibility and amount rules: compiled and tried, or refused
//! with a reason, never a panic or a hang.
#![no_main]
use kechuang_domain::programme::{OncePer, Programme, ProgrammeKind, Rules};
use kechuang_domain::registry::CertificateKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (eligibility, amount) = s.split_once('\n').unwrap_or((s, "wan(30)"));
    let p = Programme {
        code: "fuzz".into(),
        name: "fuzz".into(),
        name_en: String::new(),
        kind: ProgrammeKind::Reward,
        basis: String::new(),
        measure: None,
        from_year: 2018,
        to_year: None,
        event: Some(CertificateKind::Hte),
        once_per: OncePer::Enterprise,
        eligibility: eligibility.to_owned(),
        amount: amount.to_owned(),
        priority: None,
        notice_days: 7,
        description: String::new(),
        form: None,
    };
    let _ = Rules::compile(&p);
});
