//! Accounts: creating them, passwords, disabling, roles and API tokens — one path for the
//! administration page, the API and the command line, so the password policy and the scope
//! rules hold however an account is made.

use crate::auth::{hash_password_blocking, random_token, verify_password_blocking, Principal};
use crate::{Error, Missing};
use kechuang_domain::auth::{check_password, check_username, token_digest, DataScope, Role};
use kechuang_domain::text::fields;
use kechuang_domain::RegionCode;
use kechuang_store::{Actor, NewUser, Store, User};

kechuang_domain::problems! {
    pub enum AccountProblem {
        UnknownRole { role: String } = "unknown_role" {
            zh: "未知角色 '{role}'：应为 admin、bureau、county、enterprise、bank 或 expert",
            en: "unknown role '{role}': admin, bureau, county, enterprise, bank or expert",
        },
        UnknownRegion { code: RegionCode } = "unknown_region" {
            zh: "未知的区划 {code}", en: "unknown region {code}",
        },
        WrongPassword = "wrong_password" {
            zh: "当前密码不正确", en: "the current password is wrong",
        },
        SamePassword = "same_password" {
            zh: "新密码不能与当前密码相同", en: "the new password must differ from the current one",
        },
        DisableSelf = "cannot_disable_self" {
            zh: "不能停用自己的账号", en: "you cannot disable your own account",
        },
        TokenDays { days: u32 } = "invalid_token_days" {
            zh: "令牌有效天数应为 1—3650，而不是 {days}", en: "a token lasts 1 to 3,650 days, not {days}",
        },
        TokenName = "invalid_token_name" {
            zh: "令牌名称应为 1–100 个字符", en: "a token's name has 1–100 characters",
        },
    }
}

/// Checks a new password against the policy; the message names the rule broken.
pub fn policy(new: &str, username: &str) -> Result<(), Error> {
    check_password(new, username).map_err(Error::invalid)
}

/// An account's role and what it sees, as typed by whoever creates it.
#[derive(Debug, Clone, Default)]
pub struct ScopeInput {
    pub role: String,
    pub region: Option<String>,
    pub uscc: Option<String>,
    pub org: Option<String>,
}

/// Parses a role and its data scope; a region must be one the deployment knows.
pub async fn parse_scope(store: &Store, input: &ScopeInput) -> Result<(Role, DataScope), Error> {
    let role = Role::parse(input.role.trim()).ok_or_else(|| {
        Error::invalid(AccountProblem::UnknownRole {
            role: input.role.clone(),
        })
    })?;
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let region = blank(&input.region)
        .map(|r| RegionCode::parse(&r).map_err(Error::invalid))
        .transpose()?;
    let uscc = blank(&input.uscc).map(|u| kechuang_domain::uscc::normalise(&u));
    let mut org = blank(&input.org);
    // A unit account names its unit by code or by name; it is kept by code.
    if role == Role::Unit {
        if let Some(o) = &org {
            org = Some(crate::supervision::unit_named(store, o).await?.code);
        }
    }
    let scope = DataScope::for_role(role, region, uscc.as_deref(), org.as_deref())
        .map_err(Error::invalid)?;
    if let DataScope::Region(r) = &scope {
        if store.region_tree().await?.get(r).is_none() {
            return Err(Error::invalid(AccountProblem::UnknownRegion {
                code: r.clone(),
            }));
        }
    }
    Ok((role, scope))
}

/// A new account as its creator describes it.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub email: String,
    pub organisation: String,
    pub scope: ScopeInput,
    pub password: String,
    /// Whether the owner must replace the password at first login (the default: someone
    /// else chose it).
    pub must_change_password: bool,
}

/// Creates an account after checking its name, scope and password.
pub async fn create_account(
    store: &Store,
    account: &NewAccount,
    by: &Actor,
) -> Result<NewUser, Error> {
    let username = account.username.trim().to_owned();
    check_username(&username).map_err(Error::invalid)?;
    crate::within_limits(&[
        (&fields::DISPLAY_NAME, &account.display_name),
        (&fields::ORGANISATION, &account.organisation),
        (
            &fields::ORGANISATION,
            account.scope.org.as_deref().unwrap_or_default(),
        ),
        (&fields::PHONE, &account.phone),
        (&fields::EMAIL, &account.email),
    ])?;
    let (role, scope) = parse_scope(store, &account.scope).await?;
    policy(&account.password, &username)?;
    let user = NewUser {
        username,
        display_name: account.display_name.trim().to_owned(),
        phone: account.phone.trim().to_owned(),
        email: account.email.trim().to_owned(),
        organisation: account.organisation.trim().to_owned(),
        role,
        scope,
        password_hash: hash_password_blocking(&account.password).await?,
        must_change_password: account.must_change_password,
    };
    store.create_user(&user, by).await?;
    Ok(user)
}

/// Sets a password chosen by someone else: its owner must change it at the next login, and
/// every session of the account ends.
pub async fn reset_password(
    store: &Store,
    username: &str,
    new: &str,
    by: &Actor,
) -> Result<(), Error> {
    policy(new, username)?;
    let hash = hash_password_blocking(new).await?;
    store.set_password(username, &hash, true, None, by).await?;
    Ok(())
}

/// Checks the current password and the policy, then stores the new hash. The caller's own
/// session stays; every other session of the account ends.
pub async fn change_own_password(
    store: &Store,
    who: &Principal,
    current: &str,
    new: &str,
) -> Result<(), Error> {
    if !verify_password_blocking(&who.user().password_hash, current).await? {
        return Err(Error::invalid(AccountProblem::WrongPassword));
    }
    policy(new, who.username())?;
    if new == current {
        return Err(Error::invalid(AccountProblem::SamePassword));
    }
    let hash = hash_password_blocking(new).await?;
    store
        .set_password(
            who.username(),
            &hash,
            false,
            who.session_digest(),
            &who.actor(),
        )
        .await?;
    Ok(())
}

/// Disables or enables an account; a disabled account's sessions and tokens end at once. An
/// administrator cannot disable their own account, which would leave nobody to undo it.
pub async fn set_disabled(
    store: &Store,
    username: &str,
    disabled: bool,
    by: &Actor,
) -> Result<(), Error> {
    if disabled && username == by.name {
        return Err(Error::invalid(AccountProblem::DisableSelf));
    }
    store.set_disabled(username, disabled, by).await?;
    Ok(())
}

/// Changes an account's role and data scope; its sessions and tokens end.
pub async fn change_role(
    store: &Store,
    username: &str,
    scope: &ScopeInput,
    by: &Actor,
) -> Result<(Role, DataScope), Error> {
    let (role, scope) = parse_scope(store, scope).await?;
    store.set_role(username, role, &scope, by).await?;
    Ok((role, scope))
}

/// A new API token with its owner's role and scope: its id and the token itself, returned
/// once; only its digest is kept. `days` until it expires (1 to 3,650), or none.
pub async fn create_token(
    store: &Store,
    owner: &User,
    name: &str,
    days: Option<u32>,
    by: &Actor,
) -> Result<(i64, String), Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid(AccountProblem::TokenName));
    }
    if let Some(d) = days.filter(|d| !(1..=3650).contains(d)) {
        return Err(Error::invalid(AccountProblem::TokenDays { days: d }));
    }
    let expires = days.map(|d| chrono::Utc::now() + chrono::Duration::days(i64::from(d)));
    let token = format!("kc_{}", random_token());
    let id = store
        .create_token(owner, name, &token_digest(&token), expires, by)
        .await?;
    Ok((id, token))
}

/// [`create_token`] for an account named by the operator.
pub async fn create_token_for(
    store: &Store,
    username: &str,
    name: &str,
    days: Option<u32>,
    by: &Actor,
) -> Result<String, Error> {
    let owner = store.user_by_name(username).await?.ok_or_else(|| {
        Error::not_found(Missing::User {
            username: username.to_owned(),
        })
    })?;
    Ok(create_token(store, &owner, name, days, by).await?.1)
}
