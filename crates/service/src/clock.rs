//! Dates: the one place the wall clock is read — the bureau works in China's time zone, so
//! "today" is the date in Asia/Shanghai (UTC+8, no daylight saving), whatever the server's
//! zone — and the one parser of a date a person or a client typed.

use crate::Error;
use chrono::NaiveDate;

kechuang_domain::problems! {
    pub enum DateProblem {
        NotADate { field: &'static str, raw: String } = "invalid_date" {
            zh: "'{raw}' 不是日期，应如 2019-03-31 或 2019年3月31日", en: "'{raw}' is not a date such as 2019-03-31",
        },
    }
}

/// A date as typed (2019-03-31, 2019/3/31, 2019.3.31, 2019年3月31日); `field` names it in the
/// refusal.
pub fn parse_day(field: &'static str, raw: &str) -> Result<NaiveDate, Error> {
    kechuang_domain::text::written_date(raw).ok_or_else(|| {
        Error::invalid(DateProblem::NotADate {
            field,
            raw: raw.to_owned(),
        })
    })
}

/// An optional date as typed: blank means none.
pub fn parse_optional_day(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<NaiveDate>, Error> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse_day(field, s))
        .transpose()
}

/// China Standard Time, UTC+8 all year: no daylight saving since 1991.
const CHINA: chrono::FixedOffset = match chrono::FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    // Checked when compiling: a constant's panic is a build error, never a runtime one.
    None => panic!("UTC+8 is a valid offset"),
};

pub fn china() -> chrono::FixedOffset {
    CHINA
}

pub fn today_in_china() -> NaiveDate {
    chrono::Utc::now().with_timezone(&china()).date_naive()
}
