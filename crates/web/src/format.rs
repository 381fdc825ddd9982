//! How numbers and dates look to an officer: up to two decimals, thousands grouped, dates as
//! 2018年3月5日 in Chinese and ISO in English.

use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};

pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let rounded = (v * 100.0).round() / 100.0;
    let s = format!("{rounded:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let (int, frac) = s.split_once('.').map_or((s, ""), |(i, f)| (i, f));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

pub fn with_unit(v: f64, unit: &str) -> String {
    match unit {
        "" => number(v),
        "%" => format!("{}%", number(v)),
        u => format!("{} {u}", number(v)),
    }
}

pub fn percent(fraction: f64) -> String {
    format!("{}%", number(fraction * 100.0))
}

pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// A stored UTC timestamp as officers read it: China time, to the minute.
pub fn timestamp(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

pub use kechuang_service::clock::today_in_china;

/// The Content-Disposition of a file downloaded under its own name: an ASCII fallback for old
/// clients and the UTF-8 name (RFC 6266) for the rest, so 申报书.pdf arrives as 申报书.pdf.
pub(crate) fn attachment_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        urlencode(name)
    )
}

pub(crate) use kechuang_domain::text::percent_encode as urlencode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_a_report() {
        assert_eq!(number(1234567.0), "1,234,567");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(0.7100001), "0.71");
        assert_eq!(number(-1234.5), "-1,234.5");
        assert_eq!(with_unit(2.0, "%"), "2%");
        assert_eq!(with_unit(24.0, "个"), "24 个");
        let d = NaiveDate::from_ymd_opt(2018, 3, 5).expect("date");
        assert_eq!(date(d, Lang::Zh), "2018年3月5日");
        assert_eq!(date(d, Lang::En), "2018-03-05");
        assert_eq!(timestamp("2026-11-26T17:36:23Z"), "2026-11-27 01:36");
    }
}
