//! The one place the wall clock is read for dates: the bureau works in China's time zone, so
//! "today" is the date in Asia/Shanghai (UTC+8, no daylight saving), whatever the server's zone.

use chrono::NaiveDate;

pub fn today_in_china() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
