//! `kechuang bench`: figures for the speed and memory goals, printed, never asserted.
//!
//! It generates a synthetic list (valid USCCs, Shaoguan counties, a third of them holding a
//! high-tech enterprise certificate), imports it through the ordinary import path into the
//! database given, and then times the registry-count targets for the city and every county
//! as the API computes them.

use anyhow::{Context as _, Result};
use kechuang_domain::uscc::Uscc;
use kechuang_ingest::export::CsvSink;
use kechuang_ingest::registries::{CERTIFICATE_HEADERS, ENTERPRISE_HEADERS};
use std::path::Path;
use std::time::Instant;

use crate::demo::COUNTIES;

/// Writes `rows` enterprises and certificates for a third of them; returns the two paths.
pub fn generate(dir: &Path, rows: usize) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let ents = dir.join(format!("bench-enterprises-{rows}.csv"));
    let certs = dir.join(format!("bench-certificates-{rows}.csv"));
    let mut e = CsvSink::create(&ents, &ENTERPRISE_HEADERS)?;
    let mut c = CsvSink::create(&certs, &CERTIFICATE_HEADERS)?;
    let mut rng = fastrand::Rng::with_seed(7);
    for i in 0..rows {
        let (code, county, _) = COUNTIES[i % COUNTIES.len()];
        // Sequential bodies keep a million codes distinct.
        let uscc = Uscc::complete(&format!("91{code}"), &format!("{:08}", i / COUNTIES.len()))?
            .to_string();
        let name = format!("{county}基准测试第{i}号科技有限公司");
        let founded = format!(
            "{}-{:02}-{:02}",
            rng.i32(1990..=2019),
            rng.u32(1..=12),
            rng.u32(1..=28)
        );
        e.row(&[
            &uscc,
            &name,
            code,
            "",
            "3985",
            &founded,
            "小型",
            "否",
            "新材料",
            "",
        ])?;
        if i % 3 == 0 {
            let year = 2015 + (i % 6) as i32;
            let number = format!("GR{year}44{:06}", i / 3 % 1_000_000);
            c.row(&[
                "高新技术企业证书",
                &number,
                &uscc,
                "",
                &format!("{year}-11-28"),
                "",
                "",
            ])?;
        }
    }
    e.finish()?;
    c.finish()?;
    Ok((ents, certs))
}

/// Peak resident memory of this process so far, in MB (Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub fn rate(rows: usize, secs: f64) -> String {
    format!("{:.0} rows/s", rows as f64 / secs.max(1e-9))
}

pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64())
}

pub fn file_rows(path: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    Ok(text.lines().count().saturating_sub(1))
}
