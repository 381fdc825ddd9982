//! Who is asking: passwords, tokens, logging in, and recognising a caller from the credential
//! a request carries (a session id or an API token).
//!
//! A [`Principal`] is made only by [`identify`] — its fields are private and it has no public
//! constructor — so an operation that takes one cannot be reached by a caller nobody
//! recognised. Which routes a role may use is the web's guard's business; what records a
//! caller may see is their data scope's, applied by the operations here.

use crate::{Error, Missing};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Utc;
use kechuang_domain::auth::{
    locked_until, session_alive, token_digest, DataScope, FailureKey, Role, MAX_PASSWORD_BYTES,
    MAX_USERNAME_CHARS,
};
use kechuang_domain::region::RegionTree;
use kechuang_domain::second_factor::challenge_alive;
use kechuang_domain::RegionCode;
use kechuang_store::{Actor, Store, User};
use std::sync::OnceLock;

// ---- secrets ------------------------------------------------------------------------------

/// Argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's recommendation).
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(e.to_string()))
}

/// The same, off the async threads: a hash takes tens of milliseconds of CPU.
pub async fn hash_password_blocking(password: &str) -> Result<String, Error> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(Error::internal)?
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies off the async threads.
pub async fn verify_password_blocking(hash: &str, password: &str) -> Result<bool, Error> {
    let (hash, pw) = (hash.to_owned(), password.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&hash, &pw))
        .await
        .map_err(Error::internal)
}

/// A hash to verify against when the username is unknown, so both cases cost the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password-Aa1!").unwrap_or_default())
}

/// 256 random bits, hex: session ids, CSRF tokens and API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- identity -----------------------------------------------------------------------------

/// An authenticated caller, made only by [`identify`].
#[derive(Debug, Clone)]
pub struct Principal {
    user: User,
    /// The session's digest and CSRF token; `None` for a bearer token, which needs no CSRF
    /// protection because browsers never send it by themselves.
    session: Option<(String, String)>,
    client: String,
    /// The account's role requires a second factor it has not enrolled (sessions only).
    second_factor_due: bool,
}

impl Principal {
    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn username(&self) -> &str {
        &self.user.username
    }

    pub fn actor(&self) -> Actor {
        Actor::new(&self.user.username, &self.client)
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn scope(&self) -> &DataScope {
        &self.user.scope
    }

    /// Whether the account must still replace a password someone else set.
    pub fn must_change_password(&self) -> bool {
        self.user.must_change_password
    }

    /// Whether the account must enrol a second factor before anything else.
    pub fn must_enrol_second_factor(&self) -> bool {
        self.second_factor_due
    }

    /// The digest of the session this caller came with; `None` for an API token.
    pub fn session_digest(&self) -> Option<&str> {
        self.session.as_ref().map(|(d, _)| d.as_str())
    }

    /// The session's CSRF token; empty for an API token.
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |(_, c)| c.as_str())
    }

    /// The regions whose records this caller may see, or a not-found error when they see no
    /// region's records (so a list for them is as empty as a missing page).
    pub fn regions(&self, tree: &RegionTree) -> Result<Vec<RegionCode>, Error> {
        self.user
            .scope
            .regions(tree)
            .ok_or_else(|| Error::not_found(Missing::OutOfScope))
    }

    /// Narrows a requested region to the caller's scope: none requested means their whole
    /// scope; one outside it is not found.
    pub fn region_within(
        &self,
        tree: &RegionTree,
        requested: Option<&str>,
    ) -> Result<RegionCode, Error> {
        let DataScope::Region(own) = &self.user.scope else {
            return Err(Error::not_found(Missing::OutOfScope));
        };
        match requested.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(own.clone()),
            Some(r) => RegionCode::parse(r)
                .ok()
                .filter(|c| self.user.scope.covers_region(tree, c))
                .ok_or_else(|| Error::not_found(Missing::Region { code: r.to_owned() })),
        }
    }
}

/// The credential a request carries.
pub enum Credential<'a> {
    /// An API token (`Authorization: Bearer …`).
    Token(&'a str),
    /// A session id from the session cookie.
    Session(&'a str),
}

/// Recognises the caller behind a credential, or nobody. An expired session is deleted; a
/// disabled account is nobody.
pub async fn identify(
    store: &Store,
    credential: Credential<'_>,
    client: &str,
) -> Result<Option<Principal>, Error> {
    let now = Utc::now();
    let id = match credential {
        Credential::Token(token) => {
            let user = store.token_user(&token_digest(token.trim()), now).await?;
            return Ok(user.filter(|u| !u.disabled).map(|user| Principal {
                user,
                session: None,
                client: client.to_owned(),
                second_factor_due: false,
            }));
        }
        Credential::Session(id) => id,
    };
    let digest = token_digest(id);
    let Some(s) = store.session(&digest).await? else {
        return Ok(None);
    };
    if !session_alive(s.created_at, s.last_seen_at, now) || s.user.disabled {
        store.end_session(&digest, None).await?;
        return Ok(None);
    }
    // Writing on every request would serialise all reads behind the writer; a minute's
    // precision is plenty for a 30-minute idle timeout.
    if now - s.last_seen_at > chrono::Duration::seconds(60) {
        store.touch_session(&digest).await?;
    }
    Ok(Some(Principal {
        user: s.user,
        session: Some((digest, s.csrf_token)),
        client: client.to_owned(),
        second_factor_due: s.second_factor_due,
    }))
}

// ---- logging in -----------------------------------------------------------------------------

pub enum LoginOutcome {
    Ok {
        token: String,
        user: Box<User>,
    },
    /// The password was right and the account uses a second factor, but no code came with
    /// it: the login waits (five minutes) for the code, presented with this challenge.
    CodeNeeded {
        challenge: String,
    },
    /// The password was right and the second factor's code was not (or was used before).
    WrongCode,
    /// The wait for a code ended (it ran out, was used, or came from another address).
    Expired,
    /// Unknown user, wrong password or disabled account: one answer for all three.
    Invalid,
    /// Too many failures for this account from this address, or from this address.
    Locked {
        until: chrono::DateTime<Utc>,
    },
}

kechuang_domain::problems! {
    /// Why a login is refused, in words for the person logging in.
    pub enum LoginRefused {
        InvalidCredentials = "invalid_credentials" {
            zh: "用户名或密码错误", en: "wrong username or password",
        },
        WrongCode = "wrong_code" {
            zh: "验证码不正确或已使用", en: "wrong or already used code",
        },
        CodeNeeded = "second_factor_required" {
            zh: "此账号启用了二次验证：请同时提交验证器显示的 6 位验证码或一个恢复码（code）",
            en: "this account uses a second factor: send the authenticator's 6-digit code or a recovery code (code)",
        },
        Expired = "login_expired" {
            zh: "登录已超时，请重新输入用户名和密码", en: "the login timed out: enter your username and password again",
        },
        Locked { until: String } = "locked" {
            zh: "登录失败次数过多，请于 {until}（北京时间）后再试",
            en: "too many failed logins: try again after {until} (China time)",
        },
    }
}

impl LoginRefused {
    pub fn locked(until: chrono::DateTime<Utc>) -> Self {
        // Round up, so "after 10:15" is never a minute early.
        let china = until.with_timezone(&crate::clock::china()) + chrono::Duration::seconds(59);
        Self::Locked {
            until: china.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// When the failures counted against this account from this address, or against the
/// address, lock it; `None` while neither does.
async fn lock_of(
    store: &Store,
    username: &str,
    client: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(Option<chrono::DateTime<Utc>>, Vec<String>), Error> {
    let keys = [
        FailureKey::pair(username, client),
        FailureKey::Address(client.to_owned()),
    ];
    let stored: Vec<String> = keys.iter().map(FailureKey::key).collect();
    let counts = store.failure_counts(&stored).await?;
    let locked = keys
        .iter()
        .zip(&counts)
        .filter_map(|(k, found)| {
            found.and_then(|(c, last)| locked_until(Some(c), last, now, k.threshold()))
        })
        .max();
    Ok((locked, stored))
}

/// Opens a session for an account that has proven who it is. A session of an account whose
/// role requires a second factor it has not enrolled may only enrol.
async fn open_session(
    store: &Store,
    user: User,
    client: &str,
    replaces: Option<&str>,
) -> Result<LoginOutcome, Error> {
    let due = !user.has_second_factor() && store.second_factor_roles().await?.contains(&user.role);
    let token = random_token();
    let actor = Actor::new(&user.username, client);
    store
        .create_session(
            &token_digest(&token),
            &user,
            &random_token(),
            replaces,
            due,
            &actor,
        )
        .await?;
    Ok(LoginOutcome::Ok {
        token,
        user: Box::new(user),
    })
}

/// Checks a username and password, and the second factor's code when the account uses one
/// (`code`: an authenticator's code or a recovery code; without it such a login waits for the
/// code, see [`login_with_code`]). Failures count against the account tried from this
/// address (five lock that pair for 15 minutes, then longer) and against the address (fifty
/// lock it), never against the account alone, so nobody can lock a user out from elsewhere.
/// A name or password longer than any valid one is refused before any lookup, hashing or
/// write. An unknown name costs the same argon2 verification as a known one, so timing
/// tells nothing either.
pub async fn login(
    store: &Store,
    username: &str,
    password: &str,
    code: Option<&str>,
    client: &str,
    replaces: Option<&str>,
) -> Result<LoginOutcome, Error> {
    let username = username.trim();
    if username.chars().count() > MAX_USERNAME_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Ok(LoginOutcome::Invalid);
    }
    let now = Utc::now();
    let (locked, keys) = lock_of(store, username, client, now).await?;
    if let Some(until) = locked {
        return Ok(LoginOutcome::Locked { until });
    }
    let user = store.user_by_name(username).await?;
    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let ok = verify_password_blocking(&hash, password).await?;
    let attempt = Actor::new(username, client);
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            store.record_login_failure(&keys, now, &attempt).await?;
            return Ok(LoginOutcome::Invalid);
        }
    };
    if !user.has_second_factor() {
        return open_session(store, user, client, replaces).await;
    }
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        let challenge = crate::second_factor::new_challenge();
        store
            .create_challenge(&token_digest(&challenge), user.id, client)
            .await?;
        return Ok(LoginOutcome::CodeNeeded { challenge });
    };
    if crate::second_factor::verify(store, &user, code, &attempt).await? {
        open_session(store, user, client, replaces).await
    } else {
        store.record_login_failure(&keys, now, &attempt).await?;
        Ok(LoginOutcome::WrongCode)
    }
}

/// The second step of a login that waits for its code: the challenge the first step gave,
/// and the code. The challenge is used once, only from the address that began the login and
/// only for five minutes; wrong codes count as wrong passwords do.
pub async fn login_with_code(
    store: &Store,
    challenge: &str,
    code: &str,
    client: &str,
    replaces: Option<&str>,
) -> Result<LoginOutcome, Error> {
    let digest = token_digest(challenge.trim());
    let now = Utc::now();
    let Some(waiting) = store.challenge(&digest).await? else {
        return Ok(LoginOutcome::Expired);
    };
    if !challenge_alive(waiting.created_at, now) || waiting.client != client {
        store.end_challenge(&digest).await?;
        return Ok(LoginOutcome::Expired);
    }
    let user = waiting.user;
    let (locked, keys) = lock_of(store, &user.username, client, now).await?;
    if let Some(until) = locked {
        store.end_challenge(&digest).await?;
        return Ok(LoginOutcome::Locked { until });
    }
    let attempt = Actor::new(&user.username, client);
    if user.disabled {
        store.end_challenge(&digest).await?;
        return Ok(LoginOutcome::Invalid);
    }
    if !crate::second_factor::verify(store, &user, code, &attempt).await? {
        store.record_login_failure(&keys, now, &attempt).await?;
        return Ok(LoginOutcome::WrongCode);
    }
    // Two requests with the same challenge: only the one that ends it logs in.
    if !store.end_challenge(&digest).await? {
        return Ok(LoginOutcome::Expired);
    }
    open_session(store, user, client, replaces).await
}

// ---- capabilities -------------------------------------------------------------------------

kechuang_domain::problems! {
    /// An operation kept for one role, asked for by another.
    pub enum RoleRequired {
        Bureau = "bureau_only" { zh: "仅市科技局可办理", en: "only the bureau does this" },
        County = "county_only" {
            zh: "由县（市、区）科技部门办理", en: "only a county's S&T officer does this",
        },
        Applicant = "applicant_only" {
            zh: "仅申报单位可办理", en: "only the applicant does this",
        },
    }
}

macro_rules! capability {
    ($(#[$meta:meta])* $name:ident, $check:ident, $role:path, $refusal:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a>(&'a Principal);

        impl std::ops::Deref for $name<'_> {
            type Target = Principal;
            fn deref(&self) -> &Principal {
                self.0
            }
        }

        impl Principal {
            /// The capability, when the caller holds the role; forbidden otherwise.
            pub fn $check(&self) -> Result<$name<'_>, Error> {
                if self.role() == $role {
                    Ok($name(self))
                } else {
                    Err(Error::forbidden($refusal))
                }
            }
        }
    };
}

capability!(
    /// The caller, checked to be the bureau. Operations kept for the bureau take it, so
    /// none of them can be reached without the check; only [`Principal::as_bureau`] makes one.
    AsBureau, as_bureau, Role::Bureau, RoleRequired::Bureau
);
capability!(
    /// The caller, checked to be a county's officer; only [`Principal::as_county`] makes one.
    AsCounty, as_county, Role::County, RoleRequired::County
);
capability!(
    /// The caller, checked to be an enterprise; only [`Principal::as_applicant`] makes one.
    AsApplicant, as_applicant, Role::Enterprise, RoleRequired::Applicant
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Shaoguan-2018").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "Shaoguan-2018"));
        assert!(!verify_password(&h, "Shaoguan-2019"));
        assert!(!verify_password("garbage", "Shaoguan-2018"));
    }

    #[test]
    fn tokens_are_random() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_token());
    }
}
