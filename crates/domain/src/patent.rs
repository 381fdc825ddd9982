//! Patents (plan target 2.2, 每万人口有效发明专利拥有量): the registry's rules that do not depend on
//! storage — patent types, legal status, application numbers and validity at a date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 专利类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatentType {
    /// 发明专利: the type target 2.2 counts.
    Invention,
    /// 实用新型.
    UtilityModel,
    /// 外观设计.
    Design,
}

impl PatentType {
    pub const ALL: [Self; 3] = [Self::Invention, Self::UtilityModel, Self::Design];

    pub fn code(self) -> &'static str {
        match self {
            Self::Invention => "invention",
            Self::UtilityModel => "utility_model",
            Self::Design => "design",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Invention => "发明",
            Self::UtilityModel => "实用新型",
            Self::Design => "外观设计",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Invention => "Invention",
            Self::UtilityModel => "Utility model",
            Self::Design => "Design",
        }
    }

    /// By code, by the names lists use (with or without 专利), or by the type digit of a
    /// post-2003 application number's fifth place (1 invention, 2 utility model, 3 design; 8
    /// and 9 are PCT entries of the first two).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_suffix("专利").unwrap_or(s);
        Self::ALL.into_iter().find(|t| {
            t.code() == s
                || t.name() == s
                || t.name_en().eq_ignore_ascii_case(s)
                || match t {
                    Self::Invention => matches!(s, "发明授权" | "发明申请"),
                    Self::UtilityModel => matches!(s, "实用新型型" | "utility"),
                    Self::Design => matches!(s, "外观"),
                }
        })
    }

    /// The type an application number states, where it states one.
    pub fn of_number(number: &ApplicationNo) -> Option<Self> {
        let digits = number.0.as_bytes();
        if digits.len() != 13 {
            return None;
        }
        match digits[4] {
            b'1' | b'8' => Some(Self::Invention),
            b'2' | b'9' => Some(Self::UtilityModel),
            b'3' => Some(Self::Design),
            _ => None,
        }
    }
}

/// 法律状态 as lists write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalStatus {
    /// 有效: granted and in force.
    Valid,
    /// 失效: ended (lapsed for unpaid fees, expired, invalidated, abandoned).
    Lapsed,
    /// 审中: applied for, not (yet) granted.
    Pending,
}

impl LegalStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "有效" | "授权" | "专利权维持" | "维持" | "valid" | "in_force" => {
                Some(Self::Valid)
            }
            "失效"
            | "无效"
            | "终止"
            | "未缴年费终止"
            | "未缴年费专利权终止"
            | "期限届满"
            | "放弃"
            | "全部无效"
            | "权利终止"
            | "lapsed"
            | "invalid" => Some(Self::Lapsed),
            "审中" | "在审" | "实质审查" | "公开" | "申请中" | "pending" => {
                Some(Self::Pending)
            }
            _ => None,
        }
    }
}

crate::problems! {
    /// What can be wrong with an application number.
    pub enum NumberProblem {
        Form { number: String } = "patent_number_form" {
            zh: "申请号 '{number}' 格式应为 12 位数字加校验位（如 201810123456.7）或早期的 8 位数字加校验位",
            en: "the application number '{number}' should be 12 digits and a check character (such as 201810123456.7), or 8 digits and one for early numbers",
        },
        Check { number: String, expected: char } = "patent_number_check" {
            zh: "申请号 '{number}' 的校验位应为 {expected}，请核对是否抄错",
            en: "the application number '{number}' should end in the check character {expected}: check it was copied correctly",
        },
    }
}

/// A Chinese patent application number in its canonical form: the digits and the check
/// character, with no prefix and no dot (e.g. `2018101234567`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApplicationNo(String);

impl ApplicationNo {
    /// Reads a number as offices write it: with or without `CN`/`ZL`, the dot, spaces, in
    /// full-width characters. The check character (ZC 0006-2003: the digits weighted 2–9 and
    /// again from 2, modulo 11, 10 written X) must match, so a mistyped digit is caught.
    pub fn parse(raw: &str) -> Result<Self, NumberProblem> {
        let folded: String = raw
            .chars()
            .map(crate::text::fold_width)
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '·' && *c != '。')
            .collect::<String>()
            .to_ascii_uppercase();
        let body = folded
            .strip_prefix("ZL")
            .or_else(|| folded.strip_prefix("CN"))
            .unwrap_or(&folded);
        let form = || NumberProblem::Form {
            number: raw.trim().to_owned(),
        };
        let n = body.len();
        if !(n == 9 || n == 13) {
            return Err(form());
        }
        let (digits, check) = body.split_at(n - 1);
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(form());
        }
        let check = check.chars().next().ok_or_else(form)?;
        if !(check.is_ascii_digit() || check == 'X') {
            return Err(form());
        }
        let expected = check_char(digits);
        if check != expected {
            return Err(NumberProblem::Check {
                number: raw.trim().to_owned(),
                expected,
            });
        }
        Ok(Self(body.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as it is printed: the digits, a dot, the check character.
    pub fn display(&self) -> String {
        let (digits, check) = self.0.split_at(self.0.len() - 1);
        format!("{digits}.{check}")
    }

    /// The year of filing a post-2003 number begins with.
    pub fn year(&self) -> Option<i32> {
        (self.0.len() == 13)
            .then(|| self.0[..4].parse().ok())
            .flatten()
    }
}

/// The check character of an application number's digits (anything else in `digits` is
/// skipped).
pub fn check_char(digits: &str) -> char {
    const WEIGHTS: [u32; 8] = [2, 3, 4, 5, 6, 7, 8, 9];
    let sum: u32 = digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * WEIGHTS[i % WEIGHTS.len()])
        .sum();
    match sum % 11 {
        10 => 'X',
        r => char::from(b'0' + r as u8),
    }
}

/// Whether a patent granted on `granted_on` (if it was) and lapsed on `lapsed_on` (if it
/// did) is valid at `as_of`: from its grant, until the day of its lapse.
pub fn valid_at(
    granted_on: Option<NaiveDate>,
    lapsed_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> bool {
    granted_on.is_some_and(|g| g <= as_of) && lapsed_on.is_none_or(|l| as_of < l)
}

/// A patent as imported and stored (dates ISO text, codes validated by the importer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatentRow {
    /// Canonical application number ([`ApplicationNo`]).
    pub application_no: String,
    pub title: String,
    /// [`PatentType`] code.
    pub kind: String,
    pub filed_on: String,
    pub granted_on: Option<String>,
    /// The holder(s) as the list writes them.
    pub holder: String,
    /// The registered enterprise the holder was linked to, by USCC or exact name.
    pub uscc: Option<String>,
    /// Where it counts: the list's county, else its linked enterprise's.
    pub region_code: String,
    pub lapsed_on: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn numbers_are_read_as_offices_write_them() {
        // The worked example of the standard: 200710308494.X.
        for raw in [
            "200710308494.X",
            "CN200710308494.X",
            "ZL 200710308494.x",
            "ＺＬ２００７１０３０８４９４．Ｘ",
        ] {
            let n = ApplicationNo::parse(raw).expect(raw);
            assert_eq!(n.as_str(), "200710308494X", "{raw}");
            assert_eq!(n.display(), "200710308494.X");
            assert_eq!(n.year(), Some(2007));
        }
        assert!(matches!(
            ApplicationNo::parse("200710308494.3"),
            Err(NumberProblem::Check { expected: 'X', .. })
        ));
        assert!(matches!(
            ApplicationNo::parse("20071030849.X"),
            Err(NumberProblem::Form { .. })
        ));
        assert!(matches!(
            ApplicationNo::parse("2007103084A4.X"),
            Err(NumberProblem::Form { .. })
        ));
        // An early eight-digit number with its check character.
        let early = format!("89100002.{}", check_char("89100002"));
        assert!(ApplicationNo::parse(&early).is_ok());
    }

    #[test]
    fn the_number_says_its_type() {
        let n = |digits: &str| {
            ApplicationNo::parse(&format!("{digits}.{}", check_char(digits))).expect("number")
        };
        assert_eq!(
            PatentType::of_number(&n("201810123456")),
            Some(PatentType::Invention)
        );
        assert_eq!(
            PatentType::of_number(&n("201820123456")),
            Some(PatentType::UtilityModel)
        );
        assert_eq!(
            PatentType::of_number(&n("201830123456")),
            Some(PatentType::Design)
        );
        assert_eq!(PatentType::of_number(&n("89100002")), None);
    }

    #[test]
    fn types_and_statuses_from_lists() {
        assert_eq!(PatentType::parse("发明专利"), Some(PatentType::Invention));
        assert_eq!(
            PatentType::parse("实用新型"),
            Some(PatentType::UtilityModel)
        );
        assert_eq!(PatentType::parse("外观设计专利"), Some(PatentType::Design));
        assert_eq!(PatentType::parse("商标"), None);
        assert_eq!(LegalStatus::parse("有效"), Some(LegalStatus::Valid));
        assert_eq!(
            LegalStatus::parse("未缴年费终止"),
            Some(LegalStatus::Lapsed)
        );
        assert_eq!(LegalStatus::parse("审中"), Some(LegalStatus::Pending));
        assert_eq!(LegalStatus::parse("未知"), None);
    }

    #[test]
    fn a_lapse_ends_validity_from_its_date() {
        let granted = Some(d(2018, 6, 1));
        assert!(!valid_at(granted, None, d(2018, 5, 31)));
        assert!(valid_at(granted, None, d(2018, 6, 1)));
        let lapsed = Some(d(2020, 3, 1));
        assert!(valid_at(granted, lapsed, d(2020, 2, 29)));
        assert!(!valid_at(granted, lapsed, d(2020, 3, 1)));
        assert!(!valid_at(None, None, d(2030, 1, 1)), "never granted");
    }

    proptest! {
        /// Any twelve digits with their computed check character read back, and changing
        /// any one digit is caught (a weighted sum modulo a prime catches every single-digit
        /// error, since no weight is a multiple of 11).
        #[test]
        fn every_single_digit_error_is_caught(digits in "[0-9]{12}", at in 0usize..12, by in 1u8..10) {
            let number = format!("{digits}.{}", check_char(&digits));
            prop_assert!(ApplicationNo::parse(&number).is_ok());
            let mut wrong = digits.into_bytes();
            wrong[at] = b'0' + (wrong[at] - b'0' + by) % 10;
            let wrong = String::from_utf8(wrong).expect("ascii");
            let typo = format!("{wrong}.{}", number.chars().last().expect("check"));
            prop_assert!(ApplicationNo::parse(&typo).is_err());
        }
    }
}
