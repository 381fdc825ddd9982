//! 统一社会信用代码 (unified social credit code, GB 32100-2015): parsing and both checks.
//!
//! 18 characters from `0-9 A-H J-N P Q R T U W X Y` (no I O S V Z), valued 0–30 in that
//! order. The 18th is a check character over the first 17 (weights 3^i mod 31). Positions 9–17
//! are the GB 11714 organisation code, whose 9th character checks the 8 before it (mod 11).
//! Some early pilot codes are legal but fail a check: [`Uscc::parse_legacy`] accepts those for
//! staff to confirm, and nothing else.

use serde::{Deserialize, Serialize};
use std::fmt;

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

crate::problems! {
    /// Why a unified social credit code is not one.
    pub enum UsccError {
        Length { found: usize } = "uscc_length" {
            zh: "统一社会信用代码应为18位，实为{found}位",
            en: "a unified social credit code has 18 characters, not {found}",
        },
        Character { position: usize, found: char } = "uscc_character" {
            zh: "统一社会信用代码第{position}位字符 '{found}' 不允许（不含 I、O、S、V、Z）",
            en: "character {position} '{found}' of the credit code is not allowed (no I, O, S, V, Z)",
        },
        Check { expected: char, found: char } = "uscc_check" {
            zh: "统一社会信用代码校验码错误：第18位应为 '{expected}'，实为 '{found}'",
            en: "wrong check character in the credit code: the 18th should be '{expected}', not '{found}'",
        },
        OrgCheck { expected: char, found: char } = "uscc_org_check" {
            zh: "组织机构代码校验错误：第17位应为 '{expected}'，实为 '{found}'",
            en: "wrong organisation code check: the 17th character should be '{expected}', not '{found}'",
        },
    }
}

impl UsccError {
    /// Only a failed check, not a malformed code: what a legacy pilot code may show.
    pub fn is_check_failure(&self) -> bool {
        matches!(self, Self::Check { .. } | Self::OrgCheck { .. })
    }
}

fn value(c: u8) -> Option<u32> {
    CHARSET.iter().position(|x| *x == c).map(|p| p as u32)
}

/// The organisation code's own alphabet: digits, then every letter A=10 … Z=35.
fn org_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        _ => 0,
    }
}

/// Folds what people type or paste into the canonical form: full-width forms, lower case,
/// spaces and dashes.
pub fn normalise(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| {
            let c = crate::text::fold_width(c);
            (!c.is_whitespace() && c != '-' && c != '\u{3000}').then(|| c.to_ascii_uppercase())
        })
        .collect()
}

/// The check character for the first 17 characters (which must be valid).
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| value(*c).unwrap_or(0) * w)
        .sum();
    let v = (31 - sum % 31) % 31;
    CHARSET[v as usize] as char
}

/// The organisation code's check character for its 8-character body.
pub fn org_check_char(body8: &[u8]) -> char {
    let sum: u32 = body8
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(c, w)| org_value(*c) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        v => char::from_digit(v, 10).unwrap_or('0'),
    }
}

impl Uscc {
    /// Parses a code that must pass both checks.
    pub fn parse(raw: &str) -> Result<Self, UsccError> {
        let s = Self::well_formed(raw)?;
        let b = s.as_bytes();
        let org = org_check_char(&b[8..16]);
        if b[16] as char != org {
            return Err(UsccError::OrgCheck {
                expected: org,
                found: b[16] as char,
            });
        }
        let check = check_char(&b[..17]);
        if b[17] as char != check {
            return Err(UsccError::Check {
                expected: check,
                found: b[17] as char,
            });
        }
        Ok(Self(s))
    }

    /// Accepts a well-formed code whose checks fail, for staff to confirm (early pilot codes);
    /// a malformed code is still refused.
    pub fn parse_legacy(raw: &str) -> Result<Self, UsccError> {
        Self::well_formed(raw).map(Self)
    }

    fn well_formed(raw: &str) -> Result<String, UsccError> {
        let s = normalise(raw);
        let n = s.chars().count();
        if n != 18 {
            return Err(UsccError::Length { found: n });
        }
        if let Some((i, c)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii() || value(*c as u8).is_none())
        {
            return Err(UsccError::Character {
                position: i + 1,
                found: c,
            });
        }
        Ok(s)
    }

    /// Completes a code from its first 8 characters (registration authority, type, region)
    /// and an 8-character organisation body, adding both check characters.
    pub fn complete(head8: &str, body8: &str) -> Result<Self, UsccError> {
        let mut s = format!("{}{}", normalise(head8), normalise(body8));
        if s.len() != 16 {
            return Err(UsccError::Length { found: s.len() + 2 });
        }
        s.push(org_check_char(&s.as_bytes()[8..16]));
        s.push(check_char(s.as_bytes()));
        Self::parse(&s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Positions 3–8: the registering region's GB/T 2260 code.
    pub fn region_part(&self) -> &str {
        &self.0[2..8]
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_legacy(&s)
    }
}
impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}
impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_published_example_is_valid() {
        let u = Uscc::parse("9144030071526726XG").expect("valid");
        assert_eq!(u.region_part(), "440300");
    }

    #[test]
    fn typing_variants_are_normalised() {
        assert!(Uscc::parse(" 9144 0300 7152 6726xg ").is_ok());
        assert!(Uscc::parse("９１４４０３００７１５２６７２６ＸＧ").is_ok());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            Uscc::parse("9144030071526726X"),
            Err(UsccError::Length { found: 17 })
        );
        assert_eq!(
            Uscc::parse("9144030071526726XI"),
            Err(UsccError::Character {
                position: 18,
                found: 'I'
            })
        );
        assert_eq!(
            Uscc::parse("9144030071526726XH"),
            Err(UsccError::Check {
                expected: 'G',
                found: 'H'
            })
        );
        let e = Uscc::parse("91440300715267260G").expect_err("org check");
        assert!(matches!(
            e,
            UsccError::OrgCheck {
                expected: 'X',
                found: '0'
            }
        ));
        assert!(e.is_check_failure());
        // A legacy code failing only its checks can be taken on confirmation.
        assert!(Uscc::parse_legacy("9144030071526726XH").is_ok());
        assert!(Uscc::parse_legacy("9144030071526726X").is_err());
    }

    fn body() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..36, 8).prop_map(|v| {
            v.into_iter()
                .map(|i| b"0123456789ABCDEFGHJKLMNPQRTUWXY"[i % 31] as char)
                .collect()
        })
    }

    proptest! {
        #[test]
        fn completed_codes_validate(body in body(), county in 0usize..10) {
            let region = ["440203", "440204", "440205", "440222", "440224", "440229", "440232", "440233", "440281", "440282"][county];
            let u = Uscc::complete(&format!("91{region}"), &body).expect("completes");
            prop_assert!(Uscc::parse(u.as_str()).is_ok());
            prop_assert_eq!(u.region_part(), region);
        }

        #[test]
        fn any_single_substitution_is_caught(pos in 0usize..18, sub in 0usize..31) {
            let good = "9144030071526726XG";
            let mut b = good.as_bytes().to_vec();
            let replacement = CHARSET[sub];
            prop_assume!(b[pos] != replacement);
            b[pos] = replacement;
            let bad = String::from_utf8(b).expect("ascii");
            prop_assert!(Uscc::parse(&bad).is_err());
        }
    }
}
