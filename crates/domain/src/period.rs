//! Reporting periods: a year (`2018`), a quarter (`2018Q3`), a month (`2018-07`) or a date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Year(i32),
    Quarter(i32, u32),
    Month(i32, u32),
    Day(NaiveDate),
}

crate::problems! {
    pub enum InvalidPeriod {
        Unreadable { raw: String } = "invalid_period" {
            zh: "期间 '{raw}' 无效：应为 2018、2018Q3、2018-07 或 2018-07-15",
            en: "period '{raw}' is not a year, quarter, month or date (2018, 2018Q3, 2018-07, 2018-07-15)",
        },
    }
}

impl Period {
    pub fn parse(raw: &str) -> Result<Self, InvalidPeriod> {
        let s = raw.trim();
        let err = || InvalidPeriod::Unreadable {
            raw: raw.to_owned(),
        };
        let year = |y: &str| -> Result<i32, InvalidPeriod> {
            match y.parse::<i32>() {
                Ok(v) if (1900..=2200).contains(&v) && y.len() == 4 => Ok(v),
                _ => Err(err()),
            }
        };
        // Spreadsheets often turn a year column into a float such as "2018.0".
        let s = s.strip_suffix(".0").unwrap_or(s);
        if s.len() == 4 {
            return Ok(Self::Year(year(s)?));
        }
        if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let q: u32 = q.parse().map_err(|_| err())?;
            if !(1..=4).contains(&q) {
                return Err(err());
            }
            return Ok(Self::Quarter(year(y)?, q));
        }
        if s.len() == 7 {
            let (y, m) = s.split_once('-').ok_or_else(err)?;
            let m: u32 = m.parse().map_err(|_| err())?;
            if !(1..=12).contains(&m) {
                return Err(err());
            }
            return Ok(Self::Month(year(y)?, m));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Self::Day)
            .map_err(|_| err())
    }

    /// The last day the period covers: a figure for a period is known as of its end.
    pub fn end_date(&self) -> NaiveDate {
        let last_of_month = |y: i32, m: u32| {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            NaiveDate::from_ymd_opt(ny, nm, 1)
                .and_then(|d| d.pred_opt())
                .unwrap_or(NaiveDate::MAX)
        };
        match *self {
            Self::Year(y) => last_of_month(y, 12),
            Self::Quarter(y, q) => last_of_month(y, q * 3),
            Self::Month(y, m) => last_of_month(y, m),
            Self::Day(d) => d,
        }
    }

    pub fn year(&self) -> i32 {
        match *self {
            Self::Year(y) | Self::Quarter(y, _) | Self::Month(y, _) => y,
            Self::Day(d) => d.year(),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = InvalidPeriod;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y}"),
            Self::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Self::Month(y, m) => write!(f, "{y}-{m:02}"),
            Self::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn parses_every_form_and_knows_its_end() {
        assert_eq!(
            Period::parse("2018").map(|p| p.end_date()),
            Ok(d(2018, 12, 31))
        );
        assert_eq!(Period::parse("2018.0"), Ok(Period::Year(2018)));
        assert_eq!(
            Period::parse("2018Q1").map(|p| p.end_date()),
            Ok(d(2018, 3, 31))
        );
        assert_eq!(
            Period::parse("2020-02").map(|p| p.end_date()),
            Ok(d(2020, 2, 29))
        );
        assert_eq!(
            Period::parse("2019-07-15").map(|p| p.end_date()),
            Ok(d(2019, 7, 15))
        );
        for bad in ["18", "2018Q5", "2018-13", "2018-02-30", "abc", ""] {
            assert!(Period::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(y in 1950i32..2100, q in 1u32..=4, m in 1u32..=12) {
            for p in [Period::Year(y), Period::Quarter(y, q), Period::Month(y, m)] {
                prop_assert_eq!(Period::parse(&p.to_string()), Ok(p));
                prop_assert_eq!(p.end_date().year(), y);
            }
        }
    }
}
