//! The second factor at login: enrolling an authenticator app (a TOTP secret shown as a QR
//! code, confirmed by its first code), one-time recovery codes, checking a code at login, and
//! the administrator's choices — which roles must use it, and removing it from an account
//! whose owner lost both phone and codes.
//!
//! Codes are RFC 6238 (SHA-1, 6 digits, 30 s) through `totp-rs`: what every authenticator app
//! speaks. A code is accepted once (the step it belongs to is recorded), one step early or
//! late for clocks that drift; wrong codes count against the account and address as wrong
//! passwords do.

use crate::auth::{random_token, Principal};
use crate::{Error, Missing};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use kechuang_domain::auth::{token_digest, Role};
use kechuang_domain::second_factor::{
    read_code, recovery_from, show_recovery, Code, DIGITS, RECOVERY_CODES, RECOVERY_LEN,
    STEP_SECONDS,
};
use kechuang_store::{Actor, Store, User};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

/// How authenticator apps name the account: `kechuang (USERNAME)`.
const ISSUER: &str = "kechuang";

kechuang_domain::problems! {
    pub enum SecondFactorProblem {
        AlreadyOn = "second_factor_already_on" {
            zh: "已启用二次验证", en: "the second factor is already on",
        },
        NotOn = "second_factor_not_on" {
            zh: "尚未启用二次验证", en: "the second factor is not on",
        },
        WrongCode = "wrong_code" {
            zh: "验证码不正确或已使用：请输入验证器当前显示的 6 位数字",
            en: "wrong or used code: type the 6 digits the authenticator shows now",
        },
        UnknownRole { role: String } = "unknown_role" {
            zh: "未知角色 '{role}'：应为 admin、bureau、county、enterprise、bank 或 expert",
            en: "unknown role '{role}': admin, bureau, county, enterprise, bank or expert",
        },
        AdminRequired = "admin_second_factor_required" {
            zh: "管理员必须使用二次验证（等保三级要求管理员采用两种鉴别方式）",
            en: "administrators must use the second factor (MLPS level 3 asks two kinds of authentication for them)",
        },
    }
}

fn totp(secret_base32: &str) -> Result<TOTP, Error> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|e| Error::internal(format!("stored TOTP secret: {e:?}")))?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, bytes)
        .map_err(|e| Error::internal(format!("stored TOTP secret: {e:?}")))
}

fn unix_now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or_default()
}

/// The time step a code belongs to, if it is the code of the step now or one step either
/// side (clocks drift; typing takes time).
fn matching_step(secret_base32: &str, code: &str, now: u64) -> Result<Option<i64>, Error> {
    let t = totp(secret_base32)?;
    let step = now / STEP_SECONDS;
    let mut found = None;
    // Every candidate is compared, in constant time, so timing tells nothing.
    for s in [step.saturating_sub(1), step, step + 1] {
        if bool::from(
            t.generate(s * STEP_SECONDS)
                .as_bytes()
                .ct_eq(code.as_bytes()),
        ) {
            found = Some(s);
        }
    }
    Ok(found.and_then(|s| i64::try_from(s).ok()))
}

/// The code of the current step for a secret: for tests and the command line's own checks.
pub fn current_code(secret_base32: &str) -> Result<String, Error> {
    Ok(totp(secret_base32)?.generate(unix_now()))
}

/// Ten new recovery codes: what is shown once, and what is stored (their digests).
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let shown: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut random = [0u8; RECOVERY_LEN];
            OsRng.fill_bytes(&mut random);
            recovery_from(&random)
        })
        .collect();
    let digests = shown.iter().map(|c| token_digest(c)).collect();
    (shown.iter().map(|c| show_recovery(c)).collect(), digests)
}

/// Checks a code typed at login or to confirm an action: a TOTP code not used before, or an
/// unused recovery code (used up by this). False for anything else.
pub async fn verify(store: &Store, user: &User, typed: &str, by: &Actor) -> Result<bool, Error> {
    let Some(secret) = user.totp_secret.as_deref() else {
        return Ok(false);
    };
    match read_code(typed) {
        Some(Code::Totp(code)) => match matching_step(secret, &code, unix_now())? {
            Some(step) => Ok(store.accept_totp_step(user.id, step).await?),
            None => Ok(false),
        },
        Some(Code::Recovery(code)) => Ok(store
            .use_recovery_code(user, &token_digest(&code), by)
            .await?),
        None => Ok(false),
    }
}

/// What an account sees of its second factor.
#[derive(Debug, Clone)]
pub struct Status {
    pub enrolled: bool,
    pub enrolled_at: Option<String>,
    /// Whether the account's role must use it.
    pub required: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(store: &Store, who: &Principal) -> Result<Status, Error> {
    let user = fresh(store, who).await?;
    Ok(Status {
        enrolled: user.has_second_factor(),
        enrolled_at: user.totp_enrolled_at.clone(),
        required: store.second_factor_roles().await?.contains(&user.role),
        recovery_codes_left: store.recovery_codes_left(user.id).await?,
    })
}

/// The caller's account as it is now (the principal's copy was read when the request came).
async fn fresh(store: &Store, who: &Principal) -> Result<User, Error> {
    store
        .user_by_name(who.username())
        .await?
        .ok_or_else(|| Error::not_found(Missing::OutOfScope))
}

/// What an authenticator app needs to enrol: the secret, as a QR code and as text.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, as apps accept it typed by hand.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The QR code as an SVG element.
    pub qr_svg: String,
}

/// Starts (or shows again) the caller's enrolment: the same secret until a code confirms
/// it, so a page reloaded after scanning still matches the app.
pub async fn begin_enrolment(store: &Store, who: &Principal) -> Result<Enrolment, Error> {
    let user = fresh(store, who).await?;
    if user.has_second_factor() {
        return Err(Error::conflict(SecondFactorProblem::AlreadyOn));
    }
    let secret = match user.totp_pending {
        Some(s) => s,
        None => {
            let mut raw = [0u8; 20];
            OsRng.fill_bytes(&mut raw);
            let Secret::Encoded(s) = Secret::Raw(raw.to_vec()).to_encoded() else {
                return Err(Error::internal("base32 encoding of a TOTP secret"));
            };
            store.set_totp_pending(user.id, &s).await?;
            s
        }
    };
    let uri = otpauth_uri(&user.username, &secret);
    let qr_svg = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| Error::internal(format!("QR code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The renderer writes an XML declaration before the element; a page embeds the element.
    let qr_svg = qr_svg
        .find("<svg")
        .map_or(qr_svg.clone(), |i| qr_svg[i..].to_owned());
    Ok(Enrolment {
        secret,
        uri,
        qr_svg,
    })
}

/// The Key URI Format authenticator apps read (Google Authenticator's, which all follow).
fn otpauth_uri(username: &str, secret: &str) -> String {
    let label = kechuang_domain::text::percent_encode(&format!("{ISSUER}:{username}"));
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
    )
}

/// Confirms the caller's enrolment with the first code from the app; answers the recovery
/// codes, shown this once.
pub async fn confirm_enrolment(
    store: &Store,
    who: &Principal,
    typed: &str,
) -> Result<Vec<String>, Error> {
    let user = fresh(store, who).await?;
    if user.has_second_factor() {
        return Err(Error::conflict(SecondFactorProblem::AlreadyOn));
    }
    let Some(pending) = user.totp_pending.as_deref() else {
        return Err(Error::conflict(SecondFactorProblem::NotOn));
    };
    let step = match read_code(typed) {
        Some(Code::Totp(code)) => matching_step(pending, &code, unix_now())?,
        _ => None,
    };
    let Some(step) = step else {
        return Err(Error::invalid(SecondFactorProblem::WrongCode));
    };
    let (shown, digests) = new_recovery_codes();
    store
        .enrol_totp(&user.username, step, &digests, &who.actor())
        .await?;
    Ok(shown)
}

/// New recovery codes for the caller, confirmed by a current code; the old ones stop working.
pub async fn renew_recovery_codes(
    store: &Store,
    who: &Principal,
    typed: &str,
) -> Result<Vec<String>, Error> {
    let user = fresh(store, who).await?;
    if !user.has_second_factor() {
        return Err(Error::conflict(SecondFactorProblem::NotOn));
    }
    if !verify(store, &user, typed, &who.actor()).await? {
        return Err(Error::invalid(SecondFactorProblem::WrongCode));
    }
    let (shown, digests) = new_recovery_codes();
    store
        .replace_recovery_codes(&user.username, &digests, &who.actor())
        .await?;
    Ok(shown)
}

/// The roles that must use the second factor.
pub async fn required_roles(store: &Store) -> Result<Vec<Role>, Error> {
    Ok(store.second_factor_roles().await?)
}

/// Sets the roles that must use the second factor, by name. Administrators always must: the
/// setting cannot drop them.
pub async fn set_required_roles(
    store: &Store,
    names: &[String],
    by: &Actor,
) -> Result<Vec<Role>, Error> {
    let mut roles = Vec::new();
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let role = Role::parse(n).ok_or_else(|| {
            Error::invalid(SecondFactorProblem::UnknownRole { role: n.to_owned() })
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if !roles.contains(&Role::Admin) {
        return Err(Error::invalid(SecondFactorProblem::AdminRequired));
    }
    store.set_second_factor_roles(&roles, by).await?;
    Ok(roles)
}

/// Removes an account's second factor (its owner lost the phone and the recovery codes).
pub async fn reset(store: &Store, username: &str, by: &Actor) -> Result<(), Error> {
    store.reset_second_factor(username.trim(), by).await?;
    Ok(())
}

/// A random challenge id for a login waiting for its code.
pub(crate) fn new_challenge() -> String {
    random_token()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's own test vector for SHA-1 (secret "12345678901234567890"), cut to six
    /// digits: the library computes codes as the standard says.
    #[test]
    fn codes_follow_rfc_6238() {
        let Secret::Encoded(secret) = Secret::Raw(b"12345678901234567890".to_vec()).to_encoded()
        else {
            panic!("encoded")
        };
        let t = totp(&secret).expect("totp");
        assert_eq!(t.generate(59), "287082");
        assert_eq!(t.generate(1_111_111_109), "081804");
        // One step either side is accepted; two are not.
        assert_eq!(
            matching_step(&secret, "287082", 59).expect("check"),
            Some(1)
        );
        assert_eq!(
            matching_step(&secret, "287082", 89).expect("check"),
            Some(1)
        );
        assert_eq!(matching_step(&secret, "287082", 120).expect("check"), None);
        assert_eq!(matching_step(&secret, "000000", 59).expect("check"), None);
    }

    #[test]
    fn the_uri_names_the_account() {
        let uri = otpauth_uri("韶关kj", "ABCDEFGH");
        assert!(
            uri.starts_with(
                "otpauth://totp/kechuang%3A%E9%9F%B6%E5%85%B3kj?secret=ABCDEFGH&issuer=kechuang"
            ),
            "{uri}"
        );
    }

    #[test]
    fn recovery_codes_are_shown_once_and_stored_as_digests() {
        let (shown, digests) = new_recovery_codes();
        assert_eq!(shown.len(), RECOVERY_CODES);
        for (s, d) in shown.iter().zip(&digests) {
            let Some(Code::Recovery(c)) = read_code(s) else {
                panic!("{s} reads back")
            };
            assert_eq!(&token_digest(&c), d);
        }
    }
}
