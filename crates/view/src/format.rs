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

/// An indicator's unit in the page's language: the plan writes units in Chinese (家, 亿元),
/// an English page reads them in English. A unit not known here is shown as written.
pub fn unit(unit: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        return unit.to_owned();
    }
    match unit {
        "家" => "firms",
        "个" => "",
        "件" => "items",
        "项" => "items",
        "人" => "people",
        "万人" => "×10,000 people",
        "元" => "yuan",
        "万元" => "×10,000 yuan",
        "亿元" => "×100 million yuan",
        "年" => "years",
        other => other,
    }
    .to_owned()
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

/// A stored date or minute (`2018-03-05`, `2018-03-05 14:04`, an RFC 3339 time) in the
/// page's one date format: 2018年3月5日 14:04 in Chinese, 2018-03-05 14:04 in English. Text that
/// does not begin with a date is shown as it is.
pub fn day_text(s: &str, lang: Lang) -> String {
    let s = s.trim();
    let Some(d) = s
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    else {
        return s.to_owned();
    };
    let rest = s[10..].trim_start_matches(['T', ' ']);
    // Seconds and zones are not what an officer reads; an RFC 3339 time is shown in China time.
    if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        return day_text(&timestamp(s), lang);
    }
    let minute: String = rest.chars().take(5).collect();
    if minute.is_empty() {
        date(d, lang)
    } else {
        format!("{} {minute}", date(d, lang))
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
pub fn attachment_disposition(name: &str) -> String {
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

pub use kechuang_domain::text::percent_encode as urlencode;

/// A stored file as a download under its own name: its type as given (a document type or
/// bytes, never a page of this site, which `nosniff` keeps browsers from guessing otherwise).
pub fn file_download(name: &str, content_type: &str, data: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_DISPOSITION, attachment_disposition(name)),
        ],
        data,
    )
        .into_response()
}

/// A stored file a page may show: an image inline (an article's picture), anything else as
/// a download.
pub fn served_file(name: &str, content_type: &str, data: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    if !content_type.starts_with("image/") {
        return file_download(name, content_type, data);
    }
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
        data,
    )
        .into_response()
}

/// A stored instant (UTC, RFC 3339) as the reader's date and time in China; a date alone
/// (a grant's award date) stays as it is.
pub fn local_time(s: &str) -> String {
    if s.len() == 10 {
        return s.to_owned();
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| {
            t.with_timezone(&kechuang_service::clock::china())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The day in China of a stored instant.
pub fn local_day(s: &str) -> String {
    local_time(s).chars().take(10).collect()
}

/// A file's size as people read it: 820 B, 14.2 KB, 3.1 MB.
pub fn bytes(n: i64) -> String {
    let n = n.max(0) as f64;
    if n < 1024.0 {
        format!("{n} B")
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KB", n / 1024.0)
    } else {
        format!("{:.1} MB", n / 1024.0 / 1024.0)
    }
}

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
        assert_eq!(day_text("2018-03-05", Lang::Zh), "2018年3月5日");
        assert_eq!(day_text("2018-03-05", Lang::En), "2018-03-05");
        assert_eq!(
            day_text("2026-11-27 01:36", Lang::Zh),
            "2026年11月27日 01:36"
        );
        assert_eq!(
            day_text("2026-11-26T17:36:23Z", Lang::Zh),
            "2026年11月27日 01:36"
        );
        assert_eq!(day_text("2020", Lang::Zh), "2020");
        assert_eq!(day_text("", Lang::En), "");
    }
}
