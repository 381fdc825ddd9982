//! Accounts, sessions, login failures and API tokens. Secrets arrive here already hashed:
//! password hashes from argon2 in the web layer, session ids and tokens as SHA-256 digests.
//! Every change to an account is audited in the same transaction.

use crate::audit::{append, Actor, AuditEntry};
use crate::{now_utc, Result, Store, StoreError};
use crate::{Absent, Refusal};
use chrono::{DateTime, Utc};
use kechuang_domain::auth::{record_failure, DataScope, FailureCount, Role};
use kechuang_domain::RegionCode;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub email: String,
    pub organisation: String,
    pub role: Role,
    pub scope: DataScope,
    pub password_hash: String,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub email: String,
    pub organisation: String,
    pub role: Role,
    pub scope: DataScope,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: String,
    /// The enrolled TOTP secret (base32), if the account uses the second factor.
    pub totp_secret: Option<String>,
    /// A secret shown for enrolment and not yet confirmed by a code.
    pub totp_pending: Option<String>,
    /// The last TOTP time step accepted: a code is never accepted twice.
    pub totp_step: i64,
    pub totp_enrolled_at: Option<String>,
}

impl User {
    /// Whether the account logs in with a second factor.
    pub fn has_second_factor(&self) -> bool {
        self.totp_secret.is_some()
    }
}

/// What the audit trail keeps of an account: never the password hash.
fn public_json(u: &NewUser) -> String {
    serde_json::json!({
        "username": u.username,
        "display_name": u.display_name,
        "organisation": u.organisation,
        "role": u.role.as_str(),
        "scope": u.scope.label(),
    })
    .to_string()
}

fn scope_columns(scope: &DataScope) -> (Option<String>, Option<String>, Option<String>) {
    match scope {
        DataScope::Region(r) => (Some(r.to_string()), None, None),
        DataScope::Enterprise(u) => (None, Some(u.clone()), None),
        DataScope::Bank(o) | DataScope::Unit(o) => (None, None, Some(o.clone())),
        DataScope::System | DataScope::Assigned => (None, None, None),
    }
}

pub(crate) fn user(r: &AnyRow) -> Result<User> {
    let role_s: String = r.try_get("role")?;
    let role = Role::parse(&role_s).ok_or_else(|| StoreError::Corrupt(format!("role {role_s}")))?;
    let region: Option<String> = r.try_get("region_code")?;
    let region = region
        .map(|c| RegionCode::parse(&c))
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let uscc: Option<String> = r.try_get("uscc")?;
    let org: Option<String> = r.try_get("bank_org")?;
    let scope = DataScope::for_role(role, region, uscc.as_deref(), org.as_deref())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        organisation: r.try_get("organisation")?,
        role,
        scope,
        password_hash: r.try_get("password_hash")?,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
        totp_secret: r.try_get("totp_secret")?,
        totp_pending: r.try_get("totp_pending")?,
        totp_step: r.try_get("totp_step")?,
        totp_enrolled_at: r.try_get("totp_enrolled_at")?,
    })
}

/// A live session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The account's role requires a second factor it has not enrolled: the session may only
    /// enrol, change the password or log out.
    pub second_factor_due: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time {s}: {e}")))
}

pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The id of an account by name, or not found.
pub(crate) async fn user_id(tx: &mut Transaction<'static, Any>, username: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(Absent::User {
                username: username.to_owned(),
            })
        })
}

/// Ends every session of an account and revokes its tokens: what it held carried rights it no
/// longer has.
pub(crate) async fn end_access(tx: &mut Transaction<'static, Any>, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_utc())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const FAILURE_SELECT: &str =
    "SELECT failures, since, last_failure_at FROM login_failures WHERE key = $1";

/// A key's failure count and the time of its last failure.
fn failure_row(r: &sqlx::any::AnyRow) -> Result<(FailureCount, DateTime<Utc>)> {
    let since: String = r.try_get("since")?;
    let last: String = r.try_get("last_failure_at")?;
    Ok((
        FailureCount {
            failures: r.try_get("failures")?,
            since: parse_time(&since)?,
        },
        parse_time(&last)?,
    ))
}

impl Store {
    pub async fn create_user(&self, u: &NewUser, by: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(&u.username)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Refused(Refusal::UserExists {
                username: u.username.clone(),
            }));
        }
        let (region, uscc, org) = scope_columns(&u.scope);
        let now = now_utc();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, phone, email, organisation, role, \
             region_code, uscc, bank_org, password_hash, must_change_password, disabled, \
             created_by, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $13) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.phone)
        .bind(&u.email)
        .bind(&u.organisation)
        .bind(u.role.as_str())
        .bind(region)
        .bind(uscc)
        .bind(org)
        .bind(&u.password_hash)
        .bind(i64::from(u.must_change_password))
        .bind(&by.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: "user.create",
                entity: "user",
                entity_id: &u.username,
                before: String::new(),
                after: public_json(u),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(user)
            .transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        sqlx::query("SELECT * FROM users ORDER BY role, username")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(user)
            .collect()
    }

    /// Sets a new password hash. `must_change` is true when someone else set it (a reset), so
    /// its owner must choose their own at the next login. Every session of the account ends,
    /// except `keep_session` (the one that changed its own password).
    pub async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        by: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id = user_id(&mut tx, username).await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, \
             password_changed_at = $3 WHERE id = $4",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(now_utc())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest <> $2")
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: if must_change {
                    "user.password_reset"
                } else {
                    "user.password_change"
                },
                entity: "user",
                entity_id: username,
                before: String::new(),
                after: serde_json::json!({ "must_change_password": must_change }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables or re-enables an account; disabling ends its sessions and tokens at once.
    pub async fn set_disabled(&self, username: &str, disabled: bool, by: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id = user_id(&mut tx, username).await?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            end_access(&mut tx, id).await?;
        }
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                },
                entity: "user",
                entity_id: username,
                before: serde_json::json!({ "disabled": !disabled }).to_string(),
                after: serde_json::json!({ "disabled": disabled }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes an account's role and data scope: a permission change, audited with both.
    pub async fn set_role(
        &self,
        username: &str,
        role: Role,
        scope: &DataScope,
        by: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(Absent::User {
                    username: username.to_owned(),
                })
            })?;
        let before = user(&before)?;
        let (region, uscc, org) = scope_columns(scope);
        sqlx::query(
            "UPDATE users SET role = $1, region_code = $2, uscc = $3, bank_org = $4 WHERE id = $5",
        )
        .bind(role.as_str())
        .bind(region)
        .bind(uscc)
        .bind(org)
        .bind(before.id)
        .execute(&mut *tx)
        .await?;
        // Sessions and tokens carry the old rights: end them.
        end_access(&mut tx, before.id).await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: "user.role",
                entity: "user",
                entity_id: username,
                before: serde_json::json!({ "role": before.role.as_str(), "scope": before.scope.label() })
                    .to_string(),
                after: serde_json::json!({ "role": role.as_str(), "scope": scope.label() }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- login failures ----------------------------------------------------------------

    /// The failure counter of each key, if it has one, with the time of its last failure.
    pub async fn failure_counts(
        &self,
        keys: &[String],
    ) -> Result<Vec<Option<(FailureCount, DateTime<Utc>)>>> {
        let mut out = Vec::new();
        for k in keys {
            let row = sqlx::query(FAILURE_SELECT)
                .bind(k)
                .fetch_optional(&self.read)
                .await?;
            out.push(row.as_ref().map(failure_row).transpose()?);
        }
        Ok(out)
    }

    /// Counts a failed login against each key and audits it under the name that was tried.
    pub async fn record_login_failure(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        attempted: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for k in keys {
            let row = sqlx::query(FAILURE_SELECT)
                .bind(k)
                .fetch_optional(&mut *tx)
                .await?;
            let previous = row.as_ref().map(failure_row).transpose()?;
            let next = record_failure(previous, now);
            sqlx::query("DELETE FROM login_failures WHERE key = $1")
                .bind(k)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO login_failures (key, failures, since, last_failure_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(k)
            .bind(next.failures)
            .bind(time_text(next.since))
            .bind(time_text(now))
            .execute(&mut *tx)
            .await?;
        }
        append(
            &mut tx,
            &AuditEntry {
                actor: attempted,
                action: "login.failed",
                entity: "session",
                entity_id: "",
                before: String::new(),
                after: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions ----------------------------------------------------------------------

    /// Starts a session after a successful login; the account's failure counter and the
    /// session the browser held before (if any) are cleared, so the id always changes at login.
    pub async fn create_session(
        &self,
        digest: &str,
        user: &User,
        csrf_token: &str,
        replaces: Option<&str>,
        second_factor_due: bool,
        by: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM sessions WHERE id_digest = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        let now = now_utc();
        sqlx::query(
            "INSERT INTO sessions (id_digest, user_id, csrf_token, client, created_at, last_seen_at, \
             second_factor_due) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(digest)
        .bind(user.id)
        .bind(csrf_token)
        .bind(&by.client)
        .bind(&now)
        .bind(i64::from(second_factor_due))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(kechuang_domain::auth::FailureKey::pair(&user.username, &by.client).key())
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: "login",
                entity: "session",
                entity_id: "",
                before: String::new(),
                after: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session(&self, digest: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT u.*, s.csrf_token, s.created_at AS s_created, s.last_seen_at AS s_seen, \
             s.second_factor_due AS s_due \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_digest = $1",
        )
        .bind(digest)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let created: String = r.try_get("s_created")?;
        let seen: String = r.try_get("s_seen")?;
        Ok(Some(SessionRecord {
            user: user(&r)?,
            csrf_token: r.try_get("csrf_token")?,
            created_at: parse_time(&created)?,
            last_seen_at: parse_time(&seen)?,
            second_factor_due: r.try_get::<i64, _>("s_due")? != 0,
        }))
    }

    pub async fn touch_session(&self, digest: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_digest = $2")
            .bind(now_utc())
            .bind(digest)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Ends a session (logout or expiry); audited when someone logs out.
    pub async fn end_session(&self, digest: &str, by: Option<&Actor>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE id_digest = $1")
            .bind(digest)
            .execute(&mut *tx)
            .await?;
        if let Some(by) = by {
            append(
                &mut tx,
                &AuditEntry {
                    actor: by,
                    action: "logout",
                    entity: "session",
                    entity_id: "",
                    before: String::new(),
                    after: String::new(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    // ---- API tokens --------------------------------------------------------------------

    pub async fn create_token(
        &self,
        owner: &User,
        name: &str,
        digest: &str,
        expires_at: Option<DateTime<Utc>>,
        by: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, digest, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(owner.id)
        .bind(name)
        .bind(digest)
        .bind(now_utc())
        .bind(expires_at.map(time_text))
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: "token.create",
                entity: "api_token",
                entity_id: &id.to_string(),
                before: String::new(),
                after: serde_json::json!({ "owner": owner.username, "name": name }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The account behind a live token (not revoked, not expired), noting its use.
    pub async fn token_user(&self, digest: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.*, t.id AS token_id, t.expires_at AS t_expires, t.last_used_at AS t_used \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.digest = $1 AND t.revoked_at IS NULL",
        )
        .bind(digest)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let expires: Option<String> = r.try_get("t_expires")?;
        if let Some(e) = expires {
            if parse_time(&e)? <= now {
                return Ok(None);
            }
        }
        let token_id: i64 = r.try_get("token_id")?;
        let used: Option<String> = r.try_get("t_used")?;
        // A write per request would queue every API call behind the one writer; the minute
        // is precise enough for "last used".
        let stale = match used {
            Some(u) => parse_time(&u)? < now - chrono::Duration::seconds(60),
            None => true,
        };
        if stale {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(time_text(now))
                .bind(token_id)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(user(&r)?))
    }

    pub async fn tokens_of(&self, user_id: i64) -> Result<Vec<TokenRecord>> {
        sqlx::query(
            "SELECT id, name, created_at, expires_at, revoked_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(TokenRecord {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                revoked_at: r.try_get("revoked_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
    }

    /// Revokes a token of `owner` (or of anyone, for an administrator: `owner` None). A token
    /// the caller may not see is "not found", like one that does not exist.
    pub async fn revoke_token(&self, id: i64, owner: Option<i64>, by: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM api_tokens WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        match (row, owner) {
            (Some(u), Some(o)) if u == o => {}
            (Some(_), None) => {}
            _ => return Err(StoreError::NotFound(Absent::Token { id })),
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now_utc())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: "token.revoke",
                entity: "api_token",
                entity_id: &id.to_string(),
                before: String::new(),
                after: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
