//! Money: exact integer fen (分), never floating point. Amounts are read as officers write them
//! (`30万元`, `300000元`, `1,500.50`) and shown as Chinese reports do (元, 万元, 亿元).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen (1 元 = 100 分).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

crate::problems! {
    /// What is wrong with an amount of money as typed.
    pub enum AmountError {
        NotAnAmount { raw: String } = "invalid_amount" {
            zh: "'{raw}' 不是有效金额，应如 300000、30万元 或 1500.50元",
            en: "'{raw}' is not an amount of money (e.g. 300000, 30万元 or 1500.50元)",
        },
        FinerThanFen { raw: String } = "amount_finer_than_fen" {
            zh: "'{raw}' 精确到分以下", en: "'{raw}' is finer than one fen",
        },
    }
}

pub const FEN_PER_YUAN: i64 = 100;
pub const FEN_PER_WAN: i64 = 1_000_000;
pub const FEN_PER_YI: i64 = 10_000_000_000;

/// The unit a bare number of money is read in: the one its field's label shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MoneyUnit {
    #[default]
    Yuan,
    Wan,
    Yi,
}

impl MoneyUnit {
    /// The unit a field's label shows: `申请金额（万元）` is in 万元, `预算(亿元)` in 亿元;
    /// a label without a unit means 元.
    pub fn from_label(label: &str) -> Self {
        if label.contains("亿元") {
            Self::Yi
        } else if label.contains("万元") {
            Self::Wan
        } else {
            Self::Yuan
        }
    }

    pub fn fen(self) -> i64 {
        match self {
            Self::Yuan => FEN_PER_YUAN,
            Self::Wan => FEN_PER_WAN,
            Self::Yi => FEN_PER_YI,
        }
    }
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(FEN_PER_YUAN).map(Fen)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// Parses an amount as officers write it: a number of 元 by default, or with a unit
    /// (`元`, `万元`/`万`, `亿元`/`亿`); thousands separators, full-width digits and spaces are
    /// tolerated. At most two decimals of 元 — anything finer is not money.
    pub fn parse(raw: &str) -> Result<Fen, AmountError> {
        Self::parse_in(raw, MoneyUnit::Yuan)
    }

    /// Parses an amount whose bare number is in `unit` (a field labelled 万元 reads `50` as
    /// 500,000 元); a unit written with the number (`500000元`, `0.3亿元`) wins.
    pub fn parse_in(raw: &str, unit: MoneyUnit) -> Result<Fen, AmountError> {
        let s: String = raw
            .chars()
            .filter_map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                '．' => Some('.'),
                ',' | '，' | ' ' | '\u{3000}' | '¥' | '￥' => None,
                c => Some(c),
            })
            .collect();
        let (number, per) = if let Some(n) = s.strip_suffix("万元").or(s.strip_suffix('万')) {
            (n, FEN_PER_WAN)
        } else if let Some(n) = s.strip_suffix("亿元").or(s.strip_suffix('亿')) {
            (n, FEN_PER_YI)
        } else if let Some(n) = s.strip_suffix('元') {
            (n, FEN_PER_YUAN)
        } else {
            (s.as_str(), unit.fen())
        };
        let bad = || AmountError::NotAnAmount {
            raw: raw.to_owned(),
        };
        let (whole, frac) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number, ""),
        };
        if whole.is_empty() && frac.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole_fen = if whole.is_empty() {
            0
        } else {
            whole
                .parse::<i64>()
                .ok()
                .and_then(|w| w.checked_mul(per))
                .ok_or_else(bad)?
        };
        // The fractional part in fen: its digits scaled by the unit, which must come out whole.
        let mut frac_fen: i64 = 0;
        let mut scale = per;
        for d in frac.chars() {
            if scale % 10 != 0 {
                return Err(AmountError::FinerThanFen {
                    raw: raw.to_owned(),
                });
            }
            scale /= 10;
            frac_fen += i64::from(d as u8 - b'0') * scale;
        }
        whole_fen.checked_add(frac_fen).map(Fen).ok_or_else(bad)
    }

    /// `300,000.00` — 元 with two decimals and thousands separators.
    pub fn yuan_text(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{}{grouped}.{:02}", if neg { "-" } else { "" }, abs % 100)
    }

    /// `300000.00` — 元 with two decimals and no separators, as spreadsheets take numbers.
    pub fn plain_text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `30` or `1.5` — 万元, without trailing zeros, as reports and notices write it.
    pub fn wan_text(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let whole = abs / FEN_PER_WAN as u64;
        let frac = abs % FEN_PER_WAN as u64;
        let mut s = format!("{}{whole}", if neg { "-" } else { "" });
        if frac > 0 {
            let digits = format!("{frac:06}");
            s.push('.');
            s.push_str(digits.trim_end_matches('0'));
        }
        s
    }

    /// The amount in a display unit (`元`, `万元`, `亿元`), for indicators kept in that unit.
    pub fn in_unit(self, unit: &str) -> Option<f64> {
        let per = unit_fen(unit)?;
        Some(self.0 as f64 / per as f64)
    }
}

/// Fen per display unit, for the units money indicators use.
pub fn unit_fen(unit: &str) -> Option<i64> {
    match unit {
        "元" => Some(FEN_PER_YUAN),
        "万元" => Some(FEN_PER_WAN),
        "亿元" => Some(FEN_PER_YI),
        _ => None,
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 元", self.yuan_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use proptest::prelude::*;

    #[test]
    fn a_bare_number_is_in_the_unit_its_label_shows() {
        let wan = MoneyUnit::from_label("申请资助金额（万元）");
        assert_eq!(wan, MoneyUnit::Wan);
        assert_eq!(Fen::parse_in("50", wan), Ok(Fen(50 * FEN_PER_WAN)));
        assert_eq!(Fen::parse_in("50万元", wan), Ok(Fen(50 * FEN_PER_WAN)));
        assert_eq!(
            Fen::parse_in("500000元", wan),
            Ok(Fen(500_000 * FEN_PER_YUAN))
        );
        assert_eq!(
            Fen::parse_in("0.3亿元", wan),
            Ok(Fen(30_000_000 * FEN_PER_YUAN))
        );
        assert_eq!(Fen::parse_in("12.5", wan), Ok(Fen(125_000 * FEN_PER_YUAN)));
        assert_eq!(MoneyUnit::from_label("预算(亿元)"), MoneyUnit::Yi);
        assert_eq!(MoneyUnit::from_label("发票金额"), MoneyUnit::Yuan);
        assert_eq!(Fen::parse_in("50", MoneyUnit::Yuan), Ok(Fen(5_000)));
    }

    #[test]
    fn amounts_parse_as_officers_write_them() {
        assert_eq!(Fen::parse("300000"), Ok(Fen(30_000_000)));
        assert_eq!(Fen::parse("30万元"), Ok(Fen(30_000_000)));
        assert_eq!(Fen::parse("30万"), Ok(Fen(30_000_000)));
        assert_eq!(Fen::parse("1.5万元"), Ok(Fen(1_500_000)));
        assert_eq!(Fen::parse("0.3亿元"), Ok(Fen(3_000_000_000)));
        assert_eq!(Fen::parse("1,500.50元"), Ok(Fen(150_050)));
        assert_eq!(Fen::parse("３０万元"), Ok(Fen(30_000_000)));
        assert_eq!(Fen::parse("¥ 12.3"), Ok(Fen(1_230)));
        assert_eq!(
            Fen::parse("1.234").map_err(|e| e.code()),
            Err("amount_finer_than_fen")
        );
        assert!(Fen::parse("abc").is_err());
        assert!(Fen::parse("").is_err());
        assert!(Fen::parse("-5").is_err());
        assert!(Fen::parse("99999999999999999999").is_err());
    }

    #[test]
    fn amounts_display_in_yuan_and_wan() {
        assert_eq!(Fen(30_000_000).yuan_text(), "300,000.00");
        assert_eq!(Fen(150_050).yuan_text(), "1,500.50");
        assert_eq!(Fen(5).yuan_text(), "0.05");
        assert_eq!(Fen(30_000_050).plain_text(), "300000.50");
        assert_eq!(Fen(-5).plain_text(), "-0.05");
        assert_eq!(Fen(30_000_000).wan_text(), "30");
        assert_eq!(Fen(1_500_000).wan_text(), "1.5");
        assert_eq!(Fen(1).wan_text(), "0.000001");
        assert_eq!(Fen(30_000_000).in_unit("万元"), Some(30.0));
        assert_eq!(Fen(30_000_000).in_unit("家"), None);
    }

    proptest! {
        #[test]
        fn yuan_text_parses_back(fen in 0i64..10_000_000_000_000) {
            prop_assert_eq!(Fen::parse(&Fen(fen).yuan_text()), Ok(Fen(fen)));
            prop_assert_eq!(Fen::parse(&format!("{}万元", Fen(fen).wan_text())), Ok(Fen(fen)));
        }
    }
}
