//! The second factor at login, as rules: what a typed code is (a TOTP code from an
//! authenticator app, or a one-time recovery code), how recovery codes look, and how long a
//! login may wait for its code. The cryptography (RFC 6238) is the service's.

use crate::text::fold_width;
use chrono::{DateTime, Duration, Utc};

/// Digits of a TOTP code, and the seconds each code lasts (RFC 6238's defaults, which every
/// authenticator app uses).
pub const DIGITS: usize = 6;
pub const STEP_SECONDS: u64 = 30;
/// Recovery codes handed out at enrolment; each works once.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code, from [`RECOVERY_ALPHABET`]: 10 × log2(31) ≈ 49 bits.
pub const RECOVERY_LEN: usize = 10;
/// Letters and digits that cannot be mistaken for one another when copied from paper
/// (no 0/o, 1/l/i).
pub const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// How long a login whose password was right waits for its code.
pub const CHALLENGE_MINUTES: i64 = 5;

/// What someone typed in the code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code, folded to its stored form (lower case, no separators).
    Recovery(String),
}

/// Reads a typed code: full-width characters, spaces and dashes are forgiven, as people copy
/// codes from phones and paper. Anything else is `None`.
pub fn read_code(typed: &str) -> Option<Code> {
    let folded: String = typed
        .chars()
        .take(64)
        .map(fold_width)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if folded.len() == DIGITS && folded.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Code::Totp(folded));
    }
    if folded.len() == RECOVERY_LEN && folded.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        return Some(Code::Recovery(folded));
    }
    None
}

/// A recovery code as it is shown: two groups of five (`abcde-fghjk`).
pub fn show_recovery(code: &str) -> String {
    if code.len() == RECOVERY_LEN && code.is_ascii() {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_owned()
    }
}

/// A recovery code made from random bytes, one character per byte.
pub fn recovery_from(random: &[u8; RECOVERY_LEN]) -> String {
    random
        .iter()
        .map(|b| RECOVERY_ALPHABET[usize::from(*b) % RECOVERY_ALPHABET.len()] as char)
        .collect()
}

/// Whether a login that began at `created` may still give its code.
pub fn challenge_alive(created: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= created && now - created <= Duration::minutes(CHALLENGE_MINUTES)
}

/// A base32 secret shown in groups of four, as authenticator apps accept it typed by hand.
pub fn show_secret(base32: &str) -> String {
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(read_code("123456"), Some(Code::Totp("123456".into())));
        assert_eq!(read_code(" 123 456 "), Some(Code::Totp("123456".into())));
        assert_eq!(read_code("１２３４５６"), Some(Code::Totp("123456".into())));
        assert_eq!(
            read_code("ABCDE-FGHJK"),
            Some(Code::Recovery("abcdefghjk".into()))
        );
        assert_eq!(
            read_code("ａｂｃｄｅ－ｆｇｈｊｋ"),
            Some(Code::Recovery("abcdefghjk".into()))
        );
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            "abcdefghi1",
            "abcde-fghjkl",
        ] {
            assert_eq!(read_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn challenges_last_five_minutes() {
        let t = Utc::now();
        assert!(challenge_alive(t, t + Duration::minutes(5)));
        assert!(!challenge_alive(
            t,
            t + Duration::minutes(5) + Duration::seconds(1)
        ));
        assert!(!challenge_alive(t, t - Duration::seconds(1)));
    }

    #[test]
    fn secrets_show_in_groups() {
        assert_eq!(show_secret("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    proptest! {
        /// Every generated recovery code, shown as printed, reads back as itself.
        #[test]
        fn recovery_codes_read_back(random in proptest::array::uniform10(any::<u8>())) {
            let code = recovery_from(&random);
            prop_assert_eq!(code.len(), RECOVERY_LEN);
            prop_assert_eq!(read_code(&show_recovery(&code)), Some(Code::Recovery(code.clone())));
            prop_assert_eq!(read_code(&show_recovery(&code).to_uppercase()), Some(Code::Recovery(code)));
        }
    }
}
